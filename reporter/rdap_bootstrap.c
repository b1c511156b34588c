/*
 * rdap_bootstrap.c - IANA's RDAP bootstrap registries (RFC 9224) in memory
 * and the three lookups rdap_bootstrap.h promises: an address by its
 * longest prefix, a domain by its longest label suffix, an AS number by
 * its range.
 *
 * A file is {"publication": "...", "services": [[[entries...], [base
 * URLs...]], ...]}. The files come from IANA, from a refresh over HTTPS or
 * from the operator: they are checked as strictly as answers are (size,
 * nesting, counts, every entry and URL), and a file that is wrong is
 * refused with one line saying which file and what, rather than used in
 * part. Lookups scan the tables (a few hundred entries; a lookup is rare).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <json.h>

#include "addr.h"
#include "hostname.h"
#include "rdap_bootstrap.h"
#include "util.h"

#define FILE_MAX ((size_t)8 << 20) /* dns.json is 72 KiB today */
#define JSON_DEPTH_MAX 8           /* a well-formed file is 4 deep */
#define SERVICES_MAX 4096
#define ENTRIES_MAX 65536          /* all services of one file together */
#define URL_MAX 512
#define LABEL_MAX 254

enum which { W_IPV4, W_IPV6, W_DNS, W_ASN, W_COUNT };

static const struct {
	const char *name, *file;
	bool required;
} files[W_COUNT] = {
	[W_IPV4] = { "ipv4", "ipv4.json", true },
	[W_IPV6] = { "ipv6", "ipv6.json", true },
	[W_DNS] = { "dns", "dns.json", false },
	[W_ASN] = { "asn", "asn.json", false },
};

struct service {
	char *bases[SW_RDAP_BASES_MAX]; /* https ones first */
	unsigned nbases;
};

struct entry {
	unsigned service;
	struct sw_prefix prefix; /* ipv4, ipv6 */
	uint32_t lo, hi;         /* asn */
	char *label;             /* dns: lower case, no trailing dot */
};

struct table {
	bool present;
	char published[40];
	struct service *services;
	size_t nservices;
	struct entry *entries;
	size_t nentries;
};

struct sw_rdap_bootstrap {
	struct table t[W_COUNT];
};

/* ---- errors ------------------------------------------------------------- */

struct ctx {
	const char *file;
	char *err;
	size_t errlen;
};

static bool fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(struct ctx *c, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->err && c->errlen > 0)
		snprintf(c->err, c->errlen, "%s: %s", c->file, what);
	return false;
}

/* A string from a file, printable, for an error message. */
static const char *shown(json_object *v, char *buf, size_t len)
{
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;

	if (s == NULL)
		return "(not a string)";
	sw_sanitize(buf, len, s, (size_t)json_object_get_string_len(v));
	return buf;
}

/* Element i of an array (json-c asserts on anything else). */
static json_object *elem(json_object *a, size_t i)
{
	if (a == NULL || !json_object_is_type(a, json_type_array) || i >= json_object_array_length(a))
		return NULL;
	return json_object_array_get_idx(a, i);
}

/* ---- reading ------------------------------------------------------------- */

static char *read_file(struct ctx *c, const char *path, size_t *len, bool *missing)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	*missing = false;
	if (f == NULL) {
		*missing = errno == ENOENT;
		fail(c, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		fail(c, "not a regular file");
		return NULL;
	}
	if ((size_t)st.st_size > FILE_MAX) {
		fclose(f);
		fail(c, "larger than %zu bytes", FILE_MAX);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		fclose(f);
		fail(c, "out of memory");
		return NULL;
	}
	*len = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f) || *len != (size_t)st.st_size) {
		free(buf);
		fclose(f);
		fail(c, "read error");
		return NULL;
	}
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

static json_object *parse(struct ctx *c, const char *text, size_t len)
{
	json_tokener *tok = json_tokener_new_ex(JSON_DEPTH_MAX);
	json_object *root;

	if (tok == NULL) {
		fail(c, "out of memory");
		return NULL;
	}
	root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (root == NULL || e != json_tokener_success) {
		json_object_put(root);
		fail(c, "not JSON (%s near byte %zu)",
		     e == json_tokener_success || e == json_tokener_continue ? "unexpected end"
									       : json_tokener_error_desc(e),
		     end);
		return NULL;
	}
	while (end < len && isspace((unsigned char)text[end]))
		end++;
	if (end < len) {
		json_object_put(root);
		fail(c, "text after the JSON object at byte %zu", end);
		return NULL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		fail(c, "not a JSON object");
		return NULL;
	}
	return root;
}

