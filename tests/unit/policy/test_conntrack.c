/* SPDX-License-Identifier: Apache-2.0 */
/* Connection tracking with a fake clock: TCP state machine, UDP and ICMP echo, timeouts, the
 * full-table policy, expiry sweeps, and the export/import round trip used by migration. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/dp/policy/conntrack.h"
#include "pkt.h"

#define NS 1000000000ULL
#define SYN 0x02
#define ACK 0x10
#define FIN 0x01
#define RST 0x04

static struct conntrack *
table(uint32_t max, uint64_t hz)
{
	struct conntrack_conf c;
	struct dvs_err e = {0};
	struct conntrack *ct;

	conntrack_conf_defaults(&c);
	c.max_entries = max;
	ct = conntrack_create(&c, hz, &e);
	assert_non_null(ct);
	return ct;
}

/* VM 10.0.0.1:40000 talks to 192.0.2.7:443. */
static struct pkt *
c2s(uint8_t flags)
{
	static struct pkt p;

	pkt_v4(&p, "10.0.0.1", "192.0.2.7", IPPROTO_TCP, 40000, 443, flags, 1, 0, 0);
	return &p;
}

static struct pkt *
s2c(uint8_t flags)
{
	static struct pkt p;

	pkt_v4(&p, "192.0.2.7", "10.0.0.1", IPPROTO_TCP, 443, 40000, flags, 1, 0, 0);
	return &p;
}

static enum conntrack_verdict
look(struct conntrack *ct, const struct pkt *p, uint64_t now)
{
	return conntrack_lookup(ct, &p->m, p->frame, now);
}

static enum conntrack_state
st(struct conntrack *ct, uint64_t now)
{
	struct pkt *p = c2s(0);

	return conntrack_peek(ct, &p->m, p->frame, now);
}

static void
test_conntrack_tcp_lifecycle(void **state)
{
	struct conntrack *ct = table(16, NS);
	struct conntrack_stats s;
	uint64_t t = 1000 * NS;

	/* Unsolicited traffic is unknown; only a SYN may open a connection. */
	assert_int_equal(look(ct, s2c(SYN), t), CT_MISS);
	assert_int_equal(conntrack_commit(ct, &c2s(ACK)->m, c2s(ACK)->frame, t), -EPROTONOSUPPORT);
	assert_int_equal(look(ct, c2s(SYN), t), CT_MISS);
	assert_int_equal(conntrack_commit(ct, &c2s(SYN)->m, c2s(SYN)->frame, t), 0);
	assert_int_equal(conntrack_commit(ct, &c2s(SYN)->m, c2s(SYN)->frame, t), -EEXIST);
	assert_int_equal(st(ct, t), CT_TCP_SYN_SENT);
	assert_int_equal(look(ct, c2s(SYN), t + 1), CT_ORIG); /* retransmission */
	assert_int_equal(look(ct, s2c(SYN | ACK), t + 2), CT_REPLY);
	assert_int_equal(st(ct, t + 2), CT_TCP_SYN_RECV);
	assert_int_equal(look(ct, c2s(ACK), t + 3), CT_ORIG);
	assert_int_equal(st(ct, t + 3), CT_TCP_ESTABLISHED);
	assert_int_equal(look(ct, s2c(ACK), t + 4), CT_REPLY);
	assert_int_equal(look(ct, c2s(ACK | 0x08), t + 5), CT_ORIG);
	/* Orderly close: FIN, ACK, FIN, ACK. */
	assert_int_equal(look(ct, c2s(FIN | ACK), t + 6), CT_ORIG);
	assert_int_equal(st(ct, t + 6), CT_TCP_FIN_WAIT);
	assert_int_equal(look(ct, s2c(ACK), t + 7), CT_REPLY);
	assert_int_equal(st(ct, t + 7), CT_TCP_FIN_WAIT);
	assert_int_equal(look(ct, s2c(FIN | ACK), t + 8), CT_REPLY);
	assert_int_equal(st(ct, t + 8), CT_TCP_LAST_ACK);
	assert_int_equal(look(ct, c2s(ACK), t + 9), CT_ORIG);
	assert_int_equal(st(ct, t + 9), CT_TCP_TIME_WAIT);
	/* TIME_WAIT lasts 60 s, then the entry is gone. */
	assert_int_equal(st(ct, t + 9 + 60 * NS - 1), CT_TCP_TIME_WAIT);
	assert_int_equal(look(ct, s2c(ACK), t + 9 + 60 * NS), CT_MISS);
	conntrack_get_stats(ct, &s);
	assert_int_equal(s.n_entries, 0);
	assert_int_equal(s.created, 1);
	assert_int_equal(s.expired, 1);
	conntrack_destroy(ct);
}

