/*
 * test_contacts.c - the contact table (contacts.c): its victim choice (the
 * first empty way, else a settled contact before a pending one and the
 * oldest (by its 2^20 us time) first, the first way on a tie), lookup
 * against key then find, the connection filter's handles, and the timeout
 * ring. Hand-made cases, then random operations on one bucket (insert,
 * settle, arm again, expire) against a model of the victim rule and of the
 * ring written here, with ordinary and hostile (up to 2^62 us) packet
 * times. Then the ring's times over laps of a larger table.
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

/* Insert key at time when (armed as it is inserted), pending as a SYN.
 * Returns the evicted pending contact's key through *victim_key (0 if
 * none). */
static struct sw_contact *add(struct sw_contacts *t, uint64_t key, int64_t when,
                              uint64_t *victim_key)
{
	struct sw_contact victim;
	struct sw_contact *c;

	memset(&victim, 0x5a, sizeof victim); /* insert says whether there was one */
	c = sw_contacts_insert(t, key, when, &victim);

	assert_non_null(c);
	assert_int_equal(c->key, key);
	assert_int_equal(c->t, when);
	*victim_key = victim.key;
	c->state = SW_C_SYN;
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
	/* contacts of time 0 (the least meta) and settled ones never go while
	 * a way is free */
	for (uint32_t i = 0; i < WAYS; i++) {
		add(t, bkey(i), i % 2 ? 0 : SEC(3), &vk);
		if (i % 4 == 0)
			settle(t, bkey(i));
		assert_int_equal(vk, 0);
		assert_int_equal(sw_contacts_evictions(t), 0);
		for (uint32_t j = 0; j <= i; j++)
			assert_non_null(sw_contacts_find(t, bkey(j)));
	}
	/* full: a settled one goes before the older pending ones */
	add(t, bkey(50), SEC(3), &vk);
	assert_int_equal(vk, 0);
	assert_null(sw_contacts_find(t, bkey(0)));
	sw_contacts_free(t);
}

/* sw_contacts_lookup is sw_contact_key then sw_contacts_find */
static void test_lookup(void **state)
{
	(void)state;
	struct sw_sipkey k = test_key();
	struct sw_contacts *t = sw_contacts_new(1024, &k);
	struct sw_addr a = { .family = SW_AF_INET, .bytes = { 192, 0, 2, 1 } };
	struct sw_addr b = { .family = SW_AF_INET, .bytes = { 198, 51, 100, 7 } };
	struct sw_addr a6 = { .family = SW_AF_INET6, .bytes = { 0x20, 1, 0xd, 0xb8, [15] = 1 } };
	uint64_t key, vk;
	struct sw_contact *c;

	assert_non_null(t);
	assert_null(sw_contacts_lookup(t, &a, &b, 6, 80, &key));
	assert_int_equal(key, sw_contact_key(t, &a, &b, 6, 80));
	c = add(t, key, SEC(1), &vk);
	assert_ptr_equal(sw_contacts_lookup(t, &a, &b, 6, 80, &key), c);
	assert_int_equal(key, sw_contact_key(t, &a, &b, 6, 80));
	assert_null(sw_contacts_lookup(t, &b, &a, 6, 80, &key));
	assert_int_equal(key, sw_contact_key(t, &b, &a, 6, 80));
	assert_null(sw_contacts_lookup(t, &a, &b, 17, 80, &key));
	assert_int_equal(key, sw_contact_key(t, &a, &b, 17, 80));
	assert_null(sw_contacts_lookup(t, &a6, &b, 6, 80, &key));
	assert_int_equal(key, sw_contact_key(t, &a6, &b, 6, 80));
	c = add(t, key, SEC(1), &vk);
	assert_ptr_equal(sw_contacts_lookup(t, &a6, &b, 6, 80, &key), c);
	sw_contacts_free(t);
}

/* The connection filter: both directions are one connection; a handle
 * asks and changes its own entry; with one slot (a table of 8 contacts has
 * 8 / 8 filter slots) connections overwrite each other, and forgetting
 * one leaves another's tag */
