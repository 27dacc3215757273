/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the forwarding pipeline (dp_fwd_burst) on real DPDK ports: four net_ring
 * devices whose tx ring is their own rx ring, so what the switch sent to a port is read back
 * from it.  Ports 0-2 are access ports of VLAN 10, port 3 is a trunk allowing VLAN 10.
 * The bursts mix runs of one flow (the fast path that reuses the previous frame's lookups)
 * with frames that must not take it: unknown and broadcast destinations, a MAC on the
 * ingress port, a move, other VLANs.  The policy tests give ports ACLs (and connection tables)
 * and check each frame's fate in bursts the policy classifies at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <inttypes.h>
#include <jansson.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "datapath/dp/dp.h"
#include "datapath/dp/drop.h"
#include "datapath/dp/fdb.h"
#include "datapath/dp/pol.h"
#include "datapath/dp/vxlan.h"
#include "../policy/acl_json.h"
#include "../policy/pkt.h"

#define N_PORTS 4
#define VID 10

static struct dp dp;
static struct dp_tables tables;
static struct dp_lcore *lc;
/* VLAN 10's members, then the overlay segment of test_run_into_tunnel: port 0 and tunnel 0. */
static uint16_t members[N_PORTS + 2] = {0, 1, 2, 3, 0, DP_TUNNEL_BASE};

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
	dp_fwd_burst(lc, &tables, in, pkts, n, dp_now_s(&dp), DP_SEG_NONE, false);
	dp_tx_flush_all(lc, &tables);
}

#define HEADS_MAX 64
static uint8_t heads[HEADS_MAX][64];

/* Reads back what was sent to 'port': the count, and the first 64 bytes of the first
 * HEADS_MAX frames, in order, into heads[]. */
static unsigned
read_back(uint16_t port)
{
	struct rte_mbuf *pkts[64];
	unsigned total = 0;
	uint16_t n;

	while ((n = rte_eth_rx_burst(port, 0, pkts, 64)) > 0) {
		for (uint16_t i = 0; i < n; i++, total++)
			if (total < HEADS_MAX)
				memcpy(heads[total], rte_pktmbuf_mtod(pkts[i], const uint8_t *),
				       RTE_MIN(64u, rte_pktmbuf_data_len(pkts[i])));
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return total;
}

/* Reads back what was sent to 'port': the count, and the marks (in order) into 'marks'. */
static unsigned
sent_to(uint16_t port, uint8_t *marks, uint16_t *tci)
{
	unsigned total = read_back(port);

	for (unsigned i = 0; i < RTE_MIN(total, (unsigned)HEADS_MAX); i++) {
		const uint8_t *f = heads[i];
		bool tagged = f[12] == 0x81 && f[13] == 0x00;
		if (marks)
			marks[i] = f[tagged ? 24 : 20];
		if (tci)
			tci[i] = tagged ? (uint16_t)(f[14] << 8 | f[15]) : 0xffff;
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

/* An IPv4 frame from 'src' to 'dst' (MACs) with the given 5-tuple; TCP gets 'flags'. */
static struct rte_mbuf *
ip_frame(const uint8_t *dst, const uint8_t *src, const char *sip, const char *dip, uint8_t proto,
	 uint16_t sport, uint16_t dport, uint8_t flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.pool);
	struct pkt p;

	pkt_v4(&p, sip, dip, proto, sport, dport, flags, 1, 0, 0);
	memcpy(p.frame, dst, 6);
	memcpy(p.frame + 6, src, 6);
	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, (uint16_t)RTE_MAX(p.len, 60u)));
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), p.frame, RTE_MAX(p.len, 60u));
	return m;
}

static uint16_t
udp(const uint8_t *dst, const uint8_t *src, uint16_t sport, uint16_t dport, struct rte_mbuf **m)
{
	*m = ip_frame(dst, src, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, sport, dport, 0);
	return 1;
}

