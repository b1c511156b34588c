/*
 * whois.h - who is responsible for an address: the RFC 3912 client
 * (whois.c: server choice, referrals, query forms, pacing, the cache in the
 * database) and the response parser (whois_parse.c: RPSL, ARIN, LACNIC,
 * JPNIC and KRNIC shapes into one result with ranked contacts).
 *
 * Everything in a response is hostile text. The parser keeps only what it
 * validated: addresses that look like e-mail addresses (no CR, LF, control
 * bytes, spaces, quotes, angle brackets or commas), names and countries
 * made printable; nothing from a response is ever used as a format string,
 * SQL or a header without the caller's own checks.
 */
#ifndef SW_WHOIS_H
#define SW_WHOIS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "addr.h"

/* Where a contact address came from, best first: the rank of a contact is
 * its source, then the order it appeared in. */
enum sw_contact_source {
	SW_CONTACT_ABUSE_MAILBOX = 0, /* abuse-mailbox:, OrgAbuseEmail, RAbuseEmail, [Abuse] */
	SW_CONTACT_ABUSE_COMMENT,     /* "% Abuse contact for '…' is '…'" */
	SW_CONTACT_ROLE_EMAIL,        /* e-mail: of the role/person named by abuse-c, tech-c, admin-c; OrgTechEmail, OrgNOCEmail */
	SW_CONTACT_REMARKS,           /* an address written in remarks:/descr:/Comment: */
	SW_CONTACT_NIR_IRT,           /* a national registry's own IRT: labelled fallback only */
	SW_CONTACT_DOMAIN,            /* domain whois: admin/tech/billing contact */
	SW_CONTACT_GUESS,             /* RFC 2142 abuse@ / security@ of the domain */
};

#define SW_WHOIS_MAX_CONTACTS 16
#define SW_WHOIS_MAX_CIDRS 8
#define SW_WHOIS_HOPS_MAX 6

struct sw_contact {
	char addr[128];               /* lower-case, validated e-mail address */
	enum sw_contact_source source;
	char via[96];                 /* printable: "abuse-c AR17615-RIPE", "OrgAbuseEmail", "remarks" */
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
};

/* A referral found in a response: where to ask next and in which form. */
struct sw_whois_referral {
	char host[256];               /* "whois.ripe.net", empty when none */
	uint16_t port;                /* 43 unless the referral named one (rwhois://h:4321) */
	bool rwhois;                  /* an rwhois:// referral (query is the bare address) */
};

/* ---- whois_parse.c ---------------------------------------------------- */

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
 * (removed@…, REDACTED…, no-email@…) and the RIRs'/NIRs' own hostmasters
 * (hostmaster@ripe.net, search-apnic-not-arin@apnic.net, …). */
bool sw_whois_is_placeholder(const char *addr);

const char *sw_contact_source_name(enum sw_contact_source s); /* "abuse mailbox", … */

/* ---- whois.c ---------------------------------------------------------- */

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
	bool offline;                 /* only the cache; never a socket */
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
	SW_WHOIS_OK = 0,          /* *r filled (from the network or a fresh cache entry) */
	SW_WHOIS_UNRESOLVED = 1,  /* no answer: offline and not cached, special-use address
				     without --whois-server, every server failed; err says why */
	SW_WHOIS_ERROR = -1,      /* the database failed; err says why */
};

/*
 * Who is responsible for a (now_us: the clock to judge TTLs with). Uses a
 * fresh cached lookup whose range contains a (one lookup per netblock per
 * TTL), else asks: the first server (--whois-server, else the built-in RIR
 * table, else whois.iana.org), following referrals up to max_hops with loop
 * detection, each registry in its own query form, each host mapped through
 * the hosts file. Every answer is stored with its server and time.
 * Special-use addresses are asked only of an explicit --whois-server.
 */
enum sw_whois_status sw_whois_lookup(struct sw_whois *w, const struct sw_addr *a,
				     int64_t now_us, struct sw_whois_result *r,
				     char *err, size_t errlen);

/* Domain whois for a registrable domain ("casema.net"): the TLD's server
 * (from IANA, cached), then the registrar's if referred; adds the admin,
 * technical and billing e-mail addresses it shows as SW_CONTACT_DOMAIN. */
enum sw_whois_status sw_whois_domain(struct sw_whois *w, const char *domain,
				     int64_t now_us, struct sw_whois_result *r,
				     char *err, size_t errlen);

/* The query text a registry expects for an address, without CRLF:
 * "n + ADDR" for ARIN, RIPE-style flags ("-B ADDR": unfiltered objects,
 * contacts included) for RIPE/APNIC/AFRINIC, "ADDR/e" for JPNIC (English),
 * the bare address for LACNIC, KRNIC, rwhois and unknown servers. */
void sw_whois_query_for(const char *host, bool rwhois, const char *addr_text,
			char *out, size_t outlen);

#endif
