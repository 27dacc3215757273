/* SPDX-License-Identifier: Apache-2.0 */
/* ACL: rule validation errors, every match field matching and not matching through the
 * compiled rte_acl contexts, priorities, default action, hit counters, and 10k rules checked
 * against a straightforward linear matcher. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <rte_cpuflags.h>
#include <rte_memory.h>

#include "datapath/dp/policy/acl.h"
#include "acl_json.h"
#include "pkt.h"

static struct acl_result
classify1(const struct acl *acl, enum acl_dir dir, const struct pkt *p)
{
	const struct dp_meta *m = &p->m;
	struct acl_result r;

	assert_int_equal(acl_classify(acl, dir, 0, &m, 1, &r), 1);
	return r;
}

static void
expect_error(const char *rule_json, const char *msg)
{
	json_error_t jerr;
	json_auto_t *j = json_loads(rule_json, 0, &jerr);
	struct dvs_err e = {0};
	struct acl_rule r;

	assert_non_null(j);
	assert_int_equal(acl_rule_from_json(j, &r, &e), -EINVAL);
	if (!strstr(e.msg, msg))
		fail_msg("rule %s: error \"%s\" does not contain \"%s\"", rule_json, e.msg, msg);
}

static void
test_acl_rule_validation_errors(void **state)
{
	static const char *const cases[][2] = {
		{"{\"action\":\"allow\"}", "direction: required, one of from-port, to-port"},
		{"{\"direction\":\"in\",\"action\":\"allow\"}",
		 "direction: \"in\" invalid (allowed: from-port, to-port)"},
		{"{\"direction\":\"to-port\",\"action\":\"permit\"}",
		 "action: \"permit\" is not an action (allowed: allow, drop, reject)"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"priority\":70000}",
		 "priority: 70000 out of range 0..65535"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"colour\":1}", "colour"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"dst_port\":80}",
		 "dst_port: requires protocol tcp, udp or sctp (got any)"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"protocol\":\"icmp\",\"src_port\":\"1-2\"}",
		 "src_port: requires protocol tcp, udp or sctp (got icmp)"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"protocol\":\"tcp\",\"dst_port\":70000}",
		 "dst_port: 70000 out of range 0..65535"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"protocol\":\"tcp\",\"dst_port\":\"90-80\"}",
		 "dst_port: empty range \"90-80\""},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"protocol\":\"tcp\",\"dst_port\":\"http\"}",
		 "dst_port: expected a port 0..65535 or a range \"first-last\""},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"src\":\"10.0.0.1/8\"}",
		 "src: \"10.0.0.1/8\": address has bits set beyond the /8 prefix length"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"dst\":\"10.0.0.0/33\"}",
		 "dst: \"10.0.0.0/33\": prefix length out of range 0..32"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"dst\":\"web-servers\"}",
		 "dst: \"web-servers\" is not an IPv4 or IPv6 prefix"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"src\":\"10.0.0.0/8\",\"dst\":\"2001:db8::/32\"}",
		 "dst: the prefix is IPv6 but the rule is IPv4"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"ethertype\":\"ipv6\",\"src\":\"10.0.0.0/8\"}",
		 "src: the prefix is IPv4 but the rule is IPv6"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"ethertype\":\"arp\",\"dst\":\"10.0.0.0/8\"}",
		 "dst: requires ethertype ipv4 or ipv6 (the rule has ethertype 0x0806)"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"ethertype\":\"0x0100\"}",
		 "ethertype: 0x0100 is a length, not a type"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"protocol\":\"ipx\"}",
		 "protocol: expected tcp, udp, icmp"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"protocol\":300}",
		 "protocol: 300 out of range 0..255"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"protocol\":\"icmp\",\"src\":\"2001:db8::/32\"}",
		 "protocol: icmp is IPv4 but the rule is IPv6"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"icmp_type\":8}",
		 "icmp_type: requires protocol icmp or icmpv6"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"protocol\":\"icmp\",\"icmp_code\":3}",
		 "icmp_code: requires icmp_type"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"protocol\":\"icmp\",\"icmp_type\":256}",
		 "icmp_type: 256 out of range 0..255"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"stateful\":true}",
		 "stateful: only allowed with action allow (got drop)"},
		{"{\"direction\":\"to-port\",\"action\":\"drop\",\"stateful\":\"yes\"}",
		 "stateful: expected true or false"},
	};
	json_auto_t *rs_json = NULL;
	struct acl_ruleset rs = {0};
	struct dvs_err e = {0};

	for (size_t i = 0; i < DVS_ARRAY_SIZE(cases); i++)
		expect_error(cases[i][0], cases[i][1]);

	/* A rule set names the rule at fault. */
	rs_json = json_loads("{\"default_action\":\"drop\",\"rules\":[{\"direction\":\"to-port\","
			     "\"action\":\"allow\"},{\"direction\":\"to-port\",\"action\":\"allow\","
			     "\"protocol\":\"udp\",\"dst_port\":99999}]}", 0, NULL);
	assert_int_equal(acl_ruleset_from_json(rs_json, &rs, &e), -EINVAL);
	assert_string_equal(e.msg, "rules[1]: dst_port: 99999 out of range 0..65535");
	json_decref(rs_json);
	dvs_err_clear(&e);
	rs_json = json_loads("{\"default_action\":\"deny\"}", 0, NULL);
	assert_int_equal(acl_ruleset_from_json(rs_json, &rs, &e), -EINVAL);
	assert_string_equal(e.msg, "default_action: \"deny\" is not an action (allowed: allow, drop, "
				   "reject)");
}

