# SPDX-License-Identifier: Apache-2.0
"""Many monitoring clients while others write: every monitor sees every committed change,
in commit order.  usage: concurrency_test.py SOCKET"""
import sys
import threading

from dbsclient import Checker, connect

DB = "dbstest"
sock = sys.argv[1]
ck = Checker("concurrency")
N_MON, N_COND, N_WRITERS, N_TXN = 16, 4, 4, 150

c = connect(sock)
c.transact(DB, *[{"op": "insert", "table": "Host", "row": {"name": "w%d" % w, "gen": 0}} for w in range(N_WRITERS)])
uuids = {}
for r in c.transact(DB, {"op": "select", "table": "Host", "where": [], "columns": ["_uuid", "name"]})[0]["rows"]:
    uuids[r["_uuid"][1]] = r["name"]

mons = []
for i in range(N_MON):
    m = connect(sock)
    r = m.call("monitor", [DB, i, {"Host": {"columns": ["name", "gen"]}, "Item": {"columns": ["k"]}}])
    ck.eq(len(r["result"]["Host"]), N_WRITERS, "monitor %d initial rows" % i)
    mons.append(m)
conds = []
for i in range(N_COND):
    m = connect(sock)
    # A host-style conditional monitor: only writer 0's row.
    r = m.call("monitor_cond", [DB, "c", {"Host": [{"columns": ["name", "gen"], "where": [["name", "==", "w0"]]}]}])
    ck.eq(len(r["result"]["Host"]), 1, "monitor_cond %d initial rows" % i)
    conds.append(m)

errors = []


def write(w):
    wc = connect(sock)
    for n in range(N_TXN):
        res = wc.transact(DB, {"op": "mutate", "table": "Host", "where": [["name", "==", "w%d" % w]],
                               "mutations": [["gen", "+=", 1]]},
                          {"op": "insert", "table": "Item", "row": {"k": w * 100000 + n}})
        if "error" in res[0] or "error" in res[1]:
            errors.append(res)
    wc.close()


ts = [threading.Thread(target=write, args=(w,)) for w in range(N_WRITERS)]
for t in ts:
    t.start()
for t in ts:
    t.join()
ck.eq(errors, [], "writers' transactions all succeeded")

expect = N_WRITERS * N_TXN
for i, m in enumerate(mons):
    last = {name: 0 for name in uuids.values()}
    items, n_updates, ordered = set(), 0, True
    while n_updates < expect:
        n = m.wait_note("update", timeout=10)
        n_updates += 1
        upd = n["params"][1]
        hosts = upd.get("Host", {})
        ck.true(len(hosts) == 1 and len(upd.get("Item", {})) == 1, "monitor %d: one update per transaction" % i) if n_updates == 1 else None
        for u, ru in hosts.items():
            g = ru["new"]["gen"]
            name = uuids[u]
            ordered &= g == last[name] + 1 and ru["old"]["gen"] == last[name]
            last[name] = g
        for u, ru in upd.get("Item", {}).items():
            items.add(ru["new"]["k"])
    ck.true(ordered, "monitor %d: every host's gen seen as 1,2,3,... with matching old values" % i)
    ck.eq(last, {name: N_TXN for name in uuids.values()}, "monitor %d: final gens" % i)
    ck.eq(len(items), expect, "monitor %d: every insert seen once" % i)
for i, m in enumerate(conds):
    seen = []
    while len(seen) < N_TXN:
        n = m.wait_note("update2", timeout=10)
        for u, ru in n["params"][1]["Host"].items():
            ck.eq(uuids[u], "w0", "monitor_cond %d: only the selected row" % i) if not seen else None
            seen.append(ru["modify"]["gen"])
    ck.eq(seen, list(range(1, N_TXN + 1)), "monitor_cond %d: every change of its row, in order" % i)
    ck.true(not any(n.get("method") == "update2" for n in m.notes), "monitor_cond %d: nothing about other rows" % i)
print("%d monitors x %d transactions from %d concurrent writers" % (N_MON + N_COND, expect, N_WRITERS))
ck.done()
