/* SPDX-License-Identifier: Apache-2.0 */
/* Live migration of a port between hosts, driven through its Migration row (ARCHITECTURE.md
 * "Live migration"), by the two switchds involved:
 *
 *   prepare    D builds the port (same key and profile; the destination QEMU's socket from
 *              options:vhost_socket) and watches it for its first frame      -> transfer
 *   transfer   S exports the port's state (counters, learned MACs, conntrack) into port_state;
 *              D imports it                                                   -> activating
 *   activating the first frame the guest sends on D (QEMU's RARP after a live migration, or any
 *              frame), or options:activate=true, activates: D announces the MAC (RARP flooded
 *              in the segment), takes the binding (Port.requested_host = D)  -> redirect
 *   redirect   S reports its last frame and the frames it could not deliver, releases the
 *              port; frames still arriving at S for the MAC follow the announcement (learned
 *              behind the uplink or D's tunnel)                               -> complete
 *   timeout    S rolls back (the port never left it): rolled-back, with the reason.
 *
 * D forwards on the port from the moment it exists, so the first frame is forwarded, not held:
 * the blackout is last frame at S to first frame at D, both stamped by the poll lcores. */
#define DVS_LOG_MODULE "dvs.migrate"
#include "datapath/switchd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "datapath/dp/pol.h"
#include "db_sync.h"
#include "migrate_state.h"
#include "lib/log.h"
#include "ovsdb-lite/client/idl.h"
#include "ovsdb-lite/client/replica.h"
#include "ovsdb-lite/client/txn.h"
#include "ovsdb-lite/client/wire.h"

#define DB_NAME "DVS"
#define DEFAULT_TIMEOUT_MS 30000
#define MIG_RELEASE_GRACE_MS 250
/* The destination keeps its hold queue this long after the activation: a guest just resumed
 * (slowly, under TCG) may not take frames at once, and a frame it cannot take is held and
 * retried, not dropped (tx-queue-full, 1-3 frames in some demo runs without it). */
#define MIG_DEST_HOLD_MS 1000

/* --- small helpers ------------------------------------------------------------------- */

