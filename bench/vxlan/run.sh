#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# VXLAN encap+decap throughput per poll core (issue 6).  The V2V loop of bench/v2v.sh (a testpmd
# guest in 'mac' forwarding, 64-byte frames, 'start tx_first 64', guest on CPU 0, switch polling
# on CPU 1), with the guest's two ports in two VXLAN segments that meet only through a hairpin
# underlay (bench/vxlan/lib.sh): every delivered frame was encapsulated and decapsulated once.
#   dvs-vxlan   dvs-switchd in cluster mode (private dvs-db), uplink net_af_packet on a veth
#   ovs-vxlan   OVS-DPDK 3.1 userspace VXLAN: br-phy (net_af_packet on the same veth, VTEP IP,
#               static route and neighbour), br-blue and br-red with NORMAL
#   dvs-plain   dvs-switchd, the same guest with plain L2 between its ports (bench/v2v-switch.sh)
#   dvs-vxlan-alt  dvs-vxlan with the dvs-switchd of another build directory, $DVS_BUILD_ALT (an
#               A/B of two commits; dvs-db, dvsctl and vxloop still come from $DVS_BUILD)
# Contenders alternate round by round.  Mpps = frames delivered to the guest (rx of both guest
# ports) per second; each switch has one poll core (CPU 1), which also runs the kernel's veth
# and hairpin work for the frames the switch sends (softirq in the sender's context).
#   sudo bench/vxlan/run.sh [--rounds N] [--duration S] [--warmup S] [--no-huge]
#                           [--contenders dvs-vxlan,ovs-vxlan,dvs-plain,dvs-vxlan-alt] [--json FILE]
#                           [--underlay af_packet|memif] [--seed N]
# --underlay memif (default af_packet, as above): no kernel in the loop.  The guest and the
# hairpin are one DPDK process on CPU 0 (bench/vxlan/vxloop.c: the same 'mac' forwarding, and a
# net_memif server that reflects each VXLAN packet); each switch's uplink is the net_memif
# client (dvs: "vdev" uplink with a dummy interface standing for it; OVS: dpdk-devargs
# net_memif...).  dvs-plain runs the same vxloop guest (its memif unused).  --seed (memif
# only): frames put in the loop, half per direction (default 4096, testpmd's tx_first 64; more
# than the rings hold on the way loses the excess at the start, possibly a whole direction).
# Wrap in 'flock /tmp/dvs-heavy.lock' on a shared machine.  VX_PERF_DIR=DIR: a cpu-clock profile
# of CPU 1 over each window (perf record -C 1): top symbols in DIR/CONTENDER-ROUND.txt, per DSO in
# DIR/CONTENDER-ROUND.dso.txt; VX_PERF_KEEP=1 also keeps the samples (DIR/CONTENDER-ROUND.data).
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")/.." && pwd)
export DVS_SRC=${DVS_SRC:-$(cd "$bench_dir/.." && pwd)}
export DVS_TEST_NAME=vxlan-bench
source "$DVS_SRC/tests/lib/common.sh"
source "$DVS_SRC/tests/lib/testpmd_guest.sh"
source "$bench_dir/lib/ovs_dpdk.sh"
source "$bench_dir/lib/v2v_loop.sh"
source "$bench_dir/vxlan/lib.sh"

rounds=5 duration=10 warmup=3 contenders=dvs-vxlan,ovs-vxlan,dvs-plain json= huge=auto
usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) rounds=$2; shift ;;
	--duration) duration=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--contenders) contenders=$2; shift ;;
	--no-huge) huge=0 ;;
	--json) json=$2; shift ;;
	--underlay) VX_UNDERLAY=$2; shift ;;
	--seed) VX_SEED=$2; shift ;;
	-h | --help) usage ;;
	*) echo "vxlan-bench: unknown option $1" >&2; usage ;;
	esac
	shift
