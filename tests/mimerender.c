/*
 * mimerender.c - test helper for tests/integration/mime.sh: renders one
 * memo full of hostile inputs (CR/LF and "Bcc:" in the subject, display
 * names and an extra header, angle brackets and commas in addresses, ESC
 * and bidi overrides, invalid UTF-8, "From " lines, a 2000-byte line) in
 * every format, with two X-ARF reports, into files that tests/mailcheck.py
 * then takes apart with Python's email package.
 *
 *   mimerender DIR [KEYID]     write the files (KEYID: also signed ones)
 *   mimerender --send COMMAND  pipe the eml rendering to COMMAND
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "sendmail.h"
#include "xarf.h"

#define INSTANT INT64_C(1795798181508835)

static const char subject[] =
	"[SECURITY] Port scan from h\xc3\xb6st\x1b[31m.example.net\r\nBcc: victim@example.org\r\n"
	"\r\nInjected body (198.51.100.0/24) \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80 "
	"and a rather long tail of plain words so that the field has to be folded twice "
	"=?UTF-8?B?ZXZpbA==?= \xe2\x80\xae" "gnp.exe";

static const char body[] =
	"Hello,\n"
	"\n"
	"From our sensor: a port scan from 198.51.100.7 (h\xc3\xb6st.example.net).\n"
	">From quoted\n"
	"PTR name with an escape: \x1b]0;pwned\x07 and \xc2\x9b" "31m C1, \xff\xfe bad bytes\n"
	"trailing space \n"
	"--=_spanwatch_ not a boundary\n"
	"=?UTF-8?Q?not_a_header?= and a single CR here:\rend\n"
	"%LONG%\n"
	"Gr\xc3\xbc\xc3\x9f" "e,\n-- \nspanwatch\n";

static const char plain_body[] =
	"An ASCII body for the mbox escaping:\n"
	"From here\n"
	">From there\n"
	">>From everywhere\n"
	" From indented\n"
	"end\n";

static const struct sw_mailbox to[] = {
	{ "Abuse\r\nBcc: evil@example.com", "abuse@example.net" },
	{ "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 Name, Inc.", "noc@example.net" },
	{ "a@b>, evil@c", "a@b>, evil@c" },
	{ "Quote \"me\" \\ back", "q@example.com" },
	{ "", "x@example.com\r\nBcc: evil@example.com" },
	{ NULL, "plain@example.com" },
};

static const struct sw_mailbox cc[] = {
	{ "host\x1b]0;pwned\x07.example.net", "security@example.net" },
	{ "A very long display name that will not fit on one header line with the address", "long@example.net" },
};

static const char *const evidence[] = {
	"2026-11-27T16:49:41.508835Z 198.51.100.7:51515 -> 192.0.2.10:22 SYN",
	"hostile \"quote\" \\ backslash \x01\x1b[2J\x7f \xc0\xaf overlong \xed\xa0\x80 surrogate \xff",
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e ok",
};

static char *long_body(void)
{
	char line[2001];
	const char *mark = strstr(body, "%LONG%");
	size_t n;
	char *b;

	for (size_t i = 0; i < 2000; i++)
		line[i] = (char)('a' + i % 26);
	line[2000] = '\0';
	n = strlen(body) + sizeof(line);
	b = malloc(n);
	if (!b)
		return NULL;
	snprintf(b, n, "%.*s%s%s", (int)(mark - body), body, line, mark + 6);
	return b;
}

static int xarf(const char *type, unsigned sport, struct sw_buf *out)
{
	struct sw_xarf_input in = {
		.report_id = "9f3c6b2e-1d4a-4c5e-8f70-123456789abc",
		.timestamp_us = INSTANT,
		.reporter_org = "Example \"Research\" Network \\ \x1b[1mLab\r\n\xff",
		.reporter_contact = "abuse-reports@example.org",
		.reporter_domain = "example.org",
		.sender_name = "Jane Operator",
		.sender_email = "jane@example.org",
		.type = type,
		.source_ip = "198.51.100.7",
		.source_port = sport,
		.destination_ip = "192.0.2.10",
		.destination_port = 22,
		.protocol = "tcp",
		.first_seen_us = INSTANT - INT64_C(3600000000),
		.last_seen_us = INSTANT,
		.packets = 1234,
		.ports = 1000,
		.evidence = evidence,
		.nevidence = sizeof(evidence) / sizeof(evidence[0]),
		.description = "Scan of 1000 ports \"from\" h\xc3\xb6st\x1b[0m\n\xff",
	};

	return sw_xarf_json(&in, out);
}

static int write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "mimerender: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int render(const struct sw_mail *m, enum sw_mail_format fmt, const char *dir,
		  const char *name, struct sw_buf *keep)
{
	struct sw_buf out = SW_BUF_INIT;
	char err[256] = "";
	int rc;

	if (sw_mail_render(m, fmt, &out, err, sizeof(err)) != 0) {
		fprintf(stderr, "mimerender: %s: %s\n", name, err);
		sw_buf_free(&out);
		return -1;
	}
	rc = dir ? write_file(dir, name, sw_buf_str(&out), out.len) : 0;
	if (keep)
		*keep = out;
	else
		sw_buf_free(&out);
	return rc;
}

/* the boundary of a rendered multipart message, or NULL */
static char *boundary_of(const char *msg)
{
	const char *b = strstr(msg, "boundary=\"");
	const char *e;

	if (!b)
		return NULL;
	b += 10;
	e = strchr(b, '"');
	return e ? strndup(b, (size_t)(e - b)) : NULL;
}

