/* SPDX-License-Identifier: Apache-2.0 */
/* VNI bitmap: 2^24 bits (2 MiB), one bit per VNI.  The hint is a lower bound of the lowest
 * free VNI in the range: a release below it moves it down, an allocation moves it past the
 * VNI taken, so consecutive allocations never rescan used words. */
#include "vni.h"

#include <errno.h>
#include <stdlib.h>

#define N_WORDS ((VNI_MAX + 1) / 64)

struct vni_alloc {
	uint32_t first, last;
	uint32_t hint;
	uint64_t *bits;
};

struct vni_alloc *
vni_alloc_create(uint32_t first, uint32_t last)
{
	struct vni_alloc *a;

	if (!first || first > last || last > VNI_MAX) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->bits = calloc(N_WORDS, sizeof(*a->bits));
	if (!a->bits) {
		free(a);
		return NULL;
	}
	a->first = a->hint = first;
	a->last = last;
	return a;
}

void
vni_alloc_destroy(struct vni_alloc *a)
{
	if (!a)
		return;
	free(a->bits);
	free(a);
}

int
vni_alloc_set_range(struct vni_alloc *a, uint32_t first, uint32_t last)
{
	if (!first || first > last || last > VNI_MAX)
		return -EINVAL;
	a->first = a->hint = first;
	a->last = last;
	return 0;
}

bool
vni_alloc_is_used(const struct vni_alloc *a, uint32_t vni)
{
	return vni <= VNI_MAX && (a->bits[vni / 64] >> (vni % 64)) & 1;
}

int
vni_alloc_take(struct vni_alloc *a, uint32_t vni)
{
	if (!vni || vni > VNI_MAX)
		return -EINVAL;
	if (vni_alloc_is_used(a, vni))
		return -EEXIST;
	a->bits[vni / 64] |= 1ULL << (vni % 64);
	return 0;
}

void
vni_alloc_release(struct vni_alloc *a, uint32_t vni)
{
	if (!vni || vni > VNI_MAX)
		return;
	a->bits[vni / 64] &= ~(1ULL << (vni % 64));
	if (vni >= a->first && vni < a->hint)
		a->hint = vni;
}

uint32_t
vni_alloc_next(struct vni_alloc *a)
{
	uint32_t v = a->hint;

	while (v <= a->last) {
		uint64_t free_bits = ~a->bits[v / 64] >> (v % 64);

		if (!free_bits) {
			v = (v / 64 + 1) * 64; /* the rest of this word is used */
			continue;
		}
		v += (uint32_t)__builtin_ctzll(free_bits);
		if (v > a->last)
			break;
		a->bits[v / 64] |= 1ULL << (v % 64);
		a->hint = v + 1;
		return v;
	}
	a->hint = a->last + 1;
	return 0;
}
