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
