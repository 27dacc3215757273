#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# V2V benchmark: the reference loop of TESTING.md (a testpmd guest in 'mac' forwarding over
# two virtio_user ports, 64-byte frames seeded with 'start tx_first 64') through three
# switches, alternated A B C A B C for N rounds so that machine noise hits all of them:
#   testpmd-io  testpmd 'io' between two net_vhost ports (the ceiling of the loop)
#   ovs-dpdk    a private OVS-DPDK 3.1, netdev bridge, two dpdkvhostuserclient ports, NORMAL
#   dvs         dvs-switchd through bench/v2v-switch.sh
#   dvs-alt     the same from another build directory, $DVS_BUILD_ALT (an A/B of two commits)
# The guest forwards on CPU 0, each switch polls on CPU 1.  Mpps = frames the switch delivered
# to the guest (both guest ports' rx) per second over the window.  Root; cleans up everything.
#   sudo bench/v2v.sh [--rounds N] [--duration S] [--warmup S] [--switches a,b,c]
#                     [--no-huge] [--json FILE]
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
export DVS_SRC=${DVS_SRC:-$(cd "$bench_dir/.." && pwd)}
export DVS_TEST_NAME=v2v
source "$DVS_SRC/tests/lib/common.sh"
source "$DVS_SRC/tests/lib/testpmd_guest.sh"
source "$bench_dir/lib/ovs_dpdk.sh"
source "$bench_dir/lib/v2v_loop.sh"

rounds=5 duration=10 warmup=3 switches=testpmd-io,ovs-dpdk,dvs json= huge=auto
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) rounds=$2; shift ;;
	--duration) duration=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--switches) switches=$2; shift ;;
	--no-huge) huge=0 ;;
	--json) json=$2; shift ;;
	-h | --help) usage ;;
	*) echo "v2v: unknown option $1" >&2; usage ;;
	esac
	shift
done
require_root
require_cmd "$TESTPMD"
IFS=, read -r -a sw_list <<<"$switches"
for sw in "${sw_list[@]}"; do
	case "$sw" in
	testpmd-io) ;;
	ovs-dpdk) [ -x "$OVS_VSWITCHD_DPDK" ] || fail "$OVS_VSWITCHD_DPDK missing: install openvswitch-switch-dpdk" ;;
	dvs) [ -x "$DVS_BUILD/datapath/dvs-switchd" ] || fail "$DVS_BUILD/datapath/dvs-switchd not built" ;;
	dvs-alt) [ -x "${DVS_BUILD_ALT:-}/datapath/dvs-switchd" ] ||
			fail "dvs-alt needs DVS_BUILD_ALT, a build directory (e.g. a copy of build/ at another commit)" ;;
	*) fail "unknown switch '$sw' (testpmd-io, ovs-dpdk, dvs, dvs-alt)" ;;
	esac
done

v2v_memory_mode "$huge"
huge=$V2V_HUGE

tmpdir_new B

# run_one SWITCH ROUND: one measurement, run as a background subshell with its own cleanup
# (see run_round), so a failing switch costs one figure ("fail"), not the run.  Prints the
# Mpps figure on stdout.
run_one() {
	local sw=$1 r=$2
	local d=$B/$sw-$r
	mkdir -p "$d"
	local s0=$d/g0.sock s1=$d/g1.sock
	v2v_guest_start guest "$s0" "$s1"
	case "$sw" in
	testpmd-io)
		testpmd_start sw 0@0,1@1 "net_vhost0,iface=$s0,client=1,queues=1" \
			"net_vhost1,iface=$s1,client=1,queues=1" -- --forward-mode=io
		testpmd_cmd sw "start" >/dev/null
		;;
	ovs-dpdk)
		ovs_dpdk_start "$d/ovs" "$s0" "$s1" "$((1 - ${DVS_NO_HUGE:-0}))"
		;;
	dvs)
		V2V_CTL=$d/ctl.sock start_daemon dvs "$d/dvs.log" "$bench_dir/v2v-switch.sh" "$s0" "$s1"
		;;
	dvs-alt)
		DVS_BUILD=$DVS_BUILD_ALT V2V_CTL=$d/ctl.sock start_daemon dvs "$d/dvs.log" \
			"$bench_dir/v2v-switch.sh" "$s0" "$s1"
		;;
	esac
	v2v_guest_seed guest
	local mpps
	mpps=$(v2v_measure guest "$warmup" "$duration")
	if [ "${sw%-alt}" = dvs ] && [ "$huge" = 1 ] && grep -q 'without hugepages' "$d/dvs.log"; then
		log "round $r: dvs-switchd fell back to --no-huge (hugepages taken by others)"
	fi
	if [ "${sw%-alt}" = dvs ] && [ -S "$d/ctl.sock" ]; then
		local lc
		lc=$(unix_rpc "$d/ctl.sock" lcores.show 2>/dev/null || echo '[]')
		log "round $r $sw lcores: $(json_get "$lc" "[(l.get('lcore'), l.get('cycles_per_packet')) for l in r]" 2>/dev/null)"
	fi
	echo "$mpps"
	# The switch first: a guest whose peer is gone quits at once.
	case "$sw" in
	testpmd-io) testpmd_stop sw ;;
	ovs-dpdk) ovs_dpdk_stop ;;
	dvs | dvs-alt) stop_daemon dvs 10 || true ;;
	esac
	testpmd_stop guest
}

# run_round CONTENDER ROUND: run_one in the background with its own cleanup (bench_round).
run_round() { bench_round fail run_one "$@"; }

declare -A results=()
log "rounds=$rounds duration=${duration}s warmup=${warmup}s switches=$switches hugepages=$huge"
for ((r = 1; r <= rounds; r++)); do
	for sw in "${sw_list[@]}"; do
		load=$(cut -d' ' -f1 /proc/loadavg)
		run_round "$sw" "$r" >"$B/v"
		v=$(cat "$B/v")
		results[$sw]+="$v "
		printf 'round %d  %-10s  %6s Mpps  (load %s)\n' "$r" "$sw" "$v" "$load"
	done
done

declare -A med=()
echo
printf '%-10s  %8s  %s\n' switch median "rounds (Mpps)"
for sw in "${sw_list[@]}"; do
	med[$sw]=$(v2v_median_of "$sw")
	printf '%-10s  %8s  %s\n' "$sw" "${med[$sw]}" "${results[$sw]}"
done
echo
for pair in dvs:ovs-dpdk dvs:testpmd-io ovs-dpdk:testpmd-io; do
	a=${pair%%:*} b=${pair##*:}
	[ -n "${med[$a]:-}" ] && [ -n "${med[$b]:-}" ] || continue
	printf 'ratio %s / %s = %s\n' "$a" "$b" "$(v2v_ratio "$a" "$b")"
done

if [ -n "$json" ]; then
	{
		printf '{"rounds": %d, "duration_s": %s, "warmup_s": %s, "hugepages": %s, "switches": {' \
			"$rounds" "$duration" "$warmup" "$([ "$huge" = 1 ] && echo true || echo false)"
		sep=
		for sw in "${sw_list[@]}"; do
			printf '%s"%s": {%s}' "$sep" "$sw" "$(v2v_json_mpps "$sw")"
			sep=", "
		done
		printf '}}\n'
	} >"$json"
fi
v2v_check_medians "${sw_list[@]}"
finish
