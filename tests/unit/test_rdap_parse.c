/*
 * test_rdap_parse.c - unit tests for reporter/rdap_parse.c against the 21
 * real RDAP answers in tests/data/rdap/ (the contact its README says a good
 * reporter picks first, its source and the range, for every one of them;
 * the traps; the links worth following), RDAP and port 43 agreeing on the
 * same networks, hostile answers, and a fuzz run of mutated answers (bytes
 * and JSON trees) that checks the invariants every result must keep.
 *
 * The data is found under $top_srcdir (set by `make check`), else under
 * the SRCDIR the test was compiled with, else the current directory.
 * SW_FUZZ_ITERATIONS overrides the number of fuzz rounds (3000: json-c allocates
 * per JSON object, which ASan makes slow).
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
#include <json.h>

#include "addr.h"
#include "rdap_parse.h"
#include "whois_parse.h"

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

	snprintf(path, sizeof(path), "%s/tests/data/%s", top && *top ? top : SRCDIR, rel);
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

/* Parse text as url's answer for ip (NULL: a domain) into *r. */
static bool parse_text(const char *text, size_t len, const char *url, const char *ip,
		       struct sw_whois_result *r, struct sw_rdap_links *follow)
{
	struct sw_addr a;
	if (ip)
		a = addr(ip);
	return sw_rdap_parse(text, len, url, ip ? &a : NULL, r, follow);
}

static void parse_file(const char *file, const char *url, const char *ip,
		       struct sw_whois_result *r, struct sw_rdap_links *follow)
{
	char rel[256];
	size_t len;

	snprintf(rel, sizeof(rel), "rdap/%s", file);
	char *text = load(rel, &len);
	assert_true(parse_text(text, len, url, ip, r, follow));
	free(text);
}

static bool parse_str(const char *json, const char *url, const char *ip,
		      struct sw_whois_result *r, struct sw_rdap_links *follow)
{
	return parse_text(json, strlen(json), url, ip, r, follow);
}

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
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* A link we may be asked to fetch: https://, or http:// to loopback. */
static bool link_ok(const char *u)
{
	size_t n = strnlen(u, SW_RDAP_URLLEN);
	if (n == 0 || n == SW_RDAP_URLLEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f || strchr("\"'<>\\", u[i]))
			return false;
	if (strncasecmp(u, "https://", 8) == 0)
		return strchr(u + 8, '@') == NULL || strchr(u + 8, '/') < strchr(u + 8, '@');
	return strncmp(u, "http://127.", 11) == 0 || strncmp(u, "http://localhost", 16) == 0 ||
	       strncmp(u, "http://[::1]", 12) == 0;
}

/* What every result must keep, whatever the input was (the rules of
 * test_whois_parse.c, and the server of each contact). */
static bool invariants_hold(const struct sw_whois_result *r, const struct sw_rdap_links *f,
			    const char **why)
{
	*why = "counts";
	if (r->ncontacts > SW_WHOIS_MAX_CONTACTS || r->ncidrs > SW_WHOIS_MAX_CIDRS ||
	    f->n > SW_RDAP_LINKS_MAX)
		return false;
	*why = "names not printable";
	if (!printable(r->netname, sizeof(r->netname)) || !printable(r->org, sizeof(r->org)) ||
	    !printable(r->server, sizeof(r->server)) || !printable(r->country, sizeof(r->country)))
		return false;
	*why = "country";
	if (r->country[0] && (strlen(r->country) != 2 || r->country[0] < 'A' ||
			      r->country[0] > 'Z' || r->country[1] < 'A' || r->country[1] > 'Z'))
		return false;
	*why = "range";
	if (r->have_range && (r->range_lo.family != r->range_hi.family ||
			      sw_addr_cmp(&r->range_lo, &r->range_hi) > 0 || r->ncidrs == 0))
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
		*why = "via or server not printable";
		if (!printable(c->via, sizeof(c->via)) || !printable(c->server, sizeof(c->server)))
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
	for (unsigned i = 0; i < f->n; i++) {
		*why = "link";
		if (!link_ok(f->url[i]))
			return false;
	}
	return true;
}

static void assert_invariants(const struct sw_whois_result *r, const struct sw_rdap_links *f)
{
	const char *why;
	if (!invariants_hold(r, f, &why))
		fail_msg("invariant broken: %s", why);
}

/* ---- every fixture: what the README says is picked first ----------------- */

/* The registries' own addresses (ripe.net, apnic.net) are dropped as
 * placeholders by whois_parse.c today: a registry's own network then has
 * no contact. If that rule changes, these expect the README's pick. */
#define REGISTRY_OWN 1

