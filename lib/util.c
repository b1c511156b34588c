/*
 * util.c - strict number parsing and printable-text sanitizing.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

bool sw_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')  /* no sign, no spaces, not empty */
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

char *sw_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (dstlen == 0)
		return dst;
	for (size_t i = 0; src && (srclen == (size_t)-1 ? src[i] : i < srclen); i++) {
		unsigned char c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)c;
		} else if (c == '\\') {
			if (o + 2 >= dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = '\\';
		} else {
			if (o + 4 >= dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
	return dst;
}

void sw_usage_error(const char *msg)
{
	fprintf(stderr, "%s: %s\nTry '%s --help'.\n", sw_progname(), msg, sw_progname());
	exit(2);
}

uint64_t sw_option_number(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t v;
	char msg[256];

	if (!sw_parse_u64(arg, min, max, &v)) {
		snprintf(msg, sizeof msg, "%s: '%.64s' is not a number in %llu..%llu", opt, arg,
		         (unsigned long long)min, (unsigned long long)max);
		sw_usage_error(msg);
	}
	return v;
}

bool sw_fmt(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

int sw_grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -1;
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		return -1;
	q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

bool sw_split_hostport(const char *s, char *host, size_t hostlen, uint16_t *port,
		       uint16_t def_port, const char **why)
{
	const char *h = s, *p = NULL, *colon;
	size_t hn;
	uint64_t v;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close) {
			*why = "unterminated '['";
			return false;
		}
		h = s + 1;
		hn = (size_t)(close - h);
		if (close[1] == ':')
			p = close + 2;
		else if (close[1] != '\0') {
			*why = "junk after ']'";
			return false;
		}
	} else if ((colon = strchr(s, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
		hn = (size_t)(colon - s);   /* host:port */
		p = colon + 1;
	} else {
		hn = strlen(s);             /* a name, or a bare IPv6 literal */
	}
	if (hn == 0 || hn >= hostlen) {
		*why = "bad host";
		return false;
	}
	if (p && !sw_parse_u64(p, 1, 65535, &v)) {
		*why = "bad port";
		return false;
	}
	memcpy(host, h, hn);
	host[hn] = '\0';
	*port = p ? (uint16_t)v : def_port;
	return true;
}
