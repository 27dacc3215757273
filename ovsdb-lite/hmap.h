/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* A small intrusive chained hash map used by every ovsdb-lite container (tables, indexes,
 * transactions, symbol tables, sessions).  The caller computes hashes and compares keys;
 * the map only chains nodes.  Not thread safe: dvs-db is single threaded. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct hmap_node {
	struct hmap_node *next;
	uint32_t hash;
};

struct hmap {
	struct hmap_node **buckets;
	size_t mask; /* n_buckets - 1 (a power of two) */
	size_t n;
};

#define HMAP_INITIALIZER { NULL, 0, 0 }
#define HMAP_CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline void hmap_init(struct hmap *m)
{
	m->buckets = NULL;
	m->mask = 0;
	m->n = 0;
}

static inline void hmap_destroy(struct hmap *m)
{
	free(m->buckets);
	hmap_init(m);
}

/* Grows to keep chains short.  On allocation failure the map stays valid, just slower. */
static inline void hmap_expand_(struct hmap *m)
{
	size_t n_buckets = m->buckets ? (m->mask + 1) * 2 : 16;
	struct hmap_node **b = calloc(n_buckets, sizeof *b);
	if (!b)
		return;
	if (m->buckets) {
		for (size_t i = 0; i <= m->mask; i++) {
			struct hmap_node *node = m->buckets[i];
			while (node) {
				struct hmap_node *next = node->next;
				size_t j = node->hash & (n_buckets - 1);
				node->next = b[j];
				b[j] = node;
				node = next;
			}
		}
		free(m->buckets);
	}
	m->buckets = b;
	m->mask = n_buckets - 1;
}

static inline void hmap_insert(struct hmap *m, struct hmap_node *node, uint32_t hash)
{
	if (!m->buckets || m->n >= (m->mask + 1) * 2)
		hmap_expand_(m);
	node->hash = hash;
	if (!m->buckets) {
		/* Allocation failed even for the first 16 buckets: nothing sane to do. */
		abort();
	}
	struct hmap_node **b = &m->buckets[hash & m->mask];
	node->next = *b;
	*b = node;
	m->n++;
}

/* Starts loading the bucket of 'hash', for an insert to come a little later: in a map of
 * a million rows the bucket is a cache miss. */
static inline void hmap_prefetch(const struct hmap *m, uint32_t hash)
{
	if (m->buckets)
		__builtin_prefetch(&m->buckets[hash & m->mask], 1);
}

static inline void hmap_remove(struct hmap *m, struct hmap_node *node)
{
	struct hmap_node **p = &m->buckets[node->hash & m->mask];
	while (*p != node)
		p = &(*p)->next;
	*p = node->next;
	m->n--;
}

/* First node in the chain of 'hash' (callers check node->hash and their key). */
static inline struct hmap_node *hmap_first_with_hash(const struct hmap *m, uint32_t hash)
{
	if (!m->buckets)
		return NULL;
	struct hmap_node *node = m->buckets[hash & m->mask];
	while (node && node->hash != hash)
		node = node->next;
	return node;
}

static inline struct hmap_node *hmap_next_with_hash(const struct hmap_node *node)
{
	uint32_t hash = node->hash;
	for (node = node->next; node && node->hash != hash; node = node->next)
		;
	return (struct hmap_node *)node;
}

/* Iteration in bucket order.  hmap_next() may be called after removing 'node' only if the
 * caller saved the successor first (use HMAP_FOR_EACH_SAFE). */
static inline struct hmap_node *hmap_first_from_(const struct hmap *m, size_t i)
{
	for (; m->buckets && i <= m->mask; i++)
		if (m->buckets[i])
			return m->buckets[i];
	return NULL;
}

static inline struct hmap_node *hmap_first(const struct hmap *m)
{
	return hmap_first_from_(m, 0);
}

static inline struct hmap_node *hmap_next(const struct hmap *m, const struct hmap_node *node)
{
	if (node->next)
		return node->next;
	return hmap_first_from_(m, (node->hash & m->mask) + 1);
}

#define HMAP_FOR_EACH(node, map) \
	for (struct hmap_node *node = hmap_first(map); node; node = hmap_next(map, node))
#define HMAP_FOR_EACH_SAFE(node, map) \
	for (struct hmap_node *node = hmap_first(map), *node##_next_ = node ? hmap_next(map, node) : NULL; \
	     node; node = node##_next_, node##_next_ = node ? hmap_next(map, node) : NULL)
#define HMAP_FOR_EACH_WITH_HASH(node, hash_, map) \
	for (struct hmap_node *node = hmap_first_with_hash(map, hash_); node; node = hmap_next_with_hash(node))

/* Hash helpers (FNV-1a style mixing; good enough for in-memory tables). */
static inline uint32_t hash_bytes(const void *p, size_t n, uint32_t basis)
{
	const unsigned char *s = p;
	uint32_t h = basis ^ 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 16777619u;
	}
	return h;
}

static inline uint32_t hash_add(uint32_t h, uint32_t x)
{
	h ^= x + 0x9e3779b9u + (h << 6) + (h >> 2);
	return h;
}
