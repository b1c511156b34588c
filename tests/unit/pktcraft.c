/*
 * pktcraft.c - test packets built with libnet (see pktcraft.h).
 *
 * Notes on libnet 1.1.6, found by building packets and reading them back:
 *  - libnet_adv_cull_packet() insists on LIBNET_LINK_ADV, which opens an
 *    interface (root); in a build-only LIBNET_NONE context the bytes come
 *    from libnet_pblock_coalesce(), declared in libnet-functions.h, and
 *    are released with libnet_adv_free_packet() (it undoes l->aligner).
 *  - libnet_build_ipv6_frag() stores its frag and id arguments as given,
 *    without converting to network order: callers pass htons()/htonl().
 *  - With extension headers between IPv6 and TCP, libnet writes the TCP
 *    checksum at the wrong place (into the extension header or the ack
 *    field). So the transport header is built and checksummed over a bare
 *    IPv6 header first (the pseudo-header is the same without a routing
 *    header) and handed to the extension chain as finished bytes.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* libnet-config --defines says _BSD_SOURCE */
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <libnet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktcraft.h"

const uint8_t pc_mac_src[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
const uint8_t pc_mac_dst[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02 };

static libnet_t *ctx_new(void)
{
	char eb[LIBNET_ERRBUF_SIZE];
	libnet_t *l = libnet_init(LIBNET_NONE, NULL, eb);

	if (l == NULL)
		fprintf(stderr, "pktcraft: libnet_init: %s\n", eb);
	return l;
}

static size_t fail(libnet_t *l, const char *what)
{
	fprintf(stderr, "pktcraft: %s: %s\n", what, libnet_geterror(l));
	libnet_destroy(l);
	return 0;
}

/* Assemble what was built in l into buf and release l. */
static size_t finish(libnet_t *l, uint8_t *buf, size_t cap)
{
	uint8_t *pk = NULL;
	uint32_t n = 0;

	if (libnet_pblock_coalesce(l, &pk, &n) < 0)
		return fail(l, "coalesce");
	if (n > cap) {
		fprintf(stderr, "pktcraft: packet of %u bytes, room for %zu\n", n, cap);
		libnet_adv_free_packet(l, pk);
		libnet_destroy(l);
		return 0;
	}
	memcpy(buf, pk, n);
	libnet_adv_free_packet(l, pk);
	libnet_destroy(l);
	return n;
}

static struct libnet_in6_addr in6(const uint8_t b[16])
{
	struct libnet_in6_addr a;

	memcpy(&a, b, 16);
	return a;
}

static uint32_t in4(const uint8_t b[4])
{
	uint32_t a;

	memcpy(&a, b, 4); /* libnet wants network order in a uint32_t */
	return a;
}

/* Build the transport part into l; its length is returned in *n. */
static int build_l4(libnet_t *l, const struct pc_l4 *x, size_t *n)
{
	libnet_ptag_t t = -1;
	uint8_t *pay = (uint8_t *)(uintptr_t)x->payload; /* libnet is not const-clean */
	uint32_t plen = (uint32_t)x->paylen;

	switch (x->proto) {
	case IPPROTO_TCP:
		*n = LIBNET_TCP_H + x->optlen + x->paylen;
		if (x->optlen &&
		    libnet_build_tcp_options(x->opts, (uint32_t)x->optlen, l, 0) < 0)
			return -1;
		t = libnet_build_tcp(x->sport, x->dport, x->seq, x->ack, x->flags,
		                     x->win, 0, 0, (uint16_t)*n, pay, plen, l, 0);
		break;
	case IPPROTO_UDP:
		*n = LIBNET_UDP_H + x->paylen;
		t = libnet_build_udp(x->sport, x->dport, (uint16_t)*n, 0, pay, plen,
		                     l, 0);
		break;
	case IPPROTO_ICMP:
		*n = 8 + x->paylen;
		if (x->type == 0 || x->type == 8)
			t = libnet_build_icmpv4_echo(x->type, x->code, 0, x->id,
			                             x->seqno, pay, plen, l, 0);
		else if (x->type == 11)
			t = libnet_build_icmpv4_timeexceed(x->type, x->code, 0, pay,
			                                   plen, l, 0);
		else /* unreachable, and the same 8-byte shape for the rest */
			t = libnet_build_icmpv4_unreach(x->type, x->code, 0, pay, plen,
			                                l, 0);
		break;
	case IPPROTO_ICMPV6:
		*n = 8 + x->paylen;
		if (x->type == 128 || x->type == 129)
			t = libnet_build_icmpv6_echo(x->type, x->code, 0, x->id,
			                             x->seqno, pay, plen, l, 0);
		else
			t = libnet_build_icmpv6_unreach(x->type, x->code, 0, pay, plen,
			                                l, 0);
		break;
	default:
		*n = x->paylen;
		if (x->paylen == 0)
			return 0;
		t = libnet_build_data(x->payload, plen, l, 0);
		break;
	}
	return t < 0 ? -1 : 0;
}

size_t pc_ip4(uint8_t *buf, size_t cap, const struct pc_ip4 *ip,
              const struct pc_l4 *l4)
{
	libnet_t *l = ctx_new();
	size_t n;

	if (l == NULL)
		return 0;
	if (build_l4(l, l4, &n) < 0)
		return fail(l, "transport");
	if (ip->optlen &&
	    libnet_build_ipv4_options(ip->opts, (uint32_t)ip->optlen, l, 0) < 0)
		return fail(l, "ipv4 options");
	if (libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + ip->optlen + n), 0, ip->id,
	                      ip->frag, ip->ttl, l4->proto, 0, in4(ip->src),
	                      in4(ip->dst), NULL, 0, l, 0) < 0)
		return fail(l, "ipv4");
	return finish(l, buf, cap);
}

