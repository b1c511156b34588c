/*
 * netset.c - prefix lists, port sets, their text forms and the service
 * name table (see netset.h).
 *
 * Lists are written by people in configuration files and on command lines,
 * so the parsers are lenient about separators (commas, blanks, both) and
 * strict about items: one bad item fails the whole list, and the reason
 * quotes it so the person can find it.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "netset.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Longest item we look at; anything longer is quoted cut short and fails.
 * A host name may be longer (HOST_ITEM_MAX). */
#define ITEM_MAX 64
#define HOST_ITEM_MAX SW_HOSTNAME_LEN

struct service {
	const char *name;
	uint16_t port;
};

/* IANA names first (sw_port_name() returns the first name of a port),
 * then the aliases people actually type. Authentication services and the
 * usual scan targets; not a copy of /etc/services, which may be absent and
 * must not change what a configuration means from one host to the next. */
static const struct service services[] = {
	{ "ftp-data", 20 }, { "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 },
	{ "smtp", 25 }, { "domain", 53 }, { "dhcp", 67 }, { "tftp", 69 },
	{ "http", 80 }, { "kerberos", 88 }, { "pop3", 110 }, { "sunrpc", 111 },
	{ "ntp", 123 }, { "msrpc", 135 }, { "netbios-ns", 137 },
	{ "netbios-ssn", 139 }, { "imap", 143 }, { "snmp", 161 }, { "imap3", 220 }, { "ldap", 389 }, { "https", 443 },
	{ "microsoft-ds", 445 }, { "isakmp", 500 }, { "syslog", 514 }, { "submission", 587 }, { "ldaps", 636 },
	{ "imaps", 993 }, { "pop3s", 995 }, { "socks", 1080 },
	{ "ms-sql-s", 1433 }, { "oracle", 1521 }, { "ssdp", 1900 }, { "nfs", 2049 },
	{ "mysql", 3306 }, { "ms-wbt-server", 3389 }, { "sip", 5060 },
	{ "postgresql", 5432 }, { "vnc", 5900 }, { "redis", 6379 },
	{ "http-alt", 8080 }, { "https-alt", 8443 },
	/* aliases */
	{ "dns", 53 }, { "www", 80 }, { "pop", 110 }, { "smb", 445 },
	{ "mssql", 1433 }, { "rdp", 3389 }, { "postgres", 5432 },
};

int sw_port_lookup(const char *name)
{
	for (size_t i = 0; i < SW_ARRAY_LEN(services); i++)
		if (strcasecmp(services[i].name, name) == 0)
			return services[i].port;
	return -1;
}

const char *sw_port_name(uint16_t port)
{
	for (size_t i = 0; i < SW_ARRAY_LEN(services); i++)
		if (services[i].port == port)
			return services[i].name;
	return NULL;
}

const char *sw_proto_name(uint8_t proto)
{
	switch (proto) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmp6";
	default: return NULL;
	}
}

bool sw_prefix_list_contains(const struct sw_prefix_list *l, const struct sw_addr *a)
{
	for (unsigned i = 0; i < l->n && i < SW_MAX_PREFIXES; i++)
		if (sw_prefix_contains(&l->p[i], a))
			return true;
	return false;
}

/* ---- splitting ------------------------------------------------------------ */

static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

/*
 * Next item of a list into item (NUL-terminated, cut at cap - 1); *p
 * advances past it. Returns the item's full length, 0 at the end.
 */
static size_t next_item_in(const char **p, char *item, size_t cap)
{
	const char *s = *p;
	size_t n;

	while (*s && is_sep(*s))
		s++;
	for (n = 0; s[n] && !is_sep(s[n]); n++)
		;
	memcpy(item, s, n < cap ? n : cap - 1);
	item[n < cap ? n : cap - 1] = '\0';
	*p = s + n;
	return n;
}

static size_t next_item(const char **p, char item[ITEM_MAX])
{
	return next_item_in(p, item, ITEM_MAX);
}

