/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl host list|show, the runtime views of one host's switchd (host H fdb|stats|drops|
 * ports|lcores: Host.ctl_address, then the very handlers of cmd_switchd.c / cmd_port.c), and
 * site add|set|del|list.  Hosts are written by their switchd; sites are intent. */

#include "dvsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "output.h"
#include "ovsdb-lite/client/wire.h"

static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Host rows as plain JSON: site by name, cluster generation, heartbeat age, port count. */
static int
host_load(struct dvsctl_ctx *ctx, json_t *where, json_t **list)
{
	json_t *rows = NULL, *sites = NULL, *ports = NULL, *global = NULL, *row, *r;
	json_int_t gen;
	size_t i, j;
	int rc;

	*list = json_array();
	if ((rc = dvsctl_db_select(ctx, "Host", where, &rows)) ||
	    (rc = dvsctl_db_select(ctx, "Site", NULL, &sites)) ||
	    (rc = dvsctl_db_select(ctx, "Port", NULL, &ports)) ||
	    (rc = dvsctl_db_select(ctx, "Global", NULL, &global)))
		goto out;
	gen = dvsctl_db_int(json_array_get(global, 0), "generation", 0);
	json_array_foreach(rows, i, row) {
		json_t *h = dvsctl_db_plain(row), *keys = json_array();
		const char *site = dvsctl_db_uuid(row, "site"), *name = dvsctl_db_str(row, "name");
		json_int_t hb = dvsctl_db_int(row, "last_heartbeat", 0);

		json_object_set_new(h, "site", json_null());
		json_array_foreach(sites, j, r)
			if (site && !strcmp(site, dvsctl_db_uuid(r, "_uuid") ?: ""))
				json_object_set_new(h, "site", json_string(dvsctl_db_str(r, "name") ?: "?"));
		json_array_foreach(ports, j, r)
			if (name && !strcmp(dvsctl_db_str(r, "requested_host") ?: "", name))
				json_array_append_new(keys, json_string(dvsctl_db_str(r, "key") ?: "?"));
		out_sort_strings(keys);
		json_object_set_new(h, "ports", keys);
		json_object_set_new(h, "cluster_generation", json_integer(gen));
		json_object_set_new(h, "heartbeat_age_ms", hb ? json_integer(wall_ms() - hb) : json_null());
		if (!json_is_string(json_object_get(h, "status")))
			json_object_set_new(h, "status", json_string("unknown"));
		json_array_append_new(*list, h);
	}
	out_sort_by(*list, "name");
out:
	json_decref(rows);
	json_decref(sites);
	json_decref(ports);
	json_decref(global);
	return rc;
}

static const char *
age_text(const json_t *h, char *buf, size_t size)
{
	const json_t *v = json_object_get(h, "heartbeat_age_ms");

	if (!json_is_integer(v))
		snprintf(buf, size, "never");
	else
		snprintf(buf, size, "%.1fs ago", json_integer_value(v) / 1000.0);
	return buf;
}

static int
cmd_host_list(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct out_col cols[] = {
		{"NAME", false},    {"SITE", false},  {"STATUS", false}, {"VTEP", false},
		{"APPLIED", false}, {"PORTS", true},  {"HEARTBEAT", false}, {"VERSION", false},
	};
	struct out_table *t = NULL;
	json_t *list = NULL, *h;
	char age[32];
	size_t i;
	int rc;

	if ((rc = dvsctl_no_args(ctx, argc, argv)) || (rc = host_load(ctx, NULL, &list)))
		goto out;
	if (dvsctl_maybe_json(ctx, list))
		goto out;
	t = out_table_create(cols, OUT_N(cols));
	json_array_foreach(list, i, h) {
		out_table_row(t);
		out_table_cell(t, "%s", out_str(h, "name"));
		out_table_cell(t, "%s", out_str(h, "site"));
		out_table_cell(t, "%s", out_str(h, "status"));
		out_table_cell(t, "%s", out_str(h, "vtep_ip"));
		out_table_cell(t, "%s/%s", out_uint(h, "applied_generation"),
			       out_uint(h, "cluster_generation"));
		out_table_cell(t, "%zu", json_array_size(json_object_get(h, "ports")));
		out_table_cell(t, "%s", age_text(h, age, sizeof(age)));
		out_table_cell(t, "%s", out_str(h, "datapath_version"));
	}
	out_table_print(t, stdout);
out:
	out_table_destroy(t);
	json_decref(list);
	return rc;
}

