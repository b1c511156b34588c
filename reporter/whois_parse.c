/*
 * whois_parse.c - turns one whois answer into what whois_parse.h promises: the
 * range of the most specific network containing the address (as CIDRs),
 * its name, organisation and country, and contacts ranked by where they
 * came from. It also finds the referral to the next registry, recognises
 * rate-limit refusals and knows the registry placeholders that must never
 * become recipients.
 *
 * Shapes understood: RPSL objects (RIPE, APNIC, AFRINIC, LACNIC, with
 * continuation lines), ARIN's "Key: value" sections, KRNIC's English
 * "[ Section ]" / "Key : value" form and JPNIC's "/e" form
 * ("a. [Network Number]   2001:db8::/32").
 *
 * The answer is hostile text. It is split into lines once (a NUL byte
 * becomes 0x1a so that it can never shorten a value behind our back), and
 * everything we keep is validated (e-mail addresses) or made printable
 * with sw_sanitize (names, handles). Every lookup is bounded by the number
 * of lines; nothing here recurses.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "util.h"
#include "hostname.h"
#include "mime.h"
#include "whois_parse.h"

/* Answers are capped by the client (256 KiB by default); the parser caps
 * what it reads on its own so that a caller's mistake cannot cost much. */
#define PARSE_MAX ((size_t)4 << 20)
#define KEY_MAX 40
#define ANSWER_MAX_CONTACTS (2 * SW_WHOIS_MAX_CONTACTS)
#define SPLIT_MAX 256 /* a range splits into at most 2 * 128 CIDRs */
/* Hostile answers can name thousands of handles or nest thousands of
 * networks; each lookup scans the answer, so both are bounded. */
#define HANDLES_MAX 32
#define FALLBACK_MAX 4

/* ---- lines and items --------------------------------------------------- */

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

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static bool ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return false;
	return *a == *b;
}

/* Case-insensitive search of needle (lower case) in s[0..n). */
static const char *ifind(const char *s, size_t n, const char *needle)
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

static bool istarts(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower((unsigned char)*s) != *prefix)
			return false;
	return true;
}

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

static void doc_free(struct doc *d)
{
	free(d->items);
	free(d->arena);
	memset(d, 0, sizeof(*d));
}

static bool doc_load(struct doc *d, const char *text, size_t len)
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
			doc_free(d);
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

static bool is_attr(const struct item *it, const char *key)
{
	return it->kind == ITEM_ATTR && strcmp(it->key, key) == 0;
}

/* The first blank-separated word of a value into out (a handle, a
 * country code, a source name). */
