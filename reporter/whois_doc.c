/*
 * whois_doc.c - a whois answer split into lines once: "key: value"
 * attributes (RPSL, ARIN, KRNIC, with RPSL continuation lines), JPNIC's
 * "a. [Key]   value", KRNIC's "[ Section ]" lines, comments and free text,
 * grouped into paragraphs. Every value is a trimmed, NUL-terminated copy
 * in one arena; a NUL byte in the answer becomes 0x1a. Bounded by the
 * answer's size (PARSE_MAX at most); nothing here recurses.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "whois_doc.h"

/* Copy n bytes of a line into the arena, trimmed, NUL bytes made 0x1a. */
static char *arena_put(struct doc *d, const char *s, size_t n, size_t *outlen)
{
	while (n > 0 && is_blank((unsigned char)*s))
		s++, n--;
	while (n > 0 && is_blank((unsigned char)s[n - 1]))
		n--;
	char *p = d->arena + d->used;
	for (size_t i = 0; i < n; i++)
		p[i] = s[i] == '\0' ? '\x1a' : s[i];
	p[n] = '\0';
	d->used += n + 1;
	*outlen = n;
	return p;
}

static struct item *doc_push(struct doc *d)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct item *p = realloc(d->items, cap * sizeof(*p));
		if (p == NULL)
			return NULL;
		d->items = p;
		d->cap = cap;
	}
	struct item *it = &d->items[d->n++];
	memset(it, 0, sizeof(*it));
	return it;
}

/* Lower-case key with runs of blanks as one space; false if it does not
 * fit or holds a byte no registry uses in a key. */
static bool make_key(char *key, const char *s, size_t n)
{
	size_t o = 0;
	bool space = false;

	while (n > 0 && is_blank((unsigned char)s[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t') {
			space = true;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_' && c != '.' && c != '/' && c != ',')
			return false;
		if (c >= 0x80)
			return false;
		if (o + (space ? 2 : 1) >= KEY_MAX)
			return false;
		if (space && o > 0)
			key[o++] = ' ';
		space = false;
		key[o++] = (char)lower(c);
	}
	key[o] = '\0';
	return o > 0;
}

/* "[ Network Information ]" as a whole line. */
static bool classify_section(struct item *it, const char *s, size_t n)
{
	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return false;
	size_t o = 0;
	bool space = false;
	for (size_t i = 1; i + 1 < n && o + 2 < KEY_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_blank(c)) {
			space = o > 0;
			continue;
		}
		if (c < 0x20 || c >= 0x7f)
			c = '?';
		if (space)
			it->key[o++] = ' ';
		space = false;
		it->key[o++] = (char)lower(c);
	}
	it->key[o] = '\0';
	it->kind = ITEM_SECTION;
	return true;
}

/* JPNIC: optional "x. ", then "[Key]", then the value. */
static bool classify_bracket(struct doc *d, struct item *it, const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 3 && isalpha((unsigned char)s[0]) && s[1] == '.' && s[2] == ' ') {
		i = 3;
		while (i < n && s[i] == ' ')
			i++;
	}
	if (i >= n || s[i] != '[')
		return false;
	const char *close = memchr(s + i, ']', n - i);
	if (close == NULL || close == s + i + 1)
		return false;
	size_t klen = (size_t)(close - (s + i + 1));
	if (!make_key(it->key, s + i + 1, klen))
		return false;
	size_t rest = n - (size_t)(close + 1 - s);
	if (i == 0 && rest == 0)
		return false; /* "[Key]" alone: a section */
	it->kind = ITEM_BRACKET;
	it->val = arena_put(d, close + 1, rest, &it->vlen);
	return true;
}

static bool classify_attr(struct doc *d, struct item *it, const char *s, size_t n)
{
	if (!isalnum((unsigned char)s[0]))
		return false;
	const char *colon = memchr(s, ':', n < KEY_MAX + 32 ? n : KEY_MAX + 32);
	if (colon == NULL)
		return false;
	if (!make_key(it->key, s, (size_t)(colon - s)))
		return false;
	it->kind = ITEM_ATTR;
	it->val = arena_put(d, colon + 1, n - (size_t)(colon + 1 - s), &it->vlen);
	return true;
}

/* Append a continuation line to the previous attribute, which is the last
 * thing in the arena, so the value stays contiguous. */
static void continue_attr(struct doc *d, struct item *prev, const char *s, size_t n)
{
	size_t len;

	if (n > 0 && s[0] == '+')
		s++, n--;
	/* the previous value is the last thing in the arena: its NUL
	 * becomes the joining space and the text follows it */
	char *nul = d->arena + d->used - 1;
	*nul = ' ';
	arena_put(d, s, n, &len);
	if (len == 0) { /* an empty continuation adds nothing */
		*nul = '\0';
		d->used = (size_t)(nul - d->arena) + 1;
		return;
	}
	prev->vlen += 1 + len;
}

void whois_doc_free(struct doc *d)
{
	free(d->items);
	free(d->arena);
	memset(d, 0, sizeof(*d));
}

bool whois_doc_load(struct doc *d, const char *text, size_t len)
{
	unsigned para = 0;
	bool in_para = false, prev_attr = false;
	size_t prev_lead = 0; /* indentation of the last attribute line */

	memset(d, 0, sizeof(*d));
	if (text == NULL)
		len = 0;
	if (len > PARSE_MAX)
		len = PARSE_MAX;
	/* each line's copy is at most its length plus one byte */
	d->size = len + 2;
	d->arena = malloc(d->size);
	if (d->arena == NULL)
		return false;

	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl != NULL);

		size_t lead = 0;
		while (lead < n && is_blank((unsigned char)line[lead]))
			lead++;
		if (lead == n) { /* blank: ends the paragraph */
			if (in_para)
				para++;
			in_para = prev_attr = false;
			continue;
		}
		/* RPSL continues a value on lines starting with a blank or '+';
		 * Verisign indents every line, so only a deeper indent counts */
		if (prev_attr && (lead > prev_lead || (lead == 0 && line[0] == '+'))) {
			continue_attr(d, &d->items[d->n - 1], line + lead, n - lead);
			continue;
		}
		struct item *it = doc_push(d);
		if (it == NULL) {
			whois_doc_free(d);
			return false;
		}
		const char *s = line + lead;
		size_t sn = n - lead;
		while (sn > 0 && is_blank((unsigned char)s[sn - 1]))
			sn--;
		prev_attr = false;
		if (s[0] == '%' || s[0] == '#') {
			it->kind = ITEM_COMMENT;
			it->val = arena_put(d, s + 1, sn - 1, &it->vlen);
			if (in_para)
				para++;
			it->para = para++;
			in_para = false;
			continue;
		}
		if (classify_bracket(d, it, s, sn) || classify_section(it, s, sn)) {
			if (it->val == NULL)
				it->val = arena_put(d, s, 0, &it->vlen);
		} else if (classify_attr(d, it, s, sn)) {
			prev_attr = true;
			prev_lead = lead;
		} else {
			it->kind = ITEM_TEXT;
			it->val = arena_put(d, s, sn, &it->vlen);
		}
		it->para = para;
		in_para = true;
	}
	return true;
}
