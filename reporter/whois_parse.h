/*
 * whois_parse.h - what a whois answer says: RPSL, ARIN, LACNIC, JPNIC and
 * KRNIC shapes into one result with ranked contacts (whois_parse.c, with
 * whois_doc.c, whois_range.c and whois_contact.c), the referral to follow
 * and rate-limit refusals (whois_referral.c). The one header the rest of
 * the reporter includes for answers.
 *
 * Everything in a response is hostile text. The parser keeps only what it
 * validated: addresses that look like e-mail addresses (no CR, LF, control
 * bytes, spaces, quotes, angle brackets or commas), names and countries
 * made printable; nothing from a response is ever used as a format string,
 * SQL or a header without the caller's own checks.
 */
#ifndef SW_WHOIS_PARSE_H
#define SW_WHOIS_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Where a contact address came from, best first: the rank of a contact is
 * its source, then (below the designated abuse contacts) what its mailbox
 * is for ("abuse@" before "ipadm@"), then the order it appeared in. A
 * technical or administrative contact never outranks a designated one. */
enum sw_contact_source {
	SW_CONTACT_ABUSE_MAILBOX = 0, /* designated: abuse-mailbox:, the role/person named by
	                                 abuse-c (its abuse-mailbox, else its e-mail; RIPE,
	                                 AFRINIC, LACNIC, registro.br's nic-hdl-br), RAbuseEmail
	                                 then OrgAbuseEmail, an IRT's abuse-mailbox, [Abuse] */
	SW_CONTACT_ABUSE_COMMENT,     /* designated: "% Abuse contact for '…' is '…'" */
	SW_CONTACT_ROLE_EMAIL,        /* e-mail: (and abuse-mailbox:) of the role/person named
	                                 by tech-c, admin-c, owner-c; OrgTechEmail, OrgNOCEmail */
	SW_CONTACT_REMARKS,           /* an address written in remarks:/descr:/Comment: */
	SW_CONTACT_NIR_IRT,           /* a national registry's own IRT: labelled fallback only */
	SW_CONTACT_DOMAIN,            /* domain whois: admin/tech/billing contact */
	SW_CONTACT_GUESS,             /* RFC 2142 abuse@ / security@ of the domain */
};

#define SW_WHOIS_MAX_CONTACTS 16
#define SW_WHOIS_MAX_CIDRS 8

#define SW_WHOIS_SERVERLEN 272     /* "host[:port]" or an RDAP URL's scheme and host */
#define SW_WHOIS_TRACE_MAX 16

struct sw_contact {
	char addr[128];               /* lower-case, validated e-mail address */
	enum sw_contact_source source;
	char via[96];                 /* printable: "abuse-c AR17615-RIPE", "OrgAbuseEmail", "remarks" */
	char server[SW_WHOIS_SERVERLEN]; /* the server whose answer named it ("" if unknown) */
};

/* A transit provider of the origin AS: an AS its aut-num object accepts
 * ANY from ("import: from AS64501 accept ANY"), and that AS's designated
 * abuse contact when its own aut-num named one. */
#define SW_WHOIS_MAX_UPSTREAMS 4
struct sw_upstream {
	uint32_t asn;
	char abuse[128];              /* validated mail address, or "" when none found */
	char via[96];                 /* printable: "abuse-c AR1-TEST", "% Abuse contact" */
	char server[SW_WHOIS_SERVERLEN]; /* the server whose answer named it */
};

/* What one aut-num answer says about asn: whether it had the object, the
 * ASes it accepts ANY from (its upstreams, in order, at most
 * SW_WHOIS_MAX_UPSTREAMS, the rest counted in more_upstreams), its
 * designated abuse contacts (abuse-mailbox, abuse-c, the organisation's
 * abuse-mailbox, RIPE's "% Abuse contact for 'ASn'" comment), best first. */
struct sw_autnum {
	bool found;
	char as_name[80];             /* printable */
	uint32_t upstreams[SW_WHOIS_MAX_UPSTREAMS];
	unsigned nupstreams, more_upstreams;
	struct sw_contact abuse[4];
	unsigned nabuse;
};

/* One server asked in a lookup, for --lookup's account of the chain. */
struct sw_whois_step {
	char proto[8];                /* "rdap", "whois", "rwhois" */
	char server[SW_WHOIS_SERVERLEN]; /* host[:port], or the RDAP base URL */
	char query[160];              /* as sent (printable) */
	bool ok;                      /* it answered (an answer may still name nothing) */
	char outcome[160];            /* printable: "answered", "referred to whois.ripe.net",
	                                 "timed out after 10000 ms", "HTTP 404", ... */
};

struct sw_whois_result {
	struct sw_addr range_lo, range_hi; /* the range of the most specific object */
	bool have_range;
	struct sw_prefix cidrs[SW_WHOIS_MAX_CIDRS]; /* that range as CIDRs (those around the
	                                               address when there are more) */
	unsigned ncidrs;
	char netname[80];             /* printable */
	char org[160];                /* printable: org-name, OrgName, owner, descr */
	char country[8];              /* two letters, upper case, or "" */
	char server[256];             /* the server whose answer gave the range */
	struct sw_contact contacts[SW_WHOIS_MAX_CONTACTS]; /* ranked, best first, no duplicates */
	unsigned ncontacts;
	bool rate_limited;            /* the answer was a "query rate limit exceeded" refusal */
	bool partial;                 /* the chain broke after an answer that named a contact:
	                                 the best answer so far, kept (shorter cache TTL) */
	bool from_cache;              /* replayed from the whois cache */
	uint32_t origin_as;           /* the origin: of the most specific RPSL route:/route6:
	                                 object in the answers that covers the address
	                                 (1..4294967295), 0 when none named a valid one */
	struct sw_prefix origin_route; /* that object's prefix (valid when origin_as); from
	                                 the IP-to-ASN service, its BGP prefix */
	char origin_server[SW_WHOIS_SERVERLEN]; /* the server whose answer had it */
	bool origin_ip2asn;           /* the origin is the IP-to-ASN service's (cymru.h):
	                                 no registry answer had a route object for it */
	char origin_name[80];         /* the IP-to-ASN service's AS name (printable), or "" */
	char origin_registry[16];     /* its registry ("ripencc", "arin", ...), or "" */
	struct sw_upstream upstreams[SW_WHOIS_MAX_UPSTREAMS]; /* the origin's transit
	                                 providers, from its aut-num's import: lines */
	unsigned nupstreams;
	bool autnum_found;            /* the origin's aut-num object was found */
	struct sw_whois_step trace[SW_WHOIS_TRACE_MAX]; /* servers asked, in order */
	unsigned ntrace;
};

