/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* A JSON parser that builds jansson values, several times faster than json_loadb() for
 * the small messages OVSDB clients send (parsing was the largest cost of a transaction).
 * Strict RFC 8259: UTF-8 is validated, \u escapes (with surrogate pairs) decoded,
 * integers that do not fit in 64 bits are refused as jansson refuses them. */

#include <jansson.h>
#include <stddef.h>

/* Parses exactly one JSON value spanning 'size' bytes (surrounding whitespace allowed).
 * Returns a new reference, or NULL with a reason in 'err' (at least 128 bytes). */
json_t *json_parse(const char *text, size_t size, char *err, size_t err_size);
/* Parses the JSON value that begins 'text' and may be followed by anything: returns it with
 * its length in *used, or NULL as json_parse() does (an incomplete value fails too). */
json_t *json_parse_prefix(const char *text, size_t size, size_t *used, char *err, size_t err_size);
