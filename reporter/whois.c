/*
 * whois.c - the RFC 3912 client of the reporter: the referral chain from
 * the first server with a hop limit and loop detection, retries after
 * rate-limit refusals, and domain whois for the contacts of a registrable
 * domain. Which server to ask first and in which query form is
 * whois_servers.c's, where a server is reached (--whois-hosts)
 * whois_hosts.c's, asking one server (bounded I/O, pacing) whois_net.c's,
 * the cache in the database whois_cache.c's.
 *
 * The parsing of answers is whois_parse.c's; everything an answer says is
 * hostile text: host names from referrals are validated before use, and
 * everything that reaches an error message goes through sw_sanitize().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "hostname.h"
#include "log.h"
#include "rdap.h"
#include "timefmt.h"
#include "util.h"
#include "whois.h"
#include "whois_asn.h"
#include "whois_cache.h"
#include "whois_hosts.h"
#include "whois_net.h"
#include "whois_servers.h"

#define HOSTLEN SW_WHOIS_HOSTLEN
#define QUERYLEN SW_WHOIS_QUERYLEN

/* A server to ask, as named (before the hosts map). */
struct server {
	char host[HOSTLEN];
	uint16_t port;
	bool rwhois;
};

struct sw_whois {
	struct sw_whois_conf conf;
	struct server first;       /* --whois-server, parsed once; host "" if none */
	struct sw_whois_cache cache;
	struct sw_whois_hosts hosts;  /* --whois-hosts */
	struct sw_whois_pacer pacer;
	struct sw_rdap *rdap;      /* NULL: RDAP off (or its bootstrap unreadable) */
	bool cache_only;           /* for now no socket, but fresh answers only */
	uint64_t network_lookups;  /* address lookups that went to a server */
};

/* ---- configuration ---------------------------------------------------- */

void sw_whois_conf_defaults(struct sw_whois_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->timeout_ms = 10000;
	c->max_response = 262144;
	c->max_hops = 4;
	c->pace_ms = 1000;
	c->rate_limit_retries = 2;
	c->rate_limit_wait_ms = 5000;
	c->ttl_s = 7 * 86400;
	c->partial_ttl_s = 24 * 3600;
	c->offline = false;
	c->rdap = true;
}

/* ---- client ----------------------------------------------------------- */

/* RDAP's client, sharing the timeouts, limits and pacer of port 43. The
 * operator's own bootstrap must load; the installed copy may be missing
 * (an uninstalled build): then port 43 alone, said once. */
static int rdap_start(struct sw_whois *w, char *err, size_t errlen)
{
	const struct sw_whois_conf *c = &w->conf;
	struct sw_rdap_conf rc = {
		.bootstrap_dir = c->rdap_bootstrap[0] ? c->rdap_bootstrap : SW_RDAP_DATADIR,
		.net = {
			.timeout_ms = c->timeout_ms,
			.max_response = c->max_response,
			.ca_file = c->rdap_ca_file,
			.pace_ms = c->pace_ms,
			.rate_limit_retries = c->rate_limit_retries,
			.rate_limit_wait_ms = c->rate_limit_wait_ms,
			.pacer = &w->pacer,
		},
		.max_hops = c->max_hops,
	};
	char why[512];

	if (!c->rdap || c->offline)
		return 0;
	w->rdap = sw_rdap_new(&rc, why, sizeof(why));
	if (w->rdap)
		return 0;
	if (c->rdap_bootstrap[0]) {
		sw_fmt(err, errlen, "rdap_bootstrap: %s", why);
		return -1;
	}
	sw_warn("RDAP off, port 43 only: %s", why);
	return 0;
}

/* May RDAP be asked (about a special-use address)? Not when the operator
 * chose a whois server, unless the bootstrap was chosen too. */
static bool rdap_allowed(const struct sw_whois *w, bool special)
{
	if (!w->rdap)
		return false;
	if (w->conf.rdap_bootstrap[0])
		return true;
	return !special && !w->conf.first_server[0];
}

/* Did the answers so far name a designated abuse contact? Else port 43
 * is asked as well (APNIC's RDAP gives a national registry's IRT only). */
static bool has_designated(const struct sw_whois_result *r)
{
	for (unsigned i = 0; i < r->ncontacts && i < SW_WHOIS_MAX_CONTACTS; i++)
		if (r->contacts[i].source <= SW_CONTACT_ABUSE_COMMENT)
			return true;
	return false;
}

