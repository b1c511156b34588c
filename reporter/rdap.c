/*
 * rdap.c - RDAP lookups: the bootstrap's base URL for an address or a
 * domain, `BASE ip/ADDR` or `BASE domain/NAME`, then what the answers
 * point at: redirects (301, 302, 303, 307, 308) and the links the parser
 * hands back (a thin registry's registrar, an abuse entity's own object),
 * all within the hop limit and never the same URL twice. Every request
 * goes to the result's trace; every answer that parsed is kept for the
 * whois cache. Also --rdap-refresh: IANA's bootstrap files fetched,
 * checked by loading them, and only then put in place.
 *
 * URLs from bootstrap files, redirects and links are hostile text: each
 * is checked by sw_rdap_url_ok() (https only) before it is asked, and
 * goes through sw_sanitize() before it reaches a message.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rdap.h"
#include "rdap_bootstrap.h"
#include "rdap_parse.h"
#include "util.h"

#define BOOTSTRAP_MAX_BYTES (16u << 20)

struct sw_rdap {
	struct sw_rdap_conf conf;
	struct sw_rdap_bootstrap *bootstrap;
};

struct sw_rdap *sw_rdap_new(const struct sw_rdap_conf *c, char *err, size_t errlen)
{
	struct sw_rdap *rd = calloc(1, sizeof(*rd));

	if (!rd) {
		sw_fmt(err, errlen, "out of memory");
		return NULL;
	}
	rd->conf = *c;
	if (rd->conf.max_hops > SW_RDAP_REQUESTS_MAX - 1)
		rd->conf.max_hops = SW_RDAP_REQUESTS_MAX - 1;
	if (!sw_rdap_net_init(err, errlen)) {
		free(rd);
		return NULL;
	}
	rd->bootstrap = sw_rdap_bootstrap_load(c->bootstrap_dir, err, errlen);
	if (!rd->bootstrap) {
		sw_rdap_free(rd);
		return NULL;
	}
	return rd;
}

void sw_rdap_free(struct sw_rdap *rd)
{
	if (!rd)
		return;
	sw_rdap_bootstrap_free(rd->bootstrap);
	free(rd);
	sw_rdap_net_cleanup();
}

void sw_rdap_answers_free(struct sw_rdap_answers *ans)
{
	for (unsigned i = 0; i < SW_RDAP_REQUESTS_MAX; i++)
		sw_buf_free(&ans->hop[i].answer);
	ans->n = 0;
}

bool sw_rdap_is_stored(const char *server)
{
	return server && (strncmp(server, "https://", 8) == 0 || strncmp(server, "http://", 7) == 0);
}

void sw_rdap_replay(const char *text, size_t len, const char *server, const struct sw_addr *a,
		    struct sw_whois_result *r)
{
	sw_rdap_parse(text, len, server, a, r, NULL);
}

/* ---- one lookup ----------------------------------------------------------- */

/* A URL split as it is traced and stored: the base asked and the path. */
struct target {
	char base[SW_WHOIS_HOSTLEN + 8];
	char path[SW_WHOIS_QUERYLEN];
	char url[SW_RDAP_URLLEN];
};

/* base + path (the bootstrap's base and "ip/ADDR"). */
static bool target_from_base(struct target *t, const char *base, const char *path)
{
	return sw_fmt(t->base, sizeof(t->base), "%s", base) &&
	       sw_fmt(t->path, sizeof(t->path), "%s", path) &&
	       sw_fmt(t->url, sizeof(t->url), "%s%s", base, path) && sw_rdap_url_ok(t->url, NULL, 0);
}

/* A whole URL (a redirect or a link): base is its scheme://authority/. */
static bool target_from_url(struct target *t, const char *url)
{
	const char *auth, *slash;

	if (!sw_rdap_url_ok(url, NULL, 0) || !sw_fmt(t->url, sizeof(t->url), "%s", url))
		return false;
	auth = strstr(t->url, "://") + 3;
	slash = strchr(auth, '/');
	if (!slash)
		return sw_fmt(t->base, sizeof(t->base), "%s/", t->url) &&
		       sw_fmt(t->path, sizeof(t->path), "%s", "");
	return sw_fmt(t->base, sizeof(t->base), "%.*s", (int)(slash - t->url + 1), t->url) &&
	       sw_fmt(t->path, sizeof(t->path), "%s", slash + 1);
}

