/*
 * netblock.c - reading the ledger's netblock names (see netblock.h): split
 * on commas, each element through sw_prefix_parse(), nothing else.
 */
#include "config.h"

#include <string.h>

#include "netblock.h"

size_t sw_netblock_parse(const char *stored, struct sw_prefix *out, size_t max, size_t *bad)
{
	size_t n = 0, nbad = 0;
	const char *p = stored ? stored : "";

	for (;;) {
		char elem[SW_ADDR_STRLEN + 1];
		size_t len;

		while (*p == ' ')
			p++;
		len = strcspn(p, ",");
		/* trailing blanks belong to the separator */
		size_t end = len;
		while (end > 0 && p[end - 1] == ' ')
			end--;
		if (end == 0 || end >= sizeof elem) {
			nbad++;
		} else {
			struct sw_prefix pf;

			memcpy(elem, p, end);
			elem[end] = '\0';
			if (!sw_prefix_parse(elem, &pf))
				nbad++;
			else if (n < max)
				out[n++] = pf;
			else
				nbad++;
		}
		if (p[len] != ',')
			break;
		p += len + 1;
	}
	if (bad)
		*bad = nbad;
	return n;
}

bool sw_netblock_lists(const char *stored, const struct sw_prefix *p)
{
	struct sw_prefix pf[SW_NETBLOCK_MAX_CIDRS];
	size_t n = sw_netblock_parse(stored, pf, SW_NETBLOCK_MAX_CIDRS, NULL);

	for (size_t i = 0; i < n; i++)
		if (pf[i].len == p->len && sw_addr_eq(&pf[i].addr, &p->addr))
			return true;
	return false;
}

void sw_netblock_bounds(const struct sw_prefix *p, uint8_t first[16], uint8_t last[16])
{
	unsigned bits = p->addr.family == SW_AF_INET ? 32 : 128;

	memset(first, 0, 16);
	memcpy(first, p->addr.bytes, bits / 8);
	memcpy(last, first, 16);
	for (unsigned i = p->len; i < bits; i++)
		last[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}
