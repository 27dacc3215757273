/* SPDX-License-Identifier: Apache-2.0 */
#include "datum.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "slab.h"

/* ---- symbol table ---- */

void ovsdb_symtab_init(struct ovsdb_symtab *st)
{
	hmap_init(&st->symbols);
}

void ovsdb_symtab_destroy(struct ovsdb_symtab *st)
{
	HMAP_FOR_EACH_SAFE (n, &st->symbols) {
		hmap_remove(&st->symbols, n);
		free(HMAP_CONTAINER(n, struct ovsdb_symbol, node));
	}
	hmap_destroy(&st->symbols);
}

struct ovsdb_symbol *ovsdb_symtab_get(const struct ovsdb_symtab *st, const char *name)
{
	uint32_t h = hash_bytes(name, strlen(name), 0);
	HMAP_FOR_EACH_WITH_HASH (n, h, &st->symbols) {
		struct ovsdb_symbol *s = HMAP_CONTAINER(n, struct ovsdb_symbol, node);
		if (!strcmp(s->name, name))
			return s;
	}
	return NULL;
}

struct ovsdb_symbol *ovsdb_symtab_insert(struct ovsdb_symtab *st, const char *name)
{
	struct ovsdb_symbol *s = ovsdb_symtab_get(st, name);
	if (s)
		return s;
	size_t len = strlen(name);
	s = calloc(1, sizeof *s + len + 1);
	if (!s)
		return NULL;
	memcpy(s->name, name, len + 1);
	uuid_generate(&s->uuid);
	hmap_insert(&st->symbols, &s->node, hash_bytes(name, len, 0));
	return s;
}

/* ---- atoms ---- */

int ovsdb_atom_compare(const union ovsdb_atom *a, const union ovsdb_atom *b, enum ovsdb_atype t)
{
	switch (t) {
	case OVSDB_TYPE_INTEGER:
		return a->integer < b->integer ? -1 : a->integer > b->integer;
	case OVSDB_TYPE_REAL:
		return a->real < b->real ? -1 : a->real > b->real;
	case OVSDB_TYPE_BOOLEAN:
		return (int)a->boolean - (int)b->boolean;
	case OVSDB_TYPE_STRING:
		return strcmp(a->string, b->string);
	case OVSDB_TYPE_UUID:
		return uuid_compare(&a->uuid, &b->uuid);
	case OVSDB_TYPE_VOID:
		break;
	}
	return 0;
}

uint32_t ovsdb_atom_hash(const union ovsdb_atom *a, enum ovsdb_atype t, uint32_t basis)
{
	switch (t) {
	case OVSDB_TYPE_INTEGER:
		return hash_bytes(&a->integer, sizeof a->integer, basis);
	case OVSDB_TYPE_REAL: {
		double r = a->real == 0 ? 0 : a->real; /* -0.0 == 0.0 */
		return hash_bytes(&r, sizeof r, basis);
	}
	case OVSDB_TYPE_BOOLEAN:
		return hash_add(basis, a->boolean);
	case OVSDB_TYPE_STRING:
		return hash_bytes(a->string, strlen(a->string), basis);
	case OVSDB_TYPE_UUID:
		return hash_add(basis, uuid_hash(&a->uuid));
	case OVSDB_TYPE_VOID:
		break;
	}
	return basis;
}

/* One-atom arrays (the keys of every scalar column of every row) take 16-byte slab blocks
 * (slab.h) instead of malloc's 32-byte chunks; a datum's 'one' says so. */
static union ovsdb_atom *one_get(void)
{
	return slab_alloc(sizeof(union ovsdb_atom));
}

static void one_put(union ovsdb_atom *a)
{
	slab_free(a, sizeof *a);
}

/* Strings take slab blocks of their size (slab.h), and a string's length tells which, so
 * every string atom is made and freed here, never by strdup() or free() elsewhere. */
static char *str_new(const char *src)
{
	size_t len = strlen(src) + 1;
	char *p = slab_alloc(len);
	memcpy(p, src, len);
	return p;
}

static void str_free(char *p)
{
	if (p)
		slab_free(p, strlen(p) + 1);
}

void ovsdb_atom_clone(union ovsdb_atom *dst, const union ovsdb_atom *src, enum ovsdb_atype t)
{
	if (t == OVSDB_TYPE_STRING) {
		dst->string = str_new(src->string);
	} else {
		*dst = *src;
	}
}