static const char *
mig_str(const json_t *row, const char *col)
{
	const json_t *v = sw_db_opt(row, col);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *
mig_uuid_col(const json_t *row, const char *col)
{
	const json_t *v = sw_db_opt(row, col);
	return v ? dvs_wire_uuid_str(v) : NULL;
}

/* options[key] of a Migration row, or NULL. */
static const char *
mig_option(const json_t *row, const char *key)
{
	const json_t *pairs = json_array_get(json_object_get(row, "options"), 1), *kv;
	size_t i;

	json_array_foreach(pairs, i, kv)
		if (!strcmp(json_string_value(json_array_get(kv, 0)) ?: "", key))
			return json_string_value(json_array_get(kv, 1));
	return NULL;
}

static int64_t
mig_timestamp(const json_t *row, const char *state)
{
	const json_t *pairs = json_array_get(json_object_get(row, "timestamps"), 1), *kv;
	size_t i;

	json_array_foreach(pairs, i, kv)
		if (!strcmp(json_string_value(json_array_get(kv, 0)) ?: "", state))
			return json_integer_value(json_array_get(kv, 1));
	return 0;
}

static bool
active_state(const char *s)
{
	return s && (!strcmp(s, "prepare") || !strcmp(s, "transfer") || !strcmp(s, "activating"));
}

/* Local progress of one migration (not in the DB): what was already done here. */
static json_t *
local(struct sw_db *db, const char *uuid)
{
	json_t *l = json_object_get(db->mig, uuid);
	if (!l) {
		l = json_object();
		json_object_set_new(db->mig, uuid, l);
	}
	return l;
}

static uint64_t
tsc_to_wall_us(uint64_t tsc)
{
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
	uint64_t ago_us = now > tsc ? (now - tsc) * 1000000 / hz : 0;
	return sw_db_wall_ms() * 1000 - ago_us;
}

/* Sends one Migration update (and optional Port update) without waiting.  Each side moves the
 * row on only after seeing the other side's write, so a write lost with the session (not sent,
 * or no reply) would stall the migration for good: it is kept in the migration's local state
 * and sent again at the first step after the resync (mig_resend()).  Updates are idempotent,
 * so one that was committed before the session broke does no harm when sent again. */
struct mig_wctx {
	struct sw_db *db;
	char *uuid;
	json_t *write; /* {"row", "port_uuid", "port_row"} */
};

static void mig_write(struct sw_db *db, const char *uuid, json_t *row, const char *port_uuid,
		      json_t *port_row);

static void
mig_keep_for_retry(struct mig_wctx *w, const char *why)
{
	json_t *l = json_object_get(w->db->mig, w->uuid);

	DVS_LOG(WARN, "migration %s: row update failed (%s); sending it again", w->uuid, why);
	if (l)
		json_object_set(l, "retry", w->write);
}

static void
mig_write_done(void *arg, int status, const json_t *result, const json_t *error)
{
	struct mig_wctx *w = arg;
	const json_t *op;
	char *txt = NULL;
	size_t i;

	if (status == 0 && !error) {
		/* Refused by the database: sending it again would be refused again. */
		json_array_foreach(result, i, op)
			if (json_object_get(op, "error")) {
				txt = json_dumps(op, JSON_COMPACT);
				DVS_LOG(WARN, "migration %s: row update refused: %s", w->uuid, txt);
				break;
			}
	} else if (status != -ECANCELED) { /* ECANCELED: switchd is stopping */
		txt = error ? json_dumps(error, JSON_COMPACT | JSON_ENCODE_ANY)
			    : strdup(strerror(status < 0 ? -status : EIO));
		mig_keep_for_retry(w, txt ?: "no reply");
	}
	free(txt);
	json_decref(w->write);
	free(w->uuid);
	free(w);
}

static void
mig_write(struct sw_db *db, const char *uuid, json_t *row, const char *port_uuid, json_t *port_row)
{
	struct dvs_txn *txn = dvs_txn_create(DB_NAME);
	struct mig_wctx *w = calloc(1, sizeof(*w));

	if (!w || !(w->uuid = strdup(uuid))) {
		DVS_LOG(ERR, "migration %s: out of memory for a row update", uuid);
		free(w);
		w = NULL;
	} else {
		w->db = db;
		w->write = json_pack("{s:O, s:s?, s:O?}", "row", row, "port_uuid", port_uuid,
				     "port_row", port_uuid ? port_row : NULL);
	}
	dvs_txn_update(txn, "Migration", dvs_where_uuid(uuid), row);
	if (port_uuid && port_row)
		dvs_txn_update(txn, "Port", dvs_where_uuid(port_uuid), port_row);
	else
		json_decref(port_row);
	int rc = dvs_txn_send(txn, dvs_idl_client(db->idl), w ? mig_write_done : NULL, w);
	if (rc < 0 && w) {
		mig_keep_for_retry(w, strerror(-rc));
		json_decref(w->write);
		free(w->uuid);
		free(w);
	}
	dvs_txn_destroy(txn);
}

/* Sends again the write of migration 'uuid' that failed, if any. */
static void
mig_resend(struct sw_db *db, const char *uuid)
{
	json_t *l = json_object_get(db->mig, uuid), *r = l ? json_object_get(l, "retry") : NULL;

	if (!r)
		return;
	json_incref(r);
	json_object_del(l, "retry");
	const json_t *pu = json_object_get(r, "port_uuid");
	json_t *pr = json_object_get(r, "port_row");
	mig_write(db, uuid, json_incref(json_object_get(r, "row")), json_string_value(pu),
		  pr ? json_incref(pr) : NULL);
	json_decref(r);
}

static json_t *
state_row(const json_t *mig, const char *state)
{
	json_t *ts = json_object();
	const json_t *pairs = json_array_get(json_object_get(mig, "timestamps"), 1), *kv;
	size_t i;

	json_array_foreach(pairs, i, kv)
		json_object_set(ts, json_string_value(json_array_get(kv, 0)), json_array_get(kv, 1));
	json_object_set_new(ts, state, json_integer((json_int_t)sw_db_wall_ms()));
	return json_pack("{s:s, s:o}", "state", state, "timestamps", dvs_wire_map(ts));
}

static bool
first_frame(const struct switchd *sw, const struct sw_port *p, uint64_t *tsc, bool *rarp)
{
	for (unsigned w = 0; w < sw->dp.n_workers; w++) {
		const struct dp_lcore *lc = sw->dp.lcores[w];
		if (__atomic_load_n(&lc->act_epoch[p->idx], __ATOMIC_ACQUIRE) == p->conf.mig_epoch) {
			*tsc = lc->act_tsc[p->idx];
			*rarp = lc->act_rarp[p->idx];
			return true;
		}
	}
	return false;
}

/* Floods a RARP for 'mac' from port 'p' into its segment, as QEMU does after a migration. */
static void
announce(struct switchd *sw, const struct sw_port *p, const uint8_t mac[6])
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(sw->dp.pool);
	uint8_t *f;

	if (!m)
		return;
	f = (uint8_t *)rte_pktmbuf_append(m, 60);
	if (!f) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x80, f[13] = 0x35;             /* RARP */
	f[14] = 0, f[15] = 1, f[16] = 0x08, f[17] = 0; /* Ethernet, IPv4 */
	f[18] = 6, f[19] = 4, f[20] = 0, f[21] = 3;    /* reverse request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 32, mac, 6);
	m->hash.usr = p->idx;
	if (rte_ring_sp_enqueue(sw->dp.lcores[0]->inject, m) < 0)
		rte_pktmbuf_free(m);
}

static void
activate(struct sw_db *db, const char *uuid, const json_t *mig, struct sw_port *p,
	 const char *port_uuid, uint64_t tsc, const char *by)
{
	struct switchd *sw = db->sw;
	uint8_t mac[6];
	bool have_mac = p->conf.has_mac;

	memcpy(mac, p->conf.mac, 6);
	if (!have_mac) /* the MAC the guest just used (learned on the port by its first frame) */
		have_mac = sw_mig_learned_mac(sw, p, mac);
	if (have_mac)
		announce(sw, p, mac);
	json_t *row = state_row(mig, "redirect");
	json_object_set_new(row, "activated_by", json_string(by));
	json_object_set_new(row, "dest_first_frame_us", json_integer((json_int_t)tsc_to_wall_us(tsc)));
	/* The port's status moves in the same transaction as its binding: the controller counts
	 * a port in its segment's flood list (and publishes its MAC) only where its status says
	 * it is up, so a binding that moved before its status would leave the segment without
	 * either host for a moment, and the other hosts would drop the VM's frames meanwhile. */
	json_t *port_row = json_pack("{s:s, s:o}", "requested_host", sw->conf.host_name, "status",
				     dvs_wire_map(json_pack("{s:s, s:s}", "host", sw->conf.host_name,
							    "state", "up")));
	const char *sock = mig_option(mig, "vhost_socket");
	if (sock)
		json_object_set_new(port_row, "vhost_socket", json_string(sock));
	mig_write(db, uuid, row, port_uuid, port_row);
	json_object_set_new(local(db, uuid), "activated", json_true());
	json_object_set_new(local(db, uuid), "activated_ms", json_integer((json_int_t)sw_db_wall_ms()));
	DVS_LOG(INFO, "port %s: activated by %s; binding moves here", p->conf.name, by);
}

