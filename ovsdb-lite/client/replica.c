/* SPDX-License-Identifier: Apache-2.0 */
/* The replica: one jansson object per table (uuid -> canonical full row).
 *
 * Every path that changes a row (update, update2, snapshot, load, filter) ends in
 * replica_set_row(), which compares the old and new full rows and fires callbacks only for a
 * real difference.  That single choke point is what keeps a resync after a reconnect from
 * turning into a delete/insert storm.  Saving and loading the replica: replica_file.c. */

#include "replica.h"
#include "replica_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

const char *
dvs_row_change_name(enum dvs_row_change c)
{
	switch (c) {
	case DVS_ROW_INSERT:
		return "insert";
	case DVS_ROW_MODIFY:
		return "modify";
	case DVS_ROW_DELETE:
		return "delete";
	}
	return "?";
}

struct dvs_replica *
dvs_replica_create(void)
{
	struct dvs_replica *r = calloc(1, sizeof(*r));

	if (r)
		r->next_handle = 1;
	return r;
}

static void
free_cbs(struct table_cb *c)
{
	while (c) {
		struct table_cb *n = c->next;

		free(c->table);
		free(c);
		c = n;
	}
}

static void
free_watch(struct row_watch *w)
{
	free(w->table);
	free(w->uuid);
	free(w);
}

void
dvs_replica_destroy(struct dvs_replica *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_tables; i++) {
		struct rtable *t = &r->tables[i];

		for (size_t j = 0; j < t->n_cols; j++)
			dvs_wire_column_fini(&t->cols[j]);
		free(t->cols);
		free(t->name);
		json_decref(t->rows);
		json_decref(t->schema);
		json_decref(t->where);
		free(t->text);
		json_decref(t->row_text);
		free(t->schema_text);
	}
	free(r->tables);
	free_cbs(r->cbs);
	while (r->watches) {
		struct row_watch *n = r->watches->next;

		free_watch(r->watches);
		r->watches = n;
	}
	free(r);
}

struct rtable *
replica_find_table(const struct dvs_replica *r, const char *name)
{
	for (size_t i = 0; i < r->n_tables; i++)
		if (!strcmp(r->tables[i].name, name))
			return &r->tables[i];
	return NULL;
}

static bool
wanted(const char *const *columns, const char *name)
{
	if (!columns)
		return true;
	for (; *columns; columns++)
		if (!strcmp(*columns, name))
			return true;
	return false;
}

