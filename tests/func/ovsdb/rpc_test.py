# SPDX-License-Identifier: Apache-2.0
"""Drives a running dvs-db over raw JSON-RPC: every RFC 7047 method and operation in the
shapes the RFC defines them, the RFC's error strings, locks, waits, monitors (monitor and
monitor_cond), and the server's behaviour with bad input.
usage: rpc_test.py SOCKET"""
import json
import socket
import sys
import time

from dbsclient import Checker, connect

DB = "dbstest"
sock = sys.argv[1]
ck = Checker("rpc")
c = connect(sock)


def uuid_of(res):
    return res["uuid"][1]


def err(res):
    return res.get("error") if isinstance(res, dict) else None


# --- list_dbs, get_schema, echo (RFC 7047 4.1.1, 4.1.2, 4.1.11) ---
r = c.call("list_dbs", [])
ck.eq(r, {"result": [DB], "error": None, "id": r["id"]}, "list_dbs reply")
r = c.call("get_schema", [DB])
ck.eq(r["result"]["name"], DB, "get_schema name")
ck.eq(r["result"]["version"], "1.2.3", "schema version")
ck.eq(r["result"]["cksum"], "2964371337 1234", "schema cksum")
r = c.call("get_schema", ["nope"])
ck.eq(r["error"]["error"], "unknown database", "get_schema unknown db")
r = c.call("echo", ["hello", 42])
ck.eq(r["result"], ["hello", 42], "echo returns params")
r = c.call("no_such_method", [])
ck.eq(r["error"]["error"], "unknown method", "unknown method error")

# --- insert with uuid-name, strong refs, select (4.1.3, 5.2.1, 5.2.2) ---
res = c.transact(DB,
                 {"op": "insert", "table": "Port", "row": {"name": "p1", "vlan": 10, "mode": "access"}, "uuid-name": "p1"},
                 {"op": "insert", "table": "Host", "row": {"name": "h1", "gen": 1,
                                                            "ports": ["set", [["named-uuid", "p1"]]],
                                                            "tags": ["map", [["rack", "r1"]]]}, "uuid-name": "h1"},
                 {"op": "comment", "comment": "first host"})
ck.eq(len(res), 3, "result array has one element per operation")
p1, h1 = uuid_of(res[0]), uuid_of(res[1])
ck.eq(res[2], {}, "comment result")
res = c.transact(DB, {"op": "select", "table": "Host", "where": [["name", "==", "h1"]],
                      "columns": ["name", "ports", "tags", "gen"]})
ck.eq(res[0]["rows"], [{"name": "h1", "ports": ["uuid", p1], "tags": ["map", [["rack", "r1"]]], "gen": 1}],
      "select returns inserted row with named-uuid resolved")
res = c.transact(DB, {"op": "select", "table": "Host", "where": [["_uuid", "==", ["uuid", h1]]]})
ck.eq(res[0]["rows"][0]["_uuid"], ["uuid", h1], "select by _uuid")
ck.true("_version" in res[0]["rows"][0], "select without columns returns _version")

# duplicate uuid-name
res = c.transact(DB, {"op": "insert", "table": "Item", "row": {}, "uuid-name": "x"},
                 {"op": "insert", "table": "Item", "row": {}, "uuid-name": "x"})
ck.eq(err(res[1]), "duplicate uuid-name", "duplicate uuid-name")
ck.eq(len(res), 2, "failed transaction keeps one result per op")

