/* SPDX-License-Identifier: Apache-2.0 */
/* Functional driver for the ovsdb-lite client library, run by client_lib.sh against a real
 * server (OVS's ovsdb-server or dvs-db) with the DVS schema.
 *   ovsdb_client_driver basic|cond|cond-plain|resync|backoff ADDR [ADMIN_ADDR]
 *   ovsdb_client_driver probe SOCKET_PATH   (no server needed)
 * Scenarios that restart the server call "$DBC_HOOK stop|start|start-admin".  Prints what it
 * checks; exits 0 when every check passed, 1 otherwise. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jsonrpc.h"
#include "log.h"
#include "loop.h"
#include "ovsdb-lite/client/idl.h"
#include "ovsdb-lite/client/sync.h"
#include "ovsdb-lite/client/txn.h"

static int n_fail, n_ok;
static struct dvs_loop *loop;

#define CHECK(cond, ...) check_((cond), #cond, __VA_ARGS__)

static void __attribute__((format(printf, 3, 4)))
check_(bool ok, const char *expr, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(ok ? "\n" : " [%s]\n", expr);
	fflush(stdout);
	ok ? n_ok++ : n_fail++;
}

static void
die(const char *what, const struct dvs_err *err)
{
	printf("FAIL: %s: %s\n", what, err->msg);
	exit(1);
}

static void
hook(const char *action)
{
	char cmd[1024];
	const char *h = getenv("DBC_HOOK");

	if (!h) {
		printf("FAIL: DBC_HOOK not set\n");
		exit(1);
	}
	snprintf(cmd, sizeof(cmd), "%s %s", h, action);
	if (system(cmd) != 0) {
		printf("FAIL: hook %s failed\n", action);
		exit(1);
	}
}

/* Runs the loop until pred(arg) or 'timeout_ms'.  Returns pred's final value. */
static bool
run_until(bool (*pred)(void *), void *arg, int timeout_ms)
{
	uint64_t end = dvs_now_ms() + (uint64_t)timeout_ms;

	while (!pred(arg) && dvs_now_ms() < end)
		dvs_loop_run_once(loop, 10);
	return pred(arg);
}

static void
run_for(int ms)
{
	uint64_t end = dvs_now_ms() + (uint64_t)ms;

	while (dvs_now_ms() < end)
		dvs_loop_run_once(loop, 10);
}

static bool
idl_synced(void *arg)
{
	return dvs_idl_is_synced(arg);
}

static bool
idl_unsynced(void *arg)
{
	return !dvs_idl_is_synced(arg);
}

/* ---- change log ---- */

struct events {
	int n, inserts, modifies, deletes;
	char text[8192];
};

static void
on_change(void *arg, const char *table, const char *uuid, enum dvs_row_change change,
	  const json_t *old, const json_t *new)
{
	struct events *e = arg;
	const json_t *row = new ? new : old;
	const char *key = json_string_value(json_object_get(row, "key"));
	size_t len = strlen(e->text);

	if (!key)
		key = json_string_value(json_object_get(row, "name"));
	e->n++;
	e->inserts += change == DVS_ROW_INSERT;
	e->modifies += change == DVS_ROW_MODIFY;
	e->deletes += change == DVS_ROW_DELETE;
	snprintf(e->text + len, sizeof(e->text) - len, "%s:%s:%s ", table, dvs_row_change_name(change),
		 key ? key : "?");
}

/* json_equal with a built value that is released ('want' is stolen). */
static bool
equals(const json_t *v, json_t *want)
{
	bool eq = v && json_equal(v, want);

	json_decref(want);
	return eq;
}

static bool
has_event(const struct events *e, const char *what)
{
	return strstr(e->text, what) != NULL;
}

/* ---- helpers over the sync API ---- */

static struct dvs_sync *
must_open(const char *addr)
{
	struct dvs_err err = {0};
	struct dvs_sync *s = dvs_sync_open(addr, 5000, &err);

	if (!s)
		die("connect", &err);
	return s;
}

