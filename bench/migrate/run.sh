#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Live migration of a QEMU guest under a 20 ms ping: DVS against OVS-DPDK 3.1, alternated in
# one run (A B A B ...), issue 7's metric for each: pings lost and the max gap (the longest
# interval between two consecutive successful replies), beside QEMU's downtime and the guest's
# real pause (QEMU's STOP at the source to its RESUME at the destination).
#
#   dvs        tests/func/cluster_qemu_migrate.sh: three hosts (namespaces, one switchd each),
#              VXLAN segment, the guest moves h1 -> h2, the peer pings from h3
#   dvs-sites  tests/func/sites_qemu_migrate.sh: the same across two sites (WAN delay line,
#              30 ms each way, MTU 1400), the peer on the source site
#   ovs-dpdk   bench/migrate/ovs_round.sh: one OVS bridge, both QEMUs and the peer on it
#
# Each round takes /tmp/dvs-heavy.lock for itself only (not if a parent process of this script
# already holds it).  Prints one RESULT line per round and a summary (medians, ratios);
# --json FILE writes all of it.
#
#   bench/migrate/run.sh [--rounds 3] [--switches dvs,ovs-dpdk] [--json FILE] [--keep DIR]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
rounds=3 switches=dvs,ovs-dpdk json= keep=
while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) rounds=$2; shift ;;
	--switches) switches=$2; shift ;;
	--json) json=$2; shift ;;
	--keep) keep=$2; shift ;;
	-h | --help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root" >&2; exit 77; }

LOCK=/tmp/dvs-heavy.lock
# True if a process this script descends from holds LOCK (a caller's flock): then taking it
# again per round would wait for ever.
lock_held_above() {
	local ino pids p=$$
	ino=$(stat -c %i "$LOCK" 2>/dev/null) || return 1
	pids=" $(awk -v ino="$ino" '{ n = split($6, f, ":"); if (f[n] == ino) printf "%s ", $5 }' /proc/locks) "
	while [ "$p" -gt 1 ]; do
		[[ "$pids" == *" $p "* ]] && return 0
		p=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null) || return 1
	done
	return 1
}
lock=(flock "$LOCK")
lock_held_above && lock=()

out=$(mktemp /tmp/dvs-bench-migrate.XXXXXX)
trap 'rm -f "$out"' EXIT
for r in $(seq "$rounds"); do
	for sw in ${switches//,/ }; do
		case "$sw" in
		dvs) cmd=(bash "$src/tests/func/cluster_qemu_migrate.sh") ;;
		dvs-sites) cmd=(bash "$src/tests/func/sites_qemu_migrate.sh") ;;
		ovs-dpdk) cmd=("$here/ovs_round.sh") ;;
		*) echo "run.sh: unknown switch $sw (dvs, dvs-sites, ovs-dpdk)" >&2; exit 2 ;;
		esac
		log=$(mktemp /tmp/dvs-bench-migrate-round.XXXXXX)
		"${lock[@]}" "${cmd[@]}" >"$log" 2>&1
		rc=$?
		line=$(grep -a '^RESULT ' "$log" | tail -1)
		if [ -z "$line" ]; then
			echo "round $r $sw: no result (exit $rc); last lines:" >&2
			tail -5 "$log" >&2
			line="RESULT {\"switch\": \"$sw\", \"error\": \"exit $rc\"}"
		fi
		[ -n "$keep" ] && mkdir -p "$keep" && cp "$log" "$keep/round$r-$sw.log"
		rm -f "$log"
		echo "round $r: $line"
		echo "${line#RESULT }" >>"$out"
	done
done

/usr/bin/python3 - "$out" "$json" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["switch"], []).append(r)
def med(rs, k):
    v = [r[k] for r in rs if r.get(k) is not None]
    return round(statistics.median(v), 1) if v else None
summary = {}
for sw, rs in by.items():
    ok = [r for r in rs if "error" not in r]
    summary[sw] = {"rounds": len(rs), "failed": len(rs) - len(ok),
                   "lost_total": sum(r["lost"] for r in ok), "lost_per_round": [r["lost"] for r in ok],
                   "gap_ms_median": med(ok, "gap_ms"), "gap_ms": [r.get("gap_ms") for r in ok],
                   "paused_ms_median": med(ok, "paused_ms"), "downtime_ms_median": med(ok, "downtime_ms"),
                   "gap_minus_paused_ms_median": round(statistics.median(
                       [r["gap_ms"] - r["paused_ms"] for r in ok if r.get("gap_ms") and r.get("paused_ms")]), 1)
                       if any(r.get("gap_ms") and r.get("paused_ms") for r in ok) else None}
    s = summary[sw]
    print("%-10s rounds %d (failed %d)  lost %s (total %d)  max gap median %s ms %s  paused median %s ms  "
          "QEMU downtime median %s ms  gap - paused median %s ms" % (sw, s["rounds"], s["failed"],
          s["lost_per_round"], s["lost_total"], s["gap_ms_median"], s["gap_ms"], s["paused_ms_median"],
          s["downtime_ms_median"], s["gap_minus_paused_ms_median"]))
if "dvs" in summary and "ovs-dpdk" in summary and summary["ovs-dpdk"]["gap_ms_median"]:
    ratio = summary["dvs"]["gap_ms_median"] / summary["ovs-dpdk"]["gap_ms_median"]
    summary["gap_ratio_dvs_over_ovs"] = round(ratio, 2)
    print("max gap median, DVS / OVS-DPDK: %.2f" % ratio)
if sys.argv[2]:
    json.dump({"rounds": rows, "summary": summary}, open(sys.argv[2], "w"), indent=1)
PY
