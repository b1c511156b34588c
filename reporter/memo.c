/*
 * memo.c - the memo itself (see memo.h): its subject and the body the
 * article asks for, in its friendly tone: who we are, why we write, what
 * happened in plain words, which of our hosts were hit, the log lines with
 * their offset from GMT, the time zone, whether anything was compromised,
 * what the line type suggests, that addresses can be forged, and a close
 * that asks for nothing but an acknowledgment. Who gets it is
 * recipients.c's.
 *
 * Everything that came from packets, DNS or whois reached the model
 * already printable (sw_sanitize: control bytes written as "\x1b").
 * Registry and DNS text (netname, server, PTR names) goes into the subject
 * and body through sw_plain_text() (plaintext.c): escapes undone, control
 * characters dropped, so the recipient reads "EVILNET" rather than
 * "\x1b[2JEVILNET". The quoted log lines are evidence and keep their
 * escapes.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "memo.h"
#include "plaintext.h"
#include "recipients.h"
#include "netset.h"
#include "timefmt.h"
#include "util.h"

#define MAX_HOSTS_LISTED 10
#define MAX_EXCERPTS 8        /* sources whose log lines a memo quotes */

/* ---- time --------------------------------------------------------------- */

void sw_memo_local_time(int64_t us, bool frac, char *out, size_t len)
{
	long rem = (long)(((us % 1000000) + 1000000) % 1000000);
	struct tm tm;
	char day[32], zone[16];

	if (!sw_local_tm(us, &tm)) {
		sw_fmt(out, len, "(time %lld)", (long long)us);
		return;
	}
	strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
	sw_utc_offset(tm.tm_gmtoff, false, zone, sizeof zone);
	if (frac)
		sw_fmt(out, len, "%s.%06ld %s", day, rem, zone);
	else
		sw_fmt(out, len, "%s %s", day, zone);
}

/* "at T", "between 12:42:26 and 12:42:28 -0500 on 2026-11-27" (one day) or
 * "between T1 and T2". */
static void time_span(struct sw_buf *b, int64_t from, int64_t to)
{
	char first[48], last[48];

	sw_memo_local_time(from, false, first, sizeof first);
	sw_memo_local_time(to, false, last, sizeof last);
	if (!strcmp(first, last))
		sw_buf_printf(b, "at %s", first);
	else if (!strncmp(first, last, 11) && !strcmp(first + 19, last + 19))
		sw_buf_printf(b, "between %.8s and %s on %.10s", first + 11, last + 11, first);
	else
		sw_buf_printf(b, "between %s and %s", first, last);
}

static long gmt_offset(int64_t us)
{
	struct tm tm;

	return sw_local_tm(us, &tm) ? tm.tm_gmtoff : 0;
}

/* ---- words -------------------------------------------------------------- */

static const char *plural(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static const char *service_label(const struct sw_memo_detection *d, char *buf, size_t len)
{
	if (d->port == 0)
		return "";
	if (d->service[0])
		sw_fmt(buf, len, "the %s service (port %u/%s)", d->service, d->port, d->proto);
	else
		sw_fmt(buf, len, "port %u/%s", d->port, d->proto);
	return buf;
}

/* Upper-case a service name for a subject ("ftp" -> "FTP"). */
static void upper(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 32) : src[i];
	dst[i] = '\0';
}

static const char *stealth_name(const char *variant)
{
	static const struct { const char *v, *name; } names[] = {
		{ "fin", "FIN" }, { "null", "NULL (no flags)" }, { "xmas", "Xmas (FIN, PSH, URG)" },
		{ "maimon", "Maimon (FIN, ACK)" }, { "ack", "ACK" }, { "synfin", "SYN+FIN" },
	};
	for (size_t i = 0; i < SW_ARRAY_LEN(names); i++)
		if (strcmp(names[i].v, variant) == 0)
			return names[i].name;
	return "unusual";
}

