#!/bin/bash
# t-systemd-flag: `--systemd-cgroup` where it cannot work. This machine has no
# systemd as PID 1 (the driver itself is tested in the VM: tests/vm/t-systemd.sh):
# husk must refuse as runc does, with runc's messages, in runc's order (the
# cgroupsPath format first), and leave no state behind.
. "$(dirname "$0")/lib.sh"

[ -d /run/systemd/system ] && { echo "this host runs systemd: tests/vm/t-systemd.sh covers it"; exit 1; }

sd() { # sd RT BUNDLE: create with the systemd driver; sets RC, OUT, ERR
	cli "$1" --systemd-cgroup create -b "$2" "sd-$1-$$"
}
rt_bundle "$T/b" true
for r in runc husk; do
	sd $r "$T/b"
	eval "rc_$r=\$RC err_$r=\$ERR"
done
expect_eq "no systemd: exit status as runc's" "$rc_husk" "$rc_runc"
expect_match "no systemd: runc's message" "$err_husk" 'systemd not running on this host, cannot use systemd cgroups manager'
expect_match "runc says the same" "$err_runc" 'systemd not running on this host'

edit "$T/b" '.linux.cgroupsPath = "/plain/path"'
for r in runc husk; do
	sd $r "$T/b"
	eval "rc_$r=\$RC err_$r=\$ERR"
done
expect_eq "bad cgroupsPath: exit status as runc's" "$rc_husk" "$rc_runc"
expect_match "bad cgroupsPath: checked before systemd, runc's message" "$err_husk" \
	'expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "/plain/path" instead'

edit "$T/b" '.linux.cgroupsPath = "a--b.slice:husk:x"'
for r in runc husk; do
	sd $r "$T/b"
	eval "rc_$r=\$RC"
done
expect_eq "bad slice name: exit status as runc's" "$rc_husk" "$rc_runc"
cli husk list -q
expect_eq "no state left" "$OUT" ""
finish
