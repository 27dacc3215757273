/* SPDX-License-Identifier: Apache-2.0 */
/* ACL scale microbenchmark (issue #5 goal: 10k rules >= 0.8x the rate of 10 rules).
 * Classifies bursts of 32 synthetic parsed frames (16k distinct IPv4 flows, ~1/8 of them
 * hitting a rule) through acl_classify() with 10, 1k and 10k-rule sets, alternating the sets
 * round by round (A B C A B C ...) so machine noise hits them alike, and prints the median
 * Mpps per set and the 10k/10 ratio.  Single-threaded; run it on an otherwise idle core.
 *
 *   acl_bench [--rounds N] [--bursts N] [--flows N] [--only RULES] [--simd 128|256|512]
 *             [--rules random|grouped] [--dump] [--cache BUCKETS]
 * --cache: through acl_classify_cached() with a verdict cache of BUCKETS buckets (a power of
 * two; 3 flows and 64 bytes each), which the flows, taken round-robin, revisit every
 * flows/32 bursts; prints the cache's hit rate.
 *   valgrind --tool=callgrind --collect-atstart=no --toggle-collect=bench_run \
 *       acl_bench --only 10000 --rounds 1 --bursts 2000 --simd 128     (Ir / (bursts*32) = instr/packet)
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_acl.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_memory.h>

#include "datapath/dp/policy/acl.h"
#include "datapath/dp/policy/acl_cache.h"

#define BURST 32
#define MAX_PKTS 65536

static unsigned N_PKTS = 16384; /* distinct flows (--flows) */
#define MAX_ROUNDS 64

static const unsigned sizes[] = {10, 1000, 10000};

static uint32_t
rnd(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ULL;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)s;
}

/* Two rule shapes (--rules):
 *   random:  every rule its own source /24 in 10/8, destination /20../24 in 172.16/12, TCP or
 *            UDP and a destination port range: no two rules share structure (worst case for
 *            the trie's memory);
 *   grouped: what firewall policies expand to: address groups x services.  Rule i takes
 *            source group i % 20, destination group (i / 20) % 25 and service i / 500, each
 *            group a /24 and each service a protocol and port range. */
static int grouped;
static struct acl_cache *cache; /* --cache */

static void
set_prefix(struct acl_prefix *p, uint32_t host_order, uint8_t len)
{
	uint32_t be = htonl(len ? host_order & (~0u << (32 - len)) : 0);

	p->family = 4;
	p->len = len;
	memcpy(p->addr, &be, 4);
}

static void
make_rules(struct acl_ruleset *rs, unsigned n)
{
	rs->default_action = ACL_ACTION_DROP;
	rs->n_rules = n;
	rs->rules = calloc(n, sizeof(*rs->rules));
	for (unsigned i = 0; i < n; i++) {
		struct acl_rule *r = &rs->rules[i];

		acl_rule_init(r);
		r->id = i;
		r->priority = (uint16_t)(rnd() % 1000);
		r->dir = ACL_DIR_FROM_PORT;
		r->action = (uint8_t)(i % 2 ? ACL_ACTION_ALLOW : ACL_ACTION_DROP);
		r->has_src = r->has_dst = true;
		if (grouped) {
			unsigned svc = i / 500;

			set_prefix(&r->src, (10u << 24) | (i % 20) << 8, 24);
			set_prefix(&r->dst, (172u << 24) | (16u << 16) | ((i / 20) % 25) << 8, 24);
			r->proto = svc % 2 ? 6 : 17;
			r->dport_min = (uint16_t)(1000 + 100 * svc);
			r->dport_max = (uint16_t)(r->dport_min + svc % 4 * 10);
			continue;
		}
		set_prefix(&r->src, (10u << 24) | (rnd() & 0x00ffff00), 24);
		set_prefix(&r->dst, (172u << 24) | (16u << 16) | (rnd() & 0x000fff00),
			   (uint8_t)(20 + rnd() % 5));
		r->proto = rnd() % 2 ? 6 : 17;
		r->dport_min = (uint16_t)(rnd() % 10000);
		r->dport_max = (uint16_t)(r->dport_min + rnd() % 50);
	}
}

/* Flows: every 8th one is aimed inside rule (i/8 % n_target)'s match; the rest random (in the
 * grouped shape the random ones hit a group often too: that is the point of groups). */
