/*
 * test_policy.c - unit tests for analyzer/policy.c and analyzer/allow.c:
 * every rule that makes an incident not reportable and the reason it
 * gives (traceroute, mostly answered, a client's retries, allowlisted,
 * decoys, spoofed, a lone probe of a public service), the evasion that
 * raises severity, the allowlist's match (addresses, prefixes, IPv6,
 * names) and the judgement of a decoy scan's members.
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

#include "allow.h"
#include "netset.h"
#include "policy.h"

/* A detection of src (an IPv4 or IPv6 address) of the given kind. */
static struct sw_adet det(const char *src, const char *kind, const char *proto, uint16_t port)
{
	struct sw_adet d;
	struct sw_addr a;

	memset(&d, 0, sizeof d);
	snprintf(d.src, sizeof d.src, "%s", src);
	assert_true(sw_addr_parse(src, &a));
	d.family = a.family;
	memcpy(d.bin, a.bytes, 16);
	snprintf(d.kind, sizeof d.kind, "%s", kind);
	snprintf(d.proto, sizeof d.proto, "%s", proto);
	snprintf(d.target, sizeof d.target, "203.0.113.10");
	d.port = port;
	d.targets = 1;
	d.ports = 1;
	d.packets = 1;
	d.first = INT64_C(1795801339000000);
	d.last = d.first + 1000000;
	d.failed_known = true;
	d.failed = 1;
	return d;
}

static struct sw_adet scan(const char *src)
{
	struct sw_adet d = det(src, "port_scan", "tcp", 1);

	d.ports = 200;
	d.failed = 200;
	return d;
}

/* Judge dets[0..n) as one source-level incident. */
static void judge(const struct sw_policy *p, struct sw_incident *inc, struct sw_adet *dets,
                  size_t n)
{
	const struct sw_adet *ptrs[16];

	assert_true(n <= 16);
	memset(inc, 0, sizeof *inc);
	snprintf(inc->level, sizeof inc->level, "source");
	snprintf(inc->netblock, sizeof inc->netblock, "198.51.100.0/24");
	snprintf(inc->src, sizeof inc->src, "%s", dets[0].src);
	for (size_t i = 0; i < n; i++) {
		ptrs[i] = &dets[i];
		if (dets[i].targets > inc->targets)
			inc->targets = dets[i].targets;
		if (dets[i].ports > inc->ports)
			inc->ports = dets[i].ports;
	}
	inc->days = 1;
	sw_policy_judge(p, inc, ptrs, n);
}

#define assert_reason(inc, text) do { \
	if (!strstr((inc)->reasons, (text))) \
		fail_msg("reasons \"%s\" lack \"%s\"", (inc)->reasons, (text)); \
} while (0)

static struct sw_policy policy;
static struct sw_incident inc;

static void test_scan_is_reportable(void **state)
{
	struct sw_adet d = scan("198.51.100.7");
	(void)state;

	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 1);
	assert_int_equal(inc.severity, 3);
	assert_string_equal(inc.reasons, "scan of 200 tcp ports of 203.0.113.10");
	assert_false(inc.no_group);
}

static void test_traceroute(void **state)
{
	struct sw_adet d[2] = { det("198.51.100.7", "traceroute", "udp", 33434), scan("198.51.100.7") };
	(void)state;

	snprintf(d[0].variant, sizeof d[0].variant, "udp");
	d[0].targets = 3;
	judge(&policy, &inc, d, 1);
	assert_int_equal(inc.reportable, 0);
	assert_string_equal(inc.reasons, "traceroute (udp) to 3 hosts; "
	                    "traceroute: measuring the path to us is not an attack");
	/* a traceroute neither makes nor spoils a memo: with a scan, the scan counts */
	judge(&policy, &inc, d, 2);
	assert_int_equal(inc.reportable, 1);
}

