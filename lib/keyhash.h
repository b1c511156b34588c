/*
 * keyhash.h - the keyed hash of the sensor's packet-path tables (sources,
 * contacts, flood targets and prefixes, the distinct sets' target hash):
 * strongly universal multiply-add-shift over 64-bit words, a secret random
 * key per run.
 *
 * The hash. A key is d+1 random 128-bit numbers m_0..m_{d-1} and b
 * (d = SW_KEYHASH_WORDS); a message is a vector x_0..x_{d-1} of 64-bit
 * words, and
 *
 *     s(x) = ((b + m_0 x_0 + ... + m_{d-1} x_{d-1}) mod 2^128) >> 64,
 *     h(x) = mix(s(x)),
 *
 * two multiplies (64x64->128 and 64x64->64) and two additions per word,
 * and mix, a fixed bijection of 64-bit words (below).
 * This is the "vector multiply-shift" of Dietzfelbinger (STACS 1996) as
 * presented by Thorup ("High Speed Hashing for Integers and Strings",
 * arXiv:1504.06804; needs arithmetic on w + l - 1 = 127 bits or more for
 * w = 64-bit words and l = 64-bit output: we use 128), and Lemire and
 * Kaser's MULTILINEAR with L = 64 ("Strongly universal string hashing is
 * fast", Computer Journal 57(11), 2014, with an elementary proof). s is
 * strongly universal (pairwise independent): for two different messages x
 * and y, and any outputs u and v, Pr[s(x) = u and s(y) = v] = 2^-128 over
 * the key; and so is h, as mix is a bijection. So every output is uniform,
 * every set of output bits (a bucket index, a 32-bit tag) is uniform and
 * pairwise independent, and two different messages give the same 64-bit
 * hash with probability exactly 2^-64. (Sketch: where x_j != y_j write
 * x_j - y_j = 2^t c, c odd, t < 64; m_j (x_j - y_j) mod 2^128 is then
 * uniform on the multiples of 2^t, so the top 128 - t > 64 bits of the
 * difference of the two sums are uniform, and b makes the first sum
 * uniform and independent of it.)
 *
 * Why mix. Pairwise independence says nothing about how evenly many keys
 * spread, and s is linear: on the inputs scans are made of (sequential
 * addresses, port sweeps: arithmetic progressions) its values lie on a
 * lattice, and buckets fill unevenly, too evenly or in lumps (measured
 * with 48 keys, chi-square of 2^16 buckets' occupancy over 2^20 sequential
 * addresses, a /24 x 1024 ports sweep and 4 x 65536 ports: every key was
 * more than 10 standard deviations off on some of them, the worst 2500).
 * mix, an xorshift, an odd multiply and an xorshift (MurmurHash3's
 * finaliser has one round more and measured the same), breaks the
 * lattice: with the same 48 keys every chi-square was within 3.4
 * deviations, as for a random function (tests/unit/test_keyhash.c checks
 * one key). Being a bijection it keeps every bound above; it maps 0 to 0.
 *
 * Messages are the table's fields packed into words, always the same
 * words for the same value (only an address's own family's bytes, etc.)
 * and an injective packing per table: a message shorter than d words is
 * that message padded with zero words, and a zero word adds nothing, so
 * an IPv4 key costs one or two words, an IPv6 one up to five. Each table's
 * packing has the address family in its first word, so a short (IPv4)
 * and a long (IPv6) message never pad to the same vector.
 *
 * Why universality with a secret key is enough here. The tables are fixed
 * arrays of 8-way buckets with eviction; the hash picks the bucket and,
 * as the entry's identity, all 64 bits are compared (equal hashes are
 * taken as the same source, contact or target). So a collision costs
 * either (a) a bucket shared, i.e. an earlier eviction, or (b) two keys
 * sharing one entry's state; never time: a lookup reads one bucket
 * whatever the keys. (b) happens for two given different keys with
 * probability 2^-64 (the tables' "0 marks empty, so 0 becomes 1" adds
 * 2^-127): a new key against 2^20 live entries at 2^20 lookups a second
 * is one false match in 2^24 s (half a year) of full-rate lookups, and it
 * merges one key's state into another's: a count off by one. These bounds
 * hold for any inputs chosen without knowing the key, and an attacker
 * never sees a hash: none, nor a bucket index or tag, is written to the
 * database, logs, events or packets (the exported probe signature is
 * SipHash-2-4, siphash.h), and the sensor is passive. What leaks is at
 * most whether a detection happened (its reports can reach the scanner),
 * a coarse and delayed function of evictions, against a 128-bit secret
 * (expanded to 768 key bits, below) that changes every run. (A key that leaked would let it aim its keys at
 * one bucket or at another key's entry, as with any keyed hash, SipHash
 * included: the key never leaves the process.)
 *
 * Why not NH, the other cheap candidate (UMAC: RFC 4418 section 5 on
 * 32-bit words; Black et al., CRYPTO 1999, on w-bit words): NH multiplies
 * pairs of key-offset words, (x_1 + k_1)(x_2 + k_2) mod 2^128 for w = 64,
 * and is 2^-64-almost-delta-universal on its 128-bit outputs, but its low
 * output bits are weak (the low bit of a product depends only on the low
 * bits of its factors) and folding 128 bits to 64 loses the bound: a
 * 64-bit key needs a second universal layer (UMAC's L2/L3) or a 128-to-64
 * one like s above, i.e. NH's multiply on top of s's two per word of its
 * output. For our one to five words hashing them with s directly costs
 * fewer multiplies and is strongly universal straight into 64 bits; and a
 * one-word key (a source) would still pair with a constant, i.e. be
 * linear, and need mix as well.
 *
 * Keys. sw_keyhash_init expands the per-run SipHash key (drawn from
 * getrandom(), siphash.h) with SipHash-2-4 as a PRF, one domain per table:
 * the words are as good as uniform to anyone without that key, and the
 * tables keep their constructors' arguments.
 */
