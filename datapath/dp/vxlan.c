/* SPDX-License-Identifier: Apache-2.0 */
/* VXLAN encap/decap of mbufs (RFC 7348).  The template carries every constant byte of the
 * outer headers, so per packet encap is one copy plus a few 16-bit stores; decap checks the
 * outer headers in the order a kernel VTEP would and strips them with rte_pktmbuf_adj. */
#include "vxlan.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

const char *const vxlan_decap_names[VXLAN_DECAP_MAX] = {
	[VXLAN_DECAP_OK] = "ok",
#define VXLAN_DECAP_NAME_(id, name, text) [VXLAN_DECAP_##id] = name,
	VXLAN_DECAP_REASONS(VXLAN_DECAP_NAME_)
#undef VXLAN_DECAP_NAME_
};

const char *const vxlan_decap_texts[VXLAN_DECAP_MAX] = {
	[VXLAN_DECAP_OK] = "decapsulated",
#define VXLAN_DECAP_TEXT_(id, name, text) [VXLAN_DECAP_##id] = text,
	VXLAN_DECAP_REASONS(VXLAN_DECAP_TEXT_)
#undef VXLAN_DECAP_TEXT_
};

/* --- template (control thread) ------------------------------------------------------- */

int
vxlan_tmpl_build(struct vxlan_tmpl *t, const struct vxlan_tmpl_params *p)
{
	uint8_t *h = t->hdr;
	uint16_t l3 = RTE_ETHER_HDR_LEN, overhead;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	if (p->src.family != p->dst.family ||
	    (p->src.family != AF_INET && p->src.family != AF_INET6) || p->vlan > 4094 ||
	    p->vlan_pcp > 7) {
		ret = -EINVAL;
		goto out;
	}
	overhead = p->src.family == AF_INET ? VXLAN_OVERHEAD_V4 : VXLAN_OVERHEAD_V6;
	if (p->mtu < overhead + RTE_ETHER_HDR_LEN) {
		ret = -EINVAL;
		goto out;
	}

	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)h;
	rte_ether_addr_copy(&p->dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(&p->src_mac, &eth->src_addr);
	uint16_t ip_type = p->src.family == AF_INET ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6;
	if (p->vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(h + RTE_ETHER_HDR_LEN);
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16((uint16_t)(p->vlan_pcp << 13 | p->vlan));
		vh->eth_proto = rte_cpu_to_be_16(ip_type);
		l3 += sizeof(*vh);
	} else {
		eth->ether_type = rte_cpu_to_be_16(ip_type);
	}

	uint8_t ttl = p->ttl ? p->ttl : 64;
	uint16_t l4;
	if (p->src.family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(h + l3);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = p->tos;
		/* ID 0 with DF: RFC 6864 allows it for atomic datagrams. */
		ip->fragment_offset = p->df ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
		ip->time_to_live = ttl;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = p->src.v4_be;
		ip->dst_addr = p->dst.v4_be;
		t->csum_base = rte_raw_cksum(ip, sizeof(*ip));
		l4 = (uint16_t)(l3 + sizeof(*ip));
		t->kind = VXLAN_TMPL_V4;
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(h + l3);
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)p->tos << 20);
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = ttl;
		memcpy(ip6->src_addr, p->src.v6, 16);
		memcpy(ip6->dst_addr, p->dst.v6, 16);
		l4 = (uint16_t)(l3 + sizeof(*ip6));
		t->kind = VXLAN_TMPL_V6;
	}
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(h + l4);
	udp->dst_port = rte_cpu_to_be_16(p->udp_dst_port ? p->udp_dst_port : VXLAN_PORT);
	struct rte_vxlan_hdr *vx = (struct rte_vxlan_hdr *)(udp + 1);
	vx->vx_flags = rte_cpu_to_be_32(VXLAN_FLAGS_I);

	t->l3_off = (uint8_t)l3;
	t->l4_off = (uint8_t)l4;
	t->size = (uint8_t)(l4 + sizeof(*udp) + sizeof(*vx));
	t->mtu = p->mtu;
	t->max_inner = (uint16_t)(p->mtu - overhead);
