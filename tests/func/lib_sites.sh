# SPDX-License-Identifier: Apache-2.0
# Two-site underlay for multi-site tests (overlay across sites, cross-site migration): each
# site is an L2 segment (a bridge in a fabric namespace) behind a router namespace, and the two
# routers are joined by a WAN link that runs through dvs-delayline (one-way delay, smaller
# MTU), because this kernel has no netem.  Hosts are routed: site S is $SITES_NET.S.0/24 with
# its router at .1, hosts from .11.  Sources lib_cluster.sh (and so lib_switchd.sh) if the
# test has not already; uses their t_ns, t_bg, wait_until, check, sw_start.
#
#   sites_start DELAY_MS WAN_MTU [ROUTER_MTU]   the fabrics, routers and the delay line
#   site_host SITE NS                           a host namespace on SITE's fabric (uplink up0)
#   site_host_start SITE NS                     the same plus a cluster-mode switchd in it
#   dl_start / dl_stat / dl_stop                any delay line (the WAN one is named "wan")
#   ping_rtt NS DST COUNT [PING ARGS]           RTT_MIN/RTT_AVG/RTT_MAX/PING_RECEIVED
declare -F host_start >/dev/null || source "$(dirname "${BASH_SOURCE[0]}")/lib_cluster.sh"

DELAYLINE=${DELAYLINE:-$DVS_BUILD/tests/tools/dvs-delayline}
SITES_NET=${SITES_NET:-10.240}
# Namespace names: unique per test run, so parallel runs do not collide.
SITES_PFX=${SITES_PFX:-st$$}
declare -gA SITE_IP=()    # host netns -> underlay address
declare -gA SITE_OF=()    # host netns -> site number
declare -ga SITES_NHOSTS=(0 0 0)

# --- the delay line -------------------------------------------------------------------------

# dl_start NAME NS IF_A IF_B DELAY_MS MTU [MORE DELAYLINE ARGS...]: runs dvs-delayline in
# netns NS between IF_A and IF_B; sets DL_PID_<NAME> and DL_STATS_<NAME> (its counters file),
# returns once both of its sockets are bound.
dl_start() {
	local name=$1 ns=$2 a=$3 b=$4 delay=$5 mtu=$6; shift 6
	local stats=$T_WORK/delayline-$name.stats
	[ -x "$DELAYLINE" ] || { fail "dvs-delayline not built: $DELAYLINE"; return 1; }
	rm -f "$stats"
	t_bg "delayline-$name" ip netns exec "$ns" "$DELAYLINE" --a "$a" --b "$b" \
		--delay-ms "$delay" --mtu "$mtu" --stats "$stats" "$@"
	printf -v "DL_PID_$name" %s "$T_LAST_PID"
	printf -v "DL_STATS_$name" %s "$stats"
	wait_until 10 "delay line $name ready" test -s "$stats"
}

# dl_stat NAME DIR KEY: a counter of direction DIR ("a-b" or "b-a"), read fresh (SIGUSR1).
# After dl_stop it reads the final counters the delay line wrote on exit.
dl_stat() {
	local pid="DL_PID_$1" stats="DL_STATS_$1"
	if [ -n "${!pid}" ]; then
		rm -f "${!stats}"
		kill -USR1 "${!pid}"
		wait_until 5 "delay line $1 counters" test -s "${!stats}" || return 1
	fi
	sed -n "s/^$2 .* $3=\([0-9]*\).*/\1/p" "${!stats}"
}

# dl_stop NAME: SIGTERM; returns the delay line's exit status (0: clean), its PID forgotten so
# the final cleanup never signals a recycled PID.
dl_stop() {
	local var="DL_PID_$1" pid rc=0 p keep=()
	pid=${!var}
	[ -n "$pid" ] || return 1
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	for p in "${T_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	T_PIDS=("${keep[@]}")
	printf -v "$var" %s ""
	return "$rc"
}

# --- the two sites --------------------------------------------------------------------------

