#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dvs-switchd owns a kernel uplink through AF_XDP with DVS's own XDP program (ebpf/), in the
# smallest cluster that has an overlay: dvs-db, dvs-controller, one host namespace whose veth
# "up0" carries the host's IP (= its VTEP), and a peer namespace on the other end of the veth
# with a Linux kernel vxlan device on the segment's VNI.
#   - the program attached to up0 is dvs_xdp_uplink, configured with the VTEP and the VNI;
#   - a guest (tap in a namespace) behind switchd pings the namespace behind the kernel
#     vxlan device, both ways;
#   - the host's own IP answers ping from the peer and ARP resolves, while switchd owns up0;
#   - VXLAN with an unknown VNI, bad flags, or truncated is dropped in XDP, counted by name in
#     drops.show, `dvsctl --switchd ... drops` and `dvsctl host H drops` (table and json), and
#     never reaches the DPDK fast path;
#   - a second segment on the host adds its VNI to the program; removing its port removes it;
#   - the uplink trunks VLANs 100-199: tagged 150 frames reach a guest on VLAN 150 through XDP
#     (steered-vlan) and its replies leave tagged; VLAN 300 stays the host's kernel's; a reload
#     that narrows the trunk narrows the program's VLAN map;
#   - after switchd stops, no XDP program is left on up0 and the host IP still answers;
#   - a switchd killed with SIGKILL leaves its program (the host IP still answers through it);
#     the next switchd removes it, takes the uplink back and carries the overlay again.
# Needs root.  Everything it creates is removed on exit (lib_switchd.sh's trap).
source "$(dirname "$0")/lib_cluster.sh"

H=uxh$$ P=uxp$$ HN=xh1
UPIP=10.98.0.1 PEERIP=10.98.0.9
dvsctl() { "$DVSCTL" --db "unix:$DB_SOCK" "$@"; }

db_start
t_bg controller "$CONTROLLER" --db "unix:$DB_SOCK" --name ctl1
for ns in "$H" "$P"; do
	t_ns "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# One rx queue: switchd reads queue 0 of the uplink (docs/ebpf.md).
ip link add up0 netns "$H" numtxqueues 1 numrxqueues 1 type veth peer name pu0 netns "$P" \
	numtxqueues 1 numrxqueues 1
ip -n "$H" link set up0 up
ip -n "$P" link set pu0 up
ip -n "$H" addr add "$UPIP/24" dev up0
ip -n "$P" addr add "$PEERIP/24" dev pu0
UPMAC=$(ns_mac "$H" up0)

start_switchd() {
	SWITCHD_WRAP="ip netns exec $H" sw_start "$HN" \
		'[{"name":"up0","type":"uplink","ifname":"up0","driver":"af_xdp","trunks":"100-199"}]' \
		'"db":"unix:'$DB_SOCK'", "host_name":"'$HN'", "snapshot":"'$T_WORK/$HN.snapshot'", "vtep_ip":"'$UPIP'"'
	SW_PID=$T_LAST_PID
	# Without hugepages switchd runs under its own DPDK prefix; a SIGKILL leaves it behind.
	T_DIRS+=("/var/run/dpdk/dvs-switchd-$SW_PID")
}
start_switchd

xdp_show() { ctl "$HN" xdp.show; }
xdp_cnt() { jget "$(xdp_show)" "r[0]['counters']['$1']['packets']"; }
xdp_vnis() { jget "$(xdp_show)" "r[0]['vnis']"; }
xdp_attached() { # prints the attached program's name and mode ("xdp" native, "xdpgeneric")
	ip -n "$H" -d -j link show up0 | "$PY" -c '
import json, sys
l = json.load(sys.stdin)[0]
x = l.get("xdp")
print("none" if not x else "%s %s" % (x.get("prog", {}).get("name", "?"), x.get("mode")))'
}
has_xdp_prog() { [ "$(xdp_attached)" != none ]; }
wait_until 20 "switchd's program on up0" has_xdp_prog
att=$(xdp_attached)
check_eq "the program on up0 is DVS's, in native mode (XDP_ATTACHED_DRV = 1: veth has native XDP)" "$att" "dvs_xdp_uplink 1"
check_eq "xdp.show: mode, VTEP and trunked VLANs" \
	"$(jget "$(xdp_show)" "r[0]['mode'] + ' ' + r[0]['vtep'] + ' ' + r[0]['vlans']")" "native $UPIP 100-199"

