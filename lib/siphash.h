/*
 * siphash.h - SipHash-2-4 (Aumasson & Bernstein) with a per-run random
 * key.
 *
 * The key is drawn from getrandom() at start. SipHash-2-4, the
 * conservative PRF, hashes what leaves the process (the probe signature,
 * stored and exported) and what is off the packet path; the packet-path
 * tables hash with keyhash.h's cheaper strongly universal hash, keyed from
 * this key. (SipHash-1-3, their hash before, is gone with its last caller.)
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

/* The 4 bytes at p read little-endian: an IPv4 address packed into a
 * hash's word (keyhash.h) */
static inline uint64_t sw_le32(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

#endif