static void
must_transact(struct dvs_sync *s, struct dvs_txn *txn, const char *what)
{
	struct dvs_err err = {0};

	if (dvs_sync_transact(s, txn, NULL, &err) < 0)
		die(what, &err);
	dvs_txn_destroy(txn);
}

static void
add_port(struct dvs_sync *s, const char *key, const char *host)
{
	struct dvs_txn *txn = dvs_txn_create("DVS");

	dvs_txn_insert(txn, "Port", json_pack("{s:s, s:s, s:s}", "key", key, "backing", "tap",
					      "requested_host", host), NULL);
	must_transact(s, txn, key);
}

static void
update_port(struct dvs_sync *s, const char *key, json_t *row)
{
	struct dvs_txn *txn = dvs_txn_create("DVS");

	dvs_txn_update(txn, "Port", dvs_where_eq("key", json_string(key)), row);
	must_transact(s, txn, key);
}

static void
delete_port(struct dvs_sync *s, const char *key)
{
	struct dvs_txn *txn = dvs_txn_create("DVS");

	dvs_txn_delete(txn, "Port", dvs_where_eq("key", json_string(key)));
	must_transact(s, txn, key);
}

static void
clear_db(struct dvs_sync *s)
{
	static const char *const tables[] = {"Binding", "MacLocation", "Migration", "Port",
					     "PortGroup", "Segment", "Host", "Site", "Global"};
	struct dvs_txn *txn = dvs_txn_create("DVS");

	for (size_t i = 0; i < DVS_ARRAY_SIZE(tables); i++)
		dvs_txn_delete(txn, tables[i], json_array());
	must_transact(s, txn, "clear");
}

static struct dvs_idl *
idl_for(const char *addr, const struct dvs_client_opts *opts)
{
	struct dvs_idl *idl = dvs_idl_create(loop, addr, "DVS", opts);

	if (!idl) {
		printf("FAIL: dvs_idl_create: %s\n", strerror(errno));
		exit(1);
	}
	return idl;
}

static const json_t *
find_key(struct dvs_idl *idl, const char *table, const char *col, const char *value)
{
	json_t *v = json_string(value);
	const json_t *row = dvs_replica_find(dvs_idl_replica(idl), table, col, v, NULL);

	json_decref(v);
	return row;
}

/* ---- scenario: basic ---- */

struct async_reply {
	bool done;
	int status;
	json_t *result;
};

static void
on_reply(void *arg, int status, const json_t *result, const json_t *error)
{
	struct async_reply *r = arg;

	r->done = true;
	r->status = status;
	r->result = json_incref((json_t *)result);
}

static bool
reply_done(void *arg)
{
	return ((struct async_reply *)arg)->done;
}

static bool
client_up(void *arg)
{
	return dvs_client_is_connected(arg);
}

