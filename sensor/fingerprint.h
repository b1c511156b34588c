/*
 * fingerprint.h - naming the scanner (nmap, masscan, zmap, hping3) from the
 * headers of the probes a source sends.
 *
 * Each source keeps one small accumulator. The detector feeds it every
 * probe the source sends (TCP SYN and connection-less TCP probes, UDP, ICMP
 * echo/timestamp requests) and asks for a verdict when it writes a
 * detection. The verdict names a tool only when several probes carried that
 * tool's marks and nothing contradicted them; otherwise it is SW_TOOL_NONE
 * (NULL in the database): a wrong name is worse than none.
 */
#ifndef SW_FINGERPRINT_H
#define SW_FINGERPRINT_H

#include <stdint.h>

#include "decode.h"

enum sw_tool {
	SW_TOOL_NONE = 0,
	SW_TOOL_NMAP,
	SW_TOOL_MASSCAN,
	SW_TOOL_ZMAP,
	SW_TOOL_HPING3,
	SW_TOOL_COUNT
};

/* Their names are sw_tool_name()'s (record.h): they are stored with a
 * detection. */

/*
 * Per-source accumulator: 20 bytes, all zero is the empty state (a zeroed
 * table needs no initialisation). Fields are private to fingerprint.c.
 */
struct sw_fp_state {
	uint16_t votes[SW_TOOL_COUNT]; /* [tool]: probes with that tool's marks;
	                                  [SW_TOOL_NONE]: probes no known tool
	                                  sends (the OS stack's own) */
	uint32_t last_seq;             /* TCP sequence of the last TCP probe */
	uint16_t last_sport;           /* source port of the last TCP/UDP probe */
	uint8_t last_ttl;              /* TTL / hop limit of the last probe */
	uint8_t seen;                  /* which last_* fields are set */
};

/* Account for one packet sent by the source. Packets that say nothing about
 * the tool (RSTs of the kernel, ICMP errors, non-IP) are ignored, so the
 * caller may pass more than probes without harm. */
void sw_fp_observe(struct sw_fp_state *st, const struct sw_pkt *p);
/* sw_fp_observe of the first packet of a new source, whose st is the empty
 * (all zero) state: the same result, without reading what st would say. */
void sw_fp_first(struct sw_fp_state *st, const struct sw_pkt *p);

/* The tool when confident, else SW_TOOL_NONE. */
enum sw_tool sw_fp_verdict(const struct sw_fp_state *st);

#endif
