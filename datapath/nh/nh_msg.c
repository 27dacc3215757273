/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink request builders and parsers for the next-hop resolver.  Attributes are
 * collected into tb[] with mnl_attr_type_valid + mnl_attr_validate (libmnl's pattern), so a
 * malformed attribute fails the whole message instead of being read out of bounds. */
#include "nh_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

/* --- addresses ----------------------------------------------------------------------- */

size_t
nh_addr_size(uint8_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int
nh_addr_parse(const char *s, struct nh_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, &out->v4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &out->v6) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *
nh_addr_str(const struct nh_addr *a, char *buf, size_t size)
{
	if (!a->family || !inet_ntop(a->family, a->bytes, buf, (socklen_t)size))
		snprintf(buf, size, "-");
	return buf;
}

bool
nh_addr_eq(const struct nh_addr *a, const struct nh_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, nh_addr_size(a->family)) == 0;
}

bool
nh_addr_in_prefix(const struct nh_addr *a, const struct nh_addr *prefix, unsigned len)
{
	size_t size = nh_addr_size(a->family);

	if (a->family != prefix->family || len > size * 8)
		return false;
	if (memcmp(a->bytes, prefix->bytes, len / 8) != 0)
		return false;
	if (len % 8 == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - len % 8));
	return (a->bytes[len / 8] & mask) == (prefix->bytes[len / 8] & mask);
}

/* Copies an address attribute of 'family' into 'out'.  Returns 0 or -EBADMSG. */
static int
attr_addr(const struct nlattr *a, uint8_t family, struct nh_addr *out)
{
	size_t size = nh_addr_size(family);

	memset(out, 0, sizeof(*out));
	if (!size || mnl_attr_get_payload_len(a) != size)
		return -EBADMSG;
	out->family = family;
	memcpy(out->bytes, mnl_attr_get_payload(a), size);
	return 0;
}

/* --- attribute tables ---------------------------------------------------------------- */

struct attr_tb {
	const struct nlattr **tb;
	uint16_t max;
	const enum mnl_attr_data_type *types; /* MNL_TYPE_UNSPEC: any payload (checked later) */
};

/* Stores each known attribute after validating its type; unknown types are skipped (newer
 * kernels add attributes). */
static int
attr_cb(const struct nlattr *a, void *data)
{
	struct attr_tb *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, t->max) < 0)
		return MNL_CB_OK;
	if (t->types[type] != MNL_TYPE_UNSPEC && mnl_attr_validate(a, t->types[type]) < 0)
		return MNL_CB_ERROR;
	t->tb[type] = a;
	return MNL_CB_OK;
}

static const enum mnl_attr_data_type route_types[RTA_MAX + 1] = {
	[RTA_OIF] = MNL_TYPE_U32,
	[RTA_TABLE] = MNL_TYPE_U32,
	[RTA_METRICS] = MNL_TYPE_NESTED,
	[RTA_PRIORITY] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type metric_types[RTAX_MAX + 1] = {
	[RTAX_MTU] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type neigh_types[NDA_MAX + 1] = {
	[NDA_PROBES] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type link_types[IFLA_MAX + 1] = {
	[IFLA_MTU] = MNL_TYPE_U32,
	[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
};

/* --- parsers ------------------------------------------------------------------------- */

int
nh_msg_parse_route(const struct nlmsghdr *nlh, struct nh_msg_route *out)
{
	const struct nlattr *tb[RTA_MAX + 1] = {0};
	struct attr_tb t = {tb, RTA_MAX, route_types};
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE) {
		ret = -EINVAL;
		goto out;
	}
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtmsg) ||
	    mnl_attr_parse(nlh, sizeof(struct rtmsg), attr_cb, &t) < 0) {
		ret = -EBADMSG;
		goto out;
	}
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	out->family = rtm->rtm_family;
	out->dst_len = rtm->rtm_dst_len;
	out->type = rtm->rtm_type;
	out->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (tb[RTA_OIF])
		out->oif = mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_DST] && attr_addr(tb[RTA_DST], rtm->rtm_family, &out->dst) < 0)
		ret = -EBADMSG;
	if (tb[RTA_PREFSRC] && attr_addr(tb[RTA_PREFSRC], rtm->rtm_family, &out->prefsrc) < 0)
		ret = -EBADMSG;
	if (tb[RTA_GATEWAY] && attr_addr(tb[RTA_GATEWAY], rtm->rtm_family, &out->gateway) < 0)
		ret = -EBADMSG;
	if (tb[RTA_VIA]) {
		/* An IPv4 route through an IPv6 next hop (RFC 5549): struct rtvia. */
		const struct rtvia *via = mnl_attr_get_payload(tb[RTA_VIA]);
		size_t size = mnl_attr_get_payload_len(tb[RTA_VIA]);
		size_t asize = size >= sizeof(*via) ? nh_addr_size((uint8_t)via->rtvia_family) : 0;
		if (!asize || size != sizeof(*via) + asize) {
			ret = -EBADMSG;
		} else {
			out->gateway.family = (uint8_t)via->rtvia_family;
			memcpy(out->gateway.bytes, via->rtvia_addr, asize);
		}
	}
	if (tb[RTA_METRICS]) {
		const struct nlattr *mtb[RTAX_MAX + 1] = {0};
		struct attr_tb mt = {mtb, RTAX_MAX, metric_types};
		if (mnl_attr_parse_nested(tb[RTA_METRICS], attr_cb, &mt) < 0)
			ret = -EBADMSG;
		else if (mtb[RTAX_MTU])
			out->mtu = mnl_attr_get_u32(mtb[RTAX_MTU]);
	}
