/*
 * lookup.c - `spanwatch-reporter --lookup` (see lookup.h): each query
 * through the whois client (sw_whois_lookup for an address,
 * sw_whois_domain for a domain name), then an account of the result as
 * the client left it: the range, its name, whether the answer is whole
 * (ok), the best one before the chain broke (partial) or none
 * (unresolved), the servers asked in r->trace[] with their outcome, and
 * the contacts in their rank, each with the field (via) and the server
 * it came from. The memo is written from the same result, so this is the
 * reason a memo goes where it goes.
 *
 * Everything a registry said is hostile text: every string printed, in
 * text and in JSON, goes through sw_sanitize() first (no terminal
 * escapes reach the operator's terminal).
 */
#include "config.h"

#include <inttypes.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "db.h"
#include "log.h"
#include "lookup.h"
#include "util.h"

#define SAFE_LEN 1100   /* a sanitized field: at most 4 bytes shown per byte kept */

/* What became of one query. */
struct outcome {
	const char *query;
	enum sw_lookup_kind kind;
	enum sw_whois_status st;
	struct sw_whois_result r;
	char err[512];
};

/* ---- what a query is ------------------------------------------------------ */

enum sw_lookup_kind sw_lookup_kind_of(const char *query)
{
	struct sw_addr a;

	if (sw_addr_parse(query, &a))
		return SW_LOOKUP_ADDRESS;
	/* the whois client checks the name itself (LDH labels); a dot is what
	 * tells a domain from a typo such as a bare word */
	if (strchr(query, '.') && query[0] != '.' && strlen(query) < 254)
		return SW_LOOKUP_DOMAIN;
	return SW_LOOKUP_INVALID;
}

static const char *kind_name(enum sw_lookup_kind k)
{
	return k == SW_LOOKUP_ADDRESS ? "address" : "domain";
}

/* ---- the verdict ---------------------------------------------------------- */

static const char *status_name(const struct outcome *o)
{
	switch (o->st) {
	case SW_WHOIS_OK:
		return o->r.partial ? "partial" : "ok";
	case SW_WHOIS_UNRESOLVED:
		return "unresolved";
	case SW_WHOIS_ERROR:
		break;
	}
	return "error";
}

/* Why a lookup is not whole: the client's reason, or a plain one. */
static const char *reason(const struct outcome *o)
{
	if (o->err[0])
		return o->err;
	if (o->st == SW_WHOIS_OK && o->r.partial)
		return "the chain of servers broke after an answer that named a contact";
	if (o->st == SW_WHOIS_OK)
		return "";
	return "no reason given";
}

static bool found_contact(const struct outcome *o)
{
	return o->st == SW_WHOIS_OK && o->r.ncontacts > 0;
}

/* ---- text ----------------------------------------------------------------- */

static const char *safe(char buf[SAFE_LEN], const char *s)
{
	return sw_sanitize(buf, SAFE_LEN, s ? s : "", (size_t)-1);
}

/* "  label:    value" when the value is not empty. */
static void text_field(FILE *f, const char *label, const char *value)
{
	char b[SAFE_LEN];

	if (value && value[0])
		fprintf(f, "  %-9s %s\n", label, safe(b, value));
}

static void text_status(FILE *f, const struct outcome *o)
{
	char b[SAFE_LEN];
	const char *why = reason(o);

	fprintf(f, "  %-9s %s", "status:", status_name(o));
	if (why[0])
		fprintf(f, ": %s", safe(b, why));
	if (o->st == SW_WHOIS_OK && o->r.from_cache)
		fputs(" (from the whois cache)", f);
	fputc('\n', f);
}

static void text_range(FILE *f, const struct sw_whois_result *r)
{
	char t[SW_ADDR_STRLEN + 8];
	unsigned n = r->ncidrs < SW_WHOIS_MAX_CIDRS ? r->ncidrs : SW_WHOIS_MAX_CIDRS;

	if (n == 0)
		return;
	fprintf(f, "  %-9s", "range:");
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : " ", sw_prefix_format(&r->cidrs[i], t, sizeof t));
	fputc('\n', f);
}