static void
scenario_basic(const char *addr)
{
	struct dvs_sync *s = must_open(addr);
	struct dvs_err err = {0};
	json_t *schema = dvs_sync_get_schema(s, "DVS", &err), *result = NULL;
	struct dvs_txn *txn;
	struct events ev = {0};
	struct dvs_idl *idl;
	struct dvs_client *c;
	struct async_reply ar = {0};
	int op_pg, r;

	CHECK(schema && !strcmp(json_string_value(json_object_get(schema, "name")) ?: "", "DVS"),
	      "get_schema returns the DVS schema");
	CHECK(json_object_get(json_object_get(schema, "tables"), "Migration") != NULL,
	      "schema has the Migration table");
	json_decref(schema);
	clear_db(s);

	txn = dvs_txn_create("DVS");
	dvs_txn_insert(txn, "Segment", json_pack("{s:s, s:i}", "name", "blue", "vni", 100), "seg");
	dvs_txn_insert(txn, "AclRule", json_pack("{s:i, s:s, s:s, s:i}", "priority", 10, "direction",
						 "from-port", "action", "drop", "ethertype", 0x0800), "r1");
	op_pg = dvs_txn_insert(txn, "PortGroup",
			       json_pack("{s:s, s:s, s:i, s:o, s:o, s:[s[ii]]}", "name", "web",
					 "vlan_mode", "access", "tag", 10,
					 "segment", json_pack("[ss]", "named-uuid", "seg"),
					 "acl_rules", json_pack("[ss]", "named-uuid", "r1"),
					 "trunks", "set", 20, 30), NULL);
	dvs_txn_insert(txn, "Binding", json_pack("{s:s}", "state", "active"), NULL);
	r = dvs_sync_transact(s, txn, &result, &err);
	CHECK(r == 0, "insert Segment+AclRule+PortGroup+Binding in one transaction (%s)", err.msg);
	CHECK(dvs_txn_insert_uuid(result, op_pg) != NULL, "insert returns the new PortGroup uuid");
	json_decref(result);
	dvs_txn_destroy(txn);

	/* A duplicate name must fail the whole transaction, naming the index. */
	dvs_err_clear(&err);
	txn = dvs_txn_create("DVS");
	dvs_txn_insert(txn, "Site", json_pack("{s:s}", "name", "dc1"), NULL);
	dvs_txn_insert(txn, "PortGroup", json_pack("{s:s, s:s}", "name", "web", "vlan_mode", "trunk"), NULL);
	r = dvs_sync_transact(s, txn, NULL, &err);
	CHECK(r == -EIO && strstr(err.msg, "constraint violation"),
	      "duplicate PortGroup name refused: %s", err.msg);
	dvs_txn_destroy(txn);
	dvs_err_clear(&err);
	txn = dvs_txn_create("DVS");
	dvs_txn_select(txn, "Site", json_array(), NULL);
	r = dvs_sync_transact(s, txn, &result, &err);
	CHECK(r == 0 && json_array_size(json_object_get(json_array_get(result, 0), "rows")) == 0,
	      "the failed transaction left no Site row behind");
	json_decref(result);
	dvs_txn_destroy(txn);
	/* An enum violation names the allowed values. */
	dvs_err_clear(&err);
	txn = dvs_txn_create("DVS");
	dvs_txn_insert(txn, "Binding", json_pack("{s:s}", "state", "bogus"), NULL);
	r = dvs_sync_transact(s, txn, NULL, &err);
	CHECK(r == -EIO && strstr(err.msg, "operation 0 (insert on Binding)") &&
	      strstr(err.msg, "constraint violation"), "bad enum value refused: %s", err.msg);
	dvs_txn_destroy(txn);

	/* Asynchronous transaction through a session. */
	c = dvs_client_create(loop, addr, NULL, NULL, NULL);
	CHECK(run_until(client_up, c, 3000), "client session connects");
	txn = dvs_txn_create("DVS");
	dvs_txn_select(txn, "PortGroup", dvs_where_eq("name", json_string("web")), NULL);
	CHECK(dvs_txn_send(txn, c, on_reply, &ar) == 0, "async transact sent");
	run_until(reply_done, &ar, 3000);
	CHECK(ar.status == 0 && dvs_txn_check(txn, ar.result, &err) == 0 &&
	      json_array_size(json_object_get(json_array_get(ar.result, 0), "rows")) == 1,
	      "async select finds the port group");
	json_decref(ar.result);
	dvs_txn_destroy(txn);
	dvs_client_destroy(c);

	/* A live server answers the echo probes: an idle session with a 100 ms probe stays up. */
	{
		struct dvs_client_opts popts = {.probe_interval_ms = 100};
		struct dvs_client_stats st;

		c = dvs_client_create(loop, addr, &popts, NULL, NULL);
		run_until(client_up, c, 3000);
		run_for(800);
		dvs_client_get_stats(c, &st);
		CHECK(dvs_client_is_connected(c) && st.n_connects == 1,
		      "idle session with 100 ms echo probes stays up for 800 ms");
		dvs_client_destroy(c);
	}

	/* The IDL: full monitor, then changes arrive as callbacks with old and new. */
	idl = idl_for(addr, NULL);
	dvs_idl_monitor(idl, "PortGroup", NULL, NULL);
	dvs_idl_monitor(idl, "Binding", NULL, NULL);
	dvs_replica_on_table(dvs_idl_replica(idl), NULL, on_change, &ev);
	CHECK(run_until(idl_synced, idl, 3000), "IDL synced");
	CHECK(ev.inserts == 2 && has_event(&ev, "PortGroup:insert:web"),
	      "initial snapshot: 2 inserts (%s)", ev.text);
	{
		const json_t *pg = find_key(idl, "PortGroup", "name", "web");
		const json_t *b = dvs_replica_rows(dvs_idl_replica(idl), "Binding");
		const char *u;
		json_t *row;

		CHECK(pg && json_integer_value(json_object_get(pg, "tag")) == 10 &&
		      equals(json_object_get(pg, "trunks"), json_pack("[s[ii]]", "set", 20, 30)),
		      "replica holds tag 10 and trunks {20,30}");
		CHECK(pg && json_is_false(json_object_get(pg, "allow_promiscuous")),
		      "replica fills the default of a column the server omitted");
		CHECK(json_object_size(b) == 1, "one Binding row replicated");
		json_object_foreach((json_t *)b, u, row)
			CHECK(!strcmp(json_string_value(json_object_get(row, "state")) ?: "", "active"),
			      "Binding.state 'active' (first enum value) is replicated as 'active'");
	}
	memset(&ev, 0, sizeof(ev));
	txn = dvs_txn_create("DVS");
	dvs_txn_update(txn, "PortGroup", dvs_where_eq("name", json_string("web")),
		       json_pack("{s:i, s:[s[ii]], s:[s[[ss]]]}", "tag", 20, "trunks", "set", 30, 40,
				 "other_config", "map", "k", "v"));
	must_transact(s, txn, "update");
	run_until(idl_unsynced, idl, 50); /* let the update arrive */
	run_for(200);
	{
		const json_t *pg = find_key(idl, "PortGroup", "name", "web");

		CHECK(ev.n == 1 && ev.modifies == 1, "one modify for one update (%s)", ev.text);
		CHECK(pg && json_integer_value(json_object_get(pg, "tag")) == 20,
		      "update2 diff of an optional column applied (tag 20)");
		CHECK(pg && equals(json_object_get(pg, "trunks"), json_pack("[s[ii]]", "set", 30, 40)),
		      "update2 diff of a set applied (trunks {30,40})");
	}
	txn = dvs_txn_create("DVS");
	dvs_txn_mutate(txn, "PortGroup", dvs_where_eq("name", json_string("web")),
		       json_pack("[[ssi]]", "generation", "+=", 1));
	dvs_txn_delete(txn, "Binding", json_array());
	must_transact(s, txn, "mutate+delete");
	run_for(300);
	CHECK(ev.n == 3 && ev.deletes == 1 && ev.modifies == 2, "mutate and delete seen (%s)", ev.text);
	dvs_idl_destroy(idl);
	dvs_sync_close(s);
}

