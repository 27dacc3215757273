# SPDX-License-Identifier: Apache-2.0
# The pieces of bench/vxlan/run.sh: the hairpin underlay and the two VXLAN switches on it.
#
#   testpmd guest (CPU 0): virtio_user0 (MAC0) <-> 'mac' fwd <-> virtio_user1 (MAC1)
#        | vhost-user                                  | vhost-user
#   switch (CPU 1): port g0 in segment blue (VNI 100)  port g1 in segment red (VNI 200)
#        \____ remote VTEP 10.0.0.2 is the flood list of both segments ____/
#   uplink "up0" (10.0.0.1, net_af_packet) ==veth== "hp0" in netns R: hairpin.bpf.c
#
# A frame MAC0 -> MAC1 enters blue, is encapsulated (VNI 100) to 10.0.0.2; the hairpin swaps the
# outer MACs and IPs and maps VNI 100 -> 200, so it comes back from "10.0.0.2" in red, is
# decapsulated and delivered to g1; the guest sends it back the other way.  Every frame the
# guest receives was encapsulated once and decapsulated once by the switch.  Both switches
# learn the MACs (DVS: learning on decap; OVS: NORMAL on two bridges), no static MAC.
# Needs tests/lib/common.sh, testpmd_guest.sh, bench/lib/ovs_dpdk.sh, bench/lib/v2v_loop.sh.
#
# The memif underlay (run.sh --underlay memif) takes the kernel out of the loop:
#   vxloop (CPU 0, one process): the guest's two virtio_user ports in 'mac' forwarding, and a
#        net_memif server port on which it reflects every VXLAN packet as hairpin.bpf.c does
#   switch (CPU 1): uplink = the net_memif client on the same socket
# dvs-switchd resolves its next hop through the kernel: an interface "vtep0" in NS_SWITCH
# stands for the memif (10.0.0.1, MAC VX_UPLINK_MAC, a permanent neighbour 10.0.0.2 ->
# VX_HAIRPIN_MAC); OVS has 10.0.0.1 on br-phy and tnl/neigh/set, as on the kernel underlay.

VX_LOCAL=10.0.0.1
VX_REMOTE=10.0.0.2
VX_VNI_BLUE=100
VX_VNI_RED=200
VX_UPLINK_MAC=02:00:0a:00:00:01
VX_HAIRPIN_MAC=02:00:0a:00:00:02
VX_UNDERLAY=${VX_UNDERLAY:-af_packet} # or memif

# vx_build_bpf DIR: compiles the hairpin and the sink into DIR/hairpin.o and DIR/sink.o.
vx_build_bpf() {
	local src=$bench_dir/vxlan/hairpin.bpf.c inc=/usr/include/$(uname -m)-linux-gnu
	local f=(-target bpf -O2 -g -I"$inc" -DVNI_A=$VX_VNI_BLUE -DVNI_B=$VX_VNI_RED)
	clang "${f[@]}" -c "$src" -o "$1/hairpin.o" || fail "cannot build $src"
	clang "${f[@]}" -DSINK -c "$src" -o "$1/sink.o" || fail "cannot build $src (sink)"
}

# vx_underlay NS_SWITCH NS_HAIRPIN: both namespaces (removed at exit), the veth up0 <-> hp0,
# up0 and hp0 with the local and remote VTEP addresses, the sink on up0's ingress and the
# hairpin on hp0's ingress.
vx_underlay() {
	local a=$1 r=$2 ns
	for ns in "$a" "$r"; do
		netns_add "$ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add up0 netns "$a" address "$VX_UPLINK_MAC" type veth \
		peer name hp0 netns "$r" address "$VX_HAIRPIN_MAC"
	ip -n "$a" link set up0 up
	ip -n "$r" link set hp0 up
	ip -n "$a" addr add "$VX_LOCAL/24" dev up0
	# No static neighbour: the uplink's PMD takes the link down and up (which flushes even
	# permanent entries), and dvs-switchd resolves its next hops through the kernel's ARP.
	ip -n "$r" addr add "$VX_REMOTE/24" dev hp0
	tc -n "$r" qdisc add dev hp0 clsact
	tc -n "$r" filter add dev hp0 ingress bpf direct-action obj "$B/hairpin.o" sec tc
	tc -n "$a" qdisc add dev up0 clsact
	tc -n "$a" filter add dev up0 ingress bpf direct-action obj "$B/sink.o" sec tc
}

