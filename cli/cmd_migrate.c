/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl migrate / migration: live migration of a port between hosts through its Migration
 * row (ARCHITECTURE.md "Live migration"; datapath/ctl/migrate.c runs the protocol on the two
 * hosts).  A migration is not an intent change: no generation bump. */
#include "dvsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "output.h"
#include "ovsdb-lite/client/sync.h"
#include "ovsdb-lite/client/wire.h"

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
is_active(const char *state)
{
	return state && (!strcmp(state, "prepare") || !strcmp(state, "transfer") ||
			 !strcmp(state, "activating") || !strcmp(state, "redirect"));
}

static int
run_txn(struct dvsctl_ctx *ctx, struct dvs_txn *txn, const char *what)
{
	struct dvs_err err = {0};
	json_t *res = NULL;
	int r = dvs_sync_transact(ctx->dbc, txn, &res, &err);

	if (r == 0 && dvs_txn_check(txn, res, &err) < 0)
		r = -EIO;
	json_decref(res);
	if (r < 0)
		return dvsctl_fail(ctx, DVSCTL_FAILED, "%s: %s", what, err.msg);
	return DVSCTL_OK;
}

/* The migration rows of port 'port_uuid', newest last. */
static int
port_migrations(struct dvsctl_ctx *ctx, const char *port_uuid, json_t **rows)
{
	return dvsctl_db_select(ctx, "Migration",
				json_pack("[[s,s,o]]", "port", "==", dvs_wire_uuid(port_uuid)), rows);
}

static const json_t *
active_of(const json_t *rows)
{
	size_t i;
	const json_t *r;

	json_array_foreach(rows, i, r)
		if (is_active(dvsctl_db_str(r, "state")))
			return r;
	return NULL;
}

static void
print_progress(const json_t *m)
{
	long long bl = dvsctl_db_int(m, "blackout_us", -1);
	const char *err = dvsctl_db_str(m, "error");

	printf("%s", dvsctl_db_str(m, "state") ?: "?");
	if (dvsctl_db_str(m, "activated_by"))
		printf(" (activated by %s)", dvsctl_db_str(m, "activated_by"));
	if (bl >= 0)
		printf(": blackout %.3f ms, %lld frames lost", bl / 1000.0,
		       (long long)dvsctl_db_int(m, "frames_lost", 0));
	if (err)
		printf(": %s", err);
	printf("\n");
	fflush(stdout);
}

/* Follows the migration until it ends or the timeout; exit 0 only when it completed. */
static int
follow(struct dvsctl_ctx *ctx, const char *uuid)
{
	long long end = now_ms() + (ctx->timeout_ms > 0 ? ctx->timeout_ms : 60000);
	char last[32] = "";
	int rc;

	for (;;) {
		json_t *rows = NULL;
		if ((rc = dvsctl_db_select(ctx, "Migration", json_pack("[[s,s,o]]", "_uuid", "==",
					   dvs_wire_uuid(uuid)), &rows)))
			return rc;
		const json_t *m = json_array_get(rows, 0);
		const char *state = m ? dvsctl_db_str(m, "state") : NULL;
		if (!m) {
			json_decref(rows);
			return dvsctl_fail(ctx, DVSCTL_FAILED, "migrate: the migration row disappeared");
		}
		if (strcmp(last, state ?: "") || !is_active(state)) {
			snprintf(last, sizeof(last), "%s", state ?: "");
			if (ctx->format != DVSCTL_FMT_JSON || !is_active(state))
				print_progress(m);
		}
		if (!is_active(state)) {
			rc = !strcmp(state, "complete") ? DVSCTL_OK : DVSCTL_FAILED;
			json_decref(rows);
			return rc;
		}
		json_decref(rows);
		if (now_ms() > end)
			return dvsctl_fail(ctx, DVSCTL_FAILED, "migrate: still %s after %.1f s", last,
					   ctx->timeout_ms / 1000.0);
		usleep(50000);
	}
}

