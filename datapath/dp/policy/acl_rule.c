/* SPDX-License-Identifier: Apache-2.0 */
/* ACL rule model: validation and the JSON shape (docs/policy.md). */

#include "acl_rule.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_ARP 0x0806
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define PROTO_SCTP 132

static const struct {
	const char *name;
	uint8_t proto;
} proto_names[] = {
	{"icmp", PROTO_ICMP}, {"tcp", PROTO_TCP},       {"udp", PROTO_UDP},
	{"icmpv6", PROTO_ICMPV6}, {"sctp", PROTO_SCTP}, {"gre", 47},
	{"esp", 50},           {"ah", 51},             {"vrrp", 112},
};

static const struct {
	const char *name;
	uint16_t type;
} ethertype_names[] = {
	{"ipv4", ETH_IPV4}, {"ipv6", ETH_IPV6}, {"arp", ETH_ARP}, {"rarp", 0x8035}, {"lldp", 0x88cc},
};

static const char *const action_names[] = {"allow", "drop", "reject"};
static const char *const dir_names[] = {"from-port", "to-port"};

const char *
acl_action_name(enum acl_action a)
{
	return (unsigned)a < DVS_ARRAY_SIZE(action_names) ? action_names[a] : "?";
}

const char *
acl_dir_name(enum acl_dir d)
{
	return (unsigned)d < DVS_ARRAY_SIZE(dir_names) ? dir_names[d] : "?";
}

int
acl_action_parse(const char *s, uint8_t *a, struct dvs_err *err)
{
	for (unsigned i = 0; i < DVS_ARRAY_SIZE(action_names); i++)
		if (strcmp(s, action_names[i]) == 0) {
			*a = (uint8_t)i;
			return 0;
		}
	return dvs_err_set(err, EINVAL, "\"%s\" is not an action (allowed: allow, drop, reject)", s);
}

static const char *
proto_name(int proto)
{
	for (unsigned i = 0; i < DVS_ARRAY_SIZE(proto_names); i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	return NULL;
}

void
acl_rule_init(struct acl_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->proto = -1;
	r->sport_max = r->dport_max = 65535;
	r->icmp_type = r->icmp_code = -1;
}

int
acl_prefix_parse(const char *s, struct acl_prefix *p, struct dvs_err *err)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len;
	unsigned max, i;
	char *end;

	memset(p, 0, sizeof(*p));
	if (alen == 0 || alen >= sizeof(addr))
		goto bad;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, p->addr) == 1)
		p->family = 4;
	else if (inet_pton(AF_INET6, addr, p->addr) == 1)
		p->family = 6;
	else
		goto bad;
	max = p->family == 4 ? 32 : 128;
	len = max;
	if (slash) {
		if (!isdigit((unsigned char)slash[1]))
			goto bad;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > max)
			return dvs_err_set(err, EINVAL, "\"%s\": prefix length out of range 0..%u", s, max);
	}
	p->len = (uint8_t)len;
	/* Host bits set usually mean a typo (10.0.0.1/8 for 10.0.0.0/8): refuse rather than guess. */
	for (i = 0; i < max / 8; i++) {
		unsigned keep = len >= (i + 1) * 8 ? 8 : len > i * 8 ? len - i * 8 : 0;
		uint8_t mask = keep ? (uint8_t)(0xff << (8 - keep)) : 0;

		if (p->addr[i] & ~mask)
			return dvs_err_set(err, EINVAL,
					   "\"%s\": address has bits set beyond the /%lu prefix length", s,
					   len);
	}
	return 0;
bad:
	return dvs_err_set(err, EINVAL,
			   "\"%s\" is not an IPv4 or IPv6 prefix (expected e.g. 10.0.0.0/8 or "
			   "2001:db8::/32)",
			   s);
}

char *
acl_prefix_format(const struct acl_prefix *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, p->len);
	return buf;
}

static bool
has_ports(const struct acl_rule *r)
{
	return r->sport_min != 0 || r->sport_max != 65535 || r->dport_min != 0 || r->dport_max != 65535;
}

