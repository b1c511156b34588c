/*
 * logs.c - log files into log_lines, and log_lines into detections (see
 * logs.h). Lines are read with a fixed buffer (an endless line is cut and
 * rejected, never held in memory), parsed by logline.c, their source
 * resolved when it is a name (unless --offline), and stored once: the
 * table is unique on (time, text). Detections derived from them are keyed
 * by their first line, so re-running writes nothing new.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <netdb.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "addr.h"
#include "db.h"
#include "log.h"
#include "siphash.h"
#include "logline.h"
#include "logs.h"
#include "netset.h"
#include "util.h"

/* One line into buf (without its newline); *overlong when it did not fit
 * (the rest is skipped). false at the end of the file. */
static bool read_line(FILE *f, char *buf, size_t cap, size_t *len, bool *overlong)
{
	int c;
	size_t n = 0;

	*overlong = false;
	while ((c = getc(f)) != EOF && c != '\n') {
		if (n < cap)
			buf[n++] = (char)c;
		else
			*overlong = true;
	}
	*len = n;
	return c != EOF || n > 0 || *overlong;
}

enum lookup { LOOKUP_OK, LOOKUP_NONE, LOOKUP_TRY_LATER };

/* The address of a name, forward only: LOOKUP_OK, LOOKUP_NONE (the name
 * has no address) or LOOKUP_TRY_LATER (the resolver failed this time). */
static enum lookup lookup_name(const char *name, struct sw_addr *a)
{
	struct addrinfo hints, *res = NULL;
	bool ok = false;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc == EAI_NONAME
#ifdef EAI_NODATA
	    || rc == EAI_NODATA
#endif
	    || rc == EAI_FAMILY)
		return LOOKUP_NONE;
	if (rc != 0)
		return LOOKUP_TRY_LATER;
	for (struct addrinfo *p = res; p && !ok; p = p->ai_next) {
		char text[SW_ADDR_STRLEN];
		if (getnameinfo(p->ai_addr, p->ai_addrlen, text, sizeof text, NULL, 0,
		                NI_NUMERICHOST) == 0)
			ok = sw_addr_parse(text, a);
	}
	freeaddrinfo(res);
	return ok ? LOOKUP_OK : LOOKUP_NONE;
}

/*
 * Names met in log lines, with what they resolved to (or that they did
 * not). A brute force from one named host is thousands of lines with the
 * same name: one lookup (and one timeout, when DNS is down) per name, not
 * per line. Direct-mapped and fixed in size: a name that collides just
 * replaces the older one. A resolver failure (not "no such name") is
 * kept only RETRY_S seconds: a lost packet must not leave all of a name's
 * lines unresolved, and a dead DNS must not cost a timeout per line.
 */
#define NAME_CACHE 1024
#define RETRY_S 30

struct name_entry {
	char name[256];
	bool ok;
	time_t retry_at;       /* a failure to try again after; 0: final */
	struct sw_addr addr;
};

struct sw_logs {
	struct sw_sipkey key;  /* names come from hostile log lines */
	struct name_entry names[NAME_CACHE];
	/* a line as read, and as stored: too big for the stack */
	char buf[SW_LOG_MAX_LINE + 1];
	char text[4 * (SW_LOG_MAX_LINE + 1)];
};

struct sw_logs *sw_logs_new(void)
{
	struct sw_logs *lg = calloc(1, sizeof *lg);

	if (lg)
		(void)sw_sipkey_random(&lg->key); /* else a fixed key: still a hash */
	return lg;
}

void sw_logs_free(struct sw_logs *lg)
{
	free(lg);
}

static bool resolve(struct sw_logs *lg, const char *name, struct sw_addr *a)
{
	struct name_entry *e = &lg->names[sw_siphash(&lg->key, name, strlen(name)) % NAME_CACHE];

	if (e->name[0] && !strcmp(e->name, name) &&
	    (e->retry_at == 0 || time(NULL) < e->retry_at)) {
		*a = e->addr;
		return e->ok;
	}
	enum lookup got = lookup_name(name, &e->addr);
	e->ok = got == LOOKUP_OK;
	e->retry_at = got == LOOKUP_TRY_LATER ? time(NULL) + RETRY_S : 0;
	snprintf(e->name, sizeof e->name, "%s", name);
	*a = e->addr;
	return e->ok;
}

