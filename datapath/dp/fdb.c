/* SPDX-License-Identifier: Apache-2.0 */
/* FDB: see fdb.h for the threading rules. */
#include "fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>

static uint32_t
fdb_hash(const void *key, uint32_t len, uint32_t init)
{
	(void)len;
	return rte_hash_crc_8byte(*(const uint64_t *)key, init);
}

struct fdb *
fdb_create(const char *name, uint32_t max_entries, uint32_t aging_s, uint32_t default_port_max,
	   struct rte_rcu_qsbr *qs)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = max_entries,
		.key_len = sizeof(struct fdb_key),
		.hash_func = fdb_hash,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD |
			      RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL,
	};
	struct fdb *f = rte_zmalloc("fdb", sizeof(*f), RTE_CACHE_LINE_SIZE);

	if (!f) {
		errno = ENOMEM;
		return NULL;
	}
	f->h = rte_hash_create(&hp);
	/* rte_hash may round 'entries' up and hand out positions beyond it. */
	f->entries = rte_zmalloc("fdb_entries", sizeof(*f->entries) * ((size_t)max_entries * 2 + 64),
				 RTE_CACHE_LINE_SIZE);
	if (!f->h || !f->entries) {
		fdb_destroy(f);
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < (size_t)max_entries * 2 + 64; i++)
		f->entries[i].port = FDB_PORT_NONE;
	f->qs = qs;
	f->max_entries = max_entries;
	f->aging_s = aging_s;
	f->default_port_max = default_port_max;
	f->remote_base = FDB_PORT_NONE;
	for (size_t i = 0; i < RTE_DIM(f->port_max); i++)
		f->port_max[i] = default_port_max;
	return f;
}

void
fdb_destroy(struct fdb *f)
{
	if (!f)
		return;
	rte_hash_free(f->h);
	rte_free(f->entries);
	rte_free(f);
}

void
fdb_lookup_bulk(const struct fdb *f, const struct fdb_key *keys[], unsigned n, uint16_t ports[],
		int32_t pos[])
{
	int32_t p[FDB_BULK_MAX];

	if (n == 0)
		return;
	rte_hash_lookup_bulk(f->h, (const void **)keys, n, p);
	for (unsigned i = 0; i < n; i++) {
		ports[i] = p[i] >= 0 ? __atomic_load_n(&f->entries[p[i]].port, __ATOMIC_ACQUIRE)
				     : FDB_PORT_NONE;
		if (pos)
			pos[i] = p[i];
	}
}

bool
fdb_moved_away(const struct fdb *f, const struct fdb_key *key)
{
	int32_t p = rte_hash_lookup(f->h, key);

	return p >= 0 && f->entries[p].moved_away;
}

void
fdb_set_remote_base(struct fdb *f, uint16_t base)
{
	f->remote_base = base;
}

static inline void
count_add(uint32_t *c, int32_t d)
{
	__atomic_fetch_add(c, (uint32_t)d, __ATOMIC_RELAXED);
}