/* ---- checking entries and URLs ------------------------------------------- */

static bool url_ok(const char *s, size_t n)
{
	if (n >= URL_MAX - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '"' ||
		    s[i] == '\\' || s[i] == '<' || s[i] == '>')
			return false;
	size_t skip;
	if (n > 8 && strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (n > 7 && strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	size_t hn = strcspn(s + skip, ":/?#");
	if (skip + hn > n)
		hn = n - skip;
	if (s[skip] == '[') /* an IPv6 literal: sw_split_hostport's job later */
		return memchr(s + skip, ']', n - skip) != NULL;
	return hn > 0 && sw_host_ok(s + skip, hn, 0) && memchr(s + skip, '@', n - skip) == NULL;
}

static bool add_base(struct ctx *c, struct service *svc, json_object *v, size_t si, size_t ui)
{
	char show[80];
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	size_t n = s ? (size_t)json_object_get_string_len(v) : 0;

	if (s == NULL || memchr(s, '\0', n) || !url_ok(s, n))
		return fail(c, "services[%zu][1][%zu]: %s is not an http(s) URL", si, ui,
			    shown(v, show, sizeof(show)));
	if (svc->nbases >= SW_RDAP_BASES_MAX)
		return true; /* more mirrors than we would ever try */
	char *copy = malloc(n + 2);
	if (copy == NULL)
		return fail(c, "out of memory");
	memcpy(copy, s, n);
	if (n == 0 || s[n - 1] != '/') /* RFC 9224 says it ends in '/'; not all do */
		copy[n++] = '/';
	copy[n] = '\0';
	/* https first, in the file's order otherwise */
	unsigned at = svc->nbases;
	if (strncasecmp(copy, "https://", 8) == 0)
		while (at > 0 && strncasecmp(svc->bases[at - 1], "https://", 8) != 0)
			at--;
	memmove(&svc->bases[at + 1], &svc->bases[at], (svc->nbases - at) * sizeof(char *));
	svc->bases[at] = copy;
	svc->nbases++;
	return true;
}

static bool parse_asn_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	char a[16], b[16];
	uint64_t x, y;
	const char *dash = strchr(s, '-');
	size_t an = dash ? (size_t)(dash - s) : strlen(s);

	if (an == 0 || an >= sizeof(a))
		return false;
	memcpy(a, s, an);
	a[an] = '\0';
	if (dash) {
		if (strlen(dash + 1) >= sizeof(b))
			return false;
		memcpy(b, dash + 1, strlen(dash + 1) + 1);
	} else {
		memcpy(b, a, an + 1);
	}
	if (!sw_parse_u64(a, 0, UINT32_MAX, &x) || !sw_parse_u64(b, 0, UINT32_MAX, &y) || x > y)
		return false;
	*lo = (uint32_t)x;
	*hi = (uint32_t)y;
	return true;
}

/* A domain label suffix: "com", "co.uk", "in-addr.arpa", "xn--p1ai". */
static bool parse_label(const char *s, size_t n, char **out)
{
	char buf[LABEL_MAX + 1];

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > LABEL_MAX || !sw_host_normal(s, n, 0, buf, sizeof(buf)))
		return false;
	*out = strdup(buf);
	return *out != NULL;
}

