/*
 * flood.c - the per-target and per-prefix rate tables (see flood.h).
 * Buckets of WAYS entries; a new key evicts the quietest entry of its
 * bucket without an open detection. Targets and prefixes have a table
 * each, so that a spray of new (target, port) keys cannot push the prefix
 * entry that is counting that very spray out of its bucket.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flood.h"
#include "keyhash.h"
#include "table.h"

#define WAYS 8
#define WINDOW_US 1000000

struct flood_tab {
	uint32_t bucket_mask;
	uint64_t evictions;
	struct sw_flood_entry *e;
	uint64_t *keys;  /* keys[i] == e[i].key: a bucket's keys in one cache line */
};

struct sw_flood {
	struct sw_keyhash key;  /* keyhash.h */
	struct flood_tab t, p;  /* targets, prefixes */
	uint8_t plen4, plen6;   /* the prefixes' lengths */
};

static size_t tab_entries(const struct flood_tab *t)
{
	return ((size_t)t->bucket_mask + 1) * WAYS;
}

static int tab_init(struct flood_tab *t, unsigned entries)
{
	uint32_t n = sw_pow2_at_least(entries < WAYS ? WAYS : entries);

	t->bucket_mask = n / WAYS - 1;
	t->e = sw_table_alloc((size_t)n * sizeof *t->e);
	t->keys = sw_table_alloc((size_t)n * sizeof *t->keys);
	return t->e && t->keys ? 0 : -1;
}

static void tab_free(struct flood_tab *t)
{
	sw_table_free(t->e, tab_entries(t) * sizeof *t->e);
	sw_table_free(t->keys, tab_entries(t) * sizeof *t->keys);
}

static uint64_t tab_memory(const struct flood_tab *t)
{
	return (uint64_t)tab_entries(t) * (sizeof *t->e + sizeof *t->keys);
}

struct sw_flood *sw_flood_new(unsigned targets, unsigned prefixes, unsigned plen4,
                              unsigned plen6, const struct sw_sipkey *key)
{
	struct sw_flood *f = calloc(1, sizeof *f);

	if (!f)
		return NULL;
	sw_keyhash_init(&f->key, key, SW_KH_FLOOD);
	f->plen4 = (uint8_t)(plen4 > 32 ? 32 : plen4);
	f->plen6 = (uint8_t)(plen6 > 128 ? 128 : plen6);
	if (tab_init(&f->t, targets) < 0 || tab_init(&f->p, prefixes) < 0) {
		sw_flood_free(f);
		return NULL;
	}
	return f;
}

void sw_flood_free(struct sw_flood *f)
{
	if (f) {
		tab_free(&f->t);
		tab_free(&f->p);
		free(f);
	}
}

uint64_t sw_flood_memory(const struct sw_flood *f)
{
	return sizeof *f + tab_memory(&f->t) + tab_memory(&f->p);
}

static uint64_t flood_key(const struct sw_flood *f, enum sw_flood_class cls,
                          const struct sw_addr *dst, uint16_t port)
{
	/* the family, class and port in the low bits of the first word, an
	 * IPv4 target above them; others take two more words (keyhash.h).
	 * Every SYN comes here. */
	uint64_t w[3];
	uint64_t h;

	w[0] = (uint64_t)dst->family | (uint64_t)cls << 8 | (uint64_t)port << 16;
	if (dst->family == SW_AF_INET) {
		w[0] |= sw_le32(dst->bytes) << 32;
		h = sw_keyhash(&f->key, w, 1);
	} else {
		sw_keyhash_addr(dst, w + 1);
		h = sw_keyhash(&f->key, w, 3);
	}
	return h ? h : 1; /* 0 marks an empty slot */
}

/* The key of a prefix: its family, class and length in the first word,
 * its address (host bits cleared) in two more (keyhash.h). */
