# SPDX-License-Identifier: Apache-2.0
"""A client that monitors but never reads must be disconnected once its output backlog
passes --max-backlog, while other clients keep being served.  usage: stuck_test.py SOCKET LOG"""
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
ck.done()
