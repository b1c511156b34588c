/*
 * contacts.c - the contact table and its timeout ring (see contacts.h).
 *
 * Buckets of WAYS slots; a key lives in the bucket its hash selects (its
 * low bits). Beside the entries, each bucket has one cache line holding
 * its eight 32-bit tags (the key's high half) and eight eviction metas, so
 * a lookup reads one line and touches an entry only when a tag matches (the
 * entry's full key then decides), and choosing a victim reads that same
 * line.
 * The ring holds (slot, time) in arming order; an entry's generation is its
 * position in the ring, which arming writes into the contact. An entry
 * stops standing for its contact when that contact is settled, armed again
 * or evicted while pending: each of these has the contact at hand, and
 * marks the entry of its latest arming dead (its slot RING_DEAD) if it is
 * still on the ring, a line of the ring written lately. So every live entry
 * is a contact still pending from that arming, and the expiry walk decides
 * on the ring's line alone: a dead entry costs it no read of the bucket or
 * the contact. When the ring is full its oldest entry is dropped: that
 * contact then simply waits for an answer or for its slot to be reused.
 * An entry is 8 bytes, eight to a line for the walk and for arming: its
 * time is 32 bits above a base per block of RING_BLOCK positions (the
 * first arming's time in the block, less 2^31 us: 35 minutes either side of
 * it), and a time beyond that range (a jump of the packet clock) is kept
 * whole in a side array by position, touched only then. The walk turns the
 * deadline into a bound on those 32 bits once a block, and then compares
 * an entry as it compared its time.
 * A new contact is armed as it is inserted, and the contacts the ring hands
 * out as expired are marked settled as they are handed out, a batch at a
 * time: a probe's new contact is two calls into this file (lookup, insert)
 * where it was four, and expiry a call per batch, not per contact.
 */
#include "config.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "contacts.h"
#include "keyhash.h"
#include "table.h"

#define WAYS 8

struct ring_entry {
	uint32_t slot;             /* RING_DEAD: its contact is no longer
	                              pending from this arming */
	uint32_t dt;               /* its time less its block's base, or RING_FAR */
};

static_assert(sizeof(struct ring_entry) == 8, "eight ring entries to a line");

#define RING_DEAD UINT32_MAX
#define RING_FAR UINT32_MAX        /* the time is in far[] */
#define RING_BLOCK_LOG 10
#define RING_BLOCK (1u << RING_BLOCK_LOG)
#define RING_BELOW (INT64_C(1) << 31) /* a block's base: its first time less this */

/* One cache line per bucket: what lookups and evictions read. */
struct bucket {
	uint32_t tag[WAYS];        /* key >> 32, or 0 for an empty way */
	uint32_t meta[WAYS];       /* pending << 31 | packet time in ~1 s units */
};

struct sw_contacts {
	struct sw_keyhash key;     /* keyhash.h */
	uint32_t bucket_mask;
	uint64_t evictions;
	struct sw_contact *slots;
	struct bucket *buckets;    /* slot i is way i % WAYS of bucket i / WAYS */
	struct ring_entry *ring;
	int64_t *base;             /* per block of RING_BLOCK positions (base_mask) */
	int64_t head_base;         /* the base of ring_head's block */
	int64_t *far;              /* by position: the times of RING_FAR entries */
	uint32_t base_mask;
	uint32_t *conn;            /* connection filter: tags of established connections */
	uint32_t conn_mask;
	uint64_t ck[4];            /* its hash key, drawn from the SipHash key */
	uint32_t ring_mask;
	uint64_t ring_head, ring_tail; /* free-running */
};

struct sw_contacts *sw_contacts_new(unsigned entries, const struct sw_sipkey *key)
{
	struct sw_contacts *t = calloc(1, sizeof *t);
	uint32_t n = sw_pow2_at_least(entries < WAYS ? WAYS : entries);

