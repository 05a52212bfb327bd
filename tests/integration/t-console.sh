#!/bin/sh
# process.terminal with --console-socket: the pty master goes over the socket
# (SCM_RIGHTS), the process gets the slave as its controlling terminal.
. "$(dirname "$0")/lib.sh"
B=$T/b
bundle "$B" sh -c 'tty; stty size; [ -t 0 ] && echo stdin-is-a-tty; ps -o pid,tty | sed -n 2p'
edit "$B" '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 111}'
"$BUILD/recvtty" "$T/console.sock" "$T/tty.out" >"$T/recv.out" 2>&1 &
rpid=$!
wait_until 30 test -S "$T/console.sock"
h run --console-socket "$T/console.sock" -b "$B" tty1-$$ </dev/null
expect_eq "run with a console socket exits 0" $? 0
wait $rpid
expect_eq "the receiver got the master, named for its pty" "$(cut -d' ' -f1 "$T/recv.out")" /dev/pts/0
expect_eq "consoleSize applied before the process started" "$(cut -d' ' -f2 "$T/recv.out")" 33x111
out=$(tr -d '\r' <"$T/tty.out")
expect_match "the process runs on a pty from the container's devpts" "$out" '^/dev/pts/0$'
expect_match "stty size inside" "$out" '^33 111$'
expect_match "stdin is the tty" "$out" '^stdin-is-a-tty$'
expect_match "the pty is the controlling terminal" "$out" '^ +1 +(pts/0|136,0)$'
check "nothing left" nothing_left tty1-$$

edit "$B" '.process.terminal = false'
out=$(h create --console-socket "$T/none.sock" -b "$B" tty2-$$ 2>&1 </dev/null)
expect_match "a console socket without terminal is refused" "$out" "process.terminal is false"
edit "$B" '.process.terminal = true'
out=$(h create --console-socket "$T/none.sock" -b "$B" tty3-$$ 2>&1 </dev/null)
expect_match "an unreachable console socket is a clear error" "$out" "connect to console socket $T/none.sock: no such file or directory"
check "nothing left after a bad console socket" nothing_left tty3-$$

# --- husk run with a terminal and no console socket: husk relays the pty to
# its own terminal, as a person uses it (driven through tmux) ---
if command -v tmux >/dev/null; then
	bundle "$B" sh
	edit "$B" '.process.terminal = true'
	S=husk-run-$$
	TMUX_SERVERS="$TMUX_SERVERS $S"
	tmux -L "$S" new-session -d -x 100 -y 28 "stty -g >$T/stty.before; $HUSK --root $ROOT run -b $B tty4-$$; echo run-exit=\$? >$T/run.rc; stty -g >$T/stty.after; sleep 30"
	check "tmux: the container's shell prompts" tmux_shows "$S" '#'
	tmux -L "$S" send-keys 'tty; stty size' Enter
	check "tmux: the shell runs on the container's pty" tmux_shows "$S" '^/dev/pts/0'
	check "tmux: stty size is the pane size" tmux_shows "$S" '^28 100'
	check "tmux: a resize reaches the container (SIGWINCH relayed)" tmux_resized "$S" 35 120
	tmux -L "$S" send-keys 'echo sum-$((40+2))' Enter
	check "tmux: typed input runs" tmux_shows "$S" '^sum-42'
	tmux -L "$S" send-keys 'sleep 100' Enter
	# the ^C must reach sleep, not the shell before it forks: sent once sleep
	# runs (the shell made it the terminal's foreground job before its exec)
	wait_until 30 sh -c "'$HUSK' --root '$ROOT' ps tty4-$$ | grep -q 'sleep 100'"
	tmux -L "$S" send-keys C-c
	tmux -L "$S" send-keys 'echo after-ctrl-c' Enter
	check "tmux: ^C interrupts the container's foreground job, not husk" tmux_shows "$S" '^after-ctrl-c'
	tmux -L "$S" send-keys 'exit 4' Enter
	wait_until 30 test -s "$T/run.rc"
	expect_eq "tmux: husk run exits with the shell's status" "$(cat "$T/run.rc" 2>/dev/null)" run-exit=4
	wait_until 30 test -s "$T/stty.after"
	expect_eq "tmux: the caller's terminal settings are restored (raw mode undone)" "$(cat "$T/stty.after")" "$(cat "$T/stty.before")"
	tmux -L "$S" kill-server 2>/dev/null
	check "nothing left after the interactive run" nothing_left tty4-$$
else
	not_ok "tmux is not installed (tools/install-deps installs it)"
fi
finish
