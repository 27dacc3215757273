/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl and dvs-db: reads, the generation-bumping intent transaction and --wait.
 *
 * The new generation must be stored in the changed row in the same transaction as the bump,
 * and OVSDB cannot copy a value between operations, so dvsctl reads Global.generation first
 * and makes the transaction conditional on it (a "wait" with timeout 0, the verify of OVS's
 * IDL): if another change got in between, the whole transaction fails and is built again on
 * the new value. */

#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "ovsdb-lite/client/sync.h"
#include "ovsdb-lite/client/wire.h"

#define COMMIT_ATTEMPTS 8

int
dvsctl_db_connect(struct dvsctl_ctx *ctx)
{
	struct dvs_err err = {0};

	if (ctx->dbc)
		return DVSCTL_OK;
	ctx->dbc = dvs_sync_open(ctx->db, ctx->timeout_ms, &err);
	if (ctx->dbc)
		return DVSCTL_OK;
	if (err.code == EINVAL)
		return dvsctl_fail(ctx, DVSCTL_USAGE,
				   "--db \"%s\": not an address (unix:PATH, tcp:IP:PORT or a path)",
				   ctx->db);
	return dvsctl_fail(ctx, DVSCTL_NO_CONNECT, "%s", dvs_err_msg(&err));
}

void
dvsctl_db_disconnect(struct dvsctl_ctx *ctx)
{
	dvs_sync_close(ctx->dbc);
	ctx->dbc = NULL;
}

/* The exit code for a failed call: the server said no (1) or the session failed (3). */
static int
call_failed(struct dvsctl_ctx *ctx, int r, const struct dvs_err *err)
{
	if (r == -EIO || r == -EPROTO)
		return dvsctl_fail(ctx, DVSCTL_FAILED, "database: %s", dvs_err_msg(err));
	return dvsctl_fail(ctx, DVSCTL_NO_CONNECT, "database %s: %s (use --timeout S)", ctx->db,
			   dvs_err_msg(err));
}

int
dvsctl_db_select(struct dvsctl_ctx *ctx, const char *table, json_t *where, json_t **rows)
{
	struct dvs_txn *txn = NULL;
	struct dvs_err err = {0};
	json_t *res = NULL;
	int rc, r;

	*rows = NULL;
	if ((rc = dvsctl_db_connect(ctx)))
		goto out;
	txn = dvs_txn_create(DVSCTL_DB_NAME);
	if (!txn || dvs_txn_select(txn, table, where ? where : json_array(), NULL) < 0) {
		where = NULL;
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "out of memory");
		goto out;
	}
	where = NULL;
	r = dvs_sync_transact(ctx->dbc, txn, &res, &err);
	if (r < 0) {
		rc = call_failed(ctx, r, &err);
		goto out;
	}
	*rows = json_incref(json_object_get(json_array_get(res, 0), "rows"));
	if (!json_is_array(*rows)) {
		json_decref(*rows);
		*rows = NULL;
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "database: select on %s returned no rows array",
				 table);
	}
out:
	json_decref(where);
	json_decref(res);
	dvs_txn_destroy(txn);
	return rc;
}

int
dvsctl_db_get(struct dvsctl_ctx *ctx, const char *table, const char *col, const char *value,
	      json_t **row)
{
	json_t *rows = NULL;
	int rc;

	*row = NULL;
	rc = dvsctl_db_select(ctx, table, dvs_where_eq(col, json_string(value)), &rows);
	if (rc == DVSCTL_OK && json_array_size(rows))
		*row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return rc;
}

/* ---- wire values ---- */

static bool
is_tagged(const json_t *j, const char *tag)
{
	return json_is_array(j) && json_array_size(j) == 2 &&
	       !strcmp(json_string_value(json_array_get(j, 0)) ?: "", tag);
}

const json_t *
dvsctl_db_atom(const json_t *row, const char *col)
{
	const json_t *v = json_object_get(row, col);

	if (is_tagged(v, "set"))
		return json_array_size(json_array_get(v, 1)) == 1
			       ? json_array_get(json_array_get(v, 1), 0) : NULL;
	return v;
}

const char *
dvsctl_db_str(const json_t *row, const char *col)
{
	return json_string_value(dvsctl_db_atom(row, col));
}

