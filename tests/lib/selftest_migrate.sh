#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Self-test of qemu.sh's live migration (issue 7's building block): a guest on vhost-user moves
# to a second QEMU started with -incoming, over TCP on loopback.  testpmd plays the switch with
# one vhost-user port per QEMU.  Checks that QEMU reports completion with a downtime, and that
# the guest on the destination is the same running system (a file written before the move).
#   sudo tests/lib/selftest_migrate.sh
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/testpmd_guest.sh"
source "$(dirname "$0")/qemu.sh"
require_root
require_cmd "$TESTPMD" "$QEMU"

tmpdir_new T
port=$((20000 + $$ % 20000))
mac=52:54:00:7e:03:01

qemu_start src --sock "$T/src.sock" --mac "$mac" --ip 10.73.0.1/24 --server --cpu 0
qemu_start dst --sock "$T/dst.sock" --mac "$mac" --ip 10.73.0.1/24 --server --cpu 0 \
	--incoming "tcp:127.0.0.1:$port"
wait_until 20 "both QEMU sockets" test -S "$T/src.sock" -a -S "$T/dst.sock"
testpmd_start sw 0@1,1@1 "net_vhost0,iface=$T/src.sock,client=1" "net_vhost1,iface=$T/dst.sock,client=1"
testpmd_cmd sw start >/dev/null
qemu_wait_boot src 180
token=moved-$$-$RANDOM
rc=0
qemu_run src "echo $token > /tmp/token" || rc=$?
assert_eq "write a token in the source guest" 0 "$rc"

st=$(qemu_migrate src "tcp:127.0.0.1:$port" 120)
assert_eq "QEMU reports the migration completed" completed "$(json_get "$st" "r['status']")"
assert_ge "QEMU reports a downtime (ms)" "$(json_get "$st" "r.get('downtime', -1)")" 0
log "migration: total $(json_get "$st" "r.get('total-time')") ms, downtime $(json_get "$st" "r.get('downtime')") ms"
assert_eq "source QEMU is paused after migrating" postmigrate \
	"$(json_get "$(qemu_qmp src query-status)" "r['status']")"
assert_eq "destination QEMU runs" running "$(json_get "$(qemu_qmp dst query-status)" "r['status']")"
qemu_stop src
out=$(qemu_run dst "cat /tmp/token" 30) || true
assert_eq "the destination guest has the source's token" "$token" "$out"
out=$(qemu_run dst "cat /sys/class/net/eth0/address" 30) || true
assert_eq "the destination guest kept its NIC" "$mac" "$out"
qemu_stop dst
testpmd_stop sw
finish
