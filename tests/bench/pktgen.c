/* tests/bench/pktgen.c - owns the benchmark's capture generator (make bench):
 * writes a deterministic Ethernet pcap (snaplen 128) of COUNT packets, either a
 * realistic mix with embedded scans ("mixed"), a SYN flood from spoofed random
 * IPv4 sources to one target ("flood"), heavy traffic (50,000 clients, 2,000
 * servers, short sessions, 15 % scanning bursts: "heavy") or a SYN flood
 * across a /24, every packet from a new random source ("flood24").  Packet layouts come from libnet: each header shape is
 * built once with libnet as a template, then addresses, ports, sequence numbers,
 * lengths and checksums are patched per packet in the byte buffer, which makes
 * millions of packets a matter of seconds.  --engine=libnet builds every packet
 * with libnet instead; both engines write byte-identical files (a self-check).
 *
 * usage: pktgen -o FILE.pcap -n COUNT [-s SEED] [--mix mixed|flood|heavy|flood24]
 *               [--engine template|libnet] [--gap-us N] [-q]
 * --gap-us sets the mean packet time between packets (default 10 us, about
 * 100,000 packets a second; the default writes the same bytes as before).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* quiets glibc about libnet-config's -D_BSD_SOURCE */
#endif
#include <libnet.h>
#include <pcap.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SNAPLEN 128u
#define T0 1795737600ull /* 2026-11-27T00:00:00Z */
#define MAXPL 2048u      /* largest payload handed to libnet */

/* ---- deterministic randomness (xoshiro256**, seeded by splitmix64) ------ */

