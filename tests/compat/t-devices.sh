#!/bin/sh
# Device cgroup rules as runc 1.1 makes them (issue 14 fault 5, issue 18 fault 1):
# linux.resources.devices in order, then runc's default allows minus the
# defaults whose path linux.devices lists; linux.devices entries get no rule of
# their own. The container opens devices (open only: nothing is written to any
# device) and reports ok / eperm / other for read and write; runc's answer is
# the expected one. On a cgroup v1 host the devices.list is compared too.
. "$(dirname "$0")/lib.sh"

B=$T/b
rt_bundle "$B" sh /probe.sh
cat >"$B/rootfs/probe.sh" <<'EOF'
try() { # try PATH: how an open for reading and one for writing end
	for mode in r w; do
		if [ $mode = r ]; then (: <"$1") 2>/tmp/e; else (: >"$1") 2>/tmp/e; fi && res=ok ||
			{ grep -q "not permitted" /tmp/e && res=eperm || res=other; }
		printf '%s:%s=%s ' "$1" $mode $res
	done
}
[ -n "${MK:-}" ] && { mknod /dev/k $MK 2>/dev/null && printf 'mknod=ok ' || printf 'mknod=fail '; }
for d in /dev/null /dev/zero /dev/full /dev/zero2 /dev/k; do [ -e $d ] && try $d; done
echo
[ -n "${LIST:-}" ] && tr '\n' ' ' </sys/fs/cgroup/devices/devices.list
exit 0
EOF
caps='["CAP_MKNOD","CAP_KILL","CAP_AUDIT_WRITE"]'
edit "$B" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' --argjson c "$caps"
base=$T/base.json
cp "$B/config.json" "$base"
v1=false
grep -q ' - cgroup cgroup .*devices' /proc/self/mountinfo && v1=true

case_() { # case_ DESC JQ-FILTER [ENV...]
	desc=$1 filter=$2; shift 2
	jq "$filter | .process.env += \$e" --argjson e "$(printf '%s\n' "$@" | jq -R . | jq -sc 'map(select(. != ""))')" \
		"$base" >"$B/config.json"
	same "$desc" "$B"
	[ -n "$OUT" ] || not_ok "$desc: the probe printed nothing ($ERR)"
}

# no rules at all: runc's defaults confine (a mknod'd loop0 cannot be opened)
case_ "no rules: a mknod'd block device is refused" 'del(.linux.resources)' "MK=b 7 0"
case_ "no rules: runc's defaults (null, zero, full)" 'del(.linux.resources)'
# a listed device under deny-all: no rule of its own, and its path drops runc's default
case_ "deny-all: listed /dev/full has no rule (runc drops its default)" \
	'.linux.resources.devices = [{allow: false, access: "rwm"}] | .linux.devices = [{path: "/dev/full", type: "c", major: 1, minor: 7}]'
# the issue's kind: a deny rule for a listed device holds
case_ "deny rule for a listed device holds" \
	'.linux.resources.devices = [{allow: false, access: "rwm"}, {allow: false, type: "c", major: 1, minor: 7, access: "rwm"}]
	| .linux.devices = [{path: "/dev/full", type: "c", major: 1, minor: 7, fileMode: 438}]'
# a deny rule for a default device at another path: the default comes after and wins
case_ "deny rule before runc's defaults is undone by them" \
	'.linux.resources.devices = [{allow: false, access: "rwm"}, {allow: false, type: "c", major: 1, minor: 5, access: "rwm"}]
	| .linux.devices = [{path: "/dev/zero2", type: "c", major: 1, minor: 5}]'
case_ "an allow rule for a listed device opens it" \
	'.linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "b", major: 7, minor: 0, access: "r"}]' "MK=b 7 0"
# deny-list mode: allow all, then deny
case_ "deny-list: a deny of a non-default device holds" \
	'.linux.resources.devices = [{allow: true, access: "rwm"}, {allow: false, type: "b", major: 7, minor: 0, access: "w"}]' "MK=b 7 0"
case_ "deny-list: a deny of a default device is undone by runc's defaults" \
	'.linux.resources.devices = [{allow: true, access: "rwm"}, {allow: false, type: "c", major: 1, minor: 5, access: "w"}]'
if $v1; then
	case_ "devices.list as runc writes it (no rules)" 'del(.linux.resources)' LIST=1
	case_ "devices.list as runc writes it (rules and a listed device)" \
		'.linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 4, access: "r"}]
		| .linux.devices = [{path: "/dev/urandom", type: "c", major: 1, minor: 9}]' LIST=1
fi
# a hole punched in a wildcard rule: runc refuses the config
jq '.linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "c", access: "rwm"},
	{allow: false, type: "c", major: 1, minor: 5, access: "w"}]' "$base" >"$B/config.json"
same_status "a hole punched in a wildcard rule is refused" "$B"
finish
