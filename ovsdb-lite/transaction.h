/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Transactions on the in-memory database.  Operations (execution.c) read and write rows
 * through a transaction, which keeps private copies of what it changes.  Commit checks
 * what RFC 7047 requires of the result (referential integrity, weak reference removal,
 * garbage collection of unreferenced non-root rows, index uniqueness, maxRows), then swaps
 * the new rows in.  After commit, the list of changes feeds the journal and the monitors;
 * the old row versions stay valid until the transaction is destroyed. */

#include <jansson.h>
#include <stdbool.h>

#include "table.h"

struct ovsdb_txn_row {
	struct hmap_node node; /* in txn->rows, by uuid */
	struct ovsdb_table *table;
	struct uuid uuid;
	struct ovsdb_row *old;  /* committed version, NULL if inserted by this transaction */
	struct ovsdb_row *new_; /* new version, NULL if deleted; == old if only refs change */
	int64_t ref_delta;      /* change in strong references to this row */
	bool changed_any;       /* after commit: some column differs between old and new */
	uint8_t changed[];      /* after commit: per column, 1 if it differs */
};

struct ovsdb_txn {
	struct ovsdb_db *db;
	struct hmap rows;
	struct ovsdb_txn_row **list; /* in the order rows entered the transaction */
	uint32_t n_list, cap_list;
	bool committed;
};

struct ovsdb_txn *ovsdb_txn_create(struct ovsdb_db *db);
/* Frees the transaction.  Uncommitted changes are discarded; after a commit, frees the
 * replaced row versions.  Accepts NULL. */
void ovsdb_txn_destroy(struct ovsdb_txn *txn);

/* The current version of row 'uuid' in 'table' as this transaction sees it, or NULL. */
struct ovsdb_row *ovsdb_txn_get_row(const struct ovsdb_txn *txn, struct ovsdb_table *table,
				    const struct uuid *uuid);
/* Adds a new row (stolen; its _uuid must be set). */
void ovsdb_txn_insert(struct ovsdb_txn *txn, struct ovsdb_row *row);
/* Returns a version of 'row' (as returned by get_row or iteration) this transaction may
 * write. */
struct ovsdb_row *ovsdb_txn_modify(struct ovsdb_txn *txn, struct ovsdb_row *row);
void ovsdb_txn_delete(struct ovsdb_txn *txn, struct ovsdb_row *row);

/* Calls 'cb' for every row of 'table' as the transaction sees it.  'cb' must not change
 * the transaction; collect rows first.  Stops when cb returns false. */
typedef bool ovsdb_txn_row_cb(struct ovsdb_row *row, void *aux);
void ovsdb_txn_for_each_row(const struct ovsdb_txn *txn, struct ovsdb_table *table,
			    ovsdb_txn_row_cb *cb, void *aux);
/* Number of rows in 'table' as the transaction sees it. */
size_t ovsdb_txn_table_size(const struct ovsdb_txn *txn, const struct ovsdb_table *table);

/* Checks and applies.  Returns NULL, or a new error ("referential integrity violation",
 * "constraint violation") and then the database is unchanged. */
json_t *ovsdb_txn_commit(struct ovsdb_txn *txn);
/* After commit: true if the transaction changed any row. */
bool ovsdb_txn_has_changes(const struct ovsdb_txn *txn);
/* After commit: true if 'tr' is a real change (insert, delete or modify). */
static inline bool ovsdb_txn_row_is_change(const struct ovsdb_txn_row *tr)
{
	return (tr->old || tr->new_) && (tr->old != tr->new_);
}
/* The change as a journal record entry: null (delete) or an object of changed columns. */
json_t *ovsdb_txn_row_to_journal(const struct ovsdb_txn_row *tr);
/* The transaction as a journal record: {"table": {"uuid": change}}, or NULL if empty. */
json_t *ovsdb_txn_to_journal(const struct ovsdb_txn *txn);
struct json_text;
/* Same record written as text into 't' (faster: no jansson tree).  Returns false (and
 * writes nothing) if the transaction changed nothing. */
bool ovsdb_txn_write_journal(const struct ovsdb_txn *txn, struct json_text *t);
/* Applies a journal record to the database without the commit checks (replay trusts what
 * it wrote).  Returns NULL or a new error for a malformed record. */
json_t *ovsdb_txn_replay(struct ovsdb_db *db, const json_t *record);
