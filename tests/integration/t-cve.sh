#!/bin/sh
# The known runtime CVEs, each attacked the way it was exploited. Every check
# here passes only because of a specific defense (see docs/security.md); the
# attacker is either a process that entered the container's namespaces with
# nsenter (standing in for a process the container runs) or a host process
# racing husk.
. "$(dirname "$0")/lib.sh"
command -v nsenter >/dev/null || { echo "t-cve needs nsenter (util-linux)"; exit 1; }
chmod 755 "$T" # the userns container's root must reach its bundle

# A private copy of husk, so that no other test's husk keeps the file busy.
mkdir "$T/bin" && cp "$HUSK" "$T/bin/husk"
HC=$T/bin/husk
hc() { "$HC" --root "$ROOT" "$@"; }
# runs_sleep PID MARK: the process runs `sleep MARK` (its execve done; before,
# its command line is husk's, which names sleep too in an exec's arguments)
runs_sleep() { [ "$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" = "sleep $2 " ]; }

# --- CVE-2019-5736: overwrite the runtime binary through /proc/PID/exe -------
B=$T/b5736
bundle "$B" sleep "$LONG"
sum_before=$(sha256sum <"$HC")
hc create -b "$B" c5736-$$ </dev/null
pid=$(state_field c5736-$$ pid)
# The attacker holds /proc/1/exe (the init, still husk) open, waits until the
# init has exec'd and husk has exited, then reopens it for writing.
nsenter -t "$pid" -m -p -- /bin/sh -c '
	exec 3</proc/1/exe || exit 9
	: >/held
	while [ ! -e /go ]; do sleep 0.05; done
	i=0
	while [ $i -lt 40 ]; do
		if (echo EVIL >/proc/self/fd/3) 2>/dev/null; then echo wrote; exit 0; fi
		sleep 0.05; i=$((i + 1))
	done
	echo blocked' >"$T/attack.out" 2>&1 &
attacker=$!
while [ ! -e "$B/rootfs/held" ] && kill -0 $attacker 2>/dev/null; do sleep 0.05; done
hc start c5736-$$
: >"$B/rootfs/go"
wait $attacker
expect_eq "writing through the held /proc/1/exe is refused" "$(cat "$T/attack.out")" blocked
expect_eq "the husk binary is unchanged" "$(sha256sum <"$HC")" "$sum_before"
hc delete -f c5736-$$

# --- CVE-2016-9962: the init is not ptrace-able / readable from inside -------
# The attacker is what a container process is: root with the container's
# capabilities (from its bounding set), not more. A uid change already makes
# a process non-dumpable, so the container keeps uid 0 (the case runc's fix was
# about): only PR_SET_DUMPABLE stands between the attacker and the init's fds.
B=$T/b9962
bundle "$B" sleep "$LONG"
caps=$(jq -r '[.process.capabilities.bounding[] | ascii_downcase | sub("^cap_"; "+")] | join(",")' "$B/config.json")
hc create -b "$B" c9962-$$ 3<"$T" </dev/null
pid=$(state_field c9962-$$ pid)
probe="readlink /proc/$pid/fd/0 >/dev/null 2>&1 && echo fd-open || echo fd-denied
	cat /proc/$pid/environ >/dev/null 2>&1 && echo env-open || echo env-denied"
attack() { setpriv --bounding-set=-all,"$caps" --inh-caps=-all -- sh -c "$probe" 2>&1; }
out=$(attack)
expect_match "a process with the container's uid and caps cannot reach the waiting init's fds" "$out" '^fd-denied$'
expect_match "nor read its environment" "$out" '^env-denied$'
hc start c9962-$$
# control: once the init is the container's own process, the same probe works
expect_match "control: the same probe reads the started process (dumpable again)" "$(attack)" '^fd-open$'
hc delete -f c9962-$$

