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
 * back is the packet's own, and evictions are counted; and what a taken
 * entry leaves for its first opening to clear.
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
	uint32_t hit[SW_FLOOD_MAP_BITS / 32]; /* as flood.h's */
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

/* The top sender as flood.h says: the first counter of the highest count. */
static const struct sw_flood_src *model_top(const struct sw_flood_src *top)
{
	const struct sw_flood_src *best = &top[0];

	for (int i = 1; i < SW_FLOOD_TOP; i++)
		if (top[i].count > best->count)
			best = &top[i];
	return best;
}

/* e's Misra-Gries counters are the model's: each counter's count, its
 * sender while it has one (the family's bytes, the rest zero), the
 * senders seen, and the top sender. */
static void check_senders(const struct sw_flood_entry *e, const struct sw_flood_src *top,
                          uint32_t senders)
{
	struct sw_flood_src t = sw_flood_top(e);
	const struct sw_flood_src *mt = model_top(top);

	assert_int_equal(e->senders, senders);
	for (unsigned i = 0; i < SW_FLOOD_TOP; i++) {
		struct sw_flood_src c = sw_flood_sender(e, i);
		assert_int_equal(c.count, top[i].count);
		if (top[i].count)
			assert_memory_equal(&c.addr, &top[i].addr, sizeof c.addr);
	}
	assert_int_equal(t.count, mt->count);
	if (mt->count)
		assert_memory_equal(&t.addr, &mt->addr, sizeof t.addr);
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
	check_senders(e, m->top, m->senders);
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
		struct sw_flood_counted c, now_at;
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
				pm->hit[b / 32] |= 1u << (b % 32);
			}
		}
		want = t->m.seq || t->m.win_count >= watch_t ||
		       (!t->m.seq && (pm->seq || pm->win_count >= watch_p));

		c = sw_flood_count(f, (enum sw_flood_class)t->cls, &t->dst, t->port, &src, now);
		got = c.target || c.prefix;
		assert_int_equal(got, want);
		/* the entries counted, as a lookup finds them (reported or not) */
		now_at = sw_flood_entries(f, (enum sw_flood_class)t->cls, &t->dst, t->port);
		e = now_at.target;
		pe = t->m.seq ? NULL : now_at.prefix;
		if (got) {
			assert_ptr_equal(c.target, e);
			assert_ptr_equal(c.prefix, pe);
		}
		reported += got;
		quiet += !got;
		check_entry(e, &t->m);
		if (!t->m.seq) {
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
		struct sw_flood_counted c;
		struct sw_addr src;
		struct sw_prefix p;

		now += below(50);
		random_source(&src);
		/* (no watch counts: every packet reported) */
		c = sw_flood_count(f, (enum sw_flood_class)t->cls, &t->dst, t->port, &src, now);
		e = c.target;
		pe = c.prefix;
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

/* A taken entry clears its first three lines only; the rest is zeroed at
 * its first opening (sw_flood_opening), as if cleared when it was taken,
 * and kept as it was when it opens again. One bucket (8 targets): the
 * ninth target takes the slot of the quietest, whose flood had opened and
 * left its fields set. */
static void test_opening(void **state)
{
	struct sw_flood *f = new_table(8, 8);
	int64_t now = 1796225461000000;
	struct sw_flood_entry *e, *old = NULL;
	struct sw_addr src = { .family = SW_AF_INET, .bytes = { 192, 0, 2, 1 } };
	struct sw_addr dst = { .family = SW_AF_INET, .bytes = { 198, 51, 100, 0 } };

	(void)state;
	assert_non_null(f);
	for (unsigned i = 0; i < 9; i++) {
		dst.bytes[3] = (uint8_t)(i + 1);
		e = sw_flood_count(f, SW_FL_SYN, &dst, 80, &src, now + i).target;
		assert_non_null(e);
		assert_int_equal(e->tail_cleared, 0);
		if (i == 0) {
			/* its flood opened, ran and closed: its fields stay */
			sw_flood_opening(e);
			assert_int_equal(e->tail_cleared, 1);
			e->packets = 77;
			e->detected_at = e->last_update = now;
			e->src = src;
			e->end_start = now;
			e->end_count = 5;
			e->held_last = now;
			sw_flood_opening(e); /* opening again keeps them */
			assert_int_equal(e->packets, 77);
			assert_int_equal(e->end_start, now);
			assert_int_equal(e->end_count, 5);
			old = e;
		}
	}
	/* the ninth took the first one's slot */
	assert_ptr_equal(e, old);
	assert_int_equal(e->dst.bytes[3], 9);
	assert_int_equal(sw_flood_evictions(f), 1);
	assert_int_equal(e->seq, 0);
	assert_int_equal(e->win_answered, 0);
	assert_int_equal(e->ends, 0);
	sw_flood_opening(e);
	assert_int_equal(e->packets, 0);
	assert_int_equal(e->detected_at, 0);
	assert_int_equal(e->last_update, 0);
	assert_int_equal(e->src.family, 0);
	assert_int_equal(e->end_start, 0);
	assert_int_equal(e->end_count, 0);
	assert_int_equal(e->held_last, 0);
	assert_int_equal(e->held, 0);
	sw_flood_free(f);
}

/* Below the watch count nothing is reported, from the count on it is; an
 * open flood (on the target or its prefix) is reported at once. */
/* sw_flood_count, and the entries counted whether it reported them or not
 * (then by a lookup); true when it did. */
static bool count_one(struct sw_flood *f, enum sw_flood_class cls, const struct sw_addr *dst,
                      uint16_t port, const struct sw_addr *src, int64_t now,
                      struct sw_flood_entry **e, struct sw_flood_entry **pe)
{
	struct sw_flood_counted c = sw_flood_count(f, cls, dst, port, src, now);

	if (c.target || c.prefix) {
		*e = c.target;
		*pe = c.prefix;
		return true;
	}
	c = sw_flood_entries(f, cls, dst, port);
	*e = c.target;
	*pe = c.target && c.target->seq ? NULL : c.prefix;
	return false;
}

/*
 * Misra-Gries against a plain one (model_sender) on streams of senders:
 * from forged sources (every packet a new sender: the counters lose one
 * every SW_FLOOD_TOP + 1 packets), a few heavy senders among forged ones,
 * a handful of senders taking turns, IPv6 senders among IPv4 ones (the
 * same /64, so their folds are what tells them apart, or not), over many
 * windows. After every packet the target's and the prefix's counters,
 * counts, senders and top sender are the model's. Halfway, every counter
 * and the base they have lost are moved up to just below 2^32 (the counts
 * the same): the 32-bit arithmetic goes round as plain counts would. With
 * a /24 (the IPv4 path without hash or call) and a /16 (the general one).
 */
static void senders_against_model(unsigned plen4)
{
	struct sw_sipkey key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };
	struct sw_flood *f = sw_flood_new(4096, 64, plen4, PLEN6, &key);
	int64_t now = 1796225461000000;
	struct sw_addr dst4, dst6, few[5];

	assert_non_null(f);
	addr4(&dst4, 0xcb007150);
	memset(&dst6, 0, sizeof dst6);
	dst6.family = SW_AF_INET6;
	dst6.bytes[0] = 0x20;
	dst6.bytes[1] = 0x01;
	dst6.bytes[15] = 0x50;
	for (unsigned i = 0; i < 5; i++)
		addr4(&few[i], 0xc6336400u + i);
	for (unsigned v6 = 0; v6 < 2; v6++) {
		const struct sw_addr *dst = v6 ? &dst6 : &dst4;
		struct sw_flood_src mt[SW_FLOOD_TOP] = { 0 }, mp[SW_FLOOD_TOP] = { 0 };
		uint32_t st = 0, sp = 0;

		for (unsigned n = 0; n < 60000; n++) {
			struct mentry me = { 0 };
			struct sw_flood_entry *e, *pe;
			struct sw_addr src;
			unsigned phase = n / 5000 % 4;

			now += below(200);
			if (phase == 0) {
				addr4(&src, (uint32_t)rnd()); /* forged */
			} else if (phase == 1) {
				if (below(3) == 0)
					src = few[below(2)];
				else
					addr4(&src, (uint32_t)rnd());
			} else if (phase == 2) {
				src = few[below(5)];
			} else if (below(3) == 0) {
				memset(&src, 0, sizeof src);
				src.family = SW_AF_INET6;
				src.bytes[0] = 0x20;
				src.bytes[1] = 0x01;
				src.bytes[8] = (uint8_t)below(2);
				src.bytes[15] = (uint8_t)below(3);
			} else if (below(2)) {
				src = few[below(5)];
			} else {
				addr4(&src, (uint32_t)rnd());
			}
			/* the model's counters: its entries' top and senders */
			memcpy(me.top, mt, sizeof mt);
			me.senders = st;
			model_sender(&me, &src);
			memcpy(mt, me.top, sizeof mt);
			st = me.senders;
			memcpy(me.top, mp, sizeof mp);
			me.senders = sp;
			model_sender(&me, &src);
			memcpy(mp, me.top, sizeof mp);
			sp = me.senders;

			count_one(f, SW_FL_SYN, dst, 80, &src, now, &e, &pe);
			assert_non_null(e);
			assert_non_null(pe);
			check_senders(e, mt, st);
			check_senders(pe, mp, sp);
			if (n == 30000) {
				/* the same counts, every word near its end */
				uint32_t up = 0xfffffff0u - e->top_base;

				for (unsigned i = 0; i < SW_FLOOD_TOP; i++)
					e->top_count[i] += up;
				e->top_base += up;
				check_senders(e, mt, st);
			}
		}
	}
	sw_flood_free(f);
}

