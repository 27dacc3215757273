/* SPDX-License-Identifier: Apache-2.0 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

json_t *ovsdb_error(const char *tag, const char *fmt, ...)
{
	json_t *e = json_object();
	if (!e)
		return NULL;
	json_object_set_new(e, "error", json_string(tag));
	if (fmt) {
		char *s = NULL;
		va_list ap;
		va_start(ap, fmt);
		if (vasprintf(&s, fmt, ap) >= 0) {
			json_object_set_new(e, "details", json_string(s));
			free(s);
		}
		va_end(ap);
	}
	return e;
}

const char *ovsdb_error_tag(const json_t *error)
{
	const char *tag = json_string_value(json_object_get(error, "error"));
	return tag ? tag : "";
}

void ovsdb_error_prefix(json_t *error, const char *fmt, ...)
{
	char *prefix = NULL, *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&prefix, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	const char *old = json_string_value(json_object_get(error, "details"));
	if (asprintf(&s, "%s: %s", prefix, old ? old : "") >= 0) {
		json_object_set_new(error, "details", json_string(s));
		free(s);
	}
	free(prefix);
}
