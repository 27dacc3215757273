/* SPDX-License-Identifier: Apache-2.0 */
/* Effective port profiles: PortGroup columns overridden by Port.overrides, validated.
 *
 * Every column is read through one "effective value" accessor that looks at the override
 * first (a string in dvsctl syntax) and at the group's wire value otherwise, and remembers
 * which one it used, so that an error names the place the user has to fix:
 * "overrides:tag" for a port's override, 'port group "web": tag' for the group's column. */
#include "profile.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *const vlan_mode_names[] = {"access", "trunk"};
static const char *const acl_action_names[] = {"allow", "drop", "reject"};
static const char *const backing_names[] = {"none", "vhost-user", "tap", "kernel"};

/* The PortGroup columns a port may override (Port.overrides keys). */
static const char *const overridable[] = {
	"vlan_mode", "tag", "trunks", "native_vlan", "allow_promiscuous", "allow_mac_changes",
	"allow_forged_transmits", "ip_mac_binding", "arp_suppression", "ingress_average_bps",
	"ingress_peak_bps", "ingress_burst_bytes", "egress_average_bps", "egress_peak_bps",
	"egress_burst_bytes",
	"default_acl_action", "storm_broadcast_pps", "storm_multicast_pps",
	"storm_unknown_unicast_pps", "mtu",
};

const char *
dvs_profile_vlan_mode_name(enum dvs_profile_vlan_mode m)
{
	return (unsigned)m < DVS_ARRAY_SIZE(vlan_mode_names) ? vlan_mode_names[m] : "?";
}

const char *
dvs_profile_acl_action_name(enum dvs_profile_acl_action a)
{
	return (unsigned)a < DVS_ARRAY_SIZE(acl_action_names) ? acl_action_names[a] : "?";
}

const char *
dvs_profile_backing_name(enum dvs_profile_backing b)
{
	return (unsigned)b < DVS_ARRAY_SIZE(backing_names) ? backing_names[b] : "?";
}

/* ---- wire values ---- */

static bool
is_tagged(const json_t *j, const char *tag)
{
	return json_is_array(j) && json_array_size(j) == 2 &&
	       json_is_string(json_array_get(j, 0)) &&
	       !strcmp(json_string_value(json_array_get(j, 0)), tag);
}

/* The elements of a set column: ["set", [...]] or a bare atom.  Returns a borrowed array
 * (or *tmp, new, which the caller releases), NULL if 'v' is absent. */
static const json_t *
set_elems(const json_t *v, json_t **tmp)
{
	*tmp = NULL;
	if (!v)
		return NULL;
	if (is_tagged(v, "set") && json_is_array(json_array_get(v, 1)))
		return json_array_get(v, 1);
	*tmp = json_pack("[O]", v);
	return *tmp;
}

/* The value for 'key' in a ["map", [[k, v], ...]] column (borrowed), or NULL. */
static const json_t *
map_get(const json_t *map, const char *key)
{
	const json_t *pairs = is_tagged(map, "map") ? json_array_get(map, 1) : NULL;
	const json_t *pair;
	size_t i;

	json_array_foreach(pairs, i, pair) {
		const json_t *k = json_array_get(pair, 0);

		if (json_is_string(k) && !strcmp(json_string_value(k), key))
			return json_array_get(pair, 1);
	}
	return NULL;
}

static const char *
uuid_of(const json_t *atom)
{
	return is_tagged(atom, "uuid") && json_is_string(json_array_get(atom, 1))
		       ? json_string_value(json_array_get(atom, 1)) : NULL;
}

/* ---- the effective value of one column ---- */

struct resolver {
	const json_t *pg;   /* group row */
	const json_t *port; /* port row, NULL for a group alone */
	const char *pg_name;
	struct dvs_err *err;
	char label[160];
};

