#!/bin/sh
# husk-shim's binary contract (start, delete) as containerd runs it, and
# shimctl driving both husk-shim and containerd-shim-runc-v2 over ttrpc.
. "$(dirname "$0")/lib.sh"

SHIM=$BUILD/husk-shim
CTL=$BUILD/shimctl
RUNCV2=$(command -v containerd-shim-runc-v2 || true)
# sockets under our temp dir, not /run/containerd/s
export HUSK_SHIM_SOCKET_DIR=$T/s
# and container state under it too (husk-shim's root is $HUSK_SHIM_ROOT/<namespace>)
export HUSK_SHIM_ROOT=$T/shimroot
B=$T/b
bundle "$B" sh -c 'echo out-line; echo err-line >&2; exit 5'
# runc-v2's state root is /run/containerd/runc/<namespace>: a namespace of our own
# there (its containers have ids of our own too), removed when empty
trap 'cleanup; rmdir /run/containerd/runc/it-$$ 2>/dev/null' EXIT

# --- start: prints the address, no newline; the address file; a detached shim ---
mkdir -p "$T/c1"
cp "$B/config.json" "$T/c1/"
edit "$T/c1" ".root.path = \"$B/rootfs\""
mkfifo "$T/c1/log"
exec 7<>"$T/c1/log" # containerd holds the log fifo open for reading
out=$(cd "$T/c1" && timeout 60 "$SHIM" -namespace it -address "$T/it.sock" -id c1-$$ -root "$ROOT" start 2>&1)
expect_match "start prints a unix:// address" "$out" "^unix://$T/s/[0-9a-f]{64}$"
expect_eq "start writes the bundle's address file (no newline)" "$(cat "$T/c1/address")" "$out"
sock=${out#unix://}
check "the socket is 0600" test "$(stat -c %a "$sock")" = 600
check "its directory is 0700" test "$(stat -c %a "$T/s")" = 700
spid=$("$CTL" -a "$out" connect c1-$$ 2>/dev/null | sed -n 's/^shim pid //p')
check "the shim answers Connect with its pid" test -n "$spid"
check "the shim runs in its own session (detached)" test "$(ps -o sid= -p "$spid" | tr -d ' ')" = "$spid"
check "the shim's stderr is the bundle's log fifo" test "$(readlink /proc/"$spid"/fd/2)" = "$T/c1/log"
check "the shim holds neither of start's output fds (0 and 1 are /dev/null)" \
	test "$(readlink /proc/"$spid"/fd/0) $(readlink /proc/"$spid"/fd/1)" = "/dev/null /dev/null"
out2=$(cd "$T/c1" && timeout 60 "$SHIM" -namespace it -address "$T/it.sock" -id c1-$$ -root "$ROOT" start 2>&1)
expect_eq "a second start finds the running shim and reuses it" "$out2" "$out"

# --- the socket directory: one the shim makes is 0700 whatever the umask; one
# that exists (shared with other shims: runc-v2 makes it 0600) keeps its mode ---
mkdir -p "$T/sd"
cp "$T/c1/config.json" "$T/sd/"
a=$(cd "$T/sd" && umask 0277 && HUSK_SHIM_SOCKET_DIR=$T/s2 timeout 60 "$SHIM" -namespace it -address "$T/it.sock" -id sd-$$ -root "$ROOT" start 2>&1)
check "a socket dir the shim makes is 0700, even under umask 0277" test "$(stat -c %a "$T/s2")" = 700
"$CTL" -a "$a" shutdown sd-$$ >/dev/null
mkdir -m 0755 "$T/s3"
a=$(cd "$T/sd" && HUSK_SHIM_SOCKET_DIR=$T/s3 timeout 60 "$SHIM" -namespace it -address "$T/it.sock" -id sd2-$$ -root "$ROOT" start 2>&1)
check "a socket dir that exists keeps its mode (documented: shared with other shims)" test "$(stat -c %a "$T/s3")" = 755
check "... and the socket in it is 0600" test "$(stat -c %a "${a#unix://}")" = 600
"$CTL" -a "$a" shutdown sd2-$$ >/dev/null

# --- the task through shimctl, and a SIGKILLed shim cleaned up by delete ---
edit "$T/c1" '.process.args = ["sleep", $s]' --arg s "$LONG"
"$CTL" -a "$out" create c1-$$ --bundle "$T/c1" >/dev/null && ok "create through the started shim" || not_ok "create"
ipid=$("$CTL" -a "$out" --json state c1-$$ | jq -r .pid)
"$CTL" -a "$out" start c1-$$ >/dev/null || not_ok "start"
check "the container runs" kill -0 "$ipid"
kill -9 "$spid"
wait_until 30 ended "$spid"
resp=$(cd "$T/c1" && timeout 60 "$SHIM" -namespace it -address "$T/it.sock" -id c1-$$ -bundle "$T/c1" delete 2>"$T/delete.err" | od -An -tx1 | tr -d ' \n')
expect_match "delete prints a DeleteResponse (pid, exit 137, exited_at)" "$resp" "^08[0-9a-f]+10890 *11a"
wait_until 30 ended "$ipid"
check "delete killed the orphaned container" sh -c "! kill -0 $ipid 2>/dev/null || grep -q zombie /proc/$ipid/status 2>/dev/null || [ \"\$(awk '{print \$3}' /proc/$ipid/stat)\" = Z ]"
check "delete removed its state" test ! -e "$ROOT/c1-$$"
check "delete removed the socket" test ! -e "$sock"
nothing_left c1-$$ && ok "no cgroup or mount left" || not_ok "c1 left something"
exec 7<&-

# --- shimctl run through husk-shim ---
got=$("$CTL" run r1-$$ --bundle "$B" 2>"$T/r1.err")
rc=$?
expect_eq "shimctl run: stdout relayed" "$got" out-line
expect_eq "shimctl run: stderr relayed" "$(cat "$T/r1.err")" err-line
expect_eq "shimctl run: exits with the container's status" "$rc" 5
got=$(printf 'abc\ndef\n' | "$CTL" run r2-$$ --bundle "$B" -- sh -c 'cat | wc -l')
expect_eq "shimctl run: stdin relayed, EOF reaches the container" "$(echo $got)" 2
"$CTL" run r3-$$ --bundle "$B" -- sh -c 'kill -9 $$ ; sleep 1; exit 9' >/dev/null 2>&1
expect_eq "shimctl run: a pid-namespace init ignores its own SIGKILL (kernel rule)" "$?" 9
check "shimctl run leaves no shim" no_process "-id r1-$$ "
# (other test runs may use /tmp/shimctl.* meanwhile: look for ours, named for the id)
check "shimctl run leaves no temp dir" sh -c "! ls -d /tmp/shimctl.*/r[123]-$$ 2>/dev/null | grep -q ."

# --- the same shimctl against containerd-shim-runc-v2 ---
if [ -n "$RUNCV2" ]; then
	got=$("$CTL" run --shim "$RUNCV2" v1-$$ --bundle "$B" 2>"$T/v1.err")
	rc=$?
	expect_eq "shimctl run via runc-v2: stdout" "$got" out-line
	expect_eq "shimctl run via runc-v2: exit status" "$rc" 5
	got=$(printf 'x\n' | "$CTL" run --shim "$RUNCV2" v2-$$ --bundle "$B" -- cat)
	expect_eq "shimctl run via runc-v2: stdin" "$got" x
	# the verbs one by one against a runc-v2 shim
	mkdir -p "$T/v3"
	cp "$T/c1/config.json" "$T/v3/"
	edit "$T/v3" '.process.args = ["sleep", $s]' --arg s "$LONG"
	mkfifo "$T/v3/log"
	exec 8<>"$T/v3/log"
	a=$(cd "$T/v3" && TTRPC_ADDRESS=$T/none.sock "$RUNCV2" -namespace "it-$$" -address "$T/ctrd.sock" -id v3-$$ start)
	"$CTL" -a "$a" create v3-$$ --bundle "$T/v3" >/dev/null && ok "runc-v2: create" || not_ok "runc-v2: create"
	expect_eq "runc-v2: state --json says created" "$("$CTL" -a "$a" --json state v3-$$ | jq -r .status)" created
	"$CTL" -a "$a" start v3-$$ >/dev/null && ok "runc-v2: start" || not_ok "runc-v2: start"
	expect_eq "runc-v2: state running" "$("$CTL" -a "$a" --json state v3-$$ | jq -r .status)" running
	check "runc-v2: pids lists the init" sh -c "'$CTL' -a '$a' pids v3-$$ | grep -q ."
	"$CTL" -a "$a" kill v3-$$ KILL && ok "runc-v2: kill" || not_ok "runc-v2: kill"
	expect_eq "runc-v2: wait prints 137" "$("$CTL" -a "$a" wait v3-$$)" 137
	"$CTL" -a "$a" delete v3-$$ >/dev/null && ok "runc-v2: delete" || not_ok "runc-v2: delete"
	"$CTL" -a "$a" state v3-$$ >/dev/null 2>&1
	expect_eq "runc-v2: state after delete is NotFound (exit 4)" "$?" 4
	"$CTL" -a "$a" shutdown v3-$$ >/dev/null 2>&1
	(cd "$T/v3" && "$RUNCV2" -namespace "it-$$" -address "$T/ctrd.sock" -id v3-$$ -bundle "$T/v3" delete >/dev/null 2>&1)
	exec 8<&-
else
	not_ok "containerd-shim-runc-v2 is not installed (tools/install-deps installs containerd)"
fi

# serve NAME LOG [FLAG...]: a shim of our own for container NAME-$$ on $T/NAME.sock,
# in the background, its stderr to LOG (and never the test's fd 7); returns once
# the socket is there. SERVED is its pid.
serve() {
	name=$1 log=$2
	shift 2
	"$SHIM" "$@" -id "$name-$$" -root "$ROOT" -socket "$T/$name.sock" serve 2>"$log" 7<&- &
	SERVED=$!
	i=0
	while [ ! -S "$T/$name.sock" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done # 30 s
}

# --- runc-v2's SystemdCgroup option (CreateTaskRequest.options, which containerd's
# CRI sends for `SystemdCgroup = true`) reaches the runtime as --systemd-cgroup.
# This host runs no systemd, so the create must fail with the systemd driver's
# refusal, as containerd-shim-runc-v2 + runc fail (on a systemd host the driver
# itself is tested in the VM: tests/vm/t-systemd.sh) ---
SDMSG='systemd not running on this host, cannot use systemd cgroups manager'
if [ -d /run/systemd/system ]; then
	not_ok "this host runs systemd: the SystemdCgroup check below needs one without"
else
	mkdir -p "$T/sdc"
	cp "$T/c1/config.json" "$T/sdc/"
	serve sdc "$T/sdc.log"
	sdcpid=$SERVED
	"$CTL" -a "$T/sdc.sock" create sdc-$$ --bundle "$T/sdc" --systemd-cgroup >/dev/null 2>"$T/sdc.err"
	expect_eq "SystemdCgroup option: create fails (no systemd here)" "$?" 1
	expect_match "SystemdCgroup option: husk's systemd driver refused it" "$(cat "$T/sdc.err")" "$SDMSG"
	check "SystemdCgroup option: the failed create left no state" test ! -e "$ROOT/sdc-$$"
	"$CTL" -a "$T/sdc.sock" create sdc-$$ --bundle "$T/sdc" >/dev/null &&
		ok "without the option the same create works (cgroupfs)" || not_ok "create without SystemdCgroup"
	"$CTL" -a "$T/sdc.sock" kill sdc-$$ KILL >/dev/null
	"$CTL" -a "$T/sdc.sock" --timeout 30000 wait sdc-$$ >/dev/null
	"$CTL" -a "$T/sdc.sock" delete sdc-$$ >/dev/null
	"$CTL" -a "$T/sdc.sock" shutdown sdc-$$ >/dev/null
	wait "$sdcpid"
	if [ -n "$RUNCV2" ]; then
		mkdir -p "$T/v4"
		cp "$T/c1/config.json" "$T/v4/"
		mkfifo "$T/v4/log"
		exec 8<>"$T/v4/log"
		a=$(cd "$T/v4" && TTRPC_ADDRESS=$T/none.sock "$RUNCV2" -namespace "it-$$" -address "$T/ctrd.sock" -id v4-$$ start)
		"$CTL" -a "$a" create v4-$$ --bundle "$T/v4" --systemd-cgroup >/dev/null 2>"$T/v4.err"
		expect_eq "runc-v2 + runc with SystemdCgroup: create fails the same way" "$?" 1
		expect_match "runc-v2 + runc with SystemdCgroup: runc's message is husk's" "$(cat "$T/v4.err")" "$SDMSG"
		"$CTL" -a "$a" shutdown v4-$$ >/dev/null 2>&1
		(cd "$T/v4" && "$RUNCV2" -namespace "it-$$" -address "$T/ctrd.sock" -id v4-$$ -bundle "$T/v4" delete >/dev/null 2>&1)
		exec 8<&-
	fi
fi

# --- serve -forward-signals: SIGTERM to the shim goes to the container ---
mkdir -p "$T/fs"
cp "$T/c1/config.json" "$T/fs/"
edit "$T/fs" '.process.args = ["sh", "-c", "trap \"exit 42\" TERM; while :; do sleep 0.1; done", $m]' --arg m "$LONG"
serve fs "$T/fs.log" -forward-signals
fspid=$SERVED
"$CTL" -a "$T/fs.sock" create fs-$$ --bundle "$T/fs" >/dev/null && "$CTL" -a "$T/fs.sock" start fs-$$ >/dev/null
# the shell is pid 1 of its namespace: a SIGTERM before its trap is set is
# dropped, so it goes once the shell catches TERM (SigCgt bit 15)
wait_until 30 traps "$("$CTL" -a "$T/fs.sock" --json state fs-$$ | jq -r .pid)" 15 || not_ok "fs: the container's shell did not set its TERM trap in 30 s"
kill -TERM "$fspid"
expect_eq "serve -forward-signals: SIGTERM reaches the container (its trap exits 42)" \
	"$("$CTL" -a "$T/fs.sock" --timeout 30000 wait fs-$$)" 42
"$CTL" -a "$T/fs.sock" delete fs-$$ >/dev/null
"$CTL" -a "$T/fs.sock" shutdown fs-$$ >/dev/null
wait "$fspid"
expect_eq "the shim exits 0 after Shutdown" "$?" 0

# --- the fifos' write ends close when the output ends, before any Delete ---
# containerd's CRI waits for EOF on an exec's stdout/stderr fifos before it
# deletes the exec (runc-v2 closes them when the process's pipe reaches EOF):
# a reader that waits for EOF first must get it while the process still exists.
mkdir -p "$T/eo"
cp "$T/c1/config.json" "$T/eo/"
edit "$T/eo" '.process.args = ["sh", "-c", "echo init-out; echo init-err >&2; exec sleep \"$0\"", $s]' --arg s "$LONG"
serve eo "$T/eo.log"
eopid=$SERVED
# eof_reader NAME: a reader on fifo $T/NAME that records what it read and
# whether EOF came within 60 s (rc 0) or not (124); the Deletes below come only
# after the readers ended, so a late EOF is still one before the Delete
eof_reader() {
	mkfifo "$T/$1"
	(timeout 60 cat "$T/$1" >"$T/$1.got"; echo $? >"$T/$1.rc") &
}
for f in io ie; do eof_reader $f; done
"$CTL" -a "$T/eo.sock" create eo-$$ --bundle "$T/eo" --stdout "$T/io" --stderr "$T/ie" >/dev/null &&
	"$CTL" -a "$T/eo.sock" start eo-$$ >/dev/null || not_ok "eo: create/start"
for f in xo xe to; do eof_reader $f; done
"$CTL" -a "$T/eo.sock" exec eo-$$ x1 --stdout "$T/xo" --stderr "$T/xe" -- sh -c 'echo exec-out; echo exec-err >&2' >/dev/null &&
	"$CTL" -a "$T/eo.sock" start eo-$$ --exec x1 >/dev/null || not_ok "eo: exec x1"
"$CTL" -a "$T/eo.sock" exec eo-$$ t1-$$ --tty --stdout "$T/to" -- sh -c 'echo tty-out' >/dev/null &&
	"$CTL" -a "$T/eo.sock" start eo-$$ --exec t1-$$ >/dev/null || not_ok "eo: exec t1-$$"
for f in xo xe to; do while [ ! -s "$T/$f.rc" ]; do sleep 0.05; done; done
expect_eq "exec stdout fifo: EOF once the exec's output ended, before its Delete" "$(cat "$T/xo.rc") $(cat "$T/xo.got")" "0 exec-out"
expect_eq "exec stderr fifo: EOF before Delete" "$(cat "$T/xe.rc") $(cat "$T/xe.got")" "0 exec-err"
expect_eq "exec with a terminal: the pty relay's fifo gets EOF before Delete" "$(cat "$T/to.rc") $(tr -d '\r' <"$T/to.got")" "0 tty-out"
"$CTL" -a "$T/eo.sock" delete eo-$$ --exec x1 >/dev/null && "$CTL" -a "$T/eo.sock" delete eo-$$ --exec t1-$$ >/dev/null &&
	ok "the execs are deleted after their readers saw EOF" || not_ok "delete the execs"
"$CTL" -a "$T/eo.sock" kill eo-$$ KILL >/dev/null
for f in io ie; do while [ ! -s "$T/$f.rc" ]; do sleep 0.05; done; done
expect_eq "init stdout fifo: EOF when the init ended, before its Delete" "$(cat "$T/io.rc") $(cat "$T/io.got")" "0 init-out"
expect_eq "init stderr fifo: EOF before Delete" "$(cat "$T/ie.rc") $(cat "$T/ie.got")" "0 init-err"
"$CTL" -a "$T/eo.sock" --timeout 30000 wait eo-$$ >/dev/null
"$CTL" -a "$T/eo.sock" delete eo-$$ >/dev/null
"$CTL" -a "$T/eo.sock" shutdown eo-$$ --now >/dev/null
wait "$eopid"

# --- a reader that comes late (containerd's goroutine): the output of a short
# container waits in the fifo the shim holds, and EOF follows once it is read.
# The exit is reported only then: containerd's client cancels a fifo open
# still under way once it hears of the exit, and the output would be lost ---
mkdir -p "$T/lr"
cp "$T/c1/config.json" "$T/lr/"
serve lr "$T/lr.log"
lrpid=$SERVED
# late_read FIFO ARGS: run lr-$$ with process.args ARGS (JSON) and its stdout
# the new fifo FIFO, open FIFO only once the container's process has ended,
# then wait for its exit and delete it; $late is "<cat's status> <what cat
# read>", $held "held" if the exit was not reported before the reader came.
late_read() {
	edit "$T/lr" ".process.args = $2"
	mkfifo "$1"
	lr_init=$("$CTL" -a "$T/lr.sock" create lr-$$ --bundle "$T/lr" --stdout "$1") &&
		"$CTL" -a "$T/lr.sock" start lr-$$ >/dev/null || not_ok "lr: create/start $2"
	wait_until 30 ended "$lr_init" || not_ok "lr: the process $lr_init ends"
	held=held
	"$CTL" -a "$T/lr.sock" --timeout 1000 wait lr-$$ >/dev/null 2>&1 && held=reported
	late=$(timeout 30 cat "$1")
	late="$? $late"
	"$CTL" -a "$T/lr.sock" --timeout 30000 wait lr-$$ >/dev/null || not_ok "lr: the exit follows the reader"
	"$CTL" -a "$T/lr.sock" delete lr-$$ >/dev/null
}
late_read "$T/late" '["sh", "-c", "echo late-out"]'
expect_eq "a late reader gets a finished container's output, then EOF" "$late" "0 late-out"
expect_eq "and the exit waited for that reader" "$held" held
# and with no output at all: the late reader's open must still find a writer, then EOF
late_read "$T/late2" '["true"]'
expect_eq "a late reader of a container that wrote nothing gets EOF" "$late" "0 "
expect_eq "and that exit did not wait for a reader (nothing to lose)" "$held" reported
"$CTL" -a "$T/lr.sock" shutdown lr-$$ --now >/dev/null
wait "$lrpid"

# --- the log fifo without a reader (containerd restarting): nothing blocks ---
# The shim's stderr is the bundle's log fifo; its reader goes away. Every
# call must still be answered in time, and no helper may stay behind.
mkdir -p "$T/lf"
cp "$T/c1/config.json" "$T/lf/"
edit "$T/lf" '.process.args = ["sleep", $s]' --arg s "$LONG"
mkfifo "$T/lf/log"
exec 7<>"$T/lf/log"
serve lf "$T/lf/log" -debug
lfpid=$SERVED
exec 7<&- # the reader leaves: the shim's fd 2 is a fifo nobody reads
# (30 s per call: a shim blocked on its log would never answer; a Create
# takes seconds under ASan on a loaded machine)
lf() { "$CTL" -a "$T/lf.sock" --timeout 30000 "$@" >/dev/null 2>"$T/lf.err"; }
lf create lf-$$ --bundle "$T/lf" && ok "log fifo without a reader: Create answers" || not_ok "log fifo: Create: $(cat "$T/lf.err")"
lf start lf-$$ && ok "log fifo without a reader: Start answers" || not_ok "log fifo: Start: $(cat "$T/lf.err")"
lf exec lf-$$ x1 -- true && lf start lf-$$ --exec x1 && ok "log fifo without a reader: exec Start answers" ||
	not_ok "log fifo: exec Start: $(cat "$T/lf.err")"
lf pause lf-$$ && ok "log fifo without a reader: Pause answers" || not_ok "log fifo: Pause: $(cat "$T/lf.err")"
# --timeout bounds wait too: a Wait on a frozen container gives up in time
t0=$(date +%s)
timeout 20 "$CTL" -a "$T/lf.sock" --timeout 1000 wait lf-$$ >/dev/null 2>"$T/lf.err"
rc=$?
check "shimctl --timeout 1000 wait on a frozen container fails (not 124: killed by timeout 20)" test "$rc" != 0 -a "$rc" != 124
check "... within about a second (10 s: a slow start under ASan and load)" test $(($(date +%s) - t0)) -le 10
expect_match "... saying it had no answer in time" "$(cat "$T/lf.err")" "Wait: no answer in time"
"$CTL" -a "$T/lf.sock" --timeout 0 state lf-$$ >/dev/null 2>"$T/lf.err"
expect_eq "shimctl --timeout 0 is refused (exit 2)" "$?" 2
lf resume lf-$$ && ok "log fifo without a reader: Resume answers" || not_ok "log fifo: Resume: $(cat "$T/lf.err")"
lf kill lf-$$ KILL
lf wait lf-$$
lf delete lf-$$ && ok "log fifo without a reader: Delete answers" || not_ok "log fifo: Delete: $(cat "$T/lf.err")"
lf shutdown lf-$$ --now
wait_until 30 ended "$lfpid"
check "the shim exits after Shutdown" ended "$lfpid"
wait "$lfpid" 2>/dev/null
# (the [-] keeps pgrep from matching the sh -c that runs it)
check "no helper of that shim stays behind" sh -c "! pgrep -f -- '[-]socket $T/lf.sock' >/dev/null"
for p in $(pgrep -f -- "[-]socket $T/lf.sock"); do kill -9 "$p"; done

# --- shimctl run --tty, as a person uses it (tmux) ---
S=shimctl-$$
TMUX_SERVERS="$TMUX_SERVERS $S"
tmux -L "$S" new-session -d -x 90 -y 30 "$CTL run --tty t1-$$ --bundle $B -- sh; echo run-exit=\$? >$T/tty.rc; sleep 30"
check "tty: the container's shell prompts" tmux_shows "$S" '#'
tmux -L "$S" send-keys 'tty; stty size' Enter
check "tty: the shell runs on a pty" tmux_shows "$S" '^/dev/pts/'
check "tty: the pty has the pane's size (ResizePty)" tmux_shows "$S" '^30 90'
check "tty: a resize reaches the container" tmux_resized "$S" 33 100
tmux -L "$S" send-keys 'exit 6' Enter
wait_until 30 test -s "$T/tty.rc"
expect_eq "tty: shimctl run exits with the shell's status" "$(cat "$T/tty.rc" 2>/dev/null)" run-exit=6
tmux -L "$S" kill-server 2>/dev/null

finish
