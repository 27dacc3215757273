/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing and validation of the switchd JSON config.  Every error names the field and what is
 * allowed; a config is applied only when all of it is valid. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/profile.h"

static const char *const port_type_names[] = {
	[DVS_PORT_VHOST] = "vhost-user",
	[DVS_PORT_TAP] = "tap",
	[DVS_PORT_KERNEL] = "kernel",
	[DVS_PORT_UPLINK] = "uplink",
};

const char *
dvs_port_type_name(enum dvs_port_type t)
{
	return (unsigned)t < DVS_ARRAY_SIZE(port_type_names) ? port_type_names[t] : "?";
}

void
dvs_config_defaults(struct dvs_switchd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->n_lcores = 1;
	c->lcores[0] = 1;
	c->main_lcore = 0;
	c->mem_mb = 512;
	c->idle_sleep_us = 50;
	c->fdb_aging_s = 300;
	c->fdb_max = 65536;
	c->fdb_max_per_port = 4096;
	snprintf(c->ctl_socket, sizeof(c->ctl_socket), "/run/dvs/switchd.sock");
}

static bool
name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_' || ch == '.';
}

/* Copies a string member into 'dst'.  Missing is fine unless 'required'. */
static int
get_str(const json_t *o, const char *key, char *dst, size_t size, bool required,
	struct dvs_err *err)
{
	const json_t *v = json_object_get(o, key);

	if (!v) {
		if (required)
			return dvs_err_set(err, EINVAL, "%s: missing (required)", key);
		return 0;
	}
	if (!json_is_string(v))
		return dvs_err_set(err, EINVAL, "%s: must be a string", key);
	if (json_string_length(v) == 0 && required)
		return dvs_err_set(err, EINVAL, "%s: must not be empty", key);
	if (json_string_length(v) >= size)
		return dvs_err_set(err, EINVAL, "%s: \"%s\" too long (at most %zu characters)", key,
				   json_string_value(v), size - 1);
	snprintf(dst, size, "%s", json_string_value(v));
	return 0;
}

static int
get_uint(const json_t *o, const char *key, uint64_t min, uint64_t max, uint64_t *out,
	 struct dvs_err *err)
{
	const json_t *v = json_object_get(o, key);

