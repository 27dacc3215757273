/* SPDX-License-Identifier: Apache-2.0 */
/* Policy stages of the pipeline; see pol.h for ownership rules. */
#include "pol.h"

#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>

#include "policy/reject.h"

/* Drop reasons travel in uint8_t verdict arrays. */
_Static_assert(DP_DROP_MAX <= 256, "dp_drop must fit in a byte");

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

/* The ACL with connection tracking for 'n' frames crossing one port in direction 'dir', in
 * frame order: 'why[k]' gets 0, DP_DROP_ACL_REJECT (the caller sends the reply) or another drop
 * reason.  Conntrack lookups first (a known connection skips the ACL), one classify for the
 * misses, then the commits in frame order.  A miss that follows a commit of this burst is
 * looked up again: it may belong to the connection just opened (a SYN and its retransmission,
 * the first datagram and the next), as it would had the frames run one at a time; its ACL
 * verdict is then unused and its hit taken back. */
static void
acl_burst(struct dp_lcore *lc, const struct dp_port_policy *pol, enum acl_dir dir,
	  struct rte_mbuf *const m[], const struct dp_meta *const mp[], uint16_t n, uint64_t now,
	  uint8_t why[])
{
	const struct dp_meta *cm[DP_EGQ_MAX];
	struct acl_result res[DP_EGQ_MAX];
	uint16_t ci[DP_EGQ_MAX], nc = 0;
	bool committed = false;

	for (uint16_t k = 0; k < n; k++) {
		enum conntrack_verdict v = pol->ct ? conntrack_lookup(pol->ct, mp[k],
				rte_pktmbuf_mtod(m[k], const uint8_t *), now) : CT_MISS;
		why[k] = v == CT_INVALID ? DP_DROP_CT_INVALID : 0;
		if (v == CT_MISS) {
			cm[nc] = mp[k];
			ci[nc++] = k;
		}
	}
	if (nc == 0)
		return;
	acl_classify_cached(pol->acl, dir, lc->wid, lc->acl_cache, cm, nc, res);
	for (uint16_t c = 0; c < nc; c++) {
		uint16_t k = ci[c];
		const uint8_t *f = rte_pktmbuf_mtod(m[k], const uint8_t *);

		if (committed) {
			enum conntrack_verdict v = conntrack_lookup(pol->ct, mp[k], f, now);
			if (v != CT_MISS) {
				acl_uncount(pol->acl, dir, lc->wid, &res[c]);
				why[k] = v == CT_INVALID ? DP_DROP_CT_INVALID : 0;
				continue;
			}
		}
		switch (res[c].action) {
		case ACL_ACTION_ALLOW:
			if (res[c].stateful && pol->ct) {
				int r = conntrack_commit(pol->ct, mp[k], f, now);
				committed |= r == 0;
				why[k] = r == -ENOSPC ? DP_DROP_CT_FULL : 0;
			}
			break;
		case ACL_ACTION_REJECT:
			why[k] = DP_DROP_ACL_REJECT;
			break;
		default:
			why[k] = DP_DROP_ACL_DROP;
			break;
		}
	}
}

/* The ingress stages before the ACL; each changes state per frame (the policer's and storm
 * control's buckets), so they run frame by frame in order. */
static int
pre_acl_ingress(const struct dp_port_policy *pol, const struct rte_mbuf *m,
		const struct dp_meta *meta, bool dst_known, uint64_t now)
{
	int r;

	if (pol->security && (r = security_ingress(pol, rte_pktmbuf_mtod(m, const uint8_t *), meta)))
		return r;
	if (pol->storm) {
		enum storm_class c = storm_classify(meta, dst_known);
		if (!storm_allow(pol->storm, c, now))
			return c == STORM_BROADCAST ? DP_DROP_STORM_BCAST
			       : c == STORM_MULTICAST ? DP_DROP_STORM_MCAST : DP_DROP_STORM_UNKNOWN;
	}
	if (pol->policer && !tbucket_police(pol->policer, m->pkt_len, now))
		return DP_DROP_POLICER;
	return 0;
}

