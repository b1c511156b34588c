/*
 * export.c - spanwatch-analyzer --export json (see export.h): reads the
 * detections, incidents and memos of the database in one read transaction
 * and writes each as a JSON line. Detections go through lib/events.c, the
 * sensor's own layout; incidents and memos are laid out here. Every text
 * from the database (registry names in a memo's recipients and subject,
 * sensor names) goes through the JSON escaper.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "events.h"
#include "evline.h"
#include "export.h"
#include "jsonw.h"
#include "log.h"
#include "timefmt.h"
#include "util.h"

/* a line of an incident or memo: their ids are capped, their texts are not long */
#define LINE_MAX_BYTES (4u << 20)

bool sw_export_parse_since(const char *s, int64_t *us)
{
	char full[40];

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		if (!sw_fmt(full, sizeof full, "%sT00:00:00Z", s))
			return false;
		s = full;
	}
	return sw_iso_parse_offset(s, us) == 0;
}

/* An address as the sensor writes it, in canonical text into dst. */
static bool canonical(const char *tok, size_t n, char *dst, size_t dstlen)
{
	char buf[80];
	struct sw_addr a;

	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	if (!sw_addr_parse(buf, &a))
		return false;
	sw_addr_format(&a, dst, dstlen);
	return true;
}

void sw_export_destination(const char *line, char *dst, size_t dstlen, int *port)
{
	const char *p;

	dst[0] = '\0';
	*port = -1;
	if (!line)
		return;
	if (strstr(line, " -> ")) { /* a probe: lib/evline.c reads it */
		char addr[SW_ADDR_STRLEN];
		uint16_t pt = 0;

		sw_evline_destination(line, addr, sizeof addr, &pt, NULL, 0);
		if (addr[0] && canonical(addr, strlen(addr), dst, dstlen))
			*port = pt ? pt : -1;
		return;
	}
	/* a flood: "... packets to 203.0.113.80 port 80: ..." or "to 203.0.113.80: ..." */
	if ((p = strstr(line, " packets to ")) != NULL) {
		size_t n;

		p += 12;
		n = strcspn(p, " ");
		if (n && p[n - 1] == ':')
			n--;
		if (!canonical(p, n, dst, dstlen)) {
			dst[0] = '\0';
			return;
		}
		p += n;
		if (!strncmp(p, " port ", 6)) {
			uint64_t v;
			char num[8];
			size_t k = strspn(p + 6, "0123456789");
			if (k && k < sizeof num) {
				memcpy(num, p + 6, k);
				num[k] = '\0';
				if (sw_parse_u64(num, 0, 65535, &v))
					*port = (int)v;
			}
		}
	}
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* A comma-separated column ("a,b", "a, b") as an array of strings. */
static void text_list(struct sw_json *j, const char *key, const char *s)
{
	sw_json_arr(j, key);
	while (s && *s) {
		size_t n;
		while (*s == ' ')
			s++;
		n = strcspn(s, ",");
		if (n)
			sw_json_strn(j, NULL, s, n);
		s += n;
		if (*s == ',')
			s++;
	}
	sw_json_end(j);
}

/* The ids a query gives (one integer column), at most SW_EXPORT_MAX_IDS,
 * as an array; and key_truncated true when there were more. */
static int id_list(struct sw_json *j, const char *key, sqlite3_stmt *st, int64_t owner)
{
	char trunc[64];
	unsigned n = 0;
	bool more = false;
	int rc;

	sqlite3_bind_int64(st, 1, owner);
	sw_json_arr(j, key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == SW_EXPORT_MAX_IDS) {
			more = true;
			break;
		}
		sw_json_int(j, NULL, sqlite3_column_int64(st, 0));
		n++;
	}
	sw_json_end(j);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	sw_fmt(trunc, sizeof trunc, "%s_truncated", key);
	sw_json_bool(j, trunc, more);
	return 0;
}

struct exporter {
	sqlite3 *db;
	FILE *out;
	const char *name;
	struct sw_json j;
	int64_t since;
};

static int put_line(struct exporter *x)
{
	size_t len;
	const char *line = sw_json_line(&x->j, &len);

	if (!line) {
		sw_err("%s: an event too large to write (over %u bytes)", x->name, LINE_MAX_BYTES);
		return -1;
	}
	if (fwrite(line, 1, len, x->out) != len) {
		sw_err("%s: %s", x->name, strerror(errno));
		return -1;
	}
	return 0;
}

