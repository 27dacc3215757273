/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Compiled ACL: a validated acl_ruleset (acl_rule.h) built into rte_acl contexts, one per
 * direction and IP family, plus a short ordered list for non-IP frames (matched on ethertype).
 * The control thread builds a 'struct acl' and publishes it with an RCU pointer swap; poll
 * lcores classify bursts of parsed frames (dp_meta) against it, read-only except for their
 * own hit counters. */

#include <stdint.h>

#include "datapath/dp/parse.h"
#include "lib/err.h"
#include "acl_rule.h"

#define ACL_RULE_DEFAULT UINT32_MAX /* result.rule when no rule matched */
#define ACL_WORKERS_MAX 128

struct acl;
struct acl_cache;

/* Per-packet verdict. */
struct acl_result {
	uint32_t rule;    /* index into the rule set's rules[], or ACL_RULE_DEFAULT */
	uint8_t action;   /* enum acl_action */
	uint8_t stateful; /* 1: create a conntrack entry (action is allow) */
};

/* Builds the contexts for 'rs' (already validated: acl_ruleset_from_json() or
 * acl_rule_validate() on each rule).  'n_workers' lcores may classify (1..ACL_WORKERS_MAX);
 * each has its own hit counters.  'socket' is the NUMA socket for the tables (SOCKET_ID_ANY is
 * fine).  The rule set is copied; the caller keeps 'rs'.  Needs an initialised EAL.  Control
 * thread only (rte_acl_build can take seconds for 10k rules).  Returns NULL with errno: EINVAL
 * (with 'err' naming the rule), ENOMEM. */
struct acl *acl_create(const struct acl_ruleset *rs, unsigned n_workers, int socket,
		       struct dvs_err *err);
/* True if some rule of 'acl' is stateful: only then does its port need a connection table. */
bool acl_has_stateful(const struct acl *acl);
/* Frees 'acl' (NULL is fine).  The caller must have waited for an RCU grace period after
 * unpublishing it: no lcore may still classify against it. */
void acl_destroy(struct acl *acl);

/* Classifies 'n' frames crossing the port in direction 'dir'.  'm[i]' is the parser's output for
 * frame i (the key is built from it; no frame bytes are read).  Writes res[i] for every i and
 * returns n.  Non-IP frames match only rules without IP fields.  IP fragments match with the
 * L4 ports the parser reported (0 for non-first fragments).  Fast-path safe: no allocation,
 * lock or syscall; 'worker' (< n_workers) selects the caller's counters, so two lcores must
 * never pass the same worker index. */
unsigned acl_classify(const struct acl *acl, enum acl_dir dir, unsigned worker,
		      const struct dp_meta *const m[], unsigned n, struct acl_result res[]);

/* acl_classify() with IPv4 frames looked up first in 'cache' (acl_cache.h; NULL: none), the
 * caller's own: the same verdicts and hit counts, and the cache's hits and misses counted for
 * acl_hits_cache().  IPv6 and non-IP frames, and every frame when no IPv4 rule applies in
 * 'dir', take acl_classify()'s way.  Fast-path safe, same worker rule as acl_classify(); one
 * cache must never be used by two threads at once. */
unsigned acl_classify_cached(const struct acl *acl, enum acl_dir dir, unsigned worker,
			     struct acl_cache *cache, const struct dp_meta *const m[], unsigned n,
			     struct acl_result res[]);
/* The IPv4 frames of direction 'dir' whose verdict came from a verdict cache (*hits) or had to
 * be classified and was then cached (*misses), summed over workers.  Any thread. */
void acl_hits_cache(const struct acl *acl, enum acl_dir dir, uint64_t *hits, uint64_t *misses);

/* True if no rule of 'acl' applies in direction 'dir': every frame gets the default action. */
bool acl_dir_is_default(const struct acl *acl, enum acl_dir dir);
/* Counts 'n' frames on the default action of 'dir' without classifying them: for a caller that
 * checked acl_dir_is_default().  Fast-path safe, same worker rule as acl_classify(). */
void acl_count_default(const struct acl *acl, enum acl_dir dir, unsigned worker, unsigned n);

/* Takes back the hit counted for 'res' by acl_classify() on 'worker', for a verdict the caller
 * did not use (the frame turned out to belong to a connection opened earlier in its burst).
 * Fast-path safe, same worker rule as acl_classify(). */
void acl_uncount(const struct acl *acl, enum acl_dir dir, unsigned worker,
		 const struct acl_result *res);

/* Hits of rule 'rule' (index into the rule set), or of the default action of direction 'dir' for
 * ACL_RULE_DEFAULT, summed over workers.  Any thread; a concurrent classify may make it stale. */
uint64_t acl_hits(const struct acl *acl, uint32_t rule, enum acl_dir dir);
/* Adds the hit counts of 'from' (an older build of the same port group) to 'to', matching
 * rules by id, and its verdict cache counts, so "dvsctl acl stats" survives a rule change.
 * Call before publishing 'to'. */
void acl_hits_carry(struct acl *to, const struct acl *from);

/* The rte_acl classify method of 'acl''s contexts ("avx512x32", "avx512x16", "avx2", "sse",
 * "neon", "altivec", "scalar"), or "none" if no rule needs a context.  The widest the CPU and
 * EAL's max SIMD bitwidth (--force-max-simd-bitwidth) allow at acl_create(). */
const char *acl_classify_alg(const struct acl *acl);

uint32_t acl_n_rules(const struct acl *acl);
const struct acl_rule *acl_rule_get(const struct acl *acl, uint32_t rule);
uint8_t acl_default_action(const struct acl *acl);