static int
cmd_host_show(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const char *const keys[] = {"name", "site", "status", "vtep_ip", "ctl_address",
					   "datapath_version"};
	struct dvsctl_opt opts[] = {{NULL, false, NULL}};
	json_t *list = NULL, *h, *k;
	const char *name;
	char buf[2048];
	size_t n = 0, i;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, &name, 1, 1, "NAME (a host)")) ||
	    (rc = dvsctl_check_name(ctx, "NAME", name)) ||
	    (rc = host_load(ctx, dvs_where_eq("name", json_string(name)), &list)))
		goto out;
	h = json_array_get(list, 0);
	if (!h) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no host \"%s\" (see dvsctl host list)", name);
		goto out;
	}
	if (dvsctl_maybe_json(ctx, h))
		goto out;
	for (i = 0; i < OUT_N(keys); i++)
		printf("%-20s %s\n", keys[i], out_str(h, keys[i]));
	printf("%-20s %s of cluster %s\n", "applied_generation", out_uint(h, "applied_generation"),
	       out_uint(h, "cluster_generation"));
	printf("%-20s %s\n", "last_heartbeat", age_text(h, buf, sizeof(buf)));
	buf[0] = '\0';
	json_array_foreach(json_object_get(h, "ports"), i, k)
		if (n < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "",
					      json_string_value(k));
	printf("%-20s %s\n", "ports", n ? buf : "-");
out:
	json_decref(list);
	return rc;
}

/* ---- runtime views through the host's control socket ---- */

static const struct {
	const char *view;
	const struct dvsctl_cmd *table;
	const char *w0, *w1;
} host_views[] = {
	{"fdb", dvsctl_switchd_cmds, "fdb", "show"},
	{"stats", dvsctl_switchd_cmds, "stats", NULL},
	{"drops", dvsctl_switchd_cmds, "drops", NULL},
	{"lcores", dvsctl_switchd_cmds, "lcores", NULL},
	{"acl", dvsctl_switchd_cmds, "acl", "stats"},
	{"ports", dvsctl_port_cmds, "port", "list"},
};

static int
cmd_host_view(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	const struct dvsctl_cmd *cmd = NULL;
	json_t *row = NULL;
	const char *addr;
	char name[160];
	int rc;

	if (argc < 2)
		return dvsctl_usage(ctx, "expected \"host list\", \"host show NAME\" or \"host NAME VIEW\" "
				    "(VIEW one of fdb, stats, drops, lcores, ports)");
	for (size_t i = 0; i < OUT_N(host_views); i++)
		if (!strcmp(argv[1], host_views[i].view))
			cmd = dvsctl_cmd_lookup(host_views[i].table, host_views[i].w0, host_views[i].w1);
	if (!cmd)
		return dvsctl_usage(ctx, "\"%s\": unknown view of host %s (one of fdb, stats, drops, lcores, ports)",
				    argv[1], argv[0]);
	/* Messages name the host and view: "dvsctl: host hv1 stats: ...". */
	snprintf(name, sizeof(name), "host %s %s", argv[0], argv[1]);
	ctx->cmd_name = name;
	if ((rc = dvsctl_check_name(ctx, "HOST", argv[0])) ||
	    (rc = dvsctl_db_get(ctx, "Host", "name", argv[0], &row)))
		goto out;
	if (!row) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no host \"%s\" (see dvsctl host list)", argv[0]);
		goto out;
	}
	addr = dvsctl_db_str(row, "ctl_address");
	if (!addr) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED,
				 "host \"%s\" has no ctl_address (its switchd did not publish a control socket)",
				 argv[0]);
		goto out;
	}
	/* The same handler as "dvsctl --switchd ADDR VIEW". */
	ctx->switchd = addr;
	rc = cmd->handler(ctx, argc - 2, argv + 2);
out:
	json_decref(row);
	return rc;
}

