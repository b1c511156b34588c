/*
 * addr.c - IPv4/IPv6 addresses and prefixes (see addr.h).
 *
 * Text conversion is inet_pton()/inet_ntop(), so the accepted forms are
 * exactly the POSIX ones: dotted quads without leading zeros, and IPv6 with
 * "::" compression and an optional trailing dotted quad. Prefix lengths are
 * plain decimal: "/0" is fine, "/024", "/+24", "/ 24" and "/" are not.
 * sw_prefix_format() always writes "/len", even for host prefixes.
 *
 * The special-use test is a table of the IANA IPv4 and IPv6 special-purpose
 * address registries (RFC 6890 and successors), plus multicast and the
 * reserved 240/4. IPv4-mapped IPv6 addresses (::ffff:0:0/96) are judged by
 * the IPv4 address they carry.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

struct special {
	uint8_t bytes[16];
	uint8_t len;
};

/* IANA IPv4 special-purpose registry, multicast, reserved, broadcast. */
static const struct special special4[] = {
	{ { 0, 0, 0, 0 }, 8 },          /* "this network" */
	{ { 10, 0, 0, 0 }, 8 },         /* private */
	{ { 100, 64, 0, 0 }, 10 },      /* shared address space (CGN) */
	{ { 127, 0, 0, 0 }, 8 },        /* loopback */
	{ { 169, 254, 0, 0 }, 16 },     /* link-local */
	{ { 172, 16, 0, 0 }, 12 },      /* private */
	{ { 192, 0, 0, 0 }, 24 },       /* IETF protocol assignments */
	{ { 192, 0, 2, 0 }, 24 },       /* documentation TEST-NET-1 */
	{ { 192, 88, 99, 0 }, 24 },     /* 6to4 relay anycast (deprecated) */
	{ { 192, 168, 0, 0 }, 16 },     /* private */
	{ { 198, 18, 0, 0 }, 15 },      /* benchmarking */
	{ { 198, 51, 100, 0 }, 24 },    /* documentation TEST-NET-2 */
	{ { 203, 0, 113, 0 }, 24 },     /* documentation TEST-NET-3 */
	{ { 224, 0, 0, 0 }, 4 },        /* multicast */
	{ { 240, 0, 0, 0 }, 4 },        /* reserved, incl. limited broadcast */
	{ { 255, 255, 255, 255 }, 32 }, /* limited broadcast */
};

/* IANA IPv6 special-purpose registry, link-local and multicast. */
static const struct special special6[] = {
	{ { 0 }, 128 },                                       /* unspecified */
	{ { [15] = 1 }, 128 },                                /* loopback */
	{ { 0, 0x64, 0xff, 0x9b }, 96 },                      /* NAT64 well-known */
	{ { 0, 0x64, 0xff, 0x9b, 0, 1 }, 48 },                /* NAT64 local-use */
	{ { 0x01, 0x00 }, 64 },                               /* discard-only */
	{ { 0x20, 0x01 }, 23 },                               /* IETF protocol assignments */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32 },                   /* documentation */
	{ { 0x20, 0x02 }, 16 },                               /* 6to4 */
	{ { 0x3f, 0xff }, 20 },                               /* documentation */
	{ { 0x5f, 0x00 }, 16 },                               /* SRv6 SIDs */
	{ { 0xfc }, 7 },                                      /* unique local */
	{ { 0xfe, 0x80 }, 10 },                               /* link-local */
	{ { 0xff }, 8 },                                      /* multicast */
};

static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

/* Number of meaningful bytes (and bits / 8) for a family. */
static size_t family_bytes(uint8_t family)
{
	switch (family) {
	case SW_AF_INET:
		return 4;
	case SW_AF_INET6:
		return 16;
	default:
		return 0;
	}
}

static unsigned family_bits(uint8_t family)
{
	return (unsigned)family_bytes(family) * 8;
}

/* True if the first len bits of x and y agree. */
static bool bits_match(const uint8_t *x, const uint8_t *y, unsigned len)
{
	unsigned whole = len / 8, rest = len % 8;

	if (memcmp(x, y, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rest));
	return ((x[whole] ^ y[whole]) & mask) == 0;
}

/* Clear every bit after the first len of a 16-byte buffer. */
static void clear_host_bits(uint8_t *b, unsigned len)
{
	unsigned whole = len / 8, rest = len % 8;

	if (whole >= 16)
		return;
	if (rest != 0) {
		b[whole] &= (uint8_t)(0xffu << (8 - rest));
		whole++;
	}
	memset(b + whole, 0, 16 - whole);
}

static bool in_table(const struct special *t, size_t n, const uint8_t *b)
{
	for (size_t i = 0; i < n; i++)
		if (bits_match(t[i].bytes, b, t[i].len))
			return true;
	return false;
}

