/* SPDX-License-Identifier: Apache-2.0 */
/* The next-hop cache: one entry per tracked remote VTEP, resolved by asking the kernel (route
 * get, link get, neighbour get) on a query socket, and re-resolved when a notification on a
 * second socket (routes, neighbours, links) may have changed it.  Everything runs on the
 * control thread's dvs_loop; the fast path never sees this, only the templates built from it. */
#include "nh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#define DVS_LOG_MODULE "dvs.nh"
#include "err.h"
#include "log.h"
#include "loop.h"
#include "nh_nl.h"

/* Retry of an unresolved neighbour: the kernel sends 3 solicitations 1 s apart and then
 * marks it failed, so ask again after a second, backing off to 8 s. */
#define NH_RETRY_MIN_MS 1000
#define NH_RETRY_MAX_MS 8000
/* A stale neighbour is re-confirmed (as kernel traffic would) at most this often. */
#define NH_REFRESH_MIN_MS 5000
#define NH_EVENT_RCVBUF (1 << 20)

struct nh_entry {
	struct nh_cache *cache;
	struct nh_result r;
	bool dirty;            /* a notification may have changed it: re-resolve */
	bool probe_due;        /* the retry timer fired: solicit again if still pending */
	struct dvs_timer *retry;
	uint32_t backoff_ms;
	uint64_t last_probe_ms;
};

struct nh_cache {
	struct dvs_loop *loop;
	struct mnl_socket *query;
	struct mnl_socket *events;
	nh_change_cb *cb;
	void *arg;
	enum nh_probe_mode probe_mode;
	struct nh_entry **entries; /* pointers: timers hold them across array growth */
	size_t n, cap;
	struct nh_stats stats;
};

/* --- one resolution pass ------------------------------------------------------------- */

static int
route_cb(const struct nlmsghdr *nlh, void *arg)
{
	return nh_msg_parse_route(nlh, arg) == 0 ? MNL_CB_OK : MNL_CB_ERROR;
}

static int
link_cb(const struct nlmsghdr *nlh, void *arg)
{
	return nh_msg_parse_link(nlh, arg) == 0 ? MNL_CB_OK : MNL_CB_ERROR;
}

static int
neigh_cb(const struct nlmsghdr *nlh, void *arg)
{
	return nh_msg_parse_neigh(nlh, arg) == 0 ? MNL_CB_OK : MNL_CB_ERROR;
}

/* Sends an empty datagram to the next hop's discard port: to send it, the kernel must
 * resolve the neighbour.  No privilege needed; binding to the device (so the probe leaves
 * where the tunnel will) is best effort. */
static int
probe_udp(const struct nh_result *r)
{
	struct sockaddr_storage ss = {0};
	socklen_t sl;
	int fd, ret = 0;

	fd = socket(r->nexthop.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, r->ifname, (socklen_t)strlen(r->ifname));
	if (r->nexthop.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(9);
		sin->sin_addr = r->nexthop.v4;
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(9);
		sin6->sin6_addr = r->nexthop.v6;
		sin6->sin6_scope_id = r->ifindex; /* a link-local gateway needs its interface */
		sl = sizeof(*sin6);
	}
	if (sendto(fd, "", 0, 0, (struct sockaddr *)&ss, sl) < 0 && errno != EAGAIN)
		ret = -errno;
	close(fd);
	return ret;
}

static void
probe(struct nh_cache *c, struct nh_entry *e)
{
	char buf[NH_MSG_BUF_SIZE];
	int ret = -EPERM;

	e->last_probe_ms = dvs_now_ms();
	c->stats.probes++;
	if (c->probe_mode != NH_PROBE_UDP)
		ret = nh_nl_request(c->query, nh_msg_neigh_use(buf, e->r.ifindex, &e->r.nexthop),
				    NULL, NULL);
	if (ret == -EPERM && c->probe_mode != NH_PROBE_NEIGH_USE)
		ret = probe_udp(&e->r);
	if (ret < 0) {
		char a[NH_ADDR_STRLEN];
		c->stats.probe_errors++;
		DVS_LOG_RL(WARN, "cannot solicit next hop %s on %s: %s",
			   nh_addr_str(&e->r.nexthop, a, sizeof(a)), e->r.ifname, strerror(-ret));
	}
}