static int
family_merge(uint8_t *fam, uint8_t want, const char *field, const char *why, struct dvs_err *err)
{
	if (*fam && *fam != want)
		return dvs_err_set(err, EINVAL, "%s: %s is IPv%u but the rule is IPv%u", field, why, want,
				   *fam);
	*fam = want;
	return 0;
}

int
acl_rule_validate(struct acl_rule *r, struct dvs_err *err)
{
	bool l3 = r->has_src || r->has_dst || r->proto >= 0;
	uint8_t fam = 0;
	int ret = 0;

	if (r->dir >= ACL_DIR_COUNT)
		return dvs_err_set(err, EINVAL, "direction: %u invalid (allowed: from-port, to-port)",
				   r->dir);
	if (r->action > ACL_ACTION_REJECT)
		return dvs_err_set(err, EINVAL, "action: %u invalid (allowed: allow, drop, reject)",
				   r->action);
	if (r->stateful && r->action != ACL_ACTION_ALLOW)
		return dvs_err_set(err, EINVAL, "stateful: only allowed with action allow (got %s)",
				   acl_action_name(r->action));
	if (r->ethertype == ETH_IPV4)
		fam = 4;
	else if (r->ethertype == ETH_IPV6)
		fam = 6;
	else if (r->ethertype != 0 && (l3 || has_ports(r) || r->icmp_type >= 0 || r->icmp_code >= 0))
		return dvs_err_set(err, EINVAL,
				   "%s: requires ethertype ipv4 or ipv6 (the rule has ethertype 0x%04x)",
				   r->has_src ? "src" : r->has_dst ? "dst" : r->proto >= 0 ? "protocol" :
				   has_ports(r) ? "src_port/dst_port" : "icmp_type/icmp_code",
				   r->ethertype);
	if (r->has_src && (ret = family_merge(&fam, r->src.family, "src", "the prefix", err)) < 0)
		return ret;
	if (r->has_dst && (ret = family_merge(&fam, r->dst.family, "dst", "the prefix", err)) < 0)
		return ret;
	if (r->proto > 255)
		return dvs_err_set(err, EINVAL, "protocol: %d out of range 0..255", r->proto);
	if (r->proto == PROTO_ICMP && (ret = family_merge(&fam, 4, "protocol", "icmp", err)) < 0)
		return ret;
	if (r->proto == PROTO_ICMPV6 && (ret = family_merge(&fam, 6, "protocol", "icmpv6", err)) < 0)
		return ret;
	if (r->sport_min > r->sport_max || r->dport_min > r->dport_max)
		return dvs_err_set(err, EINVAL, "%s: empty range %u-%u (the first port must not exceed "
				   "the last)", r->sport_min > r->sport_max ? "src_port" : "dst_port",
				   r->sport_min > r->sport_max ? r->sport_min : r->dport_min,
				   r->sport_min > r->sport_max ? r->sport_max : r->dport_max);
	if (has_ports(r) && r->proto != PROTO_TCP && r->proto != PROTO_UDP && r->proto != PROTO_SCTP) {
		const char *pn = proto_name(r->proto);
		char num[16];

		snprintf(num, sizeof(num), "%d", r->proto);
		return dvs_err_set(err, EINVAL, "%s: requires protocol tcp, udp or sctp (got %s)",
				   r->sport_min != 0 || r->sport_max != 65535 ? "src_port" : "dst_port",
				   r->proto < 0 ? "any" : pn ? pn : num);
	}
	if (r->icmp_type > 255 || r->icmp_code > 255)
		return dvs_err_set(err, EINVAL, "%s: %d out of range 0..255",
				   r->icmp_type > 255 ? "icmp_type" : "icmp_code",
				   r->icmp_type > 255 ? r->icmp_type : r->icmp_code);
	if ((r->icmp_type >= 0 || r->icmp_code >= 0) && r->proto != PROTO_ICMP &&
	    r->proto != PROTO_ICMPV6)
		return dvs_err_set(err, EINVAL, "%s: requires protocol icmp or icmpv6",
				   r->icmp_type >= 0 ? "icmp_type" : "icmp_code");
	if (r->icmp_code >= 0 && r->icmp_type < 0)
		return dvs_err_set(err, EINVAL, "icmp_code: requires icmp_type");
	r->family = fam;
	return 0;
}

