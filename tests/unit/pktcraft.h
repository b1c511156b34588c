/*
 * pktcraft.h - real packets for the decoder tests, built with libnet.
 *
 * libnet builds the IP, TCP, UDP and ICMP parts (with their checksums) in
 * a build-only context (LIBNET_NONE); the link headers libnet has no
 * builder for (802.1ad stacks, Linux cooked v1/v2, BSD NULL/LOOP) are
 * written by hand around them. Every function writes into a caller buffer
 * of cap bytes and returns the length of the packet, or 0 on failure (the
 * reason goes to stderr).
 */
#ifndef SW_PKTCRAFT_H
#define SW_PKTCRAFT_H

#include <stddef.h>
#include <stdint.h>

#define PC_MAX 4096 /* big enough for every packet the tests build */

/* A transport header and its payload. */
struct pc_l4 {
	uint8_t proto;          /* 6, 17, 1, 58; anything else: payload only */
	uint16_t sport, dport;  /* TCP, UDP */
	uint32_t seq, ack;      /* TCP */
	uint8_t flags;          /* TCP flags (SW_TH_*) */
	uint16_t win;           /* TCP */
	const uint8_t *opts;    /* TCP options, a multiple of 4 bytes */
	size_t optlen;
	uint8_t type, code;     /* ICMP/ICMPv6 */
	uint16_t id, seqno;     /* ICMP/ICMPv6 echo */
	const uint8_t *payload; /* payload; for an ICMP error, the quoted packet */
	size_t paylen;
};

struct pc_ip4 {
	uint8_t src[4], dst[4];
	uint8_t ttl;
	uint16_t id;
	uint16_t frag;          /* flags and offset as on the wire: 0x2000 MF,
	                           0x4000 DF, low 13 bits offset / 8 */
	const uint8_t *opts;    /* IPv4 options, a multiple of 4 bytes */
	size_t optlen;
};

/* One IPv6 extension header. */
struct pc_ext {
	uint8_t type;      /* 0 hop-by-hop, 43 routing, 44 fragment, 51 AH,
	                      60 destination options; others: 8 raw bytes */
	uint8_t len;       /* 0, 43, 60: length in 8-byte units after the first
	                      8 (the header is 8 * (len + 1) bytes) */
	uint16_t frag_off; /* 44: offset in bytes, a multiple of 8 */
	int mf;            /* 44: more fragments */
	uint32_t frag_id;  /* 44 */
};

struct pc_ip6 {
	uint8_t src[16], dst[16];
	uint8_t hlim;
	const struct pc_ext *ext; /* extension headers, outermost first */
	size_t next;
};

/* The transport header and payload alone, checksummed for the given
 * addresses (4 or 16 bytes each, by v6). */
size_t pc_l4(uint8_t *buf, size_t cap, int v6, const uint8_t *src,
             const uint8_t *dst, const struct pc_l4 *l4);

/* A whole IPv4 datagram. */
size_t pc_ip4(uint8_t *buf, size_t cap, const struct pc_ip4 *ip,
              const struct pc_l4 *l4);
/* An IPv4 header (with options) carrying bytes as they are: fragments. */
size_t pc_ip4_raw(uint8_t *buf, size_t cap, const struct pc_ip4 *ip,
                  uint8_t proto, const uint8_t *data, size_t len);

/* A whole IPv6 datagram, extension headers included. */
size_t pc_ip6(uint8_t *buf, size_t cap, const struct pc_ip6 *ip,
              const struct pc_l4 *l4);
/* IPv6 header and extension chain carrying bytes as they are. */
size_t pc_ip6_raw(uint8_t *buf, size_t cap, const struct pc_ip6 *ip,
                  uint8_t proto, const uint8_t *data, size_t len);

/* An Ethernet ARP request who-has tpa tell spa, from sha. */
size_t pc_arp(uint8_t *buf, size_t cap, const uint8_t sha[6],
              const uint8_t spa[4], const uint8_t tpa[4]);

/*
 * Link headers, prepended in place: buf holds len bytes and has room for
 * cap; the result is the new length, or 0 when it does not fit.
 */
extern const uint8_t pc_mac_src[6], pc_mac_dst[6];
size_t pc_eth(uint8_t *buf, size_t len, size_t cap, uint16_t ethertype);
/* Insert a tag (tpid 0x8100, 0x88a8, 0x9100) as the outermost of an
 * Ethernet frame already in buf. */
size_t pc_vlan(uint8_t *buf, size_t len, size_t cap, uint16_t tpid,
               uint16_t vid);
size_t pc_sll(uint8_t *buf, size_t len, size_t cap, uint16_t proto);
size_t pc_sll2(uint8_t *buf, size_t len, size_t cap, uint16_t proto);
/* BSD NULL (big_endian 0, little-endian host) or LOOP (big_endian 1). */
size_t pc_null(uint8_t *buf, size_t len, size_t cap, uint32_t af,
               int big_endian);

#endif
