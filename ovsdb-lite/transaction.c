/* SPDX-License-Identifier: Apache-2.0 */
#include "transaction.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json_text.h"

struct ovsdb_txn *ovsdb_txn_create(struct ovsdb_db *db)
{
	struct ovsdb_txn *txn = calloc(1, sizeof *txn);
	if (!txn)
		return NULL;
	txn->db = db;
	hmap_init(&txn->rows);
	return txn;
}

void ovsdb_txn_destroy(struct ovsdb_txn *txn)
{
	if (!txn)
		return;
	for (uint32_t i = 0; i < txn->n_list; i++) {
		struct ovsdb_txn_row *tr = txn->list[i];
		if (txn->committed) {
			/* old was replaced by new (or deleted): the table no longer holds it. */
			if (tr->old && tr->old != tr->new_)
				ovsdb_row_destroy(tr->old);
		} else {
			if (tr->new_ && tr->new_ != tr->old)
				ovsdb_row_destroy(tr->new_);
			if (tr->old)
				tr->old->txn_row = NULL;
		}
		free(tr);
	}
	free(txn->list);
	hmap_destroy(&txn->rows);
	free(txn);
}

static struct ovsdb_txn_row *txn_find(const struct ovsdb_txn *txn, const struct uuid *uuid)
{
	HMAP_FOR_EACH_WITH_HASH (n, uuid_hash(uuid), &txn->rows) {
		struct ovsdb_txn_row *tr = HMAP_CONTAINER(n, struct ovsdb_txn_row, node);
		if (uuid_equals(&tr->uuid, uuid))
			return tr;
	}
	return NULL;
}

static struct ovsdb_txn_row *txn_add(struct ovsdb_txn *txn, struct ovsdb_table *table,
				     struct ovsdb_row *old, struct ovsdb_row *new_)
{
	struct ovsdb_txn_row *tr = calloc(1, sizeof *tr + table->schema->n_cols);
	if (!tr)
		abort();
	if (txn->n_list == txn->cap_list) {
		txn->cap_list = txn->cap_list ? txn->cap_list * 2 : 8;
		txn->list = realloc(txn->list, txn->cap_list * sizeof *txn->list);
		if (!txn->list)
			abort();
	}
	txn->list[txn->n_list++] = tr;
	tr->table = table;
	tr->old = old;
	tr->new_ = new_;
	tr->uuid = *ovsdb_row_uuid(old ? old : new_);
	if (old)
		old->txn_row = tr;
	if (new_)
		new_->txn_row = tr;
	hmap_insert(&txn->rows, &tr->node, uuid_hash(&tr->uuid));
	return tr;
}

struct ovsdb_row *ovsdb_txn_get_row(const struct ovsdb_txn *txn, struct ovsdb_table *table,
				    const struct uuid *uuid)
{
	struct ovsdb_row *row = ovsdb_table_find(table, uuid);
	if (row)
		return row->txn_row ? row->txn_row->new_ : row;
	struct ovsdb_txn_row *tr = txn_find(txn, uuid);
	return tr && tr->table == table ? tr->new_ : NULL;
}

void ovsdb_txn_insert(struct ovsdb_txn *txn, struct ovsdb_row *row)
{
	uuid_generate(&row->fields[OVSDB_COL_VERSION].keys[0].uuid);
	txn_add(txn, row->table, NULL, row);
}

struct ovsdb_row *ovsdb_txn_modify(struct ovsdb_txn *txn, struct ovsdb_row *row)
{
	struct ovsdb_txn_row *tr = row->txn_row;
	if (!tr) {
		struct ovsdb_row *copy = ovsdb_row_clone(row);
		txn_add(txn, row->table, row, copy);
		return copy;
	}
	if (tr->new_ == tr->old) {
		tr->new_ = ovsdb_row_clone(tr->old);
		tr->new_->txn_row = tr;
	}
	return tr->new_;
}

void ovsdb_txn_delete(struct ovsdb_txn *txn, struct ovsdb_row *row)
{
	struct ovsdb_txn_row *tr = row->txn_row;
	if (!tr) {
		txn_add(txn, row->table, row, NULL);
		return;
	}
	if (tr->new_ && tr->new_ != tr->old)
		ovsdb_row_destroy(tr->new_);
	tr->new_ = NULL;
}

