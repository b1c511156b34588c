/*
 * test_pipe.c - -j 1's two stages (pipe.h): the ring (a slot is the
 * reader's until put, what is put is seen after a publication, in order,
 * and a real two-thread run in which each side waits for the other, every
 * message arriving once, in order, messages of one unit and of three,
 * some wrapping at the ring's end), the compact form exact (every packet
 * of the corpus and made-up ones come out of the ring as sw_decode() gave
 * them, each field carried whole, and a packet with any field it leaves
 * out set goes whole), sw_detect_need() on each kind of
 * packet, and the clock model held to the engine itself: an engine given
 * only what the model passes emits what an engine given every packet
 * does, with scans, expiries at skipped packets, time going back and
 * packets detection ignores.
 */
#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "detect.h"
#include "evidence.h"
#include "pipe.h"
#include "record.h"
#include "settings.h"

/* ---- the ring ------------------------------------------------------------------ */

/* Message seq: a packet of one unit (IPv4 TCP) when compact, else of three
 * (IPv6), with seq for its time. */
static void put_seq_as(struct sw_pipe *q, uint64_t seq, bool compact)
{
	struct sw_pkt p;

	memset(&p, 0, sizeof p);
	p.ts_us = seq;
	p.proto = SW_IPPROTO_TCP;
	if (compact) {
		p.l3 = SW_L3_IPV4;
		p.src.family = p.dst.family = SW_AF_INET;
	} else {
		p.l3 = SW_L3_IPV6;
		p.src.family = p.dst.family = SW_AF_INET6;
	}
	sw_pipe_put_packet(q, &p);
}

/* one message in three compact: every position in the ring, and some
 * messages that would run past its end */
static void put_seq(struct sw_pipe *q, uint64_t seq)
{
	put_seq_as(q, seq, seq % 3 == 0);
}

/* The time of the packet taken next, UINT64_MAX if none. */
static uint64_t take_seq(struct sw_pipe *q, bool wait, unsigned *kind)
{
	const struct sw_pipe_unit *u = sw_pipe_take(q, wait);
	struct sw_pkt p;

	memset(&p, 0, sizeof p);
	if (!u)
		return UINT64_MAX;
	*kind = u->kind;
	if (u->kind == SW_PIPE_TCP4 || u->kind == SW_PIPE_UDP4) {
		sw_pipe_unpack((const struct sw_pipe_compact *)u, &p);
		return p.ts_us;
	}
	if (u->kind == SW_PIPE_PACKET)
		return ((const struct sw_pipe_msg *)u)->pkt.ts_us;
	return UINT64_MAX - 1;
}

static void test_ring_publication_and_order(void **state)
{
	struct sw_pipe *q = sw_pipe_new();
	unsigned kind;
	size_t units = 0;

	(void)state;
	assert_non_null(q);
	assert_null(sw_pipe_take(q, false));
	/* room stays the reader's until passed */
	assert_ptr_equal(sw_pipe_room(q, 3), sw_pipe_room(q, 3));
	for (uint64_t i = 0; i < SW_PIPE_BATCH - 1; i++)
		put_seq(q, i);
	assert_null(sw_pipe_take(q, false)); /* not published yet */
	sw_pipe_flush(q);
	for (uint64_t i = 0; i < SW_PIPE_BATCH - 1; i++) {
		assert_int_equal(take_seq(q, false, &kind), i);
		assert_int_equal(kind, i % 3 == 0 ? SW_PIPE_TCP4 : SW_PIPE_PACKET);
		units += i % 3 == 0 ? 1 : 3;
	}
	assert_null(sw_pipe_take(q, false));
	sw_pipe_release(q);
	/* a whole batch is published without a flush; round the ring three
	 * times, with messages that do not fit before its end */
	for (uint64_t i = 0; i < 3 * SW_PIPE_UNITS / 2; i += SW_PIPE_BATCH) {
		for (uint64_t k = 0; k < SW_PIPE_BATCH; k++)
			put_seq(q, i + k);
		for (uint64_t k = 0; k < SW_PIPE_BATCH; k++) {
			assert_int_equal(take_seq(q, false, &kind), i + k);
			units += (i + k) % 3 == 0 ? 1 : 3;
		}
		assert_null(sw_pipe_take(q, false));
		sw_pipe_release(q);
	}
	assert_true(q->w_pos > units); /* units skipped at the end: wraps were taken */
	/* full: every unit put, and released ones are room again */
	for (uint64_t i = 0; i < SW_PIPE_UNITS; i++)
		put_seq_as(q, i, true);
	assert_int_equal(q->w_pos - atomic_load(&q->tail), SW_PIPE_UNITS);
	for (uint64_t i = 0; i < SW_PIPE_UNITS; i++)
		assert_int_equal(take_seq(q, false, &kind), i);
	sw_pipe_release(q);
	put_seq_as(q, 7, false); /* would wait for ever if nothing was released */
	sw_pipe_flush(q);
	assert_int_equal(take_seq(q, false, &kind), 7);
	sw_pipe_free(q);
}

