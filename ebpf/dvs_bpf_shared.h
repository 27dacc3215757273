/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Types shared by the uplink XDP program (uplink_steer.bpf.c) and its loader (loader.c):
 * the rodata configuration block, the map value layouts and the named per-reason counters.
 * Only __u32-style types here: the same header compiles for -target bpf and for userspace. */

#include <linux/types.h>

/* Standard VXLAN UDP port (RFC 7348 section 5). */
#define DVS_XDP_VXLAN_PORT 4789

/* Sizes of the maps; the loader may shrink or grow them before load. */
#define DVS_XDP_MAX_QUEUES 64   /* XSKMAP: one AF_XDP socket per rx queue */
#define DVS_XDP_MAX_VNIS 4096   /* VNI allow hash */
#define DVS_XDP_VLAN_WORDS 64   /* 64 x 64 bits = VLAN ids 0..4095 */

/* Why the program did what it did with a frame.  Every frame increments exactly one reason,
 * so the sum over all reasons is the number of frames the program saw.  Keep in step with
 * DVS_XDP_REASON_NAMES below (the names are what 'dvsctl host H drops' prints). */
enum dvs_xdp_reason {
	DVS_XDP_PASSED = 0,          /* not ours: ARP, SSH, host IP traffic, other UDP */
	DVS_XDP_STEERED_VXLAN,       /* VXLAN to our VTEP with an allowed VNI -> XSK */
	DVS_XDP_STEERED_VLAN,        /* trunk mode, tagged with an allowed VLAN -> XSK */
	DVS_XDP_DROP_MALFORMED,      /* VXLAN to us, truncated or bad IP/UDP lengths */
	DVS_XDP_DROP_BAD_FLAGS,      /* VXLAN flags: I bit clear or a reserved bit set */
	DVS_XDP_DROP_UNKNOWN_VNI,    /* VXLAN to us for a VNI not in the allow map */
	DVS_XDP_DROP_NO_XSK,         /* ours, but no AF_XDP socket on this rx queue */
	DVS_XDP_N_REASONS,
};

#define DVS_XDP_REASON_NAMES \
	{ \
		[DVS_XDP_PASSED] = "passed-to-kernel", \
		[DVS_XDP_STEERED_VXLAN] = "steered-vxlan", \
		[DVS_XDP_STEERED_VLAN] = "steered-vlan", \
		[DVS_XDP_DROP_MALFORMED] = "dropped-malformed-vxlan", \
		[DVS_XDP_DROP_BAD_FLAGS] = "dropped-bad-flags", \
		[DVS_XDP_DROP_UNKNOWN_VNI] = "dropped-unknown-vni", \
		[DVS_XDP_DROP_NO_XSK] = "dropped-no-xsk", \
	}

/* Value of the per-reason PERCPU_ARRAY; userspace sums the per-CPU copies. */
struct dvs_xdp_counter {
	__u64 packets;
	__u64 bytes;
};

/* Value of the VNI allow hash (key: __u32 VNI in host order).  'flags' is reserved. */
struct dvs_xdp_vni_info {
	__u32 flags;
};

/* The program's tunables, a 'const volatile' rodata block that the loader fills before
 * load: the verifier then sees constants and prunes the branches that are switched off. */
struct dvs_xdp_config {
	__u32 vtep4;        /* local VTEP IPv4 address, network order; 0 = no IPv4 VTEP */
	__u32 vtep6[4];     /* local VTEP IPv6 address, network order */
	__u16 vxlan_port;   /* VXLAN UDP destination port, host order */
	__u8 has_vtep6;     /* 1 if vtep6 is set */
	__u8 trunk;         /* 1: tagged frames with an allowed VLAN go to the XSK */
};
