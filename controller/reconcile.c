/* SPDX-License-Identifier: Apache-2.0 */
/* Incremental reconcile: the replica's row callbacks keep the indexes up to date and mark
 * what a change touches (a port, the ports of a group or of a host, a segment, a MAC key);
 * ctl_build() then recomputes only those entries.  A full recompute happens only when the
 * controller becomes leader or a transaction failed (ctl_mark_all). */

#define DVS_LOG_MODULE "dvs.reconcile"

#include "ctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "ovsdb-lite/client/wire.h"

/* ---- small helpers shared by the modules ---- */

void
ctl_set_add(json_t *set, const char *key)
{
	json_object_set_new(set, key, json_true());
}

void
ctl_set_del(json_t *set, const char *key)
{
	json_object_del(set, key);
}

void
ctl_multimap_add(json_t *m, const char *key, const char *member)
{
	json_t *s = json_object_get(m, key);

	if (!s) {
		s = json_object();
		json_object_set_new(m, key, s);
	}
	json_object_set_new(s, member, json_true());
}

void
ctl_multimap_del(json_t *m, const char *key, const char *member)
{
	json_t *s = json_object_get(m, key);

	if (!s)
		return;
	json_object_del(s, member);
	if (!json_object_size(s))
		json_object_del(m, key);
}

void
ctl_multimap_mark(json_t *m, const char *key, json_t *dirty)
{
	const char *member;
	json_t *v;

	json_object_foreach(json_object_get(m, key), member, v)
		ctl_set_add(dirty, member);
}

bool
ctl_dirty_take(const struct ctl *ctl, const struct dvs_txn *txn, json_t *done, const char *key)
{
	if (dvs_txn_n_ops(txn) >= ctl->max_ops)
		return false;
	json_array_append_new(done, json_string(key));
	return true;
}

void
ctl_dirty_done(json_t *set, json_t *done)
{
	const json_t *k;
	size_t i;

	if (json_array_size(done) == json_object_size(set)) {
		json_object_clear(set);
	} else {
		json_array_foreach(done, i, k)
			json_object_del(set, json_string_value(k));
	}
	json_decref(done);
}

/* The single atom of an optional column (bare, or ["set", [x]]), or NULL. */
static const json_t *
single(const json_t *row, const char *col)
{
	const json_t *v = json_object_get(row, col);

	if (json_is_array(v) && json_array_size(v) == 2 &&
	    !strcmp(json_string_value(json_array_get(v, 0)) ?: "", "set")) {
		const json_t *e = json_array_get(v, 1);

		return json_array_size(e) == 1 ? json_array_get(e, 0) : NULL;
	}
	return v;
}

const char *
ctl_row_str(const json_t *row, const char *col)
{
	return json_string_value(single(row, col));
}

const char *
ctl_row_uuid(const json_t *row, const char *col)
{
	const json_t *a = single(row, col);

	if (json_is_array(a) && json_array_size(a) == 2 &&
	    !strcmp(json_string_value(json_array_get(a, 0)) ?: "", "uuid"))
		return json_string_value(json_array_get(a, 1));
	return NULL;
}

const char *
ctl_map_get(const json_t *row, const char *col, const char *key)
{
	return dvs_wire_map_str(json_object_get(row, col), key);
}

bool
ctl_row_int(const json_t *row, const char *col, int64_t *v)
{
	const json_t *a = single(row, col);

	if (!json_is_integer(a))
		return false;
	*v = json_integer_value(a);
	return true;
}

/* ---- Global ---- */

static void
global_cb(struct ctl *ctl, const json_t *new)
{
	const char *s;
	unsigned long first = CTL_VNI_FIRST_DEFAULT, last = CTL_VNI_LAST_DEFAULT;
	int64_t gen;

	ctl->dirty_global = true;
	if (!new)
		return;
	s = ctl_map_get(new, "other_config", "host_down_after_ms");
	ctl->down_after_ms = s && strtoull(s, NULL, 10) > 0 ? strtoull(s, NULL, 10)
							  : CTL_DOWN_AFTER_DEFAULT_MS;
	s = ctl_map_get(new, "other_config", "vni_range");
	if (s && (sscanf(s, "%lu-%lu", &first, &last) != 2 || !first || first > last ||
		  last > VNI_MAX)) {
		DVS_LOG_RL(WARN, "Global other_config:vni_range \"%s\" is not FIRST-LAST within "
			   "1..16777215; using 1000-16777215", s);
		first = CTL_VNI_FIRST_DEFAULT;
		last = CTL_VNI_LAST_DEFAULT;
	}
	if (first != ctl->vni_first || last != ctl->vni_last) {
		ctl->vni_first = (uint32_t)first;
		ctl->vni_last = (uint32_t)last;
		vni_alloc_set_range(ctl->vni, ctl->vni_first, ctl->vni_last);
		/* Segments still waiting for a VNI may fit the new range. */
		const char *uuid;
		json_t *row;

		json_object_foreach((json_t *)dvs_replica_rows(ctl->replica, "Segment"), uuid, row)
			ctl_set_add(ctl->dirty_segments, uuid);
	}
	if (ctl_row_int(new, "generation", &gen) && gen != ctl->generation) {
		ctl->generation = gen;
		ctl->dirty_convergence = true;
	}
}

