#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Port policy in the real daemon, with namespaces on tap ports and frames crafted by scapy:
# a stateful ACL (return traffic allowed, unsolicited inbound dropped), reject (TCP RST),
# security policy (forged transmits, IP-MAC binding, DHCP server guard, MAC changes), storm
# control, and egress shaping measured with iperf3 (UDP and one TCP flow).
source "$(dirname "$0")/lib_switchd.sh"

id=$$
A=dvsPA$id B=dvsPB$id C=dvsPC$id D=dvsPD$id E=dvsPE$id P=dvsPP$id
for n in $A $B $C $D $E $P; do
	t_ns "$n"
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
TA=dp${id}a TB=dp${id}b TC=dp${id}c TD=dp${id}d TE=dp${id}e TP=dp${id}p
MAC_C=02:00:00:00:0c:01
acl_a='{"default_action":"drop","rules":[
  {"id":1,"priority":100,"direction":"from-port","action":"allow","stateful":true,"protocol":"icmp","icmp_type":8},
  {"id":2,"priority":100,"direction":"from-port","action":"allow","stateful":true,"protocol":"tcp"},
  {"id":3,"priority":90,"direction":"to-port","action":"reject","protocol":"tcp","dst_port":22},
  {"id":4,"priority":10,"direction":"from-port","action":"allow","ethertype":"arp"},
  {"id":5,"priority":10,"direction":"to-port","action":"allow","ethertype":"arp"}]}'
sw_start s '[
 {"name":"a","type":"tap","ifname":"'$TA'","netns":"'$A'","tag":10,"acl":'"$acl_a"'},
 {"name":"b","type":"tap","ifname":"'$TB'","netns":"'$B'","tag":10,
  "storm":{"broadcast_pps":10,"broadcast_burst":5},
  "shaping":{"egress":{"avg_bps":20000000,"burst_bytes":250000},"egress_queue":512}},
 {"name":"c","type":"tap","ifname":"'$TC'","netns":"'$C'","tag":10,"mac":"'$MAC_C'",
  "security":{"ip_mac_binding":true,"ips":["10.80.0.3"]}},
 {"name":"d","type":"tap","ifname":"'$TD'","netns":"'$D'","tag":10,
  "shaping":{"egress":{"avg_bps":1000000,"burst_bytes":12000},"egress_queue":64}},
 {"name":"e","type":"tap","ifname":"'$TE'","netns":"'$E'","tag":10,
  "shaping":{"egress":{"avg_bps":100000000,"burst_bytes":1000000},"egress_queue":1024}},
 {"name":"p","type":"tap","ifname":"'$TP'","netns":"'$P'","tag":10,
  "security":{"allow_promiscuous":true,"allow_forged_transmits":true}}]'
ip -n $A addr add 10.80.0.1/24 dev $TA
ip -n $B addr add 10.80.0.2/24 dev $TB
ip -n $C link set $TC address $MAC_C
ip -n $C addr add 10.80.0.3/24 dev $TC
ip -n $D addr add 10.80.0.4/24 dev $TD
ip -n $E addr add 10.80.0.5/24 dev $TE

# --- ACL, stateful: a may ping and connect out; nobody may ping or connect in.
check "a -> b ping: the echo reply is allowed back as return traffic" \
	ip netns exec $A ping -c 3 -i 0.2 -W 2 -q 10.80.0.2
d0=$(drop_count s acl-drop)
check_not "b -> a ping: unsolicited inbound echo is dropped" ip netns exec $B ping -c 2 -i 0.2 -W 1 -q 10.80.0.1
check_ge "... and counted as acl-drop" "$(( $(drop_count s acl-drop) - d0 ))" 2
t_bg tcpsrv ip netns exec $B "$PY" -c "
import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('10.80.0.2', 5001)); s.listen(1); c,_=s.accept(); c.sendall(c.recv(100)); c.close()"
sleep 0.5
check "a opens a TCP connection to b and gets its data back (stateful return traffic)" \
	ip netns exec $A "$PY" -c "
