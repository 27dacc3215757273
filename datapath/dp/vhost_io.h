/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Port I/O of the poll lcores.  A vhost-user port is a net_vhost ethdev, which owns its
 * socket, the guest's connection and the link state; but its frames go through rte_vhost's
 * burst functions directly, without net_vhost's rx/tx wrappers and the statistics they keep
 * per packet (size buckets, multicast and broadcast counts: a tenth of a poll core in the
 * V2V loop, and switchd keeps its own counters).  dp->vhost_dev[] says which device to use;
 * vhost_dev.c keeps it in step with the guest's connection and makes sure no lcore is still
 * inside a burst when rte_vhost frees a device.  Other ports use the ethdev bursts. */

#include <rte_ethdev.h>
#include <rte_vhost.h>

#include "dp.h"

/* rte_vhost numbers a queue pair's vrings from the guest's side: the guest receives on
 * vring 2q and sends on vring 2q + 1. */
#define DP_VHOST_GUEST_RX(q) ((uint16_t)((q) * 2))
#define DP_VHOST_GUEST_TX(q) ((uint16_t)((q) * 2 + 1))

/* The device of 'eth_port', and whether it has vring 'vring' yet; -1 if it cannot take a
 * burst now (no guest, or the guest has not set that queue up). */
static inline int
dp_vhost_vid(const struct dp *dp, uint16_t eth_port, uint16_t vring)
{
	uint64_t v = __atomic_load_n(&dp->vhost_dev[eth_port], __ATOMIC_ACQUIRE);

	return vring < (uint16_t)v ? (int)(v >> 16) - 1 : -1;
}

/* A guest that negotiated checksum offload (VIRTIO_NET_F_CSUM) sends TCP and UDP with only
 * the pseudo-header's sum in the checksum field; rte_vhost marks such a frame
 * RTE_MBUF_F_RX_L4_CKSUM_NONE.  Its receivers (a tap, a kernel interface, a remote host, a
 * guest without the offload) need the whole checksum: computed here, as net_vhost's rx does
 * for an application that does not take the offload itself. */
void dp_vhost_csum_complete(struct rte_mbuf *m);

static inline uint16_t
dp_port_rx(const struct dp *dp, const struct dp_rxq *q, struct rte_mbuf **pkts, uint16_t n)
{
	if (q->is_vhost) {
		int vid = dp_vhost_vid(dp, q->eth_port, DP_VHOST_GUEST_TX(q->queue));
		if (vid < 0)
			return 0;
		n = rte_vhost_dequeue_burst(vid, DP_VHOST_GUEST_TX(q->queue), dp->pool, pkts, n);
		for (uint16_t i = 0; i < n; i++)
			if (unlikely((pkts[i]->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
				     RTE_MBUF_F_RX_L4_CKSUM_NONE))
				dp_vhost_csum_complete(pkts[i]);
		return n;
	}
	return rte_eth_rx_burst(q->eth_port, q->queue, pkts, n);
}

/* Sends up to 'n' frames on tx queue 'q' of 'p'; returns how many it took (the caller keeps
 * the rest) and adds their length to '*bytes'. */
static inline uint16_t
dp_port_tx(const struct dp *dp, const struct dp_port *p, uint16_t q, struct rte_mbuf **pkts,
	   uint16_t n, uint64_t *bytes)
{
	uint16_t sent;

	if (p->is_vhost) {
		int vid = dp_vhost_vid(dp, p->eth_port, DP_VHOST_GUEST_RX(q));
		/* rte_vhost copies the frames into the guest's buffers; ours are freed here. */
		sent = vid < 0 || n == 0 ? 0 : rte_vhost_enqueue_burst(vid, DP_VHOST_GUEST_RX(q), pkts, n);
		for (uint16_t i = 0; i < sent; i++)
			*bytes += pkts[i]->pkt_len;
		if (sent)
			rte_pktmbuf_free_bulk(pkts, sent);
		return sent;
	}
	/* The lengths are read before the burst: a driver may free what it sent at once. */
	uint64_t len = 0;
	for (uint16_t i = 0; i < n; i++)
		len += pkts[i]->pkt_len;
	sent = n ? rte_eth_tx_burst(p->eth_port, q, pkts, n) : 0;
	for (uint16_t i = sent; i < n; i++)
		len -= pkts[i]->pkt_len; /* the ones not sent are still ours */
	*bytes += len;
	return sent;
}
