/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Shared state between the control thread and the poll lcores.
 *
 * 'struct dp_tables' is one immutable configuration generation: ports, VLAN policy, flood
 * lists, and which rx queues each lcore polls.  The control thread builds a new one, swaps the
 * pointer in 'struct dp' (release), waits for an RCU grace period and frees the old one.  Poll
 * lcores load the pointer once per loop iteration and report a quiescent state at the end of
 * it.  'struct dp_lcore' is written only by its lcore; the control thread only reads its
 * counters (64-bit aligned, so reads are not torn on x86-64/arm64). */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "datapath/config.h"
#include "drop.h"
#include "fdb.h"
#include "vlan.h"
#include "vxlan.h"

#define DP_BURST 32
#define DP_FDBC_SIZE 256
#define DP_MAX_RXQ_PER_LCORE (DVS_MAX_PORTS * 2)
/* Segments: 0..4095 are VLANs; overlay (VXLAN) segments get ids from DP_SEG_OVERLAY on. */
#define DP_SEG_OVERLAY 4096
#define DP_MAX_OVERLAY 1024
#define DP_MAX_SEGS (DP_SEG_OVERLAY + DP_MAX_OVERLAY)
#define DP_SEG_NONE 0xffff
/* Remote VTEPs are pseudo-ports after the device ports: FDB entries and flood lists name them
 * like any port; output to one encapsulates and sends on the uplink. */
#define DP_MAX_TUNNELS 256
#define DP_TUNNEL_BASE DVS_MAX_PORTS
#define DP_MAX_PORT_IDX (DVS_MAX_PORTS + DP_MAX_TUNNELS)
#define DP_VNI_MAP_SIZE 2048 /* power of two, > 2 * DP_MAX_OVERLAY */
/* Buckets of each lcore's ACL verdict cache (policy/acl_cache.h): 64 bytes and 3 flows each,
 * so 512 KiB and 24k flows: a quarter of a 2 MiB L2 (sizes measured in docs/performance.md). */
#define DP_ACL_CACHE_BUCKETS 8192

struct dp_port_policy;
struct acl_cache;
struct arp_sup_table;

struct dp_port {
	const struct dp_port_policy *pol; /* NULL: no policy (dp/pol.h) */
	uint8_t enabled;   /* forwarding (ingress and egress) */
	uint8_t is_uplink; /* split horizon: no uplink-to-uplink flooding */
	uint8_t tx_locked; /* fewer tx queues than lcores: take txlock[port][txq] */
	uint8_t promisc;   /* receives a copy of every frame its segment forwards here */
	uint16_t eth_port; /* DPDK port id */
	uint16_t n_txq;
	uint8_t is_vhost;  /* a vhost-user port: sent through rte_vhost directly (vhost_io.h) */
	/* tunnel pseudo-ports only: where encapsulated frames go, and their outer headers
	 * (NULL while the next hop is unresolved: frames are counted and dropped) */
	uint32_t mig_epoch; /* != 0: a migration destination watching for its first frame */
	/* During a migration, frames the port cannot take (the source VM stopped, or the
	 * destination VM not started yet) wait here instead of being dropped: a destination
	 * retries them on the port, a source sends them where the FDB says the VM went.
	 * Any lcore enqueues; worker 0 drains. */
	struct rte_ring *hold;
	uint8_t is_tunnel;
	uint8_t arp_sup;  /* answer ARP requests for known bindings (arp_sup.h; needs a policy,
			   * so its frames are fully parsed) */
	uint16_t tun_out; /* the uplink's port index */
	const struct vxlan_tmpl *tmpl;
	struct vlan_port vlan;
};

struct dp_rxq {
	uint16_t port; /* port index */
	uint16_t eth_port;
	uint16_t queue;
	uint8_t is_vhost; /* received through rte_vhost directly (vhost_io.h) */
};

struct dp_tables {
	uint64_t gen;
	uint16_t n_ports; /* highest used device index + 1 */
	uint16_t n_tunnels;
	uint8_t has_policy; /* some port has a policy: run dp_pol_poll() */
	/* Some port's egress policy reads a frame's L3/L4 (to-port ACL, conntrack, MAC-change
	 * check: !egress_pass), so every burst that may reach it is parsed whole. */
	uint8_t egress_meta;
	uint8_t has_hold;   /* some port holds frames for a migrating VM: run dp_hold_poll() */
	uint8_t has_promisc; /* some port is promiscuous: copy known unicast to it */
	struct dp_port ports[DP_MAX_PORT_IDX];
	/* Flood lists: members of segment s are members[seg_off[s] .. seg_off[s] + seg_n[s]). */
	uint32_t seg_off[DP_MAX_SEGS];
	uint16_t seg_n[DP_MAX_SEGS];
	uint16_t *members;
	/* Overlay: the VNI of each overlay segment, the VNI -> segment map for decap, the local
	 * VTEP, and which port is the uplink the tunnels use. */
	uint32_t seg_vni[DP_MAX_OVERLAY];
	struct {
		uint32_t vni; /* 0: empty slot */
		uint16_t seg;
	} vni_map[DP_VNI_MAP_SIZE];
	uint32_t vtep_be;      /* 0: no overlay */
	uint16_t uplink;       /* port index of the uplink, DP_SEG_NONE if none */
	uint32_t tun_ip[DP_MAX_TUNNELS]; /* remote VTEP of each tunnel pseudo-port */
	struct vxlan_tmpl tun_tmpl[DP_MAX_TUNNELS]; /* outer headers, immutable per generation */
	uint16_t n_rxq[DVS_MAX_LCORES];
	struct dp_rxq rxq[DVS_MAX_LCORES][DP_MAX_RXQ_PER_LCORE];
};

