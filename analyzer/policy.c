/*
 * policy.c - severity, reasons and reportability of an incident (see
 * policy.h). Severity runs 1..5: the worst kind sets the base, scale,
 * recurrence and a suspected compromise each raise it by one.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "util.h"

struct kind_rule {
	const char *kind;
	int base;
};

static const struct kind_rule rules[] = {
	{ "port_probe", 1 }, { "ping_sweep", 2 },
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
		if (strcmp(d->kind, "port_probe") != 0)
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
	if (spoofed) {
		inc->reportable = 0;
		append(inc->reasons, sizeof inc->reasons,
		       "spoofed or many sources: nobody to write to");
	} else if (!inc->reportable) {
		append(inc->reasons, sizeof inc->reasons,
		       "a lone probe of a public service: not worth a memo");
	}
}
