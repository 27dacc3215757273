/* SPDX-License-Identifier: Apache-2.0 */
#define DVS_LOG_MODULE "dvs.jsonrpc_server"
#include "jsonrpc_server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "execution.h"
#include "json_parse.h"
#include "json_pool.h"
#include "jsonrpc.h"
#include "lock.h"
#include "log.h"
#include "loop.h"
#include "monitor.h"
#include "server.h"

struct ovsdb_trigger {
	struct ovsdb_trigger *next;
	json_t *id;
	json_t *params;
	uint64_t deadline_ms; /* UINT64_MAX: none */
};


static void session_io(struct dvs_loop *loop, int fd, uint32_t events, void *arg);

static json_t *error_reply(json_t *error, const json_t *id)
{
	/* 'id' may be the request's, which lives in the arena (json_pool.h): keep a copy. */
	json_t *copy = id ? json_deep_copy(id) : NULL;
	json_t *reply = dvs_jsonrpc_error_reply(error, copy);
	json_decref(copy);
	return reply;
}

static void shared_text_unref(struct ovsdb_shared_text *t)
{
	if (t && !--t->refcnt)
		free(t);
}

static struct ovsdb_shared_text *shared_text_from_text(const struct json_text *t)
{
	struct ovsdb_shared_text *st = malloc(sizeof *st + t->len + 1);
	if (st) {
		st->refcnt = 1;
		st->len = t->len;
		memcpy(st->data, t->buf, t->len);
	}
	return st;
}

static struct ovsdb_shared_text *shared_text_from_json(const json_t *j)
{
	struct json_text t;
	json_text_init(&t);
	json_text_json(&t, j);
	struct ovsdb_shared_text *st = shared_text_from_text(&t);
	json_text_destroy(&t);
	return st;
}

static struct ovsdb_out_item *queue_slot(struct ovsdb_session *ss)
{
	if (ss->n_out == ss->cap_out) {
		size_t cap = ss->cap_out ? ss->cap_out * 2 : 8;
		struct ovsdb_out_item *q = realloc(ss->outq, cap * sizeof *q);
		if (!q) {
			ss->dead = true;
			return NULL;
		}
		ss->outq = q;
		ss->cap_out = cap;
	}
	struct ovsdb_out_item *it = &ss->outq[ss->n_out++];
	memset(it, 0, sizeof *it);
	return it;
}

void ovsdb_session_queue(struct ovsdb_session *ss, json_t *msg)
{
	if (!msg)
		return;
	struct ovsdb_out_item *it = queue_slot(ss);
	if (!it) {
		json_decref(msg);
		return;
	}
	it->msg = msg;
}

static void queue_update(struct ovsdb_session *ss, const char *method, json_t *mon_id,
			 struct ovsdb_shared_text *payload)
{
	struct ovsdb_out_item *it = queue_slot(ss);
	if (!it)
		return;
	it->method = method;
	it->mon_id = json_incref(mon_id);
	it->payload = payload;
	payload->refcnt++;
}

/* Queues a reply: 'result' or 'error' (stolen), for request 'id' (borrowed). */
static void queue_reply(struct ovsdb_session *ss, json_t *result, json_t *error, const json_t *id)
{
	struct ovsdb_out_item *it = queue_slot(ss);
	if (!it) {
		json_decref(result);
		json_decref(error);
		return;
	}
	it->result = result;
	it->error = error;
	it->reply_id = json_deep_copy(id); /* the request's id lives in the arena (json_pool.h) */
}

void ovsdb_out_item_clear(struct ovsdb_out_item *it)
{
	json_decref(it->msg);
	json_decref(it->result);
	json_decref(it->error);
	json_decref(it->reply_id);
	json_decref(it->mon_id);
	shared_text_unref(it->payload);
}

