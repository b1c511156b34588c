/*
 * test_schema.c - database creation, migration and refusal, on real files.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "runstate.h"
#include "schema.h"

static char dir[] = "/tmp/sw-test-schema-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof buf, "%s/%s", dir, name);
	return buf;
}

static int count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
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

static void test_create_sets_version_wal_views(void **state)
{
	char err[512], mode[32];
	sqlite3 *db;

	(void)state;
	db = sw_db_open(path("new.db"), SW_DB_CREATE, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(sw_db_version(db), sw_schema_version);
	assert_true(sw_schema_version >= 1);
	text_of(db, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
	assert_int_equal(count_rows(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(count_rows(db, "PRAGMA application_id"), SW_DB_APPLICATION_ID);
	/* the contract views exist, with their columns, even when empty */
	assert_int_equal(count_rows(db, "SELECT count(*) FROM (SELECT sensor, source, started,"
	                 " ended, packets, bytes, dropped, ifdropped, decode_errors FROM v_runs)"), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM (SELECT kind, variant, proto, src,"
	                 " first_seen, last_seen, detected_at, targets, ports, packets, tool,"
	                 " sensor FROM v_detections)"), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM (SELECT netblock, src, kinds,"
	                 " first_seen, last_seen, days, targets, severity, reportable,"
	                 " compromised FROM v_incidents)"), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM (SELECT netblock, created,"
	                 " recipients, subject, path FROM v_reports)"), 0);
	sw_db_close(db);
}

