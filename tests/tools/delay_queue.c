/* SPDX-License-Identifier: Apache-2.0 */
/* The delay line's per-direction FIFO.  A frame's release time is fixed when it arrives:
 * the link serialises frames one after the other at the configured rate (the next frame
 * starts when the previous one has left, or when it arrives if the link is idle), then each
 * spends the propagation delay (plus jitter) in flight.  Because release times are clamped to
 * be non-decreasing, one FIFO ordered by arrival is also ordered by release time, which is
 * what lets the caller sleep until the head's release time alone.
 *
 * Storage: frames are copied back to back into a byte ring; a frame that does not fit before
 * the end of the ring starts again at offset 0 (the tail gap is wasted until the ring drains
 * past it).  Frames leave in the order they came, so the free space is always the one
 * contiguous run after the newest frame and the run before the oldest one. */

#include "delay_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DELAY_QUEUE_MAX_BYTES (1ull << 30)

struct delay_queue {
	struct delay_queue_conf conf;
	struct delay_queue_frame *frames; /* descriptor ring, conf.limit_frames entries */
	uint8_t *ring;                    /* byte ring, conf.limit_bytes bytes */
	uint32_t first;                   /* index of the oldest frame */
	uint32_t n;                       /* frames held */
	uint64_t head;                    /* ring offset just after the newest frame */
	uint64_t used;                    /* sum of the held frames' sizes */
	uint64_t link_free_ns;            /* when the link finishes sending the newest frame */
	uint64_t last_release_ns;         /* release time of the newest frame */
	uint64_t rng;                     /* xorshift64* state for the jitter */
};

struct delay_queue *delay_queue_create(const struct delay_queue_conf *conf)
{
	struct delay_queue *q;

	if (!conf->limit_frames || !conf->limit_bytes || conf->limit_bytes > DELAY_QUEUE_MAX_BYTES) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->conf = *conf;
	q->rng = conf->seed ? conf->seed : 0x9e3779b97f4a7c15ull;
	q->frames = calloc(conf->limit_frames, sizeof(*q->frames));
	/* Pages of the ring are only touched as frames fill them. */
	q->ring = malloc(conf->limit_bytes);
	if (!q->frames || !q->ring) {
		delay_queue_destroy(q);
		errno = ENOMEM;
		return NULL;
	}
	return q;
}

void delay_queue_destroy(struct delay_queue *q)
{
	if (!q)
		return;
	free(q->frames);
	free(q->ring);
	free(q);
}

static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Where a frame of 'size' bytes can start in the ring, or -1 if it cannot fit now. */
static int64_t ring_place(const struct delay_queue *q, uint64_t size)
{
	uint64_t cap = q->conf.limit_bytes, tail;

	if (q->n == 0)
		return size <= cap ? 0 : -1;
	tail = (uint64_t)(q->frames[q->first].data - q->ring);
	if (q->head > tail) {
		/* Free: [head, cap) and [0, tail). */
		if (cap - q->head >= size)
			return (int64_t)q->head;
		return tail >= size ? 0 : -1;
	}
	if (q->head < tail)
		return tail - q->head >= size ? (int64_t)q->head : -1;
	return -1; /* head == tail with frames held: the ring is exactly full */
}

int delay_queue_push(struct delay_queue *q, uint64_t now_ns, const void *data, uint32_t size,
		     uint32_t wire_size)
{
	const struct delay_queue_conf *c = &q->conf;
	uint64_t start, link_free, release, rng = q->rng;
	struct delay_queue_frame *f;
	int64_t off;

	if (size == 0)
		return -EINVAL;
	if (q->n >= c->limit_frames)
		return -ENOBUFS;
	off = ring_place(q, size);
	if (off < 0)
		return -ENOBUFS;

	start = now_ns > q->link_free_ns ? now_ns : q->link_free_ns;
	link_free = start;
	if (c->rate_bps)
		link_free += (uint64_t)((unsigned __int128)wire_size * 8 * 1000000000u / c->rate_bps);
	release = link_free + c->delay_ns;
	if (c->jitter_ns) {
		uint64_t span = 2 * c->jitter_ns + 1, draw = next_random(&rng) % span;

		/* delay - jitter + draw, never before the frame has left the link */
		release = release + draw > c->jitter_ns + link_free ? release + draw - c->jitter_ns
								    : link_free;
	}
	if (release < q->last_release_ns)
		release = q->last_release_ns; /* jitter must not reorder */

	f = &q->frames[(q->first + q->n) % c->limit_frames];
	f->data = q->ring + off;
	f->size = size;
	f->release_ns = release;
	memcpy(q->ring + off, data, size);
	q->head = (uint64_t)off + size;
	q->used += size;
	q->n++;
	q->link_free_ns = link_free;
	q->last_release_ns = release;
	q->rng = rng;
	return 0;
}

const struct delay_queue_frame *delay_queue_head(const struct delay_queue *q)
{
	return q->n ? &q->frames[q->first] : NULL;
}

void delay_queue_pop(struct delay_queue *q)
{
	if (!q->n)
		return;
	q->used -= q->frames[q->first].size;
	q->first = (q->first + 1) % q->conf.limit_frames;
	if (--q->n == 0)
		q->head = 0; /* start again at the front: no wasted tail */
}

uint64_t delay_queue_next_ns(const struct delay_queue *q)
{
	return q->n ? q->frames[q->first].release_ns : UINT64_MAX;
}

uint32_t delay_queue_len(const struct delay_queue *q)
{
	return q->n;
}

uint64_t delay_queue_size(const struct delay_queue *q)
{
	return q->used;
}