out:
	return ret;
}

/* --- flow hash ----------------------------------------------------------------------- */

/* The inner flow's fields go into a CRC32 chain 8 bytes at a time, straight from the
 * frame's metadata (no key to build and clear first): the MACs, the EtherType and VLAN, the
 * IP addresses, the protocol and the ports (not for fragments: every fragment of a datagram
 * must take the same path, and only the first carries the ports). */
uint32_t
vxlan_flow_hash(const struct dp_meta *m, const struct rte_ether_addr *dst,
		const struct rte_ether_addr *src)
{
	uint32_t h = 0x5bd1e995;

	h = rte_hash_crc_8byte(vxlan_load48(dst->addr_bytes) | (uint64_t)m->ethertype << 48, h);
	h = rte_hash_crc_8byte(vxlan_load48(src->addr_bytes) | (uint64_t)m->vlan << 48, h);
	if (m->l3 == DP_L3_IPV4) {
		h = rte_hash_crc_8byte((uint64_t)m->ip.v4.src_be | (uint64_t)m->ip.v4.dst_be << 32, h);
	} else if (m->l3 == DP_L3_IPV6) {
		uint64_t w[4];
		memcpy(w, m->ip.v6.src, 16);
		memcpy(w + 2, m->ip.v6.dst, 16);
		for (unsigned i = 0; i < 4; i++)
			h = rte_hash_crc_8byte(w[i], h);
	}
	if (m->l3 == DP_L3_IPV4 || m->l3 == DP_L3_IPV6)
		h = rte_hash_crc_8byte((uint64_t)m->ip_proto |
				       (m->frag ? 0 : (uint64_t)m->sport << 16 | (uint64_t)m->dport << 32), h);
	/* CRC32 is linear; the final avalanche (murmur3's fmix32) spreads it over the high bits
	 * that vxlan_sport() uses. */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* --- encap --------------------------------------------------------------------------- */

static inline bool
data_writable(const struct rte_mbuf *m)
{
	if (rte_mbuf_refcnt_read(m) != 1 || RTE_MBUF_CLONED(m))
		return false;
	return !RTE_MBUF_HAS_EXTBUF(m) || rte_mbuf_ext_refcnt_read(m->shinfo) == 1;
}

static inline uint16_t
csum_fold(uint32_t sum)
{
	sum = (sum >> 16) + (sum & 0xffff);
	sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)sum;
}

/* Unfolded sum of the UDP pseudo header (addresses, protocol, UDP length), memory order. */
static inline uint32_t
pseudo_sum(const void *src, const void *dst, size_t addr_size, uint16_t udp_len_be)
{
	uint32_t sum = rte_raw_cksum(src, addr_size);
	sum += rte_raw_cksum(dst, addr_size);
	sum += rte_cpu_to_be_16(IPPROTO_UDP);
	sum += udp_len_be;
	return sum;
}

