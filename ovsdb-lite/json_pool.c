/* SPDX-License-Identifier: Apache-2.0 */
#include "json_pool.h"

#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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

/* The request arena: see json_pool.h.  One block, reused for every request; a request
 * bigger than that continues on the free lists ('overflowed'). */
#define ARENA_SIZE (64 * 1024)
static struct {
	char *base, *cur, *end;
	bool active;
	bool overflowed;
} arena;

static void *pool_malloc(size_t size)
{
	if (arena.active) {
		size_t n = (size + 15) & ~(size_t)15; /* malloc's alignment */
		if ((size_t)(arena.end - arena.cur) >= n) {
			void *p = arena.cur;
			arena.cur += n;
			return p;
		}
		arena.overflowed = true;
	}
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
	if ((char *)p >= arena.base && (char *)p < arena.end)
		return; /* goes with the whole arena */
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

void json_pool_arena_begin(void)
{
	if (!arena.base) {
		arena.base = arena.cur = malloc(ARENA_SIZE);
		if (!arena.base)
			return; /* the free lists, then */
		arena.end = arena.base + ARENA_SIZE;
	}
	arena.active = true;
}

void json_pool_arena_end(void)
{
	arena.active = false;
}

void json_pool_arena_free(json_t *root)
{
	/* Only a request that outgrew the arena has blocks elsewhere, which its tree finds
	 * (the arena's own are skipped by pool_free). */
	if (arena.overflowed)
		json_decref(root);
#ifdef JSON_POOL_POISON
	/* A build for tests (-DJSON_POOL_POISON): a reference kept past the request reads
	 * garbage and fails loudly. */
	memset(arena.base, 0xdb, (size_t)(arena.cur - arena.base));
#endif
	arena.cur = arena.base;
	arena.overflowed = false;
}
