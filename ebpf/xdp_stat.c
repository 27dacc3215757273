// SPDX-License-Identifier: Apache-2.0
/* dvs-xdp-stat: runs the uplink XDP program standalone and shows its counters.
 *   dvs-xdp-stat run --dev IF --vtep ADDR [--vtep6 ADDR] [--port N] [--trunk] [--vni N]...
 *                    [--vlan N]... [--mode auto|native|skb] [--xsk-queue Q]
 *       attach, optionally receive on an AF_XDP socket of queue Q, and on SIGINT/SIGTERM
 *       print the counters (and the frames the socket received) as JSON, detach and exit.
 *       With --replace instead of attaching: take over the XSKMAP of the DVS program already
 *       on IF (e.g. loaded by DPDK's net_af_xdp xdp_prog=) and swap this one in atomically.
 *   dvs-xdp-stat show --dev IF [--json]
 *       the summed per-reason counters of the DVS program attached to IF (any loader). */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_xdp.h>

#include "loader.h"
#include "xsk_rx.h"

#define MAX_LIST 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: dvs-xdp-stat run --dev IF --vtep ADDR [--vtep6 ADDR] [--port N] [--trunk]\n"
		"                        [--vni N]... [--vlan N]... [--mode auto|native|skb]\n"
		"                        [--xsk-queue Q | --replace]\n"
		"       dvs-xdp-stat show --dev IF [--json]\n");
}

static void print_counters(const struct dvs_xdp_counter *c, bool json, long xsk_rx)
{
	if (!json) {
		for (unsigned int r = 0; r < DVS_XDP_N_REASONS; r++)
			printf("%-26s %12llu packets %14llu bytes\n", dvs_xdp_reason_name(r),
			       (unsigned long long)c[r].packets, (unsigned long long)c[r].bytes);
		return;
	}
	printf("{\"counters\": {");
	for (unsigned int r = 0; r < DVS_XDP_N_REASONS; r++)
		printf("%s\"%s\": {\"packets\": %llu, \"bytes\": %llu}", r ? ", " : "",
		       dvs_xdp_reason_name(r), (unsigned long long)c[r].packets,
		       (unsigned long long)c[r].bytes);
	printf("}");
	if (xsk_rx >= 0)
		printf(", \"xsk_rx\": %ld", xsk_rx);
	printf("}\n");
}