/* --- the state machine --------------------------------------------------------------- */

/* Sums of the fast path's hold-queue counters of port 'idx' over the workers. */
static void
hold_counts(const struct switchd *sw, uint16_t idx, uint64_t *held_uc, uint64_t *sent_on,
	    uint64_t *dropped)
{
	*held_uc = *sent_on = *dropped = 0;
	for (unsigned w = 0; w < sw->dp.n_workers; w++) {
		*held_uc += sw->dp.lcores[w]->mig_held_uc[idx];
		*sent_on += sw->dp.lcores[w]->mig_sent_on[idx];
		*dropped += sw->dp.lcores[w]->mig_dropped[idx];
	}
}

/* Returns true while the destination still holds frames for the port after the activation
 * (the caller keeps its tick short until then). */
static bool
step_dest(struct sw_db *db, const char *uuid, const json_t *mig, const char *state)
{
	struct switchd *sw = db->sw;
	const char *port_uuid = mig_uuid_col(mig, "port");
	const json_t *prow = port_uuid ? dvs_replica_get(db->rep, "Port", port_uuid) : NULL;
	const char *key = prow ? json_string_value(json_object_get(prow, "key")) : NULL;
	struct sw_port *p = key ? sw_port_find(sw, key) : NULL;
	json_t *l = local(db, uuid);
	uint64_t tsc;
	bool rarp;

	if (!p)
		return false;
	if (json_is_true(json_object_get(l, "activated"))) {
		/* Once the VM runs here, has had a moment to take frames, and what waited for it
		 * is delivered, no more holding. */
		uint64_t since = sw_db_wall_ms() -
				 (uint64_t)json_integer_value(json_object_get(l, "activated_ms"));
		if (p->hold && rte_ring_empty(p->hold) && sw_port_link_up(p) &&
		    since >= MIG_DEST_HOLD_MS &&
		    (!strcmp(state, "complete") || !strcmp(state, "redirect")))
			sw_port_hold(sw, p, false);
		/* A short tick while holding, but not for ever (a guest that never comes up). */
		return p->hold != NULL && since < 10 * MIG_DEST_HOLD_MS;
	}
	if (!strcmp(state, "prepare") && !json_object_get(l, "built")) {
		json_object_set_new(l, "built", json_true());
		sw_port_hold(sw, p, true);
		mig_write(db, uuid, state_row(mig, "transfer"), NULL, NULL);
		DVS_LOG(INFO, "port %s: built for the migration, waiting for its state", key);
		return false;
	}
	const char *ps = mig_str(mig, "port_state");
	if (!strcmp(state, "transfer") && ps && !json_object_get(l, "imported")) {
		sw_mig_import_port(sw, p, ps);
		json_object_set_new(l, "imported", json_true());
		mig_write(db, uuid, state_row(mig, "activating"), NULL, NULL);
		return false;
	}
	if (first_frame(sw, p, &tsc, &rarp))
		activate(db, uuid, mig, p, port_uuid, tsc, rarp ? "rarp" : "first-frame");
	else if (!strcmp(state, "activating") && !strcmp(mig_option(mig, "activate") ?: "", "true"))
		activate(db, uuid, mig, p, port_uuid, rte_rdtsc(), "manual");
	return false;
}

