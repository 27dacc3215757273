/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* VXLAN (RFC 7348) encapsulation and decapsulation of DPDK mbufs: the tunnel stage of the fast
 * path.  The control thread builds one immutable outer-header template per remote VTEP (from
 * the next hop that datapath/nh/ resolves) and publishes it under RCU with the other tables;
 * the poll lcores only copy it in front of a frame and patch the per-packet fields. */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "parse.h"

#define VXLAN_PORT 4789
/* RFC 7348 section 5: outer UDP source ports from the dynamic/private range. */
#define VXLAN_SPORT_MIN 49152
#define VXLAN_SPORT_RANGE 16384

#define VXLAN_HDR_SIZE 8
#define VXLAN_FLAGS_I 0x08000000u /* the first word of a VXLAN header, I flag only */
/* DVS's one use of a reserved bit of that word (the low bit of its second byte, clear of the
 * bits VXLAN-GBP and VXLAN-GPE define): the frame is relayed by a host that is not where its
 * source MAC lives -- a live migration's source sending on frames for a VM that left -- so
 * the receiver must not learn the source MAC behind the relaying VTEP.  Relays only go to
 * the VM's new host, always a dvs-switchd; the Linux driver would drop them as malformed. */
#define VXLAN_FLAGS_DVS_RELAY 0x00010000u
/* The largest outer header: Ethernet + 802.1Q + IPv6 + UDP + VXLAN. */
#define VXLAN_TMPL_MAX (RTE_ETHER_HDR_LEN + 4 + 40 + 8 + VXLAN_HDR_SIZE)
/* Outer bytes added in front of the inner frame counted by the tunnel MTU (IP and above). */
#define VXLAN_OVERHEAD_V4 (20 + 8 + VXLAN_HDR_SIZE)
#define VXLAN_OVERHEAD_V6 (40 + 8 + VXLAN_HDR_SIZE)

/* An underlay address: IPv4 or IPv6 (network byte order). */
struct vxlan_addr {
	uint8_t family; /* AF_INET or AF_INET6; 0 = none */
	union {
		uint32_t v4_be;
		uint8_t v6[16];
	};
};

/* What the control thread knows about one remote VTEP; input of vxlan_tmpl_build(). */
struct vxlan_tmpl_params {
	struct rte_ether_addr dst_mac; /* next hop's MAC (router or the VTEP itself) */
	struct rte_ether_addr src_mac; /* uplink's MAC */
	uint16_t vlan;                 /* underlay 802.1Q VLAN id, 0 = untagged */
	uint8_t vlan_pcp;
	struct vxlan_addr src;         /* local VTEP address */
	struct vxlan_addr dst;         /* remote VTEP address (same family) */
	uint8_t ttl;                   /* 0 = 64 */
	uint8_t tos;                   /* DSCP/ECN byte (IPv6 traffic class) */
	bool df;                       /* IPv4 don't fragment (IPv6 never fragments en route) */
	uint16_t udp_dst_port;         /* host order, 0 = 4789 */
	/* Tunnel MTU: the largest outer IP packet (IP header included) this tunnel may send;
	 * the smaller of the uplink's MTU and the path MTU (a WAN link). */
	uint16_t mtu;
};

enum vxlan_tmpl_kind {
	VXLAN_TMPL_V4 = 1,
	VXLAN_TMPL_V6 = 2,
};

/* The outer headers of one remote VTEP, ready to copy.  Immutable once built; lives in the
 * RCU-published tables.  'hdr' holds the headers with the per-packet fields zero (IPv4 total
 * length and checksum, UDP source port, length and checksum, VNI). */
struct vxlan_tmpl {
	uint8_t kind;       /* enum vxlan_tmpl_kind */
	uint8_t size;       /* bytes of 'hdr' prepended to a frame */
	uint8_t l3_off;     /* offset of the IP header (14, or 18 with a tag) */
	uint8_t l4_off;     /* offset of the UDP header */
	uint16_t mtu;       /* see vxlan_tmpl_params */
	uint16_t max_inner; /* largest inner frame (bytes from the inner Ethernet header) */
	/* IPv4: ones' complement sum (unfolded) of the header with length and checksum zero, so
	 * a packet's checksum is ~fold(csum_base + total_length). */
	uint32_t csum_base;
	uint8_t hdr[VXLAN_TMPL_MAX] __rte_aligned(8);
};

/* Builds 't' from 'p'.  Control thread.  Returns 0, or -EINVAL if the parameters are
 * inconsistent (no or mixed address families, VLAN id > 4094, an MTU that leaves no room for
 * an inner Ethernet header). */
int vxlan_tmpl_build(struct vxlan_tmpl *t, const struct vxlan_tmpl_params *p);

