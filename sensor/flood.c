/*
 * flood.c - the per-target and per-prefix rate tables (see flood.h).
 * Buckets of WAYS entries; a new key evicts the quietest entry of its
 * bucket without an open detection. Targets and prefixes have a table
 * each, so that a spray of new (target, port) keys cannot push the prefix
 * entry that is counting that very spray out of its bucket.
 *
 * In front of each table's keyed hash sits a hint: the entry last used in
 * a slot chosen by a cheap mix of what it counts (target, port and class;
 * prefix and class). A hint is checked against the entry's own target or
 * prefix, so a stale or colliding one only costs the hash it would have
 * saved: a flood over a few hundred targets (a /24) finds them, and its
 * prefix, without hashing. A target is checked in one comparison, of its
 * ident: the target (an IPv4 address whole), port and class in a word.
 *
 * The senders of an entry are counted by Misra-Gries in SW_FLOOD_TOP
 * counters, each holding its sender as a tag (the address's word, as in
 * the ident): an IPv4 sender, nearly all of them, is compared in one
 * comparison per counter, and the tag is made once per packet for both
 * the target and the prefix.
 */
#include "config.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "flood.h"
#include "keyhash.h"
#include "table.h"

#define WAYS 8
#define WINDOW_US 1000000

struct flood_tab {
	uint32_t bucket_mask;
	uint8_t hint_shift; /* 64 - log2(entries): a mix's top bits pick a hint */
	uint64_t evictions;
	struct sw_flood_entry *e;
	uint64_t *keys;  /* keys[i] == e[i].key: a bucket's keys in one cache line */
	struct sw_flood_entry **hint; /* as many slots as entries: an entry each */
};

struct sw_flood {
	struct sw_keyhash key;  /* keyhash.h */
	struct flood_tab t, p;  /* targets, prefixes */
	uint8_t plen4, plen6;   /* the prefixes' lengths */
	/* [0] targets, [1] prefixes: the count below which a window cannot be
	 * over its threshold (sw_flood_watch) */
	uint32_t watch[2][SW_FL_COUNT];
	uint64_t mix;           /* odd, random: the hints' multiplier */
	uint8_t mask4[4];       /* the IPv4 and IPv6 prefixes' masks */
	uint8_t mask6[16];
	bool exact4, exact6;    /* a prefix's map has a bit per address */
	pthread_mutex_t *lock;  /* -j N: shared by the workers' engines */
};

static uint64_t flood_key(const struct sw_flood *f, enum sw_flood_class cls,
                          const struct sw_addr *dst, uint16_t port);

static size_t tab_entries(const struct flood_tab *t)
{
	return ((size_t)t->bucket_mask + 1) * WAYS;
}

static int tab_init(struct flood_tab *t, unsigned entries)
{
	uint32_t n = sw_pow2_at_least(entries < WAYS ? WAYS : entries);

	t->bucket_mask = n / WAYS - 1;
	t->hint_shift = (uint8_t)(64 - __builtin_ctz(n));
	t->e = sw_table_alloc((size_t)n * sizeof *t->e);
	t->keys = sw_table_alloc((size_t)n * sizeof *t->keys);
	t->hint = sw_table_alloc((size_t)n * sizeof *t->hint);
	if (!t->e || !t->keys || !t->hint)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		t->hint[i] = t->e; /* any entry: it is checked */
	return 0;
}

static void tab_free(struct flood_tab *t)
{
	sw_table_free(t->e, tab_entries(t) * sizeof *t->e);
	sw_table_free(t->keys, tab_entries(t) * sizeof *t->keys);
	sw_table_free(t->hint, tab_entries(t) * sizeof *t->hint);
}