# --- constraint violations: range, enum, set size, index uniqueness, maxRows ---
res = c.transact(DB, {"op": "insert", "table": "Port", "row": {"name": "bad", "vlan": 5000}})
ck.eq(err(res[0]), "constraint violation", "integer range")
res = c.transact(DB, {"op": "insert", "table": "Port", "row": {"name": "bad", "mode": "hybrid"}})
ck.eq(err(res[0]), "constraint violation", "enum")
res = c.transact(DB, {"op": "insert", "table": "Host", "row": {"name": "h9", "nums": ["set", [1, 2, 3, 4, 5]]}})
ck.eq(err(res[0]), "constraint violation", "set max")
res = c.transact(DB, {"op": "insert", "table": "Host", "row": {"name": "h1"}})
ck.eq(len(res), 2, "commit error appended after the op results")
ck.eq(res[0].get("uuid") is not None, True, "op result kept before commit error")
ck.eq(err(res[1]), "constraint violation", "index uniqueness")
res = c.transact(DB, *[{"op": "insert", "table": "Site", "row": {"name": "s%d" % i, "mtu": 1500}} for i in range(4)])
ck.eq(err(res[-1]), "constraint violation", "maxRows")
res = c.transact(DB, {"op": "select", "table": "Site", "where": []})
ck.eq(res[0]["rows"], [], "failed transaction left no rows")
res = c.transact(DB, {"op": "insert", "table": "Item", "row": {"k": "notanint"}})
ck.eq(err(res[0]), "syntax error", "wrong type")
res = c.transact(DB, {"op": "insert", "table": "Item", "row": {"nosuch": 1}})
ck.eq(err(res[0]), "unknown column", "unknown column")
res = c.transact(DB, {"op": "insert", "table": "NoTable", "row": {}})
ck.eq(err(res[0]), "unknown table", "unknown table")
res = c.transact(DB, {"op": "frobnicate", "table": "Item"})
ck.eq(err(res[0]), "unknown operation", "unknown operation")
res = c.transact(DB, {"op": "select", "table": "Item", "where": [], "bogus": 1})
ck.eq(err(res[0]), "syntax error", "unknown member in an operation is refused")
r = c.call("transact", ["nodb", {"op": "comment", "comment": "x"}])
ck.eq(r["error"]["error"], "unknown database", "transact on unknown db")

# --- update, mutate, immutable column, failure aborts everything (5.2.3, 5.2.4) ---
res = c.transact(DB, {"op": "insert", "table": "Site", "row": {"name": "dc1", "mtu": 1500}, "uuid-name": "s"},
                 {"op": "update", "table": "Site", "where": [["name", "==", "dc1"]], "row": {"mtu": 9000}})
ck.eq(res[1], {"count": 1}, "update sees the row inserted earlier in the transaction")
res = c.transact(DB, {"op": "update", "table": "Site", "where": [], "row": {"name": "x"}})
ck.eq(err(res[0]), "constraint violation", "immutable column update")
res = c.transact(DB, {"op": "mutate", "table": "Host", "where": [["name", "==", "h1"]],
                      "mutations": [["gen", "+=", 5], ["tags", "insert", ["map", [["row", "7"]]]],
                                    ["nums", "insert", ["set", [3, 1]]]]})
ck.eq(res[0], {"count": 1}, "mutate count")
res = c.transact(DB, {"op": "select", "table": "Host", "where": [["name", "==", "h1"]], "columns": ["gen", "tags", "nums"]})
ck.eq(res[0]["rows"][0], {"gen": 6, "tags": ["map", [["rack", "r1"], ["row", "7"]]], "nums": ["set", [1, 3]]},
      "mutations applied")
res = c.transact(DB, {"op": "mutate", "table": "Host", "where": [], "mutations": [["gen", "/=", 0]]})
ck.eq(err(res[0]), "domain error", "division by zero")
res = c.transact(DB, {"op": "mutate", "table": "Host", "where": [], "mutations": [["gen", "-=", 100]]})
ck.eq(err(res[0]), "constraint violation", "mutation result out of range")
res = c.transact(DB, {"op": "mutate", "table": "Host", "where": [], "mutations": [["gen", "+=", 2**62]]},
                 {"op": "mutate", "table": "Host", "where": [], "mutations": [["gen", "+=", 2**62]]})
ck.eq(err(res[1]), "range error", "integer overflow")
res = c.transact(DB, {"op": "mutate", "table": "Host", "where": [],
                      "mutations": [["nums", "insert", ["set", [5, 6, 7]]]]})
ck.eq(err(res[0]), "constraint violation", "mutate exceeds set max")
res = c.transact(DB, {"op": "update", "table": "Host", "where": [], "row": {"gen": 100}},
                 {"op": "abort"})
ck.eq(err(res[1]), "aborted", "abort")
res = c.transact(DB, {"op": "select", "table": "Host", "where": [], "columns": ["gen"]})
ck.eq(res[0]["rows"], [{"gen": 6}], "aborted update not applied")
res = c.transact(DB, {"op": "update", "table": "Host", "where": [], "row": {"gen": 100}},
                 {"op": "insert", "table": "Port", "row": {"vlan": -1}},
                 {"op": "comment", "comment": "never run"})