void ovsdb_atom_destroy(union ovsdb_atom *a, enum ovsdb_atype t)
{
	if (t == OVSDB_TYPE_STRING)
		str_free(a->string);
}

void ovsdb_atom_init_default(union ovsdb_atom *a, enum ovsdb_atype t)
{
	memset(a, 0, sizeof *a);
	if (t == OVSDB_TYPE_STRING) {
		a->string = str_new("");
	}
}

json_t *ovsdb_atom_from_json(union ovsdb_atom *a, const struct ovsdb_base_type *base,
			     const json_t *json, struct ovsdb_symtab *symtab)
{
	switch (base->type) {
	case OVSDB_TYPE_INTEGER:
		if (!json_is_integer(json))
			break;
		a->integer = json_integer_value(json);
		return NULL;
	case OVSDB_TYPE_REAL:
		if (!json_is_number(json))
			break;
		a->real = json_number_value(json);
		return NULL;
	case OVSDB_TYPE_BOOLEAN:
		if (!json_is_boolean(json))
			break;
		a->boolean = json_is_true(json);
		return NULL;
	case OVSDB_TYPE_STRING:
		if (!json_is_string(json))
			break;
		a->string = str_new(json_string_value(json));
		return NULL;
	case OVSDB_TYPE_UUID: {
		if (!json_is_array(json) || json_array_size(json) != 2)
			break;
		const char *tag = json_string_value(json_array_get(json, 0));
		const char *s = json_string_value(json_array_get(json, 1));
		if (!tag || !s)
			break;
		if (!strcmp(tag, "uuid")) {
			if (!uuid_from_string(&a->uuid, s))
				return ovsdb_error("syntax error", "\"%s\" is not a valid UUID", s);
			return NULL;
		}
		if (!strcmp(tag, "named-uuid")) {
			struct ovsdb_symbol *sym = symtab ? ovsdb_symtab_insert(symtab, s) : NULL;
			if (!sym)
				return ovsdb_error("syntax error", "named-uuid \"%s\" is not allowed here", s);
			sym->used = true;
			a->uuid = sym->uuid;
			return NULL;
		}
		break;
	}
	case OVSDB_TYPE_VOID:
		break;
	}
	char *txt = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
	json_t *err = ovsdb_error("syntax error", "expected %s, got %s", ovsdb_atype_name(base->type),
				  txt ? txt : "?");
	free(txt);
	return err;
}

