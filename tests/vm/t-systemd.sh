#!/bin/bash
# t-systemd: the systemd cgroup driver. husk --systemd-cgroup and runc
# --systemd-cgroup (the oracle) run the same bundles; the unit, its properties,
# the cgroup files, update, pause/resume, kill and delete must agree, and a
# failed create must leave no unit. Needs systemd as PID 1 on a pure cgroup v2
# host: run it in the VM (tools/vm --systemd -- tests/vm/t-systemd.sh); this
# machine has no systemd.
#   HUSK_BUILD=build/plain tools/vm --systemd -- tests/vm/t-systemd.sh
set -u
. "$(dirname "$0")/../lib/checks.sh"

BUILD=${HUSK_BUILD:?HUSK_BUILD must point at the build directory}
HUSK=$BUILD/husk
RUNC=${RUNC:-$(command -v runc)}
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
[ -d /run/systemd/system ] && [ "$(cat /proc/1/comm)" = systemd ] ||
	{ echo "needs systemd as PID 1 (run it through tools/vm --systemd)"; exit 1; }
[ -f /sys/fs/cgroup/cgroup.controllers ] || { echo "needs a pure cgroup v2 host"; exit 1; }
command -v jq >/dev/null || { echo "needs jq"; exit 1; }

T=$(mktemp -d /tmp/husk-sd.XXXXXX)
tag=hsd$$
CG=/sys/fs/cgroup

# rt RT ARGS...: RT with its private root and the systemd driver; sets RC, OUT, ERR
rt() {
	r=$1; shift
	case $r in husk) bin=$HUSK ;; runc) bin=$RUNC ;; esac
	"$bin" --root "$T/root-$r" --systemd-cgroup "$@" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	OUT=$(cat "$T/out") ERR=$(cat "$T/err")
}
status_of() { rt "$1" state "$2"; printf '%s' "$OUT" | jq -r .status 2>/dev/null; }
prop() { systemctl show -p "$2" --value "$1" 2>/dev/null; }
# the unit is gone: not loaded, or loaded but inactive with no cgroup
unit_gone() {
	st=$(systemctl show -p LoadState,ActiveState --value "$1" 2>/dev/null | tr '\n' ' ')
	case $st in "not-found "* | *" inactive ") return 0 ;; esac
	echo "unit $1: $st" >&2
	return 1
}
wait_stopped() {
	for _ in $(seq 600); do [ "$(status_of "$1" "$2")" = stopped ] && return 0; sleep 0.1; done # 60 s: TCG is slow
	return 1
}

cleanup() {
	for r in runc husk; do
		[ -d "$T/root-$r" ] || continue
		for id in $("$([ $r = husk ] && echo "$HUSK" || echo "$RUNC")" --root "$T/root-$r" list -q 2>/dev/null); do
			"$([ $r = husk ] && echo "$HUSK" || echo "$RUNC")" --root "$T/root-$r" --systemd-cgroup delete -f "$id" >/dev/null 2>&1
		done
	done
	systemctl stop "$tag.slice" >/dev/null 2>&1
	systemctl reset-failed >/dev/null 2>&1
	find "$T" -mount -depth \( -type f -o -type l -o -type p -o -type s -o -type c -o -type b \) -delete 2>/dev/null
	find "$T" -mount -depth -type d -empty -delete 2>/dev/null
}
trap cleanup EXIT

"$BUILD/mkbundle" --husk "$HUSK" "$T/b" sleep 1000 >/dev/null || { echo "mkbundle failed"; exit 1; }
# CAP_MKNOD, so that only the device rules stand between a node and its use
caps='.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
limits=$caps' | .linux.resources = {"memory": {"limit": 268435456, "reservation": 134217728, "swap": 536870912},
	"cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
	"pids": {"limit": 100}, "blockIO": {"weight": 300}}'
bundle_for() { # bundle_for RT CGROUPSPATH [JQ]: a copy of the bundle's config with cgroupsPath
	mkdir -p "$T/b-$1"
	jq --arg p "$2" --arg root "$T/b/rootfs" "$limits | .root.path = \$root | .linux.cgroupsPath = \$p | ${3:-.}" \
		"$T/b/config.json" >"$T/b-$1/config.json"
}

# --- create: the scope, its properties and files ---
props="Slice Delegate MemoryAccounting CPUAccounting IOAccounting TasksAccounting MemoryMax MemoryLow
	MemorySwapMax CPUWeight CPUQuotaPerSecUSec CPUQuotaPeriodUSec TasksMax AllowedCPUs AllowedMemoryNodes
	DevicePolicy DeviceAllow"
