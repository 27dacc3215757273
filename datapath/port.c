/* SPDX-License-Identifier: Apache-2.0 */
/* Port lifecycle: every port kind is a DPDK ethdev (net_vhost for vhost-user, net_tap for tap,
 * net_af_packet / net_af_xdp for kernel interfaces, a PCI device or a configured DPDK vdev such
 * as net_memif for a DPDK uplink), created and removed at runtime with EAL hotplug.  The fast
 * path uses the ethdev bursts, but for vhost-user ports, whose frames go through rte_vhost
 * directly (dp/vhost_io.h, vhost_dev.c). */
#define DVS_LOG_MODULE "dvs.port"
#include "switchd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include "ctl/uplink_xdp.h"
#include "lib/log.h"

#define RX_DESC 1024
#define TX_DESC 1024

struct sw_port *
sw_port_find(struct switchd *sw, const char *name)
{
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++)
		if (sw->ports[i].used && !strcmp(sw->ports[i].conf.name, name))
			return &sw->ports[i];
	return NULL;
}

bool
sw_port_link_up(const struct sw_port *p)
{
	struct rte_eth_link link;

	if (!p->started)
		return false;
	/* A tap moved into another netns cannot be queried by name from here; its carrier is up
	 * while switchd holds the queue. */
	if (p->conf.type == DVS_PORT_TAP && p->conf.netns[0])
		return true;
	if (rte_eth_link_get_nowait(p->eth_port, &link) < 0)
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}

/* Removes a stale vhost-user socket left by a previous run, and makes its directory. */
static int
prepare_vhost_path(const char *path, struct dvs_err *err)
{
	char dir[sizeof(((struct dvs_port_conf *)0)->path)];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return dvs_err_set(err, errno, "path: cannot create %s: %s", dir, strerror(errno));
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return dvs_err_set(err, EEXIST, "path: %s exists and is not a socket", path);
		unlink(path);
	}
	return 0;
}

static int
make_devargs(struct switchd *sw, struct sw_port *p, char *name, size_t nsize, char *args,
	     size_t asize, struct dvs_err *err)
{
	const struct dvs_port_conf *pc = &p->conf;
	unsigned seq = sw->vdev_seq++;

	switch (pc->type) {
	case DVS_PORT_VHOST:
		if (!pc->client && prepare_vhost_path(pc->path, err) < 0)
			return -EINVAL;
		snprintf(name, nsize, "net_vhost_dvs%u", seq);
		snprintf(args, asize, "iface=%s,queues=%u,client=%d", pc->path, pc->queues,
			 pc->client ? 1 : 0);
		return 0;
	case DVS_PORT_TAP:
		snprintf(name, nsize, "net_tap_dvs%u", seq);
		snprintf(args, asize, "iface=%s", pc->ifname);
		return 0;
	case DVS_PORT_KERNEL:
	case DVS_PORT_UPLINK:
		if (pc->vdev[0]) {
			const char *vargs;
			uint16_t other;
			/* Validated by the config parser; the name is the user's, not DRIVER_dvsN. */
			if (dvs_vdev_split(pc->vdev, name, nsize, &vargs) < 0)
				return dvs_err_set(err, EINVAL, "vdev: device name too long");
			if (rte_eth_dev_get_port_by_name(name, &other) == 0)
				return dvs_err_set(err, EEXIST, "vdev: device %s already exists in this switchd (ethdev port %u); DPDK device names are unique", name, other);
			snprintf(args, asize, "%s", vargs);
			return 0;
		}
		if (pc->pci[0]) {
			snprintf(name, nsize, "%s", pc->pci);
			args[0] = '\0';
			return 0;
		}
		if (!strcmp(pc->driver, "af_xdp")) {
			char prog[64] = "";
			/* An uplink carries the host's own traffic too: DVS's program, not the PMD's
			 * default one (which would take every frame from the kernel). */
			if (uplink_xdp_wanted(pc) && uplink_xdp_devargs(p, prog, sizeof(prog), err) < 0)
				return -EINVAL;
			snprintf(name, nsize, "net_af_xdp_dvs%u", seq);
			snprintf(args, asize, "iface=%s,start_queue=0,queue_count=1%s", pc->ifname, prog);
		} else {
			snprintf(name, nsize, "net_af_packet_dvs%u", seq);
			snprintf(args, asize, "iface=%s,qpairs=1,framecnt=1024", pc->ifname);
		}
		return 0;
	}
	return dvs_err_set(err, EINVAL, "unknown port type");
}

