/*
 * mailhdr.h - mail header fields that nothing hostile can add to or break
 * (mailhdr.c): no CR/LF, RFC 2047 encoded-words for non-ASCII, folded at
 * 78 columns; mailboxes, address lists and safe e-mail addresses.
 */
#ifndef SW_MAILHDR_H
#define SW_MAILHDR_H
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* One mailbox: display name (any UTF-8, may be empty) and address. */
struct sw_mailbox {
	const char *name;
	const char *addr;
};

/* True if addr is a plain, safe e-mail address (local@domain, printable
 * ASCII, no spaces, quotes, angle brackets, commas, CR or LF; ≤ 254 bytes). */
bool sw_mail_addr_ok(const char *addr);

/* Append one header field "Name: value\r\n" (folded, encoded, CR/LF and
 * control bytes in value removed) to out. */
void sw_mail_header(struct sw_buf *out, const char *name, const char *value);

/* Append an address-list field ("To", "Cc") with those of the n mailboxes
 * whose address is safe; the others are dropped, never written. Returns
 * how many were written (0: no field at all). */
size_t sw_mail_address_list(struct sw_buf *out, const char *name,
			    const struct sw_mailbox *mb, size_t n);

#endif
