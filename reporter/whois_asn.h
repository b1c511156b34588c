/*
 * whois_asn.h - after an address lookup, the network around it
 * (whois_asn.c): its origin AS from an IP-to-ASN service (cymru.h) when no
 * registry answer had a route object, and that AS's upstreams from its
 * aut-num object's import: lines, each with its abuse contact. Asked
 * through the whois client (whois.c), stored with the lookup's answers in
 * the cache and replayed from there.
 */
#ifndef SW_WHOIS_ASN_H
#define SW_WHOIS_ASN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "whois_cache.h"
#include "whois_parse.h"

/* the service, the origin's aut-num, one aut-num per upstream */
#define SW_WHOIS_ASN_HOPS (2 + SW_WHOIS_MAX_UPSTREAMS)

/* How whois.c asks one server: 0 with h's answer, or -1 (the failure is
 * its trace's business). named: a server the operator named (--whois-
 * server, --whois-hosts), trusted with special-use addresses and ASNs. */
struct sw_whois_asker {
	int (*ask)(void *ctx, const char *host, uint16_t port, const char *query,
		   struct sw_whois_hop *h);
	bool (*named)(void *ctx, const char *host, uint16_t port);
	void *ctx;
};

struct sw_whois_asn_conf {
	const char *asn_server;       /* IP-to-ASN service HOST[:PORT]; "" or NULL: none */
	bool upstreams;               /* ask the origin's aut-num and its upstreams' */
};

/*
 * For address a, whose lookup filled r: the origin from the service when
 * r has none (a special-use address only when the operator named the
 * service's server), then, when upstreams, the origin's aut-num of the
 * registry that had its route object (or, for the service's origin, of
 * the RPSL registry it names), and each upstream's aut-num of that same
 * server for its abuse contact. Special-use AS numbers go only to servers
 * the operator named. The answers in hops[] (*nhops of them), to be
 * stored with the lookup.
 */
void sw_whois_asn_ask(const struct sw_whois_asn_conf *c, const struct sw_whois_asker *k,
		      const struct sw_addr *a, struct sw_whois_result *r,
		      struct sw_whois_hop hops[SW_WHOIS_ASN_HOPS], unsigned *nhops);

/* A stored answer: true when it was one of the above (the service's or an
 * aut-num answer, told by its query), then merged into r as when asked. */
bool sw_whois_asn_replay(const char *text, size_t len, const char *server, const char *query,
			 const struct sw_addr *a, struct sw_whois_result *r);

/* The aut-num query a server expects: RIPE, APNIC and AFRINIC
 * "-B -T aut-num AS64500" (unfiltered: the abuse-c's mailbox), others
 * "AS64500". */
void sw_whois_autnum_query(const char *host, uint32_t asn, char *out, size_t outlen);

#endif
