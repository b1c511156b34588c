/*
 * sources.c - the sources and details tables (see sources.h).
 *
 * Sources: buckets of WAYS entries; a new source takes an empty slot, else
 * the least useful one of its bucket (no failures before some, oldest
 * first). The bucket's eight keys also sit together in one cache line of
 * their own, so finding a source reads that line and then only its entry,
 * not the 1,280 bytes of the bucket's entries; and their eight ranks (worth
 * and age as one number, kept by sw_sources_touch and by seeing a source)
 * in another, so choosing a victim for a new source reads that line, not
 * the eight entries. Details: a clock hand offers CANDIDATES slots at a
 * time and the least useful is taken; a detail whose owner was evicted is
 * found free by its key no longer matching. A detail's first line says
 * which of its groups have probes and which an open detection, so choosing
 * a victim, clearing a detail and housekeeping read only the groups in use.
 * The distinct set of each detail is one open addressing array of 32-bit
 * keys shared by all groups: a target key is the destination hash with the
 * group in its low bits, a port key carries the port, the group and a tag
 * bit.
 */
#include "config.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "keyhash.h"
#include "sources.h"
#include "table.h"

#define WAYS 8
#define CANDIDATES 8

/* what source_worth reads lies in the first 32 bytes of an entry, and
 * entries are whole 32-byte halves of lines (sources.h): the entries are
 * read to choose a victim only for hostile packet times (RANK_SLOW), and
 * a rank is worked out from them when a worth changes */
static_assert(offsetof(struct sw_source, key) + 8 <= 32 &&
                  offsetof(struct sw_source, last_seen) + 8 <= 32 &&
                  offsetof(struct sw_source, detail) + 4 <= 32 &&
                  offsetof(struct sw_source, fails) + 4 <= 32 &&
                  offsetof(struct sw_source, scanner) < 32 &&
                  offsetof(struct sw_source, pend_group) < 32,
              "a source's victim fields are in its first 32 bytes");
static_assert(sizeof(struct sw_source) % 32 == 0, "a source entry is whole 32-byte halves");
/* what a new source writes (init_source, then the caller's first probe:
 * sig_n, sig, fp) ends within its first 96 bytes */
#define SOURCE_FRESH offsetof(struct sw_source, pend)
static_assert(SOURCE_FRESH <= 96 && SOURCE_FRESH % 32 == 0,
              "a new source's fields are its first 96 bytes");

struct sw_sources {
	struct sw_keyhash key;  /* keyhash.h */
	uint32_t bucket_mask;
	struct sw_source *src;
	uint64_t *keys;         /* keys[i] == src[i].key, a bucket's keys per line */
	uint64_t *ranks;        /* ranks[i] == rank_of(&src[i]) (sw_sources_touch),
	                           a bucket's ranks per line: choosing a victim
	                           reads this line, not the eight entries */
	uint32_t ndetails;
	uint32_t hand;
	struct sw_detail *det;
	uint64_t *owners;       /* owners[i] == det[i].src_key: housekeeping scans
	                           this, not the large entries */
	uint32_t *sets;         /* ndetails * set_slots */
	uint32_t set_slots;     /* power of two */
	uint32_t set_cap;       /* keys allowed per set */
	uint64_t src_evictions, det_evictions;
	sw_detail_evict_fn on_evict;
	void *ctx;
};

