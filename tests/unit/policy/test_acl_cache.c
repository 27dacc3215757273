/* SPDX-License-Identifier: Apache-2.0 */
/* ACL verdict cache: acl_classify_cached() gives the verdicts and hit counts of acl_classify()
 * over random rule sets and traffic (with a cache big enough to keep every flow, and one so
 * small that it evicts all the time), an ACL that replaces another (even at the same address)
 * never takes the old one's entries, a full bucket evicts and a flow is never cached twice,
 * and IPv6 and non-IP frames bypass the cache. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_memory.h>

#include "datapath/dp/policy/acl.h"
#include "datapath/dp/policy/acl_cache.h"
#include "acl_json.h"
#include "pkt.h"

static void
set_prefix(struct acl_prefix *p, uint8_t family, const uint8_t *addr, uint8_t len)
{
	unsigned bits = family == 4 ? 32 : 128;

	p->family = family;
	p->len = len;
	memset(p->addr, 0, sizeof(p->addr));
	memcpy(p->addr, addr, bits / 8);
	for (unsigned b = len; b < bits; b++)
		p->addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
}

/* Addresses and ports from small sets, so that rules overlap, frames repeat flows and some
 * frames match nothing. */
static void
rand_addr4(uint8_t a[4])
{
	a[0] = 10;
	a[1] = 0;
	a[2] = (uint8_t)(rand() % 2);
	a[3] = (uint8_t)(rand() % 4);
}

static void
rand_addr6(uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[7] = (uint8_t)(rand() % 4);
	a[15] = (uint8_t)(rand() % 16);
}

static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP};

static void
random_rule(struct acl_rule *r, unsigned i)
{
	uint8_t a[16];
	int kind = rand() % 10;

	acl_rule_init(r);
	r->id = i;
	r->priority = (uint16_t)(rand() % 8);
	r->dir = (uint8_t)(rand() % ACL_DIR_COUNT);
	r->action = (uint8_t)(rand() % 3);
	r->stateful = r->action == ACL_ACTION_ALLOW && rand() % 2;
	if (kind == 0) { /* non-IP: ARP or any ethertype */
		r->ethertype = rand() % 2 ? RTE_ETHER_TYPE_ARP : 0;
		return;
	}
	if (kind == 1) {
		rand_addr6(a);
		r->has_src = true;
		set_prefix(&r->src, 6, a, (uint8_t)(112 + rand() % 17));
	} else {
		if (rand() % 2) {
			rand_addr4(a);
			r->has_src = true;
			set_prefix(&r->src, 4, a, (uint8_t)(24 + rand() % 9));
		}
		if (rand() % 2) {
			rand_addr4(a);
			r->has_dst = true;
			set_prefix(&r->dst, 4, a, (uint8_t)(24 + rand() % 9));
		}
	}
	if (rand() % 3) {
		r->proto = protos[rand() % 2];
		r->dport_min = (uint16_t)(rand() % 8);
		r->dport_max = (uint16_t)(r->dport_min + rand() % 4);
	}
}

/* A random frame's parse: mostly IPv4 (TCP, UDP, ICMP), some IPv6, some ARP. */
static void
random_meta(struct dp_meta *m)
{
	int kind = rand() % 10;
	uint8_t a[16];

	memset(m, 0, sizeof(*m));
	if (kind == 0) {
		m->ethertype = RTE_ETHER_TYPE_ARP;
		m->l3 = DP_L3_ARP;
		return;
	}
	m->ip_proto = protos[rand() % 3];
	m->sport = 1000;
	m->dport = (uint16_t)(rand() % 6);
	if (kind == 1) {
		m->ethertype = RTE_ETHER_TYPE_IPV6;
		m->l3 = DP_L3_IPV6;
		rand_addr6(m->ip.v6.src);
		rand_addr6(m->ip.v6.dst);
		return;
	}
	m->ethertype = RTE_ETHER_TYPE_IPV4;
	m->l3 = DP_L3_IPV4;
	rand_addr4(a);
	memcpy(&m->ip.v4.src_be, a, 4);
	rand_addr4(a);
	memcpy(&m->ip.v4.dst_be, a, 4);
}

static struct acl *
build(const struct acl_ruleset *rs)
{
	struct dvs_err e = {0};
	struct acl *acl = acl_create(rs, 2, SOCKET_ID_ANY, &e);

	if (!acl)
		fail_msg("acl_create: %s", e.msg);
	return acl;
}

