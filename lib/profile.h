/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The port-profile model: a Port's effective profile is its PortGroup's columns overridden
 * by Port.overrides.  One implementation shared by dvs-controller (which validates and writes
 * the reasons to config_error) and dvs-switchd (which applies the result to the fast path),
 * so the two can never disagree on what a row means.  Pure: no I/O, any thread. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define DVS_PROFILE_VLAN_MAX 4094
#define DVS_PROFILE_VLAN_WORDS 64 /* 4096 bits */
#define DVS_PROFILE_KEY_MAX 64    /* Port.key and host names: 63 characters + NUL */
#define DVS_PROFILE_UUID_SIZE 37
#define DVS_PROFILE_IFNAME_MAX 16 /* IFNAMSIZ */
#define DVS_PROFILE_PATH_MAX 108  /* sun_path */
#define DVS_PROFILE_MTU_DEFAULT 1500
/* Shaper limits, the same as the datapath's token buckets (datapath/dp/policy/tbucket.h). */
#define DVS_PROFILE_RATE_MIN 8000ULL
#define DVS_PROFILE_RATE_MAX 400000000000ULL
#define DVS_PROFILE_BURST_MIN 1518ULL
#define DVS_PROFILE_BURST_MAX (1ULL << 32)

enum dvs_profile_vlan_mode {
	DVS_PROFILE_ACCESS,
	DVS_PROFILE_TRUNK,
};

enum dvs_profile_acl_action {
	DVS_PROFILE_ACL_ALLOW,
	DVS_PROFILE_ACL_DROP,
	DVS_PROFILE_ACL_REJECT,
};

enum dvs_profile_backing {
	DVS_PROFILE_BACKING_NONE, /* group-only resolution: no Port row */
	DVS_PROFILE_VHOST_USER,
	DVS_PROFILE_TAP,
	DVS_PROFILE_KERNEL,
};

struct dvs_profile_shaping {
	uint64_t average_bps; /* 0: no shaping in this direction */
	uint64_t peak_bps;    /* 0: no peak limit, else >= average_bps */
	uint64_t burst_bytes; /* DVS_PROFILE_BURST_MIN.. when average_bps is set */
};

struct dvs_profile_ip {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
};

/* An effective profile.  Owns 'acl_rules' and 'ips': release with dvs_profile_fini(). */
struct dvs_profile {
	/* from the PortGroup, after overrides */
	char port_group[DVS_PROFILE_UUID_SIZE]; /* the group's uuid, "" if unknown */
	bool has_segment;
	char segment[DVS_PROFILE_UUID_SIZE]; /* Segment uuid (absent: local to each host) */
	enum dvs_profile_vlan_mode vlan_mode;
	uint16_t tag;         /* access: 0..4094 (0 = untagged on the segment) */
	uint16_t native_vlan; /* trunk: 1..4094, 0 = untagged frames dropped */
	/* trunk: allowed VLANs, one bit per id.  An empty Trunks column means all of 1..4094,
	 * already expanded here.  Zero in access mode. */
	uint64_t trunks[DVS_PROFILE_VLAN_WORDS];
	bool allow_promiscuous;
	bool allow_mac_changes;
	bool allow_forged_transmits;
	bool ip_mac_binding;
	bool arp_suppression; /* the switch answers ARP for known IP-MAC bindings */
	struct dvs_profile_shaping ingress; /* from the guest */
	struct dvs_profile_shaping egress;  /* to the guest */
	uint64_t storm_broadcast_pps; /* 0: off */
	uint64_t storm_multicast_pps;
	uint64_t storm_unknown_unicast_pps;
	uint16_t mtu; /* 68..65535, default 1500 */
	uint32_t mac_age_s; /* other_config:mac_age_s, default 300 */
	uint32_t max_macs;  /* other_config:max_macs, default 0 = unlimited */
	enum dvs_profile_acl_action default_acl_action; /* default allow */
	size_t n_acl_rules;
	char (*acl_rules)[DVS_PROFILE_UUID_SIZE]; /* AclRule uuids, sorted */

	/* from the Port (zero when resolving a group alone) */
	char key[DVS_PROFILE_KEY_MAX];
	bool has_mac;
	uint8_t mac[6];
	size_t n_ips;
	struct dvs_profile_ip *ips;
	enum dvs_profile_backing backing;
	char vhost_socket[DVS_PROFILE_PATH_MAX];
	bool vhost_client; /* vhost_mode: client (the default) or server */
	uint16_t vhost_queues; /* 1..128, default 1 */
	char tap_name[DVS_PROFILE_IFNAME_MAX]; /* default: the key, if short enough */
	char netns[64];
	char kernel_ifname[DVS_PROFILE_IFNAME_MAX];
	char requested_host[DVS_PROFILE_KEY_MAX]; /* "" if none */
};

/* Computes the effective profile of 'port_row' in group 'portgroup_row', both full rows as
 * the client library's replica holds them (OVSDB wire values: bare atoms, ["set", [...]],
 * ["map", [...]], ["uuid", ...]; borrowed).  'port_row' may be NULL to validate a group
 * alone.  'portgroup_row' NULL with a port: the port has no (known) group, -ENOENT.
 * Returns 0 with 'out' filled (release with dvs_profile_fini()), or -EINVAL (-ENOENT) with
 * 'out' zeroed and 'err' naming the object, the field and what is allowed, e.g.
 *   port "vm1": overrides:tag: 5000 out of range 0..4094
 *   port group "web": vlan_mode access requires tag
 * 'out' is written only by this call's result (it need not be initialised). */
int dvs_profile_resolve(const json_t *portgroup_row, const json_t *port_row,
			struct dvs_profile *out, struct dvs_err *err);
/* Releases what 'p' owns and zeroes it.  Accepts NULL and zeroed profiles. */
void dvs_profile_fini(struct dvs_profile *p);

/* True if the two profiles would configure a port identically (every field compared). */
bool dvs_profile_equal(const struct dvs_profile *a, const struct dvs_profile *b);

/* Parses a VLAN list "10,20-30" (ids 1..4094) into 'bitmap' (cleared first).  The empty
 * string gives an empty bitmap.  Returns 0 or -EINVAL with the reason in 'err'. */
int dvs_profile_vlans_parse(const char *s, uint64_t bitmap[DVS_PROFILE_VLAN_WORDS],
			    struct dvs_err *err);
/* Formats 'bitmap' as "10,20-30" into 'buf' (truncated with "..." if too small).  Returns buf. */
char *dvs_profile_vlans_format(const uint64_t bitmap[DVS_PROFILE_VLAN_WORDS], char *buf,
			       size_t size);

/* Parses "52:54:00:12:34:56" (hex digits in either case).  Returns 0 or -EINVAL. */
int dvs_profile_mac_parse(const char *s, uint8_t mac[6]);

static inline bool
dvs_profile_vlan_test(const uint64_t bitmap[DVS_PROFILE_VLAN_WORDS], uint16_t vlan)
{
	return (bitmap[vlan >> 6] >> (vlan & 63)) & 1;
}

/* The names of the enum values as the schema spells them. */
const char *dvs_profile_vlan_mode_name(enum dvs_profile_vlan_mode m);
const char *dvs_profile_acl_action_name(enum dvs_profile_acl_action a);
const char *dvs_profile_backing_name(enum dvs_profile_backing b);