static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rseed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rs[i] = splitmix(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rnd64(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;
	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

static inline uint32_t rnd32(void)
{
	return (uint32_t)(rnd64() >> 32);
}

/* uniform in [0, n) */
static inline uint32_t rnd(uint32_t n)
{
	return (uint32_t)(((uint64_t)rnd32() * n) >> 32);
}

/* ---- errors ------------------------------------------------------------- */

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("pktgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- one packet, described --------------------------------------------- */

enum { P_TCP4, P_UDP4, P_ICMP4, P_TCP6, P_ARP, P_NKIND };

struct pkt {
	int kind;
	uint16_t vid;            /* 802.1Q VLAN id, 0 = untagged */
	uint8_t smac[6], dmac[6];
	uint32_t s4, d4;         /* IPv4 (or ARP spa/tpa), host order */
	uint8_t s6[16], d6[16];
	uint8_t ttl;             /* TTL or hop limit */
	uint16_t ipid, frag;
	uint32_t flowlabel;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opt;      /* TCP options: 0, 4 or 20 bytes */
	uint32_t optlen;
	uint8_t itype;           /* ICMP echo: 8 request, 0 reply */
	uint16_t iid, iseq;
	uint16_t arpop;
	uint8_t sha[6], tha[6];  /* ARP hardware addresses */
	uint32_t plen;           /* payload length on the wire */
};

/* Payload bytes: content at the start, zeros after.  Content is clipped to the
 * captured part of the packet, so a checksum over the captured bytes equals a
 * checksum over the whole (zero-tailed) payload. */
static uint8_t g_payload[MAXPL];
static uint32_t g_dirty;

static uint32_t hdr_len(const struct pkt *p)
{
	uint32_t n = p->vid ? 18 : 14;
	switch (p->kind) {
	case P_TCP4: return n + 20 + 20 + p->optlen;
	case P_TCP6: return n + 40 + 20 + p->optlen;
	case P_UDP4: return n + 20 + 8;
	case P_ICMP4: return n + 20 + 8;
	default: return n + 28;
	}
}

static void set_payload(struct pkt *p, const void *src, uint32_t n)
{
	uint32_t h = hdr_len(p), room = h < SNAPLEN ? SNAPLEN - h : 0;
	if (n > room)
		n = room;
	if (n > p->plen)
		n = p->plen;
	memcpy(g_payload, src, n);
	if (n > g_dirty)
		g_dirty = n;
}

static void clear_payload(void)
{
	memset(g_payload, 0, g_dirty);
	g_dirty = 0;
}

/* ---- engine 1: libnet, every packet ------------------------------------ */

static libnet_t *lnet;

static struct libnet_in6_addr in6(const uint8_t a[16])
{
	struct libnet_in6_addr r;
	memcpy(&r, a, 16);
	return r;
}

static void lcheck(libnet_ptag_t t)
{
	if (t == -1)
		die("libnet: %s", libnet_geterror(lnet));
}

/* builds the whole packet with libnet; returns the captured length, *wl the
 * length on the wire */
static uint32_t emit_libnet(const struct pkt *p, uint8_t *buf, uint32_t *wl)
{
	uint32_t l4len = 0, size;
	uint16_t type;
	uint8_t *out;
	const uint8_t *pl = p->plen ? g_payload : NULL;

	if (p->plen > MAXPL)
		die("payload too large");
	libnet_clear_packet(lnet);
	switch (p->kind) {
	case P_TCP4:
	case P_TCP6:
		if (p->optlen)
			lcheck(libnet_build_tcp_options(p->opt, p->optlen, lnet, 0));
		l4len = 20 + p->optlen + p->plen;
		lcheck(libnet_build_tcp(p->sport, p->dport, p->seq, p->ack, p->flags, p->win,
		                        0, 0, (uint16_t)l4len, pl, p->plen, lnet, 0));
		break;
	case P_UDP4:
		l4len = 8 + p->plen;
		lcheck(libnet_build_udp(p->sport, p->dport, (uint16_t)l4len, 0, pl, p->plen,
		                        lnet, 0));
		break;
	case P_ICMP4:
		l4len = 8 + p->plen;
		lcheck(libnet_build_icmpv4_echo(p->itype, 0, 0, p->iid, p->iseq, pl, p->plen,
		                                lnet, 0));
		break;
	case P_ARP: {
		uint32_t spa = htonl(p->s4), tpa = htonl(p->d4);
		lcheck(libnet_build_arp(ARPHRD_ETHER, ETHERTYPE_IP, 6, 4, p->arpop, p->sha,
		                        (const uint8_t *)&spa, p->tha, (const uint8_t *)&tpa,
		                        NULL, 0, lnet, 0));
		break;
	}
	}
	switch (p->kind) {
	case P_TCP4:
	case P_UDP4:
	case P_ICMP4:
		lcheck(libnet_build_ipv4((uint16_t)(20 + l4len), 0, p->ipid, p->frag, p->ttl,
		                         p->kind == P_TCP4 ? IPPROTO_TCP :
		                         p->kind == P_UDP4 ? IPPROTO_UDP : IPPROTO_ICMP,
		                         0, htonl(p->s4), htonl(p->d4), NULL, 0, lnet, 0));
		type = ETHERTYPE_IP;
		break;
	case P_TCP6:
		lcheck(libnet_build_ipv6(0, p->flowlabel, (uint16_t)l4len, IPPROTO_TCP, p->ttl,
		                         in6(p->s6), in6(p->d6), NULL, 0, lnet, 0));
		type = ETHERTYPE_IPV6;
		break;
	default:
		type = ETHERTYPE_ARP;
		break;
	}
	if (p->vid)
		lcheck(libnet_build_802_1q(p->dmac, p->smac, 0x8100, 0, 0, p->vid, type, NULL, 0,
		                           lnet, 0));
	else
		lcheck(libnet_build_ethernet(p->dmac, p->smac, type, NULL, 0, lnet, 0));
	if (libnet_pblock_coalesce(lnet, &out, &size) == -1)
		die("libnet: %s", libnet_geterror(lnet));
	if (p->kind == P_TCP6) {
		/* libnet 1.1.6 mangles the flow label (operator precedence in
		 * libnet_build_ipv6); it is outside every checksum, so set it here */
		uint8_t *ip6 = out + (p->vid ? 18 : 14);
		ip6[1] = (uint8_t)((ip6[1] & 0xf0) | ((p->flowlabel >> 16) & 0x0f));
		ip6[2] = (uint8_t)(p->flowlabel >> 8);
		ip6[3] = (uint8_t)p->flowlabel;
	}
	if (p->kind == P_UDP4) {
		/* RFC 768: a computed checksum of 0 is sent as 0xffff (libnet
		 * leaves 0, which means "no checksum") */
		uint8_t *ck = out + (p->vid ? 18 : 14) + 20 + 6;
		if (ck[0] == 0 && ck[1] == 0)
			ck[0] = ck[1] = 0xff;
	}
	*wl = size;
	if (size > SNAPLEN)
		size = SNAPLEN;
	memcpy(buf, out, size);
	free(out);
	return size;
}

/* ---- engine 2: libnet-built templates, patched ------------------------- */

struct tmpl {
	int built;
	uint32_t hlen, l3, l4;
	uint8_t hdr[SNAPLEN];
};

static struct tmpl tmpls[P_NKIND][2][3];

static inline void put16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* one's complement sum of big-endian 16-bit words (odd tail padded with 0) */
static inline uint64_t sum16(const uint8_t *b, uint32_t n, uint64_t acc)
{
	while (n >= 2) {
		acc += (uint32_t)b[0] << 8 | b[1];
		b += 2;
		n -= 2;
	}
	if (n)
		acc += (uint32_t)b[0] << 8;
	return acc;
}

static inline uint16_t fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static struct tmpl *get_tmpl(const struct pkt *p)
{
	int oi = p->optlen == 0 ? 0 : p->optlen == 4 ? 1 : 2;
	struct tmpl *t;

	if (p->optlen != 0 && p->optlen != 4 && p->optlen != 20)
		die("unsupported TCP option length %u", p->optlen);
	t = &tmpls[p->kind][p->vid != 0][oi];
	if (!t->built) {
		/* the header shape, built by libnet with an empty payload */
		struct pkt q = *p;
		uint32_t wl;
		q.plen = 0;
		t->hlen = emit_libnet(&q, t->hdr, &wl);
		if (t->hlen != wl || t->hlen != hdr_len(p))
			die("unexpected libnet header length %u", t->hlen);
		t->l3 = p->vid ? 18 : 14;
		t->l4 = t->l3 + (p->kind == P_TCP6 ? 40 : 20);
		t->built = 1;
	}
	return t;
}

static uint32_t emit_template(const struct pkt *p, uint8_t *buf, uint32_t *wl)
{
	const struct tmpl *t = get_tmpl(p);
	uint32_t len = t->hlen + p->plen, cap = len < SNAPLEN ? len : SNAPLEN;
	uint8_t *ip = buf + t->l3, *l4 = buf + t->l4;
	uint32_t l4len = len - t->l4;
	uint64_t ps;

	memcpy(buf, t->hdr, t->hlen);
	memcpy(buf + t->hlen, g_payload, cap - t->hlen);
	memcpy(buf, p->dmac, 6);
	memcpy(buf + 6, p->smac, 6);
	if (p->vid)
		put16(buf + 14, p->vid & 0x0fff);
	switch (p->kind) {
	case P_ARP:
		put16(ip + 6, p->arpop);
		memcpy(ip + 8, p->sha, 6);
		put32(ip + 14, p->s4);
		memcpy(ip + 18, p->tha, 6);
		put32(ip + 24, p->d4);
		break;
	case P_TCP6:
		put32(ip, 0x60000000u | (p->flowlabel & 0xfffff));
		put16(ip + 4, l4len);
		ip[7] = p->ttl;
		memcpy(ip + 8, p->s6, 16);
		memcpy(ip + 24, p->d6, 16);
		ps = sum16(ip + 8, 32, l4len + IPPROTO_TCP);
		goto tcp;
	default:
		put16(ip + 2, len - t->l3);
		put16(ip + 4, p->ipid);
		put16(ip + 6, p->frag);
		ip[8] = p->ttl;
		put16(ip + 10, 0);
		put32(ip + 12, p->s4);
		put32(ip + 16, p->d4);
		put16(ip + 10, fold(sum16(ip, 20, 0)));
		ps = sum16(ip + 12, 8, l4len + ip[9]);
		if (p->kind == P_UDP4) {
			uint16_t c;
			put16(l4, p->sport);
			put16(l4 + 2, p->dport);
			put16(l4 + 4, l4len);
			put16(l4 + 6, 0);
			c = fold(sum16(l4, cap - t->l4, ps));
			put16(l4 + 6, c ? c : 0xffff);
			break;
		}
		if (p->kind == P_ICMP4) {
			l4[0] = p->itype;
			l4[1] = 0;
			put16(l4 + 2, 0);
			put16(l4 + 4, p->iid);
			put16(l4 + 6, p->iseq);
			put16(l4 + 2, fold(sum16(l4, cap - t->l4, 0)));
			break;
		}
	tcp:
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		put32(l4 + 4, p->seq);
		put32(l4 + 8, p->ack);
		l4[13] = p->flags;
		put16(l4 + 14, p->win);
		put16(l4 + 16, 0);
		if (p->optlen)
			memcpy(l4 + 20, p->opt, p->optlen);
		put16(l4 + 16, fold(sum16(l4, cap - t->l4, ps)));
		break;
	}
	*wl = len;
	return cap;
}

/* ---- output ------------------------------------------------------------- */

static pcap_dumper_t *dumper;
static uint64_t now_us;        /* packet time, microseconds since T0 */
static uint64_t out_packets, out_bytes;
static int use_libnet;
static uint32_t gap_us = 10;   /* mean microseconds between packets (--gap-us) */

static void emit(const struct pkt *p)
{
	uint8_t buf[SNAPLEN];
	struct pcap_pkthdr h;
	uint32_t wl;

	h.caplen = use_libnet ? emit_libnet(p, buf, &wl) : emit_template(p, buf, &wl);
	h.len = wl;
	h.ts.tv_sec = (time_t)(T0 + now_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(now_us % 1000000);
	pcap_dump((u_char *)dumper, &h, buf);
	clear_payload();
	out_packets++;
	out_bytes += wl;
	now_us += gap_us / 2 + rnd(gap_us + 1); /* mean gap_us: 10 us, ~100k packets/s of packet time */
}

/* ---- hosts -------------------------------------------------------------- */

static const uint8_t router_mac[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
#define ROUTER4 0xcb0071feu /* 203.0.113.254 */

#define NCLIENT4 478 /* 192.0.2.1-239, 198.51.100.1-239 (.240-.254: scanners) */
#define NSERVER4 150 /* 203.0.113.1-150; .151-.253 do not exist */
#define NCLIENT6 240 /* 2001:db8:c1::1-f0 */
#define NSERVER6 40  /* 2001:db8:5e::1-28 */

static uint32_t client4(uint32_t i)
{
	return i < 239 ? 0xc0000201u + i : 0xc6336401u + (i - 239);
}

static uint32_t server4(uint32_t i)
{
	return 0xcb007101u + i;
}

static void client6(uint32_t i, uint8_t a[16])
{
	static const uint8_t pfx[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xc1 };
	memset(a, 0, 16);
	memcpy(a, pfx, 6);
	put16(a + 14, i + 1);
}

static void server6(uint32_t i, uint8_t a[16])
{
	static const uint8_t pfx[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x5e };
	memset(a, 0, 16);
	memcpy(a, pfx, 6);
	put16(a + 14, i + 1);
}

static void host_mac(uint8_t m[6], uint32_t tag, uint32_t idx)
{
	m[0] = 0x02;
	m[1] = 0x00;
	put16(m + 2, tag);
	put16(m + 4, idx);
}

/* services: index into svc_port; each server offers 80 and 443 and some more */
static const uint16_t svc_port[] = { 80, 443, 22, 25, 21, 993, 8080, 3306 };
#define NSVC (sizeof svc_port / sizeof svc_port[0])
static uint8_t svc_mask[NSERVER4];

static void init_servers(void)
{
	for (uint32_t i = 0; i < NSERVER4; i++) {
		svc_mask[i] = 0x03;
		for (uint32_t s = 2; s < NSVC; s++)
			if (rnd(100) < 12)
				svc_mask[i] |= (uint8_t)(1u << s);
	}
}

static int server_has_port(uint32_t i, uint16_t port)
{
	if (i >= NSERVER4)
		return 0;
	for (uint32_t s = 0; s < NSVC; s++)
		if (svc_port[s] == port)
			return (svc_mask[i] >> s) & 1;
	return 0;
}

/* per-host IP id counters and TTLs (as seen at the span port) */
static uint16_t ipid_c4[NCLIENT4], ipid_s4[NSERVER4];
static uint8_t ttl_c4[NCLIENT4];

/* the heavy mix: 50,000 clients in 198.18.0.0/16, 2,000 servers in
 * 198.19.0.0/21 (indexes 2000-2047 of it do not exist), scanners in
 * 100.64.0.0/10 */
#define HCLIENTS 50000
#define HSERVERS 2000
#define HSPACE 2048

static uint32_t hclient4(uint32_t i)
{
	return 0xc6120001u + i;
}

static uint32_t hserver4(uint32_t i)
{
	return 0xc6130001u + i;
}

/* every heavy server offers 80 and 443, one in four also 22 */
static int hserver_has_port(uint32_t i, uint16_t port)
{
	if (i >= HSERVERS)
		return 0;
	return port == 80 || port == 443 || (port == 22 && i % 4 == 0);
}

/* ---- flows -------------------------------------------------------------- */

enum { F_TCP, F_DNS, F_PING, F_ARP, F_PSCAN, F_SWEEP };

struct flow {
	int type, phase, done, v6;
	int heavy;                /* the heavy mix: its own hosts (hserver4) */
	int refused;              /* TCP: the port is closed, RST-ACK answers */
	uint16_t vid;
	uint32_t ci, si;          /* client and server indexes */
	uint32_t c4, s4;
	uint8_t c6[16], s6[16];
	uint8_t cmac[6], smac[6];
	uint8_t cttl, sttl;
	uint16_t *cid, *sid;      /* IP id counters; NULL: the flow's own */
	uint16_t ownid;
	uint16_t cport, sport;
	uint32_t cseq, sseq, mss;
	uint32_t resp, unacked;
	uint32_t n, i;            /* ping: pairs / scans: probe index */
	uint32_t fl_c, fl_s;
	uint16_t dnsid, qtype;
	uint8_t qname[64];
	uint32_t qlen;
	uint32_t probe_seq;       /* scans: the current probe */
	uint16_t probe_port;
	int probe_open;
	uint16_t order[1024];
};

static const uint8_t opt_syn[20] = {
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07
};
static const uint8_t opt_syn6[20] = {
	0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07
};
static const uint8_t opt_mss[4] = { 0x02, 0x04, 0x05, 0xb4 };
static uint8_t filler[256];

/* fills the addressing of p for a packet of f in one direction */
static void addr(struct pkt *p, struct flow *f, int from_client, int kind)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->vid = f->vid;
	if (from_client) {
		memcpy(p->smac, f->cmac, 6);
		memcpy(p->dmac, f->smac, 6);
		p->s4 = f->c4;
		p->d4 = f->s4;
		memcpy(p->s6, f->c6, 16);
		memcpy(p->d6, f->s6, 16);
		p->ttl = f->cttl;
		p->ipid = f->cid ? (*f->cid)++ : f->ownid++;
		p->flowlabel = f->fl_c;
	} else {
		memcpy(p->smac, f->smac, 6);
		memcpy(p->dmac, f->cmac, 6);
		p->s4 = f->s4;
		p->d4 = f->c4;
		memcpy(p->s6, f->s6, 16);
		memcpy(p->d6, f->c6, 16);
		p->ttl = f->sttl;
		p->ipid = f->sid ? (*f->sid)++ : f->ownid++;
		p->flowlabel = f->fl_s;
	}
}

static void tcp(struct pkt *p, struct flow *f, int from_client, uint8_t flags,
                uint32_t seq, uint32_t ack, uint16_t win, uint32_t plen)
{
	addr(p, f, from_client, f->v6 ? P_TCP6 : P_TCP4);
	p->sport = from_client ? f->cport : f->sport;
	p->dport = from_client ? f->sport : f->cport;
	p->seq = seq;
	p->ack = ack;
	p->flags = flags;
	p->win = win;
	p->frag = 0x4000; /* DF */
	p->plen = plen;
}

static const char *const names[] = {
	"www.example.com", "mail.example.net", "example.org", "cdn.example.com",
	"api.example.net", "ns1.example.org", "static.example.com", "login.example.net",
	"updates.example.org", "time.example.com", "imap.example.net", "files.example.org",
};

static uint32_t put_qname(uint8_t *b, const char *name)
{
	uint32_t n = 0;
	while (*name) {
		const char *dot = strchr(name, '.');
		uint32_t l = dot ? (uint32_t)(dot - name) : (uint32_t)strlen(name);
		b[n++] = (uint8_t)l;
		memcpy(b + n, name, l);
		n += l;
		name += l + (dot != NULL);
	}
	b[n++] = 0;
	return n;
}

static void new_flow(struct flow *f)
{
	uint32_t r = rnd(1000);

	memset(f, 0, offsetof(struct flow, order));
	memcpy(f->cmac, router_mac, 6);
	if (r < 620) {
		f->type = F_TCP;
	} else if (r < 720) {
		f->type = F_TCP;
		f->v6 = 1;
	} else if (r < 900) {
		f->type = F_DNS;
	} else if (r < 985) {
		f->type = F_PING;
	} else {
		f->type = F_ARP;
	}
	if (f->type != F_ARP && rnd(10) == 0)
		f->vid = (uint16_t)(10 * (1 + rnd(3)));
	if (f->v6) {
		f->ci = rnd(rnd(NCLIENT6) + 1);
		f->si = rnd(NSERVER6);
		client6(f->ci, f->c6);
		server6(f->si, f->s6);
		host_mac(f->smac, 0x2001, f->si + 1);
		f->cttl = (uint8_t)(64 - 4 - f->ci % 12);
		f->sttl = 64;
		f->fl_c = rnd32() & 0xfffff;
		f->fl_s = rnd32() & 0xfffff;
	} else {
		f->ci = rnd(rnd(NCLIENT4) + 1) * 211 % NCLIENT4; /* some are busier */
		f->si = f->type == F_DNS ? 52 + rnd(2) : rnd(rnd(NSERVER4) + 1) * 97 % NSERVER4;
		f->c4 = client4(f->ci);
		f->s4 = server4(f->si);
		host_mac(f->smac, 0xcb00, f->si + 1);
		f->cid = &ipid_c4[f->ci];
		f->sid = &ipid_s4[f->si];
		f->cttl = ttl_c4[f->ci];
		f->sttl = 64;
	}
	f->cport = (uint16_t)(32768 + rnd(28232));
	switch (f->type) {
	case F_TCP: {
		uint32_t s = rnd(100), q = rnd(100);
		if (f->v6)
			f->sport = s < 60 ? 443 : 80;
		else {
			/* a service the server offers: mostly the web */
			uint32_t want = s < 55 ? 1 : s < 90 ? 0 : 2 + rnd(NSVC - 2);
			f->sport = (svc_mask[f->si] >> want) & 1 ? svc_port[want] : svc_port[want & 1];
		}
		f->cseq = rnd32();
		f->sseq = rnd32();
		f->mss = f->v6 ? 1440 : 1460;
		f->resp = q < 70 ? 200 + rnd(3800) : q < 95 ? 4000 + rnd(60000) : 64000 + rnd(448000);
		break;
	}
	case F_DNS: {
		const char *nm = names[rnd(sizeof names / sizeof names[0])];
		char buf[48];
		if (rnd(4) == 0) {
			snprintf(buf, sizeof buf, "host%u.example.com", rnd(1000));
			nm = buf;
		}
		f->sport = 53;
		f->dnsid = (uint16_t)rnd32();
		f->qtype = rnd(4) == 0 ? 28 : 1;
		f->qlen = put_qname(f->qname, nm);
		break;
	}
	case F_PING:
		f->n = 1 + rnd(4);
		f->dnsid = (uint16_t)rnd32(); /* echo identifier */
		break;
	case F_ARP:
		break;
	}
}

static void new_pscan(struct flow *f, uint32_t k)
{
	memset(f, 0, offsetof(struct flow, order));
	f->type = F_PSCAN;
	f->c4 = 0xc00002f0u + k % 15; /* 192.0.2.240-254 */
	f->si = 9 + (k * 37) % 140;
	f->s4 = server4(f->si);
	memcpy(f->cmac, router_mac, 6);
	host_mac(f->smac, 0xcb00, f->si + 1);
	f->cttl = (uint8_t)(37 + rnd(23));
	f->sttl = 64;
	f->sid = &ipid_s4[f->si];
	f->cport = (uint16_t)(40000 + rnd(25000));
	f->n = 1024;
	for (uint32_t i = 0; i < f->n; i++)
		f->order[i] = (uint16_t)(i + 1);
	for (uint32_t i = f->n - 1; i > 0; i--) {
		uint32_t j = rnd(i + 1);
		uint16_t t = f->order[i];
		f->order[i] = f->order[j];
		f->order[j] = t;
	}
}

static void new_sweep(struct flow *f, uint32_t k)
{
	static const uint16_t ports[] = { 21, 22, 23, 3389 };
	memset(f, 0, offsetof(struct flow, order));
	f->type = F_SWEEP;
	f->c4 = 0xc63364f0u + k % 15; /* 198.51.100.240-254 */
	memcpy(f->cmac, router_mac, 6);
	f->cttl = (uint8_t)(40 + rnd(20));
	f->sttl = 64;
	f->cport = (uint16_t)(1024 + rnd(60000));
	f->sport = ports[k % 4];
	f->n = 253; /* 203.0.113.1-253 */
}

/* ---- the heavy mix's flows ---------------------------------------------- */

/* a client's flow in the heavy mix: short TCP sessions (~10 packets), a few
 * refused, DNS to four resolvers, pings */
static void new_heavy_flow(struct flow *f)
{
	uint32_t r = rnd(1000);

	memset(f, 0, offsetof(struct flow, order));
	f->heavy = 1;
	memcpy(f->cmac, router_mac, 6);
	f->type = r < 800 ? F_TCP : r < 950 ? F_DNS : F_PING;
	/* some clients are busier: the square of a uniform variate */
	f->ci = (uint32_t)((uint64_t)rnd(HCLIENTS) * rnd(HCLIENTS) / HCLIENTS);
	f->ci = (f->ci * 7919u) % HCLIENTS;
	f->si = f->type == F_DNS ? rnd(4) : rnd(HSERVERS);
	f->c4 = hclient4(f->ci);
	f->s4 = hserver4(f->si);
	host_mac(f->smac, 0xc613, f->si + 1);
	f->cttl = (uint8_t)(64 - 3 - f->ci % 14);
	f->sttl = 64;
	f->ownid = (uint16_t)rnd32();
	f->cport = (uint16_t)(32768 + rnd(28232));
	switch (f->type) {
	case F_TCP: {
		uint32_t s = rnd(100);
		f->sport = s < 60 ? 443 : s < 95 ? 80 : 22;
		/* 2 % go to a port the server does not offer */
		if (rnd(50) == 0)
			f->sport = (uint16_t)(8000 + rnd(100));
		f->refused = !hserver_has_port(f->si, f->sport);
		f->cseq = rnd32();
		f->sseq = rnd32();
		f->mss = 1460;
		f->resp = 200 + rnd(4000); /* 1-3 segments */
		break;
	}
	case F_DNS: {
		char buf[48];
		snprintf(buf, sizeof buf, "host%u.example.com", rnd(5000));
		f->sport = 53;
		f->dnsid = (uint16_t)rnd32();
		f->qtype = rnd(4) == 0 ? 28 : 1;
		f->qlen = put_qname(f->qname, buf);
		break;
	}
	default:
		f->n = 1 + rnd(4);
		f->dnsid = (uint16_t)rnd32();
		break;
	}
}

/* a scanning burst of the heavy mix: 20-300 SYNs, a port scan of one server
 * or a sweep of consecutive hosts on one port; half the bursts come from a
 * pool of 256 returning scanners, half from a new address each time */
static void new_heavy_scan(struct flow *f)
{
	static const uint16_t ports[] = { 22, 23, 80, 443, 445, 3389, 8080, 5900 };
	uint32_t a = rnd(2) ? rnd(256) * 16411u : rnd(1u << 22);

	memset(f, 0, offsetof(struct flow, order));
	f->heavy = 1;
	f->c4 = 0x64400000u + (a & 0x3fffffu); /* 100.64.0.0/10 */
	memcpy(f->cmac, router_mac, 6);
	f->cttl = (uint8_t)(40 + rnd(20));
	f->sttl = 64;
	f->cport = (uint16_t)(40000 + rnd(25000));
	f->n = 20 + rnd(281);
	if (rnd(2)) {
		f->type = F_PSCAN;
		f->si = rnd(HSERVERS);
		f->s4 = hserver4(f->si);
		host_mac(f->smac, 0xc613, f->si + 1);
		for (uint32_t i = 0; i < 1024; i++)
			f->order[i] = (uint16_t)(i + 1);
		for (uint32_t i = 0; i < f->n; i++) {
			uint32_t j = i + rnd(1024 - i);
			uint16_t t = f->order[i];
			f->order[i] = f->order[j];
			f->order[j] = t;
		}
	} else {
		f->type = F_SWEEP;
		f->ci = rnd(HSPACE); /* the first host */
		f->sport = ports[rnd(8)];
	}
}

static void payload_tcp_first(struct pkt *p, uint16_t port, int from_client)
{
	static const char *const req[] = {
		"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0\r\n\r\n",
		"EHLO mail.example.net\r\n",
		"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
		"220 ftp.example.org FTP server ready\r\n",
	};
	static const char *const resp[] = {
		"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nServer: nginx\r\n\r\n<html>",
		"220 mx.example.org ESMTP Postfix\r\n",
		"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n",
		"USER anonymous\r\n",
	};
	const char *s = NULL;
	uint8_t tls[64];

	switch (port) {
	case 80: case 8080: s = from_client ? req[0] : resp[0]; break;
	case 25: s = from_client ? req[1] : resp[1]; break;
	case 22: s = from_client ? req[2] : resp[2]; break;
	case 21: s = from_client ? resp[3] : req[3]; break;
	default:
		/* TLS-ish: a handshake record header, then random bytes */
		for (uint32_t i = 0; i < sizeof tls; i += 8) {
			uint64_t r = rnd64();
			memcpy(tls + i, &r, 8);
		}
		tls[0] = 0x16;
		tls[1] = 0x03;
		tls[2] = from_client ? 0x01 : 0x03;
		set_payload(p, tls, sizeof tls);
		return;
	}
	set_payload(p, s, (uint32_t)strlen(s));
}

/* emits the next packet of f into p; sets f->done after the last one */
static void flow_step(struct flow *f, struct pkt *p)
{
	switch (f->type) {
	case F_TCP:
		switch (f->phase) {
		case 0:
			tcp(p, f, 1, TH_SYN, f->cseq++, 0, 64240, 0);
			p->opt = f->v6 ? opt_syn6 : opt_syn;
			p->optlen = 20;
			f->phase = 1;
			break;
		case 1:
			if (f->refused) {
				/* a closed port: refused, the client gives up */
				tcp(p, f, 0, TH_RST | TH_ACK, 0, f->cseq, 0, 0);
				p->frag = 0;
				f->done = 1;
				break;
			}
			tcp(p, f, 0, TH_SYN | TH_ACK, f->sseq++, f->cseq, 65160, 0);
			p->opt = f->v6 ? opt_syn6 : opt_syn;
			p->optlen = 20;
			f->phase = 2;
			break;
		case 2:
			tcp(p, f, 1, TH_ACK, f->cseq, f->sseq, 502, 0);
			f->phase = 3;
			break;
		case 3: {
			uint32_t req = 80 + rnd(500);
			tcp(p, f, 1, TH_PUSH | TH_ACK, f->cseq, f->sseq, 502, req);
			payload_tcp_first(p, f->sport, 1);
			f->cseq += req;
			f->phase = 4;
			f->i = 0;
			break;
		}
		case 4: {
			uint32_t seg = f->resp < f->mss ? f->resp : f->mss;
			tcp(p, f, 0, (uint8_t)(TH_ACK | (seg == f->resp ? TH_PUSH : 0)), f->sseq,
			    f->cseq, 509, seg);
			if (f->i++ == 0)
				payload_tcp_first(p, f->sport, 0);
			else
				set_payload(p, filler + (f->sseq & 127), seg);
			f->sseq += seg;
			f->resp -= seg;
			if (++f->unacked == 2 || f->resp == 0)
				f->phase = 5;
			break;
		}
		case 5:
			tcp(p, f, 1, TH_ACK, f->cseq, f->sseq, 502, 0);
			f->unacked = 0;
			f->phase = f->resp ? 4 : 6;
			break;
		case 6:
			tcp(p, f, 1, TH_FIN | TH_ACK, f->cseq++, f->sseq, 502, 0);
			f->phase = 7;
			break;
		case 7:
			tcp(p, f, 0, TH_FIN | TH_ACK, f->sseq++, f->cseq, 509, 0);
			f->phase = 8;
			break;
		default:
			tcp(p, f, 1, TH_ACK, f->cseq, f->sseq, 502, 0);
			f->done = 1;
			break;
		}
		break;
	case F_DNS: {
		uint8_t b[128];
		uint32_t n = 0;
		int ans = f->phase == 1;
		addr(p, f, !ans, P_UDP4);
		p->sport = ans ? 53 : f->cport;
		p->dport = ans ? f->cport : 53;
		put16(b, f->dnsid);
		put16(b + 2, ans ? 0x8180 : 0x0100);
		put16(b + 4, 1);
		put16(b + 6, ans);
		put16(b + 8, 0);
		put16(b + 10, 0);
		n = 12;
		memcpy(b + n, f->qname, f->qlen);
		n += f->qlen;
		put16(b + n, f->qtype);
		put16(b + n + 2, 1);
		n += 4;
		if (ans) {
			put16(b + n, 0xc00c);
			put16(b + n + 2, f->qtype);
			put16(b + n + 4, 1);
			put32(b + n + 6, 300);
			n += 10;
			if (f->qtype == 1) {
				put16(b + n, 4);
				put32(b + n + 2, server4(rnd(NSERVER4)));
				n += 6;
			} else {
				put16(b + n, 16);
				server6(rnd(NSERVER6), b + n + 2);
				n += 18;
			}
		}
		p->plen = n;
		set_payload(p, b, n);
		if (ans)
			f->done = 1;
		f->phase = 1;
		break;
	}
	case F_PING: {
		uint8_t b[56];
		int reply = f->phase & 1;
		addr(p, f, !reply, P_ICMP4);
		p->itype = reply ? 0 : 8;
		p->iid = f->dnsid;
		p->iseq = (uint16_t)(1 + f->phase / 2);
		put32(b, (uint32_t)(T0 + now_us / 1000000));
		put32(b + 4, (uint32_t)(now_us % 1000000));
		for (uint32_t i = 8; i < sizeof b; i++)
			b[i] = (uint8_t)(i + 8);
		p->plen = sizeof b;
		set_payload(p, b, sizeof b);
		if (++f->phase == (int)(2 * f->n))
			f->done = 1;
		break;
	}
	case F_ARP:
		addr(p, f, f->phase == 0, P_ARP);
		if (f->phase == 0) {
			memcpy(p->dmac, bcast_mac, 6);
			p->arpop = ARPOP_REQUEST;
			memcpy(p->sha, router_mac, 6);
			p->s4 = ROUTER4;
			p->d4 = f->s4;
		} else {
			p->arpop = ARPOP_REPLY;
			memcpy(p->sha, f->smac, 6);
			memcpy(p->tha, router_mac, 6);
			p->s4 = f->s4;
			p->d4 = ROUTER4;
			f->done = 1;
		}
		f->phase = 1;
		break;
	case F_PSCAN:
	case F_SWEEP:
		if (f->phase == 0) {
			/* the probe; nmap-like for the port scan: window 1024, MSS only */
			if (f->type == F_PSCAN) {
				f->probe_port = f->order[f->i];
			} else if (f->heavy) {
				/* heavy: a run of consecutive hosts from a random one */
				f->si = (f->ci + f->i) % HSPACE;
				f->s4 = hserver4(f->si);
				host_mac(f->smac, 0xc613, f->si + 1);
				f->probe_port = f->sport;
			} else {
				f->si = f->i;
				f->s4 = server4(f->si);
				host_mac(f->smac, 0xcb00, f->si + 1);
				f->sid = f->si < NSERVER4 ? &ipid_s4[f->si] : NULL;
				f->probe_port = f->sport;
			}
			f->probe_seq = rnd32();
			f->probe_open = f->heavy ? hserver_has_port(f->si, f->probe_port)
			                         : server_has_port(f->si, f->probe_port);
			f->ownid = (uint16_t)rnd32(); /* scanners: random IP ids */
			{
				uint16_t keep = f->sport;
				f->sport = f->probe_port;
				tcp(p, f, 1, TH_SYN, f->probe_seq, 0, 1024, 0);
				f->sport = keep;
			}
			p->frag = 0;
			if (f->type == F_PSCAN) {
				p->opt = opt_mss;
				p->optlen = 4;
			}
			/* hosts that do not exist never answer */
			f->phase = f->si < (f->heavy ? HSERVERS : NSERVER4) ? 1 : 3;
		} else {
			uint16_t keep = f->sport;
			f->sport = f->probe_port;
			if (f->phase == 1 && f->probe_open) {
				tcp(p, f, 0, TH_SYN | TH_ACK, rnd32(), f->probe_seq + 1, 65160, 0);
				p->opt = opt_syn;
				p->optlen = 20;
				f->phase = 2;
			} else if (f->phase == 1) {
				tcp(p, f, 0, TH_RST | TH_ACK, 0, f->probe_seq + 1, 0, 0);
				f->phase = 3;
			} else {
				/* phase 2: the scanner resets the half-open connection */
				tcp(p, f, 1, TH_RST, f->probe_seq + 1, 0, 0, 0);
				p->frag = 0;
				f->phase = 3;
			}
			f->sport = keep;
		}
		if (f->phase == 3) {
			f->phase = 0;
			if (++f->i == f->n)
				f->done = 1;
		}
		break;
	}
}

/* ---- the two mixes ------------------------------------------------------ */

#define POOL 96
#define MAXSPECIAL 8

static void gen_mixed(uint64_t count)
{
	static struct flow pool[POOL + MAXSPECIAL];
	uint32_t nspecial = 0;
	uint64_t per = 1000000, nscan = 1 + count / per, next = 0;
	struct pkt p;

	init_servers();
	for (uint32_t i = 0; i < NCLIENT4; i++) {
		ipid_c4[i] = (uint16_t)rnd32();
		ttl_c4[i] = (uint8_t)((rnd(4) == 0 ? 128 : 64) - 3 - rnd(14));
	}
	for (uint32_t i = 0; i < NSERVER4; i++)
		ipid_s4[i] = (uint16_t)rnd32();
	for (uint32_t i = 0; i < sizeof filler; i++)
		filler[i] = (uint8_t)(' ' + rnd(95));
	for (uint32_t i = 0; i < POOL; i++)
		new_flow(&pool[i]);

	for (uint64_t n = 0; n < count; n++) {
		uint32_t slot;
		/* scans start at 20 % (port scan) and 60 % (sweep) of each million */
		while (next < 2 * nscan && nspecial < MAXSPECIAL) {
			uint64_t k = next / 2, at = k * count / nscan + (next & 1 ? 6 : 2) * (count / nscan) / 10;
			if (n < at)
				break;
			if (next & 1)
				new_sweep(&pool[POOL + nspecial], (uint32_t)k);
			else
				new_pscan(&pool[POOL + nspecial], (uint32_t)k);
			nspecial++;
			next++;
		}
		slot = rnd(POOL + nspecial);
		flow_step(&pool[slot], &p);
		emit(&p);
		if (pool[slot].done) {
			if (slot < POOL)
				new_flow(&pool[slot]);
			else if (slot != POOL + --nspecial)
				pool[slot] = pool[POOL + nspecial];
		}
	}
}

static void gen_flood(uint64_t count)
{
	static const uint8_t target_mac[6] = { 0x02, 0x00, 0xcb, 0x00, 0x00, 0x50 };
	struct pkt p;

	memset(&p, 0, sizeof p);
	p.kind = P_TCP4;
	memcpy(p.smac, router_mac, 6);
	memcpy(p.dmac, target_mac, 6);
	p.d4 = 0xcb007150u; /* 203.0.113.80 */
	p.dport = 80;
	p.flags = TH_SYN;
	p.win = 512;
	for (uint64_t n = 0; n < count; n++) {
		uint64_t r = rnd64();
		p.s4 = (uint32_t)r;
		p.sport = (uint16_t)(1024 + (((r >> 32) & 0xffff) * 64512 >> 16));
		p.ipid = (uint16_t)(r >> 48);
		p.seq = rnd32();
		p.ttl = (uint8_t)(48 + (p.seq & 15));
		emit(&p);
	}
}

/* The heavy mix: HPOOL client flows at once over 50,000 clients and 2,000
 * servers, and HSCANS scanning bursts that take 15 % of the packets. */
#define HPOOL 2048
#define HSCANS 16

static void gen_heavy(uint64_t count)
{
	static struct flow pool[HPOOL], scans[HSCANS];
	struct pkt p;

	for (uint32_t i = 0; i < sizeof filler; i++)
		filler[i] = (uint8_t)(' ' + rnd(95));
	for (uint32_t i = 0; i < HPOOL; i++)
		new_heavy_flow(&pool[i]);
	for (uint32_t i = 0; i < HSCANS; i++)
		new_heavy_scan(&scans[i]);
	for (uint64_t n = 0; n < count; n++) {
		struct flow *f = rnd(100) < 15 ? &scans[rnd(HSCANS)] : &pool[rnd(HPOOL)];

		flow_step(f, &p);
		emit(&p);
		if (f->done) {
			if (f >= scans && f < scans + HSCANS)
				new_heavy_scan(f);
			else
				new_heavy_flow(f);
		}
	}
}

/* SYNs to port 80 of a random host of 203.0.113.0/24, each from a new
 * random spoofed source */
static void gen_flood24(uint64_t count)
{
	static const uint8_t target_mac[6] = { 0x02, 0x00, 0xcb, 0x00, 0x00, 0x50 };
	struct pkt p;

	memset(&p, 0, sizeof p);
	p.kind = P_TCP4;
	memcpy(p.smac, router_mac, 6);
	memcpy(p.dmac, target_mac, 6);
	p.dport = 80;
	p.flags = TH_SYN;
	p.win = 512;
	for (uint64_t n = 0; n < count; n++) {
		uint64_t r = rnd64();
		p.s4 = (uint32_t)r;
		p.d4 = 0xcb007100u | (uint32_t)(r >> 56);
		p.sport = (uint16_t)(1024 + (((r >> 32) & 0xffff) * 64512 >> 16));
		p.ipid = (uint16_t)(r >> 40);
		p.seq = rnd32();
		p.ttl = (uint8_t)(48 + (p.seq & 15));
		emit(&p);
	}
}

/* ---- main --------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: pktgen -o FILE.pcap -n COUNT [-s SEED] [--mix mixed|flood|heavy|flood24]\n"
	      "              [--engine template|libnet] [--gap-us N] [-q]\n"
	      "Writes a deterministic Ethernet pcap (snaplen 128, packet time from\n"
	      "2026-11-27T00:00:00Z at ~100k packets/s) for the spanwatch benchmark.\n"
	      "  mixed  TCP sessions, IPv6 TCP, DNS, ping, 802.1Q, ARP, a SYN port scan\n"
	      "         and a host sweep per million packets (default)\n"
	      "  flood  SYNs to 203.0.113.80:80 from random spoofed IPv4 sources\n"
	      "  heavy  ~10-packet TCP sessions, DNS and pings of 50,000 clients to\n"
	      "         2,000 servers, 15 % of the packets scanning bursts\n"
	      "  flood24  SYNs to port 80 of random hosts of 203.0.113.0/24, each\n"
	      "         from a new random spoofed IPv4 source\n"
	      "  --engine libnet  build every packet with libnet (slow; same bytes)\n"
	      "  --gap-us N  mean packet time between packets (default 10: ~100k/s)\n", f);
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "pktgen: bad %s '%s'\n", what, s);
		usage(stderr);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mix", required_argument, NULL, 'm' },
		{ "engine", required_argument, NULL, 'e' },
		{ "gap-us", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *mix = "mixed";
	uint64_t count = 0, seed = 1;
	int have_n = 0, quiet = 0, c;
	char eb[LIBNET_ERRBUF_SIZE];
	struct timespec t0, t1;
	pcap_t *dead;
	FILE *fp;
	double secs;

	while ((c = getopt_long(argc, argv, "o:n:s:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'n': count = parse_u64(optarg, "count"); have_n = 1; break;
		case 's': seed = parse_u64(optarg, "seed"); break;
		case 'm': mix = optarg; break;
		case 'e':
			if (!strcmp(optarg, "libnet"))
				use_libnet = 1;
			else if (!strcmp(optarg, "template"))
				use_libnet = 0;
			else {
				fprintf(stderr, "pktgen: unknown engine '%s'\n", optarg);
				return 2;
			}
			break;
		case 'g': {
			uint64_t g = parse_u64(optarg, "gap");
			if (g < 1 || g > 1000000) {
				fprintf(stderr, "pktgen: --gap-us must be 1-1000000, not '%s'\n", optarg);
				return 2;
			}
			gap_us = (uint32_t)g;
			break;
		}
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!out || !have_n || optind != argc ||
	    (strcmp(mix, "mixed") && strcmp(mix, "flood") && strcmp(mix, "heavy") &&
	     strcmp(mix, "flood24"))) {
		usage(stderr);
		return 2;
	}

	lnet = libnet_init(LIBNET_NONE, NULL, eb);
	if (!lnet)
		die("libnet_init: %s", eb);
	rseed(seed);
	dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	if (!dead)
		die("pcap_open_dead failed");
	if (!strcmp(out, "-"))
		fp = stdout;
	else if (!(fp = fopen(out, "wb")))
		die("%s: %s", out, strerror(errno));
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	dumper = pcap_dump_fopen(dead, fp);
	if (!dumper)
		die("%s: %s", out, pcap_geterr(dead));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!strcmp(mix, "flood"))
		gen_flood(count);
	else if (!strcmp(mix, "flood24"))
		gen_flood24(count);
	else if (!strcmp(mix, "heavy"))
		gen_heavy(count);
	else
		gen_mixed(count);
	if (pcap_dump_flush(dumper) == -1 || ferror(pcap_dump_file(dumper)))
		die("%s: write error", out);
	pcap_dump_close(dumper);
	pcap_close(dead);
	libnet_destroy(lnet);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (!quiet)
		fprintf(stderr, "pktgen: %s: %" PRIu64 " packets, %" PRIu64
		        " bytes on the wire, %s mix, seed %" PRIu64 ", %.2f s (%.0f packets/s)\n",
		        out, out_packets, out_bytes, mix, seed, secs,
		        secs > 0 ? (double)out_packets / secs : 0.0);
	return 0;
}