static const struct fixture {
	const char *file, *url, *ip; /* ip NULL: a domain */
	const char *first;           /* NULL: no contact */
	enum sw_contact_source source;
	const char *via;             /* of the first contact */
	const char *cidr0;           /* the first CIDR, NULL: no range */
	unsigned ncidrs;
	const char *follow;          /* the first link handed back, NULL: none */
	int flags;
	const char *alt_first, *alt_via; /* REGISTRY_OWN dropped: the first then */
	enum sw_contact_source alt_source;
} fixtures[] = {
	{ "01-arin-2001_4860__.json", "https://rdap.arin.net/registry/ip/2001:4860:4860::8888",
	  "2001:4860:4860::8888", "network-abuse@google.com", SW_CONTACT_ABUSE_MAILBOX,
	  "rdap abuse entity ABUSE5250-ARIN", "2001:4860::/32", 1, NULL, 0, NULL, NULL, 0 },
	{ "02-arin-13.64.0.0.json", "https://rdap.arin.net/registry/ip/13.107.4.52", "13.107.4.52",
	  "abuse@microsoft.com", SW_CONTACT_ABUSE_MAILBOX, "rdap abuse entity MAC74-ARIN",
	  "13.64.0.0/11", 3, NULL, 0, NULL, NULL, 0 },
	{ "03-arin-206.41.110.0.json", "https://rdap.arin.net/registry/ip/206.41.110.7",
	  "206.41.110.7", "neteng@unitedix.net", SW_CONTACT_ABUSE_MAILBOX,
	  "rdap abuse entity UIE-ARIN", "206.41.110.0/24", 1, NULL, 0, NULL, NULL, 0 },
	{ "04-arin-3.3.3.3.json", "https://rdap.arin.net/registry/ip/3.3.3.3", "3.3.3.3",
	  "abuse@amazonaws.com", SW_CONTACT_ABUSE_MAILBOX, "rdap abuse entity AEA8-ARIN",
	  "3.0.0.0/9", 1, NULL, 0, NULL, NULL, 0 },
	{ "05-ripe-130.59.31.80.json", "https://rdap.db.ripe.net/ip/130.59.31.80", "130.59.31.80",
	  "abuse@switch.ch", SW_CONTACT_ABUSE_MAILBOX, "rdap abuse entity AR31930-RIPE",
	  "130.59.0.0/16", 1, NULL, 0, NULL, NULL, 0 },
	{ "06-ripe-193.0.6.139.json", "https://rdap.db.ripe.net/ip/193.0.6.139", "193.0.6.139",
	  "abuse@ripe.net", SW_CONTACT_ABUSE_MAILBOX, "rdap abuse entity OPS4-RIPE",
	  "193.0.0.0/21", 1, NULL, REGISTRY_OWN, NULL, NULL, 0 },
	{ "07-ripe-2a00_2381_ffff__1.json", "https://rdap.db.ripe.net/ip/2a00:2381:ffff::1",
	  "2a00:2381:ffff::1", "zzdnsr@bt.com", SW_CONTACT_ABUSE_MAILBOX,
	  "rdap abuse entity BTCR3-RIPE", "2a00:2381:ffff::/64", 1, NULL, 0, NULL, NULL, 0 },
	{ "08-apnic-1.1.1.0_24.json", "https://rdap.apnic.net/ip/1.1.1.1", "1.1.1.1",
	  "helpdesk@apnic.net", SW_CONTACT_ABUSE_MAILBOX, "rdap abuse entity IRT-APNICRANDNET-AU",
	  "1.1.1.0/24", 1, NULL, REGISTRY_OWN, "resolver-abuse@cloudflare.com", "rdap remarks",
	  SW_CONTACT_REMARKS },
	/* JPNIC's hostmaster is never a recipient */
	{ "09-apnic-2001_240_10c_1__ca20_9d1d.json",
	  "https://rdap.apnic.net/ip/2001:240:10c:1::ca20:9d1d", "2001:240:10c:1::ca20:9d1d", NULL,
	  0, NULL, "2001:240::/32", 1, NULL, 0, NULL, NULL, 0 },
	/* the national registry's IRT is a fallback: the network's own first */
	{ "10-apnic-210.107.73.73.json", "https://rdap.apnic.net/ip/210.107.73.73", "210.107.73.73",
	  "abuse@bora.net", SW_CONTACT_ROLE_EMAIL, "rdap technical entity DB50-AP",
	  "210.107.0.0/17", 1, NULL, 0, NULL, NULL, 0 },
	{ "11-lacnic-179.0.0.0_23.json", "https://rdap.lacnic.net/rdap/ip/179.0.1.9", "179.0.1.9",
	  "tomas.cribb@neuralsoft.com", SW_CONTACT_ABUSE_MAILBOX, "rdap abuse entity TOC6",
	  "179.0.0.0/23", 1, NULL, 0, NULL, NULL, 0 },
	/* LACNIC's server of 2015 answered with the address as the range */
	{ "12-lacnic-200.57.141.161.json", "https://rdap.lacnic.net/rdap/ip/200.57.141.161",
	  "200.57.141.161", "operacion.redes@triara.com", SW_CONTACT_ABUSE_MAILBOX,
	  "rdap abuse entity RYT2", "200.57.141.161/32", 1, NULL, 0, NULL, NULL, 0 },
	{ "13-lacnic-2801_10_c000__.json", "https://rdap.lacnic.net/rdap/ip/2801:10:c000::",
	  "2801:10:c000::", "sistemas.red@uco.edu.co", SW_CONTACT_ABUSE_MAILBOX,
	  "rdap abuse entity JDM7", "2801:10:c000::/128", 1, NULL, 0, NULL, NULL, 0 },
	/* the abuse entity has no e-mail: its own RDAP record may */
	{ "14-nicbr-177.0.0.0_14.json", "https://rdap.registro.br/ip/177.2.3.4", "177.2.3.4", NULL,
	  0, NULL, "177.0.0.0/14", 1, "https://rdap.registro.br/entity/CSIOI", 0, NULL, NULL, 0 },
	{ "15-afrinic-41.0.0.0.json", "https://rdap.afrinic.net/rdap/ip/41.0.0.1", "41.0.0.1",
	  "jacques.hendricks@vodacom.co.za", SW_CONTACT_ROLE_EMAIL,
	  "rdap technical entity JH2-AFRINIC", "41.0.0.0/16", 1, NULL, 0, NULL, NULL, 0 },
	/* no roles: the network's remark first, as port 43 says */
	{ "16-afrinic-196.11.240.215.json", "https://rdap.afrinic.net/rdap/ip/196.11.240.215",
	  "196.11.240.215", "abuse@mtnbusiness.co.za", SW_CONTACT_REMARKS, "rdap remarks",
	  "196.11.239.0/24", 4, NULL, 0, NULL, NULL, 0 },
	{ "17-afrinic-2001_43f8_7b0__.json", "https://rdap.afrinic.net/rdap/ip/2001:43f8:7b0::",
	  "2001:43f8:7b0::", "jpmuga@tespok.co.ke", SW_CONTACT_REMARKS,
	  "rdap unlabelled entity TT8-AFRINIC (no role)", "2001:43f8:7b0::/48", 1, NULL, 0, NULL, NULL, 0 },
	/* thin registries: the registrar's abuse desk, and its RDAP */
	{ "18-verisign-google.com.json", "https://rdap.verisign.com/com/v1/domain/google.com", NULL,
	  "abusecomplaints@markmonitor.com", SW_CONTACT_ABUSE_MAILBOX, "rdap abuse entity in 292",
	  NULL, 0, "https://rdap.markmonitor.com/rdap/domain/GOOGLE.COM", 0, NULL, NULL, 0 },
	{ "19-verisign-20c.com.json", "https://rdap.verisign.com/com/v1/domain/20c.com", NULL,
	  "abuse@joker.com", SW_CONTACT_ABUSE_MAILBOX, "rdap abuse entity in 113", NULL, 0,
	  "https://rdap.joker.com/domain/20C.COM", 0, NULL, NULL, 0 },
	{ "20-flexireg-home.moscow.json", "https://flexireg.net/moscow/rdap/domain/home.moscow", NULL,
	  "abuse@reg.ru", SW_CONTACT_ABUSE_MAILBOX, "rdap abuse entity in regru-msk-fir", NULL, 0,
	  NULL, 0, NULL, NULL, 0 },
	{ "21-uniregistry-microsoft.click.json", "https://rdap.uniregistry.net/rdap/domain/microsoft.click",
	  NULL, "abusecomplaints@markmonitor.com", SW_CONTACT_ABUSE_MAILBOX,
	  "rdap abuse entity CO_03a1e5a41de9801039c48cce9ea7414f-UR", NULL, 0, NULL, 0, NULL, NULL, 0 },
};

