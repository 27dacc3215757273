/* SPDX-License-Identifier: Apache-2.0 */
#include "mutation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static const char *const mutator_names[] = {
	[OVSDB_M_ADD] = "+=", [OVSDB_M_SUB] = "-=", [OVSDB_M_MUL] = "*=", [OVSDB_M_DIV] = "/=",
	[OVSDB_M_MOD] = "%=", [OVSDB_M_INSERT] = "insert", [OVSDB_M_DELETE] = "delete",
};

static json_t *mutation_from_json(struct ovsdb_mutation *m, const struct ovsdb_table_schema *ts,
				  const json_t *json, struct ovsdb_symtab *symtab)
{
	ovsdb_datum_init_empty(&m->arg);
	m->column = NULL;
	if (!json_is_array(json) || json_array_size(json) != 3 || !json_is_string(json_array_get(json, 0)) ||
	    !json_is_string(json_array_get(json, 1)))
		return ovsdb_error("syntax error", "mutation must be [column, mutator, value]");
	const char *cname = json_string_value(json_array_get(json, 0));
	const char *mname = json_string_value(json_array_get(json, 1));
	const json_t *value = json_array_get(json, 2);
	const struct ovsdb_column *col = ovsdb_table_schema_find_column(ts, cname);
	if (!col)
		return ovsdb_error("unknown column", "No column %s in table %s.", cname, ts->name);
	bool found = false;
	for (enum ovsdb_mutator i = OVSDB_M_ADD; i <= OVSDB_M_DELETE; i++) {
		if (!strcmp(mname, mutator_names[i])) {
			m->mutator = i;
			found = true;
		}
	}
	if (!found)
		return ovsdb_error("unknown mutator", "No mutator named %s.", mname);
	if (col->idx < OVSDB_N_IMPLICIT_COLS || !col->mutable_)
		return ovsdb_error("constraint violation", "Cannot mutate immutable column %s in table %s.",
				   cname, ts->name);
	const struct ovsdb_type *type = &col->type;
	m->column = col;
	m->arg_type = *type;
	json_t *err = NULL;
	if (m->mutator <= OVSDB_M_MOD) {
		enum ovsdb_atype kt = type->key.type;
		if (ovsdb_type_is_map(type) || (kt != OVSDB_TYPE_INTEGER && kt != OVSDB_TYPE_REAL) ||
		    (m->mutator == OVSDB_M_MOD && kt != OVSDB_TYPE_INTEGER))
			return ovsdb_error("constraint violation", "Type mismatch: \"%s\" mutator may not be applied to column %s of type %s.",
					   mname, cname, ovsdb_atype_name(kt));
		/* The operand is a bare number; the column's range applies to the result only. */
		m->arg_type.n_min = m->arg_type.n_max = 1;
		m->arg.keys = calloc(1, sizeof *m->arg.keys);
		m->arg.values = NULL;
		m->arg.one = false; /* malloc'd */
		m->arg.n = 1;
		struct ovsdb_base_type plain = { .type = kt };
		err = ovsdb_atom_from_json(&m->arg.keys[0], &plain, value, symtab);
		if (err) {
			free(m->arg.keys); /* a number: no string inside */
			ovsdb_datum_init_empty(&m->arg);
		}
	} else {
		if (ovsdb_type_is_scalar(type))
			return ovsdb_error("constraint violation", "Type mismatch: \"%s\" mutator may not be applied to scalar column %s.",
					   mname, cname);
		m->arg_type.n_min = 0;
		m->arg_type.n_max = OVSDB_N_UNLIMITED;
		bool is_map_arg = json_is_array(value) && json_array_size(value) == 2 &&
				  json_is_string(json_array_get(value, 0)) &&
				  !strcmp(json_string_value(json_array_get(value, 0)), "map");
		if (ovsdb_type_is_map(type) && m->mutator == OVSDB_M_DELETE && !is_map_arg)
			m->arg_type.value.type = OVSDB_TYPE_VOID; /* delete by keys */
		err = ovsdb_datum_from_json_any_size(&m->arg, &m->arg_type, value, symtab);
	}
	if (err) {
		m->column = NULL;
		ovsdb_error_prefix(err, "mutation of column %s", cname);
	}
	return err;
}

