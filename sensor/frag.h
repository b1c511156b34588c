/*
 * frag.h - IP fragments, tracked in a fixed-size table: overlaps counted,
 * and transport headers split over tiny fragments put back together.
 *
 * Overlapping fragments are how an attacker makes a sensor and the target
 * reassemble different datagrams (Ptacek & Newsham 1998, teardrop). The
 * tracker remembers a few byte ranges of each fragmented datagram, keyed by
 * (source, destination, protocol, fragment id), and says when a fragment
 * overlaps one seen before.
 *
 * Tiny fragments (RFC 1858; nmap -f) split the transport header itself, so
 * that no single packet holds the ports and flags. The tracker also keeps
 * the first bytes of every fragmented datagram (enough for a TCP header
 * with options behind IPv6 extension headers) and, when the first fragment
 * was too small for the header, decodes the header once it is whole and
 * hands it back as a packet of its own (SW_PF_FRAG_EVADE).
 *
 * The table is sized once: under a flood of fragments old or least recently
 * used datagrams are evicted and counted, memory never grows. Time is
 * packet time (sw_pkt.ts_us).
 */
#ifndef SW_FRAG_H
#define SW_FRAG_H

#include <stdint.h>

#include "decode.h"

struct sw_frag;

/* What sw_frag_check() found, bits. */
#define SW_FRAG_OK 0
#define SW_FRAG_OVERLAP 0x1 /* overlaps an earlier fragment */
#define SW_FRAG_HEADER 0x2  /* *hdr is a transport header from tiny fragments */

/* A table of about slots datagrams (rounded up to a power of two, at least
 * 8, at most 1 << 20). NULL if slots is 0 or too large, if memory or the
 * random hash key cannot be had. */
struct sw_frag *sw_frag_new(unsigned slots);
void sw_frag_free(struct sw_frag *f);

/*
 * Record the fragment p (a packet with SW_PF_FRAG; others are OK and
 * ignored) and say whether it overlaps an earlier fragment of the same
 * datagram. An exact repeat of an earlier fragment is not an overlap: span
 * ports often mirror one frame twice.
 *
 * frame is the captured frame p was decoded from (p->caplen bytes), or NULL
 * to check overlaps only. With it, the fragment's bytes near the start of
 * the datagram are kept (the first copy of a byte wins, as the overlap
 * stays counted); when the first fragment was tiny (SW_DERR_FRAG_TINY) and
 * this fragment completes the transport header, *hdr is filled as the first
 * fragment would have been decoded had it held the header (IP fields of p,
 * flags SW_PF_FRAG | SW_PF_FRAG_FIRST | SW_PF_MF | SW_PF_FRAG_EVADE, time
 * of p) and SW_FRAG_HEADER is set. That happens at most once per datagram,
 * never for a datagram whose first fragment held its header (the decoder
 * had it already). Allocates nothing.
 */
unsigned sw_frag_check(struct sw_frag *f, const struct sw_pkt *p,
                       const uint8_t *frame, struct sw_pkt *hdr);

/* Datagrams still within their 60 s that were dropped to make room. */
uint64_t sw_frag_evictions(const struct sw_frag *f);

#endif
