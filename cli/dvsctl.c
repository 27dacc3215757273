/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl: the one DVS command line.  Global options, the command table (each command group
 * contributes its own, see dvsctl.h), help, and the switchd control-socket client.
 * Exit codes: 0 ok, 1 the switch refused or failed, 2 usage error, 3 cannot reach the switch. */

#include "dvsctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonrpc.h"
#include "output.h"

#define DEFAULT_SWITCHD "/run/dvs/switchd.sock"
#define DEFAULT_TIMEOUT_MS 5000

/* Every command group; issue #4's DB groups (portgroup, host, site, show, migrate) add theirs. */
static const struct dvsctl_cmd *const cmd_tables[] = {
	dvsctl_port_cmds,
	dvsctl_switchd_cmds,
};

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
		"The DVS command line: runtime views and changes on a dvs-switchd.\n"
		"\n"
		"Options (also accepted after the command):\n"
		"  --switchd SOCK        switchd control socket: PATH, unix:PATH or tcp:IP:PORT\n"
		"                        (default: $DVS_SWITCHD, else " DEFAULT_SWITCHD ")\n"
		"  --format table|json   output for people (default) or for scripts\n"
		"  --timeout S           seconds to wait for the switch (default %d)\n"
		"  -h, --help            this help; 'dvsctl COMMAND --help' for one command\n"
		"  -V, --version         dvsctl's version\n"
		"\n"
		"Commands:\n",
		DEFAULT_TIMEOUT_MS / 1000);
	for (size_t t = 0; t < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t++)
		for (const struct dvsctl_cmd *c = cmd_tables[t]; c->handler; c++)
			print_cmd_line(c, f);
	fprintf(f, "\n"
		   "Exit status: 0 ok, 1 the switch refused or failed the request, 2 usage error\n"
		   "(nothing was contacted), 3 cannot reach the switch.\n");
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
	fprintf(f, "\nGlobal options: --switchd SOCK, --format table|json, --timeout S (see dvsctl --help).\n");
}

/* Lists the subcommands of group 'word' ("port"): for "dvsctl port --help" and typos. */
static bool
usage_group(const char *word, FILE *f)
{
	bool any = false;

	for (size_t t = 0; t < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t++) {
		for (const struct dvsctl_cmd *c = cmd_tables[t]; c->handler; c++) {
			if (!c->words[1] || strcmp(c->words[0], word))
				continue;
			if (!any)
				fprintf(f, "Usage: dvsctl [OPTIONS] %s SUBCOMMAND ...\n", word);
			any = true;
			print_cmd_line(c, f);
		}
	}
	return any;
}

static void
group_subcommands(const char *word, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t t = 0; t < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t++)
		for (const struct dvsctl_cmd *c = cmd_tables[t]; c->handler; c++)
			if (c->words[1] && !strcmp(c->words[0], word) && n < size)
				n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", c->words[1]);
}

/* The command whose words are the longest prefix of argv; *n_words gets how many matched. */
static const struct dvsctl_cmd *
find_cmd(int argc, char **argv, int *n_words)
{
	const struct dvsctl_cmd *best = NULL;
	int best_n = 0;

	for (size_t t = 0; t < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t++) {
		for (const struct dvsctl_cmd *c = cmd_tables[t]; c->handler; c++) {
			int n = 0;

			while (c->words[n] && n < argc && !strcmp(c->words[n], argv[n]))
				n++;
			if (!c->words[n] && n > best_n) {
				best = c;
				best_n = n;
			}
		}
	}
	*n_words = best_n;
	return best;
}

/* ---- main ---- */

/* Takes the global options out of argv wherever they are (before a "--"), so that both
 * "dvsctl --format json port list" and "dvsctl port list --format json" work.  Returns 0, -1
 * for help/version already printed, or an exit code. */
static int
parse_globals(struct dvsctl_ctx *ctx, int *argc, char **argv, bool *help)
{
	const char *format = NULL, *timeout = NULL;
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
			*help = true;
			continue;
		}
		if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("dvsctl %s\n", DVS_VERSION);
			return -1;
		}
		len = strcspn(a, "=");
		if (len == 9 && !strncmp(a, "--switchd", 9))
			slot = &ctx->switchd;
		else if (len == 8 && !strncmp(a, "--format", 8))
			slot = &format;
		else if (len == 9 && !strncmp(a, "--timeout", 9))
			slot = &timeout;
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
	if (format && !strcmp(format, "json"))
		ctx->format = DVSCTL_FMT_JSON;
	else if (format && strcmp(format, "table"))
		return dvsctl_usage(NULL, "--format \"%s\": must be table or json", format);
	if (timeout && dvsctl_parse_seconds(NULL, "--timeout", timeout, &ctx->timeout_ms))
		return DVSCTL_USAGE;
	return 0;
}

int
main(int argc, char **argv)
{
	struct dvsctl_ctx ctx = {
		.switchd = getenv("DVS_SWITCHD") && getenv("DVS_SWITCHD")[0] ? getenv("DVS_SWITCHD")
									: DEFAULT_SWITCHD,
		.format = DVSCTL_FMT_TABLE,
		.timeout_ms = DEFAULT_TIMEOUT_MS,
	};
	const struct dvsctl_cmd *cmd;
	bool help = false;
	char name[64];
	int n_words, r;

	argc--;
	argv++;
	r = parse_globals(&ctx, &argc, argv, &help);
	if (r)
		return r < 0 ? DVSCTL_OK : r;
	if (argc == 0 || (argc >= 1 && !strcmp(argv[0], "help"))) {
		if (argc >= 2) {
			cmd = find_cmd(argc - 1, argv + 1, &n_words);
			if (cmd) {
				usage_cmd(cmd, stdout);
				return DVSCTL_OK;
			}
			if (usage_group(argv[1], stdout))
				return DVSCTL_OK;
		}
		usage_global(help || argc ? stdout : stderr);
		return help || argc ? DVSCTL_OK : DVSCTL_USAGE;
	}
	cmd = find_cmd(argc, argv, &n_words);
	if (!cmd) {
		char subs[256];

		group_subcommands(argv[0], subs, sizeof(subs));
		if (subs[0] && help && argc == 1) {
			usage_group(argv[0], stdout);
			return DVSCTL_OK;
		}
		if (subs[0] && argc == 1)
			return dvsctl_usage(NULL, "%s: missing subcommand (one of %s)", argv[0], subs);
		if (subs[0])
			return dvsctl_usage(NULL, "%s: unknown subcommand \"%s\" (one of %s)", argv[0],
					    argv[1], subs);
		return dvsctl_usage(NULL, "unknown command \"%s\" (see dvsctl --help)", argv[0]);
	}
	if (help) {
		usage_cmd(cmd, stdout);
		return DVSCTL_OK;
	}
	cmd_words(cmd, name, sizeof(name));
	ctx.cmd_name = name;
	ctx.cmd = cmd;
	return cmd->handler(&ctx, argc - n_words, argv + n_words);
}
