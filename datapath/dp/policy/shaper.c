/* SPDX-License-Identifier: Apache-2.0 */
/* Egress shaper: bounded FIFO drained at the rate of a two-bucket meter. */

#include "shaper.h"

#include <rte_mbuf.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
pow2_ge(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

struct shaper *
shaper_create(const struct tbucket_conf *c, uint32_t depth, uint64_t hz, uint64_t now,
	      struct dvs_err *err)
{
	struct shaper *sh = NULL;
	uint32_t ring;
	size_t size;
	int ret;

	if (depth == 0 || depth > SHAPER_DEPTH_MAX) {
		ret = dvs_err_set(err, EINVAL, "queue_depth: %u out of range 1..%u", depth,
				  SHAPER_DEPTH_MAX);
		goto out;
	}
	ring = pow2_ge(depth);
	size = sizeof(*sh) + ring * sizeof(sh->ring[0]);
	/* Whole cache lines: the struct is written per packet by its lcore only. */
	sh = aligned_alloc(64, (size + 63) & ~(size_t)63);
	if (!sh) {
		ret = -ENOMEM;
		goto out;
	}
	memset(sh, 0, size);
	ret = tbucket_init(&sh->tb, c, hz, now, err);
	if (ret < 0)
		goto out;
	sh->depth = depth;
	sh->mask = ring - 1;
out:
	if (ret < 0) {
		free(sh);
		errno = -ret;
		return NULL;
	}
	return sh;
}

void
shaper_destroy(struct shaper *sh)
{
	free(sh);
}

unsigned
shaper_enqueue(struct shaper *sh, struct rte_mbuf *const pkts[], unsigned n)
{
	uint32_t room = sh->depth - shaper_backlog(sh);
	unsigned i, k = n < room ? n : room;

	for (i = 0; i < k; i++)
		sh->ring[(sh->tail + i) & sh->mask] = pkts[i];
	sh->tail += k;
	for (i = k; i < n; i++) {
		sh->drop_pkts++;
		sh->drop_bytes += rte_pktmbuf_pkt_len(pkts[i]);
	}
	return k;
}

unsigned
shaper_poll(struct shaper *sh, uint64_t now, struct rte_mbuf *out[], unsigned max)
{
	unsigned n = 0;

	tbucket_refill(&sh->tb, now);
	while (n < max && sh->head != sh->tail) {
		struct rte_mbuf *m = sh->ring[sh->head & sh->mask];
		uint32_t len = rte_pktmbuf_pkt_len(m);

		/* Strict FIFO: a large head frame holds back smaller ones behind it. */
		if (!tbucket_take(&sh->tb, len, now))
			break;
		sh->head++;
		sh->tx_pkts++;
		sh->tx_bytes += len;
		out[n++] = m;
	}
	return n;
}

unsigned
shaper_flush(struct shaper *sh, struct rte_mbuf *out[], unsigned max)
{
	unsigned n = 0;

	while (n < max && sh->head != sh->tail)
		out[n++] = sh->ring[sh->head++ & sh->mask];
	return n;
}

uint64_t
shaper_wait_ticks(struct shaper *sh, uint64_t now)
{
	struct tbucket *tb = &sh->tb;
	tbucket_u128 cost, wait = 0, w;

	if (sh->head == sh->tail)
		return 0;
	tbucket_refill(tb, now);
	cost = (tbucket_u128)rte_pktmbuf_pkt_len(sh->ring[sh->head & sh->mask]) * 8 * tb->hz;
	if (cost > tb->avg_tokens)
		wait = (cost - tb->avg_tokens + tb->avg_bps - 1) / tb->avg_bps;
	if (tb->peak_bps && cost > tb->peak_tokens) {
		w = (cost - tb->peak_tokens + tb->peak_bps - 1) / tb->peak_bps;
		if (w > wait)
			wait = w;
	}
	return wait > UINT64_MAX ? UINT64_MAX : (uint64_t)wait;
}
