/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The "transact" method (RFC 7047 4.1.3 and 5.2): parses and runs each operation against a
 * transaction, builds the result array, and commits.  Writing the commit to storage and
 * telling monitors is the caller's job (server.c), so that commits can share an fsync. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "table.h"
#include "transaction.h"

struct ovsdb_exec_opts {
	/* For the "assert" operation: does the calling session own lock 'name'? */
	bool (*has_lock)(void *aux, const char *name);
	void *aux;
	/* Set when re-running a "wait" whose timeout has expired. */
	bool timed_out;
};

struct ovsdb_exec_result {
	json_t *reply;          /* the result array (new), NULL when must_wait */
	struct ovsdb_txn *txn;  /* committed transaction with changes, or NULL (caller destroys) */
	bool durable;           /* a "commit" operation asked for durability */
	bool must_wait;         /* a "wait" is not satisfied yet: run again later */
	int64_t wait_timeout_ms;/* when must_wait: the smallest timeout, -1 for none */
};

/* Executes 'params' ([db-name, operation...], borrowed) against 'db'.  Never fails as a
 * whole: errors are reported inside the result array, as RFC 7047 specifies. */
void ovsdb_execute(struct ovsdb_db *db, const json_t *params, const struct ovsdb_exec_opts *opts,
		   struct ovsdb_exec_result *res);
/* The same, with the result array appended to 'text' (byte for byte what serialising
 * res->reply would give) and res->reply NULL; nothing is appended when must_wait.  For the
 * server's replies: an insert's result is written without a jansson tree. */
struct json_text;
void ovsdb_execute_text(struct ovsdb_db *db, const json_t *params, const struct ovsdb_exec_opts *opts,
			struct ovsdb_exec_result *res, struct json_text *text);