static void check_fixture(const struct fixture *fx)
{
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links follow = { 0 };
	const char *first = fx->first, *via = fx->via;
	enum sw_contact_source source = fx->source;

	if ((fx->flags & REGISTRY_OWN) && sw_whois_is_placeholder(first)) {
		first = fx->alt_first;
		via = fx->alt_via;
		source = fx->alt_source;
	}
	parse_file(fx->file, fx->url, fx->ip, &r, &follow);
	assert_invariants(&r, &follow);
	if (first == NULL) {
		if (r.ncontacts != 0)
			fail_msg("%s: expected no contact, got %s", fx->file, r.contacts[0].addr);
	} else {
		if (r.ncontacts == 0)
			fail_msg("%s: expected %s, got no contact", fx->file, first);
		if (strcmp(r.contacts[0].addr, first) != 0)
			fail_msg("%s: expected %s first, got %s", fx->file, first, r.contacts[0].addr);
		assert_int_equal(r.contacts[0].source, source);
		assert_string_equal(r.contacts[0].via, via);
		/* the server is the scheme and host of the URL asked */
		assert_int_equal(strncmp(r.contacts[0].server, fx->url, strlen(r.contacts[0].server)), 0);
		assert_non_null(strstr(r.contacts[0].server, "://"));
		assert_null(strchr(strstr(r.contacts[0].server, "://") + 3, '/'));
	}
	if (fx->cidr0) {
		assert_true(r.have_range);
		assert_int_equal(r.ncidrs, fx->ncidrs);
		assert_cidr(&r, 0, fx->cidr0);
		assert_string_equal(r.server, r.ncontacts ? r.contacts[0].server : r.server);
		assert_non_null(strstr(r.server, "://"));
	} else {
		assert_false(r.have_range);
		assert_int_equal(r.ncidrs, 0);
	}
	if (fx->follow) {
		assert_true(follow.n >= 1);
		assert_string_equal(follow.url[0], fx->follow);
	} else if (follow.n != 0) {
		fail_msg("%s: no link expected, got %s", fx->file, follow.url[0]);
	}
}

static void test_every_fixture(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(fixtures); i++)
		check_fixture(&fixtures[i]);
}

/* ---- the traps, one by one ------------------------------------------------- */

/* 01: the abuse-only entity (nested in the registrant) beats a top-level
 * entity whose roles are noc, technical and abuse. */
static void test_abuse_only_entity_first(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };

	parse_file(fixtures[0].file, fixtures[0].url, fixtures[0].ip, &r, &f);
	assert_string_equal(r.contacts[0].addr, "network-abuse@google.com");
	assert_int_equal(r.ncontacts, 2);
	assert_string_equal(r.contacts[1].addr, "arin-contact@google.com");
	assert_int_equal(r.contacts[1].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_string_equal(r.contacts[1].via, "rdap abuse entity ZG39-ARIN");
	assert_string_equal(r.contacts[0].server, "https://rdap.arin.net");
	assert_string_equal(r.server, "https://rdap.arin.net");
	assert_string_equal(r.netname, "GOOGLE-IPV6");
	assert_string_equal(r.org, "Google LLC");
}

/* 02: the other roles rank below, in their order; IOC@ lower-cased. */
static void test_roles_below_abuse(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };

	parse_file(fixtures[1].file, fixtures[1].url, fixtures[1].ip, &r, &f);
	assert_int_equal(r.ncontacts, 3);
	assert_int_equal(r.contacts[1].source, SW_CONTACT_ROLE_EMAIL);
	assert_string_equal(r.contacts[1].addr, "ioc@microsoft.com");
	assert_string_equal(r.contacts[1].via, "rdap technical entity MRPD-ARIN");
	assert_string_equal(r.contacts[2].addr, "iphostmaster@microsoft.com");
	assert_string_equal(r.contacts[2].via, "rdap technical entity IPHOS5-ARIN");
	assert_cidr(&r, 1, "13.96.0.0/13");
	assert_cidr(&r, 2, "13.104.0.0/14");
}

/* Replace every occurrence of from by to (same length or not) in text. */
static char *replace_all(const char *text, const char *from, const char *to)
{
	size_t n = 0, fl = strlen(from), tl = strlen(to);
	for (const char *p = text; (p = strstr(p, from)); p += fl)
		n++;
	char *out = malloc(strlen(text) + n * (tl > fl ? tl - fl : 0) + 1), *o = out;
	assert_non_null(out);
	for (const char *p = text;;) {
		const char *q = strstr(p, from);
		if (q == NULL) {
			strcpy(o, p);
			break;
		}
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
		p = q + fl;
	}
	return out;
}

static void parse_replaced(const char *file, const char *from, const char *to, const char *url,
			   const char *ip, struct sw_whois_result *r, struct sw_rdap_links *f)
{
	char rel[256];
	size_t len;

	snprintf(rel, sizeof(rel), "rdap/%s", file);
	char *text = load(rel, &len);
	char *changed = replace_all(text, from, to);
	assert_true(parse_str(changed, url, ip, r, f));
	free(changed);
	free(text);
}

/* 06: the vCard e-mail of type "abuse" beats the first one. The real
 * answer is the RIPE NCC's own network (whose addresses whois_parse.c
 * drops today): the same answer at another domain shows the choice. */
static void test_type_abuse_over_first(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };

	parse_replaced(fixtures[5].file, "@ripe.net", "@example.net", fixtures[5].url,
		       fixtures[5].ip, &r, &f);
	assert_invariants(&r, &f);
	assert_string_equal(r.contacts[0].addr, "abuse@example.net");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	int ops = find_contact(&r, "ops@example.net");
	assert_true(ops > 0);
	assert_int_equal(r.contacts[ops].source, SW_CONTACT_ROLE_EMAIL);
	assert_string_equal(r.contacts[ops].via, "rdap abuse entity OPS4-RIPE (other e-mail)");
	assert_string_equal(r.country, "NL");

	/* "type" as a list, and the abuse one last: still chosen over pref 1 */
	memset(&r, 0, sizeof(r));
	assert_true(parse_str("{\"objectClassName\":\"ip network\",\"startAddress\":\"192.0.2.0\","
			      "\"endAddress\":\"192.0.2.255\",\"entities\":[{\"handle\":\"X\","
			      "\"roles\":[\"abuse\"],\"vcardArray\":[\"vcard\",["
			      "[\"email\",{\"pref\":\"1\"},\"text\",\"noc@example.net\"],"
			      "[\"email\",{\"type\":[\"work\",\"abuse\"]},\"text\",\"mailto:Desk@Example.NET\"]]]}]}",
			      "https://rdap.example.net/ip/192.0.2.1", "192.0.2.1", &r, &f));
	assert_string_equal(r.contacts[0].addr, "desk@example.net");
	assert_string_equal(r.contacts[1].addr, "noc@example.net");
	assert_int_equal(r.contacts[1].source, SW_CONTACT_ROLE_EMAIL);
}

