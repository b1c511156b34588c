/*
 * contacts.h - first contacts and their outcomes.
 *
 * A contact is (source, destination, protocol, destination port): the unit
 * TRW scores. Each is remembered in a fixed set-associative table keyed by
 * a 64-bit keyed hash of that tuple (keyhash.h; equal hashes are taken
 * as equal tuples: with a random key per run, a false match has odds of
 * about 2^-46 per lookup at full table, and nobody outside can aim for
 * one). Pending contacts also go on a FIFO timeout ring: the timeout is
 * one constant, so they expire in the order they were armed.
 */
#ifndef SW_CONTACTS_H
#define SW_CONTACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "siphash.h"

enum sw_cstate {
	SW_C_EMPTY = 0,
	SW_C_SYN,      /* SYN seen, no answer yet */
	SW_C_SYNACK,   /* SYN-ACK seen: the source must now complete or reset */
	SW_C_ESTAB,    /* handshake completed */
	SW_C_UDP,      /* datagram sent, no answer yet */
	SW_C_ECHO,     /* ICMP echo/timestamp/mask request, no answer yet */
	SW_C_STEALTH,  /* FIN/NULL/XMAS/... probe, no answer yet */
	SW_C_DONE,     /* outcome known */
};

/* What the destination (or a router) said: the evidence's "answered ..." */
enum sw_answer {
	SW_A_PENDING = 0,
	SW_A_NONE,        /* no answer within the timeout */
	SW_A_RST,         /* refused: RST */
	SW_A_HALFOPEN,    /* SYN-ACK, then the source reset instead of completing */
	SW_A_NOACK,       /* SYN-ACK, then the source never completed */
	SW_A_COMPLETED,   /* handshake completed */
	SW_A_UNREACH,     /* ICMP destination unreachable */
	SW_A_REPLY,       /* UDP reply, echo reply */
	SW_A_RETURNED,    /* a session with payload to a port an earlier probe found open */
	SW_A_TRACE,       /* a traceroute probe (not answered here): code = its TTL */
};

/* Bits of sw_contact.bits */
#define SW_CB_FIRST 0x01   /* this episode is the contact's first: TRW counts it */
#define SW_CB_FOUND_OPEN 0x02 /* an earlier episode found the port open (SYN-ACK) */
/* 0x04: free (a flood's packets make no contact: flood_packet comes first) */
#define SW_CB_WATCH 0x08   /* a scanner's session to a port it found open: payload? */
#define SW_CB_FRAG 0x10    /* the probe came in tiny fragments (an evasion) */

struct sw_contact {
	uint64_t key;       /* 0: empty slot */
	uint64_t src_key;   /* hash of the source address (finds its sources entry) */
	int64_t t;          /* packet time of the latest probe */
	struct sw_addr dst; /* for the evidence of a probe that times out */
	union {
		uint32_t gen;   /* while pending: the ring position of its latest
		                   arming, so stale ring entries are skipped */
		uint32_t seq0;  /* while a returning scanner's session is watched
		                   (SW_CB_WATCH): the source's sequence number after
		                   the handshake, to see whether it sent payload */
	};
	uint16_t sport, dport;
	uint16_t sessions;  /* completed handshakes in this contact's life */
	uint8_t proto;
	uint8_t state;      /* enum sw_cstate */
	uint8_t group;      /* activity group of the source (detect.c) */
	uint8_t pflags;     /* TCP flags of the probe, or the ICMP type */
	uint8_t bits;       /* SW_CB_* */
	uint8_t answer;     /* enum sw_answer */
	uint8_t variant;    /* stealth probes: enum sw_variant */
};

struct sw_contacts;

struct sw_contacts *sw_contacts_new(unsigned entries, const struct sw_sipkey *key);
void sw_contacts_free(struct sw_contacts *t);
uint64_t sw_contacts_memory(const struct sw_contacts *t);

uint64_t sw_contact_key(const struct sw_contacts *t, const struct sw_addr *src,
                        const struct sw_addr *dst, uint8_t proto, uint16_t port);

struct sw_contact *sw_contacts_find(struct sw_contacts *t, uint64_t key);
/* sw_contacts_find of sw_contact_key's key, in one call; the key goes to
 * *key (for sw_contacts_insert when there is no contact). */
struct sw_contact *sw_contacts_lookup(struct sw_contacts *t, const struct sw_addr *src,
                                      const struct sw_addr *dst, uint8_t proto, uint16_t port,
                                      uint64_t *key);

/*
 * A slot for a new contact at time now: zeroed but for its key and t = now,
 * and already armed (as sw_contacts_arm would). When the bucket is full the
 * least useful entry goes: a settled one before a pending one, the oldest
 * first. A pending victim is copied to *victim (its outcome must still be
 * counted: the copy needs no sw_contacts_settled); victim->key is 0 when
 * there was none (a contact's key never is).
 */
struct sw_contact *sw_contacts_insert(struct sw_contacts *t, uint64_t key, int64_t now,
                                      struct sw_contact *victim);

/* Put c (in the table) on the timeout ring with its current time (it is
 * pending again). */
void sw_contacts_arm(struct sw_contacts *t, struct sw_contact *c);
/* c (in the table) has its outcome: now a better eviction victim than a
 * pending one. */
void sw_contacts_settled(struct sw_contacts *t, const struct sw_contact *c);

/* The contacts armed at or before deadline that are still pending from
 * that arming, in arming order, up to n of them into out; returns how
 * many (fewer than n: that was the last). Each is already marked settled
 * (sw_contacts_settled): the caller gives it its outcome. A batch per
 * call, where a call per contact cost as much as finding it. */
unsigned sw_contacts_expired(struct sw_contacts *t, int64_t deadline, struct sw_contact **out,
                             unsigned n);

uint64_t sw_contacts_evictions(const struct sw_contacts *t);

/*
 * The connection filter: a direct-mapped array of 32-bit tags of TCP
 * connections (both directions map to one entry) that are known, so the
 * ACKs and FINs of established connections, most of the traffic that is
 * not data, skip the contact lookups. A tag mismatch only means "ask the
 * contact table"; an overwritten entry costs a lookup, never a detection.
 */
/* A connection's entry in the filter: hashed once (sw_contacts_conn), then
 * asked and changed through the calls below, for as long as no other
 * filter call comes between (a packet's handling). */
struct sw_conn {
	uint32_t *slot;
	uint32_t tag;      /* never 0, which marks an empty slot */
};

struct sw_conn sw_contacts_conn(struct sw_contacts *t, const struct sw_addr *src,
                                const struct sw_addr *dst, uint16_t sport, uint16_t dport);

/* Is this connection known as established? */
static inline bool sw_conn_known(struct sw_conn c)
{
	return *c.slot == c.tag;
}

/* Remember it as established. */
static inline void sw_conn_mark(struct sw_conn c)
{
	*c.slot = c.tag;
}

/* A new handshake on the same addresses and ports: forget it (only its own
 * entry; another connection's tag in the slot stays). */
static inline void sw_conn_forget(struct sw_conn c)
{
	if (*c.slot == c.tag)
		*c.slot = 0;
}

static inline bool sw_contact_pending(const struct sw_contact *c)
{
	return c->state != SW_C_EMPTY && c->state != SW_C_ESTAB && c->state != SW_C_DONE;
}

#endif
