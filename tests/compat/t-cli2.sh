#!/bin/sh
# The command line, second part: the shape of `events` stats (every key runc
# 1.1 prints, recursively, for a container with memory/cpu/pids limits),
# `exec --no-new-privs` as a three-state flag, the signal names `kill` takes,
# and `spec --rootless`. runc's answers are the expected values.
. "$(dirname "$0")/lib.sh"

rt_bundle "$T/b" sleep "$LONG"
edit "$T/b" '.linux.resources += {"memory":{"limit":67108864},"cpu":{"shares":512,"quota":50000,"period":100000},"pids":{"limit":100}}
	| .process.noNewPrivileges = true'
run_both "$T/b" cli2

# --- events: every key runc prints (array indexes folded), and the figures
# that do not depend on the moment. runc leaves a zero throttling figure out
# (omitempty) and the container may or may not have been throttled yet: those
# keys are checked by name below.
PATHS='jq -r "paths|map(tostring)|join(\".\")" | sed -E "s/\.[0-9]+(\.|$)/.N\1/g" | grep -v "^data\.cpu\.throttling\." | sort -u'
both_out "events --stats: the key paths" "$PATHS" events --stats @
both_out "events --stats: the limits and cpuset" \
	'jq -c "[.data.memory.usage.limit, .data.memory.swap.limit, .data.pids.limit, .data.cpuset, .data.intel_rdt, .data.network_interfaces]"' \
	events --stats @
both_out "events --stats: the top-level data keys in runc's order" 'jq -c ".data|keys_unsorted"' events --stats @
both_out "events --stats: throttling's keys are runc's" \
	'jq -c ".data.cpu.throttling|keys - [\"periods\", \"throttledPeriods\", \"throttledTime\"]"' events --stats @
# the interval form: the first event of `events --interval 300ms` (the runtime
# ends on SIGPIPE at its second; the timeout only bounds a runtime that prints none)
for rt in runc husk; do
	eval id=\$ID_$rt
	timeout 60 "$(rt_bin $rt)" --root "$T/root-$rt" events --interval 300ms "$id" 2>/dev/null | head -1 >"$T/ev-$rt"
done
a=$(sh -c "$PATHS" <"$T/ev-runc") b=$(sh -c "$PATHS" <"$T/ev-husk")
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "events --interval: the key paths"
else not_ok "events --interval: the key paths: husk '$b', runc '$a'"; fi

# --- exec --no-new-privs: unset keeps the config's (true), =false and =true replace it
NNP='grep NoNewPrivs /proc/self/status'
both_out "exec (config noNewPrivileges: true)" 'tr -s "\t " " "' exec @ sh -c "$NNP"
both_out "exec --no-new-privs=false" 'tr -s "\t " " "' exec --no-new-privs=false @ sh -c "$NNP"
both_out "exec --no-new-privs" 'tr -s "\t " " "' exec --no-new-privs @ sh -c "$NNP"
both_out "exec --no-new-privs=true" 'tr -s "\t " " "' exec --no-new-privs=true @ sh -c "$NNP"

# --- kill: runc's names (x/sys/unix's table: one name per number 1-31, any
# case, SIG optional), numbers as strconv.Atoi reads them. The container's
# init is pid 1 of its namespace: signals it has no handler for are ignored.
for s in IOT SIGIOT iot CLD SIGCLD POLL SIGPOLL RTMIN SIGRTMIN RTMIN+1 SIGRTMIN+1 RTMAX RTMAX-1 SIGRTMAX-1 \
	UNUSED SIGUNUSED SIG SIG28 28x ' 28' 1e1 99999999999999999999 \
	WINCH SIGWINCH winch SiGwInCh sigurg IO SIGIO io CHLD sigchld PWR STKFLT +28 028 -0 34 64; do
	both "kill ID '$s'" kill @ "$s"
done

# --- spec --rootless: runc's document (the hostname is each runtime's name),
# as root and as another user (the mappings are the caller's ids)
for rt in runc husk; do mkdir -p "$T/sr-$rt"; done
both "spec --rootless" spec --rootless -b "$T/sr-%RT%"
for rt in runc husk; do
	mkdir -p "$T/sr-$rt" "$T/nr-$rt"
	rm -f "$T/sr-$rt/config.json"
	"$(rt_bin $rt)" spec --rootless -b "$T/sr-$rt" >/dev/null 2>&1
	# another user: a directory it owns, under the temp dir opened for traversal
	chmod 711 "$T"
	chown 1000:1000 "$T/nr-$rt"
	setpriv --reuid 1000 --regid 1000 --clear-groups "$(rt_bin $rt)" spec --rootless -b "$T/nr-$rt" >/dev/null 2>&1
done
expect_eq "spec --rootless: the document" \
	"$(jq -S 'del(.hostname)' "$T/sr-husk/config.json" 2>&1)" "$(jq -S 'del(.hostname)' "$T/sr-runc/config.json" 2>&1)"
expect_eq "spec --rootless as uid 1000: the document" \
	"$(jq -S 'del(.hostname)' "$T/nr-husk/config.json" 2>&1)" "$(jq -S 'del(.hostname)' "$T/nr-runc/config.json" 2>&1)"
expect_eq "spec --rootless as uid 1000: maps uid and gid 1000" \
	"$(jq -c '[.linux.uidMappings, .linux.gidMappings]' "$T/nr-husk/config.json" 2>&1)" \
	'[[{"containerID":0,"hostID":1000,"size":1}],[{"containerID":0,"hostID":1000,"size":1}]]'
# runc's rootless document runs the same under both (as root: the namespace
# maps root to root)
rt_bundle "$T/rl" true
cp "$T/sr-runc/config.json" "$T/rl/config.json"
edit "$T/rl" '.process.terminal = false | .process.args = ["sh", "-c", "id; cat /proc/self/uid_map /proc/self/gid_map; ls /sys | head -3; grep -c . /proc/net/dev"]'
same "run a spec --rootless bundle" "$T/rl"
both "spec --rootless again (exists)" spec --rootless -b "$T/sr-%RT%"
both "spec --rootless=false" spec --rootless=false -b "$T/sr-%RT%"

for rt in runc husk; do
	eval id=\$ID_$rt
	cli "$rt" delete -f "$id"
done
finish
