/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ovsdb-lite/client/wire.c: column types from a schema, canonical datums,
 * update2 diffs as ovsdb-server writes them, and monitor conditions. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb-lite/client/wire.h"

static struct dvs_wire_column
col(const char *name, const char *type_json)
{
	struct dvs_wire_column c;
	json_t *type = json_loads(type_json, JSON_DECODE_ANY, NULL);
	struct dvs_err err = {0};

	assert_non_null(type);
	assert_int_equal(dvs_wire_column_parse(&c, name, type, &err), 0);
	json_decref(type);
	return c;
}

static json_t *
J(const char *s)
{
	json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);

	assert_non_null(j);
	return j;
}

/* Asserts that 'got' (stolen) equals the JSON text 'want'. */
static void
assert_json(json_t *got, const char *want)
{
	json_t *w = J(want);
	char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	if (!got || !json_equal(got, w))
		fail_msg("got %s, want %s", g ? g : "NULL", want);
	free(g);
	json_decref(w);
	json_decref(got);
}

static void
test_wire_column_kinds_and_defaults(void **state)
{
	struct dvs_wire_column a = col("name", "\"string\"");
	struct dvs_wire_column b = col("tag", "{\"key\": {\"type\": \"integer\"}, \"min\": 0, \"max\": 1}");
	struct dvs_wire_column m = col("ids", "{\"key\": \"string\", \"value\": \"string\", \"min\": 0, \"max\": \"unlimited\"}");
	struct dvs_wire_column u = col("ref", "{\"key\": {\"type\": \"uuid\", \"refTable\": \"T\"}}");
	struct dvs_wire_column bad;
	struct dvs_err err = {0};
	json_t *t = J("{\"key\": \"complex\"}");

	assert_int_equal(a.kind, DVS_WIRE_SCALAR);
	assert_json(json_incref(a.dflt), "\"\"");
	assert_int_equal(b.kind, DVS_WIRE_SET);
	assert_json(json_incref(b.dflt), "[\"set\", []]");
	assert_int_equal(m.kind, DVS_WIRE_MAP);
	assert_json(json_incref(m.dflt), "[\"map\", []]");
	assert_int_equal(u.kind, DVS_WIRE_SCALAR);
	assert_json(json_incref(u.dflt), "[\"uuid\", \"00000000-0000-0000-0000-000000000000\"]");
	assert_int_equal(dvs_wire_column_parse(&bad, "x", t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "column x"));
	json_decref(t);
	dvs_wire_column_fini(&a);
	dvs_wire_column_fini(&b);
	dvs_wire_column_fini(&m);
	dvs_wire_column_fini(&u);
}

static void
test_wire_canon_sorts_and_unwraps(void **state)
{
	struct dvs_wire_column s = col("s", "{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}");
	struct dvs_wire_column m = col("m", "{\"key\": \"string\", \"value\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}");
	struct dvs_wire_column x = col("x", "\"integer\"");
	json_t *in;

	assert_json(dvs_wire_canon(&s, in = J("[\"set\", [30, 10, 20]]")), "[\"set\", [10, 20, 30]]");
	json_decref(in);
	assert_json(dvs_wire_canon(&s, in = J("[\"set\", [7]]")), "7");
	json_decref(in);
	assert_json(dvs_wire_canon(&s, in = J("7")), "7");
	json_decref(in);
	assert_json(dvs_wire_canon(&m, in = J("[\"map\", [[\"b\", 2], [\"a\", 1]]]")),
		    "[\"map\", [[\"a\", 1], [\"b\", 2]]]");
	json_decref(in);
	assert_json(dvs_wire_canon(&x, in = J("[\"set\", [5]]")), "5");
	json_decref(in);
	/* A scalar cannot be empty; a map must be a map. */
	assert_null(dvs_wire_canon(&x, in = J("[\"set\", []]")));
	json_decref(in);
	assert_null(dvs_wire_canon(&m, in = J("[\"set\", []]")));
	json_decref(in);
	dvs_wire_column_fini(&s);
	dvs_wire_column_fini(&m);
	dvs_wire_column_fini(&x);
}

static void
test_wire_diff_set_is_symmetric_difference(void **state)
{
	struct dvs_wire_column s = col("trunks", "{\"key\": \"integer\", \"min\": 0, \"max\": 4094}");
	struct dvs_wire_column opt = col("tag", "{\"key\": \"integer\", \"min\": 0, \"max\": 1}");
	json_t *old = J("[\"set\", [10, 20, 30]]"), *d = J("[\"set\", [20, 40]]");

	assert_json(dvs_wire_apply_diff(&s, old, d), "[\"set\", [10, 30, 40]]");
	json_decref(old);
	json_decref(d);
	/* Optional value 10 -> 20: ovsdb-server sends the new value (checked against 3.1). */
	old = J("10");
	d = J("20");
	assert_json(dvs_wire_apply_diff(&opt, old, d), "20");
	json_decref(d);
	/* 10 -> absent: the new (empty) value. */
	d = J("[\"set\", []]");
	assert_json(dvs_wire_apply_diff(&opt, old, d), "[\"set\", []]");
	json_decref(d);
	/* The same changes as a literal reading of the RFC's set rule writes them. */
	d = J("[\"set\", [10, 20]]");
	assert_json(dvs_wire_apply_diff(&opt, old, d), "20");
	json_decref(d);
	d = J("10");
	assert_json(dvs_wire_apply_diff(&opt, old, d), "[\"set\", []]");
	json_decref(d);
	json_decref(old);
	/* none -> 5: both spellings are 5. */
	old = J("[\"set\", []]");
	d = J("5");
	assert_json(dvs_wire_apply_diff(&opt, old, d), "5");
	json_decref(d);
	json_decref(old);
	dvs_wire_column_fini(&s);
	dvs_wire_column_fini(&opt);
}

