/* SPDX-License-Identifier: Apache-2.0 */
/* Connection tracking: an open-addressing table (linear probing, at most half full, backward-
 * shift deletion so no tombstones pile up) of one-cache-line entries keyed by the normalised
 * connection tuple, so both directions of a connection find the same entry in one probe
 * sequence.  Chosen over rte_hash because the table is single-owner (no concurrency to pay for)
 * and expiry needs to walk the slots, which rte_hash does not expose cheaply. */

#include "conntrack.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_hash_crc.h>
#include <stdlib.h>
#include <string.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

#define F_ORIG_IS_A 0x01
#define F_FIN_ORIG 0x02
#define F_FIN_REPLY 0x04

#define RECLAIM_BUDGET 64 /* slots a full-table commit may sweep before refusing */

/* Normalised tuple: endpoint a sorts before endpoint b.  Padding is zeroed: the key is hashed
 * and compared as bytes. */
struct ct_key {
	uint8_t a[16], b[16]; /* IPv4 in the first 4 bytes */
	uint16_t pa, pb;      /* ports; both the identifier for ICMP echo */
	uint8_t proto;
	uint8_t family;
	uint8_t pad[2];
};

struct ct_entry {
	struct ct_key key;
	uint64_t expires; /* clock ticks */
	uint32_t hash;
	uint8_t state;    /* enum conntrack_state; NONE = free slot */
	uint8_t flags;    /* F_* */
	uint16_t pad;
	uint32_t pkts[2]; /* orig, reply */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct ct_entry) == 64, "one cache line per entry");

struct conntrack {
	/* immutable after create */
	uint32_t max_entries;
	uint32_t mask; /* slots - 1 */
	uint64_t hz;
	uint64_t timeout[CT_STATE_COUNT]; /* ticks */
	/* owner lcore */
	uint32_t n_entries;
	uint32_t cursor; /* conntrack_expire() position */
	uint64_t created, expired, full_drops, invalid;
	struct ct_entry *slots;
};

static const char *const state_names[CT_STATE_COUNT] = {
	[CT_STATE_NONE] = "none",          [CT_TCP_SYN_SENT] = "syn_sent",
	[CT_TCP_SYN_RECV] = "syn_recv",    [CT_TCP_ESTABLISHED] = "established",
	[CT_TCP_FIN_WAIT] = "fin_wait",    [CT_TCP_LAST_ACK] = "last_ack",
	[CT_TCP_TIME_WAIT] = "time_wait",  [CT_TCP_CLOSE] = "close",
	[CT_UDP_FIRST] = "udp_first",      [CT_UDP_STREAM] = "udp_stream",
	[CT_ICMP_ECHO] = "icmp_echo",
};

const char *
conntrack_state_name(enum conntrack_state s)
{
	return (unsigned)s < CT_STATE_COUNT ? state_names[s] : "?";
}

void
conntrack_conf_defaults(struct conntrack_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_entries = 8192;
	c->timeouts = (struct conntrack_timeouts){
		.tcp_syn_sent = 30, .tcp_syn_recv = 30, .tcp_established = 86400, .tcp_fin = 120,
		.tcp_time_wait = 60, .tcp_close = 10, .udp_first = 30, .udp_stream = 180, .icmp = 30,
	};
}

