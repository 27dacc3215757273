/* SPDX-License-Identifier: Apache-2.0 */
/* The cost of dvs's own per-packet code, without the vhost copies around it.
 *
 * The V2V benchmark (bench/v2v.sh) measures the whole loop, where about two thirds of the
 * switch's poll thread is librte_vhost copying frames in and out of the guests.  This one
 * isolates the rest: bursts of 64-byte frames between two access ports of one VLAN go
 * through dp_fwd_burst + dp_tx_flush_all into two net_null devices (whose tx frees).  The
 * baseline does the same allocation, frame fill and tx_burst with no switching, as testpmd
 * 'io' would; the difference is what dvs adds per packet.
 *
 *   fwd_bench [--flows N] [--bursts N] [--rounds N] [--json]
 *
 * --flows N: N MAC pairs, one per burst in turn (1 = the V2V loop's single pair).  Rounds
 * alternate baseline and switch; the report gives each one's minimum and median ns/packet
 * (the minimum is the least disturbed by other load on the machine). */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "datapath/dp/dp.h"
#include "datapath/dp/drop.h"
#include "datapath/dp/fdb.h"

#define VID 10
#define FRAME_LEN 60

struct bench {
	struct dp dp;
	struct dp_tables *t;
	struct dp_lcore *lc;
	unsigned flows, bursts;
};

static void
fill(struct rte_mbuf *m, unsigned flow, int dir)
{
	uint8_t *f = (uint8_t *)rte_pktmbuf_append(m, FRAME_LEN);
	/* Guest MACs 02:00:00:FF:FF:D (D = 0 on port 0's side, 1 on port 1's), per flow. */
	uint8_t a[6] = {2, 0, (uint8_t)(flow >> 16), (uint8_t)(flow >> 8), (uint8_t)flow, 0};
	uint8_t b[6] = {2, 0, (uint8_t)(flow >> 16), (uint8_t)(flow >> 8), (uint8_t)flow, 1};

	memcpy(f, dir ? a : b, 6);
	memcpy(f + 6, dir ? b : a, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, 0, FRAME_LEN - 14);
	f[14] = 0x45;
}

