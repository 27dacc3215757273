/* SPDX-License-Identifier: Apache-2.0 */
#define DVS_LOG_MODULE "dvs.server"
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "journal.h"
#include "json_text.h"
#include "jsonrpc.h"
#include "jsonrpc_server.h"
#include "lock.h"
#include "log.h"
#include "loop.h"
#include "schema.h"
#include "transaction.h"

#define COMPACT_INTERVAL_MS (10 * 60 * 1000)
/* Like ovsdb-server's "Unreasonably long poll interval": every cause of a stall is named. */
#define SLOW_ITERATION_US (1000 * 1000)

static int replay_cb(void *aux, const json_t *record)
{
	struct ovsdb_server *s = aux;
	json_t *err = ovsdb_txn_replay(s->db, record);
	if (err) {
		char *txt = json_dumps(err, JSON_COMPACT);
		DVS_LOG(ERR, "journal replay failed: %s", txt ? txt : "?");
		free(txt);
		json_decref(err);
		return -EINVAL;
	}
	return 0;
}

struct ovsdb_server *ovsdb_server_create(struct dvs_loop *loop, struct ovsdb_storage *storage,
					 const struct ovsdb_server_opts *opts)
{
	struct ovsdb_server *s = calloc(1, sizeof *s);
	json_t *error = NULL;
	int err = 0;
	if (!s) {
		ovsdb_storage_close(storage);
		errno = ENOMEM;
		return NULL;
	}
	s->loop = loop;
	s->storage = storage;
	s->opts = *opts;
	hmap_init(&s->locks);
	s->schema_json = storage->class_->read_schema(storage);
	if (!s->schema_json) {
		err = errno ? errno : EINVAL;
		goto out;
	}
	struct ovsdb_schema *schema = ovsdb_schema_from_json(s->schema_json, &error);
	if (!schema) {
		char *txt = json_dumps(error, JSON_COMPACT);
		DVS_LOG(ERR, "stored schema is invalid: %s", txt ? txt : "?");
		free(txt);
		json_decref(error);
		err = EINVAL;
		goto out;
	}
	s->db = ovsdb_db_create(schema);
	if (!s->db) {
		ovsdb_schema_destroy(schema);
		err = ENOMEM;
		goto out;
	}
	if (opts->compact_min && storage->class_ == &ovsdb_journal_class)
		journal_set_compact_min(storage, opts->compact_min);
	int rc = storage->class_->replay(storage, replay_cb, s);
	if (rc) {
		err = -rc;
		goto out;
	}
	ovsdb_db_recount_refs(s->db);
	s->last_compact_ms = dvs_now_ms();
out:
	if (err) {
		ovsdb_server_destroy(s);
		errno = err;
		return NULL;
	}
	return s;
}

void ovsdb_server_destroy(struct ovsdb_server *s)
{
	if (!s)
		return;
	while (s->sessions) {
		ovsdb_session_flush(s->sessions);
		ovsdb_session_destroy(s->sessions);
	}
	for (size_t i = 0; i < s->n_listen; i++) {
		dvs_loop_del_fd(s->loop, s->listen_fds[i]);
		close(s->listen_fds[i]);
		if (!strncmp(s->listen_names[i], "punix:", 6))
			unlink(s->listen_names[i] + 6);
		free(s->listen_names[i]);
	}
	free(s->listen_fds);
	free(s->listen_names);
	ovsdb_lock_destroy_all(s);
	hmap_destroy(&s->locks);
	ovsdb_storage_close(s->storage);
	ovsdb_db_destroy(s->db);
	json_decref(s->schema_json);
	json_text_destroy(&s->record);
	json_text_destroy(&s->reply);
	free(s);
}

static void accept_cb(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct ovsdb_server *s = arg;
	const char *lname = "?";
	for (size_t i = 0; i < s->n_listen; i++)
		if (s->listen_fds[i] == fd)
			lname = s->listen_names[i];
	for (int i = 0; i < 64; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno != EAGAIN && errno != EINTR)
				DVS_LOG_RL(WARN, "%s: accept: %s", lname, strerror(errno));
			return;
		}
		char name[256];
		snprintf(name, sizeof name, "%s#%d", lname, c);
		if (!ovsdb_session_create(s, c, name))
			DVS_LOG_RL(WARN, "%s: cannot create session: %s", lname, strerror(errno));
	}
}

int ovsdb_server_add_remote(struct ovsdb_server *s, const char *remote)
{
	if (strncmp(remote, "punix:", 6) && strncmp(remote, "ptcp:", 5))
		return -EINVAL;
	int fd = dvs_stream_listen(remote);
	if (fd < 0)
		return fd;
	int *fds = realloc(s->listen_fds, (s->n_listen + 1) * sizeof *fds);
	char **names = fds ? realloc(s->listen_names, (s->n_listen + 1) * sizeof *names) : NULL;
	if (fds)
		s->listen_fds = fds;
	if (names)
		s->listen_names = names;
	int rc = dvs_loop_add_fd(s->loop, fd, DVS_LOOP_IN, accept_cb, s);
	if (!fds || !names || rc) {
		close(fd);
		return rc ? rc : -ENOMEM;
	}
	s->listen_fds[s->n_listen] = fd;
	s->listen_names[s->n_listen++] = strdup(remote);
	DVS_LOG(INFO, "listening on %s", remote);
	return 0;
}