ck.eq(res[2], None, "ops after a failure get null")
res = c.transact(DB, {"op": "select", "table": "Host", "where": [], "columns": ["gen"]})
ck.eq(res[0]["rows"], [{"gen": 6}], "failed op aborts earlier update")

# --- conditions ---
c.transact(DB, *[{"op": "insert", "table": "Item", "row": {"k": i, "v": "v%d" % i, "r": i / 2, "b": i % 2 == 0}}
                 for i in range(10, 20)])
res = c.transact(DB, {"op": "select", "table": "Item", "where": [["k", ">=", 12], ["k", "<", 15], ["b", "==", True]],
                      "columns": ["k"]})
ck.eq(sorted(r["k"] for r in res[0]["rows"]), [12, 14], "conjunction of conditions")
res = c.transact(DB, {"op": "select", "table": "Item", "where": [["r", ">", 8.9]], "columns": ["k"]})
ck.eq(sorted(r["k"] for r in res[0]["rows"]), [18, 19], "real comparison")
res = c.transact(DB, {"op": "select", "table": "Host", "where": [["tags", "includes", ["map", [["rack", "r1"]]]]],
                      "columns": ["name"]})
ck.eq(res[0]["rows"], [{"name": "h1"}], "includes on map")
res = c.transact(DB, {"op": "select", "table": "Host", "where": [["nums", "excludes", 3]], "columns": ["name"]})
ck.eq(res[0]["rows"], [], "excludes on set")
res = c.transact(DB, {"op": "select", "table": "Item", "where": [["v", "<", "x"]]})
ck.eq(err(res[0]), "syntax error", "ordering on a string column is refused")
res = c.transact(DB, {"op": "delete", "table": "Item", "where": [["k", ">=", 15]]})
ck.eq(res[0], {"count": 5}, "delete count")

# --- referential integrity, weak refs, garbage collection ---
res = c.transact(DB, {"op": "insert", "table": "Host",
                      "row": {"name": "h2", "ports": ["uuid", "00000000-0000-4000-8000-000000000001"]}})
ck.eq(err(res[-1]), "referential integrity violation", "reference to nonexistent row")
res = c.transact(DB, {"op": "delete", "table": "Port", "where": [["_uuid", "==", ["uuid", p1]]]})
ck.eq(err(res[-1]), "referential integrity violation", "strong ref blocks delete")
# Port is not a root table: an unreferenced port is collected at commit.
res = c.transact(DB, {"op": "insert", "table": "Port", "row": {"name": "orphan"}})
res = c.transact(DB, {"op": "select", "table": "Port", "where": [["name", "==", "orphan"]]})
ck.eq(res[0]["rows"], [], "unreferenced non-root row garbage collected")
res = c.transact(DB, {"op": "update", "table": "Port", "where": [["_uuid", "==", ["uuid", p1]]],
                      "row": {"host": ["uuid", h1]}})
res = c.transact(DB, {"op": "select", "table": "Port", "where": [], "columns": ["host"]})
ck.eq(res[0]["rows"], [{"host": ["uuid", h1]}], "weak ref stored")
res = c.transact(DB, {"op": "delete", "table": "Host", "where": [["name", "==", "h1"]]})
ck.eq(res[0], {"count": 1}, "delete host")
res = c.transact(DB, {"op": "select", "table": "Port", "where": []})
ck.eq(res[0]["rows"], [], "port lost its last strong ref with the host and was collected")
# weak ref cleanup on a root table row
res = c.transact(DB, {"op": "insert", "table": "Host", "row": {"name": "h3"}, "uuid-name": "h3"},
                 {"op": "insert", "table": "Port", "row": {"name": "p3", "host": ["named-uuid", "h3"]}, "uuid-name": "p3"},
                 {"op": "insert", "table": "Host", "row": {"name": "h4", "ports": ["named-uuid", "p3"]}})
h3 = uuid_of(res[0])
c.transact(DB, {"op": "delete", "table": "Host", "where": [["name", "==", "h3"]]})
res = c.transact(DB, {"op": "select", "table": "Port", "where": [["name", "==", "p3"]], "columns": ["host"]})
ck.eq(res[0]["rows"], [{"host": ["set", []]}], "weak reference removed when its target is deleted")

