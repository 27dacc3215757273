#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dvs-controller against a real dvs-db, with fake hosts (Host rows and heartbeats written by
# this script): VNIs (allocation, exhaustion, reuse), bindings, flood lists, MAC locations,
# config_error for bad input, host down after missed heartbeats within a stated time, and a
# restart that reconverges without writing anything.  No root needed.
source "$(dirname "$0")/../../lib/common.sh"

DB=$DVS_BUILD/ovsdb-lite/dvs-db
CTL=$DVS_BUILD/controller/dvs-controller
require_cmd /usr/bin/python3
[ -x "$DB" ] && [ -x "$CTL" ] || { echo "build dvs-db and dvs-controller first"; exit 1; }

dir=$(mktemp -d /tmp/ctr-ctl.XXXXXX)
cleanup_push "rm -rf '$dir'"
SOCK=$dir/db.sock
DOWN_AFTER_MS=2000

db() { /usr/bin/python3 "$DVS_SRC/tests/func/controller/db.py" "$SOCK" "$@"; }
# q PYEXPR: true if the expression over the database is truthy (see db.py eval).
q() { db eval "$1" >/dev/null 2>&1; }
now_ms() { date +%s%3N; }

start_daemon db "$dir/db.log" "$DB" --remote="punix:$SOCK" --schema="$DVS_SRC/schema/dvs.ovsschema" "$dir/dvs.db"
wait_until 5 "dvs-db socket" test -S "$SOCK"
start_daemon ctl "$dir/ctl.log" "$CTL" --db="unix:$SOCK" --name=ctr-a --log-level=debug

# --- Global row and leadership ---
wait_until 5 "Global row with leader ctr-a" q "s(t('Global')[0]['leader']) == ['ctr-a']"
pass "controller created the Global row and leads"
db tx '[{"op":"update","table":"Global","where":[],"row":{"other_config":["map",[["host_down_after_ms","'$DOWN_AFTER_MS'"],["vni_range","5000-5001"]]]}}]' >/dev/null

# --- intent: a segment, a group, two hosts, ports ---
NOW=$(now_ms)
db tx '[
 {"op":"insert","table":"Segment","row":{"name":"blue"},"uuid-name":"seg"},
 {"op":"insert","table":"PortGroup","row":{"name":"web","vlan_mode":"access","tag":10,"segment":["named-uuid","seg"]},"uuid-name":"pg"},
 {"op":"insert","table":"Host","row":{"name":"hv1","last_heartbeat":'$NOW'}},
 {"op":"insert","table":"Host","row":{"name":"hv2","last_heartbeat":'$NOW'}},
 {"op":"insert","table":"Port","row":{"key":"vm1","port_group":["named-uuid","pg"],"mac":"52:54:00:00:00:01","backing":"tap","requested_host":"hv1"}},
 {"op":"insert","table":"Port","row":{"key":"vm2","port_group":["named-uuid","pg"],"mac":"52:54:00:00:00:02","backing":"tap","requested_host":"hv2"}},
 {"op":"insert","table":"Port","row":{"key":"vm3","port_group":["named-uuid","pg"],"backing":"tap","requested_host":"hv2","overrides":["map",[["tag","5000"]]]}},
 {"op":"insert","table":"Port","row":{"key":"vm4","port_group":["named-uuid","pg"],"backing":"tap","requested_host":"hv9"}}
]' >/dev/null
# Heartbeats every 500 ms for the hosts named in $dir/beating, until the test ends.
echo "hv1 hv2" >"$dir/beating"
( while :; do db beat $(cat "$dir/beating") >/dev/null 2>&1 || true; sleep 0.5; done ) &
BEATER=$!
cleanup_push "kill $BEATER"

wait_until 5 "VNI 5000 on segment blue" q "[r['vni'] for r in t('Segment') if r['name']=='blue'] == [5000]"
pass "segment blue got VNI 5000 (first of vni_range 5000-5001)"
wait_until 5 "hosts up" q "sorted(r['status'] for r in t('Host')) == ['up', 'up']"
pass "hosts hv1 and hv2 are up"
wait_until 5 "bindings requested" \
	q "sorted(r['state'] for r in t('Binding')) == ['requested', 'requested', 'requested']"
pass "one binding per port on a registered host, state requested"

# --- validation ---
wait_until 5 "vm3 config_error" q "[r['config_error'] for r in t('Port') if r['key']=='vm3'] == ['port \"vm3\": overrides:tag: 5000 out of range 0..4094']"
pass "bad override reported in Port.config_error with the field and range"
wait_until 5 "vm4 config_error" q "'\"hv9\" is not a registered host' in [r['config_error'] for r in t('Port') if r['key']=='vm4'][0]"
pass "unknown requested_host reported"
db tx '[{"op":"insert","table":"PortGroup","row":{"name":"bad","vlan_mode":"trunk","tag":7}}]' >/dev/null
wait_until 5 "group config_error" q "[r['config_error'] for r in t('PortGroup') if r['name']=='bad'] == ['port group \"bad\": tag: not allowed with vlan_mode trunk (use native_vlan for untagged frames)']"
pass "conflicting group reported in PortGroup.config_error"
db tx '[{"op":"update","table":"Port","where":[["key","==","vm3"]],"row":{"overrides":["map",[["tag","20"]]]}}]' >/dev/null
wait_until 5 "vm3 config_error cleared" q "[s(r['config_error']) for r in t('Port') if r['key']=='vm3'] == [[]]"
pass "config_error cleared once the override is fixed"

