/*
 * pipe.c - owns the ring of -j 1's two stages (pipe.h): its allocation and
 * the slow paths of its inline functions, publication, release and the
 * waits.
 *
 * Memory order: the reader fills units, then stores head (release); the
 * worker loads head (acquire) before reading the units below it. The
 * worker reads its units, then stores tail (release); the reader loads
 * tail (acquire) before filling a unit again. A side about to sleep sets
 * its flag, then a full fence, then looks again; the other side stores its
 * position, a full fence, then reads the flag: one of the two sees the
 * other's store (no lost wake-up), and the wake-up itself is signalled
 * under the mutex the sleeper checks under. The waker signals only when
 * there is enough for the sleeper (a quarter of the ring, by the
 * sleeper's position read afresh: it does not move while it sleeps), at
 * each flush, or when it is about to wait itself (force).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipe.h"

#define SPIN 200     /* polls before sleeping, with a CPU for each thread */
#define WAKE_PART 4  /* a sleeper is woken for a quarter of the ring */

static_assert((SW_PIPE_UNITS & (SW_PIPE_UNITS - 1)) == 0, "the ring's size is a power of two");
static_assert(sizeof(struct sw_pipe_unit) == 64, "a unit is a cache line");
static_assert(sizeof(struct sw_pipe_msg) == 3 * 64, "a whole packet is three units");
static_assert(sizeof(struct sw_pipe_compact) == 64, "a compact packet is one unit");

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

struct sw_pipe *sw_pipe_new(void)
{
	struct sw_pipe *q;

	if (posix_memalign((void **)&q, 64, sizeof *q) != 0)
		return NULL;
	memset(q, 0, sizeof *q);
	if (posix_memalign((void **)&q->units, 64, SW_PIPE_UNITS * sizeof *q->units) != 0) {
		free(q);
		return NULL;
	}
	memset(q->units, 0, SW_PIPE_UNITS * sizeof *q->units);
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	atomic_init(&q->reader_sleeps, 0);
	atomic_init(&q->worker_sleeps, 0);
	/* with one CPU, spinning only keeps the other side from running */
	q->spin = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? SPIN : 0;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->data, NULL);
	pthread_cond_init(&q->space, NULL);
	return q;
}

void sw_pipe_free(struct sw_pipe *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->data);
	pthread_cond_destroy(&q->space);
	free(q->units);
	free(q);
}

/* ---- the reader's side ------------------------------------------------------ */

void sw_pipe_publish(struct sw_pipe *q, bool force)
{
	q->w_pending = 0;
	atomic_store_explicit(&q->head, q->w_pos, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&q->worker_sleeps, memory_order_relaxed))
		return;
	/* the backlog from the worker's tail as it is now (it released what
	 * it took before sleeping): an old w_tail would overestimate it and
	 * wake the worker at every publication */
	q->w_tail = atomic_load_explicit(&q->tail, memory_order_acquire);
	if (force || q->w_pos - q->w_tail >= SW_PIPE_UNITS / WAKE_PART) {
		pthread_mutex_lock(&q->mu);
		pthread_cond_signal(&q->data);
		pthread_mutex_unlock(&q->mu);
	}
}

static bool has_room(struct sw_pipe *q, size_t units)
{
	q->w_tail = atomic_load_explicit(&q->tail, memory_order_acquire);
	return q->w_pos + units - q->w_tail <= SW_PIPE_UNITS;
}

/* No room for the message as last seen, or it would run past the ring's
 * end: room for it and the units up to the end (a WRAP unit first, the
 * rest unused), what was put published first (the worker may be waiting
 * for it), then a short spin, then sleep. */
void *sw_pipe_wait_room(struct sw_pipe *q, unsigned units)
{
	size_t at = q->w_pos & (SW_PIPE_UNITS - 1);
	size_t skip = at + units > SW_PIPE_UNITS ? SW_PIPE_UNITS - at : 0;

	if (!has_room(q, skip + units)) {
		int i;

		sw_pipe_publish(q, true);
		for (i = 0; i < q->spin && !has_room(q, skip + units); i++)
			cpu_relax();
		if (i == q->spin) {
			atomic_store(&q->reader_sleeps, 1);
			atomic_thread_fence(memory_order_seq_cst);
			if (!has_room(q, skip + units)) {
				pthread_mutex_lock(&q->mu);
				while (!has_room(q, skip + units))
					pthread_cond_wait(&q->space, &q->mu);
				pthread_mutex_unlock(&q->mu);
			}
			atomic_store(&q->reader_sleeps, 0);
		}
	}
	if (skip) {
		q->units[at].kind = SW_PIPE_WRAP;
		q->w_pos += skip; /* published with the message that follows */
	}
	return &q->units[q->w_pos & (SW_PIPE_UNITS - 1)];
}

/* ---- the worker's side ------------------------------------------------------ */

static void release(struct sw_pipe *q, bool force)
{
	if (atomic_load_explicit(&q->tail, memory_order_relaxed) == q->r_pos)
		return;
	atomic_store_explicit(&q->tail, q->r_pos, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&q->reader_sleeps, memory_order_relaxed))
		return;
	/* the room from the reader's head as it is now (it published all it
	 * put before sleeping): an old r_head would overestimate the room and
	 * wake the reader at every release; a worker that runs dry releases
	 * with force */
	q->r_head = atomic_load_explicit(&q->head, memory_order_acquire);
	if (force || SW_PIPE_UNITS - (q->r_head - q->r_pos) >= SW_PIPE_UNITS / WAKE_PART) {
		pthread_mutex_lock(&q->mu);
		pthread_cond_signal(&q->space);
		pthread_mutex_unlock(&q->mu);
	}
}

void sw_pipe_release(struct sw_pipe *q)
{
	release(q, false);
}

static bool has_data(struct sw_pipe *q)
{
	q->r_head = atomic_load_explicit(&q->head, memory_order_acquire);
	return q->r_head != q->r_pos;
}

/* Whether there is a unit to take (after waiting for one, if wait). */
static bool wait_data(struct sw_pipe *q, bool wait)
{
	if (!has_data(q)) {
		int i;

		if (!wait)
			return false;
		release(q, true);
		for (i = 0; i < q->spin && !has_data(q); i++)
			cpu_relax();
		if (i == q->spin) {
			atomic_store(&q->worker_sleeps, 1);
			atomic_thread_fence(memory_order_seq_cst);
			if (!has_data(q)) {
				pthread_mutex_lock(&q->mu);
				while (!has_data(q))
					pthread_cond_wait(&q->data, &q->mu);
				pthread_mutex_unlock(&q->mu);
			}
			atomic_store(&q->worker_sleeps, 0);
		}
	}
	return true;
}

/* sw_pipe_take() when nothing published is left as last seen, or at a
 * WRAP unit (the units up to the ring's end are skipped). */
const struct sw_pipe_unit *sw_pipe_take_slow(struct sw_pipe *q, bool wait)
{
	for (;;) {
		const struct sw_pipe_unit *u;
		size_t at;

		if (q->r_pos == q->r_head && !wait_data(q, wait))
			return NULL;
		at = q->r_pos & (SW_PIPE_UNITS - 1);
		u = &q->units[at];
		if (u->kind != SW_PIPE_WRAP) {
			q->r_pos += sw_pipe_units(u->kind);
			return u;
		}
		q->r_pos += SW_PIPE_UNITS - at;
	}
}
