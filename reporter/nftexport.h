/*
 * nftexport.h - spanwatch-reporter --export-nft FILE: the netblocks that
 * keep offending after our memos (at least min_reports memos in the last
 * `days` days, the last of them not acknowledged: ignored, bounced or
 * still waiting), written as nftables sets for operators who block
 * (nft.c). Opt-in, and the file says that blocking is the operator's act.
 */
#ifndef SW_NFTEXPORT_H
#define SW_NFTEXPORT_H
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

/* The most prefixes one file holds; past it the rest is counted, not written. */
#define SW_NFT_MAX_PREFIXES 100000

struct sw_nft_export {
	const char *path;           /* the file (replaced atomically) */
	unsigned min_reports;       /* memos within the window, at least 1 */
	unsigned days;              /* the window, at least 1 */
	int64_t now_us;
};

struct sw_nft_export_outcome {
	size_t netblocks;           /* chosen */
	size_t v4, v6;              /* prefixes written, after merging */
	size_t unparsed;            /* CIDRs of chosen netblocks that are not prefixes: left out */
	size_t over_cap;            /* prefixes past SW_NFT_MAX_PREFIXES: left out */
};

/* Choose, render, write FILE.XXXXXX beside it and rename it over FILE.
 * 0, or -1 with err naming the file or the database. */
int sw_nft_export(sqlite3 *db, const struct sw_nft_export *how,
		  struct sw_nft_export_outcome *out, char *err, size_t errlen);

#endif
