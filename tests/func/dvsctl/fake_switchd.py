# SPDX-License-Identifier: Apache-2.0
# A stand-in for a host's dvs-switchd control socket (docs/design/control-socket.md), so that
# `dvsctl host H stats|drops|fdb|ports` can be tested without DPDK: canned answers, one per
# method, and every request's method appended to LOG.  Standard library only.
#   fake_switchd.py SOCK LOG
import json
import os
import socket
import sys

ANSWERS = {
    "ports.stats": [{"name": "vm1", "rx_packets": 11, "rx_bytes": 1100, "tx_packets": 12,
                     "tx_bytes": 1200, "rx_dropped": 1, "tx_dropped": 0}],
    "drops.show": [{"reason": "vlan-denied", "count": 7, "description": "VLAN not allowed"},
                   {"reason": "forged-transmit", "count": 0, "description": "source MAC"}],
    "fdb.show": [{"segment": 1000, "mac": "52:54:00:00:00:01", "port": "vm1", "type": "dynamic",
                  "age_s": 3}],
    "ports.list": [{"name": "vm1", "type": "vhost-user", "status": "up", "vlan_mode": "access",
                    "tag": 10, "path": "/run/dvs/vm1.sock", "client": True}],
    "lcores.show": [{"lcore": 1, "rx_packets": 5, "busy_cycles": 50, "cycles_per_packet": 10,
                     "ports": ["vm1"]}],
}

path, log = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
dec = json.JSONDecoder()
while True:
    c, _ = srv.accept()
    buf = ""
    while True:
        data = c.recv(65536)
        if not data:
            break
        buf += data.decode()
        try:
            req, end = dec.raw_decode(buf.lstrip())
        except json.JSONDecodeError:
            continue
        buf = buf.lstrip()[end:]
        with open(log, "a") as f:
            f.write(req["method"] + "\n")
        if req["method"] in ANSWERS:
            rep = {"result": ANSWERS[req["method"]], "error": None, "id": req["id"]}
        else:
            rep = {"result": None, "error": {"error": "unknown method", "details": req["method"]},
                   "id": req["id"]}
        c.sendall(json.dumps(rep).encode())
    c.close()
