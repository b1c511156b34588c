/*
 * test_correlate.c - unit tests for analyzer/correlate.c, the correlation
 * without a database: a source's detections split into incidents by the
 * gap, the netblock of an incident (the caller's lookup, else the prefix),
 * a distributed scan of one netblock's sources on a common target (and
 * none when they share no target), a decoy scan's sources grouped,
 * with the real one named and kept out of any distributed scan, and the
 * same activity seen by two sensors counted once.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "correlate.h"

#define HOUR_US (INT64_C(3600) * 1000000)
#define T0 INT64_C(1795801339000000)

static struct sw_correlate_opts opts(void)
{
	struct sw_correlate_opts o;

	sw_correlate_defaults(&o);
	o.progress = 0;
	return o;
}

/* A detection of src starting at first, lasting a minute; id in order of
 * addition, as the database would give them. */
static size_t add(struct sw_correlation *c, const char *src, const char *kind, int64_t first)
{
	struct sw_adet *d = sw_correlation_add(c);
	struct sw_addr a;

	assert_non_null(d);
	assert_true(sw_addr_parse(src, &a));
	d->id = (int64_t)c->ndets;
	snprintf(d->src, sizeof d->src, "%s", src);
	d->family = a.family;
	memcpy(d->bin, a.bytes, 16);
	snprintf(d->kind, sizeof d->kind, "%s", kind);
	snprintf(d->proto, sizeof d->proto, "tcp");
	snprintf(d->sensor, sizeof d->sensor, "s1");
	d->first = first;
	d->last = first + 60 * INT64_C(1000000);
	d->targets = 1;
	d->ports = 100;
	d->packets = 100;
	return c->ndets - 1;
}

/* An evidence line of detection i to dst:port. */
static void evidence(struct sw_correlation *c, size_t i, const char *dst, unsigned port)
{
	char line[128];

	snprintf(line, sizeof line, "2026-11-27T17:09:41.508835Z TCP %s:40000 -> %s:%u SYN",
	         c->dets[i].src, dst, port);
	sw_correlation_add_evidence(c, i, line);
}

/* A detection with one evidence line to dst:port. */
static size_t add_to(struct sw_correlation *c, const char *src, const char *kind, int64_t first,
                     const char *dst, unsigned port)
{
	size_t i = add(c, src, kind, first);

	evidence(c, i, dst, port);
	return i;
}

static const struct sw_incident *find(const struct sw_correlation *c, const char *level,
                                      const char *src)
{
	for (size_t i = 0; i < c->ninc; i++)
		if (!strcmp(c->inc[i].level, level) && !strcmp(c->inc[i].src, src))
			return &c->inc[i];
	return NULL;
}

static size_t count(const struct sw_correlation *c, const char *level)
{
	size_t n = 0;

	for (size_t i = 0; i < c->ninc; i++)
		n += !strcmp(c->inc[i].level, level);
	return n;
}

/* Within the gap: one incident with both detections; past it: two. */
static void test_gap_splits_incidents(void **state)
{
	struct sw_correlate_opts o = opts();
	struct sw_correlation c;

	(void)state;
	sw_correlation_init(&c);
	add(&c, "198.51.100.7", "port_scan", T0);
	add(&c, "198.51.100.7", "host_sweep", T0 + 23 * HOUR_US);
	add(&c, "198.51.100.7", "port_scan", T0 + 48 * HOUR_US);
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(c.ninc, 2);
	assert_string_equal(c.inc[0].level, "source");
	assert_int_equal(c.inc[0].ndet, 2);
	assert_string_equal(c.inc[0].kinds, "port_scan,host_sweep");
	assert_true(c.inc[0].first == T0);
	assert_true(c.inc[0].last == T0 + 23 * HOUR_US + 60 * INT64_C(1000000));
	assert_string_equal(c.inc[0].ikey, "s|198.51.100.7|1");
	assert_int_equal(c.inc[1].ndet, 1);
	assert_string_equal(c.inc[1].ikey, "s|198.51.100.7|3");
	assert_int_equal(sw_incident_detection(&c, &c.inc[1], 0), 2);
	sw_correlation_free(&c);

	/* a shorter gap splits the first two as well */
	o.gap_us = 12 * HOUR_US;
	sw_correlation_init(&c);
	add(&c, "198.51.100.7", "port_scan", T0);
	add(&c, "198.51.100.7", "host_sweep", T0 + 23 * HOUR_US);
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(c.ninc, 2);
	sw_correlation_free(&c);
}

