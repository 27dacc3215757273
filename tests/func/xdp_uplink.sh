#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The uplink XDP program on a real interface: a veth pair between two namespaces of this
# test ("host" with the VTEP address and the program, "peer" sending).  For each attach mode
# (native, then generic/skb):
#   - the host's own IP still answers ping (ARP and ICMP pass to the kernel);
#   - VXLAN to the VTEP with an allowed VNI reaches the AF_XDP socket (frames counted there);
#   - VXLAN for an unknown VNI and with bad flags is dropped and counted by name;
#   - the counters are read through the loader from a second process (dvs-xdp-stat show).
# Then the switchd path through DPDK: net_af_xdp loads our object (xdp_prog=) and fills its
# XSKMAP; the loader swaps in a configured instance sharing that map (dvs_xdp_replace), and
# testpmd receives exactly the steered frames while ping keeps working.
# Needs root.  Cleans up everything it created on any exit; can run twice in a row.
set -euo pipefail

BUILD=${DVS_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
STAT=$BUILD/ebpf/dvs-xdp-stat
PY=/usr/bin/python3 # Debian's, for scapy

[ "$(id -u)" -eq 0 ] || { echo "xdp_uplink: needs root; skipped"; exit 77; }
[ -x "$STAT" ] || { echo "xdp_uplink: $STAT not built" >&2; exit 1; }

# Names carry the prefix and our PID, so parallel runs by others never collide.
H=xdp-h$$ P=xdp-p$$ UP=xdpu$$ PE=xdpp$$
VTEP=10.99.0.1 PEER=10.99.0.2 VNI=100
N_KNOWN=5 N_UNKNOWN=4 N_BADFLAGS=3
TMP=$(mktemp -d /tmp/xdp-uplink.XXXXXX)
RUN_PID= TP_PID=

stop_pid() {
	if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
		kill -"$2" "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
	fi
}

cleanup() {
	stop_pid "$TP_PID" INT
	stop_pid "$RUN_PID" TERM
	# Deleting the namespaces deletes the veth pair and with it the XDP attachment.
	ip netns del "$H" 2>/dev/null || true
	ip netns del "$P" 2>/dev/null || true
	rm -rf "$TMP" "/var/run/dpdk/xdp$$" # DPDK's runtime dir for our --file-prefix
}
trap cleanup EXIT

fail() { echo "xdp_uplink: FAIL: $*" >&2; exit 1; }

ip netns add "$H"
ip netns add "$P"
ip link add "$UP" netns "$H" type veth peer name "$PE" netns "$P"
ip -n "$H" addr add $VTEP/24 dev "$UP"
ip -n "$P" addr add $PEER/24 dev "$PE"
ip -n "$H" link set lo up
ip -n "$P" link set lo up
ip -n "$H" link set "$UP" up
ip -n "$P" link set "$PE" up
UP_MAC=$(ip -n "$H" -br link show "$UP" | awk '{print $3}')

# Sends the VXLAN fixtures from the peer: N known-VNI frames, unknown-VNI ones, bad flags.
send_vxlan() {
	ip netns exec "$P" "$PY" - "$PE" "$UP_MAC" "$PEER" "$VTEP" "$VNI" \
		"$N_KNOWN" "$N_UNKNOWN" "$N_BADFLAGS" <<'EOF'
import struct, sys
from scapy.all import Ether, IP, UDP, ICMP, Raw, sendp, conf
conf.verb = 0
dev, mac, src, dst, vni, n_known, n_unknown, n_bad = sys.argv[1:]
vni, n_known, n_unknown, n_bad = int(vni), int(n_known), int(n_unknown), int(n_bad)
def vx(flags, v):
    inner = Ether(src="02:00:00:00:aa:01", dst="02:00:00:00:aa:02") / IP(src="192.168.7.1", dst="192.168.7.2") / ICMP()
    return (Ether(dst=mac) / IP(src=src, dst=dst) / UDP(sport=49152, dport=4789)
            / Raw(struct.pack("!II", flags, v << 8)) / inner)
frames = [vx(0x08000000, vni)] * n_known + [vx(0x08000000, vni + 100)] * n_unknown \
       + [vx(0x00000000, vni)] * n_bad
sendp(frames, iface=dev)
EOF
}

# Prints counter 'reason' (packets) from the JSON on stdin.
counter() {
	"$PY" -c 'import json,sys; d=json.load(sys.stdin); k=sys.argv[1]; print(d["xsk_rx"] if k=="xsk_rx" else d["counters"][k]["packets"])' "$1"
}

for mode in native skb; do
	ip netns exec "$H" "$STAT" run --dev "$UP" --vtep $VTEP --vni $VNI --mode $mode \
		--xsk-queue 0 >"$TMP/run.$mode" 2>"$TMP/run.$mode.err" &
	RUN_PID=$!
	for _ in $(seq 50); do
		grep -q '^attached' "$TMP/run.$mode" 2>/dev/null && break
		kill -0 $RUN_PID 2>/dev/null || break
		sleep 0.1
	done
	grep -q "^attached $UP mode=$mode" "$TMP/run.$mode" ||
		fail "$mode: program did not attach: $(cat "$TMP/run.$mode.err")"

	# The host keeps its own IP: ARP resolution and ICMP both go through XDP_PASS.
	ip -n "$P" neigh flush dev "$PE"
	ip netns exec "$P" ping -c 3 -i 0.2 -W 1 -q $VTEP >"$TMP/ping" ||
		fail "$mode: ping to the host address failed: $(cat "$TMP/ping")"
	send_vxlan

	# Counters through the loader, from another process (the program's own maps).
	ip netns exec "$H" "$STAT" show --dev "$UP" --json >"$TMP/show.$mode" ||
		fail "$mode: dvs-xdp-stat show failed"
	steered=$(counter steered-vxlan <"$TMP/show.$mode")
	unknown=$(counter dropped-unknown-vni <"$TMP/show.$mode")
	badflags=$(counter dropped-bad-flags <"$TMP/show.$mode")
	malformed=$(counter dropped-malformed-vxlan <"$TMP/show.$mode")
	noxsk=$(counter dropped-no-xsk <"$TMP/show.$mode")
	passed=$(counter passed-to-kernel <"$TMP/show.$mode")
	[ "$steered" -eq $N_KNOWN ] || fail "$mode: steered-vxlan $steered, expected $N_KNOWN"
	[ "$unknown" -eq $N_UNKNOWN ] || fail "$mode: dropped-unknown-vni $unknown, expected $N_UNKNOWN"
	[ "$badflags" -eq $N_BADFLAGS ] || fail "$mode: dropped-bad-flags $badflags, expected $N_BADFLAGS"
	[ "$malformed" -eq 0 ] && [ "$noxsk" -eq 0 ] || fail "$mode: unexpected drops: $(cat "$TMP/show.$mode")"
	# At least 3 echo requests and one ARP packet went to the kernel.
	[ "$passed" -ge 4 ] || fail "$mode: passed-to-kernel $passed, expected >= 4"

	# The AF_XDP socket received exactly the steered frames (poll up to 2 s for the last).
	kill -TERM $RUN_PID
	wait $RUN_PID || fail "$mode: dvs-xdp-stat run exited with $?: $(cat "$TMP/run.$mode.err")"
	RUN_PID=
	rx=$(tail -n 1 "$TMP/run.$mode" | counter xsk_rx)
	[ "$rx" -eq $N_KNOWN ] || fail "$mode: AF_XDP socket received $rx frames, expected $N_KNOWN"

	# Detached on exit: nothing left on the interface, and the host still answers.
	ip -n "$H" link show "$UP" | grep -q 'prog/xdp' && fail "$mode: program still attached after exit"
	ip netns exec "$P" ping -c 1 -W 1 -q $VTEP >/dev/null || fail "$mode: ping after detach failed"
	echo "xdp_uplink: $mode: ping ok, steered=$steered xsk_rx=$rx unknown-vni=$unknown bad-flags=$badflags passed=$passed"
done

# ---- DPDK net_af_xdp with our program (how switchd can consume the XSK) -------------------
if ! command -v dpdk-testpmd >/dev/null; then
	echo "xdp_uplink: dpdk-testpmd missing; DPDK part skipped"
	echo "xdp_uplink: PASS"
	exit 0
fi
ip netns exec "$H" timeout 90 dpdk-testpmd --no-pci --file-prefix "xdp$$" --no-shconf --no-huge -m 256 \
	-l 0,1 --vdev "net_af_xdp0,iface=$UP,start_queue=0,queue_count=1,xdp_prog=$BUILD/ebpf/uplink_steer.bpf.o" \
	-- --forward-mode=rxonly --total-num-mbufs=4096 --stats-period 1 >"$TMP/testpmd" 2>&1 &
TP_PID=$!
for _ in $(seq 400); do
	grep -q 'Start automatic packet forwarding\|Press enter' "$TMP/testpmd" && break
	kill -0 $TP_PID 2>/dev/null || break
	sleep 0.1
done
ip -n "$H" link show "$UP" | grep -q 'prog/xdp' ||
	fail "dpdk: net_af_xdp did not attach our program: $(grep -i 'xdp\|error' "$TMP/testpmd" | head)"
ip netns exec "$H" "$STAT" run --dev "$UP" --vtep $VTEP --vni $VNI --replace \
	>"$TMP/run.dpdk" 2>"$TMP/run.dpdk.err" &
RUN_PID=$!
for _ in $(seq 50); do
	grep -q '^attached' "$TMP/run.dpdk" 2>/dev/null && break
	kill -0 $RUN_PID 2>/dev/null || break
	sleep 0.1
done
grep -q "^attached $UP" "$TMP/run.dpdk" || fail "dpdk: replace failed: $(cat "$TMP/run.dpdk.err")"
ip -n "$P" neigh flush dev "$PE"
ip netns exec "$P" ping -c 3 -i 0.2 -W 1 -q $VTEP >"$TMP/ping" ||
	fail "dpdk: ping to the host address failed while DPDK owns the XSK"
send_vxlan
# testpmd prints its cumulative port counters every second; on a loaded 2-core machine its
# poll lcore may be descheduled for a while, so wait (bounded) rather than sleep a fixed time.
for _ in $(seq 150); do
	n=$(grep 'RX-packets:' "$TMP/testpmd" | tail -n 1 | sed 's/.*RX-packets: *\([0-9]*\).*/\1/')
	[ "${n:-0}" -ge $N_KNOWN ] && break
	sleep 0.1
done
ip netns exec "$H" "$STAT" show --dev "$UP" --json >"$TMP/show.dpdk"
steered=$(counter steered-vxlan <"$TMP/show.dpdk")
stop_pid "$TP_PID" INT
TP_PID=
stop_pid "$RUN_PID" TERM
RUN_PID=
# The final "Accumulated forward statistics" block: RX-total of all ports.
rx=$(grep 'RX-total:' "$TMP/testpmd" | tail -n 1 | sed 's/.*RX-total: *\([0-9]*\).*/\1/')
[ "$steered" -eq $N_KNOWN ] || fail "dpdk: steered-vxlan $steered, expected $N_KNOWN"
[ "${rx:-x}" = "$N_KNOWN" ] || fail "dpdk: testpmd received ${rx:-nothing}, expected $N_KNOWN"
echo "xdp_uplink: dpdk net_af_xdp + replace: ping ok, steered=$steered testpmd_rx=$rx"
echo "xdp_uplink: PASS"