struct conntrack *
conntrack_create(const struct conntrack_conf *c, uint64_t hz, struct dvs_err *err)
{
	struct conntrack_conf d;
	const struct conntrack_timeouts *t = &c->timeouts, *dt = &d.timeouts;
	struct conntrack *ct = NULL;
	uint32_t slots = 2;
	int ret = 0;

	conntrack_conf_defaults(&d);
	if (c->max_entries == 0 || c->max_entries > CONNTRACK_MAX_ENTRIES) {
		ret = dvs_err_set(err, EINVAL, "conntrack.max_entries: %u out of range 1..%u",
				  c->max_entries, CONNTRACK_MAX_ENTRIES);
		goto out;
	}
	if (hz == 0) {
		ret = dvs_err_set(err, EINVAL, "conntrack: clock rate must not be 0");
		goto out;
	}
	ct = calloc(1, sizeof(*ct));
	if (!ct) {
		ret = -ENOMEM;
		goto out;
	}
	/* At most half full: linear probes stay short and always reach a free slot. */
	while (slots < 2 * c->max_entries)
		slots <<= 1;
	ct->slots = aligned_alloc(64, (size_t)slots * sizeof(*ct->slots));
	if (!ct->slots) {
		ret = -ENOMEM;
		goto out;
	}
	memset(ct->slots, 0, (size_t)slots * sizeof(*ct->slots));
	ct->mask = slots - 1;
	ct->max_entries = c->max_entries;
	ct->hz = hz;
#define TO(field, state) ct->timeout[state] = (uint64_t)(t->field ? t->field : dt->field) * hz
	TO(tcp_syn_sent, CT_TCP_SYN_SENT);
	TO(tcp_syn_recv, CT_TCP_SYN_RECV);
	TO(tcp_established, CT_TCP_ESTABLISHED);
	TO(tcp_fin, CT_TCP_FIN_WAIT);
	TO(tcp_fin, CT_TCP_LAST_ACK);
	TO(tcp_time_wait, CT_TCP_TIME_WAIT);
	TO(tcp_close, CT_TCP_CLOSE);
	TO(udp_first, CT_UDP_FIRST);
	TO(udp_stream, CT_UDP_STREAM);
	TO(icmp, CT_ICMP_ECHO);
#undef TO
out:
	if (ret < 0) {
		conntrack_destroy(ct);
		errno = -ret;
		return NULL;
	}
	return ct;
}

void
conntrack_destroy(struct conntrack *ct)
{
	if (!ct)
		return;
	free(ct->slots);
	free(ct);
}

static bool
icmp_echo(const struct dp_meta *m, bool *request)
{
	if (m->ip_proto == IPPROTO_ICMP && m->l3 == DP_L3_IPV4 && (m->sport == 8 || m->sport == 0)) {
		*request = m->sport == 8;
		return true;
	}
	if (m->ip_proto == IPPROTO_ICMPV6 && m->l3 == DP_L3_IPV6 &&
	    (m->sport == 128 || m->sport == 129)) {
		*request = m->sport == 128;
		return true;
	}
	return false;
}

/* Builds the normalised key of a frame.  Returns false if the frame is not trackable;
 * *from_a tells whether the frame travels from endpoint a. */
static bool
frame_key(const struct dp_meta *m, const uint8_t *frame, struct ct_key *k, bool *from_a,
	  bool *request)
{
	const uint8_t *s, *d;
	uint16_t sp, dp;
	size_t alen;
	int c;

	if ((m->l3 != DP_L3_IPV4 && m->l3 != DP_L3_IPV6) || m->frag)
		return false;
	*request = false;
	if (m->ip_proto == IPPROTO_TCP || m->ip_proto == IPPROTO_UDP) {
		sp = m->sport;
		dp = m->dport;
	} else if (icmp_echo(m, request)) {
		/* The echo identifier pairs a reply with its request (RFC 792, RFC 4443). */
		const uint8_t *icmp = frame + m->l2_len + m->l3_len;

		sp = dp = (uint16_t)(icmp[4] << 8 | icmp[5]);
	} else {
		return false;
	}
	if (m->l3 == DP_L3_IPV4) {
		s = (const uint8_t *)&m->ip.v4.src_be;
		d = (const uint8_t *)&m->ip.v4.dst_be;
		alen = 4;
	} else {
		s = m->ip.v6.src;
		d = m->ip.v6.dst;
		alen = 16;
	}
	memset(k, 0, sizeof(*k));
	k->proto = m->ip_proto;
	k->family = m->l3 == DP_L3_IPV4 ? 4 : 6;
	c = memcmp(s, d, alen);
	*from_a = c < 0 || (c == 0 && sp <= dp);
	memcpy(k->a, *from_a ? s : d, alen);
	memcpy(k->b, *from_a ? d : s, alen);
	k->pa = *from_a ? sp : dp;
	k->pb = *from_a ? dp : sp;
	return true;
}

