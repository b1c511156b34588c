/*
 * table.h - memory for the sensor's large fixed tables (contacts, sources,
 * floods): allocated once at start-up, zeroed, page-aligned, and backed by
 * 2 MiB transparent huge pages where the kernel allows (madvise), because
 * lookups land on random lines of tens of MiB and every 4 KiB page would
 * cost a TLB miss and, on first touch, a page fault on the packet path.
 */
#ifndef SW_TABLE_H
#define SW_TABLE_H
#include <stddef.h>
#include <stdint.h>

/* bytes of zeroed memory, aligned to at least 64 bytes; NULL on failure. */
void *sw_table_alloc(size_t bytes);
/* Free what sw_table_alloc(bytes) returned (NULL is fine). */
void sw_table_free(void *p, size_t bytes);

/*
 * Parts of an entry that a new owner writes before it reads them are not
 * cleared for it (a cache line not touched). The dev build (AddressSanitizer)
 * marks such a part unreadable instead: a read, or a write the code has not
 * announced with sw_table_unpoison, then stops the tests. No-ops elsewhere.
 * Bytes are marked in whole 8-byte words: p and bytes multiples of 8.
 */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
static inline void sw_table_poison(void *p, size_t bytes)
{
	ASAN_POISON_MEMORY_REGION(p, bytes);
}
static inline void sw_table_unpoison(void *p, size_t bytes)
{
	ASAN_UNPOISON_MEMORY_REGION(p, bytes);
}
#else
static inline void sw_table_poison(void *p, size_t bytes)
{
	(void)p;
	(void)bytes;
}
static inline void sw_table_unpoison(void *p, size_t bytes)
{
	(void)p;
	(void)bytes;
}
#endif

/* The smallest power of two >= n (1 for 0; at most 2^31: table sizes are
 * bounded by configuration far below that). */
uint32_t sw_pow2_at_least(uint32_t n);

#endif