/* JSON helpers: each names its field, so every message reads "field: what is wrong". */

static int
json_uint(const json_t *v, const char *field, long long max, long long *out, struct dvs_err *err)
{
	long long x;

	if (!json_is_integer(v))
		return dvs_err_set(err, EINVAL, "%s: expected an integer 0..%lld", field, max);
	x = json_integer_value(v);
	if (x < 0 || x > max)
		return dvs_err_set(err, EINVAL, "%s: %lld out of range 0..%lld", field, x, max);
	*out = x;
	return 0;
}

static int
parse_port_range(const json_t *v, const char *field, uint16_t *lo, uint16_t *hi,
		 struct dvs_err *err)
{
	unsigned long a, b;
	const char *s;
	long long x;
	char *end;
	int ret;

	if (json_is_integer(v)) {
		ret = json_uint(v, field, 65535, &x, err);
		if (ret == 0)
			*lo = *hi = (uint16_t)x;
		return ret;
	}
	if (!json_is_string(v))
		goto bad;
	s = json_string_value(v);
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			goto bad;
		b = strtoul(end + 1, &end, 10);
	}
	if (*end != '\0')
		goto bad;
	if (a > 65535 || b > 65535)
		return dvs_err_set(err, EINVAL, "%s: \"%s\" out of range 0..65535", field, s);
	if (a > b)
		return dvs_err_set(err, EINVAL, "%s: empty range \"%s\" (the first port must not exceed "
				   "the last)", field, s);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
bad:
	return dvs_err_set(err, EINVAL, "%s: expected a port 0..65535 or a range \"first-last\"",
			   field);
}

static int
parse_ethertype(const json_t *v, uint16_t *out, struct dvs_err *err)
{
	const char *s;
	unsigned long x;
	long long n;
	char *end;

	if (json_is_integer(v)) {
		if (json_uint(v, "ethertype", 65535, &n, err) < 0)
			return -EINVAL;
		x = (unsigned long)n;
		goto check;
	}
	if (!json_is_string(v))
		goto bad;
	s = json_string_value(v);
	for (unsigned i = 0; i < DVS_ARRAY_SIZE(ethertype_names); i++)
		if (strcmp(s, ethertype_names[i].name) == 0) {
			*out = ethertype_names[i].type;
			return 0;
		}
	if (strncmp(s, "0x", 2) != 0 || !isxdigit((unsigned char)s[2]))
		goto bad;
	x = strtoul(s + 2, &end, 16);
	if (*end != '\0' || x > 0xffff)
		goto bad;
check:
	/* Below 0x0600 the field is an 802.3 length, not a type. */
	if (x < 0x0600)
		return dvs_err_set(err, EINVAL, "ethertype: 0x%04lx is a length, not a type (allowed: "
				   "0x0600..0xffff)", x);
	*out = (uint16_t)x;
	return 0;
bad:
	return dvs_err_set(err, EINVAL, "ethertype: expected ipv4, ipv6, arp, rarp, lldp or a number "
			   "0x0600..0xffff");
}

static int
parse_proto(const json_t *v, int16_t *out, struct dvs_err *err)
{
	long long n;

	if (json_is_integer(v)) {
		if (json_uint(v, "protocol", 255, &n, err) < 0)
			return -EINVAL;
		*out = (int16_t)n;
		return 0;
	}
	if (json_is_string(v))
		for (unsigned i = 0; i < DVS_ARRAY_SIZE(proto_names); i++)
			if (strcmp(json_string_value(v), proto_names[i].name) == 0) {
				*out = proto_names[i].proto;
				return 0;
			}
	return dvs_err_set(err, EINVAL, "protocol: expected tcp, udp, icmp, icmpv6, sctp, gre, esp, "
			   "ah, vrrp or a number 0..255");
}

static int
parse_prefix_field(const json_t *v, const char *field, struct acl_prefix *p, bool *has,
		   struct dvs_err *err)
{
	int ret;

