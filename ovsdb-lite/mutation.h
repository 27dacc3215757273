/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Mutations (RFC 7047 5.1 <mutation>) for the "mutate" operation: arithmetic on integer
 * and real scalars and sets, insert and delete on sets and maps.  Parsed against a table's
 * schema, then applied to a row a transaction may write (transaction.c). */

#include <jansson.h>

#include "datum.h"
#include "table.h"

enum ovsdb_mutator {
	OVSDB_M_ADD,
	OVSDB_M_SUB,
	OVSDB_M_MUL,
	OVSDB_M_DIV,
	OVSDB_M_MOD,
	OVSDB_M_INSERT,
	OVSDB_M_DELETE,
};

struct ovsdb_mutation {
	const struct ovsdb_column *column;
	enum ovsdb_mutator mutator;
	struct ovsdb_type arg_type; /* shallow: points into the column's type, sizes relaxed */
	struct ovsdb_datum arg;
};

struct ovsdb_mutation_set {
	uint32_t n;
	struct ovsdb_mutation *mutations;
};

json_t *ovsdb_mutation_set_from_json(struct ovsdb_mutation_set *ms, const struct ovsdb_table_schema *ts,
				     const json_t *json, struct ovsdb_symtab *symtab);
void ovsdb_mutation_set_destroy(struct ovsdb_mutation_set *ms);
/* Applies every mutation to 'row'.  Returns NULL or a new error ("domain error", "range
 * error", "constraint violation"); the row may then be partly mutated (the transaction
 * is aborted anyway). */
json_t *ovsdb_mutation_set_apply(const struct ovsdb_mutation_set *ms, struct ovsdb_row *row);
