/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled ACL: rte_acl contexts per direction and family, burst classification, hit counters.
 *
 * Why this shape: rte_acl walks a multi-trie whose cost depends on the key length and the
 * number of tries, not on the number of rules, which is what keeps 10k rules close to 10 rules.
 * IPv4 and IPv6 keys differ in length (16 vs 40 bytes), so each family gets its own context:
 * the common IPv4 case never pays for 128-bit addresses.  Non-IP frames (ARP, LLDP, ...) only
 * have an ethertype to match on; they are rare and their rules few, so an ordered list is
 * scanned instead of a third context. */

#include "acl.h"
#include "acl_cache.h"

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_memory.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 64 /* packets classified per rte_acl call */

/* Keys in network byte order, as rte_acl reads them.  The first field must be one byte; the
 * rest are read in 4-byte groups (one rte_acl "input index" per group).  struct acl_key4 is in
 * acl_cache.h: the verdict cache keys on it too. */
struct acl_key6 {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

enum { F4_PROTO, F4_SRC, F4_DST, F4_SPORT, F4_DPORT, F4_NUM };
enum { F6_PROTO, F6_SRC0, F6_DST0 = F6_SRC0 + 4, F6_SPORT = F6_DST0 + 4, F6_DPORT, F6_NUM };

RTE_ACL_RULE_DEF(acl_rte_rule4, F4_NUM);
RTE_ACL_RULE_DEF(acl_rte_rule6, F6_NUM);

/* The bits of an IPv4 key that the rules of one direction can look at, for one IP protocol
 * (network byte order, as the key): the longest source and destination prefix among the rules
 * that can match that protocol, and the L4 fields any of them restricts.  Two keys equal under
 * it get the same verdict, so the verdict cache keys on the masked key: a port's flows that
 * differ only where no rule looks (the source port, host bits below every prefix) share one
 * entry and stay in L1. */
struct acl_mask4 {
	uint32_t src, dst;
	uint16_t sport, dport;
};

struct acl_dir_tables {
	struct acl_mask4 mask4[256]; /* by IP protocol */
	struct rte_acl_ctx *v4, *v6; /* NULL when no rule applies to that family */
	uint32_t n_l2;
	uint32_t *l2_rule;     /* rule indexes, best first */
	uint16_t *l2_eth;      /* their ethertype, 0 = any */
};

/* Classify methods, widest first.  rte_acl takes the first one the CPU, the build and EAL's
 * max SIMD bitwidth allow; below 4 (SSE), 8 or 16 frames per call every vector method falls
 * back to the scalar walk, which is why callers classify bursts. */
static const struct {
	enum rte_acl_classify_alg alg;
	const char *name;
} algs[] = {
	{RTE_ACL_CLASSIFY_AVX512X32, "avx512x32"},
	{RTE_ACL_CLASSIFY_AVX512X16, "avx512x16"},
	{RTE_ACL_CLASSIFY_AVX2, "avx2"},
	{RTE_ACL_CLASSIFY_SSE, "sse"},
	{RTE_ACL_CLASSIFY_NEON, "neon"},
	{RTE_ACL_CLASSIFY_ALTIVEC, "altivec"},
	{RTE_ACL_CLASSIFY_SCALAR, "scalar"},
};

/* Immutable after acl_create() except 'hits', where worker w writes only row w. */
struct acl {
	uint32_t id;                  /* unique per acl_create(), never 0: the verdict cache's tag */
	const char *alg;              /* classify method of the contexts, NULL: no context */
	uint32_t n_rules;
	uint8_t default_action;
	unsigned n_workers;
	struct acl_rule *rules;       /* copy of the rule set */
	struct acl_result *verdicts;  /* per rule, what classify returns */
	struct acl_dir_tables dir[ACL_DIR_COUNT];
	size_t hits_stride;           /* counters per worker row, whole cache lines */
	uint64_t *hits;               /* [worker][rule], then [n_rules + dir] for defaults, then
				       * the verdict cache's (col_cache) */
};

/* A worker's counters of the verdict cache for direction 'dir': hits, then misses. */
static inline size_t
col_cache(const struct acl *acl, enum acl_dir dir, bool miss)
{
	return acl->n_rules + ACL_DIR_COUNT + 2 * (size_t)dir + miss;
}

bool
acl_has_stateful(const struct acl *acl)
{
	for (uint32_t i = 0; acl && i < acl->n_rules; i++)
		if (acl->rules[i].action == ACL_ACTION_ALLOW && acl->rules[i].stateful)
			return true;
	return false;
}

static void
field_defs4(struct rte_acl_config *cfg)
{
	static const struct rte_acl_field_def defs[F4_NUM] = {
		{RTE_ACL_FIELD_TYPE_BITMASK, 1, F4_PROTO, 0, offsetof(struct acl_key4, proto)},
		{RTE_ACL_FIELD_TYPE_MASK, 4, F4_SRC, 1, offsetof(struct acl_key4, src)},
		{RTE_ACL_FIELD_TYPE_MASK, 4, F4_DST, 2, offsetof(struct acl_key4, dst)},
		{RTE_ACL_FIELD_TYPE_RANGE, 2, F4_SPORT, 3, offsetof(struct acl_key4, sport)},
		{RTE_ACL_FIELD_TYPE_RANGE, 2, F4_DPORT, 3, offsetof(struct acl_key4, dport)},
	};

	cfg->num_fields = F4_NUM;
	memcpy(cfg->defs, defs, sizeof(defs));
}

static void
field_defs6(struct rte_acl_config *cfg)
{
	struct rte_acl_field_def *d = cfg->defs;

	d[F6_PROTO] = (struct rte_acl_field_def){RTE_ACL_FIELD_TYPE_BITMASK, 1, F6_PROTO, 0,
						 offsetof(struct acl_key6, proto)};
	for (uint8_t i = 0; i < 4; i++) {
		d[F6_SRC0 + i] = (struct rte_acl_field_def){RTE_ACL_FIELD_TYPE_MASK, 4, F6_SRC0 + i,
							    1 + i, offsetof(struct acl_key6, src) + 4 * i};
		d[F6_DST0 + i] = (struct rte_acl_field_def){RTE_ACL_FIELD_TYPE_MASK, 4, F6_DST0 + i,
							    5 + i, offsetof(struct acl_key6, dst) + 4 * i};
	}
	d[F6_SPORT] = (struct rte_acl_field_def){RTE_ACL_FIELD_TYPE_RANGE, 2, F6_SPORT, 9,
						 offsetof(struct acl_key6, sport)};
	d[F6_DPORT] = (struct rte_acl_field_def){RTE_ACL_FIELD_TYPE_RANGE, 2, F6_DPORT, 9,
						 offsetof(struct acl_key6, dport)};
	cfg->num_fields = F6_NUM;
}

/* Port (or ICMP type/code) ranges of a rule as rte_acl RANGE fields. */
static void
l4_fields(const struct acl_rule *r, struct rte_acl_field *sp, struct rte_acl_field *dp)
{
	sp->value.u16 = r->sport_min;
	sp->mask_range.u16 = r->sport_max;
	dp->value.u16 = r->dport_min;
	dp->mask_range.u16 = r->dport_max;
	if (r->icmp_type >= 0)
		sp->value.u16 = sp->mask_range.u16 = (uint16_t)r->icmp_type;
	if (r->icmp_code >= 0)
		dp->value.u16 = dp->mask_range.u16 = (uint16_t)r->icmp_code;
	if (r->icmp_type >= 0 && r->icmp_code < 0) {
		dp->value.u16 = 0;
		dp->mask_range.u16 = 65535;
	}
}

static void
rule4(const struct acl_rule *r, struct acl_rte_rule4 *o)
{
	uint32_t a;

	memset(o->field, 0, sizeof(o->field));
	if (r->proto >= 0) {
		o->field[F4_PROTO].value.u8 = (uint8_t)r->proto;
		o->field[F4_PROTO].mask_range.u8 = 0xff;
	}
	/* Rule values are host order; rte_acl compares them with the network-order key. */
	if (r->has_src) {
		memcpy(&a, r->src.addr, 4);
		o->field[F4_SRC].value.u32 = rte_be_to_cpu_32(a);
		o->field[F4_SRC].mask_range.u32 = r->src.len;
	}
	if (r->has_dst) {
		memcpy(&a, r->dst.addr, 4);
		o->field[F4_DST].value.u32 = rte_be_to_cpu_32(a);
		o->field[F4_DST].mask_range.u32 = r->dst.len;
	}
	l4_fields(r, &o->field[F4_SPORT], &o->field[F4_DPORT]);
}

static void
prefix6_fields(const struct acl_prefix *p, bool has, struct rte_acl_field *f)
{
	for (int i = 0; i < 4; i++) {
		uint32_t w;
		int len = has ? p->len - 32 * i : 0;

		memcpy(&w, p->addr + 4 * i, 4);
		f[i].value.u32 = has ? rte_be_to_cpu_32(w) : 0;
		f[i].mask_range.u32 = len <= 0 ? 0 : len >= 32 ? 32 : (uint32_t)len;
	}
}

static void
rule6(const struct acl_rule *r, struct acl_rte_rule6 *o)
{
	memset(o->field, 0, sizeof(o->field));
	if (r->proto >= 0) {
		o->field[F6_PROTO].value.u8 = (uint8_t)r->proto;
		o->field[F6_PROTO].mask_range.u8 = 0xff;
	}
	prefix6_fields(&r->src, r->has_src, &o->field[F6_SRC0]);
	prefix6_fields(&r->dst, r->has_dst, &o->field[F6_DST0]);
	l4_fields(r, &o->field[F6_SPORT], &o->field[F6_DPORT]);
}

static bool
rule_is_l2_only(const struct acl_rule *r)
{
	return r->family == 0 && !r->has_src && !r->has_dst && r->proto < 0;
}

static bool
rule_in_family(const struct acl_rule *r, uint8_t family)
{
	if (r->ethertype != 0 && r->family == 0)
		return false; /* a non-IP ethertype */
	return r->family == 0 || r->family == family;
}

static inline uint32_t
prefix_mask_be(uint8_t len)
{
	return rte_cpu_to_be_32(len ? ~0u << (32 - len) : 0);
}

/* Fills t->mask4 from the IPv4 rules of direction 'dir' (struct acl_mask4), in one pass over
 * the rules: a rule for one protocol widens that protocol's mask, a rule for any protocol
 * widens every one. */
static void
build_masks4(const struct acl *acl, enum acl_dir dir, struct acl_dir_tables *t)
{
	uint8_t src[257] = {0}, dst[257] = {0}; /* [256]: the rules for any protocol */
	uint16_t sp[257] = {0}, dp[257] = {0};

	for (uint32_t i = 0; i < acl->n_rules; i++) {
		const struct acl_rule *r = &acl->rules[i];
		if (r->dir != dir || !rule_in_family(r, 4))
			continue;
		unsigned k = r->proto >= 0 ? (unsigned)r->proto : 256;
		if (r->has_src)
			src[k] = RTE_MAX(src[k], r->src.len);
		if (r->has_dst)
			dst[k] = RTE_MAX(dst[k], r->dst.len);
		/* l4_fields(): the ICMP type and code ride in the port fields. */
		if (r->sport_min != 0 || r->sport_max != 65535 || r->icmp_type >= 0)
			sp[k] = 0xffff;
		if (r->dport_min != 0 || r->dport_max != 65535 || r->icmp_code >= 0)
			dp[k] = 0xffff;
	}
	for (unsigned proto = 0; proto < 256; proto++) {
		t->mask4[proto].src = prefix_mask_be(RTE_MAX(src[proto], src[256]));
		t->mask4[proto].dst = prefix_mask_be(RTE_MAX(dst[proto], dst[256]));
		t->mask4[proto].sport = sp[proto] | sp[256];
		t->mask4[proto].dport = dp[proto] | dp[256];
	}
}

/* Best first: higher priority, then the rule given first.  'ctx' is the rules array. */
static int
rank_cmp(const void *a, const void *b, void *ctx)
{
	const struct acl_rule *rules = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (rules[x].priority != rules[y].priority)
		return rules[x].priority > rules[y].priority ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int
build_ctx(struct acl *acl, const uint32_t *order, enum acl_dir dir, uint8_t family, int socket,
	  struct rte_acl_ctx **out, struct dvs_err *err)
{
	static atomic_uint seq;
	size_t rsize = family == 4 ? sizeof(struct acl_rte_rule4) : sizeof(struct acl_rte_rule6);
	struct rte_acl_param param = {0};
	struct rte_acl_config cfg = {0};
	struct rte_acl_ctx *ctx = NULL;
	uint8_t *buf = NULL;
	char name[RTE_ACL_NAMESIZE];
	uint32_t i, n = 0;
	int ret = 0;

	*out = NULL;
	buf = calloc(acl->n_rules ? acl->n_rules : 1, rsize);
	if (!buf) {
		ret = dvs_err_set(err, ENOMEM, "acl: out of memory");
		goto out;
	}
	for (i = 0; i < acl->n_rules; i++) {
		uint32_t idx = order[i];
		const struct acl_rule *r = &acl->rules[idx];
		struct rte_acl_rule_data *d = (struct rte_acl_rule_data *)(buf + n * rsize);

		if (r->dir != dir || !rule_in_family(r, family))
			continue;
		/* Unique rte_acl priorities from the rank, so ties resolve as documented. */
		d->category_mask = 1;
		d->priority = (int32_t)(acl->n_rules - i);
		d->userdata = idx + 1; /* 0 means "no match" to rte_acl */
		if (family == 4)
			rule4(r, (struct acl_rte_rule4 *)d);
		else
			rule6(r, (struct acl_rte_rule6 *)d);
		n++;
	}
	if (n == 0)
		goto out;
	snprintf(name, sizeof(name), "dvsacl%u", atomic_fetch_add(&seq, 1));
	param.name = name;
	param.socket_id = socket;
	param.rule_size = (uint32_t)rsize;
	param.max_rule_num = n;
	ctx = rte_acl_create(&param);
	if (!ctx) {
		ret = dvs_err_set(err, rte_errno ? rte_errno : ENOMEM, "acl: rte_acl_create: %s",
				  strerror(rte_errno));
		goto out;
	}
	ret = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)buf, n);
	if (ret < 0) {
		dvs_err_set(err, -ret, "acl: adding %u IPv%u %s rules: %s", n, family,
			    acl_dir_name(dir), strerror(-ret));
		goto out;
	}
	cfg.num_categories = 1;
	if (family == 4)
		field_defs4(&cfg);
	else
		field_defs6(&cfg);
	ret = rte_acl_build(ctx, &cfg);
	if (ret < 0) {
		dvs_err_set(err, -ret, "acl: building %u IPv%u %s rules: %s", n, family,
			    acl_dir_name(dir), strerror(-ret));
		goto out;
	}
	for (i = 0; i < RTE_DIM(algs); i++)
		if (rte_acl_set_ctx_classify(ctx, algs[i].alg) == 0) {
			acl->alg = algs[i].name;
			break;
		}
	*out = ctx;
	ctx = NULL;
out:
	rte_acl_free(ctx);
	free(buf);
	return ret;
}

