#!/bin/sh
# linux.sysctl: each key is accepted only with its own namespace, as runc's
# validator does (IPC keys: an ipc namespace; net.*: a network namespace that
# is not the caller's; kernel.domainname: a uts namespace; kernel.hostname and
# unnamespaced keys: never). Accepted values are read back inside; refused
# ones must leave the host's values as they were (also checked by host-guard).
. "$(dirname "$0")/lib.sh"

host_values() {
	for k in fs/mqueue/queues_max kernel/msgmax kernel/sem kernel/shm_rmid_forced \
		net/ipv4/ping_group_range net/ipv4/ip_forward kernel/hostname kernel/domainname vm/swappiness; do
		echo "$k $(cat /proc/sys/$k)"
	done
}
before=$(host_values)

# sysctl_case DESC NAMESPACES KEY VALUE: the bundle with only these namespaces
# (plus mount, pid) sets KEY and prints it from inside; same answer as runc,
# and that answer is a refusal (exit 1) or the value, as DESC ends
sysctl_case() {
	desc=$1 nss=$2 key=$3 value=$4
	path=$(printf '%s' "$key" | tr . /)
	case $key in */*) path=$key ;; esac
	rt_bundle "$T/b" cat "/proc/sys/$path"
	edit "$T/b" '.linux.namespaces = ([{"type":"mount"},{"type":"pid"}] + ($n | fromjson))
		| if ($n | fromjson | map(.type) | index("uts")) then . else del(.hostname) end
		| .linux.sysctl = {($k): $v}' --arg n "$nss" --arg k "$key" --arg v "$value" ||
		{ not_ok "$desc: bad test input"; return; }
	same "$desc" "$T/b"
	case $desc in
	*refused) expect_eq "$desc: runc refuses it" "$RUNC_RC" 1 ;;
	*set) expect_eq "$desc: runc sets it" "$(echo "$RUNC_OUT" | tr -s '\t' ' ')" "$value" ;;
	esac
}
IPC='[{"type":"ipc"}]' NET='[{"type":"network"}]' UTS='[{"type":"uts"}]' NONE='[]'

sysctl_case "fs.mqueue.* without an ipc namespace is refused" "$NONE" fs.mqueue.queues_max 100
sysctl_case "fs.mqueue.* with an ipc namespace is set" "$IPC" fs.mqueue.queues_max 100
sysctl_case "kernel.msgmax without an ipc namespace is refused" "$NET" kernel.msgmax 12345
sysctl_case "kernel.msgmax with an ipc namespace is set" "$IPC" kernel.msgmax 12345
sysctl_case "kernel.sem without an ipc namespace is refused" "$UTS" kernel.sem "250 32000 32 100"
sysctl_case "kernel.sem with an ipc namespace is set" "$IPC" kernel.sem "250 32000 32 100"
sysctl_case "kernel.shm_rmid_forced with an ipc namespace is set" "$IPC" kernel.shm_rmid_forced 1
sysctl_case "kernel.shm_rmid_forced without one is refused" "$NONE" kernel.shm_rmid_forced 1
sysctl_case "a /-separated ipc key with an ipc namespace is set" "$IPC" kernel/msgmax 23456
sysctl_case "a /-separated ipc key without one is refused" "$NONE" fs/mqueue/queues_max 100
sysctl_case "net.* without a network namespace is refused" "$IPC" net.ipv4.ping_group_range "0 0"
sysctl_case "net.* with a network namespace is set" "$NET" net.ipv4.ping_group_range "0 0"
sysctl_case "net.ipv4.ip_forward without a network namespace is refused" "$NONE" net.ipv4.ip_forward 1
sysctl_case "a /-separated net key with a network namespace is set" "$NET" net/ipv4/ip_forward 1
sysctl_case "net.* joining the caller's network namespace is refused" \
	"[{\"type\":\"network\",\"path\":\"/proc/$$/ns/net\"}]" net.ipv4.ping_group_range "0 0"
# own_ns_ready NS PID: PID is in an NS namespace other than ours. Until unshare
# has run, /proc/PID/ns/NS is the host's, and runc 1.1 (which checks only the
# net path) would write the host's setting: a fixed sleep is no guard under load
own_ns_ready() {
	for _ in $(seq 100); do
		[ "$(readlink "/proc/$2/ns/$1")" != "$(readlink "/proc/self/ns/$1")" ] && return 0
		sleep 0.1
	done
	echo "unshare gave $2 no $1 namespace of its own in 10 s"
	exit 1
}
# another network namespace, joined by path: accepted
unshare -n sleep "$LONG" &
other=$!
own_ns_ready net $other
sysctl_case "net.* joining another network namespace is set" \
	"[{\"type\":\"network\",\"path\":\"/proc/$other/ns/net\"}]" net.ipv4.ping_group_range "0 0"
kill $other; wait $other 2>/dev/null
# joining the caller's own ipc or uts namespace by path: runc 1.1 checks the
# path only for net and would write the host's value, so here husk alone is
# run and must refuse (the spec: the host's settings are never changed)
husk_refuses() {
	desc=$1 nss=$2 key=$3 value=$4
	rt_bundle "$T/b" true
	edit "$T/b" '.linux.namespaces = ([{"type":"mount"},{"type":"pid"}] + ($n | fromjson)) | del(.hostname)
		| .linux.sysctl = {($k): $v}' --arg n "$nss" --arg k "$key" --arg v "$value"
	under husk "$T/b"
	expect_eq "$desc (husk exit status)" "$RC" 1
	expect_match "$desc: the error says why" "$ERR" "is not (allowed in the host's|in a separate)"
}
husk_refuses "fs.mqueue.* joining the caller's ipc namespace is refused" \
	"[{\"type\":\"ipc\",\"path\":\"/proc/$$/ns/ipc\"}]" fs.mqueue.queues_max 123
husk_refuses "kernel.domainname joining the caller's uts namespace is refused" \
	"[{\"type\":\"uts\",\"path\":\"/proc/$$/ns/uts\"}]" kernel.domainname sysctl.test
unshare -i sleep "$LONG" &
other=$!
own_ns_ready ipc $other
sysctl_case "fs.mqueue.* joining another ipc namespace is set" \
	"[{\"type\":\"ipc\",\"path\":\"/proc/$other/ns/ipc\"}]" fs.mqueue.queues_max 100
kill $other; wait $other 2>/dev/null
sysctl_case "kernel.domainname without a uts namespace is refused" "$IPC" kernel.domainname sysctl.test
sysctl_case "kernel.domainname with a uts namespace is set" "$UTS" kernel.domainname sysctl.test
sysctl_case "kernel.hostname without a uts namespace is refused" "$NONE" kernel.hostname x
sysctl_case "kernel.hostname with a uts namespace is refused" "$UTS" kernel.hostname x
sysctl_case "vm.swappiness (not namespaced) is refused" '[{"type":"ipc"},{"type":"network"},{"type":"uts"}]' vm.swappiness 60
sysctl_case "kernel.shm_next_id (not in runc's list) is refused" "$IPC" kernel.shm_next_id 5
expect_eq "the host's sysctls are unchanged" "$(host_values)" "$before"
finish