static void
expect_same_hits(const struct acl *a, const struct acl *b, uint32_t n_rules)
{
	for (uint32_t r = 0; r < n_rules; r++)
		if (acl_hits(a, r, acl_rule_get(a, r)->dir) != acl_hits(b, r, acl_rule_get(b, r)->dir))
			fail_msg("rule %u: %llu hits uncached, %llu cached", r,
				 (unsigned long long)acl_hits(a, r, acl_rule_get(a, r)->dir),
				 (unsigned long long)acl_hits(b, r, acl_rule_get(b, r)->dir));
	for (int d = 0; d < ACL_DIR_COUNT; d++)
		assert_int_equal(acl_hits(a, ACL_RULE_DEFAULT, d), acl_hits(b, ACL_RULE_DEFAULT, d));
}

/* The bit of an IPv4 flow as the test's frames make them (random_meta), per worker and
 * direction: 8 x 8 addresses, 3 protocols, 6 ports. */
static unsigned
flow_bit(const struct dp_meta *m, unsigned w, enum acl_dir dir)
{
	const uint8_t *s = (const uint8_t *)&m->ip.v4.src_be, *d = (const uint8_t *)&m->ip.v4.dst_be;
	unsigned proto = m->ip_proto == IPPROTO_TCP ? 0 : m->ip_proto == IPPROTO_UDP ? 1 : 2;

	return ((((((s[2] * 4u + s[3]) * 8 + d[2] * 4u + d[3]) * 3 + proto) * 6 + m->dport) * 2 + w) *
		ACL_DIR_COUNT) + dir;
}
#define FLOW_BITS (64 * 3 * 6 * 2 * ACL_DIR_COUNT)

/* True if some rule of 'rs' (validated) puts IPv4 frames of 'dir' through rte_acl. */
static bool
has_v4_rule(const struct acl_ruleset *rs, enum acl_dir dir)
{
	for (uint32_t i = 0; i < rs->n_rules; i++)
		if (rs->rules[i].dir == dir && (rs->rules[i].family == 4 ||
		    (rs->rules[i].family == 0 && rs->rules[i].ethertype == 0)))
			return true;
	return false;
}

/* 'n_sets' random rule sets, each classified over 'n_frames' random frames in bursts of 1 to
 * 100 (over the 64 frames of one chunk), both directions, two workers each with its cache of
 * 'cache_buckets', uncached and cached.  Every IPv4 frame of a direction with IPv4 rules is
 * looked up.  A flow misses at least once; with 'roomy' (a cache far larger than the flows:
 * nothing is evicted) never again once a burst cached it (in the burst that first has it,
 * each of its frames may miss: a chunk of 64 is looked up before its misses are inserted). */
