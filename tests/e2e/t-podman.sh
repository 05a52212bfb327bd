#!/bin/sh
# podman 4.3 with husk as its OCI runtime (--runtime PATH, through conmon),
# every case also under runc as the calibration: run, exit codes, --read-only,
# --tmpfs, --device, --privileged, exec, stop, rm. Private everything: storage
# (--root, --runroot, vfs), tmp and static dirs, containers.conf, storage.conf
# and registries.conf (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF,
# CONTAINERS_REGISTRIES_CONF), the runtime's --root (a wrapper script: podman's
# exit command, `podman container cleanup` run by conmon, drops --runtime-flag
# and would use /run/runc and /run/husk), a cgroup
# parent of our own (cgroupfs), --network none; the busybox image is the
# docker-save archive of tools/mkimage-docker (podman load).
# This machine lacks CAP_SYS_RESOURCE: podman's default rlimits (nofile, nproc
# above the hard limits) fail under runc too, so containers.conf lowers them.
#   HUSK_PODMAN_RUNTIME: the husk binary podman runs (default $HUSK_BUILD/husk)
set -u
. "$(dirname "$0")/../lib/checks.sh"
BUILD=${HUSK_BUILD:?HUSK_BUILD must point at the build directory}
[ "$(id -u)" = 0 ] || { echo "e2e tests need root"; exit 1; }
for t in podman conmon jq; do
	command -v $t >/dev/null || { echo "needs $t (tools/install-deps installs podman)"; exit 1; }
done
HUSK_BIN=${HUSK_PODMAN_RUNTIME:-$BUILD/husk}
P=$(mktemp -d --suffix=.husk-podman)
CGP=husk-podman-$$
# podman 4.3 keeps its blob-info cache in /var/lib/containers/cache whatever
# its storage paths: removed again unless it was there before
CACHE_WAS_THERE=$([ -e /var/lib/containers ] && echo yes)

cleanup() {
	for rt in runc husk; do
		for id in $(pm $rt ps -aq 2>/dev/null); do pm $rt rm -f "$id" >/dev/null 2>&1; done
	done
	# what the test started in the background and did not wait for: ours to stop
	pkill -P $$ 2>/dev/null
	pm runc rmi -af >/dev/null 2>&1
	[ -n "$CACHE_WAS_THERE" ] || {
		rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb
		rmdir /var/lib/containers/cache /var/lib/containers 2>/dev/null
	}
	awk -v t="$P/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m"; done
	for d in /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/unified/"$CGP"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	# only what this test made: the temp dir's own files
	find "$P" -mount -depth \( -type f -o -type l -o -type p -o -type s -o -type b -o -type c \) -delete 2>/dev/null
	find "$P" -mount -depth -type d -empty -delete 2>/dev/null
}
trap cleanup EXIT

mkdir -p "$P/root" "$P/runroot" "$P/tmp" "$P/static" "$P/volumes" "$P/net" "$P/rt-runc" "$P/rt-husk"
for rt in runc husk; do
	bin=$(command -v runc)
	[ $rt = husk ] && bin=$HUSK_BIN
	printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$bin" "$P/rt-$rt" >"$P/$rt"
	chmod 755 "$P/$rt"
done
cat >"$P/containers.conf" <<EOF
[containers]
netns = "none"
log_driver = "k8s-file"
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[network]
network_backend = "cni"
network_config_dir = "$P/net"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P/events.log"
tmp_dir = "$P/tmp"
static_dir = "$P/static"
volume_path = "$P/volumes"
EOF
cat >"$P/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$P/runroot"
graphroot = "$P/root"
EOF
echo 'unqualified-search-registries = []' >"$P/registries.conf"
CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf
CONTAINERS_REGISTRIES_CONF=$P/registries.conf
export CONTAINERS_CONF CONTAINERS_STORAGE_CONF CONTAINERS_REGISTRIES_CONF

