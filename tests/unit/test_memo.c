/*
 * test_memo.c - unit tests for reporter/memo.c: who a memo goes to (abuse
 * mailboxes first, a national registry's IRT only as a fallback, never a
 * placeholder, a hostile address or ourselves), its subject, and the body
 * the article asks for: identity, plain words per incident, hosts hit,
 * log lines with their offset, the zone line (half-hour zones and a DST
 * change), compromise, line type, forgery, a friendly close with no
 * threats or demands.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "memo.h"

/* 2026-11-27T17:42:19.729231Z and 2026-07-01T12:00:00Z */
#define T_NOV INT64_C(1795801339729231)
#define T_JUL INT64_C(1782907200000000)

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void identity(struct sw_reporter_conf *c)
{
	sw_reporter_conf_defaults(c);
	strcpy(c->name, "Jose Nazario");
	strcpy(c->email, "jose@bigisp.example");
	strcpy(c->organization, "BigISP");
	strcpy(c->role, "the network administrator");
	strcpy(c->pgp_key_url, "https://bigisp.example/~jose/pgp.asc");
}

static void contact(struct sw_whois_result *w, const char *addr, enum sw_contact_source s)
{
	struct sw_contact *c = &w->contacts[w->ncontacts++];
	strcpy(c->addr, addr);
	c->source = s;
	strcpy(c->via, "test");
}

/* One source incident: an FTP sweep (SYN only) from 198.51.100.7. */
static void model(struct sw_memo *m, const char *kind, int64_t t0, bool completed)
{
	struct sw_memo_incident *inc;
	struct sw_memo_detection *d;

	memset(m, 0, sizeof *m);
	strcpy(m->netblock, "198.51.100.0/24");
	m->whois_ok = true;
	strcpy(m->whois.netname, "EXAMPLE-NET");
	strcpy(m->whois.server, "whois.ripe.net");
	m->inc = calloc(1, sizeof *m->inc);
	m->ninc = 1;
	inc = m->inc;
	inc->id = 1;
	strcpy(inc->level, "source");
	strcpy(inc->src, "198.51.100.7");
	inc->first_seen = t0;
	inc->last_seen = t0 + 5000000;
	inc->days = 1;
	inc->severity = 3;
	inc->packets = 40;
	inc->dets = calloc(1, sizeof *inc->dets);
	inc->ndets = 1;
	d = inc->dets;
	strcpy(d->kind, kind);
	strcpy(d->proto, "tcp");
	d->first_seen = inc->first_seen;
	d->last_seen = inc->last_seen;
	d->targets = 40;
	d->ports = 1;
	d->packets = 40;
	d->port = 21;
	strcpy(d->service, "ftp");
	strcpy(d->target, "203.0.113.5");
	d->syn_only = !completed;
	inc->ev = calloc(2, sizeof *inc->ev);
	inc->nev = 2;
	inc->ev_total = 40;
	inc->ev[0].ts = t0;
	strcpy(inc->ev[0].text, "TCP 198.51.100.7:41000 -> 203.0.113.5:21 (ftp) SYN, answered RST");
	inc->ev[1].ts = t0 + 5000000;
	strcpy(inc->ev[1].text, "TCP 198.51.100.7:41000 -> 203.0.113.44:21 (ftp) SYN, no answer");
	m->src = calloc(1, sizeof *m->src);
	m->nsrc = 1;
	sw_addr_parse("198.51.100.7", &m->src[0].addr);
	strcpy(m->src[0].text, "198.51.100.7");
	m->hosts = calloc(2, sizeof *m->hosts);
	m->nhosts = 2;
	m->hosts_total = 40;
	strcpy(m->hosts[0].addr, "203.0.113.5");
	strcpy(m->hosts[0].name, "ftp.ours.example");
	strcpy(m->hosts[1].addr, "203.0.113.44");
}

/* The body with line breaks and indentation folded to single spaces, so
 * phrases are found wherever the wrapping put them. */
static const char *body(struct sw_memo_text *t)
{
	static char flat[65536];
	const char *s = sw_buf_str(&t->body);
	size_t j = 0;

	for (size_t i = 0; s[i] && j + 1 < sizeof flat; i++) {
		if (s[i] == '\n') {
			while (s[i + 1] == ' ')
				i++;
			if (j && flat[j - 1] != ' ')
				flat[j++] = ' ';
			continue;
		}
		flat[j++] = s[i];
	}
	flat[j] = '\0';
	return flat;
}

