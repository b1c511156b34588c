/*
 * allow.h - the analyzer's allowlist: sources the operator vouches for (a
 * monitoring host, a partner's scanner, the company's own resolver). Their
 * detections are still recorded and correlated; their incidents are never
 * reportable, and say which entry matched.
 */
#ifndef SW_ALLOW_H
#define SW_ALLOW_H

#include <stdbool.h>

#include "addr.h"
#include "netset.h"

/* a name may stand for several addresses (A and AAAA, round robin) */
#define SW_ALLOW_PER_NAME 8
#define SW_ALLOW_MAX (SW_MAX_PREFIXES + SW_MAX_HOSTNAMES * (SW_ALLOW_PER_NAME + 1))

struct sw_allow_entry {
	struct sw_prefix p;           /* family SW_AF_NONE: the name itself (below) */
	char text[SW_HOSTNAME_LEN];   /* as the operator wrote it: the name, or the prefix */
};

struct sw_allowlist {
	unsigned n;
	struct sw_allow_entry e[SW_ALLOW_MAX];
};

/* The prefixes of hosts, and, when resolve, the addresses of its names
 * (looked up once, now). A name that does not resolve, or any name when
 * !resolve, is a warning on stderr and matches no address. Every name
 * also matches itself: the source of a log line that was not resolved.
 * Returns the names left unresolved. */
unsigned sw_allowlist_build(struct sw_allowlist *l, const struct sw_host_list *hosts,
                            bool resolve);

/* Add one prefix under the text that names it (false when full). */
bool sw_allowlist_add(struct sw_allowlist *l, const struct sw_prefix *p, const char *text);

/* The entry that a matches, or NULL. */
const char *sw_allowlist_match(const struct sw_allowlist *l, const struct sw_addr *a);
/* The entry that is the host name name (without regard to case), or NULL. */
const char *sw_allowlist_match_name(const struct sw_allowlist *l, const char *name);

#endif
