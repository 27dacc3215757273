/* SPDX-License-Identifier: Apache-2.0 */
/* Monitors: the <table-updates> of "monitor" and the <table-updates2> of "monitor_cond"
 * for inserts, modifies and deletes, select flags, columns, conditions (any clause
 * matches), and the inserts/deletes a condition change implies. */
#include "helpers.h"

#include "ovsdb-lite/monitor.h"

static struct ovsdb_monitor *mon(struct ovsdb_db *db, const char *req, enum ovsdb_monitor_version v)
{
	json_t *err = NULL, *r = J(req), *id = json_string("m");
	struct ovsdb_monitor *m = ovsdb_monitor_create(db, id, r, v, &err);
	json_decref(r);
	json_decref(id);
	if (!m)
		fail_msg("monitor: %s", json_dumps(err, 0));
	return m;
}

/* Runs ops that must succeed; returns the committed transaction. */
static struct ovsdb_txn *commit(struct ovsdb_db *db, const char *ops)
{
	struct ovsdb_txn *txn;
	json_t *r = transact_txn(db, ops, &txn, NULL);
	for (size_t i = 0; i < json_array_size(r); i++)
		if (*result_error(r, i))
			fail_msg("op failed: %s", json_dumps(r, 0));
	json_decref(r);
	assert_non_null(txn);
	return txn;
}

/* Runs ops and returns each monitor's updates for that commit (new, or NULL). */
static void run(struct ovsdb_db *db, const char *ops, struct ovsdb_monitor **ms, json_t **out, size_t n)
{
	struct ovsdb_txn *txn = commit(db, ops);
	for (size_t i = 0; i < n; i++)
		out[i] = ovsdb_monitor_txn_updates(ms[i], txn);
	ovsdb_txn_destroy(txn);
}

/* Replaces the row UUIDs in 'j' by "U" so expectations can be literal. */
static json_t *anon(json_t *j)
{
	if (!j)
		return json_null();
	json_t *out = json_object();
	const char *t;
	json_t *rows;
	json_object_foreach (j, t, rows) {
		json_t *list = json_array();
		const char *u;
		json_t *ru;
		json_object_foreach (rows, u, ru)
			json_array_append(list, ru);
		json_object_set_new(out, t, list);
	}
	json_decref(j);
	return out;
}

