/*
 * incidents.h - correlating detections into incidents per source and per
 * netblock, and storing them so that running twice changes nothing.
 */
#ifndef SW_INCIDENTS_H
#define SW_INCIDENTS_H

#include <sqlite3.h>
#include <stdint.h>

#include "policy.h"

struct sw_correlate_opts {
	int64_t gap_us;           /* detections further apart start a new incident */
	unsigned prefix4, prefix6; /* netblock when no whois range is known */
	struct sw_policy policy;
	int progress;             /* draw a progress bar on stderr */
};

struct sw_correlate_result {
	unsigned detections;
	unsigned incidents;       /* of them, netblock-level: distributed */
	unsigned distributed;
	unsigned reportable;
	unsigned changed;         /* rows inserted, updated or deleted */
};

void sw_correlate_defaults(struct sw_correlate_opts *o);

/* Recompute incidents from the detections in db and store the difference,
 * in one transaction. 0, or -1 with a message logged. */
int sw_correlate(sqlite3 *db, const struct sw_correlate_opts *o,
                 struct sw_correlate_result *res);

/* The operator's word on a source address: mark (1) or clear (0). */
int sw_mark_compromised(sqlite3 *db, const char *src, int compromised);

#endif
