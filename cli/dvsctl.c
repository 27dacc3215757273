/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl: the one DVS command line.  Global options, the command table (each command group
 * contributes its own, see dvsctl.h), help, and the switchd control-socket client.
 * Exit codes: 0 ok, 1 refused or failed (or --wait timed out), 2 usage error or bad value
 * (nothing written), 3 cannot reach the switch or the database. */

#include "dvsctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "lib/jsonrpc.h"
#include "output.h"

#define DEFAULT_SWITCHD "/run/dvs/switchd.sock"
#define DEFAULT_DB "unix:/run/dvs/db.sock"
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_WAIT_TIMEOUT_MS 30000

/* Every command group.  "port" exists twice: Port rows in the database (the default), or the
 * ports of one standalone switchd when --switchd (or $DVS_SWITCHD) selects it; see
 * table_enabled(). */
static const struct dvsctl_cmd *const cmd_tables[] = {
	dvsctl_portgroup_cmds,
	dvsctl_dbport_cmds,
	dvsctl_port_cmds,
	dvsctl_host_cmds,
	dvsctl_show_cmds,
	dvsctl_migrate_cmds,
	dvsctl_acl_cmds,
	dvsctl_switchd_cmds,
};

static bool port_runtime; /* "port ..." goes to the switchd, not the database */

static bool
table_enabled(const struct dvsctl_cmd *table)
{
	if (table == dvsctl_port_cmds)
		return port_runtime;
	if (table == dvsctl_dbport_cmds)
		return !port_runtime;
	return true;
}

#define FOR_EACH_CMD(C)                                                              \
	for (size_t t_ = 0; t_ < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t_++)   \
		if (table_enabled(cmd_tables[t_]))                                   \
			for (const struct dvsctl_cmd *C = cmd_tables[t_]; C->handler; C++)

const struct dvsctl_cmd *
dvsctl_cmd_lookup(const struct dvsctl_cmd *table, const char *w0, const char *w1)
{
	for (const struct dvsctl_cmd *c = table; c->handler; c++) {
		if (strcmp(c->words[0], w0))
			continue;
		if (!w1 && !c->words[1])
			return c;
		if (w1 && c->words[1] && !strcmp(c->words[1], w1) && !c->words[2])
			return c;
	}
	return NULL;
}

bool
dvsctl_maybe_json(const struct dvsctl_ctx *ctx, const json_t *result)
{
	if (ctx->format != DVSCTL_FMT_JSON)
		return false;
	out_json(result, stdout);
	return true;
}

int
dvsctl_no_args(const struct dvsctl_ctx *ctx, int argc, char **argv)
{
	struct dvsctl_opt opts[] = {{NULL, false, NULL}};

	return dvsctl_args_parse(ctx, argc, argv, opts, NULL, 0, 0, "");
}

static void
vmsg(const struct dvsctl_ctx *ctx, const char *fmt, va_list ap)
{
	fputs("dvsctl: ", stderr);
	if (ctx && ctx->cmd_name)
		fprintf(stderr, "%s: ", ctx->cmd_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int
dvsctl_usage(const struct dvsctl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ctx, fmt, ap);
	va_end(ap);
	return DVSCTL_USAGE;
}

int
dvsctl_fail(const struct dvsctl_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ctx, fmt, ap);
	va_end(ap);
	return code;
}

/* The switch's error member as one line: "KIND: DETAILS", or the JSON if it has another shape. */
static void
print_remote_error(const struct dvsctl_ctx *ctx, const json_t *error)
{
	const char *kind = json_string_value(json_object_get(error, "error"));
	const char *details = json_string_value(json_object_get(error, "details"));

	if (kind && details)
		dvsctl_fail(ctx, 0, "%s: %s", kind, details);
	else if (kind || json_is_string(error))
		dvsctl_fail(ctx, 0, "%s", kind ? kind : json_string_value(error));
	else {
		char *s = json_dumps(error, JSON_COMPACT | JSON_ENCODE_ANY);

		dvsctl_fail(ctx, 0, "switch error: %s", s ? s : "?");
		free(s);
	}
}

