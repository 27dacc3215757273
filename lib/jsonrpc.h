/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* JSON-RPC 1.0 over stream sockets (unix or TCP), with jansson.  Messages are JSON objects
 * written back to back, as RFC 7047 (OVSDB) and the switchd control socket use them.
 *
 * A connection has a bounded input buffer (a message larger than max_msg_size is an error)
 * and a bounded output buffer (a peer that does not read is detected: send returns -ENOBUFS
 * and the owner should drop it).  Non-blocking; one thread at a time per connection. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct dvs_jsonrpc;

#define DVS_JSONRPC_MAX_MSG_DEFAULT (4u << 20)   /* 4 MiB per message */
#define DVS_JSONRPC_MAX_OUT_DEFAULT (64u << 20)  /* 64 MiB queued for one peer */

/* Listening sockets.  'path' is unlinked first if it is a stale socket; -EADDRINUSE if a live
 * server answers there, -EEXIST if it is not a socket.  Return the fd (non-blocking) or -errno.  'addr' for TCP is "PORT" or "PORT:IP" (IP defaults to 0.0.0.0). */
int dvs_unix_listen(const char *path);
int dvs_tcp_listen(const char *port_ip);
/* Connects (blocking, then sets O_NONBLOCK).  Returns the fd or -errno. */
int dvs_unix_connect(const char *path);
int dvs_tcp_connect(const char *ip, const char *port);
/* Parses an OVS-style address: "unix:PATH", "tcp:IP:PORT" (IPv6 as "[::1]:PORT") and connects.
 * A passive address ("punix:PATH", "ptcp:PORT[:IP]") connects to where that server listens, and
 * a bare path ("/..." or "./...") is a unix socket.  Returns fd or -errno (-EINVAL for an address
 * that parses as none of these). */
int dvs_stream_connect(const char *addr);
/* Listens on "punix:PATH" (or "unix:PATH", or a bare path) or "ptcp:PORT[:IP]".  Returns the
 * fd or -errno. */
int dvs_stream_listen(const char *addr);

/* Wraps a connected socket (takes ownership of 'fd').  0 for a limit means the default. */
struct dvs_jsonrpc *dvs_jsonrpc_open(int fd, size_t max_msg_size, size_t max_out_size);
/* Closes the fd and frees.  Accepts NULL. */
void dvs_jsonrpc_close(struct dvs_jsonrpc *c);
int dvs_jsonrpc_fd(const struct dvs_jsonrpc *c);
/* A short peer description for logs ("unix:/run/dvs/db.sock#3"). */
const char *dvs_jsonrpc_name(const struct dvs_jsonrpc *c);
void dvs_jsonrpc_set_name(struct dvs_jsonrpc *c, const char *name);

/* One non-blocking read(2) of up to 64 KiB into the input buffer.  Returns 0, -EAGAIN (nothing
 * more now), -EPIPE (peer closed), or another -errno.  Typical use on a readable fd: read once,
 * then dvs_jsonrpc_recv() until -EAGAIN (a level-triggered loop calls again if more is there). */
int dvs_jsonrpc_read(struct dvs_jsonrpc *c);
/* Takes the next complete message out of the input buffer.  Returns 0 with *msg (new
 * reference), -EAGAIN if no complete message is buffered, -EPROTO for malformed JSON or a
 * non-object (the error text is in dvs_jsonrpc_error()), -EMSGSIZE over the size limit.
 * After -EPROTO or -EMSGSIZE the stream is unusable: reply with an error, then close. */
int dvs_jsonrpc_recv(struct dvs_jsonrpc *c, json_t **msg);
const char *dvs_jsonrpc_error(const struct dvs_jsonrpc *c);

/* Queues 'msg' (borrowed) and writes as much as the socket takes.  Returns 0, or -ENOBUFS
 * when the output buffer is over its limit (the peer is not reading), or -errno. */
