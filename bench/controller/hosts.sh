#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 4's scale benchmark (suite 'bench', never CI): HOSTS real `dvs-switchd --no-datapath`
# processes (the cluster control thread of a host, no DPDK) against one dvs-db and the
# controller, PORTS ports spread so that every port group spans every host.  Reports:
#   - the time for a port-group change to be applied (Host.applied_generation) on all hosts,
#     ROUNDS times (a 10 ms poll of the Host table), then once through `dvsctl --wait`
#   - the time of `dvsctl --wait port add` (command to "applied on its host"): the first
#     ADDS ports of an empty cluster, then the last ADDS ports up to PORTS
#   - CPU and RSS of dvs-controller, dvs-db and the switchds (each one's RSS: min/median/max)
#   HOSTS=1000 PORTS=100000 PGROUPS=100 SEGS=0 ADDS=1000 bash bench/controller/hosts.sh
# SEGS > 0 puts the groups on overlay segments (VNIs, flood lists, MAC locations).
# The hosts' snapshots (written and fsync'd after every applied generation) go to /dev/shm:
# a real host has a disk of its own, a thousand simulated ones would queue on one.
source "$(dirname "$0")/../../tests/lib/common.sh"

HOSTS=${HOSTS:-1000}
PORTS=${PORTS:-100000}
PGROUPS=${PGROUPS:-100}
SEGS=${SEGS:-0}
ROUNDS=${ROUNDS:-5}
ADDS=${ADDS:-1000}
DB=$DVS_BUILD/ovsdb-lite/dvs-db
CTL=$DVS_BUILD/controller/dvs-controller
SWD=$DVS_BUILD/datapath/dvs-switchd
DVSCTL=$DVS_BUILD/cli/dvsctl
for b in "$DB" "$CTL" "$SWD" "$DVSCTL"; do [ -x "$b" ] || { echo "build first: $b"; exit 1; }; done
((PORTS >= 2 * ADDS)) || { echo "PORTS must be >= 2 * ADDS"; exit 1; }
ulimit -n 16384 # dvs-db: one connection per host

