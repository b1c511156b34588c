/*
 * test_decode.c - the packet decoder on packets crafted with libnet: every
 * link type, VLAN stacks, IPv4 options and fragments, IPv6 extension chains,
 * TCP/UDP/ICMP/ICMPv6 fields, the quoted header of ICMP errors, truncation
 * at every byte offset and random bytes through every link type; and the
 * fast path of the common case against the general walk, on crafted,
 * mutated and corpus packets.
 *
 * Packets are decoded from heap buffers of exactly caplen bytes, so that
 * AddressSanitizer catches any read past caplen.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* libnet-config --defines says _BSD_SOURCE */
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "decode.h"
#include "pktcraft.h"

/* ---- fixtures ----------------------------------------------------------- */

static const uint8_t A4[4] = { 192, 0, 2, 1 };     /* scanner */
static const uint8_t B4[4] = { 198, 51, 100, 2 };  /* target */
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x10, [15] = 2 };

/* A Linux SYN: mss 1460, sackOK, timestamps, nop, wscale 7 (20 bytes). */
static const uint8_t SYN_OPTS[] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7
};
static const uint8_t SYN_KINDS[] = { 2, 4, 8, 1, 3 };
/* Router alert, the IPv4 option most often seen on real traffic. */
static const uint8_t RA_OPT[] = { 0x94, 4, 0, 0 };
static const uint8_t PAYLOAD[] = "spanwatch";

static struct pc_l4 tcp_syn(void)
{
	struct pc_l4 t = {
		.proto = 6, .sport = 40000, .dport = 22, .seq = 0x11223344,
		.ack = 0, .flags = SW_TH_SYN, .win = 64240,
		.opts = SYN_OPTS, .optlen = sizeof SYN_OPTS,
		.payload = PAYLOAD, .paylen = 9,
	};
	return t;
}

static struct pc_l4 udp_probe(void)
{
	struct pc_l4 u = {
		.proto = 17, .sport = 53000, .dport = 161,
		.payload = PAYLOAD, .paylen = 9,
	};
	return u;
}

static struct pc_ip4 ip4_ab(void)
{
	struct pc_ip4 ip = { .ttl = 51, .id = 0x4242, .frag = 0x4000 };

	memcpy(ip.src, A4, 4);
	memcpy(ip.dst, B4, 4);
	return ip;
}

static struct pc_ip6 ip6_ab(void)
{
	struct pc_ip6 ip = { .hlim = 57 };

	memcpy(ip.src, A6, 16);
	memcpy(ip.dst, B6, 16);
	return ip;
}

/* Decode from a heap copy of exactly caplen bytes. */
static enum sw_derr dec_cut(int lt, const uint8_t *b, size_t caplen,
                            size_t wirelen, struct sw_pkt *p)
{
	uint8_t *copy = malloc(caplen ? caplen : 1);
	enum sw_derr e;

	assert_non_null(copy);
	if (caplen)
		memcpy(copy, b, caplen);
	e = sw_decode(lt, caplen ? copy : NULL, (uint32_t)caplen,
	              (uint32_t)wirelen, 1234567, p);
	free(copy);
	assert_int_equal(e, p->err);
	assert_true((unsigned)e < SW_DERR_COUNT);
	assert_non_null(sw_derr_name(e));
	return e;
}

static enum sw_derr dec(int lt, const uint8_t *b, size_t n, struct sw_pkt *p)
{
	return dec_cut(lt, b, n, n, p);
}

static void assert_addr4(const struct sw_addr *a, const uint8_t b[4])
{
	static const uint8_t zero[12];

	assert_int_equal(a->family, SW_AF_INET);
	assert_memory_equal(a->bytes, b, 4);
	assert_memory_equal(a->bytes + 4, zero, 12);
}

static void assert_addr6(const struct sw_addr *a, const uint8_t b[16])
{
	assert_int_equal(a->family, SW_AF_INET6);
	assert_memory_equal(a->bytes, b, 16);
}

/* The fields of tcp_syn() from A to B. */
static void assert_syn(const struct sw_pkt *p, int v6)
{
	assert_int_equal(p->err, SW_DERR_NONE);
	assert_int_equal(p->l3, v6 ? SW_L3_IPV6 : SW_L3_IPV4);
	assert_int_equal(p->proto, 6);
	if (v6) {
		assert_addr6(&p->src, A6);
		assert_addr6(&p->dst, B6);
		assert_int_equal(p->ttl, 57);
	} else {
		assert_addr4(&p->src, A4);
		assert_addr4(&p->dst, B4);
		assert_int_equal(p->ttl, 51);
		assert_int_equal(p->ip_id, 0x4242);
	}
	assert_true(p->flags & SW_PF_HAS_PORTS);
	assert_int_equal(p->sport, 40000);
	assert_int_equal(p->dport, 22);
	assert_int_equal(p->tcp_seq, 0x11223344);
	assert_int_equal(p->tcp_ack, 0);
	assert_int_equal(p->tcp_flags, SW_TH_SYN);
	assert_int_equal(p->tcp_win, 64240);
	assert_int_equal(p->tcp_optlen, 20);
	assert_true(p->flags & SW_PF_TCP_MSS);
	assert_int_equal(p->tcp_mss, 1460);
	assert_int_equal(p->tcp_nopts, sizeof SYN_KINDS);
	assert_memory_equal(p->tcp_optkinds, SYN_KINDS, sizeof SYN_KINDS);
	assert_int_equal(p->payload_len, 9);
	assert_false(p->flags & (SW_PF_FRAG | SW_PF_L4_CUT | SW_PF_INNER));
}

/* The fields of udp_probe() from A to B. */
static void assert_udp(const struct sw_pkt *p, int v6)
{
	assert_int_equal(p->err, SW_DERR_NONE);
	assert_int_equal(p->l3, v6 ? SW_L3_IPV6 : SW_L3_IPV4);
	assert_int_equal(p->proto, 17);
	if (v6) {
		assert_addr6(&p->src, A6);
		assert_addr6(&p->dst, B6);
	} else {
		assert_addr4(&p->src, A4);
		assert_addr4(&p->dst, B4);
	}
	assert_true(p->flags & SW_PF_HAS_PORTS);
	assert_int_equal(p->sport, 53000);
	assert_int_equal(p->dport, 161);
	assert_int_equal(p->payload_len, 9);
}

static size_t build_syn4(uint8_t *b)
{
	struct pc_ip4 ip = ip4_ab();
	struct pc_l4 t = tcp_syn();
	size_t n = pc_ip4(b, PC_MAX, &ip, &t);

	assert_int_equal(n, 20 + 20 + 20 + 9);
	return n;
}

static size_t build_udp6(uint8_t *b)
{
	struct pc_ip6 ip = ip6_ab();
	struct pc_l4 u = udp_probe();
	size_t n = pc_ip6(b, PC_MAX, &ip, &u);

	assert_int_equal(n, 40 + 8 + 9);
	return n;
}

/* ---- link types --------------------------------------------------------- */

static void test_ethernet_ipv4_tcp(void **state)
{
	uint8_t b[PC_MAX];
	struct sw_pkt p;
	size_t n;

	(void)state;
	n = pc_eth(b, build_syn4(b), sizeof b, 0x0800);
	assert_int_equal(n, 14 + 69);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);
	assert_int_equal(p.ip_len, 69);
	assert_true(p.flags & SW_PF_DF);
	assert_int_equal(p.vlan_depth, 0);
	assert_int_equal(p.caplen, n);
	assert_int_equal(p.wirelen, n);
	assert_int_equal(p.ts_us, 1234567);
}

