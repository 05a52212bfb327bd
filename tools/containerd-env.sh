# A private containerd for trying husk-shim, for the e2e tests and for the
# benchmarks: its own config, root, state and sockets under one directory, never
# the system's. Sourced (POSIX sh). Set before sourcing:
#   CT     the directory (made by the caller, e.g. with mktemp -d)
#   BUILD  the build tree (husk-shim is linked from there)
# Then: ctrd_start, ctr_ NS ARGS... (ctr on this containerd), ctrd_image NS,
# ctrd_stop. Runtime name: io.containerd.husk.v2.

CT_SOCK=$CT/containerd.sock
CT_LOG=$CT/containerd.log
CT_IMAGE=docker.io/library/busybox:husk

# containerd finds containerd-shim-husk-v2 on its PATH, as an installed husk
# would be found; the shim keeps container state under HUSK_SHIM_ROOT (inherited
# from containerd) so nothing lands in /run/containerd/husk.
ctrd_config() {
	mkdir -p "$CT/bin" "$CT/husk"
	ln -sf "$BUILD/husk-shim" "$CT/bin/containerd-shim-husk-v2"
	cat >"$CT/config.toml" <<EOF
version = 2
root = "$CT/root"
state = "$CT/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CT_SOCK"
[ttrpc]
  address = "$CT_SOCK.ttrpc"
EOF
}

ctr_() {
	_ns=$1
	shift
	# -k: ctr passes a plain SIGTERM on to the task, which may ignore it
	timeout -k 5 60 ctr -a "$CT_SOCK" -n "$_ns" "$@"
}

# start containerd (again, after ctrd_stop: same config, same state) and wait
# until it answers
ctrd_start() {
	[ -f "$CT/config.toml" ] || ctrd_config
	PATH="$CT/bin:$PATH" HUSK_SHIM_ROOT="$CT/husk" setsid containerd --config "$CT/config.toml" \
		>>"$CT_LOG" 2>&1 </dev/null &
	echo $! >"$CT/containerd.pid"
	for _ in $(seq 100); do
		ctr -a "$CT_SOCK" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "containerd did not start; its log:" >&2
	tail -n 20 "$CT_LOG" >&2
	return 1
}

# stop containerd (SIGTERM) and wait for it; its shims and containers live on
ctrd_stop() {
	[ -f "$CT/containerd.pid" ] || return 0
	_pid=$(cat "$CT/containerd.pid")
	kill "$_pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$_pid" 2>/dev/null
	rm -f "$CT/containerd.pid"
}

# the busybox image, written by mkimage and imported into namespace NS
ctrd_image() {
	[ -f "$CT/busybox.tar" ] || "$BUILD/mkimage" "$CT/busybox.tar" "$CT_IMAGE" >/dev/null || return 1
	ctr_ "$1" images import "$CT/busybox.tar" >/dev/null
}

# every task of namespace NS killed and deleted, every container removed
ctrd_clear() {
	for _id in $(ctr_ "$1" task ls -q 2>/dev/null); do
		ctr_ "$1" task kill -s KILL "$_id" >/dev/null 2>&1
		ctr_ "$1" task delete -f "$_id" >/dev/null 2>&1
	done
	for _id in $(ctr_ "$1" containers ls -q 2>/dev/null); do
		ctr_ "$1" containers delete "$_id" >/dev/null 2>&1
	done
}

# the shim socket containerd was given for task ID of namespace NS
ctrd_shim_socket() {
	echo "/run/containerd/s/$(printf '%s/%s/%s' "$CT_SOCK" "$1" "$2" | sha256sum | cut -d' ' -f1)"
}
