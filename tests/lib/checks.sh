# Shared by the integration and e2e tests: counted checks, process and tmux
# probes, and the summary. Sourced; a test ends with `finish`.
PASS=0
FAIL=0
# a killed test (ctest's timeout, ^C) still runs its EXIT trap, which stops
# what it started (daemons, shims, containers) and unmounts what it mounted
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
TEST_NAME=$(basename "$0" .sh)

# This run's marker (docs/testing.md, "Runs side by side"): ctest gives every test
# of one build dir the same HUSK_TEST_RUN, six digits (tests/CMakeLists.txt); a
# script started by hand makes its own. Every process a test starts on the host
# inherits it; a long-running command in a container shows it in its command line:
# `sleep $LONG` (`sleep $LONG2`, `$LONG3` for more kinds in one test, `sh -c '...' $LONG`
# for a loop), a kind digit, the run and this test's pid, 14 digits (some 3e5
# years: never reached). tests/lib/leftovers.sh, the last test of a run, fails on
# any process with either mark. Fixed width: no other test's or run's mark
# contains this one, so no_process "$LONG" speaks of this test alone.
case ${HUSK_TEST_RUN:-} in
[1-9][0-9][0-9][0-9][0-9][0-9]) ;;
*) HUSK_TEST_RUN=$(($$ % 900000 + 100000)) ;;
esac
export HUSK_TEST_RUN
LONG=1$HUSK_TEST_RUN$(printf %07d $$)
LONG2=2$HUSK_TEST_RUN$(printf %07d $$)
LONG3=3$HUSK_TEST_RUN$(printf %07d $$)

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }

# check DESC CMD...: passes when CMD succeeds
check() {
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; fi
}

# expect_match DESC TEXT PATTERN (grep -E)
expect_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then ok "$1"; else not_ok "$1: '$2' does not match /$3/"; fi
}

# no_process PATTERN: no process has PATTERN in its command line
no_process() {
	# matched in the shell: a grep here would match its own command line
	for c in /proc/[0-9]*/cmdline; do
		line=$(tr '\0' ' ' 2>/dev/null <"$c") || continue
		case $line in
		*"$1"*) echo "process left: $1 (${c%/cmdline})" >&2; return 1 ;;
		esac
	done
	return 0
}

# stop_naming TEXT: SIGKILL every process with TEXT in its command line (a
# cleanup's last resort for what a test detached: a shim started by `start`
# names the test's temp dir in -bundle, -root or -socket; the dir is the test's own)
stop_naming() {
	for c in /proc/[0-9]*/cmdline; do
		p=${c#/proc/}; p=${p%/cmdline}
		[ "$p" = $$ ] && continue
		line=$(tr '\0' ' ' 2>/dev/null <"$c") || continue
		case $line in *"$1"*) kill -9 "$p" 2>/dev/null ;; esac
	done
	return 0
}

# wait_until SECONDS CMD...: CMD succeeds within SECONDS (polled every 0.1 s;
# SECONDS counts polls, so a slow CMD only lengthens it). What a test waits for
# is a condition, never a fixed sleep: the suite runs on a loaded 2-core machine
# and under ASan, several times slower, where a sleep's guess runs short. The
# bound (30 s unless the thing is slow by nature) only matters when it is broken.
wait_until() {
	_n=$(($1 * 10))
	shift
	while [ $_n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# polling PID: the process is blocked in poll(2)/ppoll(2) now (its syscall, as
# /proc/PID/syscall shows it): a husk command that waits on what it opened
# (events, run's relay) has opened and registered it all by then
polling() {
	case $(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null) in 7 | 271) return 0 ;; esac
	return 1
}

# ended PID: the process has exited (gone, or a zombie its parent, maybe this
# shell, has not reaped yet: kill -0 still reaches a zombie)
ended() {
	case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) in "" | Z*) return 0 ;; esac
	return 1
}

# traps PID SIGNUM: PID is a shell running a `trap` command line (not the
# runtime's init before its execve) and has set its handler for SIGNUM
# (SigCgt). A shell that is pid 1 of its namespace drops a signal it has no
# handler for: a test sends it only once the trap is set, never a fixed time
# after start.
traps() {
	grep -q trap "/proc/$1/cmdline" 2>/dev/null || return 1
	_cgt=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$_cgt" ] && [ $(((0x$_cgt >> ($2 - 1)) & 1)) = 1 ]
}

# tmux_shows SERVER PATTERN: the pane shows a line matching PATTERN within 30 s
tmux_shows() {
	wait_until 30 sh -c 'tmux -L "$1" capture-pane -p | grep -q -- "$2"' sh "$1" "$2"
}

# tmux_size SERVER ROWS COLS: the shell in the pane answers `stty size` with
# ROWS COLS, asked again until it does (each answer is a new line), 30 s at
# most: for a size that reaches the container's terminal asynchronously
tmux_size() {
	_n=0
	while [ $_n -lt 30 ]; do
		tmux -L "$1" send-keys 'stty size' Enter
		wait_until 1 sh -c 'tmux -L "$1" capture-pane -p | grep -q -- "$2"' sh "$1" "^$2 $3" && return 0
		_n=$((_n + 1))
	done
	return 1
}

# tmux_resized SERVER ROWS COLS: resize the window, and the shell in it sees the
# new size. The resize reaches the container's terminal asynchronously (tmux's
# pty, then the runtime's or shim's console copy), so tmux_size asks again.
tmux_resized() {
	tmux -L "$1" resize-window -x "$3" -y "$2"
	tmux_size "$@"
}

finish() {
	echo "$TEST_NAME: $PASS passed, $FAIL failed"
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
