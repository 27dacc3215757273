// SPDX-License-Identifier: Apache-2.0
/* Receive-only AF_XDP socket on raw syscalls. */

#include "xsk_rx.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_xdp.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define XSK_RX_FRAME_SIZE 4096u

/* One mmap()ed ring shared with the kernel.  'producer'/'consumer' are the kernel's
 * indices: the side that owns an index publishes it with a release store, the other side
 * reads it with an acquire load. */
struct xsk_ring {
	uint32_t *producer;
	uint32_t *consumer;
	void *ring;         /* descriptors: struct xdp_desc (RX) or __u64 addresses (fill) */
	void *map;
	size_t map_size;
	uint32_t mask;
};

struct xsk_rx {
	int fd;
	uint8_t *umem;
	size_t umem_size;
	uint32_t n_frames;
	struct xsk_ring rx, fill;
};

static int ring_map(int fd, struct xsk_ring *r, const struct xdp_ring_offset *off,
		    uint32_t n, size_t desc_size, off_t pgoff)
{
	r->map_size = off->desc + n * desc_size;
	r->map = mmap(NULL, r->map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		      pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	r->producer = (uint32_t *)((uint8_t *)r->map + off->producer);
	r->consumer = (uint32_t *)((uint8_t *)r->map + off->consumer);
	r->ring = (uint8_t *)r->map + off->desc;
	r->mask = n - 1;
	return 0;
}

/* Hands 'n' UMEM addresses from 'addrs' to the kernel through the fill ring. */
static void fill_put(struct xsk_rx *xs, const uint64_t *addrs, uint32_t n)
{
	uint32_t prod = *xs->fill.producer;
	uint64_t *ring = xs->fill.ring;

	for (uint32_t i = 0; i < n; i++)
		ring[(prod + i) & xs->fill.mask] = addrs[i];
	__atomic_store_n(xs->fill.producer, prod + n, __ATOMIC_RELEASE);
}

struct xsk_rx *xsk_rx_create(int ifindex, uint32_t queue, uint32_t n_frames, uint16_t bind_flags)
{
	struct xdp_umem_reg mr = {0};
	struct xdp_mmap_offsets off;
	struct sockaddr_xdp sxdp = {0};
	socklen_t optlen = sizeof(off);
	struct xsk_rx *xs;
	int err = 0;

	if (n_frames < 2 || n_frames > 4096 || (n_frames & (n_frames - 1))) {
		errno = EINVAL;
		return NULL;
	}
	xs = calloc(1, sizeof(*xs));
	if (!xs)
		return NULL;
	xs->n_frames = n_frames;
	xs->umem_size = (size_t)n_frames * XSK_RX_FRAME_SIZE;
	xs->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (xs->fd < 0) {
		err = errno;
		goto out;
	}
	xs->umem = mmap(NULL, xs->umem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (xs->umem == MAP_FAILED) {
		xs->umem = NULL;
		err = errno;
		goto out;
	}
	mr.addr = (uintptr_t)xs->umem;
	mr.len = xs->umem_size;
	mr.chunk_size = XSK_RX_FRAME_SIZE;
	/* The kernel insists on a completion ring even for a receive-only socket. */
	if (setsockopt(xs->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) ||
	    setsockopt(xs->fd, SOL_XDP, XDP_UMEM_FILL_RING, &n_frames, sizeof(n_frames)) ||
	    setsockopt(xs->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n_frames, sizeof(n_frames)) ||
	    setsockopt(xs->fd, SOL_XDP, XDP_RX_RING, &n_frames, sizeof(n_frames)) ||
	    getsockopt(xs->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen)) {
		err = errno;
		goto out;
	}
	err = -ring_map(xs->fd, &xs->rx, &off.rx, n_frames, sizeof(struct xdp_desc),
			XDP_PGOFF_RX_RING);
	if (!err)
		err = -ring_map(xs->fd, &xs->fill, &off.fr, n_frames, sizeof(uint64_t),
				XDP_UMEM_PGOFF_FILL_RING);
	if (err)
		goto out;
	/* Every frame starts in the kernel's hands: the fill ring holds exactly n_frames. */
	for (uint32_t i = 0; i < n_frames; i++) {
		uint64_t addr = (uint64_t)i * XSK_RX_FRAME_SIZE;

		fill_put(xs, &addr, 1);
	}
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = ifindex;
	sxdp.sxdp_queue_id = queue;
	sxdp.sxdp_flags = bind_flags;
	if (bind(xs->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)))
		err = errno;
out:
	if (err) {
		xsk_rx_destroy(xs);
		errno = err;
		return NULL;
	}
	return xs;
}

void xsk_rx_destroy(struct xsk_rx *xs)
{
	if (!xs)
		return;
	if (xs->rx.map)
		munmap(xs->rx.map, xs->rx.map_size);
	if (xs->fill.map)
		munmap(xs->fill.map, xs->fill.map_size);
	if (xs->fd >= 0)
		close(xs->fd);
	if (xs->umem)
		munmap(xs->umem, xs->umem_size);
	free(xs);
}

int xsk_rx_fd(const struct xsk_rx *xs)
{
	return xs->fd;
}

int xsk_rx_poll(struct xsk_rx *xs, int timeout_ms, xsk_rx_cb cb, void *arg)
{
	struct pollfd pfd = {.fd = xs->fd, .events = POLLIN};
	const struct xdp_desc *descs = xs->rx.ring;
	uint32_t cons, prod, n;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	cons = *xs->rx.consumer;
	prod = __atomic_load_n(xs->rx.producer, __ATOMIC_ACQUIRE);
	n = prod - cons;
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = &descs[(cons + i) & xs->rx.mask];
		/* In aligned mode the frame's base is the address rounded down to a chunk. */
		uint64_t base = d->addr & ~(uint64_t)(XSK_RX_FRAME_SIZE - 1);

		if (cb && d->addr + d->len <= xs->umem_size)
			cb(xs->umem + d->addr, d->len, arg);
		fill_put(xs, &base, 1);
	}
	__atomic_store_n(xs->rx.consumer, cons + n, __ATOMIC_RELEASE);
	return (int)n;
}