/* ---- scenario: conditional monitor ---- */

struct rows_wait {
	struct dvs_idl *idl;
	size_t n;
};

static bool
rows_are(void *arg)
{
	struct rows_wait *w = arg;

	return dvs_idl_is_synced(w->idl) && dvs_replica_n_rows(dvs_idl_replica(w->idl), "Port") == w->n;
}

static void
scenario_cond(const char *addr, bool plain)
{
	struct dvs_sync *s = must_open(addr);
	struct events ev = {0};
	struct dvs_idl *idl;
	json_t *where;
	struct rows_wait w;

	clear_db(s);
	add_port(s, "p1", "h1");
	add_port(s, "p2", "h1");
	add_port(s, "p3", "h2");
	add_port(s, "p4", "h2");
	idl = idl_for(addr, NULL);
	if (plain)
		dvs_idl_force_plain_monitor(idl);
	where = json_pack("[[sss]]", "requested_host", "==", "h1");
	dvs_idl_monitor(idl, "Port", NULL, where);
	json_decref(where);
	dvs_replica_on_table(dvs_idl_replica(idl), "Port", on_change, &ev);
	w = (struct rows_wait){idl, 2};
	CHECK(run_until(rows_are, &w, 3000), "only h1's 2 ports arrive");
	CHECK(ev.inserts == 2 && has_event(&ev, ":p1 ") && has_event(&ev, ":p2 "), "inserts p1 p2 (%s)",
	      ev.text);
	CHECK(dvs_idl_is_fallback(idl) == plain, "%s monitor in use", plain ? "plain" : "conditional");

	memset(&ev, 0, sizeof(ev));
	add_port(s, "p5", "h1");
	add_port(s, "p6", "h2");
	w.n = 3;
	CHECK(run_until(rows_are, &w, 3000), "a new h1 port arrives");
	run_for(200);
	CHECK(ev.n == 1 && has_event(&ev, "insert:p5"), "and only it (%s)", ev.text);

	memset(&ev, 0, sizeof(ev));
	update_port(s, "p2", json_pack("{s:s}", "requested_host", "h2"));
	w.n = 2;
	CHECK(run_until(rows_are, &w, 3000), "a port moved away from h1 leaves the replica");
	CHECK(ev.n == 1 && has_event(&ev, "delete:p2"), "as one delete (%s)", ev.text);

	memset(&ev, 0, sizeof(ev));
	where = json_pack("[[sss]]", "requested_host", "==", "h2");
	dvs_idl_set_condition(idl, "Port", where);
	json_decref(where);
	w.n = 4;
	CHECK(run_until(rows_are, &w, 3000), "condition h2: 4 ports");
	run_for(200);
	CHECK(ev.deletes == 2 && ev.inserts == 4 && ev.n == 6 && has_event(&ev, "delete:p1") &&
	      has_event(&ev, "delete:p5") && has_event(&ev, "insert:p6"),
	      "condition change: 2 deletes, 4 inserts (%s)", ev.text);

	memset(&ev, 0, sizeof(ev));
	where = json_pack("[[sss][sss]]", "requested_host", "==", "h2", "requested_host", "==", "h1");
	dvs_idl_set_condition(idl, "Port", where);
	json_decref(where);
	w.n = 6;
	CHECK(run_until(rows_are, &w, 3000), "condition h1 or h2: all 6 ports");
	run_for(200);
	CHECK(ev.n == 2 && ev.inserts == 2, "widening adds only the 2 new rows (%s)", ev.text);
	dvs_idl_destroy(idl);
	dvs_sync_close(s);
}

