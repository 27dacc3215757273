/* SPDX-License-Identifier: Apache-2.0 */
#include "json_pool.h"

#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>

#include <jansson.h>

/* Classes by glibc chunk size (usable size + 8, a multiple of 16): 32, 48, ... 256 bytes. */
#define POOL_MAX_CHUNK 256
#define POOL_N_CLASSES (POOL_MAX_CHUNK / 16 + 1)
/* Blocks kept per class: a few large requests' worth; the rest goes back to malloc, so a
 * burst does not pin memory. */
#define POOL_MAX_FREE 4096

struct pool_block {
	struct pool_block *next;
};

static struct {
	struct pool_block *head;
	unsigned n;
} pool[POOL_N_CLASSES];

static void *pool_malloc(size_t size)
{
	size_t chunk = (size + 8 + 15) & ~(size_t)15;
	if (chunk < 32)
		chunk = 32;
	if (chunk > POOL_MAX_CHUNK)
		return malloc(size);
	size_t c = chunk / 16;
	struct pool_block *b = pool[c].head;
	if (b) {
		pool[c].head = b->next;
		pool[c].n--;
		return b;
	}
	return malloc(chunk - 8); /* exactly the class's usable size */
}

static void pool_free(void *p)
{
	if (!p)
		return;
	/* A block from malloc directly (larger, or allocated before the pool) has a usable
	 * size of its own: it joins the class it fits, or goes back to free(). */
	size_t chunk = malloc_usable_size(p) + 8, c = chunk / 16;
	if (chunk > POOL_MAX_CHUNK || chunk % 16 || pool[c].n >= POOL_MAX_FREE) {
		free(p);
		return;
	}
	struct pool_block *b = p;
	b->next = pool[c].head;
	pool[c].head = b;
	pool[c].n++;
}

void json_pool_install(void)
{
	json_set_alloc_funcs(pool_malloc, pool_free);
}
