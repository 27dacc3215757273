#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# systemd-analyze verify of dvs-db.service, dvs-controller.service and dvs-switchd.service, with ExecStart
# pointed at the build tree (verify checks that the binaries exist).  No root needed.
source "$(dirname "$0")/../../lib/common.sh"
require_cmd systemd-analyze

dir=$(mktemp -d /tmp/ctr-units.XXXXXX)
cleanup_push "rm -rf '$dir'"
for unit in dvs-db dvs-controller dvs-switchd; do
	sed -e "s#/usr/sbin/dvs-db#$DVS_BUILD/ovsdb-lite/dvs-db#" \
	    -e "s#/usr/sbin/dvs-controller#$DVS_BUILD/controller/dvs-controller#" \
	    -e "s#/usr/sbin/dvs-switchd#$DVS_BUILD/datapath/dvs-switchd#" \
	    "$DVS_SRC/systemd/$unit.service" >"$dir/$unit.service"
	out=$(cd "$dir" && systemd-analyze verify "./$unit.service" 2>&1) && rc=0 || rc=$?
	# Units it refers to (network-online.target, dvs-db.service) may not be installed here.
	out=$(printf '%s\n' "$out" | grep -v -e "^$" -e "not found" -e "Failed to load" || true)
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		pass "$unit.service: systemd-analyze verify clean"
	else
		check_fail "$unit.service: systemd-analyze verify (rc $rc): $out"
	fi
	grep -q "^Type=notify" "$DVS_SRC/systemd/$unit.service" && pass "$unit.service is Type=notify" || check_fail "$unit.service not Type=notify"
	grep -q "^Restart=on-failure" "$DVS_SRC/systemd/$unit.service" && pass "$unit.service restarts on failure" || check_fail "$unit.service: no Restart=on-failure"
done

# READY=1 from the controller once synchronised: a fake NOTIFY_SOCKET.
SOCK=$dir/db.sock
start_daemon db "$dir/db.log" "$DVS_BUILD/ovsdb-lite/dvs-db" --remote="punix:$SOCK" --schema="$DVS_SRC/schema/dvs.ovsschema" "$dir/dvs.db"
wait_until 5 "dvs-db socket" test -S "$SOCK"
/usr/bin/python3 - "$dir/notify.sock" "$dir/notify.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(10)
try:
    data = s.recv(4096)
    open(sys.argv[2], "wb").write(data)
except socket.timeout:
    pass
PY
LISTENER=$!
cleanup_push "kill $LISTENER"
wait_until 5 "notify listener" test -S "$dir/notify.sock"
NOTIFY_SOCKET=$dir/notify.sock start_daemon ctl "$dir/ctl.log" "$DVS_BUILD/controller/dvs-controller" --db="unix:$SOCK" --name=ctr-u
wait_until 5 "READY=1" grep -q "READY=1" "$dir/notify.out"
pass "dvs-controller sends READY=1 to \$NOTIFY_SOCKET once synchronised"
finish
