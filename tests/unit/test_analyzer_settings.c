/*
 * test_analyzer_settings.c - unit tests for analyzer/settings.c: the
 * defaults of the [analyzer] section, the shipped etc/spanwatch.conf
 * giving the same, every key read, and a value out of range or an unknown
 * key refused with its file, line and key.
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
#include <unistd.h>

#include <cmocka.h>

#include "netset.h"
#include "settings.h"

static char tmp_path[64];
static char err[512];

/* text into a fresh temporary file, its name in tmp_path */
static const char *write_text(const char *text)
{
	size_t len = strlen(text);
	int fd;

	snprintf(tmp_path, sizeof tmp_path, "/tmp/sw-aconf-XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return tmp_path;
}

static void drop_tmp(void)
{
	unlink(tmp_path);
}

static void assert_defaults(const struct sw_analyzer_conf *c)
{
	assert_int_equal(c->gap_hours, 24);
	assert_int_equal(c->prefix4, 24);
	assert_int_equal(c->prefix6, 48);
	assert_true(sw_port_in(&c->innocent_ports, 25));
	assert_true(sw_port_in(&c->innocent_ports, 80));
	assert_true(sw_port_in(&c->innocent_ports, 443));
	assert_false(sw_port_in(&c->innocent_ports, 22));
	assert_false(sw_port_in(&c->innocent_ports, 21));
	assert_string_equal(c->tz, "");
	assert_int_equal(c->year, 0);
	assert_int_equal(c->allow.prefixes.n, 0);
	assert_int_equal(c->allow.nnames, 0);
	assert_true(c->db.busy_timeout_s == 30);
	assert_int_equal(c->db.wal_limit_mib, 64);
}

static void test_defaults(void **state)
{
	static struct sw_analyzer_conf c;

	(void)state;
	sw_analyzer_conf_defaults(&c);
	assert_defaults(&c);
}

/* The example file says what the defaults are: reading it changes nothing. */
static void test_shipped_file(void **state)
{
	static struct sw_analyzer_conf c;
	const char *d = getenv("top_srcdir");
	char path[1024];

	(void)state;
	snprintf(path, sizeof path, "%s/etc/spanwatch.conf", d && *d ? d : ".");
	sw_analyzer_conf_defaults(&c);
	assert_int_equal(sw_analyzer_conf_load(&c, path, err, sizeof err), 0);
	assert_defaults(&c);
}

static void test_every_key(void **state)
{
	static struct sw_analyzer_conf c;

	(void)state;
	sw_analyzer_conf_defaults(&c);
	write_text("[analyzer]\n"
	           "gap_hours = 6\n"
	           "prefix4 = 16\n"
	           "prefix6 = 32\n"
	           "innocent_ports = http, 8080\n"
	           "tz = Europe/Berlin\n"
	           "year = 2025\n"
	           "allow = 192.0.2.0/24, 2001:db8::1, scanner.example.org\n"
	           "[database]\n"
	           "busy_timeout = 2.5\n"
	           "wal_limit_mib = 8\n");
	assert_int_equal(sw_analyzer_conf_load(&c, tmp_path, err, sizeof err), 0);
	drop_tmp();
	assert_int_equal(c.gap_hours, 6);
	assert_int_equal(c.prefix4, 16);
	assert_int_equal(c.prefix6, 32);
	assert_true(sw_port_in(&c.innocent_ports, 80));
	assert_true(sw_port_in(&c.innocent_ports, 8080));
	assert_false(sw_port_in(&c.innocent_ports, 25));
	assert_string_equal(c.tz, "Europe/Berlin");
	assert_int_equal(c.year, 2025);
	assert_int_equal(c.allow.prefixes.n, 2);
	assert_int_equal(c.allow.nnames, 1);
	assert_string_equal(c.allow.names[0], "scanner.example.org");
	assert_true(c.db.busy_timeout_s == 2.5);
	assert_int_equal(c.db.wal_limit_mib, 8);
}

/* Out of range, or not a key of the analyzer: refused, with where. */
static void test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[analyzer]\ngap_hours = 0\n", ":2: [analyzer] gap_hours:" },
		{ "[analyzer]\n\nprefix4 = 33\n", ":3: [analyzer] prefix4:" },
		{ "[analyzer]\nprefix6 = 8\n", ":2: [analyzer] prefix6:" },
		{ "[analyzer]\nyear = 10000\n", ":2: [analyzer] year:" },
		{ "[analyzer]\ngap = 4\n", ":2: [analyzer] gap:" },
		{ "[database]\nbusy_timeout = 4000\n",
		  ":2: [database] busy_timeout: 4000 is out of range [0, 3600]" },
		{ "[database]\nwal_limit_mib = 0\n", ":2: [database] wal_limit_mib:" },
	};
	static struct sw_analyzer_conf c;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sw_analyzer_conf_defaults(&c);
		write_text(cases[i].text);
		err[0] = '\0';
		assert_int_equal(sw_analyzer_conf_load(&c, tmp_path, err, sizeof err), -1);
		drop_tmp();
		if (strncmp(err, tmp_path, strlen(tmp_path)) != 0 || !strstr(err, cases[i].want))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shipped_file),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
