/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Drop reasons of the fast path.  Every frame the switch does not deliver is counted under
 * exactly one of these, per lcore, and shown by `dvsctl drops`.  Names are stable API. */

#define DP_DROP_REASONS(X) \
	X(RUNT, "runt", "frame shorter than an Ethernet header") \
	X(BAD_VLAN_HDR, "bad-vlan-header", "truncated 802.1Q tag") \
	X(BAD_L3, "bad-l3-header", "truncated or malformed IPv4/IPv6/ARP header") \
	X(BAD_L4, "bad-l4-header", "truncated TCP/UDP/ICMP header") \
	X(VLAN_DISALLOWED, "vlan-disallowed", "tag not allowed on the ingress port") \
	X(VLAN_DOUBLE_TAGGED, "vlan-double-tagged", "stacked tags on an access port (VLAN hopping)") \
	X(VLAN_UNTAGGED, "vlan-untagged-no-native", "untagged frame on a trunk without native VLAN") \
	X(SRC_MAC_MULTICAST, "src-mac-multicast", "multicast or broadcast source MAC") \
	X(FDB_LIMIT, "fdb-limit", "source MAC not learnable: port or table limit reached") \
	X(SAME_PORT, "same-port", "destination learned on the ingress port") \
	X(TUNNEL_TO_TUNNEL, "tunnel-split-horizon", "from one tunnel into another: the sending VTEP reaches the destination itself") \
	X(NO_MEMBERS, "flood-no-members", "no other port in the segment to flood to") \
	X(ARP_SUPPRESSED, "arp-suppressed", "ARP request answered by the switch from a known binding, not flooded") \
	X(DEST_GONE, "dest-port-gone", "destination port removed or disabled") \
	X(EGRESS_VLAN, "egress-vlan-filter", "destination port not a member of the VLAN") \
	X(TX_FULL, "tx-queue-full", "destination port's queue full (guest not reading)") \
	X(NO_MBUF, "no-mbuf", "out of buffers for a flood copy or a tag") \
	X(PORT_BLOCKED, "port-blocked", "ingress port not forwarding (down or blocked)") \
	X(FORGED_TRANSMIT, "forged-transmit", "source MAC is not the port's MAC (forged transmits off)") \
	X(MAC_CHANGE, "mac-change-blocked", "frame to a MAC the guest set itself (MAC changes off)") \
	X(IP_MAC_BINDING, "ip-mac-binding", "source IP (or ARP/ND sender) not bound to the port") \
	X(DHCP_SERVER, "dhcp-server-guard", "DHCP server reply from a port not allowed to serve DHCP") \
	X(STORM_BCAST, "storm-broadcast", "broadcast above the port's storm-control rate") \
	X(STORM_MCAST, "storm-multicast", "multicast above the port's storm-control rate") \
	X(STORM_UNKNOWN, "storm-unknown-unicast", "unknown unicast above the port's storm-control rate") \
	X(POLICER, "policer", "above the port's ingress rate (average/peak/burst)") \
	X(ACL_DROP, "acl-drop", "dropped by an ACL rule or the default action") \
	X(ACL_REJECT, "acl-reject", "rejected by an ACL rule (RST or ICMP unreachable sent)") \
	X(CT_INVALID, "ct-invalid", "breaks the state machine of a tracked connection") \
	X(CT_FULL, "ct-full", "stateful rule could not track the connection: table full") \
	X(SHAPER_FULL, "shaper-queue-full", "egress shaper queue full") \
	X(TUNNEL_MTU, "tunnel-mtu", "frame too big for the tunnel MTU (counted per tunnel)") \
	X(TUNNEL_UNRESOLVED, "tunnel-unresolved", "remote VTEP's next hop not resolved yet") \
	X(TUNNEL_ENCAP, "tunnel-encap-failed", "no room or shared buffer for the outer headers") \
	X(VXLAN_DECAP, "vxlan-decap", "malformed VXLAN for the local VTEP (reason in tunnel stats)") \
	X(VXLAN_UNKNOWN_VNI, "vxlan-unknown-vni", "VXLAN for a VNI with no local segment") \
	X(VXLAN_UNKNOWN_VTEP, "vxlan-unknown-vtep", "VXLAN from a VTEP not in the segment's flood list")

enum dp_drop {
#define DP_DROP_ENUM_(id, name, text) DP_DROP_##id,
	DP_DROP_REASONS(DP_DROP_ENUM_)
#undef DP_DROP_ENUM_
	DP_DROP_MAX,
};

extern const char *const dp_drop_names[DP_DROP_MAX];
extern const char *const dp_drop_texts[DP_DROP_MAX];
