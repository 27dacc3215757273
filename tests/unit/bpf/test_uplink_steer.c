// SPDX-License-Identifier: Apache-2.0
/* Feeds packet fixtures through the uplink XDP program with BPF_PROG_TEST_RUN and checks the
 * verdict and the named counter each one must move (and no other).  Needs root.  Runs in a
 * private network namespace so the AF_XDP socket on its 'lo' and the attach test touch
 * nothing on the machine. */

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "loader.h"
#include "xsk_rx.h"

#define VTEP4 "10.77.0.1"
#define VTEP6 "fd00:77::1"
#define KNOWN_VNI 100
#define TRUNK_VLAN 10

/* ---- packet fixtures ---------------------------------------------------------------- */

/* 'b' starts 2 bytes into an 8-aligned struct, so the IP header after the 14-byte Ethernet
 * header is 4-aligned, as in a NIC buffer (NET_IP_ALIGN). */
struct pkt {
	uint8_t pad[2];
	uint8_t b[256];
	uint32_t len;
} __attribute__((aligned(8)));

struct vx_opts {
	const char *dst;       /* outer IPv4 destination */
	uint16_t dport;
	uint32_t vni;
	uint32_t flags;        /* VXLAN first word, host order */
	uint8_t vni_low;       /* reserved low byte of the VNI word */
	uint16_t vlan;         /* outer 802.1Q tag, 0 = untagged */
	uint8_t ihl;
	int tot_len_delta;     /* added to the correct IPv4 total length */
	int udp_len_delta;
	uint16_t frag_off;     /* host order, e.g. 0x2000 (MF) */
	uint32_t cut;          /* if set, the frame is truncated to this many bytes */
};

static const struct vx_opts vx_default = {
	.dst = VTEP4, .dport = 4789, .vni = KNOWN_VNI, .flags = 0x08000000, .ihl = 5,
};

static uint8_t *put_eth(struct pkt *p, uint16_t vlan, uint16_t ethertype)
{
	static const uint8_t dmac[6] = {0x02, 0, 0, 0, 0, 1}, smac[6] = {0x02, 0, 0, 0, 0, 2};
	uint8_t *q = p->b;

	memcpy(q, dmac, 6);
	memcpy(q + 6, smac, 6);
	q += 12;
	if (vlan) {
		*(uint16_t *)q = htons(ETH_P_8021Q);
		*(uint16_t *)(q + 2) = htons(vlan);
		q += 4;
	}
	*(uint16_t *)q = htons(ethertype);
	return q + 2;
}

/* Outer Ethernet (+tag) / IPv4 / UDP / VXLAN / inner Ethernet + 46 bytes of payload. */
static void build_vxlan4(struct pkt *p, const struct vx_opts *o)
{
	uint8_t *l3 = put_eth(p, o->vlan, ETH_P_IP);
	struct iphdr *ip = (struct iphdr *)l3;
	uint32_t hlen = (o->ihl >= 5 ? o->ihl : 5) * 4;
	struct udphdr *udp = (struct udphdr *)(l3 + hlen);
	uint8_t *vx = (uint8_t *)(udp + 1);
	uint32_t inner = 14 + 46, l4 = 8 + 8 + inner;

	memset(l3, 0, hlen + l4);
	ip->version = 4;
	ip->ihl = o->ihl;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(hlen + l4 + o->tot_len_delta);
	ip->frag_off = htons(o->frag_off);
	inet_pton(AF_INET, "10.77.0.2", &ip->saddr);
	inet_pton(AF_INET, o->dst, &ip->daddr);
	udp->source = htons(49152);
	udp->dest = htons(o->dport);
	udp->len = htons(l4 + o->udp_len_delta);
	*(uint32_t *)vx = htonl(o->flags);
	*(uint32_t *)(vx + 4) = htonl(o->vni << 8 | o->vni_low);
	memset(vx + 8, 0xab, inner);
	p->len = (uint32_t)(vx + 8 + inner - p->b);
	if (o->cut)
		p->len = o->cut;
}

