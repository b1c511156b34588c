/*
 * mime.c - turning a memo into mail (see mime.h): header fields, address
 * lists, the Date, the message in each output format, the PGP/MIME
 * envelope around a signed entity, and the pipe to sendmail.
 *
 * Everything that ends up in a header may come from DNS, whois or packets,
 * so a header value is rebuilt, never copied: CR and LF are removed, every
 * other control byte becomes a space, runs of white space become one space,
 * invalid UTF-8 becomes U+FFFD. Words that are not plain printable ASCII,
 * that look like an encoded-word ("=?") or that are too long for a line go
 * into RFC 2047 encoded-words (UTF-8, Q or B, whichever is shorter, each at
 * most 75 characters, never splitting a UTF-8 sequence); lines are folded at
 * white space so that no header line is longer than 78 columns.
 *
 * Bodies are sent as 7bit when they are printable ASCII with lines of at
 * most 998 bytes, otherwise as quoted-printable. Quoted-printable rather
 * than 8bit was chosen because it is lossless (nothing has to be wrapped),
 * 7-bit clean for any relay, and what RFC 3156 needs for a signature to
 * survive transport; signed parts are therefore always quoted-printable,
 * with trailing white space and a leading "From " encoded too.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "encode.h"
#include "mime.h"
#include "sign.h"
#include "timefmt.h"
#include "siphash.h"
#include "util.h"

#define HDR_COLS 78      /* RFC 5322: lines SHOULD be at most 78 characters */
#define BODY_LINE_MAX 998 /* RFC 5322: MUST be at most 998 characters */
#define QP_COLS 76       /* RFC 2045: encoded lines at most 76 characters */
#define EW_MAX 75        /* RFC 2047: an encoded-word is at most 75 chars */
#define EW_OVERHEAD 12   /* "=?UTF-8?Q?" and "?=" */
#define PLAIN_WORD_MAX (HDR_COLS - 1) /* fits after the folding space */

/* ---- cleaning header values ---------------------------------------------- */

/* The value as one line of valid UTF-8 with single spaces (see the top). */
static void clean_value(struct sw_buf *o, const char *v)
{
	const unsigned char *s = (const unsigned char *)(v ? v : "");
	size_t n = strlen((const char *)s);
	bool space = false;

	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k;

		if (s[i] == '\r' || s[i] == '\n') {
			i++;
			continue;
		}
		if (s[i] < 0x20 || s[i] == ' ' || s[i] == 0x7f) {
			space = true;
			i++;
			continue;
		}
		k = sw_utf8_seq(s + i, n - i, &cp);
		if (k > 1 && cp < 0xa0) {       /* C1 controls: a space too */
			space = true;
			i += k;
			continue;
		}
		if (space && o->len > 0)
			sw_buf_addc(o, ' ');
		space = false;
		if (k == 0) {
			sw_buf_adds(o, "\xef\xbf\xbd");
			i++;
		} else {
			sw_buf_add(o, s + i, k);
			i += k;
		}
	}
}

/* ---- writing a folded header --------------------------------------------- */

struct hdr {
	struct sw_buf *out;
	size_t col;
};

static void hdr_begin(struct hdr *h, struct sw_buf *out, const char *name)
{
	h->out = out;
	sw_buf_adds(out, name);
	sw_buf_addc(out, ':');
	h->col = strlen(name) + 1;
}

/* One token (no white space to fold at inside it) after a space, or after
 * a fold when it would not fit on the current line. */
static void hdr_token(struct hdr *h, const char *tok, size_t len)
{
	if (h->col + 1 + len > HDR_COLS) {
		sw_buf_adds(h->out, "\r\n ");
		h->col = 1;
	} else {
		sw_buf_addc(h->out, ' ');
		h->col++;
	}
	sw_buf_add(h->out, tok, len);
	h->col += len;
}

static void hdr_end(struct hdr *h)
{
	sw_buf_adds(h->out, "\r\n");
}