static inline uint32_t
key_hash(const struct ct_key *k)
{
	return rte_hash_crc(k, sizeof(*k), 0x5bd1e995);
}

/* Returns the slot holding 'k', or -1. */
static int64_t
find(const struct conntrack *ct, const struct ct_key *k, uint32_t hash)
{
	for (uint32_t i = hash & ct->mask;; i = (i + 1) & ct->mask) {
		const struct ct_entry *e = &ct->slots[i];

		if (e->state == CT_STATE_NONE)
			return -1;
		if (e->hash == hash && memcmp(&e->key, k, sizeof(*k)) == 0)
			return i;
	}
}

/* Backward-shift deletion: pull later entries of the probe run into the hole, so lookups never
 * need tombstones. */
static void
remove_slot(struct conntrack *ct, uint32_t i)
{
	uint32_t j = i, h;

	for (;;) {
		j = (j + 1) & ct->mask;
		if (ct->slots[j].state == CT_STATE_NONE)
			break;
		h = ct->slots[j].hash & ct->mask;
		/* The entry at j may move to i only if its home is not cyclically in (i, j]. */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			ct->slots[i] = ct->slots[j];
			i = j;
		}
	}
	ct->slots[i].state = CT_STATE_NONE;
	ct->n_entries--;
}

static struct ct_entry *
insert(struct conntrack *ct, const struct ct_key *k, uint32_t hash)
{
	uint32_t i = hash & ct->mask;

	while (ct->slots[i].state != CT_STATE_NONE)
		i = (i + 1) & ct->mask;
	memset(&ct->slots[i], 0, sizeof(ct->slots[i]));
	ct->slots[i].key = *k;
	ct->slots[i].hash = hash;
	ct->n_entries++;
	return &ct->slots[i];
}

static inline void
set_state(const struct conntrack *ct, struct ct_entry *e, enum conntrack_state s, uint64_t now)
{
	e->state = (uint8_t)s;
	e->expires = now + ct->timeout[s];
}

/* TCP state machine on flags.  'reply' is the direction of the segment.  Returns the verdict;
 * CT_MISS means "forget this entry and let the ACL decide" (a new SYN reusing a closed tuple). */
static enum conntrack_verdict
tcp_step(const struct conntrack *ct, struct ct_entry *e, bool reply, uint8_t f, uint64_t now)
{
	enum conntrack_verdict v = reply ? CT_REPLY : CT_ORIG;
	bool syn = f & TCP_SYN, ack = f & TCP_ACK, rst = f & TCP_RST, fin = f & TCP_FIN;

	if (rst) {
		set_state(ct, e, CT_TCP_CLOSE, now);
		return v;
	}
	switch (e->state) {
	case CT_TCP_SYN_SENT:
		if (!reply && syn && !ack)
			break; /* retransmitted SYN */
		if (reply && syn && ack) {
			set_state(ct, e, CT_TCP_SYN_RECV, now);
			return v;
		}
		return CT_INVALID;
	case CT_TCP_SYN_RECV:
		if (syn && (reply ? ack : !ack))
			break; /* retransmitted SYN or SYN-ACK */
		if (!reply && ack && !syn) {
			set_state(ct, e, fin ? CT_TCP_FIN_WAIT : CT_TCP_ESTABLISHED, now);
			if (fin)
				e->flags |= F_FIN_ORIG;
			return v;
		}
		return CT_INVALID;
	case CT_TCP_ESTABLISHED:
	case CT_TCP_FIN_WAIT:
	case CT_TCP_LAST_ACK:
		if (syn)
			return CT_INVALID;
		if (fin)
			e->flags |= reply ? F_FIN_REPLY : F_FIN_ORIG;
		if ((e->flags & (F_FIN_ORIG | F_FIN_REPLY)) == (F_FIN_ORIG | F_FIN_REPLY)) {
			/* Both FINs seen: the ACK of the second one ends the connection. */
			if (e->state == CT_TCP_LAST_ACK && ack && !fin)
				set_state(ct, e, CT_TCP_TIME_WAIT, now);
			else
				set_state(ct, e, CT_TCP_LAST_ACK, now);
			return v;
		}
		set_state(ct, e, fin || e->state == CT_TCP_FIN_WAIT ? CT_TCP_FIN_WAIT :
				 CT_TCP_ESTABLISHED, now);
		return v;
	case CT_TCP_TIME_WAIT:
	case CT_TCP_CLOSE:
		if (syn && !ack)
			return CT_MISS; /* a new connection on the same tuple: ask the ACL again */
		return v; /* late segments: allowed, but they do not extend the entry */
	default:
		return CT_INVALID;
	}
	e->expires = now + ct->timeout[e->state];
	return v;
}