static void
test_conntrack_tcp_invalid_and_reset(void **state)
{
	struct conntrack *ct = table(16, NS);
	struct conntrack_stats s;
	uint64_t t = 5;

	assert_int_equal(conntrack_commit(ct, &c2s(SYN)->m, c2s(SYN)->frame, t), 0);
	/* A bare ACK is no answer to a SYN: invalid, counted, state unchanged. */
	assert_int_equal(look(ct, s2c(ACK), t), CT_INVALID);
	assert_int_equal(st(ct, t), CT_TCP_SYN_SENT);
	assert_int_equal(look(ct, s2c(SYN | ACK), t), CT_REPLY);
	assert_int_equal(look(ct, c2s(ACK), t), CT_ORIG);
	assert_int_equal(look(ct, s2c(SYN), t), CT_INVALID);
	conntrack_get_stats(ct, &s);
	assert_int_equal(s.invalid, 2);
	/* RST closes; the entry lingers 10 s for in-flight segments, then goes. */
	assert_int_equal(look(ct, s2c(RST | ACK), t + NS), CT_REPLY);
	assert_int_equal(st(ct, t + NS), CT_TCP_CLOSE);
	assert_int_equal(look(ct, c2s(ACK), t + 5 * NS), CT_ORIG); /* does not extend it */
	assert_int_equal(st(ct, t + 11 * NS - 1), CT_TCP_CLOSE);
	assert_int_equal(st(ct, t + 11 * NS), CT_STATE_NONE);
	/* A new SYN on a closed tuple goes back to the ACL. */
	assert_int_equal(conntrack_commit(ct, &c2s(SYN)->m, c2s(SYN)->frame, t + 12 * NS), 0);
	assert_int_equal(look(ct, s2c(RST), t + 12 * NS), CT_REPLY);
	assert_int_equal(look(ct, c2s(SYN), t + 12 * NS + 1), CT_MISS);
	assert_int_equal(st(ct, t + 12 * NS + 1), CT_STATE_NONE);
	conntrack_destroy(ct);
}

static void
test_conntrack_tcp_timeouts(void **state)
{
	struct conntrack *ct = table(16, NS);
	uint64_t t = 0;

	/* An unanswered SYN is forgotten after 30 s. */
	assert_int_equal(conntrack_commit(ct, &c2s(SYN)->m, c2s(SYN)->frame, t), 0);
	assert_int_equal(st(ct, 30 * NS - 1), CT_TCP_SYN_SENT);
	assert_int_equal(look(ct, s2c(SYN | ACK), 30 * NS), CT_MISS);
	/* Established: idle timeout 1 day, refreshed by traffic in either direction. */
	assert_int_equal(conntrack_commit(ct, &c2s(SYN)->m, c2s(SYN)->frame, t), 0);
	look(ct, s2c(SYN | ACK), 1);
	look(ct, c2s(ACK), 2);
	assert_int_equal(look(ct, s2c(ACK), 80000 * NS), CT_REPLY);
	assert_int_equal(st(ct, 80000 * NS + 86400 * NS - 1), CT_TCP_ESTABLISHED);
	assert_int_equal(st(ct, 80000 * NS + 86400 * NS), CT_STATE_NONE);
	conntrack_destroy(ct);
}

