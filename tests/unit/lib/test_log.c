/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for lib/log.c and lib/err.c: line format, level filter, journald prefix, rate
 * limiting, and the error message helpers. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DVS_LOG_MODULE "dvs.test"
#include "err.h"
#include "log.h"
#include "loop.h"

static int pipe_fds[2];

static int
setup(void **state)
{
	if (pipe2(pipe_fds, O_NONBLOCK) < 0)
		return -1;
	unsetenv("JOURNAL_STREAM");
	dvs_log_set_output(pipe_fds[1]);
	dvs_log_set_level(DVS_LOG_INFO);
	return 0;
}

static int
teardown(void **state)
{
	dvs_log_set_output(2);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	return 0;
}

/* Everything logged since the last call. */
static char *
drain(void)
{
	static char buf[65536];
	ssize_t n = read(pipe_fds[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
assert_matches(const char *s, const char *re)
{
	regex_t r;

	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE), 0);
	if (regexec(&r, s, 0, NULL, 0) != 0)
		fail_msg("\"%s\" does not match /%s/", s, re);
	regfree(&r);
}

static void
test_log_format(void **state)
{
	DVS_LOG(INFO, "port %s up", "vm1");
	assert_matches(drain(), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"
				"\\|dvs\\.test\\|INFO\\|port vm1 up\n$");
	dvs_log(DVS_LOG_ERR, "dvs.fdb", "trailing newline\n");
	assert_matches(drain(), "\\|dvs\\.fdb\\|ERR\\|trailing newline\n$");
}

static void
test_log_level_filter(void **state)
{
	DVS_LOG(DEBUG, "hidden");
	assert_string_equal(drain(), "");
	dvs_log_set_level(DVS_LOG_DEBUG);
	DVS_LOG(DEBUG, "shown");
	assert_matches(drain(), "\\|DBG\\|shown\n$");
	dvs_log_set_level(DVS_LOG_ERR);
	DVS_LOG(WARN, "hidden too");
	dvs_log(DVS_LOG_INFO, "x", "direct call is filtered as well");
	assert_string_equal(drain(), "");
	assert_int_equal(dvs_log_get_level(), DVS_LOG_ERR);
}

static void
test_log_level_parse(void **state)
{
	enum dvs_log_level l;

	assert_int_equal(dvs_log_level_parse("debug", &l), 0);
	assert_int_equal(l, DVS_LOG_DEBUG);
	assert_int_equal(dvs_log_level_parse("WARN", &l), 0);
	assert_int_equal(l, DVS_LOG_WARN);
	assert_int_equal(dvs_log_level_parse("err", &l), 0);
	assert_int_equal(l, DVS_LOG_ERR);
	assert_int_equal(dvs_log_level_parse("verbose", &l), -EINVAL);
	assert_int_equal(dvs_log_level_parse(NULL, &l), -EINVAL);
}

static void
test_log_journald_prefix(void **state)
{
	struct stat st;
	char js[64];

	assert_int_equal(fstat(pipe_fds[1], &st), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	dvs_log_set_output(pipe_fds[1]);
	DVS_LOG(WARN, "to the journal");
	assert_string_equal(drain(), "<4>dvs.test|WARN|to the journal\n");
	/* Another stream (a different inode) is not the journal: timestamps again. */
	setenv("JOURNAL_STREAM", "1:1", 1);
	dvs_log_set_output(pipe_fds[1]);
	DVS_LOG(WARN, "not the journal");
	assert_matches(drain(), "^[0-9]{4}-.*\\|WARN\\|not the journal\n$");
	unsetenv("JOURNAL_STREAM");
	dvs_log_set_output(pipe_fds[1]);
}

static void
test_log_long_line_truncated(void **state)
{
	char big[5000];
	char *out;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	DVS_LOG(INFO, "%s", big);
	out = drain();
	assert_true(strlen(out) < 2100);
	assert_matches(out, "aaa\\.\\.\\.\n$");
}

struct thread_arg {
	int id;
};

static void *
log_thread(void *arg)
{
	struct thread_arg *a = arg;

	for (int i = 0; i < 50; i++)
		DVS_LOG(INFO, "thread %d line %d %s", a->id, i, "----------------------------------");
	return NULL;
}

static void
test_log_threads_whole_lines(void **state)
{
	pthread_t th[4];
	struct thread_arg args[4];
	regex_t r;
	char *out, *line, *save;
	int n = 0;

	for (int i = 0; i < 4; i++) {
		args[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, log_thread, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	out = drain();
	assert_int_equal(regcomp(&r, "^[0-9TZ:.-]+\\|dvs\\.test\\|INFO\\|thread [0-3] line [0-9]+ -+$",
				 REG_EXTENDED), 0);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (regexec(&r, line, 0, NULL, 0))
			fail_msg("interleaved line: %s", line);
		n++;
	}
	regfree(&r);
	assert_int_equal(n, 200);
}

static void
test_ratelimit_burst_then_summary(void **state)
{
	struct dvs_ratelimit rl = DVS_RATELIMIT_INIT(200, 3);
	uint32_t supp = 99;
	int allowed = 0;

	for (int i = 0; i < 10; i++)
		allowed += dvs_ratelimit_allow(&rl, &supp);
	assert_int_equal(allowed, 3);
	usleep(250 * 1000);
	assert_true(dvs_ratelimit_allow(&rl, &supp));
	assert_int_equal(supp, 7);
	assert_true(dvs_ratelimit_allow(&rl, &supp));
	assert_int_equal(supp, 0);
}

static void
test_log_rl_macro(void **state)
{
	char *out;
	int lines = 0;

	for (int i = 0; i < 20; i++)
		DVS_LOG_RL(WARN, "guest flood %d", i);
	out = drain();
	for (char *p = out; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 5);
	assert_non_null(strstr(out, "guest flood 4"));
	assert_null(strstr(out, "guest flood 5"));
}

static void
test_err_first_wins_and_prefix(void **state)
{
	struct dvs_err e = {0};

	assert_string_equal(dvs_err_msg(&e), "");
	assert_int_equal(dvs_err_set(&e, EINVAL, "vlan: %d out of range 0..4094", 5000), -EINVAL);
	assert_int_equal(dvs_err_set(&e, ENOENT, "later"), -ENOENT);
	assert_int_equal(e.code, EINVAL);
	dvs_err_prefix(&e, "ports[%d]", 2);
	dvs_err_prefix(&e, "port group \"%s\"", "web");
	assert_string_equal(e.msg, "port group \"web\": ports[2]: vlan: 5000 out of range 0..4094");
	assert_string_equal(dvs_err_msg(&e), e.msg);
	dvs_err_clear(&e);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.msg, "");
	/* A negative code is accepted too, and a NULL err still returns the code. */
	assert_int_equal(dvs_err_set(NULL, -EPERM, "x"), -EPERM);
	assert_int_equal(dvs_err_set(&e, -ERANGE, "%s", ""), -ERANGE);
	assert_string_equal(dvs_err_msg(&e), strerror(ERANGE));
}

static void
test_err_prefix_long(void **state)
{
	struct dvs_err e = {0};
	char big[600];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dvs_err_set(&e, EINVAL, "%s", big);
	assert_int_equal(strlen(e.msg), DVS_ERR_MSG_SIZE - 1);
	dvs_err_prefix(&e, "ctx");
	assert_int_equal(strlen(e.msg), DVS_ERR_MSG_SIZE - 1);
	assert_memory_equal(e.msg, "ctx: xxx", 8);
}

static void
test_now_monotonic(void **state)
{
	uint64_t a = dvs_now_us(), ms = dvs_now_ms();

	usleep(20000);
	assert_true(dvs_now_us() - a >= 20000);
	assert_true(dvs_now_ms() - ms >= 19);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_log_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_level_filter, setup, teardown),
		cmocka_unit_test(test_log_level_parse),
		cmocka_unit_test_setup_teardown(test_log_journald_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_long_line_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_threads_whole_lines, setup, teardown),
		cmocka_unit_test(test_ratelimit_burst_then_summary),
		cmocka_unit_test_setup_teardown(test_log_rl_macro, setup, teardown),
		cmocka_unit_test(test_err_first_wins_and_prefix),
		cmocka_unit_test(test_err_prefix_long),
		cmocka_unit_test(test_now_monotonic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