static void first_word(const char *v, char *out, size_t outlen)
{
	size_t n = 0;

	while (v[n] && !is_blank((unsigned char)v[n]))
		n++;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

/* ---- addresses and ranges ---------------------------------------------- */

struct range {
	struct sw_addr lo, hi;
};

static unsigned fam_bytes(const struct sw_addr *a)
{
	return a->family == SW_AF_INET ? 4 : 16;
}

/* An address token; a short IPv4 form ("200.57.128") is padded with
 * zero octets as LACNIC means it. */
static bool parse_addr(const char *s, size_t n, bool short_v4, struct sw_addr *out)
{
	char buf[64];

	while (n > 0 && is_blank((unsigned char)*s))
		s++, n--;
	while (n > 0 && is_blank((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n + 6 >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (short_v4 && memchr(buf, ':', n) == NULL) {
		unsigned dots = 0;
		for (size_t i = 0; i < n; i++)
			dots += buf[i] == '.';
		for (; dots < 3; dots++)
			memcpy(buf + strlen(buf), ".0", 3);
	}
	return sw_addr_parse(buf, out);
}

static void range_from_prefix(const struct sw_addr *a, unsigned len, struct range *r)
{
	struct sw_prefix p;
	unsigned bits = fam_bytes(a) * 8;

	sw_prefix_of(a, len, &p);
	r->lo = p.addr;
	r->hi = p.addr;
	for (unsigned b = p.len; b < bits; b++)
		r->hi.bytes[b / 8] |= (uint8_t)(0x80 >> (b % 8));
}

/* "a - b", "a/len" (LACNIC's short IPv4 too), or one address; anything
 * after a '(' is a remark ("210.107.0.0 - 210.107.127.255 (/17)"). */
static bool parse_range(const char *v, size_t n, struct range *r)
{
	const char *paren = memchr(v, '(', n);
	if (paren)
		n = (size_t)(paren - v);
	const char *dash = memchr(v, '-', n);
	if (dash) {
		if (!parse_addr(v, (size_t)(dash - v), false, &r->lo) ||
		    !parse_addr(dash + 1, n - (size_t)(dash + 1 - v), false, &r->hi))
			return false;
		return r->lo.family == r->hi.family && sw_addr_cmp(&r->lo, &r->hi) <= 0;
	}
	const char *slash = memchr(v, '/', n);
	struct sw_addr a;
	if (slash == NULL) {
		if (!parse_addr(v, n, false, &a))
			return false;
		r->lo = r->hi = a;
		return true;
	}
	if (!parse_addr(v, (size_t)(slash - v), true, &a))
		return false;
	char num[8];
	size_t ln = n - (size_t)(slash + 1 - v);
	while (ln > 0 && is_blank((unsigned char)slash[ln]))
		ln--;
	if (ln == 0 || ln >= sizeof(num))
		return false;
	memcpy(num, slash + 1, ln);
	num[ln] = '\0';
	uint64_t len;
	if (!sw_parse_u64(num, 0, fam_bytes(&a) * 8, &len))
		return false;
	range_from_prefix(&a, (unsigned)len, r);
	return true;
}

static bool range_contains(const struct range *r, const struct sw_addr *a)
{
	return a->family == r->lo.family && sw_addr_cmp(&r->lo, a) <= 0 &&
	       sw_addr_cmp(a, &r->hi) <= 0;
}

/* hi - lo as a 16-byte big-endian number, for "more specific" tests. */
static void range_size(const struct range *r, uint8_t out[16])
{
	unsigned nb = fam_bytes(&r->lo), borrow = 0;

	memset(out, 0, 16);
	for (unsigned i = nb; i-- > 0;) {
		int d = (int)r->hi.bytes[i] - (int)r->lo.bytes[i] - (int)borrow;
		borrow = d < 0;
		out[16 - nb + i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

static int range_cmp_size(const struct range *a, const struct range *b)
{
	uint8_t sa[16], sb[16];

	range_size(a, sa);
	range_size(b, sb);
	return memcmp(sa, sb, 16);
}

static unsigned trailing_zero_bits(const uint8_t *b, unsigned nb)
{
	unsigned z = 0;

	for (unsigned i = nb; i-- > 0; z += 8) {
		if (b[i] != 0) {
			for (unsigned bit = 0; bit < 8; bit++)
				if (b[i] & (1u << bit))
					return z + bit;
		}
	}
	return z;
}

static void set_low_bits(uint8_t *b, unsigned nb, unsigned k)
{
	for (unsigned bit = 0; bit < k; bit++)
		b[nb - 1 - bit / 8] |= (uint8_t)(1u << (bit % 8));
}

/* Split a range into CIDRs, smallest address first; returns the count. */
static unsigned range_split(const struct range *r, struct sw_prefix *out)
{
	unsigned nb = fam_bytes(&r->lo), bits = nb * 8, n = 0;
	uint8_t cur[16], end[16];

	memcpy(cur, r->lo.bytes, 16);
	while (n < SPLIT_MAX) {
		unsigned k = trailing_zero_bits(cur, nb);
		if (k > bits)
			k = bits;
		for (;; k--) {
			memcpy(end, cur, 16);
			set_low_bits(end, nb, k);
			if (memcmp(end, r->hi.bytes, nb) <= 0 || k == 0)
				break;
		}
		out[n].addr = r->lo;
		memcpy(out[n].addr.bytes, cur, nb);
		out[n].len = (uint8_t)(bits - k);
		n++;
		if (memcmp(end, r->hi.bytes, nb) >= 0)
			break;
		memcpy(cur, end, 16); /* end < hi: end + 1 cannot overflow */
		for (unsigned i = nb; i-- > 0;)
			if (++cur[i] != 0)
				break;
	}
	return n;
}

/* ---- e-mail addresses --------------------------------------------------- */

static bool local_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '+' || c == '-' || c == '=';
}

/* The validated, lower-case address that s[0..n) is, or false: a
 * conservative local part, and an address sw_mail_addr_ok accepts (one
 * '@', LDH domain labels, a letter TLD). No byte that could end a header,
 * quote or list survives this. */
static bool email_normalize(const char *s, size_t n, char out[128])
{
	while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n < 6 || n >= 128)
		return false;
	const char *at = memchr(s, '@', n);
	if (at == NULL)
		return false;
	size_t ll = (size_t)(at - s);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80)
			return false;
		out[i] = (char)lower(c);
	}
	out[n] = '\0';
	/* a narrower local part than mail allows; the rest is the mail rule */
	for (size_t i = 0; i < ll; i++)
		if (!local_char((unsigned char)out[i]))
			return false;
	return sw_mail_addr_ok(out);
}

static bool domain_is(const char *domain, const char *zone)
{
	size_t dl = strlen(domain), zl = strlen(zone);
	if (dl < zl || strcmp(domain + dl - zl, zone) != 0)
		return false;
	return dl == zl || domain[dl - zl - 1] == '.';
}

/* The registries themselves: their hostmasters, change robots, "search
 * APNIC not ARIN" and abuse desks answer for the registry, never for the
 * network. JPNIC's role shows up in every APNIC answer for Japan. */
static const char *const registry_zones[] = {
	"ripe.net", "apnic.net", "arin.net", "lacnic.net", "afrinic.net",
	"iana.org", "nic.ad.jp", "jpnic.net",
};

/* National registries whose IRT handles abuse for their whole country:
 * kept, but only as a labelled fallback. */
static const char *const nir_zones[] = {
	"nic.or.kr", "kisa.or.kr", "krnic.net", "krnic.or.kr", "twnic.net.tw",
	"twnic.tw", "cnnic.cn", "cnnic.net.cn", "idnic.net", "idnic.id",
	"vnnic.vn", "vnnic.net.vn", "irinn.in",
};

static bool is_nir_address(const char *addr)
{
	const char *at = strchr(addr, '@');
	if (at == NULL)
		return false;
	for (size_t i = 0; i < SW_ARRAY_LEN(nir_zones); i++)
		if (domain_is(at + 1, nir_zones[i]))
			return true;
	return false;
}

bool sw_whois_is_placeholder(const char *addr)
{
	static const char *const local_has[] = {
		"redacted", "removed", "no-email", "noemail", "no_email", "nomail",
		"not-available", "notavailable", "not.available", "not_available",
		"noreply", "no-reply", "donotreply", "do-not-reply", "do_not_reply",
		"unavailable", "withheld", "placeholder",
	};
	static const char *const local_is[] = {
		"none", "nobody", "null", "invalid", "unknown", "xxx", "x", "na",
		"n.a",
	};
	static const char *const bad_tld[] = {
		"invalid", "localhost", "local",
	};
	char a[128];

	if (addr == NULL || !email_normalize(addr, strlen(addr), a))
		return true;
	char *at = strchr(a, '@');
	const char *domain = at + 1;
	*at = '\0';
	for (size_t i = 0; i < SW_ARRAY_LEN(local_has); i++)
		if (strstr(a, local_has[i]))
			return true;
	for (size_t i = 0; i < SW_ARRAY_LEN(local_is); i++)
		if (strcmp(a, local_is[i]) == 0)
			return true;
	if (strstr(domain, "redacted") || strstr(domain, "removed"))
		return true;
	if (strspn(domain, "x.") == strlen(domain))
		return true; /* "abuse@xxx.xx" */
	for (size_t i = 0; i < SW_ARRAY_LEN(bad_tld); i++)
		if (domain_is(domain, bad_tld[i]))
			return true;
	for (size_t i = 0; i < SW_ARRAY_LEN(registry_zones); i++)
		if (domain_is(domain, registry_zones[i]))
			return true;
	return false;
}

const char *sw_contact_source_name(enum sw_contact_source s)
{
	switch (s) {
	case SW_CONTACT_ABUSE_MAILBOX: return "abuse mailbox";
	case SW_CONTACT_ABUSE_COMMENT: return "abuse contact comment";
	case SW_CONTACT_ROLE_EMAIL: return "role e-mail";
	case SW_CONTACT_REMARKS: return "remarks";
	case SW_CONTACT_NIR_IRT: return "national registry IRT (fallback)";
	case SW_CONTACT_DOMAIN: return "domain contact";
	case SW_CONTACT_GUESS: return "RFC 2142 guess";
	}
	return "unknown";
}

/* ---- contact lists ------------------------------------------------------ */

/* Within one source, mailboxes named for abuse handling come first:
 * "ipadm@" (whois corrections only) must not outrank "abuse@". */
static unsigned local_class(const char *addr)
{
	static const char *const security[] = {
		"security", "cert", "csirt", "cirt", "irt", "soc",
	};
	if (strncmp(addr, "abuse", 5) == 0 || strncmp(addr, "spam", 4) == 0)
		return 0;
	for (size_t i = 0; i < SW_ARRAY_LEN(security); i++)
		if (strncmp(addr, security[i], strlen(security[i])) == 0)
			return 1;
	return 2;
}

static unsigned contact_rank(const struct sw_contact *c)
{
	return (unsigned)c->source * 4 + local_class(c->addr);
}

/* Add c to list (deduplicated; a better source replaces a worse one;
 * when full, c displaces the worst entry if it ranks better). */
static void contacts_add(struct sw_contact *list, unsigned *n, unsigned cap,
			 const struct sw_contact *c)
{
	for (unsigned i = 0; i < *n; i++) {
		if (strcmp(list[i].addr, c->addr) == 0) {
			if (c->source < list[i].source) {
				list[i].source = c->source;
				memcpy(list[i].via, c->via, sizeof(c->via));
				memcpy(list[i].server, c->server, sizeof(c->server));
			}
			return;
		}
	}
	if (*n < cap) {
		list[(*n)++] = *c;
		return;
	}
	unsigned worst = 0;
	for (unsigned i = 1; i < *n; i++)
		if (contact_rank(&list[i]) >= contact_rank(&list[worst]))
			worst = i;
	if (contact_rank(c) < contact_rank(&list[worst])) {
		memmove(&list[worst], &list[worst + 1], (*n - worst - 1) * sizeof(*c));
		list[*n - 1] = *c;
	}
}

/* Stable: equal ranks keep the order they appeared in. */
static void contacts_sort(struct sw_contact *list, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct sw_contact c = list[i];
		unsigned j = i;
		while (j > 0 && contact_rank(&list[j - 1]) > contact_rank(&c)) {
			list[j] = list[j - 1];
			j--;
		}
		list[j] = c;
	}
}

/* ---- one answer --------------------------------------------------------- */

struct answer {
	const struct sw_addr *a;
	bool have_range;
	struct range range;
	char netname[80], org[160], country[8];
	struct sw_contact contacts[ANSWER_MAX_CONTACTS];
	unsigned ncontacts;
};

static void add_contact(struct answer *ans, const char *value, size_t n,
			enum sw_contact_source source, const char *via)
{
	struct sw_contact c;

	memset(&c, 0, sizeof(c));
	/* an RPSL end-of-line comment: "abuse@x.net # primary" */
	for (size_t i = 1; i < n; i++)
		if (value[i] == '#' && is_blank((unsigned char)value[i - 1])) {
			n = i;
			break;
		}
	if (!email_normalize(value, n, c.addr) || sw_whois_is_placeholder(c.addr))
		return;
	if (is_nir_address(c.addr) && source < SW_CONTACT_NIR_IRT)
		source = SW_CONTACT_NIR_IRT;
	c.source = source;
	sw_sanitize(c.via, sizeof(c.via), via, (size_t)-1);
	contacts_add(ans->contacts, &ans->ncontacts, ANSWER_MAX_CONTACTS, &c);
}

/* Addresses written in free text: each token between separators that
 * could never be part of an address we accept. */
static void add_text_contacts(struct answer *ans, const char *v, size_t n, const char *via)
{
	static const char sep[] = " \t,;:<>()[]{}\"'`|!?*";
	size_t i = 0;

	while (i < n) {
		while (i < n && strchr(sep, v[i]) && v[i] != '\0')
			i++;
		size_t start = i;
		while (i < n && !(strchr(sep, v[i]) && v[i] != '\0'))
			i++;
		size_t len = i - start;
		/* a sentence may end right after the address */
		while (len > 0 && v[start + len - 1] == '.')
			len--;
		if (len > 0 && memchr(v + start, '@', len))
			add_contact(ans, v + start, len, SW_CONTACT_REMARKS, via);
	}
}

static void set_printable(char *dst, size_t dstlen, const char *v, size_t n)
{
	if (dst[0] == '\0' && n > 0)
		sw_sanitize(dst, dstlen, v, n);
}

static void set_country(char *dst, const char *v)
{
	char w[8];

	first_word(v, w, sizeof(w));
	if (dst[0] != '\0' || strlen(w) != 2 || !isalpha((unsigned char)w[0]) ||
	    !isalpha((unsigned char)w[1]))
		return;
	dst[0] = (char)toupper((unsigned char)w[0]);
	dst[1] = (char)toupper((unsigned char)w[1]);
	dst[2] = '\0';
}

/* A network found in the answer: its range and the items that describe
 * it (an RPSL object, or an ARIN/KRNIC/JPNIC group of items). */
enum shape { SHAPE_RPSL, SHAPE_ARIN, SHAPE_KRNIC, SHAPE_JPNIC, SHAPE_RWHOIS };

struct cand {
	enum shape shape;
	struct range range;
	size_t first, end;
};

struct parse {
	struct doc *d;
	unsigned handles; /* handles resolved so far, at most HANDLES_MAX */
	struct object *objs;
	size_t nobjs;
	struct cand *cands;
	size_t ncands;
};

static void find_objects(struct parse *p)
{
	struct doc *d = p->d;

	p->objs = calloc(d->n ? d->n : 1, sizeof(*p->objs));
	p->nobjs = 0;
	if (p->objs == NULL)
		return;
	for (size_t i = 0; i < d->n;) {
		if (d->items[i].kind != ITEM_ATTR) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < d->n && d->items[j].kind == ITEM_ATTR && d->items[j].para == d->items[i].para)
			j++;
		p->objs[p->nobjs].first = i;
		p->objs[p->nobjs].end = j;
		p->nobjs++;
		i = j;
	}
}

static void add_cand(struct parse *p, enum shape shape, const struct range *r,
		     size_t first, size_t end)
{
	struct cand *c = &p->cands[p->ncands++];
	c->shape = shape;
	c->range = *r;
	c->first = first;
	c->end = end;
}

/* RWhois: "network:IP-Network:23.131.4.16/28" is key "network" with the
 * value "IP-Network:..."; sub is the lower-case part before the colon. */
static const char *rwhois_value(const struct item *it, const char *sub)
{
	if (!is_attr(it, "network") || !istarts(it->val, sub))
		return NULL;
	return it->val + strlen(sub);
}

static bool starts_group(const struct item *e)
{
	return is_attr(e, "netrange") || rwhois_value(e, "ip-network:") ||
	       (e->kind == ITEM_BRACKET && strcmp(e->key, "network number") == 0) ||
	       (e->kind == ITEM_SECTION && strstr(e->key, "network information"));
}

static void find_cands(struct parse *p)
{
	struct doc *d = p->d;
	struct range r;

	p->cands = calloc(d->n ? d->n : 1, sizeof(*p->cands));
	p->ncands = 0;
	if (p->cands == NULL)
		return;
	/* RPSL: inetnum/inet6num objects (LACNIC's too) */
	for (size_t o = 0; o < p->nobjs; o++) {
		struct item *it = &d->items[p->objs[o].first];
		if ((is_attr(it, "inetnum") || is_attr(it, "inet6num")) &&
		    parse_range(it->val, it->vlen, &r))
			add_cand(p, SHAPE_RPSL, &r, p->objs[o].first, p->objs[o].end);
	}
	/* ARIN: a NetRange starts a network and the lines up to the next
	 * one (its organisation, customer and POCs) describe it. KRNIC and
	 * JPNIC likewise from their network headers. */
	for (size_t i = 0; i < d->n; i++) {
		struct item *it = &d->items[i];
		enum shape shape;
		if (is_attr(it, "netrange"))
			shape = SHAPE_ARIN;
		else if (it->kind == ITEM_SECTION && strstr(it->key, "network information"))
			shape = SHAPE_KRNIC;
		else if (it->kind == ITEM_BRACKET && strcmp(it->key, "network number") == 0)
			shape = SHAPE_JPNIC;
		else if (rwhois_value(it, "ip-network:"))
			shape = SHAPE_RWHOIS;
		else
			continue;
		size_t end = i + 1;
		bool ok = false;
		while (end < d->n && !starts_group(&d->items[end]))
			end++;
		if (shape == SHAPE_RWHOIS) {
			const char *v = rwhois_value(it, "ip-network:");
			ok = parse_range(v, strlen(v), &r);
		} else if (shape == SHAPE_ARIN || shape == SHAPE_JPNIC) {
			ok = parse_range(it->val, it->vlen, &r);
			if (!ok && shape == SHAPE_ARIN) /* no usable NetRange: the CIDR line */
				for (size_t j = i + 1; j < end && !ok; j++)
					if (is_attr(&d->items[j], "cidr"))
						ok = parse_range(d->items[j].val,
								 strcspn(d->items[j].val, ","), &r);
		} else {
			for (size_t j = i + 1; j < end && !ok; j++)
				if (is_attr(&d->items[j], "ipv4 address") ||
				    is_attr(&d->items[j], "ipv6 address"))
					ok = parse_range(d->items[j].val, d->items[j].vlen, &r);
		}
		size_t first = i;
		/* an rwhois object names itself before its IP-Network line */
		while (shape == SHAPE_RWHOIS && first > 0 && is_attr(&d->items[first - 1], "network") &&
		       d->items[first - 1].para == it->para &&
		       !rwhois_value(&d->items[first - 1], "ip-network:"))
			first--;
		if (ok)
			add_cand(p, shape, &r, first, end);
	}
}

/* ---- RPSL contacts ------------------------------------------------------ */

static bool obj_value_is(const struct doc *d, const struct object *o, const char *key,
			 const char *value)
{
	char w[128];

	for (size_t i = o->first; i < o->end; i++) {
		if (!is_attr(&d->items[i], key))
			continue;
		first_word(d->items[i].val, w, sizeof(w));
		if (ieq(w, value))
			return true;
	}
	return false;
}

/* A national registry's own IRT ("IRT-KRNIC-KR", "IRT-JPNIC-JP"). Not
 * judged by mnt-by: KRNIC maintains many Korean ISPs' objects, and an
 * ISP's own IRT is the network's contact. (Addresses at a registry's
 * domain are demoted anyway, see is_nir_address.) */
static bool is_nir_irt(const struct doc *d, const struct object *o)
{
	static const char *const nirs[] = {
		"krnic", "jpnic", "twnic", "cnnic", "idnic", "vnnic", "irinn",
	};
	const struct item *it = &d->items[o->first];

	if (!is_attr(it, "irt"))
		return false;
	for (size_t k = 0; k < SW_ARRAY_LEN(nirs); k++)
		if (ifind(it->val, it->vlen, nirs[k]))
			return true;
	return false;
}

/* The person, role, irt or organisation objects a handle names. */
static void rpsl_resolve(struct parse *p, struct answer *ans, const char *role,
			 const char *handle)
{
	struct doc *d = p->d;
	char via[96], safe[64], rvia[96];

	sw_sanitize(safe, sizeof(safe), handle, (size_t)-1);
	bool irt = strcmp(role, "mnt-irt") == 0;

	for (size_t o = 0; o < p->nobjs; o++) {
		const struct object *ob = &p->objs[o];
		if (irt ? !obj_value_is(d, ob, "irt", handle) : !obj_value_is(d, ob, "nic-hdl", handle))
			continue;
		bool nir = irt && is_nir_irt(d, ob);
		sw_fmt(via, sizeof(via), "%s %s%s", irt ? "irt" : role, safe,
		       nir ? " (national registry)" : "");
		sw_fmt(rvia, sizeof(rvia), "remarks of %s %s", irt ? "irt" : role, safe);
		for (size_t i = ob->first; i < ob->end; i++) {
			const struct item *it = &d->items[i];
			if (is_attr(it, "abuse-mailbox"))
				add_contact(ans, it->val, it->vlen,
					    nir ? SW_CONTACT_NIR_IRT : SW_CONTACT_ABUSE_MAILBOX, via);
			else if (is_attr(it, "e-mail"))
				add_contact(ans, it->val, it->vlen,
					    nir ? SW_CONTACT_NIR_IRT : SW_CONTACT_ROLE_EMAIL, via);
			else if (is_attr(it, "remarks") && !nir)
				add_text_contacts(ans, it->val, it->vlen, rvia);
		}
	}
}

/* Every value of key in the object, resolved in order. */
static void rpsl_resolve_key(struct parse *p, struct answer *ans, const struct object *ob,
			     const char *key)
{
	char handle[64];

	for (size_t i = ob->first; i < ob->end; i++) {
		const struct item *it = &p->d->items[i];
		if (!is_attr(it, key))
			continue;
		/* "admin-c: A1-RIPE, B2-RIPE" happens; so does one per line */
		const char *v = it->val;
		while (*v) {
			while (*v == ',' || is_blank((unsigned char)*v))
				v++;
			size_t n = strcspn(v, ", \t");
			if (n == 0)
				break;
			if (n < sizeof(handle) && p->handles < HANDLES_MAX) {
				p->handles++;
				memcpy(handle, v, n);
				handle[n] = '\0';
				rpsl_resolve(p, ans, key, handle);
			}
			v += n;
		}
	}
}

/* The organisation object the first "org:" of ob names. */
static const struct object *find_org(struct parse *p, const struct object *ob)
{
	char id[64];

	for (size_t i = ob->first; i < ob->end; i++) {
		if (!is_attr(&p->d->items[i], "org"))
			continue;
		first_word(p->d->items[i].val, id, sizeof(id));
		for (size_t o = 0; o < p->nobjs; o++)
			if (is_attr(&p->d->items[p->objs[o].first], "organisation") &&
			    obj_value_is(p->d, &p->objs[o], "organisation", id))
				return &p->objs[o];
		return NULL;
	}
	return NULL;
}

static void own_remarks(struct parse *p, struct answer *ans, const struct object *ob)
{
	for (size_t i = ob->first; i < ob->end; i++) {
		const struct item *it = &p->d->items[i];
		if (is_attr(it, "remarks") || is_attr(it, "descr"))
			add_text_contacts(ans, it->val, it->vlen, it->key);
	}
}

static const struct object *object_at(struct parse *p, size_t first)
{
	for (size_t o = 0; o < p->nobjs; o++)
		if (p->objs[o].first == first)
			return &p->objs[o];
	return NULL;
}

static void rpsl_contacts(struct parse *p, struct answer *ans, const struct cand *c)
{
	const struct object *ob = object_at(p, c->first);
	if (ob == NULL)
		return;
	const struct object *org = find_org(p, ob);

	for (size_t i = ob->first; i < ob->end; i++) {
		const struct item *it = &p->d->items[i];
		if (is_attr(it, "abuse-mailbox"))
			add_contact(ans, it->val, it->vlen, SW_CONTACT_ABUSE_MAILBOX, "abuse-mailbox");
		else if (is_attr(it, "e-mail"))
			add_contact(ans, it->val, it->vlen, SW_CONTACT_ROLE_EMAIL, "e-mail");
	}
	rpsl_resolve_key(p, ans, ob, "abuse-c");
	if (org) {
		for (size_t i = org->first; i < org->end; i++)
			if (is_attr(&p->d->items[i], "abuse-mailbox"))
				add_contact(ans, p->d->items[i].val, p->d->items[i].vlen,
					    SW_CONTACT_ABUSE_MAILBOX, "organisation abuse-mailbox");
		rpsl_resolve_key(p, ans, org, "abuse-c");
	}
	rpsl_resolve_key(p, ans, ob, "mnt-irt");
	rpsl_resolve_key(p, ans, ob, "admin-c");
	rpsl_resolve_key(p, ans, ob, "tech-c");
	rpsl_resolve_key(p, ans, ob, "owner-c");
	own_remarks(p, ans, ob);
	if (org)
		own_remarks(p, ans, org);
}

static void rpsl_names(struct parse *p, struct answer *ans, const struct cand *c)
{
	const struct object *ob = object_at(p, c->first);
	if (ob == NULL)
		return;
	const struct object *org = find_org(p, ob);

	for (size_t i = ob->first; i < ob->end; i++) {
		const struct item *it = &p->d->items[i];
		if (is_attr(it, "netname"))
			set_printable(ans->netname, sizeof(ans->netname), it->val, it->vlen);
		else if (is_attr(it, "country"))
			set_country(ans->country, it->val);
		else if (is_attr(it, "owner"))
			set_printable(ans->org, sizeof(ans->org), it->val, it->vlen);
	}
	if (org)
		for (size_t i = org->first; i < org->end; i++)
			if (is_attr(&p->d->items[i], "org-name"))
				set_printable(ans->org, sizeof(ans->org), p->d->items[i].val,
					      p->d->items[i].vlen);
	for (size_t i = ob->first; i < ob->end; i++)
		if (is_attr(&p->d->items[i], "descr"))
			set_printable(ans->org, sizeof(ans->org), p->d->items[i].val,
				      p->d->items[i].vlen);
}

/* ---- ARIN, KRNIC and JPNIC groups ---------------------------------------- */

static const struct {
	const char *key, *via;
	enum sw_contact_source source;
} arin_emails[] = {
	{ "orgabuseemail", "OrgAbuseEmail", SW_CONTACT_ABUSE_MAILBOX },
	{ "rabuseemail", "RAbuseEmail", SW_CONTACT_ABUSE_MAILBOX },
	{ "orgtechemail", "OrgTechEmail", SW_CONTACT_ROLE_EMAIL },
	{ "rtechemail", "RTechEmail", SW_CONTACT_ROLE_EMAIL },
	{ "orgnocemail", "OrgNOCEmail", SW_CONTACT_ROLE_EMAIL },
	{ "rnocemail", "RNOCEmail", SW_CONTACT_ROLE_EMAIL },
};

/* "network:Abuse-Email:a@b", "network:Tech-Contact;I:c@d" */
static void rwhois_contact(struct answer *ans, const struct item *it)
{
	char sub[KEY_MAX], via[96];

	if (!is_attr(it, "network"))
		return;
	size_t n = strcspn(it->val, ":");
	if (it->val[n] != ':' || n >= sizeof(sub))
		return;
	for (size_t i = 0; i < n; i++)
		sub[i] = (char)lower((unsigned char)it->val[i]);
	sub[n] = '\0';
	if (!strstr(sub, "mail") && !strstr(sub, "contact"))
		return;
	sw_fmt(via, sizeof(via), "rwhois %s", sub);
	add_contact(ans, it->val + n + 1, it->vlen - n - 1,
		    strstr(sub, "abuse") ? SW_CONTACT_ABUSE_MAILBOX : SW_CONTACT_ROLE_EMAIL, via);
}

static void group_contacts(struct parse *p, struct answer *ans, const struct cand *c)
{
	char section[KEY_MAX] = "", via[96];

	for (size_t i = c->first; i < c->end; i++) {
		const struct item *it = &p->d->items[i];
		if (it->kind == ITEM_SECTION) {
			memcpy(section, it->key, sizeof(section));
			continue;
		}
		switch (c->shape) {
		case SHAPE_ARIN:
			for (size_t k = 0; k < SW_ARRAY_LEN(arin_emails); k++)
				if (is_attr(it, arin_emails[k].key))
					add_contact(ans, it->val, it->vlen, arin_emails[k].source,
						    arin_emails[k].via);
			if (is_attr(it, "comment"))
				add_text_contacts(ans, it->val, it->vlen, "Comment");
			break;
		case SHAPE_KRNIC:
			if (is_attr(it, "e-mail")) {
				sw_fmt(via, sizeof(via), "KRNIC %s", section);
				add_contact(ans, it->val, it->vlen,
					    strstr(section, "abuse") ? SW_CONTACT_ABUSE_MAILBOX
								     : SW_CONTACT_ROLE_EMAIL, via);
			}
			break;
		case SHAPE_JPNIC:
			if (it->kind != ITEM_BRACKET)
				break;
			if (strcmp(it->key, "abuse") == 0)
				add_contact(ans, it->val, it->vlen, SW_CONTACT_ABUSE_MAILBOX,
					    "JPNIC [Abuse]");
			else if (strcmp(it->key, "e-mail") == 0)
				add_contact(ans, it->val, it->vlen, SW_CONTACT_ROLE_EMAIL,
					    "JPNIC [E-Mail]");
			break;
		case SHAPE_RWHOIS:
			rwhois_contact(ans, it);
			break;
		case SHAPE_RPSL:
			break;
		}
	}
}

static void group_names(struct parse *p, struct answer *ans, const struct cand *c)
{
	for (size_t i = c->first; i < c->end; i++) {
		const struct item *it = &p->d->items[i];
		const char *k = it->key;
		if (it->kind != ITEM_ATTR && it->kind != ITEM_BRACKET)
			continue;
		if (c->shape == SHAPE_ARIN && it->kind == ITEM_ATTR) {
			if (strcmp(k, "netname") == 0)
				set_printable(ans->netname, sizeof(ans->netname), it->val, it->vlen);
			else if (strcmp(k, "orgname") == 0 || strcmp(k, "custname") == 0)
				set_printable(ans->org, sizeof(ans->org), it->val, it->vlen);
			else if (strcmp(k, "country") == 0)
				set_country(ans->country, it->val);
		} else if (c->shape == SHAPE_KRNIC && it->kind == ITEM_ATTR) {
			if (strcmp(k, "service name") == 0)
				set_printable(ans->netname, sizeof(ans->netname), it->val, it->vlen);
			else if (strcmp(k, "organization name") == 0)
				set_printable(ans->org, sizeof(ans->org), it->val, it->vlen);
		} else if (c->shape == SHAPE_JPNIC && it->kind == ITEM_BRACKET) {
			if (strcmp(k, "network name") == 0)
				set_printable(ans->netname, sizeof(ans->netname), it->val, it->vlen);
			else if (strcmp(k, "organization") == 0)
				set_printable(ans->org, sizeof(ans->org), it->val, it->vlen);
		}
	}
	if (c->shape == SHAPE_RWHOIS)
		for (size_t i = c->first; i < c->end; i++) {
			const struct item *it = &p->d->items[i];
			const char *v;
			if ((v = rwhois_value(it, "network-name:")))
				set_printable(ans->netname, sizeof(ans->netname), v, strlen(v));
			else if ((v = rwhois_value(it, "org-name:")))
				set_printable(ans->org, sizeof(ans->org), v, strlen(v));
			else if ((v = rwhois_value(it, "country-code:")))
				set_country(ans->country, v);
		}
	/* ARIN: "Organization: Google Inc. (GOGL)" when no OrgName came */
	if (c->shape == SHAPE_ARIN)
		for (size_t i = c->first; i < c->end; i++)
			if (is_attr(&p->d->items[i], "organization"))
				set_printable(ans->org, sizeof(ans->org), p->d->items[i].val,
					      p->d->items[i].vlen);
}

/* ---- putting one answer together ---------------------------------------- */

/* "% Abuse contact for '62.239.237.0 - 62.239.237.255' is 'protect@bt.com'" */
static void abuse_comments(struct parse *p, struct answer *ans)
{
	static const char lead[] = "abuse contact for '";

	for (size_t i = 0; i < p->d->n; i++) {
		const struct item *it = &p->d->items[i];
		if (it->kind != ITEM_COMMENT || !istarts(it->val, lead))
			continue;
		const char *rs = it->val + strlen(lead);
		const char *re = strchr(rs, '\'');
		if (re == NULL || !istarts(re, "' is '"))
			continue;
		const char *es = re + 6, *ee = strchr(es, '\'');
		struct range r;
		if (ee == NULL || !parse_range(rs, (size_t)(re - rs), &r) ||
		    !range_contains(&r, ans->a))
			continue;
		add_contact(ans, es, (size_t)(ee - es), SW_CONTACT_ABUSE_COMMENT,
			    "% Abuse contact");
	}
}

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	int c = range_cmp_size(&a->range, &b->range);
	if (c != 0)
		return c;
	return a->first < b->first ? -1 : a->first > b->first;
}

