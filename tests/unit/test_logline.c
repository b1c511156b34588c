/*
 * test_logline.c - unit tests for analyzer/logline.c: every log format of
 * tests/data/syslog/ parsed to exact fields and UTC times (RFC 3164 read
 * in America/New_York, UTC-5 in November, and Asia/Kolkata, UTC+5:30), the
 * RFC 3164 year rule across a year boundary, each reject reason, hostile
 * lines, TZ restored after a call, and the names of results and kinds.
 *
 * Fixtures are read from $top_srcdir/tests/data/syslog (make check sets
 * top_srcdir; run by hand from the source tree it defaults to ".").
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

#include "../../analyzer/logline.h"
#include "timefmt.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))
#define US INT64_C(1000000)
#define NY "America/New_York"
/* fixture files' mtime: 2026-11-27T23:00:00Z */
#define MTIME (INT64_C(1795820400) * US)

/* ---- fixture files ----------------------------------------------------- */

static char filebuf[65536];
static const char *lines[64];
static size_t lens[64];
static size_t nlines;

/* Load a fixture and split it on '\n' (lines keep any CR or NUL). */
static void load(const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[1024];

	snprintf(path, sizeof(path), "%s/tests/data/syslog/%s",
		 top ? top : ".", name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	size_t n = fread(filebuf, 1, sizeof(filebuf), f);
	fclose(f);
	assert_true(n < sizeof(filebuf));
	nlines = 0;
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (filebuf[i] != '\n')
			continue;
		assert_true(nlines < N_ELEM(lines));
		lines[nlines] = filebuf + start;
		lens[nlines] = i - start;
		nlines++;
		start = i + 1;
	}
}

static struct sw_logctx ctx_of(const char *tz, int64_t mtime, int year)
{
	struct sw_logctx c;

	memset(&c, 0, sizeof(c));
	snprintf(c.tz, sizeof(c.tz), "%s", tz);
	c.file_mtime_us = mtime;
	c.year_hint = year;
	return c;
}

/* ---- expectations ------------------------------------------------------ */

struct expect {
	int line; /* 1-based */
	enum sw_logres res;
	int kind;
	int64_t ts; /* UTC microseconds; checked when res is OK */
	const char *host, *program, *src_name;
	const char *src;   /* formatted address, NULL: not numeric */
	const char *dst;   /* NULL: no destination */
	uint8_t proto;
	uint16_t dport, sport;
	const char *user;
};

static void check(const char *file, struct sw_logctx *ctx,
		  const struct expect *e, size_t n, size_t total)
{
	char buf[SW_ADDR_STRLEN];

	load(file);
	if (nlines != total)
		fail_msg("%s: %zu lines, expected %zu", file, nlines, total);
	for (size_t i = 0; i < n; i++) {
		struct sw_logev ev;
		size_t k = (size_t)e[i].line - 1;
		assert_true(k < nlines);
		memset(&ev, 0x5a, sizeof(ev));
		enum sw_logres r = sw_log_parse(lines[k], lens[k], ctx, &ev);
		if (r != e[i].res)
			fail_msg("%s:%d: %s, expected %s", file, e[i].line,
				 sw_log_res_name(r), sw_log_res_name(e[i].res));
		if (r != SW_LOG_OK) {
			assert_int_equal(ev.kind, SW_LOGEV_NONE);
			assert_string_equal(ev.user, "");
			continue;
		}
		if (ev.ts_us != e[i].ts) {
			char a[SW_ISO_LEN], b[SW_ISO_LEN];
			fail_msg("%s:%d: time %s, expected %s", file, e[i].line,
				 sw_iso_utc(ev.ts_us, a, sizeof(a)),
				 sw_iso_utc(e[i].ts, b, sizeof(b)));
		}
		if (ev.kind != e[i].kind)
			fail_msg("%s:%d: kind %s, expected %s", file, e[i].line,
				 sw_logev_kind_name(ev.kind),
				 sw_logev_kind_name(e[i].kind));
		assert_string_equal(ev.host, e[i].host);
		assert_string_equal(ev.program, e[i].program);
		assert_string_equal(ev.src_name, e[i].src_name);
		if (e[i].src != NULL) {
			assert_true(ev.src_numeric);
			assert_string_equal(sw_addr_format(&ev.src, buf, sizeof(buf)),
					    e[i].src);
		} else {
			assert_false(ev.src_numeric);
			assert_int_equal(ev.src.family, SW_AF_NONE);
		}
		if (e[i].dst != NULL) {
			assert_true(ev.has_dst);
			assert_string_equal(sw_addr_format(&ev.dst, buf, sizeof(buf)),
					    e[i].dst);
		} else {
			assert_false(ev.has_dst);
		}
		assert_int_equal(ev.proto, e[i].proto);
		if (ev.dport != e[i].dport)
			fail_msg("%s:%d: dport %u, expected %u", file,
				 e[i].line, ev.dport, e[i].dport);
		assert_int_equal(ev.sport, e[i].sport);
		assert_string_equal(ev.user, e[i].user);
	}
}