/* Two sources never share an incident, however close in time. */
static void test_sources_apart(void **state)
{
	struct sw_correlate_opts o = opts();
	struct sw_correlation c;

	(void)state;
	sw_correlation_init(&c);
	add(&c, "198.51.100.7", "port_probe", T0);
	add(&c, "198.51.100.8", "port_probe", T0);
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(count(&c, "source"), 2);
	assert_int_equal(count(&c, "netblock"), 0);
	sw_correlation_free(&c);
}

/* Two sensors saw the same scan (overlapping span ports): one incident,
 * its targets and ports the largest, its packets the larger count, not
 * the sum; what one sensor saw twice, or at other times, adds up; log
 * lines are counted apart. */
static void test_two_sensors_same_activity(void **state)
{
	struct sw_correlate_opts o = opts();
	struct sw_correlation c;
	size_t i;

	(void)state;
	sw_correlation_init(&c);
	add(&c, "198.51.100.7", "port_scan", T0);
	i = add(&c, "198.51.100.7", "port_scan", T0 + 5 * INT64_C(1000000));
	snprintf(c.dets[i].sensor, sizeof c.dets[i].sensor, "s2");
	c.dets[i].packets = 120;
	c.dets[i].targets = 2;
	c.dets[i].ports = 90;
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(c.ninc, 1);
	assert_int_equal(c.inc[0].ndet, 2);
	assert_string_equal(c.inc[0].sensors, "s1,s2");
	assert_int_equal(c.inc[0].targets, 2);
	assert_int_equal(c.inc[0].ports, 100);
	assert_int_equal(c.inc[0].packets, 120);
	sw_correlation_free(&c);

	/* the evidence of both names a common target: the same scan seen
	 * twice; disjoint targets: one scanner on two sites, both count */
	sw_correlation_init(&c);
	add_to(&c, "198.51.100.7", "port_scan", T0, "203.0.113.10", 22);
	i = add_to(&c, "198.51.100.7", "port_scan", T0 + 1, "203.0.113.10", 23);
	snprintf(c.dets[i].sensor, sizeof c.dets[i].sensor, "s2");
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(c.inc[0].packets, 100);
	sw_correlation_free(&c);
	sw_correlation_init(&c);
	add_to(&c, "198.51.100.7", "port_scan", T0, "203.0.113.10", 22);
	i = add_to(&c, "198.51.100.7", "port_scan", T0 + 1, "192.0.2.10", 22);
	snprintf(c.dets[i].sensor, sizeof c.dets[i].sensor, "s2");
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(c.ninc, 1);
	assert_int_equal(c.inc[0].packets, 200);
	sw_correlation_free(&c);

	/* an hour apart: two activities, both counted */
	sw_correlation_init(&c);
	add(&c, "198.51.100.7", "port_scan", T0);
	i = add(&c, "198.51.100.7", "port_scan", T0 + HOUR_US);
	snprintf(c.dets[i].sensor, sizeof c.dets[i].sensor, "s2");
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(c.inc[0].packets, 200);
	sw_correlation_free(&c);

	/* one sensor, overlapping detections of two kinds, and log lines
	 * of the same time: each adds up */
	sw_correlation_init(&c);
	add(&c, "198.51.100.7", "port_scan", T0);
	add(&c, "198.51.100.7", "port_scan", T0 + 1);
	i = add(&c, "198.51.100.7", "port_scan", T0 + 2);
	snprintf(c.dets[i].sensor, sizeof c.dets[i].sensor, "syslog");
	i = add(&c, "198.51.100.7", "host_sweep", T0 + 3);
	snprintf(c.dets[i].sensor, sizeof c.dets[i].sensor, "s2");
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(c.inc[0].packets, 400);
	sw_correlation_free(&c);
}

