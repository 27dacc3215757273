/* SPDX-License-Identifier: Apache-2.0 */
/* Reject replies: TCP RST (RFC 9293 section 3.10.7.1) or ICMP/ICMPv6 destination unreachable,
 * code "administratively prohibited" (RFC 792 / RFC 1812 code 13, RFC 4443 code 1). */

#include "reject.h"

#include <errno.h>
#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <stdbool.h>
#include <string.h>

#define ICMP4_UNREACH 3
#define ICMP4_ADMIN_PROHIBITED 13
#define ICMP6_UNREACH 1
#define ICMP6_ADMIN_PROHIBITED 1
#define IPV6_MIN_MTU 1280
#define TTL 64

static inline uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static bool
icmp_error(const struct dp_meta *m)
{
	if (m->ip_proto == IPPROTO_ICMP)
		return m->sport == 3 || m->sport == 4 || m->sport == 5 || m->sport == 11 ||
		       m->sport == 12;
	if (m->ip_proto == IPPROTO_ICMPV6)
		return m->sport < 128; /* RFC 4443: types 0..127 are errors */
	return false;
}

static bool
bad_source(const struct dp_meta *m)
{
	static const uint8_t zero[16];

	if (m->l3 == DP_L3_IPV4) {
		uint32_t s = rte_be_to_cpu_32(m->ip.v4.src_be);

		return s == 0 || (s >> 28) == 0xe || s == 0xffffffff;
	}
	return m->ip.v6.src[0] == 0xff || memcmp(m->ip.v6.src, zero, 16) == 0;
}

/* L2 header of the reply: the original one (tags included), MACs swapped. */
static void
l2_reply(const uint8_t *frame, const struct dp_meta *m, uint8_t *out)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)out;
	const struct rte_ether_hdr *o = (const struct rte_ether_hdr *)frame;

	memcpy(out, frame, m->l2_len);
	e->dst_addr = o->src_addr;
	e->src_addr = o->dst_addr;
}

/* IP header of the reply, addresses swapped; returns its size. */
static uint32_t
ip_reply(const struct dp_meta *m, uint8_t *ip, uint8_t proto, uint16_t l4_size)
{
	if (m->l3 == DP_L3_IPV4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		memset(h, 0, sizeof(*h));
		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*h) + l4_size));
		h->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		h->time_to_live = TTL;
		h->next_proto_id = proto;
		h->src_addr = m->ip.v4.dst_be;
		h->dst_addr = m->ip.v4.src_be;
		h->hdr_checksum = rte_ipv4_cksum(h);
		return sizeof(*h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		memset(h, 0, sizeof(*h));
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16(l4_size);
		h->proto = proto;
		h->hop_limits = TTL;
		memcpy(h->src_addr, m->ip.v6.dst, 16);
		memcpy(h->dst_addr, m->ip.v6.src, 16);
		return sizeof(*h);
	}
}

static uint16_t
l4_cksum(const struct dp_meta *m, const uint8_t *ip, const uint8_t *l4)
{
	if (m->l3 == DP_L3_IPV4)
		return rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)ip, l4);
	/* The IPv6 pseudo header takes the protocol from the header: fine for ICMPv6 too. */
	return rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)ip, l4);
}

/* Bytes of IP payload (after the IP header and its options/extensions) the frame holds. */
static int
ip_payload_len(const uint8_t *frame, uint32_t len, const struct dp_meta *m)
{
	const uint8_t *ip = frame + m->l2_len;
	uint32_t total;

	if (m->l3 == DP_L3_IPV4)
		total = rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)ip)->total_length);
	else
		total = sizeof(struct rte_ipv6_hdr) +
			rte_be_to_cpu_16(((const struct rte_ipv6_hdr *)ip)->payload_len);
	if (total < m->l3_len || m->l2_len + total > len)
		return -EINVAL;
	return (int)(total - m->l3_len);
}

