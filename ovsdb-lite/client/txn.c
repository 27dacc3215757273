/* SPDX-License-Identifier: Apache-2.0 */
/* Transactions: a db name and a JSON array of operations, kept as JSON so that what is sent
 * is exactly what was built, and dvs_txn_check() can name the operation that failed. */

#include "txn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "wire.h"

struct dvs_txn {
	char *db;
	json_t *ops;
};

struct dvs_txn *
dvs_txn_create(const char *db)
{
	struct dvs_txn *txn = calloc(1, sizeof(*txn));

	if (!txn)
		return NULL;
	txn->db = strdup(db);
	txn->ops = json_array();
	if (!txn->db || !txn->ops) {
		dvs_txn_destroy(txn);
		errno = ENOMEM;
		return NULL;
	}
	return txn;
}

void
dvs_txn_destroy(struct dvs_txn *txn)
{
	if (!txn)
		return;
	free(txn->db);
	json_decref(txn->ops);
	free(txn);
}

size_t
dvs_txn_n_ops(const struct dvs_txn *txn)
{
	return json_array_size(txn->ops);
}

int
dvs_txn_add(struct dvs_txn *txn, json_t *op)
{
	if (!op || json_array_append_new(txn->ops, op))
		return -ENOMEM;
	return (int)json_array_size(txn->ops) - 1;
}

int
dvs_txn_insert(struct dvs_txn *txn, const char *table, json_t *row, const char *uuid_name)
{
	json_t *op = json_pack("{s:s, s:s, s:o}", "op", "insert", "table", table, "row", row);

	if (op && uuid_name)
		json_object_set_new(op, "uuid-name", json_string(uuid_name));
	return dvs_txn_add(txn, op);
}

int
dvs_txn_update(struct dvs_txn *txn, const char *table, json_t *where, json_t *row)
{
	return dvs_txn_add(txn, json_pack("{s:s, s:s, s:o, s:o}", "op", "update", "table", table,
					  "where", where, "row", row));
}

int
dvs_txn_mutate(struct dvs_txn *txn, const char *table, json_t *where, json_t *mutations)
{
	return dvs_txn_add(txn, json_pack("{s:s, s:s, s:o, s:o}", "op", "mutate", "table", table,
					  "where", where, "mutations", mutations));
}

int
dvs_txn_delete(struct dvs_txn *txn, const char *table, json_t *where)
{
	return dvs_txn_add(txn, json_pack("{s:s, s:s, s:o}", "op", "delete", "table", table,
					  "where", where));
}

int
dvs_txn_select(struct dvs_txn *txn, const char *table, json_t *where, json_t *columns)
{
	json_t *op = json_pack("{s:s, s:s, s:o}", "op", "select", "table", table, "where", where);

	if (op && columns)
		json_object_set_new(op, "columns", columns);
	return dvs_txn_add(txn, op);
}

int
dvs_txn_wait(struct dvs_txn *txn, const char *table, json_t *where, json_t *columns,
	     const char *until, json_t *rows, int timeout_ms)
{
	json_t *op = json_pack("{s:s, s:s, s:o, s:o, s:s, s:o}", "op", "wait", "table", table,
			       "where", where, "columns", columns, "until", until, "rows", rows);

	if (op && timeout_ms >= 0)
		json_object_set_new(op, "timeout", json_integer(timeout_ms));
	return dvs_txn_add(txn, op);
}

int
dvs_txn_comment(struct dvs_txn *txn, const char *comment)
{
	return dvs_txn_add(txn, json_pack("{s:s, s:s}", "op", "comment", "comment", comment));
}

int
dvs_txn_durable(struct dvs_txn *txn)
{
	return dvs_txn_add(txn, json_pack("{s:s, s:b}", "op", "commit", "durable", 1));
}

json_t *
dvs_where_uuid(const char *uuid)
{
	return json_pack("[[s s o]]", "_uuid", "==", dvs_wire_uuid(uuid));
}

json_t *
dvs_where_eq(const char *column, json_t *value)
{
	return json_pack("[[s s o]]", column, "==", value);
}

json_t *
dvs_txn_params(const struct dvs_txn *txn)
{
	json_t *p = json_pack("[s]", txn->db);

	json_array_extend(p, txn->ops);
	return p;
}

int
dvs_txn_check(const struct dvs_txn *txn, const json_t *result, struct dvs_err *err)
{
	size_t n = json_array_size(txn->ops), i;
	json_t *r;

	if (!json_is_array(result))
		return dvs_err_set(err, EIO, "transaction result is not an array");
	json_array_foreach(result, i, r) {
		const char *e = json_string_value(json_object_get(r, "error"));
		const char *details = json_string_value(json_object_get(r, "details"));
		const json_t *op = json_array_get(txn->ops, i);

		if (!e)
			continue;
		if (i >= n)
			return dvs_err_set(err, EIO, "commit: %s%s%s", e, details ? ": " : "",
					   details ? details : "");
		return dvs_err_set(err, EIO, "operation %zu (%s on %s): %s%s%s", i,
				   json_string_value(json_object_get(op, "op")) ?: "?",
				   json_string_value(json_object_get(op, "table")) ?: "-", e,
				   details ? ": " : "", details ? details : "");
	}
	if (json_array_size(result) < n)
		return dvs_err_set(err, EIO, "transaction result has %zu entries for %zu operations",
				   json_array_size(result), n);
	return 0;
}

const char *
dvs_txn_insert_uuid(const json_t *result, int op_index)
{
	if (op_index < 0)
		return NULL;
	return dvs_wire_uuid_str(json_object_get(json_array_get(result, (size_t)op_index), "uuid"));
}

int
dvs_txn_send(const struct dvs_txn *txn, struct dvs_client *c, dvs_client_reply_cb *cb, void *arg)
{
	return dvs_client_request(c, "transact", dvs_txn_params(txn), cb, arg);
}
