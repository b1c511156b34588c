/*
 * incidents_db.h - the incidents in the database: read the detections,
 * correlate them (correlate.h) and store the difference, so that running
 * twice changes nothing; and the operator's compromise marks.
 */
#ifndef SW_INCIDENTS_DB_H
#define SW_INCIDENTS_DB_H

#include <sqlite3.h>

#include "correlate.h"

struct sw_incidents_result {
	unsigned detections;
	unsigned incidents;       /* of them, netblock-level: distributed */
	unsigned distributed;
	unsigned reportable;
	unsigned changed;         /* rows inserted, updated or deleted */
};

/* Recompute incidents from the detections in db (log lines first become
 * detections, in a short write transaction), from one snapshot (a read
 * transaction, however long the correlation takes), and store the
 * difference in one write transaction. 0, or -1 with a message logged. */
int sw_incidents_update(sqlite3 *db, const struct sw_correlate_opts *o,
                        struct sw_incidents_result *res);

/* The operator's word on a source address: mark (1) or clear (0). */
int sw_mark_compromised(sqlite3 *db, const char *src, int compromised);

#endif