	if (!json_is_string(v))
		return dvs_err_set(err, EINVAL, "%s: expected a prefix string such as \"10.0.0.0/8\"",
				   field);
	ret = acl_prefix_parse(json_string_value(v), p, err);
	if (ret < 0)
		dvs_err_prefix(err, "%s", field);
	else
		*has = true;
	return ret;
}

int
acl_rule_from_json(const json_t *j, struct acl_rule *r, struct dvs_err *err)
{
	json_t *id = NULL, *prio = NULL, *dir = NULL, *action = NULL, *stateful = NULL;
	json_t *eth = NULL, *src = NULL, *dst = NULL, *proto = NULL, *sport = NULL, *dport = NULL;
	json_t *itype = NULL, *icode = NULL;
	json_error_t jerr;
	long long x;
	int ret = -EINVAL;

	acl_rule_init(r);
	if (!json_is_object(j)) {
		dvs_err_set(err, EINVAL, "a rule must be a JSON object");
		goto out;
	}
	if (json_unpack_ex((json_t *)j, &jerr, 0,
			   "{s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o !}",
			   "id", &id, "priority", &prio, "direction", &dir, "action", &action,
			   "stateful", &stateful, "ethertype", &eth, "src", &src, "dst", &dst,
			   "protocol", &proto, "src_port", &sport, "dst_port", &dport, "icmp_type",
			   &itype, "icmp_code", &icode) < 0) {
		dvs_err_set(err, EINVAL, "%s (allowed keys: id, priority, direction, action, stateful, "
			    "ethertype, src, dst, protocol, src_port, dst_port, icmp_type, icmp_code)",
			    jerr.text);
		goto out;
	}
	if (id) {
		if (json_uint(id, "id", UINT32_MAX, &x, err) < 0)
			goto out;
		r->id = (uint32_t)x;
	}
	if (prio) {
		if (json_uint(prio, "priority", ACL_PRIORITY_MAX, &x, err) < 0)
			goto out;
		r->priority = (uint16_t)x;
	}
	if (!dir || !json_is_string(dir)) {
		dvs_err_set(err, EINVAL, "direction: required, one of from-port, to-port");
		goto out;
	}
	if (strcmp(json_string_value(dir), "from-port") == 0)
		r->dir = ACL_DIR_FROM_PORT;
	else if (strcmp(json_string_value(dir), "to-port") == 0)
		r->dir = ACL_DIR_TO_PORT;
	else {
		dvs_err_set(err, EINVAL, "direction: \"%s\" invalid (allowed: from-port, to-port)",
			    json_string_value(dir));
		goto out;
	}
	if (!action || !json_is_string(action)) {
		dvs_err_set(err, EINVAL, "action: required, one of allow, drop, reject");
		goto out;
	}
	if (acl_action_parse(json_string_value(action), &r->action, err) < 0) {
		dvs_err_prefix(err, "action");
		goto out;
	}
	if (stateful) {
		if (!json_is_boolean(stateful)) {
			dvs_err_set(err, EINVAL, "stateful: expected true or false");
			goto out;
		}
		r->stateful = json_is_true(stateful);
	}
	if (eth && parse_ethertype(eth, &r->ethertype, err) < 0)
		goto out;
	if (src && parse_prefix_field(src, "src", &r->src, &r->has_src, err) < 0)
		goto out;
	if (dst && parse_prefix_field(dst, "dst", &r->dst, &r->has_dst, err) < 0)
		goto out;
	if (proto && parse_proto(proto, &r->proto, err) < 0)
		goto out;
	if (sport && parse_port_range(sport, "src_port", &r->sport_min, &r->sport_max, err) < 0)
		goto out;
	if (dport && parse_port_range(dport, "dst_port", &r->dport_min, &r->dport_max, err) < 0)
		goto out;
	if (itype) {
		if (json_uint(itype, "icmp_type", 255, &x, err) < 0)
			goto out;
		r->icmp_type = (int16_t)x;
	}
	if (icode) {
		if (json_uint(icode, "icmp_code", 255, &x, err) < 0)
			goto out;
		r->icmp_code = (int16_t)x;
	}
	ret = acl_rule_validate(r, err);
out:
	return ret;
}

