/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* What the delay line needs to know about a frame read from an AF_PACKET socket with
 * PACKET_VNET_HDR: its L3 size as the WAN sees it (per segment, when the kernel hands over an
 * unsegmented GSO frame) for the MTU check, and the bytes it occupies on the wire for the
 * rate limit.  Pure parsing, no I/O. */

#include <linux/virtio_net.h>
#include <stdint.h>

struct frame_info {
	uint32_t l2_size;   /* Ethernet header plus VLAN tags */
	uint32_t l3_size;   /* largest L3 packet on the wire (one segment's, for GSO) */
	uint32_t wire_size; /* bytes on the wire, summed over segments */
	uint32_t n_segs;    /* 1, or the segments a GSO frame will become */
};

/* Parses 'frame' ('size' bytes, starting at the destination MAC) and its virtio header 'vh'
 * (little-endian fields, as AF_PACKET gives them on x86).  Returns 0, or -EPROTO if the frame
 * is too short or the GSO description does not match the headers (a GSO shape the delay line
 * cannot forward faithfully, such as a tunnel GSO frame). */
int frame_info_parse(const struct virtio_net_hdr *vh, const uint8_t *frame, uint32_t size,
		     struct frame_info *fi);
