#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# dvs-db over raw JSON-RPC: every method and operation, RFC error strings, locks, waits,
# monitors and bad input (tests/func/ovsdb/rpc_test.py).  No root needed.
set -euo pipefail
: "${DVS_BUILD:?}" "${DVS_SRC:?}"
here="$DVS_SRC/tests/func/ovsdb"
dir=$(mktemp -d /tmp/dbs-rpc.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
"$DVS_BUILD/ovsdb-lite/dvs-db" --remote="punix:$dir/db.sock" --schema="$here/test.ovsschema" \
	"$dir/db.json" 2>"$dir/log" &
pid=$!
if ! /usr/bin/python3 "$here/rpc_test.py" "$dir/db.sock"; then
	echo "--- dvs-db log"; cat "$dir/log"; exit 1
fi
kill -0 "$pid" || { echo "dvs-db died"; cat "$dir/log"; exit 1; }
kill "$pid"; wait "$pid" 2>/dev/null || true
# Busy polling is on by default, and its figures are logged at exit.
grep -q "serving database dbstest from .* (busy polling up to 100 us)" "$dir/log" ||
	{ echo "FAIL: no busy-polling line at start"; cat "$dir/log"; exit 1; }
grep -Eq "busy polling \(up to 100 us\): [0-9]+ polls found a request, [0-9]+ gave up; [0-9.]+ s polled" "$dir/log" ||
	{ echo "FAIL: no busy-polling figures at exit"; cat "$dir/log"; exit 1; }

# --busy-poll: bad values are refused with the reason, before anything is created.
for bad in abc -5 10001 "" 12us; do
	if "$DVS_BUILD/ovsdb-lite/dvs-db" --busy-poll="$bad" --schema="$here/test.ovsschema" \
		"$dir/bad.json" 2>"$dir/bad.log"; then
		echo "FAIL: --busy-poll=$bad accepted"; exit 1
	fi
	want="dvs-db: --busy-poll: \"$bad\" is not a number of microseconds from 0 to 10000"
	[ "$(cat "$dir/bad.log")" = "$want" ] || { echo "FAIL: --busy-poll=$bad: $(cat "$dir/bad.log")"; exit 1; }
	[ ! -e "$dir/bad.json" ] || { echo "FAIL: --busy-poll=$bad created the database"; exit 1; }
done
"$DVS_BUILD/ovsdb-lite/dvs-db" --help | grep -q -- "--busy-poll=USEC" || { echo "FAIL: --help lacks --busy-poll"; exit 1; }
echo "ok: --busy-poll refuses abc, -5, 10001, an empty value and 12us"

# A client that never reads: a small --max-backlog so the test stays short.
"$DVS_BUILD/ovsdb-lite/dvs-db" --remote="punix:$dir/db2.sock" --schema="$here/test.ovsschema" \
	--max-backlog=262144 --busy-poll=0 "$dir/db2.json" 2>"$dir/log2" &
pid=$!
if ! /usr/bin/python3 "$here/stuck_test.py" "$dir/db2.sock" "$dir/log2"; then
	echo "--- dvs-db log"; cat "$dir/log2"; exit 1
fi