/* What a detection was, for a subject line: "Port scan", "FTP probe". */
static void detection_what(const struct sw_memo_detection *d, char *out, size_t len)
{
	char svc[40];

	upper(svc, sizeof svc, d->service);
	if (!strcmp(d->kind, "login_attempts"))
		sw_fmt(out, len, "%s login attempts", svc[0] ? svc : "Login");
	else if (!strcmp(d->kind, "host_sweep") || !strcmp(d->kind, "port_probe"))
		sw_fmt(out, len, "%s probe", svc[0] ? svc : "Port");
	else if (!strcmp(d->kind, "port_scan") || !strcmp(d->kind, "block_scan"))
		sw_fmt(out, len, "Port scan");
	else if (!strcmp(d->kind, "stealth_scan"))
		sw_fmt(out, len, "Stealth port scan");
	else if (!strcmp(d->kind, "udp_scan"))
		sw_fmt(out, len, "UDP port scan");
	else if (!strcmp(d->kind, "ping_sweep"))
		sw_fmt(out, len, "Ping sweep");
	else if (!strcmp(d->kind, "syn_flood"))
		sw_fmt(out, len, "SYN flood");
	else if (!strcmp(d->kind, "udp_flood"))
		sw_fmt(out, len, "UDP flood");
	else if (!strcmp(d->kind, "icmp_flood"))
		sw_fmt(out, len, "ICMP flood");
	else
		sw_fmt(out, len, "Network probe");
}

/* One sentence (without the subject) saying what a detection did. */
static void detection_sentence(struct sw_buf *b, const struct sw_memo_detection *d)
{
	char svc[96];
	const char *targets_more = d->targets_capped ? "at least " : "";
	const char *ports_more = d->ports_capped ? "at least " : "";

	service_label(d, svc, sizeof svc);
	if (!strcmp(d->kind, "port_scan"))
		sw_buf_printf(b, "tried %s%u %s %s of %s, one after another (a port scan)",
			      ports_more, d->ports, !strcmp(d->proto, "udp") ? "UDP" : "TCP",
			      plural(d->ports, "port", "ports"), d->target);
	else if (!strcmp(d->kind, "host_sweep"))
		sw_buf_printf(b, "tried %s on %s%u of our addresses (a sweep for that service)",
			      svc[0] ? svc : "one port", targets_more, d->targets);
	else if (!strcmp(d->kind, "block_scan"))
		sw_buf_printf(b, "tried %s%u ports on each of %s%u of our addresses", ports_more,
			      d->ports, targets_more, d->targets);
	else if (!strcmp(d->kind, "stealth_scan"))
		sw_buf_printf(b, "sent %s packets, which no ordinary client sends, to %s%u "
			      "%s of %s (a stealth port scan)", stealth_name(d->variant),
			      ports_more, d->ports, plural(d->ports, "port", "ports"), d->target);
	else if (!strcmp(d->kind, "udp_scan"))
		sw_buf_printf(b, "probed %s%u UDP %s on %s%u %s", ports_more, d->ports,
			      plural(d->ports, "port", "ports"), targets_more, d->targets,
			      plural(d->targets, "host", "hosts"));
	else if (!strcmp(d->kind, "ping_sweep"))
		sw_buf_printf(b, "sent ICMP echo requests to %s%u of our addresses (a ping sweep)",
			      targets_more, d->targets);
	else if (!strcmp(d->kind, "syn_flood") || !strcmp(d->kind, "udp_flood") ||
		 !strcmp(d->kind, "icmp_flood"))
		sw_buf_printf(b, "sent %llu %s packets to %s%s%s, more than a service can "
			      "answer (a flood)", d->packets,
			      !strcmp(d->kind, "syn_flood") ? "TCP SYN" :
			      !strcmp(d->kind, "udp_flood") ? "UDP" : "ICMP",
			      d->target, svc[0] ? ", " : "", svc);
	else if (!strcmp(d->kind, "login_attempts"))
		sw_buf_printf(b, "opened %llu connections to %s of %s, which looks like "
			      "an attempt to guess a password", d->packets,
			      svc[0] ? svc : "a login service", d->target);
	else if (!strcmp(d->kind, "port_probe"))
		sw_buf_printf(b, "touched %u closed %s of %s", d->ports,
			      plural(d->ports, "port", "ports"), d->target);
	else
		sw_buf_printf(b, "sent traffic we classified as %s", d->kind);
	if (d->tool[0])
		sw_buf_printf(b, "; the packets carry the marks of the %s scanner", d->tool);
	if (d->sessions_after_scan)
		sw_buf_printf(b, "; it then came back and completed %u %s with data to a port "
			      "the scan had found open", d->sessions_after_scan,
			      plural(d->sessions_after_scan, "session", "sessions"));
}

