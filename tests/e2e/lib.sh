# Shared by the e2e tests: a private containerd (tools/containerd-env.sh) under a
# temp dir, the busybox image imported into a namespace of this test's own, ctr
# calls on it, and checks that a task left nothing behind. Sourced by each t-*.sh;
# runs as root.
set -u
. "$(dirname "$0")/../lib/checks.sh"

BUILD=${HUSK_BUILD:?HUSK_BUILD must point at the build directory}
SRC=${HUSK_SRC:?HUSK_SRC must point at the source tree}
[ "$(id -u)" = 0 ] || { echo "e2e tests need root"; exit 1; }
for t in containerd ctr; do
	command -v $t >/dev/null || { echo "e2e tests need $t (tools/install-deps installs it)"; exit 1; }
done

CT=$(mktemp -d --suffix=.husk-e2e)
. "$SRC/tools/containerd-env.sh"
# a namespace of our own: its own shim sockets, cgroup parent /$NS and state
NS=husk-e2e-$$
RT=io.containerd.husk.v2
IMG=$CT_IMAGE
BUNDLES=$CT/state/io.containerd.runtime.v2.task/$NS

c() { ctr_ "$NS" "$@"; }

cleanup() {
	ctrd_clear "$NS"
	ctrd_stop
	# what the test started in the background and did not wait for: ours to stop
	pkill -P $$ 2>/dev/null
	# shims whose containerd is gone: by their -address, which is ours alone
	for p in /proc/[0-9]*/cmdline; do
		case $(tr '\0' ' ' <"$p" 2>/dev/null) in
		*"-address $CT_SOCK "*) kill -9 "$(basename "$(dirname "$p")")" 2>/dev/null ;;
		esac
	done
	# mounts under the temp dir (snapshots, rootfs), deepest first
	awk -v t="$CT/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m"; done
	# the parents made for our namespace: containerd's cgroup parent, and
	# runc-v2's state root (t-runc-shim)
	for d in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/unified/"$NS" /run/containerd/runc/"$NS"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	sanitizer_report
	# only what this test made: the temp dir's own files, no recursive rm elsewhere
	find "$CT" -mount -depth \( -type f -o -type l -o -type p -o -type s \) -delete 2>/dev/null
	find "$CT" -mount -depth -type d -empty -delete 2>/dev/null
}
trap cleanup EXIT

# Under ASan/UBSan the shim's reports go to its stderr, the bundle's log fifo,
# which containerd copies into its log: a report there fails the test.
sanitizer_report() {
	if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$CT_LOG" 2>/dev/null; then
		echo "sanitizer report in containerd's log (from the shim):"
		grep -E -A30 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$CT_LOG" | head -n 60
		FAIL=$((FAIL + 1))
	fi
}

# e2e_up: containerd started, the image imported into $NS
e2e_up() {
	ctrd_start || { echo "private containerd did not start"; exit 1; }
	ctrd_image "$NS" || { echo "image import failed"; exit 1; }
}

# task_status ID: its STATUS in `ctr task ls` (empty when there is no task)
task_status() {
	c task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}

# is_status ID STATUS: task ID has STATUS now
is_status() {
	[ "$(task_status "$1")" = "$2" ]
}

# shim_pid ID: the pid of the shim serving task ID
shim_pid() {
	for p in /proc/[0-9]*/cmdline; do
		case $(tr '\0' ' ' <"$p" 2>/dev/null) in
		*"containerd-shim-husk-v2 "*"-id $1 "*"-address $CT_SOCK "*) basename "$(dirname "$p")" ;;
		esac
	done
}

# gone ID: nothing of task ID is left: no shim, no socket, no husk state, no
# cgroup, no mount on its bundle, no bundle
gone() {
	id=$1 what=""
	[ -n "$(shim_pid "$id")" ] && what="$what shim"
	[ -e "$(ctrd_shim_socket "$NS" "$id")" ] && what="$what socket"
	[ -e "$CT/husk/$NS/$id" ] && what="$what husk-state"
	for d in /sys/fs/cgroup/*/"$NS"/"$id" /sys/fs/cgroup/unified/"$NS"/"$id"; do
		[ -d "$d" ] && what="$what cgroup:$d"
	done
	grep -q " $BUNDLES/$id/" /proc/self/mountinfo && what="$what mount"
	[ -e "$BUNDLES/$id" ] && what="$what bundle"
	[ -z "$what" ] || { echo "left behind for $id:$what" >&2; return 1; }
}

# settled ID: gone within 30 s (containerd's cleanup after a shim is asynchronous)
settled() {
	wait_until 30 gone "$1" 2>/dev/null || gone "$1"
}

# events_start: `ctr events` writing every event to $CT/events ($events_pid),
# returning once it is subscribed: a sentinel event it must have printed (a
# label on our namespace, /namespaces/update), so no fixed sleep decides
# whether the events that follow are seen under load
events_start() {
	ctr -a "$CT_SOCK" events >"$CT/events" 2>&1 &
	events_pid=$!
	_sentinel=0
	while :; do
		_sentinel=$((_sentinel + 1))
		ctr -a "$CT_SOCK" namespaces label "$NS" husk.test/sentinel=$_sentinel >/dev/null
		if wait_until 1 events_seen; then return 0; fi
		[ $_sentinel -lt 30 ] || { echo "ctr events printed no event in 30 s"; exit 1; }
	done
}

# events_seen: the last sentinel is in $CT/events
events_seen() {
	grep -q "/namespaces/update .*husk.test/sentinel\":\"$_sentinel\"" "$CT/events"
}

# events_stop: every event published so far is in $CT/events (one subscriber
# receives them in order, so a new sentinel comes after them), then ctr stops
events_stop() {
	_sentinel=$((_sentinel + 1))
	ctr -a "$CT_SOCK" namespaces label "$NS" husk.test/sentinel=$_sentinel >/dev/null
	wait_until 30 events_seen || { echo "the last sentinel event did not arrive in 30 s"; FAIL=$((FAIL + 1)); }
	kill "$events_pid" 2>/dev/null
	wait "$events_pid" 2>/dev/null
}
