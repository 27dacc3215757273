/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for lib/jsonrpc.c and lib/stream.c over socketpairs and temporary sockets:
 * framing (split, batched, strings with braces and escapes, whitespace), malformed and
 * oversize input, the output backlog limit, and the blocking call. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonrpc.h"
#include "loop.h"

struct pair {
	struct dvs_jsonrpc *c; /* the side under test */
	int peer;              /* raw other end */
};

static int
pair_setup(void **state)
{
	static struct pair p;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		return -1;
	p.c = dvs_jsonrpc_open(sv[0], 1024, 4096);
	p.peer = sv[1];
	*state = &p;
	return p.c ? 0 : -1;
}

static int
pair_teardown(void **state)
{
	struct pair *p = *state;

	dvs_jsonrpc_close(p->c);
	close(p->peer);
	return 0;
}

static void
peer_write(struct pair *p, const char *s)
{
	assert_int_equal(write(p->peer, s, strlen(s)), (ssize_t)strlen(s));
}

/* Reads whatever is there, then returns the next message (or the recv error). */
static int
next_msg(struct pair *p, json_t **msg)
{
	int r = dvs_jsonrpc_recv(p->c, msg);

	if (r != -EAGAIN)
		return r;
	dvs_jsonrpc_read(p->c);
	return dvs_jsonrpc_recv(p->c, msg);
}

static void
test_jsonrpc_split_across_reads(void **state)
{
	struct pair *p = *state;
	const char *m = "{\"method\":\"echo\",\"params\":[\"a}b{c\\\"}\",[1,{\"x\":[]}]],\"id\":7}";
	json_t *msg = NULL;

	/* One byte per read: every prefix must give -EAGAIN, the last byte the message. */
	for (size_t i = 0; i < strlen(m); i++) {
		assert_int_equal(write(p->peer, m + i, 1), 1);
		assert_int_equal(dvs_jsonrpc_read(p->c), 0);
		if (i + 1 < strlen(m))
			assert_int_equal(dvs_jsonrpc_recv(p->c, &msg), -EAGAIN);
	}
	assert_int_equal(dvs_jsonrpc_recv(p->c, &msg), 0);
	assert_string_equal(json_string_value(json_object_get(msg, "method")), "echo");
	assert_string_equal(json_string_value(json_array_get(json_object_get(msg, "params"), 0)),
			    "a}b{c\"}");
	assert_int_equal(json_integer_value(json_object_get(msg, "id")), 7);
	json_decref(msg);
	assert_int_equal(dvs_jsonrpc_read(p->c), -EAGAIN);
	assert_int_equal(dvs_jsonrpc_recv(p->c, &msg), -EAGAIN);
}

static void
test_jsonrpc_many_in_one_read(void **state)
{
	struct pair *p = *state;
	json_t *msg;

	peer_write(p, "{\"id\":1}{\"id\":2}\n\n  {\"id\":3,\"s\":\"\\\\\"}\r\n\t{\"id\":4,\"s\":\"{{{\"");
	assert_int_equal(dvs_jsonrpc_read(p->c), 0);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(dvs_jsonrpc_recv(p->c, &msg), 0);
		assert_int_equal(json_integer_value(json_object_get(msg, "id")), i);
		if (i == 3)
			assert_string_equal(json_string_value(json_object_get(msg, "s")), "\\");
		json_decref(msg);
	}
	/* The 4th is incomplete until its end arrives. */
	assert_int_equal(dvs_jsonrpc_recv(p->c, &msg), -EAGAIN);
	peer_write(p, "}");
	assert_int_equal(next_msg(p, &msg), 0);
	assert_string_equal(json_string_value(json_object_get(msg, "s")), "{{{");
	json_decref(msg);
	/* The peer closes: EPIPE once the buffer is drained. */
	shutdown(p->peer, SHUT_WR);
	assert_int_equal(dvs_jsonrpc_read(p->c), -EPIPE);
}

static void
test_jsonrpc_malformed(void **state)
{
	struct pair *p = *state;
	json_t *msg;

	peer_write(p, "{\"id\":1}{\"id\":,}{\"id\":3}");
	assert_int_equal(next_msg(p, &msg), 0);
	json_decref(msg);
	assert_int_equal(dvs_jsonrpc_recv(p->c, &msg), -EPROTO);
	assert_null(msg);
	assert_non_null(strstr(dvs_jsonrpc_error(p->c), "malformed JSON"));
	/* Sticky: the stream cannot be resynchronised. */
	assert_int_equal(dvs_jsonrpc_recv(p->c, &msg), -EPROTO);
}

static void
test_jsonrpc_not_an_object(void **state)
{
	struct pair *p = *state;
	json_t *msg;

	peer_write(p, "  [1,2]");
	assert_int_equal(next_msg(p, &msg), -EPROTO);
	assert_non_null(strstr(dvs_jsonrpc_error(p->c), "expected a JSON object"));
}

