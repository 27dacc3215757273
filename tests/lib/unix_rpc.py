# SPDX-License-Identifier: Apache-2.0
# One JSON request on a unix socket, for shell tests: a JSON-RPC 1.0 call to a DVS control
# socket (switchd, dvs-db), or a QMP command to QEMU (--qmp).  Prints the result as JSON;
# exits 1 with the error on stderr.  Standard library only (run with /usr/bin/python3).
#   unix_rpc.py [--timeout S] SOCK METHOD [PARAMS_JSON]
#   unix_rpc.py --qmp [--timeout S] SOCK COMMAND [ARGUMENTS_JSON]
import json
import socket
import sys


class Reader:
    """Splits a byte stream into JSON values written back to back."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = ""
        self.dec = json.JSONDecoder()

    def next(self):
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    obj, end = self.dec.raw_decode(text)
                    self.buf = text[end:]
                    return obj
                except json.JSONDecodeError:
                    pass  # incomplete: read more
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("connection closed before a complete reply")
            self.buf += data.decode()


def send(sock, obj):
    sock.sendall(json.dumps(obj).encode())


def jsonrpc(sock, method, params):
    rd = Reader(sock)
    send(sock, {"method": method, "params": params, "id": 1})
    while True:
        msg = rd.next()
        if msg.get("id") != 1:
            continue  # a notification, or an echo request from the server
        if msg.get("error") is not None:
            raise RuntimeError(json.dumps(msg["error"]))
        return msg.get("result")


def qmp(sock, command, arguments):
    rd = Reader(sock)
    rd.next()  # greeting
    send(sock, {"execute": "qmp_capabilities"})
    while "return" not in rd.next():
        pass
    req = {"execute": command}
    if arguments is not None:
        req["arguments"] = arguments
    send(sock, req)
    while True:
        msg = rd.next()
        if "error" in msg:
            raise RuntimeError(json.dumps(msg["error"]))
        if "return" in msg:
            return msg["return"]


def main(argv):
    use_qmp = False
    timeout = 10.0
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--qmp":
            use_qmp = True
        elif opt == "--timeout":
            timeout = float(argv.pop(0))
        else:
            raise SystemExit(f"unix_rpc: unknown option {opt}")
    if len(argv) not in (2, 3):
        raise SystemExit(__doc__ or "usage: unix_rpc.py [--qmp] SOCK METHOD [PARAMS_JSON]")
    path, method = argv[0], argv[1]
    params = json.loads(argv[2]) if len(argv) == 3 else None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
        if use_qmp:
            result = qmp(sock, method, params)
        else:
            if params is None:
                params = []
            elif not isinstance(params, list):
                params = [params]  # the control socket takes [ {named args} ]
            result = jsonrpc(sock, method, params)
    except (OSError, EOFError, RuntimeError) as e:
        print(f"unix_rpc: {path}: {method}: {e}", file=sys.stderr)
        return 1
    finally:
        sock.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
