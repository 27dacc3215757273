/* SPDX-License-Identifier: Apache-2.0 */
/* Frame sizes for the delay line.  A frame that is not GSO is one packet: its L3 size is the
 * frame minus the Ethernet header and tags.  A GSO frame (TCP or UDP, which the kernel leaves
 * unsegmented between veths) becomes n segments of at most gso_size payload bytes, each with
 * a copy of the headers up to the end of L4: the MTU check applies to one segment, the rate
 * limit to all of them. */

#include "frame_info.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#define ETH_HLEN_ 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* missing from older uapi headers (Debian 12) */
#endif

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The size of the headers each GSO segment repeats (L2 through L4), or 0 if the virtio header
 * does not describe what the frame holds. */
static uint32_t gso_headers_size(const struct virtio_net_hdr *vh, const uint8_t *frame,
				 uint32_t size, uint32_t l2, uint16_t ethertype)
{
	uint32_t csum_start = le16toh(vh->csum_start), l4;
	uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || csum_start < l2 + 20 || size < l2 + 20)
		return 0;
	switch (type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (ethertype == ETHERTYPE_IPV4) {
			uint8_t proto = frame[l2 + 9];

			/* The L4 header must follow the (outer) IP header directly: otherwise this
			 * is a tunnel GSO frame the header cannot describe. */
			if (csum_start != l2 + (uint32_t)(frame[l2] & 0x0f) * 4 ||
			    proto != (type == VIRTIO_NET_HDR_GSO_TCPV4 ? 6 : 17))
				return 0;
		} else if (ethertype != ETHERTYPE_IPV6 || type == VIRTIO_NET_HDR_GSO_TCPV4) {
			return 0;
		}
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (ethertype != ETHERTYPE_IPV6 || csum_start < l2 + 40)
			return 0;
		break;
	default:
		return 0;
	}
	if (type == VIRTIO_NET_HDR_GSO_UDP_L4) {
		l4 = 8;
	} else {
		if (size < csum_start + 13)
			return 0;
		l4 = (uint32_t)(frame[csum_start + 12] >> 4) * 4;
		if (l4 < 20)
			return 0;
	}
	return csum_start + l4 <= size ? csum_start + l4 : 0;
}

int frame_info_parse(const struct virtio_net_hdr *vh, const uint8_t *frame, uint32_t size,
		     struct frame_info *fi)
{
	uint32_t l2 = ETH_HLEN_, hdrs, payload, gso_size;
	uint16_t ethertype;

	if (size < ETH_HLEN_)
		return -EPROTO;
	ethertype = rd16(frame + 12);
	while ((ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ) && size >= l2 + 4) {
		ethertype = rd16(frame + l2 + 2);
		l2 += 4;
	}
	memset(fi, 0, sizeof(*fi));
	fi->l2_size = l2;
	if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		fi->l3_size = size - l2;
		fi->wire_size = size;
		fi->n_segs = 1;
		return 0;
	}
	gso_size = le16toh(vh->gso_size);
	hdrs = gso_headers_size(vh, frame, size, l2, ethertype);
	if (!hdrs || !gso_size)
		return -EPROTO;
	payload = size - hdrs;
	fi->n_segs = payload ? (payload + gso_size - 1) / gso_size : 1;
	fi->l3_size = hdrs - l2 + (payload < gso_size ? payload : gso_size);
	fi->wire_size = fi->n_segs * hdrs + payload;
	return 0;
}
