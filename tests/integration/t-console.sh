#!/bin/sh
# process.terminal with --console-socket: the pty master goes over the socket
# (SCM_RIGHTS), the process gets the slave as its controlling terminal.
. "$(dirname "$0")/lib.sh"
B=$T/b
bundle "$B" sh -c 'tty; stty size; [ -t 0 ] && echo stdin-is-a-tty; ps -o pid,tty | sed -n 2p'
edit "$B" '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 111}'
"$BUILD/recvtty" "$T/console.sock" "$T/tty.out" >"$T/recv.out" 2>&1 &
rpid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$T/console.sock" ] && break; sleep 0.05; done
h run --console-socket "$T/console.sock" -b "$B" tty1 </dev/null
expect_eq "run with a console socket exits 0" $? 0
wait $rpid
expect_eq "the receiver got the master, named for its pty" "$(cut -d' ' -f1 "$T/recv.out")" /dev/pts/0
expect_eq "consoleSize applied before the process started" "$(cut -d' ' -f2 "$T/recv.out")" 33x111
out=$(tr -d '\r' <"$T/tty.out")
expect_match "the process runs on a pty from the container's devpts" "$out" '^/dev/pts/0$'
expect_match "stty size inside" "$out" '^33 111$'
expect_match "stdin is the tty" "$out" '^stdin-is-a-tty$'
expect_match "the pty is the controlling terminal" "$out" '^ +1 +(pts/0|136,0)$'
check "nothing left" nothing_left tty1

edit "$B" '.process.terminal = false'
out=$(h create --console-socket "$T/none.sock" -b "$B" tty2 2>&1 </dev/null)
expect_match "a console socket without terminal is refused" "$out" "process.terminal is false"
edit "$B" '.process.terminal = true'
out=$(h create --console-socket "$T/none.sock" -b "$B" tty3 2>&1 </dev/null)
expect_match "an unreachable console socket is a clear error" "$out" "connect to console socket $T/none.sock: no such file or directory"
check "nothing left after a bad console socket" nothing_left tty3
finish
