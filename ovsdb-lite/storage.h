/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Durable storage behind one small interface, so that a replicated backend (etcd, ...) can
 * replace the local journal (journal.c) without touching the server.  The contract:
 *   - a store holds a schema and a sequence of records (JSON objects, journal.c's format);
 *   - append() only buffers; commit() makes every buffered record durable (sync=true) or
 *     at least written (sync=false).  The server calls commit() once per loop iteration,
 *     which is what makes concurrent transactions share one fsync (group commit);
 *   - compact() replaces the whole history by the schema plus one snapshot record,
 *     atomically: after a crash either the old or the new history is found, never a mix.
 * Single threaded. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ovsdb_storage;

struct ovsdb_storage_class {
	const char *name;
	/* Creates a new store holding 'schema' only.  -EEXIST if one is already there. */
	int (*create)(const char *location, const json_t *schema);
	struct ovsdb_storage *(*open)(const char *location);
	void (*close)(struct ovsdb_storage *st);
	/* Returns the schema (new) or NULL with errno. */
	json_t *(*read_schema)(struct ovsdb_storage *st);
	/* Calls cb for every record after the schema, in order.  A torn or corrupt tail is
	 * dropped (and logged) rather than failing the open.  Returns 0, cb's error, or -errno. */
	int (*replay)(struct ovsdb_storage *st, int (*cb)(void *aux, const json_t *record), void *aux);
	/* Buffers one record given as JSON text (an object, 'size' bytes). */
	int (*append)(struct ovsdb_storage *st, const char *record, size_t size);
	int (*commit)(struct ovsdb_storage *st, bool sync);
	/* 'snapshot' is one record as JSON text ('size' bytes), or NULL for an empty database. */
	int (*compact)(struct ovsdb_storage *st, const json_t *schema, const char *snapshot, size_t size);
	/* True when the history has grown enough that compacting is worth it. */
	bool (*should_compact)(const struct ovsdb_storage *st);
	/* Optional: work that readies the store for the next commits (the journal's
	 * preallocation), called after an iteration's replies are sent, never before. */
	void (*prepare)(struct ovsdb_storage *st);
};

/* Every store starts with this header so generic code can find its class. */
struct ovsdb_storage {
	const struct ovsdb_storage_class *class_;
};

extern const struct ovsdb_storage_class ovsdb_journal_class;

static inline int ovsdb_storage_append(struct ovsdb_storage *st, const char *record, size_t size)
{
	return st->class_->append(st, record, size);
}
static inline int ovsdb_storage_commit(struct ovsdb_storage *st, bool sync)
{
	return st->class_->commit(st, sync);
}
static inline void ovsdb_storage_close(struct ovsdb_storage *st)
{
	if (st)
		st->class_->close(st);
}
