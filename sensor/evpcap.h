/*
 * evpcap.h - the sensor's evidence pcap (--evidence-pcap FILE): the first
 * packets of each detection, so that a live run leaves something for
 * spanwatch-analyzer --evidence to export.
 *
 * What is kept, and nothing else:
 *  - every packet from or to a source while it has an open detection,
 *    up to per_detection packets for each detection it opened (a source's
 *    budget grows by per_detection at each detection that opens for it);
 *  - when a detection opens, the packets from or to its source still held
 *    in a window of the last `recent` packets seen (the probes that led
 *    to it, when they are that recent), within the same budget; the
 *    window holds at most SW_EVPCAP_SLOT bytes of each (the snaplen when
 *    smaller, as by default: 128);
 *  - at most max_packets packets and max_bytes bytes of file in the run.
 * A packet is written once, with the bytes captured (the snaplen). The
 * file is in the order packets were kept, which is not time order across
 * sources (a window flushed when a detection opens goes after what was
 * kept before). Sources with an unspecified address (forged floods) are
 * not followed. Everything is allocated at open; the packet path copies
 * into a fixed window and writes through a fixed stdio buffer.
 */
#ifndef SW_EVPCAP_H
#define SW_EVPCAP_H

#include <pcap/pcap.h>
#include <stdint.h>

#include "decode.h"
#include "record.h"

#define SW_EVPCAP_MAX_PACKETS 100000
#define SW_EVPCAP_MAX_MIB 64
#define SW_EVPCAP_PER_DETECTION 1000
#define SW_EVPCAP_RECENT 4096
#define SW_EVPCAP_SOURCES 4096   /* sources followed in a run (a fixed table) */
#define SW_EVPCAP_SLOT 2048      /* bytes kept of a packet in the window */

struct sw_evpcap_limits {
	uint64_t max_packets;
	uint64_t max_bytes;      /* of the file, headers included */
	uint64_t per_detection;
	uint32_t recent;         /* packets held in memory (0: none) */
};

struct sw_evpcap_stats {
	uint64_t packets, bytes;     /* kept (bytes: the file's size) */
	uint64_t over_detection;     /* packets of followed sources over their budget */
	uint64_t over_run;           /* packets left out by the run's caps */
	uint64_t sources_full;       /* detections whose source the table had no room for */
};

struct sw_evpcap;

/* Create FILE (which must not exist: evidence is never overwritten) for
 * packets of h's link type and snaplen, mode 0640. NULL with err set. */
struct sw_evpcap *sw_evpcap_open(const char *path, pcap_t *h,
                                 const struct sw_evpcap_limits *lim, char *err, size_t errlen);
/* The descriptor of the file (to give it to the sensor's user). */
int sw_evpcap_fd(const struct sw_evpcap *e);
/* A detection record (open and close are used). */
void sw_evpcap_record(struct sw_evpcap *e, const struct sw_rec *rec);
/* A packet, after detection has seen it (p decoded from it). */
void sw_evpcap_packet(struct sw_evpcap *e, const struct pcap_pkthdr *h, const uint8_t *data,
                      const struct sw_pkt *p);
/* Hand what the buffer holds to the kernel (at each statistics interval
 * of a live run: a sensor killed then loses less). */
void sw_evpcap_flush(struct sw_evpcap *e);
/* Flush and sync the file, and say its size and modification time; 0, or
 * -1 with err set. The file stays open until sw_evpcap_free(). */
int sw_evpcap_finish(struct sw_evpcap *e, int64_t *size, int64_t *mtime_us, char *err,
                     size_t errlen);
const struct sw_evpcap_stats *sw_evpcap_stats(const struct sw_evpcap *e);
void sw_evpcap_free(struct sw_evpcap *e);

#endif