done
require_root
case "${VX_UNDERLAY:-af_packet}" in
af_packet | memif) ;;
*) fail "--underlay: '$VX_UNDERLAY' is not one of af_packet, memif" ;;
esac
[ "${VX_UNDERLAY:-}" != memif ] || [ -x "$DVS_BUILD/bench/vxlan/vxloop" ] ||
	fail "$DVS_BUILD/bench/vxlan/vxloop not built (ninja -C build)"
require_cmd "$TESTPMD" clang tc bpftool ovsdb-client
IFS=, read -r -a c_list <<<"$contenders"
for c in "${c_list[@]}"; do
	case "$c" in
	ovs-vxlan) [ -x "$OVS_VSWITCHD_DPDK" ] || fail "$OVS_VSWITCHD_DPDK missing: install openvswitch-switch-dpdk" ;;
	dvs-vxlan | dvs-plain) [ -x "$DVS_BUILD/datapath/dvs-switchd" ] || fail "dvs-switchd not built" ;;
	dvs-vxlan-alt) [ -x "${DVS_BUILD_ALT:-}/datapath/dvs-switchd" ] ||
		fail "dvs-vxlan-alt needs DVS_BUILD_ALT, a build directory (e.g. a copy of build/ at another commit)" ;;
	*) fail "unknown contender '$c' (dvs-vxlan, ovs-vxlan, dvs-plain, dvs-vxlan-alt)" ;;
	esac
done
v2v_memory_mode "$huge"
huge=$V2V_HUGE

tmpdir_new B
vx_build_bpf "$B"

