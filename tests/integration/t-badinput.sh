#!/bin/sh
# Bad input: each gets a clear error naming what is wrong, and leaves no state
# dir, cgroup, mount or process behind.
. "$(dirname "$0")/lib.sh"
B=$T/b
marker="sleep $LONG" # this test's own (checks.sh): the survivor check speaks only of it
bundle "$B" $marker
cp "$B/config.json" "$T/good.json"
n=0

# bad_config DESC EXPECTED-ERROR-REGEX JQ-FILTER (or RAW:text)
bad_config() {
	desc=$1 want=$2 filter=$3
	n=$((n + 1))
	cp "$T/good.json" "$B/config.json"
	case $filter in
	RAW:*) printf '%s' "${filter#RAW:}" >"$B/config.json" ;;
	*) edit "$B" "$filter" ;;
	esac
	out=$(h create -b "$B" bad$n-$$ 2>&1 </dev/null)
	rc=$?
	check "$desc: create fails" [ $rc -ne 0 ]
	expect_match "$desc: clear error" "$out" "$want"
	check "$desc: nothing left" nothing_left bad$n-$$
}

bad_config "truncated JSON" 'husk: create: config.json: invalid JSON at line' 'RAW:{"ociVersion": "1.0.2", "process": '
bad_config "not an object" 'config.json: must be a JSON object' 'RAW:[1,2]'
bad_config "empty file" 'config.json: invalid JSON' 'RAW:'
bad_config "no process" 'process: is required' 'del(.process)'
bad_config "empty args" 'config.json: process.args: must be a non-empty array of strings' '.process.args = []'
bad_config "args not strings" 'process.args: must be a non-empty array of strings' '.process.args = [1, 2]'
bad_config "relative cwd" 'process.cwd: must be an absolute path' '.process.cwd = "tmp"'
bad_config "unknown rlimit" 'process.rlimits\[0\].type: unknown rlimit "RLIMIT_WHAT"' '.process.rlimits[0].type = "RLIMIT_WHAT"'
bad_config "unknown namespace" 'linux.namespaces\[5\].type: unknown namespace type "bogus"' '.linux.namespaces += [{"type":"bogus"}]'
bad_config "hostname without uts" 'hostname: needs a private uts namespace' '.linux.namespaces |= map(select(.type != "uts"))'
bad_config "masks without a mount namespace" 'linux.maskedPaths: needs a mount namespace' '.linux.namespaces |= map(select(.type != "mount"))'
bad_config "bind without source" 'mounts\[7\].source: is required for a bind mount' '.mounts += [{"destination":"/d","options":["bind"]}]'
bad_config "missing bind source" 'bind mount source /nonexistent/src: no such file or directory' '.mounts += [{"destination":"/d","source":"/nonexistent/src","options":["bind"]}]'
bad_config "unknown filesystem" 'mount nosuchfs on /x: no such device' '.mounts += [{"destination":"/x","type":"nosuchfs","source":"none"}]'
bad_config "root path missing" 'rootfs .*/nope: no such file or directory' '.root.path = "nope"'
bad_config "user namespace without mappings" 'needs linux.uidMappings and linux.gidMappings' '.linux.namespaces += [{"type":"user"}]'
bad_config "join a namespace that does not exist" 'linux.namespaces\[1\]: open network namespace /proc/999999999/ns/net: no such file or directory' '.linux.namespaces[1].path = "/proc/999999999/ns/net"'
bad_config "cgroupsPath with .. up to the root" 'linux.cgroupsPath "/a/../..": must not be the root cgroup' '.linux.cgroupsPath = "/a/../.."'
bad_config "relative cgroupsPath with .. back to its start" 'linux.cgroupsPath "x/../..": must not be the cgroup a relative path is taken under' '.linux.cgroupsPath = "x/../.."'
bad_config "systemd cgroupsPath" 'systemd cgroup driver' '.linux.cgroupsPath = "system.slice:husk:x"'
bad_config "bad device type" 'linux.devices\[0\].type: must be one of c, b, u, p' '.linux.devices = [{"type":"q","path":"/dev/q"}]'
bad_config "missing binary" 'exec: "no-such-binary": executable file not found in \$PATH' '.process.args = ["no-such-binary"]'
bad_config "binary path is a directory" 'exec: "/bin": permission denied' '.process.args = ["/bin"]'
bad_config "terminal without console socket" 'cannot allocate a tty' '.process.terminal = true'
bad_config "bad sysctl" 'sysctl net.ipv4.nope: open /proc/sys/net/ipv4/nope: no such file or directory' '.linux.sysctl = {"net.ipv4.nope":"1"}'
bad_config "unnamespaced sysctl" 'linux.sysctl: "kernel.nope" is not in a separate kernel namespace' '.linux.sysctl = {"kernel.nope":"1"}'
bad_config "bad execCPUAffinity" 'process.execCPUAffinity: invalid cpu list "banana"' '.process.execCPUAffinity = {"initial":"banana"}'

