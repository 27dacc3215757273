#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dvsctl's cluster commands against a real dvs-db (schema/dvs.ovsschema, in a temp dir):
#  1. --help for every command; usage errors and bad values: precise message, exit 2, and the
#     database dump is byte-for-byte the same afterwards; refusals that need the database
#     (duplicates, unknown group, group still in use): exit 1, database untouched;
#  2. every command's happy path, checked on the rows themselves (tests/func/dvsctl/dbq.py),
#     and the generation contract: +1 per change, stored in the changed row, no lost or
#     duplicate generation under 8 concurrent dvsctl processes;
#  3. --wait: returns only once every affected host wrote applied_generation (a background
#     writer plays the hosts), times out with exit 1 naming the late hosts otherwise;
#  4. host H stats|drops|fdb|ports through Host.ctl_address (a fake control socket);
#  5. exit 3 when the database cannot be reached; how "port" picks the DB or a switchd.
# No root needed.  Cleans up everything it started; can run twice in a row.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

DVSCTL=$DVS_BUILD/cli/dvsctl
DVSDB=$DVS_BUILD/ovsdb-lite/dvs-db
PY=/usr/bin/python3
HERE=$DVS_SRC/tests/func/dvsctl
[ -x "$DVSCTL" ] || fail "$DVSCTL not built"
[ -x "$DVSDB" ] || fail "$DVSDB not built"

tmpdir_new TMP
SOCK=$TMP/cli2-db.sock
export DVS_DB=unix:$SOCK
unset DVS_SWITCHD
"$DVSDB" --create --schema "$DVS_SRC/schema/dvs.ovsschema" "$TMP/dvs.db" >"$TMP/create.log" 2>&1 ||
	fail "dvs-db --create: $(cat "$TMP/create.log")"
start_daemon dvs-db "$TMP/db.log" "$DVSDB" --remote=punix:"$SOCK" "$TMP/dvs.db"
wait_until 10 "dvs-db listening on $SOCK" test -S "$SOCK"

dbq() { $PY "$HERE/dbq.py" "$SOCK" "$@"; }
gen() { dbq gen; }
# col TABLE COL VALUE FIELD: one column of the row whose COL is VALUE, as JSON.
col() { json_get "$(dbq row "$1" "$2" "$3")" "json.dumps(r.get('$4'), sort_keys=True)"; }
uuid_of() { json_get "$(dbq row "$1" name "$2")" "r.get('_uuid', '')"; }

# run ARGS...: runs dvsctl, sets RC, OUT and ERR.
run() {
	RC=0
	"$DVSCTL" "$@" >"$TMP/out" 2>"$TMP/err" || RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}
# expect RC MESSAGE ARGS...: exit code and a substring of stderr (stdout for 0).
expect() {
	local want=$1 msg=$2
	shift 2
	run "$@"
	if [ "$RC" != "$want" ]; then
		check_fail "dvsctl $*: exit $RC, expected $want; stderr: $ERR"
	elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$TMP/err" "$TMP/out"; then
		check_fail "dvsctl $*: lacks \"$msg\"; got: $ERR $OUT"
	else
		pass "dvsctl $* -> $RC"
	fi
}

echo "# 1. help, usage errors and refusals leave the database untouched" >&2
while read -r line; do
	# shellcheck disable=SC2086
	expect 0 "Usage: dvsctl [OPTIONS] $line" $line --help
done <<'EOF'
portgroup add
portgroup set
portgroup del
portgroup list
portgroup show
port add
port set
port del
port list
port show
host list
host show
site add
site set
site del
site list
show
EOF
expect 0 "--ingress-average RATE" portgroup add --help
expect 0 "--override KEY=VALUE" port set --help
expect 0 "HOST fdb|stats|drops|lcores|ports" host --help
expect 0 "portgroup set NAME OPTIONS" portgroup --help
expect 0 "Exit status: 0 ok, 1 refused or failed" --help

# Something to refuse against: a group with a port, a site.
expect 0 "" portgroup add web --access 10 --segment blue
expect 0 "" port add vm1 --group web --host hvA --vhost-user /run/dvs/cli2-vm1.sock
expect 0 "" site add dc1
dbq dump >"$TMP/dump.before"
G0=$(gen)

