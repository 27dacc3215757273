/* SPDX-License-Identifier: Apache-2.0 */
#include "monitor.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json_text.h"

static json_t *parse_select(struct ovsdb_monitor_table *mt, const json_t *sel)
{
	int initial = 1, insert = 1, delete_ = 1, modify = 1;
	json_error_t jerr;
	if (sel && json_unpack_ex((json_t *)sel, &jerr, JSON_STRICT, "{s?b, s?b, s?b, s?b}", "initial", &initial,
				  "insert", &insert, "delete", &delete_, "modify", &modify))
		return ovsdb_error("syntax error", "monitor select: %s", jerr.text);
	mt->initial |= initial;
	mt->insert |= insert;
	mt->delete_ |= delete_;
	mt->modify |= modify;
	return NULL;
}

static json_t *parse_request(struct ovsdb_monitor_table *mt, const json_t *req, enum ovsdb_monitor_version v,
			     bool first)
{
	json_t *columns = NULL, *sel = NULL, *where = NULL, *err;
	json_error_t jerr;
	int rc = v == OVSDB_MONITOR_V1
		? json_unpack_ex((json_t *)req, &jerr, JSON_STRICT, "{s?o, s?o}", "columns", &columns, "select", &sel)
		: json_unpack_ex((json_t *)req, &jerr, JSON_STRICT, "{s?o, s?o, s?o}", "columns", &columns,
				 "select", &sel, "where", &where);
	if (rc)
		return ovsdb_error("syntax error", "monitor request for table %s: %s", mt->table->schema->name, jerr.text);
	struct ovsdb_column_set cs;
	if ((err = ovsdb_column_set_from_json(&cs, mt->table->schema, columns, false)))
		return err;
	/* Several requests for one table: monitor the union of their columns. */
	if (first) {
		mt->columns = cs;
	} else {
		uint32_t *idx = realloc(mt->columns.idx, (mt->columns.n + cs.n + 1) * sizeof *idx);
		if (!idx) {
			ovsdb_column_set_destroy(&cs);
			return ovsdb_error("resources exhausted", "out of memory");
		}
		mt->columns.idx = idx;
		for (uint32_t i = 0; i < cs.n; i++)
			if (!ovsdb_column_set_contains(&mt->columns, cs.idx[i]))
				mt->columns.idx[mt->columns.n++] = cs.idx[i];
		ovsdb_column_set_destroy(&cs);
	}
	if ((err = parse_select(mt, sel)))
		return err;
	if (where) {
		ovsdb_condition_destroy(&mt->cond);
		if ((err = ovsdb_condition_from_json(&mt->cond, mt->table->schema, where, NULL, true)))
			return err;
	}
	return NULL;
}

struct ovsdb_monitor *ovsdb_monitor_create(struct ovsdb_db *db, const json_t *id, const json_t *requests,
					   enum ovsdb_monitor_version version, json_t **error)
{
	json_t *err = NULL;
	struct ovsdb_monitor *m = calloc(1, sizeof *m);
	if (!m || !json_is_object(requests)) {
		err = m ? ovsdb_error("syntax error", "monitor requests must be an object")
			: ovsdb_error("resources exhausted", "out of memory");
		goto out;
	}
	m->id = json_deep_copy(id);
	m->version = version;
	m->tables = calloc(json_object_size(requests) + 1, sizeof *m->tables);
	bool has_cond = false;
	const char *tname;
	json_t *req;
	json_object_foreach ((json_t *)requests, tname, req) {
		struct ovsdb_table *table = ovsdb_db_find_table(db, tname);
		if (!table) {
			err = ovsdb_error("unknown table", "No table named %s.", tname);
			goto out;
		}
		struct ovsdb_monitor_table *mt = &m->tables[m->n_tables++];
		mt->table = table;
		if (json_is_array(req)) {
			if (!json_array_size(req)) {
				json_auto_t *all = json_object();
				if ((err = parse_request(mt, all, version, true)))
					goto out;
			}
			size_t i;
			json_t *r;
			json_array_foreach (req, i, r)
				if ((err = parse_request(mt, r, version, i == 0)))
					goto out;
		} else if ((err = parse_request(mt, req, version, true))) {
			goto out;
		}
		has_cond |= mt->cond.n > 0;
	}
	if (!has_cond) {
		json_auto_t *k = json_pack("[iO]", (int)version, requests);
		m->share_key = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
	}
out:
	if (err) {
		ovsdb_monitor_destroy(m);
		*error = err;
		return NULL;
	}
	return m;
}

