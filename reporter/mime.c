/*
 * mime.c - turning a memo into a message (see mime.h): the Date, the body
 * encodings, the entities, the message in each output format and the
 * PGP/MIME envelope around a signed entity. Header fields are mailhdr.c's.
 *
 * Bodies are sent as 7bit when they are printable ASCII with lines of at
 * most 998 bytes, otherwise as quoted-printable. Quoted-printable rather
 * than 8bit was chosen because it is lossless (nothing has to be wrapped),
 * 7-bit clean for any relay, and what RFC 3156 needs for a signature to
 * survive transport; signed parts are therefore always quoted-printable,
 * with trailing white space and a leading "From " encoded too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "encode.h"
#include "mime.h"
#include "sign.h"
#include "timefmt.h"
#include "siphash.h"
#include "util.h"

#define BODY_LINE_MAX 998 /* RFC 5322: MUST be at most 998 characters */
#define QP_COLS 76       /* RFC 2045: encoded lines at most 76 characters */

/* ---- dates ----------------------------------------------------------------- */

static const char *const wday_name[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const mon_name[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* "Fri, 27 Nov 2026 11:49:41 -0500": English names whatever the locale,
 * the numeric offset of the local zone (TZ) at that instant. */
static bool rfc5322_date(int64_t us, char *buf, size_t len)
{
	struct tm tm;
	char zone[16];

	if (!sw_local_tm(us, &tm))
		return false;
	sw_utc_offset(tm.tm_gmtoff, false, zone, sizeof zone);
	return sw_fmt(buf, len, "%s, %d %s %04d %02d:%02d:%02d %s",
		      wday_name[tm.tm_wday], tm.tm_mday, mon_name[tm.tm_mon],
		      tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, zone);
}

/* The mbox separator's asctime() layout: "Fri Nov 27 11:49:41 2026". */
static bool asctime_date(int64_t us, char *buf, size_t len)
{
	struct tm tm;

	if (!sw_local_tm(us, &tm))
		return false;
	return sw_fmt(buf, len, "%s %s %2d %02d:%02d:%02d %d", wday_name[tm.tm_wday],
		      mon_name[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
		      tm.tm_sec, tm.tm_year + 1900);
}

/* ---- bodies ---------------------------------------------------------------- */

/* Printable ASCII (and tabs) in lines of at most BODY_LINE_MAX bytes. */
static bool body_7bit(const char *s)
{
	size_t col = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n') {
			col = 0;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c >= 0x7f || ++col > BODY_LINE_MAX)
			return false;
	}
	return true;
}

/* LF lines as CRLF lines, always ending in CRLF. */
static void add_crlf_lines(struct sw_buf *o, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			sw_buf_addc(o, '\r');
		sw_buf_addc(o, s[i]);
	}
	if (n == 0 || s[n - 1] != '\n')
		sw_buf_adds(o, "\r\n");
}

/* ^>*From : a line an mbox reader would take for a separator or unquote */
static bool from_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == '>')
		i++;
	return n - i >= 5 && memcmp(s + i, "From ", 5) == 0;
}

static void qp_token(struct sw_buf *o, size_t *col, const char *tok, size_t len)
{
	if (*col + len > QP_COLS - 1) {   /* room for the soft break's '=' */
		sw_buf_adds(o, "=\r\n");
		*col = 0;
	}
	sw_buf_add(o, tok, len);
	*col += len;
}

/* RFC 2045 quoted-printable of LF-ended text, CRLF lines of at most 76
 * characters; white space at a line's end, '=' and anything not printable
 * ASCII encoded, and the first character of a "From " line too. */
static void add_qp(struct sw_buf *o, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (s + i)) : n - i, col = 0;
		bool quote_first = from_line(s + i, len);

		for (size_t j = 0; j < len; j++) {
			unsigned char c = (unsigned char)s[i + j];
			bool lit = (c >= 33 && c <= 126 && c != '=') ||
				   ((c == ' ' || c == '\t') && j + 1 < len);
			char enc[4];

			if (j == 0 && quote_first)
				lit = false;
			if (lit) {
				qp_token(o, &col, (const char *)&s[i + j], 1);
			} else {
				snprintf(enc, sizeof(enc), "=%02X", c);
				qp_token(o, &col, enc, 3);
			}
		}
		sw_buf_adds(o, "\r\n");
		i += len + (nl ? 1 : 0);
	}
	if (n == 0)
		sw_buf_adds(o, "\r\n");
}

