#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Self-test of testpmd_guest.sh: a virtio_user guest on a vhost-user socket served by a second
# testpmd (net_vhost, io forwarding back to the guest).  Checks that commands round-trip and
# counters are exact: 4 bursts of 32 sent by 'start tx_first 4' come back 128 packets.
#   sudo tests/lib/selftest_testpmd.sh
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/testpmd_guest.sh"
require_root
require_cmd "$TESTPMD"

tmpdir_new T
sock=$T/ti-st.sock

# The "switch": a vhost-user server, io forwarding port 0 back to itself.
testpmd_start sw 0@0,1@1 "net_vhost0,iface=$sock,queues=1"
testpmd_guest_start g "$sock" 52:54:00:7e:00:01 0
wait_until 10 "vhost link up on the switch side" testpmd_link_up sw
assert_eq "guest port MAC" 52:54:00:7e:00:01 "$(testpmd_port_mac g)"

testpmd_cmd sw "start" >/dev/null
testpmd_cmd g "set fwd rxonly" >/dev/null
out=$(testpmd_cmd g "start tx_first 4")
assert_match "guest starts forwarding" "rxonly packet forwarding" "$out"

_rx_is() { [ "$(testpmd_rx_packets "$1" 0)" = "$2" ]; }
wait_until 10 "guest receives its 128 packets back" _rx_is g 128
assert_eq "guest tx packets" 128 "$(testpmd_tx_packets g 0)"
assert_eq "switch rx packets" 128 "$(testpmd_rx_packets sw 0)"
assert_eq "switch tx packets" 128 "$(testpmd_tx_packets sw 0)"
assert_eq "guest rx packets" 128 "$(testpmd_rx_packets g 0)"

# A second round: counters keep adding up (stats parsing of non-zero, multi-column values).
testpmd_cmd g "stop" >/dev/null
testpmd_cmd g "start tx_first 2" >/dev/null
wait_until 10 "guest receives 64 more" _rx_is g 192
assert_eq "rx bytes of 192 64-byte frames" 12288 "$(testpmd_stats g | awk '$1 == 0 { print $4 }')"

testpmd_stop g
wait_until 10 "switch sees the guest leave" eval '! testpmd_link_up sw'
pass "vhost link down after the guest quit"
testpmd_stop sw
finish