static void build_vxlan6(struct pkt *p, uint32_t vni)
{
	struct ipv6hdr *ip6 = (struct ipv6hdr *)put_eth(p, 0, ETH_P_IPV6);
	struct udphdr *udp = (struct udphdr *)(ip6 + 1);
	uint8_t *vx = (uint8_t *)(udp + 1);
	uint32_t l4 = 8 + 8 + 60;

	memset(ip6, 0, sizeof(*ip6) + l4);
	ip6->version = 6;
	ip6->payload_len = htons(l4);
	ip6->nexthdr = IPPROTO_UDP;
	ip6->hop_limit = 64;
	inet_pton(AF_INET6, "fd00:77::2", &ip6->saddr);
	inet_pton(AF_INET6, VTEP6, &ip6->daddr);
	udp->source = htons(49152);
	udp->dest = htons(4789);
	udp->len = htons(l4);
	*(uint32_t *)vx = htonl(0x08000000);
	*(uint32_t *)(vx + 4) = htonl(vni << 8);
	p->len = (uint32_t)(vx + 8 + 60 - p->b);
}

/* IPv4 to the VTEP address with protocol 'proto' and L4 destination port 'dport'. */
static void build_ip4(struct pkt *p, uint8_t proto, uint16_t dport)
{
	struct iphdr *ip = (struct iphdr *)put_eth(p, 0, ETH_P_IP);
	uint8_t *l4 = (uint8_t *)(ip + 1);

	memset(ip, 0, 20 + 40);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = proto;
	ip->tot_len = htons(20 + 40);
	inet_pton(AF_INET, "10.77.0.2", &ip->saddr);
	inet_pton(AF_INET, VTEP4, &ip->daddr);
	if (proto == IPPROTO_ICMP)
		l4[0] = 8; /* echo request */
	else
		*(uint16_t *)(l4 + 2) = htons(dport);
	p->len = (uint32_t)(l4 + 40 - p->b);
}

static void build_arp(struct pkt *p)
{
	uint8_t *a = put_eth(p, 0, ETH_P_ARP);

	memset(p->b, 0xff, 6);
	memset(a, 0, 28);
	a[1] = 1, a[2] = 0x08, a[4] = 6, a[5] = 4, a[7] = 1; /* Ethernet/IPv4 request */
	inet_pton(AF_INET, VTEP4, a + 24);
	p->len = (uint32_t)(a + 28 - p->b);
}

/* Tagged frame with an arbitrary (non-IP) payload, as a VM on a trunked VLAN sends. */
static void build_tagged(struct pkt *p, uint16_t vlan)
{
	uint8_t *l3 = put_eth(p, vlan, 0x88b5 /* local experimental */);

	memset(l3, 0x5a, 46);
	p->len = (uint32_t)(l3 + 46 - p->b);
}

/* ---- harness -------------------------------------------------------------------------- */

/* One AF_XDP socket for the whole run: a closed XSK keeps its queue busy until the kernel
 * has released every map reference (deferred), so each test cannot make its own. */
static struct xsk_rx *g_xsk;

struct fixture {
	struct dvs_xdp *x;
	struct dvs_xdp_counter before[DVS_XDP_N_REASONS];
};

static struct dvs_xdp *load(bool trunk, bool v6)
{
	struct dvs_xdp_opts o = {.trunk = trunk, .has_vtep6 = v6};
	struct dvs_xdp *x;

	inet_pton(AF_INET, VTEP4, &o.vtep4_be);
	inet_pton(AF_INET6, VTEP6, o.vtep6);
	x = dvs_xdp_create(&o);
	if (!x)
		fprintf(stderr, "dvs_xdp_create: %s\n", strerror(errno));
	return x;
}

static int setup_common(void **state, bool trunk, bool with_xsk)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.x = load(trunk, true);
	if (!f.x)
		return -1;
	if (dvs_xdp_vni_add(f.x, KNOWN_VNI) || dvs_xdp_vlan_set(f.x, TRUNK_VLAN, true))
		return -1;
	if (with_xsk) {
		if (dvs_xdp_xsk_set(f.x, 0, xsk_rx_fd(g_xsk)))
			return -1;
	}
	*state = &f;
	return 0;
}

static int setup_plain(void **state) { return setup_common(state, false, true); }
static int setup_trunk(void **state) { return setup_common(state, true, true); }
static int setup_no_xsk(void **state) { return setup_common(state, false, false); }

static int teardown(void **state)
{
	struct fixture *f = *state;

	dvs_xdp_destroy(f->x);
	return 0;
}

