/*
 * cymru.h - an IP-to-ASN whois service in Team Cymru's documented format
 * (cymru.c): the query for one address and its answer, the origin AS of
 * the address's BGP prefix when no registry answer had a route object.
 *
 * The format, https://www.team-cymru.com/ip-asn-mapping ("whois -h
 * whois.cymru.com ' -v 216.90.108.31'"): a header line, then one line per
 * origin AS, seven fields separated by '|' and padded with blanks:
 *
 *   AS      | IP               | BGP Prefix          | CC | Registry | Allocated  | AS Name
 *   23028   | 216.90.108.31    | 216.90.108.0/24     | US | arin     | 1998-09-25 | TEAMCYMRU - SAUNET, US
 *
 * An address that is not routed has "NA" as its AS and prefix.
 */
#ifndef SW_CYMRU_H
#define SW_CYMRU_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct sw_cymru {
	uint32_t asn;                 /* 1..4294967295 */
	struct sw_prefix prefix;      /* the BGP prefix, contains the address */
	char cc[3];                   /* two upper-case letters, or "" */
	char registry[16];            /* lower-case letters ("ripencc", "arin"), or "" */
	char allocated[11];           /* YYYY-MM-DD, or "" */
	char as_name[80];             /* printable, or "" */
};

/* The verbose query for a, without CR LF: " -v 192.0.2.1". */
void sw_cymru_query(const struct sw_addr *a, char *out, size_t outlen);

/* Whether a stored query is one sw_cymru_query wrote (the whois cache
 * tells the service's answers from registries' by it). */
bool sw_cymru_is_query(const char *query);

/*
 * Parse an answer (text, len bytes, not NUL-terminated, any bytes: hostile)
 * about address a: of the lines whose IP field is a and whose BGP prefix
 * covers it, with a valid AS number, the most specific prefix (the first
 * among equals) into *out. False when no line qualifies. Reads at most
 * the first 64 lines of up to 512 bytes each.
 */
bool sw_cymru_parse(const char *text, size_t len, const struct sw_addr *a,
		    struct sw_cymru *out);

/* The registry's whois server that publishes aut-num objects with their
 * routing policy (RIPE, APNIC, AFRINIC) for a registry field, or NULL
 * (ARIN and LACNIC keep no import: lines in their whois). */
const char *sw_cymru_rpsl_server(const char *registry);

#endif
