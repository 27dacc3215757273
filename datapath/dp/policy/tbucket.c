/* SPDX-License-Identifier: Apache-2.0 */
/* Two-bucket meter: exact integer token arithmetic in bit-ticks (see tbucket.h). */

#include "tbucket.h"

#include <inttypes.h>

#define TBUCKET_HZ_MAX 10000000000ULL /* 10 GHz: above any TSC */

int
tbucket_conf_validate(const struct tbucket_conf *c, struct dvs_err *err)
{
	if (c->avg_bps < TBUCKET_RATE_MIN || c->avg_bps > TBUCKET_RATE_MAX)
		return dvs_err_set(err, EINVAL, "avg_bps: %" PRIu64 " out of range %llu..%llu", c->avg_bps,
				   TBUCKET_RATE_MIN, TBUCKET_RATE_MAX);
	if (c->peak_bps != 0 && (c->peak_bps < c->avg_bps || c->peak_bps > TBUCKET_RATE_MAX))
		return dvs_err_set(err, EINVAL,
				   "peak_bps: %" PRIu64 " not allowed (must be 0 for no peak limit, or "
				   "%" PRIu64 "..%llu: at least avg_bps)",
				   c->peak_bps, c->avg_bps, TBUCKET_RATE_MAX);
	if (c->burst_bytes < TBUCKET_BURST_MIN || c->burst_bytes > TBUCKET_BURST_MAX)
		return dvs_err_set(err, EINVAL,
				   "burst_bytes: %" PRIu64 " out of range %llu..%llu (at least one "
				   "full-size frame)",
				   c->burst_bytes, TBUCKET_BURST_MIN, TBUCKET_BURST_MAX);
	return 0;
}

int
tbucket_conf_from_json(const json_t *j, struct tbucket_conf *c, struct dvs_err *err)
{
	json_int_t avg = -1, peak = 0, burst = -1;
	struct tbucket_conf tmp;
	json_error_t jerr;
	int ret;

	if (json_unpack_ex((json_t *)j, &jerr, 0, "{s:I, s?:I, s:I!}", "avg_bps", &avg,
			   "peak_bps", &peak, "burst_bytes", &burst) < 0) {
		ret = dvs_err_set(err, EINVAL, "%s (keys: avg_bps, peak_bps?, burst_bytes)", jerr.text);
		goto out;
	}
	if (avg < 0 || peak < 0 || burst < 0) {
		ret = dvs_err_set(err, EINVAL, "%s: negative value",
				  avg < 0 ? "avg_bps" : peak < 0 ? "peak_bps" : "burst_bytes");
		goto out;
	}
	tmp.avg_bps = (uint64_t)avg;
	tmp.peak_bps = (uint64_t)peak;
	tmp.burst_bytes = (uint64_t)burst;
	ret = tbucket_conf_validate(&tmp, err);
	if (ret == 0)
		*c = tmp;
out:
	return ret;
}