size_t pc_ip4_raw(uint8_t *buf, size_t cap, const struct pc_ip4 *ip,
                  uint8_t proto, const uint8_t *data, size_t len)
{
	libnet_t *l = ctx_new();

	if (l == NULL)
		return 0;
	if (len && libnet_build_data(data, (uint32_t)len, l, 0) < 0)
		return fail(l, "data");
	if (ip->optlen &&
	    libnet_build_ipv4_options(ip->opts, (uint32_t)ip->optlen, l, 0) < 0)
		return fail(l, "ipv4 options");
	if (libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + ip->optlen + len), 0,
	                      ip->id, ip->frag, ip->ttl, proto, 0, in4(ip->src),
	                      in4(ip->dst), NULL, 0, l, 0) < 0)
		return fail(l, "ipv4");
	return finish(l, buf, cap);
}

size_t pc_l4(uint8_t *buf, size_t cap, int v6, const uint8_t *src,
             const uint8_t *dst, const struct pc_l4 *l4)
{
	uint8_t tmp[PC_MAX];
	size_t n, hl;

	if (v6) {
		struct pc_ip6 ip;

		memset(&ip, 0, sizeof ip);
		memcpy(ip.src, src, 16);
		memcpy(ip.dst, dst, 16);
		ip.hlim = 64;
		n = pc_ip6(tmp, sizeof tmp, &ip, l4);
		hl = 40;
	} else {
		struct pc_ip4 ip;

		memset(&ip, 0, sizeof ip);
		memcpy(ip.src, src, 4);
		memcpy(ip.dst, dst, 4);
		ip.ttl = 64;
		n = pc_ip4(tmp, sizeof tmp, &ip, l4);
		hl = 20;
	}
	if (n < hl || n - hl > cap)
		return 0;
	memcpy(buf, tmp + hl, n - hl);
	return n - hl;
}

/* Hop-by-hop or destination options of 8 * (len + 1) bytes: one PadN
 * option fills what follows the two fixed bytes. */
