/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of config validation: good configs parse; each kind of bad field is refused with
 * a message naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "datapath/config.h"

static struct dvs_switchd_conf conf;

static int
parse(const char *text, struct dvs_err *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	assert_non_null(j);
	dvs_err_clear(err);
	int rc = dvs_config_parse(j, &conf, err);
	json_decref(j);
	return rc;
}

static void
expect_error(const char *text, const char *needle)
{
	struct dvs_err err;
	assert_int_equal(parse(text, &err), -EINVAL);
	if (!strstr(err.msg, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err.msg, needle);
}

static void
test_config_valid(void **state)
{
	struct dvs_err err;
	assert_int_equal(parse("{\"lcores\":[1], \"idle_sleep_us\":0, \"fdb_aging_s\":60,"
			       "\"ports\":["
			       "{\"name\":\"vm1\",\"type\":\"vhost-user\",\"path\":\"/run/dvs/vm1.sock\",\"client\":true,\"queues\":2,\"tag\":10,\"mac\":\"52:54:00:00:00:01\"},"
			       "{\"name\":\"t1\",\"type\":\"tap\",\"ifname\":\"dvst1\",\"netns\":\"ns1\",\"vlan_mode\":\"trunk\",\"trunks\":\"10,20-30\",\"native_vlan\":1},"
			       "{\"name\":\"up\",\"type\":\"uplink\",\"ifname\":\"veth9\"}]}", &err), 0);
	assert_int_equal(conf.n_ports, 3);
	assert_int_equal(conf.idle_sleep_us, 0);
	assert_int_equal(conf.fdb_aging_s, 60);
	assert_int_equal(conf.fdb_max, 65536);
	assert_true(conf.ports[0].client);
	assert_int_equal(conf.ports[0].queues, 2);
	assert_int_equal(conf.ports[0].tag, 10);
	assert_true(conf.ports[0].has_mac);
	assert_int_equal(conf.ports[0].mac[5], 1);
	assert_int_equal(conf.ports[1].vlan_mode, DVS_VLAN_TRUNK);
	assert_true(dvs_vlan_bit(conf.ports[1].trunks, 25));
	assert_true(dvs_vlan_bit(conf.ports[1].trunks, 1)); /* native is allowed */
	assert_false(dvs_vlan_bit(conf.ports[1].trunks, 31));
	/* An uplink is a trunk of every VLAN by default, over AF_PACKET. */
	assert_int_equal(conf.ports[2].vlan_mode, DVS_VLAN_TRUNK);
	assert_true(dvs_vlan_bit(conf.ports[2].trunks, 4094));
	assert_string_equal(conf.ports[2].driver, "af_packet");
}

static void
test_config_errors(void **state)
{
	expect_error("[]", "JSON object");
	expect_error("{\"bogus\":1}", "bogus: unknown field");
	expect_error("{\"lcores\":[0]}", "main (control) lcore");
	expect_error("{\"lcores\":[1,1]}", "listed twice");
	expect_error("{\"fdb_aging_s\":0}", "fdb_aging_s: 0 out of range 1..86400");
	expect_error("{\"idle_sleep_us\":\"x\"}", "idle_sleep_us: must be an integer");
	expect_error("{\"ports\":[{\"type\":\"tap\",\"ifname\":\"x\"}]}", "ports[0]: name: missing");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"veth\"}]}", "type: \"veth\" is not one of vhost-user, tap, kernel, uplink");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"tap\",\"ifname\":\"x\",\"tag\":5000}]}", "ports[0]: port \"a\": tag: 5000 out of range 0..4094");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"tap\",\"ifname\":\"x\",\"vlan_mode\":\"trunk\",\"trunks\":\"10-5\"}]}", "range 10-5 is reversed");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"tap\",\"ifname\":\"x\",\"vlan_mode\":\"trunk\",\"trunks\":\"10,x\"}]}", "trunks");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"vhost-user\",\"path\":\"rel.sock\"}]}", "absolute");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"vhost-user\"}]}", "path: missing");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"tap\",\"ifname\":\"x\",\"mac\":\"01:00:5e:00:00:01\"}]}", "multicast");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"tap\",\"ifname\":\"x\",\"mac\":\"zz\"}]}", "not a MAC");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"tap\",\"ifname\":\"x\"},{\"name\":\"a\",\"type\":\"tap\",\"ifname\":\"y\"}]}", "already used");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"uplink\",\"ifname\":\"x\",\"vlan_mode\":\"access\"}]}", "always a trunk");
	expect_error("{\"ports\":[{\"name\":\"a b\",\"type\":\"tap\",\"ifname\":\"x\"}]}", "may only contain");
	expect_error("{\"ports\":[{\"name\":\"a\",\"type\":\"kernel\",\"ifname\":\"x\",\"driver\":\"pcap\"}]}", "af_packet, af_xdp");
}

/* An uplink on a DPDK virtual device: the devargs are kept whole, shown back, and split into
 * the device name and its arguments; bad values name what is wrong. */
