# SPDX-License-Identifier: Apache-2.0
"""Conformance with Open vSwitch's Python IDL (Debian python3-openvswitch): a real OVSDB
client library keeps replicas of dvs-db through monitors and commits transactions.
usage: ovs_idl_test.py SOCKET SCHEMA"""
import sys
import time

import ovs.db.idl
import ovs.poller

from dbsclient import Checker

sock, schema = sys.argv[1:3]
ck = Checker("ovs_idl")


def make_idl():
    helper = ovs.db.idl.SchemaHelper(location=schema)
    helper.register_all()
    return ovs.db.idl.Idl("unix:" + sock, helper)


def run_until(idls, cond, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        for i in idls:
            i.run()
        if cond():
            return True
        p = ovs.poller.Poller()
        for i in idls:
            i.wait(p)
        p.timer_wait(50)
        p.block()
    return False


writer, reader = make_idl(), make_idl()
ck.true(run_until([writer, reader], lambda: writer.has_ever_connected() and reader.has_ever_connected()),
        "both IDLs connected and got their initial contents")

txn = ovs.db.idl.Transaction(writer)
port = txn.insert(writer.tables["Port"])
port.name = "eth0"
port.vlan = 100
host = txn.insert(writer.tables["Host"])
host.name = "idl-host"
host.gen = 1
host.ports = [port]
host.tags = {"rack": "r7"}
ck.eq(txn.commit_block(), ovs.db.idl.Transaction.SUCCESS, "IDL insert transaction")


def reader_host():
    for r in reader.tables["Host"].rows.values():
        if r.name == "idl-host":
            return r
    return None


ck.true(run_until([writer, reader], lambda: reader_host() is not None), "reader's replica got the new host")
h = reader_host()
ck.eq(h.gen, 1, "replicated integer")
ck.eq(dict(h.tags), {"rack": "r7"}, "replicated map")
ck.eq([p.name for p in h.ports], ["eth0"], "replicated strong reference resolves to the port row")

txn = ovs.db.idl.Transaction(writer)
wh = [r for r in writer.tables["Host"].rows.values() if r.name == "idl-host"][0]
wh.gen = 2
ck.eq(txn.commit_block(), ovs.db.idl.Transaction.SUCCESS, "IDL update transaction")
ck.true(run_until([writer, reader], lambda: reader_host() and reader_host().gen == 2), "reader saw the update")

# A constraint violation comes back as an error status, not a hang.
txn = ovs.db.idl.Transaction(writer)
dup = txn.insert(writer.tables["Host"])
dup.name = "idl-host"
ck.eq(txn.commit_block(), ovs.db.idl.Transaction.ERROR, "duplicate index value refused")

txn = ovs.db.idl.Transaction(writer)
wh = [r for r in writer.tables["Host"].rows.values() if r.name == "idl-host"][0]
wh.delete()
ck.eq(txn.commit_block(), ovs.db.idl.Transaction.SUCCESS, "IDL delete transaction")
ck.true(run_until([writer, reader], lambda: reader_host() is None and
                  not any(p.name == "eth0" for p in reader.tables["Port"].rows.values())),
        "reader saw the host deleted and its port garbage-collected")
writer.close()
reader.close()
ck.done()
