/* SPDX-License-Identifier: Apache-2.0 */
#include "vhost_io.h"

#include <stddef.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

/* Where the L4 header of 'm' starts and which protocol it is, for the checksum completion;
 * false if it is not TCP or UDP over IPv4 or IPv6 (without extension headers). */
static bool
l4_of(const struct rte_mbuf *m, uint32_t *l4_off, uint8_t *proto)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = 12;
	uint16_t type;

	if (len < 14)
		return false;
	type = (uint16_t)(f[12] << 8 | f[13]);
	for (int i = 0; i < 2 && (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ); i++) {
		off += 4;
		if (len < off + 2)
			return false;
		type = (uint16_t)(f[off] << 8 | f[off + 1]);
	}
	off += 2;
	if (type == RTE_ETHER_TYPE_IPV4) {
		if (len < off + sizeof(struct rte_ipv4_hdr))
			return false;
		*proto = f[off + 9];
		*l4_off = off + (uint32_t)(f[off] & 0xf) * 4;
	} else if (type == RTE_ETHER_TYPE_IPV6) {
		if (len < off + sizeof(struct rte_ipv6_hdr))
			return false;
		*proto = f[off + 6];
		*l4_off = off + (uint32_t)sizeof(struct rte_ipv6_hdr);
	} else {
		return false;
	}
	return *proto == IPPROTO_TCP || *proto == IPPROTO_UDP;
}

void
dp_vhost_csum_complete(struct rte_mbuf *m)
{
	uint32_t l4, at;
	uint8_t proto;
	uint16_t sum;

	m->ol_flags &= ~RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if (!l4_of(m, &l4, &proto))
		return;
	at = l4 + (proto == IPPROTO_TCP ? offsetof(struct rte_tcp_hdr, cksum)
					: offsetof(struct rte_udp_hdr, dgram_cksum));
	if (at + 2 > rte_pktmbuf_data_len(m) || l4 >= m->pkt_len ||
	    rte_raw_cksum_mbuf(m, l4, m->pkt_len - l4, &sum) < 0)
		return;
	/* The field holds the pseudo-header's sum (the guest's partial checksum): the sum over
	 * the segment with it is the whole checksum. */
	sum = (uint16_t)~sum;
	if (proto == IPPROTO_UDP && sum == 0)
		sum = 0xffff; /* RFC 768: 0 means no checksum */
	*rte_pktmbuf_mtod_offset(m, uint16_t *, at) = sum;
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}
