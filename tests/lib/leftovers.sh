#!/bin/sh
# leftovers.sh: the last test of a run (ctest fixture husk_run's cleanup, so it
# follows any subset of the script and shim tests): no process of this run is
# left. A process of the run is one that inherited HUSK_TEST_RUN=<run> (all a
# test starts on the host: husk, shims, daemons, helpers) or has the run's mark
# in its command line (a container's long-running command: checks.sh's $LONG).
# Each one found is named, with its test's mark, then killed (it is ours), and
# the test fails: some test's cleanup missed it.
set -u
run=${HUSK_TEST_RUN:?ctest sets HUSK_TEST_RUN}
case $run in [1-9][0-9][0-9][0-9][0-9][0-9]) ;; *) echo "bad HUSK_TEST_RUN '$run'"; exit 2 ;; esac
me=$$

# mine PID: PID is this script or under it (its subshells, tr, grep carry the variable too)
mine() {
	p=$1
	while [ -n "$p" ] && [ "$p" -gt 1 ]; do
		[ "$p" = "$me" ] && return 0
		p=$(sed 's/.*) [A-Za-z] \([0-9]*\) .*/\1/' "/proc/$p/stat" 2>/dev/null)
	done
	return 1
}

# ours PID: prints the process if it is one of the run's
ours() {
	cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
	[ -n "$cmd" ] || return 1 # a kernel thread, or gone
	printf '%s\n' "$cmd" | grep -Eq "(^|[^0-9])[1-9]$run[0-9]{7}([^0-9]|\$)" ||
		tr '\0' '\n' 2>/dev/null <"/proc/$1/environ" | grep -qx "HUSK_TEST_RUN=$run" || return 1
	mine "$1" && return 1
	echo "$1: $cmd"
}
scan() {
	for d in /proc/[0-9]*; do ours "${d#/proc/}"; done
}

# a killed process may be on its way out for a while on a loaded machine:
# HUSK_LEFTOVERS_GRACE seconds of wall clock (30; the selftest's planted ones
# never go), not a count of scans: one scan forks per process, seconds under load
left=""
until=$(($(date +%s) + ${HUSK_LEFTOVERS_GRACE:-30}))
while :; do
	left=$(scan)
	[ -z "$left" ] && break
	[ "$(date +%s)" -lt "$until" ] || break
	sleep 0.5
done
if [ -z "$left" ]; then
	echo "ok - no process of run $run is left"
	echo "1 passed, 0 failed"
	exit 0
fi
echo "not ok - processes of run $run are left (pid: command line):"
printf '%s\n' "$left" | sed 's/^/  /'
# theirs, so ours to stop: the next run must not inherit them
for p in $(printf '%s\n' "$left" | cut -d: -f1); do kill -KILL "$p" 2>/dev/null; done
echo "0 passed, 1 failed"
exit 1
