/*
 * test_detect.c - the detection engine on packets crafted with libnet.
 *
 * Every packet is built as a real frame (Ethernet, IPv4/IPv6, TCP, UDP,
 * ICMP/ICMPv6, fragments, ICMP errors quoting the probe), decoded with
 * sw_decode() and handed to sw_detect_packet() with increasing packet
 * timestamps. The records the engine emits are collected in memory through
 * a sink; after sw_detect_finish() the test asserts on them (kind, variant,
 * source, targets, ports, tool, outbound, failed contacts, evidence text).
 * Every run is also checked for a sane record lifecycle: one OPEN per
 * detection, UPDATE and EVIDENCE only while it is open, exactly one CLOSE.
 *
 * Set SW_TEST_VERBOSE=1 to print the records of every case.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* libnet-config --defines says _BSD_SOURCE */
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "detect.h"
#include "evidence.h"
#include "fingerprint.h"
#include "netset.h"
#include "pktcraft.h"
#include "record.h"
#include "settings.h"

/* 2026-11-27T17:09:41.508835Z, the time of the example evidence line */
#define T0 (1795799381ull * 1000000ull + 508835ull)
#define MS 1000ull
#define SEC 1000000ull
#define MIB (1024ull * 1024ull)

/* ---- collecting records --------------------------------------------------- */

struct col {
	struct sw_rec *r;
	size_t n, cap;
};

static void col_emit(void *ctx, const struct sw_rec *rec)
{
	struct col *c = ctx;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 256;
		struct sw_rec *r = realloc(c->r, ncap * sizeof *r);

		if (!r)
			abort();
		c->r = r;
		c->cap = ncap;
	}
	c->r[c->n] = *rec;
	/* a probe's line is rendered by the writer: here, as it would */
	if (rec->type == SW_REC_EVIDENCE && rec->u.ev.from_probe) {
		struct sw_rec_evidence *ev = &c->r[c->n].u.ev;
		char made[SW_EVIDENCE_LEN];

		snprintf(ev->line, sizeof ev->line, "%s", sw_evidence_line(ev, made, sizeof made));
	}
	c->n++;
}

/* One engine and what it emitted. */
struct eng {
	struct sw_settings s;
	struct sw_detect *d;
	struct col col;
	uint64_t now;     /* packet time of the next packet, microseconds */
	uint64_t rng;     /* xorshift state: every run is the same */
	unsigned long packets;
};

static uint32_t rnd(struct eng *e)
{
	uint64_t x = e->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	e->rng = x;
	return (uint32_t)(x >> 16);
}

static int setup(void **state)
{
	struct eng *e = calloc(1, sizeof *e);

	if (!e)
		return -1;
	sw_settings_defaults(&e->s);
	e->now = T0;
	e->rng = 0x9e3779b97f4a7c15ull;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct eng *e = *state;

	sw_detect_free(e->d);
	free(e->col.r);
	free(e);
	return 0;
}

/* Make the engine from e->s (tests change the settings first). */
static void start(struct eng *e)
{
	struct sw_detect_sink sink = { col_emit, &e->col };

	e->d = sw_detect_new(&e->s, sink);
	assert_non_null(e->d);
}

/* ---- looking at records ----------------------------------------------------- */

static const char *type_name(uint32_t t)
{
	switch (t) {
	case SW_REC_DET_OPEN: return "OPEN";
	case SW_REC_DET_UPDATE: return "UPDATE";
	case SW_REC_DET_CLOSE: return "CLOSE";
	case SW_REC_EVIDENCE: return "EVIDENCE";
	default: return "?";
	}
}

static int verbose(void)
{
	const char *v = getenv("SW_TEST_VERBOSE");

	return v && *v && *v != '0';
}

static void dump(const struct eng *e, const char *title)
{
	if (!verbose())
		return;
	fprintf(stderr, "---- %s: %zu records\n", title, e->col.n);
	for (size_t i = 0; i < e->col.n; i++) {
		const struct sw_rec *r = &e->col.r[i];
		char a[SW_ADDR_STRLEN];

		if (r->type == SW_REC_EVIDENCE) {
			fprintf(stderr, "  #%u EVIDENCE %s\n", r->u.ev.seq, r->u.ev.line);
			continue;
		}
		const struct sw_rec_det *d = &r->u.det;
		const char *vn = sw_variant_name(d->variant);
		const char *tn = sw_tool_name((enum sw_tool)d->tool);
		fprintf(stderr,
		        "  #%u %s %s/%s proto %u src %s targets %u%s ports %u%s failed %u "
		        "packets %llu tool %s outbound %u first +%.3fs last +%.3fs det +%.3fs\n",
		        d->seq, type_name(r->type), sw_kind_name(d->kind), vn ? vn : "-",
		        d->proto, sw_addr_format(&d->src, a, sizeof a), d->targets,
		        d->targets_capped ? "+" : "", d->ports, d->ports_capped ? "+" : "",
		        d->failed_contacts, (unsigned long long)d->packets, tn ? tn : "-",
		        d->outbound, (double)(d->first_seen - (int64_t)T0) / 1e6,
		        (double)(d->last_seen - (int64_t)T0) / 1e6,
		        (double)(d->detected_at - (int64_t)T0) / 1e6);
	}
}

/*
 * The lifecycle every run must follow, whatever it detected: a detection
 * is opened once, updated and given evidence only while open, closed once
 * (sw_detect_finish() closes all), and its times are ordered.
 */
static void check_lifecycle(const struct eng *e)
{
	enum { MAXSEQ = 1 << 16 };
	uint8_t *st = calloc(MAXSEQ, 1); /* 0 unseen, 1 open, 2 closed */

	assert_non_null(st);
	for (size_t i = 0; i < e->col.n; i++) {
		const struct sw_rec *r = &e->col.r[i];
		uint32_t seq = r->type == SW_REC_EVIDENCE ? r->u.ev.seq : r->u.det.seq;

		assert_true(seq > 0 && seq < MAXSEQ);
		switch (r->type) {
		case SW_REC_DET_OPEN:
			assert_int_equal(st[seq], 0);
			st[seq] = 1;
			break;
		case SW_REC_DET_UPDATE:
		case SW_REC_EVIDENCE:
			assert_int_equal(st[seq], 1);
			break;
		case SW_REC_DET_CLOSE:
			assert_int_equal(st[seq], 1);
			st[seq] = 2;
			break;
		default:
			fail_msg("unexpected record type %u", r->type);
		}
		if (r->type == SW_REC_EVIDENCE) {
			size_t len = strnlen(r->u.ev.line, SW_EVIDENCE_LEN);

			assert_true(len > 0 && len < SW_EVIDENCE_LEN);
			for (size_t k = 0; k < len; k++)
				assert_true(r->u.ev.line[k] >= 0x20 && r->u.ev.line[k] < 0x7f);
		} else {
			const struct sw_rec_det *d = &r->u.det;

			assert_true(d->kind < SW_K_COUNT);
			assert_true(d->variant < SW_V_COUNT);
			assert_true(d->first_seen <= d->last_seen);
			assert_true(d->detected_at >= d->first_seen);
			assert_true(d->src.family == SW_AF_INET || d->src.family == SW_AF_INET6);
			if (r->type == SW_REC_DET_CLOSE)
				assert_true(d->closed_at >= d->detected_at);
		}
	}
	for (uint32_t s = 0; s < MAXSEQ; s++)
		if (st[s] == 1)
			fail_msg("detection #%u was never closed", s);
	free(st);
}

static void finish(struct eng *e, const char *title)
{
	sw_detect_finish(e->d);
	dump(e, title);
	check_lifecycle(e);
}

/* Records of a type (and kind, unless kind < 0). */
static size_t count(const struct eng *e, uint32_t type, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < e->col.n; i++)
		if (e->col.r[i].type == type &&
		    (kind < 0 || e->col.r[i].u.det.kind == (unsigned)kind))
			n++;
	return n;
}

/* OPENs of a kind from src. */
static size_t opens_from(const struct eng *e, unsigned kind, const struct sw_addr *src)
{
	size_t n = 0;

	for (size_t i = 0; i < e->col.n; i++) {
		const struct sw_rec *r = &e->col.r[i];
		if (r->type == SW_REC_DET_OPEN && r->u.det.kind == kind &&
		    sw_addr_eq(&r->u.det.src, src))
			n++;
	}
	return n;
}

/* The first record of type with that kind (any kind if < 0); fails if none. */
static const struct sw_rec_det *find(const struct eng *e, uint32_t type, int kind)
{
	for (size_t i = 0; i < e->col.n; i++)
		if (e->col.r[i].type == type &&
		    (kind < 0 || e->col.r[i].u.det.kind == (unsigned)kind))
			return &e->col.r[i].u.det;
	fail_msg("no %s record of kind %s", type_name(type),
	         kind < 0 ? "any" : sw_kind_name((unsigned)kind));
	return NULL;
}

/* The record of type for detection seq. */
static const struct sw_rec_det *find_seq(const struct eng *e, uint32_t type, uint32_t seq)
{
	for (size_t i = 0; i < e->col.n; i++)
		if (e->col.r[i].type == type && e->col.r[i].u.det.seq == seq)
			return &e->col.r[i].u.det;
	fail_msg("no %s record for detection #%u", type_name(type), seq);
	return NULL;
}

/* The evidence lines of detection seq, in order; returns how many. */
static size_t evidence(const struct eng *e, uint32_t seq, const char **lines, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < e->col.n; i++) {
		const struct sw_rec *r = &e->col.r[i];
		if (r->type == SW_REC_EVIDENCE && r->u.ev.seq == seq) {
			if (n < max)
				lines[n] = r->u.ev.line;
			n++;
		}
	}
	return n;
}

static void assert_src(const struct sw_rec_det *d, const struct sw_addr *a)
{
	char x[SW_ADDR_STRLEN], y[SW_ADDR_STRLEN];

	if (!sw_addr_eq(&d->src, a))
		fail_msg("src %s, expected %s", sw_addr_format(&d->src, x, sizeof x),
		         sw_addr_format(a, y, sizeof y));
}

static void assert_kind(const struct sw_rec_det *d, unsigned kind, unsigned variant)
{
	if (d->kind != kind || d->variant != variant) {
		const char *v = sw_variant_name(d->variant), *w = sw_variant_name(variant);
		fail_msg("detection #%u is %s/%s, expected %s/%s", d->seq, sw_kind_name(d->kind),
		         v ? v : "-", sw_kind_name(kind), w ? w : "-");
	}
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay)
		fail_msg("no evidence line where \"%s\" was expected", needle);
	else if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* ---- endpoints and packets ------------------------------------------------------ */

struct ep {
	int v6;
	uint8_t b[16];
	struct sw_addr a;
};

static struct ep ep(const char *text)
{
	struct ep x;

	memset(&x, 0, sizeof x);
	if (strchr(text, ':')) {
		x.v6 = 1;
		assert_int_equal(inet_pton(AF_INET6, text, x.b), 1);
		sw_addr_set6(&x.a, x.b);
	} else {
		assert_int_equal(inet_pton(AF_INET, text, x.b), 1);
		sw_addr_set4(&x.a, x.b);
	}
	return x;
}

/* nmap's raw SYN carries MSS 1460 alone; a Linux connect() SYN carries
 * MSS, SACK permitted, timestamps, NOP, window scale. */
static const uint8_t MSS_OPT[] = { 2, 4, 0x05, 0xb4 };
static const uint8_t LINUX_OPTS[] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7
};
static const uint8_t SYNACK_OPTS[] = { 2, 4, 0x05, 0xb4, 4, 2, 1, 1, 1, 3, 3, 7 };
static uint8_t DATA[1400];

static struct pc_l4 tcp(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
                        uint32_t ack, uint16_t win)
{
	struct pc_l4 t;

	memset(&t, 0, sizeof t);
	t.proto = 6;
	t.sport = sport;
	t.dport = dport;
	t.flags = flags;
	t.seq = seq;
	t.ack = ack;
	t.win = win;
	return t;
}

/* An IP datagram (no link header) from src to dst. */
static size_t mk_ip(struct eng *e, uint8_t *buf, size_t cap, const struct ep *src,
                    const struct ep *dst, const struct pc_l4 *l4, uint8_t ttl)
{
	size_t n;

	assert_int_equal(src->v6, dst->v6);
	if (src->v6) {
		struct pc_ip6 ip;

		memset(&ip, 0, sizeof ip);
		memcpy(ip.src, src->b, 16);
		memcpy(ip.dst, dst->b, 16);
		ip.hlim = ttl;
		n = pc_ip6(buf, cap, &ip, l4);
	} else {
		struct pc_ip4 ip;

		memset(&ip, 0, sizeof ip);
		memcpy(ip.src, src->b, 4);
		memcpy(ip.dst, dst->b, 4);
		ip.ttl = ttl;
		ip.id = (uint16_t)rnd(e);
		n = pc_ip4(buf, cap, &ip, l4);
	}
	assert_true(n > 0);
	return n;
}

