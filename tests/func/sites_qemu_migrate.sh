#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A real QEMU live migration across sites (also a round of bench/migrate/run.sh): two sites
# joined by the WAN delay line (30 ms each way, MTU 1400, tests/func/lib_sites.sh), hosts a1
# and a2 on site 1, b1 on site 2, one VXLAN segment across them.  A QEMU guest (TCG, vhost-user) moves
# from a2 to b1 with scripts/dvs-qemu-migrate while a peer on a1 pings it every 20 ms.  The
# peer's RTT to the guest grows by the WAN's 60 ms at the move: one interval between replies
# carries that on top of the interruption.  Prints RESULT {...} (bench/migrate/gap.py) and
# asserts what the cluster test asserts: the migration completed, no ping and no frame lost.
source "$(dirname "$0")/lib_sites.sh"
source "$DVS_SRC/tests/lib/qemu.sh"

dvsctl() { "$DVSCTL" --db "unix:$DB_SOCK" --timeout 15 "$@"; }
db_start
t_bg controller "$CONTROLLER" --db "unix:$DB_SOCK" --name ctl1
dvsctl site add site1 --wan-mtu 1400 --latency-ms 30 >/dev/null
dvsctl site add site2 --wan-mtu 1400 --latency-ms 30 >/dev/null
sites_start 30 1400
A1=${SITES_PFX}a1 A2=${SITES_PFX}a2 B1=${SITES_PFX}b1
for h in "1 $A1" "1 $A2" "2 $B1"; do site_host_start $h >/dev/null; done
dvsctl portgroup add blue --segment blue >/dev/null
MAC=52:54:00:76:00:01
qemu_start vmA --sock "$T_WORK/vm-a2.sock" --mac $MAC --ip 10.76.0.1/24 --server
dvsctl --wait port add vm1 --group blue --host "$A2" --mac $MAC --vhost-user "$T_WORK/vm-a2.sock" \
	--vhost-mode client >/dev/null
vm_ns "mp$$"
dvsctl --wait port add peer --group blue --host "$A1" --tap "mq$$" --netns "mp$$" >/dev/null
wait_until 15 "peer's tap" ip -n "mp$$" link show "mq$$"
ip -n "mp$$" addr add 10.76.0.3/24 dev "mq$$"
qemu_wait_boot vmA 240
reach() { ip netns exec "mp$$" ping -c 1 -W 1 -q 10.76.0.1; }
wait_until 30 "the guest answers on a2" reach && pass "the guest on a2 answers the peer on a1"

PORT=$((20000 + $$ % 10000))
qemu_start vmB --sock "$T_WORK/vm-b1.sock" --mac $MAC --ip 10.76.0.1/24 --server --incoming "tcp:127.0.0.1:$PORT"
for h in "$A1" "$A2" "$B1"; do drops_json "$h" >"$T_WORK/drops0-$h.json"; done
ip netns exec "mp$$" ping -D -i 0.02 -c 500 -W 2 10.76.0.1 >"$T_WORK/ping.log" 2>&1 &
PING=$!
sleep 1
DVSCTL=$DVSCTL "$DVS_SRC/scripts/dvs-qemu-migrate" --db "unix:$DB_SOCK" --port vm1 --to "$B1" \
	--qmp "$(qemu_dir vmA)/qmp.sock" --uri "tcp:127.0.0.1:$PORT" --vhost-socket "$T_WORK/vm-b1.sock" \
	--dest-qmp "$(qemu_dir vmB)/qmp.sock" >"$T_WORK/wrapper.out" 2>&1
check "dvs-qemu-migrate moved the guest and its port to site 2 (exit $?)" test "$(tail -1 "$T_WORK/wrapper.out" | head -c 1)" = "{"
wait "$PING"
tail -1 "$T_WORK/wrapper.out" >"$T_WORK/qemu.json"
tail -2 "$T_WORK/wrapper.out" | head -1 >"$T_WORK/row.json"
result=$("$PY" "$DVS_SRC/bench/migrate/gap.py" --switch dvs-sites --pings 500 --ping-log "$T_WORK/ping.log" \
	--qemu "$T_WORK/qemu.json" --row "$T_WORK/row.json")
echo "$result"
for h in "$A1" "$A2" "$B1"; do echo "drops on $h during the migration: $(drops_since "$h" "$T_WORK/drops0-$h.json")"; done
check_eq "the Migration row completed" "$(jget "$(cat "$T_WORK/row.json")" "r['state']")" complete
check_eq "no ping lost across the cross-site migration" "$(jget "${result#RESULT }" "r['lost']")" 0
check_eq "the Migration row counts no frame lost" "$(jget "$(cat "$T_WORK/row.json")" "r['frames_lost']")" 0
t_done
