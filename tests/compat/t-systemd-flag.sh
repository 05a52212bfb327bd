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
# org.systemd.property.* annotations are read before anything else, so runc's
# refusals show here without systemd: the same message, word for word (runc's
# logrus escapes quotes: undone), for each kind of bad name and value
edit "$T/b" '.linux.cgroupsPath = ""'
msg() { # the error after the runtime's own prefix
	case $1 in
	runc) printf '%s' "$2" | sed -n 's/.*runc create failed: //; s/"$//; s/\\"/"/g; p' | head -1 ;;
	husk) printf '%s' "$2" | sed -n 's/^husk: create: //p' | head -1 ;;
	esac
}
while IFS='|' read -r key value; do
	edit "$T/b" '.annotations = {($k): $v}' --arg k "$key" --arg v "$value"
	for r in runc husk; do
		sd $r "$T/b"
		eval "rc_$r=\$RC msg_$r=\$(msg $r \"\$ERR\")"
	done
	expect_eq "annotation $key=$value: exit status as runc's" "$rc_husk" "$rc_runc"
	expect_eq "annotation $key=$value: runc's message" "$msg_husk" "$msg_runc"
done <<'CASES'
org.systemd.property.Xo|1
org.systemd.property.Number1|1
org.systemd.property.ValidName|invalid-value
org.systemd.property.TimeoutStopSec|false
org.systemd.property.TimeoutStopSec|'covfefe'
org.systemd.property.CollectMode|'open
org.systemd.property.CPUWeight|5000000000
org.systemd.property.CPUWeight|@t -1
org.systemd.property.CPUWeight|byte 256
org.systemd.property.CPUWeight|double 1.5
org.systemd.property.CPUWeight|12x
org.systemd.property.CPUWeight|uint64
org.systemd.property.CPUWeight|
org.systemd.property.Delegate|@s true
org.systemd.property.Description|boolean 'a'
org.systemd.property.Description|uint64 string 'a'
org.systemd.property.Wants|[]
org.systemd.property.Wants|['a' 'b']
org.systemd.property.CollectMode|'inactive-or-failed'
org.systemd.property.TimeoutStopSec|234.789
org.systemd.property.Wants|['a.service', "b.service"]
some.other.annotation|not GVariant
CASES
cli husk list -q
expect_eq "no state left" "$OUT" ""
finish
