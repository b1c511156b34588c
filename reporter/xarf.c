/*
 * xarf.c - the X-ARF v4 report (JSON) for one offending source, written by
 * hand (see xarf.h, and tests/data/xarf/ for the schemas it follows:
 * xarf-core.json plus types/connection-*.json).
 *
 * Every value is an escaped JSON string or a number we computed, never raw
 * text: '"', '\\' and control bytes are escaped (\u00XX), valid UTF-8 passes
 * through, invalid bytes become U+FFFD, so a hostile whois or log field
 * cannot end a string or make the document invalid. Strings the schema
 * limits (description 1000, org 200 characters) are cut at a character.
 *
 * sw_xarf_for_memo fills the report's fields from a memo's incidents (one
 * report per source incident) and the reporter's identity.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "xarf.h"
#include "siphash.h"
#include "timefmt.h"
#include "util.h"

#define XARF_VERSION "4.0.0"
#define DESCRIPTION_MAX 1000      /* xarf-core.json: description maxLength */
#define ORG_MAX 200               /* contact_info.org maxLength */
#define EVIDENCE_DESC_MAX 500     /* evidence_item.description maxLength */
#define EVIDENCE_MAX_BYTES 5242880 /* evidence_item.size maximum */

struct jw {
	struct sw_buf *o;
	int depth;
	bool first;     /* no member written yet at this depth */
};

/* s as a JSON string of at most maxchars characters (0: no limit). */
static void json_string(struct sw_buf *o, const char *str, size_t maxchars)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n = strlen((const char *)s), chars = 0;

	sw_buf_addc(o, '"');
	for (size_t i = 0; i < n && (maxchars == 0 || chars < maxchars); chars++) {
		size_t k = sw_utf8_seq(s + i, n - i, NULL);

		if (k == 0) {
			sw_buf_adds(o, "\xef\xbf\xbd");
			i++;
		} else if (s[i] == '"' || s[i] == '\\') {
			sw_buf_addc(o, '\\');
			sw_buf_addc(o, (char)s[i]);
			i++;
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			sw_buf_printf(o, "\\u%04x", s[i]);
			i++;
		} else {
			sw_buf_add(o, s + i, k);
			i += k;
		}
	}
	sw_buf_addc(o, '"');
}

static void jw_member(struct jw *w, const char *key)
{
	if (!w->first)
		sw_buf_addc(w->o, ',');
	w->first = false;
	sw_buf_addc(w->o, '\n');
	for (int i = 0; i < w->depth; i++)
		sw_buf_adds(w->o, "  ");
	if (key) {
		json_string(w->o, key, 0);
		sw_buf_adds(w->o, ": ");
	}
}

static void jw_str(struct jw *w, const char *key, const char *val, size_t maxchars)
{
	jw_member(w, key);
	json_string(w->o, val, maxchars);
}

static void jw_num(struct jw *w, const char *key, unsigned long long v)
{
	jw_member(w, key);
	sw_buf_printf(w->o, "%llu", v);
}

static void jw_time(struct jw *w, const char *key, int64_t us)
{
	char iso[SW_ISO_LEN];

	jw_str(w, key, sw_iso_utc(us, iso, sizeof(iso)), 0);
}

static void jw_open(struct jw *w, const char *key, char bracket)
{
	jw_member(w, key);
	sw_buf_addc(w->o, bracket);
	w->depth++;
	w->first = true;
}

