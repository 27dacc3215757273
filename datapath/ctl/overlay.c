/* SPDX-License-Identifier: Apache-2.0 */
/* Overlay control: segments, tunnels and their outer headers, published MAC locations. */
#define DVS_LOG_MODULE "dvs.overlay"
#include "overlay.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "datapath/nh/nh.h"
#include "datapath/switchd.h"
#include "lib/log.h"
#include "uplink_xdp.h"

/* Builds (or clears) the template of tunnel 'i' from its next-hop result. */
static void
tunnel_update(struct switchd *sw, struct sw_tunnel *tn, const struct nh_result *r)
{
	struct sw_overlay *ov = &sw->ov;
	struct vxlan_tmpl_params p = {0};
	char ip[INET_ADDRSTRLEN];
	int old = tn->status;

	inet_ntop(AF_INET, &tn->ip_be, ip, sizeof(ip));
	tn->status = r->status;
	if (r->status != 0) {
		if (old == 0 || old == 1)
			DVS_LOG(WARN, "tunnel to %s: next hop %s", ip,
				r->status == -EAGAIN ? "being resolved" : strerror(-r->status));
		return;
	}
	memcpy(&p.dst_mac, r->nh_mac, 6);
	memcpy(&p.src_mac, r->if_mac, 6);
	p.src.family = AF_INET;
	p.src.v4_be = ov->vtep_be;
	p.dst.family = AF_INET;
	p.dst.v4_be = tn->ip_be;
	p.df = true;
	uint32_t mtu = r->route_mtu ? r->route_mtu : r->if_mtu;
	/* A routed path to a VTEP leaves the site: the site's WAN MTU bounds it. */
	if (r->via_gateway && ov->wan_mtu && ov->wan_mtu < mtu)
		mtu = ov->wan_mtu;
	p.mtu = (uint16_t)(mtu ? mtu : 1500);
	if (vxlan_tmpl_build(&tn->tmpl, &p) < 0) {
		tn->status = -EINVAL;
		DVS_LOG(ERR, "tunnel to %s: cannot build outer headers", ip);
		return;
	}
	tn->mtu = p.mtu;
	DVS_LOG(INFO, "tunnel to %s: via %s, next hop %02x:%02x:%02x:%02x:%02x:%02x, MTU %u", ip,
		r->ifname, r->nh_mac[0], r->nh_mac[1], r->nh_mac[2], r->nh_mac[3], r->nh_mac[4],
		r->nh_mac[5], p.mtu);
}

static void
on_nh_change(struct nh_cache *c, const struct nh_result *r, void *arg)
{
	struct switchd *sw = arg;

	for (unsigned i = 0; i < DP_MAX_TUNNELS; i++) {
		struct sw_tunnel *tn = &sw->ov.tuns[i];
		if (tn->used && r->dst.family == AF_INET && r->dst.v4.s_addr == tn->ip_be) {
			tunnel_update(sw, tn, r);
			/* The followed change (new neighbour MAC, new route) reaches the lcores. */
			sw_publish(sw);
		}
	}
}

int
sw_overlay_init(struct switchd *sw)
{
	struct in_addr a;

	if (!sw->conf.vtep_ip[0])
		return 0;
	if (inet_pton(AF_INET, sw->conf.vtep_ip, &a) != 1)
		return -EINVAL;
	sw->ov.vtep_be = a.s_addr;
	sw->ov.nh = nh_cache_create(sw->loop, on_nh_change, sw);
	sw->ov.published = json_object();
	return sw->ov.nh ? 0 : -errno;
}

void
sw_overlay_fini(struct switchd *sw)
{
	nh_cache_destroy(sw->ov.nh);
	sw->ov.nh = NULL;
	json_decref(sw->ov.published);
	sw->ov.published = NULL;
}

static bool marked_seg[DP_MAX_OVERLAY], marked_tun[DP_MAX_TUNNELS];
static uint64_t prev_tuns[DP_MAX_OVERLAY][DP_MAX_TUNNELS / 64];

void
sw_overlay_begin(struct switchd *sw)
{
	memset(marked_seg, 0, sizeof(marked_seg));
	memset(marked_tun, 0, sizeof(marked_tun));
	for (unsigned i = 0; i < DP_MAX_OVERLAY; i++) {
		memcpy(prev_tuns[i], sw->ov.segs[i].tuns, sizeof(prev_tuns[i]));
		memset(sw->ov.segs[i].tuns, 0, sizeof(sw->ov.segs[i].tuns));
	}
}

