#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dp/vxlan.c against the Linux kernel's vxlan driver, both ways, without a switch: two
# namespaces of this test joined by a veth underlay, each with a kernel vxlan device (VNI
# 5001, port 4789, DF, no UDP checksum: the tunnel test_vxlan's template describes).
#   1. The kernel encapsulates a ping; the frame is captured on the underlay (tcpdump) and fed
#      to test_vxlan (VXLAN_INTEROP_IN): vxlan_decap() must accept it, and vxlan_encap() of its
#      inner frame must equal it except IP ID, IP checksum and UDP source port.
#   2. That frame of ours (VXLAN_INTEROP_OUT) is injected on the underlay (scapy); the peer's
#      kernel vxlan device must take it in (rx_packets +1) and its IP stack answer the echo
#      request inside (Icmp InEchos +1).
# Needs root, tcpdump and Debian's scapy.  Cleans up on any exit; can run twice in a row.
. "$(dirname "$0")/../lib/common.sh"
require_root
require_cmd ip tcpdump
PY=/usr/bin/python3
$PY -c 'import scapy' 2>/dev/null || { log "scapy missing; skipped"; exit 77; }

TEST_VXLAN=
for c in "$DVS_BUILD/tests/test_vxlan" "$DVS_BUILD/test_vxlan"; do
	[ -x "$c" ] && { TEST_VXLAN=$c; break; }
done
[ -n "$TEST_VXLAN" ] || fail "test_vxlan not built under $DVS_BUILD"

# The addresses and MACs are the ones of test_vxlan's params_v4() template.
H1=vx-ia$$ H2=vx-ib$$ U1=vxia$$ U2=vxib$$
netns_add "$H1"
netns_add "$H2"
veth_add "$U1" "$U2" "$H1" "$H2"
ip -n "$H1" link set "$U1" address 52:54:00:aa:bb:01
ip -n "$H2" link set "$U2" address 52:54:00:aa:bb:02
ns_addr "$H1" "$U1" 192.0.2.1/24
ns_addr "$H2" "$U2" 198.51.100.7/24
ip -n "$H1" route add 198.51.100.0/24 dev "$U1"
ip -n "$H2" route add 192.0.2.0/24 dev "$U2"
for side in 1 2; do
	ns=$H1 local=192.0.2.1 remote=198.51.100.7
	[ $side = 2 ] && ns=$H2 local=198.51.100.7 remote=192.0.2.1
	ip -n "$ns" link add vxl$side type vxlan id 5001 dstport 4789 local $local remote $remote \
		df set ttl 64 noudpcsum
	ip -n "$ns" link set vxl$side address 02:00:00:00:00:0$side addrgenmode none
	ns_addr "$ns" vxl$side 10.1.0.$side/24
done
ip -n "$H1" neigh replace 198.51.100.7 dev "$U1" lladdr 52:54:00:aa:bb:02
ip -n "$H1" neigh replace 10.1.0.2 dev vxl1 lladdr 02:00:00:00:00:02
tmpdir_new T

# --- 1. kernel -> DVS ---------------------------------------------------------------------
start_daemon tcpdump "$T/tcpdump.log" ip netns exec "$H2" tcpdump -i "$U2" --immediate-mode -U \
	-w "$T/k.pcap" -c 1 udp dst port 4789
wait_until 5 "tcpdump listening" grep -q "listening on" "$T/tcpdump.log"
ip netns exec "$H1" ping -c 1 -W 1 -s 11 10.1.0.2 >/dev/null || true
# tcpdump exits by itself after one frame (-c 1): then the file is complete.
wait_until 5 "kernel frame captured" sh -c "! kill -0 ${DVS_PIDS[tcpdump]} 2>/dev/null"
stop_daemon tcpdump || true
$PY -c "from scapy.all import rdpcap; print(bytes(rdpcap('$T/k.pcap')[0]).hex())" >"$T/k.hex"
assert_match "captured a VXLAN frame for VNI 5001" "^525400aabb02525400aabb010800.{44}12b5.{8}0800000000138900" "$(cat "$T/k.hex")"

out=$(VXLAN_INTEROP_IN=$T/k.hex VXLAN_INTEROP_OUT=$T/ours.hex "$TEST_VXLAN" 2>&1) || true
assert_match "vxlan_decap accepts the kernel's frame, vxlan_encap matches it" \
	"\[       OK \] test_vxlan_interop_kernel_frame" "$out"
[ -s "$T/ours.hex" ] || fail "test_vxlan wrote no frame (it failed before encap)"

# --- 2. DVS -> kernel ------------------------------------------------------------------------
rx_before=$(ip -n "$H2" -s -j link show vxl2 | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
echo_before=$(ip netns exec "$H2" awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i; h = 1 } else print $c }' /proc/net/snmp)
ip netns exec "$H1" $PY -c "
from scapy.all import sendp, Raw, conf
conf.verb = 0
sendp(Raw(bytes.fromhex(open('$T/ours.hex').read().strip())), iface='$U1')"
try_until 5 "vxl2 rx" sh -c "[ \$(ip -n $H2 -s -j link show vxl2 | $PY -c 'import json,sys; print(json.load(sys.stdin)[0][\"stats64\"][\"rx\"][\"packets\"])') -gt $rx_before ]" || true
rx_after=$(ip -n "$H2" -s -j link show vxl2 | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
echo_after=$(ip netns exec "$H2" awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i; h = 1 } else print $c }' /proc/net/snmp)
assert_eq "kernel vxlan took our frame in" "$((rx_before + 1))" "$rx_after"
assert_eq "the peer's IP stack got the echo request inside" "$((echo_before + 1))" "$echo_after"

finish
