#!/bin/sh
# cgroup v2, runc as the oracle (issue 18 faults 1-4, 6): the default device
# filter, a listed device under deny-all, nested cgroup paths on a fresh
# hierarchy, io weights through BFQ, update --memory -1 and swap, the
# memory+swap figure of events --stats, and /sys/fs/cgroup inside.
#
# Needs a pure cgroup v2 host: run it in the VM, which boots Debian's 6.1
# kernel with cgroup_no_v1=all and this machine's / read-only:
#   HUSK_BUILD=$PWD/build/plain tools/vm -- tests/vm/t-cgroup-v2.sh
# In the fresh guest the root's subtree_control is empty, so husk runs first
# in each pair and must enable the controllers itself.
set -u
[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] ||
	{ echo "needs a pure cgroup v2 host (run it through tools/vm)"; exit 1; }
. "$(dirname "$0")/../compat/lib.sh"

CG=husk-v2-$$
B=$T/b
rt_bundle "$B" sh /probe.sh
cat >"$B/rootfs/probe.sh" <<'EOF'
try() {
	for mode in r w; do
		if [ $mode = r ]; then (: <"$1") 2>/tmp/e; else (: >"$1") 2>/tmp/e; fi && res=ok ||
			{ grep -q "not permitted" /tmp/e && res=eperm || res=other; }
		printf '%s:%s=%s ' "$1" $mode $res
	done
}
case ${PROBE:-devices} in
devices)
	[ -n "${MK:-}" ] && { mknod /dev/k $MK 2>/dev/null && printf 'mknod=ok ' || printf 'mknod=fail '; }
	for d in /dev/null /dev/zero /dev/full /dev/k; do [ -e $d ] && try $d; done
	echo ;;
sysfs) # what a program looking for its limits sees
	awk '$5 == "/sys/fs/cgroup" { for (i = 7; $i != "-"; i++) ; print "mount", $(i + 1), $4, ($6 ~ /^ro/ ? "ro" : "rw") }' /proc/self/mountinfo
	echo "self $(cat /proc/self/cgroup)"
	echo "memory.max $(cat /sys/fs/cgroup/memory.max 2>&1)"
	echo "pids.max $(cat /sys/fs/cgroup/pids.max 2>&1)" ;;
sleep) exec sleep 300 ;;
esac
exit 0
EOF
caps='["CAP_MKNOD","CAP_KILL","CAP_AUDIT_WRITE"]'
edit "$B" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' --argjson c "$caps"
base=$T/base.json
cp "$B/config.json" "$base"
cleanup_v2() {
	compat_cleanup
	for d in $(find /sys/fs/cgroup -depth -type d -path "*/$CG*" 2>/dev/null); do rmdir "$d"; done 2>/dev/null
}
trap cleanup_v2 EXIT

expect_eq "the guest's root subtree_control starts empty" "$(cat /sys/fs/cgroup/cgroup.subtree_control)" ""

# pair DESC JQ [ENV...]: the bundle under husk (first) then runc, each in its
# own cgroup /$CG/RT/N; output and exit status must agree
n=0
pair() {
	desc=$1 filter=$2; shift 2
	n=$((n + 1))
	for rt in husk runc; do
		jq "$filter | .linux.cgroupsPath = \"/$CG/$rt/$n\" | .process.env += \$e" \
			--argjson e "$(printf '%s\n' "$@" | jq -R . | jq -sc 'map(select(. != ""))')" "$base" >"$B/config.json"
		under $rt "$B"
		OUT=$(printf '%s' "$OUT" | sed "s#/$CG/$rt/#/$CG/RT/#g") # the paths differ by the runtime's name only
		eval "rc_$rt=\$RC out_$rt=\$OUT err_$rt=\$ERR"
	done
	if [ "$rc_husk" = "$rc_runc" ] && [ "$out_husk" = "$out_runc" ]; then ok "$desc"
	else not_ok "$desc: husk $rc_husk '$out_husk' ($err_husk), runc $rc_runc '$out_runc' ($err_runc)"; fi
}

