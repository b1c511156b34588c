/*
 * test_contacts.c - the contact table's victim choice (contacts.c): the
 * first empty way, else a settled contact before a pending one and the
 * oldest (by its 2^20 us time) first, the first way on a tie. Hand-made
 * cases, then random operations on one bucket against a model of the rule
 * written here, with ordinary and hostile (up to 2^62 us) packet times.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contacts.h"
#include "siphash.h"

#define WAYS 8

static struct sw_sipkey test_key(void)
{
	struct sw_sipkey k;

	memset(&k, 0x5a, sizeof k);
	return k;
}

/* A key in bucket 0 of any table (low bits 0) with a distinct tag. */
static uint64_t bkey(uint32_t n)
{
	return (uint64_t)(n + 1) << 32;
}

/* Insert key; then, if t >= 0, make it pending at time t. Returns the
 * evicted pending contact's key through *victim_key (0 if none). */
static struct sw_contact *add(struct sw_contacts *t, uint64_t key, int64_t when,
                              uint64_t *victim_key)
{
	struct sw_contact victim;
	bool had = false;
	struct sw_contact *c = sw_contacts_insert(t, key, &victim, &had);

	assert_non_null(c);
	*victim_key = had ? victim.key : 0;
	if (when >= 0) {
		c->t = when;
		c->state = SW_C_SYN;
		sw_contacts_arm(t, c);
	}
	return c;
}

static void settle(struct sw_contacts *t, uint64_t key)
{
	struct sw_contact *c = sw_contacts_find(t, key);

	assert_non_null(c);
	c->state = SW_C_DONE;
	sw_contacts_settled(t, c);
}

#define SEC(s) ((int64_t)(s) << 20)

/* Fill the bucket (ways 0..7 armed at the given times), settle those in
 * the mask, insert one more: the key that went. */
static uint64_t evicted(const int64_t when[WAYS], unsigned settled_mask, bool *was_pending)
{
	struct sw_sipkey k = test_key();
	struct sw_contacts *t = sw_contacts_new(WAYS, &k);
	uint64_t vk, gone = 0;

	assert_non_null(t);
	for (uint32_t i = 0; i < WAYS; i++) {
		add(t, bkey(i), when[i], &vk);
		assert_int_equal(vk, 0);
	}
	assert_int_equal(sw_contacts_evictions(t), 0);
	for (uint32_t i = 0; i < WAYS; i++)
		if (settled_mask & 1u << i)
			settle(t, bkey(i));
	add(t, bkey(100), SEC(1000), &vk);
	assert_int_equal(sw_contacts_evictions(t), 1);
	for (uint32_t i = 0; i < WAYS; i++) {
		if (!sw_contacts_find(t, bkey(i))) {
			assert_int_equal(gone, 0);
			gone = bkey(i);
		}
	}
	assert_int_not_equal(gone, 0);
	*was_pending = vk != 0;
	if (vk)
		assert_int_equal(vk, gone);
	sw_contacts_free(t);
	return gone;
}

static void test_victim_cases(void **state)
{
	(void)state;
	bool pend;
	const int64_t asc[WAYS] = { SEC(10), SEC(11), SEC(12), SEC(13), SEC(14), SEC(15), SEC(16), SEC(17) };
	const int64_t mixed[WAYS] = { SEC(50), SEC(20), SEC(30), SEC(5), SEC(40), SEC(20), SEC(60), SEC(7) };
	const int64_t same[WAYS] = { SEC(9), SEC(9) + 1, SEC(9) + 5, SEC(9), SEC(9), SEC(9), SEC(9), SEC(9) };

	/* all pending: the oldest, handed back to be counted */
	assert_int_equal(evicted(asc, 0, &pend), bkey(0));
	assert_true(pend);
	assert_int_equal(evicted(mixed, 0, &pend), bkey(3));
	assert_true(pend);
	/* a settled one goes before an older pending one */
	assert_int_equal(evicted(mixed, 1u << 6, &pend), bkey(6));
	assert_false(pend);
	/* the oldest settled one, not the oldest of all */
	assert_int_equal(evicted(mixed, 1u << 0 | 1u << 2 | 1u << 4, &pend), bkey(2));
	assert_false(pend);
	assert_int_equal(evicted(asc, 0xf0, &pend), bkey(4));
	/* a tie (same 2^20 us): the first way */
	assert_int_equal(evicted(mixed, 1u << 1 | 1u << 5, &pend), bkey(1));
	assert_int_equal(evicted(mixed, 0xff & ~(1u << 3 | 1u << 7), &pend), bkey(1));
	assert_int_equal(evicted(same, 0, &pend), bkey(0));
	assert_int_equal(evicted(same, 0xfe, &pend), bkey(1));
	assert_int_equal(evicted(same, 0x80, &pend), bkey(7));
}

