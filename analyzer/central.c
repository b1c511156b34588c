/*
 * central.c - spanwatch-analyzer --source: the runs, detections, evidence
 * and log lines of other spanwatch databases copied into this one (see
 * central.h). It owns the import and its bookkeeping (central_sources,
 * central_runs, schema/011-central.sql); correlation stays where it was.
 *
 * A source is known by its own identity (meta 'id'), not by its path, so
 * a copy shipped under another name is the same source. Rows get new ids
 * here; a run is mapped by (source, its id there, its recorded_at), a
 * detection by (run, seq), which the schema already makes unique, and
 * evidence and run counters follow their detection and run. What is read
 * again is what can still change: a run that had ended when it was read
 * is final; of a run still going, the detections open when read (seq at
 * or above the run's next_seq) are read again and updated in place.
 * Log lines are copied by id above a high-water mark, and stored once by
 * their (ts, line) as --syslog stores them; the detections the analyzer
 * makes of log lines are made again here from the lines, never copied.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "db.h"
#include "log.h"
#include "timefmt.h"
#include "util.h"

#define COLS_LEN 2048

/* A table's columns in the central database, but those named in skip:
 * "a, b, c" into out, their number into *n. 0 or -1. */
static int columns(sqlite3 *db, const char *table, const char *const *skip, char *out,
                   size_t len, int *n)
{
	char sql[96];
	sqlite3_stmt *st;
	size_t used = 0;
	int rc;

	snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') ORDER BY cid", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	*n = 0;
	out[0] = '\0';
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		bool skipped = false;

		for (const char *const *s = skip; *s && name; s++)
			skipped |= !strcmp(*s, name);
		if (!name || skipped)
			continue;
		if (!sw_fmt(out + used, len - used, "%s%s", used ? ", " : "", name)) {
			sqlite3_finalize(st);
			return -1;
		}
		used += strlen(out + used);
		(*n)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE && *n > 0 ? 0 : -1;
}

/* "?from, ..., ?(from + n - 1)" */
static void placeholders(char *out, size_t len, int from, int n)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < n && used + 8 < len; i++) {
		snprintf(out + used, len - used, "%s?%d", i ? ", " : "", from + i);
		used += strlen(out + used);
	}
}

/* copy columns [from, from + n) of a source row into parameters at to */
static void bind_row(sqlite3_stmt *dst, int to, sqlite3_stmt *src, int from, int n)
{
	for (int i = 0; i < n; i++)
		sqlite3_bind_value(dst, to + i, sqlite3_column_value(src, from + i));
}

/* ---- one source, open and checked ----------------------------------------- */

struct source {
	const char *path;
	sqlite3 *db;
	char uuid[80];
	bool skip;              /* the same database as an earlier --source */
};

static int meta_id(sqlite3 *db, char *out, size_t len)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'id'", -1, &st,
	                       NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		sw_sanitize(out, len, (const char *)sqlite3_column_text(st, 0), (size_t)-1);
		found = out[0] != '\0';
	}
	sqlite3_finalize(st);
	return found ? 0 : -1;
}

static int source_open(struct source *s, const char *central_id)
{
	char err[512];

	s->db = sw_db_open(s->path, SW_DB_READONLY, err, sizeof err);
	if (!s->db) {
		sw_err("%s", err);
		return -1;
	}
	if (meta_id(s->db, s->uuid, sizeof s->uuid) < 0) {
		sw_err("%s: not a spanwatch database (no identity in its meta table)", s->path);
		return -1;
	}
	if (!strcmp(s->uuid, central_id)) {
		sw_err("%s: is the database given with -w (the same identity %s)", s->path, s->uuid);
		return -1;
	}
	return 0;
}

/* ---- the import ------------------------------------------------------------- */

