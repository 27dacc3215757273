/* SPDX-License-Identifier: Apache-2.0 */
/* The control-thread event loop: epoll for fds, a binary min-heap for timers.
 *
 * Callbacks may add and remove anything, including themselves, so dispatch never holds a
 * pointer across a callback: an fd's epoll cookie carries a generation that a removed or
 * re-added fd no longer matches, and a timer that is running is out of the heap and freed by
 * the dispatcher only after its callback returns. */

#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

#define LOOP_MAX_EVENTS 64

struct fd_entry {
	dvs_loop_fd_cb *cb;
	void *arg;
	uint32_t events;
	uint32_t gen; /* bumped on every add, so stale epoll events are recognised */
	bool active;
};

struct dvs_timer {
	uint64_t deadline_ms;
	uint64_t interval_ms;
	uint64_t seq;   /* arm order: ties on deadline fire first-armed first */
	size_t heap_ix; /* index in loop->heap, or HEAP_NONE */
	dvs_loop_timer_cb *cb;
	void *arg;
	bool repeat;
	bool cancelled; /* set while running: the dispatcher frees it afterwards */
};

#define HEAP_NONE ((size_t)-1)

struct dvs_loop {
	int epfd;
	struct fd_entry *fds; /* indexed by fd */
	size_t n_fds;
	uint32_t next_gen;
	struct dvs_timer **heap;
	size_t heap_len, heap_cap;
	size_t n_timers; /* allocated timers; the heap always has room for all of them */
	uint64_t next_seq;
	struct dvs_timer *running; /* the timer whose callback is on the stack */
	bool stop;
	struct dvs_loop_poll_stats poll; /* busy polling; max_us 0: off */
};

uint64_t
dvs_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
dvs_now_ms(void)
{
	return dvs_now_us() / 1000u;
}

struct dvs_loop *
dvs_loop_create(void)
{
	struct dvs_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int e = errno;
		free(loop);
		errno = e;
		return NULL;
	}
	loop->next_gen = 1;
	return loop;
}

void
dvs_loop_destroy(struct dvs_loop *loop)
{
	if (!loop)
		return;
	for (size_t i = 0; i < loop->heap_len; i++)
		free(loop->heap[i]);
	free(loop->heap);
	free(loop->fds);
	close(loop->epfd);
	free(loop);
}

/* ---- fds ---- */

static uint32_t
to_epoll(uint32_t ev)
{
	uint32_t r = 0;

	if (ev & DVS_LOOP_IN)
		r |= EPOLLIN;
	if (ev & DVS_LOOP_OUT)
		r |= EPOLLOUT;
	return r;
}

static uint32_t
from_epoll(uint32_t ev)
{
	uint32_t r = 0;

	if (ev & (EPOLLIN | EPOLLPRI))
		r |= DVS_LOOP_IN;
	if (ev & EPOLLOUT)
		r |= DVS_LOOP_OUT;
	if (ev & (EPOLLERR | EPOLLHUP))
		r |= DVS_LOOP_ERR;
	return r;
}

static struct fd_entry *
fd_lookup(struct dvs_loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->n_fds || !loop->fds[fd].active)
		return NULL;
	return &loop->fds[fd];
}

int
dvs_loop_add_fd(struct dvs_loop *loop, int fd, uint32_t events, dvs_loop_fd_cb *cb, void *arg)
{
	struct epoll_event ev = {0};
	struct fd_entry *e;

	if (fd < 0 || !cb)
		return -EINVAL;
	if (fd_lookup(loop, fd))
		return -EEXIST;
	if ((size_t)fd >= loop->n_fds) {
		size_t n = DVS_MAX((size_t)fd + 1, loop->n_fds * 2);
		struct fd_entry *fds = realloc(loop->fds, n * sizeof(*fds));

		if (!fds)
			return -ENOMEM;
		memset(fds + loop->n_fds, 0, (n - loop->n_fds) * sizeof(*fds));
		loop->fds = fds;
		loop->n_fds = n;
	}
	e = &loop->fds[fd];
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)loop->next_gen << 32 | (uint32_t)fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	e->cb = cb;
	e->arg = arg;
	e->events = events;
	e->gen = loop->next_gen++;
	if (loop->next_gen == 0)
		loop->next_gen = 1;
	e->active = true;
	return 0;
}

int
dvs_loop_mod_fd(struct dvs_loop *loop, int fd, uint32_t events)
{
	struct fd_entry *e = fd_lookup(loop, fd);
	struct epoll_event ev = {0};

	if (!e)
		return -ENOENT;
	if (e->events == events)
		return 0;
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)e->gen << 32 | (uint32_t)fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	e->events = events;
	return 0;
}

int
dvs_loop_del_fd(struct dvs_loop *loop, int fd)
{
	struct fd_entry *e = fd_lookup(loop, fd);

	if (!e)
		return -ENOENT;
	e->active = false;
	/* EBADF/EPERM: the owner closed it first, which already removed it from epoll. */
	if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 && errno != EBADF &&
	    errno != ENOENT && errno != EPERM)
		return -errno;
	return 0;
}