files="memory.max memory.low memory.swap.max cpu.weight cpu.max pids.max cpuset.cpus cpuset.mems io.weight"
for r in runc husk; do
	bundle_for $r "system.slice:$tag-$r:c1"
	rt $r create -b "$T/b-$r" c1
	expect_eq "$r: create with the systemd driver" "$RC" 0
	[ "$RC" = 0 ] || echo "$ERR"
	rt $r start c1
done
for r in runc husk; do
	unit=$tag-$r-c1.scope
	expect_eq "$r: the scope is active" "$(systemctl is-active "$unit")" active
	expect_eq "$r: Description" "$(prop "$unit" Description)" "libcontainer container c1"
	expect_eq "$r: ControlGroup" "$(prop "$unit" ControlGroup)" "/system.slice/$unit"
	rt $r state c1
	pid=$(printf '%s' "$OUT" | jq -r .pid)
	check "$r: the init ($pid) is in the scope" grep -qx "$pid" "$CG/system.slice/$unit/cgroup.procs"
done
for p in $props; do
	expect_eq "property $p as runc's" "$(prop "$tag-husk-c1.scope" "$p")" "$(prop "$tag-runc-c1.scope" "$p")"
done
for f in $files; do
	expect_eq "file $f as runc's" "$(cat "$CG/system.slice/$tag-husk-c1.scope/$f" 2>&1)" \
		"$(cat "$CG/system.slice/$tag-runc-c1.scope/$f" 2>&1)"
done
expect_eq "MemoryMax is the limit" "$(prop "$tag-husk-c1.scope" MemoryMax)" 268435456
expect_eq "CPUWeight from 512 shares" "$(prop "$tag-husk-c1.scope" CPUWeight)" 20

# --- devices: confined by default as under runc (systemd's list, then husk's filter) ---
for r in runc husk; do
	# (the runtimes share the rootfs: a node of each's own)
	rt $r exec c1 sh -c "mknod /tmp/vcs-$r c 7 0 && head -c 1 /tmp/vcs-$r 2>&1 >/dev/null; echo rc=\$?"
	eval "dev_$r=\$OUT"
	rt $r exec c1 sh -c 'head -c 1 /dev/zero | od -An -tx1'
	eval "zero_$r=\$OUT"
done
expect_eq "a mknod'd /dev/vcs as under runc" "${dev_husk//vcs-husk/vcs}" "${dev_runc//vcs-runc/vcs}"
expect_match "husk: /dev/vcs refused" "$dev_husk" 'Operation not permitted'
expect_eq "/dev/zero usable as under runc" "$zero_husk" "$zero_runc"

# --- later verbs find the driver in the state (no flag) ---
"$HUSK" --root "$T/root-husk" ps c1 >/dev/null 2>&1
expect_eq "husk ps without --systemd-cgroup" "$?" 0

# --- update goes through systemd, then the files ---
for r in runc husk; do
	rt $r update --memory 300m --memory-swap 600m --pids-limit 50 --cpu-quota 30000 --cpu-share 1024 c1
	expect_eq "$r: update" "$RC" 0
	[ "$RC" = 0 ] || echo "$ERR"
done
for p in MemoryMax MemorySwapMax TasksMax CPUQuotaPerSecUSec CPUWeight DeviceAllow; do
	expect_eq "after update: $p as runc's" "$(prop "$tag-husk-c1.scope" "$p")" "$(prop "$tag-runc-c1.scope" "$p")"
done
expect_eq "after update: TasksMax" "$(prop "$tag-husk-c1.scope" TasksMax)" 50
for f in memory.max memory.swap.max pids.max cpu.max cpu.weight; do
	expect_eq "after update: $f as runc's" "$(cat "$CG/system.slice/$tag-husk-c1.scope/$f")" \
		"$(cat "$CG/system.slice/$tag-runc-c1.scope/$f")"
done

# the update's values alone, as runc's update (it zeroes what is not given):
# swap stays as it is after --memory, --memory-swap alone needs a limit,
# --memory -1 lifts swap too
sc() { cat "$CG/system.slice/$tag-$1-c1.scope/$2" 2>&1; }
for r in runc husk; do
	rt $r update --memory 200m c1
	eval "u1_$r=\$RC:\$(sc $r memory.max):\$(sc $r memory.swap.max):\$(prop $tag-$r-c1.scope MemorySwapMax)"
	rt $r update --memory-swap 900m c1
	eval "u2_$r=\$RC:\$(sc $r memory.swap.max)"
	rt $r update --memory -1 c1
	eval "u3_$r=\$RC:\$(sc $r memory.max):\$(sc $r memory.swap.max):\$(prop $tag-$r-c1.scope MemoryMax):\$(prop $tag-$r-c1.scope MemorySwapMax)"