# --- the overlay: segment blue, its VNI, the kernel VTEP on the peer in its flood list ------
check "port group blue on segment blue" dvsctl portgroup add blue --segment blue
vni_of() { jget "$(txn '{"op":"select","table":"Segment","where":[["name","==","'"$1"'"]]}')" "r[0]['rows'][0]['vni']"; }
has_vni() { [ "$(vni_of "$1")" -gt 0 ] 2>/dev/null; }
wait_until 10 "VNI for blue" has_vni blue
VNI=$(vni_of blue)
txn '{"op":"update","table":"Segment","where":[["name","==","blue"]],"row":{"flood_vteps":["set",["'$PEERIP'"]]}}' >/dev/null
ip -n "$P" link add vx0 type vxlan id "$VNI" local "$PEERIP" remote "$UPIP" dstport 4789 nolearning
ip -n "$P" link set vx0 up
ip -n "$P" addr add 10.72.0.9/24 dev vx0

VM=uxv$$ TAP=uxt$$
vm_ns "$VM"
check "vm1 on $HN in blue" dvsctl --wait port add vm1 --group blue --host "$HN" --tap "$TAP" --netns "$VM"
tap_up() { ip -n "$1" link show "$2" >/dev/null 2>&1; }
wait_until 15 "vm1's tap" tap_up "$VM" "$TAP"
ip -n "$VM" addr add 10.72.0.1/24 dev "$TAP"
vni_allowed() { [ "$(xdp_vnis)" = "$1" ]; }
wait_until 10 "VNI $VNI in the XDP allow map" vni_allowed "[$VNI]" && pass "the XDP program steers exactly blue's VNI ($VNI)"

s0=$(xdp_cnt steered-vxlan)
check "guest vm1 (behind switchd) -> kernel vxlan namespace" ip netns exec "$VM" ping -c 3 -i 0.2 -W 2 -q 10.72.0.9
check "kernel vxlan namespace -> guest vm1" ip netns exec "$P" ping -c 3 -i 0.2 -W 2 -q 10.72.0.1
check_ge "the kernel's VXLAN frames were steered to switchd by XDP" "$(( $(xdp_cnt steered-vxlan) - s0 ))" 6

# --- the host keeps its IP, ARP and everything else on the same NIC ---------------------------
ip -n "$P" neigh flush dev pu0
ip -n "$H" neigh flush dev up0
k0=$(xdp_cnt passed-to-kernel)
check "the host's IP answers ping from the peer while switchd owns up0" \
	ip netns exec "$P" ping -c 3 -i 0.2 -W 2 -q "$UPIP"
