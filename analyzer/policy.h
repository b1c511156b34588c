/*
 * policy.h - what an incident is worth: an ordinal severity with the
 * reasons in words, and whether it is worth a memo. The defaults follow
 * the article: a lone SMTP/HTTP/HTTPS connection attempt or a ping is not
 * reported; FTP/SSH/telnet/RPC/SMB probes, scans, sweeps, floods and login
 * attempts are; recurrence, scale and evasion raise severity.
 *
 * A memo goes to a real abuse desk, so every reason not to write one is
 * applied, and said: a traceroute, a source whose first contacts are
 * mostly answered, a client retrying one closed port, an allowlisted
 * source, the decoys of a decoy scan (and all of its sources when the real
 * one cannot be told apart), spoofed sources, a lone probe of a public
 * service.
 */
#ifndef SW_POLICY_H
#define SW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allow.h"
#include "netset.h"

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

/* How a member treated the SYN-ACKs it got, summed over its detections. */
struct sw_decoy_member {
	const char *src;
	uint64_t resets, silent;
};

/* The index of the real source among members[0..n), or -1 when the
 * evidence does not single it out: exactly one member reset SYN-ACKs, and
 * every other one left some unanswered and reset none. */
int sw_decoy_real(const struct sw_decoy_member *members, size_t n);

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
	int reportable;
	unsigned nsources;     /* a netblock incident's sources */
	bool no_group;         /* allowlisted or in a decoy scan: never part of a
	                        * netblock's distributed scan */
	int compromised;
	char compromise_reason[160];
	/* where its detections are in the caller's array */
	size_t first_det, ndets_span;
};

struct sw_policy {
	struct sw_port_set innocent_ports; /* a probe of these alone is not reported: 25, 80, 443 */
	const struct sw_allowlist *allow;  /* never reported; NULL: none */
};

void sw_policy_defaults(struct sw_policy *p);

/* Fill severity, reasons, reportable, no_group and the automatic
 * compromise judgement of inc from its detections dets[0..n). A netblock
 * incident's reasons start with its nsources. */
void sw_policy_judge(const struct sw_policy *p, struct sw_incident *inc,
                     const struct sw_adet *const *dets, size_t n);

#endif
