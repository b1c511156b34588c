/*
 * test_mime.c - unit tests for reporter/mime.c and reporter/xarf.c: header
 * injection attempts (CR/LF in subjects and display names, "a@b>, evil@c"
 * addresses), folding and encoded-word lengths (decoded back and compared),
 * the Date in three zones with half-hour offsets and DST (checked against
 * date -R), mbox From-quoting, the terminal rendering of escapes, JSON
 * escaping of hostile strings, and sw_mail_send with real commands.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "encode.h"
#include "mime.h"
#include "sendmail.h"
#include "xarf.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))
#define INSTANT INT64_C(1795798181508835)

/* ---- helpers: take a rendered header apart again ------------------------ */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int b64val(char c)
{
	const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(abc, c) : NULL;

	return p ? (int)(p - abc) : -1;
}

/* Decode one encoded-word's text (B or Q) into out; false if malformed. */
static bool decode_ew(char enc, const char *t, size_t n, struct sw_buf *out)
{
	if (enc == 'Q') {
		for (size_t i = 0; i < n; i++) {
			if (t[i] == '_') {
				sw_buf_addc(out, ' ');
			} else if (t[i] == '=') {
				if (i + 2 >= n)
					return false;
				int h = hexval(t[i + 1]), l = hexval(t[i + 2]);
				if (h < 0 || l < 0)
					return false;
				sw_buf_addc(out, (char)(h * 16 + l));
				i += 2;
			} else {
				sw_buf_addc(out, t[i]);
			}
		}
		return true;
	}
	if (n % 4)
		return false;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int j = 0; j < 4; j++)
			v[j] = t[i + j] == '=' ? 0 : b64val(t[i + j]);
		if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0)
			return false;
		sw_buf_addc(out, (char)(v[0] << 2 | v[1] >> 4));
		if (t[i + 2] != '=')
			sw_buf_addc(out, (char)((v[1] & 15) << 4 | v[2] >> 2));
		if (t[i + 3] != '=')
			sw_buf_addc(out, (char)((v[2] & 3) << 6 | v[3]));
	}
	return true;
}

static bool valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = sw_utf8_seq((const unsigned char *)s + i, n - i, NULL);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/*
 * Check a rendered "Name: value\r\n" field: one CRLF-ended line and
 * continuation lines starting with a space, no line over 78 columns, no
 * encoded-word over 75 characters or with a cut UTF-8 sequence. Returns
 * the unstructured value decoded as RFC 2047 says (white space between two
 * encoded-words dropped). The caller frees it.
 */
