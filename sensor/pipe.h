/*
 * pipe.h - -j 1 with capture files in two stages: a reader thread reads,
 * decodes and counts every packet, and passes to the worker (the thread of
 * the detection engine) only the decoded packets the engine must see, in a
 * preallocated single-producer/single-consumer ring.
 *
 * What must cross (struct sw_pipe_clock): the packets sw_detect_need()
 * says the engine may learn from, and of the rest, only where the engine's
 * clock must be as the single thread has it: the packet at which its
 * housekeeping falls due (it crosses itself), and before a packet older
 * than the newest one seen, that newest time (a time message: an IP packet
 * of the reserved protocol 255, which the engine takes for its time and
 * nothing else). So the engine's clock, housekeeping and therefore every
 * record are those of the single-threaded path.
 *
 * The ring: messages of one or three 64-byte units. The reader decodes
 * into a packet of its own (it stays in its first-level cache) and
 * sw_pipe_put_packet() copies it in: the common packet (IPv4 TCP or UDP,
 * not a fragment) packed into one unit, so that it crosses to the other
 * core in one cache line, any other whole in three; the worker unpacks it
 * into a packet of its own, zero where the compact form says nothing: the
 * very one sw_decode() gave. What was
 * put is published every SW_PIPE_BATCH messages and at sw_pipe_flush(),
 * the worker gives the units back at sw_pipe_release(): no system call
 * and no atomic read-modify-write per packet. A message never runs past
 * the ring's end: a WRAP unit before it says to go on at the start (as
 * split.c's rings do). A side that finds nothing to do
 * spins a little (with a CPU for each thread), then sleeps on a condition
 * variable until the other side wakes it (pipe.c).
 */
#ifndef SW_PIPE_H
#define SW_PIPE_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>

#include "decode.h"
#include "detect.h"

/* The ring is an array of 64-byte units, a power of two of them: 2 MiB,
 * more than a core's second-level cache, so that a unit has mostly left
 * the other side's cache before it is used again, and a long wait of
 * either side for the other is rare (measured on the 2-vCPU VM with
 * three-line slots: 1,024 of them, 192 KiB, ran slower). */
#define SW_PIPE_UNITS 32768u
#define SW_PIPE_BATCH 32u   /* messages the reader puts before publishing */
#define SW_PIPE_AHEAD 8u    /* the reader asks for the line this many units ahead */

/* A message is one unit or three, never split across the ring's end: the
 * first byte of each is its kind. */
enum sw_pipe_kind {
	SW_PIPE_PACKET = 1, /* struct sw_pipe_msg: a whole sw_pkt (3 units) */
	SW_PIPE_TCP4,       /* struct sw_pipe_compact: an IPv4 TCP packet (1 unit) */
	SW_PIPE_UDP4,       /* struct sw_pipe_compact: an IPv4 UDP packet (1 unit) */
	SW_PIPE_STATS,      /* the reader's counters are ready (capture.c; 1 unit) */
	SW_PIPE_END,        /* the last message (1 unit) */
	SW_PIPE_WRAP,       /* nothing: the rest of the ring is skipped (1 unit
	                       written, the units up to the end unused) */
};

struct sw_pipe_unit {
	alignas(64) uint8_t kind; /* enum sw_pipe_kind */
	uint8_t rest[63];
};

/* Any packet: three units, of which the worker reads the first two for a
 * TCP or UDP packet (the quoted header of an ICMP error, at the end of the
 * packet, is alone in the third). */
struct sw_pipe_msg {
	alignas(64) uint8_t kind; /* SW_PIPE_PACKET */
	struct sw_pkt pkt;
};

/* The common packet in one unit: an IPv4 TCP or UDP packet, decoded
 * without error, not a fragment, with no field of the fragment, ICMP or
 * quoted-header parts set (sw_pipe_compact_ok()). What it leaves out is
 * zero, l3 is IPv4, proto is in the kind, the addresses are IPv4 (the
 * rest of struct sw_addr zero): sw_pipe_unpack() gives back the sw_pkt
 * sw_decode() gave, byte for byte. */