/* ---- PortGroup, Port, Binding, MacLocation ---- */

/* True if the rows differ in a column other than those listed (NULL-terminated). */
static bool
differs_except(const json_t *a, const json_t *b, const char *const *skip)
{
	const char *col;
	json_t *v;

	json_object_foreach((json_t *)a, col, v) {
		size_t i;

		for (i = 0; skip[i] && strcmp(skip[i], col); i++)
			;
		if (!skip[i] && !json_equal(v, json_object_get(b, col)))
			return true;
	}
	return false;
}

static void
group_cb(struct ctl *ctl, const char *uuid, const json_t *old, const json_t *new)
{
	static const char *const ours[] = {"config_error", "generation", "external_ids", NULL};

	ctl_set_add(ctl->dirty_groups, uuid);
	/* Our own config_error write must not recompute every port of the group. */
	if (!old || !new || differs_except(old, new, ours))
		ctl_multimap_mark(ctl->ports_by_group, uuid, ctl->dirty_ports);
}

static void
port_cb(struct ctl *ctl, const char *uuid, const json_t *old, const json_t *new)
{
	static const char *const ours[] = {"config_error", "generation", "external_ids",
					   "statistics", NULL};
	const char *og = old ? ctl_row_uuid(old, "port_group") : NULL;
	const char *ng = new ? ctl_row_uuid(new, "port_group") : NULL;
	const char *oh = old ? ctl_row_str(old, "requested_host") : NULL;
	const char *nh = new ? ctl_row_str(new, "requested_host") : NULL;

	if (og && (!ng || strcmp(og, ng)))
		ctl_multimap_del(ctl->ports_by_group, og, uuid);
	if (ng)
		ctl_multimap_add(ctl->ports_by_group, ng, uuid);
	if (oh && (!nh || strcmp(oh, nh)))
		ctl_multimap_del(ctl->ports_by_host, oh, uuid);
	if (nh)
		ctl_multimap_add(ctl->ports_by_host, nh, uuid);
	if (!old || !new || differs_except(old, new, ours))
		ctl_set_add(ctl->dirty_ports, uuid);
}

static void
binding_cb(struct ctl *ctl, const char *uuid, const json_t *old, const json_t *new)
{
	const char *op = old ? ctl_row_uuid(old, "port") ?: "" : NULL;
	const char *np = new ? ctl_row_uuid(new, "port") ?: "" : NULL;

	if (op) {
		ctl_multimap_del(ctl->bindings_by_port, op, uuid);
		if (*op)
			ctl_set_add(ctl->dirty_ports, op);
	}
	if (np) {
		ctl_multimap_add(ctl->bindings_by_port, np, uuid);
		/* An emptied weak reference (the port was deleted) is cleaned up with "". */
		ctl_set_add(ctl->dirty_ports, np);
	}
}

static void
mkey_of(const json_t *row, char *buf, size_t size)
{
	snprintf(buf, size, "%s|%s", ctl_row_uuid(row, "segment") ?: "",
		 ctl_row_str(row, "mac") ?: "");
}

static void
macloc_cb(struct ctl *ctl, const char *uuid, const json_t *old, const json_t *new)
{
	char key[128];

	if (old) {
		mkey_of(old, key, sizeof(key));
		ctl_multimap_del(ctl->macloc_by_key, key, uuid);
		ctl_set_add(ctl->dirty_mkeys, key);
	}
	if (new) {
		mkey_of(new, key, sizeof(key));
		ctl_multimap_add(ctl->macloc_by_key, key, uuid);
		ctl_set_add(ctl->dirty_mkeys, key);
	}
}

