#!/bin/sh
# Mounts and rootfs (issue 15): read-only /dev and tmpfs mounts that others are
# mounted into, a tmpfs's mode over an existing directory, tmpcopyup, a bind
# mount at /dev, and a container without a mount namespace of its own. runc's
# answer is the expected value; deliberate differences are in docs/compat.md.
#
# Runs in a private mount namespace of its own: the container without a mount
# namespace mounts in its caller's, which must not be the host's.
if [ -z "${HUSK_MOUNTS_NS:-}" ]; then
	exec unshare -m --propagation private env HUSK_MOUNTS_NS=1 sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
B=$T/b


# /dev read-only: runc mounts it read-write, makes the mount points and nodes
# in it, and remounts it read-only after pivot_root
case_same "read-only /dev" '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]' \
	sh -c 'grep " /dev " /proc/mounts | cut -d" " -f4 | cut -d, -f1; ls /dev; touch /dev/x 2>/dev/null || echo ro'
# the same for any read-only tmpfs that a later mount lands in
case_same "read-only tmpfs with a mount inside" \
	'.mounts += [{"destination":"/mnt","type":"tmpfs","source":"tmpfs","options":["ro"]},{"destination":"/mnt/sub","type":"tmpfs","source":"tmpfs"}]' \
	sh -c 'grep " /mnt" /proc/mounts | cut -d" " -f2,4 | cut -d, -f1; touch /mnt/x 2>/dev/null || echo ro'

# masked paths as the container's /proc/mounts shows them: a directory under a
# read-only tmpfs without options, a file under /dev/null (runc's maskPath)
case_same "masked paths in /proc/mounts" '.linux.maskedPaths = ["/proc/acpi", "/proc/kcore", "/sys/firmware", "/proc/nosuch"]' \
	sh -c 'grep -E " /proc/acpi | /proc/kcore | /sys/firmware " /proc/mounts | cut -d" " -f1-4'

# a tmpfs over an existing directory takes its mode (runc >= 1.1.8, crun; runc 1.1.5 too here)
rt_bundle "$B" stat -c '%a' /etc /mnt/new
edit "$B" '.mounts += [{"destination":"/etc","type":"tmpfs","source":"tmpfs"},{"destination":"/mnt/new","type":"tmpfs","source":"tmpfs"}]'
chmod 750 "$B/rootfs/etc"
under runc "$B"; RUNC_OUT=$OUT RUNC_RC=$RC
rmdir "$B/rootfs/mnt/new" "$B/rootfs/mnt" # runc made them: husk must see the same tree
under husk "$B"
expect_eq "tmpfs over an existing directory has its mode; a new one 1777" "$RC $OUT" "$RUNC_RC $RUNC_OUT"
# mode= in the config wins; runc 1.1.5 chmods the mount to the directory's
# mode afterwards (fixed in 1.1.8): husk follows 1.1.8 and crun
rt_bundle "$B" stat -c '%a' /etc
edit "$B" '.mounts += [{"destination":"/etc","type":"tmpfs","source":"tmpfs","options":["mode=700"]}]'
under husk "$B"
expect_eq "tmpfs mode= wins over the directory's mode" "$RC $OUT" "0 700"

# tmpcopyup: the tmpfs starts with a copy of what it covers, modes and owners kept
rt_bundle "$B" sh -c 'cd /etc && stat -c "%n %a %u:%g %F" . * sub/* && cat sub/link && grep " /etc " /proc/mounts | cut -d" " -f4 | cut -d, -f1'
mkdir "$B/rootfs/etc/sub"
chmod 751 "$B/rootfs/etc/sub" && chown 12:34 "$B/rootfs/etc/sub"
printf 'secret\n' >"$B/rootfs/etc/sub/file" && chmod 640 "$B/rootfs/etc/sub/file" && chown 56:78 "$B/rootfs/etc/sub/file"
ln -s ../passwd "$B/rootfs/etc/sub/link"
edit "$B" '.mounts += [{"destination":"/etc","type":"tmpfs","source":"tmpfs","options":["tmpcopyup","ro"]}]'
same "tmpcopyup" "$B"
cli husk features
expect_match "features lists tmpcopyup" "$OUT" '"tmpcopyup"'

# a bind mount at /dev: runc makes no device nodes or links in it (they would
# land in the bind's source)
mkdir -p "$T/devsrc"
rt_bundle "$B" sh -c 'ls /dev'
edit "$B" '(.mounts[] | select(.destination == "/dev")) |= {"destination":"/dev","type":"bind","source":$src,"options":["rbind"]} | .mounts |= map(select(.destination | startswith("/dev/") | not)) | .linux.devices = [{"path":"/dev/fuse","type":"c","major":10,"minor":229}]' --arg src "$T/devsrc"
same "bind mount at /dev" "$B"
expect_eq "bind mount at /dev: nothing made in its source" "$(ls -A "$T/devsrc")" ""

# No mount namespace: the container shares its caller's (runtime-spec). runc
# and husk both mount the config's mounts there; husk neither binds the rootfs
# onto itself nor changes the propagation of its parent mount (runc makes it
# private). So the caller's mount table gains under husk a subset of what it
# gains under runc, and nothing else changes.
M=$T/m
mkdir "$M" && mount -t tmpfs tmpfs "$M" && mount --make-shared "$M"
# the caller's mount table: mount point (relative to the rootfs inside it) and propagation
table() { awk -v m="$M/$1/rootfs" '{ p = $5; if (p == m || index(p, m "/") == 1) p = "rootfs" substr(p, length(m) + 1); print p, $7 }' /proc/self/mountinfo | sed 's/:[0-9]*//' | sort; }
for rt in runc husk; do
	rt_bundle "$M/$rt" sh -c 'echo in; ls /proc/self >/dev/null && echo proc'
	# without masks (runc refuses them without a mount namespace) and without the
	# cgroup mount (husk's adds the unified hierarchy, which runc's does not)
	edit "$M/$rt" '.linux.namespaces |= map(select(.type != "mount")) | del(.linux.maskedPaths, .linux.readonlyPaths) | .mounts |= map(select(.type != "cgroup"))'
	table "$rt" >"$T/before-$rt"
	under $rt "$M/$rt"
	eval "NS_$rt=\"\$RC \$OUT\""
	table "$rt" >"$T/after-$rt"
	comm -13 "$T/before-$rt" "$T/after-$rt" | cut -d" " -f1 | sort >"$T/added-$rt"
	comm -23 "$T/before-$rt" "$T/after-$rt" >"$T/removed-$rt"
	awk -v m="$M/$rt/rootfs" '$5 == m || index($5, m "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r p; do umount -l "$p"; done
done
expect_eq "no mount namespace: runs as under runc" "$NS_husk" "$NS_runc"
expect_eq "no mount namespace: husk mounts nothing runc does not" "$(comm -23 "$T/added-husk" "$T/added-runc" | tr '\n' ' ')" ""
expect_eq "no mount namespace: husk makes the config's mounts, as runc" "$(grep '^rootfs/' "$T/added-husk" | tr '\n' ' ')" \
	"$(grep '^rootfs/' "$T/added-runc" | tr '\n' ' ')"
expect_eq "no mount namespace: the caller's mounts keep their propagation" "$(cat "$T/removed-husk")" ""
umount -R "$M"
finish