enum vxlan_encap_result {
	VXLAN_ENCAP_OK = 0,
	VXLAN_ENCAP_TOO_BIG,     /* outer packet would exceed the tunnel MTU (count per tunnel) */
	VXLAN_ENCAP_NO_HEADROOM, /* not enough mbuf headroom for the outer headers */
	VXLAN_ENCAP_SHARED,      /* mbuf data shared (clone or refcnt > 1): copy it first */
};

/* The flow hash of an inner frame, for the outer UDP source port: MACs, EtherType, VLAN, IP
 * addresses, protocol and L4 ports (ports left out for IP fragments, so the fragments of one
 * datagram take one path).  'm' comes from dp_parse() of the inner frame.  Fast-path safe. */
uint32_t vxlan_flow_hash(const struct dp_meta *m, const struct rte_ether_addr *dst,
			 const struct rte_ether_addr *src);

/* The last IPv4 or non-IP flow an lcore hashed, by the exact inputs of vxlan_flow_hash(): a
 * burst is mostly runs of one flow, and a run then hashes once.  Zero-initialised, it
 * matches nothing. */
struct vxlan_flow_memo {
	uint64_t key[4];
	uint32_t hash;
};

static inline uint64_t
vxlan_load48(const uint8_t *p)
{
	uint32_t lo;
	uint16_t hi;

	memcpy(&lo, p, 4);
	memcpy(&hi, p + 4, 2);
	return (uint64_t)lo | (uint64_t)hi << 32;
}

/* vxlan_flow_hash() of the frame at 'f' (its first 12 bytes: the MACs), through 'memo'.
 * IPv6 frames are hashed every time (their key would not fit). */
static inline uint32_t
vxlan_flow_hash_memo(struct vxlan_flow_memo *memo, const struct dp_meta *m, const uint8_t *f)
{
	const struct rte_ether_addr *dst = (const struct rte_ether_addr *)f;
	const struct rte_ether_addr *src = (const struct rte_ether_addr *)(f + 6);
	uint64_t k[4];

	if (m->l3 == DP_L3_IPV6)
		return vxlan_flow_hash(m, dst, src);
	k[0] = vxlan_load48(f) | (uint64_t)m->ethertype << 48;
	k[1] = vxlan_load48(f + 6) | (uint64_t)m->vlan << 48;
	if (m->l3 == DP_L3_IPV4) {
		k[2] = (uint64_t)m->ip.v4.src_be | (uint64_t)m->ip.v4.dst_be << 32;
		/* Bit 63 marks a key as IPv4 (and any key as set: a zero memo matches none). */
		k[3] = 1ull << 63 | (uint64_t)m->ip_proto |
		       (m->frag ? 0 : (uint64_t)m->sport << 16 | (uint64_t)m->dport << 32);
	} else {
		k[2] = 0;
		k[3] = 1ull << 62;
	}
	if (((k[0] ^ memo->key[0]) | (k[1] ^ memo->key[1]) | (k[2] ^ memo->key[2]) |
	     (k[3] ^ memo->key[3])) == 0)
		return memo->hash;
	memcpy(memo->key, k, sizeof(k));
	memo->hash = vxlan_flow_hash(m, dst, src);
	return memo->hash;
}

/* The ones' complement sum of the 'hl' bytes of an IPv4 header at 'p' (hl a multiple of 4,
 * 20 to 60), folded to 16 bits like rte_raw_cksum(): 0xffff when its checksum is right.
 * 32-bit words at a time, the usual 20 bytes unrolled. */