/* why = "<what> \"<item>\"<tail>", the item escaped and marked if cut. */
static bool fail_item_cap(char *why, size_t whylen, const char *what,
			  const char *item, size_t full, size_t cap, const char *tail)
{
	char safe[HOST_ITEM_MAX * 4];

	sw_sanitize(safe, sizeof(safe), item, (size_t)-1);
	if (why && whylen)
		snprintf(why, whylen, "%s \"%s%s\"%s", what, safe,
			 full >= cap ? "..." : "", tail);
	return false;
}

static bool fail_item(char *why, size_t whylen, const char *what,
		      const char *item, size_t full, const char *tail)
{
	return fail_item_cap(why, whylen, what, item, full, ITEM_MAX, tail);
}

/* ---- prefixes ------------------------------------------------------------- */

bool sw_prefix_list_parse(const char *text, struct sw_prefix_list *l,
			  char *why, size_t whylen)
{
	char item[ITEM_MAX];
	size_t full;

	while ((full = next_item(&text, item)) > 0) {
		struct sw_prefix p;

		if (full >= ITEM_MAX || !sw_prefix_parse(item, &p))
			return fail_item(why, whylen, "bad prefix", item, full,
					 " (want an address or address/length, host bits zero)");
		if (l->n >= SW_MAX_PREFIXES) {
			if (why && whylen)
				snprintf(why, whylen, "more than %d prefixes",
					 SW_MAX_PREFIXES);
			return false;
		}
		l->p[l->n++] = p;
	}
	return true;
}

/* ---- hosts: addresses, prefixes and names ---------------------------------- */

/* A DNS name as RFC 1123 writes host names: labels of letters, digits and
 * inner hyphens, 1 to 63 long, dot-separated, an optional final dot; the
 * last label not all digits (that would be a mistyped address). */
bool sw_hostname_ok(const char *name)
{
	size_t len = strlen(name), label = 0;
	bool digits_only = true;

	if (len == 0 || len >= SW_HOSTNAME_LEN || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return false;
			if (i + 1 < len) {
				label = 0;
				digits_only = true;
			}
			continue;
		}
		if (c == '-') {
			if (label == 0)
				return false;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9'))) {
			return false;
		}
		if (!(c >= '0' && c <= '9'))
			digits_only = false;
		if (++label > 63)
			return false;
	}
	return name[len - 1] != '-' && !digits_only;
}

bool sw_host_list_parse(const char *text, struct sw_host_list *l, char *why, size_t whylen)
{
	char item[HOST_ITEM_MAX];
	size_t full;

	while ((full = next_item_in(&text, item, sizeof(item))) > 0) {
		struct sw_prefix p;

		if (full < ITEM_MAX && sw_prefix_parse(item, &p)) {
			if (l->prefixes.n >= SW_MAX_PREFIXES) {
				if (why && whylen)
					snprintf(why, whylen, "more than %d addresses and prefixes",
						 SW_MAX_PREFIXES);
				return false;
			}
			l->prefixes.p[l->prefixes.n++] = p;
			continue;
		}
		/* "10.0.0.1/8" or "2001:db8::1" typos are not names either */
		if (full >= HOST_ITEM_MAX || !sw_hostname_ok(item))
			return fail_item_cap(why, whylen, "bad host", item, full, HOST_ITEM_MAX,
					     " (want an address, address/length with host bits zero, "
					     "or a host name)");
		if (l->nnames >= SW_MAX_HOSTNAMES) {
			if (why && whylen)
				snprintf(why, whylen, "more than %d host names", SW_MAX_HOSTNAMES);
			return false;
		}
		memcpy(l->names[l->nnames++], item, full + 1);
	}
	return true;
}

/* ---- ports ---------------------------------------------------------------- */

