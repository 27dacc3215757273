/* SPDX-License-Identifier: Apache-2.0 */
#include "json_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void json_text_init(struct json_text *t)
{
	t->buf = NULL;
	t->len = t->cap = 0;
}

void json_text_destroy(struct json_text *t)
{
	free(t->buf);
	json_text_init(t);
}

void json_text_reserve_(struct json_text *t, size_t n)
{
	if (t->len + n <= t->cap)
		return;
	size_t cap = t->cap ? t->cap : 256;
	while (cap < t->len + n)
		cap *= 2;
	char *b = realloc(t->buf, cap);
	if (!b)
		abort(); /* the caller holds a committed transaction it must log */
	t->buf = b;
	t->cap = cap;
}

void json_text_string(struct json_text *t, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	json_text_char(t, '"');
	for (;;) {
		/* Copy the run of bytes that need no escape in one go. */
		const unsigned char *run = p;
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			json_text_raw(t, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		char esc[6] = { '\\', 0 };
		size_t k = 2;
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\t': esc[1] = 't'; break;
		case '\r': esc[1] = 'r'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 0xf];
			k = 6;
		}
		json_text_raw(t, esc, k);
		p++;
	}
	json_text_char(t, '"');
}

void json_text_int(struct json_text *t, int64_t v)
{
	char tmp[24];
	int i = sizeof tmp;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	json_text_raw(t, tmp + i, sizeof tmp - (size_t)i);
}

static void write_real(struct json_text *t, double r)
{
	char tmp[40];
	int n = snprintf(tmp, sizeof tmp, "%.17g", r);
	if (!strpbrk(tmp, ".eEni"))
		n += snprintf(tmp + n, sizeof tmp - (size_t)n, ".0");
	json_text_raw(t, tmp, (size_t)n);
}

void json_text_json(struct json_text *t, const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *v;
		bool first = true;
		json_text_char(t, '{');
		json_object_foreach ((json_t *)j, k, v) {
			if (!first)
				json_text_char(t, ',');
			first = false;
			json_text_string(t, k);
			json_text_char(t, ':');
			json_text_json(t, v);
		}
		json_text_char(t, '}');
		break;
	}
	case JSON_ARRAY:
		json_text_char(t, '[');
		for (size_t i = 0; i < json_array_size(j); i++) {
			if (i)
				json_text_char(t, ',');
			json_text_json(t, json_array_get(j, i));
		}
		json_text_char(t, ']');
		break;
	case JSON_STRING:
		json_text_string(t, json_string_value(j));
		break;
	case JSON_INTEGER:
		json_text_int(t, json_integer_value(j));
		break;
	case JSON_REAL:
		write_real(t, json_real_value(j));
		break;
	case JSON_TRUE:
		json_text_raw(t, "true", 4);
		break;
	case JSON_FALSE:
		json_text_raw(t, "false", 5);
		break;
	case JSON_NULL:
		json_text_raw(t, "null", 4);
		break;
	}
}

void json_text_atom(struct json_text *t, const union ovsdb_atom *a, enum ovsdb_atype type)
{
	switch (type) {
	case OVSDB_TYPE_INTEGER:
		json_text_int(t, a->integer);
		break;
	case OVSDB_TYPE_REAL:
		/* Same form as jansson's: round-trip text, always with a '.' or 'e'. */
		write_real(t, a->real);
		break;
	case OVSDB_TYPE_BOOLEAN:
		if (a->boolean)
			json_text_raw(t, "true", 4);
		else
			json_text_raw(t, "false", 5);
		break;
	case OVSDB_TYPE_STRING:
		json_text_string(t, a->string);
		break;
	case OVSDB_TYPE_UUID: {
		char u[UUID_LEN + 1];
		uuid_to_string(&a->uuid, u);
		json_text_raw(t, "[\"uuid\",\"", 9);
		json_text_raw(t, u, UUID_LEN);
		json_text_raw(t, "\"]", 2);
		break;
	}
	case OVSDB_TYPE_VOID:
		json_text_raw(t, "null", 4);
		break;
	}
}

void json_text_datum(struct json_text *t, const struct ovsdb_datum *d, const struct ovsdb_type *type)
{
	if (ovsdb_type_is_map(type)) {
		json_text_raw(t, "[\"map\",[", 8);
		for (uint32_t i = 0; i < d->n; i++) {
			if (i)
				json_text_char(t, ',');
			json_text_char(t, '[');
			json_text_atom(t, &d->keys[i], type->key.type);
			json_text_char(t, ',');
			json_text_atom(t, &d->values[i], type->value.type);
			json_text_char(t, ']');
		}
		json_text_raw(t, "]]", 2);
		return;
	}
	if (d->n == 1) {
		json_text_atom(t, &d->keys[0], type->key.type);
		return;
	}
	json_text_raw(t, "[\"set\",[", 8);
	for (uint32_t i = 0; i < d->n; i++) {
		if (i)
			json_text_char(t, ',');
		json_text_atom(t, &d->keys[i], type->key.type);
	}
	json_text_raw(t, "]]", 2);
}
