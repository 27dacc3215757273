/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for lib/rpc_server.c, end to end in one process: the server on a dvs_loop on a
 * temporary unix socket, clients in a thread (dvs_jsonrpc_call) or as raw sockets. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonrpc.h"
#include "log.h"
#include "loop.h"

struct fixture {
	char dir[64];
	char path[128];
	struct dvs_loop *loop;
	struct dvs_rpc_server *server;
	int n_calls;
};

static json_t *
m_ports_list(void *ctx, json_t *params, json_t **error)
{
	struct fixture *f = ctx;
	json_t *obj;

	f->n_calls++;
	if (dvs_rpc_params_object(params, &obj, error) < 0)
		return NULL;
	return json_pack("[{s:s, s:s}]", "name", obj ? json_string_value(json_object_get(obj, "name")) : "all", "status", "up");
}

static json_t *
m_refuse(void *ctx, json_t *params, json_t **error)
{
	*error = dvs_rpc_error("invalid argument", "vlan %d out of range 0..4094", 5000);
	return NULL;
}

static json_t *
m_broken(void *ctx, json_t *params, json_t **error)
{
	return NULL; /* a handler bug: no result, no error */
}

static const struct dvs_rpc_method methods[] = {
	{"ports.list", m_ports_list},
	{"refuse", m_refuse},
	{"broken", m_broken},
	{NULL, NULL},
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "/tmp/cl-rpc-XXXXXX");
	if (!mkdtemp(f.dir))
		return -1;
	snprintf(f.path, sizeof(f.path), "%s/ctl.sock", f.dir);
	f.loop = dvs_loop_create();
	f.server = dvs_rpc_server_create(f.loop, f.path, methods, &f);
	*state = &f;
	dvs_log_set_level(DVS_LOG_ERR); /* the drops below warn on purpose */
	return f.server ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	dvs_rpc_server_destroy(f->server);
	/* The socket file goes with the server. */
	assert_int_equal(stat(f->path, &st), -1);
	dvs_loop_destroy(f->loop);
	rmdir(f->dir);
	return 0;
}

struct client_run {
	struct fixture *f;
	volatile int done;
	int rc[4];
	json_t *res[4], *err[4];
};

static void *
client_thread(void *arg)
{
	struct client_run *cr = arg;
	int fd = dvs_unix_connect(cr->f->path);
	struct dvs_jsonrpc *c = fd >= 0 ? dvs_jsonrpc_open(fd, 0, 0) : NULL;

	if (c) {
		cr->rc[0] = dvs_jsonrpc_call(c, "ports.list", json_pack("[{s:s}]", "name", "vm1"),
					     2000, &cr->res[0], &cr->err[0]);
		cr->rc[1] = dvs_jsonrpc_call(c, "no.such", NULL, 2000, &cr->res[1], &cr->err[1]);
		cr->rc[2] = dvs_jsonrpc_call(c, "refuse", NULL, 2000, &cr->res[2], &cr->err[2]);
		cr->rc[3] = dvs_jsonrpc_call(c, "echo", json_pack("[s, i]", "hi", 3), 2000,
					     &cr->res[3], &cr->err[3]);
	}
	dvs_jsonrpc_close(c);
	__atomic_store_n(&cr->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
run_until_done(struct fixture *f, volatile int *done)
{
	uint64_t end = dvs_now_ms() + 5000;

	while (!__atomic_load_n(done, __ATOMIC_ACQUIRE) && dvs_now_ms() < end)
		dvs_loop_run_once(f->loop, 10);
	assert_true(*done);
}

static void
test_rpc_server_dispatch(void **state)
{
	struct fixture *f = *state;
	struct client_run cr = {.f = f};
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, client_thread, &cr), 0);
	run_until_done(f, &cr.done);
	pthread_join(th, NULL);

	assert_int_equal(cr.rc[0], 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(cr.res[0], 0), "name")),
			    "vm1");
	assert_int_equal(f->n_calls, 1);

	assert_int_equal(cr.rc[1], 1);
	assert_string_equal(json_string_value(json_object_get(cr.err[1], "error")), "unknown method");
	assert_non_null(strstr(json_string_value(json_object_get(cr.err[1], "details")), "no.such"));

	assert_int_equal(cr.rc[2], 1);
	assert_string_equal(json_string_value(json_object_get(cr.err[2], "details")),
			    "vlan 5000 out of range 0..4094");

	assert_int_equal(cr.rc[3], 0);
	assert_string_equal(json_string_value(json_array_get(cr.res[3], 0)), "hi");
	assert_int_equal(json_integer_value(json_array_get(cr.res[3], 1)), 3);
	for (int i = 0; i < 4; i++) {
		json_decref(cr.res[i]);
		json_decref(cr.err[i]);
	}
}

/* Raw client helpers: the server runs in this thread between our writes and reads. */
static int
raw_connect(struct fixture *f)
{
	int fd = dvs_unix_connect(f->path);

	assert_true(fd >= 0);
	dvs_loop_run_once(f->loop, 50); /* accept */
	return fd;
}