json_t *ovsdb_atom_to_json(const union ovsdb_atom *a, enum ovsdb_atype t)
{
	switch (t) {
	case OVSDB_TYPE_INTEGER:
		return json_integer(a->integer);
	case OVSDB_TYPE_REAL:
		return json_real(a->real);
	case OVSDB_TYPE_BOOLEAN:
		return json_boolean(a->boolean);
	case OVSDB_TYPE_STRING:
		return json_string(a->string);
	case OVSDB_TYPE_UUID: {
		char buf[UUID_LEN + 1];
		uuid_to_string(&a->uuid, buf);
		return json_pack("[ss]", "uuid", buf);
	}
	case OVSDB_TYPE_VOID:
		break;
	}
	return json_null();
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

json_t *ovsdb_atom_check_constraints(const union ovsdb_atom *a, const struct ovsdb_base_type *b)
{
	if (b->enum_ && ovsdb_datum_find_key(b->enum_, a, b->type) < 0) {
		json_t *j = ovsdb_atom_to_json(a, b->type);
		char *txt = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		json_t *err = ovsdb_error("constraint violation", "%s is not one of the allowed values",
					  txt ? txt : "?");
		free(txt);
		json_decref(j);
		return err;
	}
	switch (b->type) {
	case OVSDB_TYPE_INTEGER:
		if (a->integer < b->min_int || a->integer > b->max_int)
			return ovsdb_error("constraint violation", "%lld is not in the valid range %lld to %lld (inclusive)",
					   (long long)a->integer, (long long)b->min_int, (long long)b->max_int);
		break;
	case OVSDB_TYPE_REAL:
		if (a->real < b->min_real || a->real > b->max_real)
			return ovsdb_error("constraint violation", "%.*g is not in the valid range %.*g to %.*g (inclusive)",
					   17, a->real, 17, b->min_real, 17, b->max_real);
		break;
	case OVSDB_TYPE_STRING: {
		/* No length constraint (most columns): nothing to count.  No string reaches
		 * UINT32_MAX characters: a message is far smaller. */
		if (!b->min_len && b->max_len == UINT32_MAX)
			break;
		size_t n = utf8_chars(a->string);
		if (n < b->min_len || n > b->max_len)
			return ovsdb_error("constraint violation", "\"%s\" length %zu is not between %u and %u",
					   a->string, n, b->min_len, b->max_len);
		break;
	}
	default:
		break;
	}
	return NULL;
}

/* ---- datums ---- */

void ovsdb_datum_init_empty(struct ovsdb_datum *d)
{
	d->n = 0;
	d->one = false;
	d->keys = d->values = NULL;
}

static void datum_alloc(struct ovsdb_datum *d, uint32_t n, bool map)
{
	d->n = n;
	d->one = n == 1;
	if (d->one) {
		d->keys = one_get();
		d->values = map ? one_get() : NULL;
		return;
	}
	d->keys = n ? malloc(n * sizeof *d->keys) : NULL;
	d->values = n && map ? malloc(n * sizeof *d->values) : NULL;
	if (n && (!d->keys || (map && !d->values)))
		abort();
}

/* Frees the arrays (not the atoms' strings), wherever they came from. */
static void datum_free_arrays(struct ovsdb_datum *d)
{
	if (d->one) {
		one_put(d->keys);
		one_put(d->values);
	} else {
		free(d->keys);
		free(d->values);
	}
	d->one = false;
}

void ovsdb_datum_init_default(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
	if (!type->n_min) {
		ovsdb_datum_init_empty(d);
		return;
	}
	datum_alloc(d, 1, ovsdb_type_is_map(type));
	ovsdb_atom_init_default(&d->keys[0], type->key.type);
	if (d->values)
		ovsdb_atom_init_default(&d->values[0], type->value.type);
}

/* As comparing with ovsdb_atom_init_default()'s atom, without building one: this runs for
 * every column of every row written to the journal. */
static bool atom_is_default(const union ovsdb_atom *a, enum ovsdb_atype t)
{
	static const union ovsdb_atom zero;
	union ovsdb_atom def = zero;
	if (t == OVSDB_TYPE_STRING)
		def.string = (char *)"";
	return !ovsdb_atom_compare(a, &def, t);
}

bool ovsdb_datum_is_default(const struct ovsdb_datum *d, const struct ovsdb_type *type)
{
	if (!type->n_min)
		return d->n == 0;
	if (d->n != 1)
		return false;
	bool eq = atom_is_default(&d->keys[0], type->key.type);
	if (eq && d->values)
		eq = atom_is_default(&d->values[0], type->value.type);
	return eq;
}

void ovsdb_datum_destroy(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
	if (type->key.type == OVSDB_TYPE_STRING)
		for (uint32_t i = 0; i < d->n; i++)
			str_free(d->keys[i].string);
	if (d->values && type->value.type == OVSDB_TYPE_STRING)
		for (uint32_t i = 0; i < d->n; i++)
			str_free(d->values[i].string);
	datum_free_arrays(d);
	ovsdb_datum_init_empty(d);
}

void ovsdb_datum_clone(struct ovsdb_datum *dst, const struct ovsdb_datum *src,
		       const struct ovsdb_type *type)
{
	datum_alloc(dst, src->n, src->values != NULL);
	for (uint32_t i = 0; i < src->n; i++) {
		ovsdb_atom_clone(&dst->keys[i], &src->keys[i], type->key.type);
		if (src->values)
			ovsdb_atom_clone(&dst->values[i], &src->values[i], type->value.type);
	}
}

void ovsdb_datum_swap(struct ovsdb_datum *a, struct ovsdb_datum *b)
{
	struct ovsdb_datum t = *a;
	*a = *b;
	*b = t;
}

struct sort_ctx {
	const struct ovsdb_datum *d;
	enum ovsdb_atype t;
};

static int sort_cmp(const void *a, const void *b, void *ctx_)
{
	const struct sort_ctx *ctx = ctx_;
	return ovsdb_atom_compare(&ctx->d->keys[*(const uint32_t *)a], &ctx->d->keys[*(const uint32_t *)b], ctx->t);
}

json_t *ovsdb_datum_sort(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
	if (d->n < 2)
		return NULL;
	bool sorted = true;
	for (uint32_t i = 1; i < d->n && sorted; i++)
		sorted = ovsdb_atom_compare(&d->keys[i - 1], &d->keys[i], type->key.type) < 0;
	if (!sorted) {
		uint32_t *idx = malloc(d->n * sizeof *idx);
		union ovsdb_atom *k = malloc(d->n * sizeof *k);
		union ovsdb_atom *v = d->values ? malloc(d->n * sizeof *v) : NULL;
		if (!idx || !k || (d->values && !v))
			abort();
		for (uint32_t i = 0; i < d->n; i++)
			idx[i] = i;
		struct sort_ctx ctx = { d, type->key.type };
		qsort_r(idx, d->n, sizeof *idx, sort_cmp, &ctx);
		for (uint32_t i = 0; i < d->n; i++) {
			k[i] = d->keys[idx[i]];
			if (v)
				v[i] = d->values[idx[i]];
		}
		free(idx);
		datum_free_arrays(d);
		d->keys = k;
		d->values = v;
	}
	for (uint32_t i = 1; i < d->n; i++)
		if (!ovsdb_atom_compare(&d->keys[i - 1], &d->keys[i], type->key.type))
			return ovsdb_error("ovsdb error", "map or set contains duplicate key");
	return NULL;
}

json_t *ovsdb_datum_check_constraints(const struct ovsdb_datum *d, const struct ovsdb_type *type)
{
	if (d->n < type->n_min || d->n > type->n_max) {
		if (type->n_max == OVSDB_N_UNLIMITED)
			return ovsdb_error("constraint violation", "set must have at least %u members but %u are present",
					   type->n_min, d->n);
		return ovsdb_error("constraint violation", "set must have %u to %u members but %u are present",
				   type->n_min, type->n_max, d->n);
	}
	json_t *err;
	for (uint32_t i = 0; i < d->n; i++) {
		if ((err = ovsdb_atom_check_constraints(&d->keys[i], &type->key)))
			return err;
		if (d->values && (err = ovsdb_atom_check_constraints(&d->values[i], &type->value)))
			return err;
	}
	return NULL;
}

static json_t *datum_parse(struct ovsdb_datum *d, const struct ovsdb_type *type, const json_t *json,
			   struct ovsdb_symtab *symtab)
{
	bool map = ovsdb_type_is_map(type);
	const char *tag = json_is_array(json) && json_array_size(json) == 2
				  ? json_string_value(json_array_get(json, 0)) : NULL;
	json_t *err = NULL;
	ovsdb_datum_init_empty(d);
	if (map) {
		if (!tag || strcmp(tag, "map") || !json_is_array(json_array_get(json, 1)))
			return ovsdb_error("syntax error", "expected [\"map\", [[key, value], ...]]");
		const json_t *pairs = json_array_get(json, 1);
		datum_alloc(d, (uint32_t)json_array_size(pairs), true);
		for (uint32_t i = 0; i < d->n; i++) {
			const json_t *p = json_array_get(pairs, i);
			if (!json_is_array(p) || json_array_size(p) != 2) {
				d->n = i;
				err = ovsdb_error("syntax error", "map pair must be [key, value]");
				goto fail;
			}
			if ((err = ovsdb_atom_from_json(&d->keys[i], &type->key, json_array_get(p, 0), symtab))) {
				d->n = i;
				goto fail;
			}
			if ((err = ovsdb_atom_from_json(&d->values[i], &type->value, json_array_get(p, 1), symtab))) {
				ovsdb_atom_destroy(&d->keys[i], type->key.type);
				d->n = i;
				goto fail;
			}
		}
	} else if (tag && !strcmp(tag, "set")) {
		const json_t *elems = json_array_get(json, 1);
		if (!json_is_array(elems))
			return ovsdb_error("syntax error", "expected [\"set\", [...]]");
		datum_alloc(d, (uint32_t)json_array_size(elems), false);
		for (uint32_t i = 0; i < d->n; i++) {
			if ((err = ovsdb_atom_from_json(&d->keys[i], &type->key, json_array_get(elems, i), symtab))) {
				d->n = i;
				goto fail;
			}
		}
	} else {
		datum_alloc(d, 1, false);
		if ((err = ovsdb_atom_from_json(&d->keys[0], &type->key, json, symtab))) {
			d->n = 0;
			goto fail;
		}
	}
	if ((err = ovsdb_datum_sort(d, type)))
		goto fail;
	return NULL;
fail:
	ovsdb_datum_destroy(d, type);
	return err;
}

json_t *ovsdb_datum_from_json_any_size(struct ovsdb_datum *d, const struct ovsdb_type *type,
				       const json_t *json, struct ovsdb_symtab *symtab)
{
	json_t *err = datum_parse(d, type, json, symtab);
	if (err)
		return err;
	for (uint32_t i = 0; i < d->n; i++) {
		if ((err = ovsdb_atom_check_constraints(&d->keys[i], &type->key)) ||
		    (d->values && (err = ovsdb_atom_check_constraints(&d->values[i], &type->value)))) {
			ovsdb_datum_destroy(d, type);
			return err;
		}
	}
	return NULL;
}

json_t *ovsdb_datum_from_json(struct ovsdb_datum *d, const struct ovsdb_type *type,
			      const json_t *json, struct ovsdb_symtab *symtab)
{
	json_t *err = datum_parse(d, type, json, symtab);
	if (err)
		return err;
	if ((err = ovsdb_datum_check_constraints(d, type))) {
		ovsdb_datum_destroy(d, type);
		return err;
	}
	return NULL;
}

json_t *ovsdb_datum_to_json(const struct ovsdb_datum *d, const struct ovsdb_type *type)
{
	if (ovsdb_type_is_map(type)) {
		json_t *pairs = json_array();
		for (uint32_t i = 0; i < d->n; i++)
			json_array_append_new(pairs, json_pack("[oo]", ovsdb_atom_to_json(&d->keys[i], type->key.type),
							       ovsdb_atom_to_json(&d->values[i], type->value.type)));
		return json_pack("[so]", "map", pairs);
	}
	if (d->n == 1)
		return ovsdb_atom_to_json(&d->keys[0], type->key.type);
	json_t *elems = json_array();
	for (uint32_t i = 0; i < d->n; i++)
		json_array_append_new(elems, ovsdb_atom_to_json(&d->keys[i], type->key.type));
	return json_pack("[so]", "set", elems);
}

int ovsdb_datum_compare(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
			const struct ovsdb_type *type)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (uint32_t i = 0; i < a->n; i++) {
		int c = ovsdb_atom_compare(&a->keys[i], &b->keys[i], type->key.type);
		if (c)
			return c;
	}
	if (a->values && b->values) {
		for (uint32_t i = 0; i < a->n; i++) {
			int c = ovsdb_atom_compare(&a->values[i], &b->values[i], type->value.type);
			if (c)
				return c;
		}
	}
	return 0;
}

