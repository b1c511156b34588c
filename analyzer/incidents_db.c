/*
 * incidents_db.c - incidents in the database (see incidents_db.h): the
 * detections and their evidence read into a correlation (correlate.c), the
 * whois ranges the reporter cached offered as netblocks, and the incidents
 * stored as an upsert keyed by their stable key, which only writes what
 * changed; incidents no longer produced are removed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "db.h"
#include "incidents_db.h"
#include "log.h"
#include "logs.h"
#include "util.h"

static void copy_text(char *dst, size_t len, const unsigned char *src)
{
	/* values came off the wire once: keep them printable */
	sw_sanitize(dst, len, src ? (const char *)src : "", (size_t)-1);
}

struct id_index {
	int64_t id;
	size_t pos;
};

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct id_index *)a)->id, y = ((const struct id_index *)b)->id;

	return (x > y) - (x < y);
}

static int load_detections(sqlite3 *db, struct sw_correlation *w)
{
	static const char sql[] =
		"SELECT d.id, d.src, d.src_family, d.src_bin, d.kind, ifnull(d.variant, ''),"
		" ifnull(d.proto, ''), s.name, d.first_seen, d.last_seen, d.targets, d.ports,"
		" d.packets, d.outbound, d.seq, d.sessions_after_scan, d.failed_contacts,"
		" d.successes, d.src_resets, d.src_silent, ifnull(d.probe_sig, 0),"
		" ifnull(d.evasion, '')"
		" FROM detections d JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id"
		" ORDER BY d.src_family, d.src_bin, d.first_seen, d.id";
	static const char sql_ev[] =
		"SELECT detection_id, line FROM evidence ORDER BY detection_id, ts, id";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sw_adet *d = sw_correlation_add(w);

		if (!d)
			goto oom;
		d->id = sqlite3_column_int64(st, 0);
		copy_text(d->src, sizeof d->src, sqlite3_column_text(st, 1));
		d->family = (uint8_t)sqlite3_column_int(st, 2);
		if (sqlite3_column_bytes(st, 3) == 16)
			memcpy(d->bin, sqlite3_column_blob(st, 3), 16);
		copy_text(d->kind, sizeof d->kind, sqlite3_column_text(st, 4));
		copy_text(d->variant, sizeof d->variant, sqlite3_column_text(st, 5));
		copy_text(d->proto, sizeof d->proto, sqlite3_column_text(st, 6));
		copy_text(d->sensor, sizeof d->sensor, sqlite3_column_text(st, 7));
		d->first = sqlite3_column_int64(st, 8);
		d->last = sqlite3_column_int64(st, 9);
		d->targets = (uint32_t)sqlite3_column_int64(st, 10);
		d->ports = (uint32_t)sqlite3_column_int64(st, 11);
		d->packets = (uint64_t)sqlite3_column_int64(st, 12);
		d->outbound = sqlite3_column_int(st, 13);
		d->seq = sqlite3_column_int64(st, 14);
		d->sessions_after = (uint32_t)sqlite3_column_int64(st, 15);
		d->failed_known = sqlite3_column_type(st, 16) != SQLITE_NULL;
		d->failed = (uint32_t)sqlite3_column_int64(st, 16);
		d->successes = (uint32_t)sqlite3_column_int64(st, 17);
		d->src_resets = (uint32_t)sqlite3_column_int64(st, 18);
		d->src_silent = (uint32_t)sqlite3_column_int64(st, 19);
		d->probe_sig = (uint64_t)sqlite3_column_int64(st, 20);
		copy_text(d->evasion, sizeof d->evasion, sqlite3_column_text(st, 21));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlerr;

	/* the destinations of each detection's evidence lines; dets are in
	 * source order, so find each by binary search over an id index */
	struct id_index *idx = calloc(w->ndets ? w->ndets : 1, sizeof *idx);
	if (!idx)
		goto oom_nostmt;
	for (size_t i = 0; i < w->ndets; i++) {
		idx[i].id = w->dets[i].id;
		idx[i].pos = i;
	}
	qsort(idx, w->ndets, sizeof *idx, by_id);
	if (sqlite3_prepare_v2(db, sql_ev, -1, &st, NULL) != SQLITE_OK) {
		free(idx);
		goto sqlerr;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct id_index key = { sqlite3_column_int64(st, 0), 0 };
		const char *line = (const char *)sqlite3_column_text(st, 1);
		struct id_index *hit = bsearch(&key, idx, w->ndets, sizeof *idx, by_id);

		if (line && hit)
			sw_correlation_add_evidence(w, hit->pos, line);
	}
	free(idx);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlerr;

	/* detections made from log lines: their port and host from the line */
	if (sqlite3_prepare_v2(db, "SELECT ifnull(dport, 0), ifnull(dst, ifnull(host, ''))"
	                       " FROM log_lines WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	for (size_t i = 0; i < w->ndets; i++) {
		struct sw_adet *d = &w->dets[i];
		if (strcmp(d->sensor, "syslog") != 0)
			continue;
		sqlite3_bind_int64(st, 1, d->seq);
		if (sqlite3_step(st) == SQLITE_ROW) {
			d->port = (uint16_t)sqlite3_column_int(st, 0);
			copy_text(d->target, sizeof d->target, sqlite3_column_text(st, 1));
		}
		sqlite3_reset(st);
	}
	rc = SQLITE_DONE;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto sqlerr;
	return 0;
oom:
	sqlite3_finalize(st);
oom_nostmt:
	sw_err("out of memory reading detections");
	return -1;
sqlerr:
	sw_err("database: %s", sqlite3_errmsg(db));
	return -1;
}

/* The most specific whois range holding the address (a correlation's
 * sw_netblock_lookup; arg is the prepared statement). */
static bool whois_range(void *arg, const struct sw_adet *d, char *out, size_t len)
{
	sqlite3_stmt *lookup = arg;
	bool found;

	sqlite3_bind_int(lookup, 1, d->family);
	sqlite3_bind_blob(lookup, 2, d->bin, 16, SQLITE_STATIC);
	found = sqlite3_step(lookup) == SQLITE_ROW;
	if (found)
		copy_text(out, len, sqlite3_column_text(lookup, 0));
	sqlite3_reset(lookup);
	return found;
}

static int store(sqlite3 *db, const struct sw_correlation *w, struct sw_incidents_result *res)
{
	static const char sql_upsert[] =
		"INSERT INTO incidents (ikey, level, netblock, src, kinds, first_seen, last_seen,"
		" days, targets, ports, packets, detections, sensors, outbound, severity, reasons,"
		" reportable, compromised, compromise_reason, decoys, decoy_list)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
		" coalesce((SELECT compromised FROM compromise_marks WHERE src = ?4), ?18), ?19,"
		" ?20, ?21)"
		" ON CONFLICT (ikey) DO UPDATE SET level = excluded.level, netblock = excluded.netblock,"
		" src = excluded.src, kinds = excluded.kinds, first_seen = excluded.first_seen,"
		" last_seen = excluded.last_seen, days = excluded.days, targets = excluded.targets,"
		" ports = excluded.ports, packets = excluded.packets, detections = excluded.detections,"
		" sensors = excluded.sensors, outbound = excluded.outbound,"
		" severity = excluded.severity, reasons = excluded.reasons,"
		" reportable = excluded.reportable, compromised = excluded.compromised,"
		" compromise_reason = excluded.compromise_reason, decoys = excluded.decoys,"
		" decoy_list = excluded.decoy_list"
		" WHERE (level, netblock, src, kinds, first_seen, last_seen, days, targets, ports,"
		" packets, detections, sensors, outbound, severity, reasons, reportable, compromised,"
		" compromise_reason, decoys, decoy_list) IS NOT (excluded.level, excluded.netblock,"
		" excluded.src, excluded.kinds, excluded.first_seen, excluded.last_seen, excluded.days,"
		" excluded.targets, excluded.ports, excluded.packets, excluded.detections,"
		" excluded.sensors, excluded.outbound, excluded.severity, excluded.reasons,"
		" excluded.reportable, excluded.compromised, excluded.compromise_reason,"
		" excluded.decoys, excluded.decoy_list)";
	sqlite3_stmt *up = NULL, *cur = NULL, *link = NULL;
	int changed = 0; /* rows of the database's own tables, not the temp ones */
	int rc = -1;

	if (sw_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS cur_inc (ikey TEXT PRIMARY KEY);"
	             "CREATE TEMP TABLE IF NOT EXISTS cur_link (ikey TEXT, detection_id INTEGER,"
	             " PRIMARY KEY (ikey, detection_id));"
	             "DELETE FROM temp.cur_inc; DELETE FROM temp.cur_link;") < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql_upsert, -1, &up, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO temp.cur_inc VALUES (?1)", -1, &cur, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.cur_link VALUES (?1, ?2)", -1, &link,
	                       NULL) != SQLITE_OK) {
		sw_err("database: %s", sqlite3_errmsg(db));
		goto out;
	}
	for (size_t i = 0; i < w->ninc; i++) {
		const struct sw_incident *inc = &w->inc[i];

		sqlite3_bind_text(up, 1, inc->ikey, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, inc->level, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, inc->netblock, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 4, inc->src, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 5, inc->kinds, -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 6, inc->first);
		sqlite3_bind_int64(up, 7, inc->last);
		sqlite3_bind_int(up, 8, (int)inc->days);
		sqlite3_bind_int64(up, 9, inc->targets);
		sqlite3_bind_int64(up, 10, inc->ports);
		sqlite3_bind_int64(up, 11, (sqlite3_int64)inc->packets);
		sqlite3_bind_int(up, 12, (int)inc->ndet);
		sqlite3_bind_text(up, 13, inc->sensors, -1, SQLITE_STATIC);
		sqlite3_bind_int(up, 14, inc->outbound);
		sqlite3_bind_int(up, 15, inc->severity);
		sqlite3_bind_text(up, 16, inc->reasons, -1, SQLITE_STATIC);
		sqlite3_bind_int(up, 17, inc->reportable);
		sqlite3_bind_int(up, 18, inc->compromised);
		if (inc->compromise_reason[0])
			sqlite3_bind_text(up, 19, inc->compromise_reason, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(up, 19);
		sqlite3_bind_int(up, 20, (int)inc->decoys);
		if (inc->decoys)
			sqlite3_bind_text(up, 21, inc->decoy_list, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(up, 21);
		if (sqlite3_step(up) != SQLITE_DONE)
			goto sqlerr;
		changed += sqlite3_changes(db); /* 0 when the row was already so */
		sqlite3_reset(up);
		sqlite3_bind_text(cur, 1, inc->ikey, -1, SQLITE_STATIC);
		if (sqlite3_step(cur) != SQLITE_DONE)
			goto sqlerr;
		sqlite3_reset(cur);
		res->incidents++;
		res->reportable += (unsigned)inc->reportable;
		if (!strcmp(inc->level, "netblock"))
			res->distributed++;
		for (size_t k = 0; k < inc->ndets_span; k++) {
			size_t det = sw_incident_detection(w, inc, k);

			sqlite3_bind_text(link, 1, inc->ikey, -1, SQLITE_STATIC);
			sqlite3_bind_int64(link, 2, w->dets[det].id);
			if (sqlite3_step(link) != SQLITE_DONE)
				goto sqlerr;
			sqlite3_reset(link);
		}
	}
	static const char *const finish_sql[] = {
		"DELETE FROM incidents WHERE ikey IS NULL"
		" OR ikey NOT IN (SELECT ikey FROM temp.cur_inc)",
		"DELETE FROM incident_detections WHERE NOT EXISTS ("
		" SELECT 1 FROM temp.cur_link l JOIN incidents i ON i.ikey = l.ikey"
		" WHERE i.id = incident_detections.incident_id"
		" AND l.detection_id = incident_detections.detection_id)",
		"INSERT OR IGNORE INTO incident_detections (incident_id, detection_id)"
		" SELECT i.id, l.detection_id FROM temp.cur_link l JOIN incidents i ON i.ikey = l.ikey"
		" JOIN detections d ON d.id = l.detection_id",
	};
	for (size_t i = 0; i < SW_ARRAY_LEN(finish_sql); i++) {
		if (sw_db_exec(db, finish_sql[i]) < 0)
			goto out;
		changed += sqlite3_changes(db);
	}
	rc = 0;
	goto out;
sqlerr:
	sw_err("database: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(up);
	sqlite3_finalize(cur);
	sqlite3_finalize(link);
	res->changed = (unsigned)changed;
	return rc;
}

int sw_incidents_update(sqlite3 *db, const struct sw_correlate_opts *o,
                        struct sw_incidents_result *res)
{
	struct sw_correlation w;
	sqlite3_stmt *lookup = NULL;
	int rc = -1;

	sw_correlation_init(&w);
	memset(res, 0, sizeof *res);
	/* 1. log lines become detections first, to feed the same incidents
	 * (a short write) */
	if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0)
		return -1;
	int log_changes = sw_logs_detections(db, o->gap_us);
	if (sw_db_exec(db, log_changes < 0 ? "ROLLBACK" : "COMMIT") < 0 || log_changes < 0)
		return -1;
	/* 2. the correlation, from one snapshot, in a read transaction: the
	 * sensor goes on writing meanwhile (seconds on a large database,
	 * during which a write lock would have kept its writer waiting) */
	if (sw_db_exec(db, "BEGIN") < 0)
		return -1;
	if (load_detections(db, &w) < 0)
		goto out;
	res->detections = (unsigned)w.ndets;
	if (sqlite3_prepare_v2(db,
	        "SELECT cidr FROM whois_ranges WHERE family = ?1 AND first_addr <= ?2"
	        " AND last_addr >= ?2 ORDER BY prefix_len DESC, fetched_at DESC LIMIT 1",
	        -1, &lookup, NULL) != SQLITE_OK) {
		sw_err("database: %s", sqlite3_errmsg(db));
		goto out;
	}
	w.lookup = whois_range;
	w.lookup_arg = lookup;
	if (sw_correlation_run(&w, o) < 0)
		goto out;
	sqlite3_finalize(lookup);
	lookup = NULL;
	if (sw_db_exec(db, "COMMIT") < 0)
		goto out_free;
	/* 3. what changed, in one write transaction. Detections stored since
	 * the snapshot join their incidents at the next run; one removed
	 * since (a prune) is not linked (store() joins the detections) */
	if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0)
		goto out_free;
	if (store(db, &w, res) < 0)
		goto out;
	res->changed += (unsigned)log_changes;
	rc = 0;
out:
	sqlite3_finalize(lookup);
	if (sw_db_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK") < 0)
		rc = -1;
out_free:
	sw_correlation_free(&w);
	return rc;
}

int sw_mark_compromised(sqlite3 *db, const char *src, int compromised)
{
	sqlite3_stmt *st;
	struct sw_addr a;
	int rc;

	if (!sw_addr_parse(src, &a)) {
		sw_err("%s: not an IP address", src);
		return -1;
	}
	if (sqlite3_prepare_v2(db,
	        "INSERT INTO compromise_marks (src, compromised, marked_at)"
	        " VALUES (?1, ?2, CAST(strftime('%s', 'now') AS INTEGER) * 1000000)"
	        " ON CONFLICT (src) DO UPDATE SET compromised = excluded.compromised,"
	        " marked_at = excluded.marked_at", -1, &st, NULL) != SQLITE_OK) {
		sw_err("database: %s", sqlite3_errmsg(db));
		return -1;
	}
	char text[SW_ADDR_STRLEN];
	sw_addr_format(&a, text, sizeof text);
	sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, compromised);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	if (rc < 0)
		sw_err("database: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}