static void
raw_write(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Runs the server, then returns what arrived on 'fd' ("" if nothing; sets *eof on close). */
static char *
raw_read(struct fixture *f, int fd, bool *eof)
{
	static char buf[8192];
	size_t got = 0;

	*eof = false;
	for (int i = 0; i < 10; i++) {
		ssize_t n;

		dvs_loop_run_once(f->loop, 10);
		while ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
			got += (size_t)n;
		if (n == 0) {
			*eof = true;
			break;
		}
	}
	buf[got] = '\0';
	return buf;
}

static void
test_rpc_server_malformed_gets_error_then_close(void **state)
{
	struct fixture *f = *state;
	int fd = raw_connect(f);
	json_auto_t *reply = NULL;
	bool eof;
	char *out;

	raw_write(fd, "{\"method\":\"echo\",\"params\":[],\"id\":1} {\"method\": nope}");
	out = raw_read(f, fd, &eof);
	assert_true(eof);
	/* First the good request's reply, then the error for the bad one. */
	assert_non_null(strstr(out, "{\"result\":[],\"error\":null,\"id\":1}"));
	reply = json_loads(strchr(out + 1, '{'), JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(reply);
	assert_true(json_is_null(json_object_get(reply, "id")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(reply, "error"), "error")),
			    "malformed request");
	assert_int_equal(dvs_rpc_server_n_clients(f->server), 0);
	close(fd);
}

static void
test_rpc_server_notification_no_reply(void **state)
{
	struct fixture *f = *state;
	int fd = raw_connect(f);
	bool eof;
	char *out;

	raw_write(fd, "{\"method\":\"ports.list\",\"params\":[]}"
		      "{\"method\":\"no.such\",\"params\":[],\"id\":null}"
		      "{\"method\":\"broken\",\"params\":[],\"id\":\"b\"}");
	out = raw_read(f, fd, &eof);
	assert_false(eof);
	assert_int_equal(f->n_calls, 1); /* the notification ran */
	/* Exactly one reply: the one with an id. */
	assert_non_null(strstr(out, "\"id\":\"b\""));
	assert_non_null(strstr(out, "internal error"));
	assert_null(strstr(out + 1, "{\"result\""));
	close(fd);
	dvs_loop_run_once(f->loop, 10);
	assert_int_equal(dvs_rpc_server_n_clients(f->server), 0);
}

static void
test_rpc_server_bad_params(void **state)
{
	struct fixture *f = *state;
	int fd = raw_connect(f);
	bool eof;
	char *out;

	raw_write(fd, "{\"method\":\"ports.list\",\"params\":[1],\"id\":1}"
		      "{\"method\":\"ports.list\",\"params\":{},\"id\":2}");
	out = raw_read(f, fd, &eof);
	assert_false(eof);
	assert_non_null(strstr(out, "params[0] must be an object"));
	assert_non_null(strstr(out, "\"params\\\" must be an array"));
	close(fd);
}

static void
test_rpc_server_drops_client_not_reading(void **state)
{
	struct fixture *f = *state;
	char req[4200], *pad;
	int slow, fast, sndbuf = 4096;
	bool eof;
	char *out;

	/* New connections: at most 64 KiB of unread replies. */
	dvs_rpc_server_set_limits(f->server, 0, 64 * 1024);
	slow = raw_connect(f);
	fast = raw_connect(f);
	assert_int_equal(dvs_rpc_server_n_clients(f->server), 2);
	setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
	pad = malloc(4001);
	memset(pad, 'p', 4000);
	pad[4000] = '\0';
	snprintf(req, sizeof(req), "{\"method\":\"echo\",\"params\":[\"%s\"],\"id\":1}", pad);
	free(pad);
	/* 'slow' sends echo requests and never reads the replies. */
	for (int i = 0; i < 400 && dvs_rpc_server_n_clients(f->server) == 2; i++) {
		if (write(slow, req, strlen(req)) < 0)
			break;
		dvs_loop_run_once(f->loop, 0);
	}
	dvs_loop_run_once(f->loop, 10);
	assert_int_equal(dvs_rpc_server_n_clients(f->server), 1);
	/* The other client is still served. */
	raw_write(fast, "{\"method\":\"echo\",\"params\":[\"still here\"],\"id\":9}");
	out = raw_read(f, fast, &eof);
	assert_non_null(strstr(out, "still here"));
	close(slow);
	close(fast);
}

static void
test_rpc_server_refuses_live_path(void **state)
{
	struct fixture *f = *state;
	struct dvs_rpc_server *s2 = dvs_rpc_server_create(f->loop, f->path, methods, f);

	assert_null(s2);
	assert_int_equal(errno, EADDRINUSE);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_rpc_server_dispatch),
		T(test_rpc_server_malformed_gets_error_then_close),
		T(test_rpc_server_notification_no_reply),
		T(test_rpc_server_bad_params),
		T(test_rpc_server_drops_client_not_reading),
		T(test_rpc_server_refuses_live_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