/* Asks the kernel where 'dst' goes now.  Fills 'r' (zeroed first) and returns r->status. */
static int
query(struct nh_cache *c, const struct nh_addr *dst, struct nh_result *r)
{
	char buf[NH_MSG_BUF_SIZE];
	struct nh_msg_route rt;
	struct nh_msg_link lk;
	struct nh_msg_neigh ne;
	int ret;

	memset(r, 0, sizeof(*r));
	r->dst = *dst;
	c->stats.resolves++;

	memset(&rt, 0, sizeof(rt));
	ret = nh_nl_request(c->query, nh_msg_route_get(buf, dst), route_cb, &rt);
	if (ret == -EHOSTUNREACH || ret == -EACCES || ret == -EINVAL || ret == -ENETDOWN)
		ret = -ENETUNREACH; /* unreachable / prohibit / blackhole routes, link down */
	if (ret < 0)
		goto out;
	if (rt.type != RTN_UNICAST || rt.oif == 0) {
		ret = -ENETUNREACH;
		goto out;
	}
	r->ifindex = rt.oif;
	r->src = rt.prefsrc;
	r->route_mtu = rt.mtu;
	r->via_gateway = rt.gateway.family != 0;
	r->nexthop = r->via_gateway ? rt.gateway : *dst;

	memset(&lk, 0, sizeof(lk));
	ret = nh_nl_request(c->query, nh_msg_link_get(buf, r->ifindex), link_cb, &lk);
	if (ret < 0)
		goto out;
	if (!lk.has_addr) {
		ret = -EOPNOTSUPP; /* not an Ethernet interface: no outer MAC to build */
		goto out;
	}
	snprintf(r->ifname, sizeof(r->ifname), "%s", lk.name);
	memcpy(r->if_mac, lk.addr, 6);
	r->if_mtu = lk.mtu;

	memset(&ne, 0, sizeof(ne));
	ret = nh_nl_request(c->query, nh_msg_neigh_get(buf, r->ifindex, &r->nexthop), neigh_cb,
			    &ne);
	if (ret == -ENOENT) {
		ret = -EAGAIN;
		goto out;
	}
	if (ret < 0)
		goto out;
	r->nud_state = ne.state;
	if (!nh_nud_valid(ne.state) || !ne.has_lladdr) {
		ret = -EAGAIN;
		goto out;
	}
	memcpy(r->nh_mac, ne.lladdr, 6);
	ret = 0;
out:
	r->status = ret;
	return ret;
}

/* True if 'a' and 'b' differ in what an outer header or the tunnel MTU depends on (not the
 * NUD state, which cycles reachable/stale/delay without changing the MAC). */
static bool
result_changed(const struct nh_result *a, const struct nh_result *b)
{
	struct nh_result x = *a, y = *b;
	x.nud_state = y.nud_state = 0;
	return memcmp(&x, &y, sizeof(x)) != 0;
}

static void retry_cb(struct dvs_loop *loop, struct dvs_timer *t, void *arg);