/* True when the controller's MacLocation for the port's MAC names the destination host. */
static bool
location_moved(struct sw_db *db, const json_t *mig, const struct sw_port *p)
{
	const char *dest = mig_uuid_col(mig, "dest_host"), *uuid;
	const json_t *rows = dvs_replica_rows(db->rep, "MacLocation");
	json_t *row;
	char mac[18];

	if (!p->conf.has_mac || !p->conf.segment)
		return true; /* nothing published to wait for */
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", p->conf.mac[0], p->conf.mac[1],
		 p->conf.mac[2], p->conf.mac[3], p->conf.mac[4], p->conf.mac[5]);
	json_object_foreach((json_t *)rows, uuid, row) {
		const char *m = json_string_value(json_object_get(row, "mac"));
		const char *h = mig_uuid_col(row, "host");
		if (m && !strcasecmp(m, mac))
			return h && dest && !strcmp(h, dest);
	}
	return false;
}

static void
step_source(struct sw_db *db, const char *uuid, const json_t *mig, const char *state)
{
	struct switchd *sw = db->sw;
	const char *port_uuid = mig_uuid_col(mig, "port");
	const json_t *prow = port_uuid ? dvs_replica_get(db->rep, "Port", port_uuid) : NULL;
	json_t *l = local(db, uuid);
	/* The Port row leaves this host's monitor in the very update that moves the binding, so
	 * the key is remembered from the first step. */
	const char *key = prow ? json_string_value(json_object_get(prow, "key"))
			       : json_string_value(json_object_get(l, "key"));
	struct sw_port *p = key ? sw_port_find(sw, key) : NULL;

	if (!p)
		return;
	if (!json_object_get(l, "key"))
		json_object_set_new(l, "key", json_string(key));
	if (!strcmp(state, "transfer") && !json_object_get(l, "exported")) {
		json_t *st = sw_mig_export_port(sw, p);
		char *text = json_dumps(st, JSON_COMPACT);
		json_decref(st);
		uint64_t held_uc, sent_on, dropped;
		hold_counts(sw, p->idx, &held_uc, &sent_on, &dropped);
		json_object_set_new(l, "exported", json_true());
		json_object_set_new(l, "dropped0", json_integer((json_int_t)dropped));
		json_object_set_new(l, "held_uc0", json_integer((json_int_t)held_uc));
		json_object_set_new(l, "sent_on0", json_integer((json_int_t)sent_on));
		sw_port_hold(sw, p, true);
		/* The configured MAC's static entry must yield to the destination's announcement,
		 * so frames still arriving here follow the VM (the redirect) instead of being lost. */
		if (p->conf.has_mac) {
			uint16_t seg = p->conf.segment ? p->conf.segment : p->conf.tag;
			fdb_add_published(sw->dp.fdb, seg, p->conf.mac, p->idx);
		}
		mig_write(db, uuid, json_pack("{s:s}", "port_state", text ?: "{}"), NULL, NULL);
		free(text);
		DVS_LOG(INFO, "port %s: state exported for the migration", key);
		return;
	}
	if (!strcmp(state, "redirect") && !json_object_get(l, "completed")) {
		uint64_t held_uc, sent_on, dropped;
		/* Unicast frames held for the VM leave for its new host first (they follow the FDB
		 * as soon as the announcement moved it); the port is released after that, or after
		 * 1 s.  Flood copies held here are not sent on: the VM's new host floods its own. */
		if (!json_object_get(l, "redirect_ms"))
			json_object_set_new(l, "redirect_ms", json_integer((json_int_t)sw_db_wall_ms()));
		uint64_t since = sw_db_wall_ms() - (uint64_t)json_integer_value(json_object_get(l, "redirect_ms"));
		hold_counts(sw, p->idx, &held_uc, &sent_on, &dropped);
		held_uc -= (uint64_t)json_integer_value(json_object_get(l, "held_uc0"));
		sent_on -= (uint64_t)json_integer_value(json_object_get(l, "sent_on0"));
		/* Still held: at most what the queue holds (a frame the drain could not put back
		 * is counted as dropped, not as held). */
		unsigned in_hold = p->hold ? rte_ring_count(p->hold) : 0;
		uint64_t left_uc = RTE_MIN(held_uc > sent_on ? held_uc - sent_on : 0, (uint64_t)in_hold);
		if (left_uc && since < 1000)
			return;
		/* Until the controller publishes the VM's new location (so no host sends here any
		 * more), frames arriving here follow it: the port and its segment stay (3 s at most).
		 * The publication is in the database, not yet in every host's tables: 250 ms more
		 * for the other switchds to apply it (released 8 ms after the activation, this host
		 * dropped a frame still sent here as vxlan-unknown-vni). */
		if (since < 3000 && (!location_moved(db, mig, p) || since < MIG_RELEASE_GRACE_MS))
			return;
		uint64_t last = sw_port_last_rx_tsc(sw, p);
		uint64_t last_us = last ? tsc_to_wall_us(last) : 0;
		int64_t first_us = json_integer_value(sw_db_opt(mig, "dest_first_frame_us"));
		json_t *row = state_row(mig, "complete");
		json_object_set_new(row, "source_last_frame_us", json_integer((json_int_t)last_us));
		if (last_us && first_us)
			json_object_set_new(row, "blackout_us",
					    json_integer(first_us > (int64_t)last_us ? first_us - (json_int_t)last_us : 0));
		/* Lost: frames for the VM that this host dropped since the export because its hold
		 * queue was full, and unicast frames still held now, with nowhere to go.  Not the
		 * port's policy drops (an egress ACL): those are the configuration, counted apart. */
		dropped -= (uint64_t)json_integer_value(json_object_get(l, "dropped0"));
		json_object_set_new(row, "frames_lost", json_integer((json_int_t)(dropped + left_uc)));
		json_object_set_new(row, "frames_redirected", json_integer((json_int_t)sent_on));
		json_object_set_new(l, "completed", json_true());
		mig_write(db, uuid, row, NULL, NULL);
		DVS_LOG(INFO, "port %s: migration complete (%" PRIu64 " frames redirected, %" PRIu64
			" lost, %" PRIu64 " flood copies not sent on); releasing the port", key, sent_on,
			dropped + left_uc, in_hold > left_uc ? in_hold - left_uc : 0);
		return;
	}
	int64_t t0 = mig_timestamp(mig, "prepare");
	const char *tmo = mig_option(mig, "timeout_ms");
	int64_t limit = tmo ? strtoll(tmo, NULL, 10) : DEFAULT_TIMEOUT_MS;
	if (active_state(state) && t0 && (int64_t)sw_db_wall_ms() - t0 > limit &&
	    !json_object_get(l, "rolled_back")) {
		char why[128];
		snprintf(why, sizeof(why), "destination did not activate within %lld ms (state %s)",
			 (long long)limit, state);
		json_t *row = state_row(mig, "rolled-back");
		json_object_set_new(row, "error", json_string(why));
		json_object_set_new(l, "rolled_back", json_true());
		mig_write(db, uuid, row, NULL, NULL);
		DVS_LOG(WARN, "port %s: migration rolled back: %s; the port stays here", key, why);
	}
}