static uint64_t tab_memory(const struct flood_tab *t)
{
	return (uint64_t)tab_entries(t) * (sizeof *t->e + sizeof *t->keys + sizeof *t->hint);
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
	for (unsigned i = 0; i < f->plen4; i++)
		f->mask4[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	for (unsigned i = 0; i < f->plen6; i++)
		f->mask6[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	f->exact4 = 32 - f->plen4 <= 8;
	f->exact6 = 128 - f->plen6 <= 8;
	if (tab_init(&f->t, targets) < 0 || tab_init(&f->p, prefixes) < 0)
		goto fail;
	/* a multiplier nobody outside can know, from the table's own key */
	f->mix = flood_key(f, SW_FL_ICMP, &(struct sw_addr){ .family = SW_AF_INET6 }, 0xffff) | 1;
	return f;
fail:
	sw_flood_free(f);
	return NULL;
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

/* The entry of key, or NULL. Inline: every flood packet looks one up.
 * From the last way down: insert fills a bucket's empty ways from the
 * last, so most keys are found at the first comparison. */
static inline struct sw_flood_entry *find(const struct flood_tab *t, uint64_t key)
{
	size_t first = (size_t)((key >> 16) & t->bucket_mask) * WAYS;
	const uint64_t *k = t->keys + first;

#pragma GCC unroll 8
	for (int i = WAYS - 1; i >= 0; i--)
		if (k[i] == key)
			return t->e + first + (size_t)i;
	return NULL;
}

/*
 * A new entry is cleared as a memset of it would be for every read that
 * follows, but its last two lines are not touched: from held_last on its
 * fields are read only once a flood opens (sw_flood_opening zeroes them
 * then), and top6 with its counter's tag, written together. The dev build
 * marks those lines unreadable (sw_table_poison) until then.
 * A line at a time: compilers clear 64 bytes with a few vector stores but
 * more with a rep stos, which runs one step per 8 bytes.
 */
#define ENTRY_CLEARED offsetof(struct sw_flood_entry, held_last)
static_assert(sizeof(struct sw_flood_entry) % 64 == 0, "an entry is whole cache lines");
static_assert(offsetof(struct sw_flood_entry, hit) + sizeof(((struct sw_flood_entry *)0)->hit) <= 128,
              "what a packet counts on an entry is in its first two lines");
static_assert(ENTRY_CLEARED % 64 == 0 && offsetof(struct sw_flood_entry, tail_cleared) < ENTRY_CLEARED &&
                  offsetof(struct sw_flood_entry, top6) > ENTRY_CLEARED,
              "a new entry clears whole lines, its tail_cleared among them");
static void clear_entry(struct sw_flood_entry *e)
{
	unsigned char *b = (unsigned char *)e;

	for (size_t i = 0; i < ENTRY_CLEARED; i += 64) {
		memset(b + i, 0, 64);
		__asm__("" : : "r"(b + i) : "memory"); /* not one memset again */
	}
	sw_table_poison(b + ENTRY_CLEARED, sizeof *e - ENTRY_CLEARED);
}

void sw_flood_opening(struct sw_flood_entry *e)
{
	unsigned char *b = (unsigned char *)e;

	if (e->tail_cleared)
		return;
	sw_table_unpoison(b + ENTRY_CLEARED, offsetof(struct sw_flood_entry, top6) - ENTRY_CLEARED);
	memset(b + ENTRY_CLEARED, 0, offsetof(struct sw_flood_entry, top6) - ENTRY_CLEARED);
	e->tail_cleared = 1;
}

/* A new entry for key (not in the table), pushing out the quietest entry
 * of its bucket without an open flood; NULL if all of them have one. */
static struct sw_flood_entry *insert(struct flood_tab *t, uint64_t key)
{
	size_t first = (size_t)((key >> 16) & t->bucket_mask) * WAYS;
	struct sw_flood_entry *b = t->e + first;
	struct sw_flood_entry *v = NULL;

	/* the last empty way, if any (its key alone says so: an empty entry
	 * has no open flood) */
#pragma GCC unroll 8
	for (int i = WAYS - 1; i >= 0; i--) {
		if (t->keys[first + (size_t)i] == 0) {
			v = &b[i];
			goto take;
		}
	}
#pragma GCC unroll 8
	for (int i = 0; i < WAYS; i++) {
		if (b[i].seq)
			continue; /* never push out an open flood */
		if (!v || b[i].win_start < v->win_start)
			v = &b[i];
	}
	if (!v)
		return NULL;
	t->evictions++;
take:
	clear_entry(v);
	v->key = key;
	t->keys[v - t->e] = key;
	return v;
}

/* An address's 16 bytes folded into a word (IPv6; the mixes below start
 * from it). */
static inline uint64_t fold128(const struct sw_addr *a)
{
	uint64_t w0, w1;

	memcpy(&w0, a->bytes, 8);
	memcpy(&w1, a->bytes + 8, 8);
	return w0 ^ (w1 * 0x9e3779b97f4a7c15ull);
}

/* An IPv6 address folded to 32 bits (a filter: equal addresses fold
 * alike, and the bytes decide). */
static inline uint64_t fold6(const struct sw_addr *a)
{
	return (fold128(a) * 0xbf58476d1ce4e5b9ull) >> 32;
}

/*
 * An address as a word, for comparing in one: an IPv4 one as the first 5
 * bytes of its struct, its family and its 4 bytes (equal words, equal
 * addresses); an IPv6 one as the number SW_AF_INET6 plus fold6 times 256
 * (equal addresses, equal words); any other (unset) as its family byte
 * alone, which is all sw_addr_eq compares. The low byte of a word is 6
 * (a number) for IPv6 alone, and the three never meet. Only the low 40
 * bits are used (see target_ident). v4: the caller knows a is IPv4.
 */
static inline uint64_t addr_word(const struct sw_addr *a, const bool v4)
{
	uint8_t b[8] = { a->family };
	uint64_t w;

	if (v4 || a->family == SW_AF_INET) {
		/* one load and a mask: the struct's first 5 bytes */
		static const uint8_t m[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0 };
		uint64_t mask;

		memcpy(&w, a, sizeof w);
		memcpy(&mask, m, sizeof mask);
		return w & mask;
	}
	if (a->family == SW_AF_INET6)
		return SW_AF_INET6 | fold6(a) << 8;
	memcpy(&w, b, sizeof w);
	return w;
}

/* Whether an address word stands for its address whole (not IPv6). */
static inline bool word_exact(uint64_t w)
{
	return (uint8_t)w != SW_AF_INET6;
}

/* A target's ident: its address word, port and class. */
static inline uint64_t target_ident(const struct sw_addr *dst, uint16_t port,
                                    enum sw_flood_class cls, const bool v4)
{
	return addr_word(dst, v4) | (uint64_t)port << 40 | (uint64_t)cls << 56;
}

/* Whether Misra-Gries counter i holds src, whose tag is tag (base: the
 * entry's top_base). */
static inline bool holds_sender(const struct sw_flood_entry *e, int i, uint64_t tag,
                                const struct sw_addr *src, uint32_t base, const bool v4)
{
	return e->top_tag[i] == tag && e->top_count[i] != base &&
	       (v4 || word_exact(tag) || memcmp(e->top6[i], src->bytes, 16) == 0);
}

/*
 * Misra-Gries with SW_FLOOD_TOP counters: any sender with more than
 * 1/(TOP+1) of the packets is among them. Inline: once per table per
 * packet. tag: src's address word; v4: src is IPv4 (no bytes to keep).
 *
 * "All counters lose one" (a new sender and none free: every packet of a
 * flood from forged sources, but one in TOP+1) is top_base++: a counter
 * holds its count plus top_base, and is free when it holds top_base.
 * That is exact in 32-bit arithmetic as the counts were: they all lose
 * one only when none is free (is 0), so none goes below 0.
 */
static inline void count_sender(struct sw_flood_entry *e, uint64_t tag, const struct sw_addr *src,
                                const bool v4)
{
	uint32_t base = e->top_base;

#pragma GCC unroll 4
	for (int i = 0; i < SW_FLOOD_TOP; i++) {
		if (holds_sender(e, i, tag, src, base, v4)) {
			e->top_count[i]++;
			return;
		}
	}
	e->senders++;
	/* a new sender takes the first free counter, or all of them lose one */
#pragma GCC unroll 4
	for (int i = 0; i < SW_FLOOD_TOP; i++) {
		if (e->top_count[i] == base) {
			e->top_tag[i] = tag;
			e->top_count[i] = base + 1;
			if (!v4 && !word_exact(tag)) {
				sw_table_unpoison(e->top6[i], 16); /* clear_entry */
				memcpy(e->top6[i], src->bytes, 16);
			}
			return;
		}
	}
	e->top_base = base + 1;
}

static void roll_over(struct sw_flood_entry *e, int64_t now)
{
	e->win_start = now;
	e->win_count = 0;
	e->win_answered = 0;
	e->active = 0;
	/* the addresses of a prefix flood add up while it is open */
	if (!e->seq)
		memset(e->hit, 0, sizeof e->hit);
}

/* A window ends a second after it began. One engine's packet time never
 * goes back; with -j N another worker's clock may be behind: a packet from
 * before the window, but within a window of its start, counts in it; one
 * further behind was of a window gone by, and is not counted (so that a
 * worker far behind cannot pile its seconds of packets into one window).
 * One comparison (unsigned) says whether there is anything to decide. */
static inline bool window_unusual(const struct sw_flood_entry *e, int64_t now)
{
	return (uint64_t)(now - e->win_start) >= WINDOW_US;
}

/* The window of e at packet time now, when window_unusual: a new one if
 * it is over; false if now is of a window gone by (-j N). Out of line:
 * about once a second. */
__attribute__((noinline)) static bool window_turn(struct sw_flood_entry *e, int64_t now)
{
	if (now > e->win_start) {
		roll_over(e, now);
		return true;
	}
	return e->win_start - now <= WINDOW_US;
}

/* One packet of src (tag: its address word) counted on e, in a new
 * window if its window is over. */
static inline __attribute__((always_inline)) void count_packet(struct sw_flood_entry *e,
                                                               uint64_t tag,
                                                               const struct sw_addr *src,
                                                               int64_t now, const bool v4)
{
	if (window_unusual(e, now) && !window_turn(e, now))
		return;
	e->win_count++;
	count_sender(e, tag, src, v4);
}

static void start_entry(const struct sw_flood *f, struct sw_flood_entry *e,
                        enum sw_flood_class cls, const struct sw_addr *dst, uint16_t port,
                        bool prefix, int64_t now)
{
	e->dst = *dst;
	e->port = port;
	e->cls = (uint8_t)cls;
	e->win_start = now;
	e->watch = f->watch[prefix][cls];
}

/* The map bit of dst: its last byte when the prefix holds at most 256
 * addresses (exact), else a mix of the whole address (an estimate; the
 * prefix bits are the same for every address and only permute it). */
static inline unsigned map_bit(const struct sw_flood *f, const struct sw_addr *dst)
{
	uint64_t w0;

	if (dst->family == SW_AF_INET ? f->exact4 : f->exact6)
		return dst->bytes[dst->family == SW_AF_INET ? 3 : 15];
	w0 = fold128(dst) * 0xbf58476d1ce4e5b9ull;
	w0 ^= w0 >> 31;
	w0 *= 0x94d049bb133111ebull;
	return (unsigned)(w0 >> 56);
}

/* The hint slot of what x packs: the top bits of a multiplicative mix
 * (only x's higher bits reach its lower ones' slot bits, so what should
 * spread best goes on top: see target_slot). */
static inline struct sw_flood_entry **hint_slot(const struct sw_flood *f,
                                                const struct flood_tab *t, uint64_t x)
{
	return &t->hint[(x * f->mix) >> t->hint_shift];
}

/* An address packed for hint_slot: IPv4 as a number (its last byte
 * lowest), IPv6 folded. */
static inline uint64_t addr_mix(const struct sw_addr *a)
{
	if (a->family == SW_AF_INET)
		return (uint64_t)a->bytes[0] << 24 | (uint64_t)a->bytes[1] << 16 |
		       (uint64_t)a->bytes[2] << 8 | a->bytes[3];
	return fold128(a) ^ 1ull << 56;
}

/*
 * The hint slot of a target: its ident turned so that an IPv4 address's
 * last byte (ident bits 32-39) is on top. Multiplied by the odd mix, the
 * 256 values of that byte then add 256 different top bytes to the same
 * rest, and the hosts of a /24 (one port and class) never share a slot
 * (a table of at least 256 entries has 8 slot bits or more).
 */
static inline struct sw_flood_entry **target_slot(const struct sw_flood *f, uint64_t ident)
{
	return hint_slot(f, &f->t, ident << 24 | ident >> 40);
}

/* The prefix entry of dst by its key (a second hash); the hint and the
 * target's link (when there is one) then point to it. create: a new entry
 * if there is none. */
static struct sw_flood_entry *prefix_by_key(struct sw_flood *f, enum sw_flood_class cls,
                                            const struct sw_addr *dst,
                                            struct sw_flood_entry *target, bool create,
                                            int64_t now, struct sw_flood_entry **slot)
{
	unsigned plen = dst->family == SW_AF_INET ? f->plen4 : f->plen6;
	struct sw_prefix p;
	struct sw_flood_entry *e;
	uint64_t key;

	sw_prefix_of(dst, plen, &p);
	key = prefix_key(f, cls, &p);
	e = find(&f->p, key);
	if (!e && create && (e = insert(&f->p, key))) {
		start_entry(f, e, cls, &p.addr, 0, true, now);
		e->plen = p.len;
	}
	if (!e)
		return NULL;
	*slot = e;
	if (target) {
		target->pfx = e;
		target->pfx_key = e->key;
	}
	return e;
}

/* The prefix entry of dst by its hint, if that entry is of dst's prefix
 * (the only one of that prefix and class: only the entry of their key has
 * them), else by its key. The target (if any) is linked to it. Out of
 * line: a target's link finds its prefix nearly always. */
static __attribute__((noinline)) struct sw_flood_entry *
prefix_lookup(struct sw_flood *f, enum sw_flood_class cls, const struct sw_addr *dst,
              struct sw_flood_entry *target, bool create, int64_t now)
{
	struct sw_addr pa = { .family = dst->family };
	struct sw_flood_entry *e;
	struct sw_flood_entry **slot;

	if (dst->family == SW_AF_INET) {
		for (int i = 0; i < 4; i++)
			pa.bytes[i] = dst->bytes[i] & f->mask4[i];
	} else {
		for (int i = 0; i < 16; i++)
			pa.bytes[i] = dst->bytes[i] & f->mask6[i];
	}
	slot = hint_slot(f, &f->p, addr_mix(&pa) ^ (uint64_t)cls << 48);
	e = *slot;
	if (!(e->cls == cls && sw_addr_eq(&e->dst, &pa)))
		return prefix_by_key(f, cls, dst, target, create, now, slot);
	if (target) {
		target->pfx = e;
		target->pfx_key = e->key;
	}
	return e;
}

/* The prefix entry of dst: the target's link, if its prefix entry was not
 * reused since, else prefix_lookup. */
static inline struct sw_flood_entry *prefix_entry(struct sw_flood *f, enum sw_flood_class cls,
                                                  const struct sw_addr *dst,
                                                  struct sw_flood_entry *target, bool create,
                                                  int64_t now)
{
	if (target && target->pfx && target->pfx->key == target->pfx_key)
		return target->pfx;
	return prefix_lookup(f, cls, dst, target, create, now);
}

/* Whether e counts (dst, port, cls), whose ident is ident: only the entry
 * of that key has these (an empty entry's ident, 0, and family, none, are
 * no target's). The ident says it alone but for IPv6. */
static inline bool is_target(const struct sw_flood_entry *e, uint64_t ident,
                             enum sw_flood_class cls, const struct sw_addr *dst, uint16_t port,
                             const bool v4)
{
	return e->ident == ident &&
	       (v4 || word_exact(ident) ||
	        (e->port == port && e->cls == cls && sw_addr_eq(&e->dst, dst)));
}

/* target_entry without a hint: by the keyed hash (and a new entry if
 * create); the hint then points to what was found. Out of line: a flood's
 * targets are found by their hints. */
static __attribute__((noinline)) struct sw_flood_entry *target_by_key(struct sw_flood *f, enum sw_flood_class cls,
                                            const struct sw_addr *dst, uint16_t port,
                                            uint64_t ident, bool create, int64_t now,
                                            struct sw_flood_entry **slot)
{
	uint64_t key = flood_key(f, cls, dst, port);
	struct sw_flood_entry *e = find(&f->t, key);

	if (!e && create && (e = insert(&f->t, key))) {
		start_entry(f, e, cls, dst, port, false, now);
		e->ident = ident;
	}
	if (e)
		*slot = e;
	return e;
}

/* The target entry of (dst, port, cls); create: a new one if it has none. */
static inline __attribute__((always_inline)) struct sw_flood_entry *target_entry(struct sw_flood *f, enum sw_flood_class cls,
                                                  const struct sw_addr *dst, uint16_t port,
                                                  bool create, int64_t now, const bool v4)
{
	uint64_t ident = target_ident(dst, port, cls, v4);
	struct sw_flood_entry **slot = target_slot(f, ident);
	struct sw_flood_entry *e = *slot;

	if (is_target(e, ident, cls, dst, port, v4))
		return e;
	return target_by_key(f, cls, dst, port, ident, create, now, slot);
}

void sw_flood_watch(struct sw_flood *f, enum sw_flood_class cls, bool prefix, uint32_t count)
{
	struct flood_tab *t = prefix ? &f->p : &f->t;

	f->watch[prefix][cls] = count;
	for (size_t i = 0; i < tab_entries(t); i++)
		if (t->e[i].key && t->e[i].cls == cls)
			t->e[i].watch = count;
}

/* What sw_flood_count returns: the entries if there is anything to
 * decide, else none. */
static inline struct sw_flood_counted decided(bool anything, struct sw_flood_entry *e,
                                              struct sw_flood_entry *p)
{
	return anything ? (struct sw_flood_counted){ e, p } : (struct sw_flood_counted){ 0 };
}

static inline void set_hit(struct sw_flood_entry *p, unsigned bit)
{
	p->hit[bit / 32] |= 1u << (bit % 32);
}

/* sw_flood_count's part for the prefix, after the target's: e is the
 * target's entry (NULL if none), without an open flood. */
static __attribute__((noinline)) struct sw_flood_counted
count_prefix(struct sw_flood *f, enum sw_flood_class cls, const struct sw_addr *dst,
             const struct sw_addr *src, int64_t now, struct sw_flood_entry *e)
{
	bool watched = e && e->win_count >= e->watch;
	struct sw_flood_entry *p = prefix_entry(f, cls, dst, e, true, now);

	if (!p)
		return decided(watched, e, NULL);
	count_packet(p, addr_word(src, false), src, now, false);
	set_hit(p, map_bit(f, dst));
	return decided(watched || p->seq || p->win_count >= p->watch, e, p);
}

/* sw_flood_count for any packet: by the keyed hash when the hints miss,
 * new windows, new entries, IPv6. */
static __attribute__((noinline)) struct sw_flood_counted
count_any(struct sw_flood *f, enum sw_flood_class cls, const struct sw_addr *dst, uint16_t port,
          const struct sw_addr *src, int64_t now)
{
	struct sw_flood_entry *e = target_entry(f, cls, dst, port, true, now, false);

	if (e) {
		count_packet(e, addr_word(src, false), src, now, false);
		if (e->seq)
			return (struct sw_flood_counted){ e, NULL }; /* its packets are not the prefix's */
	}
	return count_prefix(f, cls, dst, src, now, e);
}

/*
 * Most packets: IPv4, a target and a prefix found by the target's hint
 * and link, in their windows, and a map bit per address. Anything else
 * goes to count_any (a jump) before anything is counted: the path then
 * makes no call and keeps no register for after one.
 */
struct sw_flood_counted sw_flood_count(struct sw_flood *f, enum sw_flood_class cls,
                                       const struct sw_addr *dst, uint16_t port,
                                       const struct sw_addr *src, int64_t now)
{
	struct sw_flood_entry *e, *p;
	uint64_t ident, tag;

	if (dst->family != SW_AF_INET || src->family != SW_AF_INET || !f->exact4)
		return count_any(f, cls, dst, port, src, now);
	ident = target_ident(dst, port, cls, true);
	e = *target_slot(f, ident);
	if (!is_target(e, ident, cls, dst, port, true) || window_unusual(e, now))
		return count_any(f, cls, dst, port, src, now);
	tag = addr_word(src, true); /* for both entries */
	if (e->seq) {
		e->win_count++;
		count_sender(e, tag, src, true);
		return (struct sw_flood_counted){ e, NULL }; /* not the prefix's */
	}
	p = e->pfx;
	if (!p || p->key != e->pfx_key || window_unusual(p, now))
		return count_any(f, cls, dst, port, src, now);
	e->win_count++;
	count_sender(e, tag, src, true);
	p->win_count++;
	count_sender(p, tag, src, true);
	set_hit(p, dst->bytes[3]); /* map_bit of an exact IPv4 prefix */
	return decided(e->win_count >= e->watch || p->seq || p->win_count >= p->watch, e, p);
}

struct sw_flood_counted sw_flood_entries(struct sw_flood *f, enum sw_flood_class cls,
                                         const struct sw_addr *dst, uint16_t port)
{
	struct sw_flood_entry *e = target_entry(f, cls, dst, port, false, 0, false);

	return (struct sw_flood_counted){ e, prefix_entry(f, cls, dst, e, false, 0) };
}

/* An open flood recorded from the unspecified address: nobody had half. */
static bool open_and_forged(const struct sw_flood_entry *e)
{
	static const uint8_t zero[16];

	return e && e->seq && memcmp(e->src.bytes, zero, sizeof zero) == 0;
}

void sw_flood_set_lock(struct sw_flood *f, pthread_mutex_t *lock)
{
	f->lock = lock;
}

void sw_flood_lock(struct sw_flood *f)
{
	if (f->lock)
		pthread_mutex_lock(f->lock);
}

void sw_flood_unlock(struct sw_flood *f)
{
	if (f->lock)
		pthread_mutex_unlock(f->lock);
}

bool sw_flood_forged_at(struct sw_flood *f, enum sw_flood_class cls,
                        const struct sw_addr *dst, uint16_t port)
{
	struct sw_flood_counted c;
	bool forged;

	sw_flood_lock(f);
	c = sw_flood_entries(f, cls, dst, port);
	forged = open_and_forged(c.target) || open_and_forged(c.prefix);
	sw_flood_unlock(f);
	return forged;
}

static void answered(struct sw_flood *f, enum sw_flood_class cls, const struct sw_addr *dst,
                     uint16_t port, int64_t now)
{
	struct sw_flood_entry *e = target_entry(f, cls, dst, port, false, 0, false);
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

void sw_flood_answered(struct sw_flood *f, enum sw_flood_class cls,
                       const struct sw_addr *dst, uint16_t port, int64_t now)
{
	sw_flood_lock(f);
	answered(f, cls, dst, port, now);
	sw_flood_unlock(f);
}

struct sw_flood_src sw_flood_sender(const struct sw_flood_entry *e, unsigned i)
{
	struct sw_flood_src out;
	uint64_t tag = e->top_tag[i];
	uint8_t w[8];

	memset(&out, 0, sizeof out);
	if (!word_exact(tag)) { /* see addr_word */
		out.addr.family = SW_AF_INET6;
		memcpy(out.addr.bytes, e->top6[i], 16);
	} else {
		memcpy(w, &tag, sizeof w);
		out.addr.family = w[0];
		if (w[0] == SW_AF_INET)
			memcpy(out.addr.bytes, w + 1, 4);
	}
	out.count = e->top_count[i] - e->top_base;
	return out;
}

struct sw_flood_src sw_flood_top(const struct sw_flood_entry *e)
{
	unsigned best = 0;

	for (unsigned i = 1; i < SW_FLOOD_TOP; i++)
		if (e->top_count[i] - e->top_base > e->top_count[best] - e->top_base)
			best = i;
	return sw_flood_sender(e, best);
}

bool sw_flood_prefix_exact(const struct sw_flood_entry *e)
{
	return (e->dst.family == SW_AF_INET ? 32u : 128u) - e->plen <= 8;
}

uint32_t sw_flood_prefix_targets(const struct sw_flood_entry *e, bool *capped)
{
	unsigned set = 0, zero;

	for (size_t i = 0; i < sizeof e->hit / sizeof e->hit[0]; i++)
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