done
expect_eq "update --memory alone: status, memory.max, swap as runc's" "$u1_husk" "$u1_runc"
expect_eq "update --memory-swap alone: status and swap as runc's" "$u2_husk" "$u2_runc"
expect_eq "update --memory -1: status, files and properties as runc's" "$u3_husk" "$u3_runc"
expect_eq "update --memory -1 lifts swap" "$u3_husk" "0:max:max:infinity:infinity"
# systemd rewrites io.weight to its default when it applies new properties;
# husk writes the container's weight again (runc 1.1 leaves 100: docs/compat.md)
expect_eq "after updates: io.weight still the container's (blockIO.weight 300)" "$(sc husk io.weight)" "default 2930"

# --- pause / resume through cgroup.freeze ---
for r in runc husk; do
	rt $r pause c1
	expect_eq "$r: pause" "$RC:$(status_of $r c1)" "0:paused"
	check "$r: the scope is frozen" grep -qx 'frozen 1' "$CG/system.slice/$tag-$r-c1.scope/cgroup.events"
	rt $r resume c1
	expect_eq "$r: resume" "$RC:$(status_of $r c1)" "0:running"
done

# --- kill: the scope goes away with its last process; delete stops the unit ---
for r in runc husk; do
	rt $r kill c1 KILL
	check "$r: killed container stops" wait_stopped $r c1
	rt $r delete c1
	expect_eq "$r: delete" "$RC" 0
	check "$r: no unit after delete" unit_gone "$tag-$r-c1.scope"
	check "$r: no cgroup after delete" test ! -e "$CG/system.slice/$tag-$r-c1.scope"
done
# delete -f of a running container, with husk given no flag at all
for r in runc husk; do
	bundle_for $r "system.slice:$tag-$r:c2"
	rt $r run -d -b "$T/b-$r" c2
	expect_eq "$r: run -d" "$RC" 0
done
"$HUSK" --root "$T/root-husk" delete -f c2 >/dev/null 2>&1
expect_eq "husk: delete -f without --systemd-cgroup" "$?" 0
rt runc delete -f c2
for r in runc husk; do
	check "$r: delete -f removes the unit" unit_gone "$tag-$r-c2.scope"
	check "$r: delete -f removes the cgroup" test ! -e "$CG/system.slice/$tag-$r-c2.scope"
done

# --- the default cgroupsPath and nested slices ---
for r in runc husk; do
	bundle_for $r ""
	rt $r run -d -b "$T/b-$r" "$tag-$r-d"
	expect_eq "$r: default cgroupsPath" "$RC:$(prop "runc-$tag-$r-d.scope" ControlGroup)" \
		"0:/system.slice/runc-$tag-$r-d.scope"
	bundle_for $r "$tag-a-b.slice:$r:c3"
	rt $r run -d -b "$T/b-$r" c3
	expect_eq "$r: a nested slice expands" "$RC:$(prop "$r-c3.scope" ControlGroup)" \
		"0:/$tag.slice/$tag-a.slice/$tag-a-b.slice/$r-c3.scope"
	check "$r: its cgroup is there" test -d "$CG/$tag.slice/$tag-a.slice/$tag-a-b.slice/$r-c3.scope"
	rt $r delete -f c3
	rt $r delete -f "$tag-$r-d"
	check "$r: default unit removed" unit_gone "runc-$tag-$r-d.scope"
done

