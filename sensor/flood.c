/*
 * flood.c - the per-target rate table (see flood.h). Buckets of WAYS
 * entries; a new target evicts the quietest entry without an open
 * detection.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flood.h"
#include "table.h"

#define WAYS 8
#define WINDOW_US 1000000

struct sw_flood {
	struct sw_sipkey key;
	uint32_t bucket_mask;
	uint64_t evictions;
	struct sw_flood_entry *e;
	uint64_t *keys;  /* keys[i] == e[i].key: a bucket's keys in one cache line */
};

struct sw_flood *sw_flood_new(unsigned entries, const struct sw_sipkey *key)
{
	struct sw_flood *f = calloc(1, sizeof *f);
	uint32_t n = sw_pow2_at_least(entries < WAYS ? WAYS : entries);

	if (!f)
		return NULL;
	f->key = *key;
	f->bucket_mask = n / WAYS - 1;
	f->e = sw_table_alloc((size_t)n * sizeof *f->e);
	f->keys = sw_table_alloc((size_t)n * sizeof *f->keys);
	if (!f->e || !f->keys) {
		sw_flood_free(f);
		return NULL;
	}
	return f;
}

void sw_flood_free(struct sw_flood *f)
{
	if (f) {
		size_t n = ((size_t)f->bucket_mask + 1) * WAYS;

		sw_table_free(f->e, n * sizeof *f->e);
		sw_table_free(f->keys, n * sizeof *f->keys);
		free(f);
	}
}

uint64_t sw_flood_memory(const struct sw_flood *f)
{
	return sizeof *f + ((uint64_t)f->bucket_mask + 1) * WAYS * (sizeof *f->e + sizeof *f->keys);
}

static uint64_t flood_key(const struct sw_flood *f, enum sw_flood_class cls,
                          const struct sw_addr *dst, uint16_t port)
{
	uint8_t buf[17 + 3];
	size_t n;
	uint64_t h;

	/* IPv4 targets hash in one SipHash block: every SYN comes here */
	if (dst->family == SW_AF_INET) {
		memcpy(buf, dst->bytes, 4);
		n = 4;
	} else {
		buf[0] = dst->family;
		memcpy(buf + 1, dst->bytes, 16);
		n = 17;
	}
	buf[n++] = (uint8_t)cls;
	buf[n++] = (uint8_t)(port >> 8);
	buf[n++] = (uint8_t)port;
	h = sw_siphash(&f->key, buf, n);
	return h ? h : 1;
}

static struct sw_flood_entry *lookup(struct sw_flood *f, uint64_t key, bool create)
{
	size_t first = (size_t)((key >> 16) & f->bucket_mask) * WAYS;
	struct sw_flood_entry *b = f->e + first;
	struct sw_flood_entry *v = NULL;

	for (int i = 0; i < WAYS; i++)
		if (f->keys[first + (size_t)i] == key)
			return &b[i];
	if (!create)
		return NULL;
	for (int i = 0; i < WAYS; i++) {
		if (b[i].seq)
			continue; /* never push out an open flood */
		if (!v || b[i].key == 0 || (v->key != 0 && b[i].win_start < v->win_start))
			v = &b[i];
	}
	if (!v)
		return NULL;
	if (v->key)
		f->evictions++;
	memset(v, 0, sizeof *v);
	v->key = key;
	f->keys[v - f->e] = key;
	return v;
}

/* Misra-Gries with SW_FLOOD_TOP counters: any sender with more than
 * 1/(TOP+1) of the packets is among them. */
static void count_sender(struct sw_flood_entry *e, const struct sw_addr *src)
{
	struct sw_flood_src *empty = NULL;

	for (int i = 0; i < SW_FLOOD_TOP; i++) {
		if (e->top[i].count && sw_addr_eq(&e->top[i].addr, src)) {
			e->top[i].count++;
			return;
		}
		if (!e->top[i].count && !empty)
			empty = &e->top[i];
	}
	if (empty) {
		empty->addr = *src;
		empty->count = 1;
		e->senders++;
		return;
	}
	for (int i = 0; i < SW_FLOOD_TOP; i++)
		e->top[i].count--;
	e->senders++;
}

static void roll_window(struct sw_flood_entry *e, int64_t now)
{
	if (now - e->win_start >= WINDOW_US || now < e->win_start) {
		e->win_start = now;
		e->win_count = 0;
		e->win_answered = 0;
		e->active = 0;
	}
}

struct sw_flood_entry *sw_flood_count(struct sw_flood *f, enum sw_flood_class cls,
                                      const struct sw_addr *dst, uint16_t port,
                                      const struct sw_addr *src, int64_t now)
{
	struct sw_flood_entry *e = lookup(f, flood_key(f, cls, dst, port), true);

	if (!e)
		return NULL;
	if (e->dst.family == SW_AF_NONE) {
		e->dst = *dst;
		e->port = port;
		e->cls = (uint8_t)cls;
		e->win_start = now;
	}
	roll_window(e, now);
	e->win_count++;
	count_sender(e, src);
	return e;
}

void sw_flood_answered(struct sw_flood *f, enum sw_flood_class cls,
                       const struct sw_addr *dst, uint16_t port, int64_t now)
{
	struct sw_flood_entry *e = lookup(f, flood_key(f, cls, dst, port), false);

	if (e && now - e->win_start < WINDOW_US)
		e->win_answered++;
}

const struct sw_flood_src *sw_flood_top(const struct sw_flood_entry *e)
{
	const struct sw_flood_src *best = &e->top[0];

	for (int i = 1; i < SW_FLOOD_TOP; i++)
		if (e->top[i].count > best->count)
			best = &e->top[i];
	return best;
}

unsigned sw_flood_size(const struct sw_flood *f)
{
	return (f->bucket_mask + 1) * WAYS;
}

struct sw_flood_entry *sw_flood_at(struct sw_flood *f, unsigned i)
{
	return &f->e[i];
}

uint64_t sw_flood_evictions(const struct sw_flood *f)
{
	return f->evictions;
}
