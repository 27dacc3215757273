#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Kernel ports: dvs-switchd attaches existing kernel interfaces (the switch-side ends of veth
# pairs this test creates, as a VM's QEMU tap would be) through AF_PACKET and through AF_XDP,
# next to a tap port, all access VLAN 10:
#   - each namespace behind a kernel port pings the tap namespace and the other kernel port;
#   - the ports' rx/tx counters move;
#   - a kernel port hot-removed at runtime stops forwarding, the other ports keep going, and
#     an AF_XDP port leaves no XDP program behind on its interface;
#   - re-adding a removed af_packet port restores forwarding.
source "$(dirname "$0")/lib_switchd.sh"

id=$$
P=dvsKP$id X=dvsKX$id T=dvsKT$id
for n in $P $X $T; do
	t_ns "$n"
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# veth pairs: the guest end goes into its namespace, the switch end stays here for switchd.
VP=kp$id VX=kx$id TT=kt$id
ip link add "$VP" type veth peer name "${VP}g"
T_CLEANUPS+=("ip link del $VP")
ip link add "$VX" type veth peer name "${VX}g"
T_CLEANUPS+=("ip link del $VX")
ip link set "${VP}g" netns "$P"
ip link set "${VX}g" netns "$X"
for v in $VP $VX; do
	ip link set "$v" up
	ip netns exec "$( [ "$v" = "$VP" ] && echo $P || echo $X )" ip link set "${v}g" up
done
ip -n $P addr add 10.81.0.1/24 dev "${VP}g"
ip -n $X addr add 10.81.0.2/24 dev "${VX}g"

port_p='{"name":"vm-pkt","type":"kernel","ifname":"'$VP'","driver":"af_packet","tag":10}'
port_x='{"name":"vm-xdp","type":"kernel","ifname":"'$VX'","driver":"af_xdp","tag":10}'
sw_start s '['"$port_p"','"$port_x"',
 {"name":"t","type":"tap","ifname":"'$TT'","netns":"'$T'","tag":10}]'
ip -n $T addr add 10.81.0.3/24 dev $TT

check "af_packet port: its namespace pings the tap namespace" \
	ip netns exec $P ping -c 3 -i 0.2 -W 2 -q 10.81.0.3
check "af_xdp port: its namespace pings the tap namespace" \
	ip netns exec $X ping -c 3 -i 0.2 -W 2 -q 10.81.0.3
check "af_packet <-> af_xdp" ip netns exec $P ping -c 3 -i 0.2 -W 2 -q 10.81.0.2
check_ge "vm-pkt rx_packets" "$(port_stat s vm-pkt rx_packets)" 6
check_ge "vm-xdp rx_packets" "$(port_stat s vm-xdp rx_packets)" 6
check_ge "vm-xdp tx_packets" "$(port_stat s vm-xdp tx_packets)" 6
check "an XDP program is on $VX while switchd owns it" bash -c "ip link show $VX | grep -q xdp"

check "vm-xdp removed at runtime" ctl s port.del '{"name":"vm-xdp"}'
check_not "... its namespace no longer reaches the tap" ip netns exec $X ping -c 2 -i 0.2 -W 1 -q 10.81.0.3
check "... the af_packet port still does" ip netns exec $P ping -c 2 -i 0.2 -W 2 -q 10.81.0.3
check_not "... and no XDP program is left on $VX" bash -c "ip link show $VX | grep -q xdp"
# Re-adding a removed kernel port (af_packet).  An af_xdp port cannot be re-added on the same
# interface within one switchd process yet (DPDK's net_af_xdp fails its socket with EINVAL;
# see docs/datapath.md "Known limits").
check "vm-pkt removed at runtime" ctl s port.del '{"name":"vm-pkt"}'
check_not "... its namespace no longer reaches the tap" ip netns exec $P ping -c 2 -i 0.2 -W 1 -q 10.81.0.3
out=$(ctl s port.add "$port_p" 2>&1)
check "vm-pkt added back (${out:0:300})" test $? -eq 0
wait_until 10 "vm-pkt forwarding again" ip netns exec $P ping -c 1 -W 1 -q 10.81.0.3
check "... its namespace pings the tap again" ip netns exec $P ping -c 2 -i 0.2 -W 2 -q 10.81.0.3

t_done
