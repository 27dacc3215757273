#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Conformance: Open vSwitch's own ovsdb-client (Debian openvswitch-common) against dvs-db:
# list-dbs, get-schema, get-schema-version, list-tables, transact, dump, monitor,
# monitor-cond; then OVS's Python IDL (python3-openvswitch).  No root needed.
set -euo pipefail
: "${DVS_BUILD:?}" "${DVS_SRC:?}"
command -v ovsdb-client >/dev/null || { echo "SKIP: ovsdb-client not installed (openvswitch-common)"; exit 77; }
here="$DVS_SRC/tests/func/ovsdb"
dir=$(mktemp -d /tmp/dbs-ovsc.XXXXXX)
pid= mpids=()
cleanup() {
	for p in "${mpids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
n=0
fail() { echo "FAIL ovs_client: $*"; echo "--- dvs-db log"; cat "$dir/log"; exit 1; }
check() { n=$((n + 1)); }

port=$((20000 + RANDOM % 20000))
"$DVS_BUILD/ovsdb-lite/dvs-db" --remote="punix:$dir/db.sock" --remote="ptcp:$port:127.0.0.1" --schema="$here/test.ovsschema" \
	"$dir/db.json" 2>"$dir/log" &
pid=$!
R="unix:$dir/db.sock"
for _ in $(seq 100); do [ -S "$dir/db.sock" ] && break; sleep 0.05; done
oc() { timeout 10 ovsdb-client "$@"; }

[ "$(oc list-dbs "$R")" = dbstest ] || fail "list-dbs"; check
[ "$(oc list-dbs "tcp:127.0.0.1:$port")" = dbstest ] || fail "list-dbs over TCP"; check
oc get-schema "$R" dbstest >"$dir/schema.json"
# ovsdb-client re-serialises the schema and drops defaults ("max": 1): compare without them.
/usr/bin/python3 -c '
import json, sys
def norm(x):
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items() if not (k in ("min", "max") and v == 1)}
    return [norm(v) for v in x] if isinstance(x, list) else x
a, b = (norm(json.load(open(f))) for f in sys.argv[1:3])
sys.exit(a != b)' \
	"$dir/schema.json" "$here/test.ovsschema" || fail "get-schema differs from the schema file"; check
[ "$(oc get-schema-version "$R" dbstest)" = 1.2.3 ] || fail "get-schema-version"; check
oc list-tables "$R" dbstest | grep -qw Host || fail "list-tables"; check

# Monitors started before the writes, so they must report them.
oc monitor "$R" dbstest Item k,v >"$dir/mon.out" 2>&1 & mpids+=($!)
oc monitor-cond "$R" dbstest '[["k","==",2]]' Item k,v >"$dir/monc.out" 2>&1 & mpids+=($!)
oc --format=json monitor "$R" dbstest Host name,gen >"$dir/monj.out" 2>&1 & mpids+=($!)
sleep 0.5

out=$(oc transact "$R" '["dbstest",
	{"op":"insert","table":"Item","row":{"k":1,"v":"one"}},
	{"op":"insert","table":"Item","row":{"k":2,"v":"two"}},
	{"op":"insert","table":"Host","row":{"name":"hostA","gen":3}},
	{"op":"select","table":"Item","where":[["k","==",2]],"columns":["v"]}]')
echo "$out" | grep -q '{"rows":\[{"v":"two"}\]}' || fail "transact select result: $out"; check
out=$(oc transact "$R" '["dbstest",{"op":"insert","table":"Host","row":{"name":"hostA"}}]')
echo "$out" | grep -q '"constraint violation"' || fail "transact error not reported: $out"; check
oc transact "$R" '["dbstest",{"op":"update","table":"Item","where":[["k","==",1]],"row":{"v":"uno"}}]' >/dev/null

oc dump "$R" dbstest >"$dir/dump.out"
grep -q "hostA" "$dir/dump.out" || fail "dump lacks Host row"; check
grep -Eq "uno" "$dir/dump.out" && grep -Eq "two" "$dir/dump.out" || fail "dump lacks Item rows"; check
oc dump "$R" dbstest Item k >"$dir/dump2.out"
[ "$(grep -cE '^[12]$' "$dir/dump2.out")" = 2 ] || fail "dump of one table/column: $(cat "$dir/dump2.out")"; check

sleep 0.5
grep -Eq "insert +1 +one" "$dir/mon.out" || fail "monitor missed insert: $(cat "$dir/mon.out")"; check
grep -Eq "insert +2 +two" "$dir/mon.out" || fail "monitor missed insert 2"; check
grep -Eq "old +one" "$dir/mon.out" && grep -Eq "new +1 +uno" "$dir/mon.out" || fail "monitor missed modify: $(cat "$dir/mon.out")"; check
grep -Eq "insert +2 +two" "$dir/monc.out" || fail "monitor-cond missed its row: $(cat "$dir/monc.out")"; check
! grep -q "one" "$dir/monc.out" || fail "monitor-cond got a row outside its condition"; check
grep -q '"hostA"' "$dir/monj.out" || fail "json monitor: $(cat "$dir/monj.out")"; check
kill -0 "$pid" || fail "dvs-db died"
echo "PASS ovs_client: $n checks"

# The OVS Python IDL, a full client library (monitors, replica, transactions).
if /usr/bin/python3 -c 'import ovs.db.idl' 2>/dev/null; then
	/usr/bin/python3 "$here/ovs_idl_test.py" "$dir/db.sock" "$here/test.ovsschema" || fail "OVS Python IDL"
else
	echo "SKIP ovs_idl: python3-openvswitch not installed"
fi