struct sw_sources *sw_sources_new(unsigned sources, unsigned details,
                                  unsigned distinct_cap, const struct sw_sipkey *key,
                                  sw_detail_evict_fn on_evict, void *ctx)
{
	struct sw_sources *t = calloc(1, sizeof *t);
	uint32_t n = sw_pow2_at_least(sources < WAYS ? WAYS : sources);

	if (!t)
		return NULL;
	sw_keyhash_init(&t->key, key, SW_KH_SOURCES);
	t->on_evict = on_evict;
	t->ctx = ctx;
	t->bucket_mask = n / WAYS - 1;
	t->ndetails = details < CANDIDATES ? CANDIDATES : details;
	/* room for the cap at a load of at most 3/4 */
	t->set_slots = sw_pow2_at_least(distinct_cap + distinct_cap / 3 + 1);
	t->set_cap = distinct_cap;
	/* bucket_mask takes whole buckets of a power of two; a distinct set is
	 * probed with a mask and must keep free slots to end its probes */
	assert((n & (n - 1)) == 0 && n >= WAYS);
	assert((t->set_slots & (t->set_slots - 1)) == 0 && t->set_slots > t->set_cap);
	t->src = sw_table_alloc((size_t)n * sizeof *t->src);
	t->keys = sw_table_alloc((size_t)n * sizeof *t->keys);
	t->ranks = sw_table_alloc((size_t)n * sizeof *t->ranks);
	t->det = sw_table_alloc((size_t)t->ndetails * sizeof *t->det);
	t->owners = sw_table_alloc((size_t)t->ndetails * sizeof *t->owners);
	t->sets = sw_table_alloc((size_t)t->ndetails * t->set_slots * sizeof *t->sets);
	if (!t->src || !t->keys || !t->ranks || !t->det || !t->owners || !t->sets) {
		sw_sources_free(t);
		return NULL;
	}
	return t;
}

void sw_sources_free(struct sw_sources *t)
{
	if (!t)
		return;
	sw_table_free(t->src, ((size_t)t->bucket_mask + 1) * WAYS * sizeof *t->src);
	sw_table_free(t->keys, ((size_t)t->bucket_mask + 1) * WAYS * sizeof *t->keys);
	sw_table_free(t->ranks, ((size_t)t->bucket_mask + 1) * WAYS * sizeof *t->ranks);
	sw_table_free(t->det, (size_t)t->ndetails * sizeof *t->det);
	sw_table_free(t->owners, (size_t)t->ndetails * sizeof *t->owners);
	sw_table_free(t->sets, (size_t)t->ndetails * t->set_slots * sizeof *t->sets);
	free(t);
}

uint64_t sw_sources_memory(const struct sw_sources *t)
{
	return sizeof *t + ((uint64_t)t->bucket_mask + 1) * WAYS *
	                       (sizeof *t->src + sizeof *t->keys + sizeof *t->ranks) +
	       (uint64_t)t->ndetails * (sizeof *t->det + sizeof *t->owners +
	                                 t->set_slots * sizeof *t->sets);
}

/* sw_source_key, inlined into sw_sources_get */
static inline __attribute__((always_inline)) uint64_t key_of(const struct sw_sources *t,
                                                             const struct sw_addr *a)
{
	/* the family in the low byte of the first word: an IPv4 address is
	 * that one word, others take two more (keyhash.h) */
	uint64_t w[3];
	uint64_t h;

	if (a->family == SW_AF_INET) {
		w[0] = sw_le32(a->bytes) << 8 | SW_AF_INET;
		h = sw_keyhash(&t->key, w, 1);
	} else {
		w[0] = a->family;
		sw_keyhash_addr(a, w + 1);
		h = sw_keyhash(&t->key, w, 3);
	}
	return h ? h : 1; /* 0 marks an empty slot */
}

uint64_t sw_source_key(const struct sw_sources *t, const struct sw_addr *a)
{
	return key_of(t, a);
}

static size_t bucket_first(const struct sw_sources *t, uint64_t key)
{
	return (size_t)((key >> 24) & t->bucket_mask) * WAYS;
}

/* The index of key's entry, or NONE. */
#define NONE SIZE_MAX
static inline size_t find_index(const struct sw_sources *t, uint64_t key)
{
	size_t first = bucket_first(t, key);
	const uint64_t *k = t->keys + first;

	/* unrolled, a way costs a compare and a branch, not the loop's three
	 * more: a new source compares all eight */
#pragma GCC unroll 8
	for (size_t i = 0; i < WAYS; i++)
		if (k[i] == key)
			return first + i;
	return NONE;
}

struct sw_source *sw_sources_find(struct sw_sources *t, uint64_t key)
{
	size_t i = find_index(t, key);

	return i == NONE ? NULL : &t->src[i];
}

/* Higher is more worth keeping. */
static int source_worth(const struct sw_source *s)
{
	if (s->key == 0)
		return -1;
	return (s->scanner != 0) << 2 | ((s->fails[0] | s->fails[1]) != 0) << 1 |
	       ((s->detail | s->pend_group) != 0);
}

