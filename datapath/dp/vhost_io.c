/* SPDX-License-Identifier: Apache-2.0 */
#include "vhost_io.h"

#include <netinet/in.h>
#include <stddef.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "parse.h"

void
dp_vhost_csum_complete(struct rte_mbuf *m)
{
	struct dp_meta meta;
	uint32_t l4, at;
	uint16_t sum;

	m->ol_flags &= ~RTE_MBUF_F_RX_L4_CKSUM_MASK;
	/* The fast path's own parser finds the L4 header (tags, IPv6 extension headers). */
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	if (dp_parse(f, rte_pktmbuf_data_len(m), &meta) != DP_PARSE_OK ||
	    (meta.l3 != DP_L3_IPV4 && meta.l3 != DP_L3_IPV6) || meta.frag ||
	    (meta.ip_proto != IPPROTO_TCP && meta.ip_proto != IPPROTO_UDP))
		return;
	l4 = (uint32_t)meta.l2_len + meta.l3_len;
	at = l4 + (meta.ip_proto == IPPROTO_TCP ? offsetof(struct rte_tcp_hdr, cksum)
						: offsetof(struct rte_udp_hdr, dgram_cksum));
	if (at + 2 > rte_pktmbuf_data_len(m) || rte_raw_cksum_mbuf(m, l4, m->pkt_len - l4, &sum) < 0)
		return;
	/* The field holds the pseudo-header's sum (the guest's partial checksum): the sum over
	 * the segment with it is the whole checksum. */
	sum = (uint16_t)~sum;
	if (meta.ip_proto == IPPROTO_UDP && sum == 0)
		sum = 0xffff; /* RFC 768: 0 means no checksum */
	*rte_pktmbuf_mtod_offset(m, uint16_t *, at) = sum;
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}
