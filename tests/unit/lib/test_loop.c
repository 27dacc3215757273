/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for lib/loop.c: timer order and repetition, fd callbacks, and callbacks that
 * add, remove or cancel things (their own included) while the loop dispatches. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "loop.h"

struct rec {
	char order[64];
	int n;
	struct dvs_timer *t[8];
	struct dvs_loop *loop;
	int fds[4][2];
};

static void
rec_timer_cb(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	struct rec *r = arg;

	for (int i = 0; i < 8; i++) {
		if (r->t[i] == t) {
			r->order[r->n++] = (char)('a' + i);
			return;
		}
	}
	r->order[r->n++] = '?';
}

/* Runs the loop until 'pred' holds or 'ms' passes. */
static void
run_for(struct dvs_loop *loop, int ms)
{
	uint64_t end = dvs_now_ms() + (uint64_t)ms;

	while (dvs_now_ms() < end)
		assert_true(dvs_loop_run_once(loop, (int)(end - dvs_now_ms())) >= 0);
}

static void
test_loop_timers_fire_in_deadline_order(void **state)
{
	struct dvs_loop *loop = dvs_loop_create();
	struct rec r = {0};

	assert_non_null(loop);
	r.t[0] = dvs_loop_add_timer(loop, 60, false, rec_timer_cb, &r);
	r.t[1] = dvs_loop_add_timer(loop, 20, false, rec_timer_cb, &r);
	r.t[2] = dvs_loop_add_timer(loop, 40, false, rec_timer_cb, &r);
	r.t[3] = dvs_loop_add_timer(loop, 0, false, rec_timer_cb, &r);
	r.t[4] = dvs_loop_add_timer(loop, 0, false, rec_timer_cb, &r);
	run_for(loop, 100);
	/* Same deadline: first armed first.  One-shots fire exactly once. */
	assert_string_equal(r.order, "debca");
	dvs_loop_destroy(loop);
}

static void
test_loop_timer_repeat_and_cancel(void **state)
{
	struct dvs_loop *loop = dvs_loop_create();
	struct rec r = {0};
	uint64_t start = dvs_now_ms();

	r.t[0] = dvs_loop_add_timer(loop, 20, true, rec_timer_cb, &r);
	while (r.n < 5)
		assert_true(dvs_loop_run_once(loop, 1000) >= 0);
	assert_true(dvs_now_ms() - start >= 100);
	assert_true(dvs_now_ms() - start < 1000);
	dvs_timer_cancel(loop, r.t[0]);
	run_for(loop, 50);
	assert_int_equal(r.n, 5);
	dvs_loop_destroy(loop);
}

static void
cancel_self_cb(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	struct rec *r = arg;

	r->order[r->n++] = 's';
	dvs_timer_cancel(loop, t);
	/* and a sibling that is due in the same pass */
	dvs_timer_cancel(loop, r->t[1]);
	r->t[1] = NULL;
	/* and a new one from inside the callback */
	r->t[2] = dvs_loop_add_timer(loop, 10, false, rec_timer_cb, r);
}

static void
test_loop_timer_cancel_inside_callback(void **state)
{
	struct dvs_loop *loop = dvs_loop_create();
	struct rec r = {0};

	r.t[0] = dvs_loop_add_timer(loop, 5, true, cancel_self_cb, &r);
	r.t[1] = dvs_loop_add_timer(loop, 5, true, rec_timer_cb, &r);
	run_for(loop, 80);
	assert_string_equal(r.order, "sc");
	dvs_loop_destroy(loop);
}

static void
rearm_cb(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	struct rec *r = arg;

	r->order[r->n++] = 'r';
	if (r->n < 3)
		dvs_timer_rearm(loop, t, 10); /* one-shot kept alive: a retry with backoff */
}

static void
test_loop_timer_rearm_in_callback(void **state)
{
	struct dvs_loop *loop = dvs_loop_create();
	struct rec r = {0};
	struct dvs_timer *t = dvs_loop_add_timer(loop, 10, false, rearm_cb, &r);

	assert_true(dvs_timer_remaining_ms(t) <= 10);
	run_for(loop, 100);
	assert_string_equal(r.order, "rrr");
	dvs_loop_destroy(loop);
}

