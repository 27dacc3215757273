/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl portgroup add|set|del|list|show: the PortGroup rows (port profiles) in dvs-db.
 * Every option is checked before the database is contacted; a change is one generation-
 * bumping transaction (db.c).  The option <-> column mapping is field.c's. */

#include "dvsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "field.h"
#include "output.h"
#include "ovsdb-lite/client/wire.h"

#define PG_MAX_OPTS 32

/* The option table of add/set: every field with an option, then --segment (and, for set,
 * --no-segment). */
struct pg_opts {
	struct dvsctl_opt o[PG_MAX_OPTS];
	const struct field *f[PG_MAX_OPTS];
	int segment, no_segment;
};

static void
pg_opts_init(struct pg_opts *p, bool set)
{
	int n = 0;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < field_count; i++) {
		if (!field_table[i].option)
			continue;
		p->f[n] = &field_table[i];
		p->o[n++] = (struct dvsctl_opt){.name = field_table[i].option, .has_arg = true};
	}
	p->segment = n;
	p->o[n++] = (struct dvsctl_opt){.name = "segment", .has_arg = true};
	p->no_segment = -1;
	if (set) {
		p->no_segment = n;
		p->o[n++] = (struct dvsctl_opt){.name = "no-segment"};
	}
}

static const char *
opt_val(const struct pg_opts *p, const char *option)
{
	for (int i = 0; p->o[i].name; i++)
		if (!strcmp(p->o[i].name, option))
			return p->o[i].value;
	return NULL;
}

/* The column changes the options ask for, as wire values (new object).  VLAN options come
 * as a whole: --access clears the trunk columns and --trunk the access tag. */
static int
pg_changes(struct dvsctl_ctx *ctx, const struct pg_opts *p, json_t **changes)
{
	const char *access = opt_val(p, "access"), *trunk = opt_val(p, "trunk");
	char canon[8192];
	json_t *v;
	int rc;

	*changes = json_object();
	if (access && trunk)
		return dvsctl_usage(ctx, "--access and --trunk exclude each other (a group is one or the other)");
	for (int i = 0; p->f[i]; i++) {
		if (!p->o[i].value)
			continue;
		char what[64];

		snprintf(what, sizeof(what), "--%s", p->o[i].name);
		if ((rc = field_parse(ctx, p->f[i], what, p->o[i].value, &v, canon, sizeof(canon))))
			return rc;
		json_object_set_new(*changes, p->f[i]->column, v);
	}
	if (access) {
		json_object_set_new(*changes, "vlan_mode", json_string("access"));
		json_object_set_new(*changes, "trunks", dvs_wire_set(json_array()));
		json_object_set_new(*changes, "native_vlan", dvs_wire_set(json_array()));
	}
	if (trunk) {
		json_object_set_new(*changes, "vlan_mode", json_string("trunk"));
		json_object_set_new(*changes, "tag", dvs_wire_set(json_array()));
	}
	if (p->o[p->segment].value &&
	    (rc = dvsctl_check_name(ctx, "--segment", p->o[p->segment].value)))
		return rc;
	if (p->no_segment >= 0 && p->o[p->no_segment].value && p->o[p->segment].value)
		return dvsctl_usage(ctx, "--segment and --no-segment exclude each other");
	return 0;
}

/* What add/set/del hand to the transaction builder. */
struct pg_change {
	const char *name;
	const char *uuid;       /* set, del: the row */
	json_t *row;            /* add: the new row; set: the changed columns (wire) */
	const char *segment;    /* a segment name to attach to, or NULL */
	const char *segment_uuid; /* its row if it exists */
	bool no_segment;
};

