/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the VLAN decisions: access, trunk, native VLAN, hopping guard, egress tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/dp/vlan.h"

static struct dp_meta
frame(int n_vlans, uint16_t vid)
{
	struct dp_meta m;
	memset(&m, 0, sizeof(m));
	m.n_vlans = (uint8_t)n_vlans;
	m.vlan = vid;
	return m;
}

static void
allow(struct vlan_port *v, uint16_t lo, uint16_t hi)
{
	for (unsigned i = lo; i <= hi; i++)
		v->allowed[i >> 6] |= 1ull << (i & 63);
}

static void
test_vlan_access(void **state)
{
	struct vlan_port v = {.trunk = 0, .tag = 10};
	struct dp_meta m;
	uint16_t vid = 0;

	m = frame(0, 0);
	assert_int_equal(vlan_ingress(&v, &m, &vid), 0);
	assert_int_equal(vid, 10);
	m = frame(1, 0); /* priority tag */
	assert_int_equal(vlan_ingress(&v, &m, &vid), 0);
	m = frame(1, 10);
	assert_int_equal(vlan_ingress(&v, &m, &vid), 0);
	m = frame(1, 20);
	assert_int_equal(vlan_ingress(&v, &m, &vid), DP_DROP_VLAN_DISALLOWED);
	m = frame(2, 10); /* VLAN hopping attempt, even with the port's own VLAN outside */
	assert_int_equal(vlan_ingress(&v, &m, &vid), DP_DROP_VLAN_DOUBLE_TAGGED);
}

static void
test_vlan_trunk(void **state)
{
	struct vlan_port v = {.trunk = 1, .native = 0};
	struct dp_meta m;
	uint16_t vid = 0;

	allow(&v, 10, 20);
	m = frame(0, 0);
	assert_int_equal(vlan_ingress(&v, &m, &vid), DP_DROP_VLAN_UNTAGGED);
	m = frame(1, 15);
	assert_int_equal(vlan_ingress(&v, &m, &vid), 0);
	assert_int_equal(vid, 15);
	m = frame(1, 21);
	assert_int_equal(vlan_ingress(&v, &m, &vid), DP_DROP_VLAN_DISALLOWED);
	m = frame(2, 12); /* Q-in-Q on a trunk: classified by the outer tag */
	assert_int_equal(vlan_ingress(&v, &m, &vid), 0);
	assert_int_equal(vid, 12);
	v.native = 5;
	allow(&v, 5, 5);
	m = frame(0, 0);
	assert_int_equal(vlan_ingress(&v, &m, &vid), 0);
	assert_int_equal(vid, 5);
}

static void
test_vlan_egress(void **state)
{
	struct vlan_port acc = {.trunk = 0, .tag = 10};
	struct vlan_port tr = {.trunk = 1, .native = 5};
	bool tagged;

	allow(&tr, 5, 5);
	allow(&tr, 100, 200);
	assert_true(vlan_egress(&acc, 10, &tagged));
	assert_false(tagged);
	assert_false(vlan_egress(&acc, 11, &tagged));
	assert_true(vlan_egress(&tr, 150, &tagged));
	assert_true(tagged);
	assert_true(vlan_egress(&tr, 5, &tagged));
	assert_false(tagged);
	assert_false(vlan_egress(&tr, 201, &tagged));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vlan_access),
		cmocka_unit_test(test_vlan_trunk),
		cmocka_unit_test(test_vlan_egress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
