/*
 * test_rdns.c - unit tests for reporter/rdns.c without a network: the line
 * type of host names (the article's examples, token rules, precedence,
 * what must not match), the registrable domain (libpsl, case, trailing
 * dot, punycode, public suffixes, junk) and the reading of raw PTR labels
 * (hostile bytes escaped and flagged, bounds).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain.h"
#include "rdns.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	enum sw_line_type line;
} lines[] = {
	/* the article's and the brief's examples */
	{ "7dyn94.ztm.casema.net", SW_LINE_DYNAMIC },
	{ "host.dsl.example.net", SW_LINE_DSL },
	{ "ppp-12.dialup.example.com", SW_LINE_DIALUP },
	{ "mail.example.org", SW_LINE_STATIC },
	/* case and a trailing dot do not matter */
	{ "HOST.DSL.EXAMPLE.NET.", SW_LINE_DSL },
	{ "7DYN94.ZTM.Casema.Net", SW_LINE_DYNAMIC },
	/* access technologies */
	{ "adsl-198-51-100-7.example.net", SW_LINE_DSL },
	{ "p12.vdsl2.example.de", SW_LINE_DSL },
	{ "host.pppoe.example.it", SW_LINE_DSL },         /* PPPoE rides on DSL */
	{ "ppp-7.adsl.example.com", SW_LINE_DSL },         /* dsl beats a bare ppp */
	{ "ppp-7.example.com", SW_LINE_DIALUP },
	{ "dial-up-4.example.com", SW_LINE_DIALUP },
	{ "max1-dialin23.example.com", SW_LINE_DIALUP },
	{ "cpe-198-51-100-7.example.com", SW_LINE_CABLE },
	{ "cm-12.hfc.example.nl", SW_LINE_CABLE },
	{ "x.cable.example.net", SW_LINE_CABLE },
	{ "dyn.cable.example.net", SW_LINE_CABLE },        /* technology beats pool */
	/* dynamic pools */
	{ "198-51-100-7.example.net", SW_LINE_DYNAMIC },
	{ "ip198.51.100.7.example.net", SW_LINE_DYNAMIC },
	{ "host7.pool.example.net", SW_LINE_DYNAMIC },
	{ "dhcp-9.example.edu", SW_LINE_DYNAMIC },
	{ "c-7.customer.example.net", SW_LINE_DYNAMIC },
	{ "dynamic-ip.example.net", SW_LINE_DYNAMIC },
	{ "host.resnet.example.edu", SW_LINE_DYNAMIC },
	{ "mail.dyn.example.net", SW_LINE_DYNAMIC },       /* pool beats a service word */
	/* static and servers */
	{ "static-198-51-100-7.example.net", SW_LINE_STATIC },
	{ "static.adsl.example.net", SW_LINE_STATIC },     /* an always-on line */
	{ "srv12.colo.example.com", SW_LINE_STATIC },
	{ "vps-1.hosting.example.com", SW_LINE_STATIC },
	{ "ns1.example.com", SW_LINE_STATIC },
	{ "mx-2.example.com", SW_LINE_STATIC },
	{ "www.example.org", SW_LINE_STATIC },
	/* whole tokens only, and never the ISP's own domain */
	{ "generaldynamics.com", SW_LINE_UNKNOWN },
	{ "www2.generaldynamics.com", SW_LINE_STATIC },
	{ "host.dynamo.example.com", SW_LINE_UNKNOWN },
	{ "host.cablevision.com", SW_LINE_UNKNOWN },
	{ "host7.dsl.net", SW_LINE_UNKNOWN },              /* dsl.net is the domain */
	{ "example.net", SW_LINE_UNKNOWN },
	{ "host.example.co.uk", SW_LINE_UNKNOWN },
	/* three numbers, or numbers past 255, are no address */
	{ "a-1-2-3.example.net", SW_LINE_UNKNOWN },
	{ "a-300-2-3-4.example.net", SW_LINE_UNKNOWN },
	{ "a-1234-2-3-4.example.net", SW_LINE_UNKNOWN },
	/* not host names at all */
	{ "", SW_LINE_UNKNOWN },
	{ ".", SW_LINE_UNKNOWN },
	{ "dsl", SW_LINE_UNKNOWN },
	{ "dyn\r\n.example.net", SW_LINE_UNKNOWN },
	{ "dyn..example.net", SW_LINE_UNKNOWN },
	{ "dyn example.net", SW_LINE_UNKNOWN },
	{ "dyn\\x0d.example.net", SW_LINE_UNKNOWN },       /* an escaped name */
};

