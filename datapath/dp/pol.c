/* SPDX-License-Identifier: Apache-2.0 */
/* Policy stages of the pipeline; see pol.h for ownership rules. */
#include "pol.h"

#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>

#include "policy/reject.h"

void
dp_pol_reject(struct dp_lcore *lc, const struct dp_tables *t, uint16_t to, struct rte_mbuf *m,
	    const struct dp_meta *meta)
{
	struct rte_mbuf *r = rte_pktmbuf_alloc(lc->dp->pool);
	uint8_t *out;
	int len;

	if (!r)
		return;
	out = rte_pktmbuf_mtod(r, uint8_t *);
	len = reject_build(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), meta,
			   out, (uint32_t)RTE_MIN(rte_pktmbuf_tailroom(r), REJECT_FRAME_MAX));
	if (len <= 0) {
		rte_pktmbuf_free(r);
		return;
	}
	r->data_len = (uint16_t)len;
	r->pkt_len = (uint32_t)len;
	dp_tx_enqueue(lc, t, to, r);
}

static bool
ip4_bound(const struct dp_port_policy *pol, uint32_t ip_be)
{
	for (unsigned i = 0; i < pol->n_ip4; i++)
		if (pol->ip4[i] == ip_be)
			return true;
	return false;
}

static bool
ip6_bound(const struct dp_port_policy *pol, const uint8_t *ip)
{
	/* Link-local and unspecified sources (ND, DAD) are the guest's own business. */
	if ((ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80) || !memcmp(ip, (uint8_t[16]){0}, 16))
		return true;
	for (unsigned i = 0; i < pol->n_ip6; i++)
		if (!memcmp(pol->ip6[i], ip, 16))
			return true;
	return false;
}

static int
security_ingress(const struct dp_port_policy *pol, const uint8_t *f, const struct dp_meta *m)
{
	if (pol->has_mac && !pol->allow_forged && memcmp(f + 6, pol->mac, 6))
		return DP_DROP_FORGED_TRANSMIT;
	if (pol->ip_mac_binding) {
		if (m->l3 == DP_L3_ARP && m->arp_spa_be && !ip4_bound(pol, m->arp_spa_be))
			return DP_DROP_IP_MAC_BINDING;
		/* 0.0.0.0 is a DHCP client without an address yet. */
		if (m->l3 == DP_L3_IPV4 && m->ip.v4.src_be && !ip4_bound(pol, m->ip.v4.src_be))
			return DP_DROP_IP_MAC_BINDING;
		if (m->l3 == DP_L3_IPV6 && !ip6_bound(pol, m->ip.v6.src))
			return DP_DROP_IP_MAC_BINDING;
	}
	if (!pol->allow_dhcp_server && m->ip_proto == IPPROTO_UDP && m->frag != 2 &&
	    ((m->l3 == DP_L3_IPV4 && m->sport == 67) || (m->l3 == DP_L3_IPV6 && m->sport == 547)))
		return DP_DROP_DHCP_SERVER;
	return 0;
}

/* The ACL with connection tracking for one frame in direction 'dir' on a port's table.
 * Returns 0, DP_DROP_ACL_REJECT (the caller sends the reply) or another drop reason. */
static int
acl_stage(struct dp_lcore *lc, const struct dp_port_policy *pol, enum acl_dir dir,
	  const struct rte_mbuf *m, const struct dp_meta *meta, uint64_t now)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct dp_meta *mp[1] = {meta};
	struct acl_result res;

	if (pol->ct) {
		switch (conntrack_lookup(pol->ct, meta, f, now)) {
		case CT_ORIG:
		case CT_REPLY:
			return 0;
		case CT_INVALID:
			return DP_DROP_CT_INVALID;
		case CT_MISS:
			break;
		}
	}
	acl_classify(pol->acl, dir, lc->wid, mp, 1, &res);
	switch (res.action) {
	case ACL_ACTION_ALLOW:
		if (res.stateful && pol->ct && conntrack_commit(pol->ct, meta, f, now) == -ENOSPC)
			return DP_DROP_CT_FULL;
		return 0;
	case ACL_ACTION_REJECT:
		return DP_DROP_ACL_REJECT;
	default:
		return DP_DROP_ACL_DROP;
	}
}

int
dp_pol_ingress(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in,
	       const struct dp_port_policy *pol, struct rte_mbuf *m, const struct dp_meta *meta,
	       bool dst_known, uint64_t now)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	int r;

	if (pol->security && (r = security_ingress(pol, f, meta)))
		return r;
	if (pol->storm) {
		enum storm_class c = storm_classify(meta, dst_known);
		if (!storm_allow(pol->storm, c, now))
			return c == STORM_BROADCAST ? DP_DROP_STORM_BCAST
			       : c == STORM_MULTICAST ? DP_DROP_STORM_MCAST : DP_DROP_STORM_UNKNOWN;
	}
	if (pol->policer && !tbucket_police(pol->policer, m->pkt_len, now))
		return DP_DROP_POLICER;
	if (pol->acl) {
		r = acl_stage(lc, pol, ACL_DIR_FROM_PORT, m, meta, now);
		if (r == DP_DROP_ACL_REJECT)
			dp_pol_reject(lc, t, in, m, meta);
		if (r)
			return r;
	}
	return 0;
}

int
dp_pol_egress(struct dp_lcore *lc, const struct dp_tables *t, uint16_t dst,
	      const struct dp_port_policy *pol, struct rte_mbuf *m, const struct dp_meta *meta,
	      uint64_t now)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);

	/* MAC changes off: unicast only to the configured MAC (promiscuous ports see all). */
	if (pol->security && pol->has_mac && !pol->allow_mac_changes && !pol->allow_promisc &&
	    !(f[0] & 1) && memcmp(f, pol->mac, 6))
		return DP_DROP_MAC_CHANGE;
	if (!pol->acl)
		return 0;
	return acl_stage(lc, pol, ACL_DIR_TO_PORT, m, meta, now);
}

uint16_t
dp_pol_shape(struct dp_lcore *lc, const struct dp_port_policy *pol, uint16_t port,
	     struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	unsigned q = shaper_enqueue(pol->shaper, pkts, n);

	if (q < n) {
		lc->drops[DP_DROP_SHAPER_FULL] += n - q;
		lc->port[port].tx_dropped += n - q;
		rte_pktmbuf_free_bulk(&pkts[q], n - q);
	}
	return (uint16_t)shaper_poll(pol->shaper, now, pkts, DP_BURST);
}

uint64_t
dp_pol_poll(struct dp_lcore *lc, const struct dp_tables *t, uint64_t now)
{
	uint16_t last = UINT16_MAX;
	uint64_t wait = UINT64_MAX;

	for (uint16_t i = 0; i < t->n_rxq[lc->wid]; i++) {
		uint16_t port = t->rxq[lc->wid][i].port;
		const struct dp_port_policy *pol = t->ports[port].pol;
		if (!pol || port == last)
			continue;
		last = port;
		if (pol->shaper && shaper_backlog(pol->shaper)) {
			dp_tx_shaped(lc, t, port, now);
			if (shaper_backlog(pol->shaper))
				wait = RTE_MIN(wait, shaper_wait_ticks(pol->shaper, now));
		}
		if (pol->ct)
			conntrack_expire(pol->ct, now, 16);
	}
	return wait;
}
