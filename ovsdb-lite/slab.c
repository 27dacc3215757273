/* SPDX-License-Identifier: Apache-2.0 */
#include "slab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
		classes[c].cur = malloc(SLAB_BYTES);
		if (!classes[c].cur)
			abort();
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
