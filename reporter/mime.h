/*
 * mime.h - turning a memo into mail: header fields that nothing hostile can
 * add to or break (no CR/LF, RFC 2047 encoded-words for non-ASCII, folded
 * at 78 columns), address lists, the message in each output format (eml,
 * mbox, text, xarf = multipart/mixed with the X-ARF JSON parts made by
 * xarf.c), the PGP/MIME envelope (RFC 3156; sign.c makes the signature),
 * and handing a message to sendmail.
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

#endif
