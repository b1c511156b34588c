/*
 * policy.c - severity, reasons and reportability of an incident (see
 * policy.h). Severity runs 1..5: the worst kind sets the base; scale,
 * recurrence, evasion (tiny fragments, decoys) and a suspected compromise
 * each raise it by one.
 *
 * Reportability is decided per detection first: each detection either
 * is evidence, or has a reason not to be (discount()). An incident is
 * worth a memo when one of its evidence detections is more than a lone
 * probe of a public service, and no reason of the whole incident
 * (allowlisted, spoofed) stands against it. Every "no" says why.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

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
	else if (strstr(d->kind, "_flood") && d->targets > 1) /* spread over a prefix */
		sw_fmt(buf, len, "%s of %u hosts (%llu packets)", d->kind, d->targets,
		       (unsigned long long)d->packets);
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

int sw_decoy_real(const struct sw_decoy_member *members, size_t n)
{
	int real = -1;

	for (size_t i = 0; i < n; i++) {
		if (members[i].resets > 0) {
			if (real >= 0)
				return -1; /* two members reset: two real hosts, or none */
			real = (int)i;
		} else if (members[i].silent == 0) {
			return -1; /* got no SYN-ACK at all: nothing tells it apart */
		}
	}
	return real;
}

/* Kinds whose evidence is failed first contacts: for them, a source whose
 * first contacts mostly succeed is a client or a server at work. */
static bool failure_kind(const char *kind)
{
	return !strcmp(kind, "port_probe") || !strcmp(kind, "port_scan") ||
	       !strcmp(kind, "host_sweep") || !strcmp(kind, "block_scan") ||
	       !strcmp(kind, "udp_scan");
}

/* The failed first contacts a detection stands for: each is a distinct
 * (target, port), so at least as many as the ports or the targets it
 * touched; failed_contacts counts those before it fired (stored since
 * schema 003), often far fewer than the whole scan. */
static uint32_t failures(const struct sw_adet *d)
{
	uint32_t touched = d->ports > d->targets ? d->ports : d->targets;

	if (d->failed_known && d->failed > touched)
		return d->failed;
	return touched;
}

static bool is_decoy(const struct sw_adet *d)
{
	return d->decoys && (!d->decoys->real[0] || strcmp(d->decoys->real, d->src) != 0);
}

/* Why the detection d is no evidence worth a memo, into buf; false when it is. */
static bool discount(const struct sw_adet *d, char *buf, size_t len)
{
	if (d->decoys && !d->decoys->real[0]) {
		sw_fmt(buf, len, "decoy scan: the real source could not be told apart among %u sources",
		       d->decoys->nsources);
		return true;
	}
	if (is_decoy(d)) {
		sw_fmt(buf, len, "decoy of %s", d->decoys->real);
		return true;
	}
	if (!strcmp(d->kind, "traceroute")) {
		sw_fmt(buf, len, "traceroute: measuring the path to us is not an attack");
		return true;
	}
	if (failure_kind(d->kind) && d->successes > 0 && d->successes >= failures(d)) {
		sw_fmt(buf, len, "mostly answered (%u of %llu first contacts answered)", d->successes,
		       (unsigned long long)d->successes + failures(d));
		return true;
	}
	/* the sensor counts each retry episode of a contact in packets; the
	 * article's lone FTP probe is one episode and stays evidence */
	if (!strcmp(d->kind, "port_probe") && d->targets == 1 && d->ports == 1 && d->packets >= 3) {
		sw_fmt(buf, len, "one contact retried %llu times: a client's retries, not a probe",
		       (unsigned long long)d->packets);
		return true;
	}
	return false;
}

/* A probe of a port in innocent_ports: not worth a memo alone. */
static bool innocent_probe(const struct sw_policy *p, const struct sw_adet *d)
{
	return !strcmp(d->kind, "port_probe") && d->port && sw_port_in(&p->innocent_ports, d->port);
}

/* Add text to a "; "-separated list unless it is there already. */
static void append_once(char *buf, size_t len, const char *text)
{
	size_t n = strlen(text);

	for (const char *p = buf; (p = strstr(p, text)) != NULL; p++)
		if ((p == buf || p[-1] == ' ') && (p[n] == '\0' || p[n] == ';'))
			return;
	append(buf, len, text);
}

/* The decoys of g's real source into inc: how many, and "a, b, c" with
 * "and N more" past the listed ones. */
static void note_decoys(const struct sw_decoy_group *g, struct sw_incident *inc)
{
	char *buf = inc->decoy_list;
	size_t len = sizeof inc->decoy_list, used;

	inc->decoys = g->nsources - 1;
	buf[0] = '\0';
	for (unsigned i = 0; i < g->nlisted && i < SW_DECOY_LISTED; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? ", " : "", g->listed[i]);
	}
	used = strlen(buf);
	if (inc->decoys > g->nlisted)
		snprintf(buf + used, len - used, " and %u more", inc->decoys - g->nlisted);
}

/* reasons = what it was, then the verdict: the verdict is never cut, the
 * description gives way (at an item boundary) when both do not fit. */
