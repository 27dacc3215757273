/* SPDX-License-Identifier: Apache-2.0 */
/* Schema parsing and column types (RFC 7047 3.2): what is accepted, what is refused and
 * why, and the derived facts (implicit columns, isRoot default, references, indexes). */
#include "helpers.h"

static struct ovsdb_schema *parse(const char *text, json_t **err)
{
	json_t *j = J(text);
	*err = NULL;
	struct ovsdb_schema *s = ovsdb_schema_from_json(j, err);
	json_decref(j);
	return s;
}

static void test_schema_parses_types(void **state)
{
	json_t *err;
	struct ovsdb_schema *s = parse(TEST_SCHEMA, &err);
	assert_non_null(s);
	assert_string_equal(s->name, "t");
	assert_string_equal(s->version, "1.0.0");
	assert_int_equal(s->n_tables, 3);
	const struct ovsdb_table_schema *host = ovsdb_schema_find_table(s, "Host");
	assert_non_null(host);
	assert_true(host->is_root);
	assert_int_equal(host->n_cols, 2 + 7);
	assert_string_equal(host->cols[OVSDB_COL_UUID].name, "_uuid");
	assert_string_equal(host->cols[OVSDB_COL_VERSION].name, "_version");
	const struct ovsdb_column *gen = ovsdb_table_schema_find_column(host, "gen");
	assert_int_equal(gen->type.key.type, OVSDB_TYPE_INTEGER);
	assert_int_equal(gen->type.key.min_int, 0);
	assert_int_equal(gen->type.key.max_int, 1000);
	assert_true(ovsdb_type_is_scalar(&gen->type));
	const struct ovsdb_column *ports = ovsdb_table_schema_find_column(host, "ports");
	assert_true(ovsdb_type_is_set(&ports->type));
	assert_int_equal(ports->type.n_max, OVSDB_N_UNLIMITED);
	assert_ptr_equal(ports->type.key.ref_table, ovsdb_schema_find_table(s, "Port"));
	assert_int_equal(ports->type.key.ref_type, OVSDB_REF_STRONG);
	assert_true(host->has_strong_refs);
	const struct ovsdb_column *tags = ovsdb_table_schema_find_column(host, "tags");
	assert_true(ovsdb_type_is_map(&tags->type));
	assert_int_equal(host->n_indexes, 1);
	assert_int_equal(host->indexes[0].cols[0], ovsdb_table_schema_find_column(host, "name")->idx);
	const struct ovsdb_table_schema *port = ovsdb_schema_find_table(s, "Port");
	assert_false(port->is_root);
	assert_true(port->has_weak_refs);
	const struct ovsdb_column *mode = ovsdb_table_schema_find_column(port, "mode");
	assert_non_null(mode->type.key.enum_);
	assert_int_equal(mode->type.key.enum_->n, 2);
	const struct ovsdb_table_schema *site = ovsdb_schema_find_table(s, "Site");
	assert_int_equal(site->max_rows, 2);
	assert_false(ovsdb_table_schema_find_column(site, "name")->mutable_);
	ovsdb_schema_destroy(s);
}

static void test_schema_root_default(void **state)
{
	/* No table says isRoot: all are roots (pre-GC schemas keep their rows). */
	json_t *err;
	struct ovsdb_schema *s = parse("{\"name\":\"x\",\"tables\":{\"A\":{\"columns\":{\"c\":{\"type\":\"integer\"}}},"
				       "\"B\":{\"columns\":{\"c\":{\"type\":\"integer\"}}}}}", &err);
	assert_non_null(s);
	assert_true(s->tables[0].is_root && s->tables[1].is_root);
	assert_null(s->version);
	ovsdb_schema_destroy(s);
}

static void expect_invalid(const char *text, const char *needle)
{
	json_t *err;
	struct ovsdb_schema *s = parse(text, &err);
	if (s)
		fail_msg("accepted an invalid schema: %s", text);
	const char *details = json_string_value(json_object_get(err, "details"));
	assert_string_equal(ovsdb_error_tag(err), "syntax error");
	if (!details || !strstr(details, needle))
		fail_msg("details \"%s\" lack \"%s\"", details ? details : "", needle);
	json_decref(err);
}

static void test_schema_rejects(void **state)
{
	expect_invalid("{\"name\":\"x\",\"tables\":{\"A\":{\"columns\":{\"c\":{\"type\":\"int\"}}}}}", "unknown atomic type");
	expect_invalid("{\"name\":\"x\",\"tables\":{\"A\":{\"columns\":{\"c\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"Nope\"}}}}}}}",
		       "undefined table");
	expect_invalid("{\"name\":\"x\",\"version\":\"1.2\",\"tables\":{\"A\":{\"columns\":{\"c\":{\"type\":\"integer\"}}}}}", "x.y.z");
	expect_invalid("{\"name\":\"x\",\"tables\":{\"A\":{\"columns\":{\"_c\":{\"type\":\"integer\"}}}}}", "not a valid column name");
	expect_invalid("{\"name\":\"x\",\"tables\":{\"A\":{\"columns\":{\"c\":{\"type\":{\"key\":\"integer\",\"min\":2}}}}}}", "\"min\"");
	expect_invalid("{\"name\":\"x\",\"tables\":{\"A\":{\"columns\":{\"c\":{\"type\":{\"key\":{\"type\":\"integer\",\"minInteger\":5,\"maxInteger\":1}}}}}}}",
		       "minInteger exceeds");
	expect_invalid("{\"name\":\"x\",\"tables\":{\"A\":{\"columns\":{\"c\":{\"type\":\"integer\"}},\"indexes\":[[\"d\"]]}}}", "unknown column");
	expect_invalid("{\"name\":\"x\",\"tables\":{\"A\":{\"columns\":{\"c\":{\"type\":\"integer\",\"bogus\":1}}}}}", "column \"c\"");
	expect_invalid("{\"name\":\"x\",\"tables\":{\"A\":{\"columns\":{}}}}", "at least one column");
	expect_invalid("{\"name\":\"x\",\"tables\":{\"A\":{\"columns\":{\"c\":{\"type\":{\"key\":{\"type\":\"string\",\"enum\":[\"set\",[1]]}}}}}}}",
		       "enum");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_parses_types),
		cmocka_unit_test(test_schema_root_default),
		cmocka_unit_test(test_schema_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
