/*
 * sources.c - the sources and details tables (see sources.h).
 *
 * Sources: buckets of WAYS entries; a new source takes an empty slot, else
 * the least useful one of its bucket (no failures before some, oldest
 * first). The bucket's eight keys also sit together in one cache line of
 * their own, so finding a source reads that line and then only its entry,
 * not the 700 bytes of the bucket's entries. Details: a clock hand offers CANDIDATES slots at a time and the
 * least useful is taken; a detail whose owner was evicted is found free by
 * its key no longer matching. The distinct set of each detail is one open
 * addressing array of 32-bit keys shared by all groups: a target key is the
 * destination hash with the group in its low bits, a port key carries the
 * port, the group and a tag bit.
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
 * entries are whole 32-byte halves of lines (sources.h) */
static_assert(offsetof(struct sw_source, key) + 8 <= 32 &&
                  offsetof(struct sw_source, last_seen) + 8 <= 32 &&
                  offsetof(struct sw_source, detail) + 4 <= 32 &&
                  offsetof(struct sw_source, fails) + 4 <= 32 &&
                  offsetof(struct sw_source, scanner) < 32 &&
                  offsetof(struct sw_source, pend_group) < 32,
              "a source's victim fields are in its first 32 bytes");
static_assert(sizeof(struct sw_source) % 32 == 0, "a source entry is whole 32-byte halves");

struct sw_sources {
	struct sw_keyhash key;  /* keyhash.h */
	uint32_t bucket_mask;
	struct sw_source *src;
	uint64_t *keys;         /* keys[i] == src[i].key, a bucket's keys per line */
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
	t->det = sw_table_alloc((size_t)t->ndetails * sizeof *t->det);
	t->owners = sw_table_alloc((size_t)t->ndetails * sizeof *t->owners);
	t->sets = sw_table_alloc((size_t)t->ndetails * t->set_slots * sizeof *t->sets);
	if (!t->src || !t->keys || !t->det || !t->owners || !t->sets) {
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
	sw_table_free(t->det, (size_t)t->ndetails * sizeof *t->det);
	sw_table_free(t->owners, (size_t)t->ndetails * sizeof *t->owners);
	sw_table_free(t->sets, (size_t)t->ndetails * t->set_slots * sizeof *t->sets);
	free(t);
}

uint64_t sw_sources_memory(const struct sw_sources *t)
{
	return sizeof *t + ((uint64_t)t->bucket_mask + 1) * WAYS * (sizeof *t->src + sizeof *t->keys) +
	       (uint64_t)t->ndetails * (sizeof *t->det + sizeof *t->owners +
	                                 t->set_slots * sizeof *t->sets);
}

uint64_t sw_source_key(const struct sw_sources *t, const struct sw_addr *a)
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

static size_t bucket_first(const struct sw_sources *t, uint64_t key)
{
	return (size_t)((key >> 24) & t->bucket_mask) * WAYS;
}

struct sw_source *sw_sources_find(struct sw_sources *t, uint64_t key)
{
	size_t first = bucket_first(t, key);
	const uint64_t *k = t->keys + first;

	for (int i = 0; i < WAYS; i++)
		if (k[i] == key)
			return &t->src[first + (size_t)i];
	return NULL;
}

/* Higher is more worth keeping. */
static int source_worth(const struct sw_source *s)
{
	if (s->key == 0)
		return -1;
	return (s->scanner != 0) << 2 | ((s->fails[0] | s->fails[1]) != 0) << 1 |
	       ((s->detail | s->pend_group) != 0);
}

/* The victim among a bucket's entries b: the first empty one, else the
 * first of the least worth and, among those, the oldest. Worth and age
 * are compared as one number (worth above 58 bits of last_seen) when every
 * last_seen fits, as packet times do; otherwise entry by entry. */
static struct sw_source *pick_source_victim(struct sw_source *b)
{
	struct sw_source *v = NULL;
	uint64_t vr = UINT64_MAX;
	int vw = 0;