/* A rank for an entry whose last_seen does not fit below its worth
 * (hostile packet times): its bucket's victim is then chosen entry by
 * entry. Above every other rank. */
#define RANK_SLOW UINT64_MAX
#define RANK_AGE ((UINT64_C(1) << 58) - 1)

/* Worth and age as one number, lower is the better victim: worth + 1 above
 * 58 bits of last_seen, as packet times fit. An empty entry's rank is 0
 * (the table starts zeroed), below every other. */
static uint64_t rank_of(const struct sw_source *s)
{
	uint64_t ls = (uint64_t)s->last_seen;

	if (ls > RANK_AGE)
		return RANK_SLOW;
	return (uint64_t)(source_worth(s) + 1) << 58 | ls;
}

void sw_sources_touch(struct sw_sources *t, const struct sw_source *s)
{
	t->ranks[s - t->src] = rank_of(s);
}

/* Entry i was seen at now: its last_seen, which never goes back, and the
 * age in its rank (its worth stays). A RANK_SLOW rank keeps its top bits
 * set (2^62 and above: slow) under any age, and a now that does not fit makes
 * the rank RANK_SLOW. */
static inline void seen(struct sw_sources *t, size_t i, int64_t now)
{
	struct sw_source *s = &t->src[i];

	if (now <= s->last_seen)
		return;
	s->last_seen = now;
	t->ranks[i] = (t->ranks[i] & ~RANK_AGE) | ((uint64_t)now > RANK_AGE ? RANK_SLOW : (uint64_t)now);
}

struct sw_source *sw_sources_seen(struct sw_sources *t, uint64_t key, int64_t now)
{
	size_t i = find_index(t, key);

	if (i == NONE)
		return NULL;
	seen(t, i, now);
	return &t->src[i];
}

/* The dev build (sanitizers) checks that every change to an entry's worth
 * or age was followed by sw_sources_touch: a missed one would make victims
 * differ from the entries' own worth and age. */
static void check_rank(const struct sw_sources *t, size_t i)
{
#if defined(__SANITIZE_ADDRESS__)
	uint64_t r = t->src[i].key ? rank_of(&t->src[i]) : 0;

	assert(t->ranks[i] == r || (r == RANK_SLOW && t->ranks[i] >> 58 == 63));
#else
	(void)t;
	(void)i;
#endif
}

/* The way of the least of a bucket's WAYS ranks from r, the first of
 * equals. */
static inline size_t least_rank(const uint64_t *r)
{
	uint64_t vr = r[0];
	size_t v = 0;

#pragma GCC unroll 8
	for (size_t i = 1; i < WAYS; i++) {
		if (r[i] < vr) {
			vr = r[i];
			v = i;
		}
	}
	return v;
}

/* pick_source_victim when a rank of the bucket is RANK_SLOW: the first
 * empty entry if any (its rank, 0, is the least), else the entries
 * themselves decide. */
static size_t pick_source_victim_slow(const struct sw_sources *t, size_t first)
{
	const struct sw_source *b = t->src + first;
	size_t v = least_rank(t->ranks + first);
	int vw;

	if (t->ranks[first + v] == 0)
		return first + v;
	v = 0;
	vw = source_worth(&b[0]);
	for (size_t i = 1; i < WAYS; i++) {
		int w = source_worth(&b[i]);
		if (w < vw || (w == vw && b[i].last_seen < b[v].last_seen)) {
			v = i;
			vw = w;
		}
	}
	return first + v;
}

/* Two ranks, to OR a bucket's line of them in vector registers where
 * there are some (GCC's generic vectors: scalar code elsewhere). */
typedef uint64_t rank_pair __attribute__((vector_size(16)));

/* The victim among the bucket of WAYS entries from first: the first empty
 * one, else the first of the least worth and, among those, the oldest,
 * from the bucket's line of ranks; NONE when a rank is RANK_SLOW (the
 * entries may have to decide: pick_source_victim_slow). */
