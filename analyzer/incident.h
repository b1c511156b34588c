/*
 * incident.h - the analyzer's records: a detection as it reads it, the
 * decoy scan a detection may belong to, and the incident it makes of
 * them (correlate.h fills them, policy.h judges them, incidents_db.h
 * loads and stores them).
 */
#ifndef SW_INCIDENT_H
#define SW_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A decoy scan (nmap -D): sources that sent the same first probes
 * (probe_sig) to the same targets at the same time. The real source is
 * the one whose kernel reset the SYN-ACKs it got (it never sent those
 * SYNs through its socket layer) while every other member left its
 * SYN-ACKs unanswered (addresses that are not there, or not in it).
 */
#define SW_DECOY_LISTED 8
struct sw_decoy_group {
	unsigned nsources;
	char real[48];                        /* "" when it could not be told apart */
	unsigned nlisted;                     /* members other than the real one, */
	char listed[SW_DECOY_LISTED][48];     /* the first of them */
};

/* One detection as the analyzer sees it. */
struct sw_adet {
	int64_t id;
	int64_t seq;           /* within its run; for log-derived ones, the first log line */
	char src[48];
	uint8_t family;
	uint8_t bin[16];
	char kind[20];
	char variant[12];
	char proto[8];
	char sensor[64];
	int64_t first, last;
	uint32_t targets, ports;
	uint64_t packets;
	int outbound;
	uint32_t sessions_after; /* sessions completed to ports its scan found open */
	uint16_t port;         /* destination port of its first evidence line, 0 if none */
	char target[48];       /* destination of its first evidence line */
	bool failed_known;     /* failed_contacts was stored */
	uint32_t failed;       /* failed first contacts before it was detected */
	uint32_t successes;    /* the source's first contacts of its protocol answered */
	uint32_t src_resets;   /* SYN-ACKs the source reset */
	uint32_t src_silent;   /* SYN-ACKs the source left unanswered */
	uint64_t probe_sig;    /* signature of the source's first probes, 0 none */
	char evasion[16];      /* "tiny_fragments", "" none */
	const struct sw_decoy_group *decoys; /* its decoy scan, NULL when none */
};

/* An incident: detections of one source (or, for a distributed scan, of
 * several sources of one netblock) no more than the gap apart. */
struct sw_incident {
	char ikey[96];
	char level[10];        /* "source" or "netblock" */
	char netblock[64];
	char src[256];
	char kinds[160];       /* comma separated, in order of first appearance */
	int64_t first, last;
	unsigned days;
	uint32_t targets, ports;
	uint64_t packets;
	unsigned ndet;
	char sensors[160];
	int outbound;
	int severity;
	char reasons[512];
	unsigned decoys;       /* the decoys a decoy scan's real source hid among */
	char decoy_list[512];  /* "a, b and 3 more", "" when none */
	int reportable;
	unsigned nsources;     /* a netblock incident's sources */
	bool no_group;         /* allowlisted or in a decoy scan: never part of a
	                        * netblock's distributed scan */
	int compromised;
	char compromise_reason[160];
	/* where its detections are in the caller's array */
	size_t first_det, ndets_span;
};

#endif