static int
switchd_connect(const struct dvsctl_ctx *ctx)
{
	const char *a = ctx->switchd;
	char buf[256];

	/* A plain file name is a socket path too, even without "unix:" or a slash. */
	if (!strchr(a, ':')) {
		snprintf(buf, sizeof(buf), "unix:%s", a);
		a = buf;
	}
	return dvs_stream_connect(a);
}

int
dvsctl_switchd_call(const struct dvsctl_ctx *ctx, const char *method, json_t *args,
		    json_t **result)
{
	json_t *params = json_array(), *error = NULL;
	struct dvs_jsonrpc *c = NULL;
	int fd, r, rc;

	*result = NULL;
	if (args)
		json_array_append_new(params, args);
	fd = switchd_connect(ctx);
	if (fd < 0) {
		json_decref(params);
		if (fd == -EINVAL)
			return dvsctl_fail(ctx, DVSCTL_USAGE,
					   "--switchd \"%s\": not an address (PATH, unix:PATH or tcp:IP:PORT)",
					   ctx->switchd);
		return dvsctl_fail(ctx, DVSCTL_NO_CONNECT,
				   "cannot connect to dvs-switchd at %s: %s (is dvs-switchd running? "
				   "use --switchd SOCK or DVS_SWITCHD)",
				   ctx->switchd, strerror(-fd));
	}
	c = dvs_jsonrpc_open(fd, 0, 0);
	if (!c) {
		json_decref(params);
		return dvsctl_fail(ctx, DVSCTL_FAILED, "out of memory");
	}
	r = dvs_jsonrpc_call(c, method, params, ctx->timeout_ms, result, &error);
	if (r == 0) {
		rc = DVSCTL_OK;
	} else if (r == 1) {
		print_remote_error(ctx, error);
		rc = DVSCTL_FAILED;
	} else if (r == -ETIMEDOUT) {
		rc = dvsctl_fail(ctx, DVSCTL_NO_CONNECT,
				 "no reply from dvs-switchd at %s within %d ms (use --timeout S)",
				 ctx->switchd, ctx->timeout_ms);
	} else if (r == -EPROTO || r == -EMSGSIZE) {
		rc = dvsctl_fail(ctx, DVSCTL_FAILED, "bad reply from dvs-switchd at %s: %s",
				 ctx->switchd, dvs_jsonrpc_error(c));
	} else {
		rc = dvsctl_fail(ctx, DVSCTL_NO_CONNECT, "connection to dvs-switchd at %s lost: %s",
				 ctx->switchd, strerror(-r));
	}
	json_decref(error);
	dvs_jsonrpc_close(c);
	return rc;
}

/* ---- help ---- */

static void
cmd_words(const struct dvsctl_cmd *cmd, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; cmd->words[i] && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "", cmd->words[i]);
}

static void
print_cmd_line(const struct dvsctl_cmd *cmd, FILE *f)
{
	char words[64], line[256];

	cmd_words(cmd, words, sizeof(words));
	snprintf(line, sizeof(line), "%s%s%s", words, cmd->args ? " " : "", cmd->args ? cmd->args : "");
	if (strlen(line) <= 40)
		fprintf(f, "  %-40s  %s\n", line, cmd->brief);
	else
		fprintf(f, "  %s\n  %-40s  %s\n", line, "", cmd->brief);
}

static void
usage_global(FILE *f)
{
	fprintf(f,
		"Usage: dvsctl [OPTIONS] COMMAND [ARGS]\n"
		"The DVS command line: the cluster's configuration in dvs-db, and runtime views\n"
		"of a dvs-switchd.\n"
		"\n"
		"Options (also accepted after the command):\n"
		"  --db ADDR             dvs-db: unix:PATH, tcp:IP:PORT or a path\n"
		"                        (default: $DVS_DB, else " DEFAULT_DB ")\n"
		"  --switchd SOCK        a switchd's control socket: PATH, unix:PATH or tcp:IP:PORT\n"
		"                        (default: $DVS_SWITCHD, else " DEFAULT_SWITCHD ").\n"
		"                        With --switchd or $DVS_SWITCHD, 'port' commands act on that\n"
		"                        standalone switch instead of the database\n"
		"  --wait                after a change, wait until every affected host applied it\n"
		"  --timeout S           seconds to wait for an answer (default %d), and with --wait\n"
		"                        for the hosts (default %d)\n"
		"  --format table|json   output for people (default) or for scripts\n"
		"  -h, --help            this help; 'dvsctl COMMAND --help' for one command\n"
		"  -V, --version         dvsctl's version\n"
		"\n"
		"Commands:\n",
		DEFAULT_TIMEOUT_MS / 1000, DEFAULT_WAIT_TIMEOUT_MS / 1000);
	FOR_EACH_CMD(c)
		print_cmd_line(c, f);
	fprintf(f, "\n"
		   "Exit status: 0 ok, 1 refused or failed (by the database or the switch, or --wait\n"
		   "timed out), 2 usage error or bad value (nothing was written), 3 cannot reach the\n"
		   "database or the switch.\n");
}

