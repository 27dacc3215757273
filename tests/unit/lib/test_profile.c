/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for lib/profile.c: effective profiles from PortGroup + Port rows in OVSDB wire
 * form, the overrides, every conflict the controller reports, and the exact messages users
 * see in config_error. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "profile.h"

#define U1 "11111111-1111-1111-1111-111111111111"
#define U2 "22222222-2222-2222-2222-222222222222"
#define U3 "33333333-3333-3333-3333-333333333333"

/* A PortGroup row as the replica holds it: every column, canonical wire values. */
static json_t *
group_row(void)
{
	return json_pack("{s:s, s:s, s:i, s:[s,[]], s:[s,[]], s:[s,s], s:b, s:b, s:b, s:b,"
			 " s:i, s:i, s:i, s:i, s:i, s:i, s:[s,[[s,s],[s,s]]], s:[s,[]],"
			 " s:i, s:i, s:i, s:[s,[]], s:[s,[]], s:i, s:[s,[]]}",
			 "name", "web", "vlan_mode", "access", "tag", 10, "trunks", "set",
			 "native_vlan", "set", "segment", "uuid", U1, "allow_promiscuous", 0,
			 "allow_mac_changes", 0, "allow_forged_transmits", 0, "ip_mac_binding", 1,
			 "ingress_average_bps", 0, "ingress_peak_bps", 0, "ingress_burst_bytes", 0,
			 "egress_average_bps", 0, "egress_peak_bps", 0, "egress_burst_bytes", 0,
			 "acl_rules", "set", "uuid", U3, "uuid", U2, "default_acl_action", "set",
			 "storm_broadcast_pps", 0, "storm_multicast_pps", 0,
			 "storm_unknown_unicast_pps", 0, "mtu", "set", "other_config", "map",
			 "generation", 1, "external_ids", "map");
}

static json_t *
port_row(const char *key)
{
	return json_pack("{s:s, s:[s,s], s:s, s:[s,[s,s]], s:s, s:s, s:[s,[]], s:[s,[]],"
			 " s:[s,[]], s:[s,[]], s:[s,[]], s:s, s:[s,[]], s:i, s:[s,[]], s:[s,[]],"
			 " s:[s,[]]}",
			 "key", key, "port_group", "uuid", U2, "mac", "52:54:00:AB:cd:01", "ips",
			 "set", "10.0.0.1", "2001:db8::1", "backing", "vhost-user", "vhost_socket",
			 "/run/dvs/vm1.sock", "vhost_mode", "set", "vhost_queues", "set", "tap_name",
			 "set", "netns", "set", "kernel_ifname", "set", "requested_host", "hv1",
			 "overrides", "map", "generation", 3, "status", "map", "statistics", "map",
			 "external_ids", "map");
}

/* Sets overrides to the given NULL-terminated key, value list. */
static void
set_overrides(json_t *port, ...)
{
	json_t *pairs = json_array();
	const char *k;
	va_list ap;

	va_start(ap, port);
	while ((k = va_arg(ap, const char *)))
		json_array_append_new(pairs, json_pack("[ss]", k, va_arg(ap, const char *)));
	va_end(ap);
	json_object_set_new(port, "overrides", json_pack("[so]", "map", pairs));
}

/* Resolves and expects failure with exactly 'msg'. */
static void
expect_error(const json_t *pg, const json_t *port, int code, const char *msg)
{
	struct dvs_profile p;
	struct dvs_err err = {0};

	assert_int_equal(dvs_profile_resolve(pg, port, &p, &err), -code);
	assert_string_equal(dvs_err_msg(&err), msg);
	assert_null(p.acl_rules);
}