# /proc must be mounted on a real directory, not a symlink out of the way
cp "$T/good.json" "$B/config.json"
rmdir "$B/rootfs/proc" && ln -s /tmp "$B/rootfs/proc"
out=$(h create -b "$B" procsym-$$ 2>&1 </dev/null)
expect_match "/proc as a symlink is refused" "$out" "/proc must be mounted on an ordinary directory"
check "nothing left after /proc symlink" nothing_left procsym-$$
rm "$B/rootfs/proc" && mkdir "$B/rootfs/proc"

# CVE-2024-21626: a cwd through a passed host dirfd must not put the process outside the root
cp "$T/good.json" "$B/config.json"
edit "$B" '.process.cwd = "/proc/self/fd/3"'
out=$(h create --preserve-fds 1 -b "$B" cve21626-$$ 2>&1 </dev/null 3<"$T")
check "a cwd through /proc/self/fd/N is refused" [ $? -ne 0 ]
expect_match "with a clear error" "$out" "cwd /proc/self/fd/3|outside of the container"
check "nothing left after the cwd attack" nothing_left cve21626-$$
cp "$T/good.json" "$B/config.json"

check "no process of any failed create survives" no_process "$marker"

# ids, bundles, duplicates
for id in "../evil" "a/b" ".." "."; do
	out=$(h create -b "$B" "$id" 2>&1 </dev/null)
	expect_match "id '$id' refused" "$out" "invalid container id"
done
out=$(h create -b "$B" "" 2>&1 </dev/null)
expect_match "empty id refused" "$out" "container id must not be empty"
check "no state dir escaped the root" [ ! -e "$T/evil" ]
out=$(h create -b "$T/no-bundle" c-$$ 2>&1 </dev/null)
expect_match "missing bundle" "$out" "bundle $T/no-bundle: no such file or directory"
check "nothing left after a missing bundle" nothing_left c-$$
mkdir -p "$T/empty"
out=$(h create -b "$T/empty" c-$$ 2>&1 </dev/null)
expect_match "bundle without config.json" "$out" "read $T/empty/config.json: no such file or directory"
h create -b "$B" dup-$$ </dev/null
out=$(h create -b "$B" dup-$$ 2>&1 </dev/null)
expect_match "a second create of the same id fails" "$out" "container \"dup-$$\" already exists"
expect_eq "and leaves the first one alone" "$(state_field dup-$$ status)" created
h delete dup-$$
check "nothing left of dup-$$" nothing_left dup-$$

# operations on what does not exist, and usage errors
for verb in start state delete; do
	out=$(h $verb ghost 2>&1)
	expect_match "$verb of an unknown container" "$out" "husk: $verb: container \"ghost\" does not exist"
done
out=$(h kill ghost 2>&1); expect_match "kill of an unknown container" "$out" 'container "ghost" does not exist'
h delete -f ghost; expect_eq "delete -f of an unknown container succeeds" $? 0
out=$(h kill x NOTASIGNAL 2>&1); expect_match "unknown signal" "$out" 'unknown signal "NOTASIGNAL"'
out=$(h create 2>&1); expect_match "create without an id" "$out" '"create" requires exactly 1 argument'
out=$(h frobnicate 2>&1); expect_match "unknown command" "$out" 'unknown command "frobnicate"'
out=$(h create --preserve-fds lots x 2>&1); expect_match "bad number" "$out" 'invalid value "lots" for flag -preserve-fds: not a valid number'
out=$("$HUSK" --log-format xml list 2>&1); expect_match "bad log format" "$out" "must be text or json"
echo "(ran $n malformed configs)"
finish
