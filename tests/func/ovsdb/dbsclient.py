# SPDX-License-Identifier: Apache-2.0
"""A minimal raw JSON-RPC 1.0 client for dvs-db functional tests (no OVS libraries, so the
tests check the bytes on the wire, not a client's interpretation of them)."""
import json
import os
import socket
import subprocess
import sys
import time


class Client:
    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = ""
        self.dec = json.JSONDecoder()
        self.next_id = 1
        self.notes = []  # notifications received while waiting for replies

    def close(self):
        self.sock.close()

    def send(self, msg):
        self.sock.sendall(json.dumps(msg).encode())

    def send_raw(self, data):
        self.sock.sendall(data)

    def recv(self):
        while True:
            s = self.buf.lstrip()
            if s:
                try:
                    obj, end = self.dec.raw_decode(s)
                    self.buf = s[end:]
                    return obj
                except ValueError:
                    pass
            data = self.sock.recv(1 << 20)
            if not data:
                raise EOFError("server closed the connection")
            self.buf += data.decode()

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"method": method, "params": params, "id": rid})
        return rid

    def wait_reply(self, rid):
        while True:
            m = self.recv()
            if m.get("id") == rid and "method" not in m:
                return m
            if m.get("method") == "echo" and m.get("id") is not None:
                self.send({"result": m["params"], "error": None, "id": m["id"]})
                continue
            self.notes.append(m)

    def call(self, method, params):
        return self.wait_reply(self.request(method, params))

    def transact(self, db, *ops):
        r = self.call("transact", [db] + list(ops))
        assert r["error"] is None, r
        return r["result"]

    def wait_note(self, method, timeout=5.0):
        deadline = time.time() + timeout
        while True:
            for i, n in enumerate(self.notes):
                if n.get("method") == method:
                    return self.notes.pop(i)
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                m = self.recv()
            except socket.timeout:
                raise AssertionError("no %s notification within %.1fs" % (method, timeout))
            finally:
                self.sock.settimeout(10.0)
            self.notes.append(m)


def connect(path, tries=100):
    for _ in range(tries):
        try:
            return Client(path)
        except (FileNotFoundError, ConnectionRefusedError):
            time.sleep(0.05)
    raise AssertionError("cannot connect to " + path)


def start_server(build, dbfile, sock, schema=None, extra=(), log=None):
    cmd = [os.path.join(build, "ovsdb-lite", "dvs-db"), "--remote=punix:" + sock]
    if schema:
        cmd.append("--schema=" + schema)
    cmd += list(extra) + [dbfile]
    logf = open(log, "ab") if log else subprocess.DEVNULL
    p = subprocess.Popen(cmd, stderr=logf, stdout=logf)
    # The shell wrapper kills what is listed here if the test dies half way.
    with open(os.path.join(os.path.dirname(sock), "pids"), "a") as f:
        f.write("%d\n" % p.pid)
    connect(sock).close()
    return p


class Checker:
    """Counts checks so each test prints a summary the integrator can quote."""

    def __init__(self, name):
        self.name = name
        self.n = 0

    def eq(self, got, want, what):
        self.n += 1
        if got != want:
            print("FAIL %s: %s: got %r, want %r" % (self.name, what, got, want))
            sys.exit(1)

    def true(self, cond, what):
        self.n += 1
        if not cond:
            print("FAIL %s: %s" % (self.name, what))
            sys.exit(1)

    def done(self):
        print("PASS %s: %d checks" % (self.name, self.n))
