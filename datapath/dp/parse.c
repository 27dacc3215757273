/* SPDX-License-Identifier: Apache-2.0 */
/* Header parser.  Bounds-checked against 'len' at every step: a malformed frame yields a
 * parse result the caller counts, never a read past the buffer. */
#include "parse.h"

#include <netinet/in.h>
#include <string.h>

#define ETH_HLEN_ 14
#define ETHERTYPE_VLAN_ 0x8100
#define ETHERTYPE_QINQ_ 0x88a8
#define ETHERTYPE_QINQ_OLD_ 0x9100
#define ETHERTYPE_IPV4_ 0x0800
#define ETHERTYPE_IPV6_ 0x86dd
#define ETHERTYPE_ARP_ 0x0806

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline bool
is_vlan_tpid(uint16_t t)
{
	return t == ETHERTYPE_VLAN_ || t == ETHERTYPE_QINQ_ || t == ETHERTYPE_QINQ_OLD_;
}

static enum dp_parse_result
parse_l4(const uint8_t *l4, uint32_t avail, struct dp_meta *m)
{
	switch (m->ip_proto) {
	case IPPROTO_TCP:
		if (avail < 20)
			return DP_PARSE_BAD_L4;
		m->sport = rd16(l4);
		m->dport = rd16(l4 + 2);
		m->tcp_flags = l4[13];
		return DP_PARSE_OK;
	case IPPROTO_UDP:
		if (avail < 8)
			return DP_PARSE_BAD_L4;
		m->sport = rd16(l4);
		m->dport = rd16(l4 + 2);
		return DP_PARSE_OK;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (avail < 4)
			return DP_PARSE_BAD_L4;
		m->sport = l4[0];
		m->dport = l4[1];
		return DP_PARSE_OK;
	default:
		return DP_PARSE_OK;
	}
}

static enum dp_parse_result
parse_ipv4(const uint8_t *ip, uint32_t avail, struct dp_meta *m)
{
	if (avail < 20 || (ip[0] >> 4) != 4)
		return DP_PARSE_BAD_L3;
	uint32_t ihl = (uint32_t)(ip[0] & 0xf) * 4;
	uint32_t tot = rd16(ip + 2);
	if (ihl < 20 || ihl > avail || tot < ihl)
		return DP_PARSE_BAD_L3;
	m->l3_len = (uint16_t)ihl;
	m->ip_proto = ip[9];
	memcpy(&m->ip.v4.src_be, ip + 12, 4);
	memcpy(&m->ip.v4.dst_be, ip + 16, 4);
	uint16_t frag = rd16(ip + 6);
	if (frag & 0x3fff) { /* MF set or offset != 0 */
		m->frag = 1;
		if (frag & 0x1fff) { /* not the first fragment: no L4 header */
			m->frag = 2;
			return DP_PARSE_OK;
		}
	}
	/* Trust the smaller of the IP total length and what the frame holds (padding). */
	uint32_t l4_avail = (tot < avail ? tot : avail) - ihl;
	return parse_l4(ip + ihl, l4_avail, m);
}

static enum dp_parse_result
parse_ipv6(const uint8_t *ip, uint32_t avail, struct dp_meta *m)
{
	if (avail < 40 || (ip[0] >> 4) != 6)
		return DP_PARSE_BAD_L3;
	memcpy(m->ip.v6.src, ip + 8, 16);
	memcpy(m->ip.v6.dst, ip + 24, 16);
	uint8_t nh = ip[6];
	uint32_t off = 40;
	/* Walk a bounded number of extension headers. */
	for (int i = 0; i < 8; i++) {
		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
			if (off + 8 > avail)
				return DP_PARSE_BAD_L3;
			uint8_t next = ip[off];
			off += (uint32_t)(ip[off + 1] + 1) * 8;
			nh = next;
		} else if (nh == IPPROTO_FRAGMENT) {
			if (off + 8 > avail)
				return DP_PARSE_BAD_L3;
			uint16_t fo = rd16(ip + off + 2);
			m->frag = 1;
			nh = ip[off];
			off += 8;
			if (fo & 0xfff8) {
				m->frag = 2;
				m->ip_proto = nh;
				m->l3_len = (uint16_t)off;
				return DP_PARSE_OK;
			}
		} else {
			break;
		}
	}
	if (off > avail)
		return DP_PARSE_BAD_L3;
	m->ip_proto = nh;
	m->l3_len = (uint16_t)off;
	return parse_l4(ip + off, avail - off, m);
}

enum dp_parse_result
dp_parse(const uint8_t *f, uint32_t len, struct dp_meta *m)
{
	memset(m, 0, sizeof(*m));
	if (len < ETH_HLEN_)
		return DP_PARSE_RUNT;
	m->dst_bum = f[0] & 1;
	m->dst_bcast = (f[0] & f[1] & f[2] & f[3] & f[4] & f[5]) == 0xff;

	uint32_t off = 12;
	uint16_t et = rd16(f + off);
	if (is_vlan_tpid(et)) {
		if (len < off + 6)
			return DP_PARSE_BAD_VLAN;
		uint16_t tci = rd16(f + off + 2);
		m->vlan = tci & 0xfff;
		m->vlan_pcp = (uint8_t)(tci >> 13);
		m->n_vlans = 1;
		off += 4;
		et = rd16(f + off);
		/* Further tags are skipped; n_vlans = 2 marks a stacked frame (VLAN hopping guard). */
		for (int i = 0; i < 4 && is_vlan_tpid(et); i++) {
			if (len < off + 6)
				return DP_PARSE_BAD_VLAN;
			m->n_vlans = 2;
			off += 4;
			et = rd16(f + off);
		}
	}
	off += 2;
	m->ethertype = et;
	m->l2_len = (uint16_t)off;

	const uint8_t *l3 = f + off;
	uint32_t avail = len - off;
	switch (et) {
	case ETHERTYPE_IPV4_:
		m->l3 = DP_L3_IPV4;
		return parse_ipv4(l3, avail, m);
	case ETHERTYPE_IPV6_:
		m->l3 = DP_L3_IPV6;
		return parse_ipv6(l3, avail, m);
	case ETHERTYPE_ARP_:
		m->l3 = DP_L3_ARP;
		if (avail < 28)
			return DP_PARSE_BAD_L3;
		m->arp_op = rd16(l3 + 6);
		memcpy(&m->arp_spa_be, l3 + 14, 4);
		return DP_PARSE_OK;
	default:
		m->l3 = DP_L3_OTHER;
		return DP_PARSE_OK;
	}
}