/* The override string for 'col', or NULL. */
static const char *
ovr_get(const struct resolver *r, const char *col)
{
	const json_t *v;

	if (!r->port)
		return NULL;
	v = map_get(json_object_get(r->port, "overrides"), col);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* How an error names the column: "overrides:tag", 'port group "web": tag' (a group column
 * while resolving a port) or "tag".  Returns r->label. */
static const char *
label(struct resolver *r, const char *col, bool from_override)
{
	if (from_override)
		snprintf(r->label, sizeof(r->label), "overrides:%s", col);
	else if (r->port)
		snprintf(r->label, sizeof(r->label), "port group \"%s\": %s", r->pg_name, col);
	else
		snprintf(r->label, sizeof(r->label), "%s", col);
	return r->label;
}

static int
parse_ll(const char *s, long long *v)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* An integer column.  'optional' columns may be absent (*present false); an override of ""
 * clears them.  Returns 0 or -EINVAL. */
static int
col_int(struct resolver *r, const char *col, bool optional, long long min, long long max,
	bool *present, long long *v)
{
	const char *o = ovr_get(r, col);
	const json_t *elems;
	json_t *tmp;
	int ret = 0;

	*present = false;
	if (o) {
		if (!*o && optional)
			return 0;
		if (parse_ll(o, v) < 0)
			return dvs_err_set(r->err, EINVAL, "%s: \"%s\" is not an integer (%lld..%lld%s)",
					   label(r, col, true), o, min, max,
					   optional ? ", or \"\" to clear" : "");
		if (*v < min || *v > max)
			return dvs_err_set(r->err, EINVAL, "%s: %lld out of range %lld..%lld",
					   label(r, col, true), *v, min, max);
		*present = true;
		return 0;
	}
	elems = set_elems(json_object_get(r->pg, col), &tmp);
	if (!elems || json_array_size(elems) == 0) {
		if (!optional && elems)
			ret = dvs_err_set(r->err, EINVAL, "%s: missing (expected %lld..%lld)",
					  label(r, col, false), min, max);
		goto out; /* an absent non-optional integer column is the schema default, 0 */
	}
	if (json_array_size(elems) != 1 || !json_is_integer(json_array_get(elems, 0))) {
		ret = dvs_err_set(r->err, EINVAL, "%s: not an integer", label(r, col, false));
		goto out;
	}
	*v = json_integer_value(json_array_get(elems, 0));
	if (*v < min || *v > max) {
		ret = dvs_err_set(r->err, EINVAL, "%s: %lld out of range %lld..%lld",
				  label(r, col, false), *v, min, max);
		goto out;
	}
	*present = true;
out:
	json_decref(tmp);
	return ret;
}

static int
col_u64(struct resolver *r, const char *col, uint64_t *v)
{
	long long x = 0;
	bool present;
	int ret = col_int(r, col, false, 0, LLONG_MAX, &present, &x);

	*v = present ? (uint64_t)x : 0;
	return ret;
}

static int
col_bool(struct resolver *r, const char *col, bool *v)
{
	const char *o = ovr_get(r, col);
	const json_t *j;

	if (o) {
		if (strcmp(o, "true") && strcmp(o, "false"))
			return dvs_err_set(r->err, EINVAL, "%s: \"%s\" not allowed (true or false)",
					   label(r, col, true), o);
		*v = !strcmp(o, "true");
		return 0;
	}
	j = json_object_get(r->pg, col);
	if (!j) {
		*v = false; /* the schema default */
		return 0;
	}
	if (!json_is_boolean(j))
		return dvs_err_set(r->err, EINVAL, "%s: not a boolean", label(r, col, false));
	*v = json_is_true(j);
	return 0;
}

/* An enum column: *idx is the index of the value in 'names'.  Returns 0 or -EINVAL. */
static int
col_enum(struct resolver *r, const char *col, const char *const *names, size_t n,
	 bool optional, bool *present, unsigned *idx)
{
	const char *o = ovr_get(r, col), *s;
	const json_t *elems;
	json_t *tmp = NULL;
	char allowed[128] = "";
	int ret = 0;

	*present = false;
	if (o) {
		if (!*o && optional)
			return 0;
		s = o;
	} else {
		elems = set_elems(json_object_get(r->pg, col), &tmp);
		if (!elems || json_array_size(elems) == 0) {
			if (!optional)
				ret = dvs_err_set(r->err, EINVAL, "%s: missing", label(r, col, false));
			goto out;
		}
		s = json_string_value(json_array_get(elems, 0));
		if (json_array_size(elems) != 1 || !s) {
			ret = dvs_err_set(r->err, EINVAL, "%s: not a string", label(r, col, false));
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*idx = (unsigned)i;
			*present = true;
			goto out;
		}
		snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed), "%s%s",
			 i ? (i + 1 == n ? " or " : ", ") : "", names[i]);
	}
	ret = dvs_err_set(r->err, EINVAL, "%s: \"%s\" not allowed (%s)", label(r, col, o != NULL),
			  s, allowed);
