/* SPDX-License-Identifier: Apache-2.0 */
/* Moves a kernel interface into a named network namespace and brings it up there, over
 * rtnetlink (libmnl).  Used for tap ports that stand for a guest or container in a netns. */
#include "switchd.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

/* Sends one RTM_NEWLINK request and waits for its ACK.  Returns 0 or -errno. */
static int
rtnl_setlink(int ifindex, int netns_fd, bool up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int rc;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned)time(NULL);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (up) {
		ifm->ifi_flags = IFF_UP;
		ifm->ifi_change = IFF_UP;
	}
	if (netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl), NULL, NULL);
	rc = rc < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return rc;
}

int
sw_netns_move_link(const char *ifname, const char *netns, struct dvs_err *err)
{
	char path[128];
	int nsfd = -1, selffd = -1, rc;
	unsigned idx = if_nametoindex(ifname);

	if (!idx)
		return dvs_err_set(err, ENODEV, "interface %s not found", ifname);
	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return dvs_err_set(err, errno, "netns \"%s\": %s (create it with 'ip netns add %s')",
				   netns, strerror(errno), netns);
	rc = rtnl_setlink((int)idx, nsfd, false);
	if (rc < 0) {
		dvs_err_set(err, -rc, "moving %s into netns %s: %s", ifname, netns, strerror(-rc));
		goto out;
	}
	/* The interface index is kept across the move; bring it up from inside the netns. */
	selffd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (selffd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
		rc = dvs_err_set(err, errno, "entering netns %s: %s", netns, strerror(errno));
		goto out;
	}
	rc = rtnl_setlink((int)idx, -1, true);
	if (setns(selffd, CLONE_NEWNET) < 0)
		rc = dvs_err_set(err, errno, "returning from netns %s: %s", netns, strerror(errno));
	else if (rc < 0)
		dvs_err_set(err, -rc, "setting %s up in netns %s: %s", ifname, netns, strerror(-rc));
out:
	if (nsfd >= 0)
		close(nsfd);
	if (selffd >= 0)
		close(selffd);
	return rc;
}