static int
pg_build(struct dvsctl_ctx *ctx, struct dvs_txn *txn, json_int_t gen, void *arg)
{
	struct pg_change *c = arg;
	json_t *row = json_deep_copy(c->row);

	if (c->segment && c->segment_uuid) {
		json_object_set_new(row, "segment", dvs_wire_uuid(c->segment_uuid));
	} else if (c->segment) {
		/* A new segment: the controller gives it a VNI. */
		dvs_txn_insert(txn, "Segment", json_pack("{s:s}", "name", c->segment), "seg");
		json_object_set_new(row, "segment", dvs_wire_named_uuid("seg"));
	} else if (c->no_segment) {
		json_object_set_new(row, "segment", dvs_wire_set(json_array()));
	}
	json_object_set_new(row, "generation", json_integer(gen));
	if (c->uuid)
		dvs_txn_update(txn, "PortGroup", dvs_where_uuid(c->uuid), row);
	else
		dvs_txn_insert(txn, "PortGroup", row, NULL);
	return DVSCTL_OK;
}

static int
pg_explain(struct dvsctl_ctx *ctx, const char *error, const char *details, void *arg)
{
	struct pg_change *c = arg;

	if (!strcmp(error, "constraint violation") && strstr(details, "\"PortGroup\" table"))
		return dvsctl_fail(ctx, DVSCTL_FAILED, "port group \"%s\" already exists (use portgroup set)",
				   c->name);
	if (!strcmp(error, "constraint violation") && strstr(details, "\"Segment\" table") &&
	    strstr(details, "(vni)"))
		/* Segment's unique vni index counts "no VNI yet" as a value: a second new segment
		 * waits until the controller has allocated the first one's VNI. */
		return dvsctl_fail(ctx, DVSCTL_FAILED,
				   "segment \"%s\": another segment is still waiting for its VNI (is "
				   "dvs-controller running?); try again once it has one", c->segment);
	if (!strcmp(error, "constraint violation") && strstr(details, "\"Segment\" table"))
		return dvsctl_fail(ctx, DVSCTL_FAILED, "segment \"%s\" was created at the same time; try again",
				   c->segment);
	return -1;
}

/* The keys of the ports in group 'uuid', and (if 'hosts') their requested hosts. */
static int
pg_ports(struct dvsctl_ctx *ctx, const char *uuid, json_t **keys, json_t *hosts)
{
	json_t *rows = NULL, *row;
	size_t i;
	int rc;

	*keys = json_array();
	rc = dvsctl_db_select(ctx, "Port", dvs_where_eq("port_group", dvs_wire_uuid(uuid)), &rows);
	json_array_foreach(rows, i, row) {
		json_array_append_new(*keys, json_string(dvsctl_db_str(row, "key") ?: "?"));
		dvsctl_db_name_add(hosts, dvsctl_db_str(row, "requested_host"));
	}
	out_sort_strings(*keys);
	json_decref(rows);
	return rc;
}

static int
pg_segment_lookup(struct dvsctl_ctx *ctx, struct pg_change *c, json_t **seg_row)
{
	int rc = DVSCTL_OK;

	*seg_row = NULL;
	if (c->segment && (rc = dvsctl_db_get(ctx, "Segment", "name", c->segment, seg_row)) == 0 &&
	    *seg_row)
		c->segment_uuid = dvsctl_db_uuid(*seg_row, "_uuid");
	return rc;
}

