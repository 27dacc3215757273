/* SPDX-License-Identifier: Apache-2.0 */
/* The guest of bench/v2v-prod.sh: the V2V loop of TESTING.md ('mac' forwarding between two
 * virtio_user ports, frames seeded once and looping through the switch under test), except
 * that every frame leaves the guest as the next flow of a rotation: its IPv4 source, source
 * port and destination are rewritten from a per-port counter, so the switch sees 2 x --flows
 * distinct UDP 5-tuples cycled round-robin while the MACs stay the two ports' own.
 * testpmd cannot do this (flowgen discards what it receives and uses fixed MACs; txonly's
 * multi-flow varies 64 source ports and only for the seed), hence this small program.
 * It measures like bench/lib/v2v_loop.sh: frames received on both ports per second over a
 * window after a warm-up, printed as one line of key=value pairs, then exits. */

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define BURST 32
#define FRAME_LEN 60 /* 64 bytes on the wire with the FCS, as testpmd's default */
#define DST_PORT 5001

struct port_state {
	struct rte_ether_addr mac;
	uint32_t next_flow; /* flow index of the next frame sent on this port */
	uint64_t rx;        /* frames received */
	uint64_t tx;        /* frames sent */
	uint64_t tx_drop;   /* frames the port's tx ring refused (freed) */
};

static struct port_state ports[2];
static uint32_t n_flows = 8192;
static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* Flow F leaving on port P: 10.(10+P).F>>8.F&255:(10000+F) -> 10.(20+P).0.(1+F%200):5001,
 * UDP.  F < 65536, so the source address alone makes every flow of a port distinct, and the
 * two ports' flows are disjoint. */
static void
stamp(struct rte_mbuf *m, uint16_t p)
{
	struct port_state *ps = &ports[p];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint32_t f = ps->next_flow;

	if (++ps->next_flow == n_flows)
		ps->next_flow = 0;
	eth->src_addr = ps->mac;
	eth->dst_addr = ports[1 - p].mac;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 10 + p, (f >> 8) & 0xff, f & 0xff));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 20 + p, 0, 1 + f % 200));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(10000 + f));
	udp->dst_port = rte_cpu_to_be_16(DST_PORT);
}

static struct rte_mbuf *
frame_new(struct rte_mempool *mp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, FRAME_LEN);
	memset(eth, 0, FRAME_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->dgram_len = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eth) - sizeof(*ip));
	return m;
}

static int
port_setup(uint16_t p, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = {0};
	int rc;

	if ((rc = rte_eth_dev_configure(p, 1, 1, &conf)) < 0 ||
	    (rc = rte_eth_rx_queue_setup(p, 0, 0, rte_eth_dev_socket_id(p), NULL, mp)) < 0 ||
	    (rc = rte_eth_tx_queue_setup(p, 0, 0, rte_eth_dev_socket_id(p), NULL)) < 0 ||
	    (rc = rte_eth_dev_start(p)) < 0 ||
	    (rc = rte_eth_macaddr_get(p, &ports[p].mac)) < 0)
		return rc;
	return 0;
}

static int
links_up(void)
{
	struct rte_eth_link l;

	for (uint16_t p = 0; p < 2; p++)
		if (rte_eth_link_get_nowait(p, &l) < 0 || l.link_status != RTE_ETH_LINK_UP)
			return 0;
	return 1;
}

/* Forwards one burst from port P to the other port; returns the frames received. */
static inline uint16_t
fwd_burst(uint16_t p)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t q = 1 - p, n, sent;

	n = rte_eth_rx_burst(p, 0, pkts, BURST);
	if (!n)
		return 0;
	ports[p].rx += n;
	for (uint16_t i = 0; i < n; i++) {
		if (i + 4 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		stamp(pkts[i], q);
	}
	sent = rte_eth_tx_burst(q, 0, pkts, n);
	ports[q].tx += sent;
	if (sent < n) {
		ports[q].tx_drop += n - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	}
	return n;
}

/* Sends N new frames on port P, in bursts (what the ring refuses is dropped, as testpmd's
 * tx_first does). */
static void
seed_port(struct rte_mempool *mp, uint16_t p, unsigned n_frames)
{
	for (unsigned i = 0; i < n_frames; i += BURST) {
		struct rte_mbuf *pkts[BURST];
		uint16_t n = 0, sent;

		while (n < BURST && i + n < n_frames) {
			if (!(pkts[n] = frame_new(mp)))
				rte_exit(EXIT_FAILURE, "flowloop: out of mbufs while seeding\n");
			stamp(pkts[n], p);
			n++;
		}
		sent = rte_eth_tx_burst(p, 0, pkts, n);
		ports[p].tx += sent;
		if (sent < n) {
			ports[p].tx_drop += n - sent;
			rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		}
	}
}

