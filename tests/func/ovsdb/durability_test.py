# SPDX-License-Identifier: Apache-2.0
"""Durability of dvs-db: kill -9 under concurrent write load, repeatedly; after each restart
every acknowledged transaction is present and the database is consistent.  Then a torn and
a corrupted journal tail.  usage: durability_test.py BUILD DIR SCHEMA"""
import os
import signal
import sys
import threading
import time

from dbsclient import Checker, connect, start_server

build, d, schema = sys.argv[1:4]
DB = "dbstest"
dbfile, sock, log = d + "/db.json", d + "/db.sock", d + "/log"
ck = Checker("durability")
N_WRITERS, ROUNDS = 8, 5

acked = set()          # Item.k values whose insert was acknowledged
acked_gen = {}         # writer -> last acknowledged Host.gen
lock = threading.Lock()


def writer(w, stop):
    try:
        c = connect(sock)
    except AssertionError:
        return
    try:
        seq = 0
        while not stop.is_set():
            seq += 1
            k = w * 10**7 + int(time.time() * 1000) % 10**6 * 10 + seq % 10
            res = c.transact(DB, {"op": "insert", "table": "Item", "row": {"k": k, "v": "w%d" % w}},
                             {"op": "mutate", "table": "Host", "where": [["name", "==", "w%d" % w]],
                              "mutations": [["gen", "+=", 1]]},
                             {"op": "select", "table": "Host", "where": [["name", "==", "w%d" % w]],
                              "columns": ["gen"]})
            if "error" in res[0]:
                continue
            with lock:
                acked.add(k)
                acked_gen[w] = res[2]["rows"][0]["gen"]
    except (EOFError, OSError, AssertionError, KeyError):
        pass  # the server was killed under us


def check_consistent(c, what):
    res = c.transact(DB, {"op": "select", "table": "Item", "where": [], "columns": ["k"]},
                     {"op": "select", "table": "Host", "where": [], "columns": ["name", "gen"]})
    ks = [r["k"] for r in res[0]["rows"]]
    present = set(ks)
    missing = acked - present
    ck.eq(len(missing), 0, "%s: acknowledged inserts missing after restart (%d of %d)" % (what, len(missing), len(acked)))
    ck.eq(len(ks), len(present), "%s: no duplicated rows" % what)
    gens = {r["name"]: r["gen"] for r in res[1]["rows"]}
    for w, g in acked_gen.items():
        ck.true(gens.get("w%d" % w, -1) >= g, "%s: writer %d gen %s >= acknowledged %d" % (what, w, gens.get("w%d" % w), g))
    ck.eq(len(gens), N_WRITERS, "%s: index kept host names unique" % what)


p = start_server(build, dbfile, sock, schema=schema, log=log)
c = connect(sock)
c.transact(DB, *[{"op": "insert", "table": "Host", "row": {"name": "w%d" % w, "gen": 0}} for w in range(N_WRITERS)])
c.close()
total = 0
for rnd in range(ROUNDS):
    stop = threading.Event()
    ts = [threading.Thread(target=writer, args=(w, stop)) for w in range(N_WRITERS)]
    for t in ts:
        t.start()
    time.sleep(0.4 + 0.1 * rnd)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    stop.set()
    for t in ts:
        t.join()
    p = start_server(build, dbfile, sock, log=log)
    c = connect(sock)
    check_consistent(c, "round %d" % rnd)
    c.close()
    total = len(acked)
ck.true(total > 100, "load was real: %d acknowledged transactions" % total)
print("acknowledged transactions across %d kill -9 rounds: %d" % (ROUNDS, total))

# --- torn tail: half a record appended, as a crash mid-write leaves it ---
p.send_signal(signal.SIGTERM)
p.wait()
size_before = os.path.getsize(dbfile)
with open(dbfile, "ab") as f:
    f.write(b'DVSJ1 500 0badc0de\n{"Item":{"0000')
p = start_server(build, dbfile, sock, log=log)
ck.eq(os.path.getsize(dbfile), size_before, "torn tail truncated back to the last whole record")
ck.true("truncating" in open(log).read(), "truncation was logged")
c = connect(sock)
check_consistent(c, "torn tail")
res = c.transact(DB, {"op": "insert", "table": "Item", "row": {"k": -1, "v": "after-torn"}})
acked.add(-1)
c.close()
p.send_signal(signal.SIGTERM)
p.wait()

# --- corrupted last record: a flipped byte fails the checksum; earlier records survive ---
data = bytearray(open(dbfile, "rb").read())
last = data.rindex(b"DVSJ1 ")
body = data.index(b"\n", last) + 1
data[body + 5] ^= 0x20
open(dbfile, "wb").write(bytes(data))
p = start_server(build, dbfile, sock, log=log)
ck.true("checksum mismatch" in open(log).read(), "checksum mismatch detected and logged")
acked.discard(-1)  # that record was destroyed on purpose
c = connect(sock)
check_consistent(c, "corrupt tail")
res = c.transact(DB, {"op": "select", "table": "Item", "where": [["k", "==", -1]]})
ck.eq(res[0]["rows"], [], "corrupted record dropped")
c.transact(DB, {"op": "insert", "table": "Item", "row": {"k": -2}})
acked.add(-2)
c.close()
p.send_signal(signal.SIGTERM)
p.wait()
p = start_server(build, dbfile, sock, log=log)
c = connect(sock)
check_consistent(c, "restart after repair")

# --- compaction keeps everything and shrinks the file ---
before = os.path.getsize(dbfile)
r = c.call("dvs_compact", [])
ck.eq(r["result"], {}, "dvs_compact")
time.sleep(0.2)
ck.true(os.path.getsize(dbfile) < before, "compaction shrank the journal (%d -> %d bytes)" % (before, os.path.getsize(dbfile)))
c.transact(DB, {"op": "insert", "table": "Item", "row": {"k": -3}})
acked.add(-3)
c.close()
os.kill(p.pid, signal.SIGKILL)
p.wait()
p = start_server(build, dbfile, sock, log=log)
c = connect(sock)
check_consistent(c, "after compaction and kill -9")
c.close()
p.send_signal(signal.SIGTERM)
p.wait()
ck.done()