uint32_t ovsdb_datum_hash(const struct ovsdb_datum *d, const struct ovsdb_type *type, uint32_t basis)
{
	for (uint32_t i = 0; i < d->n; i++) {
		basis = ovsdb_atom_hash(&d->keys[i], type->key.type, basis);
		if (d->values)
			basis = ovsdb_atom_hash(&d->values[i], type->value.type, basis);
	}
	return hash_add(basis, d->n);
}

long ovsdb_datum_find_key(const struct ovsdb_datum *d, const union ovsdb_atom *key,
			  enum ovsdb_atype key_type)
{
	uint32_t lo = 0, hi = d->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = ovsdb_atom_compare(key, &d->keys[mid], key_type);
		if (!c)
			return mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static bool has_element(const struct ovsdb_datum *a, const struct ovsdb_datum *b, uint32_t i,
			const struct ovsdb_type *type)
{
	long j = ovsdb_datum_find_key(a, &b->keys[i], type->key.type);
	if (j < 0)
		return false;
	if (a->values && b->values)
		return !ovsdb_atom_compare(&a->values[j], &b->values[i], type->value.type);
	return true;
}

bool ovsdb_datum_includes_all(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
			      const struct ovsdb_type *type)
{
	for (uint32_t i = 0; i < b->n; i++)
		if (!has_element(a, b, i, type))
			return false;
	return true;
}

bool ovsdb_datum_excludes_all(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
			      const struct ovsdb_type *type)
{
	for (uint32_t i = 0; i < b->n; i++)
		if (has_element(a, b, i, type))
			return false;
	return true;
}

int ovsdb_datum_union(struct ovsdb_datum *a, const struct ovsdb_datum *b, const struct ovsdb_type *type)
{
	uint32_t n_new = 0;
	for (uint32_t i = 0; i < b->n; i++)
		n_new += ovsdb_datum_find_key(a, &b->keys[i], type->key.type) < 0;
	if (!n_new)
		return 0;
	bool map = ovsdb_type_is_map(type);
	if (a->one) {
		/* A pool block cannot grow: move its atom (and value) to malloc'd arrays. */
		union ovsdb_atom *k1 = malloc(sizeof *k1), *v1 = map ? malloc(sizeof *v1) : NULL;
		if (!k1 || (map && !v1)) {
			free(k1);
			free(v1);
			return -ENOMEM;
		}
		if (a->n) {
			*k1 = a->keys[0];
			if (map)
				*v1 = a->values[0];
		}
		datum_free_arrays(a);
		a->keys = k1;
		a->values = v1;
	}
	union ovsdb_atom *k = realloc(a->keys, (a->n + n_new) * sizeof *k);
	if (!k)
		return -ENOMEM;
	a->keys = k;
	if (map) {
		union ovsdb_atom *v = realloc(a->values, (a->n + n_new) * sizeof *v);
		if (!v)
			return -ENOMEM;
		a->values = v;
	}
	uint32_t n = a->n;
	for (uint32_t i = 0; i < b->n; i++) {
		/* Look only among a's original elements: b is itself unique. */
		struct ovsdb_datum orig = { .n = n, .keys = a->keys, .values = a->values };
		if (ovsdb_datum_find_key(&orig, &b->keys[i], type->key.type) >= 0)
			continue;
		ovsdb_atom_clone(&a->keys[a->n], &b->keys[i], type->key.type);
		if (map)
			ovsdb_atom_clone(&a->values[a->n], &b->values[i], type->value.type);
		a->n++;
	}
	json_t *err = ovsdb_datum_sort(a, type);
	json_decref(err); /* cannot happen: only missing keys were added */
	return 0;
}

void ovsdb_datum_remove(struct ovsdb_datum *d, uint32_t i, const struct ovsdb_type *type)
{
	ovsdb_atom_destroy(&d->keys[i], type->key.type);
	memmove(&d->keys[i], &d->keys[i + 1], (d->n - i - 1) * sizeof *d->keys);
	if (d->values) {
		ovsdb_atom_destroy(&d->values[i], type->value.type);
		memmove(&d->values[i], &d->values[i + 1], (d->n - i - 1) * sizeof *d->values);
	}
	d->n--;
}

void ovsdb_datum_subtract(struct ovsdb_datum *a, const struct ovsdb_datum *b,
			  const struct ovsdb_type *type, bool keys_only)
{
	for (uint32_t i = 0; i < b->n; i++) {
		long j = ovsdb_datum_find_key(a, &b->keys[i], type->key.type);
		if (j < 0)
			continue;
		if (!keys_only && a->values && b->values &&
		    ovsdb_atom_compare(&a->values[j], &b->values[i], type->value.type))
			continue;
		ovsdb_datum_remove(a, (uint32_t)j, type);
	}
}

json_t *ovsdb_datum_diff_to_json(const struct ovsdb_datum *old, const struct ovsdb_datum *new_,
				 const struct ovsdb_type *type)
{
	if (ovsdb_type_is_scalar(type))
		return ovsdb_datum_to_json(new_, type);
	bool map = ovsdb_type_is_map(type);
	json_t *elems = json_array();
	/* Merge walk over two sorted key arrays. */
	uint32_t i = 0, j = 0;
	while (i < old->n || j < new_->n) {
		int c = i >= old->n ? 1 : j >= new_->n ? -1
			: ovsdb_atom_compare(&old->keys[i], &new_->keys[j], type->key.type);
		if (c < 0) {
			json_array_append_new(elems, map ? json_pack("[oo]", ovsdb_atom_to_json(&old->keys[i], type->key.type),
								     ovsdb_atom_to_json(&old->values[i], type->value.type))
							 : ovsdb_atom_to_json(&old->keys[i], type->key.type));
			i++;
		} else if (c > 0) {
			json_array_append_new(elems, map ? json_pack("[oo]", ovsdb_atom_to_json(&new_->keys[j], type->key.type),
								     ovsdb_atom_to_json(&new_->values[j], type->value.type))
							 : ovsdb_atom_to_json(&new_->keys[j], type->key.type));
			j++;
		} else {
			if (map && ovsdb_atom_compare(&old->values[i], &new_->values[j], type->value.type))
				json_array_append_new(elems, json_pack("[oo]", ovsdb_atom_to_json(&new_->keys[j], type->key.type),
								       ovsdb_atom_to_json(&new_->values[j], type->value.type)));
			i++;
			j++;
		}
	}
	if (!map && json_array_size(elems) == 1) {
		json_t *one = json_incref(json_array_get(elems, 0));
		json_decref(elems);
		return one;
	}
	return json_pack("[so]", map ? "map" : "set", elems);
}
