/*
 * prune.h - retention (prune.c): what spanwatch-analyzer --prune removes
 * from a database that runs for months, in small transactions that never
 * hold the write lock for long, so a sensor writing beside it waits
 * milliseconds, not seconds.
 */
#ifndef SW_PRUNE_H
#define SW_PRUNE_H
#include <stdint.h>
#include <sqlite3.h>

/* [retention]: days each kind of row is kept; 0 keeps it for ever. What a
 * memo told (its detections and their evidence), the reports and the
 * ledger are never pruned. */
struct sw_retention {
	unsigned evidence_days;      /* evidence lines of detections no memo told */
	unsigned detections_days;    /* detections no memo told, and empty runs */
	unsigned unreportable_days;  /* incidents never reportable, with their detections */
	unsigned log_lines_days;     /* log lines read by --syslog */
	unsigned whois_days;         /* cached whois and RDAP answers */
	unsigned batch_rows;         /* rows deleted per transaction */
};

void sw_retention_defaults(struct sw_retention *r);

struct sw_prune_result {
	uint64_t evidence, detections, unreportable_incidents, log_lines, whois_lookups,
		whois_ranges, runs;
	uint64_t transactions;
};

/*
 * Apply r as of now_us: delete in transactions of at most batch_rows rows,
 * each committed before the next begins. 0, or -1 (logged) when the
 * database failed; what was deleted before stays deleted, nothing else is
 * touched.
 */
int sw_prune(sqlite3 *db, const struct sw_retention *r, int64_t now_us,
	     struct sw_prune_result *out);

#endif
