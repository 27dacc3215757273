/* SPDX-License-Identifier: Apache-2.0 */
/* Host liveness: a host is up while its last heartbeat (wall-clock ms, written by its
 * switchd) is at most Global.other_config:host_down_after_ms old.  Liveness lives in the
 * controller's model (ctl->host_up) so that a change reaches the host's bindings and flood
 * contributions in the same transaction that writes Host.status. */

#define DVS_LOG_MODULE "dvs.hosts"

#include "ctl.h"

#include <inttypes.h>
#include <string.h>

#include "log.h"

bool
ctl_host_is_up(const struct ctl *ctl, const char *host_uuid)
{
	return host_uuid && json_is_true(json_object_get(ctl->host_up, host_uuid));
}

void
ctl_hosts_row_cb(struct ctl *ctl, const char *uuid, const json_t *old, const json_t *new)
{
	const char *on = old ? ctl_row_str(old, "name") : NULL;
	const char *nn = new ? ctl_row_str(new, "name") : NULL;
	int64_t og = -1, ng = -1;

	ctl_set_add(ctl->dirty_hosts, uuid);
	if (on && (!nn || strcmp(on, nn))) {
		const char *owner = json_string_value(json_object_get(ctl->host_by_name, on));

		if (owner && !strcmp(owner, uuid))
			json_object_del(ctl->host_by_name, on);
		/* Its ports lose their host: bindings, config_error. */
		ctl_multimap_mark(ctl->ports_by_host, on, ctl->dirty_ports);
	}
	if (nn && (!on || strcmp(on, nn))) {
		json_object_set_new(ctl->host_by_name, nn, json_string(uuid));
		ctl_multimap_mark(ctl->ports_by_host, nn, ctl->dirty_ports);
	}
	if (!new)
		json_object_del(ctl->host_up, uuid);
	if (old)
		ctl_row_int(old, "applied_generation", &og);
	if (new)
		ctl_row_int(new, "applied_generation", &ng);
	if (og != ng)
		ctl->dirty_convergence = true;
}

static bool
compute_up(const struct ctl *ctl, const json_t *row, uint64_t now_ms, int64_t *age)
{
	int64_t hb = 0;

	ctl_row_int(row, "last_heartbeat", &hb);
	*age = (int64_t)now_ms - hb;
	/* A heartbeat from the future (clock skew) still proves the host is alive. */
	return hb > 0 && *age <= (int64_t)ctl->down_after_ms;
}

void
ctl_check_hosts(struct ctl *ctl, uint64_t now_ms)
{
	const char *uuid;
	json_t *row;
	int64_t age;

	json_object_foreach((json_t *)dvs_replica_rows(ctl->replica, "Host"), uuid, row) {
		json_t *cur = json_object_get(ctl->host_up, uuid);

		if (!cur || json_is_true(cur) != compute_up(ctl, row, now_ms, &age))
			ctl_set_add(ctl->dirty_hosts, uuid);
	}
}

int
ctl_hosts_build(struct ctl *ctl, uint64_t now_ms, struct dvs_txn *txn)
{
	json_t *done = json_array();
	const char *uuid;
	json_t *v;
	int ret = 0;

	json_object_foreach(ctl->dirty_hosts, uuid, v) {
		if (!ctl_dirty_take(ctl, txn, done, uuid))
			break;
		const json_t *row = dvs_replica_get(ctl->replica, "Host", uuid);
		const char *name, *status, *want;
		json_t *cur;
		int64_t age;
		bool up;

		ctl->stats.n_hosts++;
		if (!row)
			continue; /* deleted: the row callback already released it */
		name = ctl_row_str(row, "name") ?: "";
		up = compute_up(ctl, row, now_ms, &age);
		cur = json_object_get(ctl->host_up, uuid);
		status = ctl_row_str(row, "status");
		want = up ? "up" : "down";
		if (!cur || json_is_true(cur) != up) {
			json_object_set_new(ctl->host_up, uuid, json_boolean(up));
			ctl_multimap_mark(ctl->ports_by_host, name, ctl->dirty_ports);
			ctl->dirty_convergence = true;
			if (cur || !status || strcmp(status, want)) {
				if (up)
					DVS_LOG(INFO, "host %s is up", name);
				else
					DVS_LOG(INFO, "host %s is down (last heartbeat %" PRId64 " ms ago, "
						"limit %" PRIu64 " ms)", name, age, ctl->down_after_ms);
			}
		}
		if (status && !strcmp(status, want))
			continue;
		if (dvs_txn_update(txn, "Host", dvs_where_uuid(uuid), json_pack("{s:s}", "status", want)) < 0) {
			ret = -ENOMEM;
			break;
		}
	}
	ctl_dirty_done(ctl->dirty_hosts, done);
	return ret;
}
