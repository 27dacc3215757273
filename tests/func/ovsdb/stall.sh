#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# dvs-db stays responsive under the load that once stalled it for seconds: 20k rows, 20
# monitors of the whole table (one re-subscribing every 100 ms once it has the last initial
# contents, as reconnecting clients do),
# one monitor that never reads, 8 writers committing durably back to back, and a compaction
# every second.  A separate prober sends an "echo" every 10 ms.  Before the fix (requests
# handled without a per-iteration budget, monitor replies built as jansson trees) an echo
# waited 1.6-2.9 s, a transaction 3.0 s, and the writers got 400-500 transactions in 5 s;
# after it, 0.1-0.9 s (the longest at the start, while the 20 initial replies are built),
# 0.11-0.17 s and 12-19k transactions.
# Fails if an echo or a transaction waits longer than the bounds below.  No root needed.
# env: ECHO_MAX_MS (default 1500), TXN_MAX_MS (default 1000), DVSDB (server binary).
set -euo pipefail
: "${DVS_BUILD:?}" "${DVS_SRC:?}"
echo_max_ms=${ECHO_MAX_MS:-1500} txn_max_ms=${TXN_MAX_MS:-1000}
dvsdb=${DVSDB:-$DVS_BUILD/ovsdb-lite/dvs-db}
lg="$DVS_BUILD/ovsdb-lite/dvs-db-loadgen"
dir=$(mktemp -d /tmp/dbs-stall.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
"$dvsdb" --remote="punix:$dir/db.sock" --schema="$DVS_SRC/bench/ovsdb/bench.ovsschema" "$dir/db" 2>"$dir/log" &
pid=$!
for _ in $(seq 100); do [ -S "$dir/db.sock" ] && break; sleep 0.05; done
"$lg" load "$dir/db.sock" 20000 1000
out=$("$lg" stall "$dir/db.sock" 5 8 20 1000) || { echo "FAIL: loadgen: $out"; cat "$dir/log"; exit 1; }
echo "$out"
field() { echo "$out" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
fail=0
[ "$(field errors)" = 0 ] || { echo "FAIL: transaction errors"; fail=1; }
[ "$(field echo_n)" -ge 100 ] || { echo "FAIL: only $(field echo_n) echo round trips in 5 s"; fail=1; }
# The re-subscriber waits for each initial contents before asking again (up to 50 in 5 s).
[ "$(field resubscribed)" -ge 10 ] || { echo "FAIL: only $(field resubscribed) re-subscriptions in 5 s"; fail=1; }
[ "$(field echo_max_us)" -le $((echo_max_ms * 1000)) ] ||
	{ echo "FAIL: an echo waited $(($(field echo_max_us) / 1000)) ms (bound $echo_max_ms ms)"; fail=1; }
[ "$(field txn_max_us)" -le $((txn_max_ms * 1000)) ] ||
	{ echo "FAIL: a transaction waited $(($(field txn_max_us) / 1000)) ms (bound $txn_max_ms ms)"; fail=1; }
grep -q "compacted" "$dir/log" || { echo "FAIL: no compaction happened"; fail=1; }
if [ $fail != 0 ]; then
	echo "--- dvs-db log"; tail -n 20 "$dir/log"; exit 1
fi
echo "PASS: echo max $(($(field echo_max_us) / 1000)) ms, transaction max $(($(field txn_max_us) / 1000)) ms"
