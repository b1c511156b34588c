/*
 * cymru.c - the IP-to-ASN whois service's query and answer (see cymru.h):
 * one line per origin AS, seven '|'-separated fields; every field checked
 * (the AS number, the address, the prefix that must cover it, the country,
 * the registry, the date), the AS name made printable. Bounded: 64 lines,
 * 512 bytes each, read at most.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "cymru.h"
#include "util.h"
#include "whois_parse.h"

#define CYMRU_MAX_LINES 64
#define CYMRU_MAX_LINE 512
#define CYMRU_FIELDS 7

void sw_cymru_query(const struct sw_addr *a, char *out, size_t outlen)
{
	char text[SW_ADDR_STRLEN];

	sw_addr_format(a, text, sizeof text);
	sw_fmt(out, outlen, " -v %s", text);
}

bool sw_cymru_is_query(const char *query)
{
	struct sw_addr a;

	return query != NULL && strncmp(query, " -v ", 4) == 0 && sw_addr_parse(query + 4, &a);
}

const char *sw_cymru_rpsl_server(const char *registry)
{
	if (registry == NULL)
		return NULL;
	if (!strcmp(registry, "ripencc"))
		return "whois.ripe.net";
	if (!strcmp(registry, "apnic"))
		return "whois.apnic.net";
	if (!strcmp(registry, "afrinic"))
		return "whois.afrinic.net";
	return NULL;
}

/* Field f of a line, without its padding: [*s, *s + *n). */
struct field {
	const char *s;
	size_t n;
};

static size_t split(const char *line, size_t n, struct field f[CYMRU_FIELDS])
{
	size_t nf = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && line[i] != '|')
			continue;
		if (nf == CYMRU_FIELDS)
			return CYMRU_FIELDS + 1; /* too many: not this format */
		size_t a = start, b = i;
		while (a < b && (line[a] == ' ' || line[a] == '\t'))
			a++;
		while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\r'))
			b--;
		f[nf].s = line + a;
		f[nf].n = b - a;
		nf++;
		start = i + 1;
	}
	return nf;
}

/* The field as a C string in buf (cap bytes); false when it does not fit. */
static bool field_str(const struct field *f, char *buf, size_t cap)
{
	if (f->n + 1 > cap)
		return false;
	memcpy(buf, f->s, f->n);
	buf[f->n] = '\0';
	return true;
}

/* "23028" (or "AS23028"): 1..4294967295, nothing else. */
static bool field_asn(const struct field *f, uint32_t *asn)
{
	char buf[16];

	if (f->n >= 2 && (f->s[0] == 'A' || f->s[0] == 'a') && (f->s[1] == 'S' || f->s[1] == 's'))
		return sw_whois_parse_asn(f->s, f->n, asn);
	if (f->n < 1 || f->n > 10 || !field_str(f, buf, sizeof buf))
		return false;
	memmove(buf + 2, buf, f->n + 1);
	buf[0] = 'A';
	buf[1] = 'S';
	return sw_whois_parse_asn(buf, f->n + 2, asn);
}

static bool all(const struct field *f, int (*is)(int))
{
	for (size_t i = 0; i < f->n; i++)
		if (!is((unsigned char)f->s[i]))
			return false;
	return true;
}

static bool date_ok(const struct field *f)
{
	static const char shape[] = "dddd-dd-dd";

	if (f->n != 10)
		return false;
	for (size_t i = 0; i < 10; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)f->s[i]) : f->s[i] != '-')
			return false;
	return true;
}

/* One answer line into c; false when it is not a valid line about a. */
static bool parse_line(const char *line, size_t n, const struct sw_addr *a, struct sw_cymru *c)
{
	struct field f[CYMRU_FIELDS];
	char buf[SW_ADDR_STRLEN + 8];
	struct sw_addr ip;

	memset(c, 0, sizeof *c);
	if (split(line, n, f) != CYMRU_FIELDS || !field_asn(&f[0], &c->asn))
		return false;
	if (!field_str(&f[1], buf, sizeof buf) || !sw_addr_parse(buf, &ip) || !sw_addr_eq(&ip, a))
		return false;
	if (!field_str(&f[2], buf, sizeof buf) || !strchr(buf, '/') ||
	    !sw_prefix_parse(buf, &c->prefix) || c->prefix.addr.family != a->family ||
	    !sw_prefix_contains(&c->prefix, a))
		return false;
	if (f[3].n == 2 && all(&f[3], isalpha)) {
		c->cc[0] = (char)toupper((unsigned char)f[3].s[0]);
		c->cc[1] = (char)toupper((unsigned char)f[3].s[1]);
	}
	if (f[4].n > 0 && f[4].n < sizeof c->registry && all(&f[4], isalpha))
		for (size_t i = 0; i < f[4].n; i++)
			c->registry[i] = (char)tolower((unsigned char)f[4].s[i]);
	if (date_ok(&f[5]))
		field_str(&f[5], c->allocated, sizeof c->allocated);
	sw_sanitize(c->as_name, sizeof c->as_name, f[6].s, f[6].n);
	return true;
}

bool sw_cymru_parse(const char *text, size_t len, const struct sw_addr *a,
		    struct sw_cymru *out)
{
	struct sw_cymru c;
	size_t pos = 0;
	bool found = false;

	if (text == NULL || a == NULL || (a->family != SW_AF_INET && a->family != SW_AF_INET6))
		return false;
	memset(out, 0, sizeof *out);
	for (unsigned lines = 0; pos < len && lines < CYMRU_MAX_LINES; lines++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		if (n <= CYMRU_MAX_LINE && memchr(text + pos, '\0', n) == NULL &&
		    parse_line(text + pos, n, a, &c) &&
		    (!found || c.prefix.len > out->prefix.len)) {
			*out = c;
			found = true;
		}
		pos = end + 1;
	}
	return found;
}
