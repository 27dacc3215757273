#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One round of the migration benchmark on OVS-DPDK 3.1, the peer of DVS's
# tests/func/cluster_qemu_migrate.sh: the same QEMU live migration (TCG guest, vhost-user,
# tests/lib/qemu.sh) with the same 20 ms ping from a peer namespace, on one private OVS-DPDK
# instance (bench/lib/ovs_dpdk.sh, --no-pci): one netdev bridge, NORMAL action, the source
# and the destination QEMU on two dpdkvhostuserclient ports, the peer's veth as a third port.
# OVS has no migration protocol: the guest's own announcement after the switch-over moves its
# MAC (learning).  Prints one line: RESULT {"switch": "ovs-dpdk", lost, gap_ms, ...}.
#
#   bench/migrate/ovs_round.sh        (root; run under flock /tmp/dvs-heavy.lock)
source "$(dirname "$0")/../../tests/lib/common.sh"
source "$DVS_SRC/tests/lib/qemu.sh"
source "$DVS_SRC/bench/lib/ovs_dpdk.sh"
require_root
require_cmd qemu-system-x86_64 ovsdb-server ovs-vsctl ping
[ -x "$OVS_VSWITCHD_DPDK" ] || fail "$OVS_VSWITCHD_DPDK missing: install openvswitch-switch-dpdk"

MAC=52:54:00:74:00:11 NS=dvsmigovs$$ PINGS=${PINGS:-500}
tmpdir_new W
cleanup_push "ovs_dpdk_stop"
PORT=$((30000 + $$ % 10000))
qemu_start vmA --sock "$W/src.sock" --mac $MAC --ip 10.75.0.1/24 --server
qemu_start vmB --sock "$W/dst.sock" --mac $MAC --ip 10.75.0.1/24 --server --incoming "tcp:127.0.0.1:$PORT"
wait_until 30 "QEMU vhost-user sockets" test -S "$W/src.sock" -a -S "$W/dst.sock"

# Hugepages if free, like bench/v2v.sh; the PMD sleeps when idle (pmd-maxsleep, 100 us: what
# the DVS test's switchds do with idle_sleep_us), so two TCG guests keep their CPU time.
huge=0
dvs_hugepages_ok 512 && huge=1
ovs_dpdk_start "$W/ovs" "$W/src.sock" "$W/dst.sock" "$huge"
_ovs_vsctl set Open_vSwitch . other_config:pmd-maxsleep=100

ip netns add "$NS"
cleanup_push "ip netns del $NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link add "om$$" type veth peer name "op$$" netns "$NS"
cleanup_push "ip link del om$$"
ip link set "om$$" up
ip -n "$NS" link set lo up
ip -n "$NS" link set "op$$" up
ip -n "$NS" addr add 10.75.0.3/24 dev "op$$"
_ovs_vsctl add-port br0 "om$$"

qemu_wait_boot vmA 240
wait_until 60 "the guest answers through OVS" ip netns exec "$NS" ping -c 1 -W 1 -q 10.75.0.1

ip netns exec "$NS" ping -D -i 0.02 -c "$PINGS" -W 1 10.75.0.1 >"$W/ping.log" 2>&1 &
ping_pid=$!
cleanup_push "kill $ping_pid"
sleep 1
"$DVS_SRC/scripts/dvs-qemu-migrate" --qemu-only --qmp "$(qemu_dir vmA)/qmp.sock" \
	--dest-qmp "$(qemu_dir vmB)/qmp.sock" --uri "tcp:127.0.0.1:$PORT" >"$W/qemu.json" ||
	fail "QEMU migration: $(cat "$W/qemu.json")"
wait "$ping_pid" || true
[ -n "${SAVE:-}" ] && mkdir -p "$SAVE" && cp "$W"/*.json "$W"/ping.log "$W"/ovs/*.log "$SAVE/"
/usr/bin/python3 "$DVS_SRC/bench/migrate/gap.py" --switch ovs-dpdk --pings "$PINGS" \
	--ping-log "$W/ping.log" --qemu "$W/qemu.json"
