/*
 * test_sensor_settings.c - unit tests for the sensor's settings
 * (sensor/settings.c): its key table and defaults, the shipped
 * etc/spanwatch.conf, a write/read round trip, every kind of error with
 * its file, line and key, and garbage files that must fail cleanly. The
 * loader underneath (lib/conf.c) and the lists it reads (lib/netset.c)
 * are tested here too, through the sensor's table and on a small table of
 * their own (test_generic_types, test_host_lists, test_netset_text).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "netset.h"
#include "settings.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers -------------------------------------------------------------- */

static char tmp_path[64];
static char err[512];

/* Write len bytes to a fresh temporary file; its name is in tmp_path. */
static const char *write_tmp(const void *data, size_t len)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/sw-conf-XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return tmp_path;
}

static const char *write_text(const char *text)
{
	return write_tmp(text, strlen(text));
}

static void drop_tmp(void)
{
	if (tmp_path[0])
		unlink(tmp_path);
	tmp_path[0] = '\0';
}

/* assert_error(): whichever line, as long as the path comes first */
#define ANY_LINE (-1)

/* err is one printable line starting "PATH:LINE: " ("PATH: " for line 0)
 * and holding each of the needles (NULL-terminated). */
static void assert_error(int line, ...)
{
	char want[128];
	va_list ap;
	const char *needle;

	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: ", tmp_path, line);
	else if (line == 0)
		snprintf(want, sizeof(want), "%s: ", tmp_path);
	else
		snprintf(want, sizeof(want), "%s:", tmp_path);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, want);
	for (const char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fail_msg("error has a control byte: \"%s\"", err);
	va_start(ap, line);
	while ((needle = va_arg(ap, const char *)) != NULL)
		if (!strstr(err, needle))
			fail_msg("error \"%s\" lacks \"%s\"", err, needle);
	va_end(ap);
}

static int load_settings_text(struct sw_settings *s, const char *text)
{
	int rc = sw_settings_load(s, write_text(text), err, sizeof(err));
	return rc;
}

/* Load text into defaults; expect failure at line with the needles; the
 * settings must be left untouched. */
#define EXPECT_FAIL(text, line, ...) do { \
	struct sw_settings *s_ = malloc(sizeof(*s_)), *d_ = malloc(sizeof(*d_)); \
	assert_non_null(s_); assert_non_null(d_); \
	sw_settings_defaults(s_); sw_settings_defaults(d_); \
	assert_int_equal(load_settings_text(s_, text), -1); \
	assert_error(line, __VA_ARGS__, NULL); \
	assert_memory_equal(s_, d_, sizeof(*s_)); \
	drop_tmp(); free(s_); free(d_); \
} while (0)

static struct sw_settings *load_ok(const char *text)
{
	struct sw_settings *s = malloc(sizeof(*s));

	assert_non_null(s);
	sw_settings_defaults(s);
	if (load_settings_text(s, text) != 0)
		fail_msg("unexpected error: %s", err);
	drop_tmp();
	return s;
}

static struct sw_addr A(const char *text)
{
	struct sw_addr a;

	if (!sw_addr_parse(text, &a))
		fail_msg("cannot parse address '%s'", text);
	return a;
}

static unsigned count_ports(const struct sw_port_set *p)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < 65536; i++)
		n += sw_port_in(p, (uint16_t)i);
	return n;
}

static const char *srcdir(void)
{
	const char *d = getenv("top_srcdir");
	return d && *d ? d : ".";
}

/* ---- defaults and the shipped file ---------------------------------------- */

