/*
 * hostname.h - what the reporter takes for a host name, and its normal form.
 *
 * Host names reach the reporter from the operator (--whois-server,
 * --whois-hosts), from whois answers (referral servers) and from DNS (PTR
 * names, registrable domains); the last two are hostile text. A name that
 * passes here holds only letters, digits, '-' and '.' (and '_' where asked
 * for), so it is safe to print, to look up and to compare.
 */
#ifndef SW_HOSTNAME_H
#define SW_HOSTNAME_H

#include <stdbool.h>
#include <stddef.h>

#define SW_HOST_MAX 253     /* longest name, without the trailing dot */

#define SW_HOST_UNDERSCORE 0x1 /* '_' may appear in labels (PTR names and
                                  some operators' host names have it) */
#define SW_HOST_DOMAIN 0x2     /* a registrable domain: two labels at least */

/*
 * Normal form of the n bytes at name: lower case, one trailing dot dropped,
 * written to out (outlen must exceed the name's length). False, with out
 * empty, unless they are a host name: 1 to SW_HOST_MAX bytes of labels of 1
 * to 63 letters, digits and '-' (and '_' with SW_HOST_UNDERSCORE), no label
 * starting or ending with '-'.
 */
bool sw_host_normal(const char *name, size_t n, unsigned flags, char *out, size_t outlen);

/* A byte that may appear in a label. */
bool sw_host_label_char(unsigned char c, unsigned flags);

/* sw_host_normal's verdict alone. */
bool sw_host_ok(const char *name, size_t n, unsigned flags);

#endif
