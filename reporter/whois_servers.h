/*
 * whois_servers.h - which registry to ask first about an address and the
 * query form each registry expects (whois_servers.c).
 */
#ifndef SW_WHOIS_SERVERS_H
#define SW_WHOIS_SERVERS_H
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

#define SW_WHOIS_IANA "whois.iana.org"  /* the fallback, and the TLDs' registry */

/* The registry that holds a's delegation, from the built-in tables
 * (SW_WHOIS_IANA for reserved or unknown space). */
const char *sw_whois_first_server(const struct sw_addr *a);

/* The query text a registry expects for an address, without CRLF:
 * "n + ADDR" for ARIN, RIPE-style flags ("-B ADDR": unfiltered objects,
 * contacts included) for RIPE/APNIC/AFRINIC, "ADDR/e" for JPNIC (English),
 * the bare address for LACNIC, KRNIC, rwhois and unknown servers. */
void sw_whois_query_for(const char *host, bool rwhois, const char *addr_text,
			char *out, size_t outlen);

#endif
