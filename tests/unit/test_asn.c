/*
 * test_asn.c - unit tests for the network around an offending address
 * (issue 16): the IP-to-ASN service's answers (reporter/cymru.c, Team
 * Cymru's verbose format), aut-num import: lines and objects
 * (reporter/whois_parse.c: sw_whois_import_any, sw_whois_parse_autnum),
 * special-purpose AS numbers, and the merging of those answers into a
 * lookup's result as the cache replays them (reporter/whois_asn.c).
 * Fixtures: tests/data/whois/synthetic/{cymru-*,ripe-autnum-*}.
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
#include "cymru.h"
#include "whois_asn.h"
#include "whois_parse.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static char *load(const char *rel, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/whois/synthetic/%s",
		 top && *top ? top : SRCDIR, rel);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static struct sw_addr addr(const char *s)
{
	struct sw_addr a;
	assert_true(sw_addr_parse(s, &a));
	return a;
}

static const char *pfx(const struct sw_prefix *p)
{
	static char b[SW_ADDR_STRLEN + 8];
	return sw_prefix_format(p, b, sizeof b);
}

/* ---- the IP-to-ASN service ------------------------------------------------ */

static void test_cymru_fixture(void **state)
{
	(void)state;
	size_t len;
	char *t = load("cymru-192.0.2.60.txt", &len);
	struct sw_addr a = addr("192.0.2.60"), other = addr("192.0.2.61");
	struct sw_cymru c;

	assert_true(sw_cymru_parse(t, len, &a, &c));
	assert_int_equal(c.asn, 64496);
	assert_string_equal(pfx(&c.prefix), "192.0.2.0/24");
	assert_string_equal(c.cc, "US");
	assert_string_equal(c.registry, "arin");
	assert_string_equal(c.allocated, "2010-01-15");
	assert_string_equal(c.as_name, "HOSTING-EXAMPLE - Hosting Example Inc, US");
	/* the answer is about .60: not an answer for .61 */
	assert_false(sw_cymru_parse(t, len, &other, &c));
	/* the header alone, nothing routed, an error: no origin */
	static const char *const none[] = {
		"AS      | IP               | BGP Prefix          | CC | Registry | Allocated  | AS Name\n",
		"NA      | 192.0.2.60       | NA                  | US | arin     | 2010-01-15 | NA\n",
		"Error: no ASN or IP match on line 1.\n",
		"",
	};
	for (size_t i = 0; i < N_ELEM(none); i++)
		assert_false(sw_cymru_parse(none[i], strlen(none[i]), &a, &c));
	free(t);
}

static void test_cymru_most_specific(void **state)
{
	(void)state;
	struct sw_addr a = addr("198.51.100.77");
	struct sw_cymru c;
	static const char t[] =
		"AS | IP | BGP Prefix | CC | Registry | Allocated | AS Name\n"
		"64501 | 198.51.100.77 | 198.51.0.0/16 | NL | ripencc | 2001-01-01 | TRANSIT\r\n"
		"AS64500 | 198.51.100.77 | 198.51.100.0/24 | nl | ripencc | 2001-01-01 | CUSTOMER\r\n"
		"64502 | 198.51.100.77 | 198.51.100.0/24 | NL | ripencc | 2001-01-01 | SAME LENGTH\n";

	assert_true(sw_cymru_parse(t, strlen(t), &a, &c));
	assert_int_equal(c.asn, 64500);
	assert_string_equal(pfx(&c.prefix), "198.51.100.0/24");
	assert_string_equal(c.cc, "NL");
	assert_string_equal(c.registry, "ripencc");
	assert_string_equal(c.as_name, "CUSTOMER");
	assert_string_equal(sw_cymru_rpsl_server(c.registry), "whois.ripe.net");
	assert_null(sw_cymru_rpsl_server("arin"));
	assert_null(sw_cymru_rpsl_server("lacnic"));

	/* IPv6 */
	struct sw_addr a6 = addr("2001:db8:51::66");
	static const char t6[] =
		"AS | IP | BGP Prefix | CC | Registry | Allocated | AS Name\n"
		"64511 | 2001:db8:51::66 | 2001:db8:51::/48 | NL | ripencc | 2001-01-01 | SIX\n";
	assert_true(sw_cymru_parse(t6, strlen(t6), &a6, &c));
	assert_int_equal(c.asn, 64511);
	assert_string_equal(pfx(&c.prefix), "2001:db8:51::/48");
}

