/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl acl: a port group's ACL rules (AclRule rows in PortGroup.acl_rules).  A rule is
 * validated locally by the policy module's own parser (datapath/dp/policy/acl_rule.c), the
 * one switchd compiles, so what dvsctl accepts switchd can build; then written as one intent
 * change (generation bump).  Stats come from the hosts' switchds (acl.stats). */
#include "dvsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp/policy/acl_rule.h"
#include "db.h"
#include "output.h"
#include "ovsdb-lite/client/wire.h"

struct acl_change {
	const char *group;
	const char *group_uuid;
	json_t *row;          /* add: the AclRule row */
	const char *del_uuid; /* del: the rule */
};

static int
acl_build(struct dvsctl_ctx *ctx, struct dvs_txn *txn, json_int_t gen, void *arg)
{
	struct acl_change *c = arg;

	if (c->row) {
		dvs_txn_insert(txn, "AclRule", json_incref(c->row), "rule");
		dvs_txn_mutate(txn, "PortGroup", dvs_where_uuid(c->group_uuid),
			       json_pack("[[s,s,o]]", "acl_rules", "insert",
					 dvs_wire_set(json_pack("[o]", dvs_wire_named_uuid("rule")))));
	} else {
		/* Not a root table: removed from the group, the rule is garbage-collected. */
		dvs_txn_mutate(txn, "PortGroup", dvs_where_uuid(c->group_uuid),
			       json_pack("[[s,s,o]]", "acl_rules", "delete",
					 dvs_wire_set(json_pack("[o]", dvs_wire_uuid(c->del_uuid)))));
	}
	dvs_txn_update(txn, "PortGroup", dvs_where_uuid(c->group_uuid),
		       json_pack("{s:I}", "generation", (json_int_t)gen));
	return DVSCTL_OK;
}

/* "80" or "1024-65535" into [lo, hi]. */
static int
port_range(struct dvsctl_ctx *ctx, const char *what, const char *s, json_int_t *lo, json_int_t *hi)
{
	char *end;
	long a = strtol(s, &end, 10), b = a;

	if (end != s && *end == '-')
		b = strtol(end + 1, &end, 10);
	if (end == s || *end || a < 0 || b > 65535 || a > b)
		return dvsctl_usage(ctx, "%s %s: expected a port 0..65535 or a range LO-HI", what, s);
	*lo = a;
	*hi = b;
	return 0;
}

static int
cmd_acl_add(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt o[] = {
		{"direction", true, NULL}, {"action", true, NULL}, {"priority", true, NULL},
		{"stateful", false, NULL}, {"ethertype", true, NULL}, {"src", true, NULL},
		{"dst", true, NULL}, {"protocol", true, NULL}, {"src-port", true, NULL},
		{"dst-port", true, NULL}, {"icmp-type", true, NULL}, {"icmp-code", true, NULL},
		{"description", true, NULL}, {NULL, false, NULL},
	};
	struct dvsctl_intent in = {.build = acl_build};
	struct acl_change c = {0};
	json_t *rule = json_object(), *cur = NULL, *hosts = json_array();
	struct acl_rule r;
	struct dvs_err err = {0};
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, o, &c.group, 1, 1, "GROUP (a port group)")) ||
	    (rc = dvsctl_check_name(ctx, "GROUP", c.group)))
		goto out;
	if (!o[0].value || !o[1].value) {
		rc = dvsctl_usage(ctx, "--direction from-port|to-port and --action allow|drop|reject are required");
		goto out;
	}
	/* The policy module's JSON rule: its parser checks every field and their combinations. */
	json_object_set_new(rule, "direction", json_string(o[0].value));
	json_object_set_new(rule, "action", json_string(o[1].value));
	if (o[2].value) {
		uint64_t prio;
		if ((rc = dvsctl_parse_uint(ctx, "--priority", o[2].value, 0, 65535, &prio)))
			goto out;
		json_object_set_new(rule, "priority", json_integer((json_int_t)prio));
	}
	if (o[3].value)
		json_object_set_new(rule, "stateful", json_true());
	static const char *const keys[] = {NULL, NULL, NULL, NULL, "ethertype", "src", "dst",
					   "protocol", "src_port", "dst_port", "icmp_type", "icmp_code"};
	for (int k = 4; k <= 11; k++) {
		if (!o[k].value)
			continue;
		char *end;
		long v = strtol(o[k].value, &end, 0);
		json_object_set_new(rule, keys[k], *end || end == o[k].value || k == 5 || k == 6 ||
					k == 8 || k == 9 ? json_string(o[k].value) : json_integer(v));
	}
	if (acl_rule_from_json(rule, &r, &err) < 0) {
		rc = dvsctl_usage(ctx, "%s", err.msg);
		goto out;
	}
	if ((rc = dvsctl_db_get(ctx, "PortGroup", "name", c.group, &cur)))
		goto out;
	if (!cur) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no port group \"%s\" (see dvsctl portgroup list)", c.group);
		goto out;
	}
	/* The AclRule row (schema columns), from the validated rule. */
	c.row = json_pack("{s:i, s:s, s:s, s:b}", "priority", r.priority, "direction",
			  acl_dir_name(r.dir), "action", acl_action_name(r.action), "stateful", r.stateful);
	if (r.ethertype)
		json_object_set_new(c.row, "ethertype", json_integer(r.ethertype));
	char buf[64];
	if (r.has_src)
		json_object_set_new(c.row, "src_ip", json_string(acl_prefix_format(&r.src, buf, sizeof(buf))));
	if (r.has_dst)
		json_object_set_new(c.row, "dst_ip", json_string(acl_prefix_format(&r.dst, buf, sizeof(buf))));
	if (r.proto >= 0)
		json_object_set_new(c.row, "protocol", json_integer(r.proto));
	json_int_t lo, hi;
	if (o[8].value && !(rc = port_range(ctx, "--src-port", o[8].value, &lo, &hi))) {
		json_object_set_new(c.row, "src_port_min", json_integer(lo));
		json_object_set_new(c.row, "src_port_max", json_integer(hi));
	}
	if (!rc && o[9].value && !(rc = port_range(ctx, "--dst-port", o[9].value, &lo, &hi))) {
		json_object_set_new(c.row, "dst_port_min", json_integer(lo));
		json_object_set_new(c.row, "dst_port_max", json_integer(hi));
	}
	if (rc)
		goto out;
	if (r.icmp_type >= 0)
		json_object_set_new(c.row, "icmp_type", json_integer(r.icmp_type));
	if (r.icmp_code >= 0)
		json_object_set_new(c.row, "icmp_code", json_integer(r.icmp_code));
	if (o[12].value)
		json_object_set_new(c.row, "description", json_string(o[12].value));
	c.group_uuid = dvsctl_db_uuid(cur, "_uuid");
	in.arg = &c;
	rc = dvsctl_db_commit(ctx, &in); /* every up host applies the generation */
