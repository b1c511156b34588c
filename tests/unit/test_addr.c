/*
 * test_addr.c - unit tests for lib/addr.c: parsing and formatting of
 * addresses and prefixes, ordering, prefix arithmetic at the boundaries,
 * and the special-use ranges (first and last address, and the neighbours
 * just outside).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "util.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct sw_addr A(const char *s)
{
	struct sw_addr a;

	memset(&a, 0xa5, sizeof(a));
	if (!sw_addr_parse(s, &a))
		fail_msg("cannot parse address '%s'", s);
	return a;
}

static struct sw_prefix P(const char *s)
{
	struct sw_prefix p;

	if (!sw_prefix_parse(s, &p))
		fail_msg("cannot parse prefix '%s'", s);
	return p;
}

/* ---- addresses ----------------------------------------------------------- */

static void test_v4_roundtrip(void **state)
{
	static const char *const ok[] = {
		"0.0.0.0", "192.0.2.1", "10.1.2.3", "255.255.255.255",
		"1.0.0.1", "100.64.0.0",
	};
	char buf[SW_ADDR_STRLEN];
	(void)state;

	for (size_t i = 0; i < N_ELEM(ok); i++) {
		struct sw_addr a = A(ok[i]);
		assert_int_equal(a.family, SW_AF_INET);
		assert_string_equal(sw_addr_format(&a, buf, sizeof(buf)), ok[i]);
	}

	struct sw_addr a = A("192.0.2.1");
	static const uint8_t want[16] = { 192, 0, 2, 1 };
	assert_memory_equal(a.bytes, want, 16); /* rest zeroed */
}

