/* SPDX-License-Identifier: Apache-2.0 */
/* Builds one immutable fast-path table generation from the control thread's ports and swaps
 * it in under RCU.  The only way configuration reaches the poll lcores. */
#define DVS_LOG_MODULE "dvs.publish"
#include "datapath/switchd.h"
#include "datapath/dp/pol.h"

#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

static void
fill_vlan(struct vlan_port *v, const struct dvs_port_conf *c)
{
	memset(v, 0, sizeof(*v));
	v->trunk = c->vlan_mode == DVS_VLAN_TRUNK;
	v->tag = c->tag;
	v->native = c->native_vlan;
	memcpy(v->allowed, c->trunks, sizeof(v->allowed));
	if (c->segment) {
		/* An overlay port: its untagged frames belong to the overlay segment. */
		v->trunk = 0;
		v->tag = c->segment;
	}
}

/* Counts port or tunnel 'i' in segment 's' (pass 0), or puts it at the segment's next
 * free slot (pass 1). */
static inline void
member_add(struct dp_tables *t, uint32_t *fill, unsigned s, unsigned i, int pass)
{
	if (pass == 0)
		t->seg_n[s]++;
	else
		t->members[fill[s]++] = (uint16_t)i;
}

/* Enters port or tunnel 'i' in the flood list of every segment it belongs to: an access
 * port its VLAN or overlay segment, a trunk its allowed VLANs, a tunnel the overlay
 * segments whose flood list names it. */
static void
port_segments(struct dp_tables *t, const struct switchd *sw, unsigned i, uint32_t *fill, int pass)
{
	const struct vlan_port *v = &t->ports[i].vlan;

	if (i >= DP_TUNNEL_BASE) {
		unsigned k = i - DP_TUNNEL_BASE;
		if (!t->ports[i].enabled)
			return;
		for (unsigned o = 0; o < DP_MAX_OVERLAY; o++)
			if (sw->ov.segs[o].used && (sw->ov.segs[o].tuns[k / 64] >> (k % 64)) & 1)
				member_add(t, fill, DP_SEG_OVERLAY + o, i, pass);
		return;
	}
	if (!sw->ports[i].used)
		return;
	if (!v->trunk) {
		if (v->tag < DP_SEG_OVERLAY || sw->ov.segs[v->tag - DP_SEG_OVERLAY].used)
			member_add(t, fill, v->tag, i, pass);
		return;
	}
	for (unsigned w = 0; w < DP_SEG_OVERLAY / 64; w++)
		for (uint64_t b = v->allowed[w]; b; b &= b - 1)
			member_add(t, fill, w * 64 + (unsigned)__builtin_ctzll(b), i, pass);
}

/* Flood lists: for every segment (VLAN or overlay), its ports in index order, then its
 * tunnels.  Each port enumerates its own segments: testing every port against each of the
 * 5120 segments cost a simulated host about 2 ms per publish. */
static int
build_members(struct dp_tables *t, const struct switchd *sw)
{
	uint32_t fill[DP_MAX_SEGS], total = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < t->n_ports; i++)
			port_segments(t, sw, i, fill, pass);
		for (unsigned i = DP_TUNNEL_BASE; i < DP_TUNNEL_BASE + (unsigned)t->n_tunnels; i++)
			port_segments(t, sw, i, fill, pass);
		if (pass)
			break;
		for (unsigned s = 0; s < DP_MAX_SEGS; s++) {
			t->seg_off[s] = fill[s] = total;
			total += t->seg_n[s];
		}
		if (!(t->members = malloc(sizeof(*t->members) * (total ? total : 1))))
			return -ENOMEM;
	}
	return 0;
}