static void cand_contacts(struct parse *p, struct answer *ans, const struct cand *c)
{
	if (c->shape == SHAPE_RPSL)
		rpsl_contacts(p, ans, c);
	else
		group_contacts(p, ans, c);
}

static void cand_names(struct parse *p, struct answer *ans, const struct cand *c)
{
	if (c->shape == SHAPE_RPSL)
		rpsl_names(p, ans, c);
	else
		group_names(p, ans, c);
}

/* Domain whois (registries and registrars): the contacts of the domain. */
/* A domain registry's contact e-mail lines: "Registrant Email:",
 * "Admin Email:", "Tech Contact E-mail:", "Billing Email:", … */
static void domain_contacts(struct doc *d, struct answer *ans)
{
	static const struct {
		const char *role, *via;
	} roles[] = {
		{ "registrant", "Registrant Email" }, { "admin", "Admin Email" },
		{ "tech", "Tech Email" }, { "billing", "Billing Email" },
	};

	for (size_t i = 0; i < d->n; i++) {
		const struct item *it = &d->items[i];

		if (it->kind != ITEM_ATTR ||
		    (!strstr(it->key, "email") && !strstr(it->key, "e-mail")))
			continue;
		for (size_t k = 0; k < SW_ARRAY_LEN(roles); k++)
			if (strncmp(it->key, roles[k].role, strlen(roles[k].role)) == 0) {
				add_contact(ans, it->val, it->vlen, SW_CONTACT_DOMAIN,
					    roles[k].via);
				break;
			}
	}
}

