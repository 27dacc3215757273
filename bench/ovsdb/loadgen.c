/* SPDX-License-Identifier: Apache-2.0 */
/* Load generator for OVSDB servers (dvs-db and ovsdb-server alike): the same client, the
 * same requests, against either.  Single threaded over epoll so that the client costs
 * little CPU next to the server on a 2-core machine.  Replies are framed by counting
 * braces, not parsed: the client must not be the bottleneck.  Every transaction reply is
 * still checked for success (reply_ok), and any failure fails the run.
 *
 *   loadgen txn SOCKET CLIENTS SECONDS durable|nondurable|echo [DEPTH]
 *       one single-row insert outstanding per client (DEPTH: that many, pipelined on the
 *       connection, as RFC 7047 allows); prints txn/s.  "echo" sends echo requests
 *       instead: the floor of a round trip through the server and this client
 *   loadgen latency SOCKET MONITORS TXNS
 *       MONITORS clients monitor the table; one writer commits TXNS updates one at a
 *       time; prints the commit->update latency (median, p99 over all monitors, and the
 *       median time until the last monitor has it)
 *   loadgen load SOCKET ROWS BATCH
 *       inserts ROWS rows, BATCH per transaction, one transaction at a time; prints seconds
 *   loadgen stall SOCKET SECONDS WRITERS MONITORS [COMPACT_MS]
 *       responsiveness under load: WRITERS clients commit durable updates back to back,
 *       MONITORS clients monitor the whole table (one re-subscribes every 100 ms, once its
 *       last reply came, so the server keeps building initial contents), one more monitors and never reads, and
 *       every COMPACT_MS (dvs-db only) one asks for a compaction.  A separate prober
 *       process sends an "echo" every 10 ms; prints the echo round trip (median, p99, max)
 *       and the longest wait for a transaction reply.  Load the table first ("load"). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int fd;
	char *in;
	size_t in_len, in_cap;
	size_t scan;     /* bytes of 'in' already scanned */
	int depth;
	bool in_str, esc;
	uint64_t sent_ns;
	uint64_t seq;
	int idx;
	int awaited; /* the id of a reply awaited (stall's re-subscriber), 0 for none */
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa))
		die("connect");
	return fd;
}

static void send_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		buf += w;
		n -= (size_t)w;
	}
}

/* A transaction's reply succeeded: it has the inserted row's uuid and no error, neither the
 * JSON-RPC one nor an operation's ({"error":"..."} in the result array).  An echo's reply
 * ("uuid" is its parameter) passes too. */
static bool reply_ok(const char *m, size_t len)
{
	return memmem(m, len, "\"uuid\"", 6) && !memmem(m, len, "\"error\":\"", 9);
}

/* Reads what is there; returns the number of complete top-level JSON messages.  With
 * 'first_msg', the text of the first one is returned (new); with 'errors', every message
 * that is not reply_ok() is counted there. */
static int read_msgs(struct conn *c, char **first_msg, size_t *first_len, uint64_t *errors)
{
	if (c->in_cap - c->in_len < 65536) {
		c->in_cap = c->in_cap ? c->in_cap * 2 : 1 << 20;
		c->in = realloc(c->in, c->in_cap);
		if (!c->in)
			die("realloc");
	}
	ssize_t r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
	if (r == 0) {
		fprintf(stderr, "loadgen: server closed the connection\n");
		exit(2);
	}
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		die("read");
	}
	c->in_len += (size_t)r;
	int n = 0;
	size_t consumed = 0;
	for (; c->scan < c->in_len; c->scan++) {
		char ch = c->in[c->scan];
		if (c->in_str) {
			if (c->esc)
				c->esc = false;
			else if (ch == '\\')
				c->esc = true;
			else if (ch == '"')
				c->in_str = false;
			continue;
		}
		if (ch == '"')
			c->in_str = true;
		else if (ch == '{' || ch == '[')
			c->depth++;
		else if ((ch == '}' || ch == ']') && --c->depth == 0) {
			if (errors && !reply_ok(c->in + consumed, c->scan + 1 - consumed))
				(*errors)++;
			if (c->awaited) {
				char want[32];
				int wl = snprintf(want, sizeof want, "{\"id\":%d,", c->awaited);
				if (c->scan + 1 - consumed > (size_t)wl && !memcmp(c->in + consumed, want, (size_t)wl))
					c->awaited = 0;
			}
			if (first_msg && n == 0) {
				*first_len = c->scan + 1 - consumed;
				*first_msg = strndup(c->in + consumed, *first_len);
			}
			n++;
			consumed = c->scan + 1;
		}
	}
	memmove(c->in, c->in + consumed, c->in_len - consumed);
	c->in_len -= consumed;
	c->scan -= consumed;
	return n;
}