static inline uint16_t
vxlan_ip4_hdr_sum(const void *p, uint32_t hl)
{
	const uint8_t *b = p;
	uint32_t w[15];
	uint64_t s;

	if (likely(hl == 20)) {
		memcpy(w, b, 20);
		s = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	} else {
		s = 0;
		for (uint32_t i = 0; i + 4 <= hl && i < 60; i += 4) {
			memcpy(w, b + i, 4);
			s += w[0];
		}
	}
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The outer UDP source port for a flow hash: 49152..65535, spread evenly. */
static inline uint16_t
vxlan_sport(uint32_t hash)
{
	return (uint16_t)(VXLAN_SPORT_MIN + (((uint64_t)hash * VXLAN_SPORT_RANGE) >> 32));
}

/* Prepends the outer headers of 't' with 'vni' to the Ethernet frame in 'm' and fills the
 * per-packet fields: IPv4 total length and header checksum (incremental from the template),
 * UDP source port from 'hash', UDP length, UDP checksum (0 over IPv4 as RFC 7348 allows;
 * computed over IPv6, which the Linux vxlan driver requires by default).  Clears the mbuf's
 * TX offload requests, which described the inner headers.  Fast-path safe (no allocation,
 * no syscall).  Returns VXLAN_ENCAP_OK, or the reason 'm' was left untouched (the caller
 * counts it and owns 'm' still). */
enum vxlan_encap_result vxlan_encap_flags(struct rte_mbuf *m, const struct vxlan_tmpl *t,
					  uint32_t vni, uint32_t hash, uint32_t extra_flags);
/* vxlan_encap_flags() with 'extra_flags' (0 or VXLAN_FLAGS_DVS_RELAY) beside the I flag. */
static inline enum vxlan_encap_result
vxlan_encap(struct rte_mbuf *m, const struct vxlan_tmpl *t, uint32_t vni, uint32_t hash)
{
	return vxlan_encap_flags(m, t, vni, hash, 0);
}

/* The local tunnel endpoint, for decap: the addresses outer packets must be sent to. */
struct vxlan_local {
	uint32_t v4_be;     /* 0 = no IPv4 VTEP */
	uint8_t v6[16];
	bool has_v6;
	uint16_t udp_port;  /* host order, 0 = 4789 */
	/* Verify a non-zero outer UDP checksum in software when the driver did not (IPv6: zero
	 * checksums are refused, as the Linux driver does without udp6zerocsumrx). */
	bool verify_udp_csum;
};

#define VXLAN_DECAP_REASONS(X) \
	X(TRUNCATED, "vxlan-truncated", "frame shorter than its outer headers and an inner Ethernet header") \
	X(NOT_IP, "vxlan-not-ip", "outer EtherType is not IPv4/IPv6") \
	X(BAD_IP, "vxlan-bad-ip-header", "outer IP version, header length, total length, checksum, or a fragment") \
	X(NOT_TO_US, "vxlan-not-to-us", "outer destination is not a local VTEP address") \
	X(NOT_UDP, "vxlan-not-udp", "outer IP protocol is not UDP (or IPv6 extension headers)") \
	X(WRONG_PORT, "vxlan-wrong-port", "outer UDP destination port is not the VXLAN port") \
	X(BAD_UDP, "vxlan-bad-udp", "UDP length inconsistent with the IP length, or a bad UDP checksum") \
	X(BAD_FLAGS, "vxlan-bad-flags", "VXLAN I flag clear or a reserved bit set")

enum vxlan_decap_result {
	VXLAN_DECAP_OK = 0,
#define VXLAN_DECAP_ENUM_(id, name, text) VXLAN_DECAP_##id,
	VXLAN_DECAP_REASONS(VXLAN_DECAP_ENUM_)
#undef VXLAN_DECAP_ENUM_
	VXLAN_DECAP_MAX,
};

/* Stable names ("vxlan-bad-flags") and one-line explanations, indexed by the result. */
extern const char *const vxlan_decap_names[VXLAN_DECAP_MAX];
extern const char *const vxlan_decap_texts[VXLAN_DECAP_MAX];

/* Validates the outer Ethernet (up to one 802.1Q/802.1ad tag), IPv4/IPv6, UDP and VXLAN
 * headers of 'm' against 'local', then strips them (and any Ethernet padding after the outer
 * IP packet), leaving the inner frame.  The headers must be in the first segment.  VXLAN
 * flags follow the Linux driver without extensions, but for DVS's relay bit: the flags word
 * must be the I flag (and at most VXLAN_FLAGS_DVS_RELAY) and the reserved byte after the VNI
 * zero.  Fast-path safe.  Returns VXLAN_DECAP_OK with '*vni' and '*outer_src' set, or the
 * reason (then 'm' is unchanged and the caller counts and drops it). */
enum vxlan_decap_result vxlan_decap(struct rte_mbuf *m, const struct vxlan_local *local,
				    uint32_t *vni, struct vxlan_addr *outer_src);

/* vxlan_decap_uplink_v4(): 'm' is not VXLAN to the local IPv4 VTEP (untouched). */
#define VXLAN_DECAP_PASS (-1)

/* The uplink's receive stage in one pass over the outer headers: VXLAN_DECAP_PASS for the
 * uplink's ordinary traffic (anything but IPv4 UDP to 'local->v4_be' on the VXLAN port, after
 * up to one tag), else vxlan_decap()'s result for it: VXLAN_DECAP_OK with '*vni' and
 * '*outer_src_be' set and the outer headers stripped, or the reason to drop it.  Fast-path
 * safe. */
int vxlan_decap_uplink_v4(struct rte_mbuf *m, const struct vxlan_local *local, uint32_t *vni,
			  uint32_t *outer_src_be);

/* True if the frame vxlan_decap() (or vxlan_decap_uplink_v4()) just returned OK for carried
 * VXLAN_FLAGS_DVS_RELAY.  Only right after that call: it reads the VXLAN header the decap
 * stripped, still in the headroom. */
static inline bool
vxlan_decapped_relay(const struct rte_mbuf *m)
{
	const uint8_t *vx = rte_pktmbuf_mtod(m, const uint8_t *) - VXLAN_HDR_SIZE;
	return (vx[1] & (VXLAN_FLAGS_DVS_RELAY >> 16)) != 0;
}
