/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl port commands: list, show, add, del, set.  Today they act on one host's dvs-switchd
 * through its control socket (docs/design/control-socket.md); with the cluster (issue #4) the
 * same words will write Port rows through the DB when --db is given. */

#include "dvsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* "access 10", "trunk 10,20-30 native 5" */
static const char *
vlan_text(const json_t *p, char *buf, size_t size)
{
	const char *mode = json_string_value(json_object_get(p, "vlan_mode"));
	json_int_t native = json_integer_value(json_object_get(p, "native_vlan"));

	if (mode && !strcmp(mode, "trunk")) {
		const char *trunks = json_string_value(json_object_get(p, "trunks"));

		if (native)
			snprintf(buf, size, "trunk %s native %lld", trunks && *trunks ? trunks : "none",
				 (long long)native);
		else
			snprintf(buf, size, "trunk %s", trunks && *trunks ? trunks : "none");
	} else if (mode) {
		snprintf(buf, size, "access %lld", (long long)json_integer_value(json_object_get(p, "tag")));
	} else {
		snprintf(buf, size, "-");
	}
	return buf;
}

/* Where the port's frames come from: the vhost-user socket (with its mode), the interface
 * (with its netns or driver), or the PCI device. */
static const char *
backing_text(const json_t *p, char *buf, size_t size)
{
	const char *path = json_string_value(json_object_get(p, "path"));
	const char *ifname = json_string_value(json_object_get(p, "ifname"));
	const char *netns = json_string_value(json_object_get(p, "netns"));
	const char *pci = json_string_value(json_object_get(p, "pci"));
	const char *driver = json_string_value(json_object_get(p, "driver"));

	if (path)
		snprintf(buf, size, "%s (%s)", path,
			 json_is_true(json_object_get(p, "client")) ? "client" : "server");
	else if (ifname && netns && *netns)
		snprintf(buf, size, "%s (netns %s)", ifname, netns);
	else if (ifname && driver)
		snprintf(buf, size, "%s (%s)", ifname, driver);
	else if (ifname)
		snprintf(buf, size, "%s", ifname);
	else if (pci)
		snprintf(buf, size, "pci %s", pci);
	else
		snprintf(buf, size, "-");
	return buf;
}

static int
cmd_port_list(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	static const struct out_col cols[] = {
		{"NAME", false}, {"TYPE", false}, {"STATUS", false},
		{"VLAN", false}, {"MAC", false},  {"BACKING", false},
	};
	struct out_table *t = NULL;
	json_t *res = NULL;
	size_t i;
	json_t *p;
	int rc;

	if ((rc = dvsctl_no_args(ctx, argc, argv)) ||
	    (rc = dvsctl_switchd_call(ctx, "ports.list", NULL, &res)))
		goto out;
	out_sort_by(res, "name");
	if (dvsctl_maybe_json(ctx, res))
		goto out;
	t = out_table_create(cols, OUT_N(cols));
	if (!t) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "out of memory");
		goto out;
	}
	json_array_foreach(res, i, p) {
		char vlan[128], backing[192];

		out_table_row(t);
		out_table_cell(t, "%s", out_str(p, "name"));
		out_table_cell(t, "%s", out_str(p, "type"));
		out_table_cell(t, "%s", out_str(p, "status"));
		out_table_cell(t, "%s", vlan_text(p, vlan, sizeof(vlan)));
		out_table_cell(t, "%s", out_str(p, "mac"));
		out_table_cell(t, "%s", backing_text(p, backing, sizeof(backing)));
	}
	out_table_print(t, stdout);
out:
	out_table_destroy(t);
	json_decref(res);
	return rc;
}

static int
cmd_port_show(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt opts[] = {{NULL, false, NULL}};
	json_t *res = NULL, *port = NULL, *p, *v;
	const char *name, *key;
	size_t i;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, &name, 1, 1, "NAME (a port name)")) ||
	    (rc = dvsctl_check_port_name(ctx, "NAME", name)) ||
	    (rc = dvsctl_switchd_call(ctx, "ports.list", NULL, &res)))
		goto out;
	json_array_foreach(res, i, p) {
		if (!strcmp(out_str(p, "name"), name))
			port = p;
	}
	if (!port) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "no such port \"%s\" (see dvsctl port list)", name);
		goto out;
	}
	if (dvsctl_maybe_json(ctx, port))
		goto out;
	/* Sorted like the JSON, so a person and a script read the same order. */
	{
		json_t *sorted = json_array();

		json_object_foreach(port, key, v)
			json_array_append_new(sorted, json_pack("{s:s}", "name", key));
		out_sort_by(sorted, "name");
		json_array_foreach(sorted, i, p) {
			key = json_string_value(json_object_get(p, "name"));
			printf("%-12s %s\n", key, out_str(port, key));
		}
		json_decref(sorted);
	}
