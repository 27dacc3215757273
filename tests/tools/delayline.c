/* SPDX-License-Identifier: Apache-2.0 */
/* dvs-delayline: a WAN emulator for tests, standing in for "tc netem delay" (this kernel has
 * no sch_netem).  It joins two interfaces at L2: every frame received on one is held for the
 * configured one-way delay (plus jitter, behind a rate limit) and then written to the other,
 * in both directions.  Frames whose L3 size exceeds the WAN MTU are dropped and counted.
 *
 * One thread: epoll over the two AF_PACKET sockets, a timerfd armed (absolute, monotonic) for
 * the earliest release time, and a signalfd (SIGTERM/SIGINT: exit, SIGUSR1: write counters).
 * PACKET_IGNORE_OUTGOING keeps a socket from reading back what the line wrote; PACKET_VNET_HDR
 * carries checksum-offload and GSO state across, so offloaded TCP survives the hop. */

#define DVS_LOG_MODULE "dvs.delayline"

#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "delay_queue.h"
#include "err.h"
#include "frame_info.h"
#include "log.h"

#define VNET_LEN ((uint32_t)sizeof(struct virtio_net_hdr))
#define VLAN_LEN 4u
/* Room for the largest GSO frame veth hands over (64 KiB) plus a re-inserted VLAN tag. */
#define FRAME_BUF_SIZE (256u * 1024)
#define RX_BATCH 64
#define RCVBUF_SIZE (4 * 1024 * 1024)
#define TX_RETRY_NS 1000000ull

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

struct dl_port {
	const char *ifname;
	int ifindex;
	int fd;
	uint64_t kernel_drops; /* PACKET_STATISTICS tp_drops, accumulated (reading resets it) */
};

struct dl_counters {
	uint64_t rx_frames;
	uint64_t forwarded_frames;
	uint64_t forwarded_bytes; /* frame bytes as written, Ethernet header included */
	uint64_t dropped_mtu;     /* L3 size (per segment) above --mtu */
	uint64_t dropped_queue;   /* queue full (frames or bytes) */
	uint64_t dropped_tx;      /* the kernel refused the write */
	uint64_t dropped_bad;     /* unreadable: truncated, or a GSO shape we cannot carry */
	uint32_t max_queued;
};

struct dl_dir {
	const char *name; /* "a-b" or "b-a" */
	struct dl_port *in, *out;
	struct delay_queue *q;
	uint64_t retry_ns; /* when a write failed for lack of buffer: try again then */
	struct dl_counters c;
};

struct dl_opts {
	const char *if_a, *if_b, *stats_path;
	double delay_ms, jitter_ms, rate_mbit;
	uint32_t mtu;
	uint32_t limit_frames;
	uint64_t limit_bytes;
	uint64_t seed;
};

struct delayline {
	struct dl_opts o;
	struct dl_port port[2];
	struct dl_dir dir[2];
	int epfd, timerfd, sigfd;
	uint8_t *buf;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dvs-delayline --a IFACE_A --b IFACE_B --delay-ms N [--jitter-ms J]\n"
		"         [--mtu M] [--rate-mbit R] [--limit-frames N] [--limit-bytes N]\n"
		"         [--stats FILE] [--seed N]\n"
		"Joins IFACE_A and IFACE_B; each frame waits N ms (+/- J) before it is written to\n"
		"the other side.  --mtu: WAN L3 MTU (default 1500), larger frames are dropped and\n"
		"counted.  --rate-mbit: link rate (default unlimited).  Queues (per direction):\n"
		"--limit-frames (default 16384), --limit-bytes (default 33554432).  Counters go to\n"
		"FILE (or stderr) on SIGUSR1 and at exit (SIGTERM or SIGINT).\n");
}

