/*
 * netblock.h - a netblock as the ledger names it (reports.netblock): one
 * CIDR, or the CIDRs of one whois range separated by ", ". Parsed only
 * with lib/addr.c's prefix parser; whatever does not parse is counted, not
 * guessed at. Pure: no database, no I/O.
 */
#ifndef SW_NETBLOCK_H
#define SW_NETBLOCK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* The most CIDRs one netblock is read as (a whois range from a to b takes
 * at most 2 * 128 of them; the memo's key holds far fewer). */
#define SW_NETBLOCK_MAX_CIDRS 64

/* Each element of stored into out (at most max), in order; *bad (may be
 * NULL) counts the elements that are not a prefix (host bits set, junk,
 * empty) or did not fit. Returns how many were stored. */
size_t sw_netblock_parse(const char *stored, struct sw_prefix *out, size_t max, size_t *bad);

/* Whether the stored netblock lists p as one of its CIDRs. */
bool sw_netblock_lists(const char *stored, const struct sw_prefix *p);

/* The first and last addresses of p as 16-byte big-endian bounds (IPv4 in
 * the first 4 bytes, the rest zero), as detections.src_bin keeps them. */
void sw_netblock_bounds(const struct sw_prefix *p, uint8_t first[16], uint8_t last[16]);

#endif