static char *unfold_decode(const char *field, const char *name)
{
	struct sw_buf unf = SW_BUF_INIT, dec = SW_BUF_INIT;
	size_t n = strlen(field), nl = strlen(name);
	const char *p, *line = field;
	bool prev_ew = false;
	size_t pending_ws = 0;
	char *res;

	assert_true(n > nl + 2);
	assert_memory_equal(field, name, nl);
	assert_int_equal(field[nl], ':');
	assert_string_equal(field + n - 2, "\r\n");
	/* lines */
	for (const char *c = field; c < field + n; c++) {
		assert_true(*c != '\0');
		if (*c == '\r') {
			assert_int_equal(c[1], '\n');
			if (c + 2 < field + n)
				assert_int_equal(c[2], ' '); /* a fold, not a new field */
			if ((size_t)(c - line) > 78)
				fail_msg("line of %zu columns in %s", (size_t)(c - line), field);
			line = c + 2;
			c++;
		} else {
			assert_true(*c != '\n');
			assert_true((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f);
		}
	}
	/* unfold: drop every CRLF */
	for (const char *c = field + nl + 1; c < field + n - 2; c++)
		if (*c != '\r' && *c != '\n')
			sw_buf_addc(&unf, *c);
	/* decode encoded-words, dropping the white space between two of them */
	p = sw_buf_str(&unf);
	while (*p == ' ')
		p++;
	while (*p) {
		if (*p == ' ') {
			pending_ws++;
			p++;
			continue;
		}
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool ew = len > 12 && strncmp(p, "=?UTF-8?", 8) == 0 &&
			  (p[8] == 'B' || p[8] == 'Q') && p[9] == '?' &&
			  p[len - 2] == '?' && p[len - 1] == '=';

		if (!(ew && prev_ew))
			for (; pending_ws; pending_ws--)
				sw_buf_addc(&dec, ' ');
		pending_ws = 0;
		if (ew) {
			struct sw_buf one = SW_BUF_INIT;
			if (len > 75)
				fail_msg("encoded-word of %zu chars", len);
			assert_true(decode_ew(p[8], p + 10, len - 12, &one));
			if (!valid_utf8(one.data, one.len))
				fail_msg("encoded-word %.*s splits a UTF-8 sequence", (int)len, p);
			sw_buf_add(&dec, one.data ? one.data : "", one.len);
			sw_buf_free(&one);
		} else {
			sw_buf_add(&dec, p, len);
		}
		prev_ew = ew;
		p += len;
	}
	res = strdup(sw_buf_str(&dec));
	sw_buf_free(&unf);
	sw_buf_free(&dec);
	return res;
}

static char *header_of(const char *name, const char *value)
{
	struct sw_buf out = SW_BUF_INIT;
	char *r;

	sw_mail_header(&out, name, value);
	r = strdup(sw_buf_str(&out));
	sw_buf_free(&out);
	return r;
}

static void expect_header(const char *value, const char *decoded)
{
	char *field = header_of("Subject", value);
	char *got = unfold_decode(field, "Subject");

	if (strcmp(got, decoded) != 0)
		fail_msg("'%s'\n gave '%s'\n want '%s'\n field %s", value, got, decoded, field);
	free(got);
	free(field);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_addr_ok(void **state)
{
	(void)state;
	static const char *const good[] = {
		"abuse@example.net", "a.b+c@sub.example.org", "x_y-z@a-b.example",
		"o'brien@example.ie", "a@xn--bcher-kva.xn--p1ai",
	};
	static const char *const bad[] = {
		"", "abuse", "@example.net", "abuse@", "a@b", "a@b>, evil@c",
		"a b@example.net", "a@example.net\r\nBcc: x@y", "<a@example.net>",
		"a@@example.net", "a@b@example.net", "\"a\"@example.net", ".a@example.net",
		"a.@example.net", "a..b@example.net", "a@example..net", "a@.example.net",
		"a@example.net.", "a@exa_mple.net", "a@[192.0.2.1]", "a,b@example.net",
		"a;b@example.net", "a\\b@example.net", "\xc3\xa4@example.net",
		"a@ex\x1b.net",
		/* domain labels: length, hyphens at the ends, a letter TLD */
		"a@-example.net", "a@example-.net", "a@example.n", "a@example.123",
		"a@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.net",
	};
	char big[300];

	for (size_t i = 0; i < N_ELEM(good); i++)
		if (!sw_mail_addr_ok(good[i]))
			fail_msg("rejected %s", good[i]);
	for (size_t i = 0; i < N_ELEM(bad); i++)
		if (sw_mail_addr_ok(bad[i]))
			fail_msg("accepted %s", bad[i]);
	assert_false(sw_mail_addr_ok(NULL));
	memset(big, 'a', sizeof(big));
	memcpy(big + 200, "@example.net", 13); /* local part of 200: too long */
	assert_false(sw_mail_addr_ok(big));
}

static void test_header_injection(void **state)
{
	(void)state;
	expect_header("Port scan\r\nBcc: victim@example.org", "Port scanBcc: victim@example.org");
	expect_header("a\nb\rc", "abc");
	expect_header("tab\there\x1b[31m red\x7f", "tab here [31m red");
	expect_header("  lead  and   trail  ", "lead and trail");
	expect_header("", "");
	expect_header("\r\n\r\n", "");
	/* something that looks like an encoded-word is encoded, not decoded */
	expect_header("=?UTF-8?B?ZXZpbA==?=", "=?UTF-8?B?ZXZpbA==?=");
	/* C1 controls (UTF-8 encoded) are control bytes too */
	expect_header("x\xc2\x9b" "31m y", "x 31m y");
	/* invalid UTF-8 becomes U+FFFD, never raw 8-bit */
	expect_header("bad \xff\xc0\xaf end", "bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");

	/* a header name that is not a plain token writes nothing */
	char *f = header_of("Bcc: x@y\r\nX", "v");
	assert_string_equal(f, "");
	free(f);
	f = header_of("X-Ok", "v");
	assert_string_equal(f, "X-Ok: v\r\n");
	free(f);
}

static void test_folding(void **state)
{
	(void)state;
	struct sw_buf v = SW_BUF_INIT;
	char word[200];

	for (int i = 0; i < 60; i++)
		sw_buf_printf(&v, "%sword%d", i ? " " : "", i);
	expect_header(sw_buf_str(&v), sw_buf_str(&v));

	/* a word longer than a line: encoded and split, never a long line */
	memset(word, 'x', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	expect_header(word, word);
	sw_buf_reset(&v);
	sw_buf_printf(&v, "short %s short", word);
	expect_header(sw_buf_str(&v), sw_buf_str(&v));
	sw_buf_free(&v);
}

static void test_encoded_words(void **state)
{
	(void)state;
	struct sw_buf v = SW_BUF_INIT;

	expect_header("Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln", "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln");
	/* long runs of 2-, 3- and 4-byte sequences: every split on a boundary */
	for (int i = 0; i < 50; i++)
		sw_buf_adds(&v, "\xc3\xbc\xe6\x97\xa5\xf0\x9f\x98\x80");
	expect_header(sw_buf_str(&v), sw_buf_str(&v));
	sw_buf_reset(&v);
	for (int i = 0; i < 40; i++)
		sw_buf_adds(&v, "a\xc3\xa9 ");
	sw_buf_adds(&v, "end");
	expect_header(sw_buf_str(&v), sw_buf_str(&v));
	sw_buf_reset(&v);
	/* mixed: plain words kept, others encoded, spaces right */
	sw_buf_adds(&v, "[SECURITY] Port scan from h\xc3\xb6st.example.net (198.51.100.0/24) "
		    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xe6\x97\xa5 plain again");
	expect_header(sw_buf_str(&v), sw_buf_str(&v));
	sw_buf_free(&v);
}

static struct sw_mailbox to_boxes[] = {
	{ "Abuse\r\nBcc: evil@example.com", "abuse@example.net" },
	{ "a@b>, evil@c", "a@b>, evil@c" },
	{ "Quote \"me\" \\ back", "q@example.com" },
	{ "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9", "noc@example.net" },
	{ NULL, "x@example.net\r\nBcc: evil@example.com" },
};

static struct sw_mail base_mail(void)
{
	struct sw_mail m = {
		.from = { "Jane Operator", "jane@example.org" },
		.to = to_boxes, .nto = N_ELEM(to_boxes),
		.subject = "Port scan",
		.date_us = INSTANT,
		.message_id = "<1@example.org>",
		.body = "Hello,\nFrom the sensor.\n>From quoted\nbye\n",
	};
	return m;
}

static char *render(const struct sw_mail *m, enum sw_mail_format fmt)
{
	struct sw_buf out = SW_BUF_INIT;
	char err[200] = "";
	char *r;

	if (sw_mail_render(m, fmt, &out, err, sizeof(err)) != 0)
		fail_msg("render failed: %s", err);
	r = strdup(sw_buf_str(&out));
	sw_buf_free(&out);
	return r;
}

static void test_address_list(void **state)
{
	(void)state;
	struct sw_mail m = base_mail();
	char *eml = render(&m, SW_FMT_EML);
	const char *to = strstr(eml, "\r\nTo: ");
	const char *end;
	char *field, *dec;

	assert_non_null(to);
	/* the hostile text stays inside a quoted display name */
	assert_null(strstr(eml, "evil@c"));
	assert_null(strstr(eml, "<evil"));
	assert_null(strstr(eml, "\nBcc"));
	assert_null(strstr(eml, "x@example.net"));
	to += 2;
	end = strstr(to, "\r\nSubject:");
	assert_non_null(end);
	field = strndup(to, (size_t)(end - to) + 2);
	dec = unfold_decode(field, "To");
	assert_string_equal(dec, "\"AbuseBcc: evil@example.com\" <abuse@example.net>, "
			    "\"Quote \\\"me\\\" \\\\ back\" <q@example.com>, "
			    "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 <noc@example.net>");
	free(dec);
	free(field);
	free(eml);

	/* no valid recipient at all: an empty group, not an empty field */
	m.nto = 0;
	eml = render(&m, SW_FMT_EML);
	assert_non_null(strstr(eml, "\r\nTo: undisclosed-recipients:;\r\n"));
	free(eml);

	/* a bad From is an error, not a header */
	struct sw_buf out = SW_BUF_INIT;
	char err[100] = "";
	m.from.addr = "jane@example.org\r\nBcc: x@y";
	assert_int_equal(sw_mail_render(&m, SW_FMT_EML, &out, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	sw_buf_free(&out);
}

/* A Cc (the memo's domain contacts, [reporter] cc_self) is a header of
 * its own in every format, even for the sender's own address; without
 * one there is no Cc field at all. */
static void test_cc(void **state)
{
	static const struct sw_mailbox cc[] = {
		{ NULL, "security@example.net" },
		{ NULL, "jane@example.org" },        /* our own copy */
	};
	struct sw_mail m = base_mail();
	char *eml, *mbox, *text;
	(void)state;

	m.nto = 1;
	m.cc = cc;
	m.ncc = N_ELEM(cc);
	eml = render(&m, SW_FMT_EML);
	assert_non_null(strstr(eml, "\r\nCc: <security@example.net>, <jane@example.org>\r\n"));
	{
		static const char from[] = "From: \"Jane Operator\" <jane@example.org>\r\n";
		assert_int_equal(strncmp(eml, from, strlen(from)), 0);
	}
	mbox = render(&m, SW_FMT_MBOX);
	assert_non_null(strstr(mbox, "\nCc: <security@example.net>, <jane@example.org>\n"));
	text = render(&m, SW_FMT_TEXT);
	assert_non_null(strstr(text, "\nCc: <security@example.net>, <jane@example.org>\n"));
	free(eml);
	free(mbox);
	free(text);

	m.ncc = 0;
	eml = render(&m, SW_FMT_EML);
	assert_null(strstr(eml, "\r\nCc:"));
	free(eml);
}

static void date_in(const char *tz, int64_t us, const char *date, const char *from_line)
{
	struct sw_mail m = base_mail();
	char *eml, *mbox, want[128];

	setenv("TZ", tz, 1);
	tzset();
	m.date_us = us;
	eml = render(&m, SW_FMT_EML);
	snprintf(want, sizeof(want), "\r\nDate: %s\r\n", date);
	if (!strstr(eml, want))
		fail_msg("%s: no '%s' in\n%s", tz, date, eml);
	mbox = render(&m, SW_FMT_MBOX);
	snprintf(want, sizeof(want), "From jane@example.org %s\n", from_line);
	if (strncmp(mbox, want, strlen(want)) != 0)
		fail_msg("%s: mbox starts '%.60s', want '%s'", tz, mbox, want);
	free(eml);
	free(mbox);
}

static void test_date_zones(void **state)
{
	(void)state;
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

	/* expected values from TZ=... date -R -d @SECONDS */
	date_in("America/New_York", INSTANT, "Fri, 27 Nov 2026 11:49:41 -0500", "Fri Nov 27 11:49:41 2026");
	date_in("Asia/Kolkata", INSTANT, "Fri, 27 Nov 2026 22:19:41 +0530", "Fri Nov 27 22:19:41 2026");
	date_in("America/St_Johns", INSTANT, "Fri, 27 Nov 2026 13:19:41 -0330", "Fri Nov 27 13:19:41 2026");
	date_in("America/New_York", INT64_C(1782000000000000), "Sat, 20 Jun 2026 20:00:00 -0400", "Sat Jun 20 20:00:00 2026");
	date_in("America/St_Johns", INT64_C(1782000000000000), "Sat, 20 Jun 2026 21:30:00 -0230", "Sat Jun 20 21:30:00 2026");
	date_in("Asia/Kolkata", INT64_C(1782000000000000), "Sun, 21 Jun 2026 05:30:00 +0530", "Sun Jun 21 05:30:00 2026");
	date_in("UTC", INT64_C(1000000), "Thu, 1 Jan 1970 00:00:01 +0000", "Thu Jan  1 00:00:01 1970");
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

static void test_mbox_quoting(void **state)
{
	(void)state;
	struct sw_mail m = base_mail();
	char *mbox;

	m.body = "From the top\n>From one\n>>From two\n From not\nFromage\n";
	mbox = render(&m, SW_FMT_MBOX);
	assert_null(strchr(mbox, '\r'));
	assert_non_null(strstr(mbox, "\n\n>From the top\n>>From one\n>>>From two\n From not\nFromage\n\n"));
	/* only the separator starts with "From " */
	for (const char *p = strchr(mbox, '\n'); p; p = strchr(p + 1, '\n'))
		assert_false(strncmp(p + 1, "From ", 5) == 0);
	assert_int_equal(mbox[strlen(mbox) - 1], '\n');
	assert_int_equal(mbox[strlen(mbox) - 2], '\n');
	free(mbox);
}

static void test_body_encoding(void **state)
{
	(void)state;
	struct sw_mail m = base_mail();
	struct sw_buf body = SW_BUF_INIT;
	char *eml;

	eml = render(&m, SW_FMT_EML);
	assert_non_null(strstr(eml, "Content-Transfer-Encoding: 7bit\r\n\r\nHello,\r\nFrom the sensor.\r\n"));
	free(eml);

	/* non-ASCII and a 3000-byte line: quoted-printable, short lines */
	sw_buf_adds(&body, "Gr\xc3\xbc\xc3\x9f" "e\n");
	for (int i = 0; i < 3000; i++)
		sw_buf_addc(&body, (char)('a' + i % 26));
	sw_buf_adds(&body, "\nend \n");
	m.body = sw_buf_str(&body);
	eml = render(&m, SW_FMT_EML);
	const char *b = strstr(eml, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	assert_non_null(b);
	assert_non_null(strstr(b, "\r\nGr=C3=BC=C3=9Fe\r\n"));
	assert_non_null(strstr(b, "\r\nend=20\r\n"));
	for (const char *l = eml; *l;) {
		const char *e = strstr(l, "\r\n");
		assert_non_null(e);
		assert_true(e - l <= 78);
		l = e + 2;
	}
	for (const char *c = eml; *c; c++)
		assert_true((unsigned char)*c < 0x80);
	free(eml);
	sw_buf_free(&body);
}

static void test_text_terminal(void **state)
{
	(void)state;
	struct sw_mail m = base_mail();
	static const struct sw_mailbox cc[] = {
		{ "host\x1b]0;pwned\x07.example.net", "sec@example.net" },
	};
	char *txt;

	m.cc = cc;
	m.ncc = 1;
	m.subject = "scan \x1b[2J\r\nBcc: x@y \xc2\x9b" "31m \xe2\x80\xae" "cba \xff";
	m.body = "line \x1b[31mred\x1b[0m\ttab\n\xc3\xa4 ok\n";
	txt = render(&m, SW_FMT_TEXT);
	for (const unsigned char *c = (const unsigned char *)txt; *c; c++)
		if ((*c < 0x20 && *c != '\n' && *c != '\t') || *c == 0x7f)
			fail_msg("control byte 0x%02x in text output", *c);
	assert_non_null(strstr(txt, "Cc: host\\x1b]0;pwned\\x07.example.net <sec@example.net>\n"));
	assert_non_null(strstr(txt, "Subject: scan \\x1b[2J\\x0d\\x0aBcc: x@y \\xc2\\x9b31m \\xe2\\x80\\xaecba \\xff\n"));
	assert_non_null(strstr(txt, "\n\nline \\x1b[31mred\\x1b[0m\ttab\n\xc3\xa4 ok\n"));
	assert_non_null(strstr(txt, "From: Jane Operator <jane@example.org>\n"));
	assert_non_null(strstr(txt, "Date: "));
	assert_null(strstr(txt, "evil@c"));
	assert_null(strstr(txt, "x@example.net"));
	assert_non_null(strstr(txt, "To: Abuse\\x0d\\x0aBcc: evil@example.com <abuse@example.net>, "));
	assert_null(strchr(txt, '\r'));
	free(txt);
}

static void test_xarf_boundary(void **state)
{
	(void)state;
	struct sw_mail m = base_mail();
	const char *json[] = { "{\"a\": 1}\n" };
	char *first, *second, body[200];
	const char *b;
	size_t blen;

	m.xarf_json = json;
	m.nxarf = 1;
	first = render(&m, SW_FMT_XARF);
	b = strstr(first, "boundary=\"");
	assert_non_null(b);
	b += 10;
	blen = strcspn(b, "\"");
	/* the same message with its boundary in the body gets another one */
	snprintf(body, sizeof(body), "x\n--%.*s--\n", (int)blen, b);
	m.body = body;
	second = render(&m, SW_FMT_XARF);
	const char *b2 = strstr(second, "boundary=\"") + 10;
	assert_false(strncmp(b, b2, blen) == 0 && b2[blen] == '"');
	assert_non_null(strstr(second, "Content-Disposition: attachment; filename=\"xarf-1.json\"\r\n"));
	free(first);
	free(second);
}

static void test_json_escaping(void **state)
{
	(void)state;
	static const char *const ev[] = { "line \"1\"\x01", "\xff" };
	struct sw_xarf_input in = {
		.report_id = "9f3c6b2e-1d4a-4c5e-8f70-123456789abc",
		.timestamp_us = INSTANT,
		.reporter_org = "Org\", \"evil\": \"1",
		.reporter_contact = "abuse@example.org",
		.reporter_domain = "example.org",
		.type = "port_scan",
		.source_ip = "198.51.100.7",
		.source_port = 40000,
		.protocol = "tcp",
		.first_seen_us = INSTANT,
		.description = "a\"}\n,\"x\":1\\\x01\x1f\x7f \xff \xc3\xa4 \xed\xa0\x80",
		.evidence = ev, .nevidence = 2,
	};
	struct sw_buf out = SW_BUF_INIT;
	const char *s;

	assert_int_equal(sw_xarf_json(&in, &out), 0);
	s = sw_buf_str(&out);
	assert_non_null(strstr(s, "\"org\": \"Org\\\", \\\"evil\\\": \\\"1\""));
	assert_non_null(strstr(s, "\"description\": \"a\\\"}\\u000a,\\\"x\\\":1\\\\\\u0001\\u001f\\u007f "
				  "\xef\xbf\xbd \xc3\xa4 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""));
	assert_non_null(strstr(s, "\"timestamp\": \"2026-11-27T16:49:41.508835Z\""));
	assert_non_null(strstr(s, "\"xarf_version\": \"4.0.0\""));
	assert_non_null(strstr(s, "\"source_port\": 40000"));
	assert_null(strstr(s, "destination_port"));
	/* base64 of "line \"1\"\x01\n\xff\n" */
	assert_non_null(strstr(s, "\"payload\": \"bGluZSAiMSIBCv8K\""));
	assert_true(valid_utf8(s, out.len));
	for (const char *c = s; *c; c++)
		assert_true((unsigned char)*c >= 0x20 || *c == '\n');

	/* description cut at 1000 characters, not bytes */
	struct sw_buf d = SW_BUF_INIT;
	for (int i = 0; i < 1500; i++)
		sw_buf_adds(&d, "\xc3\xa4");
	in.description = sw_buf_str(&d);
	sw_buf_reset(&out);
	assert_int_equal(sw_xarf_json(&in, &out), 0);
	s = strstr(sw_buf_str(&out), "\"description\": \"") + 16;
	assert_int_equal(strcspn(s, "\""), 2000);
	sw_buf_free(&d);
	sw_buf_free(&out);
}

static void test_send(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_mime.XXXXXX", path[300], cmd[400], err[200];
	static const char msg[] = "From: a@example.org\r\n\r\nbody\r\n";
	char got[100] = "";
	FILE *f;
	size_t n;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	snprintf(cmd, sizeof(cmd), "cat > '%s'", path);
	assert_int_equal(sw_mail_send(cmd, msg, strlen(msg), err, sizeof(err)), 0);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	assert_int_equal(n, strlen(msg));
	assert_memory_equal(got, msg, n);
	unlink(path);
	rmdir(dir);

	assert_int_equal(sw_mail_send("false", msg, strlen(msg), err, sizeof(err)), -1);
	assert_string_equal(err, "false: exited 1");
	assert_int_equal(sw_mail_send("cat >/dev/null; exit 3", msg, strlen(msg), err, sizeof(err)), -1);
	assert_string_equal(err, "cat >/dev/null; exit 3: exited 3");
	assert_int_equal(sw_mail_send("kill -9 $$", msg, strlen(msg), err, sizeof(err)), -1);
	assert_string_equal(err, "kill -9 $$: killed by signal 9");

	/* a command that reads nothing, with more than a pipe holds: EPIPE is
	 * an error, not the end of the reporter */
	size_t big = 4 << 20;
	char *m = malloc(big);
	assert_non_null(m);
	memset(m, 'x', big);
	assert_int_equal(sw_mail_send("exit 0", m, big, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exit 0: did not read the whole message"));
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_ok),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_address_list),
		cmocka_unit_test(test_cc),
		cmocka_unit_test(test_date_zones),
		cmocka_unit_test(test_mbox_quoting),
		cmocka_unit_test(test_body_encoding),
		cmocka_unit_test(test_text_terminal),
		cmocka_unit_test(test_xarf_boundary),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
