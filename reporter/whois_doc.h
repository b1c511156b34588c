/*
 * whois_doc.h - a whois answer as lines and items (whois_doc.c): what the
 * rest of the parser reads instead of the raw bytes. Internal to the
 * whois parser (whois_*.c); the reporter's API is whois_parse.h.
 */
#ifndef SW_WHOIS_DOC_H
#define SW_WHOIS_DOC_H
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Answers are capped by the client (256 KiB by default); the parser caps
 * what it reads on its own so that a caller's mistake cannot cost much. */
#define PARSE_MAX ((size_t)4 << 20)
#define KEY_MAX 40

enum item_kind {
	ITEM_ATTR,    /* "key: value" (RPSL, ARIN, KRNIC) */
	ITEM_BRACKET, /* JPNIC "a. [Key]   value" */
	ITEM_SECTION, /* a whole line "[ Section ]" (KRNIC) */
	ITEM_COMMENT, /* "% ..." or "# ...": the text after the marker */
	ITEM_TEXT,    /* any other line */
};

struct item {
	enum item_kind kind;
	unsigned para;     /* paragraph: blank and comment lines separate them */
	char key[KEY_MAX]; /* lower case, runs of blanks as one space */
	char *val;         /* NUL-terminated copy in the arena, trimmed */
	size_t vlen;
};

struct doc {
	struct item *items;
	size_t n, cap;
	char *arena;
	size_t used, size;
};

/* An RPSL object: items [first, end) of one paragraph, all ITEM_ATTR. */
struct object {
	size_t first, end;
};

static inline bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static inline int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static inline bool ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return false;
	return *a == *b;
}

/* Case-insensitive search of needle (lower case) in s[0..n). */
static inline const char *ifind(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	if (m == 0 || m > n)
		return m == 0 ? s : NULL;
	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;
		while (j < m && lower((unsigned char)s[i + j]) == needle[j])
			j++;
		if (j == m)
			return s + i;
	}
	return NULL;
}

static inline bool istarts(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower((unsigned char)*s) != *prefix)
			return false;
	return true;
}

static inline bool is_attr(const struct item *it, const char *key)
{
	return it->kind == ITEM_ATTR && strcmp(it->key, key) == 0;
}

/* The first blank-separated word of a value into out (a handle, a
 * country code, a source name). */
static inline void first_word(const char *v, char *out, size_t outlen)
{
	size_t n = 0;

	while (v[n] && !is_blank((unsigned char)v[n]))
		n++;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

/* Split text (len bytes, any byte) into items: false when out of memory.
 * A NUL byte becomes 0x1a, so that it can never shorten a value. */
bool whois_doc_load(struct doc *d, const char *text, size_t len);
void whois_doc_free(struct doc *d);

#endif
