#!/bin/sh
# The process setup between clone and execve, against runc: HOME from the
# container's /etc/passwd, the cwd entered with the runtime's rights first, and
# a binary executable only thanks to a capability.
. "$(dirname "$0")/lib.sh"

rt_bundle "$T/b" sh -c 'echo "HOME=$HOME"'
edit "$T/b" '.process.env = ["PATH=/bin:/usr/bin"]'
same "HOME from /etc/passwd for root" "$T/b"
expect_eq "runc: HOME=/root" "$RUNC_OUT" "HOME=/root"
echo 'svc:x:1000:1000::/var/empty:/bin/false' >>"$T/b/rootfs/etc/passwd"
edit "$T/b" '.process.user = {"uid":1000,"gid":1000}'
same "HOME from /etc/passwd for uid 1000" "$T/b"
expect_eq "runc: HOME=/var/empty" "$RUNC_OUT" "HOME=/var/empty"
edit "$T/b" '.process.user = {"uid":4242,"gid":4242}'
same "HOME is / for a uid not in /etc/passwd" "$T/b"
edit "$T/b" '.process.user = {"uid":0,"gid":0} | .process.env += ["HOME=/mine"]'
same "HOME in process.env is kept" "$T/b"
edit "$T/b" '.process.env = ["PATH=/bin", "HOME="]'
same "an empty HOME is replaced, as runc" "$T/b"

# exec: the same, also with --user
rt_bundle "$T/b" sleep "$LONG"
edit "$T/b" '.process.env = ["PATH=/bin:/usr/bin"]'
echo 'svc:x:1000:1000::/var/empty:/bin/false' >>"$T/b/rootfs/etc/passwd"
for rt in runc husk; do
	cli "$rt" run -d -b "$T/b" "home-$rt-$$"
	cli "$rt" exec "home-$rt-$$" sh -c 'echo $HOME'
	eval "root_$rt=\$OUT"
	cli "$rt" exec --user 1000 "home-$rt-$$" sh -c 'echo $HOME'
	eval "user_$rt=\$OUT"
	cli "$rt" exec --user 4242 "home-$rt-$$" sh -c 'echo $HOME'
	eval "nouser_$rt=\$OUT"
	cli "$rt" delete -f "home-$rt-$$"
done
expect_eq "exec: HOME as runc (root, --user 1000, --user 4242)" "$root_husk $user_husk $nouser_husk" \
	"$root_runc $user_runc $nouser_runc"
expect_eq "runc: /root /var/empty /" "$root_runc $user_runc $nouser_runc" "/root /var/empty /"

# a cwd only root may enter, for uid 1000: runc enters it before the user switch
rt_bundle "$T/b" pwd
mkdir -p "$T/b/rootfs/private/dir" && chmod 700 "$T/b/rootfs/private"
edit "$T/b" '.process.user = {"uid":1000,"gid":1000} | .process.cwd = "/private/dir"'
same "a cwd only root may enter works for uid 1000" "$T/b"
expect_eq "runc: in /private/dir" "$RUNC_RC $RUNC_OUT" "0 /private/dir"

# a binary executable only thanks to CAP_DAC_OVERRIDE (mode 0700, root's) for uid 1000
rt_bundle "$T/b" /x/busybox echo executed
mkdir -p "$T/b/rootfs/x" && cp "$T/b/rootfs/bin/busybox" "$T/b/rootfs/x/busybox" && chmod 700 "$T/b/rootfs/x/busybox"
edit "$T/b" '.process.user = {"uid":1000,"gid":1000}
	| .process.capabilities = {bounding: ["CAP_DAC_OVERRIDE"], effective: ["CAP_DAC_OVERRIDE"], permitted: ["CAP_DAC_OVERRIDE"]}'
same "a binary executable only thanks to CAP_DAC_OVERRIDE" "$T/b"
expect_eq "runc runs it" "$RUNC_RC $RUNC_OUT" "0 executed"
edit "$T/b" '.process.capabilities = {bounding: [], effective: [], permitted: []}'
same_status "without the capability it is refused" "$T/b"
finish