static void test_defaults(void **state)
{
	static const uint16_t login[] = {
		21, 22, 23, 110, 143, 220, 993, 995, 1433, 3306, 3389, 5432, 5900,
	};
	struct sw_settings *s = malloc(sizeof(*s));
	(void)state;

	sw_settings_defaults(s);
	assert_true(s->trw_theta0 == 0.8 && s->trw_theta1 == 0.2);
	assert_true(s->trw_pd == 0.99 && s->trw_pf == 0.01);
	assert_int_equal(s->contact_timeout_ms, 3000);
	assert_int_equal(s->idle_timeout_s, 300);
	assert_int_equal(s->slow_memory_s, 21600);
	assert_int_equal(s->scan_min_failures, 12);
	assert_int_equal(s->block_min_targets, 5);
	assert_int_equal(s->block_min_ports, 5);
	assert_int_equal(s->stealth_min_ports, 4);
	assert_int_equal(s->ack_min_ports, 5);
	assert_int_equal(s->ping_min_targets, 8);
	assert_int_equal(s->udp_min_failures, 6);
	assert_int_equal(s->syn_flood_pps, 1000);
	assert_int_equal(s->udp_flood_pps, 5000);
	assert_int_equal(s->icmp_flood_pps, 1000);
	assert_int_equal(s->flood_prefix4, 24);
	assert_int_equal(s->flood_prefix6, 64);
	assert_int_equal(s->prefix_syn_pps, 20000);
	assert_int_equal(s->prefix_udp_pps, 50000);
	assert_int_equal(s->prefix_icmp_pps, 10000);
	assert_int_equal(s->login_min_sessions, 10);
	assert_int_equal(s->login_window_s, 600);
	assert_true(s->db.busy_timeout_s == 30);
	assert_int_equal(s->db.wal_limit_mib, 64);
	assert_int_equal(count_ports(&s->login_ports), N_ELEM(login));
	for (size_t i = 0; i < N_ELEM(login); i++)
		assert_true(sw_port_in(&s->login_ports, login[i]));
	assert_int_equal(s->sources, 65536);
	assert_int_equal(s->contacts, 131072);
	assert_int_equal(s->details, 2048);
	assert_int_equal(s->targets, 4096);
	assert_int_equal(s->prefixes, 1024);
	assert_int_equal(s->distinct_cap, 1024);
	assert_int_equal(s->evidence_lines, 4);
	assert_int_equal(s->home.n, 0);
	assert_int_equal(s->ignore.n, 0);
	assert_int_equal(count_ports(&s->noise_ports), 0);
	free(s);
}