struct sw_whois *sw_whois_new(const struct sw_whois_conf *c, sqlite3 *db,
			      char *err, size_t errlen)
{
	struct sw_whois *w = calloc(1, sizeof(*w));

	if (!w) {
		sw_fmt(err, errlen, "out of memory");
		return NULL;
	}
	w->conf = *c;
	w->cache.db = db;
	w->cache.ttl_s = c->ttl_s;
	w->cache.partial_ttl_s = c->partial_ttl_s;
	w->cache.any_age = c->offline;
	if (w->conf.max_hops > SW_WHOIS_HOPS_MAX)
		w->conf.max_hops = SW_WHOIS_HOPS_MAX;
	if (w->conf.timeout_ms == 0)
		w->conf.timeout_ms = 1;
	if (w->conf.max_response == 0)
		w->conf.max_response = 1;
	if (w->conf.first_server[0]) {
		const char *why = NULL;
		char t[256];
		if (!sw_whois_hostport_parse(w->conf.first_server, w->first.host, &w->first.port,
				    SW_WHOIS_PORT, &why)) {
			sw_sanitize(t, sizeof(t), w->conf.first_server, (size_t)-1);
			sw_fmt(err, errlen, "--whois-server %s: %s", t, why);
			free(w);
			return NULL;
		}
	}
	if (w->conf.asn_server[0]) {
		const char *why = NULL;
		char t[256], host[HOSTLEN];
		uint16_t port;
		if (!sw_whois_hostport_parse(w->conf.asn_server, host, &port, SW_WHOIS_PORT, &why)) {
			sw_sanitize(t, sizeof(t), w->conf.asn_server, (size_t)-1);
			sw_fmt(err, errlen, "asn_server %s: %s", t, why);
			free(w);
			return NULL;
		}
	}
	if (w->conf.hosts_file[0] &&
	    sw_whois_hosts_load(&w->hosts, w->conf.hosts_file, err, errlen) < 0) {
		sw_whois_free(w);
		return NULL;
	}
	if (rdap_start(w, err, errlen) < 0) {
		sw_whois_free(w);
		return NULL;
	}
	return w;
}

void sw_whois_set_cache_only(struct sw_whois *w, bool cache_only)
{
	w->cache_only = cache_only;
}

uint64_t sw_whois_network_lookups(const struct sw_whois *w)
{
	return w->network_lookups;
}

void sw_whois_free(struct sw_whois *w)
{
	if (!w)
		return;
	sw_whois_hosts_free(&w->hosts);
	sw_rdap_free(w->rdap);
	free(w);
}

/* ---- asking a server ------------------------------------------------- */

/* One query to srv (mapped through the hosts file), paced: its answer in h. */
static int ask_once(struct sw_whois *w, const struct server *srv, struct sw_whois_hop *h,
		    char *err, size_t errlen)
{
	char host[HOSTLEN], key[HOSTLEN + 8], label[HOSTLEN + 8], line[QUERYLEN + 2];
	struct sw_whois_net_query q = {
		.host = host,
		.label = label,
		.line = line,
		.timeout_ms = w->conf.timeout_ms,
		.max_response = w->conf.max_response,
	};

	sw_whois_hosts_map(&w->hosts, srv->host, srv->port, host, &q.port);
	sw_whois_server_text(key, sizeof(key), host, q.port);
	sw_fmt(label, sizeof(label), "%s", h->server);
	sw_fmt(line, sizeof(line), "%s\r\n", h->query);
	sw_whois_pace(&w->pacer, key, w->conf.pace_ms);
	return sw_whois_net_ask(&q, &h->answer, &h->truncated, err, errlen);
}

/*
 * Ask, and after a rate-limit refusal wait and ask again, up to
 * rate_limit_retries times. *refused tells the caller it ended refused.
 */
static int ask(struct sw_whois *w, const struct server *srv, const char *query,
	       struct sw_whois_hop *h, bool *refused, char *err, size_t errlen)
{
	sw_fmt(h->host, sizeof(h->host), "%s", srv->host);
	sw_whois_server_text(h->server, sizeof(h->server), srv->host, srv->port);
	sw_fmt(h->query, sizeof(h->query), "%s", query);
	*refused = false;
	for (unsigned attempt = 0;; attempt++) {
		if (attempt > 0)
			sw_sleep_ms(w->conf.rate_limit_wait_ms);
		if (ask_once(w, srv, h, err, errlen) < 0)
			return -1;
		if (!sw_whois_is_rate_limited(h->answer.data, h->answer.len))
			return 0;
		if (attempt >= w->conf.rate_limit_retries)
			break;
		sw_info("%s: query rate limit exceeded, asking again in %u ms",
			h->server, w->conf.rate_limit_wait_ms);
	}
	*refused = true;
	sw_fmt(err, errlen, "%s: query rate limit exceeded (refused %u times)",
	       h->server, w->conf.rate_limit_retries + 1);
	return -1;
}

/* ---- the cache -------------------------------------------------------- */

/* Hand each stored answer of lookup id to fn with the host it came from
 * (the stored "host[:port]" parsed again; "" if that fails). */
