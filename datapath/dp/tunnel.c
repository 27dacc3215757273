/* SPDX-License-Identifier: Apache-2.0 */
/* The overlay stage: VXLAN frames for the local VTEP leave the uplink's VLAN pipeline here,
 * are decapsulated, and enter the L2 pipeline from the tunnel pseudo-port of their remote
 * VTEP in the segment of their VNI; frames forwarded to a tunnel pseudo-port are encapsulated
 * with its outer-header template and queued on the uplink. */
#include "dp.h"

#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>

#include "vxlan.h"

static inline uint16_t
vni_seg(const struct dp_tables *t, uint32_t vni)
{
	for (uint32_t i = vni & (DP_VNI_MAP_SIZE - 1);; i = (i + 1) & (DP_VNI_MAP_SIZE - 1)) {
		if (t->vni_map[i].vni == vni)
			return t->vni_map[i].seg;
		if (t->vni_map[i].vni == 0)
			return DP_SEG_NONE;
	}
}

static inline uint16_t
vtep_port(const struct dp_tables *t, uint32_t ip_be)
{
	for (uint16_t i = 0; i < t->n_tunnels; i++)
		if (t->tun_ip[i] == ip_be && t->ports[DP_TUNNEL_BASE + i].enabled)
			return DP_TUNNEL_BASE + i;
	return DP_SEG_NONE;
}

/* Decapsulated frames wait here, grouped by tunnel pseudo-port and segment, so that each
 * group enters the L2 pipeline as one burst (the pipeline's contract: one ingress port and
 * one segment per burst), with its ACL classified in one call.  A group keeps its frames'
 * order; a flow never spans two groups. */
#define TUN_GROUPS 4

struct tun_group {
	uint16_t tun, seg, n;
	bool relayed; /* VXLAN_FLAGS_DVS_RELAY: not learned from */
	struct rte_mbuf *m[DP_BURST];
};

static void
groups_flush(struct dp_lcore *lc, const struct dp_tables *t, struct tun_group *g, unsigned *ng,
	     uint32_t now_s)
{
	for (unsigned i = 0; i < *ng; i++)
		dp_fwd_burst(lc, t, g[i].tun, g[i].m, g[i].n, now_s, g[i].seg, g[i].relayed);
	*ng = 0;
}

static void
groups_add(struct dp_lcore *lc, const struct dp_tables *t, struct tun_group *g, unsigned *ng,
	   uint16_t tun, uint16_t seg, bool relayed, struct rte_mbuf *m, uint32_t now_s)
{
	unsigned i;

	for (i = 0; i < *ng; i++)
		if (g[i].tun == tun && g[i].seg == seg && g[i].relayed == relayed)
			break;
	if (i == *ng) {
		if (*ng == TUN_GROUPS)
			groups_flush(lc, t, g, ng, now_s);
		i = (*ng)++;
		g[i].tun = tun;
		g[i].seg = seg;
		g[i].relayed = relayed;
		g[i].n = 0;
	}
	g[i].m[g[i].n++] = m;
}

uint16_t
dp_tunnel_rx(struct dp_lcore *lc, const struct dp_tables *t, struct rte_mbuf **pkts, uint16_t n,
	     uint32_t now_s)
{
	struct vxlan_local local = {.v4_be = t->vtep_be};
	struct tun_group g[TUN_GROUPS];
	unsigned ng = 0;
	uint16_t keep = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t vni, src_be;

		int r = vxlan_decap_uplink_v4(m, &local, &vni, &src_be);
		if (r == VXLAN_DECAP_PASS) {
			pkts[keep++] = m; /* the uplink's own traffic */
			continue;
		}
		if (r != VXLAN_DECAP_OK) {
			lc->decap_drops[r]++;
			lc->drops[DP_DROP_VXLAN_DECAP]++;
			rte_pktmbuf_free(m);
			continue;
		}
		uint16_t seg = vni_seg(t, vni);
		if (seg == DP_SEG_NONE) {
			lc->drops[DP_DROP_VXLAN_UNKNOWN_VNI]++;
			rte_pktmbuf_free(m);
			continue;
		}
		uint16_t tun = vtep_port(t, src_be);
		if (tun == DP_SEG_NONE) {
			lc->drops[DP_DROP_VXLAN_UNKNOWN_VTEP]++;
			rte_pktmbuf_free(m);
			continue;
		}
		groups_add(lc, t, g, &ng, tun, seg, vxlan_decapped_relay(m), m, now_s);
	}
	groups_flush(lc, t, g, &ng, now_s);
	return keep;
}

/* Encapsulates 'm' for tunnel 'p' (pseudo-port 'dst', template present) with 'vni'.
 * Returns 0, or the drop reason after counting it on the tunnel (the caller frees). */
static inline int
tunnel_encap(struct dp_lcore *lc, const struct dp_port *p, uint16_t dst, uint32_t vni,
	     struct rte_mbuf *m, const struct dp_meta *meta, uint32_t flags)
{
	uint32_t hash = vxlan_flow_hash_memo(&lc->flow_memo, meta, rte_pktmbuf_mtod(m, const uint8_t *));

	switch (vxlan_encap_flags(m, p->tmpl, vni, hash, flags)) {
	case VXLAN_ENCAP_OK:
		return 0;
	case VXLAN_ENCAP_TOO_BIG:
		lc->tun_mtu_drops[dst - DP_TUNNEL_BASE]++;
		lc->port[dst].tx_dropped++;
		return DP_DROP_TUNNEL_MTU;
	default:
		lc->port[dst].tx_dropped++;
		return DP_DROP_TUNNEL_ENCAP;
	}
}

int
dp_tunnel_tx(struct dp_lcore *lc, const struct dp_tables *t, uint16_t dst, uint16_t seg,
	     struct rte_mbuf *m, const struct dp_meta *meta, bool relay)
{
	const struct dp_port *p = &t->ports[dst];

	if (unlikely(!p->tmpl))
		return DP_DROP_TUNNEL_UNRESOLVED;
	if (unlikely(seg < DP_SEG_OVERLAY))
		return DP_DROP_EGRESS_VLAN;
	uint32_t len = m->pkt_len;
	int r = tunnel_encap(lc, p, dst, t->seg_vni[seg - DP_SEG_OVERLAY], m, meta,
			     relay ? VXLAN_FLAGS_DVS_RELAY : 0);
	if (r)
		return r;
	lc->port[dst].tx_packets++;
	lc->port[dst].tx_bytes += len;
	dp_tx_enqueue(lc, t, p->tun_out, m);
	return 0;
}

void
dp_tunnel_tx_run(struct dp_lcore *lc, const struct dp_tables *t, uint16_t dst, uint16_t seg,
		 struct rte_mbuf **m, const struct dp_meta *const *meta, uint16_t n, bool relay)
{
	const struct dp_port *p = &t->ports[dst];
	uint32_t vni = t->seg_vni[seg - DP_SEG_OVERLAY], flags = relay ? VXLAN_FLAGS_DVS_RELAY : 0;
	uint64_t bytes = 0;
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		uint32_t len = m[i]->pkt_len;
		int r = tunnel_encap(lc, p, dst, vni, m[i], meta[i], flags);
		if (unlikely(r)) {
			lc->drops[r]++;
			rte_pktmbuf_free(m[i]);
			continue;
		}
		bytes += len;
		m[k++] = m[i];
	}
	lc->port[dst].tx_packets += k;
	lc->port[dst].tx_bytes += bytes;
	dp_tx_enqueue_burst(lc, t, p->tun_out, m, k);
}
