/* SPDX-License-Identifier: Apache-2.0 */
/* switchd's reports to dvs-db in cluster mode: the Host row (registration, heartbeat, the
 * applied generation) and each port's status and counters.  Split from db_sync.c, which
 * calls them after each applied generation and on its tick.  Control thread only. */
#define DVS_LOG_MODULE "dvs.db_report"
#include "datapath/switchd.h"

#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "lib/log.h"
#include "lib/loop.h"
#include "ovsdb-lite/client/client.h"
#include "ovsdb-lite/client/idl.h"
#include "ovsdb-lite/client/replica.h"
#include "ovsdb-lite/client/txn.h"
#include "ovsdb-lite/client/wire.h"
#include "db_sync.h"

#define DB_NAME "DVS"


static void
host_txn_done(void *arg, int status, const json_t *result, const json_t *error)
{
	struct sw_db *db = arg;
	int64_t gen = db->gen_sent;

	db->host_txn_pending = false;
	if (status != 0) {
		db->host_full = true;
		return; /* disconnected or refused: the next tick retries */
	}
	struct dvs_err err = {0};
	if (json_is_array(result)) {
		for (size_t i = 0; i < json_array_size(result); i++) {
			const json_t *e = json_object_get(json_array_get(result, i), "error");
			if (e) {
				DVS_LOG_RL(WARN, "host report refused: %s: %s", json_string_value(e),
					   json_string_value(json_object_get(json_array_get(result, i), "details")) ?: "");
				db->host_full = true;
				return;
			}
		}
	}
	(void)err;
	db->gen_reported = gen;
	/* A generation applied while this report was in flight is reported now, not at the
	 * next tick: `dvsctl --wait` is waiting for it. */
	if (db->gen_reported < db->gen_urgent)
		sw_db_report_host(db);
}

/* Leaves in 'row' (the Host columns this host writes) only the heartbeat, the generation
 * and what differs from its row in the replica: a heartbeat that rewrote every column cost
 * dvs-db a parse and a compare of each, a thousand times a second.  datapath_version, which
 * the replica does not hold, is written after each (re)connection (db->host_full). */
static void
drop_unchanged(struct sw_db *db, const char *me, json_t *row)
{
	static const char *const cols[] = {"name", "vtep_ip", "site", "ctl_address", "datapath_version", NULL};
	const json_t *cur = dvs_replica_get(db->rep, "Host", me);

	for (const char *const *c = cols; cur && *c; c++) {
		const json_t *v = json_object_get(row, *c);
		if (v && (!strcmp(*c, "datapath_version") || json_equal(v, json_object_get(cur, *c))))
			json_object_del(row, *c);
	}
}

/* Registers the host (insert the first time), refreshes the heartbeat, and reports the
 * applied generation: one small transaction. */
void
sw_db_report_host(struct sw_db *db)
{
	struct switchd *sw = db->sw;
	const struct dvs_switchd_conf *c = &sw->conf;
	struct dvs_txn *txn;
	char ctl[160], ver[64];

	if (db->host_txn_pending || !dvs_idl_is_synced(db->idl))
		return;
	snprintf(ctl, sizeof(ctl), "unix:%s", c->ctl_socket);
	snprintf(ver, sizeof(ver), "%s %s", DVS_VERSION, sw->no_datapath ? "no-datapath" : "dpdk");
	json_t *row = json_pack("{s:s, s:I, s:I, s:s}", "name", c->host_name,
				"last_heartbeat", (json_int_t)sw_db_wall_ms(),
				"applied_generation", (json_int_t)db->gen_applied,
				"datapath_version", ver);
	if (!sw->no_datapath) /* no control socket to reach */
		json_object_set_new(row, "ctl_address", json_string(ctl));
	if (c->vtep_ip[0])
		json_object_set_new(row, "vtep_ip", json_string(c->vtep_ip));
	if (c->site[0]) {
		const char *site_uuid = NULL;
		json_t *name = json_string(c->site);
		if (dvs_replica_find(db->rep, "Site", "name", name, &site_uuid))
			json_object_set_new(row, "site", dvs_wire_uuid(site_uuid));
		else
			DVS_LOG_RL(WARN, "site \"%s\" does not exist (create it with 'dvsctl site add %s')", c->site, c->site);
		json_decref(name);
	}
	txn = dvs_txn_create(DB_NAME);
	/* By uuid: dvs-db looks that up, where "name ==" scans every Host row (a thousand
	 * rows for each heartbeat of each host). */
	const char *me = sw_db_host_uuid(db);
	if (me && !db->host_full)
		drop_unchanged(db, me, row);
	db->host_full = false;
	if (me)
		dvs_txn_update(txn, "Host", dvs_where_uuid(me), row);
	else
		dvs_txn_insert(txn, "Host", row, NULL);
	if (dvs_txn_send(txn, dvs_idl_client(db->idl), host_txn_done, db) == 0) {
		db->host_txn_pending = true;
		db->gen_sent = db->gen_applied;
	}
	dvs_txn_destroy(txn);
	db->last_beat_ms = dvs_now_ms();
}

/* Logs a refused report; the cache is cleared so the next tick writes everything again. */
static void
report_done(void *arg, int status, const json_t *result, const json_t *error)
{
	struct sw_db *db = arg;
	size_t i;
	json_t *r;

	if (status != 0) {
		json_object_clear(db->reported);
		db->report_retry = true;
		return;
	}
	json_array_foreach((json_t *)result, i, r) {
		const json_t *e = json_object_get(r, "error");
		if (e) {
			DVS_LOG_RL(WARN, "port report refused: %s: %s", json_string_value(e),
				   json_string_value(json_object_get(r, "details")) ?: "");
			json_object_clear(db->reported);
			db->report_retry = true;
			return;
		}
	}
}

