/* SPDX-License-Identifier: Apache-2.0 */
/* Token buckets, policer and shaper against a fake clock: rate accuracy from 1 Mbit/s to
 * 10 Gbit/s over a simulated 10 s, peak and burst behaviour, queue depth and drops. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "datapath/dp/policy/shaper.h"
#include "datapath/dp/policy/tbucket.h"

#define NS 1000000000ULL
#define FRAME 1500

static void
test_tbucket_validation_errors(void **state)
{
	struct tbucket_conf c = {.avg_bps = 10000000, .peak_bps = 5000000, .burst_bytes = 100000};
	struct dvs_err e = {0};
	json_auto_t *j = NULL;
	struct tbucket tb;

	assert_int_equal(tbucket_conf_validate(&c, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "peak_bps: 5000000"));
	assert_non_null(strstr(e.msg, "at least avg_bps"));

	dvs_err_clear(&e);
	c.peak_bps = 0;
	c.burst_bytes = 100;
	assert_int_equal(tbucket_conf_validate(&c, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "burst_bytes: 100 out of range 1518.."));

	dvs_err_clear(&e);
	c.burst_bytes = 100000;
	c.avg_bps = 1;
	assert_int_equal(tbucket_init(&tb, &c, NS, 0, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "avg_bps: 1 out of range 8000.."));

	dvs_err_clear(&e);
	c.avg_bps = 10000000;
	assert_int_equal(tbucket_init(&tb, &c, 0, 0, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "clock rate 0 Hz"));

	dvs_err_clear(&e);
	j = json_pack("{s:I, s:I, s:I}", "avg_bps", (json_int_t)1000000, "burst_bytes",
		      (json_int_t)20000, "peek_bps", (json_int_t)5);
	assert_int_equal(tbucket_conf_from_json(j, &c, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "peek_bps"));

	dvs_err_clear(&e);
	json_decref(j);
	j = json_pack("{s:I, s:I, s:I}", "avg_bps", (json_int_t)1000000, "burst_bytes",
		      (json_int_t)20000, "peak_bps", (json_int_t)2000000);
	assert_int_equal(tbucket_conf_from_json(j, &c, &e), 0);
	assert_int_equal(c.avg_bps, 1000000);
	assert_int_equal(c.peak_bps, 2000000);
	assert_int_equal(c.burst_bytes, 20000);
}

/* Offers 1.5x the rate for 10 s, in bursts of 32 frames as the fast path sees them, and
 * returns the bytes the policer let through. */
static uint64_t
police_10s(uint64_t rate, uint64_t hz)
{
	struct tbucket_conf c = {.avg_bps = rate, .burst_bytes = DVS_MAX(rate / 8 / 500, 64 * 1024)};
	struct tbucket_policer p;
	struct dvs_err e = {0};
	uint64_t offered_bps = rate + rate / 2;
	/* Time between bursts of 32 frames at the offered load, in exact ticks (rounded down; the
	 * offered load is then slightly above 1.5x, which is fine). */
	uint64_t step = (uint64_t)((unsigned __int128)32 * FRAME * 8 * hz / offered_bps);
	uint64_t now, end = 10 * hz, passed = 0;

	assert_int_equal(tbucket_policer_init(&p, &c, hz, 0, &e), 0);
	/* Start empty so the initial burst does not count toward the average. */
	assert_true(tbucket_take(&p.tb, (uint32_t)c.burst_bytes, 0));
	for (now = step; now <= end; now += step)
		for (int i = 0; i < 32; i++)
			if (tbucket_police(&p, FRAME, now))
				passed += FRAME;
	assert_int_equal(p.conform_bytes, passed);
	assert_true(p.drop_pkts > 0);
	return passed;
}

static void
assert_rate(uint64_t bytes, uint64_t seconds, uint64_t rate)
{
	double measured = (double)bytes * 8 / seconds;
	double err = (measured - (double)rate) / (double)rate;

	print_message("  rate %12llu bit/s: delivered %14.0f bit/s (%+.4f%%)\n",
		      (unsigned long long)rate, measured, err * 100);
	assert_true(err > -0.02 && err < 0.02);
}

static void
test_tbucket_policer_rate_accuracy(void **state)
{
	static const uint64_t rates[] = {1000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL};

	for (size_t i = 0; i < DVS_ARRAY_SIZE(rates); i++) {
		assert_rate(police_10s(rates[i], NS), 10, rates[i]);
		/* A TSC-like clock must give the same answer. */
		assert_rate(police_10s(rates[i], 2394000000ULL), 10, rates[i]);
	}
}