/* Forwards both ways for MS milliseconds. */
static void
run_for(uint64_t hz, unsigned ms)
{
	uint64_t end = rte_get_tsc_cycles() + hz * ms / 1000;

	while (!quit && rte_get_tsc_cycles() < end) {
		fwd_burst(0);
		fwd_burst(1);
	}
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s EAL_ARGS -- [--flows N] [--seed N] [--warmup S] [--duration S] [--go FILE]\n"
		"  two ports (virtio_user0, virtio_user1); --flows per port (default 8192),\n"
		"  --seed frames put in the loop (default 2048), --warmup 3, --duration 10,\n"
		"  --go: seed once FILE exists (default: once both links are up)\n", prog);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"flows", required_argument, NULL, 'f'}, {"seed", required_argument, NULL, 's'},
		{"warmup", required_argument, NULL, 'w'}, {"duration", required_argument, NULL, 'd'},
		{"go", required_argument, NULL, 'g'},
		{NULL, 0, NULL, 0},
	};
	double warmup = 3, duration = 10;
	unsigned seed = 2048;
	const char *go = NULL;
	struct rte_mempool *mp;
	uint64_t hz, t0, t_start, t_end, rx_start = 0, last_rx = 0, t_last_rx;
	int rc, c, died = 0, reseeds = 0;

	rc = rte_eal_init(argc, argv);
	if (rc < 0)
		rte_exit(EXIT_FAILURE, "flowloop: EAL init failed\n");
	argc -= rc;
	argv += rc;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': n_flows = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'w': warmup = strtod(optarg, NULL); break;
		case 'd': duration = strtod(optarg, NULL); break;
		case 'g': go = optarg; break;
		default: usage(argv[0]);
		}
	}
	if (n_flows < 1 || n_flows > 65536 || seed < 2 || duration <= 0)
		usage(argv[0]);
	if (rte_eth_dev_count_avail() != 2)
		rte_exit(EXIT_FAILURE, "flowloop: needs exactly two ports, got %u\n",
			 rte_eth_dev_count_avail());
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	mp = rte_pktmbuf_pool_create("flowloop", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (!mp)
		rte_exit(EXIT_FAILURE, "flowloop: mbuf pool: %s\n", rte_strerror(rte_errno));
	for (uint16_t p = 0; p < 2; p++)
		if ((rc = port_setup(p, mp)) < 0)
			rte_exit(EXIT_FAILURE, "flowloop: port %u: %s\n", p, rte_strerror(-rc));

	hz = rte_get_tsc_hz();
	t0 = rte_get_tsc_cycles();
	/* The harness configures the switch after it attached: seed only once told to. */
	while (!links_up() || (go && access(go, F_OK) < 0)) {
		if (quit || rte_get_tsc_cycles() - t0 > 120 * hz)
			rte_exit(EXIT_FAILURE, "flowloop: links not up (or no %s) after 120 s\n",
				 go ? go : "go");
		rte_delay_ms(50);
	}

	/* Seed half of the frames on each port.  A switch may drop the first frames of a direction
	 * whose queue it has not enabled yet (the loop would then run one way only): a direction
	 * that delivered nothing after 0.5 s is seeded again, up to 5 times. */
	rte_delay_ms(500);
	seed_port(mp, 0, seed / 2);
	seed_port(mp, 1, seed - seed / 2);
	for (int i = 0; i < 5; i++) {
		run_for(hz, 500);
		if (ports[1].rx && ports[0].rx)
			break;
		if (!ports[1].rx) {
			seed_port(mp, 0, seed / 2);
			reseeds++;
		}
		if (!ports[0].rx) {
			seed_port(mp, 1, seed - seed / 2);
			reseeds++;
		}
	}

	t_start = rte_get_tsc_cycles() + (uint64_t)(warmup * hz);
	t_end = t_start + (uint64_t)(duration * hz);
	t_last_rx = rte_get_tsc_cycles();
	for (unsigned iter = 0; !quit; iter++) {
		fwd_burst(0);
		fwd_burst(1);
		if (iter & 1023)
			continue;
		uint64_t now = rte_get_tsc_cycles(), rx = ports[0].rx + ports[1].rx;
		if (rx != last_rx) {
			last_rx = rx;
			t_last_rx = now;
		} else if (now - t_last_rx > 5 * hz) {
			died = 1; /* the loop died: every seeded frame was lost */
			break;
		}
		if (!rx_start && now >= t_start) {
			rx_start = rx ? rx : 1;
			t_start = now;
		} else if (rx_start && now >= t_end) {
			t_end = now;
			break;
		}
	}

	uint64_t rx_end = ports[0].rx + ports[1].rx;
	double secs = rx_start ? (double)(t_end - t_start) / hz : 0;
	double mpps = !died && secs > 0 && rx_end > rx_start ? (rx_end - rx_start) / secs / 1e6 : 0;
	printf("mpps=%.2f died=%d reseeds=%d flows=%u seed=%u window_s=%.2f rx0=%" PRIu64 " rx1=%" PRIu64
	       " tx0=%" PRIu64 " tx1=%" PRIu64 " tx_drop0=%" PRIu64 " tx_drop1=%" PRIu64 "\n",
	       mpps, died, reseeds, 2 * n_flows, seed, secs, ports[0].rx, ports[1].rx, ports[0].tx, ports[1].tx,
	       ports[0].tx_drop, ports[1].tx_drop);
	fflush(stdout);
	for (uint16_t p = 0; p < 2; p++) {
		rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
	}
	rte_eal_cleanup();
	return 0;
}