static void jw_close(struct jw *w, char bracket)
{
	w->depth--;
	if (!w->first) {
		sw_buf_addc(w->o, '\n');
		for (int i = 0; i < w->depth; i++)
			sw_buf_adds(w->o, "  ");
	}
	sw_buf_addc(w->o, bracket);
	w->first = false;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static void contact(struct jw *w, const char *key, const char *org,
		    const char *email, const char *domain)
{
	jw_open(w, key, '{');
	jw_str(w, "org", org, ORG_MAX);
	jw_str(w, "contact", email, 0);
	jw_str(w, "domain", domain, 0);
	jw_close(w, '}');
}

/* The log lines as one text/plain evidence item (base64, as the schema
 * says), cut at a whole line before the 5 MiB an item may hold. */
static void evidence(struct jw *w, const struct sw_xarf_input *in)
{
	struct sw_buf text = SW_BUF_INIT, b64 = SW_BUF_INIT;

	for (size_t i = 0; i < in->nevidence; i++) {
		const char *line = or_empty(in->evidence[i]);
		size_t n = strlen(line);

		if (text.len + n + 1 > EVIDENCE_MAX_BYTES)
			break;
		sw_buf_add(&text, line, n);
		sw_buf_addc(&text, '\n');
	}
	sw_base64(&b64, text.data ? text.data : "", text.len);
	jw_open(w, "evidence", '[');
	jw_open(w, NULL, '{');
	jw_str(w, "content_type", "text/plain", 0);
	jw_str(w, "description", "Log lines of the sensor about this source", EVIDENCE_DESC_MAX);
	jw_str(w, "payload", sw_buf_str(&b64), 0);
	jw_num(w, "size", text.len);
	jw_close(w, '}');
	jw_close(w, ']');
	if (!sw_buf_ok(&text) || !sw_buf_ok(&b64))
		w->o->failed = true;
	sw_buf_free(&text);
	sw_buf_free(&b64);
}

static const char *sender_domain(const struct sw_xarf_input *in)
{
	const char *at = in->sender_email ? strrchr(in->sender_email, '@') : NULL;

	return at && at[1] ? at + 1 : or_empty(in->reporter_domain);
}

int sw_xarf_json(const struct sw_xarf_input *in, struct sw_buf *out)
{
	struct jw w = { out, 0, true };
	const char *type = or_empty(in->type);

	jw_open(&w, NULL, '{');
	jw_str(&w, "xarf_version", XARF_VERSION, 0);
	jw_str(&w, "report_id", in->report_id, 0);
	jw_time(&w, "timestamp", in->timestamp_us);
	contact(&w, "reporter", in->reporter_org, in->reporter_contact, in->reporter_domain);
	contact(&w, "sender",
		in->sender_name && *in->sender_name ? in->sender_name : in->reporter_org,
		in->sender_email && *in->sender_email ? in->sender_email : in->reporter_contact,
		in->sender_email && *in->sender_email ? sender_domain(in) : in->reporter_domain);
	jw_str(&w, "source_identifier", in->source_ip, 0);
	if (in->source_port > 0 && in->source_port <= 65535)
		jw_num(&w, "source_port", in->source_port);
	jw_str(&w, "category", "connection", 0);
	jw_str(&w, "type", type, 0);
	jw_str(&w, "evidence_source", "ids_detection", 0);
	if (in->destination_ip && *in->destination_ip)
		jw_str(&w, "destination_ip", in->destination_ip, 0);
	if (in->destination_port > 0 && in->destination_port <= 65535)
		jw_num(&w, "destination_port", in->destination_port);
	jw_str(&w, "protocol", in->protocol ? in->protocol : "tcp", 0);
	jw_time(&w, "first_seen", in->first_seen_us);
	if (in->last_seen_us >= in->first_seen_us && in->last_seen_us > 0)
		jw_time(&w, "last_seen", in->last_seen_us);
	if (strcmp(type, "reconnaissance") == 0) {
		/* required there: what was probed, as far as a sensor knows it */
		jw_open(&w, "probed_resources", '[');
		if (in->destination_port > 0 && in->destination_port <= 65535) {
			char res[32];

			snprintf(res, sizeof(res), "%.8s/%u",
				 in->protocol ? in->protocol : "tcp", in->destination_port);
			jw_str(&w, NULL, res, 0);
		}
		jw_close(&w, ']');
	}
	if (in->packets > 0 && strcmp(type, "ddos") == 0)
		jw_num(&w, "total_packets", in->packets);
	else if (in->packets > 0)
		jw_num(&w, "packets_sent", in->packets);
	if (in->ports > 0)
		jw_num(&w, "ports_probed", in->ports);
	if (in->source_asn != 0) {
		char tag[32];

		jw_num(&w, "source_asn", in->source_asn);
		snprintf(tag, sizeof(tag), "origin-as:as%lu", (unsigned long)in->source_asn);
		jw_open(&w, "tags", '[');
		jw_str(&w, NULL, tag, 0);
		jw_close(&w, ']');
	}
	if (in->description && *in->description)
		jw_str(&w, "description", in->description, DESCRIPTION_MAX);
	if (in->nevidence > 0)
		evidence(&w, in);
	jw_close(&w, '}');
	sw_buf_addc(out, '\n');
	return sw_buf_ok(out) ? 0 : -1;
}

/* ---- from a memo --------------------------------------------------------- */

/* The X-ARF type of an incident, by its first detection. */
static const char *xarf_type(const struct sw_memo_detection *d)
{
	if (!strcmp(d->kind, "login_attempts"))
		return "login_attack";
	if (strstr(d->kind, "_flood"))
		return "ddos";
	if (!strcmp(d->kind, "ping_sweep"))
		return "reconnaissance";
	return "port_scan";
}

/* The source port of the first quoted evidence line ("SRC:PORT -> ..."). */
static unsigned source_port(const struct sw_memo_incident *inc)
{
	const char *arrow, *colon;

	if (inc->nev == 0 || !(arrow = strstr(inc->ev[0].text, " -> ")))
		return 0;
	for (colon = arrow; colon > inc->ev[0].text && colon[-1] != ':' && colon[-1] != ' ';
	     colon--)
		;
	if (colon == inc->ev[0].text || colon[-1] != ':')
		return 0;
	return (unsigned)strtoul(colon, NULL, 10);
}

int sw_xarf_for_memo(const struct sw_memo *m, const struct sw_reporter_conf *conf,
		     int64_t now_us, struct sw_buf *parts, size_t *nparts, size_t max)
{
	const char *at = strchr(conf->email, '@');

	*nparts = 0;
	for (size_t i = 0; i < m->ninc && *nparts < max; i++) {
		const struct sw_memo_incident *inc = &m->inc[i];
		const char *lines[SW_MEMO_MAX_EVIDENCE];
		struct sw_xarf_input x;
		char id[64], ev[SW_MEMO_MAX_EVIDENCE][300], when[SW_ISO_LEN];
		uint64_t h;

		if (inc->ndets == 0)
			continue;
		memset(&x, 0, sizeof x);
		h = sw_siphash(&(struct sw_sipkey){ (uint64_t)inc->id, (uint64_t)now_us },
			       m->netblock, strlen(m->netblock));
		/* a UUID (version 4 layout) derived from the incident and the clock */
		sw_fmt(id, sizeof id, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(h >> 32),
		       (unsigned)(h >> 16) & 0xffff, (unsigned)h & 0xfff,
		       (unsigned)(inc->id & 0xfff), (unsigned long long)(h ^ (uint64_t)inc->id) &
		       0xffffffffffffull);
		for (size_t k = 0; k < inc->nev && k < SW_MEMO_MAX_EVIDENCE; k++) {
			sw_iso_utc(inc->ev[k].ts, when, sizeof when);
			sw_fmt(ev[k], sizeof ev[k], "%s %s", when, inc->ev[k].text);
			lines[k] = ev[k];
		}
		x.report_id = id;
		x.timestamp_us = now_us;
		x.reporter_org = conf->organization[0] ? conf->organization : conf->name;
		x.reporter_contact = conf->email;
		x.reporter_domain = at ? at + 1 : "localhost";
		x.sender_name = conf->name[0] ? conf->name : conf->organization;
		x.sender_email = conf->email;
		x.type = xarf_type(&inc->dets[0]);
		x.source_ip = inc->src;
		x.source_port = source_port(inc);
		x.destination_ip = inc->dets[0].target[0] ? inc->dets[0].target : NULL;
		x.destination_port = inc->dets[0].port;
		x.protocol = inc->dets[0].proto[0] ? inc->dets[0].proto : "tcp";
		x.first_seen_us = inc->first_seen;
		x.last_seen_us = inc->last_seen;
		x.packets = inc->packets;
		x.ports = inc->ports;
		x.evidence = lines;
		x.nevidence = inc->nev < SW_MEMO_MAX_EVIDENCE ? inc->nev : SW_MEMO_MAX_EVIDENCE;
		x.description = inc->reasons;
		/* the origin AS of the lookup's route, when it covers this source */
		struct sw_addr sa;
		if (m->whois_ok && m->whois.origin_as != 0 && sw_addr_parse(inc->src, &sa) &&
		    sw_prefix_contains(&m->whois.origin_route, &sa))
			x.source_asn = m->whois.origin_as;
		if (sw_xarf_json(&x, &parts[*nparts]) < 0)
			return -1;
		(*nparts)++;
	}
	return 0;
}
