/*
 * test_outbox.c - unit tests for reporter/outbox.c on a real SQLite file
 * and a real directory: a memo is written whole (temporary file and
 * rename) and recorded in the ledger only once written; a memo that cannot
 * be written is not recorded and leaves nothing behind; an mbox is
 * appended to; a failed sendmail leaves the memo written and recorded as
 * not sent.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <dirent.h>
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

#include "db.h"
#include "outbox.h"

/* 2026-11-27T17:42:19Z */
#define T_NOV INT64_C(1795801339000000)

struct fixture {
	char dir[64];
	char dbpath[128];
	sqlite3 *db;
	struct sw_reporter_conf conf;
	struct sw_memo m;
	struct sw_memo_text t;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];

	assert_non_null(f);
	strcpy(f->dir, "/tmp/sw-outbox-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->dbpath, sizeof f->dbpath, "%s/db", f->dir);
	f->db = sw_db_open(f->dbpath, SW_DB_CREATE, err, sizeof err);
	assert_non_null(f->db);
	sw_reporter_conf_defaults(&f->conf);
	strcpy(f->conf.name, "Jose Nazario");
	strcpy(f->conf.email, "jose@bigisp.example");
	/* a memo with no incident rows: the ledger's report row is what is checked */
	strcpy(f->m.netblock, "198.51.100.0/24");
	strcpy(f->t.subject, "Port scan from your network 198.51.100.0/24");
	strcpy(f->t.to[0].addr, "abuse@example.net");
	f->t.nto = 1;
	strcpy(f->t.cc[0].addr, "noc@example.net");
	f->t.ncc = 1;
	sw_buf_printf(&f->t.body, "Hello,\n\nA probe came from your network.\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	sw_db_close(f->db);
	sw_memo_text_free(&f->t);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct sw_outbox outbox(struct fixture *f, enum sw_mail_format fmt, const char *dir)
{
	return (struct sw_outbox){
		.conf = &f->conf,
		.db = f->db,
		.now_us = T_NOV,
		.format = fmt,
		.format_name = fmt == SW_FMT_MBOX ? "mbox" : "eml",
		.dir = dir,
		.quiet = true,
	};
}

static long long count_reports(sqlite3 *db)
{
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM reports", -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The report row's column as text ("" for NULL). */
static void report_column(sqlite3 *db, const char *col, char *out, size_t len)
{
	char sql[128];
	sqlite3_stmt *st;

	snprintf(sql, sizeof sql, "SELECT %s FROM reports ORDER BY id DESC LIMIT 1", col);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, len, "%s",
		 sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return buf;
}

static unsigned files_ending(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;
	size_t sl = strlen(suffix);

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l >= sl && strcmp(e->d_name + l - sl, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* An eml lands under a name made of the time and the netblock, and the
 * ledger records that file, its Message-ID and its recipients. */
static void test_eml_written_then_recorded(void **state)
{
	struct fixture *f = *state;
	struct sw_outbox ob = outbox(f, SW_FMT_EML, f->dir);
	char path[256], got[600], mid[512];
	bool send_failed = true;
	char *msg;

	assert_int_equal(sw_outbox_deliver(&ob, &f->m, &f->t, &send_failed), 0);
	assert_false(send_failed);
	snprintf(path, sizeof path, "%s/20261127T174219Z-198.51.100.0_24.eml", f->dir);
	assert_int_equal(access(path, R_OK), 0);
	assert_int_equal(files_ending(f->dir, ".tmp"), 0);

	assert_int_equal(count_reports(f->db), 1);
	report_column(f->db, "path", got, sizeof got);
	assert_string_equal(got, path);
	report_column(f->db, "recipients", got, sizeof got);
	assert_string_equal(got, "abuse@example.net, cc:noc@example.net");
	report_column(f->db, "format", got, sizeof got);
	assert_string_equal(got, "eml");
	report_column(f->db, "sent", got, sizeof got);
	assert_string_equal(got, "0");

	report_column(f->db, "message_id", mid, sizeof mid);
	assert_non_null(strstr(mid, "@bigisp.example>"));
	msg = slurp(path);
	snprintf(got, sizeof got, "Message-ID: %s", mid);
	assert_non_null(strstr(msg, got));
	assert_non_null(strstr(msg, "Subject: Port scan from your network 198.51.100.0/24"));
	assert_non_null(strstr(msg, "To: <abuse@example.net>"));
	assert_non_null(strstr(msg, "Cc: <noc@example.net>"));
	assert_non_null(strstr(msg, "X-Spanwatch-Netblock: 198.51.100.0/24"));
	free(msg);
}

/* A directory that cannot be written: the memo is neither written nor
 * recorded, so the next run tries again; no temporary file is left. */
static void test_unwritable_not_recorded(void **state)
{
	struct fixture *f = *state;
	char notdir[128];
	FILE *fp;
	bool send_failed;

	snprintf(notdir, sizeof notdir, "%s/plainfile", f->dir);
	fp = fopen(notdir, "w");
	assert_non_null(fp);
	fclose(fp);
	struct sw_outbox ob = outbox(f, SW_FMT_EML, notdir);
	assert_int_equal(sw_outbox_deliver(&ob, &f->m, &f->t, &send_failed), -1);
	assert_int_equal(count_reports(f->db), 0);
	assert_int_equal(files_ending(f->dir, ".tmp"), 0);
	assert_int_equal(files_ending(f->dir, ".eml"), 0);
}

/* Two memos to one mbox: both in it, each after its own "From " line. */
static void test_mbox_appended(void **state)
{
	struct fixture *f = *state;
	struct sw_outbox ob = outbox(f, SW_FMT_MBOX, f->dir);
	char path[256];
	bool send_failed;
	char *box;
	unsigned froms = 0;

	assert_int_equal(sw_outbox_deliver(&ob, &f->m, &f->t, &send_failed), 0);
	ob.now_us += 60000000;
	assert_int_equal(sw_outbox_deliver(&ob, &f->m, &f->t, &send_failed), 0);
	snprintf(path, sizeof path, "%s/spanwatch.mbox", f->dir);
	box = slurp(path);
	for (const char *p = box; (p = strstr(p, "From ")) != NULL; p++)
		if (p == box || p[-1] == '\n')
			froms++;
	assert_int_equal(froms, 2);
	free(box);
	assert_int_equal(count_reports(f->db), 2);
}

/* sendmail refuses: the memo is still written and recorded, as not sent,
 * and the caller is told; sendmail takes it: recorded as sent, and what it
 * got is the message as written. */
static void test_send(void **state)
{
	struct fixture *f = *state;
	struct sw_outbox ob = outbox(f, SW_FMT_EML, f->dir);
	char got[64], sent_copy[160], path[256];
	bool send_failed = false;
	char *a, *b;

	ob.send = true;
	strcpy(f->conf.sendmail, "false");
	assert_int_equal(sw_outbox_deliver(&ob, &f->m, &f->t, &send_failed), 0);
	assert_true(send_failed);
	assert_int_equal(count_reports(f->db), 1);
	report_column(f->db, "sent", got, sizeof got);
	assert_string_equal(got, "0");

	snprintf(sent_copy, sizeof sent_copy, "%s/sent.eml", f->dir);
	snprintf(f->conf.sendmail, sizeof f->conf.sendmail, "cat > '%s'", sent_copy);
	ob.now_us += 60000000;
	assert_int_equal(sw_outbox_deliver(&ob, &f->m, &f->t, &send_failed), 0);
	assert_false(send_failed);
	report_column(f->db, "sent", got, sizeof got);
	assert_string_equal(got, "1");
	report_column(f->db, "path", path, sizeof path);
	a = slurp(path);
	b = slurp(sent_copy);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_eml_written_then_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_not_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mbox_appended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