/* Would resolve() answer name from the cache (no lookup)? */
static bool resolved_before(struct sw_logs *lg, const char *name)
{
	const struct name_entry *e =
		&lg->names[sw_siphash(&lg->key, name, strlen(name)) % NAME_CACHE];

	return e->name[0] && !strcmp(e->name, name) &&
	       (e->retry_at == 0 || time(NULL) < e->retry_at);
}

static int store_event(struct sw_logs *lg, sqlite3_stmt *st, const char *path, const char *text,
                       const struct sw_logev *ev, const struct sw_logs_opts *o)
{
	struct sw_addr src = ev->src;
	char srctext[SW_ADDR_STRLEN], dst[SW_ADDR_STRLEN];
	bool known = ev->src_numeric || (!o->offline && resolve(lg, ev->src_name, &src));

	sqlite3_bind_int64(st, 1, ev->ts_us);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_STATIC);
	sw_db_bind_text(st, 4, ev->host);
	sw_db_bind_text(st, 5, ev->program);
	sqlite3_bind_text(st, 6, sw_logev_kind_name(ev->kind), -1, SQLITE_STATIC);
	if (known) {
		sqlite3_bind_text(st, 7, sw_addr_format(&src, srctext, sizeof srctext), -1,
		                  SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 8, src.family);
		sqlite3_bind_blob(st, 9, src.bytes, 16, SQLITE_TRANSIENT);
	} else {
		static const uint8_t zero[16];
		sqlite3_bind_text(st, 7, ev->src_name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 8, 0);
		sqlite3_bind_blob(st, 9, zero, 16, SQLITE_STATIC);
	}
	sw_db_bind_text(st, 10, ev->src_numeric ? NULL : ev->src_name);
	sw_db_bind_text(st, 11, ev->has_dst ? sw_addr_format(&ev->dst, dst, sizeof dst) : NULL);
	sw_db_bind_text(st, 12, sw_proto_name(ev->proto));
	if (ev->dport)
		sqlite3_bind_int(st, 13, ev->dport);
	else
		sqlite3_bind_null(st, 13);
	sw_db_bind_text(st, 14, ev->user);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static int store_rejects(sqlite3 *db, const char *path, const unsigned *counts)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "DELETE FROM log_rejects WHERE file = ?1", -1, &del, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO log_rejects (file, reason, count) VALUES (?1, ?2, ?3)",
	                       -1, &ins, NULL))
		goto out;
	sqlite3_bind_text(del, 1, path, -1, SQLITE_STATIC);
	if (sqlite3_step(del) != SQLITE_DONE)
		goto out;
	for (int r = SW_LOG_TOO_LONG; r < SW_LOG_NRES; r++) {
		if (!counts[r] || r == SW_LOG_NOT_EVENT)
			continue;
		sqlite3_bind_text(ins, 1, path, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, sw_log_res_name((enum sw_logres)r), -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 3, (int)counts[r]);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto out;
		sqlite3_reset(ins);
	}
	rc = 0;
out:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return rc;
}

/* Lines stored per transaction: the write lock is let go between them, so
 * the sensor's writer never waits long for a big file. */
#define EVENTS_PER_TX 2000