static const char *sock_path;

static bool echo_only; /* "txn ... echo": the round-trip floor, no transaction */

/* Appends decimal 'v' at 'p'; returns the end. */
static char *put_u64(char *p, unsigned long long v)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_str(char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	return p + len;
}
#define PUT(p, lit) put_str(p, lit, sizeof lit - 1)

/* The insert of send_insert(), byte for byte what this snprintf writes:
 *   {"method":"transact","id":%llu,"params":["bench",{"op":"insert","table":"Port",
 *   "row":{"name":"p-%d-%llu","host":"h%d","vlan":%llu,"mac":"52:54:00:00:%02x:%02x",
 *   "seq":%llu}}%s]}
 * put together by hand: snprintf was 8% of the client's time at 140k txn/s, time a
 * 2-core machine takes from the server under test. */
static size_t format_insert(char *buf, const struct conn *c, bool durable)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long long seq = c->seq;
	unsigned idx = (unsigned)c->idx, lo = (unsigned)(seq & 0xff), hi = idx & 0xff;
	char *p = PUT(buf, "{\"method\":\"transact\",\"id\":");
	p = put_u64(p, seq);
	p = PUT(p, ",\"params\":[\"bench\",{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"p-");
	p = put_u64(p, idx);
	*p++ = '-';
	p = put_u64(p, seq);
	p = PUT(p, "\",\"host\":\"h");
	p = put_u64(p, idx);
	p = PUT(p, "\",\"vlan\":");
	p = put_u64(p, seq % 4095);
	p = PUT(p, ",\"mac\":\"52:54:00:00:");
	*p++ = hex[hi >> 4];
	*p++ = hex[hi & 0xf];
	*p++ = ':';
	*p++ = hex[lo >> 4];
	*p++ = hex[lo & 0xf];
	p = PUT(p, "\",\"seq\":");
	p = put_u64(p, seq);
	p = PUT(p, "}}");
	if (durable)
		p = PUT(p, ",{\"op\":\"commit\",\"durable\":true}");
	p = PUT(p, "]}");
	return (size_t)(p - buf);
}

static void send_insert(struct conn *c, bool durable)
{
	char buf[512];
	if (echo_only) {
		int n = snprintf(buf, sizeof buf, "{\"method\":\"echo\",\"id\":%llu,\"params\":[\"uuid\"]}",
				 (unsigned long long)c->seq++);
		c->sent_ns = now_ns();
		send_all(c->fd, buf, (size_t)n);
		return;
	}
	size_t n = format_insert(buf, c, durable);
	c->seq++;
	c->sent_ns = now_ns();
	send_all(c->fd, buf, n);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int bench_txn(int n_clients, double seconds, bool durable, int depth)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct conn *cs = calloc((size_t)n_clients, sizeof *cs);
	for (int i = 0; i < n_clients; i++) {
		cs[i].fd = connect_unix(sock_path);
		cs[i].idx = i;
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cs[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
	}
	uint64_t warm = now_ns() + 300000000ull, start = 0, end = 0, done = 0, errors = 0;
	for (int i = 0; i < n_clients; i++)
		for (int d = 0; d < depth; d++)
			send_insert(&cs[i], durable);
	for (;;) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, 1000);
		uint64_t t = now_ns();
		if (!start && t >= warm) {
			start = t;
			end = start + (uint64_t)(seconds * 1e9);
			done = 0;
		}
		if (start && t >= end)
			break;
		for (int k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			int m = read_msgs(c, NULL, NULL, &errors);
			done += (uint64_t)m;
			for (int j = 0; j < m; j++)
				send_insert(c, durable);
		}
	}
	double secs = (double)(now_ns() - start) / 1e9;
	printf("txn clients=%d depth=%d durable=%d txns=%llu errors=%llu seconds=%.2f txn_per_s=%.0f\n", n_clients, depth, durable,
	       (unsigned long long)done, (unsigned long long)errors, secs, (double)done / secs);
	return errors ? 1 : 0;
}

