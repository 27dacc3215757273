/* SPDX-License-Identifier: Apache-2.0 */
/* OVSDB wire-format datums for the client: canonical form, update2 diffs, conditions.
 *
 * Rows are compared with json_equal() when a resync diffs a fresh snapshot against the
 * replica.  That is only sound if one value has one spelling, so every datum the replica
 * stores goes through dvs_wire_canon(): sets and maps sorted by key atom, one-element sets
 * as bare atoms (ovsdb-server's own spelling), whatever order the server or a diff produced. */

#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ZERO_UUID "00000000-0000-0000-0000-000000000000"

static bool
is_tagged(const json_t *j, const char *tag)
{
	return json_is_array(j) && json_array_size(j) == 2 && json_is_string(json_array_get(j, 0)) &&
	       !strcmp(json_string_value(json_array_get(j, 0)), tag);
}

json_t *
dvs_wire_uuid(const char *uuid)
{
	return json_pack("[ss]", "uuid", uuid);
}

json_t *
dvs_wire_named_uuid(const char *name)
{
	return json_pack("[ss]", "named-uuid", name);
}

json_t *
dvs_wire_set(json_t *array)
{
	return json_pack("[so]", "set", array);
}

json_t *
dvs_wire_map(json_t *object)
{
	json_t *pairs = json_array();
	const char *k;
	json_t *v;

	json_object_foreach(object, k, v)
		json_array_append_new(pairs, json_pack("[sO]", k, v));
	json_decref(object);
	return json_pack("[so]", "map", pairs);
}

const char *
dvs_wire_map_str(const json_t *datum, const char *key)
{
	const json_t *pair;
	size_t i;

	if (!is_tagged(datum, "map"))
		return NULL;
	json_array_foreach(json_array_get(datum, 1), i, pair)
		if (!strcmp(json_string_value(json_array_get(pair, 0)) ?: "", key))
			return json_string_value(json_array_get(pair, 1));
	return NULL;
}

const char *
dvs_wire_uuid_str(const json_t *atom)
{
	if (!is_tagged(atom, "uuid"))
		return NULL;
	return json_string_value(json_array_get(atom, 1));
}

/* Orders atoms: numbers numerically, strings and uuids by bytes, then by JSON type so
 * that mixed input still sorts deterministically. */
static int
atom_cmp(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);

		if (json_is_integer(a) && json_is_integer(b)) {
			json_int_t i = json_integer_value(a), j = json_integer_value(b);

			return i < j ? -1 : i > j;
		}
		return x < y ? -1 : x > y;
	}
	if (json_is_string(a) && json_is_string(b))
		return strcmp(json_string_value(a), json_string_value(b));
	if (json_is_boolean(a) && json_is_boolean(b))
		return (int)json_is_true(a) - (int)json_is_true(b);
	if (json_is_array(a) && json_is_array(b) && json_array_size(a) == 2 && json_array_size(b) == 2) {
		int r = strcmp(json_string_value(json_array_get(a, 0)) ?: "",
			       json_string_value(json_array_get(b, 0)) ?: "");

		return r ? r : strcmp(json_string_value(json_array_get(a, 1)) ?: "",
				      json_string_value(json_array_get(b, 1)) ?: "");
	}
	return (int)json_typeof(a) - (int)json_typeof(b);
}

static int
atom_qsort_cmp(const void *a, const void *b)
{
	return atom_cmp(*(json_t *const *)a, *(json_t *const *)b);
}

static int
pair_qsort_cmp(const void *a, const void *b)
{
	return atom_cmp(json_array_get(*(json_t *const *)a, 0), json_array_get(*(json_t *const *)b, 0));
}

/* The elements of a set datum (borrowed array, or a new one-element array in *tmp). */
static const json_t *
set_elems(const json_t *datum, json_t **tmp)
{
	*tmp = NULL;
	if (is_tagged(datum, "set") && json_is_array(json_array_get(datum, 1)))
		return json_array_get(datum, 1);
	*tmp = json_pack("[O]", datum);
	return *tmp;
}

static const json_t *
map_pairs(const json_t *datum)
{
	const json_t *pairs;
	size_t i;
	json_t *p;

	if (!is_tagged(datum, "map") || !json_is_array(pairs = json_array_get(datum, 1)))
		return NULL;
	json_array_foreach(pairs, i, p)
		if (!json_is_array(p) || json_array_size(p) != 2)
			return NULL;
	return pairs;
}