/* 08: pref 1 when no e-mail is typed abuse (same answer at another domain). */
static void test_pref_one(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };

	parse_replaced(fixtures[7].file, "@apnic.net", "@example.net", fixtures[7].url,
		       fixtures[7].ip, &r, &f);
	assert_invariants(&r, &f);
	assert_int_equal(r.ncontacts, 3);
	assert_string_equal(r.contacts[0].addr, "helpdesk@example.net");
	assert_string_equal(r.contacts[0].via, "rdap abuse entity IRT-APNICRANDNET-AU");
	assert_string_equal(r.contacts[1].addr, "research@example.net");
	assert_string_equal(r.contacts[1].via, "rdap technical entity AR302-AP");
	/* the network's remark: "All Cloudflare abuse reporting can be done via" */
	assert_string_equal(r.contacts[2].addr, "resolver-abuse@cloudflare.com");
	assert_int_equal(r.contacts[2].source, SW_CONTACT_REMARKS);
	assert_int_equal(f.n, 0); /* netox's related link is a web page */

	memset(&r, 0, sizeof(r));
	assert_true(parse_str("{\"startAddress\":\"192.0.2.0\",\"endAddress\":\"192.0.2.255\","
			      "\"entities\":[{\"handle\":\"X\",\"roles\":[\"abuse\"],\"vcardArray\":"
			      "[\"vcard\",[[\"email\",{},\"text\",\"noc@example.net\"],"
			      "[\"email\",{\"pref\":1},\"text\",\"desk@example.net\"]]]}]}",
			      "https://rdap.example.net/ip/192.0.2.1", "192.0.2.1", &r, &f));
	assert_string_equal(r.contacts[0].addr, "desk@example.net");
}

/* 10: RDAP and port 43 agree: the network's own abuse@ first, the
 * national registry's IRT last and labelled. */
static void test_nir_irt_fallback(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };

	parse_file(fixtures[9].file, fixtures[9].url, fixtures[9].ip, &r, &f);
	assert_invariants(&r, &f);
	assert_int_equal(r.ncontacts, 4);
	assert_string_equal(r.contacts[0].addr, "abuse@bora.net");
	assert_string_equal(r.contacts[1].addr, "security@bora.net");
	assert_string_equal(r.contacts[2].addr, "ipadm@nic.bora.net");
	assert_string_equal(r.contacts[3].addr, "hostmaster@nic.or.kr");
	assert_int_equal(r.contacts[3].source, SW_CONTACT_NIR_IRT);
	assert_string_equal(r.contacts[3].via, "rdap abuse entity IRT-KRNIC-KR (national registry)");
	assert_string_equal(r.netname, "BORANET-NET-210-107");
	assert_string_equal(r.country, "KR");

	/* an IRT of a national registry at an address of its own is a fallback too */
	memset(&r, 0, sizeof(r));
	assert_true(parse_str("{\"startAddress\":\"192.0.2.0\",\"endAddress\":\"192.0.2.255\","
			      "\"entities\":[{\"handle\":\"IRT-JPNIC-JP\",\"roles\":[\"abuse\"],"
			      "\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\",\"irt@example.jp\"]]]},"
			      "{\"handle\":\"T\",\"roles\":[\"technical\"],\"vcardArray\":[\"vcard\","
			      "[[\"email\",{},\"text\",\"noc@example.net\"]]]}]}",
			      "https://rdap.example.net/ip/192.0.2.1", "192.0.2.1", &r, &f));
	assert_string_equal(r.contacts[0].addr, "noc@example.net");
	assert_int_equal(r.contacts[1].source, SW_CONTACT_NIR_IRT);
}

struct pair {
	const char *rdap, *url, *whois, *server, *ip;
};

/* The same network through RDAP and through port 43: the same first
 * contact (the whois answers are tests/data/whois/'s). */
static void test_rdap_and_whois_agree(void **state)
{
	(void)state;
	static const struct pair pairs[] = {
		{ "10-apnic-210.107.73.73.json", "https://rdap.apnic.net/ip/210.107.73.73",
		  "210.107.73.73.whois", "whois.apnic.net", "210.107.73.73" },
		{ "12-lacnic-200.57.141.161.json", "https://rdap.lacnic.net/rdap/ip/200.57.141.161",
		  "200.57.141.161.whois", "whois.lacnic.net", "200.57.141.161" },
		{ "13-lacnic-2801_10_c000__.json", "https://rdap.lacnic.net/rdap/ip/2801:10:c000::",
		  "2801_10_c000__.whois", "whois.lacnic.net", "2801:10:c000::" },
		{ "16-afrinic-196.11.240.215.json", "https://rdap.afrinic.net/rdap/ip/196.11.240.215",
		  "196.11.240.215.whois", "whois.afrinic.net", "196.11.240.215" },
		{ "09-apnic-2001_240_10c_1__ca20_9d1d.json",
		  "https://rdap.apnic.net/ip/2001:240:10c:1::ca20:9d1d", "2001_240_10c_1__ca20_9d1d.whois",
		  "whois.apnic.net", "2001:240:10c:1::ca20:9d1d" },
	};

	for (size_t i = 0; i < N_ELEM(pairs); i++) {
		struct sw_whois_result r = { 0 }, w = { 0 };
		struct sw_rdap_links f = { 0 };
		char rel[256];
		size_t len;

		parse_file(pairs[i].rdap, pairs[i].url, pairs[i].ip, &r, &f);
		snprintf(rel, sizeof(rel), "whois/%s", pairs[i].whois);
		char *text = load(rel, &len);
		struct sw_addr a = addr(pairs[i].ip);
		sw_whois_parse(text, len, pairs[i].server, &a, &w);
		free(text);
		assert_int_equal(r.ncontacts > 0, w.ncontacts > 0);
		if (r.ncontacts && strcmp(r.contacts[0].addr, w.contacts[0].addr) != 0)
			fail_msg("%s: RDAP picks %s, port 43 %s", pairs[i].rdap, r.contacts[0].addr,
				 w.contacts[0].addr);
	}
}

/* A chain: the port-43 answer's narrower range wins, the RDAP contacts stay. */
static void test_merge_with_whois(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };
	size_t len;

	parse_file(fixtures[1].file, fixtures[1].url, fixtures[1].ip, &r, &f);
	char *text = load("whois/200.57.141.161.whois", &len);
	struct sw_addr a = addr("13.107.4.52");
	sw_whois_parse(text, len, "whois.lacnic.net", &a, &r); /* not about this address */
	free(text);
	assert_string_equal(r.contacts[0].addr, "abuse@microsoft.com");
	assert_cidr(&r, 0, "13.64.0.0/11");

	/* a second RDAP answer with a narrower range replaces the range; its
	 * contact of the same rank goes first */
	assert_true(parse_str("{\"objectClassName\":\"ip network\",\"startAddress\":\"13.107.4.0\","
			      "\"endAddress\":\"13.107.4.255\",\"name\":\"CUSTOMER\",\"entities\":[{"
			      "\"handle\":\"C\",\"roles\":[\"abuse\"],\"vcardArray\":[\"vcard\","
			      "[[\"email\",{},\"text\",\"abuse@customer.example\"]]]}]}",
			      "https://rdap.example.net/ip/13.107.4.52", "13.107.4.52", &r, &f));
	assert_invariants(&r, &f);
	assert_string_equal(r.contacts[0].addr, "abuse@customer.example");
	assert_string_equal(r.contacts[0].server, "https://rdap.example.net");
	assert_string_equal(r.contacts[1].addr, "abuse@microsoft.com");
	assert_string_equal(r.netname, "CUSTOMER");
	assert_int_equal(r.ncidrs, 1);
	assert_cidr(&r, 0, "13.107.4.0/24");
}

