/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl port add|set|del|list|show KEY: the Port rows (dvPorts) in dvs-db: group, host,
 * MAC and IPs, backing, per-port overrides.  The standalone switch's own "port" commands
 * (cmd_port.c) take over when --switchd selects a switch (dvsctl.c).  Overrides use
 * field.c, so `--override mtu=9000` is checked exactly like `portgroup set --mtu 9000`. */

#include "dvsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "field.h"
#include "output.h"
#include "ovsdb-lite/client/wire.h"

enum {
	P_GROUP, P_HOST, P_MAC, P_IP, P_VHOST, P_VHOST_MODE, P_QUEUES, P_TAP, P_NETNS, P_KERNEL,
	P_OVERRIDE, P_UNSET, P_NO_HOST, P_NO_MAC, P_NO_IPS, P_N
};

/* The set-only options come last: "port add" ends its table at P_UNSET. */
#define PORT_OPTS                                                                              \
	{                                                                                      \
		[P_GROUP] = {"group", true}, [P_HOST] = {"host", true}, [P_MAC] = {"mac", true}, \
		[P_IP] = {"ip", true, NULL, true}, [P_VHOST] = {"vhost-user", true},            \
		[P_VHOST_MODE] = {"vhost-mode", true}, [P_QUEUES] = {"queues", true},            \
		[P_TAP] = {"tap", true}, [P_NETNS] = {"netns", true}, [P_KERNEL] = {"kernel", true}, \
		[P_OVERRIDE] = {"override", true, NULL, true},                                   \
		[P_UNSET] = {"unset-override", true, NULL, true}, [P_NO_HOST] = {"no-host"},      \
		[P_NO_MAC] = {"no-mac"}, [P_NO_IPS] = {"no-ips"}, {NULL}                         \
	}

/* What add/set/del hand to the transaction builder. */
struct port_change {
	const char *key;
	const char *uuid;   /* set, del */
	json_t *row;        /* columns to write (wire values) */
	json_t *ovr_del;    /* set: override keys to remove first (array) */
	json_t *ovr_add;    /* override pairs to insert (object) */
	const char *group;  /* for messages */
};

static int
check_ifname(struct dvsctl_ctx *ctx, const char *what, const char *s)
{
	if (strlen(s) > 15 || strchr(s, '/') || strpbrk(s, " \t:"))
		return dvsctl_usage(ctx, "%s \"%s\": not an interface name (1..15 characters, no '/', ':' or blanks)",
				    what, s);
	return 0;
}