/* Content-Transfer-Encoding and the body, after its headers. */
static void add_body(struct sw_buf *o, const char *body, bool force_qp)
{
	if (!force_qp && body_7bit(body)) {
		sw_buf_adds(o, "Content-Transfer-Encoding: 7bit\r\n\r\n");
		add_crlf_lines(o, body);
	} else {
		sw_buf_adds(o, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		add_qp(o, body);
	}
}

static void text_entity(struct sw_buf *o, const char *body, bool force_qp)
{
	sw_buf_adds(o, "Content-Type: text/plain; charset=utf-8\r\n");
	add_body(o, body, force_qp);
}

/* ---- multipart ------------------------------------------------------------ */

/* A boundary that occurs in none of the parts: derived from the message
 * (so renders are reproducible) and changed until it is absent. "=_" never
 * occurs in quoted-printable text, and every part is checked anyway. */
static void pick_boundary(char *b, size_t blen, const char *seed,
			  const char *const *parts, size_t nparts)
{
	static const struct sw_sipkey key = { 0x7370616e77617463ULL, 0x682d6d696d650000ULL };
	uint64_t h = sw_siphash(&key, seed, strlen(seed));

	for (uint64_t salt = 0;; salt++) {
		bool clash = false;

		sw_fmt(b, blen, "=_spanwatch_%016llx_%llu", (unsigned long long)h,
		       (unsigned long long)salt);
		for (size_t i = 0; i < nparts && !clash; i++)
			clash = strstr(parts[i], b) != NULL;
		if (!clash)
			return;
	}
}

/* multipart/mixed: the memo, then one JSON attachment per X-ARF report. */
static void xarf_entity(struct sw_buf *o, const struct sw_mail *m, bool force_qp)
{
	struct sw_buf text = SW_BUF_INIT;
	struct sw_buf *json = calloc(m->nxarf ? m->nxarf : 1, sizeof(*json));
	const char **parts = calloc(m->nxarf + 1, sizeof(*parts));
	char boundary[80];

	if (!json || !parts) {
		o->failed = true;
		goto out;
	}
	text_entity(&text, m->body ? m->body : "", force_qp);
	parts[0] = sw_buf_str(&text);
	for (size_t i = 0; i < m->nxarf; i++) {
		sw_buf_printf(&json[i], "Content-Type: application/json; charset=utf-8\r\n"
			      "Content-Disposition: attachment; filename=\"xarf-%zu.json\"\r\n",
			      i + 1);
		add_body(&json[i], m->xarf_json[i] ? m->xarf_json[i] : "", force_qp);
		parts[i + 1] = sw_buf_str(&json[i]);
		if (!sw_buf_ok(&json[i]))
			o->failed = true;
	}
	pick_boundary(boundary, sizeof(boundary),
		      m->message_id ? m->message_id : "", parts, m->nxarf + 1);
	sw_buf_printf(o, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n"
		      "This is a multi-part message in MIME format.\r\n", boundary);
	for (size_t i = 0; i < m->nxarf + 1; i++) {
		sw_buf_printf(o, "\r\n--%s\r\n", boundary);
		sw_buf_adds(o, parts[i]);
	}
	sw_buf_printf(o, "\r\n--%s--\r\n", boundary);
	if (!sw_buf_ok(&text))
		o->failed = true;
out:
	sw_buf_free(&text);
	for (size_t i = 0; json && i < m->nxarf; i++)
		sw_buf_free(&json[i]);
	free(json);
	free(parts);
}

/* RFC 3156: multipart/signed around the entity exactly as signed. */
static int signed_entity(struct sw_buf *o, const char *key, const struct sw_buf *entity,
			 const char *seed, char *err, size_t errlen)
{
	struct sw_buf sig = SW_BUF_INIT;
	char micalg[32], boundary[80];
	const char *parts[2];

	if (sw_pgp_sign(key, sw_buf_str(entity), entity->len, &sig, micalg,
			sizeof(micalg), err, errlen) != 0) {
		sw_buf_free(&sig);
		return -1;
	}
	parts[0] = sw_buf_str(entity);
	parts[1] = sw_buf_str(&sig);
	pick_boundary(boundary, sizeof(boundary), seed, parts, 2);
	sw_buf_printf(o, "Content-Type: multipart/signed; micalg=%s;\r\n"
		      " protocol=\"application/pgp-signature\";\r\n"
		      " boundary=\"%s\"\r\n\r\n"
		      "This is an OpenPGP/MIME signed message (RFC 4880 and 3156).\r\n"
		      "\r\n--%s\r\n", micalg, boundary, boundary);
	sw_buf_add(o, entity->data, entity->len);
	sw_buf_printf(o, "\r\n--%s\r\n"
		      "Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n"
		      "Content-Description: OpenPGP digital signature\r\n"
		      "Content-Disposition: attachment; filename=\"signature.asc\"\r\n"
		      "\r\n", boundary);
	add_crlf_lines(o, sw_buf_str(&sig));
	sw_buf_printf(o, "\r\n--%s--\r\n", boundary);
	sw_buf_free(&sig);
	return 0;
}

/* ---- whole messages --------------------------------------------------------- */

static void message_id_header(struct sw_buf *o, const char *id)
{
	struct sw_buf clean = SW_BUF_INIT;

	/* as given, but a Message-ID has no white space: printable ASCII only */
	for (const char *c = id; c && *c; c++)
		if ((unsigned char)*c > 0x20 && (unsigned char)*c < 0x7f)
			sw_buf_addc(&clean, *c);
	if (clean.len > 0 && clean.len < 990)
		sw_buf_printf(o, "Message-ID: %s\r\n", sw_buf_str(&clean));
	sw_buf_free(&clean);
}

static int render_eml(const struct sw_mail *m, bool xarf, struct sw_buf *o,
		      char *err, size_t errlen)
{
	struct sw_buf entity = SW_BUF_INIT;
	char date[64];
	bool sign = m->sign_key && *m->sign_key;
	int rc = 0;

	if (!rfc5322_date(m->date_us, date, sizeof(date))) {
		sw_fmt(err, errlen, "cannot express the date in the local zone");
		return -1;
	}
	sw_mail_address_list(o, "From", &m->from, 1);
	if (sw_mail_address_list(o, "To", m->to, m->nto) == 0)
		sw_buf_adds(o, "To: undisclosed-recipients:;\r\n");
	sw_mail_address_list(o, "Cc", m->cc, m->ncc);
	sw_mail_header(o, "Subject", m->subject);
	sw_buf_printf(o, "Date: %s\r\n", date);
	message_id_header(o, m->message_id);
	if (m->extra_header_name && m->extra_header_value)
		sw_mail_header(o, m->extra_header_name, m->extra_header_value);
	sw_buf_adds(o, "MIME-Version: 1.0\r\n");

	if (xarf)
		xarf_entity(&entity, m, sign);
	else
		text_entity(&entity, m->body ? m->body : "", sign);
	if (sign)
		rc = signed_entity(o, m->sign_key, &entity,
				   m->message_id ? m->message_id : date, err, errlen);
	else
		sw_buf_add(o, entity.data, entity.len);
	if (rc == 0 && !sw_buf_ok(&entity)) {
		sw_fmt(err, errlen, "out of memory");
		rc = -1;
	}
	sw_buf_free(&entity);
	return rc;
}

/* mboxrd: a "From " line, LF line ends, ^>*From  lines get one more '>',
 * an empty line after the message. */
static int render_mbox(const struct sw_mail *m, struct sw_buf *o, char *err, size_t errlen)
{
	struct sw_buf eml = SW_BUF_INIT;
	char when[64];
	const char *s;
	size_t n;

	if (!asctime_date(m->date_us, when, sizeof(when))) {
		sw_fmt(err, errlen, "cannot express the date in the local zone");
		return -1;
	}
	if (render_eml(m, false, &eml, err, errlen) != 0) {
		sw_buf_free(&eml);
		return -1;
	}
	sw_buf_printf(o, "From %s %s\n",
		      sw_mail_addr_ok(m->from.addr) ? m->from.addr : "MAILER-DAEMON", when);
	s = sw_buf_str(&eml);
	n = eml.len;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (s + i)) : n - i;

		if (from_line(s + i, len))
			sw_buf_addc(o, '>');
		if (len > 0 && s[i + len - 1] == '\r')
			sw_buf_add(o, s + i, len - 1);
		else
			sw_buf_add(o, s + i, len);
		sw_buf_addc(o, '\n');
		i += len + (nl ? 1 : 0);
	}
	sw_buf_addc(o, '\n');
	sw_buf_free(&eml);
	return 0;
}