/* True if 'atom' is a valid atom of 'type' (RFC 7047 5.1 <atom>). */
static bool
atom_valid(const char *type, const json_t *atom)
{
	switch (type[0]) {
	case 'i':
		return json_is_integer(atom);
	case 'r':
		return json_is_number(atom);
	case 'b':
		return json_is_boolean(atom);
	case 's':
		return json_is_string(atom);
	case 'u':
		return (is_tagged(atom, "uuid") || is_tagged(atom, "named-uuid")) &&
		       json_is_string(json_array_get(atom, 1));
	}
	return false;
}

static bool
items_valid(const struct dvs_wire_column *col, const json_t *items)
{
	size_t i;
	json_t *e;

	json_array_foreach(items, i, e) {
		if (col->kind != DVS_WIRE_MAP && !atom_valid(col->key_type, e))
			return false;
		if (col->kind == DVS_WIRE_MAP && (!atom_valid(col->key_type, json_array_get(e, 0)) ||
						  !atom_valid(col->value_type, json_array_get(e, 1))))
			return false;
	}
	return true;
}

/* Builds a canonical datum from an array of atoms or pairs (borrowed). */
static json_t *
build_sorted(enum dvs_wire_kind kind, const json_t *items)
{
	size_t n = json_array_size(items), i;
	json_t **v = calloc(n ? n : 1, sizeof(*v));
	json_t *arr;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = json_array_get(items, i);
	qsort(v, n, sizeof(*v), kind == DVS_WIRE_MAP ? pair_qsort_cmp : atom_qsort_cmp);
	if (kind == DVS_WIRE_SET && n == 1) {
		arr = json_incref(v[0]);
		free(v);
		return arr;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append(arr, v[i]);
	free(v);
	return json_pack("[so]", kind == DVS_WIRE_MAP ? "map" : "set", arr);
}

json_t *
dvs_wire_canon(const struct dvs_wire_column *col, const json_t *datum)
{
	json_t *tmp, *r;
	const json_t *items;

	if (!datum)
		return NULL;
	switch (col->kind) {
	case DVS_WIRE_SCALAR:
		items = set_elems(datum, &tmp);
		r = json_array_size(items) == 1 && items_valid(col, items)
			? json_incref(json_array_get(items, 0)) : NULL;
		json_decref(tmp);
		return r;
	case DVS_WIRE_SET:
		items = set_elems(datum, &tmp);
		r = items_valid(col, items) ? build_sorted(DVS_WIRE_SET, items) : NULL;
		json_decref(tmp);
		return r;
	case DVS_WIRE_MAP:
		items = map_pairs(datum);
		return items && items_valid(col, items) ? build_sorted(DVS_WIRE_MAP, items) : NULL;
	}
	return NULL;
}

static ssize_t
find_atom(const json_t *arr, const json_t *atom)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
		if (!atom_cmp(e, atom))
			return (ssize_t)i;
	return -1;
}

static ssize_t
find_key(const json_t *pairs, const json_t *key)
{
	size_t i;
	json_t *p;

	json_array_foreach(pairs, i, p)
		if (!atom_cmp(json_array_get(p, 0), key))
			return (ssize_t)i;
	return -1;
}