/* Backing options into 'row'.  'cur_backing': the port's backing today (set), or NULL. */
static int
port_backing(struct dvsctl_ctx *ctx, const struct dvsctl_opt *o, bool add, json_t *row)
{
	const char *vhost = o[P_VHOST].value, *tap = o[P_TAP].value, *kernel = o[P_KERNEL].value;
	json_t *none = dvs_wire_set(json_array());
	uint64_t q;
	int n = !!vhost + !!tap + !!kernel, rc = 0;

	if (n > 1) {
		rc = dvsctl_usage(ctx, "--vhost-user, --tap and --kernel exclude each other (one backing per port)");
		goto out;
	}
	if (add && n == 0) {
		rc = dvsctl_usage(ctx, "missing backing: give --vhost-user PATH, --tap NAME or --kernel IFNAME");
		goto out;
	}
	if ((o[P_VHOST_MODE].value || o[P_QUEUES].value) && !vhost) {
		rc = dvsctl_usage(ctx, "--%s: only with --vhost-user PATH",
				  o[P_VHOST_MODE].value ? "vhost-mode" : "queues");
		goto out;
	}
	if (o[P_NETNS].value && !tap) {
		rc = dvsctl_usage(ctx, "--netns: only with --tap NAME");
		goto out;
	}
	if (n == 0)
		goto out;
	/* A new backing replaces the old one entirely. */
	json_object_set(row, "vhost_socket", none);
	json_object_set(row, "vhost_mode", none);
	json_object_set(row, "vhost_queues", none);
	json_object_set(row, "tap_name", none);
	json_object_set(row, "netns", none);
	json_object_set(row, "kernel_ifname", none);
	if (vhost) {
		if (vhost[0] != '/' || strlen(vhost) >= 108) {
			rc = dvsctl_usage(ctx, "--vhost-user \"%s\": must be an absolute socket path under 108 bytes",
					  vhost);
			goto out;
		}
		json_object_set_new(row, "backing", json_string("vhost-user"));
		json_object_set_new(row, "vhost_socket", json_string(vhost));
		if (o[P_VHOST_MODE].value) {
			if (strcmp(o[P_VHOST_MODE].value, "server") && strcmp(o[P_VHOST_MODE].value, "client")) {
				rc = dvsctl_usage(ctx, "--vhost-mode \"%s\": must be server or client",
						  o[P_VHOST_MODE].value);
				goto out;
			}
			json_object_set_new(row, "vhost_mode", json_string(o[P_VHOST_MODE].value));
		}
		if (o[P_QUEUES].value) {
			if ((rc = dvsctl_parse_uint(ctx, "--queues", o[P_QUEUES].value, 1, 128, &q)))
				goto out;
			json_object_set_new(row, "vhost_queues", json_integer((json_int_t)q));
		}
	} else if (tap) {
		if ((rc = check_ifname(ctx, "--tap", tap)))
			goto out;
		json_object_set_new(row, "backing", json_string("tap"));
		json_object_set_new(row, "tap_name", json_string(tap));
		if (o[P_NETNS].value) {
			if (strlen(o[P_NETNS].value) >= 64 || strchr(o[P_NETNS].value, '/')) {
				rc = dvsctl_usage(ctx, "--netns \"%s\": not a network namespace name (as in 'ip netns', under 64 characters)",
						  o[P_NETNS].value);
				goto out;
			}
			json_object_set_new(row, "netns", json_string(o[P_NETNS].value));
		}
	} else {
		if ((rc = check_ifname(ctx, "--kernel", kernel)))
			goto out;
		json_object_set_new(row, "backing", json_string("kernel"));
		json_object_set_new(row, "kernel_ifname", json_string(kernel));
	}
out:
	json_decref(none);
	return rc;
}

/* --override KEY=VALUE and --unset-override KEY into c->ovr_add / c->ovr_del. */
static int
port_overrides(struct dvsctl_ctx *ctx, const struct dvsctl_opt *o, struct port_change *c)
{
	char canon[8192], what[96];
	int rc;

	c->ovr_add = json_object();
	c->ovr_del = json_array();
	for (unsigned i = 0; i < o[P_OVERRIDE].n; i++) {
		const char *kv = o[P_OVERRIDE].vals[i], *eq = strchr(kv, '=');
		const struct field *f;
		char key[64];
		json_t *v;

		if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key))
			return dvsctl_usage(ctx, "--override \"%s\": expected KEY=VALUE (KEY one of %s)", kv,
					    field_columns());
		snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
		f = field_by_column(key);
		if (!f)
			return dvsctl_usage(ctx, "--override \"%s\": unknown key \"%s\" (one of %s)", kv, key,
					    field_columns());
		if (json_object_get(c->ovr_add, key))
			return dvsctl_usage(ctx, "--override %s given twice", key);
		snprintf(what, sizeof(what), "--override %s", key);
		if (!eq[1] && f->optional) {
			canon[0] = '\0'; /* "" clears an optional column for this port */
		} else if (!eq[1]) {
			return dvsctl_usage(ctx, "--override %s=: empty value (%s cannot be cleared; use --unset-override %s)",
					    key, key, key);
		} else if ((rc = field_parse(ctx, f, what, eq + 1, &v, canon, sizeof(canon)))) {
			return rc;
		} else {
			json_decref(v);
		}
		json_object_set_new(c->ovr_add, key, json_string(canon));
		json_array_append_new(c->ovr_del, json_string(key));
	}
	for (unsigned i = 0; i < o[P_UNSET].n; i++) {
		const char *key = o[P_UNSET].vals[i];

		if (json_object_get(c->ovr_add, key))
			return dvsctl_usage(ctx, "--override %s and --unset-override %s exclude each other",
					    key, key);
		json_array_append_new(c->ovr_del, json_string(key));
	}
	return 0;
}