static void test_line_type(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(lines); i++) {
		enum sw_line_type got = sw_line_type_of(lines[i].name);
		if (got != lines[i].line)
			fail_msg("%s: got %s, want %s", lines[i].name, sw_line_type_name(got),
				 sw_line_type_name(lines[i].line));
	}
	assert_int_equal(sw_line_type_of(NULL), SW_LINE_UNKNOWN);
}

static void test_line_type_long_name(void **state)
{
	char name[300];
	(void)state;
	/* 250 characters of "a-" pairs ending in a dyn label: within limits */
	memset(name, 0, sizeof(name));
	for (size_t i = 0; i < 60; i++)
		memcpy(name + i * 2, i % 20 == 19 ? "a." : "a-", 2);
	strcat(name, "dyn.example.net");
	assert_int_equal(sw_line_type_of(name), SW_LINE_DYNAMIC);
	/* past 253 characters it is no host name */
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memcpy(name + 200, ".dyn.example.net", 16);
	assert_int_equal(sw_line_type_of(name), SW_LINE_UNKNOWN);
}

static void test_line_type_names(void **state)
{
	(void)state;
	assert_string_equal(sw_line_type_name(SW_LINE_DIALUP), "dial-up");
	assert_string_equal(sw_line_type_name(SW_LINE_DSL), "DSL");
	assert_string_equal(sw_line_type_name(SW_LINE_CABLE), "cable");
	assert_string_equal(sw_line_type_name(SW_LINE_DYNAMIC), "dynamic pool");
	assert_string_equal(sw_line_type_name(SW_LINE_STATIC), "static/server");
	assert_string_equal(sw_line_type_name(SW_LINE_UNKNOWN), "unknown");
	assert_string_equal(sw_line_type_name((enum sw_line_type)99), "unknown");
}

static const struct {
	const char *name;
	const char *domain;     /* NULL: none */
} domains[] = {
	{ "7dyn94.ztm.casema.net", "casema.net" },
	{ "host.example.co.uk", "example.co.uk" },
	{ "example.co.uk", "example.co.uk" },
	{ "a.b.c.example.com.", "example.com" },
	{ "MAIL.Example.ORG", "example.org" },
	{ "host.example.com.au", "example.com.au" },
	{ "www.xn--mller-kva.de", "xn--mller-kva.de" },   /* punycode as it is */
	{ "_dmarc.example.net", "example.net" },
	{ "co.uk", NULL },                                 /* a public suffix */
	{ "com", NULL },
	{ "com.", NULL },
	{ "", NULL },
	{ ".", NULL },
	{ ".example.com", NULL },
	{ "a..example.com", NULL },
	{ "evil\r\n.example.com", NULL },
	{ "evil\x1b[31m.example.com", NULL },
	{ "sp ace.example.com", NULL },
	{ "m\xc3\xbcller.de", NULL },                     /* raw UTF-8: not a DNS name */
};

static void test_registrable_domain(void **state)
{
	char out[256];
	(void)state;
	for (size_t i = 0; i < N_ELEM(domains); i++) {
		bool ok = sw_registrable_domain(domains[i].name, out, sizeof(out));
		if (domains[i].domain == NULL) {
			if (ok || out[0] != '\0')
				fail_msg("%s: got '%s', want none", domains[i].name, out);
		} else if (!ok || strcmp(out, domains[i].domain) != 0) {
			fail_msg("%s: got %d '%s', want '%s'", domains[i].name, ok, out,
				 domains[i].domain);
		}
	}
	assert_false(sw_registrable_domain(NULL, out, sizeof(out)));
}

static void test_registrable_domain_bounds(void **state)
{
	char small[8];
	char name[300];
	char out[256];
	(void)state;
	/* "example.net" does not fit in 8 bytes: refused, not cut */
	assert_false(sw_registrable_domain("www.example.net", small, sizeof(small)));
	assert_true(sw_registrable_domain("www.ex.net", small, sizeof(small)));
	assert_string_equal(small, "ex.net");
	/* 254 characters without the dot: too long for DNS */
	memset(name, 'a', 250);
	memcpy(name + 250, ".net", 5);
	assert_false(sw_registrable_domain(name, out, sizeof(out)));
	/* 253 is still a name: labels of 63 */
	memset(name, 'a', 253);
	name[63] = name[127] = name[191] = '.';
	memcpy(name + 249, ".net", 5);
	assert_true(sw_registrable_domain(name, out, sizeof(out)));
	assert_int_equal(strlen(out), 57 + 4);
}

