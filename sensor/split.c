/*
 * split.c - owns -j N for capture files (split.h): the rings from the one
 * reader to the workers, and the reader's model of the packet-time clock
 * that tells it which ticks each worker needs.
 *
 * A ring is a power-of-two byte buffer of entries, each a 32-byte header
 * and the packet, padded to 32 bytes; an entry that would run past the end
 * is preceded by a WRAP entry filling the rest. The reader publishes its
 * position every RING_BATCH entries (and at each flush), the worker its own
 * when it releases; each side sleeps on a condition variable only after a
 * short spin, and the other side signals only when a sleeper says so
 * (a flag and a full fence on each side: no lost wake-up) and there is
 * enough for it (WAKE_PART).
 */
#include "config.h"

#include <assert.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "detect.h"
#include "fanout.h"
#include "split.h"
#include "timefmt.h"

#define ALIGN 32u
#define RING_BATCH 32  /* entries the reader writes before publishing */
#define SPIN 200       /* polls before sleeping, with a CPU for each thread */
/* A sleeping side is woken when a quarter of the ring is there for it
 * (or at once when the waker itself is about to wait, at each flush and
 * at the end): one wake-up for many packets, not one each batch. */
#define WAKE_PART 4

enum { K_WRAP = 0x57 }; /* past the kinds of split.h */

struct entry {
	uint32_t kind;
	uint32_t bytes;    /* the whole entry, header and padding */
	union {
		struct pcap_pkthdr hdr; /* SW_SPLIT_PACKET, the packet follows */
		int64_t tick_us;        /* SW_SPLIT_TICK */
		int linktype;           /* SW_SPLIT_LINKTYPE */
	} u;
};
static_assert(sizeof(struct entry) <= ALIGN, "a ring entry's header fits its alignment");

struct ring {
	alignas(64) atomic_size_t head;   /* published by the reader */
	alignas(64) atomic_size_t tail;   /* published by the worker */
	alignas(64) atomic_int reader_sleeps;
	atomic_int worker_sleeps;
	pthread_mutex_t mu;
	pthread_cond_t data, space;
	uint8_t *buf;
	size_t size;

	/* the reader's own */
	alignas(64) size_t w_pos;         /* written, perhaps not yet published */
	size_t w_tail;                    /* the worker's position, as last read */
	unsigned w_pending;
	int64_t clock_us;                 /* the newest time this worker was given */
	uint64_t passed;

	/* the worker's own */
	alignas(64) size_t r_pos;         /* taken, perhaps not yet released */
	size_t r_head;                    /* the reader's position, as last read */
};

struct sw_split {
	unsigned n;
	int spin;               /* polls before sleeping: none when the threads
	                           share CPUs (the other side needs this one) */
	const struct sw_prefix_list *home;
	struct ring *rings;

	/* the reader's model of the single engine's clock (detect.c advance()) */
	int linktype;
	int64_t next_tick_us;   /* 0: no packet taken yet */
	int64_t now_us;         /* the newest time of an IP packet, below next_tick_us */
	uint64_t ticks;
	struct sw_pkt scratch;  /* a packet that may move the clock, decoded */
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

struct sw_split *sw_split_new(unsigned nworkers, const struct sw_prefix_list *home)
{
	struct sw_split *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->n = nworkers;
	s->home = home;
	s->spin = sysconf(_SC_NPROCESSORS_ONLN) > (long)nworkers ? SPIN : 0;
	if (posix_memalign((void **)&s->rings, 64, nworkers * sizeof *s->rings) != 0) {
		free(s);
		return NULL;
	}
	memset(s->rings, 0, nworkers * sizeof *s->rings);
	for (unsigned i = 0; i < nworkers; i++) {
		struct ring *r = &s->rings[i];
		r->size = SW_SPLIT_RING_BYTES;
		pthread_mutex_init(&r->mu, NULL);
		pthread_cond_init(&r->data, NULL);
		pthread_cond_init(&r->space, NULL);
		if (posix_memalign((void **)&r->buf, 64, r->size) != 0) {
			r->buf = NULL;
			sw_split_free(s);
			return NULL;
		}
	}
	return s;
}

void sw_split_free(struct sw_split *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->n; i++) {
		struct ring *r = &s->rings[i];
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->data);
		pthread_cond_destroy(&r->space);
		free(r->buf);
	}
	free(s->rings);
	free(s);
}

/* ---- the reader's side of a ring ----------------------------------------- */