struct walk {
	struct sw_rdap *rd;
	const struct sw_addr *a;      /* NULL for a domain */
	struct sw_whois_result *r;
	struct sw_rdap_answers *ans;
	struct target queue[SW_RDAP_REQUESTS_MAX + SW_RDAP_LINKS_MAX];
	unsigned nqueue, next;
	char asked[SW_RDAP_REQUESTS_MAX][SW_RDAP_URLLEN];
	unsigned nasked;
	bool answered;
	char why[256];                /* the last failure, for the caller */
};

static void trace(struct sw_whois_result *r, const struct target *t, bool ok, const char *outcome)
{
	struct sw_whois_step *s;

	if (r->ntrace >= SW_WHOIS_TRACE_MAX)
		return;
	s = &r->trace[r->ntrace++];
	memset(s, 0, sizeof(*s));
	sw_fmt(s->proto, sizeof(s->proto), "rdap");
	sw_sanitize(s->server, sizeof(s->server), t->base, (size_t)-1);
	sw_sanitize(s->query, sizeof(s->query), t->path, (size_t)-1);
	s->ok = ok;
	sw_sanitize(s->outcome, sizeof(s->outcome), outcome, (size_t)-1);
}

static bool was_asked(const struct walk *w, const char *url)
{
	for (unsigned i = 0; i < w->nasked; i++)
		if (strcmp(w->asked[i], url) == 0)
			return true;
	return false;
}

/* Queue a redirect's or a link's URL, unless it is not https or known. */
static void enqueue(struct walk *w, const char *url)
{
	struct target t;

	if (w->nqueue >= SW_ARRAY_LEN(w->queue) || !target_from_url(&t, url))
		return;
	if (was_asked(w, t.url))
		return;
	for (unsigned i = w->next; i < w->nqueue; i++)
		if (strcmp(w->queue[i].url, t.url) == 0)
			return;
	w->queue[w->nqueue++] = t;
}

static bool is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Keep an answer that parsed, for the cache (its buffer moves over). */
static void keep_answer(struct walk *w, const struct target *t, struct sw_rdap_reply *rep)
{
	struct sw_whois_hop *h;

	if (w->ans->n >= SW_RDAP_REQUESTS_MAX)
		return;
	h = &w->ans->hop[w->ans->n++];
	sw_fmt(h->server, sizeof(h->server), "%s", t->base);
	sw_fmt(h->host, sizeof(h->host), "%s", t->base);
	sw_fmt(h->query, sizeof(h->query), "%s", t->path);
	sw_buf_free(&h->answer);
	h->answer = rep->body;
	h->truncated = false;
	rep->body = (struct sw_buf)SW_BUF_INIT;
}

/* Ask one URL and act on the answer: merge it, or queue where it points. */
static void ask_one(struct walk *w, const struct target *t, struct sw_rdap_reply *rep)
{
	struct sw_rdap_links links;
	char err[256], outcome[sizeof(((struct sw_whois_step *)0)->outcome)];

	sw_fmt(w->asked[w->nasked++], SW_RDAP_URLLEN, "%s", t->url);
	if (sw_rdap_net_get(&w->rd->conf.net, t->url, rep, err, sizeof(err)) < 0) {
		trace(w->r, t, false, err);
		sw_fmt(w->why, sizeof(w->why), "%s%s: %s", t->base, t->path, err);
		return;
	}
	if (is_redirect(rep->status) && rep->location[0]) {
		sw_fmt(outcome, sizeof(outcome), "redirected to %s", rep->location);
		trace(w->r, t, true, outcome);
		enqueue(w, rep->location);
		return;
	}
	if (rep->status != 200) {
		sw_fmt(outcome, sizeof(outcome), "HTTP %ld", rep->status);
		trace(w->r, t, false, outcome);
		sw_fmt(w->why, sizeof(w->why), "%s%s: %s", t->base, t->path, outcome);
		return;
	}
	if (sw_rdap_error_code(sw_buf_str(&rep->body), rep->body.len) != 0) {
		sw_fmt(outcome, sizeof(outcome), "HTTP 200, RDAP error %d",
		       sw_rdap_error_code(sw_buf_str(&rep->body), rep->body.len));
		trace(w->r, t, false, outcome);
		sw_fmt(w->why, sizeof(w->why), "%s%s: %s", t->base, t->path, outcome);
		return;
	}
	memset(&links, 0, sizeof(links));
	if (!sw_rdap_parse(sw_buf_str(&rep->body), rep->body.len, t->url, w->a, w->r, &links)) {
		trace(w->r, t, false, "HTTP 200, not an RDAP object");
		sw_fmt(w->why, sizeof(w->why), "%s%s: not an RDAP object", t->base, t->path);
		return;
	}
	trace(w->r, t, true, "HTTP 200");
	w->answered = true;
	keep_answer(w, t, rep);
	for (unsigned i = 0; i < links.n && i < SW_RDAP_LINKS_MAX; i++)
		enqueue(w, links.url[i]);
}