enum vxlan_encap_result
vxlan_encap_flags(struct rte_mbuf *m, const struct vxlan_tmpl *t, uint32_t vni, uint32_t hash,
		  uint32_t extra_flags)
{
	uint32_t inner = rte_pktmbuf_pkt_len(m);

	if (unlikely(inner > t->max_inner))
		return VXLAN_ENCAP_TOO_BIG;
	if (unlikely(!data_writable(m)))
		return VXLAN_ENCAP_SHARED;
	if (unlikely(rte_pktmbuf_headroom(m) < t->size))
		return VXLAN_ENCAP_NO_HEADROOM;

	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, t->size);
	rte_memcpy(p, t->hdr, t->size);

	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(p + t->l4_off);
	struct rte_vxlan_hdr *vx = (struct rte_vxlan_hdr *)(udp + 1);
	uint16_t udp_len = (uint16_t)(inner + sizeof(*udp) + sizeof(*vx));

	udp->src_port = rte_cpu_to_be_16(vxlan_sport(hash));
	udp->dgram_len = rte_cpu_to_be_16(udp_len);
	vx->vx_vni = rte_cpu_to_be_32(vni << 8);
	if (unlikely(extra_flags))
		vx->vx_flags = rte_cpu_to_be_32(VXLAN_FLAGS_I | extra_flags);
	if (t->kind == VXLAN_TMPL_V4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + t->l3_off);
		uint16_t tot_be = rte_cpu_to_be_16((uint16_t)(udp_len + sizeof(*ip)));
		ip->total_length = tot_be;
		ip->hdr_checksum = (uint16_t)~csum_fold(t->csum_base + tot_be);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(p + t->l3_off);
		uint16_t len_be = rte_cpu_to_be_16(udp_len);
		uint16_t sum;
		ip6->payload_len = len_be;
		/* RFC 6438: the flow label carries the same flow entropy for ECMP in the core. */
		ip6->vtc_flow |= rte_cpu_to_be_32(hash & 0xfffff);
		/* Checksum 0 in the copied header, so it sums as nothing. */
		rte_raw_cksum_mbuf(m, t->l4_off, udp_len, &sum);
		uint16_t ck = (uint16_t)~csum_fold(
			sum + pseudo_sum(ip6->src_addr, ip6->dst_addr, 16, len_be));
		udp->dgram_cksum = ck ? ck : 0xffff;
	}
	/* The offload requests and the packet type described the inner frame. */
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	m->packet_type = 0;
	return VXLAN_ENCAP_OK;
}

/* --- decap --------------------------------------------------------------------------- */