	if (!v)
		return 1; /* absent: keep default */
	if (!json_is_integer(v))
		return dvs_err_set(err, EINVAL, "%s: must be an integer in %llu..%llu", key,
				   (unsigned long long)min, (unsigned long long)max);
	json_int_t i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return dvs_err_set(err, EINVAL, "%s: %lld out of range %llu..%llu", key, (long long)i,
				   (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)i;
	return 0;
}

static int
get_bool(const json_t *o, const char *key, bool *out, struct dvs_err *err)
{
	const json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return dvs_err_set(err, EINVAL, "%s: must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

static int
check_keys(const json_t *o, const char *const *allowed, const char *allowed_text,
	   struct dvs_err *err)
{
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (!strcmp(*a, key))
				ok = true;
		if (!ok)
			return dvs_err_set(err, EINVAL, "%s: unknown field (known: %s)", key,
					   allowed_text);
	}
	return 0;
}

_Static_assert(DVS_VLAN_WORDS == DVS_PROFILE_VLAN_WORDS && DVS_VLAN_MAX == DVS_PROFILE_VLAN_MAX,
	       "the config's VLAN bitmaps are lib/profile.h's");

int
dvs_vlan_list_parse(const char *s, uint64_t bm[DVS_VLAN_WORDS], struct dvs_err *err)
{
	/* A port group may have no trunk list; a port's "trunks", when given, names some. */
	if (!*s) {
		memset(bm, 0, DVS_VLAN_WORDS * sizeof(uint64_t));
		return dvs_err_set(err, EINVAL, "empty VLAN list (expected e.g. \"10,20-30\")");
	}
	return dvs_profile_vlans_parse(s, bm, err);
}

char *
dvs_vlan_list_format(const uint64_t bm[DVS_VLAN_WORDS], char *buf, size_t size)
{
	return dvs_profile_vlans_format(bm, buf, size);
}

static const char *const port_keys[] = {
	"name", "type", "path", "client", "queues", "ifname", "netns", "driver", "pci",
	"vdev", "vlan_mode", "tag", "trunks", "native_vlan", "mac", "fdb_max",
	"acl", "security", "shaping", "storm", NULL,
};

static int
parse_port_vlan(const json_t *j, struct dvs_port_conf *p, struct dvs_err *err)
{
	char mode[16] = "";
	char trunks[1024] = "";
	uint64_t u;
	int rc;

	if ((rc = get_str(j, "vlan_mode", mode, sizeof(mode), false, err)) < 0)
		return rc;
	if (!mode[0])
		snprintf(mode, sizeof(mode), "%s", p->type == DVS_PORT_UPLINK ? "trunk" : "access");
	if (!strcmp(mode, "access"))
		p->vlan_mode = DVS_VLAN_ACCESS;
	else if (!strcmp(mode, "trunk"))
		p->vlan_mode = DVS_VLAN_TRUNK;
	else
		return dvs_err_set(err, EINVAL, "vlan_mode: \"%s\" is not one of access, trunk", mode);

	if ((rc = get_uint(j, "tag", 0, DVS_VLAN_MAX, &u, err)) < 0)
		return rc;
	if (rc == 0) {
		if (p->vlan_mode != DVS_VLAN_ACCESS)
			return dvs_err_set(err, EINVAL, "tag: only for vlan_mode access (use trunks and native_vlan)");
		p->tag = (uint16_t)u;
	}
	if ((rc = get_uint(j, "native_vlan", 0, DVS_VLAN_MAX, &u, err)) < 0)
		return rc;
	if (rc == 0) {
		if (p->vlan_mode != DVS_VLAN_TRUNK)
			return dvs_err_set(err, EINVAL, "native_vlan: only for vlan_mode trunk");
		p->native_vlan = (uint16_t)u;
	}
	if ((rc = get_str(j, "trunks", trunks, sizeof(trunks), false, err)) < 0)
		return rc;
	if (trunks[0]) {
		if (p->vlan_mode != DVS_VLAN_TRUNK)
			return dvs_err_set(err, EINVAL, "trunks: only for vlan_mode trunk");
		if (dvs_vlan_list_parse(trunks, p->trunks, err) < 0) {
			dvs_err_prefix(err, "trunks");
			return -EINVAL;
		}
	} else if (p->vlan_mode == DVS_VLAN_TRUNK) {
		/* A trunk without a list carries every VLAN, as on a physical switch. */
		dvs_vlan_list_parse("1-4094", p->trunks, NULL);
	}
	if (p->vlan_mode == DVS_VLAN_TRUNK && p->native_vlan)
		p->trunks[p->native_vlan >> 6] |= 1ull << (p->native_vlan & 63);
	return 0;
}

/* The DPDK virtual devices an uplink may be: those of the Debian DPDK that carry frames
 * between processes or to the kernel.  (A crypto or event vdev is no port.) */
static const char *const vdev_drivers[] = {
	"net_memif", "net_af_packet", "net_af_xdp", "net_tap", "net_vhost", "net_virtio_user", NULL,
};
#define VDEV_DRIVERS_TEXT "net_memif, net_af_packet, net_af_xdp, net_tap, net_vhost, net_virtio_user"

int
dvs_vdev_split(const char *vdev, char *name, size_t name_size, const char **args)
{
	size_t n = strcspn(vdev, ",");

	if (n >= name_size)
		return -EINVAL;
	memcpy(name, vdev, n);
	name[n] = '\0';
	*args = vdev[n] ? vdev + n + 1 : vdev + n;
	return 0;
}

/* Checks a 'vdev' value: a known driver prefix, then an instance name of its own (switchd
 * names its own devices DRIVER_dvsN), then the driver's arguments. */
static int
check_vdev(const char *vdev, struct dvs_err *err)
{
	char name[DVS_VDEV_NAME_MAX];
	const char *args, *drv = NULL;

	if (dvs_vdev_split(vdev, name, sizeof(name), &args) < 0)
		return dvs_err_set(err, EINVAL, "vdev: \"%s\": device name too long (at most %d characters before the first ',')",
				   vdev, DVS_VDEV_NAME_MAX - 1);
	if (!name[0])
		return dvs_err_set(err, EINVAL, "vdev: \"%s\": missing device name (expected e.g. \"net_memif0,socket=/run/dvs/up.sock,role=client\")", vdev);
	for (const char *const *d = vdev_drivers; *d; d++)
		if (!strncmp(name, *d, strlen(*d)) && (!drv || strlen(*d) > strlen(drv)))
			drv = *d;
	if (!drv)
		return dvs_err_set(err, EINVAL, "vdev: \"%s\": unsupported driver (the name must start with one of " VDEV_DRIVERS_TEXT ")", name);
	const char *inst = name + strlen(drv);
	if (!*inst)
		return dvs_err_set(err, EINVAL, "vdev: \"%s\": missing instance name after the driver (e.g. %s0; DPDK device names are unique in a process)", name, drv);
	for (const char *c = inst; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return dvs_err_set(err, EINVAL, "vdev: \"%s\": the instance name may only contain letters, digits and '_'", name);
	const char *own = strstr(inst, "_dvs");
	if (own && own[4] >= '0' && own[4] <= '9' && own[4 + strspn(own + 4, "0123456789")] == '\0')
		return dvs_err_set(err, EINVAL, "vdev: \"%s\": names ending in _dvsN are switchd's own devices; choose another", name);
	for (const char *c = args; *c; c++)
		if (*c == ' ' || *c == '\t' || *c == '\n')
			return dvs_err_set(err, EINVAL, "vdev: \"%s\": no spaces in the arguments (KEY=VALUE,KEY=VALUE)", vdev);
	return 0;
}

int
dvs_port_conf_parse(const json_t *j, struct dvs_port_conf *p, struct dvs_err *err)
{
	char type[16] = "", mac[32] = "";
	uint64_t u;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!json_is_object(j))
		return dvs_err_set(err, EINVAL, "a port must be a JSON object");
	if ((rc = check_keys(j, port_keys,
			     "name, type, path, client, queues, ifname, netns, driver, pci, "
			     "vdev, vlan_mode, tag, trunks, native_vlan, mac, fdb_max, "
			     "acl, security, shaping, storm", err)) < 0)
		return rc;
	if ((rc = get_str(j, "name", p->name, sizeof(p->name), true, err)) < 0)
		return rc;
	for (const char *c = p->name; *c; c++)
		if (!name_char_ok(*c))
			return dvs_err_set(err, EINVAL, "name: \"%s\" may only contain letters, digits, '-', '_' and '.'", p->name);
	if ((rc = get_str(j, "type", type, sizeof(type), true, err)) < 0)
		return rc;
	for (rc = 0; rc < (int)DVS_ARRAY_SIZE(port_type_names); rc++)
		if (!strcmp(type, port_type_names[rc]))
			break;
	if (rc == (int)DVS_ARRAY_SIZE(port_type_names))
		return dvs_err_set(err, EINVAL, "type: \"%s\" is not one of vhost-user, tap, kernel, uplink", type);
	p->type = (enum dvs_port_type)rc;

	if ((rc = get_str(j, "path", p->path, sizeof(p->path), p->type == DVS_PORT_VHOST, err)) < 0 ||
	    (rc = get_bool(j, "client", &p->client, err)) < 0 ||
	    (rc = get_str(j, "ifname", p->ifname, sizeof(p->ifname),
			  p->type == DVS_PORT_TAP || p->type == DVS_PORT_KERNEL, err)) < 0 ||
	    (rc = get_str(j, "netns", p->netns, sizeof(p->netns), false, err)) < 0 ||
	    (rc = get_str(j, "driver", p->driver, sizeof(p->driver), false, err)) < 0 ||
	    (rc = get_str(j, "pci", p->pci, sizeof(p->pci), false, err)) < 0 ||
	    (rc = get_str(j, "vdev", p->vdev, sizeof(p->vdev), false, err)) < 0 ||
	    (rc = get_str(j, "mac", mac, sizeof(mac), false, err)) < 0)
		goto out;
	if (p->type != DVS_PORT_VHOST && (json_object_get(j, "path") || json_object_get(j, "client")))
		return dvs_err_set(err, EINVAL, "path/client: only for type vhost-user");
	if (p->type == DVS_PORT_VHOST && p->path[0] != '/')
		return dvs_err_set(err, EINVAL, "path: \"%s\" must be an absolute socket path", p->path);
	if (p->netns[0] && p->type != DVS_PORT_TAP)
		return dvs_err_set(err, EINVAL, "netns: only for type tap");
	if (json_object_get(j, "vdev")) {
		if (p->type != DVS_PORT_UPLINK)
			return dvs_err_set(err, EINVAL, "vdev: only for type uplink");
		if ((rc = check_vdev(p->vdev, err)) < 0)
			goto out;
	}
	if (p->type == DVS_PORT_UPLINK && !p->ifname[0] && !p->pci[0] && !p->vdev[0])
		return dvs_err_set(err, EINVAL, "uplink: needs ifname (kernel interface), pci (DPDK device) or vdev (DPDK virtual device)");
	if (p->type == DVS_PORT_UPLINK && !!p->ifname[0] + !!p->pci[0] + !!p->vdev[0] > 1)
		return dvs_err_set(err, EINVAL, "uplink: give one of ifname, pci, vdev");
	if (p->driver[0] && p->vdev[0])
		return dvs_err_set(err, EINVAL, "driver: not with vdev (the vdev's name gives its driver)");
	if (p->driver[0]) {
		if (p->type != DVS_PORT_KERNEL && p->type != DVS_PORT_UPLINK)
			return dvs_err_set(err, EINVAL, "driver: only for types kernel and uplink");
		if (strcmp(p->driver, "af_packet") && strcmp(p->driver, "af_xdp"))
			return dvs_err_set(err, EINVAL, "driver: \"%s\" is not one of af_packet, af_xdp", p->driver);
	} else if (p->type == DVS_PORT_KERNEL || (p->type == DVS_PORT_UPLINK && p->ifname[0])) {
		snprintf(p->driver, sizeof(p->driver), "af_packet");
	}
	p->queues = 1;
	if ((rc = get_uint(j, "queues", 1, 8, &u, err)) < 0)
		goto out;
	if (rc == 0) {
		if (p->type != DVS_PORT_VHOST)
			return dvs_err_set(err, EINVAL, "queues: only for type vhost-user");
		p->queues = (uint16_t)u;
	}
	if ((rc = get_uint(j, "fdb_max", 1, 1u << 20, &u, err)) < 0)
		goto out;
	if (rc == 0)
		p->fdb_max = (uint32_t)u;
	if (mac[0]) {
		if (dvs_profile_mac_parse(mac, p->mac) < 0)
			return dvs_err_set(err, EINVAL, "mac: \"%s\" is not a MAC address (xx:xx:xx:xx:xx:xx)", mac);
		if (p->mac[0] & 1)
			return dvs_err_set(err, EINVAL, "mac: \"%s\" is a multicast address", mac);
		p->has_mac = true;
	}
	if ((rc = parse_port_vlan(j, p, err)) < 0)
		goto out;
	if (p->type == DVS_PORT_UPLINK && p->vlan_mode != DVS_VLAN_TRUNK)
		return dvs_err_set(err, EINVAL, "vlan_mode: an uplink is always a trunk");
	/* On an af_xdp uplink the XDP program hands untagged frames that are not VXLAN to the
	 * host's kernel (its IP, ARP, SSH): they cannot also be a native VLAN of the switch. */
	if (p->type == DVS_PORT_UPLINK && !strcmp(p->driver, "af_xdp") && p->native_vlan)
		return dvs_err_set(err, EINVAL, "native_vlan: not on an af_xdp uplink (untagged frames belong to the host's kernel; use a tagged VLAN)");
	if ((rc = dvs_policy_parse(j, &p->policy, err)) < 0)
		goto out;
	if (p->type == DVS_PORT_UPLINK && !dvs_policy_empty(&p->policy))
		return dvs_err_set(err, EINVAL, "acl/security/shaping/storm: not for an uplink (policy belongs to VM ports)");
	rc = 0;
out:
	if (rc < 0 && p->name[0])
		dvs_err_prefix(err, "port \"%s\"", p->name);
	return rc < 0 ? rc : 0;
}

static const char *const top_keys[] = {
	"lcores", "main_lcore", "file_prefix", "no_huge", "mem_mb", "idle_sleep_us",
	"fdb_aging_s", "fdb_max", "fdb_max_per_port", "ctl_socket", "ports",
	"db", "host_name", "site", "vtep_ip", "snapshot", NULL,
};

static int
parse_lcores(const json_t *v, struct dvs_switchd_conf *c, struct dvs_err *err)
{
	size_t i;
	const json_t *e;

	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > DVS_MAX_LCORES)
		return dvs_err_set(err, EINVAL, "lcores: must be a list of 1..%d lcore ids, e.g. [1]",
				   DVS_MAX_LCORES);
	c->n_lcores = 0;
	json_array_foreach(v, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) >= 128)
			return dvs_err_set(err, EINVAL, "lcores[%zu]: must be an lcore id 0..127", i);
		unsigned id = (unsigned)json_integer_value(e);
		for (unsigned k = 0; k < c->n_lcores; k++)
			if (c->lcores[k] == id)
				return dvs_err_set(err, EINVAL, "lcores[%zu]: lcore %u listed twice", i, id);
		c->lcores[c->n_lcores++] = id;
	}
	return 0;
}

