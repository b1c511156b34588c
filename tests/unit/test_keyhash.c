/*
 * test_keyhash.c - the packet-path tables' keyed hash (keyhash.h): known
 * answers for a fixed key (computed with Python's integers), both forms
 * (128-bit and 64-bit arithmetic) against a plain 16-bit-limb
 * implementation written here, the keys' derivation, and the tables' keys
 * built on it (sw_source_key; sw_contact_key and sw_contacts_lookup's
 * key, also against their packing hashed by the definition): IPv4 and
 * IPv6, only an address's own bytes, nothing maps to 0, and bucket and tag
 * occupancy by chi-square over sequential addresses and a /24 sweep.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "contacts.h"
#include "keyhash.h"
#include "siphash.h"
#include "sources.h"

/* ---- the hash itself ---------------------------------------------------- */

/* The fixed key of the known answers: digits of pi, as a test key */
static struct sw_keyhash fixed_key(void)
{
	static const uint64_t w[] = {
		0x243f6a8885a308d3, 0x13198a2e03707344, 0xa4093822299f31d0, 0x082efa98ec4e6c89,
		0x452821e638d01377, 0xbe5466cf34e90c6c, 0xc0ac29b7c97c50dd, 0x3f84d5b5b5470917,
		0x9216d5d98979fb1b, 0xd1310ba698dfb5ac, 0x2ffd72dbd01adfb7, 0xb8e1afed6a267e96,
	};
	struct sw_keyhash k;

	for (int i = 0; i < SW_KEYHASH_WORDS; i++) {
		k.m[i].lo = w[2 * i];
		k.m[i].hi = w[2 * i + 1];
	}
	k.b.lo = w[10];
	k.b.hi = w[11];
	return k;
}

/* keyhash.h's mix: xorshift 32, multiply, xorshift 32 */
static uint64_t plain_mix(uint64_t h)
{
	uint64_t y = h ^ (h >> 32);

	y = y * 0xd6e8feb86659fd93ull;
	return y ^ (y >> 32);
}

/* The definition written out on 16-bit limbs (least significant first):
 * s = b + sum m_i x_i mod 2^128, mix of the top 64 bits of s. */
static uint64_t plain_keyhash(const struct sw_keyhash *k, const uint64_t *x, unsigned n)
{
	uint32_t s[8];

	for (int j = 0; j < 8; j++)
		s[j] = (uint32_t)((j < 4 ? k->b.lo >> (16 * j) : k->b.hi >> (16 * (j - 4))) & 0xffff);
	for (unsigned i = 0; i < n; i++) {
		uint32_t m[8], xl[4], p[8] = { 0 };

		for (int j = 0; j < 4; j++) {
			m[j] = (uint32_t)(k->m[i].lo >> (16 * j)) & 0xffff;
			m[j + 4] = (uint32_t)(k->m[i].hi >> (16 * j)) & 0xffff;
			xl[j] = (uint32_t)(x[i] >> (16 * j)) & 0xffff;
		}
		/* p = m * x mod 2^128, schoolbook, carries after each row */
		for (int a = 0; a < 8; a++) {
			uint32_t carry = 0;
			for (int c = 0; c < 4 && a + c < 8; c++) {
				uint64_t t = p[a + c] + (uint64_t)m[a] * xl[c] + carry;
				p[a + c] = (uint32_t)t & 0xffff;
				carry = (uint32_t)(t >> 16);
			}
			for (int c = a + 4; c < 8 && carry; c++) {
				uint64_t t = p[c] + carry;
				p[c] = (uint32_t)t & 0xffff;
				carry = (uint32_t)(t >> 16);
			}
		}
		uint32_t carry = 0;
		for (int j = 0; j < 8; j++) {
			uint64_t t = (uint64_t)s[j] + p[j] + carry;
			s[j] = (uint32_t)t & 0xffff;
			carry = (uint32_t)(t >> 16);
		}
	}
	return plain_mix((uint64_t)s[4] | (uint64_t)s[5] << 16 | (uint64_t)s[6] << 32 |
	                 (uint64_t)s[7] << 48);
}

