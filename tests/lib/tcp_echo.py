#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A TCP line echo server for tests: every line received is sent back and logged.

    tcp_echo.py ADDR PORT LOG

LOG gets one line per received line: "<unix time> <connection number> <line>", so a test can
tell whether the lines kept coming over one connection (a connection that broke and was
opened again shows a new connection number)."""
import socket
import sys
import threading
import time


def serve(conn, n, log, lock):
    buf = b""
    with conn:
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                with lock:
                    log.write("%.3f %d %s\n" % (time.time(), n, line.decode(errors="replace")))
                    log.flush()
                try:
                    conn.sendall(line + b"\n")
                except OSError:
                    return


def main():
    addr, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(4)
    lock = threading.Lock()
    with open(path, "a") as log:
        n = 0
        while True:
            conn, _ = srv.accept()
            n += 1
            threading.Thread(target=serve, args=(conn, n, log, lock), daemon=True).start()


if __name__ == "__main__":
    main()
