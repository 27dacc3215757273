# SPDX-License-Identifier: Apache-2.0
# Shared helpers for functional tests (tests/func/*.sh), sourced first by every test.
# A cleanup registry run from the EXIT trap (netns, links, processes, temp dirs, DPDK
# prefixes), DPDK EAL memory arguments, wait_until, and assertions with a final tally.
# Paths come from DVS_BUILD / DVS_SRC, which meson sets; defaults: ./build and the repo root.

set -euo pipefail

DVS_SRC=${DVS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DVS_BUILD=${DVS_BUILD:-$DVS_SRC/build}
DVS_TEST_NAME=${DVS_TEST_NAME:-$(basename "$0" .sh)}

_dvs_cleanups=()   # shell snippets, run last-registered first
_dvs_logs=()       # daemon logs, shown (tail) when the test fails
declare -A DVS_PIDS=()  # daemon name -> PID, for stop_daemon
_dvs_passed=0
_dvs_failed=0
_dvs_finished=0

log() { printf '%s: %s\n' "$DVS_TEST_NAME" "$*" >&2; }

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$DVS_TEST_NAME: needs root (network namespaces, DPDK); skipped" >&2
		exit 77 # meson's "skipped"
	fi
}

# require_cmd CMD...: skip (exit 77) with the name of what is missing.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { echo "$DVS_TEST_NAME: '$c' not found; skipped" >&2; exit 77; }
	done
}

# --- cleanup registry ------------------------------------------------------------------

# cleanup_push SNIPPET: run SNIPPET (eval'd, errors ignored) when the test exits, in reverse
# order of registration, so what was created last is removed first.
cleanup_push() { _dvs_cleanups+=("$1"); }

