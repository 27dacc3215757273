/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the forwarding pipeline (dp_fwd_burst) on real DPDK ports: four net_ring
 * devices whose tx ring is their own rx ring, so what the switch sent to a port is read back
 * from it.  Ports 0-2 are access ports of VLAN 10, port 3 is a trunk allowing VLAN 10.
 * The bursts mix runs of one flow (the fast path that reuses the previous frame's lookups)
 * with frames that must not take it: unknown and broadcast destinations, a MAC on the
 * ingress port, a move, other VLANs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "datapath/dp/dp.h"
#include "datapath/dp/drop.h"
#include "datapath/dp/fdb.h"

#define N_PORTS 4
#define VID 10

static struct dp dp;
static struct dp_tables tables;
static struct dp_lcore *lc;
static uint16_t members[N_PORTS] = {0, 1, 2, 3};

static const uint8_t MAC_A[6] = {2, 0, 0, 0, 0, 0xa};
static const uint8_t MAC_B[6] = {2, 0, 0, 0, 0, 0xb};
static const uint8_t MAC_C[6] = {2, 0, 0, 0, 0, 0xc};
static const uint8_t MAC_X[6] = {2, 0, 0, 0, 0, 0x99}; /* never seen */
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static int
eal_setup(void **state)
{
	(void)state;
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=test_fwd_%d", (int)getpid());
	char *argv[] = {"test_fwd", "--no-pci", "--no-huge", "-m", "256", "--no-shconf", prefix,
			"--no-telemetry", "--log-level=*:error", "-l", "0", "--vdev", "net_ring0",
			"--vdev", "net_ring1", "--vdev", "net_ring2", "--vdev", "net_ring3", NULL};
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0 || rte_eth_dev_count_avail() != N_PORTS)
		return -1;
	dp.n_workers = 1;
	dp.tsc_hz = rte_get_tsc_hz();
	dp.pool = rte_pktmbuf_pool_create("tf_mbufs", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	dp.qs = rte_zmalloc(NULL, sz, 64);
	if (!dp.pool || !dp.qs || rte_rcu_qsbr_init(dp.qs, 1) < 0)
		return -1;
	dp.fdb = fdb_create("tf_fdb", 1024, 300, 1024, dp.qs);
	lc = rte_zmalloc(NULL, sizeof(*lc), 64);
	if (!dp.fdb || !lc)
		return -1;
	lc->dp = &dp;
	dp.lcores[0] = lc;
	tables.uplink = DP_SEG_NONE;
	tables.n_ports = N_PORTS;
	for (uint16_t i = 0; i < N_PORTS; i++) {
		struct rte_eth_conf conf = {0};
		if (rte_eth_dev_configure(i, 1, 1, &conf) < 0 ||
		    rte_eth_rx_queue_setup(i, 0, 1024, 0, NULL, dp.pool) < 0 ||
		    rte_eth_tx_queue_setup(i, 0, 1024, 0, NULL) < 0 || rte_eth_dev_start(i) < 0)
			return -1;
		rte_spinlock_init(&dp.txlock[i][0]);
		tables.ports[i].enabled = 1;
		tables.ports[i].eth_port = i;
		tables.ports[i].n_txq = 1;
		tables.ports[i].vlan.tag = VID;
	}
	tables.ports[3].vlan.trunk = 1;
	tables.ports[3].vlan.allowed[VID >> 6] |= 1ull << (VID & 63);
	tables.members = members;
	tables.seg_n[VID] = N_PORTS;
	dp.tables = &tables;
	return 0;
}

static int
eal_teardown(void **state)
{
	(void)state;
	char dir[96];
	rte_eal_cleanup();
	snprintf(dir, sizeof(dir), "/var/run/dpdk/test_fwd_%d", (int)getpid());
	rmdir(dir);
	return 0;
}

/* An untagged 60-byte frame; 'mark' goes into the payload to tell frames apart. */
static struct rte_mbuf *
frame(const uint8_t *dst, const uint8_t *src, uint8_t mark)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.pool);
	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, 60));
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	memset(f, 0, 60);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[20] = mark;
	return m;
}

static void
fwd(uint16_t in, struct rte_mbuf **pkts, uint16_t n)
{
	lc->now = rte_rdtsc();
	dp_fwd_burst(lc, &tables, in, pkts, n, dp_now_s(&dp), DP_SEG_NONE);
	dp_tx_flush_all(lc, &tables);
}

/* Reads back what was sent to 'port': the count, and the marks (in order) into 'marks'. */
static unsigned
sent_to(uint16_t port, uint8_t *marks, uint16_t *tci)
{
	struct rte_mbuf *pkts[64];
	unsigned total = 0;
	uint16_t n;

	while ((n = rte_eth_rx_burst(port, 0, pkts, 64)) > 0) {
		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *f = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
			bool tagged = f[12] == 0x81 && f[13] == 0x00;
			if (marks)
				marks[total] = f[tagged ? 24 : 20];
			if (tci)
				tci[total] = tagged ? (uint16_t)(f[14] << 8 | f[15]) : 0xffff;
			total++;
		}
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return total;
}

static void
drain_all(void)
{
	for (uint16_t p = 0; p < N_PORTS; p++)
		sent_to(p, NULL, NULL);
}

/* Teaches the FDB: A on port 0, B on port 1, C on port 2 (each floods once). */
static void
learn_abc(void)
{
	struct rte_mbuf *m;
	m = frame(BCAST, MAC_A, 0);
	fwd(0, &m, 1);
	m = frame(BCAST, MAC_B, 0);
	fwd(1, &m, 1);
	m = frame(BCAST, MAC_C, 0);
	fwd(2, &m, 1);
	drain_all();
}