/* One server asked: "2. whois whois.ripe.net "-B 62.239.237.1": answered". */
static void text_step(FILE *f, unsigned i, const struct sw_whois_step *s)
{
	char p[SAFE_LEN], sv[SAFE_LEN], q[SAFE_LEN], out[SAFE_LEN];

	fprintf(f, "    %u. %s %s \"%s\": %s%s\n", i + 1, safe(p, s->proto), safe(sv, s->server),
		safe(q, s->query), s->ok ? "" : "FAILED: ", safe(out, s->outcome));
}

static void text_trace(FILE *f, const struct outcome *o)
{
	unsigned n = o->r.ntrace < SW_WHOIS_TRACE_MAX ? o->r.ntrace : SW_WHOIS_TRACE_MAX;

	if (n == 0) {
		fprintf(f, "  %-9s %s\n", "asked:", o->r.from_cache ?
			"no server (answered from the whois cache)" : "no server recorded");
		return;
	}
	fprintf(f, "  asked:\n");
	for (unsigned i = 0; i < n; i++)
		text_step(f, i, &o->r.trace[i]);
}

/* One contact per line: address, source, field, server. */
static void text_contacts(FILE *f, const struct sw_whois_result *r)
{
	unsigned n = r->ncontacts < SW_WHOIS_MAX_CONTACTS ? r->ncontacts : SW_WHOIS_MAX_CONTACTS;
	char a[SAFE_LEN], v[SAFE_LEN], s[SAFE_LEN];

	if (n == 0) {
		fprintf(f, "  %-9s none\n", "contacts:");
		return;
	}
	fprintf(f, "  contacts (best first):\n");
	for (unsigned i = 0; i < n; i++) {
		const struct sw_contact *c = &r->contacts[i];
		fprintf(f, "    %u. %s  [%s] via %s, from %s\n", i + 1, safe(a, c->addr),
			sw_contact_source_name(c->source), c->via[0] ? safe(v, c->via) : "?",
			c->server[0] ? safe(s, c->server) : "?");
	}
}

/* "AS2856 (route 62.239.0.0/16, from whois.ripe.net)", "" when none */
static void origin_text(const struct sw_whois_result *r, char *out, size_t len)
{
	char route[SW_ADDR_STRLEN + 8], s[SAFE_LEN];

	out[0] = '\0';
	if (r->origin_as == 0)
		return;
	sw_prefix_format(&r->origin_route, route, sizeof(route));
	if (r->origin_ip2asn)
		sw_fmt(out, len, "AS%" PRIu32 " (BGP prefix %s, from the IP-to-ASN service %s)",
		       r->origin_as, route, r->origin_server[0] ? safe(s, r->origin_server) : "?");
	else
		sw_fmt(out, len, "AS%" PRIu32 " (route %s, from %s)", r->origin_as, route,
		       r->origin_server[0] ? safe(s, r->origin_server) : "?");
}

/* The origin's upstreams, one a line: "AS64501  abuse@x via ..., from ..." */
static void text_upstreams(FILE *f, const struct sw_whois_result *r)
{
	unsigned n = r->nupstreams < SW_WHOIS_MAX_UPSTREAMS ? r->nupstreams : SW_WHOIS_MAX_UPSTREAMS;
	char a[SAFE_LEN], v[SAFE_LEN], s[SAFE_LEN];

	if (r->origin_as == 0)
		return;
	if (n == 0) {
		fprintf(f, "  %-9s %s\n", "upstreams:", r->autnum_found ?
			"none (the aut-num imports ANY from no one)" : "not known (no aut-num object found)");
		return;
	}
	fprintf(f, "  upstreams (the origin's aut-num accepts ANY from):\n");
	for (unsigned i = 0; i < n; i++) {
		const struct sw_upstream *u = &r->upstreams[i];
		if (u->abuse[0])
			fprintf(f, "    AS%" PRIu32 "  %s  via %s, from %s\n", u->asn, safe(a, u->abuse),
				u->via[0] ? safe(v, u->via) : "?", u->server[0] ? safe(s, u->server) : "?");
		else
			fprintf(f, "    AS%" PRIu32 "  no abuse contact found\n", u->asn);
	}
}