static int
build_l2(struct acl *acl, const uint32_t *order, enum acl_dir dir)
{
	struct acl_dir_tables *t = &acl->dir[dir];
	uint32_t i;

	t->l2_rule = calloc(acl->n_rules + 1, sizeof(*t->l2_rule));
	t->l2_eth = calloc(acl->n_rules + 1, sizeof(*t->l2_eth));
	if (!t->l2_rule || !t->l2_eth)
		return -ENOMEM;
	for (i = 0; i < acl->n_rules; i++) {
		const struct acl_rule *r = &acl->rules[order[i]];

		if (r->dir == dir && rule_is_l2_only(r)) {
			t->l2_rule[t->n_l2] = order[i];
			t->l2_eth[t->n_l2++] = r->ethertype;
		}
	}
	return 0;
}

struct acl *
acl_create(const struct acl_ruleset *rs, unsigned n_workers, int socket, struct dvs_err *err)
{
	/* Never the address: a new acl may reuse a freed one's, and the verdict cache must not
	 * take the old entries for its own.  0 is skipped when the counter wraps: "empty". */
	static atomic_uint next_id;
	uint32_t *order = NULL;
	struct acl *acl = NULL;
	size_t hits_size;
	uint32_t i;
	int ret = 0;

	if (n_workers == 0 || n_workers > ACL_WORKERS_MAX || rs->n_rules > ACL_RULES_MAX) {
		ret = dvs_err_set(err, EINVAL, "acl: %u workers (1..%u), %u rules (at most %u)",
				  n_workers, ACL_WORKERS_MAX, rs->n_rules, ACL_RULES_MAX);
		goto out;
	}
	acl = calloc(1, sizeof(*acl));
	if (!acl) {
		ret = -ENOMEM;
		goto out;
	}
	acl->n_rules = rs->n_rules;
	acl->default_action = rs->default_action;
	acl->n_workers = n_workers;
	do
		acl->id = atomic_fetch_add(&next_id, 1) + 1;
	while (acl->id == 0);
	acl->rules = calloc(rs->n_rules + 1, sizeof(*acl->rules));
	acl->verdicts = calloc(rs->n_rules + 1, sizeof(*acl->verdicts));
	order = calloc(rs->n_rules + 1, sizeof(*order));
	/* One cache-line-aligned row per worker: no two lcores write the same line. */
	acl->hits_stride = RTE_ALIGN_CEIL((size_t)rs->n_rules + 3 * ACL_DIR_COUNT, 8);
	hits_size = acl->hits_stride * n_workers * sizeof(uint64_t);
	acl->hits = aligned_alloc(RTE_CACHE_LINE_SIZE, hits_size);
	if (!acl->rules || !acl->verdicts || !order || !acl->hits) {
		ret = -ENOMEM;
		goto out;
	}
	memset(acl->hits, 0, hits_size);
	if (rs->n_rules)
		memcpy(acl->rules, rs->rules, rs->n_rules * sizeof(*acl->rules));
	for (i = 0; i < rs->n_rules; i++) {
		/* Re-validate: the family is derived there and the fast path trusts it. */
		ret = acl_rule_validate(&acl->rules[i], err);
		if (ret < 0) {
			dvs_err_prefix(err, "rules[%u]", i);
			goto out;
		}
		acl->verdicts[i] = (struct acl_result){i, acl->rules[i].action, acl->rules[i].stateful};
		order[i] = i;
	}
	qsort_r(order, rs->n_rules, sizeof(*order), rank_cmp, acl->rules);
	for (int d = 0; d < ACL_DIR_COUNT; d++) {
		build_masks4(acl, d, &acl->dir[d]);
		ret = build_ctx(acl, order, d, 4, socket, &acl->dir[d].v4, err);
		if (ret == 0)
			ret = build_ctx(acl, order, d, 6, socket, &acl->dir[d].v6, err);
		if (ret == 0)
			ret = build_l2(acl, order, d);
		if (ret < 0)
			goto out;
	}
out:
	free(order);
	if (ret < 0) {
		acl_destroy(acl);
		errno = -ret;
		return NULL;
	}
	return acl;
}

