/*
 * decode.c - one captured frame in, one struct sw_pkt out.
 *
 * Owns the walk from the link header to the transport header: Ethernet
 * (stacked 802.1Q/802.1ad tags), Linux cooked v1/v2, raw IP, BSD NULL/LOOP,
 * then IPv4 (options, fragments) or IPv6 (extension header chain), then
 * TCP/UDP/ICMP/ICMPv6, and the header quoted inside an ICMP error. It does
 * not track fragments across packets (frag.c) or count anything
 * (counters.c); it keeps no state and allocates nothing. The common case
 * (Ethernet, IPv4 without options or IPv6 without extension headers, no
 * fragment) takes a fast path to the same result (decode_fast()).
 *
 * Two lengths bound every read. "cap" is what libpcap captured; "len" is
 * what the headers say the datagram holds. Bytes are read only below the
 * smaller of the two, so Ethernet padding past the IP length is never taken
 * for payload. Lengths we report (payload_len, frag_len) come from the
 * headers, not from caplen: the sensor runs with a headers-only snaplen, so
 * a short capture is normal and says nothing about the packet on the wire.
 *
 * A header that the headers themselves say is too short is malformed; a
 * header that caplen cut is truncated. Both are errors when the cut header
 * is one we need (IP, extension chain, the fixed transport header, the
 * quoted header of an ICMP error). TCP options and payload are not needed:
 * options cut by caplen are decoded as far as they go and SW_PF_L4_CUT says
 * so.
 */
#ifndef _DEFAULT_SOURCE
/* The unit tests build this file with libnet's flags, whose _BSD_SOURCE
 * glibc warns about unless _DEFAULT_SOURCE is set. */
#define _DEFAULT_SOURCE 1
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "decode.h"

/* Ethertypes and other wire constants used below. */
#define ET_IPV4 0x0800
#define ET_ARP 0x0806
#define ET_VLAN 0x8100     /* 802.1Q */
#define ET_QINQ 0x88a8     /* 802.1ad service tag */
#define ET_QINQ_OLD 0x9100 /* pre-standard QinQ, still seen on switches */
#define ET_IPV6 0x86dd
#define ARPHRD_NETLINK 824 /* cooked capture of a netlink socket */

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_DCCP_ 33
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_SCTP_ 132
#define IPPROTO_MH_ 135
#define IPPROTO_UDPLITE_ 136
#define IPPROTO_HIP_ 139
#define IPPROTO_SHIM6_ 140

static const char *const derr_names[SW_DERR_COUNT] = {
	[SW_DERR_NONE] = "none",
	[SW_DERR_LINKTYPE] = "linktype",
	[SW_DERR_L2_TRUNC] = "l2_trunc",
	[SW_DERR_VLAN_TRUNC] = "vlan_trunc",
	[SW_DERR_VLAN_DEPTH] = "vlan_depth",
	[SW_DERR_NULL_FAMILY] = "null_family",
	[SW_DERR_IP_VERSION] = "ip_version",
	[SW_DERR_IPV4_TRUNC] = "ipv4_trunc",
	[SW_DERR_IPV4_HLEN] = "ipv4_hlen",
	[SW_DERR_IPV4_LEN] = "ipv4_len",
	[SW_DERR_IPV4_OPT] = "ipv4_opt",
	[SW_DERR_IPV6_TRUNC] = "ipv6_trunc",
	[SW_DERR_IPV6_EXT_TRUNC] = "ipv6_ext_trunc",
	[SW_DERR_IPV6_EXT_DEPTH] = "ipv6_ext_depth",
	[SW_DERR_FRAG_TINY] = "frag_tiny",
	[SW_DERR_TCP_TRUNC] = "tcp_trunc",
	[SW_DERR_TCP_HLEN] = "tcp_hlen",
	[SW_DERR_TCP_OPT] = "tcp_opt",
	[SW_DERR_UDP_TRUNC] = "udp_trunc",
	[SW_DERR_UDP_LEN] = "udp_len",
	[SW_DERR_ICMP_TRUNC] = "icmp_trunc",
	[SW_DERR_ICMP6_TRUNC] = "icmp6_trunc",
	[SW_DERR_ICMP_INNER_TRUNC] = "icmp_inner_trunc",
	[SW_DERR_ICMP_INNER_BAD] = "icmp_inner_bad",
};

const char *sw_derr_name(enum sw_derr e)
{
	if ((unsigned)e >= SW_DERR_COUNT)
		return NULL;
	return derr_names[e];
}

int sw_decode_linktype_ok(int linktype)
{
	switch (linktype) {
	case SW_DLT_NULL:
	case SW_DLT_EN10MB:
	case SW_DLT_RAW:
	case SW_DLT_LINKTYPE_RAW:
	case SW_DLT_LOOP:
	case SW_DLT_LINUX_SLL:
	case SW_DLT_LINUX_SLL2:
	case SW_DLT_IPV4:
	case SW_DLT_IPV6:
		return 1;
	default:
		return 0;
	}
}

static uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)((unsigned)b[0] << 8 | b[1]);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/*
 * Two neighbours on the wire into two neighbours of struct sw_pkt: the
 * ports (two 16-bit numbers) and the sequence and acknowledgment numbers
 * (two 32-bit ones), each pair with one load and one store where reading
 * them field by field takes three instructions a field. On a little-endian
 * machine a byte swap of the whole puts both fields right but in the
 * wrong order, so a rotation by half swaps them back; on a big-endian one
 * the bytes are already what the fields hold.
 */