static void test_linktypes(void **state)
{
	static const struct { int lt; uint32_t af; int be; } nulls4[] = {
		{ SW_DLT_NULL, 2, 0 }, { SW_DLT_NULL, 2, 1 }, { SW_DLT_LOOP, 2, 1 },
	};
	static const struct { int lt; uint32_t af; int be; } nulls6[] = {
		{ SW_DLT_NULL, 24, 0 }, { SW_DLT_NULL, 28, 0 }, { SW_DLT_NULL, 30, 0 },
		{ SW_DLT_NULL, 24, 1 }, { SW_DLT_NULL, 28, 1 }, { SW_DLT_NULL, 30, 1 },
		{ SW_DLT_LOOP, 24, 1 }, { SW_DLT_LOOP, 28, 1 }, { SW_DLT_LOOP, 30, 1 },
	};
	uint8_t b[PC_MAX];
	struct sw_pkt p;
	size_t n;

	(void)state;
	/* Linux cooked v1 and v2 */
	n = pc_sll(b, build_syn4(b), sizeof b, 0x0800);
	assert_int_equal(dec(SW_DLT_LINUX_SLL, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);
	n = pc_sll(b, build_udp6(b), sizeof b, 0x86dd);
	assert_int_equal(dec(SW_DLT_LINUX_SLL, b, n, &p), SW_DERR_NONE);
	assert_udp(&p, 1);
	n = pc_sll2(b, build_syn4(b), sizeof b, 0x0800);
	assert_int_equal(n, 20 + 69);
	assert_int_equal(dec(SW_DLT_LINUX_SLL2, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);
	n = pc_sll2(b, build_udp6(b), sizeof b, 0x86dd);
	assert_int_equal(dec(SW_DLT_LINUX_SLL2, b, n, &p), SW_DERR_NONE);
	assert_udp(&p, 1);
	/* an SLL ARP frame is ARP, an SLL2 frame with a tag is tagged */
	n = pc_sll(b, 28, sizeof b, 0x0806);
	assert_int_equal(dec(SW_DLT_LINUX_SLL, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.l3, SW_L3_ARP);

	/* raw IP under every number it goes by */
	n = build_syn4(b);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);
	assert_int_equal(dec(SW_DLT_LINKTYPE_RAW, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);
	assert_int_equal(dec(SW_DLT_IPV4, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);
	assert_int_equal(dec(SW_DLT_IPV6, b, n, &p), SW_DERR_IP_VERSION);
	assert_string_equal(sw_derr_name(p.err), "ip_version");
	n = build_udp6(b);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_udp(&p, 1);
	assert_int_equal(dec(SW_DLT_LINKTYPE_RAW, b, n, &p), SW_DERR_NONE);
	assert_udp(&p, 1);
	assert_int_equal(dec(SW_DLT_IPV6, b, n, &p), SW_DERR_NONE);
	assert_udp(&p, 1);
	assert_int_equal(dec(SW_DLT_IPV4, b, n, &p), SW_DERR_IP_VERSION);
	b[0] = 0x55; /* version 5 */
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_IP_VERSION);

	/* BSD loopback: host order (either), OpenBSD LOOP: network order */
	for (size_t i = 0; i < sizeof nulls4 / sizeof nulls4[0]; i++) {
		n = pc_null(b, build_syn4(b), sizeof b, nulls4[i].af, nulls4[i].be);
		assert_int_equal(dec(nulls4[i].lt, b, n, &p), SW_DERR_NONE);
		assert_syn(&p, 0);
	}
	for (size_t i = 0; i < sizeof nulls6 / sizeof nulls6[0]; i++) {
		n = pc_null(b, build_udp6(b), sizeof b, nulls6[i].af, nulls6[i].be);
		assert_int_equal(dec(nulls6[i].lt, b, n, &p), SW_DERR_NONE);
		assert_udp(&p, 1);
	}
	n = pc_null(b, build_syn4(b), sizeof b, 2, 0); /* little-endian 2 */
	assert_int_equal(dec(SW_DLT_LOOP, b, n, &p), SW_DERR_NULL_FAMILY);
	assert_string_equal(sw_derr_name(p.err), "null_family");
	n = pc_null(b, build_syn4(b), sizeof b, 17, 0);
	assert_int_equal(dec(SW_DLT_NULL, b, n, &p), SW_DERR_NULL_FAMILY);
	/* AF 2 in front of an IPv6 packet */
	n = pc_null(b, build_udp6(b), sizeof b, 2, 1);
	assert_int_equal(dec(SW_DLT_NULL, b, n, &p), SW_DERR_IP_VERSION);

	/* link types we do not decode */
	n = build_syn4(b);
	assert_int_equal(dec(147, b, n, &p), SW_DERR_LINKTYPE);
	assert_string_equal(sw_derr_name(p.err), "linktype");
	assert_false(sw_decode_linktype_ok(147));
	assert_false(sw_decode_linktype_ok(-1));
	assert_true(sw_decode_linktype_ok(SW_DLT_NULL));
	assert_true(sw_decode_linktype_ok(SW_DLT_EN10MB));
	assert_true(sw_decode_linktype_ok(SW_DLT_RAW));
	assert_true(sw_decode_linktype_ok(SW_DLT_LINKTYPE_RAW));
	assert_true(sw_decode_linktype_ok(SW_DLT_LOOP));
	assert_true(sw_decode_linktype_ok(SW_DLT_LINUX_SLL));
	assert_true(sw_decode_linktype_ok(SW_DLT_LINUX_SLL2));
	assert_true(sw_decode_linktype_ok(SW_DLT_IPV4));
	assert_true(sw_decode_linktype_ok(SW_DLT_IPV6));

	/* nothing at all */
	assert_int_equal(dec(SW_DLT_EN10MB, NULL, 0, &p), SW_DERR_L2_TRUNC);
	assert_int_equal(dec(SW_DLT_RAW, NULL, 0, &p), SW_DERR_L2_TRUNC);
	assert_int_equal(dec(SW_DLT_IPV4, NULL, 0, &p), SW_DERR_IPV4_TRUNC);
	assert_int_equal(dec(SW_DLT_IPV6, NULL, 0, &p), SW_DERR_IPV6_TRUNC);
}

/* ---- VLAN --------------------------------------------------------------- */

static void test_vlan_stacks(void **state)
{
	static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100, 0x88a8, 0x8100 };
	uint8_t b[PC_MAX];
	struct sw_pkt p;
	size_t n;

	(void)state;
	/* one 802.1Q tag */
	n = pc_eth(b, build_syn4(b), sizeof b, 0x0800);
	n = pc_vlan(b, n, sizeof b, 0x8100, 100);
	assert_int_equal(n, 14 + 4 + 69);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);
	assert_int_equal(p.vlan_depth, 1);
	assert_int_equal(p.vlan_id, 100);

	/* QinQ: 802.1ad 200 outside, 802.1Q 100 inside; IPv6 inside */
	n = pc_eth(b, build_udp6(b), sizeof b, 0x86dd);
	n = pc_vlan(b, n, sizeof b, 0x8100, 100);
	n = pc_vlan(b, n, sizeof b, 0x88a8, 200);
	assert_int_equal(b[12], 0x88);
	assert_int_equal(b[13], 0xa8);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_udp(&p, 1);
	assert_int_equal(p.vlan_depth, 2);
	assert_int_equal(p.vlan_id, 100); /* the innermost tag */

	/* SW_MAX_VLAN tags decode, one more is too many */
	n = pc_eth(b, build_syn4(b), sizeof b, 0x0800);
	for (int i = 0; i < SW_MAX_VLAN; i++)
		n = pc_vlan(b, n, sizeof b, tpids[i], (uint16_t)(10 + i));
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);
	assert_int_equal(p.vlan_depth, SW_MAX_VLAN);
	assert_int_equal(p.vlan_id, 10);
	n = pc_vlan(b, n, sizeof b, tpids[SW_MAX_VLAN], 4094);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_VLAN_DEPTH);
	assert_string_equal(sw_derr_name(p.err), "vlan_depth");
	assert_int_equal(p.vlan_depth, SW_MAX_VLAN);

	/* a tag libpcap put back into a cooked capture */
	n = pc_eth(b, build_syn4(b), sizeof b, 0x0800);
	n = pc_vlan(b, n, sizeof b, 0x8100, 7);
	/* keep what follows the 0x8100: tag, 0x0800, IP */
	memmove(b, b + 14, n - 14);
	n -= 14;
	n = pc_sll(b, n, sizeof b, 0x8100);
	assert_int_equal(dec(SW_DLT_LINUX_SLL, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);
	assert_int_equal(p.vlan_depth, 1);
	assert_int_equal(p.vlan_id, 7);
}

/* ---- not IP ------------------------------------------------------------- */

static void test_arp_and_other_l2(void **state)
{
	uint8_t b[PC_MAX];
	struct sw_pkt p;
	size_t n;

	(void)state;
	n = pc_arp(b, sizeof b, pc_mac_src, A4, B4);
	assert_int_equal(n, 42);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.l3, SW_L3_ARP);
	assert_int_equal(p.flags, 0);
	n = pc_vlan(b, n, sizeof b, 0x8100, 5);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.l3, SW_L3_ARP);
	assert_int_equal(p.vlan_id, 5);

	/* LLDP */
	memset(b, 0xab, 46);
	n = pc_eth(b, 46, sizeof b, 0x88cc);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.l3, SW_L3_OTHER);
	/* an 802.3 frame (length field, then LLC: spanning tree) */
	memset(b, 0x42, 46);
	n = pc_eth(b, 46, sizeof b, 46);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.l3, SW_L3_OTHER);
	assert_int_equal(p.proto, 0);
}

/* ---- IPv4 --------------------------------------------------------------- */

static void test_ipv4_options(void **state)
{
	/* NOP, NOP, timestamp (len 12, 2 slots, one used), router alert */
	static const uint8_t opts[] = {
		1, 1, 0x44, 12, 9, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x94, 4, 0, 0, 0, 0
	};
	static const uint8_t bad_len[] = { 0x07, 0x20, 4, 0 };   /* RR past IHL */
	static const uint8_t short_len[] = { 0x94, 1, 0, 0 };    /* length 1 */
	static const uint8_t no_len[] = { 1, 1, 1, 0x83 };       /* LSRR, no length */
	static const uint8_t eol_then_junk[] = { 0, 0xff, 0xff, 0xff };
	const uint8_t *bad[] = { bad_len, short_len, no_len };
	uint8_t b[PC_MAX];
	struct pc_ip4 ip = ip4_ab();
	struct pc_l4 t = tcp_syn();
	struct sw_pkt p;
	size_t n;

	(void)state;
	ip.opts = opts;
	ip.optlen = sizeof opts;
	n = pc_ip4(b, sizeof b, &ip, &t);
	assert_int_equal(b[0], 0x45 + sizeof opts / 4);
	n = pc_eth(b, n, sizeof b, 0x0800);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);
	assert_true(p.flags & SW_PF_IPV4_OPTS);
	assert_int_equal(p.ip_len, 20 + sizeof opts + 49);

	ip.opts = eol_then_junk; /* after EOL anything is padding */
	ip.optlen = 4;
	n = pc_ip4(b, sizeof b, &ip, &t);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 0);

	for (size_t i = 0; i < 3; i++) {
		ip.opts = bad[i];
		ip.optlen = 4;
		n = pc_ip4(b, sizeof b, &ip, &t);
		assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_IPV4_OPT);
		assert_string_equal(sw_derr_name(p.err), "ipv4_opt");
		assert_addr4(&p.src, A4); /* the fixed header was still read */
	}

	/* IHL below 5, IHL past the total length, total length below 20 */
	ip.opts = NULL;
	ip.optlen = 0;
	n = pc_ip4(b, sizeof b, &ip, &t);
	b[0] = 0x44;
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_IPV4_HLEN);
	assert_string_equal(sw_derr_name(p.err), "ipv4_hlen");
	b[0] = 0x4f;
	b[2] = 0;
	b[3] = 40;
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_IPV4_HLEN);
	b[0] = 0x45;
	b[3] = 19;
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_IPV4_LEN);
	assert_string_equal(sw_derr_name(p.err), "ipv4_len");
}