# --- fault 2: nested paths on a hierarchy whose root enables nothing ---
# detached ID JQ FILE: run -d under husk then runc in /$CG/RT/ID; FILE of each
# cgroup read from the host into file_husk/file_runc, then deleted
detached() {
	for rt in husk runc; do
		jq "$2 | .linux.cgroupsPath = \"/$CG/$rt/$1\" | .process.env += [\"PROBE=sleep\"]" "$base" >"$B/config.json"
		cli $rt run -d -b "$B" "$1-$$"
		[ "$RC" = 0 ] || not_ok "$rt run -d $1: $ERR"
		eval "file_$rt=\$(tr '\n' ' ' <\"/sys/fs/cgroup/$CG/$rt/$1/$3\" 2>&1)"
		cli $rt delete -f "$1-$$"
	done
}
detached nested '.linux.resources.memory = {limit: 67108864}' memory.max
expect_eq "a nested cgroupsPath on a fresh hierarchy: memory.max (runc)" "$file_runc" "67108864 "
expect_eq "a nested cgroupsPath on a fresh hierarchy: memory.max as runc's" "$file_husk" "$file_runc"

# --- ".." in cgroupsPath is cleaned lexically as runc's CleanPath (never above
# the root: a relative "../x" is x under the runtime's own cgroup) ---
for rt in husk runc; do
	i=0
	for p in "/$CG/$rt/x/../dd" "../$CG-rel-$rt"; do
		i=$((i + 1))
		jq '.linux.cgroupsPath = $p | .process.env += ["PROBE=sysfs"]' --arg p "$p" "$base" >"$B/config.json"
		under $rt "$B"
		eval "dd${i}_$rt=\"\$RC \$(printf '%s' \"\$OUT\" | grep '^self ' | sed \"s#/\$rt/#/RT/#; s#-rel-\$rt#-rel-RT#\")\""
	done
done
expect_eq "cgroupsPath /x/../dd: the cgroup as runc's" "$dd1_husk" "$dd1_runc"
expect_eq "cgroupsPath /x/../dd is /dd" "$dd1_husk" "0 self 0::/$CG/RT/dd"
expect_eq "cgroupsPath ../x: the cgroup as runc's" "$dd2_husk" "$dd2_runc"

# --- a parent that holds a process (its threaded controllers on, so a new
# child is "domain invalid"): runc's CreateCgroupPath makes the new cgroup
# threaded when the container needs no domain controller, and refuses it when
# it does (memory) ---
for rt in husk runc; do
	mkdir -p "/sys/fs/cgroup/$CG/$rt/busy"
	sleep 300 &
	echo $! >"/sys/fs/cgroup/$CG/$rt/busy/cgroup.procs"
	eval "busy_$rt=\$!"
done
for rt in husk runc; do
	i=0
	for f in '.linux.resources = {pids: {limit: 9}}' '.linux.resources = {memory: {limit: 67108864}}'; do
		i=$((i + 1))
		jq "$f"' | .linux.cgroupsPath = $p | .process.args = ["sh", "-c", "p=$(sed -n s/^0:://p /proc/self/cgroup); echo $p $(cat /sys/fs/cgroup$p/cgroup.type) $(cat /sys/fs/cgroup$p/pids.max)"]' \
			--arg p "/$CG/$rt/busy/kid$i" "$base" >"$B/config.json"
		under $rt "$B"
		eval "busy${i}_$rt=\"\$RC \$(printf '%s' \"\$OUT\" | sed \"s#/\$rt/#/RT/#\")\""
	done
done
expect_eq "under a parent with a process: the cgroup as runc's (threaded)" "$busy1_husk" "$busy1_runc"
expect_eq "under a parent with a process: runc's answer" "$busy1_runc" "0 /$CG/RT/busy/kid1 threaded 9"
expect_eq "under a parent with a process, with a memory limit: refused as by runc" "${busy2_husk%% *}" "${busy2_runc%% *}"
kill "$busy_husk" "$busy_runc"
wait "$busy_husk" "$busy_runc" 2>/dev/null

# --- a frozen parent freezes a new cgroup: husk refuses the create (an init
# born there never runs: husk waited for it forever, as runc 1.1.5 does) ---
mkdir -p "/sys/fs/cgroup/$CG/frz"
echo 1 >"/sys/fs/cgroup/$CG/frz/cgroup.freeze"
jq '.linux.cgroupsPath = $p | .process.args = ["true"]' --arg p "/$CG/frz/c" "$base" >"$B/config.json"
COMPAT_TIMEOUT=40 under husk "$B"
expect_eq "under a frozen parent: refused" "$RC" 1
expect_match "under a frozen parent: why" "$ERR" 'is frozen: a cgroup above it is frozen'
check "under a frozen parent: no cgroup left" test ! -e "/sys/fs/cgroup/$CG/frz/c"
check "under a frozen parent: no state left" test -z "$("$HUSK" --root "$T/root-husk" list -q)"
echo 0 >"/sys/fs/cgroup/$CG/frz/cgroup.freeze"