/* Runs 'p' through the program 'repeat' times; returns the verdict. */
static uint32_t run(struct fixture *f, const struct pkt *p, uint32_t repeat)
{
	uint8_t out[512];
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = p->b, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

	assert_return_code(dvs_xdp_counters_read(f->x, f->before), 0);
	assert_int_equal(bpf_prog_test_run_opts(dvs_xdp_prog_fd(f->x), &topts), 0);
	return topts.retval;
}

/* Exactly reason 'r' moved, by 'n' frames of 'size' bytes each; nothing else moved. */
static void assert_counted(struct fixture *f, unsigned int r, uint64_t n, uint32_t size)
{
	struct dvs_xdp_counter now[DVS_XDP_N_REASONS];

	assert_return_code(dvs_xdp_counters_read(f->x, now), 0);
	for (unsigned int i = 0; i < DVS_XDP_N_REASONS; i++) {
		uint64_t dp = now[i].packets - f->before[i].packets;
		uint64_t db = now[i].bytes - f->before[i].bytes;

		if (dp != (i == r ? n : 0))
			fail_msg("counter %s moved by %llu packets, expected %llu",
				 dvs_xdp_reason_name(i), (unsigned long long)dp,
				 (unsigned long long)(i == r ? n : 0));
		assert_int_equal(db, i == r ? n * size : 0);
	}
}

static void expect(struct fixture *f, const struct pkt *p, uint32_t verdict, unsigned int r)
{
	assert_int_equal(run(f, p, 1), verdict);
	assert_counted(f, r, 1, p->len);
}

static void expect_vx(struct fixture *f, struct vx_opts o, uint32_t verdict, unsigned int r)
{
	struct pkt p;

	build_vxlan4(&p, &o);
	expect(f, &p, verdict, r);
}

/* ---- VXLAN ---------------------------------------------------------------------------- */

static void test_uplink_steer_vxlan_known_vni_redirects(void **state)
{
	expect_vx(*state, vx_default, XDP_REDIRECT, DVS_XDP_STEERED_VXLAN);
}

static void test_uplink_steer_counts_every_run_exactly(void **state)
{
	struct fixture *f = *state;
	struct pkt p;

	build_vxlan4(&p, &vx_default);
	assert_int_equal(run(f, &p, 7), XDP_REDIRECT);
	assert_counted(f, DVS_XDP_STEERED_VXLAN, 7, p.len);
}

static void test_uplink_steer_vxlan_unknown_vni_drops(void **state)
{
	struct vx_opts o = vx_default;

	o.vni = KNOWN_VNI + 1;
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_UNKNOWN_VNI);
}

static void test_uplink_steer_vxlan_bad_flags_drop(void **state)
{
	struct vx_opts o = vx_default;

	o.flags = 0;                     /* I flag clear */
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_BAD_FLAGS);
	o.flags = 0x0c000000;            /* a reserved flag bit */
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_BAD_FLAGS);
	o.flags = 0x08000001;            /* reserved bits after the flags byte */
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_BAD_FLAGS);
	o.flags = 0x08030000;            /* DVS's relay bit and another one */
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_BAD_FLAGS);
	o.flags = 0x08010000;            /* DVS's relay bit alone: a frame switchd relays */
	expect_vx(*state, o, XDP_REDIRECT, DVS_XDP_STEERED_VXLAN);
	o = vx_default;
	o.vni_low = 1;                   /* reserved byte after the VNI */
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_BAD_FLAGS);
}

static void test_uplink_steer_vxlan_malformed_drop(void **state)
{
	struct vx_opts o = vx_default;
	struct pkt p;

	o.ihl = 4;                       /* IP header shorter than 20 bytes */
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_MALFORMED);
	o = vx_default;
	o.tot_len_delta = 10;            /* IP says more bytes than the frame holds */
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_MALFORMED);
	o = vx_default;
	o.tot_len_delta = -(8 + 8 + 60) + 4; /* total length ends inside the UDP header */
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_MALFORMED);
	o = vx_default;
	o.udp_len_delta = -(8 + 60) + 4; /* UDP length ends inside the VXLAN header */
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_MALFORMED);
	o = vx_default;
	o.udp_len_delta = 1;             /* UDP longer than the IP payload */
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_MALFORMED);
	o = vx_default;
	o.ihl = 15;                      /* 60-byte header: the UDP header is beyond the frame */
	o.cut = 14 + 60;
	expect_vx(*state, o, XDP_DROP, DVS_XDP_DROP_MALFORMED);
	/* Cut right after the VXLAN header: no inner Ethernet header. */
	build_vxlan4(&p, &vx_default);
	p.len = 14 + 20 + 8 + 8;
	struct iphdr *ip = (struct iphdr *)(p.b + 14);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	ip->tot_len = htons(20 + 8 + 8);
	udp->len = htons(8 + 8);
	expect(*state, &p, XDP_DROP, DVS_XDP_DROP_MALFORMED);
}

