/* SPDX-License-Identifier: Apache-2.0 */
/* Reject replies parse back correctly: addresses and ports swapped, RST sequence numbers per
 * RFC 9293, ICMP quoting per RFC 792/4443, and every checksum verified by an independent
 * ones'-complement sum written here. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/dp/policy/reject.h"
#include "pkt.h"

/* RFC 1071 sum, folded; a correct packet sums to 0xffff including its checksum field. */
static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* Checks L2 and L3 of a reply to 'in'; returns a pointer to its L4 header and its length. */
static const uint8_t *
check_l3(const struct pkt *in, const uint8_t *out, int len, uint8_t proto, uint32_t *l4_len)
{
	const uint8_t *ip = out + in->m.l2_len;
	const uint8_t *oip = in->frame + in->m.l2_len;
	uint32_t pseudo;

	assert_true(len > 0);
	/* MACs swapped, tags and ethertype kept. */
	assert_memory_equal(out, in->frame + 6, 6);
	assert_memory_equal(out + 6, in->frame, 6);
	assert_memory_equal(out + 12, in->frame + 12, in->m.l2_len - 12);
	if (in->m.l3 == DP_L3_IPV4) {
		assert_int_equal(ip[0], 0x45);
		assert_int_equal(fold(sum16(ip, 20, 0)), 0xffff);
		assert_int_equal(ip[9], proto);
		assert_memory_equal(ip + 12, oip + 16, 4);
		assert_memory_equal(ip + 16, oip + 12, 4);
		assert_int_equal(be16(ip + 2), len - in->m.l2_len);
		*l4_len = be16(ip + 2) - 20u;
		/* ICMPv4 has no pseudo header; the caller checks it. */
		if (proto != IPPROTO_ICMP) {
			pseudo = sum16(ip + 12, 8, 0) + proto + *l4_len;
			assert_int_equal(fold(sum16(ip + 20, *l4_len, pseudo)), 0xffff);
		}
		return ip + 20;
	}
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal(ip[6], proto);
	assert_memory_equal(ip + 8, oip + 24, 16);
	assert_memory_equal(ip + 24, oip + 8, 16);
	*l4_len = be16(ip + 4);
	assert_int_equal(*l4_len, len - in->m.l2_len - 40);
	pseudo = sum16(ip + 8, 32, 0) + proto + *l4_len;
	assert_int_equal(fold(sum16(ip + 40, *l4_len, pseudo)), 0xffff);
	return ip + 40;
}

static void
add_vlan(struct pkt *p, uint16_t vid)
{
	memmove(p->frame + 16, p->frame + 12, p->len - 12);
	p->frame[12] = 0x81;
	p->frame[13] = 0x00;
	p->frame[14] = (uint8_t)(vid >> 8);
	p->frame[15] = (uint8_t)vid;
	p->len += 4;
	p->m.l2_len += 4;
	p->m.vlan = vid;
	p->m.n_vlans = 1;
}

static void
test_reject_tcp_rst(void **state)
{
	uint8_t out[REJECT_FRAME_MAX];
	const uint8_t *t;
	struct pkt p;
	uint32_t l4;
	int n;

	/* SYN, no ACK, VLAN-tagged: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>, tag kept. */
	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 22, 0x02, 1000, 0, 0);
	add_vlan(&p, 42);
	n = reject_build(p.frame, p.len, &p.m, out, sizeof(out));
	assert_int_equal(n, 18 + 20 + 20);
	t = check_l3(&p, out, n, IPPROTO_TCP, &l4);
	assert_int_equal(l4, 20);
	assert_int_equal(be16(t), 22);
	assert_int_equal(be16(t + 2), 40000);
	assert_int_equal(be32(t + 4), 0);
	assert_int_equal(be32(t + 8), 1001);
	assert_int_equal(t[13], 0x14); /* RST|ACK */
	assert_int_equal(be16(out + 14), 42);

	/* A data segment with ACK: <SEQ=SEG.ACK><CTL=RST>. */
	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 22, 0x18, 7, 5555, 100);
	n = reject_build(p.frame, p.len, &p.m, out, sizeof(out));
	t = check_l3(&p, out, n, IPPROTO_TCP, &l4);
	assert_int_equal(be32(t + 4), 5555);
	assert_int_equal(t[13], 0x04);

	/* FIN with 10 bytes, no ACK: the FIN counts one. */
	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 22, 0x01, 0xfffffff0, 0, 10);
	n = reject_build(p.frame, p.len, &p.m, out, sizeof(out));
	t = check_l3(&p, out, n, IPPROTO_TCP, &l4);
	assert_int_equal(be32(t + 8), 0xfffffffbu); /* wraps: 0xfffffff0 + 11 */

	/* IPv6 SYN. */
	pkt_v6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_TCP, 50000, 443, 0x02, 77, 0, 0);
	n = reject_build(p.frame, p.len, &p.m, out, sizeof(out));
	assert_int_equal(n, 14 + 40 + 20);
	t = check_l3(&p, out, n, IPPROTO_TCP, &l4);
	assert_int_equal(be32(t + 8), 78);
	assert_int_equal(t[13], 0x14);
}