void ovsdb_txn_for_each_row(const struct ovsdb_txn *txn, struct ovsdb_table *table,
			    ovsdb_txn_row_cb *cb, void *aux)
{
	HMAP_FOR_EACH (n, &table->rows) {
		struct ovsdb_row *row = HMAP_CONTAINER(n, struct ovsdb_row, node);
		if (row->txn_row)
			row = row->txn_row->new_;
		if (row && !cb(row, aux))
			return;
	}
	for (uint32_t i = 0; i < txn->n_list; i++) {
		struct ovsdb_txn_row *tr = txn->list[i];
		if (tr->table == table && !tr->old && tr->new_ && !cb(tr->new_, aux))
			return;
	}
}

size_t ovsdb_txn_table_size(const struct ovsdb_txn *txn, const struct ovsdb_table *table)
{
	size_t n = table->rows.n;
	for (uint32_t i = 0; i < txn->n_list; i++) {
		const struct ovsdb_txn_row *tr = txn->list[i];
		if (tr->table != table)
			continue;
		if (!tr->old && tr->new_)
			n++;
		else if (tr->old && !tr->new_)
			n--;
	}
	return n;
}

/* ---- commit checks ---- */

static json_t *ref_error(const struct ovsdb_txn_row *src, const struct ovsdb_column *col,
			 const struct uuid *dst, const struct ovsdb_table_schema *dst_table)
{
	char a[UUID_LEN + 1], b[UUID_LEN + 1];
	uuid_to_string(&src->uuid, a);
	uuid_to_string(dst, b);
	return ovsdb_error("referential integrity violation",
			   "Table %s column %s row %s references nonexistent row %s in table %s.",
			   src->table->schema->name, col->name, a, b, dst_table->name);
}

/* Adds 'sign' to the reference count of every row that 'row' refers to strongly. */
static json_t *count_refs(struct ovsdb_txn *txn, struct ovsdb_txn_row *src, const struct ovsdb_row *row,
			  int sign)
{
	const struct ovsdb_table_schema *ts = src->table->schema;
	if (!row || !ts->has_strong_refs)
		return NULL;
	for (uint32_t c = OVSDB_N_IMPLICIT_COLS; c < ts->n_cols; c++) {
		const struct ovsdb_column *col = &ts->cols[c];
		const struct ovsdb_datum *d = &row->fields[c];
		for (int kv = 0; kv < 2; kv++) {
			const struct ovsdb_base_type *b = kv ? &col->type.value : &col->type.key;
			const union ovsdb_atom *atoms = kv ? d->values : d->keys;
			if (!ovsdb_base_is_ref(b) || b->ref_type != OVSDB_REF_STRONG || !atoms)
				continue;
			struct ovsdb_table *dst = &txn->db->tables[b->ref_table->idx];
			for (uint32_t k = 0; k < d->n; k++) {
				const struct uuid *u = &atoms[k].uuid;
				struct ovsdb_txn_row *tr = txn_find(txn, u);
				if (tr && tr->table != dst)
					tr = NULL;
				if (!tr) {
					struct ovsdb_row *r = ovsdb_table_find(dst, u);
					if (!r) {
						if (sign > 0)
							return ref_error(src, col, u, b->ref_table);
						continue;
					}
					tr = txn_add(txn, dst, r, r);
				}
				if (sign > 0 && !tr->new_)
					return ref_error(src, col, u, b->ref_table);
				tr->ref_delta += sign;
			}
		}
	}
	return NULL;
}

static int64_t final_refs(const struct ovsdb_txn_row *tr)
{
	return (tr->old ? (int64_t)tr->old->n_refs : 0) + tr->ref_delta;
}

