/*
 * capture.h - where packets come from: capture files read in order, or a
 * live interface through libpcap's TPACKET_V3 ring, with a BPF filter.
 */
#ifndef SW_CAPTURE_H
#define SW_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

#include "counters.h"
#include "decode.h"
#include "netset.h"
struct sw_detect; /* detect.h */
struct sw_writer; /* writer.h */
struct sw_evpcap; /* evpcap.h */

#define SW_DEFAULT_SNAPLEN 128 /* headers only: Ethernet+VLANs+IPv6+ext+TCP opts */
#define SW_DEFAULT_BUFFER_MIB 32
#define SW_DEFAULT_STATS_INTERVAL 60

struct sw_capture_opts {
	const char *const *files; /* -r FILE..., or NULL */
	int nfiles;
	const char *iface;        /* -i IFACE, or NULL */
	const char *filter;       /* BPF expression, or NULL */
	int snaplen;
	int buffer_mib;           /* kernel ring size for a live capture */
	int promisc;
	int stats_interval;       /* seconds between stored statistics (live) */
	unsigned frag_slots;      /* fragment tracker size (each worker has one) */
	int workers;              /* -j N workers (0 or 1: one, no fanout, no reader) */
	int reader_thread;        /* -j 1 files: read and decode in a thread of
	                             their own, detection in the caller's
	                             (pipe.h); not with an evidence pcap */
	const struct sw_prefix_list *home; /* [networks] home, for the fanout program */
};

enum sw_capture_status {
	SW_CAPTURE_OK = 0,
	SW_CAPTURE_RUNTIME = 1, /* could not open or read */
	SW_CAPTURE_USAGE = 2,   /* bad filter, snaplen, ... */
};

struct sw_capture;

/* Open every file (or the interface) and compile the filter, so that bad
 * input is refused before anything is written. NULL with err set (and
 * *status saying whether it was a usage error). */
struct sw_capture *sw_capture_open(const struct sw_capture_opts *o,
                                   enum sw_capture_status *status,
                                   char *err, size_t errlen);
/* Before a chroot (-t): open the live interface's drop counters in sysfs
 * (rx_missed_errors, rx_fifo_errors), which libpcap reads by path at every
 * pcap_stats() to give ps_ifdrop, and count the interface drops through
 * these descriptors from then on. Nothing for files, for an interface
 * without them ("any"), or without promiscuous mode (libpcap counts no
 * interface drops then). */
void sw_capture_hold_sysfs(struct sw_capture *c);
/* A capture file as it was when opened (-r): its absolute path (resolved
 * before any chroot), size and modification time, from the descriptor
 * libpcap read, for the run's run_files rows. */
struct sw_capture_file {
	char *path;          /* absolute; NULL if it could not be resolved */
	int64_t size;        /* bytes */
	int64_t mtime_us;
};
/* The i-th file of a -r capture (0-based), or NULL. */
const struct sw_capture_file *sw_capture_file(const struct sw_capture *c, int i);
/* --evidence-pcap: each packet, after detection, also goes to e. */
void sw_capture_set_evpcap(struct sw_capture *c, struct sw_evpcap *e);
/* The first handle (its link type and snaplen for the evidence pcap);
 * *same: whether every handle has its link type. */
pcap_t *sw_capture_first_handle(const struct sw_capture *c, int *same);
/* Link type names of the open handles, comma separated. */
const char *sw_capture_linktypes(const struct sw_capture *c);
/* The packet loops: 1, or N with -j N, each in its own thread with its
 * own tables: live, each on its own handle in one PACKET_FANOUT group
 * (fanout.h); files, fed by one reader (split.h) by the same rule. */
int sw_capture_workers(const struct sw_capture *c);
/* Read everything (files) or until sw_capture_stop() (live), handing each
 * decoded packet of worker i to d[i] (d NULL: count only). Worker i keeps
 * its counters in cnt[i] and sends them to the writer's port i every
 * stats_interval seconds (the writer stores their sum). SW_CAPTURE_OK, or
 * SW_CAPTURE_RUNTIME if a read failed (what was read before is still
 * counted and stored). */
enum sw_capture_status sw_capture_run(struct sw_capture *c, struct sw_detect *const *d,
                                      struct sw_counters *cnt, struct sw_writer *w);
/* The end of the run (after sw_detect_finish of each d[i]): the final
 * counters, with the engines' table counters, summed into *total and sent
 * to the writer as the run's END, after every worker's records, waiting
 * for room. d may be NULL. */
void sw_capture_end(struct sw_capture *c, struct sw_detect *const *d, struct sw_counters *cnt,
                    struct sw_counters *total, struct sw_writer *w);
/* Wall-clock seconds spent in the packet loop of the last run (the
 * throughput figure: start-up and the final flush are not in it). */
double sw_capture_loop_seconds(const struct sw_capture *c);
/* Async-signal-safe: end the capture loop soon. */
void sw_capture_stop(void);
void sw_capture_close(struct sw_capture *c);

#endif
