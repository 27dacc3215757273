#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dvs-switchd with its uplink on a DPDK vdev (net_memif, switchd the client): a testpmd on the
# other end of the memif (the server) answers ARP and ping in icmpecho mode; a "VM" on a tap
# port in VLAN 10 pings through the uplink (tagged 10 on the memif).  The replies arrive and
# the uplink's counters count them.  Bad vdev values are refused with the precise reason: at
# start (exit status 2), and by port.add at runtime (the switch keeps running).
source "$(dirname "$0")/lib_switchd.sh"

id=$$
A=dvsmA$id
t_ns "$A"
ip netns exec "$A" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
tap=dlm${id}a
sock=$T_WORK/memif.sock
PEER_MAC=02:00:00:00:6d:01

# 1. Bad vdev values at start: exit status 2 and the field named.  (No DPDK is started.)
bad_start() { # DESCRIPTION VDEV_JSON_VALUE EXPECTED_TEXT
	local conf=$T_WORK/bad.json out rc
	printf '{"lcores":[1], "ctl_socket":"%s", "ports":[{"name":"up","type":"uplink","vdev":%s}]}\n' \
		"$T_WORK/bad.sock" "$2" >"$conf"
	out=$("$SWITCHD" --config "$conf" 2>&1 </dev/null)
	rc=$?
	check_eq "$1: exit status" "$rc" 2
	if grep -qF -- "$3" <<<"$out"; then pass "$1: error says: $3"
	else fail "$1: expected '$3' in: $out"; fi
}
bad_start "unsupported driver" '"net_pcap0,iface=x"' \
	'dvs-switchd: invalid config: '"$T_WORK"'/bad.json: ports[0]: port "up": vdev: "net_pcap0": unsupported driver (the name must start with one of net_memif, net_af_packet, net_af_xdp, net_tap, net_vhost, net_virtio_user)'
bad_start "missing device name" '",socket=/run/x.sock"' \
	'vdev: ",socket=/run/x.sock": missing device name'
bad_start "driver without an instance name" '"net_memif,socket=/run/x.sock"' \
	'vdev: "net_memif": missing instance name after the driver (e.g. net_memif0'
bad_start "name too long" '"net_memif0123456789012345678901234567890123456789012345678901234"' \
	'device name too long (at most 63 characters before the first '"','"')'
bad_start "switchd's own device names" '"net_memif_dvs0"' "names ending in _dvsN are switchd's own devices"
bad_start "vdev with ifname" '"net_memif0", "ifname":"x"' 'uplink: give one of ifname, pci, vdev'

# 2. The memif server: testpmd in icmpecho mode (private prefix, no PCI, no hugepages).
fifo=$T_WORK/peer.in
mkfifo "$fifo"
T_STDIN=$fifo t_bg peer dpdk-testpmd -l 0,1 --no-pci --no-huge -m 256 --no-shconf \
	--file-prefix="dvsm-peer-$id" --log-level='*:error' \
	--vdev="net_memif0,role=server,socket=$sock,socket-abstract=no,mac=$PEER_MAC" \
	-- -i --no-mlockall --total-num-mbufs=4096
T_DIRS+=("/var/run/dpdk/dvsm-peer-$id")
wait_until 30 "memif server socket" test -S "$sock"
echo "set fwd icmpecho" >"$fifo"
echo "start" >"$fifo"

# 3. switchd: tap "a" in VLAN 10, uplink = the memif's client end.
sw_start s '[
 {"name":"a","type":"tap","ifname":"'$tap'","netns":"'$A'","tag":10},
 {"name":"up","type":"uplink","vdev":"net_memif0,role=client,socket='"$sock"',socket-abstract=no","trunks":"10"}]'
up_field() { jget "$(ctl s ports.list)" "[p.get('$1') for p in r if p['name'] == 'up'][0]"; }
check_eq "the uplink is the vdev as configured" "$(up_field vdev)" \
	"net_memif0,role=client,socket=$sock,socket-abstract=no"
check_eq "its DPDK device is the vdev's own name" "$(up_field device)" net_memif0
up_link() { [ "$(up_field status)" = up ]; }
wait_until 20 "memif connected (uplink link up)" up_link

ip -n "$A" addr add 10.60.10.1/24 dev "$tap"
rx0=$(port_stat s up rx_packets)
tx0=$(port_stat s up tx_packets)
check "ping through the memif uplink (10 replies)" ip netns exec "$A" ping -c 10 -i 0.1 -W 2 -q 10.60.10.2
peer_mac=$(ip -n "$A" neigh show 10.60.10.2 | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p')
check_eq "ARP answered by the memif peer" "$peer_mac" "$PEER_MAC"
check_ge "uplink rx counts the replies (ARP + 10 echo replies)" "$(( $(port_stat s up rx_packets) - rx0 ))" 11
check_ge "uplink tx counts the requests (ARP + 10 echo requests)" "$(( $(port_stat s up tx_packets) - tx0 ))" 11
check_eq "the peer's MAC learned on the uplink in VLAN 10" "$(fdb_port s 10 "$PEER_MAC")" up

# 4. Bad vdev values at runtime: refused with the reason; the switch keeps forwarding.
err=$(ctl s port.add '{"name":"up2","type":"uplink","vdev":"net_ring0"}' 2>&1 >/dev/null)
check "port.add of an unsupported vdev driver is refused, naming it" \
	grep -qF 'vdev: \"net_ring0\": unsupported driver' <<<"$err"
err=$(ctl s port.add '{"name":"up2","type":"uplink","vdev":"net_memif0,role=client,socket='"$T_WORK"'/other.sock,socket-abstract=no"}' 2>&1 >/dev/null)
check "port.add of a vdev name already in use is refused, naming it" \
	grep -qF 'device net_memif0 already exists in this switchd' <<<"$err"
check "switchd still forwards after the refusals" ip netns exec "$A" ping -c 2 -i 0.2 -W 2 -q 10.60.10.2

t_done