static void
test_acl_rule_json_roundtrip(void **state)
{
	const char *in = "{\"id\":7,\"priority\":300,\"direction\":\"from-port\",\"action\":\"allow\","
			 "\"stateful\":true,\"src\":\"2001:db8::/32\",\"dst\":\"2001:db8:1::5/128\","
			 "\"protocol\":\"tcp\",\"src_port\":\"1024-65535\",\"dst_port\":443}";
	json_auto_t *j = json_loads(in, 0, NULL);
	json_auto_t *out = NULL;
	struct dvs_err e = {0};
	struct acl_rule r, r2;

	assert_int_equal(acl_rule_from_json(j, &r, &e), 0);
	assert_int_equal(r.family, 6);
	assert_int_equal(r.sport_min, 1024);
	assert_int_equal(r.dport_max, 443);
	out = acl_rule_to_json(&r);
	assert_int_equal(acl_rule_from_json(out, &r2, &e), 0);
	assert_memory_equal(&r, &r2, sizeof(r));
	assert_true(json_equal(j, out));
}

/* One rule "drop when <field>" with default allow: 'hit' must be dropped, 'miss' allowed. */
static void
check_field(const char *name, const char *rule, const struct pkt *hit, const struct pkt *miss)
{
	char json[512];
	struct acl *acl;
	struct acl_result r;

	snprintf(json, sizeof(json), "{\"default_action\":\"allow\",\"rules\":[%s]}", rule);
	acl = acl_json_n(json, 1);
	r = classify1(acl, ACL_DIR_TO_PORT, hit);
	if (r.action != ACL_ACTION_DROP || r.rule != 0)
		fail_msg("%s: matching frame not matched (rule %u action %u)", name, r.rule, r.action);
	r = classify1(acl, ACL_DIR_TO_PORT, miss);
	if (r.action != ACL_ACTION_ALLOW || r.rule != ACL_RULE_DEFAULT)
		fail_msg("%s: non-matching frame matched rule %u", name, r.rule);
	/* The other direction never matches. */
	r = classify1(acl, ACL_DIR_FROM_PORT, hit);
	if (r.rule != ACL_RULE_DEFAULT)
		fail_msg("%s: to-port rule matched a from-port frame", name);
	assert_int_equal(acl_hits(acl, 0, ACL_DIR_TO_PORT), 1);
	assert_int_equal(acl_hits(acl, ACL_RULE_DEFAULT, ACL_DIR_TO_PORT), 1);
	assert_int_equal(acl_hits(acl, ACL_RULE_DEFAULT, ACL_DIR_FROM_PORT), 1);
	acl_destroy(acl);
}

