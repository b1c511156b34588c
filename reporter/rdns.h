/*
 * rdns.h - reverse DNS for the reporter (rdns.c): the PTR name of an
 * address with forward confirmation, described by its registrable domain
 * (domain.h) and the kind of line it suggests (linetype.h).
 *
 * Queries go through libresolv (res_n*) so that a test or an operator can
 * name the server (HOST[:PORT]); without one the system resolver is used.
 * A PTR answer is hostile: a name with anything but letters, digits,
 * hyphens, underscores and dots is kept only in escaped form for display
 * and is never confirmed, never used for a domain or an address.
 */
#ifndef SW_RDNS_H
#define SW_RDNS_H
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "linetype.h"

struct sw_rdns {
	char name[1024];      /* the PTR name as printable text (escaped if odd), "" if none */
	bool valid;           /* the name is a plain host name (LDH, dots, underscores) */
	bool confirmed;       /* the name resolves back to the address (so it is
	                         valid and not empty) */
	char domain[256];     /* registrable domain of a valid name (libpsl), "" if none */
	enum sw_line_type line;
};

struct sw_resolver;

/* server: "HOST[:PORT]" (a numeric address: IPv4, [IPv6]:PORT or a bare
 * IPv6 address) or NULL/"" for the system's resolv.conf; an IPv6 server is
 * handed to glibc the way res_ninit stores one (_u._ext.nsaddrs).
 * timeout_ms bounds each whole sw_rdns_lookup, rounded up to whole seconds
 * (libresolv's unit). NULL with a one-line reason in err. */
struct sw_resolver *sw_resolver_new(const char *server, unsigned timeout_ms,
				    char *err, size_t errlen);
void sw_resolver_free(struct sw_resolver *r);

/* PTR of a, then A/AAAA of that name to confirm (CNAMEs followed; of
 * several PTRs the first valid one that confirms, else the first valid,
 * else the first). Fills *out (zeroed first). Returns 0 (a name or a clean
 * NXDOMAIN/no answer) or -1 when the PTR query failed (timeout, SERVFAIL,
 * a malformed answer), with *out still zeroed. A forward query that fails
 * leaves the name unconfirmed, with 0. */
int sw_rdns_lookup(struct sw_resolver *r, const struct sw_addr *a, struct sw_rdns *out);

/* The text of a DNS name in wire form (length-prefixed labels, no
 * compression pointers, at most wirelen bytes): a plain host name as it is,
 * with no trailing dot; any other byte of a label (a dot, a space, a
 * control byte) as \xNN. True only for a whole, plain host name; out is
 * always NUL-terminated and printable. */
bool sw_rdns_name_text(const unsigned char *wire, size_t wirelen, char *out, size_t outlen);

#endif