static int
cmd_pg_add(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_intent in = {.build = pg_build, .explain = pg_explain};
	struct pg_change c = {0};
	json_t *changes = NULL, *existing = NULL, *seg = NULL, *hosts = json_array();
	struct pg_opts p;
	const char *key;
	json_t *v;
	int rc;

	pg_opts_init(&p, false);
	if ((rc = dvsctl_args_parse(ctx, argc, argv, p.o, &c.name, 1, 1, "NAME (the new group's name)")) ||
	    (rc = dvsctl_check_name(ctx, "NAME", c.name)) ||
	    (rc = pg_changes(ctx, &p, &changes)))
		goto out;
	if (opt_val(&p, "native") && !opt_val(&p, "trunk")) {
		rc = dvsctl_usage(ctx, "--native is only for a trunk (give --trunk LIST too)");
		goto out;
	}
	/* Defaults: an access group on VLAN 0 (untagged on its segment). */
	c.row = json_pack("{s:s, s:s, s:i}", "name", c.name, "vlan_mode", "access", "tag", 0);
	json_object_foreach(changes, key, v)
		json_object_set(c.row, key, v);
	c.segment = p.o[p.segment].value;
	if ((rc = field_resolve(ctx, c.row, NULL)) ||
	    (rc = dvsctl_db_get(ctx, "PortGroup", "name", c.name, &existing)))
		goto out;
	if (existing) {
		rc = pg_explain(ctx, "constraint violation", "\"PortGroup\" table", &c);
		goto out;
	}
	if ((rc = pg_segment_lookup(ctx, &c, &seg)))
		goto out;
	in.arg = &c;
	in.hosts = hosts; /* a new group has no ports: nothing to wait for */
	rc = dvsctl_db_commit(ctx, &in);
out:
	json_decref(in.result);
	json_decref(changes);
	json_decref(existing);
	json_decref(seg);
	json_decref(hosts);
	json_decref(c.row);
	return rc;
}

static int
cmd_pg_set(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_intent in = {.build = pg_build, .explain = pg_explain};
	struct pg_change c = {0};
	json_t *changes = NULL, *cur = NULL, *merged = NULL, *seg = NULL, *keys = NULL;
	json_t *hosts = json_array();
	struct pg_opts p;
	const char *key, *mode;
	json_t *v;
	int rc;

	pg_opts_init(&p, true);
	if ((rc = dvsctl_args_parse(ctx, argc, argv, p.o, &c.name, 1, 1, "NAME (the group to change)")) ||
	    (rc = dvsctl_check_name(ctx, "NAME", c.name)) ||
	    (rc = pg_changes(ctx, &p, &changes)))
		goto out;
	c.segment = p.o[p.segment].value;
	c.no_segment = p.o[p.no_segment].value != NULL;
	if (!json_object_size(changes) && !c.segment && !c.no_segment) {
		rc = dvsctl_usage(ctx, "nothing to change (give at least one option; see dvsctl portgroup set --help)");
		goto out;
	}
	if ((rc = dvsctl_db_get(ctx, "PortGroup", "name", c.name, &cur)))
		goto out;
	if (!cur) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no port group \"%s\" (see dvsctl portgroup list)", c.name);
		goto out;
	}
	mode = dvsctl_db_str(cur, "vlan_mode");
	if (opt_val(&p, "native") && !opt_val(&p, "trunk") && !(mode && !strcmp(mode, "trunk"))) {
		rc = dvsctl_usage(ctx, "--native: port group \"%s\" is in access mode (give --trunk LIST too)",
				  c.name);
		goto out;
	}
	merged = json_deep_copy(cur);
	json_object_foreach(changes, key, v)
		json_object_set(merged, key, v);
	if ((rc = field_resolve(ctx, merged, NULL)) ||
	    (rc = pg_segment_lookup(ctx, &c, &seg)) ||
	    (rc = pg_ports(ctx, dvsctl_db_uuid(cur, "_uuid"), &keys, hosts)))
		goto out;
	c.uuid = dvsctl_db_uuid(cur, "_uuid");
	c.row = json_incref(changes);
	in.arg = &c;
	in.hosts = hosts;
	rc = dvsctl_db_commit(ctx, &in);
out:
	json_decref(in.result);
	json_decref(changes);
	json_decref(cur);
	json_decref(merged);
	json_decref(seg);
	json_decref(keys);
	json_decref(hosts);
	json_decref(c.row);
	return rc;
}