/* 14: an abuse entity without e-mail: its self link, and what that
 * entity's own answer says (no role in it: still the abuse entity). */
static void test_entity_self_link(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };

	parse_file(fixtures[13].file, fixtures[13].url, fixtures[13].ip, &r, &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.url[0], "https://rdap.registro.br/entity/CSIOI");
	assert_true(parse_str("{\"objectClassName\":\"entity\",\"handle\":\"CSIOI\",\"vcardArray\":"
			      "[\"vcard\",[[\"fn\",{},\"text\",\"CSIRT OI\"],"
			      "[\"email\",{},\"text\",\"cert@example.com.br\"]]]}",
			      f.url[0], NULL, &r, &f));
	assert_invariants(&r, &f);
	assert_string_equal(r.contacts[0].addr, "cert@example.com.br");
	assert_int_equal(r.contacts[0].source, SW_CONTACT_ABUSE_MAILBOX);
	assert_string_equal(r.contacts[0].via, "rdap abuse entity CSIOI");
	assert_string_equal(r.contacts[0].server, "https://rdap.registro.br");
	assert_cidr(&r, 0, "177.0.0.0/14"); /* kept from the network */
	assert_int_equal(f.n, 1);            /* not handed back twice */
}

/* 18–21: domains. The registrar's link, and the domain contacts below
 * the registrar's abuse desk. */
static void test_domains(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };

	parse_str("{\"objectClassName\":\"domain\",\"ldhName\":\"example.com\",\"entities\":["
		  "{\"roles\":[\"registrant\"],\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\","
		  "\"REDACTED FOR PRIVACY\"]]]},"
		  "{\"roles\":[\"technical\"],\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\","
		  "\"hostmaster@example.com\"]]]},"
		  "{\"roles\":[\"billing\"],\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\","
		  "\"redacted@redacted.invalid\"]]]},"
		  "{\"handle\":\"9\",\"roles\":[\"registrar\"],\"vcardArray\":[\"vcard\",[[\"email\","
		  "{},\"text\",\"info@registrar.example\"]]],\"entities\":[{\"roles\":[\"abuse\"],"
		  "\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\",\"abuse@registrar.example\"]]]}]}],"
		  "\"links\":[{\"rel\":\"related\",\"type\":\"text/html\",\"href\":\"https://web.example/\"},"
		  "{\"rel\":\"related\",\"href\":\"http://rdap.registrar.example/domain/example.com\"},"
		  "{\"rel\":\"related\",\"type\":\"application/rdap+json\",\"href\":"
		  "\"https://rdap.registrar.example/domain/example.com\"}]}",
		  "https://rdap.example/domain/example.com", NULL, &r, &f);
	assert_invariants(&r, &f);
	assert_int_equal(r.ncontacts, 2);
	assert_string_equal(r.contacts[0].addr, "abuse@registrar.example");
	assert_string_equal(r.contacts[0].via, "rdap abuse entity in 9");
	assert_string_equal(r.contacts[1].addr, "hostmaster@example.com");
	assert_int_equal(r.contacts[1].source, SW_CONTACT_DOMAIN);
	assert_string_equal(r.contacts[1].via, "rdap technical entity");
	assert_false(r.have_range);
	/* the web page is no RDAP, plain http to the internet is never followed */
	assert_int_equal(f.n, 1);
	assert_string_equal(f.url[0], "https://rdap.registrar.example/domain/example.com");

	/* 20: the registrar's general address is not the domain's contact */
	memset(&r, 0, sizeof(r));
	memset(&f, 0, sizeof(f));
	parse_file(fixtures[19].file, fixtures[19].url, NULL, &r, &f);
	assert_int_equal(r.ncontacts, 1);
	assert_int_equal(f.n, 0); /* the redacted contacts' self links are not followed */
}

/* 16 and 17: entities that name no role are kept, low and labelled. */
static void test_no_roles(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };

	parse_file(fixtures[15].file, fixtures[15].url, fixtures[15].ip, &r, &f);
	assert_int_equal(r.ncontacts, 3);
	assert_string_equal(r.contacts[1].addr, "ip-maint@mtnbusiness.co.za");
	assert_string_equal(r.contacts[1].via, "rdap unlabelled entity MBIP-AFRINIC (no role)");
	assert_int_equal(r.contacts[1].source, SW_CONTACT_REMARKS);
	assert_cidr(&r, 1, "196.11.240.0/22");
	assert_cidr(&r, 3, "196.11.246.0/24");
	assert_string_equal(r.country, "ZA");

	memset(&r, 0, sizeof(r));
	parse_file(fixtures[16].file, fixtures[16].url, fixtures[16].ip, &r, &f);
	/* barry@ twice (case apart): once */
	assert_int_equal(r.ncontacts, 5);
	assert_true(find_contact(&r, "barry@tespok.co.ke") > 0);
	for (unsigned i = 0; i < r.ncontacts; i++)
		assert_int_equal(r.contacts[i].source, SW_CONTACT_REMARKS);
}

/* ---- what is not an answer ------------------------------------------------- */

static void test_errors_and_junk(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };
	const char *notice = "{\"errorCode\":404,\"title\":\"Not Found\",\"description\":[\"x\"],"
			     "\"entities\":[{\"roles\":[\"abuse\"],\"vcardArray\":[\"vcard\",[[\"email\","
			     "{},\"text\",\"abuse@example.net\"]]]}]}";

	assert_int_equal(sw_rdap_error_code(notice, strlen(notice)), 404);
	assert_true(parse_str(notice, "https://rdap.example/ip/192.0.2.1", "192.0.2.1", &r, &f));
	assert_int_equal(r.ncontacts, 0); /* an error says nothing of the network */
	assert_int_equal(sw_rdap_error_code("{\"errorCode\":\"404\"}", 19), 0);
	assert_int_equal(sw_rdap_error_code("{\"errorCode\":-1}", 16), 0);
	assert_int_equal(sw_rdap_error_code("{}", 2), 0);
	assert_int_equal(sw_rdap_error_code("<html>", 6), 0);
	assert_int_equal(sw_rdap_error_code(NULL, 5), 0);

	static const char *const junk[] = {
		"", "null", "[]", "[{\"startAddress\":\"1.2.3.4\"}]", "\"string\"", "42",
		"{\"unterminated\":", "<html><body>Rate limited</body></html>",
		"% whois text\nnetname: X\n",
	};
	for (size_t i = 0; i < N_ELEM(junk); i++)
		assert_false(parse_str(junk[i], "https://rdap.example/ip/192.0.2.1", "192.0.2.1", &r, &f));
	assert_false(sw_rdap_parse(NULL, 10, NULL, NULL, &r, &f));
	assert_false(sw_rdap_parse("{}", 2, NULL, NULL, NULL, &f));
	assert_true(sw_rdap_parse("{}", 2, NULL, NULL, &r, NULL));
	assert_int_equal(r.ncontacts, 0);
	assert_int_equal(f.n, 0);
}

