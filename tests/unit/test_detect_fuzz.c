/*
 * test_detect_fuzz.c - the detection engine on millions of arbitrary packet
 * summaries, with tiny tables so that every eviction path runs: addresses
 * from small pools (contacts collide), random flags, ports, ICMP types and
 * quoted headers, and packet time that jumps forward, stalls and goes
 * backwards. Under ASan/UBSan nothing may crash, and the record stream must
 * stay consistent: every update, close and evidence line belongs to a
 * detection opened before it, every detection is closed exactly once by
 * sw_detect_finish(), and the engine's memory never changes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect.h"
#include "evidence.h"

#define MAX_SEQ (1u << 20)

struct stream {
	uint8_t state[MAX_SEQ]; /* 0 unseen, 1 open, 2 closed */
	uint64_t records, opens, closes, evidence;
	int bad;
	char why[200];
};

static void check_record(void *ctx, const struct sw_rec *rec)
{
	struct stream *st = ctx;
	uint32_t seq = rec->type == SW_REC_EVIDENCE ? rec->u.ev.seq : rec->u.det.seq;

	st->records++;
	if (seq == 0 || seq >= MAX_SEQ) {
		st->bad++;
		snprintf(st->why, sizeof st->why, "record type %u with seq %u", rec->type, seq);
		return;
	}
	switch (rec->type) {
	case SW_REC_DET_OPEN:
		if (st->state[seq] != 0) {
			st->bad++;
			snprintf(st->why, sizeof st->why, "seq %u opened twice", seq);
		}
		if (rec->u.det.kind >= SW_K_COUNT || rec->u.det.variant >= SW_V_COUNT ||
		    rec->u.det.last_seen < rec->u.det.first_seen) {
			st->bad++;
			snprintf(st->why, sizeof st->why, "seq %u: kind %u variant %u times %lld..%lld",
			         seq, rec->u.det.kind, rec->u.det.variant,
			         (long long)rec->u.det.first_seen, (long long)rec->u.det.last_seen);
		}
		st->state[seq] = 1;
		st->opens++;
		break;
	case SW_REC_DET_UPDATE:
	case SW_REC_EVIDENCE:
		if (st->state[seq] != 1) {
			st->bad++;
			snprintf(st->why, sizeof st->why, "record type %u for seq %u in state %u",
			         rec->type, seq, st->state[seq]);
		}
		if (rec->type == SW_REC_EVIDENCE) {
			st->evidence++;
			char made[SW_EVIDENCE_LEN];
			const char *line = sw_evidence_line(&rec->u.ev, made, sizeof made);

			if (memchr(line, '\0', SW_EVIDENCE_LEN) == NULL || line[0] == '\0') {
				st->bad++;
				snprintf(st->why, sizeof st->why, "evidence of seq %u not terminated", seq);
			}
		}
		break;
	case SW_REC_DET_CLOSE:
		if (st->state[seq] != 1) {
			st->bad++;
			snprintf(st->why, sizeof st->why, "seq %u closed in state %u", seq,
			         st->state[seq]);
		}
		st->state[seq] = 2;
		st->closes++;
		break;
	default:
		st->bad++;
		snprintf(st->why, sizeof st->why, "unknown record type %u", rec->type);
	}
}

/* xorshift64*: fixed seeds, so a failure replays */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dull;
}

static void pick_addr(uint64_t *r, struct sw_addr *a, bool v6)
{
	memset(a, 0, sizeof *a);
	a->family = v6 ? SW_AF_INET6 : SW_AF_INET;
	if (v6) {
		a->bytes[0] = 0x20;
		a->bytes[1] = 0x01;
		a->bytes[2] = 0x0d;
		a->bytes[3] = 0xb8;
		a->bytes[15] = (uint8_t)(rnd(r) % 24);
	} else {
		a->bytes[0] = 203;
		a->bytes[1] = 0;
		a->bytes[2] = 113;
		a->bytes[3] = (uint8_t)(rnd(r) % 40 + (rnd(r) % 50 == 0 ? 215 : 0));
	}
}

