/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Database schemas in RFC 7047's .ovsschema format: tables, columns and their types,
 * isRoot, indexes and maxRows, the schema name, version and checksum.  Every table gets
 * the implicit columns _uuid (index 0) and _version (index 1), as in OVS. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "type.h"

#define OVSDB_COL_UUID 0
#define OVSDB_COL_VERSION 1
#define OVSDB_N_IMPLICIT_COLS 2

struct ovsdb_column {
	char *name;
	uint32_t idx;
	struct ovsdb_type type;
	bool mutable_;
	bool ephemeral;
};

struct ovsdb_index_schema {
	uint32_t n_cols;
	uint32_t *cols; /* column indexes */
};

struct ovsdb_table_schema {
	char *name;
	uint32_t idx;
	struct ovsdb_column *cols;
	uint32_t n_cols;
	bool is_root;
	uint64_t max_rows; /* UINT64_MAX: unlimited */
	struct ovsdb_index_schema *indexes;
	uint32_t n_indexes;
	bool has_strong_refs; /* some column holds strong references */
	bool has_weak_refs;
};

struct ovsdb_schema {
	char *name;
	char *version; /* may be NULL (OVS tolerates a missing version) */
	char *cksum;   /* may be NULL */
	struct ovsdb_table_schema *tables;
	uint32_t n_tables;
	json_t *json; /* the schema as given, returned by get_schema */
};

/* Parses a schema.  Returns the schema, or NULL with *error set to a new error object. */
struct ovsdb_schema *ovsdb_schema_from_json(const json_t *json, json_t **error);
/* Reads and parses a schema file.  NULL with *error on failure. */
struct ovsdb_schema *ovsdb_schema_from_file(const char *path, json_t **error);
void ovsdb_schema_destroy(struct ovsdb_schema *s);
/* Returns the table named 'name', or NULL. */
struct ovsdb_table_schema *ovsdb_schema_find_table(const struct ovsdb_schema *s, const char *name);
/* Returns the column named 'name' (including "_uuid" and "_version"), or NULL. */
const struct ovsdb_column *ovsdb_table_schema_find_column(const struct ovsdb_table_schema *t,
							  const char *name);
