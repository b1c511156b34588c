/*
 * test_flood.c - the flood tables (sensor/flood.c) against a plain model
 * written here from flood.h: per (target, port, class) and per (prefix,
 * class) 1-second windows of packet time, answered packets, Misra-Gries
 * senders, the map of a prefix's addresses, the target's open flood
 * keeping its packets from the prefix, and what sw_flood_count reports
 * (open floods, windows at their watch count). Hundreds of IPv4 and IPv6
 * targets in a few prefixes share the tables' hint slots, so hints that
 * collide or went stale are exercised; a fixed key makes the run the same
 * every time. Then a table too small for its targets: every entry handed
 * back is the packet's own, and evictions are counted.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "flood.h"
#include "siphash.h"

#define WINDOW_US 1000000
#define NTARGETS 800
#define NPREFIX 5
#define PLEN4 24
#define PLEN6 64

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

struct mentry {
	bool used;
	struct sw_addr dst;
	uint16_t port;
	uint8_t cls;
	uint8_t plen;
	int64_t win_start;
	uint32_t win_count, win_answered;
	struct sw_flood_src top[SW_FLOOD_TOP];
	uint32_t senders;
	uint32_t seq;
	uint8_t hit[SW_FLOOD_MAP_BITS / 8];
};

struct target {
	struct sw_addr dst;
	uint16_t port;
	uint8_t cls;
	unsigned prefix; /* index into prefixes[] */
	struct mentry m;
};

static struct target targets[NTARGETS];
static struct sw_addr prefixes[NPREFIX];           /* their first addresses */
static struct mentry pmodel[NPREFIX][SW_FL_COUNT];

static void model_sender(struct mentry *e, const struct sw_addr *src)
{
	struct sw_flood_src *empty = NULL;

	for (int i = 0; i < SW_FLOOD_TOP; i++) {
		if (e->top[i].count && sw_addr_eq(&e->top[i].addr, src)) {
			e->top[i].count++;
			return;
		}
		if (!e->top[i].count && !empty)
			empty = &e->top[i];
	}
	e->senders++;
	if (empty) {
		empty->addr = *src;
		empty->count = 1;
		return;
	}
	for (int i = 0; i < SW_FLOOD_TOP; i++)
		e->top[i].count--;
}

static void model_count(struct mentry *e, const struct sw_addr *src, int64_t now)
{
	if (!e->used) {
		e->used = true;
		e->win_start = now;
	}
	if (now - e->win_start >= WINDOW_US) {
		e->win_start = now;
		e->win_count = 0;
		e->win_answered = 0;
		if (!e->seq)
			memset(e->hit, 0, sizeof e->hit);
	} else if (e->win_start - now > WINDOW_US) {
		return; /* of a window gone by (within one, an older packet counts in it) */
	}
	e->win_count++;
	model_sender(e, src);
}

static void check_entry(const struct sw_flood_entry *e, const struct mentry *m)
{
	assert_non_null(e);
	assert_true(sw_addr_eq(&e->dst, &m->dst));
	assert_int_equal(e->dst.family, m->dst.family);
	assert_int_equal(e->port, m->port);
	assert_int_equal(e->cls, m->cls);
	assert_int_equal(e->plen, m->plen);
	assert_int_equal(e->win_start, m->win_start);
	assert_int_equal(e->win_count, m->win_count);
	assert_int_equal(e->win_answered, m->win_answered);
	assert_int_equal(e->senders, m->senders);
	for (int i = 0; i < SW_FLOOD_TOP; i++) {
		assert_int_equal(e->top[i].count, m->top[i].count);
		if (m->top[i].count)
			assert_true(sw_addr_eq(&e->top[i].addr, &m->top[i].addr));
	}
	if (m->plen)
		assert_memory_equal(e->hit, m->hit, sizeof e->hit);
}

static void addr4(struct sw_addr *a, uint32_t v)
{
	memset(a, 0, sizeof *a);
	a->family = SW_AF_INET;
	a->bytes[0] = (uint8_t)(v >> 24);
	a->bytes[1] = (uint8_t)(v >> 16);
	a->bytes[2] = (uint8_t)(v >> 8);
	a->bytes[3] = (uint8_t)v;
}

static void random_source(struct sw_addr *a)
{
	static const uint32_t heavy[] = { 0xc6336401, 0xc6336402, 0x0a000001 };

	if (below(2) == 0) {
		addr4(a, heavy[below(3)]);
	} else if (below(8) == 0) {
		memset(a, 0, sizeof *a);
		a->family = SW_AF_INET6;
		a->bytes[0] = 0x20;
		a->bytes[1] = 0x01;
		a->bytes[15] = (uint8_t)below(4); /* few: some repeat */
	} else {
		addr4(a, (uint32_t)rnd());
	}
}

/* Distinct targets: hosts of three /24s and two /64s, three ports, three
 * classes (ICMP without a port). */