neigh_mac() { ip -n "$1" neigh show "$2" dev "$3" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p'; }
check_eq "the peer resolved the host's IP by ARP to up0's MAC" "$(neigh_mac "$P" "$UPIP" pu0)" "$UPMAC"
check "the host reaches the peer (its own ARP request and the reply pass too)" \
	ip netns exec "$H" ping -c 2 -i 0.2 -W 2 -q "$PEERIP"
check_eq "the host resolved the peer by ARP" "$(neigh_mac "$H" "$PEERIP" up0)" "$(ns_mac "$P" pu0)"
# At least the 3 echo requests and the 2 echo replies that came in (ARP may be done already).
check_ge "the host's ICMP (and ARP) went to the kernel: passed-to-kernel" "$(( $(xdp_cnt passed-to-kernel) - k0 ))" 5

# --- broken and unknown tunnel traffic dies in XDP, counted by name -------------------------
dp_drop() { drop_count "$HN" "$1"; }
send_vxlan() { # COUNT HEX_OF_8_VXLAN_BYTES [INNER=1]: VXLAN frames from the peer to the VTEP
	ip netns exec "$P" "$PY" -c "
from scapy.all import Ether, IP, UDP, ICMP, Raw, sendp, conf
conf.verb = 0
inner = bytes(Ether(src='02:00:00:00:00:99', dst='ff:ff:ff:ff:ff:ff')/IP(src='10.72.0.99', dst='10.72.0.1')/ICMP()) if $3 else b''
f = Ether(src='$(ns_mac "$P" pu0)', dst='$UPMAC')/IP(src='$PEERIP', dst='$UPIP')/UDP(sport=40000, dport=4789)/Raw(bytes.fromhex('$2') + inner)
sendp(f, iface='pu0', count=$1)"
}
vx_hdr() { printf '%s000000%06x00' "$1" "$2"; } # FLAGS_BYTE VNI
wait_n() { # REASON BEFORE N: until xdp:REASON reached BEFORE+N
	local got
	for _ in $(seq 50); do got=$(dp_drop "xdp:$1"); [ "$got" -ge $(($2 + $3)) ] && break; sleep 0.1; done
	echo $((got - $2))
}
u0=$(dp_drop xdp:dropped-unknown-vni) b0=$(dp_drop xdp:dropped-bad-flags) m0=$(dp_drop xdp:dropped-malformed-vxlan)
dv0=$(dp_drop vxlan-unknown-vni) dd0=$(dp_drop vxlan-decap)
send_vxlan 10 "$(vx_hdr 08 $((VNI + 1000)))" 1
check_eq "10 frames for an unknown VNI: xdp:dropped-unknown-vni" "$(wait_n dropped-unknown-vni "$u0" 10)" 10
send_vxlan 7 "$(vx_hdr 0c "$VNI")" 1
check_eq "7 frames with a reserved flag bit: xdp:dropped-bad-flags" "$(wait_n dropped-bad-flags "$b0" 7)" 7
send_vxlan 5 "$(vx_hdr 08 "$VNI")" 0
check_eq "5 VXLAN headers without an inner frame: xdp:dropped-malformed-vxlan" "$(wait_n dropped-malformed-vxlan "$m0" 5)" 5
check_eq "none of them reached the DPDK fast path (vxlan-unknown-vni, vxlan-decap)" \
	"$(( $(dp_drop vxlan-unknown-vni) - dv0 )) $(( $(dp_drop vxlan-decap) - dd0 ))" "0 0"
check_eq "xdp.show agrees (unknown-vni, bad-flags, malformed)" \
	"$(( $(xdp_cnt dropped-unknown-vni) - u0 )) $(( $(xdp_cnt dropped-bad-flags) - b0 )) $(( $(xdp_cnt dropped-malformed-vxlan) - m0 ))" "10 7 5"

# The user's views: dvsctl on the switch's socket, and through the DB's Host row.
out=$("$DVSCTL" --switchd "$SW_SOCK_xh1" drops --nonzero)
check "dvsctl --switchd ... drops shows xdp:dropped-unknown-vni $((u0 + 10))" \
	grep -Eq "^xdp:dropped-unknown-vni +$((u0 + 10)) " <<<"$out"
out=$(dvsctl host "$HN" drops)
check "dvsctl host $HN drops (table) shows xdp:dropped-bad-flags $((b0 + 7))" \
	grep -Eq "^xdp:dropped-bad-flags +$((b0 + 7)) " <<<"$out"
out=$(dvsctl --format json host "$HN" drops)
check_eq "dvsctl host $HN drops (json): the three XDP drop counts" \
	"$(jget "$out" "' '.join(str(d['count']) for d in r if d['reason'] in ('xdp:dropped-unknown-vni','xdp:dropped-bad-flags','xdp:dropped-malformed-vxlan'))")" \
	"$((m0 + 5)) $((b0 + 7)) $((u0 + 10))"

# --- the VNI map follows the host's segments -------------------------------------------------
check "port group red on segment red" dvsctl portgroup add red --segment red
wait_until 10 "VNI for red" has_vni red
RVNI=$(vni_of red)
VM2=uxw$$ TAP2=uxs$$
vm_ns "$VM2"
check "vm2 on $HN in red" dvsctl --wait port add vm2 --group red --host "$HN" --tap "$TAP2" --netns "$VM2"
want=$(jget "[$VNI, $RVNI]" "sorted(r)")
wait_until 10 "red's VNI $RVNI added to the XDP map" vni_allowed "$want" && pass "a new segment on the host: VNI $RVNI steered"
u1=$(dp_drop xdp:dropped-unknown-vni) s1=$(xdp_cnt steered-vxlan)
send_vxlan 5 "$(vx_hdr 08 "$RVNI")" 1
steered() { [ $(( $(xdp_cnt steered-vxlan) - s1 )) -ge 5 ]; }
wait_until 5 "red's frames steered" steered
check_eq "red's VNI is steered, not dropped" "$(( $(dp_drop xdp:dropped-unknown-vni) - u1 ))" 0
check "vm2 removed" dvsctl --wait port del vm2
wait_until 10 "red's VNI $RVNI removed from the XDP map" vni_allowed "[$VNI]" && pass "segment gone from the host: VNI $RVNI no longer steered"
send_vxlan 5 "$(vx_hdr 08 "$RVNI")" 1
check_eq "red's frames are now xdp:dropped-unknown-vni" "$(wait_n dropped-unknown-vni "$u1" 5)" 5
check "blue still works after the change" ip netns exec "$VM" ping -c 2 -i 0.2 -W 2 -q 10.72.0.9

# --- trunked VLANs go to the switch, other tags stay the host's --------------------------------
# This kernel has no 8021q and no bridge VLAN filtering, so the peer's tagged frames are made
# with scapy and the switch's tagged replies are captured with tcpdump.
check "port group green on VLAN 150" dvsctl portgroup add green --access 150
VM3=uxg$$ TAP3=uxr$$
vm_ns "$VM3"
check "vm3 on $HN in green" dvsctl --wait port add vm3 --group green --host "$HN" --tap "$TAP3" --netns "$VM3"
wait_until 15 "vm3's tap" tap_up "$VM3" "$TAP3"
ip -n "$VM3" addr add 10.73.0.3/24 dev "$TAP3"
PMAC=$(ns_mac "$P" pu0) VM3MAC=$(ns_mac "$VM3" "$TAP3")
ip -n "$VM3" neigh replace 10.73.0.9 lladdr "$PMAC" dev "$TAP3"
in_echos() { ip netns exec "$1" awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i; h = 1 } else print $c }' /proc/net/snmp; }
send_tagged() { # VLAN COUNT: echo requests from the peer to vm3, tagged
	ip netns exec "$P" "$PY" -c "
from scapy.all import Ether, Dot1Q, IP, ICMP, sendp, conf
conf.verb = 0
sendp(Ether(src='$PMAC', dst='$VM3MAC')/Dot1Q(vlan=$1)/IP(src='10.73.0.9', dst='10.73.0.3')/ICMP(), iface='pu0', count=$2, inter=0.05)"
}
v0=$(xdp_cnt steered-vlan) e0=$(in_echos "$VM3")
start_daemon tcpdump "$T_WORK/tcpdump.log" ip netns exec "$P" tcpdump -i pu0 -n -e -l --immediate-mode \
	"ether src $VM3MAC and vlan 150 and icmp[icmptype] = icmp-echoreply"
