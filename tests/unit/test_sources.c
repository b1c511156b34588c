/*
 * test_sources.c - the sources table (sources.c): an entry's layout (what
 * a new source writes and a probe reads in its first cache line), what a
 * new source's entry holds whatever its slot held before, finding sources
 * whose keys share a slot word's tag, and the choice of victims against a
 * model of the rule it must keep (the first empty slot, else the first of
 * the least worth and, among those, the oldest), under ties, packet times
 * that go back, and times out of the slot words' window (hostile captures).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "siphash.h"
#include "sources.h"

static const struct sw_sipkey seed = { 0x0706050403020100, 0x0f0e0d0c0b0a0908 };

static unsigned evicted_details;

static void count_evict(void *ctx, struct sw_detail *victim)
{
	(void)ctx;
	assert_non_null(victim);
	evicted_details++;
}

static struct sw_addr v4(uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	struct sw_addr a;

	sw_addr_set4(&a, b);
	return a;
}

static struct sw_addr v6(uint32_t v)
{
	uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct sw_addr a;

	b[12] = (uint8_t)(v >> 24);
	b[13] = (uint8_t)(v >> 16);
	b[14] = (uint8_t)(v >> 8);
	b[15] = (uint8_t)v;
	sw_addr_set6(&a, b);
	return a;
}

static bool addr_same(const struct sw_addr *a, const struct sw_addr *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

/* ---- layout --------------------------------------------------------------- */

#define FIRST_LINE(f) (offsetof(struct sw_source, f) + sizeof(((struct sw_source *)0)->f) <= 64)

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct sw_source) % 64, 0);
	assert_int_equal(_Alignof(struct sw_source), 64);
	/* a new source's writes and a known one's probe and outcome */
	assert_true(FIRST_LINE(key) && FIRST_LINE(sig) && FIRST_LINE(sig_n) && FIRST_LINE(fp) &&
	            FIRST_LINE(addr4));
	assert_true(FIRST_LINE(trw) && FIRST_LINE(fails) && FIRST_LINE(ok) &&
	            FIRST_LINE(recent_ok) && FIRST_LINE(recent_fail) && FIRST_LINE(scanner) &&
	            FIRST_LINE(pend_group));
	/* what is rarely used, after it */
	assert_true(offsetof(struct sw_source, pend) >= 64);
	assert_true(offsetof(struct sw_source, detail) >= 64);
	assert_true(offsetof(struct sw_source, addr6) >= 64);
	assert_true(offsetof(struct sw_source, last_seen) >= 64);
}

/* ---- new sources ---------------------------------------------------------- */

/* A table of one bucket filled with sources whose first lines are all
 * ones (then touched: they are worth the most), and one more: it takes
 * the oldest slot, its first line zero but for its key and address. */
