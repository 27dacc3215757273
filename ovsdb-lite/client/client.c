/* SPDX-License-Identifier: Apache-2.0 */
/* The OVSDB client session: connect, backoff, dispatch, inactivity probe.
 *
 * States: no session (a timer will try to connect) or connected.  Every way down goes
 * through session_drop(), which fails the pending replies and schedules the next attempt, so
 * callers never see a request that silently vanished.  A generation number guards the read
 * loop: a callback that drops the session (dvs_client_reconnect) ends dispatch of the rest
 * of the old session's buffered messages. */

#define DVS_LOG_MODULE "dvs.ovsdb_client"

#include "client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonrpc.h"
#include "log.h"
#include "loop.h"

#define BACKOFF_MIN_DEFAULT 100
#define BACKOFF_MAX_DEFAULT 8000
#define PROBE_DEFAULT 5000

struct pending {
	struct pending *next;
	json_int_t id;
	dvs_client_reply_cb *cb;
	void *arg;
};

struct dvs_client {
	struct dvs_loop *loop;
	char *addr;
	struct dvs_client_opts opts;
	struct dvs_client_cbs cbs;
	void *arg;

	struct dvs_jsonrpc *conn; /* NULL while not connected */
	int fd;
	bool want_out;
	uint64_t gen;       /* bumped when a session ends */
	json_int_t next_id;
	struct pending *pending;

	struct dvs_timer *retry; /* armed while not connected */
	struct dvs_timer *probe; /* armed while connected, if probing */
	uint64_t last_rx_ms;
	bool probe_sent;
	uint64_t probe_sent_ms;
	bool heard; /* the server said something this session: reset the backoff */

	uint32_t backoff_ms;
	uint64_t n_attempts, n_connects, last_attempt_ms;
	unsigned int seed;
};

static void try_connect(struct dvs_loop *loop, struct dvs_timer *t, void *arg);

static uint32_t
jittered(struct dvs_client *c, uint32_t ms)
{
	/* Uniform in [ms/2, ms]: spread, but never past the cap. */
	return ms / 2 + (uint32_t)(rand_r(&c->seed) % (ms / 2 + 1));
}

static void
schedule_retry(struct dvs_client *c)
{
	uint32_t delay = jittered(c, c->backoff_ms);

	c->backoff_ms = DVS_MIN(c->backoff_ms * 2, c->opts.backoff_max_ms);
	if (c->retry)
		dvs_timer_rearm(c->loop, c->retry, delay);
	else
		c->retry = dvs_loop_add_timer(c->loop, delay, false, try_connect, c);
}

static void
fail_pending(struct dvs_client *c, int err)
{
	struct pending *p = c->pending;

	/* Detach first: a callback may send new requests on the next session. */
	c->pending = NULL;
	while (p) {
		struct pending *n = p->next;

		if (p->cb)
			p->cb(p->arg, err, NULL, NULL);
		free(p);
		p = n;
	}
}

/* Ends the session.  'err' < 0 says why (for logs and the disconnected callback). */
static void
session_drop(struct dvs_client *c, int err, bool notify)
{
	if (!c->conn)
		return;
	DVS_LOG(INFO, "%s: session down: %s", c->addr, strerror(-err));
	dvs_loop_del_fd(c->loop, c->fd);
	dvs_jsonrpc_close(c->conn);
	c->conn = NULL;
	c->fd = -1;
	c->gen++;
	dvs_timer_cancel(c->loop, c->probe);
	c->probe = NULL;
	if (c->heard)
		c->backoff_ms = c->opts.backoff_min_ms;
	schedule_retry(c);
	fail_pending(c, notify ? -ECONNRESET : -ECANCELED);
	if (notify && c->cbs.disconnected)
		c->cbs.disconnected(c->arg, c, err);
}

static void
update_out(struct dvs_client *c)
{
	bool want = dvs_jsonrpc_backlog(c->conn) > 0;

	if (want != c->want_out) {
		c->want_out = want;
		dvs_loop_mod_fd(c->loop, c->fd, DVS_LOOP_IN | (want ? DVS_LOOP_OUT : 0));
	}
}

static int
send_msg(struct dvs_client *c, json_t *msg)
{
	int r = dvs_jsonrpc_send(c->conn, msg);

	json_decref(msg);
	if (r < 0) {
		session_drop(c, r, true);
		return r;
	}
	update_out(c);
	return 0;
}

