#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 7's migration metric from a `ping -D -i 0.02` log: pings lost, and the max gap (the
longest interval between two consecutive successful replies), beside QEMU's downtime and the
guest's real pause (dvs-qemu-migrate's JSON: STOP at the source to RESUME at the destination).
With --row (DVS's Migration row as JSON) the gap's timeline is added: each mark in ms after
the last reply before the gap.  Prints one line: RESULT {json}."""
import argparse
import json
import re

ap = argparse.ArgumentParser()
ap.add_argument("--switch", required=True)
ap.add_argument("--pings", type=int, required=True)
ap.add_argument("--ping-log", required=True)
ap.add_argument("--qemu", required=True, help="dvs-qemu-migrate's query-migrate JSON (file)")
ap.add_argument("--row", help="the Migration row as JSON (file)")
a = ap.parse_args()

t = {}
for line in open(a.ping_log):
    m = re.match(r"\[(\d+\.\d+)\].*icmp_seq=(\d+)", line)
    if m:
        t[int(m.group(2))] = float(m.group(1))
seqs = sorted(t)
q = json.loads(open(a.qemu).read().strip().splitlines()[-1])
res = {"switch": a.switch, "lost": a.pings - len(t), "replies": len(t),
       "downtime_ms": q.get("downtime"), "paused_ms": q.get("paused_ms"),
       "total_ms": q.get("total-time")}
if len(seqs) > 1:
    s0, s1 = max(zip(seqs, seqs[1:]), key=lambda p: t[p[1]] - t[p[0]])
    res["gap_ms"] = round((t[s1] - t[s0]) * 1000, 1)
    res["gap_seqs"] = [s0, s1]
    t0 = t[s0] * 1e6
    marks = [("stop", q.get("stop_us")), ("resume", q.get("resume_us"))]
    if a.row:
        row = json.loads(open(a.row).read())
        marks += [("src_last_frame", row.get("source_last_frame_us")),
                  ("dst_first_frame", row.get("dest_first_frame_us"))]
        res.update({k: row.get(k) for k in ("blackout_us", "frames_lost", "frames_redirected",
                                            "activated_by")})
    marks.append(("next_reply", t[s1] * 1e6))
    res["timeline_ms"] = {n: round((v - t0) / 1000, 1) for n, v in marks if v}
    if q.get("resume_us"):
        # The part of the gap after the guest runs again: its own restart, and the network's
        # (the switch repointing the MAC, frames held or lost meanwhile).
        res["resume_to_reply_ms"] = round((t[s1] * 1e6 - q["resume_us"]) / 1000, 1)
print("RESULT " + json.dumps(res))
