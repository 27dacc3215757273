/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* OVSDB column types (RFC 7047 section 3.2): atomic types, base types with their
 * constraints (enum, integer/real ranges, string lengths, refTable and strength) and
 * set/map types with min/max.  schema.c builds these; datum.c checks values against them. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct ovsdb_datum;
struct ovsdb_table_schema;

enum ovsdb_atype {
	OVSDB_TYPE_VOID, /* "no value" (the value type of a set) */
	OVSDB_TYPE_INTEGER,
	OVSDB_TYPE_REAL,
	OVSDB_TYPE_BOOLEAN,
	OVSDB_TYPE_STRING,
	OVSDB_TYPE_UUID,
};

enum ovsdb_ref_type {
	OVSDB_REF_STRONG,
	OVSDB_REF_WEAK,
};

struct ovsdb_base_type {
	enum ovsdb_atype type;
	struct ovsdb_datum *enum_; /* allowed values, or NULL */
	int64_t min_int, max_int;
	double min_real, max_real;
	uint32_t min_len, max_len; /* in UTF-8 characters, as RFC 7047 says */
	char *ref_table_name;      /* UUID only; NULL when not a reference */
	struct ovsdb_table_schema *ref_table; /* resolved after every table is parsed */
	enum ovsdb_ref_type ref_type;
};

#define OVSDB_N_UNLIMITED UINT32_MAX

struct ovsdb_type {
	struct ovsdb_base_type key;
	struct ovsdb_base_type value; /* OVSDB_TYPE_VOID unless a map */
	uint32_t n_min, n_max;
};

const char *ovsdb_atype_name(enum ovsdb_atype t);
/* Parses an atomic type name.  Returns true on success. */
bool ovsdb_atype_from_string(const char *s, enum ovsdb_atype *out);

/* Parses a <type> from the schema.  Returns NULL, or a new error (type is then freed). */
json_t *ovsdb_type_from_json(struct ovsdb_type *type, const json_t *json);
void ovsdb_type_destroy(struct ovsdb_type *type);
/* Initialises a type with one atom of 't' (the type of _uuid and _version). */
void ovsdb_type_init_atomic(struct ovsdb_type *type, enum ovsdb_atype t);

static inline bool ovsdb_type_is_map(const struct ovsdb_type *t)
{
	return t->value.type != OVSDB_TYPE_VOID;
}
static inline bool ovsdb_type_is_scalar(const struct ovsdb_type *t)
{
	return t->n_min == 1 && t->n_max == 1 && !ovsdb_type_is_map(t);
}
static inline bool ovsdb_type_is_set(const struct ovsdb_type *t)
{
	return !ovsdb_type_is_map(t) && !ovsdb_type_is_scalar(t);
}
static inline bool ovsdb_base_is_ref(const struct ovsdb_base_type *b)
{
	return b->type == OVSDB_TYPE_UUID && b->ref_table_name;
}
/* True if the column holds a strong or weak reference in its key or value. */
bool ovsdb_type_has_ref(const struct ovsdb_type *t, enum ovsdb_ref_type rt);