static void parse_answer(struct doc *d, struct answer *ans)
{
	struct parse p = { .d = d };

	domain_contacts(d, ans);
	if (ans->a == NULL || ans->a->family == SW_AF_NONE)
		return;

	find_objects(&p);
	if (p.objs == NULL)
		return;
	find_cands(&p);
	if (p.cands == NULL) {
		free(p.objs);
		return;
	}
	/* keep the networks that contain the address, most specific first */
	size_t n = 0;
	for (size_t i = 0; i < p.ncands; i++)
		if (range_contains(&p.cands[i].range, ans->a))
			p.cands[n++] = p.cands[i];
	qsort(p.cands, n, sizeof(*p.cands), cand_cmp);

	abuse_comments(&p, ans);
	unsigned from_comments = ans->ncontacts;
	if (n > 0) {
		ans->have_range = true;
		ans->range = p.cands[0].range;
		cand_names(&p, ans, &p.cands[0]);
		/* a customer object without contacts: its parent's apply */
		for (size_t i = 0; i < n && i < FALLBACK_MAX && ans->ncontacts == from_comments; i++)
			cand_contacts(&p, ans, &p.cands[i]);
		for (size_t i = 1; i < n && i < FALLBACK_MAX && ans->country[0] == '\0'; i++) {
			struct answer tmp = { .a = ans->a };
			cand_names(&p, &tmp, &p.cands[i]);
			memcpy(ans->country, tmp.country, sizeof(ans->country));
		}
	}
	free(p.cands);
	free(p.objs);
}

