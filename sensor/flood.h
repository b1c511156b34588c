/*
 * flood.h - per-target packet rates, for syn_flood, udp_flood, icmp_flood.
 *
 * One entry per (target, port, class) in a fixed keyed table, counting
 * packets and answered packets in 1-second windows of packet time, with
 * the heaviest sources kept by Misra-Gries so that a flood is attributed
 * to its main sender even among spoofed ones.
 */
#ifndef SW_FLOOD_H
#define SW_FLOOD_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "siphash.h"

enum sw_flood_class { SW_FL_SYN, SW_FL_UDP, SW_FL_ICMP, SW_FL_COUNT };

#define SW_FLOOD_TOP 3

struct sw_flood_src {
	struct sw_addr addr;
	uint32_t count;
};

struct sw_flood_entry {
	uint64_t key;            /* 0: empty */
	struct sw_addr dst;
	uint16_t port;
	uint8_t cls;
	uint8_t active;          /* the current window is over the threshold */
	int64_t win_start;
	uint32_t win_count, win_answered;
	int64_t first, last;     /* of the flood (while it has a detection) */
	int64_t detected_at, last_update;
	uint64_t packets;
	uint32_t seq;            /* open detection, 0 none */
	uint32_t senders;        /* distinct senders seen by Misra-Gries (approx.) */
	struct sw_addr src;      /* who the open flood is attributed to */
	struct sw_flood_src top[SW_FLOOD_TOP];
};

struct sw_flood;

struct sw_flood *sw_flood_new(unsigned entries, const struct sw_sipkey *key);
void sw_flood_free(struct sw_flood *f);
uint64_t sw_flood_memory(const struct sw_flood *f);

/* Count one packet of src towards (dst, port, cls); returns its entry. A
 * window that has ended is rolled over first. */
struct sw_flood_entry *sw_flood_count(struct sw_flood *f, enum sw_flood_class cls,
                                      const struct sw_addr *dst, uint16_t port,
                                      const struct sw_addr *src, int64_t now);
/* The target answered one (completed handshake, UDP reply, echo reply). */
void sw_flood_answered(struct sw_flood *f, enum sw_flood_class cls,
                       const struct sw_addr *dst, uint16_t port, int64_t now);
/* The heaviest sender the Misra-Gries counters know of. */
const struct sw_flood_src *sw_flood_top(const struct sw_flood_entry *e);

unsigned sw_flood_size(const struct sw_flood *f);
struct sw_flood_entry *sw_flood_at(struct sw_flood *f, unsigned i);
uint64_t sw_flood_evictions(const struct sw_flood *f);

#endif