# run_one CONTENDER ROUND: one measurement in a background subshell with its own cleanup.
# Prints diagnostics on stderr and "MPPS LOST" last on stdout (LOST: frames that left the guest
# during the window and never came back, from the change of tx - rx).
run_one() {
	local c=$1 r=$2
	local d=$B/$c-$r ns=dvsvx$$a$r nr=dvsvx$$r$r
	mkdir -p "$d"
	local s0=$d/g0.sock s1=$d/g1.sock
	# VX_LOG_DIR=DIR keeps each round's logs (switchd, dvs-db, OVS) as DIR/CONTENDER-ROUND/.
	[ -n "${VX_LOG_DIR:-}" ] &&
		cleanup_push "mkdir -p '$VX_LOG_DIR/$c-$r' && cp $d/*.log $d/*.json $d/ovs/*.log '$VX_LOG_DIR/$c-$r/'"
	if [ "$VX_UNDERLAY" = memif ]; then
		case "$c" in
		dvs-vxlan*) vx_memif_standin "$ns" ;;
		ovs-vxlan) netns_add "$ns" ;;
		esac
		# The memif's queues: OVS opens a tx queue for its PMD and one for its main thread.
		vx_loop_start "$d" "$s0" "$s1" "$([ "$c" = ovs-vxlan ] && echo 2 || echo 1)" \
			$([ "$c" = dvs-plain ] && echo plain)
	else
		case "$c" in
		dvs-vxlan* | ovs-vxlan) vx_underlay "$ns" "$nr" ;;
		esac
		v2v_guest_start guest "$s0" "$s1"
	fi
	case "$c" in
	dvs-vxlan) vx_dvs_start "$d" "$ns" "$s0" "$s1" ;;
	dvs-vxlan-alt) VX_SWITCHD=$DVS_BUILD_ALT/datapath/dvs-switchd vx_dvs_start "$d" "$ns" "$s0" "$s1" ;;
	ovs-vxlan) vx_ovs_start "$d/ovs" "$ns" "$s0" "$s1" "$huge" ;;
	dvs-plain) V2V_CTL=$d/ctl.sock start_daemon dvs "$d/dvs.log" "$bench_dir/v2v-switch.sh" "$s0" "$s1" ;;
	esac
	if [ "$VX_UNDERLAY" = memif ]; then vx_loop_seed "$d"; else v2v_guest_seed guest; fi
	sleep "$warmup"
	local a b l0 l1
	case "$c" in
	ovs-vxlan) _ovs_appctl dpif-netdev/pmd-stats-clear >/dev/null ;;
	*) l0=$(unix_rpc "$d/ctl.sock" lcores.show) ;;
	esac
	a=$(vx_total "$d")
	if [ -n "${VX_PERF_DIR:-}" ]; then
		# Where CPU 1 (the poll core, with the kernel's underlay work) spends the window.
		perf record -q -e cpu-clock -C 1 -o "$d/perf.data" -- sleep "$duration" >/dev/null 2>&1
		perf report -q -i "$d/perf.data" --stdio --sort comm,dso,sym 2>/dev/null |
			grep -v '^$' | head -60 >"$VX_PERF_DIR/$c-$r.txt" || true
		perf report -q -i "$d/perf.data" --stdio --sort dso 2>/dev/null |
			grep -v '^$' | head -20 >"$VX_PERF_DIR/$c-$r.dso.txt" || true
		# VX_PERF_KEEP=1: the samples too, for perf annotate against the same binaries.
		if [ "${VX_PERF_KEEP:-0}" = 1 ]; then cp "$d/perf.data" "$VX_PERF_DIR/$c-$r.data"; fi
	else
		sleep "$duration"
	fi
	b=$(vx_total "$d")
	[ "$c" = ovs-vxlan ] || l1=$(unix_rpc "$d/ctl.sock" lcores.show)
	case "$c" in
	dvs-vxlan* | dvs-plain)
		[ "$huge" = 1 ] && grep -q 'without hugepages' "$d/dvs.log" &&
			log "round $r $c: dvs-switchd fell back to --no-huge"
		vx_dvs_report "$d" | sed "s/^/round $r $c: /" >&2
		log "round $r $c lcores: $(json_get "$(unix_rpc "$d/ctl.sock" lcores.show)" \
			"[(l.get('lcore'), round(l.get('cycles_per_packet'), 1)) for l in r]")"
		log "round $r $c window: $(vx_dvs_cycles "$l0" "$l1" "$a" "$b")"
		;;
	ovs-vxlan) vx_ovs_report | sed "s/^/round $r $c: /" >&2 ;;
	esac
	case "$c" in
	dvs-vxlan* | ovs-vxlan)
		if [ "$VX_UNDERLAY" = memif ]; then
			log "round $r $c underlay: memif hairpin $(vx_loop_counts "$d")"
		else
			log "round $r $c underlay: hairpin $(vx_hairpin_counts "$nr"); up0 $(vx_link_stats "$ns" up0)"
		fi ;;
	esac
	local res
	res=$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.3f %d\n", (y[2] - x[2]) / (y[1] - x[1]) / 1e6, (y[3] - y[2]) - (x[3] - x[2]) }')
	# A dead loop (every seeded frame lost) is a failed round, not a figure.
	[ "${res%% *}" != 0.000 ] || fail "round $r $c: no frame came back to the guest"
	echo "$res"
	# vxloop goes first: its virtio_user ports panic DPDK's interrupt thread when the vhost
	# side leaves first.
	[ "$VX_UNDERLAY" = memif ] && { stop_daemon guest 10 || true; }
	case "$c" in
	ovs-vxlan) ovs_dpdk_stop ;;
	*) stop_daemon dvs 10 || true ;;
	esac
	[ "$VX_UNDERLAY" = memif ] || testpmd_stop guest
}

# vx_total DIR: "EPOCH_S RX TX" summed over the guest's two ports.
vx_total() {
	if [ "$VX_UNDERLAY" = memif ]; then vx_loop_total "$1"; else v2v_rx_total guest; fi
}