int
fdb_learn(struct fdb *f, const struct fdb_key *key, int32_t pos, uint16_t port, uint32_t now_s)
{
	if (pos >= 0) {
		struct fdb_entry *e = &f->entries[pos];
		uint16_t old = __atomic_load_n(&e->port, __ATOMIC_ACQUIRE);
		if (old == port) {
			/* Write the shared line at most once a second. */
			if (e->seen_s != now_s)
				__atomic_store_n(&e->seen_s, now_s, __ATOMIC_RELAXED);
			return FDB_LEARN_KNOWN;
		}
		if (old != FDB_PORT_NONE) {
			if (e->is_static == FDB_STATIC) {
				__atomic_fetch_add(&f->n_static_conflicts, 1, __ATOMIC_RELAXED);
				return FDB_LEARN_STATIC;
			}
			bool was_published = e->is_static == FDB_PUBLISHED;
			if (port < RTE_DIM(f->port_count) &&
			    __atomic_load_n(&f->port_count[port], __ATOMIC_RELAXED) >= f->port_max[port]) {
				__atomic_fetch_add(&f->n_limit_hits, 1, __ATOMIC_RELAXED);
				return FDB_LEARN_LIMIT;
			}
			/* A move: CAS so that a concurrent delete (which sets NONE) wins. */
			if (!__atomic_compare_exchange_n(&e->port, &old, port, false, __ATOMIC_RELEASE,
							 __ATOMIC_RELAXED))
				return FDB_LEARN_KNOWN;
			__atomic_store_n(&e->seen_s, now_s, __ATOMIC_RELAXED);
			/* A published location seen elsewhere (a moved VM's announcement) becomes a
			 * learned entry at once; the controller's next publication confirms it. */
			e->is_static = 0;
			e->moved_away = old < f->remote_base && port >= f->remote_base;
			if (old < RTE_DIM(f->port_count) && !was_published)
				count_add(&f->port_count[old], -1);
			if (port < RTE_DIM(f->port_count))
				count_add(&f->port_count[port], 1);
			__atomic_fetch_add(&f->n_moved, 1, __ATOMIC_RELAXED);
			return FDB_LEARN_MOVED;
		}
		/* The slot is being filled or deleted: fall through and (re)add. */
	}
	if (port < RTE_DIM(f->port_count) &&
	    __atomic_load_n(&f->port_count[port], __ATOMIC_RELAXED) >= f->port_max[port]) {
		__atomic_fetch_add(&f->n_limit_hits, 1, __ATOMIC_RELAXED);
		return FDB_LEARN_LIMIT;
	}
	if (__atomic_load_n(&f->n_entries, __ATOMIC_RELAXED) >= f->max_entries) {
		__atomic_fetch_add(&f->n_limit_hits, 1, __ATOMIC_RELAXED);
		return FDB_LEARN_LIMIT;
	}
	int32_t p = rte_hash_add_key(f->h, key);
	if (p < 0) {
		__atomic_fetch_add(&f->n_limit_hits, 1, __ATOMIC_RELAXED);
		return FDB_LEARN_LIMIT;
	}
	struct fdb_entry *e = &f->entries[p];
	uint16_t expect = FDB_PORT_NONE;
	e->is_static = 0;
	e->moved_away = 0;
	e->seen_s = now_s;
	e->key = fdb_key_u64(key);
	/* Only the first learner of a new key counts it. */
	if (!__atomic_compare_exchange_n(&e->port, &expect, port, false, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED))
		return FDB_LEARN_KNOWN;
	count_add(&f->n_entries, 1);
	if (port < RTE_DIM(f->port_count))
		count_add(&f->port_count[port], 1);
	__atomic_fetch_add(&f->n_learned, 1, __ATOMIC_RELAXED);
	return FDB_LEARN_NEW;
}

static int
add_fixed(struct fdb *f, uint16_t seg, const uint8_t mac[6], uint16_t port, uint8_t kind)
{
	struct fdb_key k = {.seg = seg};
	int32_t p;

	memcpy(k.mac, mac, 6);
	p = rte_hash_add_key(f->h, &k);
	if (p < 0)
		return p;
	struct fdb_entry *e = &f->entries[p];
	uint16_t old = __atomic_load_n(&e->port, __ATOMIC_ACQUIRE);
	if (old == FDB_PORT_NONE) {
		/* A new slot: its key and kind are written before the port makes it visible. */
		count_add(&f->n_entries, 1);
		e->is_static = kind;
		e->moved_away = 0;
		e->seen_s = 0;
		e->key = fdb_key_u64(&k);
		__atomic_store_n(&e->port, port, __ATOMIC_RELEASE);
		return 0;
	}
	/* An existing entry moves in one store: the poll lcores see the old port or the new one,
	 * never a gap in which its frames would be flooded as unknown.  A concurrent learn (a
	 * CAS on the port) loses to this one. */
	bool was_learned = !e->is_static;
	e->is_static = kind;
	e->seen_s = 0;
	old = __atomic_exchange_n(&e->port, port, __ATOMIC_ACQ_REL);
	if (old != port) /* the same port: the publication confirms a move, the mark stays */
		e->moved_away = old < f->remote_base && port >= f->remote_base;
	if (old != FDB_PORT_NONE && was_learned && old < RTE_DIM(f->port_count))
		count_add(&f->port_count[old], -1);
	else if (old == FDB_PORT_NONE)
		count_add(&f->n_entries, 1);
	return 0;
}

int
fdb_add_static(struct fdb *f, uint16_t seg, const uint8_t mac[6], uint16_t port)
{
	return add_fixed(f, seg, mac, port, FDB_STATIC);
}

int
fdb_add_published(struct fdb *f, uint16_t seg, const uint8_t mac[6], uint16_t port)
{
	return add_fixed(f, seg, mac, port, FDB_PUBLISHED);
}

/* Deletes the keys in 'keys' (positions 'pos'), then frees their slots after a grace period. */
static unsigned
delete_batch(struct fdb *f, struct fdb_key *keys, int32_t *pos, unsigned n)
{
	unsigned done = 0;

	for (unsigned i = 0; i < n; i++) {
		struct fdb_entry *e = &f->entries[pos[i]];
		uint16_t old = __atomic_exchange_n(&e->port, FDB_PORT_NONE, __ATOMIC_ACQ_REL);
		if (rte_hash_del_key(f->h, &keys[i]) < 0)
			continue;
		if (old != FDB_PORT_NONE) {
			count_add(&f->n_entries, -1);
			if (!e->is_static && old < RTE_DIM(f->port_count))
				count_add(&f->port_count[old], -1);
		}
		e->is_static = 0;
		done++;
	}
	if (f->qs)
		rte_rcu_qsbr_synchronize(f->qs, RTE_QSBR_THRID_INVALID);
	for (unsigned i = 0; i < n; i++)
		rte_hash_free_key_with_position(f->h, pos[i]);
	return done;
}

