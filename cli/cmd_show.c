/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl show: the cluster as a tree, sites -> hosts -> ports, with each host's status and
 * applied generation against the cluster's, and each port's state and configuration error.
 * Built once as JSON (what --format json prints), then drawn from that. */

#include "dvsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "output.h"

struct show_data {
	json_t *global, *sites, *hosts, *ports, *groups;
};

static const char *
name_of(const json_t *rows, const char *uuid, const char *col)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r)
		if (uuid && !strcmp(uuid, dvsctl_db_uuid(r, "_uuid") ?: ""))
			return dvsctl_db_str(r, col);
	return NULL;
}

static json_t *
show_port(const struct show_data *d, const json_t *row)
{
	json_t *status = dvsctl_db_map(row, "status");
	const char *err = dvsctl_db_str(row, "config_error");
	json_t *p = json_pack("{s:s, s:s?, s:O?, s:I}", "key", dvsctl_db_str(row, "key") ?: "?",
			      "group", name_of(d->groups, dvsctl_db_uuid(row, "port_group"), "name"),
			      "state", json_object_get(status, "state"),
			      "generation", (json_int_t)dvsctl_db_int(row, "generation", 0));

	if (!err)
		err = json_string_value(json_object_get(status, "error"));
	if (err)
		json_object_set_new(p, "config_error", json_string(err));
	if (json_object_get(status, "reason"))
		json_object_set(p, "reason", json_object_get(status, "reason"));
	json_decref(status);
	return p;
}

/* The ports whose requested_host is 'host' (NULL: ports without one). */
static json_t *
show_ports_of(const struct show_data *d, const char *host)
{
	json_t *list = json_array(), *r;
	size_t i;

	json_array_foreach(d->ports, i, r) {
		const char *h = dvsctl_db_str(r, "requested_host");

		if ((!host && !h) || (host && h && !strcmp(h, host)))
			json_array_append_new(list, show_port(d, r));
	}
	out_sort_by(list, "key");
	return list;
}

static json_t *
show_host(const struct show_data *d, const json_t *row)
{
	const char *name = dvsctl_db_str(row, "name") ?: "?";

	return json_pack("{s:s, s:s, s:s?, s:I, s:o}", "name", name, "status",
			 dvsctl_db_str(row, "status") ?: "unknown", "vtep_ip",
			 dvsctl_db_str(row, "vtep_ip"), "applied_generation",
			 (json_int_t)dvsctl_db_int(row, "applied_generation", 0), "ports",
			 show_ports_of(d, name));
}

static json_t *
show_build(const struct show_data *d)
{
	json_t *tree, *sites = json_array(), *nosite = json_array(), *unreg = json_array(), *r, *s;
	json_t *known = json_array();
	size_t i, j;

	json_array_foreach(d->sites, i, r) {
		json_t *hosts = json_array();

		json_array_foreach(d->hosts, j, s)
			if (!strcmp(dvsctl_db_uuid(s, "site") ?: "", dvsctl_db_uuid(r, "_uuid") ?: "-"))
				json_array_append_new(hosts, show_host(d, s));
		out_sort_by(hosts, "name");
		json_array_append_new(sites, json_pack("{s:s, s:O?, s:O?, s:o}", "name",
						       dvsctl_db_str(r, "name") ?: "?", "wan_mtu",
						       dvsctl_db_atom(r, "wan_mtu"), "latency_ms",
						       dvsctl_db_atom(r, "latency_ms"), "hosts", hosts));
	}
	out_sort_by(sites, "name");
	json_array_foreach(d->hosts, i, s) {
		dvsctl_db_name_add(known, dvsctl_db_str(s, "name"));
		if (!dvsctl_db_uuid(s, "site"))
			json_array_append_new(nosite, show_host(d, s));
	}
	out_sort_by(nosite, "name");
	/* Hosts that ports ask for but that never registered. */
	json_array_foreach(d->ports, i, r) {
		const char *h = dvsctl_db_str(r, "requested_host");
		bool seen = false;

		json_array_foreach(known, j, s)
			seen |= h && !strcmp(json_string_value(s), h);
		if (h && !seen) {
			dvsctl_db_name_add(known, h);
			json_array_append_new(unreg, json_pack("{s:s, s:o}", "name", h, "ports",
								show_ports_of(d, h)));
		}
	}
	out_sort_by(unreg, "name");
	json_decref(known);
	r = json_array_get(d->global, 0);
	tree = json_pack("{s:I, s:s?, s:o, s:o, s:o, s:o}", "generation",
			 (json_int_t)dvsctl_db_int(r, "generation", 0), "leader",
			 dvsctl_db_str(r, "leader"), "sites", sites, "hosts_without_site", nosite,
			 "unregistered_hosts", unreg, "ports_without_host", show_ports_of(d, NULL));
	return tree;
}