static int bench_latency(int n_mon, int n_txn)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct conn *ms = calloc((size_t)n_mon + 1, sizeof *ms);
	struct conn *w = &ms[n_mon];
	uint64_t *lat = calloc((size_t)n_mon * (size_t)n_txn + 1, sizeof *lat);
	uint64_t *last = calloc((size_t)n_txn + 1, sizeof *last);
	size_t n_lat = 0;
	char buf[512];
	w->fd = connect_unix(sock_path);
	/* The row the writer updates. */
	int n = snprintf(buf, sizeof buf, "{\"method\":\"transact\",\"id\":0,\"params\":[\"bench\",{\"op\":\"insert\","
			 "\"table\":\"Port\",\"row\":{\"name\":\"lat\",\"seq\":0}}]}");
	send_all(w->fd, buf, (size_t)n);
	char *ins = NULL, uuid[37] = "";
	size_t rlen;
	while (!read_msgs(w, &ins, &rlen, NULL))
		;
	/* Update by _uuid, as IDL clients do: the latency measured is the server's commit and
	 * fan-out, not a table scan. */
	const char *u = ins ? strstr(ins, "[\"uuid\",\"") : NULL;
	if (!u) {
		fprintf(stderr, "loadgen: insert failed: %s\n", ins ? ins : "?");
		return 1;
	}
	memcpy(uuid, u + 9, 36);
	free(ins);
	for (int i = 0; i < n_mon; i++) {
		ms[i].fd = connect_unix(sock_path);
		n = snprintf(buf, sizeof buf, "{\"method\":\"monitor\",\"id\":1,\"params\":[\"bench\",%d,{\"Port\":"
			     "{\"columns\":[\"seq\"],\"select\":{\"initial\":false}}}]}", i);
		send_all(ms[i].fd, buf, (size_t)n);
		while (!read_msgs(&ms[i], NULL, NULL, NULL))
			;
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ms[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, ms[i].fd, &ev);
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };
	epoll_ctl(ep, EPOLL_CTL_ADD, w->fd, &ev);
	for (int t = 0; t < n_txn; t++) {
		n = snprintf(buf, sizeof buf, "{\"method\":\"transact\",\"id\":%d,\"params\":[\"bench\",{\"op\":\"update\","
			     "\"table\":\"Port\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],\"row\":{\"seq\":%d}}]}",
			     t + 10, uuid, t + 1);
		uint64_t t0 = now_ns();
		send_all(w->fd, buf, (size_t)n);
		int got = 0, reply = 0;
		while (got < n_mon || !reply) {
			struct epoll_event evs[64];
			int k = epoll_wait(ep, evs, 64, 5000);
			if (k <= 0) {
				fprintf(stderr, "loadgen: timed out waiting for updates (%d of %d)\n", got, n_mon);
				return 1;
			}
			uint64_t t1 = now_ns();
			for (int e = 0; e < k; e++) {
				struct conn *c = evs[e].data.ptr;
				int m = read_msgs(c, NULL, NULL, NULL);
				if (c == w) {
					reply += m;
					continue;
				}
				for (int j = 0; j < m; j++) {
					lat[n_lat++] = t1 - t0;
					got++;
				}
				last[t] = t1 - t0;
			}
		}
		usleep(2000); /* a commit rate a real cluster sees, not a flood */
	}
	qsort(lat, n_lat, sizeof *lat, cmp_u64);
	qsort(last, (size_t)n_txn, sizeof *last, cmp_u64);
	printf("latency monitors=%d txns=%d median_us=%.0f p99_us=%.0f all_monitors_median_us=%.0f\n", n_mon, n_txn,
	       lat[n_lat / 2] / 1e3, lat[n_lat * 99 / 100] / 1e3, last[n_txn / 2] / 1e3);
	return 0;
}