/* DPDK device names are unique in a process: two uplinks on one vdev name would fail at
 * start with a bare EEXIST. */
static int
check_vdev_unique(const struct dvs_switchd_conf *c, const struct dvs_port_conf *p, size_t i,
		  struct dvs_err *err)
{
	char a[DVS_VDEV_NAME_MAX], b[DVS_VDEV_NAME_MAX];
	const char *args;

	if (!p->vdev[0])
		return 0;
	dvs_vdev_split(p->vdev, a, sizeof(a), &args);
	for (unsigned k = 0; k < c->n_ports; k++) {
		if (!c->ports[k].vdev[0])
			continue;
		dvs_vdev_split(c->ports[k].vdev, b, sizeof(b), &args);
		if (!strcmp(a, b))
			return dvs_err_set(err, EINVAL, "ports[%zu].vdev: device name \"%s\" already used by ports[%u] (DPDK device names are unique)", i, a, k);
	}
	return 0;
}

int
dvs_config_parse(const json_t *j, struct dvs_switchd_conf *out, struct dvs_err *err)
{
	struct dvs_switchd_conf *c = malloc(sizeof(*c));
	const json_t *v;
	uint64_t u;
	int rc;

	if (!c)
		return dvs_err_set(err, ENOMEM, "out of memory");
	dvs_config_defaults(c);
	if (!json_is_object(j)) {
		rc = dvs_err_set(err, EINVAL, "the config must be a JSON object");
		goto out;
	}
	if ((rc = check_keys(j, top_keys,
			     "lcores, main_lcore, file_prefix, no_huge, mem_mb, idle_sleep_us, "
			     "fdb_aging_s, fdb_max, fdb_max_per_port, ctl_socket, ports, "
			     "db, host_name, site, vtep_ip, snapshot", err)) < 0)
		goto out;
	if ((v = json_object_get(j, "lcores")) && (rc = parse_lcores(v, c, err)) < 0)
		goto out;
	if ((rc = get_uint(j, "main_lcore", 0, 127, &u, err)) < 0)
		goto out;
	if (rc == 0)
		c->main_lcore = (unsigned)u;
	for (unsigned k = 0; k < c->n_lcores; k++)
		if (c->lcores[k] == c->main_lcore) {
			rc = dvs_err_set(err, EINVAL, "lcores: lcore %u is the main (control) lcore; poll lcores must differ", c->main_lcore);
			goto out;
		}
	if ((rc = get_str(j, "file_prefix", c->file_prefix, sizeof(c->file_prefix), false, err)) < 0 ||
	    (rc = get_bool(j, "no_huge", &c->no_huge, err)) < 0 ||
	    (rc = get_str(j, "ctl_socket", c->ctl_socket, sizeof(c->ctl_socket), false, err)) < 0 ||
	    (rc = get_str(j, "db", c->db, sizeof(c->db), false, err)) < 0 ||
	    (rc = get_str(j, "host_name", c->host_name, sizeof(c->host_name), false, err)) < 0 ||
	    (rc = get_str(j, "site", c->site, sizeof(c->site), false, err)) < 0 ||
	    (rc = get_str(j, "vtep_ip", c->vtep_ip, sizeof(c->vtep_ip), false, err)) < 0 ||
	    (rc = get_str(j, "snapshot", c->snapshot, sizeof(c->snapshot), false, err)) < 0)
		goto out;
	if (c->db[0] && strncmp(c->db, "unix:", 5) && strncmp(c->db, "tcp:", 4) && c->db[0] != '/') {
		rc = dvs_err_set(err, EINVAL, "db: \"%s\" is not unix:PATH or tcp:IP:PORT", c->db);
		goto out;
	}
	static const struct {
		const char *key;
		uint64_t min, max;
		size_t off;
	} nums[] = {
		{"mem_mb", 64, 65536, offsetof(struct dvs_switchd_conf, mem_mb)},
		{"idle_sleep_us", 0, 100000, offsetof(struct dvs_switchd_conf, idle_sleep_us)},
		{"fdb_aging_s", 1, 86400, offsetof(struct dvs_switchd_conf, fdb_aging_s)},
		{"fdb_max", 16, 1u << 24, offsetof(struct dvs_switchd_conf, fdb_max)},
		{"fdb_max_per_port", 1, 1u << 24, offsetof(struct dvs_switchd_conf, fdb_max_per_port)},
	};
	for (size_t k = 0; k < DVS_ARRAY_SIZE(nums); k++) {
		if ((rc = get_uint(j, nums[k].key, nums[k].min, nums[k].max, &u, err)) < 0)
			goto out;
		if (rc == 0)
			*(uint32_t *)((char *)c + nums[k].off) = (uint32_t)u;
	}
	if ((v = json_object_get(j, "ports"))) {
		size_t i;
		const json_t *e;
		if (!json_is_array(v) || json_array_size(v) > DVS_MAX_PORTS) {
			rc = dvs_err_set(err, EINVAL, "ports: must be a list of at most %d ports", DVS_MAX_PORTS);
			goto out;
		}
		json_array_foreach(v, i, e) {
			struct dvs_port_conf *p = &c->ports[c->n_ports];
			if ((rc = dvs_port_conf_parse(e, p, err)) < 0) {
				dvs_err_prefix(err, "ports[%zu]", i);
				goto out;
			}
			for (unsigned k = 0; k < c->n_ports; k++)
				if (!strcmp(c->ports[k].name, p->name)) {
					rc = dvs_err_set(err, EINVAL, "ports[%zu].name: \"%s\" already used by ports[%u]", i, p->name, k);
					goto out;
				}
			if ((rc = check_vdev_unique(c, p, i, err)) < 0)
				goto out;
			c->n_ports++;
		}
	}
	*out = *c;
	rc = 0;
out:
	free(c);
	return rc;
}

