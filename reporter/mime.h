/*
 * mime.h - turning a memo into a message (mime.c): the message in each
 * output format (eml, mbox, text, xarf = multipart/mixed with the X-ARF
 * JSON parts made by xarf.c) and the PGP/MIME envelope (RFC 3156; sign.c
 * makes the signature). Header fields are mailhdr.h's, handing a message
 * to sendmail sendmail.h's.
 */
#ifndef SW_MIME_H
#define SW_MIME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mailhdr.h"

enum sw_mail_format { SW_FMT_EML, SW_FMT_MBOX, SW_FMT_TEXT, SW_FMT_XARF };

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

#endif