/* ---- the body ----------------------------------------------------------- */

static const struct sw_memo_source *source_of(const struct sw_memo *m, const char *src)
{
	for (size_t i = 0; i < m->nsrc; i++)
		if (!strcmp(m->src[i].text, src))
			return &m->src[i];
	return NULL;
}

static void source_label(const struct sw_memo *m, const char *src, char *out, size_t len)
{
	const struct sw_memo_source *s = source_of(m, src);
	char name[SW_PLAIN_LEN];

	if (s && s->rdns.confirmed)
		sw_fmt(out, len, "%s (%s)", sw_plain_text(name, s->rdns.name), src);
	else if (s && s->rdns.name[0])
		sw_fmt(out, len, "%s (its reverse DNS name, %s, does not resolve back to it)",
		       src, sw_plain_text(name, s->rdns.name));
	else
		sw_fmt(out, len, "%s", src);
}

/* Wrap text at 72 columns after first; continuation lines start with indent. */
static void add_wrapped(struct sw_buf *b, const char *text, const char *first,
			const char *indent)
{
	size_t col = strlen(first), ilen = strlen(indent);
	bool line_empty = true;
	const char *p = text;

	sw_buf_adds(b, first);
	for (;;) {
		size_t n;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		n = strcspn(p, " ");
		if (!line_empty && col + 1 + n > 72) {
			sw_buf_addc(b, '\n');
			sw_buf_adds(b, indent);
			col = ilen;
			line_empty = true;
		} else if (!line_empty) {
			sw_buf_addc(b, ' ');
			col++;
		}
		sw_buf_add(b, p, n);
		col += n;
		line_empty = false;
		p += n;
	}
	sw_buf_addc(b, '\n');
}

static void paragraph(struct sw_buf *b, const char *text)
{
	add_wrapped(b, text, "", "");
	sw_buf_addc(b, '\n');
}

void sw_memo_paragraph(struct sw_buf *b, const char *text)
{
	paragraph(b, text);
}

static void intro(struct sw_buf *b, const struct sw_memo *m, const struct sw_reporter_conf *conf)
{
	struct sw_buf p = SW_BUF_INIT;
	char net[SW_PLAIN_LEN], domain[SW_PLAIN_LEN], server[SW_PLAIN_LEN];
	bool many_src = m->nsrc > 1;
	bool many_hosts = m->hosts_total != 1;

	sw_plain_text(net, m->whois_ok ? m->whois.netname : "");
	sw_plain_text(domain, m->domain);
	sw_plain_text(server, m->whois_ok ? m->whois.server : "");
	sw_buf_adds(b, "Good day,\n\n");
	if (conf->name[0]) {
		sw_buf_printf(&p, "My name is %s", conf->name);
		if (conf->role[0] && conf->organization[0])
			sw_buf_printf(&p, " and I am %s at %s.", conf->role, conf->organization);
		else if (conf->organization[0])
			sw_buf_printf(&p, " of %s.", conf->organization);
		else
			sw_buf_adds(&p, ".");
	} else if (conf->organization[0]) {
		sw_buf_printf(&p, "I am writing on behalf of %s.", conf->organization);
	} else {
		sw_buf_adds(&p, "I look after a network that your network sent traffic to.");
	}
	sw_buf_printf(&p, " I am writing to let you know that %s on our network %s probed by "
		      "%s in your address range %s", many_hosts ? "machines" : "a machine",
		      many_hosts ? "were" : "was", many_src ? "hosts" : "a host", m->netblock);
	if (net[0])
		sw_buf_printf(&p, " (%s)", net);
	if (domain[0])
		sw_buf_printf(&p, ", in the %s domain", domain);
	sw_buf_adds(&p, ". You are listed as a responsible party for that range");
	if (server[0])
		sw_buf_printf(&p, " in the records of %s", server);
	sw_buf_adds(&p, ", so I hope you are the right people to tell.");
	paragraph(b, sw_buf_str(&p));
	sw_buf_free(&p);
}

/* "Origin AS: AS64500 (route 198.51.100.0/24, from the answer of
 * whois.ripe.net).": the origin: of the most specific RPSL route object
 * the registry answers showed for the address; nothing when none did. */