static void
test_wire_diff_map_and_scalar(void **state)
{
	struct dvs_wire_column m = col("m", "{\"key\": \"string\", \"value\": \"string\", \"min\": 0, \"max\": \"unlimited\"}");
	struct dvs_wire_column x = col("x", "\"string\"");
	json_t *old = J("[\"map\", [[\"a\", \"1\"], [\"b\", \"2\"], [\"c\", \"3\"]]]");
	/* a removed (same value), b changed, d added, c untouched. */
	json_t *d = J("[\"map\", [[\"a\", \"1\"], [\"b\", \"9\"], [\"d\", \"4\"]]]");

	assert_json(dvs_wire_apply_diff(&m, old, d),
		    "[\"map\", [[\"b\", \"9\"], [\"c\", \"3\"], [\"d\", \"4\"]]]");
	json_decref(old);
	json_decref(d);
	old = J("\"old\"");
	d = J("\"new\"");
	assert_json(dvs_wire_apply_diff(&x, old, d), "\"new\"");
	json_decref(old);
	json_decref(d);
	dvs_wire_column_fini(&m);
	dvs_wire_column_fini(&x);
}

static void
test_wire_cond_match_functions(void **state)
{
	struct dvs_wire_column cols[] = {
		col("host", "{\"key\": \"string\", \"min\": 0, \"max\": 1}"),
		col("vni", "\"integer\""),
		col("ips", "{\"key\": \"string\", \"min\": 0, \"max\": \"unlimited\"}"),
		col("ids", "{\"key\": \"string\", \"value\": \"string\", \"min\": 0, \"max\": \"unlimited\"}"),
	};
	json_t *row = J("{\"host\": \"h1\", \"vni\": 100, \"ips\": [\"set\", [\"10.0.0.1\", \"10.0.0.2\"]],"
			" \"ids\": [\"map\", [[\"k\", \"v\"]]]}");
	static const struct {
		const char *where;
		int want;
	} cases[] = {
		{"[]", 1},
		{"[false]", 0},
		{"[true]", 1},
		{"[[\"host\", \"==\", \"h1\"]]", 1},
		{"[[\"host\", \"==\", \"h2\"]]", 0},
		{"[[\"host\", \"==\", \"h2\"], [\"vni\", \">=\", 100]]", 1}, /* any clause */
		{"[[\"host\", \"!=\", \"h1\"]]", 0},
		{"[[\"vni\", \"<\", 100]]", 0},
		{"[[\"vni\", \"<=\", 100]]", 1},
		{"[[\"ips\", \"includes\", \"10.0.0.2\"]]", 1},
		{"[[\"ips\", \"includes\", [\"set\", [\"10.0.0.2\", \"10.0.0.9\"]]]]", 0},
		{"[[\"ips\", \"excludes\", \"10.0.0.9\"]]", 1},
		{"[[\"ips\", \"==\", [\"set\", [\"10.0.0.2\", \"10.0.0.1\"]]]]", 1},
		{"[[\"ids\", \"includes\", [\"map\", [[\"k\", \"v\"]]]]]", 1},
		{"[[\"ids\", \"includes\", [\"map\", [[\"k\", \"w\"]]]]]", 0},
		{"[[\"_uuid\", \"==\", [\"uuid\", \"11111111-2222-3333-4444-555555555555\"]]]", 1},
		{"[[\"nosuch\", \"==\", 1]]", -EINVAL},
		{"[[\"host\", \"~\", \"h1\"]]", -EINVAL},
	};

	for (size_t i = 0; i < DVS_ARRAY_SIZE(cases); i++) {
		json_t *w = J(cases[i].where);
		int r = dvs_wire_cond_match(w, "11111111-2222-3333-4444-555555555555", row, cols, 4);

		if (r != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].where, r, cases[i].want);
		json_decref(w);
	}
	json_decref(row);
	for (size_t i = 0; i < DVS_ARRAY_SIZE(cols); i++)
		dvs_wire_column_fini(&cols[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_column_kinds_and_defaults),
		cmocka_unit_test(test_wire_canon_sorts_and_unwraps),
		cmocka_unit_test(test_wire_diff_set_is_symmetric_difference),
		cmocka_unit_test(test_wire_diff_map_and_scalar),
		cmocka_unit_test(test_wire_cond_match_functions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