static void test_reopen_keeps_rows(void **state)
{
	char err[512];
	sqlite3 *db;

	(void)state;
	db = sw_db_open(path("keep.db"), SW_DB_CREATE, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(sw_db_exec(db, "INSERT INTO sensors(name) VALUES ('s1')"), 0);
	sw_db_close(db);
	db = sw_db_open(path("keep.db"), 0, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sensors WHERE name = 's1'"), 1);
	sw_db_close(db);
}

static void test_time_format_in_views(void **state)
{
	char err[512], iso[64];
	sqlite3 *db;

	(void)state;
	db = sw_db_open(path("iso.db"), SW_DB_CREATE, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(sw_db_exec(db,
		"INSERT INTO sensors(id, name) VALUES (1, 's');"
		"INSERT INTO runs(id, sensor_id, source, recorded_at, started, ended)"
		" VALUES (1, 1, 'x.pcap', 0, 1795798181508835, 1795798181000007)"), 0);
	text_of(db, "SELECT started FROM v_runs", iso, sizeof iso);
	assert_string_equal(iso, "2026-11-27T16:49:41.508835Z");
	text_of(db, "SELECT ended FROM v_runs", iso, sizeof iso);
	assert_string_equal(iso, "2026-11-27T16:49:41.000007Z");
	sw_db_close(db);
}

static void test_migrates_old_version(void **state)
{
	char err[512];
	sqlite3 *db;

	(void)state;
	/* an empty database at version 0 is migrated step by step */
	assert_int_equal(sqlite3_open(path("old.db"), &db), SQLITE_OK);
	assert_int_equal(sw_db_migrate(db, path("old.db"), 0, err, sizeof err), 0);
	assert_int_equal(sw_db_version(db), 0);
	sqlite3_close(db);
	db = sw_db_open(path("old.db"), 0, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(sw_db_version(db), sw_schema_version);
	assert_true(count_rows(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'v_runs'") == 1);
	sw_db_close(db);
}

/* Memos written at schema 5 (report_incidents only) still count as told
 * after 006: their incidents' detections are backfilled. */
static void test_report_detections_backfilled(void **state)
{
	char err[512];
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(path("v5.db"), &db), SQLITE_OK);
	assert_int_equal(sw_db_migrate(db, path("v5.db"), 5, err, sizeof err), 0);
	assert_int_equal(sw_db_exec(db,
		"INSERT INTO sensors(id, name) VALUES (1, 's');"
		"INSERT INTO runs(id, sensor_id, source, recorded_at) VALUES (1, 1, 'x', 0);"
		"INSERT INTO detections(id, run_id, seq, kind, proto, src, src_family, src_bin,"
		" first_seen, last_seen, detected_at) VALUES"
		" (1, 1, 1, 'port_scan', 'tcp', '198.51.100.7', 4, zeroblob(16), 10, 20, 15),"
		" (2, 1, 2, 'port_scan', 'tcp', '198.51.100.8', 4, zeroblob(16), 10, 20, 15);"
		"INSERT INTO incidents(id, ikey, netblock, src, kinds, first_seen, last_seen,"
		" reportable) VALUES (1, 's|a', '198.51.100.0/24', '198.51.100.7', 'port_scan', 10, 20, 1),"
		" (2, 's|b', '198.51.100.0/24', '198.51.100.8', 'port_scan', 10, 20, 1);"
		"INSERT INTO incident_detections VALUES (1, 1), (2, 2);"
		"INSERT INTO reports(id, netblock, created, subject) VALUES (1, '198.51.100.0/24', 30, 's');"
		"INSERT INTO report_incidents VALUES (1, 1, 20);"), 0);
	sqlite3_close(db);
	db = sw_db_open(path("v5.db"), 0, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM report_detections"
				       " WHERE report_id = 1 AND detection_id = 1 AND last_seen = 20"), 1);
	/* the told incident is not due; the other one is */
	assert_int_equal(count_rows(db, "SELECT count(*) FROM v_reportable_unreported"), 1);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM v_reportable_unreported"
				       " WHERE src = '198.51.100.8'"), 1);
	sw_db_close(db);
}

/* 008: runs of a 007 database get a status from `finished`; a run whose
 * heartbeat is stale is marked interrupted and its open detections closed
 * at their last evidence; a live one and a finished one are left alone. */
static void test_run_state_and_interrupted(void **state)
{
	char err[512], host[300];
	struct sw_runs_marked m;
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(path("v7.db"), &db), SQLITE_OK);
	assert_int_equal(sw_db_migrate(db, path("v7.db"), 7, err, sizeof err), 0);
	assert_int_equal(sw_db_exec(db,
		"INSERT INTO sensors(id, name) VALUES (1, 's');"
		"INSERT INTO runs(id, sensor_id, source, recorded_at, finished) VALUES"
		" (1, 1, 'done', 0, 1), (2, 1, 'killed', 1000000, 0);"
		"INSERT INTO detections(id, run_id, seq, kind, proto, src, src_family, src_bin,"
		" first_seen, last_seen, detected_at, closed_at) VALUES"
		" (1, 2, 1, 'port_scan', 'tcp', '198.51.100.7', 4, zeroblob(16), 10, 20, 15, NULL),"
		" (2, 2, 2, 'port_scan', 'tcp', '198.51.100.8', 4, zeroblob(16), 10, 20, 15, NULL),"
		" (3, 2, 3, 'port_scan', 'tcp', '198.51.100.9', 4, zeroblob(16), 10, 20, 15, 22);"
		"INSERT INTO evidence(detection_id, ts, line) VALUES (1, 12, 'a'), (1, 25, 'b');"), 0);
	sqlite3_close(db);
	db = sw_db_open(path("v7.db"), 0, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM v_runs WHERE status = 'finished'"
	                                " AND active_seconds = 0 AND peak_pps = 0"), 1);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM v_runs WHERE status = 'running'"), 1);
	/* a live run of this host and process, heartbeat now */
	snprintf(host, sizeof host,
	         "INSERT INTO runs(id, sensor_id, source, recorded_at, host, pid, stats_interval,"
	         " heartbeat) VALUES (3, 1, 'live', 0, '%s', %d, 60, 100000000000)",
	         sw_runs_host(), (int)getpid());
	assert_int_equal(sw_db_exec(db, host), 0);
	/* long after run 2's heartbeat (its recorded_at): run 2 is dead */
	assert_int_equal(sw_runs_mark_interrupted(db, 100000000000, &m), 0);
	assert_int_equal(m.runs, 1);
	assert_int_equal(m.detections, 2);
	assert_int_equal(count_rows(db, "SELECT id FROM runs WHERE status = 'interrupted'"), 2);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs WHERE status = 'running'"), 1);
	/* closed at the last evidence, else at last_seen; a closed one kept */
	assert_int_equal(count_rows(db, "SELECT closed_at FROM detections WHERE id = 1"), 25);
	assert_int_equal(count_rows(db, "SELECT closed_at FROM detections WHERE id = 2"), 20);
	assert_int_equal(count_rows(db, "SELECT closed_at FROM detections WHERE id = 3"), 22);
	assert_int_equal(count_rows(db, "SELECT ended FROM runs WHERE id = 2"), 20);
	/* a finished run inserted as such (the log reader's) says finished */
	assert_int_equal(sw_db_exec(db, "INSERT INTO runs(id, sensor_id, source, recorded_at,"
	                                " finished) VALUES (4, 1, 'log lines', 0, 1)"), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs WHERE id = 4"
	                                " AND status = 'finished'"), 1);
	/* twice changes nothing */
	assert_int_equal(sw_runs_mark_interrupted(db, 100000000000, &m), 0);
	assert_int_equal(m.runs + m.detections, 0);
	sw_db_close(db);
}

