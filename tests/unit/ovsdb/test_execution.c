/* SPDX-License-Identifier: Apache-2.0 */
/* The transact operations (RFC 7047 5.2) against an in-memory database: results, error
 * strings, conditions, mutations, referential integrity, weak references, garbage
 * collection, indexes, maxRows, and the all-or-nothing rule. */
#include "helpers.h"
#include "ovsdb-lite/json_text.h"
#include "ovsdb-lite/uuid.h"

static int setup(void **state)
{
	*state = make_db(TEST_SCHEMA);
	return 0;
}

static int teardown(void **state)
{
	ovsdb_db_destroy(*state);
	return 0;
}

static void test_insert_select(void **state)
{
	struct ovsdb_db *db = *state;
	json_t *r = transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\",\"gen\":3,"
				"\"tags\":[\"map\",[[\"x\",1]]]},\"uuid-name\":\"h\"},"
				"{\"op\":\"select\",\"table\":\"Host\",\"where\":[[\"_uuid\",\"==\",[\"named-uuid\",\"h\"]]],"
				"\"columns\":[\"name\",\"gen\",\"tags\",\"nums\",\"up\"]}]");
	assert_int_equal(json_array_size(r), 2);
	assert_non_null(json_object_get(json_array_get(r, 0), "uuid"));
	assert_json_eq(json_incref(json_object_get(json_array_get(r, 1), "rows")),
		       "[{\"name\":\"a\",\"gen\":3,\"tags\":[\"map\",[[\"x\",1]]],\"nums\":[\"set\",[]],\"up\":false}]");
	json_decref(r);
	assert_int_equal(count_rows(db, "Host", "[]"), 1);
}

static void test_insert_errors(void **state)
{
	struct ovsdb_db *db = *state;
	static const struct {
		const char *ops;
		size_t idx;
		const char *tag;
	} cases[] = {
		{ "[{\"op\":\"insert\",\"table\":\"Nope\",\"row\":{}}]", 0, "unknown table" },
		{ "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"bogus\":1}}]", 0, "unknown column" },
		{ "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"_uuid\":[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]}}]", 0, "constraint violation" },
		{ "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"gen\":1001}}]", 0, "constraint violation" },
		{ "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"gen\":\"x\"}}]", 0, "syntax error" },
		{ "[{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"\"}}]", 0, "constraint violation" },
		{ "[{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"mode\":\"x\"}}]", 0, "constraint violation" },
		{ "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{},\"uuid-name\":\"a\"},"
		  "{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"b\"},\"uuid-name\":\"a\"}]", 1, "duplicate uuid-name" },
		{ "[{\"op\":\"insert\",\"table\":\"Host\"}, {\"op\":\"nope\"}]", 1, "unknown operation" },
		{ "[{\"op\":\"select\",\"table\":\"Host\"}]", 0, "syntax error" },
		{ "[{\"op\":\"select\",\"table\":\"Host\",\"where\":[],\"extra\":1}]", 0, "syntax error" },
		{ "[{\"op\":\"select\",\"table\":\"Host\",\"where\":[],\"columns\":[\"nope\"]}]", 0, "unknown column" },
		{ "[{\"op\":\"abort\"}]", 0, "aborted" },
		{ "[{\"op\":\"assert\",\"lock\":\"L\"}]", 0, "not owner" },
	};
	for (size_t i = 0; i < DVS_ARRAY_SIZE(cases); i++) {
		json_t *r = transact(db, cases[i].ops);
		if (strcmp(result_error(r, cases[i].idx), cases[i].tag))
			fail_msg("case %zu: got %s", i, json_dumps(r, JSON_COMPACT));
		json_decref(r);
	}
	assert_int_equal(count_rows(db, "Host", "[]"), 0);
	test_lock_owned = true;
	json_decref(transact_ok(db, "[{\"op\":\"assert\",\"lock\":\"L\"}]"));
	test_lock_owned = false;
}

