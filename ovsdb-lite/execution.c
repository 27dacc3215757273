/* SPDX-License-Identifier: Apache-2.0 */
#include "execution.h"

#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "error.h"
#include "json_text.h"
#include "mutation.h"

struct exec_ctx {
	struct ovsdb_db *db;
	struct ovsdb_txn *txn;
	struct ovsdb_symtab symtab;
	const struct ovsdb_exec_opts *opts;
	struct ovsdb_exec_result *res;
	struct json_text *text; /* the result array is written here, or NULL: built in res */
};

typedef json_t *op_handler(struct exec_ctx *x, const json_t *op, json_t **result);

static json_t *get_table(struct exec_ctx *x, const json_t *op, struct ovsdb_table **table)
{
	const json_t *tj = json_object_get(op, "table");
	if (!json_is_string(tj))
		return ovsdb_error("syntax error", "operation requires a \"table\" string");
	*table = ovsdb_db_find_table(x->db, json_string_value(tj));
	if (!*table)
		return ovsdb_error("unknown table", "No table named %s.", json_string_value(tj));
	return NULL;
}

static json_t *unpack(const json_t *op, const char *fmt, ...)
{
	json_error_t jerr;
	va_list ap;
	va_start(ap, fmt);
	int rc = json_vunpack_ex((json_t *)op, &jerr, JSON_STRICT, fmt, ap);
	va_end(ap);
	if (rc)
		return ovsdb_error("syntax error", "%s", jerr.text);
	return NULL;
}

/* Strict member check for the hot operations without json_unpack_ex's format parsing
 * (about a tenth of an insert's cost).  'names' ends with NULL; 'required' is a bitmask
 * over 'names'.  Returns NULL or a new "syntax error". */
static json_t *check_members(const json_t *op, const char *const *names, unsigned required)
{
	const char *key;
	json_t *v;
	unsigned seen = 0;
	json_object_foreach ((json_t *)op, key, v) {
		unsigned i;
		for (i = 0; names[i] && strcmp(names[i], key); i++)
			;
		if (!names[i])
			return ovsdb_error("syntax error", "%zu object item(s) left unpacked: %s", (size_t)1, key);
		seen |= 1u << i;
	}
	for (unsigned i = 0; names[i]; i++)
		if ((required & (1u << i)) && !(seen & (1u << i)))
			return ovsdb_error("syntax error", "Object item not found: %s", names[i]);
	return NULL;
}

/* Parses 'row' (a <row>) into 'dst', column by column.  Implicit columns may not be set;
 * with 'for_update', immutable columns may not be either. */
static json_t *parse_row(struct exec_ctx *x, struct ovsdb_row *dst, const json_t *row, bool for_update,
			 struct ovsdb_column_set *written)
{
	const struct ovsdb_table_schema *ts = dst->table->schema;
	if (!json_is_object(row))
		return ovsdb_error("syntax error", "\"row\" must be an object");
	const char *cname;
	json_t *v;
	json_object_foreach ((json_t *)row, cname, v) {
		const struct ovsdb_column *col = ovsdb_table_schema_find_column(ts, cname);
		if (!col)
			return ovsdb_error("unknown column", "No column %s in table %s.", cname, ts->name);
		if (col->idx < OVSDB_N_IMPLICIT_COLS || (for_update && !col->mutable_))
			return ovsdb_error("constraint violation", "Cannot update immutable column %s in table %s.",
					   cname, ts->name);
		struct ovsdb_datum d;
		json_t *err = ovsdb_datum_from_json(&d, &col->type, v, &x->symtab);
		if (err) {
			ovsdb_error_prefix(err, "column %s", cname);
			return err;
		}
		ovsdb_datum_swap(&d, &dst->fields[col->idx]);
		ovsdb_datum_destroy(&d, &col->type);
		if (written)
			written->idx[written->n++] = col->idx;
	}
	return NULL;
}

