#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The next-hop resolver (datapath/nh/) against the real kernel, through nh-probe running in a
# namespace of this test:
#
#   A (host, runs nh-probe) --aA/bA-- B   10.201.0.0/24  A .1, B .2 (the on-link peer)
#                           --aG/gA-- G   10.202.0.0/24  A .1, G .2 (a router)
#   192.0.2.77/32 via G; 203.0.113.0/24 has no route at first.
#
# Checks: an unknown neighbour is solicited and resolved (MAC = what `ip neigh` shows and the
# peer's real MAC); a routed VTEP resolves to its gateway's MAC; `ip neigh replace` is
# followed; `ip route replace` to another gateway is followed; a route appearing and
# disappearing is followed; an interface MAC and MTU change are followed; a neighbour that
# appears only later is resolved by the retries; and both solicitation methods work (NTF_USE
# and the unprivileged UDP datagram, the latter also as user nobody).
# Needs root.  Cleans up everything on any exit; can run twice in a row.
. "$(dirname "$0")/../lib/common.sh"
require_root
require_cmd ip

PROBE=$DVS_BUILD/datapath/nh/nh-probe
[ -x "$PROBE" ] || fail "$PROBE not built"

A=vx-nha$$ B=vx-nhb$$ G=vx-nhg$$
AA=vxaa$$ BA=vxba$$ AG=vxag$$ GA=vxga$$
netns_add "$A"
netns_add "$B"
netns_add "$G"
veth_add "$AA" "$BA" "$A" "$B"
veth_add "$AG" "$GA" "$A" "$G"
ns_addr "$A" "$AA" 10.201.0.1/24
ns_addr "$B" "$BA" 10.201.0.2/24
ns_addr "$A" "$AG" 10.202.0.1/24
ns_addr "$G" "$GA" 10.202.0.2/24
ip -n "$A" route add 192.0.2.77/32 via 10.202.0.2 dev "$AG"
tmpdir_new T

mac_of() { ip -n "$1" -br link show "$2" | awk '{print $3}'; }
B_MAC=$(mac_of "$B" "$BA")
G_MAC=$(mac_of "$G" "$GA")
A_AA_MAC=$(mac_of "$A" "$AA")
A_AG_MAC=$(mac_of "$A" "$AG")

