/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* An OVSDB (RFC 7047) JSON-RPC session on a dvs_loop: connects, reconnects with bounded
 * exponential backoff (with jitter, so a thousand hosts do not hammer a restarted dvs-db in
 * step), answers the server's "echo", probes an idle server, and matches replies to
 * requests.  idl.c builds the replica on top; txn.c sends transactions through it.
 * Loop thread only. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct dvs_loop;
struct dvs_client;

struct dvs_client_opts {
	uint32_t backoff_min_ms;    /* first retry delay (default 100) */
	uint32_t backoff_max_ms;    /* the cap (default 8000) */
	uint32_t probe_interval_ms; /* echo after this much silence, drop after twice (default
				     * 5000; 0: never) */
	size_t max_msg_size;        /* largest message accepted from the server (default 0:
				     * DVS_JSONRPC_MAX_MSG_DEFAULT, 4 MiB); a monitor's first
				     * reply grows with the rows it holds */
};

struct dvs_client_cbs {
	/* A session is up.  Requests may be sent from here. */
	void (*connected)(void *arg, struct dvs_client *c);
	/* The session went down ('err' < 0: why).  Pending replies were already failed. */
	void (*disconnected)(void *arg, struct dvs_client *c, int err);
	/* A notification ("update", "update2", "locked", ...); 'params' borrowed. */
	void (*notify)(void *arg, struct dvs_client *c, const char *method, const json_t *params);
};

/* A reply: 'status' 0 with 'result', 1 with 'error' (the JSON-RPC error member), or -errno
 * when no reply will come (-ECONNRESET: the session dropped; -ECANCELED: the client is being
 * destroyed).  'result' and 'error' are borrowed for the call. */
typedef void dvs_client_reply_cb(void *arg, int status, const json_t *result, const json_t *error);

/* Creates a client for 'addr' ("unix:PATH", "tcp:IP:PORT", or a bare path) and schedules the
 * first connection attempt on 'loop' (it runs from the loop, never inside this call).
 * 'opts' and 'cbs' may be NULL; both are copied.  Returns NULL with errno set. */
struct dvs_client *dvs_client_create(struct dvs_loop *loop, const char *addr,
				     const struct dvs_client_opts *opts,
				     const struct dvs_client_cbs *cbs, void *arg);
/* Closes the session and fails pending replies with -ECANCELED.  Not from inside one of this
 * client's callbacks.  Accepts NULL. */
void dvs_client_destroy(struct dvs_client *c);

bool dvs_client_is_connected(const struct dvs_client *c);
const char *dvs_client_addr(const struct dvs_client *c);

/* Sends a request; 'params' is stolen.  Returns 0 when 'cb' (may be NULL) will run exactly
 * once with the outcome (also when the write fails: the session is then dropped, for
 * example because the server stopped reading, and 'cb' gets -ECONNRESET), or -ENOTCONN or
 * -ENOMEM when nothing was sent and 'cb' will not run. */
int dvs_client_request(struct dvs_client *c, const char *method, json_t *params,
		       dvs_client_reply_cb *cb, void *arg);

/* Drops the session (if any) and reconnects after the current backoff.  Used when the
 * application finds the session's state unusable (a replica out of step).  Safe inside
 * callbacks. */
void dvs_client_reconnect(struct dvs_client *c);

struct dvs_client_stats {
	uint64_t n_attempts;      /* connection attempts */
	uint64_t n_connects;      /* successful ones */
	uint64_t last_attempt_ms; /* dvs_now_ms() of the last attempt */
	uint32_t backoff_ms;      /* delay that the next failure will wait (before jitter) */
};
void dvs_client_get_stats(const struct dvs_client *c, struct dvs_client_stats *s);