/* Options that need no database into c->row (wire values). */
static int
port_fields(struct dvsctl_ctx *ctx, const struct dvsctl_opt *o, bool add, struct port_change *c)
{
	char mac[18], ip[64];
	json_t *ips;
	int rc;

	if (o[P_HOST].value && (rc = dvsctl_check_name(ctx, "--host", o[P_HOST].value)))
		return rc;
	if (o[P_GROUP].value && (rc = dvsctl_check_name(ctx, "--group", o[P_GROUP].value)))
		return rc;
	if (o[P_HOST].value && o[P_NO_HOST].value)
		return dvsctl_usage(ctx, "--host and --no-host exclude each other");
	if (o[P_MAC].value && o[P_NO_MAC].value)
		return dvsctl_usage(ctx, "--mac and --no-mac exclude each other");
	if (o[P_IP].n && o[P_NO_IPS].value)
		return dvsctl_usage(ctx, "--ip and --no-ips exclude each other");
	if (o[P_HOST].value)
		json_object_set_new(c->row, "requested_host", json_string(o[P_HOST].value));
	if (o[P_NO_HOST].value)
		json_object_set_new(c->row, "requested_host", dvs_wire_set(json_array()));
	if (o[P_MAC].value) {
		if ((rc = dvsctl_parse_mac(ctx, "--mac", o[P_MAC].value, mac)))
			return rc;
		json_object_set_new(c->row, "mac", json_string(mac));
	}
	if (o[P_NO_MAC].value)
		json_object_set_new(c->row, "mac", dvs_wire_set(json_array()));
	if (o[P_IP].n || o[P_NO_IPS].value) {
		ips = json_array();
		for (unsigned i = 0; i < o[P_IP].n; i++) {
			if ((rc = dvsctl_parse_ip(ctx, "--ip", o[P_IP].vals[i], ip, sizeof(ip)))) {
				json_decref(ips);
				return rc;
			}
			dvsctl_db_name_add(ips, ip);
		}
		json_object_set_new(c->row, "ips", dvs_wire_set(ips));
	}
	if ((rc = port_backing(ctx, o, add, c->row)))
		return rc;
	return port_overrides(ctx, o, c);
}

/* The port's effective profile must make sense: the would-be row ('base' (borrowed; NULL on
 * add) with the changes and the resulting override map 'ovr') resolved in 'group' by
 * lib/profile.c, as the controller and switchd will.  A port without a group is not
 * resolved: it is valid, just not forwarded. */
static int
port_check_effective(struct dvsctl_ctx *ctx, const struct port_change *c, const json_t *base,
		     const json_t *group, const json_t *ovr)
{
	json_t *row;
	int rc;

	if (!group)
		return 0;
	row = base ? json_deep_copy(base) : json_pack("{s:s}", "key", c->key);
	json_object_update(row, c->row);
	json_object_set_new(row, "overrides", dvs_wire_map(json_deep_copy(ovr)));
	json_object_set_new(row, "port_group", dvs_wire_uuid(dvsctl_db_uuid(group, "_uuid")));
	rc = field_resolve(ctx, group, row);
	json_decref(row);
	return rc;
}

static int
port_build(struct dvsctl_ctx *ctx, struct dvs_txn *txn, json_int_t gen, void *arg)
{
	struct port_change *c = arg;
	json_t *row = json_deep_copy(c->row);

	json_object_set_new(row, "generation", json_integer(gen));
	if (!c->uuid) {
		json_object_set_new(row, "key", json_string(c->key));
		json_object_set_new(row, "overrides", dvs_wire_map(json_incref(c->ovr_add)));
		dvs_txn_insert(txn, "Port", row, NULL);
		return DVSCTL_OK;
	}
	dvs_txn_update(txn, "Port", dvs_where_uuid(c->uuid), row);
	/* Mutations, not a rewrite of the whole map: a concurrent change of another key is kept. */
	if (json_array_size(c->ovr_del))
		dvs_txn_mutate(txn, "Port", dvs_where_uuid(c->uuid),
			       json_pack("[[s s o]]", "overrides", "delete",
					 dvs_wire_set(json_incref(c->ovr_del))));
	if (json_object_size(c->ovr_add))
		dvs_txn_mutate(txn, "Port", dvs_where_uuid(c->uuid),
			       json_pack("[[s s o]]", "overrides", "insert",
					 dvs_wire_map(json_incref(c->ovr_add))));
	return DVSCTL_OK;
}