static void print_text(FILE *f, const struct outcome *o)
{
	char origin[SAFE_LEN + 96];

	char q[SAFE_LEN];

	fprintf(f, "%s (%s)\n", safe(q, o->query), kind_name(o->kind));
	text_status(f, o);
	if (o->st != SW_WHOIS_ERROR) {
		text_range(f, &o->r);
		text_field(f, "name:", o->r.netname);
		text_field(f, "org:", o->r.org);
		text_field(f, "country:", o->r.country);
		text_field(f, "source:", o->r.server);
		origin_text(&o->r, origin, sizeof(origin));
		text_field(f, "origin:", origin);
		text_field(f, "AS name:", o->r.origin_name);
		text_upstreams(f, &o->r);
		text_trace(f, o);
		text_contacts(f, &o->r);
	}
	fputc('\n', f);
}

/* ---- JSON ----------------------------------------------------------------- */

static void put_str(struct json_object *obj, const char *key, const char *value)
{
	char b[SAFE_LEN];

	json_object_object_add(obj, key, json_object_new_string(safe(b, value)));
}

static void put_bool(struct json_object *obj, const char *key, bool value)
{
	json_object_object_add(obj, key, json_object_new_boolean(value));
}

static struct json_object *json_range(const struct sw_whois_result *r)
{
	struct json_object *arr = json_object_new_array();
	unsigned n = r->ncidrs < SW_WHOIS_MAX_CIDRS ? r->ncidrs : SW_WHOIS_MAX_CIDRS;
	char t[SW_ADDR_STRLEN + 8];

	for (unsigned i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(
			sw_prefix_format(&r->cidrs[i], t, sizeof t)));
	return arr;
}

static struct json_object *json_trace(const struct sw_whois_result *r)
{
	struct json_object *arr = json_object_new_array();
	unsigned n = r->ntrace < SW_WHOIS_TRACE_MAX ? r->ntrace : SW_WHOIS_TRACE_MAX;

