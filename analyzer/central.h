/*
 * central.h - many sensors, one analysis: bring the runs, detections,
 * evidence and log lines of other spanwatch databases (sensors' own, or
 * consistent copies of them) into this one, incrementally, before it is
 * correlated (spanwatch-analyzer --source).
 */
#ifndef SW_CENTRAL_H
#define SW_CENTRAL_H

#include <sqlite3.h>
#include <stdbool.h>

struct sw_central_result {
	unsigned runs_new, runs_updated, runs_stale;
	unsigned detections_new, detections_updated;
	unsigned evidence, log_lines;
	char sensors[256];      /* the source's sensor names, comma separated */
};

/*
 * Read each of paths[0..n) read-only (SQLite's mode=ro URI: never
 * written, usable while its sensor writes in WAL mode) into db. Every
 * source is opened and checked first (a spanwatch database, of this
 * schema version, not db itself); one that is not is refused, with a
 * line naming the file, before anything is imported. Then each is
 * imported in one transaction of db and one read snapshot of the source.
 * A summary line per source unless quiet. 0, or -1 with the reason logged.
 */
int sw_central_import(sqlite3 *db, const char *const *paths, int n, bool quiet);

#endif