# --- hosts report their ports up: bindings active, flood list, MAC locations ---
db tx '[{"op":"update","table":"Port","where":[["key","==","vm1"]],"row":{"status":["map",[["state","up"],["host","hv1"]]]}},
        {"op":"update","table":"Port","where":[["key","==","vm2"]],"row":{"status":["map",[["state","up"],["host","hv2"]]]}}]' >/dev/null
wait_until 5 "bindings active" q "sorted(r['state'] for r in t('Binding')) == ['active', 'active', 'requested']"
pass "bindings of ports reported up are active"
FLOOD_BOTH="sorted(x[1] for x in s(t('Segment')[0]['flood_hosts'])) == sorted(u(h) for h in t('Host'))"
wait_until 5 "flood list of both hosts" q "$FLOOD_BOTH"
pass "segment flood_hosts = the two hosts with active ports"
wait_until 5 "two MAC locations" q "sorted((r['mac'], [u(h) for h in t('Host') if h['_uuid']==r['host']][0]) for r in t('MacLocation')) == sorted([('52:54:00:00:00:01', [u(h) for h in t('Host') if h['name']=='hv1'][0]), ('52:54:00:00:00:02', [u(h) for h in t('Host') if h['name']=='hv2'][0])])"
pass "MacLocation rows for vm1 on hv1 and vm2 on hv2"

# --- hv1 stops heartbeating: down within host_down_after_ms + 1 s ---
echo "hv2" >"$dir/beating"
sleep 0.7 # a beat of hv1 may have been in flight
LAST=$(db eval "[r['last_heartbeat'] for r in t('Host') if r['name']=='hv1'][0]")
wait_until 10 "hv1 down" q "[r['status'] for r in t('Host') if r['name']=='hv1'] == ['down']"
DOWN_AT=$(now_ms)
DETECT_MS=$((DOWN_AT - LAST))
log "hv1 marked down ${DETECT_MS} ms after its last heartbeat (host_down_after_ms=$DOWN_AFTER_MS)"
assert_le "hv1 down within host_down_after_ms + 1 s" "$DETECT_MS" $((DOWN_AFTER_MS + 1000))
assert_ge "hv1 not down before host_down_after_ms" "$DETECT_MS" "$DOWN_AFTER_MS"
wait_until 5 "vm1 binding down" q "[b['state'] for b in t('Binding') for p in t('Port') if p['key']=='vm1' and b['port']==p['_uuid']] == ['down']"
pass "the down host's binding is down"
wait_until 5 "flood list without hv1" q "[x[1] for x in s(t('Segment')[0]['flood_hosts'])] == [u(h) for h in t('Host') if h['name']=='hv2']"
pass "hv1 left the flood list"
wait_until 5 "vm1 MAC location gone" q "[r['mac'] for r in t('MacLocation')] == ['52:54:00:00:00:02']"
pass "vm1's MAC location removed"
q "[r['status'] for r in t('Host') if r['name']=='hv2'] == ['up']" && pass "hv2 (heartbeating) stays up" || check_fail "hv2 went down"

# --- VNI exhaustion and reuse ---
db tx '[{"op":"insert","table":"Segment","row":{"name":"red"}}]' >/dev/null
wait_until 5 "red VNI 5001" q "[r['vni'] for r in t('Segment') if r['name']=='red'] == [5001]"
db tx '[{"op":"insert","table":"Segment","row":{"name":"green"}}]' >/dev/null
sleep 1
q "[s(r['vni']) for r in t('Segment') if r['name']=='green'] == [[]]" && pass "range full: green has no VNI" || check_fail "green got a VNI from a full range"
grep -q "segment green: no free VNI in 5000-5001" "$dir/ctl.log" && pass "exhaustion logged" || check_fail "exhaustion not logged"
db tx '[{"op":"delete","table":"Segment","where":[["name","==","red"]]}]' >/dev/null
wait_until 5 "green reuses 5001" q "[r['vni'] for r in t('Segment') if r['name']=='green'] == [5001]"
pass "a deleted segment's VNI is reused"

# --- restart: reconverges without writing anything ---
BEFORE=$(db eval "sorted([u(r) for r in t('Binding')] + [u(r) for r in t('MacLocation')] + [json.dumps(r['vni']) for r in t('Segment')])")
stop_daemon ctl
start_daemon ctl "$dir/ctl2.log" "$CTL" --db="unix:$SOCK" --name=ctr-a --log-level=debug
wait_until 5 "restarted controller leads" grep -q "leader: holding lock" "$dir/ctl2.log"
sleep 1.5
if grep -q "writing [0-9]* operations" "$dir/ctl2.log"; then
	check_fail "restarted controller wrote: $(grep 'writing' "$dir/ctl2.log" | head -3)"
else
	pass "restarted controller reconciled everything and wrote nothing"
fi
grep -q "reconcile: .* 0 operations" "$dir/ctl2.log" && pass "it did recompute (full reconcile on becoming leader)" || check_fail "no full reconcile logged"
AFTER=$(db eval "sorted([u(r) for r in t('Binding')] + [u(r) for r in t('MacLocation')] + [json.dumps(r['vni']) for r in t('Segment')])")
assert_eq "bindings, MAC locations and VNIs unchanged by the restart" "$BEFORE" "$AFTER"

# The restarted controller still reacts: hv1 comes back.
echo "hv1 hv2" >"$dir/beating"
wait_until 5 "hv1 up again" q "[r['status'] for r in t('Host') if r['name']=='hv1'] == ['up']"
wait_until 5 "vm1 active again" q "[b['state'] for b in t('Binding') for p in t('Port') if p['key']=='vm1' and b['port']==p['_uuid']] == ['active']"
pass "a host that heartbeats again is up, its binding active"
daemon_alive ctl && pass "controller alive" || check_fail "controller died"
finish