static void publish(struct ring *r, bool force)
{
	r->w_pending = 0;
	atomic_store_explicit(&r->head, r->w_pos, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	/* w_tail may be old: the backlog is overestimated, never missed */
	if (atomic_load_explicit(&r->worker_sleeps, memory_order_relaxed) &&
	    (force || r->w_pos - r->w_tail >= r->size / WAKE_PART)) {
		pthread_mutex_lock(&r->mu);
		pthread_cond_signal(&r->data);
		pthread_mutex_unlock(&r->mu);
	}
}

static bool has_room(struct ring *r, size_t need)
{
	r->w_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	return r->size - (r->w_pos - r->w_tail) >= need;
}

/* Until need bytes are free: what was written is published first (the
 * worker may be waiting for it), then a short spin, then sleep. */
static void wait_room(struct ring *r, size_t need, int spin)
{
	if (r->size - (r->w_pos - r->w_tail) >= need || has_room(r, need))
		return;
	publish(r, true);
	for (int i = 0; i < spin; i++) {
		cpu_relax();
		if (has_room(r, need))
			return;
	}
	atomic_store(&r->reader_sleeps, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (!has_room(r, need)) {
		pthread_mutex_lock(&r->mu);
		while (!has_room(r, need))
			pthread_cond_wait(&r->space, &r->mu);
		pthread_mutex_unlock(&r->mu);
	}
	atomic_store(&r->reader_sleeps, 0);
}

/* Room for an entry of bytes (a multiple of ALIGN, at most half the ring),
 * after a WRAP entry if it would run past the end: where to write it. */
static struct entry *reserve(struct ring *r, uint32_t bytes, int spin)
{
	size_t at = r->w_pos & (r->size - 1);
	size_t left = r->size - at;
	struct entry *e;

	if (left < bytes) {
		wait_room(r, left + bytes, spin);
		e = (struct entry *)(r->buf + at);
		e->kind = K_WRAP;
		e->bytes = (uint32_t)left;
		r->w_pos += left;
		at = 0;
	} else if (r->size - (r->w_pos - r->w_tail) < bytes) {
		wait_room(r, bytes, spin);
	}
	return (struct entry *)(r->buf + at);
}

static void commit(struct ring *r, struct entry *e)
{
	r->w_pos += e->bytes;
	if (++r->w_pending >= RING_BATCH)
		publish(r, false);
}

static void put_tick(struct sw_split *s, unsigned i, int64_t t)
{
	struct ring *r = &s->rings[i];
	struct entry *e = reserve(r, ALIGN, s->spin);

	e->kind = SW_SPLIT_TICK;
	e->bytes = ALIGN;
	e->u.tick_us = t;
	commit(r, e);
	if (t > r->clock_us)
		r->clock_us = t;
	s->ticks++;
}

static void put_all(struct sw_split *s, enum sw_split_kind kind, int v)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct ring *r = &s->rings[i];
		struct entry *e = reserve(r, ALIGN, s->spin);
		e->kind = kind;
		e->bytes = ALIGN;
		e->u.linktype = v;
		commit(r, e);
	}
}

void sw_split_linktype(struct sw_split *s, int linktype)
{
	s->linktype = linktype;
	put_all(s, SW_SPLIT_LINKTYPE, linktype);
}

void sw_split_flush(struct sw_split *s)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->rings[i].w_pending)
			publish(&s->rings[i], true);
}

void sw_split_end(struct sw_split *s)
{
	put_all(s, SW_SPLIT_END, 0);
	for (unsigned i = 0; i < s->n; i++)
		publish(&s->rings[i], true);
}

/* ---- the reader's clock ----------------------------------------------------- */

/*
 * The single engine moves its clock on the packets the decoder takes (IP,
 * no error) and runs its housekeeping on the first of them at or past
 * next_tick. Below next_tick no packet changes where that happens, so the
 * reader decodes only the packets at or past it (about one a second of
 * packet time) and ticks every worker where the single engine would run.
 * The newest time is kept from the packets that look like IP to the rule
 * (a packet the decoder refuses counts there too: its worker is given a
 * time a little ahead only when packets come out of order after it).
 */
static void clock_before(struct sw_split *s, const struct pcap_pkthdr *hdr,
                         const uint8_t *data, int64_t ts, unsigned w, bool ip)
{
	struct ring *r = &s->rings[w];

	if (s->next_tick_us == 0 || ts >= s->next_tick_us) {
		struct sw_pkt *p = &s->scratch;
		sw_decode(s->linktype, data, hdr->caplen, hdr->len, (uint64_t)ts, p);
		if (p->err != SW_DERR_NONE || (p->l3 != SW_L3_IPV4 && p->l3 != SW_L3_IPV6))
			return; /* the single engine does not see it */
		/* housekeeping at ts (or the clock's start): everyone, now */
		for (unsigned i = 0; i < s->n; i++)
			put_tick(s, i, ts);
		s->next_tick_us = ts + SW_DETECT_TICK_US;
		s->now_us = ts;
		return;
	}
	if (!ip)
		return;
	if (ts < s->now_us && r->clock_us < s->now_us)
		put_tick(s, w, s->now_us); /* out of order: time does not go back */
	if (ts > s->now_us)
		s->now_us = ts;
}

