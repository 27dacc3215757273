/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* A port's policy as configured: the "acl", "security", "shaping" and "storm" objects of a
 * port (config file, control socket, or built from the DB's PortGroup/AclRule rows).  Each
 * is validated with the policy module's own parser, then interned: equal objects are the
 * same pointer for the life of the process, so port configs stay plain values that compare
 * with memcmp and a changed policy is a changed pointer.  Control thread only. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

struct dvs_policy_spec {
	const json_t *acl;      /* {"default_action", "rules"} (dp/policy/acl_rule.h), or NULL */
	const json_t *security; /* see dvs_policy_parse(), or NULL: no checks */
	const json_t *shaping;  /* {"ingress": tbucket, "egress": tbucket, "egress_queue": N} */
	const json_t *storm;    /* dp/policy/storm.h, or NULL */
};

/* Parses the policy keys of the port object 'port' (the others are ignored) into 'out'.
 * "security" is {"allow_promiscuous", "allow_mac_changes", "allow_forged_transmits",
 * "ip_mac_binding", "allow_dhcp_server", "arp_suppression": booleans (default false),
 * "ips": ["10.0.0.5", ...]}.
 * Returns 0, or -EINVAL with 'err' naming the field (e.g. "acl: rules[1]: dst_port: ..."). */
int dvs_policy_parse(const json_t *port, struct dvs_policy_spec *out, struct dvs_err *err);
/* Adds the policy keys of 'spec' to the port object 'port'. */
void dvs_policy_to_json(const struct dvs_policy_spec *spec, json_t *port);
/* The interned copy of 'j' (stolen).  Never freed: policies are few and small. */
const json_t *dvs_policy_intern(json_t *j);
static inline bool
dvs_policy_empty(const struct dvs_policy_spec *s)
{
	return !s->acl && !s->security && !s->shaping && !s->storm;
}