expect 2 'portgroup add: --access 5000: VLAN out of range 0..4094' portgroup add g1 --access 5000
expect 2 'portgroup add: --access "ten": not a VLAN id (allowed 0..4094)' portgroup add g1 --access ten
expect 2 'portgroup add: --trunk 0,10: VLAN 0 is not allowed on a trunk (1..4094' portgroup add g1 --trunk 0,10
expect 2 'portgroup add: --trunk 10,20-5000: VLAN 5000 out of range 0..4094' portgroup add g1 --trunk 10,20-5000
expect 2 'portgroup add: --access and --trunk exclude each other' portgroup add g1 --access 1 --trunk 2
expect 2 'portgroup add: --native is only for a trunk (give --trunk LIST too)' portgroup add g1 --native 3
expect 2 'portgroup add: port group "g1": native_vlan: 5 not in trunks 10-20' portgroup add g1 --trunk 10-20 --native 5
expect 2 'portgroup add: --ingress-average "10X": not a number of bits per second (e.g. 500k, 10M, 1G; allowed 0 or 8k..400G)' portgroup add g1 --ingress-average 10X
expect 2 'portgroup add: --ingress-average 1k: out of range 8k..400G bits per second (0 = unlimited)' portgroup add g1 --ingress-average 1k
expect 2 'portgroup add: --egress-burst 100: out of range 1518..4G bytes' portgroup add g1 --egress-burst 100
expect 2 'port group "g1": ingress_burst_bytes: 0 out of range 1518..4294967296 (required with ingress_average_bps' portgroup add g1 --ingress-average 10M
expect 2 'port group "g1": ingress_peak_bps: 5000000 not allowed (0 for no peak limit, or 10000000..' portgroup add g1 --ingress-average 10M --ingress-peak 5M --ingress-burst 64K
expect 2 'portgroup add: --storm-broadcast 200M: out of range 1..100M packets per second (0 = off)' portgroup add g1 --storm-broadcast 200M
expect 2 'portgroup add: --allow-promiscuous "maybe": must be yes/on or no/off' portgroup add g1 --allow-promiscuous maybe
expect 2 'portgroup add: --arp-suppression "maybe": must be yes/on or no/off' portgroup add g1 --arp-suppression maybe
expect 2 'portgroup add: --mtu 67: out of range 68..65535' portgroup add g1 --mtu 67
expect 2 'portgroup add: --default-acl "deny": must be allow, drop or reject' portgroup add g1 --default-acl deny
expect 2 'portgroup add: NAME "bad/name": may only contain letters, digits' portgroup add bad/name
expect 2 'portgroup add: unknown option "--vlan" (options: --access' portgroup add g1 --vlan 10
expect 2 'portgroup set: nothing to change' portgroup set web
expect 2 'portgroup set: --native: port group "web" is in access mode (give --trunk LIST too)' portgroup set web --native 5
expect 2 'portgroup set: --segment and --no-segment exclude each other' portgroup set web --segment x --no-segment
expect 2 'port add: missing backing: give --vhost-user PATH, --tap NAME or --kernel IFNAME' port add vm9 --group web
expect 2 'port add: --vhost-user, --tap and --kernel exclude each other' port add vm9 --tap t9 --kernel eth9
expect 2 'port add: --vhost-user "rel.sock": must be an absolute socket path' port add vm9 --vhost-user rel.sock
expect 2 'port add: --vhost-mode "both": must be server or client' port add vm9 --vhost-user /x.sock --vhost-mode both
expect 2 'port add: --queues 129: out of range 1..128' port add vm9 --vhost-user /x.sock --queues 129
expect 2 'port add: --netns: only with --tap NAME' port add vm9 --kernel eth9 --netns ns
expect 2 'port add: --tap "much-too-long-name0": not an interface name' port add vm9 --tap much-too-long-name0
expect 2 'port add: --mac "52:54:00:00:00": not a MAC address' port add vm9 --tap t9 --mac 52:54:00:00:00
expect 2 'port add: --ip "10.0.0.300": not an IPv4 or IPv6 address' port add vm9 --tap t9 --ip 10.0.0.1 --ip 10.0.0.300
expect 2 'port add: --override "foo=1": unknown key "foo" (one of vlan_mode, tag, trunks' port add vm9 --tap t9 --override foo=1
expect 2 'port add: --override tag 5000: VLAN out of range 0..4094' port add vm9 --tap t9 --override tag=5000
expect 2 'port add: --override "tag": expected KEY=VALUE' port add vm9 --tap t9 --override tag
expect 2 'port add: port "vm9": overrides:native_vlan: only valid with vlan_mode trunk' port add vm9 --group web --tap t9 --override native_vlan=5
expect 2 'port add: KEY "' port add "$(printf 'k%.0s' {1..64})" --tap t9
expect 2 'port set: nothing to change' port set vm1
expect 2 'port set: --override tag and --unset-override tag exclude each other' port set vm1 --override tag=3 --unset-override tag
expect 2 'port set: port "vm1": overrides:tag: not allowed with vlan_mode trunk' port set vm1 --override vlan_mode=trunk --override tag=4
expect 2 'site add: --wan-mtu 100: out of range 576..65535' site add dc2 --wan-mtu 100
expect 2 'site add: --latency-ms 60001: out of range 0..60000' site add dc2 --latency-ms 60001
expect 2 'portgroup list: --wait is only for commands that change the configuration' --wait portgroup list
expect 2 'dvsctl: portgroup: unknown subcommand "ad" (one of list, show, add, set, del)' portgroup ad x
expect 2 '--timeout "0": not a number of seconds' --timeout 0 portgroup list
expect 2 'port: --switchd (a standalone switch) and --db (the cluster) exclude each other' --switchd /x.sock --db "$DVS_DB" port list
expect 2 'host: "fbd": unknown view of host hvA (one of fdb, stats, drops, lcores, ports)' host hvA fbd
# Refused by what the database holds: exit 1, still nothing written.
expect 1 'portgroup add: port group "web" already exists (use portgroup set)' portgroup add web
expect 1 'port add: port "vm1" already exists (use port set)' port add vm1 --tap t1
expect 1 'port add: --group "nope": no such port group (see dvsctl portgroup list)' port add vm9 --group nope --tap t9
expect 1 'portgroup set: no port group "nope"' portgroup set nope --mtu 1500
expect 1 'dvsctl: portgroup del web: still used by 1 port (vm1)' portgroup del web
expect 1 'port del: no port "nope" (see dvsctl port list)' port del nope
expect 1 'site add: site "dc1" already exists' site add dc1
expect 1 'host show: no host "hvX"' host show hvX
dbq dump >"$TMP/dump.after"
if cmp -s "$TMP/dump.before" "$TMP/dump.after"; then
	pass "database dump identical after $(wc -l <"$TMP/dump.before") rows' worth of refused commands"
