/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl output rendering: aligned tables and stable JSON. */

#include "output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct out_table {
	const struct out_col *cols;
	unsigned n_cols;
	char **cells; /* row-major, n_rows * n_cols */
	unsigned n_rows, cap_rows;
	unsigned next_col; /* of the row being filled */
};

struct out_table *
out_table_create(const struct out_col *cols, unsigned n_cols)
{
	struct out_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cols = cols;
	t->n_cols = n_cols;
	t->next_col = n_cols;
	return t;
}

void
out_table_destroy(struct out_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < (size_t)t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

unsigned
out_table_n_rows(const struct out_table *t)
{
	return t->n_rows;
}

int
out_table_row(struct out_table *t)
{
	if (t->n_rows == t->cap_rows) {
		unsigned cap = t->cap_rows ? t->cap_rows * 2 : 16;
		char **cells = realloc(t->cells, (size_t)cap * t->n_cols * sizeof(*cells));

		if (!cells)
			return -ENOMEM;
		t->cells = cells;
		t->cap_rows = cap;
	}
	memset(&t->cells[(size_t)t->n_rows * t->n_cols], 0, t->n_cols * sizeof(*t->cells));
	t->n_rows++;
	t->next_col = 0;
	return 0;
}

int
out_table_cell(struct out_table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	if (t->n_rows == 0 || t->next_col >= t->n_cols)
		return -EINVAL;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	t->cells[(size_t)(t->n_rows - 1) * t->n_cols + t->next_col++] = s;
	return 0;
}

static const char *
cell(const struct out_table *t, unsigned row, unsigned col)
{
	const char *s = t->cells[(size_t)row * t->n_cols + col];

	return s ? s : "";
}

static void
print_row(const struct out_table *t, const size_t *width, const char *const *text, FILE *f)
{
	for (unsigned c = 0; c < t->n_cols; c++) {
		bool last = c + 1 == t->n_cols;

		if (t->cols[c].right)
			fprintf(f, "%*s", (int)width[c], text[c]);
		else if (last)
			fputs(text[c], f); /* no trailing blanks */
		else
			fprintf(f, "%-*s", (int)width[c], text[c]);
		fputs(last ? "\n" : "  ", f);
	}
}

void
out_table_print(const struct out_table *t, FILE *f)
{
	size_t *width = calloc(t->n_cols, sizeof(*width));
	const char **text = calloc(t->n_cols, sizeof(*text));

	if (!width || !text)
		goto out;
	for (unsigned c = 0; c < t->n_cols; c++) {
		width[c] = strlen(t->cols[c].title);
		for (unsigned r = 0; r < t->n_rows; r++)
			width[c] = width[c] > strlen(cell(t, r, c)) ? width[c] : strlen(cell(t, r, c));
		text[c] = t->cols[c].title;
	}
	print_row(t, width, text, f);
	for (unsigned r = 0; r < t->n_rows; r++) {
		for (unsigned c = 0; c < t->n_cols; c++)
			text[c] = cell(t, r, c);
		print_row(t, width, text, f);
	}
out:
	free(width);
	free(text);
}

void
out_json(const json_t *j, FILE *f)
{
	json_dumpf(j, f, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	fputc('\n', f);
}

/* A small ring so that several values can be formatted in one printf. */
static char *
ring_buf(void)
{
	static char bufs[8][128];
	static unsigned next;

	return bufs[next++ % 8];
}

const char *
out_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	char *buf;

	if (!v || json_is_null(v))
		return "-";
	if (json_is_string(v))
		return json_string_value(v)[0] ? json_string_value(v) : "-";
	buf = ring_buf();
	if (json_is_integer(v))
		snprintf(buf, 128, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, 128, "%.1f", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, 128, "%s", json_is_true(v) ? "yes" : "no");
	else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		snprintf(buf, 128, "%s", s ? s : "?");
		free(s);
	}
	return buf;
}

const char *
out_uint(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	char *buf;

	if (!json_is_integer(v))
		return out_str(obj, key);
	buf = ring_buf();
	snprintf(buf, 128, "%llu", (unsigned long long)json_integer_value(v));
	return buf;
}

static int
cmp_by_key(const void *a, const void *b, void *key)
{
	const char *sa = json_string_value(json_object_get(*(json_t *const *)a, key));
	const char *sb = json_string_value(json_object_get(*(json_t *const *)b, key));

	return strcmp(sa ? sa : "", sb ? sb : "");
}

void
out_sort_by(json_t *array, const char *key)
{
	size_t n = json_array_size(array);
	json_t **items;

	if (n < 2 || !(items = malloc(n * sizeof(*items))))
		return;
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(array, i));
	qsort_r(items, n, sizeof(*items), cmp_by_key, (void *)key);
	json_array_clear(array);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(array, items[i]);
	free(items);
}

static int
cmp_strings(const void *a, const void *b)
{
	const char *sa = json_string_value(*(json_t *const *)a);
	const char *sb = json_string_value(*(json_t *const *)b);

	return strcmp(sa ? sa : "", sb ? sb : "");
}

void
out_sort_strings(json_t *array)
{
	size_t n = json_array_size(array);
	json_t **items;

	if (n < 2 || !(items = malloc(n * sizeof(*items))))
		return;
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(array, i));
	qsort(items, n, sizeof(*items), cmp_strings);
	json_array_clear(array);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(array, items[i]);
	free(items);
}