	if (!t)
		return NULL;
	/* the masks below take a power of two with whole buckets and filter slots */
	assert((n & (n - 1)) == 0 && n >= WAYS && n >= 8);
	sw_keyhash_init(&t->key, key, SW_KH_CONTACTS);
	t->bucket_mask = n / WAYS - 1;
	t->ring_mask = n - 1;
	t->slots = sw_table_alloc((size_t)n * sizeof *t->slots);
	t->buckets = sw_table_alloc((size_t)n / WAYS * sizeof *t->buckets);
	t->ring = sw_table_alloc((size_t)n * sizeof *t->ring);
	/* a block's base is set by its first position and read while its
	 * positions are on the ring: as the ring holds at most n positions,
	 * bases for n + RING_BLOCK positions, a power of two of blocks */
	t->base_mask = 2 * (n > RING_BLOCK ? n / RING_BLOCK : 1) - 1;
	t->base = sw_table_alloc(((size_t)t->base_mask + 1) * sizeof *t->base);
	t->far = sw_table_alloc((size_t)n * sizeof *t->far);
	/* an eighth as many filter slots as contacts (64 KiB by default): small
	 * enough to stay in cache while the capture streams through it; a
	 * collision only costs a lookup */
	t->conn = sw_table_alloc((size_t)n / 8 * sizeof *t->conn);
	t->conn_mask = n / 8 - 1;
	for (int i = 0; i < 4; i++)
		t->ck[i] = sw_siphash(key, &i, sizeof i) | 1;
	if (!t->slots || !t->buckets || !t->ring || !t->base || !t->far || !t->conn) {
		sw_contacts_free(t);
		return NULL;
	}
	return t;
}

void sw_contacts_free(struct sw_contacts *t)
{
	if (!t)
		return;
	size_t n = (size_t)t->ring_mask + 1;

	sw_table_free(t->slots, n * sizeof *t->slots);
	sw_table_free(t->buckets, n / WAYS * sizeof *t->buckets);
	sw_table_free(t->ring, n * sizeof *t->ring);
	sw_table_free(t->base, ((size_t)t->base_mask + 1) * sizeof *t->base);
	sw_table_free(t->far, n * sizeof *t->far);
	sw_table_free(t->conn, n / 8 * sizeof *t->conn);
	free(t);
}

uint64_t sw_contacts_memory(const struct sw_contacts *t)
{
	uint64_t n = (uint64_t)t->ring_mask + 1;

	return sizeof *t + n * (sizeof *t->slots + sizeof *t->ring + sizeof *t->far) +
	       ((uint64_t)t->base_mask + 1) * sizeof *t->base +
	       n / WAYS * sizeof *t->buckets +
	       n / 8 * sizeof *t->conn;
}

/* The key: the families, protocol and port in the first word, then the
 * addresses: one word for an IPv4 pair, four for others (keyhash.h). The
 * IPv4 pair's is inline, on its own path: without a call on it, the common
 * case saves no registers. */
static inline bool ipv4_pair(const struct sw_addr *src, const struct sw_addr *dst)
{
	return __builtin_expect(src->family == SW_AF_INET && dst->family == SW_AF_INET, 1);
}

__attribute__((always_inline))
static inline uint64_t ipv4_key(const struct sw_contacts *t, const struct sw_addr *src,
                                const struct sw_addr *dst, uint8_t proto, uint16_t port)
{
	uint64_t w[2] = {
		(uint64_t)proto << 16 | (uint64_t)port << 24 | SW_AF_INET | SW_AF_INET << 8,
		sw_le32(src->bytes) | sw_le32(dst->bytes) << 32,
	};
	uint64_t h = sw_keyhash(&t->key, w, 2);

	return h ? h : 1; /* 0 marks an empty slot */
}

__attribute__((noinline))
static uint64_t other_key(const struct sw_contacts *t, const struct sw_addr *src,
                          const struct sw_addr *dst, uint8_t proto, uint16_t port)
{
	uint64_t w[5];
	uint64_t h;

	w[0] = (uint64_t)proto << 16 | (uint64_t)port << 24 | (uint64_t)src->family |
	       (uint64_t)dst->family << 8;
	sw_keyhash_addr(src, w + 1);
	sw_keyhash_addr(dst, w + 3);
	h = sw_keyhash(&t->key, w, 5);
	return h ? h : 1;
}

uint64_t sw_contact_key(const struct sw_contacts *t, const struct sw_addr *src,
                        const struct sw_addr *dst, uint8_t proto, uint16_t port)
{
	return ipv4_pair(src, dst) ? ipv4_key(t, src, dst, proto, port)
	                           : other_key(t, src, dst, proto, port);
}

static size_t bucket_of(const struct sw_contacts *t, uint64_t key)
{
	return (size_t)(key & t->bucket_mask);
}

static uint32_t tag_of(uint64_t key)
{
	uint32_t tag = (uint32_t)(key >> 32);

	return tag ? tag : 1; /* 0 marks an empty way */
}

/* The ways of bk whose tag is x, as bits (way i: bit i). With SSE2 the
 * eight tags are two compares (the tables are mmap'd, so every bucket's
 * line is aligned); else a way at a time. */
static_assert(sizeof(struct bucket) == 64 && sizeof(struct bucket) == 2 * WAYS * sizeof(uint32_t) &&
                  offsetof(struct bucket, meta) == WAYS * sizeof(uint32_t),
              "a bucket is one cache line: its tags, then its metas");