static int
port_explain(struct dvsctl_ctx *ctx, const char *error, const char *details, void *arg)
{
	struct port_change *c = arg;

	if (!strcmp(error, "constraint violation") && strstr(details, "\"Port\" table"))
		return dvsctl_fail(ctx, DVSCTL_FAILED, "port \"%s\" already exists (use port set)", c->key);
	if (!strcmp(error, "referential integrity violation") && c->group)
		return dvsctl_fail(ctx, DVSCTL_FAILED, "port group \"%s\" was deleted meanwhile", c->group);
	return -1;
}

/* Looks up --group: *row (new), or DVSCTL_FAILED if it does not exist. */
static int
port_group_row(struct dvsctl_ctx *ctx, const char *name, json_t **row)
{
	int rc = dvsctl_db_get(ctx, "PortGroup", "name", name, row);

	if (rc == DVSCTL_OK && !*row)
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "--group \"%s\": no such port group (see dvsctl portgroup list)",
				 name);
	return rc;
}

static void
port_change_fini(struct port_change *c)
{
	json_decref(c->row);
	json_decref(c->ovr_add);
	json_decref(c->ovr_del);
}

static int
cmd_port_add(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt o[] = PORT_OPTS;
	struct dvsctl_intent in = {.build = port_build, .explain = port_explain};
	struct port_change c = {.row = json_object()};
	json_t *existing = NULL, *group = NULL, *hosts = json_array();
	int rc;

	o[P_UNSET] = (struct dvsctl_opt){NULL};
	if ((rc = dvsctl_args_parse(ctx, argc, argv, o, &c.key, 1, 1, "KEY (the new port's key)")) ||
	    (rc = dvsctl_check_name(ctx, "KEY", c.key)) ||
	    (rc = port_fields(ctx, o, true, &c)))
		goto out;
	c.group = o[P_GROUP].value;
	if (c.group && (rc = port_group_row(ctx, c.group, &group)))
		goto out;
	if (group)
		json_object_set_new(c.row, "port_group", dvs_wire_uuid(dvsctl_db_uuid(group, "_uuid")));
	if ((rc = port_check_effective(ctx, &c, NULL, group, c.ovr_add)))
		goto out;
	if ((rc = dvsctl_db_get(ctx, "Port", "key", c.key, &existing)))
		goto out;
	if (existing) {
		rc = port_explain(ctx, "constraint violation", "\"Port\" table", &c);
		goto out;
	}
	dvsctl_db_name_add(hosts, o[P_HOST].value);
	in.arg = &c;
	in.hosts = hosts;
	rc = dvsctl_db_commit(ctx, &in);
out:
	json_decref(in.result);
	json_decref(existing);
	json_decref(group);
	json_decref(hosts);
	port_change_fini(&c);
	return rc;
}

