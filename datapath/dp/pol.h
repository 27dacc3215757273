/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The policy stages of the pipeline, per port: security checks (forged transmits, IP-MAC
 * binding, DHCP server guard, MAC changes), storm control, the ingress policer, the ACL with
 * connection tracking (from-port on ingress, to-port on egress), and the egress shaper.
 * A port without policy has pol == NULL and pays one branch.
 *
 * 'struct dp_port_policy' is built by the control thread (ctl/pol_build.c) and published with
 * the tables.  The ACL and the addresses are immutable.  The conntrack table, policer, storm
 * buckets and shaper are mutable and have one owner, the poll lcore of the port's rx queues
 * (publish.c puts every queue of a port with policy on one lcore); egress stages of a port run
 * under that port's tx lock when more than one lcore forwards (see fwd.c). */

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"
#include "policy/acl.h"
#include "policy/conntrack.h"
#include "policy/shaper.h"
#include "policy/storm.h"
#include "policy/tbucket.h"

#define DP_POL_MAX_IPS 16

struct dp_port_policy {
	/* immutable once published */
	struct acl *acl;
	uint8_t security;       /* security checks on */
	uint8_t allow_forged;   /* forged transmits */
	uint8_t allow_mac_changes;
	uint8_t allow_promisc;
	uint8_t ip_mac_binding;
	uint8_t allow_dhcp_server;
	uint8_t has_mac;
	uint8_t mac[6];
	uint8_t n_ip4, n_ip6;
	uint32_t ip4[DP_POL_MAX_IPS]; /* network order */
	uint8_t ip6[DP_POL_MAX_IPS][16];
	/* Nothing at egress can stop a frame: no MAC-change check, no connection table, and an
	 * ACL (if any) without to-port rules whose default allows.  Frames to the port then skip
	 * the egress queue; only the ACL's default hit is counted.  Set by dp_pol_finish(). */
	uint8_t egress_pass;
	/* mutable, single owner (see above) */
	struct conntrack *ct;
	struct tbucket_policer *policer;
	struct shaper *shaper;
	struct storm *storm;
};

/* Ingress stages for 'n' frames port 'in' sent, in order: per frame the security checks, storm
 * control ('dst_known[i]': the FDB knows frame i's destination) and the policer, then the
 * from-port ACL with connection tracking for the frames that passed them, in one classify.
 * Verdicts and conntrack state are those of running the frames one at a time.  'why[i]' gets 0
 * to go on, or the drop reason (the caller frees and counts).  A rejected frame's reply is
 * queued to port 'in' here.  n <= DP_BURST. */
void dp_pol_ingress_burst(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in,
			  const struct dp_port_policy *pol, struct rte_mbuf *const pkts[],
			  const struct dp_meta *const metas[], const uint8_t dst_known[], uint16_t n,
			  uint64_t now, uint8_t why[]);
/* Egress stages (MAC-change check, to-port ACL and conntrack) for 'n' frames received on port
 * 'in', each to a port with a policy (q[i].dst), grouped per destination: one classify per
 * port, under the port's tx lock when it has one.  q[i].meta is the frame's full parse from
 * ingress (the frame is not changed in between).  Sets q[i].why to 0 or the drop reason (the
 * caller frees and counts); a rejected frame's reply is queued to 'in'.  n <= DP_EGQ_MAX. */
void dp_pol_egress_burst(struct dp_lcore *lc, const struct dp_tables *t, uint16_t in,
			 struct dp_egress q[], uint16_t n, uint64_t now);
/* Derives the fields of 'pol' that follow from the others (egress_pass).  Call once the
 * policy is complete, before publishing it. */
void dp_pol_finish(struct dp_port_policy *pol);
/* Sets the tables' summary of the ports' policies (has_policy, egress_meta) from
 * ports[0 .. n_ports).  Call once the policies are finished (dp_pol_finish), before publishing:
 * a policy whose egress_pass was never derived counts as reading L3/L4 at egress. */
void dp_pol_tables_flags(struct dp_tables *t);
/* Sends or queues a tx burst of a port with a shaper: frames beyond the shaper's depth are
 * dropped and counted.  Returns the frames to transmit now (moved to the front of 'pkts'). */
uint16_t dp_pol_shape(struct dp_lcore *lc, const struct dp_port_policy *pol, uint16_t port,
		      struct rte_mbuf **pkts, uint16_t n, uint64_t now);
/* Queues the reject reply (TCP RST or ICMP unreachable) for 'm', as received on port 'to',
 * back to that port.  Nothing is sent for frames that must not be answered. */
void dp_pol_reject(struct dp_lcore *lc, const struct dp_tables *t, uint16_t to,
		   struct rte_mbuf *m, const struct dp_meta *meta);
/* Drains the shapers and expires conntrack entries of the ports this lcore owns.  Returns the
 * ticks until a queued frame may leave (0: now), or UINT64_MAX if no shaper holds frames: the
 * idle back-off must not sleep past it. */
uint64_t dp_pol_poll(struct dp_lcore *lc, const struct dp_tables *t, uint64_t now);