/* "still used by 3 ports (vm1, vm2, vm3)"; at most 10 keys named. */
static int
pg_in_use(struct dvsctl_ctx *ctx, const char *name, const json_t *keys)
{
	char list[1024];
	size_t n = 0, i;
	json_t *k;

	list[0] = '\0';
	json_array_foreach(keys, i, k) {
		if (i == 10) {
			snprintf(list + n, sizeof(list) - n, ", ...");
			break;
		}
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
				      json_string_value(k));
		if (n >= sizeof(list))
			break;
	}
	/* As users say it: "dvsctl: portgroup del web: still used by 2 ports (vm1, vm2)". */
	return dvsctl_fail(NULL, DVSCTL_FAILED, "%s %s: still used by %zu port%s (%s)", ctx->cmd_name,
			   name, json_array_size(keys), json_array_size(keys) == 1 ? "" : "s", list);
}

static int
pg_del_build(struct dvsctl_ctx *ctx, struct dvs_txn *txn, json_int_t gen, void *arg)
{
	struct pg_change *c = arg;

	dvs_txn_delete(txn, "PortGroup", dvs_where_uuid(c->uuid));
	return DVSCTL_OK;
}

static int
pg_del_explain(struct dvsctl_ctx *ctx, const char *error, const char *details, void *arg)
{
	struct pg_change *c = arg;
	json_t *keys = NULL;
	int rc;

	if (strcmp(error, "referential integrity violation"))
		return -1;
	/* A port joined the group since we looked: name the ports as they are now. */
	rc = pg_ports(ctx, c->uuid, &keys, NULL);
	if (rc == DVSCTL_OK)
		rc = pg_in_use(ctx, c->name, keys);
	json_decref(keys);
	return rc;
}

static int
cmd_pg_del(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_intent in = {.build = pg_del_build, .explain = pg_del_explain};
	struct dvsctl_opt opts[] = {{"if-exists", false, NULL}, {NULL, false, NULL}};
	struct pg_change c = {0};
	json_t *cur = NULL, *keys = NULL, *hosts = json_array();
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, &c.name, 1, 1, "NAME (the group to delete)")) ||
	    (rc = dvsctl_check_name(ctx, "NAME", c.name)) ||
	    (rc = dvsctl_db_get(ctx, "PortGroup", "name", c.name, &cur)))
		goto out;
	if (!cur) {
		if (!opts[0].value)
			rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no port group \"%s\" (see dvsctl portgroup list)",
					 c.name);
		goto out;
	}
	c.uuid = dvsctl_db_uuid(cur, "_uuid");
	if ((rc = pg_ports(ctx, c.uuid, &keys, NULL)))
		goto out;
	if (json_array_size(keys)) {
		rc = pg_in_use(ctx, c.name, keys);
		goto out;
	}
	in.arg = &c;
	in.hosts = hosts;
	rc = dvsctl_db_commit(ctx, &in);
out:
	json_decref(in.result);
	json_decref(cur);
	json_decref(keys);
	json_decref(hosts);
	return rc;
}

/* ---- list and show ---- */

/* A group as plain JSON, with its segment's name and VNI and its ports' keys. */
static json_t *
pg_plain(const json_t *row, const json_t *segments, const json_t *ports)
{
	json_t *j = dvsctl_db_plain(row), *keys = json_array(), *r;
	const char *seg = dvsctl_db_uuid(row, "segment"), *uuid = dvsctl_db_uuid(row, "_uuid");
	char vlan[1200];
	size_t i;

	json_object_set_new(j, "segment_vni", json_null());
	json_array_foreach(segments, i, r) {
		if (seg && !strcmp(seg, dvsctl_db_uuid(r, "_uuid") ?: "")) {
			json_object_set_new(j, "segment", json_string(dvsctl_db_str(r, "name") ?: "?"));
			json_object_set_new(j, "segment_vni", json_deep_copy(dvsctl_db_atom(r, "vni")) ?: json_null());
		}
	}
	json_array_foreach(ports, i, r)
		if (!strcmp(dvsctl_db_uuid(r, "port_group") ?: "", uuid ?: ""))
			json_array_append_new(keys, json_string(dvsctl_db_str(r, "key") ?: "?"));
	out_sort_strings(keys);
	json_object_set_new(j, "ports", keys);
	json_object_set_new(j, "vlan", json_string(field_vlan_text(row, vlan, sizeof(vlan))));
	return j;
}