typedef void (*answer_fn)(const char *text, size_t len, const char *host, void *ctx);

struct replay {
	answer_fn fn;
	void *ctx;
};

static void replay_stored(const char *text, size_t len, const char *server, void *ctx)
{
	struct replay *p = ctx;
	char host[HOSTLEN] = "";
	uint16_t port;
	const char *why;

	if (sw_rdap_is_stored(server))
		sw_fmt(host, sizeof(host), "%s", server);  /* an RDAP base URL */
	else if (!server || !sw_whois_hostport_parse(server, host, &port, SW_WHOIS_PORT, &why))
		host[0] = '\0';
	p->fn(text, len, host, p->ctx);
}

static int cache_replay(struct sw_whois *w, int64_t id, answer_fn fn, void *ctx,
			char *err, size_t errlen)
{
	struct replay p = { fn, ctx };

	return sw_whois_cache_replay(&w->cache, id, replay_stored, &p, err, errlen);
}

static int cache_find(struct sw_whois *w, const char *kind, const char *query,
		      const struct sw_addr *a, int64_t now_us, int64_t *id, bool *partial,
		      char *err, size_t errlen)
{
	const struct sw_whois_cache_key k = { kind, query, a };

	return sw_whois_cache_find_status(&w->cache, &k, now_us, id, partial, err, errlen);
}

static int cache_store(struct sw_whois *w, const struct sw_whois_cache_entry *e,
		       char *err, size_t errlen)
{
	return sw_whois_cache_store(&w->cache, e, err, errlen);
}

/* Store e with RDAP's answers before port 43's (replayed in that order). */
/* Store e with RDAP's answers before port 43's and the answers about the
 * network around the address (whois_asn.h) after them (replayed in that
 * order). */
static int cache_store_more(struct sw_whois *w, const struct sw_rdap_answers *ra,
			    struct sw_whois_cache_entry e, const struct sw_whois_hop *more,
			    unsigned nmore, char *err, size_t errlen)
{
	struct sw_whois_hop all[SW_RDAP_REQUESTS_MAX + SW_WHOIS_HOPS_MAX + 1 + SW_WHOIS_ASN_HOPS];
	unsigned n = 0;

	for (unsigned i = 0; i < ra->n && n < SW_ARRAY_LEN(all); i++)
		all[n++] = ra->hop[i];      /* shallow: the buffers stay theirs */
	for (unsigned i = 0; i < e.nhops && n < SW_ARRAY_LEN(all); i++)
		all[n++] = e.hops[i];
	for (unsigned i = 0; i < nmore && n < SW_ARRAY_LEN(all); i++)
		all[n++] = more[i];
	e.hops = all;
	e.nhops = n;
	return cache_store(w, &e, err, errlen);
}

static int cache_store_with(struct sw_whois *w, const struct sw_rdap_answers *ra,
			    struct sw_whois_cache_entry e, char *err, size_t errlen)
{
	return cache_store_more(w, ra, e, NULL, 0, err, errlen);
}

/* ---- address lookups -------------------------------------------------- */

struct chain {
	struct sw_whois_hop hops[SW_WHOIS_HOPS_MAX + 1];
	unsigned n;
};

static void chain_free(struct chain *c)
{
	for (size_t i = 0; i < SW_ARRAY_LEN(c->hops); i++)
		sw_buf_free(&c->hops[i].answer);
}

/* Loop detection: was this server already asked this query? */
static bool chain_asked(const struct chain *c, const char *server, const char *query)
{
	for (unsigned i = 0; i < c->n; i++)
		if (strcmp(c->hops[i].server, server) == 0 && strcmp(c->hops[i].query, query) == 0)
			return true;
	return false;
}

/* ---- the trace: the servers a lookup asked ----------------------------- */

static void trace_add(struct sw_whois_result *r, const char *proto, const char *server,
		      const char *query, bool ok, const char *outcome)
{
	struct sw_whois_step *t;

	if (r->ntrace >= SW_WHOIS_TRACE_MAX)
		return;
	t = &r->trace[r->ntrace++];
	sw_fmt(t->proto, sizeof(t->proto), "%s", proto);
	sw_sanitize(t->server, sizeof(t->server), server, (size_t)-1);
	sw_sanitize(t->query, sizeof(t->query), query, (size_t)-1);
	t->ok = ok;
	sw_sanitize(t->outcome, sizeof(t->outcome), outcome, (size_t)-1);
}

/* The last step's outcome, lead + arg + tail, when the chain decides
 * after the answer. */
