#!/bin/sh
# terminal: true, with the runtime relaying the pty itself (run/exec -t in a
# terminal, no --console-socket): ONLCR is cleared on the console as runc's
# recvtty does, and the console belongs to the process's uid, group tty (the
# devpts gid=5), as runc's fixStdioPermissions leaves it.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "needs script(1)"; exit 1; }

# in_pty CMD: run CMD with a pty as its terminal (no output processing on
# that outer pty, so only the container's console shows); \r and NULs dropped
PROBE='stty -a -F /dev/pts/0 2>/dev/null | tr " " "\n" | grep -x -e onlcr -e -onlcr; ls -ln /dev/pts/0 | awk "{print \$3, \$4}"'
in_pty() { script -qec "stty -opost; $*" /dev/null </dev/null 2>&1 | tr -d '\r\000' | sed 's/\^@//g'; }

rt_bundle "$T/b" sh /probe.sh
echo "$PROBE" >"$T/b/rootfs/probe.sh"
edit "$T/b" '.process.terminal = true | .process.user = {"uid":1000,"gid":1000}'
for rt in runc husk; do
	eval "run_$rt=\$(in_pty \"$(rt_bin $rt)\" --root \"$T/root-$rt\" run -b \"$T/b\" tty-$rt-$$)"
done
# runc's run clears ONLCR in recvtty, a goroutine that runs while the container
# starts (utils_linux.go setupIO), so the flag its process sees races: under
# load it is still onlcr. The owner is compared with runc; the flag with what
# recvtty sets, which husk does before the process runs.
expect_eq "run -t: console owner as runc" "$(echo "$run_husk" | tail -1)" "$(echo "$run_runc" | tail -1)"
expect_eq "runc: uid 1000, gid 5" "$(echo "$run_runc" | tail -1)" "1000 5"
expect_eq "husk run: -onlcr (runc's recvtty)" "$(echo "$run_husk" | head -1)" "-onlcr"
edit "$T/b" '.process.user = {"uid":0,"gid":0}'
for rt in runc husk; do
	eval "root_$rt=\$(in_pty \"$(rt_bin $rt)\" --root \"$T/root-$rt\" run -b \"$T/b\" tty0-$rt-$$)"
done
expect_eq "run -t as root: owner as runc" "$(echo "$root_husk" | tail -1)" "$(echo "$root_runc" | tail -1)"
expect_eq "husk run -t as root: -onlcr" "$(echo "$root_husk" | head -1)" "-onlcr"

# the bytes that reach the caller's terminal: one \r\n per \n, as runc
rt_bundle "$T/b" printf 'a\nb\n'
edit "$T/b" '.process.terminal = true'
for rt in runc husk; do
	eval "bytes_$rt=\$(script -qec \"stty -opost; $(rt_bin $rt) --root $T/root-$rt run -b $T/b tb-$rt-$$\" /dev/null </dev/null | sed 's/\^@//g' | od -An -c | tr -s ' ')"
done
expect_eq "run -t: the output bytes as runc's" "$bytes_husk" "$bytes_runc"
expect_eq "runc: CR LF after each line" "$bytes_runc" " a \r \n b \r \n"

# exec -t
rt_bundle "$T/b" sleep "$LONG"
echo "$PROBE" >"$T/b/rootfs/probe.sh"
for rt in runc husk; do
	cli "$rt" run -d -b "$T/b" "ttyx-$rt-$$"
	eval "exec_$rt=\$(in_pty \"$(rt_bin $rt)\" --root \"$T/root-$rt\" exec -t --user 1000:1000 ttyx-$rt-$$ sh /probe.sh)"
	cli "$rt" delete -f "ttyx-$rt-$$"
done
# runc exec clears ONLCR from a goroutine while the process starts, so what the
# process sees races there; husk clears it before the process runs
expect_eq "exec -t --user 1000: owner as runc" "$(echo "$exec_husk" | tail -1)" "$(echo "$exec_runc" | tail -1)"
expect_eq "runc exec: uid 1000, gid 5" "$(echo "$exec_runc" | tail -1)" "1000 5"
expect_eq "husk exec: -onlcr" "$(echo "$exec_husk" | head -1)" "-onlcr"

# /dev/console (runtime-spec config-linux "Default Devices": set up when terminal is
# true by bind-mounting the pty there; runc's mountConsole): the process's own pty,
# a devpts mount, writable, owned as the pty; an exec adds no mount of its own
CPROBE='stat -c "%F %t:%T %u:%g %a" /dev/console; grep -c " /dev/console .* - devpts " /proc/self/mountinfo; echo to-console >/dev/console'
rt_bundle "$T/b" sh /cprobe.sh
echo "$CPROBE" >"$T/b/rootfs/cprobe.sh"
edit "$T/b" '.process.terminal = true'
for rt in runc husk; do
	eval "con_$rt=\$(in_pty \"$(rt_bin $rt)\" --root \"$T/root-$rt\" run -b \"$T/b\" con-$rt-$$)"
