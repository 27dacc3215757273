# SPDX-License-Identifier: Apache-2.0
# The V2V reference loop (shared TESTING.md "Benchmarks"): a testpmd guest with two
# virtio_user ports in server mode, 'mac' forwarding with each port's peer set to the other
# port's MAC, seeded with 'start tx_first 64', forwarding on CPU 0.  The switch under test
# connects to both sockets as a vhost-user client and polls on CPU 1.
# Needs tests/lib/common.sh and tests/lib/testpmd_guest.sh.

V2V_GUEST_MAC0=52:54:00:b0:00:01
V2V_GUEST_MAC1=52:54:00:b0:00:02

# v2v_guest_start NAME SOCK0 SOCK1: returns once the first socket exists.  The guest waits on
# each server socket in turn until the switch connects (the second socket appears only after
# the first is connected), so the switch must retry its connections (vhost client reconnect).
v2v_guest_start() {
	local name=$1 s0=$2 s1=$3
	TESTPMD_NOWAIT=1 testpmd_start "$name" 0@0,1@0 \
		"net_virtio_user0,path=$s0,server=1,queues=1,mac=$V2V_GUEST_MAC0" \
		"net_virtio_user1,path=$s1,server=1,queues=1,mac=$V2V_GUEST_MAC1"
	wait_until 20 "guest socket $s0" test -S "$s0"
}

_v2v_links_up() { testpmd_link_up "$1" 0 && testpmd_link_up "$1" 1; }

# v2v_guest_seed NAME: once the switch is attached, start the loop.
v2v_guest_seed() {
	local name=$1
	testpmd_wait_ready "$name" 60
	wait_until 30 "both guest links up (switch attached)" _v2v_links_up "$name"
	testpmd_cmd "$name" "set fwd mac" >/dev/null
	testpmd_cmd "$name" "set eth-peer 0 $V2V_GUEST_MAC1" >/dev/null
	testpmd_cmd "$name" "set eth-peer 1 $V2V_GUEST_MAC0" >/dev/null
	testpmd_cmd "$name" "start tx_first 64" >/dev/null
}

# v2v_rx_total NAME: prints "EPOCH_S RX_PACKETS_SUM TX_PACKETS_SUM" over both guest ports,
# timed at the middle of the stats command.
v2v_rx_total() {
	local t0 t1 stats
	t0=$(date +%s.%N)
	stats=$(testpmd_stats "$1")
	t1=$(date +%s.%N)
	awk -v t0="$t0" -v t1="$t1" '{ rx += $2; tx += $3 }
		END { printf "%.6f %d %d\n", (t0 + t1) / 2, rx, tx }' <<<"$stats"
}

# v2v_measure NAME WARMUP_S DURATION_S: Mpps the switch delivered to the guest (sum of both
# guest ports' rx) over the window, after the warm-up.  Prints the figure ("0.00" if the loop
# died: packets lost by a switch drain the 2048 seeded frames).
v2v_measure() {
	local name=$1 warm=$2 dur=$3 a b
	sleep "$warm"
	a=$(v2v_rx_total "$name")
	sleep "$dur"
	b=$(v2v_rx_total "$name")
	awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.2f\n", (y[2] - x[2]) / (y[1] - x[1]) / 1e6 }'
}

# v2v_memory_mode HUGE: one memory mode for every process of a run, so that no switch is
# favoured.  HUGE is 0, 1 or auto (hugepages only if the guest (256 MB) and the largest switch
# (512 MB) fit at once).  Exports what the guests and switches read, and sets the testpmd
# guest's pool (TESTPMD_MBUFS, TESTPMD_MEM_MB); V2V_HUGE gets the mode taken (0 or 1).
v2v_memory_mode() {
	local huge=$1
	if [ "$huge" = auto ]; then
		if dvs_hugepages_ok 768; then huge=1; else huge=0; fi
	fi
	if [ "$huge" = 0 ]; then export DVS_NO_HUGE=1 V2V_NO_HUGE=1; else export DVS_HUGE=1; fi
	TESTPMD_MBUFS=16384
	TESTPMD_MEM_MB=256
	V2V_HUGE=$huge
}

# bench_round FAIL_LINE CMD ARGS...: runs CMD ARGS (a round: one contender, one measurement)
# in a background subshell with its own cleanup stack, and prints its last line of output, or
# FAIL_LINE if it failed.  One failing contender then costs one figure, and an interrupt of the
# benchmark stops the round (and runs its cleanup) at once.  Output goes through $B/round.out.
_bench_round_pid=
cleanup_push '[ -n "$_bench_round_pid" ] && kill_pid "$_bench_round_pid" 30'
bench_round() {
	local fail_line=$1 out=$B/round.out
	shift
	(
		_dvs_cleanups=() _dvs_logs=()
		trap _dvs_on_exit EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		"$@"
	) >"$out" &
	_bench_round_pid=$!
	if wait "$_bench_round_pid"; then tail -n 1 "$out"; else echo "$fail_line"; fi
	_bench_round_pid=
}

# median NUMBERS...: the median (mean of the two middle values for an even count).
median() {
	[ $# -gt 0 ] || { echo nan; return; }
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]
		else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- the report, for scripts that keep results[NAME] (the rounds' Mpps, "fail" for a round
# that failed) and med[NAME] in associative arrays -------------------------------------------

# v2v_median_of NAME: the median of NAME's rounds that did not fail (nan if none).
v2v_median_of() {
	local ok
	# shellcheck disable=SC2086
	ok=$(printf '%s\n' ${results[$1]} | grep -v '^fail$' || true)
	# shellcheck disable=SC2086
	median $ok
}

# v2v_ratio A B: med[A] / med[B] to two decimals, or n/a.
v2v_ratio() {
	awk -v a="${med[$1]:-nan}" -v b="${med[$2]:-nan}" 'BEGIN {
		if (a == "nan" || b == "nan" || b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'
}

# v2v_json_mpps NAME: '"median_mpps": M, "rounds_mpps": [R, ...]' (null for nan and failures).
v2v_json_mpps() {
	local list
	# shellcheck disable=SC2086
	list=$(printf '%s\n' ${results[$1]} | sed 's/^fail$/null/' | paste -sd, -)
	printf '"median_mpps": %s, "rounds_mpps": [%s]' "$(sed 's/^nan$/null/' <<<"${med[$1]}")" "$list"
}

# v2v_check_medians NAME...: a pass for each NAME with a median, a failure for one without.
v2v_check_medians() {
	local n
	for n in "$@"; do
		if [ "${med[$n]}" = nan ]; then check_fail "$n: no round succeeded"
		else pass "$n: ${med[$n]} Mpps median"; fi
	done
}
