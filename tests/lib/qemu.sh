# SPDX-License-Identifier: Apache-2.0
# Real QEMU guests on vhost-user for functional tests (recipe: shared TESTING.md): TCG,
# memfd shared memory, MSI-X off (vectors=0), the busybox guest of tests/guest/mkguest.sh.
# The serial console is a pair of FIFOs: commands go in, a reader appends all output to
# console.log, and qemu_run finds a command's output and exit status between two markers.
# A QMP socket per guest serves 'migrate' and friends.  Needs common.sh (sourced first).

QEMU=${QEMU:-qemu-system-x86_64}
declare -A QEMU_DIR=()
_qemu_kernel=
_qemu_initrd=

# qemu_image: builds (or finds cached) the guest image; sets _qemu_kernel/_qemu_initrd.
qemu_image() {
	[ -n "$_qemu_initrd" ] && return 0
	local out
	out=$("$DVS_SRC/tests/guest/mkguest.sh" "${DVS_GUEST_DIR:-$DVS_BUILD/guest}") ||
		fail "could not build the guest image (tests/guest/mkguest.sh)"
	_qemu_kernel=$(sed -n 1p <<<"$out")
	_qemu_initrd=$(sed -n 2p <<<"$out")
}

# qemu_start NAME --sock PATH --mac MAC [--ip CIDR] [--gw IP] [--mtu N] [--server|--client]
#            [--reconnect S] [--queues N] [--mem MB] [--incoming URI] [--cpu CPU]
#   --server (default): QEMU owns the vhost-user socket and the switch connects to it (switch
#   port in client mode).  QEMU then waits, before booting, until the switch has connected.
#   --client: QEMU connects to the switch's socket, which must exist.  --reconnect S: retry.
#   --incoming URI: a migration destination (e.g. tcp:127.0.0.1:4444); do not wait for boot.
#   --cpu CPU: pin QEMU to that host CPU (taskset), so it does not sit on a poll core.
#   --no-guest-announce: virtio-net without VIRTIO_NET_F_GUEST_ANNOUNCE, so that after a live
#   migration QEMU itself announces the guest (VHOST_USER_SEND_RARP to the switch) at the
#   resume, instead of asking the guest driver to send its own announcement.
# Returns at once; use qemu_wait_boot.  QEMU is killed at exit.
qemu_start() {
	local name=$1; shift
	local sock= mac= ip= gw= mtu= server=1 reconnect= queues=1 mem=256 incoming= cpu= announce=on
	while [ $# -gt 0 ]; do
		case "$1" in
		--sock) sock=$2; shift ;;
		--mac) mac=$2; shift ;;
		--ip) ip=$2; shift ;;
		--gw) gw=$2; shift ;;
		--mtu) mtu=$2; shift ;;
		--server) server=1 ;;
		--client) server=0 ;;
		--reconnect) reconnect=$2; shift ;;
		--queues) queues=$2; shift ;;
		--mem) mem=$2; shift ;;
		--incoming) incoming=$2; shift ;;
		--cpu) cpu=$2; shift ;;
		--no-guest-announce) announce=off ;;
		*) fail "qemu_start: unknown option $1" ;;
		esac
		shift
	done
	[ -n "$sock" ] && [ -n "$mac" ] || fail "qemu_start $name: --sock and --mac are required"
	qemu_image
	local d
	tmpdir_new d
	QEMU_DIR[$name]=$d
	echo 0 >"$d/seq"
	mkfifo "$d/console.in" "$d/console.out"
	# Holder: keeps console.in open both ways so writes never block, even if QEMU is gone.
	sleep 1000000 0<>"$d/console.in" &
	cleanup_push "kill $! 2>/dev/null"
	: >"$d/console.log"
	cat "$d/console.out" >>"$d/console.log" &
	echo $! >"$d/reader.pid"
	cleanup_push "kill $! 2>/dev/null"
	_dvs_logs+=("$d/console.log")

	local append="console=ttyS0 quiet panic=-1 dvs.name=$name"
	[ -n "$ip" ] && append+=" dvs.ip=$ip"
	[ -n "$gw" ] && append+=" dvs.gw=$gw"
	[ -n "$mtu" ] && append+=" dvs.mtu=$mtu"
	local chardev="socket,id=c0,path=$sock"
	[ "$server" = 1 ] && chardev+=",server=on,wait=off"
	[ -n "$reconnect" ] && [ "$server" = 0 ] && chardev+=",reconnect=$reconnect"
	local netdev="vhost-user,id=n0,chardev=c0"
	local device="virtio-net-pci,netdev=n0,mac=$mac,vectors=0,guest_announce=$announce"
	if [ "$queues" -gt 1 ]; then netdev+=",queues=$queues"; device+=",mq=on"; fi
	local cmd=("$QEMU" -name "$name" -accel tcg -smp 1 -m "$mem" -nodefaults -no-user-config
		-display none -no-reboot
		-object "memory-backend-memfd,id=mem,size=${mem}M,share=on" -numa node,memdev=mem
		-kernel "$_qemu_kernel" -initrd "$_qemu_initrd" -append "$append"
		-chardev "pipe,id=ser0,path=$d/console" -serial chardev:ser0
		-qmp "unix:$d/qmp.sock,server=on,wait=off"
		-chardev "$chardev" -netdev "$netdev" -device "$device")
	[ -n "$incoming" ] && cmd+=(-incoming "$incoming")
	[ -n "$cpu" ] && cmd=(taskset -c "$cpu" "${cmd[@]}")
	start_daemon "qemu-$name" "$d/qemu.log" "${cmd[@]}"
	echo "$DAEMON_PID" >"$d/pid"
}