static inline size_t pick_source_victim(const struct sw_sources *t, size_t first)
{
	const uint64_t *r = t->ranks + first;
	rank_pair all = { 0, 0 };

	for (size_t i = 0; i < WAYS; i++)
		check_rank(t, first + i);
	/* a rank is at most 8 << 58 | RANK_AGE, below 2^62, unless it is a
	 * RANK_SLOW one (or was, and was seen: its top six bits stay set).
	 * Tested first, apart and two ranks at a time (vector registers
	 * where there are some): the ranks' minimum then needs no more
	 * registers than its own two. */
	for (size_t i = 0; i < WAYS; i += 2) {
		rank_pair two;
		memcpy(&two, r + i, sizeof two);
		all |= two;
	}
	if ((all[0] | all[1]) >> 62)
		return NONE;
	return first + least_rank(r); /* the first empty, or the exact least */
}

/* The evicted source v's detail, if still its own, closed and freed. */
static void release_detail(struct sw_sources *t, const struct sw_source *v)
{
	struct sw_detail *dt = &t->det[v->detail - 1];

	if (dt->src_key == v->key) {
		t->on_evict(t->ctx, dt);
		dt->src_key = 0;
		t->owners[dt - t->det] = 0;
	}
}

/* A new source in slot v: zeroed as sw_sources_get promises, with only the
 * stores that takes (SOURCE_FRESH bytes, not the whole entry: pend is read
 * only while pend_group is set). The dev build fills pend with a pattern
 * instead, so that a read of it before it is set shows in the tests. */
static inline void init_source(struct sw_source *v, uint64_t key, const struct sw_addr *a,
                               int64_t now)
{
	memset(v, 0, SOURCE_FRESH);
#if defined(__SANITIZE_ADDRESS__)
	memset((char *)v + SOURCE_FRESH, 0xa5, sizeof *v - SOURCE_FRESH);
#endif
	v->key = key;
	v->last_seen = now;
	v->addr = *a;
}

/* Slot i, evicted (or empty), taken by the new source key: its entry
 * (init_source), key and rank. */
static inline struct sw_source *take_slot(struct sw_sources *t, size_t i, uint64_t key,
                                          const struct sw_addr *a, int64_t now)
{
	struct sw_source *v = t->src + i;

	init_source(v, key, a, now);
	t->keys[i] = key;
	/* rank_of(v): worth 0 */
	t->ranks[i] = (uint64_t)now > RANK_AGE ? RANK_SLOW : UINT64_C(1) << 58 | (uint64_t)now;
	return v;
}

/*
 * The ways of a new source that call a function: a victim with a detail,
 * and a bucket with a RANK_SLOW rank. Apart, and reached by tail calls, so
 * that the usual way, which calls nothing, saves no registers.
 */
__attribute__((noinline))
static struct sw_source *take_slot_of_detail(struct sw_sources *t, size_t i, uint64_t key,
                                             const struct sw_addr *a, int64_t now)
{
	release_detail(t, &t->src[i]);
	return take_slot(t, i, key, a, now);
}

/* Slot i, the victim chosen for the new source key: its source (if any)
 * evicted, then taken. */
static inline struct sw_source *take_victim(struct sw_sources *t, size_t i, uint64_t key,
                                            const struct sw_addr *a, int64_t now)
{
	if (t->src[i].key != 0) {
		t->src_evictions++;
		if (t->src[i].detail)
			return take_slot_of_detail(t, i, key, a, now);
	}
	return take_slot(t, i, key, a, now);
}

__attribute__((noinline, cold))
static struct sw_source *take_slot_slow(struct sw_sources *t, size_t first, uint64_t key,
                                        const struct sw_addr *a, int64_t now)
{
	return take_victim(t, pick_source_victim_slow(t, first), key, a, now);
}

struct sw_source *sw_sources_get(struct sw_sources *t, const struct sw_addr *a, int64_t now,
                                 bool *created)
{
	uint64_t key = key_of(t, a);
	size_t first = bucket_first(t, key), i = find_index(t, key);

	if (i != NONE) {
		check_rank(t, i);
		seen(t, i, now);
		*created = false;
		return &t->src[i];
	}
	/* a new source: an empty slot or the least useful one, the first of
	 * the least worth and oldest (from the bucket's ranks) */
	*created = true;
	i = pick_source_victim(t, first);
	if (i == NONE)
		return take_slot_slow(t, first, key, a, now);
	return take_victim(t, i, key, a, now);
}