void ovsdb_server_publish(struct ovsdb_server *s, struct ovsdb_txn *txn, bool durable)
{
	s->record.len = 0;
	if (ovsdb_txn_write_journal(txn, &s->record)) {
		int rc = ovsdb_storage_append(s->storage, s->record.buf, s->record.len);
		if (rc) {
			/* Memory is ahead of storage now: stopping is the only honest answer. */
			DVS_LOG(ERR, "cannot append to storage: %s; exiting", strerror(-rc));
			exit(EXIT_FAILURE);
		}
		s->need_commit = true;
		s->need_sync |= durable;
	}
	s->committed = true;
	s->n_commits++;
	struct ovsdb_share_cache cache = { 0, 0, NULL, NULL };
	struct ovsdb_interest changed;
	ovsdb_txn_interest(txn, &changed);
	for (struct ovsdb_session *ss = s->sessions; ss; ss = ss->next)
		if (ss->n_monitors && ovsdb_interest_meets(&ss->interest, &changed))
			ovsdb_session_publish(ss, txn, &cache);
	ovsdb_share_cache_clear(&cache);
	free(cache.e);
	ovsdb_txn_destroy(txn);
}

int ovsdb_server_compact(struct ovsdb_server *s)
{
	struct json_text t;
	json_text_init(&t);
	bool any = ovsdb_db_write_snapshot(s->db, &t);
	int rc = s->storage->class_->compact(s->storage, s->schema_json, any ? t.buf : NULL, t.len);
	json_text_destroy(&t);
	s->last_compact_ms = dvs_now_ms();
	if (rc)
		DVS_LOG(ERR, "compaction failed: %s", strerror(-rc));
	return rc;
}

int ovsdb_server_run_once(struct ovsdb_server *s, int max_wait_ms)
{
	uint64_t now = dvs_now_ms();
	int64_t wait = max_wait_ms;
	for (struct ovsdb_session *ss = s->sessions; ss; ss = ss->next) {
		int64_t d = ovsdb_session_next_deadline(ss, now);
		/* Output queued late in the last iteration (a "locked" notification from a
		 * session that closed after this one was flushed) goes out now, not later; so
		 * are requests the last iteration had no time for. */
		if (ss->n_out || ovsdb_session_input_pending(ss))
			d = 0;
		if (d >= 0 && (wait < 0 || d < wait))
			wait = d;
	}
	s->busy_us = 0;
	/* The session put off longest goes first, whatever the budget: none starves. */
	struct ovsdb_session *oldest = NULL;
	for (struct ovsdb_session *ss = s->sessions; ss; ss = ss->next)
		if (ss->deferred_seq && ovsdb_session_input_pending(ss) &&
		    (!oldest || ss->deferred_seq < oldest->deferred_seq))
			oldest = ss;
	if (oldest)
		ovsdb_session_resume_input(oldest, true);
	int rc = dvs_loop_run_once(s->loop, (int)wait);
	if (rc < 0 && rc != -EINTR)
		return rc;
	/* Requests buffered but put off by the budget (their socket may be drained). */
	for (struct ovsdb_session *ss = s->sessions; ss; ss = ss->next)
		ovsdb_session_resume_input(ss, false);
	uint64_t t0 = dvs_now_us() - s->busy_us, t_commit, t_flush, t_compact;

	/* Deadlines of "wait"s, and re-runs after a commit, may commit more: do them before
	 * the storage commit so they share it. */
	now = dvs_now_ms();
	for (int pass = 0; pass < 4; pass++) {
		bool committed = s->committed;
		s->committed = false;
		for (struct ovsdb_session *ss = s->sessions; ss; ss = ss->next)
			if (ss->triggers && (committed || ovsdb_session_next_deadline(ss, now) == 0))
				ovsdb_session_run_triggers(ss, now);
		if (!s->committed)
			break;
	}

	t_commit = dvs_now_us();
	if (s->need_commit) {
		rc = ovsdb_storage_commit(s->storage, s->opts.sync_always || s->need_sync);
		if (rc) {
			DVS_LOG(ERR, "storage commit failed: %s", strerror(-rc));
			return rc;
		}
		s->n_batches++;
		s->need_commit = s->need_sync = false;
	}

	t_flush = dvs_now_us();
	struct ovsdb_session *next;
	for (struct ovsdb_session *ss = s->sessions; ss; ss = next) {
		next = ss->next;
		if (!ss->dead && ovsdb_session_flush(ss))
			ss->dead = true;
		if (ss->dead)
			ovsdb_session_destroy(ss);
	}

	t_compact = dvs_now_us(); /* compaction and preallocation */
	/* Automatic compaction stalls the loop while the snapshot is written, so like
	 * ovsdb-server it happens at most every COMPACT_INTERVAL_MS. */
	if (s->compact_requested ||
	    (dvs_now_ms() - s->last_compact_ms >= COMPACT_INTERVAL_MS && s->storage->class_->should_compact(s->storage))) {
		s->compact_requested = false;
		/* A failed compaction leaves the old journal in place and working. */
		ovsdb_server_compact(s);
	}
	/* After the replies: the journal's preallocation must not delay any of them (it does
	 * nothing unless this iteration's commit synced). */
	if (s->storage->class_->prepare)
		s->storage->class_->prepare(s->storage);
	uint64_t t_end = dvs_now_us();
	if (t_end - t0 >= SLOW_ITERATION_US)
		DVS_LOG_RL(WARN, "slow iteration: %llu ms (requests %llu, commit %llu, output %llu, compaction %llu)",
			   (unsigned long long)(t_end - t0) / 1000, (unsigned long long)(t_commit - t0) / 1000,
			   (unsigned long long)(t_flush - t_commit) / 1000, (unsigned long long)(t_compact - t_flush) / 1000,
			   (unsigned long long)(t_end - t_compact) / 1000);
	return 0;
}