void ovsdb_monitor_destroy(struct ovsdb_monitor *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->n_tables; i++) {
		ovsdb_column_set_destroy(&m->tables[i].columns);
		ovsdb_condition_destroy(&m->tables[i].cond);
	}
	free(m->tables);
	free(m->share_key);
	json_decref(m->id);
	free(m);
}

static void add_row_update(json_t **updates, const struct ovsdb_monitor_table *mt, const struct uuid *u,
			   json_t *row_update)
{
	if (!*updates)
		*updates = json_object();
	json_t *t = json_object_get(*updates, mt->table->schema->name);
	if (!t) {
		t = json_object();
		json_object_set_new(*updates, mt->table->schema->name, t);
	}
	char buf[UUID_LEN + 1];
	uuid_to_string(u, buf);
	json_object_set_new(t, buf, row_update);
}

static bool row_matches(const struct ovsdb_monitor_table *mt, const struct ovsdb_row *row)
{
	return row && ovsdb_condition_match_any(&mt->cond, row);
}

void ovsdb_monitor_write_initial(const struct ovsdb_monitor *m, struct json_text *t)
{
	bool any_table = false;
	json_text_char(t, '{');
	for (uint32_t i = 0; i < m->n_tables; i++) {
		const struct ovsdb_monitor_table *mt = &m->tables[i];
		bool any_row = false;
		if (!mt->initial)
			continue;
		HMAP_FOR_EACH (n, &mt->table->rows) {
			const struct ovsdb_row *row = HMAP_CONTAINER(n, struct ovsdb_row, node);
			char u[UUID_LEN + 1];
			if (!row_matches(mt, row))
				continue;
			if (!any_row) {
				/* A table enters the reply with its first matching row. */
				if (any_table)
					json_text_char(t, ',');
				any_table = any_row = true;
				json_text_string(t, mt->table->schema->name);
				json_text_char(t, ':');
				json_text_char(t, '{');
			} else {
				json_text_char(t, ',');
			}
			uuid_to_string(ovsdb_row_uuid(row), u);
			json_text_char(t, '"');
			json_text_raw(t, u, UUID_LEN);
			if (m->version == OVSDB_MONITOR_V1)
				json_text_raw(t, "\":{\"new\":", 9);
			else
				json_text_raw(t, "\":{\"initial\":", 13);
			ovsdb_row_write_json(t, row, &mt->columns, m->version != OVSDB_MONITOR_V1);
			json_text_char(t, '}');
		}
		if (any_row)
			json_text_char(t, '}');
	}
	json_text_char(t, '}');
}

json_t *ovsdb_monitor_initial(const struct ovsdb_monitor *m)
{
	struct json_text t;
	json_text_init(&t);
	ovsdb_monitor_write_initial(m, &t);
	json_t *j = json_loadb(t.buf, t.len, 0, NULL);
	json_text_destroy(&t);
	return j;
}

static bool columns_changed(const struct ovsdb_monitor_table *mt, const struct ovsdb_txn_row *tr)
{
	for (uint32_t i = 0; i < mt->columns.n; i++) {
		uint32_t c = mt->columns.idx[i];
		/* _version changes whenever any column does. */
		if (c == OVSDB_COL_VERSION || tr->changed[c])
			return true;
	}
	return false;
}

