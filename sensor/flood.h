/*
 * flood.h - packet rates per target and per destination prefix, for
 * syn_flood, udp_flood, icmp_flood.
 *
 * Two fixed keyed tables of the same entries, each counting packets and
 * answered packets in 1-second windows of packet time, with the heaviest
 * sources kept by Misra-Gries so that a flood is attributed to its main
 * sender even among spoofed ones:
 *  - targets: one entry per (target, port, class);
 *  - prefixes: one entry per (destination prefix, class), all ports of the
 *    class together, with a map of the addresses hit (carpet bombing: a
 *    flood spread thinly over a whole /24 or /64).
 * A target entry remembers where its prefix entry is, and each table keeps
 * hints (flood.c) in front of its keyed hash, so a packet to a target seen
 * lately pays no hash at all. Counting is all most packets need:
 * sw_flood_count says when there is more to decide (sw_flood_watch).
 */
#ifndef SW_FLOOD_H
#define SW_FLOOD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "siphash.h"

enum sw_flood_class { SW_FL_SYN, SW_FL_UDP, SW_FL_ICMP, SW_FL_COUNT };

#define SW_FLOOD_TOP 3
#define SW_FLOOD_MAP_BITS 256

struct sw_flood_src {
	struct sw_addr addr;
	uint32_t count;
};

/*
 * An entry. What every packet counted on it reads and writes comes first,
 * in its first two cache lines (the entry is aligned to a line): a target
 * and a prefix entry cost two lines each per packet. 320 bytes.
 */
struct sw_flood_entry {
	_Alignas(64) uint64_t key; /* 0: empty */
	uint64_t ident;          /* targets: (target, port, class) in a word (flood.c) */
	int64_t win_start;
	uint32_t win_count;
	uint32_t seq;            /* open detection, 0 none */
	/* Misra-Gries over the senders, SW_FLOOD_TOP counters (flood.c; read
	 * them with sw_flood_sender): each one's sender as a tag (an IPv4
	 * address whole, with its family; an IPv6 one folded, its bytes in
	 * top6) and its count plus top_base, what every counter has lost
	 * (its count is top_count - top_base, 0 for a free counter) */
	uint64_t top_tag[SW_FLOOD_TOP];
	uint32_t top_count[SW_FLOOD_TOP];
	uint32_t top_base;
	uint32_t senders;        /* distinct senders seen by Misra-Gries (approx.) */
	uint32_t watch;          /* its table's and class's sw_flood_watch count */
	struct sw_flood_entry *pfx; /* targets: their prefix entry... */
	uint64_t pfx_key;        /* ...while that entry still has this key */
	/* prefixes: addresses hit, one bit per address when the prefix holds
	 * at most 256 of them (a /24), else hashed (an estimate); bit b is
	 * hit[b / 32]'s bit b % 32 */
	uint32_t hit[SW_FLOOD_MAP_BITS / 32];
	uint16_t port;           /* targets; 0 for prefixes and ICMP */
	uint8_t cls;
	uint8_t active;          /* the current window is over the threshold */
	uint8_t plen;            /* prefixes: the prefix length; 0 for a target */
	uint8_t owner;           /* -j N: the worker that records its open flood */
	uint8_t refuted;         /* -j N: see ends */
	/* (the rest is read when a window turns, a flood opens or is decided) */
	struct sw_addr dst;      /* the target, or the prefix's first address */
	uint32_t win_answered;
	uint8_t tail_cleared;    /* the fields from held_last on, left as they
	                            were when the entry was taken (a new entry
	                            clears its first three lines only), were
	                            zeroed since by sw_flood_opening */
	int64_t first, last;     /* of the flood (while it has a detection) */
	/* -j N (detect.c): when its open flood ended, 0 not yet; refuted: it
	 * had not after all (then the packets after it are held until every
	 * worker is past the first of them); held: the packets after it, and
	 * the first and last of their times */
	int64_t ends, held_first, held_last;
	uint32_t held;
	int64_t end_start;       /* -j N: its window as its flood ended (detect.c) */
	uint32_t end_count, end_answered;
	int64_t detected_at, last_update;
	uint64_t packets;
	struct sw_addr src;      /* who the open flood is attributed to */
	uint8_t top6[SW_FLOOD_TOP][16]; /* the IPv6 senders' addresses */
};

struct sw_flood;

