#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two sites joined by a WAN (30 ms each way through the project's delay line, 1400-byte MTU),
# three hosts (two in site 1, one in site 2), VXLAN segments stretched across them: guests
# ping across hosts and sites, segments stay isolated, a frame too big for the WAN is counted
# by the switch (the WAN never sees it), and a port migrates across sites with its state,
# through a dvs-db crash at the moment of its activation.
source "$(dirname "$0")/lib_cluster.sh"
source "$(dirname "$0")/lib_sites.sh"

db_start
t_bg controller "$CONTROLLER" --db "unix:$DB_SOCK" --name ctl1
dvsctl() { "$DVSCTL" --db "unix:$DB_SOCK" --timeout 15 "$@"; }
check "sites with a 1400-byte WAN MTU" bash -c "'$DVSCTL' --db unix:$DB_SOCK site add site1 --wan-mtu 1400 --latency-ms 30 && '$DVSCTL' --db unix:$DB_SOCK site add site2 --wan-mtu 1400 --latency-ms 30"
sites_start 30 1400
A1=${SITES_PFX}a1 A2=${SITES_PFX}a2 B1=${SITES_PFX}b1
site_host_start 1 "$A1"
site_host_start 1 "$A2"
site_host_start 2 "$B1"
dvsctl portgroup add blue --segment blue >/dev/null
dvsctl portgroup add red --segment red >/dev/null
for v in 1 2 3 4; do vm_ns "sv$v$$"; done
dvsctl --wait port add vm1 --group blue --host "$A1" --tap "s$$"1 --netns "sv1$$" >/dev/null
dvsctl --wait port add vm2 --group blue --host "$A2" --tap "s$$"2 --netns "sv2$$" >/dev/null
dvsctl --wait port add vm3 --group blue --host "$B1" --tap "s$$"3 --netns "sv3$$" >/dev/null
dvsctl --wait port add vm4 --group red --host "$B1" --tap "s$$"4 --netns "sv4$$" >/dev/null
tap_up() { ip -n "sv$1$$" link show "s$$$1" >/dev/null 2>&1; }
for v in 1 2 3 4; do wait_until 20 "vm$v's tap" tap_up $v; ip -n "sv$v$$" addr add "10.75.0.$v/24" dev "s$$$v"; done

check "blue within site 1: vm1 -> vm2" ip netns exec "sv1$$" ping -c 3 -i 0.2 -W 2 -q 10.75.0.2
reach3() { ip netns exec "sv1$$" ping -c 1 -W 2 -q 10.75.0.3; }
wait_until 20 "vm3 across the WAN" reach3
ping_rtt "sv1$$" 10.75.0.3 5 -i 0.2
# Every reply crossed the WAN twice (min >= 60 ms), and the path adds no more than 30 ms of
# its own (the minimum: the average also carries scheduling delays of a loaded machine).
check "blue across sites: vm1 (site 1) -> vm3 (site 2), RTT min ${RTT_MIN} / avg ${RTT_AVG} ms over the 2x30 ms WAN" \
	bash -c "[ '$PING_RECEIVED' -eq 5 ] && awk 'BEGIN { exit !($RTT_MIN >= 60 && $RTT_MIN < 90) }'"
check_not "red (vm4, site 2) is isolated from blue" ip netns exec "sv1$$" ping -c 2 -i 0.2 -W 1 -q 10.75.0.4

# A frame too big for the WAN once encapsulated is refused by the switch and counted there.
m0=$(drop_count "$A1" tunnel-mtu)
w0=$(dl_stat wan a-b dropped_mtu)
ip netns exec "sv1$$" ping -c 3 -i 0.2 -W 1 -q -s 1372 -M do 10.75.0.3 >/dev/null 2>&1
check_ge "oversized frames to site 2 counted as tunnel-mtu drops on $A1" "$(( $(drop_count "$A1" tunnel-mtu) - m0 ))" 3
check_eq "... and the WAN never had to drop one" "$(( $(dl_stat wan a-b dropped_mtu) - w0 ))" 0
check "frames that fit cross: 1300-byte pings" ip netns exec "sv1$$" ping -c 2 -i 0.3 -W 2 -q -s 1300 10.75.0.3
check "the same size stays unfragmented within site 1 (1500 MTU)" ip netns exec "sv1$$" ping -c 2 -i 0.3 -W 2 -q -s 1400 -M do 10.75.0.2

