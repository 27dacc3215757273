/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the controller's reconcile core (controller/reconcile.c and neighbours)
 * over a fake database (fixture.c): VNIs, flood lists, MAC locations, bindings, host
 * liveness, validation into config_error, and that a change recomputes only what it
 * touches and a converged state writes nothing. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fixture.h"

#define GLOBAL "00000000-0000-0000-0000-000000000001"
#define SEG "00000000-0000-0000-0000-000000000010"
#define SEG2 "00000000-0000-0000-0000-000000000011"
#define PG "00000000-0000-0000-0000-000000000020"
#define HV1 "00000000-0000-0000-0000-000000000030"
#define HV2 "00000000-0000-0000-0000-000000000031"
#define P1 "00000000-0000-0000-0000-000000000040"
#define P2 "00000000-0000-0000-0000-000000000041"
#define P3 "00000000-0000-0000-0000-000000000042"

static void
add_host(struct fx *fx, const char *uuid, const char *name)
{
	fx_put(fx, "Host", uuid, json_pack("{s:s, s:I}", "name", name, "last_heartbeat",
					  (json_int_t)fx->now));
}

static void
add_port(struct fx *fx, const char *uuid, const char *key, const char *host, const char *mac,
	 bool up)
{
	fx_put(fx, "Port", uuid,
	       json_pack("{s:s, s:[ss], s:s, s:s, s:s, s:s, s:[s[[ss],[ss]]]}", "key", key,
			 "port_group", "uuid", PG, "mac", mac, "backing", "tap", "tap_name", key,
			 "requested_host", host, "status", "map", "state", up ? "up" : "down", "host",
			 host));
}

static void
set_port_up(struct fx *fx, const char *uuid, const char *host, bool up)
{
	fx_set(fx, "Port", uuid, json_pack("{s:[s[[ss],[ss]]]}", "status", "map", "state",
					   up ? "up" : "down", "host", host));
}

/* Global, one segment, one access group, two hosts, two active ports (one per host). */
static struct fx *
cluster(void)
{
	struct fx *fx = fx_create();

	fx_put(fx, "Global", GLOBAL, json_pack("{s:[s[[ss]]]}", "other_config", "map",
					       "vni_range", "100-102"));
	fx_put(fx, "Segment", SEG, json_pack("{s:s}", "name", "blue"));
	fx_put(fx, "PortGroup", PG, json_pack("{s:s, s:s, s:i, s:[ss]}", "name", "web", "vlan_mode",
					      "access", "tag", 10, "segment", "uuid", SEG));
	add_host(fx, HV1, "hv1");
	add_host(fx, HV2, "hv2");
	add_port(fx, P1, "vm1", "hv1", "52:54:00:00:00:01", true);
	add_port(fx, P2, "vm2", "hv2", "52:54:00:00:00:02", true);
	return fx;
}

static const json_t *
row(struct fx *fx, const char *table, const char *uuid)
{
	const json_t *r = dvs_replica_get(fx->r, table, uuid);

	assert_non_null(r);
	return r;
}

/* The Binding row of 'port', which must be the only one. */
static const json_t *
binding_of(struct fx *fx, const char *port)
{
	json_auto_t *ref = json_pack("[ss]", "uuid", port);
	const char *uuid;
	json_t *b, *found = NULL;

	assert_int_equal(fx_count(fx, "Binding", "port", ref), 1);
	json_object_foreach((json_t *)dvs_replica_rows(fx->r, "Binding"), uuid, b)
		if (json_equal(json_object_get(b, "port"), ref))
			found = b;
	return found;
}

static void
assert_flood(struct fx *fx, const char *seg, const char *expect_json)
{
	json_auto_t *want = json_loads(expect_json, 0, NULL);

	assert_non_null(want);
	if (!json_equal(json_object_get(row(fx, "Segment", seg), "flood_hosts"), want)) {
		char *got = json_dumps(json_object_get(row(fx, "Segment", seg), "flood_hosts"), 0);

		fail_msg("flood_hosts %s, expected %s", got, expect_json);
	}
}

static void
test_reconcile_converges(void **state)
{
	struct fx *fx = cluster();
	json_auto_t *active = json_string("active");
	json_auto_t *up = json_string("up");

	assert_true(fx_converge(fx) >= 1);
	assert_string_equal(json_string_value(json_object_get(row(fx, "Global", GLOBAL), "leader")),
			    "ctl-test");
	assert_int_equal(json_integer_value(json_object_get(row(fx, "Segment", SEG), "vni")), 100);
	assert_flood(fx, SEG, "[\"set\", [[\"uuid\", \"" HV1 "\"], [\"uuid\", \"" HV2 "\"]]]");
	assert_int_equal(fx_count(fx, "Host", "status", up), 2);
	assert_int_equal(fx_count(fx, "Binding", "state", active), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(binding_of(fx, P1),
									      "host"), 1)), HV1);
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 2);
	/* A converged state writes nothing, also after a full recompute (a restart). */
	ctl_mark_all(fx->ctl);
	assert_int_equal(fx_round(fx), 0);
	fx_destroy(fx);
}

