#!/bin/sh
# ctr run through husk-shim: output and exit codes, stdin, a terminal driven
# through tmux, and the rootfs from the overlayfs and native snapshotters.
. "$(dirname "$0")/lib.sh"
e2e_up

# --- ctr run --rm: output, exit status, nothing left
out=$(c run --rm --runtime $RT "$IMG" r1 echo hi-from-husk 2>&1)
expect_eq "ctr run --rm prints the container's output" "$out" hi-from-husk
check "the shim, its socket, state, cgroup and bundle are gone" settled r1
c run --rm --runtime $RT "$IMG" r2 sh -c 'echo to-stderr >&2; exit 9' >"$CT/r2.out" 2>"$CT/r2.err"
expect_eq "ctr run --rm returns the exit status" "$?" 9
expect_eq "stderr arrives on ctr's stderr" "$(cat "$CT/r2.err")" to-stderr
# killed from outside: ctr reports 128+N, as with runc
c run --rm --runtime $RT "$IMG" r3 sleep 30 >/dev/null 2>&1 &
bg=$!
check "ctr run sees the task running" wait_until 30 is_status r3 RUNNING
c task kill -s KILL r3
wait $bg
expect_eq "a task killed by SIGKILL: ctr run returns 137" "$?" 137
check "the killed run leaves nothing" settled r3
# output written right before exit all arrives
n=$(c run --rm --runtime $RT "$IMG" r4 sh -c 'seq 1 100000' | wc -l)
expect_eq "100000 lines written at exit all arrive" "$n" 100000
c run --rm --runtime $RT "$IMG" r5 /no/such/binary >/dev/null 2>"$CT/r5.err"
rc=$?
check "a missing binary fails ctr run (status $rc)" [ "$rc" -ne 0 ]
expect_match "and says what is missing" "$(cat "$CT/r5.err")" "no/such/binary"
check "a failed create leaves nothing" settled r5

# --- stdin
out=$(printf 'line-a\nline-b\n' | c run --rm --runtime $RT "$IMG" s1 sh -c 'read a; read b; echo "got $a $b"')
expect_eq "stdin reaches the container" "$out" "got line-a line-b"
n=$(head -c 3000000 /dev/zero | c run --rm --runtime $RT "$IMG" s2 wc -c | tr -d ' ')
expect_eq "3 MB of stdin arrive whole, then EOF" "$n" 3000000
check "stdin runs leave nothing" settled s2

# --- a terminal: ctr run -t inside tmux, as a person would
TM=husk-e2e-$$
tmux -L $TM new-session -d -x 100 -y 30 \
	"ctr -a $CT_SOCK -n $NS run -t --rm --runtime $RT $IMG t1 sh; echo ctr-exit=\$? >$CT/t1.rc; sleep 30"
check "the shell prompt shows in the terminal" tmux_shows $TM '/ #'
tmux -L $TM send-keys 'tty; echo $((6*7))' Enter
check "the container has a pty" tmux_shows $TM '^/dev/pts/0'
check "input and output go through it" tmux_shows $TM '^42'
# ctr sets the size by ResizePty after Start, while its copy of the output
# already runs (ctr run's HandleConsoleResize): the prompt may come first
check "the terminal has the window's size" tmux_size $TM 30 100
check "a resized window resizes the container's terminal" tmux_resized $TM 40 120
tmux -L $TM send-keys 'exit 3' Enter
check "ctr run -t ends with the shell's status" wait_until 30 grep -q 'ctr-exit=3' "$CT/t1.rc"
tmux -L $TM kill-server 2>/dev/null
check "the terminal run leaves nothing" settled t1

# --- snapshotters: overlayfs (containerd's default) and native
out=$(c run --rm --runtime $RT "$IMG" o1 sh -c 'grep " / " /proc/mounts | cut -d" " -f3; echo x >/new-file && cat /new-file')
expect_eq "overlayfs: the rootfs is an overlay, writable" "$(echo $out)" "overlay x"
c run --rm --snapshotter native --runtime $RT "$IMG" n1 sh -c 'grep " / " /proc/mounts | cut -d" " -f3; echo x >/new-file && cat /new-file' >"$CT/n1.out" 2>&1
rc=$?
expect_eq "native: the run succeeds" "$rc" 0
out=$(cat "$CT/n1.out" | tr '\n' ' ')
expect_match "native: the rootfs is the snapshot's directory (no overlay), writable" "$out" "^[a-z0-9]+ x $"
check "native: not an overlay" [ "${out%% *}" != overlay ]
check "native: nothing left" settled n1
check "overlayfs: nothing left" settled o1

finish
