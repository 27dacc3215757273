// SPDX-License-Identifier: Apache-2.0
/* XDP program on the uplink NIC: steers the switch's own traffic (VXLAN to the local VTEP
 * address with an allowed VNI; in trunk mode, frames tagged with an allowed VLAN) into the
 * AF_XDP socket of the rx queue, drops malformed or unknown-VNI tunnel traffic, and passes
 * everything else (ARP, SSH, the host's own IP traffic) to the kernel.  Loaded by loader.c. */

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "dvs_bpf_shared.h"

/* Set by the loader before load; the verifier treats them as constants. */
const volatile struct dvs_xdp_config dvs_xdp_cfg = {
	.vxlan_port = DVS_XDP_VXLAN_PORT,
};

/* Named "xsks_map" rather than dvs_xdp_*: that is the name DPDK's net_af_xdp PMD and libxdp
 * look up in a custom program (see docs/ebpf.md). */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, DVS_XDP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DVS_XDP_MAX_VNIS);
	__type(key, __u32);
	__type(value, struct dvs_xdp_vni_info);
} dvs_xdp_vnis SEC(".maps");

/* Bit (vid % 64) of word (vid / 64) set = VLAN vid is trunked to the switch. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DVS_XDP_VLAN_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} dvs_xdp_vlans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DVS_XDP_N_REASONS);
	__type(key, __u32);
	__type(value, struct dvs_xdp_counter);
} dvs_xdp_stats SEC(".maps");

struct dvs_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct dvs_vxlan_hdr {
	__be32 flags;   /* 0x08000000: only the I flag; all other bits reserved */
	__be32 vni;     /* VNI in the upper 24 bits; the low byte is reserved */
};

#define DVS_VXLAN_FLAGS_I 0x08000000
#define DVS_VXLAN_FLAG_RELAY 0x00010000
/* Smallest UDP payload we steer: the VXLAN header plus an inner Ethernet header. */
#define DVS_VXLAN_MIN_UDP (sizeof(struct udphdr) + sizeof(struct dvs_vxlan_hdr) + ETH_HLEN)
#define DVS_IP_MF 0x2000
#define DVS_IP_OFFSET 0x1fff

static __always_inline int count(__u32 reason, __u64 bytes, int action)
{
	struct dvs_xdp_counter *c = bpf_map_lookup_elem(&dvs_xdp_stats, &reason);

	/* Per-CPU slot: no other writer, so plain increments are exact. */
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
	return action;
}

static __always_inline int steer(struct xdp_md *ctx, __u32 reason, __u64 bytes)
{
	__u32 queue = ctx->rx_queue_index;

	/* Without a socket on this queue the redirect would fail silently (XDP_ABORTED);
	 * count it under its own name instead, so a mis-sized queue setup is visible. */
	if (!bpf_map_lookup_elem(&xsks_map, &queue))
		return count(DVS_XDP_DROP_NO_XSK, bytes, XDP_DROP);
	count(reason, bytes, XDP_REDIRECT);
	return bpf_redirect_map(&xsks_map, queue, XDP_DROP);
}

static __always_inline int vlan_allowed(__u16 vid)
{
	__u32 word = vid / 64;
	__u64 *bits = bpf_map_lookup_elem(&dvs_xdp_vlans, &word);

	return bits && ((*bits >> (vid % 64)) & 1);
}

/* 'vx' points at the VXLAN header; the caller checked that the UDP length covers the VXLAN
 * header and an inner Ethernet header. */
static __always_inline int handle_vxlan(struct xdp_md *ctx, struct dvs_vxlan_hdr *vx,
					void *end, __u64 bytes)
{
	__u32 vni;

	if ((void *)(vx + 1) + ETH_HLEN > end)
		return count(DVS_XDP_DROP_MALFORMED, bytes, XDP_DROP);
	/* Same rule as the kernel's vxlan driver, any reserved bit set means malformed, but for
	 * the one switchd gives a frame it relays (VXLAN_FLAGS_DVS_RELAY in datapath/dp/vxlan.h). */
	if ((vx->flags & ~bpf_htonl(DVS_VXLAN_FLAG_RELAY)) != bpf_htonl(DVS_VXLAN_FLAGS_I) ||
	    (vx->vni & bpf_htonl(0xff)))
		return count(DVS_XDP_DROP_BAD_FLAGS, bytes, XDP_DROP);
	vni = bpf_ntohl(vx->vni) >> 8;
	if (!bpf_map_lookup_elem(&dvs_xdp_vnis, &vni))
		return count(DVS_XDP_DROP_UNKNOWN_VNI, bytes, XDP_DROP);
	return steer(ctx, DVS_XDP_STEERED_VXLAN, bytes);
}

/* 'udp' is in bounds and addressed to our VTEP; 'l4_size' is what the IP header says the
 * L4 part measures. */
