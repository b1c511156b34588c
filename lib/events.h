/*
 * events.h - the JSON event of a detection, one line each, as the sensor's
 * -A json:PATH sink writes it when a detection opens and closes and as
 * spanwatch-analyzer --export json writes the stored ones: the same field
 * names from both (ECS names where ECS has one, spanwatch's own under
 * "spanwatch"). doc/events.md describes them and
 * data/schema/events.schema.json checks them.
 */
#ifndef SW_EVENTS_H
#define SW_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "jsonw.h"

/* The version of the event format (spanwatch.format): raised when a field
 * changes meaning or goes; new fields do not raise it. */
#define SW_EVENTS_FORMAT 1

enum sw_ev_action {
	SW_EV_OPENED,   /* the sensor: the detection fired (and is stored) */
	SW_EV_CLOSED,   /* the sensor: the source went quiet or the run ended */
	SW_EV_STORED,   /* the analyzer's export: the row as the database has it */
};

/* A detection as both programs know it. Strings may be NULL where the
 * database allows NULL (variant, proto, tool, evasion) and for dst. */
struct sw_ev_det {
	const char *sensor;        /* observer.name */
	int64_t run_id;
	int64_t id;                /* detections.id; 0 unknown */
	int64_t seq;
	const char *kind, *variant, *proto, *src;
	const char *dst;           /* the one target, or NULL */
	int dport;                 /* the one port, or -1 */
	bool outbound;
	int64_t first_seen, last_seen, detected_at;
	bool closed;
	int64_t closed_at;
	uint64_t targets, ports, packets;
	bool targets_capped, ports_capped;
	int64_t failed_contacts;   /* -1: NULL */
	uint64_t successes, sessions_after, src_resets, src_silent;
	const char *tool, *evasion;
	uint64_t probe_sig;        /* 0: none */
};

/* One detection event as a JSON object into j (reset first). */
void sw_ev_detection(struct sw_json *j, enum sw_ev_action a, const struct sw_ev_det *d);

/* The ECS network.transport of a stored proto: tcp, udp, icmp, and
 * ipv6-icmp for icmp6; NULL for NULL. */
const char *sw_ev_transport(const char *proto);

/* The "observer" object: name (omitted when NULL), type "ids", product
 * "spanwatch", version. */
void sw_ev_observer(struct sw_json *j, const char *name);

#endif