json_int_t
dvsctl_db_int(const json_t *row, const char *col, json_int_t dflt)
{
	const json_t *v = dvsctl_db_atom(row, col);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

const char *
dvsctl_db_uuid(const json_t *row, const char *col)
{
	return dvs_wire_uuid_str(dvsctl_db_atom(row, col));
}

json_t *
dvsctl_db_list(const json_t *row, const char *col)
{
	const json_t *v = json_object_get(row, col);

	if (!v)
		return json_array();
	if (is_tagged(v, "set"))
		return json_copy(json_array_get(v, 1));
	return json_pack("[O]", v);
}

json_t *
dvsctl_db_map(const json_t *row, const char *col)
{
	const json_t *v = json_object_get(row, col), *pair;
	json_t *obj = json_object();
	size_t i;

	if (!is_tagged(v, "map"))
		return obj;
	json_array_foreach(json_array_get(v, 1), i, pair) {
		const char *k = json_string_value(json_array_get(pair, 0));

		if (k)
			json_object_set(obj, k, json_array_get(pair, 1));
	}
	return obj;
}

/* The DVS columns that are sets (any number of values), as opposed to optional (0..1). */
static bool
is_set_column(const char *col)
{
	static const char *const sets[] = {"trunks", "acl_rules", "ips", "flood_hosts", "flood_vteps"};

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (!strcmp(col, sets[i]))
			return true;
	return false;
}

static json_t *
plain_atom(const json_t *a)
{
	const char *u = dvs_wire_uuid_str(a);

	return u ? json_string(u) : json_deep_copy(a);
}

json_t *
dvsctl_db_plain(const json_t *row)
{
	json_t *obj = json_object(), *v, *e;
	const char *col;
	size_t i;

	json_object_foreach((json_t *)row, col, v) {
		json_t *out;

		if (!strcmp(col, "_version"))
			continue;
		if (is_tagged(v, "map")) {
			out = dvsctl_db_map(row, col);
		} else if (is_set_column(col)) {
			json_t *list = dvsctl_db_list(row, col);

			out = json_array();
			json_array_foreach(list, i, e)
				json_array_append_new(out, plain_atom(e));
			json_decref(list);
		} else if (is_tagged(v, "set")) {
			e = json_array_get(json_array_get(v, 1), 0);
			out = e ? plain_atom(e) : json_null();
		} else {
			out = plain_atom(v);
		}
		json_object_set_new(obj, col[0] == '_' ? col + 1 : col, out);
	}
	return obj;
}

json_t *
dvsctl_db_wire_map(json_t *obj)
{
	return dvs_wire_map(obj);
}

void
dvsctl_db_name_add(json_t *set, const char *name)
{
	size_t i;
	json_t *v;

	if (!set || !name || !name[0])
		return;
	json_array_foreach(set, i, v)
		if (!strcmp(json_string_value(v), name))
			return;
	json_array_append_new(set, json_string(name));
}

/* ---- the intent transaction ---- */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Reads Global: *exists and *gen. */
static int
read_generation(struct dvsctl_ctx *ctx, bool *exists, json_int_t *gen)
{
	json_t *rows = NULL;
	int rc = dvsctl_db_select(ctx, "Global", NULL, &rows);

	*exists = rc == DVSCTL_OK && json_array_size(rows) > 0;
	*gen = *exists ? dvsctl_db_int(json_array_get(rows, 0), "generation", 0) : 0;
	json_decref(rows);
	return rc;
}

/* The first failed entry of a transact result: its index, or -1 if all succeeded. */
static int
first_error(const json_t *res, const char **error, const char **details)
{
	size_t i;
	json_t *r;

	json_array_foreach(res, i, r) {
		*error = json_string_value(json_object_get(r, "error"));
		*details = json_string_value(json_object_get(r, "details")) ?: "";
		if (*error)
			return (int)i;
	}
	return -1;
}

/* Builds and runs one attempt.  Returns DVSCTL_OK, -EAGAIN when the generation moved (try
 * again), or an exit code. */
static int
commit_once(struct dvsctl_ctx *ctx, struct dvsctl_intent *in)
{
	const char *error = NULL, *details = NULL;
	struct dvs_txn *txn = NULL;
	struct dvs_err err = {0};
	json_t *res = NULL;
	json_int_t g0, got;
	bool exists;
	int rc, r, sel, bad;

	if ((rc = read_generation(ctx, &exists, &g0)))
		return rc;
	txn = dvs_txn_create(DVSCTL_DB_NAME);
	if (!txn) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "out of memory");
		goto out;
	}
	if (exists) {
		dvs_txn_wait(txn, "Global", json_array(), json_pack("[s]", "generation"), "==",
			     json_pack("[{s:I}]", "generation", g0), 0);
		dvs_txn_mutate(txn, "Global", json_array(), json_pack("[[s s i]]", "generation", "+=", 1));
	} else {
		/* No controller has created it yet.  Global has maxRows 1, so of two racing
		 * creators one fails at commit and retries as an update. */
		dvs_txn_insert(txn, "Global", json_pack("{s:i}", "generation", 1), NULL);
	}
	in->generation = g0 + 1;
	in->first_op = (int)dvs_txn_n_ops(txn);
	if ((rc = in->build(ctx, txn, in->generation, in->arg)))
		goto out;
	sel = dvs_txn_select(txn, "Global", json_array(), json_pack("[s]", "generation"));
	if (dvs_txn_durable(txn) < 0 || sel < 0) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "out of memory");
		goto out;
	}
	r = dvs_sync_call(ctx->dbc, "transact", dvs_txn_params(txn), &res, &err);
	if (r < 0) {
		rc = call_failed(ctx, r, &err);
		goto out;
	}
	bad = first_error(res, &error, &details);
	if (bad >= 0 && (bad < in->first_op ||
			 (!exists && strstr(details, "\"Global\" table to contain")))) {
		rc = -EAGAIN;
		goto out;
	}
	if (bad >= 0) {
		rc = in->explain ? in->explain(ctx, error, details, in->arg) : -1;
		if (rc < 0) {
			dvs_txn_check(txn, res, &err);
			rc = dvsctl_fail(ctx, DVSCTL_FAILED, "database refused the change: %s",
					 dvs_err_msg(&err));
		}
		goto out;
	}
	got = dvsctl_db_int(json_array_get(json_object_get(json_array_get(res, (size_t)sel), "rows"), 0),
			    "generation", -1);
	if (got != in->generation) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED,
				 "database: generation %lld after the change, expected %lld",
				 (long long)got, (long long)in->generation);
		goto out;
	}
	in->result = json_incref(res);
	rc = DVSCTL_OK;
