#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# V2V with a production profile (issue 5): the V2V loop of bench/v2v.sh (a guest forwarding
# between two virtio_user ports on CPU 0, the switch under test polling on CPU 1, frames
# seeded once and looping), with many flows and port policy, alternated round by round:
#   dvs-plain   dvs-switchd plain L2 (bench/v2v-switch.sh: both ports access VLAN 1)
#   dvs-prod    dvs-switchd, both ports access VLAN 10, the 100-rule ACL of bench/prod/rules.py
#               (from-port, stateless; the benchmark's rule is the 99th) and an ingress policer
#               of 100 Gbit/s (burst 125 MB) on both ports: never drops, runs per frame
#   ovs-prod    OVS-DPDK 3.1 (netdev bridge, two dpdkvhostuserclient ports), tag=10 on both,
#               the same 100 rules as OpenFlow flows (allow = NORMAL, drop = drop, same
#               priority order) and ingress_policing_rate=100000000 kbit/s, burst 1000000 kbit
#   dvs-prod-ct (optional) dvs-prod with the benchmark's rule stateful (connection tracking)
#   dvs-vlan-pol (optional) dvs-prod without the ACL (VLAN 10 and the policer only)
# Flows: the guest is bench/prod/flowloop.c, not testpmd.  testpmd 22.11 has no mode that
# loops frames and varies their flows: 'flowgen' frees what it receives and writes fixed MACs
# (00:01:02:03:04:05/06, so both ports would send from the same MAC), and 'txonly
# --txonly-multi-flow' (also what 'start tx_first' seeds with) varies only the high byte of
# the UDP source port: 64 flows.  flowloop does what testpmd's 'mac' mode does (swap to the
# other port, source MAC = own port, destination = the other port) and also stamps each frame
# with the next flow of a per-port rotation (IPv4 source/destination, UDP source port; UDP
# destination 5001), so the switch sees 2 x --flows distinct 5-tuples (default 16384)
# round-robin while L2 learning sees only the two guest MACs.  Every contender runs with the
# same guest, so dvs-plain is the baseline of the same loop.
# Mpps = frames the switch delivered to the guest (both ports' rx) per second over the
# window.  The switch's drop counters are read at both ends of the window and after the round:
# a policy drop (ACL, policer, conntrack; OVS: the drop flows' n_packets, policing drops) or any
# drop inside the window fails the run.  Drops outside it are expected: the seed overflows the
# guest's rings, and the frames in flight are lost when the guest quits.
#   sudo bench/v2v-prod.sh [--rounds N] [--duration S] [--warmup S] [--flows N_PER_PORT]
#        [--switches dvs-plain,dvs-prod,ovs-prod[,dvs-prod-ct,dvs-vlan-pol]] [--no-huge] [--json FILE]
#        [--perf DIR]  (perf record -e cpu-clock on each switch over the window: a profile per
#                       round in DIR, by symbol and by DSO; V2V_PERF_KEEP=1 keeps the perf.data;
#                       it perturbs the figures, so profile in a separate run)
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
export DVS_SRC=${DVS_SRC:-$(cd "$bench_dir/.." && pwd)}
export DVS_TEST_NAME=v2v-prod
source "$DVS_SRC/tests/lib/common.sh"
source "$bench_dir/lib/ovs_dpdk.sh"
source "$bench_dir/lib/v2v_loop.sh" # median, V2V_GUEST_MAC0/1

rounds=5 duration=10 warmup=3 flows=8192 json= huge=auto perf_dir=
switches=dvs-plain,dvs-prod,ovs-prod
usage() { sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) rounds=$2; shift ;;
	--duration) duration=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--flows) flows=$2; shift ;;
	--switches) switches=$2; shift ;;
	--no-huge) huge=0 ;;
	--json) json=$2; shift ;;
	--perf) perf_dir=$2; shift ;;
	-h | --help) usage ;;
	*) echo "v2v-prod: unknown option $1" >&2; usage ;;
	esac
	shift
done
require_root
require_cmd cc pkg-config
switchd=$DVS_BUILD/datapath/dvs-switchd
IFS=, read -r -a sw_list <<<"$switches"
for sw in "${sw_list[@]}"; do
	case "$sw" in
	dvs-plain | dvs-prod | dvs-prod-ct | dvs-vlan-pol) [ -x "$switchd" ] || fail "$switchd not built" ;;
	ovs-prod) [ -x "$OVS_VSWITCHD_DPDK" ] || fail "$OVS_VSWITCHD_DPDK missing: install openvswitch-switch-dpdk" ;;
	*) fail "unknown switch '$sw' (dvs-plain, dvs-prod, ovs-prod, dvs-prod-ct, dvs-vlan-pol)" ;;
	esac
