#!/bin/sh
# What outlives what: containers keep running across a containerd restart and
# are still managed afterwards (containerd reconnects through the bundle's
# address file); a container that ended while containerd was away shows as
# stopped; a shim killed with SIGKILL is cleaned up by its `delete` contract.
. "$(dirname "$0")/lib.sh"
e2e_up

# --- containerd restart
c run -d --runtime $RT "$IMG" a1 sleep "$LONG" >/dev/null
c run -d --runtime $RT "$IMG" a2 sh -c 'trap "exit 5" USR1; while :; do sleep 0.1; done' "$LONG" >/dev/null
init1=$(c task ls | awk '$1 == "a1" { print $2 }')
shim1=$(shim_pid a1)
init2=$(c task ls | awk '$1 == "a2" { print $2 }')
# a2's USR1 below is dropped unless its shell (pid 1 of its namespace) has set the trap
wait_until 30 traps "$init2" 10 || not_ok "a2's shell did not set its USR1 trap in 30 s"
ctrd_stop
check "containerd is down" sh -c "! ctr -a $CT_SOCK version >/dev/null 2>&1"
check "the shim outlives containerd" kill -0 "$shim1"
check "and so does the container" kill -0 "$init1"
# a2 ends while nobody listens: its exit event cannot be delivered
kill -USR1 "$init2"
check "a2 ended while containerd was down" wait_until 30 sh -c "! kill -0 $init2 2>/dev/null"
ctrd_start
expect_eq "after the restart a1 is RUNNING" "$(task_status a1)" RUNNING
expect_eq "with the same pid" "$(c task ls | awk '$1 == "a1" { print $2 }')" "$init1"
expect_eq "served by the same shim" "$(shim_pid a1)" "$shim1"
expect_eq "a2 shows as STOPPED" "$(task_status a2)" STOPPED
out=$(c task exec --exec-id r1 a1 sh -c 'echo still-here; exit 2')
expect_eq "exec works after the restart" "$?:$out" "2:still-here"
c task pause a1 && c task resume a1
expect_eq "pause and resume work after the restart" "$(task_status a1)" RUNNING
expect_match "metrics work after the restart" "$(c task metrics --format json a1)" '"current": 1'
out=$(c task delete a2 2>&1)
expect_match "a2's exit status survived containerd's absence" "$out" "exit code 5"
c containers delete a2
check "a2 leaves nothing" settled a2
c task kill -s KILL a1
check "a1 stops on SIGKILL after the restart" wait_until 30 is_status a1 STOPPED
c task delete a1 >/dev/null
c containers delete a1
check "a1 leaves nothing" settled a1

# --- a shim killed with SIGKILL: containerd runs `containerd-shim-husk-v2 delete`
events_start
c run -d --runtime $RT "$IMG" k1 sleep "$LONG" >/dev/null
init=$(c task ls | awk '$1 == "k1" { print $2 }')
shim=$(shim_pid k1)
check "k1 runs under its shim" sh -c "[ -n '$shim' ] && kill -0 $init"
kill -9 "$shim"
check "containerd drops the task of the dead shim" wait_until 30 sh -c \
	"! ctr -a $CT_SOCK -n $NS task ls | awk '\$1 == \"k1\"' | grep -q k1"
check "the delete contract killed the container" wait_until 30 sh -c "! kill -0 $init 2>/dev/null"
c containers delete k1
check "the container can then be removed" [ $? -eq 0 ]
check "nothing of k1 is left (socket, husk state, cgroup, rootfs mount, bundle)" settled k1
events_stop
check "containerd published k1's exit with the pid delete reported and 137" sh -c \
	"grep ' $NS /tasks/exit ' $CT/events | grep '\"container_id\":\"k1\"' | grep -q '\"pid\":$init,\"exit_status\":137'"

# --- the delete contract by hand, as containerd runs it, on a bundle whose
# shim is gone: it still answers a DeleteResponse and exits 0
c run -d --runtime $RT "$IMG" k2 sleep "$LONG" >/dev/null
init=$(c task ls | awk '$1 == "k2" { print $2 }')
shim=$(shim_pid k2)
ctrd_stop
kill -9 "$shim"
(cd "$BUNDLES/k2" && TTRPC_ADDRESS=$CT_SOCK.ttrpc HUSK_SHIM_ROOT=$CT/husk \
	"$CT/bin/containerd-shim-husk-v2" -namespace "$NS" -address "$CT_SOCK" -publish-binary "$(command -v containerd)" \
	-id k2 -bundle "$BUNDLES/k2" delete >"$CT/k2.resp")
expect_eq "delete by hand exits 0" "$?" 0
# DeleteResponse: 1 pid (varint, the init's), 2 exit_status 137 (89 01), 3 exited_at
pidhex=$(printf '%d' "$init" | awk '{ n = $1; s = ""; while (n >= 128) { s = s sprintf("%02x", n % 128 + 128); n = int(n / 128) } print s sprintf("%02x", n) }')
expect_match "it prints a DeleteResponse with the init's pid and 137" "$(od -An -tx1 "$CT/k2.resp" | tr -d ' \n')" "^08${pidhex}1089011a"
check "and the container is gone" wait_until 30 sh -c "! kill -0 $init 2>/dev/null"
check "its rootfs is unmounted" sh -c "! grep -q ' $BUNDLES/k2/rootfs ' /proc/self/mountinfo"
ctrd_start
check "containerd, restarted, drops the task" wait_until 30 sh -c \
	"! ctr -a $CT_SOCK -n $NS task ls | awk '\$1 == \"k2\"' | grep -q k2"
c containers delete k2
check "nothing of k2 is left" settled k2

finish
