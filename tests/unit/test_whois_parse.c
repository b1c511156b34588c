/*
 * test_whois_parse.c - unit tests for reporter/whois_parse.c against the
 * real registry answers in tests/data/whois/ (the recipients their README
 * expects), the synthetic ones in tests/data/whois/synthetic/ (KRNIC,
 * JPNIC /e, IANA, ARIN referrals, rwhois, rate limits, placeholders,
 * hostile bytes), and a fuzz run of mutated answers that checks the
 * invariants every result must keep.
 *
 * The data is found under $top_srcdir (set by `make check`), else under
 * the SRCDIR the test was compiled with, else the current directory.
 * SW_FUZZ_ITERATIONS overrides the number of fuzz rounds (100000).
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
#include <strings.h>

#include <cmocka.h>

#include "addr.h"
#include "whois.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------ */

static char *load(const char *rel, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/whois/%s", top && *top ? top : SRCDIR, rel);
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

/* Parse one file as server's answer for address text ip into *r. */
static void parse_file(const char *rel, const char *server, const char *ip,
		       struct sw_whois_result *r)
{
	size_t len;
	char *text = load(rel, &len);
	struct sw_addr a = addr(ip);
	sw_whois_parse(text, len, server, &a, r);
	free(text);
}

static bool referral_of(const char *rel, const char *server, struct sw_whois_referral *ref)
{
	size_t len;
	char *text = load(rel, &len);
	bool found = sw_whois_find_referral(text, len, server, ref);
	free(text);
	return found;
}

/* Index of a contact, or -1. */
static int find_contact(const struct sw_whois_result *r, const char *a)
{
	for (unsigned i = 0; i < r->ncontacts; i++)
		if (strcmp(r->contacts[i].addr, a) == 0)
			return (int)i;
	return -1;
}

static void assert_cidr(const struct sw_whois_result *r, unsigned i, const char *text)
{
	char buf[SW_ADDR_STRLEN];
	assert_true(i < r->ncidrs);
	assert_string_equal(sw_prefix_format(&r->cidrs[i], buf, sizeof(buf)), text);
}

static bool printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == cap)
		return false; /* not terminated */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* What every result must keep, whatever the input was. Returns false
 * instead of asserting so that the fuzzer can print the input's seed. */
static bool invariants_hold(const struct sw_whois_result *r, const char **why)
{
	*why = "counts";
	if (r->ncontacts > SW_WHOIS_MAX_CONTACTS || r->ncidrs > SW_WHOIS_MAX_CIDRS)
		return false;
	*why = "names not printable";
	if (!printable(r->netname, sizeof(r->netname)) || !printable(r->org, sizeof(r->org)) ||
	    !printable(r->server, sizeof(r->server)) || !printable(r->country, sizeof(r->country)))
		return false;
	*why = "country";
	if (r->country[0] && (strlen(r->country) != 2 || r->country[0] < 'A' ||
			      r->country[0] > 'Z' || r->country[1] < 'A' || r->country[1] > 'Z'))
		return false;
	for (unsigned i = 0; i < r->ncidrs; i++) {
		*why = "cidr";
		if (r->cidrs[i].addr.family != SW_AF_INET && r->cidrs[i].addr.family != SW_AF_INET6)
			return false;
		if (r->cidrs[i].len > (r->cidrs[i].addr.family == SW_AF_INET ? 32 : 128))
			return false;
	}
	for (unsigned i = 0; i < r->ncontacts; i++) {
		const struct sw_contact *c = &r->contacts[i];
		size_t n = strnlen(c->addr, sizeof(c->addr));
		*why = "address bytes";
		if (n == 0 || n == sizeof(c->addr))
			return false;
		for (size_t k = 0; k < n; k++) {
			unsigned char ch = (unsigned char)c->addr[k];
			if (ch < 0x20 || ch >= 0x7f || strchr(" <>\",;\\", ch) || (ch >= 'A' && ch <= 'Z'))
				return false;
		}
		*why = "address shape";
		const char *at = strchr(c->addr, '@');
		if (at == NULL || at == c->addr || strchr(at + 1, '@') || !strchr(at, '.'))
			return false;
		*why = "via not printable";
		if (!printable(c->via, sizeof(c->via)))
			return false;
		*why = "placeholder kept";
		if (sw_whois_is_placeholder(c->addr))
			return false;
		*why = "source";
		if (c->source > SW_CONTACT_GUESS)
			return false;
		*why = "rank order";
		if (i > 0 && r->contacts[i - 1].source > c->source)
			return false;
		*why = "duplicate";
		for (unsigned k = 0; k < i; k++)
			if (strcasecmp(r->contacts[k].addr, c->addr) == 0)
				return false;
	}
	return true;
}

static void assert_invariants(const struct sw_whois_result *r)
{
	const char *why;
	if (!invariants_hold(r, &why))
		fail_msg("invariant broken: %s", why);
}

static bool referral_ok(const struct sw_whois_referral *ref)
{
	size_t n = strnlen(ref->host, sizeof(ref->host));
	if (n == 0 || n == sizeof(ref->host) || ref->port == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = ref->host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* ---- the real answers: the README's expected recipients ---------------- */

static void test_ripe_bt(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_whois_referral ref;

	parse_file("62.239.237.1.whois", "whois.ripe.net", "62.239.237.1", &r);
	assert_invariants(&r);
	assert_true(r.ncontacts >= 1);
	assert_string_equal(r.contacts[0].addr, "protect@bt.com");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_non_null(strstr(r.contacts[0].via, "BTCR1-RIPE"));
	int k = find_contact(&r, "btcertcc@bt.com");
	assert_true(k > 0);
	assert_int_equal(r.contacts[k].source, SW_CONTACT_REMARKS);
	assert_int_equal(r.ncidrs, 1);
	assert_cidr(&r, 0, "62.239.237.0/24");
	assert_string_equal(r.netname, "BT-CORPORATE");
	assert_string_equal(r.country, "GB");
	assert_string_equal(r.server, "whois.ripe.net");
	assert_false(r.rate_limited);
	assert_false(referral_of("62.239.237.1.whois", "whois.ripe.net", &ref));
	assert_string_equal(ref.host, "");
}

static void test_arin_google(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_whois_referral ref;

	parse_file("74.125.225.229.whois", "whois.arin.net", "74.125.225.229", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 1); /* OrgAbuseEmail and OrgTechEmail: once */
	assert_string_equal(r.contacts[0].addr, "arin-contact@google.com");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_string_equal(r.contacts[0].via, "OrgAbuseEmail");
	assert_int_equal(r.ncidrs, 1);
	assert_cidr(&r, 0, "74.125.0.0/16");
	assert_string_equal(r.netname, "GOOGLE");
	assert_string_equal(r.org, "Google Inc.");
	assert_string_equal(r.country, "US");
	assert_false(referral_of("74.125.225.229.whois", "whois.arin.net", &ref));
}

static void test_lacnic(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };

	parse_file("200.57.141.161.whois", "whois.lacnic.net", "200.57.141.161", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 1);
	assert_string_equal(r.contacts[0].addr, "operacion.redes@triara.com");
	/* the e-mail of the person abuse-c names (it has no abuse-mailbox):
	 * the designated abuse contact */
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_string_equal(r.contacts[0].via, "abuse-c RYT2");
	assert_int_equal(r.ncidrs, 1);
	assert_cidr(&r, 0, "200.57.128.0/19");
	assert_string_equal(r.org, "Triara.com, S.A. de C.V.");
	assert_string_equal(r.country, "MX");
}

static void test_apnic_then_krnic(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_whois_referral ref;

	parse_file("210.107.73.73.whois", "whois.apnic.net", "210.107.73.73", &r);
	assert_invariants(&r);
	int abuse = find_contact(&r, "abuse@bora.net");
	int security = find_contact(&r, "security@bora.net");
	int irt = find_contact(&r, "hostmaster@nic.or.kr");
	assert_int_equal(abuse, 0);
	assert_int_equal(security, 1);
	assert_true(irt > security);
	assert_int_equal(r.contacts[irt].source, SW_CONTACT_NIR_IRT);
	assert_non_null(strstr(r.contacts[irt].via, "IRT-KRNIC-KR"));
	assert_int_equal(r.contacts[abuse].source, SW_CONTACT_ROLE_EMAIL);
	assert_int_equal(r.ncidrs, 1);
	assert_cidr(&r, 0, "210.107.0.0/17");
	assert_string_equal(r.netname, "BORANET-NET-210-107");
	assert_string_equal(r.country, "KR");

	assert_true(referral_of("210.107.73.73.whois", "whois.apnic.net", &ref));
	assert_string_equal(ref.host, "whois.krnic.net");
	assert_int_equal(ref.port, 43);
	assert_false(ref.rwhois);

	/* the KRNIC hop: its network abuse contact becomes the abuse mailbox */
	parse_file("synthetic/krnic-210.107.73.73.whois", "whois.krnic.net", "210.107.73.73", &r);
	assert_invariants(&r);
	assert_string_equal(r.contacts[0].addr, "abuse@bora.net");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_string_equal(r.contacts[1].addr, "security@bora.net");
	assert_true(find_contact(&r, "hostmaster@nic.or.kr") > find_contact(&r, "ipadm@nic.bora.net"));
	assert_int_equal(find_contact(&r, "admin@customer.example.kr"), -1); /* not our /24 */
	assert_int_equal(r.ncidrs, 1);
	assert_cidr(&r, 0, "210.107.0.0/17");
	assert_string_equal(r.netname, "BORANET");
	assert_string_equal(r.org, "LG DACOM Corporation");
	assert_string_equal(r.country, "KR"); /* kept from APNIC */
	assert_string_equal(r.server, "whois.krnic.net");
	/* KRNIC does not send us back to itself, under any of its names */
	assert_false(referral_of("synthetic/krnic-210.107.73.73.whois", "whois.krnic.net", &ref));
	assert_false(referral_of("210.107.73.73.whois", "whois.nic.or.kr:43", &ref));
}

static void test_afrinic_remarks(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };

	parse_file("196.11.240.215.whois", "whois.afrinic.net", "196.11.240.215", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 1);
	assert_string_equal(r.contacts[0].addr, "abuse@mtnbusiness.co.za");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_REMARKS);
	assert_string_equal(r.contacts[0].via, "remarks");
	/* 196.11.239.0 - 196.11.246.255 is not one CIDR */
	assert_int_equal(r.ncidrs, 4);
	assert_cidr(&r, 0, "196.11.239.0/24");
	assert_cidr(&r, 1, "196.11.240.0/22");
	assert_cidr(&r, 2, "196.11.244.0/23");
	assert_cidr(&r, 3, "196.11.246.0/24");
	assert_string_equal(r.org, "MTN SA");
	assert_string_equal(r.country, "ZA");
}