static int
pg_load(struct dvsctl_ctx *ctx, json_t *where, json_t **groups, json_t **segments, json_t **ports)
{
	int rc;

	*segments = *ports = NULL;
	if ((rc = dvsctl_db_select(ctx, "PortGroup", where, groups)) ||
	    (rc = dvsctl_db_select(ctx, "Segment", NULL, segments)) ||
	    (rc = dvsctl_db_select(ctx, "Port", NULL, ports)))
		return rc;
	return DVSCTL_OK;
}

static int
cmd_pg_list(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct out_col cols[] = {
		{"NAME", false}, {"VLAN", false}, {"SEGMENT", false}, {"VNI", true},
		{"PORTS", true}, {"GEN", true},   {"ERROR", false},
	};
	json_t *groups = NULL, *segments = NULL, *ports = NULL, *list = json_array(), *row;
	struct out_table *t = NULL;
	size_t i;
	int rc;

	if ((rc = dvsctl_no_args(ctx, argc, argv)) ||
	    (rc = pg_load(ctx, NULL, &groups, &segments, &ports)))
		goto out;
	json_array_foreach(groups, i, row)
		json_array_append_new(list, pg_plain(row, segments, ports));
	out_sort_by(list, "name");
	if (dvsctl_maybe_json(ctx, list))
		goto out;
	t = out_table_create(cols, OUT_N(cols));
	json_array_foreach(list, i, row) {
		out_table_row(t);
		out_table_cell(t, "%s", out_str(row, "name"));
		out_table_cell(t, "%s", out_str(row, "vlan"));
		out_table_cell(t, "%s", out_str(row, "segment"));
		out_table_cell(t, "%s", json_integer_value(json_object_get(row, "segment_vni"))
						? out_uint(row, "segment_vni") : "-");
		out_table_cell(t, "%zu", json_array_size(json_object_get(row, "ports")));
		out_table_cell(t, "%s", out_uint(row, "generation"));
		out_table_cell(t, "%s", out_str(row, "config_error"));
	}
	out_table_print(t, stdout);
out:
	out_table_destroy(t);
	json_decref(groups);
	json_decref(segments);
	json_decref(ports);
	json_decref(list);
	return rc;
}

static void
print_kv(const char *k, const char *v)
{
	printf("%-26s %s\n", k, v);
}

static int
cmd_pg_show(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt opts[] = {{NULL, false, NULL}};
	json_t *groups = NULL, *segments = NULL, *ports = NULL, *g = NULL, *keys;
	const char *name;
	char buf[64], list[2048];
	size_t n = 0, i;
	json_t *k;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, &name, 1, 1, "NAME (a port group)")) ||
	    (rc = dvsctl_check_name(ctx, "NAME", name)) ||
	    (rc = pg_load(ctx, dvs_where_eq("name", json_string(name)), &groups, &segments, &ports)))
		goto out;
	if (!json_array_size(groups)) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no port group \"%s\" (see dvsctl portgroup list)", name);
		goto out;
	}
	g = pg_plain(json_array_get(groups, 0), segments, ports);
	if (dvsctl_maybe_json(ctx, g))
		goto out;
	print_kv("name", out_str(g, "name"));
	print_kv("vlan", out_str(g, "vlan"));
	print_kv("segment", out_str(g, "segment"));
	print_kv("segment_vni", json_integer_value(json_object_get(g, "segment_vni"))
				       ? out_uint(g, "segment_vni") : "- (not allocated yet)");
	for (i = 0; i < field_count; i++) {
		const struct field *f = &field_table[i];
		json_t *v = json_object_get(g, f->column);

		if (f->kind == FIELD_MODE || f->kind == FIELD_TAG || f->kind == FIELD_TRUNKS ||
		    f->kind == FIELD_NATIVE)
			continue; /* in "vlan" */
		if ((f->kind == FIELD_RATE || f->kind == FIELD_SIZE) && json_is_integer(v))
			print_kv(f->column, field_human((uint64_t)json_integer_value(v),
							f->kind == FIELD_SIZE, buf, sizeof(buf)));
		else
			print_kv(f->column, out_str(g, f->column));
	}
	print_kv("generation", out_uint(g, "generation"));
	keys = json_object_get(g, "ports");
	list[0] = '\0';
	json_array_foreach(keys, i, k)
		if (n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
					      json_string_value(k));
	print_kv("ports", n ? list : "-");
	if (json_object_get(g, "config_error"))
		print_kv("config_error", out_str(g, "config_error"));
