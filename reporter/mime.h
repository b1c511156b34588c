/*
 * mime.h - turning a memo into mail: header fields that nothing hostile can
 * add to or break (no CR/LF, RFC 2047 encoded-words for non-ASCII, folded
 * at 78 columns), address lists, the message in each output format (eml,
 * mbox, text, xarf = multipart/mixed with the X-ARF JSON part), PGP/MIME
 * signing with GPGME (RFC 3156) when built with it, and handing a message
 * to sendmail.
 */
#ifndef SW_MIME_H
#define SW_MIME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum sw_mail_format { SW_FMT_EML, SW_FMT_MBOX, SW_FMT_TEXT, SW_FMT_XARF };

/* One mailbox: display name (any UTF-8, may be empty) and address. */
struct sw_mailbox {
	const char *name;
	const char *addr;
};

struct sw_mail {
	struct sw_mailbox from;
	const struct sw_mailbox *to;  size_t nto;
	const struct sw_mailbox *cc;  size_t ncc;
	const char *subject;          /* UTF-8, any content: encoded as needed */
	int64_t date_us;              /* Date: in the local zone (TZ), numeric offset */
	const char *message_id;       /* "<…@…>" */
	const char *body;             /* UTF-8 text, LF line ends */
	const char *const *xarf_json; /* SW_FMT_XARF: one X-ARF JSON part per offending source */
	size_t nxarf;
	const char *sign_key;         /* NULL, or a GPGME key id: PGP/MIME signed */
	const char *extra_header_name;/* optional, e.g. "X-Spanwatch-Netblock" */
	const char *extra_header_value;
};

/* True if addr is a plain, safe e-mail address (local@domain, printable
 * ASCII, no spaces, quotes, angle brackets, commas, CR or LF; ≤ 254 bytes). */
bool sw_mail_addr_ok(const char *addr);

/* Append one header field "Name: value\r\n" (folded, encoded, CR/LF and
 * control bytes in value removed) to out. */
void sw_mail_header(struct sw_buf *out, const char *name, const char *value);

/* Render m in format fmt into out (eml/xarf: an RFC 5322 message with CRLF
 * line ends; mbox: one "From " separated entry, LF line ends, body lines
 * starting with "From " quoted as ">From "; text: the headers a reader
 * needs and the body, LF line ends, for a terminal: no control bytes).
 * mbox holds the eml rendering (xarf_json not used); text is never signed.
 * Bodies go as 7bit when printable ASCII with lines <= 998 bytes, else as
 * quoted-printable (always so inside a signature).
 * 0, or -1 with a one-line reason in err (e.g. signing failed). */
int sw_mail_render(const struct sw_mail *m, enum sw_mail_format fmt,
		   struct sw_buf *out, char *err, size_t errlen);

/* Pipe a rendered eml/xarf message to command (run by /bin/sh -c, e.g.
 * "sendmail -t -oi"); 0 if it exited 0, else -1 with err. */
int sw_mail_send(const char *command, const char *msg, size_t len,
		 char *err, size_t errlen);

/* The X-ARF v4 report (JSON) for one source; fields are escaped JSON
 * strings, never raw text. type: "port_scan" or "login_attack" (also
 * "ddos", "reconnaissance"). evidence lines become the report's
 * description/evidence. Returns 0 or -1 (allocation). */
struct sw_xarf_input {
	const char *report_id;        /* UUID text */
	int64_t timestamp_us;         /* when the report was made */
	const char *reporter_org, *reporter_contact, *reporter_domain;
	const char *sender_name, *sender_email;
	const char *type;             /* port_scan, login_attack, ddos, reconnaissance */
	const char *source_ip;        /* the offending address */
	unsigned source_port;         /* 0 if unknown */
	const char *destination_ip;   /* one of ours that was hit, or NULL */
	unsigned destination_port;    /* 0 if unknown */
	const char *protocol;         /* "tcp", "udp", "icmp" */
	int64_t first_seen_us, last_seen_us;
	unsigned long long packets;   /* 0: omitted */
	unsigned long ports;          /* distinct ports probed, 0: omitted */
	const char *const *evidence;  size_t nevidence; /* log lines */
	const char *description;      /* one sentence */
};
int sw_xarf_json(const struct sw_xarf_input *in, struct sw_buf *out);

/* ---- shared by mime.c, xarf.c and sign.c (added by the mime module) ---- */

/* Length (1-4) of the valid, shortest-form UTF-8 sequence at s (n bytes
 * available), or 0 if the bytes there are not one (stray continuation,
 * overlong form, surrogate, above U+10FFFF, cut short). *cp gets the code
 * point when cp is not NULL. */
size_t sw_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* Append the base64 (RFC 4648, with padding, no line breaks) of data. */
void sw_base64(struct sw_buf *out, const void *data, size_t len);

/* sign.c: a detached, ASCII-armored OpenPGP signature of data made with
 * the secret key keyid, appended to sig; micalg gets the RFC 3156 name of
 * the hash used ("pgp-sha256"). 0, or -1 with err ("built without GPGME"
 * when HAVE_GPGME is not defined). */
int sw_pgp_sign(const char *keyid, const char *data, size_t len,
		struct sw_buf *sig, char *micalg, size_t micalglen,
		char *err, size_t errlen);

#endif