struct sw_pipe_compact {
	alignas(64) uint8_t kind; /* SW_PIPE_TCP4 or SW_PIPE_UDP4 */
	uint8_t vlan_depth;
	uint8_t ttl;
	uint8_t tcp_flags;
	uint8_t tcp_optlen;
	uint8_t tcp_nopts;
	uint16_t flags;
	uint64_t ts_us;
	uint32_t caplen, wirelen;
	uint8_t src[4], dst[4];
	uint16_t vlan_id, ip_id, ip_len, sport, dport, tcp_win, tcp_mss, payload_len;
	uint32_t tcp_seq, tcp_ack;
	uint8_t tcp_optkinds[8];
};

/* The ring; its fields are pipe.c's and the inline functions' below.
 * Positions count units. */
struct sw_pipe {
	alignas(64) atomic_size_t head;   /* units put and published by the reader */
	alignas(64) atomic_size_t tail;   /* units released by the worker */
	alignas(64) atomic_int reader_sleeps;
	atomic_int worker_sleeps;
	int spin;                         /* polls before sleeping */
	pthread_mutex_t mu;
	pthread_cond_t data, space;
	struct sw_pipe_unit *units;

	/* the reader's own */
	alignas(64) size_t w_pos;         /* put, perhaps not yet published */
	size_t w_tail;                    /* the worker's tail, as last read */
	unsigned w_pending;               /* messages put since the last publication */

	/* the worker's own */
	alignas(64) size_t r_pos;         /* taken, perhaps not yet released */
	size_t r_head;                    /* the reader's head, as last read */
};

/* NULL when out of memory. */
struct sw_pipe *sw_pipe_new(void);
void sw_pipe_free(struct sw_pipe *q);

/* the slow paths of the inline functions below (pipe.c) */
void *sw_pipe_wait_room(struct sw_pipe *q, unsigned units);
void sw_pipe_publish(struct sw_pipe *q, bool force);
const struct sw_pipe_unit *sw_pipe_take_slow(struct sw_pipe *q, bool wait);

/* Units of a message of this kind. */
static inline unsigned sw_pipe_units(unsigned kind)
{
	return kind == SW_PIPE_PACKET ? 3u : 1u;
}

/* ---- the compact form ---- */

/* Whether p goes in one unit: every field sw_pipe_compact leaves out is
 * as sw_decode()'s zero fill left it. (The quoted header is filled only
 * for ICMP errors, with SW_PF_INNER; test_pipe holds both to every packet
 * of the corpus and to made-up ones.) */
static inline bool sw_pipe_compact_ok(const struct sw_pkt *p)
{
	uint64_t s8, d8;
	uint32_t s4, d4;

	if (p->l3 != SW_L3_IPV4 || (p->proto != SW_IPPROTO_TCP && p->proto != SW_IPPROTO_UDP) ||
	    p->err != SW_DERR_NONE || (p->flags & (SW_PF_INNER | SW_PF_INNER_PORTS)) ||
	    p->src.family != SW_AF_INET || p->dst.family != SW_AF_INET)
		return false;
	memcpy(&s8, p->src.bytes + 4, 8);
	memcpy(&s4, p->src.bytes + 12, 4);
	memcpy(&d8, p->dst.bytes + 4, 8);
	memcpy(&d4, p->dst.bytes + 12, 4);
	return (s8 | d8 | s4 | d4 | p->frag_off | p->frag_id | p->frag_len | p->frag_l4_off |
	        p->frag_data_off | p->frag_data_cap | p->icmp_type | p->icmp_code | p->icmp_id |
	        p->icmp_seq) == 0;
}