static void test_mostly_answered(void **state)
{
	struct sw_adet d = scan("198.51.100.7");
	(void)state;

	d.successes = 200; /* as many answered as failed */
	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 0);
	assert_reason(&inc, "mostly answered (200 of 400 first contacts answered)");
	d.successes = 199;
	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 1);
	/* without a stored failure count, the ports it touched stand for it */
	d.failed_known = false;
	d.successes = 250;
	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 0);
	assert_reason(&inc, "mostly answered (250 of 450 first contacts answered)");
	/* no successes: no such reason, whatever is unknown */
	d.successes = 0;
	d.ports = 0;
	d.targets = 0;
	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 1);
	/* login attempts are answered by nature: they stay evidence */
	struct sw_adet l = det("198.51.100.7", "login_attempts", "tcp", 22);
	l.successes = 50;
	l.packets = 50;
	judge(&policy, &inc, &l, 1);
	assert_int_equal(inc.reportable, 1);
}

static void test_retries(void **state)
{
	struct sw_adet d = det("198.51.100.7", "port_probe", "tcp", 8081);
	(void)state;

	d.packets = 3;
	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 0);
	assert_reason(&inc, "one contact retried 3 times: a client's retries, not a probe");
	/* two episodes are still a probe */
	d.packets = 2;
	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 1);
	/* the article's lone FTP probe stays reportable */
	d = det("198.51.100.7", "port_probe", "tcp", 21);
	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 1);
	assert_int_equal(inc.severity, 2);
	assert_string_equal(inc.reasons, "probe of 21/tcp (ftp)");
	/* two ports retried are not one client's contact */
	d.ports = 2;
	d.packets = 5;
	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 1);
}

static void test_lone_public_probe_and_spoofed(void **state)
{
	struct sw_adet d = det("198.51.100.7", "port_probe", "tcp", 80);
	(void)state;

	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 0);
	assert_string_equal(inc.reasons, "probe of 80/tcp (http); "
	                    "a lone probe of a public service: not worth a memo");
	d = det("0.0.0.0", "syn_flood", "tcp", 80);
	d.packets = 100000;
	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 0);
	assert_reason(&inc, "spoofed or many sources: nobody to write to");
}

static void test_evasion(void **state)
{
	struct sw_adet d = scan("198.51.100.7");
	(void)state;

	snprintf(d.evasion, sizeof d.evasion, "tiny_fragments");
	judge(&policy, &inc, &d, 1);
	assert_int_equal(inc.reportable, 1);
	assert_int_equal(inc.severity, 4);
	assert_reason(&inc, "used tiny fragments to evade filters");
}

static void test_allowlist_match(void **state)
{
	struct sw_host_list *hosts = calloc(1, sizeof *hosts);
	struct sw_allowlist *l = calloc(1, sizeof *l);
	struct sw_addr a;
	char why[128];
	(void)state;

	assert_non_null(hosts);
	assert_non_null(l);
	assert_true(sw_host_list_parse("192.0.2.7, 198.51.100.0/24, 2001:db8:5::/48, localhost",
	                               hosts, why, sizeof why));
	/* offline: the name is left out (a warning), the rest holds */
	assert_int_equal(sw_allowlist_build(l, hosts, false), 1);
	assert_int_equal(l->n, 4);
	/* the name still matches itself: a log line's source left unresolved */
	assert_string_equal(sw_allowlist_match_name(l, "LocalHost"), "localhost");
	assert_null(sw_allowlist_match_name(l, "localhost.example"));
	assert_null(sw_allowlist_match_name(l, "192.0.2.7"));
	assert_true(sw_addr_parse("192.0.2.7", &a));
	assert_string_equal(sw_allowlist_match(l, &a), "192.0.2.7");
	assert_true(sw_addr_parse("192.0.2.8", &a));
	assert_null(sw_allowlist_match(l, &a));
	assert_true(sw_addr_parse("198.51.100.255", &a));
	assert_string_equal(sw_allowlist_match(l, &a), "198.51.100.0/24");
	assert_true(sw_addr_parse("198.51.101.0", &a));
	assert_null(sw_allowlist_match(l, &a));
	assert_true(sw_addr_parse("2001:db8:5:ffff::1", &a));
	assert_string_equal(sw_allowlist_match(l, &a), "2001:db8:5::/48");
	assert_true(sw_addr_parse("2001:db8:6::1", &a));
	assert_null(sw_allowlist_match(l, &a));
	/* an IPv4 prefix never matches the IPv4-mapped IPv6 address */
	assert_true(sw_addr_parse("::ffff:192.0.2.7", &a));
	assert_null(sw_allowlist_match(l, &a));

	/* resolved: localhost (from /etc/hosts, no query leaves the host) */
	assert_int_equal(sw_allowlist_build(l, hosts, true), 0);
	assert_true(l->n >= 5);
	assert_true(sw_addr_parse("127.0.0.1", &a));
	const char *m = sw_allowlist_match(l, &a);
	if (!m) { /* a host whose localhost is ::1 only */
		assert_true(sw_addr_parse("::1", &a));
		m = sw_allowlist_match(l, &a);
	}
	assert_non_null(m);
	assert_string_equal(m, "localhost");
	/* (a name that does not resolve is a warning too; not tried here: it
	 * would ask the DNS) */
	free(hosts);
	free(l);
}