static void
test_reject_icmp_unreachable(void **state)
{
	uint8_t out[REJECT_FRAME_MAX];
	const uint8_t *ic;
	struct pkt p;
	uint32_t l4;
	int n;

	/* UDP over IPv4: type 3 code 13 quoting the IP header and 8 bytes. */
	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 5353, 53, 0, 0, 0, 200);
	n = reject_build(p.frame, p.len, &p.m, out, sizeof(out));
	assert_int_equal(n, 14 + 20 + 8 + 20 + 8);
	ic = check_l3(&p, out, n, IPPROTO_ICMP, &l4);
	assert_int_equal(ic[0], 3);
	assert_int_equal(ic[1], 13);
	/* The ICMP checksum has no pseudo header: check it alone. */
	assert_int_equal(fold(sum16(ic, l4, 0)), 0xffff);
	assert_memory_equal(ic + 8, p.frame + 14, 28);

	/* An echo request is answered too. */
	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 8, 0, 0, 1, 0, 56);
	n = reject_build(p.frame, p.len, &p.m, out, sizeof(out));
	ic = check_l3(&p, out, n, IPPROTO_ICMP, &l4);
	assert_int_equal(fold(sum16(ic, l4, 0)), 0xffff);

	/* UDP over IPv6, large: ICMPv6 type 1 code 1, quoting up to the 1280-byte minimum MTU. */
	pkt_v6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 5353, 53, 0, 0, 0, 1400);
	n = reject_build(p.frame, p.len, &p.m, out, sizeof(out));
	assert_int_equal(n, 14 + 1280);
	ic = check_l3(&p, out, n, IPPROTO_ICMPV6, &l4);
	assert_int_equal(ic[0], 1);
	assert_int_equal(ic[1], 1);
	assert_memory_equal(ic + 8, p.frame + 14, 1232);
	/* A small one is quoted whole. */
	pkt_v6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 5353, 53, 0, 0, 0, 3);
	n = reject_build(p.frame, p.len, &p.m, out, sizeof(out));
	ic = check_l3(&p, out, n, IPPROTO_ICMPV6, &l4);
	assert_int_equal(l4, 8 + 40 + 8 + 3);
}

static void
test_reject_not_answered(void **state)
{
	uint8_t out[REJECT_FRAME_MAX];
	struct pkt p;

	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2, 0x14, 1, 1, 0);
	assert_int_equal(reject_build(p.frame, p.len, &p.m, out, sizeof(out)), -ENOTSUP);
	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 3, 3, 0, 0, 0, 28);
	assert_int_equal(reject_build(p.frame, p.len, &p.m, out, sizeof(out)), -ENOTSUP);
	pkt_v6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_ICMPV6, 1, 4, 0, 0, 0, 48);
	assert_int_equal(reject_build(p.frame, p.len, &p.m, out, sizeof(out)), -ENOTSUP);
	pkt_v4(&p, "10.0.0.1", "255.255.255.255", IPPROTO_UDP, 68, 67, 0, 0, 0, 8);
	p.m.dst_bum = p.m.dst_bcast = 1;
	assert_int_equal(reject_build(p.frame, p.len, &p.m, out, sizeof(out)), -ENOTSUP);
	pkt_v4(&p, "0.0.0.0", "10.0.0.2", IPPROTO_UDP, 68, 67, 0, 0, 0, 8);
	assert_int_equal(reject_build(p.frame, p.len, &p.m, out, sizeof(out)), -ENOTSUP);
	pkt_v6(&p, "ff02::1", "2001:db8::2", IPPROTO_UDP, 1, 2, 0, 0, 0, 8);
	assert_int_equal(reject_build(p.frame, p.len, &p.m, out, sizeof(out)), -ENOTSUP);
	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2, 0, 0, 0, 8);
	p.m.frag = 1;
	assert_int_equal(reject_build(p.frame, p.len, &p.m, out, sizeof(out)), -ENOTSUP);
	pkt_l2(&p, RTE_ETHER_TYPE_ARP);
	assert_int_equal(reject_build(p.frame, p.len, &p.m, out, sizeof(out)), -ENOTSUP);
	/* Truncated: the IP header claims more than the frame has. */
	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2, 0, 0, 0, 100);
	assert_int_equal(reject_build(p.frame, p.len - 1, &p.m, out, sizeof(out)), -EINVAL);
	/* Output too small. */
	assert_int_equal(reject_build(p.frame, p.len, &p.m, out, 40), -ENOSPC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reject_tcp_rst),
		cmocka_unit_test(test_reject_icmp_unreachable),
		cmocka_unit_test(test_reject_not_answered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
