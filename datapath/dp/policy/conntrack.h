/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Connection tracking for stateful ACL rules: one bounded table per port.  A frame that a
 * stateful "allow" rule lets through opens an entry (conntrack_commit); later frames of that
 * connection, in either direction, are recognised by conntrack_lookup, which is how the return
 * traffic of an allowed connection passes an ACL that would otherwise drop it.  Tracks TCP (a
 * state machine on the flags, no sequence-window checks), UDP, and ICMP/ICMPv6 echo
 * (request/reply paired by identifier).  Entries export to a versioned binary blob that moves
 * with a migrating VM.
 *
 * Threads: a table has exactly one owner at a time, the poll lcore that runs its port's policy
 * in both directions; lookup, commit, expire, export and import are called by that lcore only
 * (or by the control thread while the port is not polled).  No locks, no atomics, no syscalls:
 * the clock is the 'now' argument, in ticks of the 'hz' given at creation. */

#include <stdint.h>

#include "datapath/dp/parse.h"
#include "lib/err.h"

#define CONNTRACK_MAX_ENTRIES (1u << 22)

/* Idle timeouts in seconds (0 in a conf means "default"). */
struct conntrack_timeouts {
	uint32_t tcp_syn_sent;    /* default 30 */
	uint32_t tcp_syn_recv;    /* default 30 */
	uint32_t tcp_established; /* default 86400 */
	uint32_t tcp_fin;         /* one or both FINs seen; default 120 */
	uint32_t tcp_time_wait;   /* default 60 */
	uint32_t tcp_close;       /* after a RST; default 10 */
	uint32_t udp_first;       /* no reply yet; default 30 */
	uint32_t udp_stream;      /* replied; default 180 */
	uint32_t icmp;            /* default 30 */
};

struct conntrack_conf {
	uint32_t max_entries; /* 1..CONNTRACK_MAX_ENTRIES */
	struct conntrack_timeouts timeouts;
};

enum conntrack_state {
	CT_STATE_NONE = 0, /* free slot */
	CT_TCP_SYN_SENT,
	CT_TCP_SYN_RECV,
	CT_TCP_ESTABLISHED,
	CT_TCP_FIN_WAIT,  /* one side sent FIN */
	CT_TCP_LAST_ACK,  /* both sides sent FIN, waiting for the last ACK */
	CT_TCP_TIME_WAIT,
	CT_TCP_CLOSE,     /* reset */
	CT_UDP_FIRST,
	CT_UDP_STREAM,
	CT_ICMP_ECHO,
	CT_STATE_COUNT
};

enum conntrack_verdict {
	CT_MISS = 0, /* no connection: the ACL decides (and may commit one) */
	CT_ORIG,     /* a frame of a known connection, in the direction that opened it */
	CT_REPLY,    /* return traffic of a known connection */
	CT_INVALID,  /* belongs to a connection but breaks its state machine: drop, counted */
};

struct conntrack_stats {
	uint32_t n_entries;
	uint64_t created;
	uint64_t expired;
	uint64_t full_drops; /* commits refused because the table was full */
	uint64_t invalid;    /* CT_INVALID verdicts */
};

struct conntrack;

/* Fills 'c' with defaults: 8192 entries and the timeouts above. */
void conntrack_conf_defaults(struct conntrack_conf *c);
/* Creates an empty table.  Returns NULL with errno: EINVAL ('err' names the field), ENOMEM.
 * Control thread. */
struct conntrack *conntrack_create(const struct conntrack_conf *c, uint64_t hz, struct dvs_err *err);
void conntrack_destroy(struct conntrack *ct);

/* Finds the connection of the frame ('m' from the parser, 'frame' its bytes: the ICMP echo
 * identifier is read from it) and advances its state.  Expired entries count as absent.
 * Returns the verdict.  Fast-path safe, owner lcore only. */
enum conntrack_verdict conntrack_lookup(struct conntrack *ct, const struct dp_meta *m,
					const uint8_t *frame, uint64_t now);

/* Opens a connection for a frame that a stateful rule allowed after conntrack_lookup() said
 * CT_MISS.  Returns 0; -EPROTONOSUPPORT if the frame cannot open one (not TCP/UDP/ICMP echo
 * request, a TCP segment other than a SYN, a fragment): the frame is still allowed, its replies
 * will not be; -ENOSPC if the table is full after reclaiming expired entries (counted in
 * full_drops: the caller drops the frame, so a full table never admits untracked
 * connections); -EEXIST if it is already tracked.  Fast-path safe, owner lcore only. */
int conntrack_commit(struct conntrack *ct, const struct dp_meta *m, const uint8_t *frame,
		     uint64_t now);

/* Removes expired entries among the next 'budget' slots (a cursor walks the table), so an lcore
 * can spread the sweep over its idle iterations.  Returns the number removed. */
unsigned conntrack_expire(struct conntrack *ct, uint64_t now, unsigned budget);

void conntrack_get_stats(const struct conntrack *ct, struct conntrack_stats *s);

/* The state of the connection of a frame without changing it (CT_STATE_NONE if untracked);
 * for tests and "dvsctl conntrack show". */
enum conntrack_state conntrack_peek(const struct conntrack *ct, const struct dp_meta *m,
				    const uint8_t *frame, uint64_t now);
const char *conntrack_state_name(enum conntrack_state s);

/* Export for live migration: a versioned binary blob (docs/policy.md) holding every live entry
 * with its remaining lifetime, so the destination's clock does not matter.
 * conntrack_export_size() is the exact size conntrack_export() needs.  conntrack_export()
 * returns the bytes written, or -ENOSPC if 'size' is too small. */
size_t conntrack_export_size(const struct conntrack *ct, uint64_t now);
long conntrack_export(const struct conntrack *ct, uint64_t now, uint8_t *buf, size_t size);
/* Adds the entries of a blob to 'ct' (replacing entries with the same connection).  Returns
 * the number imported, or -EINVAL (bad magic, version, length or entry, named in 'err'), or
 * -ENOSPC when the table filled up (the entries before that were imported). */
long conntrack_import(struct conntrack *ct, const uint8_t *buf, size_t size, uint64_t now,
		      struct dvs_err *err);
