/*
 * ledger.h - the reporter's side of the database: which incidents are due
 * a memo (reportable, not yet covered by one, or gone on since), the
 * incidents' detections and evidence as the memo's model, the cooldown per
 * netblock, and the record of every memo written (reports and
 * report_incidents, in one transaction) so the same incidents never
 * produce two memos.
 */
#ifndef SW_LEDGER_H
#define SW_LEDGER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "memo.h"

struct sw_candidate {
	long long id;
	char level[16];          /* source, netblock */
	char src[512];           /* an address, or the member list of a netblock incident */
	char netblock[128];      /* the analyzer's netblock */
	int64_t last_seen;
	struct sw_addr addr;     /* level source: the source; netblock: its first member */
};

struct sw_candidates {
	struct sw_candidate *c;
	size_t n;
	size_t outbound;         /* incidents of our own hosts: ours to handle, not a memo */
};

/* Reportable incidents with a detection no memo has told, or one that went
 * on after the memo that told it. 0, or -1 with err. */
int sw_ledger_candidates(sqlite3 *db, struct sw_candidates *out, char *err, size_t errlen);
void sw_candidates_free(struct sw_candidates *c);

/* Load incident id into a new m->inc entry with its detections and up to
 * evidence_lines quoted evidence lines (the first and last), and add the
 * hosts its evidence names to m->hosts. 0, or -1 with err. */
int sw_ledger_load_incident(sqlite3 *db, long long id, unsigned evidence_lines,
			    struct sw_memo *m, char *err, size_t errlen);

/* When netblock last got a memo: 1 and *created, 0 if never, -1 on error. */
int sw_ledger_last_report(sqlite3 *db, const char *netblock, int64_t *created);

/* The memos netblock got before, into m->past (the newest
 * SW_MEMO_MAX_PAST, oldest first) and m->past_total. 0, or -1 with err. */
int sw_ledger_past_reports(sqlite3 *db, const char *netblock, struct sw_memo *m,
			   char *err, size_t errlen);

/*
 * Whether the memo m (its netblock and incidents loaded) is about a
 * recurring problem, "reported N times in M days with no end to it":
 * with this memo, at least reports (>= 2; 0: never) memos to its netblock
 * created within the last days days before now_us, and its activity went
 * on after the last answer (--ack) recorded for the netblock, if any.
 * Sets m->recurring, m->recent_memos (this one included) and
 * m->recurring_days. 0, or -1 with err.
 */
int sw_ledger_recurring(sqlite3 *db, struct sw_memo *m, unsigned reports, unsigned days,
			int64_t now_us, char *err, size_t errlen);

/* One memo as the reports table keeps it. */
struct sw_report_record {
	const struct sw_memo *memo;   /* its netblock and the incidents it covered */
	int64_t created;
	int64_t answer_by;            /* an answer expected before (the cooldown) */
	const char *recipients;       /* "a@x, cc:b@y" */
	const char *subject;
	const char *path;             /* the file written, NULL for stdout */
	const char *format;           /* "eml", "mbox", "text", "xarf" */
	const char *message_id;
	bool sent;                    /* handed to sendmail */
	const char *kind;             /* NULL: to the owner; "cert": a CERT memo, which
	                                 tells the owner nothing (no report_detections,
	                                 no netblock_ranges) */
	const char *country;          /* a CERT memo's national CERT's country, or NULL */
};

/* Record a memo, the incidents it covered and its netblock's address
 * ranges (netblock_ranges). 0, or -1 with err (nothing recorded). */
int sw_ledger_record(sqlite3 *db, const struct sw_report_record *rec,
		     char *err, size_t errlen);

/* The address ranges of every netblock written to that has none yet in
 * netblock_ranges (memos recorded before the ranges were kept), so that
 * v_offenders can tell which sources belong to it. 0, or -1 with err. */
int sw_ledger_sync_ranges(sqlite3 *db, char *err, size_t errlen);

#endif