static int prepare(struct exporter *x, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(x->db, sql, -1, st, NULL) != SQLITE_OK) {
		sw_err("database: %s", sqlite3_errmsg(x->db));
		return -1;
	}
	return 0;
}

static int export_detections(struct exporter *x, uint64_t *count)
{
	static const char sql[] =
		"SELECT d.id, d.run_id, d.seq, d.kind, d.variant, d.proto, d.src, d.outbound,"
		" d.first_seen, d.last_seen, d.detected_at, d.closed_at, d.targets, d.targets_capped,"
		" d.ports, d.ports_capped, d.packets, d.failed_contacts, d.successes,"
		" d.sessions_after_scan, d.src_resets, d.src_silent, d.tool, d.evasion, d.probe_sig,"
		" s.name,"
		" (SELECT e.line FROM evidence e WHERE e.detection_id = d.id ORDER BY e.ts, e.id LIMIT 1)"
		" FROM detections d JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id"
		" WHERE d.last_seen >= ?1 ORDER BY d.id";
	sqlite3_stmt *st;
	int rc;

	if (prepare(x, sql, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, x->since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sw_ev_det d;
		char dst[SW_ADDR_STRLEN];
		int port;

		memset(&d, 0, sizeof d);
		d.id = sqlite3_column_int64(st, 0);
		d.run_id = sqlite3_column_int64(st, 1);
		d.seq = sqlite3_column_int64(st, 2);
		d.kind = col_text(st, 3);
		d.variant = col_text(st, 4);
		d.proto = col_text(st, 5);
		d.src = col_text(st, 6);
		d.outbound = sqlite3_column_int(st, 7) != 0;
		d.first_seen = sqlite3_column_int64(st, 8);
		d.last_seen = sqlite3_column_int64(st, 9);
		d.detected_at = sqlite3_column_int64(st, 10);
		d.closed = sqlite3_column_type(st, 11) != SQLITE_NULL;
		d.closed_at = sqlite3_column_int64(st, 11);
		d.targets = (uint64_t)sqlite3_column_int64(st, 12);
		d.targets_capped = sqlite3_column_int(st, 13) != 0;
		d.ports = (uint64_t)sqlite3_column_int64(st, 14);
		d.ports_capped = sqlite3_column_int(st, 15) != 0;
		d.packets = (uint64_t)sqlite3_column_int64(st, 16);
		d.failed_contacts = sqlite3_column_type(st, 17) == SQLITE_NULL ? -1
		                  : sqlite3_column_int64(st, 17);
		d.successes = (uint64_t)sqlite3_column_int64(st, 18);
		d.sessions_after = (uint64_t)sqlite3_column_int64(st, 19);
		d.src_resets = (uint64_t)sqlite3_column_int64(st, 20);
		d.src_silent = (uint64_t)sqlite3_column_int64(st, 21);
		d.tool = col_text(st, 22);
		d.evasion = col_text(st, 23);
		d.probe_sig = (uint64_t)sqlite3_column_int64(st, 24);
		d.sensor = col_text(st, 25);
		/* the one target and port, as the sensor's events give them */
		sw_export_destination(col_text(st, 26), dst, sizeof dst, &port);
		d.dst = d.targets == 1 && !d.targets_capped && dst[0] ? dst : NULL;
		d.dport = d.ports == 1 && !d.ports_capped ? port : -1;
		if (!d.kind || !d.src || !d.sensor) {
			sw_err("database: detection %lld: no kind, source or sensor", (long long)d.id);
			rc = SQLITE_ERROR;
			break;
		}
		sw_ev_detection(&x->j, SW_EV_STORED, &d);
		if (put_line(x) < 0) {
			rc = SQLITE_ERROR;
			break;
		}
		(*count)++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ERROR)
		sw_err("database: %s", sqlite3_errmsg(x->db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int export_incidents(struct exporter *x, uint64_t *count)
{
	static const char sql[] =
		"SELECT id, ikey, level, netblock, src, kinds, first_seen, last_seen, days, targets,"
		" ports, packets, detections, sensors, outbound, severity, reportable, compromised,"
		" compromise_reason, reasons, decoys, decoy_list"
		" FROM incidents WHERE last_seen >= ?1 ORDER BY id";
	static const char sql_ids[] =
		"SELECT detection_id FROM incident_detections WHERE incident_id = ?1"
		" ORDER BY detection_id";
	sqlite3_stmt *st = NULL, *ids = NULL;
	int rc = SQLITE_ERROR;

	if (prepare(x, sql, &st) < 0 || prepare(x, sql_ids, &ids) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, x->since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sw_json *j = &x->j;
		const char *level = col_text(st, 2);
		bool source_level = level && !strcmp(level, "source");

		sw_json_reset(j);
		sw_json_obj(j, NULL);
		sw_json_time(j, "@timestamp", sqlite3_column_int64(st, 7));
		sw_json_obj(j, "event");
		sw_json_str(j, "kind", "signal");
		sw_json_arr(j, "category");
		sw_json_str(j, NULL, "intrusion_detection");
		sw_json_end(j);
		sw_json_arr(j, "type");
		sw_json_str(j, NULL, "info");
		sw_json_end(j);
		sw_json_str(j, "action", "incident");
		sw_json_str(j, "dataset", "spanwatch.incident");
		sw_json_str(j, "module", "spanwatch");
		sw_json_int(j, "severity", sqlite3_column_int64(st, 15));
		sw_json_str(j, "reason", col_text(st, 19));
		sw_json_time(j, "start", sqlite3_column_int64(st, 6));
		sw_json_time(j, "end", sqlite3_column_int64(st, 7));
		sw_json_end(j);
		if (source_level) {
			sw_json_obj(j, "source");
			sw_json_str(j, "ip", col_text(st, 4));
			sw_json_end(j);
		}
		sw_ev_observer(j, NULL);
		sw_json_obj(j, "spanwatch");
		sw_json_int(j, "format", SW_EVENTS_FORMAT);
		sw_json_obj(j, "incident");
		sw_json_int(j, "id", sqlite3_column_int64(st, 0));
		sw_json_str(j, "key", col_text(st, 1));
		sw_json_str(j, "level", level);
		sw_json_str(j, "netblock", col_text(st, 3));
		text_list(j, "sources", col_text(st, 4));
		text_list(j, "kinds", col_text(st, 5));
		sw_json_time(j, "first_seen", sqlite3_column_int64(st, 6));
		sw_json_time(j, "last_seen", sqlite3_column_int64(st, 7));
		sw_json_int(j, "days", sqlite3_column_int64(st, 8));
		sw_json_int(j, "targets", sqlite3_column_int64(st, 9));
		sw_json_int(j, "ports", sqlite3_column_int64(st, 10));
		sw_json_int(j, "packets", sqlite3_column_int64(st, 11));
		sw_json_int(j, "detections", sqlite3_column_int64(st, 12));
		text_list(j, "sensors", col_text(st, 13));
		sw_json_bool(j, "outbound", sqlite3_column_int(st, 14) != 0);
		sw_json_int(j, "severity", sqlite3_column_int64(st, 15));
		sw_json_bool(j, "reportable", sqlite3_column_int(st, 16) != 0);
		sw_json_bool(j, "compromised", sqlite3_column_int(st, 17) != 0);
		sw_json_str(j, "compromise_reason", col_text(st, 18));
		sw_json_str(j, "reasons", col_text(st, 19));
		sw_json_int(j, "decoys", sqlite3_column_int64(st, 20));
		text_list(j, "decoy_list", col_text(st, 21));
		if (id_list(j, "detection_ids", ids, sqlite3_column_int64(st, 0)) < 0) {
			rc = SQLITE_ERROR;
			sw_err("database: %s", sqlite3_errmsg(x->db));
			break;
		}
		sw_json_end(j);
		sw_json_end(j);
		sw_json_end(j);
		if (put_line(x) < 0) {
			rc = SQLITE_ERROR;
			break;
		}
		(*count)++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ERROR)
		sw_err("database: %s", sqlite3_errmsg(x->db));
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ids);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The ledger's "a@x, b@y, cc:c@z" as email.to.address and email.cc.address. */
static void recipients(struct sw_json *j, const char *s)
{
	for (int cc = 0; cc < 2; cc++) {
		const char *p = s;
		sw_json_obj(j, cc ? "cc" : "to");
		sw_json_arr(j, "address");
		while (p && *p) {
			size_t n;
			bool is_cc;
			while (*p == ' ')
				p++;
			n = strcspn(p, ",");
			is_cc = n >= 3 && !strncmp(p, "cc:", 3);
			if (n && is_cc == (cc == 1))
				sw_json_strn(j, NULL, p + (is_cc ? 3 : 0), n - (is_cc ? 3 : 0));
			p += n;
			if (*p == ',')
				p++;
		}
		sw_json_end(j);
		sw_json_end(j);
	}
}

static int export_memos(struct exporter *x, uint64_t *count)
{
	static const char sql[] =
		"SELECT id, netblock, created, recipients, subject, path, format, message_id, sent,"
		" kind, country FROM reports WHERE created >= ?1 ORDER BY id";
	static const char sql_inc[] =
		"SELECT incident_id FROM report_incidents WHERE report_id = ?1 ORDER BY incident_id";
	static const char sql_det[] =
		"SELECT detection_id FROM report_detections WHERE report_id = ?1 ORDER BY detection_id";
	sqlite3_stmt *st = NULL, *inc = NULL, *det = NULL;
	int rc = SQLITE_ERROR;

	if (prepare(x, sql, &st) < 0 || prepare(x, sql_inc, &inc) < 0 ||
	    prepare(x, sql_det, &det) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, x->since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sw_json *j = &x->j;
		int64_t id = sqlite3_column_int64(st, 0);
		bool sent = sqlite3_column_int(st, 8) != 0;

		sw_json_reset(j);
		sw_json_obj(j, NULL);
		sw_json_time(j, "@timestamp", sqlite3_column_int64(st, 2));
		sw_json_obj(j, "event");
		sw_json_str(j, "kind", "event");
		sw_json_arr(j, "category");
		sw_json_str(j, NULL, "email");
		sw_json_end(j);
		sw_json_arr(j, "type");
		sw_json_str(j, NULL, "info");
		sw_json_end(j);
		sw_json_str(j, "action", sent ? "memo-sent" : "memo-written");
		sw_json_str(j, "dataset", "spanwatch.memo");
		sw_json_str(j, "module", "spanwatch");
		sw_json_end(j);
		sw_json_obj(j, "email");
		recipients(j, col_text(st, 3));
		sw_json_str(j, "subject", col_text(st, 4));
		sw_json_str(j, "message_id", col_text(st, 7));
		sw_json_end(j);
		sw_ev_observer(j, NULL);
		sw_json_obj(j, "spanwatch");
		sw_json_int(j, "format", SW_EVENTS_FORMAT);
		sw_json_obj(j, "memo");
		sw_json_int(j, "id", id);
		sw_json_str(j, "netblock", col_text(st, 1));
		sw_json_time(j, "created", sqlite3_column_int64(st, 2));
		sw_json_str(j, "recipients", col_text(st, 3));
		sw_json_str(j, "subject", col_text(st, 4));
		sw_json_str(j, "path", col_text(st, 5));
		sw_json_str(j, "format", col_text(st, 6));
		sw_json_str(j, "message_id", col_text(st, 7));
		sw_json_bool(j, "sent", sent);
		/* owner: to the netblock's owner; cert: a CERT memo (and its
		 * national CERT's country, null when it went to our CSIRT alone) */
		sw_json_str(j, "kind", col_text(st, 9));
		if (sqlite3_column_type(st, 10) == SQLITE_NULL || !*col_text(st, 10))
			sw_json_null(j, "country");
		else
			sw_json_str(j, "country", col_text(st, 10));
		if (id_list(j, "incident_ids", inc, id) < 0 ||
		    id_list(j, "detection_ids", det, id) < 0) {
			rc = SQLITE_ERROR;
			sw_err("database: %s", sqlite3_errmsg(x->db));
			break;
		}
		sw_json_end(j);
		sw_json_end(j);
		sw_json_end(j);
		if (put_line(x) < 0) {
			rc = SQLITE_ERROR;
			break;
		}
		(*count)++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ERROR)
		sw_err("database: %s", sqlite3_errmsg(x->db));
out:
	sqlite3_finalize(st);
	sqlite3_finalize(inc);
	sqlite3_finalize(det);
	return rc == SQLITE_DONE ? 0 : -1;
}

int sw_export_json(sqlite3 *db, const struct sw_export_opts *o, FILE *out, const char *name,
                   struct sw_export_counts *counts)
{
	struct exporter x = { db, out, name, { 0 }, o->have_since ? o->since : INT64_MIN };
	int rc = -1;

	memset(counts, 0, sizeof *counts);
	sw_json_dyn(&x.j, LINE_MAX_BYTES);
	/* one snapshot: the counts agree with each other and with the database */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sw_err("database: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (export_detections(&x, &counts->detections) == 0 &&
	    export_incidents(&x, &counts->incidents) == 0 &&
	    export_memos(&x, &counts->memos) == 0)
		rc = 0;
	sqlite3_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	if (rc == 0 && fflush(out) != 0) {
		sw_err("%s: %s", name, strerror(errno));
		rc = -1;
	}
out:
	sw_json_free(&x.j);
	return rc;
}