static void origin_as(struct sw_buf *b, const struct sw_memo *m)
{
	char route[SW_ADDR_STRLEN + 8], server[SW_PLAIN_LEN];
	struct sw_buf p = SW_BUF_INIT;

	if (!m->whois_ok || m->whois.origin_as == 0)
		return;
	sw_prefix_format(&m->whois.origin_route, route, sizeof route);
	sw_plain_text(server, m->whois.origin_server);
	if (m->whois.origin_ip2asn) {
		/* no route object: the BGP prefix an IP-to-ASN service saw */
		sw_buf_printf(&p, "Origin AS: AS%" PRIu32 " (BGP prefix %s", m->whois.origin_as,
			      route);
		if (server[0])
			sw_buf_printf(&p, ", from the IP-to-ASN service %s", server);
		sw_buf_adds(&p, ").");
		paragraph(b, sw_buf_str(&p));
		sw_buf_free(&p);
		return;
	}
	sw_buf_printf(&p, "Origin AS: AS%" PRIu32 " (route %s", m->whois.origin_as, route);
	if (server[0])
		sw_buf_printf(&p, ", from the answer of %s", server);
	sw_buf_adds(&p, ").");
	paragraph(b, sw_buf_str(&p));
	sw_buf_free(&p);
}

/* "2026-10-01", the day of a time in the memo's zone. */
static void local_day(int64_t us, char *out, size_t len)
{
	char when[48];

	sw_memo_local_time(us, false, when, sizeof when);
	sw_fmt(out, len, "%.10s", when);
}

/* "2026-10-01, 2026-10-20 and 2026-11-03": the days of the earlier memos,
 * each day once. */
static void past_days(struct sw_buf *b, const struct sw_memo *m)
{
	char days[SW_MEMO_MAX_PAST][16];
	size_t n = 0;

	for (size_t i = 0; i < m->npast && i < SW_MEMO_MAX_PAST; i++) {
		local_day(m->past[i], days[n], sizeof days[n]);
		if (n == 0 || strcmp(days[n], days[n - 1]) != 0)
			n++;
	}
	for (size_t i = 0; i < n; i++)
		sw_buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", days[i]);
}

/*
 * The article: one probe is nothing for an ISP to worry about, "a
 * recurring problem" is what makes them care. When the ledger shows
 * earlier memos to this range, say so with their dates, kindly.
 */
static void recurrence(struct sw_buf *b, const struct sw_memo *m)
{
	struct sw_buf p = SW_BUF_INIT;

	if (m->npast == 0)
		return;
	if (m->past_total > m->npast) {
		sw_buf_printf(&p, "We have written to you about this range %zu times before, "
			      "most recently on ", m->past_total);
	} else {
		sw_buf_adds(&p, "We wrote to you about this range before, on ");
	}
	past_days(&p, m);
	sw_buf_adds(&p, ". I mention it not to complain but because the same kind of traffic "
		    "keeps coming from your network, which makes it look like a recurring "
		    "problem rather than a one-off; it may be worth a closer look.");
	paragraph(b, sw_buf_str(&p));
	sw_buf_free(&p);
}

/*
 * The article: "If you can demonstrate it was a network-scale issue or a
 * recurring problem, then they may start to care." A recurring netblock's
 * memo copies the upstreams of its origin AS; say so, and why, kindly.
 */
static void upstreams_copied(struct sw_buf *b, const struct sw_memo *m,
			     const struct sw_memo_text *t)
{
	struct sw_buf p = SW_BUF_INIT;
	size_t n = t->ncc_upstream;

	if (n == 0)
		return;
	sw_buf_printf(&p, "This is the %u%s memo we have written about this range in the last "
		      "%u days, and the traffic has not stopped, so I have copied ",
		      m->recent_memos,
		      m->recent_memos % 100 >= 11 && m->recent_memos % 100 <= 13 ? "th" :
		      m->recent_memos % 10 == 1 ? "st" : m->recent_memos % 10 == 2 ? "nd" :
		      m->recent_memos % 10 == 3 ? "rd" : "th", m->recurring_days);
	sw_buf_adds(&p, n == 1 ? "the abuse contact of your upstream provider, " :
		    "the abuse contacts of your upstream providers, ");
	for (size_t i = 0; i < n; i++)
		sw_buf_printf(&p, "%sAS%" PRIu32 " (%s)", i == 0 ? "" : i + 1 == n ? " and " : ", ",
			      t->cc_upstream_asn[i], t->cc_upstream_addr[i]);
	sw_buf_printf(&p, ", as the routing policy of AS%" PRIu32 " in the registry names %s. "
		      "This is not meant to go over your head: a problem that keeps coming "
		      "back is easier to solve when everyone who carries the traffic knows "
		      "about it, and they may be able to help.", m->whois.origin_as,
		      n == 1 ? "it" : "them");
	paragraph(b, sw_buf_str(&p));
	sw_buf_free(&p);
}

