/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Fixed-size blocks for the database core's many small, long-lived objects: rows, one-atom
 * arrays, short strings.  malloc adds an 8-byte header and rounds chunks up to 16 bytes,
 * with 32 bytes the smallest; here a block is exactly its size (rounded to 16), carved from
 * 64 KiB slabs per size, which come from prefaulted 512 KiB regions.  Every byte per row
 * counts on a VM, where fresh memory faults in the guest and again in the host
 * (docs/ovsdb.md, "Memory per row").  Freed blocks are kept per size for reuse and never
 * returned to the system.  Not thread safe: the database core is single
 * threaded.  AddressSanitizer builds use malloc and free, so that it still checks the blocks. */

#include <stddef.h>

#define SLAB_MAX_BLOCK 1024

/* A block of 'size' bytes (contents undefined); above SLAB_MAX_BLOCK, from malloc.  Aborts
 * when memory runs out (the core's callers cannot unwind a half-built row). */
void *slab_alloc(size_t size);
/* Gives back a block from slab_alloc(size), with that same size.  Accepts NULL. */
void slab_free(void *p, size_t size);
