#!/bin/sh
# Docker 20.10 (Debian's docker.io) with husk as a runtime (dockerd
# --add-runtime husk=PATH; docs/docker.md), every case also under runc as the
# calibration. The daemon is private: its own data-root, exec-root, pidfile,
# socket, config file and cgroup parent under this test's temp dir, the private
# containerd of tools/containerd-env.sh, no bridge, no iptables; runs use
# --network none and a busybox image built here (tools/mkimage-docker).
#   HUSK_DOCKER_RUNTIME: the husk binary dockerd runs (default $HUSK_BUILD/husk)
. "$(dirname "$0")/lib.sh"
for t in dockerd docker containerd-shim-runc-v2 jq; do
	command -v $t >/dev/null || { echo "needs $t (tools/install-deps installs docker.io)"; exit 1; }
done
HUSK_BIN=${HUSK_DOCKER_RUNTIME:-$BUILD/husk}
D=$CT/docker
CGP=husk-docker-$$
DOCKER_HOST=unix://$D/docker.sock DOCKER_CONFIG=$D/cli
export DOCKER_HOST DOCKER_CONFIG
# dockerd 20.10 writes its trust key to /etc/docker/key.json whatever its flags:
# removed again unless it was there before
KEY_WAS_THERE=$([ -e /etc/docker/key.json ] && echo yes)
# and it makes /run/docker/plugins (its plugin sockets' directory) always
RUN_DOCKER_WAS_THERE=$([ -e /run/docker ] && echo yes)

docker_down() {
	if [ -f "$D/dockerd.pid" ]; then
		for id in $(timeout 20 docker ps -aq 2>/dev/null); do timeout 20 docker rm -f "$id" >/dev/null 2>&1; done
		pid=$(cat "$D/dockerd.pid")
		kill "$pid" 2>/dev/null
		wait_until 20 sh -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
	fi
	[ -n "$KEY_WAS_THERE" ] || rm -f /etc/docker/key.json
	[ -n "$RUN_DOCKER_WAS_THERE" ] || rmdir /run/docker/plugins /run/docker 2>/dev/null
	# dockerd's backingFsBlockDev nodes (the lib's cleanup removes the rest)
	find "$D" -mount -type b -delete 2>/dev/null
	# the containers' cgroups under our parent, deepest first
	for d in /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/unified/"$CGP"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
}
trap 'docker_down; cleanup' EXIT

ctrd_start || { echo "private containerd did not start"; exit 1; }
mkdir -p "$D/data" "$D/exec" "$D/cli"
echo '{}' >"$D/daemon.json"
setsid dockerd --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/dockerd.pid" \
	-H "$DOCKER_HOST" --config-file "$D/daemon.json" --containerd "$CT_SOCK" \
	--bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --userland-proxy=false \
	--storage-driver vfs --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$CGP" \
	--add-runtime "husk=$HUSK_BIN" >"$D/dockerd.log" 2>&1 </dev/null &
wait_until 30 sh -c 'docker version >/dev/null 2>&1' || { tail -n 20 "$D/dockerd.log"; exit 1; }
"$BUILD/mkimage-docker" "$D/busybox.tar" >/dev/null
expect_eq "docker load of the docker-save archive" "$(docker load -i "$D/busybox.tar")" "Loaded image: busybox:husk"
IMG=busybox:husk
# a custom seccomp profile (docker's default allow list, as `husk spec
# --seccomp-default` has it) without what runc's init never calls after
# loading it (docker leaves noNewPrivileges false: the filter comes before
# the user switch): send/recv on the sync socket, umask, close_range
mkdir -p "$D/sp" && (cd "$D/sp" && "$BUILD/husk" spec --seccomp-default) &&
	jq '.linux.seccomp | .syscalls |= map(.names -= ["sendto", "recvfrom", "sendmsg", "recvmsg", "umask", "close_range"])' \
		"$D/sp/config.json" >"$D/seccomp.json" || { echo "no seccomp profile"; exit 1; }

# dr RT ARGS...: docker run with runtime RT, no network; sets RC and OUT
dr() {
	rt=$1; shift
	OUT=$(timeout 60 docker run --runtime "$rt" --network none "$@" 2>"$D/err")
	RC=$?
	ERR=$(cat "$D/err")
}
# both_eq DESC WANT CMD...: CMD (with RT set) prints WANT under runc and under husk
both_eq() {
	desc=$1 want=$2; shift 2
	for RT in runc husk; do
		got=$("$@" 2>&1)
		expect_eq "$desc ($RT)" "$got" "$want"
	done
}
status_of() { docker inspect -f '{{.State.Status}}' "$1" 2>&1; }