wait_until 5 "tcpdump listening" grep -q "listening on" "$T_WORK/tcpdump.log"
send_tagged 150 5
replies() { [ "$(grep -c "vlan 150" "$T_WORK/tcpdump.log")" -ge 5 ]; }
wait_until 5 "vm3's 5 replies on the peer's wire" replies
stop_daemon tcpdump
check_eq "5 echo requests tagged 150 from the peer: steered-vlan" "$(( $(xdp_cnt steered-vlan) - v0 ))" 5
check_eq "... vm3 (access VLAN 150) got them" "$(( $(in_echos "$VM3") - e0 ))" 5
check_eq "... and its replies left the uplink tagged 150" "$(grep -c "vlan 150" "$T_WORK/tcpdump.log")" 5
v0=$(xdp_cnt steered-vlan) k0=$(xdp_cnt passed-to-kernel) e0=$(in_echos "$VM3")
send_tagged 300 4
check_eq "4 frames tagged 300 (outside the trunk 100-199): none steered" "$(( $(xdp_cnt steered-vlan) - v0 ))" 0
# ">=": the host's own ARP refreshes (switchd's resolver keeps the tunnel's neighbour fresh)
# may pass meanwhile.
check_ge "... all passed to the host's kernel" "$(( $(xdp_cnt passed-to-kernel) - k0 ))" 4
check_eq "... none reached vm3" "$(( $(in_echos "$VM3") - e0 ))" 0
# A reload that narrows the trunk: VLAN 150 leaves the program's map (port.c syncs each second).
conf_var=SW_CONF_$HN
sed -i 's/"trunks":"100-199"/"trunks":"100-149"/' "${!conf_var}"
check "reload with trunks 100-149" ctl "$HN" reload
vlans_are() { [ "$(jget "$(xdp_show)" "r[0]['vlans']")" = "$1" ]; }
wait_until 5 "the program's VLAN map follows the reload" vlans_are 100-149 && pass "XDP VLAN map is now 100-149"
v0=$(xdp_cnt steered-vlan) k0=$(xdp_cnt passed-to-kernel) e0=$(in_echos "$VM3")
send_tagged 150 4
check_eq "after the reload, 4 frames tagged 150: none steered, none to vm3" \
	"$(( $(xdp_cnt steered-vlan) - v0 )) $(( $(in_echos "$VM3") - e0 ))" "0 0"
