/*
 * correlate.h - correlating detections into incidents per source and per
 * netblock, in memory and without SQL (incidents_db.h loads the detections
 * and stores the incidents).
 */
#ifndef SW_CORRELATE_H
#define SW_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incident.h"
#include "policy.h"

struct sw_correlate_opts {
	int64_t gap_us;           /* detections further apart start a new incident */
	unsigned prefix4, prefix6; /* netblock when no whois range is known */
	struct sw_policy policy;
	int progress;             /* draw a progress bar on stderr */
};

void sw_correlate_defaults(struct sw_correlate_opts *o);

/* The first distinct destinations of a detection's evidence lines: enough
 * to tell whether two scans met on a target. */
#define SW_TARGETS_KEPT 8
struct sw_target_list {
	unsigned n;
	char addr[SW_TARGETS_KEPT][48];
};

/* A netblock more specific than the configured prefix (a whois range):
 * true with it in out, or false to use the prefix. */
typedef bool (*sw_netblock_lookup)(void *arg, const struct sw_adet *d, char *out, size_t len);

/*
 * One correlation: its detections in, its incidents out, and all the
 * state it needs (nothing is kept between calls or shared between
 * correlations).
 */
struct sw_correlation {
	struct sw_adet *dets;          /* ordered by source, then first seen, then id */
	struct sw_target_list *targets; /* per detection, from its evidence lines */
	size_t ndets, cap, targets_cap;
	struct sw_incident *inc;       /* source incidents, then netblock ones */
	size_t ninc, inc_cap;
	size_t *members;       /* netblock incidents' detections, as indexes into dets */
	size_t nmembers, members_cap;
	struct sw_decoy_group *groups; /* decoy scans; dets[].decoys point here */
	size_t ngroups, groups_cap;
	int progress_shown;            /* percent the progress bar shows, -1 none */
	sw_netblock_lookup lookup;     /* NULL: the prefix only */
	void *lookup_arg;
};

void sw_correlation_init(struct sw_correlation *c);
void sw_correlation_free(struct sw_correlation *c);

/* A new detection at the end of c->dets, zeroed for the caller to fill;
 * NULL when out of memory. The pointer holds until the next call. */
struct sw_adet *sw_correlation_add(struct sw_correlation *c);
/* One evidence line of detection i: its destination counts as a target
 * (and, the first one, as the detection's target and port). */
void sw_correlation_add_evidence(struct sw_correlation *c, size_t i, const char *line);

/* Correlate c->dets into c->inc: decoy scans, source incidents split by
 * the gap, netblock distributed scans, each judged by o->policy. 0, or -1
 * (out of memory) with a message logged. */
int sw_correlation_run(struct sw_correlation *c, const struct sw_correlate_opts *o);

/* The index in c->dets of the k-th detection (0 <= k < ndets_span) of an
 * incident of c. */
size_t sw_incident_detection(const struct sw_correlation *c, const struct sw_incident *inc,
                             size_t k);

#endif
