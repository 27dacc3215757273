/* SPDX-License-Identifier: Apache-2.0 */
/* The hairpin underlay of bench/vxlan/run.sh: a tc (cls_bpf, direct action) program on the
 * far end of the switch's uplink veth.  "hairpin" turns each VXLAN packet back to its sender as
 * if a remote VTEP had switched it into the other segment: outer MACs and IPv4 addresses
 * swapped, VNI_A <-> VNI_B, UDP checksum left 0 (both switches send 0 over IPv4; swapping the
 * addresses keeps a non-zero one valid, but a VNI change would not, so such packets are
 * dropped).  The IPv4 header checksum does not change under the swap.  ARP goes to the
 * kernel (hp0 holds 10.0.0.2 and answers); anything else is dropped and counted.  "sink" (on
 * the uplink itself, ingress) drops every frame but ARP after the switch's AF_PACKET socket took
 * its copy, so the kernel's IP stack does not process (and answer with ICMP) the switch's
 * tunnel traffic: the same saving for every contender.
 * Built by run.sh twice: clang -target bpf -O2 -DVNI_A=.. -DVNI_B=.. -c hairpin.bpf.c, and
 * with -DSINK for the sink alone (one program per object: tc picks the section "tc"). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef VNI_A
#define VNI_A 100
#endif
#ifndef VNI_B
#define VNI_B 200
#endif
#define VXLAN_PORT 4789

/* 0: reflected, 1: not VXLAN/IPv4 (dropped), 2: unknown VNI or UDP checksum set (dropped),
 * 3: ARP (passed to the kernel). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hairpin_counts SEC(".maps");

static __always_inline int
count(__u32 what, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&hairpin_counts, &what);

	if (c)
		__sync_fetch_and_add(c, 1);
	return verdict;
}

#ifndef SINK
SEC("tc")
int
hairpin(struct __sk_buff *skb)
{
	void *data, *end;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp;
	__u8 *vx;
	unsigned char mac[ETH_ALEN];
	__u32 vni, addr;

	/* AF_PACKET's TX ring builds skbs whose payload sits in page fragments: pull the
	 * outer headers and the VXLAN header into the linear part (a no-op when they are). */
	bpf_skb_pull_data(skb, sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + 8);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	eth = data;
	ip = (void *)(eth + 1);
	udp = (void *)(ip + 1);
	vx = (void *)(udp + 1);
	/* The far VTEP's kernel answers ARP for 10.0.0.2 (the switch's resolver asks). */
	if ((void *)(eth + 1) <= end && eth->h_proto == bpf_htons(ETH_P_ARP))
		return count(3, TC_ACT_OK);
	if ((void *)(vx + 8) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP || udp->dest != bpf_htons(VXLAN_PORT))
		return count(1, TC_ACT_SHOT);
	if (udp->check)
		return count(2, TC_ACT_SHOT);
	vni = ((__u32)vx[4] << 16) | ((__u32)vx[5] << 8) | vx[6];
	if (vni == VNI_A)
		vni = VNI_B;
	else if (vni == VNI_B)
		vni = VNI_A;
	else
		return count(2, TC_ACT_SHOT);
	vx[4] = (__u8)(vni >> 16);
	vx[5] = (__u8)(vni >> 8);
	vx[6] = (__u8)vni;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	count(0, 0);
	/* Out of the same veth end again: back to the switch's uplink. */
	return bpf_redirect(skb->ifindex, 0);
}
#endif

#ifdef SINK
SEC("tc")
int
sink(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	/* ARP goes on to the kernel, which owns the underlay's neighbours. */
	if ((void *)(eth + 1) <= end && eth->h_proto == bpf_htons(ETH_P_ARP))
		return TC_ACT_OK;
	return TC_ACT_SHOT;
}
#endif

char LICENSE[] SEC("license") = "GPL";
