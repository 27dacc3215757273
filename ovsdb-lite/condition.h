/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Conditions: the "where" of select/update/mutate/delete/wait (all clauses must hold) and
 * of monitor_cond (a row matches if any clause holds; true/false literals allowed).  Also
 * the mutations of the "mutate" operation (RFC 7047 sections 5.1 and 5.1's <mutation>). */

#include <jansson.h>
#include <stdbool.h>

#include "datum.h"
#include "table.h"

enum ovsdb_function {
	OVSDB_F_FALSE, /* monitor_cond literal */
	OVSDB_F_TRUE,
	OVSDB_F_LT,
	OVSDB_F_LE,
	OVSDB_F_EQ,
	OVSDB_F_NE,
	OVSDB_F_GE,
	OVSDB_F_GT,
	OVSDB_F_INCLUDES,
	OVSDB_F_EXCLUDES,
};

struct ovsdb_clause {
	enum ovsdb_function function;
	const struct ovsdb_column *column; /* NULL for true/false */
	struct ovsdb_datum arg;
};

struct ovsdb_condition {
	uint32_t n;
	struct ovsdb_clause *clauses;
};

/* Parses an array of clauses.  'allow_bool' accepts true/false literals (monitor_cond).
 * Returns NULL or a new error ("syntax error", "unknown column"). */
json_t *ovsdb_condition_from_json(struct ovsdb_condition *cond, const struct ovsdb_table_schema *ts,
				  const json_t *json, struct ovsdb_symtab *symtab, bool allow_bool);
void ovsdb_condition_destroy(struct ovsdb_condition *cond);
/* Every clause holds (transact semantics; empty is true). */
bool ovsdb_condition_match_all(const struct ovsdb_condition *cond, const struct ovsdb_row *row);
/* Some clause holds (monitor_cond semantics; empty is true). */
bool ovsdb_condition_match_any(const struct ovsdb_condition *cond, const struct ovsdb_row *row);
/* If the condition pins one row by "_uuid == X" (AND semantics), returns that UUID. */
const struct uuid *ovsdb_condition_get_uuid(const struct ovsdb_condition *cond);

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
