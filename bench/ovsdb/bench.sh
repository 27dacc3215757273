#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# dvs-db against ovsdb-server 3.1, side by side in one run, same schema (bench.ovsschema),
# same client (loadgen.c), same durability setting:
#   durable     every transaction ends with {"op":"commit","durable":true}: both servers
#               fsync before replying (dvs-db --sync=request honours exactly that flag)
#   nondurable  no commit op: both write their log but do not fsync
#   echo        no transaction at all: "echo" requests, the floor of a round trip through
#               the server and the client (what 1 client can never beat)
# Rounds alternate A B A B and medians are reported (noisy, shared 2-core machines).
# Never touches a system OVS: ovsdb-server runs on a private socket and DB file in a temp dir.
# usage: bench.sh [ROUNDS] [SECONDS]   (env DVS_BUILD, DVS_SRC as meson test sets them;
#        DVS_DB_ARGS: extra dvs-db options, e.g. --busy-poll=0 for an A/B of busy polling)
set -euo pipefail
: "${DVS_BUILD:?}" "${DVS_SRC:?}"
rounds=${1:-3} secs=${2:-3}
command -v ovsdb-server >/dev/null || [ -x /usr/sbin/ovsdb-server ] || { echo "SKIP: ovsdb-server missing"; exit 77; }
OVSDB_SERVER=$(command -v ovsdb-server || echo /usr/sbin/ovsdb-server)
schema="$DVS_SRC/bench/ovsdb/bench.ovsschema"
lg="$DVS_BUILD/ovsdb-lite/dvs-db-loadgen"
dir=$(mktemp -d /tmp/dbs-bench.XXXXXX)
dvs_pid= ovs_pid=
stop_servers() {
	[ -n "$dvs_pid" ] && kill "$dvs_pid" 2>/dev/null && wait "$dvs_pid" 2>/dev/null || true
	[ -n "$ovs_pid" ] && kill "$ovs_pid" 2>/dev/null && wait "$ovs_pid" 2>/dev/null || true
	dvs_pid= ovs_pid=
}
trap 'stop_servers; rm -rf "$dir"' EXIT

start_servers() {
	stop_servers
	rm -f "$dir"/dvs.db "$dir"/ovs.db "$dir"/*.sock "$dir"/.ovs.db.~lock~
	# shellcheck disable=SC2086  # DVS_DB_ARGS is a list of options
	"$DVS_BUILD/ovsdb-lite/dvs-db" ${DVS_DB_ARGS:-} --sync=request --remote="punix:$dir/dvs.sock" --schema="$schema" \
		--log-level=warn "$dir/dvs.db" 2>>"$dir/dvs.log" &
	dvs_pid=$!
	ovsdb-tool create "$dir/ovs.db" "$schema"
	"$OVSDB_SERVER" --remote="punix:$dir/ovs.sock" --unixctl="$dir/ovs.ctl" --no-chdir \
		--log-file="$dir/ovs.log" -vconsole:off "$dir/ovs.db" &
	ovs_pid=$!
	for _ in $(seq 100); do [ -S "$dir/dvs.sock" ] && [ -S "$dir/ovs.sock" ] && break; sleep 0.05; done
}

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
declare -A res

start_servers
for r in $(seq "$rounds"); do
	for mode in nondurable durable echo; do
		for n in 1 16; do
			for srv in dvs ovs; do
				pid=$([ $srv = dvs ] && echo "$dvs_pid" || echo "$ovs_pid")
				c0=$(cpu_ticks "$pid")
				v=$("$lg" txn "$dir/$srv.sock" "$n" "$secs" "$mode" | field txn_per_s)
				c1=$(cpu_ticks "$pid")
				res[txn_${mode}_${n}_$srv]+="$v "
				# The server's CPU time per transaction (busy polling included).
				if [ "$mode" = nondurable ]; then
					res[cpu_${n}_$srv]+="$(awk -v c=$((c1 - c0)) -v hz="$hz" -v r="$v" -v s="$secs" \
						'BEGIN {printf "%.2f", c / hz * 1e6 / (r * s)}') "
				fi
			done
		done
	done
	# One client with 16 transactions in flight on its connection (RFC 7047 pipelining,
	# as a controller pushing a batch does).
	for mode in nondurable durable; do
		for srv in dvs ovs; do
			v=$("$lg" txn "$dir/$srv.sock" 1 "$secs" "$mode" 16 | field txn_per_s)
			res[txn_${mode}_p16_$srv]+="$v "
		done
	done
done
start_servers  # fresh databases: same table size for both
for srv in dvs ovs; do
	v=$("$lg" latency "$dir/$srv.sock" 100 300)
	res[lat_med_$srv]=$(echo "$v" | field median_us)
	res[lat_p99_$srv]=$(echo "$v" | field p99_us)
	res[lat_all_$srv]=$(echo "$v" | field all_monitors_median_us)
done

for r in $(seq "$rounds"); do
	start_servers  # fresh databases for each load
	for srv in dvs ovs; do
		pid=$([ $srv = dvs ] && echo "$dvs_pid" || echo "$ovs_pid")
		res[load_$srv]+="$("$lg" load "$dir/$srv.sock" 100000 1000 | field seconds) "
		res[rss_$srv]+="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status") "
	done
done
for k in load_dvs load_ovs rss_dvs rss_ovs; do
	res[$k]=$(echo ${res[$k]} | tr ' ' '\n' | median)
done

printf '%-44s %12s %12s %8s\n' "metric (median of $rounds rounds)" dvs-db ovsdb-server ratio
row() { # name dvs ovs higher_is_better
	awk -v n="$1" -v a="$2" -v b="$3" -v h="$4" 'BEGIN {
		r = (h == 1) ? a / b : b / a; printf "%-44s %12s %12s %7.2fx\n", n, a, b, r }'
}
for mode in nondurable durable echo; do
	for n in 1 16; do
		a=$(echo ${res[txn_${mode}_${n}_dvs]} | tr ' ' '\n' | median)
		b=$(echo ${res[txn_${mode}_${n}_ovs]} | tr ' ' '\n' | median)
		row "$([ $mode = echo ] && echo "echo round trips/s" || echo txn/s), $n client(s), $mode" "$a" "$b" 1
	done
done
for n in 1 16; do
	a=$(echo ${res[cpu_${n}_dvs]} | tr ' ' '\n' | median)
	b=$(echo ${res[cpu_${n}_ovs]} | tr ' ' '\n' | median)
	row "server CPU us per txn, $n client(s), nondurable" "$a" "$b" 0
done
for mode in nondurable durable; do
	a=$(echo ${res[txn_${mode}_p16_dvs]} | tr ' ' '\n' | median)
	b=$(echo ${res[txn_${mode}_p16_ovs]} | tr ' ' '\n' | median)
	row "txn/s, 1 client, 16 in flight, $mode" "$a" "$b" 1
done
row "commit->update latency, 100 monitors, median us" "${res[lat_med_dvs]}" "${res[lat_med_ovs]}" 0
row "commit->update latency, 100 monitors, p99 us" "${res[lat_p99_dvs]}" "${res[lat_p99_ovs]}" 0
row "time until all 100 monitors updated, median us" "${res[lat_all_dvs]}" "${res[lat_all_ovs]}" 0
row "load 100k rows (1000/txn), seconds" "${res[load_dvs]}" "${res[load_ovs]}" 0
row "RSS at 100k rows, KiB" "${res[rss_dvs]}" "${res[rss_ovs]}" 0
echo "raw: $(for k in "${!res[@]}"; do echo -n "$k=[${res[$k]}] "; done)"