static void
make_packets(struct dp_meta *m, const struct acl_ruleset *target)
{
	for (unsigned i = 0; i < N_PKTS; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].ethertype = 0x0800;
		m[i].l3 = DP_L3_IPV4;
		m[i].ip_proto = rnd() % 2 ? 6 : 17;
		m[i].ip.v4.src_be = htonl((10u << 24) | (rnd() & 0x00ffffff));
		m[i].ip.v4.dst_be = htonl((172u << 24) | (16u << 16) | (rnd() & 0x000fffff));
		m[i].sport = (uint16_t)(1024 + rnd() % 60000);
		m[i].dport = (uint16_t)(rnd() % 10000);
		if (i % 8 == 0) {
			const struct acl_rule *r = &target->rules[(i / 8) % target->n_rules];

			memcpy(&m[i].ip.v4.src_be, r->src.addr, 4);
			memcpy(&m[i].ip.v4.dst_be, r->dst.addr, 4);
			m[i].ip_proto = (uint8_t)r->proto;
			m[i].dport = r->dport_min;
		}
	}
}

/* Kept out of line so callgrind can count exactly this (--toggle-collect=bench_run). */
__attribute__((noinline)) uint64_t bench_run(const struct acl *acl,
					     const struct dp_meta *const *ptrs, unsigned bursts,
					     struct acl_result *res);

__attribute__((noinline)) uint64_t
bench_run(const struct acl *acl, const struct dp_meta *const *ptrs, unsigned bursts,
	  struct acl_result *res)
{
	uint64_t allowed = 0;

	for (unsigned b = 0; b < bursts; b++) {
		unsigned off = (b * BURST) % N_PKTS;

		acl_classify_cached(acl, ACL_DIR_FROM_PORT, 0, cache, ptrs + off, BURST, res);
		for (unsigned i = 0; i < BURST; i++)
			allowed += res[i].action == ACL_ACTION_ALLOW;
	}
	return allowed;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	char prefix[64], simd[64] = "--force-max-simd-bitwidth=512";
	char *loglevel = getenv("ACL_BENCH_DEBUG") ? "--log-level=lib.acl:debug" : "--log-level=error";
	char *eal[] = {argv[0], "-l", "0", "--no-pci", "--no-huge", "-m", "512", "--no-shconf",
		       prefix, loglevel, "--no-telemetry", simd, NULL};
	unsigned rounds = 9, bursts = 200000, only = 0, n_sizes = 0, cache_buckets = 0;
	struct acl *acl[DVS_ARRAY_SIZE(sizes)] = {NULL};
	struct acl_ruleset rs[DVS_ARRAY_SIZE(sizes)];
	double mpps[DVS_ARRAY_SIZE(sizes)][MAX_ROUNDS], med[DVS_ARRAY_SIZE(sizes)] = {0};
	unsigned idx[DVS_ARRAY_SIZE(sizes)];
	const struct dp_meta **ptrs[DVS_ARRAY_SIZE(sizes)] = {NULL};
	struct acl_result res[BURST];
	struct dp_meta *meta[DVS_ARRAY_SIZE(sizes)] = {NULL};
	char runtime_dir[256];
	struct dvs_err e = {0};
	uint64_t hz, sink = 0;
	int opt, ret = 1, dump = 0;