static void new_source_in_dirty_slot(const struct sw_addr *fresh)
{
	struct sw_sources *t = sw_sources_new(8, 8, 16, &seed, count_evict, NULL);
	struct sw_source *s[8], *n;
	struct sw_addr back;
	bool created;

	assert_non_null(t);
	for (uint32_t i = 0; i < 8; i++) {
		struct sw_addr a = v4(0x0a000001u + i);
		uint64_t key;

		s[i] = sw_sources_get(t, &a, 1000 + i, &created);
		assert_true(created);
		key = s[i]->key;
		memset(s[i], 0xff, 64);
		s[i]->key = key;
		s[i]->inet6 = 0;
		sw_sources_touch(t, s[i]);
	}
	n = sw_sources_get(t, fresh, 2000, &created);
	assert_true(created);
	assert_ptr_equal(n, s[0]); /* all of worth 7: the oldest */
	assert_int_equal(sw_sources_evictions(t), 1);
	assert_int_equal(n->key, sw_source_key(t, fresh));
	back = sw_source_addr(n);
	assert_true(addr_same(&back, fresh));
	assert_int_equal(n->inet6, fresh->family == SW_AF_INET6);
	assert_int_equal(n->sig, 0);
	assert_int_equal(n->sig_n, 0);
	assert_true(n->trw[0] == 0 && n->trw[1] == 0);
	assert_true(n->fails[0] == 0 && n->fails[1] == 0 && n->ok[0] == 0 && n->ok[1] == 0);
	assert_true(n->recent_ok[0] == 0 && n->recent_ok[1] == 0 && n->recent_fail[0] == 0 &&
	            n->recent_fail[1] == 0);
	assert_int_equal(n->scanner, 0);
	assert_int_equal(n->pend_group, 0);
	assert_int_equal(n->outbound, 0);
	assert_int_equal(n->earned, 0);
	{
		struct sw_fp_state zero;
		memset(&zero, 0, sizeof zero);
		assert_memory_equal(&n->fp, &zero, sizeof zero);
	}
	/* no detail, whatever the line after says */
	assert_null(sw_sources_detail(t, n, false));
	/* the evicted source is gone, the others stay */
	{
		struct sw_addr gone = v4(0x0a000001u);
		assert_null(sw_sources_find(t, sw_source_key(t, &gone)));
	}
	for (uint32_t i = 1; i < 8; i++) {
		struct sw_addr a = v4(0x0a000001u + i);
		assert_ptr_equal(sw_sources_find(t, sw_source_key(t, &a)), s[i]);
	}
	sw_sources_free(t);
}

static void test_new_source_ipv4(void **state)
{
	struct sw_addr a = v4(0xc6336417);

	(void)state;
	new_source_in_dirty_slot(&a);
}

static void test_new_source_ipv6(void **state)
{
	struct sw_addr a = v6(0xdeadbeef);

	(void)state;
	new_source_in_dirty_slot(&a);
}

/* ---- tags ----------------------------------------------------------------- */

/* Two addresses whose keys share their low 12 bits (a slot word's tag) in
 * a table of one bucket: each is found as itself, and the one evicted is
 * not found through the other's tag. */
static void test_same_tag(void **state)
{
	struct sw_sources *t = sw_sources_new(8, 8, 16, &seed, count_evict, NULL);
	static uint32_t seen_tag[4096];
	struct sw_addr a, b;
	struct sw_source *sa, *sb;
	bool found = false, created;

	(void)state;
	assert_non_null(t);
	memset(seen_tag, 0, sizeof seen_tag);
	for (uint32_t i = 1; i < 100000 && !found; i++) {
		struct sw_addr c = v4(0xc0000000u + i);
		uint64_t k = sw_source_key(t, &c);

		if (seen_tag[k & 4095]) {
			a = v4(0xc0000000u + seen_tag[k & 4095]);
			b = c;
			found = true;
		}
		seen_tag[k & 4095] = i;
	}
	assert_true(found);
	assert_int_equal(sw_source_key(t, &a) & 4095, sw_source_key(t, &b) & 4095);
	assert_int_not_equal(sw_source_key(t, &a), sw_source_key(t, &b));
	sa = sw_sources_get(t, &a, 10, &created);
	assert_true(created);
	assert_null(sw_sources_find(t, sw_source_key(t, &b)));
	sb = sw_sources_get(t, &b, 11, &created);
	assert_true(created);
	assert_ptr_not_equal(sa, sb);
	assert_ptr_equal(sw_sources_get(t, &a, 12, &created), sa);
	assert_false(created);
	assert_ptr_equal(sw_sources_seen(t, sw_source_key(t, &b), 13), sb);
	/* six more, then one that evicts the oldest: a (seen at 12, b at 13) */
	for (uint32_t i = 0; i < 6; i++) {
		struct sw_addr c = v4(0x0b000000u + i);
		sw_sources_get(t, &c, 20 + i, &created);
		assert_true(created);
	}
	{
		struct sw_addr c = v4(0x0c000000u);
		assert_ptr_equal(sw_sources_get(t, &c, 30, &created), sa);
		assert_true(created);
	}
	assert_null(sw_sources_find(t, sw_source_key(t, &a)));
	assert_ptr_equal(sw_sources_find(t, sw_source_key(t, &b)), sb);
	sw_sources_free(t);
}