/* "22" into *port; false on anything that is not a whole port number. */
static bool parse_port(const char *s, uint16_t *port)
{
	uint64_t v;

	if (!sw_parse_u64(s, 0, 65535, &v))
		return false;
	*port = (uint16_t)v;
	return true;
}

/* One item: "22", "1-1024" or "ssh" into [*lo, *hi]. */
static bool parse_port_item(char *item, uint16_t *lo, uint16_t *hi)
{
	char *dash;
	int named;

	if (*item < '0' || *item > '9') {
		/* names may hold dashes ("ms-sql-s"), so they are never ranges */
		named = sw_port_lookup(item);
		if (named < 0)
			return false;
		*lo = *hi = (uint16_t)named;
		return true;
	}
	dash = strchr(item, '-');
	if (!dash) {
		if (!parse_port(item, lo))
			return false;
		*hi = *lo;
		return true;
	}
	*dash = '\0';
	return parse_port(item, lo) && parse_port(dash + 1, hi) && *lo <= *hi;
}

bool sw_port_set_parse(const char *text, struct sw_port_set *s,
		       char *why, size_t whylen)
{
	char item[ITEM_MAX], orig[ITEM_MAX];
	size_t full;

	while ((full = next_item(&text, item)) > 0) {
		uint16_t lo, hi;

		memcpy(orig, item, sizeof(orig));  /* parsing cuts ranges at '-' */
		if (full >= ITEM_MAX || !parse_port_item(item, &lo, &hi))
			return fail_item(why, whylen, "bad port", orig, full,
					 " (want 0-65535, a range low-high or a service name)");
		for (uint32_t p = lo; p <= hi; p++)
			sw_port_add(s, (uint16_t)p);
	}
	return true;
}

/* ---- text forms ----------------------------------------------------------- */

/* Append to buf at *off; false once it no longer fits (buf stays terminated). */
static bool append(char *buf, size_t len, size_t *off, const char *s)
{
	size_t n = strlen(s);

	if (*off + n >= len)
		return false;
	memcpy(buf + *off, s, n + 1);
	*off += n;
	return true;
}

bool sw_prefix_list_format(const struct sw_prefix_list *l, char *buf, size_t len)
{
	char one[SW_ADDR_STRLEN];
	size_t off = 0;

	if (len == 0)
		return false;
	buf[0] = '\0';
	for (unsigned i = 0; i < l->n && i < SW_MAX_PREFIXES; i++) {
		sw_prefix_format(&l->p[i], one, sizeof(one));
		if ((i && !append(buf, len, &off, ", ")) || !append(buf, len, &off, one))
			return false;
	}
	return true;
}

bool sw_host_list_format(const struct sw_host_list *l, char *buf, size_t len)
{
	size_t off;

	if (!sw_prefix_list_format(&l->prefixes, buf, len))
		return false;
	off = strlen(buf);
	for (unsigned i = 0; i < l->nnames && i < SW_MAX_HOSTNAMES; i++)
		if ((off && !append(buf, len, &off, ", ")) || !append(buf, len, &off, l->names[i]))
			return false;
	return true;
}

bool sw_port_set_format(const struct sw_port_set *s, char *buf, size_t len)
{
	char one[16];
	size_t off = 0;
	bool first = true;

	if (len == 0)
		return false;
	buf[0] = '\0';
	for (uint32_t p = 0; p < 65536; p++) {
		uint32_t end = p;

		if (!sw_port_in(s, (uint16_t)p))
			continue;
		while (end + 1 < 65536 && sw_port_in(s, (uint16_t)(end + 1)))
			end++;
		/* two neighbours read better as a pair than as a range */
		if (end == p + 1)
			end = p;
		if (end > p)
			snprintf(one, sizeof(one), "%s%u-%u", first ? "" : ", ", p, end);
		else
			snprintf(one, sizeof(one), "%s%u", first ? "" : ", ", p);
		if (!append(buf, len, &off, one))
			return false;
		first = false;
		p = end;
	}
	return true;
}