static bool lookup_doc_range(void *arg, const struct sw_adet *d, char *out, size_t len)
{
	(*(int *)arg)++;
	if (strncmp(d->src, "198.51.100.", 11) != 0)
		return false;
	snprintf(out, len, "198.51.100.0/22");
	return true;
}

/* The netblock: what the lookup knows, else the configured prefix. */
static void test_netblock_of_incident(void **state)
{
	struct sw_correlate_opts o = opts();
	struct sw_correlation c;
	int calls = 0;

	(void)state;
	sw_correlation_init(&c);
	add(&c, "192.0.2.77", "port_probe", T0);
	add(&c, "2001:db8:1:2::5", "port_probe", T0);
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_string_equal(find(&c, "source", "192.0.2.77")->netblock, "192.0.2.0/24");
	assert_string_equal(find(&c, "source", "2001:db8:1:2::5")->netblock, "2001:db8:1::/48");
	sw_correlation_free(&c);

	o.prefix4 = 16;
	sw_correlation_init(&c);
	c.lookup = lookup_doc_range;
	c.lookup_arg = &calls;
	add(&c, "192.0.2.77", "port_probe", T0);
	add(&c, "198.51.100.7", "port_probe", T0);
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(calls, 2);
	assert_string_equal(find(&c, "source", "192.0.2.77")->netblock, "192.0.0.0/16");
	assert_string_equal(find(&c, "source", "198.51.100.7")->netblock, "198.51.100.0/22");
	sw_correlation_free(&c);
}

/* Three sources of one /24 scanning a common target: one distributed scan
 * with the scans of all three; a fourth of another netblock stays out. */
static void test_distributed_scan(void **state)
{
	struct sw_correlate_opts o = opts();
	struct sw_correlation c;
	size_t i;

	(void)state;
	sw_correlation_init(&c);
	add_to(&c, "198.51.100.7", "port_scan", T0, "203.0.113.10", 22);
	i = add(&c, "198.51.100.8", "port_scan", T0 + HOUR_US);
	evidence(&c, i, "203.0.113.99", 80);
	evidence(&c, i, "203.0.113.10", 23);
	add_to(&c, "198.51.100.9", "stealth_scan", T0 + 2 * HOUR_US, "203.0.113.10", 25);
	add_to(&c, "192.0.2.1", "port_scan", T0, "203.0.113.10", 22);
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(count(&c, "source"), 4);
	assert_int_equal(count(&c, "netblock"), 1);

	const struct sw_incident *n = &c.inc[c.ninc - 1];
	assert_string_equal(n->level, "netblock");
	assert_string_equal(n->netblock, "198.51.100.0/24");
	assert_string_equal(n->src, "198.51.100.7,198.51.100.8,198.51.100.9");
	assert_string_equal(n->kinds, "distributed_scan");
	assert_int_equal(n->nsources, 3);
	assert_int_equal(n->ndets_span, 3);
	assert_string_equal(n->ikey, "n|198.51.100.0/24|1");
	for (size_t k = 0; k < n->ndets_span; k++)
		assert_int_equal(sw_incident_detection(&c, n, k), k);
	/* the first evidence line gives a detection its target and port */
	assert_string_equal(c.dets[1].target, "203.0.113.99");
	assert_int_equal(c.dets[1].port, 80);
	sw_correlation_free(&c);
}

/* No common target, a gap between them, or probes rather than scans: no
 * distributed scan. */
