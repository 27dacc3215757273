# SPDX-License-Identifier: Apache-2.0
# DPDK testpmd processes driven from a test: a virtio_user "guest" on a vhost-user socket, or
# a testpmd acting as a switch (net_vhost, net_tap).  Each runs in interactive mode with its
# stdin on a FIFO, so the test sends commands and reads their output between two prompts.
# Needs common.sh (sourced first).  Functions take the instance NAME given to testpmd_start.

TESTPMD=${TESTPMD:-dpdk-testpmd}
TESTPMD_PROMPT='testpmd> '
declare -A TESTPMD_DIR=()

# testpmd_start NAME LCORES [VDEV...] [-- APP_ARG...]
#   LCORES is an EAL --lcores map: testpmd needs a main lcore and one forwarding lcore, so a
#   guest pinned to CPU 0 is '0@0,1@0' (both on CPU 0; the main one sleeps in the prompt).
#   Each VDEV becomes a --vdev.  Memory: dvs_eal_mem_args (TESTPMD_MEM_MB, default 256).
# Waits for the first prompt (ports configured) unless TESTPMD_NOWAIT=1.  Killed at exit if
# still running.  TESTPMD_MBUFS sets --total-num-mbufs (default 16384).
testpmd_start() {
	local name=$1 lcores=$2; shift 2
	local eal=() app=() d
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do eal+=(--vdev "$1"); shift; done
	[ "${1:-}" = "--" ] && shift
	app=("$@")
	tmpdir_new d
	TESTPMD_DIR[$name]=$d
	mkfifo "$d/stdin"
	# The holder keeps the FIFO open for reading and writing: testpmd never sees EOF between
	# commands, and a write never blocks, even after testpmd has exited.
	sleep 1000000 0<>"$d/stdin" &
	echo $! >"$d/holder.pid"
	cleanup_push "kill $! 2>/dev/null"
	local prefix="ti-tp-$name-$$"
	dpdk_prefix_cleanup_at_exit "$prefix"
	# shellcheck disable=SC2046 # word splitting of the EAL memory arguments is intended
	DVS_STDIN="$d/stdin" start_daemon "testpmd-$name" "$d/log" \
		stdbuf -oL -eL "$TESTPMD" --lcores "$lcores" --no-pci \
		$(dvs_eal_mem_args "$prefix" "${TESTPMD_MEM_MB:-256}") \
		--log-level='*:notice' "${eal[@]}" \
		-- -i --total-num-mbufs="${TESTPMD_MBUFS:-16384}" "${app[@]}"
	echo "$DAEMON_PID" >"$d/pid"
	# A guest whose virtio_user ports are in server mode waits in its start-up until the
	# switch connects: TESTPMD_NOWAIT=1 returns at once, then call testpmd_wait_ready.
	[ "${TESTPMD_NOWAIT:-0}" = 1 ] || testpmd_wait_ready "$name" 30
}

# testpmd_wait_ready NAME [TIMEOUT_S]: until testpmd shows its first prompt (ports set up).
testpmd_wait_ready() {
	local name=$1 timeout=${2:-30} d=${TESTPMD_DIR[$1]}
	if ! try_until "$timeout" "testpmd $name prompt" _testpmd_prompts_after "$name" 0; then
		testpmd_alive "$name" || fail "testpmd $name did not start: $(grep -E 'EAL: Error|Cause|[Ee]rror' "$d/log" | head -3)"
		fail "testpmd $name: no prompt after ${timeout}s (log: $d/log)"
	fi
}

# testpmd_guest_start NAME SOCK MAC [SERVER(0|1)] [QUEUES] [LCORES]
#   A virtio_user guest with one port on vhost-user socket SOCK.  SERVER=1: the guest owns the
#   socket and the switch connects to it (switch in client mode).  Default: client, 1 queue,
#   pinned to CPU 0.
testpmd_guest_start() {
	local name=$1 sock=$2 mac=$3 server=${4:-0} queues=${5:-1} lcores=${6:-0@0,1@0}
	testpmd_start "$name" "$lcores" \
		"net_virtio_user0,path=$sock,server=$server,queues=$queues,mac=$mac" \
		-- --rxq="$queues" --txq="$queues"
}

