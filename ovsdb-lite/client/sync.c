/* SPDX-License-Identifier: Apache-2.0 */
/* Blocking OVSDB calls over lib/jsonrpc's dvs_jsonrpc_call (which also answers the server's
 * echo probes while it waits). */

#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "jsonrpc.h"

struct dvs_sync {
	struct dvs_jsonrpc *conn;
	int timeout_ms;
	char addr[256];
};

struct dvs_sync *
dvs_sync_open(const char *addr, int timeout_ms, struct dvs_err *err)
{
	struct dvs_sync *s = calloc(1, sizeof(*s));
	int fd;

	if (!s)
		return NULL;
	fd = dvs_stream_connect(addr);
	if (fd < 0) {
		dvs_err_set(err, -fd, "cannot connect to the database at %s: %s (is dvs-db running? "
			    "set --db or DVS_DB)", addr, strerror(-fd));
		free(s);
		errno = -fd;
		return NULL;
	}
	s->conn = dvs_jsonrpc_open(fd, 0, 0);
	if (!s->conn) {
		int e = errno;

		dvs_err_set(err, e, "%s: %s", addr, strerror(e));
		free(s);
		errno = e;
		return NULL;
	}
	s->timeout_ms = timeout_ms;
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	dvs_jsonrpc_set_name(s->conn, addr);
	return s;
}

void
dvs_sync_close(struct dvs_sync *s)
{
	if (!s)
		return;
	dvs_jsonrpc_close(s->conn);
	free(s);
}

/* Renders an OVSDB error ({"error": ..., "details": ...} or a string) for users. */
static int
error_text(const json_t *error, const char *what, struct dvs_err *err)
{
	const char *e = json_is_string(error) ? json_string_value(error)
					      : json_string_value(json_object_get(error, "error"));
	const char *d = json_string_value(json_object_get(error, "details"));

	return dvs_err_set(err, EIO, "%s: %s%s%s", what, e ? e : "error", d ? ": " : "", d ? d : "");
}

int
dvs_sync_call(struct dvs_sync *s, const char *method, json_t *params, json_t **result,
	      struct dvs_err *err)
{
	json_t *error = NULL;
	int r = dvs_jsonrpc_call(s->conn, method, params, s->timeout_ms, result, &error);

	if (r == 1) {
		r = error_text(error, method, err);
		json_decref(error);
		*result = NULL;
		return r;
	}
	if (r < 0) {
		*result = NULL;
		return dvs_err_set(err, -r, "%s: %s: %s", s->addr, method,
				   r == -ETIMEDOUT ? "no reply in time" : strerror(-r));
	}
	return 0;
}

int
dvs_sync_next_notification(struct dvs_sync *s, int timeout_ms, json_t **msg, struct dvs_err *err)
{
	int r = dvs_jsonrpc_next_notification(s->conn, timeout_ms, msg);

	if (r < 0 && r != -ETIMEDOUT)
		return dvs_err_set(err, -r, "%s: %s", s->addr, strerror(-r));
	return r;
}

int
dvs_sync_transact(struct dvs_sync *s, const struct dvs_txn *txn, json_t **result,
		  struct dvs_err *err)
{
	json_t *res = NULL;
	int r = dvs_sync_call(s, "transact", dvs_txn_params(txn), &res, err);

	if (r == 0)
		r = dvs_txn_check(txn, res, err);
	if (result && r == 0)
		*result = res;
	else
		json_decref(res);
	return r;
}

json_t *
dvs_sync_get_schema(struct dvs_sync *s, const char *db, struct dvs_err *err)
{
	json_t *res = NULL;

	if (dvs_sync_call(s, "get_schema", json_pack("[s]", db), &res, err) < 0)
		return NULL;
	return res;
}