/* Ethernet pads short frames to 60 bytes: the padding is not payload. */
static void test_ethernet_padding(void **state)
{
	uint8_t b[PC_MAX];
	struct pc_ip4 ip = ip4_ab();
	struct pc_l4 u = udp_probe();
	struct pc_l4 t = tcp_syn();
	struct sw_pkt p;
	size_t n;

	(void)state;
	u.paylen = 2;
	n = pc_eth(b, pc_ip4(b, sizeof b, &ip, &u), sizeof b, 0x0800);
	assert_int_equal(n, 14 + 30);
	memset(b + n, 0xee, 60 - n);
	assert_int_equal(dec(SW_DLT_EN10MB, b, 60, &p), SW_DERR_NONE);
	assert_int_equal(p.ip_len, 30);
	assert_int_equal(p.payload_len, 2);
	assert_int_equal(p.dport, 161);

	/* a bare SYN: padding must not be taken for TCP options either */
	t.opts = NULL;
	t.optlen = 0;
	t.paylen = 0;
	n = pc_eth(b, pc_ip4(b, sizeof b, &ip, &t), sizeof b, 0x0800);
	assert_int_equal(n, 54);
	memset(b + n, 0x02, 60 - n);
	assert_int_equal(dec(SW_DLT_EN10MB, b, 60, &p), SW_DERR_NONE);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.tcp_optlen, 0);
	assert_int_equal(p.tcp_nopts, 0);
	assert_false(p.flags & SW_PF_TCP_MSS);
}

/* Fragments of one UDP datagram (8 + 40 bytes) and of TCP SYNs. */
static void test_ipv4_fragments(void **state)
{
	uint8_t big[40];
	uint8_t l4[PC_MAX], b[PC_MAX];
	struct pc_ip4 ip = ip4_ab();
	struct pc_l4 u = udp_probe();
	struct pc_l4 t = tcp_syn();
	struct sw_pkt p;
	size_t l4n, n;

	(void)state;
	memset(big, 'x', sizeof big);
	u.payload = big;
	u.paylen = sizeof big;
	l4n = pc_l4(l4, sizeof l4, 0, A4, B4, &u);
	assert_int_equal(l4n, 48);

	/* first fragment: 24 bytes at 0, MF: carries the ports */
	ip.id = 0xbeef;
	ip.frag = 0x2000;
	n = pc_ip4_raw(b, sizeof b, &ip, 17, l4, 24);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.flags & (SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_MF),
	                 SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_MF);
	assert_true(p.flags & SW_PF_HAS_PORTS);
	assert_int_equal(p.sport, 53000);
	assert_int_equal(p.dport, 161);
	assert_int_equal(p.frag_off, 0);
	assert_int_equal(p.frag_id, 0xbeef);
	assert_int_equal(p.frag_len, 24);
	assert_int_equal(p.payload_len, 40); /* what the UDP header says */
	assert_addr4(&p.src, A4);

	/* second: 16 bytes at 24, MF: no ports */
	ip.frag = 0x2000 | 3;
	n = pc_ip4_raw(b, sizeof b, &ip, 17, l4 + 24, 16);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.flags & (SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_MF),
	                 SW_PF_FRAG | SW_PF_MF);
	assert_false(p.flags & SW_PF_HAS_PORTS);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.frag_off, 24);
	assert_int_equal(p.frag_len, 16);
	assert_int_equal(p.frag_id, 0xbeef);

	/* last: 8 bytes at 40, no MF */
	ip.frag = 5;
	n = pc_ip4_raw(b, sizeof b, &ip, 17, l4 + 40, 8);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.flags & (SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_MF),
	                 SW_PF_FRAG);
	assert_int_equal(p.frag_off, 40);
	assert_int_equal(p.frag_len, 8);

	/* a first fragment of exactly the UDP header is enough */
	ip.frag = 0x2000;
	n = pc_ip4_raw(b, sizeof b, &ip, 17, l4, 8);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.dport, 161);

	/* tiny: a TCP first fragment of 16 bytes (nmap -f) */
	t.payload = NULL;
	t.paylen = 0;
	l4n = pc_l4(l4, sizeof l4, 0, A4, B4, &t);
	assert_int_equal(l4n, 40);
	n = pc_ip4_raw(b, sizeof b, &ip, 6, l4, 16);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_FRAG_TINY);
	assert_string_equal(sw_derr_name(p.err), "frag_tiny");
	assert_true(p.flags & SW_PF_FRAG_FIRST);
	assert_int_equal(p.frag_id, 0xbeef);
	/* 24 bytes: the base header fits but its options do not */
	n = pc_ip4_raw(b, sizeof b, &ip, 6, l4, 24);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_FRAG_TINY);
	/* the whole header with options in the first fragment is fine */
	n = pc_ip4_raw(b, sizeof b, &ip, 6, l4, 40);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.dport, 22);
	assert_int_equal(p.tcp_mss, 1460);
	/* RFC 1858: TCP at offset 8 rewrites the flags */
	ip.frag = 1;
	n = pc_ip4_raw(b, sizeof b, &ip, 6, l4 + 8, 32);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_FRAG_TINY);
	assert_int_equal(p.frag_off, 8);
	assert_true(p.flags & SW_PF_FRAG);
	/* ... UDP at offset 8 is just a fragment */
	n = pc_ip4_raw(b, sizeof b, &ip, 17, l4 + 8, 32);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	/* and a tiny ICMP first fragment */
	ip.frag = 0x2000;
	n = pc_ip4_raw(b, sizeof b, &ip, 1, l4, 4);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_FRAG_TINY);
}

/* Where a fragment's payload is in the frame, for the fragment tracker, and
 * the transport decoder on its own, as the tracker calls it. */
static void test_fragment_data_and_l4(void **state)
{
	static const struct pc_ext fh_do[] = {
		{ .type = 44, .frag_off = 0, .mf = 1, .frag_id = 7 },
		{ .type = 60, .len = 0 },
	};
	uint8_t l4[PC_MAX], b[PC_MAX];
	struct pc_ip4 ip = ip4_ab();
	struct pc_ip6 ip6 = ip6_ab();
	struct pc_l4 t = tcp_syn();
	struct pc_l4 u = udp_probe();
	struct sw_pkt p;
	size_t l4n, n;

	(void)state;
	t.opts = NULL;
	t.optlen = 0;
	t.paylen = 0;
	l4n = pc_l4(l4, sizeof l4, 0, A4, B4, &t);
	assert_int_equal(l4n, 20);

	/* a tiny first fragment behind Ethernet and a VLAN tag */
	ip.frag = 0x2000;
	n = pc_ip4_raw(b, sizeof b, &ip, 6, l4, 8);
	n = pc_eth(b, n, sizeof b, 0x0800);
	n = pc_vlan(b, n, sizeof b, 0x8100, 5);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_FRAG_TINY);
	assert_int_equal(p.frag_data_off, 14 + 4 + 20);
	assert_int_equal(p.frag_data_cap, 8);
	assert_int_equal(p.frag_l4_off, 0);
	assert_memory_equal(b + p.frag_data_off, l4, 8);
	/* cut by caplen: only what was captured is readable */
	assert_int_equal(dec_cut(SW_DLT_EN10MB, b, n - 3, n, &p), SW_DERR_FRAG_TINY);
	assert_int_equal(p.frag_data_cap, 5);
	/* a later fragment, with Ethernet padding that is not payload */
	ip.frag = 0x2001;
	n = pc_ip4_raw(b, sizeof b, &ip, 6, l4 + 8, 12);
	memset(b + n, 0, 20);
	assert_int_equal(dec(SW_DLT_RAW, b, n + 20, &p), SW_DERR_FRAG_TINY);
	assert_int_equal(p.frag_data_off, 20);
	assert_int_equal(p.frag_data_cap, 12);
	assert_int_equal(p.frag_len, 12);

	/* IPv6: the payload starts after the fragment header; the transport
	 * after the destination options that follow it */
	ip6.ext = fh_do;
	ip6.next = 2;
	n = pc_ip6_raw(b, sizeof b, &ip6, 17, l4, 0);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_FRAG_TINY);
	assert_int_equal(p.frag_data_off, 40 + 8);
	assert_int_equal(p.frag_data_cap, 8);
	assert_int_equal(p.frag_l4_off, 8);
	assert_int_equal(p.proto, 17);

	/* sw_decode_l4: the header whole, then too short for it */
	memset(&p, 0, sizeof p);
	p.l3 = SW_L3_IPV4;
	p.proto = 6;
	assert_int_equal(sw_decode_l4(l4, 20, 20, &p), SW_DERR_NONE);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 22);
	assert_int_equal(p.tcp_flags, SW_TH_SYN);
	assert_int_equal(p.tcp_win, 64240);
	assert_true(p.flags & SW_PF_HAS_PORTS);
	memset(&p, 0, sizeof p);
	p.l3 = SW_L3_IPV4;
	p.proto = 6;
	assert_int_equal(sw_decode_l4(l4, 20, 16, &p), SW_DERR_FRAG_TINY);
	assert_int_equal(sw_decode_l4(l4, 16, 20, &p), SW_DERR_TCP_TRUNC);
	/* a UDP length past what is held is fine: the rest is in fragments */
	l4n = pc_l4(l4, sizeof l4, 0, A4, B4, &u);
	memset(&p, 0, sizeof p);
	p.l3 = SW_L3_IPV4;
	p.proto = 17;
	assert_int_equal(sw_decode_l4(l4, 8, 8, &p), SW_DERR_NONE);
	assert_int_equal(p.dport, 161);
	assert_int_equal(p.payload_len, l4n - 8);
}

/* ---- IPv6 --------------------------------------------------------------- */