static uint64_t prefix_key(const struct sw_flood *f, enum sw_flood_class cls,
                           const struct sw_prefix *p)
{
	uint64_t w[3];
	uint64_t h;

	w[0] = (uint64_t)p->addr.family | (uint64_t)cls << 8 | (uint64_t)p->len << 16;
	sw_keyhash_addr(&p->addr, w + 1);
	h = sw_keyhash(&f->key, w, 3);
	return h ? h : 1;
}

static struct sw_flood_entry *lookup(struct flood_tab *t, uint64_t key, bool create)
{
	size_t first = (size_t)((key >> 16) & t->bucket_mask) * WAYS;
	struct sw_flood_entry *b = t->e + first;
	struct sw_flood_entry *v = NULL;

	for (int i = 0; i < WAYS; i++)
		if (t->keys[first + (size_t)i] == key)
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
		t->evictions++;
	memset(v, 0, sizeof *v);
	v->key = key;
	t->keys[v - t->e] = key;
	return v;
}

/* Misra-Gries with SW_FLOOD_TOP counters: any sender with more than
 * 1/(TOP+1) of the packets is among them. Inline: once per table per
 * packet. */
static inline void count_sender(struct sw_flood_entry *e, const struct sw_addr *src)
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
		/* the addresses of a prefix flood add up while it is open */
		if (!e->seq)
			memset(e->hit, 0, sizeof e->hit);
	}
}

static void start_entry(struct sw_flood_entry *e, enum sw_flood_class cls,
                        const struct sw_addr *dst, uint16_t port, int64_t now)
{
	if (e->dst.family == SW_AF_NONE) {
		e->dst = *dst;
		e->port = port;
		e->cls = (uint8_t)cls;
		e->win_start = now;
	}
}

struct sw_flood_entry *sw_flood_count(struct sw_flood *f, enum sw_flood_class cls,
                                      const struct sw_addr *dst, uint16_t port,
                                      const struct sw_addr *src, int64_t now)
{
	struct sw_flood_entry *e = lookup(&f->t, flood_key(f, cls, dst, port), true);

	if (!e)
		return NULL;
	start_entry(e, cls, dst, port, now);
	roll_window(e, now);
	e->win_count++;
	count_sender(e, src);
	return e;
}

/* The map bit of dst: its last byte when the prefix holds at most 256
 * addresses (exact), else a mix of the whole address (an estimate; the
 * prefix bits are the same for every address and only permute it). */
static unsigned map_bit(const struct sw_addr *dst, unsigned plen)
{
	unsigned width = dst->family == SW_AF_INET ? 32 : 128;
	uint64_t w0, w1;

	if (width - plen <= 8)
		return dst->bytes[width / 8 - 1];
	memcpy(&w0, dst->bytes, 8);
	memcpy(&w1, dst->bytes + 8, 8);
	w0 = (w0 ^ (w1 * 0x9e3779b97f4a7c15ull)) * 0xbf58476d1ce4e5b9ull;
	w0 ^= w0 >> 31;
	w0 *= 0x94d049bb133111ebull;
	return (unsigned)(w0 >> 56);
}

static struct sw_flood_entry *prefix_entry(struct sw_flood *f, enum sw_flood_class cls,
                                           const struct sw_addr *dst,
                                           struct sw_flood_entry *target, bool create,
                                           int64_t now)
{
	unsigned plen = dst->family == SW_AF_INET ? f->plen4 : f->plen6;
	struct sw_prefix p;
	struct sw_flood_entry *e;

	/* the target's link, if its prefix entry was not reused since */
	if (target && target->pfx_key && f->p.keys[target->pfx] == target->pfx_key)
		return &f->p.e[target->pfx];
	sw_prefix_of(dst, plen, &p);
	e = lookup(&f->p, prefix_key(f, cls, &p), create);
	if (!e)
		return NULL;
	if (create && e->dst.family == SW_AF_NONE) {
		start_entry(e, cls, &p.addr, 0, now);
		e->plen = p.len;
	}
	if (target) {
		target->pfx = (uint32_t)(e - f->p.e);
		target->pfx_key = e->key;
	}
	return e;
}