struct ovsdb_session *ovsdb_session_create(struct ovsdb_server *s, int fd, const char *name)
{
	struct ovsdb_session *ss = calloc(1, sizeof *ss);
	if (!ss) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	ss->server = s;
	ss->rpc = dvs_jsonrpc_open(fd, s->opts.max_msg_size, s->opts.max_backlog);
	if (!ss->rpc) {
		int e = errno;
		close(fd);
		free(ss);
		errno = e;
		return NULL;
	}
	dvs_jsonrpc_set_name(ss->rpc, name);
	ss->events = DVS_LOOP_IN;
	int rc = dvs_loop_add_fd(s->loop, fd, ss->events, session_io, ss);
	if (rc) {
		dvs_jsonrpc_close(ss->rpc);
		free(ss);
		errno = -rc;
		return NULL;
	}
	ss->next = s->sessions;
	if (s->sessions)
		s->sessions->prev = ss;
	s->sessions = ss;
	s->n_sessions++;
	return ss;
}

/* ---- methods ---- */

static bool check_db(struct ovsdb_session *ss, const json_t *name, json_t **error)
{
	const char *n = json_string_value(name);
	if (!n) {
		*error = ovsdb_error("syntax error", "expected a database name");
		return false;
	}
	if (strcmp(n, ss->server->db->schema->name)) {
		*error = ovsdb_error("unknown database", "%s is not a database served here", n);
		return false;
	}
	return true;
}

static struct ovsdb_monitor *find_monitor(const struct ovsdb_session *ss, const json_t *id, size_t *idx)
{
	for (size_t i = 0; i < ss->n_monitors; i++) {
		if (json_equal(ss->monitors[i]->id, id)) {
			if (idx)
				*idx = i;
			return ss->monitors[i];
		}
	}
	return NULL;
}

/* Runs a transact request; returns its reply, or NULL if it now waits (trigger kept). */
static json_t *run_transact(struct ovsdb_session *ss, const json_t *params, bool timed_out)
{
	struct ovsdb_exec_opts opts = { ovsdb_lock_is_owner, ss, timed_out };
	struct ovsdb_exec_result res;
	ovsdb_execute(ss->server->db, params, &opts, &res);
	if (res.txn)
		ovsdb_server_publish(ss->server, res.txn, res.durable);
	return res.reply;
}

static void add_trigger(struct ovsdb_session *ss, const json_t *id, const json_t *params, int64_t timeout)
{
	struct ovsdb_trigger *t = calloc(1, sizeof *t), **p;
	if (!t) {
		ss->dead = true;
		return;
	}
	t->id = json_deep_copy(id);
	t->params = json_deep_copy(params);
	t->deadline_ms = timeout < 0 ? UINT64_MAX : dvs_now_ms() + (uint64_t)timeout;
	for (p = &ss->triggers; *p; p = &(*p)->next)
		;
	*p = t;
}

static void trigger_free(struct ovsdb_trigger *t)
{
	json_decref(t->id);
	json_decref(t->params);
	free(t);
}

/* Queues the reply to 'id' whose result is the text 't' (copied). */
static void queue_text_reply(struct ovsdb_session *ss, const struct json_text *t, const json_t *id)
{
	struct ovsdb_shared_text *st = shared_text_from_text(t);
	struct ovsdb_out_item *it = st ? queue_slot(ss) : NULL;
	if (!it) {
		shared_text_unref(st);
		ss->dead = true;
		return;
	}
	it->reply_id = json_deep_copy(id); /* the request's id lives in the arena (json_pool.h) */
	it->payload = st;
}

/* Returns true if the request is done with (reply queued, or waiting), false with *error.
 * The result array is written as text (no jansson tree for an insert's result). */
static bool method_transact(struct ovsdb_session *ss, const json_t *params, const json_t *id, json_t **error)
{
	if (!json_array_size(params)) {
		*error = ovsdb_error("syntax error", "transact expects [db-name, operation...]");
		return false;
	}
	if (!check_db(ss, json_array_get(params, 0), error))
		return false;
	struct ovsdb_exec_opts opts = { ovsdb_lock_is_owner, ss, false };
	struct ovsdb_exec_result res;
	struct json_text *t = &ss->server->reply;
	t->len = 0;
	ovsdb_execute_text(ss->server->db, params, &opts, &res, t);
	if (res.txn)
		ovsdb_server_publish(ss->server, res.txn, res.durable);
	if (res.must_wait)
		add_trigger(ss, id, params, res.wait_timeout_ms); /* no reply yet, no error */
	else if (id && !json_is_null(id))
		queue_text_reply(ss, t, id);
	return true;
}