static void compose_ok(struct sw_memo *m, struct sw_memo_text *t, const char *zone)
{
	struct sw_reporter_conf c;
	char err[256];

	identity(&c);
	if (sw_memo_compose(m, &c, zone, t, err, sizeof err) != 0)
		fail_msg("compose: %s", err);
}

static void test_abuse_mailbox_first(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	(void)state;

	set_tz("UTC");
	model(&m, "host_sweep", T_NOV, false);
	contact(&m.whois, "noc@example.net", SW_CONTACT_ROLE_EMAIL);
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	contact(&m.whois, "hostmaster@nic.or.kr", SW_CONTACT_NIR_IRT);
	compose_ok(&m, &t, "UTC");
	assert_int_equal(t.nto, 1);
	assert_string_equal(t.to[0].addr, "abuse@example.net");
	assert_non_null(strstr(t.to[0].why, "abuse mailbox") ? t.to[0].why : NULL);
	/* with an abuse mailbox, neither the NOC nor the NIR is bothered */
	assert_int_equal(t.ncc, 0);
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

static void test_fallbacks(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	struct sw_reporter_conf c;
	char err[256];
	(void)state;

	set_tz("UTC");
	/* only an NIR IRT: it is used, labelled as what it is */
	model(&m, "host_sweep", T_NOV, false);
	contact(&m.whois, "hostmaster@nic.or.kr", SW_CONTACT_NIR_IRT);
	compose_ok(&m, &t, "UTC");
	assert_int_equal(t.nto, 1);
	assert_string_equal(t.to[0].addr, "hostmaster@nic.or.kr");
	assert_non_null(strcasestr(t.to[0].why, "IRT"));
	sw_memo_text_free(&t);
	sw_memo_free(&m);

	/* remarks beat the IRT; the domain's mailboxes go in Cc */
	model(&m, "host_sweep", T_NOV, false);
	contact(&m.whois, "hostmaster@nic.or.kr", SW_CONTACT_NIR_IRT);
	contact(&m.whois, "abuse@mtn.example", SW_CONTACT_REMARKS);
	strcpy(m.domain, "casema.example");
	compose_ok(&m, &t, "UTC");
	assert_int_equal(t.nto, 1);
	assert_string_equal(t.to[0].addr, "abuse@mtn.example");
	assert_int_equal(t.ncc, 2);
	assert_string_equal(t.cc[0].addr, "abuse@casema.example");
	assert_string_equal(t.cc[1].addr, "security@casema.example");
	sw_memo_text_free(&t);
	sw_memo_free(&m);

	/* hostile, placeholder and our own addresses never get through;
	 * nobody left is an error, not a memo to nobody */
	model(&m, "host_sweep", T_NOV, false);
	contact(&m.whois, "abuse@example.net\r\nBcc: victim@x.example", SW_CONTACT_ABUSE_MAILBOX);
	contact(&m.whois, "a@b.example>, evil@c.example", SW_CONTACT_ABUSE_MAILBOX);
	contact(&m.whois, "jose@bigisp.example", SW_CONTACT_ABUSE_MAILBOX);
	identity(&c);
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), -1);
	assert_non_null(strstr(err, "198.51.100.0/24"));
	sw_memo_free(&m);

	/* the cap holds */
	model(&m, "host_sweep", T_NOV, false);
	for (int i = 0; i < 12; i++) {
		char a[64];
		snprintf(a, sizeof a, "abuse%d@example.net", i);
		contact(&m.whois, a, SW_CONTACT_ABUSE_MAILBOX);
	}
	identity(&c);
	c.max_recipients = 3;
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	assert_int_equal(t.nto + t.ncc, 3);
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