static int bench_load(int rows, int batch)
{
	struct conn c = { .fd = connect_unix(sock_path) };
	size_t cap = (size_t)batch * 256 + 256;
	char *buf = malloc(cap);
	uint64_t t0 = now_ns();
	for (int done = 0, id = 0; done < rows; id++) {
		size_t len = (size_t)snprintf(buf, cap, "{\"method\":\"transact\",\"id\":%d,\"params\":[\"bench\"", id);
		for (int i = 0; i < batch && done < rows; i++, done++)
			len += (size_t)snprintf(buf + len, cap - len,
						",{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"port%d\",\"host\":\"h%d\","
						"\"vlan\":%d,\"mac\":\"52:54:00:%02x:%02x:%02x\",\"seq\":%d}}",
						done, done % 1000, done % 4095, (done >> 16) & 0xff, (done >> 8) & 0xff, done & 0xff, done);
		len += (size_t)snprintf(buf + len, cap - len, "]}");
		send_all(c.fd, buf, len);
		char *msg = NULL;
		size_t mlen;
		while (!read_msgs(&c, &msg, &mlen, NULL))
			;
		if (msg && strstr(msg, "\"error\":\"")) {
			fprintf(stderr, "loadgen: load failed: %.300s\n", msg);
			return 1;
		}
		free(msg);
	}
	printf("load rows=%d batch=%d seconds=%.2f\n", rows, batch, (double)(now_ns() - t0) / 1e9);
	return 0;
}

/* The prober: its own process and connection, so its echo round trips do not queue behind
 * the load generator's own work.  Writes "n p50_us p99_us max_us" to 'out_fd'. */
static void stall_prober(double seconds, int out_fd)
{
	struct conn c = { .fd = connect_unix(sock_path) };
	size_t cap = 1 << 16, n = 0;
	uint64_t *rtt = malloc(cap * sizeof *rtt), start = now_ns(), end = start + (uint64_t)(seconds * 1e9);
	uint64_t max = 0, max_at = 0;
	char buf[128];
	for (uint64_t id = 1; now_ns() < end; id++) {
		int len = snprintf(buf, sizeof buf, "{\"method\":\"echo\",\"id\":%llu,\"params\":[]}",
				   (unsigned long long)id);
		uint64_t t0 = now_ns();
		send_all(c.fd, buf, (size_t)len);
		while (!read_msgs(&c, NULL, NULL, NULL))
			;
		uint64_t d = now_ns() - t0;
		if (n < cap)
			rtt[n++] = d;
		if (d > max) {
			max = d;
			max_at = t0 - start;
		}
		usleep(10000);
	}
	qsort(rtt, n, sizeof *rtt, cmp_u64);
	dprintf(out_fd, "%zu %.0f %.0f %.0f %.0f\n", n, n ? rtt[n / 2] / 1e3 : 0.0, n ? rtt[n * 99 / 100] / 1e3 : 0.0,
		max / 1e3, max_at / 1e6);
	exit(0);
}

static void send_monitor(struct conn *c, int id)
{
	char buf[256];
	int n = snprintf(buf, sizeof buf, "{\"method\":\"monitor\",\"id\":%d,\"params\":[\"bench\",%d,{\"Port\":"
			 "{\"columns\":[\"name\",\"host\",\"vlan\",\"mac\",\"seq\"]}}]}", id, id);
	c->sent_ns = now_ns();
	send_all(c->fd, buf, (size_t)n);
}

