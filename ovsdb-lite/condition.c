/* SPDX-License-Identifier: Apache-2.0 */
#include "condition.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

static const char *const function_names[] = {
	[OVSDB_F_LT] = "<", [OVSDB_F_LE] = "<=", [OVSDB_F_EQ] = "==", [OVSDB_F_NE] = "!=",
	[OVSDB_F_GE] = ">=", [OVSDB_F_GT] = ">", [OVSDB_F_INCLUDES] = "includes",
	[OVSDB_F_EXCLUDES] = "excludes",
};

static bool function_from_string(const char *s, enum ovsdb_function *f)
{
	for (enum ovsdb_function i = OVSDB_F_LT; i <= OVSDB_F_EXCLUDES; i++) {
		if (!strcmp(s, function_names[i])) {
			*f = i;
			return true;
		}
	}
	return false;
}

static json_t *clause_from_json(struct ovsdb_clause *cl, const struct ovsdb_table_schema *ts,
				const json_t *json, struct ovsdb_symtab *symtab, bool allow_bool)
{
	ovsdb_datum_init_empty(&cl->arg);
	cl->column = NULL;
	if (json_is_boolean(json) && allow_bool) {
		cl->function = json_is_true(json) ? OVSDB_F_TRUE : OVSDB_F_FALSE;
		return NULL;
	}
	if (!json_is_array(json) || json_array_size(json) != 3 || !json_is_string(json_array_get(json, 0)) ||
	    !json_is_string(json_array_get(json, 1)))
		return ovsdb_error("syntax error", "condition must be [column, function, value]");
	const char *cname = json_string_value(json_array_get(json, 0));
	const char *fname = json_string_value(json_array_get(json, 1));
	cl->column = ovsdb_table_schema_find_column(ts, cname);
	if (!cl->column)
		return ovsdb_error("unknown column", "No column %s in table %s.", cname, ts->name);
	if (!function_from_string(fname, &cl->function))
		return ovsdb_error("unknown operator", "No function named %s.", fname);
	const struct ovsdb_type *type = &cl->column->type;
	if (cl->function <= OVSDB_F_GT && cl->function != OVSDB_F_EQ && cl->function != OVSDB_F_NE) {
		if (!ovsdb_type_is_scalar(type) ||
		    (type->key.type != OVSDB_TYPE_INTEGER && type->key.type != OVSDB_TYPE_REAL))
			return ovsdb_error("syntax error", "Type mismatch: \"%s\" operator may not be applied to column %s of type %s.",
					   fname, cname, ovsdb_atype_name(type->key.type));
	}
	json_t *err;
	if (cl->function == OVSDB_F_INCLUDES || cl->function == OVSDB_F_EXCLUDES ||
	    cl->function == OVSDB_F_EQ || cl->function == OVSDB_F_NE)
		/* Comparing against a value the column could not hold is legal (it just never
		 * matches), so only the element types are checked, not set sizes. */
		err = ovsdb_datum_from_json_any_size(&cl->arg, type, json_array_get(json, 2), symtab);
	else
		err = ovsdb_datum_from_json(&cl->arg, type, json_array_get(json, 2), symtab);
	if (err)
		ovsdb_error_prefix(err, "condition on column %s", cname);
	return err;
}

json_t *ovsdb_condition_from_json(struct ovsdb_condition *cond, const struct ovsdb_table_schema *ts,
				  const json_t *json, struct ovsdb_symtab *symtab, bool allow_bool)
{
	cond->n = 0;
	cond->clauses = NULL;
	if (!json)
		return NULL;
	if (!json_is_array(json))
		return ovsdb_error("syntax error", "\"where\" must be an array of conditions");
	cond->clauses = calloc(json_array_size(json) + 1, sizeof *cond->clauses);
	if (!cond->clauses)
		return ovsdb_error("resources exhausted", "out of memory");
	size_t i;
	json_t *cj;
	json_array_foreach (json, i, cj) {
		json_t *err = clause_from_json(&cond->clauses[cond->n], ts, cj, symtab, allow_bool);
		if (err) {
			ovsdb_condition_destroy(cond);
			return err;
		}
		cond->n++;
	}
	return NULL;
}

void ovsdb_condition_destroy(struct ovsdb_condition *cond)
{
	for (uint32_t i = 0; i < cond->n; i++)
		if (cond->clauses[i].column)
			ovsdb_datum_destroy(&cond->clauses[i].arg, &cond->clauses[i].column->type);
	free(cond->clauses);
	cond->clauses = NULL;
	cond->n = 0;
}

static bool clause_eval(const struct ovsdb_clause *cl, const struct ovsdb_row *row)
{
	if (cl->function == OVSDB_F_TRUE)
		return true;
	if (cl->function == OVSDB_F_FALSE)
		return false;
	const struct ovsdb_type *type = &cl->column->type;
	const struct ovsdb_datum *field = &row->fields[cl->column->idx];
	switch (cl->function) {
	case OVSDB_F_EQ:
		return ovsdb_datum_equals(field, &cl->arg, type);
	case OVSDB_F_NE:
		return !ovsdb_datum_equals(field, &cl->arg, type);
	case OVSDB_F_INCLUDES:
		return ovsdb_datum_includes_all(field, &cl->arg, type);
	case OVSDB_F_EXCLUDES:
		return ovsdb_datum_excludes_all(field, &cl->arg, type);
	default: {
		int c = ovsdb_atom_compare(&field->keys[0], &cl->arg.keys[0], type->key.type);
		switch (cl->function) {
		case OVSDB_F_LT: return c < 0;
		case OVSDB_F_LE: return c <= 0;
		case OVSDB_F_GE: return c >= 0;
		case OVSDB_F_GT: return c > 0;
		default: return false;
		}
	}
	}
}

bool ovsdb_condition_match_all(const struct ovsdb_condition *cond, const struct ovsdb_row *row)
{
	for (uint32_t i = 0; i < cond->n; i++)
		if (!clause_eval(&cond->clauses[i], row))
			return false;
	return true;
}

bool ovsdb_condition_match_any(const struct ovsdb_condition *cond, const struct ovsdb_row *row)
{
	if (!cond->n)
		return true;
	for (uint32_t i = 0; i < cond->n; i++)
		if (clause_eval(&cond->clauses[i], row))
			return true;
	return false;
}

const struct uuid *ovsdb_condition_get_uuid(const struct ovsdb_condition *cond)
{
	for (uint32_t i = 0; i < cond->n; i++) {
		const struct ovsdb_clause *cl = &cond->clauses[i];
		if (cl->function == OVSDB_F_EQ && cl->column->idx == OVSDB_COL_UUID && cl->arg.n == 1)
			return &cl->arg.keys[0].uuid;
	}
	return NULL;
}
