#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dvs-delayline on its own: namespaces A and B, each with a veth into a middle namespace where
# the delay line joins the two.  30 ms each way gives a 60-75 ms ping RTT; a packet above the
# WAN MTU is not delivered and is counted; the counters match the frames sent exactly; offloaded
# TCP (GSO, partial checksums) crosses intact at the configured rate; SIGTERM exits cleanly
# with final counters.  Needs root.
source "$(dirname "$0")/lib_sites.sh"

A=wanA$$ B=wanB$$ M=wanM$$
for ns in "$A" "$B" "$M"; do sites_quiet_ns "$ns"; done
ip link add a0 netns "$A" type veth peer name a netns "$M"
ip link add b0 netns "$B" type veth peer name b netns "$M"
ip -n "$M" link set dev a up
ip -n "$M" link set dev b up
ip -n "$A" link set dev a0 up
ip -n "$B" link set dev b0 up
ip -n "$A" addr add 10.99.0.1/24 dev a0
ip -n "$B" addr add 10.99.0.2/24 dev b0
# Static neighbours: no ARP crosses the line, so its counters are exactly the pings.
ip -n "$A" neigh add 10.99.0.2 lladdr "$(ns_mac "$B" b0)" dev a0 nud permanent
ip -n "$B" neigh add 10.99.0.1 lladdr "$(ns_mac "$A" a0)" dev b0 nud permanent

dl_start line "$M" a b 30 1400 || { t_done; exit 1; }

# Latency: 30 ms each way.
ping_rtt "$A" 10.99.0.2 10
check_eq "10 pings A -> B come back" "$PING_RECEIVED" 10
check_range "minimum RTT (ms)" "$RTT_MIN" 60 75
check_range "average RTT (ms)" "$RTT_AVG" 60 75
check_range "maximum RTT (ms)" "$RTT_MAX" 60 80
check_eq "a-b forwarded exactly the 10 requests" "$(dl_stat line a-b forwarded_frames)" 10
check_eq "b-a forwarded exactly the 10 replies" "$(dl_stat line b-a forwarded_frames)" 10
# 14 (Ethernet) + 20 (IP) + 8 (ICMP) + 56 (ping's default payload) = 98 bytes per frame.
check_eq "a-b forwarded bytes" "$(dl_stat line a-b forwarded_bytes)" 980

# MTU: the WAN's L3 MTU is 1400.  1372 bytes of ICMP payload make exactly 1400: delivered.
# One byte more is dropped by the line and counted; nothing is fragmented (DF).
check "a 1400-byte packet (= WAN MTU) crosses" \
	ip netns exec "$A" ping -n -q -c 1 -W 2 -M do -s 1372 10.99.0.2
ping_rtt "$A" 10.99.0.2 3 -M do -s 1373
check_eq "1401-byte packets are not delivered" "$PING_RECEIVED" 0
check_eq "a-b counts 3 MTU drops" "$(dl_stat line a-b dropped_mtu)" 3
check_eq "b-a has no MTU drop" "$(dl_stat line b-a dropped_mtu)" 0
check_eq "a-b forwarded the one that fit, no more" "$(dl_stat line a-b forwarded_frames)" 11
check_eq "a-b rx = forwarded + dropped" "$(dl_stat line a-b rx_frames)" 14
check_eq "nothing dropped for lack of queue" "$(dl_stat line a-b dropped_queue)" 0

# TCP with offloads (the veth hands the line unsegmented GSO frames with partial checksums)
# through a 40 Mbit/s rate limit: it must arrive intact and near the configured rate.
dl_stop line
check_eq "the first line exited cleanly (status)" "$?" 0
dl_start line2 "$M" a b 5 1500 --rate-mbit 40 --limit-bytes 1048576
t_bg iperf3-server ip netns exec "$B" timeout 20 iperf3 -s -1 -B 10.99.0.2 -p 5299
IPERF_PID=$T_LAST_PID
iperf_listening() { ip netns exec "$B" ss -ltn | grep -q ':5299 '; }
wait_until 5 "iperf3 server" iperf_listening
bps=$(ip netns exec "$A" timeout 20 iperf3 -c 10.99.0.2 -p 5299 -t 3 -J 2>/dev/null |
	"$PY" -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))' 2>/dev/null)
wait "$IPERF_PID" 2>/dev/null
check_range "TCP through a 40 Mbit/s line (Mbit/s)" "$(awk -v b="${bps:-0}" 'BEGIN { printf "%.1f", b / 1e6 }')" 30 41
check_eq "no frame was unreadable (GSO carried)" "$(dl_stat line2 a-b dropped_bad)" 0
check_eq "no write refused" "$(dl_stat line2 a-b dropped_tx)" 0
gso=$(dl_stat line2 a-b forwarded_bytes)
check_ge "a-b carried the data (bytes)" "${gso:-0}" 10000000

# Clean exit on SIGTERM, with the final counters on file.
dl_stop line2
check_eq "the delay line exits 0 on SIGTERM" "$?" 0
check "the final counters name both directions" grep -q "^b-a in=b out=a " "$DL_STATS_line2"
check_ge "final a-b forwarded frames" "$(dl_stat line2 a-b forwarded_frames)" 1

t_done