static void test_cymru_hostile(void **state)
{
	(void)state;
	size_t len;
	char *t = load("cymru-hostile.txt", &len);
	struct sw_addr a = addr("192.0.2.60");
	struct sw_cymru c;

	/* AS 0 and 2^32, another address, a prefix that does not cover it or
	 * of the other family, two ASes in one field, eight fields, NA: all
	 * refused; the one valid line keeps its number and prefix, loses its
	 * bad country, registry and date, and its name is printable */
	assert_true(sw_cymru_parse(t, len, &a, &c));
	assert_int_equal(c.asn, 64503);
	assert_string_equal(pfx(&c.prefix), "192.0.2.0/23");
	assert_string_equal(c.cc, "");
	assert_string_equal(c.registry, "");
	assert_string_equal(c.allocated, "");
	for (const char *p = c.as_name; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	free(t);

	/* the escapes in the name (the second line of the same prefix, alone) */
	static const char esc[] = "64503 | 192.0.2.60 | 192.0.2.0/23 | US | arin | 2010-01-15 | "
				  "EVIL\033]0;pwned\007\033[2J\r\n";
	assert_true(sw_cymru_parse(esc, strlen(esc), &a, &c));
	assert_null(strchr(c.as_name, '\033'));
	assert_null(strchr(c.as_name, '\007'));

	/* a NUL inside a line, a line too long: refused */
	static const char nul[] = "64503 | 192.0.2.60 | 192.0.2.0/23 | US | arin | 2010-01-15 | A\0B\n";
	assert_false(sw_cymru_parse(nul, sizeof nul - 1, &a, &c));
	char big[700];
	int k = snprintf(big, sizeof big, "64503 | 192.0.2.60 | 192.0.2.0/23 | US | arin | "
			 "2010-01-15 | ");
	memset(big + k, 'A', sizeof big - (size_t)k - 2);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	assert_false(sw_cymru_parse(big, strlen(big), &a, &c));
	/* only the first 64 lines are read */
	size_t cap = 70 * 80 + 200, n = 0;
	char *many = malloc(cap);
	assert_non_null(many);
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(many + n, cap - n, "x | y | z | a | b | c | d\n");
	n += (size_t)snprintf(many + n, cap - n, "64503 | 192.0.2.60 | 192.0.2.0/23 | US | arin | "
			      "2010-01-15 | LATE\n");
	assert_false(sw_cymru_parse(many, n, &a, &c));
	free(many);
}

static void test_cymru_query(void **state)
{
	(void)state;
	char q[80];
	struct sw_addr a = addr("192.0.2.60"), a6 = addr("2001:db8::1");

	sw_cymru_query(&a, q, sizeof q);
	assert_string_equal(q, " -v 192.0.2.60");
	assert_true(sw_cymru_is_query(q));
	sw_cymru_query(&a6, q, sizeof q);
	assert_string_equal(q, " -v 2001:db8::1");
	assert_true(sw_cymru_is_query(q));
	assert_false(sw_cymru_is_query("-B 192.0.2.60"));
	assert_false(sw_cymru_is_query(" -v AS64500"));
	assert_false(sw_cymru_is_query("192.0.2.60"));
	assert_false(sw_cymru_is_query(NULL));
}

/* ---- aut-num import: lines ------------------------------------------------- */

static void test_import_any(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		uint32_t from; /* 0: not an upstream */
	} cases[] = {
		{ "from AS3356 accept ANY", 3356 },
		{ "from AS64501 action pref=100; accept ANY", 64501 },
		{ "from AS64501 192.0.2.254 at 192.0.2.253 accept any", 64501 },
		{ "FROM as64501 ACCEPT ANY;", 64501 },
		{ "afi ipv6.unicast from AS64502 accept ANY", 64502 },
		{ "afi ipv4.unicast, ipv6.unicast from AS64502 accept ANY # transit", 64502 },
		{ "from AS64501 accept ANY ;", 64501 },
		/* peers and customers: their own routes only */
		{ "from AS64503 accept AS-PEER3", 0 },
		{ "from AS64504 accept AS64504", 0 },
		{ "from AS64504 accept {192.0.2.0/24}", 0 },
		/* not the plain form */
		{ "from AS64505 accept ANY AND NOT {0.0.0.0/0}", 0 },
		{ "{ from AS64506 accept ANY; } refine { from AS-ANY accept ANY; }", 0 },
		{ "from AS64501 accept ANY; from AS64502 accept ANY", 0 },
		{ "protocol BGP4 into OSPF from AS64501 accept ANY", 0 },
		{ "from AS-TRANSIT accept ANY", 0 },
		{ "from AS0 accept ANY", 0 },
		{ "from AS4294967296 accept ANY", 0 },
		{ "from AS64501 accept", 0 },
		{ "from AS64501", 0 },
		{ "to AS64501 announce ANY", 0 },
		{ "accept ANY", 0 },
		{ "from AS64501 accept ANY\033[2J", 0 },
		{ "", 0 },
	};
	uint32_t from;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		from = 0;
		bool ok = sw_whois_import_any(cases[i].v, strlen(cases[i].v), &from);
		if (ok != (cases[i].from != 0) || (ok && from != cases[i].from))
			fail_msg("'%s': got %s AS%u", cases[i].v, ok ? "yes" : "no", (unsigned)from);
	}
	/* the length counts, not a NUL */
	assert_false(sw_whois_import_any("from AS64501 accept ANY", 19, &from));
	assert_false(sw_whois_import_any(NULL, 0, &from));
}