static void join_reasons(char *out, size_t len, const char *what, const char *verdict)
{
	char desc[512];
	size_t room;

	snprintf(desc, sizeof desc, "%s", what);
	if (!verdict[0]) {
		snprintf(out, len, "%s", desc);
		return;
	}
	room = strlen(verdict) + 2 < len ? len - strlen(verdict) - 2 : 0;
	while (strlen(desc) >= room && desc[0]) {
		char *cut = strrchr(desc, ';');
		if (cut)
			*cut = '\0';
		else
			desc[0] = '\0';
	}
	sw_fmt(out, len, "%s%s%s", desc, desc[0] ? "; " : "", verdict);
}

void sw_policy_judge(const struct sw_policy *p, struct sw_incident *inc,
                     const struct sw_adet *const *dets, size_t n)
{
	int base = 0;
	bool spoofed = false, worth = false, evidence = false, evaded = false;
	bool netblock = !strcmp(inc->level, "netblock"), decoy_member = false;
	const struct sw_decoy_group *decoys_used = NULL;
	const char *allowed = NULL;
	char line[200], what[512] = "", verdict[512] = "";

	inc->reasons[0] = '\0';
	inc->decoys = 0;
	inc->decoy_list[0] = '\0';
	inc->compromised = 0;
	inc->compromise_reason[0] = '\0';
	if (netblock) {
		sw_fmt(line, sizeof line, "%u sources of %s on the same targets", inc->nsources,
		       inc->netblock);
		append(what, sizeof what, line);
	}
	for (size_t i = 0; i < n; i++) {
		const struct sw_adet *d = dets[i];
		int b = kind_base(d->kind);

		if (!strcmp(d->kind, "port_probe") && d->port && !sw_port_in(&p->innocent_ports, d->port))
			b = 2; /* an FTP, SSH, telnet, RPC or SMB probe matters */
		if (b > base)
			base = b;
		if (unspecified(d))
			spoofed = true;
		if (!allowed && p->allow && (d->family == SW_AF_INET || d->family == SW_AF_INET6)) {
			struct sw_addr a;
			memset(&a, 0, sizeof a);
			a.family = d->family;
			memcpy(a.bytes, d->bin, 16);
			allowed = sw_allowlist_match(p->allow, &a);
		} else if (!allowed && p->allow) {
			/* a log line's source name that was not resolved */
			allowed = sw_allowlist_match_name(p->allow, d->src);
		}
		if (d->decoys) {
			decoy_member = true;
			if (!is_decoy(d) && d->decoys->real[0])
				decoys_used = d->decoys;
		}
		if (!strcmp(d->evasion, "tiny_fragments"))
			evaded = true;
		if (discount(d, line, sizeof line)) {
			append_once(verdict, sizeof verdict, line);
		} else {
			evidence = true;
			worth |= !innocent_probe(p, d);
		}
		/* say each kind once: the first detection of it */
		bool said = false;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(dets[j]->kind, d->kind))
				said = true;
		if (!said) {
			describe(d, line, sizeof line);
			append(what, sizeof what, line);
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
	if (netblock)
		base = base < 4 ? 4 : base;

	inc->severity = base;
	if (inc->targets >= 100 || inc->ports >= 1000) {
		inc->severity++;
		append(what, sizeof what, "network scale");
	}
	if (inc->days >= 2) {
		sw_fmt(line, sizeof line, "seen on %u days", inc->days);
		append(what, sizeof what, line);
		inc->severity += inc->days >= 7 ? 2 : 1;
	}
	if (inc->compromised) {
		inc->severity++;
		append(what, sizeof what, inc->compromise_reason);
	}
	if (evaded) {
		inc->severity++;
		append(what, sizeof what, "used tiny fragments to evade filters");
	}
	if (decoys_used) {
		inc->severity++;
		note_decoys(decoys_used, inc);
		sw_fmt(line, sizeof line, "used %u decoy%s (%s)", inc->decoys,
		       inc->decoys == 1 ? "" : "s", inc->decoy_list);
		append(what, sizeof what, line);
	}
	if (inc->severity > 5)
		inc->severity = 5;
	if (inc->severity < 1)
		inc->severity = 1;

	/* the article's threshold of what is worth a memo, and what stands
	 * against one; the reasons of discounted detections are in verdict */
	inc->no_group = allowed != NULL || decoy_member;
	inc->reportable = 0;
	if (allowed) {
		sw_fmt(line, sizeof line, "allowlisted (%s)", allowed);
		append(verdict, sizeof verdict, line);
	} else if (spoofed) {
		append(verdict, sizeof verdict, "spoofed or many sources: nobody to write to");
	} else if (netblock && decoy_member) {
		/* decoys and their real source may share a netblock: that is
		 * one scan wearing several addresses, not a distributed one */
		append(verdict, sizeof verdict, "sources of a decoy scan, not a distributed scan");
	} else if (worth) {
		inc->reportable = 1;
	} else if (evidence || !verdict[0]) {
		append(verdict, sizeof verdict, "a lone probe of a public service: not worth a memo");
	}
	join_reasons(inc->reasons, sizeof inc->reasons, what, verdict);
}