static void test_apnic_then_jpnic(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_whois_referral ref;
	const char *ip = "2001:240:10c:1::ca20:9d1d";

	parse_file("2001_240_10c_1__ca20_9d1d.whois", "whois.apnic.net", ip, &r);
	assert_invariants(&r);
	assert_int_equal(find_contact(&r, "hostmaster@nic.ad.jp"), -1);
	assert_int_equal(r.ncontacts, 0);
	assert_int_equal(r.ncidrs, 1);
	assert_cidr(&r, 0, "2001:240:10c::/48");
	assert_string_equal(r.netname, "IIJ-PRJNET");
	assert_true(referral_of("2001_240_10c_1__ca20_9d1d.whois", "whois.apnic.net", &ref));
	assert_string_equal(ref.host, "whois.nic.ad.jp");
	assert_int_equal(ref.port, 43);

	parse_file("synthetic/jpnic-2001_240_10c_1__ca20_9d1d.whois", "whois.nic.ad.jp", ip, &r);
	assert_invariants(&r);
	assert_true(r.ncontacts >= 1);
	assert_string_equal(r.contacts[0].addr, "abuse@iij.ad.jp");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_true(find_contact(&r, "ip-admin@iij.ad.jp") > 0);
	assert_int_equal(find_contact(&r, "hostmaster@nic.ad.jp"), -1);
	assert_cidr(&r, 0, "2001:240:10c::/48");
	assert_string_equal(r.org, "Internet Initiative Japan Inc.");
	assert_string_equal(r.server, "whois.nic.ad.jp");
	assert_false(referral_of("synthetic/jpnic-2001_240_10c_1__ca20_9d1d.whois",
				 "whois.nic.ad.jp", &ref));
}

static void test_ipv6_fixtures(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };

	parse_file("2001_43f8_7b0__.whois", "whois.afrinic.net", "2001:43f8:7b0::", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 0); /* nobody registered an e-mail address */
	assert_cidr(&r, 0, "2001:43f8:7b0::/48");
	assert_string_equal(r.netname, "Tespok");
	assert_string_equal(r.country, "KE");
	assert_non_null(strstr(r.org, "TESPOK"));

	memset(&r, 0, sizeof(r));
	parse_file("2001_4860_4860__8888.whois", "whois.arin.net", "2001:4860:4860::8888", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 1);
	assert_string_equal(r.contacts[0].addr, "arin-contact@google.com");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_cidr(&r, 0, "2001:4860::/32");
	assert_string_equal(r.netname, "GOOGLE-IPV6");

	memset(&r, 0, sizeof(r));
	parse_file("2801_10_c000__.whois", "whois.lacnic.net", "2801:10:c000::", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 1);
	assert_string_equal(r.contacts[0].addr, "sistemas.red@uco.edu.co");
	assert_cidr(&r, 0, "2801:10:c000::/48");
	assert_string_equal(r.country, "CO");
	assert_string_equal(r.org, "Universidad Catolica de Oriente");

	memset(&r, 0, sizeof(r));
	parse_file("2a00_2381_ffff__1.whois", "whois.ripe.net", "2a00:2381:ffff::1", &r);
	assert_invariants(&r);
	assert_string_equal(r.contacts[0].addr, "protect@bt.com");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_COMMENT);
	assert_int_equal(r.contacts[1].source, SW_CONTACT_REMARKS);
	assert_string_equal(r.contacts[1].addr, "abuse@bt.net");
	assert_true(find_contact(&r, "ip.address.management.account@bt.com") > 1);
	assert_cidr(&r, 0, "2a00:2381:ffff::/64");
	assert_string_equal(r.netname, "BT-WORLD-IPVSIX-LAUNCH");
}

/* The abuse comment counts only for a range that holds the address. */
static void test_abuse_comment_scope(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };

	parse_file("2a00_2381_ffff__1.whois", "whois.ripe.net", "2a00:2381:fffe::1", &r);
	assert_invariants(&r);
	assert_int_equal(find_contact(&r, "protect@bt.com"), -1);
	assert_int_equal(r.ncidrs, 0);
}

/* ---- synthetic answers ---------------------------------------------------- */

static void test_iana(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_whois_referral ref;

	assert_true(referral_of("synthetic/iana-74.125.225.229.whois", "whois.iana.org", &ref));
	assert_string_equal(ref.host, "whois.arin.net");
	assert_int_equal(ref.port, 43);
	assert_false(ref.rwhois);
	/* IANA's /8 is a pointer, not the network */
	parse_file("synthetic/iana-74.125.225.229.whois", "whois.iana.org", "74.125.225.229", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncidrs, 0);
	assert_int_equal(r.ncontacts, 0);

	assert_true(referral_of("synthetic/iana-tld-nl.whois", "whois.iana.org", &ref));
	assert_string_equal(ref.host, "whois.domain-registry.nl");
}

static void test_arin_to_ripe(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_whois_referral ref;

	assert_true(referral_of("synthetic/arin-refer-ripe-62.239.237.1.whois", "whois.arin.net", &ref));
	assert_string_equal(ref.host, "whois.ripe.net");
	assert_int_equal(ref.port, 43);
	assert_false(ref.rwhois);

	parse_file("synthetic/arin-refer-ripe-62.239.237.1.whois", "whois.arin.net", "62.239.237.1", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 0); /* abuse@ripe.net, hostmaster@ripe.net: the RIR's */
	assert_cidr(&r, 0, "62.0.0.0/8");
	parse_file("62.239.237.1.whois", "whois.ripe.net", "62.239.237.1", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncidrs, 1);
	assert_cidr(&r, 0, "62.239.237.0/24");
	assert_string_equal(r.contacts[0].addr, "protect@bt.com");
	assert_string_equal(r.netname, "BT-CORPORATE");
	assert_string_equal(r.server, "whois.ripe.net");
	/* a less specific answer later never widens the range */
	parse_file("synthetic/arin-refer-ripe-62.239.237.1.whois", "whois.arin.net", "62.239.237.1", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncidrs, 1);
	assert_cidr(&r, 0, "62.239.237.0/24");
	assert_string_equal(r.netname, "BT-CORPORATE");
	assert_string_equal(r.server, "whois.ripe.net");
}