# --- unit and slice names systemd escapes in its cgroup tree (cg_escape: '_'
# before a name starting with '.' or '_', or named like a controller's file):
# the container's cgroup is the one systemd made for the unit, its
# ControlGroup. runc 1.1 writes the limits (and puts exec'd processes) in a
# directory of its own, with the bare name (docs/compat.md): systemd is the
# oracle here ---
for c in "system.slice:.$tag:esc1" "pids-$tag.slice:husk:esc2"; do
	id=${c##*:}
	bundle_for husk "$c" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 42}}'
	rt husk run -d -b "$T/b-husk" "$id"
	expect_eq "$c: run" "$RC" 0
	[ "$RC" = 0 ] || echo "$ERR"
	case $id in esc1) unit=.$tag-esc1.scope ;; esc2) unit=husk-esc2.scope ;; esac
	cg=$(prop "$unit" ControlGroup)
	case $id in esc1) want=/system.slice/_.$tag-esc1.scope ;; esc2) want=/_pids.slice/pids-$tag.slice/$unit ;; esac
	expect_eq "$c: systemd's cgroup of the unit" "$cg" "$want"
	expect_eq "$c: memory.max in the unit's cgroup" "$(cat "$CG$cg/memory.max" 2>&1)" 67108864
	expect_eq "$c: pids.max in the unit's cgroup" "$(cat "$CG$cg/pids.max" 2>&1)" 42
	rt husk exec "$id" cat /proc/self/cgroup
	expect_eq "$c: exec lands in the unit's cgroup" "$OUT" "0::$cg"
	rt husk ps --format json "$id"
	expect_eq "$c: ps finds the init in it" "$(printf '%s' "$OUT" | jq length)" 1
	rt husk delete -f "$id"
	expect_eq "$c: delete -f" "$RC" 0
	check "$c: no unit after delete" unit_gone "$unit"
	check "$c: no cgroup after delete" test ! -e "$CG$cg"
	check "$c: no directory of the bare name" test ! -e "$CG/system.slice/.$tag-esc1.scope" -a ! -e "$CG/pids.slice"
done
systemctl stop "pids-$tag.slice" >/dev/null 2>&1

# --- org.systemd.property.* annotations: extra unit properties (runc's
# initSystemdProps), ...Sec converted to ...USec; the spec's resources win ---
annot='.annotations = {"org.systemd.property.CollectMode": "'"'inactive-or-failed'"'",
	"org.systemd.property.TimeoutStopSec": "7", "org.systemd.property.MemoryMax": "@t 1073741824",
	"org.systemd.property.IOAccounting": "false"}'
for r in runc husk; do
	bundle_for $r "system.slice:$tag-$r:an" "$annot"
	rt $r run -d -b "$T/b-$r" an
	expect_eq "$r: run with property annotations" "$RC" 0
	[ "$RC" = 0 ] || echo "$ERR"
done
for p in CollectMode TimeoutStopUSec MemoryMax IOAccounting; do
	expect_eq "annotation: $p as runc's" "$(prop "$tag-husk-an.scope" "$p")" "$(prop "$tag-runc-an.scope" "$p")"
done
expect_eq "annotation: CollectMode set" "$(prop "$tag-husk-an.scope" CollectMode)" inactive-or-failed
expect_eq "annotation: TimeoutStopSec=7 is TimeoutStopUSec 7s" "$(prop "$tag-husk-an.scope" TimeoutStopUSec)" 7s
expect_eq "annotation: the spec's memory limit wins over MemoryMax" "$(prop "$tag-husk-an.scope" MemoryMax)" 268435456
for r in runc husk; do
	rt $r delete -f an
	check "$r: annotated unit removed" unit_gone "$tag-$r-an.scope"
	# a property systemd does not know: it refuses the unit
	bundle_for $r "system.slice:$tag-$r:an2" '.annotations = {"org.systemd.property.HuskBogus": "true"}'
	rt $r create -b "$T/b-$r" an2
	eval "rc5_$r=\$RC"
	check "$r: refused property leaves no unit" unit_gone "$tag-$r-an2.scope"
done
expect_eq "refused property: status as runc's" "$rc5_husk" "$rc5_runc"
# a Slice annotation puts the scope in another slice than cgroupsPath says:
# the cgroup the runtime computed holds no process, and delete -f must still
# end the container (husk waited 10 s for an init its cgroup kill missed and
# left it all; runc's delete -f kills the init by its pid)
for r in runc husk; do
	# (no resources: with this file's limits runc 1.1.5 fails this create)
	bundle_for $r "system.slice:$tag-$r:sl" ".annotations = {\"org.systemd.property.Slice\": \"'user.slice'\"} | .linux.resources = {}"
	rt $r run -d -b "$T/b-$r" sl
	eval "slrun_$r=\$RC"
	[ "$RC" = 0 ] || echo "$r: $ERR"
	expect_eq "$r: Slice annotation: the scope is in that slice" "$(prop "$tag-$r-sl.scope" ControlGroup)" "/user.slice/$tag-$r-sl.scope"
	rt $r delete -f sl
	eval "sldel_$r=\$RC"
	[ "$RC" = 0 ] || echo "$r: $ERR"
	check "$r: Slice annotation: no unit after delete -f" unit_gone "$tag-$r-sl.scope"
	check "$r: Slice annotation: no cgroup after delete -f" test ! -e "$CG/user.slice/$tag-$r-sl.scope"
