#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's run command: sets the machine up, then runs the product's main job on this one
# machine: a local cluster.  dvs-db, dvs-controller, three hypervisor "hosts" (network
# namespaces, each with its own dvs-switchd whose uplink is a trunk into a shared bridge, the
# physical switch), port groups and ports made with dvsctl, "VMs" (namespaces on tap ports)
# pinging across hosts, VLAN isolation, a port-group change applied cluster-wide (--wait),
# `dvsctl show`, per-host counters and drops.  Everything it creates is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates network namespaces)"; exit 1; }
bash scripts/setup.sh >/dev/null
export DVS_BUILD=$PWD/build DVS_SRC=$PWD
set +e
source tests/func/lib_cluster.sh
set +u

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
DVSCTL_DB=("$DVSCTL" --db "unix:$DB_SOCK")
dvsctl() { "${DVSCTL_DB[@]}" "$@"; }

say "starting dvs-db, dvs-controller and three hosts (h1, h2, h3)"
fabric_start
db_start
t_bg controller "$CONTROLLER" --db "unix:$DB_SOCK" --name controller1
for h in h1 h2 h3; do host_start "$h" >/dev/null; done
registered() { [ "$(host_col "$1" name)" = "$1" ]; }
for h in h1 h2 h3; do wait_until 30 "host $h" registered "$h" || exit 1; done
dvsctl site add dc1

say "port groups: web (VLAN 10, egress shaped to 100 Mbit/s), db (VLAN 20)"
dvsctl portgroup add web --access 10 --egress-average 100M --egress-burst 256K
dvsctl portgroup add db --access 20
for v in 1 2 3; do vm_ns "dvsdemo-vm$v"; done
dvsctl --wait port add vm1 --group web --host h1 --tap dvsdemo1 --netns dvsdemo-vm1
dvsctl --wait port add vm2 --group web --host h2 --tap dvsdemo2 --netns dvsdemo-vm2
dvsctl --wait port add vm3 --group db --host h3 --tap dvsdemo3 --netns dvsdemo-vm3
tap_up() { ip -n "$1" link show "$2" >/dev/null 2>&1; }
for v in 1 2 3; do
	wait_until 20 "vm$v's port" tap_up "dvsdemo-vm$v" "dvsdemo$v" || exit 1
	ip -n "dvsdemo-vm$v" addr add "10.77.0.$v/24" dev "dvsdemo$v"
done

say "vm1 (h1) -> vm2 (h2), both in web: expect replies"
ip netns exec dvsdemo-vm1 ping -c 3 -i 0.2 -W 2 10.77.0.2 || { echo "demo: FAILED"; exit 1; }
say "vm1 (h1) -> vm3 (h3, group db on VLAN 20): expect no reply"
if ip netns exec dvsdemo-vm1 ping -c 2 -i 0.2 -W 1 -q 10.77.0.3; then
	echo "demo: FAILED: VLAN 10 reached VLAN 20"; exit 1
fi

say "move group db to VLAN 10 and wait until every host has applied it"
time dvsctl --wait portgroup set db --access 10
say "vm1 (h1) -> vm3 (h3) now: expect replies"
ip netns exec dvsdemo-vm1 ping -c 3 -i 0.2 -W 2 10.77.0.3 || { echo "demo: FAILED"; exit 1; }

say "dvsctl show"
dvsctl show
say "dvsctl host h1 stats"
dvsctl host h1 stats
say "dvsctl host h1 drops --nonzero"
dvsctl host h1 drops --nonzero
say "done: cleaning up"
t_done >/dev/null