enum conntrack_verdict
conntrack_lookup(struct conntrack *ct, const struct dp_meta *m, const uint8_t *frame, uint64_t now)
{
	enum conntrack_verdict v;
	bool from_a, request, reply;
	struct ct_entry *e;
	struct ct_key k;
	uint32_t hash;
	int64_t i;

	if (!frame_key(m, frame, &k, &from_a, &request))
		return CT_MISS;
	hash = key_hash(&k);
	i = find(ct, &k, hash);
	if (i < 0)
		return CT_MISS;
	e = &ct->slots[i];
	if (now >= e->expires) {
		remove_slot(ct, (uint32_t)i);
		ct->expired++;
		return CT_MISS;
	}
	reply = from_a != !!(e->flags & F_ORIG_IS_A);
	switch (e->state) {
	case CT_UDP_FIRST:
	case CT_UDP_STREAM:
		set_state(ct, e, reply || e->state == CT_UDP_STREAM ? CT_UDP_STREAM : CT_UDP_FIRST, now);
		v = reply ? CT_REPLY : CT_ORIG;
		break;
	case CT_ICMP_ECHO:
		set_state(ct, e, CT_ICMP_ECHO, now);
		v = reply ? CT_REPLY : CT_ORIG;
		break;
	default:
		v = tcp_step(ct, e, reply, m->tcp_flags, now);
		break;
	}
	if (v == CT_MISS) {
		remove_slot(ct, (uint32_t)i);
		return v;
	}
	if (v == CT_INVALID)
		ct->invalid++;
	else
		e->pkts[reply]++;
	return v;
}

int
conntrack_commit(struct conntrack *ct, const struct dp_meta *m, const uint8_t *frame, uint64_t now)
{
	enum conntrack_state s;
	bool from_a, request;
	struct ct_entry *e;
	struct ct_key k;
	uint32_t hash;
	int64_t i;

	if (!frame_key(m, frame, &k, &from_a, &request))
		return -EPROTONOSUPPORT;
	if (m->ip_proto == IPPROTO_TCP) {
		if ((m->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) != TCP_SYN)
			return -EPROTONOSUPPORT; /* only a SYN opens a TCP connection */
		s = CT_TCP_SYN_SENT;
	} else if (m->ip_proto == IPPROTO_UDP) {
		s = CT_UDP_FIRST;
	} else {
		if (!request)
			return -EPROTONOSUPPORT;
		s = CT_ICMP_ECHO;
	}
	hash = key_hash(&k);
	i = find(ct, &k, hash);
	if (i >= 0) {
		if (now < ct->slots[i].expires)
			return -EEXIST;
		remove_slot(ct, (uint32_t)i);
		ct->expired++;
	}
	if (ct->n_entries >= ct->max_entries)
		conntrack_expire(ct, now, RECLAIM_BUDGET);
	if (ct->n_entries >= ct->max_entries) {
		ct->full_drops++;
		return -ENOSPC;
	}
	e = insert(ct, &k, hash);
	e->flags = from_a ? F_ORIG_IS_A : 0;
	e->pkts[0] = 1;
	set_state(ct, e, s, now);
	ct->created++;
	return 0;
}

unsigned
conntrack_expire(struct conntrack *ct, uint64_t now, unsigned budget)
{
	unsigned removed = 0;

	while (budget-- > 0) {
		struct ct_entry *e = &ct->slots[ct->cursor];

		if (e->state != CT_STATE_NONE && now >= e->expires) {
			/* Stay on this slot: the shift may have pulled another entry into it. */
			remove_slot(ct, ct->cursor);
			ct->expired++;
			removed++;
			continue;
		}
		ct->cursor = (ct->cursor + 1) & ct->mask;
	}
	return removed;
}

