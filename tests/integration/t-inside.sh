#!/bin/sh
# What the process sees from inside the container: namespaces, hostname, mounts,
# masked and read-only paths, devices, rlimits, user, env, cwd, sysctl, joins.
. "$(dirname "$0")/lib.sh"
B=$T/b
bundle "$B"

expect_eq "pid 1" "$(run_in "$B" sh -c 'echo $$')" 1
expect_eq "hostname" "$(run_in "$B" hostname)" husk
edit "$B" '.hostname = "inner" | .domainname = "example.org"'
expect_eq "hostname and domainname from config" "$(run_in "$B" sh -c 'hostname; cat /proc/sys/kernel/domainname')" "inner
example.org"
expect_eq "/proc/1/cmdline is the user process" "$(run_in "$B" cat /proc/1/cmdline | tr '\0' ' ')" "cat /proc/1/cmdline "

mounts=$(run_in "$B" cat /proc/self/mounts)
expect_match "proc mounted" "$mounts" '^proc /proc proc '
expect_match "/dev is a tmpfs" "$mounts" '^tmpfs /dev tmpfs rw,nosuid'
expect_match "devpts with newinstance" "$mounts" '^devpts /dev/pts devpts rw,nosuid,noexec.*ptmxmode=666'
expect_match "/dev/shm nosuid,nodev,noexec" "$mounts" '^shm /dev/shm tmpfs rw,nosuid,nodev,noexec'
expect_match "mqueue" "$mounts" '^mqueue /dev/mqueue mqueue '
expect_match "sysfs read-only" "$mounts" '^sysfs /sys sysfs ro,nosuid,nodev,noexec'
# the hierarchy this runs on: v1 controllers (this machine), or a pure v2 host (tools/vm)
V2=false
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && V2=true
if $V2; then
	# runc and crun on v2: cgroup2 itself at /sys/fs/cgroup, read-only
	expect_match "cgroup2 read-only at /sys/fs/cgroup (v2)" "$mounts" ' /sys/fs/cgroup cgroup2 ro,nosuid,nodev,noexec'
	check "no tmpfs or v1 controller under /sys/fs/cgroup (v2)" sh -c "! printf '%s' \"\$1\" | grep -q ' /sys/fs/cgroup tmpfs\\| cgroup ro'" _ "$mounts"
else
	expect_match "cgroup tmpfs read-only" "$mounts" '^tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec'
	expect_match "a v1 controller is mounted" "$mounts" ' /sys/fs/cgroup/memory cgroup ro'
	expect_match "cgroup2 is mounted" "$mounts" ' /sys/fs/cgroup/unified cgroup2 ro'
fi
check "no host mounts leak in" sh -c "! printf '%s' \"\$1\" | grep -q ' /work\\| /run/husk'" _ "$mounts"
if $V2; then
	# without a cgroup namespace the container's cgroup is its /proc/self/cgroup path
	expect_eq "the container sees its own cgroup's processes (v2)" \
		"$(run_in "$B" sh -c 'cat /sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)/cgroup.procs')" 1
else
	expect_eq "the container sees its own cgroup as its memory root" \
		"$(run_in "$B" sh -c 'ls /sys/fs/cgroup/memory/cgroup.procs >/dev/null && cat /sys/fs/cgroup/memory/cgroup.procs')" 1
fi

# (this kernel has no /proc/kcore; /proc/keys and /proc/timer_list are masked too)
expect_eq "masked files read empty" "$(run_in "$B" sh -c 'cat /proc/keys /proc/timer_list | wc -c')" 0
check "host /proc/keys is not empty" [ -n "$(head -c1 /proc/keys)" ]
expect_eq "masked dir is empty" "$(run_in "$B" sh -c 'ls /sys/firmware | wc -l')" 0
expect_match "read-only path gives EROFS" "$(run_in "$B" sh -c 'echo 1 > /proc/sys/kernel/domainname' 2>&1)" 'Read-only file system'
expect_match "/proc/bus, /proc/fs, /proc/irq read-only" "$(run_in "$B" grep -c -E ' /proc/(bus|fs|irq) proc ro' /proc/self/mounts)" '^3$'

