/*
 * record.h - what the capture thread hands to the writer thread.
 * Fixed size, no pointers: a record is copied into the ring whole. The
 * names a record's numbers are stored as (kind, variant, tool, evasion)
 * are in record.c.
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
	SW_REC_RUN_FILE,  /* a file of the run is complete: its size and mtime */
};

/* What a detection is (sw_rec_det.kind) and how its probes were made
 * (sw_rec_det.variant); the names stored for them are in record.c. */
enum sw_kind {
	SW_K_PORT_PROBE, SW_K_PORT_SCAN, SW_K_HOST_SWEEP, SW_K_BLOCK_SCAN,
	SW_K_STEALTH_SCAN, SW_K_UDP_SCAN, SW_K_PING_SWEEP,
	SW_K_SYN_FLOOD, SW_K_UDP_FLOOD, SW_K_ICMP_FLOOD, SW_K_LOGIN_ATTEMPTS,
	SW_K_TRACEROUTE,
	SW_K_COUNT
};

enum sw_variant {
	SW_V_NONE, SW_V_SYN, SW_V_CONNECT,
	SW_V_FIN, SW_V_NULL, SW_V_XMAS, SW_V_MAIMON, SW_V_ACK, SW_V_SYNFIN,
	SW_V_UDP, SW_V_ICMP, /* traceroute */
	SW_V_COUNT
};

/* The stored names: NULL for a value outside the enum. */
const char *sw_kind_name(unsigned kind);
/* NULL for SW_V_NONE */
const char *sw_variant_name(unsigned variant);
/* The evasions of SW_EVASION_* bits as stored ("tiny_fragments"), NULL for 0. */
const char *sw_evasion_name(unsigned evasion);
/* "nmap", "masscan", "zmap", "hping3" for an enum sw_tool (fingerprint.h);
 * NULL for SW_TOOL_NONE and for a value outside the enum, so that it binds
 * straight to an SQL NULL. */
const char *sw_tool_name(unsigned tool);

/* A detection's row, identified within the run by seq. Kind and variant
 * are an enum sw_kind and an enum sw_variant. */
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
	/* for the JSON events only (not stored): the one target and the one
	 * destination port, when there is just one */
	uint8_t has_dst, has_dport;
	uint16_t dport;
	struct sw_addr dst;
};

/* Evasions a detection's probes used (sw_rec_det.evasion). */
#define SW_EVASION_TINY_FRAG 0x01 /* transport header split over tiny IP fragments */

#define SW_EVIDENCE_LEN 240

/* One probe kept as evidence, rendered to text only when written
 * (by the writer thread: evidence.h's sw_evidence_line). */
struct sw_probe {
	int64_t ts;
	struct sw_addr dst;
	uint16_t sport, dport;
	uint8_t proto, pflags, answer, code;
	uint8_t evade;         /* came in tiny fragments */
	uint32_t ord;
};

/* An evidence line: either the text itself (line), or, for a probe, what
 * it is made of (src and probe, from_probe set): the capture thread hands
 * over the numbers and the writer thread renders them
 * (sw_evidence_line), so no snprintf runs on the packet path. */
struct sw_rec_evidence {
	uint32_t seq;
	uint8_t from_probe;
	int64_t ts;
	char line[SW_EVIDENCE_LEN];
	struct sw_addr src;
	struct sw_probe probe;
};

/* run_files row seq of the run (the --evidence-pcap file, written to the
 * end): its size and modification time. */
struct sw_rec_file {
	uint32_t seq;
	int64_t size;
	int64_t mtime_us;
};

struct sw_rec {
	uint32_t type;
	uint32_t reserved;
	union {
		struct sw_counters stats;
		struct sw_rec_det det;
		struct sw_rec_evidence ev;
		struct sw_rec_file file;
		unsigned char raw[SW_REC_SIZE - 8];
	} u;
};

static_assert(sizeof(struct sw_rec) == SW_REC_SIZE, "record size");

#endif