int sw_logs_ingest(struct sw_logs *lg, sqlite3 *db, const char *path,
                   const struct sw_logs_opts *o, struct sw_logs_result *r)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO log_lines (ts, line, file, host, program, kind, src,"
		" src_family, src_bin, src_name, dst, proto, dport, user)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
	char *buf = lg->buf, *text = lg->text;
	unsigned counts[SW_LOG_NRES] = { 0 };
	struct sw_logctx ctx;
	struct sw_logev ev;
	struct stat sb;
	sqlite3_stmt *st = NULL;
	size_t len;
	bool overlong;
	int rc = -1;
	FILE *f = fopen(path, "r");

	memset(r, 0, sizeof *r);
	if (!f || fstat(fileno(f), &sb) < 0) {
		sw_err("--syslog %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.year_hint = o->year;
	ctx.file_mtime_us = (int64_t)sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000;
	snprintf(ctx.tz, sizeof ctx.tz, "%s", o->tz ? o->tz : "");
	if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0)
		goto out_file;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sw_err("database: %s", sqlite3_errmsg(db));
		goto out;
	}
	while (read_line(f, buf, sizeof lg->buf - 1, &len, &overlong)) {
		enum sw_logres res;

		r->lines++;
		/* an over-long line is judged on what fits, and refused as such */
		res = overlong ? SW_LOG_TOO_LONG : sw_log_parse(buf, len, &ctx, &ev);
		counts[res]++;
		if (res == SW_LOG_NOT_EVENT) {
			r->ignored++;
			continue;
		}
		if (res != SW_LOG_OK) {
			r->rejected++;
			continue;
		}
		r->events++;
		/* never a write transaction (nor a snapshot) held over a DNS
		 * lookup, which may take the resolver's whole timeout; and
		 * none over more than EVENTS_PER_TX lines (storing a line
		 * again is a no-op, so a file cut short is simply read again) */
		if ((!ev.src_numeric && !o->offline && !resolved_before(lg, ev.src_name)) ||
		    r->events % EVENTS_PER_TX == 0) {
			struct sw_addr unused;

			if (sw_db_exec(db, "COMMIT") < 0)
				goto out; /* still in it: rolled back */
			assert(sw_db_idle(db));
			if (!ev.src_numeric && !o->offline)
				(void)resolve(lg, ev.src_name, &unused); /* the cache keeps it */
			if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0)
				goto out_notx;
		}
		sw_sanitize(text, sizeof lg->text, buf, sw_log_identity_len(buf, len));
		if (store_event(lg, st, path, text, &ev, o) < 0) {
			sw_err("database: %s", sqlite3_errmsg(db));
			goto out;
		}
		if (sqlite3_changes(db))
			r->stored++;
		else
			r->duplicates++;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	if (ferror(f)) {
		sw_err("--syslog %s: read error", path);
		goto out;
	}
	if (store_rejects(db, path, counts) < 0) {
		sw_err("database: %s", sqlite3_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	if (sw_db_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK") < 0)
		rc = -1;
	goto out_file;
out_notx:
	sqlite3_finalize(st);
out_file:
	fclose(f);
	return rc;
}

/* ---- detections from the stored lines -------------------------------------- */

enum log_class { LC_LOGIN, LC_REFUSED, LC_FIREWALL };

static enum log_class class_of(const char *kind)
{
	if (!strcmp(kind, "tcpd_refused"))
		return LC_REFUSED;
	if (!strcmp(kind, "firewall"))
		return LC_FIREWALL;
	return LC_LOGIN;
}

struct group {
	int64_t first_id;
	char src[256];
	int family;
	uint8_t bin[16];
	enum log_class cls;
	int64_t first, last;
	unsigned lines;
	char proto[8];
	/* small exact sets: a log file is not a packet stream */
	char targets[64][64];
	unsigned ntargets;
	int ports[64];
	unsigned nports;
	int64_t ids[8];      /* evidence: the first four lines, then the last four */
	unsigned nids;
};

static void add_target(struct group *g, const char *t)
{
	for (unsigned i = 0; i < g->ntargets; i++)
		if (!strcmp(g->targets[i], t))
			return;
	if (g->ntargets < SW_ARRAY_LEN(g->targets))
		snprintf(g->targets[g->ntargets++], sizeof g->targets[0], "%s", t);
}

static void add_port(struct group *g, int port)
{
	for (unsigned i = 0; i < g->nports; i++)
		if (g->ports[i] == port)
			return;
	if (g->nports < SW_ARRAY_LEN(g->ports))
		g->ports[g->nports++] = port;
}

static const char *group_kind(const struct group *g)
{
	switch (g->cls) {
	case LC_LOGIN:
		return g->lines >= 3 ? "login_attempts" : "port_probe";
	case LC_REFUSED:
		return g->ntargets >= 5 ? "host_sweep" : "port_probe";
	default:
		if (g->ntargets >= 5 && g->nports >= 5)
			return "block_scan";
		if (g->nports >= 5)
			return "port_scan";
		return g->ntargets >= 5 ? "host_sweep" : "port_probe";
	}
}

static int64_t syslog_run(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	if (sw_db_exec(db, "INSERT INTO sensors (name) VALUES ('syslog') ON CONFLICT (name) DO NOTHING;"
	                   "INSERT INTO runs (sensor_id, source, recorded_at, finished)"
	                   " SELECT id, 'log lines', 0, 1 FROM sensors WHERE name = 'syslog'"
	                   " AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.sensor_id = sensors.id"
	                   " AND r.source = 'log lines')") < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT r.id FROM runs r JOIN sensors s ON s.id = r.sensor_id"
	                           " WHERE s.name = 'syslog' AND r.source = 'log lines'",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

struct log_stmts {
	sqlite3_stmt *up, *cur, *del_ev, *ins_ev;
};

/* Store one group as a detection; its evidence (the first and last four
 * lines) is rewritten only when the detection itself changed. */
static int flush_group(sqlite3 *db, int64_t run, const struct group *g,
                       const struct log_stmts *q, int *changed)
{
	const char *kind = group_kind(g);
	int ch;

	sqlite3_bind_int64(q->up, 1, run);
	sqlite3_bind_int64(q->up, 2, g->first_id);
	sqlite3_bind_text(q->up, 3, kind, -1, SQLITE_STATIC);
	sw_db_bind_text(q->up, 4, g->proto[0] ? g->proto : "tcp");
	sqlite3_bind_text(q->up, 5, g->src, -1, SQLITE_STATIC);
	sqlite3_bind_int(q->up, 6, g->family);
	sqlite3_bind_blob(q->up, 7, g->bin, 16, SQLITE_STATIC);
	sqlite3_bind_int64(q->up, 8, g->first);
	sqlite3_bind_int64(q->up, 9, g->last);
	sqlite3_bind_int(q->up, 10, (int)(g->ntargets ? g->ntargets : 1));
	sqlite3_bind_int(q->up, 11, (int)g->nports);
	sqlite3_bind_int(q->up, 12, (int)g->lines);
	if (sqlite3_step(q->up) != SQLITE_DONE)
		return -1;
	ch = sqlite3_changes(db);
	sqlite3_reset(q->up);
	*changed += ch;
	sqlite3_bind_int64(q->cur, 1, g->first_id);
	if (sqlite3_step(q->cur) != SQLITE_DONE)
		return -1;
	sqlite3_reset(q->cur);
	if (!ch)
		return 0;
	sqlite3_bind_int64(q->del_ev, 1, run);
	sqlite3_bind_int64(q->del_ev, 2, g->first_id);
	if (sqlite3_step(q->del_ev) != SQLITE_DONE)
		return -1;
	sqlite3_reset(q->del_ev);
	for (unsigned i = 0; i < g->nids; i++) {
		sqlite3_bind_int64(q->ins_ev, 1, run);
		sqlite3_bind_int64(q->ins_ev, 2, g->first_id);
		sqlite3_bind_int64(q->ins_ev, 3, g->ids[i]);
		if (sqlite3_step(q->ins_ev) != SQLITE_DONE)
			return -1;
		sqlite3_reset(q->ins_ev);
	}
	return 0;
}

/* Keep the ids of the first four and the last four lines of a group:
 * once eight are kept, the last four slide. */
static void keep_line(struct group *g, int64_t id)
{
	if (g->nids < 8) {
		g->ids[g->nids++] = id;
		return;
	}
	memmove(g->ids + 4, g->ids + 5, 3 * sizeof g->ids[0]);
	g->ids[7] = id;
}

int sw_logs_detections(sqlite3 *db, int64_t gap_us)
{
	static const char sql_lines[] =
		"SELECT id, ts, src, src_family, src_bin, kind, ifnull(host, ''), ifnull(dst, ''),"
		" ifnull(dport, 0), ifnull(proto, '') FROM log_lines"
		" ORDER BY src_family, src_bin, src, kind = 'tcpd_refused', kind = 'firewall', ts, id";
	static const char sql_up[] =
		"INSERT INTO detections (run_id, seq, kind, proto, src, src_family, src_bin,"
		" first_seen, last_seen, detected_at, targets, ports, packets, closed_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?9)"
		" ON CONFLICT (run_id, seq) DO UPDATE SET kind = excluded.kind,"
		" last_seen = excluded.last_seen, detected_at = excluded.detected_at,"
		" targets = excluded.targets, ports = excluded.ports, packets = excluded.packets,"
		" closed_at = excluded.closed_at"
		" WHERE (kind, last_seen, targets, ports, packets) IS NOT (excluded.kind,"
		" excluded.last_seen, excluded.targets, excluded.ports, excluded.packets)";
	sqlite3_stmt *st = NULL;
	struct log_stmts q = { NULL, NULL, NULL, NULL };
	struct group g = { 0 }; /* the one being built */
	int64_t run = syslog_run(db);
	int changed = 0, rc = -1, have = 0;

	if (run < 0)
		goto sqlerr;
	if (sw_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS cur_log (seq INTEGER PRIMARY KEY);"
	                   "DELETE FROM temp.cur_log") < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql_lines, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_up, -1, &q.up, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.cur_log VALUES (?1)", -1, &q.cur,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM evidence WHERE detection_id ="
	                       " (SELECT id FROM detections WHERE run_id = ?1 AND seq = ?2)",
	                       -1, &q.del_ev, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO evidence (detection_id, ts, line)"
	                       " SELECT (SELECT id FROM detections WHERE run_id = ?1 AND seq = ?2),"
	                       " ts, line FROM log_lines WHERE id = ?3", -1, &q.ins_ev, NULL) != SQLITE_OK)
		goto sqlerr;
	for (;;) {
		int step = sqlite3_step(st);
		bool row = step == SQLITE_ROW;
		const char *src = row ? (const char *)sqlite3_column_text(st, 2) : NULL;
		const char *kind = row ? (const char *)sqlite3_column_text(st, 5) : NULL;
		int64_t ts = row ? sqlite3_column_int64(st, 1) : 0;

		if (!row && step != SQLITE_DONE)
			goto sqlerr;
		if (have && (!row || strcmp(src ? src : "", g.src) != 0 ||
		             class_of(kind ? kind : "") != g.cls || ts - g.last > gap_us)) {
			if (flush_group(db, run, &g, &q, &changed) < 0)
				goto sqlerr;
			have = 0;
		}
		if (!row)
			break;
		if (!have) {
			memset(&g, 0, sizeof g);
			g.first_id = sqlite3_column_int64(st, 0);
			snprintf(g.src, sizeof g.src, "%s", src ? src : "");
			g.family = sqlite3_column_int(st, 3);
			if (sqlite3_column_bytes(st, 4) == 16)
				memcpy(g.bin, sqlite3_column_blob(st, 4), 16);
			g.cls = class_of(kind ? kind : "");
			g.first = ts;
			have = 1;
		}
		g.last = ts;
		g.lines++;
		keep_line(&g, sqlite3_column_int64(st, 0));
		const char *host = (const char *)sqlite3_column_text(st, 6);
		const char *dst = (const char *)sqlite3_column_text(st, 7);
		add_target(&g, dst && *dst ? dst : host ? host : "");
		if (sqlite3_column_int(st, 8))
			add_port(&g, sqlite3_column_int(st, 8));
		if (!g.proto[0])
			snprintf(g.proto, sizeof g.proto, "%s", (const char *)sqlite3_column_text(st, 9));
	}
	/* groups that merged or vanished since the last run */
	char del[160];
	snprintf(del, sizeof del, "DELETE FROM detections WHERE run_id = %lld"
	         " AND seq NOT IN (SELECT seq FROM temp.cur_log)", (long long)run);
	if (sw_db_exec(db, del) < 0)
		goto out;
	changed += sqlite3_changes(db);
	rc = 0;
	goto out;
sqlerr:
	sw_err("database: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	sqlite3_finalize(q.up);
	sqlite3_finalize(q.cur);
	sqlite3_finalize(q.del_ev);
	sqlite3_finalize(q.ins_ev);
	return rc < 0 ? -1 : changed;
}