static json_t *row_update(const struct ovsdb_monitor *m, const struct ovsdb_monitor_table *mt,
			  const struct ovsdb_txn_row *tr)
{
	bool old_match = row_matches(mt, tr->old), new_match = row_matches(mt, tr->new_);
	const struct ovsdb_column_set *cs = &mt->columns;
	const struct ovsdb_table_schema *ts = mt->table->schema;
	if (old_match && new_match) {
		if (!mt->modify || !columns_changed(mt, tr))
			return NULL;
		json_t *diff = json_object();
		if (m->version == OVSDB_MONITOR_V1) {
			for (uint32_t i = 0; i < cs->n; i++) {
				const struct ovsdb_column *col = &ts->cols[cs->idx[i]];
				if (col->idx == OVSDB_COL_VERSION || tr->changed[col->idx])
					json_object_set_new(diff, col->name,
							    ovsdb_datum_to_json(&tr->old->fields[col->idx], &col->type));
			}
			return json_pack("{s:o, s:o}", "old", diff, "new", ovsdb_row_to_json(tr->new_, cs, false));
		}
		for (uint32_t i = 0; i < cs->n; i++) {
			const struct ovsdb_column *col = &ts->cols[cs->idx[i]];
			if (col->idx == OVSDB_COL_VERSION || tr->changed[col->idx])
				json_object_set_new(diff, col->name,
						    ovsdb_datum_diff_to_json(&tr->old->fields[col->idx],
									     &tr->new_->fields[col->idx], &col->type));
		}
		return json_pack("{s:o}", "modify", diff);
	}
	if (new_match) {
		if (!mt->insert)
			return NULL;
		return m->version == OVSDB_MONITOR_V1
			? json_pack("{s:o}", "new", ovsdb_row_to_json(tr->new_, cs, false))
			: json_pack("{s:o}", "insert", ovsdb_row_to_json(tr->new_, cs, true));
	}
	if (old_match) {
		if (!mt->delete_)
			return NULL;
		return m->version == OVSDB_MONITOR_V1
			? json_pack("{s:o}", "old", ovsdb_row_to_json(tr->old, cs, false))
			: json_pack("{s:n}", "delete");
	}
	return NULL;
}

/* --- the rows of a commit by column value ------------------------------------------ */

/* A thousand hosts each monitor Port with "requested_host == me": a commit of 5000 ports
 * evaluated every condition against every row, 5 million string compares per commit.  With
 * the commit's rows indexed by the value of that column, each monitor looks up its own. */
struct txn_index_entry {
	struct hmap_node node;
	const struct ovsdb_datum *value;
	const struct ovsdb_txn_row *tr;
};

struct txn_index_col {
	const struct ovsdb_table *table;
	uint32_t col;
	struct hmap map;
	struct txn_index_entry *e;
};

/* What the commit changed in each table: a heartbeat changes one column of one Host row,
 * which none of a thousand switchds' Host monitors selects; each of them skips the commit
 * on this summary instead of matching and diffing the row. */
struct txn_table_summary {
	bool touched;     /* some row changed */
	bool ins_del;     /* some row was inserted or deleted */
	uint8_t *changed; /* per column: some modified row changed it (NULL: none modified) */
};

struct ovsdb_txn_index {
	const struct ovsdb_txn *txn;
	size_t n;
	struct txn_index_col *cols;
	uint32_t n_tables;
	struct txn_table_summary *tables;
};

/* A smaller commit is cheaper to scan than to index. */
#define TXN_INDEX_MIN_ROWS 16

