/*
 * settings.c - the [reporter] section of spanwatch.conf (see settings.h).
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "settings.h"
#include "util.h"
#include "whois_hosts.h"

#define K(name, type, field, lo, hi, help) \
	{ "reporter", name, type, offsetof(struct sw_reporter_conf, field), \
	  sizeof(((struct sw_reporter_conf *)0)->field), lo, hi, 0, help }

#define C(name, type, field, help) \
	{ "cert", name, type, offsetof(struct sw_reporter_conf, field), \
	  sizeof(((struct sw_reporter_conf *)0)->field), 0, 0, 0, help }

static const struct sw_cfg_key reporter_keys[] = {
	K("name", SW_CFG_STRING, name, 0, 0, "your name, as the memo is signed"),
	K("email", SW_CFG_STRING, email, 0, 0, "your address: the memo's From and where answers go"),
	K("cc_self", SW_CFG_STRING, cc_self, 0, 0,
	  "send a copy of every memo to this address of ours (Cc); empty: none"),
	K("organization", SW_CFG_STRING, organization, 0, 0, "your organisation"),
	K("role", SW_CFG_STRING, role, 0, 0, "your role in it, e.g. network administrator"),
	K("website", SW_CFG_STRING, website, 0, 0, "a line under the signature"),
	K("pgp_key_url", SW_CFG_STRING, pgp_key_url, 0, 0, "where your PGP key can be fetched"),
	K("sign_key", SW_CFG_STRING, sign_key, 0, 0,
	  "sign every memo with this GPG key (PGP/MIME); empty: unsigned"),
	K("timezone", SW_CFG_STRING, timezone, 0, 0,
	  "zone the memo's times are written in, e.g. America/New_York; empty: TZ or local"),
	K("cooldown_days", SW_CFG_UINT, cooldown_days, 0, 365,
	  "a netblock gets another memo only after this many days (and new incidents)"),
	K("max_netblocks", SW_CFG_UINT, max_netblocks, 0, 1000000,
	  "netblocks handled per run, most severe first; the rest wait (0: all)"),
	K("evidence_lines", SW_CFG_UINT, evidence_lines, 1, 200, "log lines quoted per source"),
	K("max_recipients", SW_CFG_UINT, max_recipients, 1, 32, "at most this many To + Cc"),
	K("whois_ttl_days", SW_CFG_UINT, whois_ttl_days, 0, 365,
	  "a cached whois answer is used this long before asking again"),
	K("whois_partial_ttl_hours", SW_CFG_UINT, whois_partial_ttl_hours, 0, 8760,
	  "a partial whois answer (a referral that did not answer) is used this long"),
	K("whois_timeout_ms", SW_CFG_UINT, whois_timeout_ms, 100, 120000,
	  "connect and read timeout of one whois query"),
	K("whois_pace_ms", SW_CFG_UINT, whois_pace_ms, 0, 60000,
	  "at least this long between two queries to one whois server"),
	K("whois_max_hops", SW_CFG_UINT, whois_max_hops, 1, 6, "referrals followed per lookup"),
	K("whois_max_kib", SW_CFG_UINT, whois_max_kib, 4, 4096, "largest whois answer kept"),
	K("domain_whois", SW_CFG_BOOL, domain_whois, 0, 0,
	  "also ask domain whois for the contacts of the reverse-DNS name's domain"),
	K("asn_server", SW_CFG_STRING, asn_server, 0, 0,
	  "IP-to-ASN whois service HOST[:PORT] in Team Cymru's format (whois.cymru.com), "
	  "asked for the origin AS when the registry showed no route object; empty: never"),
	K("upstreams", SW_CFG_BOOL, upstreams, 0, 0,
	  "ask the origin AS's aut-num for its upstreams (import: ... accept ANY) and their "
	  "abuse contacts (default no: up to five more queries per lookup)"),
	K("recurring_reports", SW_CFG_UINT, recurring_reports, 0, 1000,
	  "a netblock with this many memos (this one included) within recurring_days, "
	  "still active, is recurring: its upstreams' abuse contacts are copied (0: never; "
	  "at least 2)"),
	K("recurring_days", SW_CFG_UINT, recurring_days, 1, 3650,
	  "the window recurring_reports counts memos in"),
	K("rdap", SW_CFG_BOOL, rdap, 0, 0,
	  "ask RDAP (HTTPS) first for addresses and domains, port 43 as the fallback"),
	K("rdap_bootstrap", SW_CFG_STRING, rdap_bootstrap, 0, 0,
	  "directory of IANA's RDAP bootstrap files; empty: the installed copy"),
	K("rdap_ca_file", SW_CFG_STRING, rdap_ca_file, 0, 0,
	  "CA certificates for RDAP servers; empty: the system store"),
	K("rdap_bootstrap_url", SW_CFG_STRING, rdap_bootstrap_url, 0, 0,
	  "where --rdap-refresh fetches the bootstrap files from"),
	K("reverse_dns", SW_CFG_BOOL, reverse_dns, 0, 0, "look up the sources' names (PTR)"),
	K("dns_server", SW_CFG_STRING, dns_server, 0, 0,
	  "name server HOST[:PORT] for reverse DNS; empty: the system resolver"),
	K("dns_timeout_ms", SW_CFG_UINT, dns_timeout_ms, 100, 60000, "timeout of one DNS query"),
	K("sendmail", SW_CFG_STRING, sendmail, 0, 0,
	  "command that --send gives each message to on its standard input"),

	C("escalate", SW_CFG_BOOL, cert_escalate,
	  "write a second memo to CSIRTs when one of our hosts was compromised or used against others"),
	C("our_csirt", SW_CFG_STRING, cert_our_csirt,
	  "our own CSIRT, 'Team <address>' or an address: every CERT memo goes to it; empty: none"),
	C("table", SW_CFG_STRING, cert_table,
	  "country -> national CERT table (CC, team, address, source; tab-separated); empty: the installed one"),
	C("local_table", SW_CFG_STRING, cert_local_table,
	  "a table of our own in the same format: its countries override or extend the table's"),

	SW_DB_CONF_KEYS(struct sw_reporter_conf, db),
};

void sw_reporter_conf_defaults(struct sw_reporter_conf *c)
{
	memset(c, 0, sizeof *c);
	c->cooldown_days = 7;
	c->max_netblocks = 100;
	c->evidence_lines = 12;
	c->max_recipients = 8;
	c->whois_ttl_days = 7;
	c->whois_partial_ttl_hours = 24;
	c->whois_timeout_ms = 10000;
	c->whois_pace_ms = 1000;
	c->whois_max_hops = 4;
	c->whois_max_kib = 256;
	c->domain_whois = true;
	c->recurring_reports = 3;
	c->recurring_days = 30;
	c->rdap = true;
	snprintf(c->rdap_bootstrap_url, sizeof c->rdap_bootstrap_url, "%s",
		 "https://data.iana.org/rdap/");
	c->reverse_dns = true;
	c->cert_escalate = true;
	c->dns_timeout_ms = 3000;
	snprintf(c->sendmail, sizeof c->sendmail, "sendmail -t -oi");
	sw_db_conf_defaults(&c->db);
}

int sw_reporter_conf_load(struct sw_reporter_conf *c, const char *path, char *err, size_t errlen)
{
	unsigned lines[SW_ARRAY_LEN(reporter_keys)];

	if (sw_config_load(path, reporter_keys, SW_ARRAY_LEN(reporter_keys), c, lines, err,
	                   errlen) < 0)
		return -1;
	/* the addresses' lines, for the checks made once --from has had its say */
	for (size_t i = 0; i < SW_ARRAY_LEN(reporter_keys); i++) {
		if (!strcmp(reporter_keys[i].name, "email"))
			c->email_line = lines[i];
		if (!strcmp(reporter_keys[i].name, "cc_self"))
			c->cc_self_line = lines[i];
		if (!strcmp(reporter_keys[i].name, "asn_server") && c->asn_server[0]) {
			char host[SW_WHOIS_HOSTLEN], safe[300];
			const char *why = NULL;
			uint16_t port;
			if (!sw_whois_hostport_parse(c->asn_server, host, &port, SW_WHOIS_PORT, &why)) {
				sw_sanitize(safe, sizeof safe, c->asn_server, (size_t)-1);
				sw_fmt(err, errlen, "%s:%u: [reporter] asn_server: '%s': %s", path,
				       lines[i], safe, why);
				return -1;
			}
		}
		/* a first memo never copies the upstreams */
		if (!strcmp(reporter_keys[i].name, "recurring_reports") && c->recurring_reports == 1) {
			sw_fmt(err, errlen, "%s:%u: [reporter] recurring_reports: 1 would copy the "
			       "upstreams on a first memo; 0 (never) or at least 2", path, lines[i]);
			return -1;
		}
		if (!strcmp(reporter_keys[i].name, "our_csirt"))
			c->cert_our_csirt_line = lines[i];
	}
	return 0;
}