static int build_opts_hdr(libnet_t *l, uint8_t type, uint8_t nh, uint8_t len)
{
	uint8_t pad[6 + 8 * 255];
	uint32_t n = 6 + 8u * len;

	memset(pad, 0, n);
	pad[0] = 1;               /* PadN */
	pad[1] = (uint8_t)(n - 2);
	if (type == 0)
		return libnet_build_ipv6_hbhopts(nh, len, pad, n, l, 0) < 0 ? -1 : 0;
	return libnet_build_ipv6_destopts(nh, len, pad, n, l, 0) < 0 ? -1 : 0;
}

static int build_ext(libnet_t *l, const struct pc_ext *e, uint8_t nh)
{
	uint8_t zero[4 + 8 * 255];
	uint8_t raw[8];

	switch (e->type) {
	case 0:
	case 60:
		return build_opts_hdr(l, e->type, nh, e->len);
	case 43: /* type 0 with no segments left: nothing to route */
		memset(zero, 0, sizeof zero);
		return libnet_build_ipv6_routing(nh, e->len, 0, 0, zero,
		                                 4 + 8u * e->len, l, 0) < 0 ? -1 : 0;
	case 44: /* see the top of the file about byte order */
		return libnet_build_ipv6_frag(nh, 0,
		                              htons((uint16_t)((e->frag_off & 0xfff8) |
		                                               (e->mf ? 1 : 0))),
		                              htonl(e->frag_id), NULL, 0, l, 0) < 0 ? -1 : 0;
	case 51: /* 12 bytes + 4 of ICV: payload length 16 / 4 - 2 */
		return libnet_build_ipsec_ah(nh, 2, 0, 0x1000, 1, 0, NULL, 0, l, 0) < 0
		       ? -1 : 0;
	default:
		memset(raw, 0, sizeof raw);
		raw[0] = nh;
		return libnet_build_data(raw, sizeof raw, l, 0) < 0 ? -1 : 0;
	}
}

static size_t ext_size(const struct pc_ext *e)
{
	switch (e->type) {
	case 0:
	case 43:
	case 60:
		return 8 * ((size_t)e->len + 1);
	case 51:
		return 16;
	default:
		return 8;
	}
}

size_t pc_ip6_raw(uint8_t *buf, size_t cap, const struct pc_ip6 *ip,
                  uint8_t proto, const uint8_t *data, size_t len)
{
	libnet_t *l = ctx_new();
	size_t plen = len;
	uint8_t nh = proto;

	if (l == NULL)
		return 0;
	if (len && libnet_build_data(data, (uint32_t)len, l, 0) < 0)
		return fail(l, "data");
	/* libnet builds from the top layer down: innermost header first */
	for (size_t i = ip->next; i > 0; i--) {
		const struct pc_ext *e = &ip->ext[i - 1];

		if (build_ext(l, e, nh) < 0)
			return fail(l, "ipv6 extension header");
		nh = e->type;
		plen += ext_size(e);
	}
	if (libnet_build_ipv6(0, 0, (uint16_t)plen, nh, ip->hlim, in6(ip->src),
	                      in6(ip->dst), NULL, 0, l, 0) < 0)
		return fail(l, "ipv6");
	return finish(l, buf, cap);
}

size_t pc_ip6(uint8_t *buf, size_t cap, const struct pc_ip6 *ip,
              const struct pc_l4 *l4)
{
	libnet_t *l;
	uint8_t seg[PC_MAX];
	size_t n;

	if (ip->next > 0) {
		struct pc_ip6 bare = *ip;

		bare.next = 0;
		n = pc_ip6(seg, sizeof seg, &bare, l4);
		if (n < 40)
			return 0;
		return pc_ip6_raw(buf, cap, ip, l4->proto, seg + 40, n - 40);
	}
	l = ctx_new();
	if (l == NULL)
		return 0;
	if (build_l4(l, l4, &n) < 0)
		return fail(l, "transport");
	if (libnet_build_ipv6(0, 0, (uint16_t)n, l4->proto, ip->hlim, in6(ip->src),
	                      in6(ip->dst), NULL, 0, l, 0) < 0)
		return fail(l, "ipv6");
	return finish(l, buf, cap);
}

