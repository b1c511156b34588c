/*
 * whois_hosts.c - where a whois server is reached: "HOST[:PORT]" names
 * (a host name, an IPv6 literal, a port) and the --whois-hosts map from
 * the registry host names that referrals use to the HOST:PORT that
 * answers for them (the tests' loopback servers, a local mirror).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "hostname.h"
#include "util.h"
#include "whois_hosts.h"

#define HOSTLEN SW_WHOIS_HOSTLEN

/* ---- HOST[:PORT] ------------------------------------------------------ */

/* An IPv6 literal as given (inside [] or bare), in lower case. */
static bool ipv6_literal(const char *s, char host[HOSTLEN])
{
	struct sw_addr a;
	size_t n = strlen(s);

	if (n >= HOSTLEN || !sw_addr_parse(s, &a) || a.family != SW_AF_INET6)
		return false;
	for (size_t i = 0; i <= n; i++)
		host[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	return true;
}

bool sw_whois_hostport_parse(const char *s, char host[HOSTLEN], uint16_t *port,
			     uint16_t def_port, const char **why)
{
	char h[HOSTLEN];

	if (!sw_split_hostport(s, h, sizeof(h), port, def_port, why))
		return false;
	if (strchr(h, ':')) {
		if (!ipv6_literal(h, host)) {
			*why = "bad IPv6 literal";
			return false;
		}
		return true;
	}
	if (!sw_host_normal(h, strlen(h), SW_HOST_UNDERSCORE, host, HOSTLEN)) {
		*why = "bad host name";
		return false;
	}
	return true;
}

void sw_whois_server_text(char *out, size_t len, const char *host, uint16_t port)
{
	if (port == SW_WHOIS_PORT)
		sw_fmt(out, len, "%s", host);
	else if (strchr(host, ':'))
		sw_fmt(out, len, "[%s]:%u", host, (unsigned)port);
	else
		sw_fmt(out, len, "%s:%u", host, (unsigned)port);
}

/* ---- the hosts map ---------------------------------------------------- */

static int hosts_error(char *err, size_t errlen, const char *file, unsigned line,
		       const char *why)
{
	char f[256];

	sw_sanitize(f, sizeof(f), file, (size_t)-1);
	sw_fmt(err, errlen, "%s:%u: %s", f, line, why);
	return -1;
}

static int hosts_add(struct sw_whois_hosts *m, const char *name, const char *target,
		     const char *file, unsigned line, char *err, size_t errlen)
{
	struct sw_whois_host_entry e, *grown;
	const char *why = NULL;

	memset(&e, 0, sizeof(e));
	if (!sw_whois_hostport_parse(name, e.name, &e.name_port, 0, &why))
		return hosts_error(err, errlen, file, line, "bad registry host name");
	if (!sw_whois_hostport_parse(target, e.host, &e.port, SW_WHOIS_PORT, &why))
		return hosts_error(err, errlen, file, line, why);
	grown = realloc(m->e, (m->n + 1) * sizeof(*m->e));
	if (!grown)
		return hosts_error(err, errlen, file, line, "out of memory");
	m->e = grown;
	m->e[m->n++] = e;
	return 0;
}

int sw_whois_hosts_load(struct sw_whois_hosts *m, const char *file, char *err, size_t errlen)
{
	char line[1024];
	unsigned lineno = 0;
	FILE *fp = fopen(file, "r");
	int rc = 0;

	if (!fp) {
		char f[256];
		sw_sanitize(f, sizeof(f), file, (size_t)-1);
		sw_fmt(err, errlen, "%s: %s", f, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp)) {
		char *tok[3], *save = NULL, *hash;
		size_t n = strlen(line);
		int ntok = 0;

		lineno++;
		if (n == sizeof(line) - 1 && line[n - 1] != '\n' && !feof(fp)) {
			rc = hosts_error(err, errlen, file, lineno, "line too long");
			break;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		for (char *t = strtok_r(line, " \t\r\n", &save); t && ntok < 3;
		     t = strtok_r(NULL, " \t\r\n", &save))
			tok[ntok++] = t;
		if (ntok == 0)
			continue;
		if (ntok != 2)
			rc = hosts_error(err, errlen, file, lineno,
					 "expected 'REGISTRY-HOST HOST:PORT'");
		else
			rc = hosts_add(m, tok[0], tok[1], file, lineno, err, errlen);
	}
	if (rc == 0 && ferror(fp)) {
		rc = hosts_error(err, errlen, file, lineno, "read error");
	}
	fclose(fp);
	return rc;
}

void sw_whois_hosts_map(const struct sw_whois_hosts *m, const char *host, uint16_t port,
			char out[HOSTLEN], uint16_t *out_port)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < m->n; i++) {
			const struct sw_whois_host_entry *e = &m->e[i];
			if (strcmp(e->name, host) != 0)
				continue;
			if (pass == 0 ? e->name_port != port : e->name_port != 0)
				continue;
			memcpy(out, e->host, HOSTLEN);
			*out_port = e->port;
			return;
		}
	}
	sw_fmt(out, HOSTLEN, "%s", host);
	*out_port = port;
}

bool sw_whois_hosts_names(const struct sw_whois_hosts *m, const char *host, uint16_t port)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->e[i].name, host) == 0 &&
		    (m->e[i].name_port == 0 || m->e[i].name_port == port))
			return true;
	return false;
}

void sw_whois_hosts_free(struct sw_whois_hosts *m)
{
	free(m->e);
	m->e = NULL;
	m->n = 0;
}
