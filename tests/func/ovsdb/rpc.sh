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

# A client that never reads: a small --max-backlog so the test stays short.
"$DVS_BUILD/ovsdb-lite/dvs-db" --remote="punix:$dir/db2.sock" --schema="$here/test.ovsschema" \
	--max-backlog=262144 "$dir/db2.json" 2>"$dir/log2" &
pid=$!
if ! /usr/bin/python3 "$here/stuck_test.py" "$dir/db2.sock" "$dir/log2"; then
	echo "--- dvs-db log"; cat "$dir/log2"; exit 1
fi