/* Spreads the rx queues over the poll lcores, round robin. */
static void
assign_rxqs(struct dp_tables *t, const struct switchd *sw)
{
	unsigned w = 0, nw = sw->dp.n_workers;

	for (unsigned i = 0; i < t->n_ports; i++) {
		const struct sw_port *p = &sw->ports[i];
		if (!p->used)
			continue;
		/* A port with policy keeps all its queues on one lcore: its ingress state
		 * (conntrack, policer, storm buckets) has a single owner. */
		unsigned pw = w;
		for (uint16_t q = 0; q < p->n_rxq; q++) {
			unsigned ww = p->pol ? pw : w;
			struct dp_rxq *r = &t->rxq[ww][t->n_rxq[ww]++];
			r->port = p->idx;
			r->eth_port = p->eth_port;
			r->queue = q;
			r->is_vhost = p->conf.type == DVS_PORT_VHOST;
			w = (w + 1) % nw;
		}
	}
}

int
sw_publish(struct switchd *sw)
{
	struct dp_tables *t = calloc(1, sizeof(*t)), *old;

	if (!t)
		return -ENOMEM;
	t->uplink = DP_SEG_NONE;
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		const struct sw_port *p = &sw->ports[i];
		struct dp_port *d = &t->ports[i];
		if (!p->used)
			continue;
		t->n_ports = (uint16_t)(i + 1);
		d->enabled = 1;
		d->is_uplink = p->conf.type == DVS_PORT_UPLINK;
		d->eth_port = p->eth_port;
		d->is_vhost = p->conf.type == DVS_PORT_VHOST;
		d->n_txq = p->n_txq;
		d->pol = p->pol;
		d->mig_epoch = p->conf.mig_epoch;
		d->hold = p->hold;
		if (p->hold)
			t->has_hold = 1;
		/* A policy's egress state (conntrack, shaper) has one writer at a time. */
		d->tx_locked = p->n_txq < sw->dp.n_workers || (p->pol && sw->dp.n_workers > 1);
		/* Promiscuous only where the policy allows it (vDS: security "promiscuous
		 * mode: accept"); the uplink already sees everything it must carry. */
		d->promisc = p->pol && p->pol->allow_promisc && !d->is_uplink;
		if (d->promisc)
			t->has_promisc = 1;
		/* Only with a policy: its frames are parsed whole, ARP included. */
		d->arp_sup = p->pol && !d->is_uplink && sw_arp_port_on(&p->conf);
		fill_vlan(&d->vlan, &p->conf);
		if (d->is_uplink && t->uplink == DP_SEG_NONE)
			t->uplink = p->idx;
	}
	dp_pol_tables_flags(t);
	sw_overlay_fill(sw, t);
	if (build_members(t, sw) < 0) {
		free(t);
		return -ENOMEM;
	}
	assign_rxqs(t, sw);
	t->gen = ++sw->gen;
	old = __atomic_exchange_n(&sw->dp.tables, t, __ATOMIC_ACQ_REL);
	rte_rcu_qsbr_synchronize(sw->dp.qs, RTE_QSBR_THRID_INVALID);
	if (old) {
		free(old->members);
		free(old);
	}
	DVS_LOG(DEBUG, "published generation %llu", (unsigned long long)t->gen);
	/* Ports came, went or changed: so may their IP-MAC bindings. */
	sw_arp_refresh(sw);
	return 0;
}

bool
sw_port_segment(const struct dvs_port_conf *c, uint16_t *seg)
{
	if (c->segment)
		*seg = c->segment;
	else if (c->vlan_mode == DVS_VLAN_ACCESS)
		*seg = c->tag;
	else if (c->native_vlan)
		*seg = c->native_vlan;
	else
		return false;
	return true;
}

void
sw_fdb_install_static(struct switchd *sw, const struct sw_port *p)
{
	const struct dvs_port_conf *c = &p->conf;
	uint16_t seg;

	/* A trunk's MAC has no single segment. */
	if (!c->has_mac || !sw_port_segment(c, &seg))
		return;
	if (fdb_add_static(sw->dp.fdb, seg, c->mac, p->idx) < 0)
		DVS_LOG(WARN, "port %s: static MAC not installed (FDB full)", c->name);
}
