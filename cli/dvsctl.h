/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* dvsctl internals shared by the command modules: the command table entry, the context every
 * handler gets (global options, output format), exit codes, the switchd connection (runtime
 * views) and the dvs-db connection (cluster intent, db.c).  One file per command group. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Exit codes: documented in docs/dvsctl.md and `dvsctl --help`. */
enum dvsctl_exit {
	DVSCTL_OK = 0,
	DVSCTL_FAILED = 1,     /* refused or failed (switch or database), or --wait timed out */
	DVSCTL_USAGE = 2,      /* bad command line or value; nothing was written */
	DVSCTL_NO_CONNECT = 3, /* cannot reach the switch or the database */
};

enum dvsctl_format {
	DVSCTL_FMT_TABLE,
	DVSCTL_FMT_JSON,
};

struct dvs_sync;

struct dvsctl_ctx {
	const char *switchd;      /* control socket address */
	const char *db;           /* dvs-db address (--db, $DVS_DB) */
	enum dvsctl_format format;
	int timeout_ms;           /* each reply; with --wait, the whole wait (--timeout) */
	bool wait;                /* --wait: until every affected host applied the change */
	const char *cmd_name;     /* "port add": prefixes every message */
	const struct dvsctl_cmd *cmd;
	struct dvs_sync *dbc;     /* the database session, opened on first use (db.c) */
};

typedef int dvsctl_handler(struct dvsctl_ctx *ctx, int argc, char **argv);

#define DVSCTL_MAX_WORDS 3

/* dvsctl_cmd.flags */
#define DVSCTL_CMD_CHANGES 1u /* writes intent: takes --wait */

struct dvsctl_cmd {
	const char *words[DVSCTL_MAX_WORDS + 1]; /* NULL-terminated, e.g. {"port", "add", NULL} */
	dvsctl_handler *handler;
	const char *args;  /* synopsis after the words: "NAME --type TYPE [...]" */
	const char *brief; /* one line for the command list */
	const char *help;  /* the rest of `dvsctl port add --help`; may be NULL */
	unsigned flags;    /* DVSCTL_CMD_* */
};

/* A command module's table ends with an entry whose handler is NULL. */
extern const struct dvsctl_cmd dvsctl_port_cmds[];      /* cmd_port.c: standalone switchd */
extern const struct dvsctl_cmd dvsctl_switchd_cmds[];   /* cmd_switchd.c */
extern const struct dvsctl_cmd dvsctl_portgroup_cmds[]; /* cmd_portgroup.c */
extern const struct dvsctl_cmd dvsctl_dbport_cmds[];    /* cmd_dbport.c: Port rows */
extern const struct dvsctl_cmd dvsctl_host_cmds[];      /* cmd_host.c: host, site */
extern const struct dvsctl_cmd dvsctl_show_cmds[];      /* cmd_show.c */
extern const struct dvsctl_cmd dvsctl_migrate_cmds[];   /* cmd_migrate.c */
extern const struct dvsctl_cmd dvsctl_acl_cmds[];       /* cmd_acl.c */

/* The entry of 'table' with exactly the words w0 [w1], or NULL. */
const struct dvsctl_cmd *dvsctl_cmd_lookup(const struct dvsctl_cmd *table, const char *w0,
					   const char *w1);

/* Prints 'result' as JSON if --format json was given.  Returns true if it did. */
bool dvsctl_maybe_json(const struct dvsctl_ctx *ctx, const json_t *result);
/* For commands without arguments: DVSCTL_USAGE (printed) if there are any. */
int dvsctl_no_args(const struct dvsctl_ctx *ctx, int argc, char **argv);