static int
cmd_port_set(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt o[] = PORT_OPTS;
	struct dvsctl_intent in = {.build = port_build, .explain = port_explain};
	struct port_change c = {.row = json_object()};
	json_t *cur = NULL, *group = NULL, *ovr = NULL, *hosts = json_array(), *k;
	const char *group_uuid;
	size_t i;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, o, &c.key, 1, 1, "KEY (the port to change)")) ||
	    (rc = dvsctl_check_name(ctx, "KEY", c.key)) ||
	    (rc = port_fields(ctx, o, false, &c)))
		goto out;
	if (!json_object_size(c.row) && !json_array_size(c.ovr_del) && !o[P_GROUP].value) {
		rc = dvsctl_usage(ctx, "nothing to change (give at least one option; see dvsctl port set --help)");
		goto out;
	}
	if ((rc = dvsctl_db_get(ctx, "Port", "key", c.key, &cur)))
		goto out;
	if (!cur) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no port \"%s\" (see dvsctl port list)", c.key);
		goto out;
	}
	c.uuid = dvsctl_db_uuid(cur, "_uuid");
	c.group = o[P_GROUP].value;
	if (c.group) {
		if ((rc = port_group_row(ctx, c.group, &group)))
			goto out;
		json_object_set_new(c.row, "port_group", dvs_wire_uuid(dvsctl_db_uuid(group, "_uuid")));
	} else if ((group_uuid = dvsctl_db_uuid(cur, "port_group"))) {
		json_t *rows = NULL;

		if ((rc = dvsctl_db_select(ctx, "PortGroup", dvs_where_uuid(group_uuid), &rows)))
			goto out;
		group = json_incref(json_array_get(rows, 0));
		json_decref(rows);
	}
	if ((o[P_VHOST_MODE].value || o[P_QUEUES].value) && !o[P_VHOST].value) {
		rc = dvsctl_usage(ctx, "--vhost-mode and --queues need --vhost-user PATH too");
		goto out;
	}
	/* The overrides the port will have, for the effective-profile check. */
	ovr = dvsctl_db_map(cur, "overrides");
	json_array_foreach(c.ovr_del, i, k)
		json_object_del(ovr, json_string_value(k));
	json_object_update(ovr, c.ovr_add);
	if ((rc = port_check_effective(ctx, &c, cur, group, ovr)))
		goto out;
	dvsctl_db_name_add(hosts, dvsctl_db_str(cur, "requested_host"));
	dvsctl_db_name_add(hosts, o[P_HOST].value);
	in.arg = &c;
	in.hosts = hosts;
	rc = dvsctl_db_commit(ctx, &in);
out:
	json_decref(in.result);
	json_decref(cur);
	json_decref(group);
	json_decref(ovr);
	json_decref(hosts);
	port_change_fini(&c);
	return rc;
}

static int
port_del_build(struct dvsctl_ctx *ctx, struct dvs_txn *txn, json_int_t gen, void *arg)
{
	const struct port_change *c = arg;

	dvs_txn_delete(txn, "Port", dvs_where_uuid(c->uuid));
	return DVSCTL_OK;
}

static int
cmd_port_del(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt opts[] = {{"if-exists", false, NULL}, {NULL, false, NULL}};
	struct dvsctl_intent in = {.build = port_del_build};
	struct port_change c = {0};
	json_t *cur = NULL, *hosts = json_array();
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, &c.key, 1, 1, "KEY (the port to delete)")) ||
	    (rc = dvsctl_check_name(ctx, "KEY", c.key)) ||
	    (rc = dvsctl_db_get(ctx, "Port", "key", c.key, &cur)))
		goto out;
	if (!cur) {
		if (!opts[0].value)
			rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no port \"%s\" (see dvsctl port list)", c.key);
		goto out;
	}
	c.uuid = dvsctl_db_uuid(cur, "_uuid");
	dvsctl_db_name_add(hosts, dvsctl_db_str(cur, "requested_host"));
	in.arg = &c;
	in.hosts = hosts;
	rc = dvsctl_db_commit(ctx, &in);
out:
	json_decref(in.result);
	json_decref(cur);
	json_decref(hosts);
	return rc;
}

/* ---- list and show ---- */

/* A port as plain JSON, its group by name, its state and error pulled out of status. */
static json_t *
port_plain(const json_t *row, const json_t *groups)
{
	json_t *j = dvsctl_db_plain(row), *status = json_object_get(j, "status"), *g;
	const char *gu = dvsctl_db_uuid(row, "port_group");
	size_t i;

	json_object_set_new(j, "port_group", json_null());
	json_array_foreach(groups, i, g)
		if (gu && !strcmp(gu, dvsctl_db_uuid(g, "_uuid") ?: ""))
			json_object_set_new(j, "port_group", json_string(dvsctl_db_str(g, "name") ?: "?"));
	json_object_set(j, "state", json_object_get(status, "state") ?: json_null());
	if (!json_object_get(j, "config_error") && json_object_get(status, "error"))
		json_object_set(j, "config_error", json_object_get(status, "error"));
	return j;
}

