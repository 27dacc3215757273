/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The in-memory database: a table per schema table, each a hash map of rows keyed by
 * _uuid, plus one hash map per schema index.  Rows are only changed through a transaction
 * (transaction.c), which keeps copies and swaps them in at commit. */

#include <jansson.h>
#include <stdbool.h>

#include "datum.h"
#include "hmap.h"
#include "schema.h"

struct ovsdb_txn_row;

struct ovsdb_row {
	struct hmap_node node;          /* in table->rows (committed rows only) */
	struct ovsdb_table *table;
	struct ovsdb_txn_row *txn_row;  /* set while a transaction holds this row */
	uint32_t n_refs;                /* strong references from committed rows */
	struct ovsdb_datum fields[];    /* table->schema->n_cols, then the index nodes */
};

struct ovsdb_table {
	const struct ovsdb_table_schema *schema;
	struct hmap rows;
	struct hmap *indexes; /* schema->n_indexes maps of rows by indexed columns */
};

struct ovsdb_db {
	struct ovsdb_schema *schema;
	struct ovsdb_table *tables; /* schema->n_tables, in schema order */
};

/* A set of columns of one table (select "columns", monitor "columns"). */
struct ovsdb_column_set {
	uint32_t n;
	uint32_t *idx;
};

/* Creates the database for 'schema' (steals it).  NULL with errno on failure. */
struct ovsdb_db *ovsdb_db_create(struct ovsdb_schema *schema);
void ovsdb_db_destroy(struct ovsdb_db *db);
struct ovsdb_table *ovsdb_db_find_table(const struct ovsdb_db *db, const char *name);
/* Recomputes every row's strong reference count (after a journal replay). */
void ovsdb_db_recount_refs(struct ovsdb_db *db);
/* The whole database as {"table": {"uuid": row}} (a snapshot). */
json_t *ovsdb_db_to_json(const struct ovsdb_db *db);
struct json_text;
/* The same snapshot written as JSON text into 't' (no jansson tree: compaction of a large
 * database must not stall the server for long).  Returns false if the database is empty. */
bool ovsdb_db_write_snapshot(const struct ovsdb_db *db, struct json_text *t);

/* A new row with every column at its default and a zero _uuid. */
struct ovsdb_row *ovsdb_row_create(struct ovsdb_table *table);
/* Like ovsdb_row_create(), but only the implicit columns hold their default; the others
 * are empty until the caller sets them and calls ovsdb_row_fill_defaults(), which gives
 * every column still empty but needing a value its default.  An insert names most columns:
 * building their defaults only to free them was 3% of a 16-client insert run. */
struct ovsdb_row *ovsdb_row_create_sparse(struct ovsdb_table *table);
void ovsdb_row_fill_defaults(struct ovsdb_row *row);
struct ovsdb_row *ovsdb_row_clone(const struct ovsdb_row *row);
void ovsdb_row_destroy(struct ovsdb_row *row);
static inline const struct uuid *ovsdb_row_uuid(const struct ovsdb_row *row)
{
	return &row->fields[OVSDB_COL_UUID].keys[0].uuid;
}
static inline struct hmap_node *ovsdb_row_index_node(const struct ovsdb_row *row, uint32_t i)
{
	return (struct hmap_node *)(void *)&row->fields[row->table->schema->n_cols] + i;
}
static inline struct ovsdb_row *ovsdb_row_from_index_node(const struct hmap_node *node,
							 const struct ovsdb_table_schema *ts, uint32_t i)
{
	size_t off = sizeof(struct ovsdb_row) + ts->n_cols * sizeof(struct ovsdb_datum) +
		     i * sizeof(struct hmap_node);
	return (struct ovsdb_row *)(void *)((char *)node - off);
}
uint32_t ovsdb_row_index_hash(const struct ovsdb_row *row, const struct ovsdb_index_schema *ix);
bool ovsdb_row_index_equal(const struct ovsdb_row *a, const struct ovsdb_row *b,
			   const struct ovsdb_index_schema *ix);
/* The row as a JSON object with the columns of 'cols' (all when NULL).  If 'skip_default',
 * columns holding their default value are left out (update2 insert/initial). */
json_t *ovsdb_row_to_json(const struct ovsdb_row *row, const struct ovsdb_column_set *cols,
			  bool skip_default);
/* The same object written as text to 't' (no jansson tree: monitor replies of whole tables). */
void ovsdb_row_write_json(struct json_text *t, const struct ovsdb_row *row, const struct ovsdb_column_set *cols,
			  bool skip_default);

struct ovsdb_row *ovsdb_table_find(const struct ovsdb_table *t, const struct uuid *uuid);
/* Adds/removes a committed row to/from the table and its indexes. */
void ovsdb_table_add(struct ovsdb_table *t, struct ovsdb_row *row);
void ovsdb_table_remove(struct ovsdb_table *t, struct ovsdb_row *row);

/* Column sets.  from_json parses ["col", ...]; NULL json means every column (with _uuid and
 * _version when 'implicit').  Returns NULL or a new error ("unknown column"). */
json_t *ovsdb_column_set_from_json(struct ovsdb_column_set *cs, const struct ovsdb_table_schema *ts,
				   const json_t *json, bool implicit);
void ovsdb_column_set_destroy(struct ovsdb_column_set *cs);
bool ovsdb_column_set_contains(const struct ovsdb_column_set *cs, uint32_t idx);