static bool q_literal(unsigned char c)
{
	/* RFC 2047 section 5 (3): the set allowed even in a phrase */
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	       c == '-' || c == '/';
}

static size_t q_cost(unsigned char c)
{
	return q_literal(c) || c == ' ' ? 1 : 3;
}

static void q_put(struct sw_buf *o, unsigned char c)
{
	if (c == ' ')
		sw_buf_addc(o, '_');
	else if (q_literal(c))
		sw_buf_addc(o, (char)c);
	else
		sw_buf_printf(o, "=%02X", c);
}

/* Length of the UTF-8 sequence at s for splitting; clean_value() made the
 * text valid, so 0 cannot happen, but a split must never go below 1. */
static size_t char_len(const unsigned char *s, size_t n)
{
	size_t k = sw_utf8_seq(s, n, NULL);

	return k ? k : 1;
}

/* Text (valid UTF-8) as encoded-words, folded like tokens; each word gets as
 * much as fits on the current line, at most EW_MAX characters. */
static void hdr_encoded(struct hdr *h, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t qlen = 0, blen = (n + 2) / 3 * 4;
	bool use_q;
	struct sw_buf word = SW_BUF_INIT;

	for (size_t i = 0; i < n; i++)
		qlen += q_cost(s[i]);
	use_q = qlen <= blen;
	/* text that fits one encoded-word goes on the next line rather than
	 * being split: fewer words, and no reader can get the join wrong */
	if ((use_q ? qlen : blen) <= EW_MAX - EW_OVERHEAD &&
	    h->col + 1 + EW_OVERHEAD + (use_q ? qlen : blen) > HDR_COLS) {
		sw_buf_adds(h->out, "\r\n");
		h->col = 0;
	}
	for (size_t i = 0; i < n;) {
		size_t room = HDR_COLS - h->col - 1, payload, take = 0, used = 0;

		if (h->col + 1 + EW_OVERHEAD + 8 > HDR_COLS) {
			sw_buf_adds(h->out, "\r\n");
			h->col = 0;
			room = HDR_COLS - 1;
		}
		payload = room - EW_OVERHEAD;
		if (payload > EW_MAX - EW_OVERHEAD)
			payload = EW_MAX - EW_OVERHEAD;
		/* whole characters while the encoded text still fits */
		while (i + take < n) {
			size_t k = char_len(s + i + take, n - i - take), cost = 0;

			if (use_q) {
				for (size_t j = 0; j < k; j++)
					cost += q_cost(s[i + take + j]);
				if (used + cost > payload)
					break;
				used += cost;
			} else if ((take + k + 2) / 3 * 4 > payload) {
				break;
			}
			take += k;
		}
		if (take == 0) /* cannot happen with payload >= 12, but never loop */
			take = char_len(s + i, n - i);
		sw_buf_reset(&word);
		sw_buf_adds(&word, use_q ? "=?UTF-8?Q?" : "=?UTF-8?B?");
		if (use_q)
			for (size_t j = 0; j < take; j++)
				q_put(&word, s[i + j]);
		else
			sw_base64(&word, s + i, take);
		sw_buf_adds(&word, "?=");
		hdr_token(h, sw_buf_str(&word), word.len);
		i += take;
	}
	sw_buf_free(&word);
}

static bool plain_word(const char *w, size_t n)
{
	if (n == 0 || n > PLAIN_WORD_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)w[i] <= 0x20 || (unsigned char)w[i] >= 0x7f)
			return false;
		if (w[i] == '=' && i + 1 < n && w[i + 1] == '?')
			return false;
	}
	return true;
}

/* Unstructured text: plain words as they are, each run of words that need
 * encoding as encoded-words (the spaces between those words inside them,
 * because white space between two encoded-words is dropped by readers). */
