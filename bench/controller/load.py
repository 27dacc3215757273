# SPDX-License-Identifier: Apache-2.0
# Load generator and probes for the dvs-controller benchmark (bench.sh).  Standard library
# only (run with /usr/bin/python3).  Fake hosts are Host rows with heartbeats; fake ports
# report status up, as a switchd would.
#   load.py SOCK load HOSTS PORTS GROUPS SEGMENTS   populate the database
#   load.py SOCK beat HOSTS SECONDS                 every host heartbeats once a second
#   load.py SOCK count TABLE COLUMN VALUE_JSON       rows whose COLUMN == VALUE
#   load.py SOCK wait-count TABLE COLUMN VALUE_JSON N TIMEOUT_S [SINCE]
#                                                   polls (20 ms) until the count is N;
#                                                   prints the seconds since SINCE (a
#                                                   wall-clock time) or since its start
#   load.py SOCK move-group GROUP SEGMENT           sets PortGroup.segment; prints the
#                                                   wall-clock time of the reply (s)
# For real (simulated, `dvs-switchd --no-datapath`) hosts, hosts.sh:
#   load.py SOCK load-spread HOSTS PORTS GROUPS SEGMENTS [FIRST]
#                                                   port i on host hv(i % HOSTS), in group
#                                                   (i // HOSTS) % GROUPS, so every group
#                                                   spans every host; no Host rows (the
#                                                   switchds register), no status;
#                                                   ports pFIRST..pPORTS-1 (groups made
#                                                   once)
#   load.py SOCK set-tag GROUP TAG                  PortGroup.tag and the generation bump,
#                                                   as dvsctl does; prints "T0 GENERATION"
#   load.py SOCK apply-times GEN SINCE LOG...       when each host's log says it applied GEN
#                                                   (seconds since SINCE): "n first median last"
#   load.py SOCK wait-applied GEN N TIMEOUT_S SINCE polls (10 ms) until N hosts report
#                                                   applied_generation >= GEN; prints the
#                                                   seconds since SINCE
import json
import socket
import sys
import time


class Db:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.dec = json.JSONDecoder()
        self.buf = ""
        self.id = 0

    def call(self, method, params):
        self.id += 1
        self.s.sendall(json.dumps({"method": method, "params": params, "id": self.id}).encode())
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    msg, end = self.dec.raw_decode(text)
                    self.buf = text[end:]
                    if msg.get("id") == self.id:
                        if msg.get("error"):
                            raise SystemExit("error: %s" % msg["error"])
                        return msg["result"]
                    continue
                except json.JSONDecodeError:
                    pass
            data = self.s.recv(1 << 22)
            if not data:
                raise SystemExit("connection closed")
            self.buf += data.decode()

    def tx(self, ops):
        res = self.call("transact", ["DVS"] + ops)
        for i, r in enumerate(res):
            if isinstance(r, dict) and "error" in r:
                raise SystemExit("operation %d failed: %s" % (i, json.dumps(r)))
        return res


def now_ms():
    return int(time.time() * 1000)


