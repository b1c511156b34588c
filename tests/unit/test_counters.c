/*
 * test_counters.c - the per-packet counting of sensor/counters.c: the
 * straight line of the common case (a whole IP packet in time order within
 * the second under way) against the rules it stands for, written out here
 * as they read before it (one test, ref_add), on runs of packets of every
 * kind in and out of time order, as a reader sees them (the tally of the
 * common case folded in); and a few counts worked out by hand.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "counters.h"

/* The counting rules, one test after the other, as sw_counters_add() kept
 * them before its fast path. */
static void ref_add(struct sw_counters *c, const struct sw_pkt *p)
{
	int64_t ts = (int64_t)p->ts_us;

	c->packets++;
	if (c->active_seconds == 0 || ts >= c->rate_end_us) {
		int64_t sec = ts / 1000000;

		if (c->rate_count > c->peak_pps)
			c->peak_pps = c->rate_count;
		c->rate_end_us = (sec + 1) * 1000000;
		c->rate_count = 0;
		c->active_seconds++;
	}
	c->rate_count++;
	c->bytes += p->wirelen;
	if (c->packets == 1 || ts < c->first_ts)
		c->first_ts = ts;
	if (ts > c->last_ts)
		c->last_ts = ts;
	if (p->vlan_depth)
		c->traffic[SW_TR_VLAN]++;
	if (p->err == SW_DERR_FRAG_TINY)
		c->anomaly[SW_AN_FRAG_TINY]++;
	else if (p->err != SW_DERR_NONE && (unsigned)p->err < SW_DERR_COUNT) {
		c->derr[p->err]++;
		return;
	}
	switch (p->l3) {
	case SW_L3_IPV4: c->traffic[SW_TR_IPV4]++; break;
	case SW_L3_IPV6: c->traffic[SW_TR_IPV6]++; break;
	case SW_L3_ARP: c->traffic[SW_TR_ARP]++; return;
	default: c->traffic[SW_TR_OTHER_L3]++; return;
	}
	if (p->flags & SW_PF_FRAG)
		c->traffic[SW_TR_FRAGMENTS]++;
	switch (p->proto) {
	case SW_IPPROTO_TCP: c->traffic[SW_TR_TCP]++; break;
	case SW_IPPROTO_UDP: c->traffic[SW_TR_UDP]++; break;
	case SW_IPPROTO_ICMP: c->traffic[SW_TR_ICMP]++; break;
	case SW_IPPROTO_ICMPV6: c->traffic[SW_TR_ICMP6]++; break;
	default: c->traffic[SW_TR_OTHER_L4]++; break;
	}
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static const uint8_t protos[] = { 6, 6, 6, 17, 17, 1, 58, 0, 47, 132, 255 };

/* A packet of any kind: mostly whole IPv4/IPv6, now and then an error, a
 * tiny fragment, ARP or another link-layer kind. */
static void random_pkt(struct sw_pkt *p, uint64_t ts)
{
	uint64_t r = rnd();

	memset(p, 0, sizeof *p);
	p->ts_us = ts;
	p->wirelen = (uint32_t)(r % 1600);
	p->caplen = p->wirelen;
	p->vlan_depth = (r >> 12) % 5 == 0 ? (uint8_t)((r >> 16) % 3) : 0;
	p->l3 = (uint8_t)((r >> 20) % 8 < 6 ? SW_L3_IPV4 + (r >> 24) % 2 : (r >> 24) % 5);
	p->proto = protos[(r >> 28) % sizeof protos];
	p->flags = (r >> 32) % 7 == 0 ? SW_PF_FRAG : 0;
	if ((r >> 36) % 9 == 0)
		p->err = (enum sw_derr)((r >> 40) % SW_DERR_COUNT);
}

/* Time steps: mostly forward a little, sometimes across seconds, back a
 * little or a lot (before the epoch, from the runs that start near it),
 * or the same time again. */
static int64_t step(int64_t ts)
{
	uint64_t r = rnd();

	switch (r % 10) {
	case 0: return ts;
	case 1: return ts - (int64_t)((r >> 8) % 3000000);
	case 2: return ts + (int64_t)((r >> 8) % 5000000);
	case 3: return (r >> 8) % 50 == 0 ? ts - 10000000 - (int64_t)((r >> 16) % 10000000) : ts + 1;
	default: return ts + (int64_t)((r >> 8) % 2000);
	}
}

/* The counters as a reader sees them: a copy, with the tally folded in
 * (the tally's copy cleared by it, the original left to go on). */
static struct sw_counters folded(const struct sw_counters *c, const struct sw_tally *t)
{
	static struct sw_tally scratch;
	struct sw_counters view = *c;

	scratch = *t;
	sw_counters_fold(&view, &scratch);
	for (unsigned v = 0; v < 2; v++)
		for (unsigned proto = 0; proto < 256; proto++)
			if (scratch.ip[v][proto] != 0)
				fail_msg("the fold left %u packets of protocol %u in the tally",
				         (unsigned)scratch.ip[v][proto], proto);
	return view;
}

static void test_against_rules(void **state)
{
	static const int64_t starts[] = { 1795799381000000, 1795799381999999, 0, -1, -2500000, 1 };

	(void)state;
	rng_state = 0xc0c0c0c0c0ffee11ULL;
	for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
		static struct sw_tally tally;
		struct sw_counters got, want;
		int64_t ts = starts[s];
		int tallied = 0;

		memset(&got, 0, sizeof got);
		memset(&want, 0, sizeof want);
		memset(&tally, 0, sizeof tally);
		for (int i = 0; i < 200000; i++) {
			struct sw_counters view;
			struct sw_pkt p;
			uint64_t *slot, was;

			random_pkt(&p, (uint64_t)ts);
			slot = p.l3 == SW_L3_IPV4 || p.l3 == SW_L3_IPV6
			       ? &tally.ip[p.l3 - SW_L3_IPV4][p.proto] : NULL;
			was = slot ? *slot : 0;
			sw_counters_add(&got, &tally, &p);
			ref_add(&want, &p);
			tallied += slot && *slot == was + 1;
			/* the folded copy, on every packet for a while, then now
			 * and then (the fold reads the whole tally) */
			if (i < 3000 || i % 37 == 0 || i == 199999) {
				view = folded(&got, &tally);
				if (memcmp(&view, &want, sizeof view) != 0)
					fail_msg("start %lld, packet %d (ts %lld, l3 %u, err %d): "
					         "counters differ", (long long)starts[s], i,
					         (long long)ts, p.l3, (int)p.err);
			}
			/* a record of the counters now and then, which folds the
			 * tally into them for good */
			if (rnd() % 5000 == 0)
				sw_counters_fold(&got, &tally);
			ts = step(ts);
		}
		sw_counters_fold(&got, &tally);
		assert_memory_equal(&got, &want, sizeof got);
		/* the common case came up (some 8 % of these packets, the rest
		 * being out of order, tagged, fragments, errors or not IP), and
		 * the tally counted it */
		assert_true(tallied > 5000);
		assert_true(want.traffic[SW_TR_IPV4] > 0 && want.traffic[SW_TR_IPV6] > 0);
		assert_true(want.anomaly[SW_AN_FRAG_TINY] > 0 && want.traffic[SW_TR_ARP] > 0);
		assert_true(want.active_seconds > 100);
	}
}