void
acl_destroy(struct acl *acl)
{
	if (!acl)
		return;
	for (int d = 0; d < ACL_DIR_COUNT; d++) {
		rte_acl_free(acl->dir[d].v4);
		rte_acl_free(acl->dir[d].v6);
		free(acl->dir[d].l2_rule);
		free(acl->dir[d].l2_eth);
	}
	free(acl->rules);
	free(acl->verdicts);
	free(acl->hits);
	free(acl);
}

static inline void
verdict(const struct acl *acl, enum acl_dir dir, uint64_t *hits, uint32_t userdata,
	struct acl_result *res)
{
	if (userdata) {
		*res = acl->verdicts[userdata - 1];
		hits[userdata - 1]++;
	} else {
		res->rule = ACL_RULE_DEFAULT;
		res->action = acl->default_action;
		res->stateful = 0;
		hits[acl->n_rules + dir]++;
	}
}

static inline uint32_t
match_l2(const struct acl_dir_tables *t, uint16_t ethertype)
{
	for (uint32_t i = 0; i < t->n_l2; i++)
		if (t->l2_eth[i] == 0 || t->l2_eth[i] == ethertype)
			return t->l2_rule[i] + 1;
	return 0;
}

static inline void
key4_build(const struct dp_meta *p, struct acl_key4 *k)
{
	k->proto = p->ip_proto;
	k->src = p->ip.v4.src_be;
	k->dst = p->ip.v4.dst_be;
	k->sport = rte_cpu_to_be_16(p->sport);
	k->dport = rte_cpu_to_be_16(p->dport);
}