static void
test_jsonrpc_oversize(void **state)
{
	struct pair *p = *state;
	char big[2000];
	json_t *msg;
	int r = -EAGAIN;

	/* Limit is 1024: a 2000-byte string never completes, and must fail without waiting. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "{\"s\":\"", 6);
	assert_int_equal(write(p->peer, big, sizeof(big)), (ssize_t)sizeof(big));
	for (int i = 0; i < 4 && r == -EAGAIN; i++)
		r = next_msg(p, &msg);
	assert_int_equal(r, -EMSGSIZE);
	assert_non_null(strstr(dvs_jsonrpc_error(p->c), "larger than 1024"));
}

static void
test_jsonrpc_exact_limit_ok(void **state)
{
	struct pair *p = *state;
	char m[1025];
	json_t *msg;

	/* {"s":"aaaa...a"} of exactly 1024 bytes */
	memset(m, 'a', 1024);
	memcpy(m, "{\"s\":\"", 6);
	memcpy(m + 1022, "\"}", 2);
	m[1024] = '\0';
	peer_write(p, m);
	assert_int_equal(next_msg(p, &msg), 0);
	assert_int_equal(strlen(json_string_value(json_object_get(msg, "s"))), 1024 - 8);
	json_decref(msg);
}

static void
test_jsonrpc_send_backlog_limit(void **state)
{
	struct pair *p = *state;
	json_auto_t *m = json_pack("{s:s}", "pad", "0123456789012345678901234567890123456789");
	char buf[65536];
	size_t sent = 0;
	int r = 0;

	/* Nobody reads 'peer': the socket buffer fills, then the 4096-byte backlog. */
	while (r == 0 && sent < 100000) {
		r = dvs_jsonrpc_send(p->c, m);
		sent++;
	}
	assert_int_equal(r, -ENOBUFS);
	assert_true(dvs_jsonrpc_backlog(p->c) <= 4096);
	assert_true(dvs_jsonrpc_backlog(p->c) > 4096 - 60);
	assert_int_equal(dvs_jsonrpc_flush(p->c), -EAGAIN);
	/* Once the peer reads, everything queued goes out intact. */
	for (int i = 0; i < 1000 && dvs_jsonrpc_backlog(p->c); i++) {
		while (read(p->peer, buf, sizeof(buf)) > 0)
			;
		dvs_jsonrpc_flush(p->c);
	}
	assert_int_equal(dvs_jsonrpc_backlog(p->c), 0);
	assert_int_equal(dvs_jsonrpc_send(p->c, m), 0);
}

static void
test_jsonrpc_builders(void **state)
{
	json_auto_t *id = json_integer(5);
	json_auto_t *req = dvs_jsonrpc_request("ports.list", NULL, json_integer(1));
	json_auto_t *note = dvs_jsonrpc_notification("update", json_pack("[i]", 1));
	json_auto_t *rep = dvs_jsonrpc_reply(json_pack("{s:i}", "n", 1), id);
	json_auto_t *err = dvs_jsonrpc_error_reply(json_string("bad"), id);
	char *s;

	s = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"id\":1,\"method\":\"ports.list\",\"params\":[]}");
	free(s);
	s = json_dumps(note, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"id\":null,\"method\":\"update\",\"params\":[1]}");
	free(s);
	s = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"error\":null,\"id\":5,\"result\":{\"n\":1}}");
	free(s);
	s = json_dumps(err, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"error\":\"bad\",\"id\":5,\"result\":null}");
	free(s);
}

/* A scripted peer for dvs_jsonrpc_call: reads one request, then writes 'script' with "ID"
 * replaced by the request's id. */
struct peer_script {
	int fd;
	const char *script;
	int delay_ms;
	char request[1024];
};

static void *
peer_thread(void *arg)
{
	struct peer_script *ps = arg;
	char out[2048], idbuf[32];
	const char *src;
	char *dst = out;
	size_t got = 0;
	json_t *req = NULL;
	json_error_t e;
	int fl = fcntl(ps->fd, F_GETFL);

	fcntl(ps->fd, F_SETFL, fl & ~O_NONBLOCK);
	while (!req && got < sizeof(ps->request) - 1) {
		ssize_t n = read(ps->fd, ps->request + got, sizeof(ps->request) - 1 - got);
		if (n <= 0)
			return NULL;
		got += (size_t)n;
		ps->request[got] = '\0';
		req = json_loads(ps->request, 0, &e);
	}
	snprintf(idbuf, sizeof(idbuf), "%lld",
		 (long long)json_integer_value(json_object_get(req, "id")));
	json_decref(req);
	for (src = ps->script; *src;) {
		if (!strncmp(src, "ID", 2)) {
			dst += sprintf(dst, "%s", idbuf);
			src += 2;
		} else {
			*dst++ = *src++;
		}
	}
	*dst = '\0';
	if (ps->delay_ms)
		usleep((useconds_t)ps->delay_ms * 1000);
	if (write(ps->fd, out, strlen(out)) < 0)
		return NULL;
	return NULL;
}

static int
run_call(struct pair *p, struct peer_script *ps, int timeout_ms, json_t **result, json_t **error)
{
	pthread_t th;
	int r;

	ps->fd = p->peer;
	assert_int_equal(pthread_create(&th, NULL, peer_thread, ps), 0);
	r = dvs_jsonrpc_call(p->c, "ports.list", json_pack("[{s:s}]", "name", "vm1"), timeout_ms,
			     result, error);
	pthread_join(th, NULL);
	return r;
}

