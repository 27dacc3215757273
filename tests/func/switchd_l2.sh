#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dvs-switchd L2 behaviour with "VMs" in namespaces on tap ports: ping within a VLAN, no
# traffic across VLANs, a trunk carrying tagged traffic, disallowed and double tags dropped and
# counted, MAC learning, immediate MAC moves, aging, hot add/remove of a port without
# disturbing the others, and an invalid reload refused without touching the running state.
source "$(dirname "$0")/lib_switchd.sh"

id=$$
A=dvsA$id B=dvsB$id C=dvsC$id T=dvsT$id D=dvsD$id E=dvsE$id
for n in $A $B $C $T $D $E; do
	t_ns "$n"
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
tap() { echo "dl$id$1"; }

sw_start s '[
 {"name":"a","type":"tap","ifname":"'"$(tap a)"'","netns":"'$A'","tag":10},
 {"name":"b","type":"tap","ifname":"'"$(tap b)"'","netns":"'$B'","tag":10},
 {"name":"c","type":"tap","ifname":"'"$(tap c)"'","netns":"'$C'","tag":20},
 {"name":"d","type":"tap","ifname":"'"$(tap d)"'","netns":"'$D'","tag":10},
 {"name":"tr","type":"tap","ifname":"'"$(tap t)"'","netns":"'$T'","vlan_mode":"trunk","trunks":"10,20"}]' \
 '"fdb_aging_s": 3'

ip -n $A addr add 10.50.10.1/24 dev "$(tap a)"
ip -n $B addr add 10.50.10.2/24 dev "$(tap b)"
ip -n $C addr add 10.50.10.3/24 dev "$(tap c)"
ip -n $C addr add 10.50.20.3/24 dev "$(tap c)"
# The trunk's host answers 10.50.10.4 on VLAN 10 and 10.50.20.4 on VLAN 20 with tagged
# frames (no 8021q module here, so scapy plays the VLAN sub-interfaces).
t_bg responder ip netns exec $T "$PY" "$DVS_SRC/tests/func/vlan_responder.py" "$(tap t)" \
	10:10.50.10.4 20:10.50.20.4
wait_until 20 "trunk responder ready" grep -q ready "$T_WORK/responder.log"

# 1. Within a VLAN.
check "ping within VLAN 10 (a -> b)" ip netns exec $A ping -c 3 -i 0.2 -W 2 -q 10.50.10.2
mac_a=$(ns_mac $A "$(tap a)")
check_eq "a's MAC learned on port a in segment 10" "$(fdb_port s 10 "$mac_a")" a

# 2. Across VLANs: nothing reaches c, not even the ARP broadcasts.
c_tx0=$(port_stat s c tx_packets)
check_not "no ping from VLAN 10 to a host on VLAN 20 (a -> c)" \
	ip netns exec $A ping -c 3 -i 0.2 -W 1 -q 10.50.10.3
check_eq "port c (VLAN 20) received no frame from VLAN 10" "$(( $(port_stat s c tx_packets) - c_tx0 ))" 0

# 3. The trunk carries both VLANs, tagged.
check "VLAN 10 access -> trunk sub-interface t.10" ip netns exec $A ping -c 2 -i 0.2 -W 2 -q 10.50.10.4
check "VLAN 20 access -> trunk sub-interface t.20" ip netns exec $C ping -c 2 -i 0.2 -W 2 -q 10.50.20.4
check_not "VLAN 10 host cannot reach t.20's address" ip netns exec $A ping -c 1 -W 1 -q 10.50.20.4

# 4. A tag the trunk does not allow is dropped and counted.
dis0=$(drop_count s vlan-disallowed)
ip netns exec $T "$PY" -c "
from scapy.all import Ether, Dot1Q, IP, ICMP, sendp
sendp(Ether(src='02:00:00:00:30:01', dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=30)/IP(dst='10.50.30.9')/ICMP(),
      iface='$(tap t)', count=3, verbose=0)"
sleep 0.5
check_eq "VLAN 30 frames from the trunk counted as vlan-disallowed" "$(( $(drop_count s vlan-disallowed) - dis0 ))" 3

