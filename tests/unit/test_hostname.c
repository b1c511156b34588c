/*
 * test_hostname.c - unit tests for reporter/hostname.c: which text is a host
 * name (label rules, lengths, the '_' and domain flags, hostile bytes) and
 * its normal form (lower case, trailing dot, the output bound).
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

#include "hostname.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *in;
	unsigned flags;
	const char *out; /* NULL: not a host name */
} cases[] = {
	{ "whois.ripe.net", 0, "whois.ripe.net" },
	{ "WHOIS.RIPE.NET", 0, "whois.ripe.net" },
	{ "whois.ripe.net.", 0, "whois.ripe.net" },   /* one trailing dot dropped */
	{ "localhost", 0, "localhost" },
	{ "a", 0, "a" },
	{ "7dyn94.ztm.casema.net", 0, "7dyn94.ztm.casema.net" },
	{ "xn--bcher-kva.example", 0, "xn--bcher-kva.example" },
	{ "ip-198-51-100-7.example.net", 0, "ip-198-51-100-7.example.net" },
	/* empty names and labels */
	{ "", 0, NULL },
	{ ".", 0, NULL },
	{ "..", 0, NULL },
	{ "whois.ripe.net..", 0, NULL },
	{ ".whois.ripe.net", 0, NULL },
	{ "whois..ripe.net", 0, NULL },
	/* hyphens at either end of a label */
	{ "-whois.ripe.net", 0, NULL },
	{ "whois-.ripe.net", 0, NULL },
	{ "whois.-ripe.net", 0, NULL },
	{ "whois.ripe.net-", 0, NULL },
	/* '_' only when asked for */
	{ "_dmarc.example.com", 0, NULL },
	{ "_dmarc.example.com", SW_HOST_UNDERSCORE, "_dmarc.example.com" },
	{ "host_7.Example.COM", SW_HOST_UNDERSCORE, "host_7.example.com" },
	/* a registrable domain has two labels at least */
	{ "example.com", SW_HOST_DOMAIN, "example.com" },
	{ "com", SW_HOST_DOMAIN, NULL },
	{ "com.", SW_HOST_DOMAIN, NULL },
	{ "ex_ample.com", SW_HOST_DOMAIN, NULL },
	/* anything else is not a host name, whatever it tries to be */
	{ "whois.ripe.net:43", 0, NULL },
	{ "whois.ripe.net/", 0, NULL },
	{ "whois ripe net", 0, NULL },
	{ "evil.example\r\nBcc: x@example.net", 0, NULL },
	{ "evil\x1b[31m.example", 0, NULL },
	{ "caf\xc3\xa9.example", 0, NULL },
	{ "2001:db8::1", 0, NULL },
	{ "[2001:db8::1]", 0, NULL },
	{ "a@b.example", 0, NULL },
	{ "*.example.com", 0, NULL },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		char out[256];
		bool ok = sw_host_normal(cases[i].in, strlen(cases[i].in), cases[i].flags, out,
		                         sizeof out);

		if (ok != (cases[i].out != NULL) || (ok && strcmp(out, cases[i].out) != 0))
			fail_msg("'%s' (flags %u): got %s '%s', want %s", cases[i].in,
			         cases[i].flags, ok ? "yes" : "no", out,
			         cases[i].out ? cases[i].out : "no");
		if (!ok)
			assert_string_equal(out, "");
		assert_int_equal(sw_host_ok(cases[i].in, strlen(cases[i].in), cases[i].flags), ok);
	}
}

/* n bytes of labels of at most label bytes each, dot separated */
static void make_name(char *buf, size_t n, size_t label)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		if (run == label && i + 1 < n) {
			buf[i] = '.';
			run = 0;
		} else {
			buf[i] = 'a';
			run++;
		}
	}
	buf[n] = '\0';
}

static void test_lengths(void **state)
{
	char name[300], out[300];

	(void)state;
	make_name(name, 63, 63);
	assert_true(sw_host_ok(name, 63, 0));
	make_name(name, 64, 64);
	assert_false(sw_host_ok(name, 64, 0));          /* a 64-byte label */
	make_name(name, SW_HOST_MAX, 63);
	assert_true(sw_host_normal(name, SW_HOST_MAX, 0, out, sizeof out));
	assert_int_equal(strlen(out), SW_HOST_MAX);
	name[SW_HOST_MAX] = '.';                        /* the trailing dot is free */
	assert_true(sw_host_ok(name, SW_HOST_MAX + 1, 0));
	make_name(name, SW_HOST_MAX + 1, 63);
	assert_false(sw_host_ok(name, SW_HOST_MAX + 1, 0));
}

static void test_bounds(void **state)
{
	char out[8];

	(void)state;
	/* only the n bytes given count: a name inside a longer text */
	assert_true(sw_host_normal("Host.Example:43", 12, 0, out, sizeof out) == false);
	assert_true(sw_host_normal("ab.CD:43", 5, 0, out, sizeof out));
	assert_string_equal(out, "ab.cd");
	/* the output must hold the name and its NUL */
	assert_true(sw_host_normal("abcdefg", 7, 0, out, sizeof out));
	assert_false(sw_host_normal("abcdefgh", 8, 0, out, sizeof out));
	assert_string_equal(out, "");
	assert_false(sw_host_ok(NULL, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
