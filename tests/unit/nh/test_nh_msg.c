/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of datapath/nh/nh_msg.c: parsing of real captured kernel answers (captured.h) and
 * of messages built here (every attribute the resolver reads, malformed ones, unknown ones),
 * the request builders, and the address helpers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "datapath/nh/nh_msg.h"
#include "captured.h"

static size_t
unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = strlen(hex) / 2;
	assert_true(n <= size);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static struct nh_addr
addr(const char *s)
{
	struct nh_addr a;
	assert_int_equal(nh_addr_parse(s, &a), 0);
	return a;
}

static void
assert_addr(const struct nh_addr *got, const char *want)
{
	char buf[NH_ADDR_STRLEN];
	assert_string_equal(nh_addr_str(got, buf, sizeof(buf)), want);
}

/* --- captured kernel answers --------------------------------------------------------- */

static void
test_nh_msg_captured_route(void **state)
{
	uint8_t buf[512];
	unhex(cap_route, buf, sizeof(buf));
	struct nh_msg_route r;

	assert_int_equal(nh_msg_parse_route((struct nlmsghdr *)buf, &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.oif, 2);
	assert_addr(&r.dst, "198.51.100.7");
	assert_addr(&r.gateway, "10.77.1.2");
	assert_addr(&r.prefsrc, "10.77.1.1");
	assert_int_equal(r.mtu, 1400);
}

static void
test_nh_msg_captured_neigh(void **state)
{
	uint8_t buf[512];
	unhex(cap_neigh, buf, sizeof(buf));
	struct nh_msg_neigh n;
	const uint8_t mac[6] = {0x02, 0, 0, 0, 0xc2, 0x02};

	assert_int_equal(nh_msg_parse_neigh((struct nlmsghdr *)buf, &n), 0);
	assert_int_equal(n.ifindex, 2);
	assert_int_equal(n.state, NUD_REACHABLE);
	assert_true(nh_nud_valid(n.state));
	assert_addr(&n.dst, "10.77.1.2");
	assert_true(n.has_lladdr);
	assert_memory_equal(n.lladdr, mac, 6);
}

static void
test_nh_msg_captured_link(void **state)
{
	uint8_t buf[2048];
	unhex(cap_link, buf, sizeof(buf));
	struct nh_msg_link l;
	const uint8_t mac[6] = {0x02, 0, 0, 0, 0xc1, 0x01};

	assert_int_equal(nh_msg_parse_link((struct nlmsghdr *)buf, &l), 0);
	assert_int_equal(l.ifindex, 2);
	assert_string_equal(l.name, "vxc1");
	assert_int_equal(l.mtu, 1450);
	assert_true(l.has_addr);
	assert_memory_equal(l.addr, mac, 6);
}

/* A captured message parsed as the wrong kind is refused, not misread. */
static void
test_nh_msg_wrong_kind(void **state)
{
	uint8_t buf[2048];
	struct nh_msg_route r;
	struct nh_msg_neigh n;
	struct nh_msg_link l;

	unhex(cap_route, buf, sizeof(buf));
	assert_int_equal(nh_msg_parse_neigh((struct nlmsghdr *)buf, &n), -EINVAL);
	assert_int_equal(nh_msg_parse_link((struct nlmsghdr *)buf, &l), -EINVAL);
	unhex(cap_neigh, buf, sizeof(buf));
	assert_int_equal(nh_msg_parse_route((struct nlmsghdr *)buf, &r), -EINVAL);
}

/* --- built messages ------------------------------------------------------------------ */

static struct nlmsghdr *
route_msg(void *buf, uint16_t type, uint8_t family, uint8_t dst_len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_type = RTN_UNICAST;
	return nlh;
}

static void
test_nh_msg_route_v6_all_attrs(void **state)
{
	char buf[1024];
	struct nh_addr dst = addr("2001:db8:7::"), gw = addr("fe80::1"), src = addr("2001:db8::1");
	struct nlmsghdr *nlh = route_msg(buf, RTM_NEWROUTE, AF_INET6, 48);
	struct nh_msg_route r;

	mnl_attr_put(nlh, RTA_DST, 16, dst.bytes);
	mnl_attr_put(nlh, RTA_GATEWAY, 16, gw.bytes);
	mnl_attr_put(nlh, RTA_PREFSRC, 16, src.bytes);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	mnl_attr_put_u32(nlh, RTA_TABLE, 1000); /* beyond the 8-bit rtm_table */
	mnl_attr_put_u32(nlh, RTA_MAX + 5, 42); /* from a newer kernel: skipped */
	struct nlattr *m = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_put_u32(nlh, RTAX_HOPLIMIT, 9);
	mnl_attr_put_u32(nlh, RTAX_MTU, 1280);
	mnl_attr_nest_end(nlh, m);

	assert_int_equal(nh_msg_parse_route(nlh, &r), 0);
	assert_int_equal(r.family, AF_INET6);
	assert_int_equal(r.dst_len, 48);
	assert_int_equal(r.table, 1000);
	assert_int_equal(r.oif, 7);
	assert_int_equal(r.mtu, 1280);
	assert_addr(&r.dst, "2001:db8:7::");
	assert_addr(&r.gateway, "fe80::1");
	assert_addr(&r.prefsrc, "2001:db8::1");
}

/* An IPv4 route through an IPv6 next hop (RTA_VIA, RFC 5549) and a directly connected one. */
static void
test_nh_msg_route_via_and_connected(void **state)
{
	char buf[1024];
	struct nh_addr gw = addr("fe80::2");
	struct nlmsghdr *nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 0);
	struct nh_msg_route r;
	uint8_t via[2 + 16];
	uint16_t fam = AF_INET6;

	memcpy(via, &fam, 2);
	memcpy(via + 2, gw.bytes, 16);
	mnl_attr_put(nlh, RTA_VIA, sizeof(via), via);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	assert_int_equal(nh_msg_parse_route(nlh, &r), 0);
	assert_int_equal(r.gateway.family, AF_INET6);
	assert_addr(&r.gateway, "fe80::2");
	assert_int_equal(r.dst.family, 0); /* default route */

	nlh = route_msg(buf, RTM_DELROUTE, AF_INET, 24);
	struct nh_addr p = addr("10.0.0.0");
	mnl_attr_put(nlh, RTA_DST, 4, p.bytes);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	assert_int_equal(nh_msg_parse_route(nlh, &r), 0);
	assert_int_equal(r.gateway.family, 0);
	assert_int_equal(r.mtu, 0);
}