static void
test_profile_group_access(void **state)
{
	json_auto_t *pg = group_row();
	struct dvs_profile p;
	struct dvs_err err = {0};

	assert_int_equal(dvs_profile_resolve(pg, NULL, &p, &err), 0);
	assert_int_equal(p.vlan_mode, DVS_PROFILE_ACCESS);
	assert_int_equal(p.tag, 10);
	assert_true(p.has_segment);
	assert_string_equal(p.segment, U1);
	assert_true(p.ip_mac_binding);
	assert_false(p.allow_promiscuous);
	assert_int_equal(p.mtu, 1500);
	assert_int_equal(p.mac_age_s, 300);
	assert_int_equal(p.default_acl_action, DVS_PROFILE_ACL_ALLOW);
	assert_int_equal(p.n_acl_rules, 2);
	assert_string_equal(p.acl_rules[0], U2); /* sorted */
	assert_string_equal(p.acl_rules[1], U3);
	assert_int_equal(p.backing, DVS_PROFILE_BACKING_NONE);
	for (int i = 0; i < DVS_PROFILE_VLAN_WORDS; i++)
		assert_int_equal(p.trunks[i], 0);
	dvs_profile_fini(&p);
}

static void
test_profile_port_fields(void **state)
{
	json_auto_t *pg = group_row();
	json_auto_t *port = port_row("vm1");
	struct dvs_profile p;
	struct dvs_err err = {0};
	uint8_t v6[16];

	assert_int_equal(dvs_profile_resolve(pg, port, &p, &err), 0);
	assert_string_equal(p.key, "vm1");
	assert_string_equal(p.port_group, U2);
	assert_true(p.has_mac);
	assert_memory_equal(p.mac, ((uint8_t[]){0x52, 0x54, 0, 0xab, 0xcd, 1}), 6);
	assert_int_equal(p.n_ips, 2);
	assert_int_equal(p.ips[0].family, AF_INET);
	assert_int_equal(p.ips[1].family, AF_INET6);
	inet_pton(AF_INET6, "2001:db8::1", v6);
	assert_memory_equal(p.ips[1].addr, v6, 16);
	assert_int_equal(p.backing, DVS_PROFILE_VHOST_USER);
	assert_string_equal(p.vhost_socket, "/run/dvs/vm1.sock");
	assert_true(p.vhost_client);
	assert_int_equal(p.vhost_queues, 1);
	assert_string_equal(p.requested_host, "hv1");
	assert_int_equal(p.tag, 10);
	dvs_profile_fini(&p);
}

static void
test_profile_override_tag(void **state)
{
	json_auto_t *pg = group_row();
	json_auto_t *port = port_row("vm1");
	struct dvs_profile p;
	struct dvs_err err = {0};

	set_overrides(port, "tag", "20", "allow_promiscuous", "true", "mtu", "9000", NULL);
	assert_int_equal(dvs_profile_resolve(pg, port, &p, &err), 0);
	assert_int_equal(p.tag, 20);
	assert_true(p.allow_promiscuous);
	assert_int_equal(p.mtu, 9000);
	dvs_profile_fini(&p);

	set_overrides(port, "tag", "5000", NULL);
	expect_error(pg, port, EINVAL, "port \"vm1\": overrides:tag: 5000 out of range 0..4094");
	set_overrides(port, "tag", "ten", NULL);
	expect_error(pg, port, EINVAL,
		     "port \"vm1\": overrides:tag: \"ten\" is not an integer (0..4094, or \"\" to clear)");
	set_overrides(port, "allow_promiscuous", "yes", NULL);
	expect_error(pg, port, EINVAL,
		     "port \"vm1\": overrides:allow_promiscuous: \"yes\" not allowed (true or false)");
	set_overrides(port, "vlan_mode", "hybrid", NULL);
	expect_error(pg, port, EINVAL,
		     "port \"vm1\": overrides:vlan_mode: \"hybrid\" not allowed (access or trunk)");
	set_overrides(port, "default_acl_action", "deny", NULL);
	expect_error(pg, port, EINVAL, "port \"vm1\": overrides:default_acl_action: \"deny\" not "
		     "allowed (allow, drop or reject)");
}

static void
test_profile_override_unknown_key(void **state)
{
	json_auto_t *pg = group_row();
	json_auto_t *port = port_row("vm1");
	struct dvs_profile p;
	struct dvs_err err = {0};

	set_overrides(port, "segment", "x", NULL);
	assert_int_equal(dvs_profile_resolve(pg, port, &p, &err), -EINVAL);
	assert_non_null(strstr(dvs_err_msg(&err),
			       "port \"vm1\": overrides:segment: not a per-port setting (allowed: "
			       "vlan_mode, tag, trunks,"));
}

