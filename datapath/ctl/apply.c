/* SPDX-License-Identifier: Apache-2.0 */
/* Applies configuration changes: port add and delete at runtime, VLAN changes, and a whole
 * new config on reload.  Each change is built, published as a new table generation, and only
 * then are removed devices torn down, so other ports never see a disturbance. */
#define DVS_LOG_MODULE "dvs.apply"
#include "datapath/switchd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

int
sw_port_add(struct switchd *sw, const struct dvs_port_conf *pc, struct dvs_err *err)
{
	struct sw_port *p = sw_port_create(sw, pc, err);
	int rc;

	if (!p)
		return -(err && err->code ? err->code : EINVAL);
	fdb_set_port_limit(sw->dp.fdb, p->idx, pc->fdb_max);
	if ((rc = sw_publish(sw)) < 0) {
		sw_port_destroy(sw, p);
		return dvs_err_set(err, -rc, "port \"%s\": out of memory publishing tables", pc->name);
	}
	sw_fdb_install_static(sw, p);
	return 0;
}

int
sw_port_del(struct switchd *sw, const char *name, struct dvs_err *err)
{
	struct sw_port *p = sw_port_find(sw, name);
	int rc;

	if (!p)
		return dvs_err_set(err, ENOENT, "port \"%s\" does not exist", name);
	/* Unpublish first: after the grace period no lcore polls or sends to it. */
	p->used = false;
	if ((rc = sw_publish(sw)) < 0) {
		p->used = true;
		return dvs_err_set(err, -rc, "port \"%s\": out of memory publishing tables", name);
	}
	p->used = true;
	fdb_flush(sw->dp.fdb, p->idx, true);
	fdb_set_port_limit(sw->dp.fdb, p->idx, 0);
	sw_port_destroy(sw, p);
	return 0;
}

/* True if the two configs need a new device (anything but VLAN, MAC and limits changed). */
static bool
needs_recreate(const struct dvs_port_conf *a, const struct dvs_port_conf *b)
{
	return a->type != b->type || strcmp(a->path, b->path) || a->client != b->client ||
	       a->queues != b->queues || strcmp(a->ifname, b->ifname) ||
	       strcmp(a->netns, b->netns) || strcmp(a->driver, b->driver) || strcmp(a->pci, b->pci);
}

int
sw_apply_config(struct switchd *sw, const struct dvs_switchd_conf *nc, struct dvs_err *err)
{
	int rc = 0;

	/* Removed or re-created ports go first. */
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		struct sw_port *p = &sw->ports[i];
		const struct dvs_port_conf *want = NULL;
		if (!p->used)
			continue;
		for (unsigned k = 0; k < nc->n_ports; k++)
			if (!strcmp(nc->ports[k].name, p->conf.name))
				want = &nc->ports[k];
		if (!want || needs_recreate(&p->conf, want)) {
			char name[DVS_PORT_NAME_MAX];
			snprintf(name, sizeof(name), "%s", p->conf.name);
			if ((rc = sw_port_del(sw, name, err)) < 0)
				return rc;
		}
	}
	/* Changed policy in place, then new ports. */
	bool changed = false;
	for (unsigned k = 0; k < nc->n_ports; k++) {
		const struct dvs_port_conf *want = &nc->ports[k];
		struct sw_port *p = sw_port_find(sw, want->name);
		if (!p) {
			if ((rc = sw_port_add(sw, want, err)) < 0)
				return rc;
			continue;
		}
		if (memcmp(&p->conf, want, sizeof(*want))) {
			bool mac_changed = p->conf.has_mac != want->has_mac ||
					   memcmp(p->conf.mac, want->mac, 6) ||
					   p->conf.vlan_mode != want->vlan_mode ||
					   p->conf.tag != want->tag || p->conf.native_vlan != want->native_vlan;
			p->conf = *want;
			fdb_set_port_limit(sw->dp.fdb, p->idx, want->fdb_max);
			if (mac_changed) {
				/* Entries learned under the old VLAN policy are stale. */
				fdb_flush(sw->dp.fdb, p->idx, true);
				sw_fdb_install_static(sw, p);
			}
			changed = true;
		}
	}
	if (changed && (rc = sw_publish(sw)) < 0)
		return dvs_err_set(err, -rc, "out of memory publishing tables");
	sw->conf.fdb_aging_s = nc->fdb_aging_s;
	fdb_set_aging(sw->dp.fdb, nc->fdb_aging_s);
	sw->dp.idle_sleep_us = nc->idle_sleep_us;
	return 0;
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
	    nc->mem_mb != sw->conf.mem_mb || nc->no_huge != sw->conf.no_huge)
		DVS_LOG(WARN, "reload: lcores, memory, fdb_max and ctl_socket changes take effect at restart");
	if ((rc = sw_apply_config(sw, nc, err)) < 0) {
		DVS_LOG(ERR, "reload failed part way: %s", err->msg);
		goto out;
	}
	DVS_LOG(INFO, "reloaded %s: generation %llu", sw->config_path, (unsigned long long)sw->gen);
out:
	free(nc);
	return rc;
}
