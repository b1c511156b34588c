/*
 * db.c - open, check and migrate a spanwatch database.
 *
 * The schema lives in schema/NNN-*.sql, embedded at build time as
 * sw_schema_migrations[]. PRAGMA user_version counts the migrations applied;
 * each run of sw_db_open() applies the missing ones inside one IMMEDIATE
 * transaction, so a crash half-way leaves the old version intact and two
 * programs opening a new file at once cannot both create it.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "schema.h"
#include "timefmt.h"

/* How long a statement waits for another program's lock before it fails
 * with SQLITE_BUSY (the sensor's writer then retries its batch; the
 * analyzer and the reporter give up and say why). SPANWATCH_BUSY_TIMEOUT
 * (seconds) overrides it, for all three programs. */
#define BUSY_TIMEOUT_DEFAULT_MS 30000
#define BUSY_TIMEOUT_MAX_MS 3600000

static int parse_busy_timeout(void)
{
	const char *env = getenv("SPANWATCH_BUSY_TIMEOUT");
	char *end;
	double s;

	if (!env || !*env)
		return BUSY_TIMEOUT_DEFAULT_MS;
	s = strtod(env, &end);
	if (*end || !(s >= 0) || s * 1000 > BUSY_TIMEOUT_MAX_MS) {
		sw_warn("SPANWATCH_BUSY_TIMEOUT=%s: not seconds from 0 to %d; using %d",
		        env, BUSY_TIMEOUT_MAX_MS / 1000, BUSY_TIMEOUT_DEFAULT_MS / 1000);
		return BUSY_TIMEOUT_DEFAULT_MS;
	}
	return (int)(s * 1000);
}

/* Read once per process (the environment does not change under us), so
 * the busy handler neither parses nor warns again at each call. */
static pthread_once_t busy_timeout_once = PTHREAD_ONCE_INIT;
static int busy_timeout_ms;

static void read_busy_timeout(void)
{
	busy_timeout_ms = parse_busy_timeout();
}

int sw_db_busy_timeout_ms(void)
{
	pthread_once(&busy_timeout_once, read_busy_timeout);
	return busy_timeout_ms;
}

/* The busy handler: SQLite's own pauses (short at first, then 100 ms),
 * counted from the number of calls so the handler keeps no state; when the
 * patience is spent it names the file and the lock and gives up. In WAL
 * mode a writer waits only for another writer's transaction, or for a
 * checkpoint that waits for a reader still using the WAL. */
static const unsigned char busy_delays_ms[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };
#define NDELAYS (sizeof busy_delays_ms / sizeof busy_delays_ms[0])

static int64_t busy_waited_ms(int count)
{
	int64_t total = 0;
	int i;

	for (i = 0; i < count && (size_t)i < NDELAYS; i++)
		total += busy_delays_ms[i];
	return total + (int64_t)(count - i) * 100;
}

static int busy_wait(void *arg, int count)
{
	sqlite3 *db = arg;
	int timeout_ms = sw_db_busy_timeout_ms();
	int64_t waited = busy_waited_ms(count);
	int64_t delay = (size_t)count < NDELAYS ? busy_delays_ms[count] : 100;
	const char *path = sqlite3_db_filename(db, "main");

	if (waited >= timeout_ms) {
		sw_warn("%s: database is locked by another writer (or by a checkpoint waiting"
		        " for a reader of the WAL); gave up after %.1f s (SPANWATCH_BUSY_TIMEOUT)",
		        path && *path ? path : "(memory)", (double)waited / 1000);
		return 0;
	}
	sw_sleep_ms(delay < timeout_ms - waited ? delay : timeout_ms - waited);
	return 1;
}

static int query_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

int sw_db_version(sqlite3 *db)
{
	int v;

	return query_int(db, "PRAGMA user_version", &v) == SQLITE_OK ? v : -1;
}

