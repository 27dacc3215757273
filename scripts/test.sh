#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's test command: sets the machine up (scripts/setup.sh), builds, and runs every
# suite fit for CI: unit (also under ASan+UBSan), bpf and func (root).  Slow suites (e2e,
# bench) are opt-in: DVS_TEST_SUITES="unit func bpf e2e" scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-}"

bash scripts/setup.sh || { echo "test: setup failed"; exit 1; }

suites=${DVS_TEST_SUITES:-"unit bpf func"}
pass=0 fail=0
failed=()

run_suite() { # build-dir suite
	local dir=$1 suite=$2 log
	log=$(mktemp)
	echo "=== suite $suite ($dir)"
	meson test -C "$dir" --suite "$suite" --print-errorlogs --num-processes 1 >"$log" 2>&1
	local rc=$?
	grep -E '^ *[0-9]+/[0-9]+ ' "$log"
	local ok nok
	ok=$(grep -cE '^ *[0-9]+/[0-9]+ .* OK ' "$log")
	# meson lists a failed test again under "Summary of Failures": count each once.
	nok=$(grep -E '^ *[0-9]+/[0-9]+ .* (FAIL|TIMEOUT|ERROR)' "$log" | sort -u | wc -l)
	pass=$((pass + ok)); fail=$((fail + nok))
	if [ $rc -ne 0 ] || [ "$nok" -ne 0 ]; then
		failed+=("$suite@$dir")
		sed -n '/^=* [0-9]*\/[0-9]* /,$p' "$log" | grep -vE '^ *[0-9]+/[0-9]+ .* OK ' | tail -150
	fi
	rm -f "$log"
}

for s in $suites; do
	run_suite build "$s"
done

# The unit suite once more under AddressSanitizer + UndefinedBehaviorSanitizer.
if [[ " $suites " == *" unit "* ]]; then
	if [ ! -f build-asan/build.ninja ]; then
		meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
			-Dfunc_tests=false ${CI:+-Dwerror=true} >/dev/null || { echo "test: asan setup failed"; exit 1; }
	fi
	if ninja -C build-asan >/tmp/dvs-asan-build.log 2>&1; then
		ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			run_suite build-asan unit
	else
		tail -30 /tmp/dvs-asan-build.log; fail=$((fail + 1)); failed+=("asan-build")
	fi
fi

echo
[ ${#failed[@]} -eq 0 ] || echo "failed suites: ${failed[*]}"
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ ${#failed[@]} -eq 0 ]
