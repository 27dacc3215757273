#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# The 100-rule port ACL of bench/v2v-prod.sh, written once as data and rendered for both
# switches, so that dvs-switchd and OVS-DPDK classify against the same policy:
#   rules.py dvs [--stateful]   the port's "acl" object (docs/policy.md), from-port rules
#   rules.py ovs                OpenFlow 1.0 flows for 'ovs-ofctl add-flows' (table 0)
# Shape of a production policy: 96 rules on realistic 5-tuples (SSH/telnet blocks, HTTPS and
# DNS allows, a blocked source range, ICMP echo, UDP services on the benchmark's own source
# prefix with other ports), then ARP allowed, the rule the benchmark's traffic matches
# (UDP 10.10.0.0/15 -> 10.20.0.0/15 port 5001: near the end, 99th of 100), then a catch-all
# drop.  Higher priority wins in both (dvs: docs/policy.md; OpenFlow: priority field).
# None of the 98 rules above the benchmark's rule matches its traffic: the run checks it
# (per-rule hit counters in dvs, n_packets in OVS).
import json
import sys


def rules():
    """Yields (priority, action, match) with match keys in docs/policy.md's names."""
    prio = 1000
    for i in range(96):
        k, n = i % 6, i // 6 + 1
        if k == 0:
            m = {"protocol": "tcp", "src": f"192.168.{n}.0/24", "dst_port": 22}
            act = "drop"
        elif k == 1:
            m = {"protocol": "tcp", "dst": f"172.16.{n}.0/24", "dst_port": 443}
            act = "allow"
        elif k == 2:
            # Same source prefix as the benchmark's flows, other destination ports: the
            # classifier has to look at the port to tell them apart.
            m = {"protocol": "udp", "src": "10.10.0.0/16", "dst_port": 6000 + n}
            act = "drop"
        elif k == 3:
            m = {"protocol": "udp", "dst": f"10.20.{100 + n}.0/24", "dst_port": 53}
            act = "allow"
        elif k == 4:
            m = {"ethertype": "ipv4", "src": f"100.64.{n}.0/24", "dst": "10.0.0.0/8"}
            act = "drop"
        else:
            m = {"protocol": "icmp", "icmp_type": 8, "dst": f"10.{40 + n}.0.0/16"}
            act = "allow"
        yield prio, act, m
        prio -= 5
    yield prio, "drop", {"protocol": "tcp", "dst_port": 23}  # telnet, anywhere
    prio -= 5
    yield prio, "allow", {"ethertype": "arp"}
    prio -= 5
    yield prio, "allow", {"protocol": "udp", "src": "10.10.0.0/15", "dst": "10.20.0.0/15",
                          "dst_port": 5001, "bench": True}
    yield 1, "drop", {}  # catch-all: what no rule allows is dropped


def dvs(stateful):
    out = []
    for n, (prio, act, m) in enumerate(rules(), 1):
        r = {"id": n, "priority": prio, "direction": "from-port", "action": act}
        bench = m.pop("bench", False)
        r.update(m)
        if bench and stateful:
            r["stateful"] = True
        out.append(r)
    # No to-port rules: traffic delivered to a port is not filtered again (as in OVS, where
    # the table-0 flows see each frame once, at ingress).
    return {"default_action": "allow", "rules": out}


def ovs():
    lines = []
    for prio, act, m in rules():
        f = [f"priority={prio}"]
        if m.get("ethertype") == "arp":
            f.append("arp")
        elif m.get("protocol"):
            f.append(m["protocol"])
        elif m.get("ethertype") == "ipv4":
            f.append("ip")
        if "src" in m:
            f.append(f"nw_src={m['src']}")
        if "dst" in m:
            f.append(f"nw_dst={m['dst']}")
        if "dst_port" in m:
            f.append(f"tp_dst={m['dst_port']}")
        if "icmp_type" in m:
            f.append(f"icmp_type={m['icmp_type']}")
        f.append("actions=" + ("NORMAL" if act == "allow" else "drop"))
        lines.append(",".join(f))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["dvs"]:
        print(json.dumps(dvs("--stateful" in sys.argv[2:])))
    elif sys.argv[1:] == ["ovs"]:
        sys.stdout.write(ovs())
    else:
        sys.exit("usage: rules.py dvs [--stateful] | ovs")
