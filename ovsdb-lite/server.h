/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* dvs-db's server object: one database, its storage, the listening remotes and the client
 * sessions (jsonrpc_server.c).  Runs on one thread around a dvs_loop.  The commit pipeline
 * is what makes group commit work: transactions executed during one loop iteration append
 * their records, then ovsdb_server_run_once() makes them durable with one commit() and only
 * then sends the replies and monitor updates queued during the iteration. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "json_text.h"
#include "storage.h"
#include "table.h"

struct dvs_loop;
struct ovsdb_session;
struct ovsdb_txn;

struct ovsdb_server_opts {
	bool sync_always;    /* fsync every commit (default); else only "durable":true ones */
	size_t max_msg_size; /* bytes per incoming message (0: default) */
	size_t max_backlog;  /* bytes queued for one client before it is dropped (0: default) */
	uint64_t compact_min;/* journal size that triggers automatic compaction (0: default) */
};

struct ovsdb_server {
	struct dvs_loop *loop;
	struct ovsdb_db *db;
	struct ovsdb_storage *storage;
	json_t *schema_json;
	struct ovsdb_server_opts opts;

	struct ovsdb_session *sessions; /* doubly linked list */
	size_t n_sessions;
	struct hmap locks;              /* struct ovsdb_lock by name */
	int *listen_fds;
	char **listen_names;
	size_t n_listen;

	bool need_commit;  /* records appended this iteration */
	bool need_sync;    /* ... one of which asked for durability */
	bool committed;    /* the database changed this iteration (re-run "wait"s) */
	bool compact_requested;
	uint64_t n_commits, n_batches;
	uint64_t last_compact_ms;
	uint64_t busy_us;    /* time spent handling requests this iteration */
	uint64_t n_deferred; /* sessions put off to the next iteration by the budget */
	struct json_text record; /* scratch buffer for journal records */
	struct json_text reply;  /* ... and for a transaction's result */
};

/* Creates a server for the database in 'storage' (stolen): reads the schema and replays
 * the history.  Returns NULL with errno (and a logged reason) on failure. */
struct ovsdb_server *ovsdb_server_create(struct dvs_loop *loop, struct ovsdb_storage *storage,
					 const struct ovsdb_server_opts *opts);
void ovsdb_server_destroy(struct ovsdb_server *s);
/* Listens on "punix:PATH" or "ptcp:PORT[:IP]".  Returns 0 or -errno. */
int ovsdb_server_add_remote(struct ovsdb_server *s, const char *remote);
/* Runs one loop iteration, then the commit pipeline.  Returns 0 or -errno (storage failed:
 * the caller must exit, the in-memory database is ahead of the disk). */
int ovsdb_server_run_once(struct ovsdb_server *s, int max_wait_ms);
/* Writes a committed transaction's record to storage and queues the monitor updates.
 * Takes ownership of 'txn'. */
void ovsdb_server_publish(struct ovsdb_server *s, struct ovsdb_txn *txn, bool durable);
/* Compacts now.  Returns 0 or -errno. */
int ovsdb_server_compact(struct ovsdb_server *s);
