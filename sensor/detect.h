/*
 * detect.h - the detection engine: from decoded packets to detections.
 *
 * Per packet, in packet time: track first contacts and their outcomes
 * (contacts.h), score each source with TRW on those outcomes and keep its
 * activity (sources.h), watch per-target rates (flood.h), and emit
 * detection records (open, update, close, evidence) through a sink. All
 * state lives in fixed tables sized by the settings; nothing is allocated
 * after sw_detect_new().
 */
#ifndef SW_DETECT_H
#define SW_DETECT_H

#include <stdatomic.h>
#include <stdint.h>

#include "decode.h"
#include "record.h"
#include "settings.h"

/* Where detection records go: the sensor hands them to the writer ring,
 * tests collect them. */
struct sw_detect_sink {
	void (*emit)(void *ctx, const struct sw_rec *rec);
	void *ctx;
};

/* Counters of the engine, stored with the run. */
struct sw_detect_stats {
	uint64_t source_evictions;
	uint64_t contact_evictions;
	uint64_t detail_evictions;
	uint64_t flood_evictions;
	uint64_t flood_prefix_evictions;
	uint64_t probes_suppressed;  /* port_probe rows over the rate limit, or
	                                whose probes all met a forged flood */
	uint64_t detections;
};

struct sw_detect;

/* NULL if the tables cannot be allocated or the hash key drawn. */
struct sw_detect *sw_detect_new(const struct sw_settings *s, struct sw_detect_sink sink);
void sw_detect_free(struct sw_detect *d);

/* -j N: number the detections from one counter the workers share (the
 * run's seq is unique across them). */
void sw_detect_share_seq(struct sw_detect *d, atomic_uint *seq);

/* -j N: the n engines (at most SW_DETECT_MAX_SHARE, n > 1) count floods in
 * one table, the first's, so that a flood split over the workers by its
 * (forged) sources is recognised at its whole rate, once, as with one
 * worker. A shared flood closes only when the packet clocks of all the
 * engines (as of their last housekeeping) have passed its end, so that
 * none lagging behind another finds it closed at a packet time at which
 * one engine would still have it open; an engine that gets no packets
 * must be given ticks (an IP packet of protocol 255) to move its clock.
 * Call before any packet; d[0] keeps the table: use none of them after
 * freeing it. 0, or -1 (out of memory, too many). */
#define SW_DETECT_MAX_SHARE 16
int sw_detect_share_floods(struct sw_detect **d, unsigned n);

/* The period of the engine's housekeeping, in packet time: it runs on the
 * first packet at or past the last run plus this (-j N files: the reader
 * ticks every worker there, split.c). */
#define SW_DETECT_TICK_US 1000000

/* One decoded packet (errors and non-IP are ignored here). */
void sw_detect_packet(struct sw_detect *d, const struct sw_pkt *p);

/* A clock packet: an IP packet of the reserved protocol 255 (RFC 5237),
 * which sw_detect_packet() takes for its time t and nothing else (the
 * ticks of -j N's workers, the time messages of -j 1's reader thread). */
void sw_detect_clock_packet(struct sw_pkt *p, int64_t t);

/* What sw_detect_packet() does with p, by the same tests as its dispatch
 * (detect.c: sw_detect_packet, tcp_packet; keep them in step): nothing;
 * only move the clock (and run the housekeeping due); or more. For -j 1's
 * reader thread (pipe.h), which passes the engine only what it needs. */
enum sw_detect_need {
	SW_DETECT_IGNORES,  /* a decode error, or not IP */
	SW_DETECT_CLOCK,    /* TCP data without SYN, RST or FIN; TCP or UDP
	                       without ports; a later ICMP fragment; another
	                       protocol */
	SW_DETECT_LOOKS,
};

static inline enum sw_detect_need sw_detect_need(const struct sw_pkt *p)
{
	if (p->err != SW_DERR_NONE || (p->l3 != SW_L3_IPV4 && p->l3 != SW_L3_IPV6))
		return SW_DETECT_IGNORES;
	switch (p->proto) {
	case SW_IPPROTO_TCP:
		if (!(p->flags & SW_PF_HAS_PORTS) ||
		    (p->payload_len && !(p->tcp_flags & (SW_TH_SYN | SW_TH_RST | SW_TH_FIN))))
			return SW_DETECT_CLOCK;
		return SW_DETECT_LOOKS;
	case SW_IPPROTO_UDP:
		return (p->flags & SW_PF_HAS_PORTS) ? SW_DETECT_LOOKS : SW_DETECT_CLOCK;
	case SW_IPPROTO_ICMP:
	case SW_IPPROTO_ICMPV6:
		return (!(p->flags & SW_PF_FRAG) || (p->flags & SW_PF_FRAG_FIRST)) ? SW_DETECT_LOOKS
		                                                                    : SW_DETECT_CLOCK;
	default:
		return SW_DETECT_CLOCK;
	}
}

/* Close every open detection (end of a run); now is the last packet time.
 * -j N: call it for every sharing engine once all have taken their last
 * packet; the last of them closes the floods still open (sw_detect_share_floods). */
void sw_detect_finish(struct sw_detect *d);
const struct sw_detect_stats *sw_detect_stats(const struct sw_detect *d);
/* Bytes of state allocated by the tables. */
uint64_t sw_detect_memory(const struct sw_detect *d);

#endif