_dvs_run_cleanups() {
	local i
	for ((i = ${#_dvs_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_dvs_cleanups[$i]}" >/dev/null 2>&1 || true
	done
	_dvs_cleanups=()
}

_dvs_on_exit() {
	local rc=$?
	set +e
	if [ "$rc" -ne 0 ] || [ "$_dvs_failed" -gt 0 ]; then
		local f
		for f in "${_dvs_logs[@]}"; do
			[ -s "$f" ] || continue
			echo "----- last lines of $f -----" >&2
			tail -n 25 "$f" >&2
		done
	fi
	_dvs_run_cleanups
	if [ "$_dvs_finished" -eq 0 ] && [ $((_dvs_passed + _dvs_failed)) -gt 0 ]; then
		echo "$DVS_TEST_NAME: $_dvs_passed passed, $_dvs_failed failed" >&2
	fi
	if [ "$rc" -eq 0 ] && [ "$_dvs_failed" -gt 0 ]; then rc=1; fi
	exit "$rc"
}
trap _dvs_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The test and everything it starts run in a cpu cgroup of its own (cgroup v1 "cpu"
# hierarchy, where there is one), out of the kernel's scheduler autogroups: a killed DPDK
# process's pinned thread, leaving its autogroup as it exits, could wait tens of seconds for
# a CPU that another lcore busy-polls, and this shell spin in the kernel reaping the process
# meanwhile.  The whole story, and the measurements, are at t_cpu_cgroup in
# tests/func/lib_switchd.sh.  Registered first, so the cleanup that leaves it runs last.
_dvs_cpu_cgroup() {
	local root=/sys/fs/cgroup/cpu cg=/sys/fs/cgroup/cpu/dvs-func-$$ old
	[ -w "$root/cgroup.procs" ] || return 0
	for old in "$root"/dvs-func-*; do # left by SIGKILLed tests, once empty
		if [ -d "$old" ] && ! kill -0 "${old##*-}" 2>/dev/null; then rmdir "$old" 2>/dev/null || true; fi
	done
	mkdir "$cg" 2>/dev/null || return 0
	echo $$ >"$cg/cgroup.procs" 2>/dev/null || { rmdir "$cg"; return 0; }
	cleanup_push "echo $$ >$root/cgroup.procs; for _ in \$(seq 50); do rmdir $cg 2>/dev/null && break; sleep 0.1; done"
}
_dvs_cpu_cgroup

# tmpdir_new: prints a new private directory, removed at exit.  Call as d=$(tmpdir_new) is
# NOT possible (the registration would be lost in the subshell): use 'tmpdir_new VAR'.
tmpdir_new() {
	local __d
	__d=$(mktemp -d "/tmp/dvs-${DVS_TEST_NAME}.XXXXXX")
	cleanup_push "rm -rf '$__d'"
	printf -v "$1" '%s' "$__d"
}

# --- assertions --------------------------------------------------------------------------

pass() { _dvs_passed=$((_dvs_passed + 1)); echo "PASS: $*" >&2; }
# fail MSG: records the failure and ends the test now (the EXIT trap cleans up).
fail() { _dvs_failed=$((_dvs_failed + 1)); echo "FAIL: $*" >&2; exit 1; }
# check_fail MSG: records a failure and carries on, so one run reports every broken check.
check_fail() { _dvs_failed=$((_dvs_failed + 1)); echo "FAIL: $*" >&2; }

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	if [ "$2" == "$3" ]; then pass "$1 ($3)"; else check_fail "$1: expected '$2', got '$3'"; fi
}
assert_ne() {
	if [ "$2" != "$3" ]; then pass "$1 ($3)"; else check_fail "$1: expected anything but '$2'"; fi
}
_dvs_is_int() { [[ "$1" =~ ^-?[0-9]+$ ]]; }
# assert_ge WHAT ACTUAL MIN (integers)
assert_ge() {
	if _dvs_is_int "$2" && _dvs_is_int "$3" && [ "$2" -ge "$3" ]; then pass "$1 ($2 >= $3)"
	else check_fail "$1: expected >= $3, got '$2'"; fi
}
# assert_le WHAT ACTUAL MAX (integers)
assert_le() {
	if _dvs_is_int "$2" && _dvs_is_int "$3" && [ "$2" -le "$3" ]; then pass "$1 ($2 <= $3)"
	else check_fail "$1: expected <= $3, got '$2'"; fi
}
# assert_ok WHAT CMD...: the command succeeds.
assert_ok() {
	local what=$1; shift
	if "$@"; then pass "$what"; else check_fail "$what: '$*' failed (exit $?)"; fi
}
# assert_fails WHAT CMD...: the command fails.
assert_fails() {
	local what=$1; shift
	if "$@"; then check_fail "$what: '$*' succeeded, expected a failure"; else pass "$what"; fi
}
# assert_match WHAT REGEX TEXT (extended regex, grep -E)
assert_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then pass "$1"
	else check_fail "$1: /$2/ not found in: $(printf '%s' "$3" | head -c 400)"; fi
}

# finish: prints the tally and exits 0 only if nothing failed and something was checked
# (a test that asserted nothing is a defect, not a success).
finish() {
	_dvs_finished=1
	echo "$DVS_TEST_NAME: $_dvs_passed passed, $_dvs_failed failed" >&2
	if [ "$_dvs_failed" -gt 0 ]; then exit 1; fi
	if [ "$_dvs_passed" -eq 0 ]; then echo "$DVS_TEST_NAME: no assertion ran" >&2; exit 1; fi
	exit 0
}

# wait_until TIMEOUT_S WHAT CMD...: polls CMD every 0.2 s (try_until, tests/lib/try_until.sh:
# these tests poll dvsctl and ovsdb-client, heavier than a socket probe); fails the test with
# WHAT if it has not succeeded within TIMEOUT_S.
source "$DVS_SRC/tests/lib/try_until.sh"
: "${TRY_UNTIL_STEP:=0.2}"
wait_until() {
	local timeout=$1 what=$2
	try_until "$@" || fail "timed out after ${timeout}s waiting for: $what"
}

# --- processes -----------------------------------------------------------------------------

# start_daemon NAME LOG CMD...: runs CMD in the background, output to LOG; its PID goes to
# DVS_PIDS[NAME] and $DAEMON_PID, and it is killed (by that PID only) at exit.
# DVS_STDIN (optional) names a file or FIFO for its stdin (default /dev/null).
start_daemon() {
	local name=$1 logf=$2; shift 2
	"$@" <"${DVS_STDIN:-/dev/null}" >"$logf" 2>&1 &
	DAEMON_PID=$!
	DVS_PIDS[$name]=$DAEMON_PID
	_dvs_logs+=("$logf")
	cleanup_push "kill_pid $DAEMON_PID 5"
}

# kill_pid PID [TIMEOUT_S]: SIGTERM, then SIGKILL after TIMEOUT_S (default 5).  Only ever
# targets the PID it is given.
kill_pid() {
	local pid=$1 timeout=${2:-5} i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < timeout * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
	wait "$pid" 2>/dev/null || true
}

# stop_daemon NAME [TIMEOUT_S]: stops a daemon started by start_daemon.  Returns the exit
# status it had (143 for a SIGTERM death), so a test can check a clean shutdown.
stop_daemon() {
	local name=$1 timeout=${2:-5} pid rc=0 i
	pid=${DVS_PIDS[$name]:-}
	[ -n "$pid" ] || return 0
	unset "DVS_PIDS[$name]"
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < timeout * 10; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "$name (pid $pid) ignored SIGTERM for ${timeout}s; SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null || rc=$?
	return "$rc"
}

daemon_alive() { local pid=${DVS_PIDS[$1]:-}; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# --- network namespaces and links -------------------------------------------------------

# netns_add NAME: a fresh namespace (a stale one from a crashed run is removed first), with
# lo up, deleted at exit.
netns_add() {
	ip netns del "$1" 2>/dev/null || true
	ip netns add "$1"
	cleanup_push "ip netns del '$1'"
	ip -n "$1" link set lo up
}

# link_del_at_exit IFNAME [NETNS]
link_del_at_exit() {
	if [ -n "${2:-}" ]; then cleanup_push "ip -n '$2' link del '$1'"
	else cleanup_push "ip link del '$1'"; fi
}

# veth_add A B [NS_A] [NS_B]: a veth pair, both ends up, each moved to its namespace if given.
veth_add() {
	local a=$1 b=$2 nsa=${3:-} nsb=${4:-}
	ip link del "$a" 2>/dev/null || true
	ip link add "$a" type veth peer name "$b"
	link_del_at_exit "$a"
	if [ -n "$nsa" ]; then ip link set "$a" netns "$nsa"; fi
	if [ -n "$nsb" ]; then ip link set "$b" netns "$nsb"; fi
	ip ${nsa:+-n "$nsa"} link set "$a" up
	ip ${nsb:+-n "$nsb"} link set "$b" up
	# Deleting a veth in a namespace: the namespace's deletion takes it along.
}

# ns_addr NETNS IFNAME CIDR: sets the interface up with that address.
ns_addr() {
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" link set "$2" up
}

# ns_ping NETNS DST [COUNT] [TIMEOUT_S]: succeeds if at least one reply came back.
ns_ping() {
	ip netns exec "$1" ping -c "${3:-3}" -i 0.2 -W 1 -w "${4:-5}" "$2" >/dev/null 2>&1
}

# --- DPDK --------------------------------------------------------------------------------

_dvs_hugetlbfs() { awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts; }

# dvs_hugepages_ok [MB]: true when 2 MiB hugepages are mounted and MB (default 512) of them
# are free beyond a reserve left for the other DPDK processes on the machine.
# DVS_NO_HUGE=1 forces "no".
dvs_hugepages_ok() {
	local mb=${1:-512} free
	[ "${DVS_NO_HUGE:-0}" != 1 ] || return 1
	[ -n "$(_dvs_hugetlbfs)" ] || return 1
	free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
	[ $((free * 2)) -ge $((mb + 128)) ]
}

# dvs_eal_mem_args PREFIX [MB]: EAL memory and isolation arguments for one DPDK process.
# With free hugepages: --in-memory with single-file segments (a virtio_user guest must share
# its memory with the vhost side in few regions).  Otherwise --no-huge -m MB, which cannot be
# combined with --in-memory: then --no-shconf.  Both use the unique --file-prefix PREFIX (even
# --in-memory creates /var/run/dpdk/PREFIX; the caller removes it: dpdk_prefix_cleanup_at_exit).
# DVS_HUGE=1 always picks hugepages (a benchmark must not fall back silently half-way).
dvs_eal_mem_args() {
	local prefix=$1 mb=${2:-512}
	if [ "${DVS_HUGE:-0}" = 1 ] || dvs_hugepages_ok "$mb"; then
		echo "--in-memory --single-file-segments -m $mb --file-prefix=$prefix"
	else
		echo "--no-huge -m $mb --no-shconf --file-prefix=$prefix"
	fi
}

# dpdk_prefix_cleanup_at_exit PREFIX: removes the hugepage files and runtime directory that a
# --file-prefix PREFIX process may leave behind when it is killed.
dpdk_prefix_cleanup_at_exit() {
	local p=$1 mnt
	mnt=$(_dvs_hugetlbfs)
	[ -n "$mnt" ] && cleanup_push "rm -f '$mnt/${p}'map_* '$mnt/${p}'seg*"
	cleanup_push "rm -rf '/var/run/dpdk/$p'"
}

# --- JSON-RPC on unix sockets ---------------------------------------------------------------

# unix_rpc SOCK METHOD [PARAMS_JSON]: one JSON-RPC 1.0 call; prints the result as JSON, or
# fails (exit 1) printing the error.  Uses Debian's python3 (std library only).
unix_rpc() {
	/usr/bin/python3 "$DVS_SRC/tests/lib/unix_rpc.py" "$@"
}

# json_get JSON PYEXPR: evaluates a Python expression over the parsed JSON 'r' and prints it,
# e.g. json_get "$stats" "[p['rx_packets'] for p in r if p['name'] == 'vm1'][0]".
json_get() {
	/usr/bin/python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}