/* ---- victims against a model ---------------------------------------------- */

#define POOL 24

struct model {
	uint64_t key[8];       /* 0: empty */
	int64_t last_seen[8];
	uint64_t evictions;
};

/* The worth of slot i as the rule has it, from the entry and whether the
 * details table says it owns a detail. */
static unsigned model_worth(struct sw_sources *t, const struct sw_source *s)
{
	bool has_detail = false;

	for (unsigned i = 0; i < sw_sources_ndetails(t); i++) {
		struct sw_detail *dt = sw_sources_detail_at(t, i);
		if (dt && sw_detail_owner(t, dt) == s)
			has_detail = true;
	}
	return (s->scanner != 0) << 2 | ((s->fails[0] | s->fails[1]) != 0) << 1 |
	       (has_detail || s->pend_group != 0);
}

static int model_find(const struct model *m, uint64_t key)
{
	for (int i = 0; i < 8; i++)
		if (m->key[i] == key)
			return i;
	return -1;
}

static int model_victim(struct sw_sources *t, const struct model *m, struct sw_source *base)
{
	int v = -1;
	unsigned vw = 0;

	for (int i = 0; i < 8; i++) {
		unsigned w;
		if (m->key[i] == 0)
			return i;
		w = model_worth(t, &base[i]);
		if (v < 0 || w < vw || (w == vw && m->last_seen[i] < m->last_seen[v])) {
			v = i;
			vw = w;
		}
	}
	return v;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

#define T0 INT64_C(1795737600000000) /* 2026-11-28, microseconds */

/* A packet time: mostly a few microseconds on (ties among them), now and
 * then back, and at times out of the window of the slot words: before it,
 * beyond it, its edges, the ends of int64. */
static int64_t next_time(int64_t *clock)
{
	uint64_t r = rnd() % 100;

	if (r < 70) {
		*clock += (int64_t)(rnd() % 3);
		return *clock;
	}
	if (r < 80)
		return *clock - (int64_t)(rnd() % 50);
	switch (rnd() % 8) {
	case 0: return T0 - (INT64_C(1) << 42) - (int64_t)(rnd() % 3);       /* window's start */
	case 1: return T0 - (INT64_C(1) << 42) + (INT64_C(1) << 46) - 2 + (int64_t)(rnd() % 4);
	case 2: return T0 - (INT64_C(1) << 43) - (int64_t)(rnd() % 5);       /* before it */
	case 3: return (INT64_C(1) << 59) + (int64_t)(rnd() % 5);            /* beyond it */
	case 4: return INT64_MAX - (int64_t)(rnd() % 3);
	case 5: return INT64_MIN + (int64_t)(rnd() % 3);
	case 6: return -(int64_t)(rnd() % 3);
	default: return *clock + (INT64_C(1) << 47);
	}
}

static void check_model(struct sw_sources *t, const struct model *m, struct sw_source *base)
{
	for (int i = 0; i < 8; i++)
		if (m->key[i])
			assert_ptr_equal(sw_sources_find(t, m->key[i]), &base[i]);
	assert_int_equal(sw_sources_evictions(t), m->evictions);
}

static void victims_against_model(bool hostile, uint64_t seed_state)
{
	struct sw_sources *t = sw_sources_new(8, 8, 16, &seed, count_evict, NULL);
	struct sw_addr pool[POOL];
	struct sw_source *base = NULL;
	struct model m;
	int64_t clock = T0;

	assert_non_null(t);
	rnd_state = seed_state;
	memset(&m, 0, sizeof m);
	for (uint32_t i = 0; i < POOL; i++)
		pool[i] = i % 4 == 3 ? v6(i) : v4(0x0a000000u + i * 7919);
	for (unsigned step = 0; step < 20000; step++) {
		uint64_t r = rnd() % 100;
		const struct sw_addr *a = &pool[rnd() % POOL];
		uint64_t key = sw_source_key(t, a);
		int64_t now = hostile ? next_time(&clock) : (clock += (int64_t)(rnd() % 3));
		int at = model_find(&m, key);

		if (r < 60) {
			bool created;
			/* (the first source, base still NULL, takes the empty slot 0) */
			int v = at >= 0 ? at : model_victim(t, &m, base);
			struct sw_source *s;
			struct sw_addr back;

			s = sw_sources_get(t, a, now, &created);
			if (!base) {
				assert_true(created);
				base = s; /* the first source takes slot 0 */
			}
			assert_int_equal(created, at < 0);
			assert_ptr_equal(s, &base[v]);
			if (at < 0) {
				if (m.key[v])
					m.evictions++;
				m.key[v] = key;
				m.last_seen[v] = now;
			} else if (now > m.last_seen[v]) {
				m.last_seen[v] = now;
			}
			back = sw_source_addr(s);
			assert_true(addr_same(&back, a));
		} else if (r < 75) {
			struct sw_source *s = sw_sources_seen(t, key, now);

			assert_true((s != NULL) == (at >= 0));
			if (s) {
				assert_ptr_equal(s, &base[at]);
				if (now > m.last_seen[at])
					m.last_seen[at] = now;
			}
		} else if (r < 92 && at >= 0) {
			struct sw_source *s = &base[at];

			switch (rnd() % 4) {
			case 0: s->scanner = (uint8_t)(rnd() % 4); break;
			case 1: s->fails[rnd() % 2] = (uint16_t)(rnd() % 2); break;
			case 2: s->pend_group = (uint8_t)(rnd() % 3); break;
			default: s->fails[0] = s->fails[1] = 0; s->scanner = 0; break;
			}
			sw_sources_touch(t, s);
		} else if (at >= 0) {
			/* a detail: maybe taken from another source */
			assert_non_null(sw_sources_detail(t, &base[at], true));
			assert_true(base[at].earned);
		}
		check_model(t, &m, base);
	}
	assert_true(m.evictions > 1000);
	sw_sources_free(t);
}

static void test_victims(void **state)
{
	(void)state;
	victims_against_model(false, 0x9e3779b97f4a7c15u);
	victims_against_model(false, 12345);
}

static void test_victims_hostile_times(void **state)
{
	(void)state;
	victims_against_model(true, 0x9e3779b97f4a7c15u);
	victims_against_model(true, 777);
}

/* Sources each new, seen at the given times in turn, against the model:
 * the first sets the window of the slot words' ages, anywhere in int64. */
static void times_against_model(const int64_t *times, unsigned n)
{
	struct sw_sources *t = sw_sources_new(8, 8, 16, &seed, count_evict, NULL);
	struct sw_source *base = NULL;
	struct model m;

	assert_non_null(t);
	memset(&m, 0, sizeof m);
	for (unsigned k = 0; k < n; k++) {
		struct sw_addr a = v4(0x0a000000u + k);
		uint64_t key = sw_source_key(t, &a);
		int v = model_victim(t, &m, base);
		bool created;
		struct sw_source *s = sw_sources_get(t, &a, times[k], &created);

		if (!base)
			base = s;
		assert_true(created);
		assert_ptr_equal(s, &base[v]);
		if (m.key[v])
			m.evictions++;
		m.key[v] = key;
		m.last_seen[v] = times[k];
		/* seen again, a microsecond later where there is one */
		if (times[k] < INT64_MAX && k % 3 == 0) {
			assert_ptr_equal(sw_sources_seen(t, key, times[k] + 1), s);
			m.last_seen[v] = times[k] + 1;
		}
		check_model(t, &m, base);
	}
	sw_sources_free(t);
}

static void test_victims_extreme_times(void **state)
{
	const int64_t max = INT64_MAX, min = INT64_MIN, w = INT64_C(1) << 46;
	/* first near the top: the window ends at int64's; times far before
	 * it must not wrap into it */
	const int64_t top[] = { max - 5, min, max, min + 1, max - 6, 0, max - w, min + w,
		                max - 1, -1, max - 5, min + 2, max - 2, 1, min + 3, max - 3 };
	/* the same, times at both ends only (no SLOW word but theirs) */
	const int64_t ends[] = { max - 5, min, max - 6, min + 1, max - 7, min + 2, max - 4,
		                 max - 3, max - 2, max - 1, max, min + 3, max - 8 };
	/* first at the bottom: the window starts at int64's */
	const int64_t bottom[] = { min + 2, max, min, min + w, max - 1, min + 1, 0, min + w - 1,
		                   min + 3, max, min + 2 * w, -5, min, 5, max - 2, min + 4 };
	/* a window in the middle, times on its edges */
	const int64_t mid[] = { T0, T0 - (INT64_C(1) << 42), T0 - (INT64_C(1) << 42) - 1,
		                T0 - (INT64_C(1) << 42) + w - 1, T0 - (INT64_C(1) << 42) + w,
		                T0 + 1, T0 - 1, max, min, T0 - (INT64_C(1) << 42) + w - 2, T0,
		                T0 + 2, T0 - (INT64_C(1) << 42) + 1, T0, min, max };

	(void)state;
	times_against_model(top, sizeof top / sizeof top[0]);
	times_against_model(ends, sizeof ends / sizeof ends[0]);
	times_against_model(bottom, sizeof bottom / sizeof bottom[0]);
	times_against_model(mid, sizeof mid / sizeof mid[0]);
}

/* A victim with a detail has it closed (on_evict) and freed. */
static void test_victim_with_detail(void **state)
{
	struct sw_sources *t = sw_sources_new(8, 8, 16, &seed, count_evict, NULL);
	struct sw_source *s[8];
	bool created;
	unsigned owned = 0;

	(void)state;
	assert_non_null(t);
	evicted_details = 0;
	for (uint32_t i = 0; i < 8; i++) {
		struct sw_addr a = v4(0x0a000001u + i);
		s[i] = sw_sources_get(t, &a, 100 + i, &created);
	}
	assert_non_null(sw_sources_detail(t, s[0], true));
	{
		struct sw_addr a = v4(0x0b000001u);
		/* s[0] is worth more now: s[1], the oldest of the rest, goes */
		assert_ptr_equal(sw_sources_get(t, &a, 200, &created), s[1]);
	}
	assert_int_equal(evicted_details, 0);
	for (uint32_t i = 1; i < 8; i++) {
		s[i]->scanner = 1;
		sw_sources_touch(t, s[i]);
	}
	{
		struct sw_addr a = v4(0x0b000002u);
		/* the others scanners: s[0] (its detail) is worth the least */
		assert_ptr_equal(sw_sources_get(t, &a, 201, &created), s[0]);
	}
	assert_int_equal(evicted_details, 1);
	for (unsigned i = 0; i < sw_sources_ndetails(t); i++)
		owned += sw_sources_detail_at(t, i) != NULL;
	assert_int_equal(owned, 0);
	assert_null(sw_sources_detail(t, s[0], false));
	sw_sources_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_new_source_ipv4),
		cmocka_unit_test(test_new_source_ipv6),
		cmocka_unit_test(test_same_tag),
		cmocka_unit_test(test_victims),
		cmocka_unit_test(test_victims_hostile_times),
		cmocka_unit_test(test_victims_extreme_times),
		cmocka_unit_test(test_victim_with_detail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