/* Returns true with the reply queued (written as text: whole tables are sent without a jansson
 * tree), or false with *error. */
/* Recomputes what the session's monitors care about (after one is added, changed or
 * cancelled). */
static void update_interest(struct ovsdb_session *ss)
{
	memset(&ss->interest, 0, sizeof ss->interest);
	for (size_t i = 0; i < ss->n_monitors; i++)
		ovsdb_monitor_add_interest(ss->monitors[i], &ss->interest);
}

static bool method_monitor(struct ovsdb_session *ss, const json_t *params, const json_t *id, json_t **error,
			   enum ovsdb_monitor_version v)
{
	if (!json_is_array(params) || json_array_size(params) != 3) {
		*error = ovsdb_error("syntax error", "monitor expects [db-name, monitor-id, requests]");
		return false;
	}
	if (!check_db(ss, json_array_get(params, 0), error))
		return false;
	const json_t *mid = json_array_get(params, 1);
	if (find_monitor(ss, mid, NULL)) {
		*error = ovsdb_error("duplicate monitor ID", "this session already has a monitor with that id");
		return false;
	}
	struct ovsdb_monitor *m = ovsdb_monitor_create(ss->server->db, mid, json_array_get(params, 2), v, error);
	if (!m)
		return false;
	struct ovsdb_monitor **ms = realloc(ss->monitors, (ss->n_monitors + 1) * sizeof *ms);
	if (!ms) {
		ovsdb_monitor_destroy(m);
		*error = ovsdb_error("resources exhausted", "out of memory");
		return false;
	}
	ss->monitors = ms;
	ss->monitors[ss->n_monitors++] = m;
	update_interest(ss);
	if (!id || json_is_null(id))
		return true; /* a notification gets no reply */
	struct json_text t;
	json_text_init(&t);
	ovsdb_monitor_write_initial(m, &t);
	queue_text_reply(ss, &t, id);
	json_text_destroy(&t);
	return true;
}

static json_t *method_monitor_cond_change(struct ovsdb_session *ss, const json_t *params, json_t **error)
{
	if (!json_is_array(params) || json_array_size(params) != 3) {
		*error = ovsdb_error("syntax error", "monitor_cond_change expects [old-id, new-id, requests]");
		return NULL;
	}
	struct ovsdb_monitor *m = find_monitor(ss, json_array_get(params, 0), NULL);
	const json_t *new_id = json_array_get(params, 1);
	if (!m) {
		*error = ovsdb_error("unknown monitor", "no monitor with that id");
		return NULL;
	}
	struct ovsdb_monitor *other = find_monitor(ss, new_id, NULL);
	if (other && other != m) {
		*error = ovsdb_error("duplicate monitor ID", "new monitor id already in use");
		return NULL;
	}
	json_t *updates = NULL;
	if ((*error = ovsdb_monitor_change_cond(m, json_array_get(params, 2), &updates)))
		return NULL;
	update_interest(ss);
	json_decref(m->id);
	m->id = json_deep_copy(new_id);
	/* The update from the condition change precedes the reply (OVS ovsdb-server(7)). */
	if (updates)
		ovsdb_session_queue(ss, dvs_jsonrpc_notification("update2", json_pack("[Oo]", m->id, updates)));
	return json_object();
}

static json_t *method_monitor_cancel(struct ovsdb_session *ss, const json_t *params, json_t **error)
{
	size_t i;
	if (!json_is_array(params) || json_array_size(params) != 1 ||
	    !find_monitor(ss, json_array_get(params, 0), &i)) {
		*error = ovsdb_error("unknown monitor", "no monitor with that id");
		return NULL;
	}
	ovsdb_monitor_destroy(ss->monitors[i]);
	memmove(&ss->monitors[i], &ss->monitors[i + 1], (ss->n_monitors - i - 1) * sizeof *ss->monitors);
	ss->n_monitors--;
	update_interest(ss);
	return json_object();
}

static void method_cancel(struct ovsdb_session *ss, const json_t *params)
{
	const json_t *target = json_array_get(params, 0);
	for (struct ovsdb_trigger **p = &ss->triggers; *p; p = &(*p)->next) {
		if (json_equal((*p)->id, target)) {
			struct ovsdb_trigger *t = *p;
			*p = t->next;
			queue_reply(ss, NULL, json_pack("{s:s}", "error", "canceled"), t->id);
			trigger_free(t);
			return;
		}
	}
}

