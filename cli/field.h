/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The port-profile fields as dvsctl spells them: one table maps each PortGroup column to its
 * option (--ingress-average) and its value syntax (10M), so that `portgroup add|set` options
 * and `port --override COLUMN=VALUE` parse and check values the same way.  Limits are those
 * of lib/profile.h, the controller's and switchd's own model. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "dvsctl.h"

enum field_kind {
	FIELD_MODE,   /* vlan_mode: access | trunk (overrides only; options use --access/--trunk) */
	FIELD_TAG,    /* access VLAN 0..4094 */
	FIELD_TRUNKS, /* VLAN list 1..4094, "all" = empty set */
	FIELD_NATIVE, /* 1..4094 */
	FIELD_BOOL,
	FIELD_RATE,   /* bits per second */
	FIELD_SIZE,   /* bytes */
	FIELD_PPS,
	FIELD_MTU,
	FIELD_ACL,    /* allow | drop | reject */
};

struct field {
	const char *column; /* PortGroup column = Port.overrides key */
	const char *option; /* portgroup option without "--" */
	enum field_kind kind;
	bool optional;      /* an optional column: an override "" clears it */
};

extern const struct field field_table[];
extern const size_t field_count;

const struct field *field_by_column(const char *column);
const struct field *field_by_option(const char *option);
/* "vlan_mode, tag, ...": every overridable column, for messages. */
const char *field_columns(void);

/* Parses 'text' for 'f' ('what' names it in messages: "--mtu", "--override mtu").  On
 * success *value (new) is the PortGroup column's wire value and 'canon' (at least 64
 * bytes; 8192 for trunks) the Port.overrides text: integers in decimal, booleans
 * "true"/"false", VLAN lists "10,20-30".  Returns 0 or DVSCTL_USAGE after printing why. */
int field_parse(const struct dvsctl_ctx *ctx, const struct field *f, const char *what,
		const char *text, json_t **value, char *canon, size_t size);

/* Validates the would-be rows with lib/profile.c, the controller's and switchd's own model
 * (so dvsctl refuses exactly what they would): a group alone ('port_row' NULL) or a port
 * in its group, both in wire form, after the change.  Returns 0 or DVSCTL_USAGE after
 * printing the model's message, e.g. 'port group "web": tag: required with vlan_mode
 * access (0..4094)'. */
int field_resolve(const struct dvsctl_ctx *ctx, const json_t *group_row, const json_t *port_row);

/* Human text of a PortGroup row's VLAN policy: "access 10", "trunk 10,20-30 native 5". */
const char *field_vlan_text(const json_t *row, char *buf, size_t size);
/* "10M", "64K" for a rate (bits/s) or size (bytes); "-" for 0. */
const char *field_human(uint64_t v, bool bytes, char *buf, size_t size);