# 5. A double-tagged frame from an access port (VLAN hopping) is dropped and counted.
# The trunk's tx count must move by nothing but these frames: the pings above leave neighbour
# entries whose reachability the kernels confirm with a unicast ARP about 5 s after their last
# use (delay_first_probe_time), which can land in this window.  Flushed, nothing refreshes them.
for n in $A $B $C $T $D $E; do ip -n "$n" neigh flush all 2>/dev/null; done
dbl0=$(drop_count s vlan-double-tagged)
tr_tx0=$(port_stat s tr tx_packets)
ip netns exec $A "$PY" -c "
from scapy.all import Ether, Dot1Q, IP, UDP, sendp
sendp(Ether(src='$mac_a', dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=10)/Dot1Q(vlan=20)/IP(dst='10.50.20.4')/UDP(dport=9),
      iface='$(tap a)', count=5, verbose=0)"
sleep 0.5
check_eq "double-tagged frames counted as vlan-double-tagged" "$(( $(drop_count s vlan-double-tagged) - dbl0 ))" 5
check_eq "no double-tagged frame reached the trunk" "$(( $(port_stat s tr tx_packets) - tr_tx0 ))" 0

# 6. A MAC move is immediate: d takes a's MAC and speaks.
ip -n $D link set "$(tap d)" address "$mac_a"
ip -n $D addr add 10.50.10.9/24 dev "$(tap d)"
ip netns exec $D ping -c 1 -W 1 -q 10.50.10.2 >/dev/null 2>&1
check_eq "a's MAC moved to port d at once" "$(fdb_port s 10 "$mac_a")" d

# 7. Aging (fdb_aging_s 3): an idle MAC leaves the table.
mac_c=$(ns_mac $C "$(tap c)")
ip netns exec $C ping -c 1 -W 1 -q 10.50.20.4 >/dev/null 2>&1
check_eq "c's MAC learned in segment 20" "$(fdb_port s 20 "$mac_c")" c
aged() { [ "$(fdb_port s 20 "$mac_c")" = none ]; }
wait_until 10 "c's MAC aged out" aged
check_eq "c's MAC aged out after 3 s idle" "$(fdb_port s 20 "$mac_c")" none

# 8. Hot add and remove of a port while a and b talk: a-b loses nothing.
ip -n $D link set "$(tap d)" address 02:00:00:00:0d:01  # give a's MAC back
ip netns exec $A ping -c 60 -i 0.05 -W 1 -q 10.50.10.2 >"$T_WORK/ping-ab.log" 2>&1 &
ping_pid=$!
sleep 0.5
check "port e added at runtime" ctl s port.add \
	'{"name":"e","type":"tap","ifname":"'"$(tap e)"'","netns":"'$E'","tag":10}'
ip -n $E addr add 10.50.10.5/24 dev "$(tap e)"
check "the new port forwards (a -> e)" ip netns exec $A ping -c 2 -i 0.2 -W 2 -q 10.50.10.5
check "port e removed at runtime" ctl s port.del '{"name":"e"}'
check_not "e's tap is gone" ip -n $E link show "$(tap e)"
wait "$ping_pid"
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T_WORK/ping-ab.log")
check_eq "a -> b lost nothing during add/remove (60 pings)" "$loss" 0
err=$(ctl s port.del '{"name":"e"}' 2>&1 >/dev/null)
check "deleting a missing port is an error naming it" grep -q 'port \\"e\\" does not exist' <<<"$err"

# 9. An invalid reload is refused and changes nothing.
cp "$SW_CONF_s" "$T_WORK/good.json"
sed -i 's/"tag":20/"tag":5000/' "$SW_CONF_s"
err=$(ctl s reload 2>&1 >/dev/null)
check "invalid reload refused, naming the field" grep -q 'tag: 5000 out of range 0..4094' <<<"$err"
kill -HUP "$SW_PID_s"
sleep 0.5
check "switchd survives SIGHUP with an invalid config" kill -0 "$SW_PID_s"
check "ports unchanged after the refused reload" ip netns exec $C ping -c 1 -W 2 -q 10.50.20.4
cp "$T_WORK/good.json" "$SW_CONF_s"

t_done
