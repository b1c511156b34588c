/*
 * test_distinct_sets.c - the details' distinct sets (sensor/sources.c): up to
 * SW_SET_SMALL keys kept in the detail itself, then all of them in its
 * hashed array. Against a plain set written here: whether each target or
 * port is new, and when the cap is reached (the key then not added), for
 * sets that stay small, that outgrow the small one (at its edge and far
 * past it) and that reach their cap, with caps below, at and above
 * SW_SET_SMALL; and details reused by new owners (a few details for many
 * sources), whose sets start empty whatever the last owner left.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "siphash.h"
#include "sources.h"

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void no_evict(void *ctx, struct sw_detail *dt)
{
	(void)ctx;
	(void)dt;
}

/* a member of the model: a target hash (below 2^28: the set keeps 28
 * bits of it) or a port, with its group */
struct member {
	bool port;
	unsigned group;
	uint32_t value;
};

#define MODEL_MAX 2048

struct model {
	struct member m[MODEL_MAX];
	unsigned n;
};

static bool model_has(const struct model *mo, struct member x)
{
	for (unsigned i = 0; i < mo->n; i++)
		if (mo->m[i].port == x.port && mo->m[i].group == x.group &&
		    mo->m[i].value == x.value)
			return true;
	return false;
}

/* adds random members (from a universe of about twice as many) to dt and
 * to the model, checking each answer */
static void add_some(struct sw_sources *t, struct sw_detail *dt, struct model *mo,
                     unsigned adds, unsigned cap)
{
	unsigned universe = adds < 4 ? 8 : 2 * adds;

	for (unsigned a = 0; a < adds; a++) {
		struct member x = { rnd() % 2 == 0, (unsigned)(rnd() % SW_G_COUNT),
			            (uint32_t)(rnd() % universe) };
		bool full, isnew, had = model_has(mo, x);

		if (x.port)
			isnew = sw_detail_add_port(t, dt, x.group, (uint16_t)x.value, &full);
		else
			isnew = sw_detail_add_target(t, dt, x.group, x.value, &full);
		assert_int_equal(isnew, !had && mo->n < cap);
		assert_int_equal(full, !had && mo->n >= cap);
		if (isnew)
			mo->m[mo->n++] = x;
		assert_int_equal(dt->used, mo->n);
	}
}

static void sets_with_cap(unsigned cap)
{
	struct sw_sipkey key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };
	/* eight details for a new source each round: each is reused */
	struct sw_sources *t = sw_sources_new(256, 8, cap, &key, no_evict, NULL);
	static struct model mo;
	unsigned sizes[] = { 0, 3, SW_SET_SMALL - 1, SW_SET_SMALL, SW_SET_SMALL + 1, 40,
		             cap + 20 < MODEL_MAX ? cap + 20 : MODEL_MAX / 2, 7 };

	assert_non_null(t);
	for (unsigned round = 0; round < 160; round++) {
		struct sw_addr a = { .family = SW_AF_INET,
			             .bytes = { 10, (uint8_t)(round >> 8), (uint8_t)round, 1 } };
		bool created;
		struct sw_source *s = sw_sources_get(t, &a, (int64_t)round * 1000000, &created);
		struct sw_detail *dt;
		unsigned adds = sizes[round % 8] * (round % 3 == 2 ? 2 : 1);

		assert_non_null(s);
		dt = sw_sources_detail(t, s, true);
		assert_non_null(dt);
		assert_int_equal(dt->used, 0);
		memset(&mo, 0, sizeof mo);
		add_some(t, dt, &mo, adds > MODEL_MAX / 2 ? MODEL_MAX / 2 : adds, cap);
		/* every member is known, nothing else is */
		for (unsigned i = 0; i < mo.n; i++) {
			bool full;
			bool isnew = mo.m[i].port
			                     ? sw_detail_add_port(t, dt, mo.m[i].group,
			                                          (uint16_t)mo.m[i].value, &full)
			                     : sw_detail_add_target(t, dt, mo.m[i].group,
			                                            mo.m[i].value, &full);
			assert_false(isnew);
			assert_false(full);
		}
	}
	sw_sources_free(t);
}

static void test_distinct_sets(void **state)
{
	(void)state;
	sets_with_cap(1024);
	sets_with_cap(16);
	sets_with_cap(SW_SET_SMALL);
	sets_with_cap(20);
	sets_with_cap(8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distinct_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