static void
test_jsonrpc_call_result_skips_notifications(void **state)
{
	struct pair *p = *state;
	struct peer_script ps = {
		.script = "{\"method\":\"update\",\"params\":[],\"id\":null}"
			  "{\"result\":\"stale\",\"error\":null,\"id\":99999}"
			  "{\"result\":[{\"name\":\"vm1\"}],\"error\":null,\"id\":ID}",
	};
	json_t *result = NULL, *error = NULL;
	json_auto_t *req = NULL;

	assert_int_equal(run_call(p, &ps, 2000, &result, &error), 0);
	assert_null(error);
	assert_string_equal(json_string_value(json_object_get(json_array_get(result, 0), "name")),
			    "vm1");
	json_decref(result);
	req = json_loads(ps.request, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(req, "method")), "ports.list");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(req, "params"), 0), "name")),
			    "vm1");
}

static void
test_jsonrpc_call_error(void **state)
{
	struct pair *p = *state;
	struct peer_script ps = {
		.script = "{\"result\":null,\"error\":{\"error\":\"unknown method\"},\"id\":ID}",
	};
	json_t *result = NULL, *error = NULL;

	assert_int_equal(run_call(p, &ps, 2000, &result, &error), 1);
	assert_null(result);
	assert_string_equal(json_string_value(json_object_get(error, "error")), "unknown method");
	json_decref(error);
}

static void
test_jsonrpc_call_timeout(void **state)
{
	struct pair *p = *state;
	struct peer_script ps = {.script = "{\"method\":\"noise\",\"params\":[],\"id\":null}",
				 .delay_ms = 0};
	json_t *result = NULL, *error = NULL;
	uint64_t start = dvs_now_ms();

	assert_int_equal(run_call(p, &ps, 150, &result, &error), -ETIMEDOUT);
	assert_true(dvs_now_ms() - start >= 150);
	assert_true(dvs_now_ms() - start < 1000);
	assert_null(result);
	assert_null(error);
}

static void
test_jsonrpc_call_peer_closes(void **state)
{
	struct pair *p = *state;
	json_t *result = NULL, *error = NULL;

	shutdown(p->peer, SHUT_RDWR);
	assert_int_equal(dvs_jsonrpc_call(p->c, "version", NULL, 1000, &result, &error), -EPIPE);
}

static void
test_stream_unix_listen_connect(void **state)
{
	char dir[] = "/tmp/cl-test-XXXXXX", path[128], addr[160];
	int lfd, cfd, afd, fd;
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	lfd = dvs_unix_listen(path);
	assert_true(lfd >= 0);
	/* A live server is not taken over. */
	assert_int_equal(dvs_unix_listen(path), -EADDRINUSE);
	snprintf(addr, sizeof(addr), "unix:%s", path);
	cfd = dvs_stream_connect(addr);
	assert_true(cfd >= 0);
	assert_true(fcntl(cfd, F_GETFL) & O_NONBLOCK);
	usleep(1000);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	close(afd);
	close(cfd);
	close(lfd);
	/* The socket file is now stale: listen again takes it over. */
	assert_int_equal(stat(path, &st), 0);
	lfd = dvs_unix_listen(path);
	assert_true(lfd >= 0);
	close(lfd);
	unlink(path);
	assert_int_equal(dvs_stream_connect(addr), -ENOENT);
	/* A regular file is never removed. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(dvs_unix_listen(path), -EEXIST);
	unlink(path);
	rmdir(dir);
	assert_int_equal(dvs_stream_connect("bogus:x"), -EINVAL);
	assert_int_equal(dvs_stream_connect("tcp:127.0.0.1"), -EINVAL);
}

static void
test_stream_tcp(void **state)
{
	int lfd = dvs_stream_listen("ptcp:0:127.0.0.1");
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[64];
	int cfd, afd;

	assert_true(lfd >= 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&ss, &sl), 0);
	snprintf(addr, sizeof(addr), "tcp:127.0.0.1:%u",
		 ntohs(((struct sockaddr_in *)&ss)->sin_port));
	cfd = dvs_stream_connect(addr);
	assert_true(cfd >= 0);
	usleep(1000);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	close(afd);
	close(cfd);
	close(lfd);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, pair_setup, pair_teardown)
	const struct CMUnitTest tests[] = {
		T(test_jsonrpc_split_across_reads),
		T(test_jsonrpc_many_in_one_read),
		T(test_jsonrpc_malformed),
		T(test_jsonrpc_not_an_object),
		T(test_jsonrpc_oversize),
		T(test_jsonrpc_exact_limit_ok),
		T(test_jsonrpc_send_backlog_limit),
		cmocka_unit_test(test_jsonrpc_builders),
		T(test_jsonrpc_call_result_skips_notifications),
		T(test_jsonrpc_call_error),
		T(test_jsonrpc_call_timeout),
		T(test_jsonrpc_call_peer_closes),
		cmocka_unit_test(test_stream_unix_listen_connect),
		cmocka_unit_test(test_stream_tcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
