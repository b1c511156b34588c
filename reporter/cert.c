/*
 * cert.c - CERT escalation (see cert.h): which incidents the article says
 * a CERT should hear of, the other side's country from its registry
 * answer, the recipients (our own CSIRT, the national CERT from the
 * table), the memo's plain text, and its delivery through outbox.c (the
 * same safe headers, MIME, signing and record as every memo, kind 'cert').
 *
 * The article: contact CERT "when legitimate intrusions have taken place,
 * novel exploits have been used ... and when the system has been used to
 * gain entry into other computers or for DoS attacks ... File a similar
 * report with the organization in the originating country." A probe or an
 * ordinary scan is the owner's business, not a CERT's: only compromised
 * incidents (a session with payload after a scan; one of our hosts acting
 * outward, floods included) are escalated.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cert.h"
#include "db.h"
#include "ledger.h"
#include "log.h"
#include "memo.h"
#include "plaintext.h"
#include "util.h"

#define MAX_DUE 10000          /* incidents escalated per run at most */
#define MAX_COUNTRIES 8        /* countries named in the one log line */
#define MAX_HOSTS_NAMED 8

struct due {
	long long id;
	bool outbound;
	bool reportable;
};

/* Compromised incidents without a CERT memo: a source's (a netblock
 * incident's detections are its sources'), not allowlisted (those are not
 * reportable, unless our own host acted outward). */