/* ---- scenario: reconnect and resync ---- */

static void
scenario_resync(const char *addr, const char *admin)
{
	struct dvs_sync *s = must_open(addr);
	struct events ev = {0};
	struct dvs_idl *idl;
	struct dvs_idl_stats st;
	struct dvs_txn *txn;
	struct dvs_client_opts opts = {.backoff_min_ms = 50, .backoff_max_ms = 500,
				       .probe_interval_ms = 0};
	char key[8];
	const char *u;
	json_t *row, *result = NULL;
	struct dvs_err err = {0};
	size_t i;

	clear_db(s);
	txn = dvs_txn_create("DVS");
	dvs_txn_insert(txn, "PortGroup", json_pack("{s:s, s:s}", "name", "web", "vlan_mode", "access"), NULL);
	must_transact(s, txn, "pg");
	for (i = 1; i <= 5; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		add_port(s, key, "h1");
	}
	dvs_sync_close(s);
	idl = idl_for(addr, &opts);
	dvs_idl_monitor(idl, "Port", NULL, NULL);
	dvs_idl_monitor(idl, "PortGroup", NULL, NULL);
	dvs_replica_on_table(dvs_idl_replica(idl), NULL, on_change, &ev);
	CHECK(run_until(idl_synced, idl, 3000) && ev.inserts == 6, "synced with 6 rows");

	memset(&ev, 0, sizeof(ev));
	hook("stop");
	CHECK(run_until(idl_unsynced, idl, 3000), "server gone: IDL not synced");
	run_for(300);
	CHECK(ev.n == 0 && dvs_replica_n_rows(dvs_idl_replica(idl), "Port") == 5,
	      "the replica keeps its rows while the server is down (%d events)", ev.n);

	/* Changes the client cannot see: the server is up only on the admin socket. */
	hook("start-admin");
	s = must_open(admin);
	update_port(s, "k1", json_pack("{s:s}", "mac", "52:54:00:00:00:01"));
	delete_port(s, "k2");
	add_port(s, "k6", "h1");
	update_port(s, "k3", json_pack("{s:s}", "mac", "52:54:00:00:00:03"));
	update_port(s, "k3", json_pack("{s:[s[]]}", "mac", "set"));
	delete_port(s, "k4");
	add_port(s, "k4", "h1");
	dvs_sync_close(s);
	hook("stop");
	run_for(200);
	CHECK(ev.n == 0, "nothing reported while disconnected");
	hook("start");
	CHECK(run_until(idl_synced, idl, 5000), "IDL resynchronised after the restart");
	run_for(200);
	CHECK(ev.n == 5 && ev.modifies == 1 && ev.deletes == 2 && ev.inserts == 2 &&
	      has_event(&ev, "Port:modify:k1") && has_event(&ev, "Port:delete:k2") &&
	      has_event(&ev, "Port:insert:k6") && has_event(&ev, "Port:delete:k4") &&
	      has_event(&ev, "Port:insert:k4"),
	      "exactly the net changes: modify k1, delete k2, insert k6, k4 replaced (%s)", ev.text);
	CHECK(!has_event(&ev, ":k3 ") && !has_event(&ev, ":k5 ") && !has_event(&ev, "PortGroup"),
	      "no event for unchanged rows (k3 changed and reverted, k5, the port group)");
	dvs_idl_get_stats(idl, &st);
	CHECK(st.n_snapshots == 2, "two snapshots applied (%llu)", (unsigned long long)st.n_snapshots);

	/* The replica equals the database, row by row. */
	s = must_open(addr);
	txn = dvs_txn_create("DVS");
	dvs_txn_select(txn, "Port", json_array(), NULL);
	CHECK(dvs_sync_transact(s, txn, &result, &err) == 0, "select Port");
	{
		json_t *rows = json_object_get(json_array_get(result, 0), "rows");
		size_t same = 0;

		json_array_foreach(rows, i, row) {
			const json_t *mine;

			u = json_string_value(json_array_get(json_object_get(row, "_uuid"), 1));
			mine = dvs_replica_get(dvs_idl_replica(idl), "Port", u ?: "");
			same += mine && json_equal(json_object_get(mine, "mac"), json_object_get(row, "mac")) &&
				json_equal(json_object_get(mine, "key"), json_object_get(row, "key"));
		}
		CHECK(json_array_size(rows) == 5 && same == 5 &&
		      dvs_replica_n_rows(dvs_idl_replica(idl), "Port") == 5,
		      "replica matches the database (%zu of %zu rows)", same, json_array_size(rows));
	}
	json_decref(result);
	dvs_txn_destroy(txn);
	dvs_sync_close(s);
	dvs_idl_destroy(idl);
}

