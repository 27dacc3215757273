/* SPDX-License-Identifier: Apache-2.0 */
/* A JSON-RPC request/response server on a dvs_loop, listening on a unix socket: the switchd
 * control socket.  Requests are dispatched by method name from the owner's table; "echo" is
 * built in.  A client that sends garbage gets an error reply and is closed; a client that
 * stops reading is dropped once its reply backlog passes the limit; others keep being served. */

#include "jsonrpc.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define DVS_LOG_MODULE "dvs.rpc_server"
#include "err.h"
#include "log.h"
#include "loop.h"

#define RPC_SERVER_MAX_CONNS 256

struct rpc_conn {
	struct rpc_conn *next, **pprev;
	struct dvs_rpc_server *server;
	struct dvs_jsonrpc *rpc;
	int fd;
	uint32_t events; /* what the loop watches now */
};

struct dvs_rpc_server {
	struct dvs_loop *loop;
	const struct dvs_rpc_method *methods;
	void *ctx;
	int fd;
	char path[108];
	struct rpc_conn *conns;
	unsigned n_conns;
	unsigned long n_accepted;
	size_t max_msg_size, max_out_size;
};

json_t *
dvs_rpc_error(const char *kind, const char *fmt, ...)
{
	char details[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(details, sizeof(details), fmt, ap);
	va_end(ap);
	return json_pack("{s:s, s:s}", "error", kind, "details", details);
}

int
dvs_rpc_params_object(const json_t *params, json_t **obj, json_t **error)
{
	*obj = NULL;
	if (!params || json_is_null(params))
		return 0;
	if (!json_is_array(params) || json_array_size(params) > 1) {
		*error = dvs_rpc_error("invalid params",
				       "params must be an array holding at most one object");
		return -EINVAL;
	}
	if (json_array_size(params) == 0)
		return 0;
	*obj = json_array_get(params, 0);
	if (!json_is_object(*obj)) {
		*obj = NULL;
		*error = dvs_rpc_error("invalid params", "params[0] must be an object");
		return -EINVAL;
	}
	return 0;
}

static void
conn_destroy(struct rpc_conn *c)
{
	struct dvs_rpc_server *s = c->server;

	dvs_loop_del_fd(s->loop, c->fd);
	dvs_jsonrpc_close(c->rpc);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	s->n_conns--;
	free(c);
}

static const struct dvs_rpc_method *
find_method(const struct dvs_rpc_server *s, const char *name)
{
	for (const struct dvs_rpc_method *m = s->methods; m && m->name; m++) {
		if (!strcmp(m->name, name))
			return m;
	}
	return NULL;
}

/* Runs one request.  Returns the reply to send (new), or NULL for a notification. */
static json_t *
handle_request(struct dvs_rpc_server *s, struct rpc_conn *c, json_t *msg)
{
	json_t *method = json_object_get(msg, "method");
	json_t *params = json_object_get(msg, "params");
	json_t *id = json_object_get(msg, "id");
	bool notification = !id || json_is_null(id);
	const struct dvs_rpc_method *m;
	json_t *result = NULL, *error = NULL;
	const char *name;

	if (!json_is_string(method)) {
		/* A reply (we never send requests) or junk: nothing to answer a notification. */
		if (notification || json_object_get(msg, "result"))
			return NULL;
		error = dvs_rpc_error("invalid request", "\"method\" must be a string");
		goto out;
	}
	name = json_string_value(method);
	if (params && !json_is_array(params)) {
		error = dvs_rpc_error("invalid params", "%s: \"params\" must be an array", name);
		goto out;
	}
	if (!params)
		params = json_array(); /* a reference of our own either way, dropped below */
	else
		json_incref(params);
	if (!strcmp(name, "echo")) {
		result = json_incref(params);
	} else if ((m = find_method(s, name))) {
		result = m->handler(s->ctx, params, &error);
		if (!result && !error)
			error = dvs_rpc_error("internal error", "%s failed without a reason", name);
	} else {
		error = dvs_rpc_error("unknown method", "no method \"%s\" on this socket", name);
	}
	json_decref(params);
	if (error && !notification)
		DVS_LOG(DEBUG, "%s: %s refused", dvs_jsonrpc_name(c->rpc), name);
out:
	if (notification) {
		json_decref(result);
		json_decref(error);
		return NULL;
	}
	if (error) {
		json_decref(result);
		return dvs_jsonrpc_error_reply(error, id);
	}
	return dvs_jsonrpc_reply(result, id);
}

static void
conn_update_events(struct rpc_conn *c)
{
	uint32_t want = DVS_LOOP_IN | (dvs_jsonrpc_backlog(c->rpc) ? DVS_LOOP_OUT : 0);

	if (want != c->events && dvs_loop_mod_fd(c->server->loop, c->fd, want) == 0)
		c->events = want;
}

/* Sends 'reply' (stolen).  Returns 0, or -errno after which the connection must go. */
static int
conn_send(struct rpc_conn *c, json_t *reply)
{
	int r;

	if (!reply)
		return -ENOMEM;
	r = dvs_jsonrpc_send(c->rpc, reply);
	json_decref(reply);
	if (r == -ENOBUFS)
		DVS_LOG_RL(WARN, "%s: dropped: %zu bytes of replies unread (client not reading)",
			   dvs_jsonrpc_name(c->rpc), dvs_jsonrpc_backlog(c->rpc));
	return r;
}

static void
conn_cb(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct rpc_conn *c = arg;
	bool eof = false;
	json_t *msg;
	int r;

	if (events & DVS_LOOP_OUT) {
		r = dvs_jsonrpc_flush(c->rpc);
		if (r < 0 && r != -EAGAIN)
			goto drop;
	}
	if (events & (DVS_LOOP_IN | DVS_LOOP_ERR)) {
		r = dvs_jsonrpc_read(c->rpc);
		if (r == -EPIPE)
			eof = true;
		else if (r < 0 && r != -EAGAIN)
			goto drop;
	}
	while ((r = dvs_jsonrpc_recv(c->rpc, &msg)) == 0) {
		json_t *reply = handle_request(c->server, c, msg);

		json_decref(msg);
		if (reply && conn_send(c, reply) < 0)
			goto drop;
	}
	if (r == -EPROTO || r == -EMSGSIZE) {
		DVS_LOG_RL(WARN, "%s: %s; closing", dvs_jsonrpc_name(c->rpc),
			   dvs_jsonrpc_error(c->rpc));
		conn_send(c, dvs_jsonrpc_error_reply(
				     dvs_rpc_error(r == -EPROTO ? "malformed request" : "request too large",
						   "%s", dvs_jsonrpc_error(c->rpc)),
				     NULL));
		dvs_jsonrpc_flush(c->rpc); /* best effort: the peer is going anyway */
		goto drop;
	}
	if (eof) {
		/* The peer may have only shut its write side: give it what we owe. */
		dvs_jsonrpc_flush(c->rpc);
		goto drop;
	}
	conn_update_events(c);
	return;
drop:
	conn_destroy(c);
}

static void
accept_cb(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct dvs_rpc_server *s = arg;

	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct rpc_conn *c;
		char name[160];

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				DVS_LOG_RL(WARN, "accept on %s: %s", s->path, strerror(errno));
			return;
		}
		if (s->n_conns >= RPC_SERVER_MAX_CONNS) {
			DVS_LOG_RL(WARN, "%s: %u clients already, refusing another", s->path,
				   s->n_conns);
			close(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c)
			c->rpc = dvs_jsonrpc_open(cfd, s->max_msg_size, s->max_out_size);
		if (!c || !c->rpc) {
			free(c);
			close(cfd);
			continue;
		}
		c->server = s;
		c->fd = cfd;
		c->events = DVS_LOOP_IN;
		snprintf(name, sizeof(name), "unix:%s#%lu", s->path, ++s->n_accepted);
		dvs_jsonrpc_set_name(c->rpc, name);
		if (dvs_loop_add_fd(s->loop, cfd, DVS_LOOP_IN, conn_cb, c) < 0) {
			dvs_jsonrpc_close(c->rpc);
			free(c);
			continue;
		}
		c->next = s->conns;
		c->pprev = &s->conns;
		if (s->conns)
			s->conns->pprev = &c->next;
		s->conns = c;
		s->n_conns++;
	}
}