static void trace_outcome(struct sw_whois_result *r, const char *lead, const char *arg,
			  const char *tail)
{
	char text[SW_WHOIS_SERVERLEN + 160];

	if (r->ntrace == 0)
		return;
	sw_fmt(text, sizeof(text), "%s%s%s", lead, arg, tail);
	sw_sanitize(r->trace[r->ntrace - 1].outcome, sizeof(r->trace[0].outcome), text,
		    (size_t)-1);
}

/* Why asking failed, short: err is "LABEL: reason" (whois_net.c, ask()). */
static void failure_outcome(const char *err, const char *label, bool refused, char *out,
			    size_t outlen)
{
	static const struct {
		const char *has, *say;
	} known[] = {
		{ "Connection refused", "connection refused" },
		{ "closed the connection", "closed without an answer" },
		{ "cannot resolve", "host name not resolved" },
	};
	size_t ll = strlen(label);
	const char *why = err;
	unsigned ms;

	if (strncmp(err, label, ll) == 0 && strncmp(err + ll, ": ", 2) == 0)
		why = err + ll + 2;
	if (refused) {
		sw_fmt(out, outlen, "rate limited");
		return;
	}
	if (sscanf(why, "connect timed out after %u ms", &ms) == 1 ||
	    sscanf(why, "no answer within %u ms", &ms) == 1) {
		sw_fmt(out, outlen, "timed out after %u ms", ms);
		return;
	}
	for (size_t i = 0; i < SW_ARRAY_LEN(known); i++)
		if (strstr(why, known[i].has)) {
			sw_fmt(out, outlen, "%s", known[i].say);
			return;
		}
	sw_fmt(out, outlen, "%s", why);
}

/* ---- address lookups: the cache ---------------------------------------- */

struct replay_ip {
	const struct sw_addr *a;
	struct sw_whois_result *r;
	bool partial;              /* the stored lookup broke after its last hop */
};

/* A stored answer: parsed again, and a step of the trace ("cached"). */
static void replay_ip_answer(const char *text, size_t len, const char *server,
			     const char *query, void *ctx)
{
	struct replay_ip *p = ctx;
	struct sw_whois_referral ref;
	char host[HOSTLEN] = "", outcome[SW_WHOIS_SERVERLEN + 64], rtext[HOSTLEN + 8];
	uint16_t port = SW_WHOIS_PORT;
	const char *why;

	if (sw_rdap_is_stored(server)) {
		sw_rdap_replay(text, len, server, p->a, p->r);
		trace_add(p->r, "rdap", server, query ? query : "", true, "cached");
		return;
	}
	if (sw_whois_asn_replay(text, len, server, query, p->a, p->r)) {
		trace_add(p->r, "whois", server ? server : "", query ? query : "", true, "cached");
		return;
	}
	if (!server || !sw_whois_hostport_parse(server, host, &port, SW_WHOIS_PORT, &why))
		host[0] = '\0';
	sw_whois_parse(text, len, host, p->a, p->r);
	sw_fmt(outcome, sizeof(outcome), "cached");
	if (sw_whois_find_referral(text, len, host, &ref)) {
		sw_whois_server_text(rtext, sizeof(rtext), ref.host, ref.port);
		sw_fmt(outcome, sizeof(outcome), "cached; referred to %s", rtext);
	}
	/* rwhois has a port of its own (RFC 2167): the stored "host:4321" */
	trace_add(p->r, port == 4321 ? "rwhois" : "whois", server ? server : "", query, true,
		  outcome);
}

/* A fresh cached lookup for a: replayed into r, true; false when none. */
static int replay_cached(struct sw_whois *w, const struct sw_addr *a, const char *text,
			 int64_t now_us, struct sw_whois_result *r, char *err, size_t errlen)
{
	struct replay_ip replay = { a, r, false };
	int64_t id;
	int found = cache_find(w, "ip", text, a, now_us, &id, &replay.partial, err, errlen);

	if (found <= 0)
		return found;
	if (sw_whois_cache_replay_hops(&w->cache, id, replay_ip_answer, &replay, err, errlen) < 0)
		return -1;
	r->from_cache = true;
	r->partial = replay.partial;
	if (replay.partial && r->ntrace > 0)
		trace_outcome(r, "", r->trace[r->ntrace - 1].outcome,
			      "; the chain broke after this answer (partial)");
	return 1;
}

/* ---- address lookups: the chain ---------------------------------------- */

/* A server the operator named: --whois-server, or a name in --whois-hosts.
 * Only those are trusted with special-use addresses. */
static bool operator_named(const struct sw_whois *w, const char *host, uint16_t port)
{
	if (w->first.host[0] && strcmp(w->first.host, host) == 0 && w->first.port == port)
		return true;
	return sw_whois_hosts_names(&w->hosts, host, port);
}

/*
 * Ask the chain for a: the first server, then each referral while there
 * is one, up to max_hops, never the same server with the same query twice.
 * Special-use addresses go only to servers the operator named. Every
 * server asked is a step of r's trace. Returns false with why set when a
 * server in the chain failed.
 */
