/*
 * names.h - the memo's reverse-DNS names (names.c): each source address
 * added to the memo once, with its PTR name and, from the first confirmed
 * one, the sources' domain; and the names of our hosts that were hit.
 * The lookups themselves are rdns.c's; this file decides which addresses
 * are looked up and where the answers go in the memo.
 */
#ifndef SW_NAMES_H
#define SW_NAMES_H
#include <stdbool.h>

#include "memo.h"
#include "rdns.h"

struct sw_namer {
	struct sw_resolver *resolver;  /* NULL: no reverse DNS at all */
	bool special_ok;               /* a server was named: special-use
	                                  addresses may be asked too */
};

/* Add the source address text to m (ignored if it does not parse or is
 * there already), with its reverse DNS. -1 only when out of memory. */
int sw_names_add_source(const struct sw_namer *n, struct sw_memo *m, const char *text);

/* The confirmed names of the first ten of our hosts in m. */
void sw_names_hosts(const struct sw_namer *n, struct sw_memo *m);

#endif