/* Decode an Ethernet frame at the current packet time and detect. */
static void feed_frame(struct eng *e, const uint8_t *frame, size_t n)
{
	struct sw_pkt p;
	enum sw_derr err = sw_decode(SW_DLT_EN10MB, frame, (uint32_t)n, (uint32_t)n, e->now, &p);

	if (err != SW_DERR_NONE)
		fail_msg("decode: %s", sw_derr_name(err));
	sw_detect_packet(e->d, &p);
	e->packets++;
}

/* Put an IP datagram in buf (room for PC_MAX) into an Ethernet frame and
 * feed it. */
static void feed_ip(struct eng *e, uint8_t *buf, size_t n, int v6)
{
	n = pc_eth(buf, n, PC_MAX, v6 ? 0x86dd : 0x0800);
	assert_true(n > 0);
	feed_frame(e, buf, n);
}

/* Send l4 from src to dst now, then let dt microseconds pass. */
static void tx(struct eng *e, const struct ep *src, const struct ep *dst, const struct pc_l4 *l4,
               uint8_t ttl, uint64_t dt)
{
	uint8_t buf[PC_MAX];
	size_t n = mk_ip(e, buf, sizeof buf, src, dst, l4, ttl);

	feed_ip(e, buf, n, src->v6);
	e->now += dt;
}

/* What answers a probe. */
enum answer {
	ANS_NONE,           /* silence: the probe times out */
	ANS_RST,            /* closed port */
	ANS_HALFOPEN,       /* SYN-ACK, then the prober's RST */
	ANS_PORT_UNREACH,   /* ICMP port unreachable quoting the probe */
	ANS_ADMIN_PROHIB,   /* ICMP administratively prohibited, from a router */
	ANS_REPLY,          /* UDP reply */
};

#define RTT 300 /* microseconds between a probe and its answer */

/* An ICMP error about the datagram q (q_len bytes) from `from` to `to`. */
static void icmp_error(struct eng *e, const struct ep *from, const struct ep *to,
                       const uint8_t *q, size_t q_len, enum answer a)
{
	struct pc_l4 ic;

	memset(&ic, 0, sizeof ic);
	if (from->v6) {
		ic.proto = 58;
		ic.type = 1;
		ic.code = a == ANS_ADMIN_PROHIB ? 1 : 4;
	} else {
		ic.proto = 1;
		ic.type = 3;
		ic.code = a == ANS_ADMIN_PROHIB ? 13 : 3;
	}
	ic.payload = q;
	ic.paylen = q_len;
	tx(e, from, to, &ic, 64, RTT);
}

/* The firewall in front of the targets (answers admin-prohibited). */
static struct ep router_for(const struct ep *dst)
{
	return dst->v6 ? ep("2001:db8:1::1") : ep("203.0.113.1");
}

/*
 * A raw TCP probe (nmap shape: window 1024, MSS 1460 on SYNs, a TTL drawn
 * from 37..59) with flags fl, and its answer. Time moves on by RTT per
 * packet.
 */
static void tcp_probe(struct eng *e, const struct ep *src, uint16_t sport, const struct ep *dst,
                      uint16_t dport, uint8_t fl, enum answer a)
{
	uint8_t probe[PC_MAX], quoted[PC_MAX];
	uint32_t seq = rnd(e);
	struct pc_l4 t = tcp(sport, dport, fl, seq, (fl & SW_TH_ACK) ? rnd(e) : 0, 1024);
	struct pc_l4 r;
	size_t n;

	if (fl & SW_TH_SYN) {
		t.opts = MSS_OPT;
		t.optlen = sizeof MSS_OPT;
	}
	n = mk_ip(e, probe, sizeof probe, src, dst, &t, (uint8_t)(37 + rnd(e) % 23));
	memcpy(quoted, probe, n);
	feed_ip(e, probe, n, src->v6);
	e->now += RTT;
	switch (a) {
	case ANS_NONE:
	case ANS_REPLY:
		break;
	case ANS_RST:
		/* RFC 793: a SYN or FIN to a closed port gets RST+ACK; a bare
		 * ACK gets a RST with its ack number as the sequence */
		if ((fl & SW_TH_ACK) && !(fl & SW_TH_SYN))
			r = tcp(dport, sport, SW_TH_RST, t.ack, 0, 0);
		else
			r = tcp(dport, sport, SW_TH_RST | SW_TH_ACK, 0, seq + 1, 0);
		tx(e, dst, src, &r, 64, RTT);
		break;
	case ANS_HALFOPEN:
		r = tcp(dport, sport, SW_TH_SYN | SW_TH_ACK, rnd(e), seq + 1, 64240);
		r.opts = MSS_OPT;
		r.optlen = sizeof MSS_OPT;
		tx(e, dst, src, &r, 64, RTT);
		r = tcp(sport, dport, SW_TH_RST, seq + 1, 0, 0);
		tx(e, src, dst, &r, 64, RTT);
		break;
	case ANS_PORT_UNREACH:
		icmp_error(e, dst, src, quoted, n, a);
		break;
	case ANS_ADMIN_PROHIB: {
		struct ep rt = router_for(dst);
		icmp_error(e, &rt, src, quoted, n, a);
		break;
	}
	}
}

static void syn_probe(struct eng *e, const struct ep *src, uint16_t sport, const struct ep *dst,
                      uint16_t dport, enum answer a)
{
	tcp_probe(e, src, sport, dst, dport, SW_TH_SYN, a);
}

/* A UDP probe (empty datagram, as nmap -sU sends to most ports) and its
 * answer. */
static void udp_probe(struct eng *e, const struct ep *src, uint16_t sport, const struct ep *dst,
                      uint16_t dport, enum answer a)
{
	uint8_t probe[PC_MAX], quoted[PC_MAX];
	struct pc_l4 u;
	size_t n;

	memset(&u, 0, sizeof u);
	u.proto = 17;
	u.sport = sport;
	u.dport = dport;
	n = mk_ip(e, probe, sizeof probe, src, dst, &u, 64);
	memcpy(quoted, probe, n);
	feed_ip(e, probe, n, src->v6);
	e->now += RTT;
	if (a == ANS_PORT_UNREACH || a == ANS_ADMIN_PROHIB) {
		icmp_error(e, dst, src, quoted, n, a);
	} else if (a == ANS_REPLY) {
		u.sport = dport;
		u.dport = sport;
		u.payload = DATA;
		u.paylen = 48;
		tx(e, dst, src, &u, 64, RTT);
	}
}

/* An echo request from src to dst, answered or not. */
static void ping(struct eng *e, const struct ep *src, const struct ep *dst, uint16_t id,
                 uint16_t seqno, int answered)
{
	struct pc_l4 ic;

	memset(&ic, 0, sizeof ic);
	ic.proto = src->v6 ? 58 : 1;
	ic.type = src->v6 ? 128 : 8;
	ic.id = id;
	ic.seqno = seqno;
	ic.payload = DATA;
	ic.paylen = 56;
	tx(e, src, dst, &ic, 64, RTT);
	if (answered) {
		ic.type = src->v6 ? 129 : 0;
		tx(e, dst, src, &ic, 64, RTT);
	}
}

/*
 * A whole TCP connection the way an OS stack makes one: SYN with the usual
 * options, SYN-ACK, ACK, a request, a response, FIN/ACK both ways, last
 * ACK. rtt in microseconds.
 */
static void connection(struct eng *e, const struct ep *cli, uint16_t sport, const struct ep *srv,
                       uint16_t dport, uint64_t rtt)
{
	uint32_t cs = rnd(e), ss = rnd(e);
	struct pc_l4 t;
	uint64_t half = rtt / 2 ? rtt / 2 : 1;

	t = tcp(sport, dport, SW_TH_SYN, cs, 0, 64240);
	t.opts = LINUX_OPTS;
	t.optlen = sizeof LINUX_OPTS;
	tx(e, cli, srv, &t, 64, half);
	t = tcp(dport, sport, SW_TH_SYN | SW_TH_ACK, ss, cs + 1, 65160);
	t.opts = SYNACK_OPTS;
	t.optlen = sizeof SYNACK_OPTS;
	tx(e, srv, cli, &t, 64, half);
	t = tcp(sport, dport, SW_TH_ACK, cs + 1, ss + 1, 502);
	tx(e, cli, srv, &t, 64, 20);
	t = tcp(sport, dport, SW_TH_PUSH | SW_TH_ACK, cs + 1, ss + 1, 502);
	t.payload = DATA;
	t.paylen = 120;
	tx(e, cli, srv, &t, 64, half);
	t = tcp(dport, sport, SW_TH_PUSH | SW_TH_ACK, ss + 1, cs + 121, 509);
	t.payload = DATA;
	t.paylen = 1200;
	tx(e, srv, cli, &t, 64, 20);
	t = tcp(sport, dport, SW_TH_FIN | SW_TH_ACK, cs + 121, ss + 1201, 501);
	tx(e, cli, srv, &t, 64, half);
	t = tcp(dport, sport, SW_TH_FIN | SW_TH_ACK, ss + 1201, cs + 122, 509);
	tx(e, srv, cli, &t, 64, half);
	t = tcp(sport, dport, SW_TH_ACK, cs + 122, ss + 1202, 501);
	tx(e, cli, srv, &t, 64, 20);
}

/* ---- 1, 13: a 4-probe SYN scan, a 3-probe one, the evidence ------------------ */

static const uint16_t FOUR_PORTS[] = { 21, 22, 23, 25 };

static void test_syn_scan_4_probes(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.7"), target = ep("203.0.113.5");
	const struct sw_rec_det *o, *c;

	start(e);
	for (size_t i = 0; i < 4; i++) {
		syn_probe(e, &scanner, 41000, &target, FOUR_PORTS[i], ANS_RST);
		e->now += 50 * MS;
	}
	finish(e, "4-probe SYN scan");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN);
	assert_kind(o, SW_K_PORT_SCAN, SW_V_SYN);
	assert_src(o, &scanner.a);
	assert_int_equal(o->proto, 6);
	assert_int_equal(o->failed_contacts, 4);
	assert_int_equal(o->targets, 1);
	assert_int_equal(o->ports, 4);
	assert_int_equal(o->outbound, 0);
	assert_int_equal(o->tool, SW_TOOL_NONE); /* 4 probes: too few to name nmap */
	assert_int_equal(o->first_seen, (int64_t)T0);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_kind(c, SW_K_PORT_SCAN, SW_V_SYN);
	assert_int_equal(c->failed_contacts, 4);
	assert_int_equal(c->ports, 4);
	assert_int_equal(c->targets, 1);
	assert_int_equal(c->targets_capped, 0);
	assert_int_equal(c->ports_capped, 0);
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_PORT_PROBE), 0);
}

static void test_syn_scan_3_probes_is_port_probe(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.7"), target = ep("203.0.113.5");
	const struct sw_rec_det *o;
	size_t opens_before_finish;

	start(e);
	for (size_t i = 0; i < 3; i++) {
		syn_probe(e, &scanner, 41000, &target, FOUR_PORTS[i], ANS_RST);
		e->now += 50 * MS;
	}
	opens_before_finish = count(e, SW_REC_DET_OPEN, -1);
	finish(e, "3-probe SYN scan");

	assert_int_equal(opens_before_finish, 0); /* port_probe is written at the end */
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN), 0);
	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_PROBE);
	assert_kind(o, SW_K_PORT_PROBE, SW_V_NONE);
	assert_src(o, &scanner.a);
	assert_int_equal(o->failed_contacts, 3);
	assert_int_equal(o->ports, 3);
	assert_int_equal(o->targets, 1);
	assert_int_equal(count(e, SW_REC_DET_CLOSE, SW_K_PORT_PROBE), 1);
}

/*
 * A source's first failed contact waits in its entry until a second earns
 * it a detail (sources.h): the row is then the same as if the detail had
 * been there from the first, that probe included, even minutes later...
 */
