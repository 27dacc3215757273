# SPDX-License-Identifier: Apache-2.0
# A private OVS-DPDK 3.1 instance for benchmarks: its own ovsdb-server and ovs-vswitchd-dpdk,
# with every run/db/log path in one directory, so a system OVS (if any) is never touched.
# A netdev bridge with two dpdkvhostuserclient ports and the default NORMAL flow.
# Needs tests/lib/common.sh (start_daemon, wait_until, cleanup at exit).

OVS_VSWITCHD_DPDK=${OVS_VSWITCHD_DPDK:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
_ovs_dir=

_ovs_vsctl() { timeout 30 ovs-vsctl --db="unix:$_ovs_dir/db.sock" --timeout=20 "$@"; }

# ovs_dpdk_start DIR SOCK0 SOCK1 HUGE(0|1) [PMD_MASK] [LCORE_MASK]
#   Starts the instance in DIR (created, must be private) and waits until both vhost-user
#   client ports are configured.  The bridge polls on the PMD core (default 0x2: CPU 1), the
#   main thread on 0x1.  HUGE=0 runs DPDK with --no-huge.
ovs_dpdk_start() {
	local dir=$1 s0=$2 s1=$3 huge=$4 pmd=${5:-0x2} lcore=${6:-0x1}
	_ovs_dir=$dir
	# The netdev datapath may leave its persistent taps 'ovs-netdev' and 'br0' behind even with
	# exit --cleanup; ovs_dpdk_stop removes those that were not there before us.
	_ovs_had_taps=
	for _t in ovs-netdev br0; do
		ip link show "$_t" >/dev/null 2>&1 && _ovs_had_taps="$_ovs_had_taps $_t"
	done
	mkdir -p "$dir"
	# ovs-vsctl/appctl and both daemons take their default paths from these.
	export OVS_RUNDIR=$dir OVS_DBDIR=$dir OVS_LOGDIR=$dir OVS_SYSCONFDIR=$dir
	ovsdb-tool create "$dir/conf.db" "$OVS_SCHEMA"
	start_daemon ovsdb "$dir/ovsdb-server.out" ovsdb-server "$dir/conf.db" \
		--remote="punix:$dir/db.sock" --unixctl="$dir/ovsdb-server.ctl" \
		--pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log"
	wait_until 10 "private ovsdb-server socket" test -S "$dir/db.sock"
	_ovs_vsctl --no-wait init
	local extra
	# A private prefix in both modes: even --in-memory creates /var/run/dpdk/PREFIX (with the
	# telemetry socket), which must not be the shared default 'rte'.
	if [ "$huge" = 1 ]; then
		extra="--no-pci --in-memory --single-file-segments --file-prefix=dvs-bench-ovs-$$"
		_ovs_vsctl --no-wait set Open_vSwitch . other_config:dpdk-socket-mem=512 \
			other_config:dpdk-socket-limit=512
	else
		extra="--no-pci --no-huge -m 512 --no-shconf --file-prefix=dvs-bench-ovs-$$"
	fi
	dpdk_prefix_cleanup_at_exit "dvs-bench-ovs-$$"
	_ovs_vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		other_config:dpdk-extra="$extra" other_config:dpdk-lcore-mask="$lcore" \
		other_config:pmd-cpu-mask="$pmd"
	start_daemon ovs-vswitchd "$dir/ovs-vswitchd.out" "$OVS_VSWITCHD_DPDK" \
		"unix:$dir/db.sock" --unixctl="$dir/ovs-vswitchd.ctl" \
		--pidfile="$dir/ovs-vswitchd.pid" --log-file="$dir/ovs-vswitchd.log"
	wait_until 60 "ovs-vswitchd initialised DPDK" _ovs_dpdk_initialized
	_ovs_vsctl add-br br0 -- set Bridge br0 datapath_type=netdev \
		-- add-port br0 v0 -- set Interface v0 type=dpdkvhostuserclient options:vhost-server-path="$s0" \
		-- add-port br0 v1 -- set Interface v1 type=dpdkvhostuserclient options:vhost-server-path="$s1"
	wait_until 30 "OVS vhost-user ports configured" _ovs_ports_ok
}

_ovs_dpdk_initialized() {
	[ "$(_ovs_vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ]
}
_ovs_ports_ok() {
	local p
	for p in v0 v1; do
		[ -z "$(_ovs_vsctl get Interface "$p" error 2>/dev/null | grep -v '^\[\]$')" ] || return 1
		[ "$(_ovs_vsctl get Interface "$p" ofport 2>/dev/null)" -gt 0 ] 2>/dev/null || return 1
	done
}

# ovs_dpdk_pmd_stats: the PMD thread statistics (for the report).
ovs_dpdk_pmd_stats() { timeout 10 ovs-appctl -t "$_ovs_dir/ovs-vswitchd.ctl" dpif-netdev/pmd-stats-show; }

# ovs_dpdk_stop: vswitchd then ovsdb-server, each by the PID we started.
ovs_dpdk_stop() {
	[ -n "$_ovs_dir" ] || return 0
	# --cleanup: the netdev datapath and its tap devices (ovs-netdev, br0) go too.
	timeout 10 ovs-appctl -t "$_ovs_dir/ovs-vswitchd.ctl" exit --cleanup >/dev/null 2>&1 || true
	stop_daemon ovs-vswitchd 10 || true
	stop_daemon ovsdb 5 || true
	for _t in ovs-netdev br0; do
		case " $_ovs_had_taps " in *" $_t "*) ;; *) ip link del "$_t" 2>/dev/null || true ;; esac
	done
	unset OVS_RUNDIR OVS_DBDIR OVS_LOGDIR OVS_SYSCONFDIR
	_ovs_dir=
}