void
conntrack_get_stats(const struct conntrack *ct, struct conntrack_stats *s)
{
	s->n_entries = ct->n_entries;
	s->created = ct->created;
	s->expired = ct->expired;
	s->full_drops = ct->full_drops;
	s->invalid = ct->invalid;
}

enum conntrack_state
conntrack_peek(const struct conntrack *ct, const struct dp_meta *m, const uint8_t *frame,
	       uint64_t now)
{
	bool from_a, request;
	struct ct_key k;
	int64_t i;

	if (!frame_key(m, frame, &k, &from_a, &request))
		return CT_STATE_NONE;
	i = find(ct, &k, key_hash(&k));
	if (i < 0 || now >= ct->slots[i].expires)
		return CT_STATE_NONE;
	return ct->slots[i].state;
}

/* Export format, all integers big-endian:
 *   header (16 bytes): "DVCT", u16 version (1), u16 entry size (52), u32 count, u32 zero
 *   entry (52 bytes):  u8 family, u8 proto, u8 state, u8 flags (bit1 FIN from the originator,
 *                      bit2 FIN from the responder), 16 bytes originator address, 16 bytes
 *                      responder address, u16 originator port, u16 responder port (ICMP: the
 *                      echo identifier twice), u32 remaining lifetime in ms, u32 frames from
 *                      the originator, u32 frames from the responder. */
#define EXPORT_MAGIC "DVCT"
#define EXPORT_VERSION 1
#define EXPORT_HDR 16
#define EXPORT_ENTRY 52
#define EXPORT_MAX_LIFETIME_MS (30ULL * 86400 * 1000)

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t
live_count(const struct conntrack *ct, uint64_t now)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i <= ct->mask; i++)
		n += ct->slots[i].state != CT_STATE_NONE && now < ct->slots[i].expires;
	return n;
}

size_t
conntrack_export_size(const struct conntrack *ct, uint64_t now)
{
	return EXPORT_HDR + (size_t)live_count(ct, now) * EXPORT_ENTRY;
}

long
conntrack_export(const struct conntrack *ct, uint64_t now, uint8_t *buf, size_t size)
{
	uint32_t n = live_count(ct, now);
	uint8_t *p = buf + EXPORT_HDR;

	if (size < EXPORT_HDR + (size_t)n * EXPORT_ENTRY)
		return -ENOSPC;
	memcpy(buf, EXPORT_MAGIC, 4);
	put16(buf + 4, EXPORT_VERSION);
	put16(buf + 6, EXPORT_ENTRY);
	put32(buf + 8, n);
	put32(buf + 12, 0);
	for (uint32_t i = 0; i <= ct->mask; i++) {
		const struct ct_entry *e = &ct->slots[i];
		bool a_orig = e->flags & F_ORIG_IS_A;
		unsigned __int128 ms;

		if (e->state == CT_STATE_NONE || now >= e->expires)
			continue;
		ms = (unsigned __int128)(e->expires - now) * 1000 / ct->hz;
		p[0] = e->key.family;
		p[1] = e->key.proto;
		p[2] = e->state;
		p[3] = e->flags & (F_FIN_ORIG | F_FIN_REPLY);
		memcpy(p + 4, a_orig ? e->key.a : e->key.b, 16);
		memcpy(p + 20, a_orig ? e->key.b : e->key.a, 16);
		put16(p + 36, a_orig ? e->key.pa : e->key.pb);
		put16(p + 38, a_orig ? e->key.pb : e->key.pa);
		put32(p + 40, ms == 0 ? 1 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms);
		put32(p + 44, e->pkts[0]);
		put32(p + 48, e->pkts[1]);
		p += EXPORT_ENTRY;
	}
	return (long)(p - buf);
}

static bool
state_fits(uint8_t proto, uint8_t state)
{
	if (proto == IPPROTO_TCP)
		return state >= CT_TCP_SYN_SENT && state <= CT_TCP_CLOSE;
	if (proto == IPPROTO_UDP)
		return state == CT_UDP_FIRST || state == CT_UDP_STREAM;
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		return state == CT_ICMP_ECHO;
	return false;
}

