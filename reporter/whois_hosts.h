/*
 * whois_hosts.h - where a whois server is reached (whois_hosts.c):
 * "HOST[:PORT]" names and the --whois-hosts map of registry host names
 * to the HOST:PORT that answers for them.
 */
#ifndef SW_WHOIS_HOSTS_H
#define SW_WHOIS_HOSTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "whois_cache.h"   /* SW_WHOIS_HOSTLEN: the host names the cache keeps */

#define SW_WHOIS_PORT 43

/*
 * Parse "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 literal
 * into a lower-case host name (or IPv6 literal) and a port, def_port when
 * none is given. False with why set on junk.
 */
bool sw_whois_hostport_parse(const char *s, char host[SW_WHOIS_HOSTLEN], uint16_t *port,
			     uint16_t def_port, const char **why);

/* "host" for port 43, "host:port" or "[v6]:port" otherwise. */
void sw_whois_server_text(char *out, size_t len, const char *host, uint16_t port);

struct sw_whois_host_entry {
	char name[SW_WHOIS_HOSTLEN];  /* registry host name as referrals spell it */
	uint16_t name_port;           /* 0: any port */
	char host[SW_WHOIS_HOSTLEN];  /* where it is reached */
	uint16_t port;
};

struct sw_whois_hosts {               /* the map; zeroed: empty */
	struct sw_whois_host_entry *e;
	size_t n;
};

/* Add the lines of file to m: "whois.ripe.net 127.0.0.1:4343", '#' starts
 * a comment. 0, or -1 with "FILE:LINE: why" in err. */
int sw_whois_hosts_load(struct sw_whois_hosts *m, const char *file, char *err, size_t errlen);

/* Where host:port is reached: a "host:port" line first, then "host", else
 * host:port itself. */
void sw_whois_hosts_map(const struct sw_whois_hosts *m, const char *host, uint16_t port,
			char out[SW_WHOIS_HOSTLEN], uint16_t *out_port);

/* True if the map has a line for host:port or for host on any port: a
 * server the operator named, trusted with special-use addresses. */
bool sw_whois_hosts_names(const struct sw_whois_hosts *m, const char *host, uint16_t port);

void sw_whois_hosts_free(struct sw_whois_hosts *m);

#endif