static int bench_stall(double seconds, int n_writers, int n_monitors, int compact_ms)
{
	int pfd[2];
	if (pipe(pfd))
		die("pipe");
	pid_t prober = fork();
	if (prober < 0)
		die("fork");
	if (!prober) {
		close(pfd[0]);
		stall_prober(seconds, pfd[1]);
	}
	close(pfd[1]);
	int ep = epoll_create1(EPOLL_CLOEXEC), n = n_writers + n_monitors + 2;
	struct conn *cs = calloc((size_t)n, sizeof *cs);
	struct conn *stuck = &cs[n - 2], *ctl = &cs[n - 1];
	for (int i = 0; i < n; i++) {
		cs[i].fd = connect_unix(sock_path);
		cs[i].idx = i;
		if (&cs[i] != stuck) {
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cs[i] };
			epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
		}
	}
	for (int i = n_writers; i < n_writers + n_monitors; i++)
		send_monitor(&cs[i], 1);
	send_monitor(stuck, 1);
	for (int i = 0; i < n_writers; i++)
		send_insert(&cs[i], true);
	uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), next_compact = start, next_resub = start;
	uint64_t max_txn = 0, done = 0, errors = 0;
	int resub_id = 1;
	while (now_ns() < end) {
		struct epoll_event evs[64];
		int k = epoll_wait(ep, evs, 64, 10);
		uint64_t t = now_ns();
		for (int e = 0; e < k; e++) {
			struct conn *c = evs[e].data.ptr;
			int m = read_msgs(c, NULL, NULL, c->idx < n_writers ? &errors : NULL);
			if (c->idx < n_writers && m) {
				if (t - c->sent_ns > max_txn)
					max_txn = t - c->sent_ns;
				done += (uint64_t)m;
				send_insert(c, true);
			}
		}
		if (n_monitors && t >= next_resub && !cs[n_writers].awaited) {
			/* Cancel and re-subscribe: a reconnecting client's cost, without the reconnect.
			 * Like a reconnecting client, it waits for the last initial contents first:
			 * asking for the table again before reading it would pile up whole copies of it,
			 * which the server rightly cuts off as a client that does not read. */
			struct conn *c = &cs[n_writers];
			char buf[128];
			int len = snprintf(buf, sizeof buf, "{\"method\":\"monitor_cancel\",\"id\":0,\"params\":[%d]}", resub_id);
			send_all(c->fd, buf, (size_t)len);
			send_monitor(c, ++resub_id);
			c->awaited = resub_id;
			next_resub = t + 100000000ull;
		}
		if (compact_ms > 0 && t >= next_compact) {
			static const char req[] = "{\"method\":\"dvs_compact\",\"id\":0,\"params\":[]}";
			send_all(ctl->fd, req, sizeof req - 1);
			next_compact = t + (uint64_t)compact_ms * 1000000ull;
		}
	}
	char res[128] = "";
	ssize_t r = read(pfd[0], res, sizeof res - 1);
	int st = 0;
	waitpid(prober, &st, 0);
	unsigned long long n_echo = 0;
	double p50 = 0, p99 = 0, mx = 0, mx_at = 0;
	if (r <= 0 || sscanf(res, "%llu %lf %lf %lf %lf", &n_echo, &p50, &p99, &mx, &mx_at) != 5) {
		fprintf(stderr, "loadgen: the prober failed\n");
		return 2;
	}
	printf("stall writers=%d monitors=%d compact_ms=%d txns=%llu errors=%llu resubscribed=%d echo_n=%llu "
	       "echo_median_us=%.0f echo_p99_us=%.0f echo_max_us=%.0f echo_max_at_ms=%.0f txn_max_us=%.0f\n", n_writers,
	       n_monitors, compact_ms, (unsigned long long)done, (unsigned long long)errors, resub_id - 1, n_echo, p50,
	       p99, mx, mx_at, max_txn / 1e3);
	return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: loadgen txn|latency|load|stall SOCKET ...\n");
		return 2;
	}
	sock_path = argv[2];
	if (!strcmp(argv[1], "txn") && (argc == 6 || argc == 7)) {
		int depth = argc == 7 ? atoi(argv[6]) : 1;
		if (depth < 1 || depth > 1024) {
			fprintf(stderr, "loadgen: DEPTH must be 1..1024\n");
			return 2;
		}
		echo_only = !strcmp(argv[5], "echo");
		return bench_txn(atoi(argv[3]), atof(argv[4]), !strcmp(argv[5], "durable"), depth);
	}
	if (!strcmp(argv[1], "latency") && argc == 5)
		return bench_latency(atoi(argv[3]), atoi(argv[4]));
	if (!strcmp(argv[1], "load") && argc == 5)
		return bench_load(atoi(argv[3]), atoi(argv[4]));
	if (!strcmp(argv[1], "stall") && (argc == 6 || argc == 7))
		return bench_stall(atof(argv[3]), atoi(argv[4]), atoi(argv[5]), argc == 7 ? atoi(argv[6]) : 0);
	fprintf(stderr, "loadgen: bad arguments\n");
	return 2;
}
