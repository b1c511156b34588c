/*
 * counters.c - per-run counting of every packet (and of the seconds that
 * saw packets, for a live rate), and the exit summary.
 * This sits on the packet path: array increments, nothing else. The common
 * case is counted inline (counters.h), its traffic in a tally folded in
 * when the counters are read; every other packet comes here.
 */
#include "config.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "counters.h"

static const char *const traffic_names[SW_TR_COUNT] = {
	[SW_TR_IPV4] = "ipv4", [SW_TR_IPV6] = "ipv6", [SW_TR_ARP] = "arp",
	[SW_TR_OTHER_L3] = "other_l3", [SW_TR_TCP] = "tcp", [SW_TR_UDP] = "udp",
	[SW_TR_ICMP] = "icmp", [SW_TR_ICMP6] = "icmp6", [SW_TR_OTHER_L4] = "other_l4",
	[SW_TR_VLAN] = "vlan_tagged", [SW_TR_FRAGMENTS] = "fragments",
};

static const char *const anomaly_names[SW_AN_COUNT] = {
	[SW_AN_FRAG_OVERLAP] = "frag_overlap",
	[SW_AN_FRAG_TINY] = "frag_tiny",
	[SW_AN_FRAG_EVICTED] = "frag_evicted",
	[SW_AN_READ_ERROR] = "read_error",
};

static const char *const table_names[SW_TB_COUNT] = {
	[SW_TB_SOURCES_EVICTED] = "sources_evicted",
	[SW_TB_CONTACTS_EVICTED] = "contacts_evicted",
	[SW_TB_DETAILS_EVICTED] = "details_evicted",
	[SW_TB_FLOOD_EVICTED] = "flood_evicted",
	[SW_TB_FLOOD_PREFIX_EVICTED] = "flood_prefix_evicted",
	[SW_TB_PROBES_SUPPRESSED] = "probes_suppressed",
};

const char *sw_table_counter_name(enum sw_table_counter t)
{
	return (unsigned)t < SW_TB_COUNT ? table_names[t] : "?";
}

const char *sw_traffic_name(enum sw_traffic t)
{
	return (unsigned)t < SW_TR_COUNT ? traffic_names[t] : "?";
}

const char *sw_anomaly_name(enum sw_anomaly a)
{
	return (unsigned)a < SW_AN_COUNT ? anomaly_names[a] : "?";
}

/* The traffic counter of each transport protocol, less SW_TR_OTHER_L4, so
 * that the protocols not named here (zero) count as other_l4: one load on
 * every packet where a switch is a chain of compares. */
static const int8_t l4_offset[256] = {
	[SW_IPPROTO_TCP] = SW_TR_TCP - SW_TR_OTHER_L4,
	[SW_IPPROTO_UDP] = SW_TR_UDP - SW_TR_OTHER_L4,
	[SW_IPPROTO_ICMP] = SW_TR_ICMP - SW_TR_OTHER_L4,
	[SW_IPPROTO_ICMPV6] = SW_TR_ICMP6 - SW_TR_OTHER_L4,
};

static unsigned l4_traffic(uint8_t proto)
{
	return (unsigned)(SW_TR_OTHER_L4 + l4_offset[proto]);
}

/* Seconds that saw packets, and the busiest one. A packet stamped earlier
 * than the second under way (files out of order) counts in that second. */
void sw_counters_rate(struct sw_counters *c, int64_t ts_us)
{
	if (c->active_seconds == 0 || ts_us >= c->rate_end_us) {
		int64_t sec = ts_us / 1000000;

		if (c->rate_count > c->peak_pps)
			c->peak_pps = c->rate_count;
		c->rate_end_us = (sec + 1) * 1000000;
		c->rate_count = 0;
		c->active_seconds++;
	}
	c->rate_count++;
}

uint64_t sw_counters_peak_pps(const struct sw_counters *c)
{
	return c->rate_count > c->peak_pps ? c->rate_count : c->peak_pps;
}

double sw_counters_active_pps(const struct sw_counters *c)
{
	return c->active_seconds ? (double)c->packets / (double)c->active_seconds : 0.0;
}

/* The times of a packet that is not the common case of sw_counters_add():
 * the first, one out of order, or the first of a new second. */
static void count_times(struct sw_counters *c, int64_t ts)
{
	sw_counters_rate(c, ts);
	if (c->packets == 0 || ts < c->first_ts)
		c->first_ts = ts;
	if (ts > c->last_ts)
		c->last_ts = ts;
}

/* What a packet that is not a whole IPv4 or IPv6 packet counts for: its
 * decode error, or its link-layer kind. */
static void count_unusual(struct sw_counters *c, const struct sw_pkt *p)
{
	/* A tiny fragment is a well-formed IP packet crafted to split the
	 * transport header: an anomaly, counted with its traffic. */
	if (p->err == SW_DERR_FRAG_TINY)
		c->anomaly[SW_AN_FRAG_TINY]++;
	else if (p->err != SW_DERR_NONE && (unsigned)p->err < SW_DERR_COUNT) {
		c->derr[p->err]++;
		return;
	}
	switch (p->l3) {
	case SW_L3_IPV4: c->traffic[SW_TR_IPV4]++; break;
	case SW_L3_IPV6: c->traffic[SW_TR_IPV6]++; break;
	case SW_L3_ARP: c->traffic[SW_TR_ARP]++; return;
	default: c->traffic[SW_TR_OTHER_L3]++; return;
	}
	if (p->flags & SW_PF_FRAG)
		c->traffic[SW_TR_FRAGMENTS]++;
	c->traffic[l4_traffic(p->proto)]++;
}

