/* SPDX-License-Identifier: Apache-2.0 */
#include "lock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "jsonrpc.h"
#include "jsonrpc_server.h"
#include "server.h"

struct ovsdb_lock {
	struct hmap_node node;
	char *name;
	struct ovsdb_session **q; /* q[0] owns the lock, the rest wait in order */
	size_t n;
};


static struct ovsdb_lock *lock_find(struct ovsdb_server *s, const char *name, bool create)
{
	uint32_t h = hash_bytes(name, strlen(name), 0);
	HMAP_FOR_EACH_WITH_HASH (n, h, &s->locks) {
		struct ovsdb_lock *l = HMAP_CONTAINER(n, struct ovsdb_lock, node);
		if (!strcmp(l->name, name))
			return l;
	}
	if (!create)
		return NULL;
	struct ovsdb_lock *l = calloc(1, sizeof *l);
	if (!l || !(l->name = strdup(name))) {
		free(l);
		return NULL;
	}
	hmap_insert(&s->locks, &l->node, h);
	return l;
}

static long lock_pos(const struct ovsdb_lock *l, const struct ovsdb_session *ss)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->q[i] == ss)
			return (long)i;
	return -1;
}

static int lock_insert(struct ovsdb_lock *l, struct ovsdb_session *ss, size_t pos)
{
	struct ovsdb_session **q = realloc(l->q, (l->n + 1) * sizeof *q);
	if (!q)
		return -ENOMEM;
	l->q = q;
	memmove(&q[pos + 1], &q[pos], (l->n - pos) * sizeof *q);
	q[pos] = ss;
	l->n++;
	return 0;
}

/* Removes 'ss' from the lock's queue; tells the next waiter if ownership moved. */
static void lock_remove(struct ovsdb_server *s, struct ovsdb_lock *l, struct ovsdb_session *ss)
{
	long i = lock_pos(l, ss);
	if (i < 0)
		return;
	memmove(&l->q[i], &l->q[i + 1], (l->n - (size_t)i - 1) * sizeof *l->q);
	l->n--;
	if (i == 0 && l->n)
		ovsdb_session_queue(l->q[0], dvs_jsonrpc_notification("locked", json_pack("[s]", l->name)));
	if (!l->n) {
		hmap_remove(&s->locks, &l->node);
		free(l->q);
		free(l->name);
		free(l);
	}
}

bool ovsdb_lock_is_owner(void *ss_, const char *name)
{
	struct ovsdb_session *ss = ss_;
	struct ovsdb_lock *l = lock_find(ss->server, name, false);
	return l && l->n && l->q[0] == ss;
}

json_t *ovsdb_lock_method(struct ovsdb_session *ss, const char *method, const json_t *params, json_t **error)
{
	const char *name = json_string_value(json_array_get(params, 0));
	if (!name || json_array_size(params) != 1) {
		*error = ovsdb_error("syntax error", "%s expects [lock-name]", method);
		return NULL;
	}
	struct ovsdb_server *s = ss->server;
	struct ovsdb_lock *l = lock_find(s, name, strcmp(method, "unlock") != 0);
	if (!strcmp(method, "unlock")) {
		if (!l || lock_pos(l, ss) < 0) {
			*error = ovsdb_error("not owner", "lock %s was not requested by this session", name);
			return NULL;
		}
		lock_remove(s, l, ss);
		return json_object();
	}
	if (!l) {
		*error = ovsdb_error("resources exhausted", "out of memory");
		return NULL;
	}
	if (!strcmp(method, "lock")) {
		if (lock_pos(l, ss) >= 0) {
			*error = ovsdb_error("duplicate lock", "lock %s already requested by this session", name);
			return NULL;
		}
		if (lock_insert(l, ss, l->n)) {
			*error = ovsdb_error("resources exhausted", "out of memory");
			return NULL;
		}
		return json_pack("{s:b}", "locked", l->q[0] == ss);
	}
	/* steal: take ownership now; the victim keeps waiting, right behind. */
	long pos = lock_pos(l, ss);
	if (pos == 0)
		return json_pack("{s:b}", "locked", 1);
	if (pos > 0) {
		memmove(&l->q[pos], &l->q[pos + 1], (l->n - (size_t)pos - 1) * sizeof *l->q);
		l->n--;
	}
	if (lock_insert(l, ss, 0)) {
		*error = ovsdb_error("resources exhausted", "out of memory");
		return NULL;
	}
	if (l->n > 1)
		ovsdb_session_queue(l->q[1], dvs_jsonrpc_notification("stolen", json_pack("[s]", name)));
	return json_pack("{s:b}", "locked", 1);
}

void ovsdb_lock_release_all(struct ovsdb_session *ss)
{
	struct ovsdb_server *s = ss->server;
	HMAP_FOR_EACH_SAFE (n, &s->locks) {
		struct ovsdb_lock *l = HMAP_CONTAINER(n, struct ovsdb_lock, node);
		lock_remove(s, l, ss);
	}
}

void ovsdb_lock_destroy_all(struct ovsdb_server *s)
{
	HMAP_FOR_EACH_SAFE (n, &s->locks) {
		struct ovsdb_lock *l = HMAP_CONTAINER(n, struct ovsdb_lock, node);
		hmap_remove(&s->locks, &l->node);
		free(l->q);
		free(l->name);
		free(l);
	}
}
