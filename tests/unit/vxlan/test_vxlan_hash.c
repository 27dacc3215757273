/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the VXLAN module's pure functions, which need no EAL or mbuf: the flow hash
 * and the outer UDP source port it picks, the per-lcore flow-hash memo, and the IPv4 header
 * sum of decap.  Encap and decap of frames: test_vxlan.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <rte_ip.h>

#include "datapath/dp/vxlan.h"
#include "fixtures.h"

static void
test_vxlan_sport_of_fixture_hash(void **state)
{
	assert_int_equal(vxlan_sport(FIX_HASH), FIX_SPORT);
	assert_int_equal(vxlan_sport(0), 49152);
	assert_int_equal(vxlan_sport(UINT32_MAX), 65535);
}

/* --- flow hash / UDP source port ----------------------------------------------------- */

static uint16_t
flow_sport(uint16_t l4_src, uint16_t l4_dst, uint32_t ip_src, bool frag)
{
	struct dp_meta m = {
		.ethertype = RTE_ETHER_TYPE_IPV4,
		.l3 = DP_L3_IPV4,
		.ip_proto = IPPROTO_TCP,
		.sport = l4_src,
		.dport = l4_dst,
		.frag = frag,
		.ip.v4 = {.src_be = ip_src, .dst_be = 0x0200010a},
	};
	struct rte_ether_addr a = {{2, 0, 0, 0, 0, 1}}, b = {{2, 0, 0, 0, 0, 2}};
	return vxlan_sport(vxlan_flow_hash(&m, &b, &a));
}

/* Same flow, same port (every time); different flows spread over 49152..65535. */
static void
test_vxlan_sport_stable_and_spread(void **state)
{
	enum { N = 16384, BINS = 16 };
	unsigned bins[BINS] = {0};
	unsigned same_as_prev = 0;
	uint16_t prev = 0;

	for (uint32_t i = 0; i < N; i++) {
		uint16_t s = flow_sport((uint16_t)(1024 + i), 443, 0x0100010a, false);
		assert_int_equal(s, flow_sport((uint16_t)(1024 + i), 443, 0x0100010a, false));
		assert_true(s >= VXLAN_SPORT_MIN);
		bins[(s - VXLAN_SPORT_MIN) / (VXLAN_SPORT_RANGE / BINS)]++;
		same_as_prev += s == prev;
		prev = s;
	}
	for (int b = 0; b < BINS; b++) {
		/* Expect N/BINS = 1024 each; a uniform hash stays well inside +-15%. */
		assert_in_range(bins[b], 870, 1178);
	}
	assert_true(same_as_prev < 16);
	/* Every field counts: source IP, destination port. */
	assert_int_not_equal(flow_sport(5000, 80, 0x0100010a, false),
			     flow_sport(5000, 80, 0x0300010a, false));
	assert_int_not_equal(flow_sport(5000, 80, 0x0100010a, false),
			     flow_sport(5000, 81, 0x0100010a, false));
	/* Fragments of one datagram share a port whatever the ports field says. */
	assert_int_equal(flow_sport(5000, 80, 0x0100010a, true), flow_sport(0, 0, 0x0100010a, true));
}

/* The memo gives vxlan_flow_hash() for every frame of a sequence in which each input changes
 * in turn (and changes back), across IPv4, fragments, non-IP and IPv6 frames; a zeroed memo
 * matches nothing, not even an all-zero frame. */
static void
test_vxlan_flow_hash_memo(void **state)
{
	struct vxlan_flow_memo memo;
	uint8_t f[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
	struct dp_meta m = {
		.ethertype = RTE_ETHER_TYPE_IPV4,
		.l3 = DP_L3_IPV4,
		.ip_proto = IPPROTO_UDP,
		.sport = 1000,
		.dport = 53,
		.ip.v4 = {.src_be = 0x0100010a, .dst_be = 0x0200010a},
	};
	const struct rte_ether_addr *dst = (const void *)f, *src = (const void *)(f + 6);
	unsigned changed = 0;
	uint32_t prev = 0;

	memset(&memo, 0, sizeof(memo));
	for (int step = 0; step < 40; step++) {
		switch (step % 20) {
		case 1: f[5] ^= 0x10; break;             /* destination MAC */
		case 2: f[11] ^= 0x10; break;            /* source MAC */
		case 3: m.vlan ^= 7; break;
		case 4: m.ip.v4.src_be ^= 1u << 24; break;
		case 5: m.ip.v4.dst_be ^= 1u << 24; break;
		case 6: m.ip_proto = IPPROTO_TCP; break;
		case 7: m.sport++; break;
		case 8: m.dport++; break;
		case 9: m.frag = 1; break;                /* ports no longer count */
		case 10: m.sport++; break;
		case 11: m.frag = 0; break;
		case 12: m.l3 = DP_L3_ARP; m.ethertype = RTE_ETHER_TYPE_ARP; break;
		case 13: m.sport++; break;               /* not hashed for ARP */
		case 14: m.l3 = DP_L3_IPV6; m.ethertype = RTE_ETHER_TYPE_IPV6;
			 memset(&m.ip, 0x11, sizeof(m.ip)); break;
		case 15: m.ip.v6.dst[15] ^= 1; break;
		case 16: m.l3 = DP_L3_IPV4; m.ethertype = RTE_ETHER_TYPE_IPV4;
			 m.ip.v4.src_be = 0x0100010a; m.ip.v4.dst_be = 0x0200010a; break;
		default: break;                          /* the same frame again */
		}
		uint32_t want = vxlan_flow_hash(&m, dst, src);
		assert_int_equal(vxlan_flow_hash_memo(&memo, &m, f), want);
		changed += step && want != prev;
		prev = want;
	}
	assert_true(changed >= 20);
	/* An all-zero non-IP frame against a zeroed memo: hashed, not the memo's 0. */
	struct dp_meta z = {0};
	uint8_t zf[12] = {0};
	memset(&memo, 0, sizeof(memo));
	assert_int_equal(vxlan_flow_hash_memo(&memo, &z, zf),
			 vxlan_flow_hash(&z, (const void *)zf, (const void *)(zf + 6)));
	assert_int_not_equal(vxlan_flow_hash(&z, (const void *)zf, (const void *)(zf + 6)), 0);
}

/* vxlan_ip4_hdr_sum() is rte_raw_cksum() for every header length, random bytes included
 * (sums that carry and fold more than once). */
static void
test_vxlan_ip4_hdr_sum(void **state)
{
	uint8_t h[60];
	uint32_t seed = 12345;

	for (int round = 0; round < 20000; round++) {
		uint32_t hl = 20 + 4 * (uint32_t)(round % 11);
		for (uint32_t i = 0; i < hl; i++) {
			seed = seed * 1103515245u + 12345u;
			h[i] = round % 3 == 0 ? 0xff : (uint8_t)(seed >> 16);
		}
		assert_int_equal(vxlan_ip4_hdr_sum(h, hl), rte_raw_cksum(h, hl));
		/* With the checksum set, the sum is all ones. */
		h[10] = h[11] = 0;
		uint16_t ck = (uint16_t)~rte_raw_cksum(h, hl);
		memcpy(h + 10, &ck, 2);
		assert_int_equal(vxlan_ip4_hdr_sum(h, hl), 0xffff);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vxlan_sport_of_fixture_hash),
		cmocka_unit_test(test_vxlan_sport_stable_and_spread),
		cmocka_unit_test(test_vxlan_flow_hash_memo),
		cmocka_unit_test(test_vxlan_ip4_hdr_sum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