static bool add_entry(struct ctx *c, struct table *t, enum which w, json_object *v,
		      size_t si, size_t ei)
{
	char show[80];
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	size_t n = s ? (size_t)json_object_get_string_len(v) : 0;
	struct entry *e = &t->entries[t->nentries];

	memset(e, 0, sizeof(*e));
	e->service = (unsigned)si;
	bool ok = s != NULL && memchr(s, '\0', n) == NULL;
	switch (w) {
	case W_IPV4:
	case W_IPV6:
		ok = ok && sw_prefix_parse(s, &e->prefix) &&
		     e->prefix.addr.family == (w == W_IPV4 ? SW_AF_INET : SW_AF_INET6);
		break;
	case W_ASN:
		ok = ok && parse_asn_range(s, &e->lo, &e->hi);
		break;
	case W_DNS:
		ok = ok && parse_label(s, n, &e->label);
		break;
	case W_COUNT:
		ok = false;
		break;
	}
	if (!ok)
		return fail(c, "services[%zu][0][%zu]: %s is not %s", si, ei,
			    shown(v, show, sizeof(show)),
			    w == W_IPV4 ? "an IPv4 prefix" : w == W_IPV6 ? "an IPv6 prefix"
			    : w == W_ASN ? "an AS number range" : "a domain name");
	t->nentries++;
	return true;
}

/* ---- one file -------------------------------------------------------------- */

static bool load_services(struct ctx *c, struct table *t, enum which w, json_object *services)
{
	size_t ns = json_object_array_length(services), total = 0;

	if (ns > SERVICES_MAX)
		return fail(c, "more than %d services", SERVICES_MAX);
	for (size_t i = 0; i < ns; i++) {
		json_object *svc = elem(services, i);
		json_object *ents = elem(svc, 0);
		json_object *urls = elem(svc, 1);
		if (!json_object_is_type(svc, json_type_array) ||
		    !json_object_is_type(ents, json_type_array) ||
		    !json_object_is_type(urls, json_type_array))
			return fail(c, "services[%zu] is not [[entries], [URLs]]", i);
		total += json_object_array_length(ents);
	}
	if (total > ENTRIES_MAX)
		return fail(c, "more than %d entries", ENTRIES_MAX);
	t->services = calloc(ns ? ns : 1, sizeof(*t->services));
	t->entries = calloc(total ? total : 1, sizeof(*t->entries));
	if (t->services == NULL || t->entries == NULL)
		return fail(c, "out of memory");
	for (size_t i = 0; i < ns; i++) {
		json_object *svc = elem(services, i);
		json_object *ents = elem(svc, 0);
		json_object *urls = elem(svc, 1);
		t->nservices++;
		for (size_t u = 0; u < json_object_array_length(urls); u++)
			if (!add_base(c, &t->services[i], elem(urls, u), i, u))
				return false;
		if (t->services[i].nbases == 0)
			return fail(c, "services[%zu] has no URL", i);
		for (size_t e = 0; e < json_object_array_length(ents); e++)
			if (!add_entry(c, t, w, elem(ents, e), i, e))
				return false;
	}
	return true;
}

static bool load_table(struct ctx *c, struct table *t, enum which w, json_object *root)
{
	json_object *pub, *services;

	if (json_object_object_get_ex(root, "publication", &pub)) {
		const char *p = json_object_is_type(pub, json_type_string) ? json_object_get_string(pub) : NULL;
		if (p == NULL)
			return fail(c, "\"publication\" is not a string");
		sw_sanitize(t->published, sizeof(t->published), p, (size_t)json_object_get_string_len(pub));
	}
	if (!json_object_object_get_ex(root, "services", &services))
		return fail(c, "no \"services\"");
	if (!json_object_is_type(services, json_type_array))
		return fail(c, "\"services\" is not an array");
	if (!load_services(c, t, w, services))
		return false;
	t->present = true;
	return true;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nservices; i++)
		for (unsigned k = 0; k < t->services[i].nbases; k++)
			free(t->services[i].bases[k]);
	for (size_t i = 0; i < t->nentries; i++)
		free(t->entries[i].label);
	free(t->services);
	free(t->entries);
	memset(t, 0, sizeof(*t));
}

/* ---- the API ------------------------------------------------------------------ */

struct sw_rdap_bootstrap *sw_rdap_bootstrap_load(const char *dir, char *err, size_t errlen)
{
	struct sw_rdap_bootstrap *b = calloc(1, sizeof(*b));
	char path[4096];

