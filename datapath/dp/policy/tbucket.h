/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Two-bucket traffic meter with vDS semantics (average bps, peak bps, burst bytes), and the
 * ingress policer built on it.  The egress shaper (shaper.h) uses the same bucket.  The clock
 * is an argument ('now' in ticks of 'hz' per second: TSC cycles or ns), so the fast path makes
 * no syscall and tests drive a fake clock.  Token arithmetic is exact integer (no division on
 * the fast path, no rounding drift at any rate from 8 kbit/s to 400 Gbit/s). */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

#define TBUCKET_RATE_MIN 8000ULL                /* 1 kB/s */
#define TBUCKET_RATE_MAX 400000000000ULL        /* 400 Gbit/s */
#define TBUCKET_BURST_MIN 1518ULL               /* one untagged full-size frame */
#define TBUCKET_BURST_MAX (1ULL << 32)          /* 4 GiB */
#define TBUCKET_PEAK_DEPTH_MIN 9216ULL          /* one jumbo frame */

/* User configuration (the PortGroup's shaping policy for one direction). */
struct tbucket_conf {
	uint64_t avg_bps;     /* long-term average, bits per second */
	uint64_t peak_bps;    /* 0: no peak limit; else >= avg_bps */
	uint64_t burst_bytes; /* bytes that may be sent above the average (bucket depth) */
};

typedef unsigned __int128 tbucket_u128;

/* One meter.  Tokens are counted in "bit-ticks": sending one bit costs 'hz' units and 'dt'
 * ticks at R bit/s earn exactly R*dt units, so refill is one multiplication and never rounds.
 * Owned by one lcore at a time: no field is shared or atomic.  Configuration fields are
 * immutable after tbucket_init(). */
struct tbucket {
	uint64_t hz;
	uint64_t avg_bps, peak_bps; /* peak_bps == 0: single bucket */
	tbucket_u128 avg_depth, peak_depth;
	uint64_t avg_fill_ticks, peak_fill_ticks; /* ticks that refill an empty bucket */
	/* mutable state */
	tbucket_u128 avg_tokens, peak_tokens;
	uint64_t last; /* clock of the last refill */
};

/* Checks 'c' and names the field at fault, e.g.
 * "peak_bps: 5000000 below avg_bps 10000000 (must be 0 or >= avg_bps)".  Returns 0 or -EINVAL. */
int tbucket_conf_validate(const struct tbucket_conf *c, struct dvs_err *err);
/* Parses {"avg_bps": N, "peak_bps": N?, "burst_bytes": N} (strict: unknown keys are errors).
 * Returns 0 or -EINVAL with 'err' set.  'c' is only written on success. */
int tbucket_conf_from_json(const json_t *j, struct tbucket_conf *c, struct dvs_err *err);

/* Initialises 'tb' full (a new port may burst at once).  'hz' is the clock's ticks per second
 * (1..10^10).  Returns 0 or -EINVAL with 'err' set.  Control thread. */
int tbucket_init(struct tbucket *tb, const struct tbucket_conf *c, uint64_t hz, uint64_t now,
		 struct dvs_err *err);

/* Adds the tokens earned since the last call.  A clock that goes backwards adds nothing. */
void tbucket_refill(struct tbucket *tb, uint64_t now);

/* Takes 'size' bytes if both buckets hold them (after refilling to 'now').  Returns true if the
 * frame conforms (tokens consumed), false if not (nothing consumed).  Fast-path safe; owner
 * lcore only. */
bool tbucket_take(struct tbucket *tb, uint32_t size, uint64_t now);

/* Bytes available in the average (burst) bucket at the last refill.  For stats and tests. */
uint64_t tbucket_avail_bytes(const struct tbucket *tb);

/* Bucket state that moves with a migrating VM.  Bytes, not bit-ticks, so a destination host
 * with another clock rate can take it. */
struct tbucket_snapshot {
	uint64_t avg_tokens_bytes;
	uint64_t peak_tokens_bytes;
};

/* Reads the state after refilling to 'now'.  Owner lcore, or any thread once the port is no
 * longer polled. */
void tbucket_export(struct tbucket *tb, uint64_t now, struct tbucket_snapshot *s);
/* Loads a snapshot into an initialised bucket (clamped to the depths), as of 'now'. */
void tbucket_import(struct tbucket *tb, const struct tbucket_snapshot *s, uint64_t now);
/* Returns a new object {"avg_tokens_bytes": N, "peak_tokens_bytes": N}. */
json_t *tbucket_snapshot_to_json(const struct tbucket_snapshot *s);
/* Parses the object above (strict).  Returns 0 or -EINVAL with 'err' set. */
int tbucket_snapshot_from_json(const json_t *j, struct tbucket_snapshot *s, struct dvs_err *err);

/* Ingress policer: a bucket plus its counters.  Owner lcore only; the control thread reads the
 * counters without locking (64-bit aligned loads; a stale value is fine for stats). */
struct tbucket_policer {
	struct tbucket tb;
	uint64_t conform_pkts, conform_bytes;
	uint64_t drop_pkts, drop_bytes;
};

int tbucket_policer_init(struct tbucket_policer *p, const struct tbucket_conf *c, uint64_t hz,
			 uint64_t now, struct dvs_err *err);

/* Returns true if a frame of 'size' bytes may pass, false if it must be dropped (counted
 * here; the caller counts its drop reason "policer").  Fast-path safe. */
static inline bool
tbucket_police(struct tbucket_policer *p, uint32_t size, uint64_t now)
{
	if (tbucket_take(&p->tb, size, now)) {
		p->conform_pkts++;
		p->conform_bytes += size;
		return true;
	}
	p->drop_pkts++;
	p->drop_bytes += size;
	return false;
}

/* Lets 'n' frames of 'size' bytes in all pass at once if the buckets hold them all, and returns
 * true: policed one at a time at the same 'now', each would have found its tokens (only the
 * first take refills), so the tokens and counters end the same.  Otherwise returns false with
 * nothing taken or counted: the caller polices frame by frame, and exactly the frames that do
 * not fit are dropped, in order.  Fast-path safe. */
static inline bool
tbucket_police_bulk(struct tbucket_policer *p, uint64_t size, uint32_t n, uint64_t now)
{
	if (size > UINT32_MAX || !tbucket_take(&p->tb, (uint32_t)size, now))
		return false;
	p->conform_pkts += n;
	p->conform_bytes += size;
	return true;
}