static void hdr_text(struct hdr *h, const char *clean)
{
	const char *p = clean;

	while (*p) {
		const char *end = strchr(p, ' ');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (plain_word(p, n)) {
			hdr_token(h, p, n);
			p += n;
		} else {
			const char *run_end = p + n;

			while (*run_end == ' ') {
				const char *next = run_end + 1, *e2 = strchr(next, ' ');
				size_t n2 = e2 ? (size_t)(e2 - next) : strlen(next);

				if (plain_word(next, n2))
					break;
				run_end = next + n2;
			}
			hdr_encoded(h, p, (size_t)(run_end - p));
			p = run_end;
		}
		while (*p == ' ')
			p++;
	}
}

static bool header_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 60)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

void sw_mail_header(struct sw_buf *out, const char *name, const char *value)
{
	struct sw_buf clean = SW_BUF_INIT;
	struct hdr h;

	if (!header_name_ok(name))
		return; /* a name is ours, not data: a bad one is a bug, write nothing */
	clean_value(&clean, value);
	hdr_begin(&h, out, name);
	hdr_text(&h, sw_buf_str(&clean));
	hdr_end(&h);
	sw_buf_free(&clean);
}

/* ---- addresses ----------------------------------------------------------- */

static bool atext(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || strchr("!#$%&'*+-/=?^_`{|}~", c);
}

bool sw_mail_addr_ok(const char *addr)
{
	const char *at;
	size_t n, local;

	if (!addr)
		return false;
	n = strlen(addr);
	at = strchr(addr, '@');
	if (n == 0 || n > 254 || !at || strchr(at + 1, '@'))
		return false;
	local = (size_t)(at - addr);
	if (local == 0 || local > 64 || addr[0] == '.' || at[-1] == '.')
		return false;
	for (size_t i = 0; i < local; i++) {
		if (addr[i] == '.' ? addr[i + 1] == '.' : !atext(addr[i]))
			return false;
	}
	/* the domain: at least two labels of letters, digits and hyphens (1-63
	 * long, no hyphen at either end), the last one letters (or an IDN's
	 * xn--) and at least two long */
	const char *label = at + 1, *last = label;
	unsigned labels = 0;
	for (const char *p = label;; p++) {
		if (*p == '.' || *p == '\0') {
			size_t len = (size_t)(p - label);
			if (len == 0 || len > 63 || label[0] == '-' || p[-1] == '-')
				return false;
			labels++;
			last = label;
			if (*p == '\0')
				break;
			label = p + 1;
		} else if (!isalnum((unsigned char)*p) && *p != '-') {
			return false;
		}
	}
	if (labels < 2 || strlen(last) < 2)
		return false;
	if (strncasecmp(last, "xn--", 4) != 0)
		for (const char *p = last; *p; p++)
			if (!isalpha((unsigned char)*p))
				return false;
	return true;
}

/* A display name (RFC 5322 phrase): runs of short printable-ASCII words
 * as one quoted-string (split into tokens at its spaces, so it folds
 * there), runs of the other words as encoded-words. One encoded-word per
 * run where it fits: some readers (Python's email) keep the white space
 * between two encoded-words in a phrase, which RFC 2047 says to drop. */
#define PHRASE_WORD_MAX 35 /* quoted and escaped, still fits a line */

static bool phrase_plain(const char *w, size_t n)
{
	return n <= PHRASE_WORD_MAX && plain_word(w, n);
}

static void hdr_phrase(struct hdr *h, const char *clean)
{
	struct sw_buf tok = SW_BUF_INIT;
	const char *p = clean;

	while (*p) {
		const char *end = strchr(p, ' ');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		bool plain = phrase_plain(p, n);
		const char *run_end = p + n;

		/* the run of words of the same kind */
		while (*run_end == ' ') {
			const char *next = run_end + 1, *e2 = strchr(next, ' ');
			size_t n2 = e2 ? (size_t)(e2 - next) : strlen(next);

			if (phrase_plain(next, n2) != plain)
				break;
			run_end = next + n2;
		}
		if (!plain) {
			hdr_encoded(h, p, (size_t)(run_end - p));
		} else {
			for (const char *w = p; w < run_end;) {
				const char *we = memchr(w, ' ', (size_t)(run_end - w));

				if (!we)
					we = run_end;
				sw_buf_reset(&tok);
				if (w == p)
					sw_buf_addc(&tok, '"');
				for (const char *c = w; c < we; c++) {
					if (*c == '"' || *c == '\\')
						sw_buf_addc(&tok, '\\');
					sw_buf_addc(&tok, *c);
				}
				if (we == run_end)
					sw_buf_addc(&tok, '"');
				hdr_token(h, sw_buf_str(&tok), tok.len);
				w = we < run_end ? we + 1 : run_end;
			}
		}
		p = run_end;
		while (*p == ' ')
			p++;
	}
	sw_buf_free(&tok);
}