/* ---- hostile answers ------------------------------------------------------- */

static char *hostile_entities(unsigned depth, unsigned width, const char *email)
{
	size_t cap = (size_t)(depth + width + 4) * 256;
	char *s = malloc(cap), *p = s;
	assert_non_null(s);
	p += sprintf(p, "{\"startAddress\":\"192.0.2.0\",\"endAddress\":\"192.0.2.255\",\"entities\":[");
	for (unsigned i = 0; i < width; i++)
		p += sprintf(p, "%s{\"handle\":\"W%u\",\"roles\":[\"technical\"],\"vcardArray\":[\"vcard\","
			     "[[\"email\",{},\"text\",\"t%u@example.net\"]]]}", i ? "," : "", i, i);
	for (unsigned i = 0; i < depth; i++)
		p += sprintf(p, "%s{\"handle\":\"D%u\",\"roles\":[\"registrant\"],\"entities\":[",
			     i == 0 && width ? "," : "", i);
	p += sprintf(p, "%s{\"roles\":[\"abuse\"],\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\",\"%s\"]]]}",
		     depth == 0 && width ? "," : "", email);
	for (unsigned i = 0; i < depth; i++)
		p += sprintf(p, "]}");
	p += sprintf(p, "]}");
	assert_true((size_t)(p - s) < cap);
	return s;
}

