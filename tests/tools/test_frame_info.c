/* SPDX-License-Identifier: Apache-2.0 */
/* frame_info: the L3 size the WAN MTU check sees (plain, VLAN-tagged, one GSO segment) and
 * the wire bytes the rate limit charges; GSO shapes that do not match their headers refused. */

#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "frame_info.h"

static uint8_t frame[8192];

/* Ethernet (optionally one 802.1Q tag) + IPv4 (20 bytes, 'proto') + for TCP a 32-byte header;
 * returns the offset of the L4 header. */
static uint32_t build(int vlan, uint8_t proto)
{
	uint32_t off = 12;

	memset(frame, 0, sizeof(frame));
	if (vlan) {
		frame[off] = 0x81;
		frame[off + 1] = 0x00;
		frame[off + 3] = 10;
		off += 4;
	}
	frame[off] = 0x08;
	frame[off + 1] = 0x00;
	off += 2;
	frame[off] = 0x45;
	frame[off + 9] = proto;
	off += 20;
	if (proto == 6)
		frame[off + 12] = 8 << 4; /* data offset: 32 bytes */
	return off;
}

static void test_frame_info_plain(void **state)
{
	struct virtio_net_hdr vh = {0};
	struct frame_info fi;

	build(0, 1);
	assert_int_equal(frame_info_parse(&vh, frame, 1414, &fi), 0);
	assert_int_equal(fi.l2_size, 14);
	assert_int_equal(fi.l3_size, 1400);
	assert_int_equal(fi.wire_size, 1414);
	assert_int_equal(fi.n_segs, 1);
}

static void test_frame_info_vlan_tag_is_not_l3(void **state)
{
	struct virtio_net_hdr vh = {0};
	struct frame_info fi;

	build(1, 1);
	assert_int_equal(frame_info_parse(&vh, frame, 1418, &fi), 0);
	assert_int_equal(fi.l2_size, 18);
	assert_int_equal(fi.l3_size, 1400);
}

/* 66 bytes of headers + 4000 bytes of payload in 1448-byte segments: 3 segments, the largest
 * 20 + 32 + 1448 = 1500 bytes of L3. */
static void test_frame_info_gso_tcp_segments(void **state)
{
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.gso_size = htole16(1448),
		.csum_start = htole16(34),
		.csum_offset = htole16(16),
	};
	struct frame_info fi;
	uint32_t l4 = build(0, 6);

	assert_int_equal(l4, 34);
	assert_int_equal(frame_info_parse(&vh, frame, 66 + 4000, &fi), 0);
	assert_int_equal(fi.n_segs, 3);
	assert_int_equal(fi.l3_size, 1500);
	assert_int_equal(fi.wire_size, 3 * 66 + 4000);
	/* Smaller segments pass a 1400 MTU. */
	vh.gso_size = htole16(1348);
	assert_int_equal(frame_info_parse(&vh, frame, 66 + 4000, &fi), 0);
	assert_int_equal(fi.l3_size, 1400);
	assert_int_equal(fi.n_segs, 3);
}

/* A TCP GSO description on a UDP packet (what a VXLAN-encapsulated TCP frame would look like),
 * GSO without a checksum to finish, and runt frames are all refused. */
static void test_frame_info_refuses_mismatched_gso(void **state)
{
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.gso_size = htole16(1400),
		.csum_start = htole16(34),
	};
	struct virtio_net_hdr plain = {0};
	struct frame_info fi;

	build(0, 17);
	assert_int_equal(frame_info_parse(&vh, frame, 3000, &fi), -EPROTO);
	build(0, 6);
	vh.csum_start = htole16(84); /* the inner TCP header of a tunnel */
	assert_int_equal(frame_info_parse(&vh, frame, 3000, &fi), -EPROTO);
	vh.csum_start = htole16(34);
	vh.flags = 0;
	assert_int_equal(frame_info_parse(&vh, frame, 3000, &fi), -EPROTO);
	assert_int_equal(frame_info_parse(&plain, frame, 13, &fi), -EPROTO);
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	assert_int_equal(frame_info_parse(&vh, frame, 40, &fi), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_info_plain),
		cmocka_unit_test(test_frame_info_vlan_tag_is_not_l3),
		cmocka_unit_test(test_frame_info_gso_tcp_segments),
		cmocka_unit_test(test_frame_info_refuses_mismatched_gso),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
