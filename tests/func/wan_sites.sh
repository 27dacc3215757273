#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The two-site underlay of lib_sites.sh: hosts in different sites reach each other through
# their site routers and a 30 ms (each way) WAN with a 1400-byte MTU; hosts in one site do not
# pay the WAN delay.  A kernel VXLAN (VNI 100) between a host of each site carries a ping over
# the WAN, and the WAN MTU limits the overlay's inner MTU to 1400 - 50 = 1350 bytes: a larger
# inner packet is dropped at the WAN and counted, and an overlay whose MTU is set right refuses
# it up front instead.  Needs root.
source "$(dirname "$0")/lib_sites.sh"

sites_start 30 1400 || { t_done; exit 1; }
H1=wanh1$$ H2=wanh2$$ H3=wanh3$$
site_host 1 "$H1"
site_host 1 "$H3"
site_host 2 "$H2"
check_eq "hosts get per-site underlay addresses" "${SITE_IP[$H1]} ${SITE_IP[$H3]} ${SITE_IP[$H2]}" \
	"$SITES_NET.1.11 $SITES_NET.1.12 $SITES_NET.2.11"

# ARP on both sides of the WAN first, so the RTT figures are pure WAN delay.
ip netns exec "$H1" ping -n -q -c 1 -W 3 "${SITE_IP[$H2]}" >/dev/null
ping_rtt "$H1" "${SITE_IP[$H2]}" 10
check_eq "site 1 -> site 2 over the WAN: 10 of 10 pings" "$PING_RECEIVED" 10
check_range "cross-site minimum RTT (ms)" "$RTT_MIN" 60 75
check_range "cross-site average RTT (ms)" "$RTT_AVG" 60 75
before=$(dl_stat wan a-b rx_frames)
ping_rtt "$H1" "${SITE_IP[$H3]}" 5
check_eq "within site 1: 5 of 5 pings" "$PING_RECEIVED" 5
check_range "within-site average RTT (ms): no WAN delay" "$RTT_AVG" 0 10
check_eq "same-site traffic never reaches the WAN (a-b frames)" "$(($(dl_stat wan a-b rx_frames) - before))" 0

# The WAN's MTU in the underlay: 1400 crosses, 1401 is dropped by the WAN and counted.
check "a 1400-byte underlay packet crosses the WAN" \
	ip netns exec "$H2" ping -n -q -c 1 -W 2 -M do -s 1372 "${SITE_IP[$H1]}"
before=$(dl_stat wan b-a dropped_mtu)
ping_rtt "$H2" "${SITE_IP[$H1]}" 2 -M do -s 1373
check_eq "1401-byte underlay packets do not cross" "$PING_RECEIVED" 0
check_eq "the WAN counts them (b-a dropped_mtu)" "$(($(dl_stat wan b-a dropped_mtu) - before))" 2

# Kernel VXLAN, VNI 100, between H1 (site 1) and H2 (site 2), over the routed WAN.
vx() { # vx HOST LOCAL REMOTE OVERLAY_ADDR
	ip -n "$1" link add vx100 type vxlan id 100 local "$2" remote "$3" dstport 4789 dev up0
	ip -n "$1" link set dev vx100 up
	ip -n "$1" addr add "$4/24" dev vx100
}
vx "$H1" "${SITE_IP[$H1]}" "${SITE_IP[$H2]}" 192.168.100.1
vx "$H2" "${SITE_IP[$H2]}" "${SITE_IP[$H1]}" 192.168.100.2
check_eq "the vxlan device takes its MTU from the 1500-byte site LAN" \
	"$(ip -n "$H1" -o link show dev vx100 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')" 1450
ip netns exec "$H1" ping -n -q -c 1 -W 3 192.168.100.2 >/dev/null
ping_rtt "$H1" 192.168.100.2 5
check_eq "overlay ping across sites (VNI 100): 5 of 5" "$PING_RECEIVED" 5
check_range "overlay average RTT (ms)" "$RTT_AVG" 60 75