/* IANA's answers only point elsewhere; their ranges are whole /8s. */
static bool is_pointer_only(const struct doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (is_attr(&d->items[i], "refer"))
			return true;
	return false;
}

/* ---- merging into the result -------------------------------------------- */

/* A later hop replaces the range when its network is no larger: with the
 * same range, the later registry is the more detailed one (an NIR). */
static bool replaces_range(const struct sw_whois_result *r, const struct range *range)
{
	struct range old = { r->range_lo, r->range_hi };

	return !r->have_range || range_cmp_size(range, &old) <= 0;
}

static void set_cidrs(struct sw_whois_result *r, const struct range *range,
		      const struct sw_addr *a)
{
	struct sw_prefix all[SPLIT_MAX];
	unsigned n = range_split(range, all), first = 0;

	if (n > SW_WHOIS_MAX_CIDRS) {
		/* keep the CIDRs around the one holding the address */
		unsigned at = 0;
		while (at < n && !sw_prefix_contains(&all[at], a))
			at++;
		first = at >= SW_WHOIS_MAX_CIDRS / 2 ? at - SW_WHOIS_MAX_CIDRS / 2 : 0;
		if (first + SW_WHOIS_MAX_CIDRS > n)
			first = n - SW_WHOIS_MAX_CIDRS;
		n = SW_WHOIS_MAX_CIDRS;
	}
	memcpy(r->cidrs, all + first, n * sizeof(all[0]));
	r->ncidrs = n;
}

