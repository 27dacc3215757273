# SPDX-License-Identifier: Apache-2.0
# Helpers for cluster tests, on top of lib_switchd.sh: a dvs-db with the DVS schema, "hosts"
# as network namespaces whose switchd uplinks are trunks into one bridge (the physical
# switch), and raw OVSDB transactions (ovsdb-client) so tests do not depend on dvsctl.
source "$(dirname "${BASH_SOURCE[0]}")/lib_switchd.sh"

DVSDB=$DVS_BUILD/ovsdb-lite/dvs-db
CONTROLLER=$DVS_BUILD/controller/dvs-controller
SCHEMA=$DVS_SRC/schema/dvs.ovsschema
DB_SOCK=$T_WORK/db.sock
DB_FILE=$T_WORK/dvs.db
FAB=dvsfab$$

db_start() {
	[ -f "$DB_FILE" ] || "$DVSDB" --create --schema "$SCHEMA" "$DB_FILE" >/dev/null
	t_bg dvs-db "$DVSDB" --remote="punix:$DB_SOCK" "$DB_FILE"
	DB_PID=$T_LAST_PID
	wait_until 20 "dvs-db socket" timeout 5 ovsdb-client list-dbs "unix:$DB_SOCK"
}
db_stop() { kill "$DB_PID"; wait "$DB_PID" 2>/dev/null; }
# db_crash: SIGKILL (no clean shutdown); the PID is forgotten so the final cleanup never
# signals a recycled one.  db_start starts it again on the same file.
db_crash() {
	local p keep=()
	kill -KILL "$DB_PID"
	wait "$DB_PID" 2>/dev/null
	for p in "${T_PIDS[@]}"; do [ "$p" = "$DB_PID" ] || keep+=("$p"); done
	T_PIDS=("${keep[@]}")
}

# txn JSON_OPS: one transaction on DVS; prints the result; fails on any error in it.
txn() {
	local out
	# Bounded: a database that stops answering is a failure to report, not a hung test.
	out=$(timeout 20 ovsdb-client transact "unix:$DB_SOCK" "[\"DVS\", $1]") || {
		echo "txn failed or dvs-db did not answer in 20 s (dvs-db state: $(cat /proc/"${DB_PID:-0}"/wchan 2>/dev/null; echo; tail -3 "$T_WORK/dvs-db.log" 2>/dev/null)): $out" >&2
		return 1
	}
	if ! jget "$out" "all('error' not in x for x in r if x) or exit(1)" >/dev/null; then
		echo "$out" >&2; return 1
	fi
	echo "$out"
}
# bump: the operation that bumps the cluster generation (append to intent transactions).
BUMP='{"op":"mutate","table":"Global","where":[],"mutations":[["generation","+=",1]]}'
global_gen() { jget "$(txn '{"op":"select","table":"Global","where":[]}')" "r[0]['rows'][0]['generation']"; }
# host_col HOST COLUMN
host_col() {
	jget "$(txn '{"op":"select","table":"Host","where":[["name","==","'"$1"'"]]}')" \
		"(r[0]['rows'] or [{}])[0].get('$2', '')"
}

fabric_start() {
	t_ns "$FAB"
	# No IPv6 chatter from the "physical switch" into the uplinks.
	ip netns exec "$FAB" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$FAB" link add br0 type bridge
	ip -n "$FAB" link set br0 up
}

# host_start NAME [VTEP_CIDR]: netns NAME with uplink veth "up0" into the fabric bridge, and a
# switchd in it in cluster mode (host_name NAME).  With VTEP_CIDR (e.g. 10.99.0.1/24) the
# uplink gets that underlay address and switchd uses it as its VXLAN tunnel endpoint.
# Its control socket is SW_SOCK_<NAME>.
host_start() {
	local h=$1 vtep=${2:-}
	ip netns list | grep -qw "$h" || {
		t_ns "$h"
		ip netns exec "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip link add "u$h" netns "$h" type veth peer name "f$h" netns "$FAB"
		ip -n "$h" link set "u$h" name up0
		ip -n "$h" link set up0 up
		ip -n "$FAB" link set "f$h" master br0
		ip -n "$FAB" link set "f$h" up
		[ -n "$vtep" ] && ip -n "$h" addr add "$vtep" dev up0
	}
	local extra='"db":"unix:'$DB_SOCK'", "host_name":"'$h'", "snapshot":"'$T_WORK/$h.snapshot'"'
	[ -n "$vtep" ] && extra+=', "vtep_ip":"'${vtep%/*}'"'
	SWITCHD_WRAP="ip netns exec $h" sw_start "$h" '[{"name":"up0","type":"uplink","ifname":"up0"}]' "$extra"
}

# vm_ns NAME: a namespace standing for a VM (tap backing), IPv6 off so counters stay quiet.
vm_ns() {
	t_ns "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# drops_json HOST: HOST's non-zero drop counters, {"reason": count, ...}.
drops_json() {
	ctl "$1" drops.show | "$PY" -c 'import json,sys; print(json.dumps({d["reason"]: d["count"] for d in json.load(sys.stdin) if d["count"]}))'
}
# drops_since HOST FILE: the counters of HOST that grew since drops_json wrote FILE, and by how much.
drops_since() {
	jget "$(drops_json "$1")" "{k: v - json.load(open('$2')).get(k, 0) for k, v in r.items() if v != json.load(open('$2')).get(k, 0)}"
}

# cluster_start N: the usual cluster of these tests: the fabric, dvs-db, a controller "ctl1"
# and hosts h1..hN at 10.99.0.I/24; defines dvsctl() against that database.
cluster_start() {
	fabric_start
	db_start
	t_bg controller "$CONTROLLER" --db "unix:$DB_SOCK" --name ctl1
	for i in $(seq "$1"); do host_start "h$i" "10.99.0.$i/24"; done
	dvsctl() { "$DVSCTL" --db "unix:$DB_SOCK" "$@"; }
}