static void test_conn_filter(void **state)
{
	(void)state;
	struct sw_sipkey k = test_key();
	struct sw_contacts *t = sw_contacts_new(WAYS, &k);
	struct sw_addr a = { .family = SW_AF_INET, .bytes = { 192, 0, 2, 1 } };
	struct sw_addr b = { .family = SW_AF_INET, .bytes = { 198, 51, 100, 7 } };
	struct sw_conn ab, ba, other;

	assert_non_null(t);
	ab = sw_contacts_conn(t, &a, &b, 40000, 80);
	ba = sw_contacts_conn(t, &b, &a, 80, 40000);
	other = sw_contacts_conn(t, &a, &b, 40001, 80);
	assert_ptr_equal(ab.slot, ba.slot);
	assert_int_equal(ab.tag, ba.tag);
	assert_ptr_equal(ab.slot, other.slot); /* one slot */
	assert_int_not_equal(ab.tag, other.tag);
	assert_int_not_equal(ab.tag, 0);
	assert_false(sw_conn_known(ab));
	sw_conn_mark(ab);
	assert_true(sw_conn_known(ab));
	assert_true(sw_conn_known(ba));
	assert_false(sw_conn_known(other));
	sw_conn_forget(other); /* not its entry: stays */
	assert_true(sw_conn_known(ba));
	sw_conn_mark(other);   /* overwrites */
	assert_false(sw_conn_known(ab));
	assert_true(sw_conn_known(other));
	sw_conn_forget(ba);
	assert_true(sw_conn_known(other));
	sw_conn_forget(other);
	assert_false(sw_conn_known(other));
	assert_int_equal(*other.slot, 0);
	/* a handle is the hash of its tuple: asked again, the same */
	ab = sw_contacts_conn(t, &a, &b, 40000, 80);
	assert_ptr_equal(ab.slot, ba.slot);
	assert_int_equal(ab.tag, ba.tag);
	sw_contacts_free(t);
}

/* ---- random operations against a model ----------------------------------- */

/*
 * The model: one bucket's ways, and the timeout ring as a list of
 * (key, arming number, time) in arming order, as long as the table has
 * slots (8: a full ring forgets its oldest entry). A contact expires from
 * the ring when its entry comes first with a time at or before the
 * deadline and it is still pending from that same arming.
 */
struct mway {
	uint64_t key;   /* 0: empty */
	uint32_t time;  /* (t >> 20) mod 2^31 */
	uint64_t armed; /* its latest arming's number */
	bool pending;
};

struct mentry {
	uint64_t key, armed;
	int64_t t;
};