#define S(sec) ((int64_t)(sec) * US)
#define OK SW_LOG_OK
#define NOT SW_LOG_NOT_EVENT
#define BADA SW_LOG_BAD_ADDR
#define BADT SW_LOG_BAD_TIME

/* ---- formats ----------------------------------------------------------- */

static void test_tcpd(void **state)
{
	/* Nov 8 15:26:31 EST (UTC-5) = 20:26:31Z */
	static const struct expect e[] = {
		{ 1, OK, SW_LOGEV_TCPD_REFUSED, S(1794169591), "linux", "ftpd",
		  "7dyn94.ztm.casema.net", NULL, NULL, 6, 21, 0, "" },
		{ 2, OK, SW_LOGEV_TCPD_REFUSED, S(1794169622), "linux",
		  "in.telnetd", "212.64.110.94", "212.64.110.94", NULL, 6, 23, 0, "" },
		{ 3, OK, SW_LOGEV_TCPD_REFUSED, S(1794169690), "linux", "sshd",
		  "212.64.110.95", "212.64.110.95", NULL, 6, 22, 0, "" },
		{ 4, OK, SW_LOGEV_TCPD_REFUSED, S(1794169740), "linux", "in.ftpd",
		  "bad.example.net", NULL, NULL, 6, 21, 0, "root" },
		{ 5, BADA, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 6, OK, SW_LOGEV_TCPD_REFUSED, S(1794169860), "linux", "imapd",
		  "10.1.2.3", "10.1.2.3", NULL, 6, 143, 0, "" },
		{ 7, OK, SW_LOGEV_TCPD_REFUSED, S(1794169920), "linux",
		  "in.fingerd", "10.1.2.4", "10.1.2.4", NULL, 6, 0, 0, "" },
		{ 8, NOT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	struct sw_logctx c = ctx_of(NY, MTIME, 0);
	(void)state;
	check("secure", &c, e, N_ELEM(e), 8);
}

static void test_auth(void **state)
{
	/* Nov 27 12:09:41 EST = 17:09:41Z */
#define T0 1795799381
	static const struct expect e[] = {
		{ 1, OK, SW_LOGEV_SSH_FAILED, S(T0), "gw", "sshd", "203.0.113.7",
		  "203.0.113.7", NULL, 6, 22, 51122, "root" },
		{ 2, OK, SW_LOGEV_SSH_FAILED, S(T0 + 2), "gw", "sshd",
		  "203.0.113.7", "203.0.113.7", NULL, 6, 22, 51124, "admin" },
		{ 3, OK, SW_LOGEV_SSH_INVALID_USER, S(T0 + 4), "gw", "sshd",
		  "2001:db8::7", "2001:db8::7", NULL, 6, 22, 40022, "oracle" },
		{ 4, OK, SW_LOGEV_SSH_INVALID_USER, S(T0 + 5), "gw", "sshd",
		  "198.51.100.9", "198.51.100.9", NULL, 6, 22, 0, "test" },
		{ 5, OK, SW_LOGEV_PAM_AUTH_FAILURE, S(T0 + 6), "gw", "sshd",
		  "203.0.113.7", "203.0.113.7", NULL, 6, 22, 0, "root" },
		{ 6, OK, SW_LOGEV_PAM_AUTH_FAILURE, S(T0 + 7), "gw", "sshd",
		  "scanner.example.org", NULL, NULL, 6, 22, 0, "" },
		{ 7, NOT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 8, OK, SW_LOGEV_SSH_FAILED, S(T0 + 9), "gw", "sshd",
		  "203.0.113.8", "203.0.113.8", NULL, 6, 22, 1, "" },
		{ 9, OK, SW_LOGEV_SSH_FAILED, S(T0 + 10), "gw", "sshd",
		  "203.0.113.9", "203.0.113.9", NULL, 6, 22, 2222, "git" },
		{ 10, NOT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 11, BADA, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 12, NOT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		/* a user name forging a second " from ... port ..." */
		{ 13, OK, SW_LOGEV_SSH_FAILED, S(T0 + 14), "gw", "sshd",
		  "203.0.113.10", "203.0.113.10", NULL, 6, 22, 4000,
		  "x from 10.9.9.9 port 22 ssh2" },
		{ 14, OK, SW_LOGEV_PAM_AUTH_FAILURE, S(T0 + 15), "gw", "vsftpd",
		  "::ffff:203.0.113.11", "203.0.113.11", NULL, 6, 21, 0, "" },
	};
	struct sw_logctx c = ctx_of(NY, MTIME, 0);
	(void)state;
	check("auth.log", &c, e, N_ELEM(e), 14);
}

static void test_vsftpd(void **state)
{
	/* Fri Nov 27 17:09:41 2026 EST = 22:09:41Z */
#define T1 1795817381
	static const struct expect e[] = {
		{ 1, OK, SW_LOGEV_VSFTPD_FAIL, S(T1), "", "vsftpd",
		  "::ffff:203.0.113.20", "203.0.113.20", NULL, 6, 21, 0, "bob" },
		{ 2, NOT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 3, OK, SW_LOGEV_VSFTPD_FAIL, S(T1 + 2), "", "vsftpd",
		  "2001:db8::20", "2001:db8::20", NULL, 6, 21, 0, "" },
		{ 4, OK, SW_LOGEV_VSFTPD_FAIL, S(T1 + 3), "ftp", "vsftpd",
		  "203.0.113.22", "203.0.113.22", NULL, 6, 21, 0, "eve" },
		{ 5, OK, SW_LOGEV_VSFTPD_FAIL, S(T1 + 4), "", "vsftpd",
		  "203.0.113.23", "203.0.113.23", NULL, 6, 21, 0,
		  "x] FAIL LOGIN: Client \"6.6.6.6\"" },
		{ 6, BADA, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	struct sw_logctx c = ctx_of(NY, MTIME, 0);
	(void)state;
	check("vsftpd.log", &c, e, N_ELEM(e), 6);
}

static void test_proftpd(void **state)
{
	static const struct expect e[] = {
		{ 1, OK, SW_LOGEV_PROFTPD_FAIL, S(T1), "ftp", "proftpd",
		  "203.0.113.30", "203.0.113.30", NULL, 6, 21, 0, "admin" },
		{ 2, OK, SW_LOGEV_PROFTPD_FAIL, S(T1 + 1) + 508000, "ftp",
		  "proftpd", "::ffff:203.0.113.31", "203.0.113.31", NULL, 6, 21,
		  0, "root" },
		{ 3, NOT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 4, OK, SW_LOGEV_PROFTPD_FAIL, S(T1 + 3), "ftp", "proftpd",
		  "203.0.113.32", "203.0.113.32", NULL, 6, 21, 0,
		  "a (Login failed)" },
	};
	struct sw_logctx c = ctx_of(NY, MTIME, 0);
	(void)state;
	check("proftpd.log", &c, e, N_ELEM(e), 4);
}

static void test_firewall(void **state)
{
	static const struct expect e[] = {
		{ 1, OK, SW_LOGEV_FIREWALL, S(T1), "fw", "kernel", "203.0.113.40",
		  "203.0.113.40", "192.0.2.1", 6, 22, 40000, "" },
		{ 2, OK, SW_LOGEV_FIREWALL, S(T1 + 1), "fw", "kernel",
		  "2001:db8::40", "2001:db8::40", "2001:db8::1", 6, 23, 40001, "" },
		{ 3, OK, SW_LOGEV_FIREWALL, S(T1 + 2), "fw", "kernel",
		  "203.0.113.41", "203.0.113.41", "192.0.2.2", 17, 161, 5353, "" },
		{ 4, OK, SW_LOGEV_FIREWALL, S(T1 + 3), "fw", "kernel",
		  "203.0.113.42", "203.0.113.42", "192.0.2.3", 1, 0, 0, "" },
		{ 5, BADA, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 6, NOT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 7, OK, SW_LOGEV_FIREWALL, S(T1 + 6), "fw", "kernel",
		  "2001:db8::41", "2001:db8::41", "2001:db8::1", 58, 0, 0, "" },
	};
	struct sw_logctx c = ctx_of(NY, MTIME, 0);
	(void)state;
	check("kern.log", &c, e, N_ELEM(e), 7);
}

static void test_rfc5424(void **state)
{
	/* read as written: the context's zone and year do not apply */
	static const struct expect e[] = {
		{ 1, OK, SW_LOGEV_SSH_FAILED, S(T0) + 508000, "gw", "sshd",
		  "203.0.113.50", "203.0.113.50", NULL, 6, 22, 50000, "root" },
		{ 2, OK, SW_LOGEV_SSH_INVALID_USER, S(T0) + 508000, "gw", "sshd",
		  "203.0.113.51", "203.0.113.51", NULL, 6, 22, 50001, "guest" },
		{ 3, OK, SW_LOGEV_TCPD_REFUSED, S(T0) + 508000, "gw", "in.ftpd",
		  "203.0.113.52", "203.0.113.52", NULL, 6, 21, 0, "" },
		{ 4, BADT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 5, OK, SW_LOGEV_FIREWALL, S(T0 + 4), "fw", "kernel",
		  "203.0.113.53", "203.0.113.53", "192.0.2.9", 6, 445, 1, "" },
	};
	struct sw_logctx c = ctx_of("Asia/Kolkata", 0, 1999);
	(void)state;
	check("rfc5424.log", &c, e, N_ELEM(e), 5);
}

static void test_iso(void **state)
{
	static const struct expect e[] = {
		{ 1, OK, SW_LOGEV_SSH_FAILED, S(T0) + 508835, "gw", "sshd",
		  "203.0.113.60", "203.0.113.60", NULL, 6, 22, 50000, "root" },
		{ 2, OK, SW_LOGEV_SSH_INVALID_USER, S(T0) + 508835, "gw", "sshd",
		  "203.0.113.61", "203.0.113.61", NULL, 6, 22, 50001, "pi" },
		{ 3, OK, SW_LOGEV_FIREWALL, S(T0), "gw", "kernel", "203.0.113.62",
		  "203.0.113.62", "192.0.2.1", 6, 3389, 1, "" },
		{ 4, NOT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 5, BADT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	struct sw_logctx c = ctx_of("Asia/Kolkata", 0, 1999);
	(void)state;
	check("iso.log", &c, e, N_ELEM(e), 5);
}

static void test_hostile(void **state)
{
	/* 12:00:00 EST = 17:00:00Z */
#define T2 1795798800
	static const struct expect e[] = {
		{ 1, SW_LOG_TOO_LONG, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		/* exactly 2048 bytes: parsed, user truncated to 63 bytes */
		{ 2, OK, SW_LOGEV_SSH_INVALID_USER, S(T2), "gw", "sshd",
		  "203.0.113.70", "203.0.113.70", NULL, 6, 22, 0,
		  "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" },
		{ 3, SW_LOG_BINARY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 4, SW_LOG_BINARY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 5, OK, SW_LOGEV_SSH_INVALID_USER, S(T2 + 2), "gw", "sshd",
		  "203.0.113.72", "203.0.113.72", NULL, 6, 22, 1,
		  "\"'; DROP TABLE x;--" },
		/* CR: kept as data, escaped, truncated to the field */
		{ 6, OK, SW_LOGEV_SSH_INVALID_USER, S(T2 + 3), "gw", "sshd",
		  "203.0.113.73", "203.0.113.73", NULL, 6, 22, 2,
		  "evil\\x0dNov 27 12:00:03 gw sshd[1]: Accepted" },
		{ 7, OK, SW_LOGEV_SSH_INVALID_USER, S(T2 + 4), "gw", "sshd",
		  "203.0.113.74", "203.0.113.74", NULL, 6, 22, 3,
		  "\\x1b[2J\\x1b[31mroot" },
		{ 8, OK, SW_LOGEV_SSH_INVALID_USER, S(T2 + 5), "gw", "sshd",
		  "203.0.113.75", "203.0.113.75", NULL, 6, 22, 4, "#033[31mroot" },
		{ 9, BADT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 10, BADT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 11, BADA, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 12, OK, SW_LOGEV_SSH_INVALID_USER, S(T2 + 8), "gw", "sshd",
		  "203.0.113.77", "203.0.113.77", NULL, 6, 22, 5,
		  "jos\\xc3\\xa9" },
		{ 13, NOT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		/* a CRLF line */
		{ 14, OK, SW_LOGEV_FIREWALL, S(T2 + 9), "gw", "kernel",
		  "203.0.113.78", "203.0.113.78", "192.0.2.1", 6, 22, 1, "" },
		/* firewall fields in a user name are not a firewall line */
		{ 15, OK, SW_LOGEV_SSH_INVALID_USER, S(T2 + 10), "gw", "sshd",
		  "203.0.113.79", "203.0.113.79", NULL, 6, 22, 6,
		  "IN=eth0 SRC=6.6.6.6 DST=1.1.1.1 PROTO=TCP DPT=22" },
	};
	struct sw_logctx c = ctx_of(NY, MTIME, 0);
	(void)state;
	check("hostile.log", &c, e, N_ELEM(e), 15);
}

/* ---- time rules -------------------------------------------------------- */

static enum sw_logres parse_str(const char *s, struct sw_logctx *c,
				struct sw_logev *ev)
{
	return sw_log_parse(s, strlen(s), c, ev);
}

static int64_t ts_of(const char *s, struct sw_logctx *c)
{
	struct sw_logev ev;
	enum sw_logres r = parse_str(s, c, &ev);

	if (r != SW_LOG_OK)
		fail_msg("'%s': %s", s, sw_log_res_name(r));
	return ev.ts_us;
}

static void test_kolkata(void **state)
{
	/* Nov 27 12:09:41 IST (UTC+5:30) = 06:39:41Z */
	struct sw_logctx c = ctx_of("Asia/Kolkata", MTIME, 0);
	(void)state;
	assert_true(ts_of("Nov 27 12:09:41 gw sshd[1]: Invalid user a from "
			  "192.0.2.1", &c) == S(1795761581));
	/* the same line in New York: 17:09:41Z */
	c = ctx_of(NY, MTIME, 0);
	assert_true(ts_of("Nov 27 12:09:41 gw sshd[1]: Invalid user a from "
			  "192.0.2.1", &c) == S(1795799381));
	/* July in New York is EDT, UTC-4 */
	c = ctx_of(NY, MTIME, 0);
	assert_true(ts_of("Jul  4 12:00:00 gw sshd[1]: Invalid user a from "
			  "192.0.2.1", &c) == S(1783180800));
	/* vsftpd's zone-less stamp with a year, in Kolkata */
	c = ctx_of("Asia/Kolkata", 0, 0);
	assert_true(ts_of("Fri Nov 27 12:09:41 2026 [pid 1] [a] FAIL LOGIN: "
			  "Client \"192.0.2.1\"", &c) == S(1795761581));
}

static void test_year_rule(void **state)
{
	/* the file was last written 2027-01-01T00:30:00 in New York */
	struct sw_logctx c = ctx_of(NY, S(1798781400), 0);
	(void)state;

	/* a Dec 31 line belongs to the year before the mtime's */
	assert_true(ts_of("Dec 31 23:59:59 gw sshd[1]: Invalid user a from "
			  "192.0.2.1", &c) == S(1798779599));
	/* Jan 1 00:10 is the mtime's year */
	assert_true(ts_of("Jan  1 00:10:00 gw sshd[1]: Invalid user a from "
			  "192.0.2.1", &c) == S(1798780200));
	/* up to a day after the mtime is still that year (clock skew) */
	assert_true(ts_of("Jan  2 00:00:00 gw sshd[1]: Invalid user a from "
			  "192.0.2.1", &c) == S(1798866000));
	/* more than a day after: it must be last year's */
	assert_true(ts_of("Jan  3 00:00:00 gw sshd[1]: Invalid user a from "
			  "192.0.2.1", &c) == S(1767416400));
	/* the mtime's year is taken in the context's zone: 2027-01-01T03:00Z
	 * is Dec 31 22:00 of 2026 in New York, so a Jan 1 01:00 line is
	 * 2026's (in UTC it would have been 2027's) */
	c = ctx_of(NY, S(1798772400), 0);
	assert_true(ts_of("Jan  1 01:00:00 gw sshd[1]: Invalid user a from "
			  "192.0.2.1", &c) == S(1767247200));
	/* Feb 29 seen from a common year: the leap year before */
	c = ctx_of("UTC", S(1740787200), 0);
	assert_true(ts_of("Feb 29 12:00:00 gw sshd[1]: Invalid user a from "
			  "192.0.2.1", &c) == S(1709208000));
	/* an explicit year wins over the mtime */
	c = ctx_of("UTC", S(1740787200), 2024);
	assert_true(ts_of("Dec 31 23:59:59 gw sshd[1]: Invalid user a from "
			  "192.0.2.1", &c) == S(1735689599));
	/* Feb 29 in a configured common year is not a date */
	struct sw_logev ev;
	c = ctx_of("UTC", 0, 2026);
	assert_int_equal(parse_str("Feb 29 12:00:00 gw sshd[1]: Invalid user a "
				   "from 192.0.2.1", &c, &ev),
			 SW_LOG_BAD_TIME);
	/* neither year nor mtime, or no context at all */
	c = ctx_of("UTC", 0, 0);
	assert_int_equal(parse_str("Nov 27 12:00:00 gw sshd[1]: Invalid user a "
				   "from 192.0.2.1", &c, &ev),
			 SW_LOG_BAD_TIME);
	assert_int_equal(parse_str("Nov 27 12:00:00 gw sshd[1]: Invalid user a "
				   "from 192.0.2.1", NULL, &ev),
			 SW_LOG_BAD_TIME);
	/* RFC 5424 needs no context */
	assert_int_equal(parse_str("<38>1 2026-11-27T17:09:41Z gw sshd 1 - - "
				   "Invalid user a from 192.0.2.1", NULL, &ev),
			 SW_LOG_OK);
	assert_true(ev.ts_us == S(1795799381));
}

static void test_tz_restored(void **state)
{
	struct sw_logctx c = ctx_of("Asia/Kolkata", MTIME, 0);
	struct sw_logev ev;
	const char *line = "Nov 27 12:09:41 gw sshd[1]: Invalid user a from "
			   "192.0.2.1";
	(void)state;

	assert_int_equal(setenv("TZ", "Europe/Paris", 1), 0);
	assert_int_equal(parse_str(line, &c, &ev), SW_LOG_OK);
	assert_string_equal(getenv("TZ"), "Europe/Paris");
	assert_int_equal(unsetenv("TZ"), 0);
	assert_int_equal(parse_str(line, &c, &ev), SW_LOG_OK);
	assert_null(getenv("TZ"));
	/* a zone name with odd characters is refused, TZ untouched */
	c = ctx_of("../../etc/x y", MTIME, 0);
	assert_int_equal(parse_str(line, &c, &ev), SW_LOG_BAD_TIME);
	assert_null(getenv("TZ"));
}

/* ---- rejects, identity, names ----------------------------------------- */

static void test_rejects(void **state)
{
	struct sw_logctx c = ctx_of(NY, MTIME, 0);
	struct sw_logev ev;
	char big[SW_LOG_MAX_LINE + 8];
	(void)state;

	/* the cap counts the line without its newline */
	const char *head = "Nov 27 12:00:00 gw sshd[1]: Invalid user ";
	const char *tail = " from 192.0.2.1";
	size_t hl = strlen(head), tl = strlen(tail);
	memcpy(big, head, hl);
	memset(big + hl, 'u', SW_LOG_MAX_LINE - hl - tl);
	memcpy(big + SW_LOG_MAX_LINE - tl, tail, tl);
	big[SW_LOG_MAX_LINE] = '\n';
	assert_int_equal(sw_log_parse(big, SW_LOG_MAX_LINE + 1, &c, &ev),
			 SW_LOG_OK);
	assert_int_equal(strlen(ev.user), sizeof(ev.user) - 1);
	big[SW_LOG_MAX_LINE] = 'x';
	assert_int_equal(sw_log_parse(big, SW_LOG_MAX_LINE + 1, &c, &ev),
			 SW_LOG_TOO_LONG);
	/* a NUL, and a control byte, anywhere */
	static const char nul[] = "Nov 27 12:00:00 gw sshd[1]: Invalid\0 user a";
	assert_int_equal(sw_log_parse(nul, sizeof(nul) - 1, &c, &ev),
			 SW_LOG_BINARY);
	assert_int_equal(parse_str("\x01Nov 27 12:00:00 gw x: y", &c, &ev),
			 SW_LOG_BINARY);
	assert_int_equal(parse_str("Nov 27 12:00:00 gw x: y\x7f\x08", &c, &ev),
			 SW_LOG_BINARY);
	/* tab is text */
	assert_int_equal(parse_str("Nov 27 12:00:00 gw sshd[1]: Invalid user\ta "
				   "from 192.0.2.1", &c, &ev),
			 SW_LOG_NOT_EVENT);
	/* timestamps */
	static const char *const badt[] = {
		"x", "Nov", "Nov 27", "Nov 27 12:00", "Nov 27 1200:00 gw x: y",
		"nov 27 12:00:00 gw x: y", "Nov 32 12:00:00 gw x: y",
		"Nov 27 24:00:00 gw x: y", "Nov 27 12:60:00 gw x: y",
		"Nov 27 12:00:00", "<38>1 2026-11-27T17:09:41 gw sshd - - - m",
		"<38>1 2026-11-27 gw sshd - - - m", "<999>1 x", "<>1 x",
		"2026-11-27T17:09:41.1234567890Z gw sshd[1]: x",
		"2026-11-27 25:09:41,508 ftp proftpd[1] x",
		"Fri Nov 27 17:09:41 20x6 [pid 1] x",
	};
	for (size_t i = 0; i < N_ELEM(badt); i++)
		if (parse_str(badt[i], &c, &ev) != SW_LOG_BAD_TIME)
			fail_msg("'%s' not bad_time", badt[i]);
	/* addresses */
	static const char *const bada[] = {
		"Nov 27 12:00:00 fw kernel: IN=eth0 OUT= SRC=999.1.1.1 "
		"DST=192.0.2.1 PROTO=TCP SPT=1 DPT=22",
		"Nov 27 12:00:00 fw kernel: IN=eth0 OUT= SRC=192.0.2.1 "
		"DST=192.0.2.256 PROTO=TCP SPT=1 DPT=22",
		"Nov 27 12:00:00 fw kernel: IN=eth0 OUT= SRC=fw.example "
		"DST=192.0.2.1 PROTO=TCP SPT=1 DPT=22",
		"Nov 27 12:00:00 gw sshd[1]: Failed password for a from 1.2.3 "
		"port 22 ssh2",
		"Nov 27 12:00:00 gw sshd[1]: Invalid user a from 2001:db8:::1",
		"Nov 27 12:00:00 gw ftpd[1]: refused connect from ",
		"Nov 27 12:00:00 gw ftpd[1]: refused connect from h$st.example",
		"Nov 27 12:00:00 gw sshd[1]: pam_unix(sshd:auth): authentication "
		"failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4.5",
	};
	for (size_t i = 0; i < N_ELEM(bada); i++)
		if (parse_str(bada[i], &c, &ev) != SW_LOG_BAD_ADDR)
			fail_msg("'%s' not bad_addr", bada[i]);
	/* ordinary lines */
	static const char *const notev[] = {
		"", "   ", "\r\n",
		"Nov 27 12:00:00 gw sshd[1]: Accepted publickey for a from "
		"192.0.2.1 port 22 ssh2",
		"Nov 27 12:00:00 gw sshd[1]: Failed password for a",
		"Nov 27 12:00:00 gw sshd[1]: Failed password for a from 192.0.2.1",
		"Nov 27 12:00:00 gw sshd[1]: Invalid user a from 192.0.2.1 port x",
		"Nov 27 12:00:00 gw kernel: SRC=192.0.2.1 DST=192.0.2.2 PROTO=TCP",
		"Nov 27 12:00:00 gw kernel: IN=eth0 SRC=192.0.2.1 PROTO=TCP",
		"Nov 27 12:00:00 gw myapp[1]: Failed password for a from "
		"192.0.2.1 port 22 ssh2",
		"Nov 27 12:00:00 gw myapp[1]: IN=eth0 OUT= SRC=192.0.2.1 "
		"DST=192.0.2.2 PROTO=TCP SPT=1 DPT=22",
		"Nov 27 12:00:00 gw proftpd[1]: no brackets USER a (Login failed)",
		"Nov 27 12:00:00 gw vsftpd[1]: [a] FAIL LOGIN: Client \"192.0.2.1",
		"<38>1 2026-11-27T17:09:41Z gw sshd 1 - [unterminated x=\"]\"",
		"<38>1 2026-11-27T17:09:41Z gw sshd",
	};
	for (size_t i = 0; i < N_ELEM(notev); i++)
		if (parse_str(notev[i], &c, &ev) != SW_LOG_NOT_EVENT)
			fail_msg("'%s' not not_event", notev[i]);
	/* a line without a host still parses */
	assert_int_equal(parse_str("Nov 27 12:00:00 sshd[1]: Invalid user a "
				   "from 192.0.2.1", &c, &ev),
			 SW_LOG_OK);
	assert_string_equal(ev.host, "");
	assert_string_equal(ev.program, "sshd");
	/* NULL line */
	assert_int_equal(sw_log_parse(NULL, 0, &c, &ev), SW_LOG_NOT_EVENT);
}

static void test_long_fields(void **state)
{
	struct sw_logctx c = ctx_of(NY, MTIME, 0);
	struct sw_logev ev;
	char line[SW_LOG_MAX_LINE + 1];
	(void)state;

	/* a 300-character host name, program and logging host: truncated */
	char name[301];
	memset(name, 'a', 300);
	name[300] = '\0';
	memcpy(name + 296, ".net", 4);
	snprintf(line, sizeof(line), "Nov 27 12:00:00 %s %s[1]: refused connect "
		 "from %s", name, name, name);
	assert_int_equal(parse_str(line, &c, &ev), SW_LOG_BAD_ADDR); /* > 253 */
	name[200] = '\0';
	memcpy(name + 196, ".net", 4);
	snprintf(line, sizeof(line), "Nov 27 12:00:00 %s %s[1]: refused connect "
		 "from %s", name, name, name);
	assert_int_equal(parse_str(line, &c, &ev), SW_LOG_OK);
	assert_int_equal(strlen(ev.host), sizeof(ev.host) - 1);
	assert_int_equal(strlen(ev.program), sizeof(ev.program) - 1);
	assert_string_equal(ev.src_name, name);
	assert_false(ev.src_numeric);
	/* escapes never split: a field ends before an incomplete \xNN */
	snprintf(line, sizeof(line), "Nov 27 12:00:00 gw sshd[1]: Invalid user "
		 "%s\x1b\x1b\x1b\x1b from 192.0.2.1", "012345678901234567890123456789012345678901234567890123456789");
	assert_int_equal(parse_str(line, &c, &ev), SW_LOG_OK);
	assert_true(strlen(ev.user) < sizeof(ev.user));
	assert_string_equal(ev.user, "012345678901234567890123456789012345678901234567890123456789");
}

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(sw_log_identity_len("abc\n", 4), 3);
	assert_int_equal(sw_log_identity_len("abc\r\n", 5), 3);
	assert_int_equal(sw_log_identity_len("abc\r", 4), 3);
	assert_int_equal(sw_log_identity_len("abc", 3), 3);
	assert_int_equal(sw_log_identity_len("abc\n\n", 5), 4);
	assert_int_equal(sw_log_identity_len("\n", 1), 0);
	assert_int_equal(sw_log_identity_len("", 0), 0);
	assert_int_equal(sw_log_identity_len(NULL, 5), 0);

	/* the same RFC 3164 text in two years: same raw text, other ts_us */
	struct sw_logev a, b;
	struct sw_logctx c1 = ctx_of("UTC", 0, 2025), c2 = ctx_of("UTC", 0, 2026);
	const char *l = "Nov 27 12:00:00 gw sshd[1]: Invalid user a from 192.0.2.1";
	assert_int_equal(parse_str(l, &c1, &a), SW_LOG_OK);
	assert_int_equal(parse_str(l, &c2, &b), SW_LOG_OK);
	assert_true(a.ts_us != b.ts_us);
	/* parsing is deterministic: the same line gives the same event */
	assert_int_equal(parse_str(l, &c1, &b), SW_LOG_OK);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sw_log_res_name(SW_LOG_OK), "ok");
	assert_string_equal(sw_log_res_name(SW_LOG_TOO_LONG), "too_long");
	assert_string_equal(sw_log_res_name(SW_LOG_BINARY), "binary");
	assert_string_equal(sw_log_res_name(SW_LOG_BAD_TIME), "bad_time");
	assert_string_equal(sw_log_res_name(SW_LOG_BAD_ADDR), "bad_addr");
	assert_string_equal(sw_log_res_name(SW_LOG_NOT_EVENT), "not_event");
	assert_string_equal(sw_log_res_name(SW_LOG_NRES), "?");
	assert_string_equal(sw_log_res_name((enum sw_logres)-1), "?");
	assert_string_equal(sw_logev_kind_name(SW_LOGEV_TCPD_REFUSED),
			    "tcpd_refused");
	assert_string_equal(sw_logev_kind_name(SW_LOGEV_FIREWALL), "firewall");
	assert_string_equal(sw_logev_kind_name(-1), "?");
	assert_string_equal(sw_logev_kind_name(SW_LOGEV_NKINDS), "?");
	for (int k = 0; k < SW_LOGEV_NKINDS; k++)
		assert_non_null(sw_logev_kind_name(k));
}

/* The reference: wall-clock fields to UTC seconds with mktime() in the
 * current TZ. *odd is set for a time that does not exist (a spring-forward
 * gap) or exists twice (the hour repeated in the autumn): mktime() may take
 * either reading there. */
static int64_t ref_utc(int y, int mo, int d, int h, int mi, bool *odd)
{
	int64_t r[2];

	for (int dst = 0; dst < 2; dst++) {
		struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
				 .tm_hour = h, .tm_min = mi, .tm_isdst = dst };
		time_t t = mktime(&tm);
		struct tm back;
		localtime_r(&t, &back);
		r[dst] = back.tm_hour == h && back.tm_min == mi && back.tm_mday == d ? (int64_t)t : -1;
	}
	/* both readings valid and different, or neither valid */
	*odd = (r[0] >= 0 && r[1] >= 0 && r[0] != r[1]) || (r[0] < 0 && r[1] < 0);
	return r[0] >= 0 ? r[0] : r[1];
}

/* One proftpd line at a local time; its UTC second is checked against
 * mktime(). Returns false (nothing checked) for a gap or a repeated time. */
static bool check_minute(const char *zone, struct sw_logctx *c, int mo, int d, int h, int mi)
{
	char line[256];
	struct sw_logev ev;
	bool odd;
	int64_t want = ref_utc(2026, mo, d, h, mi, &odd);

	if (odd)
		return false;
	snprintf(line, sizeof(line),
		 "2026-%02d-%02d %02d:%02d:00,000 ftp proftpd[5002] ftp.example.com "
		 "(::ffff:203.0.113.31[::ffff:203.0.113.31]): USER root "
		 "(Login failed): No such user found", mo, d, h, mi);
	if (parse_str(line, c, &ev) != SW_LOG_OK)
		fail_msg("%s: '%s' not parsed", zone, line);
	if (ev.ts_us != want * 1000000)
		fail_msg("%s: 2026-%02d-%02d %02d:%02d: got %lld, want %lld", zone, mo, d, h, mi,
			 (long long)(ev.ts_us / 1000000), (long long)want);
	return true;
}

/*
 * A year of 2026 in zones whose offsets change on the hour, at hh:30 (Lord
 * Howe, by half an hour) and at hh:45 (Chatham): the parser's remembered
 * hours must give what mktime() gives for every line. Days when the offset
 * changes are walked minute by minute, forwards and then backwards (each
 * line a new hour); the other days every 37th minute.
 */
static void test_zone_sweep(void **state)
{
	static const char *const zones[] = { "America/New_York", "Australia/Lord_Howe",
					     "Pacific/Chatham", "Asia/Kolkata",
					     "America/St_Johns" };
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *env = getenv("TZ");
	char old[256] = "";
	unsigned checked = 0, changes = 0;

	(void)state;
	if (env)
		snprintf(old, sizeof(old), "%s", env);
	for (size_t z = 0; z < N_ELEM(zones); z++) {
		struct sw_logctx c = ctx_of(zones[z], 0, 0);

		/* the reference runs in the zone; the parser switches to it and
		 * back on its own */
		setenv("TZ", zones[z], 1);
		tzset();
		for (int mo = 1; mo <= 12; mo++) {
			for (int d = 1; d <= days[mo - 1]; d++) {
				bool odd;
				int nmo = d < days[mo - 1] ? mo : mo + 1, nd = d < days[mo - 1] ? d + 1 : 1;
				int64_t today = ref_utc(2026, mo, d, 0, 0, &odd);
				int64_t next = nmo <= 12 ? ref_utc(2026, nmo, nd, 0, 0, &odd) : today + 86400;

				if (next - today == 86400) {
					for (int m = (mo * 31 + d) % 37; m < 1440; m += 37)
						checked += check_minute(zones[z], &c, mo, d, m / 60, m % 60);
					continue;
				}
				changes++;
				for (int m = 0; m < 1440; m++)
					checked += check_minute(zones[z], &c, mo, d, m / 60, m % 60);
				for (int m = 1439; m >= 0; m--)
					checked += check_minute(zones[z], &c, mo, d, m / 60, m % 60);
			}
		}
	}
	if (env)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	/* New York, Lord Howe, Chatham and St John's change twice a year */
	assert_int_equal(changes, 8);
	assert_true(checked > 5 * 13000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcpd),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_vsftpd),
		cmocka_unit_test(test_proftpd),
		cmocka_unit_test(test_firewall),
		cmocka_unit_test(test_rfc5424),
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_kolkata),
		cmocka_unit_test(test_year_rule),
		cmocka_unit_test(test_tz_restored),
		cmocka_unit_test(test_zone_sweep),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_long_fields),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