struct ovsdb_txn_index *ovsdb_txn_index_create(const struct ovsdb_txn *txn)
{
	struct ovsdb_txn_index *ix = calloc(1, sizeof *ix);
	if (!ix)
		return NULL;
	ix->txn = txn;
	ix->n_tables = txn->db->schema->n_tables;
	ix->tables = calloc(ix->n_tables + 1, sizeof *ix->tables);
	if (!ix->tables) {
		free(ix);
		return NULL;
	}
	for (uint32_t i = 0; i < txn->n_list; i++) {
		const struct ovsdb_txn_row *tr = txn->list[i];
		const struct ovsdb_table_schema *ts = tr->table->schema;
		struct txn_table_summary *t = &ix->tables[ts->idx];
		if (!ovsdb_txn_row_is_change(tr))
			continue;
		t->touched = true;
		if (!tr->old || !tr->new_) {
			t->ins_del = true;
			continue;
		}
		if (!t->changed && !(t->changed = calloc(ts->n_cols, 1))) {
			t->ins_del = true; /* out of memory: as if anything changed */
			continue;
		}
		for (uint32_t c = 0; c < ts->n_cols; c++)
			t->changed[c] |= tr->changed[c];
	}
	return ix;
}

void ovsdb_txn_index_destroy(struct ovsdb_txn_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n; i++) {
		hmap_destroy(&ix->cols[i].map);
		free(ix->cols[i].e);
	}
	for (uint32_t i = 0; i < ix->n_tables; i++)
		free(ix->tables[i].changed);
	free(ix->tables);
	free(ix->cols);
	free(ix);
}

/* False if the commit summarised in 'ix' cannot change what 'm' selects: none of its tables
 * had a row inserted or deleted, or a change in a column it selects or filters on. */
static bool may_update(const struct ovsdb_monitor *m, const struct ovsdb_txn_index *ix)
{
	for (uint32_t i = 0; i < m->n_tables; i++) {
		const struct ovsdb_monitor_table *mt = &m->tables[i];
		const struct txn_table_summary *t = &ix->tables[mt->table->schema->idx];
		if (!t->touched)
			continue;
		if (t->ins_del)
			return true;
		for (uint32_t c = 0; c < mt->columns.n; c++)
			if (mt->columns.idx[c] == OVSDB_COL_VERSION || t->changed[mt->columns.idx[c]])
				return true;
		for (uint32_t c = 0; c < mt->cond.n; c++)
			if (mt->cond.clauses[c].column && t->changed[mt->cond.clauses[c].column->idx])
				return true;
	}
	return false;
}

static void index_add(struct txn_index_col *c, size_t *n, const struct ovsdb_datum *d,
		      const struct ovsdb_type *type, const struct ovsdb_txn_row *tr)
{
	struct txn_index_entry *e = &c->e[(*n)++];
	e->value = d;
	e->tr = tr;
	hmap_insert(&c->map, &e->node, ovsdb_datum_hash(d, type, 0));
}

/* The index of 'table' by column 'col', built on first use; NULL if out of memory. */
static struct txn_index_col *index_col(struct ovsdb_txn_index *ix, const struct ovsdb_table *table, uint32_t col)
{
	for (size_t i = 0; i < ix->n; i++)
		if (ix->cols[i].table == table && ix->cols[i].col == col)
			return &ix->cols[i];
	struct txn_index_col *cols = realloc(ix->cols, (ix->n + 1) * sizeof *cols);
	if (!cols)
		return NULL;
	ix->cols = cols;
	struct txn_index_col *c = &cols[ix->n];
	const struct ovsdb_type *type = &table->schema->cols[col].type;
	c->table = table;
	c->col = col;
	hmap_init(&c->map);
	if (!(c->e = calloc(2 * (size_t)ix->txn->n_list + 1, sizeof *c->e)))
		return NULL;
	ix->n++;
	size_t n = 0;
	for (uint32_t i = 0; i < ix->txn->n_list; i++) {
		const struct ovsdb_txn_row *tr = ix->txn->list[i];
		if (tr->table != table || !ovsdb_txn_row_is_change(tr))
			continue;
		if (tr->old)
			index_add(c, &n, &tr->old->fields[col], type, tr);
		if (tr->new_ && (!tr->old || !ovsdb_datum_equals(&tr->old->fields[col], &tr->new_->fields[col], type)))
			index_add(c, &n, &tr->new_->fields[col], type, tr);
	}
	return c;
}

