/* SPDX-License-Identifier: Apache-2.0 */
/* dvs-controller: command line, signals, readiness and the main loop.  The database session
 * and leadership are in session.c, the reconcile logic in reconcile.c and its neighbours. */

#define DVS_LOG_MODULE "dvs.controller"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "notify.h"
#include "session.h"

#define DEFAULT_DB "unix:/run/dvs/db.sock"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: dvs-controller [OPTION]...\n"
		"Reconciles the DVS database: validates port groups and ports, allocates VNIs,\n"
		"maintains bindings, flood lists and MAC locations, and tracks host liveness.\n"
		"Several may run: the holder of the OVSDB lock \"dvs_controller\" writes, the\n"
		"others stand by and take over when it goes.\n\n"
		"  --db=ADDR          the database: unix:PATH or tcp:IP:PORT (default " DEFAULT_DB ")\n"
		"  --name=NAME        this controller's name in Global.leader (default: hostname)\n"
		"  --log-level=LEVEL  err, warn, info (default) or debug\n"
		"  --help, --version\n");
}

static void
signal_cb(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		DVS_LOG(INFO, "signal %u: exiting", si.ssi_signo);
		dvs_loop_stop(loop);
	}
}

static void
on_ready(void *arg)
{
	int ret = dvs_notify("READY=1");

	if (ret < 0)
		DVS_LOG(WARN, "cannot notify systemd: %s", strerror(-ret));
}

int
main(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_NAME, OPT_LOG_LEVEL, OPT_HELP, OPT_VERSION };
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"name", required_argument, NULL, OPT_NAME},
		{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
		{"help", no_argument, NULL, OPT_HELP},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	enum dvs_log_level level = DVS_LOG_INFO;
	const char *db = DEFAULT_DB;
	char name[HOST_NAME_MAX + 1] = "";
	struct dvs_loop *loop = NULL;
	struct session *s = NULL;
	int c, sfd = -1, ret = EXIT_FAILURE;
	sigset_t mask;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case OPT_NAME:
			if (!*optarg || strlen(optarg) >= 64) {
				fprintf(stderr, "dvs-controller: --name: \"%s\": 1..63 characters\n", optarg);
				return EXIT_FAILURE;
			}
			snprintf(name, sizeof(name), "%s", optarg);
			break;
		case OPT_LOG_LEVEL:
			if (dvs_log_level_parse(optarg, &level) < 0) {
				fprintf(stderr, "dvs-controller: --log-level: \"%s\" not allowed (err, warn, "
					"info or debug)\n", optarg);
				return EXIT_FAILURE;
			}
			break;
		case OPT_HELP:
			usage(stdout);
			return EXIT_SUCCESS;
		case OPT_VERSION:
			printf("dvs-controller %s\n", DVS_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dvs-controller: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return EXIT_FAILURE;
	}
	if (!*name && (gethostname(name, sizeof(name)) < 0 || !*name))
		snprintf(name, sizeof(name), "controller");
	name[63] = '\0';
	dvs_log_init(argv[0], level);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	loop = dvs_loop_create();
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (!loop || sfd < 0 || dvs_loop_add_fd(loop, sfd, DVS_LOOP_IN, signal_cb, NULL) < 0) {
		fprintf(stderr, "dvs-controller: cannot set up the event loop: %s\n", strerror(errno));
		goto out;
	}
	s = session_create(loop, db, name, on_ready, NULL);
	if (!s) {
		fprintf(stderr, "dvs-controller: --db %s: %s\n", db, strerror(errno));
		goto out;
	}
	DVS_LOG(INFO, "dvs-controller %s \"%s\" starting; database %s", DVS_VERSION, name, db);
	if (dvs_loop_run(loop) == 0)
		ret = EXIT_SUCCESS;
out:
	session_destroy(s);
	if (sfd >= 0) {
		if (loop)
			dvs_loop_del_fd(loop, sfd);
		close(sfd);
	}
	dvs_loop_destroy(loop);
	return ret;
}