static void test_ipv6_ext_chain(void **state)
{
	static const struct pc_ext first[] = {
		{ .type = 0 }, { .type = 60, .len = 1 },
		{ .type = 44, .frag_off = 0, .mf = 1, .frag_id = 0xdeadbeef },
	};
	static const struct pc_ext atomic[] = {
		{ .type = 0 }, { .type = 44, .frag_off = 0, .mf = 0, .frag_id = 9 },
	};
	static const struct pc_ext later[] = {
		{ .type = 0 }, { .type = 44, .frag_off = 1232, .mf = 1, .frag_id = 77 },
	};
	static const struct pc_ext mixed[] = {
		{ .type = 43, .len = 2 }, { .type = 51 }, { .type = 135 },
		{ .type = 139 }, { .type = 140 }, { .type = 60 },
	};
	uint8_t b[PC_MAX], data[64];
	struct pc_ip6 ip = ip6_ab();
	struct pc_l4 t = tcp_syn();
	struct pc_l4 u = udp_probe();
	struct sw_pkt p;
	size_t n;

	(void)state;
	/* hop-by-hop, destination options (16 bytes), fragment, TCP */
	ip.ext = first;
	ip.next = 3;
	n = pc_eth(b, pc_ip6(b, sizeof b, &ip, &t), sizeof b, 0x86dd);
	assert_int_equal(n, 14 + 40 + 8 + 16 + 8 + 49);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.flags & (SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_MF),
	                 SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_MF);
	assert_int_equal(p.frag_id, 0xdeadbeef);
	assert_int_equal(p.frag_off, 0);
	assert_int_equal(p.frag_len, 49);
	assert_int_equal(p.ip_len, 40 + 32 + 49);
	p.flags &= (uint16_t)~(SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_MF);
	assert_syn(&p, 1);
	assert_int_equal(p.ip_id, 0);

	/* an atomic fragment (RFC 6946) is a whole datagram */
	ip.ext = atomic;
	ip.next = 2;
	n = pc_ip6(b, sizeof b, &ip, &t);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 1);

	/* a later fragment: no ports, the protocol from the fragment header */
	ip.ext = later;
	memset(data, 0x5a, sizeof data);
	n = pc_ip6_raw(b, sizeof b, &ip, 6, data, sizeof data);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.flags & (SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_MF |
	                            SW_PF_HAS_PORTS), SW_PF_FRAG | SW_PF_MF);
	assert_int_equal(p.frag_off, 1232);
	assert_int_equal(p.frag_len, 64);
	assert_int_equal(p.frag_id, 77);
	assert_int_equal(p.sport, 0);

	/* routing, AH, mobility, HIP, shim6, destination options, then UDP */
	ip.ext = mixed;
	ip.next = 6;
	n = pc_ip6(b, sizeof b, &ip, &u);
	assert_int_equal(n, 40 + 24 + 16 + 8 + 8 + 8 + 8 + 17);
	assert_int_equal(dec(SW_DLT_IPV6, b, n, &p), SW_DERR_NONE);
	assert_udp(&p, 1);
	assert_false(p.flags & SW_PF_FRAG);

	/* AH counts its length in 4-byte units, not 8 */
	ip.ext = mixed + 1;
	ip.next = 1;
	n = pc_ip6(b, sizeof b, &ip, &u);
	assert_int_equal(n, 40 + 16 + 17);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_udp(&p, 1);

	/* no next header ends the chain */
	ip.ext = first;
	ip.next = 2;
	n = pc_ip6_raw(b, sizeof b, &ip, 59, data, 5);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.proto, 59);
	assert_int_equal(p.payload_len, 5);
	assert_false(p.flags & SW_PF_HAS_PORTS);
}

static void test_ipv6_chain_limits(void **state)
{
	struct pc_ext ext[SW_MAX_IPV6_EXT + 1];
	uint8_t b[PC_MAX];
	struct pc_ip6 ip = ip6_ab();
	struct pc_l4 t = tcp_syn();
	struct sw_pkt p;
	size_t n;

	(void)state;
	memset(ext, 0, sizeof ext);
	for (int i = 0; i <= SW_MAX_IPV6_EXT; i++)
		ext[i].type = 60;
	ip.ext = ext;

	ip.next = SW_MAX_IPV6_EXT; /* exactly the bound: decoded */
	n = pc_ip6(b, sizeof b, &ip, &t);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_syn(&p, 1);

	ip.next = SW_MAX_IPV6_EXT + 1; /* one more: a named error */
	n = pc_ip6(b, sizeof b, &ip, &t);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_IPV6_EXT_DEPTH);
	assert_string_equal(sw_derr_name(p.err), "ipv6_ext_depth");
	assert_int_equal(p.l3, SW_L3_IPV6);
	assert_addr6(&p.src, A6);
	assert_false(p.flags & SW_PF_HAS_PORTS);

	/* a header longer than the payload length says */
	ip.next = 1;
	n = pc_ip6(b, sizeof b, &ip, &t);
	b[41] = 20; /* 168 bytes */
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_IPV6_EXT_TRUNC);
	assert_string_equal(sw_derr_name(p.err), "ipv6_ext_trunc");

	/* the same in a first fragment: the chain must fit (RFC 7112) */
	ext[0].type = 44;
	ext[0].mf = 1;
	ip.next = 2;
	n = pc_ip6(b, sizeof b, &ip, &t);
	b[49] = 20;
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_FRAG_TINY);

	/* a TCP header that does not fit in an IPv6 first fragment */
	ip.next = 1;
	t.opts = NULL;
	t.optlen = 0;
	t.paylen = 0;
	n = pc_ip6(b, sizeof b, &ip, &t);
	b[5] = 8 + 12; /* payload length cuts the TCP header */
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_FRAG_TINY);
	/* without the fragment header it is a short TCP header */
	ext[0].type = 60;
	n = pc_ip6(b, sizeof b, &ip, &t);
	b[5] = 8 + 12;
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_TCP_TRUNC);
}

/* ---- TCP, UDP ----------------------------------------------------------- */

static void test_tcp_fields_and_options(void **state)
{
	/* nmap's SYN probe options: wscale 10, nop, mss 1460, TS, sackOK, EOL */
	static const uint8_t nmap[] = {
		3, 3, 10, 1, 2, 4, 0x05, 0xb4, 8, 10, 0xff, 0xff, 0xff, 0xff,
		0, 0, 0, 0, 4, 2, 0, 0, 0, 0
	};
	static const uint8_t nmap_kinds[] = { 3, 1, 2, 8, 4, 0 };
	static const uint8_t many[] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 0x02, 0x18, 1, 1
	};
	static const uint8_t mss_len5[] = { 2, 5, 1, 1, 1, 0, 0, 0 };
	static const uint8_t zero_len[] = { 8, 0, 1, 1 };
	static const uint8_t past_end[] = { 1, 1, 5, 10 };
	static const uint8_t no_len[] = { 1, 1, 1, 30 };
	const uint8_t *bad[] = { mss_len5, zero_len, past_end, no_len };
	const size_t badn[] = { 8, 4, 4, 4 };
	uint8_t b[PC_MAX];
	struct pc_ip4 ip = ip4_ab();
	struct pc_l4 t = tcp_syn();
	struct sw_pkt p;
	size_t n;

	(void)state;
	/* an Xmas probe with ack and window */
	t.flags = SW_TH_FIN | SW_TH_PUSH | SW_TH_URG;
	t.seq = 0xfffffffe;
	t.ack = 0x01020304;
	t.win = 1024;
	t.opts = nmap;
	t.optlen = sizeof nmap;
	t.paylen = 0;
	n = pc_ip4(b, sizeof b, &ip, &t);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.tcp_flags, SW_TH_FIN | SW_TH_PUSH | SW_TH_URG);
	assert_int_equal(p.tcp_seq, 0xfffffffe);
	assert_int_equal(p.tcp_ack, 0x01020304);
	assert_int_equal(p.tcp_win, 1024);
	assert_int_equal(p.tcp_optlen, 24);
	assert_int_equal(p.tcp_mss, 1460);
	assert_int_equal(p.tcp_nopts, sizeof nmap_kinds);
	assert_memory_equal(p.tcp_optkinds, nmap_kinds, sizeof nmap_kinds);
	assert_int_equal(p.payload_len, 0);

	/* more than 8 options: all counted, the first 8 kinds kept */
	t.opts = many;
	t.optlen = sizeof many;
	n = pc_ip4(b, sizeof b, &ip, &t);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.tcp_nopts, 13);
	for (int i = 0; i < 8; i++)
		assert_int_equal(p.tcp_optkinds[i], 1);
	assert_int_equal(p.tcp_mss, 536);
	assert_true(p.flags & SW_PF_TCP_MSS);

	for (size_t i = 0; i < 4; i++) {
		t.opts = bad[i];
		t.optlen = badn[i];
		n = pc_ip4(b, sizeof b, &ip, &t);
		assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_TCP_OPT);
		assert_string_equal(sw_derr_name(p.err), "tcp_opt");
		assert_int_equal(p.dport, 22); /* the fixed header was read */
	}

	/* data offset below 5, data offset past the datagram */
	t.opts = NULL;
	t.optlen = 0;
	n = pc_ip4(b, sizeof b, &ip, &t);
	b[20 + 12] = 0x40;
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_TCP_HLEN);
	assert_string_equal(sw_derr_name(p.err), "tcp_hlen");
	b[20 + 12] = 0xf0;
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_TCP_HLEN);
	/* IP length shorter than a TCP header */
	b[20 + 12] = 0x50;
	b[3] = 30;
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_TCP_TRUNC);
	assert_string_equal(sw_derr_name(p.err), "tcp_trunc");

	/* snaplen inside the options: decoded, flagged, not an error */
	t.opts = SYN_OPTS;
	t.optlen = sizeof SYN_OPTS;
	t.paylen = 9;
	n = pc_ip4(b, sizeof b, &ip, &t);
	assert_int_equal(dec_cut(SW_DLT_RAW, b, 20 + 20 + 3, n, &p), SW_DERR_NONE);
	assert_true(p.flags & SW_PF_L4_CUT);
	assert_false(p.flags & SW_PF_TCP_MSS);
	assert_int_equal(p.tcp_nopts, 1);
	assert_int_equal(p.tcp_optkinds[0], 2);
	assert_int_equal(p.tcp_optlen, 20);
	assert_int_equal(p.payload_len, 9);
	assert_int_equal(dec_cut(SW_DLT_RAW, b, 20 + 20 + 4, n, &p), SW_DERR_NONE);
	assert_true(p.flags & SW_PF_L4_CUT);
	assert_int_equal(p.tcp_mss, 1460);
}