else
	check_fail "refused commands changed the database: $(diff "$TMP/dump.before" "$TMP/dump.after" | head -5)"
fi
assert_eq "generation unchanged by refused commands" "$G0" "$(gen)"
expect 0 "" port del vm1
expect 0 "" portgroup del web
expect 0 "" site del dc1

echo "# 2. happy paths, checked on the rows" >&2
G=$(gen)
expect 0 "" site add dc1 --wan-mtu 1400 --latency-ms 20
assert_eq "site add: wan_mtu" 1400 "$(col Site name dc1 wan_mtu)"
assert_eq "site add: latency_ms" 20 "$(col Site name dc1 latency_ms)"
assert_eq "site add bumps the generation by 1" $((G + 1)) "$(gen)"
expect 0 "" site set dc1 --latency-ms 5
assert_eq "site set: latency_ms" 5 "$(col Site name dc1 latency_ms)"

G=$(gen)
expect 0 "" portgroup add web --access 10 --segment blue --allow-promiscuous yes --allow-mac-changes no \
	--allow-forged-transmits yes --ip-mac-binding yes --arp-suppression on --ingress-average 10M --ingress-peak 20M \
	--ingress-burst 64K --egress-average 1.5G --egress-burst 1M --storm-broadcast 1k \
	--storm-multicast 500 --storm-unknown-unicast 2k --mtu 9000 --default-acl reject