static int
build_rst(const uint8_t *frame, const struct dp_meta *m, int payload, uint8_t *out,
	  uint32_t out_size)
{
	const struct rte_tcp_hdr *o = (const struct rte_tcp_hdr *)(frame + m->l2_len + m->l3_len);
	uint32_t ip_size = m->l3 == DP_L3_IPV4 ? sizeof(struct rte_ipv4_hdr) :
						 sizeof(struct rte_ipv6_hdr);
	uint32_t doff = (uint32_t)(o->data_off >> 4) * 4, seg_len;
	struct rte_tcp_hdr *t;
	uint8_t *ip;

	if (doff < sizeof(*o) || (uint32_t)payload < doff)
		return -EINVAL;
	if (m->l2_len + ip_size + sizeof(*t) > out_size)
		return -ENOSPC;
	l2_reply(frame, m, out);
	ip = out + m->l2_len;
	t = (struct rte_tcp_hdr *)(ip + ip_size);
	memset(t, 0, sizeof(*t));
	t->src_port = o->dst_port;
	t->dst_port = o->src_port;
	t->data_off = 5 << 4;
	if (o->tcp_flags & RTE_TCP_ACK_FLAG) {
		/* <SEQ=SEG.ACK><CTL=RST> */
		t->sent_seq = o->recv_ack;
		t->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		/* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; SYN and FIN occupy one each. */
		seg_len = (uint32_t)payload - doff + !!(o->tcp_flags & RTE_TCP_SYN_FLAG) +
			  !!(o->tcp_flags & RTE_TCP_FIN_FLAG);
		t->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(o->sent_seq) + seg_len);
		t->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	ip_reply(m, ip, IPPROTO_TCP, sizeof(*t));
	t->cksum = l4_cksum(m, ip, (const uint8_t *)t);
	return (int)(m->l2_len + ip_size + sizeof(*t));
}

static int
build_unreach(const uint8_t *frame, const struct dp_meta *m, int payload, uint8_t *out,
	      uint32_t out_size)
{
	bool v4 = m->l3 == DP_L3_IPV4;
	uint32_t ip_size = v4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	/* What of the offending packet to quote: its header and 8 bytes (RFC 792), or as much as
	 * fits in the IPv6 minimum MTU (RFC 4443). */
	uint32_t quote = v4 ? m->l3_len + min_u32((uint32_t)payload, 8) :
			      min_u32(m->l3_len + (uint32_t)payload, IPV6_MIN_MTU - 40 - 8);
	uint32_t total = m->l2_len + ip_size + 8 + quote;
	uint8_t *ip, *icmp;

	if (total > out_size)
		return -ENOSPC;
	l2_reply(frame, m, out);
	ip = out + m->l2_len;
	icmp = ip + ip_size;
	icmp[0] = v4 ? ICMP4_UNREACH : ICMP6_UNREACH;
	icmp[1] = v4 ? ICMP4_ADMIN_PROHIBITED : ICMP6_ADMIN_PROHIBITED;
	memset(icmp + 2, 0, 6); /* checksum, then 4 unused bytes */
	memcpy(icmp + 8, frame + m->l2_len, quote);
	ip_reply(m, ip, v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, (uint16_t)(8 + quote));
	if (v4) {
		uint16_t c = (uint16_t)~rte_raw_cksum(icmp, 8 + quote);

		memcpy(icmp + 2, &c, 2);
	} else {
		uint16_t c = l4_cksum(m, ip, icmp);

		memcpy(icmp + 2, &c, 2);
	}
	return (int)total;
}

int
reject_build(const uint8_t *frame, uint32_t len, const struct dp_meta *m, uint8_t *out,
	     uint32_t out_size)
{
	int payload;

	if ((m->l3 != DP_L3_IPV4 && m->l3 != DP_L3_IPV6) || m->frag || m->dst_bum ||
	    bad_source(m) || icmp_error(m))
		return -ENOTSUP;
	if (m->ip_proto == IPPROTO_TCP && (m->tcp_flags & RTE_TCP_RST_FLAG))
		return -ENOTSUP; /* never answer a reset (RFC 9293) */
	payload = ip_payload_len(frame, len, m);
	if (payload < 0)
		return payload;
	if (m->ip_proto == IPPROTO_TCP)
		return build_rst(frame, m, payload, out, out_size);
	return build_unreach(frame, m, payload, out, out_size);
}