static void test_subject_and_body(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	const char *b;
	(void)state;

	set_tz("America/New_York");
	model(&m, "host_sweep", T_NOV, false);
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	compose_ok(&m, &t, "America/New_York");
	assert_string_equal(t.subject, "[SECURITY] FTP probe from EXAMPLE-NET (198.51.100.0/24)");
	/* lines fit a mail reader */
	b = sw_buf_str(&t.body);
	for (const char *p = b; *p;) {
		size_t n = strcspn(p, "\n");
		if (n > 100)
			fail_msg("line of %zu characters: %.*s", n, (int)n, p);
		p += n + (p[n] == '\n');
	}
	b = body(&t);
	/* who we are, why we write */
	assert_non_null(strstr(b, "My name is Jose Nazario"));
	assert_non_null(strstr(b, "BigISP"));
	assert_non_null(strstr(b, "198.51.100.0/24"));
	/* what happened, in words, with the service and counts */
	assert_non_null(strstr(b, "the ftp service (port 21/tcp)"));
	assert_non_null(strstr(b, "40 of our"));
	/* our hosts, by name and address, and how many more */
	assert_non_null(strstr(b, "ftp.ours.example (203.0.113.5)"));
	assert_non_null(strstr(b, "and 38 more"));
	/* log lines in local time with the numeric offset on every line */
	assert_non_null(strstr(b, "2026-11-27 12:42:19.729231 -0500 TCP 198.51.100.7:41000 -> "
				  "203.0.113.5:21 (ftp) SYN, answered RST"));
	assert_non_null(strstr(b, "38 more lines like these"));
	assert_non_null(strstr(b, "All times are America/New_York time (GMT-05:00)"));
	/* SYN only: the address may be forged */
	assert_non_null(strstr(b, "can be forged"));
	assert_non_null(strstr(b, "none of these packets completed a connection"));
	assert_non_null(strstr(b, "none of our hosts was compromised"));
	/* the close asks for an acknowledgment and nothing else */
	assert_non_null(strstr(b, "acknowledgment would be appreciated"));
	assert_non_null(strstr(b, "PGP key: https://bigisp.example/~jose/pgp.asc"));
	for (const char *w = "legal\0lawyer\0lawsuit\0demand\0must \0immediately\0"; *w;
	     w += strlen(w) + 1)
		if (strcasestr(b, w))
			fail_msg("the memo says '%s': no threats, no demands", w);
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

/* One activity is named; two are both named; more are "and other probes". */
static void test_subject_activities(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	struct sw_memo_detection *d;
	(void)state;

	set_tz("UTC");
	model(&m, "host_sweep", T_NOV, false);
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	d = realloc(m.inc[0].dets, 3 * sizeof *d);
	assert_non_null(d);
	m.inc[0].dets = d;
	d[1] = d[0];           /* the same activity twice: still one */
	m.inc[0].ndets = 2;
	compose_ok(&m, &t, "UTC");
	assert_string_equal(t.subject, "[SECURITY] FTP probe from EXAMPLE-NET (198.51.100.0/24)");
	sw_memo_text_free(&t);

	strcpy(d[1].kind, "login_attempts");
	strcpy(d[1].service, "ssh");
	compose_ok(&m, &t, "UTC");
	assert_string_equal(t.subject, "[SECURITY] FTP probe and SSH login attempts from "
	                               "EXAMPLE-NET (198.51.100.0/24)");
	sw_memo_text_free(&t);

	strcpy(d[1].kind, "port_scan");
	compose_ok(&m, &t, "UTC");
	assert_string_equal(t.subject, "[SECURITY] FTP probe and port scan from "
	                               "EXAMPLE-NET (198.51.100.0/24)");
	sw_memo_text_free(&t);

	d[2] = d[0];
	strcpy(d[2].kind, "login_attempts");
	strcpy(d[2].service, "ssh");
	m.inc[0].ndets = 3;
	compose_ok(&m, &t, "UTC");
	assert_string_equal(t.subject, "[SECURITY] FTP probe and other probes from "
	                               "EXAMPLE-NET (198.51.100.0/24)");
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

static void test_zones(void **state)
{
	static const struct { const char *tz, *stamp, *zone; } z[] = {
		{ "America/New_York", "2026-11-27 12:42:19.729231 -0500", "(GMT-05:00)" },
		{ "Asia/Kolkata", "2026-11-27 23:12:19.729231 +0530", "(GMT+05:30)" },
		{ "America/St_Johns", "2026-11-27 14:12:19.729231 -0330", "(GMT-03:30)" },
		{ "UTC", "2026-11-27 17:42:19.729231 +0000", "(GMT+00:00)" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof z / sizeof z[0]; i++) {
		struct sw_memo m;
		struct sw_memo_text t;

		set_tz(z[i].tz);
		model(&m, "port_scan", T_NOV, false);
		contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
		compose_ok(&m, &t, z[i].tz);
		if (!strstr(body(&t), z[i].stamp) || !strstr(body(&t), z[i].zone))
			fail_msg("%s: expected %s and %s in\n%s", z[i].tz, z[i].stamp, z[i].zone,
				 body(&t));
		sw_memo_text_free(&t);
		sw_memo_free(&m);
	}
}

/* An incident across a DST change names both offsets. */
static void test_dst_change(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	(void)state;

	set_tz("America/New_York");
	model(&m, "port_scan", T_JUL, false);
	m.inc[0].last_seen = T_NOV;
	m.inc[0].dets[0].last_seen = T_NOV;
	m.inc[0].ev[1].ts = T_NOV;
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	compose_ok(&m, &t, "America/New_York");
	assert_non_null(strstr(body(&t), "(GMT-04:00 and GMT-05:00)"));
	assert_non_null(strstr(body(&t), "2026-07-01 08:00:00.000000 -0400"));
	assert_non_null(strstr(body(&t), "2026-11-27 12:42:19.729231 -0500"));
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

static void test_line_type_and_login(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	(void)state;

	set_tz("UTC");
	model(&m, "login_attempts", T_NOV, true);
	strcpy(m.inc[0].dets[0].service, "ssh");
	m.inc[0].dets[0].port = 22;
	strcpy(m.src[0].rdns.name, "ppp-7.dialup.isp.example");
	m.src[0].rdns.valid = m.src[0].rdns.confirmed = true;
	m.src[0].rdns.line = SW_LINE_DIALUP;
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	compose_ok(&m, &t, "UTC");
	assert_string_equal(t.subject,
			    "[SECURITY] SSH login attempts from EXAMPLE-NET (198.51.100.0/24)");
	assert_non_null(strstr(body(&t), "guess a password"));
	assert_non_null(strstr(body(&t), "ppp-7.dialup.isp.example (198.51.100.7)"));
	assert_non_null(strstr(body(&t), "dial-up line"));
	assert_non_null(strstr(body(&t), "stolen account"));
	/* completed connections: not the "may be forged" apology */
	assert_null(strstr(body(&t), "none of these packets completed"));
	sw_memo_text_free(&t);
	sw_memo_free(&m);

	/* an unconfirmed name is shown as such */
	model(&m, "port_scan", T_NOV, false);
	strcpy(m.src[0].rdns.name, "www.bank.example");
	m.src[0].rdns.valid = true;
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	compose_ok(&m, &t, "UTC");
	assert_non_null(strstr(body(&t), "does not resolve back"));
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

static void test_compromise(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	(void)state;

	set_tz("UTC");
	model(&m, "port_scan", T_NOV, true);
	m.inc[0].compromised = true;
	strcpy(m.inc[0].compromise_reason, "it came back to 203.0.113.5:21 and sent data");
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	compose_ok(&m, &t, "UTC");
	assert_non_null(strstr(body(&t), "led to a compromise on our side: it came back"));
	assert_null(strstr(body(&t), "none of our hosts was compromised"));
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

/* A decoy scan's real source: one sentence says decoys were used, and
 * only then. */
static void test_decoys(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	(void)state;

	set_tz("UTC");
	model(&m, "port_scan", T_NOV, false);
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	m.inc[0].decoys = 3;
	strcpy(m.inc[0].decoy_list, "192.0.2.1, 192.0.2.2, 203.0.113.200");
	compose_ok(&m, &t, "UTC");
	assert_non_null(strstr(body(&t), "The scan from 198.51.100.7 was hidden among 3 decoy "
			       "addresses (192.0.2.1, 192.0.2.2, 203.0.113.200) that sent the same "
			       "probes at the same time;"));
	/* the decoys were the forged addresses, not the source that answered */
	assert_non_null(strstr(body(&t), "Source addresses can be forged, and the decoys above "
			       "were; but the address shown answered our hosts' replies"));
	assert_null(strstr(body(&t), "none of these packets completed a connection"));
	sw_memo_text_free(&t);
	m.inc[0].decoys = 1;
	strcpy(m.inc[0].decoy_list, "192.0.2.1");
	compose_ok(&m, &t, "UTC");
	assert_non_null(strstr(body(&t), "hidden among 1 decoy address (192.0.2.1) that"));
	sw_memo_text_free(&t);
	/* no decoys, no sentence */
	m.inc[0].decoys = 0;
	m.inc[0].decoy_list[0] = '\0';
	compose_ok(&m, &t, "UTC");
	assert_null(strstr(body(&t), "decoy"));
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

/* Many sources: every one is described, the log lines of the first
 * eight are quoted and the rest offered. */
static void test_many_sources(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	struct sw_memo_incident *inc;
	(void)state;

	set_tz("UTC");
	model(&m, "port_scan", T_NOV, false);
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	inc = realloc(m.inc, 12 * sizeof *m.inc);
	assert_non_null(inc);
	m.inc = inc;
	for (size_t i = 1; i < 12; i++) {
		m.inc[i] = m.inc[0];
		m.inc[i].id = (long long)i + 1;
		snprintf(m.inc[i].src, sizeof m.inc[i].src, "198.51.100.%zu", i + 7);
		m.inc[i].dets = calloc(1, sizeof *m.inc[i].dets);
		*m.inc[i].dets = *m.inc[0].dets;
		m.inc[i].ev = calloc(2, sizeof *m.inc[i].ev);
		memcpy(m.inc[i].ev, m.inc[0].ev, 2 * sizeof *m.inc[i].ev);
	}
	m.ninc = 12;
	compose_ok(&m, &t, "UTC");
	assert_non_null(strstr(body(&t), "198.51.100.18 tried 1 TCP port of 203.0.113.5") ?
			body(&t) : NULL);
	assert_non_null(strstr(body(&t), "log entries of the other 4 sources"));
	/* 8 sources quoted, 2 lines each */
	{
		size_t n = 0;
		for (const char *p = sw_buf_str(&t.body); (p = strstr(p, "+0000 TCP ")); p++)
			n++;
		assert_int_equal(n, 16);
	}
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

/* Registry and DNS text reaches the model escaped by sw_sanitize(); the
 * memo undoes the escaping and drops the control characters, so neither
 * a terminal escape nor its "\x1b" spelling reaches the recipient. A name
 * in UTF-8 survives; a C1 control or a byte that is not UTF-8 does not. */
static void test_registry_text_plain(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	(void)state;

	set_tz("UTC");
	model(&m, "host_sweep", T_NOV, false);
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	strcpy(m.whois.netname, "EVIL\\x1b]0;pwned\\x07NET\\x1b[2J\\x0d");
	strcpy(m.whois.server, "whois.\\x1bexample.net");
	strcpy(m.whois.contacts[0].via, "abuse-mailbox\\x0d\\x0aBcc");
	m.src[0].rdns.confirmed = true;
	strcpy(m.src[0].rdns.name, "host\\x1b[31m.m\\xc3\\xbcller.example");
	strcpy(m.hosts[0].name, "ftp\\x7f.ours\\xc2\\x85\\xff.example\\\\x1b");
	compose_ok(&m, &t, "UTC");
	assert_string_equal(t.subject,
			    "[SECURITY] FTP probe from EVIL]0;pwnedNET[2J (198.51.100.0/24)");
	assert_non_null(strstr(body(&t), "198.51.100.0/24 (EVIL]0;pwnedNET[2J)"));
	assert_non_null(strstr(body(&t), "in the records of whois.example.net"));
	/* UTF-8 kept, the escape dropped */
	assert_non_null(strstr(body(&t), "host[31m.m\xc3\xbcller.example (198.51.100.7)"));
	/* DEL, the C1 NEL and a lone 0xff dropped; a backslash that was in the
	 * text itself stays a backslash */
	assert_non_null(strstr(body(&t), "ftp.ours.example\\x1b (203.0.113.5)"));
	assert_non_null(strstr(t.to[0].why, "abuse-mailboxBcc"));
	/* no control byte anywhere, and no escape written out */
	for (const char *p = sw_buf_str(&t.body); *p; p++)
		assert_true((unsigned char)*p >= 0x20 || *p == '\n');
	assert_null(strstr(sw_buf_str(&t.body), "\\x1b["));
	assert_null(strstr(sw_buf_str(&t.body), "\\x07"));
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

#define DAY_US INT64_C(86400000000)

/* Earlier memos to the range (the ledger's) are named by their days, each
 * day once, kindly; none, and the memo says nothing of it. */
static void test_recurrence(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	(void)state;

	set_tz("UTC");
	model(&m, "host_sweep", T_NOV, false);
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	compose_ok(&m, &t, "UTC");
	assert_null(strstr(body(&t), "wrote to you about this range"));
	sw_memo_text_free(&t);

	m.past[0] = T_NOV - 57 * DAY_US;          /* 2026-10-01 */
	m.past[1] = T_NOV - 24 * DAY_US;          /* 2026-11-03 */
	m.past[2] = T_NOV - 24 * DAY_US + 60000000; /* the same day again */
	m.npast = m.past_total = 3;
	compose_ok(&m, &t, "UTC");
	assert_non_null(strstr(body(&t), "We wrote to you about this range before, on "
				"2026-10-01 and 2026-11-03. I mention it not to complain"));
	assert_non_null(strstr(body(&t), "recurring problem"));
	/* after the introduction, before what we saw */
	assert_true(strstr(body(&t), "We wrote to you") > strstr(body(&t), "right people to tell"));
	assert_true(strstr(body(&t), "We wrote to you") < strstr(body(&t), "What we saw:"));
	sw_memo_text_free(&t);

	/* more than the memo names: how many, and the latest */
	m.npast = 2;
	m.past_total = 9;
	compose_ok(&m, &t, "UTC");
	assert_non_null(strstr(body(&t), "We have written to you about this range 9 times "
				"before, most recently on 2026-10-01 and 2026-11-03."));
	sw_memo_text_free(&t);

	/* the days in the memo's zone: 2026-11-03T23:00Z is the 4th in Kolkata */
	set_tz("Asia/Kolkata");
	m.past[0] = T_NOV - 24 * DAY_US + (INT64_C(5) * 3600 + 18 * 60) * 1000000;
	m.npast = m.past_total = 1;
	compose_ok(&m, &t, "Asia/Kolkata");
	assert_non_null(strstr(body(&t), "before, on 2026-11-04."));
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

/* [reporter] cc_self: a copy to our own address, last in Cc, even when it
 * is our From address; within max_recipients, never twice. */
static void test_cc_self(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	struct sw_reporter_conf c;
	char err[256];
	(void)state;

	set_tz("UTC");
	model(&m, "host_sweep", T_NOV, false);
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	strcpy(m.domain, "casema.example");
	identity(&c);
	strcpy(c.cc_self, "jose@bigisp.example");         /* our From address too */
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	assert_int_equal(t.nto, 1);
	assert_int_equal(t.ncc, 3);
	assert_string_equal(t.cc[2].addr, "jose@bigisp.example");
	assert_non_null(strstr(t.cc[2].why, "cc_self"));
	sw_memo_text_free(&t);

	/* max_recipients keeps a place for it */
	c.max_recipients = 2;
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	assert_int_equal(t.nto + t.ncc, 2);
	assert_string_equal(t.to[0].addr, "abuse@example.net");
	assert_string_equal(t.cc[t.ncc - 1].addr, "jose@bigisp.example");
	sw_memo_text_free(&t);

	/* with room for one recipient only, the network comes first */
	c.max_recipients = 1;
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	assert_int_equal(t.nto, 1);
	assert_int_equal(t.ncc, 0);
	sw_memo_text_free(&t);

	/* already a recipient: not twice; not a usable address: not at all */
	c.max_recipients = 8;
	strcpy(c.cc_self, "abuse@example.net");
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	assert_int_equal(t.nto + t.ncc, 3);
	sw_memo_text_free(&t);
	strcpy(c.cc_self, "me@x.example\r\nBcc: victim@y.example");
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	assert_int_equal(t.nto + t.ncc, 3);
	sw_memo_text_free(&t);

	/* none set: no copy */
	c.cc_self[0] = '\0';
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	for (size_t i = 0; i < t.ncc; i++)
		assert_string_not_equal(t.cc[i].addr, "jose@bigisp.example");
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

/* A recurring netblock copies its origin's upstreams (issue 16): in Cc,
 * through the recipients' checks, with the sentence saying why; a first
 * memo, an upstream without an abuse contact or with
 * a hostile one: never. */
static void test_upstreams_copied(void **state)
{
	struct sw_memo m;
	struct sw_memo_text t;
	struct sw_reporter_conf c;
	char err[256];
	(void)state;

	set_tz("UTC");
	model(&m, "host_sweep", T_NOV, false);
	contact(&m.whois, "abuse@example.net", SW_CONTACT_ABUSE_MAILBOX);
	m.whois.origin_as = 64500;
	m.whois.nupstreams = 4;
	m.whois.upstreams[0].asn = 64501;
	strcpy(m.whois.upstreams[0].abuse, "abuse@transit.example");
	m.whois.upstreams[1].asn = 64502;       /* no abuse contact found */
	m.whois.upstreams[2].asn = 64503;
	strcpy(m.whois.upstreams[2].abuse, "evil@x.example\r\nBcc: victim@y.example");
	m.whois.upstreams[3].asn = 64504;
	strcpy(m.whois.upstreams[3].abuse, "abuse@example.net"); /* already To */
	identity(&c);

	/* not recurring (a first memo): nobody else */
	m.recent_memos = 1;
	m.recurring_days = 30;
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	assert_int_equal(t.ncc, 0);
	assert_int_equal(t.ncc_upstream, 0);
	assert_null(strstr(body(&t), "upstream"));
	sw_memo_text_free(&t);

	m.recurring = true;
	m.recent_memos = 3;
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	assert_int_equal(t.nto, 1);
	assert_int_equal(t.ncc, 1);
	assert_string_equal(t.cc[0].addr, "abuse@transit.example");
	assert_non_null(strstr(t.cc[0].why, "upstream provider AS64501 of AS64500"));
	assert_int_equal(t.ncc_upstream, 1);
	assert_non_null(strstr(body(&t), "This is the 3rd memo we have written about this range "
				"in the last 30 days, and the traffic has not stopped, so I have "
				"copied the abuse contact of your upstream provider, AS64501 "
				"(abuse@transit.example), as the routing policy of AS64500 in the "
				"registry names it."));
	assert_null(strstr(body(&t), "victim"));
	/* after the earlier memos' paragraph, before what we saw */
	assert_true(strstr(body(&t), "This is the 3rd memo") < strstr(body(&t), "What we saw:"));
	sw_memo_text_free(&t);

	/* two of them: both named */
	strcpy(m.whois.upstreams[1].abuse, "abuse@six.example");
	m.recent_memos = 11;
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	assert_int_equal(t.ncc_upstream, 2);
	assert_non_null(strstr(body(&t), "This is the 11th memo"));
	assert_non_null(strstr(body(&t), "the abuse contacts of your upstream providers, AS64501 "
				"(abuse@transit.example) and AS64502 (abuse@six.example), as the "
				"routing policy of AS64500 in the registry names them."));
	sw_memo_text_free(&t);

	/* within max_recipients */
	c.max_recipients = 2;
	assert_int_equal(sw_memo_compose(&m, &c, "UTC", &t, err, sizeof err), 0);
	assert_int_equal(t.nto + t.ncc, 2);
	assert_int_equal(t.ncc_upstream, 1);
	assert_non_null(strstr(body(&t), "the abuse contact of your upstream provider, AS64501"));
	sw_memo_text_free(&t);
	sw_memo_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abuse_mailbox_first),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_subject_and_body),
		cmocka_unit_test(test_subject_activities),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_dst_change),
		cmocka_unit_test(test_line_type_and_login),
		cmocka_unit_test(test_compromise),
		cmocka_unit_test(test_many_sources),
		cmocka_unit_test(test_decoys),
		cmocka_unit_test(test_registry_text_plain),
		cmocka_unit_test(test_recurrence),
		cmocka_unit_test(test_cc_self),
		cmocka_unit_test(test_upstreams_copied),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