static void
classify_chunk(const struct acl *acl, enum acl_dir dir, uint64_t *hits,
	       const struct dp_meta *const m[], unsigned n, struct acl_result res[])
{
	const struct acl_dir_tables *t = &acl->dir[dir];
	struct acl_key4 k4[CHUNK];
	struct acl_key6 k6[CHUNK];
	const uint8_t *d4[CHUNK], *d6[CHUNK];
	uint32_t r4[CHUNK], r6[CHUNK];
	uint8_t i4[CHUNK], i6[CHUNK];
	unsigned i, n4 = 0, n6 = 0;

	for (i = 0; i < n; i++) {
		const struct dp_meta *p = m[i];

		if (p->l3 == DP_L3_IPV4 && t->v4) {
			key4_build(p, &k4[n4]);
			d4[n4] = (const uint8_t *)&k4[n4];
			i4[n4++] = (uint8_t)i;
		} else if (p->l3 == DP_L3_IPV6 && t->v6) {
			struct acl_key6 *k = &k6[n6];

			k->proto = p->ip_proto;
			memcpy(k->src, p->ip.v6.src, 16);
			memcpy(k->dst, p->ip.v6.dst, 16);
			k->sport = rte_cpu_to_be_16(p->sport);
			k->dport = rte_cpu_to_be_16(p->dport);
			d6[n6] = (const uint8_t *)k;
			i6[n6++] = (uint8_t)i;
		} else if (p->l3 == DP_L3_IPV4 || p->l3 == DP_L3_IPV6) {
			/* No rule of this direction for the family: the default, no key to build. */
			verdict(acl, dir, hits, 0, &res[i]);
		} else {
			verdict(acl, dir, hits, match_l2(t, p->ethertype), &res[i]);
		}
	}
	if (n4) {
		rte_acl_classify(t->v4, d4, r4, n4, 1);
		for (i = 0; i < n4; i++)
			verdict(acl, dir, hits, r4[i], &res[i4[i]]);
	}
	if (n6) {
		rte_acl_classify(t->v6, d6, r6, n6, 1);
		for (i = 0; i < n6; i++)
			verdict(acl, dir, hits, r6[i], &res[i6[i]]);
	}
}

