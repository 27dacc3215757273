#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ARP suppression on a VXLAN segment spanning three hosts: the controller publishes each
# port's IPs with its MAC location (MacLocation.ips); with the group's arp_suppression on, a
# guest's ARP request for a remote guest's IP is answered by its own host's switchd (the
# right MAC, nothing sent into the tunnels, counted as arp-suppressed), and the kernel's own
# ARP then lets a ping through.  Unknown targets, gratuitous ARP, and every request once the
# option is off are flooded to the other VTEPs as before.
source "$(dirname "$0")/lib_cluster.sh"

cluster_start 3
for v in 1 2 3; do vm_ns "as$v$$"; done
M1=02:73:00:00:00:01 M2=02:73:00:00:00:02 M3=02:73:00:00:00:03
check "port group blue with --arp-suppression on" dvsctl portgroup add blue --segment blue --arp-suppression on
vni_of() { jget "$(txn '{"op":"select","table":"Segment","where":[["name","==","'"$1"'"]]}')" "r[0]['rows'][0]['vni']"; }
has_vni() { [ "$(vni_of "$1")" -gt 0 ] 2>/dev/null; }
wait_until 10 "VNI for blue" has_vni blue

for v in 1 2 3; do
	m=M$v
	dvsctl --wait port add "vm$v" --group blue --host "h$v" --tap "a$$$v" --netns "as$v$$" \
		--mac "${!m}" --ip "10.73.0.$v" >/dev/null
done
tap_up() { ip -n "as$1$$" link show "a$$$1" >/dev/null 2>&1; }
for v in 1 2 3; do
	m=M$v
	wait_until 15 "vm$v's tap" tap_up $v
	ip -n "as$v$$" link set "a$$$v" address "${!m}"
	ip -n "as$v$$" addr add "10.73.0.$v/24" dev "a$$$v"
done

# The controller publishes vm2's location with its IP; h1 installs it.
macloc_ips() { jget "$(txn '{"op":"select","table":"MacLocation","where":[["mac","==","'"$1"'"]]}')" \
	"(lambda v: ' '.join(sorted(v[1] if isinstance(v, list) else [v])))((r[0]['rows'] or [{}])[0].get('ips', ['set', []]))"; }
has_ips() { [ "$(macloc_ips "$1")" = "$2" ]; }
wait_until 15 "MacLocation of vm2 with its IP" has_ips $M2 10.73.0.2 &&
	pass "MacLocation of vm2 carries its IP (ips = $(macloc_ips $M2))"
published() { jget "$(ctl h1 fdb.show)" "exit(0 if any(e['mac']=='$1' and e['type']=='published' for e in r) else 1)"; }
both_published() { published $M2 && published $M3; }
wait_until 15 "vm2's and vm3's MACs published on h1" both_published

tun_stat() { # HOST REMOTE_IP FIELD: a tunnel's counters on HOST
	jget "$(ctl "$1" ports.stats)" "sum(x['$3'] for x in r if x['name']=='vxlan:$2')"; }
tun_tx() { echo "$(tun_stat h1 10.99.0.2 tx_packets) $(tun_stat h1 10.99.0.3 tx_packets)"; }
# tx_growth BEFORE: how many more frames h1 sent to h2 and to h3 since BEFORE ("N2 N3").
tx_growth() { local b=($1) a=($(tun_tx)); echo "$((a[0] - b[0])) $((a[1] - b[1]))"; }
# arp_req TARGET_IP [COUNT] [SENDER_IP]: broadcast ARP requests from vm1 (scapy, raw).
arp_req() {
	ip netns exec "as1$$" "$PY" -c "from scapy.all import *
sendp(Ether(src='$M1', dst='ff:ff:ff:ff:ff:ff')/ARP(op=1, hwsrc='$M1', psrc='${3:-10.73.0.1}', pdst='$1'), iface='a$$'+'1', count=${2:-10}, verbose=0)"
}
# vm1's kernel stays quiet during the counted windows (no ARP of its own).
ip -n "as1$$" link set "a$$"1 arp off
sleep 1