/* A netblock-level incident: several sources on the same targets. */
static void coordinated(struct sw_buf *b, const struct sw_memo *m)
{
	for (size_t i = 0; i < m->ninc; i++) {
		const struct sw_memo_incident *inc = &m->inc[i];
		struct sw_buf p = SW_BUF_INIT;
		unsigned n = 1;

		if (!strcmp(inc->level, "source"))
			continue;
		for (const char *c = inc->src; *c; c++)
			n += *c == ',';
		sw_buf_printf(&p, "These %u addresses (", n);
		for (const char *c = inc->src; *c; c++) {
			if (*c == ',')
				sw_buf_adds(&p, ", ");
			else
				sw_buf_addc(&p, *c);
		}
		sw_buf_adds(&p, ") went for the same hosts of ours at the same time, each with "
			    "its own share of the work: that looks like one scan split between "
			    "several machines, perhaps all in the same hands.");
		paragraph(b, sw_buf_str(&p));
		sw_buf_free(&p);
	}
}

/* A scan hidden among decoys: one sentence, only when it was. */
static void decoys(struct sw_buf *b, const struct sw_memo *m)
{
	for (size_t i = 0; i < m->ninc; i++) {
		const struct sw_memo_incident *inc = &m->inc[i];
		struct sw_buf p = SW_BUF_INIT;

		if (strcmp(inc->level, "source") != 0 || inc->decoys == 0)
			continue;
		sw_buf_printf(&p, "The scan from %s was hidden among %u decoy %s (%s) that sent the "
			      "same probes at the same time; the decoys never answered our hosts' "
			      "replies while %s reset them, which is how we know it was the real "
			      "source.", inc->src, inc->decoys,
			      plural(inc->decoys, "address", "addresses"), inc->decoy_list, inc->src);
		paragraph(b, sw_buf_str(&p));
		sw_buf_free(&p);
	}
}

static void what_happened(struct sw_buf *b, const struct sw_memo *m)
{
	char label[512];

	sw_buf_adds(b, "What we saw:\n\n");
	for (size_t i = 0; i < m->ninc; i++) {
		const struct sw_memo_incident *inc = &m->inc[i];

		for (size_t j = 0; j < inc->ndets; j++) {
			const struct sw_memo_detection *d = &inc->dets[j];
			struct sw_buf s = SW_BUF_INIT;

			source_label(m, inc->src, label, sizeof label);
			sw_buf_printf(&s, "%s ", label);
			detection_sentence(&s, d);
			sw_buf_printf(&s, ". That was %llu %s ", d->packets,
				      plural(d->packets, "packet", "packets"));
			time_span(&s, d->first_seen, d->last_seen);
			if (inc->days > 1)
				sw_buf_printf(&s, ", and the address came back on %u different days",
					      inc->days);
			sw_buf_adds(&s, ".");
			add_wrapped(b, sw_buf_str(&s), "  * ", "    ");
			sw_buf_free(&s);
		}
	}
	sw_buf_adds(b, "\n");
	coordinated(b, m);
	decoys(b, m);
	paragraph(b, "Traffic like this usually means someone is looking for vulnerable "
		  "hosts to break into. It may be a legitimate user in violation of your "
		  "acceptable use policy, or a machine on your network that has been "
		  "compromised and is being used by someone else.");
}