# --- the same two for husk exec ----------------------------------------------
# A paused container holds an exec'd process (--ignore-paused) frozen before
# its execve, still a husk image with husk's fds: the widest window there is.
B=$T/bexec
bundle "$B" sleep "$LONG"
hc run -d -b "$B" cexec-$$ </dev/null
hc pause cexec-$$
"$HC" --root "$ROOT" exec --ignore-paused cexec-$$ sleep "$LONG2" 3<"$T" </dev/null &
hexec=$!
child=""
exec_child() { child=$(cat /proc/$hexec/task/$hexec/children 2>/dev/null | tr -d ' '); [ -n "$child" ]; }
wait_until 30 exec_child
check "the exec'd process is waiting, frozen, before its execve" [ -n "$child" ]
probe="readlink /proc/$child/fd/0 >/dev/null 2>&1 && echo fd-open || echo fd-denied
	cat /proc/$child/environ >/dev/null 2>&1 && echo env-open || echo env-denied"
out=$(attack)
expect_match "exec: a process with the container's caps cannot reach the waiting process's fds" "$out" '^fd-denied$'
expect_match "exec: nor read its environment" "$out" '^env-denied$'
hc resume cexec-$$
# once its execve is done, not a fixed time after resume
wait_until 30 runs_sleep "$child" "$LONG2"
expect_match "exec: control: the same probe reads the process once it runs sleep" "$(attack)" '^fd-open$'
kill "$child"
wait $hexec
expect_eq "the husk binary is unchanged" "$(sha256sum <"$HC")" "$sum_before"
hc delete -f cexec-$$

# CVE-2016-9962 for exec, with only PR_SET_DUMPABLE in the way: a notify agent
# holds the exec'd process in its execve (after its capabilities were dropped
# to the container's, before the image is replaced).
mkdir "$T/hold"
"$BUILD/seccomp-hold" "$T/hold.sock" "$T/hold" 2>"$T/hold.log" &
agent=$!
wait_until 30 test -S "$T/hold.sock"
B=$T/bhold
bundle "$B" sleep "$LONG"
edit "$B" '.process.noNewPrivileges = true | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $s,
	"syscalls": [{"names": ["execve"], "action": "SCMP_ACT_NOTIFY"}]}' --arg s "$T/hold.sock"
hc run -d -b "$B" chold-$$ </dev/null
# (the init's capabilities are compared below: the process's, once it runs sleep)
wait_until 30 runs_sleep "$(state_field chold-$$ pid)" "$LONG"
"$HC" --root "$ROOT" exec chold-$$ sleep "$LONG3" 3<"$T" </dev/null &
hexec=$!
wait_until 30 test -s "$T/hold/held"
child=$(cat "$T/hold/held" 2>/dev/null)
check "the exec'd process is held in its execve" [ -n "$child" ]
expect_match "it has the container's capabilities by then" "$(grep CapEff /proc/$child/status | awk '{print $2}')" \
	"^$(grep CapEff /proc/"$(state_field chold-$$ pid)"/status | awk '{print $2}')\$"
probe="readlink /proc/$child/fd/0 >/dev/null 2>&1 && echo fd-open || echo fd-denied
	cat /proc/$child/environ >/dev/null 2>&1 && echo env-open || echo env-denied"
out=$(attack)
expect_match "exec (held at execve): the container's caps cannot reach its fds" "$out" '^fd-denied$'
expect_match "exec (held at execve): nor its environment" "$out" '^env-denied$'
# CVE-2019-5736 for exec: a privileged holder of the held process's image
# (still husk) writes through it once every husk process is gone
exec 5</proc/"$child"/exe
: >"$T/hold/release"
wait_until 30 runs_sleep "$child" "$LONG3"
expect_match "exec: control: the same probe reads it once it runs sleep" "$(attack)" '^fd-open$'
kill "$child"
wait $hexec
out=$( (echo EVIL >/proc/$$/fd/5) 2>&1 && echo wrote)
exec 5<&-
expect_match "exec: writing through its held image is refused (read-only re-exec)" "$out" 'Read-only file system|Operation not permitted'
expect_eq "exec: the husk binary is unchanged" "$(sha256sum <"$HC")" "$sum_before"
hc delete -f chold-$$
kill $agent; wait $agent 2>/dev/null

