/*
 * plaintext.h - registry and DNS text as a person should read it
 * (plaintext.c).
 */
#ifndef SW_PLAINTEXT_H
#define SW_PLAINTEXT_H

#define SW_PLAIN_LEN 1024     /* registry or DNS text made plain, at most */

/*
 * src (printable, as sw_sanitize left it) with its \xNN escapes undone,
 * then control characters (C0, DEL, C1) and bytes that are not UTF-8
 * dropped, whatever else kept, into dst; returns dst. The memo is UTF-8,
 * so a name in another script survives.
 */
const char *sw_plain_text(char dst[SW_PLAIN_LEN], const char *src);

#endif