int sw_db_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sw_err("database: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* A file that carries another application's id is not ours to change. */
static int check_identity(sqlite3 *db, const char *path, int version,
                          char *err, size_t errlen)
{
	int app_id = 0;
	int ntables = 0;
	int rc = query_int(db, "PRAGMA application_id", &app_id);

	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: not a spanwatch database (%s)", path,
		         sqlite3_errstr(rc));
		return -1;
	}
	if (app_id != 0 && app_id != SW_DB_APPLICATION_ID) {
		snprintf(err, errlen, "%s: not a spanwatch database (application_id %#x)",
		         path, (unsigned)app_id);
		return -1;
	}
	if (version == 0 && query_int(db, "SELECT count(*) FROM sqlite_schema",
	                              &ntables) == SQLITE_OK && ntables > 0) {
		snprintf(err, errlen, "%s: not a spanwatch database (it holds other tables)",
		         path);
		return -1;
	}
	if (version > sw_schema_version) {
		snprintf(err, errlen,
		         "%s: database schema version %d is newer than this spanwatch "
		         "understands (%d); use a newer spanwatch", path, version,
		         sw_schema_version);
		return -1;
	}
	return 0;
}

int sw_db_migrate(sqlite3 *db, const char *path, int target, char *err, size_t errlen)
{
	char sql[64];
	char *msg = NULL;
	int version;

	if (target < 0 || target > sw_schema_version) {
		snprintf(err, errlen, "%s: no schema version %d", path, target);
		return -1;
	}
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	version = sw_db_version(db);
	if (version < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		goto rollback;
	}
	if (check_identity(db, path, version, err, errlen) < 0)
		goto rollback;
	if (version >= target) {
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		return 0;
	}
	for (int v = version; v < target; v++)
		if (sqlite3_exec(db, sw_schema_migrations[v], NULL, NULL, &msg) != SQLITE_OK)
			goto fail_in_tx;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", target);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		goto fail_in_tx;
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", SW_DB_APPLICATION_ID);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		goto fail_in_tx;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail_in_tx;
	return 0;

fail_in_tx:
	snprintf(err, errlen, "%s: schema migration failed: %s", path,
	         msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
fail:
	snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/* "file:PATH?mode=ro": SQLite's read-only URI, the path's %, ? and #
 * escaped (RFC 3986 as SQLite reads it). NULL when out of memory. */
static char *readonly_uri(const char *path)
{
	size_t len = strlen(path);
	char *uri = malloc(len * 3 + sizeof "file:?mode=ro");
	char *o = uri;

	if (!uri)
		return NULL;
	o += sprintf(o, "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			o += sprintf(o, "%%%02X", (unsigned char)*p);
		else
			*o++ = *p;
	}
	strcpy(o, "?mode=ro");
	return uri;
}

sqlite3 *sw_db_open(const char *path, int flags, char *err, size_t errlen)
{
	int oflags = (flags & SW_DB_READONLY) ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
	             : SQLITE_OPEN_READWRITE | ((flags & SW_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	char *uri = (flags & SW_DB_READONLY) ? readonly_uri(path) : NULL;
	sqlite3 *db = NULL;
	int version;
	int rc;

	if ((flags & SW_DB_READONLY) && !uri) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	rc = sqlite3_open_v2(uri ? uri : path, &db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path,
		         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_handler(db, busy_wait, db);

	/* The first read tells a non-database file apart. */
	version = sw_db_version(db);
	if (version < 0) {
		snprintf(err, errlen, "%s: not a spanwatch database (%s)", path,
		         sqlite3_errmsg(db));
		goto fail;
	}
	if (flags & SW_DB_READONLY) {
		if (check_identity(db, path, version, err, errlen) < 0)
			goto fail;
		if (version == 0) {
			snprintf(err, errlen, "%s: not a spanwatch database (no schema)", path);
			goto fail;
		}
		if (version < sw_schema_version) {
			snprintf(err, errlen, "%s: database schema version %d is older than %d; "
			         "run spanwatch-analyzer -w %s once to migrate it", path, version,
			         sw_schema_version, path);
			goto fail;
		}
	} else {
		/* WAL: readers (the sqlite3 CLI) never block the sensor's writer. */
		if (sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: cannot switch to WAL: %s", path,
			         sqlite3_errmsg(db));
			goto fail;
		}
		sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
		if (sw_db_migrate(db, path, sw_schema_version, err, errlen) < 0)
			goto fail;
	}
	if (sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	return db;
fail:
	sqlite3_close(db);
	return NULL;
}

void sw_db_bind_text(sqlite3_stmt *st, int idx, const char *text)
{
	if (text && *text)
		sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, idx);
}

void sw_db_close(sqlite3 *db)
{
	if (db && sqlite3_close(db) != SQLITE_OK)
		sw_warn("database close: %s", sqlite3_errmsg(db));
}