static void
test_conntrack_udp_and_icmp(void **state)
{
	struct conntrack *ct = table(16, NS);
	struct pkt q, r;

	/* UDP: 30 s until answered, then 180 s. */
	pkt_v4(&q, "10.0.0.1", "10.0.0.53", IPPROTO_UDP, 5353, 53, 0, 0, 0, 10);
	pkt_v4(&r, "10.0.0.53", "10.0.0.1", IPPROTO_UDP, 53, 5353, 0, 0, 0, 10);
	assert_int_equal(look(ct, &r, 0), CT_MISS);
	assert_int_equal(conntrack_commit(ct, &q.m, q.frame, 0), 0);
	assert_int_equal(conntrack_peek(ct, &q.m, q.frame, 0), CT_UDP_FIRST);
	assert_int_equal(look(ct, &q, 29 * NS), CT_ORIG);
	assert_int_equal(look(ct, &r, 58 * NS), CT_REPLY);
	assert_int_equal(conntrack_peek(ct, &q.m, q.frame, 58 * NS), CT_UDP_STREAM);
	assert_int_equal(conntrack_peek(ct, &r.m, r.frame, 238 * NS - 1), CT_UDP_STREAM);
	assert_int_equal(look(ct, &r, 238 * NS), CT_MISS);
	/* Another source port is another connection. */
	pkt_v4(&r, "10.0.0.53", "10.0.0.1", IPPROTO_UDP, 53, 5354, 0, 0, 0, 10);
	assert_int_equal(look(ct, &r, 1), CT_MISS);

	/* ICMP echo, paired by identifier. */
	pkt_v4(&q, "10.0.0.1", "8.8.8.8", IPPROTO_ICMP, 8, 0, 0, 0x1234, 0, 56);
	assert_int_equal(conntrack_commit(ct, &q.m, q.frame, 0), 0);
	pkt_v4(&r, "8.8.8.8", "10.0.0.1", IPPROTO_ICMP, 0, 0, 0, 0x1234, 0, 56);
	assert_int_equal(look(ct, &r, NS), CT_REPLY);
	assert_int_equal(conntrack_peek(ct, &r.m, r.frame, NS), CT_ICMP_ECHO);
	pkt_v4(&r, "8.8.8.8", "10.0.0.1", IPPROTO_ICMP, 0, 0, 0, 0x1235, 0, 56);
	assert_int_equal(look(ct, &r, NS), CT_MISS);
	/* An echo reply, or an error message, cannot open a connection. */
	assert_int_equal(conntrack_commit(ct, &r.m, r.frame, NS), -EPROTONOSUPPORT);
	pkt_v4(&r, "10.0.0.1", "8.8.8.8", IPPROTO_ICMP, 3, 3, 0, 0, 0, 28);
	assert_int_equal(conntrack_commit(ct, &r.m, r.frame, NS), -EPROTONOSUPPORT);
	/* ICMPv6 echo, timeout 30 s. */
	pkt_v6(&q, "2001:db8::1", "2001:db8::2", IPPROTO_ICMPV6, 128, 0, 0, 7, 0, 8);
	pkt_v6(&r, "2001:db8::2", "2001:db8::1", IPPROTO_ICMPV6, 129, 0, 0, 7, 0, 8);
	assert_int_equal(conntrack_commit(ct, &q.m, q.frame, 0), 0);
	assert_int_equal(look(ct, &r, 29 * NS), CT_REPLY);
	assert_int_equal(look(ct, &r, 59 * NS), CT_MISS);
	/* Other protocols and fragments are not tracked. */
	pkt_v4(&q, "10.0.0.1", "10.0.0.2", 47, 0, 0, 0, 0, 0, 20);
	assert_int_equal(conntrack_commit(ct, &q.m, q.frame, 0), -EPROTONOSUPPORT);
	pkt_v4(&q, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2, 0, 0, 0, 20);
	q.m.frag = 1;
	assert_int_equal(conntrack_commit(ct, &q.m, q.frame, 0), -EPROTONOSUPPORT);
	conntrack_destroy(ct);
}

