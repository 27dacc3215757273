/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* One client session of dvs-db: the RFC 7047 methods (list_dbs, get_schema, transact,
 * cancel, monitor, monitor_cond, monitor_cond_change, monitor_cancel, lock, steal, unlock,
 * echo), its monitors, its pending "wait" transactions and its locks.  Outgoing messages
 * are queued and only sent by ovsdb_session_flush() after the iteration's commit is
 * durable (server.c). */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "input.h"
#include "json_text.h"
#include "monitor.h"

struct dvs_jsonrpc;
struct ovsdb_server;
struct ovsdb_monitor;
struct ovsdb_txn;
struct ovsdb_trigger;

/* Serialised text shared by every session that gets the same notification: identical
 * monitors cost one serialisation per commit, not one per client (OVS's json cache). */
struct ovsdb_shared_text {
	unsigned refcnt;
	size_t len;
	char data[];
};

struct ovsdb_out_item {
	json_t *msg;                          /* a whole message, or */
	json_t *result, *error, *reply_id;    /* a reply (written without building it; or with
					       * 'payload' as its result, already text), or */
	const char *method;                   /* "update"/"update2" notification with */
	json_t *mon_id;                       /*   this monitor id and */
	struct ovsdb_shared_text *payload;    /*   this serialised <table-updates> */
};

struct ovsdb_session {
	struct ovsdb_session *next, *prev;
	struct ovsdb_interest interest; /* of its monitors: a commit that cannot concern them
					 * skips the session (beside 'next', one cache miss) */
	struct ovsdb_server *server;
	struct dvs_jsonrpc *rpc; /* socket and name only: framing and output are ours */
	struct ovsdb_input in;
	struct ovsdb_out_item *outq; /* held until the iteration's commit is durable */
	size_t n_out, cap_out;
	struct json_text out; /* serialised output not yet accepted by the socket */
	size_t ostart;        /* bytes of 'out' already written */
	/* The last flush whose output alone was over --max-backlog (a large monitor's initial
	 * contents): its size, and the unwritten bytes up to its end (0 once it is written).
	 * Its unwritten part, min(size, end), does not count against the limit. */
	size_t excused_size, excused_end;
	struct ovsdb_monitor **monitors;
	size_t n_monitors;
	struct ovsdb_trigger *triggers; /* pending "wait" transactions, in arrival order */
	bool closing; /* protocol error: flush what is queued, then close */
	bool dead;    /* close at the end of the iteration */
	uint64_t deferred_seq; /* input put off by the budget (order of that), or 0 */
	uint32_t events; /* what the loop watches for this socket */
};

/* Wraps an accepted socket ('fd' is owned).  NULL with errno on failure. */
struct ovsdb_session *ovsdb_session_create(struct ovsdb_server *s, int fd, const char *name);
/* Releases locks (passing them on), monitors and triggers, closes the socket. */
void ovsdb_session_destroy(struct ovsdb_session *ss);
/* Queues 'msg' (stolen) for the next flush. */
void ovsdb_session_queue(struct ovsdb_session *ss, json_t *msg);
void ovsdb_out_item_clear(struct ovsdb_out_item *it);

/* Output (session_out.c). */
/* Serialises queued messages and sends them.  Returns 0, or -errno when the session must be
 * closed (-ENOBUFS: the client does not read and its backlog hit the limit). */
int ovsdb_session_flush(struct ovsdb_session *ss);
/* Writes what the socket takes: 0 when all is written, -EAGAIN if some remains, or -errno. */
int ovsdb_session_write(struct ovsdb_session *ss);

/* Request handling per iteration: a session gets at most a slice; once the budget is spent
 * the others wait for the next iteration, the oldest of them served first, whatever the
 * budget ('forced'). */
#define OVSDB_ITERATION_BUDGET_US 50000
#define OVSDB_SESSION_SLICE_US 10000
/* True if the session has requests it had no time for (the loop must not sleep). */
bool ovsdb_session_input_pending(const struct ovsdb_session *ss);
/* Handles such requests: within this iteration's budget, or for one slice if 'forced'. */
void ovsdb_session_resume_input(struct ovsdb_session *ss, bool forced);

/* Per-commit cache of notifications shared by identical monitors. */
struct ovsdb_txn_index;
struct ovsdb_share_cache {
	size_t n, cap;
	struct {
		const char *key;
		struct ovsdb_shared_text *text; /* NULL: nothing for this kind of monitor */
	} *e;
	struct ovsdb_txn_index *ix; /* the commit's rows by column value, built on first use */
};
void ovsdb_share_cache_clear(struct ovsdb_share_cache *c);
/* Queues this session's monitor notifications for committed 'txn'. */
void ovsdb_session_publish(struct ovsdb_session *ss, const struct ovsdb_txn *txn,
			   struct ovsdb_share_cache *cache);
/* Re-runs pending "wait" transactions (after a commit, or at a deadline). */
void ovsdb_session_run_triggers(struct ovsdb_session *ss, uint64_t now_ms);
/* Milliseconds until the earliest trigger deadline, or -1. */
int64_t ovsdb_session_next_deadline(const struct ovsdb_session *ss, uint64_t now_ms);