static json_t *check_refs_and_gc(struct ovsdb_txn *txn)
{
	json_t *err;
	/* The list grows as referenced rows join; those are ref-only and skipped. */
	for (uint32_t i = 0; i < txn->n_list; i++) {
		struct ovsdb_txn_row *tr = txn->list[i];
		if (tr->old == tr->new_)
			continue;
		if ((err = count_refs(txn, tr, tr->old, -1)) || (err = count_refs(txn, tr, tr->new_, +1)))
			return err;
	}
	/* Garbage collection: a non-root row nobody refers to goes, which may orphan more. */
	bool again = true;
	while (again) {
		again = false;
		for (uint32_t i = 0; i < txn->n_list; i++) {
			struct ovsdb_txn_row *tr = txn->list[i];
			if (!tr->new_ || tr->table->schema->is_root || final_refs(tr) > 0)
				continue;
			if ((err = count_refs(txn, tr, tr->new_, -1)))
				return err;
			if (tr->new_ != tr->old)
				ovsdb_row_destroy(tr->new_);
			tr->new_ = NULL;
			again = true;
		}
	}
	for (uint32_t i = 0; i < txn->n_list; i++) {
		struct ovsdb_txn_row *tr = txn->list[i];
		if (!tr->new_ && tr->old && final_refs(tr) > 0) {
			char a[UUID_LEN + 1];
			uuid_to_string(&tr->uuid, a);
			return ovsdb_error("referential integrity violation",
					   "cannot delete %s row %s because of %lld remaining reference(s)",
					   tr->table->schema->name, a, (long long)final_refs(tr));
		}
	}
	return NULL;
}

/* Drops weak references to rows that do not exist once the transaction commits. */
static json_t *fix_weak_refs_in(struct ovsdb_txn *txn, struct ovsdb_row *row)
{
	const struct ovsdb_table_schema *ts = row->table->schema;
	struct ovsdb_row *w = NULL;
	for (uint32_t c = OVSDB_N_IMPLICIT_COLS; c < ts->n_cols; c++) {
		const struct ovsdb_column *col = &ts->cols[c];
		if (!ovsdb_type_has_ref(&col->type, OVSDB_REF_WEAK))
			continue;
		const struct ovsdb_datum *d = &(w ? w : row)->fields[c];
		for (uint32_t k = d->n; k-- > 0;) {
			bool dead = false;
			for (int kv = 0; kv < 2; kv++) {
				const struct ovsdb_base_type *b = kv ? &col->type.value : &col->type.key;
				const union ovsdb_atom *atoms = kv ? d->values : d->keys;
				if (!atoms || !ovsdb_base_is_ref(b) || b->ref_type != OVSDB_REF_WEAK)
					continue;
				dead |= !ovsdb_txn_get_row(txn, &txn->db->tables[b->ref_table->idx], &atoms[k].uuid);
			}
			if (!dead)
				continue;
			if (!w)
				w = ovsdb_txn_modify(txn, row);
			ovsdb_datum_remove(&w->fields[c], k, &col->type);
			d = &w->fields[c];
		}
		if (w && d->n < col->type.n_min) {
			char a[UUID_LEN + 1];
			uuid_to_string(ovsdb_row_uuid(row), a);
			return ovsdb_error("constraint violation",
					   "Deletion of weak reference(s) from column %s in row %s of table %s leaves %u values, below the minimum of %u.",
					   col->name, a, ts->name, d->n, col->type.n_min);
		}
	}
	return NULL;
}

struct weak_scan {
	struct ovsdb_row **rows;
	size_t n, cap;
};

static bool collect_row(struct ovsdb_row *row, void *aux)
{
	struct weak_scan *ws = aux;
	if (ws->n == ws->cap) {
		ws->cap = ws->cap ? ws->cap * 2 : 64;
		ws->rows = realloc(ws->rows, ws->cap * sizeof *ws->rows);
		if (!ws->rows)
			abort();
	}
	ws->rows[ws->n++] = row;
	return true;
}

static json_t *check_weak_refs(struct ovsdb_txn *txn)
{
	const struct ovsdb_schema *s = txn->db->schema;
	bool *deleted_in = calloc(s->n_tables + 1, sizeof *deleted_in);
	json_t *err = NULL;
	if (!deleted_in)
		return ovsdb_error("resources exhausted", "out of memory");
	for (uint32_t i = 0; i < txn->n_list; i++)
		if (!txn->list[i]->new_ && txn->list[i]->old)
			deleted_in[txn->list[i]->table->schema->idx] = true;
	for (uint32_t t = 0; t < s->n_tables && !err; t++) {
		const struct ovsdb_table_schema *ts = &s->tables[t];
		if (!ts->has_weak_refs)
			continue;
		bool scan_all = false;
		for (uint32_t c = OVSDB_N_IMPLICIT_COLS; c < ts->n_cols; c++) {
			const struct ovsdb_type *ty = &ts->cols[c].type;
			if (ovsdb_base_is_ref(&ty->key) && ty->key.ref_type == OVSDB_REF_WEAK)
				scan_all |= deleted_in[ty->key.ref_table->idx];
			if (ovsdb_base_is_ref(&ty->value) && ty->value.ref_type == OVSDB_REF_WEAK)
				scan_all |= deleted_in[ty->value.ref_table->idx];
		}
		struct weak_scan ws = { NULL, 0, 0 };
		if (scan_all) {
			/* Finding the referrers of a deleted row needs a scan: weak references are
			 * not counted, and deletions are rare next to inserts and updates. */
			ovsdb_txn_for_each_row(txn, &txn->db->tables[t], collect_row, &ws);
		} else {
			for (uint32_t i = 0; i < txn->n_list; i++) {
				struct ovsdb_txn_row *tr = txn->list[i];
				if (tr->table->schema == ts && tr->new_ && tr->new_ != tr->old)
					collect_row(tr->new_, &ws);
			}
		}
		for (size_t i = 0; i < ws.n && !err; i++)
			err = fix_weak_refs_in(txn, ws.rows[i]);
		free(ws.rows);
	}
	free(deleted_in);
	return err;
}

