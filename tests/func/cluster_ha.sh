#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Cluster failure handling: two controllers (the standby takes over when the active one is
# killed, traffic untouched), a killed switchd shown down within the configured time, and a
# switchd restarted from its snapshot while dvs-db is down, its vhost-user guest (still
# running) reconnecting and answering again.  Changes are made with dvsctl --wait.
source "$(dirname "$0")/lib_cluster.sh"

fabric_start
db_start
txn '{"op":"insert","table":"Global","row":{"generation":0,
      "other_config":["map",[["host_down_after_ms","2000"],["heartbeat_interval_ms","500"]]]}}' >/dev/null
t_bg ctl1 "$CONTROLLER" --db "unix:$DB_SOCK" --name ctl1
CTL1=$T_LAST_PID
leader() { jget "$(txn '{"op":"select","table":"Global","where":[]}')" "r[0]['rows'][0]['leader']"; }
is_leader() { [ "$(leader)" = "$1" ]; }
wait_until 10 "ctl1 leads" is_leader ctl1 && pass "ctl1 is the leader"
t_bg ctl2 "$CONTROLLER" --db "unix:$DB_SOCK" --name ctl2
for h in h1 h2; do host_start "$h"; done
dvsctl() { "$DVSCTL" --db "unix:$DB_SOCK" "$@"; }

# vm1: a DPDK guest on a vhost-user port of h1 (the guest owns the socket: switchd is the
# client and reconnects); vm2: a namespace on a tap port of h2.
guest_start vm1 "$T_WORK/vm1.sock" 52:54:00:77:00:01 1
vm_ns "vm2$$"
check "port group web added (--wait)" dvsctl --wait portgroup add web --access 10
check "vm1 added on h1 (--wait)" dvsctl --wait port add vm1 --group web --host h1 \
	--mac 52:54:00:77:00:01 --vhost-user "$T_WORK/vm1.sock" --vhost-mode client
check "vm2 added on h2 (--wait)" dvsctl --wait port add vm2 --group web --host h2 --tap "d$$"2 --netns "vm2$$"
tap_up() { ip -n "vm2$$" link show "d$$"2 >/dev/null 2>&1; }
wait_until 10 "vm2's tap" tap_up
ip -n "vm2$$" addr add 10.71.0.2/24 dev "d$$"2
port_up() { [ "$(jget "$(ctl h1 ports.list)" "[p['status'] for p in r if p['name']=='$1'][0]")" = up ]; }
wait_until 30 "vm1's guest attached" port_up vm1
guest_icmpecho vm1
check "vm2 (h2) pings the vhost-user guest vm1 (h1)" ip netns exec "vm2$$" ping -c 3 -i 0.2 -W 2 -q 10.71.0.1

# The active controller dies: the standby takes over; forwarding never depended on it.
kill -9 "$CTL1"
t0=$SECONDS
wait_until 10 "ctl2 takes over" is_leader ctl2 && pass "standby ctl2 took over in $((SECONDS - t0)) s (limit 10 s)"
check "traffic continues across the controller failover" ip netns exec "vm2$$" ping -c 5 -i 0.1 -W 2 -q 10.71.0.1
check "a change after the failover is applied (--wait)" dvsctl --wait portgroup set web --egress-average 50M --egress-burst 64K

# A switchd dies (SIGKILL, no goodbye): the controller shows its host down.
host_status() { jget "$(txn '{"op":"select","table":"Host","where":[["name","==","'"$1"'"]]}')" "r[0]['rows'][0]['status']"; }
kill -9 "$SW_PID_h2"
t0=$SECONDS
down() { [ "$(host_status h2)" = down ]; }
wait_until 8 "h2 shown down" down && pass "h2 shown down $((SECONDS - t0)) s after its switchd died (host_down_after_ms 2000, limit 8 s)"
check "dvsctl host list shows h2 down" bash -c "'$DVSCTL' --db unix:$DB_SOCK host list | grep -E '^h2 +.*down'"
# Bring h2 back (its tap and netns address come back with it).
host_start h2 >/dev/null
wait_until 10 "vm2's tap again" tap_up
ip -n "vm2$$" addr add 10.71.0.2/24 dev "d$$"2
up() { [ "$(host_status h2)" = up ]; }
wait_until 10 "h2 up again" up && pass "h2 up again after its switchd restarted"

# dvs-db down; h1's switchd restarts from its snapshot; the guest kept running reconnects.
db_stop
guest_pid=$GUEST_PID_vm1
kill "$SW_PID_h1"; wait "$SW_PID_h1" 2>/dev/null
check "h1's snapshot exists" test -s "$T_WORK/h1.snapshot"
host_start h1 >/dev/null
wait_until 30 "vm1 reattached from the snapshot with the DB down" port_up vm1 && \
	pass "h1 rebuilt vm1 from its snapshot while dvs-db is down"
check "the guest process was never restarted" kill -0 "$guest_pid"
ip -n "vm2$$" neigh flush all
check "vm2 (h2) pings vm1 again, DB still down" ip netns exec "vm2$$" ping -c 3 -i 0.2 -W 2 -q 10.71.0.1
db_start
check "after the DB is back, a change applies on every host (--wait)" \
	dvsctl --wait --timeout 30 portgroup set web --egress-average 80M --egress-burst 64K

t_done
