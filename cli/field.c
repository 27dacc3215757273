/* SPDX-License-Identifier: Apache-2.0 */
/* Port-profile fields: options and override keys onto PortGroup columns, with the value
 * syntax and limits of each.  The override text forms are those lib/profile.c parses. */

#include "field.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "lib/profile.h"
#include "ovsdb-lite/client/wire.h"

#define PPS_MAX 100000000ULL /* storm control: 100 Mpps is beyond any port */
#define MTU_MIN 68
#define MTU_MAX 65535

const struct field field_table[] = {
	{"vlan_mode", NULL, FIELD_MODE, false},
	{"tag", "access", FIELD_TAG, true},
	{"trunks", "trunk", FIELD_TRUNKS, false},
	{"native_vlan", "native", FIELD_NATIVE, true},
	{"allow_promiscuous", "allow-promiscuous", FIELD_BOOL, false},
	{"allow_mac_changes", "allow-mac-changes", FIELD_BOOL, false},
	{"allow_forged_transmits", "allow-forged-transmits", FIELD_BOOL, false},
	{"ip_mac_binding", "ip-mac-binding", FIELD_BOOL, false},
	{"arp_suppression", "arp-suppression", FIELD_BOOL, false},
	{"ingress_average_bps", "ingress-average", FIELD_RATE, false},
	{"ingress_peak_bps", "ingress-peak", FIELD_RATE, false},
	{"ingress_burst_bytes", "ingress-burst", FIELD_SIZE, false},
	{"egress_average_bps", "egress-average", FIELD_RATE, false},
	{"egress_peak_bps", "egress-peak", FIELD_RATE, false},
	{"egress_burst_bytes", "egress-burst", FIELD_SIZE, false},
	{"storm_broadcast_pps", "storm-broadcast", FIELD_PPS, false},
	{"storm_multicast_pps", "storm-multicast", FIELD_PPS, false},
	{"storm_unknown_unicast_pps", "storm-unknown-unicast", FIELD_PPS, false},
	{"mtu", "mtu", FIELD_MTU, true},
	{"default_acl_action", "default-acl", FIELD_ACL, true},
};
const size_t field_count = sizeof(field_table) / sizeof(field_table[0]);

const struct field *
field_by_column(const char *column)
{
	for (size_t i = 0; i < field_count; i++)
		if (!strcmp(field_table[i].column, column))
			return &field_table[i];
	return NULL;
}

const struct field *
field_by_option(const char *option)
{
	for (size_t i = 0; i < field_count; i++)
		if (field_table[i].option && !strcmp(field_table[i].option, option))
			return &field_table[i];
	return NULL;
}

const char *
field_columns(void)
{
	static char buf[512];
	size_t n = 0;

	if (!buf[0])
		for (size_t i = 0; i < field_count; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "",
					      field_table[i].column);
	return buf;
}

