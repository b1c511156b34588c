/*
 * frag.c - the fragment tracker (see frag.h): overlaps, and transport
 * headers put back together from tiny fragments.
 *
 * Owns one fixed array of datagram entries, addressed by a keyed hash
 * (SipHash-2-4 with a key drawn from getrandom() at start): an attacker
 * who cannot predict the key cannot aim spoofed fragments at one bucket to
 * push real datagrams out. A key probes FRAG_WAYS consecutive slots; a new
 * datagram takes an empty slot, else one idle for FRAG_TIMEOUT_US, else the
 * least recently used (an eviction, counted). Nothing is allocated after
 * sw_frag_new().
 *
 * Each entry also holds the first FRAG_HEAD bytes of its datagram's payload
 * and a bit per byte saying which are there. Bytes are copied from every
 * fragment that reaches them, whatever the order, because the tiny first
 * fragment may come last; the header is decoded by decode.c's own
 * transport code (sw_decode_l4), not a second parser here.
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
/* Payload bytes kept per datagram: a TCP header with all its options is 60,
 * and 64 leave room for an IPv6 destination options header before a UDP
 * or ICMPv6 one. One bit each in a uint64_t. */
#define FRAG_HEAD 64
#define FRAG_MAX_SLOTS (1u << 20)
/* Reassembly gives up on a datagram after 60 s at most (RFC 8200 for IPv6;
 * IPv4 stacks use 30-60 s): a later fragment with the same key is a new
 * datagram. */
#define FRAG_TIMEOUT_US (60ull * 1000000)

struct frag_range {
	uint32_t start, end; /* bytes, [start, end) */
};

/* frag_entry.state */
#define HEAD_TINY 0x1      /* the first fragment was too short for the header */
#define HEAD_SETTLED 0x2   /* nothing more to do with the header: handed out,
                              held by a first fragment, or beyond repair */

