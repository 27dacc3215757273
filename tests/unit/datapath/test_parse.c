/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the header parser: well-formed frames of each kind, and every truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>

#include "datapath/dp/parse.h"

static size_t
eth(uint8_t *f, const uint16_t *tags, int ntags, uint16_t et)
{
	static const uint8_t dst[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t src[6] = {0x52, 0x54, 0, 0, 0, 1};
	size_t o = 12;
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	for (int i = 0; i < ntags; i++) {
		f[o++] = i == 0 && ntags > 1 ? 0x88 : 0x81;
		f[o++] = i == 0 && ntags > 1 ? 0xa8 : 0x00;
		f[o++] = (uint8_t)(tags[i] >> 8);
		f[o++] = (uint8_t)tags[i];
	}
	f[o++] = (uint8_t)(et >> 8);
	f[o++] = (uint8_t)et;
	return o;
}

static size_t
ipv4(uint8_t *p, uint8_t proto, uint16_t payload)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)((20 + payload) >> 8);
	p[3] = (uint8_t)(20 + payload);
	p[8] = 64;
	p[9] = proto;
	p[12] = 10, p[13] = 0, p[14] = 0, p[15] = 1;
	p[16] = 10, p[17] = 0, p[18] = 0, p[19] = 2;
	return 20;
}

static void
test_parse_udp_untagged(void **state)
{
	uint8_t f[128] = {0};
	struct dp_meta m;
	size_t o = eth(f, NULL, 0, 0x0800);
	o += ipv4(f + o, IPPROTO_UDP, 8);
	f[o] = 0x30, f[o + 1] = 0x39; /* 12345 */
	f[o + 2] = 0x00, f[o + 3] = 0x35; /* 53 */
	assert_int_equal(dp_parse(f, (uint32_t)o + 8, &m), DP_PARSE_OK);
	assert_int_equal(m.n_vlans, 0);
	assert_int_equal(m.l3, DP_L3_IPV4);
	assert_int_equal(m.ip_proto, IPPROTO_UDP);
	assert_int_equal(m.sport, 12345);
	assert_int_equal(m.dport, 53);
	assert_int_equal(m.l2_len, 14);
	assert_true(m.dst_bum);
	assert_true(m.dst_bcast);
	assert_int_equal(m.ip.v4.src_be, htonl(0x0a000001));
}

static void
test_parse_vlan_tcp(void **state)
{
	uint8_t f[128] = {0};
	uint16_t tag = (5 << 13) | 100;
	struct dp_meta m;
	size_t o = eth(f, &tag, 1, 0x0800);
	f[0] = 0x02; /* unicast destination */
	o += ipv4(f + o, IPPROTO_TCP, 20);
	f[o + 13] = 0x12; /* SYN+ACK */
	assert_int_equal(dp_parse(f, (uint32_t)o + 20, &m), DP_PARSE_OK);
	assert_int_equal(m.n_vlans, 1);
	assert_int_equal(m.vlan, 100);
	assert_int_equal(m.vlan_pcp, 5);
	assert_int_equal(m.l2_len, 18);
	assert_int_equal(m.tcp_flags, 0x12);
	assert_false(m.dst_bum);
}

static void
test_parse_double_tagged(void **state)
{
	uint8_t f[128] = {0};
	uint16_t tags[2] = {10, 20};
	struct dp_meta m;
	size_t o = eth(f, tags, 2, 0x0806);
	memset(f + o, 0, 28);
	f[o + 7] = 1; /* request */
	assert_int_equal(dp_parse(f, (uint32_t)o + 28, &m), DP_PARSE_OK);
	assert_int_equal(m.n_vlans, 2);
	assert_int_equal(m.vlan, 10);
	assert_int_equal(m.l3, DP_L3_ARP);
	assert_int_equal(m.arp_op, 1);
}

static void
test_parse_truncations(void **state)
{
	uint8_t f[128] = {0};
	uint16_t tag = 7;
	struct dp_meta m;

	assert_int_equal(dp_parse(f, 13, &m), DP_PARSE_RUNT);
	size_t o = eth(f, &tag, 1, 0x0800);
	assert_int_equal(dp_parse(f, 16, &m), DP_PARSE_BAD_VLAN);
	assert_int_equal(dp_parse(f, (uint32_t)o + 10, &m), DP_PARSE_BAD_L3);
	o += ipv4(f + o, IPPROTO_TCP, 20);
	assert_int_equal(dp_parse(f, (uint32_t)o + 10, &m), DP_PARSE_BAD_L4);
	/* A bad IHL is malformed, not a read beyond the frame. */
	f[18] = 0x4f;
	assert_int_equal(dp_parse(f, 18 + 24, &m), DP_PARSE_BAD_L3);
	/* ARP too short */
	o = eth(f, NULL, 0, 0x0806);
	assert_int_equal(dp_parse(f, (uint32_t)o + 27, &m), DP_PARSE_BAD_L3);
}

static void
test_parse_ipv6_icmp_and_fragment(void **state)
{
	uint8_t f[160] = {0};
	struct dp_meta m;
	size_t o = eth(f, NULL, 0, 0x86dd);
	uint8_t *ip = f + o;
	ip[0] = 0x60;
	ip[6] = IPPROTO_ICMPV6;
	ip[23] = 1;
	ip[39] = 2;
	ip[40] = 128; /* echo request */
	assert_int_equal(dp_parse(f, (uint32_t)o + 48, &m), DP_PARSE_OK);
	assert_int_equal(m.l3, DP_L3_IPV6);
	assert_int_equal(m.ip_proto, IPPROTO_ICMPV6);
	assert_int_equal(m.sport, 128);
	assert_int_equal(m.ip.v6.src[15], 1);
	/* A non-first fragment has no L4 header to parse. */
	ip[6] = IPPROTO_FRAGMENT;
	ip[40] = IPPROTO_UDP;
	ip[42] = 0x01; /* offset 32 */
	assert_int_equal(dp_parse(f, (uint32_t)o + 48, &m), DP_PARSE_OK);
	assert_int_equal(m.frag, 2);
	assert_int_equal(m.ip_proto, IPPROTO_UDP);
	assert_int_equal(m.sport, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_udp_untagged),
		cmocka_unit_test(test_parse_vlan_tcp),
		cmocka_unit_test(test_parse_double_tagged),
		cmocka_unit_test(test_parse_truncations),
		cmocka_unit_test(test_parse_ipv6_icmp_and_fragment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