# --- CVE-2024-21626: no host fd reaches the container ------------------------
# Listed from the host: a process listing its own fds sees its listing's fd.
B=$T/b21626
bundle "$B" sleep "$LONG"
# (once the init has exec'd sleep: until then they are husk's init's)
fds_of() {
	wait_until 30 runs_sleep "$(state_field "$1" pid)" "$LONG"
	ls /proc/"$(state_field "$1" pid)"/fd | sort -n | tr '\n' ' '
}
h create -b "$B" f1-$$ 5<"$T" 6>"$T/fd6" </dev/null && h start f1-$$
expect_eq "fds the caller leaked (5, 6) do not reach the container" "$(fds_of f1-$$)" "0 1 2 "
h create --preserve-fds 2 -b "$B" f2-$$ 3<"$T" 4<"$T" 5<"$T" </dev/null && h start f2-$$
expect_eq "--preserve-fds 2 passes exactly 3 and 4" "$(fds_of f2-$$)" "0 1 2 3 4 "
h delete -f f1-$$; h delete -f f2-$$
# the cwd half (process.cwd through /proc/self/fd/N) is in t-badinput.sh

# --- CVE-2021-30465: a symlink swapped in as a mount destination -------------
# /vol is swapped with a symlink to a host directory while husk mounts under
# it. A createContainer hook (in the container's mount namespace, before
# pivot_root, where host paths are still visible) records any mount that
# landed on the host directory instead of inside the rootfs.
B=$T/b30465
mkdir "$T/victim"
bundle "$B" true
mkdir "$B/rootfs/vol-dir"
ln -s "$T/victim" "$B/rootfs/vol"
edit "$B" '.mounts += [range(8) | {"destination":"/vol/m\(.)","type":"tmpfs","source":"tmpfs"}]
  | .hooks.createContainer = [{"path":"/bin/sh","args":["sh","-c",
      "grep -c \" \($v)/\" /proc/self/mountinfo >> \($o); true"]}]' --arg v "$T/victim" --arg o "$T/escapes"
# static: /vol is the symlink
h run -b "$B" m-static-$$ </dev/null >/dev/null 2>&1
expect_eq "a symlinked destination resolves inside the rootfs" "$(cat "$T/escapes")" 0
: >"$T/escapes"
# racing: swap dir and symlink as fast as possible during 20 creates
"$BUILD/swapper" "$B/rootfs/vol" "$B/rootfs/vol-dir" &
swapper=$!
i=0 okruns=0 unclear=""
while [ $i -lt 20 ]; do
	# a create may fail when the tree changes under it; it must fail closed
	if out=$(h run -b "$B" "m-race-$i-$$" </dev/null 2>&1); then
		okruns=$((okruns + 1))
	else
		case $out in
		*"create mount point /vol/m"*) ;;
		*) unclear="$unclear [$out]" ;;
		esac
	fi
	h delete -f "m-race-$i-$$" >/dev/null 2>&1
	i=$((i + 1))
done
kill $swapper; wait $swapper 2>/dev/null
expect_eq "under a swapping symlink a create succeeds or fails on the mount point" "$unclear" ""
expect_eq "the escape check ran once per successful create" "$(wc -l <"$T/escapes")" $okruns
check "and no mount ever landed on the host directory" [ "$(sort -u "$T/escapes")" = 0 ]
check "the host directory is untouched" [ -z "$(ls -A "$T/victim")" ]