/* A burst of runs: 10 A->B, 5 A->X (unknown: flooded), 10 A->B, 3 A->C, 2 A->A (on the
 * ingress port: dropped), 2 broadcasts.  Every frame ends where the FDB says, in order. */
static void
test_runs_mixed_destinations(void **state)
{
	(void)state;
	struct rte_mbuf *pkts[32];
	uint8_t marks[64];
	uint16_t n = 0;
	uint64_t same0 = lc->drops[DP_DROP_SAME_PORT];

	learn_abc();
	for (int i = 0; i < 10; i++)
		pkts[n] = frame(MAC_B, MAC_A, (uint8_t)n), n++;
	for (int i = 0; i < 5; i++)
		pkts[n] = frame(MAC_X, MAC_A, (uint8_t)n), n++;
	for (int i = 0; i < 10; i++)
		pkts[n] = frame(MAC_B, MAC_A, (uint8_t)n), n++;
	for (int i = 0; i < 3; i++)
		pkts[n] = frame(MAC_C, MAC_A, (uint8_t)n), n++;
	for (int i = 0; i < 2; i++)
		pkts[n] = frame(MAC_A, MAC_A, (uint8_t)n), n++;
	for (int i = 0; i < 2; i++)
		pkts[n] = frame(BCAST, MAC_A, (uint8_t)n), n++;
	assert_int_equal(n, 32);
	fwd(0, pkts, n);

	/* Port 1 (B): the 20 A->B, the 5 floods, the 2 broadcasts, in burst order. */
	assert_int_equal(sent_to(1, marks, NULL), 27);
	for (int i = 0; i < 25; i++)
		assert_int_equal(marks[i], i);
	assert_int_equal(marks[25], 30);
	/* Port 2 (C): the 5 floods, the 3 A->C, the 2 broadcasts. */
	assert_int_equal(sent_to(2, marks, NULL), 10);
	assert_int_equal(marks[0], 10);
	assert_int_equal(marks[5], 25);
	/* Port 0 (A, the ingress): nothing. */
	assert_int_equal(sent_to(0, NULL, NULL), 0);
	assert_int_equal(lc->drops[DP_DROP_SAME_PORT] - same0, 2);
	drain_all();
}

/* A run to the trunk port: every frame of the run is tagged with VLAN 10, not only the
 * first (the fast path re-tags each frame). */
static void
test_run_to_trunk_is_tagged(void **state)
{
	(void)state;
	struct rte_mbuf *pkts[32], *m;
	uint8_t marks[64];
	uint16_t tci[64];
	static const uint8_t MAC_T[6] = {2, 0, 0, 0, 0, 0x7};

	learn_abc();
	/* T behind the trunk, tagged 10. */
	m = frame(BCAST, MAC_T, 0);
	assert_int_equal(rte_vlan_insert(&m), 0);
	rte_pktmbuf_mtod(m, uint8_t *)[15] = VID;
	fwd(3, &m, 1);
	drain_all();
	for (uint16_t i = 0; i < 32; i++)
		pkts[i] = frame(MAC_T, MAC_A, (uint8_t)i);
	fwd(0, pkts, 32);
	assert_int_equal(sent_to(3, marks, tci), 32);
	for (int i = 0; i < 32; i++) {
		assert_int_equal(marks[i], i);
		assert_int_equal(tci[i] & 0xfff, VID);
	}
	assert_int_equal(sent_to(1, NULL, NULL) + sent_to(2, NULL, NULL), 0);
	/* And back: the run from the trunk arrives untagged on the access port. */
	for (uint16_t i = 0; i < 32; i++) {
		pkts[i] = frame(MAC_A, MAC_T, (uint8_t)i);
		assert_int_equal(rte_vlan_insert(&pkts[i]), 0);
		rte_pktmbuf_mtod(pkts[i], uint8_t *)[15] = VID;
	}
	fwd(3, pkts, 32);
	assert_int_equal(sent_to(0, marks, tci), 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(tci[i], 0xffff);
	drain_all();
}

/* A run whose source moved: A, learned on port 0, now sends a run from port 2.  The FDB
 * moves A to port 2, and frames to A then go there. */
static void
test_run_moves_mac(void **state)
{
	(void)state;
	struct rte_mbuf *pkts[16], *m;

	learn_abc();
	for (uint16_t i = 0; i < 16; i++)
		pkts[i] = frame(MAC_B, MAC_A, (uint8_t)i);
	fwd(2, pkts, 16);
	assert_int_equal(sent_to(1, NULL, NULL), 16);
	m = frame(MAC_A, MAC_B, 1);
	fwd(1, &m, 1);
	assert_int_equal(sent_to(2, NULL, NULL), 1);
	assert_int_equal(sent_to(0, NULL, NULL), 0);
	drain_all();
}

/* A port taken out of service between two bursts: frames of a known flow to it are
 * dropped as dest-gone, and counted. */
static void
test_run_to_disabled_port(void **state)
{
	(void)state;
	struct rte_mbuf *pkts[8];
	uint64_t gone0 = lc->drops[DP_DROP_DEST_GONE];

	learn_abc();
	tables.ports[1].enabled = 0;
	for (uint16_t i = 0; i < 8; i++)
		pkts[i] = frame(MAC_B, MAC_A, (uint8_t)i);
	fwd(0, pkts, 8);
	tables.ports[1].enabled = 1;
	assert_int_equal(sent_to(1, NULL, NULL), 0);
	assert_int_equal(lc->drops[DP_DROP_DEST_GONE] - gone0, 8);
	drain_all();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_mixed_destinations),
		cmocka_unit_test(test_run_to_trunk_is_tagged),
		cmocka_unit_test(test_run_moves_mac),
		cmocka_unit_test(test_run_to_disabled_port),
	};
	return cmocka_run_group_tests(tests, eal_setup, eal_teardown);
}
