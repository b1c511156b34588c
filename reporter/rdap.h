/*
 * rdap.h - RDAP lookups (rdap.c): the bootstrap's server for an address or
 * a domain, the request, the redirects and the links an answer offers
 * (a thin registry's registrar, an abuse entity's own object) followed
 * within the hop limit, every request in the result's trace, the answers
 * kept for the whois cache; and --rdap-refresh. HTTP is rdap_net.h's,
 * the answers' meaning rdap_parse.h's, the bootstrap rdap_bootstrap.h's.
 */
#ifndef SW_RDAP_H
#define SW_RDAP_H
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "rdap_net.h"
#include "whois.h"
#include "whois_cache.h"
#include "whois_parse.h"

/* Requests one lookup makes at most: the first and max_hops followed. */
#define SW_RDAP_REQUESTS_MAX (SW_WHOIS_HOPS_MAX + 1)

struct sw_rdap_conf {
	const char *bootstrap_dir;    /* IANA's files (or the operator's own) */
	struct sw_rdap_net net;       /* timeouts, size cap, CA, pacing, 429 retries */
	unsigned max_hops;            /* redirects and links followed per lookup */
};

struct sw_rdap;

/* NULL with a one-line reason (the bootstrap file that failed). */
struct sw_rdap *sw_rdap_new(const struct sw_rdap_conf *c, char *err, size_t errlen);
void sw_rdap_free(struct sw_rdap *rd);

/* The answers of one lookup as the whois cache stores them: server is the
 * base URL asked ("https://rdap.apnic.net/"), query the path after it. */
struct sw_rdap_answers {
	struct sw_whois_hop hop[SW_RDAP_REQUESTS_MAX];
	unsigned n;
};
void sw_rdap_answers_free(struct sw_rdap_answers *ans);

enum sw_rdap_outcome {
	SW_RDAP_NO_SERVER = 0,        /* the bootstrap names no server: nothing asked */
	SW_RDAP_FAILED,               /* asked, no usable answer (why says what happened) */
	SW_RDAP_ANSWERED,             /* at least one answer merged into *r */
};

/* Does the bootstrap name a server for a / for domain? */
bool sw_rdap_serves_ip(const struct sw_rdap *rd, const struct sw_addr *a);
bool sw_rdap_serves_domain(const struct sw_rdap *rd, const char *domain);

/*
 * Ask about a (`BASE ip/ADDR`) or a registrable domain, lower case
 * (`BASE domain/NAME`), merging every answer into *r (as whois answers
 * are) and appending each request to r->trace. Answers go to *ans.
 */
enum sw_rdap_outcome sw_rdap_ip(struct sw_rdap *rd, const struct sw_addr *a,
				struct sw_whois_result *r, struct sw_rdap_answers *ans,
				char *why, size_t whylen);
enum sw_rdap_outcome sw_rdap_domain(struct sw_rdap *rd, const char *domain,
				    struct sw_whois_result *r, struct sw_rdap_answers *ans,
				    char *why, size_t whylen);

/* A stored answer's server says it was RDAP's: it starts with https:// or
 * http://; replaying it goes through the RDAP parser. */
bool sw_rdap_is_stored(const char *server);
void sw_rdap_replay(const char *text, size_t len, const char *server, const struct sw_addr *a,
		    struct sw_whois_result *r);

/*
 * --rdap-refresh: fetch ipv4.json, ipv6.json, dns.json and asn.json from
 * base_url (ending in '/'), check that they load as a bootstrap, and only
 * then move each over its copy in dir. 0, or -1 with err (dir unchanged).
 */
int sw_rdap_refresh(const char *base_url, const char *dir, const struct sw_rdap_net *net,
		    char *err, size_t errlen);

#endif