struct sw_flood_entry *sw_flood_count_prefix(struct sw_flood *f, enum sw_flood_class cls,
                                             const struct sw_addr *dst,
                                             struct sw_flood_entry *target,
                                             const struct sw_addr *src, int64_t now)
{
	struct sw_flood_entry *e = prefix_entry(f, cls, dst, target, true, now);
	unsigned bit;

	if (!e)
		return NULL;
	roll_window(e, now);
	e->win_count++;
	count_sender(e, src);
	bit = map_bit(dst, e->plen);
	e->hit[bit / 8] |= (uint8_t)(1u << (bit % 8));
	return e;
}

/* An open flood recorded from the unspecified address: nobody had half. */
static bool open_and_forged(const struct sw_flood_entry *e)
{
	static const uint8_t zero[16];

	return e && e->seq && memcmp(e->src.bytes, zero, sizeof zero) == 0;
}

bool sw_flood_forged_at(struct sw_flood *f, enum sw_flood_class cls,
                        const struct sw_addr *dst, uint16_t port)
{
	struct sw_flood_entry *e = lookup(&f->t, flood_key(f, cls, dst, port), false);

	return open_and_forged(e) || open_and_forged(prefix_entry(f, cls, dst, e, false, 0));
}

void sw_flood_answered(struct sw_flood *f, enum sw_flood_class cls,
                       const struct sw_addr *dst, uint16_t port, int64_t now)
{
	struct sw_flood_entry *e = lookup(&f->t, flood_key(f, cls, dst, port), false);
	struct sw_flood_entry *p;

	if (e && now - e->win_start < WINDOW_US)
		e->win_answered++;
	if (e && e->seq)
		return; /* its packets are not counted for the prefix either */
	/* answers are once per connection or exchange: a second hash when
	 * the target's entry is gone costs little */
	p = prefix_entry(f, cls, dst, e, false, now);
	if (p && now - p->win_start < WINDOW_US)
		p->win_answered++;
}

const struct sw_flood_src *sw_flood_top(const struct sw_flood_entry *e)
{
	const struct sw_flood_src *best = &e->top[0];

	for (int i = 1; i < SW_FLOOD_TOP; i++)
		if (e->top[i].count > best->count)
			best = &e->top[i];
	return best;
}

bool sw_flood_prefix_exact(const struct sw_flood_entry *e)
{
	return (e->dst.family == SW_AF_INET ? 32u : 128u) - e->plen <= 8;
}

uint32_t sw_flood_prefix_targets(const struct sw_flood_entry *e, bool *capped)
{
	unsigned set = 0, zero;

	for (size_t i = 0; i < sizeof e->hit; i++)
		set += (unsigned)__builtin_popcount(e->hit[i]);
	*capped = false;
	if (sw_flood_prefix_exact(e))
		return set;
	/* linear counting (Whang, Vander-Zanden, Taylor 1990): n = -m ln(z/m) */
	zero = SW_FLOOD_MAP_BITS - set;
	if (zero == 0) {
		*capped = true;
		zero = 1; /* the most the map can tell: about m ln m */
	}
	return (uint32_t)lround(-(double)SW_FLOOD_MAP_BITS *
	                        log((double)zero / SW_FLOOD_MAP_BITS));
}

unsigned sw_flood_size(const struct sw_flood *f)
{
	return (unsigned)(tab_entries(&f->t) + tab_entries(&f->p));
}

struct sw_flood_entry *sw_flood_at(struct sw_flood *f, unsigned i)
{
	size_t nt = tab_entries(&f->t);

	return i < nt ? &f->t.e[i] : &f->p.e[i - nt];
}

uint64_t sw_flood_evictions(const struct sw_flood *f)
{
	return f->t.evictions;
}

uint64_t sw_flood_prefix_evictions(const struct sw_flood *f)
{
	return f->p.evictions;
}
