#!/bin/sh
# The created init holds no fd of the caller's but stdio and --preserve-fds:
# runc's init never gets them. The caller keeps a non-close-on-exec fd open
# across `create`; /proc/INIT/fd is read before `start`.
. "$(dirname "$0")/lib.sh"

# init_fds RT ID: where the init's fds point, one per line (fd numbers differ
# between runtimes: only the targets are compared)
init_fds() {
	cli "$1" state "$2"
	pid=$(printf '%s' "$OUT" | jq -r .pid)
	for f in /proc/"$pid"/fd/*; do readlink "$f"; done
}

echo caller-secret >"$T/secret"
echo preserved >"$T/preserved"
rt_bundle "$T/b" sh -c 'ls /proc/self/fd | wc -l'
for rt in runc husk; do
	id=fds-$rt-$$
	# fd 7: the caller's, not close-on-exec
	cli "$rt" create -b "$T/b" "$id" 7<"$T/secret"
	expect_eq "$rt: create" "$RC" 0
	eval "fds_$rt=\$(init_fds $rt $id)"
	cli "$rt" delete -f "$id"
	# --preserve-fds 1: fd 3 is handed down
	cli "$rt" create --preserve-fds 1 -b "$T/b" "$id-p" 3<"$T/preserved" 7<"$T/secret"
	eval "pfds_$rt=\$(init_fds $rt $id-p)"
	cli "$rt" delete -f "$id-p"
done
expect_eq "runc: the caller's fd is not in the init" "$(echo "$fds_runc" | grep -c secret)" 0
expect_eq "husk: the caller's fd is not in the init" "$(echo "$fds_husk" | grep -c secret)" 0
expect_eq "runc: a preserved fd is" "$(echo "$pfds_runc" | grep -c preserved) $(echo "$pfds_runc" | grep -c secret)" "1 0"
expect_eq "husk: a preserved fd is, the other is not" \
	"$(echo "$pfds_husk" | grep -c preserved) $(echo "$pfds_husk" | grep -c secret)" "1 0"
# nothing from the host's file system at all but what runc holds too (stdio, the fifo)
expect_eq "husk: no host file beyond stdio and exec.fifo" \
	"$(echo "$fds_husk" | grep "^/" | grep -v -e '/dev/null' -e "$T/" -e 'exec.fifo' | wc -l)" 0
# systemd socket activation: LISTEN_FDS fds (LISTEN_PID is the runtime's pid)
# go first, the preserved ones after them, and the process is told LISTEN_FDS=N,
# LISTEN_PID=1 (runc's run/create)
echo listened >"$T/listen"
rt_bundle "$T/b" sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3; cat <&4; ls /proc/self/fd | wc -l'
for rt in runc husk; do
	LISTEN_FDS=1 sh -c 'LISTEN_PID=$$ exec "$1" --root "$2" run --preserve-fds 1 -b "$3" "$4"' sh \
		"$(rt_bin $rt)" "$T/root-$rt" "$T/b" "la-$rt-$$" 3<"$T/listen" 4<"$T/preserved" 7<"$T/secret" \
		>"$T/la-$rt" 2>&1 </dev/null
done
expect_eq "socket activation fds and env as runc" "$(cat "$T/la-husk")" "$(cat "$T/la-runc")"
expect_eq "runc: LISTEN_FDS=1, LISTEN_PID=1, fd 3 and 4" "$(echo $(head -3 "$T/la-runc"))" "1 1 listened preserved"
# LISTEN_PID of another process: not ours, nothing is passed
for rt in runc husk; do
	LISTEN_FDS=1 LISTEN_PID=1 "$(rt_bin $rt)" --root "$T/root-$rt" run -b "$T/b" "lb-$rt-$$" 3<"$T/listen" \
		>"$T/lb-$rt" 2>&1 </dev/null
done
expect_eq "LISTEN_PID not the runtime's: no fd, no env, as runc" \
	"$(grep -c -e listened -e '^1 1$' "$T/lb-husk") $(grep -c 'Bad file descriptor' "$T/lb-husk")" \
	"$(grep -c -e listened -e '^1 1$' "$T/lb-runc") $(grep -c 'Bad file descriptor' "$T/lb-runc")"

# husk exec: the same (the exec'd process lists its own fds)
rt_bundle "$T/b" sleep "$LONG"
for rt in runc husk; do
	cli "$rt" run -d -b "$T/b" "fdx-$rt-$$"
	"$(rt_bin "$rt")" --root "$T/root-$rt" exec "fdx-$rt-$$" sh -c 'ls -l /proc/self/fd' 7<"$T/secret" >"$T/x-$rt" 2>&1
	cli "$rt" delete -f "fdx-$rt-$$"
done
expect_eq "exec: the caller's fd reaches neither runtime's process" \
	"$(grep -c secret "$T/x-runc") $(grep -c secret "$T/x-husk")" "0 0"

# --preserve-fds N where the caller has nothing open at 3..N+2: the process must get
# nothing there either. runc 1.1.5 hands down its own fds (an O_PATH of the host's
# /sys/fs/cgroup, an epoll fd, a pipe: the CVE-2024-21626 kind, closed in runc
# 1.1.12); husk's own fds are close-on-exec and never moved into that range
# (docs/compat.md). The process writes its fds 3..5, and where they point, into the
# rootfs. no_fds RT CMD...: run the runtime with fds 3..9 closed
no_fds() {
	rt=$1; shift
	sh -c 'exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; exec "$@"' sh "$(rt_bin $rt)" --root "$T/root-$rt" "$@" \
		>/dev/null 2>&1 </dev/null
}
LIST='for f in 3 4 5; do [ -e /proc/self/fd/$f ] && echo "$f $(readlink /proc/self/fd/$f)"; done >/pe.out; echo end >>/pe.out'
# listed RT NAME: wait for the list, keep it as $T/NAME-RT
listed() {
	wait_until 30 grep -q end "$T/b/rootfs/pe.out" 2>/dev/null
	mv "$T/b/rootfs/pe.out" "$T/$2-$1" 2>/dev/null
}
rt_bundle "$T/b" sh -c "$LIST"
for rt in runc husk; do
	no_fds $rt run --preserve-fds 3 -b "$T/b" "pe-$rt-$$"
	listed $rt pe
	no_fds $rt create --preserve-fds 3 -b "$T/b" "pc-$rt-$$"
	cli "$rt" start "pc-$rt-$$"
	listed $rt pc
	cli "$rt" delete -f "pc-$rt-$$"
done
expect_eq "runc 1.1.5: run --preserve-fds 3, nothing open there: fds of its own reach the process" \
	"$(grep -c '^[345] ' "$T/pe-runc")" 3
expect_eq "husk: run --preserve-fds 3, nothing open there: no fd at 3..5" "$(cat "$T/pe-husk")" "end"
expect_eq "runc 1.1.5: create --preserve-fds 3: the same" "$(grep -c '^[345] ' "$T/pc-runc")" 3
expect_eq "husk: create --preserve-fds 3, nothing open there: no fd at 3..5" "$(cat "$T/pc-husk")" "end"
rt_bundle "$T/b" sleep "$LONG"
for rt in runc husk; do
	cli "$rt" run -d -b "$T/b" "px-$rt-$$"
	no_fds $rt exec --preserve-fds 3 "px-$rt-$$" sh -c "$LIST"
	listed $rt px
	cli "$rt" delete -f "px-$rt-$$"
done
expect_eq "husk: exec --preserve-fds 3, nothing open there: no fd at 3..5 (runc: $(grep -c '^[345] ' "$T/px-runc") of its own)" \
	"$(cat "$T/px-husk")" "end"
finish
