/*
 * frag.c - the fragment overlap tracker (see frag.h).
 *
 * Owns one fixed array of datagram entries, addressed by a keyed hash
 * (SipHash-2-4 with a key drawn from getrandom() at start): an attacker
 * who cannot predict the key cannot aim spoofed fragments at one bucket to
 * push real datagrams out. A key probes FRAG_WAYS consecutive slots; a new
 * datagram takes an empty slot, else one idle for FRAG_TIMEOUT_US, else the
 * least recently used (an eviction, counted). Nothing is allocated after
 * sw_frag_new().
 */
#ifndef _DEFAULT_SOURCE
/* The unit tests build this file with libnet's flags, whose _BSD_SOURCE
 * glibc warns about unless _DEFAULT_SOURCE is set. */
#define _DEFAULT_SOURCE 1
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "siphash.h"
#include "table.h"

#define FRAG_WAYS 8        /* slots a key may live in */
#define FRAG_RANGES 8      /* byte ranges remembered per datagram */
#define FRAG_MAX_SLOTS (1u << 20)
/* Reassembly gives up on a datagram after 60 s at most (RFC 8200 for IPv6;
 * IPv4 stacks use 30-60 s): a later fragment with the same key is a new
 * datagram. */
#define FRAG_TIMEOUT_US (60ull * 1000000)

struct frag_range {
	uint32_t start, end; /* bytes, [start, end) */
};

struct frag_entry {
	uint64_t hash;       /* of the key, to skip most compares */
	uint64_t last_us;    /* packet time of the last fragment */
	uint64_t used;       /* table tick of the last use, 0 = empty */
	struct sw_addr src, dst;
	uint32_t id;
	uint8_t proto;
	uint8_t nranges;
	struct frag_range r[FRAG_RANGES];
};

struct sw_frag {
	struct sw_sipkey key;
	uint64_t tick;       /* counts checks: the LRU clock */
	uint64_t evictions;
	uint32_t mask;       /* slots - 1 */
	struct frag_entry e[];
};

/* ---- table ------------------------------------------------------------- */

struct sw_frag *sw_frag_new(unsigned slots)
{
	struct sw_frag *f;
	struct sw_sipkey key;
	uint32_t n;

	if (slots == 0 || slots > FRAG_MAX_SLOTS)
		return NULL;
	n = sw_pow2_at_least(slots < FRAG_WAYS ? FRAG_WAYS : slots);
	if (sw_sipkey_random(&key) < 0)
		return NULL;
	f = calloc(1, sizeof *f + (size_t)n * sizeof f->e[0]);
	if (f == NULL)
		return NULL;
	f->key = key;
	f->mask = n - 1;
	return f;
}

void sw_frag_free(struct sw_frag *f)
{
	free(f);
}

uint64_t sw_frag_evictions(const struct sw_frag *f)
{
	return f->evictions;
}

static int same_datagram(const struct frag_entry *e, const struct sw_pkt *p)
{
	return e->id == p->frag_id && e->proto == p->proto &&
	       e->src.family == p->src.family &&
	       memcmp(e->src.bytes, p->src.bytes, sizeof e->src.bytes) == 0 &&
	       memcmp(e->dst.bytes, p->dst.bytes, sizeof e->dst.bytes) == 0;
}

static int expired(const struct frag_entry *e, uint64_t now)
{
	/* time may step back between capture files: that is not expiry */
	return now > e->last_us && now - e->last_us > FRAG_TIMEOUT_US;
}

/* The slot for p's datagram: its own if present (reset if it expired),
 * else a fresh one. */
static struct frag_entry *lookup(struct sw_frag *f, const struct sw_pkt *p)
{
	uint8_t key[2 + 4 + 16 + 16];
	struct frag_entry *empty = NULL, *stale = NULL, *lru = NULL, *e;
	uint64_t h;
	uint32_t i0;

	key[0] = p->src.family;
	key[1] = p->proto;
	memcpy(key + 2, &p->frag_id, 4);
	memcpy(key + 6, p->src.bytes, 16);
	memcpy(key + 22, p->dst.bytes, 16);
	h = sw_siphash(&f->key, key, sizeof key);
	i0 = (uint32_t)h & f->mask;

	for (uint32_t w = 0; w < FRAG_WAYS; w++) {
		e = &f->e[(i0 + w) & f->mask];
		if (e->used == 0) {
			if (empty == NULL)
				empty = e;
			continue;
		}
		if (e->hash == h && same_datagram(e, p)) {
			if (expired(e, p->ts_us))
				e->nranges = 0;
			return e;
		}
		if (stale == NULL && expired(e, p->ts_us))
			stale = e;
		if (lru == NULL || e->used < lru->used)
			lru = e;
	}
	if (empty != NULL)
		e = empty;
	else if (stale != NULL)
		e = stale;
	else {
		e = lru;
		f->evictions++;
	}
	memset(e, 0, sizeof *e);
	e->hash = h;
	e->src = p->src;
	e->dst = p->dst;
	e->id = p->frag_id;
	e->proto = p->proto;
	return e;
}

/* Remember [start, end). When the ranges are all taken, grow one that it
 * touches; failing that the range goes unremembered: a datagram in more
 * pieces than FRAG_RANGES only has its first pieces checked, which bounds
 * the work per fragment. */
static void remember(struct frag_entry *e, uint32_t start, uint32_t end)
{
	if (e->nranges < FRAG_RANGES) {
		e->r[e->nranges].start = start;
		e->r[e->nranges].end = end;
		e->nranges++;
		return;
	}
	for (unsigned i = 0; i < e->nranges; i++) {
		if (e->r[i].end == start) {
			e->r[i].end = end;
			return;
		}
		if (e->r[i].start == end) {
			e->r[i].start = start;
			return;
		}
	}
}

enum sw_frag_verdict sw_frag_check(struct sw_frag *f, const struct sw_pkt *p)
{
	struct frag_entry *e;
	uint32_t start, end;

	if (!(p->flags & SW_PF_FRAG))
		return SW_FRAG_OK;
	e = lookup(f, p);
	e->used = ++f->tick;
	if (p->ts_us > e->last_us)
		e->last_us = p->ts_us;

	start = p->frag_off;
	end = start + p->frag_len;
	if (end == start)
		return SW_FRAG_OK; /* nothing in it to overlap */
	for (unsigned i = 0; i < e->nranges; i++) {
		if (e->r[i].start == start && e->r[i].end == end)
			return SW_FRAG_OK; /* the same fragment again */
		if (start < e->r[i].end && e->r[i].start < end)
			return SW_FRAG_OVERLAP;
	}
	remember(e, start, end);
	return SW_FRAG_OK;
}