static void test_failure_aborts_all(void **state)
{
	struct ovsdb_db *db = *state;
	json_t *r = transact(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\"}},"
			     "{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"gen\":-1}},"
			     "{\"op\":\"comment\",\"comment\":\"x\"}]");
	assert_int_equal(json_array_size(r), 3);
	assert_string_equal(result_error(r, 1), "constraint violation");
	assert_true(json_is_null(json_array_get(r, 2)));
	json_decref(r);
	assert_int_equal(count_rows(db, "Host", "[]"), 0);
	/* A commit-time failure is appended after the operation results. */
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\"}}]"));
	r = transact(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\"}}]");
	assert_int_equal(json_array_size(r), 2);
	assert_string_equal(result_error(r, 1), "constraint violation");
	json_decref(r);
	assert_int_equal(count_rows(db, "Host", "[]"), 1);
}

static void test_conditions(void **state)
{
	struct ovsdb_db *db = *state;
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\",\"gen\":1,\"ratio\":0.5,\"nums\":[\"set\",[1,2]],\"tags\":[\"map\",[[\"k\",1]]]}},"
				"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"b\",\"gen\":2,\"ratio\":1.5,\"nums\":2,\"up\":true}},"
				"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"c\",\"gen\":3,\"ratio\":2.5}}]"));
	assert_int_equal(count_rows(db, "Host", "[[\"gen\",\"<\",2]]"), 1);
	assert_int_equal(count_rows(db, "Host", "[[\"gen\",\"<=\",2]]"), 2);
	assert_int_equal(count_rows(db, "Host", "[[\"gen\",\">\",2]]"), 1);
	assert_int_equal(count_rows(db, "Host", "[[\"gen\",\">=\",2]]"), 2);
	assert_int_equal(count_rows(db, "Host", "[[\"gen\",\"==\",2]]"), 1);
	assert_int_equal(count_rows(db, "Host", "[[\"gen\",\"!=\",2]]"), 2);
	assert_int_equal(count_rows(db, "Host", "[[\"ratio\",\">\",1]]"), 2);
	assert_int_equal(count_rows(db, "Host", "[[\"up\",\"==\",true]]"), 1);
	assert_int_equal(count_rows(db, "Host", "[[\"nums\",\"includes\",2]]"), 2);
	assert_int_equal(count_rows(db, "Host", "[[\"nums\",\"includes\",[\"set\",[1,2]]]]"), 1);
	assert_int_equal(count_rows(db, "Host", "[[\"nums\",\"excludes\",1]]"), 2);
	assert_int_equal(count_rows(db, "Host", "[[\"nums\",\"==\",[\"set\",[]]]]"), 1);
	assert_int_equal(count_rows(db, "Host", "[[\"tags\",\"includes\",[\"map\",[[\"k\",1]]]]]"), 1);
	assert_int_equal(count_rows(db, "Host", "[[\"tags\",\"includes\",[\"map\",[[\"k\",2]]]]]"), 0);
	assert_int_equal(count_rows(db, "Host", "[[\"gen\",\">\",1],[\"gen\",\"<\",3]]"), 1);
	json_t *r = transact(db, "[{\"op\":\"select\",\"table\":\"Host\",\"where\":[[\"name\",\"<\",\"b\"]]}]");
	assert_string_equal(result_error(r, 0), "syntax error");
	json_decref(r);
	r = transact(db, "[{\"op\":\"select\",\"table\":\"Host\",\"where\":[[\"gen\",\"~\",1]]}]");
	assert_string_equal(result_error(r, 0), "unknown operator");
	json_decref(r);
}

