#!/bin/bash
# tests/vm/run.sh MODE [REGEX]: run, inside a VM of tools/vm, the tests tests/vm/tests.list
# gives MODE (v2 or systemd), optionally only those whose name matches REGEX. Each ctest
# test runs with its ctest command, environment and working directory, its timeout
# multiplied by HUSK_VM_SLOWDOWN (default 10: TCG is that much slower); a script runs with
# bash. Prints one line per test (status, wall time), the output of each failed test, and
# a count; exits 0 only if every selected test passed. HUSK_VM_RUN_VERBOSE=1 streams each
# test's output as it runs. The ctest entries vm/v2 and
# vm/systemd run it through tools/vm:
#   HUSK_BUILD=$PWD/build/plain tools/vm -- tests/vm/run.sh v2 'integration/exec'
set -u
# (one brace group: bash reads all of it before running any, so an edit of this file
# cannot break a run that is already going)
{
mode=${1:?usage: run.sh v2|systemd [REGEX]}
only=${2:-}
src=${HUSK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${HUSK_BUILD:?HUSK_BUILD must point at the build directory}
slow=${HUSK_VM_SLOWDOWN:-10}
export HUSK_SRC=$src HUSK_BUILD=$build
# the 1000-exec loops of t-exec and shim/rpc: 100 here (an exec costs ~0.5 s under TCG)
export HUSK_TEST_EXECS=${HUSK_TEST_EXECS:-100}
[ -n "${HUSK_VM:-}" ] || echo "run.sh: warning: not inside tools/vm (HUSK_VM unset)" >&2
work=$(mktemp -d /tmp/husk-vm-run.XXXXXX)
# run_test CMD...: run it with its output to $work/out (and streamed with
# HUSK_VM_RUN_VERBOSE=1; a file, not a pipe: a daemon a test leaves holding its
# stdout must not keep the run waiting); sets rc
run_test() {
	local p t=""
	: >"$work/out"
	"$@" >"$work/out" 2>&1 </dev/null &
	p=$!
	if [ "${HUSK_VM_RUN_VERBOSE:-0}" = 1 ]; then
		tail -n +1 -f --pid=$p "$work/out" &
		t=$!
	fi
	wait $p
	rc=$?
	[ -z "$t" ] || wait $t
}
trap 'rm -rf "$work"' EXIT
ctest --test-dir "$build" --show-only=json-v1 >"$work/tests.json" 2>"$work/ctest.err" ||
	{ echo "run.sh: ctest --show-only failed: $(cat "$work/ctest.err")"; exit 1; }

pass=0 fail=0 failed="" t_all=$(date +%s)
while read -r m name _; do
	case $m in '' | '#'*) continue ;; esac
	[ "$m" = "$mode" ] || continue
	[ -z "$only" ] || [[ $name =~ $only ]] || continue
	echo "RUN  $name"
	t0=$(date +%s)
	if [ -f "$src/tests/$name" ]; then
		run_test sh -c 'cd "$1/tests" && exec timeout -k 10 "$2" bash "$1/tests/$3"' _ "$src" $((300 * slow)) "$name"
	else
		t=$(jq -c --arg n "$name" '.tests[] | select(.name == $n)' "$work/tests.json")
		if [ -z "$t" ]; then
			echo "FAIL $name: no such ctest test or script in this build"
			fail=$((fail + 1)) failed="$failed $name"
			continue
		fi
		mapfile -t cmd < <(jq -r '.command[]' <<<"$t")
		mapfile -t envs < <(jq -r '.properties[]? | select(.name == "ENVIRONMENT") | .value[]' <<<"$t")
		# host-guard's own deadline (HUSK_TEST_TIMEOUT) stretches as the TIMEOUT does
		for i in "${!envs[@]}"; do
			case ${envs[$i]} in HUSK_TEST_TIMEOUT=*) envs[$i]=HUSK_TEST_TIMEOUT=$((${envs[$i]#*=} * slow)) ;; esac
		done
		dir=$(jq -r '(.properties[]? | select(.name == "WORKING_DIRECTORY") | .value) // empty' <<<"$t")
		tmo=$(jq -r '(.properties[]? | select(.name == "TIMEOUT") | .value) // 1500' <<<"$t")
		run_test sh -c 'cd "$1" && shift && exec "$@"' _ "${dir:-$build}" timeout -k 10 $((${tmo%.*} * slow)) env "${envs[@]}" "${cmd[@]}"
	fi
	t1=$(date +%s)
	if [ $rc = 0 ]; then
		echo "PASS $name ($((t1 - t0)) s)"
		pass=$((pass + 1))
	else
		echo "FAIL $name (exit $rc, $((t1 - t0)) s) -- its output:"
		sed 's/^/    /' "$work/out"
		fail=$((fail + 1)) failed="$failed $name"
	fi
done <"$src/tests/vm/tests.list"
echo "vm/$mode: $pass passed, $fail failed${failed:+ (}${failed# }${failed:+)} in $(($(date +%s) - t_all)) s (kernel $(uname -r), $(stat -f -c %T /sys/fs/cgroup))"
[ $fail = 0 ] && [ $pass -gt 0 ]
exit
}