static void hosts_hit(struct sw_buf *b, const struct sw_memo *m)
{
	size_t shown = m->nhosts < MAX_HOSTS_LISTED ? m->nhosts : MAX_HOSTS_LISTED;

	if (m->hosts_total == 0)
		return;
	sw_buf_printf(b, "The %s on our network that received this traffic:\n\n",
		      m->hosts_total == 1 ? "host" : "hosts");
	for (size_t i = 0; i < shown; i++) {
		char name[SW_PLAIN_LEN];

		if (sw_plain_text(name, m->hosts[i].name)[0])
			sw_buf_printf(b, "  %s (%s)\n", name, m->hosts[i].addr);
		else
			sw_buf_printf(b, "  %s\n", m->hosts[i].addr);
	}
	if (m->hosts_total > shown)
		sw_buf_printf(b, "  ... and %zu more\n", m->hosts_total - shown);
	sw_buf_adds(b, "\n");
}

/* The first and last lines of each source's evidence; a memo about many
 * sources quotes the first few and offers the rest. */
static void log_excerpt(struct sw_buf *b, const struct sw_memo *m)
{
	size_t quoted = 0, withheld = 0;
	char when[64];

	paragraph(b, "The log entries for this, as our network sensor recorded them "
		  "(the first and last lines of each):");
	for (size_t i = 0; i < m->ninc; i++) {
		const struct sw_memo_incident *inc = &m->inc[i];
		size_t half = (inc->nev + 1) / 2;

		if (inc->nev == 0)
			continue;
		if (quoted == MAX_EXCERPTS) {
			withheld++;
			continue;
		}
		if (quoted++)
			sw_buf_adds(b, "\n");
		for (size_t j = 0; j < inc->nev; j++) {
			if (j == half && inc->ev_total > inc->nev)
				sw_buf_printf(b, "  ... %zu more lines like these ...\n",
					      inc->ev_total - inc->nev);
			sw_memo_local_time(inc->ev[j].ts, true, when, sizeof when);
			sw_buf_printf(b, "  %s %s\n", when, inc->ev[j].text);
		}
	}
	sw_buf_adds(b, "\n");
	if (withheld) {
		char text[160];
		sw_fmt(text, sizeof text, "We have kept the log entries of the other %zu %s as "
		       "well and will gladly send them if they help.", withheld,
		       plural(withheld, "source", "sources"));
		paragraph(b, text);
	}
}

/* The zone line: the article wants the offset from GMT; several offsets
 * (a DST change inside the quoted times) are all named. */
static void zone_line(struct sw_buf *b, const struct sw_memo *m, const char *zone_label)
{
	long offs[4];
	size_t n = 0;
	char text[32];
	struct sw_buf p = SW_BUF_INIT;

	for (size_t i = 0; i < m->ninc; i++) {
		int64_t ts[2] = { m->inc[i].first_seen, m->inc[i].last_seen };
		for (size_t k = 0; k < 2; k++) {
			long o = gmt_offset(ts[k]);
			bool seen = false;
			for (size_t j = 0; j < n; j++)
				seen |= offs[j] == o;
			if (!seen && n < SW_ARRAY_LEN(offs))
				offs[n++] = o;
		}
	}
	sw_buf_printf(&p, "All times are %s%s", zone_label[0] ? zone_label : "local time",
		      zone_label[0] ? " time" : "");
	for (size_t j = 0; j < n; j++) {
		sw_utc_offset(offs[j], true, text, sizeof text);
		sw_buf_printf(&p, "%sGMT%s", j == 0 ? " (" : " and ", text);
	}
	sw_buf_adds(&p, n ? ")" : "");
	sw_buf_adds(&p, n > 1 ? ", as daylight saving time changed between them; "
		    "every line carries its own offset." : "; every line carries its offset.");
	paragraph(b, sw_buf_str(&p));
	sw_buf_free(&p);
}

static void compromise(struct sw_buf *b, const struct sw_memo *m)
{
	bool any = false;

	for (size_t i = 0; i < m->ninc; i++) {
		const struct sw_memo_incident *inc = &m->inc[i];
		struct sw_buf p = SW_BUF_INIT;

		if (!inc->compromised)
			continue;
		any = true;
		sw_buf_printf(&p, "We have reason to believe this led to a compromise on our side: "
			      "%s. We are looking into it, and anything you can tell us about "
			      "%s would help.", inc->compromise_reason[0] ? inc->compromise_reason :
			      "our records show a successful session after the probes", inc->src);
		paragraph(b, sw_buf_str(&p));
		sw_buf_free(&p);
	}
	if (!any)
		paragraph(b, "As far as we can tell, none of our hosts was compromised; we write "
			  "so that you know about it and can look into the source.");
}