static void test_monitor_v1_and_v2(void **state)
{
	struct ovsdb_db *db = make_db(TEST_SCHEMA);
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"old\",\"gen\":1}}]"));
	struct ovsdb_monitor *ms[4] = {
		mon(db, "{\"Host\":{\"columns\":[\"name\",\"gen\"]}}", OVSDB_MONITOR_V1),
		mon(db, "{\"Host\":[{\"columns\":[\"name\",\"gen\",\"nums\"]}]}", OVSDB_MONITOR_V2),
		mon(db, "{\"Host\":[{\"columns\":[\"name\"],\"where\":[[\"gen\",\">\",5],[\"name\",\"==\",\"old\"]]}]}", OVSDB_MONITOR_V2),
		mon(db, "{\"Host\":{\"columns\":[\"name\"],\"select\":{\"initial\":false,\"modify\":false}}}", OVSDB_MONITOR_V1),
	};
	assert_json_eq(anon(ovsdb_monitor_initial(ms[0])), "{\"Host\":[{\"new\":{\"name\":\"old\",\"gen\":1}}]}");
	assert_json_eq(anon(ovsdb_monitor_initial(ms[1])), "{\"Host\":[{\"initial\":{\"name\":\"old\",\"gen\":1}}]}");
	/* "old" matches the second clause: conditions are a disjunction. */
	assert_json_eq(anon(ovsdb_monitor_initial(ms[2])), "{\"Host\":[{\"initial\":{\"name\":\"old\"}}]}");
	assert_json_eq(ovsdb_monitor_initial(ms[3]), "{}");
	assert_non_null(ms[0]->share_key); /* identical monitors may share updates */
	assert_null(ms[2]->share_key);

	json_t *u[4];
	run(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"n\",\"gen\":7,\"nums\":[\"set\",[1,2]]}}]", ms, u, 4);
	assert_json_eq(anon(u[0]), "{\"Host\":[{\"new\":{\"name\":\"n\",\"gen\":7}}]}");
	/* update2 insert rows leave out default values: nothing here is default. */
	assert_json_eq(anon(u[1]), "{\"Host\":[{\"insert\":{\"name\":\"n\",\"gen\":7,\"nums\":[\"set\",[1,2]]}}]}");
	assert_json_eq(anon(u[2]), "{\"Host\":[{\"insert\":{\"name\":\"n\"}}]}");
	assert_json_eq(anon(u[3]), "{\"Host\":[{\"new\":{\"name\":\"n\"}}]}");

	run(db, "[{\"op\":\"mutate\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"n\"]],"
		"\"mutations\":[[\"gen\",\"-=\",3],[\"nums\",\"insert\",3],[\"nums\",\"delete\",1]]}]", ms, u, 4);
	assert_json_eq(anon(u[0]), "{\"Host\":[{\"old\":{\"gen\":7},\"new\":{\"name\":\"n\",\"gen\":4}}]}");
	assert_json_eq(anon(u[1]), "{\"Host\":[{\"modify\":{\"gen\":4,\"nums\":[\"set\",[1,3]]}}]}");
	/* gen 7 -> 4: the row leaves the condition, so the conditional monitor sees a delete. */
	assert_json_eq(anon(u[2]), "{\"Host\":[{\"delete\":null}]}");
	assert_json_eq(anon(u[3]), "null"); /* modify not selected */

	run(db, "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"n\"]],\"row\":{\"ratio\":2.0}}]", ms, u, 4);
	assert_json_eq(anon(u[0]), "null"); /* no monitored column changed */
	assert_json_eq(anon(u[1]), "null");
	assert_json_eq(anon(u[2]), "null");
	assert_json_eq(anon(u[3]), "null");

	run(db, "[{\"op\":\"delete\",\"table\":\"Host\",\"where\":[]}]", ms, u, 4);
	json_t *d0 = anon(u[0]);
	assert_int_equal(json_array_size(json_object_get(d0, "Host")), 2);
	json_decref(d0);
	assert_json_eq(anon(u[1]), "{\"Host\":[{\"delete\":null},{\"delete\":null}]}");
	assert_json_eq(anon(u[2]), "{\"Host\":[{\"delete\":null}]}"); /* only "old" matched */
	json_t *d3 = anon(u[3]);
	assert_int_equal(json_array_size(json_object_get(d3, "Host")), 2);
	json_decref(d3);
	for (int i = 0; i < 4; i++)
		ovsdb_monitor_destroy(ms[i]);
	ovsdb_db_destroy(db);
}

static void test_monitor_cond_change(void **state)
{
	struct ovsdb_db *db = make_db(TEST_SCHEMA);
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\"}},"
				"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"b\"}}]"));
	struct ovsdb_monitor *m = mon(db, "{\"Host\":[{\"columns\":[\"name\"],\"where\":[[\"name\",\"==\",\"a\"]]}]}",
				      OVSDB_MONITOR_V2);
	json_t *updates, *req = J("{\"Host\":[{\"where\":[[\"name\",\"==\",\"b\"]]}]}");
	assert_null(ovsdb_monitor_change_cond(m, req, &updates));
	json_decref(req);
	json_t *a = anon(updates);
	json_t *list = json_object_get(a, "Host");
	assert_int_equal(json_array_size(list), 2);
	bool saw_delete = false, saw_insert = false;
	for (size_t i = 0; i < 2; i++) {
		json_t *ru = json_array_get(list, i);
		saw_delete |= json_object_get(ru, "delete") != NULL;
		json_t *want = json_pack("{s:s}", "name", "b");
		saw_insert |= json_equal(json_object_get(ru, "insert"), want);
		json_decref(want);
	}
	assert_true(saw_delete && saw_insert);
	json_decref(a);
	req = J("{\"Nope\":[{\"where\":[]}]}");
	json_t *err = ovsdb_monitor_change_cond(m, req, &updates);
	assert_non_null(err);
	json_decref(err);
	json_decref(req);
	json_t *e2 = NULL, *bad = J("{\"Host\":{\"columns\":[\"zz\"]}}"), *id = json_string("x");
	assert_null(ovsdb_monitor_create(db, id, bad, OVSDB_MONITOR_V1, &e2));
	assert_string_equal(ovsdb_error_tag(e2), "unknown column");
	json_decref(e2);
	json_decref(bad);
	json_decref(id);
	ovsdb_monitor_destroy(m);
	ovsdb_db_destroy(db);
}

