/* SPDX-License-Identifier: Apache-2.0 */
/* Port policy specs: validation with the policy modules' parsers, and interning. */
#include "policy_conf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dp/policy/acl_rule.h"
#include "dp/policy/storm.h"
#include "dp/policy/tbucket.h"

static json_t *interned; /* canonical text -> object */

const json_t *
dvs_policy_intern(json_t *j)
{
	char *key = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_t *have;

	if (!interned)
		interned = json_object();
	if (!key)
		return j; /* out of memory: an uninterned pointer only costs a rebuild */
	have = json_object_get(interned, key);
	if (have) {
		json_decref(j);
	} else {
		json_object_set_new(interned, key, j);
		have = j;
	}
	free(key);
	return have;
}

static int
parse_security(const json_t *j, struct dvs_err *err)
{
	static const char *const bools[] = {"allow_promiscuous", "allow_mac_changes",
					    "allow_forged_transmits", "ip_mac_binding",
					    "allow_dhcp_server", "arp_suppression"};
	const char *key;
	const json_t *v;

	if (!json_is_object(j))
		return dvs_err_set(err, EINVAL, "must be an object");
	json_object_foreach((json_t *)j, key, v) {
		bool known = false;
		for (size_t i = 0; i < DVS_ARRAY_SIZE(bools); i++)
			if (!strcmp(key, bools[i])) {
				if (!json_is_boolean(v))
					return dvs_err_set(err, EINVAL, "%s: must be true or false", key);
				known = true;
			}
		if (!strcmp(key, "ips")) {
			size_t i;
			const json_t *a;
			uint8_t buf[16];
			if (!json_is_array(v) || json_array_size(v) > 16)
				return dvs_err_set(err, EINVAL, "ips: must be a list of at most 16 IPv4/IPv6 addresses");
			json_array_foreach(v, i, a) {
				const char *s = json_string_value(a);
				if (!s || (inet_pton(AF_INET, s, buf) != 1 && inet_pton(AF_INET6, s, buf) != 1))
					return dvs_err_set(err, EINVAL, "ips[%zu]: not an IPv4 or IPv6 address", i);
			}
			known = true;
		}
		if (!known)
			return dvs_err_set(err, EINVAL, "%s: unknown field (known: allow_promiscuous, "
					   "allow_mac_changes, allow_forged_transmits, ip_mac_binding, "
					   "allow_dhcp_server, arp_suppression, ips)", key);
	}
	return 0;
}

static int
parse_shaping(const json_t *j, struct dvs_err *err)
{
	const char *key;
	const json_t *v;
	struct tbucket_conf tc;

	if (!json_is_object(j))
		return dvs_err_set(err, EINVAL, "must be an object with ingress and/or egress");
	json_object_foreach((json_t *)j, key, v) {
		if (!strcmp(key, "ingress") || !strcmp(key, "egress")) {
			if (tbucket_conf_from_json(v, &tc, err) < 0) {
				dvs_err_prefix(err, "%s", key);
				return -EINVAL;
			}
		} else if (!strcmp(key, "egress_queue")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 65536)
				return dvs_err_set(err, EINVAL, "egress_queue: must be 1..65536 frames");
		} else {
			return dvs_err_set(err, EINVAL, "%s: unknown field (known: ingress, egress, egress_queue)", key);
		}
	}
	return 0;
}

int
dvs_policy_parse(const json_t *port, struct dvs_policy_spec *out, struct dvs_err *err)
{
	const json_t *v;
	struct acl_ruleset rs;
	struct storm_conf sc;

	memset(out, 0, sizeof(*out));
	if ((v = json_object_get(port, "acl"))) {
		if (acl_ruleset_from_json(v, &rs, err) < 0) {
			dvs_err_prefix(err, "acl");
			return -EINVAL;
		}
		acl_ruleset_free(&rs);
		out->acl = dvs_policy_intern(json_deep_copy(v));
	}
	if ((v = json_object_get(port, "security"))) {
		if (parse_security(v, err) < 0) {
			dvs_err_prefix(err, "security");
			return -EINVAL;
		}
		out->security = dvs_policy_intern(json_deep_copy(v));
	}
	if ((v = json_object_get(port, "shaping"))) {
		if (parse_shaping(v, err) < 0) {
			dvs_err_prefix(err, "shaping");
			return -EINVAL;
		}
		out->shaping = dvs_policy_intern(json_deep_copy(v));
	}
	if ((v = json_object_get(port, "storm"))) {
		if (storm_conf_from_json(v, &sc, err) < 0) {
			dvs_err_prefix(err, "storm");
			return -EINVAL;
		}
		out->storm = dvs_policy_intern(json_deep_copy(v));
	}
	return 0;
}

void
dvs_policy_to_json(const struct dvs_policy_spec *spec, json_t *port)
{
	if (spec->acl)
		json_object_set(port, "acl", (json_t *)spec->acl);
	if (spec->security)
		json_object_set(port, "security", (json_t *)spec->security);
	if (spec->shaping)
		json_object_set(port, "shaping", (json_t *)spec->shaping);
	if (spec->storm)
		json_object_set(port, "storm", (json_t *)spec->storm);
}
