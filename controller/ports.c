/* SPDX-License-Identifier: Apache-2.0 */
/* Port groups and ports: validation through lib/profile.c (the reasons go to config_error),
 * the Binding row of each port (its requested host, state from the host's liveness and the
 * port status the host reports), and what an active port contributes to its segment's flood
 * list and to the published MAC locations. */

#define DVS_LOG_MODULE "dvs.ports"

#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "profile.h"

/* Sets an optional string column to 'want' (NULL: empty) if it differs.  Returns the number
 * of operations added (0 or 1) or -ENOMEM. */
static int
set_opt_str(struct dvs_txn *txn, const char *table, const char *uuid, const json_t *row,
	    const char *col, const char *want)
{
	const char *cur = ctl_row_str(row, col);

	if ((!cur && !want) || (cur && want && !strcmp(cur, want)))
		return 0;
	return dvs_txn_update(txn, table, dvs_where_uuid(uuid),
			      json_pack("{s:o}", col, want ? json_string(want)
							   : json_pack("[s[]]", "set"))) < 0 ? -ENOMEM : 1;
}

int
ctl_groups_build(struct ctl *ctl, struct dvs_txn *txn)
{
	json_t *done = json_array();
	const char *uuid;
	json_t *v;
	int ret = 0;

	json_object_foreach(ctl->dirty_groups, uuid, v) {
		if (!ctl_dirty_take(ctl, txn, done, uuid))
			break;
		const json_t *row = dvs_replica_get(ctl->replica, "PortGroup", uuid);
		struct dvs_err err = {0};
		struct dvs_profile p;

		ctl->stats.n_groups++;
		if (!row)
			continue;
		if (dvs_profile_resolve(row, NULL, &p, &err) == 0)
			dvs_profile_fini(&p);
		else
			DVS_LOG_RL(WARN, "%s", dvs_err_msg(&err));
		ret = set_opt_str(txn, "PortGroup", uuid, row, "config_error",
				  err.code ? dvs_err_msg(&err) : NULL);
		if (ret < 0)
			break;
	}
	ctl_dirty_done(ctl->dirty_groups, done);
	return ret < 0 ? ret : 0;
}

static void
flood_adjust(struct ctl *ctl, const char *seg, const char *host, int delta)
{
	json_t *hosts = json_object_get(ctl->flood, seg);
	json_int_t n;

	if (!hosts) {
		hosts = json_object();
		json_object_set_new(ctl->flood, seg, hosts);
	}
	n = json_integer_value(json_object_get(hosts, host)) + delta;
	if (n > 0)
		json_object_set_new(hosts, host, json_integer(n));
	else
		json_object_del(hosts, host);
	if (!json_object_size(hosts))
		json_object_del(ctl->flood, seg);
	ctl_set_add(ctl->dirty_segments, seg);
}

static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool
ctl_str_set_equal(const json_t *a, const json_t *b)
{
	size_t i, j;
	const json_t *x, *y;

	if (json_array_size(a) != json_array_size(b))
		return false;
	json_array_foreach(a, i, x) {
		bool found = false;
		json_array_foreach(b, j, y)
			found |= json_equal(x, y);
		if (!found)
			return false;
	}
	return true;
}

void
ctl_port_contrib_set(struct ctl *ctl, const char *port, const char *seg, const char *host,
		     const char *mkey, const json_t *ips)
{
	json_t *old = json_object_get(ctl->port_state, port);
	const char *oseg = json_string_value(json_object_get(old, "seg"));
	const char *ohost = json_string_value(json_object_get(old, "host"));
	const char *omkey = json_string_value(json_object_get(old, "mkey"));
	json_t *st;

	if (str_eq(oseg, seg) && str_eq(ohost, host) && str_eq(omkey, mkey) &&
	    ctl_str_set_equal(json_object_get(old, "ips"), ips))
		return;
	if (oseg && ohost && (!str_eq(oseg, seg) || !str_eq(ohost, host)))
		flood_adjust(ctl, oseg, ohost, -1);
	if (seg && host && (!str_eq(oseg, seg) || !str_eq(ohost, host)))
		flood_adjust(ctl, seg, host, +1);
	if (omkey) {
		ctl_multimap_del(ctl->mac_claims, omkey, port);
		ctl_set_add(ctl->dirty_mkeys, omkey);
	}
	if (mkey) {
		json_t *claims = json_object_get(ctl->mac_claims, mkey);

		if (!claims) {
			claims = json_object();
			json_object_set_new(ctl->mac_claims, mkey, claims);
		}
		/* The IPs ride with the claim: the MacLocation row carries them to every host
		 * for ARP suppression. */
		json_object_set_new(claims, port, json_pack("{s:s, s:o}", "host", host ?: "", "ips",
							    ips ? json_deep_copy(ips) : json_array()));
		ctl_set_add(ctl->dirty_mkeys, mkey);
	}
	if (!seg && !host && !mkey) {
		json_object_del(ctl->port_state, port); /* frees old: nothing of it is used after */
		return;
	}
	st = json_object();
	if (seg)
		json_object_set_new(st, "seg", json_string(seg));
	if (host)
		json_object_set_new(st, "host", json_string(host));
	if (mkey)
		json_object_set_new(st, "mkey", json_string(mkey));
	if (ips)
		json_object_set_new(st, "ips", json_deep_copy(ips));
	json_object_set_new(ctl->port_state, port, st);
}

/* Makes the port's bindings exactly one on 'host' in 'state' (none if 'host' is NULL).
 * Returns 0 or -ENOMEM. */
static int
bindings_build(struct ctl *ctl, const char *port, const char *host, const char *state,
	       struct dvs_txn *txn)
{
	json_t *set = json_object_get(ctl->bindings_by_port, port);
	const char *buuid;
	bool kept = false;
	json_t *v;

	json_object_foreach(set, buuid, v) {
		const json_t *b = dvs_replica_get(ctl->replica, "Binding", buuid);
		const char *bstate = b ? ctl_row_str(b, "state") : NULL;

		if (host && !kept && b && str_eq(ctl_row_uuid(b, "host"), host)) {
			kept = true;
			if (!str_eq(bstate, state) &&
			    dvs_txn_update(txn, "Binding", dvs_where_uuid(buuid),
					   json_pack("{s:s}", "state", state)) < 0)
				return -ENOMEM;
			continue;
		}
		if (dvs_txn_delete(txn, "Binding", dvs_where_uuid(buuid)) < 0)
			return -ENOMEM;
	}
	if (host && !kept &&
	    dvs_txn_insert(txn, "Binding", json_pack("{s:[ss], s:[ss], s:s}", "port", "uuid", port,
						     "host", "uuid", host, "state", state), NULL) < 0)
		return -ENOMEM;
	return 0;
}

/* The port's IP addresses as text (new array). */
static json_t *
port_ips(const struct dvs_profile *p)
{
	json_t *a = json_array();
	char buf[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < p->n_ips; i++)
		if (inet_ntop(p->ips[i].family, p->ips[i].addr, buf, sizeof(buf)))
			json_array_append_new(a, json_string(buf));
	return a;
}

static int
port_build(struct ctl *ctl, const char *uuid, struct dvs_txn *txn)
{
	const json_t *row = dvs_replica_get(ctl->replica, "Port", uuid);
	const json_t *pg;
	const char *hname, *huuid, *state = "requested", *err_msg = NULL;
	const char *seg = NULL, *contrib_host = NULL;
	char unknown[160], mkey[128], segbuf[DVS_PROFILE_UUID_SIZE];
	struct dvs_err err = {0};
	struct dvs_profile p;
	bool valid, has_mkey = false;
	json_t *ips = NULL;
	int ret;

	ctl->stats.n_ports++;
	if (!row) {
		ctl_port_contrib_set(ctl, uuid, NULL, NULL, NULL, NULL);
		return bindings_build(ctl, uuid, NULL, NULL, txn);
	}
	pg = ctl_row_uuid(row, "port_group")
		     ? dvs_replica_get(ctl->replica, "PortGroup", ctl_row_uuid(row, "port_group")) : NULL;
	valid = dvs_profile_resolve(pg, row, &p, &err) == 0;
	hname = ctl_row_str(row, "requested_host");
	huuid = hname ? json_string_value(json_object_get(ctl->host_by_name, hname)) : NULL;
	if (!valid) {
		err_msg = dvs_err_msg(&err);
	} else if (hname && !huuid) {
		snprintf(unknown, sizeof(unknown), "requested_host: \"%s\" is not a registered host (the "
			 "port is built when it registers)", hname);
		err_msg = unknown;
	}
	if (huuid) {
		const char *st = ctl_map_get(row, "status", "state");
		const char *sh = ctl_map_get(row, "status", "host");

		if (!ctl_host_is_up(ctl, huuid))
			state = "down";
		else if (st && !strcmp(st, "up") && (!sh || !strcmp(sh, hname)))
			state = "active";
	}
	if (valid && !strcmp(state, "active")) {
		contrib_host = huuid;
		if (p.has_segment) {
			memcpy(segbuf, p.segment, sizeof(segbuf));
			seg = segbuf;
			if (p.has_mac) {
				snprintf(mkey, sizeof(mkey), "%s|%02x:%02x:%02x:%02x:%02x:%02x", seg,
					 p.mac[0], p.mac[1], p.mac[2], p.mac[3], p.mac[4], p.mac[5]);
				has_mkey = true;
				ips = port_ips(&p);
			}
		}
	}
	if (valid)
		dvs_profile_fini(&p);
	ctl_port_contrib_set(ctl, uuid, seg, seg ? contrib_host : NULL, has_mkey ? mkey : NULL, ips);
	json_decref(ips);
	ret = set_opt_str(txn, "Port", uuid, row, "config_error", err_msg);
	if (ret < 0)
		return ret;
	return bindings_build(ctl, uuid, huuid, state, txn);
}

int
ctl_ports_build(struct ctl *ctl, struct dvs_txn *txn)
{
	json_t *done = json_array();
	const char *uuid;
	json_t *v;
	int ret = 0;

	json_object_foreach(ctl->dirty_ports, uuid, v) {
		if (!ctl_dirty_take(ctl, txn, done, uuid))
			break;
		if ((ret = port_build(ctl, uuid, txn)) < 0)
			break;
	}
	ctl_dirty_done(ctl->dirty_ports, done);
	return ret;
}