__attribute__((always_inline))
static inline unsigned ways_tagged(const struct bucket *bk, uint32_t x)
{
#if defined(__SSE2__)
	__m128i v = _mm_set1_epi32((int)x);
	__m128i lo = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)bk->tag), v);
	__m128i hi = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)bk->tag + 1), v);

	return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(lo)) |
	       (unsigned)_mm_movemask_ps(_mm_castsi128_ps(hi)) << 4;
#else
	unsigned m = 0;

	for (int i = 0; i < WAYS; i++)
		m |= (unsigned)(bk->tag[i] == x) << i;
	return m;
#endif
}

__attribute__((always_inline))
static inline struct sw_contact *find(struct sw_contacts *t, uint64_t key)
{
	size_t b = bucket_of(t, key);

	/* a tag matches only now and then where the key does not: the entry's
	 * full key decides */
	for (unsigned m = ways_tagged(&t->buckets[b], tag_of(key)); m; m &= m - 1) {
		struct sw_contact *c = &t->slots[b * WAYS + (size_t)__builtin_ctz(m)];

		if (c->key == key)
			return c;
	}
	return NULL;
}

struct sw_contact *sw_contacts_find(struct sw_contacts *t, uint64_t key)
{
	return find(t, key);
}

/* sw_contacts_lookup of a pair that is not IPv4 */
__attribute__((noinline))
static struct sw_contact *lookup_other(struct sw_contacts *t, const struct sw_addr *src,
                                       const struct sw_addr *dst, uint8_t proto, uint16_t port,
                                       uint64_t *key)
{
	*key = other_key(t, src, dst, proto, port);
	return find(t, *key);
}

struct sw_contact *sw_contacts_lookup(struct sw_contacts *t, const struct sw_addr *src,
                                      const struct sw_addr *dst, uint8_t proto, uint16_t port,
                                      uint64_t *key)
{
	if (!ipv4_pair(src, dst))
		return lookup_other(t, src, dst, proto, port, key);
	*key = ipv4_key(t, src, dst, proto, port);
	return find(t, *key);
}

/* A way's meta is pending << 31 | packet time in 2^20 us units (31 bits):
 * as one number, lower is the better victim, settled before pending and
 * then the older first. An unarmed new contact's meta is 0. */
#define META_PENDING 0x80000000u

#if defined(__SANITIZE_ADDRESS__)
/* The victim rule as it was first written: the first empty way, else a
 * scan keeping the better of two ways, settled before pending, then older
 * by the times' difference. As the times have 31 bits, that difference
 * never wraps and the rule is the total order pick_victim uses; the dev
 * build (sanitizers) checks that pick_victim agrees. */
static int victim_by_rule(const struct bucket *bk)
{
	int v = 0;

	for (int i = 0; i < WAYS; i++) {
		uint32_t a = bk->meta[i], b = bk->meta[v];
		uint32_t ap = a >> 31, bp = b >> 31;
		if (bk->tag[i] == 0)
			return i;
		if (ap != bp ? ap < bp : (int32_t)((a & ~META_PENDING) - (b & ~META_PENDING)) < 0)
			v = i;
	}
	return v;
}
#endif

/* The victim from the bucket's line alone (the entries are not read).
 * Ways fill in order and are never emptied, so a bucket whose last way is
 * taken is full (*full: the victim is evicted), and its victim is the
 * first way of the least meta: with a new contact per packet (a scan), a
 * least-of-eight without the loop's own steps. */
static int pick_victim(const struct bucket *bk, bool *full)
{
	uint32_t vm = UINT32_MAX;
	int v = 0;

	*full = bk->tag[WAYS - 1] != 0;
	if (!*full) {
		v = __builtin_ctz(ways_tagged(bk, 0));
	} else {
#pragma GCC unroll 8
		for (int i = WAYS - 1; i >= 0; i--) {
			if (bk->meta[i] <= vm) {
				vm = bk->meta[i];
				v = i;
			}
		}
	}
#if defined(__SANITIZE_ADDRESS__)
	assert(v == victim_by_rule(bk) && *full == (bk->tag[v] != 0));
#endif
	return v;
}

/* The meta of slot i (way i % WAYS of bucket i / WAYS) */
static inline uint32_t *meta_of(const struct sw_contacts *t, size_t i)
{
	/* &t->buckets[i / WAYS].meta[i % WAYS], as the compiler does not
	 * see it: a bucket is 2 * WAYS words (tags, then metas), so that meta
	 * is word 2 (i - i % WAYS) + WAYS + i % WAYS = (i & ~(WAYS - 1)) + i +
	 * WAYS of the array */
	size_t word = (i & ~(size_t)(WAYS - 1)) + i + WAYS;

	return (uint32_t *)(void *)((char *)t->buckets + word * sizeof(uint32_t));
}