static void test_first_record_waits(void **state)
{
	struct eng *e = *state;
	struct ep src = ep("198.51.100.7"), a = ep("203.0.113.5"), b = ep("203.0.113.6");
	const struct sw_rec_det *o;
	const char *lines[4];
	uint64_t t1;

	start(e);
	t1 = e->now;
	syn_probe(e, &src, 41000, &a, 8080, ANS_RST);
	e->now += 600 * SEC; /* past idle_timeout_s, within slow_memory_s */
	syn_probe(e, &src, 41001, &b, 8081, ANS_RST);
	finish(e, "two failed contacts ten minutes apart");

	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_PROBE);
	assert_kind(o, SW_K_PORT_PROBE, SW_V_NONE);
	assert_src(o, &src.a);
	assert_int_equal(o->failed_contacts, 2);
	assert_int_equal(o->targets, 2);
	assert_int_equal(o->ports, 2);
	assert_int_equal(o->first_seen, t1);
	assert_int_equal(evidence(e, o->seq, lines, 4), 2);
	assert_contains(lines[0], "203.0.113.5:8080");
	assert_contains(lines[1], "203.0.113.6:8081");
}

/* ...but not once its group would have been closed for quiet
 * (slow_memory_s): then the first probe is forgotten, as it was before. */
static void test_first_record_expires(void **state)
{
	struct eng *e = *state;
	struct ep src = ep("198.51.100.7"), a = ep("203.0.113.5"), b = ep("203.0.113.6");
	const struct sw_rec_det *o;
	uint64_t t2;

	start(e);
	syn_probe(e, &src, 41000, &a, 8080, ANS_RST);
	e->now += 7 * 3600 * SEC; /* past slow_memory_s (6 h) */
	t2 = e->now;
	syn_probe(e, &src, 41001, &b, 8081, ANS_RST);
	e->now += 50 * MS;
	syn_probe(e, &src, 41002, &b, 8082, ANS_RST);
	finish(e, "a failed contact, seven hours, two more");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_PROBE);
	assert_int_equal(o->failed_contacts, 2);
	assert_int_equal(o->targets, 1);
	assert_int_equal(o->first_seen, t2);
}

static void test_evidence_format(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.7"), target = ep("203.0.113.5");
	const struct sw_rec_det *o;
	const char *lines[16] = { NULL };
	regex_t re;
	size_t n;

	start(e);
	for (size_t i = 0; i < 4; i++) {
		syn_probe(e, &scanner, 41000, &target, FOUR_PORTS[i], ANS_RST);
		e->now += 50 * MS;
	}
	finish(e, "evidence");

	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN);
	n = evidence(e, o->seq, lines, 16);
	assert_int_equal(n, 4);
	assert_int_equal(regcomp(&re,
	                         "^2026-11-27T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z "
	                         "TCP 198\\.51\\.100\\.7:41000 -> 203\\.0\\.113\\.5:[0-9]+ "
	                         "\\([a-z]+\\) SYN, answered RST$",
	                         REG_EXTENDED | REG_NOSUB), 0);
	for (size_t i = 0; i < n; i++)
		if (regexec(&re, lines[i], 0, NULL, 0) != 0) {
			regfree(&re);
			fail_msg("evidence line \"%s\" is not in the expected format", lines[i]);
		}
	regfree(&re);
	/* the first probe, exactly as the memo quotes it */
	assert_string_equal(lines[0], "2026-11-27T17:09:41.508835Z TCP 198.51.100.7:41000 -> "
	                              "203.0.113.5:21 (ftp) SYN, answered RST");
	assert_contains(lines[1], " -> 203.0.113.5:22 (ssh) SYN, answered RST");
	assert_contains(lines[2], " -> 203.0.113.5:23 (telnet) SYN, answered RST");
	assert_contains(lines[3], " -> 203.0.113.5:25 (smtp) SYN, answered RST");
	/* in time order */
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(lines[i - 1], lines[i]) < 0);
}

/* ---- half-open probes, sweeps and block scans ------------------------------------- */

/* The targets answer SYN-ACK on every port and address (the corpus
 * targets do): the prober's RST instead of the handshake's ACK makes each
 * SYN a failed first contact. */
static void test_half_open_sweep(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.7");
	const struct sw_rec_det *o, *c;
	const char *lines[8] = { NULL };
	char name[32];

	start(e);
	/* the article's FTP sweep, done half-open */
	for (int i = 0; i < 12; i++) {
		struct ep h;
		snprintf(name, sizeof name, "203.0.113.%d", 20 + i);
		h = ep(name);
		syn_probe(e, &scanner, 41000, &h, 21, ANS_HALFOPEN);
		e->now += 10 * MS;
	}
	finish(e, "half-open FTP sweep");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_HOST_SWEEP);
	assert_kind(o, SW_K_HOST_SWEEP, SW_V_SYN);
	assert_src(o, &scanner.a);
	assert_int_equal(o->failed_contacts, 4);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_kind(c, SW_K_HOST_SWEEP, SW_V_SYN);
	assert_int_equal(c->targets, 12);
	assert_int_equal(c->ports, 1);
	assert_true(evidence(e, o->seq, lines, 8) >= 4);
	assert_string_equal(lines[0], "2026-11-27T17:09:41.508835Z TCP 198.51.100.7:41000 -> "
	                              "203.0.113.20:21 (ftp) SYN, answered SYN-ACK, reset by "
	                              "the source");
}

static void test_half_open_port_scan(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.7"), target = ep("203.0.113.5");
	const struct sw_rec_det *o;

	start(e);
	for (int i = 0; i < 6; i++) {
		syn_probe(e, &scanner, 41000, &target, (uint16_t)(8080 + i), ANS_HALFOPEN);
		e->now += 10 * MS;
	}
	finish(e, "half-open port scan");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN);
	assert_kind(o, SW_K_PORT_SCAN, SW_V_SYN);
	assert_int_equal(o->failed_contacts, 4);
	assert_int_equal(find_seq(e, SW_REC_DET_CLOSE, o->seq)->ports, 6);
}

/* A handshake and a close without a byte of payload. */
static void empty_connection(struct eng *e, const struct ep *cli, uint16_t sport,
                             const struct ep *srv, uint16_t dport)
{
	uint32_t cs = rnd(e), ss = rnd(e);
	struct pc_l4 t;

	t = tcp(sport, dport, SW_TH_SYN, cs, 0, 64240);
	tx(e, cli, srv, &t, 64, MS);
	t = tcp(dport, sport, SW_TH_SYN | SW_TH_ACK, ss, cs + 1, 65160);
	tx(e, srv, cli, &t, 64, MS);
	t = tcp(sport, dport, SW_TH_ACK, cs + 1, ss + 1, 502);
	tx(e, cli, srv, &t, 64, MS);
	t = tcp(sport, dport, SW_TH_FIN | SW_TH_ACK, cs + 1, ss + 1, 502);
	tx(e, cli, srv, &t, 64, MS);
	t = tcp(dport, sport, SW_TH_FIN | SW_TH_ACK, ss + 1, cs + 2, 509);
	tx(e, srv, cli, &t, 64, MS);
}

/* The scan finds 2 ports open (half-open probes), then the scanner comes
 * back and completes a session with payload to one of them: counted on the
 * scan's detection, with the session as evidence. A session without
 * payload to the other, and one to a port the scan did not probe, are
 * not counted. */
static void test_session_after_scan(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.7"), target = ep("203.0.113.5");
	const struct sw_rec_det *o, *c;
	const char *lines[16] = { NULL };
	size_t n;
	bool seen = false;

	start(e);
	for (int i = 0; i < 6; i++) {
		syn_probe(e, &scanner, 41000, &target, (uint16_t)(20 + i),
		          i == 1 || i == 2 ? ANS_HALFOPEN : ANS_RST);
		e->now += 10 * MS;
	}
	e->now += 30 * SEC;
	empty_connection(e, &scanner, 49999, &target, 21);     /* found open, no payload */
	e->now += 1 * SEC;
	connection(e, &scanner, 50000, &target, 8080, 2 * MS); /* not probed by the scan */
	e->now += 1 * SEC;
	connection(e, &scanner, 50001, &target, 22, 2 * MS);   /* found open by it */
	e->now += 2 * SEC;
	finish(e, "session after a scan");

	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN);
	assert_int_equal(o->sessions_after, 0);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->sessions_after, 1);
	n = evidence(e, o->seq, lines, 16);
	for (size_t i = 0; i < n; i++)
		if (strstr(lines[i], "-> 203.0.113.5:22 (ssh) SYN, session with payload to a port "
		                     "the scan had found open"))
			seen = true;
	assert_true(seen);
}

static void test_block_scan(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.7");
	const struct sw_rec_det *o, *c;
	char name[32];

	start(e);
	for (int p = 0; p < 6; p++)
		for (int h = 0; h < 6; h++) {
			struct ep t;
			snprintf(name, sizeof name, "203.0.113.%d", 40 + h);
			t = ep(name);
			syn_probe(e, &scanner, 41000, &t, (uint16_t)(20 + p), ANS_RST);
			e->now += 5 * MS;
		}
	finish(e, "block scan");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	/* opened as a sweep of port 20 after four hosts, it grows into a
	 * block scan as the ports come */
	o = find(e, SW_REC_DET_OPEN, -1);
	assert_src(o, &scanner.a);
	assert_int_equal(o->failed_contacts, 4);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_kind(c, SW_K_BLOCK_SCAN, SW_V_SYN);
	assert_src(c, &scanner.a);
	assert_int_equal(c->targets, 6);
	assert_int_equal(c->ports, 6);
}

/* ---- 2: a busy client whose connections succeed --------------------------------- */

static void test_benign_client(void **state)
{
	struct eng *e = *state;
	struct ep client = ep("192.0.2.10");
	struct ep servers[50];
	char name[32];

	start(e);
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "198.51.100.%d", 100 + i);
		servers[i] = ep(name);
	}
	for (int i = 0; i < 500; i++) {
		const struct ep *srv = &servers[(i * 7) % 50];
		connection(e, &client, (uint16_t)(33000 + i), srv, i % 3 ? 443 : 80, 20 * MS);
		e->now += 30 * MS;
	}
	finish(e, "benign client");
	assert_int_equal(e->col.n, 0);
}

/* A host asking DNS servers, answered: UDP first contacts that succeed. */
static void test_benign_udp_client(void **state)
{
	struct eng *e = *state;
	char name[32];

	start(e);
	for (int i = 0; i < 200; i++) {
		struct ep cli = ep("192.0.2.10"), srv;
		snprintf(name, sizeof name, "198.51.100.%d", 1 + i % 20);
		srv = ep(name);
		udp_probe(e, &cli, (uint16_t)(30000 + i), &srv, 53, ANS_REPLY);
		e->now += 100 * MS;
	}
	finish(e, "benign DNS client");
	assert_int_equal(e->col.n, 0);
}

/* ---- 3: slow scan -------------------------------------------------------------------- */

/* probes SYN probes, one every gap seconds of packet time, one source port,
 * distinct ports of one host: detected once, as one detection. */
static void slow_scan(struct eng *e, enum answer a, int probes, uint64_t gap)
{
	struct ep scanner = ep("198.51.100.9"), target = ep("203.0.113.6");
	const struct sw_rec_det *o, *c;
	char title[64];

	start(e);
	for (int i = 0; i < probes; i++) {
		syn_probe(e, &scanner, 52311, &target, (uint16_t)(1000 + i * 7), a);
		e->now += gap * SEC - 2 * RTT;
	}
	snprintf(title, sizeof title, "slow scan, one probe per %llu s, %s",
	         (unsigned long long)gap, a == ANS_RST ? "RST" : "no answers");
	finish(e, title);

	assert_int_equal(opens_from(e, SW_K_PORT_SCAN, &scanner.a), 1);
	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	assert_int_equal(count(e, SW_REC_DET_CLOSE, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN);
	assert_kind(o, SW_K_PORT_SCAN, SW_V_SYN);
	assert_src(o, &scanner.a);
	assert_true(o->failed_contacts >= 4 && o->failed_contacts <= 5);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->ports, (unsigned)probes);
	assert_int_equal(c->targets, 1);
	assert_int_equal(c->tool, SW_TOOL_NMAP);
	assert_true(c->last_seen - c->first_seen >= (int64_t)(2 * 3600 * SEC));
}

/* nmap --scan-delay 60s: 150 ports in two and a half hours */
static void test_slow_scan(void **state)
{
	slow_scan(*state, ANS_RST, 150, 60);
}

static void test_slow_scan_unanswered(void **state)
{
	slow_scan(*state, ANS_NONE, 150, 60);
}

/*
 * nmap -T0 (paranoid): five minutes between probes, longer than
 * idle_timeout_s. Failed contacts without a detection are kept for
 * slow_memory_s, and an open detection closes only after four times the
 * source's own pace, so this is still one detection.
 */
