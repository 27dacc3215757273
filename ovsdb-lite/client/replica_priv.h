/* SPDX-License-Identifier: Apache-2.0 */
/* The replica's internals, shared by replica.c (rows, updates, callbacks) and replica_file.c
 * (save and load).  Not part of the client library's interface. */
#ifndef DVS_OVSDB_CLIENT_REPLICA_PRIV_H
#define DVS_OVSDB_CLIENT_REPLICA_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "replica.h"
#include "wire.h"

struct table_cb {
	struct table_cb *next;
	char *table; /* NULL: every table */
	dvs_replica_row_cb *cb;
	void *arg;
};

struct row_watch {
	struct row_watch *next;
	long handle;
	char *table;
	char *uuid;
	dvs_replica_row_cb *cb;
	void *arg;
	bool dead; /* unwatched from inside a callback; freed after dispatch */
};

struct rtable {
	char *name;
	struct dvs_wire_column *cols;
	size_t n_cols;
	json_t *schema; /* {"columns": {...}} of the kept columns, for save/load */
	json_t *rows;   /* uuid -> row */
	json_t *where; /* local filter (plain-monitor fallback), or NULL */
	/* 'rows' as JSON text when last saved, NULL after a change, and each row's text
	 * (uuid -> string), dropped when the row changes: a host saves its replica after every
	 * applied generation, and re-dumping a thousand unchanged Host rows and a hundred
	 * PortGroup rows for one changed group was most of the cost of a port-group change on
	 * a simulated host. */
	char *text;
	json_t *row_text;
	char *schema_text; /* 'schema' as JSON text, once saved (it never changes) */
};

struct dvs_replica {
	struct rtable *tables;
	size_t n_tables;
	/* Table callbacks by name, so they can be registered before the schema is known. */
	struct table_cb *cbs;
	struct row_watch *watches;
	long next_handle;
	int dispatching;
	dvs_replica_batch_cb *batch_cb;
	void *batch_arg;
};

/* The table called 'name', or NULL. */
struct rtable *replica_find_table(const struct dvs_replica *r, const char *name);
/* Builds a full canonical row from a server row that may omit default-valued columns.
 * 'base' (may be NULL) supplies columns 'src' lacks instead of the defaults.  Returns a new
 * row, or NULL if a value is malformed (the column name is in 'err'). */
json_t *replica_full_row(const struct rtable *t, const json_t *src, const json_t *base,
			 struct dvs_err *err);
/* Sets every registered table to the rows in 'fresh' (table -> uuid -> full row); returns the
 * number of rows that changed. */
size_t replica_apply_fresh(struct dvs_replica *r, json_t *fresh);
/* Ends a batch of 'n' row changes (the batch callback, if any and n > 0). */
void replica_batch_done(struct dvs_replica *r, size_t n);

#endif