static void test_arin_rwhois(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_whois_referral ref;

	/* two networks, two ReferralServers: the last, most specific one */
	assert_true(referral_of("synthetic/arin-refer-rwhois-23.131.4.20.whois", "whois.arin.net", &ref));
	assert_string_equal(ref.host, "rwhois.example.net");
	assert_int_equal(ref.port, 4321);
	assert_true(ref.rwhois);

	parse_file("synthetic/arin-refer-rwhois-23.131.4.20.whois", "whois.arin.net", "23.131.4.20", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncidrs, 2);
	assert_cidr(&r, 0, "23.131.4.0/22");
	assert_cidr(&r, 1, "23.131.8.0/23");
	assert_string_equal(r.netname, "EXAMPLE-REGIONAL");
	assert_string_equal(r.org, "Example Regional ISP");
	assert_string_equal(r.country, "CA");
	assert_string_equal(r.contacts[0].addr, "abuse@regional.example.net"); /* once */
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_true(find_contact(&r, "noc@regional.example.net") > 0);
	assert_true(find_contact(&r, "hostmaster@regional.example.net") > 0);
	int k = find_contact(&r, "spam-desk@regional.example.net");
	assert_true(k > 0);
	assert_int_equal(r.contacts[k].source, SW_CONTACT_REMARKS);
	assert_int_equal(find_contact(&r, "abuse@backbone.example.net"), -1);
	assert_int_equal(r.ncontacts, 4);

	/* the rwhois hop narrows it to the customer */
	parse_file("synthetic/rwhois-23.131.4.20.whois", "rwhois.example.net:4321", "23.131.4.20", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncidrs, 1);
	assert_cidr(&r, 0, "23.131.4.16/28");
	assert_string_equal(r.netname, "ERI-CUSTOMER-42");
	assert_string_equal(r.org, "Example Customer 42");
	assert_string_equal(r.contacts[0].addr, "abuse@customer42.example.com");
	assert_string_equal(r.contacts[1].addr, "abuse@regional.example.net");
	assert_true(find_contact(&r, "tech42@customer42.example.com") > 1);
	assert_false(referral_of("synthetic/rwhois-23.131.4.20.whois", "rwhois.example.net:4321", &ref));
}

static void test_rate_limits(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	static const char *const refusals[] = {
		"synthetic/ratelimit-ripe.whois", "synthetic/ratelimit-arin.whois",
	};
	for (size_t i = 0; i < N_ELEM(refusals); i++) {
		size_t len;
		char *t = load(refusals[i], &len);
		assert_true(sw_whois_is_rate_limited(t, len));
		free(t);
		memset(&r, 0, sizeof(r));
		parse_file(refusals[i], "whois.ripe.net", "62.239.237.1", &r);
		assert_true(r.rate_limited);
		assert_int_equal(r.ncidrs, 0);
		assert_int_equal(r.ncontacts, 0);
	}
	/* the retry's real answer clears the flag */
	parse_file("62.239.237.1.whois", "whois.ripe.net", "62.239.237.1", &r);
	assert_false(r.rate_limited);
	assert_string_equal(r.contacts[0].addr, "protect@bt.com");

	static const char *const real[] = {
		"62.239.237.1.whois", "74.125.225.229.whois", "200.57.141.161.whois",
		"210.107.73.73.whois", "196.11.240.215.whois", "2001_240_10c_1__ca20_9d1d.whois",
		"2001_43f8_7b0__.whois", "2001_4860_4860__8888.whois", "2801_10_c000__.whois",
		"2a00_2381_ffff__1.whois",
	};
	for (size_t i = 0; i < N_ELEM(real); i++) {
		size_t len;
		char *t = load(real[i], &len);
		assert_false(sw_whois_is_rate_limited(t, len));
		free(t);
	}
	/* registry data that merely says the words is not a refusal */
	static const char data[] = "inetnum: 192.0.2.0 - 192.0.2.255\n"
				   "remarks: Query rate limit exceeded? Not by us.\n"
				   "descr: too many queries make admins sad\n";
	assert_false(sw_whois_is_rate_limited(data, sizeof(data) - 1));
	assert_true(sw_whois_is_rate_limited("%ERROR:201: access denied for 192.0.2.1\n", 40));
	assert_false(sw_whois_is_rate_limited(NULL, 0));
}

static void test_placeholders(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };

	parse_file("synthetic/placeholders-198.51.100.7.whois", "whois.ripe.net", "198.51.100.7", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 1);
	assert_string_equal(r.contacts[0].addr, "noc@placeholder-networks.example.org");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ROLE_EMAIL);

	static const char *const never[] = {
		"removed@ripe.net", "removed@example.com", "REDACTED FOR PRIVACY",
		"redacted@example.org", "no-email@example.org", "not-available@example.org",
		"abuse@xxx", "abuse@xxx.xx", "nobody@example.com", "abuse@example.invalid", "", "not an address",
		"a@b", "a@b>, evil@example.com", "abuse@example.net\r\nBcc: victim@x",
	};
	for (size_t i = 0; i < N_ELEM(never); i++)
		if (!sw_whois_is_placeholder(never[i]))
			fail_msg("%s should be a placeholder", never[i]);
	assert_true(sw_whois_is_placeholder(NULL));
	static const char *const fine[] = {
		"protect@bt.com", "abuse@bora.net", "hostmaster@nic.or.kr",
		"arin-contact@google.com", "operacion.redes@TRIARA.COM", "abuse@iij.ad.jp",
		"hostmaster@regional.example.net", "abuse@loop.test",
	};
	for (size_t i = 0; i < N_ELEM(fine); i++)
		if (sw_whois_is_placeholder(fine[i]) || sw_whois_is_registry_address(fine[i]))
			fail_msg("%s should be a recipient", fine[i]);
	/* the registries' own mailboxes: dropped from stubs by the parser,
	 * kept for the registries' own networks (test_registry_own_network) */
	static const char *const registry[] = {
		"hostmaster@ripe.net", "HostMaster@APNIC.net", "hm-changed@apnic.net",
		"search-apnic-not-arin@apnic.net", "abuse@apnic.net", "hostmaster@nic.ad.jp",
		"ip-apnic@nic.ad.jp", "abuse@arin.net", "abuse@ripe.net", "hostmaster@afrinic.net",
	};
	for (size_t i = 0; i < N_ELEM(registry); i++) {
		if (!sw_whois_is_registry_address(registry[i]))
			fail_msg("%s should be a registry address", registry[i]);
		if (sw_whois_is_placeholder(registry[i]))
			fail_msg("%s is not a placeholder", registry[i]);
	}
	assert_false(sw_whois_is_registry_address(NULL));
	assert_false(sw_whois_is_registry_address("abuse@notripe.net"));
}

