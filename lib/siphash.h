/*
 * siphash.h - SipHash-2-4 (Aumasson & Bernstein) with a per-run random key.
 *
 * Every table the sensor keys by addresses hashes with a key drawn from
 * getrandom() at start, so nobody outside can choose addresses that
 * collide into one bucket and push real entries out.
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

#endif
