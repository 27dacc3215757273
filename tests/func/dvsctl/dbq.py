# SPDX-License-Identifier: Apache-2.0
# Reads and writes a DVS database directly over RFC 7047, so that dvsctl's tests check the
# rows themselves rather than what dvsctl says about them.  Standard library only
# (run with /usr/bin/python3).
#   dbq.py SOCK dump                      every row of every table, canonical, one per line
#   dbq.py SOCK gen                       Global.generation (0 if there is no Global row)
#   dbq.py SOCK row TABLE COL VALUE       the row whose COL is VALUE, as plain JSON ({} if none)
#   dbq.py SOCK count TABLE               how many rows
#   dbq.py SOCK transact OPS_JSON         runs ["DVS", OPS...]; fails if any operation failed
import json
import socket
import sys


def call(path, method, params):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.sendall(json.dumps({"method": method, "params": params, "id": 1}).encode())
    dec, buf = json.JSONDecoder(), ""
    while True:
        data = s.recv(65536)
        if not data:
            raise SystemExit("dbq: connection closed")
        buf += data.decode()
        while buf.strip():
            try:
                msg, end = dec.raw_decode(buf.lstrip())
            except json.JSONDecodeError:
                break
            buf = buf.lstrip()[end:]
            if msg.get("method") == "echo":
                s.sendall(json.dumps({"result": msg["params"], "error": None, "id": msg["id"]}).encode())
            elif msg.get("id") == 1:
                if msg.get("error") is not None:
                    raise SystemExit("dbq: %s" % json.dumps(msg["error"]))
                return msg["result"]


def plain(v):
    """OVSDB wire value -> plain JSON: uuids as strings, sets as sorted lists, maps as dicts."""
    if isinstance(v, list) and len(v) == 2 and v[0] == "uuid":
        return v[1]
    if isinstance(v, list) and len(v) == 2 and v[0] == "set":
        return sorted((plain(x) for x in v[1]), key=json.dumps)
    if isinstance(v, list) and len(v) == 2 and v[0] == "map":
        return {plain(k): plain(x) for k, x in v[1]}
    return v


def select(path, table, where=None):
    res = call(path, "transact", ["DVS", {"op": "select", "table": table, "where": where or []}])
    if "error" in res[0]:
        raise SystemExit("dbq: %s" % json.dumps(res[0]))
    return res[0]["rows"]


def main():
    path, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cmd == "dump":
        schema = call(path, "get_schema", ["DVS"])
        for table in sorted(schema["tables"]):
            rows = [{k: plain(v) for k, v in r.items() if k != "_version"} for r in select(path, table)]
            for r in sorted(rows, key=lambda r: r["_uuid"]):
                print(table, json.dumps(r, sort_keys=True))
    elif cmd == "gen":
        rows = select(path, "Global")
        print(rows[0]["generation"] if rows else 0)
    elif cmd == "row":
        table, col, value = args
        rows = select(path, table, [[col, "==", value]])
        print(json.dumps({k: plain(v) for k, v in rows[0].items()} if rows else {}, sort_keys=True))
    elif cmd == "count":
        print(len(select(path, args[0])))
    elif cmd == "transact":
        res = call(path, "transact", ["DVS"] + json.loads(args[0]))
        bad = [r for r in res if r and "error" in r]
        if bad:
            raise SystemExit("dbq: %s" % json.dumps(bad))
        print(json.dumps(res))
    else:
        raise SystemExit("dbq: unknown command %s" % cmd)


main()