static void test_known_answers(void **state)
{
	static const struct {
		unsigned n;
		uint64_t x[SW_KEYHASH_WORDS];
		uint64_t h;
	} v[] = {
		{ 0, { 0 }, 0x8b0e8e36d3885697 },
		{ 1, { 1 }, 0x2d983d6de21a81be },
		{ 1, { 0x010200c004 }, 0xa3183c68d1c8a59d }, /* 192.0.2.1 as a source */
		{ 2, { 0x500600000404, 0x010200c00a000001 }, 0x1e6bf3629b18badb },
		{ 5, { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX }, 0x30b5d5c0b4d79c9c },
		{ 5, { 0, 0, 0, 0, UINT64_MAX }, 0x99368866afe94aca },
		{ 3, { 6, 0x20010db8, 0x0100000000000000 }, 0xad066d637f14f839 },
	};
	struct sw_keyhash k = fixed_key();

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		assert_int_equal(sw_keyhash(&k, v[i].x, v[i].n), v[i].h);
		assert_int_equal(sw_keyhash_portable(&k, v[i].x, v[i].n), v[i].h);
		assert_int_equal(plain_keyhash(&k, v[i].x, v[i].n), v[i].h);
		/* trailing zero words change nothing: short messages pad */
		assert_int_equal(sw_keyhash(&k, v[i].x, SW_KEYHASH_WORDS),
		                 plain_keyhash(&k, v[i].x, SW_KEYHASH_WORDS));
	}
	assert_int_equal(sw_keyhash(&k, v[2].x, SW_KEYHASH_WORDS), v[2].h);
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Random keys and messages, with carries forced now and then (all-ones
 * words): the 128-bit and 64-bit forms agree with the plain one */
static void test_forms_agree(void **state)
{
	uint64_t seed = 1;

	(void)state;
	for (int r = 0; r < 20000; r++) {
		struct sw_keyhash k;
		uint64_t x[SW_KEYHASH_WORDS];
		unsigned n = (unsigned)(r % (SW_KEYHASH_WORDS + 1));

		for (int i = 0; i < SW_KEYHASH_WORDS; i++) {
			k.m[i].lo = r % 7 == 1 ? UINT64_MAX : splitmix(&seed);
			k.m[i].hi = splitmix(&seed);
			x[i] = r % 5 == 1 ? UINT64_MAX : splitmix(&seed) >> (r % 64);
		}
		k.b.lo = r % 3 == 1 ? UINT64_MAX : splitmix(&seed);
		k.b.hi = splitmix(&seed);
		assert_int_equal(sw_keyhash(&k, x, n), plain_keyhash(&k, x, n));
		assert_int_equal(sw_keyhash_portable(&k, x, n), plain_keyhash(&k, x, n));
	}
}

static int keys_equal(const struct sw_keyhash *a, const struct sw_keyhash *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

/* Keys: one per seed and domain, words all different; the hash depends on
 * the key (every output bit takes both values over seeds) */
static void test_key_derivation(void **state)
{
	struct sw_sipkey s1 = { 1, 2 }, s2 = { 1, 3 };
	struct sw_keyhash a, b, c, d;
	uint64_t x[2] = { 0x010200c004, 0 }, and = UINT64_MAX, or = 0;

	(void)state;
	sw_keyhash_init(&a, &s1, SW_KH_SOURCES);
	sw_keyhash_init(&b, &s1, SW_KH_SOURCES);
	sw_keyhash_init(&c, &s1, SW_KH_CONTACTS);
	sw_keyhash_init(&d, &s2, SW_KH_SOURCES);
	assert_true(keys_equal(&a, &b));
	assert_false(keys_equal(&a, &c));
	assert_false(keys_equal(&a, &d));
	const uint64_t *w = &a.m[0].lo;
	for (size_t i = 0; i < sizeof a / 8; i++)
		for (size_t j = 0; j < i; j++)
			assert_true(w[i] != w[j]);
	assert_true(sw_keyhash(&a, x, 1) != sw_keyhash(&c, x, 1));
	assert_true(sw_keyhash(&a, x, 1) != sw_keyhash(&d, x, 1));
	for (uint64_t i = 0; i < 64; i++) {
		struct sw_sipkey s = { i, ~i };
		uint64_t h;

		sw_keyhash_init(&a, &s, SW_KH_FLOOD);
		h = sw_keyhash(&a, x, 1);
		and &= h;
		or |= h;
	}
	assert_int_equal(and, 0);
	assert_int_equal(or, UINT64_MAX);
}

/* ---- the tables' keys ---------------------------------------------------- */

static const struct sw_sipkey seed = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };

static void no_evict(void *ctx, struct sw_detail *victim)
{
	(void)ctx;
	(void)victim;
}

static struct sw_addr addr(const char *s)
{
	struct sw_addr a;

	assert_true(sw_addr_parse(s, &a));
	return a;
}

static void test_source_keys(void **state)
{
	struct sw_sources *t = sw_sources_new(64, 8, 16, &seed, no_evict, NULL);
	struct sw_sources *u = sw_sources_new(64, 8, 16, &seed, no_evict, NULL);
	struct sw_addr v4 = addr("192.0.2.1"), v4b = v4, v6 = addr("c000:201::");
	struct sw_addr z4 = addr("0.0.0.0"), z6 = addr("::"), none;
	uint64_t k[5];

	(void)state;
	assert_non_null(t);
	assert_non_null(u);
	memset(&none, 0, sizeof none);
	/* only the family's bytes count, as sw_addr_eq compares */
	memset(v4b.bytes + 4, 0xa5, 12);
	assert_int_equal(sw_source_key(t, &v4), sw_source_key(t, &v4b));
	memset(none.bytes, 0x5a, 16);
	assert_int_equal(sw_source_key(t, &none), sw_source_key(t, &(struct sw_addr){ 0 }));
	/* one key per table seed: the same in a second table */
	assert_int_equal(sw_source_key(t, &v6), sw_source_key(u, &v6));
	/* IPv4 and IPv6 with the same leading bytes, and the zero addresses
	 * of each family and of none: all different, none 0 (empty) */
	k[0] = sw_source_key(t, &v4);
	k[1] = sw_source_key(t, &v6);
	k[2] = sw_source_key(t, &z4);
	k[3] = sw_source_key(t, &z6);
	k[4] = sw_source_key(t, &none);
	for (int i = 0; i < 5; i++) {
		assert_true(k[i] != 0);
		for (int j = 0; j < i; j++)
			assert_true(k[i] != k[j]);
	}
	/* a different seed, different keys */
	sw_sources_free(u);
	u = sw_sources_new(64, 8, 16, &(struct sw_sipkey){ 1, 1 }, no_evict, NULL);
	assert_non_null(u);
	assert_true(sw_source_key(t, &v4) != sw_source_key(u, &v4));
	assert_true(sw_source_key(t, &v6) != sw_source_key(u, &v6));
	sw_sources_free(t);
	sw_sources_free(u);
}