static void test_hostile(void **state)
{
	(void)state;
	struct sw_whois_result r = { 0 };
	struct sw_rdap_links f = { 0 };
	const char *url = "https://rdap.example/ip/192.0.2.1";

	/* nesting far beyond any answer: refused by the tokenizer, no crash */
	size_t n = 200000;
	char *deep = malloc(2 * n + 1);
	assert_non_null(deep);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	assert_false(parse_str(deep, url, "192.0.2.1", &r, &f));
	deep[0] = '{';
	assert_false(parse_str(deep, url, "192.0.2.1", &r, &f));
	free(deep);

	/* an abuse entity three levels down is found, thirty down is not */
	char *s = hostile_entities(3, 0, "abuse@example.net");
	assert_true(parse_str(s, url, "192.0.2.1", &r, &f));
	assert_string_equal(r.contacts[0].addr, "abuse@example.net");
	free(s);
	memset(&r, 0, sizeof(r));
	s = hostile_entities(9, 0, "abuse@example.net");
	assert_true(parse_str(s, url, "192.0.2.1", &r, &f));
	assert_int_equal(r.ncontacts, 0);
	free(s);
	/* a thousand entities: bounded, the list stays ranked */
	memset(&r, 0, sizeof(r));
	s = hostile_entities(0, 1000, "abuse@example.net");
	assert_true(parse_str(s, url, "192.0.2.1", &r, &f));
	assert_invariants(&r, &f);
	assert_int_equal(r.ncontacts, SW_WHOIS_MAX_CONTACTS);
	free(s);

	/* e-mails that must never be recipients */
	static const char *const bad[] = {
		"abuse@example.net\\r\\nBcc: victim@example.org", "abuse@example.net\\u0000x",
		"a@b>, victim@example.org", "\\u001b[2Jabuse@example.net", "REDACTED FOR PRIVACY",
		"Please query the RDDS service of the Registrar of Record",
		"abuse@example.net\\nBcc:victim@example.org", "\\\"abuse\\\"@example.net",
		"abuse@ex ample.net", "abüse@example.net", "hostmaster@ripe.net",
	};
	for (size_t i = 0; i < N_ELEM(bad); i++) {
		memset(&r, 0, sizeof(r));
		s = hostile_entities(0, 0, bad[i]);
		if (!parse_str(s, url, "192.0.2.1", &r, &f))
			fail_msg("not parsed: %s", s);
		assert_invariants(&r, &f);
		if (r.ncontacts != 0)
			fail_msg("kept %s from %s", r.contacts[0].addr, bad[i]);
		free(s);
	}

	/* names with control bytes are shown escaped; a range that does not
	 * hold the address, or runs backwards, is no range */
	memset(&r, 0, sizeof(r));
	assert_true(parse_str("{\"startAddress\":\"192.0.2.0\",\"endAddress\":\"192.0.2.255\","
			      "\"name\":\"EVIL\\u001b]0;x\\u0007\\r\\nNET\",\"country\":\"n\\u0000\"}",
			      url, "192.0.2.1", &r, &f));
	assert_invariants(&r, &f);
	assert_string_equal(r.netname, "EVIL\\x1b]0;x\\x07\\x0d\\x0aNET");
	assert_string_equal(r.country, "");
	static const char *const ranges[] = {
		"\"startAddress\":\"198.51.100.0\",\"endAddress\":\"198.51.100.255\"",
		"\"startAddress\":\"192.0.2.255\",\"endAddress\":\"192.0.2.0\"",
		"\"startAddress\":\"192.0.2.0\",\"endAddress\":\"2001:db8::\"",
		"\"startAddress\":\"192.0.2.0/33\",\"endAddress\":\"192.0.2.255\"",
		"\"startAddress\":\"192.0.2.0\",\"endAddress\":\"192.0.2.255 \"",
		"\"startAddress\":192,\"endAddress\":[\"192.0.2.255\"]",
		"\"cidr0_cidrs\":[{\"v4prefix\":\"198.51.100.0\",\"length\":24}]",
		"\"cidr0_cidrs\":[{\"v4prefix\":\"192.0.2.0\",\"length\":99}]",
	};
	for (size_t i = 0; i < N_ELEM(ranges); i++) {
		char text[512];
		memset(&r, 0, sizeof(r));
		snprintf(text, sizeof(text), "{%s}", ranges[i]);
		assert_true(parse_str(text, url, "192.0.2.1", &r, &f));
		if (r.have_range)
			fail_msg("range taken from %s", ranges[i]);
	}
	/* cidr0 alone gives the range */
	memset(&r, 0, sizeof(r));
	assert_true(parse_str("{\"cidr0_cidrs\":[{\"v4prefix\":\"198.51.100.0\",\"length\":24},"
			      "{\"v4prefix\":\"192.0.2.0\",\"length\":25}]}",
			      url, "192.0.2.1", &r, &f));
	assert_cidr(&r, 0, "192.0.2.0/25");

	/* links: only https, or http to loopback; nothing odd in them */
	static const struct {
		const char *href;
		bool kept;
	} links[] = {
		{ "https://rdap.example.net/entity/X", true },
		{ "http://127.0.0.1:8443/entity/X", true },
		{ "http://[::1]:8443/entity/X", true },
		{ "http://localhost/entity/X", true },
		{ "http://rdap.example.net/entity/X", false },
		{ "http://127.0.0.1.evil.example/entity/X", false },
		{ "https://user@evil.example/entity/X", false },
		{ "https://rdap.example.net/entity/X\\r\\nHost: evil", false },
		{ "https://rdap.example.net/entity/X Y", false },
		{ "https://rdap.example.net:99999/entity/X", false },
		{ "https://[2001:db8::1/entity/X", false },
		{ "file:///etc/passwd", false },
		{ "javascript:alert(1)", false },
		{ "https:///entity/X", false },
		{ "https://-bad-.example/x", false },
	};
	for (size_t i = 0; i < N_ELEM(links); i++) {
		char text[1024];
		memset(&r, 0, sizeof(r));
		memset(&f, 0, sizeof(f));
		snprintf(text, sizeof(text), "{\"startAddress\":\"192.0.2.0\",\"endAddress\":\"192.0.2.255\","
			 "\"entities\":[{\"roles\":[\"abuse\"],\"links\":[{\"rel\":\"self\",\"href\":\"%s\"}]}]}",
			 links[i].href);
		assert_true(parse_str(text, url, "192.0.2.1", &r, &f));
		if (f.n != (links[i].kept ? 1u : 0u))
			fail_msg("link %s: %u handed back", links[i].href, f.n);
	}
	/* a long URL is never cut short */
	char longurl[SW_RDAP_URLLEN + 64];
	memset(&f, 0, sizeof(f));
	memcpy(longurl, "https://rdap.example.net/", 25);
	memset(longurl + 25, 'a', sizeof(longurl) - 26);
	longurl[sizeof(longurl) - 1] = '\0';
	char *text = malloc(sizeof(longurl) + 256);
	assert_non_null(text);
	sprintf(text, "{\"entities\":[{\"roles\":[\"abuse\"],\"links\":[{\"rel\":\"self\",\"href\":\"%s\"}]}]}",
		longurl);
	assert_true(parse_str(text, url, "192.0.2.1", &r, &f));
	assert_int_equal(f.n, 0);
	free(text);
	/* more links than fit: the first SW_RDAP_LINKS_MAX, each once */
	memset(&f, 0, sizeof(f));
	char many[4096], *p = many;
	p += sprintf(p, "{\"entities\":[");
	for (int i = 0; i < 10; i++)
		p += sprintf(p, "%s{\"roles\":[\"abuse\"],\"links\":[{\"rel\":\"self\",\"href\":"
			     "\"https://rdap.example.net/entity/%d\"}]}", i ? "," : "", i / 2);
	sprintf(p, "]}");
	assert_true(parse_str(many, url, "192.0.2.1", &r, &f));
	assert_int_equal(f.n, SW_RDAP_LINKS_MAX);
	assert_string_equal(f.url[1], "https://rdap.example.net/entity/1");
	/* a link to the answer itself is no link */
	memset(&f, 0, sizeof(f));
	assert_true(parse_str("{\"objectClassName\":\"domain\",\"links\":[{\"rel\":\"related\","
			      "\"href\":\"https://rdap.example/domain/x.example\"}]}",
			      "https://rdap.example/domain/x.example", NULL, &r, &f));
	assert_int_equal(f.n, 0);

	/* more than the size cap: refused */
	size_t big = ((size_t)4 << 20) + 16;
	char *huge = malloc(big);
	assert_non_null(huge);
	memset(huge, ' ', big);
	huge[0] = '{';
	huge[big - 1] = '}';
	assert_false(sw_rdap_parse(huge, big, url, NULL, &r, &f));
	free(huge);
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

/* Bytes that matter to a JSON parser, so mutations hit its decisions. */
static const char interesting[] = "{}[]\":,\\ \n\0@/.-u01eE+\x1b\x7f\xff";

static size_t mutate_bytes(char *buf, size_t len, size_t cap, char *const *texts,
			   const size_t *lens, size_t ntexts)
{
	unsigned rounds = 1 + (unsigned)(rnd() % 4);
	for (unsigned k = 0; k < rounds; k++) {
		size_t pos = len ? (size_t)(rnd() % len) : 0;
		switch (rnd() % 6) {
		case 0: /* flip a byte */
			if (len)
				buf[pos] = (char)rnd();
			break;
		case 1: /* set an interesting byte */
			if (len)
				buf[pos] = interesting[rnd() % (sizeof(interesting) - 1)];
			break;
		case 2: { /* delete a span */
			size_t n = len ? (size_t)(rnd() % 64) : 0;
			if (pos + n > len)
				n = len - pos;
			memmove(buf + pos, buf + pos + n, len - pos - n);
			len -= n;
			break;
		}
		case 3: { /* duplicate a span */
			size_t n = (size_t)(rnd() % 256);
			if (pos + n > len)
				n = len - pos;
			if (len + n >= cap)
				break;
			memmove(buf + pos + n, buf + pos, len - pos);
			len += n;
			break;
		}
		case 4: { /* splice in a piece of another answer */
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

/* Values an attacker would put where the parser looks. */
static json_object *hostile_value(json_object *other)
{
	static const char *const strings[] = {
		"abuse@example.net", "ABUSE@EXAMPLE.NET", "abuse@example.net\r\nBcc: v@example.org",
		"REDACTED FOR PRIVACY", "hostmaster@nic.or.kr", "mailto:noc@example.org",
		"abuse", "technical", "administrative", "registrant", "registrar", "email", "vcard",
		"self", "related", "application/rdap+json", "https://rdap.example.net/entity/X",
		"http://127.0.0.1:1/x", "http://evil.example/x", "192.0.2.0", "192.0.2.255",
		"2001:db8::/128", "10.0.0.0/8", "::", "255.255.255.255", "IRT-KRNIC-KR", "",
		"\x1b[2J\x07", "\xff\xfe", "ip network", "domain", "entity", "1",
		"\x01\x7f", "\xc3\xa9", "Z\x1b", "pref", "mailto:", "a@b", "@", "..", "/128",
	};
	switch (rnd() % 8) {
	case 0:
		return json_object_new_int64((int64_t)(rnd() % 2000) - 1000);
	case 1:
		return NULL; /* JSON null */
	case 2:
		return json_object_new_array();
	case 3:
		return json_object_new_object();
	case 4: /* a copy of another part: an entity inside an entity */
		return other ? json_tokener_parse(json_object_to_json_string(other)) : NULL;
	default: {
		const char *s = strings[rnd() % N_ELEM(strings)];
		return json_object_new_string(s);
	}
	}
}

struct node {
	json_object *parent; /* NULL for the root */
	const char *key;     /* in an object parent */
	size_t idx;          /* in an array parent */
	json_object *obj;
};

/* Up to max nodes of the tree, breadth first. */
static size_t nodes_of(json_object *root, struct node *nodes, size_t max)
{
	size_t n = 0;
	nodes[n++] = (struct node){ NULL, NULL, 0, root };
	for (size_t i = 0; i < n && n < max; i++) {
		json_object *o = nodes[i].obj;
		if (json_object_is_type(o, json_type_object)) {
			json_object_object_foreach(o, k, v) {
				if (n >= max)
					break;
				nodes[n++] = (struct node){ o, k, 0, v };
			}
		} else if (json_object_is_type(o, json_type_array)) {
			for (size_t k = 0; k < json_object_array_length(o) && n < max; k++)
				nodes[n++] = (struct node){ o, NULL, k, json_object_array_get_idx(o, k) };
		}
	}
	return n;
}

/* One JSON answer mutated as a tree: values replaced by hostile ones or
 * by pieces of the tree (entities inside entities), members removed,
 * elements duplicated. The text into *out (malloc'd). */
static char *mutate_tree(const char *text, size_t len, size_t *outlen)
{
	static struct node nodes[4096];
	json_object *root = json_tokener_parse(text);
	(void)len;
	if (root == NULL)
		return NULL;
	unsigned rounds = 1 + (unsigned)(rnd() % 6);
	for (unsigned k = 0; k < rounds; k++) {
		size_t n = nodes_of(root, nodes, N_ELEM(nodes));
		if (n < 2)
			break;
		struct node *t = &nodes[1 + rnd() % (n - 1)];
		json_object *other = nodes[rnd() % n].obj;
		switch (rnd() % 5) {
		case 4: { /* set a member the parser reads, in some object */
			static const char *const keys[] = {
				"name", "country", "startAddress", "endAddress", "handle", "roles",
				"vcardArray", "entities", "links", "rel", "href", "type", "remarks",
				"description", "objectClassName", "errorCode", "cidr0_cidrs",
				"v4prefix", "v6prefix", "length", "ldhName", "pref",
			};
			for (unsigned tries = 0; tries < 8; tries++) {
				/* the answer itself half the time: most of what is read */
				json_object *o = rnd() % 2 ? root : nodes[rnd() % n].obj;
				if (!json_object_is_type(o, json_type_object))
					continue;
				json_object_object_add(o, keys[rnd() % N_ELEM(keys)], hostile_value(NULL));
				break;
			}
			break;
		}
		case 0: /* remove */
			if (t->key)
				json_object_object_del(t->parent, t->key);
			else
				json_object_array_put_idx(t->parent, t->idx, NULL);
			break;
		case 1: /* duplicate into an array */
			if (json_object_is_type(t->parent, json_type_array))
				json_object_array_add(t->parent, json_object_get(t->obj));
			else if (json_object_is_type(t->obj, json_type_array) && other != root)
				/* a copy, not the node itself: no cycles */
				json_object_array_add(t->obj, json_tokener_parse(
					json_object_to_json_string(other)));
			break;
		default: { /* replace */
			json_object *v = hostile_value(other == root ? NULL : other);
			if (t->key)
				json_object_object_add(t->parent, t->key, v);
			else
				json_object_array_put_idx(t->parent, t->idx, v);
			break;
		}
		}
	}
	const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	char *out = s ? strdup(s) : NULL;
	*outlen = out ? strlen(out) : 0;
	json_object_put(root);
	return out;
}

static void test_fuzz(void **state)
{
	(void)state;
	char *texts[N_ELEM(fixtures)];
	size_t lens[N_ELEM(fixtures)];
	const char *env = getenv("SW_FUZZ_ITERATIONS");
	unsigned long iterations = env ? strtoul(env, NULL, 10) : 3000;
	size_t cap = 65536;
	char *buf = malloc(cap);
	unsigned long parsed = 0, with_contact = 0;
	assert_non_null(buf);

	for (size_t i = 0; i < N_ELEM(fixtures); i++) {
		char rel[256];
		snprintf(rel, sizeof(rel), "rdap/%s", fixtures[i].file);
		texts[i] = load(rel, &lens[i]);
	}
	for (unsigned long it = 0; it < iterations; it++) {
		uint64_t seed = rng_state;
		size_t c = (size_t)(rnd() % N_ELEM(fixtures)), len;
		struct sw_whois_result r = { 0 };
		struct sw_rdap_links f = { 0 };
		const char *why;
		char *tree = NULL;

		if (rnd() % 2 == 0 && (tree = mutate_tree(texts[c], lens[c], &len)) != NULL &&
		    len < cap) {
			memcpy(buf, tree, len);
		} else {
			len = lens[c] < cap ? lens[c] : cap - 1;
			memcpy(buf, texts[c], len);
			len = mutate_bytes(buf, len, cap, texts, lens, N_ELEM(fixtures));
		}
		free(tree);
		/* a chain: sometimes a clean first answer, then the mutant */
		if (rnd() % 4 == 0)
			parse_text(texts[c], lens[c], fixtures[c].url, fixtures[c].ip, &r, &f);
		parsed += parse_text(buf, len, fixtures[c].url, fixtures[c].ip, &r, &f);
		with_contact += r.ncontacts > 0;
		if (!invariants_hold(&r, &f, &why))
			fail_msg("fuzz iteration %lu (seed %#llx, fixture %s): %s", it,
				 (unsigned long long)seed, fixtures[c].file, why);
		if (it % 8 == 0)
			(void)sw_rdap_error_code(buf, len);
	}
	/* the mutants must reach the parser, not only the tokenizer */
	if (iterations >= 1000 && (parsed < iterations / 4 || with_contact < iterations / 8))
		fail_msg("fuzz: only %lu of %lu parsed, %lu with a contact", parsed, iterations,
			 with_contact);
	for (size_t i = 0; i < N_ELEM(fixtures); i++)
		free(texts[i]);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture),
		cmocka_unit_test(test_abuse_only_entity_first),
		cmocka_unit_test(test_roles_below_abuse),
		cmocka_unit_test(test_type_abuse_over_first),
		cmocka_unit_test(test_pref_one),
		cmocka_unit_test(test_nir_irt_fallback),
		cmocka_unit_test(test_rdap_and_whois_agree),
		cmocka_unit_test(test_merge_with_whois),
		cmocka_unit_test(test_entity_self_link),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_no_roles),
		cmocka_unit_test(test_errors_and_junk),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
