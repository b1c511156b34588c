/*
 * whois_asn.c - the origin AS of an address from an IP-to-ASN service
 * when the registries' answers had no route object, and the origin's
 * upstreams from its aut-num object, each with its designated abuse
 * contact (see whois_asn.h). The asking is whois.c's (through
 * struct sw_whois_asker), the formats cymru.c's and whois_parse.c's; this
 * file decides what to ask of whom and merges the answers into the
 * lookup's result, the same way when asked and when replayed from the
 * cache.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cymru.h"
#include "log.h"
#include "util.h"
#include "whois_asn.h"
#include "whois_hosts.h"

void sw_whois_autnum_query(const char *host, uint32_t asn, char *out, size_t outlen)
{
	static const char *const rpsl[] = { "whois.ripe.net", "whois.apnic.net",
					     "whois.afrinic.net" };

	for (size_t i = 0; i < SW_ARRAY_LEN(rpsl); i++)
		if (!strcasecmp(host, rpsl[i])) {
			sw_fmt(out, outlen, "-B -T aut-num AS%" PRIu32, asn);
			return;
		}
	sw_fmt(out, outlen, "AS%" PRIu32, asn);
}

/* The AS an aut-num query asks about (one sw_whois_autnum_query wrote),
 * else 0. */
static uint32_t autnum_query_asn(const char *query)
{
	static const char lead[] = "-B -T aut-num ";
	uint32_t asn;

	if (query == NULL)
		return 0;
	if (!strncmp(query, lead, strlen(lead)))
		query += strlen(lead);
	return sw_whois_parse_asn(query, strlen(query), &asn) ? asn : 0;
}

/* ---- merging answers into the result ------------------------------------ */

static void apply_cymru(const char *text, size_t len, const char *server,
			const struct sw_addr *a, struct sw_whois_result *r)
{
	struct sw_cymru c;

	if (r->origin_as != 0 || !sw_cymru_parse(text, len, a, &c))
		return;
	r->origin_as = c.asn;
	r->origin_route = c.prefix;
	r->origin_ip2asn = true;
	sw_sanitize(r->origin_server, sizeof r->origin_server, server ? server : "", (size_t)-1);
	memcpy(r->origin_name, c.as_name, sizeof r->origin_name);
	memcpy(r->origin_registry, c.registry, sizeof r->origin_registry);
}

static void apply_autnum(const char *text, size_t len, const char *server, uint32_t asn,
			 struct sw_whois_result *r)
{
	struct sw_autnum an;

	if (asn == 0)
		return;
	if (asn == r->origin_as && !r->autnum_found) {
		sw_whois_parse_autnum(text, len, asn, &an);
		if (!an.found)
			return;
		r->autnum_found = true;
		if (!r->origin_name[0])
			memcpy(r->origin_name, an.as_name, sizeof r->origin_name);
		r->nupstreams = 0;
		for (unsigned i = 0; i < an.nupstreams && i < SW_WHOIS_MAX_UPSTREAMS; i++) {
			memset(&r->upstreams[i], 0, sizeof r->upstreams[i]);
			r->upstreams[i].asn = an.upstreams[i];
			r->nupstreams++;
		}
		return;
	}
	for (unsigned i = 0; i < r->nupstreams && i < SW_WHOIS_MAX_UPSTREAMS; i++) {
		struct sw_upstream *u = &r->upstreams[i];
		if (u->asn != asn || u->abuse[0])
			continue;
		sw_whois_parse_autnum(text, len, asn, &an);
		if (an.nabuse == 0)
			return;
		memcpy(u->abuse, an.abuse[0].addr, sizeof u->abuse);
		memcpy(u->via, an.abuse[0].via, sizeof u->via);
		sw_sanitize(u->server, sizeof u->server, server ? server : "", (size_t)-1);
		return;
	}
}

bool sw_whois_asn_replay(const char *text, size_t len, const char *server, const char *query,
			 const struct sw_addr *a, struct sw_whois_result *r)
{
	uint32_t asn;

	if (sw_cymru_is_query(query)) {
		apply_cymru(text, len, server, a, r);
		return true;
	}
	asn = autnum_query_asn(query);
	if (asn == 0)
		return false;
	apply_autnum(text, len, server, asn, r);
	return true;
}

/* ---- asking ----------------------------------------------------------- */

struct asking {
	const struct sw_whois_asker *k;
	struct sw_whois_hop *hops;
	unsigned *nhops;
};

