/*
 * test_rdap_bootstrap.c - unit tests for reporter/rdap_bootstrap.c: the
 * IANA files shipped in data/rdap/ (which server for an address, a domain,
 * an AS number), longest matches on files of our own, and files that are
 * wrong in every way we could think of (each refused with one line naming
 * the file and the fault). Nothing here goes near a network.
 *
 * The data is found under $top_srcdir (set by `make check`), else under
 * the SRCDIR the test was compiled with, else the current directory.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"
#include "rdap_bootstrap.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *top(void)
{
	const char *t = getenv("top_srcdir");
	return t && *t ? t : SRCDIR;
}

static struct sw_rdap_bootstrap *load_dir(const char *rel)
{
	char dir[4096], err[512];

	snprintf(dir, sizeof(dir), "%s/%s", top(), rel);
	struct sw_rdap_bootstrap *b = sw_rdap_bootstrap_load(dir, err, sizeof(err));
	if (b == NULL)
		fail_msg("%s: %s", dir, err);
	return b;
}

static unsigned ip_bases(const struct sw_rdap_bootstrap *b, const char *ip,
			 const char *bases[SW_RDAP_BASES_MAX])
{
	struct sw_addr a;
	assert_true(sw_addr_parse(ip, &a));
	return sw_rdap_bootstrap_ip(b, &a, bases);
}

/* ---- the shipped files ------------------------------------------------------ */

static void test_shipped(void **state)
{
	(void)state;
	struct sw_rdap_bootstrap *b = load_dir("data/rdap");
	const char *bases[SW_RDAP_BASES_MAX];

	assert_int_equal(ip_bases(b, "41.0.0.1", bases), 2);
	assert_string_equal(bases[0], "https://rdap.afrinic.net/rdap/");
	assert_string_equal(bases[1], "http://rdap.afrinic.net/rdap/");
	assert_int_equal(ip_bases(b, "2001:4860::", bases), 2);
	assert_string_equal(bases[0], "https://rdap.arin.net/registry/");
	assert_int_equal(ip_bases(b, "193.0.6.139", bases), 1);
	assert_string_equal(bases[0], "https://rdap.db.ripe.net/");
	assert_int_equal(ip_bases(b, "1.1.1.1", bases), 1);
	assert_string_equal(bases[0], "https://rdap.apnic.net/");
	assert_int_equal(ip_bases(b, "177.0.0.1", bases), 1);
	assert_string_equal(bases[0], "https://rdap.lacnic.net/rdap/");
	/* an IPv4-mapped address is its IPv4 address */
	assert_int_equal(ip_bases(b, "::ffff:41.0.0.1", bases), 2);
	assert_string_equal(bases[0], "https://rdap.afrinic.net/rdap/");
	/* special-use space is nobody's in IANA's files, but for one: the
	 * documentation prefix lies in APNIC's 2001:c00::/23, so refusing
	 * special-use addresses is the caller's job (rdap_bootstrap.h) */
	assert_int_equal(ip_bases(b, "10.1.2.3", bases), 0);
	assert_int_equal(ip_bases(b, "127.0.0.1", bases), 0);
	assert_int_equal(ip_bases(b, "::1", bases), 0);
	assert_int_equal(ip_bases(b, "2001:db8::1", bases), 1);
	assert_string_equal(bases[0], "https://rdap.apnic.net/");

	assert_int_equal(sw_rdap_bootstrap_domain(b, "example.com", bases), 1);
	assert_string_equal(bases[0], "https://rdap.verisign.com/com/v1/");
	assert_int_equal(sw_rdap_bootstrap_domain(b, "WWW.Example.COM.", bases), 1);
	assert_string_equal(bases[0], "https://rdap.verisign.com/com/v1/");
	assert_int_equal(sw_rdap_bootstrap_domain(b, "example.co.uk", bases), 1);
	assert_string_equal(bases[0], "https://rdap.nominet.uk/uk/");
	assert_int_equal(sw_rdap_bootstrap_domain(b, "home.moscow", bases), 1);
	assert_string_equal(bases[0], "https://rdap.flexireg.net/");
	assert_int_equal(sw_rdap_bootstrap_domain(b, "com", bases), 1);
	assert_int_equal(sw_rdap_bootstrap_domain(b, "example.invalid", bases), 0);
	assert_int_equal(sw_rdap_bootstrap_domain(b, "", bases), 0);
	assert_int_equal(sw_rdap_bootstrap_domain(b, ".", bases), 0);
	assert_int_equal(sw_rdap_bootstrap_domain(b, "exa mple.com", bases), 0);
	assert_int_equal(sw_rdap_bootstrap_domain(b, "a..com", bases), 0);
	assert_int_equal(sw_rdap_bootstrap_domain(b, NULL, bases), 0);

	assert_int_equal(sw_rdap_bootstrap_asn(b, 3333, bases), 1);
	assert_string_equal(bases[0], "https://rdap.db.ripe.net/");
	assert_int_equal(sw_rdap_bootstrap_asn(b, 36864, bases), 2);
	assert_string_equal(bases[0], "https://rdap.afrinic.net/rdap/");
	assert_int_equal(sw_rdap_bootstrap_asn(b, 0, bases), 0);
	assert_int_equal(sw_rdap_bootstrap_asn(b, 4294967295u, bases), 0);

	assert_string_equal(sw_rdap_bootstrap_published(b, "ipv4"), "2019-06-07T19:00:02Z");
	assert_string_equal(sw_rdap_bootstrap_published(b, "ipv6"), "2024-11-01T22:00:01Z");
	assert_string_equal(sw_rdap_bootstrap_published(b, "dns"), "2025-06-27T17:00:02Z");
	assert_string_equal(sw_rdap_bootstrap_published(b, "asn"), "2025-01-17T20:00:02Z");
	assert_string_equal(sw_rdap_bootstrap_published(b, "nope"), "");
	sw_rdap_bootstrap_free(b);

	/* the copy next to the RDAP fixtures is the same IANA registry */
	b = load_dir("tests/data/rdap/bootstrap");
	assert_int_equal(ip_bases(b, "41.0.0.1", bases), 2);
	sw_rdap_bootstrap_free(b);

	/* nothing loaded, nothing found */
	assert_int_equal(sw_rdap_bootstrap_ip(NULL, NULL, bases), 0);
	assert_int_equal(sw_rdap_bootstrap_asn(NULL, 1, bases), 0);
	assert_string_equal(sw_rdap_bootstrap_published(NULL, "ipv4"), "");
	sw_rdap_bootstrap_free(NULL);
}