static void
test_profile_override_trunk(void **state)
{
	json_auto_t *pg = group_row();
	json_auto_t *port = port_row("vm1");
	struct dvs_profile p;
	struct dvs_err err = {0};
	char buf[64];

	/* The group's tag must be cleared when a port turns itself into a trunk. */
	set_overrides(port, "vlan_mode", "trunk", "trunks", "10,20-30", NULL);
	expect_error(pg, port, EINVAL,
		     "port \"vm1\": port group \"web\": tag: not allowed with vlan_mode trunk (use "
		     "native_vlan for untagged frames, or clear it with overrides:tag=\"\")");

	set_overrides(port, "vlan_mode", "trunk", "trunks", "10,20-30", "tag", "", "native_vlan",
		      "25", NULL);
	assert_int_equal(dvs_profile_resolve(pg, port, &p, &err), 0);
	assert_int_equal(p.vlan_mode, DVS_PROFILE_TRUNK);
	assert_int_equal(p.native_vlan, 25);
	assert_true(dvs_profile_vlan_test(p.trunks, 10));
	assert_false(dvs_profile_vlan_test(p.trunks, 11));
	assert_true(dvs_profile_vlan_test(p.trunks, 30));
	assert_false(dvs_profile_vlan_test(p.trunks, 31));
	assert_string_equal(dvs_profile_vlans_format(p.trunks, buf, sizeof(buf)), "10,20-30");
	dvs_profile_fini(&p);

	set_overrides(port, "vlan_mode", "trunk", "trunks", "10,20-30", "tag", "", "native_vlan",
		      "5", NULL);
	expect_error(pg, port, EINVAL,
		     "port \"vm1\": overrides:native_vlan: 5 not in trunks 10,20-30");
	set_overrides(port, "vlan_mode", "trunk", "trunks", "10,5000", "tag", "", NULL);
	expect_error(pg, port, EINVAL,
		     "port \"vm1\": overrides:trunks: 5000 out of range 1..4094");
	set_overrides(port, "vlan_mode", "trunk", "trunks", "30-20", "tag", "", NULL);
	expect_error(pg, port, EINVAL, "port \"vm1\": overrides:trunks: range 30-20 is reversed");
}

static void
test_profile_group_conflicts(void **state)
{
	json_auto_t *pg = group_row();

	json_object_set_new(pg, "tag", json_pack("[s[]]", "set"));
	expect_error(pg, NULL, EINVAL,
		     "port group \"web\": tag: required with vlan_mode access (0..4094)");

	json_object_set_new(pg, "tag", json_integer(10));
	json_object_set_new(pg, "native_vlan", json_integer(10));
	expect_error(pg, NULL, EINVAL,
		     "port group \"web\": native_vlan: only valid with vlan_mode trunk");

	json_object_set_new(pg, "vlan_mode", json_string("trunk"));
	expect_error(pg, NULL, EINVAL, "port group \"web\": tag: not allowed with vlan_mode trunk "
		     "(use native_vlan for untagged frames)");

	json_object_set_new(pg, "tag", json_pack("[s[]]", "set"));
	json_object_set_new(pg, "trunks", json_pack("[s[iii]]", "set", 100, 200, 300));
	expect_error(pg, NULL, EINVAL, "port group \"web\": native_vlan: 10 not in trunks 100,200,300");

	json_object_set_new(pg, "tag", json_integer(4095));
	json_object_set_new(pg, "vlan_mode", json_string("access"));
	expect_error(pg, NULL, EINVAL, "port group \"web\": tag: 4095 out of range 0..4094");
}

static void
test_profile_trunk_all(void **state)
{
	json_auto_t *pg = group_row();
	struct dvs_profile p;
	struct dvs_err err = {0};

	json_object_set_new(pg, "vlan_mode", json_string("trunk"));
	json_object_set_new(pg, "tag", json_pack("[s[]]", "set"));
	json_object_set_new(pg, "native_vlan", json_integer(7));
	assert_int_equal(dvs_profile_resolve(pg, NULL, &p, &err), 0);
	assert_false(dvs_profile_vlan_test(p.trunks, 0));
	assert_true(dvs_profile_vlan_test(p.trunks, 1));
	assert_true(dvs_profile_vlan_test(p.trunks, 4094));
	assert_false(dvs_profile_vlan_test(p.trunks, 4095));
	assert_int_equal(p.native_vlan, 7);
	dvs_profile_fini(&p);
}

