/*
 * ledger.c - what is due a memo, the memo's model from the database, and
 * the record of memos written (see ledger.h). All SQL has bound values.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "evline.h"
#include "ledger.h"
#include "netblock.h"
#include "util.h"

static int fail(sqlite3 *db, char *err, size_t errlen, const char *what)
{
	sw_fmt(err, errlen, "database: %s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* Stored text came off the wire once: keep it printable. */
static void copy_col(char *dst, size_t len, sqlite3_stmt *st, int i)
{
	sw_sanitize(dst, len, col_text(st, i), (size_t)-1);
}

/* ---- candidates --------------------------------------------------------- */

int sw_ledger_candidates(sqlite3 *db, struct sw_candidates *out, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT i.id, i.level, i.src, i.netblock, i.last_seen, i.outbound"
		" FROM incidents i"
		" WHERE i.reportable = 1"
		"   AND EXISTS (SELECT 1 FROM incident_detections x"
		"               JOIN detections d ON d.id = x.detection_id"
		"               WHERE x.incident_id = i.id"
		"                 AND NOT EXISTS (SELECT 1 FROM report_detections rd"
		"                                 WHERE rd.detection_id = d.id"
		"                                   AND rd.last_seen >= d.last_seen))"
		/* the most severe netblock first: a run that handles only some
		 * (max_netblocks) handles those */
		" ORDER BY max(i.severity) OVER (PARTITION BY i.netblock) DESC,"
		"          i.netblock, i.level DESC, i.first_seen, i.id";
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(db, err, errlen, "reading incidents");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sw_candidate *c;
		char first[64];

		if (sqlite3_column_int(st, 5)) {
			out->outbound++;
			continue;
		}
		if (sw_grow((void **)&out->c, &cap, out->n + 1, sizeof *out->c) < 0) {
			sqlite3_finalize(st);
			sw_fmt(err, errlen, "out of memory reading incidents");
			return -1;
		}
		c = &out->c[out->n];
		memset(c, 0, sizeof *c);
		c->id = sqlite3_column_int64(st, 0);
		copy_col(c->level, sizeof c->level, st, 1);
		copy_col(c->src, sizeof c->src, st, 2);
		copy_col(c->netblock, sizeof c->netblock, st, 3);
		c->last_seen = sqlite3_column_int64(st, 4);
		/* a netblock incident's src lists its members: use the first */
		sw_fmt(first, sizeof first, "%.*s", (int)strcspn(c->src, ", "), c->src);
		if (!sw_addr_parse(first, &c->addr))
			continue;   /* not an address: nothing we can look up */
		out->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(db, err, errlen, "reading incidents");
	return 0;
}

void sw_candidates_free(struct sw_candidates *c)
{
	free(c->c);
	memset(c, 0, sizeof *c);
}

/* ---- one incident ------------------------------------------------------- */

static int add_host(struct sw_memo *m, const char *addr)
{
	struct sw_addr a;
	struct sw_memo_host *h;

	if (!sw_addr_parse(addr, &a))
		return 0;
	for (size_t i = 0; i < m->nhosts; i++)
		if (!strcmp(m->hosts[i].addr, addr))
			return 0;
	m->hosts_total++;
	if (m->nhosts >= 64)   /* the memo lists a few; the rest is counted */
		return 0;
	if (sw_grow((void **)&m->hosts, &m->hosts_cap, m->nhosts + 1, sizeof *m->hosts) < 0)
		return -1;
	h = &m->hosts[m->nhosts++];
	memset(h, 0, sizeof *h);
	sw_addr_format(&a, h->addr, sizeof h->addr);
	return 0;
}