static void test_no_distributed_scan(void **state)
{
	struct sw_correlate_opts o = opts();
	struct sw_correlation c;

	(void)state;
	sw_correlation_init(&c);
	add_to(&c, "198.51.100.7", "port_scan", T0, "203.0.113.10", 22);
	add_to(&c, "198.51.100.8", "port_scan", T0, "203.0.113.11", 22);
	add_to(&c, "198.51.100.9", "port_scan", T0 + 30 * HOUR_US, "203.0.113.10", 22);
	add_to(&c, "198.51.100.10", "port_probe", T0, "203.0.113.10", 22);
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(count(&c, "source"), 4);
	assert_int_equal(count(&c, "netblock"), 0);
	sw_correlation_free(&c);
}

/* A decoy scan: the same first probes from three addresses at once on the
 * same target. One reset the SYN-ACKs it got, the others left theirs
 * unanswered: it is the real source, the others are listed as decoys, and
 * none of them joins a distributed scan although they share a /24. */
static void test_decoy_group(void **state)
{
	struct sw_correlate_opts o = opts();
	struct sw_correlation c;
	const char *srcs[] = { "198.51.100.7", "198.51.100.8", "198.51.100.9" };

	(void)state;
	sw_correlation_init(&c);
	for (size_t k = 0; k < 3; k++) {
		size_t i = add(&c, srcs[k], "port_scan", T0 + (int64_t)k * 1000);
		c.dets[i].probe_sig = UINT64_C(0x1234567890abcdef);
		c.dets[i].src_resets = k == 1 ? 5 : 0;
		c.dets[i].src_silent = k == 1 ? 0 : 5;
		evidence(&c, i, "203.0.113.10", 22);
	}
	/* the same signature an hour later is another scan, not a decoy */
	size_t late = add(&c, "192.0.2.1", "port_scan", T0 + HOUR_US);
	c.dets[late].probe_sig = UINT64_C(0x1234567890abcdef);
	evidence(&c, late, "203.0.113.10", 22);
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(c.ngroups, 1);
	for (size_t k = 0; k < 3; k++)
		assert_ptr_equal(c.dets[k].decoys, &c.groups[0]);
	assert_null(c.dets[late].decoys);
	assert_int_equal(c.groups[0].nsources, 3);
	assert_string_equal(c.groups[0].real, "198.51.100.8");
	assert_int_equal(c.groups[0].nlisted, 2);
	assert_string_equal(c.groups[0].listed[0], "198.51.100.7");
	assert_string_equal(c.groups[0].listed[1], "198.51.100.9");
	assert_int_equal(count(&c, "netblock"), 0);
	for (size_t k = 0; k < 3; k++)
		assert_true(find(&c, "source", srcs[k])->no_group);
	sw_correlation_free(&c);
}

/* Without a reset to tell it, the real source is not named. */
static void test_decoy_group_undecided(void **state)
{
	struct sw_correlate_opts o = opts();
	struct sw_correlation c;

	(void)state;
	sw_correlation_init(&c);
	for (int k = 0; k < 2; k++) {
		size_t i = add(&c, k ? "192.0.2.1" : "198.51.100.7", "port_scan", T0);
		c.dets[i].probe_sig = 42;
		c.dets[i].src_silent = 3;
	}
	assert_int_equal(sw_correlation_run(&c, &o), 0);
	assert_int_equal(c.ngroups, 1);
	assert_string_equal(c.groups[0].real, "");
	assert_int_equal(c.groups[0].nlisted, 2);
	sw_correlation_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_splits_incidents),
		cmocka_unit_test(test_sources_apart),
		cmocka_unit_test(test_two_sensors_same_activity),
		cmocka_unit_test(test_netblock_of_incident),
		cmocka_unit_test(test_distributed_scan),
		cmocka_unit_test(test_no_distributed_scan),
		cmocka_unit_test(test_decoy_group),
		cmocka_unit_test(test_decoy_group_undecided),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