# last DST [LOG]: nh-probe's latest line about DST.
last() { grep " dst=$1 " "${2:-$T/probe.log}" | tail -n 1; }
# has DST REGEX [LOG]: the latest line about DST matches.
has() { last "$1" "${3:-}" | grep -Eq -- "$2"; }
# field DST NAME [LOG]: a key=value field of the latest line about DST.
field() { last "$1" "${3:-}" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
kernel_mac() { ip -n "$A" neigh show "$1" dev "$2" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }

# --- first resolution ------------------------------------------------------------------
assert_eq "no neighbour entry for B before the probe" "" "$(kernel_mac 10.201.0.2 "$AA")"
start_daemon probe "$T/probe.log" ip netns exec "$A" "$PROBE" --timeout 90 \
	10.201.0.2 192.0.2.77 203.0.113.5 10.201.0.3
wait_until 10 "nh-probe ready" grep -q '^ready' "$T/probe.log"

assert_match "on-link peer: pending at first (nothing known, solicitation triggered)" \
	"^resolve .*status=pending dev=$AA gw=no via=10.201.0.2 src=10.201.0.1" "$(grep '^resolve dst=10.201.0.2 ' "$T/probe.log")"
assert_match "no route: unreachable" "status=unreachable" "$(last 203.0.113.5)"
wait_until 10 "B resolved by the triggered solicitation" has 10.201.0.2 "^change .*status=ok"
assert_eq "B's MAC = B's interface" "$B_MAC" "$(field 10.201.0.2 mac)"
assert_eq "B's MAC = the kernel's neighbour entry" "$(kernel_mac 10.201.0.2 "$AA")" "$(field 10.201.0.2 mac)"
assert_eq "source MAC = A's interface" "$A_AA_MAC" "$(field 10.201.0.2 ifmac)"
wait_until 10 "routed VTEP resolved" has 192.0.2.77 "status=ok"
assert_match "routed VTEP goes via G on $AG" "dev=$AG gw=yes via=10.202.0.2 src=10.202.0.1" "$(last 192.0.2.77)"
assert_eq "routed VTEP: outer MAC is G's" "$G_MAC" "$(field 192.0.2.77 mac)"
assert_eq "routed VTEP: source MAC is $AG's" "$A_AG_MAC" "$(field 192.0.2.77 ifmac)"
assert_match "not-yet-existing neighbour: pending" "status=pending" "$(last 10.201.0.3)"

# --- neighbour MAC change (ip neigh replace) --------------------------------------------
n0=$(grep -c '^change' "$T/probe.log")
ip -n "$A" neigh replace 10.202.0.2 dev "$AG" lladdr 02:00:00:00:99:99 nud reachable
wait_until 5 "neighbour replace followed" has 192.0.2.77 "^change .*mac=02:00:00:00:99:99"
assert_eq "only the VTEP behind G changed" "1" "$(($(grep -c '^change' "$T/probe.log") - n0))"

# --- route change to another gateway -----------------------------------------------------
ip -n "$A" route replace 192.0.2.77/32 via 10.201.0.2 dev "$AA"
wait_until 5 "route replace followed" has 192.0.2.77 "^change .*dev=$AA gw=yes via=10.201.0.2"
assert_eq "new gateway's MAC (B, already known)" "$B_MAC" "$(field 192.0.2.77 mac)"
assert_eq "new source MAC" "$A_AA_MAC" "$(field 192.0.2.77 ifmac)"

# --- a route appears, then goes ------------------------------------------------------------
ip -n "$A" route add 203.0.113.0/24 via 10.202.0.2 dev "$AG" mtu 1400
wait_until 5 "new route followed" has 203.0.113.5 "^change .*status=ok dev=$AG gw=yes via=10.202.0.2"
assert_eq "new route: neighbour MAC as replaced" "02:00:00:00:99:99" "$(field 203.0.113.5 mac)"
assert_eq "route mtu metric" "1400" "$(field 203.0.113.5 route_mtu)"

# --- interface MTU and MAC changes --------------------------------------------------------
ip -n "$A" link set "$AG" mtu 1450
wait_until 5 "interface MTU followed" has 203.0.113.5 "^change .*mtu=1450 "
ip -n "$A" link set "$AA" address 02:00:00:00:aa:42
wait_until 5 "interface MAC followed (on-link peer)" has 10.201.0.2 "^change .*ifmac=02:00:00:00:aa:42"
wait_until 5 "interface MAC followed (routed VTEP)" has 192.0.2.77 "^change .*ifmac=02:00:00:00:aa:42"

ip -n "$A" route del 203.0.113.0/24
wait_until 5 "route removal followed" has 203.0.113.5 "^change .*status=unreachable"

# --- a neighbour that appears later: the retries resolve it ----------------------------------
ip -n "$B" addr add 10.201.0.3/24 dev "$BA"
wait_until 15 "late neighbour resolved by the retries" has 10.201.0.3 "^change .*status=ok"
assert_eq "late neighbour's MAC" "$B_MAC" "$(field 10.201.0.3 mac)"

assert_ok "nh-probe exits cleanly" stop_daemon probe
stats=$(grep '^stats' "$T/probe.log")
assert_match "solicitations counted, none failed" "probes=[1-9][0-9]* probe_errors=0 " "$stats"
assert_match "no notification overrun" "overruns=0" "$stats"

# --- each solicitation method on its own ------------------------------------------------------
for mode in use udp; do
	ip -n "$A" neigh flush dev "$AG"
	start_daemon "probe-$mode" "$T/$mode.log" ip netns exec "$A" "$PROBE" --probe "$mode" \
		--timeout 20 10.202.0.2
	wait_until 10 "--probe $mode resolves G" has 10.202.0.2 "status=ok" "$T/$mode.log"
	assert_eq "--probe $mode: G's real MAC" "$G_MAC" "$(field 10.202.0.2 mac "$T/$mode.log")"
	assert_match "--probe $mode: pending first" "^resolve .*status=pending" "$(grep '^resolve' "$T/$mode.log")"
	stop_daemon "probe-$mode" || true
done

# Unprivileged (no CAP_NET_ADMIN): NTF_USE is refused and the UDP datagram takes over.
if command -v setpriv >/dev/null && su -s /bin/sh nobody -c "test -x '$PROBE'" 2>/dev/null; then
	ip -n "$A" neigh flush dev "$AG"
	start_daemon probe-nobody "$T/nobody.log" ip netns exec "$A" setpriv --reuid=65534 \
		--regid=65534 --clear-groups "$PROBE" --timeout 20 10.202.0.2
	wait_until 10 "unprivileged resolves G" has 10.202.0.2 "status=ok" "$T/nobody.log"
	assert_eq "unprivileged: G's MAC" "$G_MAC" "$(field 10.202.0.2 mac "$T/nobody.log")"
	stop_daemon probe-nobody || true
else
	log "nobody cannot run $PROBE: unprivileged case not run"
fi

finish