# vx_hairpin_counts NS_HAIRPIN: "reflected=N not_vxlan=N bad_vni_or_csum=N arp=N".
vx_hairpin_counts() {
	local prog map
	prog=$(tc -n "$1" filter show dev hp0 ingress | grep -o ' id [0-9]*' | head -1 | awk '{print $2}')
	map=$(bpftool prog show id "$prog" 2>/dev/null | grep -o 'map_ids [0-9]*' | awk '{print $2}')
	bpftool -j map dump id "$map" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
v = {e["formatted"]["key"]: e["formatted"]["value"] for e in json.load(sys.stdin)}
print("reflected=%s not_vxlan=%s bad_vni_or_csum=%s arp=%s" % (v.get(0), v.get(1), v.get(2), v.get(3)))' ||
		echo "hairpin counters unavailable"
}

# vx_link_stats NS IFNAME: the kernel's counters of the uplink veth.
vx_link_stats() {
	ip -n "$1" -s link show "$2" | awk '/RX:/ { getline; rx = $2 " rx, " $4 " rx dropped" }
		/TX:/ { getline; tx = $2 " tx, " $4 " tx dropped" } END { print rx ", " tx }'
}

# --- dvs-switchd: cluster mode with a private dvs-db ----------------------------------------

_vx_db() { timeout 20 ovsdb-client transact "unix:$1" "[\"DVS\", $2]"; }

# vx_dvs_uplink DIR: the uplink port of switchd's config for the underlay in use.
vx_dvs_uplink() {
	if [ "$VX_UNDERLAY" = memif ]; then
		printf '{"name": "up0", "type": "uplink", "vdev": "net_memif0,%s"}' "$(vx_memif_args "$1" client)"
	else
		printf '{"name": "up0", "type": "uplink", "ifname": "up0"}'
	fi
}

# vx_dvs_start DIR NS_SWITCH SOCK0 SOCK1: dvs-db and dvs-switchd (host "hA", VTEP 10.0.0.1,
# uplink up0) in NS_SWITCH; segments blue/red with their VNIs and 10.0.0.2 as flood VTEP, and
# the guest's two vhost-user ports (switchd is the client) in them.
vx_dvs_start() {
	local d=$1 ns=$2 s0=$3 s1=$4 no_huge=false
	local db=$d/db.sock dvsctl=("$DVS_BUILD/cli/dvsctl" --db "unix:$d/db.sock")
	[ "${DVS_NO_HUGE:-0}" = 1 ] && no_huge=true
	"$DVS_BUILD/ovsdb-lite/dvs-db" --create --schema "$DVS_SRC/schema/dvs.ovsschema" "$d/dvs.db" >/dev/null
	start_daemon dvs-db "$d/dvs-db.log" "$DVS_BUILD/ovsdb-lite/dvs-db" --remote="punix:$db" "$d/dvs.db"
	wait_until 20 "dvs-db socket" timeout 5 ovsdb-client list-dbs "unix:$db"
	_vx_db "$db" '{"op":"insert","table":"Segment","row":{"name":"blue","vni":'$VX_VNI_BLUE',
		"flood_vteps":["set",["'$VX_REMOTE'"]]}},
		{"op":"insert","table":"Segment","row":{"name":"red","vni":'$VX_VNI_RED',
		"flood_vteps":["set",["'$VX_REMOTE'"]]}}' >/dev/null || fail "cannot create the segments"
	"${dvsctl[@]}" portgroup add blue --segment blue >/dev/null
	"${dvsctl[@]}" portgroup add red --segment red >/dev/null
	cat >"$d/switchd.json" <<-CONF
	{"lcores": [1], "main_lcore": 0, "idle_sleep_us": 0, "no_huge": $no_huge, "mem_mb": 512,
	 "ctl_socket": "$d/ctl.sock", "db": "unix:$db", "host_name": "hA",
	 "vtep_ip": "$VX_LOCAL", "snapshot": "$d/hA.snapshot",
	 "ports": [$(vx_dvs_uplink "$d")]}
	CONF
	start_daemon dvs "$d/dvs.log" ip netns exec "$ns" "${VX_SWITCHD:-$DVS_BUILD/datapath/dvs-switchd}" \
		--log-level info --config "$d/switchd.json"
	wait_until 30 "switchd control socket" unix_rpc "$d/ctl.sock" version
	"${dvsctl[@]}" port add g0 --group blue --host hA --vhost-user "$s0" >/dev/null
	"${dvsctl[@]}" port add g1 --group red --host hA --vhost-user "$s1" >/dev/null
	# The guest's seed must not meet a tunnel whose outer header is still being built.
	wait_until 30 "switchd's tunnel to $VX_REMOTE resolved" grep -q "tunnel to $VX_REMOTE: via" "$d/dvs.log"
}

