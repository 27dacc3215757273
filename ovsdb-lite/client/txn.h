/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Building and checking OVSDB "transact" requests (RFC 7047 5.2): a list of operations with
 * their JSON built here, sent asynchronously through a dvs_client (dvs_txn_send) or
 * synchronously through sync.h, and a result checker that turns the RFC's per-operation
 * errors into one message naming the failed operation. */

#include <jansson.h>
#include <stddef.h>

#include "client.h"
#include "err.h"

struct dvs_txn;

/* Returns a new empty transaction on database 'db', or NULL with errno set. */
struct dvs_txn *dvs_txn_create(const char *db);
void dvs_txn_destroy(struct dvs_txn *txn); /* accepts NULL */
size_t dvs_txn_n_ops(const struct dvs_txn *txn);

/* Each adder steals its json_t arguments and returns the operation's index (>= 0) in the
 * transaction (and so in the result array), or -ENOMEM.  'where' is an array of clauses
 * [column, function, value], combined with "and" (RFC 7047 5.1). */
int dvs_txn_add(struct dvs_txn *txn, json_t *op);
/* 'uuid_name' (may be NULL) lets later operations refer to the row as ["named-uuid", name]. */
int dvs_txn_insert(struct dvs_txn *txn, const char *table, json_t *row, const char *uuid_name);
int dvs_txn_update(struct dvs_txn *txn, const char *table, json_t *where, json_t *row);
/* 'mutations' is an array of [column, mutator, value], e.g. ["generation", "+=", 1]. */
int dvs_txn_mutate(struct dvs_txn *txn, const char *table, json_t *where, json_t *mutations);
int dvs_txn_delete(struct dvs_txn *txn, const char *table, json_t *where);
int dvs_txn_select(struct dvs_txn *txn, const char *table, json_t *where, json_t *columns /* or NULL */);
/* Waits until the rows selected by 'where' equal ('until' "==") or differ ("!=") from 'rows'
 * in 'columns', or fails with "timed out" after 'timeout_ms' (-1: no timeout). */
int dvs_txn_wait(struct dvs_txn *txn, const char *table, json_t *where, json_t *columns,
		 const char *until, json_t *rows, int timeout_ms);
int dvs_txn_comment(struct dvs_txn *txn, const char *comment);
/* Asks the server to sync the commit to disk before replying. */
int dvs_txn_durable(struct dvs_txn *txn);

/* Clause builders (new references). */
json_t *dvs_where_uuid(const char *uuid);                          /* [["_uuid","==",["uuid",u]]] */
json_t *dvs_where_eq(const char *column, json_t *value /* stolen */); /* [[column,"==",value]] */

/* The "transact" params: [db, op...] (new reference). */
json_t *dvs_txn_params(const struct dvs_txn *txn);

/* Checks a transact result.  Returns 0 if every operation succeeded, or -EIO with
 * "operation N (OP on TABLE): ERROR: DETAILS" in 'err' for the first failure (a failure at
 * commit time, one entry past the operations, is reported as "commit"). */
int dvs_txn_check(const struct dvs_txn *txn, const json_t *result, struct dvs_err *err);
/* The uuid that insert operation 'op_index' created, from a successful result (borrowed),
 * or NULL. */
const char *dvs_txn_insert_uuid(const json_t *result, int op_index);

/* Sends the transaction (which stays the caller's) as a "transact" request.  Returns what
 * dvs_client_request() returns; 'cb' gets the raw result: check it with dvs_txn_check(). */
int dvs_txn_send(const struct dvs_txn *txn, struct dvs_client *c, dvs_client_reply_cb *cb, void *arg);