static int parse_num(const char *name, const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > max) {
		fprintf(stderr, "dvs-delayline: --%s: '%s' is not a number in 0..%.0f\n", name, s, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct dl_opts *o)
{
	static const struct option longopts[] = {
		{"a", required_argument, NULL, 'a'},
		{"b", required_argument, NULL, 'b'},
		{"delay-ms", required_argument, NULL, 'd'},
		{"jitter-ms", required_argument, NULL, 'j'},
		{"mtu", required_argument, NULL, 'm'},
		{"rate-mbit", required_argument, NULL, 'r'},
		{"limit-frames", required_argument, NULL, 'F'},
		{"limit-bytes", required_argument, NULL, 'B'},
		{"stats", required_argument, NULL, 's'},
		{"seed", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	double v;
	int c, rc = 0;
	bool have_delay = false;

	*o = (struct dl_opts){.mtu = 1500, .limit_frames = 16384, .limit_bytes = 32u << 20};
	while (rc == 0 && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o->if_a = optarg; break;
		case 'b': o->if_b = optarg; break;
		case 's': o->stats_path = optarg; break;
		case 'd':
			rc = parse_num("delay-ms", optarg, 60000, &o->delay_ms);
			have_delay = true;
			break;
		case 'j': rc = parse_num("jitter-ms", optarg, 60000, &o->jitter_ms); break;
		case 'r': rc = parse_num("rate-mbit", optarg, 1000000, &o->rate_mbit); break;
		case 'm':
			if ((rc = parse_num("mtu", optarg, 65535, &v)) == 0 && v < 68) {
				fprintf(stderr, "dvs-delayline: --mtu: %s is below 68\n", optarg);
				rc = -EINVAL;
			}
			o->mtu = (uint32_t)v;
			break;
		case 'F':
			if ((rc = parse_num("limit-frames", optarg, 1 << 24, &v)) == 0 && v < 1) {
				fprintf(stderr, "dvs-delayline: --limit-frames: at least 1\n");
				rc = -EINVAL;
			}
			o->limit_frames = (uint32_t)v;
			break;
		case 'B':
			if ((rc = parse_num("limit-bytes", optarg, 1 << 30, &v)) == 0 && v < FRAME_BUF_SIZE) {
				fprintf(stderr, "dvs-delayline: --limit-bytes: at least %u\n", FRAME_BUF_SIZE);
				rc = -EINVAL;
			}
			o->limit_bytes = (uint64_t)v;
			break;
		case 'S':
			if ((rc = parse_num("seed", optarg, 1e15, &v)) == 0)
				o->seed = (uint64_t)v;
			break;
		case 'h': usage(stdout); exit(0);
		default: rc = -EINVAL; break;
		}
	}
	if (rc == 0 && (!o->if_a || !o->if_b || !have_delay || optind != argc)) {
		fprintf(stderr, "dvs-delayline: --a, --b and --delay-ms are required\n");
		rc = -EINVAL;
	}
	if (rc == 0 && strcmp(o->if_a, o->if_b) == 0) {
		fprintf(stderr, "dvs-delayline: --a and --b must be different interfaces\n");
		rc = -EINVAL;
	}
	if (rc)
		usage(stderr);
	return rc;
}

/* Opens a raw socket on 'p->ifname' that sees every frame the interface receives (and none
 * it sends), with offload metadata (virtio header) and stripped VLAN tags (auxdata). */
static int port_open(struct dl_port *p)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	struct packet_mreq mr = {.mr_type = PACKET_MR_PROMISC};
	int one = 1, size = RCVBUF_SIZE, rc;

	p->ifindex = (int)if_nametoindex(p->ifname);
	if (!p->ifindex) {
		rc = -errno;
		DVS_LOG(ERR, "interface %s: %s", p->ifname, strerror(errno));
		return rc;
	}
	/* Protocol 0 until bind: no frame of another interface is queued in between. */
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		rc = -errno;
		DVS_LOG(ERR, "AF_PACKET socket: %s (needs CAP_NET_RAW)", strerror(errno));
		return rc;
	}
	if (setsockopt(p->fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0 ||
	    setsockopt(p->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0 ||
	    setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0) {
		rc = -errno;
		DVS_LOG(ERR, "%s: socket options: %s", p->ifname, strerror(errno));
		return rc;
	}
	/* A burst arriving while frames are being released must not overflow the socket. */
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	sll.sll_ifindex = p->ifindex;
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		rc = -errno;
		DVS_LOG(ERR, "%s: bind: %s", p->ifname, strerror(errno));
		return rc;
	}
	/* A veth delivers everything anyway; a real NIC would filter frames for the far side. */
	mr.mr_ifindex = p->ifindex;
	if (setsockopt(p->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		DVS_LOG(WARN, "%s: promiscuous mode: %s", p->ifname, strerror(errno));
	return 0;
}

static void port_read_kernel_drops(struct dl_port *p)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (p->fd >= 0 && getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		p->kernel_drops += st.tp_drops;
}

/* Writes both directions' counters, one line each, to the --stats file (atomically, through
 * a rename) or to stderr. */
static void stats_write(struct delayline *dl)
{
	char tmp[4096];
	FILE *f = stderr;
	int i;

	for (i = 0; i < 2; i++)
		port_read_kernel_drops(&dl->port[i]);
	if (dl->o.stats_path) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", dl->o.stats_path);
		f = fopen(tmp, "w");
		if (!f) {
			DVS_LOG(ERR, "stats file %s: %s", tmp, strerror(errno));
			return;
		}
	}
	for (i = 0; i < 2; i++) {
		const struct dl_dir *d = &dl->dir[i];
		const struct dl_counters *c = &d->c;

		fprintf(f,
			"%s in=%s out=%s rx_frames=%" PRIu64 " forwarded_frames=%" PRIu64
			" forwarded_bytes=%" PRIu64 " dropped_mtu=%" PRIu64 " dropped_queue=%" PRIu64
			" dropped_tx=%" PRIu64 " dropped_bad=%" PRIu64 " dropped_rx=%" PRIu64
			" queued=%u max_queued=%u\n",
			d->name, d->in->ifname, d->out->ifname, c->rx_frames, c->forwarded_frames,
			c->forwarded_bytes, c->dropped_mtu, c->dropped_queue, c->dropped_tx,
			c->dropped_bad, d->in->kernel_drops, delay_queue_len(d->q), c->max_queued);
	}
	if (f != stderr) {
		if (fclose(f) != 0 || rename(tmp, dl->o.stats_path) < 0)
			DVS_LOG(ERR, "stats file %s: %s", dl->o.stats_path, strerror(errno));
	}
}

/* Puts the VLAN tag the kernel stripped back in front of the ethertype.  The record in
 * 'rec' is [virtio header][frame] with VLAN_LEN bytes free before it; returns its new start. */
static uint8_t *vlan_reinsert(uint8_t *rec, uint32_t *size, const struct tpacket_auxdata *aux)
{
	struct virtio_net_hdr *vh;
	uint16_t tpid = (aux->tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux->tp_vlan_tpid : ETH_P_8021Q;
	uint8_t *r = rec - VLAN_LEN;

	memmove(r, rec, VNET_LEN + 2 * ETH_ALEN);
	r[VNET_LEN + 12] = (uint8_t)(tpid >> 8);
	r[VNET_LEN + 13] = (uint8_t)tpid;
	r[VNET_LEN + 14] = (uint8_t)(aux->tp_vlan_tci >> 8);
	r[VNET_LEN + 15] = (uint8_t)aux->tp_vlan_tci;
	*size += VLAN_LEN;
	vh = (struct virtio_net_hdr *)r;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		vh->csum_start = htole16((uint16_t)(le16toh(vh->csum_start) + VLAN_LEN));
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		vh->hdr_len = htole16((uint16_t)(le16toh(vh->hdr_len) + VLAN_LEN));
	return r;
}

/* Classifies one record and queues it, or counts why not. */
static void dir_admit(struct dl_dir *d, const struct delayline *dl, uint8_t *rec, uint32_t size,
		      uint64_t now)
{
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)rec;
	struct frame_info fi;

	d->c.rx_frames++;
	if (frame_info_parse(vh, rec + VNET_LEN, size - VNET_LEN, &fi) < 0) {
		d->c.dropped_bad++;
		return;
	}
	if (fi.l3_size > dl->o.mtu) {
		d->c.dropped_mtu++;
		return;
	}
	/* Only "needs checksum" means something when writing; "data valid" is refused there. */
	vh->flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (delay_queue_push(d->q, now, rec, size, fi.wire_size) < 0) {
		d->c.dropped_queue++;
		return;
	}
	if (delay_queue_len(d->q) > d->c.max_queued)
		d->c.max_queued = delay_queue_len(d->q);
}

/* Reads what 'd->in' has received (a bounded batch, so the other side and the timer get their
 * turn) and queues it.  Returns 0, or -ENODEV if the interface is gone. */
static int dir_rx(struct dl_dir *d, struct delayline *dl)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} cm;
	uint64_t now = now_ns();
	int i;

	for (i = 0; i < RX_BATCH; i++) {
		struct iovec iov = {dl->buf + VLAN_LEN, FRAME_BUF_SIZE - VLAN_LEN};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &cm,
				    .msg_controllen = sizeof(cm)};
		const struct tpacket_auxdata *aux = NULL;
		struct cmsghdr *cmsg;
		uint8_t *rec = dl->buf + VLAN_LEN;
		ssize_t n = recvmsg(d->in->fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
		uint32_t size;

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			if (errno == EINVAL) {
				/* The kernel could not describe the frame's GSO state: it is gone. */
				d->c.rx_frames++;
				d->c.dropped_bad++;
				continue;
			}
			if (errno == ENETDOWN && if_nametoindex(d->in->ifname) == (unsigned)d->in->ifindex) {
				DVS_LOG_RL(WARN, "%s went down", d->in->ifname);
				return 0;
			}
			DVS_LOG(ERR, "%s: receive: %s", d->in->ifname, strerror(errno));
			return -ENODEV;
		}
		if ((size_t)n > iov.iov_len || (mh.msg_flags & MSG_TRUNC) ||
		    (uint32_t)n < VNET_LEN + ETH_HLEN) {
			d->c.rx_frames++;
			d->c.dropped_bad++;
			continue;
		}
		size = (uint32_t)n;
		for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
			if (cmsg->cmsg_level == SOL_PACKET && cmsg->cmsg_type == PACKET_AUXDATA)
				aux = (const struct tpacket_auxdata *)CMSG_DATA(cmsg);
		}
		if (aux && (aux->tp_status & TP_STATUS_VLAN_VALID))
			rec = vlan_reinsert(rec, &size, aux);
		dir_admit(d, dl, rec, size, now);
	}
	return 0;
}