# --- wait (5.2.6), commit (5.2.7), assert and locks (4.1.8-4.1.10, 5.2.10) ---
res = c.transact(DB, {"op": "wait", "table": "Host", "where": [["name", "==", "h4"]], "columns": ["name"],
                      "until": "==", "rows": [{"name": "h4"}], "timeout": 0})
ck.eq(res[0], {}, "wait satisfied")
res = c.transact(DB, {"op": "wait", "table": "Host", "where": [["name", "==", "h4"]], "columns": ["name"],
                      "until": "!=", "rows": [{"name": "h4"}], "timeout": 0})
ck.eq(err(res[0]), "timed out", "wait with timeout 0 fails at once")
t0 = time.time()
res = c.transact(DB, {"op": "wait", "table": "Host", "where": [["name", "==", "h4"]], "columns": ["name"],
                      "until": "==", "rows": [], "timeout": 300})
ck.eq(err(res[0]), "timed out", "wait times out")
ck.true(0.25 <= time.time() - t0 < 3, "wait honoured its timeout (%.2fs)" % (time.time() - t0))
c2 = connect(sock)
rid = c.request("transact", [DB, {"op": "wait", "table": "Item", "where": [["k", "==", 77]], "columns": ["k"],
                                  "until": "==", "rows": [{"k": 77}], "timeout": 5000},
                             {"op": "insert", "table": "Item", "row": {"k": 78}}])
time.sleep(0.1)
c2.transact(DB, {"op": "insert", "table": "Item", "row": {"k": 77}})
r = c.wait_reply(rid)
ck.eq(len(r["result"]), 2, "blocked wait completes after another client's commit")
ck.true("uuid" in r["result"][1], "rest of the waiting transaction ran")
rid = c.request("transact", [DB, {"op": "wait", "table": "Item", "where": [["k", "==", 99]], "columns": ["k"],
                                  "until": "==", "rows": [{"k": 99}], "timeout": 10000}])
c.send({"method": "cancel", "params": [rid], "id": None})
r = c.wait_reply(rid)
ck.eq(r["error"], {"error": "canceled"}, "cancel answers the pending request")
res = c.transact(DB, {"op": "commit", "durable": True})
ck.eq(res, [{}], "durable commit")
res = c.transact(DB, {"op": "assert", "lock": "leader"})
ck.eq(err(res[0]), "not owner", "assert without the lock")
r = c.call("lock", ["leader"])
ck.eq(r["result"], {"locked": True}, "lock acquired")
r = c2.call("lock", ["leader"])
ck.eq(r["result"], {"locked": False}, "second client waits")
res = c.transact(DB, {"op": "assert", "lock": "leader"}, {"op": "insert", "table": "Item", "row": {"k": 500}})
ck.eq(res[0], {}, "assert with the lock")
r = c2.call("steal", ["leader"])
ck.eq(r["result"], {"locked": True}, "steal")
n = c.wait_note("stolen")
ck.eq(n["params"], ["leader"], "stolen notification")
res = c.transact(DB, {"op": "assert", "lock": "leader"})
ck.eq(err(res[0]), "not owner", "assert after the lock was stolen")
r = c2.call("unlock", ["leader"])
ck.eq(r["result"], {}, "unlock")
n = c.wait_note("locked")
ck.eq(n["params"], ["leader"], "locked notification to the waiter")
# A waiter gets the lock promptly when the owner disconnects.
r = c2.call("lock", ["leader2"])
ck.eq(r["result"], {"locked": True}, "second lock to c2")
r = c.call("lock", ["leader2"])
ck.eq(r["result"], {"locked": False}, "c waits for leader2")
c2.close()
t0 = time.time()
n = c.wait_note("locked", timeout=2)
ck.eq(n["params"], ["leader2"], "lock passed on when its owner disconnects")
ck.true(time.time() - t0 < 0.5, "promptly (%.3fs)" % (time.time() - t0))

# --- monitor (4.1.5-4.1.7) and monitor_cond (OVS extension) ---
m = connect(sock)
r = m.call("monitor", [DB, "m1", {"Item": {"columns": ["k", "v"], "select": {"initial": False}}}])
ck.eq(r["result"], {}, "monitor without initial returns empty table-updates")
m2 = connect(sock)
r = m2.call("monitor_cond", [DB, "mc", {"Item": [{"columns": ["k", "v"], "where": [["k", "==", 1000]]}]}])
ck.eq(r["result"], {}, "monitor_cond initial is empty")
res = c.transact(DB, {"op": "insert", "table": "Item", "row": {"k": 1000, "v": "a"}},
                 {"op": "insert", "table": "Item", "row": {"k": 1001, "v": "b"}})
