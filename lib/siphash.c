/*
 * siphash.c - SipHash-2-4, 64-bit output, and the random per-run key.
 * Checked in tests/unit/test_siphash.c against the reference vectors and,
 * at every length and alignment, a byte-wise implementation.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "siphash.h"


/* One SipRound on the state v0..v3 */
#define SIPROUND                                                             \
	do {                                                                 \
		v0 += v1; v1 = (v1 << 13) | (v1 >> 51); v1 ^= v0;           \
		v0 = (v0 << 32) | (v0 >> 32);                                \
		v2 += v3; v3 = (v3 << 16) | (v3 >> 48); v3 ^= v2;           \
		v0 += v3; v3 = (v3 << 21) | (v3 >> 43); v3 ^= v0;           \
		v2 += v1; v1 = (v1 << 17) | (v1 >> 47); v1 ^= v2;           \
		v2 = (v2 << 32) | (v2 >> 32);                                \
	} while (0)

/* A little-endian 64-bit word: one load */
static inline uint64_t rd64le(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return le64toh(v);
}

/* SipHash-c-d: c rounds per 8-byte block, d to finish (2 and 4 below,
 * constants: the rounds unroll). */
static inline __attribute__((always_inline)) uint64_t
siphash_cd(const struct sw_sipkey *key, const void *data, size_t len, int c, int d)
{
	const uint64_t k0 = key->k0, k1 = key->k1;
	const uint8_t *in = data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56;
	size_t left = len & 7;
	const uint8_t *end = in + len - left;

	for (; in != end; in += 8) {
		uint64_t m = rd64le(in);

		v3 ^= m;
		for (int r = 0; r < c; r++)
			SIPROUND;
		v0 ^= m;
	}
	switch (left) {
	case 7: b |= (uint64_t)in[6] << 48; __attribute__((fallthrough));
	case 6: b |= (uint64_t)in[5] << 40; __attribute__((fallthrough));
	case 5: b |= (uint64_t)in[4] << 32; __attribute__((fallthrough));
	case 4: b |= (uint64_t)in[3] << 24; __attribute__((fallthrough));
	case 3: b |= (uint64_t)in[2] << 16; __attribute__((fallthrough));
	case 2: b |= (uint64_t)in[1] << 8; __attribute__((fallthrough));
	case 1: b |= (uint64_t)in[0]; break;
	default: break;
	}
	v3 ^= b;
	for (int r = 0; r < c; r++)
		SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (int r = 0; r < d; r++)
		SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t sw_siphash(const struct sw_sipkey *key, const void *data, size_t len)
{
	return siphash_cd(key, data, len, 2, 4);
}



int sw_sipkey_random(struct sw_sipkey *key)
{
	uint8_t buf[16];
	size_t got = 0;

	while (got < sizeof buf) {
		ssize_t r = getrandom(buf + got, sizeof buf - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	key->k0 = rd64le(buf);
	key->k1 = rd64le(buf + 8);
	return 0;
}