static void handle_request(struct ovsdb_session *ss, json_t *msg)
{
	const char *method = json_string_value(json_object_get(msg, "method"));
	const json_t *params = json_object_get(msg, "params");
	const json_t *id = json_object_get(msg, "id");
	json_t *result = NULL, *error = NULL;
	struct ovsdb_server *s = ss->server;

	if (!method) {
		/* A reply from the client, e.g. to nothing we sent: ignore it (OVS does). */
		if (json_object_get(msg, "result") || json_object_get(msg, "error"))
			return;
		ovsdb_session_queue(ss, error_reply(ovsdb_error("syntax error", "message has no \"method\""), id));
		return;
	}
	if (!json_is_array(params)) {
		error = ovsdb_error("syntax error", "\"params\" must be an array");
	} else if (!strcmp(method, "transact")) { /* first: nearly every request under load */
		if (method_transact(ss, params, id, &error))
			return; /* reply queued, or waiting */
	} else if (!strcmp(method, "echo")) {
		result = json_deep_copy(params);
	} else if (!strcmp(method, "list_dbs")) {
		result = json_pack("[s]", s->db->schema->name);
	} else if (!strcmp(method, "get_schema")) {
		if (check_db(ss, json_array_get(params, 0), &error))
			result = json_incref(s->schema_json);
	} else if (!strcmp(method, "monitor") || !strcmp(method, "monitor_cond")) {
		if (method_monitor(ss, params, id, &error,
				   !strcmp(method, "monitor") ? OVSDB_MONITOR_V1 : OVSDB_MONITOR_V2))
			return;
	} else if (!strcmp(method, "monitor_cond_change")) {
		result = method_monitor_cond_change(ss, params, &error);
	} else if (!strcmp(method, "monitor_cancel")) {
		result = method_monitor_cancel(ss, params, &error);
	} else if (!strcmp(method, "lock") || !strcmp(method, "steal") || !strcmp(method, "unlock")) {
		result = ovsdb_lock_method(ss, method, params, &error);
	} else if (!strcmp(method, "cancel")) {
		method_cancel(ss, params);
		return;
	} else if (!strcmp(method, "dvs_compact")) {
		/* Not in RFC 7047: asks for a compaction at the end of this iteration. */
		s->compact_requested = true;
		result = json_object();
	} else {
		error = ovsdb_error("unknown method", "%s", method);
	}
	if (json_is_null(id) || !id) {
		/* A notification gets no reply, even on error. */
		json_decref(result);
		json_decref(error);
		return;
	}
	if (error) {
		json_decref(result);
		queue_reply(ss, NULL, error, id);
	} else {
		queue_reply(ss, result ? result : json_null(), NULL, id);
	}
}

static void protocol_error(struct ovsdb_session *ss, const char *tag, const char *why)
{
	DVS_LOG_RL(WARN, "%s: %s; closing", dvs_jsonrpc_name(ss->rpc), why);
	ovsdb_session_queue(ss, error_reply(ovsdb_error(tag, "%s", why), NULL));
	ss->closing = true;
}

/* Frames and handles the complete messages buffered in 'in', until 'deadline_us' passes.
 * Framing counts brackets outside strings, so a message is parsed once, when complete
 * (never re-parsed as bytes trickle in).  Returns true if it stopped for the deadline with
 * bytes left unexamined ('in->pending'). */
static bool session_parse(struct ovsdb_session *ss, uint64_t deadline_us)
{
	struct ovsdb_input *in = &ss->in;
	in->pending = false;
	for (;;) {
		/* The request's tree is built in the arena (json_pool.h): handle_request() keeps
		 * nothing of it, copies excepted. */
		json_pool_arena_begin();
		json_t *msg = ovsdb_input_parse_whole(in);
		if (!msg) {
			int rc = ovsdb_input_frame(in);
			char err[160];
			if (rc > 0) {
				msg = json_parse(in->buf + in->start, in->scan + 1 - in->start, err, sizeof err);
				in->start = ++in->scan;
			}
			if (!msg) {
				json_pool_arena_end();
				json_pool_arena_free(NULL);
				if (rc < 0)
					protocol_error(ss, "syntax error", "message is not a JSON object");
				else if (rc > 0)
					protocol_error(ss, "syntax error", err);
				return false;
			}
		}
		json_pool_arena_end();
		handle_request(ss, msg);
		json_pool_arena_free(msg);
		if (ss->closing || ss->dead)
			return false;
		if (in->scan < in->len && dvs_now_us() >= deadline_us) {
			in->pending = true;
			return true;
		}
	}
}

