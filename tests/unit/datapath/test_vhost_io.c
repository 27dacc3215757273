/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of dp_vhost_csum_complete(): a guest's offloaded TCP/UDP checksum (the
 * pseudo-header's sum only, as virtio-net sends it) is completed to the one a receiver
 * verifies, over IPv4 and IPv6, tagged or not; other frames are left as they are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "datapath/dp/vhost_io.h"

static uint8_t buf[2048];
static struct rte_mbuf mb;

/* A one-segment mbuf over 'buf' (no mempool: the code under test only reads and writes the
 * data and the flags). */
static struct rte_mbuf *
frame(size_t len, uint64_t flags)
{
	memset(&mb, 0, sizeof(mb));
	mb.buf_addr = buf;
	mb.buf_len = sizeof(buf);
	mb.data_off = 0;
	mb.data_len = (uint16_t)len;
	mb.pkt_len = (uint32_t)len;
	mb.nb_segs = 1;
	mb.ol_flags = flags;
	return &mb;
}

/* Ethernet (+ one tag if 'vlan'), then the L3 header; returns the L3 offset. */
static size_t
l2(uint16_t et, bool vlan)
{
	size_t o = 12;
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x52, buf[5] = 2, buf[6] = 0x52, buf[11] = 1;
	if (vlan) {
		buf[o++] = 0x81, buf[o++] = 0, buf[o++] = 0, buf[o++] = 10;
	}
	buf[o++] = (uint8_t)(et >> 8);
	buf[o++] = (uint8_t)et;
	return o;
}

/* An IPv4 TCP or UDP frame with 'payload' bytes, its L4 checksum field holding the
 * pseudo-header's sum (what virtio-net's NEEDS_CSUM frames carry). */
static size_t
v4(uint8_t proto, size_t payload, bool vlan, struct rte_ipv4_hdr **ipp)
{
	size_t l3 = l2(RTE_ETHER_TYPE_IPV4, vlan);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + l3);
	size_t l4len = (proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr)) + payload;

	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + l4len));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	uint8_t *l4 = buf + l3 + 20;
	for (size_t i = 0; i < payload; i++)
		l4[l4len - payload + i] = (uint8_t)(i * 7 + 3);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4;
		t->src_port = rte_cpu_to_be_16(40000), t->dst_port = rte_cpu_to_be_16(22);
		t->data_off = 0x50;
		t->cksum = rte_ipv4_phdr_cksum(ip, 0);
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;
		u->src_port = rte_cpu_to_be_16(40000), u->dst_port = rte_cpu_to_be_16(53);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)l4len);
		u->dgram_cksum = rte_ipv4_phdr_cksum(ip, 0);
	}
	*ipp = ip;
	return l3 + 20 + l4len;
}

/* The address of the checksum field of the 'proto' header that starts at 'l3_end'. */
static uint8_t *
l4_field(const void *l3_end, uint8_t proto)
{
	return (uint8_t *)l3_end + (proto == IPPROTO_TCP ? offsetof(struct rte_tcp_hdr, cksum)
							  : offsetof(struct rte_udp_hdr, dgram_cksum));
}

/* Whether the L4 checksum after 'ip' (an IPv4 header, or IPv6 if 'v6') is the full one: the
 * one computed afresh with the field zeroed (rte_ipv4/ipv6_udptcp_cksum). */
static bool
l4_ok(const void *ip, bool v6, uint8_t proto)
{
	const void *l4 = (const uint8_t *)ip + (v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr));
	uint8_t *f = l4_field(l4, proto), was[2];
	uint16_t want;
	memcpy(was, f, 2);
	memset(f, 0, 2);
	want = v6 ? rte_ipv6_udptcp_cksum(ip, l4) : rte_ipv4_udptcp_cksum(ip, l4);
	memcpy(f, was, 2);
	return memcmp(was, &want, 2) == 0;
}

static void
test_v4_tcp_udp_completed(void **state)
{
	(void)state;
	for (int vlan = 0; vlan < 2; vlan++) {
		for (int p = 0; p < 2; p++) {
			uint8_t proto = p ? IPPROTO_UDP : IPPROTO_TCP;
			struct rte_ipv4_hdr *ip;
			size_t len = v4(proto, 333, vlan, &ip);
			struct rte_mbuf *m = frame(len, RTE_MBUF_F_RX_L4_CKSUM_NONE);
			/* Partial: a receiver refuses it. */
			assert_false(l4_ok(ip, false, proto));
			dp_vhost_csum_complete(m);
			assert_true(l4_ok(ip, false, proto));
			assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
		}
	}
}

static void
test_v6_tcp_completed(void **state)
{
	(void)state;
	size_t l3 = l2(RTE_ETHER_TYPE_IPV6, false), payload = 100;
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(buf + l3);
	struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);

	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(sizeof(*t) + payload));
	ip->proto = IPPROTO_TCP;
	ip->hop_limits = 64;
	ip->src_addr[15] = 1, ip->dst_addr[15] = 2;
	t->data_off = 0x50;
	memset(t + 1, 0xab, payload);
	t->cksum = rte_ipv6_phdr_cksum(ip, 0);
	struct rte_mbuf *m = frame(l3 + sizeof(*ip) + sizeof(*t) + payload, RTE_MBUF_F_RX_L4_CKSUM_NONE);
	assert_false(l4_ok(ip, true, IPPROTO_TCP));
	dp_vhost_csum_complete(m);
	assert_true(l4_ok(ip, true, IPPROTO_TCP));
}

/* ICMP, ARP and a frame cut short inside its IPv4 header are left untouched (but no longer
 * marked as needing a checksum). */
static void
test_others_untouched(void **state)
{
	(void)state;
	struct rte_ipv4_hdr *ip;
	size_t len = v4(IPPROTO_UDP, 10, false, &ip);
	ip->next_proto_id = IPPROTO_ICMP;
	uint8_t copy[sizeof(buf)];
	memcpy(copy, buf, sizeof(buf));
	dp_vhost_csum_complete(frame(len, RTE_MBUF_F_RX_L4_CKSUM_NONE));
	assert_memory_equal(copy, buf, sizeof(buf));

	len = l2(RTE_ETHER_TYPE_ARP, false) + 28;
	memcpy(copy, buf, sizeof(buf));
	struct rte_mbuf *m = frame(len, RTE_MBUF_F_RX_L4_CKSUM_NONE);
	dp_vhost_csum_complete(m);
	assert_memory_equal(copy, buf, sizeof(buf));
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, 0);

	v4(IPPROTO_TCP, 0, false, &ip);
	memcpy(copy, buf, sizeof(buf));
	dp_vhost_csum_complete(frame(14 + 12, RTE_MBUF_F_RX_L4_CKSUM_NONE));
	assert_memory_equal(copy, buf, sizeof(buf));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_tcp_udp_completed),
		cmocka_unit_test(test_v6_tcp_completed),
		cmocka_unit_test(test_others_untouched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