int
dvs_config_load(const char *path, struct dvs_switchd_conf *c, struct dvs_err *err)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (!j)
		return dvs_err_set(err, EINVAL, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	rc = dvs_config_parse(j, c, err);
	if (rc < 0)
		dvs_err_prefix(err, "%s", path);
	json_decref(j);
	return rc;
}

json_t *
dvs_port_conf_to_json(const struct dvs_port_conf *p)
{
	json_t *o = json_pack("{s:s, s:s}", "name", p->name, "type", dvs_port_type_name(p->type));
	char buf[1024];

	if (!o)
		return NULL;
	if (p->type == DVS_PORT_VHOST) {
		json_object_set_new(o, "path", json_string(p->path));
		json_object_set_new(o, "client", json_boolean(p->client));
		json_object_set_new(o, "queues", json_integer(p->queues));
	}
	if (p->ifname[0])
		json_object_set_new(o, "ifname", json_string(p->ifname));
	if (p->netns[0])
		json_object_set_new(o, "netns", json_string(p->netns));
	if (p->driver[0])
		json_object_set_new(o, "driver", json_string(p->driver));
	if (p->pci[0])
		json_object_set_new(o, "pci", json_string(p->pci));
	if (p->vdev[0])
		json_object_set_new(o, "vdev", json_string(p->vdev));
	json_object_set_new(o, "vlan_mode", json_string(p->vlan_mode == DVS_VLAN_ACCESS ? "access" : "trunk"));
	if (p->vlan_mode == DVS_VLAN_ACCESS) {
		json_object_set_new(o, "tag", json_integer(p->tag));
	} else {
		json_object_set_new(o, "trunks", json_string(dvs_vlan_list_format(p->trunks, buf, sizeof(buf))));
		json_object_set_new(o, "native_vlan", json_integer(p->native_vlan));
	}
	if (p->has_mac) {
		snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", p->mac[0], p->mac[1],
			 p->mac[2], p->mac[3], p->mac[4], p->mac[5]);
		json_object_set_new(o, "mac", json_string(buf));
	}
	if (p->fdb_max)
		json_object_set_new(o, "fdb_max", json_integer(p->fdb_max));
	dvs_policy_to_json(&p->policy, o);
	return o;
}
