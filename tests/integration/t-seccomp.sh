#!/bin/sh
# Seccomp from linux.seccomp, seen from inside: denied syscalls with the spec's
# errno, argument filters, unknown names skipped, kill actions, both load points.
. "$(dirname "$0")/lib.sh"
B=$T/b
bundle "$B" sh -c 'mkdir /tmp/x; echo rc=$?; grep Seccomp: /proc/self/status | tr -d "\t"'
deny_mkdir='{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
  "syscalls":[{"names":["mkdir","mkdirat","no_such_syscall"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}'
edit "$B" ".linux.seccomp = $deny_mkdir"
out=$(h run -b "$B" s1-$$ 2>&1 </dev/null)
expect_match "mkdir denied with errnoRet 1 (EPERM)" "$out" "Operation not permitted"
expect_match "mkdir returned failure" "$out" "^rc=1$"
expect_match "the process runs under a filter (mode 2)" "$out" "^Seccomp:2$"
check "an unknown syscall name was skipped, not fatal (no husk error)" sh -c "! printf '%s' \"\$1\" | grep -q '^husk:'" _ "$out"
# an exec'd process runs under the container's filter as well
edit "$B" '.process.args = ["sleep", "100"]'
h run -d -b "$B" s1x-$$ </dev/null
out=$(h exec s1x-$$ sh -c 'mkdir /tmp/y; echo rc=$?; grep Seccomp: /proc/self/status | tr -d "\t"' 2>&1)
expect_match "exec: mkdir denied by the container's filter" "$out" "Operation not permitted"
expect_match "exec: the process runs under a filter" "$out" "^Seccomp:2$"
h delete -f s1x-$$
edit "$B" '.process.args = ["sh", "-c", "mkdir /tmp/x; echo rc=$?; grep Seccomp: /proc/self/status | tr -d \"\\t\""]'

edit "$B" '.linux.seccomp.syscalls[0].errnoRet = 28'
expect_match "errnoRet chooses the errno (28 = ENOSPC)" "$(h run -b "$B" s2-$$ 2>&1 </dev/null)" "No space left on device"

edit "$B" '.process.noNewPrivileges = false'
expect_match "loaded before the capability drop when no_new_privs is off" "$(h run -b "$B" s3-$$ 2>&1 </dev/null)" "^Seccomp:2$"
edit "$B" '.process.noNewPrivileges = true'

# kill(pid, sig) denied only when sig == SIGUSR1 (10): an argument filter
edit "$B" '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":1,
  "args":[{"index":1,"value":10,"op":"SCMP_CMP_EQ"}]}]} | .process.args = ["sh","-c","kill -0 1; echo zero=$?; kill -USR1 1; echo usr1=$?"]'
out=$(h run -b "$B" s4-$$ 2>&1 </dev/null)
expect_match "kill with signal 0 passes the argument filter" "$out" "^zero=0$"
expect_match "kill with SIGUSR1 is denied by the argument filter" "$out" "^usr1=1$"

# the shell reads getppid() for $PPID at startup, so pid 1 itself is killed
edit "$B" '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getppid"],"action":"SCMP_ACT_KILL_PROCESS"}]}
  | .process.args = ["sh","-c","echo $PPID"]'
h run -b "$B" s5-$$ >/dev/null 2>&1 </dev/null
rc=$?
expect_eq "SCMP_ACT_KILL_PROCESS kills with SIGSYS (128+31)" "$rc" 159

edit "$B" '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_VAX"]} | .process.args = ["true"]'
out=$(h run -b "$B" s6-$$ 2>&1 </dev/null)
expect_match "an unknown architecture is a clear error" "$out" 'linux.seccomp.architectures: unknown "SCMP_ARCH_VAX"'
check "nothing left after a seccomp error" nothing_left s6-$$