struct model {
	struct mway w[WAYS];
	struct mentry ring[WAYS];
	unsigned ring_n;
	uint64_t armings;
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

static void model_arm(struct model *m, int w, int64_t when)
{
	if (m->ring_n == WAYS) {
		memmove(m->ring, m->ring + 1, (WAYS - 1) * sizeof *m->ring);
		m->ring_n--;
	}
	m->w[w].armed = ++m->armings;
	m->w[w].pending = true;
	m->w[w].time = (uint32_t)((uint64_t)when >> 20) & 0x7fffffffu;
	m->ring[m->ring_n++] = (struct mentry){ m->w[w].key, m->w[w].armed, when };
}

/* The way of the next expired contact, or -1 */
static int model_expired(struct model *m, int64_t deadline)
{
	while (m->ring_n > 0 && m->ring[0].t <= deadline) {
		struct mentry e = m->ring[0];

		memmove(m->ring, m->ring + 1, (WAYS - 1) * sizeof *m->ring);
		m->ring_n--;
		for (int i = 0; i < WAYS; i++)
			if (m->w[i].key == e.key && m->w[i].pending && m->w[i].armed == e.armed)
				return i;
	}
	return -1;
}

/* sw_contacts_expired's contacts, checked against the model's */
struct expiry {
	struct model *m;
	int64_t deadline;
	unsigned n;
};

static void check_expired(struct expiry *x, struct sw_contact *c)
{
	int w = model_expired(x->m, x->deadline);

	assert_true(w >= 0);
	assert_int_equal(c->key, x->m->w[w].key);
	assert_true(c->t <= x->deadline);
	c->state = SW_C_DONE; /* already settled for the victim rule */
	x->m->w[w].pending = false;
	x->n++;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int64_t random_time(uint64_t *s, bool hostile)
{
	uint64_t r = rnd(s);

	if (hostile && r % 3 == 0)
		return (int64_t)(rnd(s) >> 2);
	return SEC((r >> 20) % 24) + (int64_t)((r >> 40) % (1u << 20));
}

static void random_run(uint64_t seed, bool hostile)
{
	struct sw_sipkey k = test_key();
	struct sw_contacts *t = sw_contacts_new(WAYS, &k);
	struct model m;
	uint64_t s = seed, next = 1, evictions = 0;
	unsigned expired = 0, rearmed = 0;

	assert_non_null(t);
	memset(&m, 0, sizeof m);
	for (int op = 0; op < 20000; op++) {
		uint64_t r = rnd(&s);
		int w = (int)(r % WAYS);

		if (r % 5 == 0 && m.w[w].key && m.w[w].pending) {
			settle(t, m.w[w].key);
			m.w[w].pending = false;
			continue;
		}
		if (r % 5 == 1 && m.w[w].key) {
			/* a new episode (or a retransmission) armed again */
			struct sw_contact *c = sw_contacts_find(t, m.w[w].key);

			assert_non_null(c);
			c->t = random_time(&s, hostile);
			c->state = SW_C_SYN;
			sw_contacts_arm(t, c);
			model_arm(&m, w, c->t);
			rearmed++;
			continue;
		}
		if (r % 5 == 2) {
			/* housekeeping: what the ring hands out, settled, in
			 * batches of one to three */
			struct expiry x = { &m, random_time(&s, hostile), 0 };
			struct sw_contact *batch[3];
			unsigned size = 1 + (unsigned)(r >> 32) % 3, n;

			do {
				n = sw_contacts_expired(t, x.deadline, batch, size);
				assert_true(n <= size);
				for (unsigned i = 0; i < n; i++)
					check_expired(&x, batch[i]);
			} while (n == size);
			assert_int_equal(model_expired(&m, x.deadline), -1);
			expired += x.n;
			continue;
		}
		/* a new contact: the model says which way it takes */
		int v = model_victim(m.w);
		uint64_t key = bkey((uint32_t)next++), vk;
		int64_t when = random_time(&s, hostile);

		if (m.w[v].key)
			evictions++;
		add(t, key, when, &vk);
		assert_int_equal(vk, m.w[v].key && m.w[v].pending ? m.w[v].key : 0);
		if (m.w[v].key)
			assert_null(sw_contacts_find(t, m.w[v].key));
		m.w[v].key = key;
		model_arm(&m, v, when);
		assert_int_equal(sw_contacts_evictions(t), evictions);
		for (int i = 0; i < WAYS; i++)
			if (m.w[i].key)
				assert_non_null(sw_contacts_find(t, m.w[i].key));
	}
	/* the run went through every path */
	assert_true(expired > 100 && rearmed > 100 && evictions > 100);
	sw_contacts_free(t);
}

static void test_victim_random(void **state)
{
	(void)state;
	random_run(0x9e3779b97f4a7c15ull, false);
	random_run(0x243f6a8885a308d3ull, true);
}

/*
 * The ring's times are exact: 32 bits above a base per block of positions,
 * or whole in a side array when out of that base's range. A table of 2048
 * contacts, each armed again and again (six laps of the ring, so that
 * every block's base is set anew), at times 3 s apart with jumps of hours
 * forward and back (out of range, and out of order) from an ordinary and
 * from a hostile (near 2^62 us) start (a block's 1024 armings span 51
 * minutes: its later ones are out of range too); then expired deadline by deadline:
 * the ring hands out the last 2048 armings in order, each contact once,
 * stopping at the first whose time is past the deadline, as a list of the
 * armings' full times does.
 */
static void ring_times(int64_t t0)
{
	enum { N = 2048, ARMINGS = 6 * N + 500 }; /* not whole blocks */
	struct sw_sipkey k = test_key();
	struct sw_contacts *t = sw_contacts_new(N, &k);
	static struct sw_contact *slot[N];
	static int64_t when[ARMINGS];
	static unsigned who[ARMINGS];
	struct sw_contact *out[64];
	unsigned front = ARMINGS - N;

	assert_non_null(t);
	for (unsigned a = 0; a < ARMINGS; a++) {
		int64_t x = t0 + (int64_t)a * 3000000;

		if (a % 97 == 0)
			x += INT64_C(1) << 40;
		if (a % 89 == 0)
			x -= INT64_C(1) << 35;
		when[a] = x;
		who[a] = a % N;
		if (a < N) {
			/* way a / 256 of bucket a % 256: no evictions */
			uint64_t key = (uint64_t)(a + 1) << 32 | (a % (N / WAYS));
			struct sw_contact victim;

			slot[a] = sw_contacts_insert(t, key, x, &victim);
			assert_int_equal(victim.key, 0);
			slot[a]->state = SW_C_SYN;
		} else {
			slot[a % N]->t = x;
			sw_contacts_arm(t, slot[a % N]); /* pending: its last entry dies */
		}
	}
	assert_int_equal(sw_contacts_evictions(t), 0);
	while (front < ARMINGS) {
		/* just before the front's time: nothing; at it: at least it */
		unsigned n = sw_contacts_expired(t, when[front] - 1, out, 64), got;
		int64_t deadline = when[front];

		assert_int_equal(n, 0);
		do {
			got = sw_contacts_expired(t, deadline, out, 64);
			for (unsigned i = 0; i < got; i++) {
				assert_true(front < ARMINGS && when[front] <= deadline);
				assert_ptr_equal(out[i], slot[who[front]]);
				assert_int_equal(out[i]->t, when[front]);
				out[i]->state = SW_C_DONE;
				front++;
			}
		} while (got == 64);
		assert_true(front == ARMINGS || when[front] > deadline);
	}
	assert_int_equal(sw_contacts_expired(t, INT64_MAX, out, 64), 0);
	sw_contacts_free(t);
}

/* The edges of a block's range: its first time + 2^31 - 2 us is the last
 * inline one (dt 2^32 - 2), + 2^31 - 1 the first kept whole; each expires
 * at its own deadline and not a microsecond before. */
static void ring_edges(int64_t t0)
{
	static const int64_t after[] = { 0, (INT64_C(1) << 31) - 2, (INT64_C(1) << 31) - 1,
		                         -(INT64_C(1) << 31), -(INT64_C(1) << 31) - 1 };
	struct sw_sipkey k = test_key();
	struct sw_contacts *t = sw_contacts_new(WAYS, &k);
	struct sw_contact *c[5], *out[4], victim;
	int64_t sorted[5];

	assert_non_null(t);
	for (unsigned i = 0; i < 5; i++) {
		c[i] = sw_contacts_insert(t, bkey(i), t0 + after[i], &victim);
		c[i]->state = SW_C_SYN;
	}
	/* in arming order, the walk stops at the first not due: deadlines in
	 * that order's running maximum */
	for (unsigned i = 0; i < 5; i++)
		sorted[i] = t0 + after[i];
	for (unsigned i = 0, done = 0; i < 5; i++) {
		int64_t dl = sorted[i];

		for (unsigned j = 0; j < i; j++)
			if (sorted[j] > dl)
				dl = sorted[j];
		if (i < done)
			continue;
		assert_int_equal(sw_contacts_expired(t, dl - 1, out, 4), 0);
		unsigned n = sw_contacts_expired(t, dl, out, 4);
		assert_true(n >= 1);
		for (unsigned j = 0; j < n; j++) {
			assert_ptr_equal(out[j], c[i + j]);
			out[j]->state = SW_C_DONE;
		}
		done = i + n;
	}
	sw_contacts_free(t);
}

static void test_ring_times(void **state)
{
	(void)state;
	ring_edges((int64_t)1796225461 * 1000000);
	ring_edges(INT64_MIN + (INT64_C(1) << 33));
	ring_edges(INT64_MAX - (INT64_C(1) << 33));
	ring_times((int64_t)1796225461 * 1000000);
	ring_times((INT64_C(1) << 62) - (INT64_C(1) << 36));
	ring_times(-(INT64_C(1) << 40));
	/* at the ends of int64: a base that does not fit, deadlines whose
	 * distance to a base does not */
	ring_times(INT64_MIN + (INT64_C(1) << 36));
	ring_times(INT64_MAX - (INT64_C(1) << 42));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_victim_cases),
		cmocka_unit_test(test_victim_empty_first),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_conn_filter),
		cmocka_unit_test(test_victim_random),
		cmocka_unit_test(test_ring_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
