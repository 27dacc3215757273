/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Logging for every DVS program.  One module name per .c file (define DVS_LOG_MODULE before
 * including this header, e.g. "dvs.fdb").  Lines go to stderr as
 *   2026-11-21T22:50:01.123Z|dvs.fdb|INFO|text
 * and, when stderr is connected to journald (JOURNAL_STREAM), with a <N> syslog prefix instead
 * of the timestamp.  Thread safe (one write(2) per line).  Never call from the fast path. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum dvs_log_level {
	DVS_LOG_ERR = 3,
	DVS_LOG_WARN = 4,
	DVS_LOG_INFO = 6,
	DVS_LOG_DEBUG = 7,
};

/* Sets the program name and the most verbose level printed (default INFO). */
void dvs_log_init(const char *prog, enum dvs_log_level level);
void dvs_log_set_level(enum dvs_log_level level);
/* Sends lines to 'fd' instead of stderr (tests, or a log file); journald detection follows. */
void dvs_log_set_output(int fd);
/* The program name given to dvs_log_init() (basename), "dvs" before. */
const char *dvs_log_prog(void);
enum dvs_log_level dvs_log_get_level(void);
/* Parses "err", "warn", "info" or "debug".  Returns 0 or -EINVAL. */
int dvs_log_level_parse(const char *s, enum dvs_log_level *out);

void dvs_log(enum dvs_log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dvs_vlog(enum dvs_log_level level, const char *module, const char *fmt, va_list ap);

/* A rate limit: at most 'burst' lines per 'interval_ms'; the rest are counted and summarised
 * in the next line that passes. */
struct dvs_ratelimit {
	uint64_t window_start_ms;
	uint32_t interval_ms;
	uint32_t burst;
	uint32_t n_in_window;
	uint32_t n_suppressed;
};
#define DVS_RATELIMIT_INIT(interval, n) { 0, (interval), (n), 0, 0 }
/* Returns true if a line may be printed now; *suppressed gets the count skipped since. */
bool dvs_ratelimit_allow(struct dvs_ratelimit *rl, uint32_t *suppressed);

#ifndef DVS_LOG_MODULE
#define DVS_LOG_MODULE "dvs"
#endif

#define DVS_LOG(lvl, ...) \
	do { \
		if (DVS_LOG_##lvl <= dvs_log_get_level()) \
			dvs_log(DVS_LOG_##lvl, DVS_LOG_MODULE, __VA_ARGS__); \
	} while (0)

/* Rate-limited: 5 lines per 5 s per call site.  For anything a peer or a guest can trigger. */
#define DVS_LOG_RL(lvl, ...) \
	do { \
		static struct dvs_ratelimit rl_ = DVS_RATELIMIT_INIT(5000, 5); \
		uint32_t supp_; \
		if (DVS_LOG_##lvl <= dvs_log_get_level() && dvs_ratelimit_allow(&rl_, &supp_)) { \
			if (supp_) \
				dvs_log(DVS_LOG_##lvl, DVS_LOG_MODULE, "(%u similar lines suppressed)", supp_); \
			dvs_log(DVS_LOG_##lvl, DVS_LOG_MODULE, __VA_ARGS__); \
		} \
	} while (0)