static void test_contact_keys(void **state)
{
	struct sw_contacts *t = sw_contacts_new(64, &seed);
	struct sw_addr a = addr("192.0.2.1"), b = addr("198.51.100.7"), a2 = a;
	struct sw_addr a6 = addr("c000:201::"), b6 = addr("c633:6407::");
	struct sw_addr z4 = addr("0.0.0.0"), z6 = addr("::");
	uint64_t k = sw_contact_key(t, &a, &b, 6, 443);

	(void)state;
	assert_non_null(t);
	memset(a2.bytes + 4, 0xff, 12);
	assert_int_equal(sw_contact_key(t, &a2, &b, 6, 443), k);
	assert_true(sw_contact_key(t, &b, &a, 6, 443) != k);  /* direction counts */
	assert_true(sw_contact_key(t, &a, &b, 17, 443) != k); /* protocol */
	assert_true(sw_contact_key(t, &a, &b, 6, 444) != k);  /* port */
	assert_true(sw_contact_key(t, &a, &b, 6, 443 + 256) != k);
	assert_true(sw_contact_key(t, &a6, &b6, 6, 443) != k); /* same leading bytes */
	assert_true(sw_contact_key(t, &a6, &b6, 6, 443) != sw_contact_key(t, &b6, &a6, 6, 443));
	assert_true(sw_contact_key(t, &a6, &b, 6, 443) != sw_contact_key(t, &a, &b6, 6, 443));
	assert_true(sw_contact_key(t, &z4, &z4, 0, 0) != 0);
	assert_true(sw_contact_key(t, &z6, &z6, 0, 0) != 0);
	assert_true(sw_contact_key(t, &z4, &z4, 0, 0) != sw_contact_key(t, &z6, &z6, 0, 0));
	sw_contacts_free(t);
}

/* The contact key as contacts.c's comment packs it, hashed by the plain
 * definition (a 0 hash would be 1) */
static uint64_t plain_contact_key(const struct sw_addr *src, const struct sw_addr *dst,
                                  uint8_t proto, uint16_t port)
{
	struct sw_keyhash k;
	uint64_t w[5] = { (uint64_t)proto << 16 | (uint64_t)port << 24 | src->family |
	                  (uint64_t)dst->family << 8 };
	uint64_t h;

	sw_keyhash_init(&k, &seed, SW_KH_CONTACTS);
	if (src->family == SW_AF_INET && dst->family == SW_AF_INET) {
		w[1] = sw_le32(src->bytes) | sw_le32(dst->bytes) << 32;
		h = plain_keyhash(&k, w, 2);
	} else {
		sw_keyhash_addr(src, w + 1);
		sw_keyhash_addr(dst, w + 3);
		h = plain_keyhash(&k, w, 5);
	}
	return h ? h : 1;
}

/* sw_contact_key, and sw_contacts_lookup's key (the IPv4 pair's own path
 * and the others'), are the definition, for every pairing of families */
static void test_contact_key_definition(void **state)
{
	struct sw_contacts *t = sw_contacts_new(64, &seed);
	const struct sw_addr a[] = {
		addr("192.0.2.1"), addr("198.51.100.7"), addr("0.0.0.0"), addr("255.255.255.255"),
		addr("2001:db8::1"), addr("c000:201::"), addr("::"),
		{ .family = SW_AF_NONE },
	};
	const uint16_t ports[] = { 0, 80, 443, 65535 };
	const uint8_t protos[] = { 0, 1, 6, 17, 58, 255 };

	(void)state;
	assert_non_null(t);
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
		for (size_t j = 0; j < sizeof a / sizeof a[0]; j++)
			for (size_t p = 0; p < sizeof protos; p++)
				for (size_t q = 0; q < sizeof ports / sizeof ports[0]; q++) {
					uint64_t want = plain_contact_key(&a[i], &a[j], protos[p], ports[q]);
					uint64_t got;

					assert_int_equal(sw_contact_key(t, &a[i], &a[j], protos[p], ports[q]),
					                 want);
					assert_null(sw_contacts_lookup(t, &a[i], &a[j], protos[p], ports[q],
					                               &got));
					assert_int_equal(got, want);
				}
	sw_contacts_free(t);
}

/* ---- distribution --------------------------------------------------------- */

/*
 * Pearson's chi-square of counts over nb buckets (n keys in all) against
 * uniform. With nb - 1 degrees of freedom it has mean nb - 1 and standard
 * deviation sqrt(2 (nb - 1)): more than 6 of those away either way (too
 * lumpy, or too even as a linear pattern would be) has odds of about 1e-9
 * for a random function. The keys are fixed (seed above), so this is
 * deterministic.
 */
