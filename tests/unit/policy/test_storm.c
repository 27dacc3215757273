/* SPDX-License-Identifier: Apache-2.0 */
/* Storm control with a fake clock: each class limited to its own rate with its own drop
 * counter, classes independent of each other, configuration errors named. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/dp/policy/storm.h"

#define NS 1000000000ULL

static void
test_storm_config_errors(void **state)
{
	struct storm_conf c;
	struct dvs_err e = {0};
	json_auto_t *j = json_loads("{\"broadcast_pps\": 100, \"multicast_pps\": -1}", 0, NULL);

	assert_int_equal(storm_conf_from_json(j, &c, &e), -EINVAL);
	assert_string_equal(e.msg, "storm_control.multicast_pps: -1 out of range 0..100000000");
	json_decref(j);
	dvs_err_clear(&e);
	j = json_loads("{\"broadcast\": 100}", 0, NULL);
	assert_int_equal(storm_conf_from_json(j, &c, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "broadcast"));
	assert_non_null(strstr(e.msg, "allowed keys"));
	json_decref(j);
	dvs_err_clear(&e);
	j = json_loads("{\"unknown_unicast_pps\": \"10k\"}", 0, NULL);
	assert_int_equal(storm_conf_from_json(j, &c, &e), -EINVAL);
	assert_string_equal(e.msg, "storm_control.unknown_unicast_pps: expected an integer "
				   "0..100000000");
	json_decref(j);
	j = json_loads("{\"broadcast_pps\": 100, \"unknown_unicast_pps\": 5000, "
		       "\"broadcast_burst\": 7}", 0, NULL);
	assert_int_equal(storm_conf_from_json(j, &c, &e), 0);
	assert_int_equal(c.pps[STORM_BROADCAST], 100);
	assert_int_equal(c.pps[STORM_MULTICAST], 0);
	assert_int_equal(c.pps[STORM_UNKNOWN_UNICAST], 5000);
	assert_int_equal(c.burst[STORM_BROADCAST], 7);
}

static void
test_storm_classify(void **state)
{
	struct dp_meta m = {0};

	m.dst_bum = m.dst_bcast = 1;
	assert_int_equal(storm_classify(&m, false), STORM_BROADCAST);
	m.dst_bcast = 0;
	assert_int_equal(storm_classify(&m, true), STORM_MULTICAST);
	m.dst_bum = 0;
	assert_int_equal(storm_classify(&m, false), STORM_UNKNOWN_UNICAST);
	assert_int_equal(storm_classify(&m, true), STORM_NONE);
}

static void
test_storm_limits_each_class(void **state)
{
	/* Broadcast 1000 pps, unknown unicast 20000 pps, multicast unlimited.  Offer each 3x its
	 * limit (multicast 50 kpps) for a simulated 10 s, interleaved. */
	struct storm_conf c = {.pps = {1000, 0, 20000}};
	struct dvs_err e = {0};
	struct storm s;
	uint64_t now, sent[STORM_CLASS_COUNT] = {0};
	double rate;

	assert_int_equal(storm_init(&s, &c, NS, 0, &e), 0);
	for (now = 1; now <= 10 * NS; now += 16667) { /* 60 kpps of ticks */
		if (now % 20 == 1) {
			sent[STORM_BROADCAST]++;
			storm_allow(&s, STORM_BROADCAST, now);
		}
		sent[STORM_UNKNOWN_UNICAST]++;
		storm_allow(&s, STORM_UNKNOWN_UNICAST, now);
		sent[STORM_MULTICAST]++;
		assert_true(storm_allow(&s, STORM_MULTICAST, now));
		assert_true(storm_allow(&s, STORM_NONE, now));
	}
	for (int k = 0; k < STORM_CLASS_COUNT; k++) {
		assert_int_equal(s.passed[k] + s.dropped[k], sent[k]);
		print_message("  %-16s offered %8llu passed %8llu dropped %8llu\n", storm_class_name(k),
			      (unsigned long long)sent[k], (unsigned long long)s.passed[k],
			      (unsigned long long)s.dropped[k]);
	}
	/* passed = 10 s at the rate + the initial burst (rate / 10), within 2%. */
	rate = (double)(s.passed[STORM_BROADCAST] - 100) / 10;
	assert_true(rate > 980 && rate < 1020);
	rate = (double)(s.passed[STORM_UNKNOWN_UNICAST] - 2000) / 10;
	assert_true(rate > 19600 && rate < 20400);
	assert_int_equal(s.dropped[STORM_MULTICAST], 0);
	assert_true(s.dropped[STORM_BROADCAST] > 0);
}

static void
test_storm_burst(void **state)
{
	struct storm_conf c = {.pps = {10, 10, 10}, .burst = {3, 0, 0}};
	struct dvs_err e = {0};
	struct storm s;
	int n = 0;

	assert_int_equal(storm_init(&s, &c, NS, 0, &e), 0);
	/* After a quiet period: the burst, then exactly one frame per 100 ms. */
	while (storm_allow(&s, STORM_BROADCAST, 5 * NS))
		n++;
	assert_int_equal(n, 3);
	assert_false(storm_allow(&s, STORM_BROADCAST, 5 * NS + 99999999));
	assert_true(storm_allow(&s, STORM_BROADCAST, 5 * NS + 100000000));
	assert_false(storm_allow(&s, STORM_BROADCAST, 5 * NS + 100000000));
	/* Default burst pps/10 is at least one frame. */
	assert_true(storm_allow(&s, STORM_MULTICAST, NS));
	assert_false(storm_allow(&s, STORM_MULTICAST, NS));
	/* Each class drops into its own counter. */
	assert_int_equal(s.dropped[STORM_BROADCAST], 3);
	assert_int_equal(s.dropped[STORM_MULTICAST], 1);
	assert_int_equal(s.dropped[STORM_UNKNOWN_UNICAST], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm_config_errors),
		cmocka_unit_test(test_storm_classify),
		cmocka_unit_test(test_storm_limits_each_class),
		cmocka_unit_test(test_storm_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