	for (int i = 0; i < WAYS; i++) {
		const struct sw_source *e = &b[i];
		uint64_t ls = (uint64_t)e->last_seen, r;

		if (e->key == 0)
			return &b[i]; /* worth -1: no other is less */
		if (ls >> 58)
			goto slow;
		r = (uint64_t)source_worth(e) << 58 | ls;
		if (r < vr) {
			vr = r;
			v = &b[i];
		}
	}
	return v;
slow:
	v = NULL;
	for (int i = 0; i < WAYS; i++) {
		int w = source_worth(&b[i]);
		if (!v || w < vw || (w == vw && b[i].last_seen < v->last_seen)) {
			v = &b[i];
			vw = w;
		}
	}
	return v;
}

struct sw_source *sw_sources_get(struct sw_sources *t, const struct sw_addr *a, int64_t now)
{
	uint64_t key = sw_source_key(t, a);
	size_t first = bucket_first(t, key);
	struct sw_source *b = t->src + first, *v;
	struct sw_source *found = sw_sources_find(t, key);

	if (found)
		return found;
	/* a new source: an empty slot or the least useful one, the first of
	 * the least worth and oldest (this reads the entries, but only for an
	 * address not seen before; each entry's worth is worked out once) */
	v = pick_source_victim(b);
	if (v->key != 0) {
		struct sw_detail *dt = v->detail ? &t->det[v->detail - 1] : NULL;
		t->src_evictions++;
		if (dt && dt->src_key == v->key) {
			t->on_evict(t->ctx, dt);
			dt->src_key = 0;
			t->owners[dt - t->det] = 0;
		}
	}
	memset(v, 0, sizeof *v);
	v->key = key;
	t->keys[v - t->src] = key;
	v->addr = *a;
	v->first_seen = v->last_seen = now;
	return v;
}

static uint32_t *set_of(struct sw_sources *t, const struct sw_detail *dt)
{
	return t->sets + (size_t)(dt - t->det) * t->set_slots;
}

static bool detail_open(const struct sw_detail *dt)
{
	for (int g = 0; g < SW_G_COUNT; g++)
		if (dt->g[g].seq)
			return true;
	return false;
}

static uint64_t detail_worth(const struct sw_detail *dt)
{
	uint64_t w = 0;

	for (int g = 0; g < SW_G_COUNT; g++)
		w += dt->g[g].fails + dt->g[g].probes;
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

/*
 * Empty a detail for its next owner, as a memset of it and its set would,
 * writing only what was written: the set slot by slot when it holds at
 * most SW_SET_TRACK keys (the usual case; a whole set is kilobytes), and
 * only the groups that recorded something (a group with no probes is all
 * zero: every change to one records a probe, and closing it zeroes it).
 */
static void clear_detail(struct sw_sources *t, struct sw_detail *dt)
{
	uint32_t *set = set_of(t, dt);

	if (dt->used > SW_SET_TRACK)
		memset(set, 0, t->set_slots * sizeof *set);
	else
		for (uint32_t i = 0; i < dt->used; i++)
			set[dt->slot[i]] = 0;
	for (int g = 0; g < SW_G_COUNT; g++)
		if (dt->g[g].probes)
			memset(&dt->g[g], 0, sizeof dt->g[g]);
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
		}
	}
	clear_detail(t, dt);
	dt->src_key = s->key;
	t->owners[dt - t->det] = s->key;
	s->detail = (uint32_t)(dt - t->det) + 1;
	s->earned = 1;
	return dt;
}

static bool set_add(struct sw_sources *t, struct sw_detail *dt, uint32_t key, bool *full)
{
	uint32_t *set = set_of(t, dt);
	uint32_t mask = t->set_slots - 1;
	uint32_t i = (key * 0x9e3779b1u) >> 7 & mask;

	*full = false;
	for (;;) {
		if (set[i] == key)
			return false;
		if (set[i] == 0)
			break;
		i = (i + 1) & mask;
	}
	if (dt->used >= t->set_cap) {
		*full = true;
		return false;
	}
	set[i] = key;
	if (dt->used < SW_SET_TRACK)
		dt->slot[dt->used] = i;
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