/* Ask host:port query; the answer is the next hop. NULL when it failed
 * or no hop is left. */
static const struct sw_whois_hop *ask_one(struct asking *g, const char *host, uint16_t port,
					  const char *query)
{
	struct sw_whois_hop *h;

	if (*g->nhops >= SW_WHOIS_ASN_HOPS)
		return NULL;
	h = &g->hops[*g->nhops];
	if (g->k->ask(g->k->ctx, host, port, query, h) < 0)
		return NULL;
	(*g->nhops)++;
	return h;
}

/* The origin from the service, when the registries named none. */
static void ask_service(const struct sw_whois_asn_conf *c, struct asking *g,
			const struct sw_addr *a, struct sw_whois_result *r)
{
	char host[SW_WHOIS_HOSTLEN], query[SW_WHOIS_QUERYLEN], text[SW_ADDR_STRLEN];
	const char *why;
	uint16_t port;

	if (r->origin_as != 0 || c->asn_server == NULL || !c->asn_server[0])
		return;
	if (!sw_whois_hostport_parse(c->asn_server, host, &port, SW_WHOIS_PORT, &why))
		return; /* checked when the configuration was read */
	sw_addr_format(a, text, sizeof text);
	if (sw_addr_is_special(a) && !g->k->named(g->k->ctx, host, port)) {
		sw_info("%s: special-use address: not sent to the IP-to-ASN service %s (not a "
			"server named by --whois-server or --whois-hosts)", text, host);
		return;
	}
	sw_cymru_query(a, query, sizeof query);
	const struct sw_whois_hop *h = ask_one(g, host, port, query);
	if (h)
		apply_cymru(sw_buf_str(&h->answer), h->answer.len, h->server, a, r);
}

/* Where the origin's aut-num is asked: the registry whose answer had its
 * route object, or the RPSL registry the service named. */
static bool autnum_server(const struct sw_whois_result *r, char host[SW_WHOIS_HOSTLEN],
			  uint16_t *port)
{
	const char *why, *s;

	if (r->origin_ip2asn) {
		s = sw_cymru_rpsl_server(r->origin_registry);
		if (s == NULL)
			return false;
		sw_fmt(host, SW_WHOIS_HOSTLEN, "%s", s);
		*port = SW_WHOIS_PORT;
		return true;
	}
	return r->origin_server[0] && !strstr(r->origin_server, "://") &&
	       sw_whois_hostport_parse(r->origin_server, host, port, SW_WHOIS_PORT, &why);
}

static bool asn_allowed(struct asking *g, uint32_t asn, const char *host, uint16_t port)
{
	if (!sw_whois_asn_is_special(asn) || g->k->named(g->k->ctx, host, port))
		return true;
	sw_info("AS%" PRIu32 ": a special-purpose AS number: not asked of %s (not a server "
		"named by --whois-server or --whois-hosts)", asn, host);
	return false;
}

static void ask_upstreams(struct asking *g, struct sw_whois_result *r)
{
	char host[SW_WHOIS_HOSTLEN], query[SW_WHOIS_QUERYLEN];
	const struct sw_whois_hop *h;
	uint16_t port;

	if (r->origin_as == 0 || !autnum_server(r, host, &port) ||
	    !asn_allowed(g, r->origin_as, host, port))
		return;
	sw_whois_autnum_query(host, r->origin_as, query, sizeof query);
	h = ask_one(g, host, port, query);
	if (h == NULL)
		return;
	apply_autnum(sw_buf_str(&h->answer), h->answer.len, h->server, r->origin_as, r);
	for (unsigned i = 0; i < r->nupstreams && i < SW_WHOIS_MAX_UPSTREAMS; i++) {
		uint32_t up = r->upstreams[i].asn;
		if (!asn_allowed(g, up, host, port))
			continue;
		sw_whois_autnum_query(host, up, query, sizeof query);
		h = ask_one(g, host, port, query);
		if (h)
			apply_autnum(sw_buf_str(&h->answer), h->answer.len, h->server, up, r);
	}
}

void sw_whois_asn_ask(const struct sw_whois_asn_conf *c, const struct sw_whois_asker *k,
		      const struct sw_addr *a, struct sw_whois_result *r,
		      struct sw_whois_hop hops[SW_WHOIS_ASN_HOPS], unsigned *nhops)
{
	struct asking g = { k, hops, nhops };

	*nhops = 0;
	ask_service(c, &g, a, r);
	if (c->upstreams)
		ask_upstreams(&g, r);
}