int
dvs_replica_add_table(struct dvs_replica *r, const char *table, const json_t *table_schema,
		      const char *const *columns, struct dvs_err *err)
{
	const json_t *cols = json_object_get(table_schema, "columns");
	struct rtable t = {0}, *grown;
	const char *name;
	json_t *type;
	int ret = 0;

	if (replica_find_table(r, table))
		return dvs_err_set(err, EEXIST, "table %s: registered twice", table);
	if (!json_is_object(cols))
		return dvs_err_set(err, EINVAL, "table %s: schema has no \"columns\" object", table);
	for (const char *const *c = columns; c && *c; c++)
		if (!json_object_get(cols, *c))
			return dvs_err_set(err, EINVAL, "table %s: no column %s in the schema", table, *c);
	t.cols = calloc(json_object_size(cols) ? json_object_size(cols) : 1, sizeof(*t.cols));
	t.name = strdup(table);
	t.rows = json_object();
	t.row_text = json_object();
	t.schema = json_pack("{s:{}}", "columns");
	if (!t.cols || !t.name || !t.rows || !t.schema) {
		ret = dvs_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	json_object_foreach((json_t *)cols, name, type) {
		if (!wanted(columns, name))
			continue;
		ret = dvs_wire_column_parse(&t.cols[t.n_cols], name,
					    json_object_get(type, "type"), err);
		if (ret < 0) {
			dvs_err_prefix(err, "table %s", table);
			goto out;
		}
		json_object_set(json_object_get(t.schema, "columns"), name, type);
		t.n_cols++;
	}
	grown = realloc(r->tables, (r->n_tables + 1) * sizeof(*grown));
	if (!grown) {
		ret = dvs_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	r->tables = grown;
	r->tables[r->n_tables++] = t;
	return 0;
out:
	for (size_t j = 0; j < t.n_cols; j++)
		dvs_wire_column_fini(&t.cols[j]);
	free(t.cols);
	free(t.name);
	json_decref(t.rows);
	json_decref(t.schema);
	return ret;
}

bool
dvs_replica_has_table(const struct dvs_replica *r, const char *table)
{
	return replica_find_table(r, table) != NULL;
}

json_t *
dvs_replica_columns(const struct dvs_replica *r, const char *table)
{
	const struct rtable *t = replica_find_table(r, table);
	json_t *a;

	if (!t)
		return NULL;
	a = json_array();
	for (size_t i = 0; i < t->n_cols; i++)
		json_array_append_new(a, json_string(t->cols[i].name));
	return a;
}

int
dvs_replica_set_filter(struct dvs_replica *r, const char *table, const json_t *where)
{
	struct rtable *t = replica_find_table(r, table);

	if (!t)
		return -ENOENT;
	json_decref(t->where);
	t->where = where ? json_deep_copy(where) : NULL;
	return 0;
}

int
dvs_replica_on_table(struct dvs_replica *r, const char *table, dvs_replica_row_cb *cb, void *arg)
{
	struct table_cb *c = calloc(1, sizeof(*c)), **tail = &r->cbs;

	if (!c)
		return -ENOMEM;
	if (table && !(c->table = strdup(table))) {
		free(c);
		return -ENOMEM;
	}
	c->cb = cb;
	c->arg = arg;
	while (*tail)
		tail = &(*tail)->next; /* registration order is call order */
	*tail = c;
	return 0;
}

long
dvs_replica_watch_row(struct dvs_replica *r, const char *table, const char *uuid,
		      dvs_replica_row_cb *cb, void *arg)
{
	struct row_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->table = strdup(table);
	w->uuid = strdup(uuid);
	if (!w->table || !w->uuid) {
		free_watch(w);
		return -ENOMEM;
	}
	w->cb = cb;
	w->arg = arg;
	w->handle = r->next_handle++;
	w->next = r->watches;
	r->watches = w;
	return w->handle;
}

static void
reap_watches(struct dvs_replica *r)
{
	struct row_watch **p = &r->watches;

	while (*p) {
		if ((*p)->dead) {
			struct row_watch *d = *p;

			*p = d->next;
			free_watch(d);
		} else {
			p = &(*p)->next;
		}
	}
}

void
dvs_replica_unwatch(struct dvs_replica *r, long handle)
{
	for (struct row_watch *w = r->watches; w; w = w->next)
		if (w->handle == handle)
			w->dead = true;
	if (!r->dispatching)
		reap_watches(r);
}

void
dvs_replica_set_batch_cb(struct dvs_replica *r, dvs_replica_batch_cb *cb, void *arg)
{
	r->batch_cb = cb;
	r->batch_arg = arg;
}

/* Puts 'new' (stolen, may be NULL for "absent") in place of the row 'uuid' and calls the
 * callbacks if that changed anything.  Returns 1 for a change, 0 for none. */
static int
replica_set_row(struct dvs_replica *r, struct rtable *t, const char *uuid, json_t *new)
{
	json_t *old = json_incref(json_object_get(t->rows, uuid));
	enum dvs_row_change change;
	char *key;

	if (new && t->where && dvs_wire_cond_match(t->where, uuid, new, t->cols, t->n_cols) != 1) {
		json_decref(new);
		new = NULL;
	}
	if (!old && !new)
		return 0;
	if (old && new && json_equal(old, new)) {
		json_decref(old);
		json_decref(new);
		return 0;
	}
	change = !old ? DVS_ROW_INSERT : !new ? DVS_ROW_DELETE : DVS_ROW_MODIFY;
	/* The key must outlive the callbacks even if a delete frees the object's copy. */
	key = strdup(uuid);
	free(t->text);
	t->text = NULL;
	json_object_del(t->row_text, uuid);
	if (new)
		json_object_set(t->rows, uuid, new);
	else
		json_object_del(t->rows, uuid);
	r->dispatching++;
	for (struct table_cb *c = r->cbs; c; c = c->next)
		if (!c->table || !strcmp(c->table, t->name))
			c->cb(c->arg, t->name, key, change, old, new);
	for (struct row_watch *w = r->watches; w; w = w->next)
		if (!w->dead && !strcmp(w->uuid, key) && !strcmp(w->table, t->name))
			w->cb(w->arg, t->name, key, change, old, new);
	if (!--r->dispatching)
		reap_watches(r);
	free(key);
	json_decref(old);
	json_decref(new);
	return 1;
}

/* Builds a full canonical row from a server row that may omit default-valued columns.
 * 'base' (may be NULL) supplies columns 'src' lacks instead of the defaults.  Returns a new
 * row, or NULL if a value is malformed (the column name is in 'err'). */
json_t *
replica_full_row(const struct rtable *t, const json_t *src, const json_t *base, struct dvs_err *err)
{
	json_t *row = json_object();

	if (!json_is_object(src)) {
		json_decref(row);
		dvs_err_set(err, EPROTO, "table %s: row is not an object", t->name);
		return NULL;
	}
	for (size_t i = 0; i < t->n_cols; i++) {
		const struct dvs_wire_column *c = &t->cols[i];
		const json_t *v = json_object_get(src, c->name);
		json_t *canon;

		if (!v) {
			const json_t *b = base ? json_object_get(base, c->name) : NULL;

			json_object_set(row, c->name, b ? (json_t *)b : c->dflt);
			continue;
		}
		canon = dvs_wire_canon(c, v);
		if (!canon) {
			json_decref(row);
			dvs_err_set(err, EPROTO, "table %s: column %s: malformed value", t->name, c->name);
			return NULL;
		}
		json_object_set_new(row, c->name, canon);
	}
	return row;
}

/* Applies an update2 "modify" diff to the held row.  Returns a new row or NULL. */
static json_t *
diff_row(const struct rtable *t, const json_t *old, const json_t *diff, struct dvs_err *err)
{
	json_t *row = json_deep_copy(old);

	if (!json_is_object(diff)) {
		json_decref(row);
		dvs_err_set(err, EPROTO, "table %s: modify is not an object", t->name);
		return NULL;
	}
	for (size_t i = 0; i < t->n_cols; i++) {
		const struct dvs_wire_column *c = &t->cols[i];
		const json_t *d = json_object_get(diff, c->name);
		json_t *v;

		if (!d)
			continue;
		v = dvs_wire_apply_diff(c, json_object_get(old, c->name) ?: c->dflt, d);
		if (!v) {
			json_decref(row);
			dvs_err_set(err, EPROTO, "table %s: column %s: malformed diff", t->name, c->name);
			return NULL;
		}
		json_object_set_new(row, c->name, v);
	}
	return row;
}

/* Computes the row that one <row-update> or <row-update2> leaves behind.  Returns 0 with
 * *out (new, or NULL for "no row"), or -EPROTO. */
static int
row_after(const struct rtable *t, const char *uuid, const json_t *ru, int version, json_t **out,
	  struct dvs_err *err)
{
	const json_t *held = json_object_get(t->rows, uuid), *v;

	*out = NULL;
	if (!json_is_object(ru))
		return dvs_err_set(err, EPROTO, "table %s: row %s: update is not an object", t->name, uuid);
	if (version == 1) {
		v = json_object_get(ru, "new");
		if (!v)
			return 0; /* delete */
		/* An RFC "modify" may carry only some columns in "new"; keep the rest. */
		*out = replica_full_row(t, v, json_object_get(ru, "old") ? held : NULL, err);
		return *out ? 0 : -EPROTO;
	}
	if ((v = json_object_get(ru, "initial")) || (v = json_object_get(ru, "insert"))) {
		*out = replica_full_row(t, v, NULL, err);
		return *out ? 0 : -EPROTO;
	}
	if ((v = json_object_get(ru, "modify"))) {
		if (!held)
			return dvs_err_set(err, EPROTO, "table %s: modify of row %s, which the replica "
				"does not hold", t->name, uuid);
		*out = diff_row(t, held, v, err);
		return *out ? 0 : -EPROTO;
	}
	if (json_object_get(ru, "delete"))
		return 0;
	return dvs_err_set(err, EPROTO, "table %s: row %s: no initial/insert/modify/delete", t->name, uuid);
}

void
replica_batch_done(struct dvs_replica *r, size_t n)
{
	if (n && r->batch_cb)
		r->batch_cb(r->batch_arg, n);
}

int
dvs_replica_apply_update(struct dvs_replica *r, const json_t *updates, int version,
			 struct dvs_err *err)
{
	const char *tname, *uuid;
	json_t *tu, *ru, *row;
	size_t n = 0;
	int ret = 0;

	if (!json_is_object(updates))
		return dvs_err_set(err, EPROTO, "table-updates is not an object");
	json_object_foreach((json_t *)updates, tname, tu) {
		struct rtable *t = replica_find_table(r, tname);

		if (!t)
			continue;
		if (!json_is_object(tu)) {
			ret = dvs_err_set(err, EPROTO, "table %s: table-update is not an object", tname);
			goto out;
		}
		json_object_foreach(tu, uuid, ru) {
			ret = row_after(t, uuid, ru, version, &row, err);
			if (ret < 0)
				goto out;
			n += replica_set_row(r, t, uuid, row);
		}
	}
out:
	replica_batch_done(r, n);
	return ret;
}

/* See replica_priv.h. */
size_t
replica_apply_fresh(struct dvs_replica *r, json_t *fresh)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_tables; i++) {
		struct rtable *t = &r->tables[i];
		json_t *rows = json_object_get(fresh, t->name), *gone = json_array(), *row, *u;
		const char *uuid;
		size_t j;

		json_object_foreach(t->rows, uuid, row)
			if (!json_object_get(rows, uuid))
				json_array_append_new(gone, json_string(uuid));
		json_array_foreach(gone, j, u)
			n += replica_set_row(r, t, json_string_value(u), NULL);
		json_decref(gone);
		json_object_foreach(rows, uuid, row)
			n += replica_set_row(r, t, uuid, json_incref(row));
	}
	return n;
}

