/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* A minimal receive-only AF_XDP socket on raw syscalls (no libxdp): a small UMEM, a fill
 * ring kept full and an RX ring.  It is what the tests and dvs-xdp-stat register in the
 * program's XSKMAP, and the reference for a raw-socket uplink in switchd (docs/ebpf.md).
 * Single-threaded: one caller per socket. */

#include <stdint.h>

struct xsk_rx;

/* Called for each received frame; 'frame' is borrowed for the duration of the call. */
typedef void (*xsk_rx_cb)(const uint8_t *frame, uint32_t len, void *arg);

/* Creates an AF_XDP socket bound to 'ifindex' / rx queue 'queue' with 'n_frames' UMEM
 * frames of 4 KiB (a power of two, 2..4096).  'bind_flags' are XDP_COPY, XDP_ZEROCOPY or 0
 * (let the kernel choose).  The UMEM is charged to RLIMIT_MEMLOCK unless the caller has
 * CAP_IPC_LOCK.  Returns a new socket, or NULL with errno set. */
struct xsk_rx *xsk_rx_create(int ifindex, uint32_t queue, uint32_t n_frames, uint16_t bind_flags);

/* Frees everything.  Accepts NULL. */
void xsk_rx_destroy(struct xsk_rx *xs);

/* The socket's fd, for dvs_xdp_xsk_set() (borrowed). */
int xsk_rx_fd(const struct xsk_rx *xs);

/* Waits up to 'timeout_ms' for frames, hands each to 'cb' (may be NULL) and returns the
 * frames to the fill ring.  Returns the number of frames received (0 on timeout) or -errno. */
int xsk_rx_poll(struct xsk_rx *xs, int timeout_ms, xsk_rx_cb cb, void *arg);
