/* SPDX-License-Identifier: Apache-2.0 */
/* dvs-switchd: start-up and shutdown.  Reads the config, starts DPDK (always --no-pci unless a
 * PCI uplink is configured), launches the poll lcores, creates the ports, then runs the
 * control loop (control socket, signals, FDB aging) on the main lcore until SIGTERM. */
#define DVS_LOG_MODULE "dvs.switchd"
#include "switchd.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <rte_cpuflags.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "lib/log.h"
#include "lib/loop.h"
#include "lib/notify.h"
#include "dp/policy/acl_cache.h"

#define N_MBUFS 32767

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: dvs-switchd [--config FILE] [options]\n"
		"The DVS per-host fast path (DPDK).  Standalone mode: ports and VLANs from FILE.\n"
		"\n"
		"  -c, --config FILE       JSON config (see docs/datapath.md); SIGHUP or `dvsctl reload` re-reads it\n"
		"  -s, --ctl-socket PATH   control socket (default /run/dvs/switchd.sock)\n"
		"  -l, --lcores LIST       poll lcores, e.g. 1 or 1,2 (default 1)\n"
		"      --main-lcore N      control thread lcore (default 0)\n"
		"      --idle-sleep-us N   idle back-off step, 0 = busy poll (default 50)\n"
		"      --file-prefix P     DPDK file prefix (default: dvs-switchd-PID, removed at exit)\n"
		"      --no-huge           run without hugepages (-m 512 unless mem_mb is set)\n"
		"      --log-level LVL     err, warn, info (default) or debug\n"
		"      --no-datapath       a simulated host for scale tests: the cluster control\n"
		"                          thread only (needs \"db\" in the config); no DPDK, no\n"
		"                          devices, no poll lcores, no control socket\n"
		"  -h, --help              this text\n"
		"  -V, --version           print the version\n");
}

static int
parse_lcore_list(const char *s, struct dvs_switchd_conf *c)
{
	char *copy = strdup(s), *save = NULL, *tok;
	json_t *arr = json_array();
	struct dvs_err err = {0};
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v = strtol(tok, &end, 10);
		if (*end || v < 0 || v > 127) {
			fprintf(stderr, "dvs-switchd: --lcores: \"%s\" is not an lcore id 0..127\n", tok);
			rc = -EINVAL;
			goto out;
		}
		json_array_append_new(arr, json_integer(v));
	}
	json_t *o = json_pack("{s:O, s:i}", "lcores", arr, "main_lcore", (int)c->main_lcore);
	struct dvs_switchd_conf *tmp = malloc(sizeof(*tmp));
	if (dvs_config_parse(o, tmp, &err) < 0) {
		fprintf(stderr, "dvs-switchd: --lcores: %s\n", err.msg);
		rc = -EINVAL;
	} else {
		c->n_lcores = tmp->n_lcores;
		memcpy(c->lcores, tmp->lcores, sizeof(c->lcores));
	}
	free(tmp);
	json_decref(o);
out:
	json_decref(arr);
	free(copy);
	return rc;
}

/* The run directories of switchds that died without removing theirs (SIGKILL): ours are
 * named dvs-switchd-PID, and one whose PID no longer exists is removed. */
static void
remove_stale_run_dirs(void)
{
	DIR *d = opendir("/var/run/dpdk");
	struct dirent *e;
	int pid;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "dvs-switchd-%d", &pid) == 1 && pid > 0 &&
		    kill(pid, 0) < 0 && errno == ESRCH) {
			char dir[300], path[600];
			struct dirent *f;
			snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", e->d_name);
			DIR *sub = opendir(dir);
			while (sub && (f = readdir(sub)))
				if (f->d_name[0] != '.') {
					snprintf(path, sizeof(path), "%s/%s", dir, f->d_name);
					unlink(path);
				}
			if (sub)
				closedir(sub);
			rmdir(dir);
		}
	closedir(d);
}

/* Hugepages if enough are free for this instance, else --no-huge. */
static bool
hugepages_usable(unsigned mem_mb)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long free_pages = 0, size_kb = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %lu", &free_pages);
		sscanf(line, "Hugepagesize: %lu kB", &size_kb);
	}
	fclose(f);
	return getenv("DVS_NO_HUGE") == NULL && free_pages * size_kb / 1024 >= mem_mb;
}

/* The AVX-512 subsets rte_acl's avx512 methods need. */
static bool
avx512_usable(void)
{
#if defined(RTE_ARCH_X86)
	return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512VL) &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512CD) &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512BW);
#else
	return false;
#endif
}