/* Text safe for a terminal: valid UTF-8 passes, except C1 controls and the
 * bidirectional overrides; every other control byte and every invalid byte
 * becomes \xNN (\n and \t kept when keep_lines). */
static void add_terminal_text(struct sw_buf *o, const char *text, bool keep_lines)
{
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	size_t n = strlen((const char *)s);

	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = sw_utf8_seq(s + i, n - i, &cp);
		bool ok = k > 0 && (cp >= 0x20 || (keep_lines && (cp == '\n' || cp == '\t'))) &&
			  cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) &&
			  !(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069);

		if (ok) {
			sw_buf_add(o, s + i, k);
			i += k;
		} else {
			if (k == 0)
				k = 1;
			for (size_t j = 0; j < k; j++)
				sw_buf_printf(o, "\\x%02x", s[i + j]);
			i += k;
		}
	}
}

static void text_mailboxes(struct sw_buf *o, const char *field,
			   const struct sw_mailbox *mb, size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		if (!sw_mail_addr_ok(mb[i].addr))
			continue;
		sw_buf_adds(o, any ? ", " : field);
		if (!any)
			sw_buf_adds(o, ": ");
		any = true;
		if (mb[i].name && *mb[i].name) {
			add_terminal_text(o, mb[i].name, false);
			sw_buf_addc(o, ' ');
		}
		sw_buf_printf(o, "<%s>", mb[i].addr);
	}
	if (any)
		sw_buf_addc(o, '\n');
}

