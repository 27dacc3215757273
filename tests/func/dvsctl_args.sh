#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dvsctl's command line, end to end:
#  1. bad arguments give a precise message and exit 2, without contacting the switch (a
#     listening socket that records connections stays untouched);
#  2. no switch gives exit 3 and says so (missing socket, stale socket, switch not answering);
#  3. against a real dvs-switchd (a tap port in a netns of our own): port list/show/add/set/del,
#     stats, drops, fdb, lcores, version, in table and JSON form, and a refusal gives exit 1.
# Root (netns, tap).  Cleans up everything it made, even on failure; can run twice in a row.
set -euo pipefail

BUILD=${DVS_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
DVSCTL=$BUILD/cli/dvsctl
SWITCHD=$BUILD/datapath/dvs-switchd
PY=/usr/bin/python3
TAG=cli2$$
TMP=$(mktemp -d /tmp/cli2-dvsctl.XXXXXX)
NS=$TAG-ns
PIDS=()
FAILS=0
PASSES=0

cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$DVSCTL" ] || { echo "SKIP-FAIL: $DVSCTL not built" >&2; exit 1; }

ok() { PASSES=$((PASSES + 1)); echo "ok   $*"; }
bad() { FAILS=$((FAILS + 1)); echo "FAIL $*"; }

# expect RC SUBSTRING -- dvsctl args...: runs dvsctl, checks exit code and that stderr (or stdout
# for rc 0) contains SUBSTRING.
expect() {
	local want_rc=$1 want_msg=$2 rc=0
	shift 3
	"$DVSCTL" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	if [ "$rc" != "$want_rc" ]; then
		bad "dvsctl $*: exit $rc, expected $want_rc; stderr: $(cat "$TMP/err")"
	elif [ -n "$want_msg" ] && ! grep -qF -- "$want_msg" "$TMP/err" "$TMP/out"; then
		bad "dvsctl $*: output lacks \"$want_msg\"; got: $(cat "$TMP/err" "$TMP/out")"
	else
		ok "dvsctl $* -> $rc"
	fi
}

# A unix socket that accepts, records each connection in $TMP/conns, and never answers.
cat >"$TMP/silent.py" <<'PYEOF'
import os, socket, sys, time
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path); s.listen(16)
open(log, "w").close()
keep = []
while True:
    c, _ = s.accept()
    keep.append(c)
    with open(log, "a") as f:
        f.write("conn\n")
PYEOF
SILENT=$TMP/silent.sock
$PY "$TMP/silent.py" "$SILENT" "$TMP/conns" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$SILENT" ] && break; sleep 0.1; done
export DVS_SWITCHD=$SILENT