static void test_refuses_newer(void **state)
{
	char err[512], sql[64];
	sqlite3 *db;

	(void)state;
	db = sw_db_open(path("newer.db"), SW_DB_CREATE, err, sizeof err);
	assert_non_null(db);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", sw_schema_version + 1);
	assert_int_equal(sw_db_exec(db, sql), 0);
	sw_db_close(db);
	db = sw_db_open(path("newer.db"), 0, err, sizeof err);
	assert_null(db);
	assert_non_null(strstr(err, "newer than this spanwatch"));
	assert_non_null(strstr(err, "newer.db"));
	/* and the refusal changed nothing */
	assert_int_equal(sqlite3_open(path("newer.db"), &db), SQLITE_OK);
	assert_int_equal(sw_db_version(db), sw_schema_version + 1);
	sqlite3_close(db);
}

static void test_refuses_foreign_files(void **state)
{
	char err[512];
	sqlite3 *db;
	FILE *f;

	(void)state;
	f = fopen(path("text.db"), "w");
	assert_non_null(f);
	fputs("this is not a database, just some text long enough to matter\n", f);
	fclose(f);
	db = sw_db_open(path("text.db"), 0, err, sizeof err);
	assert_null(db);
	assert_non_null(strstr(err, "text.db"));
	assert_non_null(strstr(err, "not a spanwatch database"));

	/* another application's SQLite file is left alone */
	assert_int_equal(sqlite3_open(path("other.db"), &db), SQLITE_OK);
	assert_int_equal(sw_db_exec(db, "CREATE TABLE t(x)"), 0);
	sqlite3_close(db);
	db = sw_db_open(path("other.db"), 0, err, sizeof err);
	assert_null(db);
	assert_non_null(strstr(err, "other tables"));

	/* a missing file is not created without SW_DB_CREATE */
	db = sw_db_open(path("missing.db"), 0, err, sizeof err);
	assert_null(db);
	assert_int_equal(access(path("missing.db"), F_OK), -1);
}

/* 009: every database gets its own random identity, kept on reopen; a
 * read-only open (the mode=ro URI, the path's %, ? and # escaped) reads
 * it, and refuses an older schema saying how to migrate it. */
static void test_identity_and_readonly(void **state)
{
	static const char id_sql[] = "SELECT value FROM meta WHERE key = 'id'";
	char err[512], a[80], b[80], again[80], odd[300];
	sqlite3 *db;

	(void)state;
	db = sw_db_open(path("id-a.db"), SW_DB_CREATE, err, sizeof err);
	assert_non_null(db);
	text_of(db, id_sql, a, sizeof a);
	sw_db_close(db);
	db = sw_db_open(path("id-b.db"), SW_DB_CREATE, err, sizeof err);
	assert_non_null(db);
	text_of(db, id_sql, b, sizeof b);
	sw_db_close(db);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_string_not_equal(a, b);
	db = sw_db_open(path("id-a.db"), 0, err, sizeof err);
	assert_non_null(db);
	text_of(db, id_sql, again, sizeof again);
	sw_db_close(db);
	assert_string_equal(a, again);

	/* read-only, a file name SQLite's URIs would misread unescaped */
	snprintf(odd, sizeof odd, "%s", path("odd%20?#.db"));
	assert_int_equal(rename(path("id-a.db"), odd), 0);
	db = sw_db_open(odd, SW_DB_READONLY, err, sizeof err);
	assert_non_null(db);
	text_of(db, id_sql, again, sizeof again);
	assert_string_equal(a, again);
	assert_int_not_equal(sw_db_exec(db, "DELETE FROM meta"), 0);
	sw_db_close(db);

	/* an older schema, read-only: refused, with what to do */
	assert_int_equal(sqlite3_open(path("v8.db"), &db), SQLITE_OK);
	assert_int_equal(sw_db_migrate(db, path("v8.db"), 8, err, sizeof err), 0);
	sqlite3_close(db);
	db = sw_db_open(path("v8.db"), SW_DB_READONLY, err, sizeof err);
	assert_null(db);
	assert_non_null(strstr(err, "schema version 8 is older"));
	assert_non_null(strstr(err, "run spanwatch-analyzer -w"));
	assert_non_null(strstr(err, "v8.db once to migrate it"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_sets_version_wal_views),
		cmocka_unit_test(test_reopen_keeps_rows),
		cmocka_unit_test(test_time_format_in_views),
		cmocka_unit_test(test_migrates_old_version),
		cmocka_unit_test(test_report_detections_backfilled),
		cmocka_unit_test(test_run_state_and_interrupted),
		cmocka_unit_test(test_identity_and_readonly),
		cmocka_unit_test(test_refuses_newer),
		cmocka_unit_test(test_refuses_foreign_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