static void test_senders_model(void **state)
{
	(void)state;
	senders_against_model(PLEN4);
	senders_against_model(16);
}

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
		assert_false(count_one(f, SW_FL_SYN, &dst, 80, &src, now, &e, &pe));
	assert_true(count_one(f, SW_FL_SYN, &dst, 80, &src, now, &e, &pe));
	assert_int_equal(e->win_count, 10);
	/* another port of the same host: its own window, the prefix's 11th */
	for (int i = 11; i < 15; i++)
		assert_false(count_one(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	assert_true(count_one(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	assert_int_equal(pe->win_count, 15);
	/* a new window: quiet again, until the prefix's flood is open */
	now += WINDOW_US;
	assert_false(count_one(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	pe->seq = 3;
	assert_true(count_one(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	/* the target's own open flood: its packets are not the prefix's */
	pe->seq = 0;
	e->seq = 4;
	assert_true(count_one(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	assert_null(pe);
	/* answered: the open target's window only */
	sw_flood_answered(f, SW_FL_SYN, &other, 443, now);
	assert_int_equal(e->win_answered, 1);
	e->seq = 0;
	assert_false(count_one(f, SW_FL_SYN, &other, 443, &src, now, &e, &pe));
	assert_int_equal(pe->win_answered, 0);
	sw_flood_answered(f, SW_FL_SYN, &other, 443, now);
	assert_int_equal(e->win_answered, 2);
	assert_int_equal(pe->win_answered, 1);
	/* UDP is another class: nothing counted for it yet */
	assert_false(sw_flood_forged_at(f, SW_FL_UDP, &other, 443));
	/* watch counts changed with entries in the tables apply to them */
	sw_flood_watch(f, SW_FL_SYN, true, 1000);
	assert_false(count_one(f, SW_FL_SYN, &dst, 80, &src, now, &e, &pe));
	sw_flood_watch(f, SW_FL_SYN, false, 2);
	assert_true(count_one(f, SW_FL_SYN, &dst, 80, &src, now, &e, &pe));
	sw_flood_watch(f, SW_FL_SYN, false, 1000);
	sw_flood_watch(f, SW_FL_SYN, true, 4);
	assert_true(count_one(f, SW_FL_SYN, &dst, 80, &src, now, &e, &pe));
	assert_int_equal(pe->win_count, 6);
	sw_flood_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_small_table),
		cmocka_unit_test(test_opening),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_senders_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