static void test_slow_scan_nmap_T0(void **state)
{
	slow_scan(*state, ANS_RST, 30, 305);
}

/* ---- 4: IPv6 ------------------------------------------------------------------------------ */

static void test_ipv6_scan(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("2001:db8::7"), target = ep("2001:db8:1::5");
	const struct sw_rec_det *o, *c;
	const char *lines[8] = { NULL };

	start(e);
	for (int i = 0; i < 6; i++) {
		syn_probe(e, &scanner, 41000, &target, (uint16_t)(20 + i), ANS_RST);
		e->now += 20 * MS;
	}
	finish(e, "IPv6 SYN scan");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN);
	assert_kind(o, SW_K_PORT_SCAN, SW_V_SYN);
	assert_int_equal(o->src.family, SW_AF_INET6);
	assert_src(o, &scanner.a);
	assert_int_equal(o->proto, 6);
	assert_int_equal(o->failed_contacts, 4);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->ports, 6);
	assert_int_equal(c->targets, 1);
	assert_true(evidence(e, o->seq, lines, 8) >= 4);
	assert_contains(lines[0], " TCP [2001:db8::7]:41000 -> [2001:db8:1::5]:20 (ftp-data) "
	                          "SYN, answered RST");
}

/* ---- 5: answers that are ICMP unreachables -------------------------------------------- */

static void test_icmp_unreachable_answers(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.7"), target = ep("203.0.113.5");
	struct ep uscanner = ep("198.51.100.8"), utarget = ep("203.0.113.7");
	const struct sw_rec_det *o, *c;
	const char *lines[16] = { NULL };
	size_t n, unreach = 0;

	start(e);
	/* TCP SYNs met by a firewall's REJECT: admin-prohibited from the
	 * router, port unreachable from the host */
	for (int i = 0; i < 8; i++) {
		syn_probe(e, &scanner, 41000, &target, (uint16_t)(8000 + i),
		          i % 2 ? ANS_ADMIN_PROHIB : ANS_PORT_UNREACH);
		e->now += 10 * MS;
	}
	/* a UDP scan met by port unreachables */
	for (int i = 0; i < 10; i++) {
		udp_probe(e, &uscanner, 61000, &utarget, (uint16_t)(100 + i * 11), ANS_PORT_UNREACH);
		e->now += 10 * MS;
	}
	finish(e, "ICMP unreachable answers");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 2);
	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN);
	assert_kind(o, SW_K_PORT_SCAN, SW_V_SYN);
	assert_src(o, &scanner.a);
	assert_int_equal(o->failed_contacts, 4);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->ports, 8);
	assert_int_equal(c->targets, 1); /* the router's answers count for the target */
	n = evidence(e, o->seq, lines, 16);
	assert_true(n >= 4);
	for (size_t i = 0; i < n && i < 16; i++) {
		assert_contains(lines[i], "SYN, answered ICMP ");
		if (strstr(lines[i], "unreachable"))
			unreach++;
		else
			assert_contains(lines[i], "administratively prohibited");
	}
	assert_true(unreach >= 2);
	assert_contains(lines[0], "203.0.113.5:8000 SYN, answered ICMP port unreachable");

	o = find(e, SW_REC_DET_OPEN, SW_K_UDP_SCAN);
	assert_kind(o, SW_K_UDP_SCAN, SW_V_NONE);
	assert_src(o, &uscanner.a);
	assert_int_equal(o->proto, 17);
	assert_true(o->failed_contacts >= 4 && o->failed_contacts <= 6);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->ports, 10);
	assert_int_equal(c->targets, 1);
	n = evidence(e, o->seq, lines, 16);
	assert_true(n >= 4);
	for (size_t i = 0; i < n && i < 16; i++)
		assert_contains(lines[i], "UDP 198.51.100.8:61000 -> 203.0.113.7:");
	assert_contains(lines[0], " datagram, answered ICMP port unreachable");
}

static void test_icmpv6_unreachable_answers(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("2001:db8::8"), target = ep("2001:db8:1::7");
	const struct sw_rec_det *o;
	const char *lines[8] = { NULL };

	start(e);
	for (int i = 0; i < 8; i++) {
		udp_probe(e, &scanner, 61000, &target, (uint16_t)(100 + i * 11), ANS_PORT_UNREACH);
		e->now += 10 * MS;
	}
	finish(e, "ICMPv6 unreachable answers");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_UDP_SCAN);
	assert_src(o, &scanner.a);
	assert_int_equal(o->proto, 17);
	assert_true(evidence(e, o->seq, lines, 8) >= 4);
	assert_contains(lines[0], "answered ICMPv6 port unreachable");
}

/* ---- 6: probes carried in fragments -------------------------------------------------- */

/* A SYN with 16 bytes of data (nmap --data-length 16) as two fragments:
 * the first holds the whole TCP header (24 bytes with MSS), the second the
 * data. Then the RST. */
static void fragmented_syn(struct eng *e, const struct ep *src, const struct ep *dst,
                           uint16_t dport, uint32_t frag_id)
{
	uint8_t seg[PC_MAX], buf[PC_MAX];
	uint32_t seq = rnd(e);
	struct pc_l4 t = tcp(41000, dport, SW_TH_SYN, seq, 0, 1024);
	struct pc_l4 r;
	size_t n, m;

	t.opts = MSS_OPT;
	t.optlen = sizeof MSS_OPT;
	t.payload = DATA;
	t.paylen = 16;
	n = pc_l4(seg, sizeof seg, src->v6, src->b, dst->b, &t);
	assert_int_equal(n, 24 + 16);
	if (src->v6) {
		struct pc_ext fh;
		struct pc_ip6 ip;

		memset(&ip, 0, sizeof ip);
		memcpy(ip.src, src->b, 16);
		memcpy(ip.dst, dst->b, 16);
		ip.hlim = 64;
		ip.ext = &fh;
		ip.next = 1;
		memset(&fh, 0, sizeof fh);
		fh.type = 44;
		fh.frag_id = frag_id;
		fh.mf = 1;
		fh.frag_off = 0;
		m = pc_ip6_raw(buf, sizeof buf, &ip, 6, seg, 24);
		assert_true(m > 0);
		feed_ip(e, buf, m, 1);
		e->now += 10;
		fh.mf = 0;
		fh.frag_off = 24;
		m = pc_ip6_raw(buf, sizeof buf, &ip, 6, seg + 24, n - 24);
		assert_true(m > 0);
		feed_ip(e, buf, m, 1);
	} else {
		struct pc_ip4 ip;

		memset(&ip, 0, sizeof ip);
		memcpy(ip.src, src->b, 4);
		memcpy(ip.dst, dst->b, 4);
		ip.ttl = 50;
		ip.id = (uint16_t)frag_id;
		ip.frag = 0x2000; /* MF, offset 0 */
		m = pc_ip4_raw(buf, sizeof buf, &ip, 6, seg, 24);
		assert_true(m > 0);
		feed_ip(e, buf, m, 0);
		e->now += 10;
		ip.frag = 24 / 8;
		m = pc_ip4_raw(buf, sizeof buf, &ip, 6, seg + 24, n - 24);
		assert_true(m > 0);
		feed_ip(e, buf, m, 0);
	}
	e->now += RTT;
	r = tcp(dport, 41000, SW_TH_RST | SW_TH_ACK, 0, seq + 1, 0);
	tx(e, dst, src, &r, 64, RTT);
}

static void fragments(struct eng *e, const char *src, const char *dst)
{
	struct ep scanner = ep(src), target = ep(dst);
	const struct sw_rec_det *o, *c;

	start(e);
	for (int i = 0; i < 6; i++) {
		fragmented_syn(e, &scanner, &target, (uint16_t)(130 + i), 0x5000u + (uint32_t)i);
		e->now += 20 * MS;
	}
	finish(e, scanner.v6 ? "fragments, IPv6" : "fragments, IPv4");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN);
	assert_kind(o, SW_K_PORT_SCAN, SW_V_SYN);
	assert_src(o, &scanner.a);
	assert_int_equal(o->failed_contacts, 4);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->ports, 6);
}

static void test_fragmented_probes(void **state)
{
	fragments(*state, "198.51.100.7", "203.0.113.5");
}

static void test_fragmented_probes_ipv6(void **state)
{
	fragments(*state, "2001:db8::7", "2001:db8:1::5");
}

/* ---- 7: state exhaustion --------------------------------------------------------------- */

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

/* Fix the IPv4 and TCP checksums of an Ethernet/IPv4(20)/TCP(20) frame. */
static void fix_checksums(uint8_t *f)
{
	uint8_t *ip = f + 14, *th = ip + 20;
	uint8_t pseudo[12];
	uint16_t s;

	ip[10] = ip[11] = 0;
	s = csum_fold(csum_add(0, ip, 20));
	ip[10] = (uint8_t)(s >> 8);
	ip[11] = (uint8_t)s;
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = 0;
	pseudo[11] = 20;
	th[16] = th[17] = 0;
	s = csum_fold(csum_add(csum_add(0, pseudo, 12), th, 20));
	th[16] = (uint8_t)(s >> 8);
	th[17] = (uint8_t)s;
}

static void put_random_addr(struct eng *e, uint8_t *at, const struct ep *avoid1,
                            const struct ep *avoid2)
{
	do {
		uint32_t a = rnd(e);
		at[0] = (uint8_t)(a >> 24);
		at[1] = (uint8_t)(a >> 16);
		at[2] = (uint8_t)(a >> 8);
		at[3] = (uint8_t)a;
	} while (at[0] == 0 || memcmp(at, avoid1->b, 4) == 0 || memcmp(at, avoid2->b, 4) == 0);
}

/*
 * total spoofed SYNs (hping3 --rand-source -S shape) at pps, to victim:80,
 * or with random_dst to random hosts and ports; a real 20-port SYN scan
 * from scanner against target, answered RST, spread inside. slow_first of
 * them come first at slow_pps (a spoofed stream kept under the flood
 * threshold, where flood suppression cannot absorb it).
 */
static void spoofed_flood(struct eng *e, unsigned long total, unsigned pps,
                          unsigned long slow_first, unsigned slow_pps, int random_dst,
                          const struct ep *scanner, const struct ep *target,
                          const struct ep *victim)
{
	uint8_t f[PC_MAX];
	struct pc_l4 t = tcp(1024, 80, SW_TH_SYN, 0x1234, 0, 512);
	struct ep zero = ep("10.0.0.1");
	size_t n = mk_ip(e, f, sizeof f, &zero, victim, &t, 64);
	unsigned long next_probe, gap, probes = 0;

	n = pc_eth(f, n, sizeof f, 0x0800);
	assert_int_equal(n, 14 + 20 + 20);
	/* the scan runs inside the fast part of the flood */
	gap = (total - slow_first) / 21;
	next_probe = slow_first + gap;
	for (unsigned long i = 0; i < total; i++) {
		uint32_t r = rnd(e);

		put_random_addr(e, f + 26, scanner, target);
		f[34] = (uint8_t)(r >> 8); /* source port */
		f[35] = (uint8_t)r;
		f[38] = (uint8_t)(r >> 24); /* sequence */
		f[39] = (uint8_t)(r >> 16);
		if (random_dst) {
			uint32_t p = rnd(e);
			put_random_addr(e, f + 30, scanner, target);
			f[36] = (uint8_t)(p >> 8);
			f[37] = (uint8_t)p;
		}
		fix_checksums(f);
		feed_frame(e, f, n);
		e->now += SEC / (i < slow_first ? slow_pps : pps);
		if (i == next_probe && probes < 20) {
			/* the probe and its RST take RTT each, inside the flood */
			syn_probe(e, scanner, 45555, target, (uint16_t)(1 + probes * 37), ANS_RST);
			probes++;
			next_probe += gap;
		}
	}
	assert_int_equal(probes, 20);
}