done

v2v_memory_mode "$huge"
huge=$V2V_HUGE

tmpdir_new B
# The guest is built for this run (nothing is left in the tree).
cc -O2 -Wall -o "$B/flowloop" "$bench_dir/prod/flowloop.c" $(pkg-config --cflags --libs libdpdk) ||
	fail "cannot build bench/prod/flowloop.c"
/usr/bin/python3 "$bench_dir/prod/rules.py" dvs >"$B/acl.json"
/usr/bin/python3 "$bench_dir/prod/rules.py" dvs --stateful >"$B/acl-ct.json"
/usr/bin/python3 "$bench_dir/prod/rules.py" ovs >"$B/flows.txt"
BENCH_RULE_ID=99 # the rule the traffic matches (rules.py)

# guest_start DIR SOCK0 SOCK1: flowloop in the background; it seeds once DIR/go exists.
guest_start() {
	local d=$1 s0=$2 s1=$3 prefix="dvs-v2vprod-g-$$"
	dpdk_prefix_cleanup_at_exit "$prefix"
	# shellcheck disable=SC2046 # the EAL memory arguments split on purpose
	start_daemon guest "$d/guest.log" "$B/flowloop" -l 0 --no-pci \
		$(dvs_eal_mem_args "$prefix" 256) --log-level='*:notice' \
		--vdev "net_virtio_user0,path=$s0,server=1,queues=1,mac=$V2V_GUEST_MAC0" \
		--vdev "net_virtio_user1,path=$s1,server=1,queues=1,mac=$V2V_GUEST_MAC1" \
		-- --flows "$flows" --warmup "$warmup" --duration "$duration" --go "$d/go"
	wait_until 20 "guest socket $s0" test -S "$s0"
}

# dvs_prod_conf DIR SOCK0 SOCK1 [ACL_FILE]: dvs-switchd's config for dvs-prod(-ct), and for
# dvs-vlan-pol without ACL_FILE.
dvs_prod_conf() {
	local d=$1 s0=$2 s1=$3 acl= no_huge=false p port sep=
	[ -z "${4:-}" ] || acl="\"acl\": $(cat "$4"),"
	[ "${V2V_NO_HUGE:-0}" = 1 ] && no_huge=true
	printf '{"lcores": [1], "main_lcore": 0, "idle_sleep_us": 0, "no_huge": %s, "mem_mb": 512,\n' "$no_huge"
	printf ' "ctl_socket": "%s", "ports": [\n' "$d/ctl.sock"
	for p in 0 1; do
		port=$s0; [ "$p" = 1 ] && port=$s1
		printf '%s  {"name": "v%d", "type": "vhost-user", "path": "%s", "client": true, "queues": 1,\n' "$sep" "$p" "$port"
		printf '   "vlan_mode": "access", "tag": 10, %s\n' "$acl"
		printf '   "shaping": {"ingress": {"avg_bps": 100000000000, "burst_bytes": 125000000}}}\n'
		sep=,
	done
	printf ' ]}\n'
}

ovs_prod_config() {
	_ovs_vsctl set Port v0 tag=10 -- set Port v1 tag=10 \
		-- set Interface v0 ingress_policing_rate=100000000 ingress_policing_burst=1000000 \
		-- set Interface v1 ingress_policing_rate=100000000 ingress_policing_burst=1000000
	timeout 20 ovs-ofctl del-flows br0
	timeout 20 ovs-ofctl add-flows br0 "$B/flows.txt"
	local n
	n=$(timeout 20 ovs-ofctl dump-flows br0 | grep -c 'priority=' || true)
	[ "$n" = 100 ] || fail "ovs-prod: $n OpenFlow flows installed, expected 100"
}