static uint32_t *set_of(struct sw_sources *t, const struct sw_detail *dt)
{
	return t->sets + (size_t)(dt - t->det) * t->set_slots;
}

/* The dev build (sanitizers) checks that a detail's bits say what its
 * groups hold: a group whose bit is clear is not read where it is
 * skipped. */
static void check_detail(const struct sw_detail *dt)
{
#if defined(__SANITIZE_ADDRESS__)
	for (unsigned g = 0; g < SW_G_COUNT; g++) {
		assert(!(dt->groups_used & (1u << g)) == !dt->g[g].probes);
		assert(!(dt->groups_open & (1u << g)) == !dt->g[g].seq);
	}
#else
	(void)dt;
#endif
}

static bool detail_open(const struct sw_detail *dt)
{
	check_detail(dt);
	return dt->groups_open != 0;
}

/* (a group without probes has no failures: both are counted and cleared
 * together) */
static uint64_t detail_worth(const struct sw_detail *dt)
{
	uint64_t w = 0;

	for (unsigned m = dt->groups_used; m; m &= m - 1) {
		const struct sw_group_state *gs = &dt->g[__builtin_ctz(m)];
		w += gs->fails + gs->probes;
	}
	return w;
}

/* Least useful of the next CANDIDATES slots: free first, then no open
 * detection, fewest failures and probes, least recently seen. */
static struct sw_detail *pick_victim(struct sw_sources *t)
{
	struct sw_detail *v = NULL;

	for (int i = 0; i < CANDIDATES; i++) {
		struct sw_detail *c = &t->det[t->hand];
		t->hand = (t->hand + 1) % t->ndetails;
		if (t->owners[c - t->det] == 0 || !sw_detail_owner(t, c))
			return c;
		if (!v) {
			v = c;
			continue;
		}
		bool co = detail_open(c), vo = detail_open(v);
		if (co != vo) {
			if (!co)
				v = c;
			continue;
		}
		uint64_t cw = detail_worth(c), vw = detail_worth(v);
		if (cw < vw || (cw == vw && c->last_seen < v->last_seen))
			v = c;
	}
	return v;
}

struct sw_source *sw_detail_owner(struct sw_sources *t, const struct sw_detail *dt)
{
	struct sw_source *s;

	if (dt->src_key == 0)
		return NULL;
	s = sw_sources_find(t, dt->src_key);
	if (!s || s->detail != (uint32_t)(dt - t->det) + 1)
		return NULL;
	return s;
}

/* sw_group_clear leaves the evidence, the end of a group, as it was, and
 * the dev build marks it in whole 8-byte words */
static_assert(offsetof(struct sw_group_state, last) ==
                      offsetof(struct sw_group_state, first) + SW_EVIDENCE_MAX * sizeof(struct sw_probe) &&
                  sizeof(struct sw_group_state) ==
                      offsetof(struct sw_group_state, last) + SW_EVIDENCE_MAX * sizeof(struct sw_probe) &&
                  offsetof(struct sw_group_state, first) % 8 == 0 &&
                  sizeof(struct sw_probe) % 8 == 0 && offsetof(struct sw_detail, g) % 8 == 0,
              "a group's evidence is its end, in whole 8-byte words");

static_assert(sizeof(((struct sw_detail *)0)->small) + sizeof(uint32_t) == 64 &&
                  offsetof(struct sw_detail, used) == offsetof(struct sw_detail, small) + 60,
              "a detail's small set and its count are one cache line");

/*
 * Empty a detail for its next owner, as a memset of it and its set would
 * for every read that follows, writing only what was written: the hashed
 * set only when the keys went there (more than SW_SET_SMALL: a whole set
 * is kilobytes; the small set is read only below used), and only the
 * groups that recorded something (a group with no probes is empty: every
 * change to one records a probe, and closing it empties it), and of those
 * only the counters (sw_group_clear).
 */
static void clear_detail(struct sw_sources *t, struct sw_detail *dt)
{
	if (dt->used > SW_SET_SMALL)
		memset(set_of(t, dt), 0, t->set_slots * sizeof(uint32_t));
	check_detail(dt);
	for (unsigned m = dt->groups_used; m; m &= m - 1)
		sw_detail_clear_group(dt, (unsigned)__builtin_ctz(m));
	dt->src_key = 0;
	dt->last_seen = 0;
	dt->used = 0;
}