static const char *
port_backing_text(const json_t *p, char *buf, size_t size)
{
	const char *b = json_string_value(json_object_get(p, "backing")) ?: "-";

	if (!strcmp(b, "vhost-user"))
		snprintf(buf, size, "vhost-user %s (%s)", out_str(p, "vhost_socket"),
			 json_is_string(json_object_get(p, "vhost_mode")) ? out_str(p, "vhost_mode") : "client");
	else if (!strcmp(b, "tap") && json_is_string(json_object_get(p, "netns")))
		snprintf(buf, size, "tap %s (netns %s)", out_str(p, "tap_name"), out_str(p, "netns"));
	else if (!strcmp(b, "tap"))
		snprintf(buf, size, "tap %s", out_str(p, "tap_name"));
	else if (!strcmp(b, "kernel"))
		snprintf(buf, size, "kernel %s", out_str(p, "kernel_ifname"));
	else
		snprintf(buf, size, "%s", b);
	return buf;
}

static int
port_load(struct dvsctl_ctx *ctx, json_t *where, json_t **list)
{
	json_t *rows = NULL, *groups = NULL, *row;
	size_t i;
	int rc;

	*list = json_array();
	if ((rc = dvsctl_db_select(ctx, "Port", where, &rows)) ||
	    (rc = dvsctl_db_select(ctx, "PortGroup", NULL, &groups)))
		goto out;
	json_array_foreach(rows, i, row)
		json_array_append_new(*list, port_plain(row, groups));
	out_sort_by(*list, "key");
out:
	json_decref(rows);
	json_decref(groups);
	return rc;
}

static int
cmd_port_list(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct out_col cols[] = {
		{"KEY", false},  {"GROUP", false}, {"HOST", false},    {"STATE", false},
		{"MAC", false},  {"GEN", true},    {"BACKING", false}, {"ERROR", false},
	};
	struct dvsctl_opt opts[] = {{"host", true, NULL}, {"group", true, NULL}, {NULL, false, NULL}};
	json_t *list = NULL, *p;
	struct out_table *t = NULL;
	char backing[256];
	size_t i;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, NULL, 0, 0, "")) ||
	    (rc = port_load(ctx, opts[0].value ? dvs_where_eq("requested_host", json_string(opts[0].value))
					       : NULL, &list)))
		goto out;
	if (opts[1].value) {
		for (i = 0; i < json_array_size(list);) {
			if (strcmp(out_str(json_array_get(list, i), "port_group"), opts[1].value))
				json_array_remove(list, i);
			else
				i++;
		}
	}
	if (dvsctl_maybe_json(ctx, list))
		goto out;
	t = out_table_create(cols, OUT_N(cols));
	json_array_foreach(list, i, p) {
		out_table_row(t);
		out_table_cell(t, "%s", out_str(p, "key"));
		out_table_cell(t, "%s", out_str(p, "port_group"));
		out_table_cell(t, "%s", out_str(p, "requested_host"));
		out_table_cell(t, "%s", out_str(p, "state"));
		out_table_cell(t, "%s", out_str(p, "mac"));
		out_table_cell(t, "%s", out_uint(p, "generation"));
		out_table_cell(t, "%s", port_backing_text(p, backing, sizeof(backing)));
		out_table_cell(t, "%s", out_str(p, "config_error"));
	}
	out_table_print(t, stdout);
out:
	out_table_destroy(t);
	json_decref(list);
	return rc;
}

/* "a=1, b=2" of an object, or "-". */
static const char *
kv_text(const json_t *obj, char *buf, size_t size)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	buf[0] = '\0';
	json_object_foreach((json_t *)obj, k, v) {
		if (n >= size)
			break;
		if (json_is_string(v))
			n += (size_t)snprintf(buf + n, size - n, "%s%s=%s", n ? ", " : "", k, json_string_value(v));
		else
			n += (size_t)snprintf(buf + n, size - n, "%s%s=%lld", n ? ", " : "", k,
					      (long long)json_integer_value(v));
	}
	return n ? buf : "-";
}