/* Reads back the untagged IPv4 frames sent to 'port': their L4 ports and TCP flags, in order. */
static unsigned
sent_l4(uint16_t port, uint16_t *sport, uint16_t *dport, uint8_t *flags)
{
	unsigned total = read_back(port);

	assert_true(total <= HEADS_MAX);
	for (unsigned i = 0; i < total; i++) {
		const uint8_t *f = heads[i];
		assert_int_equal(f[12] << 8 | f[13], RTE_ETHER_TYPE_IPV4);
		sport[i] = (uint16_t)(f[34] << 8 | f[35]);
		dport[i] = (uint16_t)(f[36] << 8 | f[37]);
		flags[i] = f[23] == IPPROTO_TCP ? f[47] : 0;
	}
	return total;
}

static void
policy_off(struct dp_port_policy *pol, unsigned n)
{
	for (uint16_t i = 0; i < N_PORTS; i++)
		tables.ports[i].pol = NULL;
	dp_pol_tables_flags(&tables);
	for (unsigned i = 0; i < n; i++) {
		acl_destroy(pol[i].acl);
		conntrack_destroy(pol[i].ct);
	}
	drain_all();
}

static uint64_t drops0[DP_DROP_MAX];

static void
drops_mark(void)
{
	memcpy(drops0, lc->drops, sizeof(drops0));
}

/* Every drop reason moved by exactly what 'want' says (reason, count pairs, 0-terminated). */
static void
drops_expect(const unsigned *want)
{
	uint64_t exp[DP_DROP_MAX] = {0};

	for (; want[0]; want += 2)
		exp[want[0]] = want[1];
	for (unsigned r = 0; r < DP_DROP_MAX; r++)
		if (lc->drops[r] - drops0[r] != exp[r])
			fail_msg("drop %s: %" PRIu64 ", want %" PRIu64, dp_drop_names[r],
				 lc->drops[r] - drops0[r], exp[r]);
}

/* One burst from port 0 (ACL from-port and to-port, security on: MAC A only) mixing frames the
 * ACL allows, drops and rejects, a forged frame dropped before the ACL, and frames to port 2
 * (to-port ACL: drops and rejects at egress) and port 1 (no policy); runs of one flow around
 * the dropped frames.  Then a burst from port 1 (no policy) into port 0's to-port rules. */