# 1. On: a request for vm2's IP (on h2) is answered on h1 with vm2's MAC, nothing crosses.
b=$(tun_tx); s0=$(drop_count h1 arp-suppressed)
reply=$(ip netns exec "as1$$" "$PY" -c "from scapy.all import *
a = srp1(Ether(src='$M1', dst='ff:ff:ff:ff:ff:ff')/ARP(op=1, hwsrc='$M1', psrc='10.73.0.1', pdst='10.73.0.2'), iface='a$$'+'1', timeout=3, verbose=0)
print('none' if a is None else ' '.join([a.src, a.dst, str(a[ARP].op), a[ARP].hwsrc, a[ARP].psrc, a[ARP].hwdst, a[ARP].pdst]))")
check_eq "ARP reply for 10.73.0.2: from vm2's MAC to vm1, op 2, sha/spa/tha/tpa" "$reply" \
	"$M2 $M1 2 $M2 10.73.0.2 $M1 10.73.0.1"
arp_req 10.73.0.3 10
sleep 0.5
check_eq "11 requests for remote IPs: nothing sent into the tunnels to h2 and h3" "$(tx_growth "$b")" "0 0"
check_eq "... all 11 counted as arp-suppressed on h1" "$(( $(drop_count h1 arp-suppressed) - s0 ))" 11

# 2. Unknown target, gratuitous ARP: flooded to both other VTEPs as before.
b=$(tun_tx); s0=$(drop_count h1 arp-suppressed)
arp_req 10.73.0.77 10
sleep 0.5
check_eq "10 requests for an unknown IP: flooded to h2 and h3, 10 each" "$(tx_growth "$b")" "10 10"
b=$(tun_tx)
arp_req 10.73.0.2 10 10.73.0.2
sleep 0.5
check_eq "10 gratuitous requests (sender IP = target IP): flooded, 10 each" "$(tx_growth "$b")" "10 10"
check_eq "... none of them suppressed" "$(( $(drop_count h1 arp-suppressed) - s0 ))" 0

# 3. The guest's own ARP (kernel): its neighbour table gets vm2's MAC, and ping works.
ip -n "as1$$" link set "a$$"1 arp on
ip -n "as1$$" neigh flush all
s0=$(drop_count h1 arp-suppressed)
check "vm1 -> vm2 (h2) ping over VXLAN" ip netns exec "as1$$" ping -c 3 -i 0.2 -W 2 -q 10.73.0.2
check_eq "vm1's neighbour entry for 10.73.0.2 is vm2's MAC" \
	"$(ip -n "as1$$" neigh show 10.73.0.2 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')" "$M2"
check_ge "... answered by h1's switchd (arp-suppressed grew)" "$(( $(drop_count h1 arp-suppressed) - s0 ))" 1

# 4. Off: the same requests are flooded to every other VTEP again.
check "portgroup set blue --arp-suppression off" dvsctl --wait portgroup set blue --arp-suppression off
ip -n "as1$$" link set "a$$"1 arp off
sleep 1
b=$(tun_tx); s0=$(drop_count h1 arp-suppressed)
arp_req 10.73.0.2 10
sleep 0.5
check_eq "off: 10 requests for vm2's IP flooded to h2 and h3, 10 each" "$(tx_growth "$b")" "10 10"
check_eq "off: none suppressed" "$(( $(drop_count h1 arp-suppressed) - s0 ))" 0
ip -n "as1$$" link set "a$$"1 arp on
ip -n "as1$$" neigh flush all
check "off: vm1 -> vm3 (h3) ping (vm3 answers its own ARP)" ip netns exec "as1$$" ping -c 2 -i 0.2 -W 2 -q 10.73.0.3

t_done