json_t *ovsdb_mutation_set_from_json(struct ovsdb_mutation_set *ms, const struct ovsdb_table_schema *ts,
				     const json_t *json, struct ovsdb_symtab *symtab)
{
	ms->n = 0;
	ms->mutations = NULL;
	if (!json_is_array(json))
		return ovsdb_error("syntax error", "\"mutations\" must be an array");
	ms->mutations = calloc(json_array_size(json) + 1, sizeof *ms->mutations);
	if (!ms->mutations)
		return ovsdb_error("resources exhausted", "out of memory");
	size_t i;
	json_t *mj;
	json_array_foreach (json, i, mj) {
		json_t *err = mutation_from_json(&ms->mutations[ms->n], ts, mj, symtab);
		if (err) {
			ovsdb_mutation_set_destroy(ms);
			return err;
		}
		ms->n++;
	}
	return NULL;
}

void ovsdb_mutation_set_destroy(struct ovsdb_mutation_set *ms)
{
	for (uint32_t i = 0; i < ms->n; i++)
		if (ms->mutations[i].column)
			ovsdb_datum_destroy(&ms->mutations[i].arg, &ms->mutations[i].arg_type);
	free(ms->mutations);
	ms->mutations = NULL;
	ms->n = 0;
}

static json_t *mutate_int(int64_t *x, int64_t y, enum ovsdb_mutator m)
{
	int64_t r;
	bool overflow = false;
	switch (m) {
	case OVSDB_M_ADD: overflow = __builtin_add_overflow(*x, y, &r); break;
	case OVSDB_M_SUB: overflow = __builtin_sub_overflow(*x, y, &r); break;
	case OVSDB_M_MUL: overflow = __builtin_mul_overflow(*x, y, &r); break;
	case OVSDB_M_DIV:
	case OVSDB_M_MOD:
		if (!y)
			return ovsdb_error("domain error", "Division by zero.");
		if (*x == INT64_MIN && y == -1)
			return ovsdb_error("range error", "Result of division overflows.");
		r = m == OVSDB_M_DIV ? *x / y : *x % y;
		break;
	default: return NULL;
	}
	if (overflow)
		return ovsdb_error("range error", "Result of \"%s\" operation is out of range.", mutator_names[m]);
	*x = r;
	return NULL;
}

static json_t *mutate_real(double *x, double y, enum ovsdb_mutator m)
{
	double r;
	switch (m) {
	case OVSDB_M_ADD: r = *x + y; break;
	case OVSDB_M_SUB: r = *x - y; break;
	case OVSDB_M_MUL: r = *x * y; break;
	case OVSDB_M_DIV:
		if (y == 0)
			return ovsdb_error("domain error", "Division by zero.");
		r = *x / y;
		break;
	default: return NULL;
	}
	if (!isfinite(r))
		return ovsdb_error("range error", "Result of \"%s\" operation is out of range.", mutator_names[m]);
	*x = r;
	return NULL;
}

static json_t *apply_one(const struct ovsdb_mutation *m, struct ovsdb_datum *d)
{
	const struct ovsdb_type *type = &m->column->type;
	json_t *err = NULL;
	if (m->mutator <= OVSDB_M_MOD) {
		for (uint32_t i = 0; i < d->n; i++) {
			if (type->key.type == OVSDB_TYPE_INTEGER)
				err = mutate_int(&d->keys[i].integer, m->arg.keys[0].integer, m->mutator);
			else
				err = mutate_real(&d->keys[i].real, m->arg.keys[0].real, m->mutator);
			if (err)
				return err;
			if ((err = ovsdb_atom_check_constraints(&d->keys[i], &type->key)))
				return err;
		}
		if ((err = ovsdb_datum_sort(d, type))) {
			json_decref(err);
			return ovsdb_error("constraint violation", "Result of \"%s\" operation contains duplicate values.",
					   mutator_names[m->mutator]);
		}
	} else if (m->mutator == OVSDB_M_INSERT) {
		if (ovsdb_datum_union(d, &m->arg, type))
			return ovsdb_error("resources exhausted", "out of memory");
	} else {
		ovsdb_datum_subtract(d, &m->arg, type, m->arg_type.value.type == OVSDB_TYPE_VOID);
	}
	if (d->n < type->n_min || d->n > type->n_max)
		return ovsdb_error("constraint violation", "Attempted to store %u elements in %s column %s, which requires %u to %u.",
				   d->n, ovsdb_type_is_map(type) ? "map" : "set", m->column->name, type->n_min, type->n_max);
	return NULL;
}

json_t *ovsdb_mutation_set_apply(const struct ovsdb_mutation_set *ms, struct ovsdb_row *row)
{
	for (uint32_t i = 0; i < ms->n; i++) {
		json_t *err = apply_one(&ms->mutations[i], &row->fields[ms->mutations[i].column->idx]);
		if (err)
			return err;
	}
	return NULL;
}
