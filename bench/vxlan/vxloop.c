/* SPDX-License-Identifier: Apache-2.0 */
/* The guest and the underlay of bench/vxlan/run.sh --underlay memif, in one process on one
 * core, so that the switch under test is the only other busy poller on the 2-core machine:
 *   - the guest: two virtio_user ports (vhost-user servers) in testpmd's 'mac' forwarding (a
 *     frame received on one port leaves the other with src = that port's MAC, dst = the first
 *     port's MAC), seeded once and looping through the switch, like the V2V reference loop;
 *   - the hairpin: a net_memif server port (the switch's uplink is the client) on which every
 *     VXLAN packet is sent back as a remote VTEP that switched it into the other segment
 *     would: outer MACs and IPv4 addresses swapped (the IPv4 checksum does not change), VNI
 *     A <-> B.  The UDP checksum must be 0 (both switches send 0 over IPv4; a VNI change
 *     would void another value); such packets, unknown VNIs and non-VXLAN frames are dropped
 *     and counted, as bench/vxlan/hairpin.bpf.c does on the kernel underlay.
 * Order matters: a net_memif server refuses a client until the port is started, and a memif
 * client does not retry.  A virtio_user server, on the other hand, blocks its probe until the
 * switch connects.  So the memif (the only --vdev of the EAL arguments) is started first, and
 * the guest ports (--guest DEVARGS, twice) are hot-plugged after it, while the switch, which
 * creates its uplink before its VM ports, connects to both.
 * The counters are written to --stats FILE about every 100 ms (one line, key=value, with the
 * wall-clock time they were read at), so the harness reads them at any moment. */

#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <time.h>
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
#define VXLAN_PORT 4789
#define MEMIF_QUEUES_MAX 8

enum hp_count { HP_REFLECTED, HP_NOT_VXLAN, HP_BAD_VNI_OR_CSUM, HP_TX_DROP, HP_N };

struct guest_port {
	uint16_t id;
	struct rte_ether_addr mac;
	uint64_t rx, tx, tx_drop;
};

static struct guest_port guest[2];
static uint16_t memif_port = UINT16_MAX;
static uint64_t hp[HP_N], hp_rx;
static uint32_t vni_a = 100, vni_b = 200;
/* A memif server needs a queue for each ring the client sends on, and must not poll more (a
 * queue without a ring reads ring 0 again): --memif-queues is the number of tx queues of the
 * switch's uplink (OVS-DPDK: one per PMD thread plus one for its main thread; dvs-switchd: one
 * per poll lcore).  Reflected packets go back on queue 0. */
static uint16_t memif_queues = 1;
static unsigned to_seed[2];  /* frames still to put into the loop, per guest port */
static bool wait_memif = true; /* seed only once the switch's uplink is connected */
static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* --- the guest -------------------------------------------------------------------------- */

static struct rte_mbuf *
frame_new(struct rte_mempool *mp, unsigned p)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, FRAME_LEN);
	memset(eth, 0, FRAME_LEN);
	eth->src_addr = guest[p].mac;
	eth->dst_addr = guest[1 - p].mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	/* testpmd's txonly addresses and ports */
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(9);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eth) - sizeof(*ip));
	return m;
}

/* Sends 'pkts' on guest port 'p'; what its ring refuses is freed and counted. */
static void
guest_tx(unsigned p, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(guest[p].id, 0, pkts, n);

	guest[p].tx += sent;
	if (sent < n) {
		guest[p].tx_drop += n - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	}
}

/* testpmd 'mac' forwarding of one burst from guest port 'p' to the other. */
static inline void
guest_fwd(unsigned p)
{
	struct rte_mbuf *pkts[BURST];
	unsigned q = 1 - p;
	uint16_t n = rte_eth_rx_burst(guest[p].id, 0, pkts, BURST);

	if (!n)
		return;
	guest[p].rx += n;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		eth->src_addr = guest[q].mac;
		eth->dst_addr = guest[p].mac;
	}
	guest_tx(q, pkts, n);
}