static int
eal_start(struct switchd *sw, const char *prog)
{
	const struct dvs_switchd_conf *c = &sw->conf;
	char lcores[256], main_lcore[16], mem[16], prefix[80];
	char *argv[32];
	int argc = 0, n;

	n = snprintf(lcores, sizeof(lcores), "%u", c->main_lcore);
	for (unsigned i = 0; i < c->n_lcores; i++)
		n += snprintf(lcores + n, sizeof(lcores) - (size_t)n, ",%u", c->lcores[i]);
	snprintf(main_lcore, sizeof(main_lcore), "%u", c->main_lcore);
	argv[argc++] = (char *)prog;
	argv[argc++] = "-l";
	argv[argc++] = lcores;
	argv[argc++] = "--main-lcore";
	argv[argc++] = main_lcore;
	for (unsigned i = 0; i < c->n_ports; i++)
		if (c->ports[i].pci[0]) {
			argv[argc++] = "-a";
			argv[argc++] = (char *)c->ports[i].pci;
			sw->eal_pci = true;
		}
	if (!sw->eal_pci)
		argv[argc++] = "--no-pci";
	bool no_huge = c->no_huge || !hugepages_usable(c->mem_mb);
	remove_stale_run_dirs();
	if (c->file_prefix[0]) {
		snprintf(prefix, sizeof(prefix), "--file-prefix=%s", c->file_prefix);
		argv[argc++] = prefix;
	} else {
		/* A private prefix keeps instances apart; its runtime directory (created even with
		 * --in-memory) is removed at exit.  --in-memory needs hugepages; without them, no
		 * shared config instead. */
		snprintf(sw->runtime_prefix, sizeof(sw->runtime_prefix), "dvs-switchd-%d", (int)getpid());
		snprintf(prefix, sizeof(prefix), "--file-prefix=%s", sw->runtime_prefix);
		argv[argc++] = prefix;
		argv[argc++] = no_huge ? "--no-shconf" : "--in-memory";
	}
	if (no_huge) {
		snprintf(mem, sizeof(mem), "%u", c->mem_mb);
		argv[argc++] = "--no-huge";
		argv[argc++] = "-m";
		argv[argc++] = mem;
		DVS_LOG(INFO, "running without hugepages (-m %u)", c->mem_mb);
	}
	argv[argc++] = dvs_log_get_level() >= DVS_LOG_DEBUG ? "--log-level=lib.*:info"
							     : "--log-level=*:warning";
	/* net_tap reports its optional rte_flow/multiq set-up failing on kernels without those
	 * qdiscs as errors; forwarding is unaffected. */
	argv[argc++] = "--log-level=pmd.net.tap:critical";
	/* The control socket is the management interface; no telemetry socket to leave behind. */
	argv[argc++] = "--no-telemetry";
	/* EAL caps SIMD at 256 bits on x86 by default, which leaves the ACL on rte_acl's
	 * avx512x16 method; avx512x32 classifies a burst of 32 in one pass and measured faster
	 * (bench/acl/acl_bench: 10k rules 47 vs 37 Mpps, 10 rules equal; docs/performance.md). */
	if (avx512_usable())
		argv[argc++] = "--force-max-simd-bitwidth=512";
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

static int
dp_start(struct switchd *sw)
{
	struct dp *dp = &sw->dp;
	size_t sz;

	dp->n_workers = sw->conf.n_lcores;
	dp->idle_sleep_us = sw->conf.idle_sleep_us;
	dp->tsc_hz = rte_get_tsc_hz();
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++)
		for (unsigned w = 0; w < DVS_MAX_LCORES; w++)
			rte_spinlock_init(&dp->txlock[i][w]);
	dp->pool = rte_pktmbuf_pool_create("dvs_mbufs", N_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	sz = rte_rcu_qsbr_get_memsize(dp->n_workers);
	dp->qs = rte_zmalloc("dvs_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (!dp->pool || !dp->qs || rte_rcu_qsbr_init(dp->qs, dp->n_workers) < 0)
		return -ENOMEM;
	dp->fdb = fdb_create("dvs_fdb", sw->conf.fdb_max, sw->conf.fdb_aging_s,
			     sw->conf.fdb_max_per_port, dp->qs);
	if (!dp->fdb)
		return -ENOMEM;
	fdb_set_remote_base(dp->fdb, DP_TUNNEL_BASE);
	for (unsigned w = 0; w < dp->n_workers; w++) {
		struct dp_lcore *lc = rte_zmalloc("dvs_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE);
		if (!lc)
			return -ENOMEM;
		char rname[32];
		snprintf(rname, sizeof(rname), "dvs_inject%u", w);
		lc->inject = rte_ring_create(rname, 256, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
		lc->acl_cache = acl_cache_create(DP_ACL_CACHE_BUCKETS,
						 (int)rte_lcore_to_socket_id(sw->conf.lcores[w]));
		if (!lc->inject || !lc->acl_cache)
			return -ENOMEM;
		lc->dp = dp;
		lc->wid = w;
		lc->lcore_id = sw->conf.lcores[w];
		dp->lcores[w] = lc;
	}
	/* An empty generation, so lcores always have tables to read. */
	if (sw_publish(sw) < 0)
		return -ENOMEM;
	for (unsigned w = 0; w < dp->n_workers; w++) {
		int rc = rte_eal_remote_launch(dp_worker_main, dp->lcores[w], dp->lcores[w]->lcore_id);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* --no-datapath: what the control thread needs without EAL.  No poll lcore ever registers
 * with the RCU variable, so a publish (plain malloc'd tables) never waits; no FDB, no
 * devices.  The overlay keeps the VTEP address (segments resolve, VNIs apply) but no
 * next-hop resolver, so no tunnel is built. */
static int
nodp_start(struct switchd *sw)
{
	struct dp *dp = &sw->dp;
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct in_addr a;

	dp->n_workers = 0;
	dp->idle_sleep_us = sw->conf.idle_sleep_us;
	dp->qs = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sz, RTE_CACHE_LINE_SIZE));
	if (!dp->qs || rte_rcu_qsbr_init(dp->qs, 1) < 0)
		return -ENOMEM;
	if (sw->conf.vtep_ip[0]) {
		if (inet_pton(AF_INET, sw->conf.vtep_ip, &a) != 1)
			return -EINVAL;
		sw->ov.vtep_be = a.s_addr;
	}
	return sw_publish(sw);
}

static void
nodp_stop(struct switchd *sw)
{
	struct dp_tables *t = sw->dp.tables;

	if (t) {
		free(t->members);
		free(t);
	}
	free(sw->dp.qs);
}

static void
on_signal(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct switchd *sw = arg;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct dvs_err err = {0};
			if (sw_reload(sw, &err) < 0)
				DVS_LOG(WARN, "SIGHUP: %s", err.msg);
		} else {
			DVS_LOG(INFO, "signal %u: shutting down", si.ssi_signo);
			dvs_loop_stop(loop);
		}
	}
}

static void
on_tick(struct dvs_loop *loop, struct dvs_timer *t, void *arg)
{
	struct switchd *sw = arg;
	unsigned aged;

	if (sw->no_datapath)
		return;
	aged = fdb_age(sw->dp.fdb, dp_now_s(&sw->dp));
	if (aged)
		DVS_LOG(DEBUG, "aged %u FDB entries", aged);
	sw_port_watch_links(sw);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"ctl-socket", required_argument, NULL, 's'},
		{"lcores", required_argument, NULL, 'l'},
		{"main-lcore", required_argument, NULL, 'M'},
		{"idle-sleep-us", required_argument, NULL, 'i'},
		{"file-prefix", required_argument, NULL, 'f'},
		{"no-huge", no_argument, NULL, 'H'},
		{"log-level", required_argument, NULL, 'L'},
		{"no-datapath", no_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct switchd *sw = calloc(1, sizeof(*sw));
	const char *ctl = NULL, *lcores = NULL, *prefix = NULL;
	long main_lcore = -1, idle = -1;
	bool no_huge = false;
	struct dvs_err err = {0};
	enum dvs_log_level lvl;
	sigset_t sigs;
	int opt, rc = 1, sfd = -1;

	dvs_log_init("dvs-switchd", DVS_LOG_INFO);
	if (!sw)
		return 1;
	dvs_config_defaults(&sw->conf);
	while ((opt = getopt_long(argc, argv, "c:s:l:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': snprintf(sw->config_path, sizeof(sw->config_path), "%s", optarg); break;
		case 's': ctl = optarg; break;
		case 'l': lcores = optarg; break;
		case 'M': main_lcore = strtol(optarg, NULL, 10); break;
		case 'i': idle = strtol(optarg, NULL, 10); break;
		case 'f': prefix = optarg; break;
		case 'H': no_huge = true; break;
		case 'N': sw->no_datapath = true; break;
		case 'L':
			if (dvs_log_level_parse(optarg, &lvl) < 0) {
				fprintf(stderr, "dvs-switchd: --log-level: \"%s\" is not one of err, warn, info, debug\n", optarg);
				return 2;
			}
			dvs_log_set_level(lvl);
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("dvs-switchd %s\n", DVS_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dvs-switchd: unexpected argument \"%s\" (see --help)\n", argv[optind]);
		return 2;
	}
	if (sw->config_path[0] && dvs_config_load(sw->config_path, &sw->conf, &err) < 0) {
		fprintf(stderr, "dvs-switchd: invalid config: %s\n", err.msg);
		return 2;
	}
	if (ctl)
		snprintf(sw->conf.ctl_socket, sizeof(sw->conf.ctl_socket), "%s", ctl);
	if (main_lcore >= 0)
		sw->conf.main_lcore = (unsigned)main_lcore;
	if (lcores && parse_lcore_list(lcores, &sw->conf) < 0)
		return 2;
	if (idle >= 0)
		sw->conf.idle_sleep_us = (uint32_t)idle;
	if (prefix)
		snprintf(sw->conf.file_prefix, sizeof(sw->conf.file_prefix), "%s", prefix);
	if (no_huge)
		sw->conf.no_huge = true;
	if (sw->no_datapath && !sw->conf.db[0]) {
		fprintf(stderr, "dvs-switchd: --no-datapath simulates a cluster host: set \"db\" (and \"host_name\") in the config\n");
		return 2;
	}

	/* Blocked before EAL starts its threads, so only the control loop sees them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (sw->no_datapath) {
		if (nodp_start(sw) < 0) {
			fprintf(stderr, "dvs-switchd: --no-datapath: out of memory, or vtep_ip \"%s\" is not an IPv4 address\n",
				sw->conf.vtep_ip);
			return 1;
		}
	} else if (eal_start(sw, argv[0]) < 0) {
		fprintf(stderr, "dvs-switchd: DPDK initialisation failed: %s\n", rte_strerror(rte_errno));
		return 1;
	} else if (dp_start(sw) < 0) {
		DVS_LOG(ERR, "cannot start the fast path (out of DPDK memory?)");
		goto out;
	}
	if (!(sw->loop = dvs_loop_create()) || (sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    dvs_loop_add_fd(sw->loop, sfd, DVS_LOOP_IN, on_signal, sw) < 0 ||
	    !dvs_loop_add_timer(sw->loop, 1000, true, on_tick, sw)) {
		DVS_LOG(ERR, "cannot set up the control loop: %s", strerror(errno));
		goto out;
	}
	/* The control socket's views (FDB, stats, trace) read the fast path: none here. */
	if (!sw->no_datapath && sw_ctl_start(sw, &err) < 0) {
		DVS_LOG(ERR, "%s", err.msg);
		goto out;
	}
	if (!sw->no_datapath && sw_overlay_init(sw) < 0) {
		DVS_LOG(ERR, "vtep_ip: \"%s\" is not an IPv4 address, or the next-hop resolver failed",
			sw->conf.vtep_ip);
		goto out;
	}
	if (sw->conf.db[0] && sw_db_start(sw, &err) < 0) {
		DVS_LOG(ERR, "%s", err.msg);
		goto out;
	}
	/* A port that cannot be created is logged; the others run (sw_apply_config). */
	dvs_err_clear(&err);
	sw_apply_desired(sw, &err);
	if (sw->no_datapath)
		DVS_LOG(INFO, "dvs-switchd %s ready without a datapath (simulated host %s), cluster db %s",
			DVS_VERSION, sw->conf.host_name, sw->conf.db);
	else
		DVS_LOG(INFO, "dvs-switchd %s ready: %u poll lcore(s), control socket %s%s%s", DVS_VERSION,
			sw->dp.n_workers, sw->conf.ctl_socket, sw->conf.db[0] ? ", cluster db " : "",
			sw->conf.db);
	dvs_notify("READY=1");
	dvs_loop_run(sw->loop);
	rc = 0;
out:
	if (sw->no_datapath) {
		sw_db_stop(sw);
		dvs_loop_destroy(sw->loop);
		if (sfd >= 0)
			close(sfd);
		nodp_stop(sw);
		DVS_LOG(INFO, "stopped");
		free(sw);
		return rc;
	}
	__atomic_store_n(&sw->dp.quit, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	for (unsigned w = 0; w < sw->dp.n_workers; w++)
		if (sw->dp.lcores[w]) /* dp_start() may have failed half way */
			acl_cache_destroy(sw->dp.lcores[w]->acl_cache);
	sw_db_stop(sw);
	sw_ctl_stop(sw);
	sw_overlay_fini(sw);
	sw_arp_fini(sw);
	for (unsigned i = 0; i < DVS_MAX_PORTS; i++)
		sw_port_destroy(sw, &sw->ports[i]);
	dvs_loop_destroy(sw->loop);
	if (sfd >= 0)
		close(sfd);
	rte_eal_cleanup();
	if (sw->runtime_prefix[0]) {
		char dir[128];
		snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", sw->runtime_prefix);
		rmdir(dir);
	}
	DVS_LOG(INFO, "stopped");
	return rc;
}