int dvs_jsonrpc_send(struct dvs_jsonrpc *c, const json_t *msg);
/* Writes queued output.  Returns 0 when everything is written, -EAGAIN if some remains. */
int dvs_jsonrpc_flush(struct dvs_jsonrpc *c);
size_t dvs_jsonrpc_backlog(const struct dvs_jsonrpc *c);

/* Blocking request/response for simple clients (dvsctl): sends 'method' with 'params'
 * (stolen; NULL means []), waits up to 'timeout_ms' (-1: forever) for the reply with the same
 * id, skipping notifications and stale replies and answering the peer's "echo" requests.
 * Returns 0 with *result (new) or 1 with *error (new; the JSON-RPC "error" member), or -errno
 * (-ETIMEDOUT, -EPIPE, -EPROTO). */
int dvs_jsonrpc_call(struct dvs_jsonrpc *c, const char *method, json_t *params, int timeout_ms,
		     json_t **result, json_t **error);
/* Waits up to 'timeout_ms' (negative: no limit) for the next notification from the peer (a
 * message with a method and no id, such as an OVSDB "update"), answering echo requests
 * meanwhile and dropping stale replies.  Returns 0 with *msg (new: the whole message),
 * -ETIMEDOUT, or -errno (-EPIPE: the peer closed). */
int dvs_jsonrpc_next_notification(struct dvs_jsonrpc *c, int timeout_ms, json_t **msg);

/* Message builders; each returns a new reference. */
json_t *dvs_jsonrpc_request(const char *method, json_t *params /* stolen */, json_t *id /* stolen */);
json_t *dvs_jsonrpc_notification(const char *method, json_t *params /* stolen */);
json_t *dvs_jsonrpc_reply(json_t *result /* stolen */, const json_t *id);
json_t *dvs_jsonrpc_error_reply(json_t *error /* stolen */, const json_t *id);

/* A simple request/response server on a loop, with method dispatch from a table: used by the
 * switchd control socket.  Handlers run on the loop's thread.  Replies are
 * {"result": R, "error": null, "id": ID} or {"result": null, "error": E, "id": ID}; requests
 * without an id (notifications) get none.  Built in: "echo" (returns its params).  Unknown
 * method: E = {"error": "unknown method", "details": "..."}.  Malformed JSON: an error reply
 * with id null, then the connection is closed.  A client whose unread replies pass the output
 * limit is dropped. */
struct dvs_loop;
struct dvs_rpc_server;
/* 'params' is borrowed (always an array).  Returns the result (new reference) or NULL with
 * *error set (new reference, usually dvs_rpc_error(...)).  Must not destroy the server. */
typedef json_t *dvs_rpc_handler(void *ctx, json_t *params, json_t **error);
struct dvs_rpc_method {
	const char *name;
	dvs_rpc_handler *handler;
};
/* Listens on the unix socket 'path'.  'methods' ends with a {NULL, NULL} entry and must
 * outlive the server.  Returns the server, or NULL with errno set. */
struct dvs_rpc_server *dvs_rpc_server_create(struct dvs_loop *loop, const char *path,
					     const struct dvs_rpc_method *methods, void *ctx);
/* Closes every connection and the listening socket, and unlinks the path.  Accepts NULL. */
void dvs_rpc_server_destroy(struct dvs_rpc_server *s);
/* Per-connection limits for connections accepted from now on (0: the default). */
void dvs_rpc_server_set_limits(struct dvs_rpc_server *s, size_t max_msg_size, size_t max_out_size);
unsigned dvs_rpc_server_n_clients(const struct dvs_rpc_server *s);

/* Handler helpers.  dvs_rpc_error() returns a new {"error": kind, "details": printf(...)}.
 * dvs_rpc_params_object() takes the control socket's params convention (an array holding at most
 * one object): 0 with *obj borrowed (NULL if the array is empty), or -EINVAL with *error (new). */
json_t *dvs_rpc_error(const char *kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dvs_rpc_params_object(const json_t *params, json_t **obj, json_t **error);