static void
handle_reply(struct dvs_client *c, const json_t *msg)
{
	const json_t *id = json_object_get(msg, "id"), *error = json_object_get(msg, "error");
	struct pending **pp, *p;

	if (!json_is_integer(id)) {
		DVS_LOG_RL(WARN, "%s: reply with a foreign id ignored", c->addr);
		return;
	}
	for (pp = &c->pending; *pp; pp = &(*pp)->next)
		if ((*pp)->id == json_integer_value(id))
			break;
	if (!(p = *pp)) {
		DVS_LOG_RL(WARN, "%s: reply to unknown request %" JSON_INTEGER_FORMAT, c->addr,
			   json_integer_value(id));
		return;
	}
	*pp = p->next;
	if (p->cb) {
		if (error && !json_is_null(error))
			p->cb(p->arg, 1, NULL, error);
		else
			p->cb(p->arg, 0, json_object_get(msg, "result"), NULL);
	}
	free(p);
}

static void
handle_msg(struct dvs_client *c, const json_t *msg)
{
	const json_t *method = json_object_get(msg, "method"), *id = json_object_get(msg, "id");
	const json_t *params = json_object_get(msg, "params");

	if (!method) {
		handle_reply(c, msg);
		return;
	}
	if (!json_is_string(method))
		return;
	if (id && !json_is_null(id)) {
		/* A request from the server: ovsdb-server probes with "echo". */
		if (!strcmp(json_string_value(method), "echo"))
			send_msg(c, dvs_jsonrpc_reply(json_incref((json_t *)params), id));
		else
			send_msg(c, dvs_jsonrpc_error_reply(json_string("unknown method"), id));
		return;
	}
	if (c->cbs.notify)
		c->cbs.notify(c->arg, c, json_string_value(method), params);
}

static void
on_fd(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct dvs_client *c = arg;
	uint64_t gen = c->gen;
	json_t *msg;
	int r;

	if (events & DVS_LOOP_OUT) {
		r = dvs_jsonrpc_flush(c->conn);
		if (r < 0 && r != -EAGAIN) {
			session_drop(c, r, true);
			return;
		}
		update_out(c);
	}
	if (!(events & (DVS_LOOP_IN | DVS_LOOP_ERR)))
		return;
	r = dvs_jsonrpc_read(c->conn);
	/* Dispatch what arrived even if the peer then closed: the last update counts. */
	for (;;) {
		int rr = dvs_jsonrpc_recv(c->conn, &msg);

		if (rr == -EAGAIN)
			break;
		if (rr < 0) {
			DVS_LOG_RL(WARN, "%s: bad message: %s", c->addr, dvs_jsonrpc_error(c->conn));
			session_drop(c, rr, true);
			return;
		}
		c->last_rx_ms = dvs_now_ms();
		c->probe_sent = false;
		c->heard = true;
		handle_msg(c, msg);
		json_decref(msg);
		if (c->gen != gen)
			return; /* a callback dropped this session */
	}
	if (r < 0 && r != -EAGAIN)
		session_drop(c, r, true);
}

static void
on_probe(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	struct dvs_client *c = arg;

	uint64_t now = dvs_now_ms();

	if (now - c->last_rx_ms < c->opts.probe_interval_ms)
		return;
	/* The echo gets a full interval to come back. */
	if (c->probe_sent && now - c->probe_sent_ms < c->opts.probe_interval_ms)
		return;
	if (c->probe_sent) {
		DVS_LOG(WARN, "%s: no answer to an echo in %u ms", c->addr, c->opts.probe_interval_ms);
		c->probe = NULL; /* session_drop must not cancel the running timer twice */
		dvs_timer_cancel(loop, t);
		session_drop(c, -ETIMEDOUT, true);
		return;
	}
	c->probe_sent = true;
	c->probe_sent_ms = now;
	dvs_client_request(c, "echo", json_array(), NULL, NULL);
}