static_assert(offsetof(struct sw_pkt, dport) == offsetof(struct sw_pkt, sport) + 2,
              "set_ports() writes sport and dport at once");
static_assert(offsetof(struct sw_pkt, tcp_ack) == offsetof(struct sw_pkt, tcp_seq) + 4,
              "set_seq_ack() writes tcp_seq and tcp_ack at once");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static void set_ports(struct sw_pkt *p, const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	v = __builtin_bswap32(v);
	v = v >> 16 | v << 16;
	memcpy((unsigned char *)p + offsetof(struct sw_pkt, sport), &v, 4);
}

static void set_seq_ack(struct sw_pkt *p, const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, 8);
	v = __builtin_bswap64(v);
	v = v >> 32 | v << 32;
	memcpy((unsigned char *)p + offsetof(struct sw_pkt, tcp_seq), &v, 8);
}
#else
static void set_ports(struct sw_pkt *p, const uint8_t *b)
{
	p->sport = rd16(b);
	p->dport = rd16(b + 2);
}

static void set_seq_ack(struct sw_pkt *p, const uint8_t *b)
{
	p->tcp_seq = rd32(b);
	p->tcp_ack = rd32(b + 4);
}
#endif

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void set_addr4(struct sw_addr *a, const uint8_t *b)
{
	a->family = SW_AF_INET;
	memcpy(a->bytes, b, 4);
}

static void set_addr6(struct sw_addr *a, const uint8_t *b)
{
	a->family = SW_AF_INET6;
	memcpy(a->bytes, b, 16);
}

/* Protocols whose header starts with a 16-bit source and destination port,
 * so that the quote of an ICMP error can be matched to a flow. */
static int has_ports(uint8_t proto)
{
	return proto == SW_IPPROTO_TCP || proto == SW_IPPROTO_UDP ||
	       proto == IPPROTO_SCTP_ || proto == IPPROTO_DCCP_ ||
	       proto == IPPROTO_UDPLITE_;
}

/* ---- IPv4 options ------------------------------------------------------ */

/* Every option but EOL and NOP carries a length that must stay inside the
 * header: a bad one is how some stacks were crashed, so it is worth a name. */
static enum sw_derr ipv4_options(const uint8_t *o, uint32_t n)
{
	uint32_t i = 0;

	while (i < n) {
		uint8_t kind = o[i];

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n || o[i + 1] < 2 || o[i + 1] > n - i)
			return SW_DERR_IPV4_OPT;
		i += o[i + 1];
	}
	return SW_DERR_NONE;
}

/* ---- IPv6 extension header chain --------------------------------------- */

enum walk_res { WALK_OK, WALK_SHORT_LEN, WALK_SHORT_CAP, WALK_DEPTH };

struct ext_walk {
	uint8_t nh;        /* next header after the chain (the transport) */
	uint32_t off;      /* where it starts, from the IPv6 header */
	int frag;          /* 0 none, 1 first fragment, 2 later fragment */
	uint16_t frag_off; /* bytes */
	uint32_t frag_id;
	int mf;
	uint32_t frag_hdr_end; /* offset just past the fragment header */
};

static int is_ext(uint8_t nh)
{
	switch (nh) {
	case IPPROTO_HOPOPTS_:
	case IPPROTO_ROUTING_:
	case IPPROTO_FRAGMENT_:
	case IPPROTO_DSTOPTS_:
	case IPPROTO_AH_:
	case IPPROTO_MH_:
	case IPPROTO_HIP_:
	case IPPROTO_SHIM6_:
		return 1;
	default:
		return 0;
	}
}

/*
 * Walk the chain of b (an IPv6 header, 40 bytes known present), len bytes
 * per the headers, cap bytes readable (cap <= len). Stops at the first
 * header that is not an extension header, or after a fragment header with
 * a non-zero offset: what follows it is the middle of a datagram, not a
 * header. Bounded by SW_MAX_IPV6_EXT so that a chain of thousands of empty
 * headers costs a fixed amount of work.
 */
static enum walk_res ipv6_walk(const uint8_t *b, uint32_t cap, uint32_t len,
                               struct ext_walk *w)
{
	unsigned n = 0;
	uint32_t off = 40;
	uint8_t nh = b[6];

	memset(w, 0, sizeof *w);
	while (is_ext(nh)) {
		uint32_t hl;

		if (n == SW_MAX_IPV6_EXT) {
			w->nh = nh;
			w->off = off;
			return WALK_DEPTH;
		}
		n++;
		/* The fragment header is 8 bytes and its second byte is
		 * reserved; every other one has its length in byte 1. */
		hl = nh == IPPROTO_FRAGMENT_ ? 8 : 2;
		if (hl > len - off || hl > cap - off) {
			w->nh = nh;
			w->off = off;
			return hl > len - off ? WALK_SHORT_LEN : WALK_SHORT_CAP;
		}
		if (nh == IPPROTO_AH_)
			hl = ((uint32_t)b[off + 1] + 2) * 4; /* RFC 4302: 4-byte units */
		else if (nh != IPPROTO_FRAGMENT_)
			hl = ((uint32_t)b[off + 1] + 1) * 8;
		if (hl > len - off || hl > cap - off) {
			w->nh = nh;
			w->off = off;
			return hl > len - off ? WALK_SHORT_LEN : WALK_SHORT_CAP;
		}
		if (nh == IPPROTO_FRAGMENT_) {
			uint16_t fo = rd16(b + off + 2);

			w->frag_off = (uint16_t)(fo & 0xfff8); /* 8-byte units, << 3 */
			w->mf = fo & 1;
			w->frag_id = rd32(b + off + 4);
			w->frag_hdr_end = off + 8;
			/* An atomic fragment (offset 0, no more fragments,
			 * RFC 6946) is a whole datagram, not a fragment. */
			if (w->frag_off != 0)
				w->frag = 2;
			else if (w->mf)
				w->frag = 1;
			nh = b[off];
			off += 8;
			if (w->frag == 2)
				break;
			continue;
		}
		nh = b[off];
		off += hl;
	}
	w->nh = nh;
	w->off = off;
	return WALK_OK;
}