void
dp_pol_ingress_burst(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in,
		     const struct dp_port_policy *pol, struct rte_mbuf *const pkts[],
		     const struct dp_meta *const metas[], const uint8_t dst_known[], uint16_t n, uint64_t now,
		     uint8_t why[])
{
	struct rte_mbuf *am[DP_BURST];
	const struct dp_meta *mp[DP_BURST];
	uint8_t aw[DP_BURST];
	uint16_t ai[DP_BURST], na = 0;
	bool policed = false;

	/* With no stage before it that could drop a frame, the policer can take the whole burst
	 * in one go when it has the tokens: the same outcome as frame by frame (see
	 * tbucket_police_bulk), which is still how a burst that does not fit is policed. */
	if (pol->policer && !pol->security && !pol->storm) {
		uint64_t bytes = 0;

		for (uint16_t i = 0; i < n; i++)
			bytes += pkts[i]->pkt_len;
		policed = tbucket_police_bulk(pol->policer, bytes, n, now);
	}
	for (uint16_t i = 0; i < n; i++) {
		why[i] = policed ? 0 : (uint8_t)pre_acl_ingress(pol, pkts[i], metas[i], dst_known[i], now);
		if (why[i] == 0 && pol->acl) {
			am[na] = pkts[i];
			mp[na] = metas[i];
			ai[na++] = i;
		}
	}
	if (na)
		acl_burst(lc, pol, ACL_DIR_FROM_PORT, am, mp, na, now, aw);
	for (uint16_t k = 0; k < na; k++) {
		why[ai[k]] = aw[k];
		if (aw[k] == DP_DROP_ACL_REJECT)
			dp_pol_reject(lc, t, in, am[k], mp[k]);
	}
}

/* MAC changes off: unicast only to the configured MAC (promiscuous ports see all). */
static bool
mac_change_check(const struct dp_port_policy *pol)
{
	return pol->security && pol->has_mac && !pol->allow_mac_changes && !pol->allow_promisc;
}

void
dp_pol_finish(struct dp_port_policy *pol)
{
	pol->egress_pass = !mac_change_check(pol) && !pol->ct &&
			   (!pol->acl || (acl_dir_is_default(pol->acl, ACL_DIR_TO_PORT) &&
					  acl_default_action(pol->acl) == ACL_ACTION_ALLOW));
}

void
dp_pol_tables_flags(struct dp_tables *t)
{
	t->has_policy = 0;
	t->egress_meta = 0;
	for (uint16_t i = 0; i < t->n_ports; i++) {
		const struct dp_port_policy *pol = t->ports[i].pol;
		if (!pol)
			continue;
		t->has_policy = 1;
		t->egress_meta |= !pol->egress_pass;
	}
}

/* The egress stages of 'n' frames to port 'dst' (q[idx[k]]), which has a policy. */
static void
egress_port(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in, uint16_t dst,
	    struct dp_egress *q, const uint16_t idx[], uint16_t n, uint64_t now)
{
	const struct dp_port *p = &t->ports[dst];
	const struct dp_port_policy *pol = p->pol;
	rte_spinlock_t *l = &lc->dp->txlock[dst][lc->wid % p->n_txq];
	struct rte_mbuf *am[DP_EGQ_MAX];
	const struct dp_meta *mp[DP_EGQ_MAX];
	uint8_t aw[DP_EGQ_MAX];
	uint16_t ai[DP_EGQ_MAX], na = 0;
	bool mac_only = mac_change_check(pol);

	for (uint16_t k = 0; k < n; k++) {
		struct dp_egress *e = &q[idx[k]];
		const uint8_t *f = rte_pktmbuf_mtod(e->m, const uint8_t *);

		e->why = mac_only && !(f[0] & 1) && memcmp(f, pol->mac, 6) ? DP_DROP_MAC_CHANGE : 0;
		if (e->why == 0 && pol->acl) {
			am[na] = e->m;
			mp[na] = e->meta;
			ai[na++] = idx[k];
		}
	}
	if (na == 0)
		return;
	/* The port's connection table belongs to its poll lcore: other lcores take the lock. */
	if (p->tx_locked)
		rte_spinlock_lock(l);
	acl_burst(lc, pol, ACL_DIR_TO_PORT, am, mp, na, now, aw);
	if (p->tx_locked)
		rte_spinlock_unlock(l);
	for (uint16_t k = 0; k < na; k++) {
		q[ai[k]].why = aw[k];
		if (aw[k] == DP_DROP_ACL_REJECT)
			dp_pol_reject(lc, t, in, am[k], mp[k]);
	}
}

void
dp_pol_egress_burst(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in,
		    struct dp_egress q[], uint16_t n, uint64_t now)
{
	uint8_t done[DP_EGQ_MAX] = {0};
	uint16_t idx[DP_EGQ_MAX];

	for (uint16_t i = 0; i < n; i++) {
		uint16_t dst = q[i].dst, ni = 0;

		if (done[i])
			continue;
		for (uint16_t j = i; j < n; j++)
			if (q[j].dst == dst) {
				done[j] = 1;
				idx[ni++] = j;
			}
		egress_port(lc, t, in, dst, q, idx, ni, now);
	}
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