	static const struct option opts[] = {
		{"rounds", required_argument, NULL, 'r'},
		{"bursts", required_argument, NULL, 'b'},
		{"only", required_argument, NULL, 'o'},
		{"dump", no_argument, NULL, 'd'},
		{"flows", required_argument, NULL, 'f'},
		{"simd", required_argument, NULL, 's'},
		{"rules", required_argument, NULL, 'R'},
		{"cache", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	while ((opt = getopt_long(argc, argv, "r:b:o:df:s:R:c:", opts, NULL)) != -1) {
		if (opt == 'r')
			rounds = (unsigned)atoi(optarg);
		else if (opt == 'b')
			bursts = (unsigned)atoi(optarg);
		else if (opt == 'o')
			only = (unsigned)atoi(optarg);
		else if (opt == 'd')
			dump = 1;
		else if (opt == 'c')
			cache_buckets = (unsigned)atoi(optarg);
		else if (opt == 'f')
			N_PKTS = (unsigned)atoi(optarg);
		else if (opt == 'R' && (!strcmp(optarg, "random") || !strcmp(optarg, "grouped")))
			grouped = !strcmp(optarg, "grouped");
		else if (opt == 's') /* 128 under valgrind: it has no AVX-512 */
			snprintf(simd, sizeof(simd), "--force-max-simd-bitwidth=%s", optarg);
		else {
			fprintf(stderr, "usage: %s [--rounds N] [--bursts N] [--only 10|1000|10000]\n",
				argv[0]);
			return 2;
		}
	}
	if (rounds == 0 || rounds > MAX_ROUNDS || bursts == 0 || N_PKTS < BURST || N_PKTS > MAX_PKTS) {
		fprintf(stderr, "acl_bench: --rounds 1..%d, --bursts >= 1, --flows %d..%d\n", MAX_ROUNDS,
			BURST, MAX_PKTS);
		return 2;
	}
	memset(rs, 0, sizeof(rs));
	snprintf(prefix, sizeof(prefix), "--file-prefix=po-bench-%d", (int)getpid());
	if (rte_eal_init((int)DVS_ARRAY_SIZE(eal) - 1, eal) < 0) {
		fprintf(stderr, "acl_bench: EAL init failed\n");
		return 1;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	hz = rte_get_tsc_hz();
	if (cache_buckets && !(cache = acl_cache_create(cache_buckets, SOCKET_ID_ANY))) {
		fprintf(stderr, "acl_bench: --cache %u: %s\n", cache_buckets, strerror(errno));
		goto out;
	}
	for (unsigned s = 0; s < DVS_ARRAY_SIZE(sizes); s++) {
		uint64_t t0;

		if (only && sizes[s] != only)
			continue;
		make_rules(&rs[s], sizes[s]);
		t0 = rte_rdtsc();
		acl[s] = acl_create(&rs[s], 1, SOCKET_ID_ANY, &e);
		if (!acl[s]) {
			fprintf(stderr, "acl_bench: %u rules: %s\n", sizes[s], e.msg);
			goto out;
		}
		printf("rules=%-5u build %.3f s, classify method %s\n", sizes[s],
		       (double)(rte_rdtsc() - t0) / hz, acl_classify_alg(acl[s]));
		idx[n_sizes++] = s;
	}
	if (dump)
		rte_acl_list_dump(); /* tries, memory and rules per context */
	if (n_sizes == 0) {
		fprintf(stderr, "acl_bench: --only takes 10, 1000 or 10000\n");
		goto out;
	}
	/* Each set gets the same kind of traffic: 1 flow in 8 aimed at one of its rules. */
	for (unsigned k = 0; k < n_sizes; k++) {
		unsigned s = idx[k];

		meta[s] = calloc(N_PKTS, sizeof(*meta[s]));
		ptrs[s] = calloc(N_PKTS + BURST, sizeof(*ptrs[s]));
		make_packets(meta[s], &rs[s]);
		for (unsigned i = 0; i < N_PKTS + BURST; i++)
			ptrs[s][i] = &meta[s][i % N_PKTS];
	}
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned k = 0; k < n_sizes; k++) {
			unsigned s = idx[k];
			uint64_t t0 = rte_rdtsc();

			sink += bench_run(acl[s], ptrs[s], bursts, res);
			mpps[s][r] = (double)bursts * BURST / ((double)(rte_rdtsc() - t0) / hz) / 1e6;
		}
	for (unsigned k = 0; k < n_sizes; k++) {
		unsigned s = idx[k];
		uint64_t total = (uint64_t)bursts * BURST * rounds;
		uint64_t dflt = acl_hits(acl[s], ACL_RULE_DEFAULT, ACL_DIR_FROM_PORT);

		qsort(mpps[s], rounds, sizeof(double), cmp_double);
		med[s] = mpps[s][rounds / 2];
		printf("rules=%-5u median %.2f Mpps (min %.2f, max %.2f; %u rounds of %u bursts of %d), "
		       "%.1f cycles/packet, %.1f%% of packets matched a rule\n",
		       sizes[s], med[s], mpps[s][0], mpps[s][rounds - 1], rounds, bursts, BURST,
		       (double)hz / (med[s] * 1e6), 100.0 * (double)(total - dflt) / (double)total);
		if (cache) {
			uint64_t h, m;

			acl_hits_cache(acl[s], ACL_DIR_FROM_PORT, &h, &m);
			printf("rules=%-5u verdict cache: %.2f%% hits (%u buckets, %u entries, %u flows)\n",
			       sizes[s], h + m ? 100.0 * (double)h / (double)(h + m) : 0.0, cache_buckets,
			       acl_cache_capacity(cache), N_PKTS);
		}
	}
	if (med[0] > 0 && med[2] > 0)
		printf("ratio 10k/10 = %.2f (goal >= 0.80)\n", med[2] / med[0]);
	printf("(checksum %llu)\n", (unsigned long long)sink);
	ret = 0;
out:
	for (unsigned s = 0; s < DVS_ARRAY_SIZE(sizes); s++) {
		acl_destroy(acl[s]);
		acl_ruleset_free(&rs[s]);
		free(meta[s]);
		free(ptrs[s]);
	}
	acl_cache_destroy(cache);
	rte_eal_cleanup();
	rmdir(runtime_dir);
	return ret;
}