unsigned
acl_classify(const struct acl *acl, enum acl_dir dir, unsigned worker,
	     const struct dp_meta *const m[], unsigned n, struct acl_result res[])
{
	uint64_t *hits = acl->hits + (size_t)worker * acl->hits_stride;
	unsigned done;

	for (done = 0; done < n; done += CHUNK)
		classify_chunk(acl, dir, hits, m + done, DVS_MIN((unsigned)CHUNK, n - done), res + done);
	return n;
}

/* classify_chunk with IPv4 frames through the verdict cache 'c' (t->v4 exists): the misses
 * in one rte_acl call, then cached.  A hit counts as the classify it stands for. */
static void
classify_chunk_cached(const struct acl *acl, enum acl_dir dir, uint64_t *hits,
		      struct acl_cache *c, const struct dp_meta *const m[], unsigned n,
		      struct acl_result res[])
{
	const struct acl_mask4 *mask = acl->dir[dir].mask4;
	struct acl_key4 k4[CHUNK], ck[CHUNK];
	const struct dp_meta *om[CHUNK];
	struct acl_result ores[CHUNK];
	const uint8_t *d4[CHUNK];
	uint32_t ud[CHUNK], slot[CHUNK], r4[CHUNK];
	uint8_t i4[CHUNK], oi[CHUNK], miss[CHUNK];
	unsigned i, n4 = 0, no = 0, nm;

