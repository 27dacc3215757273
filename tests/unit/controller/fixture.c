/* SPDX-License-Identifier: Apache-2.0 */
/* The fake database of fixture.h. */
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
fx_uuid(unsigned n)
{
	static char bufs[256][37];

	snprintf(bufs[n & 255], 37, "00000000-0000-0000-0000-%012u", n);
	return bufs[n & 255];
}

struct fx *
fx_create(void)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	json_error_t jerr;
	json_auto_t *schema = json_load_file(DVS_SCHEMA_FILE, 0, &jerr);
	const char *name;
	json_t *t;

	assert_non_null(fx);
	assert_non_null(schema);
	fx->r = dvs_replica_create();
	assert_non_null(fx->r);
	json_object_foreach(json_object_get(schema, "tables"), name, t) {
		struct dvs_err err = {0};

		assert_int_equal(dvs_replica_add_table(fx->r, name, t, NULL, &err), 0);
	}
	fx->ctl = ctl_create(fx->r, "ctl-test");
	assert_non_null(fx->ctl);
	fx->now = 1700000000000ULL;
	fx->seq = 1000;
	return fx;
}

void
fx_destroy(struct fx *fx)
{
	ctl_destroy(fx->ctl);
	dvs_replica_destroy(fx->r);
	free(fx);
}

static void
apply(struct fx *fx, const char *table, const char *uuid, json_t *ru)
{
	struct dvs_err err = {0};
	json_auto_t *upd = json_pack("{s:{s:o}}", table, uuid, ru);

	assert_int_equal(dvs_replica_apply_update(fx->r, upd, 1, &err), 0);
}

void
fx_put(struct fx *fx, const char *table, const char *uuid, json_t *row)
{
	apply(fx, table, uuid, json_pack("{s:o}", "new", row));
}

void
fx_set(struct fx *fx, const char *table, const char *uuid, json_t *cols)
{
	const json_t *old = dvs_replica_get(fx->r, table, uuid);
	json_t *row;

	assert_non_null(old);
	row = json_deep_copy(old);
	json_object_update(row, cols);
	json_decref(cols);
	apply(fx, table, uuid, json_pack("{s:o}", "new", row));
}

void
fx_del(struct fx *fx, const char *table, const char *uuid)
{
	const json_t *old = dvs_replica_get(fx->r, table, uuid);

	assert_non_null(old);
	apply(fx, table, uuid, json_pack("{s:O}", "old", old));
}

/* The uuid in a where clause [["_uuid", "==", ["uuid", U]]]. */
static const char *
where_uuid(const json_t *op)
{
	const json_t *clause = json_array_get(json_object_get(op, "where"), 0);

	return json_string_value(json_array_get(json_array_get(clause, 2), 1));
}

size_t
fx_round(struct fx *fx)
{
	struct dvs_txn *txn = dvs_txn_create(CTL_DB);
	json_t *params;
	const json_t *op;
	size_t i, n;

	assert_true(ctl_build(fx->ctl, fx->now, txn) >= 0);
	params = dvs_txn_params(txn);
	n = json_array_size(params) - 1;
	json_array_foreach(params, i, op) {
		const char *kind = json_string_value(json_object_get(op, "op"));
		const char *table = json_string_value(json_object_get(op, "table"));

		if (i == 0)
			continue;
		if (!strcmp(kind, "insert")) {
			fx_put(fx, table, fx_uuid(fx->seq++), json_deep_copy(json_object_get(op, "row")));
		} else if (!strcmp(kind, "update")) {
			fx_set(fx, table, where_uuid(op), json_deep_copy(json_object_get(op, "row")));
		} else if (!strcmp(kind, "delete")) {
			fx_del(fx, table, where_uuid(op));
		} else {
			fail_msg("unexpected operation %s", kind);
		}
	}
	json_decref(params);
	dvs_txn_destroy(txn);
	ctl_txn_done(fx->ctl, true);
	fx->last_ops = n;
	return n;
}

unsigned
fx_converge(struct fx *fx)
{
	unsigned rounds = 0;

	while (fx_round(fx)) {
		rounds++;
		assert_true(rounds < 100);
	}
	return rounds;
}

size_t
fx_count(struct fx *fx, const char *table, const char *col, const json_t *value)
{
	const char *uuid;
	json_t *row;
	size_t n = 0;

	json_object_foreach((json_t *)dvs_replica_rows(fx->r, table), uuid, row)
		n += !value || json_equal(json_object_get(row, col), value);
	return n;
}
