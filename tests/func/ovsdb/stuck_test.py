# SPDX-License-Identifier: Apache-2.0
"""A client that monitors but never reads must be disconnected once its output backlog
passes --max-backlog, while other clients keep being served.  A client that does read must
not be, even when one reply alone is over the limit (a large table's initial contents) and
updates queue behind it while it reads.  usage: stuck_test.py SOCKET LOG"""
import socket
import sys
import time

from dbsclient import Checker, connect

DB = "dbstest"
sock, log = sys.argv[1:3]
ck = Checker("stuck")
stuck = connect(sock)
stuck.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
r = stuck.call("monitor", [DB, "s", {"Item": {"columns": ["v"]}}])
ck.eq(r["error"], None, "monitor accepted")
w = connect(sock)
watcher = connect(sock)
watcher.call("monitor", [DB, "w", {"Item": {"columns": ["k"]}}])
payload = "x" * 4000
disconnected = False
for i in range(400):
    res = w.transact(DB, {"op": "insert", "table": "Item", "row": {"k": i, "v": payload}})
    ck.true("uuid" in res[0], "insert %d served while a client is stuck" % i) if i % 100 == 0 else None
    if "not reading" in open(log).read():
        disconnected = True
        break
ck.true(disconnected, "stuck client disconnected (server log says so)")
n = watcher.wait_note("update")
ck.eq(n["params"][0], "w", "a reading monitor still gets its updates")
# The stuck client's socket reaches EOF after the data the kernel already holds.
stuck.sock.settimeout(5)
eof = False
try:
    while stuck.sock.recv(1 << 20):
        pass
    eof = True
except OSError:
    eof = True
ck.true(eof, "stuck client's connection closed")
res = w.transact(DB, {"op": "select", "table": "Item", "where": [["k", "==", 0]], "columns": ["k"]})
ck.eq(res[0]["rows"], [{"k": 0}], "server healthy afterwards")

# A reading client whose initial contents alone are over the limit (--max-backlog=256 KiB;
# 200 rows of 4 KB, 800 KB, more than the limit plus what the socket holds), read 16 KB at a
# time while 30 inserts queue updates behind it.  Before, the first update after the reply
# cut it off.
n_rows = len(w.transact(DB, {"op": "select", "table": "Item", "where": [], "columns": ["k"]})[0]["rows"])
for i in range(n_rows, 200):
    w.transact(DB, {"op": "insert", "table": "Item", "row": {"k": 5000 + i, "v": payload}})
n_rows = max(n_rows, 200)
cuts_before = open(log).read().count("not reading")
big = connect(sock)
big.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
big.send({"method": "monitor", "params": [DB, "big", {"Item": {"columns": ["k", "v"]}}], "id": 7})
raw = b""
for i in range(30):
    w.transact(DB, {"op": "insert", "table": "Item", "row": {"k": 10000 + i, "v": payload}})
    raw += big.sock.recv(16384)
big.buf = raw.decode()
reply = big.wait_reply(7)
ck.eq(reply["error"], None, "the big monitor's reply")
# The server may take the first inserts before the monitor request (two connections): a row
# is then in the initial contents instead of an update.  Either way, every row arrives.
initial = [r["new"]["k"] for r in reply["result"]["Item"].values()]
new_keys = set(range(10000, 10030))
ck.eq(len([k for k in initial if k not in new_keys]), n_rows, "the big monitor's reply holds every earlier row")
initial = set(initial)
got = initial & new_keys
while len(got) < 30:
    n = big.wait_note("update")
    got.update(r["new"]["k"] for r in n["params"][1]["Item"].values())
ck.eq(sorted(got), sorted(new_keys), "then every update queued behind it, in full")
ck.eq(open(log).read().count("not reading"), cuts_before, "a reading client is not cut off")
ck.done()