static void
test_reconcile_incremental(void **state)
{
	struct fx *fx = cluster();
	struct ctl_stats before;

	fx_converge(fx);
	/* 50 more ports in the group on hv1. */
	for (unsigned i = 0; i < 50; i++) {
		char key[16], mac[32];

		snprintf(key, sizeof(key), "p%u", i);
		snprintf(mac, sizeof(mac), "52:54:00:00:01:%02x", i);
		add_port(fx, fx_uuid(100 + i), key, "hv1", mac, true);
	}
	fx_converge(fx);
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 52);

	/* One port goes down: one port, one segment, one MAC key recomputed. */
	before = fx->ctl->stats;
	set_port_up(fx, P2, "hv2", false);
	assert_true(fx_round(fx) > 0);
	assert_int_equal(fx->ctl->stats.n_ports - before.n_ports, 1);
	assert_int_equal(fx->ctl->stats.n_segments - before.n_segments, 1);
	assert_int_equal(fx->ctl->stats.n_mkeys - before.n_mkeys, 1);
	assert_int_equal(fx->ctl->stats.n_groups - before.n_groups, 0);
	assert_flood(fx, SEG, "[\"uuid\", \"" HV1 "\"]");
	assert_string_equal(json_string_value(json_object_get(binding_of(fx, P2), "state")),
			    "requested");
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 51);

	/* A group change recomputes its 52 ports, once; no other group's. */
	fx_converge(fx);
	before = fx->ctl->stats;
	fx_set(fx, "PortGroup", PG, json_pack("{s:b}", "allow_promiscuous", 1));
	fx_converge(fx);
	assert_int_equal(fx->ctl->stats.n_ports - before.n_ports, 52);
	assert_int_equal(fx->ctl->stats.n_groups - before.n_groups, 1);
	fx_destroy(fx);
}

static void
test_reconcile_validation(void **state)
{
	struct fx *fx = cluster();
	const json_t *p1;

	fx_set(fx, "Port", P1, json_pack("{s:[s[[ss]]]}", "overrides", "map", "tag", "5000"));
	fx_converge(fx);
	p1 = row(fx, "Port", P1);
	assert_string_equal(json_string_value(json_object_get(p1, "config_error")),
			    "port \"vm1\": overrides:tag: 5000 out of range 0..4094");
	/* An invalid port is not forwarded: no MAC location, not in the flood list. */
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 1);
	assert_flood(fx, SEG, "[\"uuid\", \"" HV2 "\"]");

	fx_set(fx, "Port", P1, json_pack("{s:[s[[ss]]]}", "overrides", "map", "tag", "20"));
	fx_converge(fx);
	assert_false(json_is_string(json_object_get(row(fx, "Port", P1), "config_error")));
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 2);

	/* A bad group: its error on the group, and on each port. */
	fx_set(fx, "PortGroup", PG, json_pack("{s:s}", "vlan_mode", "trunk"));
	fx_converge(fx);
	assert_string_equal(json_string_value(json_object_get(row(fx, "PortGroup", PG), "config_error")),
			    "port group \"web\": tag: not allowed with vlan_mode trunk (use native_vlan "
			    "for untagged frames)");
	assert_non_null(strstr(json_string_value(json_object_get(row(fx, "Port", P2), "config_error")),
			       "port \"vm2\": port group \"web\": tag: not allowed"));
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 0);
	fx_destroy(fx);
}

static void
test_reconcile_unknown_host(void **state)
{
	struct fx *fx = cluster();

	add_port(fx, P3, "vm3", "hv9", "52:54:00:00:00:03", false);
	fx_converge(fx);
	assert_string_equal(json_string_value(json_object_get(row(fx, "Port", P3), "config_error")),
			    "requested_host: \"hv9\" is not a registered host (the port is built when "
			    "it registers)");
	assert_int_equal(fx_count(fx, "Binding", NULL, NULL), 2);

	add_host(fx, fx_uuid(32), "hv9"); /* registers later */
	fx_converge(fx);
	assert_false(json_is_string(json_object_get(row(fx, "Port", P3), "config_error")));
	assert_string_equal(json_string_value(json_object_get(binding_of(fx, P3), "state")),
			    "requested");
	set_port_up(fx, P3, "hv9", true);
	fx_converge(fx);
	assert_string_equal(json_string_value(json_object_get(binding_of(fx, P3), "state")),
			    "active");
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 3);
	fx_destroy(fx);
}

