/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* dvsctl output: aligned text tables for people, JSON for scripts.  JSON is printed with sorted
 * keys and two-space indentation so the same state always gives the same bytes. */

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#define OUT_N(a) (sizeof(a) / sizeof((a)[0]))

struct out_col {
	const char *title;
	bool right; /* numbers: right-aligned */
};

struct out_table;

/* Returns a new table with 'n_cols' columns (the array must outlive it), or NULL (ENOMEM). */
struct out_table *out_table_create(const struct out_col *cols, unsigned n_cols);
void out_table_destroy(struct out_table *t);
/* Starts a row; then out_table_cell() once per column, in order. */
int out_table_row(struct out_table *t);
int out_table_cell(struct out_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the header and rows, columns padded to their widest cell, two spaces apart. */
void out_table_print(const struct out_table *t, FILE *f);
unsigned out_table_n_rows(const struct out_table *t);

/* Prints 'j' (borrowed) as stable JSON followed by a newline. */
void out_json(const json_t *j, FILE *f);

/* Formatting helpers for cells: the member as text, "-" when absent or null.  Return a
 * pointer to a static buffer (valid until the next call of the same function). */
const char *out_str(const json_t *obj, const char *key);
const char *out_uint(const json_t *obj, const char *key);
/* Sorts an array of objects (in place) by the string member 'key'. */
void out_sort_by(json_t *array, const char *key);
/* Sorts an array of strings (in place). */
void out_sort_strings(json_t *array);
