/* SPDX-License-Identifier: Apache-2.0 */
/* JSON-RPC 1.0 connections: framing of back-to-back JSON objects, bounded buffers each way,
 * message builders and a blocking call for simple clients.  Socket set-up (unix, TCP and
 * OVS-style addresses) is in stream.c, the loop-driven server in rpc_server.c.
 *
 * Framing: a scanner that knows strings and escapes finds where each top-level object ends,
 * keeping its state between reads, so a message split over many reads costs one pass over
 * its bytes; only then is the complete object handed to jansson. */

#include "jsonrpc.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "loop.h"

#define READ_CHUNK 65536

struct dvs_jsonrpc {
	int fd;
	size_t max_msg_size;
	size_t max_out_size;
	/* input: bytes [in_start, in_len) of 'in' are unconsumed */
	char *in;
	size_t in_start, in_len, in_cap;
	/* scanner state, positions relative to 'in' */
	size_t scan_pos;  /* next byte to look at */
	size_t msg_start; /* first byte of the message being scanned */
	unsigned depth;   /* 0: between messages */
	bool in_string, escape;
	int failed; /* sticky -EPROTO / -EMSGSIZE */
	/* output: bytes [out_start, out_len) of 'out' are queued */
	char *out;
	size_t out_start, out_len, out_cap;
	json_int_t next_id;
	char name[128];
	char error[256];
};

struct dvs_jsonrpc *
dvs_jsonrpc_open(int fd, size_t max_msg_size, size_t max_out_size)
{
	struct dvs_jsonrpc *c;

	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	c->max_msg_size = max_msg_size ? max_msg_size : DVS_JSONRPC_MAX_MSG_DEFAULT;
	c->max_out_size = max_out_size ? max_out_size : DVS_JSONRPC_MAX_OUT_DEFAULT;
	c->next_id = 1;
	snprintf(c->name, sizeof(c->name), "fd#%d", fd);
	return c;
}

