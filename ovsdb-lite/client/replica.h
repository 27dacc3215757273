/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The local replica of monitored OVSDB tables: rows as jansson objects keyed by uuid, fed with
 * RFC 7047 "update" or ovsdb-server "update2" table-updates, with per-table and per-row change
 * callbacks.  A snapshot (a monitor reply after a reconnect, or a file saved earlier) is
 * applied as a diff against what the replica holds, so the application sees only the net
 * changes.  No I/O apart from save/load: idl.c wires it to a connection, and unit tests feed
 * it JSON directly.  Single-threaded: the owner's thread only. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct dvs_replica;

enum dvs_row_change {
	DVS_ROW_INSERT,
	DVS_ROW_MODIFY,
	DVS_ROW_DELETE,
};

const char *dvs_row_change_name(enum dvs_row_change c);

/* Called after a row changed.  'old' is NULL for an insert, 'new' NULL for a delete; both are
 * full rows (every monitored column, canonical form) and borrowed for the call only.  The
 * replica already holds 'new' when this runs.  A callback may read the replica and add or
 * remove callbacks, but must not feed it updates. */
typedef void dvs_replica_row_cb(void *arg, const char *table, const char *uuid,
				enum dvs_row_change change, const json_t *old, const json_t *new);
/* Called once after each applied message (update, snapshot, load) that changed 'n_changes'
 * rows (> 0): the point to rebuild derived state once per batch. */
typedef void dvs_replica_batch_cb(void *arg, size_t n_changes);

/* Returns a new empty replica, or NULL with errno set. */
struct dvs_replica *dvs_replica_create(void);
/* Frees rows and callbacks, without calling any.  Accepts NULL. */
void dvs_replica_destroy(struct dvs_replica *r);

/* Registers 'table' with its schema (borrowed: the table's object from get_schema), keeping
 * only 'columns' (a NULL-terminated list; NULL for every column).  Returns 0, -EEXIST, or
 * -EINVAL with the reason in 'err' (unknown column, bad type). */
int dvs_replica_add_table(struct dvs_replica *r, const char *table, const json_t *table_schema,
			  const char *const *columns, struct dvs_err *err);
bool dvs_replica_has_table(const struct dvs_replica *r, const char *table);
/* The monitored column names of 'table' as a new JSON array, or NULL if unknown. */
json_t *dvs_replica_columns(const struct dvs_replica *r, const char *table);

/* Keeps only rows of 'table' that match 'where' (a monitor_cond condition, borrowed and
 * copied; NULL removes the filter).  Used when the server has no monitor_cond.  Rows already
 * held are not re-evaluated until the next update or snapshot.  Returns 0 or -ENOENT. */
int dvs_replica_set_filter(struct dvs_replica *r, const char *table, const json_t *where);

/* Adds a callback for changes in 'table' (NULL: every table), which need not be registered
 * yet.  Callbacks run in registration order.  Returns 0 or -ENOMEM. */
int dvs_replica_on_table(struct dvs_replica *r, const char *table, dvs_replica_row_cb *cb, void *arg);
/* Adds a callback for changes to one row (which need not exist yet).  Returns a handle > 0
 * for dvs_replica_unwatch(), or -errno. */
long dvs_replica_watch_row(struct dvs_replica *r, const char *table, const char *uuid,
			   dvs_replica_row_cb *cb, void *arg);
void dvs_replica_unwatch(struct dvs_replica *r, long handle);
void dvs_replica_set_batch_cb(struct dvs_replica *r, dvs_replica_batch_cb *cb, void *arg);

/* Applies <table-updates> ('version' 1, RFC "update") or <table-updates2> ('version' 2,
 * "update2") incrementally.  Unknown tables and columns are ignored.  Returns 0, or -EPROTO
 * with the reason in 'err' for malformed input or a "modify" of a row the replica does not
 * hold (the replica is then out of step: resynchronise with a fresh snapshot).  Rows before
 * the bad one stay applied. */
int dvs_replica_apply_update(struct dvs_replica *r, const json_t *updates, int version,
			     struct dvs_err *err);
/* Applies a complete snapshot of every registered table (a monitor/monitor_cond reply):
 * rows it does not contain are deleted, rows that differ are modified, identical rows cause
 * no callback.  Returns 0 or -EPROTO (nothing applied). */
int dvs_replica_apply_snapshot(struct dvs_replica *r, const json_t *updates, int version,
			       struct dvs_err *err);

/* Rows of 'table' as an object uuid -> row (borrowed; valid until the next apply), or NULL if
 * the table is unknown. */
const json_t *dvs_replica_rows(const struct dvs_replica *r, const char *table);
/* One row (borrowed), or NULL. */
const json_t *dvs_replica_get(const struct dvs_replica *r, const char *table, const char *uuid);
size_t dvs_replica_n_rows(const struct dvs_replica *r, const char *table);
/* The first row whose 'column' equals 'value' (a linear scan).  Returns the row (borrowed) and
 * its uuid in *uuid (borrowed), or NULL. */
const json_t *dvs_replica_find(const struct dvs_replica *r, const char *table, const char *column,
			       const json_t *value, const char **uuid);

/* Writes every registered table to 'path' atomically (temporary file, fsync, rename), so a
 * daemon can start from its last known state while the database is unreachable.
 * Returns 0 or -errno. */
int dvs_replica_save(const struct dvs_replica *r, const char *path);
/* Applies the file written by dvs_replica_save() as a snapshot (callbacks fire as for one).
 * Returns 0, -ENOENT, or -EPROTO with the reason in 'err'. */
int dvs_replica_load(struct dvs_replica *r, const char *path, struct dvs_err *err);