/* Puts up to a burst of the frames still to seed on guest port 'p' into its ring; what the
 * ring refuses is tried again on the next call, so exactly the asked number enters the loop. */
static void
guest_seed(struct rte_mempool *mp, unsigned p)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = 0, sent;

	while (n < BURST && n < to_seed[p])
		if (!(pkts[n++] = frame_new(mp, p)))
			rte_exit(EXIT_FAILURE, "vxloop: out of mbufs while seeding\n");
	sent = rte_eth_tx_burst(guest[p].id, 0, pkts, n);
	guest[p].tx += sent;
	to_seed[p] -= sent;
	if (sent < n)
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
}

/* --- the hairpin ------------------------------------------------------------------------ */

static inline enum hp_count
reflect(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *vx = (uint8_t *)(udp + 1);
	struct rte_ether_addr mac;
	uint32_t vni, addr;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + 8 ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != 0x45 ||
	    ip->next_proto_id != IPPROTO_UDP || udp->dst_port != rte_cpu_to_be_16(VXLAN_PORT))
		return HP_NOT_VXLAN;
	if (udp->dgram_cksum)
		return HP_BAD_VNI_OR_CSUM;
	vni = ((uint32_t)vx[4] << 16) | ((uint32_t)vx[5] << 8) | vx[6];
	if (vni == vni_a)
		vni = vni_b;
	else if (vni == vni_b)
		vni = vni_a;
	else
		return HP_BAD_VNI_OR_CSUM;
	vx[4] = (uint8_t)(vni >> 16);
	vx[5] = (uint8_t)(vni >> 8);
	vx[6] = (uint8_t)vni;
	mac = eth->dst_addr;
	eth->dst_addr = eth->src_addr;
	eth->src_addr = mac;
	addr = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	return HP_REFLECTED;
}

static inline void
hairpin(uint16_t rxq)
{
	struct rte_mbuf *pkts[BURST], *drop[BURST];
	uint16_t n = rte_eth_rx_burst(memif_port, rxq, pkts, BURST), keep = 0, n_drop = 0, sent;

	if (!n)
		return;
	hp_rx += n;
	for (uint16_t i = 0; i < n; i++) {
		enum hp_count r = reflect(pkts[i]);
		hp[r]++;
		if (r == HP_REFLECTED)
			pkts[keep++] = pkts[i];
		else
			drop[n_drop++] = pkts[i];
	}
	if (n_drop)
		rte_pktmbuf_free_bulk(drop, n_drop);
	sent = rte_eth_tx_burst(memif_port, 0, pkts, keep);
	if (sent < keep) {
		hp[HP_TX_DROP] += keep - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], keep - sent);
	}
}

/* --- set-up and the loop ---------------------------------------------------------------- */

static char
link_char(uint16_t p)
{
	struct rte_eth_link l;

	return rte_eth_link_get_nowait(p, &l) == 0 && l.link_status == RTE_ETH_LINK_UP ? 'U' : 'D';
}

static void
stats_write(const char *path)
{
	char tmp[4096];
	struct timespec ts;
	FILE *f;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w")))
		return;
	fprintf(f, "time=%ld.%06ld rx=%" PRIu64 " tx=%" PRIu64 " rx0=%" PRIu64 " rx1=%" PRIu64
		" tx_drop=%" PRIu64 " hp_rx=%" PRIu64 " reflected=%" PRIu64 " not_vxlan=%" PRIu64
		" bad_vni_or_csum=%" PRIu64 " hp_tx_drop=%" PRIu64 " links=%c%c%c\n",
		(long)ts.tv_sec, ts.tv_nsec / 1000, guest[0].rx + guest[1].rx, guest[0].tx + guest[1].tx,
		guest[0].rx, guest[1].rx, guest[0].tx_drop + guest[1].tx_drop, hp_rx,
		hp[HP_REFLECTED], hp[HP_NOT_VXLAN], hp[HP_BAD_VNI_OR_CSUM], hp[HP_TX_DROP],
		link_char(guest[0].id), link_char(guest[1].id), link_char(memif_port));
	fclose(f);
	rename(tmp, path);
}

