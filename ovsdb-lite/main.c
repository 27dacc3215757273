/* SPDX-License-Identifier: Apache-2.0 */
/* dvs-db: command line, signals and the main loop.  Everything else is in server.c. */
#define DVS_LOG_MODULE "dvs.db"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "journal.h"
#include "json_pool.h"
#include "log.h"
#include "loop.h"
#include "schema.h"
#include "server.h"

#define DEFAULT_REMOTE "punix:/run/dvs/db.sock"
/* See docs/ovsdb.md, "Busy polling": a client's next request usually comes within tens of
 * microseconds, and on a VM a sleep and a wakeup cost about that much each. */
#define BUSY_POLL_DEFAULT_US 100
#define BUSY_POLL_MAX_US 10000
#define DVS_STR_(x) #x
#define DVS_STR(x) DVS_STR_(x)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dvs-db [OPTION]... DBFILE\n"
		"       dvs-db --create --schema SCHEMA DBFILE\n"
		"Serves the OVSDB (RFC 7047) database in DBFILE.\n\n"
		"  --remote=punix:PATH     listen on a unix socket (default " DEFAULT_REMOTE ")\n"
		"  --remote=ptcp:PORT[:IP] listen on TCP (IP defaults to 0.0.0.0)\n"
		"                          (repeatable; the first --remote replaces the default)\n"
		"  --schema=FILE           create DBFILE from this schema if it does not exist\n"
		"  --create                only create DBFILE (needs --schema), then exit\n"
		"  --sync=always|request   fsync every commit (default), or only commits with\n"
		"                          {\"op\":\"commit\",\"durable\":true}\n"
		"  --compact-min=BYTES     compact when the journal exceeds max(BYTES, 4x its\n"
		"                          compacted size) (default 16777216)\n"
		"  --max-msg=BYTES         largest request accepted (default 4194304)\n"
		"  --max-backlog=BYTES     output queued for a client that does not read before\n"
		"                          it is disconnected; one reply larger than this is\n"
		"                          allowed while it is read (default 16777216)\n"
		"  --busy-poll=USEC        before sleeping, poll the clients for an adaptive\n"
		"                          window of up to USEC microseconds (0: never; default\n"
		"                          " DVS_STR(BUSY_POLL_DEFAULT_US) ", at most " DVS_STR(BUSY_POLL_MAX_US) ")\n"
		"  --log-level=LEVEL       err, warn, info (default) or debug\n"
		"  --help, --version\n");
}


static void signal_cb(struct dvs_loop *loop, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;
	bool *stop = arg;
	if (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		DVS_LOG(INFO, "signal %u: exiting", si.ssi_signo);
		*stop = true;
	}
}

static unsigned long long parse_bytes(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || !v) {
		fprintf(stderr, "dvs-db: %s: \"%s\" is not a positive number of bytes\n", opt, s);
		exit(EXIT_FAILURE);
	}
	return v;
}

/* Makes the directory that will hold a unix socket, as systemd's RuntimeDirectory would. */
static void make_socket_dir(const char *remote)
{
	if (strncmp(remote, "punix:", 6))
		return;
	char *path = strdup(remote + 6), *slash = path ? strrchr(path, '/') : NULL;
	if (slash && slash != path) {
		*slash = '\0';
		mkdir(path, 0755);
	}
	free(path);
}