/* Re-resolves 'e' and keeps its retry timer in step.  Returns true if the result changed. */
static bool
refresh(struct nh_cache *c, struct nh_entry *e, bool first)
{
	struct nh_result r;
	bool was_ok = e->r.status == 0;
	char a[NH_ADDR_STRLEN], b[NH_ADDR_STRLEN];

	query(c, &e->r.dst, &r);
	bool changed = first || result_changed(&e->r, &r);
	e->r = r;

	if (r.status == -EAGAIN) {
		/* Solicit on the way into "pending" and when the retry timer says so; never
		 * because of a notification alone, which a solicitation itself causes. */
		if (first || was_ok || e->probe_due)
			probe(c, e);
		if (!e->retry) {
			e->backoff_ms = e->probe_due ? DVS_MIN(e->backoff_ms * 2, NH_RETRY_MAX_MS)
						     : NH_RETRY_MIN_MS;
			e->retry = dvs_loop_add_timer(c->loop, e->backoff_ms, false, retry_cb, e);
		}
	} else {
		dvs_timer_cancel(c->loop, e->retry);
		e->retry = NULL;
		e->backoff_ms = 0;
		/* The kernel re-confirms a stale neighbour only when something uses it, and our
		 * frames bypass the kernel: use it, so a changed MAC is noticed. */
		if (r.status == 0 && (r.nud_state & NUD_STALE) &&
		    dvs_now_ms() - e->last_probe_ms >= NH_REFRESH_MIN_MS)
			probe(c, e);
	}
	e->probe_due = false;
	if (changed && !first) {
		DVS_LOG(INFO, "next hop of %s: %s via %s dev %s mac %02x:%02x:%02x:%02x:%02x:%02x",
			nh_addr_str(&r.dst, a, sizeof(a)),
			r.status == 0 ? "resolved" : r.status == -EAGAIN ? "pending" : strerror(-r.status),
			nh_addr_str(&r.nexthop, b, sizeof(b)),
			r.ifname[0] ? r.ifname : "-", r.nh_mac[0], r.nh_mac[1], r.nh_mac[2],
			r.nh_mac[3], r.nh_mac[4], r.nh_mac[5]);
	}
	return changed;
}

/* Re-resolves every dirty entry and reports the ones that changed.  Looks the next dirty
 * entry up afresh each time, because a callback may forget entries. */
static void
process_dirty(struct nh_cache *c)
{
	for (;;) {
		struct nh_entry *e = NULL;
		for (size_t i = 0; i < c->n; i++) {
			if (c->entries[i]->dirty) {
				e = c->entries[i];
				break;
			}
		}
		if (!e)
			break;
		e->dirty = false;
		if (refresh(c, e, false) && c->cb) {
			struct nh_result r = e->r; /* the callback may forget 'e' */
			c->stats.changes++;
			c->cb(c, &r, c->arg);
		}
	}
}

static void
retry_cb(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	struct nh_entry *e = arg;

	/* The loop frees this one-shot timer on return; refresh() arms a new one if needed. */
	e->retry = NULL;
	e->dirty = true;
	e->probe_due = true;
	process_dirty(e->cache);
}

/* --- notifications ------------------------------------------------------------------- */

static void
mark_all(struct nh_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		c->entries[i]->dirty = true;
}

/* Marks the entries a notification may affect. */
static void
classify(struct nh_cache *c, const struct nlmsghdr *nlh)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE: {
		struct nh_msg_route rt;
		if (nh_msg_parse_route(nlh, &rt) < 0)
			break;
		/* Any route whose prefix covers a destination may now be (or no longer be) the
		 * best one for it; the kernel's answer to a route get decides. */
		for (size_t i = 0; i < c->n; i++) {
			struct nh_entry *e = c->entries[i];
			if (e->r.dst.family == rt.family &&
			    (rt.dst_len == 0 || nh_addr_in_prefix(&e->r.dst, &rt.dst, rt.dst_len)))
				e->dirty = true;
		}
		break;
	}
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH: {
		struct nh_msg_neigh ne;
		if (nh_msg_parse_neigh(nlh, &ne) < 0)
			break;
		for (size_t i = 0; i < c->n; i++) {
			struct nh_entry *e = c->entries[i];
			if (e->r.ifindex == ne.ifindex && nh_addr_eq(&e->r.nexthop, &ne.dst))
				e->dirty = true;
		}
		break;
	}
	case RTM_NEWLINK:
	case RTM_DELLINK: {
		struct nh_msg_link lk;
		if (nh_msg_parse_link(nlh, &lk) < 0)
			break;
		for (size_t i = 0; i < c->n; i++) {
			if (c->entries[i]->r.ifindex == lk.ifindex)
				c->entries[i]->dirty = true;
		}
		break;
	}
	default:
		break;
	}
}