# drop_counts SW DIR: prints "POLICY_DROPS OTHER_DROPS" of the running switch.  Policy: dvs's
# policer, acl-*, ct-*, storm-*, shaper-queue-full; OVS's drop flows (n_packets) and policing
# drops (ovs_rx_qos_drops).  Other: every other dvs reason; OVS's ports' rx/tx_dropped.
DVS_POLICY_REASONS="('policer', 'acl-drop', 'acl-reject', 'ct-invalid', 'ct-full', 'shaper-queue-full')"
drop_counts() {
	local sw=$1 d=$2 of stats pol other p
	if [ "$sw" != ovs-prod ]; then
		json_get "$(unix_rpc "$d/ctl.sock" drops.show)" "'%d %d' % (sum(x['count'] for x in r if x['reason'] in $DVS_POLICY_REASONS or x['reason'].startswith('storm')), sum(x['count'] for x in r if not (x['reason'] in $DVS_POLICY_REASONS or x['reason'].startswith('storm'))))"
		return
	fi
	of=$(timeout 20 ovs-ofctl dump-flows br0)
	pol=$(awk '/actions=drop/ { match($0, /n_packets=[0-9]+/); n += substr($0, RSTART + 10, RLENGTH - 10) }
		END { print n + 0 }' <<<"$of")
	other=0
	for p in v0 v1; do
		stats=$(_ovs_vsctl get Interface "$p" statistics | tr -d '{} ' | tr ',' '\n')
		pol=$((pol + $(awk -F= '$1 == "ovs_rx_qos_drops" { n += $2 } END { print n + 0 }' <<<"$stats")))
		other=$((other + $(awk -F= '$1 == "rx_dropped" || $1 == "tx_dropped" { n += $2 } END { print n + 0 }' <<<"$stats")))
	done
	echo "$pol $other"
}

# dvs_counters SW DIR: logs the switch's non-zero drop reasons, the ACL's hits and the poll
# lcore's cycles per packet; writes "POLICY_DROPS OTHER_DROPS" to DIR/drops.
dvs_counters() {
	local sw=$1 d=$2 drops acl lc ct
	drops=$(unix_rpc "$d/ctl.sock" drops.show)
	json_get "$drops" "' '.join('%s=%d' % (x['reason'], x['count']) for x in r if x['count']) or 'none'" |
		sed "s/^/$sw drops: /" >&2
	drop_counts "$sw" "$d" >"$d/drops"
	if [ "$sw" != dvs-plain ] && [ "$sw" != dvs-vlan-pol ]; then
		acl=$(unix_rpc "$d/ctl.sock" acl.stats)
		json_get "$acl" "'hits: rule $BENCH_RULE_ID %d, other rules %d, default %d; verdict cache hits %d misses %d' % (sum(x['hits'] for x in r if x['id'] == $BENCH_RULE_ID), sum(x['hits'] for x in r if x['id'] not in ($BENCH_RULE_ID, 'default')), sum(x['hits'] for x in r if x['id'] == 'default'), sum(x.get('cache_hits', 0) for x in r if x['id'] == 'default'), sum(x.get('cache_misses', 0) for x in r if x['id'] == 'default'))" |
			sed "s/^/$sw acl /" >&2
	fi
	if [ "$sw" = dvs-prod-ct ]; then
		ct=$(unix_rpc "$d/ctl.sock" conntrack.stats)
		json_get "$ct" "' '.join('%s: entries=%d created=%d full_drops=%d' % (x['port'], x['entries'], x['created'], x['full_drops']) for x in r)" |
			sed "s/^/$sw conntrack /" >&2
	fi
	lc=$(unix_rpc "$d/ctl.sock" lcores.show 2>/dev/null || echo '[]')
	log "$sw lcores: $(json_get "$lc" "[(l.get('lcore'), l.get('cycles_per_packet')) for l in r]" 2>/dev/null)"
}

# ovs_counters DIR: the drop flows' and the benchmark flow's packets, the ports' drop
# statistics (policing drops included), the PMD's cache statistics and the megaflow count;
# writes "POLICY_DROPS OTHER_DROPS" to DIR/drops.
ovs_counters() {
	local d=$1 of stats p
	of=$(timeout 20 ovs-ofctl dump-flows br0)
	awk '/actions=drop/ { match($0, /n_packets=[0-9]+/); n += substr($0, RSTART + 10, RLENGTH - 10) }
		/tp_dst=5001/ { match($0, /n_packets=[0-9]+/); b = substr($0, RSTART + 10, RLENGTH - 10) }
		END { printf "ovs-prod flows: benchmark flow n_packets %d, drop flows n_packets %d\n", b, n }' \
		<<<"$of" >&2
	for p in v0 v1; do
		stats=$(_ovs_vsctl get Interface "$p" statistics)
		log "ovs-prod $p: $(tr -d '{}' <<<"$stats" | tr ',' '\n' | grep -E 'drop|fail|error' | tr -d ' ' | paste -sd' ')"
	done
	ovs_dpdk_pmd_stats | grep -E 'hits|miss|lost|avg processing cycles' | sed 's/^ */ovs-prod pmd: /' >&2 || true
	log "ovs-prod megaflows: $(timeout 10 ovs-appctl -t "$d/ovs/ovs-vswitchd.ctl" dpctl/dump-flows 2>/dev/null | grep -c 'actions' || true)"
	drop_counts ovs-prod "$d" >"$d/drops"
}

# profile SWITCH ROUND: cpu-clock samples of the switch's threads over the window, then the
# flat profile (by DSO and symbol) in $perf_dir/SWITCH-ROUND.txt.
profile() {
	local sw=$1 r=$2 pid f=$perf_dir/$1-$2
	if [ "$sw" = ovs-prod ]; then pid=${DVS_PIDS[ovs-vswitchd]}; else pid=${DVS_PIDS[dvs]}; fi
	mkdir -p "$perf_dir"
	sleep "$warmup"
	perf record -q -e cpu-clock -p "$pid" -o "$f.data" -- sleep "$duration" >/dev/null 2>&1 || true
	perf report -i "$f.data" --stdio --no-children --sort dso,symbol 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -40 >"$f.txt" || true
	perf report -i "$f.data" --stdio --no-children --sort dso 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -10 >"$f.dso.txt" || true
	# The hottest symbol annotated (where in it the time goes).
	local top
	top=$(awk '$3 == "[.]" && $4 !~ /^0x/ { print $4; exit }' "$f.txt")
	[ -z "$top" ] || perf annotate -i "$f.data" --stdio -s "$top" 2>/dev/null |
		awk '$1 + 0 >= 0.5' | sort -rn | head -40 >"$f.annotate.txt" || true
	[ -n "${V2V_PERF_KEEP:-}" ] || rm -f "$f.data"
	log "profile of $sw round $r: $f.txt"
}

# run_one SWITCH ROUND: one measurement; prints "MPPS WINDOW_POLICY_DROPS WINDOW_OTHER_DROPS
# ROUND_POLICY_DROPS ROUND_OTHER_DROPS" as its last line (the round's: seeding and teardown
# included).
run_one() {
	local sw=$1 r=$2 d=$B/$sw-$r line mpps
	mkdir -p "$d"
	local s0=$d/g0.sock s1=$d/g1.sock
	guest_start "$d" "$s0" "$s1"
	case "$sw" in
	dvs-plain)
		V2V_CTL=$d/ctl.sock start_daemon dvs "$d/dvs.log" "$bench_dir/v2v-switch.sh" "$s0" "$s1" ;;
	dvs-prod | dvs-prod-ct | dvs-vlan-pol)
		local acl=$B/acl.json
		[ "$sw" = dvs-prod-ct ] && acl=$B/acl-ct.json
		[ "$sw" = dvs-vlan-pol ] && acl=
		dvs_prod_conf "$d" "$s0" "$s1" "$acl" >"$d/dvs.json"
		start_daemon dvs "$d/dvs.log" "$switchd" --log-level info --config "$d/dvs.json" ;;
	ovs-prod)
		ovs_dpdk_start "$d/ovs" "$s0" "$s1" "$((1 - ${DVS_NO_HUGE:-0}))"
		ovs_prod_config ;;
	esac
	[ "$sw" = ovs-prod ] || wait_until 30 "dvs-switchd control socket" test -S "$d/ctl.sock"
	touch "$d/go"
	if [ -n "$perf_dir" ]; then
		profile "$sw" "$r"
		echo "- -" >"$d/window"
	else
		# The switch's drops inside the measured window (the guest waits 0.5 s after 'go',
		# seeds, checks both directions loop for at least 0.5 s, then warms up).
		local w0 w1
		sleep "$(awk -v w="$warmup" 'BEGIN { print w + 1.3 }')"
		w0=$(drop_counts "$sw" "$d")
		sleep "$(awk -v t="$duration" 'BEGIN { print (t > 1 ? t - 0.6 : t / 2) }')"
		w1=$(drop_counts "$sw" "$d")
		awk -v a="$w0" -v b="$w1" 'BEGIN { split(a, x, " "); split(b, y, " ");
			print y[1] - x[1], y[2] - x[2] }' >"$d/window"
	fi
	try_until $((warmup + duration + 120)) "guest finishes" _guest_done || true
	line=$(grep -m1 '^mpps=' "$d/guest.log" || true)
	[ -n "$line" ] || fail "$sw round $r: no result from the guest: $(tail -n 3 "$d/guest.log")"
	log "round $r $sw guest: $line"
	case "$sw" in
	ovs-prod) ovs_counters "$d" ;;
	*) dvs_counters "$sw" "$d" ;;
	esac
	mpps=$(sed 's/.*mpps=\([0-9.]*\).*/\1/' <<<"$line")
	case "$sw" in
	ovs-prod) ovs_dpdk_stop ;;
	*) stop_daemon dvs 10 || true ;;
	esac
	stop_daemon guest 5 || true
	echo "$mpps $(cat "$d/window") $(cat "$d/drops")"
}
_guest_done() { ! daemon_alive guest; }

