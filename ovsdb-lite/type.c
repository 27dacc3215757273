/* SPDX-License-Identifier: Apache-2.0 */
#include "type.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "datum.h"
#include "error.h"

static const char *const atype_names[] = {
	[OVSDB_TYPE_VOID] = "void",
	[OVSDB_TYPE_INTEGER] = "integer",
	[OVSDB_TYPE_REAL] = "real",
	[OVSDB_TYPE_BOOLEAN] = "boolean",
	[OVSDB_TYPE_STRING] = "string",
	[OVSDB_TYPE_UUID] = "uuid",
};

const char *ovsdb_atype_name(enum ovsdb_atype t)
{
	return t <= OVSDB_TYPE_UUID ? atype_names[t] : "?";
}

bool ovsdb_atype_from_string(const char *s, enum ovsdb_atype *out)
{
	for (enum ovsdb_atype t = OVSDB_TYPE_INTEGER; t <= OVSDB_TYPE_UUID; t++) {
		if (!strcmp(s, atype_names[t])) {
			*out = t;
			return true;
		}
	}
	return false;
}

static void base_init(struct ovsdb_base_type *b, enum ovsdb_atype t)
{
	memset(b, 0, sizeof *b);
	b->type = t;
	b->min_int = INT64_MIN;
	b->max_int = INT64_MAX;
	b->min_real = -INFINITY;
	b->max_real = INFINITY;
	b->min_len = 0;
	b->max_len = UINT32_MAX;
}

static void base_destroy(struct ovsdb_base_type *b)
{
	if (b->enum_) {
		struct ovsdb_type et = { .n_min = 0, .n_max = OVSDB_N_UNLIMITED };
		base_init(&et.key, b->type);
		et.value.type = OVSDB_TYPE_VOID;
		ovsdb_datum_destroy(b->enum_, &et);
		free(b->enum_);
	}
	free(b->ref_table_name);
	base_init(b, OVSDB_TYPE_VOID);
}

static json_t *get_uint(const json_t *obj, const char *key, uint32_t *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v)
		return NULL;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX)
		return ovsdb_error("syntax error", "\"%s\" must be a non-negative integer", key);
	*out = (uint32_t)json_integer_value(v);
	return NULL;
}

static json_t *base_from_json(struct ovsdb_base_type *b, const json_t *json)
{
	enum ovsdb_atype t;
	if (json_is_string(json)) {
		if (!ovsdb_atype_from_string(json_string_value(json), &t))
			return ovsdb_error("syntax error", "unknown atomic type \"%s\"", json_string_value(json));
		base_init(b, t);
		return NULL;
	}
	if (!json_is_object(json))
		return ovsdb_error("syntax error", "base type must be a string or an object");

	const char *key;
	json_t *v;
	json_object_foreach((json_t *)json, key, v) {
		static const char *const known[] = { "type", "enum", "minInteger", "maxInteger",
			"minReal", "maxReal", "minLength", "maxLength", "refTable", "refType" };
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			ok |= !strcmp(key, known[i]);
		if (!ok)
			return ovsdb_error("syntax error", "unknown member \"%s\" in base type", key);
	}
	const char *tname = json_string_value(json_object_get(json, "type"));
	if (!tname || !ovsdb_atype_from_string(tname, &t))
		return ovsdb_error("syntax error", "base type needs a valid \"type\"");
	base_init(b, t);

	json_t *err = NULL;
	const json_t *x;
	if (t == OVSDB_TYPE_INTEGER) {
		if ((x = json_object_get(json, "minInteger"))) {
			if (!json_is_integer(x))
				return ovsdb_error("syntax error", "minInteger must be an integer");
			b->min_int = json_integer_value(x);
		}
		if ((x = json_object_get(json, "maxInteger"))) {
			if (!json_is_integer(x))
				return ovsdb_error("syntax error", "maxInteger must be an integer");
			b->max_int = json_integer_value(x);
		}
		if (b->min_int > b->max_int)
			return ovsdb_error("syntax error", "minInteger exceeds maxInteger");
	} else if (t == OVSDB_TYPE_REAL) {
		if ((x = json_object_get(json, "minReal"))) {
			if (!json_is_number(x))
				return ovsdb_error("syntax error", "minReal must be a number");
			b->min_real = json_number_value(x);
		}
		if ((x = json_object_get(json, "maxReal"))) {
			if (!json_is_number(x))
				return ovsdb_error("syntax error", "maxReal must be a number");
			b->max_real = json_number_value(x);
		}
		if (b->min_real > b->max_real)
			return ovsdb_error("syntax error", "minReal exceeds maxReal");
	} else if (t == OVSDB_TYPE_STRING) {
		if ((err = get_uint(json, "minLength", &b->min_len)) ||
		    (err = get_uint(json, "maxLength", &b->max_len)))
			return err;
		if (b->min_len > b->max_len)
			return ovsdb_error("syntax error", "minLength exceeds maxLength");
	} else if (t == OVSDB_TYPE_UUID) {
		if ((x = json_object_get(json, "refTable"))) {
			if (!json_is_string(x))
				return ovsdb_error("syntax error", "refTable must be a string");
			b->ref_table_name = strdup(json_string_value(x));
			b->ref_type = OVSDB_REF_STRONG;
			const char *rt = json_string_value(json_object_get(json, "refType"));
			if (rt && !strcmp(rt, "weak"))
				b->ref_type = OVSDB_REF_WEAK;
			else if (rt && strcmp(rt, "strong"))
				return ovsdb_error("syntax error", "refType must be \"strong\" or \"weak\"");
		}
	}
	if ((x = json_object_get(json, "enum"))) {
		struct ovsdb_type et = { .n_min = 0, .n_max = OVSDB_N_UNLIMITED };
		et.key = *b;
		et.key.enum_ = NULL;
		et.value.type = OVSDB_TYPE_VOID;
		b->enum_ = calloc(1, sizeof *b->enum_);
		if (!b->enum_)
			return ovsdb_error("resources exhausted", "out of memory");
		err = ovsdb_datum_from_json(b->enum_, &et, x, NULL);
		if (err) {
			free(b->enum_);
			b->enum_ = NULL;
			ovsdb_error_prefix(err, "enum");
			return err;
		}
	}
	return NULL;
}