def load(db, n_hosts, n_ports, n_groups, n_segs):
    db.tx([{"op": "insert", "table": "Global", "row": {"other_config": ["map", [
        ["host_down_after_ms", "10000"], ["vni_range", "1000-16777215"]]]}}])
    segs = []
    for i in range(n_segs):
        segs.append(db.tx([{"op": "insert", "table": "Segment", "row": {"name": "seg%d" % i}}])[0]["uuid"])
    groups = []
    for i in range(n_groups):
        groups.append(db.tx([{"op": "insert", "table": "PortGroup", "row": {
            "name": "pg%d" % i, "vlan_mode": "access", "tag": 10 + i % 4000,
            "segment": segs[i % n_segs]}}])[0]["uuid"])
    ops = [{"op": "insert", "table": "Host", "row": {"name": "hv%d" % i, "last_heartbeat": now_ms()}}
           for i in range(n_hosts)]
    db.tx(ops)
    batch = []
    for i in range(n_ports):
        host = "hv%d" % (i % n_hosts)
        batch.append({"op": "insert", "table": "Port", "row": {
            "key": "p%d" % i, "port_group": groups[i % n_groups], "backing": "tap",
            "tap_name": "t%d" % i, "mac": "52:54:%02x:%02x:%02x:%02x" % (
                (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255),
            "requested_host": host, "status": ["map", [["state", "up"], ["host", host]]]}})
        if len(batch) == 5000:
            db.tx(batch)
            batch = []
    if batch:
        db.tx(batch)
    print(json.dumps({"segments": segs, "groups": groups}))


def load_spread(db, n_hosts, n_ports, n_groups, n_segs, first=0):
    have = db.tx([{"op": "select", "table": "PortGroup", "where": [], "columns": ["_uuid", "name"]}])[0]["rows"]
    if have:
        by_name = {r["name"]: r["_uuid"][1] for r in have}
        groups = [by_name["pg%d" % i] for i in range(n_groups)]
        segs = []
    else:
        db.tx([{"op": "insert", "table": "Global", "row": {"generation": 1, "other_config": ["map", [
            ["host_down_after_ms", "10000"], ["vni_range", "1000-16777215"]]]}}])
        segs = [db.tx([{"op": "insert", "table": "Segment", "row": {"name": "seg%d" % i}}])[0]["uuid"]
                for i in range(n_segs)]
        groups = []
        for i in range(n_groups):
            row = {"name": "pg%d" % i, "vlan_mode": "access", "tag": 10 + i % 4000}
            if segs:
                row["segment"] = segs[i % n_segs]
            groups.append(db.tx([{"op": "insert", "table": "PortGroup", "row": row}])[0]["uuid"][1])
    batch = []
    for i in range(first, n_ports):
        batch.append({"op": "insert", "table": "Port", "row": {
            "key": "p%d" % i, "port_group": ["uuid", groups[(i // n_hosts) % n_groups]],
            "backing": "tap", "tap_name": "t%d" % i, "mac": "52:54:%02x:%02x:%02x:%02x" % (
                (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255),
            "requested_host": "hv%d" % (i % n_hosts)}})
        if len(batch) == 5000:
            db.tx(batch + [BUMP])
            batch = []
    if batch:
        db.tx(batch + [BUMP])
    print(json.dumps({"segments": segs, "groups": groups}))


# Intent changes bump the cluster generation (as dvsctl does), so hosts report them.
BUMP = {"op": "mutate", "table": "Global", "where": [], "mutations": [["generation", "+=", 1]]}


def n_applied(db, gen):
    rows = db.tx([{"op": "select", "table": "Host", "where": [["applied_generation", ">=", gen]],
                   "columns": ["_uuid"]}])[0]["rows"]
    return len(rows)


def count(db, table, column, value):
    rows = db.tx([{"op": "select", "table": table, "where": [[column, "==", value]],
                   "columns": ["_uuid"]}])[0]["rows"]
    return len(rows)


def main():
    db = Db(sys.argv[1])
    cmd = sys.argv[2]
    if cmd == "load":
        load(db, *map(int, sys.argv[3:7]))
    elif cmd == "beat":
        n, secs = int(sys.argv[3]), float(sys.argv[4])
        end = time.time() + secs
        while time.time() < end:
            t0 = time.time()
            db.tx([{"op": "update", "table": "Host", "where": [["name", "==", "hv%d" % i]],
                    "row": {"last_heartbeat": now_ms()}} for i in range(n)])
            time.sleep(max(0, 1 - (time.time() - t0)))
    elif cmd == "load-spread":
        load_spread(db, *map(int, sys.argv[3:]))
    elif cmd == "set-tag":
        t0 = time.time()
        res = db.tx([{"op": "mutate", "table": "Global", "where": [],
                      "mutations": [["generation", "+=", 1]]},
                     {"op": "update", "table": "PortGroup", "where": [["name", "==", sys.argv[3]]],
                      "row": {"tag": int(sys.argv[4])}},
                     {"op": "select", "table": "Global", "where": [], "columns": ["generation"]}])
        print("%.6f %d" % (t0, res[2]["rows"][0]["generation"]))
    elif cmd == "wait-applied":
        gen, want, timeout, t0 = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
        while n_applied(db, gen) < want:
            if time.time() - t0 > timeout:
                raise SystemExit("timeout: %d of %d hosts applied generation %d" % (
                    n_applied(db, gen), want, gen))
            time.sleep(0.01)
        print("%.3f" % (time.time() - t0))
    elif cmd == "apply-times":
        import datetime
        gen, t0 = sys.argv[3], float(sys.argv[4])
        needle = "|generation %s applied" % gen
        ts = []
        for path in sys.argv[5:]:
            with open(path) as f:
                for line in f:
                    if needle in line:
                        stamp = datetime.datetime.strptime(line.split("|")[0], "%Y-%m-%dT%H:%M:%S.%fZ")
                        ts.append(stamp.replace(tzinfo=datetime.timezone.utc).timestamp() - t0)
                        break
        ts.sort()
        if ts:
            print("%d %.3f %.3f %.3f" % (len(ts), ts[0], ts[len(ts) // 2], ts[-1]))
        else:
            print("0 - - -")
    elif cmd == "count":
        print(count(db, sys.argv[3], sys.argv[4], json.loads(sys.argv[5])))
    elif cmd == "wait-count":
        table, col, val = sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
        want, timeout = int(sys.argv[6]), float(sys.argv[7])
        # SINCE: a wall-clock start (move-group's output), so process start-up counts.
        t0 = float(sys.argv[8]) if len(sys.argv) > 8 else time.time()
        while count(db, table, col, val) != want:
            if time.time() - t0 > timeout:
                raise SystemExit("timeout: %s.%s == %s: %d, want %d" % (
                    table, col, val, count(db, table, col, val), want))
            time.sleep(0.02)
        print("%.3f" % (time.time() - t0))
    elif cmd == "move-group":
        t0 = time.time()
        db.tx([{"op": "update", "table": "PortGroup", "where": [["name", "==", sys.argv[3]]],
                "row": {"segment": ["uuid", sys.argv[4]]}}])
        print("%.6f" % t0)
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