#define THREAD_MESSAGES 2000000u

static void pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/* The reader: numbered packets, flushed now and then, with pauses that
 * let the worker run dry (and sleep); then the end. */
static void *producer(void *arg)
{
	struct sw_pipe *q = arg;

	for (uint64_t i = 0; i < THREAD_MESSAGES; i++) {
		put_seq(q, i);
		if (i % 4096 == 4095)
			sw_pipe_flush(q);
		if (i % 300000 == 0)
			pause_us(20000);
	}
	sw_pipe_put_kind(q, SW_PIPE_END);
	sw_pipe_flush(q);
	return NULL;
}

static void test_ring_two_threads(void **state)
{
	struct sw_pipe *q = sw_pipe_new();
	pthread_t t;
	uint64_t next = 0;
	bool more = true;

	(void)state;
	assert_non_null(q);
	assert_int_equal(pthread_create(&t, NULL, producer, q), 0);
	while (more) {
		unsigned taken = 0, kind = 0;
		uint64_t seq;

		/* batches of varied sizes; pauses that fill the ring (the reader
		 * sleeps) */
		while (taken < 1 + next % 300 && (seq = take_seq(q, taken == 0, &kind)) != UINT64_MAX) {
			taken++;
			if (kind == SW_PIPE_END) {
				more = false;
				break;
			}
			if (seq != next)
				fail_msg("message %llu where %llu was due", (unsigned long long)seq,
				         (unsigned long long)next);
			next++;
		}
		sw_pipe_release(q);
		if (next % 400000 < 300)
			pause_us(2000);
	}
	assert_int_equal(next, THREAD_MESSAGES);
	assert_null(sw_pipe_take(q, false));
	pthread_join(t, NULL);
	sw_pipe_free(q);
}

/* ---- the compact form: exact ------------------------------------------------------ */

static unsigned long fit, whole;

/* p through the ring: what the worker gets is p, byte for byte (padding
 * too: sw_decode() zeroes the whole packet first, the worker's packet is
 * zeroed once and unpacked into again and again, as in capture.c). */
static void through_ring(struct sw_pipe *q, const struct sw_pkt *p, const char *what,
                         unsigned long k)
{
	static struct sw_pkt back; /* zeroed once, as the worker's (sw_pipe_unpack()) */
	const struct sw_pipe_unit *u;
	const struct sw_pkt *got = &back;

	sw_pipe_put_packet(q, p);
	sw_pipe_flush(q);
	u = sw_pipe_take(q, false);
	assert_non_null(u);
	if (u->kind == SW_PIPE_TCP4 || u->kind == SW_PIPE_UDP4) {
		assert_true(sw_pipe_compact_ok(p));
		sw_pipe_unpack((const struct sw_pipe_compact *)u, &back);
		fit++;
	} else {
		assert_int_equal(u->kind, SW_PIPE_PACKET);
		assert_false(sw_pipe_compact_ok(p));
		got = &((const struct sw_pipe_msg *)u)->pkt;
		whole++;
	}
	if (memcmp(got, p, sizeof *p) != 0)
		fail_msg("%s packet %lu: not the packet decoded after the ring (kind %u)", what, k,
		         u->kind);
	assert_null(sw_pipe_take(q, false));
	sw_pipe_release(q);
}