/* ---- scenario: backoff ---- */

static void
scenario_backoff(const char *addr)
{
	struct dvs_client_opts opts = {.backoff_min_ms = 50, .backoff_max_ms = 400,
				       .probe_interval_ms = 0};
	struct dvs_client *c = dvs_client_create(loop, addr, &opts, NULL, NULL);
	struct dvs_client_stats st;
	uint64_t last = 0, t0, gap_max = 0, gap_late_min = UINT64_MAX, start_ms;
	int n = 0;

	CHECK(run_until(client_up, c, 3000), "connected");
	hook("stop");
	t0 = dvs_now_ms();
	while (dvs_now_ms() - t0 < 3000) {
		dvs_loop_run_once(loop, 5);
		dvs_client_get_stats(c, &st);
		if (st.n_attempts > 1 && st.last_attempt_ms != last) {
			if (last) {
				uint64_t gap = st.last_attempt_ms - last;

				gap_max = DVS_MAX(gap_max, gap);
				if (n >= 5)
					gap_late_min = DVS_MIN(gap_late_min, gap);
			}
			last = st.last_attempt_ms;
			n++;
		}
	}
	printf("info: %d attempts in 3 s, longest gap %llu ms, shortest after the 5th %llu ms\n", n,
	       (unsigned long long)gap_max, (unsigned long long)gap_late_min);
	CHECK(gap_max <= 400 + 30, "no gap longer than the 400 ms cap (+30 ms scheduling)");
	CHECK(gap_late_min >= 200 - 10 && gap_late_min != UINT64_MAX,
	      "after 5 attempts the gap has grown to at least half the cap (jitter)");
	CHECK(n >= 3000 / 400 && n <= 3000 / 200 + 6, "attempt count %d bounded by the backoff", n);
	hook("start");
	start_ms = dvs_now_ms();
	CHECK(run_until(client_up, c, 2000), "reconnects once the server is back");
	printf("info: reconnected %llu ms after the server was back\n",
	       (unsigned long long)(dvs_now_ms() - start_ms));
	CHECK(dvs_now_ms() - start_ms <= 400 + 100, "within one capped backoff interval");
	dvs_client_destroy(c);
}

