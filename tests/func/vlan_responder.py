#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A host on a VLAN trunk, for tests (this kernel has no 8021q module, so no VLAN
sub-interfaces): answers ARP requests and ICMP echo requests for the given addresses, on the
given VLANs, with tagged replies.  Usage: vlan_responder.py IFACE VLAN:IP [VLAN:IP...]
Runs until killed."""
import sys

from scapy.all import ARP, ICMP, IP, Dot1Q, Ether, conf, get_if_hwaddr, sendp, sniff

iface = sys.argv[1]
addrs = {}
for spec in sys.argv[2:]:
    vlan, ip = spec.split(":")
    addrs[(int(vlan), ip)] = True
mac = get_if_hwaddr(iface)
conf.verb = 0
sock = conf.L2socket(iface=iface)


def answer(p):
    if Dot1Q not in p or p[Ether].src == mac:
        return
    vlan = p[Dot1Q].vlan
    if ARP in p and p[ARP].op == 1 and (vlan, p[ARP].pdst) in addrs:
        sock.send(Ether(src=mac, dst=p[Ether].src) / Dot1Q(vlan=vlan) /
                  ARP(op=2, hwsrc=mac, psrc=p[ARP].pdst, hwdst=p[ARP].hwsrc, pdst=p[ARP].psrc))
    elif ICMP in p and p[ICMP].type == 8 and (vlan, p[IP].dst) in addrs:
        ip = p[IP]
        sock.send(Ether(src=mac, dst=p[Ether].src) / Dot1Q(vlan=vlan) /
                  IP(src=ip.dst, dst=ip.src) / ICMP(type=0, id=p[ICMP].id, seq=p[ICMP].seq) /
                  bytes(p[ICMP].payload))


print("ready", flush=True)
sniff(iface=iface, prn=answer, store=False)