static uint64_t made_state = 0x5eed5eed5eed5eedULL;

static uint64_t made_rnd(void)
{
	/* xorshift64*: fixed seed, same run every time */
	made_state ^= made_state >> 12;
	made_state ^= made_state << 25;
	made_state ^= made_state >> 27;
	return made_state * 0x2545f4914f6cdd1dULL;
}

/* Every packet of every capture of the corpus, and of each fifth one four
 * made-up ones: bytes of its headers changed at random, some cut short,
 * and with a made-up capture length. */
static void test_compact_corpus(void **state)
{
	const char *top = getenv("top_srcdir");
	char dir[1024], path[1300], ebuf[PCAP_ERRBUF_SIZE];
	unsigned long packets = 0, files = 0, made = 0, made_fit = 0;
	struct sw_pipe *q = sw_pipe_new();
	uint8_t buf[256];
	struct dirent *de;
	DIR *d;

	(void)state;
	assert_non_null(q);
	fit = whole = 0;
	snprintf(dir, sizeof dir, "%s/tests/data/corpus", top && *top ? top : ".");
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		struct pcap_pkthdr *hdr;
		const u_char *data;
		pcap_t *pc;
		unsigned long k = 0;

		if (l < 5 || strcmp(de->d_name + l - 5, ".pcap") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		pc = pcap_open_offline(path, ebuf);
		if (!pc)
			fail_msg("%s: %s", path, ebuf);
		files++;
		while (pcap_next_ex(pc, &hdr, &data) == 1) {
			int dlt = pcap_datalink(pc);
			uint64_t ts = (uint64_t)hdr->ts.tv_sec * 1000000u + (uint64_t)hdr->ts.tv_usec;
			struct sw_pkt p;

			sw_decode(dlt, data, hdr->caplen, hdr->len, ts, &p);
			through_ring(q, &p, de->d_name, ++k);
			if (k % 5 != 0)
				continue;
			for (int m = 0; m < 4; m++) {
				uint32_t n = hdr->caplen < sizeof buf ? hdr->caplen : sizeof buf;
				unsigned long before = fit;

				memcpy(buf, data, n);
				for (int c = 0; c < 1 + m && n > 0; c++)
					buf[made_rnd() % (n < 80 ? n : 80)] = (uint8_t)made_rnd();
				if (m == 3 && n > 1)
					n = (uint32_t)(1 + made_rnd() % n);
				sw_decode(dlt, buf, n, n + (uint32_t)(made_rnd() % 3) * (uint32_t)made_rnd() % 2000,
				          made_rnd(), &p);
				through_ring(q, &p, "made-up", made++);
				made_fit += fit - before;
			}
		}
		packets += k;
		pcap_close(pc);
	}
	closedir(d);
	print_message("%lu files, %lu packets and %lu made up: %lu in one unit (%lu made up), "
	              "%lu whole\n", files, packets, made, fit, made_fit, whole);
	/* the test means something: a corpus, and both forms, often */
	assert_true(files >= 20);
	assert_true(packets > 100000);
	assert_true(fit > packets / 2);
	assert_true(made_fit > made / 4);
	assert_true(whole > 1000);
	sw_pipe_free(q);
}

/* A packet with every field the compact form carries set (all bits of
 * each in turn: no field is cut short or crossed with another), and one
 * field it does not carry set at a time: not compact. */
