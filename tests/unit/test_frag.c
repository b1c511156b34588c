/*
 * test_frag.c - the fragment tracker, fed with fragments built with libnet
 * and decoded by sw_decode(): in-order and out-of-order fragments are fine,
 * overlaps are caught, a full table evicts and counts; transport headers
 * split by tiny fragments (nmap -f, -ff, --mtu 8) come back whole, once,
 * whatever the order, and only when every byte of them was seen.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* libnet-config --defines says _BSD_SOURCE */
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "frag.h"
#include "pktcraft.h"

#define SEC 1000000ull
#define T0 (1764263381ull * SEC) /* some time in 2025 */

/* A decoded IPv4 fragment: off and len in bytes, from 192.0.2.src. */
static struct sw_pkt frag4(uint8_t src, uint16_t id, uint16_t off, uint16_t len,
                           int mf, uint64_t ts)
{
	uint8_t data[PC_MAX], b[PC_MAX];
	struct pc_ip4 ip = { .src = { 192, 0, 2, src }, .dst = { 198, 51, 100, 7 },
	                     .ttl = 64, .id = id };
	struct sw_pkt p;
	size_t n;

	memset(data, 0x40, len); /* as a UDP length: 0x4040, plausible */
	ip.frag = (uint16_t)((mf ? 0x2000 : 0) | off / 8);
	n = pc_ip4_raw(b, sizeof b, &ip, 17, data, len);
	assert_int_equal(n, 20 + len);
	sw_decode(SW_DLT_RAW, b, (uint32_t)n, (uint32_t)n, ts, &p);
	assert_true(p.flags & SW_PF_FRAG);
	assert_int_equal(p.frag_off, off);
	assert_int_equal(p.frag_len, len);
	assert_int_equal(p.frag_id, id);
	return p;
}

/* The same for IPv6, through a fragment header. */
static struct sw_pkt frag6(uint32_t id, uint16_t off, uint16_t len, int mf,
                           uint64_t ts)
{
	uint8_t data[PC_MAX], b[PC_MAX];
	struct pc_ext fh = { .type = 44, .frag_off = off, .mf = mf, .frag_id = id };
	struct pc_ip6 ip = { .src = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	                     .dst = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	                     .hlim = 64, .ext = &fh, .next = 1 };
	struct sw_pkt p;
	size_t n;

	memset(data, 0x40, len);
	n = pc_ip6_raw(b, sizeof b, &ip, 17, data, len);
	sw_decode(SW_DLT_RAW, b, (uint32_t)n, (uint32_t)n, ts, &p);
	assert_true(p.flags & SW_PF_FRAG);
	assert_int_equal(p.frag_off, off);
	assert_int_equal(p.frag_len, len);
	assert_int_equal(p.frag_id, id);
	return p;
}

static void test_new_and_free(void **state)
{
	struct sw_frag *f;
	struct sw_pkt p;
	uint8_t b[PC_MAX];
	struct pc_ip4 ip = { .src = { 192, 0, 2, 1 }, .dst = { 198, 51, 100, 7 },
	                     .ttl = 64, .id = 1 };
	struct pc_l4 u = { .proto = 17, .sport = 1, .dport = 2 };
	size_t n;

	(void)state;
	assert_null(sw_frag_new(0));
	assert_null(sw_frag_new((1u << 20) + 1));
	f = sw_frag_new(1);
	assert_non_null(f);
	assert_int_equal(sw_frag_evictions(f), 0);
	/* whole datagrams are not the tracker's business */
	n = pc_ip4(b, sizeof b, &ip, &u);
	sw_decode(SW_DLT_RAW, b, (uint32_t)n, (uint32_t)n, T0, &p);
	assert_false(p.flags & SW_PF_FRAG);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	sw_frag_free(f);
	sw_frag_free(NULL);
}

static void test_non_overlapping(void **state)
{
	struct sw_frag *f = sw_frag_new(64);
	struct sw_pkt a, b, c, d;

	(void)state;
	assert_non_null(f);
	/* 0-24, 24-40, 40-48 in order */
	a = frag4(1, 100, 0, 24, 1, T0);
	b = frag4(1, 100, 24, 16, 1, T0 + 1);
	c = frag4(1, 100, 40, 8, 0, T0 + 2);
	assert_int_equal(sw_frag_check(f, &a, NULL, NULL), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &b, NULL, NULL), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &c, NULL, NULL), SW_FRAG_OK);
	/* a span port mirroring the middle one twice */
	assert_int_equal(sw_frag_check(f, &b, NULL, NULL), SW_FRAG_OK);

	/* out of order, last first */
	c = frag4(2, 100, 40, 8, 0, T0 + 3);
	b = frag4(2, 100, 16, 24, 1, T0 + 4);
	a = frag4(2, 100, 0, 16, 1, T0 + 5);
	assert_int_equal(sw_frag_check(f, &c, NULL, NULL), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &b, NULL, NULL), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &a, NULL, NULL), SW_FRAG_OK);

	/* IPv6 */
	a = frag6(0xabcdef01, 0, 1232, 1, T0 + 6);
	b = frag6(0xabcdef01, 1232, 1232, 1, T0 + 7);
	c = frag6(0xabcdef01, 2464, 100, 0, T0 + 8);
	assert_int_equal(sw_frag_check(f, &a, NULL, NULL), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &b, NULL, NULL), SW_FRAG_OK);
	assert_int_equal(sw_frag_check(f, &c, NULL, NULL), SW_FRAG_OK);

	/* more pieces than ranges kept (nmap -f on a long header): fine */
	for (uint16_t off = 0; off < 8 * 20; off += 8) {
		d = frag4(3, 300, off, 8, off < 8 * 19, T0 + 9 + off);
		assert_int_equal(sw_frag_check(f, &d, NULL, NULL), SW_FRAG_OK);
	}
	assert_int_equal(sw_frag_evictions(f), 0);
	sw_frag_free(f);
}