static void
test_tbucket_exact_no_drift(void **state)
{
	/* 1 byte every tick-granular step at an awkward rate: after an hour of 1 ns steps taken
	 * 1 ms at a time the bucket must have earned exactly rate*t/8 bytes. */
	struct tbucket_conf c = {.avg_bps = 1000003, .burst_bytes = TBUCKET_BURST_MAX};
	struct dvs_err e = {0};
	struct tbucket tb;
	uint64_t t;

	assert_int_equal(tbucket_init(&tb, &c, NS, 0, &e), 0);
	tb.avg_tokens = 0;
	for (t = 1; t < 3600 * 1000; t++)
		tbucket_refill(&tb, t * 1000000 + (t % 7)); /* jittered steps */
	tbucket_refill(&tb, 3600 * NS);
	assert_true(tb.avg_tokens == (tbucket_u128)1000003 * 3600 * NS);
	assert_int_equal(tbucket_avail_bytes(&tb), 1000003ULL * 3600 / 8);
	/* A clock going backwards adds nothing. */
	tbucket_refill(&tb, 10);
	assert_int_equal(tbucket_avail_bytes(&tb), 1000003ULL * 3600 / 8);
}

static void
test_tbucket_burst_then_average(void **state)
{
	struct tbucket_conf c = {.avg_bps = 8000000, .burst_bytes = 150000};
	struct dvs_err e = {0};
	struct tbucket tb;
	uint64_t sent = 0;

	assert_int_equal(tbucket_init(&tb, &c, NS, 0, &e), 0);
	/* A full bucket lets the whole burst out at once, and not one frame more. */
	while (tbucket_take(&tb, FRAME, 5 * NS))
		sent += FRAME;
	assert_int_equal(sent, 150000);
	/* Then 1 MB/s: 10 ms later, 10000 bytes = 6 frames (and 1000 bytes left). */
	sent = 0;
	while (tbucket_take(&tb, FRAME, 5 * NS + 10000000))
		sent += FRAME;
	assert_int_equal(sent, 6 * FRAME);
	assert_int_equal(tbucket_avail_bytes(&tb), 1000);
}

static void
test_tbucket_peak_limits_burst_rate(void **state)
{
	/* avg 10 Mbit/s, peak 100 Mbit/s, burst 1 MB; offered 1 Gbit/s.  While burst tokens last
	 * the rate is the peak; afterwards the average. */
	struct tbucket_conf c = {.avg_bps = 10000000, .peak_bps = 100000000, .burst_bytes = 1000000};
	struct dvs_err e = {0};
	struct tbucket tb;
	uint64_t step = FRAME * 8; /* ns per frame at 1 Gbit/s */
	uint64_t now, first50 = 0, late = 0;

	assert_int_equal(tbucket_init(&tb, &c, NS, 0, &e), 0);
	assert_int_equal(tb.peak_depth / (8 * NS), 12500); /* 1 ms at peak */
	for (now = step; now <= 3 * NS; now += step) {
		if (!tbucket_take(&tb, FRAME, now))
			continue;
		if (now <= 50000000)
			first50 += FRAME;
		else if (now > 2 * NS)
			late += FRAME;
	}
	/* First 50 ms: peak rate (plus the 12.5 kB peak bucket that starts full). */
	assert_rate(first50 - 12500, 1, 100000000 / 20);
	/* Burst exhausted after ~89 ms; the last second runs at the average. */
	assert_rate(late, 1, 10000000);
}

/* The fast path's bulk take (pol.c: a whole burst when the tokens are there, else frame by
 * frame) against frame by frame throughout: the same frames pass, the same counters and
 * tokens, at an average and a peak rate, with bursts that fit and bursts that do not. */
