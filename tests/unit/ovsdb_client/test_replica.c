/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ovsdb-lite/client/replica.c, fed with update/update2 JSON as ovsdb-server
 * writes it: callbacks with old and new rows, update2 diffs, defaults omitted by the server,
 * the snapshot diff after a reconnect (net changes only), the fallback filter, save/load. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ovsdb-lite/client/replica.h"

#define U1 "00000000-0000-0000-0000-000000000001"
#define U2 "00000000-0000-0000-0000-000000000002"
#define U3 "00000000-0000-0000-0000-000000000003"
#define U4 "00000000-0000-0000-0000-000000000004"
#define U5 "00000000-0000-0000-0000-000000000005"
#define U9 "00000000-0000-0000-0000-000000000009"

static const char *schema_json =
	"{\"columns\": {"
	" \"key\": {\"type\": \"string\"},"
	" \"host\": {\"type\": {\"key\": \"string\", \"min\": 0, \"max\": 1}},"
	" \"tags\": {\"type\": {\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}},"
	" \"ids\": {\"type\": {\"key\": \"string\", \"value\": \"string\", \"min\": 0, \"max\": \"unlimited\"}},"
	" \"up\": {\"type\": \"boolean\"}}}";

/* A log of callbacks as "table change uuid" lines, plus the last old/new rows. */
struct log {
	char text[4096];
	size_t n;
	size_t batches, batch_changes;
	json_t *last_old, *last_new;
};

static void
log_cb(void *arg, const char *table, const char *uuid, enum dvs_row_change change,
       const json_t *old, const json_t *new)
{
	struct log *l = arg;
	size_t len = strlen(l->text);

	/* old/new must match the change kind. */
	assert_true((change == DVS_ROW_INSERT) == (old == NULL));
	assert_true((change == DVS_ROW_DELETE) == (new == NULL));
	snprintf(l->text + len, sizeof(l->text) - len, "%s %s %s;", table, dvs_row_change_name(change),
		 uuid + 35);
	l->n++;
	json_decref(l->last_old);
	json_decref(l->last_new);
	l->last_old = old ? json_deep_copy(old) : NULL;
	l->last_new = new ? json_deep_copy(new) : NULL;
}

static void
batch_cb(void *arg, size_t n)
{
	struct log *l = arg;

	l->batches++;
	l->batch_changes += n;
}

static void
log_reset(struct log *l)
{
	json_decref(l->last_old);
	json_decref(l->last_new);
	memset(l, 0, sizeof(*l));
}

static json_t *
J(const char *s)
{
	json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);

	if (!j)
		fail_msg("bad test JSON: %s", s);
	return j;
}

static struct dvs_replica *
make(struct log *l)
{
	struct dvs_replica *r = dvs_replica_create();
	json_t *s = J(schema_json);
	struct dvs_err err = {0};

	assert_non_null(r);
	assert_int_equal(dvs_replica_add_table(r, "Port", s, NULL, &err), 0);
	assert_int_equal(dvs_replica_add_table(r, "Port", s, NULL, &err), -EEXIST);
	json_decref(s);
	memset(l, 0, sizeof(*l));
	assert_int_equal(dvs_replica_on_table(r, "Port", log_cb, l), 0);
	dvs_replica_set_batch_cb(r, batch_cb, l);
	return r;
}

static int
apply(struct dvs_replica *r, const char *updates, int version, bool snapshot)
{
	json_t *u = J(updates);
	struct dvs_err err = {0};
	int ret = snapshot ? dvs_replica_apply_snapshot(r, u, version, &err)
			   : dvs_replica_apply_update(r, u, version, &err);

	json_decref(u);
	return ret;
}

static void
assert_col(const json_t *row, const char *col, const char *want)
{
	json_t *w = J(want);
	const json_t *got = json_object_get(row, col);

	if (!got || !json_equal(got, w)) {
		char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;

		fail_msg("column %s: got %s, want %s", col, g ? g : "(none)", want);
	}
	json_decref(w);
}

static void
test_replica_update2_insert_fills_defaults(void **state)
{
	struct log l;
	struct dvs_replica *r = make(&l);
	const json_t *row;

	/* ovsdb-server omits default-valued columns in "initial" and "insert". */
	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"insert\": {\"key\": \"a\","
			 " \"tags\": [\"set\", [3, 1]]}}}}", 2, false), 0);
	assert_string_equal(l.text, "Port insert 1;");
	row = dvs_replica_get(r, "Port", U1);
	assert_non_null(row);
	assert_col(row, "key", "\"a\"");
	assert_col(row, "host", "[\"set\", []]");
	assert_col(row, "tags", "[\"set\", [1, 3]]");
	assert_col(row, "ids", "[\"map\", []]");
	assert_col(row, "up", "false");
	assert_int_equal(l.batches, 1);
	assert_int_equal(dvs_replica_n_rows(r, "Port"), 1);
	log_reset(&l);
	dvs_replica_destroy(r);
}