echo "# 1. usage errors: exit 2, nothing contacted"
expect 2 'dvsctl: port add: --access 5000: VLAN out of range 0..4094' -- port add vm1 --type tap --ifname t0 --access 5000
expect 2 'port add: --type "veth": must be one of vhost-user, tap, kernel, uplink' -- port add vm1 --type veth
expect 2 'port add: missing --type (one of vhost-user, tap, kernel, uplink)' -- port add vm1
expect 2 'port add: missing NAME' -- port add --type tap --ifname t0
expect 2 'port add: --type vhost-user needs --path SOCKET' -- port add vm1 --type vhost-user
expect 2 'port add: --path "rel.sock": must be an absolute socket path' -- port add vm1 --type vhost-user --path rel.sock
expect 2 'port add: --netns: only for --type tap, not kernel' -- port add k1 --type kernel --ifname veth0 --netns x
expect 2 'port add: --client: only for --type vhost-user, not tap' -- port add t1 --type tap --ifname t0 --client
expect 2 'port add: --queues 9: out of range 1..8' -- port add vm1 --type vhost-user --path /x.sock --queues 9
expect 2 'port add: --driver "dpdk": must be af_packet or af_xdp' -- port add k1 --type kernel --ifname veth0 --driver dpdk
expect 2 'port add: --access and --trunk exclude each other' -- port add t1 --type tap --ifname t0 --access 1 --trunk 2
expect 2 'port add: --native is only for a trunk' -- port add t1 --type tap --ifname t0 --native 3
expect 2 'port add: --trunk 10,20-5000: VLAN 5000 out of range 0..4094' -- port add t1 --type tap --ifname t0 --trunk 10,20-5000
expect 2 'port add: --trunk 30-20: range 30-20 is backwards' -- port add t1 --type tap --ifname t0 --trunk 30-20
expect 2 'port add: --trunk "10,,20": empty or overlong item' -- port add t1 --type tap --ifname t0 --trunk 10,,20
expect 2 'port add: --access "ten": not a VLAN id (allowed 0..4094)' -- port add t1 --type tap --ifname t0 --access ten
expect 2 'port add: --mac "02:00:00:00:00": not a MAC address (expected xx:xx:xx:xx:xx:xx)' -- port add t1 --type tap --ifname t0 --mac 02:00:00:00:00
expect 2 'port add: --mac 01:00:5e:00:00:01: a multicast MAC' -- port add t1 --type tap --ifname t0 --mac 01:00:5e:00:00:01
expect 2 'port add: --ifname "much-too-long-name0": not an interface name' -- port add t1 --type tap --ifname much-too-long-name0
expect 2 'port add: --type uplink needs exactly one of --ifname IFNAME or --pci ADDR' -- port add up0 --type uplink --trunk 10
expect 2 'port add: --access: an uplink is always a trunk' -- port add up0 --type uplink --ifname eth9 --access 10
expect 2 'port add: NAME "bad/name": may only contain letters, digits' -- port add bad/name --type tap --ifname t0
expect 2 'port add: unknown option "--vlan" (options: --type, --path' -- port add t1 --type tap --ifname t0 --vlan 10
expect 2 'port add: --type given twice' -- port add t1 --type tap --type tap --ifname t0
expect 2 'port add: --ifname needs a value' -- port add t1 --type tap --ifname
expect 2 'port set: give --access VLAN or --trunk LIST [--native VLAN]' -- port set t1
expect 2 'port set: --native 4095: VLAN out of range 0..4094' -- port set t1 --trunk 1 --native 4095
expect 2 'port del: unexpected argument "t2" (takes NAME (the port to delete))' -- port del t1 t2
expect 2 'port show: missing NAME' -- port show
expect 2 'dvsctl: port: unknown subcommand "lst" (one of list, show, add, del, set)' -- port lst
expect 2 'dvsctl: port: missing subcommand' -- port
expect 2 'dvsctl: unknown command "prot"' -- prot list
expect 2 'fdb show: --segment 16777216: out of range 0..16777215' -- fdb show --segment 16777216
expect 2 'fdb: unknown subcommand "dump"' -- fdb dump
expect 2 'stats: unexpected argument "b"' -- stats a b
expect 2 'drops: unknown option "--all" (options: --nonzero)' -- drops --all
expect 2 'lcores: unexpected argument "1" (takes no arguments)' -- lcores 1
expect 2 '--format "yaml": must be table or json' -- --format yaml port list
expect 2 '--timeout "0": not a number of seconds in 0.001..3600' -- --timeout 0 port list
expect 2 '--switchd needs a value' -- port list --switchd
expect 2 '--switchd "bogus:x": not an address' -- --switchd bogus:x port list
expect 2 'Usage: dvsctl [OPTIONS] COMMAND' --
expect 0 'Exit status: 0 ok, 1 refused or failed' -- --help
expect 0 'Usage: dvsctl [OPTIONS] port add NAME --type' -- port add --help
expect 0 '--type vhost-user  a VM' -- help port add
expect 0 'port set NAME --access VLAN' -- port --help
expect 0 "dvsctl " -- --version
# Bash completion knows every command that --help lists.
SRC=${DVS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
missing=$(bash -c '
	source "$1/cli/dvsctl.bash"
	comp() { COMP_WORDS=(dvsctl "$@"); COMP_CWORD=$#; _dvsctl; echo "${COMPREPLY[*]}"; }
	"$2" --help | sed -n "/^Commands:/,/^$/p" | awk "/^  [a-z]/ {n = split(substr(\$0, 3, 41), a, \" \"); print a[1], (a[2] ~ /^[a-z]+\$/ ? a[2] : \"\")}" |
	while read -r w1 w2; do
		comp "" | grep -qw "$w1" || echo "$w1"
		case "$w2" in [a-z]*) comp "$w1" "" | grep -qw "$w2" || echo "$w1 $w2" ;; esac
	done' _ "$SRC" "$DVSCTL")
if [ -z "$missing" ]; then ok "bash completion covers every command"; else bad "completion lacks: $missing"; fi

n=$(wc -l <"$TMP/conns")
if [ "$n" = 0 ]; then ok "no usage error contacted the switch socket"; else bad "usage errors made $n connection(s)"; fi

echo "# 2. cannot reach the switch: exit 3"
expect 3 "port list: cannot connect to dvs-switchd at $TMP/none.sock: No such file or directory" -- --switchd "$TMP/none.sock" port list
$PY -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$TMP/stale.sock"
expect 3 "cannot connect to dvs-switchd at unix:$TMP/stale.sock: Connection refused" -- --switchd "unix:$TMP/stale.sock" stats
expect 3 "cannot connect to dvs-switchd at tcp:127.0.0.1:1" -- --switchd tcp:127.0.0.1:1 drops
start=$(date +%s%N)
expect 3 "version: no reply from dvs-switchd at $SILENT within 300 ms" -- --timeout 0.3 version
el=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$el" -ge 300 ] && [ "$el" -lt 3000 ]; then ok "timeout took ${el} ms"; else bad "timeout took ${el} ms"; fi
# DVS_SWITCHD is the default, --switchd wins over it.
expect 3 "cannot connect to dvs-switchd at $TMP/none2.sock" -- fdb show --switchd "$TMP/none2.sock"

if [ ! -x "$SWITCHD" ]; then
	echo "# 3. skipped: $SWITCHD not built"
	echo "passed $PASSES, failed $FAILS"
	[ "$FAILS" = 0 ]
	exit
fi

echo "# 3. against a real dvs-switchd"
ip netns add "$NS"
SOCK=$TMP/switchd.sock
cat >"$TMP/switchd.json" <<JEOF
{"ctl_socket": "$SOCK", "no_huge": true, "mem_mb": 256, "lcores": [1], "idle_sleep_us": 500,
 "ports": [{"name": "t1", "type": "tap", "ifname": "${TAG}a", "netns": "$NS",
            "vlan_mode": "access", "tag": 10}]}
JEOF
"$SWITCHD" -c "$TMP/switchd.json" >"$TMP/switchd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 150); do
	[ -S "$SOCK" ] && "$DVSCTL" --switchd "$SOCK" --timeout 1 version >/dev/null 2>&1 && break
	sleep 0.1
done
export DVS_SWITCHD=$SOCK

expect 0 "dvs-switchd 0.1.0" -- version
"$DVSCTL" port list >"$TMP/list" 2>&1 || bad "port list failed: $(cat "$TMP/list")"
if grep -qE '^NAME +TYPE +STATUS +VLAN +MAC +BACKING$' "$TMP/list" &&
   grep -qE "^t1 +tap +(up|down) +access 10 +- +${TAG}a \(netns $NS\)$" "$TMP/list"; then
	ok "port list shows t1 (tap, access 10, in $NS)"
else
	bad "port list: $(cat "$TMP/list")"
fi
expect 0 "" -- port add t2 --type tap --ifname "${TAG}b" --netns "$NS" --trunk 20-30,100 --native 20 --mac 02:00:00:00:00:02
ip netns exec "$NS" ip link show "${TAG}b" >/dev/null 2>&1 && ok "tap ${TAG}b exists in $NS" || bad "tap ${TAG}b not in $NS"
"$DVSCTL" port list >"$TMP/list" 2>&1
if grep -qE "^t2 +tap +(up|down) +trunk 20-30,100 native 20 +02:00:00:00:00:02 +${TAG}b \(netns $NS\)$" "$TMP/list"; then
	ok "port list shows t2 as a trunk with its MAC"
else
	bad "port list after add: $(cat "$TMP/list")"
fi
# Columns line up: every row's VLAN column starts where the header's does.
col=$(head -1 "$TMP/list" | grep -bo 'VLAN' | cut -d: -f1)
if awk -v c="$col" 'NR>1 && substr($0, c+1, 5) !~ /^(acces|trunk)/ {bad=1} END {exit bad}' "$TMP/list"; then
	ok "table columns aligned"
else
	bad "table not aligned: $(cat "$TMP/list")"
fi
"$DVSCTL" --format json port list >"$TMP/json"
if $PY - "$TMP/json" <<'PYEOF'
import json, sys
ports = json.load(open(sys.argv[1]))
names = [p["name"] for p in ports]
assert names == ["t1", "t2"], names
t2 = ports[1]
assert t2["type"] == "tap" and t2["vlan_mode"] == "trunk" and t2["native_vlan"] == 20, t2
assert t2["mac"] == "02:00:00:00:00:02", t2
PYEOF
then ok "JSON port list parses with the expected fields"; else bad "JSON port list: $(cat "$TMP/json")"; fi
expect 0 "vlan_mode    trunk" -- port show t2
expect 1 'port show: no such port "nope"' -- port show nope
expect 1 "port add: " -- port add t2 --type tap --ifname "${TAG}c"
expect 0 "" -- port set t1 --access 30
"$DVSCTL" port list | grep -qE "^t1 .* access 30 " && ok "port set changed t1 to access 30" || bad "port set: $("$DVSCTL" port list)"
expect 0 "RX_PACKETS" -- stats
expect 0 "t2" -- stats t2
expect 1 'stats: no such port: port "nope" does not exist' -- stats nope
expect 0 "REASON" -- drops
expect 0 "SEGMENT" -- fdb show --segment 20
"$DVSCTL" fdb show --segment 20 | grep -qE '^ +20 +02:00:00:00:00:02 +t2 +static' && ok "static FDB entry for t2's MAC" || bad "fdb: $("$DVSCTL" fdb show)"
expect 0 "flushed" -- fdb flush
expect 0 "LCORE" -- lcores
expect 0 "" -- port del t2
expect 1 'port del: port del failed: port "t2" does not exist' -- port del t2
"$DVSCTL" port list | grep -q '^t2 ' && bad "t2 still listed after del" || ok "t2 gone after del"
for _ in $(seq 30); do ip netns exec "$NS" ip link show "${TAG}b" >/dev/null 2>&1 || break; sleep 0.1; done
ip netns exec "$NS" ip link show "${TAG}b" >/dev/null 2>&1 && bad "tap ${TAG}b still in $NS" || ok "tap ${TAG}b removed"

echo "passed $PASSES, failed $FAILS"
[ "$FAILS" = 0 ]