out:
	json_decref(tmp);
	return ret;
}

/* The trunks column: an override "10,20-30" or the group's integer set.  *from_ovr tells
 * which. */
static int
col_trunks(struct resolver *r, uint64_t bm[DVS_PROFILE_VLAN_WORDS], bool *from_ovr)
{
	const char *o = ovr_get(r, "trunks");
	const json_t *elems, *e;
	json_t *tmp;
	size_t i;
	int ret = 0;

	*from_ovr = o != NULL;
	if (o) {
		ret = dvs_profile_vlans_parse(o, bm, r->err);
		if (ret < 0)
			dvs_err_prefix(r->err, "%s", label(r, "trunks", true));
		return ret;
	}
	memset(bm, 0, DVS_PROFILE_VLAN_WORDS * sizeof(bm[0]));
	elems = set_elems(json_object_get(r->pg, "trunks"), &tmp);
	json_array_foreach(elems, i, e) {
		json_int_t v = json_integer_value(e);

		if (!json_is_integer(e) || v < 1 || v > DVS_PROFILE_VLAN_MAX) {
			ret = json_is_integer(e)
				? dvs_err_set(r->err, EINVAL, "%s: %lld out of range 1..4094",
					      label(r, "trunks", false), (long long)v)
				: dvs_err_set(r->err, EINVAL, "%s: not an integer", label(r, "trunks", false));
			break;
		}
		bm[v >> 6] |= 1ULL << (v & 63);
	}
	json_decref(tmp);
	return ret;
}

/* ---- group columns ---- */

static int
resolve_shaping(struct resolver *r, const char *dir, struct dvs_profile_shaping *s)
{
	char avg[32], peak[32], burst[32];
	int ret;

	snprintf(avg, sizeof(avg), "%s_average_bps", dir);
	snprintf(peak, sizeof(peak), "%s_peak_bps", dir);
	snprintf(burst, sizeof(burst), "%s_burst_bytes", dir);
	if ((ret = col_u64(r, avg, &s->average_bps)) < 0 || (ret = col_u64(r, peak, &s->peak_bps)) < 0 ||
	    (ret = col_u64(r, burst, &s->burst_bytes)) < 0)
		return ret;
	if (!s->average_bps) {
		/* Off in this direction: a lone burst is harmless, a lone peak is a mistake. */
		if (s->peak_bps)
			return dvs_err_set(r->err, EINVAL, "%s: %" PRIu64 " set without %s (set %s too, "
					   "or 0 for no shaping)", label(r, peak, ovr_get(r, peak)),
					   s->peak_bps, avg, avg);
		s->burst_bytes = 0;
		return 0;
	}
	if (s->average_bps < DVS_PROFILE_RATE_MIN || s->average_bps > DVS_PROFILE_RATE_MAX)
		return dvs_err_set(r->err, EINVAL, "%s: %" PRIu64 " out of range %llu..%llu (0: no shaping)",
				   label(r, avg, ovr_get(r, avg)), s->average_bps, DVS_PROFILE_RATE_MIN,
				   DVS_PROFILE_RATE_MAX);
	if (s->peak_bps && (s->peak_bps < s->average_bps || s->peak_bps > DVS_PROFILE_RATE_MAX))
		return dvs_err_set(r->err, EINVAL, "%s: %" PRIu64 " not allowed (0 for no peak limit, or "
				   "%" PRIu64 "..%llu: at least %s)", label(r, peak, ovr_get(r, peak)),
				   s->peak_bps, s->average_bps, DVS_PROFILE_RATE_MAX, avg);
	if (s->burst_bytes < DVS_PROFILE_BURST_MIN || s->burst_bytes > DVS_PROFILE_BURST_MAX)
		return dvs_err_set(r->err, EINVAL, "%s: %" PRIu64 " out of range %llu..%llu (required with "
				   "%s: at least one full-size frame)", label(r, burst, ovr_get(r, burst)),
				   s->burst_bytes, DVS_PROFILE_BURST_MIN, DVS_PROFILE_BURST_MAX, avg);
	return 0;
}

