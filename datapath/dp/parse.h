/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Per-packet header parsing: the first stage of the fast path.  Fills a compact 'dp_meta'
 * that every later stage (security, VLAN, ACL, FDB, conntrack, shaper) reads instead of
 * re-parsing.  Pure function of the frame bytes; no DPDK state; fast-path safe. */

#include <stdbool.h>
#include <stdint.h>

enum dp_l3 {
	DP_L3_NONE = 0,
	DP_L3_IPV4,
	DP_L3_IPV6,
	DP_L3_ARP,
	DP_L3_OTHER,
};

enum dp_parse_result {
	DP_PARSE_OK = 0,
	DP_PARSE_RUNT,      /* shorter than an Ethernet header */
	DP_PARSE_BAD_VLAN,  /* truncated VLAN tag */
	DP_PARSE_BAD_L3,    /* truncated or malformed IP/ARP header */
	DP_PARSE_BAD_L4,    /* truncated TCP/UDP/ICMP header (unfragmented packets only) */
};

/* All multi-byte fields in host byte order unless marked 'be'. */
struct dp_meta {
	uint16_t ethertype;  /* after VLAN tags */
	uint16_t vlan;       /* outer VLAN id (TCI & 0xfff); 0 when untagged */
	uint8_t vlan_pcp;    /* outer tag priority */
	uint8_t n_vlans;     /* 0, 1, or 2 (two or more tags) */
	uint8_t l3;          /* enum dp_l3 */
	uint8_t ip_proto;    /* IPPROTO_*, for IPv4/IPv6 (after IPv6 extension headers) */
	uint16_t l2_len;     /* offset of L3 (Ethernet + tags) */
	uint16_t l3_len;     /* IP header length incl. IPv6 extension headers */
	uint16_t sport;      /* TCP/UDP source port; ICMP/ICMPv6 type */
	uint16_t dport;      /* TCP/UDP destination port; ICMP/ICMPv6 code */
	uint8_t tcp_flags;   /* TCP flags byte */
	uint8_t frag;        /* 0 not a fragment, 1 the first fragment, 2 a later one (no L4) */
	uint8_t dst_bum;     /* 1 if destination MAC is broadcast or multicast */
	uint8_t dst_bcast;   /* 1 if broadcast */
	union {
		struct {
			uint32_t src_be, dst_be; /* IPv4 addresses */
		} v4;
		struct {
			uint8_t src[16], dst[16];
		} v6;
	} ip;
	uint32_t arp_spa_be; /* ARP sender protocol address */
	uint16_t arp_op;
};

/* Parses only the Ethernet header and VLAN tags (what plain L2 switching needs): l3 is
 * DP_L3_NONE and the L3/L4 fields are zero.  Returns DP_PARSE_OK, RUNT or BAD_VLAN. */
static inline enum dp_parse_result
dp_parse_l2(const uint8_t *f, uint32_t len, struct dp_meta *m)
{
	uint32_t off = 12;
	uint16_t et;

	if (len < 14)
		return DP_PARSE_RUNT;
	m->dst_bum = f[0] & 1;
	m->dst_bcast = (f[0] & f[1] & f[2] & f[3] & f[4] & f[5]) == 0xff;
	m->n_vlans = 0;
	m->vlan = 0;
	m->l3 = DP_L3_NONE;
	et = (uint16_t)(f[off] << 8 | f[off + 1]);
	if (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
		if (len < off + 6)
			return DP_PARSE_BAD_VLAN;
		m->vlan = (uint16_t)((f[off + 2] & 0x0f) << 8 | f[off + 3]);
		m->vlan_pcp = f[off + 2] >> 5;
		m->n_vlans = 1;
		off += 4;
		et = (uint16_t)(f[off] << 8 | f[off + 1]);
		if (et == 0x8100 || et == 0x88a8 || et == 0x9100)
			m->n_vlans = 2;
	}
	m->ethertype = et;
	m->l2_len = (uint16_t)(off + 2);
	return DP_PARSE_OK;
}

/* Parses the 'len' bytes at 'frame'.  Returns DP_PARSE_OK or the reason the frame is malformed
 * (the caller counts it as a drop).  'm' is fully written in every case. */
enum dp_parse_result dp_parse(const uint8_t *frame, uint32_t len, struct dp_meta *m);
