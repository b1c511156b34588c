/*
 * ring.h - bounded single-producer/single-consumer ring of fixed-size records.
 *
 * The sensor's capture thread pushes, the writer thread pops. Neither side
 * ever blocks or allocates: a push into a full ring fails and the caller
 * counts the loss. Indices are free-running and only the owner of an index
 * writes it (release), the other side reads it (acquire).
 */
#ifndef SW_RING_H
#define SW_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct sw_ring {
	alignas(64) atomic_size_t head; /* next slot to write; producer-owned */
	size_t tail_cache;              /* producer's last view of tail */
	alignas(64) atomic_size_t tail; /* next slot to read; consumer-owned */
	size_t head_cache;              /* consumer's last view of head */
	alignas(64) size_t mask;        /* capacity - 1 (capacity a power of two) */
	size_t recsize;
	unsigned char *slots;
};

/* Capacity is rounded up to a power of two. 0 or -1 (no memory / bad size). */
int sw_ring_init(struct sw_ring *r, size_t capacity, size_t recsize);
void sw_ring_free(struct sw_ring *r);

/* Producer: copy rec in; false when the ring is full. */
bool sw_ring_push(struct sw_ring *r, const void *rec);
/* Consumer: copy the oldest record out; false when empty. */
bool sw_ring_pop(struct sw_ring *r, void *rec);
/* Consumer: copy out the i-th oldest record (0: the oldest) without taking
 * it; false when fewer than i + 1 are waiting. With sw_ring_consume() the
 * consumer keeps records in the ring until it is done with them (a write
 * that must be retried). */
bool sw_ring_peek(struct sw_ring *r, size_t i, void *rec);
/* Consumer: release the n oldest records (n no more than were peeked). */
void sw_ring_consume(struct sw_ring *r, size_t n);

size_t sw_ring_capacity(const struct sw_ring *r);
/* Approximate when called concurrently. */
size_t sw_ring_count(struct sw_ring *r);

#endif
