/*
 * whois_range.h - address ranges as registries write them, and their
 * CIDRs (whois_range.c). Internal to the whois parser.
 */
#ifndef SW_WHOIS_RANGE_H
#define SW_WHOIS_RANGE_H
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

#define SPLIT_MAX 256 /* a range splits into at most 2 * 128 CIDRs */

struct whois_range {
	struct sw_addr lo, hi;
};

/* "a - b", "a/len" (LACNIC's short IPv4 too), or one address; anything
 * after a '(' is a remark ("210.107.0.0 - 210.107.127.255 (/17)"). */
bool whois_range_parse(const char *v, size_t n, struct whois_range *r);
bool whois_range_contains(const struct whois_range *r, const struct sw_addr *a);
/* <0, 0, >0 as a is smaller than, as large as, larger than b */
int whois_range_cmp_size(const struct whois_range *a, const struct whois_range *b);
/* Split a range into CIDRs (out holds SPLIT_MAX), smallest address
 * first; returns the count. */
unsigned whois_range_split(const struct whois_range *r, struct sw_prefix *out);

#endif