for RT in runc husk; do
	dr $RT --rm $IMG echo hello
	expect_eq "run --rm: output ($RT)" "$RC:$OUT" "0:hello"
	[ "$RC" = 0 ] || echo "# $ERR"
	dr $RT --rm $IMG sh -c 'exit 7'
	expect_eq "run: the exit code ($RT)" "$RC" 7
	dr $RT --rm $IMG /nonexistent
	expect_eq "run of a missing binary: docker's 127 ($RT)" "$RC" 127
	dr $RT --rm --read-only --tmpfs /run:size=1m $IMG \
		sh -c 'touch /x 2>/dev/null && echo rw || echo ro; echo ok >/run/y && cat /run/y'
	expect_eq "--read-only --tmpfs ($RT)" "$RC:$(echo $OUT)" "0:ro ok"
	dr $RT --rm --device /dev/zero:/dev/myzero $IMG sh -c 'head -c 5 /dev/myzero | wc -c; stat -c %t:%T /dev/myzero'
	expect_eq "--device ($RT)" "$RC:$(echo $OUT)" "0:5 1:5"
	# -t: the pty is the process's stdio and is bound on /dev/console (runc's mountConsole)
	dr $RT --rm -t $IMG sh -c 'stat -c "%F %t" /dev/console; tty'
	expect_eq "run -t: /dev/console is the pty ($RT)" "$RC:$(echo $OUT | tr -d '\r')" "0:character special file 88 /dev/pts/0"
	dr $RT --rm --security-opt seccomp="$D/seccomp.json" $IMG sh -c 'echo works; grep Umask /proc/self/status'
	expect_eq "--security-opt seccomp=PROFILE ($RT)" "$RC:$(echo $OUT)" "0:works Umask: 0022"
	dr $RT --rm --security-opt seccomp="$D/seccomp.json" --user 1000 $IMG /nonexistent
	expect_match "the profile and a missing binary: docker's 127 and the binary named ($RT)" "$RC:$ERR" '^127:.*nonexistent'
	s=sc-$RT-$$
	dr $RT -d --name $s --security-opt seccomp="$D/seccomp.json" $IMG sleep $LONG2
	expect_eq "exec -u 1000 under the profile ($RT)" \
		"$(docker exec -u 1000 $s sh -c 'id -u; grep Umask /proc/self/status' 2>&1 | tr '\n\t' '  ')" "1000 Umask: 0022 "
	docker rm -f $s >/dev/null
	dr $RT --rm --memory 64m $IMG cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	expect_eq "--memory 64m ($RT)" "$RC:$OUT" "0:67108864"

	# -d, logs, exec, pause/unpause, update, stop
	n=d-$RT-$$
	dr $RT -d --name $n --ipc shareable $IMG sh -c "echo started; exec sleep $LONG"
	expect_eq "run -d ($RT)" "$RC" 0
	wait_until 30 sh -c "docker logs $n 2>&1 | grep -q started"
	expect_eq "logs ($RT)" "$(docker logs $n 2>&1)" started
	expect_eq "exec: output ($RT)" "$(docker exec $n echo in-exec 2>&1)" in-exec
	docker exec $n sh -c 'exit 4'
	expect_eq "exec: exit code ($RT)" "$?" 4
	docker exec $n /nonexistent >/dev/null 2>&1
	expect_eq "exec of a missing binary: docker's 126 ($RT)" "$?" 126
	docker pause $n >/dev/null
	expect_eq "pause ($RT)" "$(status_of $n)" paused
	docker unpause $n >/dev/null
	expect_eq "unpause ($RT)" "$(status_of $n)" running
	docker update --memory 96m --memory-swap 192m --cpu-shares 512 $n >/dev/null 2>"$D/err"
	expect_eq "update: status ($RT)" "$?" 0
	expect_eq "update: the memory limit in the container ($RT)" \
		"$(docker exec $n cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>&1)" 100663296
	expect_eq "update: cpu shares ($RT)" "$(docker exec $n cat /sys/fs/cgroup/cpu/cpu.shares 2>&1)" 512
	# what a docker user sees of the process (each the same under runc)
	expect_eq "exec -u -w -e ($RT)" "$(docker exec -u 1000:2000 -w /etc -e FOO=ex $n sh -c 'id; pwd; echo $FOO $HOME' 2>&1 | tr '\n' ' ')" \
		"uid=1000 gid=2000 groups=2000 /etc ex / "
	out=$(docker exec -w /nonexist $n pwd 2>&1); rc=$?
	expect_match "exec -w of a missing directory: 126 ($RT)" "$(echo $out) $rc" \
		'chdir to cwd .*/nonexist.* set in config.json.*: no such file or directory.* 126$'
	expect_eq "top ($RT)" "$(docker top $n -o pid,comm 2>&1 | awk 'NR > 1 { print $2 }' | tr '\n' ' ')" "sleep "
	docker pause $n >/dev/null
	out=$(docker exec $n true 2>&1); rc=$?
	expect_match "exec while paused: docker's error ($RT)" "$(echo $out) $rc" 'is paused, unpause the container before exec 1$'
	docker unpause $n >/dev/null
	# another container in this one's ipc, pid and network namespaces, run by the other runtime
	other=runc; [ $RT = runc ] && other=husk
	OUT=$(timeout 60 docker run --rm --runtime $other --network container:$n --ipc container:$n --pid container:$n $IMG \
		sh -c 'for ns in ipc pid net; do readlink /proc/self/ns/$ns; done; cat /proc/1/comm' 2>&1)
	expect_eq "$other joins the namespaces of a $RT container" "$(echo $OUT)" \
		"$(echo $(docker exec $n sh -c 'for ns in ipc pid net; do readlink /proc/self/ns/$ns; done; cat /proc/1/comm' 2>&1))"
	t0=$(date +%s)
	docker stop -t 2 $n >/dev/null
	expect_eq "stop: exited ($RT)" "$(status_of $n)" exited
	expect_eq "stop: pid 1 ignores SIGTERM, SIGKILL after -t 2 (137) ($RT)" \
		"$(docker inspect -f '{{.State.ExitCode}}' $n)" 137
	# (-t 2, then SIGKILL: seconds under ASan on a loaded machine, never -t's 10 s default twice)
	[ $(($(date +%s) - t0)) -lt 20 ] && ok "stop was prompt ($RT)" || not_ok "stop took too long ($RT)"
	docker rm $n >/dev/null

	# signals, wait, restart
	k=k-$RT-$$
	dr $RT -d --name $k $IMG sh -c 'trap "echo got-usr1" USR1; trap "echo got-hup" HUP; trap "exit 3" TERM; echo up; while :; do sleep 0.1; done' $LONG3
	wait_until 30 sh -c "docker logs $k 2>&1 | grep -q up"
	docker kill -s USR1 $k >/dev/null
	wait_until 30 sh -c "docker logs $k 2>&1 | grep -q got-usr1"
	docker kill -s HUP $k >/dev/null
	wait_until 30 sh -c "docker logs $k 2>&1 | grep -q got-hup"
	docker kill -s TERM $k >/dev/null
	expect_eq "kill -s USR1, HUP, TERM; wait ($RT)" "$(docker wait $k) $(docker logs $k 2>&1 | tr '\n' ' ')" "3 up got-usr1 got-hup "
	docker restart -t 1 $k >/dev/null
	expect_eq "restart ($RT)" "$(status_of $k)" running
	docker rm -f $k >/dev/null

	# run flags: each as runc has it
	dr $RT --rm --init $IMG cat /proc/1/comm
	expect_eq "--init: docker-init is pid 1 ($RT)" "$RC:$OUT" "0:docker-init"
	dr $RT --rm --cap-drop ALL --cap-add NET_ADMIN --user 1000:1000 --group-add 10 $IMG sh -c 'id; grep -e CapBnd -e CapEff /proc/self/status'
	expect_eq "--cap-drop ALL --cap-add, --user, --group-add ($RT)" "$RC:$(echo $OUT)" \
		"0:uid=1000 gid=1000 groups=10,1000 CapEff: 0000000000000000 CapBnd: 0000000000001000"
	dr $RT --rm --ulimit nofile=100:200 --pids-limit 33 --cpus 1.5 --sysctl net.core.somaxconn=77 -w /no/such/dir $IMG \
		sh -c 'ulimit -n; ulimit -Hn; cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us /proc/sys/net/core/somaxconn; pwd'
	expect_eq "--ulimit, --pids-limit, --cpus, --sysctl, -w of a missing directory ($RT)" "$RC:$(echo $OUT)" \
		"0:100 200 33 150000 77 /no/such/dir"
	dr $RT --rm --tmpfs /t:rw,noexec,size=2m,mode=1770,uid=5 --security-opt no-new-privileges $IMG \
		sh -c 'grep " /t " /proc/mounts; stat -c "%a %u" /t; grep NoNewPrivs /proc/self/status'
	expect_eq "--tmpfs with options, no-new-privileges ($RT)" "$RC:$(echo $OUT)" \
		"0:tmpfs /t tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k,mode=1770,uid=5 0 0 1770 5 NoNewPrivs: 1"

	# restart policy: exits 3 twice more, then stays exited
	r=r-$RT-$$
	dr $RT -d --restart on-failure:2 --name $r $IMG sh -c 'exit 3'
	wait_until 30 sh -c "[ \"\$(docker inspect -f '{{.RestartCount}} {{.State.Status}}' $r)\" = '2 exited' ]"
	expect_eq "restart on-failure:2 ($RT)" "$(docker inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' $r)" \
		"2 exited 3"
	docker rm $r >/dev/null

	# --rm leaves nothing: no container, no runtime state, no cgroup, no mount
	dr $RT --rm --name rm-$RT-$$ $IMG true
	left=""
	[ -n "$(docker ps -aq)" ] && left="$left containers:$(docker ps -aq | tr '\n' ' ')"
	[ -n "$(ls "$D/exec/runtime-$RT/moby" 2>/dev/null)" ] && left="$left runtime-state"
	for d in /sys/fs/cgroup/*/"$CGP"/*/; do [ -d "$d" ] && left="$left cgroup:$d"; done
	grep -q " $D/data/vfs/dir/[^ ]*-init\| $D/exec/netns/" /proc/self/mountinfo && left="$left mount"
	expect_eq "--rm leaves nothing ($RT)" "$left" ""
done
finish
