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

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "schema.h"

#define BUSY_TIMEOUT_MS 10000

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

sqlite3 *sw_db_open(const char *path, int flags, char *err, size_t errlen)
{
	int oflags = (flags & SW_DB_READONLY) ? SQLITE_OPEN_READONLY
	             : SQLITE_OPEN_READWRITE | ((flags & SW_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	sqlite3 *db = NULL;
	int version;
	int rc;

	rc = sqlite3_open_v2(path, &db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path,
		         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);

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
		if (version < sw_schema_version) {
			snprintf(err, errlen, "%s: database schema version %d is older than %d; "
			         "open it once read-write to migrate", path, version,
			         sw_schema_version);
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
