/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The two ways the next-hop resolver talks rtnetlink over libmnl: a request answered by
 * messages and an ACK (route/neighbour/link get, neighbour "use"), and a dump.  Blocking,
 * for the control thread; the kernel answers these from memory, in microseconds. */

#include <stdint.h>

struct mnl_socket;
struct nlmsghdr;

/* Called for each answer message; returns MNL_CB_OK to go on, MNL_CB_STOP or MNL_CB_ERROR. */
/* Receive buffer: the size the kernel uses for dump chunks (libmnl >= 1.0.5 calls it
 * MNL_SOCKET_DUMP_SIZE; Debian 12 has 1.0.4). */
#define NH_NL_BUF_SIZE 32768

typedef int nh_nl_msg_cb(const struct nlmsghdr *nlh, void *arg);

/* Opens a NETLINK_ROUTE socket with strict checking of get requests.  Returns NULL with
 * errno set. */
struct mnl_socket *nh_nl_open(void);

/* Sends 'nlh' (NLM_F_ACK is added, a sequence number assigned) and runs 'cb' (may be NULL)
 * on each answer until the kernel's ACK.  Returns 0, or the kernel's -errno (-ENETUNREACH
 * for a route get without a route, -ENOENT for an unknown neighbour, -EPERM, ...). */
int nh_nl_request(struct mnl_socket *nl, struct nlmsghdr *nlh, nh_nl_msg_cb *cb, void *arg);

/* Sends 'nlh' as a dump request (NLM_F_DUMP) and runs 'cb' on every message until
 * NLMSG_DONE.  Returns 0 or -errno (-EINTR if the dump was interrupted by a change:
 * NLM_F_DUMP_INTR; the caller retries). */
int nh_nl_dump(struct mnl_socket *nl, struct nlmsghdr *nlh, nh_nl_msg_cb *cb, void *arg);