static void
row_cb(void *arg, const char *table, const char *uuid, enum dvs_row_change change,
       const json_t *old, const json_t *new)
{
	struct ctl *ctl = arg;

	if (!strcmp(table, "Global"))
		global_cb(ctl, new);
	else if (!strcmp(table, "Host"))
		ctl_hosts_row_cb(ctl, uuid, old, new);
	else if (!strcmp(table, "Segment"))
		ctl_segments_row_cb(ctl, uuid, old, new);
	else if (!strcmp(table, "PortGroup"))
		group_cb(ctl, uuid, old, new);
	else if (!strcmp(table, "Port"))
		port_cb(ctl, uuid, old, new);
	else if (!strcmp(table, "Binding"))
		binding_cb(ctl, uuid, old, new);
	else if (!strcmp(table, "MacLocation"))
		macloc_cb(ctl, uuid, old, new);
}

/* ---- lifecycle ---- */

struct ctl *
ctl_create(struct dvs_replica *replica, const char *name)
{
	struct ctl *ctl = calloc(1, sizeof(*ctl));

	if (!ctl)
		return NULL;
	ctl->replica = replica;
	snprintf(ctl->name, sizeof(ctl->name), "%s", name);
	ctl->down_after_ms = CTL_DOWN_AFTER_DEFAULT_MS;
	ctl->vni_first = CTL_VNI_FIRST_DEFAULT;
	ctl->vni_last = CTL_VNI_LAST_DEFAULT;
	ctl->converged_gen = -1;
	ctl->max_ops = CTL_MAX_OPS_DEFAULT;
	ctl->vni = vni_alloc_create(ctl->vni_first, ctl->vni_last);
	json_t **objs[] = {&ctl->host_by_name, &ctl->ports_by_host, &ctl->ports_by_group,
			   &ctl->bindings_by_port, &ctl->macloc_by_key, &ctl->vni_pending, &ctl->vni_waiting,
			   &ctl->host_up, &ctl->port_state, &ctl->flood, &ctl->mac_claims,
			   &ctl->dirty_hosts, &ctl->dirty_groups, &ctl->dirty_ports,
			   &ctl->dirty_segments, &ctl->dirty_mkeys};
	bool ok = ctl->vni != NULL;

	for (size_t i = 0; i < DVS_ARRAY_SIZE(objs); i++)
		ok &= (*objs[i] = json_object()) != NULL;
	if (!ok || dvs_replica_on_table(replica, NULL, row_cb, ctl) < 0) {
		ctl_destroy(ctl);
		errno = ENOMEM;
		return NULL;
	}
	return ctl;
}

void
ctl_destroy(struct ctl *ctl)
{
	if (!ctl)
		return;
	json_t *objs[] = {ctl->host_by_name, ctl->ports_by_host, ctl->ports_by_group,
			  ctl->bindings_by_port, ctl->macloc_by_key, ctl->vni_pending, ctl->vni_waiting,
			  ctl->host_up, ctl->port_state, ctl->flood, ctl->mac_claims,
			  ctl->dirty_hosts, ctl->dirty_groups, ctl->dirty_ports,
			  ctl->dirty_segments, ctl->dirty_mkeys};

	for (size_t i = 0; i < DVS_ARRAY_SIZE(objs); i++)
		json_decref(objs[i]);
	vni_alloc_destroy(ctl->vni);
	free(ctl);
}

static void
mark_table(struct ctl *ctl, const char *table, json_t *dirty)
{
	const char *uuid;
	json_t *row;

	json_object_foreach((json_t *)dvs_replica_rows(ctl->replica, table), uuid, row)
		ctl_set_add(dirty, uuid);
}

void
ctl_mark_all(struct ctl *ctl)
{
	const char *k;
	json_t *v;

	ctl->dirty_global = true;
	ctl->dirty_convergence = true;
	mark_table(ctl, "Host", ctl->dirty_hosts);
	mark_table(ctl, "PortGroup", ctl->dirty_groups);
	mark_table(ctl, "Port", ctl->dirty_ports);
	mark_table(ctl, "Segment", ctl->dirty_segments);
	/* Ports that are gone but still hold bindings or contributions. */
	json_object_foreach(ctl->bindings_by_port, k, v)
		ctl_set_add(ctl->dirty_ports, k);
	json_object_foreach(ctl->port_state, k, v)
		ctl_set_add(ctl->dirty_ports, k);
	json_object_foreach(ctl->macloc_by_key, k, v)
		ctl_set_add(ctl->dirty_mkeys, k);
	json_object_foreach(ctl->mac_claims, k, v)
		ctl_set_add(ctl->dirty_mkeys, k);
}