static void test_referrals(void **state)
{
	(void)state;
	struct sw_whois_referral ref;

	assert_true(referral_of("synthetic/transferred-103.10.1.1.whois", "whois.apnic.net", &ref));
	assert_string_equal(ref.host, "whois.ripe.net");

	/* never back to the server that answered */
	assert_false(referral_of("synthetic/selfref-arin-23.131.4.20.whois", "whois.arin.net", &ref));
	assert_false(referral_of("synthetic/selfref-arin-23.131.4.20.whois", "WHOIS.ARIN.NET:43", &ref));
	assert_true(referral_of("synthetic/selfref-arin-23.131.4.20.whois", "whois.iana.org", &ref));
	assert_string_equal(ref.host, "whois.arin.net");
	assert_false(referral_of("synthetic/hostile-selfref-apnic.whois", "whois.apnic.net", &ref));
	assert_true(referral_of("synthetic/hostile-selfref-apnic.whois", "whois.ripe.net", &ref));
	assert_string_equal(ref.host, "whois.apnic.net");

	static const struct {
		const char *text, *host;
		uint16_t port;
		bool rwhois;
	} cases[] = {
		{ "ReferralServer: whois://whois.ripe.net:43/\n", "whois.ripe.net", 43, false },
		{ "ReferralServer: rwhois://rwhois.example.net:4321\n", "rwhois.example.net", 4321, true },
		{ "ReferralServer: rwhois://RWHOIS.Example.NET\n", "rwhois.example.net", 4321, true },
		{ "ReferralServer: whois://a.example\nReferralServer: rwhois://b.example:99\n",
		  "b.example", 99, true },
		{ "ReferralServer: http://www.example.net/\n", NULL, 0, false },
		{ "ReferralServer: rwhois://bad_host.example:4321\n", NULL, 0, false },
		{ "ReferralServer: whois://x.example:99999\n", NULL, 0, false },
		{ "ReferralServer: whois://x.example:0\n", NULL, 0, false },
		{ "ReferralServer: whois://x\x1b[2J.example\n", NULL, 0, false },
		{ "refer: whois.lacnic.net\n", "whois.lacnic.net", 43, false },
		{ "NetType: Allocated to AFRINIC\n", "whois.afrinic.net", 43, false },
		{ "netname: NON-RIPE-NCC-MANAGED-ADDRESS-BLOCK\n", "whois.iana.org", 43, false },
		{ "Registrar WHOIS Server: whois.registrar.example\n", "whois.registrar.example", 43, false },
		/* Verisign indents every line: not continuation lines */
		{ "   Domain Name: EXAMPLE.NET\n   Registrar WHOIS Server: whois.registrar.example\n",
		  "whois.registrar.example", 43, false },
		{ "remarks: nothing to see\n", NULL, 0, false },
		{ "", NULL, 0, false },
	};
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		bool found = sw_whois_find_referral(cases[i].text, strlen(cases[i].text),
						    "whois.test.example", &ref);
		if (cases[i].host == NULL) {
			if (found)
				fail_msg("case %zu: unexpected referral to %s", i, ref.host);
			assert_string_equal(ref.host, "");
			continue;
		}
		if (!found)
			fail_msg("case %zu: no referral", i);
		assert_string_equal(ref.host, cases[i].host);
		assert_int_equal(ref.port, cases[i].port);
		assert_int_equal(ref.rwhois, cases[i].rwhois);
	}
	assert_false(sw_whois_find_referral(NULL, 0, NULL, &ref));
}

/* ---- hostile answers ------------------------------------------------------ */

static void test_hostile_escapes(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };

	parse_file("synthetic/hostile-escapes-198.51.100.7.whois", "whois.ripe.net", "198.51.100.7", &r);
	assert_invariants(&r);
	assert_cidr(&r, 0, "198.51.100.0/24");
	assert_int_equal(r.ncontacts, 2);
	assert_string_equal(r.contacts[0].addr, "noc@example.net");
	assert_string_equal(r.contacts[0].via, "abuse-c EV1-RIPE");
	assert_string_equal(r.contacts[1].addr, "ok-remark@example.net");
	assert_int_equal(r.contacts[1].source, SW_CONTACT_REMARKS);
	for (unsigned i = 0; i < r.ncontacts; i++) {
		assert_null(strstr(r.contacts[i].addr, "victim"));
		assert_null(strstr(r.contacts[i].addr, "evil"));
	}
	/* escapes are shown, never executed */
	assert_null(strchr(r.netname, '\x1b'));
	assert_non_null(strstr(r.netname, "EVIL\\x1b[2J"));
	assert_non_null(strstr(r.org, "Evil\\x1aOrg\\x0dInc"));
	assert_string_equal(r.country, "");
}

static void test_hostile_crlf(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };

	/* CRLF ends a line: what follows is another attribute ("Bcc: …"),
	 * never part of an address and never a recipient */
	parse_file("synthetic/hostile-crlf-198.51.100.7.whois", "whois.ripe.net", "198.51.100.7", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 2);
	assert_string_equal(r.contacts[0].addr, "abuse@example.net");
	assert_string_equal(r.contacts[1].addr, "ops@example.net");
}

static void test_hostile_huge(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_whois_referral ref;
	struct sw_addr a = addr("198.51.100.7");
	size_t huge = (size_t)3 << 20, len = 0;
	char *t = malloc(huge + 4096);
	assert_non_null(t);

	len += (size_t)sprintf(t + len, "inetnum: 198.51.100.0 - 198.51.100.255\nnetname: ");
	memset(t + len, 'N', huge / 2);
	len += huge / 2;
	len += (size_t)sprintf(t + len, "\nremarks: ");
	for (size_t i = 0; i < huge / 2 / 16; i++, len += 16)
		memcpy(t + len, "x@example.net\x1b  ", 16);
	len += (size_t)sprintf(t + len, "\nadmin-c: H1\n\nperson: p\nnic-hdl: H1\n"
				       "e-mail: noc@example.net\nReferralServer: whois://");
	memset(t + len, 'a', 2000);
	len += 2000;
	t[len++] = '\n';
	sw_whois_parse(t, len, "whois.ripe.net", &a, &r);
	assert_invariants(&r);
	assert_int_equal(strlen(r.netname), sizeof(r.netname) - 1);
	assert_int_equal(find_contact(&r, "noc@example.net"), 0);
	assert_int_equal(find_contact(&r, "x@example.net"), -1);
	assert_false(sw_whois_find_referral(t, len, "whois.arin.net", &ref));

	/* many handles and many nested networks stay cheap */
	len = 0;
	for (unsigned i = 0; i < 20000 && len + 200 < huge; i++)
		len += (size_t)sprintf(t + len, "inetnum: 198.51.%u.0 - 198.51.100.255\nadmin-c: H%u\n"
					       "tech-c: H1\n\n", i % 101, i);
	sw_whois_parse(t, len, "whois.ripe.net", &a, &r);
	assert_invariants(&r);
	free(t);
}

static void test_nul_bytes(void **state)
{
	(void)state;
	static const char text[] = "inetnum: 192.0.2.0 - 192.0.2.255\n"
				   "netname: NUL\0NET\n"
				   "abuse-mailbox: abuse@exa\0mple.net\n"
				   "abuse-mailbox: ok@example.net\0\n"
				   "e-mail: fine@example.net\n"
				   "country: N\0\n";
	struct sw_whois_result r = { 0 };
	struct sw_addr a = addr("192.0.2.1");

	sw_whois_parse(text, sizeof(text) - 1, "whois.example.net", &a, &r);
	assert_invariants(&r);
	assert_string_equal(r.netname, "NUL\\x1aNET");
	assert_int_equal(r.ncontacts, 1);
	assert_string_equal(r.contacts[0].addr, "fine@example.net");
	assert_string_equal(r.country, "");
}

/* Only a national registry's own IRT is a fallback; an ISP's IRT that
 * KRNIC maintains is the network's abuse mailbox. */
static void test_nir_irt_judgement(void **state)
{
	(void)state;
	static const char text[] =
		"% Abuse contact for '192.0.2.0 - 192.0.2.255' is 'irt@nic.or.kr'\n\n"
		"inetnum: 192.0.2.0 - 192.0.2.255\nmnt-irt: IRT-EXAMPLEISP-KR\n"
		"mnt-by: MNT-KRNIC-AP\nsource: APNIC\n\n"
		"irt: IRT-EXAMPLEISP-KR\nabuse-mailbox: abuse@isp.example.kr\n"
		"mnt-by: MNT-KRNIC-AP\nsource: APNIC\n";
	struct sw_whois_result r = { 0 };
	struct sw_addr a = addr("192.0.2.1");

	sw_whois_parse(text, sizeof(text) - 1, "whois.apnic.net", &a, &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 2);
	assert_string_equal(r.contacts[0].addr, "abuse@isp.example.kr");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_string_equal(r.contacts[0].via, "irt IRT-EXAMPLEISP-KR");
	assert_string_equal(r.contacts[1].addr, "irt@nic.or.kr");
	assert_int_equal(r.contacts[1].source, SW_CONTACT_NIR_IRT);
}