static void
test_policy_burst_mixed_fates(void **state)
{
	(void)state;
	struct dp_port_policy pol[2] = {0};
	struct rte_mbuf *pkts[32];
	uint16_t sp[64], dpt[64], n = 0;
	uint8_t fl[64];
	uint64_t tx0_0 = lc->port[0].tx_dropped, tx0_2 = lc->port[2].tx_dropped;
	uint64_t rx0_0 = lc->port[0].rx_dropped;

	learn_abc();
	pol[0].acl = acl_json("{\"default_action\":\"drop\",\"rules\":["
		"{\"direction\":\"from-port\",\"action\":\"allow\",\"protocol\":\"udp\",\"dst_port\":5001},"
		"{\"direction\":\"from-port\",\"action\":\"allow\",\"protocol\":\"udp\",\"dst_port\":5003},"
		"{\"direction\":\"from-port\",\"action\":\"allow\",\"protocol\":\"tcp\",\"dst_port\":25},"
		"{\"direction\":\"from-port\",\"action\":\"reject\",\"protocol\":\"tcp\",\"dst_port\":23},"
		"{\"direction\":\"to-port\",\"action\":\"allow\",\"protocol\":\"udp\",\"src_port\":5001}]}");
	pol[0].security = 1;
	pol[0].has_mac = 1;
	memcpy(pol[0].mac, MAC_A, 6);
	pol[0].allow_mac_changes = 1;
	pol[1].acl = acl_json("{\"default_action\":\"drop\",\"rules\":["
		"{\"direction\":\"to-port\",\"action\":\"allow\",\"protocol\":\"udp\",\"dst_port\":5001},"
		"{\"direction\":\"to-port\",\"action\":\"reject\",\"protocol\":\"tcp\",\"dst_port\":25}]}");
	tables.ports[0].pol = &pol[0];
	tables.ports[2].pol = &pol[1];
	dp_pol_tables_flags(&tables);

	/* sport = 100 + position in the burst. */
	for (int i = 0; i < 4; i++, n++)
		udp(MAC_B, MAC_A, (uint16_t)(100 + n), 5001, &pkts[n]);  /* 0-3: to B */
	udp(MAC_B, MAC_A, (uint16_t)(100 + n), 5002, &pkts[n]), n++;     /* 4: acl-drop */
	udp(MAC_B, MAC_A, (uint16_t)(100 + n), 5001, &pkts[n]), n++;     /* 5: to B */
	pkts[n] = ip_frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, (uint16_t)(100 + n), 23,
			   RTE_TCP_SYN_FLAG), n++;                           /* 6: acl-reject, RST */
	udp(MAC_B, MAC_A, (uint16_t)(100 + n), 5001, &pkts[n]), n++;     /* 7: to B */
	udp(MAC_B, MAC_X, (uint16_t)(100 + n), 5001, &pkts[n]), n++;     /* 8: forged */
	udp(MAC_B, MAC_A, (uint16_t)(100 + n), 5003, &pkts[n]), n++;     /* 9: to B */
	udp(MAC_C, MAC_A, (uint16_t)(100 + n), 5001, &pkts[n]), n++;     /* 10: to C */
	udp(MAC_C, MAC_A, (uint16_t)(100 + n), 5003, &pkts[n]), n++;     /* 11: C's acl-drop */
	udp(MAC_C, MAC_A, (uint16_t)(100 + n), 5001, &pkts[n]), n++;     /* 12: to C */
	pkts[n] = ip_frame(MAC_C, MAC_A, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, (uint16_t)(100 + n), 25,
			   RTE_TCP_SYN_FLAG), n++;                           /* 13: C's reject, RST */
	udp(MAC_C, MAC_A, (uint16_t)(100 + n), 5002, &pkts[n]), n++;     /* 14: acl-drop */
	for (int i = 0; i < 4; i++, n++)
		udp(MAC_B, MAC_A, (uint16_t)(100 + n), 5001, &pkts[n]);  /* 15-18: to B */
	udp(BCAST, MAC_A, (uint16_t)(100 + n), 5001, &pkts[n]), n++;     /* 19: flood B, C */
	drops_mark();
	fwd(0, pkts, n);

	static const uint16_t to_b[] = {100, 101, 102, 103, 105, 107, 109, 115, 116, 117, 118, 119};
	assert_int_equal(sent_l4(1, sp, dpt, fl), RTE_DIM(to_b));
	for (unsigned i = 0; i < RTE_DIM(to_b); i++)
		assert_int_equal(sp[i], to_b[i]);
	static const uint16_t to_c[] = {110, 112, 119};
	assert_int_equal(sent_l4(2, sp, dpt, fl), RTE_DIM(to_c));
	for (unsigned i = 0; i < RTE_DIM(to_c); i++)
		assert_int_equal(sp[i], to_c[i]);
	/* Port 0 gets the two RSTs: its own reject (to port 23) and port 2's (to port 25). */
	assert_int_equal(sent_l4(0, sp, dpt, fl), 2);
	assert_int_equal(sp[0], 23);
	assert_int_equal(dpt[0], 106);
	assert_int_equal(sp[1], 25);
	assert_int_equal(dpt[1], 113);
	assert_true(fl[0] & RTE_TCP_RST_FLAG);
	assert_true(fl[1] & RTE_TCP_RST_FLAG);
	drops_expect((const unsigned[]){DP_DROP_ACL_DROP, 3, DP_DROP_ACL_REJECT, 2,
					DP_DROP_FORGED_TRANSMIT, 1, 0});
	assert_int_equal(lc->port[0].rx_dropped - rx0_0, 4);
	assert_int_equal(lc->port[2].tx_dropped - tx0_2, 2);
	assert_int_equal(acl_hits(pol[0].acl, 0, ACL_DIR_FROM_PORT), 13);
	assert_int_equal(acl_hits(pol[0].acl, ACL_RULE_DEFAULT, ACL_DIR_FROM_PORT), 2);
	assert_int_equal(acl_hits(pol[1].acl, 0, ACL_DIR_TO_PORT), 3);

	/* From port 1, which has no policy, into port 0's to-port rules and port 2's. */
	n = 0;
	udp(MAC_A, MAC_B, 5001, 1, &pkts[n]), n++;    /* to A: allowed (source port 5001) */
	udp(MAC_A, MAC_B, 7, 2, &pkts[n]), n++;       /* to A: acl-drop at egress */
	udp(MAC_A, MAC_B, 5001, 3, &pkts[n]), n++;    /* to A */
	udp(MAC_C, MAC_B, 8, 5001, &pkts[n]), n++;    /* to C: allowed */
	udp(MAC_C, MAC_B, 9, 5002, &pkts[n]), n++;    /* to C: acl-drop */
	drops_mark();
	fwd(1, pkts, n);
	assert_int_equal(sent_l4(0, sp, dpt, fl), 2);
	assert_int_equal(dpt[0], 1);
	assert_int_equal(dpt[1], 3);
	assert_int_equal(sent_l4(2, sp, dpt, fl), 1);
	assert_int_equal(sp[0], 8);
	drops_expect((const unsigned[]){DP_DROP_ACL_DROP, 2, 0});
	assert_int_equal(lc->port[0].tx_dropped - tx0_0, 1);
	assert_int_equal(lc->port[2].tx_dropped - tx0_2, 3);
	policy_off(pol, 2);
}

