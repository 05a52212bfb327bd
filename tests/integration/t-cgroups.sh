#!/bin/sh
# cgroups on the hierarchy this runs on: v1 controllers (this machine, hybrid)
# or a pure v2 host (tools/vm): limits enforced, OOM killed and reported,
# pause/resume, update, ps, stats, kill --all, nested cgroups removed, bad
# input refused cleanly; on a hybrid host also the v2 paths, in a mount
# namespace where only the unified hierarchy is mounted.
. "$(dirname "$0")/lib.sh"
B=$T/b
CG=husk-it-$$
# container ids of this test's own (their default cgroups are host-wide); the
# inner scripts of unshare below see the pid as IT_PID
export IT_PID=$$
V2=false
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && V2=true
# cgdir CTRL NAME: the container NAME's dir holding v1 controller CTRL (one dir on v2)
cgdir() { if $V2; then echo "/sys/fs/cgroup/$CG/$2"; else echo "/sys/fs/cgroup/$1/$CG/$2"; fi; }
# the v2 hierarchy: the whole of /sys/fs/cgroup on v2, the unified mount on a hybrid host
UNIFIED=/sys/fs/cgroup/unified
$V2 && UNIFIED=/sys/fs/cgroup
export UNIFIED
# v1v2 V1-VALUE V2-VALUE: the value for the hierarchy this runs on
v1v2() { if $V2; then echo "$2"; else echo "$1"; fi; }
# husk on a v2-only view of this hybrid host enables the unified root's
# controllers for its children, as runc on v2 does: put the host's back after
ROOT_SUBTREE=$(cat "$UNIFIED/cgroup.subtree_control" 2>/dev/null)
cleanup_cg() {
	for d in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/"$CG"; do [ -d "$d" ] && rmdir "$d"/* "$d" 2>/dev/null; done
	if ! $V2; then
		for c in $(cat "$UNIFIED/cgroup.subtree_control" 2>/dev/null); do
			case " $ROOT_SUBTREE " in *" $c "*) ;; *) echo "-$c" >"$UNIFIED/cgroup.subtree_control" 2>/dev/null ;; esac
		done
	fi
	true
}
HOLDER=""
trap 'cleanup; [ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null; cleanup_cg' EXIT
trap 'exit 1' INT TERM # a timeout's TERM still runs the cleanup

# --- pids: a fork loop stops at the limit ---
bundle "$B" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done; wait'
edit "$B" '.linux.resources.pids = {"limit": 5} | .linux.cgroupsPath = $p' --arg p "/$CG/pidlim-$$"
out=$(h run -b "$B" pidlim-$$ 2>&1 </dev/null)
expect_match "pids.max=5 stops the fork loop" "$out" "can't fork|Resource temporarily unavailable"
check "nothing left after the pids run" nothing_left pidlim-$$

# --- memory: an allocation over the limit is OOM-killed, and reported ---
bundle "$B" sh -c 'sleep 0.5; dd if=/dev/zero of=/dev/null bs=96M count=1; echo survived'
edit "$B" '.linux.resources.memory = {"limit": 33554432, "swap": 33554432} | .linux.cgroupsPath = $p' --arg p "/$CG/oom-$$"
h create -b "$B" oom-$$ </dev/null
"$HUSK" --root "$ROOT" events --interval 200ms oom-$$ >"$T/oom-events" 2>&1 &
ev=$!
# started once events is subscribed (registered, then in its poll): the OOM
# comes 0.5 s after start, which a slow events under load could miss
wait_until 30 polling $ev || not_ok "husk events did not reach its poll in 30 s"
h start oom-$$
pid=$(state_field oom-$$ pid)
wait_until 30 has_status oom-$$ stopped
# events ends when the container stops; bounded, so a failed start cannot hang the test
wait_until 30 ended $ev
kill $ev 2>/dev/null
wait $ev
expect_eq "the allocating process was OOM-killed (not 'survived')" "$(state_field oom-$$ status)" stopped
expect_match "$(v1v2 memory.oom_control memory.events) counts the kill" "$(cat "$(cgdir memory oom-$$)"/$(v1v2 memory.oom_control memory.events))" "oom_kill [1-9]"
expect_match "events reported the OOM" "$(cat "$T/oom-events")" "^\{\"type\":\"oom\",\"id\":\"oom-$$\"\}\$"
h delete oom-$$
check "nothing left after the OOM" nothing_left oom-$$

# --- a long-running container: files written, ps, stats, pause, update ---
# progress = the size of a file the container keeps appending to
bundle "$B" sh -c 'while :; do echo x >>/tmp/count; sleep 0.01; done' "$LONG"
size() { stat -c %s "$B/rootfs/tmp/count"; }
edit "$B" '.linux.resources = {"memory":{"limit":67108864},"cpu":{"shares":512,"quota":50000,"period":100000},"pids":{"limit":50},
  "devices":[{"allow":false,"access":"rwm"}]} | .linux.cgroupsPath = $p | .root.readonly = false' --arg p "/$CG/live-$$"
h run -d -b "$B" live-$$ </dev/null
pid=$(state_field live-$$ pid)
MEM=$(v1v2 memory.limit_in_bytes memory.max)
expect_eq "$MEM written" "$(cat "$(cgdir memory live-$$)"/$MEM)" 67108864
if $V2; then
	expect_eq "cpu.weight written (shares 512 converted)" "$(cat "$(cgdir cpu live-$$)"/cpu.weight)" 20
	expect_eq "cpu.max written" "$(cat "$(cgdir cpu live-$$)"/cpu.max)" "50000 100000"
else
	expect_eq "cpu.shares written" "$(cat "$(cgdir cpu live-$$)"/cpu.shares)" 512
	expect_eq "cpu.cfs_quota_us written" "$(cat "$(cgdir cpu live-$$)"/cpu.cfs_quota_us)" 50000
	expect_match "devices: deny all, then runc's defaults allowed" "$(cat "$(cgdir devices live-$$)"/devices.list | tr '\n' ' ')" "c 1:3 rwm.*c 136:\* rwm"
fi
expect_eq "pids.max written" "$(cat "$(cgdir pids live-$$)"/pids.max)" 50
expect_match "ps lists the init" "$(h ps live-$$)" "^root +$pid "
expect_eq "ps --format json lists the init's pid" "$(h ps --format json live-$$ | jq "index($pid) != null")" true
stats=$(h events --stats live-$$)
check "events --stats: memory usage > 0" sh -c "printf '%s' '$stats' | jq -e '.type == \"stats\" and .data.memory.usage.usage > 0' >/dev/null"
check "events --stats: cpu usage > 0" sh -c "printf '%s' '$stats' | jq -e '.data.cpu.usage.total > 0 and .data.pids.current >= 1' >/dev/null"

check "the container is writing" wait_until 30 sh -c "[ \"\$(stat -c %s '$B/rootfs/tmp/count' 2>/dev/null)\" -gt 0 ]"
h pause live-$$
expect_eq "paused" "$(state_field live-$$ status)" paused
expect_eq "$(v1v2 freezer.state cgroup.freeze) says frozen" "$(cat "$(cgdir freezer live-$$)"/$(v1v2 freezer.state cgroup.freeze))" "$(v1v2 FROZEN 1)"
a=$(size); sleep 0.5; b=$(size) # a negative check: no progress in 0.5 s
expect_eq "a frozen container makes no progress" "$b" "$a"
expect_match "pause again is an error" "$(h pause live-$$ 2>&1)" "already paused"
h resume live-$$
expect_eq "running again" "$(state_field live-$$ status)" running
wait_until 30 sh -c "[ \$(stat -c %s '$B/rootfs/tmp/count') -gt $b ]"; c=$(size)
check "it progresses after resume ($b -> $c bytes)" [ "$c" -gt "$b" ]
expect_match "resume of a running container is an error" "$(h resume live-$$ 2>&1)" "is not paused: running"

h update --memory 128m --pids-limit 80 --cpu-quota 25000 --cpu-share 256 live-$$
expect_eq "update --memory 128m" "$(cat "$(cgdir memory live-$$)"/$MEM)" 134217728
expect_eq "update --pids-limit" "$(cat "$(cgdir pids live-$$)"/pids.max)" 80
expect_eq "update --cpu-quota" "$(cat "$(cgdir cpu live-$$)"/$(v1v2 cpu.cfs_quota_us cpu.max))" "$(v1v2 25000 "25000 100000")"
expect_eq "update --cpu-share" "$(cat "$(cgdir cpu live-$$)"/$(v1v2 cpu.shares cpu.weight))" "$(v1v2 256 10)"
echo '{"memory":{"limit":100663296},"pids":{"limit":-1}}' >"$T/res.json"
h update -r "$T/res.json" live-$$
expect_eq "update -r: memory" "$(cat "$(cgdir memory live-$$)"/$MEM)" 100663296
expect_eq "update -r: pids -1 is max" "$(cat "$(cgdir pids live-$$)"/pids.max)" max
echo '{"cpu":{"shares":128}}' | h update -r - live-$$
expect_eq "update -r - (stdin)" "$(cat "$(cgdir cpu live-$$)"/$(v1v2 cpu.shares cpu.weight))" "$(v1v2 128 5)"
expect_eq "update is recorded in the state's config" "$(jq -c '.linux.resources.pids' "$ROOT/live-$$/config.json")" '{"limit":-1}'
expect_match "update with a bad value is refused" "$(h update --memory lots live-$$ 2>&1)" '(invalid value for memory|--memory: "lots" is not a valid value)'
expect_match "update checkBeforeUpdate refuses a limit below usage" \
	"$(echo '{"memory":{"limit":4096,"checkBeforeUpdate":true}}' | h update -r - live-$$ 2>&1)" "below the container's current usage"
expect_eq "and leaves the limit alone" "$(cat "$(cgdir memory live-$$)"/$MEM)" 100663296

# a nested cgroup made inside the container's is removed with it
mkdir "$(cgdir memory live-$$)/nested"
$V2 || mkdir "$(cgdir pids live-$$)/nested"
h kill live-$$ KILL
wait_until 30 has_status live-$$ stopped
h delete live-$$
check "nested cgroups removed with the container" [ ! -e "$(cgdir memory live-$$)" ]
check "nothing left after delete" nothing_left live-$$

# --- kill --all reaches every process (cgroup.kill on the unified hierarchy here) ---
bundle "$B" sh -c "sleep $LONG & sleep $LONG & exec sleep $LONG"
edit "$B" 'del(.linux.namespaces[] | select(.type == "pid")) | .linux.cgroupsPath = $p' --arg p "/$CG/all-$$"
h run -d -b "$B" all-$$ </dev/null
wait_until 30 sh -c "[ \"\$('$HUSK' --root '$ROOT' ps --format json all-$$ | jq length)\" = 3 ]" # the shell forks after start
expect_eq "three processes in the container" "$(h ps --format json all-$$ | jq length)" 3
h kill --all all-$$ KILL
wait_until 30 sh -c "[ \"\$('$HUSK' --root '$ROOT' ps --format json all-$$)\" = null ]"
expect_eq "kill --all KILL left no process (no pid namespace to take them down)" "$(h ps --format json all-$$)" null
h delete -f all-$$
check "nothing left after kill --all" nothing_left all-$$

# --- delete -f of a paused container ---
bundle "$B" sleep "$LONG3"
edit "$B" '.linux.cgroupsPath = $p' --arg p "/$CG/pz-$$"
h run -d -b "$B" pz-$$ </dev/null
h pause pz-$$
h delete -f pz-$$
check "delete -f of a paused container leaves nothing" nothing_left pz-$$
check "and no process" no_process "sleep $LONG3"

# --- the v2 freezer for real: a mount namespace without the v1 freezer ---
bundle "$B" sh -c 'while :; do echo x >>/tmp/count; sleep 0.01; done' "$LONG"
edit "$B" '.linux.cgroupsPath = $p | .root.readonly = false' --arg p "/$CG/v2-$$"
unshare -m sh -c '
	umount /sys/fs/cgroup/freezer 2>/dev/null # none on a pure v2 host
	"$1" --root "$2" run -d -b "$3" v2-$IT_PID </dev/null
	for i in $(seq 600); do [ -s "$3/rootfs/tmp/count" ] && break; sleep 0.05; done
	"$1" --root "$2" pause v2-$IT_PID
	echo "status=$("$1" --root "$2" state v2-$IT_PID | jq -r .status)"
	echo "freeze=$(cat $UNIFIED/$4/v2-$IT_PID/cgroup.freeze)"
	grep frozen $UNIFIED/$4/v2-$IT_PID/cgroup.events
	a=$(stat -c %s "$3/rootfs/tmp/count"); sleep 0.5; b=$(stat -c %s "$3/rootfs/tmp/count") # negative: none in 0.5 s
	[ "$a" = "$b" ] && [ "$a" -gt 0 ] && echo no-progress
	"$1" --root "$2" resume v2-$IT_PID
	for i in $(seq 600); do [ "$(stat -c %s "$3/rootfs/tmp/count")" -gt "$b" ] && break; sleep 0.05; done # 30 s
	c=$(stat -c %s "$3/rootfs/tmp/count")
	[ "$c" -gt "$b" ] && echo progress
	"$1" --root "$2" delete -f v2-$IT_PID
' _ "$HUSK" "$ROOT" "$B" "$CG" >"$T/v2.out" 2>&1
v2=$(cat "$T/v2.out")
expect_match "v2 freezer: paused" "$v2" "^status=paused$"
expect_match "v2 freezer: cgroup.freeze is 1" "$v2" "^freeze=1$"
expect_match "v2 freezer: cgroup.events says frozen" "$v2" "^frozen 1$"
expect_match "v2 freezer: no progress while frozen" "$v2" "^no-progress$"
expect_match "v2 freezer: progress after resume" "$v2" "^progress$"
check "nothing left after the v2 freezer run" nothing_left v2-$$

# --- the v2 device filter for real (on loop0, b 7:0, which runc's defaults do not
# allow): a mount namespace where only the unified
# hierarchy is mounted, so husk sees a pure cgroup v2 host. The host's v1
# devices cgroup of this shell allows everything, so a refusal can only come
# from husk's BPF program on the container's unified cgroup. ---
bundle "$B" sh -c '
	try() { (: </dev/k) 2>/dev/null && echo read-ok || echo read-denied
		(: >/dev/k) 2>/dev/null && echo write-ok || echo write-denied; }
	mknod /dev/k b 7 0 || exit 3
	try >/tmp/before
	while [ ! -e /tmp/go ]; do sleep 0.05; done
	try >/tmp/after
	sleep 100'
caps='["CAP_MKNOD","CAP_KILL"]'
edit "$B" '.linux.cgroupsPath = $p | .root.readonly = false
	| .process.capabilities = {bounding: $c, effective: $c, permitted: $c}
	| .linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "b", major: 7, minor: 0, access: "r"}]' \
	--arg p "/$CG/dev2-$$" --argjson c "$caps"
cat >"$T/dev-update.json" <<'EOF'
{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "b", "major": 7, "minor": 0, "access": "w"}]}
EOF
unshare -m sh -c '
	for m in $(awk "\$9 == \"cgroup\" {print \$5}" /proc/self/mountinfo); do umount "$m"; done
	"$1" --root "$2" run -d -b "$3" dev2-$IT_PID </dev/null || exit 1
	echo "dir=$(ls -d $UNIFIED/$4/dev2-$IT_PID)"
	for i in $(seq 600); do [ "$(wc -l <"$3/rootfs/tmp/before" 2>/dev/null)" = 2 ] && break; sleep 0.05; done # 30 s
	sed "s/^/before:/" "$3/rootfs/tmp/before"
	"$1" --root "$2" update -r "$5" dev2-$IT_PID && echo updated
	touch "$3/rootfs/tmp/go"
	for i in $(seq 600); do [ "$(wc -l <"$3/rootfs/tmp/after" 2>/dev/null)" = 2 ] && break; sleep 0.05; done
	sed "s/^/after:/" "$3/rootfs/tmp/after"
	"$1" --root "$2" delete -f dev2-$IT_PID
' _ "$HUSK" "$ROOT" "$B" "$CG" "$T/dev-update.json" >"$T/dev2.out" 2>&1
dev2=$(cat "$T/dev2.out")
expect_match "v2 devices: the container's cgroup is on the unified hierarchy" "$dev2" "^dir=$UNIFIED/$CG/dev2-$$\$"
expect_match "v2 devices: an allowed read opens" "$dev2" "^before:read-ok$"
expect_match "v2 devices: a write the rules do not allow is refused" "$dev2" "^before:write-denied$"
expect_match "v2 devices: update -r with new rules succeeds" "$dev2" "^updated$"
# runc's update never changes device rules (it sets SkipDevices): the filter stays
expect_match "v2 devices: update leaves the filter as it was (write still refused, as runc)" "$dev2" "^after:write-denied$"
expect_match "v2 devices: update leaves the filter as it was (read still allowed)" "$dev2" "^after:read-ok$"
check "nothing left after the v2 devices run" nothing_left dev2-$$

# without device rules runc's defaults still apply (v2 has no other device
# confinement): loop0 is not among them
edit "$B" 'del(.linux.resources.devices) | .linux.cgroupsPath = $p' --arg p "/$CG/dev2c-$$"
rm -f "$B/rootfs/tmp/before" "$B/rootfs/tmp/after"; touch "$B/rootfs/tmp/go"
unshare -m sh -c '
	for m in $(awk "\$9 == \"cgroup\" {print \$5}" /proc/self/mountinfo); do umount "$m"; done
	"$1" --root "$2" run -d -b "$3" dev2c-$IT_PID </dev/null || exit 1
	for i in $(seq 600); do [ -s "$3/rootfs/tmp/after" ] && break; sleep 0.05; done # 30 s
	cat "$3/rootfs/tmp/before"
	"$1" --root "$2" delete -f dev2c-$IT_PID
' _ "$HUSK" "$ROOT" "$B" >"$T/dev2c.out" 2>&1
expect_eq "v2 devices: without rules runc's default filter is attached" "$(tr '\n' ' ' <"$T/dev2c.out")" "read-denied write-denied "
check "nothing left after the v2 devices control run" nothing_left dev2c-$$

# --- CLONE_INTO_CGROUP: on a pure v2 host (here: a mount namespace with only the
# unified hierarchy) the init and an exec'd process are born in the cgroup by
# clone3, with no cgroup.procs write; HUSK_NO_CLONE_INTO_CGROUP=1 takes the old path ---
bundle "$B" sleep "$LONG2"
edit "$B" '.linux.cgroupsPath = $p' --arg p "/$CG/cic-$$"
# LeakSanitizer cannot run under ptrace: no leak check in the traced runs
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 unshare -m sh -c '
	for m in $(awk "\$9 == \"cgroup\" {print \$5}" /proc/self/mountinfo); do umount "$m"; done
	strace -o "$5/st-run" -e trace=clone,clone3,openat "$1" --root "$2" run -d -b "$3" cic-$IT_PID </dev/null || exit 1
	strace -o "$5/st-exec" -e trace=clone,clone3,openat "$1" --root "$2" exec cic-$IT_PID true && echo exec-ok
	echo "init-cgroup=$(sed -n "s/^0:://p" /proc/$("$1" --root "$2" state cic-$IT_PID | jq .pid)/cgroup)"
	"$1" --root "$2" delete -f cic-$IT_PID
	HUSK_NO_CLONE_INTO_CGROUP=1 strace -o "$5/st-old" -e trace=clone,clone3,openat "$1" --root "$2" run -d -b "$3" cic-$IT_PID </dev/null || exit 1
	echo "old-cgroup=$(sed -n "s/^0:://p" /proc/$("$1" --root "$2" state cic-$IT_PID | jq .pid)/cgroup)"
	"$1" --root "$2" delete -f cic-$IT_PID
' _ "$HUSK" "$ROOT" "$B" "$CG" "$T" >"$T/cic.out" 2>&1
cic=$(cat "$T/cic.out")
expect_match "v2: the init is cloned into its cgroup (clone3 with CLONE_INTO_CGROUP)" "$(cat "$T/st-run")" "clone3\(.*CLONE_INTO_CGROUP"
check "v2: and no cgroup.procs write for it" sh -c "[ -s '$T/st-run' ] && ! grep -q 'cgroup.procs.*WR' '$T/st-run'"
expect_match "v2: the init is in the container's cgroup" "$cic" "^init-cgroup=/$CG/cic-$$\$"
expect_match "v2: exec works" "$cic" "^exec-ok$"
expect_match "v2: the exec'd process is cloned into the cgroup too" "$(cat "$T/st-exec")" "clone3\(.*CLONE_INTO_CGROUP"
check "v2: and no cgroup.procs write for it" sh -c "[ -s '$T/st-exec' ] && ! grep -q 'cgroup.procs.*WR' '$T/st-exec'"
check "HUSK_NO_CLONE_INTO_CGROUP=1: a plain clone and a cgroup.procs write" sh -c "! grep -q CLONE_INTO_CGROUP '$T/st-old' && grep -q 'cgroup.procs.*WR' '$T/st-old'"
expect_match "HUSK_NO_CLONE_INTO_CGROUP=1: the init is in its cgroup too" "$cic" "^old-cgroup=/$CG/cic-$$\$"
check "nothing left after the CLONE_INTO_CGROUP runs" nothing_left cic-$$

# --- bad input: a clear error and no half-made cgroup ---
bundle "$B" true
bad() { # desc filter want id
	cp "$B/config.json" "$T/good.json"
	edit "$B" "$2" --arg p "/$CG/$4"
	out=$(h run -b "$B" "$4" 2>&1 </dev/null)
	expect_match "$1" "$out" "$3"
	check "no cgroup left: $1" [ ! -e "$(cgdir memory "$4")" ] 
	check "nothing left: $1" nothing_left "$4"
	cp "$T/good.json" "$B/config.json"
}
bad "negative memory limit" '.linux.resources.memory.limit = -5' 'linux.resources.memory.limit: -5 is out of range' neg
bad "swap below memory" '.linux.resources.memory = {"limit":67108864,"swap":1048576}' 'swap: \(1048576\) must not be less than limit' swap
bad "cgroupsPath with .. up to the root" '.linux.cgroupsPath = "/a/../.."' 'must not be the root cgroup' dotdot
if $V2; then
	bad "unified: not a file name" '.linux.resources.unified = {"../x.y":"1"} | .linux.cgroupsPath = $p' '(is not a|invalid) cgroup file name' unif
	# cgroup core files that act on processes are no resource settings (runc
	# writes them: cgroup.freeze hangs it, cgroup.procs moves a host process in)
	bad "unified: cgroup.kill refused" '.linux.resources.unified = {"cgroup.kill":"1"} | .linux.cgroupsPath = $p' \
		'"cgroup.kill" is not a resource setting' unikill
	bad "unified: cgroup.subtree_control refused" '.linux.resources.unified = {"cgroup.subtree_control":"+pids"} | .linux.cgroupsPath = $p' \
		'"cgroup.subtree_control" is not a resource setting' unisub
	bad "v2: swap without a memory limit" '.linux.resources.memory = {"swap":1048576} | .linux.cgroupsPath = $p' 'needs a memory limit' swap2
else
	bad "a controller the host lacks (hugetlb)" '.linux.resources.hugepageLimits = [{"pageSize":"2MB","limit":2097152}] | .linux.cgroupsPath = $p' \
		'hugetlb.2MB.limit_in_bytes needs the hugetlb cgroup controller' huge
	bad "unified on a v1 host" '.linux.resources.unified = {"memory.high":"1"} | .linux.cgroupsPath = $p' 'needs cgroup v2 controllers' unif
fi
bad "a value the kernel refuses" '.linux.resources.cpu = {"quota":5, "period":100000} | .linux.cgroupsPath = $p' \
	"$(v1v2 'write "5" to .*cpu.cfs_quota_us: invalid argument' 'write "5 100000" to .*cpu.max: invalid argument')" quota
bad "systemd cgroupsPath" '.linux.cgroupsPath = "system.slice:husk:x"' 'needs the systemd cgroup driver' sysd
# someone else's cgroup is never taken over, nor removed
mkdir -p "$(cgdir pids busy-$$)"
sh -c "echo \$\$ > $(cgdir pids busy-$$)/cgroup.procs; exec sleep $LONG2" &
HOLDER=$!
# the holder has moved in (cgroup files have no size: not test -s)
wait_until 30 grep -q . "$(cgdir pids busy-$$)/cgroup.procs"
edit "$B" '.linux.cgroupsPath = $p' --arg p "/$CG/busy-$$"
expect_match "a cgroup with processes is refused" "$(h run -b "$B" busy-$$ 2>&1 </dev/null)" 'is not empty'
check "and left as it was" [ -d "$(cgdir pids busy-$$)" ]
kill $HOLDER; wait $HOLDER 2>/dev/null
HOLDER=""
finish
