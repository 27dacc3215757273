#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A real QEMU guest (TCG, busybox initramfs) on a vhost-user port of dvs-switchd pings a
# network namespace behind a tap port of the same VLAN, and the other way round.  Checks the
# pings, switchd's per-port counters (dvsctl, else the control socket) and the learned MAC.
# QEMU owns the socket (server=on) and switchd connects as a client, as in production.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/qemu.sh"
require_root
require_cmd "$QEMU" ping

SWITCHD=${SWITCHD:-$DVS_BUILD/datapath/dvs-switchd}
DVSCTL=${DVSCTL:-$DVS_BUILD/cli/dvsctl}
[ -x "$SWITCHD" ] || fail "$SWITCHD not built"

ns=ti-qv-ns
tap=ti-qv-t1
vm_mac=52:54:00:7e:02:01
vm_ip=10.72.0.1 ns_ip=10.72.0.2
tmpdir_new T
sock=$T/vm1.sock ctl=$T/switchd.sock

netns_add "$ns"
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# QEMU first: it creates the socket and waits for the switch before booting the guest.  It runs
# on CPU 0, switchd polls on lcore 1 with the idle back-off.
qemu_start vm1 --sock "$sock" --mac "$vm_mac" --ip "$vm_ip/24" --server --cpu 0
wait_until 20 "QEMU's vhost-user socket $sock" test -S "$sock"

cat >"$T/switchd.json" <<CONF
{"lcores": [1], "main_lcore": 0, "idle_sleep_us": 100, "ctl_socket": "$ctl",
 "ports": [
  {"name": "vm1", "type": "vhost-user", "path": "$sock", "client": true, "queues": 1,
   "vlan_mode": "access", "tag": 10},
  {"name": "t1", "type": "tap", "ifname": "$tap", "netns": "$ns", "vlan_mode": "access", "tag": 10}
 ]}
CONF
start_daemon switchd "$T/switchd.log" "$SWITCHD" --config "$T/switchd.json" --log-level info

# stats PORT: the port's counters as JSON, the way a user reads them.
stats() {
	if [ -x "$DVSCTL" ]; then
		"$DVSCTL" --switchd "$ctl" --format json stats "$1"
	else
		unix_rpc "$ctl" ports.stats "{\"name\": \"$1\"}"
	fi
}
counter() { # PORT FIELD
	json_get "$(stats "$1")" "([p['$2'] for p in (r if isinstance(r, list) else r.get('ports', [r])) if p.get('name') == '$1'] or ['missing'])[0]"
}
port_up() {
	[ "$(json_get "$(unix_rpc "$ctl" ports.list)" "[p['status'] for p in r if p['name'] == '$1'][0]")" = up ]
}

wait_until 30 "switchd control socket" unix_rpc "$ctl" version
wait_until 20 "tap $tap in $ns" ip -n "$ns" link show "$tap"
ns_addr "$ns" "$tap" "$ns_ip/24"
qemu_wait_boot vm1 180
pass "guest booted on switchd's vhost-user port"
wait_until 20 "vm1 port up" port_up vm1

out=$(qemu_run vm1 "cat /sys/class/net/eth0/address")
assert_eq "guest NIC has the MAC QEMU was given" "$vm_mac" "$out"

declare -A before
for p in vm1 t1; do
	for f in rx_packets tx_packets rx_bytes tx_bytes; do before[$p.$f]=$(counter $p $f); done
done

rc=0
out=$(qemu_run vm1 "ping -c 5 -W 2 $ns_ip" 60) || rc=$?
assert_eq "guest pings the namespace behind the tap port (exit status)" 0 "$rc"
assert_match "every echo answered" "5 packets transmitted, 5 packets received" "$out"
assert_ok "the namespace pings the guest" ns_ping "$ns" "$vm_ip" 5 15

# TCP from the guest.  A virtio-net guest offloads its TCP checksums: its segments carry only
# the pseudo-header's sum, and switchd completes them (dp_vhost_csum_complete) or the
# namespace's kernel drops every one.  The echoes come back from the tap with whole checksums.
tcpp=$((30000 + $$ % 10000))
: >"$T/tcp.log"
start_daemon tcp-echo "$T/tcp-echo.out" ip netns exec "$ns" python3 \
	"$DVS_SRC/tests/lib/tcp_echo.py" "$ns_ip" "$tcpp" "$T/tcp.log"
tcp_listening() { [ -n "$(ip netns exec "$ns" ss -Htln "sport = :$tcpp")" ]; }
wait_until 10 "TCP echo server in $ns" tcp_listening
qemu_run vm1 '( (i=0; while [ $i -lt 20 ]; do echo line$i; i=$((i+1)); sleep 0.05; done; sleep 30) | nc '"$ns_ip $tcpp"' >/tmp/echo.out 2>&1 & )' >/dev/null
tcp_lines() { [ "$(wc -l <"$T/tcp.log")" -ge 20 ]; }
wait_until 30 "20 lines from the guest over TCP reach the namespace" tcp_lines
pass "the guest's TCP segments (checksums offloaded) reach the namespace"
guest_echoes() { [ "$(qemu_run vm1 'wc -l </tmp/echo.out')" -ge 20 ]; }
wait_until 30 "the guest gets the 20 lines echoed back" guest_echoes
pass "the namespace's TCP echoes reach the guest"

# 10 echo requests and 10 replies crossed each port, plus ARP.
for p in vm1 t1; do
	for f in rx_packets tx_packets; do
		now=$(counter $p $f)
		assert_ge "switchd port $p $f moved" "$((now - ${before[$p.$f]}))" 10
	done
	now=$(counter $p rx_bytes)
	assert_ge "switchd port $p rx_bytes moved (10 x 98-byte frames)" "$((now - ${before[$p.rx_bytes]}))" 980
done

fdb=$(unix_rpc "$ctl" fdb.show)
assert_eq "guest MAC learned behind vm1" vm1 \
	"$(json_get "$fdb" "([e['port'] for e in r if e['mac'].lower() == '$vm_mac'] or ['none'])[0]")"

qemu_stop vm1
wait_until 20 "vm1 port down after QEMU quit" eval '! port_up vm1'
pass "vm1 port down after QEMU quit"
rc=0
stop_daemon switchd 10 || rc=$?
assert_eq "switchd exits cleanly on SIGTERM" 0 "$rc"
finish