static void make_targets(void)
{
	for (unsigned p = 0; p < NPREFIX; p++) {
		memset(&prefixes[p], 0, sizeof prefixes[p]);
		if (p < 3) {
			addr4(&prefixes[p], 0xcb007100u + (p << 8));
		} else {
			prefixes[p].family = SW_AF_INET6;
			prefixes[p].bytes[0] = 0x20;
			prefixes[p].bytes[1] = 0x01;
			prefixes[p].bytes[2] = 0x0d;
			prefixes[p].bytes[3] = 0xb8;
			prefixes[p].bytes[7] = (uint8_t)p;
		}
		for (unsigned c = 0; c < SW_FL_COUNT; c++) {
			struct mentry *m = &pmodel[p][c];
			memset(m, 0, sizeof *m);
			m->dst = prefixes[p];
			m->cls = (uint8_t)c;
			m->plen = p < 3 ? PLEN4 : PLEN6;
		}
	}
	for (unsigned i = 0; i < NTARGETS; i++) {
		struct target *t = &targets[i];
		bool fresh;

		do {
			t->prefix = below(NPREFIX);
			t->dst = prefixes[t->prefix];
			if (t->dst.family == SW_AF_INET) {
				t->dst.bytes[3] = (uint8_t)below(256);
			} else {
				t->dst.bytes[14] = (uint8_t)below(4);
				t->dst.bytes[15] = (uint8_t)below(256);
			}
			t->cls = (uint8_t)below(SW_FL_COUNT);
			t->port = t->cls == SW_FL_ICMP ? 0 : (uint16_t[]){ 80, 443, 53 }[below(3)];
			fresh = true;
			for (unsigned j = 0; j < i && fresh; j++)
				fresh = !(targets[j].cls == t->cls && targets[j].port == t->port &&
				          sw_addr_eq(&targets[j].dst, &t->dst));
		} while (!fresh);
		memset(&t->m, 0, sizeof t->m);
		t->m.dst = t->dst;
		t->m.port = t->port;
		t->m.cls = t->cls;
	}
}

static unsigned map_bit(const struct sw_addr *dst)
{
	/* a /24: the last byte; a /64 (more than 256 addresses): any bit, the
	 * model takes flood.c's at its word (hit maps of IPv6 prefixes are
	 * compared only when the model knows them, see check_entry) */
	return dst->bytes[3];
}

static struct sw_flood *new_table(unsigned ntargets, unsigned nprefixes)
{
	struct sw_sipkey key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };

	return sw_flood_new(ntargets, nprefixes, PLEN4, PLEN6, &key);
}

static void test_against_model(void **state)
{
	const uint32_t watch_t = 40, watch_p = 400;
	struct sw_flood *f = new_table(4096, 64);
	int64_t now = 1796225461000000;
	unsigned reported = 0, quiet = 0;

	(void)state;
	assert_non_null(f);
	make_targets();
	for (unsigned c = 0; c < SW_FL_COUNT; c++) {
		sw_flood_watch(f, (enum sw_flood_class)c, false, watch_t);
		sw_flood_watch(f, (enum sw_flood_class)c, true, watch_p);
	}
	for (unsigned n = 0; n < 300000; n++) {
		/* a few targets take most packets, so some windows pass the
		 * watch counts; the rest spread over all of them */
		unsigned i = below(4) == 0 ? below(8) : below(NTARGETS);
		struct target *t = &targets[i];
		struct mentry *pm = &pmodel[t->prefix][t->cls];
		struct sw_flood_entry *e, *pe;
		struct sw_addr src;
		bool got, want;

		now += below(600);
		if (below(20000) == 0)
			now -= 1500000; /* packet time going back */
		random_source(&src);

		model_count(&t->m, &src, now);
		if (!t->m.seq) {
			model_count(pm, &src, now);
			if (pm->plen == PLEN4) {
				unsigned b = map_bit(&t->dst);
				pm->hit[b / 8] |= (uint8_t)(1u << (b % 8));
			}
		}
		want = t->m.seq || t->m.win_count >= watch_t ||
		       (!t->m.seq && (pm->seq || pm->win_count >= watch_p));

		got = sw_flood_count(f, (enum sw_flood_class)t->cls, &t->dst, t->port, &src, now, &e,
		                     &pe);
		assert_int_equal(got, want);
		reported += got;
		quiet += !got;
		check_entry(e, &t->m);
		if (t->m.seq) {
			assert_null(pe);
		} else {
			if (pm->plen == PLEN6) /* the map of a /64 is flood.c's estimate */
				memcpy(pm->hit, pe->hit, sizeof pm->hit);
			check_entry(pe, pm);
		}

		/* what detect.c does with them: open and close floods */
		if (below(30000) == 0) {
			e->seq = t->m.seq = t->m.seq ? 0 : 7;
		} else if (!t->m.seq && below(40000) == 0) {
			pe->seq = pm->seq = pm->seq ? 0 : 9;
		}
		/* answers, to known targets and to ones never counted */
		if (below(7) == 0) {
			struct target *a = &targets[below(NTARGETS)];
			struct mentry *am = &pmodel[a->prefix][a->cls];

			sw_flood_answered(f, (enum sw_flood_class)a->cls, &a->dst, a->port, now);
			if (a->m.used && now - a->m.win_start < WINDOW_US)
				a->m.win_answered++;
			if (!(a->m.used && a->m.seq) && am->used && now - am->win_start < WINDOW_US)
				am->win_answered++;
		}
	}
	/* both answers came up often, and the tables never had to push out */
	assert_true(reported > 1000 && quiet > 1000);
	assert_int_equal(sw_flood_evictions(f), 0);
	assert_int_equal(sw_flood_prefix_evictions(f), 0);
	sw_flood_free(f);
}

