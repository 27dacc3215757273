/* SPDX-License-Identifier: Apache-2.0 */
/* switchd in cluster mode: an OVSDB client of dvs-db (ovsdb-lite/client IDL) that monitors
 * only the rows of this host (Host and Port by condition; the small profile tables whole),
 * turns them into port configs with the shared profile model (lib/profile.c), applies each
 * update batch as one table generation, then reports the applied generation, the port
 * status and counters, and a heartbeat.  The replica is saved after every applied batch and
 * loaded at start, so switchd comes up on its last configuration when the DB is down and
 * resyncs (as a diff: nothing unchanged is touched) when it is back. */
#define DVS_LOG_MODULE "dvs.db_sync"
#include "datapath/switchd.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/loop.h"
#include "lib/profile.h"
#include "ovsdb-lite/client/client.h"
#include "ovsdb-lite/client/idl.h"
#include "ovsdb-lite/client/replica.h"
#include "ovsdb-lite/client/txn.h"
#include "ovsdb-lite/client/wire.h"
#include "db_sync.h"

#define DB_NAME "DVS"
#define STATUS_INTERVAL_MS 1000
/* The control tick, when no migration is in progress here (5 ms while one is): it sleeps
 * until the next heartbeat, status report or snapshot is due, at most this long.  A fixed
 * 100 ms tick was ten wakeups a second on every idle host, most of a thousand simulated
 * hosts' idle CPU. */
#define TICK_IDLE_MAX_MS 1000
/* A report refused or cut by a disconnect is retried this soon. */
#define TICK_RETRY_MS 100
/* Work due within this much of a tick is done on it (one wakeup, not two). */
#define TICK_SLACK_MS 50
/* A burst of generations (a thousand port adds) writes one snapshot, this long after the first. */
#define SNAPSHOT_DELAY_MS 1000

/* An optional column's value: the atom, or NULL when the set is empty. */
const json_t *
sw_db_opt(const json_t *row, const char *col)
{
	const json_t *v = json_object_get(row, col);
	if (json_is_array(v) && !strcmp(json_string_value(json_array_get(v, 0)) ?: "", "set"))
		return json_array_size(json_array_get(v, 1)) ? json_array_get(json_array_get(v, 1), 0) : NULL;
	return v;
}

static int64_t
global_generation(const struct sw_db *db)
{
	const json_t *rows = dvs_replica_rows(db->rep, "Global");
	const char *uuid;
	json_t *row;

	json_object_foreach((json_t *)rows, uuid, row)
		return json_integer_value(json_object_get(row, "generation"));
	return 0;
}

static json_t *
shaping_dir(const struct dvs_profile_shaping *sh)
{
	json_t *o = json_pack("{s:I, s:I}", "avg_bps", (json_int_t)sh->average_bps, "burst_bytes",
			      (json_int_t)(sh->burst_bytes ? sh->burst_bytes : DVS_PROFILE_BURST_MIN));
	if (sh->peak_bps)
		json_object_set_new(o, "peak_bps", json_integer((json_int_t)sh->peak_bps));
	return o;
}

/* An AclRule row as the policy modules' rule JSON (dp/policy/acl_rule.h, docs/policy.md). */
static json_t *
acl_rule_json(const json_t *row, uint32_t id)
{
	json_t *r = json_pack("{s:I, s:O, s:O, s:O}", "id", (json_int_t)id,
			      "priority", json_object_get(row, "priority"),
			      "direction", json_object_get(row, "direction"),
			      "action", json_object_get(row, "action"));
	const json_t *v;
	char buf[32];

	if (json_is_true(json_object_get(row, "stateful")))
		json_object_set_new(r, "stateful", json_true());
	if ((v = sw_db_opt(row, "ethertype")))
		json_object_set(r, "ethertype", (json_t *)v);
	if ((v = sw_db_opt(row, "src_ip")))
		json_object_set(r, "src", (json_t *)v);
	if ((v = sw_db_opt(row, "dst_ip")))
		json_object_set(r, "dst", (json_t *)v);
	if ((v = sw_db_opt(row, "protocol")))
		json_object_set(r, "protocol", (json_t *)v);
	static const char *const ports[2][3] = {{"src_port_min", "src_port_max", "src_port"},
						{"dst_port_min", "dst_port_max", "dst_port"}};
	for (int k = 0; k < 2; k++) {
		const json_t *lo = sw_db_opt(row, ports[k][0]), *hi = sw_db_opt(row, ports[k][1]);
		if (!lo && !hi)
			continue;
		snprintf(buf, sizeof(buf), "%lld-%lld", lo ? (long long)json_integer_value(lo) : 0LL,
			 hi ? (long long)json_integer_value(hi) : 65535LL);
		json_object_set_new(r, ports[k][2], json_string(buf));
	}
	if ((v = sw_db_opt(row, "icmp_type")))
		json_object_set(r, "icmp_type", (json_t *)v);
	if ((v = sw_db_opt(row, "icmp_code")))
		json_object_set(r, "icmp_code", (json_t *)v);
	return r;
}