/* The server writes whole-table monitor replies as text (ovsdb_row_write_json): for every
 * column type, with and without defaults, it must say exactly what the jansson tree says. */
static void test_monitor_initial_text_matches_tree(void **state)
{
	struct ovsdb_db *db = make_db(TEST_SCHEMA);
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"p\\\"1\",\"mode\":\"trunk\"},"
				"\"uuid-name\":\"p\"},"
				"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"h\\u00e9\\n\",\"gen\":3,"
				"\"ports\":[\"set\",[[\"named-uuid\",\"p\"]]],\"tags\":[\"map\",[[\"a\",1],[\"b\",-2]]],"
				"\"nums\":[\"set\",[1,2,3]],\"ratio\":0.25,\"up\":true}},"
				"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"empty\"}}]"));
	const char *reqs[] = { "{\"Host\":{},\"Port\":{}}", "{\"Host\":[{}],\"Port\":[{}]}" };
	for (int v = 0; v < 2; v++) {
		struct ovsdb_monitor *m = mon(db, reqs[v], v ? OVSDB_MONITOR_V2 : OVSDB_MONITOR_V1);
		json_t *got = ovsdb_monitor_initial(m), *want = json_object();
		for (uint32_t i = 0; i < m->n_tables; i++) {
			const struct ovsdb_monitor_table *mt = &m->tables[i];
			json_t *rows = json_object();
			HMAP_FOR_EACH (n, &mt->table->rows) {
				const struct ovsdb_row *row = HMAP_CONTAINER(n, struct ovsdb_row, node);
				char u[UUID_LEN + 1];
				uuid_to_string(ovsdb_row_uuid(row), u);
				json_object_set_new(rows, u, json_pack("{s:o}", v ? "initial" : "new",
								       ovsdb_row_to_json(row, &mt->columns, v)));
			}
			json_object_set_new(want, mt->table->schema->name, rows);
		}
		assert_non_null(got);
		if (!json_equal(got, want))
			fail_msg("text %s\ntree %s", json_dumps(got, JSON_SORT_KEYS), json_dumps(want, JSON_SORT_KEYS));
		json_decref(got);
		json_decref(want);
		ovsdb_monitor_destroy(m);
	}
	ovsdb_db_destroy(db);
}

/* A commit big enough to be indexed by column value gives each conditional monitor exactly
 * what the scan gives: inserts, a rename into and out of a condition, a delete.  A small
 * commit that changes a column a monitor neither selects nor filters on is skipped on the
 * commit's summary, and one that changes a column it filters on is not. */
