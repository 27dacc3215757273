/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl runtime views and actions on one host's dvs-switchd, over its control socket
 * (docs/design/control-socket.md): stats, drops, fdb, lcores, reload, version.  With the
 * cluster they stay host-local ("dvsctl host H stats" will reach them through the DB). */

#include "dvsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* Calls a method returning an array of rows and prints it as a table of 'cols', each cell the
 * member named by cols[].key.  'filter' may skip rows. */
struct view_col {
	struct out_col col;
	const char *key;
};

static int
print_view(struct dvsctl_ctx *ctx, const json_t *rows, const struct view_col *vc, unsigned n,
	   bool (*filter)(const json_t *row))
{
	struct out_col cols[16];
	struct out_table *t;
	size_t i;
	json_t *row;

	if (dvsctl_maybe_json(ctx, rows))
		return DVSCTL_OK;
	for (unsigned c = 0; c < n && c < OUT_N(cols); c++)
		cols[c] = vc[c].col;
	t = out_table_create(cols, n);
	if (!t)
		return dvsctl_fail(ctx, DVSCTL_FAILED, "out of memory");
	json_array_foreach(rows, i, row) {
		if (filter && !filter(row))
			continue;
		out_table_row(t);
		for (unsigned c = 0; c < n; c++) {
			const json_t *v = json_object_get(row, vc[c].key);

			if (json_is_array(v)) {
				/* lists of names: "a, b" */
				char buf[1024];
				size_t len = 0, j;
				json_t *e;

				buf[0] = '\0';
				json_array_foreach(v, j, e)
					if (len < sizeof(buf))
						len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
									len ? "," : "",
									json_is_string(e) ? json_string_value(e) : "?");
				out_table_cell(t, "%s", len ? buf : "-");
			} else if (vc[c].col.right) {
				out_table_cell(t, "%s", out_uint(row, vc[c].key));
			} else {
				out_table_cell(t, "%s", out_str(row, vc[c].key));
			}
		}
	}
	out_table_print(t, stdout);
	out_table_destroy(t);
	return DVSCTL_OK;
}

static int
cmd_stats(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct view_col cols[] = {
		{{"PORT", false}, "name"},           {{"RX_PACKETS", true}, "rx_packets"},
		{{"RX_BYTES", true}, "rx_bytes"},    {{"TX_PACKETS", true}, "tx_packets"},
		{{"TX_BYTES", true}, "tx_bytes"},    {{"RX_DROPPED", true}, "rx_dropped"},
		{{"TX_DROPPED", true}, "tx_dropped"},
	};
	struct dvsctl_opt opts[] = {{NULL, false, NULL}};
	json_t *res = NULL;
	const char *port;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, &port, 0, 1, "[PORT]")) ||
	    (port && (rc = dvsctl_check_port_name(ctx, "PORT", port))) ||
	    (rc = dvsctl_switchd_call(ctx, "ports.stats",
				      port ? json_pack("{s:s}", "name", port) : NULL, &res)))
		goto out;
	out_sort_by(res, "name");
	rc = print_view(ctx, res, cols, OUT_N(cols), NULL);
out:
	json_decref(res);
	return rc;
}

static bool
nonzero_count(const json_t *row)
{
	return json_integer_value(json_object_get(row, "count")) != 0;
}

static int
cmd_drops(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct view_col cols[] = {
		{{"REASON", false}, "reason"},
		{{"COUNT", true}, "count"},
		{{"DESCRIPTION", false}, "description"},
	};
	struct dvsctl_opt opts[] = {{"nonzero", false, NULL}, {NULL, false, NULL}};
	json_t *res = NULL;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, NULL, 0, 0, "")) ||
	    (rc = dvsctl_switchd_call(ctx, "drops.show", NULL, &res)))
		goto out;
	if (opts[0].value && ctx->format == DVSCTL_FMT_JSON) {
		/* Scripts get the same filter as people. */
		size_t i = 0;

		while (i < json_array_size(res)) {
			if (nonzero_count(json_array_get(res, i)))
				i++;
			else
				json_array_remove(res, i);
		}
	}
	rc = print_view(ctx, res, cols, OUT_N(cols), opts[0].value ? nonzero_count : NULL);
out:
	json_decref(res);
	return rc;
}

static int
cmd_fdb_show(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct view_col cols[] = {
		{{"SEGMENT", true}, "segment"}, {{"MAC", false}, "mac"},
		{{"PORT", false}, "port"},      {{"TYPE", false}, "type"},
		{{"AGE_S", true}, "age_s"},
	};
	struct dvsctl_opt opts[] = {{"segment", true, NULL}, {NULL, false, NULL}};
	json_t *args = NULL, *res = NULL;
	uint64_t seg;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, NULL, 0, 0, "")))
		goto out;
	if (opts[0].value) {
		/* A VLAN-backed segment today; a VXLAN VNI (24 bits) with the cluster. */
		if ((rc = dvsctl_parse_uint(ctx, "--segment", opts[0].value, 0, 16777215, &seg)))
			goto out;
		args = json_pack("{s:I}", "segment", (json_int_t)seg);
	}
	rc = dvsctl_switchd_call(ctx, "fdb.show", args, &res);
	if (rc)
		goto out;
	out_sort_by(res, "mac");
	rc = print_view(ctx, res, cols, OUT_N(cols), NULL);
out:
	json_decref(res);
	return rc;
}