static void
test_nh_msg_route_malformed(void **state)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	struct nh_msg_route r;
	uint8_t three[3] = {1, 2, 3};
	uint16_t two = 5;

	/* RTA_OIF with 2 bytes */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	mnl_attr_put(nlh, RTA_OIF, sizeof(two), &two);
	assert_int_equal(nh_msg_parse_route(nlh, &r), -EBADMSG);
	/* an IPv4 destination of 3 bytes */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	mnl_attr_put(nlh, RTA_DST, sizeof(three), three);
	assert_int_equal(nh_msg_parse_route(nlh, &r), -EBADMSG);
	/* an IPv6 gateway in an IPv4 route */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	struct nh_addr g6 = addr("2001:db8::9");
	mnl_attr_put(nlh, RTA_GATEWAY, 16, g6.bytes);
	assert_int_equal(nh_msg_parse_route(nlh, &r), -EBADMSG);
	/* RTA_VIA with a family but no address */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	uint16_t fam = AF_INET6;
	mnl_attr_put(nlh, RTA_VIA, sizeof(fam), &fam);
	assert_int_equal(nh_msg_parse_route(nlh, &r), -EBADMSG);
	/* RTAX_MTU of 1 byte inside the metrics */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	struct nlattr *m = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_put_u8(nlh, RTAX_MTU, 1);
	mnl_attr_nest_end(nlh, m);
	assert_int_equal(nh_msg_parse_route(nlh, &r), -EBADMSG);
	/* a message too short for its rtmsg */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	mnl_nlmsg_put_extra_header(nlh, 4);
	assert_int_equal(nh_msg_parse_route(nlh, &r), -EBADMSG);
}