long
conntrack_import(struct conntrack *ct, const uint8_t *buf, size_t size, uint64_t now,
		 struct dvs_err *err)
{
	uint32_t n, i;
	long ret = 0;

	if (size < EXPORT_HDR || memcmp(buf, EXPORT_MAGIC, 4) != 0) {
		ret = dvs_err_set(err, EINVAL, "conntrack import: not a conntrack export (bad magic)");
		goto out;
	}
	if (get16(buf + 4) != EXPORT_VERSION || get16(buf + 6) != EXPORT_ENTRY) {
		ret = dvs_err_set(err, EINVAL, "conntrack import: version %u entry size %u, this switch "
				  "reads version %u entry size %u", get16(buf + 4), get16(buf + 6),
				  EXPORT_VERSION, EXPORT_ENTRY);
		goto out;
	}
	n = get32(buf + 8);
	if (size != EXPORT_HDR + (size_t)n * EXPORT_ENTRY) {
		ret = dvs_err_set(err, EINVAL, "conntrack import: %zu bytes for %u entries (expected %zu)",
				  size, n, EXPORT_HDR + (size_t)n * EXPORT_ENTRY);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *p = buf + EXPORT_HDR + (size_t)i * EXPORT_ENTRY;
		uint8_t fam = p[0], proto = p[1], state = p[2], fl = p[3];
		uint64_t ms = get32(p + 40);
		struct dp_meta m = {0};
		struct ct_key k;
		struct ct_entry *e;
		bool from_a, request;
		uint8_t icmp[8] = {0};
		uint32_t hash;
		int64_t slot;

		if ((fam != 4 && fam != 6) || !state_fits(proto, state) || (fl & ~0x06) || ms == 0 ||
		    ms > EXPORT_MAX_LIFETIME_MS ||
		    (proto == IPPROTO_ICMP && fam != 4) || (proto == IPPROTO_ICMPV6 && fam != 6)) {
			ret = dvs_err_set(err, EINVAL, "conntrack import: entry %u invalid (family %u, "
					  "protocol %u, state %u, flags 0x%02x, lifetime %" PRIu64 " ms)",
					  i, fam, proto, state, fl, ms);
			goto out;
		}
		/* Rebuild the key through the same path as a frame from the originator. */
		m.l3 = fam == 4 ? DP_L3_IPV4 : DP_L3_IPV6;
		m.ip_proto = proto;
		if (fam == 4) {
			memcpy(&m.ip.v4.src_be, p + 4, 4);
			memcpy(&m.ip.v4.dst_be, p + 20, 4);
		} else {
			memcpy(m.ip.v6.src, p + 4, 16);
			memcpy(m.ip.v6.dst, p + 20, 16);
		}
		m.sport = get16(p + 36);
		m.dport = get16(p + 38);
		if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
			m.sport = proto == IPPROTO_ICMP ? 8 : 128;
			m.dport = 0;
			icmp[4] = p[36];
			icmp[5] = p[37];
		}
		frame_key(&m, icmp, &k, &from_a, &request);
		hash = key_hash(&k);
		slot = find(ct, &k, hash);
		if (slot >= 0)
			remove_slot(ct, (uint32_t)slot);
		if (ct->n_entries >= ct->max_entries)
			conntrack_expire(ct, now, RECLAIM_BUDGET);
		if (ct->n_entries >= ct->max_entries) {
			ret = dvs_err_set(err, ENOSPC, "conntrack import: table full (%u entries) after "
					  "%u of %u entries", ct->max_entries, i, n);
			goto out;
		}
		e = insert(ct, &k, hash);
		e->state = state;
		e->flags = (uint8_t)(fl | (from_a ? F_ORIG_IS_A : 0));
		e->expires = now + (uint64_t)((unsigned __int128)ms * ct->hz / 1000);
		e->pkts[0] = get32(p + 44);
		e->pkts[1] = get32(p + 48);
		ct->created++;
	}
	ret = n;
out:
	return ret;
}