/* etc/spanwatch.conf names every key, and as shipped loads to the defaults. */
static void test_example_file(void **state)
{
	char path[4096], *text;
	struct sw_settings *s = malloc(sizeof(*s)), *d = malloc(sizeof(*d));
	const struct sw_cfg_key *keys;
	size_t nkeys;
	FILE *f;
	long len;
	(void)state;

	snprintf(path, sizeof(path), "%s/etc/spanwatch.conf", srcdir());
	sw_settings_defaults(d);
	memset(s, 0x5a, sizeof(*s));  /* every byte must come from defaults+file */
	sw_settings_defaults(s);
	if (sw_settings_load(s, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_memory_equal(s, d, sizeof(*s));

	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 2);
	text[0] = '\n';
	assert_int_equal(fread(text + 1, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	keys = sw_settings_keys(&nkeys);
	for (size_t i = 0; i < nkeys; i++) {
		char want[64];
		snprintf(want, sizeof(want), "\n%s =", keys[i].name);
		if (!strstr(text, want))
			fail_msg("etc/spanwatch.conf does not list %s", keys[i].name);
		snprintf(want, sizeof(want), "\n[%s]\n", keys[i].section);
		assert_non_null(strstr(text, want));
	}
	free(text);
	free(s);
	free(d);
}

/* sw_config_write() output loads back to the same values, lists included
 * (long ones wrapped onto indented lines). */
static void test_write_roundtrip(void **state)
{
	struct sw_settings *s = malloc(sizeof(*s)), *back = malloc(sizeof(*back));
	const struct sw_cfg_key *keys;
	char name[64];
	size_t nkeys;
	FILE *f;
	(void)state;

	sw_settings_defaults(s);
	s->trw_theta0 = 0.85;
	s->trw_theta1 = 0.1234567890123;
	s->contacts = 1u << 20;
	for (unsigned i = 0; i < 200; i++) {  /* 200 prefixes: many lines */
		char p[32];
		snprintf(p, sizeof(p), "10.%u.%u.0/24", i / 7, i);
		assert_true(sw_prefix_list_parse(p, &s->home, NULL, 0));
	}
	assert_true(sw_prefix_list_parse("2001:db8::/32 ::1", &s->ignore, NULL, 0));
	for (uint32_t p = 1; p < 65536; p += 2)  /* the worst case for ranges */
		sw_port_add(&s->noise_ports, (uint16_t)p);

	snprintf(name, sizeof(name), "/tmp/sw-conf-rt-XXXXXX");
	{
		int fd = mkstemp(name);
		assert_true(fd >= 0);
		f = fdopen(fd, "w");
	}
	keys = sw_settings_keys(&nkeys);
	assert_int_equal(sw_config_write(f, keys, nkeys, s), 0);
	fclose(f);

	memset(back, 0, sizeof(*back));
	sw_settings_defaults(back);
	if (sw_settings_load(back, name, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	unlink(name);
	assert_memory_equal(back, s, sizeof(*s));
	free(s);
	free(back);
}

/* ---- values --------------------------------------------------------------- */

static void test_values_override(void **state)
{
	struct sw_settings *s = load_ok(
		"# comment\n"
		"; another\n"
		"[TRW]\n"
		"Theta0 = 0.9\n"
		"theta1=0.05   ; inline comment\n"
		"[timeouts]\n"
		"contact_ms: 1500\n"            /* inih takes ':' as well */
		"\n"
		"[tables]\n"
		"sources = 16\n"
		"sources = 1024\n"              /* last wins */
		"contacts = 16777216\n"
		"evidence_lines = 0\n"
		"[trw]\n"                       /* a section may come back */
		"pd = 0.999\n"
		"[database]\n"
		"busy_timeout = 0.5\n"
		"wal_limit_mib = 2\n");
	(void)state;

	assert_true(s->trw_theta0 == 0.9 && s->trw_theta1 == 0.05);
	assert_true(s->trw_pd == 0.999 && s->trw_pf == 0.01);
	assert_int_equal(s->contact_timeout_ms, 1500);
	assert_int_equal(s->sources, 1024);
	assert_int_equal(s->contacts, 1u << 24);
	assert_int_equal(s->evidence_lines, 0);
	assert_int_equal(s->idle_timeout_s, 300);  /* untouched keys keep theirs */
	assert_true(s->db.busy_timeout_s == 0.5);
	assert_int_equal(s->db.wal_limit_mib, 2);
	free(s);
}

/* The carpet-bombing keys: prefix lengths and per-prefix rates. */
static void test_flood_prefix_keys(void **state)
{
	struct sw_settings *s = load_ok(
		"[flood]\n"
		"prefix4 = 22\n"
		"prefix6 = 48\n"
		"prefix_syn_pps = 50000\n"
		"prefix_udp_pps = 1\n"
		"prefix_icmp_pps = 100000000\n"
		"[tables]\n"
		"prefixes = 16\n");
	(void)state;

	assert_int_equal(s->flood_prefix4, 22);
	assert_int_equal(s->flood_prefix6, 48);
	assert_int_equal(s->prefix_syn_pps, 50000);
	assert_int_equal(s->prefix_udp_pps, 1);
	assert_int_equal(s->prefix_icmp_pps, 100000000);
	assert_int_equal(s->prefixes, 16);
	assert_int_equal(s->syn_flood_pps, 1000); /* the single-target ones keep theirs */
	free(s);
	s = load_ok("[flood]\nprefix4 = 32\nprefix6 = 128\n");
	assert_int_equal(s->flood_prefix4, 32);
	assert_int_equal(s->flood_prefix6, 128);
	free(s);

	EXPECT_FAIL("[flood]\nprefix4 = 15\n", 2, "[flood] prefix4:", "out of range 16..32");
	EXPECT_FAIL("[flood]\nprefix4 = 33\n", 2, "[flood] prefix4:", "out of range 16..32");
	EXPECT_FAIL("[flood]\nprefix6 = 31\n", 2, "[flood] prefix6:", "out of range 32..128");
	EXPECT_FAIL("[flood]\nprefix6 = 129\n", 2, "[flood] prefix6:", "out of range 32..128");
	EXPECT_FAIL("[flood]\nprefix4 = /24\n", 2, "[flood] prefix4: not a whole number");
	EXPECT_FAIL("[flood]\nprefix_syn_pps = 0\n", 2, "[flood] prefix_syn_pps:",
		    "out of range 1..100000000");
	EXPECT_FAIL("[flood]\nprefix_udp_pps = 100000001\n", 2, "[flood] prefix_udp_pps:",
		    "out of range 1..100000000");
	EXPECT_FAIL("[flood]\nprefix_icmp_pps = 1k\n", 2,
		    "[flood] prefix_icmp_pps: not a whole number");
	EXPECT_FAIL("[tables]\nprefixes = 15\n", 2, "[tables] prefixes:",
		    "out of range 16..16777216");
}

static void test_port_lists(void **state)
{
	struct sw_settings *s = load_ok(
		"[login]\n"
		"ports = ssh, RDP 8000-8002,ftp  5432\n"
		"[networks]\n"
		"noise_ports = 0-1023, 65535\n");
	(void)state;

	/* a port list replaces the default set */
	assert_int_equal(count_ports(&s->login_ports), 7);
	assert_true(sw_port_in(&s->login_ports, 22));
	assert_true(sw_port_in(&s->login_ports, 3389));
	assert_true(sw_port_in(&s->login_ports, 21));
	assert_true(sw_port_in(&s->login_ports, 5432));
	for (uint16_t p = 8000; p <= 8002; p++)
		assert_true(sw_port_in(&s->login_ports, p));
	assert_false(sw_port_in(&s->login_ports, 23));
	assert_int_equal(count_ports(&s->noise_ports), 1025);
	assert_true(sw_port_in(&s->noise_ports, 0));
	assert_true(sw_port_in(&s->noise_ports, 65535));
	free(s);

	/* an empty list clears the default; a second line replaces the first;
	 * indented lines continue it */
	s = load_ok("[login]\nports =\n");
	assert_int_equal(count_ports(&s->login_ports), 0);
	free(s);
	s = load_ok("[login]\nports = 1-100\nports = telnet\n");
	assert_int_equal(count_ports(&s->login_ports), 1);
	assert_true(sw_port_in(&s->login_ports, 23));
	free(s);
	s = load_ok("[login]\nports = 22,\n   23\n\t25 ,\n");
	assert_int_equal(count_ports(&s->login_ports), 3);
	assert_true(sw_port_in(&s->login_ports, 25));
	free(s);
}

static void test_prefix_lists(void **state)
{
	struct sw_settings *s = load_ok(
		"[networks]\n"
		"home = 192.0.2.0/24, 2001:db8::/32 198.51.100.7\n"
		"ignore = 203.0.113.0/25,\n"
		"         2001:db8:ffff::/48\n");
	struct sw_addr a;
	(void)state;

	assert_int_equal(s->home.n, 3);
	assert_true(sw_prefix_list_contains(&s->home, (a = A("192.0.2.200"), &a)));
	assert_true(sw_prefix_list_contains(&s->home, (a = A("2001:db8:1::5"), &a)));
	assert_true(sw_prefix_list_contains(&s->home, (a = A("198.51.100.7"), &a)));
	assert_false(sw_prefix_list_contains(&s->home, (a = A("198.51.100.8"), &a)));
	assert_false(sw_prefix_list_contains(&s->home, (a = A("2001:db9::1"), &a)));
	/* a v4 prefix never matches a v6 address */
	assert_false(sw_prefix_list_contains(&s->home, (a = A("::ffff:192.0.2.1"), &a)));
	assert_int_equal(s->ignore.n, 2);
	assert_true(sw_prefix_list_contains(&s->ignore, (a = A("203.0.113.127"), &a)));
	assert_false(sw_prefix_list_contains(&s->ignore, (a = A("203.0.113.128"), &a)));
	assert_true(sw_prefix_list_contains(&s->ignore, (a = A("2001:db8:ffff::1"), &a)));
	free(s);
}

static void test_netset_text(void **state)
{
	struct sw_port_set p;
	struct sw_prefix_list l = { 0 };
	char buf[256], why[160];
	(void)state;

	assert_int_equal(sw_port_lookup("SSH"), 22);
	assert_int_equal(sw_port_lookup("ms-sql-s"), 1433);
	assert_int_equal(sw_port_lookup("nope"), -1);
	assert_string_equal(sw_port_name(21), "ftp");
	assert_string_equal(sw_port_name(3389), "ms-wbt-server");
	assert_null(sw_port_name(4));

	memset(&p, 0, sizeof(p));
	assert_true(sw_port_set_parse("25,21-23 110 111 ms-sql-s", &p, why, sizeof(why)));
	assert_true(sw_port_set_format(&p, buf, sizeof(buf)));
	assert_string_equal(buf, "21-23, 25, 110, 111, 1433");
	assert_false(sw_port_set_format(&p, buf, 8));  /* too small, still a string */
	assert_true(strlen(buf) < 8);

	assert_true(sw_prefix_list_parse("10.0.0.0/8,2001:db8::/32", &l, why, sizeof(why)));
	assert_true(sw_prefix_list_format(&l, buf, sizeof(buf)));
	assert_string_equal(buf, "10.0.0.0/8, 2001:db8::/32");

	/* the list is bounded */
	l.n = 0;
	for (unsigned i = 0; i < SW_MAX_PREFIXES; i++)
		assert_true(sw_prefix_list_parse("10.0.0.0/8", &l, why, sizeof(why)));
	assert_false(sw_prefix_list_parse("10.0.0.0/8", &l, why, sizeof(why)));
	assert_non_null(strstr(why, "more than 256"));
	assert_int_equal(l.n, SW_MAX_PREFIXES);
}

/* ---- errors --------------------------------------------------------------- */

static void test_err_missing_file(void **state)
{
	struct sw_settings *s = malloc(sizeof(*s));
	(void)state;

	sw_settings_defaults(s);
	snprintf(tmp_path, sizeof(tmp_path), "/nonexistent/spanwatch.conf");
	assert_int_equal(sw_settings_load(s, tmp_path, err, sizeof(err)), -1);
	assert_error(0, "cannot open", "No such file or directory", NULL);
	/* a directory opens but cannot be read */
	snprintf(tmp_path, sizeof(tmp_path), "/");
	assert_int_equal(sw_settings_load(s, tmp_path, err, sizeof(err)), -1);
	assert_error(0, "cannot", NULL);
	tmp_path[0] = '\0';
	free(s);
}

static void test_err_unknown_names(void **state)
{
	(void)state;
	/* a misspelled section is reported at its header, keys or not */
	EXPECT_FAIL("[trw]\ntheta0 = 0.8\n\n[timeout]\n", 4,
		    "[timeout]: unknown section", "known: trw, timeouts,");
	EXPECT_FAIL("[trw]\ntheta0 = 0.8\nthetta1 = 0.2\n", 3,
		    "[trw] thetta1: unknown key", "theta0, theta1, pd, pf");
	EXPECT_FAIL("contact_ms = 10\n", 1, "contact_ms: key outside any [section]");
	/* keys belong to their section */
	EXPECT_FAIL("[trw]\ncontact_ms = 10\n", 2, "[trw] contact_ms: unknown key");
	/* hostile names come back escaped */
	EXPECT_FAIL("[scan]\nk\x1b[31m = 1\n", 2, "[scan] k\\x1b[31m: unknown key");
}

static void test_err_numbers(void **state)
{
	(void)state;
	EXPECT_FAIL("[tables]\nsources = 15\n", 2,
		    "[tables] sources:", "15 is out of range 16..16777216");
	EXPECT_FAIL("[tables]\nsources = 16777217\n", 2, "out of range 16..16777216");
	EXPECT_FAIL("[tables]\nsources = 99999999999999999999999\n", 2,
		    "[tables] sources: not a whole number");
	EXPECT_FAIL("[tables]\n\n\nsources = 64k\n", 4,
		    "[tables] sources: not a whole number: \"64k\" (want 16..16777216)");
	EXPECT_FAIL("[tables]\nsources = -1\n", 2, "not a whole number");
	EXPECT_FAIL("[tables]\nsources =\n", 2, "not a whole number: \"\"");
	EXPECT_FAIL("[timeouts]\nidle_s = 300 # five minutes\n", 2,
		    "[timeouts] idle_s: not a whole number: \"300 # five minutes\"");
	EXPECT_FAIL("[trw]\ntheta0 = 1\n", 2, "[trw] theta0: 1 is out of range (0, 1)");
	EXPECT_FAIL("[trw]\ntheta1 = 0\n", 2, "[trw] theta1: 0 is out of range (0, 1)");
	EXPECT_FAIL("[trw]\npd = nan\n", 2, "[trw] pd: not a number: \"nan\"");
	EXPECT_FAIL("[trw]\npd = inf\n", 2, "[trw] pd: not a number");
	EXPECT_FAIL("[trw]\npd = 0.5x\n", 2, "[trw] pd: not a number: \"0.5x\" (want (0, 1))");
	EXPECT_FAIL("[trw]\npf = 1e-400\n", 2, "[trw] pf: 1e-400 is out of range (0, 1)");
	/* [database], the section all three programs read */
	EXPECT_FAIL("[database]\nbusy_timeout = -1\n", 2,
		    "[database] busy_timeout: -1 is out of range [0, 3600]");
	EXPECT_FAIL("[database]\nbusy_timeout = 3600.5\n", 2, "out of range [0, 3600]");
	EXPECT_FAIL("[database]\nbusy_timeout = 30s\n", 2,
		    "[database] busy_timeout: not a number: \"30s\"");
	EXPECT_FAIL("[database]\nwal_limit_mib = 0\n", 2,
		    "[database] wal_limit_mib: 0 is out of range 1..4096");
	EXPECT_FAIL("[database]\nwal_limit_mib = 4097\n", 2, "out of range 1..4096");
}

static void test_err_lists(void **state)
{
	(void)state;
	EXPECT_FAIL("[networks]\nhome = 10.0.0.0/8, 192.0.2.0/33\n", 2,
		    "[networks] home: bad prefix \"192.0.2.0/33\"");
	EXPECT_FAIL("[networks]\nignore = 10.1.2.3/8\n", 2, "bad prefix \"10.1.2.3/8\"");
	EXPECT_FAIL("[networks]\nignore = 2001:db8::/129\n", 2, "bad prefix \"2001:db8::/129\"");
	EXPECT_FAIL("[networks]\nhome = 10.0.0.0/8;x\n", 2, "bad prefix \"10.0.0.0/8;x\"");
	EXPECT_FAIL("[login]\nports = 22, 70000\n", 2, "[login] ports: bad port \"70000\"");
	EXPECT_FAIL("[login]\nports = 1024-1\n", 2, "bad port \"1024-1\"");
	EXPECT_FAIL("[login]\nports = 1-\n", 2, "bad port \"1-\"");
	EXPECT_FAIL("[login]\nports = sshh\n", 2, "bad port \"sshh\"");
	EXPECT_FAIL("[networks]\nnoise_ports = -5\n", 2, "[networks] noise_ports: bad port \"-5\"");
	/* a bad item on a continuation line is reported on that line */
	EXPECT_FAIL("[login]\nports = 22,\n  23,\n  nope\n", 4, "[login] ports: bad port \"nope\"");
}

static void test_err_syntax(void **state)
{
	char line[400];
	(void)state;

	EXPECT_FAIL("[trw]\ntheta0 0.8\n", 2, "syntax error");
	EXPECT_FAIL("[trw\ntheta0 = 0.8\n", 1, "syntax error");
	/* a syntax error before a bad value is the one reported */
	EXPECT_FAIL("[trw]\ngarbage\ntheta0 = 7\n", 2, "syntax error");
	/* a scalar continued on an indented line */
	EXPECT_FAIL("[trw]\ntheta0 = 0.8\n  theta1 = 0.2\n", 3,
		    "[trw] theta0: indented line continues this value");
	/* a line longer than inih's buffer is one error, not two lines */
	memset(line, 0, sizeof(line));
	strcpy(line, "[networks]\nhome = ");
	memset(line + strlen(line), 'x', 300);
	strcat(line, "\n");
	EXPECT_FAIL(line, 2, "line longer than");
}

static void test_err_nul(void **state)
{
	static const char text[] = "[trw]\ntheta0 = 0.8\0 junk\n";
	struct sw_settings *s = malloc(sizeof(*s));
	(void)state;

	sw_settings_defaults(s);
	assert_int_equal(sw_settings_load(s, write_tmp(text, sizeof(text) - 1),
					  err, sizeof(err)), -1);
	assert_error(2, "NUL byte", NULL);
	drop_tmp();
	free(s);
}

static void test_err_trw_order(void **state)
{
	struct sw_settings *s;
	(void)state;

	/* names the key the file set last, on its line */
	EXPECT_FAIL("[trw]\ntheta1 = 0.9\n", 2,
		    "[trw] theta1: 0.9 must be below theta0 (0.8)");
	EXPECT_FAIL("[trw]\ntheta0 = 0.1\n", 2,
		    "[trw] theta0: 0.1 must be above theta1 (0.2)");
	EXPECT_FAIL("[trw]\ntheta1 = 0.5\n\ntheta0 = 0.5\n", 4, "[trw] theta0:", "above theta1");
	EXPECT_FAIL("[trw]\npf = 0.99\n", 2, "[trw] pf: 0.99 must be below pd (0.99)");
	/* both moved together is fine */
	s = load_ok("[trw]\ntheta1 = 0.85\ntheta0 = 0.9\n");
	assert_true(s->trw_theta1 == 0.85);
	free(s);
}

/* ---- the generic loader, on a table of its own ----------------------------- */

struct demo {
	bool flag;
	char name[8];
	unsigned count;
	double ratio;
};

static const struct sw_cfg_key demo_keys[] = {
	{ "d", "flag", SW_CFG_BOOL, offsetof(struct demo, flag), 0, 0, 0, 0, "a flag" },
	{ "d", "name", SW_CFG_STRING, offsetof(struct demo, name),
	  sizeof(((struct demo *)0)->name), 0, 0, 0, "a name" },
	{ "d", "count", SW_CFG_UINT, offsetof(struct demo, count), 0, 0, 4294967295.0, 0,
	  "a count" },
	{ "e", "ratio", SW_CFG_DOUBLE, offsetof(struct demo, ratio), 0, -1, 1, 0, "a ratio" },
};

static int demo_load(struct demo *d, const char *text)
{
	return sw_config_load(write_text(text), demo_keys, N_ELEM(demo_keys), d, NULL,
			      err, sizeof(err));
}

static void test_generic_types(void **state)
{
	static const char *const yes[] = { "yes", "True", "ON", "1" };
	static const char *const no[] = { "no", "FALSE", "off", "0" };
	struct demo d = { 0 };
	unsigned lines[N_ELEM(demo_keys)];
	char text[64];
	(void)state;

	for (size_t i = 0; i < N_ELEM(yes); i++) {
		snprintf(text, sizeof(text), "[d]\nflag = %s\n", yes[i]);
		d.flag = false;
		assert_int_equal(demo_load(&d, text), 0);
		assert_true(d.flag);
		drop_tmp();
		snprintf(text, sizeof(text), "[d]\nflag = %s\n", no[i]);
		assert_int_equal(demo_load(&d, text), 0);
		assert_false(d.flag);
		drop_tmp();
	}
	assert_int_equal(demo_load(&d, "[d]\nflag = maybe\n"), -1);
	assert_error(2, "[d] flag: not yes or no: \"maybe\"", NULL);
	drop_tmp();

	assert_int_equal(demo_load(&d, "[d]\nname = abcdefg\ncount = 4294967295\n"
				   "[E]\nratio = -1\n"), 0);
	assert_string_equal(d.name, "abcdefg");
	assert_int_equal(d.count, 4294967295u);
	assert_true(d.ratio == -1.0);
	drop_tmp();
	assert_int_equal(demo_load(&d, "[d]\ncount = 4294967296\n"), -1);
	assert_error(2, "out of range 0..4294967295", NULL);
	drop_tmp();
	assert_int_equal(demo_load(&d, "[e]\nratio = 1.5\n"), -1);
	assert_error(2, "[e] ratio: 1.5 is out of range [-1, 1]", NULL);
	drop_tmp();
	assert_int_equal(demo_load(&d, "[d]\nname = abcdefgh\n"), -1);
	assert_error(2, "[d] name: longer than 7 characters", NULL);
	drop_tmp();
	assert_int_equal(demo_load(&d, "[d]\nname = a\tb\n"), -1);
	assert_error(2, "[d] name: control character \\x09", NULL);
	drop_tmp();

	/* lines: where each key was last set */
	assert_int_equal(sw_config_load(write_text("[d]\nflag=1\n\nflag=0\n[e]\nratio=0\n"),
					demo_keys, N_ELEM(demo_keys), &d, lines,
					err, sizeof(err)), 0);
	assert_int_equal(lines[0], 4);
	assert_int_equal(lines[1], 0);
	assert_int_equal(lines[3], 6);
	drop_tmp();

	/* a UTF-8 byte order mark and CRLF line ends are fine */
	assert_int_equal(demo_load(&d, "\xef\xbb\xbf[d]\r\ncount = 7\r\n"), 0);
	assert_int_equal(d.count, 7);
	drop_tmp();
	/* an empty file is fine, and no error is written */
	err[0] = 'x';
	assert_int_equal(demo_load(&d, ""), 0);
	assert_int_equal(err[0], '\0');
	drop_tmp();
}

/* Host lists: addresses, prefixes and names in one key (an allowlist). */
static const struct sw_cfg_key host_keys[] = {
	{ "h", "allow", SW_CFG_HOSTS, 0, 0, 0, 0, 0, "hosts" },
};

static void test_host_lists(void **state)
{
	struct sw_host_list *l = calloc(1, sizeof(*l));
	char buf[2048], why[256];
	struct sw_addr a;
	FILE *f;
	(void)state;

	assert_non_null(l);
	assert_int_equal(sw_config_load(write_text("[h]\nallow = 192.0.2.7, 198.51.100.0/24,\n"
						   "  2001:db8:5::/48 monitor.example.org\n"),
					host_keys, N_ELEM(host_keys), l, NULL, err, sizeof(err)), 0);
	drop_tmp();
	assert_int_equal(l->prefixes.n, 3);
	assert_int_equal(l->nnames, 1);
	assert_string_equal(l->names[0], "monitor.example.org");
	assert_true(sw_prefix_list_contains(&l->prefixes, (a = A("192.0.2.7"), &a)));
	assert_false(sw_prefix_list_contains(&l->prefixes, (a = A("192.0.2.8"), &a)));
	assert_true(sw_prefix_list_contains(&l->prefixes, (a = A("2001:db8:5:ffff::1"), &a)));
	assert_true(sw_host_list_format(l, buf, sizeof(buf)));
	assert_string_equal(buf, "192.0.2.7/32, 198.51.100.0/24, 2001:db8:5::/48, "
			    "monitor.example.org");
	/* written out, it reads back the same */
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(sw_config_write(f, host_keys, N_ELEM(host_keys), l), 0);
	rewind(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "allow = 192.0.2.7/32, 198.51.100.0/24, 2001:db8:5::/48,"));
	memset(l, 0, sizeof(*l));
	assert_int_equal(sw_config_load(write_text(buf), host_keys, N_ELEM(host_keys), l, NULL,
					err, sizeof(err)), 0);
	drop_tmp();
	assert_int_equal(l->prefixes.n + l->nnames, 4);

	/* what is neither an address, a prefix nor a name fails, quoted */
	static const char *const bad[] = { "192.0.2.300", "192.0.2.1/24", "-a.example",
					   "a..example", "a_b.example", "2001:db8::g",
					   "monitor.example.org/24" };
	for (size_t i = 0; i < N_ELEM(bad); i++) {
		memset(l, 0, sizeof(*l));
		assert_false(sw_host_list_parse(bad[i], l, why, sizeof(why)));
		assert_non_null(strstr(why, "bad host"));
	}
	assert_true(sw_hostname_ok("localhost"));
	assert_true(sw_hostname_ok("3com.example."));
	assert_false(sw_hostname_ok("a-.example"));
	memset(buf, 'a', 70);
	buf[70] = '\0';
	assert_false(sw_hostname_ok(buf)); /* a label is at most 63 */
	/* names are bounded */
	memset(l, 0, sizeof(*l));
	for (unsigned i = 0; i < SW_MAX_HOSTNAMES; i++)
		assert_true(sw_host_list_parse("a.example", l, why, sizeof(why)));
	assert_false(sw_host_list_parse("b.example", l, why, sizeof(why)));
	assert_non_null(strstr(why, "more than 32 host names"));
	free(l);
}

/* ---- garbage -------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Load data; it may pass or fail, but never crash (ASan/UBSan watch), and a
 * failure is one printable line naming the file. */
static void load_garbage(const void *data, size_t len)
{
	struct sw_settings *s = malloc(sizeof(*s));
	int rc;

	sw_settings_defaults(s);
	rc = sw_settings_load(s, write_tmp(data, len), err, sizeof(err));
	if (rc != 0) {
		assert_error(ANY_LINE, NULL);  /* "PATH:", no control bytes */
	} else {
		assert_true(s->trw_theta1 < s->trw_theta0);
		assert_true(s->sources >= 16 && s->sources <= (1u << 24));
	}
	drop_tmp();
	free(s);
}

static void test_garbage(void **state)
{
	static const char *const bits[] = {
		"[trw]\n", "[networks]\n", "[login]\n", "[tables]\n", "[", "]", "=", ":",
		"theta0", "home", "ports", "sources", " = ", "0.5", "1e308", "-", ",",
		"2001:db8::/32", "10.0.0.0/8", "ssh", "1-65535", "\n", "  ", "\t",
		";", "#", "\r", "\xff", "\x1b", "65536", "4294967296", "%s%n",
	};
	char example[4096], buf[4096];
	size_t elen;
	FILE *f;
	(void)state;

	/* pure random bytes, with and without newlines */
	for (int i = 0; i < 300; i++) {
		size_t len = rnd() % sizeof(buf);
		for (size_t j = 0; j < len; j++)
			buf[j] = i & 1 ? (char)rnd() : " \n=[]a0,"[rnd() % 8];
		load_garbage(buf, len);
	}
	/* plausible fragments glued together */
	for (int i = 0; i < 1000; i++) {
		size_t len = 0;
		while (len < sizeof(buf) - 64 && rnd() % 40) {
			const char *b = bits[rnd() % N_ELEM(bits)];
			memcpy(buf + len, b, strlen(b));
			len += strlen(b);
		}
		load_garbage(buf, len);
	}
	/* the shipped file with bytes flipped and cut short */
	snprintf(example, sizeof(example), "%s/etc/spanwatch.conf", srcdir());
	f = fopen(example, "r");
	assert_non_null(f);
	elen = fread(example, 1, sizeof(example), f);
	fclose(f);
	for (int i = 0; i < 1000; i++) {
		size_t len = rnd() % (elen + 1);
		memcpy(buf, example, len);
		for (int j = 0; j < 1 + i % 4 && len; j++)
			buf[rnd() % len] = (char)rnd();
		load_garbage(buf, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_write_roundtrip),
		cmocka_unit_test(test_values_override),
		cmocka_unit_test(test_port_lists),
		cmocka_unit_test(test_prefix_lists),
		cmocka_unit_test(test_netset_text),
		cmocka_unit_test(test_err_missing_file),
		cmocka_unit_test(test_err_unknown_names),
		cmocka_unit_test(test_err_numbers),
		cmocka_unit_test(test_flood_prefix_keys),
		cmocka_unit_test(test_err_lists),
		cmocka_unit_test(test_err_syntax),
		cmocka_unit_test(test_err_nul),
		cmocka_unit_test(test_err_trw_order),
		cmocka_unit_test(test_generic_types),
		cmocka_unit_test(test_host_lists),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