static void test_autnum_fixture(void **state)
{
	(void)state;
	size_t len;
	char *t = load("ripe-autnum-AS64500.whois", &len);
	struct sw_autnum an;

	sw_whois_parse_autnum(t, len, 64500, &an);
	assert_true(an.found);
	assert_string_equal(an.as_name, "TESTNET2-AS");
	/* AS64501 (import, then again in mp-import: once) and AS64502
	 * (mp-import); not the peers, the refined or structured policies, nor
	 * the downstream */
	assert_int_equal(an.nupstreams, 2);
	assert_int_equal(an.upstreams[0], 64501);
	assert_int_equal(an.upstreams[1], 64502);
	assert_int_equal(an.more_upstreams, 0);
	/* its own abuse contact (for its own sake: not an upstream's) */
	assert_true(an.nabuse >= 1);
	assert_string_equal(an.abuse[0].addr, "abuse@testnet2.example");
	for (unsigned i = 0; i < an.nabuse; i++)
		assert_true(an.abuse[i].source <= SW_CONTACT_ABUSE_COMMENT);

	/* the answer is about AS64500: asked about another AS, nothing */
	sw_whois_parse_autnum(t, len, 64501, &an);
	assert_false(an.found);
	assert_int_equal(an.nupstreams, 0);
	assert_int_equal(an.nabuse, 0);
	free(t);

	t = load("ripe-autnum-AS64501.whois", &len);
	sw_whois_parse_autnum(t, len, 64501, &an);
	assert_true(an.found);
	assert_int_equal(an.nupstreams, 1);
	assert_int_equal(an.upstreams[0], 64511);
	assert_int_equal(an.nabuse, 1);
	assert_string_equal(an.abuse[0].addr, "abuse@transit.example");
	free(t);

	/* no abuse-c, no comment: the NOC's e-mail is no abuse contact */
	t = load("ripe-autnum-AS64502.whois", &len);
	sw_whois_parse_autnum(t, len, 64502, &an);
	assert_true(an.found);
	assert_int_equal(an.nabuse, 0);
	free(t);
}

static void test_autnum_bounds(void **state)
{
	(void)state;
	char t[4096];
	size_t n = 0;
	struct sw_autnum an;

	n += (size_t)snprintf(t + n, sizeof t - n, "aut-num: AS64500\n");
	for (unsigned i = 0; i < 10; i++)
		n += (size_t)snprintf(t + n, sizeof t - n, "import: from AS%u accept ANY\n",
				      64501 + i);
	/* importing ANY from itself is no upstream */
	n += (size_t)snprintf(t + n, sizeof t - n, "import: from AS64500 accept ANY\n");
	n += (size_t)snprintf(t + n, sizeof t - n, "abuse-mailbox: abuse@as64500.example\n");
	sw_whois_parse_autnum(t, n, 64500, &an);
	assert_true(an.found);
	assert_int_equal(an.nupstreams, SW_WHOIS_MAX_UPSTREAMS);
	assert_int_equal(an.more_upstreams, 10 - SW_WHOIS_MAX_UPSTREAMS);
	assert_int_equal(an.nabuse, 1);
	/* a "% Abuse contact" line about another AS does not count */
	static const char other[] = "% Abuse contact for 'AS64999' is 'abuse@other.example'\n\n"
				    "aut-num: AS64500\nimport: from AS64501 accept ANY\n";
	sw_whois_parse_autnum(other, strlen(other), 64500, &an);
	assert_int_equal(an.nabuse, 0);
	assert_int_equal(an.nupstreams, 1);
	/* an invalid aut-num line */
	static const char bad[] = "aut-num: AS064500\nimport: from AS64501 accept ANY\n";
	sw_whois_parse_autnum(bad, strlen(bad), 64500, &an);
	assert_false(an.found);
	assert_int_equal(an.nupstreams, 0);
}

