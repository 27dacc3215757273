#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's run command: sets the machine up, then runs the whole product on this one
# machine.  dvs-db and dvs-controller; two sites joined by a WAN (30 ms each way, 1400-byte
# MTU, through the project's delay line); three hypervisor "hosts" (network namespaces with a
# dvs-switchd each: a1 and a2 in site 1, b1 in site 2); a port group on a VXLAN segment with an
# ACL and egress shaping; "VMs" pinging across hosts and sites; then the live migration of a
# real QEMU guest from site 1 to site 2 under a ping every 20 ms, and its report: blackout,
# frames lost, counters carried over.  Everything it creates is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates network namespaces)"; exit 1; }
bash scripts/setup.sh >/dev/null
export DVS_BUILD=$PWD/build DVS_SRC=$PWD
set +eu
source tests/func/lib_cluster.sh
source tests/func/lib_sites.sh
source tests/lib/qemu.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
dvsctl() { "$DVSCTL" --db "unix:$DB_SOCK" --timeout 15 "$@"; }
die() { echo "demo: FAILED: $*"; exit 1; }

say "dvs-db, dvs-controller, two sites (WAN: 30 ms each way, MTU 1400), hosts a1 a2 (site1) b1 (site2)"
db_start
t_bg controller "$CONTROLLER" --db "unix:$DB_SOCK" --name controller1
dvsctl site add site1 --wan-mtu 1400 --latency-ms 30
dvsctl site add site2 --wan-mtu 1400 --latency-ms 30
sites_start 30 1400
A1=${SITES_PFX}a1 A2=${SITES_PFX}a2 B1=${SITES_PFX}b1
for h in "1 $A1" "1 $A2" "2 $B1"; do site_host_start $h >/dev/null; done

say "port group web: VXLAN segment, egress shaped to 100 Mbit/s, telnet rejected"
dvsctl portgroup add web --segment web --egress-average 100M --egress-burst 256K
dvsctl acl add web --direction to-port --action reject --protocol tcp --dst-port 23 --priority 100
dvsctl acl list web
vm_ns dvsdemo-vm1; vm_ns dvsdemo-vm3
dvsctl --wait port add vm1 --group web --host "$A1" --tap dvsdemo1 --netns dvsdemo-vm1
dvsctl --wait port add vm3 --group web --host "$B1" --tap dvsdemo3 --netns dvsdemo-vm3
tap_up() { ip -n "$1" link show "$2" >/dev/null 2>&1; }
wait_until 20 "vm1" tap_up dvsdemo-vm1 dvsdemo1 && wait_until 20 "vm3" tap_up dvsdemo-vm3 dvsdemo3 || die "ports"
ip -n dvsdemo-vm1 addr add 10.77.0.1/24 dev dvsdemo1
ip -n dvsdemo-vm3 addr add 10.77.0.3/24 dev dvsdemo3

say "a QEMU guest (vmq, 10.77.0.9) on a2, booting (TCG: this takes a while)"
MAC=52:54:00:77:00:09
qemu_start vmq --sock "$T_WORK/vmq-a2.sock" --mac $MAC --ip 10.77.0.9/24 --server
dvsctl --wait port add vmq --group web --host "$A2" --mac $MAC --vhost-user "$T_WORK/vmq-a2.sock" --vhost-mode client
qemu_wait_boot vmq 240

say "vm1 (site 1, a1) -> vm3 (site 2, b1): across the WAN"
ip netns exec dvsdemo-vm1 ping -c 3 -i 0.3 -W 2 10.77.0.3 || die "cross-site ping"
say "vm1 (a1) -> the QEMU guest (a2)"
reach() { ip netns exec dvsdemo-vm1 ping -c 1 -W 1 -q 10.77.0.9; }
wait_until 30 "guest" reach || die "guest unreachable"
ip netns exec dvsdemo-vm1 ping -c 3 -i 0.2 -W 2 10.77.0.9
say "dvsctl show"
dvsctl show

say "live migration of vmq from a2 (site 1) to b1 (site 2), a ping every 20 ms from vm1"
rx_before=$(port_stat "$A2" vmq rx_packets)
PORT=$((20000 + $$ % 10000))
qemu_start vmq2 --sock "$T_WORK/vmq-b1.sock" --mac $MAC --ip 10.77.0.9/24 --server --incoming "tcp:127.0.0.1:$PORT"
ip netns exec dvsdemo-vm1 ping -D -i 0.02 -c 400 -W 1 10.77.0.9 >"$T_WORK/ping.log" 2>&1 &
PING=$!
sleep 1
DVSCTL=$DVSCTL scripts/dvs-qemu-migrate --db "unix:$DB_SOCK" --port vmq --to "$B1" \
	--qmp "$(qemu_dir vmq)/qmp.sock" --uri "tcp:127.0.0.1:$PORT" --vhost-socket "$T_WORK/vmq-b1.sock" \
	>"$T_WORK/migrate.out" || { cat "$T_WORK/migrate.out"; die "migration"; }
wait "$PING"
dvsctl migration list
read -r lost gap missing <<<"$("$PY" - "$T_WORK/ping.log" <<'PYX'
import re, sys
t = {}
for line in open(sys.argv[1]):
    m = re.match(r'\[(\d+\.\d+)\].*icmp_seq=(\d+)', line)
    if m: t[int(m.group(2))] = float(m.group(1))
s = sorted(t)
miss = [i for i in range(1, 401) if i not in t]
print(400 - len(t), int(1000 * max((t[b] - t[a]) for a, b in zip(s, s[1:]))) if len(s) > 1 else 0,
      ",".join(map(str, miss)) or "-")
PYX
)"
say "report"
row=$(sed -n 1p <(tail -2 "$T_WORK/migrate.out"))
qm=$(tail -1 "$T_WORK/migrate.out")
echo "  QEMU downtime:            $(jget "$qm" "r.get('downtime')") ms (total $(jget "$qm" "r.get('total-time')") ms)"
echo "  DVS blackout:             $(jget "$row" "(r['blackout_us'] or 0) / 1000") ms (activated by $(jget "$row" "r['activated_by']"))"
echo "  pings lost (of 400):      $lost   largest gap: $gap ms   (missing icmp_seq: $missing)"
for h in "$A1" "$A2" "$B1"; do
	echo "  drops on $h:  $(ctl "$h" drops.show | "$PY" -c 'import json,sys; print(", ".join("%s=%d" % (d["reason"], d["count"]) for d in json.load(sys.stdin) if d["count"]) or "none")')" \
		"  (by port: $(ctl "$h" ports.stats | "$PY" -c 'import json,sys; print(", ".join("%s rx %d tx %d" % (p["name"], p["rx_dropped"], p["tx_dropped"]) for p in json.load(sys.stdin) if p["rx_dropped"] or p["tx_dropped"]) or "none")'))"
done
echo "  frames lost at the source: $(jget "$row" "r['frames_lost']")"
echo "  counters carried over:    rx_packets $rx_before on a2 before -> $(port_stat "$B1" vmq rx_packets) on b1 after"
say "done: cleaning up"
t_done >/dev/null