static void test_udp(void **state)
{
	uint8_t b[PC_MAX];
	struct pc_ip4 ip = ip4_ab();
	struct pc_l4 u = udp_probe();
	struct sw_pkt p;
	size_t n;

	(void)state;
	n = pc_eth(b, pc_ip4(b, sizeof b, &ip, &u), sizeof b, 0x0800);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_udp(&p, 0);
	assert_int_equal(p.ip_len, 37);
	assert_false(p.flags & (SW_PF_TCP_MSS | SW_PF_FRAG | SW_PF_INNER));

	u.paylen = 0; /* empty datagram */
	n = pc_ip4(b, sizeof b, &ip, &u);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.sport, 53000);

	u.paylen = 9;
	n = pc_ip4(b, sizeof b, &ip, &u);
	b[20 + 5] = 7; /* UDP length below its own header */
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_UDP_LEN);
	assert_string_equal(sw_derr_name(p.err), "udp_len");
	b[20 + 5] = 18; /* past the datagram */
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_UDP_LEN);
	b[20 + 5] = 17;
	b[3] = 20 + 6; /* IP length shorter than a UDP header */
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_UDP_TRUNC);
	assert_string_equal(sw_derr_name(p.err), "udp_trunc");
}

/* ---- ICMP, ICMPv6 ------------------------------------------------------- */

static void test_icmp_echo(void **state)
{
	uint8_t b[PC_MAX];
	struct pc_ip4 ip = ip4_ab();
	struct pc_ip6 ip6 = ip6_ab();
	struct pc_l4 e = { .proto = 1, .type = 8, .id = 0x1d2c, .seqno = 7,
	                   .payload = PAYLOAD, .paylen = 9 };
	struct sw_pkt p;
	size_t n;

	(void)state;
	n = pc_eth(b, pc_ip4(b, sizeof b, &ip, &e), sizeof b, 0x0800);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.proto, 1);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.icmp_code, 0);
	assert_int_equal(p.icmp_id, 0x1d2c);
	assert_int_equal(p.icmp_seq, 7);
	assert_int_equal(p.payload_len, 9);
	assert_addr4(&p.dst, B4);
	assert_false(p.flags & (SW_PF_HAS_PORTS | SW_PF_INNER));

	e.type = 0; /* reply */
	n = pc_ip4(b, sizeof b, &ip, &e);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.icmp_type, 0);
	assert_int_equal(p.icmp_id, 0x1d2c);

	e.proto = 58;
	e.type = 128;
	e.seqno = 65535;
	n = pc_sll2(b, pc_ip6(b, sizeof b, &ip6, &e), sizeof b, 0x86dd);
	assert_int_equal(dec(SW_DLT_LINUX_SLL2, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.proto, 58);
	assert_int_equal(p.icmp_type, 128);
	assert_int_equal(p.icmp_id, 0x1d2c);
	assert_int_equal(p.icmp_seq, 65535);
	assert_addr6(&p.src, A6);
	assert_int_equal(p.payload_len, 9);

	/* a header shorter than 8 bytes */
	e.proto = 1;
	e.type = 8;
	n = pc_ip4(b, sizeof b, &ip, &e);
	b[3] = 20 + 6;
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_ICMP_TRUNC);
	assert_string_equal(sw_derr_name(p.err), "icmp_trunc");
	e.proto = 58;
	e.type = 128;
	n = pc_ip6(b, sizeof b, &ip6, &e);
	b[5] = 6;
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_ICMP6_TRUNC);
	assert_string_equal(sw_derr_name(p.err), "icmp6_trunc");
}

/* A UDP probe from A to B and B's port unreachable: the quote matches. */
static void test_icmp_unreach_inner(void **state)
{
	uint8_t probe[PC_MAX], b[PC_MAX];
	struct pc_ip4 ip = ip4_ab();
	struct pc_ip4 back = ip4_ab();
	struct pc_l4 u = udp_probe();
	struct pc_l4 t = tcp_syn();
	struct pc_l4 icmp = { .proto = 1, .type = 3, .code = 3 };
	struct sw_pkt pr, p;
	size_t pn, n;

	(void)state;
	pn = pc_eth(probe, pc_ip4(probe, sizeof probe, &ip, &u), sizeof probe,
	            0x0800);
	assert_int_equal(dec(SW_DLT_EN10MB, probe, pn, &pr), SW_DERR_NONE);

	memcpy(back.src, B4, 4);
	memcpy(back.dst, A4, 4);
	icmp.payload = probe + 14;
	icmp.paylen = 28; /* IP header and 64 bits, as RFC 792 asks */
	n = pc_eth(b, pc_ip4(b, sizeof b, &back, &icmp), sizeof b, 0x0800);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.proto, 1);
	assert_int_equal(p.icmp_type, 3);
	assert_int_equal(p.icmp_code, 3);
	assert_addr4(&p.src, B4);
	assert_addr4(&p.dst, A4);
	assert_int_equal(p.flags & (SW_PF_INNER | SW_PF_INNER_PORTS),
	                 SW_PF_INNER | SW_PF_INNER_PORTS);
	assert_int_equal(p.inner.proto, 17);
	assert_addr4(&p.inner.src, A4);
	assert_addr4(&p.inner.dst, B4);
	assert_int_equal(p.inner.sport, 53000);
	assert_int_equal(p.inner.dport, 161);
	/* the match the UDP scan detector makes */
	assert_memory_equal(&p.inner.src, &pr.src, sizeof pr.src);
	assert_memory_equal(&p.inner.dst, &pr.dst, sizeof pr.dst);
	assert_int_equal(p.inner.sport, pr.sport);
	assert_int_equal(p.inner.dport, pr.dport);
	assert_int_equal(p.inner.proto, pr.proto);
	assert_false(p.flags & SW_PF_HAS_PORTS);

	/* the whole probe quoted (Linux does): same answer */
	icmp.paylen = pn - 14;
	n = pc_ip4(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.inner.dport, 161);
	assert_int_equal(p.payload_len, pn - 14);

	/* time exceeded for a TCP SYN: ports and sequence number */
	pn = pc_ip4(probe, sizeof probe, &ip, &t);
	icmp.type = 11;
	icmp.code = 0;
	icmp.payload = probe;
	icmp.paylen = 28;
	n = pc_ip4(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.icmp_type, 11);
	assert_int_equal(p.inner.proto, 6);
	assert_int_equal(p.inner.sport, 40000);
	assert_int_equal(p.inner.dport, 22);
	assert_int_equal(p.inner.tcp_seq, 0x11223344);

	/* 32 bits of TCP quoted: the ports, not the sequence number */
	icmp.paylen = 24;
	n = pc_ip4(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_true(p.flags & SW_PF_INNER_PORTS);
	assert_int_equal(p.inner.sport, 40000);
	assert_int_equal(p.inner.dport, 22);
	assert_int_equal(p.inner.tcp_seq, 0);

	/* a quote too short for the IP header */
	icmp.type = 3;
	icmp.paylen = 12;
	n = pc_ip4(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_ICMP_INNER_TRUNC);
	assert_string_equal(sw_derr_name(p.err), "icmp_inner_trunc");
	assert_int_equal(p.icmp_type, 3);
	assert_false(p.flags & SW_PF_INNER);
	/* a quote of the IP header alone: no ports, not an error */
	icmp.paylen = 20;
	n = pc_ip4(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.flags & (SW_PF_INNER | SW_PF_INNER_PORTS), SW_PF_INNER);
	assert_addr4(&p.inner.dst, B4);
	/* a quoted header that is not IPv4 */
	probe[0] = 0x65;
	icmp.paylen = 28;
	n = pc_ip4(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_ICMP_INNER_BAD);
	assert_string_equal(sw_derr_name(p.err), "icmp_inner_bad");
	probe[0] = 0x43;
	n = pc_ip4(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_ICMP_INNER_BAD);
}