static void
test_replica_update2_modify_applies_diff_with_old_and_new(void **state)
{
	struct log l;
	struct dvs_replica *r = make(&l);
	const json_t *row;

	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"insert\": {\"key\": \"a\", \"host\": \"h1\","
			 " \"tags\": [\"set\", [1, 2]], \"ids\": [\"map\", [[\"x\", \"1\"]]]}}}}", 2, false), 0);
	/* host h1 -> h2 (optional: the new value), tag 2 out and 5 in, x changes, y added. */
	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"modify\": {\"host\": \"h2\","
			 " \"tags\": [\"set\", [2, 5]], \"ids\": [\"map\", [[\"x\", \"9\"], [\"y\", \"2\"]]],"
			 " \"up\": true}}}}", 2, false), 0);
	assert_string_equal(l.text, "Port insert 1;Port modify 1;");
	row = dvs_replica_get(r, "Port", U1);
	assert_col(row, "host", "\"h2\"");
	assert_col(row, "tags", "[\"set\", [1, 5]]");
	assert_col(row, "ids", "[\"map\", [[\"x\", \"9\"], [\"y\", \"2\"]]]");
	assert_col(row, "up", "true");
	assert_col(l.last_old, "host", "\"h1\"");
	assert_col(l.last_new, "host", "\"h2\"");
	/* Delete: old is the last full row. */
	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"delete\": null}}}", 2, false), 0);
	assert_string_equal(l.text, "Port insert 1;Port modify 1;Port delete 1;");
	assert_col(l.last_old, "tags", "[\"set\", [1, 5]]");
	assert_null(dvs_replica_get(r, "Port", U1));
	log_reset(&l);
	dvs_replica_destroy(r);
}

static void
test_replica_update2_modify_unknown_row_is_error(void **state)
{
	struct log l;
	struct dvs_replica *r = make(&l);
	json_t *u = J("{\"Port\": {\"" U9 "\": {\"modify\": {\"up\": true}}}}");
	struct dvs_err err = {0};

	assert_int_equal(dvs_replica_apply_update(r, u, 2, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "does not hold"));
	assert_int_equal(l.n, 0);
	json_decref(u);
	/* Unknown tables are ignored, malformed rows refused. */
	assert_int_equal(apply(r, "{\"Other\": {\"" U1 "\": {\"insert\": {}}}}", 2, false), 0);
	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"insert\": {\"tags\": {\"a\": 1}}}}}", 2, false),
			 -EPROTO);
	assert_int_equal(dvs_replica_n_rows(r, "Port"), 0);
	log_reset(&l);
	dvs_replica_destroy(r);
}

static void
test_replica_update1_rfc_format(void **state)
{
	struct log l;
	struct dvs_replica *r = make(&l);

	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"new\": {\"key\": \"a\", \"host\": [\"set\", []],"
			 " \"tags\": [\"set\", []], \"ids\": [\"map\", []], \"up\": false}}}}", 1, false), 0);
	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"old\": {\"up\": false}, \"new\": {\"key\": \"a\","
			 " \"host\": [\"set\", []], \"tags\": [\"set\", []], \"ids\": [\"map\", []], \"up\": true}}}}",
			 1, false), 0);
	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"old\": {\"key\": \"a\"}}}}", 1, false), 0);
	assert_string_equal(l.text, "Port insert 1;Port modify 1;Port delete 1;");
	log_reset(&l);
	dvs_replica_destroy(r);
}

/* The heart of the reconnect story: a fresh snapshot that differs from the replica in a few
 * rows must produce callbacks for exactly those rows. */