/* RPSL continuation lines (blank or '+' first) belong to the value. */
static void test_continuations(void **state)
{
	(void)state;
	static const char text[] = "inetnum: 192.0.2.0 - 192.0.2.255\n"
				   "netname: CONT\n"
				   "remarks: for abuse mail\n"
				   "  abuse@example.net or\n"
				   "+\n"
				   "\tnoc@example.net\n"
				   "descr: Example\n"
				   " Networks\n"
				   "country: nl\n";
	struct sw_whois_result r = { 0 };
	struct sw_addr a = addr("192.0.2.77");

	sw_whois_parse(text, sizeof(text) - 1, "whois.ripe.net", &a, &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 2);
	assert_string_equal(r.contacts[0].addr, "abuse@example.net");
	assert_string_equal(r.contacts[1].addr, "noc@example.net");
	assert_string_equal(r.org, "Example Networks");
	assert_string_equal(r.country, "NL");
	assert_string_equal(r.netname, "CONT");
}

/* Domain whois answers (no address): the contacts of the domain. */
static void test_domain_contacts(void **state)
{
	(void)state;
	static const char text[] = "Domain Name: casema.net\n"
				   "Registrant Email: REDACTED FOR PRIVACY\n"
				   "Admin Email: Hostmaster@Casema.NET\n"
				   "Tech Email: noc@casema.net\n"
				   "Billing Email: billing@casema.net\n";
	struct sw_whois_result r = { 0 };

	parse_file("62.239.237.1.whois", "whois.ripe.net", "62.239.237.1", &r);
	unsigned before = r.ncontacts;
	sw_whois_parse(text, sizeof(text) - 1, "whois.registrar.example", NULL, &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, before + 3);
	assert_string_equal(r.contacts[0].addr, "protect@bt.com");
	int k = find_contact(&r, "hostmaster@casema.net");
	assert_true(k >= (int)before);
	assert_int_equal(r.contacts[k].source, SW_CONTACT_DOMAIN);
	assert_string_equal(r.contacts[k].via, "Admin Email");
	assert_cidr(&r, 0, "62.239.237.0/24");
}

static void test_source_names(void **state)
{
	(void)state;
	for (int s = SW_CONTACT_ABUSE_MAILBOX; s <= SW_CONTACT_GUESS; s++) {
		const char *name = sw_contact_source_name((enum sw_contact_source)s);
		assert_non_null(name);
		assert_true(strlen(name) > 0);
		for (int t = SW_CONTACT_ABUSE_MAILBOX; t < s; t++)
			assert_string_not_equal(name, sw_contact_source_name((enum sw_contact_source)t));
	}
}

/* ---- ranking by designation (issue #12) ---------------------------------- */

static void parse_text(const char *text, const char *server, const char *ip,
		       struct sw_whois_result *r)
{
	struct sw_addr a = addr(ip);

	memset(r, 0, sizeof(*r));
	sw_whois_parse(text, strlen(text), server, &a, r);
	assert_invariants(r);
}

/* registro.br keys persons as nic-hdl-br:; the abuse-c's e-mail is the
 * designated contact, above a tech-c's "abuse@" (synthetic, real format). */
static void test_registrobr_abuse_c(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };

	parse_file("synthetic/registrobr-177.71.3.9.whois", "whois.registro.br", "177.71.3.9", &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, 3);
	assert_string_equal(r.contacts[0].addr, "seguranca@provedor.example.com.br");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_string_equal(r.contacts[0].via, "abuse-c SEP12");
	assert_string_equal(r.contacts[1].addr, "abuse@noc.provedor.example.com.br");
	assert_int_equal(r.contacts[1].source, SW_CONTACT_ROLE_EMAIL);
	assert_string_equal(r.contacts[1].via, "tech-c NOC45");
	assert_int_equal(find_contact(&r, "cert@cert.br"), -1); /* a comment, not the network's */
	assert_cidr(&r, 0, "177.71.0.0/20");
	assert_string_equal(r.country, "BR");
	assert_string_equal(r.org, "Provedor Exemplo de Internet Ltda");
}

/* A tech-c never outranks the abuse-c: not by its mailbox's name, not by
 * being listed first, not by its role having an abuse-mailbox. */
static void test_tech_below_abuse_c(void **state)
{
	(void)state;
	struct sw_whois_result r;
	static const char rpsl[] =
		"inetnum:        192.0.2.0 - 192.0.2.255\n"
		"netname:        EXAMPLE-NET\n"
		"tech-c:         TECH1-RIPE\n"
		"admin-c:        ADM1-RIPE\n"
		"abuse-c:        ABU1-RIPE\n"
		"source:         RIPE\n"
		"\n"
		"role:           Example NOC\n"
		"e-mail:         abuse@noc.example.net\n"
		"nic-hdl:        TECH1-RIPE\n"
		"\n"
		"person:         Example Admin\n"
		"e-mail:         abuse-admin@example.net\n"
		"nic-hdl:        ADM1-RIPE\n"
		"\n"
		"role:           Example CSIRT\n"
		"e-mail:         team@csirt.example.net\n"
		"nic-hdl:        ABU1-RIPE\n";

	parse_text(rpsl, "whois.ripe.net", "192.0.2.7", &r);
	assert_int_equal(r.ncontacts, 3);
	assert_string_equal(r.contacts[0].addr, "team@csirt.example.net");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_string_equal(r.contacts[0].via, "abuse-c ABU1-RIPE");
	assert_int_equal(r.contacts[1].source, SW_CONTACT_ROLE_EMAIL);
	assert_int_equal(r.contacts[2].source, SW_CONTACT_ROLE_EMAIL);

	/* the abuse-c role has an abuse-mailbox: that one, its e-mail below */
	static const char with_box[] =
		"inetnum:        192.0.2.0 - 192.0.2.255\n"
		"tech-c:         TECH1-RIPE\n"
		"abuse-c:        ABU1-RIPE\n"
		"\n"
		"role:           Example NOC\n"
		"abuse-mailbox:  abuse@noc.example.net\n"
		"nic-hdl:        TECH1-RIPE\n"
		"\n"
		"role:           Example CSIRT\n"
		"e-mail:         office@csirt.example.net\n"
		"abuse-mailbox:  incidents@csirt.example.net\n"
		"nic-hdl:        ABU1-RIPE\n";
	parse_text(with_box, "whois.ripe.net", "192.0.2.7", &r);
	assert_string_equal(r.contacts[0].addr, "incidents@csirt.example.net");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_string_equal(r.contacts[1].addr, "abuse@noc.example.net");
	assert_int_equal(find_contact(&r, "office@csirt.example.net"), 2);
	assert_int_equal(r.contacts[2].source, SW_CONTACT_ROLE_EMAIL);
}

/* ARIN: the network's RAbuseEmail before its organisation's OrgAbuseEmail,
 * whatever order the answer lists them in and whatever they are called;
 * both above OrgTechEmail. */
static void test_arin_rabuse_first(void **state)
{
	(void)state;
	struct sw_whois_result r;
	static const char arin[] =
		"NetRange:       198.51.100.0 - 198.51.100.255\n"
		"CIDR:           198.51.100.0/24\n"
		"NetName:        EXAMPLE-CUST\n"
		"NetType:        Reassigned\n"
		"\n"
		"OrgName:        Example Customer\n"
		"OrgTechEmail:   abuse-tech@customer.example\n"
		"OrgAbuseEmail:  abuse@isp.example\n"
		"\n"
		"RAbuseHandle:   CUST-ARIN\n"
		"RAbuseEmail:    noc@customer.example\n";

	parse_text(arin, "whois.arin.net", "198.51.100.9", &r);
	assert_int_equal(r.ncontacts, 3);
	assert_string_equal(r.contacts[0].addr, "noc@customer.example");
	assert_string_equal(r.contacts[0].via, "RAbuseEmail");
	assert_string_equal(r.contacts[1].addr, "abuse@isp.example");
	assert_string_equal(r.contacts[1].via, "OrgAbuseEmail");
	assert_int_equal(r.contacts[2].source, SW_CONTACT_ROLE_EMAIL);

	/* real: Google's answer names the same POC both ways */
	memset(&r, 0, sizeof(r));
	parse_file("2001_4860_4860__8888.whois", "whois.arin.net", "2001:4860:4860::8888", &r);
	assert_int_equal(r.ncontacts, 1);
	assert_string_equal(r.contacts[0].via, "RAbuseEmail");
}

