/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* A frame sent by the Linux kernel's vxlan driver (kernel 6.18), captured with tcpdump on the
 * underlay veth of a test namespace: the interop reference for test_vxlan.c.
 *   ip link add vxl1 type vxlan id 5001 dstport 4789 local 192.0.2.1 remote 198.51.100.7 \
 *      df set ttl 64 noudpcsum
 *   underlay MACs 52:54:00:aa:bb:01 -> 52:54:00:aa:bb:02, vxl1 MAC 02:00:00:00:00:01,
 *   ping -s 11 10.1.0.2 (peer 02:00:00:00:00:02).
 * The kernel picks its own IP ID and UDP source port; everything else is what DVS must send
 * for the same tunnel. */
static const char kernel_v4[] =
	"525400aabb02525400aabb01080045000059806340004011cdf4c0000201c6336407b75512b50045000008"
	"00000000138900020000000002020000000001080045000027286a40004001fe670a0100010a0100020800"
	"835556900001000102030405060708090a";