static int
resolve_vlan(struct resolver *r, struct dvs_profile *p)
{
	bool has_tag, has_native, present, trunks_ovr;
	long long tag = 0, native = 0;
	unsigned mode = 0;
	char list[64];
	int ret;

	if ((ret = col_enum(r, "vlan_mode", vlan_mode_names, 2, false, &present, &mode)) < 0 ||
	    (ret = col_int(r, "tag", true, 0, DVS_PROFILE_VLAN_MAX, &has_tag, &tag)) < 0 ||
	    (ret = col_int(r, "native_vlan", true, 1, DVS_PROFILE_VLAN_MAX, &has_native, &native)) < 0 ||
	    (ret = col_trunks(r, p->trunks, &trunks_ovr)) < 0)
		return ret;
	p->vlan_mode = mode;
	if (p->vlan_mode == DVS_PROFILE_ACCESS) {
		if (!has_tag)
			return dvs_err_set(r->err, EINVAL, "%s: required with vlan_mode access (0..4094)",
					   ovr_get(r, "tag") ? label(r, "tag", true) : "tag");
		if (has_native)
			return dvs_err_set(r->err, EINVAL, "%s: only valid with vlan_mode trunk%s",
					   label(r, "native_vlan", ovr_get(r, "native_vlan")),
					   r->port && !ovr_get(r, "native_vlan")
						   ? " (clear it with overrides:native_vlan=\"\")" : "");
		/* Trunks are ignored in access mode (docs/schema.md), so a group can switch modes
		 * without losing its list. */
		memset(p->trunks, 0, sizeof(p->trunks));
		p->tag = (uint16_t)tag;
		return 0;
	}
	if (has_tag)
		return dvs_err_set(r->err, EINVAL, "%s: not allowed with vlan_mode trunk (use native_vlan "
				   "for untagged frames%s)", label(r, "tag", ovr_get(r, "tag")),
				   r->port && !ovr_get(r, "tag") ? ", or clear it with overrides:tag=\"\"" : "");
	bool empty = true;

	for (size_t i = 0; i < DVS_PROFILE_VLAN_WORDS; i++)
		empty &= !p->trunks[i];
	if (has_native && !empty && !dvs_profile_vlan_test(p->trunks, (uint16_t)native))
		return dvs_err_set(r->err, EINVAL, "%s: %lld not in trunks %s",
				   label(r, "native_vlan", ovr_get(r, "native_vlan")), native,
				   dvs_profile_vlans_format(p->trunks, list, sizeof(list)));
	if (empty) /* all VLANs */
		for (int v = 1; v <= DVS_PROFILE_VLAN_MAX; v++)
			p->trunks[v >> 6] |= 1ULL << (v & 63);
	p->native_vlan = has_native ? (uint16_t)native : 0;
	return 0;
}

