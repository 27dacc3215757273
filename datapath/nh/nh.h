/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The next-hop resolver of dvs-switchd's control thread.  For each remote VTEP it asks the
 * kernel which route leads there (output interface, gateway, preferred source), the MAC of
 * the next hop (neighbour table) and of the interface, and follows route, neighbour and link
 * changes over rtnetlink so the control thread can rebuild the VXLAN outer-header templates
 * (datapath/dp/vxlan.h).  The kernel owns the underlay's IP, routes and ARP; nothing here is
 * configured statically. */

#include <stdbool.h>
#include <stdint.h>

#include "nh_msg.h"

struct dvs_loop;
struct nh_cache;

/* Where the frames to one remote VTEP go.  'status' says how far resolution got; the fields
 * after it are valid as far as that status implies. */
struct nh_result {
	struct nh_addr dst;     /* the remote VTEP */
	/* 0: resolved (every field below is valid);
	 * -EAGAIN: route known, next-hop MAC not (yet): resolution has been triggered and the
	 *   change callback fires when it completes;
	 * -ENETUNREACH: no usable route (none, unreachable/blackhole/prohibit, or a local
	 *   address);
	 * another -errno: the kernel refused the query (e.g. -EPERM). */
	int status;
	uint32_t ifindex;       /* output interface */
	char ifname[NH_IFNAMSIZ];
	bool via_gateway;       /* false: the VTEP is on-link */
	struct nh_addr nexthop; /* gateway, or 'dst' when on-link */
	struct nh_addr src;     /* the route's preferred source; family 0 if none */
	uint8_t if_mac[6];      /* source MAC of the outer header */
	uint8_t nh_mac[6];      /* destination MAC of the outer header (status 0 only) */
	uint16_t nud_state;     /* the neighbour entry's NUD_* state, 0 if none */
	uint32_t if_mtu;        /* the output interface's MTU */
	uint32_t route_mtu;     /* the route's "mtu" metric, 0 if none */
};

/* Called on the loop's thread when a tracked destination's result changed (any field,
 * including status: pending -> resolved, MAC or route changed, route lost).  'r' is borrowed
 * for the duration of the call.  The callback may call nh_resolve() and nh_forget(), but not
 * nh_cache_destroy(). */
typedef void nh_change_cb(struct nh_cache *c, const struct nh_result *r, void *arg);

/* How an unknown neighbour is solicited. */
enum nh_probe_mode {
	/* RTM_NEWNEIGH with NTF_USE on the output interface (needs CAP_NET_ADMIN), falling back
	 * to NH_PROBE_UDP when refused. */
	NH_PROBE_AUTO = 0,
	NH_PROBE_NEIGH_USE,
	/* An empty UDP datagram to the next hop's discard port (9) from an unprivileged socket:
	 * the kernel queues it and resolves the neighbour to send it. */
	NH_PROBE_UDP,
};

struct nh_stats {
	uint64_t events;      /* rtnetlink notifications read */
	uint64_t resolves;    /* resolution passes (route + neighbour + link queries) */
	uint64_t probes;      /* neighbour solicitations triggered */
	uint64_t probe_errors;
	uint64_t changes;     /* callbacks made */
	uint64_t overruns;    /* notification socket overflows (everything re-resolved) */
};

/* Opens the query and notification sockets and watches the latter on 'loop' (the control
 * thread's).  'cb' may be NULL.  Returns the cache, or NULL with errno set. */
struct nh_cache *nh_cache_create(struct dvs_loop *loop, nh_change_cb *cb, void *arg);
/* Stops watching, closes the sockets, cancels the timers.  Accepts NULL. */
void nh_cache_destroy(struct nh_cache *c);

void nh_cache_set_probe_mode(struct nh_cache *c, enum nh_probe_mode mode);

/* Tracks 'dst' (from now on changes call the callback) and writes its current result to
 * 'out'.  The first call for a destination queries the kernel; later calls return the
 * followed state without a syscall.  Returns out->status: 0, -EAGAIN (pending, resolution
 * triggered), -ENETUNREACH, or another -errno; -EINVAL for a bad address, -ENOMEM. */
int nh_resolve(struct nh_cache *c, const struct nh_addr *dst, struct nh_result *out);

/* Stops tracking 'dst'.  Returns 0 or -ENOENT. */
int nh_forget(struct nh_cache *c, const struct nh_addr *dst);

void nh_cache_get_stats(const struct nh_cache *c, struct nh_stats *out);