	for (i = 0; i < n; i++) {
		if (m[i]->l3 == DP_L3_IPV4) {
			const struct dp_meta *p = m[i];
			/* The cache's key: only the bits a rule can look at (struct acl_mask4),
			 * written field by field (a copy patched in place stalls on store
			 * forwarding).  The whole key is built for the misses only. */
			const struct acl_mask4 *mk = &mask[p->ip_proto];

			ck[n4].proto = p->ip_proto;
			ck[n4].src = p->ip.v4.src_be & mk->src;
			ck[n4].dst = p->ip.v4.dst_be & mk->dst;
			ck[n4].sport = rte_cpu_to_be_16(p->sport) & mk->sport;
			ck[n4].dport = rte_cpu_to_be_16(p->dport) & mk->dport;
			i4[n4++] = (uint8_t)i;
		} else {
			om[no] = m[i];
			oi[no++] = (uint8_t)i;
		}
	}
	if (n4) {
		nm = acl_cache_lookup(c, acl->id, (uint8_t)dir, ck, n4, ud, slot, miss);
		if (nm) {
			for (i = 0; i < nm; i++) {
				key4_build(m[i4[miss[i]]], &k4[i]);
				d4[i] = (const uint8_t *)&k4[i];
			}
			rte_acl_classify(acl->dir[dir].v4, d4, r4, nm, 1);
			for (i = 0; i < nm; i++) {
				ud[miss[i]] = r4[i];
				acl_cache_insert(c, acl->id, (uint8_t)dir, &ck[miss[i]], slot[miss[i]], r4[i]);
			}
		}
		for (i = 0; i < n4; i++)
			verdict(acl, dir, hits, ud[i], &res[i4[i]]);
		hits[col_cache(acl, dir, false)] += n4 - nm;
		hits[col_cache(acl, dir, true)] += nm;
	}
	if (no) {
		classify_chunk(acl, dir, hits, om, no, ores);
		for (i = 0; i < no; i++)
			res[oi[i]] = ores[i];
	}
}