static void
test_reconcile_host_down(void **state)
{
	struct fx *fx = cluster();
	json_auto_t *down = json_string("down");

	fx_converge(fx);
	/* hv2 keeps heartbeating, hv1 stops: 5 s later (the default) hv1 is still up... */
	fx->now += 5000;
	fx_set(fx, "Host", HV2, json_pack("{s:I}", "last_heartbeat", (json_int_t)fx->now));
	ctl_check_hosts(fx->ctl, fx->now);
	fx_converge(fx);
	assert_int_equal(fx_count(fx, "Host", "status", down), 0);
	/* ...and 1 ms later it is down, with its ports. */
	fx->now += 1;
	ctl_check_hosts(fx->ctl, fx->now);
	assert_true(fx_converge(fx) >= 1);
	assert_string_equal(json_string_value(json_object_get(row(fx, "Host", HV1), "status")), "down");
	assert_string_equal(json_string_value(json_object_get(binding_of(fx, P1), "state")), "down");
	assert_string_equal(json_string_value(json_object_get(binding_of(fx, P2), "state")), "active");
	assert_flood(fx, SEG, "[\"uuid\", \"" HV2 "\"]");
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 1);

	/* It comes back. */
	fx_set(fx, "Host", HV1, json_pack("{s:I}", "last_heartbeat", (json_int_t)fx->now));
	fx_converge(fx);
	assert_string_equal(json_string_value(json_object_get(row(fx, "Host", HV1), "status")), "up");
	assert_string_equal(json_string_value(json_object_get(binding_of(fx, P1), "state")), "active");
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 2);
	fx_destroy(fx);
}

static void
test_reconcile_vni_and_deletes(void **state)
{
	struct fx *fx = cluster();
	json_auto_t *p1ref = json_pack("[ss]", "uuid", P1);
	json_auto_t *empty = json_pack("[s[]]", "set");

	fx_put(fx, "Segment", SEG2, json_pack("{s:s}", "name", "red"));
	fx_put(fx, "Segment", fx_uuid(12), json_pack("{s:s}", "name", "green"));
	fx_put(fx, "Segment", fx_uuid(13), json_pack("{s:s}", "name", "black"));
	fx_converge(fx);
	/* Range 100-102: three get one, the fourth waits. */
	assert_int_equal(fx_count(fx, "Segment", "vni", empty), 1);
	fx_del(fx, "Segment", SEG2);
	fx_converge(fx);
	assert_int_equal(fx_count(fx, "Segment", "vni", empty), 0);
	/* Deleting a port removes its binding and its MAC location. */
	fx_del(fx, "Port", P1);
	fx_converge(fx);
	assert_int_equal(fx_count(fx, "Binding", "port", p1ref), 0);
	assert_int_equal(fx_count(fx, "Binding", NULL, NULL), 1);
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 1);
	assert_flood(fx, SEG, "[\"uuid\", \"" HV2 "\"]");
	/* A binding whose port vanished (weak reference emptied) is deleted. */
	fx_put(fx, "Binding", fx_uuid(90), json_pack("{s:[s[]], s:s}", "port", "set", "state",
						     "active"));
	fx_converge(fx);
	assert_int_equal(fx_count(fx, "Binding", NULL, NULL), 1);
	fx_destroy(fx);
}

static void
test_reconcile_duplicate_mac(void **state)
{
	struct fx *fx = cluster();

	json_auto_t *r1 = json_pack("[ss]", "uuid", P1);
	json_auto_t *r3 = json_pack("[ss]", "uuid", P3);

	add_port(fx, P3, "vm3", "hv2", "52:54:00:00:00:01", true); /* vm1's MAC */
	fx_converge(fx);
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 2);
	/* The lowest port uuid wins: P1 on hv1. */
	assert_int_equal(fx_count(fx, "MacLocation", "port", r1), 1);
	assert_int_equal(fx_count(fx, "MacLocation", "port", r3), 0);
	fx_del(fx, "Port", P1);
	fx_converge(fx);
	assert_int_equal(fx_count(fx, "MacLocation", "port", r3), 1);
	fx_destroy(fx);
}

static void
test_reconcile_txn_budget(void **state)
{
	struct fx *fx = cluster();
	json_auto_t *active = json_string("active");
	unsigned rounds = 0;

	fx->ctl->max_ops = 3;
	for (unsigned i = 0; i < 20; i++) {
		char key[16], mac[32];

		snprintf(key, sizeof(key), "p%u", i);
		snprintf(mac, sizeof(mac), "52:54:00:00:01:%02x", i);
		add_port(fx, fx_uuid(100 + i), key, "hv1", mac, true);
	}
	while (fx_round(fx)) {
		assert_true(fx->last_ops <= 3 + 2); /* one entry may add up to 3 operations */
		rounds++;
		assert_true(rounds < 100);
	}
	assert_true(rounds > 10);
	assert_int_equal(fx_count(fx, "Binding", "state", active), 22);
	assert_int_equal(fx_count(fx, "MacLocation", NULL, NULL), 22);
	fx_destroy(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reconcile_converges),
		cmocka_unit_test(test_reconcile_incremental),
		cmocka_unit_test(test_reconcile_validation),
		cmocka_unit_test(test_reconcile_unknown_host),
		cmocka_unit_test(test_reconcile_host_down),
		cmocka_unit_test(test_reconcile_vni_and_deletes),
		cmocka_unit_test(test_reconcile_duplicate_mac),
		cmocka_unit_test(test_reconcile_txn_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