static void
test_replica_snapshot_resync_reports_only_net_changes(void **state)
{
	struct log l;
	struct dvs_replica *r = make(&l);

	assert_int_equal(apply(r, "{\"Port\": {"
			 "\"" U1 "\": {\"initial\": {\"key\": \"a\", \"tags\": [\"set\", [1, 2]]}},"
			 "\"" U2 "\": {\"initial\": {\"key\": \"b\"}},"
			 "\"" U3 "\": {\"initial\": {\"key\": \"c\", \"ids\": [\"map\", [[\"p\", \"q\"], [\"a\", \"b\"]]]}},"
			 "\"" U4 "\": {\"initial\": {\"key\": \"d\"}}}}", 2, true), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.batches, 1);
	assert_int_equal(l.batch_changes, 4);
	log_reset(&l);
	dvs_replica_on_table(r, "Port", log_cb, &l); /* log_reset wiped the struct, not the cb */
	dvs_replica_set_batch_cb(r, batch_cb, &l);
	/* After the reconnect: U1 identical but its set in another order, U2 modified, U3
	 * identical with its map in another order, U4 gone, U5 new. */
	assert_int_equal(apply(r, "{\"Port\": {"
			 "\"" U1 "\": {\"initial\": {\"key\": \"a\", \"tags\": [\"set\", [2, 1]]}},"
			 "\"" U2 "\": {\"initial\": {\"key\": \"b\", \"up\": true}},"
			 "\"" U3 "\": {\"initial\": {\"key\": \"c\", \"ids\": [\"map\", [[\"a\", \"b\"], [\"p\", \"q\"]]]}},"
			 "\"" U5 "\": {\"initial\": {\"key\": \"e\"}}}}", 2, true), 0);
	/* Each change arrives twice: once through the table callback registered in make() and
	 * once through the one re-registered above, both writing to 'l'. */
	assert_int_equal(l.batches, 1);
	assert_int_equal(l.batch_changes, 3);
	assert_non_null(strstr(l.text, "Port delete 4;"));
	assert_non_null(strstr(l.text, "Port modify 2;"));
	assert_non_null(strstr(l.text, "Port insert 5;"));
	assert_null(strstr(l.text, " 1;"));
	assert_null(strstr(l.text, " 3;"));
	assert_int_equal(l.n, 6);
	assert_int_equal(dvs_replica_n_rows(r, "Port"), 4);
	/* A snapshot without the table means the table is now empty. */
	assert_int_equal(apply(r, "{}", 2, true), 0);
	assert_int_equal(dvs_replica_n_rows(r, "Port"), 0);
	log_reset(&l);
	dvs_replica_destroy(r);
}

static void
test_replica_bad_snapshot_leaves_replica_untouched(void **state)
{
	struct log l;
	struct dvs_replica *r = make(&l);

	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"initial\": {\"key\": \"a\"}}}}", 2, true), 0);
	assert_int_equal(apply(r, "{\"Port\": {\"" U2 "\": {\"initial\": {\"key\": \"b\"}},"
			 " \"" U3 "\": {\"modify\": {}}}}", 2, true), -EPROTO);
	assert_int_equal(l.n, 1);
	assert_non_null(dvs_replica_get(r, "Port", U1));
	assert_null(dvs_replica_get(r, "Port", U2));
	log_reset(&l);
	dvs_replica_destroy(r);
}

static void
test_replica_filter_for_plain_monitor(void **state)
{
	struct log l;
	struct dvs_replica *r = make(&l);
	json_t *where = J("[[\"host\", \"==\", \"h1\"]]");

	assert_int_equal(dvs_replica_set_filter(r, "Port", where), 0);
	json_decref(where);
	assert_int_equal(apply(r, "{\"Port\": {"
			 "\"" U1 "\": {\"new\": {\"key\": \"a\", \"host\": \"h1\"}},"
			 "\"" U2 "\": {\"new\": {\"key\": \"b\", \"host\": \"h2\"}}}}", 1, false), 0);
	assert_string_equal(l.text, "Port insert 1;");
	/* U2 moves to h1: an insert for us.  U1 moves away: a delete. */
	assert_int_equal(apply(r, "{\"Port\": {"
			 "\"" U2 "\": {\"old\": {\"host\": \"h2\"}, \"new\": {\"key\": \"b\", \"host\": \"h1\"}},"
			 "\"" U1 "\": {\"old\": {\"host\": \"h1\"}, \"new\": {\"key\": \"a\", \"host\": \"h3\"}}}}",
			 1, false), 0);
	assert_non_null(strstr(l.text, "Port insert 2;"));
	assert_non_null(strstr(l.text, "Port delete 1;"));
	assert_int_equal(l.n, 3);
	assert_int_equal(dvs_replica_n_rows(r, "Port"), 1);
	log_reset(&l);
	dvs_replica_destroy(r);
}

struct watch_ctx {
	struct dvs_replica *r;
	long handle;
	int calls;
};

static void
watch_cb(void *arg, const char *table, const char *uuid, enum dvs_row_change change,
	 const json_t *old, const json_t *new)
{
	struct watch_ctx *w = arg;

	w->calls++;
	assert_string_equal(uuid, U2);
	/* Unwatching from inside the callback is allowed. */
	if (change == DVS_ROW_MODIFY)
		dvs_replica_unwatch(w->r, w->handle);
}