void
sw_mig_keep_outgoing(struct sw_db *db, struct dvs_switchd_conf *nc)
{
	const char *me = sw_db_host_uuid(db), *uuid;
	const json_t *rows = dvs_replica_rows(db->rep, "Migration");
	json_t *row;

	if (!me)
		return;
	json_object_foreach((json_t *)rows, uuid, row) {
		const char *src = mig_uuid_col(row, "source_host");
		const char *state = json_string_value(json_object_get(row, "state"));
		json_t *l = json_object_get(db->mig, uuid);
		const char *key = json_string_value(json_object_get(l, "key"));
		struct sw_port *p = key ? sw_port_find(db->sw, key) : NULL;
		bool present = false;
		if (!src || strcmp(src, me) || !state || strcmp(state, "redirect") || !p ||
		    json_object_get(l, "completed"))
			continue;
		for (unsigned i = 0; i < nc->n_ports; i++)
			if (!strcmp(nc->ports[i].name, key))
				present = true;
		if (!present && nc->n_ports < DVS_MAX_PORTS) {
			nc->ports[nc->n_ports++] = p->conf;
			if (p->conf.segment)
				sw_overlay_keep_seg(db->sw, p->conf.segment - DP_SEG_OVERLAY);
		}
	}
}

/* The Migration row that moves Port 'port_uuid' with this host as its 'role' ("dest_host" or
 * "source_host"), in an active state (or "redirect" too, with 'redirect'), or NULL; its uuid
 * in *mig_uuid (may be NULL). */