static void
check_random(uint32_t cache_buckets, bool roomy, unsigned n_sets, unsigned n_frames,
	     uint64_t *hits_out, uint64_t *misses_out)
{
	enum { MAX_BURST = 100 };
	struct dp_meta *metas = calloc(n_frames, sizeof(*metas));
	const struct dp_meta *ms[MAX_BURST];
	struct acl_result want[MAX_BURST], got[MAX_BURST];
	uint8_t *seen = calloc(FLOW_BITS, 1);
	struct dvs_err e = {0};
	uint64_t hits = 0, misses = 0;

	for (unsigned set = 0; set < n_sets; set++) {
		struct acl_cache *cache[2] = {acl_cache_create(cache_buckets, SOCKET_ID_ANY),
					      acl_cache_create(cache_buckets, SOCKET_ID_ANY)};
		struct acl_ruleset rs = {.default_action = (uint8_t)(set % 3)};
		uint64_t looked_up = 0, distinct = 0, cold = 0, set_hits = 0, set_misses = 0;
		struct acl *plain, *cached;

		assert_non_null(cache[0]);
		assert_non_null(cache[1]);
		memset(seen, 0, FLOW_BITS);
		rs.n_rules = 1 + (uint32_t)(rand() % 40);
		rs.rules = calloc(rs.n_rules, sizeof(*rs.rules));
		for (uint32_t i = 0; i < rs.n_rules; i++) {
			random_rule(&rs.rules[i], i);
			assert_int_equal(acl_rule_validate(&rs.rules[i], &e), 0);
		}
		plain = build(&rs);
		cached = build(&rs);
		for (unsigned i = 0; i < n_frames; i++)
			random_meta(&metas[i]);
		for (unsigned done = 0; done < n_frames;) {
			unsigned n = 1 + (unsigned)rand() % MAX_BURST, w = (unsigned)rand() % 2;
			enum acl_dir dir = (enum acl_dir)(rand() % ACL_DIR_COUNT);

			n = DVS_MIN(n, n_frames - done);
			for (unsigned i = 0; i < n; i++) {
				ms[i] = &metas[done + i];
				if (ms[i]->l3 != DP_L3_IPV4 || !has_v4_rule(&rs, dir))
					continue;
				looked_up++;
				cold += seen[flow_bit(ms[i], w, dir)] != 2; /* 2: cached before */
				distinct += !seen[flow_bit(ms[i], w, dir)];
				seen[flow_bit(ms[i], w, dir)] = 1;
			}
			for (unsigned i = 0; i < n; i++)
				if (ms[i]->l3 == DP_L3_IPV4 && has_v4_rule(&rs, dir))
					seen[flow_bit(ms[i], w, dir)] = 2;
			assert_int_equal(acl_classify(plain, dir, w, ms, n, want), n);
			assert_int_equal(acl_classify_cached(cached, dir, w, cache[w], ms, n, got), n);
			for (unsigned i = 0; i < n; i++)
				if (want[i].rule != got[i].rule || want[i].action != got[i].action ||
				    want[i].stateful != got[i].stateful)
					fail_msg("set %u frame %u: rule %u action %u uncached, rule %u "
						 "action %u cached", set, done + i, want[i].rule,
						 want[i].action, got[i].rule, got[i].action);
			done += n;
		}
		expect_same_hits(plain, cached, rs.n_rules);
		for (int d = 0; d < ACL_DIR_COUNT; d++) {
			uint64_t h, m;

			acl_hits_cache(cached, d, &h, &m);
			set_hits += h;
			set_misses += m;
			/* The uncached ACL never counts a cache figure. */
			acl_hits_cache(plain, d, &h, &m);
			assert_int_equal(h + m, 0);
		}
		assert_int_equal(set_hits + set_misses, looked_up);
		/* Flows that differ only where no rule looks share an entry (the masked key), so
		 * a flow may hit on another's: fewer misses than flows is fine. */
		assert_true(set_misses <= looked_up && (looked_up == 0 || set_misses >= 1));
		if (roomy && set_misses > cold)
			fail_msg("set %u: %llu misses for %llu flows (%llu frames of a flow not yet "
				 "cached) in a cache of %u entries", set, (unsigned long long)set_misses,
				 (unsigned long long)distinct, (unsigned long long)cold,
				 acl_cache_capacity(cache[0]));
		hits += set_hits;
		misses += set_misses;
		acl_destroy(plain);
		acl_destroy(cached);
		acl_ruleset_free(&rs);
		acl_cache_destroy(cache[0]);
		acl_cache_destroy(cache[1]);
	}
	*hits_out = hits;
	*misses_out = misses;
	free(seen);
	free(metas);
}

static void
test_acl_cache_same_verdicts_as_classify(void **state)
{
	uint64_t h = 0, m = 0;

	srand(7);
	/* 2304 flows per worker at most in 12288 entries each. */
	check_random(4096, true, 20, 8000, &h, &m);
	print_message("  big cache: %llu hits, %llu misses\n", (unsigned long long)h,
		      (unsigned long long)m);
	assert_true(h > 0);
}

static void
test_acl_cache_same_verdicts_with_evictions(void **state)
{
	uint64_t h = 0, m = 0;

	srand(11);
	check_random(2, false, 20, 8000, &h, &m); /* 6 entries for thousands of flows */
	print_message("  tiny cache: %llu hits, %llu misses\n", (unsigned long long)h,
		      (unsigned long long)m);
	assert_true(m > h);
}

static const char rules_v1[] =
	"{\"default_action\":\"allow\",\"rules\":["
	"{\"direction\":\"from-port\",\"action\":\"drop\",\"protocol\":\"udp\",\"dst_port\":53}]}";
static const char rules_v2[] =
	"{\"default_action\":\"drop\",\"rules\":["
	"{\"direction\":\"from-port\",\"action\":\"reject\",\"protocol\":\"udp\",\"dst_port\":53},"
	"{\"direction\":\"from-port\",\"action\":\"allow\",\"protocol\":\"udp\",\"dst_port\":54}]}";

/* Rule changes: each new build gets a new id, so a cache that served the old one misses on
 * every flow of the new one at first (even when malloc hands it the old one's address), then
 * serves the new verdicts. */
