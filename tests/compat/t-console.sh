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
expect_eq "run -t: console flags and owner as runc" "$run_husk" "$run_runc"
expect_eq "runc: -onlcr, uid 1000, gid 5" "$(echo $run_runc)" "-onlcr 1000 5"
edit "$T/b" '.process.user = {"uid":0,"gid":0}'
for rt in runc husk; do
	eval "root_$rt=\$(in_pty \"$(rt_bin $rt)\" --root \"$T/root-$rt\" run -b \"$T/b\" tty0-$rt-$$)"
done
expect_eq "run -t as root: as runc" "$root_husk" "$root_runc"

# the bytes that reach the caller's terminal: one \r\n per \n, as runc
rt_bundle "$T/b" printf 'a\nb\n'
edit "$T/b" '.process.terminal = true'
for rt in runc husk; do
	eval "bytes_$rt=\$(script -qec \"stty -opost; $(rt_bin $rt) --root $T/root-$rt run -b $T/b tb-$rt-$$\" /dev/null </dev/null | sed 's/\^@//g' | od -An -c | tr -s ' ')"
done
expect_eq "run -t: the output bytes as runc's" "$bytes_husk" "$bytes_runc"
expect_eq "runc: CR LF after each line" "$bytes_runc" " a \r \n b \r \n"

# exec -t
rt_bundle "$T/b" sleep 300
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
finish