/* ---- files of our own ---------------------------------------------------- */

struct tmpdir {
	char path[64];
};

static void tmp_make(struct tmpdir *t)
{
	snprintf(t->path, sizeof(t->path), "/tmp/test_rdap_bootstrap.XXXXXX");
	assert_non_null(mkdtemp(t->path));
}

static void tmp_write(const struct tmpdir *t, const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", t->path, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void tmp_remove(const struct tmpdir *t)
{
	static const char *const names[] = { "ipv4.json", "ipv6.json", "dns.json", "asn.json" };
	char path[128];
	for (size_t i = 0; i < N_ELEM(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", t->path, names[i]);
		unlink(path);
	}
	rmdir(t->path);
}

static const char v4_private[] =
	"{\"publication\":\"2026-01-01T00:00:00Z\",\"services\":["
	"[[\"10.0.0.0/8\"],[\"http://rdap.lab.example/\",\"https://rdap.lab.example/\"]],"
	"[[\"10.1.0.0/16\",\"192.0.2.0/24\"],[\"http://127.0.0.1:8443/rdap\"]]]}";
static const char v6_private[] =
	"{\"services\":[[[\"2001:db8::/32\"],[\"https://rdap6.lab.example/\"]],"
	"[[\"2001:db8:1::/48\"],[\"https://[::1]:8443/\"]]]}";

/* An operator's registry for lab space: longest prefix, https first, a
 * '/' added where the file left it out; dns.json and asn.json may be
 * absent. */
static void test_private_registry(void **state)
{
	(void)state;
	struct tmpdir t;
	char err[256];
	const char *bases[SW_RDAP_BASES_MAX];

	tmp_make(&t);
	tmp_write(&t, "ipv4.json", v4_private);
	tmp_write(&t, "ipv6.json", v6_private);
	struct sw_rdap_bootstrap *b = sw_rdap_bootstrap_load(t.path, err, sizeof(err));
	if (b == NULL)
		fail_msg("%s", err);
	assert_string_equal(err, "");
	assert_int_equal(ip_bases(b, "10.2.3.4", bases), 2);
	assert_string_equal(bases[0], "https://rdap.lab.example/");
	assert_string_equal(bases[1], "http://rdap.lab.example/");
	assert_int_equal(ip_bases(b, "10.1.3.4", bases), 1);
	assert_string_equal(bases[0], "http://127.0.0.1:8443/rdap/");
	assert_int_equal(ip_bases(b, "192.0.2.9", bases), 1);
	assert_int_equal(ip_bases(b, "2001:db8:1::5", bases), 1);
	assert_string_equal(bases[0], "https://[::1]:8443/");
	assert_int_equal(ip_bases(b, "2001:db8:2::5", bases), 1);
	assert_string_equal(bases[0], "https://rdap6.lab.example/");
	assert_int_equal(ip_bases(b, "198.51.100.1", bases), 0);
	assert_int_equal(sw_rdap_bootstrap_domain(b, "example.com", bases), 0);
	assert_int_equal(sw_rdap_bootstrap_asn(b, 3333, bases), 0);
	assert_string_equal(sw_rdap_bootstrap_published(b, "ipv4"), "2026-01-01T00:00:00Z");
	assert_string_equal(sw_rdap_bootstrap_published(b, "ipv6"), "");
	assert_string_equal(sw_rdap_bootstrap_published(b, "dns"), "");
	sw_rdap_bootstrap_free(b);

	/* a label suffix longer than the TLD wins; the narrower AS range too */
	tmp_write(&t, "dns.json", "{\"services\":[[[\"uk\"],[\"https://uk.example/\"]],"
				  "[[\"co.uk\",\"lab.\"],[\"https://co-uk.example/\"]]]}");
	tmp_write(&t, "asn.json", "{\"services\":[[[\"1-100000\"],[\"https://wide.example/\"]],"
				  "[[\"3333\",\"64496-64511\"],[\"https://narrow.example/\"]]]}");
	b = sw_rdap_bootstrap_load(t.path, err, sizeof(err));
	if (b == NULL)
		fail_msg("%s", err);
	assert_int_equal(sw_rdap_bootstrap_domain(b, "example.co.uk", bases), 1);
	assert_string_equal(bases[0], "https://co-uk.example/");
	assert_int_equal(sw_rdap_bootstrap_domain(b, "example.org.uk", bases), 1);
	assert_string_equal(bases[0], "https://uk.example/");
	assert_int_equal(sw_rdap_bootstrap_domain(b, "host.lab", bases), 1);
	assert_string_equal(bases[0], "https://co-uk.example/");
	assert_int_equal(sw_rdap_bootstrap_asn(b, 3333, bases), 1);
	assert_string_equal(bases[0], "https://narrow.example/");
	assert_int_equal(sw_rdap_bootstrap_asn(b, 3334, bases), 1);
	assert_string_equal(bases[0], "https://wide.example/");
	assert_int_equal(sw_rdap_bootstrap_asn(b, 64500, bases), 1);
	assert_string_equal(bases[0], "https://narrow.example/");
	sw_rdap_bootstrap_free(b);
	tmp_remove(&t);
}

/* ---- files that are wrong --------------------------------------------------- */

static void test_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *file, *text, *error; /* file NULL: ipv4.json left out */
	} cases[] = {
		{ NULL, NULL, "ipv4.json: cannot open: No such file or directory" },
		{ "ipv4.json", "", "ipv4.json: not JSON" },
		{ "ipv4.json", "{\"services\":[", "ipv4.json: not JSON" },
		{ "ipv4.json", "<html>", "ipv4.json: not JSON" },
		{ "ipv4.json", "[]", "ipv4.json: not a JSON object" },
		{ "ipv4.json", "{} {}", "ipv4.json: text after the JSON object" },
		{ "ipv4.json", "{}", "ipv4.json: no \"services\"" },
		{ "ipv4.json", "{\"services\":{}}", "ipv4.json: \"services\" is not an array" },
		{ "ipv4.json", "{\"publication\":1,\"services\":[]}", "ipv4.json: \"publication\" is not a string" },
		{ "ipv4.json", "{\"services\":[[\"10.0.0.0/8\"]]}", "ipv4.json: services[0] is not [[entries], [URLs]]" },
		{ "ipv4.json", "{\"services\":[3]}", "ipv4.json: services[0] is not [[entries], [URLs]]" },
		{ "ipv4.json", "{\"services\":[[[\"10.0.0.0/8\"],[]]]}", "ipv4.json: services[0] has no URL" },
		{ "ipv4.json", "{\"services\":[[[\"10.0.0.1/8\"],[\"https://a.example/\"]]]}",
		  "ipv4.json: services[0][0][0]: 10.0.0.1/8 is not an IPv4 prefix" },
		{ "ipv4.json", "{\"services\":[[[\"2001:db8::/32\"],[\"https://a.example/\"]]]}",
		  "ipv4.json: services[0][0][0]: 2001:db8::/32 is not an IPv4 prefix" },
		{ "ipv4.json", "{\"services\":[[[7],[\"https://a.example/\"]]]}",
		  "ipv4.json: services[0][0][0]: (not a string) is not an IPv4 prefix" },
		{ "ipv4.json", "{\"services\":[[[\"10.0.0.0/8\"],[\"ftp://a.example/\"]]]}",
		  "ipv4.json: services[0][1][0]: ftp://a.example/ is not an http(s) URL" },
		{ "ipv4.json", "{\"services\":[[[\"10.0.0.0/8\"],[\"https://a.example/\\r\\nX\"]]]}",
		  "ipv4.json: services[0][1][0]: https://a.example/\\x0d\\x0aX is not an http(s) URL" },
		{ "ipv4.json", "{\"services\":[[[\"10.0.0.0/8\"],[\"https://user@a.example/\"]]]}",
		  "is not an http(s) URL" },
		{ "ipv4.json", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		  "ipv4.json: not JSON (nesting too deep" },
		{ "ipv6.json", "{\"services\":[[[\"10.0.0.0/8\"],[\"https://a.example/\"]]]}",
		  "ipv6.json: services[0][0][0]: 10.0.0.0/8 is not an IPv6 prefix" },
		{ "dns.json", "{\"services\":[[[\"-bad-\"],[\"https://a.example/\"]]]}",
		  "dns.json: services[0][0][0]: -bad- is not a domain name" },
		{ "asn.json", "{\"services\":[[[\"10-1\"],[\"https://a.example/\"]]]}",
		  "asn.json: services[0][0][0]: 10-1 is not an AS number range" },
		{ "asn.json", "{\"services\":[[[\"1-4294967296\"],[\"https://a.example/\"]]]}",
		  "asn.json: services[0][0][0]: 1-4294967296 is not an AS number range" },
		{ "asn.json", "{\"services\":[[[\"-5\"],[\"https://a.example/\"]]]}",
		  "is not an AS number range" },
	};

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct tmpdir t;
		char err[256];
		tmp_make(&t);
		tmp_write(&t, "ipv6.json", v6_private);
		if (cases[i].file == NULL || strcmp(cases[i].file, "ipv4.json") != 0)
			if (cases[i].file != NULL)
				tmp_write(&t, "ipv4.json", v4_private);
		if (cases[i].file)
			tmp_write(&t, cases[i].file, cases[i].text);
		memset(err, 'x', sizeof(err));
		struct sw_rdap_bootstrap *b = sw_rdap_bootstrap_load(t.path, err, sizeof(err));
		if (b != NULL)
			fail_msg("case %zu (%s) loaded", i, cases[i].error);
		/* one line, naming the file in its directory */
		assert_null(strchr(err, '\n'));
		assert_int_equal(strncmp(err, t.path, strlen(t.path)), 0);
		if (strstr(err, cases[i].error) == NULL)
			fail_msg("case %zu: expected \"%s\" in \"%s\"", i, cases[i].error, err);
		tmp_remove(&t);
	}

	/* a directory that is not there; a file that is a directory */
	char err[256];
	assert_null(sw_rdap_bootstrap_load("/nonexistent/rdap", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/rdap/ipv4.json: cannot open: No such file or directory");
	struct tmpdir t;
	char sub[128];
	tmp_make(&t);
	snprintf(sub, sizeof(sub), "%s/ipv4.json", t.path);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_null(sw_rdap_bootstrap_load(t.path, err, sizeof(err)));
	assert_non_null(strstr(err, "ipv4.json: not a regular file"));
	rmdir(sub);
	/* no room for the reason: still refused, nothing written past it */
	assert_null(sw_rdap_bootstrap_load("/nonexistent/rdap", NULL, 0));
	char tiny[8] = "zzzzzzz";
	assert_null(sw_rdap_bootstrap_load("/nonexistent/rdap", tiny, 4));
	assert_string_equal(tiny, "/no");
	tmp_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_private_registry),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
