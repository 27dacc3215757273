#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# dvs-db durability: kill -9 under concurrent writers (acknowledged = present), torn and
# corrupted journal tails, compaction (tests/func/ovsdb/durability_test.py).  No root needed.
set -euo pipefail
: "${DVS_BUILD:?}" "${DVS_SRC:?}"
here="$DVS_SRC/tests/func/ovsdb"
dir=$(mktemp -d /tmp/dbs-dur.XXXXXX)
cleanup() {
	# The test starts dvs-db itself and records each pid in $dir/pids.
	[ -f "$dir/pids" ] && while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$dir/pids"
	rm -rf "$dir"
}
trap cleanup EXIT
if ! /usr/bin/python3 "$here/durability_test.py" "$DVS_BUILD" "$dir" "$here/test.ovsschema"; then
	echo "--- dvs-db log"; tail -30 "$dir/log"; exit 1
fi
