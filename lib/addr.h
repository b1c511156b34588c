/*
 * addr.h - IPv4/IPv6 addresses and prefixes, shared by the three programs.
 *
 * One value type (struct sw_addr) holds either family so that tables,
 * hashes and the database never have to care which one they hold.
 * IPv4 addresses are kept in the first four bytes, the rest zero.
 */
#ifndef SW_ADDR_H
#define SW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SW_AF_NONE 0
#define SW_AF_INET 4
#define SW_AF_INET6 6

/* Longest text form: full IPv6 with embedded IPv4, plus "/128". */
#define SW_ADDR_STRLEN 48

struct sw_addr {
	uint8_t family;  /* SW_AF_INET or SW_AF_INET6, SW_AF_NONE when unset */
	uint8_t bytes[16];
};

struct sw_prefix {
	struct sw_addr addr; /* host bits are always zero */
	uint8_t len;         /* 0..32 or 0..128 */
};

void sw_addr_set4(struct sw_addr *a, const uint8_t b[4]);
void sw_addr_set6(struct sw_addr *a, const uint8_t b[16]);
int sw_addr_cmp(const struct sw_addr *a, const struct sw_addr *b);

/* Equal addresses. Inline: the flood table compares senders per packet.
 * Only the family's bytes count, whatever the rest holds. */
static inline bool sw_addr_eq(const struct sw_addr *a, const struct sw_addr *b)
{
	uint64_t x[2], y[2];

	if (a->family != b->family)
		return false;
	if (a->family == SW_AF_INET) {
		uint32_t p, q;
		memcpy(&p, a->bytes, 4);
		memcpy(&q, b->bytes, 4);
		return p == q;
	}
	if (a->family != SW_AF_INET6)
		return true; /* both unset */
	memcpy(x, a->bytes, 16);
	memcpy(y, b->bytes, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* Parse "192.0.2.1" or "2001:db8::1"; false on anything else. */
bool sw_addr_parse(const char *s, struct sw_addr *out);
/* Format into buf (at least SW_ADDR_STRLEN bytes); returns buf. */
char *sw_addr_format(const struct sw_addr *a, char *buf, size_t len);

/* Parse "192.0.2.0/24", "2001:db8::/32" or a bare address (host prefix).
 * Host bits set in the address are an error, as in most routers. */
bool sw_prefix_parse(const char *s, struct sw_prefix *out);
char *sw_prefix_format(const struct sw_prefix *p, char *buf, size_t len);
/* The prefix of length len that contains a. */
void sw_prefix_of(const struct sw_addr *a, unsigned len, struct sw_prefix *out);
bool sw_prefix_contains(const struct sw_prefix *p, const struct sw_addr *a);

/* True for loopback, private, link-local, documentation, multicast and
 * other IANA special-purpose ranges that must never be sent to a public
 * whois server. Documentation ranges count as special-use. */
bool sw_addr_is_special(const struct sw_addr *a);

/* An IPv4-mapped IPv6 address (::ffff:192.0.2.1) into its IPv4 address in
 * *out (which may be a); false (and *out untouched) for anything else. */
bool sw_addr_unmap4(const struct sw_addr *a, struct sw_addr *out);

#endif