/* A referral found in a response: where to ask next and in which form. */
struct sw_whois_referral {
	char host[256];               /* "whois.ripe.net", empty when none */
	uint16_t port;                /* 43 unless the referral named one (rwhois://h:4321) */
	bool rwhois;                  /* an rwhois:// referral (query is the bare address) */
};

/*
 * Parse one response (text, len bytes, not NUL-terminated, may contain any
 * byte) that server gave for address a, and merge what it says into *r
 * (callers zero *r before the first hop; later hops of a referral chain
 * add to it: a more specific range replaces the range, contacts are added
 * and re-ranked, placeholders dropped). Never fails: an answer it does not
 * understand adds nothing.
 */
void sw_whois_parse(const char *text, size_t len, const char *server,
		    const struct sw_addr *a, struct sw_whois_result *r);

/* An AS number as RPSL writes it ("AS2856", case-insensitive, in
 * v[0..n)): "AS" then 1..10 decimal digits without a leading zero, the
 * number 1..4294967295, nothing else. True and *asn, else false. */
bool sw_whois_parse_asn(const char *v, size_t n, uint32_t *asn);

/* Parse an answer to an aut-num query for asn (text, len bytes, any
 * bytes, hostile) into *out (zeroed first). The object must be
 * "aut-num: ASn" for this asn; import:/mp-import: lines count as an
 * upstream only in the plain form "[afi LIST] from ASx [anything but
 * from/accept] accept ANY" (what a transit customer writes), never a peer
 * that only sends its customers' routes ("accept AS-FOO", "accept AS64501")
 * nor a structured or refined policy. */
void sw_whois_parse_autnum(const char *text, size_t len, uint32_t asn, struct sw_autnum *out);

/* The AS an import:/mp-import: value accepts ANY from, as above: true and
 * *from, else false. v[0..n), any bytes. */
bool sw_whois_import_any(const char *v, size_t n, uint32_t *from);

/* AS numbers of no one's network: 0, AS_TRANS 23456, the documentation
 * ranges (RFC 5398), private use (RFC 6996), 65535 and 4294967295. Asked
 * only of servers the operator named, as special-use addresses are. */
bool sw_whois_asn_is_special(uint32_t asn);

/* The referral in a response, if any: IANA refer:/whois:, the LAST
 * ReferralServer: of ARIN (whois:// or rwhois://host:port), an APNIC or
 * LACNIC answer that points to a national registry (KRNIC, JPNIC, …) or to
 * another RIR. Returns false when the response names none. */
bool sw_whois_find_referral(const char *text, size_t len, const char *server,
			    struct sw_whois_referral *ref);

/* True if text is a registry's refusal for too many queries (RIPE's
 * "%ERROR:201: access denied", ARIN's "Query rate limit exceeded", …). */
bool sw_whois_is_rate_limited(const char *text, size_t len);

/* True for addresses that must never be a recipient: registry placeholders
 * (removed@…, REDACTED…, no-email@…, nobody@…) and anything that is not a
 * plain address. */
bool sw_whois_is_placeholder(const char *addr);

/* For parsers of other formats (rdap_parse.c), the rules a whois answer
 * follows. sw_whois_merge: merge what one answer found (range, names and
 * contacts in the order found, in a result of its own) into *r as
 * sw_whois_parse() does: the range only if it holds a; placeholders
 * dropped; re-ranked. sw_whois_contacts_add: add c to a ranked list of
 * cap (deduplicated; when full, c displaces a worse one).
 * sw_whois_is_nir_address: an address at a national registry (its IRT:
 * a labelled fallback only). */
void sw_whois_merge(struct sw_whois_result *r, const struct sw_whois_result *found,
		    const struct sw_addr *a, const char *server);
void sw_whois_contacts_add(struct sw_contact *list, unsigned *n, unsigned cap,
			   const struct sw_contact *c);
bool sw_whois_is_nir_address(const char *addr);

/* True for the RIRs' and IANA's (and JPNIC's) own mailboxes
 * (hostmaster@ripe.net, search-apnic-not-arin@apnic.net, abuse@arin.net).
 * The parser drops them from registry stubs (a block handed to another
 * registry, a referral, IANA-BLK, NON-RIPE-NCC-MANAGED) and keeps them
 * for a network the registry operates itself. */
bool sw_whois_is_registry_address(const char *addr);

/* True when a network's name or organisation is a registry's own
 * (RIPE-NCC, "American Registry for Internet Numbers", APNIC, ...): its
 * registry mailboxes are then its real contacts. */
bool sw_whois_names_registry(const char *netname, const char *org);

const char *sw_contact_source_name(enum sw_contact_source s); /* "abuse mailbox", … */

#endif
