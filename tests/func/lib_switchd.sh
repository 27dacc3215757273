# SPDX-License-Identifier: Apache-2.0
# Helpers for dvs-switchd functional tests: a private work dir, namespaces and processes that
# are removed on exit (even on failure), starting switchd from a config, calling its control
# socket, and assertions that print a final "N passed, N failed" line.
# Source it, then use: t_ns NAME, sw_start CONFIG_JSON, ctl METHOD [PARAMS_JSON], check ...

set -u
DVS_BUILD=${DVS_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
DVS_SRC=${DVS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SWITCHD=$DVS_BUILD/datapath/dvs-switchd
DVSCTL=$DVS_BUILD/cli/dvsctl
PY=/usr/bin/python3

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
T_WORK=$(mktemp -d /tmp/dvs-func.XXXXXX)
T_NS=()
T_PIDS=()
T_DIRS=() # removed at exit (DPDK runtime directories of guests)
T_PASS=0
T_FAIL=0

T_CLEANUPS=() # commands run first at exit (tests/lib/qemu.sh registers its own)

t_cleanup() {
	local p c
	for ((c = ${#T_CLEANUPS[@]} - 1; c >= 0; c--)); do eval "${T_CLEANUPS[$c]}" 2>/dev/null; done
	for p in "${T_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${T_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	for p in "${T_NS[@]}"; do ip netns del "$p" 2>/dev/null; done
	for p in "${T_DIRS[@]}"; do rm -rf "$p"; done
	if [ "$T_FAIL" -ne 0 ] || [ "${T_KEEP_LOGS:-}" ]; then
		for f in "$T_WORK"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -40 "$f"; }; done
	fi
	# DVS_SAVE_LOGS=DIR: keep the run's logs and reports (not its sockets or hugepage files).
	if [ -n "${DVS_SAVE_LOGS:-}" ]; then
		mkdir -p "$DVS_SAVE_LOGS" && find "$T_WORK" -maxdepth 1 -type f \( -name '*.log' -o \
			-name '*.out' -o -name '*.json' -o -name '*.snapshot' \) -exec cp {} "$DVS_SAVE_LOGS"/ \;
	fi
	rm -rf "$T_WORK"
	if [ -n "$T_CPU_CG" ]; then
		echo $$ >"${T_CPU_CG%/*}/cgroup.procs"
		# Empty once the processes killed above have exited.
		for _ in $(seq 50); do rmdir "$T_CPU_CG" 2>/dev/null && break; sleep 0.1; done
	fi
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# The test runs in a cpu cgroup of its own (cgroup v1 "cpu" hierarchy; skipped where the
# machine has none), so that none of its processes is in a scheduler autogroup (the kernel
# puts a task in its session's autogroup only while it is in the root cpu cgroup).  Why:
# an exiting thread leaves its autogroup for the root group (sched_autogroup_exit_task), and
# on this machine's kernel (6.18) that thread can then wait tens of seconds for its CPU when
# another thread busy-polls there.  A killed DPDK process (testpmd guest, switchd) has such a
# thread, pinned to the CPU where the other guests' and switchds' lcores poll; the thread is
# stopped in the middle of releasing its /proc/PID/task/TID dentries (DPDK names its threads
# through /proc), and this shell, reaping the process, spins in the kernel (wait4 ->
# release_task -> d_invalidate -> shrink_dcache_parent) until the thread runs again: the test
# sat at ~95% system CPU with its other children left as zombies, for 10 s to minutes.  In a
# cpu cgroup the exiting thread keeps its group and runs at once (synthetic reproducer: waits
# for a killed victim of up to 86 s in the root cgroup, at most 25 ms in a cgroup).
# The cgroup has the default weight, as an autogroup had; t_cleanup removes it.
T_CPU_CG=
t_cpu_cgroup() {
	local root=/sys/fs/cgroup/cpu d
	[ -w "$root/cgroup.procs" ] || return 0
	# Those left by tests that were SIGKILLed (their shell is gone; rmdir fails if not empty).
	for d in "$root"/dvs-func-*; do
		[ -d "$d" ] && ! kill -0 "${d##*-}" 2>/dev/null && rmdir "$d" 2>/dev/null
	done
	d=$root/dvs-func-$$
	mkdir "$d" 2>/dev/null || return 0
	if echo $$ >"$d/cgroup.procs" 2>/dev/null; then T_CPU_CG=$d; else rmdir "$d"; fi
}
t_cpu_cgroup

# t_ns NAME: a network namespace removed at exit (name made unique to this test run).
t_ns() {
	ip netns add "$1" || { echo "cannot create netns $1"; exit 1; }
	T_NS+=("$1")
	ip -n "$1" link set lo up
}

# t_bg LOGNAME CMD...: runs CMD in the background; its PID is in $T_LAST_PID.
# With T_STDIN=PATH set, the command's stdin is PATH opened read-write (a FIFO that never
# reaches EOF); otherwise /dev/null.
t_bg() {
	local log=$T_WORK/$1.log; shift
	if [ -n "${T_STDIN:-}" ]; then
		"$@" >"$log" 2>&1 0<>"$T_STDIN" &
	else
		"$@" >"$log" 2>&1 </dev/null &
	fi
	T_LAST_PID=$!
	T_PIDS+=("$T_LAST_PID")
}

# wait_until TIMEOUT_S DESCRIPTION CMD...: polls CMD until it succeeds; try_until (below) is
# the same without the failure.  The verdict is that of a check begun at or after the
# deadline: one that began before it and returned after it (a slow command on a loaded
# machine) may have looked at the state from before the deadline, so one more is made.
wait_until() {
	local t=$1 what=$2
	try_until "$@" || { fail "timed out after ${t}s waiting for: $what"; return 1; }
}

pass() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL - $*"; }
# check DESCRIPTION CMD...: passes if CMD succeeds.
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
check_not() { local d=$1; shift; if "$@"; then fail "$d"; else pass "$d"; fi; }
check_eq() { if [ "$2" == "$3" ]; then pass "$1 ($2)"; else fail "$1: expected '$3', got '$2'"; fi; }
check_ge() { if [ "$2" -ge "$3" ]; then pass "$1 ($2 >= $3)"; else fail "$1: expected >= $3, got $2"; fi; }
t_done() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

# sw_start NAME PORTS_JSON [EXTRA_TOP_LEVEL_JSON]: starts switchd NAME with the given ports;
# sets SW_SOCK_<NAME>, SW_PID_<NAME>, SW_CONF_<NAME>.  Waits until the socket answers.
sw_start() {
	local name=$1 ports=$2 extra=${3:-}
	local sock=$T_WORK/$name.sock conf=$T_WORK/$name.json
	printf '{"lcores":[1], "idle_sleep_us":100, "ctl_socket":"%s", %s "ports":%s}\n' \
		"$sock" "${extra:+$extra,}" "$ports" >"$conf"
	# SWITCHD_WRAP: a command prefix, e.g. "ip netns exec HOST" to run it inside a netns.
	t_bg "switchd-$name" ${SWITCHD_WRAP:-} "$SWITCHD" --config "$conf"
	printf -v "SW_PID_$name" %s "$T_LAST_PID"
	printf -v "SW_SOCK_$name" %s "$sock"
	printf -v "SW_CONF_$name" %s "$conf"
	wait_until 30 "switchd $name control socket" ctl_raw "$sock" version
}

# ctl_raw SOCK METHOD [PARAMS_OBJECT_JSON]: prints the JSON result; exit 1 with the error text
# on stderr if the switch answered with an error.
ctl_raw() {
	"$PY" - "$@" <<'PYEOF'
import json, socket, sys
sock, method = sys.argv[1], sys.argv[2]
params = [json.loads(sys.argv[3])] if len(sys.argv) > 3 else []
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sock)
s.sendall(json.dumps({"method": method, "params": params, "id": 1}).encode())
buf, dec = b"", json.JSONDecoder()
while True:
    chunk = s.recv(1 << 16)
    if not chunk:
        sys.exit("connection closed")
    buf += chunk
    try:
        msg, _ = dec.raw_decode(buf.decode())
        break
    except ValueError:
        continue
if msg.get("error") is not None:
    print(json.dumps(msg["error"]), file=sys.stderr)
    sys.exit(1)
print(json.dumps(msg["result"]))
PYEOF
}

# ctl NAME METHOD [PARAMS]: ctl_raw on switchd NAME.
ctl() { local s="SW_SOCK_$1"; shift; ctl_raw "${!s}" "$@"; }

# jq-like extraction with python: jget JSON EXPR (python expression over 'r').
jget() { "$PY" -c "import json,sys; r=json.loads(sys.argv[1]); print($2)" "$1"; }

# port_stat SW PORT FIELD: one counter of a port.
port_stat() {
	jget "$(ctl "$1" ports.stats "{\"name\":\"$2\"}")" "r[0]['$3']"
}
# drop_count SW REASON
drop_count() {
	jget "$(ctl "$1" drops.show)" "[d['count'] for d in r if d['reason']=='$2'][0]"
}
# fdb_port SW SEGMENT MAC: the port a MAC is learned on, or "none".
fdb_port() {
	jget "$(ctl "$1" fdb.show "{\"segment\":$2}")" \
		"([e['port'] for e in r if e['mac']=='$3'] or ['none'])[0]"
}
# ns_mac NS IF
ns_mac() { ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# guest_start NAME SOCK MAC SERVER(0|1) [QUEUES]: a DPDK virtio_user "VM" (testpmd, lcores 0,1)
# driven through a FIFO; answers ARP and ping in icmpecho mode.  Sets GUEST_PID_<NAME>.
# A server-mode guest blocks until the switch connects, so start the switch soon after.
guest_start() {
	local name=$1 sock=$2 mac=$3 server=$4 q=${5:-1}
	local fifo=$T_WORK/guest-$name.in
	mkfifo "$fifo"
	T_STDIN=$fifo t_bg "guest-$name" dpdk-testpmd -l 0,1 --no-pci --no-huge -m 256 --no-shconf \
		--file-prefix="dvsg-$name-$$" --log-level='*:error' \
		--vdev="net_virtio_user0,path=$sock,server=$server,queues=$q,mac=$mac" \
		-- -i --no-mlockall --total-num-mbufs=4096 --rxq="$q" --txq="$q"
	T_DIRS+=("/var/run/dpdk/dvsg-$name-$$")
	printf -v "GUEST_PID_$name" %s "$T_LAST_PID"
	printf -v "GUEST_FIFO_$name" %s "$fifo"
}
# guest_cmd NAME "testpmd command"
guest_cmd() { local f="GUEST_FIFO_$1"; echo "$2" >"${!f}"; }
# guest_icmpecho NAME: answer ARP and ICMP echo from now on.
guest_icmpecho() { guest_cmd "$1" "set fwd icmpecho"; guest_cmd "$1" "start"; }

# --- the few tests/lib/common.sh functions that tests/lib/qemu.sh needs, so QEMU guests can
# join these tests (source tests/lib/qemu.sh after this file) ---
DVS_TEST_NAME=$(basename "$0" .sh)
_dvs_logs=()
declare -A DVS_PIDS=()
log() { printf '%s: %s\n' "$DVS_TEST_NAME" "$*" >&2; }
cleanup_push() { T_CLEANUPS+=("$1"); }
tmpdir_new() { local __td; __td=$(mktemp -d "$T_WORK/q.XXXXXX"); printf -v "$1" '%s' "$__td"; }
source "$DVS_SRC/tests/lib/try_until.sh"
json_get() { jget "$@"; }
start_daemon() {
	local name=$1 logf=$2; shift 2
	"$@" </dev/null >"$logf" 2>&1 &
	DAEMON_PID=$!
	DVS_PIDS[$name]=$DAEMON_PID
	T_PIDS+=("$DAEMON_PID")
}
daemon_alive() { local pid=${DVS_PIDS[$1]:-}; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
stop_daemon() {
	local pid=${DVS_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq $((${2:-5} * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