static void test_overlap_detected(void **state)
{
	struct sw_frag *f = sw_frag_new(64);
	struct sw_pkt p;

	(void)state;
	assert_non_null(f);
	p = frag4(1, 7, 0, 24, 1, T0);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	p = frag4(1, 7, 32, 16, 0, T0);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	/* 16-32 rewrites the end of the first fragment */
	p = frag4(1, 7, 16, 16, 1, T0 + 1);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OVERLAP);
	/* teardrop: inside the first one */
	p = frag4(1, 7, 8, 8, 1, T0 + 2);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OVERLAP);
	/* the same fragment offset and length, but longer: overlap */
	p = frag4(1, 7, 0, 32, 1, T0 + 3);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OVERLAP);
	/* ...the gap between them is still free */
	p = frag4(1, 7, 24, 8, 1, T0 + 4);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);

	/* same offsets, another datagram: another id, another source */
	p = frag4(1, 8, 16, 16, 1, T0 + 5);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	p = frag4(2, 7, 16, 16, 1, T0 + 5);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);

	/* IPv6 overlap */
	p = frag6(99, 0, 1232, 1, T0 + 6);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	p = frag6(99, 1224, 64, 0, T0 + 7);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OVERLAP);

	/* after 60 s of packet time the datagram is forgotten */
	p = frag4(1, 7, 16, 16, 1, T0 + 5 + 61 * SEC);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	p = frag4(1, 7, 24, 8, 1, T0 + 5 + 62 * SEC);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OVERLAP);
	assert_int_equal(sw_frag_evictions(f), 0);
	sw_frag_free(f);
}

static void test_full_table_evicts(void **state)
{
	struct sw_frag *f = sw_frag_new(8); /* exactly 8 slots */
	struct sw_pkt p;

	(void)state;
	assert_non_null(f);
	/* datagrams 1..8 fill the table */
	for (uint8_t i = 1; i <= 8; i++) {
		p = frag4(i, 1000, 0, 16, 1, T0 + i);
		assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	}
	assert_int_equal(sw_frag_evictions(f), 0);
	/* a ninth pushes out the least recently used: datagram 1 */
	p = frag4(9, 1000, 0, 16, 1, T0 + 9);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	assert_int_equal(sw_frag_evictions(f), 1);
	/* 2 is still known: its overlap is caught (and 2 is now recent) */
	p = frag4(2, 1000, 8, 16, 1, T0 + 10);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OVERLAP);
	assert_int_equal(sw_frag_evictions(f), 1);
	/* 1 was forgotten: the same overlap goes unseen, and evicts 3 */
	p = frag4(1, 1000, 8, 16, 1, T0 + 11);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	assert_int_equal(sw_frag_evictions(f), 2);
	p = frag4(3, 1000, 8, 16, 1, T0 + 12);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	assert_int_equal(sw_frag_evictions(f), 3);
	p = frag4(2, 1000, 8, 8, 1, T0 + 13);
	assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OVERLAP);

	/* a minute later every entry is stale: reusing them is not eviction */
	for (uint8_t i = 20; i < 28; i++) {
		p = frag4(i, 1000, 0, 16, 1, T0 + 100 * SEC + i);
		assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	}
	assert_int_equal(sw_frag_evictions(f), 3);
	sw_frag_free(f);

	/* a flood of spoofed sources: bounded table, every eviction counted */
	f = sw_frag_new(1000);
	assert_non_null(f);
	for (uint32_t i = 0; i < 20000; i++) {
		p = frag4((uint8_t)i, (uint16_t)(i >> 8), 0, 8, 1, T0 + i);
		assert_int_equal(sw_frag_check(f, &p, NULL, NULL), SW_FRAG_OK);
	}
	assert_true(sw_frag_evictions(f) >= 20000 - 1024);
	assert_true(sw_frag_evictions(f) < 20000);
	sw_frag_free(f);
}

/* ---- headers split by tiny fragments ------------------------------------ */

