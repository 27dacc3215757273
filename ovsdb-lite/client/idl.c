/* SPDX-License-Identifier: Apache-2.0 */
/* The IDL state machine, one pass per session:
 *
 *   connected -> get_schema -> monitor_cond (or monitor) -> snapshot applied -> live
 *
 * Live, "update2" (or "update") notifications for the current monitor id feed the replica;
 * condition changes go out as monitor_cond_change.  Anything that puts the replica out of
 * step with the server (a diff for a row it does not hold, a malformed update) drops the
 * session: the next monitor reply is diffed against the replica, which repairs it with
 * exactly the net changes.  Replies for an older session are failed by the client with
 * -ECONNRESET and ignored here. */

#define DVS_LOG_MODULE "dvs.ovsdb_idl"

#include "idl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

enum idl_state {
	IDL_DOWN,    /* no session */
	IDL_SCHEMA,  /* get_schema sent */
	IDL_MONITOR, /* monitor(_cond) sent */
	IDL_LIVE,    /* snapshot applied; following updates */
};

struct mtable {
	char *name;
	char **columns;  /* NULL-terminated, or NULL for every column */
	json_t *where;   /* current condition, or NULL */
	bool cond_dirty; /* changed since the server last got it */
	bool usable;     /* in the server's schema */
};

struct dvs_idl {
	struct dvs_loop *loop;
	struct dvs_client *client;
	char *db;
	struct dvs_replica *replica;
	struct mtable *tables;
	size_t n_tables;

	enum idl_state state;
	bool fallback;     /* the server has no monitor_cond */
	json_t *monitor_id;
	unsigned monitor_seq;
	int cond_in_flight; /* monitor_cond_change requests awaiting replies */
	bool synced;
	dvs_idl_sync_cb *sync_cb;
	void *sync_arg;
	struct dvs_idl_stats stats;
};

static void send_monitor(struct dvs_idl *idl);

static void
set_synced(struct dvs_idl *idl, bool synced)
{
	if (idl->synced == synced)
		return;
	idl->synced = synced;
	if (idl->sync_cb)
		idl->sync_cb(idl->sync_arg, idl, synced);
}

static void
resync(struct dvs_idl *idl, const char *why)
{
	DVS_LOG_RL(WARN, "%s: replica out of step (%s); reconnecting to resynchronise",
		   dvs_client_addr(idl->client), why);
	idl->stats.n_resyncs++;
	dvs_client_reconnect(idl->client);
}

static bool
is_unknown_method(const json_t *error)
{
	const char *e = json_is_string(error) ? json_string_value(error)
					      : json_string_value(json_object_get(error, "error"));

	return e && !strcmp(e, "unknown method");
}

static char *
error_str(const json_t *error)
{
	return json_dumps(error, JSON_COMPACT | JSON_ENCODE_ANY);
}

static struct mtable *
find_mtable(struct dvs_idl *idl, const char *name)
{
	for (size_t i = 0; i < idl->n_tables; i++)
		if (!strcmp(idl->tables[i].name, name))
			return &idl->tables[i];
	return NULL;
}

static json_t *
columns_json(const struct mtable *t)
{
	json_t *a = json_array();

	for (char **c = t->columns; c && *c; c++)
		json_array_append_new(a, json_string(*c));
	return a;
}

/* ---- condition changes ---- */

static void
on_cond_reply(void *arg, int status, const json_t *result, const json_t *error)
{
	struct dvs_idl *idl = arg;
	char *e;

	if (status < 0)
		return; /* session gone; the next monitor request carries the conditions */
	idl->cond_in_flight--;
	if (status == 1) {
		e = error_str(error);
		DVS_LOG(ERR, "%s: monitor_cond_change refused: %s", dvs_client_addr(idl->client), e);
		free(e);
		resync(idl, "condition change refused");
		return;
	}
	if (!idl->cond_in_flight && idl->state == IDL_LIVE)
		set_synced(idl, true);
}

static void
send_cond_changes(struct dvs_idl *idl)
{
	json_t *reqs;
	bool dirty = false;

	for (size_t i = 0; i < idl->n_tables; i++)
		dirty |= idl->tables[i].cond_dirty && idl->tables[i].usable;
	if (!dirty)
		return;
	if (idl->fallback) {
		/* Plain monitor: no server-side conditions.  Start a fresh monitor under the new
		 * filters; its snapshot is diffed against the replica. */
		dvs_client_request(idl->client, "monitor_cancel", json_pack("[O]", idl->monitor_id),
				   NULL, NULL);
		send_monitor(idl);
		return;
	}
	reqs = json_object();
	for (size_t i = 0; i < idl->n_tables; i++) {
		struct mtable *t = &idl->tables[i];

		if (!t->cond_dirty || !t->usable)
			continue;
		t->cond_dirty = false;
		/* An explicit [true]: an omitted "where" might mean "unchanged". */
		json_object_set_new(reqs, t->name, json_pack("[{s:o}]", "where",
			t->where ? json_incref(t->where) : json_pack("[b]", 1)));
	}
	if (!json_object_size(reqs)) {
		json_decref(reqs);
		return;
	}
	set_synced(idl, false);
	if (dvs_client_request(idl->client, "monitor_cond_change",
			       json_pack("[OOo]", idl->monitor_id, idl->monitor_id, reqs),
			       on_cond_reply, idl) == 0)
		idl->cond_in_flight++;
}

