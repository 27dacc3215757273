/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* ACL rule model: what a PortGroup's AclRule rows (and the standalone config) say, validated
 * with errors that name the field and the allowed values.  Pure data, no DPDK: acl.h compiles
 * a validated rule set into rte_acl contexts for the fast path.  The JSON shape is in
 * docs/policy.md. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum acl_dir {
	ACL_DIR_FROM_PORT = 0, /* frames the port (VM) sends: ingress to the switch */
	ACL_DIR_TO_PORT = 1,   /* frames delivered to the port */
	ACL_DIR_COUNT
};

enum acl_action {
	ACL_ACTION_ALLOW = 0,
	ACL_ACTION_DROP,
	ACL_ACTION_REJECT, /* drop and answer with a TCP RST or ICMP unreachable (reject.h) */
};

#define ACL_PRIORITY_MAX 65535
#define ACL_RULES_MAX 65536

struct acl_prefix {
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, network order */
	uint8_t len;      /* 0..32 or 0..128 */
	uint8_t family;   /* 4 or 6 */
};

/* One rule.  A field left at its "any" value does not constrain the match. */
struct acl_rule {
	uint32_t id;          /* the caller's id, reported back by stats (e.g. a row number) */
	uint16_t priority;    /* 0..65535: higher wins; on a tie the earlier rule wins */
	uint8_t dir;          /* enum acl_dir */
	uint8_t action;       /* enum acl_action */
	bool stateful;        /* allow: also allow the connection's return traffic (conntrack.h) */
	uint8_t family;       /* 0 (any), 4 or 6: derived from ethertype, prefixes and protocol */
	uint16_t ethertype;   /* 0 = any */
	bool has_src, has_dst;
	struct acl_prefix src, dst;
	int16_t proto;        /* IP protocol, -1 = any */
	uint16_t sport_min, sport_max; /* TCP/UDP/SCTP; 0..65535 = any */
	uint16_t dport_min, dport_max;
	int16_t icmp_type, icmp_code;  /* ICMP/ICMPv6 (proto 1 or 58), -1 = any */
};

/* A port group's rules (both directions) and what happens to a frame no rule matches. */
struct acl_ruleset {
	uint8_t default_action; /* enum acl_action */
	uint32_t n_rules;
	struct acl_rule *rules; /* owned: freed by acl_ruleset_free() */
};

/* Fills 'r' with a rule that matches everything (priority 0, from-port, allow). */
void acl_rule_init(struct acl_rule *r);
/* Checks the fields of 'r' against each other and derives r->family.  Returns 0 or -EINVAL with
 * 'err' naming the field, e.g. "dst_port: requires protocol tcp, udp or sctp (got icmp)". */
int acl_rule_validate(struct acl_rule *r, struct dvs_err *err);
/* Parses one rule object (strict: unknown keys are errors) and validates it.  Returns 0 or
 * -EINVAL with 'err' set; 'r' is only meaningful on success. */
int acl_rule_from_json(const json_t *j, struct acl_rule *r, struct dvs_err *err);
/* Returns a new JSON object for 'r' in the same shape acl_rule_from_json() takes. */
json_t *acl_rule_to_json(const struct acl_rule *r);

/* Parses {"default_action": "drop", "rules": [rule, ...]}.  Errors are prefixed with the rule's
 * position: "rules[3].dst_port: 70000 out of range 0..65535".  On success 'rs' owns a new rules
 * array.  Returns 0, -EINVAL or -ENOMEM. */
int acl_ruleset_from_json(const json_t *j, struct acl_ruleset *rs, struct dvs_err *err);
void acl_ruleset_free(struct acl_ruleset *rs);

const char *acl_action_name(enum acl_action a);
const char *acl_dir_name(enum acl_dir d);
/* Parses "allow", "drop" or "reject".  Returns 0 or -EINVAL. */
int acl_action_parse(const char *s, uint8_t *a, struct dvs_err *err);
/* Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (full length).  Host bits beyond the
 * length are an error.  Returns 0 or -EINVAL with 'err' set. */
int acl_prefix_parse(const char *s, struct acl_prefix *p, struct dvs_err *err);
/* Formats 'p' as "addr/len" into 'buf'.  Returns buf. */
char *acl_prefix_format(const struct acl_prefix *p, char *buf, size_t size);
