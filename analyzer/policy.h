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
#include "incident.h"
#include "netset.h"

/* How a member treated the SYN-ACKs it got, summed over its detections. */
struct sw_decoy_member {
	const char *src;
	uint64_t resets, silent;
};

/* The index of the real source among members[0..n), or -1 when the
 * evidence does not single it out: exactly one member reset SYN-ACKs, and
 * every other one left some unanswered and reset none. */
int sw_decoy_real(const struct sw_decoy_member *members, size_t n);

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