typedef bool fdb_select_fn(const struct fdb *f, const struct fdb_entry *e, uint32_t arg);

static unsigned
delete_where(struct fdb *f, fdb_select_fn *sel, uint32_t arg)
{
	enum { BATCH = 256 };
	struct fdb_key keys[BATCH];
	int32_t pos[BATCH];
	unsigned n = 0, total = 0;
	uint32_t it = 0;
	const void *k;
	void *data;
	int32_t p;

	/* Collect first, delete after: deleting while iterating would skip entries. */
	size_t cap = 1024, len = 0;
	struct fdb_key *all = malloc(cap * sizeof(*all));
	int32_t *allpos = malloc(cap * sizeof(*allpos));
	if (!all || !allpos)
		goto out;
	while ((p = rte_hash_iterate(f->h, &k, &data, &it)) >= 0) {
		const struct fdb_entry *e = &f->entries[p];
		if (!sel(f, e, arg))
			continue;
		if (len == cap) {
			cap *= 2;
			struct fdb_key *na = realloc(all, cap * sizeof(*all));
			int32_t *np = na ? realloc(allpos, cap * sizeof(*allpos)) : NULL;
			if (na)
				all = na;
			if (!np)
				break;
			allpos = np;
		}
		memcpy(&all[len], k, sizeof(*all));
		allpos[len++] = p;
	}
	for (size_t i = 0; i < len; i++) {
		keys[n] = all[i];
		pos[n++] = allpos[i];
		if (n == BATCH) {
			total += delete_batch(f, keys, pos, n);
			n = 0;
		}
	}
	if (n)
		total += delete_batch(f, keys, pos, n);
out:
	free(all);
	free(allpos);
	return total;
}

static bool
sel_aged(const struct fdb *f, const struct fdb_entry *e, uint32_t now_s)
{
	uint16_t port = __atomic_load_n(&e->port, __ATOMIC_ACQUIRE);
	uint32_t seen = __atomic_load_n(&e->seen_s, __ATOMIC_RELAXED);
	return port != FDB_PORT_NONE && !e->is_static && now_s - seen >= f->aging_s;
}

unsigned
fdb_age(struct fdb *f, uint32_t now_s)
{
	unsigned n = delete_where(f, sel_aged, now_s);
	__atomic_fetch_add(&f->n_aged, n, __ATOMIC_RELAXED);
	return n;
}

/* arg: low 16 bits the port (FDB_PORT_NONE: any), bit 16 "static too". */
static bool
sel_port(const struct fdb *f, const struct fdb_entry *e, uint32_t arg)
{
	uint16_t port = __atomic_load_n(&e->port, __ATOMIC_ACQUIRE);
	uint16_t want = arg & 0xffff;
	if (e->is_static && !(arg & 0x10000))
		return false;
	return want == FDB_PORT_NONE || port == want;
}

unsigned
fdb_flush(struct fdb *f, uint16_t port, bool with_static)
{
	return delete_where(f, sel_port, port | (with_static ? 0x10000u : 0));
}

void
fdb_set_aging(struct fdb *f, uint32_t aging_s)
{
	f->aging_s = aging_s;
}

void
fdb_set_port_limit(struct fdb *f, uint16_t port, uint32_t max)
{
	if (port < RTE_DIM(f->port_max))
		f->port_max[port] = max ? max : f->default_port_max;
}

void
fdb_dump(const struct fdb *f, fdb_dump_cb *cb, void *arg)
{
	uint32_t it = 0;
	const void *k;
	void *data;
	int32_t p;

	while ((p = rte_hash_iterate(f->h, &k, &data, &it)) >= 0) {
		struct fdb_entry e = f->entries[p];
		if (e.port != FDB_PORT_NONE)
			cb(arg, k, &e);
	}
}

int
fdb_del(struct fdb *f, uint16_t seg, const uint8_t mac[6])
{
	struct fdb_key k = {.seg = seg};
	int32_t pos;

	memcpy(k.mac, mac, 6);
	pos = rte_hash_lookup(f->h, &k);
	if (pos < 0)
		return -ENOENT;
	return delete_batch(f, &k, &pos, 1) ? 0 : -ENOENT;
}