check_ge "... they passed to the kernel" "$(( $(xdp_cnt passed-to-kernel) - k0 ))" 4

# --- configuration: an af_xdp uplink has no native VLAN (untagged = the host's) -------------
err=$(ctl "$HN" port.add '{"name":"up9","type":"uplink","ifname":"pu9","driver":"af_xdp","native_vlan":5}' 2>&1)
check "a native VLAN on an af_xdp uplink is refused with the reason" grep -q "native_vlan: not on an af_xdp uplink" <<<"$err"

# --- switchd stops: the interface is left clean ------------------------------------------------
kill "$SW_PID"
for _ in $(seq 100); do kill -0 "$SW_PID" 2>/dev/null || break; sleep 0.1; done
check_not "switchd stopped on SIGTERM" kill -0 "$SW_PID"
check_eq "no XDP program left on up0" "$(xdp_attached)" none
check_not "ip link show up0: no xdp" bash -c "ip -n $H link show up0 | grep -q xdp"
check "the host's IP still answers after switchd left" ip netns exec "$P" ping -c 2 -i 0.2 -W 2 -q "$UPIP"

# --- a switchd that dies leaves its program; the next one takes the uplink back --------------
start_switchd
wait_until 20 "the new switchd's program with blue's VNI" vni_allowed "[$VNI]"
kill -9 "$SW_PID"
for _ in $(seq 50); do kill -0 "$SW_PID" 2>/dev/null || break; sleep 0.1; done
check_eq "after SIGKILL the program stays on up0 (nobody detached it)" "$(xdp_attached)" "dvs_xdp_uplink 1"
check "... and the host's IP still answers through it" ip netns exec "$P" ping -c 2 -i 0.2 -W 2 -q "$UPIP"
start_switchd
wait_until 20 "the next switchd's program with blue's VNI" vni_allowed "[$VNI]"
check "the next switchd removed the program left behind (logged)" \
	grep -q "removed the DVS XDP program (id [0-9]*) an earlier switchd left on up0" "$T_WORK/switchd-$HN.log"
check_eq "... and attached its own" "$(xdp_attached)" "dvs_xdp_uplink 1"
wait_until 15 "vm1's tap again" tap_up "$VM" "$TAP"
ip -n "$VM" addr add 10.72.0.1/24 dev "$TAP" 2>/dev/null
check "guest vm1 -> kernel vxlan namespace again" ip netns exec "$VM" ping -c 3 -i 0.2 -W 2 -q 10.72.0.9
kill "$SW_PID"
for _ in $(seq 100); do kill -0 "$SW_PID" 2>/dev/null || break; sleep 0.1; done
check_eq "stopped: no XDP program left on up0" "$(xdp_attached)" none

t_done
