/*
 * whois_range.c - the ranges registries write ("a - b", "a/len", LACNIC's
 * "200.57.128/20"), whether one holds an address, which of two is the
 * more specific, and a range as CIDRs.
 */
#include "config.h"

#include <string.h>

#include "util.h"
#include "whois_doc.h"
#include "whois_range.h"

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

static void range_from_prefix(const struct sw_addr *a, unsigned len, struct whois_range *r)
{
	struct sw_prefix p;
	unsigned bits = fam_bytes(a) * 8;

	sw_prefix_of(a, len, &p);
	r->lo = p.addr;
	r->hi = p.addr;
	for (unsigned b = p.len; b < bits; b++)
		r->hi.bytes[b / 8] |= (uint8_t)(0x80 >> (b % 8));
}

bool whois_range_parse(const char *v, size_t n, struct whois_range *r)
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

bool whois_range_contains(const struct whois_range *r, const struct sw_addr *a)
{
	return a->family == r->lo.family && sw_addr_cmp(&r->lo, a) <= 0 &&
	       sw_addr_cmp(a, &r->hi) <= 0;
}

/* hi - lo as a 16-byte big-endian number, for "more specific" tests. */
static void range_size(const struct whois_range *r, uint8_t out[16])
{
	unsigned nb = fam_bytes(&r->lo), borrow = 0;

	memset(out, 0, 16);
	for (unsigned i = nb; i-- > 0;) {
		int d = (int)r->hi.bytes[i] - (int)r->lo.bytes[i] - (int)borrow;
		borrow = d < 0;
		out[16 - nb + i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

int whois_range_cmp_size(const struct whois_range *a, const struct whois_range *b)
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
unsigned whois_range_split(const struct whois_range *r, struct sw_prefix *out)
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
