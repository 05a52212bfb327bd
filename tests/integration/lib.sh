# Shared by the integration tests: a private state root and bundles under one
# temp dir, assertions, and a check that a container left nothing behind.
# Sourced by each t-*.sh; runs as root against the real husk binary.
set -u

BUILD=${HUSK_BUILD:?HUSK_BUILD must point at the build directory}
HUSK=$BUILD/husk
MKBUNDLE=$BUILD/mkbundle
T=$(mktemp -d /tmp/husk-it.XXXXXX)
ROOT=$T/root
PASS=0
FAIL=0
TEST_NAME=$(basename "$0" .sh)

h() { "$HUSK" --root "$ROOT" "$@"; }

cleanup() {
	for id in $(h list -q 2>/dev/null); do h delete -f "$id" >/dev/null 2>&1; done
	# only what this test made: the temp dir's own files, no recursive rm elsewhere
	find "$T" -mount -depth \( -type f -o -type l -o -type p -o -type s \) -delete 2>/dev/null
	find "$T" -mount -depth -type d -empty -delete 2>/dev/null
}
trap cleanup EXIT

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

# bundle DIR [CMD...]: a busybox bundle
bundle() {
	rm -rf "$1"
	"$MKBUNDLE" --husk "$HUSK" "$@" || { echo "mkbundle failed"; exit 1; }
}

# edit DIR JQ-FILTER [jq args...]: rewrite DIR/config.json
edit() {
	dir=$1 filter=$2; shift 2
	jq "$@" "$filter" "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

state_field() { h state "$1" 2>/dev/null | jq -r ".$2"; }

# run_in DIR CMD...: set the bundle's args and run it, printing its output
run_in() {
	dir=$1; shift
	args=$(for a in "$@"; do printf '%s' "$a" | jq -Rs .; done | jq -s .)
	edit "$dir" '.process.args = $a' --argjson a "$args"
	h run -b "$dir" "it-$$-$(date +%s%N)" 2>&1
}

# nothing_left ID: no state dir, cgroup, process or mount of the container remains
nothing_left() {
	id=$1 what=""
	[ -e "$ROOT/$id" ] && what="$what state-dir"
	for d in /sys/fs/cgroup/*/; do
		[ -d "$d$id" ] && what="$what cgroup:$d$id"
	done
	grep -q " $T/" /proc/self/mountinfo && what="$what mount"
	[ -z "$what" ] || { echo "left behind for $id:$what" >&2; return 1; }
}

# no_process PATTERN: no process has PATTERN in its command line
no_process() {
	# matched in the shell: a grep here would match its own command line
	for c in /proc/[0-9]*/cmdline; do
		line=$(tr '\0' ' ' <"$c" 2>/dev/null) || continue
		case $line in
		*"$1"*) echo "process left: $1 (${c%/cmdline})" >&2; return 1 ;;
		esac
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

[ "$(id -u)" = 0 ] || { echo "integration tests need root"; exit 1; }
command -v jq >/dev/null || { echo "integration tests need jq"; exit 1; }