out:
	json_decref(res);
	dvs_txn_destroy(txn);
	return rc;
}

int
dvsctl_db_commit(struct dvsctl_ctx *ctx, struct dvsctl_intent *in)
{
	json_t *j;
	int rc = -EAGAIN;

	in->result = NULL;
	for (int i = 0; i < COMMIT_ATTEMPTS && rc == -EAGAIN; i++)
		rc = commit_once(ctx, in);
	if (rc == -EAGAIN)
		return dvsctl_fail(ctx, DVSCTL_FAILED,
				   "the cluster generation changed %d times while committing; try again",
				   COMMIT_ATTEMPTS);
	if (rc)
		return rc;
	if (ctx->wait)
		return dvsctl_db_wait(ctx, in->generation, in->hosts);
	if (ctx->format == DVSCTL_FMT_JSON) {
		j = json_pack("{s:I}", "generation", (json_int_t)in->generation);
		out_json(j, stdout);
		json_decref(j);
	}
	return DVSCTL_OK;
}

/* ---- --wait ---- */

/* The hosts to wait for and how far each is, from 'rows' (Host uuid -> row): an object
 * name -> applied generation (or null when the host is not registered), plus which are
 * pending. */
static void
wait_state(json_int_t gen, const json_t *hosts, const json_t *rows, json_t **state, json_t **pending)
{
	const char *uuid, *n;
	json_t *row, *name, *v;
	size_t i;

	*state = json_object();
	*pending = json_array();
	if (hosts) {
		json_array_foreach(hosts, i, name)
			json_object_set_new(*state, json_string_value(name), json_null());
	}
	json_object_foreach((json_t *)rows, uuid, row) {
		const char *st = dvsctl_db_str(row, "status");

		n = dvsctl_db_str(row, "name");
		if (!n)
			continue;
		if (!hosts && !(st && !strcmp(st, "up")))
			continue; /* cluster-wide: every host the controller sees up */
		if (hosts && !json_object_get(*state, n))
			continue;
		json_object_set_new(*state, n, json_integer(dvsctl_db_int(row, "applied_generation", 0)));
	}
	json_object_foreach(*state, n, v)
		if (!json_is_integer(v) || json_integer_value(v) < gen)
			json_array_append_new(*pending, json_string(n));
	out_sort_strings(*pending);
}

/* Applies a monitor's <table-updates> for Host to 'rows' (uuid -> row). */
static void
wait_apply(json_t *rows, const json_t *updates)
{
	const char *uuid;
	json_t *ru;

	json_object_foreach(json_object_get(updates, "Host"), uuid, ru) {
		json_t *new = json_object_get(ru, "new");

		if (new)
			json_object_set(rows, uuid, new);
		else
			json_object_del(rows, uuid);
	}
}

