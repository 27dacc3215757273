/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Loads and drives the uplink XDP program (uplink_steer.bpf.c) through its libbpf skeleton:
 * set the tunables, load, attach to an interface, fill the VNI/VLAN allow maps, register
 * AF_XDP sockets per rx queue and read the per-reason counters.  Used by dvs-switchd's
 * uplink port and by the dvs-xdp-stat tool.  Control-thread only: nothing here is fast-path
 * safe (every call is a bpf(2) or netlink syscall).  No logging: errors are returned. */

#include <stdbool.h>
#include <stdint.h>

#include "dvs_bpf_shared.h"

struct dvs_xdp;

struct dvs_xdp_opts {
	uint32_t vtep4_be;     /* local VTEP IPv4 address, network order; 0 = none */
	uint8_t vtep6[16];     /* local VTEP IPv6 address; used when has_vtep6 */
	bool has_vtep6;
	uint16_t vxlan_port;   /* VXLAN UDP port, host order; 0 = 4789 */
	bool trunk;            /* steer tagged frames of allowed VLANs to the XSK */
	uint32_t max_vnis;     /* size of the VNI allow map; 0 = DVS_XDP_MAX_VNIS */
	uint32_t max_queues;   /* size of the XSKMAP; 0 = DVS_XDP_MAX_QUEUES */
	/* Share an existing XSKMAP (e.g. the one DPDK's net_af_xdp filled for the program it
	 * loaded with xdp_prog=) instead of creating one; max_queues is then taken from it. */
	bool reuse_xsks_map;
	int xsks_map_fd;       /* borrowed; only with reuse_xsks_map */
};

/* Opens the embedded skeleton, writes 'opts' into its rodata and loads it into the kernel
 * (not attached yet).  Returns a new handle, or NULL with errno set: EINVAL for bad options,
 * EPERM without CAP_BPF/CAP_SYS_ADMIN, or what libbpf reports (verifier rejection: EACCES,
 * EINVAL).  The program works under an 8 MiB RLIMIT_MEMLOCK; the limit is never raised. */
struct dvs_xdp *dvs_xdp_create(const struct dvs_xdp_opts *opts);

/* Opens the DVS program already attached to 'ifindex' (by an earlier dvs_xdp_attach, maybe
 * in another process: XDP attachments outlive their loader) to read counters or update maps.
 * Returns a new handle, or NULL with errno: ENOENT if nothing is attached, EMEDIUMTYPE if
 * the attached program is not DVS's.  Destroying this handle does not detach the program. */
struct dvs_xdp *dvs_xdp_open_attached(int ifindex);

/* Detaches (if this handle attached) and frees everything.  Accepts NULL. */
void dvs_xdp_destroy(struct dvs_xdp *x);

/* Attaches the program to 'ifindex' with bpf_xdp_attach (no libxdp dispatcher).  'xdp_flags'
 * are XDP_FLAGS_* from <linux/if_link.h>: with no mode bit, native (driver) mode is tried
 * first and generic (SKB) mode second; XDP_FLAGS_UPDATE_IF_NOEXIST refuses to replace another
 * program (EBUSY).  Returns 0, -EALREADY if this handle is attached, or -errno. */
int dvs_xdp_attach(struct dvs_xdp *x, int ifindex, uint32_t xdp_flags);

/* Atomically replaces the DVS program attached to 'ifindex' (loaded by anyone, e.g. DPDK's
 * net_af_xdp with xdp_prog=) by this one, in the same attach mode: no frame meets an
 * interface without a program.  Afterwards this handle owns the attachment.  Returns 0,
 * -ENOENT if nothing is attached, -EMEDIUMTYPE if the attached program is not DVS's,
 * -EALREADY if this handle is attached, or -errno. */
int dvs_xdp_replace(struct dvs_xdp *x, int ifindex);

/* Detaches the DVS program attached to 'ifindex' whoever loaded it (one left by a loader
 * that died), if it is still the one attached when the kernel swaps.  Returns 0, -ENOENT if
 * nothing is attached, -EMEDIUMTYPE if the attached program is not DVS's (left alone), or
 * -errno.  On success '*prog_id' (if not NULL) is the removed program's id. */
int dvs_xdp_detach_attached(int ifindex, uint32_t *prog_id);

/* Detaches the program if it is still the one attached.  Returns 0 or -errno. */
int dvs_xdp_detach(struct dvs_xdp *x);

/* "native", "skb" or "none": the mode the last attach obtained. */
const char *dvs_xdp_mode_name(const struct dvs_xdp *x);

/* Allows (add) or forbids (del) VXLAN network identifier 'vni' (0..0xffffff).  Returns 0,
 * -EINVAL for an out-of-range VNI, -E2BIG when the map is full, -ENOENT (del) if absent. */
int dvs_xdp_vni_add(struct dvs_xdp *x, uint32_t vni);
int dvs_xdp_vni_del(struct dvs_xdp *x, uint32_t vni);

/* Allows or forbids trunked VLAN 'vid' (1..4094).  Only effective with opts.trunk.  Not
 * atomic against another process updating the same 64-VLAN word.  Returns 0 or -errno. */
int dvs_xdp_vlan_set(struct dvs_xdp *x, uint16_t vid, bool allowed);

/* Writes the whole trunked-VLAN allow bitmap ('bits': bit vid%64 of word vid/64; VLAN 0
 * and 4095 are ignored) with one map update per word that differs from the map.  Returns 0
 * or -errno. */
int dvs_xdp_vlans_write(struct dvs_xdp *x, const uint64_t bits[DVS_XDP_VLAN_WORDS]);

/* Registers the AF_XDP socket 'xsk_fd' (bound to this interface and 'queue') as the target
 * of steered frames arriving on rx queue 'queue'; _clear removes it.  Returns 0 or -errno
 * (-EINVAL: queue beyond max_queues; -EOPNOTSUPP: xsk_fd is not an AF_XDP socket). */
int dvs_xdp_xsk_set(struct dvs_xdp *x, uint32_t queue, int xsk_fd);
int dvs_xdp_xsk_clear(struct dvs_xdp *x, uint32_t queue);

/* Fills 'out' with the per-reason counters summed over every CPU.  Returns 0 or -errno. */
int dvs_xdp_counters_read(const struct dvs_xdp *x, struct dvs_xdp_counter out[DVS_XDP_N_REASONS]);

/* The counter's user-visible name ("steered-vxlan", ...), or NULL if out of range. */
const char *dvs_xdp_reason_name(unsigned int reason);

/* A new memfd holding the very BPF object embedded in this loader (the skeleton's ELF), so a
 * loader that only takes a path (DPDK's net_af_xdp xdp_prog=) can use "/proc/self/fd/N"
 * instead of an installed file that could belong to another build.  Returns the fd (caller
 * closes) or -errno. */
int dvs_xdp_object_memfd(void);

/* File descriptors owned by the handle (borrowed; valid until dvs_xdp_destroy). */
int dvs_xdp_prog_fd(const struct dvs_xdp *x);
int dvs_xdp_xsks_map_fd(const struct dvs_xdp *x);