/* The port's policy keys from its effective profile (acl, security, shaping, storm). */
static void
profile_policy(const struct sw_db *db, const struct dvs_profile *pr, json_t *j)
{
	char ip[64];

	if (pr->n_acl_rules || pr->default_acl_action != DVS_PROFILE_ACL_ALLOW) {
		json_t *rules = json_array();
		for (size_t i = 0; i < pr->n_acl_rules; i++) {
			const json_t *row = dvs_replica_get(db->rep, "AclRule", pr->acl_rules[i]);
			if (row)
				json_array_append_new(rules, acl_rule_json(row, (uint32_t)i + 1));
		}
		json_object_set_new(j, "acl", json_pack("{s:s, s:o}", "default_action",
			dvs_profile_acl_action_name(pr->default_acl_action), "rules", rules));
	}
	json_t *sec = json_pack("{s:b, s:b, s:b, s:b}", "allow_promiscuous", pr->allow_promiscuous,
				"allow_mac_changes", pr->allow_mac_changes,
				"allow_forged_transmits", pr->allow_forged_transmits,
				"ip_mac_binding", pr->ip_mac_binding);
	json_t *ips = json_array();
	for (size_t i = 0; i < pr->n_ips && i < 16; i++)
		if (inet_ntop(pr->ips[i].family, pr->ips[i].addr, ip, sizeof(ip)))
			json_array_append_new(ips, json_string(ip));
	json_object_set_new(sec, "ips", ips);
	if (pr->arp_suppression) /* absent when off: existing policies stay as they were */
		json_object_set_new(sec, "arp_suppression", json_true());
	json_object_set_new(j, "security", sec);
	if (pr->ingress.average_bps || pr->egress.average_bps) {
		json_t *sh = json_object();
		if (pr->ingress.average_bps)
			json_object_set_new(sh, "ingress", shaping_dir(&pr->ingress));
		if (pr->egress.average_bps)
			json_object_set_new(sh, "egress", shaping_dir(&pr->egress));
		json_object_set_new(j, "shaping", sh);
	}
	if (pr->storm_broadcast_pps || pr->storm_multicast_pps || pr->storm_unknown_unicast_pps) {
		json_t *st = json_object();
		if (pr->storm_broadcast_pps)
			json_object_set_new(st, "broadcast_pps", json_integer((json_int_t)pr->storm_broadcast_pps));
		if (pr->storm_multicast_pps)
			json_object_set_new(st, "multicast_pps", json_integer((json_int_t)pr->storm_multicast_pps));
		if (pr->storm_unknown_unicast_pps)
			json_object_set_new(st, "unknown_unicast_pps", json_integer((json_int_t)pr->storm_unknown_unicast_pps));
		json_object_set_new(j, "storm", st);
	}
}

/* Converts an effective profile into a switchd port, through the same validation as a port
 * of the config file.  Returns 0 or -EINVAL with 'err' set. */
static int
profile_to_port(const struct sw_db *db, const struct dvs_profile *pr, struct dvs_port_conf *pc,
		struct dvs_err *err)
{
	json_t *j = json_pack("{s:s}", "name", pr->key);
	char buf[1024];
	int rc;