static const uint8_t MSS[4] = { 2, 4, 0x05, 0xb4 };
static const uint8_t DST4[4] = { 198, 51, 100, 7 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* A datagram to be cut into fragments: the payload every fragment takes
 * its bytes from (for IPv6 with dstopts, a destination options header comes
 * before the transport header in it, as RFC 8200 puts it in the
 * fragmentable part). */
struct dgram {
	int v6, eth, dstopts;
	uint8_t src;       /* last byte of the source address */
	uint32_t id;
	uint8_t proto;     /* transport */
	uint8_t data[PC_MAX];
	size_t len;
};

static void src_addr(const struct dgram *d, uint8_t *a)
{
	if (d->v6) {
		static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 1 };

		memcpy(a, s6, 16);
		a[15] = d->src;
	} else {
		a[0] = 192, a[1] = 0, a[2] = 2, a[3] = d->src;
	}
}

/* The transport header (and payload) of d from l4. */
static void set_l4(struct dgram *d, const struct pc_l4 *l4)
{
	uint8_t s[16];
	size_t at = 0;

	src_addr(d, s);
	if (d->dstopts) {
		/* next header, length 0 (8 bytes), PadN of 4 */
		static const uint8_t opts[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };

		memcpy(d->data, opts, 8);
		d->data[0] = l4->proto;
		at = 8;
	}
	d->proto = l4->proto;
	d->len = at + pc_l4(d->data + at, sizeof d->data - at, d->v6, s,
	                    d->v6 ? DST6 : DST4, l4);
	assert_true(d->len > at);
}

static struct pc_l4 syn(uint16_t dport)
{
	struct pc_l4 t = { .proto = 6, .sport = 61000, .dport = dport,
	                   .seq = 0x11223344, .flags = SW_TH_SYN, .win = 1024,
	                   .opts = MSS, .optlen = 4 };
	return t;
}

static void tcp_dgram(struct dgram *d, uint8_t src, uint32_t id, uint16_t dport)
{
	struct pc_l4 t = syn(dport);

	memset(d, 0, sizeof *d);
	d->src = src;
	d->id = id;
	set_l4(d, &t);
	assert_int_equal(d->len, 24);
}

/*
 * Bytes [off, off + len) of d as a fragment (more follow if mf): built,
 * decoded into *p from a buffer of exactly its captured length (caplen 0:
 * all of it) so that ASan sees any read past it, and checked by the
 * tracker. Returns what sw_frag_check() found.
 */
static unsigned piece_cut(struct sw_frag *f, const struct dgram *d, uint16_t off,
                          uint16_t len, int mf, uint64_t ts, size_t caplen,
                          struct sw_pkt *p, struct sw_pkt *hdr)
{
	uint8_t b[PC_MAX], *frame;
	size_t n;
	unsigned found;
	int dlt = SW_DLT_RAW;

	assert_true(off + len <= d->len);
	if (d->v6) {
		struct pc_ext fh = { .type = 44, .frag_off = off, .mf = mf,
		                     .frag_id = d->id };
		struct pc_ip6 ip = { .dst = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
		                     .hlim = 64, .ext = &fh, .next = 1 };

		src_addr(d, ip.src);
		n = pc_ip6_raw(b, sizeof b, &ip, d->dstopts ? 60 : d->proto,
		               d->data + off, len);
	} else {
		struct pc_ip4 ip = { .dst = { 198, 51, 100, 7 }, .ttl = 51,
		                     .id = (uint16_t)d->id };

		src_addr(d, ip.src);
		ip.frag = (uint16_t)((mf ? 0x2000 : 0) | off / 8);
		n = pc_ip4_raw(b, sizeof b, &ip, d->proto, d->data + off, len);
	}
	assert_true(n > 0);
	if (d->eth) {
		n = pc_eth(b, n, sizeof b, d->v6 ? 0x86dd : 0x0800);
		n = pc_vlan(b, n, sizeof b, 0x8100, 42);
		assert_true(n > 0);
		dlt = SW_DLT_EN10MB;
	}
	if (caplen == 0 || caplen > n)
		caplen = n;
	frame = malloc(caplen);
	assert_non_null(frame);
	memcpy(frame, b, caplen);
	sw_decode(dlt, frame, (uint32_t)caplen, (uint32_t)n, ts, p);
	found = sw_frag_check(f, p, frame, hdr);
	free(frame);
	return found;
}

static unsigned piece(struct sw_frag *f, const struct dgram *d, uint16_t off,
                      uint16_t len, int mf, uint64_t ts, struct sw_pkt *hdr)
{
	struct sw_pkt p;
	unsigned found = piece_cut(f, d, off, len, mf, ts, 0, &p, hdr);

	assert_true(p.flags & SW_PF_FRAG);
	return found;
}

/* Send d in fragments of size bytes, in the order given by idx (indexes
 * of the fragments); returns how many times a header came back, the last
 * in *hdr. */
static int send_frags(struct sw_frag *f, const struct dgram *d, uint16_t size,
                      const int *idx, int nidx, uint64_t ts, struct sw_pkt *hdr)
{
	int headers = 0;

	for (int i = 0; i < nidx; i++) {
		uint16_t off = (uint16_t)(idx[i] * size);
		uint16_t len = (uint16_t)(d->len - off < size ? d->len - off : size);
		unsigned found = piece(f, d, off, len, off + len < d->len,
		                       ts + (uint64_t)i, hdr);

		assert_false(found & SW_FRAG_OVERLAP);
		if (found & SW_FRAG_HEADER)
			headers++;
	}
	return headers;
}

