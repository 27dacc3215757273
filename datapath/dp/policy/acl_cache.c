/* SPDX-License-Identifier: Apache-2.0 */
/* Per-lcore exact-match cache of IPv4 ACL verdicts; see acl_cache.h. */
#include "acl_cache.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

/* One entry, 20 bytes, so that three share a cache line with the bucket's spare word.
 * 'meta' packs the rest of the key (protocol, direction) with the value (rte_acl userdata,
 * at most ACL_RULES_MAX + 1, 17 bits). */
struct way {
	uint32_t src, dst;
	uint32_t ports; /* sport and dport as they lie in the key */
	uint32_t acl_id; /* 0: empty */
	uint32_t meta;   /* proto | dir << 8 | userdata << META_UD_SHIFT */
};

#define META_KEY_MASK 0x1ffu
#define META_UD_SHIFT 9

struct bucket {
	struct way way[ACL_CACHE_WAYS];
	uint32_t spare;
} __rte_cache_aligned;

_Static_assert(sizeof(struct bucket) == RTE_CACHE_LINE_SIZE, "a bucket is one cache line");

struct acl_cache {
	uint32_t mask;   /* n_buckets - 1 */
	uint32_t bits;   /* log2(n_buckets) */
	uint32_t victim; /* turns on every eviction: which way a full bucket loses */
	struct bucket *b;
};

struct acl_cache *
acl_cache_create(uint32_t n_buckets, int socket)
{
	struct acl_cache *c;

	if (n_buckets == 0 || n_buckets > (1u << 24) || (n_buckets & (n_buckets - 1))) {
		errno = EINVAL;
		return NULL;
	}
	c = rte_zmalloc_socket("acl_cache", sizeof(*c), RTE_CACHE_LINE_SIZE, socket);
	if (!c)
		goto nomem;
	c->b = rte_zmalloc_socket("acl_cache_buckets", (size_t)n_buckets * sizeof(struct bucket),
				  RTE_CACHE_LINE_SIZE, socket);
	if (!c->b)
		goto nomem;
	c->mask = n_buckets - 1;
	c->bits = (uint32_t)rte_bsf32(n_buckets);
	return c;
nomem:
	rte_free(c);
	errno = ENOMEM;
	return NULL;
}

void
acl_cache_destroy(struct acl_cache *c)
{
	if (!c)
		return;
	rte_free(c->b);
	rte_free(c);
}

uint32_t
acl_cache_capacity(const struct acl_cache *c)
{
	return (c->mask + 1) * ACL_CACHE_WAYS;
}

static inline uint32_t
key_ports(const struct acl_key4 *k)
{
	uint32_t p;

	memcpy(&p, &k->sport, 4);
	return p;
}

static inline uint32_t
key_meta(const struct acl_key4 *k, uint8_t dir)
{
	return (uint32_t)k->proto | (uint32_t)dir << 8;
}

static inline uint32_t
hash_of(uint32_t acl_id, uint8_t dir, const struct acl_key4 *k)
{
	uint64_t addrs = (uint64_t)k->src | (uint64_t)k->dst << 32;
	uint64_t rest = (uint64_t)key_ports(k) | (uint64_t)key_meta(k, dir) << 32;

	return rte_hash_crc_8byte(rest, rte_hash_crc_8byte(addrs, acl_id));
}

/* A key's two buckets: the hash's low bits, and the top bits of a multiplicative mix of the
 * whole hash, which depend on all 32 bits: keys sharing a first bucket spread over others. */
static inline struct bucket *
bucket1(const struct acl_cache *c, uint32_t h)
{
	return &c->b[h & c->mask];
}

static inline struct bucket *
bucket2(const struct acl_cache *c, uint32_t h)
{
	return &c->b[(uint32_t)((uint64_t)(h * 0x9e3779b1u) << c->bits >> 32)];
}

static inline bool
way_match(const struct way *w, uint32_t acl_id, uint32_t meta, const struct acl_key4 *k)
{
	return ((w->src ^ k->src) | (w->dst ^ k->dst) | (w->ports ^ key_ports(k)) |
		(w->acl_id ^ acl_id) | ((w->meta ^ meta) & META_KEY_MASK)) == 0;
}

static inline struct way *
find(struct bucket *b, uint32_t acl_id, uint8_t dir, const struct acl_key4 *k)
{
	uint32_t meta = key_meta(k, dir);

	for (unsigned w = 0; w < ACL_CACHE_WAYS; w++)
		if (way_match(&b->way[w], acl_id, meta, k))
			return &b->way[w];
	return NULL;
}

/* A way of 'b' no live entry uses, or NULL. */
static inline struct way *
free_way(struct bucket *b)
{
	for (unsigned w = 0; w < ACL_CACHE_WAYS; w++)
		if (b->way[w].acl_id == 0)
			return &b->way[w];
	return NULL;
}

unsigned
acl_cache_lookup(struct acl_cache *c, uint32_t acl_id, uint8_t dir, const struct acl_key4 keys[],
		 unsigned n, uint32_t ud[], uint32_t slot[], uint8_t miss[])
{
	unsigned i, nm = 0;

	/* Two passes: all the buckets' loads are in flight before the first compare waits. */
	for (i = 0; i < n; i++) {
		slot[i] = hash_of(acl_id, dir, &keys[i]);
		rte_prefetch0(bucket1(c, slot[i]));
		rte_prefetch0(bucket2(c, slot[i]));
	}
	for (i = 0; i < n; i++) {
		const struct way *w = find(bucket1(c, slot[i]), acl_id, dir, &keys[i]);

		if (!w)
			w = find(bucket2(c, slot[i]), acl_id, dir, &keys[i]);
		if (w)
			ud[i] = w->meta >> META_UD_SHIFT;
		else
			miss[nm++] = (uint8_t)i;
	}
	return nm;
}

void
acl_cache_insert(struct acl_cache *c, uint32_t acl_id, uint8_t dir, const struct acl_key4 *key,
		 uint32_t slot, uint32_t ud)
{
	struct bucket *b1 = bucket1(c, slot), *b2 = bucket2(c, slot);
	struct way *w;

	if (find(b1, acl_id, dir, key) || find(b2, acl_id, dir, key))
		return;
	w = free_way(b1);
	if (!w)
		w = free_way(b2);
	if (!w) {
		/* Entries of a replaced ACL are never looked up again: they go as any other. */
		w = &(c->victim & 1 ? b2 : b1)->way[(c->victim >> 1) % ACL_CACHE_WAYS];
		c->victim += 1;
	}
	*w = (struct way){key->src, key->dst, key_ports(key), acl_id,
			  key_meta(key, dir) | ud << META_UD_SHIFT};
}