static void assert_exhaustion_ok(struct eng *e, const struct ep *scanner, uint64_t mem_before)
{
	const struct sw_detect_stats *st = sw_detect_stats(e->d);
	const struct sw_rec_det *o, *c;
	size_t i, scans = 0;

	assert_int_equal(sw_detect_memory(e->d), mem_before);
	assert_true(mem_before <= 64 * MIB);
	if (verbose())
		fprintf(stderr, "  evictions: sources %llu contacts %llu details %llu flood %llu, "
		        "port_probe rows suppressed %llu, detections %llu, memory %.1f MiB\n",
		        (unsigned long long)st->source_evictions,
		        (unsigned long long)st->contact_evictions,
		        (unsigned long long)st->detail_evictions,
		        (unsigned long long)st->flood_evictions,
		        (unsigned long long)st->probes_suppressed,
		        (unsigned long long)st->detections, (double)mem_before / (double)MIB);
	assert_true(st->source_evictions + st->contact_evictions > 0);

	assert_int_equal(opens_from(e, SW_K_PORT_SCAN, &scanner->a), 1);
	o = NULL;
	for (i = 0; i < e->col.n; i++) {
		const struct sw_rec *r = &e->col.r[i];
		if (r->type != SW_REC_DET_OPEN || r->u.det.kind == SW_K_PORT_PROBE ||
		    r->u.det.kind == SW_K_SYN_FLOOD)
			continue;
		scans++;
		o = &r->u.det;
	}
	assert_int_equal(scans, 1); /* the spoofed noise makes no scan */
	assert_non_null(o);
	assert_kind(o, SW_K_PORT_SCAN, SW_V_SYN);
	assert_src(o, &scanner->a);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_true(c->ports >= 4 && c->ports <= 20);
}

static void test_state_exhaustion_one_victim(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.66"), target = ep("203.0.113.77");
	struct ep victim = ep("203.0.113.80");
	const struct sw_rec_det *o;
	uint64_t mem;

	start(e);
	mem = sw_detect_memory(e->d);
	/* 2,000,000 spoofed SYNs to victim:80: 200,000 under the flood
	 * threshold (900/s, over three minutes: three times the sources
	 * table), then 1,800,000 at 100,000/s. The slow lead-in is what fills
	 * the tables: once a syn_flood is open on victim:80, its SYNs are
	 * counted for the flood and not tracked per source at all, so a flood
	 * at full rate from its first packet evicts nothing (measured: 0
	 * evictions of any kind for 2,000,000 SYNs at 100,000/s). */
	spoofed_flood(e, 2000000, 100000, 200000, 900, 0, &scanner, &target, &victim);
	finish(e, "state exhaustion, one victim");

	assert_exhaustion_ok(e, &scanner, mem);
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_SYN_FLOOD), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_SYN_FLOOD);
	assert_int_equal(o->proto, 6);
	assert_int_equal(o->targets, 1);
	assert_int_equal(o->ports, 1);
	/* spoofed sources: no innocent address is blamed, the flood is from
	 * the unspecified address, the same in every record */
	{
		struct sw_addr unspecified = { .family = SW_AF_INET };
		assert_true(sw_addr_eq(&o->src, &unspecified));
	}
	o = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_true(o->packets >= 1800000);
	assert_int_equal(o->src.bytes[0], 0);
}

static void test_state_exhaustion_random_targets(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.66"), target = ep("203.0.113.77");
	struct ep victim = ep("203.0.113.80");
	uint64_t mem;

	start(e);
	mem = sw_detect_memory(e->d);
	/* random sources, hosts and ports: nothing for flood suppression to
	 * hold on to; every SYN is a new source and a new contact */
	spoofed_flood(e, 1000000, 100000, 0, 1, 1, &scanner, &target, &victim);
	finish(e, "state exhaustion, random targets");

	assert_exhaustion_ok(e, &scanner, mem);
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_SYN_FLOOD), 0);
}

/* ---- 8: floods ------------------------------------------------------------------------------- */

static void test_hping3_syn_flood(void **state)
{
	struct eng *e = *state;
	struct ep attacker = ep("198.51.100.23"), victim = ep("203.0.113.80");
	const struct sw_rec_det *o, *c;
	const char *lines[4] = { NULL };
	uint64_t t0;

	start(e);
	/* hping3 -S -p 80 -i u333: window 512, no options, the source port
	 * counting up; the open port answers SYN-ACK, the kernel resets */
	t0 = e->now;
	for (int i = 0; i < 3000; i++) {
		uint16_t sport = (uint16_t)(2000 + i);
		uint32_t seq = rnd(e);
		struct pc_l4 t = tcp(sport, 80, SW_TH_SYN, seq, 0, 512);
		uint32_t ss = rnd(e);

		e->now = t0 + (uint64_t)i * 333;
		tx(e, &attacker, &victim, &t, 64, 40);
		t = tcp(80, sport, SW_TH_SYN | SW_TH_ACK, ss, seq + 1, 64240);
		t.opts = MSS_OPT;
		t.optlen = sizeof MSS_OPT;
		tx(e, &victim, &attacker, &t, 64, 40);
		t = tcp(sport, 80, SW_TH_RST, seq + 1, 0, 0);
		tx(e, &attacker, &victim, &t, 64, 40);
	}
	finish(e, "hping3 SYN flood");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_SYN_FLOOD);
	assert_kind(o, SW_K_SYN_FLOOD, SW_V_NONE);
	assert_src(o, &attacker.a);
	assert_int_equal(o->proto, 6);
	assert_int_equal(o->targets, 1);
	assert_int_equal(o->ports, 1);
	assert_int_equal(o->tool, SW_TOOL_HPING3);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->packets, 3000);
	assert_true(evidence(e, o->seq, lines, 4) >= 1);
	assert_contains(lines[0], "TCP SYN packets to 203.0.113.80 port 80");
	assert_contains(lines[0], "from 198.51.100.23");
}

/* Completed connections at rate per second for secs seconds from many
 * clients to one server. */
static void web_load(struct eng *e, unsigned rate, unsigned secs)
{
	struct ep server = ep("203.0.113.80");
	struct ep clients[250];
	char name[32];
	uint64_t gap = SEC / rate;

	for (int i = 0; i < 250; i++) {
		snprintf(name, sizeof name, "198.51.%d.%d", 100 + i / 200, 1 + i % 200);
		clients[i] = ep(name);
	}
	for (unsigned i = 0; i < rate * secs; i++) {
		uint64_t t = e->now;

		/* a LAN round trip, so that connections do not overlap */
		connection(e, &clients[i % 250], (uint16_t)(20000 + i / 250), &server, 443,
		           gap / 8);
		assert_true(e->now < t + gap);
		e->now = t + gap;
	}
}

static void test_benign_web_load_300(void **state)
{
	struct eng *e = *state;

	start(e);
	web_load(e, 300, 5);
	finish(e, "web load 300/s");
	assert_int_equal(e->col.n, 0);
}

static void test_benign_web_load_2000(void **state)
{
	struct eng *e = *state;

	/* over the SYN threshold, but every handshake completes: the answered
	 * ratio says it is load, not a flood */
	start(e);
	web_load(e, 2000, 2);
	finish(e, "web load 2000/s");
	assert_int_equal(e->col.n, 0);
}

/* ---- 8b: answered echo floods, carpet bombing ------------------------------------------ */

/* n echo requests at pps from src to dst, each answered 50 us later when
 * answered. */
static void echo_flood(struct eng *e, const struct ep *src, const struct ep *dst, unsigned pps,
                       unsigned n, int answered)
{
	uint64_t t0 = e->now;
	struct pc_l4 ic;

	memset(&ic, 0, sizeof ic);
	ic.proto = src->v6 ? 58 : 1;
	ic.id = 0x77;
	ic.payload = DATA;
	ic.paylen = 56;
	for (unsigned i = 0; i < n; i++) {
		e->now = t0 + (uint64_t)i * SEC / pps;
		ic.type = src->v6 ? 128 : 8;
		ic.seqno = (uint16_t)i;
		tx(e, src, dst, &ic, 64, 50);
		if (answered) {
			ic.type = src->v6 ? 129 : 0;
			tx(e, dst, src, &ic, 64, 0);
		}
	}
	e->now = t0 + (uint64_t)n * SEC / pps;
}

static void test_echo_flood_answered(void **state)
{
	struct eng *e = *state;
	struct ep pinger = ep("198.51.100.23"), victim = ep("203.0.113.80");
	const struct sw_rec_det *o, *c;
	const char *lines[4] = { NULL };

	start(e);
	/* ping -f at 5000/s, every request answered: a flood all the same */
	echo_flood(e, &pinger, &victim, 5000, 15000, 1);
	finish(e, "answered echo flood, 5000/s");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_ICMP_FLOOD);
	assert_src(o, &pinger.a);
	assert_int_equal(o->proto, 1);
	assert_int_equal(o->targets, 1);
	assert_int_equal(o->ports, 0);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_true(c->packets >= 14000);
	assert_true(evidence(e, o->seq, lines, 4) >= 1);
	assert_contains(lines[0], "ICMP echo packets to 203.0.113.80: 1000 in the last second, "
	                          "999 answered, from 198.51.100.23");
}

static void test_echo_answered_50pps(void **state)
{
	struct eng *e = *state;
	struct ep pinger = ep("198.51.100.23"), host = ep("203.0.113.80");

	start(e);
	echo_flood(e, &pinger, &host, 50, 500, 1);
	finish(e, "answered echo, 50/s");
	assert_int_equal(e->col.n, 0);
}

/* A random public IPv4 source, or one in 2001:db8:f000::/36 */
static struct ep random_source(struct eng *e, int v6)
{
	struct ep x;
	uint32_t r = rnd(e);

	memset(&x, 0, sizeof x);
	x.v6 = v6;
	if (v6) {
		x.b[0] = 0x20;
		x.b[1] = 0x01;
		x.b[2] = 0x0d;
		x.b[3] = 0xb8;
		x.b[4] = (uint8_t)(0xf0 | (r & 0x0f));
		for (int i = 5; i < 16; i++)
			x.b[i] = (uint8_t)rnd(e);
		sw_addr_set6(&x.a, x.b);
	} else {
		x.b[0] = (uint8_t)(1 + r % 223);
		x.b[1] = (uint8_t)(r >> 8);
		x.b[2] = (uint8_t)(r >> 16);
		x.b[3] = (uint8_t)(r >> 24);
		sw_addr_set4(&x.a, x.b);
	}
	return x;
}

/* secs seconds of spoofed SYNs (random sources, source ports and
 * sequence numbers) at pps_each to each of the n addresses dst, in turn;
 * to dport, or to random ports when dport is 0. */
static void carpet_bomb(struct eng *e, const struct ep *dst, unsigned n, unsigned pps_each,
                        unsigned secs, uint16_t dport)
{
	uint64_t t0 = e->now, total = (uint64_t)n * pps_each * secs;

	for (uint64_t i = 0; i < total; i++) {
		const struct ep *to = &dst[i % n];
		struct ep from = random_source(e, to->v6);
		uint32_t r = rnd(e);
		struct pc_l4 t = tcp((uint16_t)(1024 + r % 60000), dport ? dport : (uint16_t)(r >> 16),
		                     SW_TH_SYN, rnd(e), 0, 512);

		e->now = t0 + i * SEC / ((uint64_t)n * pps_each);
		tx(e, &from, to, &t, 64, 0);
	}
	e->now = t0 + (uint64_t)secs * SEC;
}

/* The addresses 203.0.113.1 .. .254 */
static void slash24(struct ep *a)
{
	char name[32];

	for (int i = 0; i < 254; i++) {
		snprintf(name, sizeof name, "203.0.113.%d", i + 1);
		a[i] = ep(name);
	}
}

/* Only the syn_flood opens (port_probe rows from spoofed sources that hit
 * a login port before the flood opened are noise, as in the exhaustion
 * tests); none of them a single target's. */
static const struct sw_rec_det *one_prefix_syn_flood(const struct eng *e)
{
	for (size_t i = 0; i < e->col.n; i++) {
		const struct sw_rec *r = &e->col.r[i];
		if (r->type == SW_REC_DET_OPEN && r->u.det.kind != SW_K_PORT_PROBE &&
		    r->u.det.kind != SW_K_SYN_FLOOD)
			fail_msg("a %s besides the flood", sw_kind_name(r->u.det.kind));
	}
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_SYN_FLOOD), 1);
	return find(e, SW_REC_DET_OPEN, SW_K_SYN_FLOOD);
}

static void test_carpet_bombing(void **state)
{
	struct eng *e = *state;
	struct ep hosts[254];
	struct sw_addr unspecified = { .family = SW_AF_INET };
	const struct sw_rec_det *o, *c;
	const char *lines[4] = { NULL };

	slash24(hosts);
	start(e);
	/* 370 SYNs a second to every address, random ports: 94,000 a second,
	 * no (target, port) near syn_pps */
	carpet_bomb(e, hosts, 254, 370, 1, 0);
	finish(e, "carpet bombing, /24");

	o = one_prefix_syn_flood(e);
	assert_src(o, &unspecified);
	assert_int_equal(o->proto, 6);
	assert_int_equal(o->ports, 0);
	assert_true(o->targets >= 200 && o->targets <= 254); /* the opening window's */
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->targets, 254);
	assert_int_equal(c->targets_capped, 0);
	assert_src(c, &unspecified);
	assert_true(c->packets >= 90000);
	assert_true(evidence(e, o->seq, lines, 4) >= 2);
	assert_contains(lines[0], "TCP SYN packets to 203.0.113.0/24 (");
	assert_contains(lines[0], " addresses): 20000 in the last second, 0 answered, from ");
	assert_contains(lines[0], "or more senders (spoofed?), none with half");
	assert_contains(lines[1], "TCP SYN packets to 203.0.113.0/24 (254 addresses): ");
}

