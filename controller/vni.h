/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The VNI allocator of dvs-controller: a bitmap of the 24-bit VNI space with a "lowest
 * possibly free" hint, so allocation returns the lowest free VNI of the configured range
 * (a deleted segment's VNI is reused first) in amortised constant time.  Which VNIs are used
 * comes from the Segment rows; the allocator only remembers them.  No I/O. */

#include <stdbool.h>
#include <stdint.h>

#define VNI_MAX 16777215u

struct vni_alloc;

/* Returns an allocator for [first, last] (1 <= first <= last <= VNI_MAX) with nothing used,
 * or NULL with errno set (EINVAL, ENOMEM). */
struct vni_alloc *vni_alloc_create(uint32_t first, uint32_t last);
void vni_alloc_destroy(struct vni_alloc *a); /* accepts NULL */

/* Changes the range; used VNIs are kept (also those now outside the range: a segment keeps
 * its VNI).  Returns 0 or -EINVAL. */
int vni_alloc_set_range(struct vni_alloc *a, uint32_t first, uint32_t last);

/* Marks 'vni' (1..VNI_MAX, inside the range or not) used or free.  Returns 0, -EINVAL
 * (out of 1..VNI_MAX) or -EEXIST (take of a used VNI). */
int vni_alloc_take(struct vni_alloc *a, uint32_t vni);
void vni_alloc_release(struct vni_alloc *a, uint32_t vni);
bool vni_alloc_is_used(const struct vni_alloc *a, uint32_t vni);

/* Takes the lowest free VNI of the range.  Returns it, or 0 when the range is full. */
uint32_t vni_alloc_next(struct vni_alloc *a);
