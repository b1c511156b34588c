/*
 * encode.h - the text encodings the mail and the X-ARF report share
 * (encode.c): recognising one UTF-8 sequence, and base64.
 */
#ifndef SW_ENCODE_H
#define SW_ENCODE_H
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Length (1-4) of the valid, shortest-form UTF-8 sequence at s (n bytes
 * available), or 0 if the bytes there are not one (stray continuation,
 * overlong form, surrogate, above U+10FFFF, cut short). *cp gets the code
 * point when cp is not NULL. */
size_t sw_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* Append the base64 (RFC 4648, with padding, no line breaks) of data. */
void sw_base64(struct sw_buf *out, const void *data, size_t len);

#endif