static int
cmd_migrate(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt o[] = {{"to", true, NULL}, {"vhost-socket", true, NULL},
				 {"activate", false, NULL}, {"migration-timeout", true, NULL},
				 {NULL, false, NULL}};
	const char *key = NULL;
	json_t *port = NULL, *src = NULL, *dst = NULL, *rows = NULL;
	struct dvs_txn *txn = NULL;
	uint64_t tmo = 30;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, o, &key, 1, 1, "PORT (a port key)")) ||
	    (rc = dvsctl_check_name(ctx, "PORT", key)))
		goto out;
	if (!o[0].value == !o[2].value) {
		rc = dvsctl_usage(ctx, "give --to HOST (start) or --activate (activate now), not both");
		goto out;
	}
	if (o[3].value && (rc = dvsctl_parse_uint(ctx, "--migration-timeout", o[3].value, 1, 3600, &tmo)))
		goto out;
	if (o[1].value && o[1].value[0] != '/') {
		rc = dvsctl_usage(ctx, "--vhost-socket %s: must be an absolute path", o[1].value);
		goto out;
	}
	if ((rc = dvsctl_db_get(ctx, "Port", "key", key, &port)))
		goto out;
	if (!port) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no port \"%s\" (see dvsctl port list)", key);
		goto out;
	}
	if ((rc = port_migrations(ctx, dvsctl_db_uuid(port, "_uuid"), &rows)))
		goto out;
	const json_t *act = active_of(rows);
	if (o[2].value) {
		if (!act) {
			rc = dvsctl_fail(ctx, DVSCTL_FAILED, "port \"%s\" is not migrating", key);
			goto out;
		}
		json_t *opts = dvsctl_db_map(act, "options");
		json_object_set_new(opts, "activate", json_string("true"));
		txn = dvs_txn_create(DVSCTL_DB_NAME);
		dvs_txn_update(txn, "Migration", dvs_where_uuid(dvsctl_db_uuid(act, "_uuid")),
			       json_pack("{s:o}", "options", dvsctl_db_wire_map(opts)));
		if (!(rc = run_txn(ctx, txn, "migrate --activate")) && ctx->wait)
			rc = follow(ctx, dvsctl_db_uuid(act, "_uuid"));
		goto out;
	}
	if (act) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "port \"%s\" is already migrating (state %s)", key,
				 dvsctl_db_str(act, "state"));
		goto out;
	}
	const char *from = dvsctl_db_str(port, "requested_host");
	if (!from) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "port \"%s\" has no host to migrate from", key);
		goto out;
	}
	if (!strcmp(from, o[0].value)) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "port \"%s\" already runs on %s", key, from);
		goto out;
	}
	if ((rc = dvsctl_db_get(ctx, "Host", "name", from, &src)) ||
	    (rc = dvsctl_db_get(ctx, "Host", "name", o[0].value, &dst)))
		goto out;
	if (!src || !dst) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "host \"%s\" is not registered (see dvsctl host list)",
				 !src ? from : o[0].value);
		goto out;
	}
	json_t *opts = json_object();
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)tmo * 1000);
	json_object_set_new(opts, "timeout_ms", json_string(buf));
	if (o[1].value)
		json_object_set_new(opts, "vhost_socket", json_string(o[1].value));
	json_t *row = json_pack("{s:o, s:o, s:o, s:s, s:o, s:o}",
		"port", dvs_wire_uuid(dvsctl_db_uuid(port, "_uuid")),
		"source_host", dvs_wire_uuid(dvsctl_db_uuid(src, "_uuid")),
		"dest_host", dvs_wire_uuid(dvsctl_db_uuid(dst, "_uuid")), "state", "prepare",
		"timestamps", dvsctl_db_wire_map(json_pack("{s:I}", "prepare", (json_int_t)now_ms())),
		"options", dvsctl_db_wire_map(opts));
	txn = dvs_txn_create(DVSCTL_DB_NAME);
	dvs_txn_insert(txn, "Migration", row, NULL);
	dvs_txn_durable(txn);
	if ((rc = run_txn(ctx, txn, "migrate")))
		goto out;
	/* The uuid of the new row, for --wait. */
	json_decref(rows);
	rows = NULL;
	if ((rc = port_migrations(ctx, dvsctl_db_uuid(port, "_uuid"), &rows)))
		goto out;
	act = active_of(rows);
	if (ctx->format != DVSCTL_FMT_JSON)
		printf("migrating %s from %s to %s\n", key, from, o[0].value);
	if (ctx->wait && act)
		rc = follow(ctx, dvsctl_db_uuid(act, "_uuid"));