static struct nlmsghdr *
neigh_msg(void *buf, uint8_t family, int ifindex, uint16_t nud)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = nud;
	return nlh;
}

static void
test_nh_msg_neigh_states_and_lladdr(void **state)
{
	char buf[512];
	struct nh_addr a = addr("fe80::2");
	uint8_t mac[6] = {0x52, 0x54, 0, 1, 2, 3}, ib[20] = {0};
	struct nh_msg_neigh n;

	struct nlmsghdr *nlh = neigh_msg(buf, AF_INET6, 9, NUD_STALE);
	mnl_attr_put(nlh, NDA_DST, 16, a.bytes);
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	mnl_attr_put_u32(nlh, NDA_PROBES, 3);
	assert_int_equal(nh_msg_parse_neigh(nlh, &n), 0);
	assert_int_equal(n.ifindex, 9);
	assert_addr(&n.dst, "fe80::2");
	assert_true(n.has_lladdr);
	assert_memory_equal(n.lladdr, mac, 6);
	assert_true(nh_nud_valid(n.state));
	assert_string_equal(nh_nud_str(n.state), "stale");

	/* an incomplete entry has no address; a 20-byte (InfiniBand) one is not usable */
	nlh = neigh_msg(buf, AF_INET6, 9, NUD_INCOMPLETE);
	mnl_attr_put(nlh, NDA_DST, 16, a.bytes);
	assert_int_equal(nh_msg_parse_neigh(nlh, &n), 0);
	assert_false(n.has_lladdr);
	assert_false(nh_nud_valid(n.state));
	nlh = neigh_msg(buf, AF_INET6, 9, NUD_REACHABLE);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(ib), ib);
	assert_int_equal(nh_msg_parse_neigh(nlh, &n), 0);
	assert_false(n.has_lladdr);

	/* NDA_PROBES of 2 bytes, and an IPv4 neighbour with a 16-byte address */
	nlh = neigh_msg(buf, AF_INET, 9, NUD_REACHABLE);
	uint16_t two = 1;
	mnl_attr_put(nlh, NDA_PROBES, 2, &two);
	assert_int_equal(nh_msg_parse_neigh(nlh, &n), -EBADMSG);
	nlh = neigh_msg(buf, AF_INET, 9, NUD_REACHABLE);
	mnl_attr_put(nlh, NDA_DST, 16, a.bytes);
	assert_int_equal(nh_msg_parse_neigh(nlh, &n), -EBADMSG);

	assert_false(nh_nud_valid(NUD_FAILED));
	assert_false(nh_nud_valid(NUD_NONE));
	assert_true(nh_nud_valid(NUD_PERMANENT));
	assert_true(nh_nud_valid(NUD_PROBE));
}

static void
test_nh_msg_link_kinds(void **state)
{
	char buf[512];
	uint8_t mac[6] = {0x02, 1, 2, 3, 4, 5};
	struct nh_msg_link l;

	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 4;
	ifi->ifi_type = ARPHRD_NONE; /* a tun device: no MAC for an outer header */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tun0");
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	assert_int_equal(nh_msg_parse_link(nlh, &l), 0);
	assert_string_equal(l.name, "tun0");
	assert_false(l.has_addr);

	/* a name without its terminating NUL */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_type = ARPHRD_ETHER;
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth0");
	assert_int_equal(nh_msg_parse_link(nlh, &l), -EBADMSG);
}

/* --- request builders ---------------------------------------------------------------- */

struct tb_arg {
	const struct nlattr *tb[64];
};

