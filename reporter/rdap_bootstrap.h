/*
 * rdap_bootstrap.h - which RDAP server answers for what (rdap_bootstrap.c):
 * IANA's RFC 9224 bootstrap registry files (ipv4.json, ipv6.json, dns.json,
 * asn.json) read from a directory: the copy shipped in data/rdap/, a copy
 * refreshed with `spanwatch-reporter --rdap-refresh`, or the operator's
 * own ([reporter] rdap_bootstrap = DIR, a private registry for lab space).
 */
#ifndef SW_RDAP_BOOTSTRAP_H
#define SW_RDAP_BOOTSTRAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define SW_RDAP_BASES_MAX 4

struct sw_rdap_bootstrap;

/* Load the four files from dir (a missing asn.json or dns.json is allowed,
 * a malformed file is not). NULL with a one-line reason naming the file. */
struct sw_rdap_bootstrap *sw_rdap_bootstrap_load(const char *dir, char *err, size_t errlen);
void sw_rdap_bootstrap_free(struct sw_rdap_bootstrap *b);

/* The base URLs (ending in '/', https ones first) of the service whose
 * entry holds a (the longest matching prefix), of the service for a domain
 * (the longest matching label suffix: "example.co.uk" tries itself, then
 * "co.uk", then "uk"), or of an AS number. Pointers into b; the count (0:
 * none). An IPv4-mapped IPv6 address counts as its IPv4 address.
 * Special-use addresses are the caller's to refuse: IANA's files put the
 * documentation prefix 2001:db8::/32 inside APNIC's 2001:c00::/23, while an
 * operator's own registry may rightly hold 10.0.0.0/8. */
unsigned sw_rdap_bootstrap_ip(const struct sw_rdap_bootstrap *b, const struct sw_addr *a,
			      const char *bases[SW_RDAP_BASES_MAX]);
unsigned sw_rdap_bootstrap_domain(const struct sw_rdap_bootstrap *b, const char *domain,
				  const char *bases[SW_RDAP_BASES_MAX]);
unsigned sw_rdap_bootstrap_asn(const struct sw_rdap_bootstrap *b, uint32_t asn,
			       const char *bases[SW_RDAP_BASES_MAX]);

/* The "publication" stamp of a loaded file ("ipv4", "ipv6", "dns", "asn"),
 * "" if that file was absent. */
const char *sw_rdap_bootstrap_published(const struct sw_rdap_bootstrap *b, const char *which);

#endif
