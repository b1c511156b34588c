/*
 * pipe.h - -j 1 with capture files in two stages: a reader thread reads,
 * decodes and counts every packet, and passes to the worker (the thread of
 * the detection engine) only the decoded packets the engine must see, in a
 * preallocated single-producer/single-consumer ring of fixed-size slots.
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
 * The ring: the reader decodes straight into the slot sw_pipe_next()
 * gives (it waits for room first), and sw_pipe_put() passes it; what was
 * put is published every SW_PIPE_BATCH slots and at sw_pipe_flush(), the
 * worker gives the slots back at sw_pipe_release(): no system call and no
 * atomic read-modify-write per packet. A side that finds nothing to do
 * spins a little (with a CPU for each thread), then sleeps on a condition
 * variable until the other side wakes it (pipe.c).
 */
#ifndef SW_PIPE_H
#define SW_PIPE_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "decode.h"
#include "detect.h"

/* Slots in the ring, a power of two: 1.5 MiB, more than a core's
 * second-level cache, so that a slot's lines have mostly left the other
 * side's cache before they are used again, and a long wait of either side
 * for the other is rare (measured on the 2-vCPU VM: 1,024 slots ran
 * slower) */
#define SW_PIPE_SLOTS 8192u
#define SW_PIPE_BATCH 32u   /* slots the reader puts before publishing */
#define SW_PIPE_AHEAD 8u    /* the reader asks for the lines of the slot this far ahead */

enum sw_pipe_kind {
	SW_PIPE_PACKET = 1, /* pkt, for sw_detect_packet() */
	SW_PIPE_STATS,      /* the reader's counters are ready (capture.c) */
	SW_PIPE_END,        /* the last message */
};

/* One slot: three cache lines, of which the worker reads the first two
 * for a TCP or UDP packet (the kind first: the quoted header of an ICMP
 * error, at the end of the packet, is alone in the third). */
struct sw_pipe_msg {
	alignas(64) uint32_t kind; /* enum sw_pipe_kind */
	struct sw_pkt pkt;
};

/* The ring; its fields are pipe.c's and the inline functions' below. */
struct sw_pipe {
	alignas(64) atomic_size_t head;   /* slots put and published by the reader */
	alignas(64) atomic_size_t tail;   /* slots released by the worker */
	alignas(64) atomic_int reader_sleeps;
	atomic_int worker_sleeps;
	int spin;                         /* polls before sleeping */
	pthread_mutex_t mu;
	pthread_cond_t data, space;
	struct sw_pipe_msg *slots;

	/* the reader's own */
	alignas(64) size_t w_pos;         /* put, perhaps not yet published */
	size_t w_tail;                    /* the worker's tail, as last read */
	unsigned w_pending;               /* put since the last publication */

	/* the worker's own */
	alignas(64) size_t r_pos;         /* taken, perhaps not yet released */
	size_t r_head;                    /* the reader's head, as last read */
};

/* NULL when out of memory. */
struct sw_pipe *sw_pipe_new(void);
void sw_pipe_free(struct sw_pipe *q);

/* the slow paths of the inline functions below (pipe.c) */
struct sw_pipe_msg *sw_pipe_wait_room(struct sw_pipe *q);
void sw_pipe_publish(struct sw_pipe *q, bool force);
const struct sw_pipe_msg *sw_pipe_wait_data(struct sw_pipe *q, bool wait);

/* ---- the reader (one thread) ---- */

/* The slot to fill next, once it is free (waits for the worker). It stays
 * the reader's, to be filled again, until sw_pipe_put(). */
static inline struct sw_pipe_msg *sw_pipe_next(struct sw_pipe *q)
{
	if (q->w_pos - q->w_tail < SW_PIPE_SLOTS)
		return &q->slots[q->w_pos & (SW_PIPE_SLOTS - 1)];
	return sw_pipe_wait_room(q);
}

/* Pass the slot sw_pipe_next() gave (with its kind set); the worker sees it
 * at the next publication. */
static inline void sw_pipe_put(struct sw_pipe *q)
{
	size_t ahead = q->w_pos + SW_PIPE_AHEAD;

	q->w_pos++;
	/* the lines of a slot a few ahead asked for, to write, while the next
	 * packets are read (the worker's cache may have them), if the worker
	 * gave it back already */
	if (ahead - q->w_tail < SW_PIPE_SLOTS) {
		const char *at = (const char *)&q->slots[ahead & (SW_PIPE_SLOTS - 1)];
		__builtin_prefetch(at, 1);
		__builtin_prefetch(at + 64, 1);
		__builtin_prefetch(at + 128, 1);
	}
	if (++q->w_pending >= SW_PIPE_BATCH)
		sw_pipe_publish(q, false);
}

/* Publish what was put (after each batch of packets read). */
static inline void sw_pipe_flush(struct sw_pipe *q)
{
	if (q->w_pending)
		sw_pipe_publish(q, true);
}

/* ---- the worker (one thread) ---- */

/* The next message, valid until the next sw_pipe_take() or
 * sw_pipe_release(); when there is none, NULL at once unless wait (then it
 * releases what was taken and waits for one). */
static inline const struct sw_pipe_msg *sw_pipe_take(struct sw_pipe *q, bool wait)
{
	if (q->r_pos != q->r_head)
		return &q->slots[q->r_pos++ & (SW_PIPE_SLOTS - 1)];
	return sw_pipe_wait_data(q, wait);
}

/* Give the slots of every message taken so far back to the reader. */
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

/* A time message: the packet the engine takes for its time t alone. */
void sw_pipe_time_packet(struct sw_pkt *p, int64_t t);

#endif