static void
test_profile_shaping(void **state)
{
	json_auto_t *pg = group_row();
	json_auto_t *port = port_row("vm1");
	struct dvs_profile p;
	struct dvs_err err = {0};

	json_object_set_new(pg, "egress_average_bps", json_integer(10000000));
	json_object_set_new(pg, "egress_burst_bytes", json_integer(100000));
	assert_int_equal(dvs_profile_resolve(pg, port, &p, &err), 0);
	assert_int_equal(p.egress.average_bps, 10000000);
	assert_int_equal(p.egress.burst_bytes, 100000);
	assert_int_equal(p.ingress.average_bps, 0);
	dvs_profile_fini(&p);

	set_overrides(port, "egress_peak_bps", "5000000", NULL);
	expect_error(pg, port, EINVAL, "port \"vm1\": overrides:egress_peak_bps: 5000000 not allowed "
		     "(0 for no peak limit, or 10000000..400000000000: at least egress_average_bps)");
	set_overrides(port, "egress_burst_bytes", "0", NULL);
	expect_error(pg, port, EINVAL, "port \"vm1\": overrides:egress_burst_bytes: 0 out of range "
		     "1518..4294967296 (required with egress_average_bps: at least one full-size "
		     "frame)");
	set_overrides(port, "ingress_peak_bps", "1000000", NULL);
	expect_error(pg, port, EINVAL, "port \"vm1\": overrides:ingress_peak_bps: 1000000 set without "
		     "ingress_average_bps (set ingress_average_bps too, or 0 for no shaping)");
	set_overrides(port, "ingress_average_bps", "-1", NULL);
	expect_error(pg, port, EINVAL, "port \"vm1\": overrides:ingress_average_bps: -1 out of range "
		     "0..9223372036854775807");
}

static void
test_profile_port_conflicts(void **state)
{
	json_auto_t *pg = group_row();
	json_auto_t *port = port_row("vm1");

	json_object_set_new(port, "mac", json_string("52:54:00:zz:00:01"));
	expect_error(pg, port, EINVAL, "port \"vm1\": mac: \"52:54:00:zz:00:01\" is not a MAC "
		     "address (expected e.g. 52:54:00:12:34:56)");
	json_object_set_new(port, "mac", json_string("01:00:5e:00:00:01"));
	expect_error(pg, port, EINVAL, "port \"vm1\": mac: 01:00:5e:00:00:01 is a multicast address "
		     "(a port needs a unicast MAC)");
	json_object_set_new(port, "mac", json_pack("[s[]]", "set"));

	json_object_set_new(port, "ips", json_string("10.0.0.300"));
	expect_error(pg, port, EINVAL,
		     "port \"vm1\": ips: \"10.0.0.300\" is not an IPv4 or IPv6 address");
	json_object_set_new(port, "ips", json_pack("[s[]]", "set"));

	json_object_set_new(port, "vhost_socket", json_pack("[s[]]", "set"));
	expect_error(pg, port, EINVAL, "port \"vm1\": vhost_socket: required with backing "
		     "vhost-user (a socket path, e.g. /run/dvs/vm1.sock)");
	json_object_set_new(port, "vhost_socket", json_string("/run/dvs/vm1.sock"));
	json_object_set_new(port, "tap_name", json_string("tap0"));
	expect_error(pg, port, EINVAL, "port \"vm1\": tap_name: not valid with backing vhost-user");

	json_object_set_new(port, "backing", json_string("tap"));
	expect_error(pg, port, EINVAL, "port \"vm1\": vhost_socket: not valid with backing tap");
	json_object_set_new(port, "backing", json_string("kernel"));
	json_object_set_new(port, "vhost_socket", json_pack("[s[]]", "set"));
	json_object_set_new(port, "tap_name", json_pack("[s[]]", "set"));
	expect_error(pg, port, EINVAL, "port \"vm1\": kernel_ifname: required with backing kernel");

	json_object_set_new(port, "port_group", json_pack("[s[]]", "set"));
	expect_error(pg, port, ENOENT, "port \"vm1\": port_group: not set (the port is not "
		     "forwarded until it has one)");
	json_object_set_new(port, "port_group", json_pack("[ss]", "uuid", U1));
	expect_error(NULL, port, ENOENT,
		     "port \"vm1\": port_group: " U1 " is not a known port group");
}

