/*
 * policy.c - severity, reasons and reportability of an incident (see
 * policy.h). Severity runs 1..5: the worst kind sets the base, scale,
 * recurrence and a suspected compromise each raise it by one.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "policy.h"
#include "util.h"

struct kind_rule {
	const char *kind;
	int base;
};

static const struct kind_rule rules[] = {
	{ "traceroute", 1 }, { "port_probe", 1 }, { "ping_sweep", 2 },
	{ "port_scan", 3 }, { "host_sweep", 3 }, { "stealth_scan", 3 }, { "udp_scan", 3 },
	{ "block_scan", 4 }, { "login_attempts", 4 }, { "distributed_scan", 4 },
	{ "syn_flood", 4 }, { "udp_flood", 4 }, { "icmp_flood", 4 },
};

void sw_policy_defaults(struct sw_policy *p)
{
	memset(p, 0, sizeof *p);
	sw_port_add(&p->innocent_ports, 25);
	sw_port_add(&p->innocent_ports, 80);
	sw_port_add(&p->innocent_ports, 443);
}

#define K(name, type, field, lo, hi, help) \
	{ "analyzer", name, type, offsetof(struct sw_analyzer_conf, field), \
	  sizeof(((struct sw_analyzer_conf *)0)->field), lo, hi, 0, help }

static const struct sw_cfg_key analyzer_keys[] = {
	K("gap_hours", SW_CFG_UINT, gap_hours, 1, 8760,
	  "detections of a source further apart than this start a new incident"),
	K("prefix4", SW_CFG_UINT, prefix4, 8, 32, "IPv4 netblock length when whois has none"),
	K("prefix6", SW_CFG_UINT, prefix6, 16, 128, "IPv6 netblock length when whois has none"),
	K("innocent_ports", SW_CFG_PORTS, innocent_ports, 0, 0,
	  "a lone probe of these services is not worth a memo (the article: SMTP, HTTP)"),
	K("tz", SW_CFG_STRING, tz, 0, 0, "zone of log stamps written without one, e.g. Europe/Berlin"),
	K("year", SW_CFG_UINT, year, 0, 9999, "year of RFC 3164 log stamps; 0: the file's mtime"),
};

void sw_analyzer_conf_defaults(struct sw_analyzer_conf *c)
{
	struct sw_policy p;

	memset(c, 0, sizeof *c);
	c->gap_hours = 24;
	c->prefix4 = 24;
	c->prefix6 = 48;
	sw_policy_defaults(&p);
	c->innocent_ports = p.innocent_ports;
}

int sw_analyzer_conf_load(struct sw_analyzer_conf *c, const char *path, char *err, size_t errlen)
{
	return sw_config_load(path, analyzer_keys, SW_ARRAY_LEN(analyzer_keys), c, NULL, err,
	                      errlen);
}

static int kind_base(const char *kind)
{
	for (size_t i = 0; i < SW_ARRAY_LEN(rules); i++)
		if (strcmp(rules[i].kind, kind) == 0)
			return rules[i].base;
	return 1;
}

static void append(char *buf, size_t len, const char *text)
{
	size_t used = strlen(buf);

	if (used + 2 < len)
		snprintf(buf + used, len - used, "%s%s", used ? "; " : "", text);
}

static void port_text(char *buf, size_t len, const struct sw_adet *d)
{
	const char *svc = sw_port_name(d->port);

	if (!d->port)
		snprintf(buf, len, "%s", d->proto);
	else if (svc)
		snprintf(buf, len, "%u/%s (%s)", d->port, d->proto, svc);
	else
		snprintf(buf, len, "%u/%s", d->port, d->proto);
}

/* One detection in plain words, as a memo would say it. */
static void describe(const struct sw_adet *d, char *buf, size_t len)
{
	char port[48];

	port_text(port, sizeof port, d);
	if (!strcmp(d->kind, "host_sweep"))
		sw_fmt(buf, len, "sweep of %u hosts on %s", d->targets, port);
	else if (!strcmp(d->kind, "port_scan"))
		sw_fmt(buf, len, "scan of %u %s ports of %s", d->ports, d->proto,
		       d->target[0] ? d->target : "one host");
	else if (!strcmp(d->kind, "block_scan"))
		sw_fmt(buf, len, "scan of %u ports on %u hosts", d->ports, d->targets);
	else if (!strcmp(d->kind, "stealth_scan"))
		sw_fmt(buf, len, "stealth (%s) scan of %u ports on %u hosts", d->variant, d->ports,
		       d->targets);
	else if (!strcmp(d->kind, "udp_scan"))
		sw_fmt(buf, len, "UDP scan of %u ports on %u hosts", d->ports, d->targets);
	else if (!strcmp(d->kind, "ping_sweep"))
		sw_fmt(buf, len, "ping sweep of %u hosts", d->targets);
	else if (!strcmp(d->kind, "login_attempts"))
		sw_fmt(buf, len, "%llu login attempts on %s of %s", (unsigned long long)d->packets,
		       port, d->target[0] ? d->target : "one host");
	else if (strstr(d->kind, "_flood"))
		sw_fmt(buf, len, "%s of %s (%llu packets)", d->kind, d->target[0] ? d->target : "a host",
		       (unsigned long long)d->packets);
	else if (!strcmp(d->kind, "port_probe"))
		sw_fmt(buf, len, "probe of %s", port);
	else if (!strcmp(d->kind, "traceroute"))
		sw_fmt(buf, len, "traceroute (%s) to %u host%s", d->variant[0] ? d->variant : "udp",
		       d->targets, d->targets == 1 ? "" : "s");
	else
		sw_fmt(buf, len, "%s", d->kind);
}