static void test_asn_special(void **state)
{
	(void)state;
	static const uint32_t special[] = { 0, 23456, 64496, 64511, 64512, 65534, 65535, 65536,
					    65551, 4200000000u, 4294967294u, 4294967295u };
	static const uint32_t normal[] = { 1, 2856, 3356, 23455, 23457, 64495, 65552, 4199999999u };

	for (size_t i = 0; i < N_ELEM(special); i++)
		assert_true(sw_whois_asn_is_special(special[i]));
	for (size_t i = 0; i < N_ELEM(normal); i++)
		assert_false(sw_whois_asn_is_special(normal[i]));
}

/* ---- merging as the cache replays: service, aut-num, upstream -------------- */

static void test_replay_merge(void **state)
{
	(void)state;
	struct sw_whois_result r;
	struct sw_addr a = addr("198.51.100.30");
	char q[64];
	size_t l0, l1, l2;
	char *t0 = load("ripe-autnum-AS64500.whois", &l0);
	char *t1 = load("ripe-autnum-AS64501.whois", &l1);
	char *t2 = load("ripe-autnum-AS64502.whois", &l2);
	static const char cymru[] =
		"AS | IP | BGP Prefix | CC | Registry | Allocated | AS Name\n"
		"64500 | 198.51.100.30 | 198.51.100.0/24 | NL | ripencc | 2001-01-01 | TESTNET2\n";

	memset(&r, 0, sizeof r);
	assert_true(sw_whois_asn_replay(cymru, strlen(cymru), "whois.cymru.com",
					" -v 198.51.100.30", &a, &r));
	assert_int_equal(r.origin_as, 64500);
	assert_true(r.origin_ip2asn);
	assert_string_equal(r.origin_server, "whois.cymru.com");
	assert_string_equal(r.origin_registry, "ripencc");
	sw_whois_autnum_query("whois.ripe.net", 64500, q, sizeof q);
	assert_string_equal(q, "-B -T aut-num AS64500");
	assert_true(sw_whois_asn_replay(t0, l0, "whois.ripe.net", q, &a, &r));
	assert_true(r.autnum_found);
	assert_int_equal(r.nupstreams, 2);
	sw_whois_autnum_query("whois.ripe.net", 64501, q, sizeof q);
	assert_true(sw_whois_asn_replay(t1, l1, "whois.ripe.net", q, &a, &r));
	sw_whois_autnum_query("whois.testnets.example", 64502, q, sizeof q);
	assert_string_equal(q, "AS64502");
	assert_true(sw_whois_asn_replay(t2, l2, "whois.testnets.example", q, &a, &r));
	assert_int_equal(r.upstreams[0].asn, 64501);
	assert_string_equal(r.upstreams[0].abuse, "abuse@transit.example");
	assert_string_equal(r.upstreams[0].via, "abuse-c TA1-TEST");
	assert_string_equal(r.upstreams[0].server, "whois.ripe.net");
	assert_int_equal(r.upstreams[1].asn, 64502);
	assert_string_equal(r.upstreams[1].abuse, "");
	/* a registry's answer is not ours to merge */
	assert_false(sw_whois_asn_replay(t0, l0, "whois.ripe.net", "-B 198.51.100.30", &a, &r));

	/* a route object's origin stays: the service does not replace it */
	memset(&r, 0, sizeof r);
	r.origin_as = 64999;
	assert_true(sw_whois_asn_replay(cymru, strlen(cymru), "whois.cymru.com",
					" -v 198.51.100.30", &a, &r));
	assert_int_equal(r.origin_as, 64999);
	assert_false(r.origin_ip2asn);
	/* an aut-num answer about an AS that is neither origin nor upstream */
	sw_whois_autnum_query("whois.ripe.net", 64500, q, sizeof q);
	assert_true(sw_whois_asn_replay(t0, l0, "whois.ripe.net", q, &a, &r));
	assert_false(r.autnum_found);
	assert_int_equal(r.nupstreams, 0);
	free(t0);
	free(t1);
	free(t2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cymru_fixture),
		cmocka_unit_test(test_cymru_most_specific),
		cmocka_unit_test(test_cymru_hostile),
		cmocka_unit_test(test_cymru_query),
		cmocka_unit_test(test_import_any),
		cmocka_unit_test(test_autnum_fixture),
		cmocka_unit_test(test_autnum_bounds),
		cmocka_unit_test(test_asn_special),
		cmocka_unit_test(test_replay_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