json_t *
dvs_wire_apply_diff(const struct dvs_wire_column *col, const json_t *old, const json_t *diff)
{
	json_t *tmp_old = NULL, *tmp_diff = NULL, *acc = NULL, *r = NULL, *e;
	const json_t *items, *d;
	size_t i;
	ssize_t at;

	/* "For columns with single value, the difference is the value of the new column", and
	 * ovsdb-server 3.1 applies that to optional columns too (10 -> 20 is sent as 20,
	 * 10 -> none as ["set", []]).  A server that reads the RFC's set rule literally sends
	 * the symmetric difference instead ([10, 20]; 10 for 10 -> none).  The two never
	 * collide for a column of at most one value, so accept both: two elements toggle, one
	 * element equal to the old value removes it, anything else is the new value. */
	if (col->single && col->kind == DVS_WIRE_SET) {
		size_t n_diff;

		d = set_elems(diff, &tmp_diff);
		items = set_elems(old, &tmp_old);
		n_diff = json_array_size(d);
		if (n_diff == 1 && json_array_size(items) == 1 &&
		    !atom_cmp(json_array_get(d, 0), json_array_get(items, 0)))
			r = json_pack("[s[]]", "set");
		else if (n_diff != 2)
			r = dvs_wire_canon(col, diff);
		json_decref(tmp_diff);
		json_decref(tmp_old);
		tmp_diff = tmp_old = NULL;
		if (n_diff != 2)
			return r;
	}
	switch (col->kind) {
	case DVS_WIRE_SCALAR:
		return dvs_wire_canon(col, diff);
	case DVS_WIRE_SET:
		/* The symmetric difference: toggle each element. */
		items = set_elems(old, &tmp_old);
		d = set_elems(diff, &tmp_diff);
		if (!items_valid(col, d))
			goto out;
		acc = json_copy((json_t *)items);
		json_array_foreach(d, i, e) {
			at = find_atom(acc, e);
			if (at >= 0)
				json_array_remove(acc, (size_t)at);
			else
				json_array_append(acc, e);
		}
		r = build_sorted(DVS_WIRE_SET, acc);
		goto out;
	case DVS_WIRE_MAP:
		/* A key in only one map toggles; a key in both takes the diff's (new) value. */
		items = map_pairs(old);
		d = map_pairs(diff);
		if (!items || !d || !items_valid(col, d))
			goto out;
		acc = json_deep_copy(items);
		json_array_foreach(d, i, e) {
			at = find_key(acc, json_array_get(e, 0));
			if (at < 0)
				json_array_append(acc, e);
			else if (!atom_cmp(json_array_get(json_array_get(acc, (size_t)at), 1),
					   json_array_get(e, 1)))
				json_array_remove(acc, (size_t)at);
			else
				json_array_set(acc, (size_t)at, e);
		}
		r = build_sorted(DVS_WIRE_MAP, acc);
		goto out;
	}
out:
	json_decref(tmp_old);
	json_decref(tmp_diff);
	json_decref(acc);
	return r;
}

/* ---- column types ---- */

static int
base_type(const json_t *base, char out[8])
{
	const char *t = json_is_string(base) ? json_string_value(base)
					     : json_string_value(json_object_get(base, "type"));
	static const char *const types[] = {"integer", "real", "boolean", "string", "uuid"};

	for (size_t i = 0; t && i < DVS_ARRAY_SIZE(types); i++)
		if (!strcmp(t, types[i])) {
			strcpy(out, types[i]);
			return 0;
		}
	return -EINVAL;
}

static json_t *
atom_default(const char *type)
{
	if (!strcmp(type, "integer"))
		return json_integer(0);
	if (!strcmp(type, "real"))
		return json_real(0.0);
	if (!strcmp(type, "boolean"))
		return json_false();
	if (!strcmp(type, "string"))
		return json_string("");
	return dvs_wire_uuid(ZERO_UUID);
}

static long
type_bound(const json_t *type, const char *name, long dflt)
{
	const json_t *v = json_object_get(type, name);

	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if (json_is_string(v) && !strcmp(json_string_value(v), "unlimited"))
		return -1;
	return dflt;
}

int
dvs_wire_column_parse(struct dvs_wire_column *col, const char *name, const json_t *type,
		      struct dvs_err *err)
{
	const json_t *key = type;
	long min = 1, max = 1;
	bool has_value = false;

	memset(col, 0, sizeof(*col));
	if (json_is_object(type)) {
		key = json_object_get(type, "key");
		has_value = json_object_get(type, "value") != NULL;
		min = type_bound(type, "min", 1);
		max = type_bound(type, "max", 1);
		if (has_value && base_type(json_object_get(type, "value"), col->value_type))
			return dvs_err_set(err, EINVAL, "column %s: bad value type", name);
	}
	if (base_type(key, col->key_type))
		return dvs_err_set(err, EINVAL, "column %s: bad key type", name);
	if (has_value)
		col->kind = DVS_WIRE_MAP;
	else if (min == 1 && max == 1)
		col->kind = DVS_WIRE_SCALAR;
	else
		col->kind = DVS_WIRE_SET;
	col->single = !has_value && max == 1;
	col->dflt = col->kind == DVS_WIRE_SCALAR ? atom_default(col->key_type)
		  : json_pack("[s[]]", col->kind == DVS_WIRE_MAP ? "map" : "set");
	col->name = strdup(name);
	if (!col->name || !col->dflt) {
		dvs_wire_column_fini(col);
		return dvs_err_set(err, ENOMEM, "column %s: out of memory", name);
	}
	return 0;
}