out:
	json_decref(res);
	return rc;
}

/* --access / --trunk / --native into the control socket's VLAN fields of 'obj'.  'required':
 * one of --access or --trunk must be given (port set). */
static int
vlan_args(struct dvsctl_ctx *ctx, const char *access, const char *trunk, const char *native,
	  bool required, json_t *obj)
{
	unsigned v;
	char list[8192];
	int rc;

	if (access && trunk)
		return dvsctl_usage(ctx, "--access and --trunk exclude each other (a port is one or the other)");
	if (native && !trunk)
		return dvsctl_usage(ctx, "--native is only for a trunk (give --trunk LIST too)");
	if (required && !access && !trunk)
		return dvsctl_usage(ctx, "give --access VLAN or --trunk LIST [--native VLAN]");
	if (access) {
		if ((rc = dvsctl_parse_vlan(ctx, "--access", access, &v)))
			return rc;
		json_object_set_new(obj, "vlan_mode", json_string("access"));
		json_object_set_new(obj, "tag", json_integer(v));
	}
	if (trunk) {
		if ((rc = dvsctl_parse_vlan_list(ctx, "--trunk", trunk, list, sizeof(list))))
			return rc;
		json_object_set_new(obj, "vlan_mode", json_string("trunk"));
		json_object_set_new(obj, "trunks", json_string(list));
	}
	if (native) {
		if ((rc = dvsctl_parse_vlan(ctx, "--native", native, &v)))
			return rc;
		json_object_set_new(obj, "native_vlan", json_integer(v));
	}
	return 0;
}

enum { PA_TYPE, PA_PATH, PA_CLIENT, PA_QUEUES, PA_IFNAME, PA_NETNS, PA_DRIVER, PA_PCI, PA_ACCESS,
       PA_TRUNK, PA_NATIVE, PA_MAC };

/* Which options each port type takes, for precise "only for" messages. */
static int
port_add_check_type(struct dvsctl_ctx *ctx, const char *type, const struct dvsctl_opt *o)
{
	static const struct {
		int opt;
		const char *types;
	} only[] = {
		{PA_PATH, "vhost-user"},   {PA_CLIENT, "vhost-user"},      {PA_QUEUES, "vhost-user"},
		{PA_IFNAME, "tap, kernel, uplink"}, {PA_NETNS, "tap"}, {PA_DRIVER, "kernel, uplink"},
		{PA_PCI, "uplink"},
	};

	for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++) {
		const char *t = only[i].types;
		size_t len = strlen(type);
		bool ok = false;

		if (!o[only[i].opt].value)
			continue;
		for (const char *s = t; (s = strstr(s, type)); s += len)
			if ((s == t || s[-1] == ' ') && (s[len] == ',' || s[len] == '\0'))
				ok = true;
		if (!ok)
			return dvsctl_usage(ctx, "--%s: only for --type %s, not %s", o[only[i].opt].name,
					    t, type);
	}
	if (!strcmp(type, "vhost-user") && !o[PA_PATH].value)
		return dvsctl_usage(ctx, "--type vhost-user needs --path SOCKET");
	if ((!strcmp(type, "tap") || !strcmp(type, "kernel")) && !o[PA_IFNAME].value)
		return dvsctl_usage(ctx, "--type %s needs --ifname IFNAME", type);
	if (!strcmp(type, "uplink") && !o[PA_IFNAME].value == !o[PA_PCI].value)
		return dvsctl_usage(ctx, "--type uplink needs exactly one of --ifname IFNAME or --pci ADDR");
	if (!strcmp(type, "uplink") && o[PA_ACCESS].value)
		return dvsctl_usage(ctx, "--access: an uplink is always a trunk (use --trunk LIST)");
	return 0;
}

