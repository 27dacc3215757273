#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Pools the per-round ratios dvs-db / ovsdb-server of several bench/ovsdb/bench.sh runs.
The host's speed swings between rounds, and both servers of one round run back to back,
so the per-round ratio is the figure to pool, not the ratio of medians.
usage: pool.py RUN_OUTPUT...   (each file: the stdout of one bench.sh run)"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pool_rounds import ratio_summary  # noqa: E402  (bench/lib: the same pooling as V2V's)

METRICS = [("txn_nondurable_1", "txn/s, 1 client, non-durable"),
           ("txn_nondurable_16", "txn/s, 16 clients, non-durable"),
           ("txn_durable_1", "txn/s, 1 client, durable"),
           ("txn_durable_16", "txn/s, 16 clients, durable"),
           ("txn_nondurable_p16", "txn/s, 1 client, 16 in flight, non-durable"),
           ("txn_durable_p16", "txn/s, 1 client, 16 in flight, durable"),
           ("txn_echo_1", "echo round trips/s, 1 client"),
           ("txn_echo_16", "echo round trips/s, 16 clients")]


def series(raw, key):
    m = re.search(re.escape(key) + r"=\[([^\]]*)\]", raw)
    return [float(v) for v in m.group(1).split()] if m else []


def main(files):
    raws = []
    for f in files:
        lines = [l for l in open(f) if l.startswith("raw:")]
        if not lines:
            sys.exit("pool.py: %s has no raw: line (not a bench.sh output?)" % f)
        raws.append(lines[0])
    print("%-44s %6s %7s %7s %6s %6s %8s" % ("per-round ratio dvs-db / ovsdb-server", "rounds",
                                              "median", "geomean", "min", "max", ">= 3x"))
    for key, name in METRICS:
        rs = []
        for raw in raws:
            rs += [a / b for a, b in zip(series(raw, key + "_dvs"), series(raw, key + "_ovs")) if b > 0]
        if not rs:
            continue
        r = ratio_summary(rs, 3)
        print("%-44s %6d %6.2fx %6.2fx %5.2fx %5.2fx %8s" % (name, r["n"], r["median"], r["geomean"], r["min"],
                                                              r["max"], "%d/%d" % (r["at_goal"], r["n"])))
    for n in ("1", "16"):
        a = sum((series(raw, "cpu_%s_dvs" % n) for raw in raws), [])
        b = sum((series(raw, "cpu_%s_ovs" % n) for raw in raws), [])
        if a and b:
            print("server CPU us per txn, %s client(s), non-durable: dvs-db %.1f, ovsdb-server %.1f (medians)"
                  % (n, statistics.median(a), statistics.median(b)))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
