/*
 * jsonw.h - a small JSON writer: one object at a time into a buffer, with
 * strings escaped so that any bytes (hostile names, registry text, invalid
 * UTF-8) come out as valid JSON text that parses back to the same
 * characters. The sensor writes into a fixed buffer (no allocation: a line
 * that does not fit is refused whole, never cut); the analyzer lets it grow
 * up to a bound.
 */
#ifndef SW_JSONW_H
#define SW_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_JSON_DEPTH 16

struct sw_json {
	char *buf;
	size_t len, cap, max;   /* max: the bound a growing buffer stops at */
	bool grow;              /* the buffer is ours to realloc (sw_json_dyn) */
	bool overflow;          /* something did not fit: the text is unusable */
	int depth;
	bool first[SW_JSON_DEPTH]; /* nothing written yet at this level */
	char closer[SW_JSON_DEPTH]; /* '}' or ']' */
};

/* Write into buf (cap bytes, never grown, never freed). */
void sw_json_fixed(struct sw_json *j, char *buf, size_t cap);
/* A buffer of our own, grown as needed up to max bytes; sw_json_free. */
void sw_json_dyn(struct sw_json *j, size_t max);
void sw_json_free(struct sw_json *j);
/* Empty it for the next object. */
void sw_json_reset(struct sw_json *j);

/* Members: key is the member's name inside an object, NULL inside an
 * array or at the top. A string of NULL writes null. */
void sw_json_obj(struct sw_json *j, const char *key);
void sw_json_arr(struct sw_json *j, const char *key);
void sw_json_end(struct sw_json *j);   /* closes the innermost object or array */
void sw_json_str(struct sw_json *j, const char *key, const char *s);
void sw_json_strn(struct sw_json *j, const char *key, const char *s, size_t n);
void sw_json_int(struct sw_json *j, const char *key, int64_t v);
void sw_json_uint(struct sw_json *j, const char *key, uint64_t v);
void sw_json_bool(struct sw_json *j, const char *key, bool v);
void sw_json_null(struct sw_json *j, const char *key);
/* Microseconds since the epoch as "2026-11-27T17:09:41.508835Z". */
void sw_json_time(struct sw_json *j, const char *key, int64_t us);

/* The text written so far followed by a newline and a NUL, and its length
 * without the NUL; NULL when it overflowed or an object or array is still
 * open. */
const char *sw_json_line(struct sw_json *j, size_t *len);

/* The escaped form of n bytes of s, quotes included, into out (cap bytes,
 * NUL-terminated): control characters as \n, \t or \u00XX, DEL as \u007f,
 * U+2028 and U+2029 escaped, each byte that is not part of valid UTF-8 as
 * U+FFFD. Returns the length, or (size_t)-1 when it did not fit; with out
 * NULL, only the length it would have. */
size_t sw_json_escape(char *out, size_t cap, const char *s, size_t n);

#endif
