/* SPDX-License-Identifier: Apache-2.0 */
/* libmnl request/ACK and dump helpers.  Both run the answer through mnl_cb_run(), which
 * checks the sequence number and port id, so a late answer to an earlier request (after a
 * timeout or an interrupted dump) is never taken for the current one. */
#include "nh_nl.h"

#include <errno.h>
#include <stdbool.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sys/socket.h>

/* No answer within this time means the kernel dropped our request (never seen in practice);
 * the control thread must not hang on it. */
#define NH_NL_TIMEOUT_S 2

struct mnl_socket *
nh_nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	int one = 1, err;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* Strict checking makes the kernel honour the filters of get requests (neighbour get
	 * by address and device) instead of ignoring what it does not understand. */
	if (mnl_socket_setsockopt(nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one)) < 0)
		goto fail;
	/* Extended ACKs carry the kernel's reason text; harmless if unsupported. */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	struct timeval tv = {.tv_sec = NH_NL_TIMEOUT_S};
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		goto fail;
	return nl;
fail:
	err = errno;
	mnl_socket_close(nl);
	errno = err;
	return NULL;
}

static unsigned int
next_seq(void)
{
	static unsigned int seq;
	if (seq == 0)
		seq = (unsigned int)time(NULL);
	return ++seq;
}

struct dump_state {
	nh_nl_msg_cb *cb;
	void *arg;
	bool interrupted;
};

static int
data_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_state *s = arg;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		s->interrupted = true;
	return s->cb ? s->cb(nlh, s->arg) : MNL_CB_OK;
}

/* Sends 'nlh' and runs the answers until mnl_cb_run says stop (ACK or NLMSG_DONE). */
static int
talk(struct mnl_socket *nl, struct nlmsghdr *nlh, nh_nl_msg_cb *cb, void *arg)
{
	char buf[NH_NL_BUF_SIZE];
	struct dump_state s = {cb, arg, false};
	unsigned int seq = next_seq(), portid = mnl_socket_get_portid(nl);
	int ret;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			ret = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, data_cb, &s);
		if (ret < 0) {
			/* ESRCH: an answer to an old request (mnl_cb_run checked seq/portid). */
			if (errno == ESRCH || errno == EPROTO)
				continue;
			ret = -errno;
			goto out;
		}
		if (ret == MNL_CB_STOP)
			break;
	}
	ret = s.interrupted ? -EINTR : 0;
out:
	return ret;
}

int
nh_nl_request(struct mnl_socket *nl, struct nlmsghdr *nlh, nh_nl_msg_cb *cb, void *arg)
{
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	return talk(nl, nlh, cb, arg);
}

int
nh_nl_dump(struct mnl_socket *nl, struct nlmsghdr *nlh, nh_nl_msg_cb *cb, void *arg)
{
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	return talk(nl, nlh, cb, arg);
}