static int
collect(const struct nlattr *a, void *data)
{
	struct tb_arg *t = data;
	if (mnl_attr_get_type(a) < 64)
		t->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void
test_nh_msg_builders(void **state)
{
	char buf[NH_MSG_BUF_SIZE];
	struct nh_addr v4 = addr("198.51.100.7"), v6 = addr("2001:db8::7");
	struct tb_arg t;

	struct nlmsghdr *nlh = nh_msg_route_get(buf, &v4);
	assert_int_equal(nlh->nlmsg_type, RTM_GETROUTE);
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 32);
	memset(&t, 0, sizeof(t));
	assert_true(mnl_attr_parse(nlh, sizeof(*rtm), collect, &t) >= 0);
	assert_non_null(t.tb[RTA_DST]);
	assert_int_equal(mnl_attr_get_payload_len(t.tb[RTA_DST]), 4);
	assert_memory_equal(mnl_attr_get_payload(t.tb[RTA_DST]), v4.bytes, 4);

	nlh = nh_msg_route_get(buf, &v6);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_dst_len, 128);

	nlh = nh_msg_neigh_use(buf, 12, &v6);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWNEIGH);
	assert_true(nlh->nlmsg_flags & NLM_F_CREATE);
	assert_false(nlh->nlmsg_flags & NLM_F_REPLACE);
	struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ndm->ndm_ifindex, 12);
	assert_int_equal(ndm->ndm_flags, NTF_USE);
	assert_int_equal(ndm->ndm_family, AF_INET6);
	memset(&t, 0, sizeof(t));
	assert_true(mnl_attr_parse(nlh, sizeof(*ndm), collect, &t) >= 0);
	assert_null(t.tb[NDA_LLADDR]); /* never a static MAC */
	assert_memory_equal(mnl_attr_get_payload(t.tb[NDA_DST]), v6.bytes, 16);

	nlh = nh_msg_neigh_get(buf, 12, &v4);
	assert_int_equal(nlh->nlmsg_type, RTM_GETNEIGH);
	nlh = nh_msg_link_get(buf, 12);
	assert_int_equal(nlh->nlmsg_type, RTM_GETLINK);
	assert_int_equal(((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 12);
}

/* --- addresses ----------------------------------------------------------------------- */

static void
test_nh_addr_helpers(void **state)
{
	struct nh_addr a, p;
	char buf[NH_ADDR_STRLEN];

	assert_int_equal(nh_addr_parse("10.1.2.3", &a), 0);
	assert_int_equal(nh_addr_parse("10.1.2", &p), -EINVAL);
	assert_int_equal(nh_addr_parse("vtep", &p), -EINVAL);
	p = addr("10.1.0.0");
	assert_true(nh_addr_in_prefix(&a, &p, 16));
	assert_true(nh_addr_in_prefix(&a, &p, 0));
	assert_false(nh_addr_in_prefix(&a, &p, 24));
	p = addr("10.1.2.0");
	assert_true(nh_addr_in_prefix(&a, &p, 30));  /* .0 - .3 */
	assert_false(nh_addr_in_prefix(&a, &p, 31)); /* .0 - .1 */
	assert_false(nh_addr_in_prefix(&a, &p, 33));
	p = addr("2001:db8::");
	assert_false(nh_addr_in_prefix(&a, &p, 0)); /* another family */
	a = addr("2001:db8::ff");
	assert_true(nh_addr_in_prefix(&a, &p, 120));
	assert_false(nh_addr_in_prefix(&a, &p, 121));
	assert_true(nh_addr_eq(&a, &(struct nh_addr){0}) == false);
	struct nh_addr none = {0};
	assert_string_equal(nh_addr_str(&none, buf, sizeof(buf)), "-");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nh_msg_captured_route),
		cmocka_unit_test(test_nh_msg_captured_neigh),
		cmocka_unit_test(test_nh_msg_captured_link),
		cmocka_unit_test(test_nh_msg_wrong_kind),
		cmocka_unit_test(test_nh_msg_route_v6_all_attrs),
		cmocka_unit_test(test_nh_msg_route_via_and_connected),
		cmocka_unit_test(test_nh_msg_route_malformed),
		cmocka_unit_test(test_nh_msg_neigh_states_and_lladdr),
		cmocka_unit_test(test_nh_msg_link_kinds),
		cmocka_unit_test(test_nh_msg_builders),
		cmocka_unit_test(test_nh_addr_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