out:
	json_decref(in.result);
	json_decref(rule);
	json_decref(cur);
	json_decref(hosts);
	json_decref(c.row);
	return rc;
}

/* The group's rules, sorted by priority (highest first), as plain objects with "id": the
 * first 8 characters of the row uuid. */
static int
acl_load(struct dvsctl_ctx *ctx, const char *group, json_t **cur, json_t **list)
{
	json_t *rows = NULL, *r;
	size_t i;
	int rc;

	*list = json_array();
	if ((rc = dvsctl_db_get(ctx, "PortGroup", "name", group, cur)))
		return rc;
	if (!*cur)
		return dvsctl_fail(ctx, DVSCTL_FAILED, "no port group \"%s\" (see dvsctl portgroup list)", group);
	json_t *ids = dvsctl_db_list(*cur, "acl_rules");
	if ((rc = dvsctl_db_select(ctx, "AclRule", NULL, &rows)))
		goto out;
	json_array_foreach(rows, i, r) {
		const char *u = dvsctl_db_uuid(r, "_uuid");
		size_t j;
		json_t *id;
		json_array_foreach(ids, j, id)
			if (!strcmp((json_is_array(id) ? dvs_wire_uuid_str(id) : json_string_value(id)) ?: "", u)) {
				json_t *p = dvsctl_db_plain(r);
				char short_id[9];
				snprintf(short_id, sizeof(short_id), "%s", u);
				json_object_set_new(p, "id", json_string(short_id));
				json_object_set_new(p, "uuid", json_string(u));
				json_array_append_new(*list, p);
			}
	}
	/* Highest priority first, as the switch evaluates them. */
	for (size_t a = 0; a < json_array_size(*list); a++)
		for (size_t b = a + 1; b < json_array_size(*list); b++) {
			json_t *x = json_array_get(*list, a), *y = json_array_get(*list, b);
			if (json_integer_value(json_object_get(y, "priority")) >
			    json_integer_value(json_object_get(x, "priority"))) {
				json_incref(x);
				json_array_set(*list, a, y);
				json_array_set_new(*list, b, x);
			}
		}
out:
	json_decref(ids);
	json_decref(rows);
	return rc;
}