static uint64_t
fill_ticks(tbucket_u128 depth, uint64_t rate)
{
	tbucket_u128 t = depth / rate + 1;

	return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

int
tbucket_init(struct tbucket *tb, const struct tbucket_conf *c, uint64_t hz, uint64_t now,
	     struct dvs_err *err)
{
	uint64_t peak_depth;
	int ret;

	ret = tbucket_conf_validate(c, err);
	if (ret < 0)
		goto out;
	if (hz == 0 || hz > TBUCKET_HZ_MAX) {
		ret = dvs_err_set(err, EINVAL, "clock rate %" PRIu64 " Hz out of range 1..%llu", hz,
				  TBUCKET_HZ_MAX);
		goto out;
	}
	tb->hz = hz;
	tb->avg_bps = c->avg_bps;
	tb->avg_depth = (tbucket_u128)c->burst_bytes * 8 * hz;
	tb->avg_fill_ticks = fill_ticks(tb->avg_depth, c->avg_bps);
	tb->peak_bps = c->peak_bps;
	/* The peak bucket only smooths the burst: 1 ms at the peak rate, and never less than a
	 * jumbo frame, or a large frame could never conform. */
	peak_depth = DVS_MAX(c->peak_bps / 8 / 1000, TBUCKET_PEAK_DEPTH_MIN);
	tb->peak_depth = (tbucket_u128)peak_depth * 8 * hz;
	tb->peak_fill_ticks = c->peak_bps ? fill_ticks(tb->peak_depth, c->peak_bps) : 0;
	tb->avg_tokens = tb->avg_depth;
	tb->peak_tokens = tb->peak_depth;
	tb->last = now;
out:
	return ret;
}

static inline tbucket_u128
refill_one(tbucket_u128 tokens, tbucket_u128 depth, uint64_t rate, uint64_t fill, uint64_t dt)
{
	/* Capping dt first keeps rate*dt far from overflow and costs one compare. */
	if (dt >= fill)
		return depth;
	tokens += (tbucket_u128)rate * dt;
	return tokens > depth ? depth : tokens;
}

void
tbucket_refill(struct tbucket *tb, uint64_t now)
{
	uint64_t dt;

	if (now <= tb->last)
		return;
	dt = now - tb->last;
	tb->last = now;
	tb->avg_tokens = refill_one(tb->avg_tokens, tb->avg_depth, tb->avg_bps, tb->avg_fill_ticks, dt);
	if (tb->peak_bps)
		tb->peak_tokens =
			refill_one(tb->peak_tokens, tb->peak_depth, tb->peak_bps, tb->peak_fill_ticks, dt);
}

bool
tbucket_take(struct tbucket *tb, uint32_t size, uint64_t now)
{
	tbucket_u128 cost = (tbucket_u128)size * 8 * tb->hz;

	tbucket_refill(tb, now);
	if (cost > tb->avg_tokens)
		return false;
	if (tb->peak_bps && cost > tb->peak_tokens)
		return false;
	tb->avg_tokens -= cost;
	if (tb->peak_bps)
		tb->peak_tokens -= cost;
	return true;
}

uint64_t
tbucket_avail_bytes(const struct tbucket *tb)
{
	return (uint64_t)(tb->avg_tokens / ((tbucket_u128)8 * tb->hz));
}

void
tbucket_export(struct tbucket *tb, uint64_t now, struct tbucket_snapshot *s)
{
	tbucket_u128 unit = (tbucket_u128)8 * tb->hz;

	tbucket_refill(tb, now);
	s->avg_tokens_bytes = (uint64_t)(tb->avg_tokens / unit);
	s->peak_tokens_bytes = tb->peak_bps ? (uint64_t)(tb->peak_tokens / unit) : 0;
}

void
tbucket_import(struct tbucket *tb, const struct tbucket_snapshot *s, uint64_t now)
{
	tbucket_u128 unit = (tbucket_u128)8 * tb->hz;
	tbucket_u128 a = (tbucket_u128)s->avg_tokens_bytes * unit;
	tbucket_u128 p = (tbucket_u128)s->peak_tokens_bytes * unit;

	tb->avg_tokens = a > tb->avg_depth ? tb->avg_depth : a;
	/* A source without a peak limit exports 0: start the peak bucket full then. */
	if (s->peak_tokens_bytes == 0)
		p = tb->peak_depth;
	tb->peak_tokens = p > tb->peak_depth ? tb->peak_depth : p;
	tb->last = now;
}

json_t *
tbucket_snapshot_to_json(const struct tbucket_snapshot *s)
{
	return json_pack("{s:I, s:I}", "avg_tokens_bytes", (json_int_t)s->avg_tokens_bytes,
			 "peak_tokens_bytes", (json_int_t)s->peak_tokens_bytes);
}

int
tbucket_snapshot_from_json(const json_t *j, struct tbucket_snapshot *s, struct dvs_err *err)
{
	json_int_t a, p;
	json_error_t jerr;
	int ret = 0;

	if (json_unpack_ex((json_t *)j, &jerr, 0, "{s:I, s:I!}", "avg_tokens_bytes", &a,
			   "peak_tokens_bytes", &p) < 0) {
		ret = dvs_err_set(err, EINVAL, "bucket snapshot: %s", jerr.text);
		goto out;
	}
	if (a < 0 || p < 0) {
		ret = dvs_err_set(err, EINVAL, "bucket snapshot: negative token count");
		goto out;
	}
	s->avg_tokens_bytes = (uint64_t)a;
	s->peak_tokens_bytes = (uint64_t)p;
out:
	return ret;
}

int
tbucket_policer_init(struct tbucket_policer *p, const struct tbucket_conf *c, uint64_t hz,
		     uint64_t now, struct dvs_err *err)
{
	p->conform_pkts = p->conform_bytes = p->drop_pkts = p->drop_bytes = 0;
	return tbucket_init(&p->tb, c, hz, now, err);
}