	switch (pr->backing) {
	case DVS_PROFILE_VHOST_USER:
		json_object_set_new(j, "type", json_string("vhost-user"));
		json_object_set_new(j, "path", json_string(pr->vhost_socket));
		json_object_set_new(j, "client", json_boolean(pr->vhost_client));
		json_object_set_new(j, "queues", json_integer(pr->vhost_queues ? pr->vhost_queues : 1));
		break;
	case DVS_PROFILE_TAP:
		json_object_set_new(j, "type", json_string("tap"));
		json_object_set_new(j, "ifname", json_string(pr->tap_name));
		if (pr->netns[0])
			json_object_set_new(j, "netns", json_string(pr->netns));
		break;
	case DVS_PROFILE_KERNEL:
		json_object_set_new(j, "type", json_string("kernel"));
		json_object_set_new(j, "ifname", json_string(pr->kernel_ifname));
		break;
	default:
		json_decref(j);
		return dvs_err_set(err, EINVAL, "port \"%s\": no backing (vhost-user, tap or kernel)", pr->key);
	}
	if (pr->vlan_mode == DVS_PROFILE_ACCESS) {
		json_object_set_new(j, "vlan_mode", json_string("access"));
		json_object_set_new(j, "tag", json_integer(pr->tag));
	} else {
		json_object_set_new(j, "vlan_mode", json_string("trunk"));
		json_object_set_new(j, "trunks", json_string(dvs_profile_vlans_format(pr->trunks, buf, sizeof(buf))));
		if (pr->native_vlan)
			json_object_set_new(j, "native_vlan", json_integer(pr->native_vlan));
	}
	if (pr->has_mac) {
		snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", pr->mac[0], pr->mac[1],
			 pr->mac[2], pr->mac[3], pr->mac[4], pr->mac[5]);
		json_object_set_new(j, "mac", json_string(buf));
	}
	if (pr->max_macs)
		json_object_set_new(j, "fdb_max", json_integer(pr->max_macs));
	profile_policy(db, pr, j);
	rc = dvs_port_conf_parse(j, pc, err);
	json_decref(j);
	return rc;
}

const char *
sw_db_host_uuid(const struct sw_db *db)
{
	const char *uuid = NULL;
	const json_t *row;
	json_t *name;

	/* Called per port and per report: a scan of every Host row (a thousand) each time was
	 * a good part of an apply.  The cache is checked against the row. */
	if (db->host_uuid[0] && (row = dvs_replica_get(db->rep, "Host", db->host_uuid)) &&
	    !strcmp(json_string_value(json_object_get(row, "name")) ?: "", db->sw->conf.host_name))
		return db->host_uuid;
	name = json_string(db->sw->conf.host_name);
	dvs_replica_find(db->rep, "Host", "name", name, &uuid);
	json_decref(name);
	snprintf(db->host_uuid, SW_DB_UUID_SIZE, "%s", uuid ?: "");
	return uuid ? db->host_uuid : NULL;
}

/* --- the resolved-port cache ------------------------------------------------------------ */

/* A port's config depends on its Port row, its PortGroup row and tables every port may use
 * (AclRule, Segment, Site, Migration, Host with tunnels).  A change of the latter clears the
 * cache; a changed Port or PortGroup drops its own entries.  A change to one group then
 * re-resolves that group's ports only, not the host's hundred. */
static struct sw_db_port *
cache_get(struct sw_db *db, const char *uuid)
{
	const json_t *v = json_object_get(db->cache_idx, uuid);

	return v ? &db->cache[json_integer_value(v)] : NULL;
}

static void
cache_put(struct sw_db *db, const char *uuid, const char *group, const struct dvs_port_conf *pc)
{
	struct sw_db_port *c = cache_get(db, uuid);

	for (unsigned i = 0; !c && i < DVS_MAX_PORTS; i++)
		if (!db->cache[i].used) {
			c = &db->cache[i];
			json_object_set_new(db->cache_idx, uuid, json_integer(i));
		}
	if (!c)
		return;
	c->used = true;
	snprintf(c->uuid, sizeof(c->uuid), "%s", uuid);
	snprintf(c->group, sizeof(c->group), "%s", group ?: "");
	c->conf = *pc;
}

static void
cache_invalidate(struct sw_db *db)
{
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++) {
		struct sw_db_port *c = &db->cache[i];
		if (c->used && (db->changed_all || json_object_get(db->changed, c->uuid) ||
				(c->group[0] && json_object_get(db->changed, c->group)))) {
			json_object_del(db->cache_idx, c->uuid);
			c->used = false;
		}
	}
	json_object_clear(db->changed);
	db->changed_all = false;
}

