/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The forwarding database: (segment, MAC) -> port, learned by the fast path and aged by the
 * control thread.  A lock-free rte_hash (RW_CONCURRENCY_LF) holds the keys; a side array
 * indexed by the key's position holds the entry.  Lookups never lock.  Adding a new key takes
 * rte_hash's writer lock (new MACs only; a known MAC's refresh or move is a plain store).
 *
 * Threads: fdb_lookup_bulk() and fdb_learn() run on poll lcores inside an RCU read-side
 * section (between two rte_rcu_qsbr_quiescent() calls).  Everything else is control-thread
 * only.  Deleted key slots are released only after an RCU grace period, so a reader never
 * sees a slot reused under it. */

#include <stdbool.h>
#include <stdint.h>

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#define FDB_PORT_NONE 0xffff
#define FDB_BULK_MAX 32

struct fdb_key {
	uint16_t seg;
	uint8_t mac[6];
} __attribute__((packed));

#define FDB_STATIC 1    /* a configured MAC: never aged, never moved by learning */
#define FDB_PUBLISHED 2 /* a location the controller published: never aged, moved by learning */

struct fdb_entry {
	uint16_t port;   /* FDB_PORT_NONE while the slot is free or being (re)filled */
	uint8_t is_static; /* 0 learned, FDB_STATIC or FDB_PUBLISHED */
	uint8_t moved_away; /* the MAC moved from a local port to a remote one (a VM that left
			     * this host), by learning or publication: see fdb_moved_away() */
	uint32_t seen_s; /* last time the MAC was seen as a source, in seconds */
	uint64_t key;    /* the key in this slot (struct fdb_key as 8 bytes): lets a per-lcore
			  * cache validate a remembered position without a hash lookup */
};

static inline uint64_t
fdb_key_u64(const struct fdb_key *k)
{
	uint64_t v;
	__builtin_memcpy(&v, k, sizeof(v));
	return v;
}

struct fdb {
	struct rte_hash *h;
	struct fdb_entry *entries;   /* by key position */
	struct rte_rcu_qsbr *qs;     /* readers' RCU variable */
	uint32_t max_entries;
	uint32_t aging_s;
	uint32_t default_port_max;
	uint16_t remote_base;        /* ports >= this are remote (tunnels); FDB_PORT_NONE: none */
	uint32_t port_max[1024];     /* per-port learned limit */
	uint32_t port_count[1024];   /* learned (dynamic) entries per port; atomics */
	uint32_t n_entries;          /* atomics */
	uint64_t n_learned, n_moved, n_aged, n_limit_hits, n_static_conflicts; /* atomics */
};

enum fdb_learn_result {
	FDB_LEARN_KNOWN = 0,   /* already there, same port */
	FDB_LEARN_NEW = 1,
	FDB_LEARN_MOVED = 2,
	FDB_LEARN_LIMIT = -1,  /* port or table limit reached: not learned */
	FDB_LEARN_STATIC = -2, /* a static entry holds this MAC on another port: not moved */
};

/* Creates a table of 'max_entries'.  'qs' is the RCU variable the poll lcores report to.
 * Returns the table, or NULL with errno set. */
struct fdb *fdb_create(const char *name, uint32_t max_entries, uint32_t aging_s,
		       uint32_t default_port_max, struct rte_rcu_qsbr *qs);
/* Accepts NULL. */
void fdb_destroy(struct fdb *f);

/* Looks up 'n' (<= FDB_BULK_MAX) keys.  ports[i] gets the port, or FDB_PORT_NONE if unknown.
 * Fast-path safe.  'pos' (may be NULL) gets each key's position or a negative value. */
void fdb_lookup_bulk(const struct fdb *f, const struct fdb_key *keys[], unsigned n,
		     uint16_t ports[], int32_t pos[]);

/* Learns 'key' on 'port' given its lookup result 'pos' (from fdb_lookup_bulk, < 0 if it was
 * not found).  Refreshes the timestamp at most once a second.  Fast-path safe. */
int fdb_learn(struct fdb *f, const struct fdb_key *key, int32_t pos, uint16_t port, uint32_t now_s);

/* True if 'key' moved from a local port (< remote_base) to a remote one, by learning or by
 * a publication (fdb_add_published), and stayed there: the VM behind it left this host, and
 * frames that other remote hosts still send here for it are sent on (a migration's
 * redirect).  Fast-path safe. */
bool fdb_moved_away(const struct fdb *f, const struct fdb_key *key);
/* Ports from 'base' up are remote (the tunnels): a move from below to above marks the entry
 * moved_away.  Call before the fast path runs. */
void fdb_set_remote_base(struct fdb *f, uint16_t base);

/* Control thread. */
int fdb_add_static(struct fdb *f, uint16_t seg, const uint8_t mac[6], uint16_t port);
/* Installs a location published by the controller (a remote MAC behind a tunnel). */
int fdb_add_published(struct fdb *f, uint16_t seg, const uint8_t mac[6], uint16_t port);
/* Deletes one entry.  Returns 0 or -ENOENT. */
int fdb_del(struct fdb *f, uint16_t seg, const uint8_t mac[6]);
/* Deletes dynamic entries not seen for aging_s.  Returns the number removed. */
unsigned fdb_age(struct fdb *f, uint32_t now_s);
/* Deletes the entries of 'port' (FDB_PORT_NONE: all).  Static ones too if 'with_static'. */
unsigned fdb_flush(struct fdb *f, uint16_t port, bool with_static);
void fdb_set_aging(struct fdb *f, uint32_t aging_s);
void fdb_set_port_limit(struct fdb *f, uint16_t port, uint32_t max);
typedef void fdb_dump_cb(void *arg, const struct fdb_key *key, const struct fdb_entry *e);
void fdb_dump(const struct fdb *f, fdb_dump_cb *cb, void *arg);