/* A registry's own network counts: RIPE NCC's 193.0.0.0/21 (synthetic,
 * real format). Its stubs never do: ARIN's records of blocks handed to
 * APNIC and RIPE NCC (real, whois-parser), IANA-BLK, NON-RIPE-NCC-MANAGED,
 * ARIN's IANA special-use records. */
static void test_registry_own_network(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_whois_referral ref;

	parse_file("synthetic/ripencc-own-193.0.6.139.whois", "whois.ripe.net", "193.0.6.139", &r);
	assert_invariants(&r);
	assert_true(r.ncontacts >= 1);
	assert_string_equal(r.contacts[0].addr, "abuse@ripe.net");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_int_equal(find_contact(&r, "hostmaster@ripe.net"), 1);
	assert_int_equal(r.contacts[1].source, SW_CONTACT_ROLE_EMAIL);
	assert_cidr(&r, 0, "193.0.0.0/21");
	assert_false(referral_of("synthetic/ripencc-own-193.0.6.139.whois", "whois.ripe.net", &ref));

	memset(&r, 0, sizeof(r));
	parse_file("arin_referral_apnic.whois", "whois.arin.net", "144.130.7.7", &r);
	assert_int_equal(r.ncontacts, 0); /* search-apnic-not-arin@apnic.net */
	assert_true(r.have_range);
	memset(&r, 0, sizeof(r));
	parse_file("arin_referral_whois.whois", "whois.arin.net", "130.66.7.7", &r);
	assert_int_equal(r.ncontacts, 0); /* hostmaster@ripe.net */
	assert_true(referral_of("arin_referral_whois.whois", "whois.arin.net", &ref));
	assert_string_equal(ref.host, "whois.ripe.net");

	static const char iana_blk[] =
		"% Abuse contact for '0.0.0.0 - 255.255.255.255' is 'abuse@ripe.net'\n"
		"\n"
		"inetnum:        0.0.0.0 - 255.255.255.255\n"
		"netname:        IANA-BLK\n"
		"descr:          The whole IPv4 address space\n"
		"org:            ORG-RIEN1-RIPE\n"
		"admin-c:        OPS4-RIPE\n"
		"source:         RIPE\n"
		"\n"
		"organisation:   ORG-RIEN1-RIPE\n"
		"org-name:       RIPE Network Coordination Centre\n"
		"abuse-mailbox:  abuse@ripe.net\n"
		"\n"
		"role:           RIPE NCC Operations\n"
		"e-mail:         ops@ripe.net\n"
		"nic-hdl:        OPS4-RIPE\n";
	parse_text(iana_blk, "whois.ripe.net", "192.0.2.1", &r);
	assert_int_equal(r.ncontacts, 0);
	static const char special[] =
		"NetRange:       198.18.0.0 - 198.19.255.255\n"
		"NetName:        SPECIAL-IPV4-BENCHMARK-TESTING-IANA-RESERVED\n"
		"NetType:        IANA Special Use\n"
		"OrgName:        American Registry for Internet Numbers\n"
		"OrgAbuseEmail:  abuse@arin.net\n";
	parse_text(special, "whois.arin.net", "198.18.0.1", &r);
	assert_int_equal(r.ncontacts, 0);
	/* the same answer for ARIN's own assignment: kept */
	static const char arin_own[] =
		"NetRange:       192.0.2.0 - 192.0.2.255\n"
		"NetName:        ARIN-EXAMPLE\n"
		"NetType:        Direct Assignment\n"
		"OrgName:        American Registry for Internet Numbers\n"
		"OrgAbuseEmail:  abuse@arin.net\n";
	parse_text(arin_own, "whois.arin.net", "192.0.2.1", &r);
	assert_int_equal(r.ncontacts, 1);
	assert_string_equal(r.contacts[0].addr, "abuse@arin.net");
	/* another network quoting a registry's mailbox: still dropped */
	static const char other[] =
		"inetnum:        192.0.2.0 - 192.0.2.255\n"
		"netname:        SOMEONE-NET\n"
		"abuse-mailbox:  abuse@ripe.net\n"
		"e-mail:         noc@someone.example\n";
	parse_text(other, "whois.ripe.net", "192.0.2.1", &r);
	assert_int_equal(r.ncontacts, 1);
	assert_string_equal(r.contacts[0].addr, "noc@someone.example");
}

/* The answers of the issue's broken chains name their contacts on their
 * own: ARIN's with an rwhois ReferralServer (real, whois-parser), APNIC's
 * with an IRT and remarks pointing at KRNIC (real, ipwhois) or JPNIC
 * (synthetic). whois.c keeps them when the referral is dead. */
static void test_answers_before_dead_referrals(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_whois_referral ref;

	parse_file("arin_referral_rwhois.whois", "whois.arin.net", "69.65.39.166", &r);
	assert_invariants(&r);
	assert_string_equal(r.contacts[0].addr, "abuse@gigenet.com");
	assert_string_equal(r.contacts[0].via, "OrgAbuseEmail");
	assert_string_equal(r.contacts[1].addr, "ip-admin@coloquest.com");
	assert_int_equal(r.contacts[1].source, SW_CONTACT_ROLE_EMAIL);
	assert_cidr(&r, 0, "69.65.0.0/18");
	assert_true(referral_of("arin_referral_rwhois.whois", "whois.arin.net", &ref));
	assert_string_equal(ref.host, "rwhois.servernap.net");
	assert_int_equal(ref.port, 4321);
	assert_true(ref.rwhois);

	memset(&r, 0, sizeof(r));
	parse_file("synthetic/apnic-irt-jpnic-203.0.113.77.whois", "whois.apnic.net",
		   "203.0.113.77", &r);
	assert_invariants(&r);
	assert_string_equal(r.contacts[0].addr, "abuse@examplenet.example.jp");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_string_equal(r.contacts[0].via, "irt IRT-EXAMPLENET-JP");
	assert_int_equal(find_contact(&r, "hostmaster@nic.ad.jp"), -1);
	assert_true(referral_of("synthetic/apnic-irt-jpnic-203.0.113.77.whois", "whois.apnic.net",
				&ref));
	assert_string_equal(ref.host, "whois.nic.ad.jp");
}

/* More than 16 contacts: the best ones stay. */
static void test_contact_cap(void **state)
{
	(void)state;
	char text[8192];
	size_t len = 0;
	struct sw_whois_result r = { 0 };
	struct sw_addr a = addr("192.0.2.1");

	len += (size_t)sprintf(text + len, "inetnum: 192.0.2.0/24\n");
	for (int i = 0; i < 40; i++)
		len += (size_t)sprintf(text + len, "remarks: mail r%d@example.net\n", i);
	len += (size_t)sprintf(text + len, "abuse-mailbox: late-abuse@example.net\n");
	sw_whois_parse(text, len, "whois.example.net", &a, &r);
	assert_invariants(&r);
	assert_int_equal(r.ncontacts, SW_WHOIS_MAX_CONTACTS);
	assert_string_equal(r.contacts[0].addr, "late-abuse@example.net");
	assert_cidr(&r, 0, "192.0.2.0/24");
}

/* ---- fuzz ------------------------------------------------------------------ */

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t rnd(void)
{
	uint64_t x = rng_state; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * UINT64_C(2685821657736338717);
}