/* The VTEP address of Host row 'host_uuid', in network order, or 0. */
static uint32_t
host_vtep(const struct sw_db *db, const char *host_uuid)
{
	const json_t *h = dvs_replica_get(db->rep, "Host", host_uuid);
	const json_t *ip = h ? sw_db_opt(h, "vtep_ip") : NULL;
	struct in_addr a;

	if (!ip || inet_pton(AF_INET, json_string_value(ip), &a) != 1)
		return 0;
	return a.s_addr;
}

/* Puts an overlay port in its segment: the Segment's VNI, and its flood list (the VTEPs of
 * the other hosts with ports in it, and the external VTEPs) as tunnels.  Returns 0, or
 * -EINVAL with 'err' set when the segment cannot be used yet. */
static int
overlay_port(struct sw_db *db, const struct dvs_profile *pr, struct dvs_port_conf *pc,
	     struct dvs_err *err)
{
	struct switchd *sw = db->sw;
	const json_t *seg = dvs_replica_get(db->rep, "Segment", pr->segment);
	const json_t *vni = seg ? sw_db_opt(seg, "vni") : NULL;
	const json_t *set, *e;
	struct in_addr a;
	size_t i;
	int slot;

	if (!sw->ov.vtep_be)
		return dvs_err_set(err, EINVAL, "port \"%s\": its segment needs a VXLAN tunnel endpoint: set vtep_ip in switchd's config", pr->key);
	if (!seg)
		return dvs_err_set(err, EINVAL, "port \"%s\": segment %s not found", pr->key, pr->segment);
	if (!vni)
		return dvs_err_set(err, EAGAIN, "port \"%s\": segment \"%s\" has no VNI yet (is dvs-controller running?)",
				   pr->key, json_string_value(json_object_get(seg, "name")));
	slot = sw_overlay_seg(sw, pr->segment, (uint32_t)json_integer_value(vni));
	if (slot < 0)
		return dvs_err_set(err, ENOSPC, "port \"%s\": at most %d overlay segments", pr->key, DP_MAX_OVERLAY);
	pc->segment = (uint16_t)(DP_SEG_OVERLAY + slot);
	set = json_array_get(json_object_get(seg, "flood_hosts"), 1);
	if (json_is_string(json_array_get(json_object_get(seg, "flood_hosts"), 0)) &&
	    !strcmp(json_string_value(json_array_get(json_object_get(seg, "flood_hosts"), 0)), "uuid"))
		set = json_pack("[O]", json_object_get(seg, "flood_hosts")); /* a single ref */
	else
		json_incref((json_t *)set);
	json_array_foreach(set, i, e) {
		uint32_t ip = host_vtep(db, dvs_wire_uuid_str(e));
		if (ip)
			sw_overlay_add_vtep(sw, slot, ip);
	}
	json_decref((json_t *)set);
	const json_t *fv = json_object_get(seg, "flood_vteps");
	const json_t *list = json_is_string(fv) ? NULL : json_array_get(fv, 1);
	if (json_is_string(fv) && inet_pton(AF_INET, json_string_value(fv), &a) == 1)
		sw_overlay_add_vtep(sw, slot, a.s_addr);
	json_array_foreach(list, i, e)
		if (inet_pton(AF_INET, json_string_value(e) ?: "", &a) == 1)
			sw_overlay_add_vtep(sw, slot, a.s_addr);
	return 0;
}

/* The controller's MAC locations in our overlay segments, behind other hosts' tunnels. */
static void
overlay_macs(struct sw_db *db)
{
	struct switchd *sw = db->sw;
	const json_t *rows = dvs_replica_rows(db->rep, "MacLocation");
	json_t *locs = json_object();
	const char *uuid, *me = sw_db_host_uuid(db);
	json_t *row;
	char key[64];
	struct sw_arp_list arp = {0}; /* their IP-MAC bindings, for ARP suppression */

	json_object_foreach((json_t *)rows, uuid, row) {
		const json_t *seg = json_object_get(row, "segment");
		const json_t *host = sw_db_opt(row, "host");
		const char *mac = json_string_value(json_object_get(row, "mac"));
		if (!seg || !host || !mac || (me && !strcmp(dvs_wire_uuid_str(host), me)))
			continue;
		for (int i = 0; i < DP_MAX_OVERLAY; i++) {
			if (!sw->ov.segs[i].used || strcmp(sw->ov.segs[i].uuid, dvs_wire_uuid_str(seg)))
				continue;
			int port = sw_overlay_tunnel_port(sw, host_vtep(db, dvs_wire_uuid_str(host)));
			if (port < 0)
				break;
			snprintf(key, sizeof(key), "%d/%s", DP_SEG_OVERLAY + i, mac);
			json_object_set_new(locs, key, json_integer(port));
			sw_arp_list_add(&arp, (uint16_t)(DP_SEG_OVERLAY + i), mac, json_object_get(row, "ips"));
			break;
		}
	}
	sw_overlay_set_macs(sw, locs);
	json_decref(locs);
	sw_arp_set_remote(sw, &arp);
}