row=$(dbq row PortGroup name web)
assert_eq "portgroup add: all columns" \
	"access 10 True False True True True 10000000 20000000 65536 1500000000 1048576 1000 500 2000 9000 reject" \
	"$(json_get "$row" "' '.join(str(r[c]) for c in ['vlan_mode','tag','allow_promiscuous','allow_mac_changes','allow_forged_transmits','ip_mac_binding','arp_suppression','ingress_average_bps','ingress_peak_bps','ingress_burst_bytes','egress_average_bps','egress_burst_bytes','storm_broadcast_pps','storm_multicast_pps','storm_unknown_unicast_pps','mtu','default_acl_action'])")"
assert_eq "portgroup add: generation stored in the row" $((G + 1)) "$(json_get "$row" "r['generation']")"
assert_eq "portgroup add: Global.generation" $((G + 1)) "$(gen)"
assert_eq "portgroup add --segment blue: a Segment row, referenced" "$(uuid_of Segment blue)" \
	"$(json_get "$row" "r['segment']")"
expect 0 "" portgroup add trunkg --trunk 10,20-22 --native 20 --segment blue
assert_eq "portgroup add --trunk: trunks" "[10, 20, 21, 22]" "$(col PortGroup name trunkg trunks)"
assert_eq "portgroup add --native" 20 "$(col PortGroup name trunkg native_vlan)"
assert_eq "one Segment row for two groups" 1 "$(dbq count Segment)"
G=$(gen)
expect 0 "" portgroup set web --trunk 30-31 --native 30
assert_eq "portgroup set --trunk: mode, tag cleared, trunks" 'trunk [] [30, 31] 30' \
	"$(json_get "$(dbq row PortGroup name web)" "' '.join(json.dumps(r[c]) if c != 'vlan_mode' else r[c] for c in ['vlan_mode','tag','trunks','native_vlan'])")"
assert_eq "portgroup set: row generation" $((G + 1)) "$(col PortGroup name web generation)"
expect 0 "" portgroup set web --access 11 --mtu 1500 --no-segment
assert_eq "portgroup set --access: back to access, trunk columns cleared" 'access 11 [] [] 1500 []' \
	"$(json_get "$(dbq row PortGroup name web)" "' '.join(json.dumps(r[c]) if c != 'vlan_mode' else r[c] for c in ['vlan_mode','tag','trunks','native_vlan','mtu','segment'])")"
assert_eq "untouched columns stay" 10000000 "$(col PortGroup name web ingress_average_bps)"
expect 0 "" portgroup set web --arp-suppression off
assert_eq "portgroup set --arp-suppression off" false "$(col PortGroup name web arp_suppression)"

G=$(gen)
expect 0 "" port add vm1 --group web --host hvA --vhost-user /run/dvs/cli2-vm1.sock --vhost-mode server \
	--queues 4 --mac 52:54:00:AA:00:01 --ip 10.0.0.1 --ip 2001:db8::1
row=$(dbq row Port key vm1)
assert_eq "port add: columns" \
	"$(uuid_of PortGroup web) hvA vhost-user /run/dvs/cli2-vm1.sock server 4 52:54:00:aa:00:01 ['10.0.0.1', '2001:db8::1'] $((G + 1))" \
	"$(json_get "$row" "' '.join(str(r[c]) for c in ['port_group','requested_host','backing','vhost_socket','vhost_mode','vhost_queues','mac','ips','generation'])")"
expect 0 "" port add vm2 --group web --host hvB --tap cl2t2 --netns cli2ns --override tag=20 \
	--override allow_mac_changes=yes --override ingress_average_bps=1M --override ingress_burst_bytes=2K
assert_eq "port add --override: canonical values" \
	'{"allow_mac_changes": "true", "ingress_average_bps": "1000000", "ingress_burst_bytes": "2048", "tag": "20"}' \
	"$(col Port key vm2 overrides)"
assert_eq "port add --tap --netns" '"tap" "cl2t2" "cli2ns"' \
	"$(json_get "$(dbq row Port key vm2)" "' '.join(json.dumps(r[c]) for c in ['backing','tap_name','netns'])")"
