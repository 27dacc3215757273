# SPDX-License-Identifier: Apache-2.0
# try_until TIMEOUT_S WHAT CMD...: polls CMD (output discarded) until it succeeds; returns 1 if
# it has not within TIMEOUT_S.  WHAT names the wait for the callers' wait_until, which fails the
# test with it.  The verdict is that of a check begun at or after the deadline: one that began
# before it and returned after it (a slow command on a loaded machine) may have looked at the
# state from before the deadline, so one more is made.  Shared by tests/lib/common.sh and
# tests/func/lib_switchd.sh, whose wait_until differ only in how they fail.
try_until() {
	local timeout=$1 deadline began
	shift 2
	deadline=$((SECONDS + timeout))
	while :; do
		began=$SECONDS
		if "$@" >/dev/null 2>&1; then return 0; fi
		[ "$began" -lt "$deadline" ] || return 1
		sleep "${TRY_UNTIL_STEP:-0.1}"
	done
}
