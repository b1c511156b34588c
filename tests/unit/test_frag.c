/*
 * test_frag.c - the fragment overlap tracker, fed with fragments built with
 * libnet and decoded by sw_decode(): in-order and out-of-order fragments
 * are fine, overlaps are caught, a full table evicts and counts.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* libnet-config --defines says _BSD_SOURCE */
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "frag.h"
#include "pktcraft.h"

#define SEC 1000000ull
#define T0 (1764263381ull * SEC) /* some time in 2025 */

/* A decoded IPv4 fragment: off and len in bytes, from 192.0.2.src. */
static struct sw_pkt frag4(uint8_t src, uint16_t id, uint16_t off, uint16_t len,
                           int mf, uint64_t ts)
{
	uint8_t data[PC_MAX], b[PC_MAX];
	struct pc_ip4 ip = { .src = { 192, 0, 2, src }, .dst = { 198, 51, 100, 7 },
	                     .ttl = 64, .id = id };
	struct sw_pkt p;
	size_t n;

	memset(data, 0x40, len); /* as a UDP length: 0x4040, plausible */
	ip.frag = (uint16_t)((mf ? 0x2000 : 0) | off / 8);
	n = pc_ip4_raw(b, sizeof b, &ip, 17, data, len);
	assert_int_equal(n, 20 + len);
	sw_decode(SW_DLT_RAW, b, (uint32_t)n, (uint32_t)n, ts, &p);
	assert_true(p.flags & SW_PF_FRAG);
	assert_int_equal(p.frag_off, off);
	assert_int_equal(p.frag_len, len);
	assert_int_equal(p.frag_id, id);
	return p;
}

/* The same for IPv6, through a fragment header. */
static struct sw_pkt frag6(uint32_t id, uint16_t off, uint16_t len, int mf,
                           uint64_t ts)
{
	uint8_t data[PC_MAX], b[PC_MAX];
	struct pc_ext fh = { .type = 44, .frag_off = off, .mf = mf, .frag_id = id };
	struct pc_ip6 ip = { .src = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	                     .dst = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	                     .hlim = 64, .ext = &fh, .next = 1 };
	struct sw_pkt p;
	size_t n;

	memset(data, 0x40, len);
	n = pc_ip6_raw(b, sizeof b, &ip, 17, data, len);
	sw_decode(SW_DLT_RAW, b, (uint32_t)n, (uint32_t)n, ts, &p);
	assert_true(p.flags & SW_PF_FRAG);
	assert_int_equal(p.frag_off, off);
	assert_int_equal(p.frag_len, len);
	assert_int_equal(p.frag_id, id);
	return p;
}

static void test_new_and_free(void **state)
{
	struct sw_frag *f;
	struct sw_pkt p;
	uint8_t b[PC_MAX];
	struct pc_ip4 ip = { .src = { 192, 0, 2, 1 }, .dst = { 198, 51, 100, 7 },
	                     .ttl = 64, .id = 1 };
	struct pc_l4 u = { .proto = 17, .sport = 1, .dport = 2 };
	size_t n;

	(void)state;
	assert_null(sw_frag_new(0));
	assert_null(sw_frag_new((1u << 20) + 1));
	f = sw_frag_new(1);
	assert_non_null(f);
	assert_int_equal(sw_frag_evictions(f), 0);
	/* whole datagrams are not the tracker's business */
	n = pc_ip4(b, sizeof b, &ip, &u);
	sw_decode(SW_DLT_RAW, b, (uint32_t)n, (uint32_t)n, T0, &p);
	assert_false(p.flags & SW_PF_FRAG);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	sw_frag_free(f);
	sw_frag_free(NULL);
}

static void test_non_overlapping(void **state)
{
	struct sw_frag *f = sw_frag_new(64);
	struct sw_pkt a, b, c, d;

	(void)state;
	assert_non_null(f);
	/* 0-24, 24-40, 40-48 in order */
	a = frag4(1, 100, 0, 24, 1, T0);
	b = frag4(1, 100, 24, 16, 1, T0 + 1);
	c = frag4(1, 100, 40, 8, 0, T0 + 2);
	assert_int_equal(sw_frag_check(f, &a), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &b), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &c), SW_FRAG_OK);
	/* a span port mirroring the middle one twice */
	assert_int_equal(sw_frag_check(f, &b), SW_FRAG_OK);

	/* out of order, last first */
	c = frag4(2, 100, 40, 8, 0, T0 + 3);
	b = frag4(2, 100, 16, 24, 1, T0 + 4);
	a = frag4(2, 100, 0, 16, 1, T0 + 5);
	assert_int_equal(sw_frag_check(f, &c), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &b), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &a), SW_FRAG_OK);

	/* IPv6 */
	a = frag6(0xabcdef01, 0, 1232, 1, T0 + 6);
	b = frag6(0xabcdef01, 1232, 1232, 1, T0 + 7);
	c = frag6(0xabcdef01, 2464, 100, 0, T0 + 8);
	assert_int_equal(sw_frag_check(f, &a), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &b), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &c), SW_FRAG_OK);

	/* more pieces than ranges kept (nmap -f on a long header): fine */
	for (uint16_t off = 0; off < 8 * 20; off += 8) {
		d = frag4(3, 300, off, 8, off < 8 * 19, T0 + 9 + off);
		assert_int_equal(sw_frag_check(f, &d), SW_FRAG_OK);
	}
	assert_int_equal(sw_frag_evictions(f), 0);
	sw_frag_free(f);
}