unsigned
acl_classify_cached(const struct acl *acl, enum acl_dir dir, unsigned worker,
		    struct acl_cache *cache, const struct dp_meta *const m[], unsigned n,
		    struct acl_result res[])
{
	uint64_t *hits = acl->hits + (size_t)worker * acl->hits_stride;
	unsigned done;

	if (!cache || !acl->dir[dir].v4)
		return acl_classify(acl, dir, worker, m, n, res);
	for (done = 0; done < n; done += CHUNK)
		classify_chunk_cached(acl, dir, hits, cache, m + done, DVS_MIN((unsigned)CHUNK, n - done),
				      res + done);
	return n;
}

void
acl_hits_cache(const struct acl *acl, enum acl_dir dir, uint64_t *hits, uint64_t *misses)
{
	*hits = *misses = 0;
	for (unsigned w = 0; w < acl->n_workers; w++) {
		const uint64_t *row = acl->hits + w * acl->hits_stride;
		*hits += __atomic_load_n(&row[col_cache(acl, dir, false)], __ATOMIC_RELAXED);
		*misses += __atomic_load_n(&row[col_cache(acl, dir, true)], __ATOMIC_RELAXED);
	}
}

bool
acl_dir_is_default(const struct acl *acl, enum acl_dir dir)
{
	const struct acl_dir_tables *t = &acl->dir[dir];

	return !t->v4 && !t->v6 && t->n_l2 == 0;
}

