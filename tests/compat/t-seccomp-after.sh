#!/bin/sh
# What the init and an exec'd process call after their seccomp filter is
# loaded, with noNewPrivileges false (the filter comes before the user switch):
# no more than runc's init calls there, so a profile that runc runs is one husk
# runs. runc's init talks to its parent with write(2)/read(2) (JSON on the
# pipe), set the umask before and marks fds close-on-exec through
# /proc/self/fd; a profile without send/recv, umask or close_range must
# neither fail husk nor lose its error report, under a default action of
# ERRNO and of KILL_PROCESS. A process that dies unreported during setup is
# described by how it ended.
. "$(dirname "$0")/lib.sh"

# husk's default profile (docker's), default action $1, without the calls
# runc's init never makes after its load
mkdir -p "$T/sp" && (cd "$T/sp" && "$HUSK" spec --seccomp-default) || { echo "husk spec failed"; exit 1; }
profile() {
	jq -c --arg act "$1" '.linux.seccomp | .defaultAction = $act | .syscalls |= map(.names -=
		["sendto", "recvfrom", "sendmsg", "recvmsg", "send", "recv", "umask", "close_range"])' "$T/sp/config.json"
}

for act in SCMP_ACT_ERRNO SCMP_ACT_KILL_PROCESS; do
	for uid in 0 1000; do
		rt_bundle "$T/b" sh -c 'echo works; grep Umask /proc/self/status; true'
		edit "$T/b" ".process.noNewPrivileges = false | .process.user.uid = $uid | .linux.seccomp = \$p" \
			--argjson p "$(profile $act)"
		same "$act without send/recv/umask/close_range, uid $uid: runs" "$T/b"
		expect_eq "runc runs it ($act, uid $uid)" "$RUNC_RC $(echo $RUNC_OUT)" "0 works Umask: 0022"
	done
	# an error after the load (the binary is looked up there) reaches the caller
	rt_bundle "$T/b" /nonexistent
	edit "$T/b" '.process.noNewPrivileges = false | .linux.seccomp = $p' --argjson p "$(profile $act)"
	same_status "$act: a missing binary fails create" "$T/b"
	expect_match "$act: husk reports the missing binary, as runc" "$ERR" 'nonexistent'
done

# each of them alone, under KILL_PROCESS: the one call husk made there kills it
for sc in sendto recvmsg umask close_range; do
	rt_bundle "$T/b" sh -c 'echo works; grep Umask /proc/self/status; true'
	edit "$T/b" '.process.noNewPrivileges = false | .linux.seccomp = ($p | .syscalls |= map(.names -= [$sc]))' \
		--argjson p "$(profile SCMP_ACT_KILL_PROCESS)" --arg sc $sc
	same "KILL_PROCESS, only $sc left out: runs" "$T/b"
done

# exec: the same profile in a running container, as the container's user and uid 1000
rt_bundle "$T/e" sleep $LONG
edit "$T/e" '.process.noNewPrivileges = false | .linux.seccomp = $p' --argjson p "$(profile SCMP_ACT_KILL_PROCESS)"
run_both "$T/e" sca
both_out "exec under the profile" cat exec @ sh -c 'echo in-exec; grep Umask /proc/self/status; true'
expect_eq "husk's exec output" "$(echo $OUT)" "in-exec Umask: 0022"
both_out "exec --user 1000 under the profile" cat exec --user 1000 @ sh -c 'id -u; true'
expect_eq "husk's exec --user output" "$OUT" 1000
both "exec of a missing binary under the profile" exec @ /nonexistent
expect_match "husk reports the missing binary" "$ERR" 'nonexistent'
for rt in runc husk; do eval cli $rt kill \$ID_$rt KILL; done

# an init killed during setup: the error says so (runc's create has already
# returned by then: its `start` says "cannot start a stopped process")
rt_bundle "$T/b" true
edit "$T/b" '.process.noNewPrivileges = false | .linux.seccomp = {defaultAction: "SCMP_ACT_KILL_PROCESS",
	syscalls: [{names: ["getpid"], action: "SCMP_ACT_ALLOW"}]}'
under husk "$T/b"
expect_eq "husk: an init killed by its profile fails create" "$RC" 1
expect_match "husk names the signal" "$ERR" 'container init exited during setup, killed by signal SIGSYS'
finish
