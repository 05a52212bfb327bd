#!/bin/sh
# The suite's own machinery (docs/testing.md), on throwaway scripts:
# - host-guard's deadline: a script past HUSK_TEST_TIMEOUT gets SIGTERM and its
#   EXIT trap runs (ctest's own TIMEOUT would SIGKILL the whole tree, trap and
#   all), also when a foreground command holds the trap up; what it detached is
#   gone, and the test fails;
# - the shim harness's deadline: its shim removes its container before the test exits;
# - leftovers.sh: a process of the run (by its variable, by its mark in the
#   command line) is found, named, stopped, and fails the check; a clean run passes.
# Runs as root like the other script tests; about 30 s (minutes on a loaded machine).
set -u
. "$(dirname "$0")/checks.sh"
LIB=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d --suffix=.husk-self)
# a run of our own, not the run this test belongs to
FAKE=$(( ($$ + 450000) % 900000 + 100000 ))
# gone PID: no such process, or a zombie (killed, its parent not yet waiting)
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
trap 'for p in $(cat "$T"/*.pid 2>/dev/null); do kill -9 "$p" 2>/dev/null; done; rm -f "$T"/*; rmdir "$T"' EXIT

# --- the deadline: a script that detaches a process, then blocks in the foreground
cat >"$T/victim.sh" <<EOF
. "$LIB/checks.sh"
setsid sleep \$LONG </dev/null >/dev/null 2>&1 &
echo \$! >"$T/detached.pid"
trap 'kill \$(cat "$T/detached.pid"); echo trap-ran >"$T/trap"' EXIT
sleep \$LONG2
EOF
t0=$(date +%s)
HUSK_TEST_RUN=$FAKE HUSK_TEST_TIMEOUT=2 timeout 90 sh "$LIB/host-guard.sh" "$T/victim.sh" >"$T/out" 2>&1
rc=$?
took=$(($(date +%s) - t0))
check "a script past its deadline fails (status $rc)" [ "$rc" != 0 ] && [ "$rc" != 124 ]
# (the slack is wide: seconds count double on a loaded 2-core machine)
check "within the watchdog's 2 + 10 s (and slack), not the outer limit of 90 ($took s)" [ "$took" -le 60 ]
expect_eq "its EXIT trap ran" "$(cat "$T/trap" 2>/dev/null)" trap-ran
pid=$(cat "$T/detached.pid" 2>/dev/null)
check "what it detached is gone" eval "[ -n '$pid' ] && gone '$pid'"
expect_match "host-guard says why" "$(cat "$T/out")" "still running after 2s"

# --- a script within its deadline is left alone
printf '. "%s/checks.sh"\nsleep 1\nexit 0\n' "$LIB" >"$T/quick.sh"
HUSK_TEST_RUN=$FAKE HUSK_TEST_TIMEOUT=30 timeout 60 sh "$LIB/host-guard.sh" "$T/quick.sh" >"$T/out" 2>&1
expect_eq "a script within its deadline keeps its status" "$?" 0

# --- the clock: a script during which the wall clock jumps (a file stands in for
# the wall clock: the suite must not set the host's), and one during which it runs on
date +%s >"$T/wall"
printf 'echo $(($(cat "%s") - 3600)) >"%s"\n' "$T/wall" "$T/wall" >"$T/clock.sh"
HUSK_GUARD_WALL_CLOCK_FILE=$T/wall timeout 60 sh "$LIB/host-guard.sh" "$T/clock.sh" >"$T/out" 2>&1
expect_eq "a script during which the clock was set back an hour fails" "$?" 1
# (-3601 too: the file's second and /proc/uptime's are read a moment apart, each truncated)
expect_match "host-guard says so" "$(cat "$T/out")" "the wall clock moved by -360[01] s"
date +%s >"$T/wall"
printf 'sleep 1; echo $(($(cat "%s") + 1)) >"%s"\n' "$T/wall" "$T/wall" >"$T/clock.sh"
HUSK_GUARD_WALL_CLOCK_FILE=$T/wall timeout 60 sh "$LIB/host-guard.sh" "$T/clock.sh" >"$T/out" 2>&1
expect_eq "a script during which the clock just ran passes" "$?" 0