void
dvs_jsonrpc_close(struct dvs_jsonrpc *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

int
dvs_jsonrpc_fd(const struct dvs_jsonrpc *c)
{
	return c->fd;
}

const char *
dvs_jsonrpc_name(const struct dvs_jsonrpc *c)
{
	return c->name;
}

void
dvs_jsonrpc_set_name(struct dvs_jsonrpc *c, const char *name)
{
	snprintf(c->name, sizeof(c->name), "%s", name);
}

const char *
dvs_jsonrpc_error(const struct dvs_jsonrpc *c)
{
	return c->error;
}

/* ---- input ---- */

/* Moves the unconsumed bytes to the front so the buffer does not creep. */
static void
in_compact(struct dvs_jsonrpc *c)
{
	size_t shift = c->in_start;

	if (shift == 0)
		return;
	memmove(c->in, c->in + shift, c->in_len - shift);
	c->in_len -= shift;
	c->in_start = 0;
	c->scan_pos -= shift;
	c->msg_start = c->msg_start >= shift ? c->msg_start - shift : 0;
}

int
dvs_jsonrpc_read(struct dvs_jsonrpc *c)
{
	ssize_t n;

	if (c->in_start > 0 && (c->in_start == c->in_len || c->in_start >= c->in_cap / 2))
		in_compact(c);
	if (c->in_cap - c->in_len < READ_CHUNK) {
		size_t cap = c->in_cap ? c->in_cap : READ_CHUNK;
		char *in;

		while (cap - c->in_len < READ_CHUNK)
			cap *= 2;
		in = realloc(c->in, cap);
		if (!in)
			return -ENOMEM;
		c->in = in;
		c->in_cap = cap;
	}
	do {
		n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		return -EPIPE;
	c->in_len += (size_t)n;
	return 0;
}

static int
recv_fail(struct dvs_jsonrpc *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
recv_fail(struct dvs_jsonrpc *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	c->failed = err;
	return err;
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Advances the scanner.  Returns 1 with a complete message in [msg_start, scan_pos), 0 if
 * more input is needed, or a negative errno. */
static int
scan(struct dvs_jsonrpc *c)
{
	while (c->scan_pos < c->in_len) {
		char ch = c->in[c->scan_pos];

		if (c->depth == 0) {
			if (is_space(ch)) {
				c->scan_pos++;
				c->in_start = c->scan_pos; /* whitespace between messages is consumed */
				continue;
			}
			if (ch != '{')
				return recv_fail(c, -EPROTO,
						 "expected a JSON object, got '%c' (byte 0x%02x)",
						 ch >= 0x20 && ch < 0x7f ? ch : '?', (unsigned char)ch);
			c->msg_start = c->scan_pos;
			c->depth = 1;
			c->scan_pos++;
			continue;
		}
		c->scan_pos++;
		if (c->in_string) {
			if (c->escape)
				c->escape = false;
			else if (ch == '\\')
				c->escape = true;
			else if (ch == '"')
				c->in_string = false;
		} else if (ch == '"') {
			c->in_string = true;
		} else if (ch == '{' || ch == '[') {
			c->depth++;
		} else if ((ch == '}' || ch == ']') && --c->depth == 0) {
			return 1;
		}
		if (c->scan_pos - c->msg_start > c->max_msg_size)
			return recv_fail(c, -EMSGSIZE, "message larger than %zu bytes",
					 c->max_msg_size);
	}
	return 0;
}

int
dvs_jsonrpc_recv(struct dvs_jsonrpc *c, json_t **msg)
{
	json_error_t jerr;
	size_t len;
	json_t *j;
	int r;

	*msg = NULL;
	if (c->failed)
		return c->failed;
	r = scan(c);
	if (r <= 0)
		return r < 0 ? r : -EAGAIN;
	len = c->scan_pos - c->msg_start;
	if (len > c->max_msg_size)
		return recv_fail(c, -EMSGSIZE, "message of %zu bytes, the limit is %zu", len,
				 c->max_msg_size);
	j = json_loadb(c->in + c->msg_start, len, 0, &jerr);
	/* Consumed either way: on error the stream is dead anyway. */
	c->in_start = c->scan_pos;
	c->msg_start = c->scan_pos;
	if (!j)
		return recv_fail(c, -EPROTO, "malformed JSON at byte %d of the message: %s",
				 jerr.position, jerr.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return recv_fail(c, -EPROTO, "message is not a JSON object");
	}
	*msg = j;
	return 0;
}

/* ---- output ---- */

size_t
dvs_jsonrpc_backlog(const struct dvs_jsonrpc *c)
{
	return c->out_len - c->out_start;
}

int
dvs_jsonrpc_flush(struct dvs_jsonrpc *c)
{
	while (c->out_start < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_start, c->out_len - c->out_start,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == ENOTSOCK)
			n = write(c->fd, c->out + c->out_start, c->out_len - c->out_start);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -EAGAIN;
			return errno == ECONNRESET ? -EPIPE : -errno;
		}
		c->out_start += (size_t)n;
	}
	c->out_start = c->out_len = 0;
	return 0;
}

int
dvs_jsonrpc_send(struct dvs_jsonrpc *c, const json_t *msg)
{
	size_t size = json_dumpb(msg, NULL, 0, JSON_COMPACT);
	size_t backlog = dvs_jsonrpc_backlog(c);
	int r;

	if (size == 0)
		return -EINVAL;
	if (backlog + size > c->max_out_size)
		return -ENOBUFS;
	if (c->out_cap - c->out_len < size) {
		/* Reclaim the written head first; grow only if that is not enough. */
		if (c->out_start > 0) {
			memmove(c->out, c->out + c->out_start, backlog);
			c->out_start = 0;
			c->out_len = backlog;
		}
		if (c->out_cap - c->out_len < size) {
			size_t cap = c->out_cap ? c->out_cap : 4096;
			char *out;

			while (cap - c->out_len < size)
				cap *= 2;
			out = realloc(c->out, cap);
			if (!out)
				return -ENOMEM;
			c->out = out;
			c->out_cap = cap;
		}
	}
	if (json_dumpb(msg, c->out + c->out_len, size, JSON_COMPACT) != size)
		return -EINVAL;
	c->out_len += size;
	r = dvs_jsonrpc_flush(c);
	return r == -EAGAIN ? 0 : r;
}

/* ---- messages ---- */

json_t *
dvs_jsonrpc_request(const char *method, json_t *params, json_t *id)
{
	return json_pack("{s:s, s:o, s:o}", "method", method, "params",
			 params ? params : json_array(), "id", id ? id : json_null());
}

json_t *
dvs_jsonrpc_notification(const char *method, json_t *params)
{
	return json_pack("{s:s, s:o, s:n}", "method", method, "params",
			 params ? params : json_array(), "id");
}

json_t *
dvs_jsonrpc_reply(json_t *result, const json_t *id)
{
	return json_pack("{s:o, s:n, s:O}", "result", result ? result : json_null(), "error",
			 "id", id ? id : json_null());
}

json_t *
dvs_jsonrpc_error_reply(json_t *error, const json_t *id)
{
	return json_pack("{s:n, s:o, s:O}", "result", "error", error ? error : json_null(), "id",
			 id ? id : json_null());
}

/* ---- blocking call ---- */

/* Answers an OVSDB-style "echo" request from the peer while we wait, as RFC 7047 servers
 * use it as a keepalive and would drop us otherwise. */
static void
call_answer_echo(struct dvs_jsonrpc *c, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	json_t *params = json_object_get(msg, "params");
	json_t *reply;

	if (!id || json_is_null(id))
		return;
	reply = dvs_jsonrpc_reply(json_incref(params ? params : json_array()), id);
	if (reply)
		dvs_jsonrpc_send(c, reply);
	json_decref(reply);
}

/* Waits until 'c' is readable (flushing what it has to send meanwhile) and reads.
 * Returns 0 (maybe nothing new: call again), -ETIMEDOUT at 'deadline' (unless 'timeout_ms'
 * is negative: no limit), or -errno. */
static int
wait_io(struct dvs_jsonrpc *c, uint64_t deadline, int timeout_ms)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	uint64_t now = dvs_now_ms();
	int r;

	if (timeout_ms >= 0 && now >= deadline)
		return -ETIMEDOUT;
	if (dvs_jsonrpc_backlog(c))
		pfd.events |= POLLOUT;
	r = poll(&pfd, 1, timeout_ms < 0 ? -1 : (int)(deadline - now));
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return 0;
	if (pfd.revents & POLLOUT) {
		r = dvs_jsonrpc_flush(c);
		if (r < 0 && r != -EAGAIN)
			return r;
	}
	if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
		r = dvs_jsonrpc_read(c);
		if (r < 0 && r != -EAGAIN)
			return r;
	}
	return 0;
}