static int
cmd_port_add(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt o[] = {
		[PA_TYPE] = {"type", true, NULL},     [PA_PATH] = {"path", true, NULL},
		[PA_CLIENT] = {"client", false, NULL}, [PA_QUEUES] = {"queues", true, NULL},
		[PA_IFNAME] = {"ifname", true, NULL}, [PA_NETNS] = {"netns", true, NULL},
		[PA_DRIVER] = {"driver", true, NULL}, [PA_PCI] = {"pci", true, NULL},
		[PA_ACCESS] = {"access", true, NULL}, [PA_TRUNK] = {"trunk", true, NULL},
		[PA_NATIVE] = {"native", true, NULL}, [PA_MAC] = {"mac", true, NULL},
		{NULL, false, NULL},
	};
	static const char *const types[] = {"vhost-user", "tap", "kernel", "uplink"};
	json_t *port = json_object(), *res = NULL;
	const char *name, *type;
	bool type_ok = false;
	uint64_t q;
	char mac[18];
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, o, &name, 1, 1, "NAME (the new port's name)")) ||
	    (rc = dvsctl_check_port_name(ctx, "NAME", name)))
		goto out;
	type = o[PA_TYPE].value;
	if (!type) {
		rc = dvsctl_usage(ctx, "missing --type (one of vhost-user, tap, kernel, uplink)");
		goto out;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		type_ok |= !strcmp(type, types[i]);
	if (!type_ok) {
		rc = dvsctl_usage(ctx, "--type \"%s\": must be one of vhost-user, tap, kernel, uplink", type);
		goto out;
	}
	if ((rc = port_add_check_type(ctx, type, o)))
		goto out;
	json_object_set_new(port, "name", json_string(name));
	json_object_set_new(port, "type", json_string(type));
	if (o[PA_PATH].value) {
		if (o[PA_PATH].value[0] != '/' || strlen(o[PA_PATH].value) >= 108) {
			rc = dvsctl_usage(ctx, "--path \"%s\": must be an absolute socket path under 108 bytes",
					  o[PA_PATH].value);
			goto out;
		}
		json_object_set_new(port, "path", json_string(o[PA_PATH].value));
		json_object_set_new(port, "client", json_boolean(o[PA_CLIENT].value != NULL));
	}
	if (o[PA_QUEUES].value) {
		if ((rc = dvsctl_parse_uint(ctx, "--queues", o[PA_QUEUES].value, 1, 8, &q)))
			goto out;
		json_object_set_new(port, "queues", json_integer((json_int_t)q));
	}
	if (o[PA_IFNAME].value) {
		if (strlen(o[PA_IFNAME].value) > 15 || strchr(o[PA_IFNAME].value, '/') ||
		    strpbrk(o[PA_IFNAME].value, " \t:")) {
			rc = dvsctl_usage(ctx, "--ifname \"%s\": not an interface name (1..15 characters, no '/', ':' or blanks)",
					  o[PA_IFNAME].value);
			goto out;
		}
		json_object_set_new(port, "ifname", json_string(o[PA_IFNAME].value));
	}
	if (o[PA_NETNS].value) {
		if (strlen(o[PA_NETNS].value) >= 64 || strchr(o[PA_NETNS].value, '/')) {
			rc = dvsctl_usage(ctx, "--netns \"%s\": not a network namespace name (as in 'ip netns', under 64 characters)",
					  o[PA_NETNS].value);
			goto out;
		}
		json_object_set_new(port, "netns", json_string(o[PA_NETNS].value));
	}
	if (o[PA_DRIVER].value) {
		if (strcmp(o[PA_DRIVER].value, "af_packet") && strcmp(o[PA_DRIVER].value, "af_xdp")) {
			rc = dvsctl_usage(ctx, "--driver \"%s\": must be af_packet or af_xdp", o[PA_DRIVER].value);
			goto out;
		}
		json_object_set_new(port, "driver", json_string(o[PA_DRIVER].value));
	}
	if (o[PA_PCI].value)
		json_object_set_new(port, "pci", json_string(o[PA_PCI].value));
	if (o[PA_MAC].value) {
		if ((rc = dvsctl_parse_mac(ctx, "--mac", o[PA_MAC].value, mac)))
			goto out;
		json_object_set_new(port, "mac", json_string(mac));
	}
	if ((rc = vlan_args(ctx, o[PA_ACCESS].value, o[PA_TRUNK].value, o[PA_NATIVE].value,
			    !strcmp(type, "uplink"), port)))
		goto out;
	rc = dvsctl_switchd_call(ctx, "port.add", port, &res);
	port = NULL;
	if (rc == DVSCTL_OK)
		dvsctl_maybe_json(ctx, res);
out:
	json_decref(port);
	json_decref(res);
	return rc;
}

