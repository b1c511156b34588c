/*
 * fingerprint.c - scanner tool names from probe headers (see fingerprint.h).
 *
 * Every trait below was checked on the development corpus (tests/data/corpus,
 * nmap 7.93, masscan 1.3.2, zmap 2.1.1, hping3 3.0.0-alpha-2; probes counted
 * from the attacker source of each truth.tsv row):
 *
 * masscan  IP ID == (dst IP ^ dst port ^ TCP seq) & 0xffff, dst IP read as a
 *          host-order 32-bit number: 768/768 SYNs and 768/768 of masscan's own
 *          RSTs (which carry seq+1) in dev_06b, dev_13, dev_14. TTL 255, DF
 *          clear, no TCP options; window 1024 on SYNs, 1200 on its RSTs; one
 *          source port for the whole sweep. By chance the formula also held
 *          for 3 of 227,685 other TCP packets (1/65536 as expected): an nmap
 *          NULL probe (TTL 57), a kernel RST (DF, ID 0) and a benign ACK with
 *          timestamps, hence the extra no-options / DF-clear / TTL >= 64 test
 *          and the tolerance for stray votes in the verdict.
 * zmap     IP ID 54321 on 256/256 SYNs (dev_06c), TTL 255, window 65535, no
 *          options, DF clear, source port and seq random per probe.
 * nmap     raw TCP probes (-sS, -sF, -sN, -sX, -sA and the discovery SYN/443,
 *          ACK/80): window 1024 on every one, DF clear, options exactly MSS
 *          1460 on SYNs and none otherwise. IPv4 TTL random in 37..59 per
 *          packet (23 distinct values in each 1000-probe scan); IPv6 hop
 *          limit is a constant 255 (dev_10). One source port and one seq for
 *          all probes of a scan phase (dev_01: 1000 SYNs on port 61322 with
 *          seq 1101228434); discovery and retransmissions may use another
 *          port (dev_03f: 4 of 1004 on port+2), so repeats are counted rather
 *          than a single port required. UDP probes (-sU, dev_04) and ICMP
 *          echo (no payload) / timestamp requests (-sn, dev_05): DF clear and
 *          the same random TTL; 159 of 164 UDP probes differ in TTL from the
 *          one before, on 2 source ports (114 + 51 probes).
 * hping3   window 512, no options, TTL 64, DF clear, source port +1 on every
 *          packet: 11,999/11,999 steps in dev_07 (2706..14705), 14,999/14,999
 *          in dev_14 (1500..16499). IP ID random.
 * none     nmap -sT (dev_02): the 500 probes are the kernel's connect() SYNs
 *          (window 64240, MSS/SACK/TS/WS options, DF, TTL 64); only the 4
 *          discovery probes are nmap's own, so the source stays unnamed.
 *          Benign clients (curl, dig, python) and the kernel RSTs that answer
 *          raw scanners' SYN-ACKs (TTL 64, DF, ID 0, window 0) never carry any
 *          of the marks above.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>

#include "fingerprint.h"

/* A per-source table holds 65536 of these. */
static_assert(sizeof(struct sw_fp_state) <= 32, "fingerprint state size");

#define FP_MIN_VOTES 4      /* "several" probes before naming anything */
#define FP_STRAY_SHIFT 5    /* another tool may hold <= 1/32 of the winner's
                               votes: chance matches of a 16-bit ID formula */

#define NMAP_TTL_MAX 59     /* nmap draws 37..59; hops only lower it */
#define NMAP_WIN 1024
#define NMAP_MSS 1460
#define MASSCAN_TTL_MIN 64  /* sends 255: tells it from nmap's 37..59 */
#define ZMAP_IP_ID 54321
#define ZMAP_WIN 65535
#define HPING3_WIN 512

#define TCPOPT_MSS 2

#define SEEN_SEQ 0x01
#define SEEN_PORT 0x02
#define SEEN_TTL 0x04

/* A packet votes for a tool, for SW_TOOL_NONE (the OS stack's own kind of
 * packet), or not at all: it fits a tool's shape but the confirming trait
 * needs the packet before it. */
#define V_ABSTAIN (-1)

/* ---- traits of one packet ------------------------------------------------ */

static int is_ipv4(const struct sw_pkt *p)
{
	return p->l3 == SW_L3_IPV4;
}

static int df_clear(const struct sw_pkt *p)
{
	return !(p->flags & SW_PF_DF);
}

/* masscan's stateless cookie: the IP ID alone proves the sender. */
static int masscan_id(const struct sw_pkt *p)
{
	const uint8_t *d = p->dst.bytes;
	uint32_t dip = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	               (uint32_t)d[2] << 8 | d[3];

	return p->ip_id == (uint16_t)(dip ^ p->dport ^ p->tcp_seq);
}

