#!/bin/sh
# CRI end to end: a private containerd with its CRI plugin enabled
# (tools/containerd-env.sh ctrd_cri_config: runtime handlers husk and runc,
# loopback-only CNI, its own root, state and sockets), the busybox and pause
# images imported into k8s.io, and suite.py, a CRI client of our own, doing
# what kubelet does: once against the runc handler (containerd-shim-runc-v2 +
# runc, the calibration: every check must pass there) and once against the
# husk handler (husk-shim). Runs as root.
. "$(dirname "$0")/../lib/checks.sh"
set -u

BUILD=${HUSK_BUILD:?HUSK_BUILD must point at the build directory}
SRC=${HUSK_SRC:?HUSK_SRC must point at the source tree}
PY=/usr/bin/python3  # Debian's, with python3-grpcio; not a pyenv python first on PATH
[ "$(id -u)" = 0 ] || { echo "CRI tests need root"; exit 1; }
for t in containerd ctr containerd-shim-runc-v2; do
	command -v $t >/dev/null || { echo "CRI tests need $t (tools/install-deps installs it)"; exit 1; }
done
$PY -c 'import grpc, grpc_tools, google.protobuf, websocket' 2>/dev/null ||
	{ echo "CRI tests need python3-grpcio python3-grpc-tools python3-protobuf python3-websocket (tools/install-deps)"; exit 1; }
[ -x "$BUILD/pause" ] || { echo "no $BUILD/pause (build first)"; exit 1; }

CT=$(mktemp -d --suffix=.husk-cri)
. "$SRC/tools/containerd-env.sh"
CGROOT=husk-cri-$$

cleanup() {
	ctrd_stop
	# what the test started in the background and did not wait for: ours to stop
	pkill -P $$ 2>/dev/null
	# shims whose containerd is gone: by their -address, which is ours alone
	for p in /proc/[0-9]*/cmdline; do
		case $(tr '\0' ' ' 2>/dev/null <"$p") in
		*"-address $CT_SOCK "*) kill -9 "$(basename "$(dirname "$p")")" 2>/dev/null ;;
		esac
	done
	# mounts under the temp dir (snapshots, rootfs, netns, shm, volumes), deepest first
	awk -v t="$CT/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m"; done
	# the pods' cgroup parents live under our root (suite.py removes the parents):
	# one per v1 controller, or the one directory on a pure v2 host
	for d in /sys/fs/cgroup/*/"$CGROOT"/* /sys/fs/cgroup/*/"$CGROOT" \
		/sys/fs/cgroup/"$CGROOT"/* /sys/fs/cgroup/"$CGROOT"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	find "$CT" -mount -depth \( -type f -o -type l -o -type p -o -type s \) -delete 2>/dev/null
	find "$CT" -mount -depth -type d -empty -delete 2>/dev/null
}
trap cleanup EXIT

# pause on its own, as pid 1 of a pid namespace (as in a sandbox): orphans are
# re-parented to it and reaped, and SIGTERM or SIGINT ends it with status 0
# (containerd kills a sandbox with SIGKILL, so the suite does not see this)
children() { echo $(cat /proc/"$1"/task/"$1"/children 2>/dev/null); }
for sig in TERM INT; do
	unshare --pid --fork "$BUILD/pause" &
	u=$!
	p=""
	# its pid shows before it has exec'd pause and caught TERM and INT: a
	# signal sent earlier would hit a pid 1 without handlers and be dropped
	for _ in $(seq 300); do
		p=$(children "$u")
		cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/"$p"/status 2>/dev/null)
		[ -n "$p" ] && [ -n "$cgt" ] && [ $((0x$cgt & 0x4002)) = $((0x4002)) ] && break
		sleep 0.1
	done
	if [ "$sig" = TERM ]; then
		# a shell in pause's namespace leaves a sleep behind as it exits
		# (nsenter returns once that shell is gone); the sleep lasts until it
		# is killed, so that no fixed time decides whether it is still seen
		nsenter -t "$p" -p sh -c "sleep $LONG & exit 0"
		orphan=$(children "$p")
		check "pause: an orphan is re-parented to it" [ -n "$orphan" ]
		[ -z "$orphan" ] || kill $orphan
		wait_until 30 sh -c "[ -z \"\$(cat /proc/$p/task/$p/children 2>/dev/null)\" ]"
		expect_eq "pause: and reaped when it ends (no zombie)" "$(children "$p")" ""
	fi
	kill -"$sig" "$p"
	wait "$u"
	expect_eq "pause: SIG$sig ends it with status 0" "$?" 0
done

ctrd_cri_config || exit 1
ctrd_start || { echo "private containerd did not start"; exit 1; }
ctrd_cri_images || { echo "image import failed"; exit 1; }

# suite HANDLER: run the suite against HANDLER, count its checks here
suite() {
	$PY "$SRC/tests/cri/suite.py" --sock "$CT_SOCK" --ct "$CT" --handler "$1" --cgroup-root "$CGROOT" \
		${CRI_ONLY:+--only "$CRI_ONLY"} >"$CT/suite-$1.out" 2>&1
	rc=$?
	cat "$CT/suite-$1.out"
	p=$(grep -c '^ok - ' "$CT/suite-$1.out")
	f=$(grep -c '^not ok - ' "$CT/suite-$1.out")
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	[ "$rc" = 0 ] || [ "$f" -gt 0 ] || not_ok "$1: suite.py exited $rc without a failed check"
}

for h in ${CRI_HANDLERS:-runc husk}; do
	suite "$h"
done

# Under ASan/UBSan the shim's reports go to the bundle's log fifo, which
# containerd copies into its log: a report there fails the test.
if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$CT_LOG" 2>/dev/null; then
	grep -E -A30 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$CT_LOG" | head -n 60
	not_ok "sanitizer report in containerd's log (from the shim)"
else
	ok "no sanitizer report in containerd's log"
fi
finish