/* Connection tracking inside one burst: the first frame of a connection and its reply (and,
 * for TCP, the handshake's third frame) in the same burst, at ingress (port 0's from-port
 * stateful rules) and at egress (port 2's to-port stateful rule).  The replies match no allow
 * rule: only the connection opened a few frames earlier lets them through, as it would had the
 * frames come one by one.  The ACL counts only the frames it decided. */
static void
test_policy_burst_conntrack_first_and_reply(void **state)
{
	(void)state;
	struct dp_port_policy pol[2] = {0};
	struct conntrack_conf cc;
	struct dvs_err e = {0};
	struct rte_mbuf *pkts[32];
	uint16_t sp[64], dpt[64], n = 0;
	uint8_t fl[64];
	const uint8_t SYN = RTE_TCP_SYN_FLAG, ACK = RTE_TCP_ACK_FLAG;

	learn_abc();
	conntrack_conf_defaults(&cc);
	pol[0].acl = acl_json("{\"default_action\":\"drop\",\"rules\":["
		"{\"direction\":\"from-port\",\"action\":\"allow\",\"stateful\":true,\"protocol\":\"udp\",\"dst_port\":53},"
		"{\"direction\":\"from-port\",\"action\":\"allow\",\"stateful\":true,\"protocol\":\"tcp\",\"dst_port\":80},"
		"{\"direction\":\"from-port\",\"action\":\"allow\",\"protocol\":\"udp\",\"dst_port\":123},"
		"{\"direction\":\"from-port\",\"action\":\"allow\",\"protocol\":\"udp\",\"src_port\":123}]}");
	pol[0].ct = conntrack_create(&cc, dp.tsc_hz, &e);
	pol[1].acl = acl_json("{\"default_action\":\"drop\",\"rules\":["
		"{\"direction\":\"to-port\",\"action\":\"allow\",\"stateful\":true,\"protocol\":\"udp\",\"dst_port\":123}]}");
	pol[1].ct = conntrack_create(&cc, dp.tsc_hz, &e);
	assert_non_null(pol[0].ct);
	assert_non_null(pol[1].ct);
	tables.ports[0].pol = &pol[0];
	tables.ports[2].pol = &pol[1];
	dp_pol_tables_flags(&tables);

	/* All from A on port 0; 10.0.0.1 and 10.0.0.2 are both reached through B's MAC (a router
	 * behind port 1), 10.0.0.3 is C. */
	pkts[n++] = ip_frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 5353, 53, 0);
	pkts[n++] = ip_frame(MAC_C, MAC_A, "10.0.0.1", "10.0.0.3", IPPROTO_UDP, 1230, 123, 0);
	pkts[n++] = ip_frame(MAC_B, MAC_A, "10.0.0.2", "10.0.0.1", IPPROTO_UDP, 53, 5353, 0);
	pkts[n++] = ip_frame(MAC_C, MAC_A, "10.0.0.3", "10.0.0.1", IPPROTO_UDP, 123, 1230, 0);
	pkts[n++] = ip_frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 5354, 54, 0);
	pkts[n++] = ip_frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 80, SYN);
	pkts[n++] = ip_frame(MAC_B, MAC_A, "10.0.0.2", "10.0.0.1", IPPROTO_TCP, 80, 40000, SYN | ACK);
	pkts[n++] = ip_frame(MAC_B, MAC_A, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 80, ACK);
	/* A reply to nothing: dropped by the ACL. */
	pkts[n++] = ip_frame(MAC_B, MAC_A, "10.0.0.2", "10.0.0.1", IPPROTO_TCP, 81, 40001, SYN | ACK);
	drops_mark();
	fwd(0, pkts, n);

	static const uint16_t b_sp[] = {5353, 53, 40000, 80, 40000};
	assert_int_equal(sent_l4(1, sp, dpt, fl), RTE_DIM(b_sp));
	for (unsigned i = 0; i < RTE_DIM(b_sp); i++)
		assert_int_equal(sp[i], b_sp[i]);
	assert_int_equal(fl[4], ACK);
	assert_int_equal(sent_l4(2, sp, dpt, fl), 2);
	assert_int_equal(sp[0], 1230);
	assert_int_equal(sp[1], 123);
	drops_expect((const unsigned[]){DP_DROP_ACL_DROP, 2, 0});

	/* The connections' states are those of the frames run one at a time. */
	struct pkt p;
	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 80, ACK, 1, 0, 0);
	assert_int_equal(conntrack_peek(pol[0].ct, &p.m, p.frame, lc->now), CT_TCP_ESTABLISHED);
	pkt_v4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 5353, 53, 0, 0, 0, 0);
	assert_int_equal(conntrack_peek(pol[0].ct, &p.m, p.frame, lc->now), CT_UDP_STREAM);
	pkt_v4(&p, "10.0.0.1", "10.0.0.3", IPPROTO_UDP, 1230, 123, 0, 0, 0, 0);
	assert_int_equal(conntrack_peek(pol[1].ct, &p.m, p.frame, lc->now), CT_UDP_STREAM);
	/* The ACL saw the two opening frames and the two it dropped; not the replies, nor the
	 * handshake's ACK (conntrack passed them).  The NTP frames passed port 0's stateless rules. */
	assert_int_equal(acl_hits(pol[0].acl, 0, ACL_DIR_FROM_PORT), 1);
	assert_int_equal(acl_hits(pol[0].acl, 1, ACL_DIR_FROM_PORT), 1);
	assert_int_equal(acl_hits(pol[0].acl, 2, ACL_DIR_FROM_PORT), 1);
	assert_int_equal(acl_hits(pol[0].acl, 3, ACL_DIR_FROM_PORT), 1);
	assert_int_equal(acl_hits(pol[0].acl, ACL_RULE_DEFAULT, ACL_DIR_FROM_PORT), 2);
	assert_int_equal(acl_hits(pol[1].acl, 0, ACL_DIR_TO_PORT), 1);
	assert_int_equal(acl_hits(pol[1].acl, ACL_RULE_DEFAULT, ACL_DIR_TO_PORT), 0);
	policy_off(pol, 2);
}