/* Ask the first target, then whatever the answers point at, while the hop
 * limit lasts. */
static void walk(struct walk *w)
{
	struct sw_rdap_reply rep = { 0, SW_BUF_INIT, "", 0 };
	unsigned limit = w->rd->conf.max_hops + 1;

	while (w->next < w->nqueue) {
		const struct target *t = &w->queue[w->next++];

		if (was_asked(w, t->url))
			continue;
		if (w->nasked >= limit || w->nasked >= SW_RDAP_REQUESTS_MAX) {
			trace(w->r, t, false, "not asked: hop limit reached");
			sw_info("RDAP: hop limit (%u) reached before %s%s", w->rd->conf.max_hops,
				t->base, t->path);
			continue;
		}
		ask_one(w, t, &rep);
	}
	sw_buf_free(&rep.body);
}

/* Try each base of the bootstrap in turn (https first) until one answers. */
static enum sw_rdap_outcome lookup(struct sw_rdap *rd, const char *const *bases, unsigned nbases,
				   const char *path, const struct sw_addr *a,
				   struct sw_whois_result *r, struct sw_rdap_answers *ans,
				   char *why, size_t whylen)
{
	struct walk *w;
	enum sw_rdap_outcome out = SW_RDAP_NO_SERVER;

	if (nbases == 0)
		return SW_RDAP_NO_SERVER;
	w = calloc(1, sizeof(*w));
	if (!w) {
		sw_fmt(why, whylen, "out of memory");
		return SW_RDAP_FAILED;
	}
	for (unsigned b = 0; b < nbases && out != SW_RDAP_ANSWERED; b++) {
		memset(w, 0, sizeof(*w));
		*w = (struct walk){ .rd = rd, .a = a, .r = r, .ans = ans };
		if (!target_from_base(&w->queue[0], bases[b], path)) {
			sw_fmt(why, whylen, "the bootstrap's base URL is not https://");
			out = SW_RDAP_FAILED;
			continue;
		}
		w->nqueue = 1;
		walk(w);
		out = w->answered ? SW_RDAP_ANSWERED : SW_RDAP_FAILED;
		if (!w->answered)
			sw_fmt(why, whylen, "%s", w->why[0] ? w->why : "no answer");
	}
	free(w);
	return out;
}

bool sw_rdap_serves_ip(const struct sw_rdap *rd, const struct sw_addr *a)
{
	const char *bases[SW_RDAP_BASES_MAX];

	return sw_rdap_bootstrap_ip(rd->bootstrap, a, bases) > 0;
}

bool sw_rdap_serves_domain(const struct sw_rdap *rd, const char *domain)
{
	const char *bases[SW_RDAP_BASES_MAX];

	return sw_rdap_bootstrap_domain(rd->bootstrap, domain, bases) > 0;
}

enum sw_rdap_outcome sw_rdap_ip(struct sw_rdap *rd, const struct sw_addr *a,
				struct sw_whois_result *r, struct sw_rdap_answers *ans,
				char *why, size_t whylen)
{
	const char *bases[SW_RDAP_BASES_MAX];
	char text[SW_ADDR_STRLEN], path[SW_ADDR_STRLEN + 8];
	unsigned n = sw_rdap_bootstrap_ip(rd->bootstrap, a, bases);

	sw_addr_format(a, text, sizeof(text));
	sw_fmt(path, sizeof(path), "ip/%s", text);
	return lookup(rd, bases, n, path, a, r, ans, why, whylen);
}

