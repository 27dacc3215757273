/* SPDX-License-Identifier: Apache-2.0 */
/* nh-probe: a test tool (not installed) that runs the next-hop resolver on a dvs_loop and
 * prints one line per result: the first resolution of each destination given on the command
 * line ("resolve ...") and every change the cache reports ("change ...").  Used by
 * tests/func/nh_follow.sh inside its namespaces; handy to see what switchd would see.
 *   nh-probe [--probe auto|use|udp] [--timeout S] DST... */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "nh.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = 1;
}

static void
print(const char *what, const struct nh_result *r)
{
	char d[NH_ADDR_STRLEN], v[NH_ADDR_STRLEN], s[NH_ADDR_STRLEN];
	const char *st = r->status == 0 ? "ok" : r->status == -EAGAIN ? "pending"
		       : r->status == -ENETUNREACH ? "unreachable" : "error";
	const uint8_t *m = r->nh_mac, *im = r->if_mac;

	printf("%s dst=%s status=%s dev=%s gw=%s via=%s src=%s "
	       "mac=%02x:%02x:%02x:%02x:%02x:%02x ifmac=%02x:%02x:%02x:%02x:%02x:%02x "
	       "mtu=%u route_mtu=%u nud=%s err=%d\n",
	       what, nh_addr_str(&r->dst, d, sizeof(d)), st, r->ifname[0] ? r->ifname : "-",
	       r->via_gateway ? "yes" : "no", nh_addr_str(&r->nexthop, v, sizeof(v)),
	       nh_addr_str(&r->src, s, sizeof(s)), m[0], m[1], m[2], m[3], m[4], m[5], im[0], im[1],
	       im[2], im[3], im[4], im[5], r->if_mtu, r->route_mtu, nh_nud_str(r->nud_state),
	       r->status);
	fflush(stdout);
}

static void
on_change(struct nh_cache *c, const struct nh_result *r, void *arg)
{
	print("change", r);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"probe", required_argument, NULL, 'p'},
		{"timeout", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	enum nh_probe_mode mode = NH_PROBE_AUTO;
	unsigned timeout_s = 60;
	struct dvs_loop *loop = NULL;
	struct nh_cache *c = NULL;
	int opt, ret = 1;

	dvs_log_init(argv[0], DVS_LOG_INFO);
	while ((opt = getopt_long(argc, argv, "p:t:", opts, NULL)) != -1) {
		if (opt == 'p' && !strcmp(optarg, "auto"))
			mode = NH_PROBE_AUTO;
		else if (opt == 'p' && !strcmp(optarg, "use"))
			mode = NH_PROBE_NEIGH_USE;
		else if (opt == 'p' && !strcmp(optarg, "udp"))
			mode = NH_PROBE_UDP;
		else if (opt == 't')
			timeout_s = (unsigned)strtoul(optarg, NULL, 10);
		else
			goto usage;
	}
	if (optind >= argc)
		goto usage;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	loop = dvs_loop_create();
	if (!loop) {
		fprintf(stderr, "nh-probe: loop: %s\n", strerror(errno));
		goto out;
	}
	c = nh_cache_create(loop, on_change, NULL);
	if (!c) {
		fprintf(stderr, "nh-probe: resolver: %s\n", strerror(errno));
		goto out;
	}
	nh_cache_set_probe_mode(c, mode);
	for (int i = optind; i < argc; i++) {
		struct nh_addr a;
		struct nh_result r;
		if (nh_addr_parse(argv[i], &a) < 0) {
			fprintf(stderr, "nh-probe: '%s' is not an IPv4 or IPv6 address\n", argv[i]);
			goto out;
		}
		nh_resolve(c, &a, &r);
		print("resolve", &r);
	}
	printf("ready\n");
	fflush(stdout);
	uint64_t deadline = dvs_now_ms() + timeout_s * 1000ull;
	while (!stop && dvs_now_ms() < deadline)
		dvs_loop_run_once(loop, 200);
	struct nh_stats st;
	nh_cache_get_stats(c, &st);
	printf("stats events=%llu resolves=%llu probes=%llu probe_errors=%llu changes=%llu "
	       "overruns=%llu\n",
	       (unsigned long long)st.events, (unsigned long long)st.resolves,
	       (unsigned long long)st.probes, (unsigned long long)st.probe_errors,
	       (unsigned long long)st.changes, (unsigned long long)st.overruns);
	ret = 0;
out:
	nh_cache_destroy(c);
	dvs_loop_destroy(loop);
	return ret;
usage:
	fprintf(stderr, "usage: nh-probe [--probe auto|use|udp] [--timeout S] DST...\n");
	return 2;
}