static void test_v6_roundtrip(void **state)
{
	/* already canonical (RFC 5952): must come back unchanged */
	static const char *const canon[] = {
		"::", "::1", "2001:db8::1", "fe80::1:2", "2001:db8:0:1:1:1:1:1",
		"2001:db8::1:0:0:1", "ff02::1", "1::", "::ffff:192.0.2.1",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "64:ff9b::c000:201",
	};
	/* other spellings and their canonical form */
	static const struct {
		const char *in, *out;
	} norm[] = {
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
		{ "0:0:0:0:0:0:0:0", "::" },
		{ "0:0:0:0:0:0:0:1", "::1" },
		{ "::ffff:c000:201", "::ffff:192.0.2.1" },
		{ "0:0:0:0:0:FFFF:192.0.2.1", "::ffff:192.0.2.1" },
		{ "FE80::", "fe80::" },
		{ "2001:db8::0:1", "2001:db8::1" },
	};
	char buf[SW_ADDR_STRLEN];
	(void)state;

	for (size_t i = 0; i < N_ELEM(canon); i++) {
		struct sw_addr a = A(canon[i]);
		assert_int_equal(a.family, SW_AF_INET6);
		assert_string_equal(sw_addr_format(&a, buf, sizeof(buf)), canon[i]);
	}
	for (size_t i = 0; i < N_ELEM(norm); i++) {
		struct sw_addr a = A(norm[i].in);
		assert_string_equal(sw_addr_format(&a, buf, sizeof(buf)), norm[i].out);
		struct sw_addr b = A(norm[i].out);
		assert_true(sw_addr_eq(&a, &b));
	}

	/* v4-mapped is an IPv6 address, not the IPv4 one */
	struct sw_addr m = A("::ffff:192.0.2.1"), v4 = A("192.0.2.1");
	static const uint8_t want[16] = { [10] = 0xff, [11] = 0xff,
					  192, 0, 2, 1 };
	assert_int_equal(m.family, SW_AF_INET6);
	assert_memory_equal(m.bytes, want, 16);
	assert_false(sw_addr_eq(&m, &v4));

	/* longest text form fits SW_ADDR_STRLEN */
	struct sw_addr l = A("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
	assert_string_equal(sw_addr_format(&l, buf, sizeof(buf)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_addr_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256",
		"01.2.3.4", "1.2.3.04", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/32",
		"0x1.2.3.4", "1.2.3.-4", "1..3.4", "localhost", ":::", "1::2::3",
		"12345::", "g::", "fe80::1%eth0", "2001:db8::1/64",
		"1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "::ffff:1.2.3", "[::1]",
		"::1 ", "2001:db8:::1",
	};
	struct sw_addr a, orig;
	(void)state;

	memset(&orig, 0x5a, sizeof(orig));
	for (size_t i = 0; i < N_ELEM(bad); i++) {
		a = orig;
		if (sw_addr_parse(bad[i], &a))
			fail_msg("accepted bad address '%s'", bad[i]);
		assert_memory_equal(&a, &orig, sizeof(a)); /* untouched */
	}
	assert_false(sw_addr_parse(NULL, &a));
}

static void test_addr_format_edges(void **state)
{
	char buf[SW_ADDR_STRLEN], tiny[8];
	struct sw_addr none, a = A("192.0.2.100"), b = A("2001:db8::1");
	(void)state;

	memset(&none, 0, sizeof(none));
	assert_string_equal(sw_addr_format(&none, buf, sizeof(buf)), "-");

	/* too small: empty string, never a cut-off address */
	memset(tiny, 'x', sizeof(tiny));
	assert_ptr_equal(sw_addr_format(&a, tiny, sizeof(tiny)), tiny);
	assert_string_equal(tiny, "");
	assert_string_equal(sw_addr_format(&b, tiny, sizeof(tiny)), "");
	/* exactly enough */
	char fit[12];
	assert_string_equal(sw_addr_format(&a, fit, sizeof(fit)), "192.0.2.100");
	/* zero length: buffer untouched */
	tiny[0] = 'q';
	assert_ptr_equal(sw_addr_format(&a, tiny, 0), tiny);
	assert_int_equal(tiny[0], 'q');
}

static void test_set_eq_cmp(void **state)
{
	static const uint8_t b4[4] = { 192, 0, 2, 1 };
	static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct sw_addr a, b;
	(void)state;

	memset(&a, 0xff, sizeof(a));
	sw_addr_set4(&a, b4);
	assert_int_equal(a.family, SW_AF_INET);
	b = A("192.0.2.1");
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(sw_addr_eq(&a, &b));
	assert_int_equal(sw_addr_cmp(&a, &b), 0);

	memset(&a, 0, sizeof(a));
	sw_addr_set6(&a, b6);
	b = A("2001:db8::1");
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(sw_addr_eq(&a, &b));

	/* sorted ascending: family first, then bytes as unsigned */
	static const char *const sorted[] = {
		"0.0.0.0", "9.255.255.255", "10.0.0.0", "10.0.0.1",
		"127.255.255.255", "128.0.0.0", "255.255.255.255",
		"::", "::1", "::ffff:0.0.0.0", "2001:db8::", "2001:db8::1",
		"fe80::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	};
	for (size_t i = 0; i < N_ELEM(sorted); i++) {
		struct sw_addr x = A(sorted[i]);
		assert_int_equal(sw_addr_cmp(&x, &x), 0);
		assert_true(sw_addr_eq(&x, &x));
		for (size_t j = i + 1; j < N_ELEM(sorted); j++) {
			struct sw_addr y = A(sorted[j]);
			assert_int_equal(sw_addr_cmp(&x, &y), -1);
			assert_int_equal(sw_addr_cmp(&y, &x), 1);
			assert_false(sw_addr_eq(&x, &y));
		}
	}

	/* 0.0.0.0 and :: are different addresses */
	struct sw_addr z4 = A("0.0.0.0"), z6 = A("::");
	assert_false(sw_addr_eq(&z4, &z6));
	assert_true(sw_addr_cmp(&z4, &z6) < 0);
}

/* ---- prefixes ------------------------------------------------------------ */

static void test_prefix_parse_ok(void **state)
{
	static const struct {
		const char *in;
		const char *addr;
		unsigned len;
		uint8_t family;
	} ok[] = {
		{ "0.0.0.0/0", "0.0.0.0", 0, SW_AF_INET },
		{ "10.0.0.0/8", "10.0.0.0", 8, SW_AF_INET },
		{ "172.16.0.0/12", "172.16.0.0", 12, SW_AF_INET },
		{ "192.0.32.0/19", "192.0.32.0", 19, SW_AF_INET },
		{ "192.0.2.0/24", "192.0.2.0", 24, SW_AF_INET },
		{ "192.0.2.2/31", "192.0.2.2", 31, SW_AF_INET },
		{ "192.0.2.1/32", "192.0.2.1", 32, SW_AF_INET },
		{ "192.0.2.1", "192.0.2.1", 32, SW_AF_INET },
		{ "255.255.255.255/32", "255.255.255.255", 32, SW_AF_INET },
		{ "::/0", "::", 0, SW_AF_INET6 },
		{ "2001:db8::/32", "2001:db8::", 32, SW_AF_INET6 },
		{ "2001:db8:8000::/33", "2001:db8:8000::", 33, SW_AF_INET6 },
		{ "2001:db8::/64", "2001:db8::", 64, SW_AF_INET6 },
		{ "2001:db8::2/127", "2001:db8::2", 127, SW_AF_INET6 },
		{ "2001:db8::1/128", "2001:db8::1", 128, SW_AF_INET6 },
		{ "2001:db8::1", "2001:db8::1", 128, SW_AF_INET6 },
		{ "::ffff:192.0.2.0/120", "::ffff:192.0.2.0", 120, SW_AF_INET6 },
		{ "fe80::/10", "fe80::", 10, SW_AF_INET6 },
		{ "8000::/1", "8000::", 1, SW_AF_INET6 },
	};
	(void)state;

	for (size_t i = 0; i < N_ELEM(ok); i++) {
		struct sw_prefix p = P(ok[i].in);
		struct sw_addr want = A(ok[i].addr);
		assert_int_equal(p.addr.family, ok[i].family);
		assert_int_equal(p.len, ok[i].len);
		assert_true(sw_addr_eq(&p.addr, &want));
		assert_memory_equal(p.addr.bytes, want.bytes, 16);
	}
}

static void test_prefix_parse_rejects(void **state)
{
	static const char *const bad[] = {
		/* host bits set */
		"192.0.2.1/24", "0.0.0.1/0", "11.0.0.0/7", "192.0.48.0/19",
		"192.0.2.1/31", "::1/127", "::1/0", "2001:db8:4000::/33",
		"2001:db9::/31", "2001:db8::3/127", "fe80::1/64",
		/* length out of range */
		"192.0.2.0/33", "0.0.0.0/255", "::/129", "2001:db8::/1000",
		"0.0.0.0/4294967296", "0.0.0.0/-1", "::/-0",
		/* length spelling: strict decimal, no leading zeros */
		"192.0.2.0/024", "0.0.0.0/00", "::/00", "::/0128",
		"192.0.2.0/+24", "192.0.2.0/ 24", "192.0.2.0/24 ",
		"192.0.2.0/2 4", "192.0.2.0/0x18", "192.0.2.0/24.0",
		/* structure */
		"", "/", "/24", "192.0.2.0/", "192.0.2.0//24", "192.0.2.0/24/",
		"192.0.2.0/24/8", " 192.0.2.0/24", "junk", "junk/8",
		"1.2.3.4/8x", "192.0.2/24", "2001:db8::/", "[2001:db8::]/32",
		"2001:db8::/32%eth0",
		"0000:0000:0000:0000:0000:0000:0000:0000:0000:0000/0",
	};
	struct sw_prefix p, orig;
	(void)state;

	memset(&orig, 0x5a, sizeof(orig));
	for (size_t i = 0; i < N_ELEM(bad); i++) {
		p = orig;
		if (sw_prefix_parse(bad[i], &p))
			fail_msg("accepted bad prefix '%s'", bad[i]);
		assert_memory_equal(&p, &orig, sizeof(p)); /* untouched */
	}
	assert_false(sw_prefix_parse(NULL, &p));
}

static void test_prefix_format(void **state)
{
	static const char *const canon[] = {
		"0.0.0.0/0", "10.0.0.0/8", "192.0.32.0/19", "192.0.2.1/32",
		"::/0", "2001:db8::/32", "2001:db8:8000::/33",
		"2001:db8::2/127", "2001:db8::1/128", "::ffff:192.0.2.0/120",
	};
	char buf[SW_ADDR_STRLEN], tiny[10];
	(void)state;

	for (size_t i = 0; i < N_ELEM(canon); i++) {
		struct sw_prefix p = P(canon[i]);
		assert_string_equal(sw_prefix_format(&p, buf, sizeof(buf)), canon[i]);
		struct sw_prefix q = P(buf);
		assert_memory_equal(&p, &q, sizeof(p));
	}

	/* a bare address becomes a host prefix with its length spelled out */
	struct sw_prefix h = P("192.0.2.7");
	assert_string_equal(sw_prefix_format(&h, buf, sizeof(buf)), "192.0.2.7/32");
	h = P("2001:0db8::0001");
	assert_string_equal(sw_prefix_format(&h, buf, sizeof(buf)),
			    "2001:db8::1/128");

	/* longest form fits */
	h = P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	assert_string_equal(sw_prefix_format(&h, buf, sizeof(buf)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");

	/* too small: empty, not truncated */
	h = P("192.0.2.0/24");
	assert_string_equal(sw_prefix_format(&h, tiny, sizeof(tiny)), "");
	char fit[13];
	assert_string_equal(sw_prefix_format(&h, fit, sizeof(fit)), "192.0.2.0/24");
}

static void test_prefix_of(void **state)
{
	static const struct {
		const char *addr;
		unsigned len;
		const char *want;
	} cases[] = {
		{ "192.0.2.255", 24, "192.0.2.0/24" },
		{ "192.0.2.255", 0, "0.0.0.0/0" },
		{ "192.0.2.255", 32, "192.0.2.255/32" },
		{ "192.0.2.255", 31, "192.0.2.254/31" },
		{ "192.0.63.255", 19, "192.0.32.0/19" },
		{ "255.255.255.255", 1, "128.0.0.0/1" },
		{ "255.255.255.255", 9, "255.128.0.0/9" },
		{ "192.0.2.255", 33, "192.0.2.255/32" },   /* clamped */
		{ "192.0.2.255", 1000, "192.0.2.255/32" }, /* clamped */
		{ "2001:db8:ffff:ffff::1", 33, "2001:db8:8000::/33" },
		{ "2001:db8:ffff:ffff::1", 32, "2001:db8::/32" },
		{ "2001:db8::3", 127, "2001:db8::2/127" },
		{ "2001:db8::3", 128, "2001:db8::3/128" },
		{ "2001:db8::3", 129, "2001:db8::3/128" }, /* clamped */
		{ "2001:db8::3", 0, "::/0" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65,
		  "ffff:ffff:ffff:ffff:8000::/65" },
		{ "fe80::abcd", 10, "fe80::/10" },
		{ "febf:ffff::1", 10, "fe80::/10" },
	};
	char buf[SW_ADDR_STRLEN];
	(void)state;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct sw_addr a = A(cases[i].addr);
		struct sw_prefix p;
		memset(&p, 0x5a, sizeof(p));
		sw_prefix_of(&a, cases[i].len, &p);
		assert_string_equal(sw_prefix_format(&p, buf, sizeof(buf)),
				    cases[i].want);
		struct sw_prefix q = P(cases[i].want);
		assert_memory_equal(&p, &q, sizeof(p)); /* bytes past len zero */
		assert_true(sw_prefix_contains(&p, &a));
	}

	/* output may alias the input address */
	struct sw_prefix p = P("10.1.2.3");
	sw_prefix_of(&p.addr, 8, &p);
	assert_string_equal(sw_prefix_format(&p, buf, sizeof(buf)), "10.0.0.0/8");
}

static void test_prefix_contains(void **state)
{
	static const struct {
		const char *prefix, *addr;
		bool in;
	} cases[] = {
		{ "192.0.2.0/24", "192.0.2.0", true },
		{ "192.0.2.0/24", "192.0.2.255", true },
		{ "192.0.2.0/24", "192.0.1.255", false },
		{ "192.0.2.0/24", "192.0.3.0", false },
		{ "192.0.2.0/24", "::ffff:192.0.2.1", false },
		{ "192.0.32.0/19", "192.0.31.255", false },
		{ "192.0.32.0/19", "192.0.32.0", true },
		{ "192.0.32.0/19", "192.0.63.255", true },
		{ "192.0.32.0/19", "192.0.64.0", false },
		{ "0.0.0.0/0", "0.0.0.0", true },
		{ "0.0.0.0/0", "255.255.255.255", true },
		{ "0.0.0.0/0", "::", false },
		{ "192.0.2.1/32", "192.0.2.1", true },
		{ "192.0.2.1/32", "192.0.2.0", false },
		{ "192.0.2.1/32", "192.0.2.2", false },
		{ "128.0.0.0/1", "127.255.255.255", false },
		{ "128.0.0.0/1", "128.0.0.0", true },
		{ "::/0", "::", true },
		{ "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "::/0", "0.0.0.0", false },
		{ "2001:db8::/32", "2001:db8::", true },
		{ "2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "2001:db8::/32", "2001:db9::", false },
		{ "2001:db8:8000::/33", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", false },
		{ "2001:db8:8000::/33", "2001:db8:8000::", true },
		{ "2001:db8:8000::/33", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "2001:db8:8000::/33", "2001:db9::", false },
		{ "2001:db8::2/127", "2001:db8::1", false },
		{ "2001:db8::2/127", "2001:db8::2", true },
		{ "2001:db8::2/127", "2001:db8::3", true },
		{ "2001:db8::2/127", "2001:db8::4", false },
		{ "2001:db8::1/128", "2001:db8::1", true },
		{ "2001:db8::1/128", "2001:db8::", false },
		{ "2001:db8::1/128", "2001:db8::2", false },
		{ "::ffff:192.0.2.0/120", "::ffff:192.0.2.77", true },
		{ "::ffff:192.0.2.0/120", "192.0.2.77", false },
	};
	(void)state;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct sw_prefix p = P(cases[i].prefix);
		struct sw_addr a = A(cases[i].addr);
		if (sw_prefix_contains(&p, &a) != cases[i].in)
			fail_msg("%s contains %s: expected %s", cases[i].prefix,
				 cases[i].addr, cases[i].in ? "yes" : "no");
	}

	struct sw_addr none;
	struct sw_prefix all4 = P("0.0.0.0/0");
	memset(&none, 0, sizeof(none));
	assert_false(sw_prefix_contains(&all4, &none));
}

/* ---- special-use ranges -------------------------------------------------- */

static void check_special(const char *s, bool want)
{
	struct sw_addr a = A(s);

	if (sw_addr_is_special(&a) != want)
		fail_msg("%s: expected %s", s, want ? "special" : "public");
}

static void test_special_v4(void **state)
{
	static const struct {
		const char *addr;
		bool special;
	} cases[] = {
		{ "0.0.0.0", true }, { "0.255.255.255", true }, { "1.0.0.0", false },
		{ "9.255.255.255", false }, { "10.0.0.0", true },
		{ "10.255.255.255", true }, { "11.0.0.0", false },
		{ "100.63.255.255", false }, { "100.64.0.0", true },
		{ "100.127.255.255", true }, { "100.128.0.0", false },
		{ "126.255.255.255", false }, { "127.0.0.0", true },
		{ "127.0.0.1", true }, { "127.255.255.255", true },
		{ "128.0.0.0", false },
		{ "169.253.255.255", false }, { "169.254.0.0", true },
		{ "169.254.255.255", true }, { "169.255.0.0", false },
		{ "172.15.255.255", false }, { "172.16.0.0", true },
		{ "172.31.255.255", true }, { "172.32.0.0", false },
		{ "191.255.255.255", false }, { "192.0.0.0", true },
		{ "192.0.0.255", true }, { "192.0.1.0", false },
		{ "192.0.2.0", true }, { "192.0.2.255", true },
		{ "192.0.3.0", false },
		{ "192.88.98.255", false }, { "192.88.99.0", true },
		{ "192.88.99.255", true }, { "192.88.100.0", false },
		{ "192.167.255.255", false }, { "192.168.0.0", true },
		{ "192.168.255.255", true }, { "192.169.0.0", false },
		{ "198.17.255.255", false }, { "198.18.0.0", true },
		{ "198.19.255.255", true }, { "198.20.0.0", false },
		{ "198.51.99.255", false }, { "198.51.100.0", true },
		{ "198.51.100.255", true }, { "198.51.101.0", false },
		{ "203.0.112.255", false }, { "203.0.113.0", true },
		{ "203.0.113.255", true }, { "203.0.114.0", false },
		{ "223.255.255.255", false }, { "224.0.0.0", true },
		{ "239.255.255.255", true }, { "240.0.0.0", true },
		{ "255.255.255.254", true }, { "255.255.255.255", true },
		/* ordinary public addresses */
		{ "8.8.8.8", false }, { "1.1.1.1", false }, { "193.0.6.139", false },
		{ "99.255.255.255", false }, { "172.217.0.0", false },
	};
	(void)state;

	for (size_t i = 0; i < N_ELEM(cases); i++)
		check_special(cases[i].addr, cases[i].special);
}

static void test_special_v6(void **state)
{
	static const struct {
		const char *addr;
		bool special;
	} cases[] = {
		{ "::", true }, { "::1", true }, { "::2", false },
		/* v4-mapped: judged by the embedded IPv4 address */
		{ "::ffff:10.0.0.1", true }, { "::ffff:127.0.0.1", true },
		{ "::ffff:192.0.2.1", true }, { "::ffff:0.0.0.0", true },
		{ "::ffff:255.255.255.255", true }, { "::ffff:8.8.8.8", false },
		{ "::fffe:ffff:ffff", false }, { "::1:0:0:0", false },
		/* NAT64 */
		{ "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "64:ff9b::", true }, { "64:ff9b::8.8.8.8", true },
		{ "64:ff9b::ffff:ffff", true }, { "64:ff9b::1:0:0", false },
		{ "64:ff9b:0:ffff:ffff:ffff:ffff:ffff", false },
		{ "64:ff9b:1::", true },
		{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", true },
		{ "64:ff9b:2::", false },
		/* discard-only */
		{ "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "100::", true }, { "100::ffff:ffff:ffff:ffff", true },
		{ "100:0:0:1::", false },
		/* IETF protocol assignments, documentation, 6to4 */
		{ "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "2001::", true }, { "2001:2::1", true },
		{ "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "2001:200::", false },
		{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "2001:db8::", true },
		{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "2001:db9::", false },
		{ "2001:4860:4860::8888", false },
		{ "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "2002::", true }, { "2002:c000:201::1", true },
		{ "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "2003::", false },
		/* documentation 3fff::/20 */
		{ "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "3fff::", true },
		{ "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "3fff:1000::", false },
		/* SRv6 SIDs */
		{ "5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "5f00::", true },
		{ "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "5f01::", false },
		/* unique local, link-local, multicast */
		{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "fc00::", true }, { "fd12:3456::1", true },
		{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "fe00::", false },
		{ "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "fe80::", true }, { "fe80::1", true },
		{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "fec0::", false },
		{ "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "ff00::", true }, { "ff02::1", true },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
		/* ordinary public addresses */
		{ "2a00:1450:4001:80b::200e", false },
		{ "2606:4700:4700::1111", false },
		{ "2001:67c:2e8:22::c100:68b", false },
	};
	(void)state;

	for (size_t i = 0; i < N_ELEM(cases); i++)
		check_special(cases[i].addr, cases[i].special);
}

/* ::ffff:a.b.c.d reads as a.b.c.d, in place too; nothing else changes. */
static void test_unmap4(void **state)
{
	struct sw_addr a, out;
	char buf[SW_ADDR_STRLEN];
	(void)state;

	assert_true(sw_addr_parse("::ffff:192.0.2.7", &a));
	assert_true(sw_addr_unmap4(&a, &out));
	assert_int_equal(out.family, SW_AF_INET);
	assert_string_equal(sw_addr_format(&out, buf, sizeof buf), "192.0.2.7");
	assert_true(sw_addr_unmap4(&a, &a));
	assert_string_equal(sw_addr_format(&a, buf, sizeof buf), "192.0.2.7");
	assert_true(sw_addr_parse("2001:db8::ffff:c000:207", &a));
	assert_false(sw_addr_unmap4(&a, &out));
	assert_true(sw_addr_parse("192.0.2.7", &a));
	assert_false(sw_addr_unmap4(&a, &out));
}

/* HOST[:PORT] as --whois-server and --dns-server take it. */
static void test_split_hostport(void **state)
{
	static const struct { const char *in, *host; uint16_t port; } good[] = {
		{ "whois.ripe.net", "whois.ripe.net", 43 },
		{ "127.0.0.1:4343", "127.0.0.1", 4343 },
		{ "[::1]:5353", "::1", 5353 },
		{ "[2001:db8::1]", "2001:db8::1", 43 },
		{ "2001:db8::1", "2001:db8::1", 43 },
	};
	static const char *const bad[] = {
		"", ":43", "[::1", "[::1]x", "host:0", "host:65536", "host:4x", "[]:43",
	};
	char host[64];
	uint16_t port;
	const char *why;
	(void)state;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_true(sw_split_hostport(good[i].in, host, sizeof host, &port, 43, &why));
		assert_string_equal(host, good[i].host);
		assert_int_equal(port, good[i].port);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		if (sw_split_hostport(bad[i], host, sizeof host, &port, 43, &why))
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(why);
	}
	assert_false(sw_split_hostport("a-very-long-host-name.example", host, 8, &port, 43, &why));
}

static void test_special_unset(void **state)
{
	struct sw_addr none;
	(void)state;

	memset(&none, 0, sizeof(none));
	assert_true(sw_addr_is_special(&none)); /* never goes to whois */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_roundtrip),
		cmocka_unit_test(test_v6_roundtrip),
		cmocka_unit_test(test_addr_parse_rejects),
		cmocka_unit_test(test_addr_format_edges),
		cmocka_unit_test(test_set_eq_cmp),
		cmocka_unit_test(test_prefix_parse_ok),
		cmocka_unit_test(test_prefix_parse_rejects),
		cmocka_unit_test(test_prefix_format),
		cmocka_unit_test(test_prefix_of),
		cmocka_unit_test(test_prefix_contains),
		cmocka_unit_test(test_special_v4),
		cmocka_unit_test(test_special_v6),
		cmocka_unit_test(test_special_unset),
		cmocka_unit_test(test_unmap4),
		cmocka_unit_test(test_split_hostport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
