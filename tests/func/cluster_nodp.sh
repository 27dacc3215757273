#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Simulated hosts (docs/deploy.md, "Simulated hosts"): dvs-db, the controller and five
# `dvs-switchd --no-datapath` processes (no DPDK, no devices: the cluster control thread
# only).  Each registers its Host row, applies the generations that touch it and reports them
# with its port status; `dvsctl --wait` follows them like real hosts; the controller binds
# their ports and publishes the MACs of an overlay segment.
source "$(dirname "$0")/lib_cluster.sh"

[ -x "$CONTROLLER" ] || { echo "SKIP: dvs-controller not built"; exit 77; }
HOSTS="n1 n2 n3 n4 n5"
db_start
# Liveness on a short leash: a host is down 2 s after its last heartbeat (every 0.5 s).
txn '{"op":"insert","table":"Global","row":{"generation":0,
      "other_config":["map",[["host_down_after_ms","2000"],["heartbeat_interval_ms","500"]]]}}' >/dev/null
t_bg controller "$CONTROLLER" --db "unix:$DB_SOCK" --name ctl1
CTL_PID=$T_LAST_PID
D() { timeout 60 "$DVSCTL" --db "unix:$DB_SOCK" "$@"; }

i=0
for h in $HOSTS; do
	i=$((i + 1))
	printf '{"db":"unix:%s", "host_name":"%s", "snapshot":"%s", "vtep_ip":"10.98.0.%d", "ports":[]}\n' \
		"$DB_SOCK" "$h" "$T_WORK/$h.snapshot" "$i" >"$T_WORK/$h.json"
	t_bg "switchd-$h" "$SWITCHD" --no-datapath --config "$T_WORK/$h.json"
	printf -v "PID_$h" %s "$T_LAST_PID"
done
registered() { [ "$(host_col "$1" name)" = "$1" ]; }
for h in $HOSTS; do wait_until 20 "host $h registered" registered "$h"; done
check_eq "a simulated host says so" "$(host_col n1 datapath_version)" "$("$SWITCHD" --version | cut -d' ' -f2) no-datapath"
check_eq "no control socket is published" "$(host_col n1 ctl_address)" "['set', []]"
p=PID_n1
check_eq "no EAL or poll-lcore thread: one thread" "$(ls /proc/${!p}/task | wc -l)" 1
check_not "no DPDK runtime directory" test -e "/var/run/dpdk/dvs-switchd-${!p}"

# Two ports per host in "web" (VLAN 10), two in "blue" (an overlay segment).
check "portgroup add web" D portgroup add web --access 10
check "portgroup add blue" D portgroup add blue --access 0 --segment seg-blue
n=0
for h in $HOSTS; do
	for g in web blue; do
		for k in 1 2; do
			n=$((n + 1))
			D port add "$h-$g-$k" --group "$g" --host "$h" --mac "$(printf '52:54:00:00:%02x:%02x' "$n" "$k")" \
				--tap "t$n" >/dev/null || fail "port add $h-$g-$k"
		done
	done
done
g=$(global_gen)
applied() { [ "$(host_col "$1" applied_generation)" -ge "$2" ]; }
for h in $HOSTS; do wait_until 20 "$h applied generation $g" applied "$h" "$g"; done
pass "every simulated host reports generation $g"
port_state() { jget "$(D --format json port show "$1")" "r.get('status', {}).get('$2', '')"; }
all_up() { for h in $HOSTS; do for g in web blue; do [ "$(port_state "$h-$g-1" state)" = up ] || return 1; done; done; }
wait_until 20 "every port reported up by its host" all_up
check_eq "status says there is no datapath" "$(port_state n3-blue-2 datapath)" none
check_eq "the status names the host" "$(port_state n3-blue-2 host)" n3

# The controller treats them as real hosts: bindings active, MAC locations of the segment.
n_rows() { jget "$(txn '{"op":"select","table":"'"$1"'","where":'"$2"',"columns":["_uuid"]}')" "len(r[0]['rows'])"; }
bound() { [ "$(n_rows Binding '[["state","==","active"]]')" -eq 20 ]; }
wait_until 20 "20 bindings active" bound
check_eq "20 bindings active" "$(n_rows Binding '[["state","==","active"]]')" 20
macs() { [ "$(n_rows MacLocation '[]')" -eq 10 ]; }
wait_until 20 "10 MAC locations (the segment's ports)" macs
check_eq "10 MAC locations published" "$(n_rows MacLocation '[]')" 10

# A port-group change with --wait: returns once every host holding a "web" port applied it.
out=$(D --wait portgroup set web --access 20)
check "dvsctl --wait portgroup set returns success" test $? -eq 0
check "--wait reports all five hosts" grep -q "applied on 5/5 hosts" <<<"$out"
g=$(global_gen)
for h in $HOSTS; do check "$h reports generation $g after --wait" applied "$h" "$g"; done
grep -q "generation $g applied" "$T_WORK/switchd-n4.log"
check "n4 logged applying generation $g" test $? -eq 0

# Liveness: a heartbeat writes only last_heartbeat (and the generation) once a host is
# registered; that keeps every host up well past host_down_after_ms ...
sleep 3
for h in $HOSTS; do check_eq "$h still up after 3 s (heartbeats)" "$(host_col "$h" status)" up; done
hb0=$(host_col n2 last_heartbeat)
sleep 1
check "n2's heartbeat moved on" test "$(host_col n2 last_heartbeat)" -gt "$hb0"

# A host that stops cannot apply: --wait names it and fails.
p=PID_n5
kill "${!p}"
wait "${!p}" 2>/dev/null
t0=$SECONDS
n5_down() { [ "$(host_col n5 status)" = down ]; }
wait_until 8 "n5 shown down" n5_down && pass "n5 shown down $((SECONDS - t0)) s after its switchd stopped (limit 2 s + checks)"
out=$(D --wait --timeout 2 portgroup set web --access 30 2>&1)
rc=$?
check "--wait fails while n5 is stopped" test "$rc" -ne 0
check "--wait names n5" grep -q "n5 (applied" <<<"$out"

# n5 restarts from its snapshot and catches up: --wait on a new change succeeds.
t_bg switchd-n5b "$SWITCHD" --no-datapath --config "$T_WORK/n5.json"
check "n5 restarted from its snapshot" wait_until 20 "n5 snapshot" grep -q "started from snapshot" "$T_WORK/switchd-n5b.log"
n5_up() { [ "$(host_col n5 status)" = up ]; }
wait_until 8 "n5 up again" n5_up && pass "n5 up again after its restart"
out=$(D --wait portgroup set web --access 40)
check "dvsctl --wait after n5's restart" test $? -eq 0
g=$(global_gen)
check "n5 applied generation $g" applied n5 "$g"
check "controller alive" kill -0 "$CTL_PID"
t_done
