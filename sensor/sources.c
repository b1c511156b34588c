/*
 * sources.c - the sources and details tables (see sources.h).
 *
 * Sources: buckets of WAYS entries; a new source takes an empty slot, else
 * the least useful one of its bucket (no failures before some, oldest
 * first). A slot word per entry (its key's tag, whether it has a detail,
 * and its worth and age as one rank, kept by sw_sources_touch and by
 * seeing a source), a bucket's eight words in one cache line of their own:
 * finding a source reads that line and then only its entry, and choosing
 * a victim for a new source and evicting it read that line, not the
 * bucket's entries (nor the victim's: a new source writes the first line
 * of its entry only, sources.h). Details: a clock hand offers CANDIDATES
 * slots at a time and the least useful is taken; a detail whose owner was
 * evicted is found free by its key no longer matching. A detail's first
 * line says which of its groups have probes and which an open detection,
 * so choosing a victim, clearing a detail and housekeeping read only the
 * groups in use. The distinct set of each detail is one open addressing
 * array of 32-bit keys shared by all groups: a target key is the
 * destination hash with the group in its low bits, a port key carries the
 * port, the group and a tag bit.
 */
#include "config.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "keyhash.h"
#include "sources.h"
#include "table.h"

#define WAYS 8
#define CANDIDATES 8

/* struct sw_source's lines (sources.h): what a new source writes and a
 * known one's packet reads in the first, the rest after it */
#define LINE 64
static_assert(sizeof(struct sw_source) % LINE == 0 && _Alignof(struct sw_source) == LINE,
              "a source entry is whole cache lines");
static_assert(offsetof(struct sw_source, pend) == LINE,
              "a source's first line ends where pend starts");
static_assert(offsetof(struct sw_source, pend) + sizeof(struct sw_pending) <= 2 * LINE,
              "pend is the second line of its entry");

/*
 * A slot word: what the table knows of a slot without reading its entry.
 * A bucket's WAYS words are one cache line, all that finding a source
 * (by tag, then the entry's key), choosing a victim and ageing a source
 * read. From the top:
 *   4 bits   worth + 1 (source_worth); 0 for an empty slot, whose word is 0
 *   1 bit    SLOW: the age does not hold last_seen, the entry's last_seen
 *            does (a packet time out of the window of AGE_BITS)
 *   46 bits  age: last_seen - t->base, microseconds
 *   1 bit    DETAIL: the entry's detail is set (else it is not read)
 *   12 bits  tag: the key's low bits (the bucket is chosen from bits 24
 *            and up): a source is found by its tag, then the full key in
 *            its entry; a key of the same tag in the bucket costs the
 *            read of that entry only, 8 / 4096 of new sources
 * word >> RANK_SHIFT is the rank: worth, then age, as one number, lower is
 * the better victim (an empty slot's is 0, below every other); victims
 * are the first of the least rank, as they were from (worth, last_seen)
 * pairs. A bucket with a SLOW word has its victim chosen from the worths
 * and exact last_seen values, one by one, the same way.
 */
#define TAG_BITS 12
#define TAG_MASK ((UINT64_C(1) << TAG_BITS) - 1)
#define DETAIL_BIT (UINT64_C(1) << TAG_BITS)
#define RANK_SHIFT (TAG_BITS + 1)
#define AGE_BITS 46
#define AGE_MAX ((UINT64_C(1) << AGE_BITS) - 1)
#define AGE_FIELD (AGE_MAX << RANK_SHIFT)
#define SLOW_BIT (UINT64_C(1) << (RANK_SHIFT + AGE_BITS))
#define WORTH_SHIFT (RANK_SHIFT + AGE_BITS + 1)
#define WORTH_FIELD (UINT64_C(15) << WORTH_SHIFT)
static_assert(WORTH_SHIFT + 4 == 64, "a slot word's fields fill 64 bits");
/* the window's start: the first new source's time less BASE_BACK (~51
 * days: older times are SLOW), and it holds times up to ~763 days after */
#define BASE_BACK (INT64_C(1) << 42)