/* Writes Port.status and Port.statistics of changed ports, in one transaction. */
/* FNV-1a over what a port's report says. */
static uint64_t
report_fp(const char *state, const char *reason, const struct dp_port_stats *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *b;

	for (b = (const unsigned char *)state; *b; b++)
		h = (h ^ *b) * 0x100000001b3ull;
	h = (h ^ 0xff) * 0x100000001b3ull;
	for (b = (const unsigned char *)(reason ?: ""); *b; b++)
		h = (h ^ *b) * 0x100000001b3ull;
	b = (const unsigned char *)s;
	for (size_t i = 0; i < sizeof(*s); i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* A guest is attached if the device says so, or if frames came from it in the last 3 s.  A
 * vhost-user port built for a live migration forwards the guest's first frames a few hundred
 * ms before net_vhost calls its link up (the rings are enabled one by one): reporting it down
 * meanwhile took the VM out of its segment's flood list and unpublished its MAC on every
 * host, and a remote host dropped the VM's next frame as flood-no-members. */
static bool
guest_attached(const struct switchd *sw, const struct sw_port *p)
{
	uint64_t last;

	if (sw_port_link_up(p))
		return true;
	last = sw_port_last_rx_tsc(sw, p);
	return last && rte_rdtsc() - last < 3 * rte_get_tsc_hz();
}

void
sw_db_report_ports(struct sw_db *db)
{
	struct switchd *sw = db->sw;
	const json_t *ports = dvs_replica_rows(db->rep, "Port");
	struct dvs_txn *txn = NULL;
	const char *uuid;
	json_t *row;

	if (!dvs_idl_is_synced(db->idl))
		return;
	db->report_retry = false;
	/* The ports by name, once: sw_port_find() for each row walked the port slots each time
	 * (a sixth of an apply on a host with a hundred ports). */
	json_t *by_name = json_object();
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++)
		if (sw->ports[i].used)
			json_object_set_new(by_name, sw->ports[i].conf.name, json_integer(i));
	json_object_foreach((json_t *)ports, uuid, row) {
		const char *key = json_string_value(json_object_get(row, "key"));
		const char *rh = json_string_value(sw_db_opt(row, "requested_host"));
		/* A port migrating here is reported by its source until the activation moves it. */
		if (!rh || strcmp(rh, sw->conf.host_name))
			continue;
		const json_t *idx = key ? json_object_get(by_name, key) : NULL;
		struct sw_port *p = idx ? &sw->ports[json_integer_value(idx)] : NULL;
		struct dp_port_stats s = {0};
		const char *state, *reason = NULL;

		if (p && sw->no_datapath) {
			/* A simulated host: its guests count as attached, so the controller
			 * binds the port and publishes its MAC as it would for a real one. */
			state = "up";
		} else if (p) {
			state = guest_attached(sw, p) || sw_mig_outgoing(db, uuid) ? "up" : "down";
			if (strcmp(state, "up"))
				reason = "no guest attached";
			sw_port_stats(sw, p, &s);
		} else {
			state = "error";
			reason = key ? json_string_value(json_object_get(db->errors, key)) : NULL;
			reason = reason ?: "device could not be created (see the switchd log)";
		}
		/* Compared by fingerprint: building both maps for each port every second, to find
		 * them equal, was most of an idle host's CPU. */
		json_int_t fp = (json_int_t)(report_fp(state, reason, &s) >> 1);
		/* Unchanged since the last report, and the row still carries it: another host's
		 * report (a migration's source, writing before it saw the binding move) makes
		 * this host write its own again. */
		const char *by = dvs_wire_map_str(json_object_get(row, "status"), "host");
		if (json_integer_value(json_object_get(db->reported, uuid)) == fp &&
		    json_object_get(db->reported, uuid) && by && !strcmp(by, sw->conf.host_name))
			continue;
		json_t *status = json_pack("{s:s, s:s}", "host", sw->conf.host_name, "state", state);
		json_t *stats = json_object();
		if (reason)
			json_object_set_new(status, "reason", json_string(reason));
		if (p && sw->no_datapath)
			json_object_set_new(status, "datapath", json_string("none"));
		if (p && !sw->no_datapath) {
			json_object_set_new(stats, "rx_packets", json_integer((json_int_t)s.rx_packets));
			json_object_set_new(stats, "rx_bytes", json_integer((json_int_t)s.rx_bytes));
			json_object_set_new(stats, "tx_packets", json_integer((json_int_t)s.tx_packets));
			json_object_set_new(stats, "tx_bytes", json_integer((json_int_t)s.tx_bytes));
			json_object_set_new(stats, "rx_dropped", json_integer((json_int_t)s.rx_dropped));
			json_object_set_new(stats, "tx_dropped", json_integer((json_int_t)s.tx_dropped));
		}
		if (!txn)
			txn = dvs_txn_create(DB_NAME);
		/* Only while the port is bound here: a report written from a replica that has not
		 * yet seen the binding move (a migration's activation) matches no row, instead of
		 * overwriting the new host's status with this one's (the controller would take
		 * the VM out of its segment until the new host reported again). */
		json_t *where = dvs_where_uuid(uuid);
		json_array_append_new(where, json_pack("[s s s]", "requested_host", "==",
							 sw->conf.host_name));
		dvs_txn_update(txn, "Port", where,
			       json_pack("{s:o, s:o}", "status", dvs_wire_map(status),
					 "statistics", dvs_wire_map(stats)));
		json_object_set_new(db->reported, uuid, json_integer(fp));
	}
	json_decref(by_name);
	if (txn) {
		dvs_txn_send(txn, dvs_idl_client(db->idl), report_done, db);
		dvs_txn_destroy(txn);
	}
}
