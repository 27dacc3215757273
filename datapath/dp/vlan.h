/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* VLAN policy of a port, as the fast path sees it: which segment an arriving frame belongs to,
 * and whether a leaving frame may go out and with or without a tag.  Access and trunk modes,
 * native VLAN, and the VLAN-hopping guard.  Pure functions; fast-path safe. */

#include <stdbool.h>
#include <stdint.h>

#include "drop.h"
#include "parse.h"

struct vlan_port {
	uint8_t trunk;       /* 0 = access */
	uint16_t tag;        /* access VLAN */
	uint16_t native;     /* trunk: VLAN of untagged frames; 0 = untagged dropped */
	uint64_t allowed[64]; /* trunk: allowed VLAN bitmap (includes native) */
};

static inline bool
vlan_allowed(const struct vlan_port *v, uint16_t vid)
{
	return (v->allowed[vid >> 6] >> (vid & 63)) & 1;
}

/* Classifies an arriving frame.  Returns 0 with *vid set, or the drop reason (> 0).
 * A priority tag (VID 0) counts as untagged. */
static inline int
vlan_ingress(const struct vlan_port *v, const struct dp_meta *m, uint16_t *vid)
{
	if (!v->trunk) {
		if (m->n_vlans > 1)
			return DP_DROP_VLAN_DOUBLE_TAGGED;
		if (m->n_vlans == 1 && m->vlan != 0 && m->vlan != v->tag)
			return DP_DROP_VLAN_DISALLOWED;
		*vid = v->tag;
		return 0;
	}
	if (m->n_vlans == 0 || m->vlan == 0) {
		if (!v->native)
			return DP_DROP_VLAN_UNTAGGED;
		*vid = v->native;
		return 0;
	}
	if (!vlan_allowed(v, m->vlan))
		return DP_DROP_VLAN_DISALLOWED;
	*vid = m->vlan;
	return 0;
}

/* Decides how a frame of VLAN 'vid' leaves port 'v'.  Returns false if the port is not a
 * member of 'vid'; otherwise true with *tagged telling whether it goes out with a tag. */
static inline bool
vlan_egress(const struct vlan_port *v, uint16_t vid, bool *tagged)
{
	if (!v->trunk) {
		*tagged = false;
		return vid == v->tag;
	}
	if (!vlan_allowed(v, vid))
		return false;
	*tagged = vid != v->native;
	return true;
}
