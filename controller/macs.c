/* SPDX-License-Identifier: Apache-2.0 */
/* MAC locations: one MacLocation row per (segment, MAC) claimed by an active port, naming
 * the host and the port, so remote hosts need not learn it by flooding.  Two ports claiming
 * the same MAC in a segment is a misconfiguration: the lowest port uuid wins, so the answer
 * is stable across controller restarts, and the conflict is logged. */

#define DVS_LOG_MODULE "dvs.macs"

#include "ctl.h"

#include <errno.h>
#include <string.h>

#include "log.h"

static int
mkey_build(struct ctl *ctl, const char *mkey, struct dvs_txn *txn)
{
	const json_t *claims = json_object_get(ctl->mac_claims, mkey);
	const char *bar = strchr(mkey, '|');
	const char *port = NULL, *host = NULL, *k, *ruuid;
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
			host = json_string_value(v);
		}
	}
	if (json_object_size(claims) > 1)
		DVS_LOG_RL(WARN, "MAC %s is claimed by %zu ports of segment %s; publishing port %s",
			   bar + 1, json_object_size(claims), seg, port);
	json_object_foreach(json_object_get(ctl->macloc_by_key, mkey), ruuid, v) {
		const json_t *row = dvs_replica_get(ctl->replica, "MacLocation", ruuid);
		const char *rh = row ? ctl_row_uuid(row, "host") : NULL;
		const char *rp = row ? ctl_row_uuid(row, "port") : NULL;

		if (port && !kept && row) {
			kept = true;
			if ((rh && !strcmp(rh, host)) && (rp && !strcmp(rp, port)))
				continue;
			if (dvs_txn_update(txn, "MacLocation", dvs_where_uuid(ruuid),
					   json_pack("{s:[ss], s:[ss]}", "host", "uuid", host, "port",
						     "uuid", port)) < 0)
				return -ENOMEM;
			continue;
		}
		if (dvs_txn_delete(txn, "MacLocation", dvs_where_uuid(ruuid)) < 0)
			return -ENOMEM;
	}
	if (port && !kept &&
	    dvs_txn_insert(txn, "MacLocation",
			   json_pack("{s:[ss], s:s, s:[ss], s:[ss]}", "segment", "uuid", seg, "mac",
				     bar + 1, "host", "uuid", host, "port", "uuid", port), NULL) < 0)
		return -ENOMEM;
	return 0;
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