/* Checks the outer UDP checksum (non-zero), from the driver's verdict when it gave one. */
static bool
udp_csum_ok(const struct rte_mbuf *m, uint16_t l4_off, uint16_t udp_len_be,
	    const void *src, const void *dst, size_t addr_size)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	uint16_t sum;

	if (f == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		return true;
	if (f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return false;
	if (rte_raw_cksum_mbuf(m, l4_off, rte_be_to_cpu_16(udp_len_be), &sum) < 0)
		return false;
	return csum_fold(sum + pseudo_sum(src, dst, addr_size, udp_len_be)) == 0xffff;
}

/* The outer IPv4 header at 'l3' (its first 20 bytes are in the data): version, lengths,
 * fragments and checksum.  Sets *hl and *tot (header and total length) when it returns 0. */
static inline enum vxlan_decap_result
v4_check(const struct rte_ipv4_hdr *ip, uint32_t l3, uint32_t dlen, uint32_t plen, uint32_t *hl,
	 uint32_t *tot)
{
	*hl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	*tot = rte_be_to_cpu_16(ip->total_length);
	if (unlikely((ip->version_ihl >> 4) != 4 || *hl < sizeof(*ip) || *tot < *hl))
		return VXLAN_DECAP_BAD_IP;
	if (unlikely(dlen < l3 + *hl || plen < l3 + *tot))
		return VXLAN_DECAP_TRUNCATED;
	/* Only the kernel can reassemble; the XDP program passes fragments to it. */
	if (unlikely(ip->fragment_offset &
		     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return VXLAN_DECAP_BAD_IP;
	if (unlikely(vxlan_ip4_hdr_sum(ip, *hl) != 0xffff))
		return VXLAN_DECAP_BAD_IP;
	return VXLAN_DECAP_OK;
}

/* Everything from the UDP header at 'l4' on, once the outer IP header was found sound and to
 * a local address, then the strip.  'ip_payload': the IP packet's bytes after its header. */
static inline enum vxlan_decap_result
udp_and_strip(struct rte_mbuf *m, const uint8_t *p, uint32_t l4, uint32_t ip_payload,
	      const void *src_addr, const void *dst_addr, size_t addr_size,
	      const struct vxlan_local *local, uint32_t *vni)
{
	uint32_t dlen = rte_pktmbuf_data_len(m), plen = rte_pktmbuf_pkt_len(m);
	const uint32_t min_udp = sizeof(struct rte_udp_hdr) + VXLAN_HDR_SIZE + RTE_ETHER_HDR_LEN;

	if (unlikely(ip_payload < min_udp || dlen < l4 + min_udp))
		return VXLAN_DECAP_TRUNCATED;
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(p + l4);
	uint16_t port = local->udp_port ? local->udp_port : VXLAN_PORT;
	if (unlikely(udp->dst_port != rte_cpu_to_be_16(port)))
		return VXLAN_DECAP_WRONG_PORT;
	uint32_t ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (unlikely(ulen < min_udp || ulen > ip_payload))
		return VXLAN_DECAP_BAD_UDP;
	/* Bytes after the UDP datagram (Ethernet padding): trimmed like the kernel's UDP layer
	 * does, which rte_pktmbuf_trim can only do within the last segment. */
	uint32_t tail = plen - (l4 + ulen);
	if (unlikely(tail > rte_pktmbuf_lastseg(m)->data_len))
		return VXLAN_DECAP_BAD_UDP;
	if (addr_size == 16) {
		/* The Linux driver refuses zero checksums over IPv6 unless told otherwise. */
		if (unlikely(udp->dgram_cksum == 0 ||
			     (local->verify_udp_csum &&
			      !udp_csum_ok(m, (uint16_t)l4, udp->dgram_len, src_addr, dst_addr, 16))))
			return VXLAN_DECAP_BAD_UDP;
	} else if (udp->dgram_cksum != 0 && local->verify_udp_csum &&
		   unlikely(!udp_csum_ok(m, (uint16_t)l4, udp->dgram_len, src_addr, dst_addr, 4))) {
		return VXLAN_DECAP_BAD_UDP;
	}

	const struct rte_vxlan_hdr *vx = (const struct rte_vxlan_hdr *)(udp + 1);
	if (unlikely((vx->vx_flags & ~rte_cpu_to_be_32(VXLAN_FLAGS_DVS_RELAY)) !=
		     rte_cpu_to_be_32(VXLAN_FLAGS_I) ||
		     (vx->vx_vni & rte_cpu_to_be_32(0xff)) != 0))
		return VXLAN_DECAP_BAD_FLAGS;

	*vni = rte_be_to_cpu_32(vx->vx_vni) >> 8;
	if (tail)
		rte_pktmbuf_trim(m, (uint16_t)tail);
	rte_pktmbuf_adj(m, (uint16_t)(l4 + sizeof(*udp) + sizeof(*vx)));
	/* The driver's flags described the outer headers (checksums, a stripped underlay tag). */
	m->ol_flags &= ~(RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_IP_CKSUM_MASK |
			 RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED |
			 RTE_MBUF_F_RX_QINQ | RTE_MBUF_F_RX_QINQ_STRIPPED);
	m->packet_type = 0;
	return VXLAN_DECAP_OK;
}

/* The offset of the outer IP header (after up to one tag) and its EtherType, or 0. */
static inline uint32_t
outer_l3(const uint8_t *p, uint32_t dlen, uint16_t *et)
{
	uint32_t l3 = RTE_ETHER_HDR_LEN;

	if (unlikely(dlen < RTE_ETHER_HDR_LEN))
		return 0;
	*et = ((const struct rte_ether_hdr *)p)->ether_type;
	if (*et == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
	    *et == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ)) {
		if (unlikely(dlen < l3 + 4))
			return 0;
		*et = ((const struct rte_vlan_hdr *)(p + l3))->eth_proto;
		l3 += 4;
	}
	return l3;
}

enum vxlan_decap_result
vxlan_decap(struct rte_mbuf *m, const struct vxlan_local *local, uint32_t *vni,
	    struct vxlan_addr *outer_src)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t dlen = rte_pktmbuf_data_len(m), plen = rte_pktmbuf_pkt_len(m);
	uint32_t l3, hl, tot;
	uint16_t et = 0;
	enum vxlan_decap_result r;

	l3 = outer_l3(p, dlen, &et);
	if (unlikely(l3 == 0))
		return VXLAN_DECAP_TRUNCATED;
	if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + l3);
		if (unlikely(dlen < l3 + sizeof(*ip)))
			return VXLAN_DECAP_TRUNCATED;
		r = v4_check(ip, l3, dlen, plen, &hl, &tot);
		if (unlikely(r != VXLAN_DECAP_OK))
			return r;
		if (unlikely(local->v4_be == 0 || ip->dst_addr != local->v4_be))
			return VXLAN_DECAP_NOT_TO_US;
		if (unlikely(ip->next_proto_id != IPPROTO_UDP))
			return VXLAN_DECAP_NOT_UDP;
		r = udp_and_strip(m, p, l3 + hl, tot - hl, &ip->src_addr, &ip->dst_addr, 4, local,
				  vni);
		if (r == VXLAN_DECAP_OK) {
			outer_src->family = AF_INET;
			outer_src->v4_be = ip->src_addr; /* stripped, but still in the headroom */
		}
		return r;
	}
	if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)(p + l3);
		if (unlikely(dlen < l3 + sizeof(*ip6)))
			return VXLAN_DECAP_TRUNCATED;
		if (unlikely((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6))
			return VXLAN_DECAP_BAD_IP;
		uint32_t ip_payload = rte_be_to_cpu_16(ip6->payload_len);
		if (unlikely(plen < l3 + sizeof(*ip6) + ip_payload))
			return VXLAN_DECAP_TRUNCATED;
		if (unlikely(!local->has_v6 || memcmp(ip6->dst_addr, local->v6, 16) != 0))
			return VXLAN_DECAP_NOT_TO_US;
		if (unlikely(ip6->proto != IPPROTO_UDP))
			return VXLAN_DECAP_NOT_UDP;
		r = udp_and_strip(m, p, l3 + (uint32_t)sizeof(*ip6), ip_payload, ip6->src_addr,
				  ip6->dst_addr, 16, local, vni);
		if (r == VXLAN_DECAP_OK) {
			outer_src->family = AF_INET6;
			memcpy(outer_src->v6, ip6->src_addr, 16);
		}
		return r;
	}
	return VXLAN_DECAP_NOT_IP;
}