/* ---- monitor ---- */

static void
on_monitor_reply(void *arg, int status, const json_t *result, const json_t *error)
{
	struct dvs_idl *idl = arg;
	struct dvs_err err = {0};
	char *e;

	if (status < 0)
		return;
	if (status == 1 && !idl->fallback && is_unknown_method(error)) {
		DVS_LOG(INFO, "%s: no monitor_cond; falling back to monitor with local filtering",
			dvs_client_addr(idl->client));
		idl->fallback = true;
		send_monitor(idl);
		return;
	}
	if (status == 1) {
		e = error_str(error);
		DVS_LOG_RL(ERR, "%s: monitor refused: %s", dvs_client_addr(idl->client), e);
		free(e);
		dvs_client_reconnect(idl->client);
		return;
	}
	if (dvs_replica_apply_snapshot(idl->replica, result, idl->fallback ? 1 : 2, &err) < 0) {
		resync(idl, err.msg);
		return;
	}
	idl->stats.n_snapshots++;
	idl->state = IDL_LIVE;
	send_cond_changes(idl); /* conditions changed while the request was out */
	if (idl->state == IDL_LIVE && !idl->cond_in_flight)
		set_synced(idl, true);
}

static void
send_monitor(struct dvs_idl *idl)
{
	json_t *reqs = json_object();
	char id[32];

	snprintf(id, sizeof(id), "dvs-idl-%u", ++idl->monitor_seq);
	json_decref(idl->monitor_id);
	idl->monitor_id = json_string(id);
	for (size_t i = 0; i < idl->n_tables; i++) {
		struct mtable *t = &idl->tables[i];
		json_t *req;

		if (!t->usable)
			continue;
		t->cond_dirty = false;
		req = json_pack("{s:o}", "columns", t->columns ? columns_json(t)
					: dvs_replica_columns(idl->replica, t->name));
		if (idl->fallback) {
			dvs_replica_set_filter(idl->replica, t->name, t->where);
			json_object_set_new(reqs, t->name, req);
		} else {
			if (t->where)
				json_object_set(req, "where", t->where);
			json_object_set_new(reqs, t->name, json_pack("[o]", req));
		}
	}
	idl->state = IDL_MONITOR;
	set_synced(idl, false);
	dvs_client_request(idl->client, idl->fallback ? "monitor" : "monitor_cond",
			   json_pack("[sOo]", idl->db, idl->monitor_id, reqs), on_monitor_reply, idl);
}

/* ---- schema ---- */

static void
on_schema_reply(void *arg, int status, const json_t *result, const json_t *error)
{
	struct dvs_idl *idl = arg;
	const json_t *tables = json_object_get(result, "tables");
	struct dvs_err err = {0};
	char *e;

	if (status < 0)
		return;
	if (status == 1 || !json_is_object(tables)) {
		e = error_str(error);
		DVS_LOG_RL(ERR, "%s: get_schema %s failed: %s", dvs_client_addr(idl->client), idl->db,
			   e ? e : "no tables");
		free(e);
		dvs_client_reconnect(idl->client);
		return;
	}
	for (size_t i = 0; i < idl->n_tables; i++) {
		struct mtable *t = &idl->tables[i];
		const json_t *ts = json_object_get(tables, t->name);

		t->usable = false;
		if (!ts) {
			DVS_LOG_RL(ERR, "%s: database %s has no table %s", dvs_client_addr(idl->client),
				   idl->db, t->name);
			continue;
		}
		if (!dvs_replica_has_table(idl->replica, t->name) &&
		    dvs_replica_add_table(idl->replica, t->name, ts, (const char *const *)t->columns,
					  &err) < 0) {
			DVS_LOG_RL(ERR, "%s: %s", dvs_client_addr(idl->client), err.msg);
			dvs_err_clear(&err);
			continue;
		}
		t->usable = true;
	}
	send_monitor(idl);
}

/* ---- session callbacks ---- */

static void
on_connected(void *arg, struct dvs_client *c)
{
	struct dvs_idl *idl = arg;

	idl->state = IDL_SCHEMA;
	idl->cond_in_flight = 0;
	dvs_client_request(c, "get_schema", json_pack("[s]", idl->db), on_schema_reply, idl);
}

static void
on_disconnected(void *arg, struct dvs_client *c, int err)
{
	struct dvs_idl *idl = arg;

	idl->state = IDL_DOWN;
	idl->cond_in_flight = 0;
	/* The replica stays as it was: the application keeps working on it. */
	set_synced(idl, false);
}

