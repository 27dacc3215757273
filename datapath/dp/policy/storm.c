/* SPDX-License-Identifier: Apache-2.0 */
/* Storm control: one exact packet bucket per frame class. */

#include "storm.h"

#include <stdio.h>
#include <string.h>

#define STORM_HZ_MAX 10000000000ULL

static const char *const class_names[STORM_CLASS_COUNT] = {"broadcast", "multicast",
							    "unknown_unicast"};

const char *
storm_class_name(enum storm_class c)
{
	return (unsigned)c < STORM_CLASS_COUNT ? class_names[c] : "none";
}

static int
json_pps(const json_t *v, const char *field, uint32_t max, uint32_t *out, struct dvs_err *err)
{
	json_int_t x;

	if (!v)
		return 0;
	if (!json_is_integer(v))
		return dvs_err_set(err, EINVAL, "%s: expected an integer 0..%u", field, max);
	x = json_integer_value(v);
	if (x < 0 || x > max)
		return dvs_err_set(err, EINVAL, "%s: %lld out of range 0..%u", field, (long long)x, max);
	*out = (uint32_t)x;
	return 0;
}

int
storm_conf_from_json(const json_t *j, struct storm_conf *c, struct dvs_err *err)
{
	json_t *v[2 * STORM_CLASS_COUNT] = {NULL};
	struct storm_conf tmp = {{0}};
	json_error_t jerr;
	int ret = 0;

	if (json_unpack_ex((json_t *)j, &jerr, 0, "{s?o, s?o, s?o, s?o, s?o, s?o !}",
			   "broadcast_pps", &v[0], "multicast_pps", &v[1], "unknown_unicast_pps",
			   &v[2], "broadcast_burst", &v[3], "multicast_burst", &v[4],
			   "unknown_unicast_burst", &v[5]) < 0) {
		ret = dvs_err_set(err, EINVAL, "storm_control: %s (allowed keys: {broadcast,multicast,"
				  "unknown_unicast}_{pps,burst})", jerr.text);
		goto out;
	}
	for (int i = 0; i < STORM_CLASS_COUNT && ret == 0; i++) {
		char f[40];

		snprintf(f, sizeof(f), "storm_control.%s_pps", class_names[i]);
		ret = json_pps(v[i], f, STORM_PPS_MAX, &tmp.pps[i], err);
		if (ret == 0) {
			snprintf(f, sizeof(f), "storm_control.%s_burst", class_names[i]);
			ret = json_pps(v[STORM_CLASS_COUNT + i], f, STORM_PPS_MAX, &tmp.burst[i], err);
		}
	}
	if (ret == 0)
		*c = tmp;
out:
	return ret;
}

int
storm_init(struct storm *s, const struct storm_conf *c, uint64_t hz, uint64_t now,
	   struct dvs_err *err)
{
	memset(s, 0, sizeof(*s));
	if (hz == 0 || hz > STORM_HZ_MAX)
		return dvs_err_set(err, EINVAL, "storm_control: clock rate %llu Hz out of range 1..%llu",
				   (unsigned long long)hz, STORM_HZ_MAX);
	s->hz = hz;
	for (int i = 0; i < STORM_CLASS_COUNT; i++) {
		uint64_t burst;

		if (c->pps[i] > STORM_PPS_MAX || c->burst[i] > STORM_PPS_MAX)
			return dvs_err_set(err, EINVAL, "storm_control.%s: pps %u, burst %u (each at most "
					   "%u)", class_names[i], c->pps[i], c->burst[i], STORM_PPS_MAX);
		if (c->pps[i] == 0)
			continue;
		burst = c->burst[i] ? c->burst[i] : DVS_MAX(c->pps[i] / 10, 1u);
		/* burst <= 1e8 and hz <= 1e10: the depth stays below 2^60. */
		s->rate[i] = c->pps[i];
		s->depth[i] = burst * hz;
		s->fill[i] = s->depth[i] / s->rate[i] + 1;
		s->tokens[i] = s->depth[i];
		s->last[i] = now;
	}
	return 0;
}

bool
storm_allow(struct storm *s, enum storm_class c, uint64_t now)
{
	uint64_t dt;

	if (c >= STORM_CLASS_COUNT)
		return true;
	if (s->rate[c] == 0) {
		s->passed[c]++;
		return true;
	}
	if (now > s->last[c]) {
		dt = now - s->last[c];
		s->last[c] = now;
		if (dt >= s->fill[c])
			s->tokens[c] = s->depth[c];
		else
			s->tokens[c] = DVS_MIN(s->depth[c], s->tokens[c] + s->rate[c] * dt);
	}
	if (s->tokens[c] < s->hz) {
		s->dropped[c]++;
		return false;
	}
	s->tokens[c] -= s->hz;
	s->passed[c]++;
	return true;
}