struct sw_sources {
	struct sw_keyhash key;  /* keyhash.h */
	uint32_t bucket_mask;
	bool based;             /* base is set (at the first new source) */
	int64_t base;           /* the time of age 0 in the slot words */
	struct sw_source *src;
	uint64_t *slot;         /* slot[i]: the slot word of src[i], a bucket's per line */
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
	t->slot = sw_table_alloc((size_t)n * sizeof *t->slot);
	t->det = sw_table_alloc((size_t)t->ndetails * sizeof *t->det);
	t->owners = sw_table_alloc((size_t)t->ndetails * sizeof *t->owners);
	t->sets = sw_table_alloc((size_t)t->ndetails * t->set_slots * sizeof *t->sets);
	if (!t->src || !t->slot || !t->det || !t->owners || !t->sets) {
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
	sw_table_free(t->slot, ((size_t)t->bucket_mask + 1) * WAYS * sizeof *t->slot);
	sw_table_free(t->det, (size_t)t->ndetails * sizeof *t->det);
	sw_table_free(t->owners, (size_t)t->ndetails * sizeof *t->owners);
	sw_table_free(t->sets, (size_t)t->ndetails * t->set_slots * sizeof *t->sets);
	free(t);
}

uint64_t sw_sources_memory(const struct sw_sources *t)
{
	return sizeof *t + ((uint64_t)t->bucket_mask + 1) * WAYS *
	                       (sizeof *t->src + sizeof *t->slot) +
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

#ifdef __SSE2__
/* Bit 2i set: way i of the bucket's words w has key's tag. Its eight
 * tags compared at once (in the low 32-bit half of each word, the high
 * halves, equal by the mask, drop out in the pack): about 20 instructions,
 * where testing word after word costs 4 a way, 32 for a new source. */
static inline unsigned tag_ways(const uint64_t *w, uint64_t key)
{
	const __m128i *line = (const __m128i *)w;
	const __m128i mask = _mm_set1_epi64x((long long)TAG_MASK);
	const __m128i tag = _mm_set1_epi64x((long long)(key & TAG_MASK));
	__m128i q0 = _mm_cmpeq_epi32(_mm_and_si128(_mm_load_si128(line), mask), tag);
	__m128i q1 = _mm_cmpeq_epi32(_mm_and_si128(_mm_load_si128(line + 1), mask), tag);
	__m128i q2 = _mm_cmpeq_epi32(_mm_and_si128(_mm_load_si128(line + 2), mask), tag);
	__m128i q3 = _mm_cmpeq_epi32(_mm_and_si128(_mm_load_si128(line + 3), mask), tag);

	return (unsigned)_mm_movemask_epi8(
	               _mm_packs_epi16(_mm_packs_epi32(q0, q1), _mm_packs_epi32(q2, q3))) &
	       0x5555u;
}
#else
static inline unsigned tag_ways(const uint64_t *w, uint64_t key)
{
	unsigned m = 0;

	for (unsigned i = 0; i < WAYS; i++)
		m |= (unsigned)((w[i] & TAG_MASK) == (key & TAG_MASK)) << (2 * i);
	return m;
}
#endif

/* The index of key's entry, or NONE: its tag in the bucket's line of slot
 * words, then its key in the entry (an empty entry's key is 0, never a
 * key: the table starts zeroed and a slot, once taken, stays taken). */
#define NONE SIZE_MAX
static inline size_t find_index(const struct sw_sources *t, uint64_t key)
{
	size_t first = bucket_first(t, key);

	for (unsigned m = tag_ways(t->slot + first, key); m; m &= m - 1) {
		size_t i = first + (unsigned)__builtin_ctz(m) / 2;
		if (t->src[i].key == key)
			return i;
	}
	return NONE;
}

struct sw_source *sw_sources_find(struct sw_sources *t, uint64_t key)
{
	size_t i = find_index(t, key);

	return i == NONE ? NULL : &t->src[i];
}

/* The detail of entry i (index + 1), 0 none: the entry's field is set
 * only while its slot word says so. */
static uint32_t detail_index(const struct sw_sources *t, size_t i)
{
	return (t->slot[i] & DETAIL_BIT) ? t->src[i].detail : 0;
}

/* Higher is more worth keeping: an entry's worth from its fields, with
 * has_detail from its slot word. */
static unsigned source_worth(const struct sw_source *s, bool has_detail)
{
	return (unsigned)(s->scanner != 0) << 2 | (unsigned)((s->fails[0] | s->fails[1]) != 0) << 1 |
	       (unsigned)(has_detail || s->pend_group != 0);
}

/* The age field of a word for a source seen at now, or SLOW_BIT when now
 * is out of the window (the entry then keeps it in last_seen). */
static inline uint64_t age_field(const struct sw_sources *t, int64_t now)
{
	/* a now before base wraps to 2^47 or more (set_base): one compare */
	uint64_t rel = (uint64_t)now - (uint64_t)t->base;

	if (rel > AGE_MAX)
		return SLOW_BIT;
	return rel << RANK_SHIFT;
}

/* The last_seen of a taken slot i, from its word (or its entry when SLOW). */
static int64_t last_seen_of(const struct sw_sources *t, size_t i)
{
	uint64_t w = t->slot[i];

	if (w & SLOW_BIT)
		return t->src[i].last_seen;
	return (int64_t)((uint64_t)t->base + ((w & AGE_FIELD) >> RANK_SHIFT));
}

void sw_sources_touch(struct sw_sources *t, const struct sw_source *s)
{
	size_t i = (size_t)(s - t->src);
	uint64_t w = t->slot[i];

	t->slot[i] = (w & ~WORTH_FIELD) |
	             (uint64_t)(source_worth(s, (w & DETAIL_BIT) != 0) + 1) << WORTH_SHIFT;
}

/* Entry i's detail becomes v (index + 1, or 0), and its worth with it. */
static void set_detail(struct sw_sources *t, struct sw_source *s, uint32_t v)
{
	size_t i = (size_t)(s - t->src);

	s->detail = v;
	t->slot[i] = v ? t->slot[i] | DETAIL_BIT : t->slot[i] & ~DETAIL_BIT;
	sw_sources_touch(t, s);
}

/* seen, for a word that is SLOW or a now out of the window: the entry's
 * last_seen decides, and holds the time while it is out of the window.
 * Apart: hostile packet times only. */
__attribute__((noinline, cold))
static void seen_slow(struct sw_sources *t, size_t i, int64_t now)
{
	struct sw_source *s = &t->src[i];
	uint64_t w = t->slot[i], age;

	if (now <= last_seen_of(t, i))
		return;
	age = age_field(t, now);
	if (age == SLOW_BIT)
		s->last_seen = now;
	t->slot[i] = (w & ~(SLOW_BIT | AGE_FIELD)) | age;
}

/* Entry i was seen at now: its last_seen, which never goes back, in its
 * word (the age; its worth stays). */
static inline void seen(struct sw_sources *t, size_t i, int64_t now)
{
	uint64_t w = t->slot[i], age = age_field(t, now);

	if ((w | age) & SLOW_BIT) {
		seen_slow(t, i, now);
		return;
	}
	if (age > (w & AGE_FIELD))
		t->slot[i] = (w & ~AGE_FIELD) | age;
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
 * was followed by sw_sources_touch, and the word's tag: a missed one would
 * make victims differ from the entries' own worth. */
static void check_word(const struct sw_sources *t, size_t i)
{
#if defined(__SANITIZE_ADDRESS__)
	const struct sw_source *s = &t->src[i];
	uint64_t w = t->slot[i];

	if (s->key == 0) {
		assert(w == 0);
		return;
	}
	assert((w & TAG_MASK) == (s->key & TAG_MASK));
	assert(w >> WORTH_SHIFT == source_worth(s, (w & DETAIL_BIT) != 0) + 1);
	assert(!(w & DETAIL_BIT) || s->detail != 0);
#else
	(void)t;
	(void)i;
#endif
}

/* The way of the least of a bucket's WAYS ranks from w, the first of
 * equals. */
static inline size_t least_rank(const uint64_t *w)
{
	uint64_t vr = w[0] >> RANK_SHIFT;
	size_t v = 0;

#pragma GCC unroll 8
	for (size_t i = 1; i < WAYS; i++) {
		uint64_t r = w[i] >> RANK_SHIFT;
		if (r < vr) {
			vr = r;
			v = i;
		}
	}
	return v;
}

/* pick_source_victim when a word of the bucket is SLOW: the first empty
 * slot if any, else the first of the least worth and, among those, the
 * oldest, from each slot's worth and exact last_seen. */
static size_t pick_source_victim_slow(const struct sw_sources *t, size_t first)
{
	const uint64_t *w = t->slot + first;
	size_t v = 0;
	uint64_t vw;
	int64_t vs;

	for (size_t i = 0; i < WAYS; i++)
		if (w[i] == 0)
			return first + i;
	vw = w[0] >> WORTH_SHIFT;
	vs = last_seen_of(t, first);
	for (size_t i = 1; i < WAYS; i++) {
		uint64_t wi = w[i] >> WORTH_SHIFT;
		int64_t si = last_seen_of(t, first + i);
		if (wi < vw || (wi == vw && si < vs)) {
			v = i;
			vw = wi;
			vs = si;
		}
	}
	return first + v;
}

/* Two words, to OR a bucket's line of them in vector registers where
 * there are some (GCC's generic vectors: scalar code elsewhere). */
typedef uint64_t word_pair __attribute__((vector_size(16)));

/* The victim among the bucket of WAYS entries from first: the first empty
 * one, else the first of the least worth and, among those, the oldest,
 * from the bucket's line of words; NONE when a word is SLOW (then
 * pick_source_victim_slow). */
static inline size_t pick_source_victim(const struct sw_sources *t, size_t first)
{
	const uint64_t *w = t->slot + first;
	word_pair all = { 0, 0 };

	for (size_t i = 0; i < WAYS; i++)
		check_word(t, first + i);
	/* tested first, apart and two words at a time (vector registers
	 * where there are some): the ranks' minimum then needs no more
	 * registers than its own two */
	for (size_t i = 0; i < WAYS; i += 2) {
		word_pair two;
		memcpy(&two, w + i, sizeof two);
		all |= two;
	}
	if ((all[0] | all[1]) & SLOW_BIT)
		return NONE;
	return first + least_rank(w); /* the first empty, or the exact least */
}

/* The evicted source of slot i's detail, if still its own, closed and
 * freed. */
static void release_detail(struct sw_sources *t, size_t i)
{
	const struct sw_source *v = &t->src[i];
	struct sw_detail *dt = &t->det[v->detail - 1];

	if (dt->src_key == v->key) {
		t->on_evict(t->ctx, dt);
		dt->src_key = 0;
		t->owners[dt - t->det] = 0;
	}
}

/* A new source in slot v: its first line zeroed as sw_sources_get
 * promises, key and address set, and nothing after it but an IPv6
 * address. The dev build fills the other lines with a pattern instead,
 * so that a read of them before they are set shows in the tests. */
static inline void init_source(struct sw_source *v, uint64_t key, const struct sw_addr *a)
{
	memset(v, 0, LINE);
#if defined(__SANITIZE_ADDRESS__)
	memset((char *)v + LINE, 0xa5, sizeof *v - LINE);
#endif
	v->key = key;
	if (a->family == SW_AF_INET) {
		memcpy(v->addr4, a->bytes, sizeof v->addr4);
	} else {
		v->inet6 = 1;
		memcpy(v->addr6, a->bytes, sizeof v->addr6);
	}
}

/* The window of the slot words' ages starts BASE_BACK before the first
 * new source's time (without overflow), and at most at BASE_MAX: then a
 * time before it is at most 2^64 - 2^47 - 1 before it, and wraps to
 * 2^47 or more as unsigned, never to an age (age_field). */
#define BASE_MAX (INT64_MAX - (INT64_C(1) << 47))
static_assert(AGE_MAX < (UINT64_C(1) << 47), "a time before base is no age");
__attribute__((noinline, cold))
static void set_base(struct sw_sources *t, int64_t now)
{
	t->base = now < INT64_MIN + BASE_BACK ? INT64_MIN : now - BASE_BACK;
	if (t->base > BASE_MAX)
		t->base = BASE_MAX;
	t->based = true;
}

/* Slot i, evicted (or empty), taken by the new source key: its entry
 * (init_source) and word (worth 0, seen at now). */
static inline struct sw_source *take_slot(struct sw_sources *t, size_t i, uint64_t key,
                                          const struct sw_addr *a, int64_t now)
{
	struct sw_source *v = t->src + i;
	uint64_t age;

	init_source(v, key, a);
	if (!t->based)
		set_base(t, now);
	age = age_field(t, now);
	if (age == SLOW_BIT)
		v->last_seen = now;
	t->slot[i] = UINT64_C(1) << WORTH_SHIFT | age | (key & TAG_MASK);
	return v;
}

/*
 * The ways of a new source that call a function: a victim with a detail,
 * and a bucket with a SLOW word. Apart, and reached by tail calls, so
 * that the usual way, which calls nothing, saves no registers.
 */
__attribute__((noinline))
static struct sw_source *take_slot_of_detail(struct sw_sources *t, size_t i, uint64_t key,
                                             const struct sw_addr *a, int64_t now)
{
	release_detail(t, i);
	return take_slot(t, i, key, a, now);
}

/* Slot i, the victim chosen for the new source key: its source (if any)
 * evicted, then taken. Its word says whether it has one and a detail: its
 * entry is written, not read. */
static inline struct sw_source *take_victim(struct sw_sources *t, size_t i, uint64_t key,
                                            const struct sw_addr *a, int64_t now)
{
	uint64_t w = t->slot[i];

	if (w != 0) {
		t->src_evictions++;
		if (w & DETAIL_BIT)
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
		check_word(t, i);
		seen(t, i, now);
		*created = false;
		return &t->src[i];
	}
	/* a new source: an empty slot or the least useful one, the first of
	 * the least worth and oldest (from the bucket's words) */
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
	if (!s || detail_index(t, (size_t)(s - t->src)) != (uint32_t)(dt - t->det) + 1)
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

	if (detail_index(t, (size_t)(s - t->src))) {
		dt = &t->det[s->detail - 1];
		if (dt->src_key == s->key)
			return dt;
		set_detail(t, s, 0); /* it went to someone else */
	}
	if (!create)
		return NULL;
	dt = pick_victim(t);
	if (dt->src_key != 0) {
		struct sw_source *owner = sw_detail_owner(t, dt);
		if (owner) {
			t->det_evictions++;
			t->on_evict(t->ctx, dt);
			set_detail(t, owner, 0);
		}
	}
	clear_detail(t, dt);
	dt->src_key = s->key;
	t->owners[dt - t->det] = s->key;
	s->earned = 1;
	set_detail(t, s, (uint32_t)(dt - t->det) + 1);
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
