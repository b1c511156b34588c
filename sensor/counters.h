/*
 * counters.h - what a capture run counts: packets, bytes, drops, decode
 * errors by reason, anomalies and traffic by protocol. The capture thread
 * owns one struct sw_counters, with the tally of its common case (struct
 * sw_tally, folded in before the counters are read), and sends copies to
 * the writer.
 */
#ifndef SW_COUNTERS_H
#define SW_COUNTERS_H

#include <stdint.h>
#include <stdio.h>

#include "decode.h"

enum sw_traffic {
	SW_TR_IPV4, SW_TR_IPV6, SW_TR_ARP, SW_TR_OTHER_L3,
	SW_TR_TCP, SW_TR_UDP, SW_TR_ICMP, SW_TR_ICMP6, SW_TR_OTHER_L4,
	SW_TR_VLAN, SW_TR_FRAGMENTS,
	SW_TR_COUNT
};

enum sw_anomaly {
	SW_AN_FRAG_OVERLAP,  /* a fragment overlapping an earlier one */
	SW_AN_FRAG_TINY,     /* a fragment splitting the transport header
	                        (SW_DERR_FRAG_TINY): an evasion, not a packet
	                        the decoder failed on */
	SW_AN_FRAG_EVICTED,  /* fragment tracker entries evicted when full */
	SW_AN_READ_ERROR,    /* a capture file that ended in an error */
	SW_AN_COUNT
};

/* Evictions of the bounded tables, and rows held back by rate limits. */
enum sw_table_counter {
	SW_TB_SOURCES_EVICTED,
	SW_TB_CONTACTS_EVICTED,
	SW_TB_DETAILS_EVICTED,
	SW_TB_FLOOD_EVICTED,
	SW_TB_FLOOD_PREFIX_EVICTED,
	SW_TB_PROBES_SUPPRESSED,
	SW_TB_COUNT
};

struct sw_counters {
	uint64_t packets;
	uint64_t bytes;      /* on the wire (pcap len, not caplen) */
	uint64_t dropped;    /* kernel drops, pcap_stats ps_drop */
	uint64_t ifdropped;  /* interface drops, ps_ifdrop */
	uint64_t ring_full;  /* records the writer ring refused */
	int64_t first_ts;    /* packet time of the first packet, 0 if none */
	int64_t last_ts;
	uint64_t derr[SW_DERR_COUNT];
	uint64_t traffic[SW_TR_COUNT];
	uint64_t anomaly[SW_AN_COUNT];
	uint64_t table[SW_TB_COUNT];
	uint64_t detections;  /* opened by the engine (the summary prints the stored ones) */
	/* the rate while traffic flows, in packet time: one bucket per second
	 * (fixed state, no allocation on the packet path) */
	int64_t rate_end_us;      /* where the second being counted ends */
	uint64_t rate_count;      /* packets in it so far */
	uint64_t active_seconds;  /* seconds with at least one packet */
	uint64_t peak_pps;        /* the most packets in one closed second */
};

/*
 * The common case's traffic, counted apart from struct sw_counters (whose
 * copies travel as records) and folded into it before it is read
 * (sw_counters_fold()): a whole IPv4 or IPv6 packet, untagged and not a
 * fragment, counts once here, by version and protocol, where it counts
 * three times in the counters (packets, its version, its protocol).
 */
struct sw_tally {
	uint64_t ip[2][256]; /* [IPv4, IPv6][IP protocol] */
};

/* sw_counters_add() for every packet but the common case: the counting
 * rules in full, into c alone. */
void sw_counters_add_other(struct sw_counters *c, const struct sw_pkt *p);

/*
 * Count one decoded packet (packets, bytes, times, error, traffic). c and t
 * start zeroed (static, or memset), as the common case assumes. Inline, in
 * the packet path of its caller: the common case is a packet in time order
 * within the second under way (see sw_counters_add_other()), decoded whole
 * as IPv4 or IPv6, without a VLAN tag, not a fragment, and it adds to the
 * times and bytes of c and to the tally t. The packets and traffic[] of c
 * are up to date only after sw_counters_fold() (packets is 0 only while
 * none was counted: the first packet is never the common case).
 */
static inline void sw_counters_add(struct sw_counters *c, struct sw_tally *t,
                                   const struct sw_pkt *p)
{
	int64_t ts = (int64_t)p->ts_us;
	unsigned v = (unsigned)p->l3 - SW_L3_IPV4;

	if (ts >= c->last_ts && ts < c->rate_end_us && p->err == SW_DERR_NONE && v < 2 &&
	    !(p->flags & SW_PF_FRAG) && p->vlan_depth == 0) {
		c->last_ts = ts;
		c->rate_count++;
		c->bytes += p->wirelen;
		t->ip[v][p->proto]++;
		return;
	}
	sw_counters_add_other(c, p);
}

/* Add the tally t into c's packets and traffic[] and clear it: c is then
 * what sw_counters_add() counted, all of it. Before reading c (or copying,
 * merging, printing it). */
void sw_counters_fold(struct sw_counters *c, struct sw_tally *t);
/* The seconds that saw packets and the busiest one (active_seconds,
 * peak_pps): the part of sw_counters_add() that a packet at ts_us counts
 * there (-j N files: the reader counts them for the run). */
void sw_counters_rate(struct sw_counters *c, int64_t ts_us);
uint64_t sw_counters_errors(const struct sw_counters *c);
/* The most packets seen in one second, the second under way included. */
uint64_t sw_counters_peak_pps(const struct sw_counters *c);
/* Packets per second over the seconds in which packets arrived (0: none). */
double sw_counters_active_pps(const struct sw_counters *c);
const char *sw_traffic_name(enum sw_traffic t);
const char *sw_anomaly_name(enum sw_anomaly a);
const char *sw_table_counter_name(enum sw_table_counter t);
/* -j N: add one worker's counters c to a run's total (sums; times the
 * earliest and latest; active seconds the most of any worker, the peak
 * rate the sum of their peaks). into starts zeroed. */
void sw_counters_merge(struct sw_counters *into, const struct sw_counters *c);
/* The exit summary, a few lines to f. */
void sw_counters_print(const struct sw_counters *c, const char *prog, FILE *f);

#endif