static bool run_chain(struct sw_whois *w, const struct sw_addr *a, const char *text,
		      bool special, struct chain *ch, struct sw_whois_result *r,
		      char *why, size_t whylen)
{
	struct server srv = w->first;

	if (!srv.host[0]) {
		sw_fmt(srv.host, sizeof(srv.host), "%s", sw_whois_first_server(a));
		srv.port = SW_WHOIS_PORT;
	}
	for (;;) {
		char query[QUERYLEN], stext[HOSTLEN + 8], rtext[HOSTLEN + 8], outcome[160];
		struct sw_whois_referral ref;
		struct sw_whois_hop *h = &ch->hops[ch->n];
		const char *proto = srv.rwhois ? "rwhois" : "whois";
		bool refused;

		sw_whois_query_for(srv.host, srv.rwhois, text, query, sizeof(query));
		sw_whois_server_text(stext, sizeof(stext), srv.host, srv.port);
		if (chain_asked(ch, stext, query)) {
			sw_info("%s: referral loop (%s asked twice); stopped", text, stext);
			trace_outcome(r, "referred to ", stext, " again: a loop, not followed");
			return true;
		}
		if (ask(w, &srv, query, h, &refused, why, whylen) < 0) {
			r->rate_limited = r->rate_limited || refused;
			failure_outcome(why, h->server, refused, outcome, sizeof(outcome));
			trace_add(r, proto, stext, query, false, outcome);
			return false;
		}
		ch->n++;
		trace_add(r, proto, stext, query, true, "answered");
		sw_whois_parse(sw_buf_str(&h->answer), h->answer.len, h->host, a, r);
		/* the parser hands back only a checked, lower-case host name
		 * with its port (43 unless the referral named one) */
		if (!sw_whois_find_referral(sw_buf_str(&h->answer), h->answer.len, h->host, &ref))
			return true;
		sw_whois_server_text(rtext, sizeof(rtext), ref.host, ref.port);
		if (special && !operator_named(w, ref.host, ref.port)) {
			sw_info("%s: special-use address: referral to %s not followed (not a "
				"server named by --whois-server or --whois-hosts)", text, rtext);
			trace_outcome(r, "referred to ", rtext, ": not followed (special-use "
				      "address, a server the operator did not name)");
			return true;
		}
		if (ch->n > w->conf.max_hops) {
			sw_info("%s: hop limit (%u referrals) reached at %s", text,
				w->conf.max_hops, stext);
			trace_outcome(r, "referred to ", rtext, ": not followed (hop limit)");
			return true;
		}
		trace_outcome(r, "referred to ", rtext, "");
		sw_fmt(srv.host, sizeof(srv.host), "%s", ref.host);
		srv.port = ref.port;
		srv.rwhois = ref.rwhois;
	}
}

/* ---- address lookups: the network around the address ------------------- */

struct asn_asking {
	struct sw_whois *w;
	struct sw_whois_result *r;
};

/* whois_asn.c's questions: asked like any hop (hosts map, pacing,
 * rate-limit retries), each a step of the trace. A route object's server
 * is known by its host alone: the operator's --whois-server keeps its port. */
static int asn_ask(void *ctx, const char *host, uint16_t port, const char *query,
		   struct sw_whois_hop *h)
{
	struct asn_asking *g = ctx;
	struct server srv;
	char stext[HOSTLEN + 8], why[512], outcome[160];
	bool refused;

	memset(&srv, 0, sizeof(srv));
	sw_fmt(srv.host, sizeof(srv.host), "%s", host);
	srv.port = port;
	if (port == SW_WHOIS_PORT && g->w->first.host[0] && !strcmp(host, g->w->first.host))
		srv.port = g->w->first.port;
	sw_whois_server_text(stext, sizeof(stext), srv.host, srv.port);
	if (ask(g->w, &srv, query, h, &refused, why, sizeof(why)) < 0) {
		failure_outcome(why, h->server, refused, outcome, sizeof(outcome));
		trace_add(g->r, "whois", stext, query, false, outcome);
		sw_info("%s", why);
		sw_buf_free(&h->answer);
		return -1;
	}
	trace_add(g->r, "whois", stext, query, true, "answered");
	return 0;
}

static bool asn_named(void *ctx, const char *host, uint16_t port)
{
	struct asn_asking *g = ctx;

	return operator_named(g->w, host, port);
}

static void asn_hops_free(struct sw_whois_hop *h, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sw_buf_free(&h[i].answer);
}

