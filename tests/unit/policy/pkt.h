/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Test helpers for the policy units: build real Ethernet frames (IPv4/IPv6, TCP/UDP/ICMP) with
 * correct checksums, and the dp_meta that datapath/dp/parse.c gives for them, filled by hand
 * so the policy tests do not depend on the parser.  Also an EAL start for tests that need one. */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "datapath/dp/parse.h"

struct pkt {
	uint8_t frame[1600];
	uint32_t len;
	struct dp_meta m;
};

/* --in-memory refuses --no-huge (it implies legacy memory), so: --no-huge with --no-shconf and a
 * per-process prefix, which leaves no shared files and cannot collide with another process. */
static inline int
pkt_eal_init(void)
{
	char prefix[64];
	char *argv[] = {"test", "-l", "0", "--no-pci", "--no-huge", "-m", "256", "--no-shconf",
			prefix, "--log-level=error", "--no-telemetry", NULL};

	snprintf(prefix, sizeof(prefix), "--file-prefix=po-unit-%d", (int)getpid());
	return rte_eal_init(11, argv);
}

/* rte_eal_cleanup() leaves the (empty) runtime directory behind: remove it too. */
static inline void
pkt_eal_cleanup(void)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}

/* The two above as a cmocka group's setup and teardown, for tests that need an EAL:
 * cmocka_run_group_tests(tests, pkt_eal_group_setup, pkt_eal_group_teardown). */
static inline int
pkt_eal_group_setup(void **state)
{
	(void)state;
	if (pkt_eal_init() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return -1;
	}
	return 0;
}

static inline int
pkt_eal_group_teardown(void **state)
{
	(void)state;
	pkt_eal_cleanup();
	return 0;
}

static inline uint32_t
pkt_ip4(const char *s)
{
	uint32_t be = 0;

	inet_pton(AF_INET, s, &be);
	return be;
}

static inline void
pkt_ip6(const char *s, uint8_t a[16])
{
	inet_pton(AF_INET6, s, a);
}

static const struct rte_ether_addr pkt_mac_a = {{0x52, 0x54, 0x00, 0x00, 0x00, 0x01}};
static const struct rte_ether_addr pkt_mac_b = {{0x52, 0x54, 0x00, 0x00, 0x00, 0x02}};

static inline uint8_t *
pkt_eth(struct pkt *p, uint16_t ethertype)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)p->frame;

	memset(p, 0, sizeof(*p));
	e->src_addr = pkt_mac_a;
	e->dst_addr = pkt_mac_b;
	e->ether_type = htons(ethertype);
	p->m.ethertype = ethertype;
	p->m.l2_len = sizeof(*e);
	return p->frame + sizeof(*e);
}

/* L4 header (TCP flags, UDP, ICMP echo) plus 'payload' zero bytes, after the IP header. */
static inline uint32_t
pkt_l4(struct pkt *p, uint8_t *l4, uint8_t proto, uint16_t sport, uint16_t dport, uint8_t flags,
       uint32_t seq, uint32_t ack, uint16_t payload)
{
	p->m.ip_proto = proto;
	p->m.sport = sport;
	p->m.dport = dport;
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4;

		t->src_port = htons(sport);
		t->dst_port = htons(dport);
		t->sent_seq = htonl(seq);
		t->recv_ack = htonl(ack);
		t->data_off = 5 << 4;
		t->tcp_flags = flags;
		t->rx_win = htons(65535);
		p->m.tcp_flags = flags;
		return sizeof(*t) + payload;
	}
	if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

		u->src_port = htons(sport);
		u->dst_port = htons(dport);
		u->dgram_len = htons(sizeof(*u) + payload);
		return sizeof(*u) + payload;
	}
	/* ICMP / ICMPv6: sport = type, dport = code, 'seq' = echo identifier */
	l4[0] = (uint8_t)sport;
	l4[1] = (uint8_t)dport;
	l4[4] = (uint8_t)(seq >> 8);
	l4[5] = (uint8_t)seq;
	return 8 + payload;
}

static inline void
pkt_v4(struct pkt *p, const char *src, const char *dst, uint8_t proto, uint16_t sport,
       uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t payload)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt_eth(p, RTE_ETHER_TYPE_IPV4);
	uint8_t *l4 = (uint8_t *)(ip + 1);
	uint32_t l4len;

	ip->version_ihl = 0x45;
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = pkt_ip4(src);
	ip->dst_addr = pkt_ip4(dst);
	l4len = pkt_l4(p, l4, proto, sport, dport, flags, seq, ack, payload);
	ip->total_length = htons(sizeof(*ip) + l4len);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (proto == IPPROTO_TCP)
		((struct rte_tcp_hdr *)l4)->cksum = rte_ipv4_udptcp_cksum(ip, l4);
	else if (proto == IPPROTO_UDP)
		((struct rte_udp_hdr *)l4)->dgram_cksum = rte_ipv4_udptcp_cksum(ip, l4);
	else if (proto == IPPROTO_ICMP)
		((struct rte_icmp_hdr *)l4)->icmp_cksum = (uint16_t)~rte_raw_cksum(l4, l4len);
	p->len = sizeof(struct rte_ether_hdr) + sizeof(*ip) + l4len;
	p->m.l3 = DP_L3_IPV4;
	p->m.l3_len = sizeof(*ip);
	p->m.ip.v4.src_be = ip->src_addr;
	p->m.ip.v4.dst_be = ip->dst_addr;
}

static inline void
pkt_v6(struct pkt *p, const char *src, const char *dst, uint8_t proto, uint16_t sport,
       uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t payload)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)pkt_eth(p, RTE_ETHER_TYPE_IPV6);
	uint8_t *l4 = (uint8_t *)(ip + 1);
	uint32_t l4len;

	ip->vtc_flow = htonl(6u << 28);
	ip->hop_limits = 64;
	ip->proto = proto;
	pkt_ip6(src, ip->src_addr);
	pkt_ip6(dst, ip->dst_addr);
	l4len = pkt_l4(p, l4, proto, sport, dport, flags, seq, ack, payload);
	ip->payload_len = htons(l4len);
	/* rte_ipv6_udptcp_cksum() works for any L4 protocol: the pseudo header takes ip->proto. */
	if (proto == IPPROTO_TCP)
		((struct rte_tcp_hdr *)l4)->cksum = rte_ipv6_udptcp_cksum(ip, l4);
	else if (proto == IPPROTO_UDP)
		((struct rte_udp_hdr *)l4)->dgram_cksum = rte_ipv6_udptcp_cksum(ip, l4);
	else if (proto == IPPROTO_ICMPV6)
		((struct rte_icmp_hdr *)l4)->icmp_cksum = rte_ipv6_udptcp_cksum(ip, l4);
	p->len = sizeof(struct rte_ether_hdr) + sizeof(*ip) + l4len;
	p->m.l3 = DP_L3_IPV6;
	p->m.l3_len = sizeof(*ip);
	memcpy(p->m.ip.v6.src, ip->src_addr, 16);
	memcpy(p->m.ip.v6.dst, ip->dst_addr, 16);
}

static inline void
pkt_l2(struct pkt *p, uint16_t ethertype)
{
	pkt_eth(p, ethertype);
	p->len = 60;
	p->m.l3 = ethertype == RTE_ETHER_TYPE_ARP ? DP_L3_ARP : DP_L3_OTHER;
}