bool
ctl_is_dirty(const struct ctl *ctl)
{
	return ctl->dirty_global || json_object_size(ctl->dirty_hosts) ||
	       json_object_size(ctl->dirty_groups) || json_object_size(ctl->dirty_ports) ||
	       json_object_size(ctl->dirty_segments) || json_object_size(ctl->dirty_mkeys);
}

/* Global: created if missing; 'leader' names us. */
static int
global_build(struct ctl *ctl, struct dvs_txn *txn)
{
	const json_t *rows = dvs_replica_rows(ctl->replica, "Global");
	const char *uuid = NULL, *leader;
	json_t *row;

	ctl->dirty_global = false;
	json_object_foreach((json_t *)rows, uuid, row)
		break;
	if (!uuid) {
		DVS_LOG(INFO, "creating the Global row");
		return dvs_txn_insert(txn, "Global", json_pack("{s:s}", "leader", ctl->name), NULL) < 0
			       ? -ENOMEM : 1;
	}
	leader = ctl_row_str(row, "leader");
	if (leader && !strcmp(leader, ctl->name))
		return 0;
	return dvs_txn_update(txn, "Global", dvs_where_uuid(uuid),
			      json_pack("{s:s}", "leader", ctl->name)) < 0 ? -ENOMEM : 1;
}

int
ctl_build(struct ctl *ctl, uint64_t now_ms, struct dvs_txn *txn)
{
	uint64_t t0 = dvs_now_us();
	struct ctl_stats before = ctl->stats;
	size_t n0 = dvs_txn_n_ops(txn);
	int n = 0, ret;

	if (!ctl_is_dirty(ctl))
		return 0;
	if (ctl->dirty_global && (ret = global_build(ctl, txn)) < 0)
		return ret;
	/* Order matters: hosts (liveness) feed ports (bindings, contributions), which feed
	 * segments (flood lists) and MAC keys. */
	if ((ret = ctl_hosts_build(ctl, now_ms, txn)) < 0 || (ret = ctl_groups_build(ctl, txn)) < 0 ||
	    (ret = ctl_ports_build(ctl, txn)) < 0 || (ret = ctl_segments_build(ctl, txn)) < 0 ||
	    (ret = ctl_macs_build(ctl, txn)) < 0)
		return ret;
	n = (int)(dvs_txn_n_ops(txn) - n0);
	ctl->stats.n_builds++;
	ctl->stats.n_ops += (uint64_t)n;
	ctl->stats.last_build_us = dvs_now_us() - t0;
	DVS_LOG(DEBUG, "reconcile: %" PRIu64 " hosts, %" PRIu64 " groups, %" PRIu64 " ports, %"
		PRIu64 " segments, %" PRIu64 " MAC keys recomputed; %d operations; %" PRIu64 " us",
		ctl->stats.n_hosts - before.n_hosts, ctl->stats.n_groups - before.n_groups,
		ctl->stats.n_ports - before.n_ports, ctl->stats.n_segments - before.n_segments,
		ctl->stats.n_mkeys - before.n_mkeys, n, ctl->stats.last_build_us);
	return n;
}

void
ctl_txn_done(struct ctl *ctl, bool ok)
{
	ctl_segments_txn_done(ctl, ok);
	if (!ok)
		ctl_mark_all(ctl);
}

void
ctl_log_convergence(struct ctl *ctl)
{
	const json_t *hosts = dvs_replica_rows(ctl->replica, "Host");
	const char *uuid;
	json_t *row;
	unsigned n_up = 0, n_applied = 0;

	if (!ctl->dirty_convergence)
		return;
	ctl->dirty_convergence = false;
	json_object_foreach((json_t *)hosts, uuid, row) {
		int64_t g = 0;

		if (!ctl_host_is_up(ctl, uuid))
			continue;
		n_up++;
		if (ctl_row_int(row, "applied_generation", &g) && g >= ctl->generation)
			n_applied++;
	}
	if (n_up && n_applied == n_up && ctl->converged_gen != ctl->generation) {
		ctl->converged_gen = ctl->generation;
		DVS_LOG(INFO, "generation %" PRId64 " applied on %u/%u up hosts", ctl->generation,
			n_applied, n_up);
	} else if (n_applied != n_up) {
		DVS_LOG(DEBUG, "generation %" PRId64 " applied on %u/%u up hosts", ctl->generation,
			n_applied, n_up);
	}
}