out:
	dvs_txn_destroy(txn);
	json_decref(port);
	json_decref(src);
	json_decref(dst);
	json_decref(rows);
	return rc;
}

static int
cmd_migration_list(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct out_col cols[] = {
		{"PORT", false}, {"FROM", false}, {"TO", false}, {"STATE", false},
		{"ACTIVATED_BY", false}, {"BLACKOUT_MS", true}, {"LOST", true}, {"ERROR", false},
	};
	json_t *rows = NULL, *hosts = NULL, *ports = NULL, *list = json_array(), *r;
	struct out_table *t = NULL;
	size_t i;
	int rc;

	if ((rc = dvsctl_no_args(ctx, argc, argv)) ||
	    (rc = dvsctl_db_select(ctx, "Migration", NULL, &rows)) ||
	    (rc = dvsctl_db_select(ctx, "Host", NULL, &hosts)) ||
	    (rc = dvsctl_db_select(ctx, "Port", NULL, &ports)))
		goto out;
	json_array_foreach(rows, i, r) {
		json_t *m = dvsctl_db_plain(r);
		static const char *const refs[][2] = {{"port", "key"}, {"source_host", "name"}, {"dest_host", "name"}};
		for (size_t k = 0; k < 3; k++) {
			const char *u = dvsctl_db_uuid(r, refs[k][0]);
			const json_t *tbl = k == 0 ? ports : hosts, *x;
			size_t j;
			json_array_foreach(tbl, j, x)
				if (u && !strcmp(u, dvsctl_db_uuid(x, "_uuid")))
					json_object_set_new(m, refs[k][0], json_string(dvsctl_db_str(x, refs[k][1]) ?: "?"));
		}
		json_object_del(m, "port_state");
		json_array_append_new(list, m);
	}
	if (dvsctl_maybe_json(ctx, list))
		goto out;
	t = out_table_create(cols, OUT_N(cols));
	json_array_foreach(list, i, r) {
		json_t *bl = json_object_get(r, "blackout_us");
		out_table_row(t);
		out_table_cell(t, "%s", out_str(r, "port"));
		out_table_cell(t, "%s", out_str(r, "source_host"));
		out_table_cell(t, "%s", out_str(r, "dest_host"));
		out_table_cell(t, "%s", out_str(r, "state"));
		out_table_cell(t, "%s", out_str(r, "activated_by"));
		if (json_is_integer(bl))
			out_table_cell(t, "%.3f", json_integer_value(bl) / 1000.0);
		else
			out_table_cell(t, "-");
		out_table_cell(t, "%lld", (long long)json_integer_value(json_object_get(r, "frames_lost")));
		out_table_cell(t, "%s", out_str(r, "error"));
	}
	out_table_print(t, stdout);
out:
	out_table_destroy(t);
	json_decref(rows);
	json_decref(hosts);
	json_decref(ports);
	json_decref(list);
	return rc;
}

const struct dvsctl_cmd dvsctl_migrate_cmds[] = {
	{{"migrate", NULL}, cmd_migrate, "PORT --to HOST [--vhost-socket PATH] [--migration-timeout S] | PORT --activate",
	 "live-migrate a port to another host (with --wait: follow it to the end)",
	 "  --to HOST              the destination host (registered)\n"
	 "  --vhost-socket PATH    the destination QEMU's vhost-user socket, when its path differs\n"
	 "  --migration-timeout S  the source rolls back if the destination has not activated\n"
	 "                         within S seconds (1..3600, default 30)\n"
	 "  --activate             activate the destination now, without waiting for the guest\n"
	 "With --wait, prints each state (prepare, transfer, activating, redirect, complete) and\n"
	 "exits 0 when complete, 1 when rolled back, failed or still running at --timeout.\n",
	 DVSCTL_CMD_CHANGES},
	{{"migration", "list", NULL}, cmd_migration_list, NULL,
	 "migrations: hosts, state, activation, blackout and frames lost", NULL, 0},
	{{NULL}, NULL, NULL, NULL, NULL, 0},
};