/* "10,20-30" or "all" into a wire set of integers 1..4094, canonical text in 'canon'. */
static int
parse_trunks(const struct dvsctl_ctx *ctx, const char *what, const char *text, json_t **value,
	     char *canon, size_t size)
{
	json_t *set;
	char *p, *save = NULL;
	int rc;

	if (!strcmp(text, "all")) {
		*value = dvs_wire_set(json_array());
		snprintf(canon, size, "%s", "");
		return 0;
	}
	if ((rc = dvsctl_parse_vlan_list(ctx, what, text, canon, size)))
		return rc;
	set = json_array();
	for (p = strtok_r(canon, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		unsigned lo = (unsigned)strtoul(p, NULL, 10), hi = lo;
		char *dash = strchr(p, '-');

		if (dash)
			hi = (unsigned)strtoul(dash + 1, NULL, 10);
		if (lo == 0) {
			json_decref(set);
			return dvsctl_usage(ctx, "%s %s: VLAN 0 is not allowed on a trunk (1..4094; "
					    "untagged frames go to --native)", what, text);
		}
		for (unsigned v = lo; v <= hi; v++)
			json_array_append_new(set, json_integer(v));
	}
	/* strtok_r cut the canonical text; write it again. */
	dvsctl_parse_vlan_list(ctx, what, text, canon, size);
	*value = dvs_wire_set(set);
	return 0;
}

int
field_parse(const struct dvsctl_ctx *ctx, const struct field *f, const char *what,
	    const char *text, json_t **value, char *canon, size_t size)
{
	uint64_t u = 0;
	unsigned vlan;
	bool b;
	int rc = 0;

	*value = NULL;
	switch (f->kind) {
	case FIELD_MODE:
		if (strcmp(text, "access") && strcmp(text, "trunk"))
			return dvsctl_usage(ctx, "%s \"%s\": must be access or trunk", what, text);
		*value = json_string(text);
		snprintf(canon, size, "%s", text);
		return 0;
	case FIELD_TAG:
		if ((rc = dvsctl_parse_vlan(ctx, what, text, &vlan)))
			return rc;
		u = vlan;
		break;
	case FIELD_TRUNKS:
		return parse_trunks(ctx, what, text, value, canon, size);
	case FIELD_NATIVE:
		if ((rc = dvsctl_parse_vlan(ctx, what, text, &vlan)))
			return rc;
		if (vlan == 0)
			return dvsctl_usage(ctx, "%s 0: native VLAN out of range 1..4094", what);
		u = vlan;
		break;
	case FIELD_BOOL:
		if ((rc = dvsctl_parse_bool(ctx, what, text, &b)))
			return rc;
		*value = json_boolean(b);
		snprintf(canon, size, "%s", b ? "true" : "false");
		return 0;
	case FIELD_RATE:
		rc = dvsctl_parse_rate(ctx, what, text, DVS_PROFILE_RATE_MIN, DVS_PROFILE_RATE_MAX, &u);
		break;
	case FIELD_SIZE:
		rc = dvsctl_parse_size(ctx, what, text, DVS_PROFILE_BURST_MIN, DVS_PROFILE_BURST_MAX, &u);
		break;
	case FIELD_PPS:
		rc = dvsctl_parse_pps(ctx, what, text, PPS_MAX, &u);
		break;
	case FIELD_MTU:
		rc = dvsctl_parse_uint(ctx, what, text, MTU_MIN, MTU_MAX, &u);
		break;
	case FIELD_ACL:
		if (strcmp(text, "allow") && strcmp(text, "drop") && strcmp(text, "reject"))
			return dvsctl_usage(ctx, "%s \"%s\": must be allow, drop or reject", what, text);
		*value = json_string(text);
		snprintf(canon, size, "%s", text);
		return 0;
	}
	if (rc)
		return rc;
	*value = json_integer((json_int_t)u);
	snprintf(canon, size, "%" PRIu64, u);
	return 0;
}

int
field_resolve(const struct dvsctl_ctx *ctx, const json_t *group_row, const json_t *port_row)
{
	struct dvs_profile prof;
	struct dvs_err err = {0};

	if (dvs_profile_resolve(group_row, port_row, &prof, &err) < 0)
		return dvsctl_usage(ctx, "%s", dvs_err_msg(&err));
	dvs_profile_fini(&prof);
	return 0;
}

/* "10,20-30" from a bitmap of VLANs. */
static void
vlan_list_text(const uint64_t *bm, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned v = 1; v <= DVS_PROFILE_VLAN_MAX && n < size; v++) {
		unsigned end = v;

		if (!((bm[v >> 6] >> (v & 63)) & 1))
			continue;
		while (end < DVS_PROFILE_VLAN_MAX && ((bm[(end + 1) >> 6] >> ((end + 1) & 63)) & 1))
			end++;
		if (end > v)
			n += (size_t)snprintf(buf + n, size - n, "%s%u-%u", n ? "," : "", v, end);
		else
			n += (size_t)snprintf(buf + n, size - n, "%s%u", n ? "," : "", v);
		v = end;
	}
}

const char *
field_vlan_text(const json_t *row, char *buf, size_t size)
{
	const char *mode = dvsctl_db_str(row, "vlan_mode");
	json_t *trunks = dvsctl_db_list(row, "trunks");
	uint64_t bm[DVS_PROFILE_VLAN_WORDS] = {0};
	json_int_t native = dvsctl_db_int(row, "native_vlan", 0);
	char list[1024];
	size_t i;
	json_t *v;

	if (mode && !strcmp(mode, "trunk")) {
		json_array_foreach(trunks, i, v) {
			json_int_t t = json_integer_value(v);

			if (t >= 1 && t <= DVS_PROFILE_VLAN_MAX)
				bm[t >> 6] |= 1ULL << (t & 63);
		}
		if (!json_array_size(trunks))
			snprintf(list, sizeof(list), "all");
		else
			vlan_list_text(bm, list, sizeof(list));
		if (native)
			snprintf(buf, size, "trunk %s native %lld", list, (long long)native);
		else
			snprintf(buf, size, "trunk %s", list);
	} else if (mode) {
		snprintf(buf, size, "access %lld", (long long)dvsctl_db_int(row, "tag", 0));
	} else {
		snprintf(buf, size, "-");
	}
	json_decref(trunks);
	return buf;
}

const char *
field_human(uint64_t v, bool bytes, char *buf, size_t size)
{
	static const char *const sfx[2][5] = {{"", "k", "M", "G", "T"}, {"", "K", "M", "G", "T"}};
	unsigned base = bytes ? 1024 : 1000;
	int i = 0;

	if (!v) {
		snprintf(buf, size, "-");
		return buf;
	}
	while (i < 4 && v >= base && v % base == 0) {
		v /= base;
		i++;
	}
	snprintf(buf, size, "%" PRIu64 "%s", v, sfx[bytes][i]);
	return buf;
}
