/*
 * mailhdr.c - header fields that nothing hostile can add to or break
 * (see mailhdr.h): values cleaned, encoded and folded, mailboxes and
 * address lists, and the check that an e-mail address is plain and safe.
 *
 * Everything that ends up in a header may come from DNS, whois or packets,
 * so a header value is rebuilt, never copied: CR and LF are removed, every
 * other control byte becomes a space, runs of white space become one space,
 * invalid UTF-8 becomes U+FFFD. Words that are not plain printable ASCII,
 * that look like an encoded-word ("=?") or that are too long for a line go
 * into RFC 2047 encoded-words (UTF-8, Q or B, whichever is shorter, each at
 * most 75 characters, never splitting a UTF-8 sequence); lines are folded at
 * white space so that no header line is longer than 78 columns.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "encode.h"
#include "mailhdr.h"

#define HDR_COLS 78      /* RFC 5322: lines SHOULD be at most 78 characters */
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
size_t sw_mail_address_list(struct sw_buf *out, const char *name,
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