static void test_uplink_steer_vxlan_v6_known_and_unknown(void **state)
{
	struct pkt p;

	build_vxlan6(&p, KNOWN_VNI);
	expect(*state, &p, XDP_REDIRECT, DVS_XDP_STEERED_VXLAN);
	build_vxlan6(&p, 7);
	expect(*state, &p, XDP_DROP, DVS_XDP_DROP_UNKNOWN_VNI);
}

static void test_uplink_steer_vxlan_no_xsk_drops(void **state)
{
	expect_vx(*state, vx_default, XDP_DROP, DVS_XDP_DROP_NO_XSK);
}

static void test_uplink_steer_vni_del_stops_steering(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dvs_xdp_vni_del(f->x, KNOWN_VNI), 0);
	expect_vx(f, vx_default, XDP_DROP, DVS_XDP_DROP_UNKNOWN_VNI);
	assert_int_equal(dvs_xdp_vni_del(f->x, KNOWN_VNI), -ENOENT);
	assert_int_equal(dvs_xdp_vni_add(f->x, KNOWN_VNI), 0);
	expect_vx(f, vx_default, XDP_REDIRECT, DVS_XDP_STEERED_VXLAN);
}

/* ---- the host's own traffic ------------------------------------------------------------ */

static void test_uplink_steer_host_traffic_passes(void **state)
{
	struct vx_opts o = vx_default;
	struct pkt p;

	build_arp(&p);
	expect(*state, &p, XDP_PASS, DVS_XDP_PASSED);
	build_ip4(&p, IPPROTO_ICMP, 0);
	expect(*state, &p, XDP_PASS, DVS_XDP_PASSED);
	build_ip4(&p, IPPROTO_TCP, 22);
	expect(*state, &p, XDP_PASS, DVS_XDP_PASSED);
	build_ip4(&p, IPPROTO_UDP, 53);
	expect(*state, &p, XDP_PASS, DVS_XDP_PASSED);
	o.dst = "10.77.0.9";             /* VXLAN for another address: not our VTEP */
	expect_vx(*state, o, XDP_PASS, DVS_XDP_PASSED);
	o = vx_default;
	o.dport = 4790;                  /* VXLAN-GPE port: not ours */
	expect_vx(*state, o, XDP_PASS, DVS_XDP_PASSED);
	o = vx_default;
	o.frag_off = 0x2000;             /* first fragment: only the kernel can reassemble */
	expect_vx(*state, o, XDP_PASS, DVS_XDP_PASSED);
	/* (Runts cannot be fed: BPF_PROG_TEST_RUN wants at least an Ethernet header, and no
	 * driver hands XDP less either.) */
}

/* ---- trunk mode ---------------------------------------------------------------------- */

static void test_uplink_steer_trunk_allowed_vlan_redirects(void **state)
{
	struct pkt p;

	build_tagged(&p, TRUNK_VLAN);
	expect(*state, &p, XDP_REDIRECT, DVS_XDP_STEERED_VLAN);
}

static void test_uplink_steer_trunk_other_vlan_passes(void **state)
{
	struct vx_opts o = vx_default;
	struct pkt p;

	build_tagged(&p, TRUNK_VLAN + 1);
	expect(*state, &p, XDP_PASS, DVS_XDP_PASSED);
	/* An underlay on a VLAN of its own: VXLAN behind a non-trunked tag is still found. */
	o.vlan = TRUNK_VLAN + 1;
	expect_vx(*state, o, XDP_REDIRECT, DVS_XDP_STEERED_VXLAN);
}