static void test_compact_fields(void **state)
{
	struct sw_pipe *q = sw_pipe_new();
	struct sw_pkt p, base;

	(void)state;
	assert_non_null(q);
	for (int round = 0; round < 3; round++) {
		uint8_t v = round == 0 ? 0xff : round == 1 ? 0x5a : 0xa5;

		memset(&p, 0, sizeof p);
		memset(&p.ts_us, v, sizeof p.ts_us);
		memset(&p.caplen, v, sizeof p.caplen);
		memset(&p.wirelen, v, sizeof p.wirelen);
		p.l3 = SW_L3_IPV4;
		p.proto = round == 1 ? SW_IPPROTO_UDP : SW_IPPROTO_TCP;
		p.flags = (uint16_t)(0xffff & ~(SW_PF_INNER | SW_PF_INNER_PORTS));
		p.vlan_depth = v;
		memset(&p.vlan_id, v, 2);
		p.src.family = p.dst.family = SW_AF_INET;
		memset(p.src.bytes, v, 4);
		memset(p.dst.bytes, v == 0xff ? 1 : (uint8_t)~v, 4);
		p.ttl = v;
		memset(&p.ip_id, v, 2);
		memset(&p.ip_len, v ^ 1, 2);
		memset(&p.sport, v ^ 2, 2);
		memset(&p.dport, v ^ 3, 2);
		p.tcp_flags = v;
		p.tcp_optlen = v ^ 4;
		memset(&p.tcp_win, v ^ 5, 2);
		memset(&p.tcp_seq, v ^ 6, 4);
		memset(&p.tcp_ack, v ^ 7, 4);
		memset(&p.tcp_mss, v ^ 8, 2);
		p.tcp_nopts = v ^ 9;
		for (int i = 0; i < 8; i++)
			p.tcp_optkinds[i] = (uint8_t)(v + i);
		memset(&p.payload_len, v ^ 10, 2);
		assert_true(sw_pipe_compact_ok(&p));
		fit = whole = 0;
		through_ring(q, &p, "every field", (unsigned long)round);
		assert_int_equal(fit, 1);
	}
	base = p;
#define NOT_COMPACT(change)                                \
	do {                                               \
		p = base;                                  \
		change;                                    \
		assert_false(sw_pipe_compact_ok(&p));      \
		through_ring(q, &p, #change, 0);           \
	} while (0)
	NOT_COMPACT(p.l3 = SW_L3_IPV6);
	NOT_COMPACT(p.l3 = SW_L3_OTHER);
	NOT_COMPACT(p.proto = SW_IPPROTO_ICMP);
	NOT_COMPACT(p.proto = 132);
	NOT_COMPACT(p.err = SW_DERR_TCP_OPT);
	NOT_COMPACT(p.flags |= SW_PF_INNER);
	NOT_COMPACT(p.flags |= SW_PF_INNER_PORTS);
	NOT_COMPACT(p.src.family = SW_AF_INET6);
	NOT_COMPACT(p.dst.family = SW_AF_NONE);
	for (int i = 4; i < 16; i++) {
		NOT_COMPACT(p.src.bytes[i] = 1);
		NOT_COMPACT(p.dst.bytes[i] = 0x80);
	}
	NOT_COMPACT(p.frag_off = 8);
	NOT_COMPACT(p.frag_id = 1u << 31);
	NOT_COMPACT(p.frag_len = 1);
	NOT_COMPACT(p.frag_l4_off = 0x8000);
	NOT_COMPACT(p.frag_data_off = 1);
	NOT_COMPACT(p.frag_data_cap = 1u << 31);
	NOT_COMPACT(p.icmp_type = 3);
	NOT_COMPACT(p.icmp_code = 0x80);
	NOT_COMPACT(p.icmp_id = 1);
	NOT_COMPACT(p.icmp_seq = 0x8000);
#undef NOT_COMPACT
	sw_pipe_free(q);
}

/* ---- what detection needs ------------------------------------------------------ */

static struct sw_pkt ip_packet(uint8_t proto, uint16_t flags)
{
	struct sw_pkt p;

	memset(&p, 0, sizeof p);
	p.l3 = SW_L3_IPV4;
	p.proto = proto;
	p.flags = flags;
	return p;
}

static void test_detect_need(void **state)
{
	struct sw_pkt p;

	(void)state;
	p = ip_packet(SW_IPPROTO_TCP, SW_PF_HAS_PORTS);
	p.tcp_flags = SW_TH_ACK;
	assert_int_equal(sw_detect_need(&p), SW_DETECT_LOOKS); /* a bare ACK: a lookup */
	p.payload_len = 100;
	assert_int_equal(sw_detect_need(&p), SW_DETECT_CLOCK); /* data */
	p.tcp_flags = SW_TH_ACK | SW_TH_PUSH;
	assert_int_equal(sw_detect_need(&p), SW_DETECT_CLOCK);
	for (unsigned fl = 0; fl < 3; fl++) {
		p.tcp_flags = (uint8_t)(SW_TH_ACK | (SW_TH_FIN << fl)); /* FIN, SYN, RST */
		assert_int_equal(sw_detect_need(&p), SW_DETECT_LOOKS);
	}
	p.flags = 0; /* a later fragment: no ports */
	assert_int_equal(sw_detect_need(&p), SW_DETECT_CLOCK);
	p = ip_packet(SW_IPPROTO_UDP, SW_PF_HAS_PORTS);
	assert_int_equal(sw_detect_need(&p), SW_DETECT_LOOKS);
	p.flags = SW_PF_FRAG;
	assert_int_equal(sw_detect_need(&p), SW_DETECT_CLOCK);
	p = ip_packet(SW_IPPROTO_ICMP, 0);
	assert_int_equal(sw_detect_need(&p), SW_DETECT_LOOKS);
	p.flags = SW_PF_FRAG | SW_PF_FRAG_FIRST;
	assert_int_equal(sw_detect_need(&p), SW_DETECT_LOOKS);
	p.flags = SW_PF_FRAG;
	assert_int_equal(sw_detect_need(&p), SW_DETECT_CLOCK);
	p = ip_packet(SW_IPPROTO_ICMPV6, SW_PF_FRAG);
	p.l3 = SW_L3_IPV6;
	assert_int_equal(sw_detect_need(&p), SW_DETECT_CLOCK);
	p = ip_packet(47, 0); /* GRE */
	assert_int_equal(sw_detect_need(&p), SW_DETECT_CLOCK);
	sw_detect_clock_packet(&p, 5);
	assert_int_equal(sw_detect_need(&p), SW_DETECT_CLOCK);
	assert_int_equal(p.ts_us, 5);
	p = ip_packet(SW_IPPROTO_TCP, SW_PF_HAS_PORTS);
	p.err = SW_DERR_TCP_OPT;
	assert_int_equal(sw_detect_need(&p), SW_DETECT_IGNORES);
	p = ip_packet(SW_IPPROTO_TCP, SW_PF_HAS_PORTS);
	p.l3 = SW_L3_ARP;
	assert_int_equal(sw_detect_need(&p), SW_DETECT_IGNORES);
}

/* ---- the clock model against the engine ---------------------------------------- */

struct col {
	char (*line)[400];
	size_t n, cap;
};

/* A record as text: what must be the same (not the probe signature: a
 * hash with each engine's random key). */
static void col_emit(void *ctx, const struct sw_rec *rec)
{
	struct col *c = ctx;
	char made[SW_EVIDENCE_LEN];

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->line = realloc(c->line, c->cap * sizeof *c->line);
		assert_non_null(c->line);
	}
	if (rec->type == SW_REC_EVIDENCE) {
		const struct sw_rec_evidence *ev = &rec->u.ev;
		snprintf(c->line[c->n++], sizeof c->line[0], "ev %u %lld %s", ev->seq,
		         (long long)ev->ts,
		         ev->from_probe ? sw_evidence_line(ev, made, sizeof made) : ev->line);
	} else {
		const struct sw_rec_det *d = &rec->u.det;
		snprintf(c->line[c->n++], sizeof c->line[0],
		         "det %u %u %u %u %lld %lld %lld %lld %u %u %u %llu", rec->type, d->seq,
		         d->kind, d->variant, (long long)d->first_seen, (long long)d->last_seen,
		         (long long)d->detected_at, (long long)d->closed_at, d->targets, d->ports,
		         d->failed_contacts, (unsigned long long)d->packets);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void set4(struct sw_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	const uint8_t b[4] = { x, y, z, w };

	sw_addr_set4(a, b);
}

/* The next packet of a made-up capture at about *t: scanners' SYNs and the
 * RSTs of closed ports, sessions' data (which only moves the clock) and
 * ACKs, UDP probes, pings, later fragments, ARP and broken packets; now and
 * then a long quiet stretch, and a packet a little older than the last. */
static void next_packet(struct sw_pkt *p, int64_t *t)
{
	uint32_t r = rnd() % 100;
	int64_t ts;

	*t += (rnd() % 8 == 0) ? (int64_t)(rnd() % 3000000) : (int64_t)(rnd() % 2000);
	ts = *t;
	if (rnd() % 10 == 0)
		ts -= (int64_t)(rnd() % 1500000); /* out of order */
	memset(p, 0, sizeof *p);
	p->ts_us = (uint64_t)ts;
	p->l3 = SW_L3_IPV4;
	p->proto = SW_IPPROTO_TCP;
	p->flags = SW_PF_HAS_PORTS;
	p->ttl = 64;
	p->tcp_win = 1024;
	set4(&p->src, 198, 51, 100, (uint8_t)(1 + rnd() % 4));
	set4(&p->dst, 203, 0, 113, (uint8_t)(1 + rnd() % 40));
	p->sport = (uint16_t)(40000 + rnd() % 4);
	p->dport = (uint16_t)(1 + rnd() % 1000);
	if (r < 20) {                 /* a probe */
		p->tcp_flags = SW_TH_SYN;
	} else if (r < 30) {          /* its closed port answers */
		struct sw_addr a = p->src;
		uint16_t port = p->sport;
		p->src = p->dst;
		p->dst = a;
		p->sport = p->dport;
		p->dport = port;
		p->tcp_flags = SW_TH_RST | SW_TH_ACK;
	} else if (r < 70) {          /* a session's data: the clock only */
		p->tcp_flags = SW_TH_ACK | SW_TH_PUSH;
		p->payload_len = 500;
	} else if (r < 78) {          /* an ACK */
		p->tcp_flags = SW_TH_ACK;
	} else if (r < 84) {          /* a UDP probe */
		p->proto = SW_IPPROTO_UDP;
		p->sport = 53000;
	} else if (r < 88) {          /* a ping */
		p->proto = SW_IPPROTO_ICMP;
		p->flags = 0;
		p->icmp_type = 8;
	} else if (r < 92) {          /* a later fragment */
		p->flags = SW_PF_FRAG;
	} else if (r < 96) {          /* ARP: not even the clock */
		p->l3 = SW_L3_ARP;
		p->flags = 0;
	} else {                      /* broken: not even the clock */
		p->err = SW_DERR_TCP_HLEN;
	}
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_clock_model_as_engine(void **state)
{
	struct sw_settings s;
	struct col all = { 0 }, passed = { 0 };
	struct sw_detect *one, *two;
	struct sw_pipe_clock k = { 0 };
	struct sw_pkt p, tick;
	int64_t t = 1795799381ll * 1000000ll, time;
	unsigned long skipped = 0, times = 0;

	(void)state;
	sw_settings_defaults(&s);
	one = sw_detect_new(&s, (struct sw_detect_sink){ col_emit, &all });
	two = sw_detect_new(&s, (struct sw_detect_sink){ col_emit, &passed });
	assert_non_null(one);
	assert_non_null(two);
	for (int i = 0; i < 300000; i++) {
		next_packet(&p, &t);
		sw_detect_packet(one, &p);
		switch (sw_pipe_clock_pass(&k, &p, &time)) {
		case SW_PIPE_SKIP:
			skipped++;
			break;
		case SW_PIPE_TIME_FIRST:
			sw_detect_clock_packet(&tick, time);
			sw_detect_packet(two, &tick);
			times++;
			/* fall through */
		case SW_PIPE_PASS:
			sw_detect_packet(two, &p);
			break;
		}
	}
	if (sw_pipe_clock_behind(&k)) {
		sw_detect_clock_packet(&tick, k.now);
		sw_detect_packet(two, &tick);
	}
	sw_detect_finish(one);
	sw_detect_finish(two);
	/* the test means something: packets left out, time messages, records */
	assert_true(skipped > 100000);
	assert_true(times > 100);
	assert_true(all.n > 50);
	assert_int_equal(all.n, passed.n);
	/* (the order of records of one housekeeping follows the tables'
	 * hash key: compared as sets) */
	qsort(all.line, all.n, sizeof all.line[0], cmp_line);
	qsort(passed.line, passed.n, sizeof passed.line[0], cmp_line);
	for (size_t i = 0; i < all.n; i++)
		assert_string_equal(all.line[i], passed.line[i]);
	sw_detect_free(one);
	sw_detect_free(two);
	free(all.line);
	free(passed.line);
}

/* Without the time messages the engine would differ: the test can fail. */
static void test_clock_model_needs_time(void **state)
{
	struct sw_pipe_clock k = { 0 };
	struct sw_pkt p;
	int64_t time = 0;

	(void)state;
	p = ip_packet(SW_IPPROTO_TCP, SW_PF_HAS_PORTS);
	p.tcp_flags = SW_TH_SYN;
	p.ts_us = 10;
	assert_int_equal(sw_pipe_clock_pass(&k, &p, &time), SW_PIPE_PASS); /* first: due */
	p.tcp_flags = SW_TH_ACK;
	p.payload_len = 10;
	p.ts_us = 500;
	assert_int_equal(sw_pipe_clock_pass(&k, &p, &time), SW_PIPE_SKIP);
	p.ts_us = SW_DETECT_TICK_US + 10; /* the housekeeping falls due here */
	assert_int_equal(sw_pipe_clock_pass(&k, &p, &time), SW_PIPE_PASS);
	p.ts_us = SW_DETECT_TICK_US + 900;
	assert_int_equal(sw_pipe_clock_pass(&k, &p, &time), SW_PIPE_SKIP);
	p.tcp_flags = SW_TH_SYN;
	p.payload_len = 0;
	p.ts_us = SW_DETECT_TICK_US + 800; /* older than the skipped one */
	assert_int_equal(sw_pipe_clock_pass(&k, &p, &time), SW_PIPE_TIME_FIRST);
	assert_int_equal(time, SW_DETECT_TICK_US + 900);
	p.ts_us = SW_DETECT_TICK_US + 700; /* the engine has that time now */
	assert_int_equal(sw_pipe_clock_pass(&k, &p, &time), SW_PIPE_PASS);
	assert_false(sw_pipe_clock_behind(&k));
	p.tcp_flags = SW_TH_ACK;
	p.payload_len = 10;
	p.ts_us = SW_DETECT_TICK_US + 2000;
	assert_int_equal(sw_pipe_clock_pass(&k, &p, &time), SW_PIPE_SKIP);
	assert_true(sw_pipe_clock_behind(&k));
	p.l3 = SW_L3_ARP; /* not a time the engine takes */
	p.ts_us = 9 * SW_DETECT_TICK_US;
	assert_int_equal(sw_pipe_clock_pass(&k, &p, &time), SW_PIPE_SKIP);
	assert_int_equal(k.now, SW_DETECT_TICK_US + 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_publication_and_order),
		cmocka_unit_test(test_ring_two_threads),
		cmocka_unit_test(test_compact_corpus),
		cmocka_unit_test(test_compact_fields),
		cmocka_unit_test(test_detect_need),
		cmocka_unit_test(test_clock_model_needs_time),
		cmocka_unit_test(test_clock_model_as_engine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