/* The ring entry of the arming of generation gen of the contact in slot i
 * marked dead, if it is still on the ring (positions tail to head - 1; the
 * generation is the position mod 2^32). A contact that stays pending past
 * 2^32 armings (its entry dropped from the full ring) could point at a
 * later position: that entry is marked only if it is of slot i, and then
 * it is the contact's latest arming all the same (arming slot i there
 * would have set its generation). */
static inline void unring(struct sw_contacts *t, uint32_t gen, size_t i)
{
	uint64_t back = (uint32_t)((uint32_t)t->ring_head - gen); /* head - position */
	struct ring_entry *e;

	if (back - 1 >= t->ring_head - t->ring_tail)
		return; /* dropped, or (0) no position of the ring */
	e = &t->ring[(t->ring_head - back) & t->ring_mask];
	if (e->slot == (uint32_t)i)
		e->slot = RING_DEAD;
}

/* The base of the block of ring position pos */
static inline int64_t *base_of(const struct sw_contacts *t, uint64_t pos)
{
	return &t->base[(pos >> RING_BLOCK_LOG) & t->base_mask];
}

/* A new block at ring position pos, whose first time is first: its base,
 * first - RING_BELOW (the least time, should that not fit). */
__attribute__((noinline))
static void new_block(struct sw_contacts *t, uint64_t pos, int64_t first)
{
	int64_t b = first < INT64_MIN + RING_BELOW ? INT64_MIN : first - RING_BELOW;

	t->head_base = b;
	*base_of(t, pos) = b;
}

/* The entries of the block of pos (inline times, not RING_FAR) that are
 * due at deadline: those whose dt is below this. An entry's time is its
 * base + dt (in whole numbers: never outside int64), at or before the
 * deadline when dt <= deadline - base. */
static uint32_t due_below(const struct sw_contacts *t, uint64_t pos, int64_t deadline)
{
	int64_t l;

	if (__builtin_sub_overflow(deadline, *base_of(t, pos), &l))
		return deadline < 0 ? 0 : RING_FAR; /* (the signs differed) */
	if (l < 0)
		return 0;
	if (l >= (int64_t)RING_FAR - 1)
		return RING_FAR;
	return (uint32_t)l + 1;
}

/* Put c (slot i, meta *meta) on the timeout ring at its time c->t. Its
 * generation is the ring position it takes, mod 2^32: the ring holds fewer
 * entries than that, so an entry matches its contact's generation only
 * while it is that contact's latest arming. c is not pending (else its
 * entry must be marked dead first: sw_contacts_arm). */
static inline void arm(struct sw_contacts *t, struct sw_contact *c, size_t i, uint32_t *meta)
{
	uint64_t pos = t->ring_head;
	struct ring_entry *e = &t->ring[pos & t->ring_mask];
	int64_t dt;

	if (pos - t->ring_tail > t->ring_mask)
		t->ring_tail++; /* full: forget the oldest deadline */
	c->gen = (uint32_t)pos;
	*meta = META_PENDING | ((uint32_t)((uint64_t)c->t >> 20) & ~META_PENDING);
	e->slot = (uint32_t)i;
	if (__builtin_expect(pos % RING_BLOCK == 0, 0))
		new_block(t, pos, c->t);
	if (__builtin_expect(__builtin_sub_overflow(c->t, t->head_base, &dt) ||
	                         (uint64_t)dt >= RING_FAR, 0)) {
		dt = RING_FAR; /* out of the block's range */
		t->far[pos & t->ring_mask] = c->t;
	}
	e->dt = (uint32_t)dt;
	t->ring_head = pos + 1;
}

struct sw_contact *sw_contacts_insert(struct sw_contacts *t, uint64_t key, int64_t now,
                                      struct sw_contact *victim)
{
	size_t b = bucket_of(t, key);
	struct bucket *bk = &t->buckets[b];
	bool full;
	int v = pick_victim(bk, &full);
	size_t i = b * WAYS + (size_t)v;
	struct sw_contact *c = &t->slots[i];

	victim->key = 0;
	if (full) {
		t->evictions++;
		/* the meta says whether it is pending (see sw_contacts_expired) */
#if defined(__SANITIZE_ADDRESS__)
		assert(!(bk->meta[v] & META_PENDING) == !sw_contact_pending(c));
#endif
		if (bk->meta[v] & META_PENDING) {
			*victim = *c;
			unring(t, c->gen, i);
		}
	}
	memset(c, 0, sizeof *c);
	c->key = key;
	c->t = now;
	bk->tag[v] = tag_of(key);
	arm(t, c, i, &bk->meta[v]);
	return c;
}