static void
try_connect(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	struct dvs_client *c = arg;
	int fd;

	c->retry = NULL; /* one-shot: the loop frees it after this returns */
	c->n_attempts++;
	c->last_attempt_ms = dvs_now_ms();
	fd = dvs_stream_connect(c->addr);
	if (fd >= 0) {
		c->conn = dvs_jsonrpc_open(fd, c->opts.max_msg_size, 0);
		if (!c->conn)
			fd = -errno;
	}
	if (fd >= 0 && dvs_loop_add_fd(loop, fd, DVS_LOOP_IN, on_fd, c) < 0) {
		dvs_jsonrpc_close(c->conn);
		c->conn = NULL;
		fd = -EIO;
	}
	if (fd < 0) {
		DVS_LOG_RL(INFO, "%s: connect failed: %s; next attempt within %u ms", c->addr,
			   strerror(-fd), c->backoff_ms);
		schedule_retry(c);
		return;
	}
	c->fd = fd;
	c->want_out = false;
	c->heard = false;
	c->probe_sent = false;
	c->last_rx_ms = dvs_now_ms();
	c->n_connects++;
	dvs_jsonrpc_set_name(c->conn, c->addr);
	if (c->opts.probe_interval_ms)
		c->probe = dvs_loop_add_timer(loop, c->opts.probe_interval_ms / 2 + 1, true, on_probe, c);
	DVS_LOG(INFO, "%s: connected", c->addr);
	if (c->cbs.connected)
		c->cbs.connected(c->arg, c);
}

struct dvs_client *
dvs_client_create(struct dvs_loop *loop, const char *addr, const struct dvs_client_opts *opts,
		  const struct dvs_client_cbs *cbs, void *arg)
{
	struct dvs_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->loop = loop;
	c->fd = -1;
	c->arg = arg;
	c->next_id = 1;
	c->seed = (unsigned int)dvs_now_us();
	if (opts)
		c->opts = *opts;
	if (!c->opts.backoff_min_ms)
		c->opts.backoff_min_ms = BACKOFF_MIN_DEFAULT;
	if (!c->opts.backoff_max_ms)
		c->opts.backoff_max_ms = BACKOFF_MAX_DEFAULT;
	if (c->opts.backoff_max_ms < c->opts.backoff_min_ms)
		c->opts.backoff_max_ms = c->opts.backoff_min_ms;
	if (!opts)
		c->opts.probe_interval_ms = PROBE_DEFAULT;
	if (cbs)
		c->cbs = *cbs;
	c->backoff_ms = c->opts.backoff_min_ms;
	c->addr = strdup(addr);
	c->retry = c->addr ? dvs_loop_add_timer(loop, 0, false, try_connect, c) : NULL;
	if (!c->retry) {
		int e = errno ? errno : ENOMEM;

		free(c->addr);
		free(c);
		errno = e;
		return NULL;
	}
	return c;
}

void
dvs_client_destroy(struct dvs_client *c)
{
	if (!c)
		return;
	session_drop(c, -ECANCELED, false);
	fail_pending(c, -ECANCELED);
	dvs_timer_cancel(c->loop, c->retry);
	free(c->addr);
	free(c);
}

bool
dvs_client_is_connected(const struct dvs_client *c)
{
	return c->conn != NULL;
}

const char *
dvs_client_addr(const struct dvs_client *c)
{
	return c->addr;
}

int
dvs_client_request(struct dvs_client *c, const char *method, json_t *params,
		   dvs_client_reply_cb *cb, void *arg)
{
	struct pending *p, **tail;
	json_int_t id;

	if (!c->conn) {
		json_decref(params);
		return -ENOTCONN;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		json_decref(params);
		return -ENOMEM;
	}
	id = c->next_id++;
	p->id = id;
	p->cb = cb;
	p->arg = arg;
	/* Appended: replies mostly come in order, so the search stays short. */
	for (tail = &c->pending; *tail; tail = &(*tail)->next)
		;
	*tail = p;
	send_msg(c, dvs_jsonrpc_request(method, params, json_integer(id)));
	return 0;
}

void
dvs_client_reconnect(struct dvs_client *c)
{
	session_drop(c, -ECONNRESET, true);
}

void
dvs_client_get_stats(const struct dvs_client *c, struct dvs_client_stats *s)
{
	s->n_attempts = c->n_attempts;
	s->n_connects = c->n_connects;
	s->last_attempt_ms = c->last_attempt_ms;
	s->backoff_ms = c->backoff_ms;
}