static void
test_acl_cache_replaced_acl_never_stale(void **state)
{
	enum { FLOWS = 48 };
	/* Room for every flow of every build: only a stale hit could make a flow hit early. */
	struct acl_cache *cache = acl_cache_create(1024, SOCKET_ID_ANY);
	struct pkt *p = calloc(FLOWS, sizeof(*p));
	const struct dp_meta *ms[FLOWS];
	struct acl_result want[FLOWS], got[FLOWS];
	const void *prev = NULL;
	unsigned same_address = 0;

	assert_non_null(cache);
	for (unsigned i = 0; i < FLOWS; i++) {
		char src[16];

		snprintf(src, sizeof(src), "10.0.0.%u", i % 16);
		pkt_v4(&p[i], src, "10.0.1.1", IPPROTO_UDP, 1000, (uint16_t)(52 + i / 16), 0, 0, 0, 0);
		ms[i] = &p[i].m;
	}
	for (unsigned gen = 0; gen < 20; gen++) {
		const char *json = gen % 2 ? rules_v2 : rules_v1;
		struct acl *ref = acl_json(json);
		struct acl *acl = acl_json(json);
		uint64_t h, m;

		same_address += (const void *)acl == prev;
		acl_classify(ref, ACL_DIR_FROM_PORT, 0, ms, FLOWS, want);
		for (int pass = 0; pass < 2; pass++) {
			acl_classify_cached(acl, ACL_DIR_FROM_PORT, 0, cache, ms, FLOWS, got);
			for (unsigned i = 0; i < FLOWS; i++) {
				assert_int_equal(got[i].rule, want[i].rule);
				assert_int_equal(got[i].action, want[i].action);
			}
		}
		acl_hits_cache(acl, ACL_DIR_FROM_PORT, &h, &m);
		assert_int_equal(m, FLOWS); /* nothing from the previous build */
		assert_int_equal(h, FLOWS);
		prev = acl;
		acl_destroy(ref);
		acl_destroy(acl);
	}
	print_message("  %u of 19 new builds had the previous one's address\n", same_address);
	acl_cache_destroy(cache);
	free(p);
}

static struct acl_key4
key(uint32_t src, uint16_t dport)
{
	return (struct acl_key4){.proto = IPPROTO_UDP, .src = src, .dst = 7, .sport = 1,
				 .dport = dport};
}

/* The cache's own contract, on one bucket (both choices are bucket 0). */
static void
test_acl_cache_collisions_and_eviction(void **state)
{
	struct acl_cache *c = acl_cache_create(1, SOCKET_ID_ANY);
	struct acl_key4 k[5];
	uint32_t ud[5], slot[5];
	uint8_t miss[5];
	unsigned hit;

	assert_null(acl_cache_create(3, SOCKET_ID_ANY)); /* not a power of two */
	assert_non_null(c);
	assert_int_equal(acl_cache_capacity(c), ACL_CACHE_WAYS);
	for (unsigned i = 0; i < 5; i++)
		k[i] = key(i + 1, 80);
	assert_int_equal(acl_cache_lookup(c, 1, 0, k, 5, ud, slot, miss), 5);
	/* The same flow twice (two misses of it in one burst), then two others: all three stay. */
	acl_cache_insert(c, 1, 0, &k[0], slot[0], 10);
	acl_cache_insert(c, 1, 0, &k[0], slot[0], 10);
	acl_cache_insert(c, 1, 0, &k[1], slot[1], 0);
	acl_cache_insert(c, 1, 0, &k[2], slot[2], 65537); /* the largest userdata */
	assert_int_equal(acl_cache_lookup(c, 1, 0, k, 3, ud, slot, miss), 0);
	assert_int_equal(ud[0], 10);
	assert_int_equal(ud[1], 0);
	assert_int_equal(ud[2], 65537);
	/* Another ACL id, the other direction, another protocol: other keys. */
	assert_int_equal(acl_cache_lookup(c, 2, 0, k, 3, ud, slot, miss), 3);
	assert_int_equal(acl_cache_lookup(c, 1, 1, k, 3, ud, slot, miss), 3);
	k[3].proto = IPPROTO_TCP;
	k[3].src = k[0].src;
	assert_int_equal(acl_cache_lookup(c, 1, 0, &k[3], 1, ud, slot, miss), 1);
	/* A fourth flow evicts one of the three; the rest still hit with their own verdicts. */
	k[3] = key(4, 80);
	acl_cache_lookup(c, 1, 0, &k[3], 1, ud, slot, miss);
	acl_cache_insert(c, 1, 0, &k[3], slot[0], 3);
	hit = 4 - acl_cache_lookup(c, 1, 0, k, 4, ud, slot, miss);
	assert_int_equal(hit, ACL_CACHE_WAYS);
	for (unsigned i = 0; i < 4; i++)
		if (i != miss[0])
			assert_int_equal(ud[i], i == 0 ? 10 : i == 1 ? 0 : i == 2 ? 65537 : 3);
	acl_cache_destroy(c);
	acl_cache_destroy(NULL);
}