static inline __attribute__((always_inline)) int masscan_marks(const struct sw_pkt *p)
{
	return is_ipv4(p) && p->tcp_optlen == 0 && df_clear(p) &&
	       p->ttl >= MASSCAN_TTL_MIN && masscan_id(p);
}

static int zmap_marks(const struct sw_pkt *p)
{
	return is_ipv4(p) && p->ip_id == ZMAP_IP_ID && p->tcp_win == ZMAP_WIN &&
	       p->tcp_optlen == 0;
}

static int hping3_shape(const struct sw_pkt *p)
{
	return p->tcp_win == HPING3_WIN && p->tcp_optlen == 0 && df_clear(p);
}

/* nmap's SYN carries MSS 1460 and nothing else; its other probes none. */
static int nmap_tcp_options(const struct sw_pkt *p)
{
	if (!(p->tcp_flags & SW_TH_SYN))
		return p->tcp_optlen == 0;
	return p->tcp_nopts == 1 && p->tcp_optkinds[0] == TCPOPT_MSS &&
	       p->tcp_optlen == 4 && (p->flags & SW_PF_TCP_MSS) &&
	       p->tcp_mss == NMAP_MSS;
}

static int nmap_ttl(const struct sw_pkt *p)
{
	return p->ttl <= NMAP_TTL_MAX;
}

static inline __attribute__((always_inline)) int nmap_tcp_shape(const struct sw_pkt *p)
{
	if (p->tcp_win != NMAP_WIN || !df_clear(p) || !nmap_tcp_options(p))
		return 0;
	return !is_ipv4(p) || nmap_ttl(p); /* IPv6 hop limit is 255 */
}

/* The traits below that compare a packet with the one before take a flag,
 * fresh: st is the empty state (all zero), known to the caller, and what
 * it would say (nothing seen) need not be read. The flag is a constant in
 * each caller of observe(), which is inlined into both entry points. */

/* nmap's TTL is drawn afresh for every probe; a real stack's stays put. */
static inline int ttl_jumped(const struct sw_fp_state *st, const struct sw_pkt *p, bool fresh)
{
	return !fresh && (st->seen & SEEN_TTL) && st->last_ttl <= NMAP_TTL_MAX &&
	       st->last_ttl != p->ttl;
}

static inline int same_port(const struct sw_fp_state *st, const struct sw_pkt *p, bool fresh)
{
	return !fresh && (st->seen & SEEN_PORT) && st->last_sport == p->sport;
}

/* ---- votes per protocol ------------------------------------------------- */

static inline __attribute__((always_inline)) int tcp_vote(const struct sw_fp_state *st,
                                                          const struct sw_pkt *p, bool fresh)
{
	/* a headers-only snaplen may cut the options we judge by */
	if (p->flags & SW_PF_L4_CUT)
		return V_ABSTAIN;
	if (masscan_marks(p))
		return SW_TOOL_MASSCAN;
	if (zmap_marks(p))
		return SW_TOOL_ZMAP;
	if (hping3_shape(p)) {
		int next = !fresh && (st->seen & SEEN_PORT) &&
		           p->sport == (uint16_t)(st->last_sport + 1);
		return next ? SW_TOOL_HPING3 : V_ABSTAIN;
	}
	if (nmap_tcp_shape(p)) {
		int again = same_port(st, p, fresh) ||
		            (!fresh && (st->seen & SEEN_SEQ) && st->last_seq == p->tcp_seq);
		return again ? SW_TOOL_NMAP : V_ABSTAIN;
	}
	return SW_TOOL_NONE;
}

/* UDP and ICMP carry no window or options: nmap shows only in the TTL. */
static inline __attribute__((always_inline)) int udp_vote(const struct sw_fp_state *st,
                                                          const struct sw_pkt *p, bool fresh)
{
	if (!is_ipv4(p))
		return V_ABSTAIN;
	if (!df_clear(p) || !nmap_ttl(p))
		return SW_TOOL_NONE;
	return ttl_jumped(st, p, fresh) && same_port(st, p, fresh) ? SW_TOOL_NMAP : V_ABSTAIN;
}

static inline __attribute__((always_inline)) int icmp_vote(const struct sw_fp_state *st,
                                                           const struct sw_pkt *p, bool fresh)
{
	if (!df_clear(p) || !nmap_ttl(p))
		return SW_TOOL_NONE;
	/* ping(8) sends 56 bytes, Windows 32; nmap's echo has none */
	if (p->icmp_type == SW_ICMP_ECHO && p->payload_len != 0)
		return SW_TOOL_NONE;
	return ttl_jumped(st, p, fresh) ? SW_TOOL_NMAP : V_ABSTAIN;
}