static int
cmd_acl_list(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct out_col cols[] = {
		{"ID", false}, {"PRIORITY", true}, {"DIRECTION", false}, {"ACTION", false},
		{"STATEFUL", false}, {"MATCH", false},
	};
	const char *group = NULL;
	json_t *cur = NULL, *list = NULL, *r;
	struct out_table *t = NULL;
	size_t i;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, (struct dvsctl_opt[]){{NULL, false, NULL}},
				    &group, 1, 1, "GROUP (a port group)")) ||
	    (rc = acl_load(ctx, group, &cur, &list)))
		goto out;
	if (dvsctl_maybe_json(ctx, list))
		goto out;
	t = out_table_create(cols, OUT_N(cols));
	json_array_foreach(list, i, r) {
		char match[256] = "";
		size_t n = 0;
		static const char *const m[] = {"ethertype", "src_ip", "dst_ip", "protocol", "src_port_min",
						"src_port_max", "dst_port_min", "dst_port_max", "icmp_type", "icmp_code"};
		for (size_t k = 0; k < DVS_ARRAY_SIZE(m); k++) {
			json_t *v = json_object_get(r, m[k]);
			if (!v || json_is_null(v))
				continue;
			n += (size_t)snprintf(match + n, sizeof(match) - n, "%s%s=", n ? " " : "", m[k]);
			if (json_is_string(v))
				n += (size_t)snprintf(match + n, sizeof(match) - n, "%s", json_string_value(v));
			else
				n += (size_t)snprintf(match + n, sizeof(match) - n, "%lld", (long long)json_integer_value(v));
			if (n >= sizeof(match))
				break;
		}
		out_table_row(t);
		out_table_cell(t, "%s", out_str(r, "id"));
		out_table_cell(t, "%lld", (long long)json_integer_value(json_object_get(r, "priority")));
		out_table_cell(t, "%s", out_str(r, "direction"));
		out_table_cell(t, "%s", out_str(r, "action"));
		out_table_cell(t, "%s", json_is_true(json_object_get(r, "stateful")) ? "yes" : "no");
		out_table_cell(t, "%s", match[0] ? match : "any");
	}
	out_table_print(t, stdout);
	printf("default action: %s\n", dvsctl_db_str(cur, "default_acl_action") ?: "allow");
out:
	out_table_destroy(t);
	json_decref(cur);
	json_decref(list);
	return rc;
}

static int
cmd_acl_del(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL};
	struct dvsctl_intent in = {.build = acl_build};
	struct acl_change c = {0};
	json_t *cur = NULL, *list = NULL, *r;
	size_t i;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, (struct dvsctl_opt[]){{NULL, false, NULL}},
				    pos, 2, 2, "GROUP ID (see dvsctl acl list GROUP)")) ||
	    (rc = acl_load(ctx, pos[0], &cur, &list)))
		goto out;
	c.group = pos[0];
	c.group_uuid = dvsctl_db_uuid(cur, "_uuid");
	json_array_foreach(list, i, r)
		if (!strncmp(json_string_value(json_object_get(r, "uuid")) ?: "", pos[1], strlen(pos[1])) &&
		    strlen(pos[1]) >= 4)
			c.del_uuid = json_string_value(json_object_get(r, "uuid"));
	if (!c.del_uuid) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "port group \"%s\" has no rule \"%s\" (see dvsctl acl list %s)",
				 pos[0], pos[1], pos[0]);
		goto out;
	}
	in.arg = &c;
	rc = dvsctl_db_commit(ctx, &in);
out:
	json_decref(in.result);
	json_decref(cur);
	json_decref(list);
	return rc;
}

const struct dvsctl_cmd dvsctl_acl_cmds[] = {
	{{"acl", "add", NULL}, cmd_acl_add,
	 "GROUP --direction from-port|to-port --action allow|drop|reject [MATCH...]",
	 "add an ACL rule to a port group",
	 "  --priority 0..65535     higher wins (default 0)\n"
	 "  --stateful              with allow: the connection's return traffic is allowed too\n"
	 "  --ethertype E           ipv4, ipv6, arp, or a number >= 0x0600\n"
	 "  --src P, --dst P        IPv4/IPv6 prefix or address\n"
	 "  --protocol P            tcp, udp, icmp, icmpv6, ... or 0..255\n"
	 "  --src-port N[-M], --dst-port N[-M]   with tcp/udp/sctp\n"
	 "  --icmp-type T, --icmp-code C         with icmp/icmpv6\n"
	 "  --description TEXT\n"
	 "Example: dvsctl acl add web --direction to-port --action allow --stateful --protocol tcp --dst-port 443\n",
	 DVSCTL_CMD_CHANGES},
	{{"acl", "del", NULL}, cmd_acl_del, "GROUP ID", "remove an ACL rule (ID from acl list)", NULL,
	 DVSCTL_CMD_CHANGES},
	{{"acl", "list", NULL}, cmd_acl_list, "GROUP", "a port group's rules, highest priority first",
	 "Per-rule hit counters of a host: dvsctl host HOST acl (or dvsctl --switchd SOCK acl stats).\n", 0},
	{{NULL}, NULL, NULL, NULL, NULL, 0},
};
