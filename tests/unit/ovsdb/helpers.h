/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Shared helpers for the ovsdb-lite server unit tests: a small schema (hosts, ports with
 * strong and weak references, a capped table, an index), JSON literals and a one-call
 * "transact" against an in-memory database. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "ovsdb-lite/error.h"
#include "ovsdb-lite/execution.h"
#include "ovsdb-lite/schema.h"
#include "ovsdb-lite/table.h"

#define TEST_SCHEMA \
	"{\"name\": \"t\", \"version\": \"1.0.0\", \"tables\": {" \
	" \"Host\": {\"isRoot\": true, \"indexes\": [[\"name\"]], \"columns\": {" \
	"   \"name\": {\"type\": \"string\"}," \
	"   \"gen\": {\"type\": {\"key\": {\"type\": \"integer\", \"minInteger\": 0, \"maxInteger\": 1000}}}," \
	"   \"ports\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": \"Port\"}, \"min\": 0, \"max\": \"unlimited\"}}," \
	"   \"tags\": {\"type\": {\"key\": \"string\", \"value\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}}," \
	"   \"nums\": {\"type\": {\"key\": \"integer\", \"min\": 0, \"max\": 3}}," \
	"   \"ratio\": {\"type\": \"real\"}," \
	"   \"up\": {\"type\": \"boolean\"}}}," \
	" \"Port\": {\"columns\": {" \
	"   \"name\": {\"type\": {\"key\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 8}}}," \
	"   \"mode\": {\"type\": {\"key\": {\"type\": \"string\", \"enum\": [\"set\", [\"access\", \"trunk\"]]}, \"min\": 0, \"max\": 1}}," \
	"   \"host\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": \"Host\", \"refType\": \"weak\"}, \"min\": 0, \"max\": 1}}}}," \
	" \"Site\": {\"isRoot\": true, \"maxRows\": 2, \"columns\": {" \
	"   \"name\": {\"type\": \"string\", \"mutable\": false}}}" \
	"}}"

static inline json_t *J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("bad JSON in test: %s: %s", e.text, s);
	return j;
}

/* Asserts 'got' (stolen) equals the JSON text 'want'. */
static inline void assert_json_eq(json_t *got, const char *want)
{
	json_t *w = J(want);
	if (!json_equal(got, w)) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		fail_msg("got %s\nwant %s", g ? g : "NULL", want);
	}
	json_decref(w);
	json_decref(got);
}

static inline struct ovsdb_db *make_db(const char *schema_text)
{
	json_t *err = NULL, *sj = J(schema_text);
	struct ovsdb_schema *s = ovsdb_schema_from_json(sj, &err);
	json_decref(sj);
	if (!s)
		fail_msg("schema: %s", json_dumps(err, 0));
	struct ovsdb_db *db = ovsdb_db_create(s);
	assert_non_null(db);
	return db;
}

static bool test_lock_owned;
static inline bool test_has_lock(void *aux, const char *name)
{
	return test_lock_owned && !strcmp(name, "L");
}

/* Runs 'ops' (a JSON array of operations) and returns the result array (new).  The
 * committed transaction, if any, is destroyed unless 'txn' is given. */
static inline json_t *transact_txn(struct ovsdb_db *db, const char *ops, struct ovsdb_txn **txn,
				   struct ovsdb_exec_result *res_out)
{
	json_t *params = J(ops);
	json_array_insert_new(params, 0, json_string(db->schema->name));
	struct ovsdb_exec_opts opts = { test_has_lock, NULL, false };
	struct ovsdb_exec_result res;
	ovsdb_execute(db, params, &opts, &res);
	json_decref(params);
	if (txn)
		*txn = res.txn;
	else
		ovsdb_txn_destroy(res.txn);
	if (res_out)
		*res_out = res;
	return res.reply;
}

static inline json_t *transact(struct ovsdb_db *db, const char *ops)
{
	return transact_txn(db, ops, NULL, NULL);
}

/* The "error" tag of element i of a result array, or "" if it is not an error. */
static inline const char *result_error(const json_t *res, size_t i)
{
	return json_string_value(json_object_get(json_array_get(res, i), "error"))
		? json_string_value(json_object_get(json_array_get(res, i), "error")) : "";
}

/* Runs ops that must succeed; returns the result array (new). */
static inline json_t *transact_ok(struct ovsdb_db *db, const char *ops)
{
	json_t *r = transact(db, ops);
	for (size_t i = 0; i < json_array_size(r); i++)
		if (*result_error(r, i))
			fail_msg("op %zu failed: %s", i, json_dumps(r, JSON_COMPACT));
	return r;
}

/* Number of rows select returns for 'where' on 'table'. */
static inline size_t count_rows(struct ovsdb_db *db, const char *table, const char *where)
{
	char ops[1024];
	snprintf(ops, sizeof ops, "[{\"op\":\"select\",\"table\":\"%s\",\"where\":%s}]", table, where);
	json_t *r = transact_ok(db, ops);
	size_t n = json_array_size(json_object_get(json_array_get(r, 0), "rows"));
	json_decref(r);
	return n;
}