/* targets and prefixes: entries of the two tables (rounded up to powers of
 * two); plen4, plen6: the length of the IPv4 and IPv6 prefixes counted. */
struct sw_flood *sw_flood_new(unsigned targets, unsigned prefixes, unsigned plen4,
                              unsigned plen6, const struct sw_sipkey *key);
void sw_flood_free(struct sw_flood *f);
uint64_t sw_flood_memory(const struct sw_flood *f);

/* The count a window of class cls must reach before it can be over its
 * threshold, for targets (prefix false) or prefixes: below it
 * sw_flood_count has nothing to report. 0 (the default): always report. */
void sw_flood_watch(struct sw_flood *f, enum sw_flood_class cls, bool prefix, uint32_t count);

/* The entries a packet was counted on (see sw_flood_count). */
struct sw_flood_counted {
	struct sw_flood_entry *target, *prefix;
};

/*
 * Count one packet of src towards (dst, port, cls), then, unless that
 * target has an open flood, towards the prefix holding dst. A window that
 * has ended is rolled over first. When either has an open flood or either
 * window has reached its watch count, returns the entries counted (NULL
 * for one not counted, or whose bucket holds only open floods; one of
 * them is not); else there is nothing to decide for this packet and both
 * are NULL. Two pointers, returned in registers: the packet path calls
 * this for every SYN.
 */
struct sw_flood_counted sw_flood_count(struct sw_flood *f, enum sw_flood_class cls,
                                       const struct sw_addr *dst, uint16_t port,
                                       const struct sw_addr *src, int64_t now);
/* The entries of (dst, port, cls) and of its prefix as they are, nothing
 * counted (NULL: none); the prefix's even when the target has an open
 * flood. */
struct sw_flood_counted sw_flood_entries(struct sw_flood *f, enum sw_flood_class cls,
                                         const struct sw_addr *dst, uint16_t port);
/* The target answered one (completed handshake, UDP reply, echo reply):
 * counted for the target and for its prefix. */
void sw_flood_answered(struct sw_flood *f, enum sw_flood_class cls,
                       const struct sw_addr *dst, uint16_t port, int64_t now);
/* Is (dst, port) of class cls, or its prefix, under an open flood from
 * forged or many sources (one attributed to nobody)? A lookup only. */
bool sw_flood_forged_at(struct sw_flood *f, enum sw_flood_class cls,
                        const struct sw_addr *dst, uint16_t port);
/* The heaviest sender the Misra-Gries counters know of (the first counter
 * of the highest count). */
struct sw_flood_src sw_flood_top(const struct sw_flood_entry *e);
/* Misra-Gries counter i (< SW_FLOOD_TOP): its sender and count (0: free;
 * its sender then the last it had, or none). */
struct sw_flood_src sw_flood_sender(const struct sw_flood_entry *e, unsigned i);
/* Distinct addresses a prefix entry has seen hit: exact for prefixes of at
 * most 256 addresses, else a linear-counting estimate; *capped when the
 * map is full and the number a lower bound. */
uint32_t sw_flood_prefix_targets(const struct sw_flood_entry *e, bool *capped);
/* True when the map has a bit per address of the prefix. */
bool sw_flood_prefix_exact(const struct sw_flood_entry *e);

/* e's flood is about to open (its seq, owner, first, last, detected_at,
 * last_update, packets and src then set): at an entry's first opening the
 * fields from held_last on, which nothing reads before a flood opens,
 * become zero, as if the entry had been cleared whole when it was taken.
 * The top6 of a counter is written with its tag, and read only with it. */
void sw_flood_opening(struct sw_flood_entry *e);

/* -j N: the workers' engines share one table, lock (NULL: not shared)
 * serializing them. sw_flood_answered and sw_flood_forged_at take it
 * themselves; everything else is used between sw_flood_lock and
 * sw_flood_unlock (no-ops without a lock). */
void sw_flood_set_lock(struct sw_flood *f, pthread_mutex_t *lock);
void sw_flood_lock(struct sw_flood *f);
void sw_flood_unlock(struct sw_flood *f);

/* Both tables as one range: targets first, then prefixes. */
unsigned sw_flood_size(const struct sw_flood *f);
struct sw_flood_entry *sw_flood_at(struct sw_flood *f, unsigned i);
uint64_t sw_flood_evictions(const struct sw_flood *f);
uint64_t sw_flood_prefix_evictions(const struct sw_flood *f);

#endif
