/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* A small epoll event loop for control threads: file descriptors and timers.  One loop per
 * thread; not thread safe.  Callbacks may add or remove fds and timers, including their own. */

#include <stdbool.h>
#include <stdint.h>

struct dvs_loop;
struct dvs_timer;

#define DVS_LOOP_IN 0x1u
#define DVS_LOOP_OUT 0x4u
#define DVS_LOOP_ERR 0x8u /* error or hang-up; always reported */

typedef void dvs_loop_fd_cb(struct dvs_loop *loop, int fd, uint32_t events, void *arg);
typedef void dvs_loop_timer_cb(struct dvs_loop *loop, struct dvs_timer *t, void *arg);

/* Returns a new loop, or NULL with errno set. */
struct dvs_loop *dvs_loop_create(void);
/* Frees the loop and its timers (not the fds).  Accepts NULL. */
void dvs_loop_destroy(struct dvs_loop *loop);

/* Watches 'fd' for 'events'.  Returns 0, -EEXIST, or another -errno. */
int dvs_loop_add_fd(struct dvs_loop *loop, int fd, uint32_t events, dvs_loop_fd_cb *cb, void *arg);
int dvs_loop_mod_fd(struct dvs_loop *loop, int fd, uint32_t events);
/* Stops watching 'fd' (does not close it).  Safe inside any callback. */
int dvs_loop_del_fd(struct dvs_loop *loop, int fd);

/* Calls 'cb' after 'ms' milliseconds, then every 'ms' if 'repeat'.  Returns the timer (owned
 * by the loop), or NULL with errno set.  A one-shot timer is freed when its callback returns,
 * unless the callback re-armed it: forget the pointer in the callback (or re-arm).  Timers
 * due at the same moment fire in the order they were armed. */
struct dvs_timer *dvs_loop_add_timer(struct dvs_loop *loop, uint64_t ms, bool repeat,
				     dvs_loop_timer_cb *cb, void *arg);
/* Cancels and frees 't'.  Safe inside any callback, including t's own.  Accepts NULL. */
void dvs_timer_cancel(struct dvs_loop *loop, struct dvs_timer *t);
/* Re-arms 't' to fire 'ms' from now (a repeating timer then keeps its own period).  Safe in
 * t's own callback, which is how a one-shot timer is kept alive (retry with backoff). */
void dvs_timer_rearm(struct dvs_loop *loop, struct dvs_timer *t, uint64_t ms);
/* Milliseconds until 't' fires (0 if due), UINT64_MAX if it is not armed. */
uint64_t dvs_timer_remaining_ms(const struct dvs_timer *t);

/* Waits at most 'max_wait_ms' (-1: until something happens) and runs what is ready.
 * Returns the number of callbacks run, or -errno. */
int dvs_loop_run_once(struct dvs_loop *loop, int max_wait_ms);
/* Runs until dvs_loop_stop().  Returns 0, or -errno if epoll itself fails. */
int dvs_loop_run(struct dvs_loop *loop);
void dvs_loop_stop(struct dvs_loop *loop);

/* Busy polling.  When 'max_us' > 0 the loop, before sleeping, polls its fds for an adaptive
 * window of up to 'max_us' microseconds (0, the default, never polls).  The window starts at
 * DVS_LOOP_POLL_START_US, doubles while events keep arriving soon after the loop sleeps, and
 * halves to 0 while they do not: an idle loop costs nothing. */
#define DVS_LOOP_POLL_START_US 10u
struct dvs_loop_poll_stats {
	unsigned max_us, cur_us;  /* the limit, and the window now */
	uint64_t hits, misses;    /* polls that found an event, and that gave up and slept */
	uint64_t polled_us;       /* time spent polling */
};
void dvs_loop_set_busy_poll(struct dvs_loop *loop, unsigned max_us);
void dvs_loop_poll_stats(const struct dvs_loop *loop, struct dvs_loop_poll_stats *st);

/* Monotonic clock in milliseconds and microseconds. */
uint64_t dvs_now_ms(void);
uint64_t dvs_now_us(void);