/* The slot of c, which is in the table */
static inline size_t slot_of(const struct sw_contacts *t, const struct sw_contact *c)
{
#if defined(__SANITIZE_ADDRESS__)
	uintptr_t p = (uintptr_t)c, lo = (uintptr_t)t->slots;

	assert(p >= lo && p < lo + ((size_t)t->ring_mask + 1) * sizeof *t->slots &&
	       (p - lo) % sizeof *t->slots == 0);
#endif
	return (size_t)(c - t->slots);
}

void sw_contacts_settled(struct sw_contacts *t, const struct sw_contact *c)
{
	size_t i = slot_of(t, c);
	uint32_t *meta = meta_of(t, i);

	/* c->gen is its latest arming's only while it is pending (else it
	 * may be seq0) */
	if (*meta & META_PENDING) {
		*meta &= ~META_PENDING;
		unring(t, c->gen, i);
	}
}

void sw_contacts_arm(struct sw_contacts *t, struct sw_contact *c)
{
	size_t i = slot_of(t, c);
	uint32_t *meta = meta_of(t, i);

	if (*meta & META_PENDING)
		unring(t, c->gen, i); /* armed again while pending */
	arm(t, c, i, meta);
}

unsigned sw_contacts_expired(struct sw_contacts *t, int64_t deadline, struct sw_contact **out,
                             unsigned n)
{
	const struct ring_entry *ring = t->ring;
	uint64_t pos, head = t->ring_head;
	unsigned got = 0;
	uint32_t below = due_below(t, t->ring_tail, deadline);

	for (pos = t->ring_tail; pos != head && got < n; pos++) {
		const struct ring_entry *e = &ring[pos & t->ring_mask];

		if (pos % RING_BLOCK == 0)
			below = due_below(t, pos, deadline);
		/* its time past the deadline: an inline one's dt not below,
		 * or a RING_FAR one's whole time */
		if (e->dt >= below && (e->dt != RING_FAR || t->far[pos & t->ring_mask] > deadline))
			break;
		/* Most deadlines find their contact settled long ago (answered,
		 * or evicted, or armed again), and their entry dead (unring):
		 * the bucket's line and the contact's, not touched since, are
		 * not read for them. A live entry's contact is pending from
		 * this arming. */
		if (e->slot == RING_DEAD)
			continue;
#if defined(__SANITIZE_ADDRESS__)
		assert(t->slots[e->slot].key != 0 && sw_contact_pending(&t->slots[e->slot]) &&
		       (*meta_of(t, e->slot) & META_PENDING) &&
		       t->slots[e->slot].gen == (uint32_t)pos);
#endif
		*meta_of(t, e->slot) &= ~META_PENDING; /* the caller settles it */
		out[got++] = &t->slots[e->slot];
	}
	t->ring_tail = pos;
	return got;
}

uint64_t sw_contacts_evictions(const struct sw_contacts *t)
{
	return t->evictions;
}

/* ---- connection filter --------------------------------------------------- */

static uint64_t fold(const struct sw_addr *a)
{
	uint64_t w[2];

	memcpy(w, a->bytes, sizeof w);
	return w[0] ^ (w[1] * 0x9e3779b97f4a7c15ull) ^ a->family;
}

static uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* Both directions of a connection give the same hash: the endpoints are
 * combined in a fixed order. Keyed multiply-add then a finalizer: cheap,
 * and without the per-run key nobody can aim two connections at one slot
 * (a collision would only cost a lookup anyway). */
static uint64_t conn_hash(const struct sw_contacts *t, const struct sw_addr *a, uint16_t ap,
                          const struct sw_addr *b, uint16_t bp)
{
	uint64_t x = fold(a) ^ ((uint64_t)ap << 48);
	uint64_t y = fold(b) ^ ((uint64_t)bp << 48);
	uint64_t lo = x < y ? x : y, hi = x < y ? y : x;

	return fmix64((lo + t->ck[0]) * t->ck[1] + (hi + t->ck[2]) * t->ck[3]);
}

struct sw_conn sw_contacts_conn(struct sw_contacts *t, const struct sw_addr *src,
                                const struct sw_addr *dst, uint16_t sport, uint16_t dport)
{
	uint64_t h = conn_hash(t, src, sport, dst, dport);

	return (struct sw_conn){ &t->conn[h & t->conn_mask], (uint32_t)(h >> 32) | 0x80000000u };
}