static int
setup(struct bench *b)
{
	struct dp *dp = &b->dp;
	struct dp_tables *t = calloc(1, sizeof(*t));
	size_t sz = rte_rcu_qsbr_get_memsize(1);

	if (!t)
		return -1;
	dp->n_workers = 1;
	dp->tsc_hz = rte_get_tsc_hz();
	dp->pool = rte_pktmbuf_pool_create("fb_mbufs", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	dp->qs = rte_zmalloc("fb_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (!dp->pool || !dp->qs || rte_rcu_qsbr_init(dp->qs, 1) < 0)
		return -1;
	dp->fdb = fdb_create("fb_fdb", 2 * b->flows + 1024, 300, 2 * b->flows + 1024, dp->qs);
	b->lc = rte_zmalloc("fb_lcore", sizeof(*b->lc), RTE_CACHE_LINE_SIZE);
	if (!dp->fdb || !b->lc)
		return -1;
	b->lc->dp = dp;
	dp->lcores[0] = b->lc;
	rte_spinlock_init(&dp->txlock[0][0]);
	rte_spinlock_init(&dp->txlock[1][0]);

	t->uplink = DP_SEG_NONE;
	t->n_ports = 2;
	for (uint16_t i = 0; i < 2; i++) {
		struct rte_eth_conf conf = {0};
		if (rte_eth_dev_configure(i, 1, 1, &conf) < 0 ||
		    rte_eth_rx_queue_setup(i, 0, 512, (unsigned)rte_socket_id(), NULL, dp->pool) < 0 ||
		    rte_eth_tx_queue_setup(i, 0, 512, (unsigned)rte_socket_id(), NULL) < 0 ||
		    rte_eth_dev_start(i) < 0)
			return -1;
		t->ports[i].enabled = 1;
		t->ports[i].eth_port = i;
		t->ports[i].n_txq = 1;
		t->ports[i].vlan.tag = VID;
	}
	static uint16_t members[2] = {0, 1};
	t->members = members;
	t->seg_off[VID] = 0;
	t->seg_n[VID] = 2;
	b->t = t;
	dp->tables = t;
	return 0;
}

/* One pass: 'bursts' bursts of DP_BURST frames; returns TSC cycles per packet. */
static double
run(struct bench *b, bool switching)
{
	struct rte_mbuf *pkts[DP_BURST];
	uint32_t now_s = dp_now_s(&b->dp);
	uint64_t start = rte_rdtsc();

	for (unsigned i = 0; i < b->bursts; i++) {
		int dir = (int)(i & 1);
		unsigned flow = (i >> 1) % b->flows;
		if (rte_pktmbuf_alloc_bulk(b->dp.pool, pkts, DP_BURST) < 0) {
			fprintf(stderr, "fwd_bench: mbuf pool empty (a leak in the path under test)\n");
			exit(1);
		}
		for (unsigned k = 0; k < DP_BURST; k++)
			fill(pkts[k], flow, dir);
		if (switching) {
			b->lc->now = rte_rdtsc();
			dp_fwd_burst(b->lc, b->t, (uint16_t)dir, pkts, DP_BURST, now_s, DP_SEG_NONE, false);
			dp_tx_flush_all(b->lc, b->t);
		} else {
			uint16_t sent = rte_eth_tx_burst((uint16_t)!dir, 0, pkts, DP_BURST);
			if (sent < DP_BURST)
				rte_pktmbuf_free_bulk(&pkts[sent], DP_BURST - sent);
		}
	}
	return (double)(rte_rdtsc() - start) / ((double)b->bursts * DP_BURST);
}

/* DPDK leaves its run directory behind even with --no-shconf. */
static void
remove_run_dir(const char *name)
{
	char dir[128], path[512];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", name);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	char name[32], prefix[64];
	snprintf(name, sizeof(name), "fwdbench%d", (int)getpid());
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", name);
	char *eal[] = {argv[0], "--no-pci", "--no-huge", "--no-shconf", "--no-telemetry", "-l", "0",
		       "-m", "128", prefix, "--log-level=error", "--vdev", "net_null0,no-rx=1",
		       "--vdev", "net_null1,no-rx=1"};
	struct bench b = {.flows = 1, .bursts = 200000};
	unsigned rounds = 7;
	bool json = false;
	static const struct option opts[] = {
		{"flows", required_argument, NULL, 'f'}, {"bursts", required_argument, NULL, 'b'},
		{"rounds", required_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': b.flows = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'b': b.bursts = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': rounds = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'j': json = true; break;
		default:
			fprintf(stderr, "usage: fwd_bench [--flows N] [--bursts N] [--rounds N] [--json]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (b.flows == 0 || b.flows > 1000000 || b.bursts == 0 || rounds == 0 || rounds > 999) {
		fprintf(stderr, "fwd_bench: --flows 1..1000000, --bursts > 0, --rounds 1..999\n");
		return 2;
	}
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0 || rte_eth_dev_count_avail() < 2) {
		fprintf(stderr, "fwd_bench: EAL init failed\n");
		return 1;
	}
	if (setup(&b) < 0) {
		fprintf(stderr, "fwd_bench: setup failed\n");
		return 1;
	}
	run(&b, true); /* learn every MAC, warm the caches */
	double base[999], sw[999], hz_ns = 1e9 / (double)b.dp.tsc_hz;
	for (unsigned r = 0; r < rounds; r++) {
		base[r] = run(&b, false) * hz_ns;
		sw[r] = run(&b, true) * hz_ns;
	}
	qsort(base, rounds, sizeof(double), cmp_double);
	qsort(sw, rounds, sizeof(double), cmp_double);
	uint64_t drops = 0;
	for (unsigned i = 0; i < DP_DROP_MAX; i++) {
		drops += b.lc->drops[i];
		if (b.lc->drops[i])
			fprintf(stderr, "fwd_bench: %llu frames dropped: %s\n",
				(unsigned long long)b.lc->drops[i], dp_drop_names[i]);
	}
	if (json)
		printf("{\"flows\": %u, \"baseline_ns_min\": %.2f, \"baseline_ns_median\": %.2f, "
		       "\"switch_ns_min\": %.2f, \"switch_ns_median\": %.2f, \"dvs_ns_per_pkt\": %.2f, "
		       "\"drops\": %llu}\n",
		       b.flows, base[0], base[rounds / 2], sw[0], sw[rounds / 2], sw[0] - base[0],
		       (unsigned long long)drops);
	else
		printf("flows %u: baseline (alloc+fill+tx) %.2f ns/pkt (median %.2f), switched %.2f "
		       "(median %.2f): dvs adds %.2f ns/pkt; drops %llu\n",
		       b.flows, base[0], base[rounds / 2], sw[0], sw[rounds / 2], sw[0] - base[0],
		       (unsigned long long)drops);
	rte_eal_cleanup();
	remove_run_dir(name);
	return drops ? 1 : 0;
}