static void merge(struct sw_whois_result *r, const struct answer *ans, const char *server)
{
	bool replace = ans->have_range && replaces_range(r, &ans->range);

	if (replace) {
		r->range_lo = ans->range.lo;
		r->range_hi = ans->range.hi;
		r->have_range = true;
		set_cidrs(r, &ans->range, ans->a);
		if (ans->netname[0])
			memcpy(r->netname, ans->netname, sizeof(r->netname));
		if (ans->org[0])
			memcpy(r->org, ans->org, sizeof(r->org));
		if (ans->country[0])
			memcpy(r->country, ans->country, sizeof(r->country));
		sw_sanitize(r->server, sizeof(r->server), server ? server : "", (size_t)-1);
	}
	if (r->ncontacts > SW_WHOIS_MAX_CONTACTS)
		r->ncontacts = SW_WHOIS_MAX_CONTACTS;
	/* The more specific network's contacts count as appearing first:
	 * among equals, the customer's abuse desk goes before its ISP's. */
	struct sw_contact merged[SW_WHOIS_MAX_CONTACTS];
	unsigned n = 0;
	const struct sw_contact *first = replace ? ans->contacts : r->contacts;
	const struct sw_contact *second = replace ? r->contacts : ans->contacts;
	unsigned nfirst = replace ? ans->ncontacts : r->ncontacts;
	unsigned nsecond = replace ? r->ncontacts : ans->ncontacts;
	for (unsigned i = 0; i < nfirst; i++)
		contacts_add(merged, &n, SW_WHOIS_MAX_CONTACTS, &first[i]);
	for (unsigned i = 0; i < nsecond; i++)
		contacts_add(merged, &n, SW_WHOIS_MAX_CONTACTS, &second[i]);
	contacts_sort(merged, n);
	memcpy(r->contacts, merged, n * sizeof(merged[0]));
	r->ncontacts = n;
}