static int
cmd_fdb_flush(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt opts[] = {{"port", true, NULL}, {NULL, false, NULL}};
	json_t *res = NULL;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, NULL, 0, 0, "")) ||
	    (opts[0].value && (rc = dvsctl_check_port_name(ctx, "--port", opts[0].value))) ||
	    (rc = dvsctl_switchd_call(ctx, "fdb.flush",
				      opts[0].value ? json_pack("{s:s}", "port", opts[0].value) : NULL,
				      &res)))
		goto out;
	if (!dvsctl_maybe_json(ctx, res))
		printf("flushed %s learned entries\n", out_uint(res, "flushed"));
out:
	json_decref(res);
	return rc;
}

static int
cmd_lcores(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct view_col cols[] = {
		{{"LCORE", true}, "lcore"},
		{{"RX_PACKETS", true}, "rx_packets"},
		{{"BUSY_CYCLES", true}, "busy_cycles"},
		{{"CYCLES/PKT", true}, "cycles_per_packet"},
		{{"PORTS", false}, "ports"},
	};
	json_t *res = NULL, *row;
	size_t i;
	int rc;

	if ((rc = dvsctl_no_args(ctx, argc, argv)) ||
	    (rc = dvsctl_switchd_call(ctx, "lcores.show", NULL, &res)))
		goto out;
	/* The switch may name the polled queues "rx_queues" ("port/queue") instead of "ports". */
	json_array_foreach(res, i, row) {
		if (!json_object_get(row, "ports") && json_object_get(row, "rx_queues") &&
		    ctx->format == DVSCTL_FMT_TABLE)
			json_object_set(row, "ports", json_object_get(row, "rx_queues"));
	}
	rc = print_view(ctx, res, cols, OUT_N(cols), NULL);
out:
	json_decref(res);
	return rc;
}

static int
cmd_reload(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	json_t *res = NULL;
	int rc;

	if ((rc = dvsctl_no_args(ctx, argc, argv)) ||
	    (rc = dvsctl_switchd_call(ctx, "reload", NULL, &res)))
		goto out;
	if (!dvsctl_maybe_json(ctx, res) && json_object_get(res, "generation"))
		printf("configuration reloaded (generation %s)\n", out_uint(res, "generation"));
out:
	json_decref(res);
	return rc;
}

static int
cmd_version(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	json_t *res = NULL;
	int rc;

	if ((rc = dvsctl_no_args(ctx, argc, argv)))
		return rc;
	if (ctx->format == DVSCTL_FMT_TABLE)
		printf("dvsctl %s\n", DVS_VERSION);
	rc = dvsctl_switchd_call(ctx, "version", NULL, &res);
	if (ctx->format == DVSCTL_FMT_JSON) {
		json_t *j = json_pack("{s:s, s:O?}", "dvsctl", DVS_VERSION, "switchd",
				      rc ? NULL : json_object_get(res, "version"));

		out_json(j, stdout);
		json_decref(j);
	} else if (rc == DVSCTL_OK) {
		printf("dvs-switchd %s (%s)\n", out_str(res, "version"), ctx->switchd);
	}
	json_decref(res);
	return rc;
}

static int
cmd_acl_stats(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct view_col cols[] = {
		{{"PORT", false}, "port"},
		{{"ID", false}, "id"},
		{{"PRIORITY", true}, "priority"},
		{{"DIRECTION", false}, "direction"},
		{{"ACTION", false}, "action"},
		{{"HITS", true}, "hits"},
		/* IPv4 verdicts from the lcores' caches (default rows only: per port and direction) */
		{{"CACHE_HITS", true}, "cache_hits"},
		{{"CACHE_MISSES", true}, "cache_misses"},
	};
	const char *port = NULL;
	json_t *res = NULL;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, (struct dvsctl_opt[]){{NULL, false, NULL}},
				    &port, 0, 1, "[PORT]")) ||
	    (rc = dvsctl_switchd_call(ctx, "acl.stats",
				      port ? json_pack("{s:s}", "port", port) : NULL, &res)))
		goto out;
	rc = print_view(ctx, res, cols, OUT_N(cols), NULL);
out:
	json_decref(res);
	return rc;
}

const struct dvsctl_cmd dvsctl_switchd_cmds[] = {
	{{"acl", "stats", NULL}, cmd_acl_stats, "[PORT]",
	 "per-rule ACL hit counters of the switch's ports (rule ids are the DB rules' order)", NULL, 0},
	{{"stats", NULL}, cmd_stats, "[PORT]", "per-port packet, byte and drop counters",
	 "Counters since the port was added.  With PORT, that port only.\n"},
	{{"drops", NULL}, cmd_drops, "[--nonzero]", "the switch's drop counters, one per reason",
	 "Every frame the switch drops is counted under a named reason.  --nonzero hides the zeros.\n"},
	{{"fdb", "show", NULL}, cmd_fdb_show, "[--segment N]", "learned and static MAC entries",
	 "  --segment N   only segment N (a VLAN id today, 0..16777215 for VNIs)\n"},
	{{"fdb", "flush", NULL}, cmd_fdb_flush, "[--port P]", "forget learned MACs (all, or behind one port)",
	 "Static entries (ports with --mac) stay.\n"},
	{{"lcores", NULL}, cmd_lcores, NULL, "poll lcores: packets, busy cycles, cycles per packet, queues", NULL},
	{{"reload", NULL}, cmd_reload, NULL, "re-read the switch's config file (refused if invalid)", NULL},
	{{"version", NULL}, cmd_version, NULL, "dvsctl's and the switch's versions", NULL},
	{{NULL}, NULL, NULL, NULL, NULL},
};