static void
usage_cmd(const struct dvsctl_cmd *cmd, FILE *f)
{
	char words[64];

	cmd_words(cmd, words, sizeof(words));
	fprintf(f, "Usage: dvsctl [OPTIONS] %s%s%s\n%s\n", words, cmd->args ? " " : "",
		cmd->args ? cmd->args : "", cmd->brief);
	if (cmd->help)
		fprintf(f, "\n%s", cmd->help);
	if (cmd->flags & DVSCTL_CMD_CHANGES)
		fprintf(f, "\nGlobal options: --db ADDR, --wait, --timeout S, --format table|json (see dvsctl --help).\n");
	else
		fprintf(f, "\nGlobal options: --db ADDR, --switchd SOCK, --timeout S, --format table|json (see dvsctl --help).\n");
}

/* Lists the subcommands of group 'word' ("port"): for "dvsctl port --help" and typos. */
static bool
usage_group(const char *word, FILE *f)
{
	bool any = false;

	FOR_EACH_CMD(c) {
		if (strcmp(c->words[0], word) || (!c->words[1] && !c->args))
			continue;
		if (!any)
			fprintf(f, "Usage: dvsctl [OPTIONS] %s SUBCOMMAND ...\n", word);
		any = true;
		print_cmd_line(c, f);
	}
	return any;
}

static void
group_subcommands(const char *word, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	FOR_EACH_CMD(c)
		if (c->words[1] && !strcmp(c->words[0], word) && n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", c->words[1]);
}

/* The command whose words are the longest prefix of argv; *n_words gets how many matched. */
static const struct dvsctl_cmd *
find_cmd(int argc, char **argv, int *n_words)
{
	const struct dvsctl_cmd *best = NULL;
	int best_n = 0;

	FOR_EACH_CMD(c) {
		int n = 0;

		while (c->words[n] && n < argc && !strcmp(c->words[n], argv[n]))
			n++;
		if (!c->words[n] && n > best_n) {
			best = c;
			best_n = n;
		}
	}
	*n_words = best_n;
	return best;
}

/* ---- main ---- */

struct globals {
	const char *switchd, *db, *format, *timeout;
	bool wait, help;
};

/* Takes the global options out of argv wherever they are (before a "--"), so that both
 * "dvsctl --format json port list" and "dvsctl port list --format json" work.  Returns 0, -1
 * for --version already printed, or an exit code. */
static int
parse_globals(struct globals *g, int *argc, char **argv)
{
	int out = 0;
	bool dashdash = false;

	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i], *val = NULL, **slot = NULL;
		size_t len;

		if (dashdash || a[0] != '-') {
			argv[out++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = true;
			argv[out++] = argv[i];
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			g->help = true;
			continue;
		}
		if (!strcmp(a, "--wait")) {
			g->wait = true;
			continue;
		}
		if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("dvsctl %s\n", DVS_VERSION);
			return -1;
		}
		len = strcspn(a, "=");
		if (len == 9 && !strncmp(a, "--switchd", 9))
			slot = &g->switchd;
		else if (len == 4 && !strncmp(a, "--db", 4))
			slot = &g->db;
		else if (len == 8 && !strncmp(a, "--format", 8))
			slot = &g->format;
		else if (len == 9 && !strncmp(a, "--timeout", 9))
			slot = &g->timeout;
		if (!slot) {
			argv[out++] = argv[i]; /* the command's own option */
			continue;
		}
		if (a[len] == '=')
			val = a + len + 1;
		else if (i + 1 < *argc)
			val = argv[++i];
		if (!val || !val[0])
			return dvsctl_usage(NULL, "%.*s needs a value (see dvsctl --help)", (int)len, a);
		*slot = val;
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && v[0] ? v : dflt;
}