static void test_allowlisted_incident(void **state)
{
	struct sw_allowlist *l = calloc(1, sizeof *l);
	struct sw_policy p = policy;
	struct sw_prefix pre;
	struct sw_adet d = scan("2001:db8:5::66");
	(void)state;

	assert_non_null(l);
	assert_true(sw_prefix_parse("2001:db8:5::/48", &pre));
	assert_true(sw_allowlist_add(l, &pre, "2001:db8:5::/48"));
	p.allow = l;
	judge(&p, &inc, &d, 1);
	assert_int_equal(inc.reportable, 0);
	assert_true(inc.no_group);
	assert_string_equal(inc.reasons, "scan of 200 tcp ports of 203.0.113.10; "
	                    "allowlisted (2001:db8:5::/48)");
	d = scan("2001:db8:6::66");
	judge(&p, &inc, &d, 1);
	assert_int_equal(inc.reportable, 1);
	free(l);
}

static void test_decoy_real(void **state)
{
	struct sw_decoy_member m[3] = {
		{ "198.51.100.1", 0, 5 }, { "198.51.100.2", 5, 0 }, { "198.51.100.3", 0, 5 },
	};
	(void)state;

	assert_int_equal(sw_decoy_real(m, 3), 1);
	/* two members reset: either may be the scanner */
	m[0].resets = 1;
	assert_int_equal(sw_decoy_real(m, 3), -1);
	/* a member that got no SYN-ACK at all says nothing */
	m[0].resets = 0;
	m[0].silent = 0;
	assert_int_equal(sw_decoy_real(m, 3), -1);
	/* nobody reset: nothing tells the scanner apart */
	m[0].silent = 5;
	m[1].resets = 0;
	m[1].silent = 5;
	assert_int_equal(sw_decoy_real(m, 3), -1);
	/* a reset and silence both: not the real one if another resets too,
	 * the real one if all others are silent */
	m[1].resets = 2;
	assert_int_equal(sw_decoy_real(m, 3), 1);
}

static void test_decoy_judgement(void **state)
{
	struct sw_decoy_group g = { .nsources = 4, .real = "198.51.100.2", .nlisted = 3,
	                            .listed = { "198.51.100.1", "198.51.100.3", "203.0.113.99" } };
	struct sw_adet real = scan("198.51.100.2"), decoy = scan("198.51.100.3");
	(void)state;

	real.decoys = &g;
	decoy.decoys = &g;
	judge(&policy, &inc, &real, 1);
	assert_int_equal(inc.reportable, 1);
	assert_int_equal(inc.severity, 4);
	assert_reason(&inc, "used 3 decoys (198.51.100.1, 198.51.100.3, 203.0.113.99)");
	/* the same, for the memo, without reading prose back */
	assert_int_equal(inc.decoys, 3);
	assert_string_equal(inc.decoy_list, "198.51.100.1, 198.51.100.3, 203.0.113.99");
	assert_true(inc.no_group);
	judge(&policy, &inc, &decoy, 1);
	assert_int_equal(inc.reportable, 0);
	assert_reason(&inc, "decoy of 198.51.100.2");
	assert_true(inc.no_group);
	/* more decoys than listed */
	g.nsources = 12;
	judge(&policy, &inc, &real, 1);
	assert_reason(&inc, "used 11 decoys (198.51.100.1, 198.51.100.3, 203.0.113.99 and 8 more)");
	/* the real one not told apart: nobody's incident is reportable */
	g.real[0] = '\0';
	judge(&policy, &inc, &real, 1);
	assert_int_equal(inc.reportable, 0);
	assert_reason(&inc, "decoy scan: the real source could not be told apart among 12 sources");
	judge(&policy, &inc, &decoy, 1);
	assert_int_equal(inc.reportable, 0);
	/* a decoy with other evidence of its own is judged on that evidence */
	g.real[0] = '1';
	snprintf(g.real, sizeof g.real, "198.51.100.2");
	struct sw_adet two[2] = { decoy, det("198.51.100.3", "login_attempts", "tcp", 22) };
	two[1].packets = 40;
	judge(&policy, &inc, two, 2);
	assert_int_equal(inc.reportable, 1);
	assert_reason(&inc, "decoy of 198.51.100.2");
}

