/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Monitors: "monitor" (RFC 7047 4.1.5, <table-updates>, "update" notifications) and OVS's
 * "monitor_cond" extension (<table-updates2>, "update2", per-table conditions that
 * "monitor_cond_change" replaces).  A monitor turns a committed transaction into the
 * notification its client should get; the session code (jsonrpc_server.c) sends it. */

#include <jansson.h>
#include <stdbool.h>

#include "condition.h"
#include "json_text.h"
#include "table.h"
#include "transaction.h"

enum ovsdb_monitor_version {
	OVSDB_MONITOR_V1, /* monitor / update */
	OVSDB_MONITOR_V2, /* monitor_cond / update2 */
};

struct ovsdb_monitor_table {
	struct ovsdb_table *table;
	struct ovsdb_column_set columns;
	bool initial, insert, delete_, modify;
	struct ovsdb_condition cond; /* V2 only; a row matches if any clause holds */
};

struct ovsdb_monitor {
	json_t *id; /* the client's <json-value> */
	enum ovsdb_monitor_version version;
	struct ovsdb_monitor_table *tables;
	uint32_t n_tables;
	/* Monitors with equal keys produce identical updates (no conditions), so a commit
	 * builds each distinct notification once.  NULL when conditions make it unique. */
	char *share_key;
};

/* Parses a monitor request.  Returns the monitor, or NULL with *error (new). */
struct ovsdb_monitor *ovsdb_monitor_create(struct ovsdb_db *db, const json_t *id, const json_t *requests,
					   enum ovsdb_monitor_version version, json_t **error);
void ovsdb_monitor_destroy(struct ovsdb_monitor *m);
/* The reply to the monitor request: current contents selected by "initial", written as
 * text to 't' (the server's path: no jansson tree for a whole table), or as a tree (new). */
void ovsdb_monitor_write_initial(const struct ovsdb_monitor *m, struct json_text *t);
json_t *ovsdb_monitor_initial(const struct ovsdb_monitor *m);
/* The <table-updates>/<table-updates2> for a committed transaction, or NULL if nothing this
 * monitor selects changed. (new) */
json_t *ovsdb_monitor_txn_updates(const struct ovsdb_monitor *m, const struct ovsdb_txn *txn);
/* The same, with the commit's rows looked up by value for monitors whose conditions are
 * all "column == value" (a per-host Port monitor), instead of every row checked against
 * every condition.  'ix' (may be NULL: scan) is shared by all monitors of one commit. */
struct ovsdb_txn_index;
struct ovsdb_txn_index *ovsdb_txn_index_create(const struct ovsdb_txn *txn);
void ovsdb_txn_index_destroy(struct ovsdb_txn_index *ix);
json_t *ovsdb_monitor_txn_updates_indexed(const struct ovsdb_monitor *m, const struct ovsdb_txn *txn,
					  struct ovsdb_txn_index *ix);
/* What a commit changed, or what monitors care about, per table (schema index % 16) as a
 * bitmap of columns (index % 64); bit 0 (_uuid, which never changes) stands for inserts
 * and deletes.  A collision only costs a needless check.  The server keeps one per session
 * and skips, for a commit, the sessions none of whose monitors it can concern: a heartbeat
 * walked a thousand sessions' monitors. */
#define OVSDB_INTEREST_TABLES 16
struct ovsdb_interest {
	uint64_t t[OVSDB_INTEREST_TABLES];
};
/* Adds to 'in' what 'm' selects or filters on. */
void ovsdb_monitor_add_interest(const struct ovsdb_monitor *m, struct ovsdb_interest *in);
/* Sets 'in' to what committed 'txn' changed. */
void ovsdb_txn_interest(const struct ovsdb_txn *txn, struct ovsdb_interest *in);
/* True if what 'changed' may concern monitors interested in 'in'. */
static inline bool ovsdb_interest_meets(const struct ovsdb_interest *in, const struct ovsdb_interest *changed)
{
	for (uint32_t i = 0; i < OVSDB_INTEREST_TABLES; i++)
		if (in->t[i] & changed->t[i])
			return true;
	return false;
}
/* Replaces conditions (monitor_cond_change).  On success returns NULL and sets *updates to
 * the inserts/deletes the change implies (new, or NULL if none); else a new error. */
json_t *ovsdb_monitor_change_cond(struct ovsdb_monitor *m, const json_t *requests, json_t **updates);
