/* SPDX-License-Identifier: Apache-2.0 */
#include "schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static bool valid_id(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static bool valid_version(const char *s)
{
	/* "x.y.z", three non-negative integers. */
	for (int part = 0; part < 3; part++) {
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
		if (part < 2 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

static void table_destroy(struct ovsdb_table_schema *t)
{
	for (uint32_t i = 0; i < t->n_cols; i++) {
		free(t->cols[i].name);
		ovsdb_type_destroy(&t->cols[i].type);
	}
	free(t->cols);
	for (uint32_t i = 0; i < t->n_indexes; i++)
		free(t->indexes[i].cols);
	free(t->indexes);
	free(t->name);
}

const struct ovsdb_column *ovsdb_table_schema_find_column(const struct ovsdb_table_schema *t,
							  const char *name)
{
	/* The first byte rules out most columns without a call: this runs once per column
	 * of every row a transaction writes. */
	for (uint32_t i = 0; i < t->n_cols; i++)
		if (t->cols[i].name[0] == name[0] && !strcmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

struct ovsdb_table_schema *ovsdb_schema_find_table(const struct ovsdb_schema *s, const char *name)
{
	for (uint32_t i = 0; i < s->n_tables; i++)
		if (!strcmp(s->tables[i].name, name))
			return &s->tables[i];
	return NULL;
}

static json_t *column_from_json(struct ovsdb_column *c, const char *name, const json_t *json)
{
	json_t *type = NULL, *err;
	int ephemeral = 0, mutable_ = 1;
	json_error_t jerr;
	if (json_unpack_ex((json_t *)json, &jerr, JSON_STRICT, "{s:o, s?b, s?b}", "type", &type,
			   "ephemeral", &ephemeral, "mutable", &mutable_))
		return ovsdb_error("syntax error", "column \"%s\": %s", name, jerr.text);
	if (!valid_id(name) || name[0] == '_')
		return ovsdb_error("syntax error", "\"%s\" is not a valid column name", name);
	if ((err = ovsdb_type_from_json(&c->type, type))) {
		ovsdb_error_prefix(err, "column \"%s\"", name);
		return err;
	}
	c->name = strdup(name);
	c->ephemeral = ephemeral;
	c->mutable_ = mutable_;
	return NULL;
}

static json_t *table_from_json(struct ovsdb_table_schema *t, const char *name, const json_t *json,
			       bool *is_root_given)
{
	json_t *columns = NULL, *indexes = NULL, *max_rows = NULL, *err = NULL;
	int is_root = 0;
	json_error_t jerr;
	t->name = strdup(name);
	t->max_rows = UINT64_MAX;
	if (json_unpack_ex((json_t *)json, &jerr, JSON_STRICT, "{s:o, s?o, s?b, s?o}", "columns", &columns,
			   "maxRows", &max_rows, "isRoot", &is_root, "indexes", &indexes))
		return ovsdb_error("syntax error", "table \"%s\": %s", name, jerr.text);
	if (!valid_id(name) || name[0] == '_')
		return ovsdb_error("syntax error", "\"%s\" is not a valid table name", name);
	if (!json_is_object(columns) || !json_object_size(columns))
		return ovsdb_error("syntax error", "table \"%s\" must have at least one column", name);
	*is_root_given |= json_object_get(json, "isRoot") != NULL;
	t->is_root = is_root;
	if (max_rows) {
		if (!json_is_integer(max_rows) || json_integer_value(max_rows) < 1)
			return ovsdb_error("syntax error", "table \"%s\": maxRows must be a positive integer", name);
		t->max_rows = (uint64_t)json_integer_value(max_rows);
	}

	t->n_cols = OVSDB_N_IMPLICIT_COLS + (uint32_t)json_object_size(columns);
	t->cols = calloc(t->n_cols, sizeof *t->cols);
	if (!t->cols)
		return ovsdb_error("resources exhausted", "out of memory");
	t->cols[OVSDB_COL_UUID].name = strdup("_uuid");
	ovsdb_type_init_atomic(&t->cols[OVSDB_COL_UUID].type, OVSDB_TYPE_UUID);
	t->cols[OVSDB_COL_VERSION].name = strdup("_version");
	ovsdb_type_init_atomic(&t->cols[OVSDB_COL_VERSION].type, OVSDB_TYPE_UUID);
	uint32_t i = OVSDB_N_IMPLICIT_COLS;
	const char *cname;
	json_t *cjson;
	json_object_foreach (columns, cname, cjson) {
		t->cols[i].idx = i;
		if ((err = column_from_json(&t->cols[i], cname, cjson))) {
			t->n_cols = i; /* only destroy what was built */
			ovsdb_error_prefix(err, "table \"%s\"", name);
			return err;
		}
		if (ovsdb_type_has_ref(&t->cols[i].type, OVSDB_REF_STRONG))
			t->has_strong_refs = true;
		if (ovsdb_type_has_ref(&t->cols[i].type, OVSDB_REF_WEAK))
			t->has_weak_refs = true;
		i++;
	}
	t->cols[OVSDB_COL_VERSION].idx = OVSDB_COL_VERSION;

	if (indexes) {
		if (!json_is_array(indexes))
			return ovsdb_error("syntax error", "table \"%s\": indexes must be an array", name);
		t->indexes = calloc(json_array_size(indexes) + 1, sizeof *t->indexes);
		size_t k;
		json_t *ix;
		json_array_foreach (indexes, k, ix) {
			if (!json_is_array(ix) || !json_array_size(ix))
				return ovsdb_error("syntax error", "table \"%s\": index must be a non-empty array of columns", name);
			struct ovsdb_index_schema *is = &t->indexes[t->n_indexes++];
			is->cols = calloc(json_array_size(ix), sizeof *is->cols);
			size_t m;
			json_t *cn;
			json_array_foreach (ix, m, cn) {
				const struct ovsdb_column *c = json_is_string(cn)
					? ovsdb_table_schema_find_column(t, json_string_value(cn)) : NULL;
				if (!c)
					return ovsdb_error("syntax error", "table \"%s\": index names unknown column", name);
				if (c->ephemeral)
					return ovsdb_error("syntax error", "table \"%s\": ephemeral column \"%s\" cannot be indexed",
							   name, c->name);
				is->cols[is->n_cols++] = c->idx;
			}
		}
	}
	return NULL;
}

struct ovsdb_schema *ovsdb_schema_from_json(const json_t *json, json_t **error)
{
	struct ovsdb_schema *s = calloc(1, sizeof *s);
	const char *name = NULL, *version = NULL, *cksum = NULL;
	json_t *tables = NULL, *err = NULL;
	json_error_t jerr;
	bool is_root_given = false;
	if (!s) {
		err = ovsdb_error("resources exhausted", "out of memory");
		goto out;
	}
	if (json_unpack_ex((json_t *)json, &jerr, JSON_STRICT, "{s:s, s?s, s?s, s:o}", "name", &name,
			   "version", &version, "cksum", &cksum, "tables", &tables)) {
		err = ovsdb_error("syntax error", "schema: %s", jerr.text);
		goto out;
	}
	if (!valid_id(name)) {
		err = ovsdb_error("syntax error", "\"%s\" is not a valid schema name", name);
		goto out;
	}
	if (version && !valid_version(version)) {
		err = ovsdb_error("syntax error", "schema version \"%s\" is not x.y.z", version);
		goto out;
	}
	if (!json_is_object(tables)) {
		err = ovsdb_error("syntax error", "schema \"tables\" must be an object");
		goto out;
	}
	s->name = strdup(name);
	s->version = version ? strdup(version) : NULL;
	s->cksum = cksum ? strdup(cksum) : NULL;
	s->tables = calloc(json_object_size(tables) + 1, sizeof *s->tables);
	const char *tname;
	json_t *tjson;
	json_object_foreach (tables, tname, tjson) {
		struct ovsdb_table_schema *t = &s->tables[s->n_tables];
		t->idx = s->n_tables++;
		if ((err = table_from_json(t, tname, tjson, &is_root_given)))
			goto out;
	}
	/* Before isRoot existed every table was a root; OVS keeps that when no table says. */
	if (!is_root_given)
		for (uint32_t i = 0; i < s->n_tables; i++)
			s->tables[i].is_root = true;
	for (uint32_t i = 0; i < s->n_tables; i++) {
		struct ovsdb_table_schema *t = &s->tables[i];
		for (uint32_t c = 0; c < t->n_cols; c++) {
			struct ovsdb_base_type *bases[] = { &t->cols[c].type.key, &t->cols[c].type.value };
			for (int b = 0; b < 2; b++) {
				if (!bases[b]->ref_table_name)
					continue;
				bases[b]->ref_table = ovsdb_schema_find_table(s, bases[b]->ref_table_name);
				if (!bases[b]->ref_table) {
					err = ovsdb_error("syntax error", "column \"%s\" in table \"%s\" refers to undefined table \"%s\"",
							  t->cols[c].name, t->name, bases[b]->ref_table_name);
					goto out;
				}
			}
		}
	}
	s->json = json_deep_copy(json);
out:
	if (err) {
		ovsdb_schema_destroy(s);
		s = NULL;
		*error = err;
	}
	return s;
}

struct ovsdb_schema *ovsdb_schema_from_file(const char *path, json_t **error)
{
	json_error_t jerr;
	json_auto_t *json = json_load_file(path, 0, &jerr);
	if (!json) {
		*error = ovsdb_error("syntax error", "%s:%d: %s", path, jerr.line, jerr.text);
		return NULL;
	}
	return ovsdb_schema_from_json(json, error);
}

void ovsdb_schema_destroy(struct ovsdb_schema *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n_tables; i++)
		table_destroy(&s->tables[i]);
	free(s->tables);
	free(s->name);
	free(s->version);
	free(s->cksum);
	json_decref(s->json);
	free(s);
}