int
dvs_replica_apply_snapshot(struct dvs_replica *r, const json_t *updates, int version,
			   struct dvs_err *err)
{
	json_t *fresh = json_object(), *tu, *ru, *row;
	const char *tname, *uuid;
	int ret = 0;

	if (!json_is_object(updates)) {
		ret = dvs_err_set(err, EPROTO, "table-updates is not an object");
		goto out;
	}
	/* Parse everything first: a malformed snapshot must leave the replica untouched. */
	json_object_foreach((json_t *)updates, tname, tu) {
		struct rtable *t = replica_find_table(r, tname);
		json_t *rows;

		if (!t)
			continue;
		if (!json_is_object(tu)) {
			ret = dvs_err_set(err, EPROTO, "table %s: table-update is not an object", tname);
			goto out;
		}
		rows = json_object();
		json_object_set_new(fresh, tname, rows);
		json_object_foreach(tu, uuid, ru) {
			const json_t *v = !json_is_object(ru) ? NULL
					: version == 1 ? json_object_get(ru, "new")
					: json_object_get(ru, "initial") ?: json_object_get(ru, "insert");

			if (!v) {
				ret = dvs_err_set(err, EPROTO, "table %s: row %s: snapshot row has no %s",
						  tname, uuid, version == 1 ? "\"new\"" : "\"initial\"");
				goto out;
			}
			row = replica_full_row(t, v, NULL, err);
			if (!row) {
				ret = -EPROTO;
				goto out;
			}
			json_object_set_new(rows, uuid, row);
		}
	}
	replica_batch_done(r, replica_apply_fresh(r, fresh));
out:
	json_decref(fresh);
	return ret;
}