void
sw_overlay_keep_seg(struct switchd *sw, int seg)
{
	if (seg < 0 || seg >= DP_MAX_OVERLAY || !sw->ov.segs[seg].used)
		return;
	marked_seg[seg] = true;
	for (unsigned k = 0; k < DP_MAX_TUNNELS; k++)
		if ((prev_tuns[seg][k / 64] >> (k % 64)) & 1) {
			sw->ov.segs[seg].tuns[k / 64] |= 1ull << (k % 64);
			marked_tun[k] = true;
		}
}

int
sw_overlay_seg(struct switchd *sw, const char *uuid, uint32_t vni)
{
	int free_slot = -1;

	for (int i = 0; i < DP_MAX_OVERLAY; i++) {
		struct sw_seg *s = &sw->ov.segs[i];
		if (s->used && !strcmp(s->uuid, uuid)) {
			s->vni = vni;
			marked_seg[i] = true;
			return i;
		}
		if (!s->used && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return -1;
	struct sw_seg *s = &sw->ov.segs[free_slot];
	memset(s, 0, sizeof(*s));
	s->used = true;
	snprintf(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->vni = vni;
	marked_seg[free_slot] = true;
	return free_slot;
}

int
sw_overlay_tunnel_port(const struct switchd *sw, uint32_t ip_be)
{
	for (int i = 0; i < DP_MAX_TUNNELS; i++)
		if (sw->ov.tuns[i].used && sw->ov.tuns[i].ip_be == ip_be)
			return DP_TUNNEL_BASE + i;
	return -1;
}

void
sw_overlay_add_vtep(struct switchd *sw, int seg, uint32_t ip_be)
{
	int slot = sw_overlay_add_peer(sw, ip_be);

	if (slot < 0)
		return;
	unsigned k = (unsigned)slot - DP_TUNNEL_BASE;
	sw->ov.segs[seg].tuns[k / 64] |= 1ull << (k % 64);
}

int
sw_overlay_add_peer(struct switchd *sw, uint32_t ip_be)
{
	int slot = sw_overlay_tunnel_port(sw, ip_be);

	if (ip_be == sw->ov.vtep_be || !sw->ov.nh || !ip_be)
		return -1;
	if (slot < 0) {
		for (int i = 0; i < DP_MAX_TUNNELS; i++)
			if (!sw->ov.tuns[i].used) {
				struct sw_tunnel *tn = &sw->ov.tuns[i];
				struct nh_result r;
				struct nh_addr a = {.family = AF_INET};
				memset(tn, 0, sizeof(*tn));
				tn->used = true;
				tn->ip_be = ip_be;
				tn->status = 1; /* never resolved */
				a.v4.s_addr = ip_be;
				nh_resolve(sw->ov.nh, &a, &r);
				tunnel_update(sw, tn, &r);
				slot = DP_TUNNEL_BASE + i;
				break;
			}
		if (slot < 0) {
			DVS_LOG_RL(ERR, "at most %d remote VTEPs", DP_MAX_TUNNELS);
			return -1;
		}
	}
	marked_tun[(unsigned)slot - DP_TUNNEL_BASE] = true;
	return slot;
}

void
sw_overlay_end(struct switchd *sw)
{
	for (unsigned i = 0; i < DP_MAX_OVERLAY; i++)
		if (sw->ov.segs[i].used && !marked_seg[i])
			sw->ov.segs[i].used = false;
	for (unsigned i = 0; i < DP_MAX_TUNNELS; i++) {
		struct sw_tunnel *tn = &sw->ov.tuns[i];
		if (tn->used && !marked_tun[i]) {
			struct nh_addr a = {.family = AF_INET};
			a.v4.s_addr = tn->ip_be;
			nh_forget(sw->ov.nh, &a);
			tn->used = false;
			/* Remote MACs learned behind it go with it. */
			fdb_flush(sw->dp.fdb, (uint16_t)(DP_TUNNEL_BASE + i), true);
		}
	}
	/* The uplink's XDP program steers exactly the VNIs of the segments kept. */
	uplink_xdp_sync(sw);
}

/* The FDB key of a published location's key "SEG/MAC"; false if it is not one. */
static bool
published_key(const char *key, struct fdb_key *k)
{
	unsigned seg;

	memset(k, 0, sizeof(*k));
	if (sscanf(key, "%u/%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &seg, &k->mac[0], &k->mac[1],
		   &k->mac[2], &k->mac[3], &k->mac[4], &k->mac[5]) != 7)
		return false;
	k->seg = (uint16_t)seg;
	return true;
}

/* Where the FDB places 'k' now (FDB_PORT_NONE: nowhere). */
static uint16_t
fdb_port_now(const struct switchd *sw, const struct fdb_key *k)
{
	uint16_t now;

	fdb_lookup_bulk(sw->dp.fdb, &k, 1, &now, NULL);
	return now;
}

void
sw_overlay_set_macs(struct switchd *sw, void *locs_v)
{
	json_t *locs = locs_v, *old = sw->ov.published;
	const char *key;
	json_t *v;

	/* Remove what is no longer published, then install the new locations.  A moved location
	 * is not removed first but overwritten below: in between, its frames would be flooded
	 * as unknown.  A withdrawn one that learning has moved since (a migrated VM's
	 * announcement) stays where learning put it. */
	json_object_foreach(old, key, v) {
		struct fdb_key k;
		if (!json_object_get(locs, key) && published_key(key, &k) &&
		    fdb_port_now(sw, &k) == (uint16_t)json_integer_value(v))
			fdb_del(sw->dp.fdb, k.seg, k.mac);
	}
	json_object_foreach(locs, key, v) {
		struct fdb_key k;
		json_t *was = json_object_get(old, key);
		if (!published_key(key, &k))
			continue;
		/* An unchanged publication is not re-installed over a MAC that learning has moved
		 * since (a migrated VM's announcement): the controller's next publication says so.
		 * One that is missing (flushed with a tunnel) is. */
		if (was && json_integer_value(was) == json_integer_value(v) &&
		    fdb_port_now(sw, &k) != FDB_PORT_NONE)
			continue;
		fdb_add_published(sw->dp.fdb, k.seg, k.mac, (uint16_t)json_integer_value(v));
	}
	sw->ov.published = json_incref(locs);
	json_decref(old);
}

void
sw_overlay_fill(const struct switchd *sw, struct dp_tables *t)
{
	const struct sw_overlay *ov = &sw->ov;

	t->vtep_be = ov->vtep_be;
	for (unsigned i = 0; i < DP_MAX_OVERLAY; i++) {
		const struct sw_seg *s = &ov->segs[i];
		if (!s->used || !s->vni)
			continue;
		t->seg_vni[i] = s->vni;
		for (uint32_t h = s->vni & (DP_VNI_MAP_SIZE - 1);; h = (h + 1) & (DP_VNI_MAP_SIZE - 1))
			if (t->vni_map[h].vni == 0) {
				t->vni_map[h].vni = s->vni;
				t->vni_map[h].seg = (uint16_t)(DP_SEG_OVERLAY + i);
				break;
			}
	}
	for (unsigned i = 0; i < DP_MAX_TUNNELS; i++) {
		const struct sw_tunnel *tn = &ov->tuns[i];
		struct dp_port *d = &t->ports[DP_TUNNEL_BASE + i];
		if (!tn->used || t->uplink == DP_SEG_NONE)
			continue;
		t->n_tunnels = (uint16_t)(i + 1);
		t->tun_ip[i] = tn->ip_be;
		d->enabled = 1;
		d->is_tunnel = 1;
		d->is_uplink = 1; /* split horizon: nothing from one tunnel goes into another */
		d->tun_out = t->uplink;
		d->n_txq = 1;
		if (tn->status == 0) {
			t->tun_tmpl[i] = tn->tmpl;
			d->tmpl = &t->tun_tmpl[i];
		}
	}
}

void
sw_overlay_set_wan_mtu(struct switchd *sw, uint16_t mtu)
{
	if (sw->ov.wan_mtu == mtu)
		return;
	sw->ov.wan_mtu = mtu;
	/* Rebuild every tunnel's template with the new bound. */
	for (unsigned i = 0; i < DP_MAX_TUNNELS; i++) {
		struct sw_tunnel *tn = &sw->ov.tuns[i];
		struct nh_result r;
		struct nh_addr a = {.family = AF_INET};
		if (!tn->used)
			continue;
		a.v4.s_addr = tn->ip_be;
		nh_resolve(sw->ov.nh, &a, &r);
		tunnel_update(sw, tn, &r);
	}
}
