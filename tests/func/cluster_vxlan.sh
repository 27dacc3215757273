#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The VXLAN overlay between hosts: segments with controller-allocated VNIs span three hosts
# over a routed-free underlay (one bridge); guests ping across hosts; two segments stay
# isolated; a broadcast is replicated to exactly the other hosts of its segment; a published
# MAC is never flooded; the kernel's own vxlan device interoperates both ways; the host keeps
# its underlay address (ping, ARP) while switchd owns the uplink; a next-hop change is
# followed; a frame too big for the tunnel MTU is counted, not silently lost.
source "$(dirname "$0")/lib_cluster.sh"

cluster_start 3
for v in 1 2 3 4; do vm_ns "vx$v$$"; done
check "segment blue and red port groups" bash -c "
	'$DVSCTL' --db unix:$DB_SOCK portgroup add blue --segment blue &&
	'$DVSCTL' --db unix:$DB_SOCK portgroup add red --segment red"
# A kernel VXLAN endpoint on the underlay, outside the cluster: blue's flood list names it.
KV=kvx$$
t_ns "$KV"
ip link add "u$KV" netns "$KV" type veth peer name "f$KV" netns "$FAB"
ip -n "$FAB" link set "f$KV" master br0; ip -n "$FAB" link set "f$KV" up
ip -n "$KV" link set "u$KV" up; ip -n "$KV" addr add 10.99.0.9/24 dev "u$KV"
vni_of() { jget "$(txn '{"op":"select","table":"Segment","where":[["name","==","'"$1"'"]]}')" "r[0]['rows'][0]['vni']"; }
has_vni() { [ "$(vni_of "$1")" -gt 0 ] 2>/dev/null; }
wait_until 10 "VNI for blue" has_vni blue
VNI=$(vni_of blue)
pass "controller allocated VNI $VNI to blue, $(vni_of red) to red"
txn '{"op":"update","table":"Segment","where":[["name","==","blue"]],"row":{"flood_vteps":["set",["10.99.0.9"]]}}' >/dev/null
ip -n "$KV" link add vx0 type vxlan id "$VNI" local 10.99.0.9 dstport 4789 nolearning
for h in 1 2 3; do ip -n "$KV" route add "10.99.0.$h/32" dev "u$KV" 2>/dev/null; \
	bridge -n "$KV" fdb append 00:00:00:00:00:00 dev vx0 dst "10.99.0.$h"; done
ip -n "$KV" link set vx0 up; ip -n "$KV" addr add 10.72.0.9/24 dev vx0

dvsctl --wait port add vm1 --group blue --host h1 --tap "x$$"1 --netns "vx1$$" >/dev/null
# vm2's MAC is configured (as a VM's is), so the controller publishes its location.
MAC2=02:72:00:00:00:02
dvsctl --wait port add vm2 --group blue --host h2 --tap "x$$"2 --netns "vx2$$" --mac $MAC2 >/dev/null
dvsctl --wait port add vm3 --group blue --host h3 --tap "x$$"3 --netns "vx3$$" >/dev/null
dvsctl --wait port add vm4 --group red --host h2 --tap "x$$"4 --netns "vx4$$" >/dev/null
tap_up() { ip -n "vx$1$$" link show "x$$$1" >/dev/null 2>&1; }
for v in 1 2 3 4; do wait_until 15 "vm$v's tap" tap_up $v; ip -n "vx$v$$" addr add "10.72.0.$v/24" dev "x$$$v"; done
ip -n "vx2$$" link set "x$$"2 address $MAC2

check "blue: vm1 (h1) -> vm2 (h2) over VXLAN" ip netns exec "vx1$$" ping -c 3 -i 0.2 -W 2 -q 10.72.0.2
check "blue: vm1 (h1) -> vm3 (h3) over VXLAN" ip netns exec "vx1$$" ping -c 3 -i 0.2 -W 2 -q 10.72.0.3
check_not "red (vm4 on h2) is isolated from blue" ip netns exec "vx1$$" ping -c 2 -i 0.2 -W 1 -q 10.72.0.4
tun_stat() { # HOST REMOTE_IP FIELD: a tunnel's counters on HOST
	jget "$(ctl "$1" ports.stats)" "sum(x['$3'] for x in r if x['name']=='vxlan:$2')"; }