size_t pc_arp(uint8_t *buf, size_t cap, const uint8_t sha[6],
              const uint8_t spa[4], const uint8_t tpa[4])
{
	static const uint8_t zero[6];
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	libnet_t *l = ctx_new();

	if (l == NULL)
		return 0;
	if (libnet_build_arp(ARPHRD_ETHER, ETHERTYPE_IP, 6, 4, ARPOP_REQUEST, sha,
	                     spa, zero, tpa, NULL, 0, l, 0) < 0)
		return fail(l, "arp");
	if (libnet_build_ethernet(bcast, sha, ETHERTYPE_ARP, NULL, 0, l, 0) < 0)
		return fail(l, "ethernet");
	return finish(l, buf, cap);
}

/* ---- link headers, prepended in place ---------------------------------- */

static size_t prepend(uint8_t *buf, size_t len, size_t cap, const uint8_t *h,
                      size_t hl)
{
	if (len > cap || hl > cap - len)
		return 0;
	memmove(buf + hl, buf, len);
	memcpy(buf, h, hl);
	return len + hl;
}

size_t pc_eth(uint8_t *buf, size_t len, size_t cap, uint16_t ethertype)
{
	libnet_t *l = ctx_new();

	if (l == NULL)
		return 0;
	if (libnet_build_ethernet(pc_mac_dst, pc_mac_src, ethertype,
	                          len ? buf : NULL, (uint32_t)len, l, 0) < 0)
		return fail(l, "ethernet");
	return finish(l, buf, cap);
}

size_t pc_vlan(uint8_t *buf, size_t len, size_t cap, uint16_t tpid,
               uint16_t vid)
{
	uint8_t tag[4];
	size_t n;

	if (len < 12 || len > cap || cap - len < 4)
		return 0;
	/* the new tag goes right after the MAC addresses: it becomes the
	 * outer one, and its inner type is the type that was there */
	tag[0] = (uint8_t)(tpid >> 8);
	tag[1] = (uint8_t)tpid;
	tag[2] = (uint8_t)(vid >> 8 & 0x0f);
	tag[3] = (uint8_t)vid;
	n = prepend(buf + 12, len - 12, cap - 12, tag, sizeof tag);
	return n ? 12 + n : 0;
}

size_t pc_sll(uint8_t *buf, size_t len, size_t cap, uint16_t proto)
{
	uint8_t h[16] = { 0 };

	h[1] = 0;                  /* PACKET_HOST */
	h[3] = 1;                  /* ARPHRD_ETHER */
	h[5] = 6;                  /* address length */
	memcpy(h + 6, pc_mac_src, 6);
	h[14] = (uint8_t)(proto >> 8);
	h[15] = (uint8_t)proto;
	return prepend(buf, len, cap, h, sizeof h);
}

size_t pc_sll2(uint8_t *buf, size_t len, size_t cap, uint16_t proto)
{
	uint8_t h[20] = { 0 };

	h[0] = (uint8_t)(proto >> 8);
	h[1] = (uint8_t)proto;
	h[7] = 2;                  /* interface index */
	h[9] = 1;                  /* ARPHRD_ETHER */
	h[10] = 0;                 /* PACKET_HOST */
	h[11] = 6;
	memcpy(h + 12, pc_mac_src, 6);
	return prepend(buf, len, cap, h, sizeof h);
}

size_t pc_null(uint8_t *buf, size_t len, size_t cap, uint32_t af,
               int big_endian)
{
	uint8_t h[4];

	for (int i = 0; i < 4; i++) {
		int shift = big_endian ? 24 - 8 * i : 8 * i;

		h[i] = (uint8_t)(af >> shift);
	}
	return prepend(buf, len, cap, h, sizeof h);
}