/* "name" <addr>; last says whether a comma follows. */
static void hdr_mailbox(struct hdr *h, const struct sw_mailbox *mb, bool last)
{
	struct sw_buf clean = SW_BUF_INIT, tok = SW_BUF_INIT;

	clean_value(&clean, mb->name);
	hdr_phrase(h, sw_buf_str(&clean));
	sw_buf_printf(&tok, "<%s>%s", mb->addr, last ? "" : ",");
	hdr_token(h, sw_buf_str(&tok), tok.len);
	sw_buf_free(&tok);
	sw_buf_free(&clean);
}

/* An address-list field with the mailboxes whose address is safe; the
 * others are dropped, never written. Returns how many were written. */
static size_t hdr_address_list(struct sw_buf *out, const char *name,
			       const struct sw_mailbox *mb, size_t n)
{
	size_t ok = 0, done = 0;
	struct hdr h;

	for (size_t i = 0; i < n; i++)
		if (sw_mail_addr_ok(mb[i].addr))
			ok++;
	if (ok == 0)
		return 0;
	hdr_begin(&h, out, name);
	for (size_t i = 0; i < n; i++) {
		if (!sw_mail_addr_ok(mb[i].addr))
			continue;
		done++;
		hdr_mailbox(&h, &mb[i], done == ok);
	}
	hdr_end(&h);
	return ok;
}

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
	hdr_address_list(o, "From", &m->from, 1);
	if (hdr_address_list(o, "To", m->to, m->nto) == 0)
		sw_buf_adds(o, "To: undisclosed-recipients:;\r\n");
	hdr_address_list(o, "Cc", m->cc, m->ncc);
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

/* ---- sendmail ---------------------------------------------------------------- */

/* The whole message to fd; false on a write error (EPIPE included: the
 * caller ignores SIGPIPE around this). */
static bool write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += w;
		len -= (size_t)w;
	}
	return true;
}

int sw_mail_send(const char *command, const char *msg, size_t len,
		 char *err, size_t errlen)
{
	struct sigaction ign, old;
	char shown[256];
	int fds[2], status, write_errno = 0;
	bool wrote;
	pid_t pid, w;

	sw_sanitize(shown, sizeof(shown), command ? command : "", (size_t)-1);
	if (!command || !*command) {
		sw_fmt(err, errlen, "no mail command");
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		sw_fmt(err, errlen, "%s: pipe: %s", shown, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		sw_fmt(err, errlen, "%s: fork: %s", shown, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(fds[0], STDIN_FILENO) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	/* a command that stops reading must be an error, not our death */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	wrote = write_all(fds[1], msg, len);
	if (!wrote)
		write_errno = errno;
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);

	do {
		w = waitpid(pid, &status, 0);
	} while (w < 0 && errno == EINTR);
	if (w < 0) {
		sw_fmt(err, errlen, "%s: wait: %s", shown, strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		sw_fmt(err, errlen, "%s: killed by signal %d", shown, WTERMSIG(status));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		sw_fmt(err, errlen, "%s: exited %d", shown,
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	if (!wrote) {
		sw_fmt(err, errlen, "%s: did not read the whole message: %s", shown,
		       strerror(write_errno));
		return -1;
	}
	return 0;
}