static int render_text(const struct sw_mail *m, struct sw_buf *o, char *err, size_t errlen)
{
	char date[64];
	const char *body = m->body ? m->body : "";

	if (!rfc5322_date(m->date_us, date, sizeof(date))) {
		sw_fmt(err, errlen, "cannot express the date in the local zone");
		return -1;
	}
	text_mailboxes(o, "From", &m->from, 1);
	text_mailboxes(o, "To", m->to, m->nto);
	text_mailboxes(o, "Cc", m->cc, m->ncc);
	/* shown as the bytes were, control bytes written out: evidence, not
	 * something for the terminal to act on */
	sw_buf_adds(o, "Subject: ");
	add_terminal_text(o, m->subject, false);
	sw_buf_printf(o, "\nDate: %s\n\n", date);
	add_terminal_text(o, body, true);
	if (*body == '\0' || body[strlen(body) - 1] != '\n')
		sw_buf_addc(o, '\n');
	return 0;
}

int sw_mail_render(const struct sw_mail *m, enum sw_mail_format fmt,
		   struct sw_buf *out, char *err, size_t errlen)
{
	int rc;

	if (!sw_mail_addr_ok(m->from.addr)) {
		sw_fmt(err, errlen, "the From address is not a plain e-mail address");
		return -1;
	}
	switch (fmt) {
	case SW_FMT_EML:
		rc = render_eml(m, false, out, err, errlen);
		break;
	case SW_FMT_XARF:
		rc = render_eml(m, true, out, err, errlen);
		break;
	case SW_FMT_MBOX:
		rc = render_mbox(m, out, err, errlen);
		break;
	case SW_FMT_TEXT:
		rc = render_text(m, out, err, errlen);
		break;
	default:
		sw_fmt(err, errlen, "unknown output format");
		return -1;
	}
	if (rc == 0 && !sw_buf_ok(out)) {
		sw_fmt(err, errlen, "out of memory");
		rc = -1;
	}
	return rc;
}
