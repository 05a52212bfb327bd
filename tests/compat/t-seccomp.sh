#!/bin/sh
# Seccomp against runc (and crun where runc 1.1.5 is wrong, see docs/compat.md):
# no_new_privs only from process.noNewPrivileges, the filter loaded so late
# that a profile denying what the runtime itself would call after it (close_range,
# getcwd) still works, and a syscall newer than the profile gets ENOSYS.
. "$(dirname "$0")/lib.sh"

# crun RUN DIR: crun 1.8.1 (it refuses hybrid cgroups: a private mount namespace without the v2 mount)
under_crun() {
	unshare -m sh -c 'mount --make-rprivate / && { umount /sys/fs/cgroup/unified 2>/dev/null; true; } &&
		exec crun --root "$1/root-crun" run -b "$2" "c-crun-$3"' sh "$T" "$1" "$$-$(date +%s%N)" \
		>"$T/out" 2>"$T/err" </dev/null
	RC=$? OUT=$(cat "$T/out") ERR=$(cat "$T/err")
}

# an allow list (husk's default profile's) without the named syscalls, default EPERM
mkdir -p "$T/sp" && (cd "$T/sp" && "$HUSK" spec --seccomp-default) || { echo "husk spec failed"; exit 1; }
allow_list_without() {
	jq -c --arg drop "$1" '.linux.seccomp | .syscalls[0].names -= ($drop | split(","))
		| {defaultAction: "SCMP_ACT_ERRNO", architectures, syscalls: [.syscalls[0]]}' "$T/sp/config.json"
}

rt_bundle "$T/b" sh -c 'grep NoNewPrivs /proc/self/status'
edit "$T/b" '.process.noNewPrivileges = false | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
same "a profile with noNewPrivileges false leaves NoNewPrivs 0" "$T/b"
expect_match "runc: NoNewPrivs 0" "$RUNC_OUT" 'NoNewPrivs:.0'
edit "$T/b" '.process.noNewPrivileges = true'
same "a profile with noNewPrivileges true sets NoNewPrivs 1" "$T/b"
expect_match "runc: NoNewPrivs 1" "$RUNC_OUT" 'NoNewPrivs:.1'

# default SCMP_ACT_ERRNO without close_range, both load points
for nnp in true false; do
	rt_bundle "$T/b" sh -c 'echo works'
	edit "$T/b" ".process.noNewPrivileges = $nnp | .linux.seccomp = \$p" --argjson p "$(allow_list_without close_range)"
	same "default ERRNO, no close_range in the profile, noNewPrivileges $nnp" "$T/b"
	expect_eq "runc runs it (noNewPrivileges $nnp)" "$RUNC_OUT" works
done

# the syscalls the init makes after the load, denied one at a time (uid 1000,
# noNewPrivileges false: the load comes before the user switch): runc's answer
# for each; close must fail create cleanly, not leave it waiting for an EOF
for sc in close setuid setgid setresuid setresgid; do
	rt_bundle "$T/b" sh -c 'echo works'
	edit "$T/b" '.process.noNewPrivileges = false | .process.user.uid = 1000 | .process.user.gid = 1000 |
		.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{names: [$sc], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}' --arg sc $sc
	same_status "$sc denied, noNewPrivileges false" "$T/b"
	expect_eq "husk's output with $sc denied is runc's" "$OUT" "$RUNC_OUT"
done

# getcwd denied with noNewPrivileges false: runc 1.1.5 fails, crun (the model) runs it
rt_bundle "$T/b" sh -c 'echo works'
edit "$T/b" '.process.noNewPrivileges = false | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["getcwd"], action: "SCMP_ACT_ERRNO"}]}'
under_crun "$T/b"
expect_eq "crun runs a profile denying getcwd (noNewPrivileges false)" "$RC $OUT" "0 works"
under husk "$T/b"
expect_eq "husk runs it as crun" "$RC $OUT" "0 works"
edit "$T/b" '.process.noNewPrivileges = true'
same "getcwd denied, noNewPrivileges true" "$T/b"

# syscall(1000) is newer than any profile: ENOSYS, not the default errno (runc's
# seccomp_syscall_test1); a denied known syscall (unshare, 272) keeps the errno
cp "$BUILD/sysno" "$T/sysno.bin"
for nnp in true false; do
	rt_bundle "$T/b" /sysno 1000 272
	cp "$T/sysno.bin" "$T/b/rootfs/sysno"
	edit "$T/b" ".process.noNewPrivileges = $nnp | .linux.seccomp = (\$p | .defaultErrnoRet = 1)" \
		--argjson p "$(allow_list_without unshare)"
	same "syscall(1000) under default ERRNO(1), noNewPrivileges $nnp" "$T/b"
	expect_eq "runc: 1000 → -ENOSYS, unshare → -EPERM" "$(echo $RUNC_OUT)" "-38 -1"
done
# runc patches only for the architectures the profile lists: none, no stub
edit "$T/b" '.linux.seccomp |= del(.architectures)'
same "syscall(1000) with no architectures listed" "$T/b"
expect_eq "runc: no stub without architectures" "$(echo $RUNC_OUT)" "-1 -1"
# a permissive default gets no stub either
edit "$T/b" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
	syscalls: [{names: ["unshare"], action: "SCMP_ACT_ERRNO"}]}'
same "syscall(1000) under default ALLOW" "$T/b"
expect_eq "runc: the kernel's own ENOSYS" "$(echo $RUNC_OUT)" "-38 -1"

# husk exec: the same sequence
for case in "close_range true" "close_range false" "getcwd false"; do
	set -- $case
	rt_bundle "$T/b" sleep "$LONG"
	if [ "$1" = close_range ]; then
		edit "$T/b" ".process.noNewPrivileges = $2 | .linux.seccomp = \$p" --argjson p "$(allow_list_without close_range)"
	else
		edit "$T/b" ".process.noNewPrivileges = $2 | .linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\",
			syscalls: [{names: [\"getcwd\"], action: \"SCMP_ACT_ERRNO\"}]}"
	fi
	id=x-$$-$1-$2
	cli husk run -d -b "$T/b" "$id"
	cli husk exec "$id" sh -c 'echo works; grep NoNewPrivs /proc/self/status'
	expect_eq "exec with $1 denied, noNewPrivileges $2" "$RC $(echo $OUT)" \
		"0 works NoNewPrivs: $([ "$2" = true ] && echo 1 || echo 0)"
	cli husk delete -f "$id"
done
finish