/* The header of a SYN from tcp_dgram(). */
static void assert_syn_header(const struct sw_pkt *h, const struct dgram *d,
                              uint16_t dport)
{
	uint8_t s[16];

	src_addr(d, s);
	assert_int_equal(h->err, SW_DERR_NONE);
	assert_int_equal(h->l3, d->v6 ? SW_L3_IPV6 : SW_L3_IPV4);
	assert_int_equal(h->proto, 6);
	assert_int_equal(h->src.family, d->v6 ? SW_AF_INET6 : SW_AF_INET);
	assert_memory_equal(h->src.bytes, s, d->v6 ? 16 : 4);
	assert_memory_equal(h->dst.bytes, d->v6 ? DST6 : DST4, d->v6 ? 16 : 4);
	assert_int_equal(h->frag_id, d->id);
	assert_int_equal(h->flags & (SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_FRAG_EVADE |
	                             SW_PF_HAS_PORTS | SW_PF_TCP_MSS | SW_PF_L4_CUT),
	                 SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_FRAG_EVADE |
	                 SW_PF_HAS_PORTS | SW_PF_TCP_MSS);
	assert_int_equal(h->sport, 61000);
	assert_int_equal(h->dport, dport);
	assert_int_equal(h->tcp_flags, SW_TH_SYN);
	assert_int_equal(h->tcp_seq, 0x11223344);
	assert_int_equal(h->tcp_ack, 0);
	assert_int_equal(h->tcp_win, 1024);
	assert_int_equal(h->tcp_mss, 1460);
	assert_int_equal(h->tcp_optlen, 4);
	assert_int_equal(h->payload_len, 0);
	if (!d->v6)
		assert_int_equal(h->ttl, 51);
}

static void test_tiny_syn_in_order(void **state)
{
	static const int order[] = { 0, 1, 2 };
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d;
	struct sw_pkt p, h;

	(void)state;
	assert_non_null(f);
	tcp_dgram(&d, 1, 0x1234, 22);
	/* nmap -f: ports and seq; ack, offset, flags, window; checksum, MSS */
	assert_int_equal(piece_cut(f, &d, 0, 8, 1, T0, 0, &p, &h), SW_FRAG_OK);
	assert_int_equal(p.err, SW_DERR_FRAG_TINY);
	assert_int_equal(piece_cut(f, &d, 8, 8, 1, T0 + 1, 0, &p, &h), SW_FRAG_OK);
	assert_int_equal(p.err, SW_DERR_FRAG_TINY); /* RFC 1858 offset 8 */
	memset(&h, 0xa5, sizeof h);
	assert_int_equal(piece_cut(f, &d, 16, 8, 0, T0 + 2, 0, &p, &h),
	                 SW_FRAG_HEADER);
	assert_int_equal(p.err, SW_DERR_NONE);
	assert_syn_header(&h, &d, 22);
	assert_int_equal(h.ts_us, T0 + 2); /* the completing fragment's time */
	assert_int_equal(h.frag_off, 0);
	assert_int_equal(h.frag_len, 24);

	/* the same through Ethernet and a VLAN tag, and a header without
	 * options (20 bytes: the last fragment holds 4) */
	tcp_dgram(&d, 2, 0x1234, 80);
	d.eth = 1;
	assert_int_equal(send_frags(f, &d, 8, order, 3, T0 + 10, &h), 1);
	assert_syn_header(&h, &d, 80);
	assert_int_equal(h.vlan_id, 42);
	{
		struct pc_l4 t = syn(443);

		t.opts = NULL;
		t.optlen = 0;
		memset(&d, 0, sizeof d);
		d.src = 3;
		d.id = 7;
		set_l4(&d, &t);
		assert_int_equal(d.len, 20);
		assert_int_equal(send_frags(f, &d, 8, order, 3, T0 + 20, &h), 1);
		assert_int_equal(h.dport, 443);
		assert_false(h.flags & SW_PF_TCP_MSS);
		assert_int_equal(h.tcp_optlen, 0);
	}
	assert_int_equal(sw_frag_evictions(f), 0);
	sw_frag_free(f);
}

static void test_tiny_syn_out_of_order(void **state)
{
	static const int orders[][3] = {
		{ 2, 1, 0 }, { 0, 2, 1 }, { 1, 0, 2 }, { 2, 0, 1 }, { 1, 2, 0 },
	};
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d;
	struct sw_pkt h;

	(void)state;
	assert_non_null(f);
	for (unsigned i = 0; i < sizeof orders / sizeof orders[0]; i++) {
		tcp_dgram(&d, (uint8_t)(10 + i), 99, (uint16_t)(1000 + i));
		memset(&h, 0, sizeof h);
		assert_int_equal(send_frags(f, &d, 8, orders[i], 3, T0 + i * 10, &h), 1);
		assert_syn_header(&h, &d, (uint16_t)(1000 + i));
	}
	sw_frag_free(f);
}

