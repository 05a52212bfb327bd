#!/bin/sh
# The lifecycle seen from outside: state JSON at each step, the user process not
# running before start, exit codes, kill, delete, list, run -d, pid files.
. "$(dirname "$0")/lib.sh"
B=$T/b
# the container's command is this test's own (checks.sh's $LONG; other runs on the
# machine sleep too): "no sleep left" speaks only of this test
marker="sleep $LONG"
bundle "$B" $marker

h create -b "$B" --pid-file "$T/pid" c1-$$ </dev/null
expect_eq "create exits 0" $? 0
expect_eq "status after create" "$(state_field c1-$$ status)" created
pid=$(state_field c1-$$ pid)
expect_eq "pid file holds the init pid" "$(cat "$T/pid")" "$pid"
expect_eq "state bundle" "$(state_field c1-$$ bundle)" "$(realpath "$B")"
expect_eq "state rootfs" "$(state_field c1-$$ rootfs)" "$(realpath "$B")/rootfs"
expect_eq "state id" "$(state_field c1-$$ id)" c1-$$
expect_match "state created is RFC 3339" "$(state_field c1-$$ created)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
expect_match "state ociVersion" "$(state_field c1-$$ ociVersion)" '^1\.'
check "the state dir is 0700" [ "$(stat -c %a "$ROOT/c1-$$")" = 700 ]
check "exec.fifo exists before start" [ -p "$ROOT/c1-$$/exec.fifo" ]
cmd=$(tr '\0' ' ' </proc/"$pid"/cmdline)
check "user process not running before start" [ "${cmd#$marker}" = "$cmd" ]
check "init is in the container's cgroup" grep -q ":/c1-$$\$" /proc/"$pid"/cgroup
check "init has its own pid namespace" [ "$(readlink /proc/"$pid"/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
for ns in mnt uts ipc net; do
	check "init has its own $ns namespace" [ "$(readlink /proc/"$pid"/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ]
done

out=$(h start c1-$$ 2>&1)
expect_eq "start exits 0 silently" "$?:$out" "0:"
# start returns once the init may go on (runc's too), before its execve
runs_marker() { [ "$(tr '\0' ' ' </proc/"$pid"/cmdline)" = "$marker " ]; }
wait_until 30 runs_marker
cmd=$(tr '\0' ' ' </proc/"$pid"/cmdline)
expect_eq "user process runs after start" "$cmd" "$marker "
expect_eq "status after start" "$(state_field c1-$$ status)" running
check "exec.fifo gone after start" [ ! -e "$ROOT/c1-$$/exec.fifo" ]
out=$(h start c1-$$ 2>&1)
expect_match "second start refused" "$out" "husk: start: cannot start an already running container"

out=$(h delete c1-$$ 2>&1)
expect_match "delete of a running container needs --force" "$out" "not stopped: running"
check "refused delete left it running" [ "$(state_field c1-$$ status)" = running ]

h list >"$T/list"
expect_match "list shows the container" "$(cat "$T/list")" "^c1-$$ +$pid +running +$(realpath "$B")"
expect_match "list names the owner from /etc/passwd" "$(cat "$T/list")" "^c1-$$ .* root\$"
expect_eq "list -q" "$(h list -q)" c1-$$
expect_eq "list --format json" "$(h list --format json | jq -r '.[0].id + " " + .[0].status')" "c1-$$ running"

# pid 1 of a namespace ignores signals it has no handler for (kernel rule)
h kill c1-$$ sigusr1
sleep 0.2 # a negative check: still running 0.2 s later
expect_eq "SIGUSR1 (lower case, SIG prefix) is ignored by a handler-less pid 1" "$(state_field c1-$$ status)" running
h kill c1-$$ sigkill
wait_until 30 has_status c1-$$ stopped # kill returns once the signal is sent
expect_eq "kill sigkill stops it" "$(state_field c1-$$ status)" stopped
expect_eq "a stopped container shows pid 0" "$(state_field c1-$$ pid)" 0
out=$(h kill c1-$$ KILL 2>&1)
expect_match "kill of a stopped container" "$out" "container not running"
h delete c1-$$
expect_eq "delete of a stopped container" $? 0
check "nothing left after delete" nothing_left c1-$$
out=$(h state c1-$$ 2>&1)
expect_match "state after delete" "$out" "container \"c1-$$\" does not exist"

# kill by number, then delete; --all through the cgroup
h create -b "$B" c2-$$ </dev/null && h start c2-$$
h kill c2-$$ 9
wait_until 30 has_status c2-$$ stopped
expect_eq "kill 9" "$(state_field c2-$$ status)" stopped
h delete c2-$$
h create -b "$B" c3-$$ </dev/null && h start c3-$$
h kill --all c3-$$ KILL
wait_until 30 has_status c3-$$ stopped
expect_eq "kill --all KILL" "$(state_field c3-$$ status)" stopped
h delete c3-$$
check "nothing left after kill --all" nothing_left c3-$$

# delete of a created container (never started) needs no --force
h create -b "$B" c4-$$ </dev/null
h delete c4-$$
expect_eq "delete of a created container" $? 0
check "nothing left of a created container" nothing_left c4-$$

# delete --force of a running one
h run -d -b "$B" c5-$$ </dev/null
expect_eq "run -d leaves it running" "$(state_field c5-$$ status)" running
h delete --force c5-$$
expect_eq "delete --force" $? 0
check "nothing left after delete --force" nothing_left c5-$$
# a killed process may still be on its way out for a moment
wait_until 30 no_process "$marker" 2>/dev/null
check "no sleep left" no_process "$marker"

# exit codes through run
bundle "$B" true
h run -b "$B" e0-$$ </dev/null; expect_eq "run exit code 0" $? 0
edit "$B" '.process.args = ["sh","-c","exit 3"]'
h run -b "$B" e3-$$ </dev/null; expect_eq "run exit code 3" $? 3
edit "$B" '.process.args = ["sleep",$s]' --arg s "$LONG"
"$HUSK" --root "$ROOT" run -b "$B" e137-$$ </dev/null &
runpid=$!
# (a kill before it runs would leave the wait below on a sleep that never ends)
wait_until 30 has_status e137-$$ running
h kill e137-$$ KILL
wait $runpid
expect_eq "run exit code 137 (SIGKILL from outside)" $? 137
for id in e0-$$ e3-$$ e137-$$; do check "run deleted $id" nothing_left $id; done
edit "$B" '.process.args = ["sh","-c","exit 4"]'
h run --keep -b "$B" keep-$$ </dev/null
expect_eq "run --keep keeps the stopped container" "$(state_field keep-$$ status)" stopped
h delete keep-$$

# run forwards signals to the container
edit "$B" '.process.args = ["sh","-c","trap \"echo got TERM; exit 7\" TERM; while :; do sleep 0.05; done",$m]' --arg m "$LONG"
"$HUSK" --root "$ROOT" run -b "$B" fwd-$$ >"$T/fwd.out" 2>&1 </dev/null &
runpid=$!
wait_until 30 has_status fwd-$$ running
# the shell is pid 1 of its namespace: a SIGTERM before its trap is set is
# dropped (and run never ends), so it is sent once the shell catches it
# (SigCgt bit 15), not a fixed time after start
wait_until 30 traps "$(state_field fwd-$$ pid)" 15 || not_ok "the container's shell did not set its TERM trap in 30 s"
kill -TERM $runpid
wait $runpid
expect_eq "run exits with the trap's status after forwarding SIGTERM" $? 7
expect_eq "the container saw the forwarded SIGTERM" "$(cat "$T/fwd.out")" "got TERM"

# stdout and stderr pass through; state of a never-started id
edit "$B" '.process.args = ["sh","-c","echo out; echo err >&2"]'
h run -b "$B" io-$$ >"$T/o" 2>"$T/e" </dev/null
expect_eq "stdout passes through" "$(cat "$T/o")" out
expect_eq "stderr passes through" "$(cat "$T/e")" err

# features and spec
check "features is JSON with the hooks" sh -c "$HUSK features | jq -e '.hooks | index(\"createRuntime\")' >/dev/null"
mkdir -p "$T/s"
h spec --bundle "$T/s"
check "spec writes a config.json husk accepts" sh -c "jq -e '.process.args == [\"sh\"]' $T/s/config.json >/dev/null"
out=$(h spec --bundle "$T/s" 2>&1)
expect_match "spec refuses to overwrite" "$out" "exists; remove it first"
check "--version" sh -c "$HUSK --version | grep -q 'husk version'"
check "-v, as runc" sh -c "$HUSK -v | grep -q 'husk version'"
check "a verb has no --version (runc: flag not defined)" sh -c "! $HUSK state --version >/dev/null 2>&1"
check "--help of a verb" sh -c "$HUSK create --help | grep -q -- '--console-socket'"

# json log format
h --log "$T/log.json" --log-format json start nope >/dev/null 2>&1
check "--log-format json writes runc-style json lines" sh -c "jq -e 'select(.level == \"error\") | .msg | test(\"does not exist\")' $T/log.json >/dev/null"
finish