/* ---- accumulator -------------------------------------------------------- */

static inline void add_vote(struct sw_fp_state *st, int v, bool fresh)
{
	if (fresh) {
		st->votes[v] = 1;
		return;
	}
	/* halve all at saturation: the verdict only looks at ratios */
	if (st->votes[v] == UINT16_MAX)
		for (size_t i = 0; i < SW_TOOL_COUNT; i++)
			st->votes[i] >>= 1;
	st->votes[v]++;
}

static inline void remember(struct sw_fp_state *st, const struct sw_pkt *p, bool fresh)
{
	uint8_t seen = (fresh ? 0 : st->seen) | SEEN_TTL;

	st->last_ttl = p->ttl;
	if (p->flags & SW_PF_HAS_PORTS) {
		st->last_sport = p->sport;
		seen |= SEEN_PORT;
	}
	if (p->proto == SW_IPPROTO_TCP) {
		st->last_seq = p->tcp_seq;
		seen |= SEEN_SEQ;
	}
	st->seen = seen;
}

/* Packets we judge: complete IP headers with the transport header. */
static int usable(const struct sw_pkt *p)
{
	if (p->err != SW_DERR_NONE)
		return 0;
	if (p->l3 != SW_L3_IPV4 && p->l3 != SW_L3_IPV6)
		return 0;
	if ((p->flags & SW_PF_FRAG) && !(p->flags & SW_PF_FRAG_FIRST))
		return 0; /* later fragments have no transport header */
	return 1;
}

/* sw_fp_observe, and with fresh sw_fp_first: one body, so that the two
 * cannot drift apart */
static inline __attribute__((always_inline)) void observe(struct sw_fp_state *st,
                                                          const struct sw_pkt *p, bool fresh)
{
	int v;

	if (!usable(p))
		return;
	/* most probes are TCP: tested first, not after the others */
	switch (__builtin_expect(p->proto, SW_IPPROTO_TCP)) {
	case SW_IPPROTO_TCP:
		if (!(p->flags & SW_PF_HAS_PORTS))
			return;
		if (p->tcp_flags & SW_TH_RST) {
			/* an answer, mostly the kernel's: only masscan's own
			 * RSTs carry a mark, and they must not move last_* */
			if (!(p->flags & SW_PF_L4_CUT) && masscan_marks(p))
				add_vote(st, SW_TOOL_MASSCAN, fresh);
			return;
		}
		v = tcp_vote(st, p, fresh);
		break;
	case SW_IPPROTO_UDP:
		if (!(p->flags & SW_PF_HAS_PORTS))
			return;
		v = udp_vote(st, p, fresh);
		break;
	case SW_IPPROTO_ICMP:
		if (p->icmp_type != SW_ICMP_ECHO && p->icmp_type != SW_ICMP_TIMESTAMP)
			return; /* only echo and timestamp requests are probes */
		v = icmp_vote(st, p, fresh);
		break;
	case SW_IPPROTO_ICMPV6:
		if (p->icmp_type != SW_ICMP6_ECHO)
			return;
		v = V_ABSTAIN; /* nmap's ICMPv6 echo has no mark of its own */
		break;
	default:
		return;
	}
	if (v != V_ABSTAIN)
		add_vote(st, v, fresh);
	remember(st, p, fresh);
}

void sw_fp_observe(struct sw_fp_state *st, const struct sw_pkt *p)
{
	observe(st, p, false);
}

void sw_fp_first(struct sw_fp_state *st, const struct sw_pkt *p)
{
	observe(st, p, true);
}

enum sw_tool sw_fp_verdict(const struct sw_fp_state *st)
{
	unsigned best = SW_TOOL_NONE;
	uint32_t top = 0, rest = 0;

	for (unsigned t = SW_TOOL_NONE + 1; t < SW_TOOL_COUNT; t++)
		if (st->votes[t] > top) {
			top = st->votes[t];
			best = t;
		}
	if (top < FP_MIN_VOTES)
		return SW_TOOL_NONE;
	for (unsigned t = SW_TOOL_NONE + 1; t < SW_TOOL_COUNT; t++)
		if (t != best && st->votes[t] > rest)
			rest = st->votes[t];
	/* two tools' marks from one source: unsure which (or a coincidence
	 * too frequent to be one) */
	if (rest << FP_STRAY_SHIFT > top)
		return SW_TOOL_NONE;
	/* the tool must account for at least two thirds of the probes we could
	 * judge: nmap -sT's discovery probes beside 500 kernel SYNs are not
	 * enough to name it */
	if ((uint32_t)st->votes[SW_TOOL_NONE] * 2 > top)
		return SW_TOOL_NONE;
	return (enum sw_tool)best;
}