struct importer {
	sqlite3 *db, *src;
	const char *path;
	int64_t source_id;
	struct sw_central_result *res;
	int nrun, ndet, nev, nctr, nlog;
	/* source */
	sqlite3_stmt *s_runs, *s_sensor, *s_dets, *s_ev, *s_evcount, *s_ctr, *s_logs,
		*s_logat, *s_names;
	/* central */
	sqlite3_stmt *c_sensor_add, *c_sensor_id, *c_map, *c_map_del, *c_map_add, *c_map_set,
		*c_hb, *c_run_add, *c_run_set, *c_ctr_del, *c_ctr_add, *c_det_id, *c_det_add,
		*c_det_set, *c_ev_del, *c_ev_add, *c_evcount, *c_log_add;
};

static int prep(sqlite3 *db, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	sw_err("database: %s", sqlite3_errmsg(db));
	return -1;
}

static void finalize_all(struct importer *im)
{
	sqlite3_stmt **all[] = {
		&im->s_runs, &im->s_sensor, &im->s_dets, &im->s_ev, &im->s_evcount, &im->s_ctr,
		&im->s_logs, &im->s_logat, &im->s_names, &im->c_sensor_add, &im->c_sensor_id,
		&im->c_map, &im->c_map_del, &im->c_map_add, &im->c_map_set, &im->c_hb,
		&im->c_run_add, &im->c_run_set, &im->c_ctr_del, &im->c_ctr_add, &im->c_det_id,
		&im->c_det_add, &im->c_det_set, &im->c_ev_del, &im->c_ev_add, &im->c_evcount,
		&im->c_log_add,
	};
	for (size_t i = 0; i < SW_ARRAY_LEN(all); i++) {
		sqlite3_finalize(*all[i]);
		*all[i] = NULL;
	}
}

/* Every statement, their column lists taken from this database's tables
 * (the source has the same schema version, so the same columns). */