# vx_dvs_report DIR: the switch's non-zero drop reasons and the uplink/tunnel counters.
vx_dvs_report() {
	local sock=$1/ctl.sock
	json_get "$(unix_rpc "$sock" drops.show)" \
		"'drops: ' + (', '.join('%s=%d' % (d['reason'], d['count']) for d in r if d['count']) or 'none')"
	json_get "$(unix_rpc "$sock" ports.stats)" \
		"'; '.join('%s rx=%s tx=%s' % (p['name'], p.get('rx_packets'), p.get('tx_packets')) for p in r)"
}

# --- OVS-DPDK 3.1: userspace VXLAN (br-phy with the uplink and the VTEP IP) ------------------

# vx_ovs_start DIR NS_SWITCH SOCK0 SOCK1 HUGE: a private OVS (as bench/lib/ovs_dpdk.sh, but
# ovs-vswitchd runs inside NS_SWITCH so that its AF_PACKET port and br-phy's tap live there):
#   br-phy  (netdev): "up" = net_af_packet on up0 (the same devargs as dvs-switchd's uplink),
#                     the local VTEP 10.0.0.1 on br-phy's own interface
#   br-blue (netdev): g0 (dpdkvhostuserclient) + vxb (vxlan, key 100, remote 10.0.0.2), NORMAL
#   br-red  (netdev): g1 + vxr (vxlan, key 200, remote 10.0.0.2), NORMAL
# plus the static route and neighbour of the remote VTEP (ovs/route/add, tnl/neigh/set).
vx_ovs_start() {
	local dir=$1 ns=$2 s0=$3 s1=$4 huge=$5 extra
	_ovs_dir=$dir
	# Its netdev taps (ovs-netdev, br-*) live in NS_SWITCH and go with it: ovs_dpdk_stop must
	# not delete the root namespace's taps of these names (someone else's).
	_ovs_had_taps="ovs-netdev br0"
	mkdir -p "$dir"
	export OVS_RUNDIR=$dir OVS_DBDIR=$dir OVS_LOGDIR=$dir OVS_SYSCONFDIR=$dir
	ovsdb-tool create "$dir/conf.db" "$OVS_SCHEMA"
	start_daemon ovsdb "$dir/ovsdb-server.out" ovsdb-server "$dir/conf.db" \
		--remote="punix:$dir/db.sock" --unixctl="$dir/ovsdb-server.ctl" \
		--pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log"
	wait_until 10 "private ovsdb-server socket" test -S "$dir/db.sock"
	_ovs_vsctl --no-wait init
	# A private prefix in both modes (as bench/lib/ovs_dpdk.sh): --in-memory still creates
	# /var/run/dpdk/PREFIX, which must not be the shared default 'rte'.
	if [ "$huge" = 1 ]; then
		extra="--no-pci --in-memory --single-file-segments --file-prefix=dvs-bench-ovsvx-$$"
		_ovs_vsctl --no-wait set Open_vSwitch . other_config:dpdk-socket-mem=512 \
			other_config:dpdk-socket-limit=512
	else
		extra="--no-pci --no-huge -m 512 --no-shconf --file-prefix=dvs-bench-ovsvx-$$"
	fi
	dpdk_prefix_cleanup_at_exit "dvs-bench-ovsvx-$$"
	_ovs_vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		other_config:dpdk-extra="$extra" other_config:dpdk-lcore-mask=0x1 \
		other_config:pmd-cpu-mask=0x2
	start_daemon ovs-vswitchd "$dir/ovs-vswitchd.out" ip netns exec "$ns" "$OVS_VSWITCHD_DPDK" \
		"unix:$dir/db.sock" --unixctl="$dir/ovs-vswitchd.ctl" \
		--pidfile="$dir/ovs-vswitchd.pid" --log-file="$dir/ovs-vswitchd.log"
	wait_until 60 "ovs-vswitchd initialised DPDK" _ovs_dpdk_initialized
	local devargs="net_af_packet_ovs0,iface=up0,qpairs=1,framecnt=1024"
	if [ "$VX_UNDERLAY" = memif ]; then
		devargs="net_memif_ovs0,$(vx_memif_args "$(dirname "$dir")" client)"
	else
		# The VTEP address moves from up0 (where dvs-switchd's resolver wants it) to br-phy.
		ip -n "$ns" addr flush dev up0
	fi
	_ovs_vsctl add-br br-phy -- set Bridge br-phy datapath_type=netdev \
		other_config:hwaddr="$VX_UPLINK_MAC" \
		-- add-port br-phy up -- set Interface up type=dpdk options:dpdk-devargs="$devargs"
	_ovs_vsctl add-br br-blue -- set Bridge br-blue datapath_type=netdev \
		-- add-port br-blue g0 -- set Interface g0 type=dpdkvhostuserclient options:vhost-server-path="$s0" \
		-- add-port br-blue vxb -- set Interface vxb type=vxlan options:remote_ip=$VX_REMOTE \
		options:local_ip=$VX_LOCAL options:key=$VX_VNI_BLUE
	_ovs_vsctl add-br br-red -- set Bridge br-red datapath_type=netdev \
		-- add-port br-red g1 -- set Interface g1 type=dpdkvhostuserclient options:vhost-server-path="$s1" \
		-- add-port br-red vxr -- set Interface vxr type=vxlan options:remote_ip=$VX_REMOTE \
		options:local_ip=$VX_LOCAL options:key=$VX_VNI_RED
	ip -n "$ns" addr add "$VX_LOCAL/24" dev br-phy
	ip -n "$ns" link set br-phy up
	_ovs_appctl ovs/route/add "$VX_REMOTE/32" br-phy >/dev/null || true
	_ovs_appctl tnl/neigh/set br-phy "$VX_REMOTE" "$VX_HAIRPIN_MAC" >/dev/null
	wait_until 30 "OVS ports configured" _vx_ovs_ports_ok
}