static const struct {
	const char *file, *server, *ip;
} corpus[] = {
	{ "62.239.237.1.whois", "whois.ripe.net", "62.239.237.1" },
	{ "74.125.225.229.whois", "whois.arin.net", "74.125.225.229" },
	{ "200.57.141.161.whois", "whois.lacnic.net", "200.57.141.161" },
	{ "210.107.73.73.whois", "whois.apnic.net", "210.107.73.73" },
	{ "196.11.240.215.whois", "whois.afrinic.net", "196.11.240.215" },
	{ "2001_240_10c_1__ca20_9d1d.whois", "whois.apnic.net", "2001:240:10c:1::ca20:9d1d" },
	{ "2001_43f8_7b0__.whois", "whois.afrinic.net", "2001:43f8:7b0::" },
	{ "2001_4860_4860__8888.whois", "whois.arin.net", "2001:4860:4860::8888" },
	{ "2801_10_c000__.whois", "whois.lacnic.net", "2801:10:c000::" },
	{ "2a00_2381_ffff__1.whois", "whois.ripe.net", "2a00:2381:ffff::1" },
	{ "synthetic/krnic-210.107.73.73.whois", "whois.krnic.net", "210.107.73.73" },
	{ "synthetic/jpnic-2001_240_10c_1__ca20_9d1d.whois", "whois.nic.ad.jp", "2001:240:10c:1::ca20:9d1d" },
	{ "synthetic/arin-refer-rwhois-23.131.4.20.whois", "whois.arin.net", "23.131.4.20" },
	{ "synthetic/rwhois-23.131.4.20.whois", "rwhois.example.net:4321", "23.131.4.20" },
	{ "synthetic/arin-refer-ripe-62.239.237.1.whois", "whois.arin.net", "62.239.237.1" },
	{ "synthetic/placeholders-198.51.100.7.whois", "whois.ripe.net", "198.51.100.7" },
	{ "synthetic/hostile-escapes-198.51.100.7.whois", "whois.ripe.net", "198.51.100.7" },
	{ "synthetic/hostile-crlf-198.51.100.7.whois", "whois.ripe.net", "198.51.100.7" },
	{ "synthetic/iana-74.125.225.229.whois", "whois.iana.org", "74.125.225.229" },
	{ "synthetic/transferred-103.10.1.1.whois", "whois.apnic.net", "103.10.1.1" },
};

/* Bytes that matter to the parser, so mutations hit its decisions. */
static const char interesting[] = "\n\r\0\t :@%#[]<>,;\"'\\+-./\x1b\x07\x7f\xff";

static size_t mutate(char *buf, size_t len, size_t cap, char *const *texts, const size_t *lens,
		     size_t ntexts)
{
	unsigned rounds = 1 + (unsigned)(rnd() % 8);
	for (unsigned k = 0; k < rounds; k++) {
		size_t pos = len ? (size_t)(rnd() % len) : 0;
		switch (rnd() % 7) {
		case 0: /* flip a byte */
			if (len)
				buf[pos] = (char)rnd();
			break;
		case 1: /* set an interesting byte */
			if (len)
				buf[pos] = interesting[rnd() % (sizeof(interesting) - 1)];
			break;
		case 2: { /* insert an interesting byte */
			if (len + 1 >= cap)
				break;
			memmove(buf + pos + 1, buf + pos, len - pos);
			buf[pos] = interesting[rnd() % (sizeof(interesting) - 1)];
			len++;
			break;
		}
		case 3: { /* delete a span */
			size_t n = len ? (size_t)(rnd() % 64) : 0;
			if (pos + n > len)
				n = len - pos;
			memmove(buf + pos, buf + pos + n, len - pos - n);
			len -= n;
			break;
		}
		case 4: { /* duplicate a span */
			size_t n = (size_t)(rnd() % 256);
			if (pos + n > len)
				n = len - pos;
			if (len + n >= cap)
				break;
			memmove(buf + pos + n, buf + pos, len - pos);
			len += n;
			break;
		}
		case 5: { /* splice in a piece of another answer */
			size_t t = (size_t)(rnd() % ntexts);
			size_t from = lens[t] ? (size_t)(rnd() % lens[t]) : 0;
			size_t n = (size_t)(rnd() % 512);
			if (from + n > lens[t])
				n = lens[t] - from;
			if (len + n >= cap)
				break;
			memmove(buf + pos + n, buf + pos, len - pos);
			memcpy(buf + pos, texts[t] + from, n);
			len += n;
			break;
		}
		default: /* truncate */
			len = pos;
			break;
		}
	}
	return len;
}

static void test_fuzz(void **state)
{
	(void)state;
	char *texts[N_ELEM(corpus)];
	size_t lens[N_ELEM(corpus)];
	const char *env = getenv("SW_FUZZ_ITERATIONS");
	unsigned long iterations = env ? strtoul(env, NULL, 10) : 100000;
	size_t cap = 65536;
	char *buf = malloc(cap);
	assert_non_null(buf);

	for (size_t i = 0; i < N_ELEM(corpus); i++)
		texts[i] = load(corpus[i].file, &lens[i]);
	for (unsigned long it = 0; it < iterations; it++) {
		uint64_t seed = rng_state;
		size_t c = (size_t)(rnd() % N_ELEM(corpus)), len;
		struct sw_whois_result r = { 0 };
		struct sw_whois_referral ref;
		struct sw_addr a = addr(corpus[c].ip);
		const char *why;

		if (rnd() % 16 == 0) { /* pure noise now and then */
			len = (size_t)(rnd() % 4096);
			for (size_t k = 0; k < len; k++)
				buf[k] = (char)rnd();
		} else {
			len = lens[c] < cap ? lens[c] : cap - 1;
			memcpy(buf, texts[c], len);
			len = mutate(buf, len, cap, texts, lens, N_ELEM(corpus));
		}
		/* a chain: sometimes a clean first hop, then the mutant */
		if (rnd() % 4 == 0)
			sw_whois_parse(texts[c], lens[c], corpus[c].server, &a, &r);
		sw_whois_parse(buf, len, corpus[c].server, &a, &r);
		if (!invariants_hold(&r, &why))
			fail_msg("fuzz iteration %lu (seed %#llx, corpus %s): %s", it,
				 (unsigned long long)seed, corpus[c].file, why);
		if (sw_whois_find_referral(buf, len, corpus[c].server, &ref) && !referral_ok(&ref))
			fail_msg("fuzz iteration %lu (seed %#llx): bad referral", it,
				 (unsigned long long)seed);
		(void)sw_whois_is_rate_limited(buf, len);
	}
	for (size_t i = 0; i < N_ELEM(corpus); i++)
		free(texts[i]);
	free(buf);
}

/* A range wider than the CIDRs a result keeps: the whole range is kept
 * beside them, and a later registry with the same range still replaces it
 * (the CIDRs alone would count fewer addresses and refuse it). */
static void test_wide_range(void **state)
{
	static const char hop1[] = "inetnum:        192.0.2.1 - 198.51.100.254\n"
				   "netname:        WIDE-RIR\nsource:         APNIC\n";
	static const char hop2[] = "inetnum:        192.0.2.1 - 198.51.100.254\n"
				   "netname:        WIDE-NIR\nsource:         KRNIC\n";
	struct sw_whois_result r;
	struct sw_addr a;
	char lo[SW_ADDR_STRLEN], hi[SW_ADDR_STRLEN];
	(void)state;

	assert_true(sw_addr_parse("195.0.0.1", &a));
	memset(&r, 0, sizeof(r));
	sw_whois_parse(hop1, sizeof(hop1) - 1, "whois.apnic.net", &a, &r);
	assert_true(r.have_range);
	assert_string_equal(sw_addr_format(&r.range_lo, lo, sizeof(lo)), "192.0.2.1");
	assert_string_equal(sw_addr_format(&r.range_hi, hi, sizeof(hi)), "198.51.100.254");
	assert_int_equal(r.ncidrs, SW_WHOIS_MAX_CIDRS);
	sw_whois_parse(hop2, sizeof(hop2) - 1, "whois.krnic.net", &a, &r);
	assert_string_equal(r.netname, "WIDE-NIR");
}

/* ---- origin AS: RPSL route/route6 objects (issue 16) ---------------------- */

static void assert_origin(const struct sw_whois_result *r, uint32_t asn, const char *route,
			  const char *server)
{
	char b[SW_ADDR_STRLEN + 8];

	assert_int_equal(r->origin_as, asn);
	assert_string_equal(sw_prefix_format(&r->origin_route, b, sizeof(b)), route);
	assert_string_equal(r->origin_server, server);
}