static void test_overlap_detected(void **state)
{
	struct sw_frag *f = sw_frag_new(64);
	struct sw_pkt p;

	(void)state;
	assert_non_null(f);
	p = frag4(1, 7, 0, 24, 1, T0);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	p = frag4(1, 7, 32, 16, 0, T0);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	/* 16-32 rewrites the end of the first fragment */
	p = frag4(1, 7, 16, 16, 1, T0 + 1);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OVERLAP);
	/* teardrop: inside the first one */
	p = frag4(1, 7, 8, 8, 1, T0 + 2);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OVERLAP);
	/* the same fragment offset and length, but longer: overlap */
	p = frag4(1, 7, 0, 32, 1, T0 + 3);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OVERLAP);
	/* ...the gap between them is still free */
	p = frag4(1, 7, 24, 8, 1, T0 + 4);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);

	/* same offsets, another datagram: another id, another source */
	p = frag4(1, 8, 16, 16, 1, T0 + 5);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	p = frag4(2, 7, 16, 16, 1, T0 + 5);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);

	/* IPv6 overlap */
	p = frag6(99, 0, 1232, 1, T0 + 6);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	p = frag6(99, 1224, 64, 0, T0 + 7);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OVERLAP);

	/* after 60 s of packet time the datagram is forgotten */
	p = frag4(1, 7, 16, 16, 1, T0 + 5 + 61 * SEC);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	p = frag4(1, 7, 24, 8, 1, T0 + 5 + 62 * SEC);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OVERLAP);
	assert_int_equal(sw_frag_evictions(f), 0);
	sw_frag_free(f);
}

static void test_full_table_evicts(void **state)
{
	struct sw_frag *f = sw_frag_new(8); /* exactly 8 slots */
	struct sw_pkt p;

	(void)state;
	assert_non_null(f);
	/* datagrams 1..8 fill the table */
	for (uint8_t i = 1; i <= 8; i++) {
		p = frag4(i, 1000, 0, 16, 1, T0 + i);
		assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	}
	assert_int_equal(sw_frag_evictions(f), 0);
	/* a ninth pushes out the least recently used: datagram 1 */
	p = frag4(9, 1000, 0, 16, 1, T0 + 9);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	assert_int_equal(sw_frag_evictions(f), 1);
	/* 2 is still known: its overlap is caught (and 2 is now recent) */
	p = frag4(2, 1000, 8, 16, 1, T0 + 10);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OVERLAP);
	assert_int_equal(sw_frag_evictions(f), 1);
	/* 1 was forgotten: the same overlap goes unseen, and evicts 3 */
	p = frag4(1, 1000, 8, 16, 1, T0 + 11);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	assert_int_equal(sw_frag_evictions(f), 2);
	p = frag4(3, 1000, 8, 16, 1, T0 + 12);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	assert_int_equal(sw_frag_evictions(f), 3);
	p = frag4(2, 1000, 8, 8, 1, T0 + 13);
	assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OVERLAP);

	/* a minute later every entry is stale: reusing them is not eviction */
	for (uint8_t i = 20; i < 28; i++) {
		p = frag4(i, 1000, 0, 16, 1, T0 + 100 * SEC + i);
		assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	}
	assert_int_equal(sw_frag_evictions(f), 3);
	sw_frag_free(f);

	/* a flood of spoofed sources: bounded table, every eviction counted */
	f = sw_frag_new(1000);
	assert_non_null(f);
	for (uint32_t i = 0; i < 20000; i++) {
		p = frag4((uint8_t)i, (uint16_t)(i >> 8), 0, 8, 1, T0 + i);
		assert_int_equal(sw_frag_check(f, &p), SW_FRAG_OK);
	}
	assert_true(sw_frag_evictions(f) >= 20000 - 1024);
	assert_true(sw_frag_evictions(f) < 20000);
	sw_frag_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_free),
		cmocka_unit_test(test_non_overlapping),
		cmocka_unit_test(test_overlap_detected),
		cmocka_unit_test(test_full_table_evicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
