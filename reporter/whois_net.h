/*
 * whois_net.h - the whois client's network I/O (whois_net.c): one bounded
 * query over TCP, and the pacing of queries to each server.
 */
#ifndef SW_WHOIS_NET_H
#define SW_WHOIS_NET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SW_WHOIS_PACE_SLOTS 32

struct sw_whois_pace_slot {
	char key[256 + 8];      /* host:port actually connected to */
	int64_t last_ms;        /* monotonic time of the last query */
};

/* The last query time of the servers asked lately (zeroed: none). */
struct sw_whois_pacer {
	struct sw_whois_pace_slot slot[SW_WHOIS_PACE_SLOTS];
};

/* Wait until pace_ms passed since the last query to key, then note now.
 * A full table forgets the server asked longest ago. */
void sw_whois_pace(struct sw_whois_pacer *p, const char *key, unsigned pace_ms);

struct sw_whois_net_query {
	const char *host;             /* where to connect (after the hosts map) */
	uint16_t port;
	const char *label;            /* the server as named, for err */
	const char *line;             /* the query, CRLF included */
	unsigned timeout_ms;          /* connect, sending, and each read */
	size_t max_response;          /* bytes kept of the answer (at least 1) */
};

/*
 * Connect, send the query and read the answer into *answer (reset first).
 * A stalled, never-ending or oversized answer is kept and *truncated set.
 * 0, or -1 with a one-line reason in err that starts with the label.
 */
int sw_whois_net_ask(const struct sw_whois_net_query *q, struct sw_buf *answer,
		     bool *truncated, char *err, size_t errlen);

#endif
