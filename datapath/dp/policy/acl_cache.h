/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Exact-match cache of IPv4 ACL verdicts, one per poll lcore, in front of rte_acl (acl.c).
 *
 * rte_acl's trie walk costs about 13 dependent byte transitions per IPv4 key whatever the rule
 * count; a flow's verdict is a pure function of (compiled ACL, direction, 5-tuple key), so a
 * frame of a flow seen before can take it from one cache line instead.  Entries name the
 * compiled ACL by acl_id(), a number unique per acl_create(), never by its address: an ACL freed
 * after an RCU swap and a new one built at the same address must not hit the old entries, which
 * simply age out.  The cache holds rte_acl's userdata (rule index + 1, 0 for the default), so
 * acl.c turns a hit into exactly the verdict and the hit count a classify would have given.
 *
 * Set-associative with two choices: buckets of ACL_CACHE_WAYS entries in one 64-byte line, and
 * each key may live in either of two buckets picked by a CRC32 of it.  Lookups prefetch both;
 * an insert takes a free way in either, so flows fill the cache evenly: 16k flows in 8192
 * buckets (24k entries) all stay, where one bucket per key lost a fifth of them to full
 * buckets (bench/acl/acl_bench --cache).  When both are full a pseudo-random way of the two
 * goes (not the oldest: flows that cycle through a bucket in a fixed order, as a round-robin
 * of many flows does, would then never hit).  Single owner, no lock: the lcore that
 * classifies. */

#include <stdint.h>

/* The IPv4 key, in network byte order, as rte_acl reads it (acl.c's field definitions): the
 * first field must be one byte, the rest are read in 4-byte groups. */
struct acl_key4 {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src, dst;
	uint16_t sport, dport; /* ICMP type and code for ICMP, as in dp_meta */
};

#define ACL_CACHE_WAYS 3

struct acl_cache;

/* A cache of 'n_buckets' buckets (a power of two, 1..2^24: ACL_CACHE_WAYS entries and 64 bytes
 * each) in rte_malloc memory on NUMA socket 'socket' (SOCKET_ID_ANY is fine), empty.  Needs an
 * initialised EAL.  Returns NULL with errno EINVAL or ENOMEM. */
struct acl_cache *acl_cache_create(uint32_t n_buckets, int socket);
/* Frees 'c' (NULL is fine). */
void acl_cache_destroy(struct acl_cache *c);
/* Entries the cache can hold. */
uint32_t acl_cache_capacity(const struct acl_cache *c);

/* Looks up keys[0..n) (n <= 64) of the ACL numbered 'acl_id' (!= 0) in direction 'dir'.  For a
 * hit, ud[i] gets the cached userdata; the indexes of the misses go to miss[] in order and
 * their count is returned.  slot[i] gets key i's hash, for acl_cache_insert().  Hashes and
 * prefetches every bucket before comparing any.  Fast path, owner only. */
unsigned acl_cache_lookup(struct acl_cache *c, uint32_t acl_id, uint8_t dir,
			  const struct acl_key4 keys[], unsigned n, uint32_t ud[], uint32_t slot[],
			  uint8_t miss[]);
/* Caches 'ud' for 'key' of ('acl_id', 'dir'), whose hash acl_cache_lookup() put in 'slot'.  A key already there (two misses of one flow in a burst) is not added twice.
 * Fast path, owner only. */
void acl_cache_insert(struct acl_cache *c, uint32_t acl_id, uint8_t dir,
		      const struct acl_key4 *key, uint32_t slot, uint32_t ud);