/* Reads once, then handles what came (see session_parse).  Returns 0, -EAGAIN (nothing more
 * to read now, or the deadline passed), or -errno. */
static int session_read(struct ovsdb_session *ss, uint64_t deadline_us)
{
	struct ovsdb_input *in = &ss->in;
	size_t max = ss->server->opts.max_msg_size ? ss->server->opts.max_msg_size : DVS_JSONRPC_MAX_MSG_DEFAULT;
	if (in->pending)
		return session_parse(ss, deadline_us) ? -EAGAIN : 0;
	if (in->start) {
		memmove(in->buf, in->buf + in->start, in->len - in->start);
		in->len -= in->start;
		in->scan -= in->start;
		in->start = 0;
	}
	if (in->cap - in->len < 65536) {
		size_t cap = in->cap ? in->cap * 2 : 131072;
		char *b = realloc(in->buf, cap);
		if (!b)
			return -ENOMEM;
		in->buf = b;
		in->cap = cap;
	}
	size_t room = in->cap - in->len;
	/* recv() rather than read(): the socket layer without the VFS one, once per request. */
	ssize_t n = recv(dvs_jsonrpc_fd(ss->rpc), in->buf + in->len, room, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	if (n == 0)
		return -EPIPE;
	in->len += (size_t)n;
	/* A short read drained the socket: report -EAGAIN after handling what came, which
	 * saves the read() that would only say so (epoll is level-triggered). */
	int rc = (size_t)n < room ? -EAGAIN : 0;
	if (session_parse(ss, deadline_us))
		return -EAGAIN;
	if (in->len - in->start > max) {
		char why[96];
		snprintf(why, sizeof why, "message exceeds %zu bytes", max);
		protocol_error(ss, "resources exhausted", why);
	}
	return rc;
}

/* Handles this session's input for at most OVSDB_SESSION_SLICE_US, and not past the
 * iteration's budget unless 'forced': what is left stays buffered ('in.pending') or in the
 * socket for the next iteration, after this one's replies have gone out.  One client's
 * burst of costly requests (monitors of big tables, say) must not hold every other client's
 * replies, "echo"s included, for the sum of their costs.  A session put off is remembered
 * in order (deferred_seq); the server forces the oldest one first in the next iteration, so
 * each iteration does at most the budget plus one slice, and no session starves. */
static void session_input(struct ovsdb_session *ss, bool forced)
{
	struct ovsdb_server *s = ss->server;
	uint64_t t0 = dvs_now_us(), slice = OVSDB_SESSION_SLICE_US;
	if (!forced) {
		if (s->busy_us >= OVSDB_ITERATION_BUDGET_US) {
			if (!ss->deferred_seq) {
				ss->deferred_seq = ++s->n_deferred;
			}
			return;
		}
		if (OVSDB_ITERATION_BUDGET_US - s->busy_us < slice)
			slice = OVSDB_ITERATION_BUDGET_US - s->busy_us;
	}
	ss->deferred_seq = 0;
	uint64_t deadline = t0 + slice;
	for (int round = 0; round < 16; round++) {
		int rc = session_read(ss, deadline);
		if (ss->closing || ss->dead || rc == -EAGAIN)
			break;
		if (rc) {
			ss->dead = true;
			break;
		}
		if (dvs_now_us() >= deadline)
			break;
	}
	s->busy_us += dvs_now_us() - t0;
}

bool ovsdb_session_input_pending(const struct ovsdb_session *ss)
{
	return (ss->in.pending || ss->deferred_seq) && !ss->closing && !ss->dead;
}

void ovsdb_session_resume_input(struct ovsdb_session *ss, bool forced)
{
	if (!ss->closing && !ss->dead && (forced || ss->in.pending))
		session_input(ss, forced);
}

static void session_io(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct ovsdb_session *ss = arg;
	if (ss->dead)
		return;
	if (events & DVS_LOOP_OUT) {
		int rc = ovsdb_session_write(ss);
		if (rc && rc != -EAGAIN) {
			ss->dead = true;
			return;
		}
	}
	if (!(events & (DVS_LOOP_IN | DVS_LOOP_ERR)) || ss->closing)
		return;
	session_input(ss, false);
}

void ovsdb_share_cache_clear(struct ovsdb_share_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		shared_text_unref(c->e[i].text);
	c->n = 0;
	ovsdb_txn_index_destroy(c->ix);
	c->ix = NULL;
}

void ovsdb_session_publish(struct ovsdb_session *ss, const struct ovsdb_txn *txn,
			   struct ovsdb_share_cache *cache)
{
	for (size_t i = 0; i < ss->n_monitors; i++) {
		struct ovsdb_monitor *m = ss->monitors[i];
		struct ovsdb_shared_text *text = NULL;
		bool cached = false;
		for (size_t k = 0; m->share_key && k < cache->n; k++) {
			if (!strcmp(cache->e[k].key, m->share_key)) {
				text = cache->e[k].text;
				cached = true;
				break;
			}
		}
		if (!cached) {
			if (!cache->ix)
				cache->ix = ovsdb_txn_index_create(txn);
			json_t *updates = ovsdb_monitor_txn_updates_indexed(m, txn, cache->ix);
			text = updates ? shared_text_from_json(updates) : NULL;
			json_decref(updates);
			if (m->share_key) {
				if (cache->n == cache->cap) {
					cache->cap = cache->cap ? cache->cap * 2 : 8;
					cache->e = realloc(cache->e, cache->cap * sizeof *cache->e);
					if (!cache->e)
						abort();
				}
				cache->e[cache->n].key = m->share_key;
				cache->e[cache->n++].text = text; /* the cache holds the reference */
			}
		}
		if (text)
			queue_update(ss, m->version == OVSDB_MONITOR_V1 ? "update" : "update2", m->id, text);
		if (!cached && !m->share_key)
			shared_text_unref(text);
	}
}

void ovsdb_session_run_triggers(struct ovsdb_session *ss, uint64_t now_ms)
{
	struct ovsdb_trigger **p = &ss->triggers;
	while (*p) {
		struct ovsdb_trigger *t = *p;
		bool timed_out = now_ms >= t->deadline_ms;
		json_t *reply = run_transact(ss, t->params, timed_out);
		if (!reply) {
			p = &t->next;
			continue;
		}
		queue_reply(ss, reply, NULL, t->id);
		*p = t->next;
		trigger_free(t);
	}
}

int64_t ovsdb_session_next_deadline(const struct ovsdb_session *ss, uint64_t now_ms)
{
	int64_t best = -1;
	for (const struct ovsdb_trigger *t = ss->triggers; t; t = t->next) {
		if (t->deadline_ms == UINT64_MAX)
			continue;
		int64_t d = t->deadline_ms > now_ms ? (int64_t)(t->deadline_ms - now_ms) : 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best;
}

void ovsdb_session_destroy(struct ovsdb_session *ss)
{
	if (!ss)
		return;
	struct ovsdb_server *s = ss->server;
	ovsdb_lock_release_all(ss);
	for (size_t i = 0; i < ss->n_monitors; i++)
		ovsdb_monitor_destroy(ss->monitors[i]);
	free(ss->monitors);
	while (ss->triggers) {
		struct ovsdb_trigger *t = ss->triggers;
		ss->triggers = t->next;
		trigger_free(t);
	}
	for (size_t i = 0; i < ss->n_out; i++)
		ovsdb_out_item_clear(&ss->outq[i]);
	free(ss->outq);
	free(ss->in.buf);
	json_text_destroy(&ss->out);
	if (ss->prev)
		ss->prev->next = ss->next;
	else
		s->sessions = ss->next;
	if (ss->next)
		ss->next->prev = ss->prev;
	s->n_sessions--;
	dvs_loop_del_fd(s->loop, dvs_jsonrpc_fd(ss->rpc));
	dvs_jsonrpc_close(ss->rpc);
	free(ss);
}