u1000, u1001 = uuid_of(res[0]), uuid_of(res[1])
n = m.wait_note("update")
ck.eq(n["params"][0], "m1", "update carries the monitor id")
ck.eq(n["params"][1], {"Item": {u1000: {"new": {"k": 1000, "v": "a"}}, u1001: {"new": {"k": 1001, "v": "b"}}}},
      "update for inserts")
n = m2.wait_note("update2")
ck.eq(n["params"], ["mc", {"Item": {u1000: {"insert": {"k": 1000, "v": "a"}}}}], "update2 only for matching rows")
c.transact(DB, {"op": "update", "table": "Item", "where": [["k", "==", 1000]], "row": {"v": "c"}})
n = m.wait_note("update")
ck.eq(n["params"][1], {"Item": {u1000: {"old": {"v": "a"}, "new": {"k": 1000, "v": "c"}}}}, "update for modify")
n = m2.wait_note("update2")
ck.eq(n["params"][1], {"Item": {u1000: {"modify": {"v": "c"}}}}, "update2 modify carries the diff")
r = m2.call("monitor_cond_change", ["mc", "mc2", {"Item": [{"where": [["k", "==", 1001]]}]}])
ck.eq(r["result"], {}, "monitor_cond_change reply")
n = m2.notes.pop(0) if m2.notes else m2.wait_note("update2")
ck.eq(n["method"], "update2", "condition change sends update2 before the reply")
ck.eq(n["params"], ["mc2", {"Item": {u1000: {"delete": None}, u1001: {"insert": {"k": 1001, "v": "b"}}}}],
      "condition change: old rows deleted, new rows inserted")
c.transact(DB, {"op": "delete", "table": "Item", "where": [["k", ">=", 1000]]})
n = m.wait_note("update")
ck.eq(n["params"][1], {"Item": {u1000: {"old": {"k": 1000, "v": "c"}}, u1001: {"old": {"k": 1001, "v": "b"}}}},
      "update for deletes")
n = m2.wait_note("update2")
ck.eq(n["params"], ["mc2", {"Item": {u1001: {"delete": None}}}], "update2 delete")
r = m.call("monitor_cancel", ["m1"])
ck.eq(r["result"], {}, "monitor_cancel")
r = m.call("monitor_cancel", ["m1"])
ck.eq(r["error"]["error"], "unknown monitor", "monitor_cancel of an unknown monitor")
r = m.call("monitor", [DB, "m3", {"NoTable": {}}])
ck.eq(r["error"]["error"], "unknown table", "monitor of an unknown table")
m.close()
m2.close()

# --- bad input: the server answers precisely, closes only the offender, serves others ---
bad = connect(sock)
bad.send_raw(b'{"method": "echo", "params": [], "id": 1')
bad.send_raw(b' oops}')
r = bad.recv()
ck.eq(r["error"]["error"], "syntax error", "malformed JSON gets a syntax error")
try:
    bad.recv()
    closed = False
except (EOFError, ConnectionResetError):
    closed = True
ck.true(closed, "connection closed after malformed JSON")
bad = connect(sock)
bad.send_raw(b'[1, 2, 3]')
r = bad.recv()
ck.eq(r["error"]["error"], "syntax error", "a non-object message is refused")
bad = connect(sock)
r = bad.call("transact", "notalist")
ck.eq(r["error"]["error"], "syntax error", "params must be an array")
big = connect(sock)
try:
    big.send_raw(b'{"method":"echo","id":1,"params":["' + b"x" * (5 << 20) + b'"]}')
except (BrokenPipeError, ConnectionResetError):
    pass
try:
    r = big.recv()
    ck.eq(r["error"]["error"], "resources exhausted", "oversize message refused")
except (EOFError, ConnectionResetError):
    ck.true(True, "oversize message: connection closed")
res = c.transact(DB, {"op": "select", "table": "Host", "where": [["name", "==", "h4"]], "columns": ["name"]})
ck.eq(res[0]["rows"], [{"name": "h4"}], "server still serves others after bad clients")
ck.done()