/* ---- sites ---- */

struct site_change {
	const char *name;
	const char *uuid; /* set, del */
	json_t *row;
};

static int
site_build(struct dvsctl_ctx *ctx, struct dvs_txn *txn, json_int_t gen, void *arg)
{
	struct site_change *c = arg;

	/* Site has no generation column: the Global bump alone tells the hosts. */
	if (!c->uuid)
		dvs_txn_insert(txn, "Site", json_incref(c->row), NULL);
	else if (c->row)
		dvs_txn_update(txn, "Site", dvs_where_uuid(c->uuid), json_incref(c->row));
	else
		dvs_txn_delete(txn, "Site", dvs_where_uuid(c->uuid));
	return DVSCTL_OK;
}

static int
site_explain(struct dvsctl_ctx *ctx, const char *error, const char *details, void *arg)
{
	const struct site_change *c = arg;

	if (!strcmp(error, "constraint violation") && strstr(details, "\"Site\" table"))
		return dvsctl_fail(ctx, DVSCTL_FAILED, "site \"%s\" already exists (use site set)", c->name);
	return -1;
}

static int
site_opts_row(struct dvsctl_ctx *ctx, const struct dvsctl_opt *o, json_t *row)
{
	uint64_t v;
	int rc;

	if (o[0].value) {
		if ((rc = dvsctl_parse_uint(ctx, "--wan-mtu", o[0].value, 576, 65535, &v)))
			return rc;
		json_object_set_new(row, "wan_mtu", json_integer((json_int_t)v));
	}
	if (o[1].value) {
		if ((rc = dvsctl_parse_uint(ctx, "--latency-ms", o[1].value, 0, 60000, &v)))
			return rc;
		json_object_set_new(row, "latency_ms", json_integer((json_int_t)v));
	}
	return 0;
}

static int
site_add_set(struct dvsctl_ctx *ctx, int argc, char **argv, bool add)
{
	struct dvsctl_opt o[] = {{"wan-mtu", true, NULL}, {"latency-ms", true, NULL}, {NULL, false, NULL}};
	struct dvsctl_intent in = {.build = site_build, .explain = site_explain};
	struct site_change c = {.row = json_object()};
	json_t *cur = NULL;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, o, &c.name, 1, 1, "NAME (a site)")) ||
	    (rc = dvsctl_check_name(ctx, "NAME", c.name)) ||
	    (rc = site_opts_row(ctx, o, c.row)))
		goto out;
	if (!add && !json_object_size(c.row)) {
		rc = dvsctl_usage(ctx, "nothing to change (give --wan-mtu N and/or --latency-ms N)");
		goto out;
	}
	if ((rc = dvsctl_db_get(ctx, "Site", "name", c.name, &cur)))
		goto out;
	if (add && cur) {
		rc = site_explain(ctx, "constraint violation", "\"Site\" table", &c);
		goto out;
	}
	if (!add && !cur) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no site \"%s\" (see dvsctl site list)", c.name);
		goto out;
	}
	if (add)
		json_object_set_new(c.row, "name", json_string(c.name));
	else
		c.uuid = dvsctl_db_uuid(cur, "_uuid");
	in.arg = &c;
	rc = dvsctl_db_commit(ctx, &in); /* hosts NULL: every up host applies it */
out:
	json_decref(in.result);
	json_decref(cur);
	json_decref(c.row);
	return rc;
}

static int
cmd_site_add(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	return site_add_set(ctx, argc, argv, true);
}

static int
cmd_site_set(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	return site_add_set(ctx, argc, argv, false);
}

static int
cmd_site_del(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt opts[] = {{"if-exists", false, NULL}, {NULL, false, NULL}};
	struct dvsctl_intent in = {.build = site_build};
	struct site_change c = {0};
	json_t *cur = NULL;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, &c.name, 1, 1, "NAME (the site to delete)")) ||
	    (rc = dvsctl_check_name(ctx, "NAME", c.name)) ||
	    (rc = dvsctl_db_get(ctx, "Site", "name", c.name, &cur)))
		goto out;
	if (!cur) {
		if (!opts[0].value)
			rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no site \"%s\" (see dvsctl site list)", c.name);
		goto out;
	}
	c.uuid = dvsctl_db_uuid(cur, "_uuid");
	in.arg = &c;
	rc = dvsctl_db_commit(ctx, &in);
