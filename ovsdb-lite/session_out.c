/* SPDX-License-Identifier: Apache-2.0 */
/* A session's output: queued items serialised into its buffer after the commit, written to
 * the socket, the backlog bounded. */
#define DVS_LOG_MODULE "dvs.jsonrpc_server"
#include "jsonrpc_server.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "jsonrpc.h"
#include "log.h"
#include "loop.h"
#include "server.h"

static void serialise(struct ovsdb_session *ss, const struct ovsdb_out_item *it)
{
	struct json_text *t = &ss->out;
	if (it->msg) {
		json_text_json(t, it->msg);
	} else if (it->payload && !it->method) {
		json_text_raw(t, "{\"id\":", 6);
		json_text_json(t, it->reply_id);
		json_text_raw(t, ",\"result\":", 10);
		json_text_raw(t, it->payload->data, it->payload->len);
		json_text_raw(t, ",\"error\":null}", 14);
	} else if (it->payload) {
		json_text_raw(t, "{\"method\":", 10);
		json_text_string(t, it->method);
		json_text_raw(t, ",\"id\":null,\"params\":[", 21);
		json_text_json(t, it->mon_id);
		json_text_char(t, ',');
		json_text_raw(t, it->payload->data, it->payload->len);
		json_text_raw(t, "]}", 2);
	} else {
		json_text_raw(t, "{\"id\":", 6);
		if (it->reply_id)
			json_text_json(t, it->reply_id);
		else
			json_text_raw(t, "null", 4);
		json_text_raw(t, ",\"result\":", 10);
		if (it->result)
			json_text_json(t, it->result);
		else
			json_text_raw(t, "null", 4);
		json_text_raw(t, ",\"error\":", 9);
		if (it->error)
			json_text_json(t, it->error);
		else
			json_text_raw(t, "null", 4);
		json_text_char(t, '}');
	}
}

/* Writes what the socket takes.  0 when all is written, -EAGAIN if some remains. */
int ovsdb_session_write(struct ovsdb_session *ss)
{
	int fd = dvs_jsonrpc_fd(ss->rpc);
	struct json_text *t = &ss->out;
	while (ss->ostart < t->len) {
		ssize_t n = send(fd, t->buf + ss->ostart, t->len - ss->ostart, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
		}
		ss->ostart += (size_t)n;
		ss->excused_end -= (size_t)n < ss->excused_end ? (size_t)n : ss->excused_end;
	}
	ss->ostart = t->len = 0;
	ss->excused_end = 0;
	return 0;
}

int ovsdb_session_flush(struct ovsdb_session *ss)
{
	int rc = 0;
	size_t limit = ss->server->opts.max_backlog ? ss->server->opts.max_backlog : DVS_JSONRPC_MAX_OUT_DEFAULT;
	if (ss->ostart && ss->ostart == ss->out.len)
		ss->ostart = ss->out.len = 0;
	else if (ss->ostart > ss->out.cap / 2) {
		/* Reclaim what was written before appending more. */
		memmove(ss->out.buf, ss->out.buf + ss->ostart, ss->out.len - ss->ostart);
		ss->out.len -= ss->ostart;
		ss->ostart = 0;
	}
	size_t before = ss->out.len;
	for (size_t i = 0; i < ss->n_out; i++) {
		serialise(ss, &ss->outq[i]);
		ovsdb_out_item_clear(&ss->outq[i]);
	}
	ss->n_out = 0;
	/* A client that keeps up may still get output bigger than the limit at once (the
	 * initial contents of a large monitor, a big transaction's update): it is excused
	 * while the client reads it, even with updates queued behind it.  Only the last such
	 * output is: one asked for again before the last was read counts in full, so a client
	 * that asks for more than it reads is cut off too. */
	if (ss->out.len - before > limit) {
		ss->excused_size = ss->out.len - before;
		ss->excused_end = ss->out.len - ss->ostart;
	}
	rc = ovsdb_session_write(ss);
	if (rc && rc != -EAGAIN)
		return rc;
	size_t backlog = ss->out.len - ss->ostart;
	/* excused_end only shrinks as bytes go out, so it never exceeds the backlog. */
	size_t excused = ss->excused_size < ss->excused_end ? ss->excused_size : ss->excused_end;
	if (backlog - excused > limit) {
		DVS_LOG_RL(WARN, "%s: client is not reading (%zu bytes queued); disconnecting",
			   dvs_jsonrpc_name(ss->rpc), backlog);
		return -ENOBUFS;
	}
	bool want_out = backlog > 0;
	uint32_t ev = (ss->closing ? 0 : DVS_LOOP_IN) | (want_out ? DVS_LOOP_OUT : 0);
	if (ev != ss->events) {
		dvs_loop_mod_fd(ss->server->loop, dvs_jsonrpc_fd(ss->rpc), ev);
		ss->events = ev;
	}
	if (ss->closing && !want_out)
		return -ECONNRESET;
	return 0;
}

