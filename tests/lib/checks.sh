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

# tmux_shows SERVER PATTERN: the pane shows a line matching PATTERN within 5 s
tmux_shows() {
	for _ in $(seq 50); do tmux -L "$1" capture-pane -p | grep -q -- "$2" && return 0; sleep 0.1; done
	return 1
}

# tmux_resized SERVER ROWS COLS: resize the window, and the shell in it sees the new size
tmux_resized() {
	tmux -L "$1" resize-window -x "$3" -y "$2"
	sleep 0.3
	tmux -L "$1" send-keys 'stty size' Enter
	tmux_shows "$1" "^$2 $3"
}

finish() {
	echo "$TEST_NAME: $PASS passed, $FAIL failed"
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