struct sw_detail *sw_sources_detail(struct sw_sources *t, struct sw_source *s, bool create)
{
	struct sw_detail *dt;

	if (s->detail) {
		dt = &t->det[s->detail - 1];
		if (dt->src_key == s->key)
			return dt;
		s->detail = 0; /* it went to someone else */
		sw_sources_touch(t, s);
	}
	if (!create)
		return NULL;
	dt = pick_victim(t);
	if (dt->src_key != 0) {
		struct sw_source *owner = sw_detail_owner(t, dt);
		if (owner) {
			t->det_evictions++;
			t->on_evict(t->ctx, dt);
			owner->detail = 0;
			sw_sources_touch(t, owner);
		}
	}
	clear_detail(t, dt);
	dt->src_key = s->key;
	t->owners[dt - t->det] = s->key;
	s->detail = (uint32_t)(dt - t->det) + 1;
	s->earned = 1;
	sw_sources_touch(t, s);
	return dt;
}

/* The slot of key in the hashed set (linear probing from its hash): its
 * own, or the empty one where it would go. Keys are never 0 (a target's
 * has bit 0 set, a port's bit 31), the empty slot's mark. */
static uint32_t *hashed_slot(struct sw_sources *t, const struct sw_detail *dt, uint32_t key)
{
	uint32_t *set = set_of(t, dt);
	uint32_t mask = t->set_slots - 1;
	uint32_t i = (key * 0x9e3779b1u) >> 7 & mask;

	while (set[i] != key && set[i] != 0)
		i = (i + 1) & mask;
	return &set[i];
}

/* A set of SW_SET_SMALL keys takes a new one: all go to the hashed set
 * (out of line: once in a detail's life, if at all). */
__attribute__((noinline))
static void set_outgrow_small(struct sw_sources *t, struct sw_detail *dt, uint32_t key)
{
	for (uint32_t i = 0; i < SW_SET_SMALL; i++)
		*hashed_slot(t, dt, dt->small[i]) = dt->small[i];
	*hashed_slot(t, dt, key) = key;
	dt->used++;
}

/* The same answers as one hashed set of every key would give: whether key
 * is in, or the cap is reached, does not depend on where the keys are. */
static bool set_add(struct sw_sources *t, struct sw_detail *dt, uint32_t key, bool *full)
{
	uint32_t *slot;

	*full = false;
	if (dt->used <= SW_SET_SMALL) {
		for (uint32_t i = 0; i < dt->used; i++)
			if (dt->small[i] == key)
				return false;
		if (dt->used >= t->set_cap) {
			*full = true;
			return false;
		}
		if (dt->used == SW_SET_SMALL)
			set_outgrow_small(t, dt, key);
		else
			dt->small[dt->used++] = key;
		return true;
	}
	slot = hashed_slot(t, dt, key);
	if (*slot == key)
		return false;
	if (dt->used >= t->set_cap) {
		*full = true;
		return false;
	}
	*slot = key;
	dt->used++;
	return true;
}

bool sw_detail_add_target(struct sw_sources *t, struct sw_detail *dt, unsigned group,
                          uint32_t dst_hash, bool *full)
{
	/* bit 0 set: a target; bits 1-3: the group; the rest: the hash */
	return set_add(t, dt, (dst_hash << 4) | (group << 1) | 1u, full);
}

bool sw_detail_add_port(struct sw_sources *t, struct sw_detail *dt, unsigned group,
                        uint16_t port, bool *full)
{
	/* bit 0 clear, bit 31 set: a port */
	return set_add(t, dt, 0x80000000u | ((uint32_t)port << 4) | (group << 1), full);
}

unsigned sw_sources_ndetails(const struct sw_sources *t)
{
	return t->ndetails;
}

struct sw_detail *sw_sources_detail_at(struct sw_sources *t, unsigned i)
{
	return t->owners[i] ? &t->det[i] : NULL;
}

uint64_t sw_sources_evictions(const struct sw_sources *t)
{
	return t->src_evictions;
}

uint64_t sw_details_evictions(const struct sw_sources *t)
{
	return t->det_evictions;
}
