/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* One direction of the WAN delay line (dvs-delayline): a FIFO of frames, each stamped with
 * the time it may leave.  Frames are copied into one byte ring (bounded in bytes) indexed by a
 * descriptor ring (bounded in frames).  Release times never go backwards, so the emulated
 * link never reorders, even with jitter.  Single-threaded; no allocation after create. */

#include <stdint.h>

struct delay_queue_conf {
	uint64_t delay_ns;     /* one-way propagation delay */
	uint64_t jitter_ns;    /* each frame gets delay +/- a uniform draw in [0, jitter] */
	uint64_t rate_bps;     /* serialisation rate of the link; 0: unlimited */
	uint32_t limit_frames; /* frames held at most (waiting or in flight) */
	uint64_t limit_bytes;  /* bytes held at most (sum of stored sizes) */
	uint64_t seed;         /* for the jitter draws; 0 picks a fixed default */
};

/* A queued frame, as returned by delay_queue_head(). */
struct delay_queue_frame {
	uint64_t release_ns; /* CLOCK_MONOTONIC time at which it may be sent */
	uint32_t size;       /* bytes at 'data' */
	const uint8_t *data;
};

struct delay_queue;

/* Returns a new, empty queue, or NULL with errno set (EINVAL: a limit is 0 or the byte limit
 * is over 1 GiB; ENOMEM). */
struct delay_queue *delay_queue_create(const struct delay_queue_conf *conf);
/* Frees the queue and every frame in it.  Accepts NULL. */
void delay_queue_destroy(struct delay_queue *q);

/* Copies 'size' bytes of 'data' into the queue as a frame that arrived at 'now_ns' and takes
 * 'wire_size' bytes on the link (what the rate limit charges; it may differ from 'size' when
 * 'data' carries a metadata header or stands for several segments).  Returns 0, or -ENOBUFS
 * if it would exceed a limit (the frame is not queued and the link state is unchanged). */
int delay_queue_push(struct delay_queue *q, uint64_t now_ns, const void *data, uint32_t size,
		     uint32_t wire_size);
/* Returns the oldest frame (borrowed until the next push or pop), or NULL if empty. */
const struct delay_queue_frame *delay_queue_head(const struct delay_queue *q);
/* Drops the oldest frame.  No-op on an empty queue. */
void delay_queue_pop(struct delay_queue *q);
/* The release time of the oldest frame, or UINT64_MAX if empty. */
uint64_t delay_queue_next_ns(const struct delay_queue *q);
/* Frames and stored bytes currently held. */
uint32_t delay_queue_len(const struct delay_queue *q);
uint64_t delay_queue_size(const struct delay_queue *q);