out:
	json_decref(in.result);
	json_decref(cur);
	return rc;
}

static int
cmd_site_list(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct out_col cols[] = {
		{"NAME", false}, {"WAN_MTU", true}, {"LATENCY_MS", true}, {"HOSTS", true},
	};
	json_t *rows = NULL, *hosts = NULL, *list = json_array(), *row, *h;
	struct out_table *t = NULL;
	size_t i, j;
	int rc;

	if ((rc = dvsctl_no_args(ctx, argc, argv)) ||
	    (rc = dvsctl_db_select(ctx, "Site", NULL, &rows)) ||
	    (rc = dvsctl_db_select(ctx, "Host", NULL, &hosts)))
		goto out;
	json_array_foreach(rows, i, row) {
		json_t *s = dvsctl_db_plain(row), *names = json_array();

		json_array_foreach(hosts, j, h)
			if (!strcmp(dvsctl_db_uuid(h, "site") ?: "", dvsctl_db_uuid(row, "_uuid") ?: "-"))
				json_array_append_new(names, json_string(dvsctl_db_str(h, "name") ?: "?"));
		out_sort_strings(names);
		json_object_set_new(s, "hosts", names);
		json_array_append_new(list, s);
	}
	out_sort_by(list, "name");
	if (dvsctl_maybe_json(ctx, list))
		goto out;
	t = out_table_create(cols, OUT_N(cols));
	json_array_foreach(list, i, row) {
		out_table_row(t);
		out_table_cell(t, "%s", out_str(row, "name"));
		out_table_cell(t, "%s", out_uint(row, "wan_mtu"));
		out_table_cell(t, "%s", out_uint(row, "latency_ms"));
		out_table_cell(t, "%zu", json_array_size(json_object_get(row, "hosts")));
	}
	out_table_print(t, stdout);
out:
	out_table_destroy(t);
	json_decref(rows);
	json_decref(hosts);
	json_decref(list);
	return rc;
}

const struct dvsctl_cmd dvsctl_host_cmds[] = {
	{{"host", "list", NULL}, cmd_host_list, NULL,
	 "list hosts: site, status, VTEP, applied/cluster generation",
	 "Columns: NAME SITE STATUS VTEP APPLIED PORTS HEARTBEAT VERSION.  APPLIED is the\n"
	 "generation the host applied / the cluster's generation.\n", 0},
	{{"host", "show", NULL}, cmd_host_show, "NAME", "show a host and the ports it should run", NULL, 0},
	{{"host", NULL}, cmd_host_view, "HOST fdb|stats|drops|lcores|ports|acl [ARGS]",
	 "runtime views of a host's switchd (through its ctl_address)",
	 "  HOST fdb [--segment N]   its MAC table\n"
	 "  HOST stats [PORT]        per-port counters\n"
	 "  HOST drops [--nonzero]   drop counters by reason\n"
	 "  HOST lcores              poll lcores\n"
	 "  HOST ports               the ports its switch runs now\n"
	 "The address is the Host row's ctl_address, written by the host's switchd.\n", 0},
	{{"site", "list", NULL}, cmd_site_list, NULL, "list sites with their WAN hints and hosts", NULL, 0},
	{{"site", "add", NULL}, cmd_site_add, "NAME [--wan-mtu 576..65535] [--latency-ms 0..60000]",
	 "create a site (a data centre)",
	 "  --wan-mtu N      MTU of the underlay path leaving the site\n"
	 "  --latency-ms N   expected one-way latency to other sites\n", DVSCTL_CMD_CHANGES},
	{{"site", "set", NULL}, cmd_site_set, "NAME [--wan-mtu N] [--latency-ms N]", "change a site",
	 NULL, DVSCTL_CMD_CHANGES},
	{{"site", "del", NULL}, cmd_site_del, "NAME [--if-exists]", "delete a site (its hosts keep running)",
	 NULL, DVSCTL_CMD_CHANGES},
	{{NULL}, NULL, NULL, NULL, NULL, 0},
};