int main(int argc, char **argv)
{
	enum { OPT_REMOTE = 256, OPT_SCHEMA, OPT_CREATE, OPT_SYNC, OPT_COMPACT_MIN, OPT_MAX_MSG,
	       OPT_MAX_BACKLOG, OPT_BUSY_POLL, OPT_LOG_LEVEL, OPT_HELP, OPT_VERSION };
	static const struct option longopts[] = {
		{ "remote", required_argument, NULL, OPT_REMOTE },
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "create", no_argument, NULL, OPT_CREATE },
		{ "sync", required_argument, NULL, OPT_SYNC },
		{ "compact-min", required_argument, NULL, OPT_COMPACT_MIN },
		{ "max-msg", required_argument, NULL, OPT_MAX_MSG },
		{ "max-backlog", required_argument, NULL, OPT_MAX_BACKLOG },
		{ "busy-poll", required_argument, NULL, OPT_BUSY_POLL },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	json_pool_install(); /* before any jansson value exists */
	const char **remotes = calloc((size_t)argc + 1, sizeof *remotes);
	size_t n_remotes = 0;
	const char *schema_file = NULL;
	bool create_only = false;
	struct ovsdb_server_opts opts = { .sync_always = true, .max_backlog = 16u << 20 };
	enum dvs_log_level level = DVS_LOG_INFO;
	unsigned busy_poll_us = BUSY_POLL_DEFAULT_US;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_REMOTE:
			remotes[n_remotes++] = optarg;
			break;
		case OPT_SCHEMA:
			schema_file = optarg;
			break;
		case OPT_CREATE:
			create_only = true;
			break;
		case OPT_SYNC:
			if (strcmp(optarg, "always") && strcmp(optarg, "request")) {
				fprintf(stderr, "dvs-db: --sync: \"%s\" is neither \"always\" nor \"request\"\n", optarg);
				return EXIT_FAILURE;
			}
			opts.sync_always = !strcmp(optarg, "always");
			break;
		case OPT_COMPACT_MIN:
			opts.compact_min = parse_bytes("--compact-min", optarg);
			break;
		case OPT_MAX_MSG:
			opts.max_msg_size = parse_bytes("--max-msg", optarg);
			break;
		case OPT_MAX_BACKLOG:
			opts.max_backlog = parse_bytes("--max-backlog", optarg);
			break;
		case OPT_BUSY_POLL: {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-' || v > BUSY_POLL_MAX_US) {
				fprintf(stderr, "dvs-db: --busy-poll: \"%s\" is not a number of microseconds from 0 to %u\n",
					optarg, BUSY_POLL_MAX_US);
				return EXIT_FAILURE;
			}
			busy_poll_us = (unsigned)v;
			break;
		}
		case OPT_LOG_LEVEL:
			if (dvs_log_level_parse(optarg, &level)) {
				fprintf(stderr, "dvs-db: --log-level: \"%s\" is not err, warn, info or debug\n", optarg);
				return EXIT_FAILURE;
			}
			break;
		case OPT_HELP:
			usage(stdout);
			return EXIT_SUCCESS;
		case OPT_VERSION:
			printf("dvs-db (DVS) %s\n", DVS_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "dvs-db: exactly one DBFILE argument is required (try --help)\n");
		return EXIT_FAILURE;
	}
	const char *dbfile = argv[optind];
	dvs_log_init("dvs-db", level);

	if (create_only && !schema_file) {
		fprintf(stderr, "dvs-db: --create needs --schema SCHEMA\n");
		return EXIT_FAILURE;
	}
	if (schema_file && (create_only || access(dbfile, F_OK))) {
		json_t *err = NULL;
		struct ovsdb_schema *schema = ovsdb_schema_from_file(schema_file, &err);
		if (!schema) {
			char *txt = json_dumps(err, JSON_COMPACT);
			fprintf(stderr, "dvs-db: %s: invalid schema: %s\n", schema_file, txt ? txt : "?");
			return EXIT_FAILURE;
		}
		int rc = ovsdb_journal_class.create(dbfile, schema->json);
		ovsdb_schema_destroy(schema);
		if (rc) {
			fprintf(stderr, "dvs-db: cannot create %s: %s\n", dbfile, strerror(-rc));
			return EXIT_FAILURE;
		}
		DVS_LOG(INFO, "created %s from %s", dbfile, schema_file);
		if (create_only)
			return EXIT_SUCCESS;
	}

	struct ovsdb_storage *st = ovsdb_journal_class.open(dbfile);
	if (!st) {
		fprintf(stderr, "dvs-db: cannot open %s: %s%s\n", dbfile, strerror(errno),
			errno == ENOENT ? " (create it with --schema SCHEMA)" : "");
		return EXIT_FAILURE;
	}
	struct dvs_loop *loop = dvs_loop_create();
	if (loop)
		dvs_loop_set_busy_poll(loop, busy_poll_us);
	struct ovsdb_server *s = loop ? ovsdb_server_create(loop, st, &opts) : NULL;
	if (!s) {
		fprintf(stderr, "dvs-db: cannot load %s: %s\n", dbfile, strerror(errno));
		return EXIT_FAILURE;
	}
	if (!n_remotes)
		remotes[n_remotes++] = DEFAULT_REMOTE;
	for (size_t i = 0; i < n_remotes; i++) {
		make_socket_dir(remotes[i]);
		int rc = ovsdb_server_add_remote(s, remotes[i]);
		if (rc) {
			fprintf(stderr, "dvs-db: cannot listen on %s: %s\n", remotes[i],
				rc == -EINVAL ? "expected punix:PATH or ptcp:PORT[:IP]" : strerror(-rc));
			ovsdb_server_destroy(s);
			return EXIT_FAILURE;
		}
	}

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	bool stop = false;
	int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || dvs_loop_add_fd(loop, sfd, DVS_LOOP_IN, signal_cb, &stop)) {
		fprintf(stderr, "dvs-db: signalfd: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	DVS_LOG(INFO, "serving database %s from %s (busy polling %s%u us)", s->db->schema->name, dbfile,
		busy_poll_us ? "up to " : "", busy_poll_us);

	int rc = 0;
	while (!stop && !rc)
		rc = ovsdb_server_run_once(s, 1000);
	struct dvs_loop_poll_stats ps;
	dvs_loop_poll_stats(loop, &ps);
	if (ps.max_us)
		DVS_LOG(INFO, "busy polling (up to %u us): %llu polls found a request, %llu gave up; %.3f s polled",
			ps.max_us, (unsigned long long)ps.hits, (unsigned long long)ps.misses, ps.polled_us / 1e6);
	ovsdb_server_destroy(s);
	dvs_loop_del_fd(loop, sfd);
	close(sfd);
	dvs_loop_destroy(loop);
	free(remotes);
	return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}
