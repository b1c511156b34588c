/*
 * netset.h - sets of networks and of ports, shared by the three programs:
 * fixed-size prefix lists (home networks, ignore lists) and port bitmaps
 * (login services, noise ports), their text forms and the small table of
 * service names ("ssh" = 22) a person may write in a port list.
 *
 * Both types are plain values with no allocation, so a settings struct
 * holding them can be copied, and the packet path can test membership
 * without locks.
 */
#ifndef SW_NETSET_H
#define SW_NETSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define SW_MAX_PREFIXES 256

struct sw_prefix_list {
	unsigned n;
	struct sw_prefix p[SW_MAX_PREFIXES];
};

/* Addresses, prefixes and host names, as an operator lists hosts (an
 * allowlist): the names are kept as written, for the program to resolve
 * when and how it sees fit. */
#define SW_MAX_HOSTNAMES 32
#define SW_HOSTNAME_LEN 254   /* 253 characters and the NUL */

struct sw_host_list {
	struct sw_prefix_list prefixes;
	unsigned nnames;
	char names[SW_MAX_HOSTNAMES][SW_HOSTNAME_LEN];
};

/* One bit per TCP/UDP port. */
struct sw_port_set {
	uint8_t bits[65536 / 8];
};

static inline bool sw_port_in(const struct sw_port_set *s, uint16_t port)
{
	return (s->bits[port >> 3] >> (port & 7)) & 1;
}

static inline void sw_port_add(struct sw_port_set *s, uint16_t port)
{
	s->bits[port >> 3] |= (uint8_t)(1u << (port & 7));
}

/* True if any prefix of l contains a (linear: lists are short). */
bool sw_prefix_list_contains(const struct sw_prefix_list *l, const struct sw_addr *a);

/*
 * Parse a list of prefixes or ports separated by commas and/or blanks,
 * adding to *l or *s (clear them first to replace). An empty string adds
 * nothing. Prefixes are what sw_prefix_parse() takes; ports are numbers,
 * ranges "1-1024" and service names. On failure, false with a short reason
 * naming the bad item in why (printable: hostile bytes are escaped); the
 * items before it have been added.
 */
bool sw_prefix_list_parse(const char *text, struct sw_prefix_list *l,
			  char *why, size_t whylen);
bool sw_port_set_parse(const char *text, struct sw_port_set *s,
		       char *why, size_t whylen);
/* Items that sw_prefix_parse() takes go to l->prefixes, host names (see
 * sw_hostname_ok) to l->names; anything else fails as above. */
bool sw_host_list_parse(const char *text, struct sw_host_list *l, char *why, size_t whylen);
/* A syntactically valid host name (RFC 1123 labels, not all digits at the end). */
bool sw_hostname_ok(const char *name);

/* Text forms that the parsers take back: "10.0.0.0/8, 2001:db8::/32" and
 * "21-23, 110, 143". False if buf was too small (it is still terminated). */
bool sw_prefix_list_format(const struct sw_prefix_list *l, char *buf, size_t len);
bool sw_port_set_format(const struct sw_port_set *s, char *buf, size_t len);
/* The prefixes, then the names: "192.0.2.7/32, monitor.example.org". */
bool sw_host_list_format(const struct sw_host_list *l, char *buf, size_t len);

/* The built-in service names: "ssh" -> 22 (case-insensitive; -1 if
 * unknown) and 22 -> "ssh" (NULL if none). */
int sw_port_lookup(const char *name);
const char *sw_port_name(uint16_t port);
/* "tcp", "udp", "icmp", "icmp6" for an IP protocol number, else NULL. */
const char *sw_proto_name(uint8_t proto);

#endif
