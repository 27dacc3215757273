/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Egress shaper: a bounded FIFO of mbuf pointers per port, drained at the configured rate by
 * shaper_poll().  Where a policer drops what exceeds the rate, the shaper delays it, so a TCP
 * flow sees queueing instead of loss and reaches the configured rate.  Built on tbucket.h. */

#include <stdint.h>

#include "lib/err.h"
#include "tbucket.h"

struct rte_mbuf;

#define SHAPER_DEPTH_MAX 65536

/* Owned by the lcore that transmits on the port: enqueue and poll from that lcore only.
 * Counters may be read by the control thread without locking (stale values are fine). */
struct shaper {
	struct tbucket tb;
	uint32_t depth; /* most frames queued */
	uint32_t mask;  /* ring size - 1 (power of two >= depth) */
	uint32_t head, tail; /* free-running; tail - head = frames queued */
	uint64_t tx_pkts, tx_bytes;
	uint64_t drop_pkts, drop_bytes; /* refused by shaper_enqueue(): queue full */
	struct rte_mbuf *ring[];
};

/* Creates a shaper with 'depth' frames (1..SHAPER_DEPTH_MAX) and the rates of 'c'; clock as in
 * tbucket_init().  Returns NULL with errno (EINVAL with 'err' set, or ENOMEM).  Control thread. */
struct shaper *shaper_create(const struct tbucket_conf *c, uint32_t depth, uint64_t hz, uint64_t now,
			     struct dvs_err *err);
/* Frees 'sh' (NULL is fine).  The queue must be empty: drain it with shaper_flush() first. */
void shaper_destroy(struct shaper *sh);

/* Queues up to 'n' frames in order.  Returns how many were queued: the first ones.  The caller
 * still owns (and frees) pkts[ret..n-1]; they are counted here as drops ("shaper queue full").
 * Fast-path safe. */
unsigned shaper_enqueue(struct shaper *sh, struct rte_mbuf *const pkts[], unsigned n);

/* Moves to 'out' (at most 'max') the frames at the head of the queue that the buckets allow
 * at 'now', in order.  The caller owns them and transmits them.  Fast-path safe. */
unsigned shaper_poll(struct shaper *sh, uint64_t now, struct rte_mbuf *out[], unsigned max);

/* Moves up to 'max' queued frames to 'out' regardless of rate (port removal).  Returns n. */
unsigned shaper_flush(struct shaper *sh, struct rte_mbuf *out[], unsigned max);

static inline uint32_t
shaper_backlog(const struct shaper *sh)
{
	return sh->tail - sh->head;
}

/* Ticks until the head frame conforms (0 if it does now or the queue is empty): lets an idle
 * lcore sleep exactly as long as it must. */
uint64_t shaper_wait_ticks(struct shaper *sh, uint64_t now);