/* A netblock incident holding a decoy scan's sources is no distributed scan. */
static void test_netblock_with_decoys(void **state)
{
	struct sw_decoy_group g = { .nsources = 2, .real = "198.51.100.2", .nlisted = 1,
	                            .listed = { "198.51.100.1" } };
	struct sw_adet d[2] = { scan("198.51.100.1"), scan("198.51.100.2") };
	const struct sw_adet *ptrs[2] = { &d[0], &d[1] };
	(void)state;

	memset(&inc, 0, sizeof inc);
	snprintf(inc.level, sizeof inc.level, "netblock");
	snprintf(inc.netblock, sizeof inc.netblock, "198.51.100.0/24");
	inc.nsources = 2;
	inc.days = 1;
	sw_policy_judge(&policy, &inc, ptrs, 2);
	assert_int_equal(inc.reportable, 1);
	assert_int_equal(inc.severity, 4);
	assert_string_equal(inc.reasons, "2 sources of 198.51.100.0/24 on the same targets; "
	                    "scan of 200 tcp ports of 203.0.113.10");
	d[0].decoys = &g;
	d[1].decoys = &g;
	sw_policy_judge(&policy, &inc, ptrs, 2);
	assert_int_equal(inc.reportable, 0);
	assert_reason(&inc, "sources of a decoy scan, not a distributed scan");
}

/* The verdict is never cut off by a long description. */
static void test_reasons_fit(void **state)
{
	static const char *const kinds[] = { "port_scan", "host_sweep", "block_scan",
	                                     "stealth_scan", "udp_scan", "ping_sweep",
	                                     "login_attempts", "syn_flood", "udp_flood",
	                                     "icmp_flood", "port_probe" };
	struct sw_adet d[11];
	(void)state;

	for (size_t i = 0; i < 11; i++) {
		d[i] = det("198.51.100.7", kinds[i], "tcp", 22);
		snprintf(d[i].target, sizeof d[i].target, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
		snprintf(d[i].variant, sizeof d[i].variant, "xmas");
	}
	d[0].decoys = &(struct sw_decoy_group){ .nsources = 30, .real = "" };
	for (size_t i = 1; i < 11; i++)
		d[i].decoys = d[0].decoys;
	judge(&policy, &inc, d, 11);
	assert_int_equal(inc.reportable, 0);
	assert_true(strlen(inc.reasons) < sizeof inc.reasons);
	assert_reason(&inc, "decoy scan: the real source could not be told apart among 30 sources");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_is_reportable),
		cmocka_unit_test(test_traceroute),
		cmocka_unit_test(test_mostly_answered),
		cmocka_unit_test(test_retries),
		cmocka_unit_test(test_lone_public_probe_and_spoofed),
		cmocka_unit_test(test_evasion),
		cmocka_unit_test(test_allowlist_match),
		cmocka_unit_test(test_allowlisted_incident),
		cmocka_unit_test(test_decoy_real),
		cmocka_unit_test(test_decoy_judgement),
		cmocka_unit_test(test_netblock_with_decoys),
		cmocka_unit_test(test_reasons_fit),
	};

	sw_policy_defaults(&policy);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
