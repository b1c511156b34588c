/*
 * table.c - huge-page backed memory for fixed tables (see table.h).
 */
#include "config.h"

#include <sys/mman.h>

#include "table.h"

void *sw_table_alloc(size_t bytes)
{
	void *p;

	if (bytes == 0)
		bytes = 1;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* advice only: without THP the table works the same, just slower */
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

void sw_table_free(void *p, size_t bytes)
{
	if (!p)
		return;
	/* the mapping's next user must not find parts of it marked */
	sw_table_unpoison(p, bytes ? bytes : 1);
	munmap(p, bytes ? bytes : 1);
}

uint32_t sw_pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n && p < (UINT32_C(1) << 31))
		p <<= 1;
	return p;
}
