/*
 * whois.h - who is responsible for an address: the RFC 3912 client
 * (whois.c: the referral chain from the first server, retries, domain
 * whois). Server choice and query forms are whois_servers.h's, the hosts
 * map whois_hosts.h's, I/O and pacing whois_net.h's, the cache in the
 * database whois_cache.h's; the answers' shapes and parser whois_parse.h's.
 */
#ifndef SW_WHOIS_H
#define SW_WHOIS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "addr.h"
#include "whois_parse.h"

#define SW_WHOIS_HOPS_MAX 6           /* referrals a lookup may follow at most */

struct sw_whois_conf {
	char first_server[256];       /* --whois-server HOST[:PORT], "" for the built-in table */
	char hosts_file[1024];        /* --whois-hosts FILE, "" for none */
	unsigned timeout_ms;          /* connect and each read; default 10000 */
	size_t max_response;          /* bytes kept per answer; default 262144 */
	unsigned max_hops;            /* referrals followed; default 4, at most SW_WHOIS_HOPS_MAX */
	unsigned pace_ms;             /* at least this between two queries to one server; default 1000 */
	unsigned rate_limit_retries;  /* retries after a rate-limit answer; default 2 */
	unsigned rate_limit_wait_ms;  /* wait before such a retry; default 5000 */
	int64_t ttl_s;                /* a cached answer is fresh this long; default 7 days */
	int64_t partial_ttl_s;        /* a partial one (the chain broke after an answer
	                                 that named a contact) this long; default 24 h */
	bool offline;                 /* only the cache; never a socket */
	/* RDAP, asked first when the bootstrap names a server (rdap.h) */
	bool rdap;                    /* default true */
	char rdap_bootstrap[1024];    /* the operator's bootstrap directory; "": the
	                                 installed copy (and then RDAP is off when
	                                 it cannot be read, and never asked about
	                                 special-use addresses or with first_server) */
	char rdap_ca_file[1024];      /* CA bundle for RDAP; "": the system store */
	/* the network around an address (whois_asn.h) */
	char asn_server[256];         /* IP-to-ASN service HOST[:PORT] (Team Cymru's
	                                 format), asked when no registry answer had a
	                                 route object; "": never (the default) */
	bool upstreams;               /* ask the origin's aut-num for its upstreams and
	                                 theirs for their abuse contacts; default false */
};

void sw_whois_conf_defaults(struct sw_whois_conf *c);

struct sw_whois;  /* a client: its host map, pacing state and the database */

/* NULL with a one-line reason in err (an unreadable hosts file names the
 * file and line). db is the reporter's open database (the cache). */
struct sw_whois *sw_whois_new(const struct sw_whois_conf *c, sqlite3 *db,
			      char *err, size_t errlen);
void sw_whois_free(struct sw_whois *w);
/* From now on the cache alone (true: no socket; unlike offline, answers
 * older than the TTL do not count) or the network too (false). */
void sw_whois_set_cache_only(struct sw_whois *w, bool cache_only);
/* Address lookups so far that were not answered from the cache. */
uint64_t sw_whois_network_lookups(const struct sw_whois *w);

enum sw_whois_status {
	SW_WHOIS_OK = 0,          /* *r filled (from the network or a fresh cache entry);
				     r->partial when the chain broke after an answer that
				     named a contact (err then says where it broke) */
	SW_WHOIS_UNRESOLVED = 1,  /* no contact: offline and not cached, special-use address
				     without --whois-server, the chain broke before any
				     answer named a contact; err says why */
	SW_WHOIS_ERROR = -1,      /* the database failed; err says why */
};

/*
 * Who is responsible for a (now_us: the clock to judge TTLs with). Uses a
 * fresh cached lookup whose range contains a (one lookup per netblock per
 * TTL), else asks: the first server (--whois-server, else the built-in RIR
 * table, else whois.iana.org), following referrals up to max_hops with loop
 * detection, each registry in its own query form, each host mapped through
 * the hosts file. Every answer is stored with its server and time.
 * A chain that breaks after a hop (a referral unreachable, timed out,
 * closed, refusing, rate limited) keeps what it has when that names a
 * contact: OK with r->partial, cached as "partial" for partial_ttl_s.
 * r->trace[] lists every server asked and how it went (from the stored
 * hops, "cached", with r->from_cache, on a cache hit).
 * Special-use addresses are asked only of an explicit --whois-server, and
 * their referrals followed only to servers the operator named (that one,
 * or a name in --whois-hosts).
 * RDAP comes first when the bootstrap names a server for a (and the
 * operator did not choose a whois server, or chose the bootstrap too);
 * port 43 follows when RDAP failed or named no designated abuse contact,
 * its answers merged with RDAP's.
 * Then, for a resolved address, the origin AS from asn_server when no
 * answer had a route object, and its upstreams (whois_asn.h); their
 * answers are stored with the lookup's and replayed with them.
 */
enum sw_whois_status sw_whois_lookup(struct sw_whois *w, const struct sw_addr *a,
				     int64_t now_us, struct sw_whois_result *r,
				     char *err, size_t errlen);

/* Domain whois for a registrable domain ("casema.net"): RDAP first (the
 * registry's, then the registrar's it links to), then, unless RDAP named
 * a designated abuse contact, port 43: the TLD's server (from IANA,
 * cached), then the registrar's if referred; adds the admin, technical and
 * billing e-mail addresses it shows as SW_CONTACT_DOMAIN. */
enum sw_whois_status sw_whois_domain(struct sw_whois *w, const char *domain,
				     int64_t now_us, struct sw_whois_result *r,
				     char *err, size_t errlen);

#endif