# husk spec --seccomp-default: everyday programs work, kernel-wide operations
# fail with EPERM even when the capability is there
mkdir "$T/spec" && h spec --seccomp-default -b "$T/spec"
check "spec --seccomp-default writes a profile" jq -e '.linux.seccomp.syscalls | length > 0' "$T/spec/config.json" >/dev/null
edit "$B" '.linux.seccomp = $p[0].linux.seccomp
  | .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
  | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]
  | .process.args = ["sh","-c","ls / >/dev/null && echo ls-ok; mkdir /tmp/d && echo mkdir-ok; echo a | sort | tr a b; ps >/dev/null && echo ps-ok; sleep 0.1 && echo sleep-ok; linux32 uname -m; (cat /proc/self/status | grep ^Seccomp: | tr -d \"\\t\"); unshare -U true; echo unshare=$?; mount -t tmpfs t /tmp; echo mount=$?"]' \
  --slurpfile p "$T/spec/config.json"
out=$(h run -b "$B" sd1-$$ 2>&1 </dev/null)
for w in ls-ok mkdir-ok b ps-ok sleep-ok i686 Seccomp:2; do
	expect_match "default profile: $w" "$out" "^$w\$"
done
expect_match "default profile: unshare is denied" "$out" "^unshare=1$"
expect_match "default profile: mount is denied (EPERM) despite CAP_SYS_ADMIN" "$out" "mount: permission denied"
expect_match "default profile: mount failed" "$out" "^mount=1$"
edit "$B" 'del(.linux.seccomp)'
expect_match "control: without the profile the same mount works" "$(h run -b "$B" sd2-$$ 2>&1 </dev/null)" "^mount=0$"

# SCMP_ACT_NOTIFY: the listener fd reaches the agent at listenerPath with the
# container process state; the agent's answer (EXDEV) is what mkdir returns
for nnp in true false; do
	sock=$T/agent-$nnp.sock
	"$BUILD/seccomp-agent" "$sock" "$T/agent-$nnp.json" 18 2>"$T/agent-$nnp.log" &
	agent=$!
	while [ ! -S "$sock" ]; do sleep 0.05; done
	edit "$B" '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":$s,"listenerMetadata":"meta-1",
	  "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_NOTIFY"}]}
	  | .process.noNewPrivileges = ($n == "true")
	  | .process.args = ["sh","-c","mkdir /tmp/n; echo rc=$?; test -d /tmp/n || echo absent"]' --arg s "$sock" --arg n $nnp
	out=$(h run -b "$B" n-$nnp-$$ 2>&1 </dev/null)
	wait $agent
	expect_match "notify (nnp=$nnp): mkdir got the agent's answer, EXDEV" "$out" "Invalid cross-device link"
	expect_match "notify (nnp=$nnp): and failed without creating the directory" "$out" "^absent$"
	st=$(cat "$T/agent-$nnp.json")
	expect_eq "notify (nnp=$nnp): the agent got fds [seccompFd]" "$(printf '%s' "$st" | jq -c .fds)" '["seccompFd"]'
	expect_eq "notify (nnp=$nnp): with listenerMetadata" "$(printf '%s' "$st" | jq -r .metadata)" meta-1
	expect_eq "notify (nnp=$nnp): and the container state" "$(printf '%s' "$st" | jq -r '.state.id + " " + .state.status')" "n-$nnp-$$ creating"
	check "notify (nnp=$nnp): the state's pid is the process pid" [ "$(printf '%s' "$st" | jq '.pid == .state.pid and .pid > 0')" = true ]
	expect_match "notify (nnp=$nnp): the agent answered mkdir" "$(cat "$T/agent-$nnp.log")" "answered syscall 83 "
done

out=$(h run -b "$B" n-none-$$ 2>&1 </dev/null)
expect_match "no agent at listenerPath: a clear error" "$out" "^husk: run: connect to seccomp listener $T/agent-false.sock: "
check "nothing left when the agent is missing" nothing_left n-none-$$
edit "$B" 'del(.linux.seccomp.listenerPath)'
expect_match "SCMP_ACT_NOTIFY without listenerPath is refused" "$(h run -b "$B" n-nopath-$$ 2>&1 </dev/null)" "listenerPath"
finish