static json_t *index_error(const struct ovsdb_row *a, const struct ovsdb_index_schema *ix)
{
	const struct ovsdb_table_schema *ts = a->table->schema;
	char cols[256] = "";
	for (uint32_t i = 0; i < ix->n_cols; i++) {
		if (i)
			strncat(cols, ", ", sizeof cols - strlen(cols) - 1);
		strncat(cols, ts->cols[ix->cols[i]].name, sizeof cols - strlen(cols) - 1);
	}
	char u[UUID_LEN + 1];
	uuid_to_string(ovsdb_row_uuid(a), u);
	return ovsdb_error("constraint violation",
			   "Transaction causes multiple rows in \"%s\" table to have identical values for index on columns (%s).  Row %s is one of them.",
			   ts->name, cols, u);
}

struct ix_entry {
	struct hmap_node node;
	const struct ovsdb_row *row;
};

static json_t *check_indexes(struct ovsdb_txn *txn)
{
	for (uint32_t t = 0; t < txn->db->schema->n_tables; t++) {
		struct ovsdb_table *table = &txn->db->tables[t];
		for (uint32_t x = 0; x < table->schema->n_indexes; x++) {
			const struct ovsdb_index_schema *ix = &table->schema->indexes[x];
			struct hmap tmp;
			json_t *err = NULL;
			hmap_init(&tmp);
			struct ix_entry *entries = calloc(txn->n_list + 1, sizeof *entries);
			uint32_t n_entries = 0;
			for (uint32_t i = 0; i < txn->n_list && !err; i++) {
				struct ovsdb_txn_row *tr = txn->list[i];
				if (tr->table != table || !tr->new_)
					continue;
				uint32_t h = ovsdb_row_index_hash(tr->new_, ix);
				HMAP_FOR_EACH_WITH_HASH (n, h, &tmp) {
					struct ix_entry *e = HMAP_CONTAINER(n, struct ix_entry, node);
					if (ovsdb_row_index_equal(e->row, tr->new_, ix))
						err = index_error(tr->new_, ix);
				}
				if (err)
					break;
				HMAP_FOR_EACH_WITH_HASH (n, h, &table->indexes[x]) {
					const struct ovsdb_row *r = ovsdb_row_from_index_node(n, table->schema, x);
					if (!r->txn_row && ovsdb_row_index_equal(r, tr->new_, ix)) {
						err = index_error(tr->new_, ix);
						break;
					}
				}
				entries[n_entries].row = tr->new_;
				hmap_insert(&tmp, &entries[n_entries++].node, h);
			}
			hmap_destroy(&tmp);
			free(entries);
			if (err)
				return err;
		}
	}
	return NULL;
}

static json_t *check_max_rows(struct ovsdb_txn *txn)
{
	for (uint32_t t = 0; t < txn->db->schema->n_tables; t++) {
		struct ovsdb_table *table = &txn->db->tables[t];
		if (table->schema->max_rows == UINT64_MAX)
			continue;
		size_t n = ovsdb_txn_table_size(txn, table);
		if (n > table->schema->max_rows)
			return ovsdb_error("constraint violation",
					   "Transaction causes \"%s\" table to contain %zu rows, greater than the schema-defined limit of %llu row(s).",
					   table->schema->name, n, (unsigned long long)table->schema->max_rows);
	}
	return NULL;
}

