# SPDX-License-Identifier: Apache-2.0
# A minimal OVSDB client for the controller's functional tests (standard library only; run
# with /usr/bin/python3).  One connection per call:
#   db.py SOCK tx OPS_JSON            transact on DVS; prints the result; exit 1 on any error
#   db.py SOCK rows TABLE             every row of TABLE as a JSON list (with _uuid)
#   db.py SOCK eval PYEXPR            evaluates PYEXPR with t(TABLE) -> rows, u(row) -> uuid,
#                                     m(value) -> dict for a map, s(value) -> list for a set,
#                                     prints the value; exit 1 if it is False/None
#   db.py SOCK beat HOST...           sets last_heartbeat = now (wall-clock ms) on those hosts
import json
import socket
import sys
import time


def call(sock_path, method, params):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sock_path)
    s.sendall(json.dumps({"method": method, "params": params, "id": 1}).encode())
    dec, buf = json.JSONDecoder(), ""
    while True:
        data = s.recv(1 << 20)
        if not data:
            raise SystemExit("connection closed")
        buf += data.decode()
        try:
            msg, _ = dec.raw_decode(buf.lstrip())
        except json.JSONDecodeError:
            continue
        if msg.get("id") != 1:  # a notification
            buf = ""
            continue
        s.close()
        if msg.get("error"):
            raise SystemExit("error: %s" % json.dumps(msg["error"]))
        return msg["result"]


def tx(sock_path, ops):
    res = call(sock_path, "transact", ["DVS"] + ops)
    for i, r in enumerate(res):
        if isinstance(r, dict) and "error" in r:
            raise SystemExit("operation %d failed: %s" % (i, json.dumps(r)))
    return res


def rows(sock_path, table):
    return tx(sock_path, [{"op": "select", "table": table, "where": []}])[0]["rows"]


def s(v):
    if isinstance(v, list) and v and v[0] == "set":
        return v[1]
    return [v]


def m(v):
    return {k: x for k, x in v[1]} if isinstance(v, list) and v and v[0] == "map" else {}


def u(row):
    return row["_uuid"][1]


def main():
    sock_path, cmd = sys.argv[1], sys.argv[2]
    if cmd == "tx":
        print(json.dumps(tx(sock_path, json.loads(sys.argv[3]))))
    elif cmd == "rows":
        print(json.dumps(rows(sock_path, sys.argv[3])))
    elif cmd == "eval":
        cache = {}

        def t(table):
            if table not in cache:
                cache[table] = rows(sock_path, table)
            return cache[table]
        v = eval(sys.argv[3], {"t": t, "u": u, "m": m, "s": s, "json": json})
        print(v if not isinstance(v, (list, dict)) else json.dumps(v))
        sys.exit(0 if v not in (False, None) else 1)
    elif cmd == "beat":
        now = int(time.time() * 1000)
        tx(sock_path, [{"op": "update", "table": "Host", "where": [["name", "==", h]],
                        "row": {"last_heartbeat": now}} for h in sys.argv[3:]])
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