static void test_tiny_syn_duplicates(void **state)
{
	/* a span port mirroring every fragment twice, and a late repeat */
	static const int order[] = { 0, 0, 1, 1, 2, 2, 0, 1, 2 };
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d;
	struct sw_pkt h;

	(void)state;
	assert_non_null(f);
	tcp_dgram(&d, 1, 5, 25);
	assert_int_equal(send_frags(f, &d, 8, order, 9, T0, &h), 1);
	assert_syn_header(&h, &d, 25);
	sw_frag_free(f);
}

static void test_tiny_syn_overlapping_rewrite(void **state)
{
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d, rw;
	struct sw_pkt h;

	(void)state;
	assert_non_null(f);
	/* the flags and window rewritten by a longer fragment at offset 8
	 * (Ptacek & Newsham): the first bytes seen win, the overlap counts */
	tcp_dgram(&d, 1, 77, 22);
	rw = d;
	rw.data[13] = SW_TH_ACK | SW_TH_RST;
	rw.data[14] = 0xff;
	assert_int_equal(piece(f, &d, 0, 8, 1, T0, &h), SW_FRAG_OK);
	assert_int_equal(piece(f, &d, 8, 8, 1, T0 + 1, &h), SW_FRAG_OK);
	assert_int_equal(piece(f, &rw, 8, 16, 0, T0 + 2, &h),
	                 SW_FRAG_OVERLAP | SW_FRAG_HEADER);
	assert_int_equal(h.tcp_flags, SW_TH_SYN);
	assert_int_equal(h.tcp_win, 1024);
	assert_int_equal(h.tcp_mss, 1460); /* the new bytes were taken */
	/* the real last fragment now: no second header (the overlapping
	 * fragment was counted, not remembered as a range) */
	assert_int_equal(piece(f, &d, 16, 8, 0, T0 + 3, &h), SW_FRAG_OK);

	/* the rewrite first: its bytes win, the SYN never shows */
	tcp_dgram(&d, 2, 77, 22);
	rw = d;
	rw.data[13] = SW_TH_ACK | SW_TH_RST;
	assert_int_equal(piece(f, &d, 0, 8, 1, T0 + 10, &h), SW_FRAG_OK);
	assert_int_equal(piece(f, &rw, 8, 16, 0, T0 + 11, &h), SW_FRAG_HEADER);
	assert_int_equal(h.tcp_flags, SW_TH_ACK | SW_TH_RST);
	assert_int_equal(piece(f, &d, 8, 8, 1, T0 + 12, &h), SW_FRAG_OVERLAP);
	sw_frag_free(f);
}

static void test_tiny_syn_missing_middle(void **state)
{
	static const int order[] = { 0, 2, 0, 2 };
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d;
	struct sw_pkt h;

	(void)state;
	assert_non_null(f);
	tcp_dgram(&d, 1, 3, 22);
	assert_int_equal(send_frags(f, &d, 8, order, 4, T0, &h), 0);
	/* the middle comes after the datagram timed out: a new datagram,
	 * its first bytes are not known */
	assert_int_equal(piece(f, &d, 8, 8, 1, T0 + 61 * SEC, &h), SW_FRAG_OK);
	assert_int_equal(piece(f, &d, 16, 8, 0, T0 + 62 * SEC, &h), SW_FRAG_OK);
	/* ...until the first fragment comes again */
	assert_int_equal(piece(f, &d, 0, 8, 1, T0 + 63 * SEC, &h), SW_FRAG_HEADER);
	assert_syn_header(&h, &d, 22);
	sw_frag_free(f);
}

static void test_tiny_flood_bounded(void **state)
{
	static const int order[] = { 0, 1, 2 };
	struct sw_frag *f = sw_frag_new(8);
	struct dgram d, other;
	struct sw_pkt h;

	(void)state;
	assert_non_null(f);
	/* the first fragment of a SYN, then eight others: it is evicted, and
	 * its header cannot be put together any more */
	tcp_dgram(&d, 200, 1, 22);
	assert_int_equal(piece(f, &d, 0, 8, 1, T0, &h), SW_FRAG_OK);
	for (uint8_t i = 1; i <= 8; i++) {
		tcp_dgram(&other, i, 1, 22);
		assert_int_equal(piece(f, &other, 0, 8, 1, T0 + i, &h), SW_FRAG_OK);
	}
	assert_int_equal(sw_frag_evictions(f), 1);
	assert_int_equal(piece(f, &d, 8, 8, 1, T0 + 10, &h), SW_FRAG_OK);
	assert_int_equal(piece(f, &d, 16, 8, 0, T0 + 11, &h), SW_FRAG_OK);
	sw_frag_free(f);

	/* spoofed sources and ids: 20000 tiny first fragments in a table of
	 * 1024; every eviction counted, a real scan still comes through */
	f = sw_frag_new(1000);
	assert_non_null(f);
	for (uint32_t i = 0; i < 20000; i++) {
		tcp_dgram(&other, (uint8_t)i, 0x10000 + i, 22);
		assert_int_equal(piece(f, &other, 0, 8, 1, T0 + i, &h), SW_FRAG_OK);
	}
	assert_true(sw_frag_evictions(f) >= 20000 - 1024);
	assert_true(sw_frag_evictions(f) < 20000);
	tcp_dgram(&d, 1, 1, 3389);
	assert_int_equal(send_frags(f, &d, 8, order, 3, T0 + 30000, &h), 1);
	assert_syn_header(&h, &d, 3389);
	sw_frag_free(f);
}

