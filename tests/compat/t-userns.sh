#!/bin/sh
# User namespaces against runc: the runtime must not act with the container's
# credentials too early. (a) bind sources are opened with the runtime's rights,
# (b) stdio pipes belong to the container's root, (c) a bind mount whose
# read-only flag the kernel locks keeps it instead of failing; strictatime over
# a locked atime flag fails as in runc.
. "$(dirname "$0")/lib.sh"

userns_bundle() {
	rt_bundle "$@"
	edit "$1" '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":300000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":300000,"size":65536}]'
	chown -R 300000:300000 "$1/rootfs"
}
chmod 755 "$T"

# (a) a source under a directory only the host's root may enter
mkdir -p "$T/closed/src" && echo reachable >"$T/closed/src/file" && chmod 755 "$T/closed/src" && chmod 000 "$T/closed"
userns_bundle "$T/b" cat /mnt/file
edit "$T/b" '.mounts += [{"destination":"/mnt","source":$s,"options":["bind"]}]' --arg s "$T/closed/src"
same "a bind source under a mode 000 directory" "$T/b"
expect_eq "runc: bound" "$RUNC_OUT" reachable
chmod 755 "$T/closed"

# (b) the container's root writes to its stdout by path
userns_bundle "$T/b" sh -c 'echo x > /dev/stdout && echo by-path'
same "/dev/stdout reopened by the container's root" "$T/b"
expect_eq "runc: works" "$(echo $RUNC_OUT)" "x by-path"

# strictatime over the atime flag the kernel locks (relatime): runc fails the
# remount; it must not be dropped silently
mkdir -p "$T/rwsrc"
for opts in bind,strictatime bind,noatime bind,relatime; do
	userns_bundle "$T/b" sh -c 'grep " /mnt " /proc/self/mountinfo | cut -d" " -f6'
	edit "$T/b" '.mounts += [{"destination":"/mnt","source":$s,"options":($o | split(","))}]' \
		--arg s "$T/rwsrc" --arg o "$opts"
	same "a locked relatime source with $opts" "$T/b"
	[ "$opts" = bind,strictatime ] && expect_eq "runc refuses strictatime over it" "$RUNC_RC" 1
done

# stdin through the pipes, and the exit status
userns_bundle "$T/b" sh -c 'cat; echo err >&2; exit 3'
for rt in runc husk; do
	echo piped-input | "$(rt_bin $rt)" --root "$T/root-$rt" run -b "$T/b" "pipe-$rt-$$" >"$T/o-$rt" 2>"$T/e-$rt"
	eval "st_$rt=\$?"
done
expect_eq "stdin, stdout, stderr and the status through the pipes, as runc" \
	"$st_husk $(cat "$T/o-husk") $(cat "$T/e-husk")" "$st_runc $(cat "$T/o-runc") $(cat "$T/e-runc")"
expect_eq "runc: 3 piped-input err" "$st_runc $(cat "$T/o-runc") $(cat "$T/e-runc")" "3 piped-input err"
# exec: the same pipes
userns_bundle "$T/b" sleep "$LONG"
for rt in runc husk; do
	cli "$rt" run -d -b "$T/b" "pipex-$rt-$$"
	cli "$rt" exec "pipex-$rt-$$" sh -c 'echo y > /dev/stdout && echo by-path'
	eval "x_$rt=\"\$RC \$(echo \$OUT)\""
	cli "$rt" delete -f "pipex-$rt-$$"
done
expect_eq "exec: /dev/stdout reopened by the container's root, as runc" "$x_husk" "$x_runc"
expect_eq "runc: 0 y by-path" "$x_runc" "0 y by-path"

# (c) a source on a read-only mount: in a private mount namespace made for it
mkdir -p "$T/rosrc" && echo ro-content >"$T/rosrc/file"
# in_ro_ns RT DIR: `RT run` with $T/rosrc mounted read-only (a private mount namespace)
in_ro_ns() {
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
		exec "$2" --root "$3" run -b "$4" "$5"' sh "$T/rosrc" "$(rt_bin "$1")" "$T/root-$1" "$2" \
		"ro-$1-$$-$(date +%s%N)" >"$T/out" 2>"$T/err" </dev/null
	RC=$? OUT=$(cat "$T/out") ERR=$(cat "$T/err")
}
ro_case() {
	desc=$1 opts=$2
	userns_bundle "$T/b" sh -c 'cat /mnt/file; touch /mnt/new 2>/dev/null && echo writable || echo read-only'
	edit "$T/b" '.mounts += [{"destination":"/mnt","source":$s,"options":($o | split(","))}]' \
		--arg s "$T/rosrc" --arg o "$opts"
	in_ro_ns runc "$T/b"; RUNC_RC=$RC RUNC_OUT=$OUT RUNC_ERR=$ERR
	in_ro_ns husk "$T/b"
	if [ "$RC" = "$RUNC_RC" ] && [ "$OUT" = "$RUNC_OUT" ]; then ok "$desc (both $RC)"
	else not_ok "$desc: husk $RC '$OUT' ($ERR), runc $RUNC_RC '$RUNC_OUT' ($RUNC_ERR)"; fi
}
ro_case "locked ro source, bind + nosuid without ro: the ro flag is kept" bind,nosuid
expect_eq "runc: mounted read-only" "$(echo $RUNC_OUT)" "ro-content read-only"
ro_case "locked ro source, plain bind" bind
ro_case "locked ro source, bind + ro" bind,ro
ro_case "locked ro source, bind + strictatime" bind,strictatime
ro_case "locked ro source, bind + noexec + nodev" bind,noexec,nodev
finish