static void line_type(struct sw_buf *b, const struct sw_memo *m)
{
	for (size_t i = 0; i < m->nsrc; i++) {
		const struct sw_memo_source *s = &m->src[i];
		struct sw_buf p = SW_BUF_INIT;
		char name[SW_PLAIN_LEN];

		/* a name that does not resolve back says nothing reliable */
		if (!s->rdns.confirmed)
			continue;
		sw_plain_text(name, s->rdns.name);
		switch (s->rdns.line) {
		case SW_LINE_DIALUP:
			sw_buf_printf(&p, "The name of %s (%s) suggests a dial-up line; in our "
				      "experience that is often a stolen account rather than the "
				      "customer's own doing.", s->text, name);
			break;
		case SW_LINE_DSL:
		case SW_LINE_CABLE:
			sw_buf_printf(&p, "The name of %s (%s) suggests a %s line; a machine on an "
				      "always-on line like that is probably compromised without its "
				      "owner knowing.", s->text, name,
				      sw_line_type_name(s->rdns.line));
			break;
		case SW_LINE_DYNAMIC:
			sw_buf_printf(&p, "The name of %s (%s) suggests an address from a dynamic "
				      "pool; your records of who had it at the times above will "
				      "tell whose machine it was.", s->text, name);
			break;
		case SW_LINE_STATIC:
			sw_buf_printf(&p, "The name of %s (%s) suggests a server or a dedicated "
				      "line, so the machine itself has probably been compromised.",
				      s->text, name);
			break;
		default:
			break;
		}
		if (p.len)
			paragraph(b, sw_buf_str(&p));
		sw_buf_free(&p);
	}
}

/* Did any source of the memo hide among decoys? */
static bool any_decoys(const struct sw_memo *m)
{
	for (size_t i = 0; i < m->ninc; i++)
		if (!strcmp(m->inc[i].level, "source") && m->inc[i].decoys)
			return true;
	return false;
}

static void forgery(struct sw_buf *b, const struct sw_memo *m)
{
	bool no_session = true;

	for (size_t i = 0; i < m->ninc; i++)
		for (size_t j = 0; j < m->inc[i].ndets; j++)
			no_session &= m->inc[i].dets[j].syn_only;
	if (any_decoys(m))
		/* the decoys are the forged addresses; the source answered */
		paragraph(b, "Source addresses can be forged, and the decoys above were; but the "
			  "address shown answered our hosts' replies, which a forged address does "
			  "not do, so the traffic very probably came from it.");
	else if (no_session)
		paragraph(b, "Please keep in mind that source addresses can be forged: none of "
			  "these packets completed a connection, so they may not have come from "
			  "the address they carry. If your records show that the address was not "
			  "in use at those times, that is the likely explanation, and I apologise "
			  "for the trouble.");
	else
		paragraph(b, "Source addresses can be forged, but some of these connections were "
			  "completed, which a forged address cannot do; the traffic very probably "
			  "came from the address shown.");
}

static void closing(struct sw_buf *b, const struct sw_reporter_conf *conf)
{
	paragraph(b, "While no reply is expected, the favor of an acknowledgment would be "
		  "appreciated.");
	sw_buf_adds(b, "Thank you for your attention to this matter,\n\n");
	if (conf->name[0] && conf->email[0])
		sw_buf_printf(b, "%-34s %s\n", conf->name, conf->email);
	else if (conf->name[0] || conf->email[0])
		sw_buf_printf(b, "%s\n", conf->name[0] ? conf->name : conf->email);
	if (conf->role[0] || conf->organization[0])
		sw_buf_printf(b, "%s%s%s\n", conf->role, conf->role[0] && conf->organization[0] ?
			      ", " : "", conf->organization);
	if (conf->website[0])
		sw_buf_printf(b, "%s\n", conf->website);
	if (conf->pgp_key_url[0])
		sw_buf_printf(b, "PGP key: %s\n", conf->pgp_key_url);
}

/* ---- subject ------------------------------------------------------------ */