static void
zero_repeat_cb(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	(*(int *)arg)++;
}

static void
test_loop_zero_repeat_does_not_spin_one_pass(void **state)
{
	struct dvs_loop *loop = dvs_loop_create();
	int n = 0;

	dvs_loop_add_timer(loop, 0, true, zero_repeat_cb, &n);
	assert_int_equal(dvs_loop_run_once(loop, 0), 1);
	assert_int_equal(dvs_loop_run_once(loop, 0), 1);
	assert_int_equal(n, 2);
	dvs_loop_destroy(loop); /* frees the armed timer (ASan checks the leak) */
}

static void
fd_cb(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct rec *r = arg;
	char buf[16];

	assert_true(events & DVS_LOOP_IN);
	assert_true(read(fd, buf, sizeof(buf)) > 0);
	for (int i = 0; i < 4; i++) {
		if (r->fds[i][0] == fd)
			r->order[r->n++] = (char)('0' + i);
	}
}

/* Removes every other fd: their events, already returned by epoll in this batch, must not be
 * delivered (the callbacks' state may be gone). */
static void
fd_remover_cb(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct rec *r = arg;
	char buf[16];

	assert_true(read(fd, buf, sizeof(buf)) > 0);
	r->order[r->n++] = 'X';
	for (int i = 0; i < 4; i++) {
		if (r->fds[i][0] != fd) {
			assert_int_equal(dvs_loop_del_fd(loop, r->fds[i][0]), 0);
			close(r->fds[i][0]);
			close(r->fds[i][1]);
			r->fds[i][0] = r->fds[i][1] = -1;
		}
	}
	assert_int_equal(dvs_loop_del_fd(loop, fd), 0);
}

static void
test_loop_fd_callbacks(void **state)
{
	struct dvs_loop *loop = dvs_loop_create();
	struct rec r = {0};

	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe2(r.fds[i], O_NONBLOCK), 0);
		assert_int_equal(dvs_loop_add_fd(loop, r.fds[i][0], DVS_LOOP_IN, fd_cb, &r), 0);
	}
	assert_int_equal(dvs_loop_add_fd(loop, r.fds[0][0], DVS_LOOP_IN, fd_cb, &r), -EEXIST);
	assert_int_equal(dvs_loop_run_once(loop, 10), 0); /* nothing readable: times out */
	assert_int_equal(write(r.fds[1][1], "x", 1), 1);
	assert_int_equal(dvs_loop_run_once(loop, 1000), 1);
	assert_string_equal(r.order, "1");
	/* Watching for OUT only: a readable fd does not call back. */
	assert_int_equal(dvs_loop_mod_fd(loop, r.fds[0][0], DVS_LOOP_OUT), 0);
	assert_int_equal(write(r.fds[0][1], "x", 1), 1);
	assert_int_equal(dvs_loop_run_once(loop, 20), 0);
	assert_int_equal(dvs_loop_mod_fd(loop, r.fds[0][0], DVS_LOOP_IN), 0);
	assert_int_equal(dvs_loop_run_once(loop, 1000), 1);
	assert_string_equal(r.order, "10");
	assert_int_equal(dvs_loop_del_fd(loop, r.fds[0][0]), 0);
	assert_int_equal(dvs_loop_del_fd(loop, r.fds[0][0]), -ENOENT);
	for (int i = 0; i < 2; i++) {
		close(r.fds[i][0]);
		close(r.fds[i][1]);
	}
	dvs_loop_destroy(loop);
}

static void
test_loop_fd_removed_inside_batch(void **state)
{
	struct dvs_loop *loop = dvs_loop_create();
	struct rec r = {0};
	int ran;

	for (int i = 0; i < 4; i++) {
		assert_int_equal(pipe2(r.fds[i], O_NONBLOCK), 0);
		assert_int_equal(dvs_loop_add_fd(loop, r.fds[i][0], DVS_LOOP_IN,
						 i == 0 ? fd_remover_cb : fd_cb, &r), 0);
	}
	/* All four readable at once, so they come back in one epoll batch.  Whichever callback
	 * runs first, the remover (whenever it runs) must stop the rest. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(write(r.fds[i][1], "x", 1), 1);
	ran = dvs_loop_run_once(loop, 1000);
	assert_true(ran >= 1);
	assert_non_null(strchr(r.order, 'X'));
	assert_string_equal(strchr(r.order, 'X'), "X"); /* nothing after the removal */
	assert_int_equal(dvs_loop_run_once(loop, 20), 0);
	close(r.fds[0][0]);
	close(r.fds[0][1]);
	dvs_loop_destroy(loop);
}