/* A target table of 64 entries for 800 targets: entries are pushed out and
 * their hints go stale, yet every entry handed back counts the packet's
 * own target and prefix, and no target has two. */
static void test_small_table(void **state)
{
	struct sw_flood *f = new_table(64, 8);
	int64_t now = 1796225461000000;

	(void)state;
	assert_non_null(f);
	make_targets();
	for (unsigned n = 0; n < 100000; n++) {
		struct target *t = &targets[below(NTARGETS)];
		struct sw_flood_entry *e, *pe;
		struct sw_addr src;
		struct sw_prefix p;

		now += below(50);
		random_source(&src);
		sw_flood_count(f, (enum sw_flood_class)t->cls, &t->dst, t->port, &src, now, &e, &pe);
		assert_non_null(e); /* no open floods: a bucket always has room */
		assert_true(sw_addr_eq(&e->dst, &t->dst));
		assert_int_equal(e->port, t->port);
		assert_int_equal(e->cls, t->cls);
		assert_true(e->win_count >= 1);
		assert_non_null(pe);
		sw_prefix_of(&t->dst, t->dst.family == SW_AF_INET ? PLEN4 : PLEN6, &p);
		assert_true(sw_addr_eq(&pe->dst, &p.addr));
		assert_int_equal(pe->plen, p.len);
		assert_int_equal(pe->cls, t->cls);
	}
	assert_true(sw_flood_evictions(f) > 1000);
	for (unsigned i = 0; i < 64; i++) {
		struct sw_flood_entry *a = sw_flood_at(f, i);
		for (unsigned j = i + 1; j < 64 && a->key; j++) {
			struct sw_flood_entry *b = sw_flood_at(f, j);
			assert_false(b->key && a->cls == b->cls && a->port == b->port &&
			             sw_addr_eq(&a->dst, &b->dst));
		}
	}
	sw_flood_free(f);
}

/* Below the watch count nothing is reported, from the count on it is; an
 * open flood (on the target or its prefix) is reported at once. */
static void test_watch(void **state)
{
	struct sw_flood *f = new_table(4096, 64);
	struct sw_flood_entry *e, *pe;
	struct sw_addr dst, src, other;
	int64_t now = 1796225461000000;

	(void)state;
	addr4(&dst, 0xcb007150);
	addr4(&other, 0xcb007151);
	addr4(&src, 0xc6336401);
	sw_flood_watch(f, SW_FL_SYN, false, 10);
	sw_flood_watch(f, SW_FL_SYN, true, 15);
	for (int i = 1; i < 10; i++)
		assert_false(sw_flood_count(f, SW_FL_SYN, &dst, 80, &src, now, &e, &pe));
	assert_true(sw_flood_count(f, SW_FL_SYN, &dst, 80, &src, now, &e, &pe));
	assert_int_equal(e->win_count, 10);
	/* another port of the same host: its own window, the prefix's 11th */
	for (int i = 11; i < 15; i++)
		assert_false(sw_flood_count(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	assert_true(sw_flood_count(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	assert_int_equal(pe->win_count, 15);
	/* a new window: quiet again, until the prefix's flood is open */
	now += WINDOW_US;
	assert_false(sw_flood_count(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	pe->seq = 3;
	assert_true(sw_flood_count(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	/* the target's own open flood: its packets are not the prefix's */
	pe->seq = 0;
	e->seq = 4;
	assert_true(sw_flood_count(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	assert_null(pe);
	/* answered: the open target's window only */
	sw_flood_answered(f, SW_FL_SYN, &other, 443, now);
	assert_int_equal(e->win_answered, 1);
	e->seq = 0;
	assert_false(sw_flood_count(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	assert_int_equal(pe->win_answered, 0);
	sw_flood_answered(f, SW_FL_SYN, &other, 443, now);
	assert_int_equal(e->win_answered, 2);
	assert_int_equal(pe->win_answered, 1);
	/* UDP is another class: nothing counted for it yet */
	assert_false(sw_flood_forged_at(f, SW_FL_UDP, &other, 443));
	sw_flood_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_small_table),
		cmocka_unit_test(test_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
