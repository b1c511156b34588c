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
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "schema.h"
#include "timefmt.h"

/*
 * How long a statement waits for another program's lock before it fails
 * with SQLITE_BUSY (the sensor's writer then retries its batch; the
 * analyzer and the reporter give up and say why): SPANWATCH_BUSY_TIMEOUT
 * (seconds) if set, else [database] busy_timeout of the configuration
 * file, else 30 s, for all three programs. The environment wins because it
 * is the narrower setting: one command line or one service's drop-in,
 * against the file every program and instance shares.
 */
#define BUSY_TIMEOUT_MAX_MS (SW_DB_BUSY_TIMEOUT_MAX_S * 1000)

/* Set by sw_db_configure() (before threads start), resolved once on first
 * use; the mutex only guards a configure after a first use (tests). */
static pthread_mutex_t conf_mutex = PTHREAD_MUTEX_INITIALIZER;
static double conf_busy_s = SW_DB_BUSY_TIMEOUT_DEFAULT_S;
static unsigned conf_wal_mib = SW_DB_WAL_LIMIT_DEFAULT_MIB;
static char conf_path[512];
static bool busy_resolved;
static int busy_timeout_ms;
static char busy_source[600];

void sw_db_conf_defaults(struct sw_db_conf *c)
{
	c->busy_timeout_s = SW_DB_BUSY_TIMEOUT_DEFAULT_S;
	c->wal_limit_mib = SW_DB_WAL_LIMIT_DEFAULT_MIB;
}

void sw_db_configure(const struct sw_db_conf *c, const char *path)
{
	pthread_mutex_lock(&conf_mutex);
	conf_busy_s = c->busy_timeout_s;
	conf_wal_mib = c->wal_limit_mib;
	snprintf(conf_path, sizeof conf_path, "%s", path ? path : "");
	busy_resolved = false;
	pthread_mutex_unlock(&conf_mutex);
}

/* Under conf_mutex. Parsed (and a bad value warned about) once, not at
 * every busy callback. */
static void resolve_busy_timeout(void)
{
	const char *env = getenv("SPANWATCH_BUSY_TIMEOUT");
	char *end;
	double s;

	if (busy_resolved)
		return;
	busy_resolved = true;
	if (conf_path[0])
		snprintf(busy_source, sizeof busy_source, "[database] busy_timeout in %s", conf_path);
	else
		snprintf(busy_source, sizeof busy_source, "the default busy_timeout");
	busy_timeout_ms = (int)(conf_busy_s * 1000);
	if (!env || !*env)
		return;
	s = strtod(env, &end);
	if (end == env || *end || !(s >= 0) || s * 1000 > BUSY_TIMEOUT_MAX_MS) {
		sw_warn("SPANWATCH_BUSY_TIMEOUT=%s: not seconds from 0 to %d; using %g (%s)",
		        env, SW_DB_BUSY_TIMEOUT_MAX_S, conf_busy_s, busy_source);
		return;
	}
	busy_timeout_ms = (int)(s * 1000);
	snprintf(busy_source, sizeof busy_source, "SPANWATCH_BUSY_TIMEOUT");
}

int sw_db_busy_timeout_ms(void)
{
	int ms;

	pthread_mutex_lock(&conf_mutex);
	resolve_busy_timeout();
	ms = busy_timeout_ms;
	pthread_mutex_unlock(&conf_mutex);
	return ms;
}

const char *sw_db_busy_timeout_source(void)
{
	pthread_mutex_lock(&conf_mutex);
	resolve_busy_timeout();
	pthread_mutex_unlock(&conf_mutex);
	return busy_source; /* not rewritten once resolved, short of a configure */
}

int64_t sw_db_wal_limit_bytes(void)
{
	int64_t b;

	pthread_mutex_lock(&conf_mutex);
	b = (int64_t)conf_wal_mib * 1024 * 1024;
	pthread_mutex_unlock(&conf_mutex);
	return b;
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

int sw_db_busy_wait(sqlite3 *db, int count)
{
	int timeout_ms = sw_db_busy_timeout_ms();
	int64_t waited = busy_waited_ms(count);
	int64_t delay = (size_t)count < NDELAYS ? busy_delays_ms[count] : 100;
	const char *path = sqlite3_db_filename(db, "main");

	if (waited >= timeout_ms) {
		sw_warn("%s: database is locked by another writer (or by a checkpoint waiting"
		        " for a reader of the WAL); gave up after %.1f s (%s)",
		        path && *path ? path : "(memory)", (double)waited / 1000,
		        sw_db_busy_timeout_source());
		return 0;
	}
	sw_sleep_ms(delay < timeout_ms - waited ? delay : timeout_ms - waited);
	return 1;
}

static int busy_wait(void *arg, int count)
{
	return sw_db_busy_wait(arg, count);
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

bool sw_db_idle(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		return false;
	for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st; st = sqlite3_next_stmt(db, st))
		if (sqlite3_stmt_busy(st))
			return false;
	return true;
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
	char sql[64];
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
		/* a WAL that grew behind a long reader is cut back to the limit
		 * when it next restarts (the sensor's writer also checkpoints
		 * with TRUNCATE past it: sensor/writer.c) */
		snprintf(sql, sizeof sql, "PRAGMA journal_size_limit = %lld",
		         (long long)sw_db_wal_limit_bytes());
		sqlite3_exec(db, sql, NULL, NULL, NULL);
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
