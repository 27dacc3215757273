/* SPDX-License-Identifier: Apache-2.0 */
/* Leadership and the write loop.
 *
 * One session carries the monitor, the lock and the writes, because dvs-db (like
 * ovsdb-server) sends the update of a transaction before its reply on the same session:
 * when a reply arrives, the replica already shows what the transaction wrote, so the next
 * build never writes it twice.  The IDL does not pass "locked" notifications on, so a
 * standby polls with an assert-only transaction every tick (CTL_TICK_MS): takeover after
 * the leader's session closes costs at most one tick. */

#define DVS_LOG_MODULE "dvs.controller"

#include "session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "ovsdb-lite/client/idl.h"

#define CTL_TICK_MS 250
#define CTL_RETRY_MS 1000

/* The columns the controller reads; Port.statistics and generations change often and
 * matter to nobody here. */
static const char *const port_cols[] = {
	"key", "port_group", "mac", "ips", "backing", "vhost_socket", "vhost_mode",
	"vhost_queues", "tap_name", "netns", "kernel_ifname", "requested_host", "overrides",
	"status", "config_error", NULL,
};
static const char *const host_cols[] = {
	"name", "last_heartbeat", "applied_generation", "status", NULL,
};

struct session {
	struct dvs_loop *loop;
	struct dvs_idl *idl;
	struct ctl *ctl;
	void (*on_ready)(void *arg);
	void *ready_arg;
	bool ready;

	bool synced;
	bool leader;
	uint64_t lock_session; /* n_connects when "lock" was sent on it; 0: not sent */
	bool txn_in_flight;
	bool poll_in_flight;
	uint64_t retry_at_ms; /* after a failed transaction, no new one before (monotonic) */
	struct dvs_timer *tick;
	struct dvs_timer *kick; /* one-shot: coalesces the batches of one loop pass */
};

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
n_connects(const struct session *s)
{
	struct dvs_client_stats st;

	dvs_client_get_stats(dvs_idl_client(s->idl), &st);
	return st.n_connects;
}

static void flush(struct session *s);

static void
step_down(struct session *s, const char *why)
{
	if (!s->leader)
		return;
	s->leader = false;
	DVS_LOG(WARN, "no longer the leader (%s); standing by", why);
}

static void
txn_reply(void *arg, int status, const json_t *result, const json_t *error)
{
	struct session *s = arg;
	struct dvs_txn *txn = dvs_txn_create(CTL_DB); /* only for dvs_txn_check's messages */
	struct dvs_err err = {0};
	bool ok = false;

	s->txn_in_flight = false;
	if (status < 0) {
		dvs_err_set(&err, -status, "session dropped");
	} else if (status > 0) {
		dvs_err_set(&err, EIO, "%s", json_string_value(json_object_get(error, "error")) ?: "error");
	} else {
		/* Operation 0 is the assert. */
		const json_t *r0 = json_array_get(result, 0);

		if (json_object_get(r0, "error")) {
			step_down(s, "lock not held");
			ok = true; /* nothing was written: nothing to retry as leader */
		} else {
			size_t i;
			const json_t *r;

			ok = true;
			json_array_foreach(result, i, r) {
				if (json_is_object(r) && json_object_get(r, "error")) {
					dvs_err_set(&err, EIO, "operation %zu: %s: %s", i,
						    json_string_value(json_object_get(r, "error")) ?: "?",
						    json_string_value(json_object_get(r, "details")) ?: "");
					ok = false;
					break;
				}
			}
		}
	}
	dvs_txn_destroy(txn);
	ctl_txn_done(s->ctl, ok);
	if (!ok) {
		if (status >= 0)
			DVS_LOG_RL(WARN, "transaction failed: %s; recomputing everything in %d ms",
				   dvs_err_msg(&err), CTL_RETRY_MS);
		s->retry_at_ms = dvs_now_ms() + CTL_RETRY_MS;
		return;
	}
	flush(s); /* what changed while this transaction was in flight */
}

static void
flush(struct session *s)
{
	struct dvs_txn *txn;
	int n;

	ctl_log_convergence(s->ctl);
	if (!s->leader || !s->synced || s->txn_in_flight || dvs_now_ms() < s->retry_at_ms ||
	    !ctl_is_dirty(s->ctl))
		return;
	txn = dvs_txn_create(CTL_DB);
	if (!txn || dvs_txn_add(txn, json_pack("{s:s, s:s}", "op", "assert", "lock", CTL_LOCK)) < 0) {
		dvs_txn_destroy(txn);
		return;
	}
	n = ctl_build(s->ctl, wall_ms(), txn);
	if (n > 0) {
		DVS_LOG(DEBUG, "writing %d operations", n);
		dvs_txn_comment(txn, "dvs-controller reconcile");
		if (dvs_txn_send(txn, dvs_idl_client(s->idl), txn_reply, s) == 0)
			s->txn_in_flight = true;
		else
			ctl_txn_done(s->ctl, false);
	} else if (n < 0) {
		DVS_LOG(ERR, "reconcile: %s", strerror(-n));
		ctl_txn_done(s->ctl, false);
	}
	dvs_txn_destroy(txn);
}