dir=$(mktemp -d /tmp/hosts-bench.XXXXXX)
cleanup_push "rm -rf '$dir'"
snap=$(mktemp -d /dev/shm/hosts-bench.XXXXXX)
cleanup_push "rm -rf '$snap'"
SOCK=$dir/db.sock
L() { /usr/bin/python3 "$DVS_SRC/bench/controller/load.py" "$SOCK" "$@"; }
D() { "$DVSCTL" --db "unix:$SOCK" "$@"; }
HZ=$(getconf CLK_TCK)
cpu_ticks() { local p t=0; for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
# stats: min, median, p90, max of numbers on stdin
stats() { sort -g | awk '{ a[NR] = $1 } END { printf "min %s median %s p90 %s max %s (n=%d)", a[1], a[int((NR + 1) / 2)], a[int(NR * 0.9 + 0.5)], a[NR], NR }'; }

start_daemon db "$dir/db.log" "$DB" --remote="punix:$SOCK" --schema="$DVS_SRC/schema/dvs.ovsschema" \
	--sync=request --max-msg=268435456 --max-backlog=1073741824 "$dir/dvs.db"
DBPID=$DAEMON_PID
wait_until 5 "dvs-db socket" test -S "$SOCK"
L load-spread "$HOSTS" 0 "$PGROUPS" "$SEGS" >/dev/null
start_daemon ctl "$dir/ctl.log" "$CTL" --db="unix:$SOCK" --name=hosts-bench
CPID=$DAEMON_PID

# The hosts.  Killed by PID at exit, all at once (a thousand sequential kill_pid would take
# minutes).
mkdir -p "$dir/h"
SW_PIDS=()
t0=$(now)
for ((h = 0; h < HOSTS; h++)); do
	c=$dir/h/hv$h.json
	printf '{"db":"unix:%s", "host_name":"hv%d", "snapshot":"%s/hv%d.snap", "vtep_ip":"10.%d.%d.%d", "ports":[]}\n' \
		"$SOCK" "$h" "$snap" "$h" $((100 + h / 62500)) $(((h / 250) % 250)) $((h % 250 + 1)) >"$c"
	"$SWD" --no-datapath --config "$c" </dev/null >"$dir/h/hv$h.log" 2>&1 &
	SW_PIDS+=($!)
done
stop_hosts() {
	local p i
	kill "${SW_PIDS[@]}" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		for p in "${SW_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && break; done
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	for p in "${SW_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && kill -9 "$p"; done
	wait "${SW_PIDS[@]}" 2>/dev/null
}
cleanup_push stop_hosts
GEN=$(L set-tag pg0 10 | cut -d' ' -f2)
L wait-applied "$GEN" "$HOSTS" 600 "$t0" >/dev/null
log "$HOSTS simulated hosts started, registered and applying in $(since "$t0") s"

# dvsctl --wait port add: one port after the other, a round robin over the hosts.
adds() { # PREFIX FILE
	local i t
	for ((i = 0; i < ADDS; i++)); do
		t=$(now)
		D --wait port add "$1$i" --group pg1 --host "hv$((i % HOSTS))" --tap "$1$i" >/dev/null ||
			{ check_fail "dvsctl --wait port add $1$i"; return; }
		since "$t" >>"$2"
	done
}
adds a "$dir/adds_first"
A1=$(sed -n 1p "$dir/adds_first")
AN=$(sed -n "${ADDS}p" "$dir/adds_first")
log "dvsctl --wait port add on an empty cluster: 1st ${A1} s, ${ADDS}th ${AN} s; $(stats <"$dir/adds_first")"

t0=$(now)
L load-spread "$HOSTS" $((PORTS - 2 * ADDS)) "$PGROUPS" "$SEGS" >/dev/null
GEN=$(L set-tag pg0 10 | cut -d' ' -f2)
log "loaded $((PORTS - 2 * ADDS)) ports in $(since "$t0") s"
L wait-applied "$GEN" "$HOSTS" 600 "$t0" >/dev/null
log "... applied on every host after $(since "$t0") s"
L wait-count Binding state '"active"' $((PORTS - ADDS)) 600 "$t0" >/dev/null
log "... all $((PORTS - ADDS)) bindings active after $(since "$t0") s"

sleep 5
t0=$(cpu_ticks "$CPID"); d0=$(cpu_ticks "$DBPID"); s0=$(cpu_ticks "${SW_PIDS[@]}")
sleep 10
C_CPU=$(echo "scale=1; ($(cpu_ticks "$CPID") - $t0) * 100 / $HZ / 10" | bc)
D_CPU=$(echo "scale=1; ($(cpu_ticks "$DBPID") - $d0) * 100 / $HZ / 10" | bc)
S_CPU=$(echo "scale=1; ($(cpu_ticks "${SW_PIDS[@]}") - $s0) * 100 / $HZ / 10" | bc)
log "steady state ($HOSTS heartbeats/s): controller ${C_CPU}%, dvs-db ${D_CPU}%, all switchds ${S_CPU}% of one core"

# Port-group change: pg0 spans every host.
times=()
c0=$(cpu_ticks "$CPID"); d0=$(cpu_ticks "$DBPID"); s0=$(cpu_ticks "${SW_PIDS[@]}")
# PERF=FILE: a system-wide profile of the rounds (perf report -i FILE --sort comm,dso,sym).
if [ -n "${PERF:-}" ]; then
	perf record -a -F 999 -o "$PERF" -- sleep $((ROUNDS + 3)) >/dev/null 2>&1 &
	PERF_PID=$!
	sleep 0.5
fi
for ((i = 0; i < ROUNDS; i++)); do
	read -r t0 gen < <(L set-tag pg0 $((20 + i % 2)))
	t=$(L wait-applied "$gen" "$HOSTS" 120 "$t0") || { check_fail "round $i: $t"; break; }
	times+=("$t")
	# Where the time goes: each host logs when it applied (after the update reached it),
	# the database shows it once its report is committed.
	read -r n first med last < <(L apply-times "$gen" "$t0" "$dir"/h/*.log)
	log "round $i: pg0's tag -> $((20 + i % 2)): generation $gen applied on $HOSTS/$HOSTS hosts in $t s (hosts' logs: $n applied, first ${first} s, median ${med} s, last ${last} s)"
	sleep 1
done
[ -n "${PERF:-}" ] && wait "$PERF_PID"
C_CH=$(echo "scale=2; ($(cpu_ticks "$CPID") - $c0) / $HZ / $ROUNDS" | bc)
D_CH=$(echo "scale=2; ($(cpu_ticks "$DBPID") - $d0) / $HZ / $ROUNDS" | bc)
S_CH=$(echo "scale=2; ($(cpu_ticks "${SW_PIDS[@]}") - $s0) / $HZ / $ROUNDS" | bc)
MED=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
t0=$(now)
out=$(D --wait portgroup set pg0 --access 30) || check_fail "dvsctl --wait portgroup set: $out"
W=$(since "$t0")
assert_match "dvsctl --wait: pg0 spans every host" "applied on $HOSTS/$HOSTS hosts" "$out"
log "dvsctl --wait portgroup set pg0: '$out' (wall ${W} s)"

adds b "$dir/adds_last"
B1=$(sed -n 1p "$dir/adds_last")
BN=$(sed -n "${ADDS}p" "$dir/adds_last")
log "dvsctl --wait port add up to $PORTS ports: port $((PORTS - ADDS + 1)) ${B1} s, port $PORTS ${BN} s; $(stats <"$dir/adds_last")"

for p in "${SW_PIDS[@]}"; do rss_kb "$p"; done >"$dir/sw_rss"
SW_RSS=$(stats <"$dir/sw_rss")
SW_TOT=$(awk '{ s += $1 } END { printf "%d", s / 1024 }' "$dir/sw_rss")
alive=0
for p in "${SW_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
assert_eq "every simulated host alive" "$HOSTS" "$alive"
daemon_alive ctl && pass "controller alive" || check_fail "controller died"
log "RSS: controller $(($(rss_kb "$CPID") / 1024)) MiB (peak $(($(hwm_kb "$CPID") / 1024))), dvs-db $(($(rss_kb "$DBPID") / 1024)) MiB (peak $(($(hwm_kb "$DBPID") / 1024))), switchd kB: $SW_RSS, all switchds $SW_TOT MiB"
log "CPU per group change (s): controller $C_CH, dvs-db $D_CH, all switchds $S_CH"
log "RESULT hosts=$HOSTS ports=$PORTS: group change applied on all hosts median ${MED} s (${times[*]}), dvsctl --wait ${W} s wall; port add 1st ${A1} s, ${ADDS}th ${AN} s, ${PORTS}th ${BN} s; controller CPU ${C_CPU}% RSS $(($(rss_kb "$CPID") / 1024)) MiB; dvs-db CPU ${D_CPU}% RSS $(($(rss_kb "$DBPID") / 1024)) MiB"
finish