/* wire form from a list of labels (a label may hold any byte) */
static size_t wire(unsigned char *buf, const char *const *labels, const size_t *lens, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		buf[o++] = (unsigned char)lens[i];
		memcpy(buf + o, labels[i], lens[i]);
		o += lens[i];
	}
	buf[o++] = 0;
	return o;
}

static void test_name_text_plain(void **state)
{
	unsigned char buf[300];
	char out[1024];
	const char *const l[] = { "Scanner-66", "dyn_x", "Example", "net" };
	const size_t n[] = { 10, 5, 7, 3 };
	size_t len = wire(buf, l, n, 4);
	(void)state;
	assert_true(sw_rdns_name_text(buf, len, out, sizeof(out)));
	assert_string_equal(out, "Scanner-66.dyn_x.Example.net");
}

static void test_name_text_hostile(void **state)
{
	unsigned char buf[300];
	char out[1024];
	(void)state;

	const char *const crlf[] = { "evil\r\nSubject: x\x1b[31m", "example", "net" };
	const size_t crlf_n[] = { 21, 7, 3 };
	size_t len = wire(buf, crlf, crlf_n, 3);
	assert_false(sw_rdns_name_text(buf, len, out, sizeof(out)));
	assert_string_equal(out, "evil\\x0d\\x0aSubject\\x3a\\x20x\\x1b\\x5b31m.example.net");

	/* a dot inside a label must not pass for a boundary */
	const char *const dot[] = { "a.b", "example", "net" };
	const size_t dot_n[] = { 3, 7, 3 };
	len = wire(buf, dot, dot_n, 3);
	assert_false(sw_rdns_name_text(buf, len, out, sizeof(out)));
	assert_string_equal(out, "a\\x2eb.example.net");

	/* NUL, DEL, a backslash and a high byte */
	const char *const odd[] = { "a\0b", "c\x7f", "d\\", "\xff" };
	const size_t odd_n[] = { 3, 2, 2, 1 };
	len = wire(buf, odd, odd_n, 4);
	assert_false(sw_rdns_name_text(buf, len, out, sizeof(out)));
	assert_string_equal(out, "a\\x00b.c\\x7f.d\\x5c.\\xff");
	for (const char *p = out; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
}

static void test_name_text_bounds(void **state)
{
	unsigned char buf[300];
	char out[1024];
	char tiny[6];
	(void)state;

	/* the root is no host name */
	buf[0] = 0;
	assert_false(sw_rdns_name_text(buf, 1, out, sizeof(out)));
	assert_string_equal(out, "");

	/* a label running past the end, or no terminating root label */
	const unsigned char past[] = { 5, 'a', 'b' };
	assert_false(sw_rdns_name_text(past, sizeof(past), out, sizeof(out)));
	const unsigned char open[] = { 1, 'a', 1, 'b' };
	assert_false(sw_rdns_name_text(open, sizeof(open), out, sizeof(out)));
	/* a compression pointer is not a label */
	const unsigned char ptr[] = { 1, 'a', 0xc0, 12, 0 };
	assert_false(sw_rdns_name_text(ptr, sizeof(ptr), out, sizeof(out)));

	/* output cut short: still terminated, never valid */
	const char *const l[] = { "abcdef", "net" };
	const size_t n[] = { 6, 3 };
	size_t len = wire(buf, l, n, 2);
	assert_false(sw_rdns_name_text(buf, len, tiny, sizeof(tiny)));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);

	/* the worst case: 255 bytes of escaped labels fit in struct sw_rdns */
	struct sw_rdns r;
	size_t o = 0;
	while (o + 64 < 255) {
		buf[o++] = 63;
		memset(buf + o, '\n', 63);
		o += 63;
	}
	buf[o] = (unsigned char)(254 - o - 1);
	memset(buf + o + 1, '\x1b', buf[o]);
	o += 1u + buf[o];
	buf[o++] = 0;
	assert_int_equal(o, 255);
	assert_false(sw_rdns_name_text(buf, o, r.name, sizeof(r.name)));
	assert_int_equal(strlen(r.name), (255 - 5) * 4 + 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_type),
		cmocka_unit_test(test_line_type_long_name),
		cmocka_unit_test(test_line_type_names),
		cmocka_unit_test(test_registrable_domain),
		cmocka_unit_test(test_registrable_domain_bounds),
		cmocka_unit_test(test_name_text_plain),
		cmocka_unit_test(test_name_text_hostile),
		cmocka_unit_test(test_name_text_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