done
expect_eq "Slice annotation: run and delete -f as runc's" "$slrun_husk:$sldel_husk" "$slrun_runc:$sldel_runc"

# --- the cgroupfs driver on a systemd host: no cgroupsPath is the id, and a
# relative path is taken, as runc's fs2 does, under the parent of the
# runtime's own cgroup (this script runs in husk-vm.service, which holds
# processes): /system.slice/ID (husk put them at the root: it read no own
# cgroup from the 0:: line, and took no path as /ID) ---
for r in runc husk; do
	case $r in husk) bin=$HUSK ;; runc) bin=$RUNC ;; esac
	for p in "" "$tag-rel-$r/x"; do
		mkdir -p "$T/b-$r"
		jq --arg p "$p" --arg root "$T/b/rootfs" '.root.path = $root | .linux.cgroupsPath = $p |
			.process.args = ["cat", "/proc/self/cgroup"] | if $p == "" then del(.linux.cgroupsPath) else . end' \
			"$T/b/config.json" >"$T/b-$r/config.json"
		out=$("$bin" --root "$T/root-$r-fs" run -b "$T/b-$r" "$tag-fs-$r" 2>&1 </dev/null)
		eval "fs_${r}_${p:+rel}=\"\$? \$(printf '%s' \"\$out\" | sed \"s/-$r/-RT/g\")\""
	done
done
expect_eq "cgroupfs, no cgroupsPath: the cgroup as runc's" "$fs_husk_" "$fs_runc_"
expect_eq "cgroupfs, no cgroupsPath: /system.slice/ID" "$fs_husk_" "0 0::/system.slice/$tag-fs-RT"
expect_eq "cgroupfs, a relative cgroupsPath: the cgroup as runc's" "$fs_husk_rel" "$fs_runc_rel"
rmdir "$CG/system.slice/$tag-rel-runc" "$CG/system.slice/$tag-rel-husk" 2>/dev/null

# --- failed creates leave no unit ---
for r in runc husk; do
	# fails in the init, after the scope exists
	bundle_for $r "system.slice:$tag-$r:bad1" \
		'.mounts += [{"destination": "/x", "source": "/nonexistent-husk-sd", "type": "bind", "options": ["bind"]}]'
	rt $r create -b "$T/b-$r" bad1
	eval "rc_$r=\$RC"
	check "$r: failed create leaves no unit" unit_gone "$tag-$r-bad1.scope"
	check "$r: failed create leaves no cgroup" test ! -e "$CG/system.slice/$tag-$r-bad1.scope"
	# a cgroup file the kernel lacks: fails after systemd made the scope
	bundle_for $r "system.slice:$tag-$r:bad4" '.linux.resources.unified = {"memory.husk_bogus": "1"}'
	rt $r create -b "$T/b-$r" bad4
	eval "rc4_$r=\$RC"
	check "$r: failed cgroup write leaves no unit" unit_gone "$tag-$r-bad4.scope"
	check "$r: failed cgroup write leaves no cgroup" test ! -e "$CG/system.slice/$tag-$r-bad4.scope"
	# systemd refuses the unit name
	bundle_for $r "system.slice:bad name:$tag-$r"
	rt $r create -b "$T/b-$r" bad2
	eval "rc2_$r=\$RC"
	[ -z "$(systemctl list-units --all --no-legend "bad name-$tag-$r.scope" 2>/dev/null)" ] &&
		ok "$r: refused unit name leaves nothing" || not_ok "$r: refused unit name left a unit"
	# a cgroupsPath that is not slice:prefix:name
	bundle_for $r "/not/systemd"
	rt $r create -b "$T/b-$r" bad3
	eval "rc3_$r=\$RC err3_$r=\$ERR"
done
expect_eq "failed create: status as runc's" "$rc_husk" "$rc_runc"
expect_eq "failed cgroup write: status as runc's" "$rc4_husk" "$rc4_runc"
expect_eq "refused unit name: status as runc's" "$rc2_husk" "$rc2_runc"
expect_eq "bad cgroupsPath: status as runc's" "$rc3_husk" "$rc3_runc"
expect_match "bad cgroupsPath: runc's message" "$err3_husk" 'expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups'
expect_eq "husk: no state left by failed creates" "$("$HUSK" --root "$T/root-husk" list -q)" ""

finish
