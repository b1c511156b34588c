/*
 * allow.c - the allowlist (see allow.h): its entries and their match.
 *
 * Names are resolved here, once per run, to all of their addresses. The
 * name cache of logs.c does not fit: it keeps one address per name (all a
 * log line needs), and a monitoring host with an A and an AAAA record
 * must be matched on both.
 */
#include "config.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "allow.h"
#include "log.h"

bool sw_allowlist_add(struct sw_allowlist *l, const struct sw_prefix *p, const char *text)
{
	if (l->n >= SW_ALLOW_MAX)
		return false;
	l->e[l->n].p = *p;
	snprintf(l->e[l->n].text, sizeof l->e[0].text, "%s", text);
	l->n++;
	return true;
}

/* "192.0.2.7" for a host prefix, "198.51.100.0/24" for a network. */
static void prefix_text(const struct sw_prefix *p, char *buf, size_t len)
{
	if (p->len == (p->addr.family == SW_AF_INET6 ? 128 : 32))
		sw_addr_format(&p->addr, buf, len);
	else
		sw_prefix_format(p, buf, len);
}

/* Every address of name into l under the name; how many were added. */
static unsigned add_name(struct sw_allowlist *l, const char *name)
{
	struct addrinfo hints, *res = NULL;
	unsigned added = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	for (struct addrinfo *p = res; p && added < SW_ALLOW_PER_NAME; p = p->ai_next) {
		char text[SW_ADDR_STRLEN];
		struct sw_prefix pre;

		if (getnameinfo(p->ai_addr, p->ai_addrlen, text, sizeof text, NULL, 0,
		                NI_NUMERICHOST) != 0 || !sw_prefix_parse(text, &pre))
			continue;
		const char *have = sw_allowlist_match(l, &pre.addr);
		if (have && !strcmp(have, name))
			continue; /* the same address twice */
		if (sw_allowlist_add(l, &pre, name))
			added++;
	}
	freeaddrinfo(res);
	return added;
}

unsigned sw_allowlist_build(struct sw_allowlist *l, const struct sw_host_list *hosts,
                            bool resolve)
{
	unsigned unresolved = 0;
	char text[SW_ADDR_STRLEN + 4];

	l->n = 0;
	for (unsigned i = 0; i < hosts->prefixes.n && i < SW_MAX_PREFIXES; i++) {
		prefix_text(&hosts->prefixes.p[i], text, sizeof text);
		(void)sw_allowlist_add(l, &hosts->prefixes.p[i], text);
	}
	for (unsigned i = 0; i < hosts->nnames && i < SW_MAX_HOSTNAMES; i++) {
		const char *name = hosts->names[i];
		struct sw_prefix none;

		memset(&none, 0, sizeof none);
		(void)sw_allowlist_add(l, &none, name);
		if (!resolve) {
			sw_warn("allow: %s not resolved (--offline): it matches no address", name);
			unresolved++;
		} else if (add_name(l, name) == 0) {
			sw_warn("allow: %s does not resolve: it matches no address this run", name);
			unresolved++;
		}
	}
	return unresolved;
}

const char *sw_allowlist_match(const struct sw_allowlist *l, const struct sw_addr *a)
{
	for (unsigned i = 0; i < l->n && i < SW_ALLOW_MAX; i++)
		if (sw_prefix_contains(&l->e[i].p, a))
			return l->e[i].text;
	return NULL;
}

const char *sw_allowlist_match_name(const struct sw_allowlist *l, const char *name)
{
	for (unsigned i = 0; i < l->n && i < SW_ALLOW_MAX; i++)
		if (l->e[i].p.addr.family == SW_AF_NONE && !strcasecmp(l->e[i].text, name))
			return l->e[i].text;
	return NULL;
}
