#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dvs-controller at scale (suite 'bench', never CI): HOSTS fake hosts heartbeating once a
# second, PORTS ports reported up, PGROUPS port groups over SEGS segments.  Reports:
#   - initial convergence: controller start -> every port bound active and its MAC published
#   - the controller's CPU (steady state, heartbeats only) and RSS
#   - a port-group change (its segment) -> the last derived row (MacLocation) updated,
#     ROUNDS times back and forth, median
#   HOSTS=1000 PORTS=100000 PGROUPS=100 SEGS=10 ROUNDS=5 bash bench/controller/bench.sh
source "$(dirname "$0")/../../tests/lib/common.sh"
trap 'exit 143' TERM # meson's timeout: still run the cleanups

HOSTS=${HOSTS:-1000}
PORTS=${PORTS:-100000}
PGROUPS=${PGROUPS:-100}
SEGS=${SEGS:-10}
ROUNDS=${ROUNDS:-5}
DB=$DVS_BUILD/ovsdb-lite/dvs-db
CTL=$DVS_BUILD/controller/dvs-controller
[ -x "$DB" ] && [ -x "$CTL" ] || { echo "build dvs-db and dvs-controller first"; exit 1; }

dir=$(mktemp -d /tmp/ctr-bench.XXXXXX)
cleanup_push "rm -rf '$dir'"
SOCK=$dir/db.sock
L() { /usr/bin/python3 "$DVS_SRC/bench/controller/load.py" "$SOCK" "$@"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
HZ=$(getconf CLK_TCK)

start_daemon db "$dir/db.log" "$DB" --remote="punix:$SOCK" --schema="$DVS_SRC/schema/dvs.ovsschema" \
	--sync=request --max-msg=33554432 --max-backlog=268435456 "$dir/dvs.db"
wait_until 5 "dvs-db socket" test -S "$SOCK"
t0=$(date +%s.%N)
IDS=$(L load "$HOSTS" "$PORTS" "$PGROUPS" "$SEGS")
log "loaded $HOSTS hosts, $PORTS ports, $PGROUPS groups, $SEGS segments in $(echo "$(date +%s.%N) - $t0" | bc) s"
SEG0=$(json_get "$IDS" "r['segments'][0][1]")
SEGL=$(json_get "$IDS" "r['segments'][-1][1]")

( L beat "$HOSTS" 100000 ) >"$dir/beat.log" 2>&1 &
BEATER=$!
cleanup_push "kill $BEATER"

t0=$(date +%s.%N)
start_daemon ctl "$dir/ctl.log" "$CTL" --db="unix:$SOCK" --name=ctr-bench --log-level=debug
CPID=$DAEMON_PID
L wait-count Binding state '"active"' "$PORTS" 600 >/dev/null
T_BIND=$(echo "$(date +%s.%N) - $t0" | bc)
L wait-count MacLocation segment "[\"uuid\",\"$SEGL\"]" $((PORTS / SEGS)) 600 >/dev/null
T_CONV=$(echo "$(date +%s.%N) - $t0" | bc)
log "initial: $PORTS bindings active after ${T_BIND} s; all MAC locations after ${T_CONV} s"
sleep 2
ticks0=$(cpu_ticks "$CPID")
sleep 10
ticks1=$(cpu_ticks "$CPID")
CPU=$(echo "scale=1; ($ticks1 - $ticks0) * 100 / $HZ / 10" | bc)
log "steady state ($HOSTS heartbeats/s): controller CPU ${CPU}% of one core, RSS $(($(rss_kb "$CPID") / 1024)) MiB (peak $(($(hwm_kb "$CPID") / 1024)) MiB)"

# pg0 moves between the first and the last segment: its PORTS/PGROUPS MAC locations move.
PER_SEG=$((PORTS / SEGS))
PER_GROUP=$((PORTS / PGROUPS))
times=()
for ((i = 0; i < ROUNDS; i++)); do
	if ((i % 2 == 0)); then to=$SEGL; want=$((PER_SEG + PER_GROUP)); else to=$SEG0; want=$PER_SEG; fi
	mark=$(wc -l <"$dir/ctl.log")
	since=$(L move-group pg0 "$to")
	t=$(L wait-count MacLocation segment "[\"uuid\",\"$SEGL\"]" "$want" 120 "$since")
	times+=("$t")
	recomputed=$(tail -n +"$mark" "$dir/ctl.log" | grep -o "[0-9]* ports, [0-9]* segments" | awk '{ p += $1 } END { print p + 0 }')
	log "round $i: pg0 -> $( [ "$to" = "$SEGL" ] && echo last || echo first) segment: $PER_GROUP MAC locations moved in ${t} s ($recomputed port recomputations)"
	sleep 1
done
MED=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
log "RESULT hosts=$HOSTS ports=$PORTS: initial bind ${T_BIND} s, converged ${T_CONV} s; group change -> last MacLocation median ${MED} s (${times[*]}); CPU ${CPU}%; RSS $(($(rss_kb "$CPID") / 1024)) MiB"
daemon_alive ctl && pass "controller alive after the benchmark" || check_fail "controller died"
finish