enum sw_whois_status sw_whois_lookup(struct sw_whois *w, const struct sw_addr *a,
				     int64_t now_us, struct sw_whois_result *r,
				     char *err, size_t errlen)
{
	char text[SW_ADDR_STRLEN], why[512] = "";
	struct sw_addr v4;
	struct chain ch;
	struct sw_rdap_answers ra;
	enum sw_rdap_outcome rdap = SW_RDAP_NO_SERVER;
	struct sw_whois_hop more[SW_WHOIS_ASN_HOPS];
	unsigned nmore = 0;
	bool special, complete, ok;
	int found;

	memset(r, 0, sizeof(*r));
	memset(more, 0, sizeof(more));
	if (errlen)
		err[0] = '\0';
	if (a->family != SW_AF_INET && a->family != SW_AF_INET6) {
		sw_fmt(err, errlen, "not an IPv4 or IPv6 address");
		return SW_WHOIS_UNRESOLVED;
	}
	if (sw_addr_unmap4(a, &v4))
		a = &v4; /* ::ffff:192.0.2.1 is an IPv4 address to every registry */
	sw_addr_format(a, text, sizeof(text));
	found = replay_cached(w, a, text, now_us, r, err, errlen);
	if (found < 0)
		return SW_WHOIS_ERROR;
	if (found > 0)
		return SW_WHOIS_OK;
	if (w->conf.offline || w->cache_only) {
		sw_fmt(err, errlen, "%s: not in the whois cache", text);
		return SW_WHOIS_UNRESOLVED;
	}
	special = sw_addr_is_special(a);
	if (special && !w->conf.first_server[0] && !rdap_allowed(w, special)) {
		sw_fmt(err, errlen, "%s is a special-use address (private, loopback, "
		       "documentation, ...): never sent to a public whois server", text);
		return SW_WHOIS_UNRESOLVED;
	}

	memset(&ch, 0, sizeof(ch));
	memset(&ra, 0, sizeof(ra));
	w->network_lookups++;
	/* RDAP first; port 43 when it failed or named no designated abuse
	 * contact (and may be asked: special-use space only of --whois-server) */
	sw_fmt(why, sizeof(why), "a special-use address: no RDAP server for it in the "
	       "bootstrap, and no --whois-server");
	if (rdap_allowed(w, special))
		rdap = sw_rdap_ip(w->rdap, a, r, &ra, why, sizeof(why));
	complete = true;
	if ((rdap != SW_RDAP_ANSWERED || !has_designated(r)) &&
	    (!special || w->conf.first_server[0]))
		complete = run_chain(w, a, text, special, &ch, r, why, sizeof(why));
	if (ch.n == 0 && rdap != SW_RDAP_ANSWERED) {
		sw_fmt(err, errlen, "%s: %s", text, why);
		chain_free(&ch);
		sw_rdap_answers_free(&ra);
		return SW_WHOIS_UNRESOLVED;
	}
	/* A chain cut short (a referral unreachable or refusing) keeps the
	 * best answer it had when that named a contact: partial, kept for a
	 * shorter TTL. With no contact it would leave only the RIR's big
	 * block: not a resolution to keep. An RDAP answer is the registry's
	 * own record: a resolution, whatever port 43 did after it. */
	r->partial = !complete && rdap != SW_RDAP_ANSWERED && r->ncontacts > 0;
	ok = r->partial || ((complete || rdap == SW_RDAP_ANSWERED) &&
			    (r->ncidrs > 0 || r->ncontacts > 0));
	if (!complete && !ok)
		sw_fmt(err, errlen, "%s: %s", text, why);
	else if (!complete && r->partial)
		sw_fmt(err, errlen, "%s: %s (kept the answer before it: partial)", text, why);
	else if (!ok)
		sw_fmt(err, errlen, "%s: no range or contact in the answer of %s", text,
		       ch.n ? ch.hops[ch.n - 1].server : ra.hop[ra.n - 1].server);
	if (ok) {
		struct asn_asking g = { w, r };
		const struct sw_whois_asker k = { asn_ask, asn_named, &g };
		const struct sw_whois_asn_conf ac = { w->conf.asn_server, w->conf.upstreams };
		sw_whois_asn_ask(&ac, &k, a, r, more, &nmore);
	}
	int stored = cache_store_more(w, &ra, (struct sw_whois_cache_entry){ "ip", text, r, ok,
									  ch.hops, ch.n, now_us },
				      more, nmore, err, errlen);
	asn_hops_free(more, nmore);
	chain_free(&ch);
	sw_rdap_answers_free(&ra);
	if (stored < 0)
		return SW_WHOIS_ERROR;
	return ok ? SW_WHOIS_OK : SW_WHOIS_UNRESOLVED;
}

/* ---- domain whois ----------------------------------------------------- */

