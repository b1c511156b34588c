/*
 * jsonw.c - the JSON writer of the event lines (see jsonw.h): member
 * separators, string escaping with UTF-8 validation, numbers and times,
 * into a fixed or a bounded growing buffer.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "timefmt.h"

void sw_json_fixed(struct sw_json *j, char *buf, size_t cap)
{
	memset(j, 0, sizeof *j);
	j->buf = buf;
	j->cap = cap;
	j->max = cap;
	j->first[0] = true;
}

void sw_json_dyn(struct sw_json *j, size_t max)
{
	memset(j, 0, sizeof *j);
	j->grow = true;
	j->max = max;
	j->first[0] = true;
}

void sw_json_free(struct sw_json *j)
{
	if (j->grow)
		free(j->buf);
	j->buf = NULL;
	j->cap = j->len = 0;
}

void sw_json_reset(struct sw_json *j)
{
	j->len = 0;
	j->overflow = false;
	j->depth = 0;
	j->first[0] = true;
}

/* Room for n more bytes (and a NUL); false (overflow noted) if not. */
static bool room(struct sw_json *j, size_t n)
{
	size_t need;
	char *p;

	if (j->overflow)
		return false;
	need = j->len + n + 1;
	if (need <= j->cap)
		return true;
	if (!j->grow || need > j->max) {
		j->overflow = true;
		return false;
	}
	{
		size_t cap = j->cap ? j->cap : 1024;
		while (cap < need)
			cap *= 2;
		if (cap > j->max)
			cap = j->max;
		p = realloc(j->buf, cap);
		if (!p) {
			j->overflow = true;
			return false;
		}
		j->buf = p;
		j->cap = cap;
	}
	return true;
}

static void put(struct sw_json *j, const char *s, size_t n)
{
	if (!room(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct sw_json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;         /* no overlong forms */
	else if (c == 0xed)
		hi = 0x9f;         /* no surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;         /* nothing past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

size_t sw_json_escape(char *out, size_t cap, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t o = 0, i = 0;

	/* out NULL: only count (cap ignored) */
#define EMIT(p, k) do { \
		if (out) { \
			if (o + (k) + 1 > cap) \
				return (size_t)-1; \
			memcpy(out + o, (p), (k)); \
		} \
		o += (k); \
	} while (0)
	EMIT("\"", 1);
	while (i < n) {
		unsigned char c = s[i];
		char esc[8];
		size_t len;

		if (c == '"') {
			EMIT("\\\"", 2);
			i++;
		} else if (c == '\\') {
			EMIT("\\\\", 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': EMIT("\\n", 2); break;
			case '\r': EMIT("\\r", 2); break;
			case '\t': EMIT("\\t", 2); break;
			case '\b': EMIT("\\b", 2); break;
			case '\f': EMIT("\\f", 2); break;
			default:
				snprintf(esc, sizeof esc, "\\u%04x", c);
				EMIT(esc, 6);
			}
			i++;
		} else if (c < 0x80) {
			EMIT(&s[i], 1);
			i++;
		} else if ((len = utf8_len(s + i, n - i)) == 0) {
			EMIT("\xef\xbf\xbd", 3); /* U+FFFD for the byte */
			i++;
		} else if (len == 3 && c == 0xe2 && s[i + 1] == 0x80 &&
		           (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			/* line and paragraph separators: newlines to JavaScript */
			EMIT(s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			i += 3;
		} else {
			EMIT(&s[i], len);
			i += len;
		}
	}
	EMIT("\"", 1);
#undef EMIT
	if (out)
		out[o] = '\0';
	return o;
}

/* n bytes of s as a JSON string: counted first, so that the room asked
 * for is exact. */
static void put_escaped(struct sw_json *j, const char *s, size_t n)
{
	size_t k = sw_json_escape(NULL, 0, s, n);

	if (!room(j, k))
		return;
	sw_json_escape(j->buf + j->len, j->cap - j->len, s, n);
	j->len += k;
}

/* The separator and the key of the next member. */
static void member(struct sw_json *j, const char *key)
{
	if (!j->first[j->depth])
		put(j, ",", 1);
	j->first[j->depth] = false;
	if (key) {
		put_escaped(j, key, strlen(key));
		put(j, ":", 1);
	}
}

static void open_(struct sw_json *j, const char *key, const char *bracket)
{
	member(j, key);
	if (j->depth + 1 >= SW_JSON_DEPTH) {
		j->overflow = true;
		return;
	}
	put(j, bracket, 1);
	j->first[++j->depth] = true;
	j->closer[j->depth] = bracket[0] == '[' ? ']' : '}';
}

void sw_json_obj(struct sw_json *j, const char *key)
{
	open_(j, key, "{");
}

void sw_json_arr(struct sw_json *j, const char *key)
{
	open_(j, key, "[");
}

void sw_json_end(struct sw_json *j)
{
	if (j->depth == 0) {
		j->overflow = true;
		return;
	}
	put(j, j->closer[j->depth] == ']' ? "]" : "}", 1);
	j->depth--;
}

void sw_json_strn(struct sw_json *j, const char *key, const char *s, size_t n)
{
	member(j, key);
	if (!s) {
		puts_(j, "null");
		return;
	}
	put_escaped(j, s, n);
}

void sw_json_str(struct sw_json *j, const char *key, const char *s)
{
	sw_json_strn(j, key, s, s ? strlen(s) : 0);
}

void sw_json_int(struct sw_json *j, const char *key, int64_t v)
{
	char num[24];

	member(j, key);
	snprintf(num, sizeof num, "%" PRId64, v);
	puts_(j, num);
}

void sw_json_uint(struct sw_json *j, const char *key, uint64_t v)
{
	char num[24];

	member(j, key);
	snprintf(num, sizeof num, "%" PRIu64, v);
	puts_(j, num);
}

void sw_json_bool(struct sw_json *j, const char *key, bool v)
{
	member(j, key);
	puts_(j, v ? "true" : "false");
}

void sw_json_null(struct sw_json *j, const char *key)
{
	member(j, key);
	puts_(j, "null");
}

void sw_json_time(struct sw_json *j, const char *key, int64_t us)
{
	char iso[SW_ISO_LEN];

	sw_json_str(j, key, sw_iso_utc(us, iso, sizeof iso));
}

const char *sw_json_line(struct sw_json *j, size_t *len)
{
	if (j->depth != 0 || j->len == 0)
		return NULL;
	put(j, "\n", 1);
	if (j->overflow)
		return NULL;
	if (len)
		*len = j->len;
	return j->buf;
}