expect 0 "" port add vm3 --group trunkg --host hvB --kernel cl2veth3
assert_eq "port add --kernel" '"kernel" "cl2veth3"' \
	"$(json_get "$(dbq row Port key vm3)" "' '.join(json.dumps(r[c]) for c in ['backing','kernel_ifname'])")"
expect 0 "" port set vm2 --unset-override tag --override mtu=1400 --override ingress_average_bps=2M --host hvA
assert_eq "port set: overrides unset, replaced, added, kept" \
	'{"allow_mac_changes": "true", "ingress_average_bps": "2000000", "ingress_burst_bytes": "2048", "mtu": "1400"}' \
	"$(col Port key vm2 overrides)"
assert_eq "port set --host" '"hvA"' "$(col Port key vm2 requested_host)"
expect 0 "" port set vm1 --tap cl2t1 --no-mac --no-ips
assert_eq "port set: a new backing clears the old one's columns" '"tap" "cl2t1" [] [] [] [] []' \
	"$(json_get "$(dbq row Port key vm1)" "' '.join(json.dumps(r[c]) for c in ['backing','tap_name','vhost_socket','vhost_mode','vhost_queues','mac','ips'])")"
expect 0 "" port set vm3 --group web
assert_eq "port set --group" "\"$(uuid_of PortGroup web)\"" "$(col Port key vm3 port_group)"

# Reads, table and JSON.
run portgroup list
assert_match "portgroup list: header" '^NAME +VLAN +SEGMENT +VNI +PORTS +GEN +ERROR$' "$(head -1 "$TMP/out")"
assert_match "portgroup list: web with its 3 ports" '^web +access 11 +- +- +3 ' "$OUT"
assert_match "portgroup list: trunkg" '^trunkg +trunk 10,20-22 native 20 +blue +- +0 ' "$OUT"
run portgroup show web
assert_match "portgroup show: human units" 'ingress_average_bps +10M' "$OUT"
assert_match "portgroup show: ports" 'ports +vm1, vm2, vm3' "$OUT"
run --format json portgroup show web
assert_eq "portgroup show --format json" "web 10000000 ['vm1', 'vm2', 'vm3']" \
	"$(json_get "$OUT" "' '.join(str(r[c]) for c in ['name','ingress_average_bps','ports'])")"
run port list
assert_match "port list: vm2" '^vm2 +web +hvA +- +- +[0-9]+ +tap cl2t2 \(netns cli2ns\) +-$' "$OUT"
run --format json port list --host hvB
assert_eq "port list --host hvB (json)" "['vm3']" "$(json_get "$OUT" "[p['key'] for p in r]")"
run port show vm2
assert_match "port show: overrides" 'overrides +allow_mac_changes=true, ingress_average_bps=2000000' "$OUT"
run --format json site list
assert_eq "site list (json)" "dc1 1400 5" "$(json_get "$OUT" "' '.join(str(r[0][c]) for c in ['name','wan_mtu','latency_ms'])")"