# A VM moves across sites (DPDK guests stand for the VM: a tap "VM" cannot move): g1 on a
# site-1 host, the peer vm1 pinging it; it continues as g2 in site 2 with its state.
MAC=52:54:00:75:00:05
guest_start g1 "$T_WORK/vm5-a.sock" $MAC 1
dvsctl --wait port add vm5 --group blue --host "$A2" --mac $MAC --vhost-user "$T_WORK/vm5-a.sock" \
	--vhost-mode client >/dev/null
port_up() { [ "$(jget "$(ctl "$1" ports.list)" "[p['status'] for p in r if p['name']=='vm5'][0]" 2>/dev/null)" = up ]; }
wait_until 30 "g1 attached in site 1" port_up "$A2"
guest_icmpecho g1
reach5() { ip netns exec "sv1$$" ping -c 1 -W 1 -q 10.75.0.5; }
wait_until 20 "vm5 answers in site 1" reach5 && pass "vm5 answers in site 1"
rx0=$(port_stat "$A2" vm5 rx_packets)
guest_start g2 "$T_WORK/vm5-b.sock" $MAC 1
check "dvsctl migrate vm5 to site 2" dvsctl migrate vm5 --to "$B1" --vhost-socket "$T_WORK/vm5-b.sock"
LAST="max((m for m in r if m['port']=='vm5'), key=lambda m: m['timestamps']['prepare'])"
mstate() { jget "$(dvsctl --format json migration list)" "$LAST['state']"; }
ready() { [ "$(mstate)" = activating ]; }
wait_until 30 "destination ready in site 2" ready && pass "site 2 built vm5 and imported its state"
wait_until 30 "g2 attached in site 2" port_up "$B1"
guest_icmpecho g2
# dvs-db dies at the activation: frozen (SIGSTOP) when the guest's first frame in site 2
# activates the port, so the destination's Migration write is sent but never answered; then
# killed and started again.  The destination sends the write again after its resync, and the
# migration completes.
kill -STOP "$DB_PID"
guest_cmd g2 stop
guest_cmd g2 "start tx_first" # frames from vm5's MAC: the guest's first frame in site 2
activated() { grep -q "port vm5: activated by first-frame" "$T_WORK/switchd-$B1.log"; }
wait_until 20 "activation in site 2 by the guest's first frame, dvs-db frozen" activated
sleep 0.5
db_crash
db_start
check "the destination sent its lost Migration write again" \
	grep -q "row update failed .*; sending it again" "$T_WORK/switchd-$B1.log"
redirected() { [ "$(mstate)" = redirect ] || [ "$(mstate)" = complete ]; }
wait_until 30 "activation in site 2" redirected
kill "$GUEST_PID_g1"
done_() {
	local s t0
	t0=$(date +%T.%N)
	s=$(dvsctl --format json migration list 2>&1)
	echo "$t0 -> $(date +%T.%N) $s" | head -c 300 >>"$T_WORK/mstate.trace"
	echo >>"$T_WORK/mstate.trace"
	[ "$(jget "$s" "$LAST['state']")" = complete ]
}
if try_until 30 "migration complete" done_; then pass "the cross-site migration completed"
else
	log "migration rows: $(dvsctl --format json migration list)"
	log "what the wait saw: $(head -c 3000 "$T_WORK/mstate.trace")"
	fail "timed out after 30s waiting for: migration complete"
fi
check_eq "vm5 is bound in site 2" "$(jget "$(txn '{"op":"select","table":"Port","where":[["key","==","vm5"]]}')" "r[0]['rows'][0]['requested_host']")" "$B1"
check_ge "vm5's counters continued in site 2" "$(port_stat "$B1" vm5 rx_packets)" "$rx0"
ping_rtt "sv1$$" 10.75.0.5 5 -i 0.2
check "vm1 (site 1) reaches vm5 in site 2 over the WAN (RTT ${RTT_AVG} ms)" \
	bash -c "[ '$PING_RECEIVED' -eq 5 ] && awk 'BEGIN { exit !($RTT_AVG >= 60) }'"
t_done