enum sw_rdap_outcome sw_rdap_domain(struct sw_rdap *rd, const char *domain,
				    struct sw_whois_result *r, struct sw_rdap_answers *ans,
				    char *why, size_t whylen)
{
	const char *bases[SW_RDAP_BASES_MAX];
	char path[SW_WHOIS_HOSTLEN + 8];
	unsigned n = sw_rdap_bootstrap_domain(rd->bootstrap, domain, bases);

	if (!sw_fmt(path, sizeof(path), "domain/%s", domain))
		return SW_RDAP_NO_SERVER;
	return lookup(rd, bases, n, path, NULL, r, ans, why, whylen);
}

/* ---- --rdap-refresh --------------------------------------------------------- */

static const char *const bootstrap_files[] = { "ipv4.json", "ipv6.json", "dns.json", "asn.json" };

static int write_file(const char *path, const struct sw_buf *b, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(sw_buf_str(b), 1, b->len, f) != b->len || fclose(f) != 0) {
		sw_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Fetch the four files into tmp. */
static int fetch_all(const char *base_url, const char *tmp, const struct sw_rdap_net *net,
		     char *err, size_t errlen)
{
	struct sw_rdap_reply rep = { 0, SW_BUF_INIT, "", 0 };
	int rc = 0;

	for (size_t i = 0; i < SW_ARRAY_LEN(bootstrap_files) && rc == 0; i++) {
		char url[SW_RDAP_URLLEN], path[4096], why[256];

		if (!sw_fmt(url, sizeof(url), "%s%s", base_url, bootstrap_files[i]) ||
		    !sw_fmt(path, sizeof(path), "%s/%s", tmp, bootstrap_files[i])) {
			sw_fmt(err, errlen, "%s: name too long", bootstrap_files[i]);
			rc = -1;
		} else if (sw_rdap_net_get(net, url, &rep, why, sizeof(why)) < 0) {
			sw_fmt(err, errlen, "%s: %s", url, why);
			rc = -1;
		} else if (rep.status != 200) {
			sw_fmt(err, errlen, "%s: HTTP %ld", url, rep.status);
			rc = -1;
		} else {
			rc = write_file(path, &rep.body, err, errlen);
		}
	}
	sw_buf_free(&rep.body);
	return rc;
}

int sw_rdap_refresh(const char *base_url, const char *dir, const struct sw_rdap_net *net,
		    char *err, size_t errlen)
{
	struct sw_rdap_net n = *net;
	struct sw_rdap_bootstrap *b;
	char tmp[4096], safe[512];
	int rc = -1;

	sw_sanitize(safe, sizeof(safe), base_url, (size_t)-1);
	if (!base_url[0] || base_url[strlen(base_url) - 1] != '/' || !sw_rdap_url_ok(base_url, NULL, 0)) {
		sw_fmt(err, errlen, "%s: not an https:// URL ending in '/'", safe);
		return -1;
	}
	if (!sw_fmt(tmp, sizeof(tmp), "%s/.rdap-refresh.XXXXXX", dir) || !mkdtemp(tmp)) {
		sw_fmt(err, errlen, "%s: cannot make a temporary directory: %s", dir, strerror(errno));
		return -1;
	}
	n.max_response = BOOTSTRAP_MAX_BYTES;
	if (!sw_rdap_net_init(err, errlen))
		goto out;
	rc = fetch_all(base_url, tmp, &n, err, errlen);
	sw_rdap_net_cleanup();
	if (rc < 0)
		goto out;
	b = sw_rdap_bootstrap_load(tmp, err, errlen);   /* only files that load */
	if (!b) {
		rc = -1;
		goto out;
	}
	sw_rdap_bootstrap_free(b);
	for (size_t i = 0; i < SW_ARRAY_LEN(bootstrap_files) && rc == 0; i++) {
		char from[4200], to[4200];
		sw_fmt(from, sizeof(from), "%s/%s", tmp, bootstrap_files[i]);
		sw_fmt(to, sizeof(to), "%s/%s", dir, bootstrap_files[i]);
		if (rename(from, to) < 0) {
			sw_fmt(err, errlen, "%s: %s", to, strerror(errno));
			rc = -1;
		}
	}
out:
	for (size_t i = 0; i < SW_ARRAY_LEN(bootstrap_files); i++) {
		char f[4200];
		sw_fmt(f, sizeof(f), "%s/%s", tmp, bootstrap_files[i]);
		unlink(f);
	}
	rmdir(tmp);
	return rc;
}
