#!/bin/sh
# host-guard.sh SCRIPT [ARGS...]: run one test script, then fail it if the host
# changed under it. The tests run as root; a runtime bug (a sysctl written
# outside the container's namespace, a chown of a host device node, a hostname
# set without a UTS namespace) would otherwise pass silently and hurt the host.
# What is compared: owner, group and mode of the host's device nodes the
# runtime bind-mounts or creates, hostname and domainname, and the sysctls a
# container may ask for; and the wall clock against the boot clock (a container
# with CAP_SYS_TIME sets the host's time: CLOCK_REALTIME has no namespace).
# Prints each difference and exits 1 on any.
set -u
# clock_offset: the wall clock less the boot clock (/proc/uptime), in seconds: it
# stays put while time passes and moves when someone sets the time. The selftest
# (which must not set the host's clock either) gives a file whose number is read
# in place of the wall clock: HUSK_GUARD_WALL_CLOCK_FILE.
clock_offset() {
	if [ -n "${HUSK_GUARD_WALL_CLOCK_FILE:-}" ]; then
		wall=$(cat "$HUSK_GUARD_WALL_CLOCK_FILE")
	else
		wall=$(date +%s)
	fi
	read -r up _ </proc/uptime
	echo $((wall - ${up%.*}))
}
snapshot() {
	for d in /dev/null /dev/zero /dev/full /dev/tty /dev/ptmx /dev/random /dev/urandom; do
		[ -e "$d" ] && echo "$d $(stat -c '%u:%g %a %t:%T' "$d")"
	done
	echo "hostname $(cat /proc/sys/kernel/hostname)"
	echo "domainname $(cat /proc/sys/kernel/domainname)"
	for k in /proc/sys/fs/mqueue/* /proc/sys/kernel/msg* /proc/sys/kernel/sem \
		/proc/sys/kernel/shm* /proc/sys/net/ipv4/ping_group_range \
		/proc/sys/net/ipv4/ip_forward /proc/sys/vm/swappiness; do
		[ -r "$k" ] && echo "${k#/proc/sys/} $(tr -s '\t ' ' ' <"$k")"
	done
}
# watchdog PID SECONDS: ctest's TIMEOUT ends a test with SIGKILL to its whole
# process tree (CMake 3.25 has no TIMEOUT_SIGNAL_NAME), so no EXIT trap runs and
# a detached container, shim or daemon outlives it. HUSK_TEST_TIMEOUT (ctest's
# less a minute, tests/CMakeLists.txt) comes first: SIGTERM to the script, whose
# trap (checks.sh) exits and runs its EXIT trap; if a foreground command holds
# the trap up, SIGTERM to the script's own children after 10 s; SIGKILL after 30.
watchdog() {
	n=0
	while [ $n -lt "$2" ]; do sleep 1; kill -0 "$1" 2>/dev/null || exit 0; n=$((n + 1)); done
	echo "host-guard: still running after ${2}s: SIGTERM, so that its EXIT trap cleans up" >&3
	kill -TERM "$1" 2>/dev/null
	n=0
	while [ $n -lt 30 ]; do
		sleep 1
		kill -0 "$1" 2>/dev/null || exit 0
		n=$((n + 1))
		[ $n = 10 ] && pkill -TERM -P "$1"
	done
	kill -KILL "$1" 2>/dev/null
}
[ $# -ge 1 ] || { echo "usage: host-guard.sh SCRIPT [ARGS...]" >&2; exit 2; }
before=$(snapshot)
clock_before=$(clock_offset)
# in the background, so that the watchdog and our own traps can signal it (an
# asynchronous list ignores SIGINT: ^C and HUP come to it as SIGTERM from here)
sh "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null' INT TERM HUP
dog=""
if [ "${HUSK_TEST_TIMEOUT:-0}" -gt 0 ]; then
	# (its say on fd 3; its shell's own stderr nowhere: stopping its sleep below
	# would make it print "Terminated")
	watchdog "$pid" "$HUSK_TEST_TIMEOUT" 3>&2 2>/dev/null &
	dog=$!
fi
while :; do
	wait "$pid"
	rc=$?
	# a trapped signal ends the wait early: wait again while it runs
	kill -0 "$pid" 2>/dev/null || break
done
# (and if it ended just after the signal, its own status; 127: already reaped)
if [ $rc -gt 128 ]; then
	wait "$pid" 2>/dev/null
	r=$?
	[ $r = 127 ] || rc=$r
fi
if [ -n "$dog" ]; then
	pkill -P "$dog" 2>/dev/null
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
fi
after=$(snapshot)
# more than 2 s: the two reads are a second apart at most, and NTP slews
moved=$(($(clock_offset) - clock_before))
if [ "$moved" -gt 2 ] || [ "$moved" -lt -2 ]; then
	echo "host-guard: $1 changed the host: the wall clock moved by $moved s against the boot clock"
	echo "0 passed, 1 failed"
	exit 1
fi
if [ "$before" != "$after" ]; then
	echo "host-guard: $1 changed the host:"
	printf '%s\n' "$before" >"${TMPDIR:-/tmp}/host-guard.$$.a"
	printf '%s\n' "$after" >"${TMPDIR:-/tmp}/host-guard.$$.b"
	diff "${TMPDIR:-/tmp}/host-guard.$$.a" "${TMPDIR:-/tmp}/host-guard.$$.b" | sed -n 's/^[<>]/  &/p'
	rm -f "${TMPDIR:-/tmp}/host-guard.$$.a" "${TMPDIR:-/tmp}/host-guard.$$.b"
	echo "0 passed, 1 failed"
	exit 1
fi
exit $rc