static int parse_u32(const char *s, unsigned long max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

struct run_args {
	const char *dev;
	struct dvs_xdp_opts opts;
	uint32_t vnis[MAX_LIST], vlans[MAX_LIST];
	int n_vnis, n_vlans;
	uint32_t xdp_flags;
	long xsk_queue;
	bool json;
	bool replace;
};

static void count_frame(const uint8_t *frame, uint32_t len, void *arg)
{
	(void)frame;
	(void)len;
	++*(long *)arg;
}

static int cmd_run(const struct run_args *a, int ifindex)
{
	struct dvs_xdp_counter c[DVS_XDP_N_REASONS];
	struct dvs_xdp_opts opts = a->opts;
	struct dvs_xdp *x, *old = NULL;
	struct xsk_rx *xsk = NULL;
	long rx = 0;
	int err = 0, i;

	if (a->replace) {
		old = dvs_xdp_open_attached(ifindex);
		if (!old) {
			fprintf(stderr, "dvs-xdp-stat: --replace: %s: %s\n", a->dev, strerror(errno));
			return 1;
		}
		opts.reuse_xsks_map = true;
		opts.xsks_map_fd = dvs_xdp_xsks_map_fd(old);
	}
	x = dvs_xdp_create(&opts);
	dvs_xdp_destroy(old); /* the new program holds its own reference to the shared map */
	if (!x) {
		fprintf(stderr, "dvs-xdp-stat: load: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < a->n_vnis && !err; i++)
		err = dvs_xdp_vni_add(x, a->vnis[i]);
	for (i = 0; i < a->n_vlans && !err; i++)
		err = dvs_xdp_vlan_set(x, (uint16_t)a->vlans[i], true);
	if (err) {
		fprintf(stderr, "dvs-xdp-stat: allow maps: %s\n", strerror(-err));
		goto out;
	}
	err = a->replace ? dvs_xdp_replace(x, ifindex) : dvs_xdp_attach(x, ifindex, a->xdp_flags);
	if (err) {
		fprintf(stderr, "dvs-xdp-stat: attach to %s: %s\n", a->dev, strerror(-err));
		goto out;
	}
	if (a->xsk_queue >= 0) {
		xsk = xsk_rx_create(ifindex, (uint32_t)a->xsk_queue, 64, 0);
		if (!xsk) {
			err = -errno;
			fprintf(stderr, "dvs-xdp-stat: AF_XDP socket on %s queue %ld: %s\n", a->dev,
				a->xsk_queue, strerror(errno));
			goto out;
		}
		err = dvs_xdp_xsk_set(x, (uint32_t)a->xsk_queue, xsk_rx_fd(xsk));
		if (err) {
			fprintf(stderr, "dvs-xdp-stat: xskmap: %s\n", strerror(-err));
			goto out;
		}
	}
	/* The test harness waits for this line before sending traffic. */
	printf("attached %s mode=%s\n", a->dev, dvs_xdp_mode_name(x));
	fflush(stdout);
	while (!stop) {
		if (xsk) {
			int n = xsk_rx_poll(xsk, 200, count_frame, &rx);

			if (n < 0 && n != -EINTR) {
				err = n;
				fprintf(stderr, "dvs-xdp-stat: xsk poll: %s\n", strerror(-n));
				goto out;
			}
		} else {
			pause();
		}
	}
	err = dvs_xdp_counters_read(x, c);
	if (err) {
		fprintf(stderr, "dvs-xdp-stat: counters: %s\n", strerror(-err));
		goto out;
	}
	print_counters(c, true, xsk ? rx : -1);
out:
	/* Destroy detaches: the program must not outlive its XSK (it would drop as no-xsk). */
	dvs_xdp_destroy(x);
	xsk_rx_destroy(xsk);
	return err ? 1 : 0;
}

static int cmd_show(const char *dev, int ifindex, bool json)
{
	struct dvs_xdp_counter c[DVS_XDP_N_REASONS];
	struct dvs_xdp *x = dvs_xdp_open_attached(ifindex);
	int err;

	if (!x) {
		fprintf(stderr, "dvs-xdp-stat: %s: %s\n", dev,
			errno == ENOENT ? "no XDP program attached" :
			errno == EMEDIUMTYPE ? "the attached XDP program is not DVS's" :
			strerror(errno));
		return 1;
	}
	err = dvs_xdp_counters_read(x, c);
	if (!err)
		print_counters(c, json, -1);
	else
		fprintf(stderr, "dvs-xdp-stat: counters: %s\n", strerror(-err));
	dvs_xdp_destroy(x);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dev", required_argument, NULL, 'd'},
		{"vtep", required_argument, NULL, '4'},
		{"vtep6", required_argument, NULL, '6'},
		{"port", required_argument, NULL, 'p'},
		{"trunk", no_argument, NULL, 't'},
		{"vni", required_argument, NULL, 'n'},
		{"vlan", required_argument, NULL, 'v'},
		{"mode", required_argument, NULL, 'm'},
		{"xsk-queue", required_argument, NULL, 'q'},
		{"json", no_argument, NULL, 'j'},
		{"replace", no_argument, NULL, 'r'},
		{0},
	};
	struct run_args a = {.xsk_queue = -1};
	struct sigaction sa = {.sa_handler = on_signal};
	uint32_t v;
	int opt, ifindex;
	const char *cmd;

	if (argc < 2) {
		usage();
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			a.dev = optarg;
			break;
		case '4':
			if (inet_pton(AF_INET, optarg, &a.opts.vtep4_be) != 1)
				goto bad;
			break;
		case '6':
			if (inet_pton(AF_INET6, optarg, a.opts.vtep6) != 1)
				goto bad;
			a.opts.has_vtep6 = true;
			break;
		case 'p':
			if (parse_u32(optarg, 65535, &v) || !v)
				goto bad;
			a.opts.vxlan_port = (uint16_t)v;
			break;
		case 't':
			a.opts.trunk = true;
			break;
		case 'n':
			if (a.n_vnis == MAX_LIST || parse_u32(optarg, 0xffffff, &a.vnis[a.n_vnis++]))
				goto bad;
			break;
		case 'v':
			if (a.n_vlans == MAX_LIST || parse_u32(optarg, 4094, &a.vlans[a.n_vlans++]))
				goto bad;
			break;
		case 'm':
			if (!strcmp(optarg, "native"))
				a.xdp_flags = XDP_FLAGS_DRV_MODE;
			else if (!strcmp(optarg, "skb"))
				a.xdp_flags = XDP_FLAGS_SKB_MODE;
			else if (strcmp(optarg, "auto"))
				goto bad;
			break;
		case 'q':
			if (parse_u32(optarg, 4095, &v))
				goto bad;
			a.xsk_queue = v;
			break;
		case 'j':
			a.json = true;
			break;
		case 'r':
			a.replace = true;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!a.dev) {
		fprintf(stderr, "dvs-xdp-stat: --dev IF is required\n");
		return 2;
	}
	ifindex = (int)if_nametoindex(a.dev);
	if (!ifindex) {
		fprintf(stderr, "dvs-xdp-stat: interface %s: %s\n", a.dev, strerror(errno));
		return 1;
	}
	if (!strcmp(cmd, "show"))
		return cmd_show(a.dev, ifindex, a.json);
	if (strcmp(cmd, "run")) {
		usage();
		return 2;
	}
	/* No SA_RESTART: the signal must interrupt poll()/pause(). */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return cmd_run(&a, ifindex);
bad:
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == opt)
			fprintf(stderr, "dvs-xdp-stat: --%s: invalid value \"%s\"\n", o->name, optarg);
	return 2;
}
