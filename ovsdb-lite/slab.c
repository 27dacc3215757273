/* SPDX-License-Identifier: Apache-2.0 */
#include "slab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SLAB_BYTES (64 * 1024)
#define N_CLASSES (SLAB_MAX_BLOCK / 16)

#if defined(__SANITIZE_ADDRESS__)
void *slab_alloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		abort();
	return p;
}

void slab_free(void *p, size_t size)
{
	(void)size;
	free(p);
}
#else
static size_t class_of(size_t size)
{
	return size ? (size - 1) / 16 : 0; /* 1-16 -> 0, 17-32 -> 1, ... */
}

/* Slabs are carved from regions faulted in by one madvise() each: a growing table takes
 * fresh pages all the time, and a page fault per 4 KiB (a trap in the guest, then one in
 * the host) was 4.3% of dvs-db's time at 16 clients, the madvise() 2.9%.  512 KiB keeps the
 * call short (about 0.2 ms here).  Without MADV_POPULATE_WRITE (Linux < 5.14) or when it
 * fails, the pages fault in one by one as before. */
#define REGION_BYTES (512u << 10)
static char *region_cur, *region_end;

static void *slab_new(void)
{
	if (region_cur == region_end) {
		void *r = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r == MAP_FAILED)
			abort();
#ifdef MADV_POPULATE_WRITE
		(void)madvise(r, REGION_BYTES, MADV_POPULATE_WRITE);
#endif
		region_cur = r;
		region_end = region_cur + REGION_BYTES;
	}
	void *p = region_cur;
	region_cur += SLAB_BYTES;
	return p;
}

static struct {
	void *free_list;  /* linked through the blocks' first word */
	char *cur, *end;  /* the slab being carved */
} classes[N_CLASSES];

void *slab_alloc(size_t size)
{
	if (size > SLAB_MAX_BLOCK) {
		void *p = malloc(size);
		if (!p)
			abort();
		return p;
	}
	size_t c = class_of(size), bsize = (c + 1) * 16;
	void *p = classes[c].free_list;
	if (p) {
		memcpy(&classes[c].free_list, p, sizeof(void *));
		return p;
	}
	if ((size_t)(classes[c].end - classes[c].cur) < bsize) {
		classes[c].cur = slab_new();
		classes[c].end = classes[c].cur + SLAB_BYTES / bsize * bsize;
	}
	p = classes[c].cur;
	classes[c].cur += bsize;
	return p;
}

void slab_free(void *p, size_t size)
{
	if (!p)
		return;
	if (size > SLAB_MAX_BLOCK) {
		free(p);
		return;
	}
	size_t c = class_of(size);
	memcpy(p, &classes[c].free_list, sizeof(void *));
	classes[c].free_list = p;
}
#endif
