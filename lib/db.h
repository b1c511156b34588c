/*
 * db.h - opening a spanwatch database: create or migrate the schema in a
 * transaction, refuse a database newer than this build understands or one
 * that is not ours, and set WAL, a busy timeout and foreign keys.
 * Used by all three programs.
 */
#ifndef SW_DB_H
#define SW_DB_H

#include <sqlite3.h>
#include <stddef.h>

#define SW_DB_APPLICATION_ID 0x53507754 /* "SPwT" in the file header */

enum {
	SW_DB_CREATE = 1,   /* create the file if missing */
	SW_DB_READONLY = 2, /* open read-only; the schema must be current */
};

/* Open path, migrate to the current schema. On failure returns NULL and
 * writes a one-line reason naming the file into err. */
sqlite3 *sw_db_open(const char *path, int flags, char *err, size_t errlen);

/* Migrate an open database to schema version target (tests use this to
 * build old versions); 0 or -1 with err set. */
int sw_db_migrate(sqlite3 *db, const char *path, int target, char *err, size_t errlen);

/* How long any statement waits for another program's lock (busy timeout):
 * 30 s, or SPANWATCH_BUSY_TIMEOUT seconds. */
int sw_db_busy_timeout_ms(void);

/* PRAGMA user_version, or -1 on error. */
int sw_db_version(sqlite3 *db);

/* Run SQL without results; 0 or -1 (message logged with sw_err). */
int sw_db_exec(sqlite3 *db, const char *sql);

/* Bind text, or NULL for a NULL or empty string (the text is copied). */
void sw_db_bind_text(sqlite3_stmt *st, int idx, const char *text);

void sw_db_close(sqlite3 *db);

#endif
