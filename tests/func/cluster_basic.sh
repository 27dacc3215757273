#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Cluster: dvs-db, the controller (when built), three hosts (namespaces, switchd with a trunk
# uplink into a shared bridge), port groups and ports written to the DB.  Guests on one VLAN
# ping across hosts, other VLANs are isolated, a port-group change reaches every host and each
# reports the generation, the DB can go away (traffic continues, later changes apply), and a
# switchd restarts from its snapshot while the DB is down, its vhost-user guest reconnecting.
source "$(dirname "$0")/lib_cluster.sh"

fabric_start
db_start
# The cluster-wide row (the controller would create it too; maxRows 1 makes that safe).
txn '{"op":"insert","table":"Global","row":{"generation":0}}' >/dev/null
if [ -x "$CONTROLLER" ]; then
	t_bg controller "$CONTROLLER" --db "unix:$DB_SOCK" --name ctl1
fi
for h in h1 h2 h3; do host_start "$h"; done
registered() { [ "$(host_col "$1" name)" = "$1" ]; }
for h in h1 h2 h3; do wait_until 20 "host $h registered" registered "$h"; done
check_eq "h2 publishes its control socket" "$(host_col h2 ctl_address)" "unix:$SW_SOCK_h2"

# Port groups and ports (tap "VMs" in namespaces), one transaction with a generation bump.
for v in vm1 vm2 vm3; do vm_ns "$v$$"; done
txn '{"op":"insert","table":"PortGroup","row":{"name":"web","vlan_mode":"access","tag":10},"uuid-name":"web"},
     {"op":"insert","table":"PortGroup","row":{"name":"db","vlan_mode":"access","tag":20},"uuid-name":"db"},
     {"op":"insert","table":"Port","row":{"key":"vm1","port_group":["named-uuid","web"],"backing":"tap","tap_name":"c'$$'1","netns":"vm1'$$'","requested_host":"h1"}},
     {"op":"insert","table":"Port","row":{"key":"vm2","port_group":["named-uuid","web"],"backing":"tap","tap_name":"c'$$'2","netns":"vm2'$$'","requested_host":"h2"}},
     {"op":"insert","table":"Port","row":{"key":"vm3","port_group":["named-uuid","db"],"backing":"tap","tap_name":"c'$$'3","netns":"vm3'$$'","requested_host":"h3"}},
     '"$BUMP" >/dev/null
g=$(global_gen)
applied() { [ "$(host_col "$1" applied_generation)" -ge "$2" ]; }
for h in h1 h2 h3; do wait_until 20 "$h applied generation $g" applied "$h" "$g"; done
pass "all three hosts report generation $g"
tap_up() { ip -n "$1" link show "$2" >/dev/null 2>&1; }
wait_until 10 "vm1's tap" tap_up "vm1$$" "c$$"1
wait_until 10 "vm3's tap" tap_up "vm3$$" "c$$"3
ip -n "vm1$$" addr add 10.70.0.1/24 dev "c$$"1
ip -n "vm2$$" addr add 10.70.0.2/24 dev "c$$"2
ip -n "vm3$$" addr add 10.70.0.3/24 dev "c$$"3

check "VLAN 10 across hosts: vm1 (h1) -> vm2 (h2)" ip netns exec "vm1$$" ping -c 3 -i 0.2 -W 2 -q 10.70.0.2
check_not "VLAN 10 cannot reach VLAN 20: vm1 (h1) -> vm3 (h3)" ip netns exec "vm1$$" ping -c 2 -i 0.2 -W 1 -q 10.70.0.3
port_state() { jget "$(txn '{"op":"select","table":"Port","where":[["key","==","'"$1"'"]],"columns":["status"]}')" \
	"dict(r[0]['rows'][0]['status'][1]).get('state','')"; }
state_is() { [ "$(port_state "$1")" = "$2" ]; }
wait_until 10 "vm1 status up in the DB" state_is vm1 up && pass "vm1 reported up by its host"

# A port-group change reaches every host: db moves to VLAN 10, vm3 joins vm1 and vm2.
txn '{"op":"update","table":"PortGroup","where":[["name","==","db"]],"row":{"tag":10}}, '"$BUMP" >/dev/null
g=$(global_gen)
for h in h1 h2 h3; do wait_until 20 "$h applied generation $g" applied "$h" "$g"; done
pass "the change is applied on all hosts (generation $g)"
check "after the change vm1 (h1) reaches vm3 (h3)" ip netns exec "vm1$$" ping -c 3 -i 0.2 -W 2 -q 10.70.0.3

# The DB goes away: forwarding continues; switchd keeps its configuration.
db_stop
check "traffic continues with the DB down" ip netns exec "vm1$$" ping -c 10 -i 0.1 -W 2 -q 10.70.0.2
check "switchd h1 is still running" kill -0 "$SW_PID_h1"
db_start
txn '{"op":"update","table":"PortGroup","where":[["name","==","db"]],"row":{"tag":20}}, '"$BUMP" >/dev/null
g=$(global_gen)
for h in h1 h2 h3; do wait_until 30 "$h applied generation $g after the DB came back" applied "$h" "$g"; done
check_not "the change made after the DB came back applies (vm3 isolated again)" \
	ip netns exec "vm1$$" ping -c 2 -i 0.2 -W 1 -q 10.70.0.3

# An ACL rule made with dvsctl reaches the hosts: web drops ICMP into its ports.
DV() { "$DVSCTL" --db "unix:$DB_SOCK" "$@"; }
check "dvsctl acl add web: drop ICMP to the ports (--wait)" \
	DV --wait acl add web --direction to-port --action drop --protocol icmp --priority 100
check_not "ping vm1 -> vm2 now dropped by the ACL" ip netns exec "vm1$$" ping -c 2 -i 0.2 -W 1 -q 10.70.0.2
check_ge "h2 counts the rule's hits (dvsctl host h2 acl)" \
	"$(DV --format json host h2 acl | "$PY" -c 'import json,sys; print(sum(r["hits"] for r in json.load(sys.stdin) if r["action"]=="drop" and r["id"]!="default"))')" 2
rid=$(DV --format json acl list web | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
check "dvsctl acl del web $rid (--wait)" DV --wait acl del web "$rid"
check "ping vm1 -> vm2 passes again" ip netns exec "vm1$$" ping -c 2 -i 0.2 -W 2 -q 10.70.0.2
err=$(DV acl add web --direction to-port --action allow --protocol icmp --dst-port 80 2>&1)
check "a bad rule is refused with the policy module's reason (exit 2)" grep -q "dst_port: requires protocol tcp, udp or sctp" <<<"$err"

# Bad intent is refused on the host, the rest keeps working: an invalid override.
txn '{"op":"update","table":"Port","where":[["key","==","vm2"]],"row":{"overrides":["map",[["tag","5000"]]]}}, '"$BUMP" >/dev/null
wait_until 10 "vm2 reported in error" state_is vm2 error && pass "vm2 with an invalid override is reported in error"
check "vm1 still forwards" ip netns exec "vm1$$" ping -c 1 -W 2 -q 10.70.0.1

t_done
