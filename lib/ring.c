/*
 * ring.c - the lock-free SPSC ring between capture and writer threads.
 * Each side caches the other's index and rereads it only when the cached
 * value says full (producer) or empty (consumer): one shared cache line
 * touched per batch, not per record.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

int sw_ring_init(struct sw_ring *r, size_t capacity, size_t recsize)
{
	size_t cap = 1;

	memset(r, 0, sizeof *r);
	if (capacity == 0 || recsize == 0 || capacity > (SIZE_MAX >> 2) / recsize)
		return -1;
	while (cap < capacity)
		cap <<= 1;
	r->slots = calloc(cap, recsize);
	if (!r->slots)
		return -1;
	r->mask = cap - 1;
	r->recsize = recsize;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void sw_ring_free(struct sw_ring *r)
{
	free(r->slots);
	r->slots = NULL;
}

bool sw_ring_push(struct sw_ring *r, const void *rec)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (head - r->tail_cache > r->mask) {
		r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (head - r->tail_cache > r->mask)
			return false;
	}
	memcpy(r->slots + (head & r->mask) * r->recsize, rec, r->recsize);
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return true;
}

bool sw_ring_pop(struct sw_ring *r, void *rec)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (tail == r->head_cache) {
		r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
		if (tail == r->head_cache)
			return false;
	}
	memcpy(rec, r->slots + (tail & r->mask) * r->recsize, r->recsize);
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return true;
}

bool sw_ring_peek(struct sw_ring *r, size_t i, void *rec)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (r->head_cache - tail <= i) {
		r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
		if (r->head_cache - tail <= i)
			return false;
	}
	memcpy(rec, r->slots + ((tail + i) & r->mask) * r->recsize, r->recsize);
	return true;
}

void sw_ring_consume(struct sw_ring *r, size_t n)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
}

size_t sw_ring_capacity(const struct sw_ring *r)
{
	return r->mask + 1;
}

size_t sw_ring_count(struct sw_ring *r)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	return head - tail;
}
