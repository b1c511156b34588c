/*
 * nft.c - the nftables file of --export-nft (see nft.h): the prefixes
 * sorted and made disjoint, then written as two interval sets of one
 * table, with a header and no rule.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nft.h"

static int cmp_prefix(const void *a, const void *b)
{
	const struct sw_prefix *x = a, *y = b;
	int c;

	if (x->addr.family != y->addr.family)
		return x->addr.family < y->addr.family ? -1 : 1;
	c = memcmp(x->addr.bytes, y->addr.bytes, sizeof x->addr.bytes);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

size_t sw_nft_reduce(struct sw_prefix *p, size_t n)
{
	size_t kept = 0;

	if (n == 0)
		return 0;
	qsort(p, n, sizeof *p, cmp_prefix);
	/* prefixes nest or are disjoint: in this order one inside another
	 * comes right after its container, or after others inside it */
	for (size_t i = 0; i < n; i++) {
		if (kept && p[kept - 1].addr.family == p[i].addr.family &&
		    sw_prefix_contains(&p[kept - 1], &p[i].addr))
			continue;
		p[kept++] = p[i];
	}
	return kept;
}

/* A header line's own text: printable ASCII only, it is a comment. */
static void add_comment_text(struct sw_buf *b, const char *s)
{
	for (; s && *s; s++)
		sw_buf_addc(b, (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?');
}

/* "add element inet TABLE SET {" and one prefix a line; nothing for none
 * (nft wants at least one element between the braces). */
static void add_set(struct sw_buf *b, const struct sw_nft_file *f, int family,
		    const char *set)
{
	char cidr[SW_ADDR_STRLEN];
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++) {
		if (f->p[i].addr.family != family)
			continue;
		if (n++ == 0)
			sw_buf_printf(b, "add element inet %s %s {\n", SW_NFT_TABLE, set);
		else
			sw_buf_adds(b, ",\n");
		sw_buf_printf(b, "\t%s", sw_prefix_format(&f->p[i], cidr, sizeof cidr));
	}
	if (n)
		sw_buf_adds(b, "\n}\n");
}

void sw_nft_render(struct sw_buf *b, const struct sw_nft_file *f)
{
	size_t n4 = 0, n6 = 0;

	for (size_t i = 0; i < f->n; i++)
		f->p[i].addr.family == SW_AF_INET ? n4++ : n6++;
	sw_buf_adds(b, "# spanwatch-reporter --export-nft: netblocks that keep offending after our memos\n"
		       "# generated ");
	add_comment_text(b, f->generated);
	sw_buf_adds(b, "\n# chosen: ");
	add_comment_text(b, f->criteria);
	sw_buf_printf(b, "\n# %zu IPv4 and %zu IPv6 prefixes\n", n4, n6);
	sw_buf_adds(b,
		"#\n"
		"# Blocking them is the operator's act, not spanwatch's: this file defines\n"
		"# two sets and nothing else; no rule here drops anything. To block, include\n"
		"# it in the ruleset and add rules of your own to the same table, e.g.\n"
		"#\n"
		"#   include \"/var/lib/spanwatch/offenders.nft\"\n"
		"#   table inet " SW_NFT_TABLE " {\n"
		"#       chain input {\n"
		"#           type filter hook input priority filter - 5; policy accept;\n"
		"#           ip saddr @" SW_NFT_SET4 " drop\n"
		"#           ip6 saddr @" SW_NFT_SET6 " drop\n"
		"#       }\n"
		"#   }\n"
		"#\n"
		"# `nft -f FILE` on its own refreshes the sets: they are flushed, then filled.\n"
		"\n"
		"add table inet " SW_NFT_TABLE "\n"
		"add set inet " SW_NFT_TABLE " " SW_NFT_SET4 " { type ipv4_addr; flags interval; }\n"
		"add set inet " SW_NFT_TABLE " " SW_NFT_SET6 " { type ipv6_addr; flags interval; }\n"
		"flush set inet " SW_NFT_TABLE " " SW_NFT_SET4 "\n"
		"flush set inet " SW_NFT_TABLE " " SW_NFT_SET6 "\n");
	add_set(b, f, SW_AF_INET, SW_NFT_SET4);
	add_set(b, f, SW_AF_INET6, SW_NFT_SET6);
}