static void test_uplink_steer_trunk_vlan_set_clear(void **state)
{
	struct fixture *f = *state;
	struct pkt p;

	build_tagged(&p, 4094);
	expect(f, &p, XDP_PASS, DVS_XDP_PASSED);
	assert_int_equal(dvs_xdp_vlan_set(f->x, 4094, true), 0);
	expect(f, &p, XDP_REDIRECT, DVS_XDP_STEERED_VLAN);
	assert_int_equal(dvs_xdp_vlan_set(f->x, 4094, false), 0);
	expect(f, &p, XDP_PASS, DVS_XDP_PASSED);
	/* Clearing 4094 must not have touched VLAN 10's bit. */
	build_tagged(&p, TRUNK_VLAN);
	expect(f, &p, XDP_REDIRECT, DVS_XDP_STEERED_VLAN);
}

static void test_uplink_steer_not_trunk_tagged_passes(void **state)
{
	struct pkt p;

	build_tagged(&p, TRUNK_VLAN);
	expect(*state, &p, XDP_PASS, DVS_XDP_PASSED);
}

/* ---- loader API ---------------------------------------------------------------------- */

static void test_uplink_steer_loader_rejects_bad_input(void **state)
{
	struct fixture *f = *state;
	struct dvs_xdp_opts none = {0};
	int udp = socket(AF_INET, SOCK_DGRAM, 0);

	assert_int_equal(dvs_xdp_vni_add(f->x, 0x1000000), -EINVAL);
	assert_int_equal(dvs_xdp_vlan_set(f->x, 0, true), -EINVAL);
	assert_int_equal(dvs_xdp_vlan_set(f->x, 4095, true), -EINVAL);
	assert_int_equal(dvs_xdp_xsk_set(f->x, DVS_XDP_MAX_QUEUES, 0), -EINVAL);
	assert_true(udp >= 0);
	assert_true(dvs_xdp_xsk_set(f->x, 1, udp) < 0); /* not an AF_XDP socket */
	close(udp);
	assert_null(dvs_xdp_create(&none));
	assert_int_equal(errno, EINVAL);
	assert_null(dvs_xdp_reason_name(DVS_XDP_N_REASONS));
	assert_string_equal(dvs_xdp_reason_name(DVS_XDP_DROP_UNKNOWN_VNI), "dropped-unknown-vni");
}

/* Attach to lo (generic mode: lo has no native XDP), reopen it the way another process
 * would, and check both handles see the same maps; detach, and it is gone. */
static void test_uplink_steer_attach_and_reopen(void **state)
{
	struct fixture *f = *state;
	int lo = if_nametoindex("lo");
	struct dvs_xdp_counter a[DVS_XDP_N_REASONS], b[DVS_XDP_N_REASONS];
	struct dvs_xdp *other;
	struct pkt p;

	assert_int_equal(dvs_xdp_attach(f->x, lo, XDP_FLAGS_UPDATE_IF_NOEXIST), 0);
	assert_string_equal(dvs_xdp_mode_name(f->x), "skb");
	assert_int_equal(dvs_xdp_attach(f->x, lo, 0), -EALREADY);
	other = dvs_xdp_open_attached(lo);
	assert_non_null(other);
	build_vxlan4(&p, &vx_default);
	assert_int_equal(run(f, &p, 3), XDP_REDIRECT);
	assert_int_equal(dvs_xdp_counters_read(f->x, a), 0);
	assert_int_equal(dvs_xdp_counters_read(other, b), 0);
	assert_memory_equal(a, b, sizeof(a));
	assert_true(a[DVS_XDP_STEERED_VXLAN].packets >= 3);
	/* A VNI added through the reopened handle takes effect in the same program. */
	assert_int_equal(dvs_xdp_vni_add(other, 4242), 0);
	struct vx_opts o = vx_default;
	o.vni = 4242;
	expect_vx(f, o, XDP_REDIRECT, DVS_XDP_STEERED_VXLAN);
	dvs_xdp_destroy(other); /* must not detach */
	other = dvs_xdp_open_attached(lo);
	assert_non_null(other);
	dvs_xdp_destroy(other);
	assert_int_equal(dvs_xdp_detach(f->x), 0);
	assert_null(dvs_xdp_open_attached(lo));
	assert_int_equal(errno, ENOENT);
}

