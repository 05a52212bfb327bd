# Shared by the integration tests: a private state root and bundles under one
# temp dir, assertions, and a check that a container left nothing behind.
# Sourced by each t-*.sh; runs as root against the real husk binary.
set -u
. "$(dirname "$0")/../lib/checks.sh"

BUILD=${HUSK_BUILD:?HUSK_BUILD must point at the build directory}
HUSK=$BUILD/husk
MKBUNDLE=$BUILD/mkbundle
T=$(mktemp -d --suffix=.husk-it)
ROOT=$T/root

h() { "$HUSK" --root "$ROOT" "$@"; }

# TMUX_SERVERS: the tmux servers (-L names) a test started, stopped by cleanup
TMUX_SERVERS=""
cleanup() {
	for id in $(h list -q 2>/dev/null); do h delete -f "$id" >/dev/null 2>&1; done
	for s in $TMUX_SERVERS; do tmux -L "$s" kill-server 2>/dev/null; done
	# what the test started in the background and did not wait for (a helper on
	# a socket nobody connected to, a `husk run &` cut short): ours to stop
	pkill -P $$ 2>/dev/null
	stop_naming "$T/"
	# only what this test made: the temp dir's own files, no recursive rm elsewhere
	find "$T" -mount -depth \( -type f -o -type l -o -type p -o -type s \) -delete 2>/dev/null
	find "$T" -mount -depth -type d -empty -delete 2>/dev/null
}
trap cleanup EXIT

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
# has_status ID STATUS: the container's state says STATUS now (for wait_until)
has_status() { [ "$(state_field "$1" status)" = "$2" ]; }

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
	# anywhere in any hierarchy: with no cgroupsPath the cgroup is made under
	# the runtime's own cgroup (v1) or its parent (v2), as runc's, so not at
	# a fixed depth; the ids are unique to the test
	for d in $(find /sys/fs/cgroup -mindepth 1 -type d -name "$id" 2>/dev/null); do
		what="$what cgroup:$d"
	done
	grep -q " $T/" /proc/self/mountinfo && what="$what mount"
	[ -z "$what" ] || { echo "left behind for $id:$what" >&2; return 1; }
}

[ "$(id -u)" = 0 ] || { echo "integration tests need root"; exit 1; }
command -v jq >/dev/null || { echo "integration tests need jq"; exit 1; }
