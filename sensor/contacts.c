/*
 * contacts.c - the contact table and its timeout ring (see contacts.h).
 *
 * Buckets of WAYS slots; a key lives in the bucket its hash selects.
 * The ring holds (slot, generation, time) in arming order; an entry whose
 * slot was since reused or re-armed carries an old generation and is
 * skipped. When the ring is full its oldest entry is dropped: that contact
 * then simply waits for an answer or for its slot to be reused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "contacts.h"

#define WAYS 8

struct ring_entry {
	uint32_t slot;
	uint32_t gen;
	int64_t t;
};

struct sw_contacts {
	struct sw_sipkey key;
	uint32_t bucket_mask;
	uint64_t evictions;
	struct sw_contact *slots;
	struct ring_entry *ring;
	uint32_t ring_mask;
	uint64_t ring_head, ring_tail; /* free-running */
	uint32_t next_gen;
};

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

struct sw_contacts *sw_contacts_new(unsigned entries, const struct sw_sipkey *key)
{
	struct sw_contacts *t = calloc(1, sizeof *t);
	uint32_t n = pow2_at_least(entries < WAYS ? WAYS : entries);

	if (!t)
		return NULL;
	t->key = *key;
	t->bucket_mask = n / WAYS - 1;
	t->ring_mask = n - 1;
	t->slots = calloc(n, sizeof *t->slots);
	t->ring = calloc(n, sizeof *t->ring);
	t->next_gen = 1;
	if (!t->slots || !t->ring) {
		sw_contacts_free(t);
		return NULL;
	}
	return t;
}

void sw_contacts_free(struct sw_contacts *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->ring);
	free(t);
}

uint64_t sw_contacts_memory(const struct sw_contacts *t)
{
	uint64_t n = (uint64_t)t->ring_mask + 1;

	return sizeof *t + n * (sizeof *t->slots + sizeof *t->ring);
}

uint64_t sw_contact_key(const struct sw_contacts *t, const struct sw_addr *src,
                        const struct sw_addr *dst, uint8_t proto, uint16_t port)
{
	uint8_t buf[2 * 17 + 3];
	uint64_t h;

	buf[0] = src->family;
	memcpy(buf + 1, src->bytes, 16);
	buf[17] = dst->family;
	memcpy(buf + 18, dst->bytes, 16);
	buf[34] = proto;
	buf[35] = (uint8_t)(port >> 8);
	buf[36] = (uint8_t)port;
	h = sw_siphash(&t->key, buf, sizeof buf);
	return h ? h : 1; /* 0 marks an empty slot */
}

static struct sw_contact *bucket(struct sw_contacts *t, uint64_t key)
{
	return t->slots + (size_t)((key >> 20) & t->bucket_mask) * WAYS;
}

struct sw_contact *sw_contacts_find(struct sw_contacts *t, uint64_t key)
{
	struct sw_contact *b = bucket(t, key);

	for (int i = 0; i < WAYS; i++)
		if (b[i].key == key)
			return &b[i];
	return NULL;
}

/* Lower is a better victim: empty, then settled, then pending; older first. */
static int victim_rank(const struct sw_contact *c)
{
	if (c->key == 0)
		return 0;
	return sw_contact_pending(c) ? 2 : 1;
}

struct sw_contact *sw_contacts_insert(struct sw_contacts *t, uint64_t key,
                                      struct sw_contact *victim, bool *had_victim)
{
	struct sw_contact *b = bucket(t, key);
	struct sw_contact *v = &b[0];

	for (int i = 1; i < WAYS && v->key != 0; i++) {
		int ri = victim_rank(&b[i]), rv = victim_rank(v);
		if (ri < rv || (ri == rv && b[i].t < v->t))
			v = &b[i];
	}
	*had_victim = false;
	if (v->key != 0) {
		t->evictions++;
		if (sw_contact_pending(v)) {
			*victim = *v;
			*had_victim = true;
		}
	}
	memset(v, 0, sizeof *v);
	v->key = key;
	return v;
}

void sw_contacts_arm(struct sw_contacts *t, struct sw_contact *c)
{
	struct ring_entry *e;

	if (t->ring_head - t->ring_tail > t->ring_mask)
		t->ring_tail++; /* full: forget the oldest deadline */
	c->gen = t->next_gen++;
	if (t->next_gen == 0)
		t->next_gen = 1;
	e = &t->ring[t->ring_head & t->ring_mask];
	e->slot = (uint32_t)(c - t->slots);
	e->gen = c->gen;
	e->t = c->t;
	t->ring_head++;
}

struct sw_contact *sw_contacts_next_expired(struct sw_contacts *t, int64_t deadline)
{
	while (t->ring_tail != t->ring_head) {
		struct ring_entry *e = &t->ring[t->ring_tail & t->ring_mask];
		struct sw_contact *c;

		if (e->t > deadline)
			return NULL;
		t->ring_tail++;
		c = &t->slots[e->slot];
		if (c->key != 0 && c->gen == e->gen && sw_contact_pending(c))
			return c;
	}
	return NULL;
}

uint64_t sw_contacts_evictions(const struct sw_contacts *t)
{
	return t->evictions;
}