/* A destination whose egress policy cannot stop a frame (a from-port-only ACL, default allow:
 * egress_pass) takes the plain path, runs of one flow included, and its ACL still counts every
 * frame on the to-port default.  With a default of drop the same ACL must stop them all. */
static void
test_policy_egress_pass(void **state)
{
	(void)state;
	static const char *rules = "{\"default_action\":\"%s\",\"rules\":["
		"{\"direction\":\"from-port\",\"action\":\"drop\",\"protocol\":\"tcp\",\"dst_port\":22}]}";
	struct dp_port_policy pol[1] = {0};
	struct rte_mbuf *pkts[32];
	uint16_t sp[64], dpt[64], n = 0;
	uint8_t fl[64];
	char json[256];

	learn_abc();
	snprintf(json, sizeof(json), rules, "allow");
	pol[0].acl = acl_json(json);
	dp_pol_finish(&pol[0]);
	assert_true(pol[0].egress_pass);
	tables.ports[1].pol = &pol[0];
	dp_pol_tables_flags(&tables);
	/* No port's egress reads L3/L4: a burst from a port without policy is parsed up to
	 * its Ethernet header only (and still counted on the ACL's to-port default). */
	assert_true(tables.has_policy);
	assert_false(tables.egress_meta);
	for (int i = 0; i < 8; i++, n++)
		udp(MAC_B, MAC_A, (uint16_t)(100 + n), 1, &pkts[n]);
	udp(MAC_C, MAC_A, (uint16_t)(100 + n), 1, &pkts[n]), n++;
	for (int i = 0; i < 4; i++, n++)
		udp(MAC_B, MAC_A, (uint16_t)(100 + n), 1, &pkts[n]);
	udp(BCAST, MAC_A, (uint16_t)(100 + n), 1, &pkts[n]), n++;
	drops_mark();
	fwd(0, pkts, n);
	assert_int_equal(sent_l4(1, sp, dpt, fl), 13);
	for (unsigned i = 0; i < 13; i++)
		assert_int_equal(sp[i], 100 + i + (i >= 8));
	assert_int_equal(sent_l4(2, sp, dpt, fl), 2);
	drops_expect((const unsigned[]){0});
	assert_int_equal(acl_hits(pol[0].acl, ACL_RULE_DEFAULT, ACL_DIR_TO_PORT), 13);
	assert_int_equal(acl_hits(pol[0].acl, ACL_RULE_DEFAULT, ACL_DIR_FROM_PORT), 0);
	acl_destroy(pol[0].acl);

	/* Default drop: no pass, every frame to B dropped at egress and counted. */
	snprintf(json, sizeof(json), rules, "drop");
	pol[0].acl = acl_json(json);
	dp_pol_finish(&pol[0]);
	assert_false(pol[0].egress_pass);
	dp_pol_tables_flags(&tables);
	assert_true(tables.egress_meta);
	n = 0;
	for (int i = 0; i < 8; i++, n++)
		udp(MAC_B, MAC_A, (uint16_t)(100 + n), 1, &pkts[n]);
	drops_mark();
	fwd(0, pkts, n);
	assert_int_equal(sent_l4(1, sp, dpt, fl), 0);
	drops_expect((const unsigned[]){DP_DROP_ACL_DROP, 8, 0});
	assert_int_equal(acl_hits(pol[0].acl, ACL_RULE_DEFAULT, ACL_DIR_TO_PORT), 8);
	/* A MAC-change check can stop a frame too. */
	acl_destroy(pol[0].acl);
	snprintf(json, sizeof(json), rules, "allow");
	pol[0].acl = acl_json(json);
	pol[0].security = pol[0].has_mac = 1;
	dp_pol_finish(&pol[0]);
	assert_false(pol[0].egress_pass);
	policy_off(pol, 1);
}

