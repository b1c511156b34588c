/*
 * prune.c - retention: old rows leave the database in small transactions.
 *
 * Ages are event times (the packets' and log lines' own stamps, when a
 * whois answer was fetched), so a capture file read today ages like the
 * traffic it holds. Large tables (evidence, detections, log lines) are
 * walked by rowid ranges of batch_rows ids, each range one transaction:
 * no index on time is needed (nothing extra on the sensor's insert path)
 * and no transaction holds the write lock for more than a few
 * milliseconds. Between transactions the loop sleeps briefly, so a sensor
 * waiting in its busy handler gets the lock.
 *
 * Never pruned: what a memo told (report_detections, so their evidence
 * too), the reports and the ledger, detections of runs still open, and
 * incidents a memo named.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "prune.h"
#include "util.h"

#define DAY_US (INT64_C(86400) * 1000000)

void sw_retention_defaults(struct sw_retention *r)
{
	memset(r, 0, sizeof(*r));
	r->evidence_days = 90;
	r->detections_days = 365;
	r->unreportable_days = 30;
	r->log_lines_days = 365;
	r->whois_days = 30;
	r->batch_rows = 1000;
}

/* A detection that is done: closed by the sensor, or of a finished run. */
#define DETECTION_DONE(d) \
	"(" d ".closed_at IS NOT NULL OR (SELECT finished FROM runs WHERE id = " d ".run_id) = 1)"
#define NOT_TOLD(detection_id) \
	"NOT EXISTS (SELECT 1 FROM report_detections rd WHERE rd.detection_id = " detection_id ")"

struct pruner {
	sqlite3 *db;
	unsigned batch;
	uint64_t transactions;
};

/* Let a writer waiting on the lock in first. */
static void pause_briefly(void)
{
	struct timespec ts = { 0, 1000000 }; /* 1 ms */
	nanosleep(&ts, NULL);
}

/* Run sql (parameters ?1 = the cutoff, ?2 = lo id, ?3 = hi id, as it uses
 * them) once; the rows it deleted, or -1. */
static int64_t run_once(struct pruner *p, const char *sql, int64_t cut, int64_t lo, int64_t hi)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sw_err("prune: %s", sqlite3_errmsg(p->db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, cut);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sw_err("prune: %s", sqlite3_errmsg(p->db));
		return -1;
	}
	p->transactions++;
	return sqlite3_changes(p->db);
}

/* The smallest and largest rowid of table; false when it is empty. */
static bool id_span(struct pruner *p, const char *table, int64_t *lo, int64_t *hi)
{
	char sql[128];
	sqlite3_stmt *st;
	bool any = false;

	sw_fmt(sql, sizeof sql, "SELECT min(id), max(id) FROM %s", table);
	if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*lo = sqlite3_column_int64(st, 0);
		*hi = sqlite3_column_int64(st, 1);
		any = true;
	}
	sqlite3_finalize(st);
	return any;
}

/* sql over table's ids batch by batch (?2..?3 inclusive); rows deleted
 * added to *count. 0 or -1. */
static int walk(struct pruner *p, const char *table, const char *sql, int64_t cut,
		uint64_t *count)
{
	int64_t lo, hi;

	if (!id_span(p, table, &lo, &hi))
		return 0;
	for (int64_t a = lo; a <= hi; a += p->batch) {
		int64_t n = run_once(p, sql, cut, a, a + p->batch - 1);
		if (n < 0)
			return -1;
		*count += (uint64_t)n;
		pause_briefly();
	}
	return 0;
}

/* sql (with a LIMIT ?3 of its own) again and again until it deletes
 * fewer rows than a batch. 0 or -1. */
static int repeat(struct pruner *p, const char *sql, int64_t cut, uint64_t *count)
{
	for (;;) {
		int64_t n = run_once(p, sql, cut, 0, p->batch);
		if (n < 0)
			return -1;
		*count += (uint64_t)n;
		if (n < (int64_t)p->batch)
			return 0;
		pause_briefly();
	}
}

static int64_t cutoff(int64_t now_us, unsigned days)
{
	return now_us - (int64_t)days * DAY_US;
}

/* Incidents left without a detection and named by no memo: the analyzer
 * would drop them at its next run anyway. */
static int drop_empty_incidents(struct pruner *p, uint64_t *count)
{
	static const char sql[] =
		"DELETE FROM incidents WHERE id IN (SELECT i.id FROM incidents i"
		" WHERE NOT EXISTS (SELECT 1 FROM incident_detections x WHERE x.incident_id = i.id)"
		" AND NOT EXISTS (SELECT 1 FROM report_incidents ri WHERE ri.incident_id = i.id)"
		" AND ?1 = ?1 LIMIT ?3)";
	return repeat(p, sql, 0, count);
}