static json_t *op_insert(struct exec_ctx *x, const json_t *op, json_t **result)
{
	static const char *const members[] = { "op", "table", "row", "uuid-name", NULL };
	struct ovsdb_table *table;
	json_t *err;
	if ((err = check_members(op, members, 0x3)) || (err = get_table(x, op, &table)))
		return err;
	const json_t *row = json_object_get(op, "row"), *un = json_object_get(op, "uuid-name");
	if (un && !json_is_string(un))
		return ovsdb_error("syntax error", "\"uuid-name\" must be a string");
	const char *uuid_name = json_string_value(un);
	struct uuid u;
	if (uuid_name) {
		struct ovsdb_symbol *sym = ovsdb_symtab_insert(&x->symtab, uuid_name);
		if (!sym)
			return ovsdb_error("resources exhausted", "out of memory");
		if (sym->created)
			return ovsdb_error("duplicate uuid-name", "This \"uuid-name\" appeared on an earlier \"insert\" operation.");
		sym->created = true;
		u = sym->uuid;
	} else {
		uuid_generate(&u);
	}
	hmap_prefetch(&table->rows, uuid_hash(&u)); /* the commit inserts it there */
	struct ovsdb_row *r = ovsdb_row_create_sparse(table);
	r->fields[OVSDB_COL_UUID].keys[0].uuid = u;
	if (row && (err = parse_row(x, r, row, false, NULL))) {
		ovsdb_row_destroy(r);
		return err;
	}
	ovsdb_row_fill_defaults(r);
	ovsdb_txn_insert(x->txn, r);
	char buf[UUID_LEN + 1];
	uuid_to_string(&u, buf);
	if (x->text) {
		/* The result of most requests under load: written, not built, dumped and freed. */
		json_text_raw(x->text, "{\"uuid\":[\"uuid\",\"", 17);
		json_text_raw(x->text, buf, UUID_LEN);
		json_text_raw(x->text, "\"]}", 3);
		return NULL; /* *result stays NULL: already written */
	}
	json_t *pair = json_array();
	json_array_append_new(pair, json_string_nocheck("uuid"));
	json_array_append_new(pair, json_string_nocheck(buf));
	*result = json_object();
	json_object_set_new_nocheck(*result, "uuid", pair);
	return NULL;
}

struct match_ctx {
	const struct ovsdb_condition *cond;
	struct ovsdb_row **rows;
	size_t n, cap;
};

static bool match_cb(struct ovsdb_row *row, void *aux)
{
	struct match_ctx *m = aux;
	if (!ovsdb_condition_match_all(m->cond, row))
		return true;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->rows = realloc(m->rows, m->cap * sizeof *m->rows);
		if (!m->rows)
			abort();
	}
	m->rows[m->n++] = row;
	return true;
}

/* The index of 'table' that consists of exactly the column of an "==" clause of 'cond'
 * (AND semantics), or -1; *clause is that clause. */
static int eq_index(const struct ovsdb_table *table, const struct ovsdb_condition *cond,
		    const struct ovsdb_clause **clause)
{
	const struct ovsdb_table_schema *ts = table->schema;
	for (uint32_t i = 0; i < cond->n; i++) {
		const struct ovsdb_clause *cl = &cond->clauses[i];
		if (cl->function != OVSDB_F_EQ || !cl->column)
			continue;
		for (uint32_t x = 0; x < ts->n_indexes; x++)
			if (ts->indexes[x].n_cols == 1 && ts->indexes[x].cols[0] == cl->column->idx) {
				*clause = cl;
				return (int)x;
			}
	}
	return -1;
}

/* "col == V" on an indexed column ("Port key ==", "Host name =="): the committed rows
 * whose value is V, from the index, then every row this transaction inserted or modified
 * (the index holds committed values only).  A scan of 100k Port rows was most of the time of
 * a `dvsctl port add` at that size. */