# pm RT ARGS...: podman with runtime RT (runc or husk) and its private --root
pm() {
	rt=$1; shift
	timeout 60 podman --root "$P/root" --runroot "$P/runroot" --storage-driver vfs --tmpdir "$P/tmp" \
		--cgroup-manager cgroupfs --runtime "$P/$rt" "$@"
}
# prun RT ARGS...: podman run --network none in our cgroup parent; sets RC, OUT
prun() {
	rt=$1; shift
	OUT=$(pm "$rt" run --network none --cgroup-parent "/$CGP" "$@" 2>"$P/err")
	RC=$?
	ERR=$(cat "$P/err")
}
# prun_rm RT ARGS...: prun, then podman rm (--rm leaves the runtime's delete to
# the asynchronous exit command)
prun_rm() {
	rt=$1; shift
	prun "$rt" --name once-$$ "$@"
	pm "$rt" rm -f once-$$ >/dev/null 2>&1
}
# same_run DESC ARGS...: prun under runc and husk; status and output agree
same_run() {
	desc=$1; shift
	prun_rm runc "$@"
	r_rc=$RC r_out=$OUT r_err=$ERR
	prun_rm husk "$@"
	if [ "$RC:$OUT" = "$r_rc:$r_out" ]; then ok "$desc (both $RC)"
	else not_ok "$desc: husk $RC '$OUT' ($ERR), runc $r_rc '$r_out' ($r_err)"; fi
}

"$BUILD/mkimage-docker" "$P/busybox.tar" >/dev/null
expect_match "podman load of the docker-save archive" "$(pm runc load -i "$P/busybox.tar" 2>&1)" \
	"Loaded image: .*busybox:husk"
IMG=localhost/busybox:husk

same_run "run: output" $IMG echo hello
expect_eq "run: husk's output" "$RC:$OUT" "0:hello"
same_run "run: the exit code" $IMG sh -c 'exit 5'
expect_eq "run: husk's exit code" "$RC" 5
same_run "run of a missing binary" $IMG /nonexistent
# --read-only (podman adds tmpfs /run, /tmp, /var/tmp with tmpcopyup)
same_run "--read-only" --read-only $IMG sh -c 'touch /x 2>/dev/null && echo rw || echo ro; echo t >/tmp/t && cat /tmp/t'
expect_eq "--read-only: husk" "$RC:$(echo $OUT)" "0:ro t"
same_run "--tmpfs" --tmpfs /data:size=1m $IMG sh -c 'echo y >/data/y && cat /data/y; grep " /data " /proc/mounts | cut -d" " -f3'
expect_eq "--tmpfs: husk" "$RC:$(echo $OUT)" "0:y tmpfs"
same_run "--device" --device /dev/zero:/dev/myzero $IMG sh -c 'head -c 3 /dev/myzero | wc -c; stat -c %t:%T /dev/myzero'
expect_eq "--device: husk" "$RC:$(echo $OUT)" "0:3 1:5"
same_run "--privileged" --privileged $IMG sh -c 'grep CapEff /proc/self/status; test -c /dev/zero && echo dev-ok'
expect_match "--privileged: husk" "$RC:$(echo $OUT)" "^0:CapEff:.* dev-ok$"

# a custom seccomp profile (docker's default, as `husk spec --seccomp-default`
# has it) without what runc's init never calls after loading it (podman leaves
# noNewPrivileges false): send/recv on the sync socket, umask, close_range
mkdir -p "$P/sp" && (cd "$P/sp" && "$BUILD/husk" spec --seccomp-default) &&
	jq '.linux.seccomp | .syscalls |= map(.names -= ["sendto", "recvfrom", "sendmsg", "recvmsg", "umask", "close_range"])' \
		"$P/sp/config.json" >"$P/seccomp.json" || { echo "no seccomp profile"; exit 1; }