/* p (sw_pipe_compact_ok()) into c. */
static inline void sw_pipe_pack(struct sw_pipe_compact *c, const struct sw_pkt *p)
{
	c->kind = p->proto == SW_IPPROTO_TCP ? SW_PIPE_TCP4 : SW_PIPE_UDP4;
	c->vlan_depth = p->vlan_depth;
	c->ttl = p->ttl;
	c->tcp_flags = p->tcp_flags;
	c->tcp_optlen = p->tcp_optlen;
	c->tcp_nopts = p->tcp_nopts;
	c->flags = p->flags;
	c->ts_us = p->ts_us;
	c->caplen = p->caplen;
	c->wirelen = p->wirelen;
	memcpy(c->src, p->src.bytes, 4);
	memcpy(c->dst, p->dst.bytes, 4);
	c->vlan_id = p->vlan_id;
	c->ip_id = p->ip_id;
	c->ip_len = p->ip_len;
	c->sport = p->sport;
	c->dport = p->dport;
	c->tcp_win = p->tcp_win;
	c->tcp_mss = p->tcp_mss;
	c->payload_len = p->payload_len;
	c->tcp_seq = p->tcp_seq;
	c->tcp_ack = p->tcp_ack;
	memcpy(c->tcp_optkinds, p->tcp_optkinds, sizeof c->tcp_optkinds);
}

/* The packet c holds, into p: p was zeroed once and nothing but this
 * function writes it (the fields the compact form leaves out stay zero;
 * the worker spares a memset of the whole packet per packet). */
static inline void sw_pipe_unpack(const struct sw_pipe_compact *c, struct sw_pkt *p)
{
	p->ts_us = c->ts_us;
	p->caplen = c->caplen;
	p->wirelen = c->wirelen;
	p->l3 = SW_L3_IPV4;
	p->proto = c->kind == SW_PIPE_TCP4 ? SW_IPPROTO_TCP : SW_IPPROTO_UDP;
	p->flags = c->flags;
	p->vlan_depth = c->vlan_depth;
	p->vlan_id = c->vlan_id;
	p->src.family = SW_AF_INET;
	memcpy(p->src.bytes, c->src, 4);
	p->dst.family = SW_AF_INET;
	memcpy(p->dst.bytes, c->dst, 4);
	p->ttl = c->ttl;
	p->ip_id = c->ip_id;
	p->ip_len = c->ip_len;
	p->sport = c->sport;
	p->dport = c->dport;
	p->tcp_flags = c->tcp_flags;
	p->tcp_optlen = c->tcp_optlen;
	p->tcp_win = c->tcp_win;
	p->tcp_seq = c->tcp_seq;
	p->tcp_ack = c->tcp_ack;
	p->tcp_mss = c->tcp_mss;
	p->tcp_nopts = c->tcp_nopts;
	memcpy(p->tcp_optkinds, c->tcp_optkinds, sizeof p->tcp_optkinds);
	p->payload_len = c->payload_len;
}

/* ---- the reader (one thread) ---- */

/* Room for a message of the given units, contiguous, once it is free
 * (waits for the worker). It stays the reader's, to be filled again, until
 * sw_pipe_advance(). */
static inline void *sw_pipe_room(struct sw_pipe *q, unsigned units)
{
	size_t at = q->w_pos & (SW_PIPE_UNITS - 1);

	if (at + units <= SW_PIPE_UNITS && q->w_pos + units - q->w_tail <= SW_PIPE_UNITS)
		return &q->units[at];
	return sw_pipe_wait_room(q, units);
}

/* Pass the message sw_pipe_room() gave (with its kind set, units long);
 * the worker sees it at the next publication. */
static inline void sw_pipe_advance(struct sw_pipe *q, unsigned units)
{
	size_t ahead;

	q->w_pos += units;
	/* the line a few units ahead asked for, to write, while the next
	 * packets are read (the worker's cache may have it), if the worker
	 * gave it back already */
	ahead = q->w_pos + SW_PIPE_AHEAD;
	if (ahead - q->w_tail < SW_PIPE_UNITS)
		__builtin_prefetch(&q->units[ahead & (SW_PIPE_UNITS - 1)], 1);
	if (++q->w_pending >= SW_PIPE_BATCH)
		sw_pipe_publish(q, false);
}

/* Pass a packet: in one unit if it fits, else whole. */
static inline void sw_pipe_put_packet(struct sw_pipe *q, const struct sw_pkt *p)
{
	if (sw_pipe_compact_ok(p)) {
		sw_pipe_pack(sw_pipe_room(q, 1), p);
		sw_pipe_advance(q, 1);
	} else {
		struct sw_pipe_msg *m = sw_pipe_room(q, 3);

		m->kind = SW_PIPE_PACKET;
		m->pkt = *p;
		sw_pipe_advance(q, 3);
	}
}