static int
cmp_uuid(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* other_config keys the datapath reads (others are ignored, as the schema says). */
static int
resolve_other_config(struct resolver *r, struct dvs_profile *p)
{
	static const struct { const char *key; uint32_t dflt, min; } keys[] = {
		{"mac_age_s", 300, 1},
		{"max_macs", 0, 0},
	};
	const json_t *oc = json_object_get(r->pg, "other_config");

	for (size_t i = 0; i < DVS_ARRAY_SIZE(keys); i++) {
		const json_t *v = map_get(oc, keys[i].key);
		long long x = keys[i].dflt;

		if (v && (!json_is_string(v) || parse_ll(json_string_value(v), &x) < 0 ||
			  x < keys[i].min || x > UINT32_MAX))
			return dvs_err_set(r->err, EINVAL, "%s: \"%s\" not allowed (an integer %u..%u)",
					   label(r, "other_config", false),
					   json_is_string(v) ? json_string_value(v) : "?", keys[i].min,
					   UINT32_MAX);
		if (i == 0)
			p->mac_age_s = (uint32_t)x;
		else
			p->max_macs = (uint32_t)x;
	}
	return 0;
}

static int
resolve_group(struct resolver *r, struct dvs_profile *p)
{
	const json_t *elems, *e;
	long long mtu = DVS_PROFILE_MTU_DEFAULT;
	bool present;
	unsigned act = 0;
	json_t *tmp;
	size_t i;
	int ret;

	elems = set_elems(json_object_get(r->pg, "segment"), &tmp);
	if (json_array_size(elems) == 1 && uuid_of(json_array_get(elems, 0))) {
		p->has_segment = true;
		snprintf(p->segment, sizeof(p->segment), "%s", uuid_of(json_array_get(elems, 0)));
	}
	json_decref(tmp);
	if ((ret = resolve_vlan(r, p)) < 0 ||
	    (ret = col_bool(r, "allow_promiscuous", &p->allow_promiscuous)) < 0 ||
	    (ret = col_bool(r, "allow_mac_changes", &p->allow_mac_changes)) < 0 ||
	    (ret = col_bool(r, "allow_forged_transmits", &p->allow_forged_transmits)) < 0 ||
	    (ret = col_bool(r, "ip_mac_binding", &p->ip_mac_binding)) < 0 ||
	    (ret = col_bool(r, "arp_suppression", &p->arp_suppression)) < 0 ||
	    (ret = resolve_shaping(r, "ingress", &p->ingress)) < 0 ||
	    (ret = resolve_shaping(r, "egress", &p->egress)) < 0 ||
	    (ret = col_u64(r, "storm_broadcast_pps", &p->storm_broadcast_pps)) < 0 ||
	    (ret = col_u64(r, "storm_multicast_pps", &p->storm_multicast_pps)) < 0 ||
	    (ret = col_u64(r, "storm_unknown_unicast_pps", &p->storm_unknown_unicast_pps)) < 0 ||
	    (ret = col_int(r, "mtu", true, 68, 65535, &present, &mtu)) < 0 ||
	    (ret = col_enum(r, "default_acl_action", acl_action_names, 3, true, &present, &act)) < 0 ||
	    (ret = resolve_other_config(r, p)) < 0)
		return ret;
	p->mtu = (uint16_t)mtu;
	p->default_acl_action = act;

	elems = set_elems(json_object_get(r->pg, "acl_rules"), &tmp);
	if (json_array_size(elems)) {
		p->acl_rules = calloc(json_array_size(elems), sizeof(*p->acl_rules));
		if (!p->acl_rules) {
			json_decref(tmp);
			return dvs_err_set(r->err, ENOMEM, "out of memory");
		}
	}
	json_array_foreach(elems, i, e) {
		if (!uuid_of(e)) {
			json_decref(tmp);
			return dvs_err_set(r->err, EINVAL, "%s: not a uuid", label(r, "acl_rules", false));
		}
		snprintf(p->acl_rules[p->n_acl_rules++], DVS_PROFILE_UUID_SIZE, "%s", uuid_of(e));
	}
	json_decref(tmp);
	if (p->n_acl_rules) /* qsort(NULL, 0) is undefined */
		qsort(p->acl_rules, p->n_acl_rules, sizeof(*p->acl_rules), cmp_uuid);
	return 0;
}

/* ---- port columns ---- */

/* An optional string column of the port into 'buf' ("" if absent).  Returns 0, or -EINVAL
 * when it does not fit 'size' (the limit is named). */
static int
port_str(struct resolver *r, const char *col, char *buf, size_t size, bool *present)
{
	const json_t *elems;
	json_t *tmp;
	const char *s;
	int ret = 0;

	buf[0] = '\0';
	*present = false;
	elems = set_elems(json_object_get(r->port, col), &tmp);
	if (json_array_size(elems) == 1) {
		s = json_string_value(json_array_get(elems, 0));
		if (!s)
			ret = dvs_err_set(r->err, EINVAL, "%s: not a string", col);
		else if (strlen(s) >= size)
			ret = dvs_err_set(r->err, EINVAL, "%s: \"%s\" too long (at most %zu characters)",
					  col, s, size - 1);
		else if (*s) {
			memcpy(buf, s, strlen(s) + 1);
			*present = true;
		}
	}
	json_decref(tmp);
	return ret;
}

static bool
ifname_valid(const char *s)
{
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

static int
resolve_ips(struct resolver *r, struct dvs_profile *p)
{
	const json_t *elems, *e;
	json_t *tmp;
	size_t i;
	int ret = 0;

	elems = set_elems(json_object_get(r->port, "ips"), &tmp);
	if (json_array_size(elems)) {
		p->ips = calloc(json_array_size(elems), sizeof(*p->ips));
		if (!p->ips) {
			ret = dvs_err_set(r->err, ENOMEM, "out of memory");
			goto out;
		}
	}
	json_array_foreach(elems, i, e) {
		struct dvs_profile_ip *ip = &p->ips[p->n_ips];
		const char *s = json_string_value(e);

		if (s && inet_pton(AF_INET, s, ip->addr) == 1)
			ip->family = AF_INET;
		else if (s && inet_pton(AF_INET6, s, ip->addr) == 1)
			ip->family = AF_INET6;
		else {
			ret = dvs_err_set(r->err, EINVAL, "ips: \"%s\" is not an IPv4 or IPv6 address",
					  s ? s : "?");
			goto out;
		}
		p->n_ips++;
	}
out:
	json_decref(tmp);
	return ret;
}

/* The backing and the columns that belong to it; a column of another backing is a conflict
 * (it would be silently unused, which hides a typo in the backing). */
static int
resolve_backing(struct resolver *r, struct dvs_profile *p)
{
	bool has_sock, has_mode, has_tap, has_ns, has_kif, present;
	char mode[16];
	long long queues = 1;
	const char *b = json_string_value(json_object_get(r->port, "backing"));
	const char *wrong = NULL;
	unsigned idx;

	for (idx = 1; idx < DVS_ARRAY_SIZE(backing_names); idx++)
		if (b && !strcmp(b, backing_names[idx]))
			break;
	if (idx == DVS_ARRAY_SIZE(backing_names))
		return dvs_err_set(r->err, EINVAL, "backing: \"%s\" not allowed (vhost-user, tap or kernel)",
				   b ? b : "");
	p->backing = idx;
	if (port_str(r, "vhost_socket", p->vhost_socket, sizeof(p->vhost_socket), &has_sock) < 0 ||
	    port_str(r, "vhost_mode", mode, sizeof(mode), &has_mode) < 0 ||
	    port_str(r, "tap_name", p->tap_name, sizeof(p->tap_name), &has_tap) < 0 ||
	    port_str(r, "netns", p->netns, sizeof(p->netns), &has_ns) < 0 ||
	    port_str(r, "kernel_ifname", p->kernel_ifname, sizeof(p->kernel_ifname), &has_kif) < 0)
		return -EINVAL;
	{
		const json_t *q, *elems;
		json_t *tmp;

		elems = set_elems(json_object_get(r->port, "vhost_queues"), &tmp);
		q = json_array_get(elems, 0);
		present = q != NULL;
		if (q)
			queues = json_integer_value(q);
		json_decref(tmp);
		if (present && (!json_is_integer(q) || queues < 1 || queues > 128))
			return dvs_err_set(r->err, EINVAL, "vhost_queues: %lld out of range 1..128", queues);
	}
	p->vhost_queues = (uint16_t)queues;
	p->vhost_client = !has_mode || strcmp(mode, "server");
	if (has_mode && strcmp(mode, "server") && strcmp(mode, "client"))
		return dvs_err_set(r->err, EINVAL, "vhost_mode: \"%s\" not allowed (server or client)", mode);

	switch (p->backing) {
	case DVS_PROFILE_VHOST_USER:
		if (!has_sock)
			return dvs_err_set(r->err, EINVAL, "vhost_socket: required with backing vhost-user "
					   "(a socket path, e.g. /run/dvs/vm1.sock)");
		if (p->vhost_socket[0] != '/')
			return dvs_err_set(r->err, EINVAL, "vhost_socket: \"%s\" is not an absolute path",
					   p->vhost_socket);
		wrong = has_tap ? "tap_name" : has_ns ? "netns" : has_kif ? "kernel_ifname" : NULL;
		break;
	case DVS_PROFILE_TAP:
		if (!has_tap) {
			/* The key names the tap when it is a valid interface name. */
			if (strlen(p->key) >= sizeof(p->tap_name) || !ifname_valid(p->key))
				return dvs_err_set(r->err, EINVAL, "tap_name: required with backing tap when "
						   "the key is not a valid interface name (at most 15 "
						   "characters, no '/', ':' or spaces)");
			memcpy(p->tap_name, p->key, strlen(p->key) + 1);
		} else if (!ifname_valid(p->tap_name)) {
			return dvs_err_set(r->err, EINVAL, "tap_name: \"%s\" is not a valid interface name",
					   p->tap_name);
		}
		wrong = has_sock ? "vhost_socket" : has_mode ? "vhost_mode" : present ? "vhost_queues"
			: has_kif ? "kernel_ifname" : NULL;
		break;
	default:
		if (!has_kif)
			return dvs_err_set(r->err, EINVAL, "kernel_ifname: required with backing kernel");
		if (!ifname_valid(p->kernel_ifname))
			return dvs_err_set(r->err, EINVAL, "kernel_ifname: \"%s\" is not a valid interface "
					   "name", p->kernel_ifname);
		wrong = has_sock ? "vhost_socket" : has_mode ? "vhost_mode" : present ? "vhost_queues"
			: has_tap ? "tap_name" : has_ns ? "netns" : NULL;
		break;
	}
	if (wrong)
		return dvs_err_set(r->err, EINVAL, "%s: not valid with backing %s", wrong, b);
	return 0;
}

static int
resolve_port(struct resolver *r, struct dvs_profile *p)
{
	const json_t *ovr = json_object_get(r->port, "overrides");
	const json_t *pairs = is_tagged(ovr, "map") ? json_array_get(ovr, 1) : NULL;
	const json_t *pair;
	char macs[32];
	bool present;
	size_t i;
	int ret;

	json_array_foreach(pairs, i, pair) {
		const char *k = json_string_value(json_array_get(pair, 0));
		size_t j;

		for (j = 0; k && j < DVS_ARRAY_SIZE(overridable); j++)
			if (!strcmp(k, overridable[j]))
				break;
		if (!k || j == DVS_ARRAY_SIZE(overridable)) {
			char allowed[512] = "";

			for (j = 0; j < DVS_ARRAY_SIZE(overridable); j++)
				snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed),
					 "%s%s", j ? ", " : "", overridable[j]);
			return dvs_err_set(r->err, EINVAL, "overrides:%s: not a per-port setting (allowed: %s)",
					   k ? k : "?", allowed);
		}
	}
	if ((ret = port_str(r, "mac", macs, sizeof(macs), &present)) < 0)
		return ret;
	if (present) {
		if (dvs_profile_mac_parse(macs, p->mac) < 0)
			return dvs_err_set(r->err, EINVAL, "mac: \"%s\" is not a MAC address (expected e.g. "
					   "52:54:00:12:34:56)", macs);
		if (p->mac[0] & 1)
			return dvs_err_set(r->err, EINVAL, "mac: %s is a multicast address (a port needs a "
					   "unicast MAC)", macs);
		if (!(p->mac[0] | p->mac[1] | p->mac[2] | p->mac[3] | p->mac[4] | p->mac[5]))
			return dvs_err_set(r->err, EINVAL, "mac: 00:00:00:00:00:00 is not a usable MAC");
		p->has_mac = true;
	}
	if ((ret = port_str(r, "requested_host", p->requested_host, sizeof(p->requested_host),
			    &present)) < 0 ||
	    (ret = resolve_ips(r, p)) < 0 || (ret = resolve_backing(r, p)) < 0)
		return ret;
	return 0;
}

