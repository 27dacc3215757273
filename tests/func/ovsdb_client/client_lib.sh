#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Functional tests of the ovsdb-lite client library (ovsdb-lite/client) and of the DVS schema
# against a real OVSDB server: connect, transact, conditional monitors (and the plain-monitor
# fallback), reconnect with resync after a restart with changes made meanwhile, bounded backoff.
# Sourced by client_ovs.sh (OVS's ovsdb-server) and client_dvs.sh (dvs-db) with DBC_SERVER set.
# Everything lives in a private temp dir; the server is killed by pid on exit.
set -euo pipefail

SRC=${DVS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
BUILD=${DVS_BUILD:-$SRC/build}
SCHEMA=$SRC/schema/dvs.ovsschema
DRIVER=$BUILD/ovsdb-lite/client/ovsdb_client_driver

# ---- hook mode: the driver calls "$DBC_HOOK start|start-admin|stop" ----
server_start() { # $1: "all" (client + admin socket) or "admin"
  local remotes=(--remote=punix:"$DBC_DIR/admin.sock")
  [ "$1" = all ] && remotes+=(--remote=punix:"$DBC_DIR/db.sock")
  case "$DBC_SERVER" in
  ovs)
    ovsdb-server "${remotes[@]}" --pidfile="$DBC_DIR/server.pid" --unixctl="$DBC_DIR/ctl" \
      --log-file="$DBC_DIR/server.log" --detach --no-chdir "$DBC_DIR/db" ;;
  dvs)
    "$DBC_DVSDB" "${remotes[@]}" "$DBC_DIR/db" >>"$DBC_DIR/server.log" 2>&1 &
    echo $! >"$DBC_DIR/server.pid" ;;
  esac
  for _ in $(seq 100); do
    [ -S "$DBC_DIR/admin.sock" ] && { [ "$1" = admin ] || [ -S "$DBC_DIR/db.sock" ]; } && return 0
    sleep 0.05
  done
  echo "server did not come up; log:" >&2; tail -20 "$DBC_DIR/server.log" >&2; return 1
}

server_stop() {
  local pid
  [ -f "$DBC_DIR/server.pid" ] || return 0
  pid=$(cat "$DBC_DIR/server.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$DBC_DIR/server.pid" "$DBC_DIR/db.sock" "$DBC_DIR/admin.sock"
}

if [ "${1:-}" = __hook ]; then
  case "$2" in
  start) server_start all ;;
  start-admin) server_start admin ;;
  stop) server_stop ;;
  *) echo "bad hook $2" >&2; exit 2 ;;
  esac
  exit 0
fi

# ---- test mode ----
[ -x "$DRIVER" ] || { echo "missing $DRIVER (build first)"; exit 1; }
case "$DBC_SERVER" in
ovs) command -v ovsdb-server >/dev/null || { echo "SKIP: ovsdb-server not installed"; exit 77; } ;;
dvs) export DBC_DVSDB=$BUILD/ovsdb-lite/dvs-db
     [ -x "$DBC_DVSDB" ] || { echo "SKIP: $DBC_DVSDB not built"; exit 77; } ;;
*) echo "DBC_SERVER must be ovs or dvs"; exit 2 ;;
esac

DBC_DIR=$(mktemp -d /tmp/dbc-func.XXXXXX)
export DBC_DIR DBC_SERVER
export DBC_HOOK="bash ${BASH_SOURCE[0]} __hook"
cleanup() { server_stop; rm -rf "$DBC_DIR"; }
trap cleanup EXIT

echo "== schema is valid for standard tooling"
if [ "$DBC_SERVER" = ovs ]; then
  ovsdb-tool create "$DBC_DIR/db" "$SCHEMA"
  [ "$(ovsdb-tool schema-name "$SCHEMA")" = DVS ]
  echo "ok: ovsdb-tool accepts schema/dvs.ovsschema, version $(ovsdb-tool schema-version "$SCHEMA")"
else
  "$DBC_DVSDB" --create --schema "$SCHEMA" "$DBC_DIR/db" >>"$DBC_DIR/server.log" 2>&1
fi
server_start all
if command -v ovsdb-client >/dev/null; then
  ovsdb-client get-schema unix:"$DBC_DIR/db.sock" DVS >"$DBC_DIR/schema.out"
  grep -q '"PortGroup"' "$DBC_DIR/schema.out"
  echo "ok: ovsdb-client get-schema over the server's socket"
fi

rc=0
# DBC_SCENARIOS picks scenarios; DBC_WRAP runs the driver under a tool (e.g. "valgrind -q
# --leak-check=full --error-exitcode=9").
for sc in ${DBC_SCENARIOS:-basic cond cond-plain resync backoff}; do
  echo "== $sc"
  if ! timeout 120 ${DBC_WRAP:-} "$DRIVER" "$sc" unix:"$DBC_DIR/db.sock" unix:"$DBC_DIR/admin.sock"; then
    echo "FAILED: scenario $sc ($DBC_SERVER)"; rc=1
    tail -5 "$DBC_DIR/server.log" || true
  fi
  # A scenario may leave the server stopped (backoff restarts it); make sure it is up.
  [ -S "$DBC_DIR/db.sock" ] || server_start all
done
echo "== probe"
timeout 30 ${DBC_WRAP:-} "$DRIVER" probe "$DBC_DIR/silent.sock" || { echo "FAILED: scenario probe"; rc=1; }
exit $rc