/* ---- scenario: inactivity probe ---- */

struct probe_ctx {
	int downs;
	int last_err;
};

static void
probe_down(void *arg, struct dvs_client *c, int err)
{
	struct probe_ctx *p = arg;

	p->downs++;
	p->last_err = err;
}

static bool
probe_dropped(void *arg)
{
	return ((struct probe_ctx *)arg)->downs > 0;
}

/* A "server" that accepts and then never answers: the client must notice within two probe
 * intervals and drop the session, not hang on it. */
static void
scenario_probe(const char *path)
{
	struct dvs_client_opts opts = {.backoff_min_ms = 1000, .backoff_max_ms = 1000,
				       .probe_interval_ms = 200};
	struct dvs_client_cbs cbs = {.disconnected = probe_down};
	struct probe_ctx p = {0};
	int lfd = dvs_unix_listen(path), cfd;
	struct dvs_client *c;
	char addr[300];
	uint64_t t0;

	CHECK(lfd >= 0, "listening on %s", path);
	snprintf(addr, sizeof(addr), "unix:%s", path);
	c = dvs_client_create(loop, addr, &opts, &cbs, &p);
	CHECK(run_until(client_up, c, 2000), "connected to the silent server");
	cfd = accept(lfd, NULL, NULL);
	t0 = dvs_now_ms();
	CHECK(run_until(probe_dropped, &p, 2000), "silent server dropped");
	printf("info: dropped %llu ms after connecting (probe interval 200 ms)\n",
	       (unsigned long long)(dvs_now_ms() - t0));
	CHECK(p.last_err == -ETIMEDOUT && dvs_now_ms() - t0 >= 2 * 200 &&
	      dvs_now_ms() - t0 <= 3 * 200 + 100,
	      "by the echo probe (-ETIMEDOUT): silence, then an unanswered echo, 2-3 intervals");
	dvs_client_destroy(c);
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	unlink(path);
}

int
main(int argc, char **argv)
{
	const char *sc = argc > 1 ? argv[1] : "", *addr = argc > 2 ? argv[2] : NULL;

	if (!addr) {
		fprintf(stderr, "usage: %s basic|cond|cond-plain|resync|backoff ADDR [ADMIN_ADDR] | probe PATH\n", argv[0]);
		return 2;
	}
	dvs_log_init("ovsdb_client_driver", getenv("DBC_DEBUG") ? DVS_LOG_DEBUG : DVS_LOG_WARN);
	loop = dvs_loop_create();
	if (!strcmp(sc, "basic"))
		scenario_basic(addr);
	else if (!strcmp(sc, "cond"))
		scenario_cond(addr, false);
	else if (!strcmp(sc, "cond-plain"))
		scenario_cond(addr, true);
	else if (!strcmp(sc, "resync") && argc > 3)
		scenario_resync(addr, argv[3]);
	else if (!strcmp(sc, "backoff"))
		scenario_backoff(addr);
	else if (!strcmp(sc, "probe"))
		scenario_probe(addr);
	else {
		fprintf(stderr, "unknown scenario %s\n", sc);
		return 2;
	}
	dvs_loop_destroy(loop);
	printf("%s: %d checks passed, %d failed\n", sc, n_ok, n_fail);
	return n_fail ? 1 : 0;
}
