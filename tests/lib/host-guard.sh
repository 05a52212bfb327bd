#!/bin/sh
# host-guard.sh SCRIPT [ARGS...]: run one test script, then fail it if the host
# changed under it. The tests run as root; a runtime bug (a sysctl written
# outside the container's namespace, a chown of a host device node, a hostname
# set without a UTS namespace) would otherwise pass silently and hurt the host.
# What is compared: owner, group and mode of the host's device nodes the
# runtime bind-mounts or creates, hostname and domainname, and the sysctls a
# container may ask for. Prints each difference and exits 1 on any.
set -u
snapshot() {
	for d in /dev/null /dev/zero /dev/full /dev/tty /dev/ptmx /dev/random /dev/urandom; do
		[ -e "$d" ] && echo "$d $(stat -c '%u:%g %a %t:%T' "$d")"
	done
	echo "hostname $(cat /proc/sys/kernel/hostname)"
	echo "domainname $(cat /proc/sys/kernel/domainname)"
	for k in /proc/sys/fs/mqueue/* /proc/sys/kernel/msg* /proc/sys/kernel/sem \
		/proc/sys/kernel/shm* /proc/sys/net/ipv4/ping_group_range \
		/proc/sys/net/ipv4/ip_forward /proc/sys/vm/swappiness; do
		[ -r "$k" ] && echo "${k#/proc/sys/} $(tr -s '\t ' ' ' <"$k")"
	done
}
[ $# -ge 1 ] || { echo "usage: host-guard.sh SCRIPT [ARGS...]" >&2; exit 2; }
before=$(snapshot)
sh "$@"
rc=$?
after=$(snapshot)
if [ "$before" != "$after" ]; then
	echo "host-guard: $1 changed the host:"
	printf '%s\n' "$before" >"${TMPDIR:-/tmp}/host-guard.$$.a"
	printf '%s\n' "$after" >"${TMPDIR:-/tmp}/host-guard.$$.b"
	diff "${TMPDIR:-/tmp}/host-guard.$$.a" "${TMPDIR:-/tmp}/host-guard.$$.b" | sed -n 's/^[<>]/  &/p'
	rm -f "${TMPDIR:-/tmp}/host-guard.$$.a" "${TMPDIR:-/tmp}/host-guard.$$.b"
	echo "0 passed, 1 failed"
	exit 1
fi
exit $rc