static void
udp_flow(struct pkt *p, unsigned i)
{
	char src[32];

	snprintf(src, sizeof(src), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
	pkt_v4(p, src, "192.0.2.1", IPPROTO_UDP, (uint16_t)(1024 + i % 1000), 53, 0, 0, 0, 0);
}

static void
test_conntrack_table_full(void **state)
{
	struct conntrack *ct = table(4, NS);
	struct conntrack_stats s;
	struct conntrack_conf c = {0};
	struct dvs_err e = {0};
	struct pkt p;
	unsigned i;

	assert_null(conntrack_create(&c, NS, &e));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(e.msg, "conntrack.max_entries: 0 out of range 1..4194304"));
	for (i = 0; i < 4; i++) {
		udp_flow(&p, i);
		assert_int_equal(conntrack_commit(ct, &p.m, p.frame, i * NS), 0);
	}
	udp_flow(&p, 4);
	assert_int_equal(conntrack_commit(ct, &p.m, p.frame, 10 * NS), -ENOSPC);
	assert_int_equal(conntrack_commit(ct, &p.m, p.frame, 10 * NS), -ENOSPC);
	conntrack_get_stats(ct, &s);
	assert_int_equal(s.full_drops, 2);
	assert_int_equal(s.n_entries, 4);
	/* Flow 0 expires at 30 s: a commit reclaims its slot itself. */
	assert_int_equal(conntrack_commit(ct, &p.m, p.frame, 30 * NS), 0);
	conntrack_get_stats(ct, &s);
	assert_int_equal(s.n_entries, 4);
	assert_int_equal(s.expired, 1);
	udp_flow(&p, 1);
	assert_int_equal(look(ct, &p, 30 * NS), CT_ORIG);
	udp_flow(&p, 0);
	assert_int_equal(look(ct, &p, 30 * NS), CT_MISS);
	conntrack_destroy(ct);
}

static void
test_conntrack_expire_sweep_churn(void **state)
{
	enum { N = 20000 };
	struct conntrack *ct = table(N, NS);
	struct conntrack_stats s;
	struct pkt p;
	unsigned i, removed = 0;

	/* Even flows start at 0 (expire at 30 s), odd ones at 20 s (expire at 50 s). */
	for (i = 0; i < N; i++) {
		udp_flow(&p, i);
		assert_int_equal(conntrack_commit(ct, &p.m, p.frame, i % 2 ? 20 * NS : 0), 0);
	}
	udp_flow(&p, N);
	assert_int_equal(conntrack_commit(ct, &p.m, p.frame, 20 * NS), -ENOSPC);
	/* Sweep in small steps, as an lcore would between bursts. */
	for (i = 0; i < 2 * N * 2 / 256 + 2; i++)
		removed += conntrack_expire(ct, 40 * NS, 256);
	assert_int_equal(removed, N / 2);
	conntrack_get_stats(ct, &s);
	assert_int_equal(s.n_entries, N / 2);
	/* Backward-shift deletion kept every survivor reachable. */
	for (i = 0; i < N; i++) {
		udp_flow(&p, i);
		assert_int_equal(conntrack_peek(ct, &p.m, p.frame, 40 * NS),
				 i % 2 ? CT_UDP_FIRST : CT_STATE_NONE);
	}
	conntrack_destroy(ct);
}

