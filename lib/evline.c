/*
 * evline.c - the destination of an evidence line (see evline.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "evline.h"
#include "util.h"

static uint16_t port_of(const char *s)
{
	unsigned long v = strtoul(s, NULL, 10);

	return v <= 65535 ? (uint16_t)v : 0;
}

void sw_evline_destination(const char *line, char *addr, size_t addrlen, uint16_t *port,
			   char *service, size_t servicelen)
{
	const char *p = strstr(line, " -> ");
	const char *colon;
	size_t n;
	bool fits;

	addr[0] = '\0';
	if (service)
		service[0] = '\0';
	*port = 0;
	if (!p)
		return;
	p += 4;
	n = strcspn(p, " ");
	colon = memchr(p, ':', n);
	if (*p == '[') {                        /* [IPv6]:port */
		const char *close = memchr(p, ']', n);
		if (!close)
			return;
		fits = sw_fmt(addr, addrlen, "%.*s", (int)(close - p - 1), p + 1);
		if (close[1] == ':')
			*port = port_of(close + 2);
	} else if (colon && !memchr(colon + 1, ':', n - (size_t)(colon + 1 - p))) {
		fits = sw_fmt(addr, addrlen, "%.*s", (int)(colon - p), p);   /* IPv4:port */
		*port = port_of(colon + 1);
	} else {
		fits = sw_fmt(addr, addrlen, "%.*s", (int)n, p);   /* a bare address (ICMP) */
	}
	if (!fits)
		addr[0] = '\0';
	p += n;
	if (service && p[0] == ' ' && p[1] == '(')
		sw_fmt(service, servicelen, "%.*s", (int)strcspn(p + 2, ")"), p + 2);
}