_testpmd_prompts_after() {
	local d=${TESTPMD_DIR[$1]} off=$2
	[ "$(tail -c +"$((off + 1))" "$d/log" | grep -o "$TESTPMD_PROMPT" | wc -l)" -ge 1 ]
}

testpmd_alive() { daemon_alive "testpmd-$1"; }
testpmd_log() { echo "${TESTPMD_DIR[$1]}/log"; }

# testpmd_cmd NAME COMMAND [TIMEOUT_S]: sends one command and prints its output (what testpmd
# wrote between the command and the next prompt).  Fails the test on timeout or if testpmd
# died.  Commands are serialised: the previous prompt was already seen.
testpmd_cmd() {
	local name=$1 cmd=$2 timeout=${3:-10}
	local d=${TESTPMD_DIR[$name]:-}
	[ -n "$d" ] || fail "testpmd_cmd: no testpmd named '$name'"
	testpmd_alive "$name" || fail "testpmd $name is not running (command '$cmd'); log: $d/log"
	local off
	off=$(stat -c %s "$d/log")
	printf '%s\n' "$cmd" >"$d/stdin"
	if ! try_until "$timeout" "testpmd $name: $cmd" _testpmd_prompts_after "$name" "$off"; then
		testpmd_alive "$name" || fail "testpmd $name died on '$cmd'; log: $d/log"
		fail "testpmd $name: no prompt ${timeout}s after '$cmd'"
	fi
	# From the offset to the first prompt, without the echoed command line.
	tail -c +"$((off + 1))" "$d/log" | awk -v p="$TESTPMD_PROMPT" -v c="$cmd" '
		{ i = index($0, p); if (i) { if (i > 1) print substr($0, 1, i - 1); exit } }
		NR == 1 && $0 == c { next }
		{ print }'
}

# testpmd_stats NAME: one line per port, "PORT RX_PACKETS TX_PACKETS RX_BYTES TX_BYTES
# RX_MISSED TX_ERRORS", from 'show port stats all' (a single snapshot of every port).
testpmd_stats() {
	testpmd_cmd "$1" "show port stats all" | awk '
		/NIC statistics for port/ { port = $(NF - 1) }
		/RX-packets:/ { rxp[port] = $2; rxm[port] = $4; rxb[port] = $6 }
		/TX-packets:/ { txp[port] = $2; txe[port] = $4; txb[port] = $6; ports[port] = 1 }
		END { for (p in ports) print p, rxp[p], txp[p], rxb[p], txb[p], rxm[p], txe[p] }' |
		sort -n
}

# testpmd_rx_packets NAME [PORT] / testpmd_tx_packets NAME [PORT]: one counter (port 0 by
# default).
testpmd_rx_packets() { testpmd_stats "$1" | awk -v p="${2:-0}" '$1 == p { print $2 }'; }
testpmd_tx_packets() { testpmd_stats "$1" | awk -v p="${2:-0}" '$1 == p { print $3 }'; }

# testpmd_port_mac NAME [PORT]: the port's MAC, lower case.
testpmd_port_mac() {
	testpmd_cmd "$1" "show port info ${2:-0}" |
		awk '/MAC address:/ { print tolower($3); exit }'
}

# testpmd_link_up NAME [PORT]: true when the port's link is up (for vhost: a peer attached).
testpmd_link_up() {
	testpmd_cmd "$1" "show port info ${2:-0}" | grep -q 'Link status: up'
}

# testpmd_stop NAME: 'quit' (ports closed cleanly, the vhost peer sees a disconnect), then the
# PID is killed if it lingers.
testpmd_stop() {
	local name=$1 d=${TESTPMD_DIR[$1]:-}
	[ -n "$d" ] || return 0
	if testpmd_alive "$name"; then
		printf 'quit\n' >"$d/stdin"
		try_until 10 "testpmd $name exits" _testpmd_dead "$name" || true
	fi
	stop_daemon "testpmd-$name" 2 || true
	kill "$(cat "$d/holder.pid")" 2>/dev/null || true
	unset "TESTPMD_DIR[$name]"
}
_testpmd_dead() { ! testpmd_alive "$1"; }