static int
port_setup(uint16_t p, uint16_t n_queues, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = {0};
	int rc;

	if ((rc = rte_eth_dev_configure(p, n_queues, n_queues, &conf)) < 0)
		return rc;
	for (uint16_t q = 0; q < n_queues; q++)
		if ((rc = rte_eth_rx_queue_setup(p, q, 0, rte_eth_dev_socket_id(p), NULL, mp)) < 0 ||
		    (rc = rte_eth_tx_queue_setup(p, q, 0, rte_eth_dev_socket_id(p), NULL)) < 0)
			return rc;
	return rte_eth_dev_start(p);
}

static bool
links_up(void)
{
	struct rte_eth_link l;
	uint16_t ids[3] = {guest[0].id, guest[1].id, memif_port};

	for (unsigned i = 0; i < (wait_memif ? 3u : 2u); i++)
		if (rte_eth_link_get_nowait(ids[i], &l) < 0 || l.link_status != RTE_ETH_LINK_UP)
			return false;
	return true;
}

/* The memif: the one port of the EAL arguments. */
static void
memif_find(void)
{
	uint16_t p;

	RTE_ETH_FOREACH_DEV(p) {
		char name[RTE_ETH_NAME_MAX_LEN];
		rte_eth_dev_get_name_by_port(p, name);
		if (strncmp(name, "net_memif", 9) || memif_port != UINT16_MAX)
			rte_exit(EXIT_FAILURE, "vxloop: the EAL arguments name one port, a net_memif (not %s)\n", name);
		memif_port = p;
	}
	if (memif_port == UINT16_MAX)
		rte_exit(EXIT_FAILURE, "vxloop: needs --vdev net_memif...,role=server\n");
}