# sites_start DELAY_MS WAN_MTU [ROUTER_MTU]: builds site 1 and 2 and the WAN between them.
# WAN_MTU is enforced by the delay line (bigger packets are dropped and counted, as a WAN
# with a smaller MTU in the middle of the path does).  The routers' WAN interfaces have
# ROUTER_MTU (default 1500): give WAN_MTU there too to model a WAN whose edge routers know the
# MTU and answer "fragmentation needed" instead.
sites_start() {
	local delay=$1 mtu=$2 rmtu=${3:-1500} s p=$SITES_PFX
	SITES_DELAY_MS=$delay
	SITES_WAN_MTU=$mtu
	for s in 1 2; do
		t_ns "${p}f$s"
		ip -n "${p}f$s" link add br0 type bridge
		ip -n "${p}f$s" link set br0 up
		sites_quiet_ns "${p}r$s"
		ip netns exec "${p}r$s" sysctl -qw net.ipv4.ip_forward=1
		ip link add lan netns "${p}r$s" type veth peer name rt netns "${p}f$s"
		ip -n "${p}f$s" link set dev rt master br0 up
		ip -n "${p}r$s" link set dev lan up
		ip -n "${p}r$s" addr add "$SITES_NET.$s.1/24" dev lan
	done
	sites_quiet_ns "${p}w"
	ip link add wan netns "${p}r1" type veth peer name a netns "${p}w"
	ip link add wan netns "${p}r2" type veth peer name b netns "${p}w"
	for s in 1 2; do
		# gso_max_segs 1: the router segments before the WAN, so the delay line sees (and
		# checks the MTU of, and rate-limits) the packets a real WAN would carry.
		ip -n "${p}r$s" link set dev wan mtu "$rmtu" gso_max_segs 1 up
		ip -n "${p}r$s" addr add "$SITES_NET.0.$s/24" dev wan
		ip -n "${p}r$s" route add "$SITES_NET.$((3 - s)).0/24" via "$SITES_NET.0.$((3 - s))"
	done
	ip -n "${p}w" link set dev a mtu "$rmtu" up
	ip -n "${p}w" link set dev b mtu "$rmtu" up
	dl_start wan "${p}w" a b "$delay" "$mtu"
}

# sites_quiet_ns NS: a namespace without IPv6, so counters only see the test's own traffic.
sites_quiet_ns() {
	t_ns "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# site_host SITE NS: a host namespace with uplink "up0" on SITE's fabric (the name and shape
# host_start in lib_cluster.sh gives its hosts), address ${SITE_IP[NS]}/24, default route via
# the site router.
site_host() {
	local s=$1 h=$2 n ip
	n=$((SITES_NHOSTS[s] + 1))
	SITES_NHOSTS[s]=$n
	ip=$SITES_NET.$s.$((10 + n))
	sites_quiet_ns "$h"
	ip link add up0 netns "$h" type veth peer name "h$n" netns "${SITES_PFX}f$s"
	ip -n "${SITES_PFX}f$s" link set dev "h$n" master br0 up
	ip -n "$h" link set dev up0 up
	ip -n "$h" addr add "$ip/24" dev up0
	ip -n "$h" route add default via "$SITES_NET.$s.1"
	SITE_IP[$h]=$ip
	SITE_OF[$h]=$s
}

# site_host_start SITE NS: site_host, then a cluster-mode switchd in NS (as host_start does)
# that also knows its site ("site<SITE>") and VTEP address.  Needs db_start first.
site_host_start() {
	local s=$1 h=$2 extra
	site_host "$s" "$h"
	extra='"db":"unix:'$DB_SOCK'", "host_name":"'$h'", "snapshot":"'$T_WORK/$h.snapshot'"'
	extra+=', "site":"site'$s'", "vtep_ip":"'${SITE_IP[$h]}'"'
	SWITCHD_WRAP="ip netns exec $h" sw_start "$h" \
		'[{"name":"up0","type":"uplink","ifname":"up0"}]' "$extra"
}

# --- measuring ------------------------------------------------------------------------------

# ping_rtt NS DST COUNT [PING ARGS...]: pings DST from NS (0.2 s apart); sets PING_RECEIVED
# and RTT_MIN, RTT_AVG, RTT_MAX (ms, empty if nothing came back).  Returns ping's status.
ping_rtt() {
	local ns=$1 dst=$2 count=$3 out rc=0; shift 3
	out=$(ip netns exec "$ns" ping -n -q -c "$count" -i 0.2 -W 2 "$@" "$dst" 2>&1) || rc=$?
	PING_RECEIVED=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	PING_RECEIVED=${PING_RECEIVED:-0}
	read -r RTT_MIN RTT_AVG RTT_MAX < <(sed -n 's|^rtt [^=]*= \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/.*|\1 \2 \3|p' <<<"$out")
	return "$rc"
}

# check_range DESCRIPTION VALUE LO HI: passes if LO <= VALUE <= HI (decimals allowed).
check_range() {
	if [ -n "$2" ] && awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v >= lo && v <= hi) }'; then
		pass "$1 ($2 in $3..$4)"
	else
		fail "$1: expected $3..$4, got '${2}'"
	fi
}
