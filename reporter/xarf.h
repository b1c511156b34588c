/*
 * xarf.h - the X-ARF v4 report (JSON) for one offending source (xarf.c).
 */
#ifndef SW_XARF_H
#define SW_XARF_H
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "memo.h"
#include "settings.h"

/* The X-ARF v4 report (JSON) for one source; fields are escaped JSON
 * strings, never raw text. type: "port_scan" or "login_attack" (also
 * "ddos", "reconnaissance"). evidence lines become the report's
 * description/evidence. Returns 0 or -1 (allocation). */
struct sw_xarf_input {
	const char *report_id;        /* UUID text */
	int64_t timestamp_us;         /* when the report was made */
	const char *reporter_org, *reporter_contact, *reporter_domain;
	const char *sender_name, *sender_email;
	const char *type;             /* port_scan, login_attack, ddos, reconnaissance */
	const char *source_ip;        /* the offending address */
	unsigned source_port;         /* 0 if unknown */
	const char *destination_ip;   /* one of ours that was hit, or NULL */
	unsigned destination_port;    /* 0 if unknown */
	const char *protocol;         /* "tcp", "udp", "icmp" */
	int64_t first_seen_us, last_seen_us;
	unsigned long long packets;   /* 0: omitted */
	unsigned long ports;          /* distinct ports probed, 0: omitted */
	const char *const *evidence;  size_t nevidence; /* log lines */
	const char *description;      /* one sentence */
	uint32_t source_asn;          /* the origin AS of the source's route, 0: unknown;
	                                 written as "source_asn" (the core schema allows
	                                 properties of one's own) and as the tag
	                                 "origin-as:asN" (its namespaced tags) */
};
int sw_xarf_json(const struct sw_xarf_input *in, struct sw_buf *out);

/* One X-ARF report per source incident of m (those with a detection), at
 * most max, into parts[0..*nparts): the sender is conf's name, organisation
 * and address; the report ids derive from the incident and now_us. 0, or
 * -1 (allocation). */
int sw_xarf_for_memo(const struct sw_memo *m, const struct sw_reporter_conf *conf,
		     int64_t now_us, struct sw_buf *parts, size_t *nparts, size_t max);

#endif