static int
cmd_port_show(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt opts[] = {{NULL, false, NULL}};
	json_t *list = NULL, *p, *ips, *e;
	const char *key;
	char buf[2048];
	size_t n = 0, i;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, &key, 1, 1, "KEY (a port)")) ||
	    (rc = dvsctl_check_name(ctx, "KEY", key)) ||
	    (rc = port_load(ctx, dvs_where_eq("key", json_string(key)), &list)))
		goto out;
	p = json_array_get(list, 0);
	if (!p) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no port \"%s\" (see dvsctl port list)", key);
		goto out;
	}
	if (dvsctl_maybe_json(ctx, p))
		goto out;
	printf("%-16s %s\n", "key", out_str(p, "key"));
	printf("%-16s %s\n", "port_group", out_str(p, "port_group"));
	printf("%-16s %s\n", "requested_host", out_str(p, "requested_host"));
	printf("%-16s %s\n", "mac", out_str(p, "mac"));
	ips = json_object_get(p, "ips");
	buf[0] = '\0';
	json_array_foreach(ips, i, e)
		if (n < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "", json_string_value(e));
	printf("%-16s %s\n", "ips", n ? buf : "-");
	printf("%-16s %s\n", "backing", port_backing_text(p, buf, sizeof(buf)));
	if (json_is_integer(json_object_get(p, "vhost_queues")))
		printf("%-16s %s\n", "vhost_queues", out_uint(p, "vhost_queues"));
	printf("%-16s %s\n", "overrides", kv_text(json_object_get(p, "overrides"), buf, sizeof(buf)));
	printf("%-16s %s\n", "generation", out_uint(p, "generation"));
	printf("%-16s %s\n", "state", out_str(p, "state"));
	printf("%-16s %s\n", "status", kv_text(json_object_get(p, "status"), buf, sizeof(buf)));
	printf("%-16s %s\n", "statistics", kv_text(json_object_get(p, "statistics"), buf, sizeof(buf)));
	printf("%-16s %s\n", "config_error", out_str(p, "config_error"));
out:
	json_decref(list);
	return rc;
}

#define PORT_HELP                                                                                 \
	"  KEY                  the port's stable key (1..63 letters, digits, '-', '_', '.', ':'),\n" \
	"                       also its name on the host's switch\n"                              \
	"  --group G            its port group (profile)\n"                                         \
	"  --host H             the host that should run it (a name; may not be registered yet)\n" \
	"  --mac MAC            the guest's MAC; --ip IP (repeatable) its IPv4/IPv6 addresses\n"   \
	"  --vhost-user PATH [--vhost-mode server|client] [--queues 1..128]\n"                      \
	"  | --tap NAME [--netns NS] | --kernel IFNAME     the backing (exactly one on add)\n"     \
	"  --override KEY=VALUE (repeatable)  per-port value of a group column, in the\n"          \
	"                       portgroup option syntax, e.g. tag=20, trunks=10-20,\n"             \
	"                       ingress_average_bps=10M, allow_promiscuous=yes; KEY= clears\n"    \
	"                       an optional column (tag, native_vlan, mtu, default_acl_action)\n"

const struct dvsctl_cmd dvsctl_dbport_cmds[] = {
	{{"port", "list", NULL}, cmd_port_list, "[--host H] [--group G]",
	 "list ports: group, host, state, MAC, backing, error",
	 "Columns: KEY GROUP HOST STATE MAC GEN BACKING ERROR, sorted by key.\n"
	 "With --switchd SOCK: the ports of that standalone switch instead.\n", 0},
	{{"port", "show", NULL}, cmd_port_show, "KEY", "show every attribute of a port, status included", NULL, 0},
	{{"port", "add", NULL}, cmd_port_add,
	 "KEY [--group G] [--host H] [--mac MAC] [--ip IP]... BACKING [--override KEY=VALUE]...",
	 "create a port", PORT_HELP
	 "Example: dvsctl port add vm1 --group web --host hv1 --vhost-user /run/dvs/vm1.sock\n",
	 DVSCTL_CMD_CHANGES},
	{{"port", "del", NULL}, cmd_port_del, "KEY [--if-exists]", "delete a port",
	 "--if-exists: no error if there is no such port.\n", DVSCTL_CMD_CHANGES},
	{{"port", "set", NULL}, cmd_port_set, "KEY OPTIONS", "change a port (a new host moves it)",
	 PORT_HELP
	 "  --unset-override KEY (repeatable)  back to the group's value\n"
	 "  --no-host, --no-mac, --no-ips       clear those\n"
	 "Example: dvsctl --wait port set vm1 --override tag=20\n",
	 DVSCTL_CMD_CHANGES},
	{{NULL}, NULL, NULL, NULL, NULL, 0},
};
