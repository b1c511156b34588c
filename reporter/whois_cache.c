/*
 * whois_cache.c - the whois answers kept in the reporter's database: a
 * lookup (whois_lookups: kind, query, status ok/partial/unresolved, the
 * range found), every
 * answer of its chain (whois_responses, byte for byte, to be parsed again
 * on a hit) and the ranges resolved (whois_ranges). Finding the newest
 * usable lookup for a query or an address inside a range, replaying its
 * answers, and storing a resolution all or nothing.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "db.h"
#include "util.h"
#include "whois_cache.h"

static int db_fail(const struct sw_whois_cache *w, const char *what, char *err, size_t errlen)
{
	sw_fmt(err, errlen, "whois cache: %s: %s", what, sqlite3_errmsg(w->db));
	return -1;
}

static int prepare(const struct sw_whois_cache *w, const char *sql, sqlite3_stmt **st,
		   char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(w->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(w, "prepare", err, errlen);
	return 0;
}

/* First and last address of p as 16-byte big-endian bounds. */
static void prefix_bounds(const struct sw_prefix *p, uint8_t first[16], uint8_t last[16])
{
	unsigned bits = p->addr.family == SW_AF_INET ? 32 : 128;

	memcpy(first, p->addr.bytes, 16);
	memcpy(last, p->addr.bytes, 16);
	for (unsigned i = p->len; i < bits; i++)
		last[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

int sw_whois_cache_find(const struct sw_whois_cache *w, const struct sw_whois_cache_key *k,
			int64_t now_us, int64_t *id, char *err, size_t errlen)
{
	return sw_whois_cache_find_status(w, k, now_us, id, NULL, err, errlen);
}

int sw_whois_cache_find_status(const struct sw_whois_cache *w,
			       const struct sw_whois_cache_key *k, int64_t now_us, int64_t *id,
			       bool *partial, char *err, size_t errlen)
{
	const char *kind = k->kind, *query = k->query;
	const struct sw_addr *a = k->addr;
	static const char sql[] =
		"SELECT id, status FROM whois_lookups"
		" WHERE kind = ?1"
		"   AND ((status = 'ok' AND fetched_at > ?2)"
		"        OR (status = 'partial' AND fetched_at > ?6))"
		"   AND (query = ?3 OR (family = ?4 AND first_addr <= ?5 AND last_addr >= ?5))"
		" ORDER BY fetched_at DESC, id DESC LIMIT 1";
	int64_t oldest = INT64_MIN, oldest_partial = INT64_MIN;
	sqlite3_stmt *st;
	int rc;

	if (!w->any_age && w->ttl_s >= 0 && w->ttl_s < INT64_MAX / 2000000 &&
	    now_us > INT64_MIN / 2)
		oldest = now_us - w->ttl_s * 1000000;
	/* a partial answer (the chain broke) is worth asking again sooner */
	if (w->any_age)
		oldest_partial = INT64_MIN;
	else if (w->partial_ttl_s > 0 && w->partial_ttl_s < INT64_MAX / 2000000 &&
		 now_us > INT64_MIN / 2)
		oldest_partial = now_us - w->partial_ttl_s * 1000000;
	else
		oldest_partial = INT64_MAX;
	if (partial)
		*partial = false;
	if (prepare(w, sql, &st, err, errlen) < 0)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, oldest);
	sqlite3_bind_text(st, 3, query, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, oldest_partial);
	if (a) {
		sqlite3_bind_int(st, 4, a->family);
		sqlite3_bind_blob(st, 5, a->bytes, 16, SQLITE_TRANSIENT);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 1);
		*id = sqlite3_column_int64(st, 0);
		if (partial)
			*partial = status && strcmp(status, "partial") == 0;
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = db_fail(w, "lookup", err, errlen);
	}
	sqlite3_finalize(st);
	return rc;
}

struct plain_replay {
	sw_whois_stored_fn fn;
	void *ctx;
};

static void plain_hop(const char *text, size_t len, const char *server, const char *query,
		      void *ctx)
{
	const struct plain_replay *p = ctx;

	(void)query;
	p->fn(text, len, server, p->ctx);
}

int sw_whois_cache_replay(const struct sw_whois_cache *w, int64_t id,
			  sw_whois_stored_fn fn, void *ctx, char *err, size_t errlen)
{
	struct plain_replay p = { fn, ctx };

	return sw_whois_cache_replay_hops(w, id, plain_hop, &p, err, errlen);
}