static void test_tiny_16_bytes(void **state)
{
	static const int order[] = { 0, 1 };
	static const int reverse[] = { 1, 0 };
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d;
	struct sw_pkt h;

	(void)state;
	assert_non_null(f);
	/* nmap -ff: 16 bytes, then 8 */
	tcp_dgram(&d, 1, 16, 443);
	assert_int_equal(send_frags(f, &d, 16, order, 2, T0, &h), 1);
	assert_syn_header(&h, &d, 443);
	tcp_dgram(&d, 2, 16, 443);
	assert_int_equal(send_frags(f, &d, 16, reverse, 2, T0 + 10, &h), 1);
	assert_syn_header(&h, &d, 443);
	sw_frag_free(f);
}

static void test_whole_first_fragment_not_twice(void **state)
{
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d;
	struct sw_pkt p, h;
	struct pc_l4 t = syn(22);
	uint8_t pay[32];

	(void)state;
	assert_non_null(f);
	memset(pay, 'x', sizeof pay);
	t.payload = pay;
	t.paylen = sizeof pay;
	memset(&d, 0, sizeof d);
	d.src = 1;
	d.id = 9;
	set_l4(&d, &t);
	/* an ordinary fragmented datagram: the decoder has the header in the
	 * first fragment, the tracker hands nothing out, in any order */
	assert_int_equal(piece_cut(f, &d, 0, 24, 1, T0, 0, &p, &h), SW_FRAG_OK);
	assert_int_equal(p.err, SW_DERR_NONE);
	assert_true(p.flags & SW_PF_HAS_PORTS);
	assert_int_equal(piece(f, &d, 24, 32, 0, T0 + 1, &h), SW_FRAG_OK);
	d.src = 2;
	assert_int_equal(piece(f, &d, 24, 32, 0, T0 + 2, &h), SW_FRAG_OK);
	assert_int_equal(piece(f, &d, 0, 24, 1, T0 + 3, &h), SW_FRAG_OK);

	/* a tiny first fragment, then a whole one at offset 0: detection saw
	 * the header in the second, it must not see it again */
	d.src = 3;
	assert_int_equal(piece(f, &d, 0, 8, 1, T0 + 4, &h), SW_FRAG_OK);
	assert_int_equal(piece(f, &d, 0, 24, 1, T0 + 5, &h), SW_FRAG_OVERLAP);
	assert_int_equal(piece(f, &d, 24, 32, 0, T0 + 6, &h), SW_FRAG_OK);
	sw_frag_free(f);
}