qemu_alive() { daemon_alive "qemu-$1"; }
qemu_console_log() { echo "${QEMU_DIR[$1]}/console.log"; }
qemu_dir() { echo "${QEMU_DIR[$1]}"; }

# qemu_wait_boot NAME [TIMEOUT_S]: until the guest's init says it is ready (default 120 s:
# TCG on a shared 2-core machine is slow).
qemu_wait_boot() {
	local name=$1 timeout=${2:-120} d=${QEMU_DIR[$1]}
	if ! try_until "$timeout" "guest $name boots" _qemu_booted "$name"; then
		qemu_alive "$name" || fail "QEMU $name died: $(tail -n 3 "$d/qemu.log" | tr '\n' ' ')"
		fail "guest $name did not boot within ${timeout}s (console: $d/console.log)"
	fi
}
_qemu_booted() {
	qemu_alive "$1" && grep -aq '^DVS-GUEST-READY' "${QEMU_DIR[$1]}/console.log"
}

# qemu_run NAME CMD [TIMEOUT_S]: runs CMD (one line of shell) in the guest, prints its output
# (stdout and stderr, CRs stripped) and returns its exit status.  On timeout, prints what came
# so far and returns 124.  Markers are written so that the echo of the typed line does not
# match them (the shell echoes 'B""EGIN', the output reads 'BEGIN').
qemu_run() {
	local name=$1 cmd=$2 timeout=${3:-30}
	local d=${QEMU_DIR[$name]:-}
	[ -n "$d" ] || fail "qemu_run: no guest named '$name'"
	qemu_alive "$name" || fail "QEMU $name is not running (command '$cmd')"
	local n off
	n=$(($(cat "$d/seq") + 1))
	echo "$n" >"$d/seq"
	off=$(stat -c %s "$d/console.log")
	printf 'echo __TI_B""EGIN_%d__; %s; echo __TI_E""ND_%d_$?__\n' "$n" "$cmd" "$n" >"$d/console.in"
	local status=124
	if try_until "$timeout" "guest $name: $cmd" _qemu_has_end "$d" "$off" "$n"; then
		status=$(tail -c +"$((off + 1))" "$d/console.log" | tr -d '\r' |
			sed -n "s/^__TI_END_${n}_\([0-9]*\)__\$/\1/p" | head -1)
	fi
	tail -c +"$((off + 1))" "$d/console.log" | tr -d '\r' | awk -v b="__TI_BEGIN_${n}__" \
		-v e="^__TI_END_${n}_[0-9]+__\$" '
		$0 == b { on = 1; next }
		$0 ~ e { exit }
		on { print }'
	return "$status"
}
_qemu_has_end() {
	tail -c +"$(($2 + 1))" "$1/console.log" | tr -d '\r' | grep -aEq "^__TI_END_${3}_[0-9]+__\$"
}

# qemu_qmp NAME COMMAND [ARGUMENTS_JSON]: one QMP command; prints the "return" value as JSON.
qemu_qmp() {
	/usr/bin/python3 "$DVS_SRC/tests/lib/unix_rpc.py" --qmp "${QEMU_DIR[$1]}/qmp.sock" "${@:2}"
}

# qemu_stop NAME: QMP 'quit', then the PID if it lingers.
qemu_stop() {
	local name=$1 d=${QEMU_DIR[$1]:-}
	[ -n "$d" ] || return 0
	if qemu_alive "$name"; then
		qemu_qmp "$name" quit >/dev/null 2>&1 || true
	fi
	stop_daemon "qemu-$name" 5 || true
	kill "$(cat "$d/reader.pid")" 2>/dev/null || true
	unset "QEMU_DIR[$name]"
}

# qemu_migrate SRC URI [TIMEOUT_S]: live-migrates guest SRC to a destination QEMU started with
# 'qemu_start DST ... --incoming URI', waits for the end, and prints QMP's query-migrate
# result as JSON (status, total-time, downtime in ms).  Fails the test if migration fails.
qemu_migrate() {
	local name=$1 uri=$2 timeout=${3:-60} st
	qemu_qmp "$name" migrate "{\"uri\": \"$uri\"}" >/dev/null || fail "QMP migrate of $name to $uri refused"
	if ! try_until "$timeout" "migration of $name" _qemu_migration_done "$name"; then
		fail "migration of $name to $uri not finished after ${timeout}s: $(qemu_qmp "$name" query-migrate)"
	fi
	st=$(qemu_qmp "$name" query-migrate)
	[ "$(json_get "$st" "r.get('status')")" = completed ] || fail "migration of $name failed: $st"
	echo "$st"
}
_qemu_migration_done() {
	local s
	s=$(json_get "$(qemu_qmp "$1" query-migrate)" "r.get('status')") || return 1
	case "$s" in completed | failed | cancelled) return 0 ;; *) return 1 ;; esac
}
