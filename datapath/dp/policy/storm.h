/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Storm control: per-port packets-per-second limits for broadcast, multicast and unknown
 * unicast frames a port sends, each class with its own bucket and its own counted drop.  Runs
 * among the source-port checks, before the FDB floods anything; unknown unicast is only known
 * after the FDB lookup, so the caller passes the class. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "datapath/dp/parse.h"
#include "lib/err.h"

enum storm_class {
	STORM_BROADCAST = 0,
	STORM_MULTICAST,
	STORM_UNKNOWN_UNICAST,
	STORM_CLASS_COUNT,
	STORM_NONE = STORM_CLASS_COUNT, /* known unicast: not limited */
};

#define STORM_PPS_MAX 100000000u /* 100 Mpps */

struct storm_conf {
	uint32_t pps[STORM_CLASS_COUNT];   /* 0 = no limit */
	uint32_t burst[STORM_CLASS_COUNT]; /* frames; 0 = pps/10 (100 ms), at least 1 */
};

/* One bucket per class, in frame-ticks (a frame costs 'hz' units, dt ticks earn pps*dt): exact,
 * like tbucket.h.  Owned by the port's lcore; the control thread reads counters unlocked. */
struct storm {
	uint64_t hz;
	uint64_t rate[STORM_CLASS_COUNT];   /* pps, 0 = unlimited */
	uint64_t depth[STORM_CLASS_COUNT];  /* frame-ticks */
	uint64_t fill[STORM_CLASS_COUNT];   /* ticks to fill an empty bucket */
	uint64_t tokens[STORM_CLASS_COUNT];
	uint64_t last[STORM_CLASS_COUNT];
	uint64_t passed[STORM_CLASS_COUNT];
	uint64_t dropped[STORM_CLASS_COUNT]; /* drop reasons storm_broadcast, _multicast, _unknown */
};

/* Parses {"broadcast_pps": N?, "multicast_pps": N?, "unknown_unicast_pps": N?,
 * "broadcast_burst": N?, ...} (strict).  Missing keys mean no limit / default burst.  Returns
 * 0 or -EINVAL with 'err' naming the field. */
int storm_conf_from_json(const json_t *j, struct storm_conf *c, struct dvs_err *err);
/* Initialises 's' with full buckets and zero counters.  Returns 0 or -EINVAL. */
int storm_init(struct storm *s, const struct storm_conf *c, uint64_t hz, uint64_t now,
	       struct dvs_err *err);

/* The class of a frame from its parsed header and whether the FDB knows its destination. */
static inline enum storm_class
storm_classify(const struct dp_meta *m, bool dst_known)
{
	if (m->dst_bcast)
		return STORM_BROADCAST;
	if (m->dst_bum)
		return STORM_MULTICAST;
	return dst_known ? STORM_NONE : STORM_UNKNOWN_UNICAST;
}

/* Returns true if a frame of class 'c' may pass at 'now' (a token is taken), false if it is
 * dropped (counted in s->dropped[c]).  STORM_NONE always passes.  Fast-path safe. */
bool storm_allow(struct storm *s, enum storm_class c, uint64_t now);

const char *storm_class_name(enum storm_class c);