static void test_icmp6_unreach_inner(void **state)
{
	static const struct pc_ext dst_opts[] = { { .type = 60 } };
	uint8_t probe[PC_MAX], b[PC_MAX];
	struct pc_ip6 ip = ip6_ab();
	struct pc_ip6 back = ip6_ab();
	struct pc_l4 u = udp_probe();
	struct pc_l4 icmp = { .proto = 58, .type = 1, .code = 4 };
	struct sw_pkt pr, p;
	size_t pn, n;

	(void)state;
	pn = pc_ip6(probe, sizeof probe, &ip, &u);
	assert_int_equal(dec(SW_DLT_RAW, probe, pn, &pr), SW_DERR_NONE);
	memcpy(back.src, B6, 16);
	memcpy(back.dst, A6, 16);
	icmp.payload = probe;
	icmp.paylen = pn;
	n = pc_eth(b, pc_ip6(b, sizeof b, &back, &icmp), sizeof b, 0x86dd);
	assert_int_equal(dec(SW_DLT_EN10MB, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.proto, 58);
	assert_int_equal(p.icmp_type, 1);
	assert_int_equal(p.icmp_code, 4);
	assert_addr6(&p.src, B6);
	assert_int_equal(p.flags & (SW_PF_INNER | SW_PF_INNER_PORTS),
	                 SW_PF_INNER | SW_PF_INNER_PORTS);
	assert_int_equal(p.inner.proto, 17);
	assert_addr6(&p.inner.src, A6);
	assert_addr6(&p.inner.dst, B6);
	assert_memory_equal(&p.inner.src, &pr.src, sizeof pr.src);
	assert_memory_equal(&p.inner.dst, &pr.dst, sizeof pr.dst);
	assert_int_equal(p.inner.sport, pr.sport);
	assert_int_equal(p.inner.dport, pr.dport);

	/* the probe had a destination options header: walked in the quote */
	ip.ext = dst_opts;
	ip.next = 1;
	pn = pc_ip6(probe, sizeof probe, &ip, &u);
	icmp.paylen = pn;
	icmp.type = 3; /* time exceeded */
	icmp.code = 0;
	n = pc_ip6(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_int_equal(p.icmp_type, 3);
	assert_int_equal(p.inner.proto, 17);
	assert_int_equal(p.inner.sport, 53000);
	assert_int_equal(p.inner.dport, 161);

	/* quote cut inside the extension header */
	icmp.paylen = 44;
	n = pc_ip6(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_ICMP_INNER_TRUNC);
	/* an IPv4 header quoted in ICMPv6 */
	icmp.payload = (const uint8_t *)"\x45\0\0\x1c\0\0\0\0\x40\x11\0\0\xc0\0\2\1"
	                                "\xc6\x33\x64\2\0\0\0\0\0\0\0\0\0\0\0\0"
	                                "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
	icmp.paylen = 48;
	n = pc_ip6(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_ICMP_INNER_BAD);
	/* the quote of a later fragment has no transport header */
	{
		static const struct pc_ext later[] = {
			{ .type = 44, .frag_off = 1448, .mf = 1, .frag_id = 5 },
		};
		uint8_t frag[PC_MAX];
		size_t fn;

		ip.ext = later;
		fn = pc_ip6_raw(frag, sizeof frag, &ip, 17, probe + 40, 16);
		icmp.payload = frag;
		icmp.paylen = fn;
		n = pc_ip6(b, sizeof b, &back, &icmp);
		assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
		assert_int_equal(p.flags & (SW_PF_INNER | SW_PF_INNER_PORTS),
		                 SW_PF_INNER);
		assert_int_equal(p.inner.proto, 17);
		assert_int_equal(p.inner.sport, 0);
	}

	/* packet too big is an error message too; echo is not */
	icmp.payload = probe;
	icmp.paylen = pn;
	icmp.type = 2;
	n = pc_ip6(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_true(p.flags & SW_PF_INNER_PORTS);
	icmp.type = 129;
	n = pc_ip6(b, sizeof b, &back, &icmp);
	assert_int_equal(dec(SW_DLT_RAW, b, n, &p), SW_DERR_NONE);
	assert_false(p.flags & SW_PF_INNER);
	assert_int_equal(p.icmp_type, 129);
}

/* ---- truncation at every byte ------------------------------------------- */

/* Up to each end offset the decoder must say exactly this error. */
struct region {
	size_t end;
	enum sw_derr err;
};

static void check_truncations(int lt, const uint8_t *b, size_t n,
                              const struct region *r, size_t nr,
                              size_t opt_end, void (*check)(const struct sw_pkt *))
{
	struct sw_pkt p;
	size_t hdr_end = r[nr - 1].end;

	for (size_t cut = 0; cut <= n; cut++) {
		enum sw_derr want = SW_DERR_NONE;

		for (size_t i = 0; i < nr; i++)
			if (cut < r[i].end) {
				want = r[i].err;
				break;
			}
		/* caplen cut (the usual snaplen case) */
		dec_cut(lt, b, cut, n, &p);
		if (p.err != want)
			fail_msg("cut at %zu of %zu: %s, expected %s", cut, n,
			         sw_derr_name(p.err), sw_derr_name(want));
		if (cut >= hdr_end) {
			check(&p);
			assert_int_equal(!!(p.flags & SW_PF_L4_CUT), cut < opt_end);
		}
		/* the wire itself cut: the IP length lies; never a crash and
		 * always a named reason */
		dec_cut(lt, b, cut, cut, &p);
		assert_non_null(sw_derr_name(p.err));
	}
}

static void check_syn4(const struct sw_pkt *p)
{
	assert_int_equal(p->l3, SW_L3_IPV4);
	assert_addr4(&p->src, A4);
	assert_addr4(&p->dst, B4);
	assert_int_equal(p->sport, 40000);
	assert_int_equal(p->dport, 22);
	assert_int_equal(p->tcp_flags, SW_TH_SYN);
	assert_int_equal(p->tcp_seq, 0x11223344);
	assert_int_equal(p->payload_len, 9);
	assert_int_equal(p->vlan_depth, 2);
	assert_int_equal(p->vlan_id, 100);
	assert_true(p->flags & SW_PF_IPV4_OPTS);
}

static void check_syn6(const struct sw_pkt *p)
{
	assert_int_equal(p->l3, SW_L3_IPV6);
	assert_addr6(&p->src, A6);
	assert_addr6(&p->dst, B6);
	assert_int_equal(p->sport, 40000);
	assert_int_equal(p->dport, 22);
	assert_int_equal(p->tcp_win, 64240);
	assert_int_equal(p->payload_len, 9);
	assert_true(p->flags & SW_PF_FRAG_FIRST);
	assert_int_equal(p->frag_id, 0xdeadbeef);
}

static void check_unreach4(const struct sw_pkt *p)
{
	assert_int_equal(p->icmp_type, 3);
	assert_int_equal(p->icmp_code, 3);
	assert_addr4(&p->src, B4);
	assert_addr4(&p->inner.src, A4);
	assert_addr4(&p->inner.dst, B4);
	assert_int_equal(p->inner.sport, 53000);
	assert_int_equal(p->inner.dport, 161);
	assert_true(p->flags & SW_PF_INNER_PORTS);
}

static void check_unreach6(const struct sw_pkt *p)
{
	assert_int_equal(p->icmp_type, 1);
	assert_addr6(&p->src, B6);
	assert_addr6(&p->inner.src, A6);
	assert_addr6(&p->inner.dst, B6);
	assert_int_equal(p->inner.sport, 53000);
	assert_int_equal(p->inner.dport, 161);
	assert_true(p->flags & SW_PF_INNER_PORTS);
}

static void test_truncation_every_offset(void **state)
{
	static const struct pc_ext chain[] = {
		{ .type = 0 }, { .type = 60, .len = 1 },
		{ .type = 44, .mf = 1, .frag_id = 0xdeadbeef },
	};
	uint8_t b[PC_MAX], q[PC_MAX];
	struct pc_ip4 ip = ip4_ab();
	struct pc_ip6 ip6 = ip6_ab();
	struct pc_l4 t = tcp_syn();
	struct pc_l4 u = udp_probe();
	size_t n, qn;

	(void)state;
	/* Ethernet, 802.1ad + 802.1Q, IPv4 with options, TCP with options */
	{
		const struct region r[] = {
			{ 14, SW_DERR_L2_TRUNC }, { 18, SW_DERR_VLAN_TRUNC },
			{ 22, SW_DERR_VLAN_TRUNC }, { 22 + 24, SW_DERR_IPV4_TRUNC },
			{ 46 + 20, SW_DERR_TCP_TRUNC },
		};

		ip.opts = RA_OPT;
		ip.optlen = sizeof RA_OPT;
		n = pc_eth(b, pc_ip4(b, sizeof b, &ip, &t), sizeof b, 0x0800);
		n = pc_vlan(b, n, sizeof b, 0x8100, 100);
		n = pc_vlan(b, n, sizeof b, 0x88a8, 200);
		assert_int_equal(n, 22 + 24 + 40 + 9);
		check_truncations(SW_DLT_EN10MB, b, n, r, 5, 46 + 40, check_syn4);
	}
	/* Linux cooked v2, IPv6, hop-by-hop + dstopts + fragment, TCP */
	{
		const struct region r[] = {
			{ 20, SW_DERR_L2_TRUNC }, { 60, SW_DERR_IPV6_TRUNC },
			{ 60 + 32, SW_DERR_IPV6_EXT_TRUNC }, { 92 + 20, SW_DERR_TCP_TRUNC },
		};

		ip6.ext = chain;
		ip6.next = 3;
		n = pc_sll2(b, pc_ip6(b, sizeof b, &ip6, &t), sizeof b, 0x86dd);
		assert_int_equal(n, 20 + 40 + 32 + 40 + 9);
		check_truncations(SW_DLT_LINUX_SLL2, b, n, r, 4, 92 + 40, check_syn6);
	}
	/* Ethernet, IPv4, ICMP port unreachable quoting a UDP probe */
	{
		const struct region r[] = {
			{ 14, SW_DERR_L2_TRUNC }, { 34, SW_DERR_IPV4_TRUNC },
			{ 42, SW_DERR_ICMP_TRUNC }, { 42 + 28, SW_DERR_ICMP_INNER_TRUNC },
		};
		struct pc_ip4 back = ip4_ab();
		struct pc_l4 icmp = { .proto = 1, .type = 3, .code = 3 };

		ip.opts = NULL;
		ip.optlen = 0;
		qn = pc_ip4(q, sizeof q, &ip, &u);
		memcpy(back.src, B4, 4);
		memcpy(back.dst, A4, 4);
		icmp.payload = q;
		icmp.paylen = qn;
		n = pc_eth(b, pc_ip4(b, sizeof b, &back, &icmp), sizeof b, 0x0800);
		assert_int_equal(n, 14 + 20 + 8 + 37);
		check_truncations(SW_DLT_EN10MB, b, n, r, 4, 0, check_unreach4);
	}
	/* BSD NULL, IPv6, ICMPv6 port unreachable quoting a UDP probe */
	{
		const struct region r[] = {
			{ 4, SW_DERR_L2_TRUNC }, { 44, SW_DERR_IPV6_TRUNC },
			{ 52, SW_DERR_ICMP6_TRUNC }, { 52 + 48, SW_DERR_ICMP_INNER_TRUNC },
		};
		struct pc_ip6 back = ip6_ab();
		struct pc_l4 icmp = { .proto = 58, .type = 1, .code = 4 };

		ip6.next = 0;
		qn = pc_ip6(q, sizeof q, &ip6, &u);
		memcpy(back.src, B6, 16);
		memcpy(back.dst, A6, 16);
		icmp.payload = q;
		icmp.paylen = qn;
		n = pc_null(b, pc_ip6(b, sizeof b, &back, &icmp), sizeof b, 30, 0);
		check_truncations(SW_DLT_NULL, b, n, r, 4, 0, check_unreach6);
	}
}

/* ---- random bytes ------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, same run every time */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static const int all_linktypes[] = {
	SW_DLT_NULL, SW_DLT_EN10MB, SW_DLT_RAW, SW_DLT_LOOP, SW_DLT_LINKTYPE_RAW,
	SW_DLT_LINUX_SLL, SW_DLT_LINUX_SLL2, SW_DLT_IPV4, SW_DLT_IPV6,
};
#define N_LINKTYPES (sizeof all_linktypes / sizeof all_linktypes[0])

static void check_invariants(const struct sw_pkt *p, size_t n)
{
	assert_true((unsigned)p->err < SW_DERR_COUNT);
	assert_non_null(sw_derr_name(p->err));
	assert_int_equal(p->caplen, n);
	assert_true(p->vlan_depth <= SW_MAX_VLAN);
	assert_true(p->tcp_optlen <= 40);
	if (p->flags & (SW_PF_HAS_PORTS | SW_PF_FRAG | SW_PF_INNER))
		assert_true(p->l3 == SW_L3_IPV4 || p->l3 == SW_L3_IPV6);
	if (p->err == SW_DERR_NONE && p->l3 == SW_L3_IPV4)
		assert_int_equal(p->src.family, SW_AF_INET);
	if (p->err == SW_DERR_NONE && p->l3 == SW_L3_IPV6)
		assert_int_equal(p->src.family, SW_AF_INET6);
	if ((p->flags & SW_PF_FRAG) && p->frag_off != 0)
		assert_false(p->flags & SW_PF_HAS_PORTS);
	/* the fragment tracker reads frag_data_cap bytes at frag_data_off */
	if (p->flags & SW_PF_FRAG) {
		assert_true(p->frag_data_off <= n);
		assert_true(p->frag_data_cap <= n - p->frag_data_off);
		assert_true(p->frag_data_cap <= p->frag_len);
	}
}

static void test_fuzz_random(void **state)
{
	unsigned decoded = 0;

	(void)state;
	rng_state = 0x5eed5eed5eed5eedULL;
	for (int i = 0; i < 200000; i++) {
		size_t n = (size_t)(rnd() % 160);
		uint8_t *b = malloc(n ? n : 1);
		struct sw_pkt p;

		assert_non_null(b);
		for (size_t j = 0; j < n; j++)
			b[j] = (uint8_t)rnd();
		/* give the decoder a fair chance to get past the first headers */
		if (n > 20 && (i & 1)) {
			b[12] = (i & 2) ? 0x08 : 0x86;
			b[13] = (i & 2) ? 0x00 : 0xdd;
			b[0] = (uint8_t)((i & 2) ? 0x45 : 0x60);
		}
		for (size_t k = 0; k < N_LINKTYPES; k++) {
			sw_decode(all_linktypes[k], n ? b : NULL, (uint32_t)n,
			          (uint32_t)n + (uint32_t)(rnd() % 64), 1, &p);
			check_invariants(&p, n);
			decoded += p.err == SW_DERR_NONE;
		}
		free(b);
	}
	assert_true(decoded > 0);
}

/* Valid packets with a few bytes changed: reaches deep into the headers. */
static void test_fuzz_mutations(void **state)
{
	static const struct pc_ext chain[] = {
		{ .type = 0 }, { .type = 60 }, { .type = 44, .mf = 1, .frag_id = 1 },
	};
	uint8_t seeds[6][PC_MAX], q[PC_MAX];
	size_t seedn[6];
	struct pc_ip4 ip = ip4_ab();
	struct pc_ip6 ip6 = ip6_ab();
	struct pc_l4 t = tcp_syn();
	struct pc_l4 u = udp_probe();
	struct pc_l4 ic = { .proto = 1, .type = 3, .code = 3 };
	struct pc_l4 ic6 = { .proto = 58, .type = 1, .code = 4 };
	static const int seed_v6[6] = { 0, 0, 1, 1, 0, 1 };
	unsigned counts[SW_DERR_COUNT] = { 0 };

	(void)state;
	ip.opts = RA_OPT;
	ip.optlen = 4;
	seedn[0] = pc_ip4(seeds[0], PC_MAX, &ip, &t);
	seedn[1] = pc_ip4(seeds[1], PC_MAX, &ip, &u);
	ip6.ext = chain;
	ip6.next = 3;
	seedn[2] = pc_ip6(seeds[2], PC_MAX, &ip6, &t);
	seedn[3] = pc_ip6(seeds[3], PC_MAX, &ip6, &u);
	ic.payload = q;
	ic.paylen = pc_ip4(q, sizeof q, &ip, &t);
	seedn[4] = pc_ip4(seeds[4], PC_MAX, &ip, &ic);
	ip6.next = 0;
	ic6.payload = seeds[3];
	ic6.paylen = seedn[3];
	seedn[5] = pc_ip6(seeds[5], PC_MAX, &ip6, &ic6);

	rng_state = 0x0123456789abcdefULL;
	for (int i = 0; i < 200000; i++) {
		int s = (int)(rnd() % 6);
		size_t n = seedn[s];
		size_t cut = (rnd() & 3) ? n : (size_t)(rnd() % (n + 1));
		uint8_t *b = malloc(n);
		int lt = (int)(rnd() % 3);
		struct sw_pkt p;

		assert_non_null(b);
		memcpy(b, seeds[s], n);
		for (int m = (int)(rnd() % 4) + 1; m > 0; m--)
			b[rnd() % n] = (uint8_t)rnd();
		lt = lt == 0 ? SW_DLT_RAW : lt == 1 ? (seed_v6[s] ? SW_DLT_IPV6 : SW_DLT_IPV4)
		                                     : SW_DLT_LINKTYPE_RAW;
		sw_decode(lt, b, (uint32_t)cut, (uint32_t)n, 1, &p);
		check_invariants(&p, cut);
		counts[p.err]++;
		free(b);
	}
	/* the mutations found their way to more than one reason */
	assert_true(counts[SW_DERR_NONE] > 1000);
	assert_true(counts[SW_DERR_TCP_OPT] > 0);
	assert_true(counts[SW_DERR_IPV4_OPT] > 0);
	assert_true(counts[SW_DERR_IP_VERSION] > 0);
}

/* ---- the fast path ------------------------------------------------------ */

/*
 * sw_decode() takes common Ethernet frames through a fast path of its own;
 * sw_decode_general() is the general walk alone. Both must give the same
 * result and the same sw_pkt, byte for byte, on every input: each is handed
 * a struct filled with a different pattern, so a field one of them forgets
 * to clear or to set shows. Returns whether the fast path could have taken
 * it (as far as the outcome tells: decoded whole as IP).
 */
static int both_ways(int lt, const uint8_t *b, size_t caplen, size_t wirelen)
{
	uint8_t *copy = malloc(caplen ? caplen : 1);
	struct sw_pkt f, g;
	enum sw_derr ef, eg;

	assert_non_null(copy);
	if (caplen)
		memcpy(copy, b, caplen);
	memset(&f, 0xa5, sizeof f);
	memset(&g, 0x5a, sizeof g);
	ef = sw_decode(lt, caplen ? copy : NULL, (uint32_t)caplen, (uint32_t)wirelen,
	               1795799381000000ull, &f);
	eg = sw_decode_general(lt, caplen ? copy : NULL, (uint32_t)caplen,
	                       (uint32_t)wirelen, 1795799381000000ull, &g);
	free(copy);
	if (ef != eg || memcmp(&f, &g, sizeof f) != 0) {
		const uint8_t *x = (const uint8_t *)&f, *y = (const uint8_t *)&g;
		size_t at = 0;

		while (at < sizeof f && x[at] == y[at])
			at++;
		fail_msg("link type %d, %zu of %zu bytes: fast path %s, general walk %s, "
		         "first difference at byte %zu of struct sw_pkt", lt, caplen, wirelen,
		         sw_derr_name(ef), sw_derr_name(eg), at);
	}
	return ef == SW_DERR_NONE && (f.l3 == SW_L3_IPV4 || f.l3 == SW_L3_IPV6);
}

/* Every cut of the frame, and the frame whole with a wire length longer
 * (snaplen) and with Ethernet padding the IP length leaves out. */
static void both_ways_every_cut(int lt, const uint8_t *b, size_t n)
{
	uint8_t pad[PC_MAX + 32];

	for (size_t cut = 0; cut <= n; cut++)
		both_ways(lt, b, cut, n);
	both_ways(lt, b, n, n + 1000);
	memcpy(pad, b, n);
	memset(pad + n, 0xee, 32);
	both_ways(lt, pad, n + 32, n + 32);
}

enum { FAST_SEEDS = 128 };

struct seeds {
	uint8_t b[FAST_SEEDS][PC_MAX];
	size_t n[FAST_SEEDS];
	int count;
};

/* One datagram as a seed, in the Ethernet frames it can come in: no tag,
 * one 802.1Q tag, an 802.1ad tag, two tags. */
static void add_framed(struct seeds *s, const uint8_t *ip, size_t n, uint16_t type)
{
	static const uint16_t outer[] = { 0, 0x8100, 0x88a8, 0x9100 };

	for (size_t i = 0; i < sizeof outer / sizeof outer[0]; i++) {
		for (int twice = 0; twice < (outer[i] ? 2 : 1); twice++) {
			uint8_t *b = s->b[s->count];
			size_t m;

			assert_true(s->count < FAST_SEEDS);
			memcpy(b, ip, n);
			m = pc_eth(b, n, PC_MAX, type);
			if (outer[i])
				m = pc_vlan(b, m, PC_MAX, outer[i], (uint16_t)(100 + i));
			if (twice)
				m = pc_vlan(b, m, PC_MAX, 0x8100, 7);
			assert_true(m > 0);
			s->n[s->count++] = m;
		}
	}
}

/* Datagrams of every shape the fast path takes or turns away. */
static void fast_seeds(struct seeds *s)
{
	static const uint8_t ts_opts[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
	static const uint8_t mss_opts[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t win_opts[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2 };
	static const struct pc_ext frag6[] = { { .type = 44, .mf = 1, .frag_id = 9 } };
	static const struct pc_ext hop[] = { { .type = 0 } };
	uint8_t d[PC_MAX], q[PC_MAX];
	struct pc_ip4 ip = ip4_ab();
	struct pc_ip6 ip6 = ip6_ab();
	struct pc_l4 t = tcp_syn();
	struct pc_l4 u = udp_probe();
	struct pc_l4 echo = { .proto = 1, .type = 8, .id = 7, .seqno = 1 };
	struct pc_l4 echo6 = { .proto = 58, .type = 128, .id = 7, .seqno = 1 };
	struct pc_l4 unreach = { .proto = 1, .type = 3, .code = 3 };
	struct pc_l4 gre = { .proto = 47, .payload = PAYLOAD, .paylen = 9 };
	size_t n;

	s->count = 0;
	/* IPv4: TCP with each option layout the fast path knows, and one it
	 * does not; DF and not; UDP, ICMP, ICMP error, another protocol */
	add_framed(s, d, pc_ip4(d, PC_MAX, &ip, &t), 0x0800);
	t.opts = ts_opts;
	t.optlen = sizeof ts_opts;
	t.flags = SW_TH_ACK;
	add_framed(s, d, pc_ip4(d, PC_MAX, &ip, &t), 0x0800);
	t.opts = mss_opts;
	t.optlen = sizeof mss_opts;
	t.flags = SW_TH_SYN;
	ip.frag = 0;
	add_framed(s, d, pc_ip4(d, PC_MAX, &ip, &t), 0x0800);
	t.opts = win_opts;
	t.optlen = sizeof win_opts;
	add_framed(s, d, pc_ip4(d, PC_MAX, &ip, &t), 0x0800);
	t.opts = NULL;
	t.optlen = 0;
	n = pc_ip4(d, PC_MAX, &ip, &t);
	add_framed(s, d, n, 0x0800);
	add_framed(s, d, pc_ip4(d, PC_MAX, &ip, &u), 0x0800);
	add_framed(s, d, pc_ip4(d, PC_MAX, &ip, &echo), 0x0800);
	unreach.payload = q;
	unreach.paylen = pc_ip4(q, sizeof q, &ip, &u);
	add_framed(s, d, pc_ip4(d, PC_MAX, &ip, &unreach), 0x0800);
	add_framed(s, d, pc_ip4(d, PC_MAX, &ip, &gre), 0x0800);
	/* IPv4 the fast path leaves alone: options, a first and a later
	 * fragment */
	ip.opts = RA_OPT;
	ip.optlen = sizeof RA_OPT;
	add_framed(s, d, pc_ip4(d, PC_MAX, &ip, &t), 0x0800);
	ip.opts = NULL;
	ip.optlen = 0;
	ip.frag = 0x2000;
	add_framed(s, d, pc_ip4_raw(d, PC_MAX, &ip, 6, q, 16), 0x0800);
	ip.frag = 0x0001;
	add_framed(s, d, pc_ip4_raw(d, PC_MAX, &ip, 6, q, 16), 0x0800);
	/* IPv6: TCP, UDP, ICMPv6; an extension header and a fragment
	 * header (general walk) */
	t.opts = SYN_OPTS;
	t.optlen = sizeof SYN_OPTS;
	add_framed(s, d, pc_ip6(d, PC_MAX, &ip6, &t), 0x86dd);
	add_framed(s, d, pc_ip6(d, PC_MAX, &ip6, &u), 0x86dd);
	add_framed(s, d, pc_ip6(d, PC_MAX, &ip6, &echo6), 0x86dd);
	ip6.ext = hop;
	ip6.next = 1;
	add_framed(s, d, pc_ip6(d, PC_MAX, &ip6, &u), 0x86dd);
	ip6.ext = frag6;
	add_framed(s, d, pc_ip6(d, PC_MAX, &ip6, &u), 0x86dd);
	/* not IP */
	n = pc_arp(s->b[s->count], PC_MAX, pc_mac_src, A4, B4);
	assert_true(n > 0);
	s->n[s->count++] = n;
}

static void test_fast_path_every_cut(void **state)
{
	struct seeds *s = malloc(sizeof *s);
	int fast = 0;

	(void)state;
	assert_non_null(s);
	fast_seeds(s);
	for (int i = 0; i < s->count; i++) {
		both_ways_every_cut(SW_DLT_EN10MB, s->b[i], s->n[i]);
		fast += both_ways(SW_DLT_EN10MB, s->b[i], s->n[i], s->n[i]);
	}
	/* the seeds of the fast path were decoded whole */
	assert_true(fast >= 30);
	free(s);
}

/* The seeds with a few bytes changed, most of them in the headers: the
 * near misses of every check of the fast path (a version nibble, a length,
 * a tag, an option byte) and of the option layouts it knows. */
static void test_fast_path_mutations(void **state)
{
	struct seeds *s = malloc(sizeof *s);
	unsigned fast = 0;

	(void)state;
	assert_non_null(s);
	fast_seeds(s);
	rng_state = 0xfa57fa57fa57fa57ULL;
	for (int i = 0; i < 300000; i++) {
		int k = (int)(rnd() % (uint64_t)s->count);
		size_t n = s->n[k];
		size_t cut = (rnd() & 7) ? n : (size_t)(rnd() % (n + 1));
		uint8_t b[PC_MAX];

		memcpy(b, s->b[k], n);
		for (int m = (int)(rnd() % 3) + 1; m > 0; m--) {
			size_t at = (rnd() & 3) ? (size_t)(rnd() % (n < 80 ? n : 80))
			                        : (size_t)(rnd() % n);
			b[at] = (rnd() & 1) ? (uint8_t)rnd() : (uint8_t)(b[at] ^ (1u << (rnd() % 8)));
		}
		fast += both_ways(SW_DLT_EN10MB, b, cut, n);
	}
	assert_true(fast > 10000);
	free(s);
}

/* The packets of every corpus capture, as they are and cut short. */
static void test_fast_path_corpus(void **state)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	struct dirent *de;
	unsigned files = 0, packets = 0, fast = 0;
	DIR *dp;

	(void)state;
	snprintf(dir, sizeof dir, "%s/tests/data/corpus", top ? top : ".");
	dp = opendir(dir);
	if (!dp)
		fail_msg("cannot open %s (set top_srcdir)", dir);
	while ((de = readdir(dp))) {
		char path[8192], err[PCAP_ERRBUF_SIZE];
		size_t len = strlen(de->d_name);
		struct pcap_pkthdr *h;
		const u_char *data;
		pcap_t *pc;
		int lt;

		if (len < 5 || strcmp(de->d_name + len - 5, ".pcap") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		pc = pcap_open_offline(path, err);
		if (!pc)
			fail_msg("%s", err);
		lt = pcap_datalink(pc);
		while (pcap_next_ex(pc, &h, &data) == 1) {
			fast += both_ways(lt, data, h->caplen, h->len);
			both_ways(lt, data, h->caplen / 2, h->len);
			packets++;
		}
		pcap_close(pc);
		files++;
	}
	closedir(dp);
	assert_true(files >= 20);
	assert_true(fast > packets / 2);
}

/* ---- names -------------------------------------------------------------- */

static void test_error_names(void **state)
{
	(void)state;
	for (int i = 0; i < SW_DERR_COUNT; i++) {
		const char *n = sw_derr_name((enum sw_derr)i);

		assert_non_null(n);
		assert_true(n[0] != '\0');
		for (const char *c = n; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
			            *c == '_');
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n, sw_derr_name((enum sw_derr)j));
	}
	assert_string_equal(sw_derr_name(SW_DERR_NONE), "none");
	assert_string_equal(sw_derr_name(SW_DERR_TCP_TRUNC), "tcp_trunc");
	assert_string_equal(sw_derr_name(SW_DERR_IPV4_HLEN), "ipv4_hlen");
	assert_null(sw_derr_name(SW_DERR_COUNT));
	assert_null(sw_derr_name((enum sw_derr)-1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet_ipv4_tcp),
		cmocka_unit_test(test_linktypes),
		cmocka_unit_test(test_vlan_stacks),
		cmocka_unit_test(test_arp_and_other_l2),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_fragment_data_and_l4),
		cmocka_unit_test(test_ipv6_ext_chain),
		cmocka_unit_test(test_ipv6_chain_limits),
		cmocka_unit_test(test_tcp_fields_and_options),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_icmp_unreach_inner),
		cmocka_unit_test(test_icmp6_unreach_inner),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_fuzz_random),
		cmocka_unit_test(test_fuzz_mutations),
		cmocka_unit_test(test_fast_path_every_cut),
		cmocka_unit_test(test_fast_path_mutations),
		cmocka_unit_test(test_fast_path_corpus),
		cmocka_unit_test(test_error_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
