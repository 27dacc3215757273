#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Pools the rounds of several benchmark runs into per-round ratios.

On this project's shared 2-core machines a contender's speed swings by a factor of two between
rounds, so one run's medians say little. Contenders that ran in the same round, one after the
other, saw about the same machine. Their ratio per round, pooled over many runs, is the figure
to report.

    bench/lib/pool_rounds.py A B [--goal G] RUN_OUTPUT...

A, B: contender names as the runs print them ("round N  NAME  X Mpps" lines of bench/v2v.sh,
bench/v2v-prod.sh and bench/vxlan/run.sh, e.g. dvs and ovs-dpdk, or dvs-vxlan and ovs-vxlan).
Prints the number of rounds, the median of the per-round ratios A/B, the medians of all of A's
and all of B's rounds and their ratio, how many rounds reach --goal, and every ratio.
"""
import argparse
import re
import statistics
import sys

ROUND = re.compile(r"round (\d+)\s+(\S+)\s+([0-9.]+) Mpps")


def rounds_of(path):
    rounds = {}
    with open(path) as f:
        for line in f:
            m = ROUND.match(line)
            if m:
                rounds.setdefault(int(m.group(1)), {})[m.group(2)] = float(m.group(3))
    return [rounds[r] for r in sorted(rounds)]


def ratio_summary(ratios, goal=None):
    """Median, geometric mean, min and max of per-round ratios, and how many reach 'goal'."""
    return {"n": len(ratios), "median": statistics.median(ratios),
            "geomean": statistics.geometric_mean(ratios), "min": min(ratios), "max": max(ratios),
            "at_goal": None if goal is None else sum(x >= goal for x in ratios)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--goal", type=float, default=None)
    args = ap.parse_args()
    ratios, va, vb = [], [], []
    for path in args.runs:
        for r in rounds_of(path):
            if args.a in r and args.b in r and r[args.b] > 0:
                ratios.append(r[args.a] / r[args.b])
                va.append(r[args.a])
                vb.append(r[args.b])
    if not ratios:
        sys.exit("pool_rounds: no round has both %s and %s" % (args.a, args.b))
    ma, mb = statistics.median(va), statistics.median(vb)
    r = ratio_summary(ratios, args.goal)
    print("%s / %s: %d rounds from %d runs; per-round ratio median %.2f (geometric mean %.2f); "
          "medians of all rounds %.2f / %.2f = %.2f" % (
              args.a, args.b, r["n"], len(args.runs), r["median"], r["geomean"], ma, mb, ma / mb))
    if args.goal is not None:
        print("rounds at %.2f or more: %d of %d" % (args.goal, r["at_goal"], r["n"]))
    print("ratios: " + " ".join("%.2f" % x for x in ratios))


if __name__ == "__main__":
    main()