/* 0.0.0.0 or :: : the sensor's mark of a flood from spoofed sources (a
 * host name from a log line that did not resolve is not one) */
static bool unspecified(const struct sw_adet *d)
{
	if (d->family != 4 && d->family != 6)
		return false;
	for (int i = 0; i < 16; i++)
		if (d->bin[i])
			return false;
	return true;
}

void sw_policy_judge(const struct sw_policy *p, struct sw_incident *inc,
                     const struct sw_adet *const *dets, size_t n)
{
	int base = 0;
	bool only_probes = true, innocent = true, spoofed = false;
	size_t traces = 0;
	char line[200];

	inc->reasons[0] = '\0';
	inc->compromised = 0;
	inc->compromise_reason[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct sw_adet *d = dets[i];
		int b = kind_base(d->kind);

		if (!strcmp(d->kind, "port_probe") && d->port && !sw_port_in(&p->innocent_ports, d->port))
			b = 2; /* an FTP, SSH, telnet, RPC or SMB probe matters */
		if (b > base)
			base = b;
		if (!strcmp(d->kind, "traceroute"))
			traces++; /* a path measurement: it neither makes nor spoils a memo */
		else if (strcmp(d->kind, "port_probe") != 0)
			only_probes = false;
		else if (!d->port || !sw_port_in(&p->innocent_ports, d->port))
			innocent = false;
		if (unspecified(d))
			spoofed = true;
		/* say each kind once: the first detection of it */
		bool said = false;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(dets[j]->kind, d->kind))
				said = true;
		if (!said) {
			describe(d, line, sizeof line);
			append(inc->reasons, sizeof inc->reasons, line);
		}
		if (d->outbound && !inc->compromised) {
			inc->compromised = 1;
			sw_fmt(inc->compromise_reason, sizeof inc->compromise_reason,
			       "a home host acting outward (%s)", d->kind);
		}
		if (d->sessions_after && !inc->compromised) {
			inc->compromised = 1;
			sw_fmt(inc->compromise_reason, sizeof inc->compromise_reason,
			       "after the scan, %u session%s with payload to ports it had found open",
			       d->sessions_after, d->sessions_after == 1 ? "" : "s");
		}
	}
	if (!strcmp(inc->level, "netblock"))
		base = base < 4 ? 4 : base;

	inc->severity = base;
	if (inc->targets >= 100 || inc->ports >= 1000) {
		inc->severity++;
		append(inc->reasons, sizeof inc->reasons, "network scale");
	}
	if (inc->days >= 2) {
		sw_fmt(line, sizeof line, "seen on %u days", inc->days);
		append(inc->reasons, sizeof inc->reasons, line);
		inc->severity += inc->days >= 7 ? 2 : 1;
	}
	if (inc->compromised) {
		inc->severity++;
		append(inc->reasons, sizeof inc->reasons, inc->compromise_reason);
	}
	if (inc->severity > 5)
		inc->severity = 5;
	if (inc->severity < 1)
		inc->severity = 1;

	/* the article's threshold of what is worth a memo */
	inc->reportable = !(only_probes && innocent);
	if (n && traces == n) {
		inc->reportable = 0;
		append(inc->reasons, sizeof inc->reasons,
		       "traceroute: measuring the path to us is not an attack");
	} else if (spoofed) {
		inc->reportable = 0;
		append(inc->reasons, sizeof inc->reasons,
		       "spoofed or many sources: nobody to write to");
	} else if (!inc->reportable) {
		append(inc->reasons, sizeof inc->reasons,
		       "a lone probe of a public service: not worth a memo");
	}
}
