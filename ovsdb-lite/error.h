/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* OVSDB errors as RFC 7047 puts them on the wire: {"error": "<tag>", "details": "..."}.
 * Functions that can fail for a reason a client must see return a new error object (or
 * NULL on success), the way OVS's ovsdb/ code returns 'struct ovsdb_error *'. */

#include <jansson.h>

/* Returns a new {"error": tag, "details": printf(fmt, ...)} object; fmt may be NULL. */
json_t *ovsdb_error(const char *tag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The tag ("constraint violation", ...) of an error object, or "" if it has none. */
const char *ovsdb_error_tag(const json_t *error);
/* Prefixes the error's details with "prefix: ". */
void ovsdb_error_prefix(json_t *error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
