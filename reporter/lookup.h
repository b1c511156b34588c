/*
 * lookup.h - `spanwatch-reporter --lookup ADDR|DOMAIN...` (lookup.c): what
 * an operator runs to see why a memo goes where it goes. For each query
 * the range and its name, whether the lookup is whole, partial or
 * unresolved, the chain of servers asked (failures included) and the
 * contacts best first, each with the field and the server it came from;
 * as text, or as one JSON object per query per line (--json).
 */
#ifndef SW_LOOKUP_H
#define SW_LOOKUP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "whois.h"

/* Exit statuses of --lookup (documented in spanwatch-reporter(8)). */
enum sw_lookup_exit {
	SW_LOOKUP_ALL_FOUND = 0,  /* every query named at least one contact */
	SW_LOOKUP_NOT_FOUND = 1,  /* at least one query named none (unresolved included) */
	SW_LOOKUP_USAGE = 2,      /* a query that is neither an address nor a domain name,
				     an unusable --whois-server or --whois-hosts */
	SW_LOOKUP_DB_ERROR = 3,   /* the database (the cache) could not be opened or failed */
};

struct sw_lookup {
	const struct sw_whois_conf *whois; /* --whois-server, --whois-hosts, --offline, [reporter] */
	const char *db_path;      /* -w: the whois cache; NULL: a private in-memory database,
				     so a lookup leaves nothing behind */
	bool json;                /* one JSON object per query per line */
	int64_t now_us;           /* the clock the cache's TTL is judged with */
	FILE *out;                /* where the account goes (stdout) */
};

/* What a command-line query is: an address, a domain name (a name with a
 * dot that is not an address), or neither. */
enum sw_lookup_kind { SW_LOOKUP_ADDRESS, SW_LOOKUP_DOMAIN, SW_LOOKUP_INVALID };
enum sw_lookup_kind sw_lookup_kind_of(const char *query);

/* Look up each of the n queries and print the account of each; returns an
 * enum sw_lookup_exit. Errors (a database failure, a bad query) are also
 * said on stderr. */
int sw_lookup_run(const struct sw_lookup *l, char *const queries[], size_t n);

#endif