/* Messages.  All go to stderr as "dvsctl: <cmd>: <text>" and return the exit code to use. */
int dvsctl_usage(const struct dvsctl_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int dvsctl_fail(const struct dvsctl_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Calls 'method' on the switchd control socket with 'args' (stolen; NULL for none) as the one
 * named-argument object.  Returns DVSCTL_OK with *result (new), or an exit code after printing
 * why (refused: the switch's own error kind and details; no connection: what to check). */
int dvsctl_switchd_call(const struct dvsctl_ctx *ctx, const char *method, json_t *args,
			json_t **result);

/* ---- command-line arguments (args.c) ---- */

#define DVSCTL_MULTI_MAX 32

struct dvsctl_opt {
	const char *name; /* without the leading "--" */
	bool has_arg;
	const char *value; /* out: the value (the last one), "" for a flag given, NULL if absent */
	bool multi;        /* may be repeated: every value goes to vals[] */
	unsigned n;        /* out: how many times given */
	const char *vals[DVSCTL_MULTI_MAX];
};

/* Parses argv (after the command words) against 'opts' (ends with name NULL): "--opt V",
 * "--opt=V" and flags; everything else is positional, at most 'max_pos' of them into pos[],
 * exactly 'min_pos' required ('pos_names' says what they are, for messages, e.g. "NAME").
 * Returns 0, or DVSCTL_USAGE after printing which argument was wrong and what is allowed. */
int dvsctl_args_parse(const struct dvsctl_ctx *ctx, int argc, char **argv, struct dvsctl_opt *opts,
		      const char **pos, int min_pos, int max_pos, const char *pos_names);

/* Validators: 'what' names the argument in messages ("--access", "NAME").  Return 0 or
 * DVSCTL_USAGE after printing e.g. "dvsctl: port add: --access 5000: VLAN out of range 0..4094". */
int dvsctl_parse_vlan(const struct dvsctl_ctx *ctx, const char *what, const char *s, unsigned *out);
/* "10,20-30": canonical text (sorted, merged) goes to buf. */
int dvsctl_parse_vlan_list(const struct dvsctl_ctx *ctx, const char *what, const char *s, char *buf,
			   size_t size);
int dvsctl_parse_uint(const struct dvsctl_ctx *ctx, const char *what, const char *s, uint64_t min,
		      uint64_t max, uint64_t *out);
int dvsctl_parse_mac(const struct dvsctl_ctx *ctx, const char *what, const char *s, char *buf18);
int dvsctl_check_port_name(const struct dvsctl_ctx *ctx, const char *what, const char *s);
/* Seconds, decimals allowed ("0.5"), 0.001..3600.  Out in milliseconds. */
int dvsctl_parse_seconds(const struct dvsctl_ctx *ctx, const char *what, const char *s, int *ms);
/* Names of DB objects (port keys, group, host, site, segment names): 1..63 letters, digits,
 * '-', '_', '.', ':', not starting with '-'. */
int dvsctl_check_name(const struct dvsctl_ctx *ctx, const char *what, const char *s);
/* "yes"/"no" (also "true"/"false", "on"/"off"). */
int dvsctl_parse_bool(const struct dvsctl_ctx *ctx, const char *what, const char *s, bool *out);
/* Human units: a decimal number with an optional suffix.  Rates are bits per second with
 * k, M, G, T = 10^3.. (0 = unlimited); sizes are bytes with K, M, G = 2^10..; packet rates
 * take k, M = 10^3, 10^6.  'min'..'max' is the allowed range apart from 0. */
int dvsctl_parse_rate(const struct dvsctl_ctx *ctx, const char *what, const char *s, uint64_t min,
		      uint64_t max, uint64_t *out);
int dvsctl_parse_size(const struct dvsctl_ctx *ctx, const char *what, const char *s, uint64_t min,
		      uint64_t max, uint64_t *out);
int dvsctl_parse_pps(const struct dvsctl_ctx *ctx, const char *what, const char *s, uint64_t max,
		     uint64_t *out);
/* An IPv4 or IPv6 address; the canonical text goes to buf (INET6_ADDRSTRLEN). */
int dvsctl_parse_ip(const struct dvsctl_ctx *ctx, const char *what, const char *s, char *buf,
		    size_t size);