int
dvs_jsonrpc_call(struct dvs_jsonrpc *c, const char *method, json_t *params, int timeout_ms,
		 json_t **result, json_t **error)
{
	uint64_t deadline = dvs_now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	json_t *id = json_integer(c->next_id++);
	json_t *req = dvs_jsonrpc_request(method, params, json_incref(id));
	int r;

	*result = NULL;
	if (error)
		*error = NULL;
	if (!req) {
		r = -ENOMEM;
		goto out;
	}
	r = dvs_jsonrpc_send(c, req);
	if (r < 0)
		goto out;
	for (;;) {
		json_t *msg = NULL;

		/* Drain what is buffered before waiting: the reply may already be here. */
		while ((r = dvs_jsonrpc_recv(c, &msg)) == 0) {
			json_t *mid = json_object_get(msg, "id");
			json_t *mmethod = json_object_get(msg, "method");

			if (json_is_string(mmethod)) {
				if (!strcmp(json_string_value(mmethod), "echo"))
					call_answer_echo(c, msg);
			} else if (mid && json_equal(mid, id)) {
				json_t *e = json_object_get(msg, "error");

				if (e && !json_is_null(e)) {
					if (error)
						*error = json_incref(e);
					r = 1;
				} else {
					json_t *res = json_object_get(msg, "result");

					*result = json_incref(res ? res : json_null());
					r = 0;
				}
				json_decref(msg);
				goto out;
			}
			json_decref(msg); /* a notification or a stale reply */
		}
		if (r != -EAGAIN || (r = wait_io(c, deadline, timeout_ms)) < 0)
			goto out;
	}
out:
	json_decref(req);
	json_decref(id);
	return r;
}

int
dvs_jsonrpc_next_notification(struct dvs_jsonrpc *c, int timeout_ms, json_t **msg)
{
	uint64_t deadline = dvs_now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	int r;

	*msg = NULL;
	for (;;) {
		json_t *m = NULL;

		while ((r = dvs_jsonrpc_recv(c, &m)) == 0) {
			const json_t *method = json_object_get(m, "method"), *id = json_object_get(m, "id");

			if (json_is_string(method) && !strcmp(json_string_value(method), "echo")) {
				call_answer_echo(c, m);
			} else if (json_is_string(method) && (!id || json_is_null(id))) {
				*msg = m;
				return 0;
			}
			json_decref(m); /* a stale reply, or a request we do not serve */
		}
		if (r != -EAGAIN || (r = wait_io(c, deadline, timeout_ms)) < 0)
			return r;
	}
}