/* ---- ICMP errors: the quoted header ------------------------------------ */

/*
 * q is the quote after the 8-byte ICMP header: the start of the datagram
 * that caused the error. Its length comes from the ICMP message; the quoted
 * IP header describes the whole original datagram, far longer than the quote,
 * so its length fields are not used to bound anything.
 */
static enum sw_derr decode_inner(const uint8_t *q, uint32_t cap, uint32_t len,
                                 int v6, struct sw_pkt *p)
{
	struct sw_inner *in = &p->inner;
	uint32_t hl, need;
	uint8_t proto;
	int later_frag;

	hl = v6 ? 40 : 20;
	if (len < hl || cap < hl)
		return SW_DERR_ICMP_INNER_TRUNC;
	if ((q[0] >> 4) != (v6 ? 6 : 4))
		return SW_DERR_ICMP_INNER_BAD;
	if (!v6) {
		hl = (uint32_t)(q[0] & 0x0f) * 4;
		if (hl < 20)
			return SW_DERR_ICMP_INNER_BAD;
		if (hl > len || hl > cap)
			return SW_DERR_ICMP_INNER_TRUNC;
		set_addr4(&in->src, q + 12);
		set_addr4(&in->dst, q + 16);
		proto = q[9];
		later_frag = (rd16(q + 6) & 0x1fff) != 0;
	} else {
		struct ext_walk w;
		enum walk_res r = ipv6_walk(q, cap, len, &w);

		set_addr6(&in->src, q + 8);
		set_addr6(&in->dst, q + 24);
		if (r == WALK_DEPTH)
			return SW_DERR_ICMP_INNER_BAD;
		if (r != WALK_OK)
			return SW_DERR_ICMP_INNER_TRUNC;
		hl = w.off;
		proto = w.nh;
		later_frag = w.frag == 2;
	}
	in->proto = proto;
	p->flags |= SW_PF_INNER;
	if (later_frag || !has_ports(proto))
		return SW_DERR_NONE;
	/* RFC 792 quotes 64 bits of the transport header and routers do;
	 * whatever of those 8 bytes the message holds must have been captured,
	 * or the error cannot be matched to its probe. */
	need = min32(8, len - hl);
	if (cap - hl < need)
		return SW_DERR_ICMP_INNER_TRUNC;
	if (need >= 4) {
		in->sport = rd16(q + hl);
		in->dport = rd16(q + hl + 2);
		p->flags |= SW_PF_INNER_PORTS;
	}
	if (need >= 8 && proto == SW_IPPROTO_TCP)
		in->tcp_seq = rd32(q + hl + 4);
	return SW_DERR_NONE;
}

/* ---- transport --------------------------------------------------------- */

/*
 * TCP options up to optlen (from the data offset); only avail of them were
 * captured. A cut by caplen is not an error (headers-only snaplen); a length
 * that runs past the data offset is. The count and the kinds are kept in
 * locals and written once: stores through p may alias o for the compiler,
 * and would make it load everything again on each option.
 */
static inline enum sw_derr options_walk(const uint8_t *o, uint32_t avail,
                                        uint32_t optlen, struct sw_pkt *p)
{
	enum sw_derr e = SW_DERR_NONE;
	uint32_t i = 0;
	uint8_t n = p->tcp_nopts;

	while (i < optlen) {
		uint8_t kind, olen;

		if (i >= avail)
			goto cut;
		kind = o[i];
		if (n < sizeof p->tcp_optkinds)
			p->tcp_optkinds[n] = kind;
		n++;
		if (kind == 0) /* EOL: the rest is padding */
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= optlen) {
			e = SW_DERR_TCP_OPT;
			break;
		}
		if (i + 1 >= avail)
			goto cut;
		olen = o[i + 1];
		if (olen < 2 || olen > optlen - i || (kind == 2 && olen != 4)) {
			e = SW_DERR_TCP_OPT;
			break;
		}
		if (olen > avail - i)
			goto cut;
		if (kind == 2) {
			p->tcp_mss = rd16(o + i + 2);
			p->flags |= SW_PF_TCP_MSS;
		}
		i += olen;
	}
	p->tcp_nopts = n;
	return e;
cut:
	p->tcp_nopts = n;
	p->flags |= SW_PF_L4_CUT;
	return SW_DERR_NONE;
}

/* Options captured whole, the common case, take a copy of the walk that
 * the compiler rids of the checks against avail (they are those against
 * optlen). */