void sw_whois_parse(const char *text, size_t len, const char *server,
		    const struct sw_addr *a, struct sw_whois_result *r)
{
	struct doc d;
	struct answer ans;

	if (r == NULL)
		return;
	if (text == NULL)
		len = 0;
	r->rate_limited = sw_whois_is_rate_limited(text, len);
	if (r->rate_limited)
		return;
	if (!doc_load(&d, text, len))
		return;
	memset(&ans, 0, sizeof(ans));
	ans.a = a;
	if (!is_pointer_only(&d))
		parse_answer(&d, &ans);
	for (unsigned i = 0; i < ans.ncontacts; i++)
		sw_sanitize(ans.contacts[i].server, sizeof(ans.contacts[i].server),
			    server ? server : "", (size_t)-1);
	merge(r, &ans, server);
	doc_free(&d);
}

/* ---- for parsers of other formats (rdap_parse.c) ------------------------ */

bool sw_whois_is_nir_address(const char *addr)
{
	return is_nir_address(addr);
}

void sw_whois_contacts_add(struct sw_contact *list, unsigned *n, unsigned cap,
			   const struct sw_contact *c)
{
	contacts_add(list, n, cap, c);
}

void sw_whois_merge(struct sw_whois_result *r, const struct sw_whois_result *found,
		    const struct sw_addr *a, const char *server)
{
	struct answer ans;

	if (r == NULL || found == NULL)
		return;
	memset(&ans, 0, sizeof(ans));
	ans.a = a;
	/* a range counts only around the address asked for, as in a whois answer */
	ans.range.lo = found->range_lo;
	ans.range.hi = found->range_hi;
	ans.have_range = found->have_range && a != NULL && range_contains(&ans.range, a) &&
			 sw_addr_cmp(&ans.range.lo, &ans.range.hi) <= 0;
	memcpy(ans.netname, found->netname, sizeof(ans.netname));
	memcpy(ans.org, found->org, sizeof(ans.org));
	memcpy(ans.country, found->country, sizeof(ans.country));
	for (unsigned i = 0; i < found->ncontacts && i < SW_WHOIS_MAX_CONTACTS; i++)
		if (!sw_whois_is_placeholder(found->contacts[i].addr))
			contacts_add(ans.contacts, &ans.ncontacts, ANSWER_MAX_CONTACTS,
				     &found->contacts[i]);
	merge(r, &ans, server);
}

/* ---- rate limits -------------------------------------------------------- */

bool sw_whois_is_rate_limited(const char *text, size_t len)
{
	static const char *const phrases[] = {
		"%error:201", "access denied for", "query rate limit exceeded",
		"rate limit exceeded", "too many queries", "too many requests",
		"query limit exceeded", "access control limit",
		"temporarily denied", "excessive querying",
	};

	if (text == NULL)
		return false;
	if (len > PARSE_MAX)
		len = PARSE_MAX;
	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl != NULL);
		while (n > 0 && is_blank((unsigned char)*line))
			line++, n--;
		/* registry data ("remarks: rate limit exceeded ...") is not a
		 * refusal: only comments and bare sentences count */
		if (n > 0 && isalnum((unsigned char)line[0])) {
			size_t k = 0;
			while (k < n && k < KEY_MAX && line[k] != ':' && line[k] != ' ')
				k++;
			if (k < n && line[k] == ':')
				continue;
		}
		for (size_t i = 0; i < SW_ARRAY_LEN(phrases); i++)
			if (ifind(line, n, phrases[i]))
				return true;
	}
	return false;
}

/* ---- referrals ---------------------------------------------------------- */

/* Registries reached under several names count as one for loop checks. */
static const char *const aliases[][3] = {
	{ "whois.krnic.net", "whois.kisa.or.kr", "whois.nic.or.kr" },
	{ "whois.twnic.net.tw", "whois.twnic.net", NULL },
};

static const char *canonical_host(const char *h)
{
	for (size_t i = 0; i < SW_ARRAY_LEN(aliases); i++)
		for (size_t j = 0; j < 3 && aliases[i][j]; j++)
			if (ieq(h, aliases[i][j]))
				return aliases[i][0];
	return h;
}

