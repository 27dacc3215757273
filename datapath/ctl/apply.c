/* SPDX-License-Identifier: Apache-2.0 */
/* Applies configuration changes: port add and delete at runtime, VLAN changes, a whole new
 * config on reload or a new DB generation.  A change is built first, then published as one
 * table generation (one RCU swap), and only then are removed devices torn down, so other
 * ports never see a disturbance and a generation is applied whole.  Without a datapath
 * (--no-datapath, a simulated host) the same steps run on port slots that have no device,
 * no FDB and no compiled policy: the configs are resolved, diffed and published as tables
 * that no poll lcore reads. */
#define DVS_LOG_MODULE "dvs.apply"
#include "datapath/switchd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

/* The device, or without a datapath just the slot (what sw_port_create records). */
static struct sw_port *
port_create(struct switchd *sw, const struct dvs_port_conf *pc, struct dvs_err *err)
{
	struct sw_port *p;

	if (!sw->no_datapath) {
		p = sw_port_create(sw, pc, err);
		/* A migration's destination holds from its creation, before the state machine
		 * sees the row: a frame flooded to it before its guest runs waits for it. */
		if (p && pc->mig_epoch && sw_port_hold_new(sw, p) < 0)
			DVS_LOG(WARN, "port %s: no memory for its migration hold queue", pc->name);
		return p;
	}
	if (sw_port_find(sw, pc->name)) {
		dvs_err_set(err, EEXIST, "port \"%s\" already exists", pc->name);
		return NULL;
	}
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		p = &sw->ports[i];
		if (p->used || p->removing)
			continue;
		memset(p, 0, sizeof(*p));
		p->idx = (uint16_t)i;
		p->conf = *pc;
		p->used = true;
		DVS_LOG(DEBUG, "port %s: recorded (no datapath)", pc->name);
		return p;
	}
	dvs_err_set(err, ENOSPC, "port \"%s\": at most %d ports", pc->name, DVS_MAX_PORTS);
	return NULL;
}

static void
port_destroy(struct switchd *sw, struct sw_port *p)
{
	if (sw->no_datapath)
		memset(p, 0, sizeof(*p));
	else
		sw_port_destroy(sw, p);
}

/* The FDB side of a port change (none without a datapath). */
static void
fdb_port_limit(struct switchd *sw, const struct sw_port *p, uint32_t max)
{
	if (sw->dp.fdb)
		fdb_set_port_limit(sw->dp.fdb, p->idx, max);
}

static void
fdb_port_reset(struct switchd *sw, const struct sw_port *p, bool flush)
{
	if (!sw->dp.fdb)
		return;
	if (flush)
		fdb_flush(sw->dp.fdb, p->idx, true);
	sw_fdb_install_static(sw, p);
}

/* Tears down the ports marked 'removing' (the published tables no longer hold them). */
static void
finish_removals(struct switchd *sw)
{
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		struct sw_port *p = &sw->ports[i];
		if (!p->removing)
			continue;
		if (sw->dp.fdb) {
			fdb_flush(sw->dp.fdb, p->idx, true);
			fdb_set_port_limit(sw->dp.fdb, p->idx, 0);
		}
		port_destroy(sw, p);
	}
}

static void
mark_removed(struct sw_port *p)
{
	p->used = false;
	p->removing = true;
}

/* Undoes mark_removed() for ports whose removal could not be published. */
static void
unmark_removed(struct switchd *sw)
{
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++)
		if (sw->ports[i].removing) {
			sw->ports[i].removing = false;
			sw->ports[i].used = true;
		}
}

int
sw_port_add(struct switchd *sw, const struct dvs_port_conf *pc, struct dvs_err *err)
{
	struct sw_port *p = port_create(sw, pc, err);
	int rc;

	if (!p)
		return -(err && err->code ? err->code : EINVAL);
	fdb_port_limit(sw, p, pc->fdb_max);
	if ((rc = sw_publish(sw)) < 0) {
		port_destroy(sw, p);
		return dvs_err_set(err, -rc, "port \"%s\": out of memory publishing tables", pc->name);
	}
	fdb_port_reset(sw, p, false);
	return 0;
}