static enum sw_derr tcp_options(const uint8_t *o, uint32_t avail,
                                uint32_t optlen, struct sw_pkt *p)
{
	if (avail >= optlen)
		return options_walk(o, optlen, optlen, p);
	return options_walk(o, avail, optlen, p);
}

/* ICMP types that carry an identifier and sequence number. */
static int icmp4_has_id(uint8_t type)
{
	return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

static int icmp4_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* tcp_header() once the fixed header is known to be there, whole (len
 * >= 20 and 20 bytes readable): the fast path (decode_fast()), which has
 * checked that, comes in here. */
static inline enum sw_derr tcp_fixed(const uint8_t *l4, uint32_t len, int first,
                                     struct sw_pkt *p)
{
	uint32_t hl;

	set_ports(p, l4);
	set_seq_ack(p, l4 + 4);
	p->tcp_flags = l4[13];
	p->tcp_win = rd16(l4 + 14);
	p->flags |= SW_PF_HAS_PORTS;
	hl = ((uint32_t)l4[12] & 0xf0) >> 2; /* the data offset, in bytes */
	if (hl < 20)
		return SW_DERR_TCP_HLEN;
	if (hl > len)
		return first ? SW_DERR_FRAG_TINY : SW_DERR_TCP_HLEN;
	p->tcp_optlen = (uint8_t)(hl - 20);
	p->payload_len = (uint16_t)(len - hl);
	return SW_DERR_NONE;
}

/* The fixed TCP header (decode_l4()'s arguments), all but the options:
 * those are tcp_options()'s, for p->tcp_optlen bytes when it returns
 * SW_DERR_NONE. Apart so that the fast path (decode_fast()) runs the same
 * code as the general walk. */
static inline enum sw_derr tcp_header(const uint8_t *l4, uint32_t cap, uint32_t len,
                                      int first, struct sw_pkt *p)
{
	if (len < 20)
		return first ? SW_DERR_FRAG_TINY : SW_DERR_TCP_TRUNC;
	if (cap < 20)
		return SW_DERR_TCP_TRUNC;
	return tcp_fixed(l4, len, first, p);
}

/* The options after tcp_header(): p->tcp_optlen bytes of them, of which the
 * cap bytes of the segment (cap >= 20) hold what they hold. */
static enum sw_derr tcp_header_options(const uint8_t *l4, uint32_t cap, struct sw_pkt *p)
{
	uint32_t optlen = p->tcp_optlen;

	return tcp_options(l4 + 20, min32(optlen, cap - 20), optlen, p);
}

/*
 * l4: transport header; len bytes per the IP headers, cap of them readable
 * (cap <= len). first: this is the first fragment of a fragmented datagram,
 * where a header that does not fit is the RFC 1858 tiny-fragment evasion
 * rather than a mere malformation.
 */
static enum sw_derr decode_l4(const uint8_t *l4, uint32_t cap, uint32_t len,
                              int first, int v6, struct sw_pkt *p)
{
	uint16_t ulen;

	switch (p->proto) {
	case SW_IPPROTO_TCP: {
		enum sw_derr e = tcp_header(l4, cap, len, first, p);

		if (e != SW_DERR_NONE || p->tcp_optlen == 0)
			return e;
		return tcp_header_options(l4, cap, p);
	}

	case SW_IPPROTO_UDP:
		if (len < 8)
			return first ? SW_DERR_FRAG_TINY : SW_DERR_UDP_TRUNC;
		if (cap < 8)
			return SW_DERR_UDP_TRUNC;
		set_ports(p, l4);
		p->flags |= SW_PF_HAS_PORTS;
		ulen = rd16(l4 + 4);
		/* A first fragment holds only part of the datagram the UDP
		 * length describes, so only the lower bound applies there. */
		if (ulen < 8 || (!first && ulen > len))
			return SW_DERR_UDP_LEN;
		p->payload_len = (uint16_t)(ulen - 8);
		return SW_DERR_NONE;

	case SW_IPPROTO_ICMP:
	case SW_IPPROTO_ICMPV6:
		/* ICMP over IPv6 or ICMPv6 over IPv4 is not ICMP at all. */
		if ((p->proto == SW_IPPROTO_ICMPV6) != v6)
			break;
		if (len < 8)
			return first ? SW_DERR_FRAG_TINY
			             : v6 ? SW_DERR_ICMP6_TRUNC : SW_DERR_ICMP_TRUNC;
		if (cap < 8)
			return v6 ? SW_DERR_ICMP6_TRUNC : SW_DERR_ICMP_TRUNC;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		p->payload_len = (uint16_t)(len - 8);
		if (v6 ? (l4[0] == SW_ICMP6_ECHO || l4[0] == SW_ICMP6_ECHO_REPLY) : icmp4_has_id(l4[0])) {
			p->icmp_id = rd16(l4 + 4);
			p->icmp_seq = rd16(l4 + 6);
		}
		if (v6 ? (l4[0] >= 1 && l4[0] <= 4) : icmp4_is_error(l4[0]))
			return decode_inner(l4 + 8, cap - 8, len - 8, v6, p);
		return SW_DERR_NONE;

	default:
		break;
	}
	p->payload_len = (uint16_t)len;
	return SW_DERR_NONE;
}

enum sw_derr sw_decode_l4(const uint8_t *l4, uint32_t cap, uint32_t len,
                          struct sw_pkt *p)
{
	if (cap > len)
		cap = len;
	return decode_l4(l4, cap, len, 1, p->l3 == SW_L3_IPV6, p);
}

/* RFC 1858: a TCP fragment at offset 8 overwrites the flags of the header
 * in the first fragment, the classic way past a filter. Other later
 * fragments hold no header and are fine as they are. */
static enum sw_derr later_fragment(struct sw_pkt *p)
{
	if (p->proto == SW_IPPROTO_TCP && p->frag_off == 8)
		return SW_DERR_FRAG_TINY;
	return SW_DERR_NONE;
}

/* ---- IP ---------------------------------------------------------------- */

/* The payload of a fragment, for the fragment tracker: data_off is where it
 * starts in the frame, data_cap how much of it was captured. */
static void set_frag_data(struct sw_pkt *p, uint32_t data_off, uint32_t data_cap)
{
	p->frag_data_off = data_off;
	p->frag_data_cap = min32(data_cap, p->frag_len);
}

/* b is off bytes into the frame. */
static enum sw_derr decode_ipv4(const uint8_t *b, uint32_t off, uint32_t cap,
                                struct sw_pkt *p)
{
	uint32_t hl, tot;
	uint16_t frag;

	p->l3 = SW_L3_IPV4;
	if (cap < 20)
		return SW_DERR_IPV4_TRUNC;
	if ((b[0] >> 4) != 4)
		return SW_DERR_IP_VERSION;
	hl = (uint32_t)(b[0] & 0x0f) * 4;
	tot = rd16(b + 2);
	p->ip_len = (uint16_t)tot;
	p->ip_id = rd16(b + 4);
	p->ttl = b[8];
	p->proto = b[9];
	set_addr4(&p->src, b + 12);
	set_addr4(&p->dst, b + 16);
	if (hl < 20)
		return SW_DERR_IPV4_HLEN;
	if (tot < 20)
		return SW_DERR_IPV4_LEN;
	if (hl > tot)
		return SW_DERR_IPV4_HLEN;
	if (hl > cap)
		return SW_DERR_IPV4_TRUNC;
	if (hl > 20) {
		enum sw_derr e;

		p->flags |= SW_PF_IPV4_OPTS;
		e = ipv4_options(b + 20, hl - 20);
		if (e != SW_DERR_NONE)
			return e;
	}
	frag = rd16(b + 6);
	if (frag & 0x4000)
		p->flags |= SW_PF_DF;
	if (frag & 0x2000)
		p->flags |= SW_PF_MF;
	cap = min32(cap, tot); /* Ethernet padding is not part of the datagram */
	if (frag & 0x3fff) {
		p->flags |= SW_PF_FRAG;
		p->frag_off = (uint16_t)((frag & 0x1fff) * 8);
		p->frag_id = p->ip_id;
		p->frag_len = (uint16_t)(tot - hl);
		set_frag_data(p, off + hl, cap - hl);
		if (p->frag_off != 0)
			return later_fragment(p);
		p->flags |= SW_PF_FRAG_FIRST;
	}
	return decode_l4(b + hl, cap - hl, tot - hl,
	                 (p->flags & SW_PF_FRAG_FIRST) != 0, 0, p);
}

static enum sw_derr decode_ipv6(const uint8_t *b, uint32_t off, uint32_t cap,
                                struct sw_pkt *p)
{
	struct ext_walk w;
	uint32_t len;

	p->l3 = SW_L3_IPV6;
	if (cap < 40)
		return SW_DERR_IPV6_TRUNC;
	if ((b[0] >> 4) != 6)
		return SW_DERR_IP_VERSION;
	len = 40 + (uint32_t)rd16(b + 4);
	/* The datagram can be 40 bytes longer than the 16-bit field holds. */
	p->ip_len = (uint16_t)min32(len, 0xffff);
	p->ttl = b[7];
	p->proto = b[6];
	set_addr6(&p->src, b + 8);
	set_addr6(&p->dst, b + 24);
	cap = min32(cap, len);

	switch (ipv6_walk(b, cap, len, &w)) {
	case WALK_OK:
		break;
	case WALK_DEPTH:
		p->proto = w.nh;
		return SW_DERR_IPV6_EXT_DEPTH;
	case WALK_SHORT_LEN:
		/* RFC 7112: the first fragment must hold the whole chain */
		p->proto = w.nh;
		return w.frag == 1 ? SW_DERR_FRAG_TINY : SW_DERR_IPV6_EXT_TRUNC;
	case WALK_SHORT_CAP:
		p->proto = w.nh;
		return SW_DERR_IPV6_EXT_TRUNC;
	}
	p->proto = w.nh;
	if (w.frag) {
		p->flags |= SW_PF_FRAG;
		if (w.mf)
			p->flags |= SW_PF_MF;
		p->frag_off = w.frag_off;
		p->frag_id = w.frag_id;
		p->frag_len = (uint16_t)(len - w.frag_hdr_end);
		set_frag_data(p, off + w.frag_hdr_end, cap - w.frag_hdr_end);
		if (w.frag == 2)
			return later_fragment(p);
		p->flags |= SW_PF_FRAG_FIRST;
		p->frag_l4_off = (uint16_t)(w.off - w.frag_hdr_end);
	}
	if (w.nh == IPPROTO_NONE_) {
		p->payload_len = (uint16_t)(len - w.off);
		return SW_DERR_NONE;
	}
	return decode_l4(b + w.off, cap - w.off, len - w.off, w.frag == 1, 1, p);
}

/* The IP header is off bytes into frame, which holds cap bytes (off <= cap).
 * want: 4 or 6 when the link layer said which, 0 to go by the version
 * nibble (raw IP). */
static enum sw_derr decode_ip(const uint8_t *frame, uint32_t off, uint32_t cap,
                              int want, struct sw_pkt *p)
{
	const uint8_t *b = frame + off;
	int v;

	cap -= off;
	if (want == 0) {
		if (cap < 1)
			return SW_DERR_L2_TRUNC; /* nothing tells which IP it is */
		v = b[0] >> 4;
		if (v != 4 && v != 6)
			return SW_DERR_IP_VERSION;
		want = v;
	}
	return want == 4 ? decode_ipv4(b, off, cap, p) : decode_ipv6(b, off, cap, p);
}

/* ---- link layer -------------------------------------------------------- */

/* After an Ethernet or cooked header: walk stacked tags, then dispatch on
 * the ethertype. Cooked captures can carry tags too (libpcap reinserts the
 * tag the kernel stripped), hence the shared path. */
static enum sw_derr decode_ethertype(uint16_t type, const uint8_t *b,
                                     uint32_t off, uint32_t cap,
                                     struct sw_pkt *p)
{
	while (type == ET_VLAN || type == ET_QINQ || type == ET_QINQ_OLD) {
		if (p->vlan_depth == SW_MAX_VLAN)
			return SW_DERR_VLAN_DEPTH;
		if (cap - off < 4)
			return SW_DERR_VLAN_TRUNC;
		p->vlan_id = rd16(b + off) & 0x0fff;
		type = rd16(b + off + 2);
		off += 4;
		p->vlan_depth++;
	}
	switch (type) {
	case ET_IPV4:
		return decode_ip(b, off, cap, 4, p);
	case ET_IPV6:
		return decode_ip(b, off, cap, 6, p);
	case ET_ARP:
		p->l3 = SW_L3_ARP;
		return SW_DERR_NONE;
	default:
		/* Values up to 1500 are an 802.3 length, not a type: LLC,
		 * STP, CDP... none of it is IP. */
		p->l3 = SW_L3_OTHER;
		return SW_DERR_NONE;
	}
}

/* BSD loopback address families for IPv4 and IPv6 (IPv6's number differs
 * between OpenBSD 24, FreeBSD 28 and Darwin 30). */
static int null_family(uint32_t af)
{
	if (af == 2)
		return 4;
	if (af == 24 || af == 28 || af == 30)
		return 6;
	return 0;
}

static enum sw_derr decode_link(int linktype, const uint8_t *b, uint32_t cap,
                                struct sw_pkt *p)
{
	int v;

	switch (linktype) {
	case SW_DLT_EN10MB:
		if (cap < 14)
			return SW_DERR_L2_TRUNC;
		return decode_ethertype(rd16(b + 12), b, 14, cap, p);

	case SW_DLT_LINUX_SLL:
		if (cap < 16)
			return SW_DERR_L2_TRUNC;
		if (rd16(b + 2) == ARPHRD_NETLINK) {
			p->l3 = SW_L3_OTHER; /* protocol is a netlink family */
			return SW_DERR_NONE;
		}
		return decode_ethertype(rd16(b + 14), b, 16, cap, p);

	case SW_DLT_LINUX_SLL2:
		if (cap < 20)
			return SW_DERR_L2_TRUNC;
		if (rd16(b + 8) == ARPHRD_NETLINK) {
			p->l3 = SW_L3_OTHER;
			return SW_DERR_NONE;
		}
		return decode_ethertype(rd16(b), b, 20, cap, p);

	case SW_DLT_NULL:
		/* Host byte order of the machine that captured, which need not
		 * be ours: the small value is the right reading. */
		if (cap < 4)
			return SW_DERR_L2_TRUNC;
		v = null_family((uint32_t)b[0] | (uint32_t)b[1] << 8 |
		                (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
		if (v == 0)
			v = null_family(rd32(b));
		if (v == 0)
			return SW_DERR_NULL_FAMILY;
		return decode_ip(b, 4, cap, v, p);

	case SW_DLT_LOOP:
		if (cap < 4)
			return SW_DERR_L2_TRUNC;
		v = null_family(rd32(b));
		if (v == 0)
			return SW_DERR_NULL_FAMILY;
		return decode_ip(b, 4, cap, v, p);

	case SW_DLT_RAW:
	case SW_DLT_LINKTYPE_RAW:
		return decode_ip(b, 0, cap, 0, p);

	case SW_DLT_IPV4:
		return decode_ip(b, 0, cap, 4, p);

	case SW_DLT_IPV6:
		return decode_ip(b, 0, cap, 6, p);

	default:
		return SW_DERR_LINKTYPE;
	}
}

/* ---- the common case --------------------------------------------------- */

/*
 * memset(p, 0, sizeof *p), in pieces: compilers clear 64 bytes with a few
 * vector stores but the whole 168 with a rep stos, which runs one step per 8
 * bytes (12 instructions this way, 28 that way, on every packet).
 */
static_assert(SW_PF_DF == 0x4000 >> 7, "decode_fast() shifts DF into place");

#define CLEAR_PIECE 64
static_assert(sizeof(struct sw_pkt) > 2 * CLEAR_PIECE &&
              sizeof(struct sw_pkt) <= 3 * CLEAR_PIECE,
              "clear_pkt() clears struct sw_pkt in three pieces");
static void clear_pkt(struct sw_pkt *p)
{
	unsigned char *b = (unsigned char *)p;

	memset(b, 0, CLEAR_PIECE);
	memset(b + CLEAR_PIECE, 0, CLEAR_PIECE);
	memset(b + 2 * CLEAR_PIECE, 0, sizeof *p - 2 * CLEAR_PIECE);
}

/*
 * The last steps of the fast path, apart (noinline) so that the fast path
 * ends in a jump to them: it then keeps nothing for after a call, and
 * needs no registers saved on its way through. Each sets p->err.
 */
__attribute__((noinline))
static enum sw_derr fast_l4(const uint8_t *l4, uint32_t cap, uint32_t len, int v6,
                            struct sw_pkt *p)
{
	p->err = decode_l4(l4, cap, len, 0, v6, p);
	return p->err;
}

/*
 * The option layouts on nearly every SYN and segment, known whole: a few
 * compares where options_walk() spends a dozen instructions or more on each
 * option. Each sets what the walk would on a fresh sw_pkt (options captured
 * whole, no option seen yet); anything else, or a byte off, is walked.
 */
static int options_known(const uint8_t *o, uint32_t optlen, struct sw_pkt *p)
{
	static const uint8_t linux_syn[] = { 2, 4, 8, 1, 3 };
	static const uint8_t timestamps[] = { 1, 1, 8 };

	switch (optlen) {
	case 4: /* MSS alone: raw scanners' SYNs */
		if (rd16(o) != 0x0204)
			return 0;
		p->tcp_optkinds[0] = 2;
		p->tcp_nopts = 1;
		break;
	case 12: /* NOP, NOP, timestamps: segments of Linux and BSD stacks */
		if (rd32(o) != 0x0101080a)
			return 0;
		memcpy(p->tcp_optkinds, timestamps, sizeof timestamps);
		p->tcp_nopts = sizeof timestamps;
		return 1;
	case 20: /* MSS, SACK permitted, timestamps, NOP, window scale:
	            Linux SYN and SYN-ACK */
		if (rd16(o) != 0x0204 || rd32(o + 4) != 0x0402080a ||
		    rd16(o + 16) != 0x0103 || o[18] != 3)
			return 0;
		memcpy(p->tcp_optkinds, linux_syn, sizeof linux_syn);
		p->tcp_nopts = sizeof linux_syn;
		break;
	default:
		return 0;
	}
	p->tcp_mss = rd16(o + 2);
	p->flags |= SW_PF_TCP_MSS;
	return 1;
}

/* The options that options_known() does not know, walked (apart, so
 * that the registers of the walk are not saved for the known ones). */
__attribute__((noinline))
static enum sw_derr fast_tcp_walk(const uint8_t *l4, uint32_t cap, struct sw_pkt *p)
{
	p->err = tcp_header_options(l4, cap, p);
	return p->err;
}

/* p->err is still the SW_DERR_NONE of clear_pkt() for the known layouts. */
__attribute__((noinline))
static enum sw_derr fast_tcp_options(const uint8_t *l4, uint32_t cap, struct sw_pkt *p)
{
	if (cap - 20 >= p->tcp_optlen && options_known(l4 + 20, p->tcp_optlen, p))
		return SW_DERR_NONE;
	return fast_tcp_walk(l4, cap, p);
}

/* TCP in the fast path: the general walk's decode_l4() for TCP, for a
 * segment whose fixed header its callers have checked is there (cap >=
 * 20, and len >= cap), so it skips tcp_header()'s checks of those lengths
 * (tcp_fixed()). p->err is still the SW_DERR_NONE of clear_pkt() when it
 * needs no change. */
static inline enum sw_derr fast_tcp(const uint8_t *l4, uint32_t cap, uint32_t len,
                                    struct sw_pkt *p)
{
	enum sw_derr e = tcp_fixed(l4, len, 0, p);

	if (e != SW_DERR_NONE) {
		p->err = e;
		return e;
	}
	if (p->tcp_optlen == 0)
		return SW_DERR_NONE;
	return fast_tcp_options(l4, cap, p);
}

/* A frame the fast path turns away, to the general walk, which starts
 * over (and clears what was written). The times from p, not from
 * registers kept for this. */
static enum sw_derr fast_refused(const uint8_t *b, uint32_t cap, struct sw_pkt *p)
{
	return sw_decode_general(SW_DLT_EN10MB, b, cap, p->wirelen, p->ts_us, p);
}

/* IPv4 in the fast path, off bytes into the frame b of cap bytes (at
 * least 20 of them left). */
static inline __attribute__((always_inline)) enum sw_derr
fast_ipv4(const uint8_t *b, uint32_t off, uint32_t cap, struct sw_pkt *p)
{
	const uint8_t *ip = b + off;
	/* the total length and the identification, read at once: the two
	 * stores below then become one (the fields are neighbours in struct
	 * sw_pkt too) */
	uint32_t len_id = rd32(ip + 2);
	uint32_t n = cap - off, len = len_id >> 16;
	uint16_t frag = rd16(ip + 6);
	uint8_t nh;

	/* version 4, 20-byte header; not a fragment (DF may be set) */
	if (ip[0] != 0x45 || len < 20 || (frag & 0x3fff) != 0)
		return fast_refused(b, cap, p);
	p->l3 = SW_L3_IPV4;
	p->ip_len = (uint16_t)len;
	p->ip_id = (uint16_t)len_id;
	p->ttl = ip[8];
	p->proto = nh = ip[9];
	set_addr4(&p->src, ip + 12);
	set_addr4(&p->dst, ip + 16);
	p->flags = (uint16_t)((frag >> 7) & SW_PF_DF); /* 0x4000 on the wire */
	n = min32(n, len); /* Ethernet padding is not part of the datagram */
	/* both fixed headers there (and so len >= 40 too) */
	if (nh == SW_IPPROTO_TCP && n >= 20 + 20)
		return fast_tcp(ip + 20, n - 20, len - 20, p);
	return fast_l4(ip + 20, n - 20, len - 20, 0, p);
}

/* IPv6 in the fast path (see fast_ipv4()); apart, so that the registers
 * it needs are not saved for IPv4. The frame and its length come in where
 * sw_decode() has them (its second and third arguments): nothing moves for
 * the call. */
__attribute__((noinline))
static enum sw_derr fast_ipv6(uint32_t off, const uint8_t *b, uint32_t cap,
                              struct sw_pkt *p)
{
	const uint8_t *ip = b + off;
	uint32_t n = cap - off, len;
	uint8_t nh;

	if (n < 40 || (ip[0] >> 4) != 6)
		return fast_refused(b, cap, p);
	nh = ip[6];
	if (nh != SW_IPPROTO_TCP && nh != SW_IPPROTO_UDP && nh != SW_IPPROTO_ICMPV6)
		return fast_refused(b, cap, p);
	len = 40 + (uint32_t)rd16(ip + 4);
	p->l3 = SW_L3_IPV6;
	p->ip_len = (uint16_t)min32(len, 0xffff);
	p->ttl = ip[7];
	p->proto = nh;
	set_addr6(&p->src, ip + 8);
	set_addr6(&p->dst, ip + 24);
	n = min32(n, len);
	if (nh == SW_IPPROTO_TCP && n >= 40 + 20)
		return fast_tcp(ip + 40, n - 40, len - 40, p);
	return fast_l4(ip + 40, n - 40, len - 40, 1, p);
}

/*
 * Most frames are Ethernet with at most one 802.1Q tag, carrying IPv4
 * without options or IPv6 without extension headers, and no fragment.
 * decode_fast() takes those through the link and IP layers straight, with
 * the checks of the general walk that such a frame could fail, and hands
 * the transport header to the general walk's own code (tcp_fixed(), which
 * is tcp_header() past the length checks the fast path makes itself, and
 * decode_l4()) with the arguments the general walk would give them: what
 * comes out is the general walk's sw_pkt, field for field (test_decode
 * and fuzz_packets compare the two). Anything else (a second tag, IPv4
 * options, a fragment, an extension header, an IP header cut short) goes
 * to the general walk, which starts over (and clears what was written).
 */
static enum sw_derr decode_fast(const uint8_t *b, uint32_t cap, uint32_t wirelen,
                                uint64_t ts_us, struct sw_pkt *p)
{
	uint32_t off = 14;
	uint16_t type;

	clear_pkt(p);
	p->ts_us = ts_us;
	p->caplen = cap;
	p->wirelen = wirelen;
	if (cap < 14 + 20)
		return fast_refused(b, cap, p);
	/* untagged IPv4 first, the most common, with its offset a constant
	 * (fast_ipv4() is inlined twice) */
	type = rd16(b + 12);
	if (type == ET_IPV4)
		return fast_ipv4(b, 14, cap, p);
	if (type == ET_VLAN) {
		if (cap < 18 + 20)
			return fast_refused(b, cap, p);
		p->vlan_depth = 1;
		p->vlan_id = rd16(b + 14) & 0x0fff;
		type = rd16(b + 16);
		off = 18;
		if (type == ET_IPV4)
			return fast_ipv4(b, 18, cap, p);
	}
	if (type == ET_IPV6)
		return fast_ipv6(off, b, cap, p);
	return fast_refused(b, cap, p);
}

/* Not inlined into sw_decode(), which jumps to it last, like to the last
 * steps of the fast path (fast_l4()). */
__attribute__((noinline))
enum sw_derr sw_decode_general(int linktype, const uint8_t *data, uint32_t caplen,
                               uint32_t wirelen, uint64_t ts_us, struct sw_pkt *p)
{
	/* Something to point at when there is no data, so that no path does
	 * arithmetic on a null pointer. */
	static const uint8_t nothing[1];

	clear_pkt(p);
	p->ts_us = ts_us;
	p->caplen = caplen;
	p->wirelen = wirelen;
	if (data == NULL) {
		data = nothing;
		caplen = 0;
	}
	p->err = decode_link(linktype, data, caplen, p);
	return p->err;
}

enum sw_derr sw_decode(int linktype, const uint8_t *data, uint32_t caplen,
                       uint32_t wirelen, uint64_t ts_us, struct sw_pkt *p)
{
	if (linktype == SW_DLT_EN10MB && data != NULL)
		return decode_fast(data, caplen, wirelen, ts_us, p);
	return sw_decode_general(linktype, data, caplen, wirelen, ts_us, p);
}