static void test_update_mutate_delete(void **state)
{
	struct ovsdb_db *db = *state;
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\",\"gen\":10,\"ratio\":1.0}},"
				"{\"op\":\"insert\",\"table\":\"Site\",\"row\":{\"name\":\"s\"}}]"));
	json_t *r = transact_ok(db, "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[],\"row\":{\"up\":true}},"
				"{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"gen\",\"*=\",3],[\"gen\",\"-=\",5],"
				"[\"gen\",\"/=\",2],[\"gen\",\"%=\",7],[\"ratio\",\"+=\",0.5],"
				"[\"nums\",\"insert\",[\"set\",[4,5]]],[\"tags\",\"insert\",[\"map\",[[\"a\",1],[\"b\",2]]]]]},"
				"{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"nums\",\"delete\",4],"
				"[\"tags\",\"delete\",[\"set\",[\"a\"]]],[\"tags\",\"delete\",[\"map\",[[\"b\",3]]]]]},"
				"{\"op\":\"select\",\"table\":\"Host\",\"where\":[],\"columns\":[\"gen\",\"ratio\",\"up\",\"nums\",\"tags\"]}]");
	assert_json_eq(json_incref(json_array_get(r, 0)), "{\"count\":1}");
	/* (10*3-5)/2 = 12, 12 % 7 = 5 */
	assert_json_eq(json_incref(json_object_get(json_array_get(r, 3), "rows")),
		       "[{\"gen\":5,\"ratio\":1.5,\"up\":true,\"nums\":5,\"tags\":[\"map\",[[\"b\",2]]]}]");
	json_decref(r);
	static const struct {
		const char *ops;
		const char *tag;
	} bad[] = {
		{ "[{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"gen\",\"/=\",0]]}]", "domain error" },
		{ "[{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"gen\",\"+=\",1000]]}]", "constraint violation" },
		{ "[{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"nums\",\"insert\",[\"set\",[1,2,3]]]]}]", "constraint violation" },
		{ "[{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"ratio\",\"%=\",2]]}]", "constraint violation" },
		{ "[{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"name\",\"insert\",\"x\"]]}]", "constraint violation" },
		{ "[{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"gen\",\"^=\",1]]}]", "unknown mutator" },
		{ "[{\"op\":\"mutate\",\"table\":\"Site\",\"where\":[],\"mutations\":[[\"name\",\"insert\",\"x\"]]}]", "constraint violation" },
		{ "[{\"op\":\"update\",\"table\":\"Site\",\"where\":[],\"row\":{\"name\":\"t\"}}]", "constraint violation" },
		{ "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[],\"row\":{\"_version\":[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]}}]", "constraint violation" },
	};
	for (size_t i = 0; i < DVS_ARRAY_SIZE(bad); i++) {
		r = transact(db, bad[i].ops);
		if (strcmp(result_error(r, 0), bad[i].tag))
			fail_msg("case %zu: got %s", i, json_dumps(r, JSON_COMPACT));
		json_decref(r);
	}
	json_t *big = transact(db, "[{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"ratio\",\"*=\",1e308],[\"ratio\",\"*=\",1e308]]}]");
	assert_string_equal(result_error(big, 0), "range error");
	json_decref(big);
	r = transact_ok(db, "[{\"op\":\"delete\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"zz\"]]},"
			"{\"op\":\"delete\",\"table\":\"Host\",\"where\":[]}]");
	assert_json_eq(json_incref(json_array_get(r, 0)), "{\"count\":0}");
	assert_json_eq(json_incref(json_array_get(r, 1)), "{\"count\":1}");
	json_decref(r);
	assert_int_equal(count_rows(db, "Host", "[]"), 0);
}