static int read_due(sqlite3 *db, struct due **out, size_t *n, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT i.id, i.outbound, i.reportable FROM incidents i"
		" WHERE i.compromised = 1 AND i.level = 'source'"
		"   AND (i.reportable = 1 OR i.outbound = 1)"
		"   AND NOT EXISTS (SELECT 1 FROM report_incidents ri"
		"                   JOIN reports r ON r.id = ri.report_id"
		"                   WHERE ri.incident_id = i.id AND r.kind = 'cert')"
		" ORDER BY i.severity DESC, i.first_seen, i.id LIMIT ?";
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sw_fmt(err, errlen, "database: reading compromised incidents: %s",
		       sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int(st, 1, MAX_DUE);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sw_grow((void **)out, &cap, *n + 1, sizeof **out) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		(*out)[*n].id = sqlite3_column_int64(st, 0);
		(*out)[*n].outbound = sqlite3_column_int(st, 1) != 0;
		(*out)[*n].reportable = sqlite3_column_int(st, 2) != 0;
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sw_fmt(err, errlen, "database: reading compromised incidents: %s",
		       rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* A flood's evidence line names its target in words: "TCP SYN packets to
 * 203.0.113.80 port 80: ..." (a prefix flood: "to 203.0.113.0/24"). */
static bool flood_target(const char *line, struct sw_addr *a)
{
	const char *p = strstr(line, " packets to ");
	char tok[SW_ADDR_STRLEN];
	size_t n;

	if (!p)
		return false;
	p += strlen(" packets to ");
	n = strcspn(p, " :/,");
	if (p[n] == ':')                 /* an IPv6 address: up to the space */
		n = strcspn(p, " /,");
	while (n && p[n - 1] == ':')
		n--;
	return n && sw_fmt(tok, sizeof tok, "%.*s", (int)n, p) && sw_addr_parse(tok, a);
}

/* The address on the other side: the source of an attack on us, or the
 * first computer our host went for (its first detection's first target,
 * else the first address its evidence names, else a flood's target). */
static bool other_side(const struct sw_memo *m, bool outbound, struct sw_addr *a)
{
	const struct sw_memo_incident *inc = &m->inc[0];

	if (!outbound)
		return sw_addr_parse(inc->src, a);
	for (size_t i = 0; i < inc->ndets; i++)
		if (sw_addr_parse(inc->dets[i].target, a))
			return true;
	if (m->nhosts && sw_addr_parse(m->hosts[0].addr, a))
		return true;
	for (size_t i = 0; i < inc->nev; i++)
		if (flood_target(inc->ev[i].text, a))
			return true;
	return false;
}

/* ---- the memo ------------------------------------------------------------ */

static void add_rcpt(struct sw_memo_rcpt *r, size_t *n, const char *addr, const char *why)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcasecmp(r[i].addr, addr))
			return;
	if (*n >= SW_MEMO_MAX_RCPT)
		return;
	sw_fmt(r[*n].addr, sizeof r[*n].addr, "%s", addr);
	sw_fmt(r[*n].why, sizeof r[*n].why, "%s", why);
	(*n)++;
}

/* "in EXAMPLE-NET (203.0.113.0/24), registered in AT" from the whois answer */
static void describe_network(struct sw_buf *b, const struct sw_memo *m, const char *cc)
{
	char plain[SW_PLAIN_LEN], cidr[SW_ADDR_STRLEN + 4];

	if (!m->whois_ok) {
		sw_buf_adds(b, "in a network whose registry we could not ask");
		return;
	}
	sw_buf_adds(b, "in ");
	if (m->whois.netname[0])
		sw_buf_printf(b, "the network %s ", sw_plain_text(plain, m->whois.netname));
	else
		sw_buf_adds(b, "a network ");
	if (m->whois.ncidrs) {
		sw_prefix_format(&m->whois.cidrs[0], cidr, sizeof cidr);
		sw_buf_printf(b, "(%s) ", cidr);
	}
	if (cc[0])
		sw_buf_printf(b, "registered in %s", cc);
	else
		sw_buf_adds(b, "whose registry named no country");
}

static void kinds_line(struct sw_buf *b, const struct sw_memo_incident *inc)
{
	for (size_t i = 0; i < inc->ndets; i++) {
		const struct sw_memo_detection *d = &inc->dets[i];
		bool said = false;

		for (size_t j = 0; j < i; j++)
			said |= !strcmp(inc->dets[j].kind, d->kind);
		if (said)
			continue;
		sw_buf_printf(b, "%s%s", b->len && i ? ", " : "", d->kind);
		if (d->proto[0])
			sw_buf_printf(b, " (%s)", d->proto);
	}
}

/* The paragraph in p into b (memo.c's wrapping); p emptied. */
static void flush(struct sw_buf *b, struct sw_buf *p)
{
	sw_memo_paragraph(b, sw_buf_str(p));
	sw_buf_reset(p);
}

static void compose(const struct sw_escalation *how, const struct sw_memo *m, bool outbound,
		    bool owner_told, const char *cc, const struct sw_cert_contact *national,
		    const char *other, struct sw_memo_text *t)
{
	const struct sw_reporter_conf *conf = how->conf;
	const struct sw_memo_incident *inc = &m->inc[0];
	struct sw_buf *b = &t->body, kinds = SW_BUF_INIT, p = SW_BUF_INIT;
	char first[64], last[64], when[64], plain[SW_PLAIN_LEN];

	memset(t, 0, sizeof *t);
	t->body = (struct sw_buf)SW_BUF_INIT;
	if (how->ours)
		add_rcpt(t->to, &t->nto, how->ours->addr, "our own CSIRT ([cert] our_csirt)");
	if (national)
		add_rcpt(t->to, &t->nto, national->addr, "the national CERT of the other side's "
			 "country (the CERT table)");
	if (conf->cc_self[0])
		add_rcpt(t->cc, &t->ncc, conf->cc_self, "a copy for ourselves ([reporter] cc_self)");

	if (outbound)
		sw_fmt(t->subject, sizeof t->subject, "Security incident: our host %s used against "
		       "other computers (severity %u of 5)", inc->src, inc->severity);
	else
		sw_fmt(t->subject, sizeof t->subject, "Security incident: a host of ours "
		       "compromised from %s (severity %u of 5)", inc->src, inc->severity);

	sw_buf_adds(b, "Hello,\n\n");
	sw_buf_printf(&p, "This is a report of a computer security incident at %s, written to ",
		      conf->organization[0] ? conf->organization : "our site");
	if (how->ours && national)
		sw_buf_printf(&p, "our own incident response team (%s) and to %s, the national CERT "
			      "of %s.", how->ours->team[0] ? how->ours->team : how->ours->addr,
			      national->team, national->cc);
	else if (how->ours)
		sw_buf_printf(&p, "our own incident response team (%s). We know of no national "
			      "CERT to tell for %s.",
			      how->ours->team[0] ? how->ours->team : how->ours->addr,
			      cc[0] ? cc : "a network whose registry named no country");
	else
		sw_buf_printf(&p, "%s, the national CERT of %s.", national->team, national->cc);

	flush(b, &p);
	kinds_line(&kinds, inc);
	if (outbound) {
		sw_buf_printf(&p, "One of our own hosts, %s, has been used against other computers "
			      "(%s). The first one it went for is ", inc->src, sw_buf_str(&kinds));
		describe_network(&p, m, cc);
		sw_buf_adds(&p, ". We are writing because our system was used against "
			    "computers in your constituency; the host is ours to take care of.");
	} else {
		sw_buf_printf(&p, "One of our hosts appears to have been broken into: %s. The "
			      "attack came from %s, ", inc->compromise_reason[0] ?
			      inc->compromise_reason : "it was marked compromised (by the analysis or by us)",
			      inc->src);
		describe_network(&p, m, cc);
		sw_buf_adds(&p, ".");
		if (owner_told)
			sw_buf_adds(&p, " That network's owner gets a memo of its own from us.");
	}
	flush(b, &p);

	sw_memo_local_time(inc->first_seen, false, first, sizeof first);
	sw_memo_local_time(inc->last_seen, false, last, sizeof last);
	sw_buf_printf(b, "Severity:    %u of 5\n", inc->severity);
	sw_buf_printf(b, "Compromise:  %s\n", inc->compromise_reason[0] ?
		      inc->compromise_reason : "yes, marked compromised");
	sw_buf_printf(b, "What:        %s\n", sw_buf_str(&kinds));
	if (inc->reasons[0])
		sw_buf_printf(b, "Why:         %s\n", sw_plain_text(plain, inc->reasons));
	sw_buf_printf(b, "Seen:        %s to %s (%s)\n", first, last, how->zone);
	sw_buf_printf(b, "Packets:     %llu\n", inc->packets);
	sw_buf_printf(b, "%s", outbound ? "Targets:     " : "Our hosts:   ");
	for (size_t i = 0; i < m->nhosts && i < MAX_HOSTS_NAMED; i++)
		sw_buf_printf(b, "%s%s", i ? ", " : "", m->hosts[i].addr);
	if (m->hosts_total > MAX_HOSTS_NAMED && m->nhosts)
		sw_buf_printf(b, " (%zu in all)", m->hosts_total);
	if (!m->nhosts)
		sw_buf_adds(b, outbound && other[0] ? other : "none named in the evidence");
	sw_buf_adds(b, "\n\n");

	sw_buf_printf(b, "The evidence, as our sensor logged it (times in %s):\n\n", how->zone);
	for (size_t i = 0; i < inc->nev; i++) {
		sw_memo_local_time(inc->ev[i].ts, true, when, sizeof when);
		sw_buf_printf(b, "  %s %s\n", when, inc->ev[i].text);
	}
	if (!inc->nev)
		sw_buf_adds(b, "  (no evidence lines were kept)\n");
	else if (inc->ev_total > inc->nev)
		sw_buf_printf(b, "  (%zu lines of %zu: the first and the last; the rest on "
			      "request)\n", inc->nev, inc->ev_total);
	sw_buf_adds(b, "\n");

	sw_buf_adds(&p, "We report this to a CERT because a system of ours was ");
	sw_buf_adds(&p, outbound ? "used against other computers, to gain entry into them or "
			         "to flood them" : "entered by someone who had no business there");
	sw_buf_adds(&p, ". Please tell us if you need more: the complete logs and the captured "
		    "packets are kept.");
	if (!outbound && strstr(inc->compromise_reason, "session"))
		sw_buf_adds(&p, " Source addresses can be forged, but hardly for a session that "
			    "completed, which is what made us believe this was a break-in.");
	flush(b, &p);
	sw_buf_printf(b, "-- \n%s\n", conf->name[0] ? conf->name : conf->email);
	if (conf->role[0] || conf->organization[0])
		sw_buf_printf(b, "%s%s%s\n", conf->role, conf->role[0] && conf->organization[0] ?
			      ", " : "", conf->organization);
	sw_buf_printf(b, "%s\n", conf->email);
	if (conf->website[0])
		sw_buf_printf(b, "%s\n", conf->website);
	if (national) {
		sw_buf_addc(b, '\n');
		sw_buf_printf(&p, "(%s's address is from %s, as published at %s)",
			      national->team, national->file, national->source);
		flush(b, &p);
	}
	sw_buf_free(&kinds);
	sw_buf_free(&p);
}

/* ---- the run -------------------------------------------------------------- */

struct nobody {
	unsigned n;
	char countries[MAX_COUNTRIES][3];
	size_t ncountries;
	bool unknown;           /* an incident whose country is unknown */
};

static void note_nobody(struct nobody *nb, const char *cc)
{
	nb->n++;
	if (!cc[0]) {
		nb->unknown = true;
		return;
	}
	for (size_t i = 0; i < nb->ncountries; i++)
		if (!strcmp(nb->countries[i], cc))
			return;
	if (nb->ncountries < MAX_COUNTRIES)
		memcpy(nb->countries[nb->ncountries++], cc, 3);
}

static void log_nobody(const struct sw_escalation *how, const struct nobody *nb)
{
	struct sw_buf b = SW_BUF_INIT;

	for (size_t i = 0; i < nb->ncountries; i++)
		sw_buf_printf(&b, "%s%s", i ? ", " : "", nb->countries[i]);
	if (nb->unknown)
		sw_buf_printf(&b, "%san unknown country", nb->ncountries ? " and " : "");
	sw_warn("%u %s due a CERT memo (a compromise of ours, or our host used against others), "
		"none written: no [cert] our_csirt, and no national CERT for %s in %s",
		nb->n, nb->n == 1 ? "incident" : "incidents", sw_buf_str(&b), how->table_desc);
	sw_buf_free(&b);
}

/* One incident: its memo, gathered, composed, delivered; or counted as
 * having nobody to go to. */
static void escalate_one(const struct sw_escalation *how, const struct due *d,
			 struct nobody *nb, struct sw_escalation_outcome *out)
{
	struct sw_memo m;
	struct sw_memo_text t;
	struct sw_addr a;
	const struct sw_cert_contact *national = NULL;
	char err[512], cc[3] = "", other[SW_ADDR_STRLEN] = "";
	bool send_failed;

	memset(&m, 0, sizeof m);
	memset(&t, 0, sizeof t);
	if (sw_ledger_load_incident(how->db, d->id, how->conf->evidence_lines, &m, err,
				    sizeof err) < 0) {
		sw_err("CERT memo: %s", err);
		out->failed = true;
		goto out;
	}
	if (m.ninc != 1) {
		sw_err("CERT memo: incident %lld could not be read", d->id);
		out->failed = true;
		goto out;
	}
	sw_fmt(m.netblock, sizeof m.netblock, "%s", m.inc[0].src);
	if (other_side(&m, d->outbound, &a)) {
		sw_addr_format(&a, other, sizeof other);
		enum sw_whois_status ws = sw_whois_lookup(how->whois, &a, how->now_us, &m.whois,
							  err, sizeof err);
		if (ws == SW_WHOIS_ERROR) {
			sw_err("CERT memo for %s: %s", m.inc[0].src, err);
			out->failed = true;
			goto out;
		}
		m.whois_ok = ws == SW_WHOIS_OK;
		if (m.whois_ok && m.whois.country[0])
			memcpy(cc, m.whois.country, 3);
	}
	national = sw_cert_table_find(how->table, cc);
	if (!how->ours && !national) {
		note_nobody(nb, cc);
		goto out;
	}
	compose(how, &m, d->outbound, d->reportable && !d->outbound, cc, national, other, &t);
	{
		struct sw_outbox ob = *how->ob;

		ob.kind = "cert";
		ob.country = national ? national->cc : "";
		if (sw_outbox_deliver(&ob, &m, &t, &send_failed) == 0)
			out->written++;
		else
			out->failed = true;
		if (send_failed)
			out->failed = true;
	}
out:
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

int sw_cert_escalate(const struct sw_escalation *how, struct sw_escalation_outcome *out)
{
	struct due *due;
	struct nobody nb;
	size_t n;
	char err[512];

	memset(out, 0, sizeof *out);
	memset(&nb, 0, sizeof nb);
	if (read_due(how->db, &due, &n, err, sizeof err) < 0) {
		sw_err("%s", err);
		out->failed = true;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		escalate_one(how, &due[i], &nb, out);
	free(due);
	out->unaddressed = nb.n;
	if (nb.n)
		log_nobody(how, &nb);
	return 0;
}
