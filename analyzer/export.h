/*
 * export.h - spanwatch-analyzer --export json: the detections, incidents
 * and memos of a database as JSON lines, for backfilling the pipelines
 * that take the sensor's -A json:PATH events (the same field names for
 * detections, lib/events.h; doc/events.md describes every field).
 */
#ifndef SW_EXPORT_H
#define SW_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

/* The largest line written: an incident or memo lists at most
 * SW_EXPORT_MAX_IDS detection and incident ids (and says when it left
 * some out). */
#define SW_EXPORT_MAX_IDS 1000

struct sw_export_opts {
	bool have_since;
	int64_t since;            /* what was active at or after this time */
};

struct sw_export_counts {
	uint64_t detections, incidents, memos;
};

/* Write every detection (last_seen >= since), incident (last_seen >=
 * since) and memo (created >= since) to out, in that order, each by id,
 * from one read transaction. 0, or -1 with a message logged (name names
 * out in it). */
int sw_export_json(sqlite3 *db, const struct sw_export_opts *o, FILE *out, const char *name,
                   struct sw_export_counts *counts);

/* --since TIME: ISO 8601 as the views write it or with a zone offset
 * ("2026-11-27T17:09:41Z", "2026-11-27T18:09:41+01:00", fraction
 * optional), or a date ("2026-11-27", midnight UTC). false on anything
 * else. */
bool sw_export_parse_since(const char *s, int64_t *us);

/* The one destination of a detection as its first evidence line names it
 * ("... SRC:PORT -> DST:PORT ...", "... -> DST ...", "... to DST port
 * PORT: ..."): dst (canonical text, "" when none) and *port (-1 none). */
void sw_export_destination(const char *line, char *dst, size_t dstlen, int *port);

#endif