/* True if one of the first 'n' ports of 'nc' is named 'name'. */
static bool
find_name(const struct dvs_switchd_conf *nc, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(nc->ports[i].name, name))
			return true;
	return false;
}

void
sw_db_add_ports(struct switchd *sw, struct dvs_switchd_conf *nc)
{
	struct sw_db *db = sw->db;
	const json_t *ports = dvs_replica_rows(db->rep, "Port");
	/* The ports of switchd's config file: a database port's name can only clash with
	 * those (Port.key is unique), and checking all the others was quadratic. */
	const unsigned n_file = nc->n_ports;
	const char *uuid;
	json_t *row;

	json_object_clear(db->errors);
	cache_invalidate(db);
	sw_overlay_begin(sw);
	if (sw->ov.nh && sw->conf.site[0]) {
		const char *su = NULL;
		json_t *name = json_string(sw->conf.site);
		const json_t *site = dvs_replica_find(db->rep, "Site", "name", name, &su);
		const json_t *wm = site ? sw_db_opt(site, "wan_mtu") : NULL;
		json_decref(name);
		sw_overlay_set_wan_mtu(sw, wm ? (uint16_t)json_integer_value(wm) : 0);
	}
	json_object_foreach((json_t *)ports, uuid, row) {
		const char *key = json_string_value(json_object_get(row, "key"));
		const json_t *pg_ref = sw_db_opt(row, "port_group");
		const json_t *pg = pg_ref ? dvs_replica_get(db->rep, "PortGroup", dvs_wire_uuid_str(pg_ref)) : NULL;
		struct dvs_profile pr;
		struct dvs_err err = {0};

		const char *rh = json_string_value(sw_db_opt(row, "requested_host"));
		const char *mig_uuid = NULL;
		const json_t *mig = NULL;

		if (!key)
			continue;
		/* Ours, or migrating here (the Port monitor also holds those rows). */
		if (!rh || strcmp(rh, sw->conf.host_name)) {
			if (!(mig = sw_mig_incoming(db, uuid, &mig_uuid)))
				continue;
		} else {
			mig = sw_mig_incoming(db, uuid, &mig_uuid);
		}
		const struct sw_db_port *cached = mig ? NULL : cache_get(db, uuid);
		if (cached && nc->n_ports < DVS_MAX_PORTS && !find_name(nc, n_file, key)) {
			nc->ports[nc->n_ports++] = cached->conf;
			if (cached->conf.segment >= DP_SEG_OVERLAY) /* its segment and flood list stay */
				sw_overlay_keep_seg(sw, cached->conf.segment - DP_SEG_OVERLAY);
			continue;
		}
		if (dvs_profile_resolve(pg, row, &pr, &err) < 0) {
			json_object_set_new(db->errors, key, json_string(err.msg));
			continue;
		}
		if (find_name(nc, n_file, key)) {
			json_object_set_new(db->errors, key, json_string("name used by a port of switchd's config file"));
		} else if (nc->n_ports == DVS_MAX_PORTS) {
			json_object_set_new(db->errors, key, json_string("switchd is at its port limit"));
		} else if (profile_to_port(db, &pr, &nc->ports[nc->n_ports], &err) < 0) {
			json_object_set_new(db->errors, key, json_string(err.msg));
		} else if (pr.has_segment && overlay_port(db, &pr, &nc->ports[nc->n_ports], &err) < 0) {
			json_object_set_new(db->errors, key, json_string(err.msg));
		} else {
			struct dvs_port_conf *pc = &nc->ports[nc->n_ports++];
			if (mig) {
				/* A migration destination: the destination QEMU's socket, and the
				 * fast path watches for the guest's first frame. */
				const json_t *pairs = json_array_get(json_object_get(mig, "options"), 1), *kv;
				size_t k;
				json_array_foreach(pairs, k, kv)
					if (!strcmp(json_string_value(json_array_get(kv, 0)) ?: "", "vhost_socket") &&
					    pc->type == DVS_PORT_VHOST)
						snprintf(pc->path, sizeof(pc->path), "%s",
							 json_string_value(json_array_get(kv, 1)));
				pc->mig_epoch = (uint32_t)strtoul(mig_uuid, NULL, 16) | 1;
			} else {
				cache_put(db, uuid, pg_ref ? dvs_wire_uuid_str(pg_ref) : NULL, pc);
			}
		}
		dvs_profile_fini(&pr);
	}
	sw_mig_keep_outgoing(db, nc);
	/* Tunnels to every other host, so a VM that moves there is reachable at once. */
	if (sw->ov.nh) {
		const json_t *hosts = dvs_replica_rows(db->rep, "Host");
		const char *hu;
		json_t *h;
		json_object_foreach((json_t *)hosts, hu, h)
			sw_overlay_add_peer(sw, host_vtep(db, hu));
	}
	sw_overlay_end(sw);
}

