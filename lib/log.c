/* SPDX-License-Identifier: Apache-2.0 */
/* Logging for every DVS program: level filter, one write(2) per line so threads never
 * interleave, a syslog <N> prefix instead of our timestamp when journald reads stderr, and
 * the rate limiter behind DVS_LOG_RL. */

#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "loop.h"

/* A line longer than this is cut and ends with "..." rather than split over two writes. */
#define LOG_LINE_MAX 2048

static volatile int log_level = DVS_LOG_INFO;
static int log_fd = STDERR_FILENO;
static bool log_journald;
static char log_prog[64] = "dvs";
/* Guards the rate limiters: call sites share static state across threads. */
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {
	[DVS_LOG_ERR] = "ERR",
	[DVS_LOG_WARN] = "WARN",
	[DVS_LOG_INFO] = "INFO",
	[DVS_LOG_DEBUG] = "DBG",
};

/* systemd sets JOURNAL_STREAM=DEV:INO for the stream it connected to stderr; only when 'fd'
 * is that very stream does journald add its own timestamp, so ours would be noise. */
static bool
log_fd_is_journal(int fd)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(fd, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
dvs_log_init(const char *prog, enum dvs_log_level level)
{
	if (prog) {
		const char *slash = strrchr(prog, '/');
		snprintf(log_prog, sizeof(log_prog), "%s", slash ? slash + 1 : prog);
	}
	dvs_log_set_level(level);
	log_journald = log_fd_is_journal(log_fd);
}

void
dvs_log_set_output(int fd)
{
	log_fd = fd;
	log_journald = log_fd_is_journal(fd);
}

const char *
dvs_log_prog(void)
{
	return log_prog;
}

void
dvs_log_set_level(enum dvs_log_level level)
{
	if (level < DVS_LOG_ERR)
		level = DVS_LOG_ERR;
	if (level > DVS_LOG_DEBUG)
		level = DVS_LOG_DEBUG;
	__atomic_store_n(&log_level, (int)level, __ATOMIC_RELAXED);
}

enum dvs_log_level
dvs_log_get_level(void)
{
	return (enum dvs_log_level)__atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

int
dvs_log_level_parse(const char *s, enum dvs_log_level *out)
{
	static const struct {
		const char *name;
		enum dvs_log_level level;
	} names[] = {
		{"err", DVS_LOG_ERR},   {"error", DVS_LOG_ERR}, {"warn", DVS_LOG_WARN},
		{"warning", DVS_LOG_WARN}, {"info", DVS_LOG_INFO}, {"debug", DVS_LOG_DEBUG},
	};

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(s, names[i].name)) {
			*out = names[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *
level_name(enum dvs_log_level level)
{
	if ((unsigned)level < sizeof(level_names) / sizeof(level_names[0]) && level_names[level])
		return level_names[level];
	return "LOG";
}

void
dvs_vlog(enum dvs_log_level level, const char *module, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n = 0;
	int r;

	if (level > dvs_log_get_level())
		return;
	if (log_journald) {
		r = snprintf(line, sizeof(line), "<%d>%s|%s|", (int)level, module, level_name(level));
	} else {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		r = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ|%s|%s|",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec, ts.tv_nsec / 1000000, module, level_name(level));
	}
	if (r > 0)
		n = DVS_MIN((size_t)r, sizeof(line) - 1);
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (r > 0 && (size_t)r >= sizeof(line) - n) {
		/* Truncated: mark it so nobody mistakes the cut for the whole message. */
		n = sizeof(line) - 5;
		memcpy(line + n, "...", 3);
		n += 3;
	} else if (r > 0) {
		n += (size_t)r;
	}
	/* One line per message, even if the text has its own trailing newline. */
	while (n > 0 && line[n - 1] == '\n')
		n--;
	line[n++] = '\n';

	for (size_t off = 0; off < n;) {
		ssize_t w = write(log_fd, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

void
dvs_log(enum dvs_log_level level, const char *module, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dvs_vlog(level, module, fmt, ap);
	va_end(ap);
}

bool
dvs_ratelimit_allow(struct dvs_ratelimit *rl, uint32_t *suppressed)
{
	uint64_t now = dvs_now_ms();
	bool allow;

	pthread_mutex_lock(&rl_lock);
	if (rl->window_start_ms == 0 || now - rl->window_start_ms >= rl->interval_ms) {
		rl->window_start_ms = now ? now : 1;
		rl->n_in_window = 0;
	}
	allow = rl->n_in_window < rl->burst;
	if (allow) {
		rl->n_in_window++;
		if (suppressed)
			*suppressed = rl->n_suppressed;
		rl->n_suppressed = 0;
	} else {
		rl->n_suppressed++;
		if (suppressed)
			*suppressed = 0;
	}
	pthread_mutex_unlock(&rl_lock);
	return allow;
}