static void find_by_index(struct exec_ctx *x, struct ovsdb_table *table, int ix,
			  const struct ovsdb_clause *cl, struct match_ctx *m)
{
	const struct ovsdb_type *type = &cl->column->type;
	uint32_t h = ovsdb_datum_hash(&cl->arg, type, 0);
	HMAP_FOR_EACH_WITH_HASH (n, h, &table->indexes[ix]) {
		struct ovsdb_row *row = ovsdb_row_from_index_node(n, table->schema, (uint32_t)ix);
		if (row->txn_row || !ovsdb_datum_equals(&row->fields[cl->column->idx], &cl->arg, type))
			continue;
		if (!match_cb(row, m))
			return;
	}
	for (uint32_t i = 0; i < x->txn->n_list; i++) {
		struct ovsdb_txn_row *tr = x->txn->list[i];
		if (tr->table == table && tr->new_ && !match_cb(tr->new_, m))
			return;
	}
}

/* Collects the rows of 'table' matching 'where'; the caller frees m->rows. */
static json_t *find_rows(struct exec_ctx *x, struct ovsdb_table *table, const json_t *where,
			 struct ovsdb_condition *cond, struct match_ctx *m)
{
	json_t *err = ovsdb_condition_from_json(cond, table->schema, where, &x->symtab, false);
	memset(m, 0, sizeof *m);
	m->cond = cond;
	if (err)
		return err;
	if (!where)
		return ovsdb_error("syntax error", "operation requires \"where\"");
	const struct uuid *u = ovsdb_condition_get_uuid(cond);
	if (u) {
		/* The common "_uuid == X" case: a lookup, not a scan. */
		struct ovsdb_row *row = ovsdb_txn_get_row(x->txn, table, u);
		if (row)
			match_cb(row, m);
		return NULL;
	}
	const struct ovsdb_clause *cl;
	int ix = eq_index(table, cond, &cl);
	if (ix >= 0)
		find_by_index(x, table, ix, cl, m);
	else
		ovsdb_txn_for_each_row(x->txn, table, match_cb, m);
	return NULL;
}

static json_t *op_select(struct exec_ctx *x, const json_t *op, json_t **result)
{
	struct ovsdb_table *table;
	json_t *where = NULL, *columns = NULL, *err;
	const char *s;
	struct ovsdb_condition cond = { 0, NULL };
	struct ovsdb_column_set cs = { 0, NULL };
	struct match_ctx m = { 0 };
	if ((err = unpack(op, "{s:s, s:s, s:o, s?o}", "op", &s, "table", &s, "where", &where, "columns",
			  &columns)) || (err = get_table(x, op, &table)))
		return err;
	if ((err = ovsdb_column_set_from_json(&cs, table->schema, columns, true)))
		goto out;
	if ((err = find_rows(x, table, where, &cond, &m)))
		goto out;
	json_t *rows = json_array();
	for (size_t i = 0; i < m.n; i++)
		json_array_append_new(rows, ovsdb_row_to_json(m.rows[i], &cs, false));
	*result = json_pack("{s:o}", "rows", rows);
out:
	free(m.rows);
	ovsdb_condition_destroy(&cond);
	ovsdb_column_set_destroy(&cs);
	return err;
}

static json_t *op_update(struct exec_ctx *x, const json_t *op, json_t **result)
{
	struct ovsdb_table *table;
	json_t *where = NULL, *row = NULL, *err;
	const char *s;
	struct ovsdb_condition cond = { 0, NULL };
	struct match_ctx m = { 0 };
	if ((err = unpack(op, "{s:s, s:s, s:o, s:o}", "op", &s, "table", &s, "where", &where, "row", &row)) ||
	    (err = get_table(x, op, &table)))
		return err;
	/* Parse the new values once, into a scratch row, so errors surface even with no match. */
	struct ovsdb_row *scratch = ovsdb_row_create(table);
	struct ovsdb_column_set written = { 0, calloc(table->schema->n_cols + 1, sizeof(uint32_t)) };
	if ((err = parse_row(x, scratch, row, true, &written)))
		goto out;
	if ((err = find_rows(x, table, where, &cond, &m)))
		goto out;
	for (size_t i = 0; i < m.n; i++) {
		struct ovsdb_row *w = ovsdb_txn_modify(x->txn, m.rows[i]);
		for (uint32_t c = 0; c < written.n; c++) {
			const struct ovsdb_column *col = &table->schema->cols[written.idx[c]];
			struct ovsdb_datum d;
			ovsdb_datum_clone(&d, &scratch->fields[col->idx], &col->type);
			ovsdb_datum_swap(&d, &w->fields[col->idx]);
			ovsdb_datum_destroy(&d, &col->type);
		}
	}
	*result = json_pack("{s:I}", "count", (json_int_t)m.n);
out:
	free(m.rows);
	ovsdb_condition_destroy(&cond);
	ovsdb_column_set_destroy(&written);
	ovsdb_row_destroy(scratch);
	return err;
}

