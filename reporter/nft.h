/*
 * nft.h - the text of the nftables file --export-nft writes: a header that
 * says what was chosen and that blocking is the operator's act, a table
 * (inet) with one set of IPv4 and one of IPv6 prefixes (flags interval),
 * flushed and filled so that `nft -f FILE` also refreshes them, and no
 * rule. Pure: prefixes in, text out; every prefix is written by
 * sw_prefix_format() (data, never code).
 */
#ifndef SW_NFT_H
#define SW_NFT_H
#include <stddef.h>

#include "addr.h"
#include "buf.h"

#define SW_NFT_TABLE "spanwatch"
#define SW_NFT_SET4 "offenders_v4"
#define SW_NFT_SET6 "offenders_v6"

struct sw_nft_file {
	const char *generated;      /* when, ISO 8601 UTC */
	const char *criteria;       /* what was chosen, in words (one line) */
	const struct sw_prefix *p;  /* as sw_nft_reduce() left them */
	size_t n;
};

/* Sort p (IPv4 first, by address, the shorter prefix first) and drop
 * duplicates and prefixes inside another one: nft refuses overlapping
 * intervals in one set. Returns how many are left (at the front of p). */
size_t sw_nft_reduce(struct sw_prefix *p, size_t n);

/* The file into b (check sw_buf_ok()). Text of the header that does not
 * come from us (generated, criteria) is kept to printable ASCII. */
void sw_nft_render(struct sw_buf *b, const struct sw_nft_file *f);

#endif