/* A run of one flow into a tunnel (port 0 in an overlay segment, B learned behind tunnel 0
 * whose uplink is port 1): every frame is encapsulated with the segment's VNI and leaves in
 * burst order, a broadcast in the middle included (it ends the run); a frame too big for the
 * tunnel inside the run is dropped and counted on the tunnel, the rest of the run goes on. */
static void
test_run_into_tunnel(void **state)
{
	(void)state;
	const uint16_t seg = DP_SEG_OVERLAY, tun = DP_TUNNEL_BASE;
	static struct vxlan_tmpl tmpl;
	struct vxlan_tmpl_params tp = {
		.dst_mac = {{2, 0, 0, 0, 1, 2}}, .src_mac = {{2, 0, 0, 0, 1, 1}},
		.src = {.family = AF_INET, .v4_be = rte_cpu_to_be_32(0x0a000001)},
		.dst = {.family = AF_INET, .v4_be = rte_cpu_to_be_32(0x0a000002)},
		.mtu = 200,
	};
	struct rte_mbuf *pkts[32], *got[64];
	uint16_t n = 0;
	uint64_t mtu0 = lc->drops[DP_DROP_TUNNEL_MTU], tx0 = lc->port[tun].tx_packets;

	assert_int_equal(vxlan_tmpl_build(&tmpl, &tp), 0);
	tables.ports[tun] = (struct dp_port){.enabled = 1, .is_tunnel = 1, .tun_out = 1, .tmpl = &tmpl};
	tables.n_tunnels = 1;
	tables.seg_vni[0] = 5000;
	tables.seg_off[seg] = N_PORTS;
	tables.seg_n[seg] = 2;
	tables.vtep_be = tp.src.v4_be; /* encap frames are parsed whole, for the flow hash */
	tables.ports[0].vlan.tag = seg;
	/* B behind the tunnel: a frame from it floods to port 0. */
	pkts[0] = frame(BCAST, MAC_B, 0);
	lc->now = rte_rdtsc();
	dp_fwd_burst(lc, &tables, tun, pkts, 1, dp_now_s(&dp), seg, false);
	dp_tx_flush_all(lc, &tables);
	assert_int_equal(sent_to(0, NULL, NULL), 1);

	/* Whole IPv4/UDP frames (encap parses them whole); source port 100 + position. */
	for (; n < 5; n++)
		udp(MAC_B, MAC_A, (uint16_t)(100 + n), 7, &pkts[n]);
	udp(BCAST, MAC_A, (uint16_t)(100 + n), 7, &pkts[n]), n++;
	for (; n < 10; n++)
		udp(MAC_B, MAC_A, (uint16_t)(100 + n), 7, &pkts[n]);
	udp(MAC_B, MAC_A, (uint16_t)(100 + n), 7, &pkts[n]); /* 10: too big for the tunnel */
	assert_non_null(rte_pktmbuf_append(pkts[n++], 200));
	for (; n < 20; n++)
		udp(MAC_B, MAC_A, (uint16_t)(100 + n), 7, &pkts[n]);
	fwd(0, pkts, n);

	uint16_t k = rte_eth_rx_burst(1, 0, got, 64);
	assert_int_equal(k, 19);
	for (uint16_t i = 0; i < k; i++) {
		const uint8_t *o = rte_pktmbuf_mtod(got[i], const uint8_t *);
		const uint8_t *in = o + tmpl.size;
		assert_int_equal(rte_pktmbuf_data_len(got[i]), tmpl.size + 60);
		assert_int_equal(o[36] << 8 | o[37], VXLAN_PORT);                /* UDP dst */
		assert_int_equal(o[46] << 16 | o[47] << 8 | o[48], 5000);          /* VNI */
		assert_memory_equal(in, i == 5 ? BCAST : MAC_B, 6);
		assert_int_equal(in[34] << 8 | in[35], 100 + (i < 10 ? i : i + 1)); /* order */
	}
	rte_pktmbuf_free_bulk(got, k);
	assert_int_equal(lc->drops[DP_DROP_TUNNEL_MTU] - mtu0, 1);
	assert_int_equal(lc->port[tun].tx_packets - tx0, 19);
	assert_int_equal(sent_to(0, NULL, NULL), 0);

	tables.ports[0].vlan.tag = VID;
	tables.vtep_be = 0;
	tables.n_tunnels = 0;
	tables.seg_n[seg] = 0;
	tables.ports[tun] = (struct dp_port){0};
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
		cmocka_unit_test(test_run_into_tunnel),
		cmocka_unit_test(test_policy_burst_mixed_fates),
		cmocka_unit_test(test_policy_burst_conntrack_first_and_reply),
		cmocka_unit_test(test_policy_egress_pass),
	};
	return cmocka_run_group_tests(tests, eal_setup, eal_teardown);
}