json_t *ovsdb_type_from_json(struct ovsdb_type *type, const json_t *json)
{
	json_t *err = NULL;
	memset(type, 0, sizeof *type);
	base_init(&type->value, OVSDB_TYPE_VOID);
	type->n_min = type->n_max = 1;
	if (json_is_string(json)) {
		err = base_from_json(&type->key, json);
		goto out;
	}
	if (!json_is_object(json)) {
		err = ovsdb_error("syntax error", "type must be a string or an object");
		goto out;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)json, key, v) {
		if (strcmp(key, "key") && strcmp(key, "value") && strcmp(key, "min") && strcmp(key, "max")) {
			err = ovsdb_error("syntax error", "unknown member \"%s\" in type", key);
			goto out;
		}
	}
	if (!json_object_get(json, "key")) {
		err = ovsdb_error("syntax error", "type object needs \"key\"");
		goto out;
	}
	if ((err = base_from_json(&type->key, json_object_get(json, "key"))))
		goto out;
	if (json_object_get(json, "value") &&
	    (err = base_from_json(&type->value, json_object_get(json, "value"))))
		goto out;
	const json_t *mn = json_object_get(json, "min"), *mx = json_object_get(json, "max");
	if (mn) {
		if (!json_is_integer(mn) || json_integer_value(mn) < 0 || json_integer_value(mn) > 1) {
			err = ovsdb_error("syntax error", "\"min\" must be 0 or 1");
			goto out;
		}
		type->n_min = (uint32_t)json_integer_value(mn);
	}
	if (mx) {
		if (json_is_string(mx) && !strcmp(json_string_value(mx), "unlimited"))
			type->n_max = OVSDB_N_UNLIMITED;
		else if (json_is_integer(mx) && json_integer_value(mx) >= 1 &&
			 json_integer_value(mx) < OVSDB_N_UNLIMITED)
			type->n_max = (uint32_t)json_integer_value(mx);
		else {
			err = ovsdb_error("syntax error", "\"max\" must be a positive integer or \"unlimited\"");
			goto out;
		}
	}
	if (type->n_min > type->n_max)
		err = ovsdb_error("syntax error", "\"min\" exceeds \"max\"");
out:
	if (err)
		ovsdb_type_destroy(type);
	return err;
}

void ovsdb_type_destroy(struct ovsdb_type *type)
{
	base_destroy(&type->key);
	base_destroy(&type->value);
}

void ovsdb_type_init_atomic(struct ovsdb_type *type, enum ovsdb_atype t)
{
	base_init(&type->key, t);
	base_init(&type->value, OVSDB_TYPE_VOID);
	type->n_min = type->n_max = 1;
}

bool ovsdb_type_has_ref(const struct ovsdb_type *t, enum ovsdb_ref_type rt)
{
	return (ovsdb_base_is_ref(&t->key) && t->key.ref_type == rt) ||
	       (ovsdb_base_is_ref(&t->value) && t->value.ref_type == rt);
}