static void
test_tbucket_police_bulk_same_as_per_frame(void **state)
{
	static const struct tbucket_conf confs[] = {
		{.avg_bps = 1000000000, .burst_bytes = 40000},
		{.avg_bps = 1000000000, .peak_bps = 2000000000, .burst_bytes = 200000},
	};
	unsigned bulk_taken = 0, bulk_refused = 0;

	srand(3);
	for (size_t k = 0; k < DVS_ARRAY_SIZE(confs); k++) {
		struct tbucket_policer one, bulk;
		struct dvs_err e = {0};
		uint64_t now = 0;

		assert_int_equal(tbucket_policer_init(&one, &confs[k], NS, 0, &e), 0);
		assert_int_equal(tbucket_policer_init(&bulk, &confs[k], NS, 0, &e), 0);
		for (int b = 0; b < 20000; b++) {
			uint32_t size[32];
			uint64_t total = 0;
			unsigned n = 1 + (unsigned)rand() % 32;

			now += (uint64_t)(rand() % 200000); /* 100 us on average: about the average rate */
			for (unsigned i = 0; i < n; i++) {
				size[i] = 64 + (uint32_t)rand() % 1455;
				total += size[i];
			}
			bool all = tbucket_police_bulk(&bulk, total, n, now);
			bulk_taken += all;
			bulk_refused += !all;
			for (unsigned i = 0; i < n; i++) {
				bool a = tbucket_police(&one, size[i], now);
				bool c = all || tbucket_police(&bulk, size[i], now);
				if (a != c)
					fail_msg("conf %zu burst %d frame %u: per frame %d, bulk %d", k, b, i, a, c);
			}
			assert_true(one.tb.avg_tokens == bulk.tb.avg_tokens);
			assert_true(one.tb.peak_tokens == bulk.tb.peak_tokens);
		}
		assert_int_equal(one.conform_pkts, bulk.conform_pkts);
		assert_int_equal(one.conform_bytes, bulk.conform_bytes);
		assert_int_equal(one.drop_pkts, bulk.drop_pkts);
		assert_int_equal(one.drop_bytes, bulk.drop_bytes);
		assert_true(one.drop_pkts > 0);
	}
	print_message("  %u bursts taken whole, %u frame by frame\n", bulk_taken, bulk_refused);
	assert_true(bulk_taken > 0 && bulk_refused > 0);
}

static void
test_tbucket_export_import_roundtrip(void **state)
{
	struct tbucket_conf c = {.avg_bps = 100000000, .peak_bps = 200000000, .burst_bytes = 500000};
	struct tbucket_snapshot s, s2;
	struct dvs_err e = {0};
	struct tbucket a, b;
	json_auto_t *j = NULL;

	assert_int_equal(tbucket_init(&a, &c, NS, 0, &e), 0);
	assert_true(tbucket_take(&a, 9000, 0));
	assert_true(tbucket_take(&a, 1500, 0));
	tbucket_export(&a, 0, &s);
	assert_int_equal(s.avg_tokens_bytes, 500000 - 10500);
	j = tbucket_snapshot_to_json(&s);
	assert_int_equal(tbucket_snapshot_from_json(j, &s2, &e), 0);
	/* The destination runs on a 2.4 GHz TSC: the state is in bytes, so it carries over. */
	assert_int_equal(tbucket_init(&b, &c, 2400000000ULL, 777, &e), 0);
	tbucket_import(&b, &s2, 777);
	assert_int_equal(tbucket_avail_bytes(&b), 500000 - 10500);
	assert_int_equal((uint64_t)(b.peak_tokens / (8 * 2400000000ULL)), s.peak_tokens_bytes);
}

/* Fake mbufs: the shaper only reads pkt_len. */
#define POOL 4096
static struct rte_mbuf pool[POOL];
static struct rte_mbuf *free_list[POOL];
static unsigned n_free;

static void
pool_init(void)
{
	for (unsigned i = 0; i < POOL; i++) {
		pool[i].pkt_len = FRAME;
		free_list[i] = &pool[i];
	}
	n_free = POOL;
}