/* --- applying ---------------------------------------------------------------------- */

/* Sorts monitored changes by what they affect (Host rows are monitored without the
 * heartbeat and generation columns, so our own reports do not echo back).  Global alone
 * (a generation bump for a change elsewhere) affects nothing here; Host and MacLocation
 * rows only the tunnels and remote MACs.  Without this, each host joining a cluster of N
 * made the N others rebuild every port. */
static void
on_intent_change(void *arg, const char *table, const char *uuid, enum dvs_row_change change,
		 const json_t *old, const json_t *new)
{
	struct sw_db *db = arg;

	if (!strcmp(table, "Global"))
		return;
	if (!strcmp(table, "Host") || !strcmp(table, "MacLocation")) {
		db->dirty_peers = true;
		return;
	}
	db->dirty = true;
	if (!strcmp(table, "Port") || !strcmp(table, "PortGroup"))
		json_object_set_new(db->changed, uuid, json_true());
	else
		db->changed_all = true;
}

static void
save_snapshot(struct sw_db *db)
{
	db->snap_at_ms = 0;
	if (db->sw->conf.snapshot[0] && dvs_replica_save(db->rep, db->sw->conf.snapshot) < 0)
		DVS_LOG_RL(WARN, "cannot save snapshot %s", db->sw->conf.snapshot);
}

static void
on_batch(void *arg, size_t n_changes)
{
	struct sw_db *db = arg;
	struct dvs_err err = {0};
	int64_t gen = global_generation(db);

	/* Tunnels (sw->ov.nh) follow Host and MacLocation rows; nothing else does. */
	if (!db->dirty && !(db->dirty_peers && db->sw->ov.nh)) {
		db->dirty_peers = false;
		/* Nothing of this host changed: the running tables are this generation's.  The
		 * next heartbeat says so: a thousand hosts reporting each port added elsewhere
		 * would be a thousand transactions per change, and no `dvsctl --wait` waits for
		 * a host its change does not touch. */
		if (gen > db->gen_applied)
			db->gen_applied = gen;
		if (db->sw->ov.nh) {
			/* As any batch did before: tunnels refreshed, published MACs missing from
			 * the FDB (a tunnel flapped) installed again. */
			sw_publish(db->sw);
			overlay_macs(db);
		}
		return;
	}
	if (db->dirty_peers) /* with tunnels: flood lists name Host rows */
		db->changed_all = true;
	/* A restart without the database starts from what was applied last.  Only then: a
	 * snapshot for every generation bump (another host's port) cost each of a thousand hosts
	 * a dump of its replica per change. */
	if (!db->snap_at_ms)
		db->snap_at_ms = dvs_now_ms() + SNAPSHOT_DELAY_MS;
	db->dirty = false;
	db->dirty_peers = false;
	/* Migrations first: a source reports on a port before the apply releases it. */
	sw_mig_update_condition(db);
	sw_mig_step(db);

	int arc = sw_apply_desired(db->sw, &err);
	if (db->sw->ov.nh) {
		/* Flood lists, VNIs and tunnels may have changed without any port changing. */
		sw_publish(db->sw);
		overlay_macs(db);
	}
	if (arc < 0)
		DVS_LOG(WARN, "generation %lld applied with errors: %s", (long long)gen, err.msg);
	else
		DVS_LOG(INFO, "generation %lld applied (%zu row changes)", (long long)gen, n_changes);
	db->gen_applied = gen;
	db->gen_urgent = gen;
	/* Report now: the generation is in the fast path.  The snapshot (a write and an fsync)
	 * only matters at the next start: it follows on the tick, once for a burst. */
	sw_db_report_host(db);
	sw_db_report_ports(db);
	if (sw_mig_step(db))
		dvs_timer_rearm(db->sw->loop, db->tick, 5);
}

