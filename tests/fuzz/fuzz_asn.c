/*
 * fuzz_asn.c - libFuzzer harness for the parsers of the network around an
 * offending address (issue 16): the IP-to-ASN service's answer
 * (sw_cymru_parse), aut-num objects (sw_whois_parse_autnum), import:
 * lines (sw_whois_import_any) and their merge into a lookup's result as
 * the cache replays them (sw_whois_asn_replay).
 *
 * Input: one byte choosing the address asked about, one the AS, then the
 * answer (any bytes).
 *
 * Invariants: an origin is 1..4294967295 with a prefix of the address's
 * family that covers it; country two upper-case letters or none, registry
 * lower-case letters or none, date YYYY-MM-DD or none, names printable and
 * terminated; an aut-num's upstreams are at most SW_WHOIS_MAX_UPSTREAMS,
 * valid, never the AS itself, never twice; its abuse contacts valid mail
 * addresses of a designated kind; an upstream's contact in a result is a
 * valid address or empty.
 */
#include "fuzz_result.h"

#include <ctype.h>

#include "reporter/cymru.h"
#include "reporter/whois_asn.h"

static const char *const addrs[] = {
	"192.0.2.60", "198.51.100.30", "203.0.113.200", "216.90.108.31", "2001:db8:51::66",
	"2a00:2381:ffff::1", "10.1.2.3",
};
static const uint32_t asns[] = { 64500, 64501, 2856, 3356, 1, 4294967295u, 23456 };
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check_cymru(const struct sw_cymru *c, const struct sw_addr *a)
{
	FUZZ_CHECK(c->asn != 0, "origin AS 0");
	FUZZ_CHECK(c->prefix.addr.family == a->family && sw_prefix_contains(&c->prefix, a),
		   "prefix does not cover the address");
	FUZZ_CHECK(FUZZ_TERMINATED(c->cc) && (c->cc[0] == '\0' ||
		   (isupper((unsigned char)c->cc[0]) && isupper((unsigned char)c->cc[1]) &&
		    c->cc[2] == '\0')), "country '%s'", c->cc);
	FUZZ_CHECK(FUZZ_TERMINATED(c->registry), "registry not terminated");
	for (const char *s = c->registry; *s; s++)
		FUZZ_CHECK(islower((unsigned char)*s), "registry '%s'", c->registry);
	FUZZ_CHECK(FUZZ_TERMINATED(c->allocated) &&
		   (c->allocated[0] == '\0' || strlen(c->allocated) == 10), "date '%s'",
		   c->allocated);
	FUZZ_CHECK(FUZZ_TERMINATED(c->as_name) && fuzz_printable(c->as_name), "AS name");
}

static void check_autnum(const struct sw_autnum *an, uint32_t asn)
{
	FUZZ_CHECK(an->nupstreams <= SW_WHOIS_MAX_UPSTREAMS, "%u upstreams", an->nupstreams);
	FUZZ_CHECK(an->nabuse <= N(an->abuse), "%u abuse contacts", an->nabuse);
	FUZZ_CHECK(FUZZ_TERMINATED(an->as_name) && fuzz_printable(an->as_name), "as-name");
	FUZZ_CHECK(an->found || (an->nupstreams == 0 && an->more_upstreams == 0),
		   "upstreams without the object");
	for (unsigned i = 0; i < an->nupstreams; i++) {
		FUZZ_CHECK(an->upstreams[i] != 0 && an->upstreams[i] != asn, "upstream AS%u",
			   (unsigned)an->upstreams[i]);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(an->upstreams[j] != an->upstreams[i], "AS%u twice",
				   (unsigned)an->upstreams[i]);
	}
	for (unsigned i = 0; i < an->nabuse; i++) {
		FUZZ_CHECK(sw_mail_addr_ok(an->abuse[i].addr), "abuse '%s'", an->abuse[i].addr);
		FUZZ_CHECK(an->abuse[i].source <= SW_CONTACT_ABUSE_COMMENT, "abuse of kind %d",
			   (int)an->abuse[i].source);
		FUZZ_CHECK(fuzz_printable(an->abuse[i].via), "via");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_whois_result r;
	struct sw_cymru c;
	struct sw_autnum an;
	struct sw_addr a;
	char q[64];
	uint32_t asn, from;

	if (size < 2)
		return 0;
	FUZZ_CHECK(sw_addr_parse(addrs[data[0] % N(addrs)], &a), "address table");
	asn = asns[data[1] % N(asns)];
	size_t len = size - 2;
	char *text = fuzz_copy(data + 2, len);

	if (sw_cymru_parse(text, len, &a, &c))
		check_cymru(&c, &a);
	sw_whois_parse_autnum(text, len, asn, &an);
	check_autnum(&an, asn);
	if (sw_whois_import_any(text, len, &from))
		FUZZ_CHECK(from != 0, "import from AS0");

	/* as the cache replays a lookup: the service's answer, the origin's
	 * aut-num, an upstream's */
	memset(&r, 0, sizeof r);
	sw_cymru_query(&a, q, sizeof q);
	FUZZ_CHECK(sw_whois_asn_replay(text, len, "whois.cymru.com", q, &a, &r), "service query");
	if (r.origin_as == 0)
		r.origin_as = asn;
	sw_whois_autnum_query("whois.ripe.net", r.origin_as, q, sizeof q);
	FUZZ_CHECK(sw_whois_asn_replay(text, len, "whois.ripe.net", q, &a, &r), "aut-num query");
	for (unsigned i = 0; i < r.nupstreams && i < SW_WHOIS_MAX_UPSTREAMS; i++) {
		sw_whois_autnum_query("whois.ripe.net", r.upstreams[i].asn, q, sizeof q);
		sw_whois_asn_replay(text, len, "whois.ripe.net", q, &a, &r);
	}
	FUZZ_CHECK(r.nupstreams <= SW_WHOIS_MAX_UPSTREAMS, "%u upstreams", r.nupstreams);
	FUZZ_CHECK(FUZZ_TERMINATED(r.origin_name) && fuzz_printable(r.origin_name), "origin name");
	for (unsigned i = 0; i < r.nupstreams; i++)
		FUZZ_CHECK(r.upstreams[i].abuse[0] == '\0' || sw_mail_addr_ok(r.upstreams[i].abuse),
			   "upstream abuse '%s'", r.upstreams[i].abuse);
	free(text);
	return 0;
}
