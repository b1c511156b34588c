/*
 * frag.h - overlapping IP fragments, counted in a fixed-size table.
 *
 * Overlapping fragments are how an attacker makes a sensor and the target
 * reassemble different datagrams (Ptacek & Newsham 1998, teardrop). The
 * tracker remembers a few byte ranges of each fragmented datagram, keyed by
 * (source, destination, protocol, fragment id), and says when a fragment
 * overlaps one seen before. The table is sized once: under a flood of
 * fragments old or least recently used datagrams are evicted and counted,
 * memory never grows. Time is packet time (sw_pkt.ts_us).
 */
#ifndef SW_FRAG_H
#define SW_FRAG_H

#include <stdint.h>

#include "decode.h"

struct sw_frag;

enum sw_frag_verdict { SW_FRAG_OK, SW_FRAG_OVERLAP };

/* A table of about slots datagrams (rounded up to a power of two, at least
 * 8, at most 1 << 20). NULL if slots is 0 or too large, if memory or the
 * random hash key cannot be had. */
struct sw_frag *sw_frag_new(unsigned slots);
void sw_frag_free(struct sw_frag *f);

/*
 * Record the fragment p (a packet with SW_PF_FRAG; others are OK and
 * ignored) and say whether it overlaps an earlier fragment of the same
 * datagram. An exact repeat of an earlier fragment is not an overlap: span
 * ports often mirror one frame twice. Allocates nothing.
 */
enum sw_frag_verdict sw_frag_check(struct sw_frag *f, const struct sw_pkt *p);

/* Datagrams still within their 60 s that were dropped to make room. */
uint64_t sw_frag_evictions(const struct sw_frag *f);

#endif