static void
events_cb(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct nh_cache *c = arg;
	char buf[NH_NL_BUF_SIZE];

	/* Drain the socket first, then re-resolve once per affected entry: a route replace or
	 * a link flap arrives as a burst. */
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				/* Notifications were lost: trust nothing we derived. */
				c->stats.overruns++;
				DVS_LOG_RL(WARN, "rtnetlink notifications lost; re-resolving all next hops");
				mark_all(c);
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				DVS_LOG_RL(WARN, "rtnetlink notification socket: %s", strerror(errno));
			break;
		}
		int len = (int)n;
		for (const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			c->stats.events++;
			classify(c, nlh);
		}
	}
	process_dirty(c);
}

/* --- public API ---------------------------------------------------------------------- */

static struct mnl_socket *
events_open(void)
{
	static const unsigned groups[] = {RTNLGRP_LINK, RTNLGRP_NEIGH, RTNLGRP_IPV4_ROUTE,
					  RTNLGRP_IPV6_ROUTE};
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int size = NH_EVENT_RCVBUF, err;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		unsigned g = groups[i];
		if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			goto fail;
	}
	/* A bigger buffer makes overruns (and full re-resolution) rarer on a busy host;
	 * FORCE needs CAP_NET_ADMIN, the plain option is capped by rmem_max. */
	int fd = mnl_socket_get_fd(nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return nl;
fail:
	err = errno;
	mnl_socket_close(nl);
	errno = err;
	return NULL;
}

struct nh_cache *
nh_cache_create(struct dvs_loop *loop, nh_change_cb *cb, void *arg)
{
	struct nh_cache *c = calloc(1, sizeof(*c));
	int err, ret;

	if (!c)
		return NULL;
	c->loop = loop;
	c->cb = cb;
	c->arg = arg;
	c->query = nh_nl_open();
	if (!c->query)
		goto fail;
	c->events = events_open();
	if (!c->events)
		goto fail;
	ret = dvs_loop_add_fd(loop, mnl_socket_get_fd(c->events), DVS_LOOP_IN, events_cb, c);
	if (ret < 0) {
		errno = -ret;
		goto fail;
	}
	return c;
fail:
	err = errno;
	if (c->events)
		mnl_socket_close(c->events);
	if (c->query)
		mnl_socket_close(c->query);
	free(c);
	errno = err;
	return NULL;
}

static void
entry_free(struct nh_cache *c, struct nh_entry *e)
{
	dvs_timer_cancel(c->loop, e->retry);
	free(e);
}

void
nh_cache_destroy(struct nh_cache *c)
{
	if (!c)
		return;
	dvs_loop_del_fd(c->loop, mnl_socket_get_fd(c->events));
	for (size_t i = 0; i < c->n; i++)
		entry_free(c, c->entries[i]);
	free(c->entries);
	mnl_socket_close(c->events);
	mnl_socket_close(c->query);
	free(c);
}

void
nh_cache_set_probe_mode(struct nh_cache *c, enum nh_probe_mode mode)
{
	c->probe_mode = mode;
}

static ssize_t
find(const struct nh_cache *c, const struct nh_addr *dst)
{
	for (size_t i = 0; i < c->n; i++) {
		if (nh_addr_eq(&c->entries[i]->r.dst, dst))
			return (ssize_t)i;
	}
	return -1;
}

int
nh_resolve(struct nh_cache *c, const struct nh_addr *dst, struct nh_result *out)
{
	ssize_t i = find(c, dst);
	struct nh_entry *e;

	if (dst->family != AF_INET && dst->family != AF_INET6)
		return -EINVAL;
	if (i >= 0) {
		*out = c->entries[i]->r;
		return out->status;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct nh_entry **p = realloc(c->entries, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		c->entries = p;
		c->cap = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cache = c;
	e->r.dst = *dst;
	c->entries[c->n++] = e;
	refresh(c, e, true);
	*out = e->r;
	return out->status;
}

int
nh_forget(struct nh_cache *c, const struct nh_addr *dst)
{
	ssize_t i = find(c, dst);

	if (i < 0)
		return -ENOENT;
	entry_free(c, c->entries[i]);
	c->entries[i] = c->entries[--c->n];
	return 0;
}

void
nh_cache_get_stats(const struct nh_cache *c, struct nh_stats *out)
{
	*out = c->stats;
}