# --- the shim harness's deadline (tests/shim/harness.c): past HUSK_TEST_TIMEOUT the
# C test stops its shim with SIGTERM, so the shim removes its container (ctest's
# TIMEOUT would SIGKILL shim and container, leaving their state), and exits 1.
# HUSK_TEST_TIMEOUT arms it: 4 s, wherever the test is by then
t0=$(date +%s)
HUSK_TEST_TIMEOUT=4 timeout 60 "$HUSK_BUILD/test_shim_rpc" >"$T/out" 2>&1
rc=$?
took=$(($(date +%s) - t0))
expect_eq "shim harness past its deadline: exit 1" "$rc" 1
# (not ctest's TIMEOUT; slack for a shim under ASan on a loaded machine)
check "within the deadline and the shim's 10 s, and slack ($took s)" [ "$took" -le 45 ]
expect_match "it says why" "$(cat "$T/out")" "past HUSK_TEST_TIMEOUT"
# and at a moment its shim surely has a container: the deadline's signal
# (SIGALRM) sent once the 1000 execs' container runs, not after a fixed 4 s
# (which under load can pass before the first shim is even up)
HUSK_TEST_TIMEOUT=600 SHIM_TEST=test_1000_execs "$HUSK_BUILD/test_shim_rpc" >"$T/out" 2>&1 &
hpid=$!
echo $hpid >"$T/harness.pid"
# has_container: the harness's shim (its child, -root DIR) holds a container there
has_container() {
	for c in $(cat /proc/$hpid/task/*/children 2>/dev/null); do
		r=$(tr '\0' '\n' <"/proc/$c/cmdline" 2>/dev/null | grep -A1 -x -- -root | tail -1)
		[ -n "$r" ] && ls "$r"/*/state.json >/dev/null 2>&1 && return 0
	done
	return 1
}
wait_until 120 has_container || not_ok "the harness's shim had no container in 120 s"
kill -ALRM $hpid
wait $hpid
expect_eq "shim harness at its deadline with a container: exit 1" "$?" 1
expect_match "it says why" "$(cat "$T/out")" "past HUSK_TEST_TIMEOUT"
dir=$(sed -n 's/^--- left for inspection: //p' "$T/out" | tail -1)
check "it names its temp dir ($dir)" [ -n "$dir" ] && [ -d "$dir/root" ]
[ -n "$dir" ] && expect_eq "the shim removed its container: no state under its root" "$(ls -A "$dir/root" 2>/dev/null)" ""
if [ -n "$dir" ]; then
	expect_eq "and no process of it is left (its bundle)" "$(pgrep -f "$dir/" | tr '\n' ' ')" ""
	case $dir in /tmp/husk-shimtest.*)
		find "$dir" -mount -depth \( -type f -o -type l -o -type p -o -type s \) -delete
		find "$dir" -mount -depth -type d -empty -delete ;;
	esac
fi

# --- leftovers.sh
HUSK_TEST_RUN=$FAKE HUSK_LEFTOVERS_GRACE=1 sh "$LIB/leftovers.sh" >"$T/out" 2>&1
expect_eq "no process of a run: leftovers passes" "$?" 0
HUSK_TEST_RUN=$FAKE setsid sleep 600 </dev/null >/dev/null 2>&1 &
echo $! >"$T/env.pid"
setsid sleep "1${FAKE}0000001" </dev/null >/dev/null 2>&1 &
echo $! >"$T/mark.pid"
HUSK_TEST_RUN=$FAKE HUSK_LEFTOVERS_GRACE=1 sh "$LIB/leftovers.sh" >"$T/out" 2>&1
expect_eq "a process of the run left: leftovers fails" "$?" 1
expect_match "and names the one with the run's variable" "$(cat "$T/out")" "^  $(cat "$T/env.pid"): sleep 600"
expect_match "and the one with the run's mark" "$(cat "$T/out")" "^  $(cat "$T/mark.pid"): sleep 1${FAKE}0000001"
# (SIGKILL is delivered asynchronously: gone within 30 s, not after a fixed time)
check "and stops them" wait_until 30 eval "gone $(cat "$T/env.pid") && gone $(cat "$T/mark.pid")"
finish
