#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Self-test of qemu.sh and the guest image: a real QEMU guest on vhost-user pings a network
# namespace, with testpmd as the switch (net_vhost <-> net_tap, io forwarding).  This proves
# the harness before dvs-switchd exists; tests/func/qemu_vhost.sh does the same through it.
#   sudo tests/lib/selftest_qemu.sh [--client]   (--client: QEMU connects to testpmd's socket)
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/testpmd_guest.sh"
source "$(dirname "$0")/qemu.sh"
require_root
require_cmd "$TESTPMD" "$QEMU"

mode=${1:---server}
ns=ti-st-ns0
tap=ti-st-tap0
tmpdir_new T
sock=$T/vm.sock

netns_add "$ns"
ip link del "$tap" 2>/dev/null || true

if [ "$mode" = --server ]; then
	# QEMU owns the socket and waits for the switch before it boots.
	qemu_start vm --sock "$sock" --mac 52:54:00:7e:01:01 --ip 10.71.0.1/24 --server --cpu 0
	wait_until 10 "QEMU's vhost-user socket" test -S "$sock"
	testpmd_start sw 0@1,1@1 "net_vhost0,iface=$sock,client=1" "net_tap0,iface=$tap"
else
	testpmd_start sw 0@1,1@1 "net_vhost0,iface=$sock" "net_tap0,iface=$tap"
	qemu_start vm --sock "$sock" --mac 52:54:00:7e:01:01 --ip 10.71.0.1/24 --client --cpu 0
fi
# The tap PMD created the tap in our namespace: hand it to the test namespace.
ip link set "$tap" netns "$ns"
ns_addr "$ns" "$tap" 10.71.0.2/24
testpmd_cmd sw "start" >/dev/null

qemu_wait_boot vm 180
pass "guest booted"
out=$(qemu_run vm "ip -o link show eth0")
assert_match "guest eth0 has the configured MAC" "52:54:00:7e:01:01" "$out"

rc=0
out=$(qemu_run vm "ping -c 3 -W 2 10.71.0.2" 40) || rc=$?
assert_eq "guest pings the namespace (exit status)" 0 "$rc"
assert_match "3 replies" "3 packets received" "$out"

# A failing command reports its status (the harness must not turn failures into successes).
rc=0
qemu_run vm "ping -c 1 -W 1 10.71.0.99" 20 >/dev/null || rc=$?
assert_ne "ping to an absent address fails" 0 "$rc"

assert_ok "namespace pings the guest" ns_ping "$ns" 10.71.0.1 3 10
sw_rx=$(testpmd_rx_packets sw 0)
assert_ge "switch vhost port rx packets" "$sw_rx" 6

qemu_stop vm
testpmd_stop sw
finish