static uint64_t
shape_10s(uint64_t rate)
{
	struct tbucket_conf c = {.avg_bps = rate, .burst_bytes = DVS_MAX(rate / 8 / 500, 64 * 1024)};
	struct rte_mbuf *burst[32], *out[64];
	struct dvs_err e = {0};
	struct shaper *sh;
	uint64_t offered_bps = rate + rate / 2;
	uint64_t step = 32ULL * FRAME * 8 * NS / offered_bps;
	uint64_t now, sent = 0, dropped = 0;
	unsigned n, k, i;

	pool_init();
	sh = shaper_create(&c, 256, NS, 0, &e);
	assert_non_null(sh);
	assert_true(tbucket_take(&sh->tb, (uint32_t)c.burst_bytes, 0));
	for (now = step; now <= 10 * NS; now += step) {
		for (i = 0; i < 32; i++)
			burst[i] = free_list[--n_free];
		k = shaper_enqueue(sh, burst, 32);
		for (i = k; i < 32; i++) {
			free_list[n_free++] = burst[i];
			dropped++;
		}
		while ((n = shaper_poll(sh, now, out, 64)) > 0)
			for (i = 0; i < n; i++) {
				sent += rte_pktmbuf_pkt_len(out[i]);
				free_list[n_free++] = out[i];
			}
		assert_true(shaper_backlog(sh) <= 256);
	}
	assert_int_equal(sh->drop_pkts, dropped);
	assert_int_equal(sh->tx_bytes, sent);
	assert_true(dropped > 0); /* the load is above the rate: the queue must overflow */
	assert_int_equal(shaper_backlog(sh) + n_free, POOL);
	shaper_destroy(sh);
	return sent;
}

static void
test_tbucket_shaper_rate_accuracy(void **state)
{
	static const uint64_t rates[] = {1000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL};

	for (size_t i = 0; i < DVS_ARRAY_SIZE(rates); i++)
		assert_rate(shape_10s(rates[i]), 10, rates[i]);
}

static void
test_tbucket_shaper_depth_and_drops(void **state)
{
	struct tbucket_conf c = {.avg_bps = 12000000, .burst_bytes = 3000}; /* 1 frame per ms */
	struct rte_mbuf *in[150], *out[200];
	struct dvs_err e = {0};
	struct shaper *sh;
	unsigned i;

	pool_init();
	assert_null(shaper_create(&c, 0, NS, 0, &e));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(e.msg, "queue_depth: 0 out of range 1..65536"));
	sh = shaper_create(&c, 100, NS, 0, &e);
	assert_non_null(sh);
	for (i = 0; i < 150; i++)
		in[i] = &pool[i];
	assert_int_equal(shaper_enqueue(sh, in, 150), 100);
	assert_int_equal(sh->drop_pkts, 50);
	assert_int_equal(sh->drop_bytes, 50 * FRAME);
	assert_int_equal(shaper_backlog(sh), 100);
	/* The 3000-byte burst lets two frames out now, in order. */
	assert_int_equal(shaper_poll(sh, 0, out, 200), 2);
	assert_ptr_equal(out[0], &pool[0]);
	assert_ptr_equal(out[1], &pool[1]);
	/* The next frame needs 1 ms of tokens. */
	assert_int_equal(shaper_wait_ticks(sh, 0), 1000000);
	assert_int_equal(shaper_poll(sh, 999999, out, 200), 0);
	assert_int_equal(shaper_poll(sh, 1000000, out, 200), 1);
	assert_ptr_equal(out[0], &pool[2]);
	/* One frame per ms after that, in order: the bucket never holds more than its burst. */
	for (i = 2; i <= 51; i++) {
		assert_int_equal(shaper_poll(sh, i * 1000000ULL, out, 200), 1);
		assert_ptr_equal(out[0], &pool[i + 1]);
	}
	/* Idle 10 ms: only the 3000-byte burst is available; a short output array is respected. */
	assert_int_equal(shaper_poll(sh, 61000000, out, 1), 1);
	assert_int_equal(shaper_poll(sh, 61000000, out, 200), 1);
	assert_ptr_equal(out[0], &pool[54]);
	assert_int_equal(shaper_poll(sh, 61000000, out, 200), 0);
	assert_int_equal(shaper_backlog(sh), 100 - 55);
	assert_int_equal(shaper_flush(sh, out, 200), 45);
	assert_ptr_equal(out[0], &pool[55]);
	assert_int_equal(shaper_backlog(sh), 0);
	assert_int_equal(sh->tx_pkts, 55);
	shaper_destroy(sh);
	shaper_destroy(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tbucket_validation_errors),
		cmocka_unit_test(test_tbucket_policer_rate_accuracy),
		cmocka_unit_test(test_tbucket_exact_no_drift),
		cmocka_unit_test(test_tbucket_burst_then_average),
		cmocka_unit_test(test_tbucket_peak_limits_burst_rate),
		cmocka_unit_test(test_tbucket_police_bulk_same_as_per_frame),
		cmocka_unit_test(test_tbucket_export_import_roundtrip),
		cmocka_unit_test(test_tbucket_shaper_rate_accuracy),
		cmocka_unit_test(test_tbucket_shaper_depth_and_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
