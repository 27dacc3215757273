/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* dvsctl's side of the cluster contract (docs/design/cluster.md) over the ovsdb-lite sync
 * client: reading rows, the intent transaction (Global.generation += 1, the new value in the
 * changed rows, durable commit), --wait on Host.applied_generation, and turning database
 * errors into exit codes and plain messages.  Every function prints its own errors. */

#include <jansson.h>
#include <stdbool.h>

#include "dvsctl.h"
#include "ovsdb-lite/client/txn.h"

#define DVSCTL_DB_NAME "DVS"

/* Opens ctx->dbc unless open.  Returns DVSCTL_OK, DVSCTL_USAGE (bad address) or
 * DVSCTL_NO_CONNECT after printing why. */
int dvsctl_db_connect(struct dvsctl_ctx *ctx);
void dvsctl_db_disconnect(struct dvsctl_ctx *ctx);

/* Selects the rows of 'table' matching 'where' (stolen; NULL: all).  Returns DVSCTL_OK with
 * *rows (new array), or an exit code after printing why. */
int dvsctl_db_select(struct dvsctl_ctx *ctx, const char *table, json_t *where, json_t **rows);
/* The row of 'table' whose index column 'col' is 'value': *row (new) or NULL if none. */
int dvsctl_db_get(struct dvsctl_ctx *ctx, const char *table, const char *col, const char *value,
		  json_t **row);

/* ---- wire values of selected rows (borrowed from the row) ---- */

/* The single value of a scalar or optional column, NULL when absent or empty. */
const json_t *dvsctl_db_atom(const json_t *row, const char *col);
const char *dvsctl_db_str(const json_t *row, const char *col);  /* NULL if absent */
json_int_t dvsctl_db_int(const json_t *row, const char *col, json_int_t dflt);
/* The uuid string of a reference column (or "_uuid"), NULL if absent. */
const char *dvsctl_db_uuid(const json_t *row, const char *col);
/* A set column's atoms as a plain array (new). */
json_t *dvsctl_db_list(const json_t *row, const char *col);
/* A map column as a plain object (new; keys must be strings). */
json_t *dvsctl_db_map(const json_t *row, const char *col);
/* A row as plain JSON for --format json (new): optional columns as their value or null, set
 * columns as arrays, maps as objects, uuids as strings; _version dropped. */
json_t *dvsctl_db_plain(const json_t *row);
/* Converts a plain object into ["map", [[k, v]...]] (stolen; new). */
json_t *dvsctl_db_wire_map(json_t *obj);

/* ---- intent changes ---- */

/* Adds the command's operations to 'txn' once the new generation 'gen' is known (the rows it
 * writes take "generation": gen).  Returns DVSCTL_OK or an exit code after printing why. */
typedef int dvsctl_db_build_fn(struct dvsctl_ctx *ctx, struct dvs_txn *txn, json_int_t gen,
			       void *arg);
/* Explains a refused operation ('error' and 'details' from the server) in the command's
 * words.  Returns the exit code after printing, or -1 to let the generic message through. */
typedef int dvsctl_db_explain_fn(struct dvsctl_ctx *ctx, const char *error, const char *details,
				 void *arg);

struct dvsctl_intent {
	dvsctl_db_build_fn *build;
	dvsctl_db_explain_fn *explain; /* may be NULL */
	void *arg;
	/* Affected hosts for --wait: an array of host names (borrowed), or NULL for a cluster-wide
	 * change (every host whose status is up). */
	const json_t *hosts;
	/* out */
	json_int_t generation;
	json_t *result; /* the transaction's result (new; the caller releases it) */
	int first_op;   /* index in 'result' of the command's first operation */
};

/* Runs the intent change: reads Global.generation G, then one transaction that verifies G is
 * still current, mutates it to G+1, adds the command's operations, selects Global and commits
 * durably; retried (a few times) when a concurrent change got in first.  Creates the Global
 * row if there is none yet (no controller has run).  With ctx->wait, then waits for the
 * affected hosts.  Prints the outcome (--format json: {"generation", "hosts"}).  Returns an
 * exit code. */
int dvsctl_db_commit(struct dvsctl_ctx *ctx, struct dvsctl_intent *in);

/* Waits until every host in 'hosts' (names; NULL: every up host) has applied_generation >=
 * 'gen', polling, for at most ctx->timeout_ms.  DVSCTL_FAILED on timeout, after naming the
 * hosts that have not and their applied generation. */
int dvsctl_db_wait(struct dvsctl_ctx *ctx, json_int_t gen, const json_t *hosts);

/* Adds 'name' to the array of names 'set' unless there or NULL/empty. */
void dvsctl_db_name_add(json_t *set, const char *name);