int
sw_port_del(struct switchd *sw, const char *name, struct dvs_err *err)
{
	struct sw_port *p = sw_port_find(sw, name);
	int rc;

	if (!p)
		return dvs_err_set(err, ENOENT, "port \"%s\" does not exist", name);
	mark_removed(p);
	if ((rc = sw_publish(sw)) < 0) {
		unmark_removed(sw);
		return dvs_err_set(err, -rc, "port \"%s\": out of memory publishing tables", name);
	}
	finish_removals(sw);
	return 0;
}

/* True if the two configs need a new device (anything but VLAN, MAC and limits changed). */
static bool
needs_recreate(const struct dvs_port_conf *a, const struct dvs_port_conf *b)
{
	return a->type != b->type || strcmp(a->path, b->path) || a->client != b->client ||
	       a->queues != b->queues || strcmp(a->ifname, b->ifname) ||
	       strcmp(a->netns, b->netns) || strcmp(a->driver, b->driver) || strcmp(a->pci, b->pci) ||
	       strcmp(a->vdev, b->vdev);
}

static const struct dvs_port_conf *
find_conf(const struct dvs_switchd_conf *c, const char *name)
{
	for (unsigned k = 0; k < c->n_ports; k++)
		if (!strcmp(c->ports[k].name, name))
			return &c->ports[k];
	return NULL;
}

int
sw_apply_config(struct switchd *sw, const struct dvs_switchd_conf *nc, struct dvs_err *err)
{
	struct sw_port *added[DVS_MAX_PORTS], *relearn[DVS_MAX_PORTS];
	unsigned n_added = 0, n_relearn = 0;
	bool changed = false, recreate = false;
	int rc = 0;

	/* 1. Ports that go away, or whose device must be re-created. */
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		struct sw_port *p = &sw->ports[i];
		const struct dvs_port_conf *want;
		if (!p->used)
			continue;
		want = find_conf(nc, p->conf.name);
		if (!want || needs_recreate(&p->conf, want)) {
			mark_removed(p);
			changed = true;
			recreate |= want != NULL;
		}
	}
	/* A re-created port's new device needs what its old one holds (the vhost-user socket
	 * path, the kernel interface's queue, the PCI device): the old one goes first, in a
	 * generation of its own.  Only the re-created ports see the gap. */
	if (recreate) {
		int prc = sw_publish(sw);
		if (prc < 0) {
			unmark_removed(sw);
			return dvs_err_set(err, -prc, "out of memory publishing tables");
		}
		finish_removals(sw);
	}
	/* 2. New devices and in-place policy changes, none visible to the fast path yet. */
	for (unsigned k = 0; k < nc->n_ports; k++) {
		const struct dvs_port_conf *want = &nc->ports[k];
		struct sw_port *p = sw_port_find(sw, want->name);
		if (!p) {
			struct dvs_err perr = {0};
			p = port_create(sw, want, &perr);
			if (!p) {
				DVS_LOG(ERR, "%s", perr.msg);
				if (!rc)
					rc = dvs_err_set(err, perr.code ? perr.code : EINVAL, "%s", perr.msg);
				continue;
			}
			fdb_port_limit(sw, p, want->fdb_max);
			added[n_added++] = p;
			changed = true;
			continue;
		}
		if (memcmp(&p->conf, want, sizeof(*want))) {
			bool l2_changed = p->conf.has_mac != want->has_mac ||
					  memcmp(p->conf.mac, want->mac, 6) ||
					  p->conf.vlan_mode != want->vlan_mode ||
					  p->conf.tag != want->tag || p->conf.native_vlan != want->native_vlan ||
					  memcmp(p->conf.trunks, want->trunks, sizeof(want->trunks));
			p->conf = *want;
			fdb_port_limit(sw, p, want->fdb_max);
			if (l2_changed)
				relearn[n_relearn++] = p;
			changed = true;
		}
	}
	/* Policies whose spec changed are rebuilt; the old ones are retired after the swap. */
	struct dp_port_policy *retired[DVS_MAX_PORTS] = {0};
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		struct sw_port *p = &sw->ports[i];
		struct dvs_err perr = {0};
		/* Policies are compiled into DPDK memory (rte_acl, buckets): none without it. */
		if (!p->used || sw->no_datapath)
			continue;
		int u = sw_pol_update(sw, p, &retired[i], &perr);
		if (u < 0) {
			DVS_LOG(ERR, "%s (the port keeps its previous policy)", perr.msg);
			if (!rc)
				rc = dvs_err_set(err, EINVAL, "%s", perr.msg);
		} else if (u > 0) {
			changed = true;
		}
	}
	/* 3. One swap for the whole change. */
	if (changed) {
		int prc = sw_publish(sw);
		if (prc < 0) {
			unmark_removed(sw);
			for (unsigned i = 0; i < n_added; i++)
				port_destroy(sw, added[i]);
			return dvs_err_set(err, -prc, "out of memory publishing tables");
		}
	}
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++)
		if (retired[i])
			sw_pol_retire(retired[i], sw->ports[i].pol);
	/* 4. After the grace period: tear down, and fix the FDB of what changed. */
	finish_removals(sw);
	for (unsigned i = 0; i < n_relearn; i++) {
		/* Entries learned under the old VLAN policy are stale. */
		fdb_port_reset(sw, relearn[i], true);
	}
	for (unsigned i = 0; i < n_added; i++)
		fdb_port_reset(sw, added[i], false);
	if (sw->dp.fdb)
		fdb_set_aging(sw->dp.fdb, nc->fdb_aging_s);
	sw->dp.idle_sleep_us = nc->idle_sleep_us;
	return rc;
}

