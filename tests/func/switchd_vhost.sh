#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vhost-user ports with DPDK virtio_user guests (testpmd in icmpecho mode answers ping):
# client mode, server mode, multi-queue, the guest side restarting (switchd reconnects), and
# switchd restarting while the guest keeps running (the guest is never restarted), and a
# reload that re-creates a port on its own socket.
source "$(dirname "$0")/lib_switchd.sh"

id=$$
A=dvsA$id B=dvsB$id
for n in $A $B; do
	t_ns "$n"
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
TAPA=dv${id}a TAPB=dv${id}b
# icmpecho guests answer for any address, so each guest has a VLAN of its own.
ports='[{"name":"a","type":"tap","ifname":"'$TAPA'","netns":"'$A'","tag":10},
 {"name":"b","type":"tap","ifname":"'$TAPB'","netns":"'$B'","tag":20},
 {"name":"vm1","type":"vhost-user","path":"'$T_WORK'/vm1.sock","client":true,"queues":2,"tag":10},
 {"name":"vm2","type":"vhost-user","path":"'$T_WORK'/vm2.sock","client":false,"tag":20}]'

# vm1: the guest is the vhost-user server (QEMU's usual server=on), switchd the client.
guest_start vm1 "$T_WORK/vm1.sock" 52:54:00:10:00:01 1 2
sleep 1
sw_start s "$ports"
ip -n "$A" addr add 10.60.0.1/24 dev "$TAPA"
ip -n "$B" addr add 10.61.0.1/24 dev "$TAPB"
# vm2: switchd is the server; the guest connects as a client.
wait_until 10 "vm2 socket" test -S "$T_WORK/vm2.sock"
guest_start vm2 "$T_WORK/vm2.sock" 52:54:00:10:00:02 0
link_up() { [ "$(jget "$(ctl s ports.list)" "[p['status'] for p in r if p['name']=='$1'][0]")" = up ]; }
wait_until 20 "vm1 link up" link_up vm1
wait_until 20 "vm2 link up" link_up vm2
guest_icmpecho vm1
guest_icmpecho vm2

check "ping a guest on a client-mode vhost port" ip netns exec "$A" ping -c 3 -i 0.2 -W 2 -q 10.60.0.2
check_ge "vm1 port counted the echo replies" "$(port_stat s vm1 rx_packets)" 4
check_eq "vm2 (VLAN 20) saw nothing of VLAN 10" "$(port_stat s vm2 tx_packets)" 0
check_eq "vm1 has 2 rx queues (multi-queue)" \
	"$(jget "$(ctl s ports.list)" "[p['rx_queues'] for p in r if p['name']=='vm1'][0]")" 2
check_eq "both of vm1's queues are polled" \
	"$(jget "$(ctl s lcores.show)" "sum(1 for q in r[0]['rx_queues'] if q.startswith('vm1/'))")" 2
check "ping a guest on a server-mode vhost port" ip netns exec "$B" ping -c 3 -i 0.2 -W 2 -q 10.61.0.2
check_ge "vm2 port counted the echo replies" "$(port_stat s vm2 rx_packets)" 4

# The guest side restarts: switchd (client) reconnects on its own.
kill "$GUEST_PID_vm1"; wait "$GUEST_PID_vm1" 2>/dev/null
guest_start vm1 "$T_WORK/vm1.sock" 52:54:00:10:00:01 1 2
wait_until 20 "vm1 link up again" link_up vm1
guest_icmpecho vm1
ip -n "$A" neigh flush all
check "client mode reconnects after the guest restarts" \
	ip netns exec "$A" ping -c 3 -i 0.2 -W 2 -q 10.60.0.2

# switchd restarts; the guest process keeps running and is reconnected.
guest_pid=$GUEST_PID_vm1
kill "$SW_PID_s"; wait "$SW_PID_s" 2>/dev/null
check_not "the tap went away with switchd" ip -n "$A" link show "$TAPA"
sw_start s "$ports"
ip -n "$A" addr add 10.60.0.1/24 dev "$TAPA"
wait_until 20 "vm1 link up after switchd restart" link_up vm1
check "the guest kept running across the switchd restart" kill -0 "$guest_pid"
check "ping the guest after the switchd restart" ip netns exec "$A" ping -c 3 -i 0.2 -W 2 -q 10.60.0.2

# A reload that re-creates a port's device on the same socket (vm2 gets 2 queues): the old
# device must let go of the path before the new one takes it.
sed -i 's|"client":false,"tag":20|"client":false,"queues":2,"tag":20|' "$SW_CONF_s"
check "reload re-creating vm2 on its socket with 2 queues" ctl s reload
kill "$GUEST_PID_vm2"; wait "$GUEST_PID_vm2" 2>/dev/null
wait_until 10 "vm2 socket re-created" test -S "$T_WORK/vm2.sock"
guest_start vm2 "$T_WORK/vm2.sock" 52:54:00:10:00:02 0 2
wait_until 20 "vm2 link up on the re-created port" link_up vm2
guest_icmpecho vm2
check_eq "vm2 has 2 rx queues after the reload" \
	"$(jget "$(ctl s ports.list)" "[p['rx_queues'] for p in r if p['name']=='vm2'][0]")" 2
# (tap b came back with the restarted switchd, without its address)
ip -n "$B" addr add 10.61.0.1/24 dev "$TAPB"
check "ping the guest on the re-created port" ip netns exec "$B" ping -c 3 -i 0.2 -W 2 -q 10.61.0.2
check "vm1 kept its port across vm2's re-creation" ip netns exec "$A" ping -c 2 -i 0.2 -W 2 -q 10.60.0.2

t_done