bool sw_split_packet(struct sw_split *s, const struct pcap_pkthdr *hdr, const uint8_t *data)
{
	int off = sw_fanout_net_offset(s->linktype, data, hdr->caplen);
	uint32_t hash = off < 0 ? 0
	              : sw_fanout_hash(s->home, data + off, hdr->caplen - (uint32_t)off);
	unsigned w = sw_fanout_worker(hash, s->n);
	int64_t ts = sw_tv_to_us(&hdr->ts);
	uint32_t bytes = (uint32_t)((sizeof(struct entry) + hdr->caplen + ALIGN - 1) & ~(ALIGN - 1));
	struct ring *r = &s->rings[w];
	struct entry *e;

	if (hdr->caplen > SW_SPLIT_MAX_CAPLEN)
		return false;
	clock_before(s, hdr, data, ts, w, off >= 0 && hdr->caplen > (uint32_t)off &&
	                                  (data[off] >> 4 == 4 || data[off] >> 4 == 6));
	e = reserve(r, bytes, s->spin);
	e->kind = SW_SPLIT_PACKET;
	e->bytes = bytes;
	e->u.hdr = *hdr;
	memcpy(e + 1, data, hdr->caplen);
	if (ts > r->clock_us)
		r->clock_us = ts;
	r->passed++;
	commit(r, e);
	return true;
}

uint64_t sw_split_passed(const struct sw_split *s, unsigned worker)
{
	return worker < s->n ? s->rings[worker].passed : 0;
}

uint64_t sw_split_ticks(const struct sw_split *s)
{
	return s->ticks;
}

/* ---- a worker's side ------------------------------------------------------ */

static void release(struct ring *r, bool force)
{
	if (atomic_load_explicit(&r->tail, memory_order_relaxed) == r->r_pos)
		return;
	atomic_store_explicit(&r->tail, r->r_pos, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	/* r_head may be old: the room is overestimated (a wake-up too early at
	 * worst); a worker that runs out of messages wakes the reader anyway */
	if (atomic_load_explicit(&r->reader_sleeps, memory_order_relaxed) &&
	    (force || r->size - (r->r_head - r->r_pos) >= r->size / WAKE_PART ||
	     r->r_head == r->r_pos)) {
		pthread_mutex_lock(&r->mu);
		pthread_cond_signal(&r->space);
		pthread_mutex_unlock(&r->mu);
	}
}

void sw_split_release(struct sw_split *s, unsigned i)
{
	release(&s->rings[i], false);
}

static bool has_data(struct ring *r)
{
	r->r_head = atomic_load_explicit(&r->head, memory_order_acquire);
	return r->r_head != r->r_pos;
}

static bool wait_data(struct sw_split *s, unsigned i, bool wait)
{
	struct ring *r = &s->rings[i];

	if (r->r_head != r->r_pos || has_data(r))
		return true;
	if (!wait)
		return false;
	release(r, true);
	for (int k = 0; k < s->spin; k++) {
		cpu_relax();
		if (has_data(r))
			return true;
	}
	atomic_store(&r->worker_sleeps, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (!has_data(r)) {
		pthread_mutex_lock(&r->mu);
		while (!has_data(r))
			pthread_cond_wait(&r->data, &r->mu);
		pthread_mutex_unlock(&r->mu);
	}
	atomic_store(&r->worker_sleeps, 0);
	return true;
}

bool sw_split_take(struct sw_split *s, unsigned i, struct sw_split_msg *m, bool wait)
{
	struct ring *r = &s->rings[i];
	const struct entry *e;

	for (;;) {
		if (!wait_data(s, i, wait))
			return false;
		e = (const struct entry *)(r->buf + (r->r_pos & (r->size - 1)));
		r->r_pos += e->bytes;
		if (e->kind != K_WRAP)
			break;
	}
	m->kind = (enum sw_split_kind)e->kind;
	m->hdr = NULL;
	m->data = NULL;
	switch (m->kind) {
	case SW_SPLIT_PACKET:
		m->hdr = &e->u.hdr;
		m->data = (const uint8_t *)(e + 1);
		break;
	case SW_SPLIT_TICK:
		m->tick_us = e->u.tick_us;
		break;
	case SW_SPLIT_LINKTYPE:
		m->linktype = e->u.linktype;
		break;
	default:
		break;
	}
	return true;
}