static void random_packet(uint64_t *r, struct sw_pkt *p, int64_t *now)
{
	static const uint8_t protos[] = { 6, 6, 6, 17, 17, 1, 58, 47 };
	static const uint8_t icmp4[] = { 0, 3, 8, 11, 13, 14, 17, 18, 5 };
	static const uint8_t icmp6[] = { 1, 2, 3, 4, 128, 129, 135 };
	bool v6 = rnd(r) % 5 == 0;
	uint64_t step = rnd(r) % 100;

	/* time: mostly small steps, sometimes a long silence or a step back */
	if (step < 80)
		*now += (int64_t)(rnd(r) % 2000);
	else if (step < 95)
		*now += (int64_t)(rnd(r) % 5000000);
	else if (step < 98)
		*now += (int64_t)(rnd(r) % 4000) * 1000000;
	else
		*now -= (int64_t)(rnd(r) % 10000000);

	memset(p, 0, sizeof *p);
	p->ts_us = (uint64_t)*now;
	p->caplen = p->wirelen = 60;
	p->err = rnd(r) % 50 == 0 ? (enum sw_derr)(rnd(r) % SW_DERR_COUNT) : SW_DERR_NONE;
	p->l3 = v6 ? SW_L3_IPV6 : SW_L3_IPV4;
	p->proto = protos[rnd(r) % sizeof protos];
	pick_addr(r, &p->src, v6);
	pick_addr(r, &p->dst, v6);
	p->ttl = (uint8_t)rnd(r);
	p->ip_id = (uint16_t)rnd(r);
	p->flags = (uint16_t)(rnd(r) & 0x7ff);
	if (rnd(r) % 4)
		p->flags |= SW_PF_HAS_PORTS;
	p->sport = (uint16_t)(rnd(r) % 8 == 0 ? rnd(r) : 40000 + rnd(r) % 4);
	p->dport = (uint16_t)(rnd(r) % 8 == 0 ? rnd(r) : rnd(r) % 30);
	p->tcp_flags = (uint8_t)(rnd(r) % 3 == 0 ? rnd(r) : (rnd(r) % 2 ? SW_TH_SYN : SW_TH_RST | SW_TH_ACK));
	p->tcp_win = (uint16_t)rnd(r);
	p->tcp_seq = (uint32_t)rnd(r);
	p->tcp_ack = (uint32_t)rnd(r);
	p->tcp_nopts = (uint8_t)(rnd(r) % 9);
	p->tcp_optlen = (uint8_t)(rnd(r) % 41);
	p->tcp_mss = (uint16_t)rnd(r);
	p->payload_len = (uint16_t)(rnd(r) % 3 == 0 ? rnd(r) % 1500 : 0);
	p->icmp_type = v6 ? icmp6[rnd(r) % sizeof icmp6] : icmp4[rnd(r) % sizeof icmp4];
	p->icmp_code = (uint8_t)(rnd(r) % 16);
	/* an ICMP error quoting a probe of one of the pool addresses */
	p->inner.src = p->dst;
	pick_addr(r, &p->inner.dst, v6);
	p->inner.proto = rnd(r) % 2 ? 6 : 17;
	p->inner.sport = p->sport;
	p->inner.dport = p->dport;
}

static void small_tables(struct sw_settings *s)
{
	sw_settings_defaults(s);
	s->sources = 64;
	s->contacts = 64;
	s->details = 16;
	s->targets = 16;
	s->distinct_cap = 16;
	s->contact_timeout_ms = 50;
	s->idle_timeout_s = 2;
	s->slow_memory_s = 20;
	s->syn_flood_pps = 50;
	s->udp_flood_pps = 50;
	s->icmp_flood_pps = 50;
	s->login_min_sessions = 3;
	sw_port_add(&s->login_ports, 22);
}

static void run(struct sw_settings *s, uint64_t seed, unsigned packets)
{
	static struct stream st;
	struct sw_detect_sink sink = { check_record, &st };
	struct sw_detect *d;
	struct sw_pkt p;
	int64_t now = 1795799381000000ll;
	uint64_t r = seed, mem;

	memset(&st, 0, sizeof st);
	d = sw_detect_new(s, sink);
	assert_non_null(d);
	mem = sw_detect_memory(d);
	for (unsigned i = 0; i < packets && !st.bad; i++) {
		random_packet(&r, &p, &now);
		sw_detect_packet(d, &p);
	}
	sw_detect_finish(d);
	assert_int_equal(sw_detect_memory(d), mem);
	if (st.bad)
		fail_msg("seed %llu: %d inconsistencies, e.g. %s", (unsigned long long)seed, st.bad,
		         st.why);
	/* every detection opened was closed, exactly once */
	assert_int_equal(st.opens, st.closes);
	print_message("seed %llu: %u packets, %llu records, %llu detections, %llu evidence lines\n",
	              (unsigned long long)seed, packets, (unsigned long long)st.records,
	              (unsigned long long)st.opens, (unsigned long long)st.evidence);
	/* the fuzz must reach the interesting paths, or it proves nothing */
	assert_true(st.opens > 100);
	assert_true(st.evidence > st.opens);
	sw_detect_free(d);
}

static void test_tiny_tables(void **state)
{
	static struct sw_settings s;

	(void)state;
	small_tables(&s);
	run(&s, 0x9e3779b97f4a7c15ull, 1000000);
	run(&s, 42, 1000000);
}

static void test_default_tables(void **state)
{
	static struct sw_settings s;

	(void)state;
	sw_settings_defaults(&s);
	s.login_min_sessions = 3;
	run(&s, 7, 500000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiny_tables),
		cmocka_unit_test(test_default_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