done
expect_eq "run -t: /dev/console as runc's" "$con_husk" "$con_runc"
expect_eq "runc: /dev/console is the pty (devpts 136:0, group tty), a mount, and writing reaches the terminal" \
	"$(echo $con_runc)" "character special file 88:0 0:5 620 1 to-console"
edit "$T/b" '.process.user = {"uid":1000,"gid":1000}'
for rt in runc husk; do
	eval "con_$rt=\$(in_pty \"$(rt_bin $rt)\" --root \"$T/root-$rt\" run -b \"$T/b\" conu-$rt-$$)"
done
expect_eq "run -t --user 1000: /dev/console belongs to the process's user, as runc's" "$con_husk" "$con_runc"
expect_eq "runc: uid 1000" "$(echo "$con_runc" | head -1)" "character special file 88:0 1000:5 620"

# a read-only /dev and rootfs: the console is mounted before /dev is made read-only
edit "$T/b" '.process.user = {"uid":0,"gid":0} | .root.readonly = true |
	(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
for rt in runc husk; do
	eval "con_$rt=\$(in_pty \"$(rt_bin $rt)\" --root \"$T/root-$rt\" run -b \"$T/b\" conr-$rt-$$)"
done
expect_eq "run -t, /dev and the rootfs read-only: /dev/console as runc's" "$con_husk" "$con_runc"
expect_eq "runc: the pty, writable" "$(echo $con_runc)" "character special file 88:0 0:5 620 1 to-console"

# terminal false: no /dev/console at all (the default devices do not include it)
edit "$T/b" '.process.terminal = false | .process.user = {"uid":0,"gid":0} |
	.process.args = ["sh", "-c", "ls /dev/console 2>&1; grep -c \" /dev/console \" /proc/self/mountinfo"]'
same "terminal false: no /dev/console" "$T/b"
expect_eq "runc: no /dev/console" "$(echo $RUNC_OUT)" "ls: /dev/console: No such file or directory 0"

# exec -t into a container whose init has a terminal: the init's console, no second mount
rt_bundle "$T/b" sleep "$LONG"
echo "$CPROBE" >"$T/b/rootfs/cprobe.sh"
edit "$T/b" '.process.terminal = true'
for rt in runc husk; do
	"$BUILD/recvtty" "$T/cs-$rt.sock" "$T/cs-$rt.out" >/dev/null 2>&1 &
	r=$!
	wait_until 30 test -S "$T/cs-$rt.sock"
	cli "$rt" run -d --console-socket "$T/cs-$rt.sock" -b "$T/b" "cx-$rt-$$"
	eval "xrc_$rt=\$RC"
	eval "con_$rt=\$(in_pty \"$(rt_bin $rt)\" --root \"$T/root-$rt\" exec -t cx-$rt-$$ sh /cprobe.sh)"
	cli "$rt" delete -f "cx-$rt-$$"
	kill "$r" 2>/dev/null
	wait "$r" 2>/dev/null
done
expect_eq "run -d --console-socket: both start" "$xrc_husk $xrc_runc" "0 0"
expect_eq "exec -t: /dev/console as runc's (the init's pty, one mount)" "$con_husk" "$con_runc"
expect_eq "runc: exec -t sees the init's console, 136:0, one mount" "$(echo "$con_runc" | head -2 | tr '\n' ' ')" \
	"character special file 88:0 0:5 620 1 "
expect_eq "the exec's write to /dev/console reached the init's console socket (runc, husk)" \
	"$(grep -c to-console "$T/cs-runc.out") $(grep -c to-console "$T/cs-husk.out")" "1 1"

# a device node at /dev/console in the rootfs (no /dev tmpfs): runc 1.1 opens it to
# "create" the file and fails EPERM (the device rules deny 5:1); the spec asks for the
# pty bound there, and husk covers the node without opening it (docs/compat.md)
rt_bundle "$T/b" sh /cprobe.sh
echo "$CPROBE" >"$T/b/rootfs/cprobe.sh"
edit "$T/b" '.process.terminal = true |
	del(.mounts[] | select(.destination == "/dev" or .destination == "/dev/shm" or .destination == "/dev/mqueue"))'
mkdir -p "$T/b/rootfs/dev/pts"
mknod "$T/b/rootfs/dev/console" c 5 1
for rt in runc husk; do
	eval "con_$rt=\$(in_pty \"$(rt_bin $rt)\" --root \"$T/root-$rt\" run -b \"$T/b\" cn-$rt-$$)"
done
expect_eq "runc: a 5:1 node at /dev/console fails with EPERM" \
	"$(echo "$con_runc" | grep -c 'open /dev/console: operation not permitted')" 1
expect_eq "husk: the pty is bound over it (the spec)" "$(echo $con_husk)" "character special file 88:0 0:5 620 1 to-console"
expect_eq "the node in the bundle is left as it was" "$(stat -c '%F %t:%T' "$T/b/rootfs/dev/console")" "character special file 5:1"
rm -f "$T/b/rootfs/dev/console"
finish