/* The DPDK path: another loader put a DVS program (with its own XSKMAP, already holding the
 * socket) on the interface; a configured instance takes over that map and swaps itself in. */
static void test_uplink_steer_replace_shares_xskmap(void **state)
{
	struct fixture *f = *state; /* 'f->x' plays the program DPDK loaded, with g_xsk in it */
	int lo = if_nametoindex("lo");
	struct dvs_xdp_opts o = {0};
	struct bpf_map_info a = {0}, b = {0};
	uint32_t len = sizeof(a);
	struct dvs_xdp *nx;
	struct pkt p;

	assert_int_equal(dvs_xdp_replace(f->x, lo), -ENOENT); /* nothing attached yet */
	assert_int_equal(dvs_xdp_attach(f->x, lo, 0), 0);
	inet_pton(AF_INET, VTEP4, &o.vtep4_be);
	o.reuse_xsks_map = true;
	o.xsks_map_fd = dvs_xdp_xsks_map_fd(f->x);
	nx = dvs_xdp_create(&o);
	assert_non_null(nx);
	assert_int_equal(dvs_xdp_vni_add(nx, 555), 0);
	assert_int_equal(dvs_xdp_replace(nx, lo), 0);
	assert_string_equal(dvs_xdp_mode_name(nx), "skb");
	/* Same kernel map object behind both handles. */
	assert_int_equal(bpf_obj_get_info_by_fd(dvs_xdp_xsks_map_fd(f->x), &a, &len), 0);
	len = sizeof(b);
	assert_int_equal(bpf_obj_get_info_by_fd(dvs_xdp_xsks_map_fd(nx), &b, &len), 0);
	assert_int_equal(a.id, b.id);
	/* The new program steers with the socket the old one's map held. */
	struct vx_opts vo = vx_default;
	vo.vni = 555;
	build_vxlan4(&p, &vo);
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = p.b, .data_size_in = p.len);
	assert_int_equal(bpf_prog_test_run_opts(dvs_xdp_prog_fd(nx), &topts), 0);
	assert_int_equal(topts.retval, XDP_REDIRECT);
	/* The old handle no longer owns the attachment: its detach must not remove 'nx'. */
	assert_true(dvs_xdp_detach(f->x) < 0); /* kernel: active program does not match */
	struct dvs_xdp *seen = dvs_xdp_open_attached(lo);
	assert_non_null(seen);
	assert_int_equal(dvs_xdp_vni_del(seen, 555), 0); /* the attached one has VNI 555 */
	dvs_xdp_destroy(seen);
	dvs_xdp_destroy(nx);
	assert_null(dvs_xdp_open_attached(lo));
}

int main(void)
{
	int ret;
	const struct CMUnitTest plain[] = {
		cmocka_unit_test_setup_teardown(test_uplink_steer_vxlan_known_vni_redirects, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_counts_every_run_exactly, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_vxlan_unknown_vni_drops, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_vxlan_bad_flags_drop, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_vxlan_malformed_drop, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_vxlan_v6_known_and_unknown, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_vxlan_no_xsk_drops, setup_no_xsk, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_vni_del_stops_steering, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_host_traffic_passes, setup_trunk, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_trunk_allowed_vlan_redirects, setup_trunk, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_trunk_other_vlan_passes, setup_trunk, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_trunk_vlan_set_clear, setup_trunk, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_not_trunk_tagged_passes, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_loader_rejects_bad_input, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_attach_and_reopen, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_steer_replace_shares_xskmap, setup_plain, teardown),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_uplink_steer: needs root (bpf prog load, test run); skipped\n");
		return 77; /* meson's "skipped" */
	}
	/* A namespace of our own: its lo carries the XSK and the attach test, and both vanish
	 * with the process, whatever happens to it. */
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 1;
	}
	/* Bound to queue 0 of this namespace's lo: BPF_PROG_TEST_RUN runs the program as if the
	 * frame came in on exactly that queue. */
	g_xsk = xsk_rx_create(if_nametoindex("lo"), 0, 8, XDP_COPY);
	if (!g_xsk) {
		fprintf(stderr, "xsk_rx_create(lo, 0): %s\n", strerror(errno));
		return 1;
	}
	ret = cmocka_run_group_tests(plain, NULL, NULL);
	xsk_rx_destroy(g_xsk);
	return ret;
}