static void test_refs_and_gc(void **state)
{
	struct ovsdb_db *db = *state;
	/* Port is not a root: an unreferenced port disappears at commit. */
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"lost\"}}]"));
	assert_int_equal(count_rows(db, "Port", "[]"), 0);
	json_t *r = transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"p1\",\"host\":[\"named-uuid\",\"h\"]},\"uuid-name\":\"p\"},"
				"{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"p2\"},\"uuid-name\":\"q\"},"
				"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\",\"ports\":[\"set\",[[\"named-uuid\",\"p\"],[\"named-uuid\",\"q\"]]]},\"uuid-name\":\"h\"},"
				"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"b\",\"ports\":[\"named-uuid\",\"p\"]}}]");
	char p1[64];
	snprintf(p1, sizeof p1, "%s", json_string_value(json_array_get(json_object_get(json_array_get(r, 0), "uuid"), 1)));
	json_decref(r);
	assert_int_equal(count_rows(db, "Port", "[]"), 2);
	/* Deleting a strongly referenced row is refused. */
	char ops[512];
	snprintf(ops, sizeof ops, "[{\"op\":\"delete\",\"table\":\"Port\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]]}]", p1);
	r = transact(db, ops);
	assert_string_equal(result_error(r, 1), "referential integrity violation");
	json_decref(r);
	/* A reference to a row that does not exist is refused. */
	r = transact(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"c\",\"ports\":[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]}}]");
	assert_string_equal(result_error(r, 1), "referential integrity violation");
	json_decref(r);
	/* Deleting host a: p2 loses its only reference and goes; p1 is still held by b and
	 * its weak reference to a is removed. */
	json_decref(transact_ok(db, "[{\"op\":\"delete\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"a\"]]}]"));
	assert_int_equal(count_rows(db, "Port", "[]"), 1);
	assert_int_equal(count_rows(db, "Port", "[[\"host\",\"==\",[\"set\",[]]],[\"name\",\"==\",\"p1\"]]"), 1);
	/* Removing the last reference by mutation collects the port too. */
	snprintf(ops, sizeof ops, "[{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[],\"mutations\":[[\"ports\",\"delete\",[\"uuid\",\"%s\"]]]}]", p1);
	json_decref(transact_ok(db, ops));
	assert_int_equal(count_rows(db, "Port", "[]"), 0);
}

static void test_index_and_max_rows(void **state)
{
	struct ovsdb_db *db = *state;
	json_t *r = transact(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\"}},"
			     "{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\"}}]");
	assert_string_equal(result_error(r, 2), "constraint violation");
	json_decref(r);
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\"}},"
				"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"b\"}}]"));
	/* Swapping two unique names in one transaction is fine: only the result counts. */
	json_decref(transact_ok(db, "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"a\"]],\"row\":{\"name\":\"t\"}},"
				"{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"b\"]],\"row\":{\"name\":\"a\"}},"
				"{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"t\"]],\"row\":{\"name\":\"b\"}}]"));
	r = transact(db, "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"a\"]],\"row\":{\"name\":\"b\"}}]");
	assert_string_equal(result_error(r, 1), "constraint violation");
	json_decref(r);
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Site\",\"row\":{\"name\":\"1\"}},"
				"{\"op\":\"insert\",\"table\":\"Site\",\"row\":{\"name\":\"2\"}}]"));
	r = transact(db, "[{\"op\":\"insert\",\"table\":\"Site\",\"row\":{\"name\":\"3\"}}]");
	assert_string_equal(result_error(r, 1), "constraint violation");
	json_decref(r);
	/* Delete one and insert one in the same transaction stays within maxRows. */
	json_decref(transact_ok(db, "[{\"op\":\"delete\",\"table\":\"Site\",\"where\":[[\"name\",\"==\",\"1\"]]},"
				"{\"op\":\"insert\",\"table\":\"Site\",\"row\":{\"name\":\"3\"}}]"));
	assert_int_equal(count_rows(db, "Site", "[]"), 2);
}

/* "name ==" on an indexed column is a lookup: it must still see what the transaction did
 * (an insert, a rename to the name, a rename away), and apply the other clauses. */