/* Pass a message of one unit with nothing but its kind. */
static inline void sw_pipe_put_kind(struct sw_pipe *q, enum sw_pipe_kind kind)
{
	struct sw_pipe_unit *u = sw_pipe_room(q, 1);

	u->kind = (uint8_t)kind;
	sw_pipe_advance(q, 1);
}

/* Publish what was put (after each batch of packets read). */
static inline void sw_pipe_flush(struct sw_pipe *q)
{
	if (q->w_pending)
		sw_pipe_publish(q, true);
}

/* ---- the worker (one thread) ---- */

/* The next message (its first unit: the kind tells its type), valid until
 * the next sw_pipe_release() or waiting sw_pipe_take(); when there is none, NULL at once unless wait
 * (then it releases what was taken and waits for one). */
static inline const struct sw_pipe_unit *sw_pipe_take(struct sw_pipe *q, bool wait)
{
	if (q->r_pos != q->r_head) {
		const struct sw_pipe_unit *u = &q->units[q->r_pos & (SW_PIPE_UNITS - 1)];

		if (u->kind != SW_PIPE_WRAP) {
			q->r_pos += sw_pipe_units(u->kind);
			/* the line a few units ahead asked for, if published:
			 * it comes from the reader's cache while this message
			 * is worked on */
			if (q->r_head - q->r_pos > SW_PIPE_AHEAD)
				__builtin_prefetch(&q->units[(q->r_pos + SW_PIPE_AHEAD) &
				                             (SW_PIPE_UNITS - 1)]);
			return u;
		}
	}
	return sw_pipe_take_slow(q, wait);
}

/* Give the units of every message taken so far back to the reader. */
void sw_pipe_release(struct sw_pipe *q);

/* ---- what crosses: the reader's model of the engine's clock ---- */

/*
 * detect.c's advance(): the clock is the newest time of the packets the
 * engine takes (errors and non-IP are not taken), and housekeeping runs at
 * the first of them at or past next_tick (next_tick 0: the first packet,
 * which only sets the first tick), then next_tick is a tick later. The
 * model follows every packet; sent is the newest time the worker's engine
 * was given.
 */
struct sw_pipe_clock {
	int64_t now;
	int64_t next_tick;
	int64_t sent;
};

enum sw_pipe_pass {
	SW_PIPE_SKIP,       /* the engine would only move its clock: not passed */
	SW_PIPE_PASS,       /* pass the packet */
	SW_PIPE_TIME_FIRST, /* pass a time message (*time), then the packet */
};

/* What to do with p, the next packet the single engine would be given
 * (every decoded packet, and the headers the fragment tracker puts
 * together, in that order). */
static inline enum sw_pipe_pass sw_pipe_clock_pass(struct sw_pipe_clock *k,
                                                   const struct sw_pkt *p, int64_t *time)
{
	enum sw_detect_need need = sw_detect_need(p);
	int64_t ts = (int64_t)p->ts_us, before = k->now;
	bool due;

	if (need == SW_DETECT_IGNORES)
		return SW_PIPE_SKIP;
	if (ts > before)
		k->now = ts;
	due = k->now >= k->next_tick;
	if (due)
		k->next_tick = k->now + SW_DETECT_TICK_US;
	else if (need == SW_DETECT_CLOCK)
		return SW_PIPE_SKIP;
	/* an older packet: the engine's clock must first be where the
	 * skipped packets took the single one's (never due then: the
	 * newest time is always below next_tick after a packet) */
	if (ts < before && k->sent < before) {
		*time = before;
		k->sent = k->now;
		return SW_PIPE_TIME_FIRST;
	}
	k->sent = k->now;
	return SW_PIPE_PASS;
}

/* At the end: whether the engine's clock is behind the single one's (a
 * time message of k->now is due, so that sw_detect_finish() closes at the
 * same time). */
static inline bool sw_pipe_clock_behind(const struct sw_pipe_clock *k)
{
	return k->sent < k->now;
}

#endif
