/*
 * logs.h - the analyzer's --syslog input: store each log line once, and
 * turn the stored lines into detections that feed the incidents.
 */
#ifndef SW_LOGS_H
#define SW_LOGS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct sw_logs_opts {
	int year;          /* year of RFC 3164 stamps; 0: from the file's mtime */
	const char *tz;    /* zone of stamps written without one; "" local */
	bool offline;      /* keep host names unresolved */
};

struct sw_logs_result {
	unsigned lines, events, stored, duplicates, ignored, rejected;
};

/* What reading logs keeps from one file to the next: the names already
 * resolved and the line buffers. One per caller, never shared between
 * threads. NULL when out of memory. */
struct sw_logs;
struct sw_logs *sw_logs_new(void);
void sw_logs_free(struct sw_logs *lg);

/* Read path into log_lines (in one transaction). 0, or -1 with a one-line
 * message naming the file. */
int sw_logs_ingest(struct sw_logs *lg, sqlite3 *db, const char *path,
                   const struct sw_logs_opts *o, struct sw_logs_result *r);

/* Group the stored lines per source and class (login failures, refused
 * connections, firewall drops) no more than gap_us apart into detections
 * of the 'syslog' sensor, writing only what changed. Must run inside the
 * caller's transaction. Returns the rows changed, or -1. */
int sw_logs_detections(sqlite3 *db, int64_t gap_us);

#endif
