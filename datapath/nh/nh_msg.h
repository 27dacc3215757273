/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* rtnetlink messages of the next-hop resolver: builders for the requests it sends (route get,
 * neighbour get, link get, neighbour "use") and parsers of what the kernel answers or
 * broadcasts (routes, neighbours, links) into flat structs.  Pure functions over message
 * buffers, no socket: unit-tested with messages built in the test. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct nlmsghdr;

/* An IPv4 or IPv6 address (network byte order). */
struct nh_addr {
	uint8_t family; /* AF_INET, AF_INET6; 0 = none */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

#define NH_ADDR_STRLEN INET6_ADDRSTRLEN
/* IFNAMSIZ, without <net/if.h>, which clashes with <linux/if.h> in includers. */
#define NH_IFNAMSIZ 16

/* Parses "192.0.2.1" or "2001:db8::1".  Returns 0 or -EINVAL. */
int nh_addr_parse(const char *s, struct nh_addr *out);
/* Formats 'a' into 'buf' (NH_ADDR_STRLEN bytes); "-" for no address.  Returns 'buf'. */
const char *nh_addr_str(const struct nh_addr *a, char *buf, size_t size);
bool nh_addr_eq(const struct nh_addr *a, const struct nh_addr *b);
/* True if 'a' lies in 'prefix'/'len' (same family). */
bool nh_addr_in_prefix(const struct nh_addr *a, const struct nh_addr *prefix, unsigned len);
/* Address size of a family: 4, 16, or 0. */
size_t nh_addr_size(uint8_t family);

/* A route, as the kernel reports it in RTM_NEWROUTE/RTM_DELROUTE (an answer to a route get
 * is the route the kernel would use for that destination). */
struct nh_msg_route {
	uint8_t family;
	uint8_t dst_len;
	uint8_t type;       /* RTN_UNICAST, RTN_LOCAL, RTN_UNREACHABLE, ... */
	uint32_t table;     /* RTA_TABLE, else rtm_table */
	uint32_t oif;       /* output interface, 0 if none */
	struct nh_addr dst; /* prefix (family 0 for a default route) */
	struct nh_addr gateway; /* RTA_GATEWAY or RTA_VIA; family 0 when directly connected */
	struct nh_addr prefsrc;
	uint32_t mtu;       /* RTAX_MTU metric, 0 if none */
};

/* A neighbour entry (RTM_NEWNEIGH/RTM_DELNEIGH). */
struct nh_msg_neigh {
	uint8_t family;
	uint32_t ifindex;
	uint16_t state;     /* NUD_* */
	uint8_t flags;      /* NTF_* */
	struct nh_addr dst;
	bool has_lladdr;
	uint8_t lladdr[6];
};

/* A link (RTM_NEWLINK/RTM_DELLINK). */
struct nh_msg_link {
	uint32_t ifindex;
	uint32_t flags;     /* IFF_* */
	uint32_t mtu;
	bool has_addr;
	uint8_t addr[6];    /* Ethernet links only: has_addr is false for other sizes */
	char name[NH_IFNAMSIZ];
};

/* Parsers: return 0, or -EINVAL if 'nlh' is not that kind of message, or -EBADMSG if it is
 * truncated or an attribute is malformed (the struct is then unspecified). */
int nh_msg_parse_route(const struct nlmsghdr *nlh, struct nh_msg_route *out);
int nh_msg_parse_neigh(const struct nlmsghdr *nlh, struct nh_msg_neigh *out);
int nh_msg_parse_link(const struct nlmsghdr *nlh, struct nh_msg_link *out);

/* True for the NUD states whose link-layer address may be used to send (as the kernel does:
 * REACHABLE, STALE, DELAY, PROBE, PERMANENT, NOARP). */
bool nh_nud_valid(uint16_t state);
/* "reachable", "stale", ... for logs and the probe tool; "none" for 0. */
const char *nh_nud_str(uint16_t state);

/* Request builders.  'buf' must hold NH_MSG_BUF_SIZE bytes; return the message (in 'buf').
 * Sequence numbers are set by the sender. */
#define NH_MSG_BUF_SIZE 256
struct nlmsghdr *nh_msg_route_get(void *buf, const struct nh_addr *dst);
struct nlmsghdr *nh_msg_neigh_get(void *buf, uint32_t ifindex, const struct nh_addr *addr);
struct nlmsghdr *nh_msg_link_get(void *buf, uint32_t ifindex);
/* RTM_NEWNEIGH with NTF_USE (and NLM_F_CREATE): the kernel creates the entry if needed and
 * treats it as used: an unknown neighbour goes INCOMPLETE and is solicited, a stale one is
 * re-confirmed.  It never writes a link-layer address.  Needs CAP_NET_ADMIN. */
struct nlmsghdr *nh_msg_neigh_use(void *buf, uint32_t ifindex, const struct nh_addr *addr);
