/*
 * proto.h - the numbers of the wire the detection speaks of: IP protocol
 * numbers, ICMP and ICMPv6 types, and the flags a probe is remembered
 * with. The values are IANA's (those of <netinet/in.h> and
 * <netinet/ip_icmp.h>), spelled here so that every file means the same
 * thing by them without the system's headers.
 */
#ifndef SW_PROTO_H
#define SW_PROTO_H

/* IP protocol numbers (sw_pkt.proto, sw_inner.proto) */
#define SW_IPPROTO_ICMP 1
#define SW_IPPROTO_TCP 6
#define SW_IPPROTO_UDP 17
#define SW_IPPROTO_ICMPV6 58

/* ICMP types (RFC 792, RFC 950) */
#define SW_ICMP_ECHO_REPLY 0
#define SW_ICMP_UNREACH 3
#define SW_ICMP_ECHO 8
#define SW_ICMP_TIME_EXCEEDED 11
#define SW_ICMP_TIMESTAMP 13
#define SW_ICMP_TIMESTAMP_REPLY 14
#define SW_ICMP_MASK_REQUEST 17
#define SW_ICMP_MASK_REPLY 18
#define SW_ICMP_UNREACH_PORT 3 /* code of SW_ICMP_UNREACH */

/* ICMPv6 types (RFC 4443) */
#define SW_ICMP6_UNREACH 1
#define SW_ICMP6_TIME_EXCEEDED 3
#define SW_ICMP6_ECHO 128
#define SW_ICMP6_ECHO_REPLY 129
#define SW_ICMP6_UNREACH_PORT 4 /* code of SW_ICMP6_UNREACH */

/* A TCP probe is remembered by its flags (SW_TH_*, decode.h); this bit,
 * where CWR would be (a scan probe never sets CWR), says the SYN carried
 * the options of an OS stack's connect() (SACK, timestamps, window scale),
 * not the bare MSS of a raw scanner. */
#define SW_PROBE_OS_STACK 0x80

#endif
