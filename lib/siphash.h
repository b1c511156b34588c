/*
 * siphash.h - SipHash-2-4 and SipHash-1-3 (Aumasson & Bernstein) with a
 * per-run random key.
 *
 * Every table the sensor keys by addresses hashes with a key drawn from
 * getrandom() at start, so nobody outside can choose addresses that
 * collide into one bucket and push real entries out.
 *
 * SipHash-1-3 below (one compression round per 8-byte block and three to
 * finish instead of two and four, about 40 % fewer instructions on short
 * keys) was the sensor's packet-path table hash until those tables moved
 * to keyhash.h's cheaper strongly universal hash, keyed from the SipHash
 * key; it stays, tested, for short keys that want a keyed hash cheaper
 * than 2-4. The security argument for it is the one Rust's std
 * HashMap and CPython (>= 3.11) make for the same choice: what is needed
 * is that an attacker cannot predict which inputs collide, i.e. cannot
 * recover or exploit the key. The key is 128 random bits drawn per run,
 * and no table hash ever leaves the process: bucket indexes and tags are
 * not written to the database, logs or events, so the only
 * channel is timing of bucket evictions, which reveals at most a few bits
 * per crafted flood and is bounded by the tables' fixed caps. No practical
 * key-recovery or distinguisher attack is known on SipHash-1-3 with 128-bit
 * keys and 64-bit output (the best published attacks reach fewer rounds
 * than 1-3 has in its finalization). SipHash-2-4, the conservative PRF,
 * stays for the uses whose outputs leave the process (the probe signature,
 * stored and exported) and for everything outside the packet path.
 */
#ifndef SW_SIPHASH_H
#define SW_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct sw_sipkey {
	uint64_t k0, k1;
};

/* Fill key from getrandom(); 0 or -1. */
int sw_sipkey_random(struct sw_sipkey *key);
uint64_t sw_siphash(const struct sw_sipkey *key, const void *in, size_t len);
/* SipHash-1-3: the packet path's table hash (see above). */
uint64_t sw_siphash13(const struct sw_sipkey *key, const void *in, size_t len);

/* The 4 bytes at p read little-endian: an IPv4 address, packed for
 * sw_siphash13_le below */
static inline uint64_t sw_le32(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

/* One SipRound on the state v0..v3 (siphash.c's rounds too). */
#define SW_SIPROUND(v0, v1, v2, v3)                                          \
	do {                                                                 \
		v0 += v1; v1 = (v1 << 13) | (v1 >> 51); v1 ^= v0;           \
		v0 = (v0 << 32) | (v0 >> 32);                                \
		v2 += v3; v3 = (v3 << 16) | (v3 >> 48); v3 ^= v2;           \
		v0 += v3; v3 = (v3 << 21) | (v3 >> 43); v3 ^= v0;           \
		v2 += v1; v1 = (v1 << 17) | (v1 >> 47); v1 ^= v2;           \
		v2 = (v2 << 32) | (v2 >> 32);                                \
	} while (0)

/* SipHash-1-3 of a message of len <= 15 bytes given as words: m0 its first
 * 8 bytes read little-endian (ignored when len < 8), tail its last len % 8
 * bytes read little-endian (zero above them). Equal to sw_siphash13 on the
 * bytes; inline, for keys the packet path packs itself (no buffer, no
 * tail switch: most keys are 4 to 11 bytes, where those cost as much as
 * the rounds). */
static inline uint64_t sw_siphash13_le(const struct sw_sipkey *key, uint64_t m0, uint64_t tail,
                                       unsigned len)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ key->k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ key->k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ key->k0;
	uint64_t v3 = 0x7465646279746573ULL ^ key->k1;
	uint64_t b = (uint64_t)len << 56 | tail;

	if (len >= 8) {
		v3 ^= m0;
		SW_SIPROUND(v0, v1, v2, v3);
		v0 ^= m0;
	}
	v3 ^= b;
	SW_SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SW_SIPROUND(v0, v1, v2, v3);
	SW_SIPROUND(v0, v1, v2, v3);
	SW_SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif
