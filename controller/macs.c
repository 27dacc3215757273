/* SPDX-License-Identifier: Apache-2.0 */
/* MAC locations: one MacLocation row per (segment, MAC) claimed by an active port, naming
 * the host and the port (and the port's IPs, for ARP suppression), so remote hosts need not
 * learn it by flooding.  Two ports claiming
 * the same MAC in a segment is a misconfiguration: the lowest port uuid wins, so the answer
 * is stable across controller restarts, and the conflict is logged. */

#define DVS_LOG_MODULE "dvs.macs"

#include "ctl.h"

#include <errno.h>
#include <string.h>

#include "log.h"

/* True if MacLocation 'row' holds exactly the addresses 'ips' (its "ips" in wire form: a
 * set, or a bare string for one). */
static bool
row_ips_equal(const json_t *row, const json_t *ips)
{
	const json_t *v = json_object_get(row, "ips");
	json_t *one = json_is_string(v) ? json_pack("[O]", v) : NULL;
	bool eq = ctl_str_set_equal(one ? one : json_array_get(v, 1), ips);

	json_decref(one);
	return eq;
}

static int
mkey_build(struct ctl *ctl, const char *mkey, struct dvs_txn *txn)
{
	const json_t *claims = json_object_get(ctl->mac_claims, mkey);
	const char *bar = strchr(mkey, '|');
	const char *port = NULL, *host = NULL, *k, *ruuid;
	const json_t *ips = NULL;
	char seg[64];
	bool kept = false;
	json_t *v;

	ctl->stats.n_mkeys++;
	if (!bar || (size_t)(bar - mkey) >= sizeof(seg))
		return 0;
	memcpy(seg, mkey, (size_t)(bar - mkey));
	seg[bar - mkey] = '\0';
	json_object_foreach((json_t *)claims, k, v) {
		if (!port || strcmp(k, port) < 0) {
			port = k;
			host = json_string_value(json_object_get(v, "host"));
			ips = json_object_get(v, "ips");
		}
	}
	json_t *none = ips ? NULL : json_array(); /* no claim (or an IP-less one): no IPs */
	int ret = -ENOMEM;

	if (!ips)
		ips = none;
	if (json_object_size(claims) > 1)
		DVS_LOG_RL(WARN, "MAC %s is claimed by %zu ports of segment %s; publishing port %s",
			   bar + 1, json_object_size(claims), seg, port);
	json_object_foreach(json_object_get(ctl->macloc_by_key, mkey), ruuid, v) {
		const json_t *row = dvs_replica_get(ctl->replica, "MacLocation", ruuid);
		const char *rh = row ? ctl_row_uuid(row, "host") : NULL;
		const char *rp = row ? ctl_row_uuid(row, "port") : NULL;

		if (port && !kept && row) {
			kept = true;
			if ((rh && !strcmp(rh, host)) && (rp && !strcmp(rp, port)) && row_ips_equal(row, ips))
				continue;
			if (dvs_txn_update(txn, "MacLocation", dvs_where_uuid(ruuid),
					   json_pack("{s:[ss], s:[ss], s:[sO]}", "host", "uuid", host, "port",
						     "uuid", port, "ips", "set", ips)) < 0)
				goto out;
			continue;
		}
		if (dvs_txn_delete(txn, "MacLocation", dvs_where_uuid(ruuid)) < 0)
			goto out;
	}
	if (port && !kept &&
	    dvs_txn_insert(txn, "MacLocation",
			   json_pack("{s:[ss], s:s, s:[ss], s:[ss], s:[sO]}", "segment", "uuid", seg,
				     "mac", bar + 1, "host", "uuid", host, "port", "uuid", port, "ips",
				     "set", ips), NULL) < 0)
		goto out;
	ret = 0;
out:
	json_decref(none);
	return ret;
}

int
ctl_macs_build(struct ctl *ctl, struct dvs_txn *txn)
{
	json_t *done = json_array();
	const char *mkey;
	json_t *v;
	int ret = 0;

	json_object_foreach(ctl->dirty_mkeys, mkey, v) {
		if (!ctl_dirty_take(ctl, txn, done, mkey))
			break;
		if ((ret = mkey_build(ctl, mkey, txn)) < 0)
			break;
	}
	ctl_dirty_done(ctl->dirty_mkeys, done);
	return ret;
}