# --- fault 1: devices are confined by default; a listed device obeys deny-all ---
pair "no device rules: a mknod'd loop0 cannot be opened (runc's default filter)" 'del(.linux.resources)' "MK=b 7 0"
pair "no device rules: runc's default devices open" 'del(.linux.resources)'
pair "deny-all: a listed /dev/full gets no rule" \
	'.linux.resources.devices = [{allow: false, access: "rwm"}] | .linux.devices = [{path: "/dev/full", type: "c", major: 1, minor: 7}]'
pair "deny-all: a mknod'd copy of a listed device is refused too" \
	'.linux.resources.devices = [{allow: false, access: "rwm"}] | .linux.devices = [{path: "/dev/loop0x", type: "b", major: 7, minor: 0}]' "MK=b 7 0"

# --- fault 3: /sys/fs/cgroup inside is cgroup2, rooted at the container's cgroup ---
pair "/sys/fs/cgroup inside, with a cgroup namespace" \
	'.linux.namespaces += [{type: "cgroup"}] | .linux.resources.memory = {limit: 33554432} | .linux.resources.pids = {limit: 42}' PROBE=sysfs
pair "/sys/fs/cgroup inside, without a cgroup namespace" \
	'.linux.resources.memory = {limit: 33554432}' PROBE=sysfs
pair "/sys/fs/cgroup inside, rw when the mount says rw" \
	'.linux.namespaces += [{type: "cgroup"}] | (.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |= map(select(. != "ro"))' PROBE=sysfs

# --- fault 4: io weights (BFQ where it is loaded) ---
# without BFQ: the weight is converted for io.weight, per-device weights are skipped (runc)
pair "blockIO weightDevice without BFQ starts (runc skips it)" \
	'.linux.resources.blockIO = {weight: 300, weightDevice: [{major: 7, minor: 0, weight: 200}]}' PROBE=none
detached io1 '.linux.resources.blockIO = {weight: 300}' io.weight
expect_eq "without BFQ: io.weight as runc's" "$file_husk" "$file_runc"
modprobe bfq || echo "modprobe bfq failed"
modprobe loop || echo "modprobe loop failed"
echo bfq >/sys/block/loop0/queue/scheduler || echo "no bfq scheduler for loop0"
detached io2 '.linux.resources.blockIO = {weight: 300, weightDevice: [{major: 7, minor: 0, weight: 200}]}' io.bfq.weight
expect_eq "with BFQ: io.bfq.weight as runc writes it" "$file_husk" "$file_runc"
expect_match "with BFQ: io.bfq.weight holds the weight and the device's" "$file_husk" "default 300 7:0 200"

# --- fault 6: update --memory -1 lifts swap; events --stats reports memory+swap ---
for rt in husk runc; do
	jq '.linux.resources.memory = {limit: 67108864, swap: 134217728} | .linux.cgroupsPath = $p | .process.env += ["PROBE=sleep"]' \
		--arg p "/$CG/$rt/up" "$base" >"$B/config.json"
	cli $rt run -d -b "$B" up-$$
	[ "$RC" = 0 ] || not_ok "$rt run -d: $ERR"
	cli $rt events --stats up-$$
	eval "stats_$rt=\$OUT"
done
q='.data.memory | [.usage.limit, .swap.limit, (.swap.usage >= .usage.usage)] | @text'
# every key runc prints, also the zero failcnt, kernel and kernelTCP entries and
# each hugetlb page size (husk left them out on v2)
keys='[paths(scalars) | map(tostring) | join(".")] | map(select(test("\\.[0-9]+(\\.|$)") | not)) | sort | join(" ")'
expect_eq "events --stats: every key as runc's" "$(printf '%s' "$stats_husk" | jq -r "$keys")" \
	"$(printf '%s' "$stats_runc" | jq -r "$keys")"
expect_eq "events --stats: memory and memory+swap limits as runc's" \
	"$(printf '%s' "$stats_husk" | jq -r "$q")" "$(printf '%s' "$stats_runc" | jq -r "$q")"
