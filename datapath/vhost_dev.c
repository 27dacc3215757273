/* SPDX-License-Identifier: Apache-2.0 */
/* The rte_vhost device behind each vhost-user port, for the poll lcores' direct bursts
 * (dp/vhost_io.h).  net_vhost owns the device's life: it calls its LSC callbacks from
 * rte_vhost's new_device (after the device is ready, link up) and destroy_device (link down,
 * before rte_vhost frees the device), and its QUEUE_STATE callbacks when the guest enables or
 * disables a vring, all on rte_vhost's event thread.  From those, dp->vhost_dev[] is set to
 * the current vid and vring count, or 0; when a device goes away, the callback waits for an
 * RCU grace period of the poll lcores, so none is still inside a burst on it when rte_vhost
 * frees it.  (rte_vhost does not hold the vrings' locks while it calls destroy_device, so an
 * lcore in a burst can finish; net_vhost's own bursts wait the same way.) */
#define DVS_LOG_MODULE "dvs.port"
#include "switchd.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <rte_eth_vhost.h>
#include <rte_ethdev.h>
#include <rte_vhost.h>

#include "lib/log.h"

/* Orders the event thread's updates and the control thread's (port creation and removal). */
static pthread_mutex_t vhost_dev_lock = PTHREAD_MUTEX_INITIALIZER;

/* What dp->vhost_dev[eth_port] should say now: the device if the link is up. */
static uint64_t
vhost_dev_now(uint16_t eth_port)
{
	struct rte_eth_link link;
	int vid;

	if (rte_eth_link_get_nowait(eth_port, &link) < 0 || link.link_status != RTE_ETH_LINK_UP)
		return 0;
	vid = rte_eth_vhost_get_vid_from_port_id(eth_port);
	if (vid < 0)
		return 0;
	return (uint64_t)(uint32_t)(vid + 1) << 16 | rte_vhost_get_vring_num(vid);
}

static int
vhost_dev_event(uint16_t eth_port, enum rte_eth_event_type type, void *arg, void *ret_param)
{
	struct dp *dp = arg;
	uint64_t now, old;

	(void)ret_param;
	pthread_mutex_lock(&vhost_dev_lock);
	now = vhost_dev_now(eth_port);
	old = __atomic_load_n(&dp->vhost_dev[eth_port], __ATOMIC_RELAXED);
	if (type == RTE_ETH_EVENT_QUEUE_STATE && now >> 16 != old >> 16) {
		/* Only the link events change the device: a queue event runs while rte_vhost
		 * holds the vrings' locks, so it must not wait for the lcores. */
		pthread_mutex_unlock(&vhost_dev_lock);
		return 0;
	}
	__atomic_store_n(&dp->vhost_dev[eth_port], now, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vhost_dev_lock);
	if (old && old >> 16 != now >> 16)
		rte_rcu_qsbr_synchronize(dp->qs, RTE_QSBR_THRID_INVALID);
	return 0;
}

int
sw_vhost_dev_watch(struct switchd *sw, struct sw_port *p)
{
	int rc;

	__atomic_store_n(&sw->dp.vhost_dev[p->eth_port], 0, __ATOMIC_RELEASE);
	rc = rte_eth_dev_callback_register(p->eth_port, RTE_ETH_EVENT_INTR_LSC, vhost_dev_event, &sw->dp);
	if (rc == 0) {
		rc = rte_eth_dev_callback_register(p->eth_port, RTE_ETH_EVENT_QUEUE_STATE,
						   vhost_dev_event, &sw->dp);
		if (rc < 0)
			rte_eth_dev_callback_unregister(p->eth_port, RTE_ETH_EVENT_INTR_LSC,
							vhost_dev_event, &sw->dp);
	}
	if (rc < 0)
		return rc;
	/* A guest that connected before the callbacks were registered. */
	vhost_dev_event(p->eth_port, RTE_ETH_EVENT_INTR_LSC, &sw->dp, NULL);
	return 0;
}

/* rte_eth_dev_callback_unregister refuses while the callback runs: retried. */
static void
unregister(uint16_t eth_port, enum rte_eth_event_type type, struct dp *dp)
{
	for (int i = 0; i < 1000; i++) {
		int rc = rte_eth_dev_callback_unregister(eth_port, type, vhost_dev_event, dp);
		if (rc != -EAGAIN)
			return;
		usleep(1000);
	}
	DVS_LOG(WARN, "ethdev port %u: vhost event callback still running after 1 s", eth_port);
}

void
sw_vhost_dev_unwatch(struct switchd *sw, struct sw_port *p)
{
	unregister(p->eth_port, RTE_ETH_EVENT_INTR_LSC, &sw->dp);
	unregister(p->eth_port, RTE_ETH_EVENT_QUEUE_STATE, &sw->dp);
	/* The port is out of the published tables (sw_port_destroy's contract): no lcore uses
	 * it, and the id may go to another device. */
	pthread_mutex_lock(&vhost_dev_lock);
	__atomic_store_n(&sw->dp.vhost_dev[p->eth_port], 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vhost_dev_lock);
}