/* IPv6 and non-IP frames never touch the cache, nor IPv4 frames of a direction without IPv4
 * rules; their verdicts are classify's. */
static void
test_acl_cache_ipv6_and_non_ip_bypass(void **state)
{
	struct acl *acl = acl_json("{\"default_action\":\"allow\",\"rules\":["
				   "{\"direction\":\"from-port\",\"action\":\"drop\",\"src\":\"2001:db8::/32\"},"
				   "{\"direction\":\"from-port\",\"action\":\"reject\",\"ethertype\":\"arp\"},"
				   "{\"direction\":\"from-port\",\"action\":\"drop\",\"src\":\"10.0.0.0/8\"},"
				   "{\"direction\":\"to-port\",\"action\":\"drop\",\"src\":\"2001:db8::/32\"}]}");
	struct acl_cache *cache = acl_cache_create(64, SOCKET_ID_ANY);
	struct pkt p[3];
	const struct dp_meta *ms[3] = {&p[0].m, &p[1].m, &p[2].m};
	struct acl_result r[3];
	uint64_t h, m;

	assert_non_null(cache);
	pkt_v6(&p[0], "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 1, 2, 0, 0, 0, 0);
	pkt_l2(&p[1], RTE_ETHER_TYPE_ARP);
	pkt_v4(&p[2], "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2, 0, 0, 0, 0);
	for (int i = 0; i < 3; i++) {
		acl_classify_cached(acl, ACL_DIR_FROM_PORT, 0, cache, ms, 2, r);
		assert_int_equal(r[0].rule, 0);
		assert_int_equal(r[1].rule, 1);
		assert_int_equal(r[1].action, ACL_ACTION_REJECT);
	}
	acl_hits_cache(acl, ACL_DIR_FROM_PORT, &h, &m);
	assert_int_equal(h + m, 0);
	assert_int_equal(acl_hits(acl, 0, ACL_DIR_FROM_PORT), 3);
	assert_int_equal(acl_hits(acl, 1, ACL_DIR_FROM_PORT), 3);
	/* To-port has IPv6 rules only: IPv4 takes the default without a key or a cache entry. */
	acl_classify_cached(acl, ACL_DIR_TO_PORT, 0, cache, &ms[2], 1, r);
	assert_int_equal(r[0].rule, ACL_RULE_DEFAULT);
	acl_hits_cache(acl, ACL_DIR_TO_PORT, &h, &m);
	assert_int_equal(h + m, 0);
	/* An IPv4 frame in a mixed burst does go through it, and its hit counts once. */
	acl_classify_cached(acl, ACL_DIR_FROM_PORT, 0, cache, ms, 3, r);
	acl_classify_cached(acl, ACL_DIR_FROM_PORT, 0, cache, ms, 3, r);
	assert_int_equal(r[2].rule, 2);
	acl_hits_cache(acl, ACL_DIR_FROM_PORT, &h, &m);
	assert_int_equal(h, 1);
	assert_int_equal(m, 1);
	assert_int_equal(acl_hits(acl, 2, ACL_DIR_FROM_PORT), 2);
	/* Without a cache, acl_classify_cached is acl_classify. */
	acl_classify_cached(acl, ACL_DIR_FROM_PORT, 0, NULL, ms, 3, r);
	assert_int_equal(r[2].rule, 2);
	acl_hits_cache(acl, ACL_DIR_FROM_PORT, &h, &m);
	assert_int_equal(h + m, 2);
	acl_cache_destroy(cache);
	acl_destroy(acl);
}

/* A rule change carries the cache figures to the new build, as it does the hits. */
static void
test_acl_cache_counts_carry(void **state)
{
	struct acl *old = acl_json_n(rules_v1, 2), *new = acl_json_n(rules_v2, 2);
	struct acl_cache *cache = acl_cache_create(64, SOCKET_ID_ANY);
	struct pkt p;
	const struct dp_meta *ms = &p.m;
	struct acl_result r;
	uint64_t h, m;

	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 53, 0, 0, 0, 0);
	for (int i = 0; i < 4; i++)
		acl_classify_cached(old, ACL_DIR_FROM_PORT, 1, cache, &ms, 1, &r);
	acl_hits_carry(new, old);
	acl_hits_cache(new, ACL_DIR_FROM_PORT, &h, &m);
	assert_int_equal(h, 3);
	assert_int_equal(m, 1);
	acl_cache_destroy(cache);
	acl_destroy(old);
	acl_destroy(new);
}

/* The cache keys on the bits the rules can look at (acl.c, struct acl_mask4): 1000 UDP flows
 * that differ only in the source port and the source's last byte share one entry under rules
 * on /16 and /24 sources and destination ports; a rule on the source port, or a /32, makes
 * them 1000 entries again.  Either way every verdict and hit count is acl_classify()'s. */
static void
check_masked(const char *json, unsigned want_misses)
{
	struct acl *plain = acl_json_n(json, 2), *cached = acl_json_n(json, 2);
	struct acl_cache *cache = acl_cache_create(8192, SOCKET_ID_ANY);
	uint64_t h, m;

	assert_non_null(cache);
	for (unsigned f = 0; f < 1000; f++) {
		char src[32];
		struct pkt p;
		const struct dp_meta *ms = &p.m;
		struct acl_result want, got;

		snprintf(src, sizeof(src), "10.10.7.%u", f % 250);
		pkt_v4(&p, src, "10.20.0.1", IPPROTO_UDP, (uint16_t)(20000 + f), 5001, 0, 0, 0, 0);
		acl_classify(plain, ACL_DIR_FROM_PORT, 0, &ms, 1, &want);
		acl_classify_cached(cached, ACL_DIR_FROM_PORT, 0, cache, &ms, 1, &got);
		if (want.rule != got.rule || want.action != got.action)
			fail_msg("flow %u: rule %u action %u uncached, rule %u action %u cached", f,
				 want.rule, want.action, got.rule, got.action);
	}
	expect_same_hits(plain, cached, acl_n_rules(plain));
	acl_hits_cache(cached, ACL_DIR_FROM_PORT, &h, &m);
	assert_int_equal(h + m, 1000);
	assert_int_equal(m, want_misses);
	acl_cache_destroy(cache);
	acl_destroy(plain);
	acl_destroy(cached);
}

static void
test_acl_cache_masked_keys(void **state)
{
#define R(x) "{\"direction\":\"from-port\"," x "}"
#define COARSE \
	R("\"action\":\"drop\",\"protocol\":\"tcp\",\"src\":\"10.10.7.0/24\",\"dst_port\":22") "," \
	R("\"action\":\"drop\",\"protocol\":\"udp\",\"src\":\"10.10.0.0/16\",\"dst_port\":6001") "," \
	R("\"action\":\"allow\",\"protocol\":\"icmp\",\"icmp_type\":8") "," \
	R("\"action\":\"allow\",\"protocol\":\"udp\",\"dst\":\"10.20.0.0/15\",\"dst_port\":5001")
	/* Only the TCP and ICMP rules look at the source port field (the ICMP type rides in it):
	 * for UDP the source port is no part of the key. */
	check_masked("{\"default_action\":\"drop\",\"rules\":[" COARSE "]}", 1);
	check_masked("{\"default_action\":\"drop\",\"rules\":[" COARSE ","
		     R("\"action\":\"reject\",\"protocol\":\"udp\",\"src_port\":\"1-99\"") "]}",
		     1000);
	check_masked("{\"default_action\":\"drop\",\"rules\":[" COARSE ","
		     R("\"action\":\"reject\",\"src\":\"10.10.7.3/32\"") "]}", 250);
#undef COARSE
#undef R
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_cache_same_verdicts_as_classify),
		cmocka_unit_test(test_acl_cache_same_verdicts_with_evictions),
		cmocka_unit_test(test_acl_cache_replaced_acl_never_stale),
		cmocka_unit_test(test_acl_cache_collisions_and_eviction),
		cmocka_unit_test(test_acl_cache_ipv6_and_non_ip_bypass),
		cmocka_unit_test(test_acl_cache_counts_carry),
		cmocka_unit_test(test_acl_cache_masked_keys),
	};

	return cmocka_run_group_tests(tests, pkt_eal_group_setup, pkt_eal_group_teardown);
}