void
acl_count_default(const struct acl *acl, enum acl_dir dir, unsigned worker, unsigned n)
{
	acl->hits[(size_t)worker * acl->hits_stride + acl->n_rules + dir] += n;
}

void
acl_uncount(const struct acl *acl, enum acl_dir dir, unsigned worker, const struct acl_result *res)
{
	uint64_t *hits = acl->hits + (size_t)worker * acl->hits_stride;

	hits[res->rule == ACL_RULE_DEFAULT ? acl->n_rules + dir : res->rule]--;
}

uint64_t
acl_hits(const struct acl *acl, uint32_t rule, enum acl_dir dir)
{
	size_t col = rule == ACL_RULE_DEFAULT ? acl->n_rules + dir : rule;
	uint64_t sum = 0;

	if (rule != ACL_RULE_DEFAULT && rule >= acl->n_rules)
		return 0;
	for (unsigned w = 0; w < acl->n_workers; w++)
		sum += __atomic_load_n(&acl->hits[w * acl->hits_stride + col], __ATOMIC_RELAXED);
	return sum;
}

static int
id_cmp(const void *a, const void *b, void *ctx)
{
	const struct acl_rule *rules = ctx;
	uint32_t x = rules[*(const uint32_t *)a].id, y = rules[*(const uint32_t *)b].id;

	return x < y ? -1 : x > y;
}

void
acl_hits_carry(struct acl *to, const struct acl *from)
{
	uint32_t *by_id = calloc(from->n_rules + 1, sizeof(*by_id));
	uint32_t i, lo, hi, mid;

	/* Without memory the counters restart at zero: stats only, not worth failing a swap. */
	if (!by_id)
		return;
	for (i = 0; i < from->n_rules; i++)
		by_id[i] = i;
	qsort_r(by_id, from->n_rules, sizeof(*by_id), id_cmp, from->rules);
	for (i = 0; i < to->n_rules; i++) {
		lo = 0;
		hi = from->n_rules;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (from->rules[by_id[mid]].id < to->rules[i].id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < from->n_rules && from->rules[by_id[lo]].id == to->rules[i].id)
			to->hits[i] += acl_hits(from, by_id[lo], 0);
	}
	for (int d = 0; d < ACL_DIR_COUNT; d++) {
		uint64_t h, m;

		to->hits[to->n_rules + d] += acl_hits(from, ACL_RULE_DEFAULT, d);
		acl_hits_cache(from, d, &h, &m);
		to->hits[col_cache(to, d, false)] += h;
		to->hits[col_cache(to, d, true)] += m;
	}
	free(by_id);
}

const char *
acl_classify_alg(const struct acl *acl)
{
	return acl->alg ? acl->alg : "none";
}

uint32_t
acl_n_rules(const struct acl *acl)
{
	return acl->n_rules;
}

const struct acl_rule *
acl_rule_get(const struct acl *acl, uint32_t rule)
{
	return rule < acl->n_rules ? &acl->rules[rule] : NULL;
}

uint8_t
acl_default_action(const struct acl *acl)
{
	return acl->default_action;
}
