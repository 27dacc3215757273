#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dvs-switchd as the switch under test of the V2V loop (bench/v2v.sh): two vhost-user CLIENT
# ports connecting to SOCK0 and SOCK1 (the guest side is the server), both access ports of
# one VLAN (plain L2 with learning, no static MACs), polling on lcore 1 with busy poll.
# Runs in the foreground (exec) until killed, so a harness drives it like any peer.
#   bench/v2v-switch.sh SOCK0 SOCK1
# Env: DVS_BUILD (default ./build), V2V_CTL (control socket, default /tmp/dvs-v2v-PID.sock),
#      V2V_NO_HUGE=1 (run without hugepages), V2V_MEM_MB (default 512).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SOCK0 SOCK1" >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)
switchd=${DVS_BUILD:-$src/build}/datapath/dvs-switchd
[ -x "$switchd" ] || { echo "v2v-switch: $switchd not built (ninja -C build)" >&2; exit 1; }

no_huge=false
[ "${V2V_NO_HUGE:-0}" = 1 ] && no_huge=true
# The config goes through stdin: nothing is left behind once switchd is killed.
exec "$switchd" --log-level info --config /dev/stdin <<CONF
{"lcores": [1], "main_lcore": 0, "idle_sleep_us": 0,
 "no_huge": $no_huge, "mem_mb": ${V2V_MEM_MB:-512},
 "ctl_socket": "${V2V_CTL:-/tmp/dvs-v2v-$$.sock}",
 "ports": [
  {"name": "v0", "type": "vhost-user", "path": "$1", "client": true, "queues": 1,
   "vlan_mode": "access", "tag": 1},
  {"name": "v1", "type": "vhost-user", "path": "$2", "client": true, "queues": 1,
   "vlan_mode": "access", "tag": 1}
 ]}
CONF
