/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The IDL: a dvs_replica kept in step with a database over a dvs_client.  On each connection
 * it fetches the schema, asks for a conditional monitor ("monitor_cond", update2) of the
 * declared tables, or a plain RFC "monitor" filtered locally when the server has no
 * monitor_cond, and applies the reply as a snapshot diff, so a reconnect shows the
 * application only what changed while it was away.  What controller, switchd and dvsctl
 * --wait use.  Loop thread only. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "client.h"
#include "replica.h"

struct dvs_loop;
struct dvs_idl;

/* Creates an IDL for database 'db' at 'addr' (see dvs_client_create).  Nothing is monitored
 * until tables are declared; the first connection attempt runs from the loop.  Returns NULL
 * with errno set. */
struct dvs_idl *dvs_idl_create(struct dvs_loop *loop, const char *addr, const char *db,
			       const struct dvs_client_opts *opts);
void dvs_idl_destroy(struct dvs_idl *idl); /* accepts NULL; not from its callbacks */

/* Declares a table to replicate: 'columns' (NULL-terminated, NULL: all) and the condition
 * 'where' (borrowed; NULL or []: every row; an array of clauses and booleans, true if any
 * is, as in monitor_cond).  Takes effect at the next connection if one is up already.
 * Returns 0, -EEXIST or -ENOMEM. */
int dvs_idl_monitor(struct dvs_idl *idl, const char *table, const char *const *columns,
		    const json_t *where);
/* Replaces the condition of a declared table (borrowed).  Connected: monitor_cond_change (or,
 * on the plain-monitor fallback, a fresh monitor diffed against the replica), so rows that
 * stop matching are deleted and rows that start matching are inserted, each exactly once.
 * Returns 0 or -ENOENT. */
int dvs_idl_set_condition(struct dvs_idl *idl, const char *table, const json_t *where);

/* The replica, to register callbacks (dvs_replica_on_table, ..._watch_row) and read rows. */
struct dvs_replica *dvs_idl_replica(struct dvs_idl *idl);
/* The session, to send transactions (dvs_txn_send). */
struct dvs_client *dvs_idl_client(struct dvs_idl *idl);

/* True when the replica reflects the server as of the current session: the monitor reply
 * was applied and every condition change was acknowledged. */
bool dvs_idl_is_synced(const struct dvs_idl *idl);
/* Uses a plain RFC "monitor" with local filtering from the next session on, as if the server
 * lacked monitor_cond: for servers known to lack it, and for tests of the fallback. */
void dvs_idl_force_plain_monitor(struct dvs_idl *idl);
/* True if the server lacked monitor_cond and the IDL fell back to a filtered "monitor". */
bool dvs_idl_is_fallback(const struct dvs_idl *idl);
/* Called when dvs_idl_is_synced() becomes true or false. */
typedef void dvs_idl_sync_cb(void *arg, struct dvs_idl *idl, bool synced);
void dvs_idl_set_sync_cb(struct dvs_idl *idl, dvs_idl_sync_cb *cb, void *arg);

/* Starts from a replica file written by dvs_replica_save() (callbacks fire as inserts), for
 * a daemon that must work before the database answers.  Returns 0, -ENOENT or -EPROTO. */
int dvs_idl_load(struct dvs_idl *idl, const char *path, struct dvs_err *err);

struct dvs_idl_stats {
	uint64_t n_snapshots; /* monitor replies applied */
	uint64_t n_updates;   /* update/update2 notifications applied */
	uint64_t n_resyncs;   /* sessions dropped because the replica was out of step */
};
void dvs_idl_get_stats(const struct dvs_idl *idl, struct dvs_idl_stats *s);