/* Writes every frame whose time has come.  A write refused for lack of buffer space is tried
 * again TX_RETRY_NS later, keeping order; any other refusal drops the frame, counted. */
static void dir_tx(struct dl_dir *d, uint64_t now)
{
	const struct delay_queue_frame *f;

	d->retry_ns = 0;
	while ((f = delay_queue_head(d->q)) && f->release_ns <= now) {
		if (send(d->out->fd, f->data, f->size, MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN || errno == ENOBUFS) {
				d->retry_ns = now + TX_RETRY_NS;
				return;
			}
			d->c.dropped_tx++;
			DVS_LOG_RL(WARN, "%s: send: %s", d->out->ifname, strerror(errno));
		} else {
			d->c.forwarded_frames++;
			d->c.forwarded_bytes += f->size - VNET_LEN;
		}
		delay_queue_pop(d->q);
	}
}

/* Arms the timer for the earliest moment a direction has something to send. */
static void timer_arm(struct delayline *dl)
{
	struct itimerspec its = {0};
	uint64_t next = UINT64_MAX;
	int i;

	for (i = 0; i < 2; i++) {
		const struct dl_dir *d = &dl->dir[i];
		uint64_t t = d->retry_ns ? d->retry_ns : delay_queue_next_ns(d->q);

		if (t < next)
			next = t;
	}
	if (next != UINT64_MAX) {
		/* 0 would disarm: a release time at the epoch is due anyway. */
		next = next ? next : 1;
		its.it_value.tv_sec = (time_t)(next / 1000000000ull);
		its.it_value.tv_nsec = (long)(next % 1000000000ull);
	}
	timerfd_settime(dl->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int epoll_watch(int epfd, int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

enum { TAG_PORT_A, TAG_PORT_B, TAG_TIMER, TAG_SIGNAL };

static int delayline_setup(struct delayline *dl)
{
	const struct dl_opts *o = &dl->o;
	struct delay_queue_conf qc = {
		.delay_ns = (uint64_t)(o->delay_ms * 1e6),
		.jitter_ns = (uint64_t)(o->jitter_ms * 1e6),
		.rate_bps = (uint64_t)(o->rate_mbit * 1e6),
		.limit_frames = o->limit_frames,
		.limit_bytes = o->limit_bytes,
	};
	sigset_t sigs;
	int i, rc;

	dl->port[0] = (struct dl_port){.ifname = o->if_a, .fd = -1};
	dl->port[1] = (struct dl_port){.ifname = o->if_b, .fd = -1};
	dl->buf = malloc(FRAME_BUF_SIZE);
	if (!dl->buf)
		return -ENOMEM;
	for (i = 0; i < 2; i++) {
		struct dl_dir *d = &dl->dir[i];

		d->name = i == 0 ? "a-b" : "b-a";
		d->in = &dl->port[i];
		d->out = &dl->port[1 - i];
		/* Different seeds: the two directions' jitter must not be mirror images. */
		qc.seed = o->seed ? o->seed + (uint64_t)i : (uint64_t)now_ns() + (uint64_t)i;
		d->q = delay_queue_create(&qc);
		if (!d->q)
			return -errno;
		if ((rc = port_open(&dl->port[i])) < 0)
			return rc;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) < 0)
		return -errno;
	dl->sigfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	dl->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	dl->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (dl->sigfd < 0 || dl->timerfd < 0 || dl->epfd < 0)
		return -errno;
	if ((rc = epoll_watch(dl->epfd, dl->port[0].fd, TAG_PORT_A)) < 0 ||
	    (rc = epoll_watch(dl->epfd, dl->port[1].fd, TAG_PORT_B)) < 0 ||
	    (rc = epoll_watch(dl->epfd, dl->timerfd, TAG_TIMER)) < 0 ||
	    (rc = epoll_watch(dl->epfd, dl->sigfd, TAG_SIGNAL)) < 0)
		return rc;
	return 0;
}

static void delayline_teardown(struct delayline *dl)
{
	int i;

	for (i = 0; i < 2; i++) {
		delay_queue_destroy(dl->dir[i].q);
		if (dl->port[i].fd >= 0)
			close(dl->port[i].fd);
	}
	if (dl->epfd >= 0)
		close(dl->epfd);
	if (dl->timerfd >= 0)
		close(dl->timerfd);
	if (dl->sigfd >= 0)
		close(dl->sigfd);
	free(dl->buf);
}

/* Returns 1 to go on, 0 on SIGTERM/SIGINT. */
static int signal_handle(struct delayline *dl)
{
	struct signalfd_siginfo si;

	while (read(dl->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			stats_write(dl);
			continue;
		}
		DVS_LOG(INFO, "signal %u: exiting", si.ssi_signo);
		return 0;
	}
	return 1;
}

/* Runs until a terminating signal.  Returns 0, or -errno if an interface vanished or epoll
 * failed. */
static int delayline_run(struct delayline *dl)
{
	struct epoll_event evs[8];
	uint64_t expirations;
	int i, n, rc = 0;

	for (;;) {
		n = epoll_wait(dl->epfd, evs, (int)DVS_ARRAY_SIZE(evs), -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		for (i = 0; i < n; i++) {
			switch (evs[i].data.u64) {
			case TAG_PORT_A:
			case TAG_PORT_B:
				if ((rc = dir_rx(&dl->dir[evs[i].data.u64], dl)) < 0)
					goto out;
				break;
			case TAG_TIMER:
				if (read(dl->timerfd, &expirations, sizeof(expirations)) < 0 &&
				    errno != EAGAIN) {
					rc = -errno;
					goto out;
				}
				break;
			case TAG_SIGNAL:
				if (!signal_handle(dl))
					goto out;
				break;
			}
		}
		for (i = 0; i < 2; i++)
			dir_tx(&dl->dir[i], now_ns());
		timer_arm(dl);
	}
out:
	return rc;
}

int main(int argc, char **argv)
{
	struct delayline dl = {.epfd = -1, .timerfd = -1, .sigfd = -1};
	int rc;

	dvs_log_init(argv[0], DVS_LOG_INFO);
	if (parse_args(argc, argv, &dl.o) < 0)
		return 2;
	rc = delayline_setup(&dl);
	if (rc < 0) {
		DVS_LOG(ERR, "cannot start: %s", strerror(-rc));
		goto out;
	}
	DVS_LOG(INFO, "%s <-> %s: delay %.3f ms, jitter %.3f ms, mtu %u, rate %.1f Mbit/s (0: unlimited), ready",
		dl.o.if_a, dl.o.if_b, dl.o.delay_ms, dl.o.jitter_ms, dl.o.mtu, dl.o.rate_mbit);
	/* The stats file appears once both sockets are bound: tests wait for it. */
	if (dl.o.stats_path)
		stats_write(&dl);
	rc = delayline_run(&dl);
	if (rc < 0)
		DVS_LOG(ERR, "stopped: %s", strerror(-rc));
	stats_write(&dl);
out:
	delayline_teardown(&dl);
	return rc < 0 ? 1 : 0;
}