/* Creates guest port 'i' from "NAME,ARGS" (blocks until the switch connects to a server). */
static void
guest_plug(unsigned i, const char *devargs, struct rte_mempool *mp)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	size_t n = strcspn(devargs, ",");
	int rc;

	if (n >= sizeof(name))
		rte_exit(EXIT_FAILURE, "vxloop: --guest %s: name too long\n", devargs);
	memcpy(name, devargs, n);
	name[n] = '\0';
	if ((rc = rte_eal_hotplug_add("vdev", name, devargs[n] ? devargs + n + 1 : "")) < 0 ||
	    (rc = rte_eth_dev_get_port_by_name(name, &guest[i].id)) < 0 ||
	    (rc = port_setup(guest[i].id, 1, mp)) < 0 ||
	    (rc = rte_eth_macaddr_get(guest[i].id, &guest[i].mac)) < 0)
		rte_exit(EXIT_FAILURE, "vxloop: guest port %s: %s\n", devargs, rte_strerror(-rc));
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s EAL_ARGS -- --guest DEVARGS --guest DEVARGS --stats FILE [--go FILE] [--seed N]\n"
		"          [--vni A,B] [--no-memif-wait] [--memif-queues N]\n"
		"  EAL_ARGS: --vdev net_memif0,role=server,...; --guest: net_virtio_user0,path=...,server=1\n"
		"  --seed: frames put in the loop once FILE (--go) exists and every link is up\n"
		"  (default 4096, half on each guest port, as many as testpmd's 'start tx_first 64'\n"
		"  sends, but paced: every one enters the loop);\n"
		"  --vni: the two VNIs the hairpin maps to each other (default 100,200);\n"
		"  --no-memif-wait: seed without the memif link (a switch without an uplink);\n"
		"  --memif-queues: the tx queues of the switch's memif (default 1, at most 8)\n", prog);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"stats", required_argument, NULL, 's'}, {"go", required_argument, NULL, 'g'},
		{"seed", required_argument, NULL, 'n'}, {"vni", required_argument, NULL, 'v'},
		{"no-memif-wait", no_argument, NULL, 'm'}, {"guest", required_argument, NULL, 'G'},
		{"memif-queues", required_argument, NULL, 'q'},
		{NULL, 0, NULL, 0},
	};
	const char *stats = NULL, *go = NULL, *guests[2];
	unsigned n_guests = 0;
	unsigned seed = 4096;
	struct rte_mempool *mp;
	uint64_t hz, t0, next_stats;
	int rc, c;

	if ((rc = rte_eal_init(argc, argv)) < 0)
		rte_exit(EXIT_FAILURE, "vxloop: EAL init failed\n");
	argc -= rc;
	argv += rc;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': stats = optarg; break;
		case 'g': go = optarg; break;
		case 'm': wait_memif = false; break;
		case 'q':
			memif_queues = (uint16_t)strtoul(optarg, NULL, 0);
			if (memif_queues < 1 || memif_queues > MEMIF_QUEUES_MAX)
				usage(argv[0]);
			break;
		case 'G':
			if (n_guests == 2)
				usage(argv[0]);
			guests[n_guests++] = optarg;
			break;
		case 'n': seed = strtoul(optarg, NULL, 0); break;
		case 'v':
			if (sscanf(optarg, "%u,%u", &vni_a, &vni_b) != 2)
				usage(argv[0]);
			break;
		default: usage(argv[0]);
		}
	}
	if (!stats || seed < 2 || n_guests != 2)
		usage(argv[0]);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	memif_find();
	mp = rte_pktmbuf_pool_create("vxloop", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (!mp)
		rte_exit(EXIT_FAILURE, "vxloop: mbuf pool: %s\n", rte_strerror(rte_errno));
	if ((rc = port_setup(memif_port, memif_queues, mp)) < 0)
		rte_exit(EXIT_FAILURE, "vxloop: memif port: %s\n", rte_strerror(-rc));
	printf("vxloop: memif started\n");
	fflush(stdout);
	for (unsigned i = 0; i < 2; i++)
		guest_plug(i, guests[i], mp);

	hz = rte_get_tsc_hz();
	t0 = rte_get_tsc_cycles();
	next_stats = t0;
	/* Until told to seed, reflect and forward whatever comes (nothing should), and keep the
	 * counters visible. */
	bool seeded = false;
	int reseeds = 0;
	uint64_t check_at = 0;
	for (unsigned iter = 0; !quit; iter++) {
		guest_fwd(0);
		guest_fwd(1);
		for (uint16_t q = 0; q < memif_queues; q++)
			hairpin(q);
		for (unsigned p = 0; p < 2; p++)
			if (to_seed[p])
				guest_seed(mp, p);
		if (iter & 255)
			continue;
		uint64_t now = rte_get_tsc_cycles();
		if (now >= next_stats) {
			stats_write(stats);
			next_stats = now + hz / 10;
		}
		if (!seeded && links_up() && (!go || access(go, F_OK) == 0)) {
			to_seed[0] = seed / 2;
			to_seed[1] = seed - seed / 2;
			seeded = true;
			check_at = now + hz / 2;
			printf("vxloop: seeded %u frames\n", seed);
			fflush(stdout);
		}
		/* A switch may drop the first frames of a direction (a flow set up on a miss, a
		 * queue not yet enabled): a direction that delivered nothing after 0.5 s is seeded
		 * again, up to 5 times, as bench/prod/flowloop.c does. */
		if (seeded && check_at && now >= check_at) {
			for (unsigned p = 0; p < 2; p++)
				if (!guest[1 - p].rx && reseeds < 5) {
					to_seed[p] += seed / 2;
					reseeds++;
					printf("vxloop: direction %u delivered nothing: seeded again\n", p);
					fflush(stdout);
				}
			check_at = guest[0].rx && guest[1].rx ? 0 : now + hz / 2;
		}
	}
	stats_write(stats);
	rte_eth_dev_stop(memif_port);
	rte_eth_dev_close(memif_port);
	for (unsigned i = 0; i < 2; i++) {
		rte_eth_dev_stop(guest[i].id);
		rte_eth_dev_close(guest[i].id);
	}
	rte_eal_cleanup();
	return 0;
}