static int
configure(struct switchd *sw, struct sw_port *p, struct dvs_err *err)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	uint16_t rxd = RX_DESC, txd = TX_DESC;
	int rc, socket = rte_eth_dev_socket_id(p->eth_port);

	if (socket < 0)
		socket = (int)rte_socket_id();
	if ((rc = rte_eth_dev_info_get(p->eth_port, &info)) < 0)
		return dvs_err_set(err, -rc, "device info: %s", rte_strerror(-rc));
	p->n_rxq = p->conf.type == DVS_PORT_VHOST ? p->conf.queues : 1;
	p->n_rxq = RTE_MIN(p->n_rxq, info.max_rx_queues);
	p->n_txq = (uint16_t)RTE_MIN(sw->dp.n_workers, info.max_tx_queues);
	if (p->n_rxq == 0 || p->n_txq == 0)
		return dvs_err_set(err, EINVAL, "device %s has no queues", p->devname);
	if ((rc = rte_eth_dev_configure(p->eth_port, p->n_rxq, p->n_txq, &conf)) < 0)
		return dvs_err_set(err, -rc, "configure: %s", rte_strerror(-rc));
	rte_eth_dev_adjust_nb_rx_tx_desc(p->eth_port, &rxd, &txd);
	for (uint16_t q = 0; q < p->n_rxq; q++)
		if ((rc = rte_eth_rx_queue_setup(p->eth_port, q, rxd, (unsigned)socket, NULL,
						 sw->dp.pool)) < 0)
			return dvs_err_set(err, -rc, "rx queue %u: %s", q, rte_strerror(-rc));
	for (uint16_t q = 0; q < p->n_txq; q++)
		if ((rc = rte_eth_tx_queue_setup(p->eth_port, q, txd, (unsigned)socket, NULL)) < 0)
			return dvs_err_set(err, -rc, "tx queue %u: %s", q, rte_strerror(-rc));
	if ((rc = rte_eth_dev_start(p->eth_port)) < 0)
		return dvs_err_set(err, -rc, "start: %s", rte_strerror(-rc));
	p->started = true;
	/* A switch port receives every MAC; not every PMD has the notion. */
	rte_eth_promiscuous_enable(p->eth_port);
	return 0;
}

struct sw_port *
sw_port_create(struct switchd *sw, const struct dvs_port_conf *pc, struct dvs_err *err)
{
	char args[sizeof(pc->vdev)];
	struct sw_port *p = NULL;
	int rc;

	if (sw_port_find(sw, pc->name)) {
		dvs_err_set(err, EEXIST, "port \"%s\" already exists", pc->name);
		return NULL;
	}
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++)
		if (!sw->ports[i].used && !sw->ports[i].removing) {
			p = &sw->ports[i];
			break;
		}
	if (!p) {
		dvs_err_set(err, ENOSPC, "port \"%s\": at most %d ports", pc->name, DVS_MAX_PORTS);
		return NULL;
	}
	memset(p, 0, sizeof(*p));
	p->idx = (uint16_t)(p - sw->ports);
	p->conf = *pc;
	if (pc->pci[0] && !sw->eal_pci) {
		dvs_err_set(err, EINVAL, "uplink \"%s\": PCI device %s can only be named in the config at start (DPDK runs with --no-pci otherwise)", pc->name, pc->pci);
		return NULL;
	}
	if (make_devargs(sw, p, p->devname, sizeof(p->devname), args, sizeof(args), err) < 0)
		goto fail;
	if (pc->pci[0])
		rc = rte_dev_probe(pc->pci);
	else
		rc = rte_eal_hotplug_add("vdev", p->devname, args);
	if (rc < 0) {
		dvs_err_set(err, -rc, "creating %s device (%s %s): %s", dvs_port_type_name(pc->type),
			    p->devname, args, rte_strerror(-rc));
		goto fail;
	}
	if ((rc = rte_eth_dev_get_port_by_name(p->devname, &p->eth_port)) < 0) {
		dvs_err_set(err, -rc, "device %s has no ethdev port", p->devname);
		goto fail_remove;
	}
	if (configure(sw, p, err) < 0)
		goto fail_remove;
	if (pc->type == DVS_PORT_VHOST && (rc = sw_vhost_dev_watch(sw, p)) < 0) {
		dvs_err_set(err, -rc, "vhost events of %s: %s", p->devname, rte_strerror(-rc));
		goto fail_remove;
	}
	if (uplink_xdp_wanted(pc) && uplink_xdp_start(sw, p, err) < 0)
		goto fail_remove;
	if (pc->type == DVS_PORT_TAP && pc->netns[0] &&
	    sw_netns_move_link(pc->ifname, pc->netns, err) < 0)
		goto fail_remove;
	p->used = true;
	/* Counters of a reused index start from zero for the new port. */
	sw_port_stats(sw, p, &p->base);
	DVS_LOG(INFO, "port %s: %s created (%s, %u rx / %u tx queues)", pc->name,
		dvs_port_type_name(pc->type), p->devname, p->n_rxq, p->n_txq);
	return p;

