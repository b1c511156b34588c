/*
 * plaintext.c - registry and DNS text as a person should read it (see
 * plaintext.h): the model keeps hostile text printable with \xNN escapes
 * (sw_sanitize), which is right for logs but unreadable in a memo; here
 * the escapes are undone and control characters dropped instead.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "plaintext.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* sw_sanitize() undone: "\\" is a backslash, "\xNN" the byte NN. */
static size_t unescape(const char *src, unsigned char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; src[i] && n < cap; i++) {
		int hi, lo;

		if (src[i] == '\\' && src[i + 1] == '\\') {
			out[n++] = '\\';
			i++;
		} else if (src[i] == '\\' && src[i + 1] == 'x' &&
			   (hi = hex_value(src[i + 2])) >= 0 && (lo = hex_value(src[i + 3])) >= 0) {
			out[n++] = (unsigned char)(hi << 4 | lo);
			i += 3;
		} else {
			out[n++] = (unsigned char)src[i];
		}
	}
	return n;
}

/* The length of the UTF-8 character at p (n bytes left) if it is a valid,
 * shortest-form one and not a C1 control; 0 if not. */
static size_t utf8_char(const unsigned char *p, size_t n)
{
	size_t len = p[0] > 0xf4 ? 0 : p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;

	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90) ||
	    (p[0] == 0xc2 && p[1] < 0xa0))
		return 0;
	return len;
}

/*
 * Registry or DNS text as the recipient should read it: the model's
 * escapes undone, then control characters (C0, DEL, C1) and bytes that
 * are not UTF-8 dropped, whatever else kept. The memo is UTF-8 (mime.c
 * encodes the subject and body), so a name in another script survives.
 */
const char *sw_plain_text(char dst[SW_PLAIN_LEN], const char *src)
{
	unsigned char raw[SW_PLAIN_LEN];
	size_t n = unescape(src ? src : "", raw, sizeof raw), o = 0;

	for (size_t i = 0; i < n;) {
		size_t k = raw[i] < 0x80 ? 1 : utf8_char(raw + i, n - i);

		if (k == 0 || raw[i] < 0x20 || raw[i] == 0x7f) {
			i++;
			continue;
		}
		if (o + k >= SW_PLAIN_LEN)
			break;
		memcpy(dst + o, raw + i, k);
		o += k;
		i += k;
	}
	dst[o] = '\0';
	return dst;
}