static void test_index_lookup_sees_transaction(void **state)
{
	struct ovsdb_db *db = *state;
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\",\"gen\":1}},"
				"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"b\",\"gen\":2}}]"));
	json_t *r = transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"c\",\"gen\":3}},"
				"{\"op\":\"select\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"c\"]],\"columns\":[\"gen\"]},"
				"{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"a\"]],\"row\":{\"name\":\"z\"}},"
				"{\"op\":\"select\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"a\"]]},"
				"{\"op\":\"select\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"z\"]],\"columns\":[\"gen\"]},"
				"{\"op\":\"select\",\"table\":\"Host\",\"where\":[[\"gen\",\"==\",2],[\"name\",\"==\",\"b\"]],\"columns\":[\"gen\"]},"
				"{\"op\":\"select\",\"table\":\"Host\",\"where\":[[\"gen\",\"==\",1],[\"name\",\"==\",\"b\"]]},"
				"{\"op\":\"delete\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"b\"]]},"
				"{\"op\":\"select\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"b\"]]}]");
	assert_json_eq(json_incref(json_array_get(r, 1)), "{\"rows\":[{\"gen\":3}]}");
	assert_json_eq(json_incref(json_array_get(r, 3)), "{\"rows\":[]}");
	assert_json_eq(json_incref(json_array_get(r, 4)), "{\"rows\":[{\"gen\":1}]}");
	assert_json_eq(json_incref(json_array_get(r, 5)), "{\"rows\":[{\"gen\":2}]}");
	assert_json_eq(json_incref(json_array_get(r, 6)), "{\"rows\":[]}");
	assert_json_eq(json_incref(json_array_get(r, 8)), "{\"rows\":[]}");
	json_decref(r);
	/* Committed: the index follows. */
	assert_int_equal(count_rows(db, "Host", "[[\"name\",\"==\",\"z\"]]"), 1);
	assert_int_equal(count_rows(db, "Host", "[[\"name\",\"==\",\"c\"]]"), 1);
	assert_int_equal(count_rows(db, "Host", "[[\"name\",\"==\",\"a\"]]"), 0);
	assert_int_equal(count_rows(db, "Host", "[[\"name\",\"==\",\"b\"]]"), 0);
}

static void test_wait_commit_comment(void **state)
{
	struct ovsdb_db *db = *state;
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\",\"gen\":1}}]"));
	json_decref(transact_ok(db, "[{\"op\":\"wait\",\"table\":\"Host\",\"where\":[],\"columns\":[\"name\",\"gen\"],"
				"\"until\":\"==\",\"rows\":[{\"name\":\"a\",\"gen\":1}],\"timeout\":0},"
				"{\"op\":\"wait\",\"table\":\"Host\",\"where\":[],\"columns\":[\"gen\"],"
				"\"until\":\"!=\",\"rows\":[{\"gen\":2}],\"timeout\":0},{\"op\":\"comment\",\"comment\":\"ok\"}]"));
	json_t *r = transact(db, "[{\"op\":\"wait\",\"table\":\"Host\",\"where\":[],\"columns\":[\"gen\"],"
			     "\"until\":\"==\",\"rows\":[{\"gen\":2}],\"timeout\":0}]");
	assert_string_equal(result_error(r, 0), "timed out");
	json_decref(r);
	struct ovsdb_exec_result res;
	r = transact_txn(db, "[{\"op\":\"wait\",\"table\":\"Host\",\"where\":[],\"columns\":[\"gen\"],"
			 "\"until\":\"==\",\"rows\":[{\"gen\":2}],\"timeout\":250}]", NULL, &res);
	assert_null(r);
	assert_true(res.must_wait);
	assert_int_equal(res.wait_timeout_ms, 250);
	r = transact_txn(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"d\"}},{\"op\":\"commit\",\"durable\":true}]",
			 NULL, &res);
	assert_true(res.durable);
	assert_json_eq(json_incref(json_array_get(r, 1)), "{}");
	json_decref(r);
	r = transact(db, "[{\"op\":\"commit\",\"durable\":\"yes\"}]");
	assert_string_equal(result_error(r, 0), "syntax error");
	json_decref(r);
}