/* True if every clause of 'mt' is "column == value", so that a row matches only through
 * the rows indexed under one of those values. */
static bool indexable(const struct ovsdb_monitor_table *mt)
{
	if (!mt->cond.n)
		return false;
	for (uint32_t i = 0; i < mt->cond.n; i++)
		if (mt->cond.clauses[i].function != OVSDB_F_EQ || !mt->cond.clauses[i].column)
			return false;
	return true;
}

/* The updates of 'mt' from the rows whose old or new value of a clause's column is that
 * clause's value (a row found twice yields the same update twice: the second replaces the
 * first).  False if the index could not be built: the caller scans. */
static bool updates_by_index(const struct ovsdb_monitor *m, const struct ovsdb_monitor_table *mt,
			     struct ovsdb_txn_index *ix, json_t **updates)
{
	for (uint32_t i = 0; i < mt->cond.n; i++) {
		const struct ovsdb_clause *cl = &mt->cond.clauses[i];
		struct txn_index_col *c = index_col(ix, mt->table, cl->column->idx);
		if (!c)
			return false;
	}
	for (uint32_t i = 0; i < mt->cond.n; i++) {
		const struct ovsdb_clause *cl = &mt->cond.clauses[i];
		struct txn_index_col *c = index_col(ix, mt->table, cl->column->idx);
		uint32_t h = ovsdb_datum_hash(&cl->arg, &cl->column->type, 0);
		HMAP_FOR_EACH_WITH_HASH (n, h, &c->map) {
			const struct txn_index_entry *e = HMAP_CONTAINER(n, struct txn_index_entry, node);
			if (!ovsdb_datum_equals(e->value, &cl->arg, &cl->column->type))
				continue;
			json_t *ru = row_update(m, mt, e->tr);
			if (ru)
				add_row_update(updates, mt, &e->tr->uuid, ru);
		}
	}
	return true;
}

json_t *ovsdb_monitor_txn_updates_indexed(const struct ovsdb_monitor *m, const struct ovsdb_txn *txn,
					  struct ovsdb_txn_index *ix)
{
	json_t *updates = NULL;
	if (ix && !may_update(m, ix))
		return NULL;
	bool scan_table[m->n_tables + 1];
	for (uint32_t t = 0; t < m->n_tables; t++)
		scan_table[t] = !(ix && txn->n_list >= TXN_INDEX_MIN_ROWS && indexable(&m->tables[t]) &&
				  updates_by_index(m, &m->tables[t], ix, &updates));
	for (uint32_t i = 0; i < txn->n_list; i++) {
		const struct ovsdb_txn_row *tr = txn->list[i];
		if (!ovsdb_txn_row_is_change(tr))
			continue;
		for (uint32_t t = 0; t < m->n_tables; t++) {
			const struct ovsdb_monitor_table *mt = &m->tables[t];
			if (mt->table != tr->table || !scan_table[t])
				continue;
			json_t *ru = row_update(m, mt, tr);
			if (ru)
				add_row_update(&updates, mt, &tr->uuid, ru);
		}
	}
	return updates;
}

static void interest_add(struct ovsdb_interest *in, const struct ovsdb_table *table, uint32_t col)
{
	in->t[table->schema->idx % OVSDB_INTEREST_TABLES] |= 1ull << (col % 64);
}

void ovsdb_monitor_add_interest(const struct ovsdb_monitor *m, struct ovsdb_interest *in)
{
	for (uint32_t i = 0; i < m->n_tables; i++) {
		const struct ovsdb_monitor_table *mt = &m->tables[i];
		interest_add(in, mt->table, OVSDB_COL_UUID); /* inserts and deletes */
		for (uint32_t c = 0; c < mt->columns.n; c++)
			interest_add(in, mt->table, mt->columns.idx[c]);
		for (uint32_t c = 0; c < mt->cond.n; c++)
			if (mt->cond.clauses[c].column)
				interest_add(in, mt->table, mt->cond.clauses[c].column->idx);
	}
}