static void
stop_cb(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	dvs_loop_stop(loop);
}

static void
test_loop_run_until_stop(void **state)
{
	struct dvs_loop *loop = dvs_loop_create();
	uint64_t start = dvs_now_ms();

	dvs_loop_add_timer(loop, 30, false, stop_cb, NULL);
	assert_int_equal(dvs_loop_run(loop), 0);
	assert_true(dvs_now_ms() - start >= 30);
	dvs_loop_destroy(loop);
	dvs_loop_destroy(NULL);
}

static void
tfd_cb(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	uint64_t n;

	if (read(fd, &n, sizeof n) == (ssize_t)sizeof n)
		*(int *)arg += 1;
}

/* Arms 'tfd' to fire in 'us' microseconds and runs the loop until it has. */
static void
wake_after(struct dvs_loop *loop, int tfd, int *fired, long us)
{
	struct itimerspec its = { .it_value = { us / 1000000, (us % 1000000) * 1000 } };
	int before = *fired;

	assert_int_equal(timerfd_settime(tfd, 0, &its, NULL), 0);
	while (*fired == before)
		assert_true(dvs_loop_run_once(loop, 1000) >= 0);
}

/* The poll window grows while events come soon after the loop sleeps, until polls catch
 * them; it shrinks to nothing while they come late; and without busy polling the loop never
 * polls. */
static void
test_loop_busy_poll_adapts(void **state)
{
	struct dvs_loop *loop = dvs_loop_create();
	struct dvs_loop_poll_stats st;
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), fired = 0;

	assert_true(tfd >= 0);
	assert_int_equal(dvs_loop_add_fd(loop, tfd, DVS_LOOP_IN, tfd_cb, &fired), 0);
	for (int i = 0; i < 3; i++)
		wake_after(loop, tfd, &fired, 200);
	dvs_loop_poll_stats(loop, &st);
	assert_int_equal(st.max_us, 0);
	assert_true(st.hits == 0 && st.misses == 0 && st.polled_us == 0 && st.cur_us == 0);

	/* 10, 20, 40, 80, 160, 320 us: from the seventh wakeup on, a poll finds it. */
	dvs_loop_set_busy_poll(loop, 20000);
	for (int i = 0; i < 12; i++)
		wake_after(loop, tfd, &fired, 200);
	dvs_loop_poll_stats(loop, &st);
	assert_true(st.cur_us >= 200 && st.cur_us <= 20000);
	assert_true(st.hits >= 3);
	assert_true(st.polled_us > 0);

	/* Events 30 ms apart, more than the 5 ms limit: the window halves to 0. */
	dvs_loop_set_busy_poll(loop, 5000);
	dvs_loop_poll_stats(loop, &st);
	assert_true(st.cur_us <= 5000);
	for (int i = 0; i < 10; i++)
		wake_after(loop, tfd, &fired, 30000);
	dvs_loop_poll_stats(loop, &st);
	assert_int_equal(st.cur_us, 0);
	uint64_t polled = st.polled_us;
	wake_after(loop, tfd, &fired, 30000);
	dvs_loop_poll_stats(loop, &st);
	assert_true(st.polled_us == polled); /* an idle loop does not poll */

	dvs_loop_del_fd(loop, tfd);
	close(tfd);
	dvs_loop_destroy(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_timers_fire_in_deadline_order),
		cmocka_unit_test(test_loop_timer_repeat_and_cancel),
		cmocka_unit_test(test_loop_timer_cancel_inside_callback),
		cmocka_unit_test(test_loop_timer_rearm_in_callback),
		cmocka_unit_test(test_loop_zero_repeat_does_not_spin_one_pass),
		cmocka_unit_test(test_loop_fd_callbacks),
		cmocka_unit_test(test_loop_fd_removed_inside_batch),
		cmocka_unit_test(test_loop_run_until_stop),
		cmocka_unit_test(test_loop_busy_poll_adapts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