static const json_t *
mig_of_port(struct sw_db *db, const char *port_uuid, const char *role, bool redirect,
	    const char **mig_uuid)
{
	const char *me = sw_db_host_uuid(db), *uuid;
	const json_t *rows = dvs_replica_rows(db->rep, "Migration");
	json_t *row;

	if (!me)
		return NULL;
	json_object_foreach((json_t *)rows, uuid, row) {
		const char *host = mig_uuid_col(row, role), *port = mig_uuid_col(row, "port");
		const char *state = json_string_value(json_object_get(row, "state"));
		if (host && port && !strcmp(host, me) && !strcmp(port, port_uuid) &&
		    (active_state(state) || (redirect && state && !strcmp(state, "redirect")))) {
			if (mig_uuid)
				*mig_uuid = uuid;
			return row;
		}
	}
	return NULL;
}

const json_t *
sw_mig_incoming(struct sw_db *db, const char *port_uuid, const char **mig_uuid)
{
	return mig_of_port(db, port_uuid, "dest_host", true, mig_uuid);
}

bool
sw_mig_outgoing(struct sw_db *db, const char *port_uuid)
{
	return mig_of_port(db, port_uuid, "source_host", false, NULL) != NULL;
}

bool
sw_mig_step(struct sw_db *db)
{
	const char *me = sw_db_host_uuid(db), *uuid;
	const json_t *rows = dvs_replica_rows(db->rep, "Migration");
	json_t *row;
	bool busy = false;

	if (!me || !dvs_idl_is_synced(db->idl))
		return false;
	json_object_foreach((json_t *)rows, uuid, row) {
		const char *state = json_string_value(json_object_get(row, "state"));
		const char *src = mig_uuid_col(row, "source_host"), *dst = mig_uuid_col(row, "dest_host");
		if (!state)
			continue;
		if ((active_state(state) || !strcmp(state, "redirect")) &&
		    ((dst && !strcmp(dst, me)) || (src && !strcmp(src, me))))
			busy = true;
		if ((dst && !strcmp(dst, me)) || (src && !strcmp(src, me)))
			mig_resend(db, uuid);
		if (dst && !strcmp(dst, me) && step_dest(db, uuid, row, state))
			busy = true;
		if (src && !strcmp(src, me))
			step_source(db, uuid, row, state);
	}
	return busy;
}

void
sw_mig_update_condition(struct sw_db *db)
{
	const char *me = sw_db_host_uuid(db), *uuid;
	const json_t *rows = dvs_replica_rows(db->rep, "Migration");
	json_t *ports = json_array(), *row;

	json_object_foreach((json_t *)rows, uuid, row) {
		const char *dest = mig_uuid_col(row, "dest_host"), *port = mig_uuid_col(row, "port");
		const char *state = json_string_value(json_object_get(row, "state"));
		if (me && dest && port && !strcmp(dest, me) &&
		    (active_state(state) || (state && !strcmp(state, "redirect"))))
			json_array_append_new(ports, json_string(port));
	}
	if (json_equal(ports, db->mig_ports)) {
		json_decref(ports);
		return;
	}
	json_t *where = json_pack("[[s,s,s]]", "requested_host", "==", db->sw->conf.host_name);
	size_t i;
	json_t *p;
	json_array_foreach(ports, i, p)
		json_array_append_new(where, json_pack("[s,s,o]", "_uuid", "==",
						       dvs_wire_uuid(json_string_value(p))));
	dvs_idl_set_condition(db->idl, "Port", where);
	json_decref(where);
	json_decref(db->mig_ports);
	db->mig_ports = ports;
}
