/*
 * recipients.c - who a memo goes to (see recipients.h), from the whois
 * answer's ranked contacts, the domain whois and the sources' domain, each
 * with the reason it was chosen; never a placeholder, a hostile address or
 * ourselves, except our own copy (cc_self) when asked for.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "mailhdr.h"
#include "plaintext.h"
#include "recipients.h"
#include "util.h"

static bool rcpt_has(const struct sw_memo_text *t, const char *addr)
{
	for (size_t i = 0; i < t->nto; i++)
		if (!strcasecmp(t->to[i].addr, addr))
			return true;
	for (size_t i = 0; i < t->ncc; i++)
		if (!strcasecmp(t->cc[i].addr, addr))
			return true;
	return false;
}

static void rcpt_add(struct sw_memo_text *t, bool to, const char *addr, const char *why,
		     const struct sw_reporter_conf *conf)
{
	struct sw_memo_rcpt *r;

	if (!sw_mail_addr_ok(addr) || sw_whois_is_placeholder(addr) || rcpt_has(t, addr))
		return;
	if (conf->email[0] && !strcasecmp(addr, conf->email))
		return;
	/* our own copy (cc_self) keeps its place within max_recipients,
	 * unless the memo could then go to nobody else */
	if (t->nto + t->ncc + (conf->cc_self[0] && conf->max_recipients > 1 ? 1 : 0) >=
	    conf->max_recipients ||
	    t->nto + t->ncc >= SW_MEMO_MAX_RCPT)
		return;
	r = to ? &t->to[t->nto++] : &t->cc[t->ncc++];
	sw_fmt(r->addr, sizeof r->addr, "%s", addr);
	sw_fmt(r->why, sizeof r->why, "%s", why);
}

static void contact_why(const struct sw_contact *c, const char *server, char *out, size_t len)
{
	char via[SW_PLAIN_LEN], srv[SW_PLAIN_LEN];

	sw_plain_text(srv, server);
	if (c->via[0])
		sw_fmt(out, len, "%s (%s, %s)", sw_contact_source_name(c->source),
		       sw_plain_text(via, c->via), srv);
	else
		sw_fmt(out, len, "%s (%s)", sw_contact_source_name(c->source), srv);
}

/* Add every contact of r with source s; returns how many were added. */
static size_t add_source(struct sw_memo_text *t, bool to, const struct sw_whois_result *r,
			 enum sw_contact_source s, const struct sw_reporter_conf *conf)
{
	size_t before = t->nto + t->ncc;
	char why[128];

	for (unsigned i = 0; i < r->ncontacts; i++) {
		if (r->contacts[i].source != s)
			continue;
		contact_why(&r->contacts[i], r->server[0] ? r->server : "whois", why, sizeof why);
		rcpt_add(t, to, r->contacts[i].addr, why, conf);
	}
	return t->nto + t->ncc - before;
}

/* A recurring netblock: each upstream of its origin AS with a designated
 * abuse contact, in Cc (never To: the memo is the network's own). */
static void cc_upstreams(const struct sw_memo *m, const struct sw_reporter_conf *conf,
			 struct sw_memo_text *t)
{
	const struct sw_whois_result *w = &m->whois;
	char why[128];

	if (!m->recurring || !m->whois_ok || t->nto == 0 || t->ncc_upstream > 0)
		return;
	for (unsigned i = 0; i < w->nupstreams && i < SW_WHOIS_MAX_UPSTREAMS; i++) {
		const struct sw_upstream *u = &w->upstreams[i];
		size_t before = t->ncc;
		if (!u->abuse[0])
			continue;
		sw_fmt(why, sizeof why, "upstream provider AS%" PRIu32 " of AS%" PRIu32
		       " (recurring: %u memos in %u days)", u->asn, w->origin_as, m->recent_memos,
		       m->recurring_days);
		rcpt_add(t, false, u->abuse, why, conf);
		if (t->ncc == before)
			continue;
		t->cc_upstream_asn[t->ncc_upstream] = u->asn;
		sw_fmt(t->cc_upstream_addr[t->ncc_upstream], sizeof t->cc_upstream_addr[0], "%s",
		       u->abuse);
		t->ncc_upstream++;
	}
}

/*
 * To: the network's abuse mailboxes; failing those its role addresses,
 * then addresses from its remarks, then a national registry's IRT (a
 * labelled fallback), then the domain's contacts, then abuse@domain.
 * Cc: the domain's admin/technical/billing contacts (the article's
 * recipients) and security@ and abuse@ of a forward-confirmed domain.
 */
void sw_memo_recipients(const struct sw_memo *m, const struct sw_reporter_conf *conf,
			struct sw_memo_text *t)
{
	static const enum sw_contact_source order[] = {
		SW_CONTACT_ROLE_EMAIL, SW_CONTACT_REMARKS, SW_CONTACT_NIR_IRT,
	};
	const struct sw_whois_result *w = m->whois_ok ? &m->whois : NULL;
	const struct sw_whois_result *dw = m->domain_whois_ok ? &m->domain_whois : NULL;
	char addr[160], why[160];

	if (w) {
		add_source(t, true, w, SW_CONTACT_ABUSE_MAILBOX, conf);
		add_source(t, true, w, SW_CONTACT_ABUSE_COMMENT, conf);
		for (size_t i = 0; i < SW_ARRAY_LEN(order) && t->nto == 0; i++)
			add_source(t, true, w, order[i], conf);
	}
	/* the upstreams of a recurring netblock before the domain's guesses */
	cc_upstreams(m, conf, t);
	if (dw)
		add_source(t, t->nto == 0, dw, SW_CONTACT_DOMAIN, conf);
	if (m->domain[0]) {
		static const char *const boxes[] = { "abuse", "security" };
		for (size_t i = 0; i < SW_ARRAY_LEN(boxes); i++) {
			sw_fmt(addr, sizeof addr, "%s@%s", boxes[i], m->domain);
			sw_fmt(why, sizeof why, "RFC 2142 mailbox of %s (reverse DNS)", m->domain);
			rcpt_add(t, t->nto == 0, addr, why, conf);
		}
	}
	cc_upstreams(m, conf, t);
}

/* The seed's sample memo copies its writer: [reporter] cc_self, last in
 * Cc, even when it is our From address (which rcpt_add never takes). */
void sw_memo_cc_self(const struct sw_reporter_conf *conf, struct sw_memo_text *t)
{
	struct sw_memo_rcpt *r;

	if (!conf->cc_self[0] || !sw_mail_addr_ok(conf->cc_self) || rcpt_has(t, conf->cc_self) ||
	    t->nto + t->ncc >= conf->max_recipients || t->nto + t->ncc >= SW_MEMO_MAX_RCPT)
		return;
	r = &t->cc[t->ncc++];
	sw_fmt(r->addr, sizeof r->addr, "%s", conf->cc_self);
	sw_fmt(r->why, sizeof r->why, "our own copy ([reporter] cc_self)");
}
