/*
 * fuzz_mail.c - libFuzzer harness for the reporter's mail rendering:
 * sw_mail_render (reporter/mime.h) in each format, and the header writers
 * sw_mail_header, sw_mail_address_list and sw_mail_addr_ok
 * (reporter/mailhdr.h), with fuzzed subject, body, names and addresses.
 *
 * Input: one byte choosing the format, then fields separated by NUL:
 * subject, body, from name, to name, to address, cc name, cc address,
 * extra header value, X-ARF JSON (missing fields are empty).
 *
 * Invariants: a header field written by sw_mail_header is ASCII, ends in
 * CRLF, has no bare CR or LF, continues only on folded lines (CRLF then
 * space or tab), and no line is longer than 998 bytes; an address that
 * sw_mail_addr_ok accepts has none of the bytes it promises to refuse; an
 * eml or X-ARF message has the same properties in its header and CRLF
 * line ends throughout; an mbox entry quotes every "From " body line; the
 * text rendering has no control byte but LF and TAB.
 */
#include "fuzz_util.h"

#include "reporter/buf.h"
#include "reporter/mailhdr.h"
#include "reporter/mime.h"

#define NFIELDS 9

/* CRLF line ends, no bare CR or LF, lines of at most 998 bytes; with
 * header, only printable ASCII and TAB; with field (one header field),
 * every line after the first a folded continuation. */
static void check_crlf(const char *s, size_t len, bool header, bool field, const char *what)
{
	size_t line = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			FUZZ_CHECK(i + 1 < len && s[i + 1] == '\n', "%s: bare CR at %zu", what, i);
			continue;
		}
		if (c == '\n') {
			FUZZ_CHECK(i > 0 && s[i - 1] == '\r', "%s: bare LF at %zu", what, i);
			if (field && i + 1 < len)
				FUZZ_CHECK(s[i + 1] == ' ' || s[i + 1] == '\t',
				           "%s: a line at %zu that is no folded continuation:\n%s",
				           what, i + 1, s);
			line = 0;
			continue;
		}
		FUZZ_CHECK(++line <= 998, "%s: a line over 998 bytes", what);
		if (header)
			FUZZ_CHECK(c >= 0x20 ? c < 0x7f : c == '\t', "%s: byte 0x%02x at %zu:\n%s",
			           what, c, i, s);
	}
}

static void check_header(const char *name, const char *value)
{
	struct sw_buf out = SW_BUF_INIT;

	sw_mail_header(&out, name, value);
	if (sw_buf_ok(&out)) {
		FUZZ_CHECK(out.len >= 2 && !memcmp(out.data + out.len - 2, "\r\n", 2),
		           "header field does not end in CRLF");
		check_crlf(out.data, out.len, true, true, "header field");
	}
	sw_buf_free(&out);
}

static void check_addr(const char *addr)
{
	if (!sw_mail_addr_ok(addr))
		return;
	FUZZ_CHECK(strlen(addr) <= 254 && strchr(addr, '@'), "accepted '%s'", addr);
	for (const char *s = addr; *s; s++)
		FUZZ_CHECK((unsigned char)*s > 0x20 && (unsigned char)*s < 0x7f &&
		           !strchr("\"<>,", *s), "accepted '%s'", addr);
}

static void check_message(enum sw_mail_format fmt, const struct sw_buf *out)
{
	const char *s = out->data ? out->data : "";
	const char *end_hdr;

	switch (fmt) {
	case SW_FMT_EML:
	case SW_FMT_XARF:
		end_hdr = strstr(s, "\r\n\r\n");
		FUZZ_CHECK(end_hdr != NULL, "a message without a blank line");
		check_crlf(s, (size_t)(end_hdr - s) + 2, true, false, "message header");
		check_crlf(s, out->len, false, false, "message");
		break;
	case SW_FMT_MBOX:
		FUZZ_CHECK(!strncmp(s, "From ", 5), "an mbox entry without its From line");
		for (const char *nl = strchr(s, '\n'); nl; nl = strchr(nl + 1, '\n'))
			FUZZ_CHECK(strncmp(nl + 1, "From ", 5) != 0, "an unquoted From line");
		break;
	case SW_FMT_TEXT:
		for (size_t i = 0; i < out->len; i++) {
			unsigned char c = (unsigned char)s[i];

			FUZZ_CHECK(c >= 0x20 ? c != 0x7f : (c == '\n' || c == '\t'),
			           "text rendering: byte 0x%02x at %zu", c, i);
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum sw_mail_format fmts[] = { SW_FMT_EML, SW_FMT_MBOX, SW_FMT_TEXT,
		                                    SW_FMT_XARF };
	const char *field[NFIELDS];
	struct sw_mailbox to[2], cc[1];
	struct sw_buf out = SW_BUF_INIT;
	struct sw_mail m;
	enum sw_mail_format fmt;
	char *text, err[256];
	size_t at = 0, n = 0;

	if (size < 1)
		return 0;
	fmt = fmts[data[0] % 4];
	/* the fields, NUL-terminated in a copy of their own */
	text = fuzz_strndup(data + 1, size - 1);
	while (n < NFIELDS && at <= size - 1) {
		field[n++] = text + at;
		at += strlen(text + at) + 1;
	}
	while (n < NFIELDS)
		field[n++] = "";

	check_header("Subject", field[0]);
	check_header("X-Spanwatch-Netblock", field[7]);
	check_addr(field[4]);
	check_addr(field[6]);

	to[0] = (struct sw_mailbox){ field[3], field[4] };
	to[1] = (struct sw_mailbox){ field[2], "abuse@example.net" };
	cc[0] = (struct sw_mailbox){ field[5], field[6] };
	sw_buf_reset(&out);
	FUZZ_CHECK(sw_mail_address_list(&out, "To", to, 2) <= 2, "more written than given");
	if (out.len)
		check_crlf(out.data, out.len, true, true, "address list");
	sw_buf_reset(&out);

	memset(&m, 0, sizeof m);
	m.from = (struct sw_mailbox){ field[2], "reporter@example.org" };
	m.to = to;
	m.nto = 2;
	m.cc = cc;
	m.ncc = 1;
	m.subject = field[0];
	m.date_us = 1795799381000000ll;
	m.message_id = "<fuzz.1@example.org>";
	m.body = field[1];
	m.xarf_json = &field[8];
	m.nxarf = 1;
	m.extra_header_name = "X-Spanwatch-Netblock";
	m.extra_header_value = field[7];
	if (sw_mail_render(&m, fmt, &out, err, sizeof err) == 0 && sw_buf_ok(&out))
		check_message(fmt, &out);
	sw_buf_free(&out);
	free(text);
	return 0;
}
