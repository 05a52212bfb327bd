#!/bin/sh
# cgroup writes on this host's v1 controllers, runc as the oracle (issue 15):
# blkio weights through BFQ's files, a pre-existing empty cpuset parent, update
# --memory -1 with a memory+swap limit, a failed update below the usage, and
# `events` when the container is deleted.
. "$(dirname "$0")/lib.sh"

# on a pure v2 host (the suite in tools/vm) the v2 part is the one that applies
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && exec sh "$(dirname "$0")/../vm/t-cgroup-v2.sh"
grep -q ' - cgroup cgroup .*memory' /proc/self/mountinfo || { echo "needs cgroup v1 controllers"; exit 1; }
B=$T/b
CG=husk-compat-cg-$$
rt_bundle "$B" sh -c 'cat /sys/fs/cgroup/blkio/blkio.bfq.weight /sys/fs/cgroup/blkio/blkio.bfq.weight_device 2>&1'
base=$T/base.json
cp "$B/config.json" "$base"
cleanup_cg() {
	compat_cleanup
	for rt in runc husk; do
		for d in /sys/fs/cgroup/*/"$CG"*"-$rt"/*/ /sys/fs/cgroup/*/"$CG"*"-$rt"/; do [ -d "$d" ] && rmdir "$d"; done
	done 2>/dev/null
}
trap cleanup_cg EXIT

# per runtime: the same config with its own cgroup (runc and husk run side by side)
P=$CG
with() { # with RT JQ-FILTER: write the bundle's config for RT, its cgroup /$P-RT/c
	jq "$2 | .linux.cgroupsPath = \"/$P-$1/c\"" "$base" >"$B/config.json"
}
both() { # both DESC JQ-FILTER: run under each with its own cgroup; output and status agree
	with runc "$2"; under runc "$B"; RUNC_RC=$RC RUNC_OUT=$OUT RUNC_ERR=$ERR
	with husk "$2"; under husk "$B"
	if [ "$RC" = "$RUNC_RC" ] && [ "$OUT" = "$RUNC_OUT" ]; then ok "$1"
	else not_ok "$1: husk $RC '$OUT' ($ERR), runc $RUNC_RC '$RUNC_OUT' ($RUNC_ERR)"; fi
}

# --- blkio weight: this kernel has only BFQ's weight files (runc falls back to them) ---
both "blockIO.weight goes to blkio.bfq.weight" '.linux.resources.blockIO = {weight: 300}'
both "blockIO.weightDevice goes to blkio.bfq.weight_device" \
	'.linux.resources.blockIO = {weightDevice: [{major: 7, minor: 0, weight: 200}]}'

# --- a pre-existing, empty cpuset parent gets cpus/mems from its parent ---
P=$CG-cs
for rt in runc husk; do
	mkdir "/sys/fs/cgroup/cpuset/$P-$rt"
	echo >"/sys/fs/cgroup/cpuset/$P-$rt/cpuset.cpus"; echo >"/sys/fs/cgroup/cpuset/$P-$rt/cpuset.mems"
done
expect_eq "the parent's cpuset.cpus starts empty" "$(cat "/sys/fs/cgroup/cpuset/$P-husk/cpuset.cpus")" ""
rt_cmd() { jq --argjson a "$1" '.process.args = $a' "$base" >"$base.new" && mv "$base.new" "$base"; }
rt_cmd '["true"]'
both "a container under an empty pre-existing cpuset parent starts" '.'
expect_eq "the parent got its parent's cpus (as runc's)" "$(cat "/sys/fs/cgroup/cpuset/$P-husk/cpuset.cpus")" \
	"$(cat "/sys/fs/cgroup/cpuset/$P-runc/cpuset.cpus")"
expect_eq "the parent got its parent's mems (as runc's)" "$(cat "/sys/fs/cgroup/cpuset/$P-husk/cpuset.mems")" \
	"$(cat "/sys/fs/cgroup/cpuset/$P-runc/cpuset.mems")"
P=$CG

# --- update on a running container ---
rt_cmd "[\"sleep\",\"$LONG\"]"
start() { # start RT ID JQ-FILTER
	with "$1" "$3"
	cli "$1" run -d -b "$B" "$2"
	[ "$RC" = 0 ] || not_ok "$1 run -d $2: $ERR"
}
mem() { cat "/sys/fs/cgroup/memory/$CG-$1/c/$2"; }
for rt in runc husk; do start $rt up-$$ '.linux.resources.memory = {limit: 67108864, swap: 134217728}'; done
for rt in runc husk; do cli $rt update --memory -1 up-$$; eval "rc_$rt=\$RC err_$rt=\$ERR"; done
expect_eq "update --memory -1 with memory+swap set: exit status as runc's ($err_husk)" "$rc_husk" "$rc_runc"
expect_eq "update --memory -1: memory limit lifted as runc's" "$(mem husk memory.limit_in_bytes)" "$(mem runc memory.limit_in_bytes)"
expect_eq "update --memory -1: memory+swap lifted too (as runc)" "$(mem husk memory.memsw.limit_in_bytes)" "$(mem runc memory.memsw.limit_in_bytes)"

# below the usage: the kernel cannot reclaim a running shell's pages to 4 KiB
for rt in runc husk; do cli $rt update --memory 4096 up-$$; eval "rc_$rt=\$RC err_$rt=\$ERR"; done
expect_eq "update below the usage fails as runc's does ($err_runc)" "$rc_husk" "$rc_runc"
expect_match "and says what the usage is" "$err_husk" "unable to set memory limit to 4096 \(current usage: [0-9]+, peak usage: [0-9]+\)"

# --- events: deleting the container is no OOM ---
for rt in runc husk; do
	"$(rt_bin $rt)" --root "$T/root-$rt" events --interval 100s up-$$ >"$T/events-$rt" 2>&1 &
	eval "ev_$rt=\$!"
done
# deleted once both are subscribed, else the check below holds vacuously: runc
# (Go, no poll of its own to see) holds memory.oom_control and the eventfd it
# registers on it (libcontainer's registerMemoryEvent opens both, then writes
# cgroup.event_control); husk registers, then sits in poll
runc_subscribed() {
	fds=$(ls -l "/proc/$1/fd" 2>/dev/null)
	case $fds in *memory.oom_control*) ;; *) return 1 ;; esac
	case $fds in *"anon_inode:[eventfd]"*) return 0 ;; esac
	return 1
}
wait_until 30 runc_subscribed "$ev_runc" || not_ok "runc events did not subscribe in 30 s"
wait_until 30 polling "$ev_husk" || not_ok "husk events did not reach its poll in 30 s"
for rt in runc husk; do cli $rt delete -f up-$$; done
for rt in runc husk; do
	eval "pid=\$ev_$rt"
	wait_until 30 ended "$pid"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
expect_eq "events prints no oom when the container is deleted (as runc)" "$(grep -c oom "$T/events-husk")" "$(grep -c oom "$T/events-runc")"
finish