void
dvs_wire_column_fini(struct dvs_wire_column *col)
{
	free(col->name);
	json_decref(col->dflt);
	col->name = NULL;
	col->dflt = NULL;
}

/* ---- conditions ---- */

static bool
includes_all(const struct dvs_wire_column *col, const json_t *have, const json_t *want, bool none)
{
	json_t *th = NULL, *tw = NULL, *e;
	const json_t *h, *w;
	bool ok = true;
	size_t i;

	if (col->kind == DVS_WIRE_MAP) {
		h = map_pairs(have);
		w = map_pairs(want);
		if (!h || !w)
			return false;
		json_array_foreach(w, i, e) {
			ssize_t at = find_key(h, json_array_get(e, 0));
			bool found = at >= 0 && !atom_cmp(json_array_get(json_array_get(h, (size_t)at), 1),
							  json_array_get(e, 1));
			if (found == none) {
				ok = false;
				break;
			}
		}
		return ok;
	}
	h = set_elems(have, &th);
	w = set_elems(want, &tw);
	json_array_foreach(w, i, e)
		if ((find_atom(h, e) >= 0) == none) {
			ok = false;
			break;
		}
	json_decref(th);
	json_decref(tw);
	return ok;
}

static int
clause_match(const json_t *clause, const char *uuid, const json_t *row,
	     const struct dvs_wire_column *cols, size_t n_cols)
{
	struct dvs_wire_column uuid_col = {.name = "_uuid", .kind = DVS_WIRE_SCALAR, .key_type = "uuid"};
	const struct dvs_wire_column *col = NULL;
	const char *cname, *fn;
	json_t *value, *have = NULL, *want = NULL;
	int r = -EINVAL, c;

	if (json_unpack((json_t *)clause, "[ssO]", &cname, &fn, &value))
		return -EINVAL;
	if (!strcmp(cname, "_uuid")) {
		col = &uuid_col;
		have = dvs_wire_uuid(uuid);
	} else {
		for (size_t i = 0; i < n_cols && !col; i++)
			if (!strcmp(cols[i].name, cname))
				col = &cols[i];
		if (!col)
			goto out;
		have = json_incref(json_object_get(row, cname) ?: col->dflt);
	}
	want = dvs_wire_canon(col, value);
	if (!want)
		goto out;
	if (!strcmp(fn, "==") || !strcmp(fn, "!=")) {
		bool eq = includes_all(col, have, want, false) && includes_all(col, want, have, false);

		r = eq == !strcmp(fn, "==");
	} else if (!strcmp(fn, "includes")) {
		r = includes_all(col, have, want, false);
	} else if (!strcmp(fn, "excludes")) {
		r = includes_all(col, have, want, true);
	} else if (col->kind != DVS_WIRE_MAP && json_is_number(have) && json_is_number(want)) {
		c = atom_cmp(have, want);
		if (!strcmp(fn, "<"))
			r = c < 0;
		else if (!strcmp(fn, "<="))
			r = c <= 0;
		else if (!strcmp(fn, ">"))
			r = c > 0;
		else if (!strcmp(fn, ">="))
			r = c >= 0;
	}
out:
	json_decref(value);
	json_decref(have);
	json_decref(want);
	return r;
}

int
dvs_wire_cond_match(const json_t *where, const char *uuid, const json_t *row,
		    const struct dvs_wire_column *cols, size_t n_cols)
{
	size_t i;
	json_t *c;
	int r;

	if (!where || (json_is_array(where) && json_array_size(where) == 0))
		return 1;
	if (!json_is_array(where))
		return -EINVAL;
	json_array_foreach(where, i, c) {
		if (json_is_boolean(c))
			r = json_is_true(c);
		else
			r = clause_match(c, uuid, row, cols, n_cols);
		if (r)
			return r; /* a match, or an error */
	}
	return 0;
}