#ifndef SW_KEYHASH_H
#define SW_KEYHASH_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "siphash.h"

/* The longest message: a contact's families, protocol and port, then two
 * IPv6 addresses */
#define SW_KEYHASH_WORDS 5

struct sw_keyhash_u128 {
	uint64_t lo, hi;
};

struct sw_keyhash {
	struct sw_keyhash_u128 m[SW_KEYHASH_WORDS];
	struct sw_keyhash_u128 b;
};

/* Domains (one key per table); see sw_keyhash_init */
enum sw_keyhash_domain {
	SW_KH_SOURCES = 1,
	SW_KH_CONTACTS,
	SW_KH_FLOOD,
};

/* The key of domain from the per-run SipHash key seed. */
void sw_keyhash_init(struct sw_keyhash *k, const struct sw_sipkey *seed,
                     enum sw_keyhash_domain domain);

/* A fixed bijection of 64-bit words (see "Why mix" above) */
static inline uint64_t sw_keyhash_mix(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	return h ^ h >> 32;
}

/* The hash with 64-bit arithmetic only: any platform; the 128-bit form
 * below is tested against it. */
static inline uint64_t sw_keyhash_portable(const struct sw_keyhash *k, const uint64_t *x,
                                           unsigned n)
{
	uint64_t lo = k->b.lo, hi = k->b.hi;

	for (unsigned i = 0; i < n; i++) {
		/* m_i x_i mod 2^128: m.lo * x in full (32-bit halves), plus
		 * the low half of m.hi * x shifted up a word */
		uint64_t a = k->m[i].lo, w = x[i];
		uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, w0 = w & 0xffffffffu, w1 = w >> 32;
		uint64_t p00 = a0 * w0, p01 = a0 * w1, p10 = a1 * w0, p11 = a1 * w1;
		uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
		uint64_t plo = (p00 & 0xffffffffu) | mid << 32;
		uint64_t phi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32) + k->m[i].hi * w;

		lo += plo;
		hi += phi + (lo < plo);
	}
	return sw_keyhash_mix(hi);
}

/* h of the n-word message x (n <= SW_KEYHASH_WORDS; the rest are zero).
 * Inline: with n constant the loop unrolls to 2n multiplies. */
static inline uint64_t sw_keyhash(const struct sw_keyhash *k, const uint64_t *x, unsigned n)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 s = (unsigned __int128)k->b.hi << 64 | k->b.lo;

	for (unsigned i = 0; i < n; i++)
		s += ((unsigned __int128)k->m[i].hi << 64 | k->m[i].lo) * x[i];
	return sw_keyhash_mix((uint64_t)(s >> 64));
#else
	return sw_keyhash_portable(k, x, n);
#endif
}

/* An address's own bytes as two words read little-endian: IPv4 its 4
 * bytes and 0, IPv6 its 16, unset 0 and 0 (whatever the rest holds, as
 * sw_addr_eq compares). */
static inline void sw_keyhash_addr(const struct sw_addr *a, uint64_t w[2])
{
	if (a->family == SW_AF_INET) {
		w[0] = sw_le32(a->bytes);
		w[1] = 0;
	} else if (a->family == SW_AF_INET6) {
		memcpy(w, a->bytes, 16);
		w[0] = le64toh(w[0]);
		w[1] = le64toh(w[1]);
	} else {
		w[0] = w[1] = 0;
	}
}

#endif