/*
 * Before a flood from forged sources is detected, each forged address that
 * hit a login port looks like a prober; its port_probe row would send a
 * memo to the address's innocent owner. Once the flood is known, the rows
 * of probes that all met it are not written. A real prober elsewhere, at
 * the same time, still is.
 */
static void test_forged_flood_makes_no_port_probes(void **state)
{
	struct eng *e = *state;
	struct ep hosts[254], prober = ep("192.0.2.222"), other = ep("198.51.100.9");

	slash24(hosts);
	start(e);
	carpet_bomb(e, hosts, 254, 370, 1, 22);
	syn_probe(e, &prober, 40000, &other, 22, ANS_NONE);
	syn_probe(e, &prober, 40001, &other, 23, ANS_NONE);
	e->now += 5 * SEC;
	finish(e, "carpet bombing on ssh, and one real prober elsewhere");
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_SYN_FLOOD), 1);
	/* the real prober's only: a forged source whose pending contact was
	 * pushed out of the full table (settled as failed before the flood was
	 * recognised) is looked at again when its group closes */
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_PORT_PROBE), 1);
	assert_int_equal(opens_from(e, SW_K_PORT_PROBE, &prober.a), 1);
	assert_true(sw_detect_stats(e->d)->probes_suppressed > 1000);
}

/* The same, made certain: a contact table too small for the flood's first
 * second, so that forged first contacts are pushed out (and settled as
 * failed) before the flood is recognised, and a details table large enough
 * that their groups are still there when it is. None of those forged
 * sources may get a port_probe. (Details pushed out before the flood is
 * recognised are still written, within the port_probe rate limit.) */
static void test_forged_flood_pushed_out_contacts(void **state)
{
	struct eng *e = *state;
	struct ep hosts[254];

	slash24(hosts);
	e->s.contacts = 16384;
	e->s.details = 131072;
	start(e);
	carpet_bomb(e, hosts, 254, 370, 1, 22);
	e->now += 5 * SEC;
	finish(e, "carpet bombing on ssh through a small contact table");
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_SYN_FLOOD), 1);
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_PORT_PROBE), 0);
	assert_true(sw_detect_stats(e->d)->contact_evictions > 1000);
}

/*
 * A sources table of two buckets, flooded with one-packet sources (SYNs
 * to random hosts and ports, never answered) around a scanner: the
 * scanner's entry, worth more from its first failure on, is never the
 * victim of a new source, so its scan is still one detection. Packet
 * time starts at t0, after one packet lead microseconds before: times out
 * of the window of the sources table's slot words (hostile captures) have
 * the victim chosen entry by entry, the same way.
 */
static void scan_through_small_sources_table(struct eng *e, uint64_t t0, uint64_t lead)
{
	struct ep scanner = ep("198.51.100.7"), target = ep("203.0.113.5");
	struct ep early = ep("192.0.2.1");
	char a[32];

	e->s.sources = 16;
	e->now = t0 - lead;
	start(e);
	if (lead) {
		syn_probe(e, &early, 1024, &target, 80, ANS_NONE);
		e->now = t0;
	}
	for (size_t i = 0; i < 4; i++) {
		syn_probe(e, &scanner, 41000, &target, FOUR_PORTS[i], ANS_RST);
		for (unsigned k = 0; k < 50; k++) {
			uint32_t r = rnd(e), h = rnd(e);
			struct ep one, host;

			snprintf(a, sizeof a, "10.%u.%u.%u", r >> 16 & 255, r >> 8 & 255, r & 255);
			one = ep(a);
			snprintf(a, sizeof a, "203.0.113.%u", 1 + h % 250);
			host = ep(a);
			syn_probe(e, &one, (uint16_t)(1024 + k), &host, (uint16_t)(1 + (h >> 8) % 60000),
			          ANS_NONE);
			e->now += 10 * MS;
		}
	}
	finish(e, "SYN scan among 200 one-packet sources, 16 source entries");
	assert_int_equal(opens_from(e, SW_K_PORT_SCAN, &scanner.a), 1);
	assert_true(sw_detect_stats(e->d)->source_evictions > 150);
}

static void test_scan_through_small_sources_table(void **state)
{
	scan_through_small_sources_table(*state, T0, 0);
}

/* 2^59 us, 18,000 years on: the slot words' ages count from the first new
 * source's time */
static void test_scan_through_small_sources_table_far_times(void **state)
{
	scan_through_small_sources_table(*state, 1ull << 59, 0);
}

/* 2^47 us (4.5 years) after the first packet: beyond the window of the
 * slot words' ages, every source's age is in its entry */
static void test_scan_through_small_sources_table_hostile_times(void **state)
{
	scan_through_small_sources_table(*state, T0, 1ull << 47);
}

static void test_carpet_bombing_ipv6(void **state)
{
	struct eng *e = *state;
	struct ep hosts[256];
	struct sw_addr unspecified = { .family = SW_AF_INET6 };
	const struct sw_rec_det *o, *c;
	const char *lines[4] = { NULL };

	/* 256 addresses of 2001:db8:1::/64 with random interface identifiers */
	for (int i = 0; i < 256; i++) {
		hosts[i] = ep("2001:db8:1::");
		for (int k = 8; k < 16; k++)
			hosts[i].b[k] = (uint8_t)rnd(e);
		sw_addr_set6(&hosts[i].a, hosts[i].b);
	}
	start(e);
	carpet_bomb(e, hosts, 256, 370, 1, 443);
	finish(e, "carpet bombing, /64");

	o = one_prefix_syn_flood(e);
	assert_src(o, &unspecified);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	/* linear counting on 256 bits: an estimate, within 20% here */
	assert_true(c->targets >= 205 && c->targets <= 307);
	assert_int_equal(c->targets_capped, 0);
	assert_true(evidence(e, o->seq, lines, 4) >= 2);
	assert_contains(lines[1], "TCP SYN packets to 2001:db8:1::/64 (about ");
	assert_contains(lines[1], " addresses): ");
}

/* A busy /24 of web servers: conns handshakes a second spread over its
 * 254 addresses from 250 clients, every one completed. */
static void test_busy_slash24_is_nothing(void **state)
{
	struct eng *e = *state;
	struct ep hosts[254], clients[250];
	char name[32];
	unsigned conns = 25000, secs = 1;
	uint64_t t0;

	slash24(hosts);
	for (int i = 0; i < 250; i++) {
		snprintf(name, sizeof name, "198.51.%d.%d", 100 + i / 200, 1 + i % 200);
		clients[i] = ep(name);
	}
	start(e);
	t0 = e->now;
	for (unsigned i = 0; i < conns * secs; i++) {
		const struct ep *cli = &clients[i % 250], *srv = &hosts[(i * 7) % 254];
		uint16_t sport = (uint16_t)(20000 + i / 250);
		uint32_t cs = rnd(e), ss = rnd(e);
		struct pc_l4 t;

		e->now = t0 + (uint64_t)i * SEC / conns;
		t = tcp(sport, 443, SW_TH_SYN, cs, 0, 64240);
		t.opts = LINUX_OPTS;
		t.optlen = sizeof LINUX_OPTS;
		tx(e, cli, srv, &t, 64, 5);
		t = tcp(443, sport, SW_TH_SYN | SW_TH_ACK, ss, cs + 1, 65160);
		t.opts = SYNACK_OPTS;
		t.optlen = sizeof SYNACK_OPTS;
		tx(e, srv, cli, &t, 64, 5);
		t = tcp(sport, 443, SW_TH_ACK, cs + 1, ss + 1, 502);
		tx(e, cli, srv, &t, 64, 0);
	}
	finish(e, "busy /24, 25000 handshakes/s");
	assert_int_equal(e->col.n, 0);
}

/* n spoofed SYNs at pps to victim:80, as hping3 --rand-source sends them */
static void syn_flood_one(struct eng *e, const struct ep *victim, unsigned pps, unsigned n)
{
	uint64_t t0 = e->now;

	for (unsigned i = 0; i < n; i++) {
		struct ep from = random_source(e, victim->v6);
		struct pc_l4 t = tcp((uint16_t)(1024 + rnd(e) % 60000), 80, SW_TH_SYN, rnd(e), 0, 512);

		e->now = t0 + (uint64_t)i * SEC / pps;
		tx(e, &from, victim, &t, 64, 0);
	}
	e->now = t0 + (uint64_t)n * SEC / pps;
}

static void test_one_host_in_slash24_is_one_flood(void **state)
{
	struct eng *e = *state;
	struct ep victim = ep("203.0.113.80");
	const struct sw_rec_det *o, *c;

	start(e);
	syn_flood_one(e, &victim, 5000, 10000);
	/* then 60,000 a second, three times the /24's rate: still the target's
	 * flood alone, its packets do not count for the prefix */
	syn_flood_one(e, &victim, 60000, 60000);
	finish(e, "one host of a /24 flooded");

	o = one_prefix_syn_flood(e);
	assert_int_equal(o->targets, 1);
	assert_int_equal(o->ports, 1);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_true(c->packets >= 69000);
}

static void test_host_inside_carpet_is_one_flood(void **state)
{
	struct eng *e = *state;
	struct ep hosts[254];
	struct ep victim = ep("203.0.113.80");
	const struct sw_rec_det *o, *c;

	slash24(hosts);
	start(e);
	/* the /24 is carpet-bombed on port 80; then one of its hosts gets 5000
	 * SYNs a second on the same port: part of the open prefix flood, not
	 * a flood of its own */
	carpet_bomb(e, hosts, 254, 370, 1, 80);
	syn_flood_one(e, &victim, 5000, 4000);
	finish(e, "one host inside a carpet-bombed /24");

	o = one_prefix_syn_flood(e);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->targets, 254);
	assert_true(c->packets >= 94000);
}

/* ---- 9: login attempts ----------------------------------------------------------------- */

static void ssh_sessions(struct eng *e, int n)
{
	struct ep client = ep("198.51.100.44"), server = ep("203.0.113.22");

	start(e);
	for (int i = 0; i < n; i++) {
		connection(e, &client, (uint16_t)(50000 + i), &server, 22, 2 * MS);
		e->now += 4 * SEC;
	}
}

static void test_login_attempts(void **state)
{
	struct eng *e = *state;
	struct ep client = ep("198.51.100.44");
	const struct sw_rec_det *o, *c;
	const char *lines[8] = { NULL };

	ssh_sessions(e, 12);
	finish(e, "12 ssh sessions");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_LOGIN_ATTEMPTS);
	assert_kind(o, SW_K_LOGIN_ATTEMPTS, SW_V_NONE);
	assert_src(o, &client.a);
	assert_int_equal(o->proto, 6);
	assert_int_equal(o->targets, 1);
	assert_int_equal(o->ports, 1);
	assert_int_equal(o->failed_contacts, 0);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->packets, 12);
	assert_true(evidence(e, o->seq, lines, 8) >= 1);
	assert_contains(lines[0], "TCP 198.51.100.44:50000 -> 203.0.113.22:22 (ssh) SYN, "
	                          "connection completed");
}

static void test_login_three_sessions(void **state)
{
	struct eng *e = *state;

	ssh_sessions(e, 3);
	finish(e, "3 ssh sessions");
	assert_int_equal(e->col.n, 0);
}

/* ---- 10: stealth scans ------------------------------------------------------------------ */

static void stealth(struct eng *e, uint8_t flags, unsigned variant, int nports)
{
	struct ep scanner = ep("198.51.100.31"), target = ep("203.0.113.9");
	const struct sw_rec_det *o, *c;

	start(e);
	/* closed ports answer RST, open ones say nothing (RFC 793) */
	for (int i = 0; i < nports; i++) {
		tcp_probe(e, &scanner, 60123, &target, (uint16_t)(100 + i),
		          flags, i % 3 == 2 ? ANS_NONE : ANS_RST);
		e->now += 5 * MS;
	}
	finish(e, sw_variant_name(variant));

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_STEALTH_SCAN);
	assert_kind(o, SW_K_STEALTH_SCAN, variant);
	assert_src(o, &scanner.a);
	assert_int_equal(o->proto, 6);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->ports, (unsigned)nports);
	assert_int_equal(c->targets, 1);
}

static void test_stealth_fin(void **state)
{
	struct eng *e = *state;
	const char *lines[8] = { NULL };
	size_t n, silent = 0;

	stealth(e, SW_TH_FIN, SW_V_FIN, 5);
	n = evidence(e, find(e, SW_REC_DET_OPEN, SW_K_STEALTH_SCAN)->seq, lines, 8);
	assert_int_equal(n, 5);
	assert_contains(lines[0], "TCP 198.51.100.31:60123 -> 203.0.113.9:100 FIN, answered RST");
	/* the open port's silence settles at the timeout, after the others:
	 * evidence comes in the order outcomes were known */
	for (size_t i = 0; i < n; i++)
		if (strstr(lines[i], "203.0.113.9:102 FIN, no answer"))
			silent++;
	assert_int_equal(silent, 1);
}

static void test_stealth_xmas(void **state)
{
	stealth(*state, SW_TH_FIN | SW_TH_PUSH | SW_TH_URG, SW_V_XMAS, 5);
}

static void test_stealth_null(void **state)
{
	stealth(*state, 0, SW_V_NULL, 5);
}

static void test_stealth_ack_scan(void **state)
{
	stealth(*state, SW_TH_ACK, SW_V_ACK, 10);
}

/* n bare ACKs to closed ports of one host, each answered by RST */
static void ack_probes(struct eng *e, int n)
{
	struct ep scanner = ep("198.51.100.31"), target = ep("203.0.113.9");

	start(e);
	for (int i = 0; i < n; i++) {
		tcp_probe(e, &scanner, 60123, &target, (uint16_t)(100 + i), SW_TH_ACK, ANS_RST);
		e->now += 5 * MS;
	}
	e->now += 10 * SEC;
}

static void test_ack_scan_five_rsts(void **state)
{
	struct eng *e = *state;
	const struct sw_rec_det *o;

	ack_probes(e, 5);
	finish(e, "5 ACK probes answered by RST");
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_STEALTH_SCAN), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_STEALTH_SCAN);
	assert_kind(o, SW_K_STEALTH_SCAN, SW_V_ACK);
	assert_int_equal(o->failed_contacts, 5);
}

static void test_ack_scan_four_rsts_is_not(void **state)
{
	struct eng *e = *state;

	ack_probes(e, 4);
	finish(e, "4 ACK probes answered by RST");
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_STEALTH_SCAN), 0);
}

/* A host whose connections were open before the capture started sends bare
 * ACKs on them; the servers answer with data (not looked up) or not at all,
 * never with RST. However many there are, that is not an ACK scan. */
static void test_acks_of_old_connections(void **state)
{
	struct eng *e = *state;
	struct ep client = ep("192.0.2.77"), server = ep("203.0.113.9");

	start(e);
	for (int i = 0; i < 12; i++) {
		tcp_probe(e, &client, (uint16_t)(40000 + i), &server, (uint16_t)(8000 + i),
		          SW_TH_ACK, ANS_NONE);
		e->now += 5 * MS;
	}
	e->now += 10 * SEC;
	finish(e, "bare ACKs of 12 connections older than the capture");
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_STEALTH_SCAN), 0);
}

/* The same host keeps connections older than the capture (bare ACKs, no
 * answer) and runs a FIN scan of another host: the ACKs neither hide the
 * FIN scan nor turn its RSTs into an ACK scan. */
static void acks_then_fins(struct eng *e, int nfin)
{
	struct ep host = ep("192.0.2.77"), server = ep("203.0.113.9"), target = ep("203.0.113.10");

	start(e);
	for (int i = 0; i < 6; i++) {
		tcp_probe(e, &host, (uint16_t)(40000 + i), &server, (uint16_t)(8000 + i),
		          SW_TH_ACK, ANS_NONE);
		e->now += 5 * MS;
	}
	e->now += 10 * SEC;
	for (int i = 0; i < nfin; i++) {
		tcp_probe(e, &host, 60123, &target, (uint16_t)(100 + i), SW_TH_FIN, ANS_RST);
		e->now += 5 * MS;
	}
	e->now += 10 * SEC;
}

static void test_old_connections_do_not_hide_a_fin_scan(void **state)
{
	struct eng *e = *state;

	acks_then_fins(e, 4);
	finish(e, "6 bare ACKs of old connections, then 4 FINs answered by RST");
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_STEALTH_SCAN), 1);
	assert_kind(find(e, SW_REC_DET_OPEN, SW_K_STEALTH_SCAN), SW_K_STEALTH_SCAN, SW_V_FIN);
}

static void test_fin_rsts_are_not_an_ack_scan(void **state)
{
	struct eng *e = *state;
	const struct sw_rec_det *c;

	acks_then_fins(e, 6);
	finish(e, "6 bare ACKs of old connections, then 6 FINs answered by RST");
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_STEALTH_SCAN), 1);
	assert_kind(find(e, SW_REC_DET_OPEN, SW_K_STEALTH_SCAN), SW_K_STEALTH_SCAN, SW_V_FIN);
	c = find(e, SW_REC_DET_CLOSE, SW_K_STEALTH_SCAN);
	assert_kind(c, SW_K_STEALTH_SCAN, SW_V_FIN);
}

static void test_single_ack_is_nothing(void **state)
{
	struct eng *e = *state;
	struct ep scanner = ep("198.51.100.31"), target = ep("203.0.113.9");

	start(e);
	tcp_probe(e, &scanner, 60123, &target, 80, SW_TH_ACK, ANS_RST);
	e->now += 10 * SEC;
	finish(e, "one bare ACK");
	assert_int_equal(e->col.n, 0);
}

/* ---- 11: ping sweeps ----------------------------------------------------------------------- */

static void sweep(struct eng *e, const char *src, const char *net, int hosts)
{
	struct ep pinger = ep(src);
	char name[64];

	start(e);
	for (int i = 0; i < hosts; i++) {
		struct ep h;
		if (strchr(net, ':'))
			snprintf(name, sizeof name, "2001:db8:1::%x", 10 + i);
		else
			snprintf(name, sizeof name, "203.0.113.%d", 10 + i);
		h = ep(name);
		ping(e, &pinger, &h, 0x4d2, (uint16_t)i, 1);
		e->now += 20 * MS;
	}
}

static void test_ping_sweep(void **state)
{
	struct eng *e = *state;
	struct ep pinger = ep("198.51.100.50");
	const struct sw_rec_det *o, *c;
	const char *lines[8] = { NULL };

	sweep(e, "198.51.100.50", "203.0.113.0", 10);
	finish(e, "ping sweep");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_PING_SWEEP);
	assert_kind(o, SW_K_PING_SWEEP, SW_V_NONE);
	assert_src(o, &pinger.a);
	assert_int_equal(o->proto, 1);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->targets, 10);
	assert_true(evidence(e, o->seq, lines, 8) >= 1);
	assert_contains(lines[0], "ICMP 198.51.100.50 -> 203.0.113.10 echo request, "
	                          "answered echo reply");
}

static void test_ping_sweep_ipv6(void **state)
{
	struct eng *e = *state;
	struct ep pinger = ep("2001:db8::50");
	const struct sw_rec_det *o, *c;

	sweep(e, "2001:db8::50", "2001:db8:1::", 10);
	finish(e, "ICMPv6 ping sweep");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_PING_SWEEP);
	assert_src(o, &pinger.a);
	assert_int_equal(o->proto, 58);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->targets, 10);
}

static void test_ping_three_hosts(void **state)
{
	struct eng *e = *state;

	sweep(e, "198.51.100.50", "203.0.113.0", 3);
	finish(e, "3 pings");
	assert_int_equal(e->col.n, 0);
}

/* ---- 12: direction and ignore lists ----------------------------------------------------- */

static void set_prefixes(struct sw_prefix_list *l, const char *text)
{
	char why[128];

	memset(l, 0, sizeof *l);
	if (!sw_prefix_list_parse(text, l, why, sizeof why))
		fail_msg("%s: %s", text, why);
}

static void test_outbound_scan(void **state)
{
	struct eng *e = *state;
	struct ep inside = ep("203.0.113.9"), outside = ep("198.51.100.20");
	struct ep stranger = ep("192.0.2.99"), home_target = ep("203.0.113.5");
	const struct sw_rec_det *o;

	set_prefixes(&e->s.home, "203.0.113.0/24");
	start(e);
	for (int i = 0; i < 6; i++) {
		syn_probe(e, &inside, 40404, &outside, (uint16_t)(440 + i), ANS_RST);
		syn_probe(e, &stranger, 40405, &home_target, (uint16_t)(440 + i), ANS_RST);
		e->now += 20 * MS;
	}
	finish(e, "outbound scan");

	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 2);
	assert_int_equal(opens_from(e, SW_K_PORT_SCAN, &inside.a), 1);
	assert_int_equal(opens_from(e, SW_K_PORT_SCAN, &stranger.a), 1);
	for (size_t i = 0; i < e->col.n; i++) {
		const struct sw_rec *r = &e->col.r[i];
		if (r->type == SW_REC_EVIDENCE)
			continue;
		o = &r->u.det;
		assert_int_equal(o->outbound, sw_addr_eq(&o->src, &inside.a) ? 1 : 0);
	}
}

static void test_ignored_source(void **state)
{
	struct eng *e = *state;
	struct ep own = ep("192.0.2.66"), target = ep("203.0.113.5");

	set_prefixes(&e->s.ignore, "192.0.2.64/30");
	start(e);
	for (int i = 0; i < 30; i++) {
		syn_probe(e, &own, 40404, &target, (uint16_t)(1 + i), ANS_RST);
		e->now += 20 * MS;
	}
	for (int i = 0; i < 10; i++)
		ping(e, &own, &target, 1, (uint16_t)i, 1);
	finish(e, "ignored source");
	assert_int_equal(e->col.n, 0);
}

/* ---- precision: outcomes, traceroute, decoys, evasions ------------------------- */

/*
 * A recursive resolver asking 40 of our name servers three times each: most
 * answer, four never do, and those four come one after the other (the
 * worst case for a walk that restarts at its lower bound). Not a scan.
 */
static void test_resolver_mostly_answered(void **state)
{
	struct eng *e = *state;
	struct ep resolver = ep("198.51.100.53");
	char name[32];

	start(e);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 40; i++) {
			struct ep srv;
			snprintf(name, sizeof name, "203.0.113.%d", 10 + i);
			srv = ep(name);
			udp_probe(e, &resolver, (uint16_t)(20000 + round * 100 + i), &srv, 53,
			          i >= 20 && i < 24 ? ANS_NONE : ANS_REPLY);
			e->now += 150 * MS;
		}
	finish(e, "resolver, 4 of 40 servers silent");
	assert_int_equal(opens_from(e, SW_K_UDP_SCAN, &resolver.a), 0);
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_UDP_SCAN), 0);
}

/* A mail server delivering to 30 of our hosts: four refuse (RST), one
 * after the other, two never answer. Not a sweep. */
static void test_mail_server_few_refused(void **state)
{
	struct eng *e = *state;
	struct ep mta = ep("192.0.2.25");
	char name[32];

	start(e);
	for (int i = 0; i < 30; i++) {
		struct ep host;
		snprintf(name, sizeof name, "203.0.113.%d", 100 + i);
		host = ep(name);
		if (i >= 12 && i < 16)
			syn_probe(e, &mta, (uint16_t)(40000 + i), &host, 25, ANS_RST);
		else if (i >= 16 && i < 18)
			syn_probe(e, &mta, (uint16_t)(40000 + i), &host, 25, ANS_NONE);
		else
			connection(e, &mta, (uint16_t)(40000 + i), &host, 25, 20 * MS);
		e->now += 200 * MS;
	}
	finish(e, "mail server, 6 of 30 hosts refuse or time out");
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_HOST_SWEEP), 0);
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN), 0);
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_BLOCK_SCAN), 0);
}

/* Successes do not buy a licence to scan: a client that fetched ten pages
 * and then scans is still detected, once its failures outnumber them. */
