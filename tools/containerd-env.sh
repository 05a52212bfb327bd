# A private containerd for trying husk-shim, for the e2e tests and for the
# benchmarks: its own config, root, state and sockets under one directory, never
# the system's. Sourced (POSIX sh). Set before sourcing:
#   CT     the directory (made by the caller, e.g. with mktemp -d)
#   BUILD  the build tree (husk-shim is linked from there)
# Then: ctrd_start, ctr_ NS ARGS... (ctr on this containerd), ctrd_image NS,
# ctrd_stop. Runtime name: io.containerd.husk.v2.
# For Kubernetes' path, ctrd_cri_config before ctrd_start writes a config with the
# CRI plugin enabled (runtime handlers husk and runc, loopback-only CNI), and
# ctrd_cri_images imports the busybox and pause images into namespace k8s.io.

CT_SOCK=$CT/containerd.sock
CT_LOG=$CT/containerd.log
CT_IMAGE=docker.io/library/busybox:husk
CT_PAUSE_IMAGE=docker.io/library/pause:husk

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

# The CRI variant of the config. Everything the CRI plugin keeps is under $CT
# too: its root and state are containerd's (io.containerd.grpc.v1.cri below
# them), network namespaces are mounted under the state dir instead of
# /var/run/netns, runc-v2 keeps its state in $CT/runc instead of
# /run/containerd/runc, and the CNI config is ours, from Debian's
# containernetworking-plugins: no bridge, no address outside 127.0.0.0/8.
# The `loopback` plugin brings lo up; containerd 1.6 then wants a pod IP on
# the default interface (eth0) and fails the sandbox without one ("failed to
# find network info"), while loopback reports its 127.0.0.1 on "lo". So
# `static`, an IPAM plugin called as the chain's last plugin, reports
# 127.0.0.1/8 with no interface, which go-cni attributes to eth0: it
# configures nothing (IPAM plugins only answer). The pod IP is 127.0.0.1.
# The CRI socket is $CT_SOCK; the streaming server listens on 127.0.0.1, on a
# port of the kernel's choice. cgroupfs driver (no systemd).
# restrict_oom_score_adj: containerd gives a sandbox oom_score_adj -998, which
# needs CAP_SYS_RESOURCE; where the tests run without it (this machine's root
# lacks it), runtimes fail "failed to update /proc/self/oom_score_adj", so no
# score below containerd's own is asked for.
# _cap_sys_resource: this process has CAP_SYS_RESOURCE (bit 24) in its effective set
_cap_sys_resource() {
	_eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
	[ $(((0x$_eff >> 24) & 1)) = 1 ]
}

ctrd_cri_config() {
	mkdir -p "$CT/bin" "$CT/husk" "$CT/runc" "$CT/cni"
	ln -sf "$BUILD/husk-shim" "$CT/bin/containerd-shim-husk-v2"
	_cni_bin=${CNI_BIN_DIR:-/usr/lib/cni}
	for _p in loopback static; do
		[ -x "$_cni_bin/$_p" ] || { echo "no $_cni_bin/$_p (install containernetworking-plugins)" >&2; return 1; }
	done
	cat >"$CT/cni/10-husk-loopback.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "husk-loopback", "plugins": [
  {"type": "loopback"},
  {"type": "static", "ipam": {"type": "static", "addresses": [{"address": "127.0.0.1/8"}]}}
]}
EOF
	cat >"$CT/config.toml" <<EOF
version = 2
root = "$CT/root"
state = "$CT/state"
[grpc]
  address = "$CT_SOCK"
[ttrpc]
  address = "$CT_SOCK.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$CT_PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  systemd_cgroup = false
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = $(_cap_sys_resource && echo false || echo true)
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.husk]
      runtime_type = "io.containerd.husk.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$CT/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$_cni_bin"
    conf_dir = "$CT/cni"
    max_conf_num = 1
EOF
}

# the busybox and pause images (tools/mkimage, tools/pause.c), imported into
# the CRI plugin's namespace, k8s.io, under the names the CRI config uses
ctrd_cri_images() {
	[ -f "$CT/busybox.tar" ] || "$BUILD/mkimage" "$CT/busybox.tar" "$CT_IMAGE" >/dev/null || return 1
	[ -f "$CT/pause.tar" ] || "$BUILD/mkimage" -p "$BUILD/pause" "$CT/pause.tar" "$CT_PAUSE_IMAGE" >/dev/null || return 1
	ctr_ k8s.io images import "$CT/busybox.tar" >/dev/null && ctr_ k8s.io images import "$CT/pause.tar" >/dev/null
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