import socket; s=socket.create_connection(('10.80.0.2', 5001), timeout=3); s.sendall(b'ping'); assert s.recv(100)==b'ping'"
r0=$(drop_count s acl-reject)
out=$(ip netns exec $B "$PY" -c "
import socket, time
t=time.time()
try:
    socket.create_connection(('10.80.0.1', 22), timeout=5); print('connected')
except ConnectionRefusedError: print('refused %.2f' % (time.time()-t))
except OSError as e: print('error', e)" 2>&1)
check "b -> a:22 is rejected with a TCP RST at once (got: $out)" grep -qE '^refused 0\.' <<<"$out"
check_ge "... and counted as acl-reject" "$(( $(drop_count s acl-reject) - r0 ))" 1
hits=$(jget "$(ctl s acl.stats '{"port":"a"}')" "[x['hits'] for x in r if x['id']==1][0]")
check_eq "icmp rule hit once: the later echoes matched the tracked connection" "$hits" 1
# The ACL classifies bursts on a vector method where the CPU has one (EAL must not force scalar).
alg=$(jget "$(ctl s acl.stats '{"port":"a"}')" "[x['classifier'] for x in r if x['id']=='default'][0]")
if grep -qw sse4_1 /proc/cpuinfo; then
	check "ACL classify method is a vector one (got: $alg)" test "$alg" != scalar -a "$alg" != none
fi

# --- Security policy on c (MAC 02:00:00:00:0c:01, IP 10.80.0.3 bound).
check "c talks with its own MAC and bound IP" ip netns exec $C ping -c 2 -i 0.2 -W 2 -q 10.80.0.2
send_c() { ip netns exec $C "$PY" -c "from scapy.all import *; sendp($1, iface='$TC', count=$2, verbose=0)"; }
f0=$(drop_count s forged-transmit)
send_c "Ether(src='02:00:00:00:0c:99', dst='ff:ff:ff:ff:ff:ff')/IP(src='10.80.0.3', dst='10.80.0.2')/UDP()" 4
sleep 0.3
check_eq "forged source MAC dropped and counted" "$(( $(drop_count s forged-transmit) - f0 ))" 4
b0=$(drop_count s ip-mac-binding)
send_c "Ether(src='$MAC_C', dst='ff:ff:ff:ff:ff:ff')/ARP(op=1, hwsrc='$MAC_C', psrc='10.80.0.77', pdst='10.80.0.2')" 3
send_c "Ether(src='$MAC_C', dst='ff:ff:ff:ff:ff:ff')/IP(src='10.80.0.77', dst='10.80.0.2')/UDP()" 2
sleep 0.3
check_eq "ARP and IPv4 from an unbound IP dropped (ip-mac-binding)" "$(( $(drop_count s ip-mac-binding) - b0 ))" 5
h0=$(drop_count s dhcp-server-guard)
send_c "Ether(src='$MAC_C', dst='ff:ff:ff:ff:ff:ff')/IP(src='10.80.0.3', dst='255.255.255.255')/UDP(sport=67, dport=68)/Raw(b'x'*40)" 3
sleep 0.3
check_eq "DHCP server replies from a guest dropped (dhcp-server-guard)" "$(( $(drop_count s dhcp-server-guard) - h0 ))" 3
m0=$(drop_count s mac-change-blocked)
ip netns exec $B "$PY" -c "from scapy.all import *; sendp(Ether(dst='02:00:00:00:0c:77')/IP(dst='10.80.0.3')/UDP(), iface='$TB', count=3, verbose=0)"
sleep 0.3
check_eq "frames to a MAC c did not get from its config dropped (mac-change-blocked)" \
	"$(( $(drop_count s mac-change-blocked) - m0 ))" 3

# --- Promiscuous mode: p (allowed) gets a copy of known unicast between d and e; c (not
# allowed) does not.  Both listen in promiscuous mode on their own interface.
check "d and e learn each other" ip netns exec $D ping -c 2 -i 0.2 -W 2 -q 10.80.0.5
sniff() { # NS IFACE OUT: counts the UDP frames carrying our marker for 4 s (not the ICMP errors quoting them)
	t_bg "sniff$1" ip netns exec "$1" "$PY" -c "
from scapy.all import *
n = len(sniff(iface='$2', timeout=4, promisc=True, lfilter=lambda p: UDP in p and p[UDP].dport == 9 and b'dvs-promisc' in bytes(p[UDP].payload)))
open('$3', 'w').write(str(n))"
}
sniff $P $TP "$T_WORK/promisc.p"; sniff $C $TC "$T_WORK/promisc.c"; sniff $E $TE "$T_WORK/promisc.e"
sleep 1.5
mac_e=$(ip -n $E -br link show $TE | awk '{print $3}')
p0=$(jget "$(ctl s ports.stats)" "[x['tx_packets'] for x in r if x['name']=='p'][0]")
ip netns exec $D "$PY" -c "from scapy.all import *; sendp(Ether(dst='$mac_e')/IP(src='10.80.0.4', dst='10.80.0.5')/UDP(dport=9)/Raw(b'dvs-promisc'), iface='$TD', count=5, inter=0.02, verbose=0)"
wait_until 8 "the sniffers to finish" test -s "$T_WORK/promisc.p" -a -s "$T_WORK/promisc.c" -a -s "$T_WORK/promisc.e"
check_eq "e, the destination, gets the 5 unicast frames" "$(cat "$T_WORK/promisc.e")" 5
check_eq "p (allow_promiscuous) gets a copy of each" "$(cat "$T_WORK/promisc.p")" 5
check_eq "c (promiscuous not allowed) gets none" "$(cat "$T_WORK/promisc.c")" 0
check_ge "p's tx counter counts the copies" \
	"$(( $(jget "$(ctl s ports.stats)" "[x['tx_packets'] for x in r if x['name']=='p'][0]") - p0 ))" 5

# --- Storm control on b: 10 broadcast frames per second, burst 5.
s0=$(drop_count s storm-broadcast)
ip netns exec $B "$PY" -c "from scapy.all import *; sendp(Ether(dst='ff:ff:ff:ff:ff:ff')/IP(dst='10.80.0.255')/UDP(), iface='$TB', count=100, inter=0.001, verbose=0)"
sleep 0.3
sd=$(( $(drop_count s storm-broadcast) - s0 ))
check "100 broadcasts in ~0.1 s: about 5+1 pass, the rest are storm-broadcast drops ($sd)" \
	test "$sd" -ge 90 -a "$sd" -le 95

# --- Egress shaping (vDS semantics: the rate counts L2 frame bytes).  The bursts are about
# 100 ms of each rate: a shaper keeps its average only if its poll thread is never held off
# longer than its burst lasts, and on a loaded 2-core machine it can be for tens of ms.  UDP is offered at twice
# the rate for 12 s; the delivered rate is read from the port's tx byte counter over the 10 s
# from t=1 to t=11, once the initial burst allowance is spent.
shape_udp() { # PORT NS IP TCP_PORT RATE_BPS
	local port=$1 ns=$2 ip=$3 tp=$4 rate=$5 b0 b1 t0 t1
	t_bg "iperf$tp" ip netns exec "$ns" iperf3 -s -1 -B "$ip" -p "$tp"
	sleep 0.5
	ip netns exec $C iperf3 -c "$ip" -p "$tp" -u -b "$(( rate * 2 ))" -l 1200 -t 12 >/dev/null 2>&1 &
	local cli=$!
	sleep 1
	b0=$(port_stat s "$port" tx_bytes); t0=$(date +%s.%N)
	sleep 10
	b1=$(port_stat s "$port" tx_bytes); t1=$(date +%s.%N)
	wait "$cli"
	local got
	got=$(jget "[$b0, $b1, $t0, $t1]" "(r[1]-r[0])*8/(r[3]-r[2])")
	check "UDP at 2x through a $(( rate / 1000000 )) Mbit/s egress shaper: $(jget "$got" "'%.3f' % (r/1e6)") Mbit/s delivered, within +-2%" \
		jget "$got" "exit(0 if abs(r-$rate) <= 0.02*$rate else 1)"
}
shape_udp d $D 10.80.0.4 5301 1000000
shape_udp b $B 10.80.0.2 5302 20000000
shape_udp e $E 10.80.0.5 5303 100000000
t_bg iperf-tcp ip netns exec $B iperf3 -s -1 -B 10.80.0.2 -p 5304
sleep 0.5
json=$(ip netns exec $C iperf3 -c 10.80.0.2 -p 5304 -t 6 -O 1 -J 2>&1)
rate=$(jget "$json" "r['end']['sum_received']['bits_per_second']")
check "one TCP flow through the 20 Mbit/s shaper reaches >= 90%: $(jget "$rate" "'%.2f' % (r/1e6)") Mbit/s of payload" \
	jget "$rate" "exit(0 if 0.90*20e6 <= r <= 1.02*20e6 else 1)"

t_done