	for (unsigned i = 0; i < n; i++) {
		const struct sw_whois_step *s = &r->trace[i];
		struct json_object *o = json_object_new_object();
		put_str(o, "proto", s->proto);
		put_str(o, "server", s->server);
		put_str(o, "query", s->query);
		put_bool(o, "ok", s->ok);
		put_str(o, "outcome", s->outcome);
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *json_contacts(const struct sw_whois_result *r)
{
	struct json_object *arr = json_object_new_array();
	unsigned n = r->ncontacts < SW_WHOIS_MAX_CONTACTS ? r->ncontacts : SW_WHOIS_MAX_CONTACTS;

	for (unsigned i = 0; i < n; i++) {
		const struct sw_contact *c = &r->contacts[i];
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "rank", json_object_new_int((int)i + 1));
		put_str(o, "address", c->addr);
		put_str(o, "source", sw_contact_source_name(c->source));
		put_str(o, "via", c->via);
		put_str(o, "server", c->server);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* {"asn": 2856, "route": "62.239.0.0/16", "server": "whois.ripe.net"} or null */
static struct json_object *json_origin(const struct sw_whois_result *r)
{
	char route[SW_ADDR_STRLEN + 8];

	if (r->origin_as == 0)
		return NULL;
	struct json_object *o = json_object_new_object();
	struct json_object *ups = json_object_new_array();
	json_object_object_add(o, "asn", json_object_new_int64((int64_t)r->origin_as));
	put_str(o, "route", sw_prefix_format(&r->origin_route, route, sizeof(route)));
	put_str(o, "server", r->origin_server);
	put_str(o, "via", r->origin_ip2asn ? "ip-to-asn" : "route");
	put_str(o, "name", r->origin_name);
	put_str(o, "registry", r->origin_registry);
	put_bool(o, "autnum_found", r->autnum_found);
	for (unsigned i = 0; i < r->nupstreams && i < SW_WHOIS_MAX_UPSTREAMS; i++) {
		const struct sw_upstream *u = &r->upstreams[i];
		struct json_object *uo = json_object_new_object();
		json_object_object_add(uo, "asn", json_object_new_int64((int64_t)u->asn));
		json_object_object_add(uo, "abuse", u->abuse[0] ?
				       json_object_new_string(u->abuse) : NULL);
		put_str(uo, "via", u->via);
		put_str(uo, "server", u->server);
		json_object_array_add(ups, uo);
	}
	json_object_object_add(o, "upstreams", ups);
	return o;
}

static void print_json(FILE *f, const struct outcome *o)
{
	struct json_object *obj = json_object_new_object();
	bool whole = o->st == SW_WHOIS_OK;

	put_str(obj, "query", o->query);
	put_str(obj, "kind", kind_name(o->kind));
	put_str(obj, "status", status_name(o));
	if (reason(o)[0])
		put_str(obj, "reason", reason(o));
	else
		json_object_object_add(obj, "reason", NULL);
	put_bool(obj, "from_cache", whole && o->r.from_cache);
	put_bool(obj, "rate_limited", o->r.rate_limited);
	json_object_object_add(obj, "range", json_range(&o->r));
	put_str(obj, "netname", o->r.netname);
	put_str(obj, "org", o->r.org);
	put_str(obj, "country", o->r.country);
	put_str(obj, "server", o->r.server);
	json_object_object_add(obj, "origin", json_origin(&o->r));
	json_object_object_add(obj, "trace", json_trace(&o->r));
	json_object_object_add(obj, "contacts", json_contacts(&o->r));
	fprintf(f, "%s\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

/* ---- the run -------------------------------------------------------------- */

static void look_up(struct sw_whois *w, int64_t now_us, struct outcome *o)
{
	struct sw_addr a;

	memset(&o->r, 0, sizeof o->r);
	o->err[0] = '\0';
	if (o->kind == SW_LOOKUP_ADDRESS && sw_addr_parse(o->query, &a))
		o->st = sw_whois_lookup(w, &a, now_us, &o->r, o->err, sizeof o->err);
	else
		o->st = sw_whois_domain(w, o->query, now_us, &o->r, o->err, sizeof o->err);
}

/* Every query checked before anything is asked: a typo is a usage error,
 * not a lookup that fails. */
static bool queries_ok(char *const queries[], size_t n)
{
	char b[SAFE_LEN];

	if (n == 0) {
		sw_err("--lookup: name at least one address or domain");
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (sw_lookup_kind_of(queries[i]) == SW_LOOKUP_INVALID) {
			sw_err("--lookup: '%s' is neither an IP address nor a domain name",
			       safe(b, queries[i]));
			return false;
		}
	return true;
}

static sqlite3 *open_cache(const struct sw_lookup *l)
{
	char err[512];
	sqlite3 *db;

	/* without -w, a database of this process alone: nothing is written */
	db = sw_db_open(l->db_path ? l->db_path : ":memory:", SW_DB_CREATE, err, sizeof err);
	if (!db)
		sw_err("%s", err);
	return db;
}

int sw_lookup_run(const struct sw_lookup *l, char *const queries[], size_t n)
{
	struct outcome *o;
	struct sw_whois *w;
	char err[512];
	sqlite3 *db;
	int rc = SW_LOOKUP_ALL_FOUND;

	if (!queries_ok(queries, n))
		return SW_LOOKUP_USAGE;
	db = open_cache(l);
	if (!db)
		return SW_LOOKUP_DB_ERROR;
	w = sw_whois_new(l->whois, db, err, sizeof err);
	if (!w) {
		sw_err("%s", err);
		sw_db_close(db);
		return SW_LOOKUP_USAGE;
	}
	o = malloc(sizeof *o);   /* a result with its trace is large for a stack */
	if (!o) {
		sw_err("out of memory");
		rc = SW_LOOKUP_DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		o->query = queries[i];
		o->kind = sw_lookup_kind_of(queries[i]);
		look_up(w, l->now_us, o);
		if (l->json)
			print_json(l->out, o);
		else
			print_text(l->out, o);
		fflush(l->out);
		if (o->st == SW_WHOIS_ERROR)
			rc = SW_LOOKUP_DB_ERROR;
		else if (!found_contact(o) && rc == SW_LOOKUP_ALL_FOUND)
			rc = SW_LOOKUP_NOT_FOUND;
	}
	free(o);
out:
	sw_whois_free(w);
	sw_db_close(db);
	return rc;
}
