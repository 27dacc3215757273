#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's run command: sets the machine up, then runs the product's main job on this one
# machine.  Today: one dvs-switchd with "VMs" in network namespaces on tap ports, VLAN 10 and
# VLAN 20.  It shows ping within a VLAN, isolation across VLANs, the port counters, the FDB
# and the drop counters, and removes everything it created.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates network namespaces)"; exit 1; }
bash scripts/setup.sh >/dev/null

B=$PWD/build
work=$(mktemp -d /tmp/dvs-demo.XXXXXX)
ns=(dvsdemo-vm1 dvsdemo-vm2 dvsdemo-vm3)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	for n in "${ns[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

for n in "${ns[@]}"; do ip netns add "$n"; done
cat >"$work/switchd.json" <<JSON
{"lcores": [1], "idle_sleep_us": 100, "ctl_socket": "$work/switchd.sock",
 "ports": [
  {"name": "vm1", "type": "tap", "ifname": "dvsdemo1", "netns": "dvsdemo-vm1", "vlan_mode": "access", "tag": 10},
  {"name": "vm2", "type": "tap", "ifname": "dvsdemo2", "netns": "dvsdemo-vm2", "vlan_mode": "access", "tag": 10},
  {"name": "vm3", "type": "tap", "ifname": "dvsdemo3", "netns": "dvsdemo-vm3", "vlan_mode": "access", "tag": 20}
 ]}
JSON
echo "== starting dvs-switchd (config $work/switchd.json)"
"$B/datapath/dvs-switchd" --config "$work/switchd.json" >"$work/switchd.log" 2>&1 &
pid=$!
for _ in $(seq 50); do [ -S "$work/switchd.sock" ] && break; sleep 0.2; done
[ -S "$work/switchd.sock" ] || { cat "$work/switchd.log"; echo "demo: switchd did not start"; exit 1; }
for i in 1 2 3; do
	ip -n "dvsdemo-vm$i" addr add "10.77.0.$i/24" dev "dvsdemo$i"
	ip -n "dvsdemo-vm$i" link set lo up
done
ctl() { "$B/cli/dvsctl" --switchd "$work/switchd.sock" "$@"; }

echo; echo "== ports"; ctl port list
echo; echo "== vm1 -> vm2 (both VLAN 10): expect replies"
ip netns exec dvsdemo-vm1 ping -c 3 -i 0.2 -W 1 10.77.0.2
echo; echo "== vm1 -> vm3 (VLAN 20): expect no reply (segments are isolated)"
if ip netns exec dvsdemo-vm1 ping -c 3 -i 0.2 -W 1 10.77.0.3; then
	echo "demo: ERROR: VLAN 10 reached VLAN 20"; exit 1
fi
echo; echo "== port counters"; ctl stats
echo; echo "== learned MACs"; ctl fdb show
echo; echo "== drop counters"; ctl drops
echo; echo "demo: done (cleaning up)"
