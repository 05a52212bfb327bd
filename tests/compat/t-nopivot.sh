#!/bin/sh
# --no-pivot must not leave a full procfs (or sysfs) reachable: with one in
# the mount namespace the kernel lets a new user+pid (+net) namespace mount a
# fresh, unmasked procfs (sysfs). runc detaches (or covers) them; the mount
# fails there.
. "$(dirname "$0")/lib.sh"
# mapping root in a new user namespace needs CAP_SETFCAP at unshare (Linux
# 5.12+ verify_root_map), as Docker's default set has it
setfcap() { edit "$1" '.process.capabilities |= map_values(. + ["CAP_SETFCAP"])'; }

rt_bundle "$T/b" unshare -mrpf sh -c 'mount -t proc none /proc && echo mounted'
setfcap "$T/b"
same_status "no-pivot: mount -t proc in a new user+pid namespace is refused" "$T/b" --no-pivot
expect_eq "runc refuses it" "$RUNC_RC" 1
expect_match "husk: permission denied, as runc" "$ERR" "mount: permission denied"
rt_bundle "$T/b" unshare -mrpfn sh -c 'mount -t sysfs none /sys && echo mounted'
setfcap "$T/b"
same_status "no-pivot: mount -t sysfs in a new user+net namespace is refused too" "$T/b" --no-pivot
expect_eq "runc refuses it" "$RUNC_RC" 1
# the control: with pivot_root the kernel's own checks give the same answer
rt_bundle "$T/b" unshare -mrpf sh -c 'mount -t proc none /proc && echo mounted'
setfcap "$T/b"
same_status "pivot_root: refused as well" "$T/b"
# the control: a user+pid namespace works at all (else the checks above prove nothing)
rt_bundle "$T/b" unshare -mrpf sh -c 'echo in-userns'
setfcap "$T/b"
same "no-pivot: unshare -mrpf itself works" "$T/b" --no-pivot
expect_eq "runc: it works" "$RUNC_OUT" in-userns
# and the container still works: its own /proc and /sys are there
rt_bundle "$T/b" sh -c 'cat /proc/self/stat >/dev/null && ls /sys/kernel >/dev/null && echo fine'
same "no-pivot: the container's /proc and /sys work" "$T/b" --no-pivot
finish
