/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* OVSDB wire-format values (RFC 7047 section 5.1) as the client library sees them: column
 * types taken from a schema, datums kept in one canonical form (sorted sets and maps), the
 * update2 "modify" diff, and condition evaluation for the plain-monitor fallback.
 * Pure functions over jansson values; no I/O.  Used by replica.c and idl.c. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum dvs_wire_kind {
	DVS_WIRE_SCALAR, /* exactly one atom (min 1, max 1, no value type) */
	DVS_WIRE_SET,    /* 0..n atoms; one element is written as a bare atom */
	DVS_WIRE_MAP,    /* ["map", [[k, v], ...]] */
};

struct dvs_wire_column {
	char *name;
	enum dvs_wire_kind kind;
	char key_type[8];   /* "integer", "real", "boolean", "string", "uuid" */
	char value_type[8]; /* maps only */
	bool single;        /* at most one value (max 1, no value type): update2 diffs replace */
	json_t *dflt;     /* the value a server omits in "initial"/"insert" rows (owned) */
};

/* Parses one column's "type" from a schema.  Fills 'col' (name is copied).  Returns 0, or
 * -EINVAL with the reason in 'err'. */
int dvs_wire_column_parse(struct dvs_wire_column *col, const char *name, const json_t *type,
			  struct dvs_err *err);
void dvs_wire_column_fini(struct dvs_wire_column *col);

/* Returns a new reference to 'datum' in canonical form: set elements and map pairs sorted
 * by key, a one-element set as a bare atom.  NULL if 'datum' is malformed for 'col'. */
json_t *dvs_wire_canon(const struct dvs_wire_column *col, const json_t *datum);

/* Applies an update2 "modify" difference (ovsdb-server(7) 4.1.14) to 'old' (canonical): the
 * new value for a scalar, the symmetric difference for a set, the changed pairs for a map.
 * An optional column (at most one value) accepts both the new value, as ovsdb-server 3.1
 * sends it, and the symmetric difference.  Returns the new datum (new reference, canonical),
 * or NULL if 'diff' is malformed. */
json_t *dvs_wire_apply_diff(const struct dvs_wire_column *col, const json_t *old, const json_t *diff);

/* Evaluates a monitor condition: an array of clauses [column, function, value] and booleans,
 * true if any element is true (monitor_cond semantics; an empty array is true).  'row' is a
 * full canonical row; 'cols'/'n_cols' describe its columns.  Returns 1 (match), 0 (no match)
 * or -EINVAL for an unknown column or function.  'uuid' answers clauses on "_uuid". */
int dvs_wire_cond_match(const json_t *where, const char *uuid, const json_t *row,
			const struct dvs_wire_column *cols, size_t n_cols);

/* Atom helpers for builders and tests.  Each returns a new reference. */
json_t *dvs_wire_uuid(const char *uuid);       /* ["uuid", "<uuid>"] */
json_t *dvs_wire_named_uuid(const char *name); /* ["named-uuid", "<name>"] */
json_t *dvs_wire_set(json_t *array /* stolen */);  /* ["set", array] */
json_t *dvs_wire_map(json_t *object /* stolen */); /* ["map", [[k, v]...]] from a string-keyed object */
/* Returns the uuid string of an ["uuid", s] atom (borrowed), or NULL. */
const char *dvs_wire_uuid_str(const json_t *atom);
/* The string value of 'key' in the map datum 'datum' (["map", [[k, v]...]]), or NULL. */
const char *dvs_wire_map_str(const json_t *datum, const char *key);