static void test_tiny_long_and_bad_headers(void **state)
{
	static const int order[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const int reverse[] = { 7, 6, 5, 4, 3, 2, 1, 0 };
	/* MSS, NOP NOP timestamps, NOP window scale, SACK permitted, padding to
	 * 40 bytes of options: a 60-byte header, the longest there is */
	static const uint8_t opts[40] = {
		2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
		1, 3, 3, 7, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d;
	struct sw_pkt h;
	struct pc_l4 t = syn(22);

	(void)state;
	assert_non_null(f);
	t.opts = opts;
	t.optlen = sizeof opts;
	memset(&d, 0, sizeof d);
	d.src = 1;
	d.id = 1;
	set_l4(&d, &t);
	assert_int_equal(d.len, 60);
	assert_int_equal(send_frags(f, &d, 8, order, 8, T0, &h), 1);
	assert_int_equal(h.tcp_mss, 1460);
	assert_int_equal(h.tcp_optlen, 40);
	assert_false(h.flags & SW_PF_L4_CUT);
	assert_int_equal(h.tcp_optkinds[3], 8);
	d.src = 2;
	assert_int_equal(send_frags(f, &d, 8, reverse, 8, T0 + 10, &h), 1);
	assert_int_equal(h.tcp_optlen, 40);
	/* no header until all 60 bytes are there: 0..24 and 32..60 are not */
	d.src = 3;
	assert_int_equal(send_frags(f, &d, 8, (const int[]){ 0, 1, 2, 4, 5, 6, 7 },
	                            7, T0 + 20, &h), 0);

	/* a data offset of 4 words: malformed, never handed out */
	tcp_dgram(&d, 4, 1, 22);
	d.data[12] = 4 << 4;
	assert_int_equal(send_frags(f, &d, 8, order, 3, T0 + 30, &h), 0);
	/* a data offset past the datagram's end: never whole, never out */
	tcp_dgram(&d, 5, 1, 22);
	d.data[12] = 15 << 4;
	assert_int_equal(send_frags(f, &d, 8, order, 3, T0 + 40, &h), 0);
	sw_frag_free(f);
}

static void test_tiny_caplen_cut(void **state)
{
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d;
	struct sw_pkt p, h;

	(void)state;
	assert_non_null(f);
	/* the middle fragment captured with 4 of its 8 bytes: the header has
	 * a hole the tracker must not fill from past the capture */
	tcp_dgram(&d, 1, 1, 22);
	assert_int_equal(piece(f, &d, 0, 8, 1, T0, &h), SW_FRAG_OK);
	assert_int_equal(piece_cut(f, &d, 8, 8, 1, T0 + 1, 20 + 4, &p, &h),
	                 SW_FRAG_OK);
	assert_int_equal(p.frag_data_cap, 4);
	assert_int_equal(piece(f, &d, 16, 8, 0, T0 + 2, &h), SW_FRAG_OK);
	/* the whole middle fragment mirrored later fills the hole */
	assert_int_equal(piece(f, &d, 8, 8, 1, T0 + 3, &h), SW_FRAG_HEADER);
	assert_syn_header(&h, &d, 22);
	sw_frag_free(f);
}

static void test_tiny_udp_icmp(void **state)
{
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d;
	struct sw_pkt p, h;
	uint8_t pay[16];
	struct pc_l4 u = { .proto = 17, .sport = 5353, .dport = 161,
	                   .payload = pay, .paylen = sizeof pay };
	struct pc_l4 echo = { .proto = 1, .type = 8, .id = 0x4242, .seqno = 1,
	                      .payload = pay, .paylen = sizeof pay };

	(void)state;
	assert_non_null(f);
	memset(pay, 'u', sizeof pay);
	/* IPv4 can only split an 8-byte header with a first fragment that is
	 * not a multiple of 8 long: counted tiny, but the bytes after it can
	 * only come in another first fragment, which the decoder handles */
	memset(&d, 0, sizeof d);
	d.src = 1;
	d.id = 1;
	set_l4(&d, &u);
	assert_int_equal(piece_cut(f, &d, 0, 4, 1, T0, 0, &p, &h), SW_FRAG_OK);
	assert_int_equal(p.err, SW_DERR_FRAG_TINY);
	assert_int_equal(piece(f, &d, 8, 16, 0, T0 + 1, &h), SW_FRAG_OK);
	assert_int_equal(piece_cut(f, &d, 0, 8, 1, T0 + 2, 0, &p, &h), SW_FRAG_OVERLAP);
	assert_int_equal(p.err, SW_DERR_NONE);
	assert_int_equal(p.dport, 161);

	memset(&d, 0, sizeof d);
	d.src = 2;
	d.id = 2;
	set_l4(&d, &echo);
	assert_int_equal(piece_cut(f, &d, 0, 4, 1, T0 + 3, 0, &p, &h), SW_FRAG_OK);
	assert_int_equal(p.err, SW_DERR_FRAG_TINY);
	assert_int_equal(piece(f, &d, 8, 16, 0, T0 + 4, &h), SW_FRAG_OK);

	/* IPv6: destination options fill the first fragment, the UDP header
	 * is all in the second (RFC 7112 forbids it: an evasion) */
	memset(&d, 0, sizeof d);
	d.v6 = d.dstopts = 1;
	d.src = 3;
	d.id = 0xabcd0001;
	set_l4(&d, &u);
	assert_int_equal(piece_cut(f, &d, 0, 8, 1, T0 + 5, 0, &p, &h), SW_FRAG_OK);
	assert_int_equal(p.err, SW_DERR_FRAG_TINY);
	assert_int_equal(p.frag_l4_off, 8);
	assert_int_equal(piece_cut(f, &d, 8, 24, 0, T0 + 6, 0, &p, &h), SW_FRAG_HEADER);
	assert_int_equal(p.proto, 60); /* later fragments name the dstopts */
	assert_int_equal(h.err, SW_DERR_NONE);
	assert_int_equal(h.l3, SW_L3_IPV6);
	assert_int_equal(h.proto, 17);
	assert_int_equal(h.flags & (SW_PF_HAS_PORTS | SW_PF_FRAG_EVADE),
	                 SW_PF_HAS_PORTS | SW_PF_FRAG_EVADE);
	assert_int_equal(h.sport, 5353);
	assert_int_equal(h.dport, 161);
	assert_int_equal(h.payload_len, 16);

	/* ICMPv6 echo the same way, the fragments in reverse */
	echo.proto = 58;
	echo.type = 128;
	memset(&d, 0, sizeof d);
	d.v6 = d.dstopts = 1;
	d.src = 4;
	d.id = 0xabcd0002;
	set_l4(&d, &echo);
	assert_int_equal(piece(f, &d, 8, 24, 0, T0 + 7, &h), SW_FRAG_OK);
	assert_int_equal(piece(f, &d, 0, 8, 1, T0 + 8, &h), SW_FRAG_HEADER);
	assert_int_equal(h.proto, 58);
	assert_int_equal(h.icmp_type, 128);
	assert_int_equal(h.icmp_id, 0x4242);
	assert_int_equal(h.icmp_seq, 1);
	assert_false(h.flags & SW_PF_HAS_PORTS);
	sw_frag_free(f);
}

static void test_tiny_ipv6(void **state)
{
	static const int order[] = { 2, 0, 1 };
	struct sw_frag *f = sw_frag_new(64);
	struct dgram d;
	struct sw_pkt h;
	struct pc_l4 t = syn(22);

	(void)state;
	assert_non_null(f);
	memset(&d, 0, sizeof d);
	d.v6 = 1;
	d.eth = 1;
	d.src = 1;
	d.id = 0xfeedf00d;
	set_l4(&d, &t);
	assert_int_equal(send_frags(f, &d, 8, order, 3, T0, &h), 1);
	assert_syn_header(&h, &d, 22);
	/* and behind destination options */
	memset(&d, 0, sizeof d);
	d.v6 = d.dstopts = 1;
	d.src = 2;
	d.id = 0xfeedf00d;
	set_l4(&d, &t);
	assert_int_equal(d.len, 32);
	assert_int_equal(send_frags(f, &d, 8, (const int[]){ 0, 1, 2, 3 }, 4, T0, &h), 1);
	assert_syn_header(&h, &d, 22);
	sw_frag_free(f);
}

/* ---- random fragments ---------------------------------------------------- */

static uint32_t fuzz_rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* Random pieces of random datagrams from a small pool of keys (so that
 * they meet), some with the bytes of a real tiny SYN, with random offsets,
 * lengths, flags and capture cuts, through decode and the tracker. Under
 * ASan nothing may read past a frame, and every header handed out must be
 * a decoded transport header. */
static void test_fuzz_fragments(void **state)
{
	struct sw_frag *f = sw_frag_new(16);
	uint64_t seed = 0x5eed;
	unsigned headers = 0;

	(void)state;
	assert_non_null(f);
	for (uint32_t i = 0; i < 100000; i++) {
		struct dgram d;
		struct sw_pkt p, h;
		uint16_t off, len;
		unsigned found;
		size_t caplen;
		uint32_t r = fuzz_rnd(&seed);

		tcp_dgram(&d, (uint8_t)(r & 3), (r >> 2) & 3, 22);
		d.v6 = (r >> 4) & 1;
		d.dstopts = d.v6 && ((r >> 5) & 1);
		if ((r >> 6) & 1) {
			/* random bytes and protocol */
			static const uint8_t protos[] = { 6, 17, 1, 58, 132 };

			d.proto = protos[(r >> 7) % 5];
			d.len = 64 + (r >> 10) % 64;
			for (size_t k = 0; k < d.len; k++)
				d.data[k] = (uint8_t)fuzz_rnd(&seed);
		} else if (d.v6) {
			struct pc_l4 t = syn(22);

			set_l4(&d, &t);
		}
		r = fuzz_rnd(&seed);
		off = (uint16_t)((r & 7) * 8 + (((r >> 3) & 7) == 0 ? (r >> 6) % 8 : 0));
		if (off >= d.len)
			off = 0;
		len = (uint16_t)((r >> 9) % 25);
		if (len > d.len - off)
			len = (uint16_t)(d.len - off);
		caplen = ((r >> 14) & 7) == 0 ? (r >> 17) % 80 : 0;
		found = piece_cut(f, &d, off, len, (r >> 24) & 1 || off == 0,
		                  T0 + i * 1000ull, caplen, &p, &h);
		if (found & SW_FRAG_HEADER) {
			headers++;
			assert_int_equal(h.err, SW_DERR_NONE);
			assert_true(h.flags & SW_PF_FRAG_EVADE);
			assert_true(h.flags & SW_PF_FRAG_FIRST);
			assert_true(h.l3 == SW_L3_IPV4 || h.l3 == SW_L3_IPV6);
			if (h.proto == 6 || h.proto == 17)
				assert_true(h.flags & SW_PF_HAS_PORTS);
		}
	}
	/* the pool is small: real tiny SYNs do come together */
	assert_true(headers > 0);
	sw_frag_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_free),
		cmocka_unit_test(test_non_overlapping),
		cmocka_unit_test(test_overlap_detected),
		cmocka_unit_test(test_full_table_evicts),
		cmocka_unit_test(test_tiny_syn_in_order),
		cmocka_unit_test(test_tiny_syn_out_of_order),
		cmocka_unit_test(test_tiny_syn_duplicates),
		cmocka_unit_test(test_tiny_syn_overlapping_rewrite),
		cmocka_unit_test(test_tiny_syn_missing_middle),
		cmocka_unit_test(test_tiny_flood_bounded),
		cmocka_unit_test(test_tiny_16_bytes),
		cmocka_unit_test(test_whole_first_fragment_not_twice),
		cmocka_unit_test(test_tiny_long_and_bad_headers),
		cmocka_unit_test(test_tiny_caplen_cut),
		cmocka_unit_test(test_tiny_udp_icmp),
		cmocka_unit_test(test_tiny_ipv6),
		cmocka_unit_test(test_fuzz_fragments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
