/*
 * whois_cache.h - the whois answers kept in the database (whois_cache.c),
 * and the answer of one hop as asked and stored.
 */
#ifndef SW_WHOIS_CACHE_H
#define SW_WHOIS_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "addr.h"
#include "buf.h"
#include "whois_parse.h"

#define SW_WHOIS_HOSTLEN 256
#define SW_WHOIS_QUERYLEN 320

/* One answer of a chain, kept to be parsed and stored. */
struct sw_whois_hop {
	char server[SW_WHOIS_HOSTLEN + 8]; /* host[:port] as asked */
	char host[SW_WHOIS_HOSTLEN];       /* host alone, for the parser */
	char query[SW_WHOIS_QUERYLEN];
	struct sw_buf answer;
	bool truncated;
};

struct sw_whois_cache {
	sqlite3 *db;
	int64_t ttl_s;                /* an answer is fresh this long */
	int64_t partial_ttl_s;        /* a partial one this long (0: never fresh) */
	bool any_age;                 /* offline: an answer of any age will do */
};

/* What a lookup was about: kind "ip" (addr set: a lookup whose range
 * contains it counts too) or "domain" (a domain or a TLD). */
struct sw_whois_cache_key {
	const char *kind;             /* a string literal */
	const char *query;
	const struct sw_addr *addr;   /* NULL for domains */
};

/*
 * The newest usable lookup for k: a resolved one younger than ttl_s (so a
 * TTL of 0 always asks), or a partial one (a chain that broke after an
 * answer with a contact) younger than partial_ttl_s; of any age when
 * any_age. 1 and *id when found, 0 when not, -1 on a database error (err).
 */
int sw_whois_cache_find(const struct sw_whois_cache *c, const struct sw_whois_cache_key *k,
			int64_t now_us, int64_t *id, char *err, size_t errlen);
/* The same, and *partial (may be NULL): the lookup found is a partial one. */
int sw_whois_cache_find_status(const struct sw_whois_cache *c,
			       const struct sw_whois_cache_key *k, int64_t now_us, int64_t *id,
			       bool *partial, char *err, size_t errlen);

/* Called with each stored answer and the server it came from as stored
 * ("host[:port]", NULL if none). */
typedef void (*sw_whois_stored_fn)(const char *text, size_t len, const char *server,
				   void *ctx);

/* Hand each stored answer of lookup id, hop 0 first, to fn. 0, or -1 with err. */
int sw_whois_cache_replay(const struct sw_whois_cache *c, int64_t id,
			  sw_whois_stored_fn fn, void *ctx, char *err, size_t errlen);

/* The same with the query each answer was asked with (for the trace). */
typedef void (*sw_whois_stored_hop_fn)(const char *text, size_t len, const char *server,
				       const char *query, void *ctx);
int sw_whois_cache_replay_hops(const struct sw_whois_cache *c, int64_t id,
			       sw_whois_stored_hop_fn fn, void *ctx, char *err, size_t errlen);

/* One resolution to record. */
struct sw_whois_cache_entry {
	const char *kind;             /* a string literal: "ip", "domain" */
	const char *query;
	const struct sw_whois_result *result; /* its range and CIDRs; NULL: none; with ok and
	                                 result->partial stored as "partial" (shorter TTL) */
	bool ok;                      /* resolved (else stored as "unresolved") */
	const struct sw_whois_hop *hops;
	unsigned nhops;
	int64_t now_us;
};

/*
 * Record one resolution: the lookup row (with the range of the result when
 * it has one), its answers, and for a resolved (or partial) address each
 * CIDR in whois_ranges. All or nothing, in a savepoint (so it nests in a caller's
 * transaction). 0, or -1 with err.
 */
int sw_whois_cache_store(const struct sw_whois_cache *c, const struct sw_whois_cache_entry *e,
			 char *err, size_t errlen);

#endif