fail_remove:
	if (pc->type == DVS_PORT_VHOST)
		sw_vhost_dev_unwatch(sw, p);
	uplink_xdp_stop(p);
	if (p->started)
		rte_eth_dev_stop(p->eth_port);
	rte_eth_dev_close(p->eth_port);
	rte_eal_hotplug_remove(pc->pci[0] ? "pci" : "vdev", p->devname);
fail:
	uplink_xdp_stop(p);
	dvs_err_prefix(err, "port \"%s\"", pc->name);
	memset(p, 0, sizeof(*p));
	return NULL;
}

void
sw_port_destroy(struct switchd *sw, struct sw_port *p)
{
	if (!p || (!p->used && !p->removing))
		return;
	/* Ours first (a compare-and-swap detach), so the interface is left without a program
	 * and the PMD's close finds nothing to remove. */
	uplink_xdp_stop(p);
	if (p->conf.type == DVS_PORT_VHOST)
		sw_vhost_dev_unwatch(sw, p);
	if (p->started)
		rte_eth_dev_stop(p->eth_port);
	rte_eth_dev_close(p->eth_port);
	rte_eal_hotplug_remove(p->conf.pci[0] ? "pci" : "vdev", p->devname);
	sw_pol_free(p->pol);
	if (p->hold) {
		struct rte_mbuf *m;
		while (rte_ring_dequeue(p->hold, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(p->hold);
	}
	DVS_LOG(INFO, "port %s removed", p->conf.name);
	memset(p, 0, sizeof(*p));
}

void
sw_port_watch_links(struct switchd *sw)
{
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		struct sw_port *p = &sw->ports[i];
		if (!p->used)
			continue;
		bool up = sw_port_link_up(p);
		if (up != p->link_up)
			DVS_LOG(INFO, "port %s: link %s", p->conf.name, up ? "up" : "down");
		p->link_up = up;
	}
	/* In-place changes of an uplink's trunks (reload) reach its XDP VLAN map here. */
	uplink_xdp_sync(sw);
}

uint64_t
sw_port_last_rx_tsc(const struct switchd *sw, const struct sw_port *p)
{
	uint64_t last = 0;

	for (unsigned w = 0; w < sw->dp.n_workers; w++)
		last = RTE_MAX(last, __atomic_load_n(&sw->dp.lcores[w]->last_rx_tsc[p->idx],
						     __ATOMIC_RELAXED));
	return last;
}

int
sw_port_hold_new(struct switchd *sw, struct sw_port *p)
{
	char name[RTE_RING_NAMESIZE];

	if (p->hold)
		return 0;
	snprintf(name, sizeof(name), "dvs_hold%u_%u", p->idx, sw->vdev_seq++);
	p->hold = rte_ring_create(name, 512, (int)rte_socket_id(), RING_F_SC_DEQ);
	return p->hold ? 0 : -ENOMEM;
}

int
sw_port_hold(struct switchd *sw, struct sw_port *p, bool on)
{
	struct rte_ring *r = p->hold;

	if (on == (r != NULL))
		return 0;
	if (on) {
		int rc = sw_port_hold_new(sw, p);
		return rc < 0 ? rc : sw_publish(sw);
	}
	p->hold = NULL;
	sw_publish(sw);
	struct rte_mbuf *m;
	while (rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
	return 0;
}
