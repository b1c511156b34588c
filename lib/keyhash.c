/*
 * keyhash.c - the packet-path tables' hash keys (keyhash.h): each table's
 * multipliers, expanded from the per-run SipHash key.
 */
#include "config.h"

#include "keyhash.h"

/* Word j of domain's key: SipHash-2-4 of 8 bytes ("kh", domain, j, 0...).
 * No other input hashed with the per-run key is 8 bytes long (the probe
 * signature's are 16 or 28), so these are PRF outputs on inputs of their
 * own. */
static uint64_t key_word(const struct sw_sipkey *seed, enum sw_keyhash_domain domain, unsigned j)
{
	uint8_t in[8] = { 'k', 'h', (uint8_t)domain, (uint8_t)j, 0, 0, 0, 0 };

	return sw_siphash(seed, in, sizeof in);
}

void sw_keyhash_init(struct sw_keyhash *k, const struct sw_sipkey *seed,
                     enum sw_keyhash_domain domain)
{
	unsigned j = 0;

	for (int i = 0; i < SW_KEYHASH_WORDS; i++) {
		k->m[i].lo = key_word(seed, domain, j++);
		k->m[i].hi = key_word(seed, domain, j++);
	}
	k->b.lo = key_word(seed, domain, j++);
	k->b.hi = key_word(seed, domain, j);
}