/* ---- timers: a binary min-heap on (deadline, seq) ---- */

static bool
timer_before(const struct dvs_timer *a, const struct dvs_timer *b)
{
	if (a->deadline_ms != b->deadline_ms)
		return a->deadline_ms < b->deadline_ms;
	return a->seq < b->seq;
}

static void
heap_set(struct dvs_loop *loop, size_t i, struct dvs_timer *t)
{
	loop->heap[i] = t;
	t->heap_ix = i;
}

static void
heap_up(struct dvs_loop *loop, size_t i)
{
	struct dvs_timer *t = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(t, loop->heap[parent]))
			break;
		heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_set(loop, i, t);
}

static void
heap_down(struct dvs_loop *loop, size_t i)
{
	struct dvs_timer *t = loop->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct dvs_timer *best = t;

		if (l < loop->heap_len && timer_before(loop->heap[l], best)) {
			m = l;
			best = loop->heap[l];
		}
		if (r < loop->heap_len && timer_before(loop->heap[r], best))
			m = r;
		if (m == i)
			break;
		heap_set(loop, i, loop->heap[m]);
		i = m;
	}
	heap_set(loop, i, t);
}

/* Grows the heap so that every allocated timer fits: arming then cannot fail, which lets
 * rearm and the repeat path stay void. */