edit "$B" '.root.readonly = true'
expect_match "read-only root" "$(run_in "$B" touch /x 2>&1)" 'Read-only file system'
expect_eq "read-only root still has a writable /dev/shm" "$(run_in "$B" sh -c 'touch /dev/shm/x && echo ok')" ok
edit "$B" '.root.readonly = false'

# devices and /dev links
devs=$(run_in "$B" sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done')
expect_match "/dev/null is char 1:3 0666" "$devs" '^/dev/null character special file 1:3 666$'
expect_match "/dev/urandom" "$devs" '^/dev/urandom character special file 1:9 666$'
expect_match "/dev/tty" "$devs" '^/dev/tty character special file 5:0 666$'
expect_eq "/dev symlinks" "$(run_in "$B" sh -c 'for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done')" "/proc/self/fd
/proc/self/fd/0
/proc/self/fd/1
/proc/self/fd/2
pts/ptmx"
edit "$B" '.linux.devices = [{"type":"c","path":"/dev/extra/mem","major":1,"minor":3,"fileMode":384,"uid":5,"gid":6}]'
expect_eq "linux.devices node with mode and owner" "$(run_in "$B" stat -c '%F %t:%T %a %u:%g' /dev/extra/mem)" "character special file 1:3 600 5:6"
expect_eq "writing to null works" "$(run_in "$B" sh -c 'echo x > /dev/null && echo ok')" ok
edit "$B" 'del(.linux.devices)'

# rlimits, user, env, cwd, umask, oom_score_adj
expect_eq "default rlimit NOFILE 1024" "$(run_in "$B" sh -c 'ulimit -n; ulimit -Hn')" "1024
1024"
edit "$B" '.process.rlimits += [{"type":"RLIMIT_NPROC","soft":77,"hard":88},{"type":"RLIMIT_CORE","soft":0,"hard":0}]'
expect_eq "rlimits from config" "$(run_in "$B" sh -c 'ulimit -u; ulimit -Hu; ulimit -c')" "77
88
0"
edit "$B" '.process.user = {"uid":1000,"gid":1001,"additionalGids":[5,7],"umask":63}'
expect_eq "uid/gid/groups" "$(run_in "$B" sh -c 'id -u; id -g; id -G')" "1000
1001
1001 5 7"
expect_eq "umask" "$(run_in "$B" sh -c umask)" 0077
edit "$B" '.process.user = {"uid":0,"gid":0}'
edit "$B" '.process.env = ["PATH=/bin","FOO=bar baz","EMPTY="] | .process.cwd = "/tmp/deep/er"'
expect_eq "env is the config's, and HOME from /etc/passwd as runc" "$(run_in "$B" env | sort)" "EMPTY=
FOO=bar baz
HOME=/root
PATH=/bin"
expect_eq "cwd created and entered" "$(run_in "$B" pwd)" /tmp/deep/er
edit "$B" '.process.cwd = "/" | .process.oomScoreAdj = 123'
expect_eq "oom_score_adj" "$(run_in "$B" cat /proc/self/oom_score_adj)" 123
edit "$B" '.process.noNewPrivileges = true'
expect_eq "no_new_privs set when asked" "$(run_in "$B" sh -c 'grep NoNewPrivs /proc/self/status | tr -d " \t"')" "NoNewPrivs:1"

# process attributes: io priority, scheduler, personality, cpu affinity
edit "$B" '.process.ioPriority = {"class":"IOPRIO_CLASS_IDLE","priority":0} | .process.scheduler = {"policy":"SCHED_BATCH","nice":7}'
out=$(run_in "$B" sh -c 'ionice -p $$; cut -d" " -f41 /proc/self/stat; cut -d" " -f19 /proc/self/stat')
expect_match "ioPriority applied" "$out" '^idle'
expect_match "scheduler policy applied (3 = SCHED_BATCH)" "$(echo "$out" | sed -n 2p)" '^3$'
expect_match "scheduler nice applied" "$(echo "$out" | sed -n 3p)" '^7$'
edit "$B" 'del(.process.ioPriority) | del(.process.scheduler) | .linux.personality = {"domain":"LINUX32"} | .process.execCPUAffinity = {"initial":"0","final":"1"}'
out=$(run_in "$B" sh -c 'uname -m; grep Cpus_allowed_list /proc/self/status | tr -d " \t"')
expect_match "personality LINUX32 makes uname report 32-bit" "$out" '^i[3-6]86$'
expect_match "execCPUAffinity final applies to the process" "$out" '^Cpus_allowed_list:1$'
edit "$B" 'del(.linux.personality) | del(.process.execCPUAffinity)'

# sysctl in the container's namespaces
edit "$B" '.linux.sysctl = {"net.ipv4.ip_forward":"1","kernel.msgmax":"4321"}'
expect_eq "sysctl written in the container" "$(run_in "$B" sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax')" "1
4321"
check "host sysctl untouched" [ "$(cat /proc/sys/kernel/msgmax)" != 4321 ]
edit "$B" 'del(.linux.sysctl)'
expect_match "loopback is up in a new net namespace" "$(run_in "$B" ip link show lo)" 'UP'

# extra mounts: bind (ro), file bind, tmpfs with options, rbind + propagation
mkdir -p "$T/share/sub" && echo hostdata >"$T/share/f" && echo single >"$T/file"
edit "$B" '.mounts += [
  {"destination":"/data","source":$s,"options":["rbind","ro","rprivate"]},
  {"destination":"/etc/one","source":$f,"options":["bind"]},
  {"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["size=1m","mode=700","noexec"]}]' --arg s "$T/share" --arg f "$T/file"
expect_eq "bind mount visible" "$(run_in "$B" cat /data/f)" hostdata
expect_match "bind mount read-only" "$(run_in "$B" touch /data/new 2>&1)" 'Read-only file system'
expect_eq "file bind mount" "$(run_in "$B" cat /etc/one)" single
expect_match "tmpfs options" "$(run_in "$B" grep ' /scratch ' /proc/self/mounts)" 'tmpfs /scratch tmpfs rw,nosuid,nodev,noexec|tmpfs /scratch tmpfs rw,noexec.*size=1024k,mode=700'
check "bind source untouched on host" [ ! -e "$T/share/new" ]
check "the rootfs got mount points, the host no mounts" nothing_left none

# a symlink as mount destination cannot lead out of the rootfs
mkdir -p "$T/outside"
ln -sfn "$T/outside" "$B/rootfs/escape"
edit "$B" '.mounts += [{"destination":"/escape/inner","type":"tmpfs","source":"tmpfs"}]'
out=$(run_in "$B" sh -c 'grep -c " /escape/inner " /proc/self/mounts' 2>&1)
check "mount through a symlink to outside stays in the rootfs" [ ! -e "$T/outside/inner" ]
check "it landed under the rootfs instead" [ -d "$B/rootfs$T/outside/inner" ]
rm -f "$B/rootfs/escape"
edit "$B" '.mounts |= map(select(.destination != "/escape/inner"))'

# namespaces joined by path: share the net and uts namespace of a running container
edit "$B" '.process.args = ["sleep",$s] | .hostname = "shared"' --arg s "$LONG"
h run -d -b "$B" holder-$$ </dev/null
hpid=$(state_field holder-$$ pid)
# run -d returns once the init may go on, maybe before its execve: the pidof
# below looks for sleep (and the fds further down are the process's, not the init's)
runs_sleep() { [ "$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" = "sleep $LONG " ]; }
wait_until 30 runs_sleep "$hpid"
edit "$B" '.linux.namespaces |= map(if .type == "network" then .path = $n elif .type == "uts" then .path = $u else . end) | del(.hostname)' \
	--arg n "/proc/$hpid/ns/net" --arg u "/proc/$hpid/ns/uts"
out=$(run_in "$B" sh -c 'readlink /proc/self/ns/net; hostname')
expect_eq "joined the holder's net namespace" "$(echo "$out" | head -1)" "$(readlink /proc/"$hpid"/ns/net)"
expect_eq "joined the holder's uts namespace" "$(echo "$out" | tail -1)" shared
edit "$B" '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' --arg p "/proc/$hpid/ns/pid"
expect_eq "joined the holder's pid namespace (not pid 1)" "$(run_in "$B" sh -c 'test $$ != 1 && pidof sleep')" 1
h delete -f holder-$$
bundle "$B"

# new cgroup, ipc and time namespaces
edit "$B" '.linux.namespaces += [{"type":"cgroup"}]'
if $V2; then
	expect_eq "cgroup namespace rooted at the container's cgroup (v2)" "$(run_in "$B" cat /proc/self/cgroup)" "0::/"
	expect_eq "and /sys/fs/cgroup is that cgroup (v2)" "$(run_in "$B" cat /sys/fs/cgroup/cgroup.procs)" 1
else
	expect_eq "cgroup namespace rooted at the container's cgroup" "$(run_in "$B" sh -c 'grep memory /proc/self/cgroup')" "4:memory:/"
fi
check "cgroup namespace differs from host" sh -c "[ \"\$(readlink /proc/self/ns/cgroup)\" != \"\$1\" ]" _ "$(run_in "$B" readlink /proc/self/ns/cgroup)"
bundle "$B"
edit "$B" '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime":{"secs":86400,"nanosecs":0}}'
up=$(run_in "$B" cut -d. -f1 /proc/uptime)
check "time namespace with a boottime offset of one day" [ "$up" -ge 86400 ]
bundle "$B"

# --no-pivot and --preserve-fds
edit "$B" '.process.args = ["sh","-c","cat /proc/1/mountinfo | head -1 | cut -d\" \" -f5"]'
expect_eq "--no-pivot still roots the process at /" "$(h run --no-pivot -b "$B" np-$$ 2>&1)" /
edit "$B" '.process.args = ["sleep",$s]' --arg s "$LONG"
echo preserved >"$T/fd3"
h run -d --preserve-fds 1 -b "$B" pf-$$ 3<"$T/fd3" 4<"$T/fd3" </dev/null
pid=$(state_field pf-$$ pid)
wait_until 30 runs_sleep "$pid"
expect_eq "--preserve-fds 1 passes fd 3 and nothing else" "$(ls /proc/"$pid"/fd | sort -n | tr '\n' ' ')" "0 1 2 3 "
expect_eq "fd 3 is the caller's file" "$(cat /proc/"$pid"/fd/3)" preserved
h delete -f pf-$$
h run -d -b "$B" nopf-$$ 3<"$T/fd3" 4<"$T/fd3" </dev/null
pid=$(state_field nopf-$$ pid)
wait_until 30 runs_sleep "$pid"
expect_eq "without --preserve-fds only stdio reaches the process" "$(ls /proc/"$pid"/fd | sort -n | tr '\n' ' ')" "0 1 2 "
h delete -f nopf-$$

# RLIM_INFINITY written as a uint64 (as runc's specs do) is unlimited, not a parse error
# (jq would round the number: it goes in with sed)
edit "$B" '.process.rlimits = [{"type":"RLIMIT_CORE","hard":"BIG","soft":"BIG"}] | .process.args = ["sh","-c","ulimit -H -c"]'
sed -i 's/"BIG"/18446744073709551615/g' "$B/config.json"
expect_eq "rlimit 18446744073709551615 is unlimited" "$(h run -b "$B" biglimit-$$ 2>&1 </dev/null)" unlimited
finish