/* A burst of reports ends when none came for this long... */
#define WAIT_BATCH_GAP_MS 5
/* ... or after this long. */
#define WAIT_BATCH_MAX_MS 100

int
dvsctl_db_wait(struct dvsctl_ctx *ctx, json_int_t gen, const json_t *hosts)
{
	long long start = now_ms(), deadline = start + ctx->timeout_ms;
	json_t *state = NULL, *pending = NULL, *rows = NULL, *res = NULL;
	struct dvs_err err = {0};
	int rc, r;

	/* A monitor of the Host rows: each report wakes us as dvs-db commits it.  Polling with
	 * a backoff (20, 40, 80 ms...) returned at the next poll after the last report, which
	 * was most of a `dvsctl --wait port add` and made it jump from one poll to the next
	 * as the cluster grew. */
	r = dvs_sync_call(ctx->dbc, "monitor",
			  json_pack("[s, s, {s:{s:[s,s,s]}}]", DVSCTL_DB_NAME, "dvsctl-wait", "Host",
				    "columns", "name", "applied_generation", "status"),
			  &res, &err);
	if (r < 0) {
		rc = call_failed(ctx, r, &err);
		goto out;
	}
	rows = json_object();
	{
		const char *uuid;
		json_t *ru;

		json_object_foreach(json_object_get(res, "Host"), uuid, ru)
			json_object_set(rows, uuid, json_object_get(ru, "new"));
	}
	for (;;) {
		json_t *msg = NULL;

		json_decref(state);
		json_decref(pending);
		wait_state(gen, hosts, rows, &state, &pending);
		if (!json_array_size(pending) || now_ms() >= deadline)
			break;
		/* Reports come in bursts (a group change: one per host): take what follows within a
		 * few ms before working out who is pending again, not once per report (quadratic
		 * at a thousand hosts), but at least every WAIT_BATCH_MAX_MS. */
		long long batch_end = DVS_MIN(now_ms() + WAIT_BATCH_MAX_MS, deadline);
		int tmo = (int)(deadline - now_ms());
		while ((r = dvs_sync_next_notification(ctx->dbc, tmo, &msg, &err)) == 0) {
			if (!strcmp(json_string_value(json_object_get(msg, "method")) ?: "", "update"))
				wait_apply(rows, json_array_get(json_object_get(msg, "params"), 1));
			json_decref(msg);
			tmo = (int)DVS_MIN((long long)WAIT_BATCH_GAP_MS, batch_end - now_ms());
			if (tmo <= 0)
				break;
		}
		if (r < 0 && r != -ETIMEDOUT) {
			rc = call_failed(ctx, r, &err);
			goto out;
		}
	}
	/* The connection may serve more calls: no more updates on it. */
	json_decref(res);
	res = NULL;
	dvs_sync_call(ctx->dbc, "monitor_cancel", json_pack("[s]", "dvsctl-wait"), &res, &err);
	rc = DVSCTL_OK;
	if (json_array_size(pending)) {
		char list[1024];
		size_t n = 0, i;
		json_t *h;

		list[0] = '\0';
		json_array_foreach(pending, i, h) {
			const char *name = json_string_value(h);
			json_t *v = json_object_get(state, name);

			if (n >= sizeof(list))
				break;
			if (json_is_integer(v))
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s (applied %lld)",
						      i ? ", " : "", name, (long long)json_integer_value(v));
			else
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s (not registered)",
						      i ? ", " : "", name);
		}
		rc = dvsctl_fail(ctx, DVSCTL_FAILED,
				 "--wait: generation %lld not applied within %.1f s by %zu of %zu hosts: %s",
				 (long long)gen, ctx->timeout_ms / 1000.0, json_array_size(pending),
				 json_object_size(state), list);
		goto out;
	}
	if (ctx->format == DVSCTL_FMT_JSON) {
		json_t *j = json_pack("{s:I, s:O, s:b}", "generation", (json_int_t)gen, "hosts", state,
				      "applied", 1);

		out_json(j, stdout);
		json_decref(j);
	} else {
		printf("generation %lld applied on %zu/%zu hosts (%.2f s)\n", (long long)gen,
		       json_object_size(state), json_object_size(state), (now_ms() - start) / 1000.0);
	}
out:
	json_decref(state);
	json_decref(pending);
	json_decref(rows);
	json_decref(res);
	return rc;
}