out:
	return ret;
}

int
nh_msg_parse_neigh(const struct nlmsghdr *nlh, struct nh_msg_neigh *out)
{
	const struct nlattr *tb[NDA_MAX + 1] = {0};
	struct attr_tb t = {tb, NDA_MAX, neigh_types};
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH) {
		ret = -EINVAL;
		goto out;
	}
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ndmsg) ||
	    mnl_attr_parse(nlh, sizeof(struct ndmsg), attr_cb, &t) < 0) {
		ret = -EBADMSG;
		goto out;
	}
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	out->family = ndm->ndm_family;
	out->ifindex = (uint32_t)ndm->ndm_ifindex;
	out->state = ndm->ndm_state;
	out->flags = ndm->ndm_flags;
	if (tb[NDA_DST] && attr_addr(tb[NDA_DST], ndm->ndm_family, &out->dst) < 0)
		ret = -EBADMSG;
	/* Only Ethernet link-layer addresses are of use to the fast path. */
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
		out->has_lladdr = true;
		memcpy(out->lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
	}
out:
	return ret;
}

int
nh_msg_parse_link(const struct nlmsghdr *nlh, struct nh_msg_link *out)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {0};
	struct attr_tb t = {tb, IFLA_MAX, link_types};
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) {
		ret = -EINVAL;
		goto out;
	}
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg) ||
	    mnl_attr_parse(nlh, sizeof(struct ifinfomsg), attr_cb, &t) < 0) {
		ret = -EBADMSG;
		goto out;
	}
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	out->ifindex = (uint32_t)ifi->ifi_index;
	out->flags = ifi->ifi_flags;
	if (tb[IFLA_MTU])
		out->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_IFNAME])
		snprintf(out->name, sizeof(out->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_ADDRESS] && ifi->ifi_type == ARPHRD_ETHER &&
	    mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
		out->has_addr = true;
		memcpy(out->addr, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
	}
out:
	return ret;
}

bool
nh_nud_valid(uint16_t state)
{
	return state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT |
			NUD_NOARP);
}

const char *
nh_nud_str(uint16_t state)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} names[] = {
		{NUD_INCOMPLETE, "incomplete"}, {NUD_REACHABLE, "reachable"},
		{NUD_STALE, "stale"},           {NUD_DELAY, "delay"},
		{NUD_PROBE, "probe"},           {NUD_FAILED, "failed"},
		{NUD_NOARP, "noarp"},           {NUD_PERMANENT, "permanent"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (state & names[i].bit)
			return names[i].name;
	}
	return "none";
}

/* --- request builders ---------------------------------------------------------------- */

struct nlmsghdr *
nh_msg_route_get(void *buf, const struct nh_addr *dst)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = (uint8_t)(nh_addr_size(dst->family) * 8);
	mnl_attr_put(nlh, RTA_DST, nh_addr_size(dst->family), dst->bytes);
	return nlh;
}

struct nlmsghdr *
nh_msg_neigh_get(void *buf, uint32_t ifindex, const struct nh_addr *addr)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = addr->family;
	ndm->ndm_ifindex = (int)ifindex;
	mnl_attr_put(nlh, NDA_DST, nh_addr_size(addr->family), addr->bytes);
	return nlh;
}

struct nlmsghdr *
nh_msg_link_get(void *buf, uint32_t ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	/* Statistics would triple the answer's size for nothing. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nlh;
}

struct nlmsghdr *
nh_msg_neigh_use(void *buf, uint32_t ifindex, const struct nh_addr *addr)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE;
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = addr->family;
	ndm->ndm_ifindex = (int)ifindex;
	/* The state is ignored with NTF_USE; NUD_NONE keeps an old kernel from pinning it. */
	ndm->ndm_state = NUD_NONE;
	ndm->ndm_flags = NTF_USE;
	mnl_attr_put(nlh, NDA_DST, nh_addr_size(addr->family), addr->bytes);
	return nlh;
}