/* Noise first: the detections of incidents never reportable whose last
 * activity is older than the cutoff (and of no other incident still
 * young or reportable), then those incidents. */
static int prune_unreportable(struct pruner *p, int64_t cut, struct sw_prune_result *out)
{
	static const char sql[] =
		"DELETE FROM detections WHERE id IN (SELECT d.id FROM detections d"
		" WHERE d.id BETWEEN ?2 AND ?3 AND d.last_seen < ?1 AND " DETECTION_DONE("d")
		" AND " NOT_TOLD("d.id")
		" AND EXISTS (SELECT 1 FROM incident_detections x WHERE x.detection_id = d.id)"
		" AND NOT EXISTS (SELECT 1 FROM incident_detections x JOIN incidents i"
		"  ON i.id = x.incident_id WHERE x.detection_id = d.id"
		"  AND (i.reportable = 1 OR i.last_seen >= ?1)))";
	uint64_t dets = 0;

	if (walk(p, "detections", sql, cut, &dets) < 0)
		return -1;
	out->detections += dets;
	return drop_empty_incidents(p, &out->unreportable_incidents);
}

static int prune_detections(struct pruner *p, int64_t cut, struct sw_prune_result *out)
{
	static const char sql[] =
		"DELETE FROM detections WHERE id IN (SELECT d.id FROM detections d"
		" WHERE d.id BETWEEN ?2 AND ?3 AND d.last_seen < ?1 AND " DETECTION_DONE("d")
		" AND " NOT_TOLD("d.id") ")";
	static const char runs_sql[] =
		"DELETE FROM runs WHERE id IN (SELECT r.id FROM runs r WHERE r.finished = 1"
		" AND coalesce(r.ended, r.recorded_at) < ?1"
		" AND NOT EXISTS (SELECT 1 FROM detections d WHERE d.run_id = r.id) LIMIT ?3)";
	uint64_t ignored = 0;

	if (walk(p, "detections", sql, cut, &out->detections) < 0 ||
	    drop_empty_incidents(p, &ignored) < 0)
		return -1;
	return repeat(p, runs_sql, cut, &out->runs);
}

static int prune_evidence(struct pruner *p, int64_t cut, struct sw_prune_result *out)
{
	static const char sql[] =
		"DELETE FROM evidence WHERE id BETWEEN ?2 AND ?3 AND ts < ?1"
		" AND " NOT_TOLD("evidence.detection_id");
	return walk(p, "evidence", sql, cut, &out->evidence);
}

static int prune_log_lines(struct pruner *p, int64_t cut, struct sw_prune_result *out)
{
	static const char sql[] =
		"DELETE FROM log_lines WHERE id BETWEEN ?2 AND ?3 AND ts < ?1";
	return walk(p, "log_lines", sql, cut, &out->log_lines);
}

static int prune_whois(struct pruner *p, int64_t cut, struct sw_prune_result *out)
{
	static const char lookups[] =
		"DELETE FROM whois_lookups WHERE id IN (SELECT id FROM whois_lookups"
		" WHERE fetched_at < ?1 LIMIT ?3)";
	static const char ranges[] =
		"DELETE FROM whois_ranges WHERE id IN (SELECT id FROM whois_ranges"
		" WHERE fetched_at < ?1 LIMIT ?3)";
	if (repeat(p, lookups, cut, &out->whois_lookups) < 0)
		return -1;
	return repeat(p, ranges, cut, &out->whois_ranges);
}

int sw_prune(sqlite3 *db, const struct sw_retention *r, int64_t now_us,
	     struct sw_prune_result *out)
{
	struct pruner p = { db, r->batch_rows ? r->batch_rows : 1000, 0 };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (r->unreportable_days)
		rc = prune_unreportable(&p, cutoff(now_us, r->unreportable_days), out);
	if (rc == 0 && r->detections_days)
		rc = prune_detections(&p, cutoff(now_us, r->detections_days), out);
	if (rc == 0 && r->evidence_days)
		rc = prune_evidence(&p, cutoff(now_us, r->evidence_days), out);
	if (rc == 0 && r->log_lines_days)
		rc = prune_log_lines(&p, cutoff(now_us, r->log_lines_days), out);
	if (rc == 0 && r->whois_days)
		rc = prune_whois(&p, cutoff(now_us, r->whois_days), out);
	out->transactions = p.transactions;
	/* the freed pages are reused by later inserts; the WAL is folded back
	 * so it does not keep the deleted rows' pages */
	if (rc == 0)
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return rc;
}
