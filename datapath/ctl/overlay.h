/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The overlay as the control thread keeps it: overlay segments (DB Segment rows in use by
 * local ports, with their VNI), tunnels (one per remote VTEP, with the outer-header template
 * built from the next hop that datapath/nh/ resolves and follows), which tunnels flood which
 * segment, and the MAC locations published by the controller (installed in the FDB so known
 * remote MACs are never flooded).  publish.c copies it into each table generation. */

#include <stdbool.h>
#include <stdint.h>

#include "datapath/dp/dp.h"
#include "datapath/dp/vxlan.h"

struct switchd;
struct nh_cache;

struct sw_seg {
	bool used;
	char uuid[40];
	uint32_t vni;
	uint64_t tuns[DP_MAX_TUNNELS / 64]; /* flood list: tunnel slots */
};

struct sw_tunnel {
	bool used;
	uint32_t ip_be;
	int status;          /* nh_resolve(): 0 resolved, -EAGAIN pending, ... */
	uint16_t mtu;        /* tunnel MTU (outer IP packet) */
	struct vxlan_tmpl tmpl;
};

struct sw_overlay {
	uint32_t vtep_be; /* the host's VTEP (config vtep_ip); 0: overlay off */
	uint16_t wan_mtu; /* the site's WAN MTU, 0 if none */
	struct sw_seg segs[DP_MAX_OVERLAY];
	struct sw_tunnel tuns[DP_MAX_TUNNELS];
	struct nh_cache *nh;
	void *published; /* json object "seg/mac" -> tunnel slot, as installed in the FDB */
};

/* Starts the overlay (nh cache on the control loop).  Returns 0 or -errno. */
int sw_overlay_init(struct switchd *sw);
void sw_overlay_fini(struct switchd *sw);
/* The segment slot of Segment 'uuid' with 'vni', allocated if new.  Returns the slot or -1. */
int sw_overlay_seg(struct switchd *sw, const char *uuid, uint32_t vni);
/* Starts a new desired state: every segment and tunnel unmarked. */
void sw_overlay_begin(struct switchd *sw);
/* Marks 'seg' in use and adds remote VTEP 'ip_be' to its flood list (resolving its tunnel). */
void sw_overlay_add_vtep(struct switchd *sw, int seg, uint32_t ip_be);
/* Keeps a tunnel to every other host of the cluster ('ip_be'), flooded or not, so traffic
 * from any of them is accepted and MACs learned behind it (a VM that just moved there).
 * Returns the tunnel's port index or -1. */
int sw_overlay_add_peer(struct switchd *sw, uint32_t ip_be);
/* Keeps segment slot 'seg' and its previous flood list (a port being handed over). */
void sw_overlay_keep_seg(struct switchd *sw, int seg);
/* Frees segments and tunnels not marked since sw_overlay_begin(). */
void sw_overlay_end(struct switchd *sw);
/* The tunnel pseudo-port index of 'ip_be', or -1. */
int sw_overlay_tunnel_port(const struct switchd *sw, uint32_t ip_be);
/* Replaces the published MAC locations in the FDB with 'locs': a json object mapping
 * "SEG/MAC" to the tunnel port index.  Takes a reference to 'locs'. */
void sw_overlay_set_macs(struct switchd *sw, void *locs);
/* The WAN MTU of this host's site (0: none): bounds tunnels whose path is routed. */
void sw_overlay_set_wan_mtu(struct switchd *sw, uint16_t mtu);
/* Fills the overlay part of a table generation. */
void sw_overlay_fill(const struct switchd *sw, struct dp_tables *t);