int
sw_reload(struct switchd *sw, struct dvs_err *err)
{
	struct dvs_switchd_conf *nc;
	int rc;

	if (!sw->config_path[0])
		return dvs_err_set(err, ENOENT, "switchd was started without --config: nothing to reload");
	if (!(nc = malloc(sizeof(*nc))))
		return dvs_err_set(err, ENOMEM, "out of memory");
	if ((rc = dvs_config_load(sw->config_path, nc, err)) < 0) {
		dvs_err_prefix(err, "invalid config, running state unchanged");
		goto out;
	}
	if (nc->n_lcores != sw->conf.n_lcores || memcmp(nc->lcores, sw->conf.lcores, sizeof(nc->lcores)) ||
	    nc->main_lcore != sw->conf.main_lcore || nc->fdb_max != sw->conf.fdb_max ||
	    strcmp(nc->ctl_socket, sw->conf.ctl_socket) || strcmp(nc->file_prefix, sw->conf.file_prefix) ||
	    nc->mem_mb != sw->conf.mem_mb || nc->no_huge != sw->conf.no_huge ||
	    strcmp(nc->db, sw->conf.db) || strcmp(nc->host_name, sw->conf.host_name))
		DVS_LOG(WARN, "reload: lcores, memory, fdb_max, ctl_socket, db and host_name changes take effect at restart");
	/* The file's ports and settings replace the old ones; the DB's ports stay. */
	memcpy(sw->conf.ports, nc->ports, sizeof(nc->ports));
	sw->conf.n_ports = nc->n_ports;
	sw->conf.fdb_aging_s = nc->fdb_aging_s;
	sw->conf.idle_sleep_us = nc->idle_sleep_us;
	sw->conf.fdb_max_per_port = nc->fdb_max_per_port;
	rc = sw_apply_desired(sw, err);
	if (rc < 0)
		DVS_LOG(ERR, "reload: %s", err->msg);
	else
		DVS_LOG(INFO, "reloaded %s: generation %llu", sw->config_path, (unsigned long long)sw->gen);
out:
	free(nc);
	return rc;
}

int
sw_apply_desired(struct switchd *sw, struct dvs_err *err)
{
	struct dvs_switchd_conf *nc = malloc(sizeof(*nc));
	int rc;

	if (!nc)
		return dvs_err_set(err, ENOMEM, "out of memory");
	*nc = sw->conf;
	if (sw->db)
		sw_db_add_ports(sw, nc);
	rc = sw_apply_config(sw, nc, err);
	free(nc);
	return rc;
}