static void
test_profile_tap_default_name(void **state)
{
	json_auto_t *pg = group_row();
	json_auto_t *port = port_row("vm1-eth0");
	struct dvs_profile p;
	struct dvs_err err = {0};

	json_object_set_new(port, "backing", json_string("tap"));
	json_object_set_new(port, "vhost_socket", json_pack("[s[]]", "set"));
	json_object_set_new(port, "netns", json_string("ctr-ns1"));
	assert_int_equal(dvs_profile_resolve(pg, port, &p, &err), 0);
	assert_string_equal(p.tap_name, "vm1-eth0");
	assert_string_equal(p.netns, "ctr-ns1");
	dvs_profile_fini(&p);

	json_object_set_new(port, "key", json_string("a-very-long-port-key-0001"));
	expect_error(pg, port, EINVAL, "port \"a-very-long-port-key-0001\": tap_name: required with "
		     "backing tap when the key is not a valid interface name (at most 15 "
		     "characters, no '/', ':' or spaces)");
}

static void
test_profile_equal(void **state)
{
	json_auto_t *pg = group_row();
	json_auto_t *port = port_row("vm1");
	struct dvs_profile a, b;
	struct dvs_err err = {0};

	assert_int_equal(dvs_profile_resolve(pg, port, &a, &err), 0);
	assert_int_equal(dvs_profile_resolve(pg, port, &b, &err), 0);
	assert_true(dvs_profile_equal(&a, &b));
	dvs_profile_fini(&b);
	set_overrides(port, "tag", "11", NULL);
	assert_int_equal(dvs_profile_resolve(pg, port, &b, &err), 0);
	assert_false(dvs_profile_equal(&a, &b));
	dvs_profile_fini(&b);
	set_overrides(port, NULL);
	json_object_set_new(port, "ips", json_string("10.0.0.2"));
	assert_int_equal(dvs_profile_resolve(pg, port, &b, &err), 0);
	assert_false(dvs_profile_equal(&a, &b));
	dvs_profile_fini(&a);
	dvs_profile_fini(&b);
	dvs_profile_fini(NULL);
}

static void
test_profile_vlans_syntax(void **state)
{
	uint64_t bm[DVS_PROFILE_VLAN_WORDS];
	struct dvs_err err = {0};
	char buf[32];

	assert_int_equal(dvs_profile_vlans_parse(" 1, 3-5 ,4094", bm, &err), 0);
	assert_string_equal(dvs_profile_vlans_format(bm, buf, sizeof(buf)), "1,3-5,4094");
	assert_int_equal(dvs_profile_vlans_parse("", bm, &err), 0);
	assert_string_equal(dvs_profile_vlans_format(bm, buf, sizeof(buf)), "");
	assert_int_equal(dvs_profile_vlans_parse("10,", bm, &err), -EINVAL);
	assert_string_equal(dvs_err_msg(&err),
			    "\"10,\" is not a VLAN list (expected e.g. 10,20-30)");
	dvs_err_clear(&err);
	assert_int_equal(dvs_profile_vlans_parse("0", bm, &err), -EINVAL);
	assert_string_equal(dvs_err_msg(&err), "0 out of range 1..4094");
	/* Every other VLAN: the formatter truncates instead of overflowing. */
	memset(bm, 0x55, sizeof(bm));
	dvs_profile_vlans_format(bm, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
	assert_non_null(strstr(buf, "..."));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_group_access),
		cmocka_unit_test(test_profile_port_fields),
		cmocka_unit_test(test_profile_override_tag),
		cmocka_unit_test(test_profile_override_unknown_key),
		cmocka_unit_test(test_profile_override_trunk),
		cmocka_unit_test(test_profile_group_conflicts),
		cmocka_unit_test(test_profile_trunk_all),
		cmocka_unit_test(test_profile_shaping),
		cmocka_unit_test(test_profile_port_conflicts),
		cmocka_unit_test(test_profile_tap_default_name),
		cmocka_unit_test(test_profile_equal),
		cmocka_unit_test(test_profile_vlans_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