for rt in husk runc; do
	cli $rt update --memory -1 up-$$
	eval "urc_$rt=\$RC"
	eval "swap_$rt=\$(cat /sys/fs/cgroup/$CG/$rt/up/memory.swap.max) max_$rt=\$(cat /sys/fs/cgroup/$CG/$rt/up/memory.max)"
	cli $rt events --stats up-$$
	eval "stats_$rt=\$OUT"
	cli $rt delete -f up-$$
done
expect_eq "update --memory -1: exit status as runc's" "$urc_husk" "$urc_runc"
expect_eq "update --memory -1: memory.max as runc's" "$max_husk" "$max_runc"
expect_eq "update --memory -1: memory.swap.max as runc's" "$swap_husk" "$swap_runc"
expect_eq "events --stats after update: unlimited figures as runc's" \
	"$(printf '%s' "$stats_husk" | jq -r "$q")" "$(printf '%s' "$stats_runc" | jq -r "$q")"

# --- update --cpu-period or --cpu-quota alone keeps the other at the
# container's value (runc 1.1's update; husk wrote "max PERIOD", lifting the
# quota, and 100 ms for a quota alone) ---
for rt in husk runc; do
	jq '.linux.resources.cpu = {quota: 50000, period: 100000} | .linux.cgroupsPath = $p | .process.env += ["PROBE=sleep"]' \
		--arg p "/$CG/$rt/cpu" "$base" >"$B/config.json"
	cli $rt run -d -b "$B" cpu-$$
	[ "$RC" = 0 ] || not_ok "$rt run -d cpu: $ERR"
	cli $rt update --cpu-period 50000 cpu-$$
	eval "cp1_$rt=\"\$RC \$(cat /sys/fs/cgroup/$CG/$rt/cpu/cpu.max)\""
	cli $rt update --cpu-quota 20000 cpu-$$
	eval "cp2_$rt=\"\$RC \$(cat /sys/fs/cgroup/$CG/$rt/cpu/cpu.max)\""
	cli $rt delete -f cpu-$$
done
expect_eq "update --cpu-period alone: cpu.max as runc's" "$cp1_husk" "$cp1_runc"
expect_eq "update --cpu-period alone keeps the quota" "$cp1_husk" "0 50000 50000"
expect_eq "update --cpu-quota alone: cpu.max as runc's" "$cp2_husk" "$cp2_runc"
expect_eq "update --cpu-quota alone keeps the period" "$cp2_husk" "0 20000 50000"

# --- fault 5: the shim's Stats is containerd's v2 Metrics here ---
mkdir -p "$T/sh"
jq '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 33}} | .linux.cgroupsPath = $p | .process.env += ["PROBE=sleep"]' \
	--arg p "/$CG/shim" "$base" >"$T/sh/config.json"
cp -a "$B/rootfs" "$T/sh/rootfs"
export HUSK_SHIM_ROOT=$T/shimroot
"$BUILD/husk-shim" -id sh-$$ -root "$T/root-shim" -socket "$T/sh.sock" serve 2>"$T/sh.log" &
shimpid=$!
for _ in $(seq 600); do [ -S "$T/sh.sock" ] && break; sleep 0.1; done # 60 s: TCG is slow
"$BUILD/shimctl" -a "$T/sh.sock" create sh-$$ --bundle "$T/sh" >/dev/null && "$BUILD/shimctl" -a "$T/sh.sock" start sh-$$ >/dev/null
stats=$("$BUILD/shimctl" -a "$T/sh.sock" --json stats sh-$$ 2>&1)
expect_eq "shim Stats: containerd's v2 Metrics on a pure v2 host" "$(printf '%s' "$stats" | jq -r .type 2>&1)" io.containerd.cgroups.v2.Metrics
expect_eq "shim Stats: memory limit and pids limit from the v2 files" \
	"$(printf '%s' "$stats" | jq -c '[.memory_limit, .pids_limit, .pids >= 1, .memory_usage > 0, .cpu_usage_ns > 0]' 2>&1)" '[67108864,33,true,true,true]'
"$BUILD/shimctl" -a "$T/sh.sock" kill sh-$$ KILL >/dev/null 2>&1
"$BUILD/shimctl" -a "$T/sh.sock" --timeout 20000 wait sh-$$ >/dev/null 2>&1
"$BUILD/shimctl" -a "$T/sh.sock" delete sh-$$ >/dev/null 2>&1
"$BUILD/shimctl" -a "$T/sh.sock" shutdown sh-$$ >/dev/null 2>&1
wait "$shimpid"
finish
