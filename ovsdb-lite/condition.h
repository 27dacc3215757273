/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Conditions (RFC 7047 5.1 <condition>): the "where" of select/update/mutate/delete/wait
 * (all clauses must hold) and of monitor_cond (a row matches if any clause holds;
 * true/false literals allowed). */

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