# Hosts are written by switchd; here the test registers two by hand.
SITE=$(uuid_of Site dc1)
HA=$(gen)
dbq transact "[{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"hvA\",\"site\":[\"uuid\",\"$SITE\"],\"status\":\"up\",\"vtep_ip\":\"192.0.2.1\",\"applied_generation\":$HA,\"ctl_address\":\"unix:$TMP/cli2-hvA.sock\"}},
	{\"op\":\"insert\",\"table\":\"Host\",\"row\":{\"name\":\"hvB\",\"status\":\"up\",\"applied_generation\":1}}]" >/dev/null
run host list
assert_match "host list: hvA in dc1, applied = cluster" "^hvA +dc1 +up +192.0.2.1 +$(gen)/$(gen) +2 " "$OUT"
assert_match "host list: hvB behind" "^hvB +- +up +- +1/$(gen) +1 " "$OUT"
run host show hvA
assert_match "host show: ctl_address" "ctl_address +unix:$TMP/cli2-hvA.sock" "$OUT"
run show
assert_match "show: tree" "site dc1 .*
  host hvA  up  vtep 192.0.2.1  applied $(gen)/$(gen)
    port vm1  group web" "$OUT"
assert_match "show: a host behind is flagged" "host hvB  up  vtep -  applied 1/$(gen) \(behind\)" "$OUT"
run --format json show
assert_eq "show --format json" "dc1 hvA ['vm1', 'vm2'] ['hvB']" \
	"$(json_get "$OUT" "' '.join(str(x) for x in [r['sites'][0]['name'], r['sites'][0]['hosts'][0]['name'], [p['key'] for p in r['sites'][0]['hosts'][0]['ports']], [h['name'] for h in r['hosts_without_site']]])")"

# Concurrent writers: every change gets its own generation, none is lost.
G=$(gen)
pids=()
for i in 1 2 3 4 5 6 7 8; do
	"$DVSCTL" portgroup add "cg$i" --access "$i" >"$TMP/cg$i.out" 2>&1 & pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
assert_eq "8 concurrent portgroup add all succeeded" 0 "$bad"
assert_eq "8 concurrent changes: generation +8" $((G + 8)) "$(gen)"
gens=$(for i in 1 2 3 4 5 6 7 8; do col PortGroup name "cg$i" generation; done | sort -n | tr '\n' ' ')
assert_eq "each concurrent change stored its own generation" "$(seq -s ' ' $((G + 1)) $((G + 8))) " "$gens"
for i in 1 2 3 4 5 6 7 8; do "$DVSCTL" portgroup del "cg$i"; done

# Bash completion asks this database for names.
comp() {
	DVS_DB=$DVS_DB PATH=$DVS_BUILD/cli:$PATH bash -c '
		source "$1/cli/dvsctl.bash"; shift
		COMP_WORDS=(dvsctl "$@"); COMP_CWORD=$(($# )); _dvsctl; echo "${COMPREPLY[*]}"' _ "$DVS_SRC" "$@"
}
assert_eq "completion: portgroup set NAME" "trunkg web" "$(comp portgroup set "")"
assert_eq "completion: port add --group" "trunkg web" "$(comp port add vm9 --group "")"
assert_eq "completion: port show KEY" "vm1 vm2 vm3" "$(comp port show vm)"
assert_eq "completion: host NAME views" "fdb stats drops lcores ports acl" "$(comp host hvA "")"
assert_eq "completion: --override keys" "ingress_average_bps= ingress_peak_bps= ingress_burst_bytes=" \
	"$(comp port set vm1 --override ingress_)"
assert_eq "completion: security values" "yes no" "$(comp portgroup add g --ip-mac-binding "")"
assert_eq "completion: --arp-suppression values" "on off" "$(comp portgroup add g --arp-suppression "")"
assert_match "completion: portgroup add options" "--storm-unknown-unicast" "$(comp portgroup add g --st)"

echo "# 3. --wait" >&2
# hvA runs vm1 and vm2 (web), hvB runs vm3 (web): a change of web affects both.
G=$(gen)
start=$(date +%s%N)
expect 1 "portgroup set: --wait: generation $((G + 1)) not applied within 1.0 s by 2 of 2 hosts: hvA (applied $HA), hvB (applied 1)" \
	--wait --timeout 1 portgroup set web --mtu 1400
el=$((($(date +%s%N) - start) / 1000000))
assert_ge "--wait timeout took at least 1 s" "$el" 1000
assert_le "--wait timeout took less than 3 s" "$el" 3000
assert_eq "the change was committed even though --wait timed out" 1400 "$(col PortGroup name web mtu)"

# A background writer plays the hosts: hvA applies after 0.5 s, hvB after 1.2 s.
G=$(gen)
T=$((G + 1))
(
	sleep 0.5
	dbq transact "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"hvA\"]],\"row\":{\"applied_generation\":$T}}]" >/dev/null
	sleep 0.7
	dbq transact "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[[\"name\",\"==\",\"hvB\"]],\"row\":{\"applied_generation\":$T}}]" >/dev/null
) &
writer=$!
cleanup_push "kill_pid $writer 1"
start=$(date +%s%N)
expect 0 "generation $T applied on 2/2 hosts" --wait --timeout 10 portgroup set web --mtu 1450
el=$((($(date +%s%N) - start) / 1000000))
wait "$writer" || true
assert_ge "--wait returned only after the last host applied (ms)" "$el" 1100
assert_le "--wait returned soon after the last host applied (ms)" "$el" 4000
# A port change waits for its old and new host only; an unregistered host is named as such.
expect 1 "--wait: generation $((T + 1)) not applied within 0.5 s by 2 of 2 hosts: hvB (applied $T), hvZ (not registered)" \
	--wait --timeout 0.5 port set vm3 --host hvZ
expect 0 "" port set vm3 --host hvB
# A cluster-wide change (site) waits for every up host, reported in JSON for scripts.
T=$(($(gen) + 1))
dbq transact "[{\"op\":\"update\",\"table\":\"Host\",\"where\":[],\"row\":{\"applied_generation\":$T}}]" >/dev/null
run --wait --format json site set dc1 --wan-mtu 1300
assert_eq "--wait site set (json): every up host" "0 $T {'hvA': $T, 'hvB': $T}" \
	"$RC $(json_get "$OUT" "str(r['generation']) + ' ' + str(r['hosts'])")"

echo "# 4. host H views through Host.ctl_address" >&2
if grep -q '"ctl_address"' "$DVS_SRC/schema/dvs.ovsschema"; then
	start_daemon fake-hvA "$TMP/fake.log" $PY "$HERE/fake_switchd.py" "$TMP/cli2-hvA.sock" "$TMP/fake.requests"
	wait_until 10 "fake switchd socket" test -S "$TMP/cli2-hvA.sock"
	run host hvA stats
	assert_match "host hvA stats: vm1's counters" '^vm1 +11 +1100 +12 +1200 +1 +0$' "$OUT"
	run host hvA drops --nonzero
	assert_match "host hvA drops --nonzero" '^vlan-denied +7 ' "$OUT"
	assert_eq "host hvA drops --nonzero hides zeros" 0 "$(grep -c forged <<<"$OUT" || true)"
	run host hvA fdb
	assert_match "host hvA fdb" '1000 +52:54:00:00:00:01 +vm1 +dynamic' "$OUT"
	run --format json host hvA ports
	assert_eq "host hvA ports (json)" "vm1" "$(json_get "$OUT" "r[0]['name']")"
	assert_eq "the fake switchd got the calls" "ports.stats drops.show fdb.show ports.list" \
		"$(tr '\n' ' ' <"$TMP/fake.requests" | sed 's/ $//')"
	expect 1 'host hvB stats: host "hvB" has no ctl_address' host hvB stats
	expect 1 'host hvX stats: no host "hvX"' host hvX stats
else
	log "schema has no Host.ctl_address yet: host H views not tested"
fi

echo "# 5. connections, and what \"port\" talks to" >&2
expect 3 "cannot connect to the database at unix:$TMP/none.sock" --db "unix:$TMP/none.sock" portgroup list
expect 3 "cannot connect to the database at unix:$TMP/none.sock" --db "unix:$TMP/none.sock" port add x --tap x
expect 2 '--db "bogus:x": not an address' --db bogus:x show
# With $DVS_SWITCHD set, "port" goes to that standalone switch; --db brings it back.
DVS_SWITCHD=$TMP/none-sw.sock expect 3 "cannot connect to dvs-switchd at $TMP/none-sw.sock" port list
DVS_SWITCHD=$TMP/none-sw.sock expect 0 "vm1" --db "$DVS_DB" port list
expect 3 "cannot connect to dvs-switchd at $TMP/none-sw.sock" --switchd "$TMP/none-sw.sock" port list

echo "# 6. deleting" >&2
expect 1 'dvsctl: portgroup del web: still used by 3 ports (vm1, vm2, vm3)' portgroup del web
G=$(gen)
expect 0 "" port del vm1
expect 0 "" port del vm2
expect 0 "" port del vm3
expect 0 "" port del vm3 --if-exists
assert_eq "ports gone" 0 "$(dbq count Port)"
assert_eq "port del bumps the generation" $((G + 3)) "$(gen)"
expect 0 "" portgroup del web
expect 0 "" portgroup del trunkg
assert_eq "groups gone" 0 "$(dbq count PortGroup)"
expect 0 "" site del dc1
assert_eq "site gone, the hosts stay" '2 0' "$(dbq count Host) $(dbq count Site)"
assert_eq "host hvA's site cleared by the weak reference" '[]' "$(col Host name hvA site)"

finish