out:
	json_decref(groups);
	json_decref(segments);
	json_decref(ports);
	json_decref(g);
	return rc;
}

#define PG_OPTIONS                                                                                \
	"  --access VLAN | --trunk LIST|all [--native VLAN]\n"                                   \
	"                       VLAN policy: access VLAN 0..4094 (default access 0), or a trunk\n" \
	"                       of VLANs 1..4094 (e.g. 10,20-30) with untagged frames in --native\n" \
	"  --segment NAME       the L2 segment (VXLAN VNI) of the group's ports; created if new\n" \
	"  --allow-promiscuous yes|no, --allow-mac-changes yes|no,\n"                             \
	"  --allow-forged-transmits yes|no, --ip-mac-binding yes|no   security policy (default no)\n" \
	"  --arp-suppression on|off   switches answer ARP requests for the known IP-MAC\n"      \
	"                       bindings of the segment (Port --mac/--ip) instead of flooding\n" \
	"                       them to every host (default off)\n"                              \
	"  --ingress-average RATE, --ingress-peak RATE, --ingress-burst SIZE (from the guest)\n"   \
	"  --egress-average RATE, --egress-peak RATE, --egress-burst SIZE    (to the guest)\n"     \
	"                       RATE in bits/s: 8k..400G, e.g. 500k, 10M, 1G; SIZE in bytes:\n"   \
	"                       1518..4G, e.g. 64K, 1M; 0 = unlimited.  peak >= average.\n"        \
	"  --storm-broadcast PPS, --storm-multicast PPS, --storm-unknown-unicast PPS\n"            \
	"                       storm control, packets/s 1..100M (e.g. 1000, 10k); 0 = off\n"     \
	"  --mtu N              68..65535 (default 1500)\n"                                       \
	"  --default-acl allow|drop|reject   what the ACL does with unmatched frames\n"

const struct dvsctl_cmd dvsctl_portgroup_cmds[] = {
	{{"portgroup", "list", NULL}, cmd_pg_list, NULL, "list port groups: VLAN, segment, ports",
	 "Columns: NAME VLAN SEGMENT VNI PORTS GEN ERROR, sorted by name.\n", 0},
	{{"portgroup", "show", NULL}, cmd_pg_show, "NAME", "show every setting of a port group", NULL, 0},
	{{"portgroup", "add", NULL}, cmd_pg_add, "NAME [OPTIONS]", "create a port group (a port profile)",
	 PG_OPTIONS
	 "Example: dvsctl portgroup add web --access 10 --segment blue --ingress-average 100M\n",
	 DVSCTL_CMD_CHANGES},
	{{"portgroup", "set", NULL}, cmd_pg_set, "NAME OPTIONS", "change a port group (all its ports follow)",
	 PG_OPTIONS
	 "  --no-segment         detach from its segment (ports local to each host)\n"
	 "Example: dvsctl --wait portgroup set web --access 20\n",
	 DVSCTL_CMD_CHANGES},
	{{"portgroup", "del", NULL}, cmd_pg_del, "NAME [--if-exists]", "delete an unused port group",
	 "Refused while ports use the group (they are named).  --if-exists: no error if absent.\n",
	 DVSCTL_CMD_CHANGES},
	{{NULL}, NULL, NULL, NULL, NULL, 0},
};