int
vxlan_decap_uplink_v4(struct rte_mbuf *m, const struct vxlan_local *local, uint32_t *vni,
		      uint32_t *outer_src_be)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t dlen = rte_pktmbuf_data_len(m), hl, tot, l3;
	uint16_t et = 0, port = local->udp_port ? local->udp_port : VXLAN_PORT;
	enum vxlan_decap_result r;

	/* The test: outer IPv4 to our address, UDP, the VXLAN port (the bytes it reads exist). */
	if (dlen < RTE_ETHER_HDR_LEN + 20 + 8 + VXLAN_HDR_SIZE)
		return VXLAN_DECAP_PASS;
	l3 = outer_l3(p, dlen, &et);
	if (et != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return VXLAN_DECAP_PASS;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + l3);
	hl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ip->next_proto_id != IPPROTO_UDP || local->v4_be == 0 ||
	    ip->dst_addr != local->v4_be || l3 + hl + 8 > dlen)
		return VXLAN_DECAP_PASS;
	if (((const struct rte_udp_hdr *)(p + l3 + hl))->dst_port != rte_cpu_to_be_16(port))
		return VXLAN_DECAP_PASS;

	/* Ours: the same checks as vxlan_decap(), but the ones the test made. */
	r = v4_check(ip, l3, dlen, rte_pktmbuf_pkt_len(m), &hl, &tot);
	if (unlikely(r != VXLAN_DECAP_OK))
		return r;
	*outer_src_be = ip->src_addr;
	return udp_and_strip(m, p, l3 + hl, tot - hl, &ip->src_addr, &ip->dst_addr, 4, local, vni);
}