static void
on_notify(void *arg, struct dvs_client *c, const char *method, const json_t *params)
{
	struct dvs_idl *idl = arg;
	struct dvs_err err = {0};
	int version;

	if (!strcmp(method, "update2"))
		version = 2;
	else if (!strcmp(method, "update"))
		version = 1;
	else
		return;
	/* Updates of a cancelled monitor can still be in flight: only the current one counts. */
	if (idl->state != IDL_LIVE || !json_equal(json_array_get(params, 0), idl->monitor_id))
		return;
	if (dvs_replica_apply_update(idl->replica, json_array_get(params, 1), version, &err) < 0) {
		resync(idl, err.msg);
		return;
	}
	idl->stats.n_updates++;
}

/* ---- API ---- */

struct dvs_idl *
dvs_idl_create(struct dvs_loop *loop, const char *addr, const char *db,
	       const struct dvs_client_opts *opts)
{
	const struct dvs_client_cbs cbs = {
		.connected = on_connected,
		.disconnected = on_disconnected,
		.notify = on_notify,
	};
	struct dvs_idl *idl = calloc(1, sizeof(*idl));
	int e;

	if (!idl)
		return NULL;
	idl->loop = loop;
	idl->db = strdup(db);
	idl->replica = dvs_replica_create();
	if (!idl->db || !idl->replica)
		goto fail;
	idl->client = dvs_client_create(loop, addr, opts, &cbs, idl);
	if (!idl->client)
		goto fail;
	return idl;
fail:
	e = errno ? errno : ENOMEM;
	dvs_replica_destroy(idl->replica);
	free(idl->db);
	free(idl);
	errno = e;
	return NULL;
}

void
dvs_idl_destroy(struct dvs_idl *idl)
{
	if (!idl)
		return;
	/* The client first: its pending callbacks point at 'idl'. */
	dvs_client_destroy(idl->client);
	for (size_t i = 0; i < idl->n_tables; i++) {
		for (char **c = idl->tables[i].columns; c && *c; c++)
			free(*c);
		free(idl->tables[i].columns);
		free(idl->tables[i].name);
		json_decref(idl->tables[i].where);
	}
	free(idl->tables);
	json_decref(idl->monitor_id);
	dvs_replica_destroy(idl->replica);
	free(idl->db);
	free(idl);
}

int
dvs_idl_monitor(struct dvs_idl *idl, const char *table, const char *const *columns,
		const json_t *where)
{
	struct mtable *grown, t = {0};
	size_t n = 0;

	if (find_mtable(idl, table))
		return -EEXIST;
	while (columns && columns[n])
		n++;
	t.name = strdup(table);
	if (columns)
		t.columns = calloc(n + 1, sizeof(*t.columns));
	for (size_t i = 0; t.columns && i < n; i++)
		t.columns[i] = strdup(columns[i]);
	t.where = where ? json_deep_copy(where) : NULL;
	grown = realloc(idl->tables, (idl->n_tables + 1) * sizeof(*grown));
	if (!t.name || (columns && !t.columns) || !grown) {
		for (char **c = t.columns; c && *c; c++)
			free(*c);
		free(t.columns);
		free(t.name);
		json_decref(t.where);
		if (grown)
			idl->tables = grown;
		return -ENOMEM;
	}
	idl->tables = grown;
	idl->tables[idl->n_tables++] = t;
	/* A table declared on a live session needs a new monitor: the simplest correct way is
	 * a new session, whose snapshot diff leaves the other tables untouched. */
	if (idl->state != IDL_DOWN)
		dvs_client_reconnect(idl->client);
	return 0;
}

int
dvs_idl_set_condition(struct dvs_idl *idl, const char *table, const json_t *where)
{
	struct mtable *t = find_mtable(idl, table);

	if (!t)
		return -ENOENT;
	json_decref(t->where);
	t->where = where ? json_deep_copy(where) : NULL;
	t->cond_dirty = true;
	if (idl->state == IDL_LIVE)
		send_cond_changes(idl);
	return 0;
}

struct dvs_replica *
dvs_idl_replica(struct dvs_idl *idl)
{
	return idl->replica;
}

struct dvs_client *
dvs_idl_client(struct dvs_idl *idl)
{
	return idl->client;
}

bool
dvs_idl_is_synced(const struct dvs_idl *idl)
{
	return idl->synced;
}

void
dvs_idl_force_plain_monitor(struct dvs_idl *idl)
{
	idl->fallback = true;
	if (idl->state != IDL_DOWN)
		dvs_client_reconnect(idl->client);
}

bool
dvs_idl_is_fallback(const struct dvs_idl *idl)
{
	return idl->fallback;
}

void
dvs_idl_set_sync_cb(struct dvs_idl *idl, dvs_idl_sync_cb *cb, void *arg)
{
	idl->sync_cb = cb;
	idl->sync_arg = arg;
}

int
dvs_idl_load(struct dvs_idl *idl, const char *path, struct dvs_err *err)
{
	return dvs_replica_load(idl->replica, path, err);
}

void
dvs_idl_get_stats(const struct dvs_idl *idl, struct dvs_idl_stats *s)
{
	*s = idl->stats;
}