static void
on_sync(void *arg, struct dvs_idl *idl, bool synced)
{
	struct sw_db *db = arg;

	if (synced) {
		DVS_LOG(INFO, "connected to %s: replica in sync", db->sw->conf.db);
		json_object_clear(db->reported); /* rewrite status after a reconnect */
		db->host_full = true;
		sw_db_report_host(db);
		sw_db_report_ports(db);
	} else if (!dvs_client_is_connected(dvs_idl_client(db->idl))) {
		DVS_LOG(WARN, "lost %s: forwarding on generation %lld until it is back",
			db->sw->conf.db, (long long)db->gen_applied);
		db->host_txn_pending = false;
	} else {
		/* A monitor condition change (a port migrating here) is being acknowledged. */
		DVS_LOG(DEBUG, "replica resynchronising after a condition change");
	}
}

static uint32_t
heartbeat_ms(const struct sw_db *db)
{
	const json_t *rows = dvs_replica_rows(db->rep, "Global");
	const char *uuid;
	json_t *row;

	json_object_foreach((json_t *)rows, uuid, row) {
		const json_t *oc = json_object_get(row, "other_config");
		const json_t *pairs = json_array_get(oc, 1);
		size_t i;
		json_t *kv;
		json_array_foreach(pairs, i, kv)
			if (!strcmp(json_string_value(json_array_get(kv, 0)) ?: "", "heartbeat_interval_ms"))
				return (uint32_t)strtoul(json_string_value(json_array_get(kv, 1)) ?: "1000", NULL, 10);
	}
	return 1000;
}

/* Milliseconds from 'now' until 'at' (0 if past), at most 'cap'. */
static uint64_t
ms_until(uint64_t now, uint64_t at, uint64_t cap)
{
	return at <= now ? 0 : DVS_MIN(at - now, cap);
}

static void
on_tick(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	struct sw_db *db = arg;
	uint32_t beat = heartbeat_ms(db);
	uint64_t now = dvs_now_ms(), next;

	beat = beat ? beat : 1000;
	if (now - db->last_beat_ms + TICK_SLACK_MS >= beat || db->gen_reported < db->gen_urgent)
		sw_db_report_host(db);
	/* Without a datapath a port's status only changes with an apply, which reports it: the
	 * periodic report (counters, link state) would find nothing new, so it only retries
	 * one that was refused or lost. */
	if (now - db->last_report_ms + TICK_SLACK_MS >= STATUS_INTERVAL_MS) {
		db->last_report_ms = now;
		if (!db->sw->no_datapath || db->report_retry)
			sw_db_report_ports(db);
	}
	if (db->snap_at_ms && now + TICK_SLACK_MS >= db->snap_at_ms)
		save_snapshot(db);
	/* Activation is stamped by the lcores; the tick turns it into the protocol's next step,
	 * every 5 ms while a migration is in progress here (the announcement waits on it). */
	if (sw_mig_step(db)) {
		dvs_timer_rearm(db->sw->loop, t, 5);
		return;
	}
	next = ms_until(now, db->last_beat_ms + beat, TICK_IDLE_MAX_MS);
	next = DVS_MIN(next, ms_until(now, db->last_report_ms + STATUS_INTERVAL_MS, TICK_IDLE_MAX_MS));
	if (db->snap_at_ms)
		next = DVS_MIN(next, ms_until(now, db->snap_at_ms, TICK_IDLE_MAX_MS));
	/* A heartbeat still due could not be sent (one in flight, or the database away), and a
	 * report not yet acknowledged is retried: soon, not in a busy loop. */
	if (!next)
		next = TICK_RETRY_MS;
	if (db->gen_reported < db->gen_urgent)
		next = DVS_MIN(next, TICK_RETRY_MS);
	dvs_timer_rearm(db->sw->loop, t, next);
}

