/*
 * decode.h - one fixed-size summary per captured packet.
 *
 * The decoder walks link layer -> IPv4/IPv6 -> TCP/UDP/ICMP/ICMPv6 and fills
 * a struct sw_pkt. It allocates nothing, keeps no state between packets and
 * never reads past caplen. A packet it cannot decode is reported with a
 * named reason (enum sw_derr) so that the run counters say why.
 */
#ifndef SW_DECODE_H
#define SW_DECODE_H

#include <stdint.h>

#include "addr.h"
#include "proto.h"

/* Link types we decode (values are pcap DLT_* / LINKTYPE_* numbers). */
#define SW_DLT_NULL 0           /* BSD loopback, host byte order AF */
#define SW_DLT_EN10MB 1         /* Ethernet, with 802.1Q/802.1ad tags */
#define SW_DLT_RAW 12           /* raw IP (DLT_RAW on most systems) */
#define SW_DLT_LOOP 108         /* OpenBSD loopback, network byte order AF */
#define SW_DLT_LINKTYPE_RAW 101 /* LINKTYPE_RAW as written in files */
#define SW_DLT_LINUX_SLL 113    /* Linux cooked v1 */
#define SW_DLT_LINUX_SLL2 276   /* Linux cooked v2 */
#define SW_DLT_IPV4 228
#define SW_DLT_IPV6 229

#define SW_MAX_VLAN 4         /* stacked tags walked before giving up */
#define SW_MAX_IPV6_EXT 8     /* extension headers walked before giving up */

/* Why a packet was not (fully) decoded. Names are in sw_derr_name(). */
enum sw_derr {
	SW_DERR_NONE = 0,
	SW_DERR_LINKTYPE,         /* link type we do not decode */
	SW_DERR_L2_TRUNC,         /* shorter than the link header */
	SW_DERR_VLAN_TRUNC,       /* 802.1Q/802.1ad tag cut short */
	SW_DERR_VLAN_DEPTH,       /* more than SW_MAX_VLAN stacked tags */
	SW_DERR_NULL_FAMILY,      /* BSD loopback with unknown address family */
	SW_DERR_IP_VERSION,       /* version nibble disagrees with link type */
	SW_DERR_IPV4_TRUNC,       /* shorter than the IPv4 header */
	SW_DERR_IPV4_HLEN,        /* IHL < 5 or larger than total length */
	SW_DERR_IPV4_LEN,         /* total length < header length */
	SW_DERR_IPV4_OPT,         /* malformed IPv4 option */
	SW_DERR_IPV6_TRUNC,       /* shorter than the fixed IPv6 header */
	SW_DERR_IPV6_EXT_TRUNC,   /* extension header cut short */
	SW_DERR_IPV6_EXT_DEPTH,   /* more than SW_MAX_IPV6_EXT ext. headers */
	SW_DERR_FRAG_TINY,        /* first fragment too short for the L4 header,
	                             or a TCP fragment at offset 8 (RFC 1858):
	                             an evasion, not a failure of the decoder, so
	                             counted as the anomaly frag_tiny (counters.c)
	                             and not as a decode error */
	SW_DERR_TCP_TRUNC,        /* TCP header cut short (caplen) */
	SW_DERR_TCP_HLEN,         /* data offset < 5 or past the datagram */
	SW_DERR_TCP_OPT,          /* malformed TCP option */
	SW_DERR_UDP_TRUNC,
	SW_DERR_UDP_LEN,          /* UDP length field < 8 or past the datagram */
	SW_DERR_ICMP_TRUNC,
	SW_DERR_ICMP6_TRUNC,
	SW_DERR_ICMP_INNER_TRUNC, /* quoted header of an ICMP error cut short */
	SW_DERR_ICMP_INNER_BAD,   /* quoted header of an ICMP error malformed
	                             (IP version, IHL, over-long IPv6 chain) */
	SW_DERR_COUNT
};

/* Short snake_case name ("tcp_trunc"); NULL for a value outside the enum. */
const char *sw_derr_name(enum sw_derr e);

/* What the packet is, as far as it was decoded. */
enum sw_l3 { SW_L3_NONE = 0, SW_L3_IPV4, SW_L3_IPV6, SW_L3_ARP, SW_L3_OTHER };

/* Flags in sw_pkt.flags */
#define SW_PF_FRAG 0x01        /* datagram is a fragment (any) */
#define SW_PF_FRAG_FIRST 0x02  /* first fragment (offset 0, MF set) */
#define SW_PF_HAS_PORTS 0x04   /* sport/dport valid */
#define SW_PF_TCP_MSS 0x08     /* tcp_mss valid */
#define SW_PF_INNER 0x10       /* inner (quoted) header of an ICMP error valid */
#define SW_PF_INNER_PORTS 0x20 /* inner ports valid */
#define SW_PF_IPV4_OPTS 0x40   /* IPv4 header had options */
#define SW_PF_DF 0x80          /* IPv4 don't fragment */
#define SW_PF_MF 0x100         /* more fragments follow */
#define SW_PF_L4_CUT 0x200     /* caplen cut the TCP options: fields of the
                                  options past the cut are not set (normal
                                  with a headers-only snaplen, not an error) */