static int load_detections(sqlite3 *db, struct sw_memo_incident *inc, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT d.id, d.kind, d.variant, d.proto, d.tool, d.first_seen, d.last_seen,"
		" d.targets, d.ports, d.targets_capped, d.ports_capped, d.packets,"
		" d.sessions_after_scan,"
		" (SELECT e.line FROM evidence e WHERE e.detection_id = d.id ORDER BY e.ts, e.id LIMIT 1),"
		" (SELECT count(*) FROM evidence e WHERE e.detection_id = d.id"
		"   AND (e.line LIKE '%completed%' OR e.line LIKE '%payload%'))"
		" FROM incident_detections x JOIN detections d ON d.id = x.detection_id"
		" JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id"
		" WHERE x.incident_id = ?1"
		/* the same activity seen by two packet sensors (overlapping span
		 * ports) is told once, as the sensor that saw more of it saw it:
		 * same kind and protocol, overlapping in time, ... */
		"  AND NOT (s.name <> 'syslog' AND EXISTS (SELECT 1 FROM incident_detections x2"
		"   JOIN detections d2 ON d2.id = x2.detection_id JOIN runs r2 ON r2.id = d2.run_id"
		"   JOIN sensors s2 ON s2.id = r2.sensor_id"
		"   WHERE x2.incident_id = ?1 AND r2.sensor_id <> r.sensor_id AND s2.name <> 'syslog'"
		"    AND d2.kind = d.kind AND d2.proto IS d.proto AND d2.src = d.src"
		"    AND d2.first_seen <= d.last_seen AND d.first_seen <= d2.last_seen"
		"    AND (d2.packets > d.packets OR (d2.packets = d.packets AND d2.id < d.id))"
		/* ... the same packets: an evidence line both quote (one
		 * scanner on two sites at once is told twice) */
		"    AND EXISTS (SELECT 1 FROM evidence e1 JOIN evidence e2 ON e2.detection_id = d2.id"
		"     AND e2.ts = e1.ts AND e2.line = e1.line WHERE e1.detection_id = d.id)))"
		" ORDER BY d.first_seen, d.id";
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(db, err, errlen, "reading detections");
	sqlite3_bind_int64(st, 1, inc->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sw_memo_detection *d;
		uint16_t port;

		if (sw_grow((void **)&inc->dets, &cap, inc->ndets + 1, sizeof *inc->dets) < 0) {
			sqlite3_finalize(st);
			sw_fmt(err, errlen, "out of memory reading detections");
			return -1;
		}
		d = &inc->dets[inc->ndets++];
		memset(d, 0, sizeof *d);
		copy_col(d->kind, sizeof d->kind, st, 1);
		copy_col(d->variant, sizeof d->variant, st, 2);
		copy_col(d->proto, sizeof d->proto, st, 3);
		copy_col(d->tool, sizeof d->tool, st, 4);
		d->first_seen = sqlite3_column_int64(st, 5);
		d->last_seen = sqlite3_column_int64(st, 6);
		d->targets = (unsigned)sqlite3_column_int(st, 7);
		d->ports = (unsigned)sqlite3_column_int(st, 8);
		d->targets_capped = sqlite3_column_int(st, 9);
		d->ports_capped = sqlite3_column_int(st, 10);
		d->packets = (unsigned long long)sqlite3_column_int64(st, 11);
		d->sessions_after_scan = (unsigned)sqlite3_column_int(st, 12);
		sw_evline_destination(col_text(st, 13), d->target, sizeof d->target, &port,
				      d->service, sizeof d->service);
		d->port = port;
		d->syn_only = sqlite3_column_int(st, 14) == 0 &&
			      strcmp(d->kind, "login_attempts") != 0 &&
			      d->sessions_after_scan == 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(db, err, errlen, "reading detections");
	return 0;
}

/* The first and last evidence lines of the incident, and every target. */
static int load_evidence(sqlite3 *db, struct sw_memo *m, struct sw_memo_incident *inc,
			 unsigned want, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT e.ts, e.line FROM incident_detections x"
		" JOIN evidence e ON e.detection_id = x.detection_id"
		/* a line two sensors both saw is one line */
		" WHERE x.incident_id = ? GROUP BY e.ts, e.line ORDER BY e.ts, min(e.id)";
	sqlite3_stmt *st;
	size_t head = (want + 1) / 2, tail = want - head, ring_next = 0;
	struct sw_memo_evidence *ring;
	int rc;

	inc->ev = calloc(want ? want : 1, sizeof *inc->ev);
	ring = calloc(tail ? tail : 1, sizeof *ring);
	if (!inc->ev || !ring) {
		free(ring);
		sw_fmt(err, errlen, "out of memory reading evidence");
		return -1;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		free(ring);
		return fail(db, err, errlen, "reading evidence");
	}
	sqlite3_bind_int64(st, 1, inc->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = col_text(st, 1);
		const char *rest = strchr(line, ' ');   /* after the UTC stamp */
		struct sw_memo_evidence *e;
		char dst[64];
		uint16_t port;

		sw_evline_destination(line, dst, sizeof dst, &port, NULL, 0);
		if (dst[0] && add_host(m, dst) < 0)
			break;
		e = inc->ev_total < head ? &inc->ev[inc->ev_total] :
		    tail ? &ring[ring_next++ % tail] : NULL;
		inc->ev_total++;
		if (!e)
			continue;
		e->ts = sqlite3_column_int64(st, 0);
		sw_sanitize(e->text, sizeof e->text, rest ? rest + 1 : line, (size_t)-1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(ring);
		return fail(db, err, errlen, "reading evidence");
	}
	/* head lines, then the tail ring in order */
	inc->nev = inc->ev_total < head ? inc->ev_total : head;
	if (inc->ev_total > head) {
		size_t have = inc->ev_total - head < tail ? inc->ev_total - head : tail;
		size_t start = ring_next >= have ? ring_next - have : 0;
		for (size_t k = 0; k < have; k++)
			inc->ev[inc->nev++] = ring[(start + k) % tail];
	}
	free(ring);
	return 0;
}

int sw_ledger_load_incident(sqlite3 *db, long long id, unsigned evidence_lines,
			    struct sw_memo *m, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT id, level, src, first_seen, last_seen, days, ports,"
		" severity, packets, compromised, compromise_reason, reasons, decoys, decoy_list"
		" FROM incidents WHERE id = ?";
	struct sw_memo_incident *inc, *grown;
	sqlite3_stmt *st;
	int rc;

	grown = realloc(m->inc, (m->ninc + 1) * sizeof *m->inc);
	if (!grown) {
		sw_fmt(err, errlen, "out of memory reading incidents");
		return -1;
	}
	m->inc = grown;
	inc = &m->inc[m->ninc];
	memset(inc, 0, sizeof *inc);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(db, err, errlen, "reading an incident");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE) {
			sw_fmt(err, errlen, "incident %lld vanished", id);
			return -1;
		}
		return fail(db, err, errlen, "reading an incident");
	}
	inc->id = sqlite3_column_int64(st, 0);
	copy_col(inc->level, sizeof inc->level, st, 1);
	copy_col(inc->src, sizeof inc->src, st, 2);
	inc->first_seen = sqlite3_column_int64(st, 3);
	inc->last_seen = sqlite3_column_int64(st, 4);
	inc->days = (unsigned)sqlite3_column_int(st, 5);
	inc->ports = (unsigned)sqlite3_column_int(st, 6);
	inc->severity = (unsigned)sqlite3_column_int(st, 7);
	inc->packets = (unsigned long long)sqlite3_column_int64(st, 8);
	inc->compromised = sqlite3_column_int(st, 9);
	copy_col(inc->compromise_reason, sizeof inc->compromise_reason, st, 10);
	copy_col(inc->reasons, sizeof inc->reasons, st, 11);
	inc->decoys = (unsigned)sqlite3_column_int(st, 12);
	copy_col(inc->decoy_list, sizeof inc->decoy_list, st, 13);
	sqlite3_finalize(st);
	m->ninc++;
	/* a netblock incident's detections are its sources' too: told once */
	if (strcmp(inc->level, "source") != 0)
		return 0;
	if (load_detections(db, inc, err, errlen) < 0 ||
	    load_evidence(db, m, inc, evidence_lines, err, errlen) < 0)
		return -1;
	/* the evidence names a few targets; the detections count them all */
	for (size_t i = 0; i < inc->ndets; i++)
		if (inc->dets[i].targets > m->hosts_total)
			m->hosts_total = inc->dets[i].targets;
	return 0;
}