int
sw_db_start(struct switchd *sw, struct dvs_err *err)
{
	struct dvs_switchd_conf *c = &sw->conf;
	struct sw_db *db = calloc(1, sizeof(*db));
	/* Every Host (name and VTEP of the flood lists' members) and MacLocation: small rows. */
	static const char *const all_tables[] = {"Global", "Site", "PortGroup", "AclRule", "Segment",
						 "MacLocation", "Migration", NULL};
	static const char *const host_cols[] = {"name", "vtep_ip", "site", "ctl_address", NULL};

	if (!db)
		return dvs_err_set(err, ENOMEM, "out of memory");
	if (!c->host_name[0] && gethostname(c->host_name, sizeof(c->host_name) - 1) < 0)
		return dvs_err_set(err, errno, "host_name: not set and gethostname failed");
	if (!c->snapshot[0])
		snprintf(c->snapshot, sizeof(c->snapshot), "/var/lib/dvs/switchd-%s.snapshot", c->host_name);
	db->sw = sw;
	db->errors = json_object();
	db->reported = json_object();
	db->mig = json_object();
	db->mig_ports = json_array();
	db->changed = json_object();
	db->cache_idx = json_object();
	db->cache = calloc(DVS_MAX_PORTS, sizeof(*db->cache));
	db->host_uuid = calloc(1, SW_DB_UUID_SIZE);
	if (!db->cache || !db->host_uuid) {
		free(db->cache);
		free(db->host_uuid);
		free(db);
		return dvs_err_set(err, ENOMEM, "out of memory");
	}
	db->idl = dvs_idl_create(sw->loop, c->db, DB_NAME, NULL);
	if (!db->idl) {
		free(db);
		return dvs_err_set(err, errno, "db: cannot create a client for %s", c->db);
	}
	db->rep = dvs_idl_replica(db->idl);
	json_t *w_port = json_pack("[[s,s,s]]", "requested_host", "==", c->host_name);
	/* Port without the columns this host writes itself: our reports do not echo back. */
	static const char *const port_cols[] = {
		"key", "port_group", "mac", "ips", "backing", "vhost_socket", "vhost_mode",
		"vhost_queues", "tap_name", "netns", "kernel_ifname", "requested_host", "overrides",
		"generation", NULL,
	};
	int rc = dvs_idl_monitor(db->idl, "Host", host_cols, NULL);
	if (!rc)
		rc = dvs_idl_monitor(db->idl, "Port", port_cols, w_port);
	for (const char *const *t = all_tables; !rc && *t; t++)
		rc = dvs_idl_monitor(db->idl, *t, NULL, NULL);
	json_decref(w_port);
	if (rc < 0) {
		dvs_idl_destroy(db->idl);
		free(db);
		return dvs_err_set(err, -rc, "db: cannot declare monitors");
	}
	sw->db = db;
	dvs_replica_on_table(db->rep, NULL, on_intent_change, db);
	dvs_replica_set_batch_cb(db->rep, on_batch, db);
	dvs_idl_set_sync_cb(db->idl, on_sync, db);
	/* Start from the last applied state: forwarding does not wait for the DB. */
	struct dvs_err lerr = {0};
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", c->snapshot);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	rc = dvs_idl_load(db->idl, c->snapshot, &lerr);
	if (rc == 0)
		DVS_LOG(INFO, "started from snapshot %s (generation %lld)", c->snapshot,
			(long long)db->gen_applied);
	else if (rc != -ENOENT)
		DVS_LOG(WARN, "snapshot %s not usable: %s", c->snapshot, lerr.msg);
	db->tick = dvs_loop_add_timer(sw->loop, 50, true, on_tick, db);
	return 0;
}

void
sw_db_stop(struct switchd *sw)
{
	struct sw_db *db = sw->db;

	if (!db)
		return;
	if (db->snap_at_ms)
		save_snapshot(db);
	dvs_timer_cancel(sw->loop, db->tick);
	dvs_idl_destroy(db->idl);
	json_decref(db->errors);
	json_decref(db->reported);
	json_decref(db->mig);
	json_decref(db->mig_ports);
	json_decref(db->changed);
	json_decref(db->cache_idx);
	free(db->cache);
	free(db->host_uuid);
	free(db);
	sw->db = NULL;
}
