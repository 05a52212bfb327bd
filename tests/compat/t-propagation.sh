#!/bin/sh
# linux.rootfsPropagation, every value, with the rootfs a plain directory and a
# mount point of its own (containerd's overlay; issue 17 fault 2), under a
# shared parent mount: exit status, the propagation of / inside, and whether a
# mount made outside afterwards shows inside. runc 1.1 is the expected value
# except where it leaves / private against the spec (shared, rshared,
# unbindable: runc >= 1.2 applies them to the new root) and for slave, where
# runc 1.1 makes the rootfs mount private and later runc (and husk) keep it a
# slave; see docs/compat.md.
#
# Everything runs in a private mount namespace of its own: nothing here is
# mounted in the host's.
if [ -z "${HUSK_PROP_NS:-}" ]; then
	exec unshare -m --propagation private env HUSK_PROP_NS=1 sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
M=$T/m
mkdir "$M"
mount -t tmpfs tmpfs "$M" && mount --make-shared "$M" || { echo "cannot set up $M"; exit 1; }
trap 'umount -R "$M" 2>/dev/null; compat_cleanup' EXIT
B=$M/b

# the propagation tag of / inside, without peer group numbers: shared, master, private, unbindable
rt_bundle "$B" sh -c 'awk '\''$5 == "/" { print $7 }'\'' /proc/self/mountinfo | sed "s/:[0-9]*//; s/^-$/private/"'
mkdir -p "$B/rootfs/mnt/probe"
cp "$B/config.json" "$T/base.json"

# expected propagation of / in the container, by the spec (runc >= 1.2)
spec_tag() {
	case $1 in
	shared | rshared) echo shared ;;
	unbindable) echo unbindable ;;
	slave) echo master ;;
	*) echo "" ;;
	esac
}

for v in private rprivate slave rslave shared rshared unbindable runbindable; do
	for mp in 0 1; do
		where=$([ $mp = 1 ] && echo "rootfs a mount point" || echo "rootfs a directory")
		cp "$T/base.json" "$B/config.json"
		edit "$B" '.linux.rootfsPropagation = $v' --arg v "$v"
		[ $mp = 1 ] && mount --bind "$B/rootfs" "$B/rootfs"
		under runc "$B"; RUNC_RC=$RC RUNC_OUT=$OUT RUNC_ERR=$ERR
		under husk "$B"
		want=$(spec_tag "$v")
		[ -n "$want" ] || want=$RUNC_OUT
		if [ "$RUNC_RC" != 0 ]; then want=""; fi
		expect_eq "$v, $where: exit status as runc" "$RC" "$RUNC_RC"
		[ "$RC" = "$RUNC_RC" ] || echo "  husk: $ERR; runc: $RUNC_ERR"
		expect_eq "$v, $where: / inside is $want" "$OUT" "$want"

		# a mount made outside, under the rootfs, after the container started
		if [ "$RUNC_RC" = 0 ]; then
			cp "$B/config.json" "$T/run.json"
			edit "$B" '.process.args = ["sleep", $s]' --arg s "$LONG"
			for rt in runc husk; do
				cli $rt create -b "$B" "p-$rt-$$"
				mount -t tmpfs probe "$B/rootfs/mnt/probe"
				cli $rt exec "p-$rt-$$" sh -c 'grep -c " /mnt/probe " /proc/self/mountinfo'
				eval "SEEN_$rt=\$OUT"
				umount "$B/rootfs/mnt/probe"
				cli $rt delete -f "p-$rt-$$"
			done
			want=$SEEN_runc
			[ "$v" = slave ] && want=1
			expect_eq "$v, $where: a mount made outside afterwards shows inside: $want" "$SEEN_husk" "$want"
			cp "$T/run.json" "$B/config.json"
		fi
		[ $mp = 1 ] && umount "$B/rootfs"
	done
done
finish