static void
test_replica_row_watch(void **state)
{
	struct log l;
	struct dvs_replica *r = make(&l);
	struct watch_ctx w = {.r = r};

	w.handle = dvs_replica_watch_row(r, "Port", U2, watch_cb, &w);
	assert_true(w.handle > 0);
	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"insert\": {\"key\": \"a\"}},"
			 " \"" U2 "\": {\"insert\": {\"key\": \"b\"}}}}", 2, false), 0);
	assert_int_equal(w.calls, 1);
	assert_int_equal(apply(r, "{\"Port\": {\"" U2 "\": {\"modify\": {\"up\": true}}}}", 2, false), 0);
	assert_int_equal(w.calls, 2);
	assert_int_equal(apply(r, "{\"Port\": {\"" U2 "\": {\"delete\": null}}}", 2, false), 0);
	assert_int_equal(w.calls, 2); /* unwatched */
	log_reset(&l);
	dvs_replica_destroy(r);
}

static void
test_replica_save_load_then_resync(void **state)
{
	struct log l, l2;
	struct dvs_replica *r = make(&l), *r2 = make(&l2);
	char path[] = "/tmp/dbc-unit-replica-XXXXXX";
	struct dvs_err err = {0};
	const char *uuid = NULL;
	json_t *v;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"insert\": {\"key\": \"a\", \"tags\": 7}},"
			 " \"" U2 "\": {\"insert\": {\"key\": \"b\"}}}}", 2, false), 0);
	assert_int_equal(dvs_replica_save(r, path), 0);
	/* A restarted daemon loads its snapshot: inserts, as at start-up. */
	assert_int_equal(dvs_replica_load(r2, path, &err), 0);
	assert_int_equal(l2.n, 2);
	v = json_string("b");
	assert_non_null(dvs_replica_find(r2, "Port", "key", v, &uuid));
	assert_string_equal(uuid, U2);
	json_decref(v);
	/* ... then the database comes back with one change: one callback. */
	assert_int_equal(apply(r2, "{\"Port\": {\"" U1 "\": {\"initial\": {\"key\": \"a\", \"tags\": 7}},"
			 " \"" U2 "\": {\"initial\": {\"key\": \"b\", \"up\": true}}}}", 2, true), 0);
	assert_int_equal(l2.n, 3);
	assert_non_null(strstr(l2.text, "Port modify 2;"));
	/* A daemon that starts while the database is down learns the tables from the file. */
	{
		struct dvs_replica *bare = dvs_replica_create();

		assert_int_equal(dvs_replica_load(bare, path, &err), 0);
		assert_true(dvs_replica_has_table(bare, "Port"));
		assert_int_equal(dvs_replica_n_rows(bare, "Port"), 2);
		assert_non_null(dvs_replica_get(bare, "Port", U1));
		dvs_replica_destroy(bare);
	}
	/* A save reuses the text of tables unchanged since the last one, never a stale one:
	 * a row changed after the first save is in the second. */
	assert_int_equal(apply(r, "{\"Port\": {\"" U1 "\": {\"modify\": {\"key\": \"a2\"}}}}", 2, false), 0);
	assert_int_equal(dvs_replica_save(r, path), 0);
	assert_int_equal(dvs_replica_save(r, path), 0);
	{
		struct dvs_replica *r3 = dvs_replica_create();

		assert_int_equal(dvs_replica_load(r3, path, &err), 0);
		assert_int_equal(dvs_replica_n_rows(r3, "Port"), 2);
		v = json_string("a2");
		assert_non_null(dvs_replica_find(r3, "Port", "key", v, &uuid));
		assert_string_equal(uuid, U1);
		json_decref(v);
		dvs_replica_destroy(r3);
	}
	unlink(path);
	assert_int_equal(dvs_replica_load(r2, path, &err), -ENOENT);
	log_reset(&l);
	log_reset(&l2);
	dvs_replica_destroy(r);
	dvs_replica_destroy(r2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replica_update2_insert_fills_defaults),
		cmocka_unit_test(test_replica_update2_modify_applies_diff_with_old_and_new),
		cmocka_unit_test(test_replica_update2_modify_unknown_row_is_error),
		cmocka_unit_test(test_replica_update1_rfc_format),
		cmocka_unit_test(test_replica_snapshot_resync_reports_only_net_changes),
		cmocka_unit_test(test_replica_bad_snapshot_leaves_replica_untouched),
		cmocka_unit_test(test_replica_filter_for_plain_monitor),
		cmocka_unit_test(test_replica_row_watch),
		cmocka_unit_test(test_replica_save_load_then_resync),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
