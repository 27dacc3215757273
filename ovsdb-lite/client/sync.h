/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Synchronous OVSDB calls for command-line tools (dvsctl): connect, call, wait for the
 * reply, with a timeout.  No loop, no replica; a daemon uses client.h and idl.h instead. */

#include <jansson.h>

#include "err.h"
#include "txn.h"

struct dvs_sync;

/* Connects to 'addr' ("unix:PATH", "tcp:IP:PORT", or a bare path).  'timeout_ms' bounds
 * each later call.  Returns NULL with errno set, and a message for users in 'err'. */
struct dvs_sync *dvs_sync_open(const char *addr, int timeout_ms, struct dvs_err *err);
void dvs_sync_close(struct dvs_sync *s); /* accepts NULL */

/* Calls 'method' with 'params' (stolen).  Returns 0 with *result (new), or -EIO when the
 * server answered with an error (its text in 'err'), -ETIMEDOUT, -EPIPE, -EPROTO. */
int dvs_sync_call(struct dvs_sync *s, const char *method, json_t *params, json_t **result,
		  struct dvs_err *err);
/* Waits up to 'timeout_ms' for the server's next notification (a monitor's "update"),
 * answering its echo probes.  Returns 0 with *msg (new: {"method", "params", "id": null}),
 * -ETIMEDOUT, or another -errno with the reason in 'err'. */
int dvs_sync_next_notification(struct dvs_sync *s, int timeout_ms, json_t **msg, struct dvs_err *err);
/* Runs 'txn'.  Returns 0 with *result (new; may be NULL if not wanted), or -EIO with the
 * failed operation in 'err' (see dvs_txn_check()), or another -errno. */
int dvs_sync_transact(struct dvs_sync *s, const struct dvs_txn *txn, json_t **result,
		      struct dvs_err *err);
/* The schema of 'db' (new reference), or NULL with the reason in 'err'. */
json_t *dvs_sync_get_schema(struct dvs_sync *s, const char *db, struct dvs_err *err);