static json_t *
port_range_json(uint16_t lo, uint16_t hi)
{
	char buf[16];

	if (lo == hi)
		return json_integer(lo);
	snprintf(buf, sizeof(buf), "%u-%u", lo, hi);
	return json_string(buf);
}

json_t *
acl_rule_to_json(const struct acl_rule *r)
{
	json_t *j = json_object();
	char buf[64];

	if (!j)
		return NULL;
	json_object_set_new(j, "id", json_integer(r->id));
	json_object_set_new(j, "priority", json_integer(r->priority));
	json_object_set_new(j, "direction", json_string(acl_dir_name(r->dir)));
	json_object_set_new(j, "action", json_string(acl_action_name(r->action)));
	if (r->stateful)
		json_object_set_new(j, "stateful", json_true());
	if (r->ethertype) {
		snprintf(buf, sizeof(buf), "0x%04x", r->ethertype);
		json_object_set_new(j, "ethertype", json_string(buf));
	}
	if (r->has_src)
		json_object_set_new(j, "src", json_string(acl_prefix_format(&r->src, buf, sizeof(buf))));
	if (r->has_dst)
		json_object_set_new(j, "dst", json_string(acl_prefix_format(&r->dst, buf, sizeof(buf))));
	if (r->proto >= 0) {
		const char *pn = proto_name(r->proto);

		json_object_set_new(j, "protocol", pn ? json_string(pn) : json_integer(r->proto));
	}
	if (r->sport_min != 0 || r->sport_max != 65535)
		json_object_set_new(j, "src_port", port_range_json(r->sport_min, r->sport_max));
	if (r->dport_min != 0 || r->dport_max != 65535)
		json_object_set_new(j, "dst_port", port_range_json(r->dport_min, r->dport_max));
	if (r->icmp_type >= 0)
		json_object_set_new(j, "icmp_type", json_integer(r->icmp_type));
	if (r->icmp_code >= 0)
		json_object_set_new(j, "icmp_code", json_integer(r->icmp_code));
	return j;
}

int
acl_ruleset_from_json(const json_t *j, struct acl_ruleset *rs, struct dvs_err *err)
{
	struct acl_rule *rules = NULL;
	const char *def = "allow";
	json_t *arr = NULL, *v;
	json_error_t jerr;
	uint8_t action = ACL_ACTION_ALLOW;
	size_t i, n;
	int ret = -EINVAL;

	if (json_unpack_ex((json_t *)j, &jerr, 0, "{s?s, s?o !}", "default_action", &def, "rules",
			   &arr) < 0) {
		dvs_err_set(err, EINVAL, "acl: %s (allowed keys: default_action, rules)", jerr.text);
		goto out;
	}
	if (acl_action_parse(def, &action, err) < 0) {
		dvs_err_prefix(err, "default_action");
		goto out;
	}
	if (arr && !json_is_array(arr)) {
		dvs_err_set(err, EINVAL, "rules: expected an array of rule objects");
		goto out;
	}
	n = arr ? json_array_size(arr) : 0;
	if (n > ACL_RULES_MAX) {
		dvs_err_set(err, EINVAL, "rules: %zu rules, at most %u allowed", n, ACL_RULES_MAX);
		goto out;
	}
	rules = calloc(n ? n : 1, sizeof(*rules));
	if (!rules) {
		ret = dvs_err_set(err, ENOMEM, "rules: out of memory");
		goto out;
	}
	json_array_foreach(arr, i, v) {
		ret = acl_rule_from_json(v, &rules[i], err);
		if (ret < 0) {
			dvs_err_prefix(err, "rules[%zu]", i);
			goto out;
		}
	}
	rs->default_action = action;
	rs->n_rules = (uint32_t)n;
	rs->rules = rules;
	rules = NULL;
	ret = 0;
out:
	free(rules);
	return ret;
}

void
acl_ruleset_free(struct acl_ruleset *rs)
{
	if (!rs)
		return;
	free(rs->rules);
	rs->rules = NULL;
	rs->n_rules = 0;
}