int
dvs_profile_resolve(const json_t *portgroup_row, const json_t *port_row, struct dvs_profile *out,
		    struct dvs_err *err)
{
	struct resolver r = {.pg = portgroup_row, .port = port_row, .err = err};
	const json_t *elems;
	json_t *tmp = NULL;
	const char *key = NULL;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (port_row) {
		key = json_string_value(json_object_get(port_row, "key"));
		if (!key || !*key || strlen(key) >= sizeof(out->key)) {
			ret = dvs_err_set(err, EINVAL, "port \"%s\": key: must be 1..%zu characters",
					  key ? key : "", sizeof(out->key) - 1);
			key = NULL; /* already named */
			goto out;
		}
		memcpy(out->key, key, strlen(key) + 1);
		elems = set_elems(json_object_get(port_row, "port_group"), &tmp);
		if (!json_array_size(elems)) {
			ret = dvs_err_set(err, ENOENT, "port_group: not set (the port is not forwarded "
					  "until it has one)");
			goto out;
		}
		if (!portgroup_row) {
			const char *u = uuid_of(json_array_get(elems, 0));

			ret = dvs_err_set(err, ENOENT, "port_group: %s is not a known port group",
					  u ? u : "?");
			goto out;
		}
		snprintf(out->port_group, sizeof(out->port_group), "%s",
			 uuid_of(json_array_get(elems, 0)) ?: "");
		if ((ret = resolve_port(&r, out)) < 0)
			goto out;
	} else if (!portgroup_row) {
		ret = dvs_err_set(err, EINVAL, "no port group and no port to resolve");
		goto out;
	}
	r.pg_name = json_string_value(json_object_get(portgroup_row, "name")) ?: "?";
	ret = resolve_group(&r, out);
out:
	json_decref(tmp);
	if (ret < 0) {
		if (key)
			dvs_err_prefix(err, "port \"%s\"", key);
		else if (portgroup_row && !port_row)
			dvs_err_prefix(err, "port group \"%s\"", r.pg_name ? r.pg_name : "?");
		dvs_profile_fini(out);
	}
	return ret;
}

void
dvs_profile_fini(struct dvs_profile *p)
{
	if (!p)
		return;
	free(p->acl_rules);
	free(p->ips);
	memset(p, 0, sizeof(*p));
}

bool
dvs_profile_equal(const struct dvs_profile *a, const struct dvs_profile *b)
{
	struct dvs_profile x, y;

	/* Both were zeroed with memset before being filled, so padding compares equal. */
	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	x.acl_rules = y.acl_rules = NULL;
	x.ips = y.ips = NULL;
	if (memcmp(&x, &y, sizeof(x)))
		return false;
	return (!a->n_acl_rules || !memcmp(a->acl_rules, b->acl_rules,
					   a->n_acl_rules * sizeof(*a->acl_rules))) &&
	       (!a->n_ips || !memcmp(a->ips, b->ips, a->n_ips * sizeof(*a->ips)));
}