# vx_dvs_cycles LCORES0 LCORES1 TOTAL0 TOTAL1: the poll core's busy cycles over the window, per
# packet it received and per frame delivered to the guest (from lcores.show before and after),
# and the share of the window they fill.  Under about 95% the switch was waiting for frames:
# the loop (vxloop on CPU 0) set the pace, and the round's figure is a floor for the switch.
vx_dvs_cycles() {
	/usr/bin/python3 - "$@" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ta, tb = sys.argv[3].split(), sys.argv[4].split()
cyc = sum(l["busy_cycles"] for l in b) - sum(l["busy_cycles"] for l in a)
rx = sum(l["rx_packets"] for l in b) - sum(l["rx_packets"] for l in a)
dl = int(tb[1]) - int(ta[1])
hz = b[0].get("tsc_hz", 0) if b else 0
busy = 100.0 * cyc / (hz * (float(tb[0]) - float(ta[0]))) if hz and float(tb[0]) > float(ta[0]) else float("nan")
print("busy cycles per received packet %.0f, per delivered frame %.0f (%d received, %d delivered); "
      "busy %.0f%% of the window" % (cyc / max(rx, 1), cyc / max(dl, 1), rx, dl, busy))
PY
}

# run_round CONTENDER ROUND: run_one in the background with its own cleanup (bench_round).
run_round() { bench_round 'fail -' run_one "$@"; }

declare -A results=()
log "rounds=$rounds duration=${duration}s warmup=${warmup}s contenders=$contenders hugepages=$huge underlay=$VX_UNDERLAY${VX_SEED:+ seed=$VX_SEED}"
for ((r = 1; r <= rounds; r++)); do
	for c in "${c_list[@]}"; do
		load=$(cut -d' ' -f1 /proc/loadavg)
		run_round "$c" "$r" >"$B/v"
		read -r v lost <"$B/v"
		results[$c]+="$v "
		printf 'round %d  %-10s  %6s Mpps  lost in window %s  (load %s)\n' "$r" "$c" "$v" "$lost" "$load"
	done
done

declare -A med=()
echo
printf '%-13s  %8s  %s\n' contender median "rounds (Mpps)"
for c in "${c_list[@]}"; do
	med[$c]=$(v2v_median_of "$c")
	printf '%-13s  %8s  %s\n' "$c" "${med[$c]}" "${results[$c]}"
done
# Per round (same round, adjacent in time), then the median of those ratios.
round_ratios() {
	local -a x y
	read -r -a x <<<"${results[$1]}"
	read -r -a y <<<"${results[$2]}"
	local i out=()
	for i in "${!x[@]}"; do
		[[ "${x[$i]}" =~ ^[0-9.]+$ && "${y[$i]:-}" =~ ^[0-9.]+$ ]] || continue
		out+=("$(awk -v a="${x[$i]}" -v b="${y[$i]}" 'BEGIN { if (b > 0) printf "%.3f", a / b }')")
	done
	echo "${out[*]}"
}
echo
for pair in dvs-vxlan:ovs-vxlan dvs-vxlan:dvs-plain ovs-vxlan:dvs-plain dvs-vxlan:dvs-vxlan-alt \
	dvs-vxlan-alt:ovs-vxlan; do
	a=${pair%%:*} b=${pair##*:}
	[ -n "${med[$a]:-}" ] && [ -n "${med[$b]:-}" ] || continue
	rr=$(round_ratios "$a" "$b")
	# shellcheck disable=SC2086
	printf 'ratio %s / %s = %s (of medians); per round: %s (median %s)\n' "$a" "$b" \
		"$(v2v_ratio "$a" "$b")" "$rr" "$(median $rr)"
done

if [ -n "$json" ]; then
	{
		printf '{"rounds": %d, "duration_s": %s, "warmup_s": %s, "hugepages": %s, "underlay": "%s", "contenders": {' \
			"$rounds" "$duration" "$warmup" "$([ "$huge" = 1 ] && echo true || echo false)" "$VX_UNDERLAY"
		sep=
		for c in "${c_list[@]}"; do
			printf '%s"%s": {%s}' "$sep" "$c" "$(v2v_json_mpps "$c")"
			sep=", "
		done
		printf '}}\n'
	} >"$json"
fi
v2v_check_medians "${c_list[@]}"
finish