# --- CVE-2023-27561 / CVE-2023-28642: /proc and /sys must be real directories --
B=$T/bproc
bundle "$B" true
mkdir "$B/rootfs/fake"
for fs in proc sys; do
	for target in /tmp /fake; do
		rmdir "$B/rootfs/$fs" && ln -s "$target" "$B/rootfs/$fs"
		out=$(h run -b "$B" "ps-$fs-$$" </dev/null 2>&1)
		expect_match "/$fs as a symlink to $target is refused" "$out" "/$fs must be mounted on an ordinary directory"
		check "nothing left after /$fs -> $target" nothing_left "ps-$fs-$$"
		rm "$B/rootfs/$fs" && mkdir "$B/rootfs/$fs"
	done
done

# --- CVE-2019-16884: nothing mounted over /proc may shadow /proc/self/attr ----
# The LSM label is written to /proc/thread-self/attr/...; a volume over /proc
# (or into it) would swallow the write and leave the process unconfined.
B=$T/b16884
bundle "$B" true
mkdir "$T/fakeproc" "$B/rootfs/lnk"
expect_proc_refused() { # desc edit-filter want
	edit "$B" "$2" --arg src "$T/fakeproc"
	out=$(h run -b "$B" p16884-$$ </dev/null 2>&1)
	expect_match "$1" "$out" "$3"
	check "nothing left: $1" nothing_left p16884-$$
	cp "$B/config.json.orig" "$B/config.json"
}
cp "$B/config.json" "$B/config.json.orig"
expect_proc_refused "a tmpfs on /proc is refused" \
	'.mounts |= map(if .destination == "/proc" then .type = "tmpfs" | .source = "tmpfs" else . end)' \
	'/proc may only be mounted as procfs'
expect_proc_refused "a bind over /proc is refused" \
	'.mounts |= map(if .destination == "/proc" then {"destination":"/proc","source":$src,"options":["rbind"]} else . end)' \
	'/proc may only be mounted as procfs'
expect_proc_refused "a bind over /proc/self/attr is refused" \
	'.mounts += [{"destination":"/proc/self/attr","source":$src,"options":["bind"]}]' \
	'inside /proc, where only procfs may be mounted'
expect_proc_refused "a tmpfs on /proc/sys is refused" \
	'.mounts += [{"destination":"/proc/sys","type":"tmpfs","source":"tmpfs"}]' \
	'/proc/sys is inside /proc'
rmdir "$B/rootfs/lnk" && ln -s /proc/1 "$B/rootfs/lnk"
expect_proc_refused "through a symlink into /proc as well" \
	'.mounts += [{"destination":"/lnk/attr","source":$src,"options":["bind"]}]' \
	'/proc/1/attr is inside /proc'
rm "$B/rootfs/lnk"
echo "cpu fake" >"$T/cpuinfo"
edit "$B" '.mounts += [{"destination":"/proc/cpuinfo","source":$f,"options":["bind","ro"]}] | .process.args = ["head","-1","/proc/cpuinfo"]' --arg f "$T/cpuinfo"
expect_eq "an lxcfs-style bind over /proc/cpuinfo is allowed" "$(h run -b "$B" p-cpuinfo-$$ </dev/null 2>&1)" "cpu fake"
cp "$B/config.json.orig" "$B/config.json"
# no LSM on this host: a config that needs one is refused before anything is made
expect_proc_refused "apparmorProfile without AppArmor is a clear error" \
	'.process.apparmorProfile = "husk-default"' \
	'^husk: run: process.apparmorProfile "husk-default": AppArmor is not enabled on this host$'
expect_proc_refused "selinuxLabel without SELinux is a clear error" \
	'.process.selinuxLabel = "system_u:system_r:container_t:s0"' \
	'process.selinuxLabel is set, but SELinux is disabled'
# a mount label is only a hint for mounts: ignored with a warning, as crun (docs/compat.md)
edit "$B" '.linux.mountLabel = "system_u:object_r:container_file_t:s0" | .process.args = ["echo", "ran"]'
expect_eq "mountLabel without SELinux is ignored" "$(h run -b "$B" p-mountlabel-$$ </dev/null 2>/dev/null)" "ran"
cp "$B/config.json.orig" "$B/config.json"
finish