static const struct sw_memo_detection *main_detection(const struct sw_memo *m)
{
	const struct sw_memo_detection *best = NULL;
	unsigned best_sev = 0;

	for (size_t i = 0; i < m->ninc; i++)
		for (size_t j = 0; j < m->inc[i].ndets; j++)
			if (!best || m->inc[i].severity > best_sev) {
				best = &m->inc[i].dets[j];
				best_sev = m->inc[i].severity;
			}
	return best;
}

/*
 * "[SECURITY] FTP probe from casema.net domain", as the article's memo:
 * the most severe activity, and the other one named too when there are
 * two ("FTP probe and SSH login attempts"), or "and other probes" when
 * there are more.
 */
static void subject(const struct sw_memo *m, struct sw_memo_text *t)
{
	const struct sw_memo_detection *d = main_detection(m);
	bool coordinated = false;
	char what[128], w2[128], second[128] = "", rest[160] = "";
	unsigned others = 0;
	char who[SW_PLAIN_LEN];

	if (d)
		detection_what(d, what, sizeof what);
	else
		sw_fmt(what, sizeof what, "Network probe");
	for (size_t i = 0; i < m->ninc; i++)
		for (size_t j = 0; j < m->inc[i].ndets; j++) {
			detection_what(&m->inc[i].dets[j], w2, sizeof w2);
			if (!strcmp(w2, what) || !strcmp(w2, second))
				continue;
			if (others++ == 0)
				sw_fmt(second, sizeof second, "%s", w2);
		}
	if (others == 1) {
		/* "FTP probe and SSH login attempts", "... and port scan" */
		if (second[1] >= 'a' && second[1] <= 'z')
			second[0] = (char)tolower((unsigned char)second[0]);
		sw_fmt(rest, sizeof rest, " and %s", second);
	} else if (others > 1) {
		sw_fmt(rest, sizeof rest, " and other probes");
	}
	/* several sources together (a netblock incident): "Coordinated port
	 * scan", keeping the capital of "SSH login attempts" */
	for (size_t i = 0; i < m->ninc; i++)
		coordinated |= strcmp(m->inc[i].level, "source") != 0;
	if (coordinated && what[1] >= 'a' && what[1] <= 'z')
		what[0] = (char)tolower((unsigned char)what[0]);
	if (!sw_plain_text(who, m->domain)[0] && !(m->whois_ok && sw_plain_text(who, m->whois.netname)[0]))
		sw_fmt(who, sizeof who, "your network");
	sw_fmt(t->subject, sizeof t->subject, "[SECURITY] %s%s%s from %s (%s)",
	       coordinated ? "Coordinated " : "", what, rest, who, m->netblock);
}

/* ---- compose ------------------------------------------------------------ */

int sw_memo_compose(const struct sw_memo *m, const struct sw_reporter_conf *conf,
		    const char *zone_label, struct sw_memo_text *out, char *err, size_t errlen)
{
	struct sw_buf *b = &out->body;

	memset(out, 0, sizeof *out);
	sw_memo_recipients(m, conf, out);
	if (out->nto == 0) {
		sw_fmt(err, errlen, "%s: no contact address found (whois %s)", m->netblock,
		       m->whois_ok ? "named none we can use" : "not resolved");
		return -1;
	}
	sw_memo_cc_self(conf, out);
	subject(m, out);
	intro(b, m, conf);
	origin_as(b, m);
	recurrence(b, m);
	upstreams_copied(b, m, out);
	what_happened(b, m);
	hosts_hit(b, m);
	log_excerpt(b, m);
	zone_line(b, m, zone_label);
	compromise(b, m);
	line_type(b, m);
	forgery(b, m);
	closing(b, conf);
	if (!sw_buf_ok(b)) {
		sw_fmt(err, errlen, "%s: out of memory composing the memo", m->netblock);
		sw_memo_text_free(out);
		return -1;
	}
	return 0;
}

void sw_memo_text_free(struct sw_memo_text *t)
{
	sw_buf_free(&t->body);
}

void sw_memo_free(struct sw_memo *m)
{
	for (size_t i = 0; i < m->ninc; i++) {
		free(m->inc[i].dets);
		free(m->inc[i].ev);
	}
	free(m->inc);
	free(m->src);
	free(m->hosts);
	memset(m, 0, sizeof *m);
}