#define R(fields) "{\"direction\":\"to-port\",\"action\":\"drop\"," fields "}"

static void
test_acl_match_each_field(void **state)
{
	struct pkt a, b;

	pkt_l2(&a, RTE_ETHER_TYPE_ARP);
	pkt_l2(&b, 0x88cc);
	check_field("ethertype arp", R("\"ethertype\":\"arp\""), &a, &b);
	pkt_v4(&b, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2, 0, 0, 0, 0);
	check_field("ethertype arp vs ipv4", R("\"ethertype\":\"arp\""), &a, &b);
	pkt_v4(&a, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2, 0, 0, 0, 0);
	pkt_v6(&b, "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 1, 2, 0, 0, 0, 0);
	check_field("ethertype ipv4", R("\"ethertype\":\"ipv4\""), &a, &b);
	check_field("ethertype ipv6", R("\"ethertype\":\"ipv6\""), &b, &a);

	pkt_v4(&a, "192.168.7.200", "10.0.0.2", IPPROTO_TCP, 1000, 80, 0, 0, 0, 0);
	pkt_v4(&b, "192.168.8.1", "10.0.0.2", IPPROTO_TCP, 1000, 80, 0, 0, 0, 0);
	check_field("src v4 /23", R("\"src\":\"192.168.6.0/23\""), &a, &b);
	check_field("dst v4 /32", R("\"dst\":\"10.0.0.2\""), &a,
		    (pkt_v4(&b, "192.168.7.200", "10.0.0.3", IPPROTO_TCP, 1000, 80, 0, 0, 0, 0), &b));
	pkt_v4(&b, "0.0.0.0", "255.255.255.255", IPPROTO_TCP, 1000, 80, 0, 0, 0, 0);
	check_field("src v4 /0 matches IPv4 only", R("\"src\":\"0.0.0.0/0\""), &b,
		    (pkt_v6(&a, "::", "::", IPPROTO_TCP, 1000, 80, 0, 0, 0, 0), &a));

	pkt_v6(&a, "2001:db8:0:1:ffff::1", "fe80::2", IPPROTO_UDP, 5, 6, 0, 0, 0, 0);
	pkt_v6(&b, "2001:db8:0:2::1", "fe80::2", IPPROTO_UDP, 5, 6, 0, 0, 0, 0);
	check_field("src v6 /64", R("\"src\":\"2001:db8:0:1::/64\""), &a, &b);
	pkt_v6(&a, "::1", "2001:db8::aa:bb", IPPROTO_UDP, 5, 6, 0, 0, 0, 0);
	pkt_v6(&b, "::1", "2001:db8::aa:bc", IPPROTO_UDP, 5, 6, 0, 0, 0, 0);
	check_field("dst v6 /128 (last word)", R("\"dst\":\"2001:db8::aa:bb\""), &a, &b);
	pkt_v6(&b, "::1", "2001:db9::aa:bb", IPPROTO_UDP, 5, 6, 0, 0, 0, 0);
	check_field("dst v6 /127 (first word differs)", R("\"dst\":\"2001:db8::aa:ba/127\""), &a, &b);

	pkt_v4(&a, "1.1.1.1", "2.2.2.2", IPPROTO_UDP, 53, 53, 0, 0, 0, 0);
	pkt_v4(&b, "1.1.1.1", "2.2.2.2", IPPROTO_TCP, 53, 53, 0, 0, 0, 0);
	check_field("protocol udp", R("\"protocol\":\"udp\""), &a, &b);
	pkt_v6(&a, "::1", "::2", 47, 0, 0, 0, 0, 0, 0);
	pkt_v6(&b, "::1", "::2", 50, 0, 0, 0, 0, 0, 0);
	check_field("protocol 47 on IPv6", R("\"protocol\":47"), &a, &b);

	/* Port range edges: 1000 and 2000 match, 999 and 2001 do not. */
	pkt_v4(&a, "1.1.1.1", "2.2.2.2", IPPROTO_TCP, 1000, 9, 0, 0, 0, 0);
	pkt_v4(&b, "1.1.1.1", "2.2.2.2", IPPROTO_TCP, 999, 9, 0, 0, 0, 0);
	check_field("src_port low edge", R("\"protocol\":\"tcp\",\"src_port\":\"1000-2000\""), &a, &b);
	pkt_v4(&a, "1.1.1.1", "2.2.2.2", IPPROTO_TCP, 2000, 9, 0, 0, 0, 0);
	pkt_v4(&b, "1.1.1.1", "2.2.2.2", IPPROTO_TCP, 2001, 9, 0, 0, 0, 0);
	check_field("src_port high edge", R("\"protocol\":\"tcp\",\"src_port\":\"1000-2000\""), &a, &b);
	pkt_v6(&a, "::1", "::2", IPPROTO_UDP, 7, 65535, 0, 0, 0, 0);
	pkt_v6(&b, "::1", "::2", IPPROTO_UDP, 7, 65534, 0, 0, 0, 0);
	check_field("dst_port single, v6", R("\"protocol\":\"udp\",\"dst_port\":65535"), &a, &b);
	pkt_v4(&b, "1.1.1.1", "2.2.2.2", IPPROTO_TCP, 7, 65535, 0, 0, 0, 0);
	check_field("dst_port needs its protocol", R("\"protocol\":\"udp\",\"dst_port\":65535"), &a,
		    &b);

	pkt_v4(&a, "1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 8, 0, 0, 0, 0, 0);
	pkt_v4(&b, "1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 0, 0, 0, 0, 0, 0);
	check_field("icmp type", R("\"protocol\":\"icmp\",\"icmp_type\":8"), &a, &b);
	pkt_v4(&a, "1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 3, 13, 0, 0, 0, 0);
	pkt_v4(&b, "1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 3, 3, 0, 0, 0, 0);
	check_field("icmp code", R("\"protocol\":\"icmp\",\"icmp_type\":3,\"icmp_code\":13"), &a, &b);
	pkt_v6(&a, "::1", "::2", IPPROTO_ICMPV6, 128, 0, 0, 0, 0, 0);
	pkt_v6(&b, "::1", "::2", IPPROTO_ICMPV6, 129, 0, 0, 0, 0, 0);
	check_field("icmpv6 type", R("\"protocol\":\"icmpv6\",\"icmp_type\":128"), &a, &b);
}

static void
test_acl_priorities(void **state)
{
	/* Listed worst first: priority, not order, decides; equal priorities go to the first. */
	struct acl *acl = acl_json_n(
		"{\"default_action\":\"drop\",\"rules\":["
		"{\"id\":10,\"priority\":10,\"direction\":\"to-port\",\"action\":\"drop\",\"protocol\":\"tcp\"},"
		"{\"id\":20,\"priority\":200,\"direction\":\"to-port\",\"action\":\"allow\",\"protocol\":\"tcp\",\"dst_port\":22},"
		"{\"id\":30,\"priority\":100,\"direction\":\"to-port\",\"action\":\"reject\",\"src\":\"10.0.0.0/8\"},"
		"{\"id\":40,\"priority\":100,\"direction\":\"to-port\",\"action\":\"allow\",\"src\":\"10.1.0.0/16\"},"
		"{\"id\":50,\"priority\":0,\"direction\":\"to-port\",\"action\":\"allow\"}]}", 1);
	struct acl_result r;
	struct pkt p;

	pkt_v4(&p, "10.1.2.3", "1.1.1.1", IPPROTO_TCP, 5000, 22, 0, 0, 0, 0);
	r = classify1(acl, ACL_DIR_TO_PORT, &p);
	assert_int_equal(r.rule, 1);
	assert_int_equal(r.action, ACL_ACTION_ALLOW);
	pkt_v4(&p, "10.1.2.3", "1.1.1.1", IPPROTO_TCP, 5000, 23, 0, 0, 0, 0);
	r = classify1(acl, ACL_DIR_TO_PORT, &p);
	assert_int_equal(r.rule, 2); /* tie at 100 with rule 3: the earlier wins */
	assert_int_equal(r.action, ACL_ACTION_REJECT);
	pkt_v4(&p, "11.1.2.3", "1.1.1.1", IPPROTO_TCP, 5000, 23, 0, 0, 0, 0);
	assert_int_equal(classify1(acl, ACL_DIR_TO_PORT, &p).rule, 0);
	pkt_v4(&p, "11.1.2.3", "1.1.1.1", IPPROTO_UDP, 5000, 23, 0, 0, 0, 0);
	assert_int_equal(classify1(acl, ACL_DIR_TO_PORT, &p).rule, 4);
	/* The catch-all also matches non-IP frames. */
	pkt_l2(&p, RTE_ETHER_TYPE_ARP);
	assert_int_equal(classify1(acl, ACL_DIR_TO_PORT, &p).rule, 4);
	assert_int_equal(acl_rule_get(acl, 2)->id, 30);
	acl_destroy(acl);
}

/* The daemon classifies bursts: the contexts must get a vector method where the CPU has one
 * (EAL's default max SIMD bitwidth, as dvs-switchd starts it), and a burst on that method must
 * agree frame by frame with one-frame (scalar) calls.  acl_uncount takes a hit back. */
static void
test_acl_vector_method_and_uncount(void **state)
{
	struct acl *acl = acl_json_n("{\"default_action\":\"drop\",\"rules\":["
				  "{\"direction\":\"from-port\",\"action\":\"allow\","
				  "\"protocol\":\"udp\",\"dst_port\":5001},"
				  "{\"direction\":\"from-port\",\"action\":\"reject\","
				  "\"protocol\":\"tcp\",\"src\":\"10.0.0.0/24\"}]}", 1);
	const struct dp_meta *ms[32];
	struct acl_result res[32], one;
	struct pkt p[32];
	unsigned i;

#if defined(RTE_ARCH_X86)
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_SSE4_1))
		assert_string_not_equal(acl_classify_alg(acl), "scalar");
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2))
		assert_string_not_equal(acl_classify_alg(acl), "sse");
#endif
	print_message("  classify method: %s\n", acl_classify_alg(acl));
	for (i = 0; i < 32; i++) {
		char src[16];

		snprintf(src, sizeof(src), "10.0.%u.%u", i % 2, i);
		pkt_v4(&p[i], src, "10.1.0.1", i % 3 ? IPPROTO_UDP : IPPROTO_TCP, 1000,
		       i % 4 ? 5001 : 5002, 0x02, 0, 0, 0);
		ms[i] = &p[i].m;
	}
	assert_int_equal(acl_classify(acl, ACL_DIR_FROM_PORT, 0, ms, 32, res), 32);
	for (i = 0; i < 32; i++) {
		assert_int_equal(acl_classify(acl, ACL_DIR_FROM_PORT, 0, &ms[i], 1, &one), 1);
		assert_int_equal(one.rule, res[i].rule);
		assert_int_equal(one.action, res[i].action);
	}
	uint64_t h0 = acl_hits(acl, 0, ACL_DIR_FROM_PORT);
	assert_true(h0 > 0);
	for (i = 0; i < 32; i++)
		if (res[i].rule == 0) {
			acl_uncount(acl, ACL_DIR_FROM_PORT, 0, &res[i]);
			break;
		}
	assert_int_equal(acl_hits(acl, 0, ACL_DIR_FROM_PORT), h0 - 1);
	acl_destroy(acl);
}

static void
test_acl_default_action(void **state)
{
	struct acl *acl = acl_json_n("{\"default_action\":\"reject\",\"rules\":["
				  "{\"direction\":\"from-port\",\"action\":\"allow\",\"stateful\":true,"
				  "\"protocol\":\"tcp\",\"dst_port\":80}]}", 2);
	const struct dp_meta *ms[40];
	struct acl_result res[40];
	struct pkt p[40];
	unsigned i;

	/* A burst mixing IPv4, IPv6 and ARP, classified by two workers. */
	for (i = 0; i < 40; i++) {
		if (i % 3 == 0)
			pkt_v4(&p[i], "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 999, i % 2 ? 80 : 81, 0x02, 0, 0, 0);
		else if (i % 3 == 1)
			pkt_v6(&p[i], "::1", "::2", IPPROTO_TCP, 999, i % 2 ? 80 : 81, 0x02, 0, 0, 0);
		else
			pkt_l2(&p[i], RTE_ETHER_TYPE_ARP);
		ms[i] = &p[i].m;
	}
	assert_int_equal(acl_classify(acl, ACL_DIR_FROM_PORT, 0, ms, 20, res), 20);
	assert_int_equal(acl_classify(acl, ACL_DIR_FROM_PORT, 1, ms + 20, 20, res + 20), 20);
	unsigned allowed = 0;
	for (i = 0; i < 40; i++) {
		bool want = i % 3 != 2 && i % 2;

		assert_int_equal(res[i].action, want ? ACL_ACTION_ALLOW : ACL_ACTION_REJECT);
		assert_int_equal(res[i].rule, want ? 0 : ACL_RULE_DEFAULT);
		assert_int_equal(res[i].stateful, want);
		allowed += want;
	}
	assert_int_equal(acl_hits(acl, 0, ACL_DIR_FROM_PORT), allowed);
	assert_int_equal(acl_hits(acl, ACL_RULE_DEFAULT, ACL_DIR_FROM_PORT), 40 - allowed);
	assert_int_equal(acl_default_action(acl), ACL_ACTION_REJECT);

	/* An empty rule set still classifies: everything takes the default. */
	struct acl *empty = acl_json_n("{\"default_action\":\"allow\"}", 1);
	assert_int_equal(classify1(empty, ACL_DIR_TO_PORT, &p[0]).action, ACL_ACTION_ALLOW);
	/* Counters carry over to a rebuild, by rule id. */
	acl_hits_carry(empty, acl);
	assert_int_equal(acl_hits(empty, ACL_RULE_DEFAULT, ACL_DIR_FROM_PORT), 40 - allowed);
	acl_destroy(empty);
	acl_destroy(acl);
}

/* Reference semantics, written independently of acl.c: the best matching rule by scan. */
static bool
ref_match(const struct acl_rule *r, enum acl_dir dir, const struct dp_meta *m)
{
	bool v4 = m->l3 == DP_L3_IPV4, v6 = m->l3 == DP_L3_IPV6;
	const uint8_t *src = v4 ? (const uint8_t *)&m->ip.v4.src_be : m->ip.v6.src;
	const uint8_t *dst = v4 ? (const uint8_t *)&m->ip.v4.dst_be : m->ip.v6.dst;

	if (r->dir != dir)
		return false;
	if (r->ethertype && r->ethertype != m->ethertype)
		return false;
	if ((r->has_src || r->has_dst || r->proto >= 0) && !v4 && !v6)
		return false;
	for (int k = 0; k < 2; k++) {
		const struct acl_prefix *pf = k ? &r->dst : &r->src;
		const uint8_t *a = k ? dst : src;

		if (!(k ? r->has_dst : r->has_src))
			continue;
		if ((pf->family == 4) != v4)
			return false;
		for (unsigned bit = 0; bit < pf->len; bit++)
			if (((pf->addr[bit / 8] ^ a[bit / 8]) >> (7 - bit % 8)) & 1)
				return false;
	}
	if (r->proto >= 0 && r->proto != m->ip_proto)
		return false;
	if (m->sport < r->sport_min || m->sport > r->sport_max)
		return false;
	if (m->dport < r->dport_min || m->dport > r->dport_max)
		return false;
	return true;
}

static uint32_t
ref_classify(const struct acl_ruleset *rs, enum acl_dir dir, const struct dp_meta *m)
{
	uint32_t best = ACL_RULE_DEFAULT;

	for (uint32_t i = 0; i < rs->n_rules; i++)
		if (ref_match(&rs->rules[i], dir, m) &&
		    (best == ACL_RULE_DEFAULT || rs->rules[i].priority > rs->rules[best].priority))
			best = i;
	return best;
}

static void
random_rule(struct acl_rule *r, unsigned i)
{
	acl_rule_init(r);
	r->id = i;
	r->priority = (uint16_t)(rand() % 1000);
	r->dir = rand() % 4 == 0 ? ACL_DIR_FROM_PORT : ACL_DIR_TO_PORT;
	r->action = (uint8_t)(rand() % 3);
	r->has_src = true;
	r->src.family = 4;
	r->src.len = (uint8_t)(16 + rand() % 17);
	uint32_t a = htonl((10u << 24) | ((uint32_t)rand() & 0x00ffffff));
	memcpy(r->src.addr, &a, 4);
	for (int b = r->src.len; b < 32; b++)
		r->src.addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	if (rand() % 2) {
		r->proto = rand() % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		r->dport_min = (uint16_t)(rand() % 2000);
		r->dport_max = (uint16_t)(r->dport_min + rand() % 100);
	}
}

static void
test_acl_10k_rules_compile(void **state)
{
	enum { N = 10000, PKTS = 4096 };
	struct acl_ruleset rs = {.default_action = ACL_ACTION_DROP, .n_rules = N};
	const struct dp_meta *ms[PKTS];
	struct acl_result *res = calloc(PKTS, sizeof(*res));
	struct pkt *p = calloc(PKTS, sizeof(*p));
	struct dvs_err e = {0};
	struct timespec t0, t1;
	unsigned i, matched = 0;
	struct acl *acl;

	srand(42);
	rs.rules = calloc(N, sizeof(*rs.rules));
	for (i = 0; i < N; i++) {
		random_rule(&rs.rules[i], i);
		assert_int_equal(acl_rule_validate(&rs.rules[i], &e), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	acl = acl_create(&rs, 1, SOCKET_ID_ANY, &e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!acl)
		fail_msg("10k rules: %s", e.msg);
	print_message("  10k rules compiled in %.2f s\n",
		      (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	/* Packets aimed at rules (source inside a rule's prefix) plus random ones. */
	for (i = 0; i < PKTS; i++) {
		const struct acl_rule *r = &rs.rules[rand() % N];
		uint32_t src;
		char s[16];

		memcpy(&src, r->src.addr, 4);
		src = ntohl(src) | (rand() % 2 ? 0 : ((uint32_t)rand() & 0xff));
		snprintf(s, sizeof(s), "%u.%u.%u.%u", src >> 24, (src >> 16) & 255, (src >> 8) & 255,
			 src & 255);
		pkt_v4(&p[i], s, "192.0.2.1", rand() % 2 ? IPPROTO_TCP : IPPROTO_UDP, 40000,
		       (uint16_t)(rand() % 2100), 0, 0, 0, 0);
		ms[i] = &p[i].m;
	}
	acl_classify(acl, ACL_DIR_TO_PORT, 0, ms, PKTS, res);
	for (i = 0; i < PKTS; i++) {
		uint32_t want = ref_classify(&rs, ACL_DIR_TO_PORT, ms[i]);

		if (res[i].rule != want)
			fail_msg("packet %u: rte_acl says rule %u, reference says %u", i, res[i].rule, want);
		matched += want != ACL_RULE_DEFAULT;
	}
	print_message("  %u of %u packets matched a rule; all agree with the reference\n", matched,
		      PKTS);
	assert_true(matched > PKTS / 4);
	acl_destroy(acl);
	free(rs.rules);
	free(p);
	free(res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_rule_validation_errors),
		cmocka_unit_test(test_acl_rule_json_roundtrip),
		cmocka_unit_test(test_acl_match_each_field),
		cmocka_unit_test(test_acl_priorities),
		cmocka_unit_test(test_acl_default_action),
		cmocka_unit_test(test_acl_vector_method_and_uncount),
		cmocka_unit_test(test_acl_10k_rules_compile),
	};

	return cmocka_run_group_tests(tests, pkt_eal_group_setup, pkt_eal_group_teardown);
}