static int
cmd_port_del(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt opts[] = {{NULL, false, NULL}};
	json_t *res = NULL;
	const char *name;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, opts, &name, 1, 1, "NAME (the port to delete)")) ||
	    (rc = dvsctl_check_port_name(ctx, "NAME", name)))
		return rc;
	rc = dvsctl_switchd_call(ctx, "port.del", json_pack("{s:s}", "name", name), &res);
	if (rc == DVSCTL_OK)
		dvsctl_maybe_json(ctx, res);
	json_decref(res);
	return rc;
}

static int
cmd_port_set(struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt o[] = {
		{"access", true, NULL}, {"trunk", true, NULL}, {"native", true, NULL}, {NULL, false, NULL},
	};
	json_t *args = json_object(), *res = NULL;
	const char *name;
	int rc;

	if ((rc = dvsctl_args_parse(ctx, argc, argv, o, &name, 1, 1, "NAME (the port to change)")) ||
	    (rc = dvsctl_check_port_name(ctx, "NAME", name)) ||
	    (rc = vlan_args(ctx, o[0].value, o[1].value, o[2].value, true, args)))
		goto out;
	json_object_set_new(args, "name", json_string(name));
	rc = dvsctl_switchd_call(ctx, "port.set_vlan", args, &res);
	args = NULL;
	if (rc == DVSCTL_OK)
		dvsctl_maybe_json(ctx, res);
out:
	json_decref(args);
	json_decref(res);
	return rc;
}

const struct dvsctl_cmd dvsctl_port_cmds[] = {
	{{"port", "list", NULL}, cmd_port_list, NULL, "list the switch's ports with type, status, VLAN and backing",
	 "Columns: NAME TYPE STATUS VLAN MAC BACKING, sorted by name.\n"},
	{{"port", "show", NULL}, cmd_port_show, "NAME", "show every attribute of one port", NULL},
	{{"port", "add", NULL}, cmd_port_add,
	 "NAME --type vhost-user|tap|kernel|uplink [--path P] [--client] [--queues N] [--ifname I] "
	 "[--netns NS] [--driver af_packet|af_xdp] [--pci ADDR] [--access VLAN | --trunk LIST [--native VLAN]] [--mac MAC]",
	 "add a port to the running switch",
	 "  NAME               1..31 letters, digits, '-', '_', '.'\n"
	 "  --type vhost-user  a VM's virtio-net: --path SOCKET (absolute), --client to connect to\n"
	 "                     QEMU's server socket instead of listening, --queues 1..8\n"
	 "  --type tap         a tap the switch creates: --ifname NAME, --netns NS to move it there\n"
	 "  --type kernel      an existing interface (veth, QEMU's tap): --ifname NAME,\n"
	 "                     --driver af_packet (default) or af_xdp\n"
	 "  --type uplink      toward the physical network, always a trunk: --ifname NAME or\n"
	 "                     --pci ADDR, --driver as for kernel\n"
	 "  --access VLAN      untagged port in VLAN 0..4094 (default: access 0)\n"
	 "  --trunk LIST       tagged VLANs allowed, e.g. 10,20-30; --native VLAN for untagged frames\n"
	 "  --mac MAC          the port's address: installed as a static FDB entry\n"
	 "Example: dvsctl port add vm1 --type vhost-user --path /run/dvs/vm1.sock --access 10\n"},
	{{"port", "del", NULL}, cmd_port_del, "NAME", "remove a port from the running switch", NULL},
	{{"port", "set", NULL}, cmd_port_set, "NAME --access VLAN | --trunk LIST [--native VLAN]",
	 "change a port's VLAN policy",
	 "Example: dvsctl port set uplink0 --trunk 10,20-30 --native 1\n"},
	{{NULL}, NULL, NULL, NULL, NULL},
};