/* ---- the record --------------------------------------------------------- */

int sw_ledger_last_report(sqlite3 *db, const char *netblock, int64_t *created)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	if (sqlite3_prepare_v2(db, "SELECT max(created) FROM reports WHERE netblock = ?"
			       " AND kind = 'owner'", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, netblock, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*created = sqlite3_column_int64(st, 0);
		found = 1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? found : -1;
}

int sw_ledger_past_reports(sqlite3 *db, const char *netblock, struct sw_memo *m,
			   char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	m->npast = m->past_total = 0;
	if (sqlite3_prepare_v2(db, "SELECT created, count(*) OVER () FROM reports"
			       " WHERE netblock = ? AND kind = 'owner' ORDER BY created DESC LIMIT ?", -1, &st,
			       NULL) != SQLITE_OK)
		return fail(db, err, errlen, "reading earlier memos");
	sqlite3_bind_text(st, 1, netblock, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, SW_MEMO_MAX_PAST);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* newest first from the query; the memo names them oldest first */
		m->past[SW_MEMO_MAX_PAST - 1 - n++] = sqlite3_column_int64(st, 0);
		m->past_total = (size_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(db, err, errlen, "reading earlier memos");
	memmove(m->past, m->past + SW_MEMO_MAX_PAST - n, n * sizeof m->past[0]);
	m->npast = n;
	return 0;
}

int sw_ledger_recurring(sqlite3 *db, struct sw_memo *m, unsigned reports, unsigned days,
			int64_t now_us, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM reports WHERE netblock = ?1 AND created > ?2),"
		"       (SELECT max(recorded_at) FROM report_answers"
		"        WHERE netblock = ?1 AND kind = 'ack')";
	sqlite3_stmt *st;
	int64_t since, acked = INT64_MIN, last_seen = INT64_MIN;
	long long earlier = 0;
	int rc;

	m->recurring = false;
	m->recent_memos = 1;
	m->recurring_days = days;
	if (reports < 2 || days == 0)
		return 0;
	since = now_us - (int64_t)days * 86400 * 1000000;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(db, err, errlen, "counting recent memos");
	sqlite3_bind_text(st, 1, m->netblock, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		earlier = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			acked = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail(db, err, errlen, "counting recent memos");
	for (size_t i = 0; i < m->ninc; i++)
		if (m->inc[i].last_seen > last_seen)
			last_seen = m->inc[i].last_seen;
	m->recent_memos = earlier >= 0 && earlier < 100000 ? (unsigned)earlier + 1 : 100000;
	/* an answer counts until the activity goes on after it */
	m->recurring = m->recent_memos >= reports && (acked == INT64_MIN || last_seen > acked);
	return 0;
}

/* The CIDRs of netblock into netblock_ranges (what does not parse as a
 * prefix is left out: it names no address). 0, or -1. */
static int store_ranges(sqlite3 *db, const char *netblock)
{
	struct sw_prefix p[SW_NETBLOCK_MAX_CIDRS];
	size_t n = sw_netblock_parse(netblock, p, SW_NETBLOCK_MAX_CIDRS, NULL);
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO netblock_ranges (netblock, family,"
			       " first_addr, last_addr) VALUES (?, ?, ?, ?)", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		uint8_t first[16], last[16];

		sw_netblock_bounds(&p[i], first, last);
		sqlite3_bind_text(st, 1, netblock, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, p[i].addr.family);
		sqlite3_bind_blob(st, 3, first, 16, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 4, last, 16, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

int sw_ledger_sync_ranges(sqlite3 *db, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT DISTINCT r.netblock FROM reports r"
		" WHERE r.kind = 'owner' AND NOT EXISTS (SELECT 1 FROM netblock_ranges g WHERE g.netblock = r.netblock)";
	sqlite3_stmt *st;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc, out = 0;

	/* read them all first: no insert while the select walks the table */
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(db, err, errlen, "reading reports");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *nb = col_text(st, 0);

		if (sw_grow((void **)&names, &cap, n + 1, sizeof *names) < 0 ||
		    !(names[n] = strdup(nb))) {
			rc = SQLITE_NOMEM;
			break;
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sw_fmt(err, errlen, "database: reading reports: %s",
		       rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
		out = -1;
	} else if (n) {
		if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0) {
			out = fail(db, err, errlen, "keeping the netblocks' ranges");
		} else {
			for (size_t i = 0; i < n && out == 0; i++)
				if (store_ranges(db, names[i]) < 0)
					out = fail(db, err, errlen, "keeping the netblocks' ranges");
			if (sw_db_exec(db, out == 0 ? "COMMIT" : "ROLLBACK") < 0 && out == 0)
				out = fail(db, err, errlen, "keeping the netblocks' ranges");
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return out;
}

int sw_ledger_record(sqlite3 *db, const struct sw_report_record *rec,
		     char *err, size_t errlen)
{
	const struct sw_memo *m = rec->memo;
	sqlite3_stmt *st = NULL;
	long long report_id;

	if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0) {
		sw_fmt(err, errlen, "database: cannot start a transaction");
		return -1;
	}
	if (sqlite3_prepare_v2(db,
		"INSERT INTO reports (netblock, created, recipients, subject, path, format,"
		" message_id, sent, answer_by, kind, country)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st,
		NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, m->netblock, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rec->created);
	sw_db_bind_text(st, 3, rec->recipients);
	sqlite3_bind_text(st, 4, rec->subject, -1, SQLITE_STATIC);
	sw_db_bind_text(st, 5, rec->path);
	sw_db_bind_text(st, 6, rec->format);
	sw_db_bind_text(st, 7, rec->message_id);
	sqlite3_bind_int(st, 8, rec->sent);
	sqlite3_bind_int64(st, 9, rec->answer_by);
	sqlite3_bind_text(st, 10, rec->kind ? rec->kind : "owner", -1, SQLITE_STATIC);
	sw_db_bind_text(st, 11, rec->kind ? rec->country : NULL);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	report_id = sqlite3_last_insert_rowid(db);
	if (sqlite3_prepare_v2(db,
		"INSERT OR REPLACE INTO report_incidents (report_id, incident_id, last_seen)"
		" VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < m->ninc; i++) {
		sqlite3_bind_int64(st, 1, report_id);
		sqlite3_bind_int64(st, 2, m->inc[i].id);
		sqlite3_bind_int64(st, 3, m->inc[i].last_seen);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rec->kind) {                /* a CERT memo: nothing told to the owner */
		if (sw_db_exec(db, "COMMIT") < 0)
			goto fail;
		return 0;
	}
	if (sqlite3_prepare_v2(db,
		"INSERT OR REPLACE INTO report_detections (report_id, detection_id, last_seen)"
		" SELECT ?, d.id, d.last_seen FROM incident_detections x"
		" JOIN detections d ON d.id = x.detection_id WHERE x.incident_id = ?",
		-1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < m->ninc; i++) {
		sqlite3_bind_int64(st, 1, report_id);
		sqlite3_bind_int64(st, 2, m->inc[i].id);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (store_ranges(db, m->netblock) < 0 || sw_db_exec(db, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	sw_fmt(err, errlen, "database: recording the memo for %s: %s", m->netblock,
	       sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sw_db_exec(db, "ROLLBACK");
	return -1;
}
