#!/bin/sh
# husk as the runtime binary of containerd's own shim: containerd-shim-runc-v2
# runs `husk create/start/exec/kill/pause/resume/delete/ps` with runc's flags
# (ctr run --runc-binary, or BinaryName in a CRI runtime's options).
. "$(dirname "$0")/lib.sh"
command -v containerd-shim-runc-v2 >/dev/null || { echo "needs containerd-shim-runc-v2"; exit 1; }
e2e_up
R="--runc-binary $BUILD/husk"

out=$(c run --rm $R "$IMG" h1 echo husk-under-runc-v2 2>&1)
expect_eq "ctr run --rm through runc-v2 + husk prints the output" "$out" husk-under-runc-v2
c run --rm $R "$IMG" h2 sh -c 'exit 7' >/dev/null 2>&1
expect_eq "and returns the exit status" "$?" 7
out=$(echo in-data | c run --rm $R "$IMG" h3 sh -c 'read x; echo $x' 2>&1)
expect_eq "stdin reaches the container" "$out" in-data

c run -d $R "$IMG" h4 sleep "$LONG" >/dev/null
expect_eq "ctr run -d: RUNNING" "$(task_status h4)" RUNNING
check "the runtime is husk (runc-v2 wrote it into the bundle)" grep -q "$BUILD/husk" "$BUNDLES/h4/options.json"
out=$(c task exec --exec-id e1 h4 sh -c 'echo exec-ok; exit 3')
expect_eq "exec through husk exec" "$?:$out" "3:exec-ok"
c task exec --exec-id e2 h4 /no/such >/dev/null 2>"$CT/e2.err"
expect_match "an exec of a missing binary fails with husk's message" "$(cat "$CT/e2.err")" "no/such"
expect_eq "ctr task ps (husk ps --format json)" "$(c task ps h4 | awk 'NR > 1' | wc -l)" 1
c task pause h4
expect_eq "pause (husk pause)" "$(task_status h4)" PAUSED
c task resume h4
expect_eq "resume (husk resume)" "$(task_status h4)" RUNNING
c task kill -s KILL h4
check "kill (husk kill)" wait_until 30 is_status h4 STOPPED
c task delete h4 >/dev/null
c containers delete h4
check "nothing of h4 is left" settled h4
check "husk's state under runc-v2's root is gone" [ ! -e /run/containerd/runc/$NS/h4 ]

finish