static void test_monitor_indexed_equals_scan(void **state)
{
	struct ovsdb_db *db = make_db(TEST_SCHEMA);
	struct ovsdb_monitor *ms[5] = {
		mon(db, "{\"Host\":[{\"where\":[[\"name\",\"==\",\"p1\"]]}]}", OVSDB_MONITOR_V2),
		mon(db, "{\"Host\":[{\"where\":[[\"name\",\"==\",\"p2\"],[\"name\",\"==\",\"q\"]]}]}",
		    OVSDB_MONITOR_V2),
		mon(db, "{\"Host\":[{\"where\":[[\"name\",\"!=\",\"p3\"]]}]}", OVSDB_MONITOR_V2),
		mon(db, "{\"Host\":{\"columns\":[\"gen\"]}}", OVSDB_MONITOR_V1),
		mon(db, "{\"Host\":[{\"columns\":[\"gen\"],\"where\":[[\"up\",\"==\",true]]}]}", OVSDB_MONITOR_V2),
	};
	/* Per step, which monitors get an update. */
	static const bool want[5][5] = {
		{true, true, true, true, false},
		{true, true, true, true, false},
		{false, true, true, true, false},
		{false, true, true, false, false}, /* "ratio": only the whole-row monitors */
		{false, true, true, false, true},   /* "up": p2 enters the last one's condition */
	};
	char ops[8192];
	const char *steps[] = {
		"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"p1\",\"gen\":1}},"
		"{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"p2\"}}",
		"{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"p1\"]],\"row\":{\"name\":\"q\"}},"
		"{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"p2\"]],\"row\":{\"gen\":2}}",
		"{\"op\":\"delete\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"q\"]]}",
		"{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"p2\"]],\"row\":{\"ratio\":0.5}}",
		"{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"p2\"]],\"row\":{\"up\":true}}",
	};
	for (size_t s = 0; s < 5; s++) {
		/* Padding rows of other names make the first commits indexed. */
		int n = snprintf(ops, sizeof ops, "[%s", steps[s]);
		for (int i = 0; s < 3 && i < 20; i++)
			n += snprintf(ops + n, sizeof ops - (size_t)n,
				      ",{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"x%zu_%d\"}}", s, i);
		snprintf(ops + n, sizeof ops - (size_t)n, "]");
		struct ovsdb_txn *txn = commit(db, ops);
		struct ovsdb_txn_index *ix = ovsdb_txn_index_create(txn);
		for (size_t i = 0; i < 5; i++) {
			json_t *scan = ovsdb_monitor_txn_updates(ms[i], txn);
			json_t *indexed = ovsdb_monitor_txn_updates_indexed(ms[i], txn, ix);
			if (!json_equal(scan, indexed) && (scan || indexed))
				fail_msg("step %zu monitor %zu: scan %s, indexed %s", s, i,
					 scan ? json_dumps(scan, JSON_SORT_KEYS) : "null",
					 indexed ? json_dumps(indexed, JSON_SORT_KEYS) : "null");
			if (want[s][i] != (scan != NULL))
				fail_msg("step %zu monitor %zu: update %s", s, i, scan ? "unexpected" : "missing");
			json_decref(scan);
			json_decref(indexed);
		}
		ovsdb_txn_index_destroy(ix);
		ovsdb_txn_destroy(txn);
	}
	for (int i = 0; i < 5; i++)
		ovsdb_monitor_destroy(ms[i]);
	ovsdb_db_destroy(db);
}

/* The server skips a session for a commit its monitors' interest does not meet: a change
 * of a column only another monitor selects (a heartbeat), never an insert or a change of a
 * selected or filtered column. */
static void test_monitor_interest(void **state)
{
	struct ovsdb_db *db = make_db(TEST_SCHEMA);
	json_decref(transact_ok(db, "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"a\"}}]"));
	struct ovsdb_monitor *names = mon(db, "{\"Host\":[{\"columns\":[\"name\"],\"where\":[[\"up\",\"==\",false]]}]}",
					  OVSDB_MONITOR_V2);
	struct ovsdb_monitor *gens = mon(db, "{\"Host\":{\"columns\":[\"gen\"]}}", OVSDB_MONITOR_V1);
	struct ovsdb_interest in_names = { { 0 } }, in_gens = { { 0 } }, changed;
	ovsdb_monitor_add_interest(names, &in_names);
	ovsdb_monitor_add_interest(gens, &in_gens);
	static const struct {
		const char *ops;
		bool names, gens;
	} steps[] = {
		{ "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[],\"row\":{\"gen\":5}}]", false, true },
		{ "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[],\"row\":{\"up\":true}}]", true, false },
		{ "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[],\"row\":{\"name\":\"b\"}}]", true, false },
		{ "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"c\"}}]", true, true },
		{ "[{\"op\":\"insert\",\"table\":\"Site\",\"row\":{\"name\":\"s\"}}]", false, false },
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct ovsdb_txn *txn = commit(db, steps[i].ops);
		ovsdb_txn_interest(txn, &changed);
		assert_int_equal(ovsdb_interest_meets(&in_names, &changed), steps[i].names);
		assert_int_equal(ovsdb_interest_meets(&in_gens, &changed), steps[i].gens);
		/* A skipped monitor really had nothing to say. */
		if (!steps[i].gens) {
			json_t *u = ovsdb_monitor_txn_updates(gens, txn);
			assert_null(u);
		}
		ovsdb_txn_destroy(txn);
	}
	ovsdb_monitor_destroy(names);
	ovsdb_monitor_destroy(gens);
	ovsdb_db_destroy(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monitor_v1_and_v2),
		cmocka_unit_test(test_monitor_initial_text_matches_tree),
		cmocka_unit_test(test_monitor_cond_change),
		cmocka_unit_test(test_monitor_indexed_equals_scan),
		cmocka_unit_test(test_monitor_interest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