same_run "--security-opt seccomp=PROFILE" --security-opt seccomp="$P/seccomp.json" $IMG sh -c 'echo works; grep Umask /proc/self/status; true'
expect_eq "--security-opt seccomp=PROFILE: husk" "$RC:$(echo $OUT)" "0:works Umask: 0022"
same_run "--read-only --read-only-tmpfs=false" --read-only --read-only-tmpfs=false $IMG sh -c 'touch /tmp/x 2>/dev/null || echo ro'
expect_eq "--read-only --read-only-tmpfs=false: husk" "$RC:$OUT" "0:ro"
same_run "--cgroupns=private" --cgroupns=private $IMG sh -c 'cut -d: -f3 /proc/self/cgroup | sort -u'
expect_eq "--cgroupns=private: husk" "$RC:$OUT" "0:/"
same_run "--cgroupns=host" --cgroupns=host $IMG readlink /proc/self/ns/cgroup
expect_eq "--cgroupns=host: husk" "$RC:$OUT" "0:$(readlink /proc/self/ns/cgroup)"
same_run "--systemd=always" --systemd=always $IMG sh -c 'echo $container; grep -E " /run | /tmp " /proc/mounts | cut -d" " -f2,3'
expect_eq "--systemd=always: husk" "$RC:$(echo $OUT)" "0:podman /tmp tmpfs /run tmpfs"
# --userns=auto takes its ids from /etc/subuid and /etc/subgid (empty on this
# machine): a file of ours bound over both in a private mount namespace
echo 'containers:200000:100000' >"$P/subid"
for RT in runc husk; do
	OUT=$(unshare -m --propagation private sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid &&
		shift && exec "$@"' sh "$P/subid" timeout 60 podman --root "$P/root" --runroot "$P/runroot" --storage-driver vfs \
		--tmpdir "$P/tmp" --cgroup-manager cgroupfs --runtime "$P/$RT" run --rm --network none --cgroup-parent "/$CGP" \
		--userns=auto $IMG sh -c 'id -u; cat /proc/self/uid_map; stat -c %u /etc/passwd' 2>&1)
	expect_eq "--userns=auto ($RT)" "$(echo $OUT)" "0 0 200000 1024 0"
done

# a pod with an infra container (the pause image of tools/pause.c)
"$BUILD/mkimage" -p "$BUILD/pause" "$P/pause.tar" localhost/pause:husk >/dev/null &&
	pm runc load -i "$P/pause.tar" >/dev/null 2>&1 || { echo "pause image failed"; exit 1; }
for RT in runc husk; do
	pod=pod-$RT-$$
	podid=$(pm $RT pod create --name $pod --network none --cgroup-parent "/$CGP" --infra-image localhost/pause:husk \
		--share ipc,uts,pid,net 2>/dev/null)
	pm $RT run -d --pod $pod --name pa-$RT-$$ $IMG sleep $LONG2 >/dev/null 2>&1
	expect_eq "--pod: the pod's processes ($RT)" \
		"$(pm $RT run --rm --pod $pod $IMG ps -o comm 2>&1 | sort | tr '\n' ' ')" "COMMAND pause ps sleep "
	expect_eq "pod ps ($RT)" "$(pm $RT pod ps --format '{{.Status}} {{.NumberOfContainers}}' 2>&1)" "Running 2"
	pm $RT pod pause $pod >/dev/null 2>&1
	expect_eq "pod pause ($RT)" "$(pm $RT pod ps --format '{{.Status}}' 2>&1)" "Paused"
	pm $RT pod unpause $pod >/dev/null 2>&1
	pm $RT pod kill $pod >/dev/null 2>&1
	wait_exited() { [ "$(pm $RT pod ps --format '{{.Status}}' 2>&1)" = Exited ]; }
	wait_until 30 wait_exited
	expect_eq "pod kill: every container 137 ($RT)" \
		"$(pm $RT ps -a --pod --format '{{.Status}}' 2>&1 | sed 's/ (\([0-9]*\)).*/ \1/' | sort -u)" "Exited 137"
	pm $RT pod rm -f $pod >/dev/null 2>&1
	# podman 4.3 (cgroupfs) leaves the pod's cgroup in name=systemd and the
	# hybrid unified hierarchy, whatever the runtime: removed here
	for d in /sys/fs/cgroup/*/"$CGP/$podid" /sys/fs/cgroup/unified/"$CGP/$podid"; do
		[ -n "$podid" ] && [ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
done

# -d, exec, stop, rm
for RT in runc husk; do
	n=p-$RT-$$
	prun $RT -d --name $n $IMG sh -c "echo started; exec sleep $LONG"
	expect_eq "run -d ($RT)" "$RC" 0
	expect_eq "exec: output ($RT)" "$(pm $RT exec $n echo in-exec 2>&1)" in-exec
	pm $RT exec $n sh -c 'exit 4' >/dev/null 2>&1
	expect_eq "exec: exit code ($RT)" "$?" 4
	expect_eq "logs ($RT)" "$(pm $RT logs $n 2>&1)" started
	expect_eq "top ($RT)" "$(pm $RT top $n pid comm 2>&1 | awk 'NR > 1 { print $2 }')" sleep
	pm $RT pause $n >/dev/null 2>&1
	expect_eq "pause: State ($RT)" "$(pm $RT inspect -f '{{.State.Status}} {{.State.Paused}}' $n 2>&1)" "paused true"
	out=$(pm $RT exec $n true 2>&1); rc=$?
	expect_eq "exec while paused: podman's error ($RT)" "$rc $out" \
		"255 Error: can only create exec sessions on running containers: container state improper"
	pm $RT unpause $n >/dev/null 2>&1
	# signals, healthcheck run, restart
	h=h-$RT-$$
	prun $RT -d --name $h --health-cmd 'test -e /tmp/ok' --health-interval 0 $IMG \
		sh -c 'trap "echo got-usr1" USR1; trap "exit 3" TERM; echo up; while :; do sleep 0.1; done' $LONG3
	pm $RT healthcheck run $h >/dev/null 2>&1
	expect_eq "healthcheck run: unhealthy ($RT)" "$?" 1
	pm $RT exec $h touch /tmp/ok
	pm $RT healthcheck run $h >/dev/null 2>&1
	expect_eq "healthcheck run: healthy ($RT)" "$? $(pm $RT inspect -f '{{.State.Health.Status}}' $h 2>&1)" "0 healthy"
	# the shell (pid 1) drops a USR1 it has no trap for yet: it printed "up" once set
	logged() { pm $RT logs $h 2>&1 | grep -q "$1"; }
	wait_until 30 logged up
	pm $RT kill -s USR1 $h >/dev/null 2>&1
	wait_until 30 logged got-usr1
	expect_eq "kill -s USR1 ($RT)" "$(pm $RT logs $h 2>&1 | tr '\n' ' ')" "up got-usr1 "
	pm $RT restart -t 2 $h >/dev/null 2>&1
	expect_eq "restart ($RT)" "$(pm $RT inspect -f '{{.State.Status}}' $h 2>&1)" running
	pm $RT kill -s TERM $h >/dev/null 2>&1
	expect_eq "kill -s TERM: wait gives the exit code ($RT)" "$(pm $RT wait $h 2>&1)" 3
	pm $RT rm -f $h >/dev/null 2>&1
	pm $RT stop -t 1 $n >/dev/null 2>&1
	expect_eq "stop ($RT)" "$(pm $RT inspect -f '{{.State.Status}} {{.State.ExitCode}}' $n 2>&1)" "exited 137"
	pm $RT rm $n >/dev/null 2>&1
	expect_eq "rm ($RT)" "$(pm $RT ps -aq 2>&1)" ""
	expect_eq "rm leaves no runtime state ($RT)" "$(ls "$P/rt-$RT")" ""
	left=""
	for d in /sys/fs/cgroup/*/"$CGP"/*/; do
		case $d in */conmon/) ;; *) [ -d "$d" ] && left="$left $d" ;; esac
	done
	expect_eq "rm leaves no container cgroup ($RT)" "$left" ""
done
finish