# run_round CONTENDER ROUND: run_one in the background with its own cleanup (bench_round).
run_round() { bench_round 'fail - - - -' run_one "$@"; }

declare -A results=() pdrops=() odrops=() wpdrops=() wodrops=()
log "rounds=$rounds duration=${duration}s warmup=${warmup}s flows=$((2 * flows)) switches=$switches hugepages=$huge"
for ((r = 1; r <= rounds; r++)); do
	for sw in "${sw_list[@]}"; do
		load=$(cut -d' ' -f1 /proc/loadavg)
		run_round "$sw" "$r" >"$B/v"
		read -r v wpd wod pd od <"$B/v"
		wpdrops[$sw]=$((${wpdrops[$sw]:-0} + ${wpd/-/0}))
		wodrops[$sw]=$((${wodrops[$sw]:-0} + ${wod/-/0}))
		results[$sw]+="$v "
		pdrops[$sw]=$((${pdrops[$sw]:-0} + ${pd/-/0}))
		odrops[$sw]=$((${odrops[$sw]:-0} + ${od/-/0}))
		printf 'round %d  %-11s  %6s Mpps  switch drops in the window: policy %s other %s; in the round: policy %s other %s  (load %s)\n' \
			"$r" "$sw" "$v" "$wpd" "$wod" "$pd" "$od" "$load"
	done