struct dp_port_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t rx_dropped, tx_dropped;
};

struct dp_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[DP_BURST];
};

/* A frame waiting for the egress policy of its destination port: fwd.c collects a burst's
 * frames to ports with a policy so that pol.c classifies them per port in one call (the ACL
 * is vectorised only over several frames), then sends them on in order. */
#define DP_EGQ_MAX (2 * DP_BURST)
struct dp_egress {
	struct rte_mbuf *m;
	const struct dp_meta *meta; /* borrowed from the burst being forwarded */
	uint16_t dst, vid;
	uint8_t has_tag;
	uint8_t why; /* dp_pol_egress_burst's verdict: 0 or the drop reason */
};

struct dp;

struct dp_lcore {
	struct dp *dp;
	unsigned wid;      /* worker index, also the RCU thread id */
	unsigned lcore_id;
	uint64_t now; /* TSC at the start of this poll iteration */
	struct acl_cache *acl_cache; /* IPv4 ACL verdicts of every port this lcore classifies for */
	/* A direct-mapped cache of FDB positions: a hit is validated against the slot's key
	 * (fdb_entry.key), so a stale position costs one miss, never a wrong port. */
	struct {
		uint64_t key;
		int32_t pos;
	} fdbc[DP_FDBC_SIZE];
	uint64_t polls, busy_polls;
	uint64_t rx_packets;
	uint64_t busy_cycles; /* cycles spent in iterations that moved packets */
	uint64_t drops[DP_DROP_MAX];
	struct dp_port_stats port[DP_MAX_PORT_IDX]; /* device ports, then tunnels */
	uint64_t tun_mtu_drops[DP_MAX_TUNNELS];
	uint64_t decap_drops[16]; /* by enum vxlan_decap_result */
	struct vxlan_flow_memo flow_memo; /* dp_tunnel_tx's last flow hash */
	/* Live migration: when each port last received (the source's last frame), and the first
	 * frame of a watched destination port (act_epoch == the port's mig_epoch once seen). */
	uint64_t last_rx_tsc[DVS_MAX_PORTS];
	uint64_t act_tsc[DVS_MAX_PORTS];
	uint32_t act_epoch[DVS_MAX_PORTS];
	uint8_t act_rarp[DVS_MAX_PORTS];
	/* Migration hold queues: unicast frames held for a port, and held frames sent on (by a
	 * source to the VM's new host, by a destination to the VM), so the source can tell the
	 * frames it never delivered (frames_lost) from the flood copies it held. */
	uint64_t mig_held_uc[DVS_MAX_PORTS];
	uint64_t mig_sent_on[DVS_MAX_PORTS];
	uint64_t mig_dropped[DVS_MAX_PORTS]; /* the hold queue full (also counted as tx-full) */
	/* Frames the control thread injects as if received (announcements): mbuf->hash.usr is the
	 * port index.  Single producer (control), single consumer (this lcore). */
	struct rte_ring *inject;
	uint16_t n_egq;
	struct dp_egress egq[DP_EGQ_MAX]; /* see struct dp_egress; empty between bursts */
	uint16_t n_pending;
	uint16_t pending[DVS_MAX_PORTS]; /* ports with a non-empty tx buffer */
	struct dp_txbuf tx[DVS_MAX_PORTS];
} __rte_cache_aligned;