/* 'buf' with every uuid's text replaced by 'U' (two databases never draw the same). */
static char *mask_uuids(const char *buf, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	for (size_t i = 0; i < len;) {
		struct uuid u;
		char tmp[UUID_LEN + 1];
		if (len - i >= UUID_LEN) {
			memcpy(tmp, buf + i, UUID_LEN);
			tmp[UUID_LEN] = '\0';
			if (uuid_from_string(&u, tmp)) {
				*o++ = 'U';
				i += UUID_LEN;
				continue;
			}
		}
		*o++ = buf[i++];
	}
	*o = '\0';
	return out;
}

/* ovsdb_execute_text() writes, byte for byte, what serialising ovsdb_execute()'s result
 * array gives: successes, errors with the nulls after them, commit errors, a wait. */
static void test_text_results(void **state)
{
	static const char *const cases[] = {
		"[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\",\"gen\":1}}]",
		"[{\"op\":\"insert\",\"table\":\"Host\",\"uuid-name\":\"h\",\"row\":{\"name\":\"b\"}},"
		"{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"p\",\"host\":[\"named-uuid\",\"h\"]}},"
		"{\"op\":\"select\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"a\"]],\"columns\":[\"name\",\"gen\"]},"
		"{\"op\":\"comment\",\"comment\":\"x\"}]",
		"[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"c\"}},"
		"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"gen\":5000}},{\"op\":\"comment\",\"comment\":\"y\"}]",
		"[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\"}}]", /* index: commit error */
		"[{\"op\":\"update\",\"table\":\"Host\",\"where\":[],\"row\":{\"gen\":2}},"
		"{\"op\":\"delete\",\"table\":\"Port\",\"where\":[]},{\"op\":\"abort\"}]",
		"[{\"op\":\"wait\",\"table\":\"Host\",\"where\":[],\"columns\":[\"gen\"],"
		"\"until\":\"==\",\"rows\":[{\"gen\":9}],\"timeout\":0}]",
		"[]",
	};
	struct ovsdb_db *db2 = make_db(TEST_SCHEMA), *db = *state;
	struct ovsdb_exec_opts opts = { test_has_lock, NULL, false };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *params = J(cases[i]);
		json_array_insert_new(params, 0, json_string(db->schema->name));
		struct ovsdb_exec_result res;
		ovsdb_execute(db, params, &opts, &res);
		ovsdb_txn_destroy(res.txn);
		struct json_text want, got;
		json_text_init(&want);
		json_text_init(&got);
		json_text_json(&want, res.reply);
		json_decref(res.reply);
		json_text_raw(&got, "x", 1); /* appended after what the buffer holds */
		ovsdb_execute_text(db2, params, &opts, &res, &got);
		ovsdb_txn_destroy(res.txn);
		assert_null(res.reply);
		assert_int_equal(got.buf[0], 'x');
		char *w = mask_uuids(want.buf, want.len), *g = mask_uuids(got.buf + 1, got.len - 1);
		assert_string_equal(g, w);
		free(w);
		free(g);
		json_text_destroy(&want);
		json_text_destroy(&got);
		json_decref(params);
	}
	/* A wait that must wait writes nothing. */
	json_t *params = J("[\"t\",{\"op\":\"wait\",\"table\":\"Host\",\"where\":[],\"columns\":[\"gen\"],"
			   "\"until\":\"==\",\"rows\":[{\"gen\":9}],\"timeout\":100}]");
	struct ovsdb_exec_result res;
	struct json_text t;
	json_text_init(&t);
	ovsdb_execute_text(db2, params, &opts, &res, &t);
	assert_true(res.must_wait);
	assert_int_equal(t.len, 0);
	json_text_destroy(&t);
	json_decref(params);
	ovsdb_db_destroy(db2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_select, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_lookup_sees_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_aborts_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conditions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_mutate_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refs_and_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_and_max_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_commit_comment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_results, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