void ovsdb_txn_interest(const struct ovsdb_txn *txn, struct ovsdb_interest *in)
{
	memset(in, 0, sizeof *in);
	for (uint32_t i = 0; i < txn->n_list; i++) {
		const struct ovsdb_txn_row *tr = txn->list[i];
		if (!ovsdb_txn_row_is_change(tr))
			continue;
		if (!tr->old || !tr->new_) {
			interest_add(in, tr->table, OVSDB_COL_UUID);
			continue;
		}
		interest_add(in, tr->table, OVSDB_COL_VERSION); /* a new _version for every modify */
		for (uint32_t c = OVSDB_N_IMPLICIT_COLS; c < tr->table->schema->n_cols; c++)
			if (tr->changed[c])
				interest_add(in, tr->table, c);
	}
}

json_t *ovsdb_monitor_txn_updates(const struct ovsdb_monitor *m, const struct ovsdb_txn *txn)
{
	return ovsdb_monitor_txn_updates_indexed(m, txn, NULL);
}

json_t *ovsdb_monitor_change_cond(struct ovsdb_monitor *m, const json_t *requests, json_t **updates)
{
	*updates = NULL;
	if (m->version != OVSDB_MONITOR_V2)
		return ovsdb_error("syntax error", "monitor_cond_change needs a monitor_cond monitor");
	if (!json_is_object(requests))
		return ovsdb_error("syntax error", "condition change requests must be an object");
	/* Parse everything first so a bad request changes nothing. */
	size_t n = json_object_size(requests);
	struct ovsdb_condition *conds = calloc(n + 1, sizeof *conds);
	struct ovsdb_monitor_table **mts = calloc(n + 1, sizeof *mts);
	json_t *err = NULL;
	size_t k = 0;
	const char *tname;
	json_t *req;
	json_object_foreach ((json_t *)requests, tname, req) {
		struct ovsdb_monitor_table *mt = NULL;
		for (uint32_t i = 0; i < m->n_tables; i++)
			if (!strcmp(m->tables[i].table->schema->name, tname))
				mt = &m->tables[i];
		if (!mt) {
			err = ovsdb_error("syntax error", "table %s is not monitored", tname);
			goto out;
		}
		const json_t *r = json_is_array(req) ? json_array_get(req, 0) : req;
		json_t *where = NULL, *columns = NULL;
		json_error_t jerr;
		if (!r || json_unpack_ex((json_t *)r, &jerr, JSON_STRICT, "{s?o, s?o}", "columns", &columns,
					 "where", &where)) {
			err = ovsdb_error("syntax error", "condition change for table %s: %s", tname,
					  r ? jerr.text : "empty request");
			goto out;
		}
		if ((err = ovsdb_condition_from_json(&conds[k], mt->table->schema, where, NULL, true)))
			goto out;
		mts[k++] = mt;
	}
	for (size_t i = 0; i < k; i++) {
		struct ovsdb_monitor_table *mt = mts[i];
		HMAP_FOR_EACH (node, &mt->table->rows) {
			const struct ovsdb_row *row = HMAP_CONTAINER(node, struct ovsdb_row, node);
			bool was = ovsdb_condition_match_any(&mt->cond, row);
			bool is = ovsdb_condition_match_any(&conds[i], row);
			if (is && !was && mt->insert)
				add_row_update(updates, mt, ovsdb_row_uuid(row),
					       json_pack("{s:o}", "insert", ovsdb_row_to_json(row, &mt->columns, true)));
			else if (was && !is && mt->delete_)
				add_row_update(updates, mt, ovsdb_row_uuid(row), json_pack("{s:n}", "delete"));
		}
		ovsdb_condition_destroy(&mt->cond);
		mt->cond = conds[i];
		conds[i].n = 0;
		conds[i].clauses = NULL;
	}
out:
	for (size_t i = 0; i < n; i++)
		ovsdb_condition_destroy(&conds[i]);
	free(conds);
	free(mts);
	return err;
}