static void assert_uniform(const uint32_t *count, uint32_t nb, uint64_t n, const char *what)
{
	double e = (double)n / nb, chi = 0, df = nb - 1.0, sd = sqrt(2 * df);

	for (uint32_t i = 0; i < nb; i++)
		chi += ((double)count[i] - e) * ((double)count[i] - e) / e;
	if (fabs(chi - df) > 6 * sd)
		fail_msg("%s: chi-square %.0f over %u buckets, expected %.0f +- %.0f", what, chi, nb,
		         df, 6 * sd);
}

#define NB (1u << 16)

/* 2^20 sequential IPv4 sources: the sources table's buckets (bits 24 up)
 * and the distinct sets' 32-bit target hashes (bits 32 up) */
static void test_sources_uniform(void **state)
{
	struct sw_sources *t = sw_sources_new(64, 8, 16, &seed, no_evict, NULL);
	uint32_t *bucket = calloc(NB, sizeof *bucket), *high = calloc(NB, sizeof *high);
	const uint32_t n = 1u << 20;

	(void)state;
	assert_non_null(t);
	assert_true(bucket && high);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = 0x0a000000u + i;
		uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
		struct sw_addr a;
		uint64_t k;

		sw_addr_set4(&a, b);
		k = sw_source_key(t, &a);
		bucket[(k >> 24) & (NB - 1)]++;
		high[k >> 48]++;
	}
	assert_uniform(bucket, NB, n, "sources, bits 24-39, 10.0.0.0/12");
	assert_uniform(high, NB, n, "sources, bits 48-63, 10.0.0.0/12");
	free(bucket);
	free(high);
	sw_sources_free(t);
}

/* A /24 sweep of ports 1-1024 from one source: the contact table's buckets
 * (low bits) and tags (bits 32 up); all ports of 4 addresses (UDP) */
static void test_contacts_uniform(void **state)
{
	struct sw_contacts *t = sw_contacts_new(64, &seed);
	uint32_t *low = calloc(NB, sizeof *low), *tag = calloc(NB, sizeof *tag);
	struct sw_addr src = addr("203.0.113.9");
	uint64_t n = 0;

	(void)state;
	assert_non_null(t);
	assert_true(low && tag);
	for (unsigned h = 0; h < 256; h++) {
		uint8_t b[4] = { 192, 0, 2, (uint8_t)h };
		struct sw_addr dst;

		sw_addr_set4(&dst, b);
		for (uint16_t port = 1; port <= 1024; port++, n++) {
			uint64_t k = sw_contact_key(t, &src, &dst, 6, port);

			low[k & (NB - 1)]++;
			tag[(k >> 32) & (NB - 1)]++;
		}
	}
	assert_uniform(low, NB, n, "contacts, bits 0-15, 192.0.2.0/24 x 1024 ports");
	assert_uniform(tag, NB, n, "contacts, bits 32-47, 192.0.2.0/24 x 1024 ports");
	memset(low, 0, NB * sizeof *low);
	n = 0;
	for (unsigned h = 0; h < 4; h++) {
		uint8_t b[4] = { 198, 51, 100, (uint8_t)h };
		struct sw_addr dst;

		sw_addr_set4(&dst, b);
		for (uint32_t port = 0; port <= UINT16_MAX; port++, n++)
			low[sw_contact_key(t, &src, &dst, 17, (uint16_t)port) & (NB - 1)]++;
	}
	assert_uniform(low, NB, n, "contacts, bits 0-15, 4 addresses x 65536 ports");
	free(low);
	free(tag);
	sw_contacts_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_forms_agree),
		cmocka_unit_test(test_key_derivation),
		cmocka_unit_test(test_source_keys),
		cmocka_unit_test(test_contact_keys),
		cmocka_unit_test(test_contact_key_definition),
		cmocka_unit_test(test_sources_uniform),
		cmocka_unit_test(test_contacts_uniform),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
