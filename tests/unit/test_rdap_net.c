/*
 * test_rdap_net.c - unit tests for reporter/rdap_net.c: which URLs the RDAP
 * client may ask (https anywhere, http to loopback only, nothing else;
 * no spaces, control bytes or overlong URLs) and the origin that keys
 * the pacing, and a request that is refused before any socket is made.
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

#include "rdap_net.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *url;
	const char *origin; /* NULL: refused */
} cases[] = {
	{ "https://rdap.apnic.net/ip/1.1.1.1", "https://rdap.apnic.net:443" },
	{ "https://rdap.arin.net/registry/", "https://rdap.arin.net:443" },
	{ "https://127.0.0.1:8443/lacnic/ip/200.57.141.161", "https://127.0.0.1:8443" },
	{ "https://[2001:db8::1]/ip/x", "https://[2001:db8::1]:443" },
	{ "http://127.0.0.1:8080/ip/1.2.3.4", "http://127.0.0.1:8080" },
	{ "http://[::1]:8080/", "http://[::1]:8080" },
	{ "http://localhost/", "http://localhost:80" },
	/* http to anything but loopback, other schemes, no scheme */
	{ "http://rdap.apnic.net/ip/1.1.1.1", NULL },
	{ "http://127.0.0.2/", NULL },
	{ "http://192.0.2.1/", NULL },
	{ "ftp://rdap.apnic.net/", NULL },
	{ "file:///etc/passwd", NULL },
	{ "gopher://127.0.0.1/", NULL },
	{ "rdap.apnic.net/ip/1.1.1.1", NULL },
	/* no authority, user information, a host that is no host name */
	{ "https:///ip/1.1.1.1", NULL },
	{ "https://user@rdap.apnic.net/ip/1.1.1.1", NULL },
	{ "https://-bad-.example/ip/1.1.1.1", NULL },
	{ "", NULL },
	/* hostile bytes */
	{ "https://rdap.apnic.net/ip/1.1.1.1 HTTP/1.1", NULL },
	{ "https://rdap.apnic.net/ip/\r\nHost: evil", NULL },
	{ "https://rdap.apnic.net/\x1b[2J", NULL },
	{ "https://rdap.apnic.net/\xc3\xa9", NULL },
};

static void test_urls(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		char origin[SW_RDAP_URLLEN] = "unset";
		bool ok = sw_rdap_url_ok(cases[i].url, origin, sizeof(origin));

		if (!cases[i].origin) {
			if (ok)
				fail_msg("accepted: %s", cases[i].url);
			continue;
		}
		if (!ok)
			fail_msg("refused: %s", cases[i].url);
		assert_string_equal(origin, cases[i].origin);
	}
}

static void test_lengths(void **state)
{
	char url[SW_RDAP_URLLEN + 8];
	size_t head = strlen("https://rdap.example/");

	(void)state;
	memcpy(url, "https://rdap.example/", head);
	/* the longest URL that fits, and one byte more */
	memset(url + head, 'a', SW_RDAP_URLLEN - 1 - head);
	url[SW_RDAP_URLLEN - 1] = '\0';
	assert_true(sw_rdap_url_ok(url, NULL, 0));
	url[SW_RDAP_URLLEN - 1] = 'a';
	url[SW_RDAP_URLLEN] = '\0';
	assert_false(sw_rdap_url_ok(url, NULL, 0));
}

/* A refused URL never reaches libcurl: no request, a reason. */
static void test_refused_get(void **state)
{
	struct sw_rdap_net n = { .timeout_ms = 100, .max_response = 1024 };
	struct sw_rdap_reply rep = { 0, SW_BUF_INIT, "", 0 };
	char err[128] = "";

	(void)state;
	assert_int_equal(sw_rdap_net_get(&n, "http://192.0.2.1/ip/192.0.2.1", &rep, err,
					 sizeof(err)), -1);
	assert_int_equal(rep.attempts, 0);
	assert_string_equal(err, "not an https:// URL");
	sw_buf_free(&rep.body);
	sw_rdap_net_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_refused_get),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
