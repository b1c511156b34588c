/*
 * db.h - opening a spanwatch database: create or migrate the schema in a
 * transaction, refuse a database newer than this build understands or one
 * that is not ours, and set WAL, a busy timeout and foreign keys.
 * Used by all three programs.
 */
#ifndef SW_DB_H
#define SW_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

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

/*
 * The [database] section of spanwatch.conf, read by all three programs:
 * how long to wait for another program's lock, and the size the WAL file
 * is brought back to once no reader holds an old snapshot.
 */
struct sw_db_conf {
	double busy_timeout_s;   /* seconds, 0 to 3600 */
	unsigned wal_limit_mib;  /* MiB, 1 to 4096 */
};

#define SW_DB_BUSY_TIMEOUT_DEFAULT_S 30
#define SW_DB_BUSY_TIMEOUT_MAX_S 3600
#define SW_DB_WAL_LIMIT_DEFAULT_MIB 64
#define SW_DB_WAL_LIMIT_MAX_MIB 4096

/* The two keys, for a program's key table whose struct embeds a struct
 * sw_db_conf as member. */
#define SW_DB_CONF_KEYS(type, member) \
	{ "database", "busy_timeout", SW_CFG_DOUBLE, \
	  offsetof(type, member.busy_timeout_s), 0, 0, SW_DB_BUSY_TIMEOUT_MAX_S, 0, \
	  "seconds to wait for another program's lock (SPANWATCH_BUSY_TIMEOUT overrides)" }, \
	{ "database", "wal_limit_mib", SW_CFG_UINT, \
	  offsetof(type, member.wal_limit_mib), 0, 1, SW_DB_WAL_LIMIT_MAX_MIB, 0, \
	  "MiB the WAL file is cut back to once no reader holds an old snapshot" }

void sw_db_conf_defaults(struct sw_db_conf *c);

/* Use c for the databases this process opens from now on; path is the
 * configuration file it came from (for messages; NULL: the defaults).
 * Call it before opening a database, before threads start. The
 * environment variable SPANWATCH_BUSY_TIMEOUT, when set, beats
 * busy_timeout: it is the narrower setting (one command, one service
 * instance), the file the site-wide one. */
void sw_db_configure(const struct sw_db_conf *c, const char *path);

/* How long any statement waits for another program's lock (busy timeout):
 * SPANWATCH_BUSY_TIMEOUT seconds if set, else [database] busy_timeout,
 * else 30 s. */
int sw_db_busy_timeout_ms(void);
/* Where that value came from, for messages: "SPANWATCH_BUSY_TIMEOUT",
 * "[database] busy_timeout in FILE" or "the default busy_timeout". */
const char *sw_db_busy_timeout_source(void);
/* [database] wal_limit_mib in bytes (the journal_size_limit of every
 * read-write connection; the sensor's writer checkpoints past it). */
int64_t sw_db_wal_limit_bytes(void);

/* The busy handler every connection gets from sw_db_open (SQLite's
 * pauses, bounded by the busy timeout, then one warning naming the file
 * and the lock): for a connection's owner that wraps it. */
int sw_db_busy_wait(sqlite3 *db, int count);

/* No transaction open on db, and no statement stepped but not yet reset
 * (which keeps a read snapshot, and with it the WAL, from moving on):
 * what must hold before anything slow, such as a network lookup. */
bool sw_db_idle(sqlite3 *db);

/* PRAGMA user_version, or -1 on error. */
int sw_db_version(sqlite3 *db);

/* Run SQL without results; 0 or -1 (message logged with sw_err). */
int sw_db_exec(sqlite3 *db, const char *sql);

/* Bind text, or NULL for a NULL or empty string (the text is copied). */
void sw_db_bind_text(sqlite3_stmt *st, int idx, const char *text);

void sw_db_close(sqlite3 *db);

#endif