static struct sw_pkt ip_pkt(int64_t ts, uint8_t l3, uint8_t proto)
{
	struct sw_pkt p;

	memset(&p, 0, sizeof p);
	p.ts_us = (uint64_t)ts;
	p.wirelen = 100;
	p.l3 = l3;
	p.proto = proto;
	return p;
}

/* Counts worked out by hand. */
static void test_by_hand(void **state)
{
	static struct sw_tally t;
	struct sw_counters c;
	struct sw_pkt p;

	(void)state;
	memset(&c, 0, sizeof c);
	memset(&t, 0, sizeof t);
	/* the first packet, at 0: its time is the first and the last */
	p = ip_pkt(0, SW_L3_IPV4, SW_IPPROTO_TCP);
	sw_counters_add(&c, &t, &p);
	assert_int_equal(c.packets, 1);
	assert_int_equal(c.first_ts, 0);
	assert_int_equal(c.last_ts, 0);
	assert_int_equal(c.active_seconds, 1);
	assert_int_equal(c.traffic[SW_TR_IPV4], 1);
	assert_int_equal(c.traffic[SW_TR_TCP], 1);
	/* two more in that second, one of them out of order, then the next
	 * second */
	p = ip_pkt(500000, SW_L3_IPV6, SW_IPPROTO_ICMPV6);
	p.vlan_depth = 1;
	p.flags = SW_PF_FRAG;
	sw_counters_add(&c, &t, &p);
	p = ip_pkt(200000, SW_L3_IPV4, 47);
	sw_counters_add(&c, &t, &p);
	assert_int_equal(c.last_ts, 500000);
	assert_int_equal(c.first_ts, 0);
	assert_int_equal(sw_counters_peak_pps(&c), 3);
	p = ip_pkt(1000000, SW_L3_IPV4, SW_IPPROTO_UDP);
	sw_counters_add(&c, &t, &p);
	sw_counters_fold(&c, &t);
	assert_int_equal(c.active_seconds, 2);
	assert_int_equal(c.peak_pps, 3);
	assert_int_equal(c.rate_count, 1);
	assert_int_equal(c.traffic[SW_TR_VLAN], 1);
	assert_int_equal(c.traffic[SW_TR_FRAGMENTS], 1);
	assert_int_equal(c.traffic[SW_TR_ICMP6], 1);
	assert_int_equal(c.traffic[SW_TR_OTHER_L4], 1);
	assert_int_equal(c.traffic[SW_TR_UDP], 1);
	assert_int_equal(c.bytes, 400);
	/* an error counts as the error only; a tiny fragment as an anomaly
	 * and as its traffic; ARP as ARP */
	p = ip_pkt(1000001, SW_L3_IPV4, SW_IPPROTO_TCP);
	p.err = SW_DERR_TCP_HLEN;
	sw_counters_add(&c, &t, &p);
	p.err = SW_DERR_FRAG_TINY;
	sw_counters_add(&c, &t, &p);
	p = ip_pkt(1000002, SW_L3_ARP, 0);
	sw_counters_add(&c, &t, &p);
	sw_counters_fold(&c, &t);
	assert_int_equal(c.derr[SW_DERR_TCP_HLEN], 1);
	assert_int_equal(c.anomaly[SW_AN_FRAG_TINY], 1);
	assert_int_equal(c.traffic[SW_TR_ARP], 1);
	assert_int_equal(c.traffic[SW_TR_IPV4], 4);
	assert_int_equal(c.traffic[SW_TR_TCP], 2);
	assert_int_equal(sw_counters_errors(&c), 1);
	/* the common case: in order, within the second, whole, untagged, not
	 * a fragment. Its packets and traffic wait in the tally until a
	 * fold. */
	p = ip_pkt(1000003, SW_L3_IPV6, SW_IPPROTO_TCP);
	sw_counters_add(&c, &t, &p);
	sw_counters_add(&c, &t, &p);
	p = ip_pkt(1000004, SW_L3_IPV4, SW_IPPROTO_ICMP);
	sw_counters_add(&c, &t, &p);
	assert_int_equal(c.packets, 7);
	assert_int_equal(c.bytes, 1000);
	assert_int_equal(c.last_ts, 1000004);
	assert_int_equal(c.rate_count, 7);
	assert_int_equal(t.ip[1][SW_IPPROTO_TCP], 2);
	assert_int_equal(t.ip[0][SW_IPPROTO_ICMP], 1);
	assert_int_equal(c.traffic[SW_TR_TCP], 2);
	sw_counters_fold(&c, &t);
	sw_counters_fold(&c, &t); /* the tally was cleared: nothing twice */
	assert_int_equal(c.packets, 10);
	assert_int_equal(c.traffic[SW_TR_IPV6], 3);
	assert_int_equal(c.traffic[SW_TR_IPV4], 5);
	assert_int_equal(c.traffic[SW_TR_TCP], 4);
	assert_int_equal(c.traffic[SW_TR_ICMP], 1);
	assert_int_equal(t.ip[1][SW_IPPROTO_TCP], 0);
	/* a packet stamped before the epoch, first of a new run */
	memset(&c, 0, sizeof c);
	p = ip_pkt(-5, SW_L3_IPV4, SW_IPPROTO_TCP);
	sw_counters_add(&c, &t, &p);
	sw_counters_fold(&c, &t);
	assert_int_equal(c.first_ts, -5);
	assert_int_equal(c.last_ts, 0);
	assert_int_equal(c.active_seconds, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_rules),
		cmocka_unit_test(test_by_hand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