_ovs_appctl() { timeout 10 ovs-appctl -t "$_ovs_dir/ovs-vswitchd.ctl" "$@"; }
_vx_ovs_ports_ok() {
	local p
	for p in up g0 g1 vxb vxr; do
		[ -z "$(_ovs_vsctl get Interface "$p" error 2>/dev/null | grep -v '^\[\]$')" ] || return 1
		[ "$(_ovs_vsctl get Interface "$p" ofport 2>/dev/null)" -gt 0 ] 2>/dev/null || return 1
	done
}

# vx_ovs_report: the datapath's drop counters (coverage) and per-port counters.
vx_ovs_report() {
	echo "drops: $(_ovs_appctl coverage/show | awk '/drop/ && $NF + 0 > 0 { printf "%s=%s ", $1, $NF }' ||
		true)"
	_ovs_appctl dpctl/show -s | awk '/port [0-9]+:/ { p = $3 } /RX packets|TX packets/ {
		printf "%s %s; ", p, $0 }' | tr -s ' '
	echo
	_ovs_appctl dpif-netdev/pmd-stats-show | grep -E 'packets received|megaflow hits|exact|avg cycles per packet' |
		tr -s ' ' | paste -sd';'
}

# --- the memif underlay: vxloop (guest + hairpin) ------------------------------------------

