/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Writes JSON text straight from datums, without building jansson objects first.  Used on
 * the commit path (journal records), where building and dumping a jansson tree per
 * transaction cost more than executing the transaction. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "datum.h"

struct json_text {
	char *buf;
	size_t len, cap;
};

void json_text_init(struct json_text *t);
void json_text_destroy(struct json_text *t);
void json_text_reserve_(struct json_text *t, size_t n);
static inline void json_text_raw(struct json_text *t, const char *s, size_t n)
{
	if (t->len + n > t->cap)
		json_text_reserve_(t, n);
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}
static inline void json_text_char(struct json_text *t, char c)
{
	if (t->len + 1 > t->cap)
		json_text_reserve_(t, 1);
	t->buf[t->len++] = c;
}
/* A JSON string with the escapes RFC 8259 requires; UTF-8 passes through. */
void json_text_string(struct json_text *t, const char *s);
void json_text_int(struct json_text *t, int64_t v);
void json_text_atom(struct json_text *t, const union ovsdb_atom *a, enum ovsdb_atype type);
/* Any jansson value, compact (jansson's own dump is several times slower). */
void json_text_json(struct json_text *t, const json_t *j);
/* The datum in RFC 7047 <value> form, as ovsdb_datum_to_json() would give it. */
void json_text_datum(struct json_text *t, const struct ovsdb_datum *d, const struct ovsdb_type *type);