# BUM replication: one broadcast from vm1 goes to each other VTEP of blue exactly once
# (h2, h3 and the kernel VTEP), never to red's members.
# vm1's kernel stays quiet during the counted windows (no ARP probes of its own).
ip -n "vx1$$" link set "x$$"1 arp off
sleep 1
before=$(for ip in 10.99.0.2 10.99.0.3 10.99.0.9; do tun_stat h1 $ip tx_packets; done | tr '\n' ' ')
ip netns exec "vx1$$" "$PY" -c "from scapy.all import *; sendp(Ether(dst='ff:ff:ff:ff:ff:ff')/IP(dst='10.72.0.255')/UDP(dport=9), iface='x$$'+'1', count=10, verbose=0)"
sleep 0.5
after=$(for ip in 10.99.0.2 10.99.0.3 10.99.0.9; do tun_stat h1 $ip tx_packets; done | tr '\n' ' ')
check_eq "10 broadcasts replicated to each of the 3 remote VTEPs exactly 10 times" \
	"$(jget "[[${before// /,}0],[${after// /,}0]]" "[b-a for a,b in zip(r[0][:3],r[1][:3])]")" "[10, 10, 10]"

# Known MACs: vm2's MAC is published by the controller, so unicast to it from h1 goes to h2
# only -- nothing flooded to h3 or the kernel VTEP, even for a MAC h1 never saw.
mac2=$MAC2
# The entry must be the controller's publication, not one h1 learned from vm2's replies to the
# pings above: a learned entry would go with the flush below, and the first frames would flood.
published() { jget "$(ctl h1 fdb.show)" "exit(0 if any(e['mac']=='$mac2' and e['port']=='vxlan:10.99.0.2' and e['type']=='published' for e in r) else 1)"; }
wait_until 10 "vm2's MAC published on h1" published && pass "vm2's MAC is published on h1 behind the tunnel to h2"
ctl h1 fdb.flush >/dev/null
b3=$(tun_stat h1 10.99.0.3 tx_packets); b9=$(tun_stat h1 10.99.0.9 tx_packets); b2=$(tun_stat h1 10.99.0.2 tx_packets)
ip netns exec "vx1$$" "$PY" -c "from scapy.all import *; sendp(Ether(dst='$mac2')/IP(dst='10.72.0.2')/UDP(dport=9), iface='x$$'+'1', count=20, verbose=0)"
sleep 0.5
check_eq "20 frames to the published MAC: 20 into the tunnel to h2" "$(( $(tun_stat h1 10.99.0.2 tx_packets) - b2 ))" 20
check_eq "... and none flooded to h3 or the kernel VTEP" "$(( $(tun_stat h1 10.99.0.3 tx_packets) - b3 + $(tun_stat h1 10.99.0.9 tx_packets) - b9 ))" 0
ip -n "vx1$$" link set "x$$"1 arp on

# Interop both ways with the kernel's vxlan device on the same VNI.
check "kernel VXLAN endpoint -> vm2 (h2)" ip netns exec "$KV" ping -c 3 -i 0.2 -W 2 -q 10.72.0.2
check "vm3 (h3) -> kernel VXLAN endpoint" ip netns exec "vx3$$" ping -c 3 -i 0.2 -W 2 -q 10.72.0.9

# DVS's relay bit (VXLAN_FLAGS_DVS_RELAY, set by a live migration's source on the frames it
# sends on): the receiver forwards the frame but does not learn its source MAC behind the
# relaying VTEP.  The same frame without the bit is learned there.  Sent from the kernel
# VTEP's namespace to h1 as raw VXLAN.
relay_frame() { # SRC_MAC FLAGS_BYTE1
	ip netns exec "$KV" "$PY" -c "
from scapy.all import *
inner = bytes(Ether(src='$1', dst='ff:ff:ff:ff:ff:ff')/IP(src='10.72.0.99', dst='10.72.0.255')/UDP(dport=9))
hdr = bytes([0x08, $2, 0, 0]) + int($VNI).to_bytes(3, 'big') + b'\\0'
send(IP(dst='10.99.0.1')/UDP(sport=50001, dport=4789)/Raw(hdr + inner), count=3, verbose=0)"
}
learned_behind_kv() { jget "$(ctl h1 fdb.show)" "exit(0 if any(e['mac']=='$1' and e['port']=='vxlan:10.99.0.9' for e in r) else 1)"; }
relayed_in() { ip netns exec "vx1$$" timeout 3 tcpdump -c 1 -nn -i "x$$"1 ether src "$1" 2>/dev/null | grep -q 10.72.0.99; }
relayed_in 02:dd:00:00:00:01 & cap=$!
sleep 1
relay_frame 02:dd:00:00:00:01 0x01
check "a relayed frame is forwarded (vm1 receives it)" wait "$cap"
sleep 0.5
check_not "... but its source MAC is not learned behind the relaying VTEP" learned_behind_kv 02:dd:00:00:00:01
relay_frame 02:dd:00:00:00:02 0x00
try_until 5 "learned" learned_behind_kv 02:dd:00:00:00:02 &&
	pass "the same frame without the relay bit is learned behind the kernel VTEP" ||
	fail "a frame from the kernel VTEP was not learned behind it"

# The host keeps its own underlay address while switchd owns the uplink.
check "h2's underlay address answers ping (and ARP) from h3's netns" ip netns exec h3 ping -c 2 -i 0.2 -W 2 -q 10.99.0.2

# MTU: a 1500-byte-payload frame cannot fit a 1500-MTU underlay once encapsulated: counted.
m0=$(drop_count h1 tunnel-mtu)
ip netns exec "vx1$$" ping -c 2 -i 0.2 -W 1 -q -s 1472 -M do 10.72.0.2 >/dev/null 2>&1
check_ge "oversized frames counted as tunnel-mtu drops" "$(( $(drop_count h1 tunnel-mtu) - m0 ))" 2
check "small frames still pass" ip netns exec "vx1$$" ping -c 2 -i 0.2 -W 2 -q -s 1000 10.72.0.2

# A neighbour change is followed: h2's uplink MAC changes; h1 learns it from the kernel.
ip -n h2 link set up0 address 02:00:00:99:00:02
ip netns exec h2 ping -c 1 -W 1 10.99.0.1 >/dev/null 2>&1  # gratuitous traffic refreshes h1's neighbour
ip -n h1 neigh replace 10.99.0.2 lladdr 02:00:00:99:00:02 dev up0
check "after h2's underlay MAC changed, vm1 -> vm2 still works" ip netns exec "vx1$$" ping -c 3 -i 0.3 -W 2 -q 10.72.0.2

t_done
