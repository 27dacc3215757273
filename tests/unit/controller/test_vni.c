/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for controller/vni.c: lowest free VNI, reuse after delete, range changes and
 * exhaustion. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "controller/vni.h"

static void
test_vni_lowest_free_and_reuse(void **state)
{
	struct vni_alloc *a = vni_alloc_create(1000, 1003);

	assert_non_null(a);
	assert_int_equal(vni_alloc_take(a, 1001), 0); /* held by an existing segment */
	assert_int_equal(vni_alloc_next(a), 1000);
	assert_int_equal(vni_alloc_next(a), 1002);
	assert_int_equal(vni_alloc_next(a), 1003);
	assert_int_equal(vni_alloc_next(a), 0); /* full */
	vni_alloc_release(a, 1002);             /* segment deleted */
	assert_int_equal(vni_alloc_next(a), 1002);
	assert_int_equal(vni_alloc_take(a, 1002), -EEXIST);
	assert_int_equal(vni_alloc_take(a, 0), -EINVAL);
	assert_int_equal(vni_alloc_take(a, VNI_MAX + 1), -EINVAL);
	vni_alloc_destroy(a);
}

static void
test_vni_range_change(void **state)
{
	struct vni_alloc *a = vni_alloc_create(10, 20);

	assert_int_equal(vni_alloc_next(a), 10);
	assert_int_equal(vni_alloc_set_range(a, 5, 6), 0);
	assert_true(vni_alloc_is_used(a, 10)); /* kept outside the new range */
	assert_int_equal(vni_alloc_next(a), 5);
	assert_int_equal(vni_alloc_next(a), 6);
	assert_int_equal(vni_alloc_next(a), 0);
	assert_int_equal(vni_alloc_set_range(a, 7, 3), -EINVAL);
	assert_null(vni_alloc_create(0, 10));
	assert_int_equal(errno, EINVAL);
	vni_alloc_destroy(a);
	vni_alloc_destroy(NULL);
}

static void
test_vni_word_boundaries(void **state)
{
	struct vni_alloc *a = vni_alloc_create(1, VNI_MAX);

	/* Fill past two 64-bit words, then free one in the middle of the first. */
	for (uint32_t i = 1; i <= 130; i++)
		assert_int_equal(vni_alloc_next(a), i);
	vni_alloc_release(a, 63);
	vni_alloc_release(a, 64);
	assert_int_equal(vni_alloc_next(a), 63);
	assert_int_equal(vni_alloc_next(a), 64);
	assert_int_equal(vni_alloc_next(a), 131);
	assert_int_equal(vni_alloc_take(a, VNI_MAX), 0);
	vni_alloc_destroy(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vni_lowest_free_and_reuse),
		cmocka_unit_test(test_vni_range_change),
		cmocka_unit_test(test_vni_word_boundaries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