static void
test_config_vdev_uplink(void **state)
{
	struct dvs_err err;
	char name[DVS_VDEV_NAME_MAX];
	const char *args;
	assert_int_equal(parse("{\"ports\":[{\"name\":\"up\",\"type\":\"uplink\","
			       "\"vdev\":\"net_memif0,socket=/run/x.sock,role=client\"}]}", &err), 0);
	assert_string_equal(conf.ports[0].vdev, "net_memif0,socket=/run/x.sock,role=client");
	assert_string_equal(conf.ports[0].driver, "");
	assert_int_equal(conf.ports[0].vlan_mode, DVS_VLAN_TRUNK);
	assert_int_equal(dvs_vdev_split(conf.ports[0].vdev, name, sizeof(name), &args), 0);
	assert_string_equal(name, "net_memif0");
	assert_string_equal(args, "socket=/run/x.sock,role=client");
	json_t *o = dvs_port_conf_to_json(&conf.ports[0]);
	assert_string_equal(json_string_value(json_object_get(o, "vdev")), conf.ports[0].vdev);
	json_decref(o);
	assert_int_equal(parse("{\"ports\":[{\"name\":\"up\",\"type\":\"uplink\",\"vdev\":\"net_memif_a\"}]}", &err), 0);
	assert_int_equal(dvs_vdev_split(conf.ports[0].vdev, name, sizeof(name), &args), 0);
	assert_string_equal(args, "");

#define UPLINK(v) "{\"ports\":[{\"name\":\"up\",\"type\":\"uplink\",\"vdev\":\"" v "\"}]}"
	expect_error(UPLINK("net_pcap0,iface=x"), "vdev: \"net_pcap0\": unsupported driver (the name must start with one of net_memif");
	expect_error(UPLINK("0000:00:03.0"), "unsupported driver");
	expect_error(UPLINK(",socket=/run/x.sock"), "vdev: \",socket=/run/x.sock\": missing device name");
	expect_error(UPLINK(""), "missing device name");
	expect_error(UPLINK("net_memif,socket=/x"), "vdev: \"net_memif\": missing instance name after the driver (e.g. net_memif0");
	expect_error(UPLINK("net_memif-0"), "instance name may only contain");
	expect_error(UPLINK("net_memif_dvs3"), "switchd's own devices");
	expect_error(UPLINK("net_memif0,socket=/x, role=client"), "no spaces");
	expect_error(UPLINK("net_memif0123456789012345678901234567890123456789012345678901234,role=client"),
		     "device name too long (at most 63 characters");
	char big[400] = UPLINK("net_memif0,socket=/");
	memset(big + strlen(big) - 4, 'p', 300); /* a 300-character socket path */
	strcpy(big + strlen(big), "\"}]}");
	expect_error(big, "vdev: \"net_memif0,socket=/ppp");
	expect_error(big, "too long (at most 255 characters)");
#undef UPLINK
	expect_error("{\"ports\":[{\"name\":\"up\",\"type\":\"uplink\",\"vdev\":\"net_memif0\",\"ifname\":\"x\"}]}",
		     "uplink: give one of ifname, pci, vdev");
	expect_error("{\"ports\":[{\"name\":\"up\",\"type\":\"uplink\",\"vdev\":\"net_memif0\",\"pci\":\"0000:00:03.0\"}]}",
		     "give one of");
	expect_error("{\"ports\":[{\"name\":\"up\",\"type\":\"uplink\",\"vdev\":\"net_memif0\",\"driver\":\"af_xdp\"}]}",
		     "driver: not with vdev");
	expect_error("{\"ports\":[{\"name\":\"k\",\"type\":\"kernel\",\"ifname\":\"x\",\"vdev\":\"net_memif0\"}]}",
		     "vdev: only for type uplink");
	expect_error("{\"ports\":[{\"name\":\"u1\",\"type\":\"uplink\",\"vdev\":\"net_memif0,socket=/a\"},"
		     "{\"name\":\"u2\",\"type\":\"uplink\",\"vdev\":\"net_memif0,socket=/b\"}]}",
		     "ports[1].vdev: device name \"net_memif0\" already used by ports[0]");
	expect_error("{\"ports\":[{\"name\":\"up\",\"type\":\"uplink\"}]}", "needs ifname (kernel interface), pci (DPDK device) or vdev");
}

static void
test_config_load_file_errors(void **state)
{
	char path[] = "/tmp/dvs-test-config-XXXXXX";
	struct dvs_err err = {0};
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("{\n  \"lcores\": [1],\n  \"ports\": [ oops ]\n}\n", f);
	fclose(f);
	assert_int_equal(dvs_config_load(path, &conf, &err), -EINVAL);
	/* JSON syntax errors carry the file, line and column. */
	assert_non_null(strstr(err.msg, ":3:"));
	unlink(path);
	assert_int_equal(dvs_config_load("/nonexistent/dvs.json", &conf, &err), -EINVAL);
}

static void
test_vlan_list_roundtrip(void **state)
{
	uint64_t bm[DVS_VLAN_WORDS];
	char buf[128];
	assert_int_equal(dvs_vlan_list_parse("1,5-7,100,4094", bm, NULL), 0);
	assert_string_equal(dvs_vlan_list_format(bm, buf, sizeof(buf)), "1,5-7,100,4094");
	assert_int_equal(dvs_vlan_list_parse("4095", bm, NULL), -EINVAL);
	assert_int_equal(dvs_vlan_list_parse("", bm, NULL), -EINVAL);
	/* The same syntax and limits as port groups' lists (lib/profile_syntax.c). */
	struct dvs_err err = {0};
	assert_int_equal(dvs_vlan_list_parse("0", bm, &err), -EINVAL);
	assert_string_equal(err.msg, "0 out of range 1..4094");
	struct dvs_err err2 = {0}; /* dvs_err keeps its first message */
	assert_int_equal(dvs_vlan_list_parse("30-20", bm, &err2), -EINVAL);
	assert_string_equal(err2.msg, "range 30-20 is reversed");
	assert_int_equal(dvs_vlan_list_parse(" 10, 20-21 ", bm, NULL), 0);
	assert_string_equal(dvs_vlan_list_format(bm, buf, sizeof(buf)), "10,20-21");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_valid),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_vdev_uplink),
		cmocka_unit_test(test_config_load_file_errors),
		cmocka_unit_test(test_vlan_list_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