const json_t *
dvs_replica_rows(const struct dvs_replica *r, const char *table)
{
	const struct rtable *t = replica_find_table(r, table);

	return t ? t->rows : NULL;
}

const json_t *
dvs_replica_get(const struct dvs_replica *r, const char *table, const char *uuid)
{
	const struct rtable *t = replica_find_table(r, table);

	return t ? json_object_get(t->rows, uuid) : NULL;
}

size_t
dvs_replica_n_rows(const struct dvs_replica *r, const char *table)
{
	const struct rtable *t = replica_find_table(r, table);

	return t ? json_object_size(t->rows) : 0;
}

const json_t *
dvs_replica_find(const struct dvs_replica *r, const char *table, const char *column,
		 const json_t *value, const char **uuid)
{
	const struct rtable *t = replica_find_table(r, table);
	const struct dvs_wire_column *c = NULL;
	json_t *want, *row;
	const char *u;

	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n_cols && !c; i++)
		if (!strcmp(t->cols[i].name, column))
			c = &t->cols[i];
	if (!c || !(want = dvs_wire_canon(c, value)))
		return NULL;
	json_object_foreach(t->rows, u, row)
		if (json_equal(json_object_get(row, column), want)) {
			json_decref(want);
			if (uuid)
				*uuid = u;
			return row;
		}
	json_decref(want);
	return NULL;
}