struct dp {
	struct dp_tables *tables; /* RCU-protected; see above */
	struct rte_rcu_qsbr *qs;
	struct fdb *fdb;
	/* IPv4 -> MAC bindings for ARP suppression (arp_sup.h), NULL if none.  RCU-protected
	 * like 'tables', but swapped on its own (ctl/arp_sync.c): bindings change with
	 * MacLocation rows, which do not rebuild the tables. */
	const struct arp_sup_table *arp;
	struct rte_mempool *pool;
	unsigned n_workers;
	uint32_t idle_sleep_us;
	volatile bool quit;
	uint64_t tsc_hz;
	struct dp_lcore *lcores[DVS_MAX_LCORES];
	rte_spinlock_t txlock[DVS_MAX_PORTS][DVS_MAX_LCORES];
	/* The rte_vhost device behind each vhost-user ethdev port, by DPDK port id: its vid + 1
	 * in bits 16 and up, its number of vrings in bits 0-15; 0 while no guest is attached.
	 * Written by the control side (vhost_dev.c), read by the poll lcores (vhost_io.h). */
	uint64_t vhost_dev[RTE_MAX_ETHPORTS];
};

static inline uint32_t
dp_now_s(const struct dp *dp)
{
	return (uint32_t)(rte_rdtsc() / dp->tsc_hz);
}

/* fwd.c: the pipeline for one rx burst from port index 'in'.  Takes ownership of 'pkts'.
 * 'seg' is DP_SEG_NONE for frames from a device port (the port's VLAN policy classifies
 * them), or the overlay segment of frames decapsulated from tunnel port 'in'.  'relayed':
 * they carried VXLAN_FLAGS_DVS_RELAY, so their source MACs are not learned behind 'in'. */
void dp_fwd_burst(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in,
		  struct rte_mbuf **pkts, uint16_t n, uint32_t now_s, uint16_t seg, bool relayed);
/* tunnel.c: takes the VXLAN frames for the local VTEP out of an uplink burst, decapsulates
 * them and forwards them from their tunnel pseudo-port; returns the frames left (compacted
 * at the front of 'pkts') for the uplink's own VLAN pipeline. */
uint16_t dp_tunnel_rx(struct dp_lcore *lc, const struct dp_tables *t, struct rte_mbuf **pkts,
		      uint16_t n, uint32_t now_s);
/* Encapsulates 'm' for tunnel pseudo-port 'dst' in segment 'seg' and queues it on the uplink,
 * with VXLAN_FLAGS_DVS_RELAY if 'relay'.  Returns 0, or the drop reason (the caller frees and
 * counts). */
int dp_tunnel_tx(struct dp_lcore *lc, const struct dp_tables *t, uint16_t dst, uint16_t seg,
		 struct rte_mbuf *m, const struct dp_meta *meta, bool relay);
/* dp_tunnel_tx() of a run of 'n' untagged frames to one tunnel whose tunnel_run_ok() held:
 * each is encapsulated (a frame that cannot be is counted and freed here), and they are
 * queued on the uplink in order as one block. */
void dp_tunnel_tx_run(struct dp_lcore *lc, const struct dp_tables *t, uint16_t dst, uint16_t seg,
		      struct rte_mbuf **m, const struct dp_meta *const *meta, uint16_t n, bool relay);
/* True if frames of segment 'seg' to tunnel pseudo-port 'dst' can be encapsulated at all
 * (the checks dp_tunnel_tx() makes before the frame's own). */
static inline bool
dp_tunnel_run_ok(const struct dp_tables *t, uint16_t dst, uint16_t seg)
{
	const struct dp_port *p = &t->ports[dst];

	return p->enabled && p->is_tunnel && p->tmpl && seg >= DP_SEG_OVERLAY;
}
/* arp_sup.c: if port 'in' suppresses ARP and 'm' (parsed into 'meta', in segment 'seg') is
 * a request for a known binding, turns it into the reply and queues that back to 'in';
 * returns true (the frame is consumed and counted as arp-suppressed).  Otherwise returns
 * false and leaves 'm' alone.  Called for DP_L3_ARP frames only. */
bool dp_arp_sup(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in, struct rte_mbuf *m,
		const struct dp_meta *meta, uint16_t seg);
/* Buffers 'm' for transmission on port index 'port' (no egress policy applied). */
void dp_tx_enqueue(struct dp_lcore *lc, const struct dp_tables *t, uint16_t port, struct rte_mbuf *m);
/* dp_tx_enqueue() of 'n' frames, in order. */
void dp_tx_enqueue_burst(struct dp_lcore *lc, const struct dp_tables *t, uint16_t port,
			 struct rte_mbuf **m, uint16_t n);
/* Transmits what the port's shaper releases at 'now'. */
void dp_tx_shaped(struct dp_lcore *lc, const struct dp_tables *t, uint16_t port, uint64_t now);
/* Drains the migration hold queues (worker 0 only). */
void dp_hold_poll(struct dp_lcore *lc, const struct dp_tables *t);
/* Sends every buffered frame.  Called at the end of each poll iteration. */
void dp_tx_flush_all(struct dp_lcore *lc, const struct dp_tables *t);

/* worker.c: the poll loop (rte_eal_remote_launch entry point; 'arg' is a struct dp_lcore). */
int dp_worker_main(void *arg);