static void
test_conntrack_export_import_roundtrip(void **state)
{
	struct conntrack *src = table(64, NS);
	struct conntrack *dst = table(64, 2400000000ULL); /* another host, another clock */
	struct dvs_err e = {0};
	struct pkt a, b, c, rb, rc;
	uint64_t t = 5000 * NS, u = 7777;
	uint8_t *buf;
	size_t size;
	long n;

	/* An established TCP connection, an answered IPv6 UDP flow, a pending ping. */
	assert_int_equal(conntrack_commit(src, &c2s(SYN)->m, c2s(SYN)->frame, t), 0);
	look(src, s2c(SYN | ACK), t);
	look(src, c2s(ACK), t);
	look(src, s2c(FIN | ACK), t); /* the server closed its half */
	pkt_v6(&b, "2001:db8::1", "2001:db8::99", IPPROTO_UDP, 4000, 4789, 0, 0, 0, 0);
	pkt_v6(&rb, "2001:db8::99", "2001:db8::1", IPPROTO_UDP, 4789, 4000, 0, 0, 0, 0);
	assert_int_equal(conntrack_commit(src, &b.m, b.frame, t), 0);
	assert_int_equal(look(src, &rb, t), CT_REPLY);
	pkt_v4(&c, "10.0.0.1", "10.9.9.9", IPPROTO_ICMP, 8, 0, 0, 0xbeef, 0, 0);
	pkt_v4(&rc, "10.9.9.9", "10.0.0.1", IPPROTO_ICMP, 0, 0, 0, 0xbeef, 0, 0);
	assert_int_equal(conntrack_commit(src, &c.m, c.frame, t - 20 * NS), 0); /* 10 s left */
	/* An expired entry is not exported. */
	pkt_v4(&a, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2, 0, 0, 0, 0);
	assert_int_equal(conntrack_commit(src, &a.m, a.frame, t - 31 * NS), 0);

	size = conntrack_export_size(src, t);
	assert_int_equal(size, 16 + 3 * 52);
	buf = malloc(size);
	assert_int_equal(conntrack_export(src, t, buf, size - 1), -ENOSPC);
	assert_int_equal(conntrack_export(src, t, buf, size), (long)size);
	assert_memory_equal(buf, "DVCT\0\1\0\x34\0\0\0\3", 12);

	n = conntrack_import(dst, buf, size, u, &e);
	assert_int_equal(n, 3);
	/* Return traffic is recognised on the destination, states intact. */
	assert_int_equal(conntrack_peek(dst, &c2s(0)->m, c2s(0)->frame, u), CT_TCP_FIN_WAIT);
	assert_int_equal(conntrack_lookup(dst, &s2c(ACK)->m, s2c(ACK)->frame, u), CT_REPLY);
	assert_int_equal(conntrack_lookup(dst, &c2s(FIN | ACK)->m, c2s(FIN | ACK)->frame, u), CT_ORIG);
	assert_int_equal(conntrack_peek(dst, &c2s(0)->m, c2s(0)->frame, u), CT_TCP_LAST_ACK);
	assert_int_equal(conntrack_lookup(dst, &rb.m, rb.frame, u), CT_REPLY);
	assert_int_equal(conntrack_peek(dst, &b.m, b.frame, u), CT_UDP_STREAM);
	/* The ping had 10 s left: still there at +9.999 s, gone at +10 s (2.4 GHz ticks). */
	assert_int_equal(conntrack_peek(dst, &rc.m, rc.frame, u + 9999 * 2400000ULL), CT_ICMP_ECHO);
	assert_int_equal(conntrack_lookup(dst, &rc.m, rc.frame, u + 10 * 2400000000ULL), CT_MISS);

	/* Damaged blobs are refused with the reason. */
	assert_int_equal(conntrack_import(dst, buf, size - 1, u, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "bytes for 3 entries"));
	dvs_err_clear(&e);
	buf[5] = 9;
	assert_int_equal(conntrack_import(dst, buf, size, u, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "version 9"));
	dvs_err_clear(&e);
	buf[5] = 1;
	buf[16 + 52 + 2] = 99; /* state of the second entry */
	assert_int_equal(conntrack_import(dst, buf, size, u, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "entry 1 invalid"));
	dvs_err_clear(&e);
	buf[0] = 'X';
	assert_int_equal(conntrack_import(dst, buf, size, u, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "bad magic"));
	free(buf);
	conntrack_destroy(src);
	conntrack_destroy(dst);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conntrack_tcp_lifecycle),
		cmocka_unit_test(test_conntrack_tcp_invalid_and_reset),
		cmocka_unit_test(test_conntrack_tcp_timeouts),
		cmocka_unit_test(test_conntrack_udp_and_icmp),
		cmocka_unit_test(test_conntrack_table_full),
		cmocka_unit_test(test_conntrack_expire_sweep_churn),
		cmocka_unit_test(test_conntrack_export_import_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
