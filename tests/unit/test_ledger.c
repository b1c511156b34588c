/*
 * test_ledger.c - the neighbourly ledger's pure parts (netblock.c: the
 * ledger's netblock names; nft.c: the nftables text) and, on a real SQLite
 * file, what came back after a memo (answers.c), the netblocks' ranges
 * (ledger.c), v_offenders' outcomes and activity since the last memo, the
 * answer_by of memos recorded before the migration, and the choice of
 * --export-nft (nftexport.c).
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

#include "answers.h"
#include "db.h"
#include "ledger.h"
#include "netblock.h"
#include "nft.h"
#include "nftexport.h"
#include "schema.h"
#include "util.h"

#define DAY INT64_C(86400000000)
/* 2026-11-27T20:00:00Z */
#define T0 INT64_C(1795809600000000)
/* long past and far ahead, whatever day the test runs */
#define PAST INT64_C(946684800000000)      /* 2000-01-01 */
#define FUTURE INT64_C(4102444800000000)   /* 2100-01-01 */

static struct sw_prefix pfx(const char *s)
{
	struct sw_prefix p;

	assert_true(sw_prefix_parse(s, &p));
	return p;
}

/* ---- netblock.c ------------------------------------------------------------ */

static void test_netblock_parse(void **state)
{
	struct sw_prefix p[4];
	char buf[SW_ADDR_STRLEN];
	size_t bad;

	(void)state;
	assert_int_equal(sw_netblock_parse("198.51.100.0/24", p, 4, &bad), 1);
	assert_int_equal(bad, 0);
	assert_int_equal(sw_netblock_parse("192.0.2.0/25, 192.0.2.128/26", p, 4, &bad), 2);
	assert_int_equal(bad, 0);
	assert_string_equal(sw_prefix_format(&p[1], buf, sizeof buf), "192.0.2.128/26");
	/* host bits, junk, empty elements: counted, never guessed at */
	assert_int_equal(sw_netblock_parse("198.51.100.1/24", p, 4, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(sw_netblock_parse("x, 10.0.0.0/8,,", p, 4, &bad), 1);
	assert_int_equal(bad, 3);
	assert_int_equal(sw_netblock_parse("198.51.100.0/24 } ; flush ruleset", p, 4, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(sw_netblock_parse("10.0.0.0/8\nadd rule x", p, 4, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(sw_netblock_parse("", p, 4, &bad), 0);
	assert_int_equal(bad, 1);
	/* more than fit */
	assert_int_equal(sw_netblock_parse("10.0.0.0/8, 11.0.0.0/8, 12.0.0.0/8", p, 2, &bad), 2);
	assert_int_equal(bad, 1);
}

static void test_netblock_lists_and_bounds(void **state)
{
	struct sw_prefix p = pfx("2001:DB8:51:0::/48");
	uint8_t first[16], last[16];
	static const uint8_t f4[16] = { 192, 0, 2, 128 }, l4[16] = { 192, 0, 2, 191 };
	static const uint8_t f6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x51 };
	uint8_t l6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x51 };

	(void)state;
	assert_true(sw_netblock_lists("2001:db8:51::/48", &p));
	assert_false(sw_netblock_lists("2001:db8:51::/47", &p));
	p = pfx("192.0.2.128/26");
	assert_true(sw_netblock_lists("192.0.2.0/25, 192.0.2.128/26", &p));
	assert_false(sw_netblock_lists("192.0.2.0/24", &p));
	assert_false(sw_netblock_lists("junk", &p));
	sw_netblock_bounds(&p, first, last);
	assert_memory_equal(first, f4, 16);
	assert_memory_equal(last, l4, 16);
	p = pfx("2001:db8:51::/48");
	sw_netblock_bounds(&p, first, last);
	memset(l6 + 6, 0xff, 10);
	assert_memory_equal(first, f6, 16);
	assert_memory_equal(last, l6, 16);
}

/* ---- nft.c ------------------------------------------------------------------ */

static void test_nft_reduce(void **state)
{
	struct sw_prefix p[] = {
		pfx("2001:db8:51::/48"), pfx("198.51.100.0/25"), pfx("198.51.100.0/24"),
		pfx("192.0.2.0/24"), pfx("2001:db8:51:7::/64"), pfx("198.51.100.0/24"),
		pfx("198.51.100.128/25"), pfx("203.0.113.7/32"), pfx("192.0.2.0/23"),
	};
	const char *want[] = { "192.0.2.0/23", "198.51.100.0/24", "203.0.113.7/32",
			       "2001:db8:51::/48" };
	char buf[SW_ADDR_STRLEN];
	size_t n;

	(void)state;
	n = sw_nft_reduce(p, SW_ARRAY_LEN(p));
	assert_int_equal(n, SW_ARRAY_LEN(want));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(sw_prefix_format(&p[i], buf, sizeof buf), want[i]);
	assert_int_equal(sw_nft_reduce(p, 0), 0);
}

static void test_nft_render(void **state)
{
	struct sw_prefix p[] = { pfx("192.0.2.0/24"), pfx("198.51.100.0/24"),
				 pfx("2001:db8:51::/48") };
	struct sw_buf b = SW_BUF_INIT;
	const char *s;

	(void)state;
	sw_nft_render(&b, &(const struct sw_nft_file){ .generated = "2026-12-01T00:00:00Z",
		.criteria = "3 or more memos\nadd rule inet spanwatch x drop", .p = p, .n = 3 });
	assert_true(sw_buf_ok(&b));
	s = sw_buf_str(&b);
	assert_non_null(strstr(s, "\nadd element inet spanwatch offenders_v4 {\n"
				  "\t192.0.2.0/24,\n\t198.51.100.0/24\n}\n"));
	assert_non_null(strstr(s, "\nadd element inet spanwatch offenders_v6 {\n"
				  "\t2001:db8:51::/48\n}\n"));
	assert_non_null(strstr(s, "add set inet spanwatch offenders_v4 { type ipv4_addr; "
				  "flags interval; }\n"));
	assert_non_null(strstr(s, "flush set inet spanwatch offenders_v6\n"));
	assert_non_null(strstr(s, "operator's act"));
	/* the criteria stay one comment line */
	assert_non_null(strstr(s, "# chosen: 3 or more memos?add rule"));
	/* no rule, no drop, outside the comments */
	for (const char *line = s; *line; line = strchr(line, '\n') + 1) {
		if (*line != '#') {
			assert_true(strncmp(line, "add rule", 8) != 0);
			assert_null(memmem(line, strcspn(line, "\n"), "drop", 4));
		}
		if (!strchr(line, '\n'))
			break;
	}
	sw_buf_free(&b);
	/* no prefix: the sets are defined and emptied, no element line */
	sw_nft_render(&b, &(const struct sw_nft_file){ .generated = "x", .criteria = "y" });
	assert_null(strstr(sw_buf_str(&b), "add element"));
	assert_non_null(strstr(sw_buf_str(&b), "flush set inet spanwatch offenders_v4\n"));
	sw_buf_free(&b);
}

static void test_note_problem(void **state)
{
	char big[SW_ANSWER_NOTE_MAX + 2];

	(void)state;
	assert_null(sw_answer_note_problem("fixed: the customer was disconnected (ticket #42)"));
	assert_null(sw_answer_note_problem("répondu, merci"));
	assert_non_null(sw_answer_note_problem("a\nb"));
	assert_non_null(sw_answer_note_problem("\033[2J"));
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_non_null(sw_answer_note_problem(big));
}

/* ---- on a database ---------------------------------------------------------- */

struct fixture {
	char dir[64];
	char path[128];
	sqlite3 *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];

	assert_non_null(f);
	strcpy(f->dir, "/tmp/sw-ledger-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/db", f->dir);
	f->db = sw_db_open(f->path, SW_DB_CREATE, err, sizeof err);
	assert_non_null(f->db);
	assert_int_equal(sw_db_exec(f->db,
		"INSERT INTO sensors(id, name) VALUES (1, 's');"
		"INSERT INTO runs(id, sensor_id, source, recorded_at) VALUES (1, 1, 'x', 0)"), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	if (f->db)
		sw_db_close(f->db);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void exec_fmt(sqlite3 *db, const char *fmt, ...)
{
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	assert_int_equal(sw_db_exec(db, sql), 0);
}

static void text_of(sqlite3 *db, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st;

	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void report(sqlite3 *db, const char *netblock, int64_t created, int64_t answer_by)
{
	exec_fmt(db, "INSERT INTO reports (netblock, created, subject, answer_by)"
		 " VALUES ('%s', %lld, 's', %lld)", netblock, (long long)created,
		 (long long)answer_by);
}

/* A detection of src (v4) from first to last, in an incident of its own. */
static void activity(sqlite3 *db, int id, const char *src, int64_t first, int64_t last,
		     int reportable)
{
	struct sw_addr a;
	char hex[33];

	assert_true(sw_addr_parse(src, &a));
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02X", a.bytes[i]);
	exec_fmt(db, "INSERT INTO detections(id, run_id, seq, kind, proto, src, src_family,"
		 " src_bin, first_seen, last_seen, detected_at) VALUES (%d, 1, %d, 'port_scan',"
		 " 'tcp', '%s', %d, X'%s', %lld, %lld, %lld);"
		 "INSERT INTO incidents(id, ikey, netblock, src, kinds, first_seen, last_seen,"
		 " reportable) VALUES (%d, 'k%d', 'x', '%s', 'port_scan', %lld, %lld, %d);"
		 "INSERT INTO incident_detections VALUES (%d, %d)",
		 id, id, src, a.family, hex, (long long)first, (long long)last, (long long)first,
		 id, id, src, (long long)first, (long long)last, reportable, id, id);
}

static int answer(sqlite3 *db, enum sw_answer_kind k, const char *nb, int64_t at,
		  const char *note, struct sw_answer_outcome *out)
{
	struct sw_answer a = { .kind = k, .netblock = pfx(nb), .note = note, .now_us = at };
	char err[256];

	return sw_answer_record(db, &a, out, err, sizeof err);
}

static void test_answers(void **state)
{
	struct fixture *f = *state;
	struct sw_answer_outcome out;
	char s[256];

	report(f->db, "192.0.2.0/25, 192.0.2.128/26", T0, T0 + DAY);
	report(f->db, "192.0.2.0/25, 192.0.2.128/26", T0 + 8 * DAY, T0 + 9 * DAY);
	/* any one of a netblock's CIDRs names it */
	assert_int_equal(answer(f->db, SW_ANSWER_ACK, "192.0.2.128/26", T0 + 9 * DAY, "fixed",
				&out), 0);
	assert_int_equal(out.matched, 1);
	assert_int_equal(out.memos, 2);
	assert_string_equal(out.netblock, "192.0.2.0/25, 192.0.2.128/26");
	assert_true(out.last_memo == T0 + 8 * DAY);
	text_of(f->db, "SELECT netblock || '|' || kind || '|' || note FROM report_answers", s,
		sizeof s);
	assert_string_equal(s, "192.0.2.0/25, 192.0.2.128/26|ack|fixed");
	/* never written to: nothing recorded */
	assert_int_equal(answer(f->db, SW_ANSWER_BOUNCE, "192.0.2.0/24", T0, NULL, &out), 1);
	assert_int_equal(answer(f->db, SW_ANSWER_BOUNCE, "198.51.100.0/24", T0, NULL, &out), 1);
	text_of(f->db, "SELECT count(*) FROM report_answers", s, sizeof s);
	assert_string_equal(s, "1");
	/* a bounce without a note keeps NULL */
	assert_int_equal(answer(f->db, SW_ANSWER_BOUNCE, "192.0.2.0/25", T0 + 10 * DAY, "", &out), 0);
	text_of(f->db, "SELECT count(*) FROM report_answers WHERE kind = 'bounce' AND note IS NULL",
		s, sizeof s);
	assert_string_equal(s, "1");
}

static void test_ranges_sync(void **state)
{
	struct fixture *f = *state;
	char err[256], s[1024];

	report(f->db, "198.51.100.0/24", T0, T0 + DAY);
	report(f->db, "192.0.2.0/25, 192.0.2.128/26", T0, T0 + DAY);
	report(f->db, "2001:db8:51::/48", T0, T0 + DAY);
	report(f->db, "not a netblock", T0, T0 + DAY);
	assert_int_equal(sw_ledger_sync_ranges(f->db, err, sizeof err), 0);
	text_of(f->db, "SELECT group_concat(netblock || '=' || family || ':' || hex(first_addr)"
		" || '-' || hex(last_addr), ' ') FROM (SELECT * FROM netblock_ranges"
		" ORDER BY netblock, first_addr)", s, sizeof s);
	assert_string_equal(s,
		"192.0.2.0/25, 192.0.2.128/26=4:C0000200000000000000000000000000-"
		"C000027F000000000000000000000000 "
		"192.0.2.0/25, 192.0.2.128/26=4:C0000280000000000000000000000000-"
		"C00002BF000000000000000000000000 "
		"198.51.100.0/24=4:C6336400000000000000000000000000-"
		"C63364FF000000000000000000000000 "
		"2001:db8:51::/48=6:20010DB8005100000000000000000000-"
		"20010DB80051FFFFFFFFFFFFFFFFFFFF");
	/* twice changes nothing */
	assert_int_equal(sw_ledger_sync_ranges(f->db, err, sizeof err), 0);
	text_of(f->db, "SELECT count(*) FROM netblock_ranges", s, sizeof s);
	assert_string_equal(s, "4");
}

static void outcome_of(sqlite3 *db, const char *nb, char *out, size_t len)
{
	char sql[512];

	snprintf(sql, sizeof sql, "SELECT memos || '|' || outcome || '|' || acks || '|' || bounces"
		 " || '|' || incidents_since || '|' || coalesce(days_seen_since, '-')"
		 " FROM v_offenders WHERE netblock = '%s'", nb);
	text_of(db, sql, out, len);
}

static void test_offenders_view(void **state)
{
	struct fixture *f = *state;
	char err[256], s[512];
	struct sw_answer_outcome out;

	/* 198.51.100.0/24: three memos, long past their answer_by, an ack
	 * of the first only (it does not answer the later ones) */
	report(f->db, "198.51.100.0/24", T0 - 40 * DAY, PAST);
	report(f->db, "198.51.100.0/24", T0 - 20 * DAY, PAST);
	report(f->db, "198.51.100.0/24", T0, PAST);
	/* 192.0.2.0/24: acked; 203.0.113.0/24: bounced, then acked (the ack
	 * wins); 2001:db8:51::/48: bounced; 100.64.0.0/10: waiting */
	report(f->db, "192.0.2.0/24", T0, PAST);
	report(f->db, "203.0.113.0/24", T0, PAST);
	report(f->db, "2001:db8:51::/48", T0, PAST);
	report(f->db, "100.64.0.0/10", T0, FUTURE);
	assert_int_equal(sw_ledger_sync_ranges(f->db, err, sizeof err), 0);
	assert_int_equal(answer(f->db, SW_ANSWER_ACK, "198.51.100.0/24", T0 - 39 * DAY, NULL,
				&out), 0);
	assert_int_equal(answer(f->db, SW_ANSWER_ACK, "192.0.2.0/24", T0 + DAY, "fixed", &out), 0);
	assert_int_equal(answer(f->db, SW_ANSWER_BOUNCE, "203.0.113.0/24", T0 + DAY, NULL, &out), 0);
	assert_int_equal(answer(f->db, SW_ANSWER_ACK, "203.0.113.0/24", T0 + 2 * DAY, NULL, &out), 0);
	assert_int_equal(answer(f->db, SW_ANSWER_BOUNCE, "2001:db8:51::/48", T0 + DAY, NULL, &out), 0);
	/* activity: two incidents of the range after the last memo (one
	 * spanning it, from before), one told before it, one not reportable,
	 * one from outside the range */
	activity(f->db, 1, "198.51.100.7", T0 + 2 * DAY, T0 + 2 * DAY + 5, 1);
	activity(f->db, 2, "198.51.100.200", T0 - DAY, T0 + 3 * DAY, 1);
	activity(f->db, 3, "198.51.100.8", T0 - 2 * DAY, T0 - DAY, 1);
	activity(f->db, 4, "198.51.100.9", T0 + 4 * DAY, T0 + 4 * DAY, 0);
	activity(f->db, 5, "198.51.101.7", T0 + 4 * DAY, T0 + 4 * DAY, 1);

	outcome_of(f->db, "198.51.100.0/24", s, sizeof s);
	assert_string_equal(s, "3|ignored|1|0|2|2026-11-27, 2026-11-29, 2026-11-30");
	text_of(f->db, "SELECT summary FROM v_offenders WHERE netblock = '198.51.100.0/24'", s,
		sizeof s);
	assert_string_equal(s, "reported 3 times in 40 days, no answer, still active: "
			       "2 incidents since the last memo, last seen 2026-11-30");
	text_of(f->db, "SELECT first_seen_since || ' ' || last_seen_since FROM v_offenders"
		" WHERE netblock = '198.51.100.0/24'", s, sizeof s);
	assert_string_equal(s, "2026-11-27T20:00:00.000000Z 2026-11-30T20:00:00.000000Z");
	outcome_of(f->db, "192.0.2.0/24", s, sizeof s);
	assert_string_equal(s, "1|acked|1|0|0|-");
	text_of(f->db, "SELECT note || '|' || summary FROM v_offenders"
		" WHERE netblock = '192.0.2.0/24'", s, sizeof s);
	assert_string_equal(s, "fixed|reported once, answered, nothing seen since the last memo");
	outcome_of(f->db, "203.0.113.0/24", s, sizeof s);
	assert_string_equal(s, "1|acked|1|1|0|-");
	outcome_of(f->db, "2001:db8:51::/48", s, sizeof s);
	assert_string_equal(s, "1|bounced|0|1|0|-");
	outcome_of(f->db, "100.64.0.0/10", s, sizeof s);
	assert_string_equal(s, "1|waiting|0|0|0|-");
	text_of(f->db, "SELECT summary FROM v_offenders WHERE netblock = '100.64.0.0/10'", s,
		sizeof s);
	assert_string_equal(s, "reported once, answer due by 2100-01-01, "
			       "nothing seen since the last memo");
	/* still active first */
	text_of(f->db, "SELECT netblock FROM v_offenders LIMIT 1", s, sizeof s);
	assert_string_equal(s, "198.51.100.0/24");
}

static int export_to(struct fixture *f, unsigned min_reports, unsigned days, int64_t now,
		     struct sw_nft_export_outcome *out, char *text, size_t len)
{
	char path[160], err[256];
	FILE *fp;
	size_t n;
	int rc;

	snprintf(path, sizeof path, "%s/offenders.nft", f->dir);
	rc = sw_nft_export(f->db, &(const struct sw_nft_export){ .path = path,
		.min_reports = min_reports, .days = days, .now_us = now }, out, err, sizeof err);
	if (rc < 0)
		return rc;
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(text, 1, len - 1, fp);
	text[n] = '\0';
	fclose(fp);
	return rc;
}

static void test_export_choice(void **state)
{
	struct fixture *f = *state;
	struct sw_nft_export_outcome out;
	struct sw_answer_outcome ao;
	char text[8192], err[256];

	/* two memos each, in the last 30 days */
	report(f->db, "198.51.100.0/24", T0 - 20 * DAY, PAST);
	report(f->db, "198.51.100.0/24", T0, PAST);
	report(f->db, "198.51.100.0/25", T0 - 20 * DAY, PAST);   /* inside the /24 */
	report(f->db, "198.51.100.0/25", T0, PAST);
	report(f->db, "2001:db8:51::/48", T0 - 10 * DAY, PAST);
	report(f->db, "2001:db8:51::/48", T0, PAST);
	report(f->db, "203.0.113.0/25, 203.0.113.128/26", T0 - 10 * DAY, PAST);
	report(f->db, "203.0.113.0/25, 203.0.113.128/26", T0, PAST);
	/* acked after its last memo: not exported */
	report(f->db, "192.0.2.0/24", T0 - 10 * DAY, PAST);
	report(f->db, "192.0.2.0/24", T0, PAST);
	/* hostile text in the ledger: never written */
	report(f->db, "10.0.0.0/8 } ; flush ruleset ; add rule inet x y { drop", T0 - DAY, PAST);
	report(f->db, "10.0.0.0/8 } ; flush ruleset ; add rule inet x y { drop", T0, PAST);
	/* one memo only */
	report(f->db, "100.64.0.0/10", T0, PAST);
	/* acked before its last memo: exported */
	report(f->db, "172.16.0.0/12", T0 - 10 * DAY, PAST);
	report(f->db, "172.16.0.0/12", T0, PAST);
	assert_int_equal(answer(f->db, SW_ANSWER_ACK, "172.16.0.0/12", T0 - 9 * DAY, NULL, &ao), 0);
	assert_int_equal(answer(f->db, SW_ANSWER_ACK, "192.0.2.0/24", T0 + 1, NULL, &ao), 0);
	assert_int_equal(sw_ledger_sync_ranges(f->db, err, sizeof err), 0);

	assert_int_equal(export_to(f, 2, 30, T0 + DAY, &out, text, sizeof text), 0);
	assert_non_null(strstr(text, "add element inet spanwatch offenders_v4 {\n"
				     "\t172.16.0.0/12,\n\t198.51.100.0/24,\n"
				     "\t203.0.113.0/25,\n\t203.0.113.128/26\n}\n"));
	assert_non_null(strstr(text, "add element inet spanwatch offenders_v6 {\n"
				     "\t2001:db8:51::/48\n}\n"));
	assert_null(strstr(text, "192.0.2.0"));
	assert_null(strstr(text, "10.0.0.0"));
	assert_null(strstr(text, "flush ruleset"));
	assert_non_null(strstr(text, "# chosen: 2 or more memos in the last 30 days"));
	assert_int_equal(out.netblocks, 6);
	assert_int_equal(out.unparsed, 1);
	assert_int_equal(out.v4, 4);
	assert_int_equal(out.v6, 1);
	/* one memo is enough: the lone one too */
	assert_int_equal(export_to(f, 1, 30, T0 + DAY, &out, text, sizeof text), 0);
	assert_non_null(strstr(text, "\t100.64.0.0/10,\n"));
	/* the window: only the last memos are within 5 days */
	assert_int_equal(export_to(f, 2, 5, T0 + DAY, &out, text, sizeof text), 0);
	assert_int_equal(out.netblocks, 1);   /* the hostile one, 1 day apart */
	assert_null(strstr(text, "add element"));
	/* three memos: none */
	assert_int_equal(export_to(f, 3, 30, T0 + DAY, &out, text, sizeof text), 0);
	assert_int_equal(out.netblocks + out.v4 + out.v6, 0);
	/* a file that cannot be written is named */
	assert_int_equal(sw_nft_export(f->db, &(const struct sw_nft_export){
		.path = "/nonexistent/dir/offenders.nft", .min_reports = 1, .days = 30,
		.now_us = T0 }, &out, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/dir/offenders.nft"));
}

/* Memos recorded before the migration get the default 7 days to answer. */
static void test_answer_by_backfilled(void **state)
{
	struct fixture *f = *state;
	char path[160], err[256], s[64];
	sqlite3 *db;

	int ledger = -1;

	/* the database as it was just before the ledger's migration (the one
	 * that makes report_answers), whatever comes after it */
	for (int i = 0; i < sw_schema_version && ledger < 0; i++)
		if (strstr(sw_schema_migrations[i], "CREATE TABLE report_answers"))
			ledger = i;
	assert_true(ledger > 0);
	snprintf(path, sizeof path, "%s/old.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sw_db_migrate(db, path, ledger, err, sizeof err), 0);
	assert_int_equal(sw_db_exec(db, "INSERT INTO reports(netblock, created, subject)"
				    " VALUES ('198.51.100.0/24', 1000, 's')"), 0);
	sqlite3_close(db);
	db = sw_db_open(path, 0, err, sizeof err);
	assert_non_null(db);
	text_of(db, "SELECT answer_by FROM reports", s, sizeof s);
	assert_string_equal(s, "604800001000");
	sw_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netblock_parse),
		cmocka_unit_test(test_netblock_lists_and_bounds),
		cmocka_unit_test(test_nft_reduce),
		cmocka_unit_test(test_nft_render),
		cmocka_unit_test(test_note_problem),
		cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranges_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offenders_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_by_backfilled, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