# vx_memif_args DIR ROLE: the net_memif arguments of both ends (a socket file in DIR, not the
# abstract namespace, which is per network namespace).
vx_memif_args() { echo "role=$2,socket=$1/memif.sock,socket-abstract=no"; }

# vx_memif_standin NS: the kernel interface that stands for dvs-switchd's memif uplink, where
# its next-hop resolver finds the VTEP address, the source MAC and the neighbour's MAC.
vx_memif_standin() {
	netns_add "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	# A dummy interface would do; this kernel has none, so one end of a veth pair (both up).
	ip -n "$1" link add vtep0 address "$VX_UPLINK_MAC" type veth peer name vtep0p
	ip -n "$1" link set vtep0p up
	ip -n "$1" link set vtep0 up
	ip -n "$1" addr add "$VX_LOCAL/24" dev vtep0
	ip -n "$1" neigh replace "$VX_REMOTE" lladdr "$VX_HAIRPIN_MAC" dev vtep0 nud permanent
}

# vx_loop_start DIR SOCK0 SOCK1 MEMIF_QUEUES [plain]: vxloop on CPU 0 (a private DPDK prefix, no PCI); returns once
# its memif server is started (a memif client connecting earlier is refused for good).  Its
# guest ports, vhost-user servers, come next: vxloop waits until the switch connects to them.  It seeds once DIR/go exists and every link is up (with
# "plain": the guest's two, for a switch without uplink).  VX_LOOP_LOG: one more EAL
# --log-level for vxloop (e.g. 'pmd.net.virtio.*:debug').
vx_loop_start() {
	local d=$1 prefix=dvs-bench-vxloop-$$
	dpdk_prefix_cleanup_at_exit "$prefix"
	# shellcheck disable=SC2046 # word splitting of the EAL memory arguments is intended
	start_daemon guest "$d/vxloop.log" "$DVS_BUILD/bench/vxlan/vxloop" -l 0 --no-pci \
		$(dvs_eal_mem_args "$prefix" 256) --log-level='*:notice' ${VX_LOOP_LOG:+--log-level="$VX_LOOP_LOG"} \
		--vdev="net_memif0,$(vx_memif_args "$d" server),mac=$VX_HAIRPIN_MAC" -- \
		--guest "net_virtio_user0,path=$2,server=1,queues=1,mac=$V2V_GUEST_MAC0" \
		--guest "net_virtio_user1,path=$3,server=1,queues=1,mac=$V2V_GUEST_MAC1" \
		--stats "$d/vxloop.stats" --go "$d/go" --vni "$VX_VNI_BLUE,$VX_VNI_RED" \
		--memif-queues "$4" --seed "${VX_SEED:-4096}" ${5:+--no-memif-wait}
	wait_until 20 "vxloop's memif server started" grep -q "memif started" "$d/vxloop.log"
}

# vx_loop_seed DIR: start the loop (vxloop waits for its three links).
vx_loop_seed() {
	touch "$1/go"
	try_until 30 "vxloop seeded" grep -q seeded "$1/vxloop.log" ||
		fail "vxloop not seeded after 30 s: links (guest 0, guest 1, memif) $(vx_loop_stat "$1" links)"
}

# vx_loop_stat DIR KEY...: the values of vxloop's counters, in the order asked.
vx_loop_stat() {
	local f=$1/vxloop.stats; shift
	awk -v keys="$*" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END { n = split(keys, k, " "); for (i = 1; i <= n; i++) printf "%s%s", v[k[i]], i < n ? " " : "\n" }' "$f"
}

# vx_loop_total DIR: "EPOCH_S RX TX" of the guest (as v2v_rx_total), read by vxloop itself.
vx_loop_total() { vx_loop_stat "$1" time rx tx; }

# vx_loop_counts DIR: the hairpin's counters and the guest's tx drops.
vx_loop_counts() {
	read -r a b c d e f <<<"$(vx_loop_stat "$1" hp_rx reflected not_vxlan bad_vni_or_csum hp_tx_drop tx_drop)"
	echo "received=$a reflected=$b not_vxlan=$c bad_vni_or_csum=$d tx_refused=$e; guest tx refused=$f"
}