#define SW_PF_FRAG_EVADE 0x400 /* the transport header was reassembled from
                                  tiny fragments (an evasion: nmap -f): a packet made
                                  by the fragment tracker (frag.h), not one
                                  captured as it is */

/* TCP flag bits as on the wire */
#define SW_TH_FIN 0x01
#define SW_TH_SYN 0x02
#define SW_TH_RST 0x04
#define SW_TH_PUSH 0x08
#define SW_TH_ACK 0x10
#define SW_TH_URG 0x20
#define SW_TH_ECE 0x40
#define SW_TH_CWR 0x80

/* The header quoted inside an ICMP/ICMPv6 error (unreachable, time exceeded):
 * enough to match the error to the probe that caused it. */
struct sw_inner {
	struct sw_addr src, dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint32_t tcp_seq;
};

struct sw_pkt {
	uint64_t ts_us;      /* packet time, microseconds since the epoch */
	uint32_t caplen;
	uint32_t wirelen;

	enum sw_derr err;    /* SW_DERR_NONE when fully decoded */
	uint8_t l3;          /* enum sw_l3 */
	uint8_t proto;       /* IP protocol of the transport header (SW_IPPROTO_*) */
	uint16_t flags;      /* SW_PF_* */
	uint8_t vlan_depth;  /* number of 802.1Q/802.1ad tags */
	uint16_t vlan_id;    /* innermost VLAN ID */

	struct sw_addr src, dst;
	uint8_t ttl;         /* TTL or hop limit */
	uint16_t ip_id;      /* IPv4 identification (0 for IPv6) */
	uint16_t ip_len;     /* IP datagram length from the header */
	uint16_t frag_off;   /* fragment offset in bytes */
	uint32_t frag_id;    /* IPv4 id or IPv6 fragment header id */
	uint16_t frag_len;   /* bytes of fragment payload (per the headers) */
	uint16_t frag_l4_off; /* first fragments: where the transport header
	                         starts in the fragment payload (0 for IPv4;
	                         IPv6 extension headers after the fragment
	                         header come before it) */
	uint32_t frag_data_off; /* fragments: where the fragment payload starts
	                           in the captured frame */
	uint32_t frag_data_cap; /* fragments: bytes of it captured (at most
	                           frag_len), readable from frag_data_off */

	uint16_t sport, dport;

	uint8_t tcp_flags;
	uint8_t tcp_optlen;  /* bytes of TCP options */
	uint16_t tcp_win;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_mss;
	uint8_t tcp_nopts;   /* number of options seen (up to 8 kept below) */
	uint8_t tcp_optkinds[8];

	uint16_t payload_len; /* transport payload length per the headers */

	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq; /* echo request/reply */
	struct sw_inner inner;      /* valid when SW_PF_INNER */
};

/*
 * Decode one packet. data/caplen/wirelen as given by libpcap, linktype the
 * DLT of the capture. Always fills *p (zeroed first); returns p->err.
 * Non-IP frames (ARP, LLDP, ...) are not errors: l3 tells what they were.
 */
enum sw_derr sw_decode(int linktype, const uint8_t *data, uint32_t caplen,
                       uint32_t wirelen, uint64_t ts_us, struct sw_pkt *p);

/*
 * sw_decode() without its fast path for the common case (Ethernet, at most
 * one 802.1Q tag, IPv4 without options or IPv6 without extension headers,
 * not a fragment): the same *p and result for every input, by contract. For
 * the tests that hold the fast path to it.
 */
enum sw_derr sw_decode_general(int linktype, const uint8_t *data, uint32_t caplen,
                               uint32_t wirelen, uint64_t ts_us, struct sw_pkt *p);

/*
 * Decode a transport header on its own: l4 holds cap readable bytes of a
 * datagram whose transport part is len bytes long (cap <= len), p already
 * has the IP fields (l3, proto, addresses). Fills the transport fields of p
 * as sw_decode() would for a first fragment (the UDP length may describe more
 * than len) and returns the error, SW_DERR_FRAG_TINY when len is too short
 * for the header. For the fragment tracker, which puts headers together.
 */
enum sw_derr sw_decode_l4(const uint8_t *l4, uint32_t cap, uint32_t len,
                          struct sw_pkt *p);

/* True if sw_decode() knows the link type. */
int sw_decode_linktype_ok(int linktype);

#endif