int sw_whois_cache_replay_hops(const struct sw_whois_cache *w, int64_t id,
			       sw_whois_stored_hop_fn fn, void *ctx, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT server, response, query FROM whois_responses WHERE lookup_id = ?1"
		" ORDER BY hop";
	sqlite3_stmt *st;
	int rc;

	if (prepare(w, sql, &st, err, errlen) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *server = (const char *)sqlite3_column_text(st, 0);
		const char *text = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		const char *query = (const char *)sqlite3_column_text(st, 2);

		fn(text ? text : "", text ? len : 0, server, query ? query : "", ctx);
	}
	if (rc != SQLITE_DONE)
		db_fail(w, "reading cached answers", err, errlen);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Insert or refresh the whois_ranges row of one CIDR. */
static int store_range(const struct sw_whois_cache *w, const struct sw_prefix *p,
		       const struct sw_whois_result *r, int64_t now_us, char *err, size_t errlen)
{
	static const char upd[] =
		"UPDATE whois_ranges SET cidr = ?4, netname = ?5, server = ?6, fetched_at = ?7,"
		" prefix_len = ?8 WHERE family = ?1 AND first_addr = ?2 AND last_addr = ?3";
	static const char ins[] =
		"INSERT INTO whois_ranges (family, first_addr, last_addr, cidr, netname, server,"
		" fetched_at, prefix_len) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	uint8_t first[16], last[16];
	char cidr[SW_ADDR_STRLEN];
	int rc = 0;

	prefix_bounds(p, first, last);
	sw_prefix_format(p, cidr, sizeof(cidr));
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		sqlite3_stmt *st;
		if (prepare(w, pass == 0 ? upd : ins, &st, err, errlen) < 0)
			return -1;
		sqlite3_bind_int(st, 1, p->addr.family);
		sqlite3_bind_blob(st, 2, first, 16, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 3, last, 16, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, cidr, -1, SQLITE_TRANSIENT);
		sw_db_bind_text(st, 5, r->netname);
		sw_db_bind_text(st, 6, r->server);
		sqlite3_bind_int64(st, 7, now_us);
		sqlite3_bind_int(st, 8, p->len);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(w, "storing a range", err, errlen);
		sqlite3_finalize(st);
		if (rc == 0 && pass == 0 && sqlite3_changes(w->db) > 0)
			break;
	}
	return rc;
}

static int store_answers(const struct sw_whois_cache *w, int64_t id,
			 const struct sw_whois_hop *hops,
			 unsigned nhops, int64_t now_us, char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT INTO whois_responses (lookup_id, hop, server, query, response,"
		" truncated, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

	for (unsigned i = 0; i < nhops; i++) {
		sqlite3_stmt *st;
		int rc;

		if (prepare(w, sql, &st, err, errlen) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, (int)i);
		sqlite3_bind_text(st, 3, hops[i].server, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, hops[i].query, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 5, sw_buf_str(&hops[i].answer),
				  (int)hops[i].answer.len, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 6, hops[i].truncated);
		sqlite3_bind_int64(st, 7, now_us);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_fail(w, "storing an answer", err, errlen);
	}
	return 0;
}

int sw_whois_cache_store(const struct sw_whois_cache *w, const struct sw_whois_cache_entry *e,
			 char *err, size_t errlen)
{
	const struct sw_whois_result *r = e->result;
	const char *kind = e->kind, *query = e->query;
	bool ok = e->ok;
	const char *status = !ok ? "unresolved" : r && r->partial ? "partial" : "ok";
	int64_t now_us = e->now_us;
	static const char sql[] =
		"INSERT INTO whois_lookups (kind, query, family, first_addr, last_addr, cidr,"
		" status, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	uint8_t lo[16], hi[16];
	struct sw_buf cidrs = SW_BUF_INIT;
	bool have_range = false;
	sqlite3_stmt *st;
	int rc = -1;

	if (r && r->have_range) {
		memcpy(lo, r->range_lo.bytes, 16);
		memcpy(hi, r->range_hi.bytes, 16);
		have_range = true;
	}
	for (unsigned i = 0; r && i < r->ncidrs && i < SW_WHOIS_MAX_CIDRS; i++) {
		char t[SW_ADDR_STRLEN];
		sw_buf_printf(&cidrs, "%s%s", cidrs.len ? "," : "",
			      sw_prefix_format(&r->cidrs[i], t, sizeof(t)));
	}
	if (sqlite3_exec(w->db, "SAVEPOINT sw_whois", NULL, NULL, NULL) != SQLITE_OK) {
		sw_buf_free(&cidrs);
		return db_fail(w, "savepoint", err, errlen);
	}
	if (prepare(w, sql, &st, err, errlen) < 0)
		goto out;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, query, -1, SQLITE_TRANSIENT);
	if (have_range) {
		sqlite3_bind_int(st, 3, r->range_lo.family);
		sqlite3_bind_blob(st, 4, lo, 16, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 5, hi, 16, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 6, sw_buf_str(&cidrs), -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_text(st, 7, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now_us);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		db_fail(w, "storing a lookup", err, errlen);
		goto out;
	}
	sqlite3_finalize(st);
	if (store_answers(w, sqlite3_last_insert_rowid(w->db), e->hops, e->nhops, now_us,
			  err, errlen) < 0)
		goto out;
	for (unsigned i = 0; ok && r && i < r->ncidrs && i < SW_WHOIS_MAX_CIDRS; i++)
		if (store_range(w, &r->cidrs[i], r, now_us, err, errlen) < 0)
			goto out;
	rc = 0;
out:
	sw_buf_free(&cidrs);
	if (rc < 0)
		sqlite3_exec(w->db, "ROLLBACK TO sw_whois", NULL, NULL, NULL);
	sqlite3_exec(w->db, "RELEASE sw_whois", NULL, NULL, NULL);
	return rc;
}