int main(int argc, char **argv)
{
	struct sw_buf j1 = SW_BUF_INIT, j2 = SW_BUF_INIT, first = SW_BUF_INIT;
	const char *json[2];
	const char *dir = argc == 2 || argc == 3 ? argv[1] : NULL;
	char *b = long_body(), *bnd = NULL, collide[256];
	int rc = 1;

	if (!b || (argc != 2 && argc != 3) ||
	    (strcmp(argv[1], "--send") == 0 && argc != 3)) {
		fprintf(stderr, "usage: mimerender DIR [KEYID] | mimerender --send COMMAND\n");
		free(b);
		return 2;
	}
	if (xarf("port_scan", 51515, &j1) != 0 || xarf("login_attack", 51516, &j2) != 0)
		goto out;
	json[0] = sw_buf_str(&j1);
	json[1] = sw_buf_str(&j2);

	struct sw_mail m = {
		.from = { "Jane \"The Operator\" Doe (Example\r\nBcc: x@y)", "jane@example.org" },
		.to = to, .nto = sizeof(to) / sizeof(to[0]),
		.cc = cc, .ncc = sizeof(cc) / sizeof(cc[0]),
		.subject = subject,
		.date_us = INSTANT,
		.message_id = "<20261127164941.abc@example.org>",
		.body = b,
		.xarf_json = json, .nxarf = 2,
		.extra_header_name = "X-Spanwatch-Netblock",
		.extra_header_value = "198.51.100.0/24\r\nBcc: evil@example.com",
	};

	if (strcmp(argv[1], "--send") == 0) {
		struct sw_buf msg = SW_BUF_INIT;
		char err[512] = "";

		if (render(&m, SW_FMT_EML, NULL, "send", &msg) == 0) {
			if (sw_mail_send(argv[2], msg.data, msg.len, err, sizeof(err)) == 0)
				rc = 0;
			else
				fprintf(stderr, "mimerender: %s\n", err);
		}
		sw_buf_free(&msg);
		goto out;
	}

	if (write_file(dir, "subject.raw", subject, strlen(subject)) ||
	    write_file(dir, "body.raw", b, strlen(b)) ||
	    write_file(dir, "plain-body.raw", plain_body, strlen(plain_body)) ||
	    write_file(dir, "xarf-1.json", json[0], j1.len) ||
	    write_file(dir, "xarf-2.json", json[1], j2.len) ||
	    render(&m, SW_FMT_EML, dir, "message.eml", NULL) ||
	    render(&m, SW_FMT_MBOX, dir, "message.mbox", NULL) ||
	    render(&m, SW_FMT_TEXT, dir, "message.txt", NULL) ||
	    render(&m, SW_FMT_XARF, dir, "message.xarf", &first))
		goto out;

	/* a 7-bit body with "From " lines, for the mboxrd escaping */
	struct sw_mail plain = m;
	plain.body = plain_body;
	plain.nxarf = 0;
	if (render(&plain, SW_FMT_MBOX, dir, "plain.mbox", NULL))
		goto out;

	/* a body that holds the boundary the first rendering chose */
	bnd = boundary_of(sw_buf_str(&first));
	if (!bnd) {
		fprintf(stderr, "mimerender: no boundary in the xarf message\n");
		goto out;
	}
	snprintf(collide, sizeof(collide), "before\n--%s\nContent-Type: text/html\n\n--%s--\nafter\n",
		 bnd, bnd);
	plain.body = collide;
	plain.nxarf = 2;
	if (write_file(dir, "collide-body.raw", collide, strlen(collide)) ||
	    write_file(dir, "collide-boundary.txt", bnd, strlen(bnd)) ||
	    render(&plain, SW_FMT_XARF, dir, "collide.xarf", NULL))
		goto out;

	if (argc == 3) {
		m.sign_key = argv[2];
		if (render(&m, SW_FMT_EML, dir, "signed.eml", NULL) ||
		    render(&m, SW_FMT_XARF, dir, "signed.xarf", NULL) ||
		    render(&m, SW_FMT_MBOX, dir, "signed.mbox", NULL))
			goto out;
	}
	rc = 0;
out:
	sw_buf_free(&j1);
	sw_buf_free(&j2);
	sw_buf_free(&first);
	free(bnd);
	free(b);
	return rc;
}
