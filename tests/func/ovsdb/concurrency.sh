#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# dvs-db: 20 monitors (16 plain, 4 conditional) while 4 clients write; each monitor sees
# every change in order (tests/func/ovsdb/concurrency_test.py).  No root needed.
set -euo pipefail
: "${DVS_BUILD:?}" "${DVS_SRC:?}"
here="$DVS_SRC/tests/func/ovsdb"
dir=$(mktemp -d /tmp/dbs-conc.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
"$DVS_BUILD/ovsdb-lite/dvs-db" --remote="punix:$dir/db.sock" --schema="$here/test.ovsschema" \
	"$dir/db.json" 2>"$dir/log" &
pid=$!
if ! /usr/bin/python3 "$here/concurrency_test.py" "$dir/db.sock"; then
	echo "--- dvs-db log"; cat "$dir/log"; exit 1
fi
