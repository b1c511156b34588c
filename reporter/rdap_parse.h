/*
 * rdap_parse.h - what an RDAP answer says (rdap_parse.c): an RFC 9083 "ip
 * network" or "domain" object (JSON) into the same ranked result as a
 * whois answer (whois_parse.h), and the links worth following.
 *
 * Everything in an answer is hostile text: only validated e-mail addresses
 * and printable names reach the result; URLs to follow are checked to be
 * https:// (or http:// to a loopback host, for tests) before they are
 * handed back.
 */
#ifndef SW_RDAP_PARSE_H
#define SW_RDAP_PARSE_H
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "whois_parse.h"

#define SW_RDAP_URLLEN 512
#define SW_RDAP_LINKS_MAX 4

/* Links an answer offers that may name a better contact: the registrar's
 * own RDAP for a thin registry's domain ("related"), an abuse entity's
 * "self" link when its vCard has no e-mail (registro.br). */
struct sw_rdap_links {
	char url[SW_RDAP_LINKS_MAX][SW_RDAP_URLLEN];
	unsigned n;
};

/*
 * Parse one answer (text, len bytes, not NUL-terminated, any bytes) that
 * url gave for address a (NULL for a domain or an entity), and merge it
 * into *r exactly as sw_whois_parse() merges a whois answer: a more
 * specific range replaces the range; contacts are added and re-ranked.
 * Entities are searched at the top level and nested; an entity whose roles
 * hold "abuse" gives SW_CONTACT_ABUSE_MAILBOX (its vCard e-mail of type
 * "abuse" first, then pref 1, then the first), "technical" and
 * "administrative" SW_CONTACT_ROLE_EMAIL; for a domain, the registrant,
 * administrative, technical and billing contacts SW_CONTACT_DOMAIN and
 * the registrar's abuse entity SW_CONTACT_ABUSE_MAILBOX. An entity whose
 * only role is "abuse" goes before one that is also a NOC; a national
 * registry's IRT ("IRT-KRNIC-KR") is SW_CONTACT_NIR_IRT. Below those, at
 * SW_CONTACT_REMARKS: addresses in the network's remarks, its registrant's
 * e-mail and entities that name no role ("(no role)"). via says "rdap
 * abuse entity HANDLE" and the like ("rdap abuse entity in 292" for one
 * without a handle); server is url's scheme://host[:port].
 * An "entity" answer (url an abuse entity's self link we handed back)
 * without roles counts as that abuse entity.
 * Links worth following go to *follow (may be NULL): added to what it
 * holds, each once, never url itself.
 * Returns false when text is not a JSON object (nothing merged); an error
 * object ({"errorCode": ...}) is one, and merges nothing.
 */
bool sw_rdap_parse(const char *text, size_t len, const char *url, const struct sw_addr *a,
		   struct sw_whois_result *r, struct sw_rdap_links *follow);

/* An RDAP error object ({"errorCode": 404, ...}): its code, else 0. */
int sw_rdap_error_code(const char *text, size_t len);

#endif