static void apply(struct ovsdb_txn *txn)
{
	for (uint32_t i = 0; i < txn->n_list; i++) {
		struct ovsdb_txn_row *tr = txn->list[i];
		int64_t refs = final_refs(tr);
		if (tr->old && tr->new_ && tr->old != tr->new_) {
			const struct ovsdb_table_schema *ts = tr->table->schema;
			for (uint32_t c = OVSDB_N_IMPLICIT_COLS; c < ts->n_cols; c++) {
				tr->changed[c] = !ovsdb_datum_equals(&tr->old->fields[c], &tr->new_->fields[c],
								     &ts->cols[c].type);
				tr->changed_any |= tr->changed[c];
			}
			if (!tr->changed_any) {
				/* Written but identical: not a change, keep the old version. */
				ovsdb_row_destroy(tr->new_);
				tr->new_ = tr->old;
			}
		}
		if (tr->old == tr->new_) {
			if (tr->old) {
				tr->old->n_refs = (uint32_t)refs;
				tr->old->txn_row = NULL;
			}
			continue;
		}
		if (tr->old) {
			tr->old->txn_row = NULL;
			ovsdb_table_remove(tr->table, tr->old);
		}
		if (tr->new_) {
			if (tr->old)
				uuid_generate(&tr->new_->fields[OVSDB_COL_VERSION].keys[0].uuid);
			else
				memset(tr->changed, 1, tr->table->schema->n_cols);
			tr->new_->n_refs = (uint32_t)refs;
			tr->new_->txn_row = NULL;
			ovsdb_table_add(tr->table, tr->new_);
		}
	}
	txn->committed = true;
}

json_t *ovsdb_txn_commit(struct ovsdb_txn *txn)
{
	json_t *err;
	if ((err = check_refs_and_gc(txn)) || (err = check_weak_refs(txn)) || (err = check_indexes(txn)) ||
	    (err = check_max_rows(txn)))
		return err;
	apply(txn);
	return NULL;
}

bool ovsdb_txn_has_changes(const struct ovsdb_txn *txn)
{
	for (uint32_t i = 0; i < txn->n_list; i++)
		if (ovsdb_txn_row_is_change(txn->list[i]))
			return true;
	return false;
}

/* ---- journal records ---- */

json_t *ovsdb_txn_row_to_journal(const struct ovsdb_txn_row *tr)
{
	if (!tr->new_)
		return json_null();
	const struct ovsdb_table_schema *ts = tr->table->schema;
	json_t *obj = json_object();
	for (uint32_t c = OVSDB_N_IMPLICIT_COLS; c < ts->n_cols; c++) {
		const struct ovsdb_column *col = &ts->cols[c];
		if (!tr->changed[c] || col->ephemeral)
			continue;
		if (!tr->old && ovsdb_datum_is_default(&tr->new_->fields[c], &col->type))
			continue;
		json_object_set_new(obj, col->name, ovsdb_datum_to_json(&tr->new_->fields[c], &col->type));
	}
	return obj;
}

json_t *ovsdb_txn_to_journal(const struct ovsdb_txn *txn)
{
	json_t *rec = NULL;
	for (uint32_t i = 0; i < txn->n_list; i++) {
		const struct ovsdb_txn_row *tr = txn->list[i];
		if (!ovsdb_txn_row_is_change(tr))
			continue;
		if (!rec)
			rec = json_object();
		json_t *t = json_object_get(rec, tr->table->schema->name);
		if (!t) {
			t = json_object();
			json_object_set_new(rec, tr->table->schema->name, t);
		}
		char u[UUID_LEN + 1];
		uuid_to_string(&tr->uuid, u);
		json_object_set_new(t, u, ovsdb_txn_row_to_journal(tr));
	}
	return rec;
}

static void write_row_change(const struct ovsdb_txn_row *tr, struct json_text *t)
{
	char u[UUID_LEN + 1];
	uuid_to_string(&tr->uuid, u);
	json_text_char(t, '"');
	json_text_raw(t, u, UUID_LEN);
	json_text_raw(t, "\":", 2);
	if (!tr->new_) {
		json_text_raw(t, "null", 4);
		return;
	}
	const struct ovsdb_table_schema *ts = tr->table->schema;
	bool first = true;
	json_text_char(t, '{');
	for (uint32_t c = OVSDB_N_IMPLICIT_COLS; c < ts->n_cols; c++) {
		const struct ovsdb_column *col = &ts->cols[c];
		if (!tr->changed[c] || col->ephemeral)
			continue;
		if (!tr->old && ovsdb_datum_is_default(&tr->new_->fields[c], &col->type))
			continue;
		if (!first)
			json_text_char(t, ',');
		first = false;
		json_text_string(t, col->name);
		json_text_char(t, ':');
		json_text_datum(t, &tr->new_->fields[c], &col->type);
	}
	json_text_char(t, '}');
}