/* The server an answer refers to, if any (for the trace). */
static bool answer_server_of(const struct sw_whois_hop *h, char host[HOSTLEN])
{
	struct sw_whois_referral ref;

	host[0] = '\0';
	if (!sw_whois_find_referral(sw_buf_str(&h->answer), h->answer.len, h->host, &ref))
		return false;
	sw_whois_server_text(host, HOSTLEN, ref.host, ref.port);
	return true;
}

/* A domain answer: its contact e-mail lines, as the parser reads them. */
static void replay_domain_answer(const char *text, size_t len, const char *host, void *ctx)
{
	sw_whois_parse(text, len, host, NULL, ctx);
}

/* A stored domain answer: parsed again, and a "cached" step of the trace. */
static void replay_domain_hop(const char *text, size_t len, const char *server,
			      const char *query, void *ctx)
{
	struct sw_whois_result *r = ctx;
	char host[HOSTLEN] = "";
	uint16_t port;
	const char *why;

	if (sw_rdap_is_stored(server)) {
		sw_rdap_replay(text, len, server, NULL, r);
		trace_add(r, "rdap", server, query ? query : "", true, "cached");
		return;
	}
	if (!server || !sw_whois_hostport_parse(server, host, &port, SW_WHOIS_PORT, &why))
		host[0] = '\0';
	sw_whois_parse(text, len, host, NULL, r);
	trace_add(r, "whois", server ? server : "", query, true, "cached");
}

/* One domain query asked: a step of the trace. */
static void trace_domain_ask(struct sw_whois_result *r, const struct sw_whois_hop *h,
			     int rc, bool refused, const char *why)
{
	char outcome[160], ref[HOSTLEN];

	if (r == NULL)
		return;
	if (rc < 0)
		failure_outcome(why, h->server, refused, outcome, sizeof(outcome));
	else if (answer_server_of(h, ref))
		sw_fmt(outcome, sizeof(outcome), "referred to %s", ref);
	else
		sw_fmt(outcome, sizeof(outcome), "answered");
	trace_add(r, "whois", h->server, h->query, rc == 0, outcome);
}

/* The server an answer refers to (IANA's refer:/whois: for a TLD, a thin
 * registry's "Registrar WHOIS Server:"), as the parser finds it. */
static bool answer_server(const struct sw_whois_hop *h, char host[HOSTLEN])
{
	struct sw_whois_referral ref;

	host[0] = '\0';
	if (!sw_whois_find_referral(sw_buf_str(&h->answer), h->answer.len, h->host, &ref))
		return false;
	sw_fmt(host, HOSTLEN, "%s", ref.host);
	return true;
}

/* A registrable domain as a registry expects it: lower case, LDH labels. */
static bool normal_domain(const char *in, char out[HOSTLEN])
{
	return sw_host_normal(in, strlen(in), SW_HOST_DOMAIN, out, HOSTLEN);
}

struct replay_tld {
	char host[HOSTLEN];
};

static void replay_tld_answer(const char *text, size_t len, const char *host, void *ctx)
{
	struct replay_tld *t = ctx;
	struct sw_whois_referral ref;

	if (!t->host[0] && sw_whois_find_referral(text, len, host, &ref))
		sw_fmt(t->host, sizeof(t->host), "%s", ref.host);
}

/*
 * The whois server of a TLD: from a fresh cached IANA answer, else by
 * asking IANA (or the explicit first server). 0 and srv, or -1/-2 with err:
 * -1 unresolved, -2 database error.
 */
static int tld_server(struct sw_whois *w, const char *tld, int64_t now_us,
		      struct server *srv, struct sw_whois_result *r, char *err, size_t errlen)
{
	struct replay_tld t;
	struct server first;
	struct sw_whois_hop h;
	bool refused, found_ref;
	char why[512];
	int64_t id;
	int found;

	memset(&t, 0, sizeof(t));
	memset(&first, 0, sizeof(first));
	memset(srv, 0, sizeof(*srv));
	found = cache_find(w, "domain", tld, NULL, now_us, &id, NULL, err, errlen);
	if (found < 0)
		return -2;
	if (found > 0) {
		if (cache_replay(w, id, replay_tld_answer, &t, err, errlen) < 0)
			return -2;
		if (t.host[0]) {
			sw_fmt(srv->host, sizeof(srv->host), "%s", t.host);
			srv->port = SW_WHOIS_PORT;
			if (r)
				trace_add(r, "whois", SW_WHOIS_IANA, tld, true, "cached");
			return 0;
		}
	}
	first = w->first;
	if (!first.host[0]) {
		sw_fmt(first.host, sizeof(first.host), "%s", SW_WHOIS_IANA);
		first.port = SW_WHOIS_PORT;
	}
	memset(&h, 0, sizeof(h));
	int rc = ask(w, &first, tld, &h, &refused, why, sizeof(why));
	trace_domain_ask(r, &h, rc, refused, why);
	if (rc < 0) {
		sw_fmt(err, errlen, "the whois server of .%s: %s", tld, why);
		sw_buf_free(&h.answer);
		return -1;
	}
	found_ref = answer_server(&h, srv->host);
	if (cache_store(w, &(struct sw_whois_cache_entry){ "domain", tld, NULL, found_ref, &h, 1,
							  now_us }, err, errlen) < 0) {
		sw_buf_free(&h.answer);
		return -2;
	}
	sw_buf_free(&h.answer);
	if (found_ref) {
		srv->port = SW_WHOIS_PORT;
		return 0;
	}
	if (w->first.host[0]) {
		/* a private registry that answers for domains itself */
		*srv = first;
		return 0;
	}
	sw_fmt(err, errlen, "%s names no whois server for .%s", first.host, tld);
	return -1;
}

