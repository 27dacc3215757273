/* SPDX-License-Identifier: Apache-2.0 */
/* delay_queue: release times (delay, rate, jitter without reordering), the frame and byte
 * bounds, byte-ring wrap-around keeping every frame's bytes intact. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "delay_queue.h"

#define MS 1000000ull

static struct delay_queue *make(uint64_t delay_ns, uint64_t jitter_ns, uint64_t rate_bps,
				uint32_t frames, uint64_t bytes)
{
	struct delay_queue_conf c = {delay_ns, jitter_ns, rate_bps, frames, bytes, 42};
	struct delay_queue *q = delay_queue_create(&c);

	assert_non_null(q);
	return q;
}

static void push_byte(struct delay_queue *q, uint64_t now, uint8_t fill, uint32_t size)
{
	uint8_t buf[256];

	memset(buf, fill, size);
	assert_int_equal(delay_queue_push(q, now, buf, size, size), 0);
}

/* Pops the head and checks it is 'size' bytes of 'fill'. */
static void pop_expect(struct delay_queue *q, uint8_t fill, uint32_t size)
{
	const struct delay_queue_frame *f = delay_queue_head(q);
	uint32_t i;

	assert_non_null(f);
	assert_int_equal(f->size, size);
	for (i = 0; i < size; i++)
		assert_int_equal(f->data[i], fill);
	delay_queue_pop(q);
}

static void test_delay_queue_fixed_delay_keeps_order(void **state)
{
	struct delay_queue *q = make(30 * MS, 0, 0, 16, 4096);

	assert_int_equal(delay_queue_next_ns(q), UINT64_MAX);
	push_byte(q, 1 * MS, 0xa1, 60);
	push_byte(q, 2 * MS, 0xa2, 100);
	push_byte(q, 5 * MS, 0xa3, 80);
	assert_int_equal(delay_queue_len(q), 3);
	assert_int_equal(delay_queue_size(q), 240);
	assert_int_equal(delay_queue_next_ns(q), 31 * MS);
	pop_expect(q, 0xa1, 60);
	assert_int_equal(delay_queue_next_ns(q), 32 * MS);
	pop_expect(q, 0xa2, 100);
	assert_int_equal(delay_queue_next_ns(q), 35 * MS);
	pop_expect(q, 0xa3, 80);
	assert_null(delay_queue_head(q));
	assert_int_equal(delay_queue_size(q), 0);
	delay_queue_destroy(q);
}

static void test_delay_queue_frame_limit(void **state)
{
	struct delay_queue *q = make(10 * MS, 0, 0, 2, 4096);
	uint8_t b[10] = {0};

	push_byte(q, 0, 1, 10);
	push_byte(q, 1, 2, 10);
	assert_int_equal(delay_queue_push(q, 2, b, sizeof(b), sizeof(b)), -ENOBUFS);
	assert_int_equal(delay_queue_len(q), 2);
	pop_expect(q, 1, 10);
	push_byte(q, 3, 3, 10);
	pop_expect(q, 2, 10);
	pop_expect(q, 3, 10);
	assert_int_equal(delay_queue_push(q, 4, b, 0, 0), -EINVAL);
	delay_queue_destroy(q);
}

/* 100-byte ring: a frame that does not fit before the end starts at 0 once the oldest frames
 * have left; an exactly full ring refuses even one byte. */
static void test_delay_queue_byte_ring_wraps(void **state)
{
	struct delay_queue *q = make(0, 0, 0, 16, 100);
	uint8_t b[64] = {0};

	push_byte(q, 0, 0x11, 40);
	push_byte(q, 0, 0x22, 40);
	assert_int_equal(delay_queue_push(q, 0, b, 40, 40), -ENOBUFS); /* 20 left at the end */
	pop_expect(q, 0x11, 40);
	push_byte(q, 0, 0x33, 40); /* wraps to offset 0 */
	assert_int_equal(delay_queue_push(q, 0, b, 1, 1), -ENOBUFS); /* 0..40 used, 40..80 used */
	pop_expect(q, 0x22, 40);
	push_byte(q, 0, 0x44, 60); /* 40..100 */
	assert_int_equal(delay_queue_push(q, 0, b, 1, 1), -ENOBUFS); /* exactly full */
	pop_expect(q, 0x33, 40);
	pop_expect(q, 0x44, 60);
	/* Empty again: the whole ring is usable from the start. */
	push_byte(q, 0, 0x55, 100);
	pop_expect(q, 0x55, 100);
	delay_queue_destroy(q);
}