	if (err && errlen)
		err[0] = '\0';
	if (b == NULL) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int w = 0; w < W_COUNT; w++) {
		struct ctx c = { path, err, errlen };
		size_t len;
		bool missing;
		if (!sw_fmt(path, sizeof(path), "%s/%s", dir ? dir : ".", files[w].file)) {
			fail(&c, "path too long");
			goto bad;
		}
		char *text = read_file(&c, path, &len, &missing);
		if (text == NULL) {
			if (missing && !files[w].required) {
				if (err && errlen)
					err[0] = '\0';
				continue;
			}
			goto bad;
		}
		json_object *root = parse(&c, text, len);
		free(text);
		if (root == NULL)
			goto bad;
		bool ok = load_table(&c, &b->t[w], (enum which)w, root);
		json_object_put(root);
		if (!ok)
			goto bad;
	}
	return b;
bad:
	sw_rdap_bootstrap_free(b);
	return NULL;
}

void sw_rdap_bootstrap_free(struct sw_rdap_bootstrap *b)
{
	if (b == NULL)
		return;
	for (int w = 0; w < W_COUNT; w++)
		table_free(&b->t[w]);
	free(b);
}

static unsigned bases_of(const struct table *t, long service, const char *bases[SW_RDAP_BASES_MAX])
{
	if (service < 0)
		return 0;
	const struct service *s = &t->services[service];
	for (unsigned i = 0; i < s->nbases; i++)
		bases[i] = s->bases[i];
	return s->nbases;
}

unsigned sw_rdap_bootstrap_ip(const struct sw_rdap_bootstrap *b, const struct sw_addr *a,
			      const char *bases[SW_RDAP_BASES_MAX])
{
	struct sw_addr v4;

	if (b == NULL || a == NULL)
		return 0;
	if (sw_addr_unmap4(a, &v4)) /* ::ffff:192.0.2.1 is 192.0.2.1 */
		a = &v4;
	const struct table *t = &b->t[a->family == SW_AF_INET ? W_IPV4 : W_IPV6];
	long best = -1;
	int best_len = -1;
	if (a->family != SW_AF_INET && a->family != SW_AF_INET6)
		return 0;
	for (size_t i = 0; i < t->nentries; i++)
		if (t->entries[i].prefix.len > best_len && sw_prefix_contains(&t->entries[i].prefix, a)) {
			best = (long)t->entries[i].service;
			best_len = t->entries[i].prefix.len;
		}
	return bases_of(t, best, bases);
}

unsigned sw_rdap_bootstrap_domain(const struct sw_rdap_bootstrap *b, const char *domain,
				  const char *bases[SW_RDAP_BASES_MAX])
{
	char name[LABEL_MAX + 1];

	if (b == NULL || domain == NULL)
		return 0;
	size_t n = strlen(domain);
	if (n > 0 && domain[n - 1] == '.')
		n--;
	if (n == 0 || n > LABEL_MAX || !sw_host_normal(domain, n, SW_HOST_UNDERSCORE, name, sizeof(name)))
		return 0;
	const struct table *t = &b->t[W_DNS];
	/* the whole name, then without its first label, and so on */
	for (const char *suffix = name; suffix != NULL;) {
		for (size_t i = 0; i < t->nentries; i++)
			if (strcmp(t->entries[i].label, suffix) == 0)
				return bases_of(t, (long)t->entries[i].service, bases);
		suffix = strchr(suffix, '.');
		if (suffix)
			suffix++;
	}
	return 0;
}

unsigned sw_rdap_bootstrap_asn(const struct sw_rdap_bootstrap *b, uint32_t asn,
			       const char *bases[SW_RDAP_BASES_MAX])
{
	if (b == NULL)
		return 0;
	const struct table *t = &b->t[W_ASN];
	long best = -1;
	uint64_t best_size = UINT64_MAX;
	for (size_t i = 0; i < t->nentries; i++) {
		const struct entry *e = &t->entries[i];
		uint64_t size = (uint64_t)e->hi - e->lo;
		if (asn >= e->lo && asn <= e->hi && size < best_size) {
			best = (long)e->service;
			best_size = size;
		}
	}
	return bases_of(t, best, bases);
}

const char *sw_rdap_bootstrap_published(const struct sw_rdap_bootstrap *b, const char *which)
{
	if (b == NULL || which == NULL)
		return "";
	for (int w = 0; w < W_COUNT; w++)
		if (strcmp(which, files[w].name) == 0)
			return b->t[w].present ? b->t[w].published : "";
	return "";
}