static void test_scan_after_browsing(void **state)
{
	struct eng *e = *state;
	struct ep src = ep("192.0.2.77"), web = ep("203.0.113.80"), target = ep("203.0.113.9");
	const struct sw_rec_det *o;

	start(e);
	for (int i = 0; i < 10; i++) {
		char name[32];
		struct ep w;
		snprintf(name, sizeof name, "203.0.113.%d", 80 + i);
		w = ep(name);
		connection(e, &src, (uint16_t)(35000 + i), &w, 80, 20 * MS);
	}
	(void)web;
	for (int i = 0; i < 40; i++) {
		syn_probe(e, &src, 45000, &target, (uint16_t)(1000 + i), ANS_RST);
		e->now += 20 * MS;
	}
	finish(e, "scan after browsing");
	assert_int_equal(opens_from(e, SW_K_PORT_SCAN, &src.a), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_PORT_SCAN);
	assert_true(o->failed_contacts >= 10 && o->failed_contacts <= 16);
	assert_int_equal(o->successes, 10);
}

/* A traceroute probe as it reaches us: UDP to traceroute's ports, or an
 * echo request, with what is left of a low TTL; our host answers the UDP
 * ones with port unreachable. */
static void trace_udp(struct eng *e, const struct ep *src, const struct ep *dst, uint16_t sport,
                      uint16_t dport, uint8_t ttl)
{
	uint8_t probe[PC_MAX], quoted[PC_MAX];
	struct pc_l4 u;
	size_t n;

	memset(&u, 0, sizeof u);
	u.proto = 17;
	u.sport = sport;
	u.dport = dport;
	u.payload = DATA;
	u.paylen = 32;
	n = mk_ip(e, probe, sizeof probe, src, dst, &u, ttl);
	memcpy(quoted, probe, n);
	feed_ip(e, probe, n, src->v6);
	e->now += RTT;
	icmp_error(e, dst, src, quoted, n, ANS_PORT_UNREACH);
}

/* traceroute to three of our hosts, 4 hops away: the probes of TTL 5 and
 * 6 reach us (TTL 1 and 2 left), the first hops' never do. */
static void test_traceroute_udp(void **state)
{
	struct eng *e = *state;
	struct ep src = ep("198.51.100.33");
	const struct sw_rec_det *o, *c;
	const char *lines[8];
	char name[32];

	start(e);
	for (int h = 0; h < 3; h++) {
		struct ep dst;
		snprintf(name, sizeof name, "203.0.113.%d", 20 + h);
		dst = ep(name);
		for (int k = 12; k < 18; k++) { /* probes 12..17: TTL 5 and 6 */
			trace_udp(e, &src, &dst, (uint16_t)(50000 + h), (uint16_t)(33434 + k),
			          (uint8_t)(1 + (k - 12) / 3));
			e->now += 5 * MS;
		}
		e->now += 2 * SEC;
	}
	finish(e, "traceroute to three hosts");
	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	o = find(e, SW_REC_DET_OPEN, SW_K_TRACEROUTE);
	assert_kind(o, SW_K_TRACEROUTE, SW_V_UDP);
	assert_src(o, &src.a);
	assert_int_equal(o->proto, 17);
	c = find_seq(e, SW_REC_DET_CLOSE, o->seq);
	assert_int_equal(c->targets, 3);
	assert_int_equal(c->packets, 18);
	assert_true(evidence(e, o->seq, lines, 8) >= 1);
	assert_contains(lines[0], "203.0.113.20:33446 datagram, arrived with TTL 1 (traceroute)");
}

/* traceroute -I: echo requests with a low TTL left, answered. */
static void test_traceroute_icmp(void **state)
{
	struct eng *e = *state;
	struct ep src = ep("2001:db8:51::33"), dst = ep("2001:db8:113::20");
	struct pc_l4 ic;

	start(e);
	memset(&ic, 0, sizeof ic);
	for (int k = 0; k < 6; k++) {
		ic.proto = 58;
		ic.type = 128;
		ic.id = 77;
		ic.seqno = (uint16_t)(12 + k);
		ic.payload = DATA;
		ic.paylen = 40;
		tx(e, &src, &dst, &ic, (uint8_t)(1 + k / 3), RTT);
		ic.type = 129;
		tx(e, &dst, &src, &ic, 64, 5 * MS);
	}
	finish(e, "traceroute -I over IPv6");
	assert_int_equal(count(e, SW_REC_DET_OPEN, -1), 1);
	assert_kind(find(e, SW_REC_DET_OPEN, SW_K_TRACEROUTE), SW_K_TRACEROUTE, SW_V_ICMP);
	assert_int_equal(find(e, SW_REC_DET_OPEN, SW_K_TRACEROUTE)->proto, 58);
}

/* The same ports with a full TTL are a UDP scan, not a traceroute. */
static void test_trace_ports_full_ttl_is_a_scan(void **state)
{
	struct eng *e = *state;
	struct ep src = ep("198.51.100.34"), dst = ep("203.0.113.21");

	start(e);
	for (int k = 0; k < 10; k++) {
		trace_udp(e, &src, &dst, 50001, (uint16_t)(33434 + k), 52);
		e->now += 5 * MS;
	}
	finish(e, "UDP to traceroute's ports, TTL 52");
	assert_int_equal(opens_from(e, SW_K_UDP_SCAN, &src.a), 1);
	assert_int_equal(count(e, SW_REC_DET_OPEN, SW_K_TRACEROUTE), 0);
}

/*
 * nmap -D: every probe is sent from each decoy and from the real source,
 * one after the other. Ports 21 and 80 are open: the real source's kernel
 * resets the SYN-ACKs, the decoys never answer them. All four share the
 * probe signature; an unrelated scanner does not.
 */
static void test_decoy_signature(void **state)
{
	struct eng *e = *state;
	struct ep srcs[4] = { ep("192.0.2.91"), ep("198.51.100.92"), ep("198.51.100.66"),
		              ep("192.0.2.93") };
	struct ep other = ep("198.51.100.70"), target = ep("203.0.113.10");
	const int real = 2;
	uint64_t sig = 0;

	start(e);
	for (int i = 0; i < 30; i++) {
		uint16_t port = (uint16_t)(i == 3 ? 21 : i == 7 ? 80 : 1000 + i * 3);
		bool open = port == 21 || port == 80;
		for (int k = 0; k < 4; k++) {
			enum answer a = !open ? ANS_RST : k == real ? ANS_HALFOPEN : ANS_NONE;
			if (open && k != real) {
				/* the SYN-ACK goes to the decoy, which stays silent */
				uint8_t b[PC_MAX];
				struct pc_l4 t = tcp(61000, port, SW_TH_SYN, rnd(e), 0, 1024);
				t.opts = MSS_OPT;
				t.optlen = sizeof MSS_OPT;
				feed_ip(e, b, mk_ip(e, b, sizeof b, &srcs[k], &target, &t, 44), 0);
				e->now += RTT;
				t = tcp(port, 61000, SW_TH_SYN | SW_TH_ACK, rnd(e), 1, 64240);
				tx(e, &target, &srcs[k], &t, 64, RTT);
				continue;
			}
			tcp_probe(e, &srcs[k], 61000, &target, port, SW_TH_SYN, a);
		}
		syn_probe(e, &other, 62000, &target, (uint16_t)(2000 + i), ANS_RST);
		e->now += 10 * MS;
	}
	finish(e, "nmap -D with three decoys");
	for (int k = 0; k < 4; k++) {
		const struct sw_rec_det *c = NULL;
		for (size_t i = 0; i < e->col.n; i++)
			if (e->col.r[i].type == SW_REC_DET_CLOSE &&
			    sw_addr_eq(&e->col.r[i].u.det.src, &srcs[k].a))
				c = &e->col.r[i].u.det;
		assert_non_null(c);
		assert_int_equal(c->kind, SW_K_PORT_SCAN);
		assert_true(c->probe_sig != 0);
		if (k == 0)
			sig = c->probe_sig;
		assert_true(c->probe_sig == sig);
		if (k == real) {
			assert_int_equal(c->src_resets, 2);
			assert_int_equal(c->src_silent, 0);
		} else {
			assert_int_equal(c->src_resets, 0);
			assert_int_equal(c->src_silent, 2);
		}
	}
	for (size_t i = 0; i < e->col.n; i++)
		if (e->col.r[i].type == SW_REC_DET_CLOSE &&
		    sw_addr_eq(&e->col.r[i].u.det.src, &other.a))
			assert_true(e->col.r[i].u.det.probe_sig != sig &&
			            e->col.r[i].u.det.probe_sig != 0);
}

/* Probes whose transport header came from tiny fragments (the capture path
 * reassembles them and says so) name the evasion in the detection and in
 * every evidence line. */
static void test_tiny_fragment_evasion_named(void **state)
{
	struct eng *e = *state;
	struct ep src = ep("198.51.100.45"), dst = ep("203.0.113.45");
	const struct sw_rec_det *o;
	const char *lines[8];

	start(e);
	for (int i = 0; i < 6; i++) {
		uint8_t b[PC_MAX];
		struct pc_l4 t = tcp(53000, (uint16_t)(100 + i), SW_TH_SYN, rnd(e), 0, 1024);
		struct sw_pkt p;
		size_t n = mk_ip(e, b, sizeof b, &src, &dst, &t, 50);

		n = pc_eth(b, n, PC_MAX, 0x0800);
		assert_int_equal(sw_decode(SW_DLT_EN10MB, b, (uint32_t)n, (uint32_t)n, e->now, &p),
		                 SW_DERR_NONE);
		p.flags |= SW_PF_FRAG_EVADE;
		sw_detect_packet(e->d, &p);
		e->now += RTT;
		struct pc_l4 r = tcp((uint16_t)(100 + i), 53000, SW_TH_RST | SW_TH_ACK, 0, 1, 0);
		tx(e, &dst, &src, &r, 64, 20 * MS);
	}
	finish(e, "SYN scan in tiny fragments");
	o = find(e, SW_REC_DET_CLOSE, SW_K_PORT_SCAN);
	assert_int_equal(o->evasion, SW_EVASION_TINY_FRAG);
	assert_string_equal(sw_evasion_name(o->evasion), "tiny_fragments");
	assert_true(evidence(e, o->seq, lines, 8) >= 1);
	assert_contains(lines[0], "SYN, answered RST, in tiny IP fragments");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_syn_scan_4_probes),
		T(test_syn_scan_3_probes_is_port_probe),
		T(test_first_record_waits),
		T(test_first_record_expires),
		T(test_evidence_format),
		T(test_half_open_sweep),
		T(test_half_open_port_scan),
		T(test_session_after_scan),
		T(test_block_scan),
		T(test_benign_client),
		T(test_benign_udp_client),
		T(test_slow_scan),
		T(test_slow_scan_unanswered),
		T(test_slow_scan_nmap_T0),
		T(test_ipv6_scan),
		T(test_icmp_unreachable_answers),
		T(test_icmpv6_unreachable_answers),
		T(test_fragmented_probes),
		T(test_fragmented_probes_ipv6),
		T(test_state_exhaustion_one_victim),
		T(test_state_exhaustion_random_targets),
		T(test_hping3_syn_flood),
		T(test_benign_web_load_300),
		T(test_benign_web_load_2000),
		T(test_echo_flood_answered),
		T(test_echo_answered_50pps),
		T(test_carpet_bombing),
		T(test_carpet_bombing_ipv6),
		T(test_busy_slash24_is_nothing),
		T(test_one_host_in_slash24_is_one_flood),
		T(test_host_inside_carpet_is_one_flood),
		T(test_login_attempts),
		T(test_login_three_sessions),
		T(test_stealth_fin),
		T(test_stealth_xmas),
		T(test_stealth_null),
		T(test_stealth_ack_scan),
		T(test_ack_scan_five_rsts),
		T(test_ack_scan_four_rsts_is_not),
		T(test_acks_of_old_connections),
		T(test_old_connections_do_not_hide_a_fin_scan),
		T(test_fin_rsts_are_not_an_ack_scan),
		T(test_single_ack_is_nothing),
		T(test_ping_sweep),
		T(test_ping_sweep_ipv6),
		T(test_ping_three_hosts),
		T(test_outbound_scan),
		T(test_ignored_source),
		T(test_forged_flood_makes_no_port_probes),
		T(test_forged_flood_pushed_out_contacts),
		T(test_scan_through_small_sources_table),
		T(test_scan_through_small_sources_table_far_times),
		T(test_scan_through_small_sources_table_hostile_times),
		T(test_resolver_mostly_answered),
		T(test_mail_server_few_refused),
		T(test_scan_after_browsing),
		T(test_traceroute_udp),
		T(test_traceroute_icmp),
		T(test_trace_ports_full_ttl_is_a_scan),
		T(test_decoy_signature),
		T(test_tiny_fragment_evasion_named),
#undef T
	};

	memset(DATA, 'x', sizeof DATA);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
