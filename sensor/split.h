/*
 * split.h - -j N for capture files: one reader hands each packet to the
 * worker the fanout rule picks (fanout.h, sw_fanout_frame_hash), through a
 * bounded single-producer/single-consumer ring per worker, preallocated;
 * the reader waits when a ring is full (a file never drops a packet).
 *
 * Each worker's detection engine keeps its clock by packet time, as the
 * single engine does, so the reader also passes time: a tick to every
 * worker where the single engine's housekeeping would run (the first
 * packet the decoder takes, then every second of packet time), and before
 * a packet older than the newest one seen, a tick to its worker with the
 * newest time (packet time does not go back). A worker that gets no
 * packets for a long stretch of the file still expires its state on time.
 */
#ifndef SW_SPLIT_H
#define SW_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

#include "netset.h"

/* Bytes of each worker's ring: room for at least two of the largest
 * packets libpcap reads from a file (262,144 bytes). */
#define SW_SPLIT_RING_BYTES (1u << 20)
#define SW_SPLIT_MAX_CAPLEN 262144u

enum sw_split_kind {
	SW_SPLIT_PACKET = 1,
	SW_SPLIT_TICK,     /* advance the clock to tick_us */
	SW_SPLIT_LINKTYPE, /* the packets from here on are of this link type */
	SW_SPLIT_END,      /* the files are read: the last message */
};

/* A message taken by a worker; hdr and data stay valid until
 * sw_split_release(). */
struct sw_split_msg {
	enum sw_split_kind kind;
	int linktype;
	int64_t tick_us;
	const struct pcap_pkthdr *hdr;
	const uint8_t *data;
};

struct sw_split;

/* nworkers rings (2 .. SW_FANOUT_MAX_WORKERS) and the reader's state; home
 * is kept by reference. NULL when out of memory. */
struct sw_split *sw_split_new(unsigned nworkers, const struct sw_prefix_list *home);
void sw_split_free(struct sw_split *s);

/* ---- the reader (one thread) ---- */
/* The packets of the next file are of this link type. */
void sw_split_linktype(struct sw_split *s, int linktype);
/* One packet to its worker (with the ticks due before it); waits for room.
 * false if the packet is larger than any a file holds (not passed). */
bool sw_split_packet(struct sw_split *s, const struct pcap_pkthdr *hdr, const uint8_t *data);
/* Make what was passed visible to the workers (after each batch). */
void sw_split_flush(struct sw_split *s);
/* The end: every worker gets SW_SPLIT_END. */
void sw_split_end(struct sw_split *s);
/* Packets passed to each worker, and ticks (for -v). */
uint64_t sw_split_passed(const struct sw_split *s, unsigned worker);
uint64_t sw_split_ticks(const struct sw_split *s);

/* ---- worker i (one thread each) ---- */
/* The next message; when there is none, false at once unless wait (then it
 * waits for one, after releasing what was taken). */
bool sw_split_take(struct sw_split *s, unsigned i, struct sw_split_msg *m, bool wait);
/* Give the ring space of every message taken so far back to the reader. */
void sw_split_release(struct sw_split *s, unsigned i);

#endif