static bool same_host(const char *host, const char *server)
{
	char s[256];

	if (server == NULL)
		return false;
	size_t n = strlen(server);
	if (n >= sizeof(s))
		return false;
	memcpy(s, server, n + 1);
	/* "host:port", but not a bare IPv6 literal */
	char *colon = strrchr(s, ':');
	if (colon && strchr(s, ':') == colon)
		*colon = '\0';
	return ieq(canonical_host(host), canonical_host(s));
}

/* "whois://host[:port][/]", "rwhois://host:port", or a bare host. */
static bool parse_referral(const char *v, struct sw_whois_referral *ref)
{
	struct sw_whois_referral r;

	memset(&r, 0, sizeof(r));
	r.port = 43;
	if (istarts(v, "rwhois://")) {
		r.rwhois = true;
		r.port = 4321;
		v += 9;
	} else if (istarts(v, "whois://")) {
		v += 8;
	} else if (strstr(v, "://")) {
		return false; /* http:// and friends are for people */
	}
	size_t hn = strcspn(v, ":/ \t");
	if (!sw_host_normal(v, hn, 0, r.host, sizeof(r.host)))
		return false;
	if (v[hn] == ':') {
		char num[8];
		size_t pn = strcspn(v + hn + 1, "/ \t");
		uint64_t port;
		if (pn == 0 || pn >= sizeof(num))
			return false;
		memcpy(num, v + hn + 1, pn);
		num[pn] = '\0';
		if (!sw_parse_u64(num, 1, 65535, &port))
			return false;
		r.port = (uint16_t)port;
	}
	*ref = r;
	return true;
}

static bool accept_referral(const char *v, const char *server, struct sw_whois_referral *ref)
{
	struct sw_whois_referral r;

	if (!parse_referral(v, &r) || same_host(r.host, server))
		return false;
	*ref = r;
	return true;
}

static const struct {
	const char *name, *host;
} nirs[] = {
	{ "krnic", "whois.krnic.net" },
	{ "jpnic", "whois.nic.ad.jp" },
	{ "twnic", "whois.twnic.net.tw" },
};

static const struct {
	const char *name, *host;
} rirs[] = {
	{ "ripe", "whois.ripe.net" },
	{ "arin", "whois.arin.net" },
	{ "apnic", "whois.apnic.net" },
	{ "afrinic", "whois.afrinic.net" },
	{ "lacnic", "whois.lacnic.net" },
};

/* An APNIC answer about a national registry's space: a mirrored object
 * ("source: KRNIC"), JPNIC's allocation marks, or a remark naming the
 * national server. */
static bool nir_referral(const struct doc *d, const char *server, struct sw_whois_referral *ref)
{
	char w[32];

	for (size_t i = 0; i < d->n; i++) {
		const struct item *it = &d->items[i];
		if (it->kind != ITEM_ATTR)
			continue;
		for (size_t k = 0; k < SW_ARRAY_LEN(nirs); k++) {
			bool hit = false;
			if (strcmp(it->key, "source") == 0) {
				first_word(it->val, w, sizeof(w));
				hit = ieq(w, nirs[k].name);
			} else if (strcmp(it->key, "mnt-by") == 0 || strcmp(it->key, "netname") == 0) {
				/* MAINT-JPNIC, IIJ-JPNIC-JP-20000308 (not MNT-KRNIC-AP,
				 * which also maintains APNIC's own objects) */
				hit = strcmp(nirs[k].name, "jpnic") == 0 && ifind(it->val, it->vlen, "jpnic");
			} else if (strcmp(it->key, "remarks") == 0 || strcmp(it->key, "descr") == 0) {
				hit = ifind(it->val, it->vlen, nirs[k].host) != NULL;
			}
			if (hit && accept_referral(nirs[k].host, server, ref))
				return true;
		}
	}
	return false;
}

/* "This network has been transferred to RIPE", ARIN's "NetType:
 * Allocated to RIPE NCC" and the like. */
static bool transfer_referral(const struct doc *d, const char *server, struct sw_whois_referral *ref)
{
	static const char *const leads[] = { "transferred to ", "allocated to " };

	for (size_t i = 0; i < d->n; i++) {
		const struct item *it = &d->items[i];
		bool arin_type = is_attr(it, "nettype");
		if (!arin_type && !is_attr(it, "remarks") && !is_attr(it, "descr") &&
		    !is_attr(it, "comment") && it->kind != ITEM_COMMENT && it->kind != ITEM_TEXT)
			continue;
		for (size_t l = 0; l < SW_ARRAY_LEN(leads); l++) {
			if (l == 1 && !arin_type)
				continue;
			const char *at = ifind(it->val, it->vlen, leads[l]);
			if (at == NULL)
				continue;
			at += strlen(leads[l]);
			for (size_t k = 0; k < SW_ARRAY_LEN(rirs); k++) {
				size_t rl = strlen(rirs[k].name);
				if (istarts(at, rirs[k].name) && !isalnum((unsigned char)at[rl]) &&
				    accept_referral(rirs[k].host, server, ref))
					return true;
			}
		}
	}
	return false;
}

bool sw_whois_find_referral(const char *text, size_t len, const char *server,
			    struct sw_whois_referral *ref)
{
	struct doc d;
	struct sw_whois_referral r;
	bool found = false;

	if (ref == NULL)
		return false;
	memset(ref, 0, sizeof(*ref));
	if (!doc_load(&d, text, len))
		return false;
	memset(&r, 0, sizeof(r));
	/* IANA: refer: */
	for (size_t i = 0; i < d.n && !found; i++)
		if (is_attr(&d.items[i], "refer"))
			found = accept_referral(d.items[i].val, server, &r);
	/* ARIN: the LAST ReferralServer is the most specific */
	for (size_t i = d.n; i-- > 0 && !found;)
		if (is_attr(&d.items[i], "referralserver"))
			found = accept_referral(d.items[i].val, server, &r);
	/* a thin domain registry naming the registrar's server */
	for (size_t i = 0; i < d.n && !found; i++)
		if (is_attr(&d.items[i], "registrar whois server") ||
		    is_attr(&d.items[i], "whois server"))
			found = accept_referral(d.items[i].val, server, &r);
	if (!found)
		found = nir_referral(&d, server, &r);
	if (!found)
		found = transfer_referral(&d, server, &r);
	/* RIPE's placeholder for space it does not manage: start over */
	for (size_t i = 0; i < d.n && !found; i++)
		if (is_attr(&d.items[i], "netname") &&
		    ifind(d.items[i].val, d.items[i].vlen, "non-ripe-ncc-managed"))
			found = accept_referral("whois.iana.org", server, &r);
	/* IANA's whois: line (TLDs, and the block's registry) */
	for (size_t i = 0; i < d.n && !found; i++)
		if (is_attr(&d.items[i], "whois"))
			found = accept_referral(d.items[i].val, server, &r);
	doc_free(&d);
	if (found)
		*ref = r;
	return found;
}