/* /run/dvs does not exist on a fresh boot; the socket's own directory is ours to create. */
static void
make_parent_dir(const char *path)
{
	char buf[108];

	snprintf(buf, sizeof(buf), "%s", path);
	if (mkdir(dirname(buf), 0755) < 0 && errno != EEXIST)
		DVS_LOG(DEBUG, "mkdir for %s: %s", path, strerror(errno));
}

struct dvs_rpc_server *
dvs_rpc_server_create(struct dvs_loop *loop, const char *path,
		      const struct dvs_rpc_method *methods, void *ctx)
{
	struct dvs_rpc_server *s = NULL;
	int r;

	if (!loop || !path || strlen(path) >= sizeof(s->path)) {
		r = path && *path ? -ENAMETOOLONG : -EINVAL;
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		r = -ENOMEM;
		goto out;
	}
	s->loop = loop;
	s->methods = methods;
	s->ctx = ctx;
	s->max_msg_size = DVS_JSONRPC_MAX_MSG_DEFAULT;
	s->max_out_size = DVS_JSONRPC_MAX_OUT_DEFAULT;
	snprintf(s->path, sizeof(s->path), "%s", path);
	make_parent_dir(path);
	s->fd = dvs_unix_listen(path);
	if (s->fd < 0) {
		r = s->fd;
		goto out;
	}
	r = dvs_loop_add_fd(loop, s->fd, DVS_LOOP_IN, accept_cb, s);
	if (r < 0) {
		close(s->fd);
		unlink(path);
		goto out;
	}
	return s;
out:
	free(s);
	errno = -r;
	return NULL;
}

void
dvs_rpc_server_set_limits(struct dvs_rpc_server *s, size_t max_msg_size, size_t max_out_size)
{
	s->max_msg_size = max_msg_size ? max_msg_size : DVS_JSONRPC_MAX_MSG_DEFAULT;
	s->max_out_size = max_out_size ? max_out_size : DVS_JSONRPC_MAX_OUT_DEFAULT;
}

unsigned
dvs_rpc_server_n_clients(const struct dvs_rpc_server *s)
{
	return s->n_conns;
}

void
dvs_rpc_server_destroy(struct dvs_rpc_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_destroy(s->conns);
	dvs_loop_del_fd(s->loop, s->fd);
	close(s->fd);
	unlink(s->path);
	free(s);
}
