/*
 * record.h - what the capture thread hands to the writer thread.
 * Fixed size, no pointers: a record is copied into the ring whole.
 */
#ifndef SW_RECORD_H
#define SW_RECORD_H

#include <assert.h>
#include <stdint.h>

#include "addr.h"
#include "counters.h"

#define SW_REC_SIZE 512

enum sw_rec_type {
	SW_REC_STATS = 1, /* snapshot of the run counters */
	SW_REC_END,       /* the run is over: final counters, mark finished */
	SW_REC_DET_OPEN,  /* a detection fired: insert its row */
	SW_REC_DET_UPDATE,/* the activity goes on: counts, last_seen, kind */
	SW_REC_DET_CLOSE, /* the source went quiet: final counts, closed_at */
	SW_REC_EVIDENCE,  /* one time-stamped evidence line of a detection */
};

/* A detection's row, identified within the run by seq. Kind and variant
 * are indexes into sw_kind_name()/sw_variant_name() (detect.h). */
struct sw_rec_det {
	uint32_t seq;
	uint8_t kind, variant, proto; /* proto: IP protocol number */
	uint8_t outbound;             /* a home host acting outward */
	uint8_t tool;                 /* enum sw_tool */
	uint8_t targets_capped, ports_capped;
	struct sw_addr src;
	int64_t first_seen, last_seen, detected_at, closed_at;
	uint32_t targets, ports;
	uint32_t failed_contacts;     /* failed first contacts before detected_at */
	uint32_t sessions_after;      /* sessions completed later to ports the scan found open */
	uint64_t packets;
	uint64_t probe_sig;           /* hash of the source's first probes, 0 none (decoys share it) */
	uint32_t src_resets;          /* SYN-ACKs the source reset (its kernel: a raw-socket scan) */
	uint32_t src_silent;          /* SYN-ACKs the source never answered (decoy, spoofed) */
	uint32_t successes;           /* the source's first contacts that succeeded */
	uint8_t evasion;              /* SW_EVASION_* bits */
};

/* Evasions a detection's probes used (sw_rec_det.evasion). */
#define SW_EVASION_TINY_FRAG 0x01 /* transport header split over tiny IP fragments */

#define SW_EVIDENCE_LEN 240

struct sw_rec_evidence {
	uint32_t seq;
	int64_t ts;
	char line[SW_EVIDENCE_LEN];
};

struct sw_rec {
	uint32_t type;
	uint32_t reserved;
	union {
		struct sw_counters stats;
		struct sw_rec_det det;
		struct sw_rec_evidence ev;
		unsigned char raw[SW_REC_SIZE - 8];
	} u;
};

static_assert(sizeof(struct sw_rec) == SW_REC_SIZE, "record size");

#endif