static_assert(SW_L3_IPV6 == SW_L3_IPV4 + 1 && SW_TR_IPV6 == SW_TR_IPV4 + 1,
              "the IP versions in the same order in both enums");

/*
 * Every packet but sw_counters_add()'s common case comes here, with the
 * rules in full; the common case among these (a packet of another kind in
 * time order) is still a straight line. In time order (ts >= last_ts) a
 * packet cannot be earlier than first_ts (last_ts is the latest time or 0,
 * first_ts the earliest), and within the second under way (ts <
 * rate_end_us) it only adds to that second. On a zeroed struct both bounds
 * are 0, so the first packet takes count_times() (and never the inline
 * common case).
 */
void sw_counters_add_other(struct sw_counters *c, const struct sw_pkt *p)
{
	int64_t ts = (int64_t)p->ts_us;

	if (ts >= c->last_ts && ts < c->rate_end_us) {
		c->last_ts = ts;
		c->rate_count++;
	} else {
		count_times(c, ts);
	}
	c->packets++;
	c->bytes += p->wirelen;
	if (p->vlan_depth)
		c->traffic[SW_TR_VLAN]++;
	if (p->err != SW_DERR_NONE || (p->l3 != SW_L3_IPV4 && p->l3 != SW_L3_IPV6)) {
		count_unusual(c, p);
		return;
	}
	c->traffic[SW_TR_IPV4 + (p->l3 - SW_L3_IPV4)]++;
	if (p->flags & SW_PF_FRAG)
		c->traffic[SW_TR_FRAGMENTS]++;
	c->traffic[l4_traffic(p->proto)]++;
}

void sw_counters_fold(struct sw_counters *c, struct sw_tally *t)
{
	for (unsigned v = 0; v < 2; v++) {
		for (unsigned proto = 0; proto < 256; proto++) {
			uint64_t n = t->ip[v][proto];

			c->packets += n;
			c->traffic[SW_TR_IPV4 + v] += n;
			c->traffic[l4_traffic((uint8_t)proto)] += n;
		}
	}
	memset(t, 0, sizeof *t);
}

uint64_t sw_counters_errors(const struct sw_counters *c)
{
	uint64_t n = 0;

	for (int i = 1; i < SW_DERR_COUNT; i++)
		n += c->derr[i];
	return n;
}

void sw_counters_print(const struct sw_counters *c, const char *prog, FILE *f)
{
	fprintf(f, "%s: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
	        " dropped by kernel, %" PRIu64 " dropped by interface, %" PRIu64
	        " decode errors\n", prog, c->packets, c->bytes, c->dropped,
	        c->ifdropped, sw_counters_errors(c));
	for (int i = 1; i < SW_DERR_COUNT; i++)
		if (c->derr[i])
			fprintf(f, "%s:   decode error %s: %" PRIu64 "\n", prog,
			        sw_derr_name((enum sw_derr)i), c->derr[i]);
	for (int i = 0; i < SW_AN_COUNT; i++)
		if (c->anomaly[i])
			fprintf(f, "%s:   %s: %" PRIu64 "\n", prog,
			        anomaly_names[i], c->anomaly[i]);
	fprintf(f, "%s:   detections: %" PRIu64 "\n", prog, c->detections);
	for (int i = 0; i < SW_TB_COUNT; i++)
		if (c->table[i])
			fprintf(f, "%s:   %s: %" PRIu64 "\n", prog, table_names[i], c->table[i]);
	if (c->ring_full)
		fprintf(f, "%s:   writer ring full, records lost: %" PRIu64 "\n", prog,
		        c->ring_full);
}

void sw_counters_merge(struct sw_counters *into, const struct sw_counters *c)
{
	into->packets += c->packets;
	into->bytes += c->bytes;
	into->dropped += c->dropped;
	into->ifdropped += c->ifdropped;
	into->ring_full += c->ring_full;
	if (c->first_ts && (!into->first_ts || c->first_ts < into->first_ts))
		into->first_ts = c->first_ts;
	if (c->last_ts > into->last_ts)
		into->last_ts = c->last_ts;
	for (int i = 0; i < SW_DERR_COUNT; i++)
		into->derr[i] += c->derr[i];
	for (int i = 0; i < SW_TR_COUNT; i++)
		into->traffic[i] += c->traffic[i];
	for (int i = 0; i < SW_AN_COUNT; i++)
		into->anomaly[i] += c->anomaly[i];
	for (int i = 0; i < SW_TB_COUNT; i++)
		into->table[i] += c->table[i];
	into->detections += c->detections;
	/* the workers count seconds side by side: a second is active when one
	 * of them saw a packet in it (at least the most of any), and the peak
	 * is at most the sum of their peaks (an upper bound) */
	if (c->active_seconds > into->active_seconds)
		into->active_seconds = c->active_seconds;
	if (sw_counters_peak_pps(c) > 0)
		into->peak_pps += sw_counters_peak_pps(c);
	if (c->rate_end_us > into->rate_end_us)
		into->rate_end_us = c->rate_end_us;
}
