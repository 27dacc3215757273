/* SPDX-License-Identifier: Apache-2.0 */
/* Segments: VNI allocation (vni.c, from Global.other_config:vni_range) and the flood list of
 * each segment (Segment.flood_hosts: the hosts with at least one active port in it, counted
 * in ctl->flood as ports come and go). */

#define DVS_LOG_MODULE "dvs.segments"

#include "ctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void
ctl_segments_row_cb(struct ctl *ctl, const char *uuid, const json_t *old, const json_t *new)
{
	int64_t ov = 0, nv = 0;
	bool has_old = old && ctl_row_int(old, "vni", &ov);
	bool has_new = new && ctl_row_int(new, "vni", &nv);

	ctl_set_add(ctl->dirty_segments, uuid);
	if (!new)
		json_object_del(ctl->vni_waiting, uuid);
	if (has_old && (!has_new || ov != nv)) {
		const char *w;
		json_t *v;

		vni_alloc_release(ctl->vni, (uint32_t)ov);
		/* A VNI came free: segments waiting for one get another chance. */
		json_object_foreach(ctl->vni_waiting, w, v)
			ctl_set_add(ctl->dirty_segments, w);
	}
	if (has_new && (!has_old || ov != nv)) {
		json_t *pending = json_object_get(ctl->vni_pending, uuid);

		if (vni_alloc_take(ctl->vni, (uint32_t)nv) == -EEXIST && !pending)
			DVS_LOG_RL(WARN, "segment %s: VNI %" PRId64 " is used twice", uuid, nv);
		if (pending && json_integer_value(pending) != nv)
			vni_alloc_release(ctl->vni, (uint32_t)json_integer_value(pending));
		json_object_del(ctl->vni_pending, uuid);
	}
}

void
ctl_segments_txn_done(struct ctl *ctl, bool ok)
{
	const char *uuid;
	json_t *v;

	/* Left pending: the transaction failed, or the segment was deleted meanwhile. */
	json_object_foreach(ctl->vni_pending, uuid, v)
		vni_alloc_release(ctl->vni, (uint32_t)json_integer_value(v));
	json_object_clear(ctl->vni_pending);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* True if the set column 'col' of 'row' holds exactly the uuids that are keys of 'want'. */
static bool
uuid_set_equal(const json_t *row, const char *col, const json_t *want)
{
	const json_t *v = json_object_get(row, col);
	const json_t *elems, *e;
	size_t i, n;

	if (json_is_array(v) && !strcmp(json_string_value(json_array_get(v, 0)) ?: "", "set"))
		elems = json_array_get(v, 1);
	else
		elems = NULL;
	n = elems ? json_array_size(elems) : (v ? 1 : 0);
	if (n != json_object_size(want))
		return false;
	if (!elems)
		return !v || json_object_get(want, ctl_row_uuid(row, col) ?: "") != NULL;
	json_array_foreach(elems, i, e)
		if (!json_object_get(want, json_string_value(json_array_get(e, 1)) ?: ""))
			return false;
	return true;
}

static json_t *
uuid_set(const json_t *keys)
{
	size_t n = json_object_size(keys), i = 0;
	const char **sorted = calloc(n ? n : 1, sizeof(*sorted));
	json_t *arr = json_array();
	const char *k;
	json_t *v;

	if (!sorted || !arr) {
		free(sorted);
		json_decref(arr);
		return NULL;
	}
	json_object_foreach((json_t *)keys, k, v)
		sorted[i++] = k;
	/* Sorted so the same set is always written the same way (stable diffs, logs). */
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("[ss]", "uuid", sorted[i]));
	free(sorted);
	return json_pack("[so]", "set", arr);
}

int
ctl_segments_build(struct ctl *ctl, struct dvs_txn *txn)
{
	json_t *done = json_array();
	json_t *empty = json_object();
	const char *uuid;
	json_t *v;
	int ret = 0;

	json_object_foreach(ctl->dirty_segments, uuid, v) {
		if (!ctl_dirty_take(ctl, txn, done, uuid))
			break;
		const json_t *row = dvs_replica_get(ctl->replica, "Segment", uuid);
		const json_t *want = json_object_get(ctl->flood, uuid) ?: empty;
		json_t *upd;
		int64_t vni;

		ctl->stats.n_segments++;
		if (!row)
			continue;
		upd = json_object();
		if (!ctl_row_int(row, "vni", &vni) && !json_object_get(ctl->vni_pending, uuid)) {
			uint32_t n = vni_alloc_next(ctl->vni);

			if (n) {
				json_object_del(ctl->vni_waiting, uuid);
				json_object_set_new(ctl->vni_pending, uuid, json_integer(n));
				json_object_set_new(upd, "vni", json_integer(n));
				DVS_LOG(INFO, "segment %s: VNI %u", ctl_row_str(row, "name") ?: uuid, n);
			} else {
				ctl_set_add(ctl->vni_waiting, uuid);
				DVS_LOG_RL(WARN, "segment %s: no free VNI in %u-%u (Global other_config:"
					   "vni_range)", ctl_row_str(row, "name") ?: uuid, ctl->vni_first,
					   ctl->vni_last);
			}
		}
		if (!uuid_set_equal(row, "flood_hosts", want))
			json_object_set_new(upd, "flood_hosts", uuid_set(want));
		if (json_object_size(upd) &&
		    dvs_txn_update(txn, "Segment", dvs_where_uuid(uuid), upd) < 0) {
			ret = -ENOMEM;
			break;
		}
		if (!json_object_size(upd))
			json_decref(upd);
	}
	ctl_dirty_done(ctl->dirty_segments, done);
	json_decref(empty);
	return ret;
}