/* Applies the parsed globals to 'ctx' and picks what "port" means: the standalone switch if
 * --switchd was given, or $DVS_SWITCHD is set and --db was not; the database otherwise. */
static int
apply_globals(struct dvsctl_ctx *ctx, const struct globals *g, int argc, char **argv)
{
	ctx->switchd = g->switchd ? g->switchd : env_or("DVS_SWITCHD", DEFAULT_SWITCHD);
	ctx->db = g->db ? g->db : env_or("DVS_DB", DEFAULT_DB);
	ctx->wait = g->wait;
	if (g->switchd && g->db && argc && !strcmp(argv[0], "port"))
		return dvsctl_usage(NULL, "port: --switchd (a standalone switch) and --db (the cluster) "
				    "exclude each other");
	port_runtime = g->switchd || (!g->db && getenv("DVS_SWITCHD") && getenv("DVS_SWITCHD")[0]);
	if (g->format && !strcmp(g->format, "json"))
		ctx->format = DVSCTL_FMT_JSON;
	else if (g->format && strcmp(g->format, "table"))
		return dvsctl_usage(NULL, "--format \"%s\": must be table or json", g->format);
	ctx->timeout_ms = g->wait ? DEFAULT_WAIT_TIMEOUT_MS : DEFAULT_TIMEOUT_MS;
	if (g->timeout && dvsctl_parse_seconds(NULL, "--timeout", g->timeout, &ctx->timeout_ms))
		return DVSCTL_USAGE;
	return 0;
}

int
main(int argc, char **argv)
{
	struct dvsctl_ctx ctx = {.format = DVSCTL_FMT_TABLE};
	struct globals g = {0};
	const struct dvsctl_cmd *cmd;
	char name[64];
	int n_words, r;

	argc--;
	argv++;
	r = parse_globals(&g, &argc, argv);
	if (r)
		return r < 0 ? DVSCTL_OK : r;
	if ((r = apply_globals(&ctx, &g, argc, argv)))
		return r;
	if (argc == 0 || (argc >= 1 && !strcmp(argv[0], "help"))) {
		if (argc >= 2) {
			char subs[256];

			cmd = find_cmd(argc - 1, argv + 1, &n_words);
			group_subcommands(argv[1], subs, sizeof(subs));
			if (cmd && (cmd->words[1] || argc > 2 || !subs[0])) {
				usage_cmd(cmd, stdout);
				return DVSCTL_OK;
			}
			if (usage_group(argv[1], stdout))
				return DVSCTL_OK;
		}
		usage_global(g.help || argc ? stdout : stderr);
		return g.help || argc ? DVSCTL_OK : DVSCTL_USAGE;
	}
	cmd = find_cmd(argc, argv, &n_words);
	if (!cmd || (!cmd->words[1] && g.help && argc == 1)) {
		char subs[256];

		group_subcommands(argv[0], subs, sizeof(subs));
		if (subs[0] && g.help && argc == 1) {
			usage_group(argv[0], stdout);
			return DVSCTL_OK;
		}
		if (subs[0] && argc == 1 && !cmd)
			return dvsctl_usage(NULL, "%s: missing subcommand (one of %s)", argv[0], subs);
		if (subs[0] && !cmd)
			return dvsctl_usage(NULL, "%s: unknown subcommand \"%s\" (one of %s)", argv[0],
					    argv[1], subs);
		if (!cmd)
			return dvsctl_usage(NULL, "unknown command \"%s\" (see dvsctl --help)", argv[0]);
	}
	if (g.help) {
		usage_cmd(cmd, stdout);
		return DVSCTL_OK;
	}
	cmd_words(cmd, name, sizeof(name));
	ctx.cmd_name = name;
	ctx.cmd = cmd;
	if (ctx.wait && !(cmd->flags & DVSCTL_CMD_CHANGES))
		return dvsctl_usage(&ctx, "--wait is only for commands that change the configuration");
	r = cmd->handler(&ctx, argc - n_words, argv + n_words);
	dvsctl_db_disconnect(&ctx);
	return r;
}