enum sw_whois_status sw_whois_domain(struct sw_whois *w, const char *domain,
				     int64_t now_us, struct sw_whois_result *r,
				     char *err, size_t errlen)
{
	char d[HOSTLEN], why[512], reg[HOSTLEN], safe[HOSTLEN];
	struct server srv;
	struct chain ch;
	struct sw_rdap_answers ra;
	bool refused;
	int64_t id;
	int found, rc;

	if (errlen)
		err[0] = '\0';
	if (!normal_domain(domain, d)) {
		sw_sanitize(safe, sizeof(safe), domain, (size_t)-1);
		sw_fmt(err, errlen, "'%s' is not a domain name", safe);
		return SW_WHOIS_UNRESOLVED;
	}
	found = cache_find(w, "domain", d, NULL, now_us, &id, NULL, err, errlen);
	if (found < 0)
		return SW_WHOIS_ERROR;
	if (found > 0) {
		if (sw_whois_cache_replay_hops(&w->cache, id, replay_domain_hop, r, err, errlen) < 0)
			return SW_WHOIS_ERROR;
		r->from_cache = true;
		return SW_WHOIS_OK;
	}
	if (w->conf.offline || w->cache_only) {
		sw_fmt(err, errlen, "%s: not in the whois cache", d);
		return SW_WHOIS_UNRESOLVED;
	}
	memset(&ra, 0, sizeof(ra));
	memset(&ch, 0, sizeof(ch));
	if (rdap_allowed(w, false) &&
	    sw_rdap_domain(w->rdap, d, r, &ra, why, sizeof(why)) == SW_RDAP_ANSWERED &&
	    has_designated(r))
		goto store;     /* the registrar's abuse contact: port 43 adds nothing */
	rc = tld_server(w, strrchr(d, '.') + 1, now_us, &srv, r, err, errlen);
	if (rc == -1 && ra.n > 0)
		goto store;     /* RDAP answered; no port 43 for this TLD */
	if (rc < 0) {
		sw_rdap_answers_free(&ra);
		return rc == -2 ? SW_WHOIS_ERROR : SW_WHOIS_UNRESOLVED;
	}
	rc = ask(w, &srv, d, &ch.hops[0], &refused, why, sizeof(why));
	trace_domain_ask(r, &ch.hops[0], rc, refused, why);
	if (rc < 0) {
		if (ra.n > 0)
			goto store;
		sw_fmt(err, errlen, "%s: %s", d, why);
		chain_free(&ch);
		sw_rdap_answers_free(&ra);
		return SW_WHOIS_UNRESOLVED;
	}
	ch.n = 1;
	/* thin registries name the registrar's server: one more hop */
	if (answer_server(&ch.hops[0], reg) && strcmp(reg, srv.host) != 0) {
		struct server rs;
		memset(&rs, 0, sizeof(rs));
		sw_fmt(rs.host, sizeof(rs.host), "%s", reg);
		rs.port = SW_WHOIS_PORT;
		rc = ask(w, &rs, d, &ch.hops[1], &refused, why, sizeof(why));
		trace_domain_ask(r, &ch.hops[1], rc, refused, why);
		if (rc == 0)
			ch.n = 2;
		else
			sw_info("%s: registrar whois: %s", d, why);
	}
	for (unsigned i = 0; i < ch.n; i++)
		replay_domain_answer(sw_buf_str(&ch.hops[i].answer), ch.hops[i].answer.len,
				     ch.hops[i].host, r);
store:
	if (errlen)
		err[0] = '\0';
	rc = cache_store_with(w, &ra, (struct sw_whois_cache_entry){ "domain", d, NULL, true,
								     ch.hops, ch.n, now_us },
			      err, errlen);
	chain_free(&ch);
	sw_rdap_answers_free(&ra);
	return rc < 0 ? SW_WHOIS_ERROR : SW_WHOIS_OK;
}
