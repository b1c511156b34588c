/*
 * test_ring.c - the SPSC ring: order, full and empty, wrap-around, and a
 * real two-thread run in which every record arrives once, in order.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ring.h"

struct rec {
	uint64_t seq;
	uint64_t check;
	char pad[48];
};

static void test_capacity_rounds_up(void **state)
{
	struct sw_ring r;

	(void)state;
	assert_int_equal(sw_ring_init(&r, 5, sizeof(struct rec)), 0);
	assert_int_equal(sw_ring_capacity(&r), 8);
	sw_ring_free(&r);
	assert_int_equal(sw_ring_init(&r, 0, 8), -1);
	assert_int_equal(sw_ring_init(&r, 4, 0), -1);
}

static void test_fifo_full_empty(void **state)
{
	struct sw_ring r;
	struct rec in = { 0 }, out;

	(void)state;
	assert_int_equal(sw_ring_init(&r, 4, sizeof in), 0);
	assert_false(sw_ring_pop(&r, &out));
	for (uint64_t i = 0; i < 4; i++) {
		in.seq = i;
		assert_true(sw_ring_push(&r, &in));
	}
	in.seq = 99;
	assert_false(sw_ring_push(&r, &in)); /* full: refused, not overwritten */
	assert_int_equal(sw_ring_count(&r), 4);
	for (uint64_t i = 0; i < 4; i++) {
		assert_true(sw_ring_pop(&r, &out));
		assert_int_equal(out.seq, i);
	}
	assert_false(sw_ring_pop(&r, &out));
	sw_ring_free(&r);
}

static void test_wraparound(void **state)
{
	struct sw_ring r;
	struct rec in = { 0 }, out;
	uint64_t next_out = 0, next_in = 0;

	(void)state;
	assert_int_equal(sw_ring_init(&r, 8, sizeof in), 0);
	/* keep the ring partly full across many laps */
	for (int lap = 0; lap < 1000; lap++) {
		for (int k = 0; k < 5; k++) {
			in.seq = next_in;
			if (sw_ring_push(&r, &in))
				next_in++;
		}
		for (int k = 0; k < 3; k++) {
			if (sw_ring_pop(&r, &out)) {
				assert_int_equal(out.seq, next_out);
				next_out++;
			}
		}
	}
	while (sw_ring_pop(&r, &out))
		assert_int_equal(out.seq, next_out++);
	assert_int_equal(next_out, next_in);
	sw_ring_free(&r);
}

#define THREAD_RECORDS 2000000u

struct shared {
	struct sw_ring ring;
	uint64_t refused;
};

/* A record peeked stays until consumed: a retried write sees it again. */
static void test_peek_consume(void **state)
{
	struct sw_ring r;
	struct rec in = { 0 }, out;

	(void)state;
	assert_int_equal(sw_ring_init(&r, 4, sizeof(struct rec)), 0);
	for (uint64_t round = 0; round < 3; round++) { /* across the wrap */
		for (uint64_t i = 0; i < 3; i++) {
			in.seq = round * 10 + i;
			assert_true(sw_ring_push(&r, &in));
		}
		for (int again = 0; again < 2; again++)
			for (uint64_t i = 0; i < 3; i++) {
				assert_true(sw_ring_peek(&r, i, &out));
				assert_int_equal(out.seq, round * 10 + i);
			}
		assert_false(sw_ring_peek(&r, 3, &out));
		assert_int_equal(sw_ring_count(&r), 3);
		sw_ring_consume(&r, 2);
		assert_true(sw_ring_peek(&r, 0, &out));
		assert_int_equal(out.seq, round * 10 + 2);
		assert_true(sw_ring_pop(&r, &out));
		assert_int_equal(out.seq, round * 10 + 2);
		assert_false(sw_ring_peek(&r, 0, &out));
	}
	sw_ring_free(&r);
}

static void *producer(void *arg)
{
	struct shared *s = arg;
	struct rec in;

	memset(&in, 0, sizeof in);
	for (uint64_t i = 0; i < THREAD_RECORDS; i++) {
		in.seq = i;
		in.check = i * 0x9e3779b97f4a7c15ull;
		while (!sw_ring_push(&s->ring, &in))
			s->refused++; /* the sensor counts and drops; here we retry */
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	struct shared s;
	struct rec out;
	pthread_t t;
	uint64_t expect = 0;

	(void)state;
	memset(&s, 0, sizeof s);
	assert_int_equal(sw_ring_init(&s.ring, 256, sizeof out), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, &s), 0);
	while (expect < THREAD_RECORDS) {
		if (!sw_ring_pop(&s.ring, &out))
			continue;
		assert_int_equal(out.seq, expect);
		assert_int_equal(out.check, expect * 0x9e3779b97f4a7c15ull);
		expect++;
	}
	pthread_join(t, NULL);
	assert_false(sw_ring_pop(&s.ring, &out));
	sw_ring_free(&s.ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity_rounds_up),
		cmocka_unit_test(test_fifo_full_empty),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_peek_consume),
		cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