static __always_inline int handle_udp(struct xdp_md *ctx, struct udphdr *udp, __u32 l4_size,
				      void *end, __u64 bytes)
{
	__u32 ulen;

	if (udp->dest != bpf_htons(dvs_xdp_cfg.vxlan_port))
		return count(DVS_XDP_PASSED, bytes, XDP_PASS);
	ulen = bpf_ntohs(udp->len);
	/* The 0xffff bound also tells the verifier the pointer sum below cannot wrap. */
	if (l4_size < DVS_VXLAN_MIN_UDP || l4_size > 0xffff || (void *)udp + l4_size > end ||
	    ulen < DVS_VXLAN_MIN_UDP || ulen > l4_size)
		return count(DVS_XDP_DROP_MALFORMED, bytes, XDP_DROP);
	return handle_vxlan(ctx, (struct dvs_vxlan_hdr *)(udp + 1), end, bytes);
}

static __always_inline int handle_ipv4(struct xdp_md *ctx, struct iphdr *ip, void *end,
				       __u64 bytes)
{
	__u32 hlen, tot;
	struct udphdr *udp;

	if ((void *)(ip + 1) > end)
		return count(DVS_XDP_PASSED, bytes, XDP_PASS);
	if (!dvs_xdp_cfg.vtep4 || ip->daddr != dvs_xdp_cfg.vtep4 || ip->protocol != IPPROTO_UDP)
		return count(DVS_XDP_PASSED, bytes, XDP_PASS);
	if (ip->version != 4 || ip->ihl < 5)
		return count(DVS_XDP_DROP_MALFORMED, bytes, XDP_DROP);
	/* Fragments: only the kernel can reassemble them; it drops them if nobody listens. */
	if (ip->frag_off & bpf_htons(DVS_IP_MF | DVS_IP_OFFSET))
		return count(DVS_XDP_PASSED, bytes, XDP_PASS);
	hlen = (ip->ihl & 0xf) * 4;
	tot = bpf_ntohs(ip->tot_len);
	udp = (void *)ip + hlen;
	if ((void *)(udp + 1) > end || tot < hlen + sizeof(*udp))
		return count(DVS_XDP_DROP_MALFORMED, bytes, XDP_DROP);
	return handle_udp(ctx, udp, tot - hlen, end, bytes);
}

static __always_inline int handle_ipv6(struct xdp_md *ctx, struct ipv6hdr *ip6, void *end,
				       __u64 bytes)
{
	struct udphdr *udp = (struct udphdr *)(ip6 + 1);
	const __u32 *dst;

	if ((void *)(udp + 1) > end)
		return count(DVS_XDP_PASSED, bytes, XDP_PASS);
	dst = ip6->daddr.in6_u.u6_addr32;
	if (dst[0] != dvs_xdp_cfg.vtep6[0] || dst[1] != dvs_xdp_cfg.vtep6[1] ||
	    dst[2] != dvs_xdp_cfg.vtep6[2] || dst[3] != dvs_xdp_cfg.vtep6[3])
		return count(DVS_XDP_PASSED, bytes, XDP_PASS);
	/* Extension headers before UDP are left to the kernel: a VTEP peer has no reason to
	 * send them, and walking them would cost every tunnel frame a loop. */
	if (ip6->nexthdr != IPPROTO_UDP)
		return count(DVS_XDP_PASSED, bytes, XDP_PASS);
	if (ip6->version != 6)
		return count(DVS_XDP_DROP_MALFORMED, bytes, XDP_DROP);
	return handle_udp(ctx, udp, bpf_ntohs(ip6->payload_len), end, bytes);
}

static __always_inline int is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

SEC("xdp")
int dvs_xdp_uplink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 bytes = end - data;
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__be16 proto;

	if (l3 > end)
		return count(DVS_XDP_PASSED, bytes, XDP_PASS);
	proto = eth->h_proto;
	if (is_vlan(proto)) {
		struct dvs_vlan_hdr *vh = l3;
		__u16 vid;

		if ((void *)(vh + 1) > end)
			return count(DVS_XDP_PASSED, bytes, XDP_PASS);
		/* A trunked VLAN belongs to the switch whatever it carries; VLAN 0 is only a
		 * priority tag. */
		vid = bpf_ntohs(vh->tci) & 0x0fff;
		if (dvs_xdp_cfg.trunk && vid && vlan_allowed(vid))
			return steer(ctx, DVS_XDP_STEERED_VLAN, bytes);
		proto = vh->encap_proto;
		l3 = vh + 1;
		/* Underlay traffic may itself sit behind a tag (or two, QinQ). */
		if (is_vlan(proto)) {
			vh = l3;
			if ((void *)(vh + 1) > end)
				return count(DVS_XDP_PASSED, bytes, XDP_PASS);
			proto = vh->encap_proto;
			l3 = vh + 1;
		}
	}
	if (proto == bpf_htons(ETH_P_IP))
		return handle_ipv4(ctx, l3, end, bytes);
	if (proto == bpf_htons(ETH_P_IPV6) && dvs_xdp_cfg.has_vtep6)
		return handle_ipv6(ctx, l3, end, bytes);
	return count(DVS_XDP_PASSED, bytes, XDP_PASS);
}

/* No GPL-only helper is used, so the project's own licence applies. */
char LICENSE[] SEC("license") = "Apache-2.0";
