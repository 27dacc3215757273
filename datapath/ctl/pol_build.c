/* SPDX-License-Identifier: Apache-2.0 */
/* Builds a port's fast-path policy (dp/pol.h) from its spec (policy_conf.h): compiles the ACL
 * into rte_acl, creates the conntrack table, policer, shaper and storm buckets.  When a spec
 * changes, the parts whose configuration did not change are carried into the new policy (a
 * changed ACL keeps its connections, counters and buckets), and the old object is freed after
 * the tables that used it are gone (RCU). */
#define DVS_LOG_MODULE "dvs.policy"
#include "datapath/switchd.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "datapath/dp/pol.h"
#include "lib/log.h"

static bool
jbool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static int
build_security(struct dp_port_policy *pol, const struct dvs_port_conf *pc)
{
	const json_t *sec = pc->policy.security;
	const json_t *ips = json_object_get(sec, "ips");
	size_t i;
	const json_t *a;

	pol->security = 1;
	pol->allow_forged = jbool(sec, "allow_forged_transmits");
	pol->allow_mac_changes = jbool(sec, "allow_mac_changes");
	pol->allow_promisc = jbool(sec, "allow_promiscuous");
	pol->ip_mac_binding = jbool(sec, "ip_mac_binding");
	pol->allow_dhcp_server = jbool(sec, "allow_dhcp_server");
	pol->has_mac = pc->has_mac;
	memcpy(pol->mac, pc->mac, 6);
	json_array_foreach(ips, i, a) {
		const char *s = json_string_value(a);
		if (inet_pton(AF_INET, s, &pol->ip4[pol->n_ip4]) == 1 && pol->n_ip4 < DP_POL_MAX_IPS)
			pol->n_ip4++;
		else if (inet_pton(AF_INET6, s, pol->ip6[pol->n_ip6]) == 1 && pol->n_ip6 < DP_POL_MAX_IPS)
			pol->n_ip6++;
	}
	return 0;
}

/* Frees the parts of 'pol' that 'keep' does not share.  Accepts NULL. */
static void
pol_free(struct dp_port_policy *pol, const struct dp_port_policy *keep)
{
	struct rte_mbuf *pkts[64];

	if (!pol)
		return;
	if (pol->acl && (!keep || keep->acl != pol->acl))
		acl_destroy(pol->acl);
	if (pol->ct && (!keep || keep->ct != pol->ct))
		conntrack_destroy(pol->ct);
	if (pol->policer && (!keep || keep->policer != pol->policer))
		rte_free(pol->policer);
	if (pol->storm && (!keep || keep->storm != pol->storm))
		rte_free(pol->storm);
	if (pol->shaper && (!keep || keep->shaper != pol->shaper)) {
		unsigned n;
		while ((n = shaper_flush(pol->shaper, pkts, 64)))
			rte_pktmbuf_free_bulk(pkts, n);
		shaper_destroy(pol->shaper);
	}
	rte_free(pol);
}

void
sw_pol_free(struct dp_port_policy *pol)
{
	pol_free(pol, NULL);
}

/* Builds the policy for 'pc', carrying over from 'old' (may be NULL, built from 'old_spec')
 * what did not change.  Returns the policy (NULL for an empty spec) or NULL with 'err' set. */
