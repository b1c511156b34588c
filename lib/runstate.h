/*
 * runstate.h - telling a dead capture run from a live one (schema 008).
 *
 * A sensor killed with SIGKILL (or by a power cut) leaves its run
 * 'running' with open detections. Whoever opens the database next to
 * write (a sensor starting, the analyzer before it correlates) calls
 * sw_runs_mark_interrupted() to mark such runs 'interrupted' and close
 * their detections at their last evidence.
 */
#ifndef SW_RUNSTATE_H
#define SW_RUNSTATE_H

#include <sqlite3.h>
#include <stdint.h>

/* A run is dead when its heartbeat is older than this many statistics
 * intervals (and at least SW_RUN_STALE_MIN_S seconds: a writer may wait
 * a moment on a lock), or when it was recorded on this host and its pid
 * no longer exists. */
#define SW_RUN_STALE_INTERVALS 3
#define SW_RUN_STALE_MIN_S 30

struct sw_runs_marked {
	unsigned runs;        /* runs marked interrupted */
	unsigned detections;  /* their open detections closed */
};

/* The name stored in runs.host (gethostname, "?" if none). */
const char *sw_runs_host(void);
/* Mark dead runs interrupted and close their open detections (closed_at:
 * the last evidence line's time, or last_seen if later). now_us: the wall
 * clock. One IMMEDIATE transaction. 0, or -1 (logged) on a database error. */
int sw_runs_mark_interrupted(sqlite3 *db, int64_t now_us, struct sw_runs_marked *out);

#endif
