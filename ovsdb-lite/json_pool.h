/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Free lists for jansson's small allocations in dvs-db.  Every request becomes a tree of
 * some thirty small jansson values that is freed a few microseconds later; so many blocks
 * of one size overflow glibc's per-size cache (7 blocks), and malloc/free took a tenth of
 * the server's time in a 16-client insert run.  The blocks on the lists are ordinary malloc
 * blocks, so a string jansson returns (json_dumps) may still be released with free(). */

/* Makes jansson allocate through the free lists.  Call it before any jansson value exists
 * (first thing in main); single-threaded processes only. */
void json_pool_install(void);

/* The request arena.  A request's tree is built by bump allocation between begin and end
 * and released at once by json_pool_arena_free(), instead of node by node (json_delete's
 * walk and ~37 frees were a fifth of a transaction's user-space instructions).  The rule
 * that makes it safe: nothing may keep a reference into the request past its handling
 * (json_incref, json_pack's "O"); what must outlive it is copied (json_deep_copy), as
 * the ids of replies are.  Values made while handling come from the free lists as usual,
 * and freeing an arena block is a no-op. */
#include <jansson.h>
void json_pool_arena_begin(void);
void json_pool_arena_end(void);
/* Frees 'root' (made in the arena, or NULL) and empties the arena. */
void json_pool_arena_free(json_t *root);