/* 8 Mbit/s is one byte per microsecond: back-to-back 1000-byte frames leave 1 ms apart. */
static void test_delay_queue_rate_serialises(void **state)
{
	struct delay_queue *q = make(5 * MS, 0, 8000000, 16, 8192);
	uint8_t b[1000] = {0};

	assert_int_equal(delay_queue_push(q, 0, b, 10, 1000), 0);
	assert_int_equal(delay_queue_push(q, 0, b, 10, 1000), 0);
	assert_int_equal(delay_queue_next_ns(q), 6 * MS);
	delay_queue_pop(q);
	assert_int_equal(delay_queue_next_ns(q), 7 * MS);
	delay_queue_pop(q);
	/* After an idle gap the link starts again from the arrival time. */
	assert_int_equal(delay_queue_push(q, 100 * MS, b, 10, 1000), 0);
	assert_int_equal(delay_queue_next_ns(q), 106 * MS);
	delay_queue_destroy(q);
}

/* Dense arrivals (10 us apart, jitter +/- 5 ms): a late draw holds back the frames behind it
 * rather than letting them overtake. */
static void test_delay_queue_jitter_never_reorders(void **state)
{
	struct delay_queue *q = make(10 * MS, 5 * MS, 0, 2048, 1 << 20);
	uint64_t prev = 0;
	uint32_t i;

	for (i = 0; i < 1000; i++)
		push_byte(q, i * 10000ull, (uint8_t)i, 16);
	for (i = 0; i < 1000; i++) {
		const struct delay_queue_frame *f = delay_queue_head(q);

		assert_non_null(f);
		assert_int_equal(f->data[0], (uint8_t)i);
		assert_true(f->release_ns >= prev);
		assert_true(f->release_ns >= i * 10000ull + 5 * MS);
		assert_true(f->release_ns <= i * 10000ull + 15 * MS);
		prev = f->release_ns;
		delay_queue_pop(q);
	}
	delay_queue_destroy(q);
}

/* Sparse arrivals (20 ms apart, more than the jitter window): every frame keeps its own draw,
 * and the draws cover the window. */
static void test_delay_queue_jitter_spreads(void **state)
{
	struct delay_queue *q = make(10 * MS, 5 * MS, 0, 16, 4096);
	uint64_t lo = UINT64_MAX, hi = 0, d;
	uint32_t i;

	for (i = 0; i < 500; i++) {
		push_byte(q, i * 20 * MS, 1, 16);
		d = delay_queue_next_ns(q) - i * 20 * MS;
		assert_true(d >= 5 * MS && d <= 15 * MS);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		delay_queue_pop(q);
	}
	assert_true(lo < 6 * MS);
	assert_true(hi > 14 * MS);
	delay_queue_destroy(q);
}

static void test_delay_queue_bad_limits(void **state)
{
	struct delay_queue_conf c = {.limit_frames = 0, .limit_bytes = 100};

	assert_null(delay_queue_create(&c));
	assert_int_equal(errno, EINVAL);
	c.limit_frames = 1;
	c.limit_bytes = 0;
	assert_null(delay_queue_create(&c));
	delay_queue_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay_queue_fixed_delay_keeps_order),
		cmocka_unit_test(test_delay_queue_frame_limit),
		cmocka_unit_test(test_delay_queue_byte_ring_wraps),
		cmocka_unit_test(test_delay_queue_rate_serialises),
		cmocka_unit_test(test_delay_queue_jitter_never_reorders),
		cmocka_unit_test(test_delay_queue_jitter_spreads),
		cmocka_unit_test(test_delay_queue_bad_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