static int prepare(struct importer *im)
{
	static const char *const skip_run[] = { "id", "sensor_id", NULL };
	static const char *const skip_det[] = { "id", "run_id", NULL };
	static const char *const skip_ev[] = { "id", "detection_id", NULL };
	static const char *const skip_ctr[] = { "run_id", NULL };
	static const char *const skip_log[] = { "id", NULL };
	char run[COLS_LEN], det[COLS_LEN], ev[COLS_LEN], ctr[COLS_LEN], lg[COLS_LEN];
	char p1[COLS_LEN], sql[6 * COLS_LEN];

	if (columns(im->db, "runs", skip_run, run, sizeof run, &im->nrun) < 0 ||
	    columns(im->db, "detections", skip_det, det, sizeof det, &im->ndet) < 0 ||
	    columns(im->db, "evidence", skip_ev, ev, sizeof ev, &im->nev) < 0 ||
	    columns(im->db, "run_counters", skip_ctr, ctr, sizeof ctr, &im->nctr) < 0 ||
	    columns(im->db, "log_lines", skip_log, lg, sizeof lg, &im->nlog) < 0) {
		sw_err("database: cannot list the columns of its tables: %s", sqlite3_errmsg(im->db));
		return -1;
	}

	/* source: the analyzer's own run of log lines is left out (its
	 * detections are made again here from the lines) */
	snprintf(sql, sizeof sql, "SELECT r.id, r.recorded_at, r.status, coalesce(r.heartbeat, 0),"
	         " r.sensor_id, %s FROM runs r WHERE NOT (r.source = 'log lines' AND"
	         " (SELECT name FROM sensors s WHERE s.id = r.sensor_id) = 'syslog')"
	         " ORDER BY r.id", run);
	if (prep(im->src, &im->s_runs, sql) < 0 ||
	    prep(im->src, &im->s_sensor, "SELECT name FROM sensors WHERE id = ?1") < 0)
		return -1;
	snprintf(sql, sizeof sql, "SELECT id, seq, closed_at IS NULL, %s FROM detections"
	         " WHERE run_id = ?1 AND seq >= ?2 ORDER BY seq", det);
	if (prep(im->src, &im->s_dets, sql) < 0)
		return -1;
	snprintf(sql, sizeof sql, "SELECT %s FROM evidence WHERE detection_id = ?1 ORDER BY id", ev);
	if (prep(im->src, &im->s_ev, sql) < 0 ||
	    prep(im->src, &im->s_evcount,
	         "SELECT count(*) FROM evidence WHERE detection_id = ?1") < 0)
		return -1;
	snprintf(sql, sizeof sql, "SELECT %s FROM run_counters WHERE run_id = ?1", ctr);
	if (prep(im->src, &im->s_ctr, sql) < 0)
		return -1;
	snprintf(sql, sizeof sql, "SELECT id, ts, %s FROM log_lines WHERE id > ?1 ORDER BY id", lg);
	if (prep(im->src, &im->s_logs, sql) < 0 ||
	    prep(im->src, &im->s_logat, "SELECT ts FROM log_lines WHERE id = ?1") < 0 ||
	    prep(im->src, &im->s_names,
	         "SELECT group_concat(name, ',') FROM (SELECT s.name FROM sensors s"
	         " WHERE EXISTS (SELECT 1 FROM runs r WHERE r.sensor_id = s.id"
	         " AND NOT (s.name = 'syslog' AND r.source = 'log lines')) ORDER BY s.name)") < 0)
		return -1;

	/* central */
	if (prep(im->db, &im->c_sensor_add,
	         "INSERT INTO sensors (name) VALUES (?1) ON CONFLICT (name) DO NOTHING") < 0 ||
	    prep(im->db, &im->c_sensor_id, "SELECT id FROM sensors WHERE name = ?1") < 0 ||
	    prep(im->db, &im->c_map, "SELECT run_id, done, next_seq, src_recorded_at"
	         " FROM central_runs WHERE source_id = ?1 AND src_run_id = ?2") < 0 ||
	    prep(im->db, &im->c_map_del,
	         "DELETE FROM central_runs WHERE source_id = ?1 AND src_run_id = ?2") < 0 ||
	    prep(im->db, &im->c_map_add, "INSERT INTO central_runs (source_id, src_run_id,"
	         " src_recorded_at, run_id) VALUES (?1, ?2, ?3, ?4)") < 0 ||
	    prep(im->db, &im->c_map_set, "UPDATE central_runs SET done = ?3, next_seq = ?4"
	         " WHERE source_id = ?1 AND src_run_id = ?2 AND (done, next_seq) IS NOT (?3, ?4)") < 0 ||
	    prep(im->db, &im->c_hb, "SELECT coalesce(heartbeat, 0) FROM runs WHERE id = ?1") < 0)
		return -1;
	placeholders(p1, sizeof p1, 1, im->nrun + 1);
	snprintf(sql, sizeof sql, "INSERT INTO runs (sensor_id, %s) VALUES (%s)", run, p1);
	if (prep(im->db, &im->c_run_add, sql) < 0)
		return -1;
	snprintf(sql, sizeof sql, "UPDATE runs SET (sensor_id, %s) = (%s) WHERE id = ?%d"
	         " AND (sensor_id, %s) IS NOT (%s)", run, p1, im->nrun + 2, run, p1);
	if (prep(im->db, &im->c_run_set, sql) < 0 ||
	    prep(im->db, &im->c_ctr_del, "DELETE FROM run_counters WHERE run_id = ?1") < 0)
		return -1;
	placeholders(p1, sizeof p1, 1, im->nctr + 1);
	snprintf(sql, sizeof sql, "INSERT INTO run_counters (run_id, %s) VALUES (%s)", ctr, p1);
	if (prep(im->db, &im->c_ctr_add, sql) < 0 ||
	    prep(im->db, &im->c_det_id,
	         "SELECT id FROM detections WHERE run_id = ?1 AND seq = ?2") < 0)
		return -1;
	placeholders(p1, sizeof p1, 1, im->ndet + 1);
	snprintf(sql, sizeof sql, "INSERT INTO detections (run_id, %s) VALUES (%s)", det, p1);
	if (prep(im->db, &im->c_det_add, sql) < 0)
		return -1;
	snprintf(sql, sizeof sql, "UPDATE detections SET (run_id, %s) = (%s) WHERE id = ?%d"
	         " AND (run_id, %s) IS NOT (%s)", det, p1, im->ndet + 2, det, p1);
	if (prep(im->db, &im->c_det_set, sql) < 0 ||
	    prep(im->db, &im->c_ev_del, "DELETE FROM evidence WHERE detection_id = ?1") < 0 ||
	    prep(im->db, &im->c_evcount,
	         "SELECT count(*) FROM evidence WHERE detection_id = ?1") < 0)
		return -1;
	placeholders(p1, sizeof p1, 1, im->nev + 1);
	snprintf(sql, sizeof sql, "INSERT INTO evidence (detection_id, %s) VALUES (%s)", ev, p1);
	if (prep(im->db, &im->c_ev_add, sql) < 0)
		return -1;
	placeholders(p1, sizeof p1, 1, im->nlog);
	snprintf(sql, sizeof sql, "INSERT INTO log_lines (%s) VALUES (%s)"
	         " ON CONFLICT (ts, line) DO NOTHING", lg, p1);
	return prep(im->db, &im->c_log_add, sql);
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* One integer from a statement whose parameters are bound; def when it
 * gives no row. 0 or -1. */
static int step_int(sqlite3_stmt *st, int64_t def, int64_t *out)
{
	int rc = sqlite3_step(st);

	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : def;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* The central id of the source's sensor sensor_id (added by name). */
static int map_sensor(struct importer *im, int64_t src_sensor, int64_t *out)
{
	sqlite3_stmt *st = im->s_sensor;
	char name[128];
	int rc;

	sqlite3_bind_int64(st, 1, src_sensor);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	sw_sanitize(name, sizeof name, (const char *)sqlite3_column_text(st, 0), (size_t)-1);
	sqlite3_reset(st);
	sqlite3_bind_text(im->c_sensor_add, 1, name, -1, SQLITE_TRANSIENT);
	if (step_done(im->c_sensor_add) < 0)
		return -1;
	sqlite3_bind_text(im->c_sensor_id, 1, name, -1, SQLITE_TRANSIENT);
	return step_int(im->c_sensor_id, -1, out) < 0 || *out < 0 ? -1 : 0;
}

/* The evidence of source detection src_id as the evidence of id here. */
static int copy_evidence(struct importer *im, int64_t src_id, int64_t id)
{
	sqlite3_stmt *st = im->s_ev;
	int rc;

	sqlite3_bind_int64(im->c_ev_del, 1, id);
	if (step_done(im->c_ev_del) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, src_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_bind_int64(im->c_ev_add, 1, id);
		bind_row(im->c_ev_add, 2, st, 0, im->nev);
		if (step_done(im->c_ev_add) < 0)
			break;
		im->res->evidence++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The detections of source run src_run from seq *next_seq on, into run;
 * *next_seq becomes the first seq that may still change. */
static int import_detections(struct importer *im, int64_t src_run, int64_t run, int64_t *next_seq)
{
	sqlite3_stmt *st = im->s_dets;
	int64_t first_open = -1, last = -1;
	int rc;

	sqlite3_bind_int64(st, 1, src_run);
	sqlite3_bind_int64(st, 2, *next_seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t src_id = sqlite3_column_int64(st, 0), seq = sqlite3_column_int64(st, 1);
		int64_t id, src_ev, ev;
		bool copy;

		if (sqlite3_column_int(st, 2) && first_open < 0)
			first_open = seq;
		last = seq;
		sqlite3_bind_int64(im->c_det_id, 1, run);
		sqlite3_bind_int64(im->c_det_id, 2, seq);
		if (step_int(im->c_det_id, -1, &id) < 0)
			goto fail;
		if (id < 0) {
			sqlite3_bind_int64(im->c_det_add, 1, run);
			bind_row(im->c_det_add, 2, st, 3, im->ndet);
			if (step_done(im->c_det_add) < 0)
				goto fail;
			id = sqlite3_last_insert_rowid(im->db);
			im->res->detections_new++;
			copy = true;
		} else {
			sqlite3_bind_int64(im->c_det_set, 1, run);
			bind_row(im->c_det_set, 2, st, 3, im->ndet);
			sqlite3_bind_int64(im->c_det_set, im->ndet + 2, id);
			if (step_done(im->c_det_set) < 0)
				goto fail;
			im->res->detections_updated += sqlite3_changes(im->db) > 0;
			/* the sensor only ever adds evidence lines: the same
			 * number is the same lines */
			sqlite3_bind_int64(im->s_evcount, 1, src_id);
			sqlite3_bind_int64(im->c_evcount, 1, id);
			if (step_int(im->s_evcount, 0, &src_ev) < 0 ||
			    step_int(im->c_evcount, 0, &ev) < 0)
				goto fail;
			copy = src_ev != ev;
		}
		if (copy && copy_evidence(im, src_id, id) < 0)
			goto fail;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (first_open >= 0)
		*next_seq = first_open;
	else if (last >= 0)
		*next_seq = last + 1;
	return 0;
fail:
	sqlite3_reset(st);
	return -1;
}

static int copy_counters(struct importer *im, int64_t src_run, int64_t run)
{
	sqlite3_stmt *st = im->s_ctr;
	int rc;

	sqlite3_bind_int64(im->c_ctr_del, 1, run);
	if (step_done(im->c_ctr_del) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, src_run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_bind_int64(im->c_ctr_add, 1, run);
		bind_row(im->c_ctr_add, 2, st, 0, im->nctr);
		if (step_done(im->c_ctr_add) < 0)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* One source run (the current row of s_runs). */
static int import_run(struct importer *im)
{
	sqlite3_stmt *r = im->s_runs;
	int64_t src_run = sqlite3_column_int64(r, 0), recorded = sqlite3_column_int64(r, 1);
	int64_t heartbeat = sqlite3_column_int64(r, 3), sensor, run = -1, next_seq = 0, hb;
	bool done = strcmp((const char *)sqlite3_column_text(r, 2), "running") != 0;
	bool changed;
	int rc;

	sqlite3_bind_int64(im->c_map, 1, im->source_id);
	sqlite3_bind_int64(im->c_map, 2, src_run);
	rc = sqlite3_step(im->c_map);
	if (rc == SQLITE_ROW) {
		run = sqlite3_column_int64(im->c_map, 0);
		if (sqlite3_column_int64(im->c_map, 3) != recorded) {
			/* the source reused the id of a run it pruned: this
			 * is another run (the old one stays here as it was) */
			run = -1;
		} else if (sqlite3_column_int(im->c_map, 1)) {
			sqlite3_reset(im->c_map);
			return 0; /* final when read */
		} else {
			next_seq = sqlite3_column_int64(im->c_map, 2);
		}
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(im->c_map);
		return -1;
	}
	sqlite3_reset(im->c_map);
	if (run >= 0) {
		/* an older copy of the source than the one read last: keep
		 * what we have */
		sqlite3_bind_int64(im->c_hb, 1, run);
		if (step_int(im->c_hb, 0, &hb) < 0)
			return -1;
		if (heartbeat < hb) {
			im->res->runs_stale++;
			return 0;
		}
	}
	if (map_sensor(im, sqlite3_column_int64(r, 4), &sensor) < 0)
		return -1;
	if (run < 0) {
		sqlite3_bind_int64(im->c_map_del, 1, im->source_id);
		sqlite3_bind_int64(im->c_map_del, 2, src_run);
		if (step_done(im->c_map_del) < 0)
			return -1;
		sqlite3_bind_int64(im->c_run_add, 1, sensor);
		bind_row(im->c_run_add, 2, r, 5, im->nrun);
		if (step_done(im->c_run_add) < 0)
			return -1;
		run = sqlite3_last_insert_rowid(im->db);
		sqlite3_bind_int64(im->c_map_add, 1, im->source_id);
		sqlite3_bind_int64(im->c_map_add, 2, src_run);
		sqlite3_bind_int64(im->c_map_add, 3, recorded);
		sqlite3_bind_int64(im->c_map_add, 4, run);
		if (step_done(im->c_map_add) < 0)
			return -1;
		im->res->runs_new++;
		changed = true;
	} else {
		sqlite3_bind_int64(im->c_run_set, 1, sensor);
		bind_row(im->c_run_set, 2, r, 5, im->nrun);
		sqlite3_bind_int64(im->c_run_set, im->nrun + 2, run);
		if (step_done(im->c_run_set) < 0)
			return -1;
		changed = sqlite3_changes(im->db) > 0;
		im->res->runs_updated += changed;
	}
	if (changed && copy_counters(im, src_run, run) < 0)
		return -1;
	if (import_detections(im, src_run, run, &next_seq) < 0)
		return -1;
	sqlite3_bind_int64(im->c_map_set, 1, im->source_id);
	sqlite3_bind_int64(im->c_map_set, 2, src_run);
	sqlite3_bind_int(im->c_map_set, 3, done);
	sqlite3_bind_int64(im->c_map_set, 4, next_seq);
	return step_done(im->c_map_set);
}

/* Log lines above the source's high-water mark; the mark holds only if
 * the line at it is still the same (a source whose lines were pruned to
 * nothing would reuse ids), else every line is read again (stored once
 * all the same). */
static int import_logs(struct importer *im, int64_t hwm_id, int64_t hwm_ts, bool have_ts)
{
	sqlite3_stmt *st = im->s_logs;
	sqlite3_stmt *up = NULL;
	int64_t at;
	int rc;

	if (hwm_id > 0) {
		sqlite3_bind_int64(im->s_logat, 1, hwm_id);
		if (step_int(im->s_logat, INT64_MIN, &at) < 0)
			return -1;
		if (!have_ts || at != hwm_ts)
			hwm_id = 0;
	}
	sqlite3_bind_int64(st, 1, hwm_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		hwm_id = sqlite3_column_int64(st, 0);
		hwm_ts = sqlite3_column_int64(st, 1);
		have_ts = true;
		bind_row(im->c_log_add, 1, st, 2, im->nlog);
		if (step_done(im->c_log_add) < 0)
			break;
		im->res->log_lines += (unsigned)sqlite3_changes(im->db);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (prep(im->db, &up, "UPDATE central_sources SET log_hwm_id = ?2, log_hwm_ts = ?3"
	         " WHERE id = ?1 AND (log_hwm_id, log_hwm_ts) IS NOT (?2, ?3)") < 0)
		return -1;
	sqlite3_bind_int64(up, 1, im->source_id);
	sqlite3_bind_int64(up, 2, hwm_id);
	if (have_ts)
		sqlite3_bind_int64(up, 3, hwm_ts);
	rc = sqlite3_step(up);
	sqlite3_finalize(up);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The source's row in central_sources (added the first time). */
static int source_row(struct importer *im, const struct source *s, int64_t *hwm_id,
                      int64_t *hwm_ts, bool *have_ts)
{
	sqlite3_stmt *st = NULL;
	int64_t now = sw_now_us();
	int rc;

	if (sqlite3_step(im->s_names) == SQLITE_ROW && sqlite3_column_text(im->s_names, 0))
		sw_sanitize(im->res->sensors, sizeof im->res->sensors,
		            (const char *)sqlite3_column_text(im->s_names, 0), (size_t)-1);
	sqlite3_reset(im->s_names);
	if (prep(im->db, &st, "INSERT INTO central_sources (uuid, path, sensors, first_import,"
	         " last_import) VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (uuid) DO UPDATE SET"
	         " path = excluded.path, sensors = excluded.sensors,"
	         " last_import = excluded.last_import"
	         " RETURNING id, log_hwm_id, log_hwm_ts") < 0)
		return -1;
	sqlite3_bind_text(st, 1, s->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->path, -1, SQLITE_STATIC);
	sw_db_bind_text(st, 3, im->res->sensors);
	sqlite3_bind_int64(st, 4, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		im->source_id = sqlite3_column_int64(st, 0);
		*hwm_id = sqlite3_column_int64(st, 1);
		*have_ts = sqlite3_column_type(st, 2) != SQLITE_NULL;
		*hwm_ts = sqlite3_column_int64(st, 2);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int import_source(sqlite3 *db, const struct source *s, struct sw_central_result *res)
{
	struct importer im = { .db = db, .src = s->db, .path = s->path, .res = res };
	int64_t hwm_id = 0, hwm_ts = 0;
	bool have_ts = false;
	int rc = -1, step;

	memset(res, 0, sizeof *res);
	/* one snapshot of the source (a read transaction: the sensor goes
	 * on writing its WAL meanwhile), one transaction here */
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sw_err("%s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (prepare(&im) < 0)
		goto out;
	if (source_row(&im, s, &hwm_id, &hwm_ts, &have_ts) < 0)
		goto sqlerr;
	while ((step = sqlite3_step(im.s_runs)) == SQLITE_ROW)
		if (import_run(&im) < 0)
			goto sqlerr;
	if (step != SQLITE_DONE)
		goto sqlerr;
	if (import_logs(&im, hwm_id, hwm_ts, have_ts) < 0)
		goto sqlerr;
	rc = 0;
	goto out;
sqlerr:
	/* name the side that failed: a source error is the source's */
	if (sqlite3_errcode(s->db) != SQLITE_OK && sqlite3_errcode(s->db) != SQLITE_ROW &&
	    sqlite3_errcode(s->db) != SQLITE_DONE)
		sw_err("%s: cannot read it: %s", s->path, sqlite3_errmsg(s->db));
	else
		sw_err("database: importing %s: %s", s->path, sqlite3_errmsg(db));
out:
	finalize_all(&im);
	if (sw_db_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK") < 0)
		rc = -1;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int sw_central_import(sqlite3 *db, const char *const *paths, int n, bool quiet)
{
	struct source *src = calloc(n > 0 ? (size_t)n : 1, sizeof *src);
	char central_id[80];
	int rc = -1;

	if (!src) {
		sw_err("out of memory");
		return -1;
	}
	if (meta_id(db, central_id, sizeof central_id) < 0) {
		sw_err("database: no identity in its meta table");
		goto out;
	}
	/* every source checked before anything is imported: a typo or a
	 * wrong file changes nothing */
	for (int i = 0; i < n; i++) {
		src[i].path = paths[i];
		if (source_open(&src[i], central_id) < 0)
			goto out;
		for (int k = 0; k < i; k++)
			if (!src[k].skip && !strcmp(src[k].uuid, src[i].uuid)) {
				sw_warn("%s: the same database as %s (identity %s): read once",
				        src[i].path, src[k].path, src[i].uuid);
				src[i].skip = true;
			}
	}
	for (int i = 0; i < n; i++) {
		struct sw_central_result r;

		if (src[i].skip)
			continue;
		if (import_source(db, &src[i], &r) < 0)
			goto out;
		if (!quiet)
			fprintf(stderr, "%s: %s (%s): %u runs new, %u updated; %u detections new, "
			        "%u updated; %u evidence lines, %u log lines%s\n", sw_progname(),
			        src[i].path, r.sensors[0] ? r.sensors : "no sensor", r.runs_new,
			        r.runs_updated, r.detections_new, r.detections_updated, r.evidence,
			        r.log_lines, r.runs_stale ? "; an older copy than the last one read,"
			        " its runs kept as they were" : "");
		else if (r.runs_stale)
			sw_warn("%s: an older copy than the last one read: %u runs kept as they were",
			        src[i].path, r.runs_stale);
	}
	rc = 0;
out:
	for (int i = 0; i < n; i++)
		sw_db_close(src[i].db);
	free(src);
	return rc;
}