static struct dp_port_policy *
pol_build(struct switchd *sw, const struct dvs_port_conf *pc, struct dp_port_policy *old,
	  const struct dvs_policy_spec *old_spec, struct dvs_err *err)
{
	const struct dvs_policy_spec *sp = &pc->policy;
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	struct dp_port_policy *pol;

	if (dvs_policy_empty(sp))
		return NULL;
	pol = rte_zmalloc("dvs_pol", sizeof(*pol), RTE_CACHE_LINE_SIZE);
	if (!pol) {
		dvs_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	if (sp->security)
		build_security(pol, pc);
	if (sp->acl) {
		if (old && old->acl && old_spec->acl == sp->acl) {
			pol->acl = old->acl;
		} else {
			struct acl_ruleset rs;
			if (acl_ruleset_from_json(sp->acl, &rs, err) < 0)
				goto fail;
			pol->acl = acl_create(&rs, sw->dp.n_workers, SOCKET_ID_ANY, err);
			acl_ruleset_free(&rs);
			if (!pol->acl)
				goto fail;
			if (old && old->acl)
				acl_hits_carry(pol->acl, old->acl);
		}
		/* A connection table only for a port with stateful rules: without one, every
		 * frame would pay a lookup (a cache miss) in an always-empty table, twice. */
		if (!acl_has_stateful(pol->acl)) {
			pol->ct = NULL;
		} else if (old && old->ct) {
			pol->ct = old->ct;
		} else {
			struct conntrack_conf cc;
			conntrack_conf_defaults(&cc);
			if (!(pol->ct = conntrack_create(&cc, hz, err)))
				goto fail;
		}
	}
	if (sp->storm) {
		if (old && old->storm && old_spec->storm == sp->storm) {
			pol->storm = old->storm;
		} else {
			struct storm_conf sc;
			pol->storm = rte_zmalloc("dvs_storm", sizeof(*pol->storm), RTE_CACHE_LINE_SIZE);
			if (!pol->storm || storm_conf_from_json(sp->storm, &sc, err) < 0 ||
			    storm_init(pol->storm, &sc, hz, now, err) < 0)
				goto fail;
		}
	}
	if (sp->shaping) {
		const json_t *in = json_object_get(sp->shaping, "ingress");
		const json_t *eg = json_object_get(sp->shaping, "egress");
		const json_t *oin = old_spec && old_spec->shaping ? json_object_get(old_spec->shaping, "ingress") : NULL;
		const json_t *oeg = old_spec && old_spec->shaping ? json_object_get(old_spec->shaping, "egress") : NULL;
		struct tbucket_conf tc;
		if (in && old && old->policer && oin && json_equal(in, oin)) {
			pol->policer = old->policer;
		} else if (in) {
			pol->policer = rte_zmalloc("dvs_policer", sizeof(*pol->policer), RTE_CACHE_LINE_SIZE);
			if (!pol->policer || tbucket_conf_from_json(in, &tc, err) < 0 ||
			    tbucket_policer_init(pol->policer, &tc, hz, now, err) < 0)
				goto fail;
		}
		if (eg && old && old->shaper && oeg && json_equal(eg, oeg) &&
		    json_equal(json_object_get(sp->shaping, "egress_queue"),
			       json_object_get(old_spec->shaping, "egress_queue"))) {
			pol->shaper = old->shaper;
		} else if (eg) {
			const json_t *dq = json_object_get(sp->shaping, "egress_queue");
			uint32_t depth = dq ? (uint32_t)json_integer_value(dq) : 1024;
			if (tbucket_conf_from_json(eg, &tc, err) < 0 ||
			    !(pol->shaper = shaper_create(&tc, depth, hz, now, err)))
				goto fail;
		}
	}
	dp_pol_finish(pol);
	return pol;
fail:
	dvs_err_prefix(err, "port \"%s\": policy", pc->name);
	pol_free(pol, old);
	return NULL;
}

int
sw_pol_update(struct switchd *sw, struct sw_port *p, struct dp_port_policy **retired,
	      struct dvs_err *err)
{
	struct dp_port_policy *pol;

	*retired = NULL;
	if (!memcmp(&p->pol_spec, &p->conf.policy, sizeof(p->pol_spec)) &&
	    (!p->pol || !p->conf.policy.security ||
	     (p->pol->has_mac == p->conf.has_mac && !memcmp(p->pol->mac, p->conf.mac, 6))))
		return 0;
	pol = pol_build(sw, &p->conf, p->pol, &p->pol_spec, err);
	if (!pol && !dvs_policy_empty(&p->conf.policy))
		return -EINVAL;
	*retired = p->pol;
	p->pol = pol;
	p->pol_spec = p->conf.policy;
	return 1;
}

void
sw_pol_retire(struct dp_port_policy *old, const struct dp_port_policy *now)
{
	pol_free(old, now);
}