void sw_addr_set4(struct sw_addr *a, const uint8_t b[4])
{
	memset(a, 0, sizeof(*a));
	a->family = SW_AF_INET;
	memcpy(a->bytes, b, 4);
}

void sw_addr_set6(struct sw_addr *a, const uint8_t b[16])
{
	memset(a, 0, sizeof(*a));
	a->family = SW_AF_INET6;
	memcpy(a->bytes, b, 16);
}

int sw_addr_cmp(const struct sw_addr *a, const struct sw_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->bytes, b->bytes, family_bytes(a->family));
	return (c > 0) - (c < 0);
}

bool sw_addr_parse(const char *s, struct sw_addr *out)
{
	uint8_t b[16];

	if (s == NULL)
		return false;
	if (inet_pton(AF_INET, s, b) == 1) {
		sw_addr_set4(out, b);
		return true;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		sw_addr_set6(out, b);
		return true;
	}
	return false;
}

/* An unset address (SW_AF_NONE) formats as "-". A buffer too small for
 * the text gets an empty string. */
char *sw_addr_format(const struct sw_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	switch (a->family) {
	case SW_AF_INET:
		if (inet_ntop(AF_INET, a->bytes, buf, (socklen_t)len) == NULL)
			buf[0] = '\0';
		break;
	case SW_AF_INET6:
		if (inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)len) == NULL)
			buf[0] = '\0';
		break;
	default:
		if (len >= 2)
			memcpy(buf, "-", 2);
		break;
	}
	return buf;
}

/* Strict decimal prefix length: 1-3 digits, no leading zero, <= max. */
static bool parse_len(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t n = 0;

	if (s[0] == '0' && s[1] != '\0')
		return false;
	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 3)
			return false;
		v = v * 10 + (unsigned)(s[n] - '0');
	}
	if (n == 0 || v > max)
		return false;
	*out = v;
	return true;
}

bool sw_prefix_parse(const char *s, struct sw_prefix *out)
{
	char host[SW_ADDR_STRLEN];
	struct sw_addr a;
	unsigned len;

	if (s == NULL)
		return false;
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	if (!sw_addr_parse(host, &a))
		return false;
	len = family_bits(a.family);
	if (slash != NULL && !parse_len(slash + 1, len, &len))
		return false;

	struct sw_prefix p;
	sw_prefix_of(&a, len, &p);
	if (!sw_addr_eq(&p.addr, &a))
		return false; /* host bits set */
	*out = p;
	return true;
}

char *sw_prefix_format(const struct sw_prefix *p, char *buf, size_t len)
{
	char host[SW_ADDR_STRLEN];

	if (len == 0)
		return buf;
	sw_addr_format(&p->addr, host, sizeof(host));
	int n = snprintf(buf, len, "%s/%u", host, (unsigned)p->len);
	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';
	return buf;
}

/* len beyond the family's width is clamped to a host prefix. */
void sw_prefix_of(const struct sw_addr *a, unsigned len, struct sw_prefix *out)
{
	unsigned max = family_bits(a->family);
	struct sw_prefix p;

	if (len > max)
		len = max;
	memset(&p, 0, sizeof(p));
	p.addr = *a; /* a may point into *out */
	clear_host_bits(p.addr.bytes, len);
	p.len = (uint8_t)len;
	*out = p;
}

bool sw_prefix_contains(const struct sw_prefix *p, const struct sw_addr *a)
{
	if (p->addr.family != a->family || a->family == SW_AF_NONE)
		return false;
	if (p->len > family_bits(a->family))
		return false;
	return bits_match(p->addr.bytes, a->bytes, p->len);
}

/* An unset address is treated as special: it must never reach whois. */
bool sw_addr_is_special(const struct sw_addr *a)
{
	switch (a->family) {
	case SW_AF_INET:
		return in_table(special4, sizeof(special4) / sizeof(special4[0]),
				a->bytes);
	case SW_AF_INET6:
		{
			struct sw_addr v4;
			if (sw_addr_unmap4(a, &v4))
				return sw_addr_is_special(&v4);
		}
		return in_table(special6, sizeof(special6) / sizeof(special6[0]),
				a->bytes);
	default:
		return true;
	}
}

bool sw_addr_unmap4(const struct sw_addr *a, struct sw_addr *out)
{
	uint8_t b4[4];

	if (a->family != SW_AF_INET6 || memcmp(a->bytes, v4mapped, sizeof(v4mapped)) != 0)
		return false;
	memcpy(b4, a->bytes + 12, sizeof b4); /* out may be a */
	sw_addr_set4(out, b4);
	return true;
}
