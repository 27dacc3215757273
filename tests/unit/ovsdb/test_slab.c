/* SPDX-License-Identifier: Apache-2.0 */
/* ovsdb-lite/slab.c: blocks of every size class hold their bytes without overlapping, across
 * slab and region boundaries; freed blocks are reused by their own size class; large sizes go
 * to malloc; a slab's pages are resident before anything touches them (prefaulted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ovsdb-lite/slab.h"

static void test_slab_blocks_hold_their_bytes(void **state)
{
	static const size_t sizes[] = { 1, 15, 16, 17, 32, 208, 1000, 1024, 1025, 5000 };
	enum { N = 3000 }; /* several 64 KiB slabs for the small classes */
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		size_t size = sizes[s];
		unsigned char **p = calloc(N, sizeof *p);
		for (int i = 0; i < N; i++) {
			p[i] = slab_alloc(size);
			if (size >= 16 && size <= SLAB_MAX_BLOCK)
				assert_int_equal((uintptr_t)p[i] % 16, 0);
			memset(p[i], (int)(i * 7 + s) & 0xff, size);
		}
		for (int i = 0; i < N; i++)
			for (size_t k = 0; k < size; k++)
				if (p[i][k] != (unsigned char)((i * 7 + s) & 0xff))
					fail_msg("size %zu block %d byte %zu overwritten", size, i, k);
		for (int i = 0; i < N; i++)
			slab_free(p[i], size);
		free(p);
	}
	slab_free(NULL, 16);
}

static void test_slab_reuses_freed_blocks(void **state)
{
#if defined(__SANITIZE_ADDRESS__)
	skip(); /* malloc and free under AddressSanitizer: nothing to reuse by design */
#else
	void *a = slab_alloc(48), *b = slab_alloc(48);
	slab_free(a, 48);
	assert_ptr_equal(slab_alloc(40), a); /* 33-48 bytes share a class */
	slab_free(b, 48);
	void *c = slab_alloc(16);
	assert_ptr_not_equal(c, b); /* another class */
	slab_free(c, 16);
	assert_ptr_equal(slab_alloc(48), b);
#endif
}

static void test_slab_pages_are_prefaulted(void **state)
{
#if defined(__SANITIZE_ADDRESS__) || !defined(MADV_POPULATE_WRITE)
	skip();
#else
	long page = sysconf(_SC_PAGESIZE);
	void *probe = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_ptr_not_equal(probe, MAP_FAILED);
	int unsupported = madvise(probe, (size_t)page, MADV_POPULATE_WRITE);
	munmap(probe, (size_t)page);
	if (unsupported)
		skip(); /* a kernel before 5.14: pages fault in one by one */
	/* 500 bytes: a class nothing else here uses, so this block starts a fresh 64 KiB slab. */
	char *p = slab_alloc(500);
	assert_int_equal((uintptr_t)p % (uintptr_t)page, 0);
	unsigned char vec[16];
	assert_int_equal(mincore(p, 16 * (size_t)page, vec), 0);
	for (int i = 0; i < 16; i++)
		if (!(vec[i] & 1))
			fail_msg("page %d of a fresh slab is not resident", i);
	slab_free(p, 500);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slab_blocks_hold_their_bytes),
		cmocka_unit_test(test_slab_reuses_freed_blocks),
		cmocka_unit_test(test_slab_pages_are_prefaulted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