static void test_victim_empty_first(void **state)
{
	(void)state;
	struct sw_sipkey k = test_key();
	struct sw_contacts *t = sw_contacts_new(WAYS, &k);
	uint64_t vk;

	assert_non_null(t);
	/* unarmed contacts (meta 0) and settled ones never go while a way is free */
	for (uint32_t i = 0; i < WAYS; i++) {
		add(t, bkey(i), i % 2 ? -1 : SEC(3), &vk);
		if (i % 4 == 0)
			settle(t, bkey(i));
		assert_int_equal(vk, 0);
		assert_int_equal(sw_contacts_evictions(t), 0);
		for (uint32_t j = 0; j <= i; j++)
			assert_non_null(sw_contacts_find(t, bkey(j)));
	}
	/* full: an unarmed one is settled at time 0, the first of them goes */
	add(t, bkey(50), SEC(3), &vk);
	assert_int_equal(vk, 0);
	assert_null(sw_contacts_find(t, bkey(1)));
	sw_contacts_free(t);
}

/* ---- random operations against a model ----------------------------------- */

struct mway {
	uint64_t key;   /* 0: empty */
	uint32_t time;  /* (t >> 20) mod 2^31; 0 while unarmed */
	bool pending;
};

/* The rule: first empty; else the first settled of the least time; else
 * the first pending of the least time. */
static int model_victim(const struct mway *m)
{
	int v = -1;

	for (int i = 0; i < WAYS; i++)
		if (m[i].key == 0)
			return i;
	for (int pass = 0; pass < 2 && v < 0; pass++)
		for (int i = 0; i < WAYS; i++)
			if (m[i].pending == (pass == 1) && (v < 0 || m[i].time < m[v].time))
				v = i;
	return v;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void random_run(uint64_t seed, bool hostile)
{
	struct sw_sipkey k = test_key();
	struct sw_contacts *t = sw_contacts_new(WAYS, &k);
	struct mway m[WAYS];
	uint64_t s = seed, next = 1, evictions = 0;

	assert_non_null(t);
	memset(m, 0, sizeof m);
	for (int op = 0; op < 20000; op++) {
		uint64_t r = rnd(&s);
		int w = (int)(r % WAYS);

		if (r % 5 == 0 && m[w].key && m[w].pending) {
			settle(t, m[w].key);
			m[w].pending = false;
			continue;
		}
		/* a new contact: the model says which way it takes */
		int v = model_victim(m);
		uint64_t key = bkey((uint32_t)next++), vk;
		int64_t when;

		if ((r >> 8) % 7 == 0)
			when = -1; /* inserted, never armed */
		else if (hostile && (r >> 16) % 3 == 0)
			when = (int64_t)(rnd(&s) >> 2);
		else
			when = SEC((r >> 20) % 24) + (int64_t)((r >> 40) % (1u << 20));
		if (m[v].key)
			evictions++;
		add(t, key, when, &vk);
		assert_int_equal(vk, m[v].key && m[v].pending ? m[v].key : 0);
		if (m[v].key)
			assert_null(sw_contacts_find(t, m[v].key));
		m[v].key = key;
		m[v].pending = when >= 0;
		m[v].time = when >= 0 ? (uint32_t)((uint64_t)when >> 20) & 0x7fffffffu : 0;
		assert_int_equal(sw_contacts_evictions(t), evictions);
		for (int i = 0; i < WAYS; i++)
			if (m[i].key)
				assert_non_null(sw_contacts_find(t, m[i].key));
	}
	sw_contacts_free(t);
}

static void test_victim_random(void **state)
{
	(void)state;
	random_run(0x9e3779b97f4a7c15ull, false);
	random_run(0x243f6a8885a308d3ull, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_victim_cases),
		cmocka_unit_test(test_victim_empty_first),
		cmocka_unit_test(test_victim_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