done

declare -A med=()
echo
echo "drops: the switch's, summed over the rounds, inside the measured windows / over whole rounds"
printf '%-11s  %8s  %15s  %15s  %s\n' switch median policy-drops other-drops "rounds (Mpps)"
for sw in "${sw_list[@]}"; do
	med[$sw]=$(v2v_median_of "$sw")
	printf '%-11s  %8s  %15s  %15s  %s\n' "$sw" "${med[$sw]}" "${wpdrops[$sw]} / ${pdrops[$sw]}" \
		"${wodrops[$sw]} / ${odrops[$sw]}" "${results[$sw]}"
done
echo
for pair in dvs-prod:ovs-prod dvs-prod:dvs-plain dvs-prod-ct:ovs-prod dvs-prod-ct:dvs-plain \
	dvs-vlan-pol:dvs-plain; do
	a=${pair%%:*} b=${pair##*:}
	[ -n "${med[$a]:-}" ] && [ -n "${med[$b]:-}" ] || continue
	goal=
	case "$pair" in dvs-vlan-pol:*) ;; *:ovs-prod) goal="(goal >= 2)" ;; *:dvs-plain) goal="(goal >= 0.7)" ;; esac
	printf 'ratio %s / %s = %s %s\n' "$a" "$b" "$(v2v_ratio "$a" "$b")" "$goal"
done

if [ -n "$json" ]; then
	{
		printf '{"rounds": %d, "duration_s": %s, "warmup_s": %s, "flows": %d, "hugepages": %s, "switches": {' \
			"$rounds" "$duration" "$warmup" "$((2 * flows))" "$([ "$huge" = 1 ] && echo true || echo false)"
		sep=
		for sw in "${sw_list[@]}"; do
			printf '%s"%s": {%s, "window_policy_drops": %d, "window_other_drops": %d, "policy_drops": %d, "other_drops": %d}' \
				"$sep" "$sw" "$(v2v_json_mpps "$sw")" "${wpdrops[$sw]}" \
				"${wodrops[$sw]}" "${pdrops[$sw]}" "${odrops[$sw]}"
			sep=", "
		done
		printf '}}\n'
	} >"$json"
fi
v2v_check_medians "${sw_list[@]}"
for sw in "${sw_list[@]}"; do
	assert_eq "$sw: no frame dropped by policy" 0 "${pdrops[$sw]}"
	assert_eq "$sw: no frame dropped by the switch inside the measured windows" 0 "${wodrops[$sw]}"
done
finish