static json_t *op_mutate(struct exec_ctx *x, const json_t *op, json_t **result)
{
	struct ovsdb_table *table;
	json_t *where = NULL, *mutations = NULL, *err;
	const char *s;
	struct ovsdb_condition cond = { 0, NULL };
	struct ovsdb_mutation_set ms = { 0, NULL };
	struct match_ctx m = { 0 };
	if ((err = unpack(op, "{s:s, s:s, s:o, s:o}", "op", &s, "table", &s, "where", &where, "mutations",
			  &mutations)) || (err = get_table(x, op, &table)))
		return err;
	if ((err = ovsdb_mutation_set_from_json(&ms, table->schema, mutations, &x->symtab)))
		goto out;
	if ((err = find_rows(x, table, where, &cond, &m)))
		goto out;
	for (size_t i = 0; i < m.n && !err; i++)
		err = ovsdb_mutation_set_apply(&ms, ovsdb_txn_modify(x->txn, m.rows[i]));
	if (!err)
		*result = json_pack("{s:I}", "count", (json_int_t)m.n);
out:
	free(m.rows);
	ovsdb_condition_destroy(&cond);
	ovsdb_mutation_set_destroy(&ms);
	return err;
}

static json_t *op_delete(struct exec_ctx *x, const json_t *op, json_t **result)
{
	struct ovsdb_table *table;
	json_t *where = NULL, *err;
	const char *s;
	struct ovsdb_condition cond = { 0, NULL };
	struct match_ctx m = { 0 };
	if ((err = unpack(op, "{s:s, s:s, s:o}", "op", &s, "table", &s, "where", &where)) ||
	    (err = get_table(x, op, &table)))
		return err;
	if (!(err = find_rows(x, table, where, &cond, &m))) {
		for (size_t i = 0; i < m.n; i++)
			ovsdb_txn_delete(x->txn, m.rows[i]);
		*result = json_pack("{s:I}", "count", (json_int_t)m.n);
	}
	free(m.rows);
	ovsdb_condition_destroy(&cond);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Canonical text of a row restricted to 'cs', so row sets compare as sorted strings. */
static char *row_key(const struct ovsdb_row *row, const struct ovsdb_column_set *cs)
{
	json_auto_t *j = ovsdb_row_to_json(row, cs, false);
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static json_t *op_wait(struct exec_ctx *x, const json_t *op, json_t **result)
{
	struct ovsdb_table *table;
	json_t *where = NULL, *columns = NULL, *rows = NULL, *err;
	const char *s, *until = NULL;
	json_int_t timeout = -1;
	struct ovsdb_condition cond = { 0, NULL };
	struct ovsdb_column_set cs = { 0, NULL };
	struct match_ctx m = { 0 };
	char **have = NULL, **want = NULL;
	size_t n_want = 0;
	if ((err = unpack(op, "{s:s, s:s, s:o, s:o, s:s, s:o, s?I}", "op", &s, "table", &s, "where", &where,
			  "columns", &columns, "until", &until, "rows", &rows, "timeout", &timeout)) ||
	    (err = get_table(x, op, &table)))
		return err;
	if (strcmp(until, "==") && strcmp(until, "!="))
		return ovsdb_error("syntax error", "\"until\" must be \"==\" or \"!=\"");
	if (!json_is_array(rows))
		return ovsdb_error("syntax error", "\"rows\" must be an array");
	if ((err = ovsdb_column_set_from_json(&cs, table->schema, columns, true)) ||
	    (err = find_rows(x, table, where, &cond, &m)))
		goto out;
	n_want = json_array_size(rows);
	want = calloc(n_want + 1, sizeof *want);
	have = calloc(m.n + 1, sizeof *have);
	for (size_t i = 0; i < n_want && !err; i++) {
		struct ovsdb_row *r = ovsdb_row_create(table);
		json_t *rj = json_array_get(rows, i);
		const char *cname;
		json_t *v;
		json_object_foreach (rj, cname, v) {
			if (!ovsdb_column_set_contains(&cs, ovsdb_table_schema_find_column(table->schema, cname)
						       ? ovsdb_table_schema_find_column(table->schema, cname)->idx : UINT32_MAX)) {
				err = ovsdb_error("syntax error", "wait row names column %s not in \"columns\"", cname);
				break;
			}
		}
		if (!err && !json_is_object(rj))
			err = ovsdb_error("syntax error", "wait rows must be objects");
		if (!err)
			err = parse_row(x, r, rj, false, NULL);
		if (!err)
			want[i] = row_key(r, &cs);
		ovsdb_row_destroy(r);
	}
	if (err)
		goto out;
	for (size_t i = 0; i < m.n; i++)
		have[i] = row_key(m.rows[i], &cs);
	qsort(want, n_want, sizeof *want, cmp_str);
	qsort(have, m.n, sizeof *have, cmp_str);
	bool equal = n_want == m.n;
	for (size_t i = 0; equal && i < m.n; i++)
		equal = !strcmp(want[i], have[i]);
	if (equal == !strcmp(until, "==")) {
		*result = json_object();
	} else if (timeout == 0 || x->opts->timed_out) {
		err = ovsdb_error("timed out", "\"wait\" timed out after %lld ms", (long long)(timeout < 0 ? 0 : timeout));
	} else {
		x->res->must_wait = true;
		if (timeout > 0 && (x->res->wait_timeout_ms < 0 || timeout < x->res->wait_timeout_ms))
			x->res->wait_timeout_ms = timeout;
		err = ovsdb_error("not done", NULL); /* internal: unwinds the transaction */
	}
out:
	for (size_t i = 0; have && i < m.n; i++)
		free(have[i]);
	for (size_t i = 0; want && i < n_want; i++)
		free(want[i]);
	free(have);
	free(want);
	free(m.rows);
	ovsdb_condition_destroy(&cond);
	ovsdb_column_set_destroy(&cs);
	return err;
}

static json_t *op_commit(struct exec_ctx *x, const json_t *op, json_t **result)
{
	int durable = 0;
	const char *s;
	json_t *err = unpack(op, "{s:s, s:b}", "op", &s, "durable", &durable);
	if (err)
		return err;
	x->res->durable |= durable;
	*result = json_object();
	return NULL;
}

static json_t *op_abort(struct exec_ctx *x, const json_t *op, json_t **result)
{
	const char *s;
	json_t *err = unpack(op, "{s:s}", "op", &s);
	return err ? err : ovsdb_error("aborted", "aborted by request");
}

static json_t *op_comment(struct exec_ctx *x, const json_t *op, json_t **result)
{
	const char *s, *comment;
	json_t *err = unpack(op, "{s:s, s:s}", "op", &s, "comment", &comment);
	if (!err)
		*result = json_object();
	return err;
}

static json_t *op_assert(struct exec_ctx *x, const json_t *op, json_t **result)
{
	const char *s, *lock;
	json_t *err = unpack(op, "{s:s, s:s}", "op", &s, "lock", &lock);
	if (err)
		return err;
	if (!x->opts->has_lock || !x->opts->has_lock(x->opts->aux, lock))
		return ovsdb_error("not owner", "Asserted lock %s not held.", lock);
	*result = json_object();
	return NULL;
}

static const struct {
	const char *name;
	op_handler *handler;
} operations[] = {
	{ "insert", op_insert }, { "select", op_select }, { "update", op_update },
	{ "mutate", op_mutate }, { "delete", op_delete }, { "wait", op_wait },
	{ "commit", op_commit }, { "abort", op_abort }, { "comment", op_comment },
	{ "assert", op_assert },
};

static json_t *run_op(struct exec_ctx *x, const json_t *op, json_t **result)
{
	if (!json_is_object(op))
		return ovsdb_error("syntax error", "operation must be an object");
	const char *name = json_string_value(json_object_get(op, "op"));
	if (!name)
		return ovsdb_error("syntax error", "operation requires an \"op\" string");
	for (size_t i = 0; i < sizeof operations / sizeof operations[0]; i++)
		if (!strcmp(name, operations[i].name))
			return operations[i].handler(x, op, result);
	return ovsdb_error("unknown operation", "No operation \"%s\".", name);
}

/* The result array, as a jansson array or as text (ovsdb_execute_text()). */
struct results {
	json_t *array;
	struct json_text *text;
	size_t start; /* where the text's array begins */
	size_t mark;  /* where the text's current element begins */
	size_t n;
};

/* Starts an element: an operation may then write its result into the text itself. */
static void results_next(struct results *r)
{
	if (r->text) {
		if (r->n)
			json_text_char(r->text, ',');
		r->mark = r->text->len;
	}
	r->n++;
}

/* Sets the current element to 'v' (stolen; NULL: written already, by the operation). */
static void results_set(struct results *r, json_t *v)
{
	if (!r->text) {
		json_array_append_new(r->array, v);
	} else if (v) {
		r->text->len = r->mark; /* a failed operation may have written part of a result */
		json_text_json(r->text, v);
		json_decref(v);
	}
}

static void results_add(struct results *r, json_t *v)
{
	results_next(r);
	results_set(r, v);
}

static void execute(struct ovsdb_db *db, const json_t *params, const struct ovsdb_exec_opts *opts,
		    struct ovsdb_exec_result *res, struct json_text *text)
{
	struct exec_ctx x = { .db = db, .opts = opts, .res = res, .text = text };
	memset(res, 0, sizeof *res);
	res->wait_timeout_ms = -1;
	size_t n_ops = json_array_size(params) ? json_array_size(params) - 1 : 0;
	struct results results = { .text = text };
	if (text) {
		results.start = text->len;
		json_text_char(text, '[');
	} else {
		results.array = json_array();
	}
	json_t *err = NULL;
	ovsdb_symtab_init(&x.symtab);
	x.txn = ovsdb_txn_create(db);
	if (!x.txn) {
		results_add(&results, ovsdb_error("resources exhausted", "out of memory"));
		goto out;
	}
	for (size_t i = 0; i < n_ops; i++) {
		json_t *result = NULL;
		results_next(&results);
		err = run_op(&x, json_array_get(params, i + 1), &result);
		if (err) {
			if (res->must_wait) {
				json_decref(err);
				goto out;
			}
			results_set(&results, err);
			for (size_t j = i + 1; j < n_ops; j++)
				results_add(&results, json_null());
			goto out;
		}
		results_set(&results, result);
	}
	if ((err = ovsdb_txn_commit(x.txn))) {
		/* Commit errors come after the per-operation results (RFC 7047 4.1.3). */
		results_add(&results, err);
		goto out;
	}
	if (ovsdb_txn_has_changes(x.txn)) {
		res->txn = x.txn;
		x.txn = NULL;
	}
out:
	ovsdb_txn_destroy(x.txn);
	ovsdb_symtab_destroy(&x.symtab);
	if (text) {
		if (res->must_wait)
			text->len = results.start;
		else
			json_text_char(text, ']');
	} else if (res->must_wait) {
		json_decref(results.array);
	} else {
		res->reply = results.array;
	}
}

void ovsdb_execute(struct ovsdb_db *db, const json_t *params, const struct ovsdb_exec_opts *opts,
		   struct ovsdb_exec_result *res)
{
	execute(db, params, opts, res, NULL);
}

void ovsdb_execute_text(struct ovsdb_db *db, const json_t *params, const struct ovsdb_exec_opts *opts,
			struct ovsdb_exec_result *res, struct json_text *text)
{
	execute(db, params, opts, res, text);
}
