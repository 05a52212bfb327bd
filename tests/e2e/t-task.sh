#!/bin/sh
# ctr run -d, then every task verb through husk-shim (ls, ps, exec, kill,
# pause, resume, metrics, delete), and the task events containerd receives
# from the shim, in order.
. "$(dirname "$0")/lib.sh"
e2e_up

# every event of our namespace, as ctr prints them: "<time> <ns> <topic> <json>"
events_start

c run -d --runtime $RT "$IMG" d1 sleep "$LONG" >/dev/null
expect_eq "ctr run -d: the task is RUNNING" "$(task_status d1)" RUNNING
if gone d1 2>/dev/null; then not_ok "gone() finds nothing of a running task"; else ok "gone() sees a running task"; fi
init=$(c task ls | awk '$1 == "d1" { print $2 }')
# (ctr returns after Start, maybe before the init's execve: husk's init until then)
runs_sleep() { [ "$(tr '\0' ' ' <"/proc/$init/cmdline" 2>/dev/null)" = "sleep $LONG " ]; }
check "the task's pid is a live sleep" wait_until 30 runs_sleep
shim=$(shim_pid d1)
check "containerd spawned containerd-shim-husk-v2 for it" [ -n "$shim" ]
# The directory is shared by every shim: whichever came first made it (husk-shim
# 0700, containerd-shim-runc-v2 0600), so what matters here, whatever ran
# before, is that nobody but root can reach the socket through it.
# (t-shimctl checks that husk-shim makes it 0700 and keeps one it did not make.)
check "the socket is 0600 in a directory only its owner can enter" sh -c \
	"[ \$(stat -c %a $(ctrd_shim_socket "$NS" d1)) = 600 ] && [ \$((0\$(stat -c %a /run/containerd/s) & 077)) = 0 ] &&
	 [ \$(stat -c %u /run/containerd/s) = 0 ]"
expect_eq "the bundle's address file names the socket" "$(cat "$BUNDLES/d1/address")" "unix://$(ctrd_shim_socket "$NS" d1)"

# ps lists the init, then an exec too
expect_eq "ctr task ps lists the init" "$(c task ps d1 | awk 'NR > 1 { print $1 }')" "$init"
c task exec -d --exec-id bg d1 sleep "$LONG2" >/dev/null 2>&1 &
check "a detached exec appears in ctr task ps" wait_until 30 sh -c \
	"[ \$(ctr -a $CT_SOCK -n $NS task ps d1 | awk 'NR > 1' | wc -l) = 2 ]"
check "ctr task ps names the exec" sh -c "ctr -a $CT_SOCK -n $NS task ps d1 | grep -q 'ExecID:bg'"

# exec: output, exit status, stdin, a failing binary
out=$(c task exec --exec-id x1 d1 sh -c 'echo exec-ok; echo exec-err >&2; exit 4' 2>"$CT/x1.err")
expect_eq "ctr task exec returns the exec's status" "$?" 4
expect_eq "ctr task exec prints its stdout" "$out" exec-ok
expect_eq "and its stderr" "$(cat "$CT/x1.err")" exec-err
out=$(echo piped | c task exec --exec-id x2 d1 cat)
expect_eq "exec stdin arrives" "$out" piped
c task exec --exec-id x3 d1 /no/such >/dev/null 2>"$CT/x3.err"
check "an exec of a missing binary fails" [ $? -ne 0 ]
expect_match "and says so" "$(cat "$CT/x3.err")" "no/such"
out=$(c task exec --exec-id x4 d1 sh -c 'cat /proc/1/cmdline | tr "\0" " "')
expect_eq "an exec shares the container's pid namespace" "$out" "sleep $LONG "
c task exec --exec-id x1 d1 true >/dev/null 2>&1
expect_eq "an exec id can be used again once deleted" "$?" 0

# pause and resume
c task pause d1
expect_eq "ctr task pause: PAUSED" "$(task_status d1)" PAUSED
expect_eq "the cgroup is frozen" "$(cat /sys/fs/cgroup/freezer/$NS/d1/freezer.state)" FROZEN
c task resume d1
expect_eq "ctr task resume: RUNNING" "$(task_status d1)" RUNNING

# metrics: v1 cgroup metrics with real numbers
m=$(c task metrics --format json d1)
expect_match "ctr task metrics: pids" "$m" '"current": 2'
expect_match "ctr task metrics: memory usage" "$m" '"usage": [1-9][0-9]*'
expect_match "ctr task metrics: cpu" "$m" '"total": [1-9]'

# kill: a signal to the init; --all to every process
c task kill -s KILL --exec-id bg d1 2>/dev/null
check "ctr task kill --exec-id ends the exec" wait_until 30 sh -c \
	"[ \$(ctr -a $CT_SOCK -n $NS task ps d1 | awk 'NR > 1' | wc -l) = 1 ]"
c task kill -s TERM d1
# (a negative check: still RUNNING 0.3 s later)
check "SIGTERM to an init without a handler is ignored (pid namespace init)" sh -c "sleep 0.3; [ \"\$(ctr -a $CT_SOCK -n $NS task ls | awk '\$1 == \"d1\" {print \$3}')\" = RUNNING ]"
c task kill -s KILL d1
check "SIGKILL stops it" wait_until 30 is_status d1 STOPPED
c task delete d1 >/dev/null
expect_eq "ctr task delete removes the task" "$(task_status d1)" ""
check "the shim went with it" settled d1
c containers delete d1
check "ctr containers delete succeeds" [ $? -eq 0 ]

# a task that ends by itself, deleted by ctr task delete
c run -d --runtime $RT "$IMG" d2 sh -c 'exit 6' >/dev/null
check "a task that exits is STOPPED" wait_until 30 is_status d2 STOPPED
out=$(c task delete d2 2>&1)
expect_match "ctr task delete reports its exit status" "$out" "exit code 6"
c containers delete d2
check "d2 leaves nothing" settled d2

# the events, in order (the exec bg and x1..x4 come and go in between)
events_stop
topics=$(awk -v ns="$NS" '$5 == ns && $6 ~ /^\/tasks\// { print $6 }' "$CT/events" | uniq | tr '\n' ' ')
expect_match "events: create, start, exec-added, exec-started, exit, paused, resumed, exit, delete" "$topics" \
	'^/tasks/create /tasks/start /tasks/exec-added /tasks/exec-started (/tasks/(exec-added|exec-started|exit) )*/tasks/paused /tasks/resumed (/tasks/exit )+/tasks/delete /tasks/create /tasks/start /tasks/exit /tasks/delete $'
ev() { grep " $NS $1 " "$CT/events" | grep "\"container_id\":\"$2\"" | grep -- "$3"; }
check "the create event names the bundle and the overlay rootfs" ev /tasks/create d1 "\"bundle\":\"$BUNDLES/d1\".*\"type\":\"overlay\""
check "the start event carries the init's pid" ev /tasks/start d1 "\"pid\":$init"
check "the init's exit event: pid and 137" ev /tasks/exit d1 "\"id\":\"d1\",\"pid\":$init,\"exit_status\":137"
check "an exec's exit event: its id and status" ev /tasks/exit d1 '"id":"x1",.*"exit_status":4'
check "the delete event: pid and status" ev /tasks/delete d1 "\"pid\":$init,\"exit_status\":137"
check "the exit of a task that ended by itself: 6" ev /tasks/exit d2 '"exit_status":6'

finish