bool ovsdb_txn_write_journal(const struct ovsdb_txn *txn, struct json_text *t)
{
	size_t start = t->len;
	bool any_table = false;
	json_text_char(t, '{');
	/* Rows grouped by table: a JSON object cannot name a table twice. */
	for (uint32_t ti = 0; ti < txn->db->schema->n_tables; ti++) {
		const struct ovsdb_table *table = &txn->db->tables[ti];
		bool any_row = false;
		for (uint32_t i = 0; i < txn->n_list; i++) {
			const struct ovsdb_txn_row *tr = txn->list[i];
			if (tr->table != table || !ovsdb_txn_row_is_change(tr))
				continue;
			if (!any_row) {
				if (any_table)
					json_text_char(t, ',');
				json_text_string(t, table->schema->name);
				json_text_raw(t, ":{", 2);
				any_row = any_table = true;
			} else {
				json_text_char(t, ',');
			}
			write_row_change(tr, t);
		}
		if (any_row)
			json_text_char(t, '}');
	}
	json_text_char(t, '}');
	if (!any_table)
		t->len = start;
	return any_table;
}

static json_t *replay_row(struct ovsdb_table *table, const char *us, const json_t *change)
{
	struct uuid u;
	if (!uuid_from_string(&u, us))
		return ovsdb_error("syntax error", "bad row UUID \"%s\" in journal", us);
	struct ovsdb_row *row = ovsdb_table_find(table, &u);
	if (json_is_null(change)) {
		if (row) {
			ovsdb_table_remove(table, row);
			ovsdb_row_destroy(row);
		}
		return NULL;
	}
	if (!json_is_object(change))
		return ovsdb_error("syntax error", "journal row change must be an object or null");
	struct ovsdb_row *nrow = row ? ovsdb_row_clone(row) : ovsdb_row_create(table);
	nrow->fields[OVSDB_COL_UUID].keys[0].uuid = u;
	uuid_generate(&nrow->fields[OVSDB_COL_VERSION].keys[0].uuid);
	const char *cname;
	json_t *v;
	json_object_foreach ((json_t *)change, cname, v) {
		const struct ovsdb_column *col = ovsdb_table_schema_find_column(table->schema, cname);
		struct ovsdb_datum d;
		json_t *err;
		if (!col || col->idx < OVSDB_N_IMPLICIT_COLS) {
			ovsdb_row_destroy(nrow);
			return ovsdb_error("unknown column", "journal names unknown column %s in table %s",
					   cname, table->schema->name);
		}
		/* Named UUIDs never reach the journal; constraints were checked at commit. */
		if ((err = ovsdb_datum_from_json_any_size(&d, &col->type, v, NULL))) {
			ovsdb_row_destroy(nrow);
			return err;
		}
		ovsdb_datum_swap(&d, &nrow->fields[col->idx]);
		ovsdb_datum_destroy(&d, &col->type);
	}
	if (row) {
		ovsdb_table_remove(table, row);
		ovsdb_row_destroy(row);
	}
	ovsdb_table_add(table, nrow);
	return NULL;
}

json_t *ovsdb_txn_replay(struct ovsdb_db *db, const json_t *record)
{
	if (!json_is_object(record))
		return ovsdb_error("syntax error", "journal record must be an object");
	const char *tname;
	json_t *rows;
	json_object_foreach ((json_t *)record, tname, rows) {
		if (tname[0] == '_')
			continue; /* metadata such as "_date", "_comment" */
		struct ovsdb_table *table = ovsdb_db_find_table(db, tname);
		if (!table || !json_is_object(rows))
			return ovsdb_error("syntax error", "journal names unknown table %s", tname);
		const char *us;
		json_t *change;
		json_object_foreach (rows, us, change) {
			json_t *err = replay_row(table, us, change);
			if (err)
				return err;
		}
	}
	return NULL;
}