struct frag_entry {
	uint64_t hash;       /* of the key, to skip most compares */
	uint64_t last_us;    /* packet time of the last fragment */
	uint64_t used;       /* table tick of the last use, 0 = empty */
	struct sw_addr src, dst;
	uint32_t id;
	uint8_t proto;
	uint8_t nranges;
	struct frag_range r[FRAG_RANGES];
	/* the start of the payload, for headers split by tiny fragments */
	uint64_t have;       /* bit i: head[i] holds payload byte i */
	uint32_t end;        /* payload length once the last fragment is seen,
	                        0 before */
	uint16_t l4_off;     /* where the transport header starts in head, and */
	uint8_t l4_proto;    /* its protocol, both from the first fragment */
	uint8_t state;       /* HEAD_* */
	uint8_t head[FRAG_HEAD];
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

/* The protocol is part of an IPv4 datagram's key (RFC 791) but not of an
 * IPv6 one's (RFC 8200): there the fragments after the first name the first
 * header of the fragmentable part, perhaps destination options, not the
 * transport. */
static uint8_t key_proto(const struct sw_pkt *p)
{
	return p->src.family == SW_AF_INET6 ? 0 : p->proto;
}

static int same_datagram(const struct frag_entry *e, const struct sw_pkt *p)
{
	return e->id == p->frag_id && e->proto == key_proto(p) &&
	       e->src.family == p->src.family &&
	       memcmp(e->src.bytes, p->src.bytes, sizeof e->src.bytes) == 0 &&
	       memcmp(e->dst.bytes, p->dst.bytes, sizeof e->dst.bytes) == 0;
}

static int expired(const struct frag_entry *e, uint64_t now)
{
	/* time may step back between capture files: that is not expiry */
	return now > e->last_us && now - e->last_us > FRAG_TIMEOUT_US;
}

/* An entry for p's datagram, with nothing known of it yet. */
static void start_datagram(struct frag_entry *e, uint64_t h,
                           const struct sw_pkt *p)
{
	memset(e, 0, sizeof *e);
	e->hash = h;
	e->src = p->src;
	e->dst = p->dst;
	e->id = p->frag_id;
	e->proto = key_proto(p);
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
	key[1] = key_proto(p);
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
				start_datagram(e, h, p);
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
	start_datagram(e, h, p);
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

static unsigned check_overlap(struct frag_entry *e, const struct sw_pkt *p)
{
	uint32_t start = p->frag_off, end = start + p->frag_len;

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

/* ---- headers split by tiny fragments ----------------------------------- */

/* What the first fragment says about the header, and where the last one
 * says the payload ends. */
static void note_fragment(struct frag_entry *e, const struct sw_pkt *p)
{
	if (!(p->flags & SW_PF_MF) && e->end == 0)
		e->end = (uint32_t)p->frag_off + p->frag_len;
	if (!(p->flags & SW_PF_FRAG_FIRST))
		return;
	if (p->err != SW_DERR_FRAG_TINY || p->frag_l4_off >= FRAG_HEAD) {
		/* The decoder had the whole header (or one we could not keep),
		 * even if a tiny first fragment came before: detection saw
		 * this one and must not see the header twice. */
		e->state |= HEAD_SETTLED;
		return;
	}
	if (!(e->state & HEAD_TINY)) {
		e->state |= HEAD_TINY;
		e->l4_off = p->frag_l4_off; /* the first copy wins, as for bytes */
		e->l4_proto = p->proto;
	}
}

/* Keep the bytes of p below FRAG_HEAD that no earlier fragment gave: the
 * first copy wins (the overlap is counted by check_overlap()). Only bytes
 * inside the captured frame are read. */
static void keep_bytes(struct frag_entry *e, const struct sw_pkt *p,
                       const uint8_t *frame)
{
	uint32_t n = p->frag_data_cap, from = p->frag_off;
	const uint8_t *d;

	if (from >= FRAG_HEAD || n == 0)
		return;
	if (p->frag_data_off > p->caplen || n > p->caplen - p->frag_data_off)
		return; /* cannot happen with sw_decode(), but never read past */
	d = frame + p->frag_data_off;
	if (n > FRAG_HEAD - from)
		n = FRAG_HEAD - from;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t bit = 1ull << (from + i);

		if (!(e->have & bit)) {
			e->head[from + i] = d[i];
			e->have |= bit;
		}
	}
}

/* Payload bytes present from offset 0 without a gap: the first clear bit. */
static uint32_t contiguous(uint64_t have)
{
	return have == ~0ull ? FRAG_HEAD : (uint32_t)__builtin_ctzll(~have);
}

/* The IP side of the header packet: p's, as the first fragment of the
 * datagram. */
static void header_packet(struct sw_pkt *h, const struct sw_pkt *p,
                          uint8_t proto, uint32_t len)
{
	memset(h, 0, sizeof *h);
	h->ts_us = p->ts_us;
	h->caplen = p->caplen;
	h->wirelen = p->wirelen;
	h->l3 = p->l3;
	h->proto = proto;
	h->flags = (uint16_t)((p->flags & (SW_PF_DF | SW_PF_IPV4_OPTS)) |
	                      SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_MF |
	                      SW_PF_FRAG_EVADE);
	h->vlan_depth = p->vlan_depth;
	h->vlan_id = p->vlan_id;
	h->src = p->src;
	h->dst = p->dst;
	h->ttl = p->ttl;
	h->ip_id = p->ip_id;
	h->ip_len = p->ip_len;
	h->frag_id = p->frag_id;
	h->frag_len = (uint16_t)(len < 0xffff ? len : 0xffff);
}

/*
 * Decode the header when the bytes from 0 reach far enough. Until the
 * datagram's end or the kept bytes are reached, the decoder is told that the
 * payload ends where the contiguous bytes do, so a header not yet whole
 * comes back as SW_DERR_FRAG_TINY (wait) rather than decoded with options
 * cut. A header still in error when no more bytes can come is settled
 * without a packet: the target cannot make sense of it either.
 */
static unsigned try_header(struct frag_entry *e, const struct sw_pkt *p,
                           struct sw_pkt *h)
{
	uint32_t n = contiguous(e->have), cap, len;
	int last; /* no byte that matters can come any more */

	if (e->end != 0 && n > e->end)
		n = e->end;
	last = (e->end != 0 && n == e->end) || n == FRAG_HEAD;
	if (n <= e->l4_off) {
		if (last)
			e->state |= HEAD_SETTLED;
		return SW_FRAG_OK;
	}
	cap = n - e->l4_off;
	len = last && e->end != 0 ? e->end - e->l4_off : cap;
	header_packet(h, p, e->l4_proto, e->end != 0 ? e->end : n);
	if (sw_decode_l4(e->head + e->l4_off, cap, len, h) == SW_DERR_NONE) {
		e->state |= HEAD_SETTLED;
		return SW_FRAG_HEADER;
	}
	if (last)
		e->state |= HEAD_SETTLED;
	return SW_FRAG_OK;
}

/* ---- public ------------------------------------------------------------ */

unsigned sw_frag_check(struct sw_frag *f, const struct sw_pkt *p,
                       const uint8_t *frame, struct sw_pkt *hdr)
{
	struct frag_entry *e;
	unsigned found;

	if (!(p->flags & SW_PF_FRAG))
		return SW_FRAG_OK;
	e = lookup(f, p);
	e->used = ++f->tick;
	if (p->ts_us > e->last_us)
		e->last_us = p->ts_us;

	found = check_overlap(e, p);
	if (frame == NULL || hdr == NULL || (e->state & HEAD_SETTLED))
		return found;
	note_fragment(e, p);
	if (e->state & HEAD_SETTLED)
		return found;
	keep_bytes(e, p, frame);
	if (e->state & HEAD_TINY)
		found |= try_header(e, p, hdr);
	return found;
}