static int
heap_reserve(struct dvs_loop *loop, size_t n)
{
	size_t cap = loop->heap_cap ? loop->heap_cap : 16;
	struct dvs_timer **h;

	if (n <= loop->heap_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	h = realloc(loop->heap, cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	loop->heap = h;
	loop->heap_cap = cap;
	return 0;
}

static void
heap_push(struct dvs_loop *loop, struct dvs_timer *t)
{
	heap_set(loop, loop->heap_len++, t);
	heap_up(loop, t->heap_ix);
}

static void
heap_remove(struct dvs_loop *loop, struct dvs_timer *t)
{
	size_t i = t->heap_ix;
	struct dvs_timer *last;

	if (i == HEAP_NONE)
		return;
	t->heap_ix = HEAP_NONE;
	last = loop->heap[--loop->heap_len];
	if (last == t)
		return;
	heap_set(loop, i, last);
	heap_up(loop, i);
	heap_down(loop, last->heap_ix);
}

static void
timer_arm(struct dvs_loop *loop, struct dvs_timer *t, uint64_t ms)
{
	t->deadline_ms = dvs_now_ms() + ms;
	t->seq = loop->next_seq++;
	heap_push(loop, t);
}

static void
timer_free(struct dvs_loop *loop, struct dvs_timer *t)
{
	loop->n_timers--;
	free(t);
}

struct dvs_timer *
dvs_loop_add_timer(struct dvs_loop *loop, uint64_t ms, bool repeat, dvs_loop_timer_cb *cb,
		   void *arg)
{
	struct dvs_timer *t;

	if (!cb) {
		errno = EINVAL;
		return NULL;
	}
	if (heap_reserve(loop, loop->n_timers + 1) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	loop->n_timers++;
	t->interval_ms = ms;
	t->repeat = repeat;
	t->cb = cb;
	t->arg = arg;
	t->heap_ix = HEAP_NONE;
	timer_arm(loop, t, ms);
	return t;
}

void
dvs_timer_cancel(struct dvs_loop *loop, struct dvs_timer *t)
{
	if (!t)
		return;
	heap_remove(loop, t);
	if (t == loop->running) {
		t->cancelled = true; /* its callback is on the stack: freed when it returns */
		return;
	}
	timer_free(loop, t);
}

void
dvs_timer_rearm(struct dvs_loop *loop, struct dvs_timer *t, uint64_t ms)
{
	if (!t || t->cancelled)
		return;
	heap_remove(loop, t);
	timer_arm(loop, t, ms);
}

uint64_t
dvs_timer_remaining_ms(const struct dvs_timer *t)
{
	uint64_t now = dvs_now_ms();

	if (!t || t->heap_ix == HEAP_NONE)
		return UINT64_MAX;
	return t->deadline_ms > now ? t->deadline_ms - now : 0;
}

/* Runs every timer due at 'now' that was armed before this pass began, so a callback that
 * re-arms with 0 ms cannot keep the pass going forever. */
static int
run_timers(struct dvs_loop *loop)
{
	uint64_t now = dvs_now_ms();
	uint64_t seq_limit = loop->next_seq;
	int n = 0;

	while (loop->heap_len > 0) {
		struct dvs_timer *t = loop->heap[0];

		if (t->deadline_ms > now || t->seq >= seq_limit)
			break;
		heap_remove(loop, t);
		loop->running = t;
		t->cb(loop, t, t->arg);
		loop->running = NULL;
		n++;
		if (t->cancelled) {
			timer_free(loop, t);
		} else if (t->heap_ix != HEAP_NONE) {
			/* re-armed by its own callback */
		} else if (t->repeat) {
			/* From now, not from the old deadline: a loop that was stalled does not
			 * owe a burst of catch-up calls. */
			timer_arm(loop, t, t->interval_ms);
		} else {
			timer_free(loop, t); /* one-shot: done */
		}
	}
	return n;
}

static int
next_timeout(struct dvs_loop *loop, int max_wait_ms)
{
	uint64_t now, wait;

	if (loop->heap_len == 0)
		return max_wait_ms;
	now = dvs_now_ms();
	wait = loop->heap[0]->deadline_ms > now ? loop->heap[0]->deadline_ms - now : 0;
	if (max_wait_ms >= 0 && wait > (uint64_t)max_wait_ms)
		return max_wait_ms;
	return wait > INT32_MAX ? INT32_MAX : (int)wait;
}

void
dvs_loop_set_busy_poll(struct dvs_loop *loop, unsigned max_us)
{
	loop->poll.max_us = max_us;
	if (loop->poll.cur_us > max_us)
		loop->poll.cur_us = max_us;
}

void
dvs_loop_poll_stats(const struct dvs_loop *loop, struct dvs_loop_poll_stats *st)
{
	*st = loop->poll;
}

/* Waits like epoll_wait(), but first polls for up to poll.cur_us when busy polling is on.
 * The window adapts as KVM's halt polling does: it grows when the loop slept and was woken
 * within max_us (polling longer would have caught that event), shrinks when it slept longer
 * (the events are too far apart for polling to pay), and stays put when a poll succeeds.  An
 * idle loop thus ends up not polling at all, and a loop whose peers answer within a few
 * microseconds skips the sleep and the wakeup, which on a virtual machine whose idle vCPUs
 * halt costs tens of microseconds per round trip. */
static int
loop_wait(struct dvs_loop *loop, struct epoll_event *evs, int timeout_ms)
{
	struct dvs_loop_poll_stats *p = &loop->poll;
	uint64_t t0 = 0, spent = 0;
	int n;

	if (!p->max_us || timeout_ms == 0)
		return epoll_wait(loop->epfd, evs, LOOP_MAX_EVENTS, timeout_ms);
	n = epoll_wait(loop->epfd, evs, LOOP_MAX_EVENTS, 0);
	if (n)
		return n;
	t0 = dvs_now_us();
	if (p->cur_us) {
		do {
			n = epoll_wait(loop->epfd, evs, LOOP_MAX_EVENTS, 0);
			spent = dvs_now_us() - t0;
		} while (n == 0 && spent < p->cur_us);
		p->polled_us += spent;
		if (n) {
			p->hits += n > 0; /* not a signal (EINTR) */
			return n;
		}
		p->misses++;
		if (timeout_ms > 0) {
			uint64_t ms = spent / 1000u;
			timeout_ms = (uint64_t)timeout_ms > ms ? timeout_ms - (int)ms : 0;
		}
	}
	n = epoll_wait(loop->epfd, evs, LOOP_MAX_EVENTS, timeout_ms);
	if (n < 0)
		return n;
	uint64_t slept = dvs_now_us() - t0;
	if (n > 0 && slept <= p->max_us) {
		p->cur_us = p->cur_us ? p->cur_us * 2 : DVS_LOOP_POLL_START_US;
		if (p->cur_us > p->max_us)
			p->cur_us = p->max_us;
	} else if (p->cur_us) {
		p->cur_us /= 2;
		if (p->cur_us < DVS_LOOP_POLL_START_US)
			p->cur_us = 0;
	}
	return n;
}

int
dvs_loop_run_once(struct dvs_loop *loop, int max_wait_ms)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int n, ran = 0;

	n = loop_wait(loop, evs, next_timeout(loop, max_wait_ms));
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0; /* a signal: run the timers, let the caller look at its flags */
	}
	for (int i = 0; i < n; i++) {
		int fd = (int)(uint32_t)evs[i].data.u64;
		uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);
		struct fd_entry *e = fd_lookup(loop, fd);
		uint32_t ev;

		/* Removed (or removed and re-added) by an earlier callback of this batch. */
		if (!e || e->gen != gen)
			continue;
		ev = from_epoll(evs[i].events) & (e->events | DVS_LOOP_ERR);
		if (!ev)
			continue;
		e->cb(loop, fd, ev, e->arg);
		ran++;
	}
	return ran + run_timers(loop);
}

int
dvs_loop_run(struct dvs_loop *loop)
{
	int r = 0;

	while (!loop->stop) {
		r = dvs_loop_run_once(loop, -1);
		if (r < 0)
			break;
		r = 0;
	}
	loop->stop = false;
	return r;
}

void
dvs_loop_stop(struct dvs_loop *loop)
{
	loop->stop = true;
}
