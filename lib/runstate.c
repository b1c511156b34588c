/*
 * runstate.c - marks the runs of dead sensors interrupted and closes their
 * detections (see runstate.h). Used by the sensor at start and by the
 * analyzer before it correlates, so a killed sensor's detections stop
 * looking open for ever.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "runstate.h"

#define DEFAULT_INTERVAL_S 60 /* a run row from before schema 008 */

static const char sql_candidates[] =
	"SELECT id, host, pid, coalesce(heartbeat, recorded_at), coalesce(stats_interval, ?1)"
	" FROM runs WHERE status = 'running' AND finished = 0"
	/* a run read from another sensor's database (spanwatch-analyzer
	 * --source) is that database's to end: its host and pid are not ours */
	" AND id NOT IN (SELECT run_id FROM central_runs)";
/* a detection ends at the last thing seen of it: its last evidence line,
 * or its last_seen if that is later */
static const char sql_close[] =
	"UPDATE detections SET closed_at = max(last_seen, coalesce((SELECT max(e.ts) FROM evidence e"
	" WHERE e.detection_id = detections.id), last_seen))"
	" WHERE run_id = ?1 AND closed_at IS NULL";
static const char sql_mark[] =
	"UPDATE runs SET status = 'interrupted',"
	" ended = coalesce(ended, (SELECT max(last_seen) FROM detections WHERE run_id = ?1), started)"
	" WHERE id = ?1 AND status = 'running'";

const char *sw_runs_host(void)
{
	static char host[256];

	if (!host[0] && (gethostname(host, sizeof host - 1) != 0 || !host[0]))
		strcpy(host, "?");
	return host;
}

/* kill(pid, 0): ESRCH is gone; EPERM is alive under another user (the
 * sensor runs as its own). */
static bool pid_gone(int64_t pid)
{
	if (pid <= 0 || (pid_t)pid != pid)
		return false;
	if ((pid_t)pid == getpid())
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static bool run_is_dead(sqlite3_stmt *st, int64_t now_us)
{
	const unsigned char *host = sqlite3_column_text(st, 1);
	int64_t pid = sqlite3_column_int64(st, 2);
	int64_t heartbeat = sqlite3_column_int64(st, 3);
	int64_t interval = sqlite3_column_int64(st, 4);
	int64_t bound_s = interval * SW_RUN_STALE_INTERVALS;

	if (bound_s < SW_RUN_STALE_MIN_S)
		bound_s = SW_RUN_STALE_MIN_S;
	if (now_us - heartbeat > bound_s * 1000000)
		return true;
	return host && strcmp((const char *)host, sw_runs_host()) == 0 && pid_gone(pid);
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, int64_t run_id, unsigned *changed)
{
	int rc;

	sqlite3_bind_int64(st, 1, run_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	*changed += (unsigned)sqlite3_changes(db);
	return 0;
}

int sw_runs_mark_interrupted(sqlite3 *db, int64_t now_us, struct sw_runs_marked *out)
{
	sqlite3_stmt *cand = NULL, *close = NULL, *mark = NULL;
	struct sw_runs_marked m = { 0, 0 };
	int rc = -1, step;

	if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql_candidates, -1, &cand, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_close, -1, &close, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_mark, -1, &mark, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int(cand, 1, DEFAULT_INTERVAL_S);
	while ((step = sqlite3_step(cand)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(cand, 0);
		if (!run_is_dead(cand, now_us))
			continue;
		if (step_done(db, close, id, &m.detections) < 0 ||
		    step_done(db, mark, id, &m.runs) < 0)
			goto out;
	}
	if (step == SQLITE_DONE)
		rc = 0;
out:
	if (rc < 0)
		sw_err("database: cannot mark interrupted runs: %s", sqlite3_errmsg(db));
	sqlite3_finalize(cand);
	sqlite3_finalize(close);
	sqlite3_finalize(mark);
	if (sw_db_exec(db, rc < 0 ? "ROLLBACK" : "COMMIT") < 0)
		rc = -1;
	if (out)
		*out = rc < 0 ? (struct sw_runs_marked){ 0, 0 } : m;
	return rc;
}
