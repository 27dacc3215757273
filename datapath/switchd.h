/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The control-thread side of dvs-switchd: the ports it manages, the config it applied, and
 * the fast-path state it publishes.  Everything here is owned by the control thread (the EAL
 * main lcore); poll lcores see only 'struct dp' (dp/dp.h). */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ctl/arp_sync.h"
#include "ctl/overlay.h"
#include "dp/dp.h"
#include "lib/err.h"

struct dvs_loop;
struct dvs_rpc_server;

struct sw_port {
	bool used;
	bool removing;     /* unpublished, device not yet torn down: slot not reusable */
	bool started;
	bool link_up;      /* last seen link state, for transition logs */
	uint16_t idx;      /* index in dp tables and counters, stable while the port exists */
	uint16_t eth_port; /* DPDK port id */
	uint16_t n_rxq, n_txq;
	char devname[64];  /* DPDK device name (vdev) */
	struct dvs_port_conf conf;
	struct dp_port_stats base; /* counters at creation: reports subtract them */
	struct dp_port_policy *pol;     /* compiled policy (NULL: none), published in dp tables */
	struct rte_ring *hold;          /* migration hold queue (NULL: none); see dp_port.hold */
	struct dvs_policy_spec pol_spec; /* the spec 'pol' was built from */
	uint64_t base_drops;
};

struct switchd {
	struct dvs_switchd_conf conf;
	char config_path[PATH_MAX]; /* empty: no file (reload refused) */
	struct dp dp;
	struct sw_port ports[DVS_MAX_PORTS];
	struct dvs_loop *loop;
	struct dvs_rpc_server *rpc;
	struct sw_db *db; /* cluster mode; NULL standalone */
	struct sw_overlay ov;
	struct sw_arp arp; /* ARP suppression bindings (ctl/arp_sync.h) */
	unsigned vdev_seq;
	uint64_t gen;
	bool eal_pci; /* EAL started with PCI probing (a PCI uplink was configured) */
	bool no_datapath; /* --no-datapath: no EAL, devices, lcores or FDB (main.c) */
	char runtime_prefix[64]; /* our own --file-prefix (no hugepages), removed at exit */
};

/* port.c: port lifecycle.  Creates the DPDK device for 'pc', configures and starts it, and
 * records it in a free slot.  Does not publish: the caller calls sw_publish().  Returns the
 * port, or NULL with 'err' set. */
struct sw_port *sw_port_create(struct switchd *sw, const struct dvs_port_conf *pc, struct dvs_err *err);
/* vhost_dev.c: keeps dp.vhost_dev[] of vhost-user port 'p' in step with its guest's
 * connection, for the lcores' direct rte_vhost bursts (dp/vhost_io.h).  Watch after the
 * device is configured; unwatch once the published tables no longer hold the port, before
 * the device is stopped (also safe on a port whose watch failed or never ran). */
int sw_vhost_dev_watch(struct switchd *sw, struct sw_port *p);
void sw_vhost_dev_unwatch(struct switchd *sw, struct sw_port *p);
/* Stops and removes the device.  The caller must have published tables without the port
 * first (so no lcore touches it). */
void sw_port_destroy(struct switchd *sw, struct sw_port *p);
struct sw_port *sw_port_find(struct switchd *sw, const char *name);
/* True if the device reports its link up (vhost: a guest attached). */
bool sw_port_link_up(const struct sw_port *p);
/* The TSC of the last frame any poll lcore received on 'p' (0: none yet). */
uint64_t sw_port_last_rx_tsc(const struct switchd *sw, const struct sw_port *p);

/* ctl/publish.c: builds tables from the current ports and swaps them in under RCU.  Returns 0
 * or -ENOMEM (the old tables stay). */
int sw_publish(struct switchd *sw);
/* The one segment of a port config (its overlay segment, access VLAN or trunk's native
 * VLAN) in *seg.  Returns false for a trunk without a native VLAN (no single segment). */
bool sw_port_segment(const struct dvs_port_conf *c, uint16_t *seg);
/* Installs the static FDB entries of 'p' (its configured MAC). */
void sw_fdb_install_static(struct switchd *sw, const struct sw_port *p);

/* ctl/apply.c: adds, removes or changes ports to match 'nc' (reload, DB generation), in one
 * table swap.  Validated already.  A port whose device cannot be created is left out and
 * logged; the others are applied.  Returns 0, or the first port's error. */
int sw_apply_config(struct switchd *sw, const struct dvs_switchd_conf *nc, struct dvs_err *err);
int sw_port_add(struct switchd *sw, const struct dvs_port_conf *pc, struct dvs_err *err);
int sw_port_del(struct switchd *sw, const char *name, struct dvs_err *err);

/* ctl/ctl_sock.c: the JSON-RPC control socket. */
int sw_ctl_start(struct switchd *sw, struct dvs_err *err);
void sw_ctl_stop(struct switchd *sw);
/* Sums a port's counters over every lcore, minus its baseline. */
void sw_port_stats(const struct switchd *sw, const struct sw_port *p, struct dp_port_stats *out);

/* ctl/pol_build.c: (re)builds p->pol when p->conf.policy (or the port MAC) changed.  The
 * previous policy goes to *retired: free it with sw_pol_retire() after publishing (it may
 * share parts with the new one).  Returns 1 if rebuilt, 0 if unchanged, or -EINVAL with
 * 'err' set (p unchanged). */
int sw_pol_update(struct switchd *sw, struct sw_port *p, struct dp_port_policy **retired,
		  struct dvs_err *err);
void sw_pol_retire(struct dp_port_policy *old, const struct dp_port_policy *now);
void sw_pol_free(struct dp_port_policy *pol);
/* port.c: gives 'p' a migration hold queue (or removes it, freeing what it holds, after the
 * tables no longer name it).  Republishes.  Returns 0 or -ENOMEM. */
int sw_port_hold(struct switchd *sw, struct sw_port *p, bool on);
/* port.c: the same queue for a port not published yet (a migration's destination, from its
 * creation: a frame flooded to it before the guest runs is held, not dropped).  0 or -ENOMEM. */
int sw_port_hold_new(struct switchd *sw, struct sw_port *p);

/* netns.c: moves interface 'ifname' into the named netns (/run/netns/NAME) and sets it up. */
int sw_netns_move_link(const char *ifname, const char *netns, struct dvs_err *err);

/* ctl/apply.c: applies the desired state: the file's ports (sw->conf) plus, in cluster mode,
 * the DB's ports for this host.  Returns 0 or the first error. */
int sw_apply_desired(struct switchd *sw, struct dvs_err *err);
/* ctl/db_sync.c: cluster mode. */
int sw_db_start(struct switchd *sw, struct dvs_err *err);
void sw_db_stop(struct switchd *sw);
/* Appends the DB's ports for this host (effective profiles) to 'nc'. */
void sw_db_add_ports(struct switchd *sw, struct dvs_switchd_conf *nc);
/* ctl/apply.c: re-reads the config file and applies it; an invalid file changes nothing. */
int sw_reload(struct switchd *sw, struct dvs_err *err);
/* port.c: logs link transitions (guest attached/detached).  Called once a second. */
void sw_port_watch_links(struct switchd *sw);