static void
print_ports(const json_t *ports, const char *indent)
{
	size_t i;
	json_t *p;

	json_array_foreach(ports, i, p) {
		printf("%sport %s  group %s  %s  gen %s", indent, out_str(p, "key"), out_str(p, "group"),
		       out_str(p, "state"), out_uint(p, "generation"));
		if (json_object_get(p, "config_error"))
			printf("  error: %s", out_str(p, "config_error"));
		else if (json_object_get(p, "reason"))
			printf("  (%s)", out_str(p, "reason"));
		putchar('\n');
	}
}

static void
print_hosts(const json_t *hosts, json_int_t gen, const char *indent)
{
	char sub[32];
	size_t i;
	json_t *h;

	snprintf(sub, sizeof(sub), "%s  ", indent);
	json_array_foreach(hosts, i, h) {
		json_int_t applied = json_integer_value(json_object_get(h, "applied_generation"));

		printf("%shost %s  %s  vtep %s  applied %lld/%lld%s\n", indent, out_str(h, "name"),
		       out_str(h, "status"), out_str(h, "vtep_ip"), (long long)applied, (long long)gen,
		       applied < gen ? " (behind)" : "");
		print_ports(json_object_get(h, "ports"), sub);
	}
}

static int
cmd_show(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct show_data d = {0};
	json_t *tree = NULL, *s, *list;
	json_int_t gen;
	size_t i;
	int rc;

	if ((rc = dvsctl_no_args(ctx, argc, argv)) ||
	    (rc = dvsctl_db_select(ctx, "Global", NULL, &d.global)) ||
	    (rc = dvsctl_db_select(ctx, "Site", NULL, &d.sites)) ||
	    (rc = dvsctl_db_select(ctx, "Host", NULL, &d.hosts)) ||
	    (rc = dvsctl_db_select(ctx, "Port", NULL, &d.ports)) ||
	    (rc = dvsctl_db_select(ctx, "PortGroup", NULL, &d.groups)))
		goto out;
	tree = show_build(&d);
	if (dvsctl_maybe_json(ctx, tree))
		goto out;
	gen = json_integer_value(json_object_get(tree, "generation"));
	printf("cluster generation %lld, leader %s\n", (long long)gen, out_str(tree, "leader"));
	json_array_foreach(json_object_get(tree, "sites"), i, s) {
		printf("site %s  wan_mtu %s  latency %s ms\n", out_str(s, "name"), out_uint(s, "wan_mtu"),
		       out_uint(s, "latency_ms"));
		print_hosts(json_object_get(s, "hosts"), gen, "  ");
	}
	list = json_object_get(tree, "hosts_without_site");
	if (json_array_size(list)) {
		printf("no site\n");
		print_hosts(list, gen, "  ");
	}
	list = json_object_get(tree, "unregistered_hosts");
	json_array_foreach(list, i, s) {
		printf("host %s  not registered\n", out_str(s, "name"));
		print_ports(json_object_get(s, "ports"), "  ");
	}
	list = json_object_get(tree, "ports_without_host");
	if (json_array_size(list)) {
		printf("no host\n");
		print_ports(list, "  ");
	}
out:
	json_decref(tree);
	json_decref(d.global);
	json_decref(d.sites);
	json_decref(d.hosts);
	json_decref(d.ports);
	json_decref(d.groups);
	return rc;
}

const struct dvsctl_cmd dvsctl_show_cmds[] = {
	{{"show", NULL}, cmd_show, NULL, "the cluster: sites, hosts, ports, generations, errors",
	 "A tree: site -> host (status, VTEP, applied/cluster generation) -> port (group,\n"
	 "state, generation, configuration error).  Then hosts without a site, hosts that ports\n"
	 "name but that never registered, and ports without a host.\n", 0},
	{{NULL}, NULL, NULL, NULL, NULL, 0},
};