# Inner MTU: 1350 inner bytes + 50 of VXLAN/UDP/IP/Ethernet = 1400 outer: crosses.  One more
# inner byte and the outer packet is 1401: the WAN drops it (counted), silently for the sender.
check "a 1350-byte inner packet crosses the WAN in VXLAN" \
	ip netns exec "$H1" ping -n -q -c 1 -W 2 -M do -s 1322 192.168.100.2
before=$(dl_stat wan a-b dropped_mtu)
ping_rtt "$H1" 192.168.100.2 3 -M do -s 1323
check_eq "a 1351-byte inner packet does not arrive" "$PING_RECEIVED" 0
check_eq "the WAN counts the 3 oversize VXLAN packets" "$(($(dl_stat wan a-b dropped_mtu) - before))" 3
# With the overlay MTU set from the WAN MTU, the sender is told up front and the WAN sees
# nothing oversize.
ip -n "$H1" link set dev vx100 mtu 1350
before=$(dl_stat wan a-b dropped_mtu)
out=$(ip netns exec "$H1" ping -n -c 1 -W 2 -M do -s 1323 192.168.100.2 2>&1)
check "with vx100 mtu 1350 the sender gets 'message too long'" grep -qi "message too long" <<<"$out"
check_eq "and nothing oversize reaches the WAN" "$(($(dl_stat wan a-b dropped_mtu) - before))" 0
check "1350 inner bytes still cross" \
	ip netns exec "$H1" ping -n -q -c 1 -W 2 -M do -s 1322 192.168.100.2

# TCP inside the overlay (the host hands its router tunnel-GSO frames; the router segments
# them before the WAN): paced at 20 Mbit/s, it must get through at that rate.
t_bg iperf3-server ip netns exec "$H2" timeout 20 iperf3 -s -1 -B 192.168.100.2 -p 5299
IPERF_PID=$T_LAST_PID
iperf_listening() { ip netns exec "$H2" ss -ltn | grep -q ':5299 '; }
wait_until 5 "iperf3 server" iperf_listening
bps=$(ip netns exec "$H1" timeout 20 iperf3 -c 192.168.100.2 -p 5299 -t 3 -b 20M -J 2>/dev/null |
	"$PY" -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))' 2>/dev/null)
wait "$IPERF_PID" 2>/dev/null
check_range "TCP over VXLAN across the WAN (Mbit/s)" "$(awk -v b="${bps:-0}" 'BEGIN { printf "%.1f", b / 1e6 }')" 15 21
check_eq "every WAN frame was readable (no tunnel GSO reached it)" "$(dl_stat wan a-b dropped_bad)" 0
check_eq "the WAN never ran out of queue" "$(dl_stat wan a-b dropped_queue)" 0

# site_host_start: a cluster-mode switchd on a site host's uplink registers with its site's
# underlay address as VTEP, and the host's own underlay IP still crosses the WAN.
if [ -x "$SWITCHD" ] && [ -x "$DVSDB" ]; then
	db_start
	txn '{"op":"insert","table":"Global","row":{"generation":0}}' >/dev/null
	S1=wans1$$ S2=wans2$$
	site_host_start 1 "$S1"
	site_host_start 2 "$S2"
	registered() { [ "$(host_col "$1" name)" = "$1" ]; }
	for h in "$S1" "$S2"; do wait_until 30 "host $h registered" registered "$h"; done
	check_eq "switchd in site 1 registers its underlay address as VTEP" "$(host_col "$S1" vtep_ip)" "${SITE_IP[$S1]}"
	check_eq "switchd in site 2 registers its underlay address as VTEP" "$(host_col "$S2" vtep_ip)" "${SITE_IP[$S2]}"
	ip netns exec "$S1" ping -n -q -c 1 -W 3 "${SITE_IP[$S2]}" >/dev/null
	ping_rtt "$S1" "${SITE_IP[$S2]}" 5
	check_eq "with switchd on both uplinks the hosts still ping across sites" "$PING_RECEIVED" 5
	check_range "and at the WAN's RTT (ms)" "$RTT_AVG" 60 75
else
	echo "# switchd or dvs-db not built: site_host_start not exercised"
fi
dl_stop wan
check_eq "the WAN delay line exits cleanly" "$?" 0
t_done