static void
become_leader(struct session *s)
{
	if (s->leader)
		return;
	s->leader = true;
	DVS_LOG(INFO, "leader: holding lock %s as \"%s\"", CTL_LOCK, s->ctl->name);
	/* Another controller may have left anything behind: look at everything once. */
	ctl_mark_all(s->ctl);
	flush(s);
}

static void
poll_reply(void *arg, int status, const json_t *result, const json_t *error)
{
	struct session *s = arg;

	s->poll_in_flight = false;
	if (status == 0 && !json_object_get(json_array_get(result, 0), "error"))
		become_leader(s);
}

static void
lock_reply(void *arg, int status, const json_t *result, const json_t *error)
{
	struct session *s = arg;

	if (status != 0) {
		if (status > 0)
			DVS_LOG(WARN, "lock %s: %s", CTL_LOCK,
				json_string_value(json_object_get(error, "error")) ?: "error");
		return;
	}
	if (json_is_true(json_object_get(result, "locked")))
		become_leader(s);
	else
		DVS_LOG(INFO, "standby: lock %s is held by another controller", CTL_LOCK);
}

static void
request_lock(struct session *s)
{
	uint64_t sess = n_connects(s);

	if (s->lock_session == sess)
		return;
	if (dvs_client_request(dvs_idl_client(s->idl), "lock", json_pack("[s]", CTL_LOCK),
			       lock_reply, s) == 0)
		s->lock_session = sess;
}

static void
sync_cb(void *arg, struct dvs_idl *idl, bool synced)
{
	struct session *s = arg;

	s->synced = synced;
	if (!synced) {
		/* The lock belongs to the session: a new one must ask again. */
		step_down(s, "database session lost");
		return;
	}
	if (!s->ready) {
		s->ready = true;
		DVS_LOG(INFO, "replica synchronised: %zu hosts, %zu port groups, %zu ports",
			dvs_replica_n_rows(dvs_idl_replica(idl), "Host"),
			dvs_replica_n_rows(dvs_idl_replica(idl), "PortGroup"),
			dvs_replica_n_rows(dvs_idl_replica(idl), "Port"));
		if (s->on_ready)
			s->on_ready(s->ready_arg);
	}
	request_lock(s);
	flush(s);
}

static void
kick_cb(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	struct session *s = arg;

	s->kick = NULL;
	flush(s);
}

static void
batch_cb(void *arg, size_t n_changes)
{
	struct session *s = arg;

	if (!s->kick)
		s->kick = dvs_loop_add_timer(s->loop, 0, false, kick_cb, s);
}

static void
tick_cb(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	struct session *s = arg;

	if (!s->synced)
		return;
	if (s->leader) {
		ctl_check_hosts(s->ctl, wall_ms());
		flush(s);
		return;
	}
	if (s->lock_session == n_connects(s) && !s->poll_in_flight) {
		json_t *params = json_pack("[s{s:s,s:s}]", CTL_DB, "op", "assert", "lock", CTL_LOCK);

		if (dvs_client_request(dvs_idl_client(s->idl), "transact", params, poll_reply, s) == 0)
			s->poll_in_flight = true;
	}
	ctl_log_convergence(s->ctl);
}

struct session *
session_create(struct dvs_loop *loop, const char *addr, const char *name,
	       void (*on_ready)(void *arg), void *arg)
{
	static const char *const tables[] = {"Global", "Segment", "PortGroup", "Binding",
					     "MacLocation"};
	struct dvs_client_opts opts = {.backoff_min_ms = 100, .backoff_max_ms = 2000,
				       .probe_interval_ms = 5000,
				       /* The first monitor reply holds every Port, Binding and
				        * MacLocation row: about 250 B per port. */
				       .max_msg_size = 1u << 30};
	struct session *s = calloc(1, sizeof(*s));
	int err = ENOMEM;

	if (!s)
		return NULL;
	s->loop = loop;
	s->on_ready = on_ready;
	s->ready_arg = arg;
	s->idl = dvs_idl_create(loop, addr, CTL_DB, &opts);
	if (!s->idl) {
		err = errno;
		goto fail;
	}
	s->ctl = ctl_create(dvs_idl_replica(s->idl), name);
	if (!s->ctl)
		goto fail;
	for (size_t i = 0; i < DVS_ARRAY_SIZE(tables); i++)
		if (dvs_idl_monitor(s->idl, tables[i], NULL, NULL) < 0)
			goto fail;
	if (dvs_idl_monitor(s->idl, "Host", host_cols, NULL) < 0 ||
	    dvs_idl_monitor(s->idl, "Port", port_cols, NULL) < 0)
		goto fail;
	dvs_idl_set_sync_cb(s->idl, sync_cb, s);
	dvs_replica_set_batch_cb(dvs_idl_replica(s->idl), batch_cb, s);
	s->tick = dvs_loop_add_timer(loop, CTL_TICK_MS, true, tick_cb, s);
	if (!s->tick)
		goto fail;
	return s;
fail:
	session_destroy(s);
	errno = err;
	return NULL;
}

void
session_destroy(struct session *s)
{
	if (!s)
		return;
	dvs_timer_cancel(s->loop, s->tick);
	dvs_timer_cancel(s->loop, s->kick);
	/* The IDL fails pending replies (they reference 's') before it goes. */
	dvs_idl_destroy(s->idl);
	ctl_destroy(s->ctl);
	free(s);
}

bool
session_is_leader(const struct session *s)
{
	return s->leader;
}