static void test_origin_fixtures(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };

	parse_file("62.239.237.1.whois", "whois.ripe.net", "62.239.237.1", &r);
	assert_origin(&r, 2856, "62.239.0.0/16", "whois.ripe.net");

	memset(&r, 0, sizeof(r));
	parse_file("2a00_2381_ffff__1.whois", "whois.ripe.net", "2a00:2381:ffff::1", &r);
	assert_origin(&r, 2856, "2a00:2380::/25", "whois.ripe.net");

	/* the route object does not cover this address: no origin */
	memset(&r, 0, sizeof(r));
	parse_file("62.239.237.1.whois", "whois.ripe.net", "62.240.0.1", &r);
	assert_int_equal(r.origin_as, 0);

	/* ARIN answers carry no route objects */
	memset(&r, 0, sizeof(r));
	parse_file("74.125.225.229.whois", "whois.arin.net", "74.125.225.229", &r);
	assert_int_equal(r.origin_as, 0);
	assert_string_equal(r.origin_server, "");
}

static const char origin_text_v4[] =
	"inetnum:        198.51.100.0 - 198.51.100.255\n"
	"netname:        TESTNET2\n"
	"source:         RIPE\n"
	"\n"
	"route:          198.51.100.0/24\n"
	"origin:         AS64500 # the customer\n"
	"source:         RIPE\n"
	"\n"
	"route:          198.51.0.0/16\n"
	"origin:         AS64501\n"
	"\n"
	"route:          198.51.100.128/25\n" /* does not cover .1 */
	"origin:         AS64502\n"
	"\n"
	"route:          198.51.100.0/25\n"
	"origin:         AS0\n"
	"\n"
	"route:          198.51.100.0/26\n"
	"origin:         AS4294967296\n"
	"\n"
	"route:          198.51.100.0/27\n"
	"origin:         AS64503\n"
	"origin:         AS64504\n"
	"\n"
	"route:          198.51.100.0/28\n"
	"origin:         64505\n"
	"\n"
	"route:          198.51.100.0/29\n"
	"origin:         AS64506x\n"
	"\n"
	"route:          198.51.100.0/30\n"
	"origin:         AS 64507\n"
	"\n"
	"route:          198.51.100.1\n" /* no prefix length */
	"origin:         AS64508\n"
	"\n"
	"route:          198.51.100.0/31\n"
	"descr:          no origin at all\n"
	"\n"
	"route:          198.51.100.1/31\n" /* host bits set */
	"origin:         AS64509\n"
	"\n"
	"route6:         198.51.100.0/32\n" /* the wrong family */
	"origin:         AS64510\n"
	"\n"
	"route:          198.51.100.0/24\n" /* equal to the first: the first stays */
	"origin:         AS64511\n";

static void test_origin_most_specific(void **state)
{
	(void)state;
	struct sw_whois_result r;

	parse_text(origin_text_v4, "whois.ripe.net", "198.51.100.1", &r);
	assert_origin(&r, 64500, "198.51.100.0/24", "whois.ripe.net");

	/* outside the /24, inside the /16 */
	parse_text(origin_text_v4, "whois.ripe.net", "198.51.7.1", &r);
	assert_origin(&r, 64501, "198.51.0.0/16", "whois.ripe.net");

	/* the /25 above covers .200 */
	parse_text(origin_text_v4, "whois.ripe.net", "198.51.100.200", &r);
	assert_origin(&r, 64502, "198.51.100.128/25", "whois.ripe.net");

	/* a later hop: a less specific route keeps the first, a more
	 * specific one replaces it with its server */
	parse_text(origin_text_v4, "whois.ripe.net", "198.51.100.1", &r);
	struct sw_addr a = addr("198.51.100.1");
	static const char wider[] = "route: 198.0.0.0/8\norigin: AS1\n";
	sw_whois_parse(wider, strlen(wider), "whois.other.example", &a, &r);
	assert_origin(&r, 64500, "198.51.100.0/24", "whois.ripe.net");
	static const char narrower[] = "route: 198.51.100.0/28\norigin: as4294967295\n";
	sw_whois_parse(narrower, strlen(narrower), "whois.nir.example", &a, &r);
	assert_origin(&r, 4294967295u, "198.51.100.0/28", "whois.nir.example");

	/* a hostile server name is made printable */
	static const char one[] = "route: 198.51.100.0/24\norigin: AS64500\n";
	memset(&r, 0, sizeof(r));
	sw_whois_parse(one, strlen(one), "evil\r\nBcc: x@y", &a, &r);
	assert_int_equal(r.origin_as, 64500);
	assert_null(strchr(r.origin_server, '\r'));
	assert_null(strchr(r.origin_server, '\n'));
}

static void test_origin_ipv6(void **state)
{
	(void)state;
	struct sw_whois_result r;
	static const char text[] =
		"route6:         2001:db8::/32\n"
		"origin:         AS64510\n"
		"\n"
		"route6:         2001:db8:51::/48\n"
		"origin:         AS64511\n"
		"\n"
		"route:          2001:db8:51::/64\n" /* IPv6 in route: is not a route */
		"origin:         AS64512\n"
		"\n"
		"route6:         2001:db8:51:1::/64\n"
		"origin:         AS64513\n";

	parse_text(text, "whois.ripe.net", "2001:db8:51::1", &r);
	assert_origin(&r, 64511, "2001:db8:51::/48", "whois.ripe.net");
	parse_text(text, "whois.ripe.net", "2001:db8:51:1::1", &r);
	assert_origin(&r, 64513, "2001:db8:51:1::/64", "whois.ripe.net");
	parse_text(text, "whois.ripe.net", "2001:db8:ffff::1", &r);
	assert_origin(&r, 64510, "2001:db8::/32", "whois.ripe.net");
	/* an IPv4 address is not covered by any of them */
	parse_text(text, "whois.ripe.net", "198.51.100.1", &r);
	assert_int_equal(r.origin_as, 0);
}

static void test_origin_asn_syntax(void **state)
{
	(void)state;
	static const char *const good[] = { "AS1", "as2856", "As4294967295", "AS64500" };
	static const uint32_t good_v[] = { 1, 2856, 4294967295u, 64500 };
	static const char *const bad[] = {
		"", "AS", "AS0", "AS01", "AS4294967296", "AS99999999999", "AS-1", "AS+1",
		"AS 1", "1", "ASN1", "AS1.5", "AS1x", "XS1", "AS\xd9\xa1",
	};
	uint32_t v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		assert_true(sw_whois_parse_asn(good[i], strlen(good[i]), &v));
		assert_int_equal(v, good_v[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(sw_whois_parse_asn(bad[i], strlen(bad[i]), &v));
	/* the length counts, not a NUL */
	assert_false(sw_whois_parse_asn("AS12", 2, &v));
	assert_true(sw_whois_parse_asn("AS12", 3, &v));
	assert_int_equal(v, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ripe_bt),
		cmocka_unit_test(test_arin_google),
		cmocka_unit_test(test_lacnic),
		cmocka_unit_test(test_apnic_then_krnic),
		cmocka_unit_test(test_afrinic_remarks),
		cmocka_unit_test(test_apnic_then_jpnic),
		cmocka_unit_test(test_ipv6_fixtures),
		cmocka_unit_test(test_abuse_comment_scope),
		cmocka_unit_test(test_iana),
		cmocka_unit_test(test_arin_to_ripe),
		cmocka_unit_test(test_arin_rwhois),
		cmocka_unit_test(test_rate_limits),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_referrals),
		cmocka_unit_test(test_hostile_escapes),
		cmocka_unit_test(test_hostile_crlf),
		cmocka_unit_test(test_hostile_huge),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_nir_irt_judgement),
		cmocka_unit_test(test_continuations),
		cmocka_unit_test(test_domain_contacts),
		cmocka_unit_test(test_source_names),
		cmocka_unit_test(test_contact_cap),
		cmocka_unit_test(test_registrobr_abuse_c),
		cmocka_unit_test(test_tech_below_abuse_c),
		cmocka_unit_test(test_arin_rabuse_first),
		cmocka_unit_test(test_registry_own_network),
		cmocka_unit_test(test_answers_before_dead_referrals),
		cmocka_unit_test(test_wide_range),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_origin_fixtures),
		cmocka_unit_test(test_origin_most_specific),
		cmocka_unit_test(test_origin_ipv6),
		cmocka_unit_test(test_origin_asn_syntax),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
