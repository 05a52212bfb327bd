#!/usr/bin/python3
"""The CRI end-to-end suite: what kubelet asks of containerd's CRI plugin, run
against one runtime handler (husk, or runc for calibration) on a private
containerd (started by t-cri.sh). Prints "ok - HANDLER: what" or "not ok -
HANDLER: what: why" per check and "N passed, N failed" at the end; exits 1 on
any failure.

  suite.py --sock CT/containerd.sock --ct CT --handler husk|runc --cgroup-root NAME
           [--only TEST[,TEST]]

Every check reads the effect where kubelet or a user would see it: the
container's own output in its CRI log file, the cgroup files on the host, the
/proc of its processes, the host's mounts; not what the runtime says it did.
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cri  # noqa: E402
from cri import pb  # noqa: E402

IMAGE = "docker.io/library/busybox:husk"
# CRI's default capabilities (containerd's default spec): CHOWN DAC_OVERRIDE
# FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT
# MKNOD AUDIT_WRITE SETFCAP
DEFAULT_CAPS = 0x00000000a80425fb
CAP_NET_ADMIN = 12
CAP_SYS_TIME = 25
CAP_CHOWN = 0
# a pure cgroup v2 host (tools/vm's guest, most production nodes) or v1 controllers
# (this machine's hybrid layout): the checks read the files of the hierarchy they run on
V2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
# the start of a process's line in /proc/PID/cgroup that gives its cgroup's path: the
# memory controller's on v1, the one 0:: line on v2
CGROUP_LINE = r"^0::" if V2 else r"^\d+:memory:"


def cpu_weight(shares):
    """cpu.shares as cpu.weight on v2: runc's and crun's conversion
    (1 + (shares - 2) * 9999 / 262142, integer division)"""
    return 1 + (shares - 2) * 9999 // 262142


class Suite:
    def __init__(self, args):
        self.a = args
        self.h = args.handler
        self.ct = args.ct
        self.c = cri.Cri(args.sock)
        self.passed = 0
        self.failed = 0
        self.pods = []          # (pod id, cgroup parent) of every pod made, for teardown
        self.ids = []           # every sandbox and container id, for the leftover check
        self.netns = []         # the pods' network namespace files
        self.parents = []       # cgroup parents made for our pods
        self.host_mounts = []   # what the suite mounted on the host, deepest last
        self.logs = os.path.join(self.ct, "logs", self.h)

    # --- reporting ---

    def ok(self, what):
        self.passed += 1
        print("ok - %s: %s" % (self.h, what), flush=True)

    def not_ok(self, what, why=""):
        self.failed += 1
        print("not ok - %s: %s%s" % (self.h, what, (": " + why) if why else ""), flush=True)

    def check(self, what, cond, why=""):
        if cond:
            self.ok(what)
        else:
            self.not_ok(what, why)
        return cond

    def eq(self, what, got, want):
        return self.check(what, got == want, "got %r, want %r" % (got, want))

    def match(self, what, text, pattern):
        return self.check(what, re.search(pattern, text or "", re.M) is not None,
                          "%r does not match /%s/" % (text, pattern))

    # --- the pieces kubelet puts together ---

    def pod(self, name, **kw):
        """a running pod sandbox: (id, config, cgroup parent)"""
        parent = "/%s/%s-%s" % (self.a.cgroup_root, self.h, name)
        logdir = os.path.join(self.logs, name)
        os.makedirs(logdir, exist_ok=True)
        pid, cfg = self.c.run_pod(self.h, "%s-%s" % (self.h, name), "uid-%s-%s-%d" % (self.h, name, os.getpid()),
                                  parent, logdir, **kw)
        self.pods.append((pid, parent))
        self.ids.append(pid)
        self.parents.append(parent)
        try:
            spec = self.c.pod_status(pid, verbose=True)[1].get("runtimeSpec", {})
            for ns in spec.get("linux", {}).get("namespaces", []):
                if ns.get("type") == "network" and ns.get("path"):
                    self.netns.append(ns["path"])
        except Exception:  # the leftover check then has one path less to look at
            pass
        return pid, cfg, parent

    def container(self, pod, cfg, name, command, args=None, start=True, **kw):
        """a created (and by default started) container; its id"""
        conf = cri.container_config(name, IMAGE, command=command, args=args, log_path=name + ".log", **kw)
        try:
            os.unlink(self.log_path(cfg, name))  # from an earlier run with the same log dir
        except FileNotFoundError:
            pass
        cid = self.c.create(pod, cfg, conf)
        self.ids.append(cid)
        if start:
            self.c.start(cid)
        return cid

    def log_path(self, cfg, name):
        return os.path.join(cfg.log_directory, name + ".log")

    END = "__end__"

    def run_to_exit(self, pod, cfg, name, script, seconds=60, remove=True, last=None, **kw):
        """run `sh -c SCRIPT` to its end: (ContainerStatus, its log text).
        containerd marks a container EXITED once its output is read (the task's
        Delete waits for the fifos' copy), but the log file is written by one
        more goroutine: the text is taken once LAST is in it, by default a line
        END appended to SCRIPT (and left out of the text); LAST "" waits for
        nothing (scripts whose end is their exit status)."""
        if last is None:
            script += "\necho " + self.END
        cid = self.container(pod, cfg, name, ["sh", "-c", script], **kw)
        self.c.wait_state(cid, pb.CONTAINER_EXITED, seconds)
        st = self.c.status(cid)[0]
        want = self.END if last is None else last
        path = self.log_path(cfg, name)
        if want:
            wait(30, lambda: want in cri.log_text(path))
        text = cri.log_text(path)
        if last is None:
            text = text.replace(self.END + "\n", "")
        if remove and st.state == pb.CONTAINER_EXITED:
            self.c.remove(cid)
        return st, text

    def outputs(self, text):
        """KEY=VALUE lines of a log as a dict (the tests print 'key=value')"""
        d = {}
        for line in text.splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                d.setdefault(k, v)
        return d

    def cgroup_dir(self, ctrl, parent, cid):
        """the container's cgroup directory for controller CTRL (v2: the one directory)"""
        if V2:
            return "/sys/fs/cgroup%s/%s" % (parent, cid)
        return "/sys/fs/cgroup/%s%s/%s" % (ctrl, parent, cid)

    def parent_dirs(self, parent):
        """every directory of a pod's cgroup parent: one per v1 controller, one on v2"""
        if V2:
            return ["/sys/fs/cgroup" + parent]
        return ["/sys/fs/cgroup/%s%s" % (ctrl, parent) for ctrl in os.listdir("/sys/fs/cgroup")]

    def read(self, path):
        try:
            with open(path) as f:
                return f.read().strip()
        except OSError as e:
            return "<%s>" % e.strerror

    def ns(self, pid, kind):
        try:
            return os.readlink("/proc/%d/ns/%s" % (pid, kind))
        except OSError:
            return None

    def ppid(self, pid):
        return int(self.read("/proc/%d/stat" % pid).rsplit(")", 1)[1].split()[1])

    def ppid_cmd(self, pid):
        return self.read("/proc/%d/cmdline" % self.ppid(pid)).replace("\0", " ")

    def fds(self, pid):
        try:
            return len(os.listdir("/proc/%d/fd" % pid))
        except OSError:
            return -1

    def cgroup_procs(self, parent, cid):
        p = self.read(self.cgroup_dir("memory", parent, cid) + "/cgroup.procs")
        return [x for x in p.split() if x.isdigit()]

    # --- the tests; each gets a fresh pod where it needs one ---

    def t_pod(self):
        """RunPodSandbox: the pause container under the pod's cgroup parent, run
        by the handler's shim; PodSandboxStatus; containers share the pod's ipc,
        uts and net namespaces, not its pid namespace (unless asked); the
        loopback-only network"""
        # what kubelet asks first: the runtime's conditions, the images present
        conds = {c.type: c.status for c in self.c.call("Status", pb.StatusRequest()).status.conditions}
        self.eq("Status: RuntimeReady and NetworkReady", (conds.get("RuntimeReady"), conds.get("NetworkReady")),
                (True, True))
        for ref in (IMAGE, "docker.io/library/pause:husk"):
            img = self.c.call("ImageStatus", pb.ImageStatusRequest(image=pb.ImageSpec(image=ref)), image=True).image
            self.check("ImageStatus: %s is present (imported, no registry)" % ref, ref in img.repo_tags,
                       repr(list(img.repo_tags)))
        pod, cfg, parent = self.pod("main", hostname="husk-pod")
        self.main = (pod, cfg, parent)
        st, info = self.c.pod_status(pod, verbose=True)
        self.eq("PodSandboxStatus: READY", st.state, pb.SANDBOX_READY)
        self.eq("PodSandboxStatus: the runtime handler", st.runtime_handler, self.h)
        self.eq("PodSandboxStatus: the pod IP (loopback CNI)", st.network.ip, "127.0.0.1")
        ppid = info.get("pid", 0)
        self.check("the sandbox has a pid", ppid > 0, repr(info.get("pid")))
        # StartContainer returns once the runtime's start has run, which may be
        # just before the init's execve
        wait(30, lambda: self.read("/proc/%d/cmdline" % ppid) == "/pause\0")
        self.eq("the sandbox runs /pause", self.read("/proc/%d/cmdline" % ppid), "/pause\0")
        shim = "containerd-shim-husk-v2" if self.h == "husk" else "containerd-shim-runc-v2"
        self.match("the pause process is a child of %s" % shim, self.ppid_cmd(ppid), shim + " .*-id %s" % pod)
        self.match("pause is in the pod's cgroup parent (memory)", self.read("/proc/%d/cgroup" % ppid),
                   CGROUP_LINE + r"%s/%s$" % (re.escape(parent), pod))
        self.check("the sandbox's cgroup exists under the parent (cpu)",
                   os.path.isdir(self.cgroup_dir("cpu", parent, pod)))

        cid = self.container(pod, cfg, "sleeper", ["sleep", "3600"])
        self.sleeper = cid
        self.c.wait_state(cid, pb.CONTAINER_RUNNING, 30)
        cpid = self.c.pid(cid)
        self.check("a container runs in the pod",
                   cpid > 0 and wait(30, lambda: self.read("/proc/%d/cmdline" % cpid).startswith("sleep")))
        for kind in ("ipc", "uts", "net"):
            self.eq("the container shares the pod's %s namespace" % kind, self.ns(cpid, kind), self.ns(ppid, kind))
        self.check("the container has its own pid namespace (CONTAINER mode)",
                   self.ns(cpid, "pid") not in (None, self.ns(ppid, "pid")))
        self.check("and its own mount namespace", self.ns(cpid, "mnt") not in (None, self.ns(ppid, "mnt")))
        self.check("the pod's net namespace is not the host's", self.ns(ppid, "net") != self.ns(os.getpid(), "net"))
        self.match("the container is in its cgroup under the pod's parent", self.read("/proc/%d/cgroup" % cpid),
                   CGROUP_LINE + r"%s/%s$" % (re.escape(parent), cid))
        # runc-v2 serves a pod's containers from the sandbox's shim, husk-shim
        # runs one per container
        self.match("a child of %s" % shim, self.ppid_cmd(cpid), shim + " .*-id (%s|%s)" % (cid, pod))

        st, text = self.run_to_exit(pod, cfg, "netcheck",
                                    "echo host=$(hostname); echo ifs=$(ls /sys/class/net);"
                                    "echo lo=$(ip -o -4 addr show lo | awk '{print $4}');"
                                    "grep -E '^(nameserver|search|options)' /etc/resolv.conf | tr ' ' '=' ;"
                                    "echo shm=$(awk '$2 == \"/dev/shm\" {print $3}' /proc/mounts)")
        o = self.outputs(text)
        self.eq("the container's hostname is the pod's", o.get("host"), "husk-pod")
        self.eq("the pod's network has only lo", o.get("ifs"), "lo")
        self.eq("lo is up with 127.0.0.1/8", o.get("lo"), "127.0.0.1/8")
        self.eq("resolv.conf from the pod's DNS config", (o.get("nameserver"), o.get("search")),
                ("127.0.0.1", "husk.test"))
        self.eq("/dev/shm is the pod's tmpfs", o.get("shm"), "tmpfs")

        # pid namespace shared with the pod (shareProcessNamespace)
        sec = pb.LinuxContainerSecurityContext(namespace_options=pb.NamespaceOption(pid=pb.POD))
        st, text = self.run_to_exit(pod, cfg, "podpid", "echo one=$(tr '\\0' ' ' </proc/1/cmdline)", security=sec)
        self.eq("pid namespace POD: the container sees /pause as pid 1", self.outputs(text).get("one"), "/pause")

    def t_process(self):
        """CreateContainer/StartContainer: command and args, env, working dir,
        exit code and reason"""
        pod, cfg, parent = self.main
        st, text = self.run_to_exit(pod, cfg, "proc",
                                    'echo "args=$0|$1"; echo "pwd=$(pwd)"; echo "env=$FOO|$BAR"; echo "path=$PATH"',
                                    args=["a b", "c"], envs={"FOO": "foo bar", "BAR": "x=y"}, working_dir="/tmp/wd")
        # sh -c SCRIPT a b: the args follow the command
        o = self.outputs(text)
        self.eq("command and args (args after the command)", o.get("args"), "a b|c")
        self.eq("working dir (made when missing)", o.get("pwd"), "/tmp/wd")
        self.eq("env from the container config", o.get("env"), "foo bar|x=y")
        self.eq("env from the image (PATH)", o.get("path"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        self.eq("exit 0: EXITED", st.state, pb.CONTAINER_EXITED)
        self.eq("exit 0: reason Completed", (st.exit_code, st.reason), (0, "Completed"))
        # containerd stamps started_at when the task's Start returns and takes
        # finished_at from the exit event: a process quicker than Start's reply
        # (husk-shim) may finish "before" it started, so no order between them
        self.check("created_at, started_at and finished_at are set (started after created, finished after created)",
                   0 < st.created_at <= st.started_at and st.finished_at >= st.created_at,
                   "%d %d %d" % (st.created_at, st.started_at, st.finished_at))
        st, _ = self.run_to_exit(pod, cfg, "fail", "exit 3", last="")
        self.eq("exit 3: exit code 3, reason Error", (st.exit_code, st.reason), (3, "Error"))
        # the image's default command (sh) when none is given: it reads stdin, which is /dev/null
        cid = self.container(pod, cfg, "imgcmd", None)
        self.c.wait_state(cid, pb.CONTAINER_EXITED, 30)
        self.eq("no command: the image's Cmd (sh, stdin at EOF) exits 0", self.c.status(cid)[0].exit_code, 0)
        self.c.remove(cid)
        try:
            cid = self.container(pod, cfg, "nosuch", ["/no/such/binary"], start=False)
            try:
                self.c.start(cid)
                self.not_ok("a missing binary fails StartContainer", "it started")
            except Exception as e:
                self.match("a missing binary fails StartContainer, naming it", str(e), "no/such/binary")
            self.c.remove(cid)
        except Exception as e:
            self.not_ok("a missing binary fails StartContainer", str(e))

    def t_user(self):
        """runAsUser, runAsGroup, supplementalGroups, runAsUserName"""
        pod, cfg, parent = self.main
        sec = pb.LinuxContainerSecurityContext(run_as_user=pb.Int64Value(value=1000),
                                               run_as_group=pb.Int64Value(value=2000),
                                               supplemental_groups=[3000, 4000])
        st, text = self.run_to_exit(pod, cfg, "user", "echo u=$(id -u); echo g=$(id -g); echo G=$(id -G);"
                                    "echo cap=$(awk '/^CapEff/ {print $2}' /proc/self/status)", security=sec)
        o = self.outputs(text)
        self.eq("runAsUser 1000", o.get("u"), "1000")
        self.eq("runAsGroup 2000", o.get("g"), "2000")
        self.eq("supplementalGroups 3000 4000 (after the primary group)", o.get("G"), "2000 3000 4000")
        self.eq("a non-root user has no effective capabilities", o.get("cap"), "0000000000000000")
        sec = pb.LinuxContainerSecurityContext(run_as_username="nobody")
        st, text = self.run_to_exit(pod, cfg, "nobody", "echo u=$(id -u); echo g=$(id -g)", security=sec)
        o = self.outputs(text)
        self.eq("runAsUserName nobody: the image's /etc/passwd gives 65534:65534", (o.get("u"), o.get("g")),
                ("65534", "65534"))

    def caps(self, sec, name):
        pod, cfg, parent = self.main
        st, text = self.run_to_exit(pod, cfg, name, "awk '/^Cap(Eff|Bnd|Prm)/ {print $1 \"=\" $2}' /proc/self/status",
                                    security=sec)
        o = self.outputs(text)
        return [int(o.get(k + ":", "-1"), 16) for k in ("CapEff", "CapBnd", "CapPrm")]

    def t_caps(self):
        """capabilities: the default set, add, drop ALL + add"""
        self.eq("default capabilities (effective, bounding, permitted)", self.caps(None, "capdef"), [DEFAULT_CAPS] * 3)
        sec = pb.LinuxContainerSecurityContext(capabilities=pb.Capability(add_capabilities=["SYS_TIME"],
                                                                          drop_capabilities=["CHOWN"]))
        want = (DEFAULT_CAPS | 1 << CAP_SYS_TIME) & ~(1 << CAP_CHOWN)
        self.eq("add SYS_TIME, drop CHOWN", self.caps(sec, "capadd"), [want] * 3)
        sec = pb.LinuxContainerSecurityContext(capabilities=pb.Capability(add_capabilities=["NET_ADMIN"],
                                                                          drop_capabilities=["ALL"]))
        self.eq("drop ALL, add NET_ADMIN", self.caps(sec, "capall"), [1 << CAP_NET_ADMIN] * 3)

    def t_seccomp(self):
        """seccomp: RuntimeDefault filters (unshare is refused without
        CAP_SYS_ADMIN), Unconfined does not"""
        pod, cfg, parent = self.main
        script = "echo mode=$(awk '/^Seccomp:/ {print $2}' /proc/self/status); unshare -U true 2>/dev/null; echo unshare=$?"
        for prof, mode, unshare in ((pb.SecurityProfile.RuntimeDefault, "2", "1"),
                                    (pb.SecurityProfile.Unconfined, "0", "0")):
            sec = pb.LinuxContainerSecurityContext(seccomp=pb.SecurityProfile(profile_type=prof))
            name = pb.SecurityProfile.ProfileType.Name(prof)
            st, text = self.run_to_exit(pod, cfg, "seccomp-" + name.lower(), script, security=sec)
            o = self.outputs(text)
            self.eq("seccomp %s: Seccomp mode %s" % (name, mode), o.get("mode"), mode)
            self.eq("seccomp %s: unshare -U exits %s" % (name, unshare), o.get("unshare"), unshare)

    def t_rootfs(self):
        """readOnlyRootFilesystem; maskedPaths and readonlyPaths (kubelet's
        lists, and containerd's defaults when none are given)"""
        pod, cfg, parent = self.main
        sec = pb.LinuxContainerSecurityContext(readonly_rootfs=True)
        st, text = self.run_to_exit(pod, cfg, "rofs", "touch /x 2>/dev/null; echo root=$?; touch /tmp/x 2>/dev/null;"
                                    "echo tmp=$?; echo opt=$(awk '$2 == \"/\" {print $4}' /proc/mounts | cut -d, -f1);"
                                    "echo shm=$(touch /dev/shm/x && echo w)", security=sec)
        o = self.outputs(text)
        self.eq("read-only rootfs: / is not writable", (o.get("root"), o.get("tmp")), ("1", "1"))
        self.eq("read-only rootfs: mounted ro", o.get("opt"), "ro")
        self.eq("read-only rootfs: /dev/shm stays writable", o.get("shm"), "w")
        sec = pb.LinuxContainerSecurityContext(masked_paths=["/proc/timer_list", "/proc/keys", "/sys/firmware"],
                                               readonly_paths=["/proc/sys", "/proc/sysrq-trigger"])
        script = ("echo timer=$(wc -c </proc/timer_list); echo keys=$(wc -c </proc/keys); echo fw=$(ls -A /sys/firmware | wc -l);"
                  "echo sys=$(awk '$2 == \"/proc/sys\" {print $4}' /proc/mounts | cut -d, -f1);"
                  "echo 1 2>/dev/null >/proc/sys/kernel/shm_rmid_forced; echo write=$?")
        st, text = self.run_to_exit(pod, cfg, "masked", script, security=sec)
        o = self.outputs(text)
        self.eq("masked /proc/timer_list, /proc/keys: empty", (o.get("timer"), o.get("keys")), ("0", "0"))
        self.eq("masked /sys/firmware: an empty directory", o.get("fw"), "0")
        self.eq("read-only /proc/sys", (o.get("sys"), o.get("write")), ("ro", "1"))
        st, text = self.run_to_exit(pod, cfg, "maskdef", script)
        o = self.outputs(text)
        # containerd 1.6 clears its own defaults (kubelet always sends lists)
        self.check("no lists given: nothing masked, /proc/sys not read-only",
                   o.get("timer") not in (None, "", "0") and o.get("sys") == "", repr(o))

    def t_sysctls(self):
        """pod sysctls: set in the pod's namespaces (seen by its containers),
        not on the host"""
        host = [self.read("/proc/sys/net/ipv4/ip_forward"), self.read("/proc/sys/kernel/shm_rmid_forced")]
        want = ["0" if host[0] == "1" else "1", "0" if host[1] == "1" else "1"]
        pod, cfg, parent = self.pod("sysctl", sysctls={"net.ipv4.ip_forward": want[0],
                                                        "kernel.shm_rmid_forced": want[1]})
        st, text = self.run_to_exit(pod, cfg, "sysctl", "echo fwd=$(cat /proc/sys/net/ipv4/ip_forward);"
                                    "echo shm=$(cat /proc/sys/kernel/shm_rmid_forced)")
        o = self.outputs(text)
        self.eq("net.ipv4.ip_forward set in the pod's net namespace", o.get("fwd"), want[0])
        self.eq("kernel.shm_rmid_forced set in the pod's ipc namespace", o.get("shm"), want[1])
        self.eq("the host's values did not change",
                [self.read("/proc/sys/net/ipv4/ip_forward"), self.read("/proc/sys/kernel/shm_rmid_forced")], host)
        self.teardown_pod(pod)

    def t_resources(self):
        """memory and cpu limits, oom_score_adj: read back from the cgroup and
        /proc; UpdateContainerResources changes them; ContainerStats"""
        pod, cfg, parent = self.main
        res = pb.LinuxContainerResources(memory_limit_in_bytes=64 << 20, cpu_period=100000, cpu_quota=50000,
                                         cpu_shares=512, cpuset_cpus="0", oom_score_adj=500)
        cid = self.container(pod, cfg, "limits", ["sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 3600"],
                             resources=res)
        self.c.wait_state(cid, pb.CONTAINER_RUNNING, 30)
        d = lambda ctrl: self.cgroup_dir(ctrl, parent, cid)  # noqa: E731
        self.eq("memory limit", self.mem_limit(d("memory")), str(64 << 20))
        self.eq("cpu quota / period", self.cpu_quota(d("cpu")), ("50000", "100000"))
        self.eq("cpu shares (cpu.weight %d on v2)" % cpu_weight(512), self.cpu_shares(d("cpu")),
                str(cpu_weight(512) if V2 else 512))
        self.eq("cpuset.cpus", self.read(d("cpuset") + "/cpuset.cpus"), "0")
        cpid = self.c.pid(cid)
        self.eq("oom_score_adj", self.read("/proc/%d/oom_score_adj" % cpid), "500")
        st = self.c.status(cid)[0]
        self.eq("ContainerStatus reports the resources",
                (st.resources.linux.memory_limit_in_bytes, st.resources.linux.cpu_quota), (64 << 20, 50000))

        self.c.update(cid, pb.LinuxContainerResources(memory_limit_in_bytes=128 << 20, cpu_period=100000,
                                                      cpu_quota=20000, cpu_shares=256))
        self.eq("UpdateContainerResources: memory limit", self.mem_limit(d("memory")), str(128 << 20))
        self.eq("UpdateContainerResources: cpu quota and shares",
                (self.cpu_quota(d("cpu"))[0], self.cpu_shares(d("cpu"))), ("20000", str(cpu_weight(256) if V2 else 256)))
        st = self.c.status(cid)[0]
        self.eq("ContainerStatus reports the new resources", st.resources.linux.memory_limit_in_bytes, 128 << 20)

        # the stats as soon as they show CPU time (the busy loop's), not a fixed time after start
        wait(30, lambda: self.c.stats(cid).cpu.usage_core_nano_seconds.value > 0)
        s = self.c.stats(cid)
        self.eq("ContainerStats: the container's id", s.attributes.id, cid)
        self.check("ContainerStats: cpu usage > 0", s.cpu.usage_core_nano_seconds.value > 0,
                   str(s.cpu.usage_core_nano_seconds.value))
        self.check("ContainerStats: memory working set > 0", s.memory.working_set_bytes.value > 0,
                   str(s.memory.working_set_bytes.value))
        self.check("ContainerStats: writable layer usage reported", s.writable_layer.fs_id.mountpoint != "",
                   str(s.writable_layer))
        self.stop_remove(cid, 0)

    def mem_limit(self, d):
        """the memory limit in bytes: memory.limit_in_bytes (v1), memory.max (v2)"""
        return self.read(d + ("/memory.max" if V2 else "/memory.limit_in_bytes"))

    def cpu_quota(self, d):
        """(quota, period) in us: cpu.cfs_quota_us and cfs_period_us (v1), cpu.max (v2)"""
        if V2:
            return tuple((self.read(d + "/cpu.max").split() + ["", ""])[:2])
        return (self.read(d + "/cpu.cfs_quota_us"), self.read(d + "/cpu.cfs_period_us"))

    def cpu_shares(self, d):
        """cpu.shares (v1) or cpu.weight (v2), as read"""
        return self.read(d + ("/cpu.weight" if V2 else "/cpu.shares"))

    def t_status(self):
        """ContainerStatus of a running container"""
        pod, cfg, parent = self.main
        st, info = self.c.status(self.sleeper, verbose=True)
        self.eq("ContainerStatus: RUNNING", st.state, pb.CONTAINER_RUNNING)
        self.eq("ContainerStatus: image", st.image.image, IMAGE)
        self.check("ContainerStatus: image ref is a digest", st.image_ref.startswith("sha256:"), st.image_ref)
        self.eq("ContainerStatus: log path", st.log_path, self.log_path(cfg, "sleeper"))
        self.eq("ContainerStatus: metadata name", st.metadata.name, "sleeper")
        self.check("ContainerStatus: started after created", 0 < st.created_at <= st.started_at)
        self.eq("ContainerStatus verbose: the runtime spec's process", info.get("runtimeSpec", {}).get("process", {}).get("args"),
                ["sleep", "3600"])
        self.eq("ListContainers shows it RUNNING",
                [c.state for c in self.c.containers(pod) if c.id == self.sleeper], [pb.CONTAINER_RUNNING])

    def t_oom(self):
        """a container that exceeds its memory limit is killed: OOMKilled"""
        pod, cfg, parent = self.main
        res = pb.LinuxContainerResources(memory_limit_in_bytes=24 << 20, memory_swap_limit_in_bytes=24 << 20)
        st, text = self.run_to_exit(pod, cfg, "oom", "echo start; exec tail /dev/zero", resources=res, seconds=30,
                                    last="start")
        self.eq("OOM: exit code 137, reason OOMKilled", (st.state, st.exit_code, st.reason),
                (pb.CONTAINER_EXITED, 137, "OOMKilled"))
        self.eq("OOM: the log has the output before the kill", text, "start\n")

    def t_stop(self):
        """StopContainer: SIGTERM, then SIGKILL after the grace period"""
        pod, cfg, parent = self.main
        cid = self.container(pod, cfg, "trap", ["sh", "-c", "trap 'echo got-term; exit 0' TERM; echo ready;"
                                                "while true; do sleep 0.1; done"])
        self.wait_log(cfg, "trap", "ready", 30)
        t = time.monotonic()
        # (a grace period of 30 s, so that a stop under ASan on a loaded machine
        # is far inside it; a SIGTERM that went nowhere takes all of it)
        self.c.stop(cid, 30)
        took = time.monotonic() - t
        st = self.c.status(cid)[0]
        self.check("StopContainer: a container that handles SIGTERM stops before the grace period", took < 20,
                   "%.1fs" % took)
        self.eq("and exits with its own status", (st.state, st.exit_code), (pb.CONTAINER_EXITED, 0))
        self.check("its handler ran (log)", "got-term" in cri.log_text(self.log_path(cfg, "trap")))
        self.c.remove(cid)
        # sleep as pid 1 of its namespace: SIGTERM has no handler and is ignored
        cid = self.container(pod, cfg, "ignore", ["sleep", "3600"])
        self.c.wait_state(cid, pb.CONTAINER_RUNNING, 30)
        t = time.monotonic()
        self.c.stop(cid, 2)
        took = time.monotonic() - t
        st = self.c.status(cid)[0]
        self.check("StopContainer grace 2 s: a container that ignores SIGTERM is killed after it",
                   1.9 <= took < 20, "%.1fs" % took)
        self.eq("killed: exit code 137", (st.state, st.exit_code, st.reason), (pb.CONTAINER_EXITED, 137, "Error"))
        self.c.remove(cid)
        self.check("RemoveContainer: the container is gone from ListContainers",
                   cid not in [c.id for c in self.c.containers(pod)])

    def wait_log(self, cfg, name, text, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if text in cri.log_text(self.log_path(cfg, name)):
                return True
            time.sleep(0.05)
        return False

    def t_logs(self):
        """the CRI log file: TIMESTAMP STREAM P|F CONTENT; long lines split into
        partial records; a last line without newline is partial"""
        pod, cfg, parent = self.main
        long = 20000
        st, _ = self.run_to_exit(pod, cfg, "logs", "echo line1; echo err1 >&2; head -c %d /dev/zero | tr '\\0' a; echo;"
                                 " printf no-newline" % long, last="no-newline")
        recs = cri.read_log(self.log_path(cfg, "logs"))
        bad = [r[3] for r in recs if r[0] is None]
        self.check("every log line is 'TIMESTAMP STREAM P|F CONTENT' (RFC 3339 nano)", recs and not bad, repr(bad[:2]))
        out = [(s, t, c if len(c) < 40 else "a*%d" % len(c)) for _, s, t, c in recs if s == "stdout"]
        self.eq("stdout records: F line, the long line as P then F, the last partial",
                out, [("stdout", "F", "line1"), ("stdout", "P", "a*16384"), ("stdout", "F", "a*%d" % (long - 16384)),
                      ("stdout", "P", "no-newline")])
        self.eq("stderr records", [(s, t, c) for _, s, t, c in recs if s == "stderr"], [("stderr", "F", "err1")])
        # each stream is stamped by its own goroutine: in order per stream only
        ts = [r[0] for r in recs if r[1] == "stdout"]
        self.check("timestamps do not go back (stdout)", ts == sorted(ts), repr(ts))
        # a tty container's output is all stdout
        st, _ = self.run_to_exit(pod, cfg, "ttylog", "echo tty-out; echo tty-err >&2; tty", tty=True,
                                 last="/dev/pts/0")
        recs = cri.read_log(self.log_path(cfg, "ttylog"))
        self.eq("tty: everything is on stdout (the terminal's CRLF ends the line)",
                [(s, t, c) for _, s, t, c in recs], [("stdout", "F", "tty-out"), ("stdout", "F", "tty-err"),
                                                     ("stdout", "F", "/dev/pts/0")])

    def t_exec_sync(self):
        """ExecSync: stdout and stderr apart, the exit status, a timeout that
        kills the process, a missing binary"""
        cid = self.sleeper
        pod, cfg, parent = self.main
        try:
            r = self.c.exec_sync(cid, ["sh", "-c", "echo out; echo err >&2; exit 3"], timeout=30, deadline=40)
            self.eq("ExecSync: stdout, stderr, exit code", (r.stdout, r.stderr, r.exit_code), (b"out\n", b"err\n", 3))
        except Exception as e:
            self.not_ok("ExecSync: stdout, stderr, exit code", short(e))
        try:
            r = self.c.exec_sync(cid, ["sh", "-c", "head -c 300000 /dev/zero | tr '\\0' b"], timeout=30, deadline=40)
            self.eq("ExecSync: 300 kB of output", (len(r.stdout), set(r.stdout), r.exit_code), (300000, {ord("b")}, 0))
        except Exception as e:
            self.not_ok("ExecSync: 300 kB of output", short(e))
        try:
            r = self.c.exec_sync(cid, ["sh", "-c", "echo $HOSTNAME $(id -u) $(cat /proc/1/cmdline | tr '\\0' ' ')"],
                                 timeout=30, deadline=40)
            self.eq("ExecSync: in the container (its pid 1, the pod's hostname)", r.stdout, b"husk-pod 0 sleep 3600\n")
        except Exception as e:
            self.not_ok("ExecSync: in the container", short(e))
        t = time.monotonic()
        try:
            # (sleep 60: an exec the timeout did not cut lasts a minute; the
            # bound is loose, as an exec takes seconds under ASan on a loaded machine)
            r = self.c.exec_sync(cid, ["sleep", "60"], timeout=1, deadline=50)
            self.not_ok("ExecSync timeout 1 s: fails", "returned %r" % r)
        except Exception as e:
            took = time.monotonic() - t
            self.check("ExecSync timeout 1 s: fails with a timeout within 30 s",
                       "timeout" in str(e) and took < 30, "%.1fs: %s" % (took, short(e)))
        self.check("ExecSync timeout: the process was killed", wait(30, lambda: len(self.cgroup_procs(parent, cid)) == 1),
                   repr(self.cgroup_procs(parent, cid)))
        # probes: kubelet runs exec probes every few seconds for the container's
        # life; the shim must not keep anything of a finished exec
        try:
            shim = self.ppid(self.c.pid(cid))
            before = self.fds(shim)
            codes = [self.c.exec_sync(cid, ["true"], timeout=30, deadline=40).exit_code for _ in range(20)]
            self.eq("ExecSync as a probe, 20 times: exit 0 each", codes, [0] * 20)
            self.check("the shim holds no more fds after them", wait(30, lambda: self.fds(shim) <= before),
                       "%d before, %d after" % (before, self.fds(shim)))
        except Exception as e:
            self.not_ok("ExecSync as a probe, 20 times", short(e))
        try:
            r = self.c.exec_sync(cid, ["/no/such"], timeout=30, deadline=40)
            self.not_ok("ExecSync of a missing binary fails", "returned %r" % r)
        except Exception as e:
            self.match("ExecSync of a missing binary fails, naming it", str(e), "no/such")

    def t_exec(self):
        """streaming Exec over the URL the CRI returns (websocket, v4 channels):
        output, exit code; tty with stdin and resize"""
        cid = self.sleeper
        try:
            s = cri.Stream(self.c.exec_url(cid, ["sh", "-c", "echo sout; echo serr >&2; exit 4"]))
            r = s.wait_end(30)
            s.close()
            self.eq("Exec: stdout and stderr on their channels", (r.stdout, r.stderr), (b"sout\n", b"serr\n"))
            self.eq("Exec: the exit code on the error channel, and the session ends", (r.exit_code, r.closed),
                    (4, True))
        except Exception as e:
            self.not_ok("Exec: a session", short(e))
        try:
            s = cri.Stream(self.c.exec_url(cid, ["head", "-n", "1"], stdin=True))
            s.send("from-stdin\n")
            r = s.wait_end(30)
            s.close()
            self.eq("Exec with stdin: the input reaches the process, which ends with status 0",
                    (r.stdout, r.exit_code, r.closed), (b"from-stdin\n", 0, True))
        except Exception as e:
            self.not_ok("Exec with stdin", short(e))
        try:
            s = cri.Stream(self.c.exec_url(cid, ["sh"], tty=True, stdin=True))
            s.resize(100, 30)
            sized = s.size_is(30, 100)
            s.send("tty; echo $((6*7)); exit 5\n")
            r = s.wait_end(30)
            s.close()
            out = r.stdout.decode(errors="replace")
            self.check("Exec tty: a terminal of the size sent on the resize channel", sized, repr(out))
            self.match("Exec tty: a pty", out, r"/dev/pts/\d+")
            self.check("Exec tty: output", "42" in out, repr(out))
            self.eq("Exec tty: the exit code, the session ends", (r.exit_code, r.closed), (5, True))
        except Exception as e:
            self.not_ok("Exec tty", short(e))

    def t_attach(self):
        """Attach to a container's stdio: without tty (stdout and stderr apart,
        stdin stays open when the session ends) and with tty (resize)"""
        pod, cfg, parent = self.main
        cid = self.container(pod, cfg, "att", ["sh", "-c", "while read l; do echo got:$l; echo err:$l >&2; done; echo eof"],
                             stdin=True)
        self.c.wait_state(cid, pb.CONTAINER_RUNNING, 30)
        try:
            s = cri.Stream(self.c.attach_url(cid, stdin=True))
            s.send("hello\n")
            s.read_until(lambda r: b"got:hello" in r.stdout and b"err:hello" in r.stderr, 30)
            s.close()
            self.eq("Attach: stdin in, stdout and stderr out", (s.result.stdout, s.result.stderr),
                    (b"got:hello\n", b"err:hello\n"))
            time.sleep(0.3)  # a negative check: not ended 0.3 s after the session
            self.eq("Attach: the container runs on when the session ends (stdinOnce false)",
                    self.c.status(cid)[0].state, pb.CONTAINER_RUNNING)
            s = cri.Stream(self.c.attach_url(cid, stdin=True))
            s.send("again\n")
            s.read_until(lambda r: b"got:again" in r.stdout, 30)
            s.close()
            self.eq("Attach again: stdin still open", s.result.stdout, b"got:again\n")
            self.check("the attached output is in the log too", "got:hello" in cri.log_text(self.log_path(cfg, "att")))
        except Exception as e:
            self.not_ok("Attach", short(e))
        self.stop_remove(cid, 0)

        cid = self.container(pod, cfg, "atttty", ["sh"], stdin=True, tty=True)
        self.c.wait_state(cid, pb.CONTAINER_RUNNING, 30)
        try:
            s = cri.Stream(self.c.attach_url(cid, stdin=True, tty=True))
            s.resize(120, 40)
            sized = s.size_is(40, 120)
            s.send("echo hi-$((1+1))\n")
            s.read_until(lambda r: b"hi-2" in r.stdout, 30)
            s.close()
            out = s.result.stdout.decode(errors="replace")
            self.check("Attach tty: the shell answers, at the size sent", "hi-2" in out and sized, repr(out))
        except Exception as e:
            self.not_ok("Attach tty", short(e))
        self.stop_remove(cid, 0)

    def t_hostns(self):
        """host namespaces: hostNetwork, hostPID, hostIPC"""
        pod, cfg, parent = self.pod("hostns", netns=pb.NamespaceOption(network=pb.NODE, pid=pb.NODE, ipc=pb.NODE))
        cid = self.container(pod, cfg, "hostns", ["sleep", "3600"],
                             security=pb.LinuxContainerSecurityContext(
                                 namespace_options=pb.NamespaceOption(network=pb.NODE, pid=pb.NODE, ipc=pb.NODE)))
        self.c.wait_state(cid, pb.CONTAINER_RUNNING, 30)
        cpid = self.c.pid(cid)
        me = os.getpid()
        for kind in ("net", "pid", "ipc", "uts"):
            self.eq("host namespaces: the container's %s namespace is the host's" % kind, self.ns(cpid, kind),
                    self.ns(me, kind))
        self.check("but its own mount namespace", self.ns(cpid, "mnt") != self.ns(me, "mnt"))
        st = self.c.pod_status(pod)[0]
        self.eq("PodSandboxStatus: host namespaces reported",
                (st.linux.namespaces.options.network, st.linux.namespaces.options.pid, st.linux.namespaces.options.ipc),
                (pb.NODE, pb.NODE, pb.NODE))
        self.stop_remove(cid, 0)
        self.teardown_pod(pod)

    def t_mounts(self):
        """mounts: read-only, and each propagation: private, HostToContainer
        (rslave), Bidirectional (rshared, privileged; the rootfs becomes rshared)"""
        vols = os.path.join(self.ct, "vols-" + self.h)
        os.makedirs(vols, exist_ok=True)
        # the volumes' parent is a shared mount, as kubelet's pod volume dirs are
        # (containerd refuses rslave/rshared on a source that is not)
        self.mount(["--bind", vols, vols])
        sh(["mount", "--make-rshared", vols])
        for d in ("priv", "h2c", "ro", "bidir", "ctl"):
            os.makedirs(os.path.join(vols, d, "sub"), exist_ok=True)
        if os.path.exists(os.path.join(vols, "ctl", "go")):
            os.unlink(os.path.join(vols, "ctl", "go"))
        pod, cfg, parent = self.pod("mounts", privileged=True)
        m = lambda d, cp, prop=pb.PROPAGATION_PRIVATE, ro=False: pb.Mount(  # noqa: E731
            host_path=os.path.join(vols, d), container_path=cp, propagation=prop, readonly=ro)
        mounts = [m("priv", "/priv"), m("h2c", "/h2c", pb.PROPAGATION_HOST_TO_CONTAINER), m("ro", "/ro", ro=True),
                  m("ctl", "/ctl")]
        script = ("touch /ro/x 2>/dev/null; echo ro=$?; touch /priv/x; echo rw=$?; echo ready;"
                  "i=0; while [ ! -e /ctl/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done;"
                  "[ -e /h2c/sub/marker ] && echo h2c=seen || echo h2c=unseen;"
                  "[ -e /priv/sub/marker ] && echo priv=seen || echo priv=unseen")
        cid = self.container(pod, cfg, "prop", ["sh", "-c", script], mounts=mounts)
        self.wait_log(cfg, "prop", "ready", 30)
        for d in ("h2c", "priv"):
            self.mount(["-t", "tmpfs", "husk-cri-" + d, os.path.join(vols, d, "sub")])
            open(os.path.join(vols, d, "sub", "marker"), "w").close()
        open(os.path.join(vols, "ctl", "go"), "w").close()
        self.c.wait_state(cid, pb.CONTAINER_EXITED, 90)
        o = self.outputs(cri.log_text(self.log_path(cfg, "prop")))
        self.eq("a read-only mount is not writable, a read-write one is", (o.get("ro"), o.get("rw")), ("1", "0"))
        self.eq("HostToContainer: a mount made on the host later is seen inside", o.get("h2c"), "seen")
        self.eq("private: a mount made on the host later is not seen inside", o.get("priv"), "unseen")
        st = self.c.status(cid)[0]
        self.eq("ContainerStatus lists the mounts with their propagation",
                sorted((x.container_path, x.propagation, x.readonly) for x in st.mounts),
                sorted((x.container_path, x.propagation, x.readonly) for x in mounts))
        self.c.remove(cid)

        # Bidirectional: a mount made inside shows on the host
        sec = pb.LinuxContainerSecurityContext(privileged=True)
        try:
            cid = self.container(pod, cfg, "bidir", ["sh", "-c", "mount -t tmpfs husk-cri-bidir /bidir/sub &&"
                                                     " touch /bidir/sub/from-container && echo mounted; sleep 3600"],
                                 mounts=[m("bidir", "/bidir", pb.PROPAGATION_BIDIRECTIONAL)], security=sec)
            self.ok("Bidirectional: the container starts (rootfsPropagation rshared)")
            seen = self.wait_log(cfg, "bidir", "mounted", 30)
            target = os.path.join(vols, "bidir", "sub")
            self.check("Bidirectional: a mount made in the container shows on the host",
                       seen and wait(30, lambda: os.path.exists(os.path.join(target, "from-container"))))
            self.stop_remove(cid, 0)
            if mounted(target):
                self.host_mounts.append(target)
        except Exception as e:
            self.not_ok("Bidirectional: the container starts (rootfsPropagation rshared)", short(e))
        self.teardown_pod(pod)

    def mount(self, args):
        sh(["mount"] + args)
        self.host_mounts.append(args[-1])

    def t_privileged(self):
        """a privileged container: every capability, no seccomp, /sys writable"""
        pod = self.pod("priv", privileged=True)
        st, text = self.run_to_exit(pod[0], pod[1], "priv",
                                    "echo cap=$(awk '/^CapEff/ {print $2}' /proc/self/status);"
                                    "echo sec=$(awk '/^Seccomp:/ {print $2}' /proc/self/status);"
                                    "echo kmsg=$(ls /dev/kmsg)",
                                    security=pb.LinuxContainerSecurityContext(privileged=True))
        o = self.outputs(text)
        last = int(self.read("/proc/sys/kernel/cap_last_cap"))
        bnd = int(re.search(r"CapBnd:\s*(\w+)", self.read("/proc/self/status")).group(1), 16)
        self.eq("privileged: every capability (the bounding set the runtime was given)",
                int(o.get("cap", "0"), 16), bnd & ((1 << (last + 1)) - 1))
        self.eq("privileged: no seccomp, the host's devices", (o.get("sec"), o.get("kmsg")), ("0", "/dev/kmsg"))
        self.teardown_pod(pod[0])

    # --- teardown, and what must be left: nothing ---

    def stop_remove(self, cid, grace):
        try:
            self.c.stop(cid, grace)
            self.c.remove(cid)
        except Exception as e:
            self.not_ok("stop and remove %s" % cid[:12], short(e))

    def teardown_pod(self, pod):
        """StopPodSandbox (stops its containers), RemovePodSandbox (removes them)"""
        try:
            self.c.stop_pod(pod)
            st = self.c.pod_status(pod)[0]
            self.eq("StopPodSandbox: NOTREADY", st.state, pb.SANDBOX_NOTREADY)
            left = [c.id for c in self.c.containers(pod) if c.state != pb.CONTAINER_EXITED]
            self.eq("StopPodSandbox: every container of the pod has exited", left, [])
            self.c.remove_pod(pod)
            self.check("RemovePodSandbox: gone from ListPodSandbox", pod not in [p.id for p in self.c.pods()])
            self.eq("RemovePodSandbox: its containers are gone", [c.id for c in self.c.containers(pod)], [])
        except Exception as e:
            self.not_ok("teardown of pod %s" % pod[:12], short(e))
        self.pods = [p for p in self.pods if p[0] != pod]

    def t_teardown(self):
        if self.pods:
            # the check below must be able to fail: it sees the live pods
            seen = self.leftovers()
            self.check("the leftover check sees the pods still running (shims, cgroups, state)",
                       any(x.startswith("shim ") for x in seen) and any(x.startswith("cgroups ") for x in seen),
                       repr(seen[:4]))
        for pod, _ in list(self.pods):
            self.teardown_pod(pod)
        for m in reversed(self.host_mounts):
            subprocess.run(["umount", "-l", m], stderr=subprocess.DEVNULL)
        self.host_mounts = []
        left = wait(30, lambda: not self.leftovers())
        self.check("nothing is left of any pod or container (shim, process, cgroup, mount, state, socket, netns)",
                   left, "; ".join(self.leftovers()[:8]))

    def leftovers(self):
        what = []
        state = os.path.join(self.ct, "state")
        roots = [os.path.join(self.ct, "husk", "k8s.io"), os.path.join(self.ct, "runc", "k8s.io"),
                 os.path.join(state, "io.containerd.runtime.v2.task", "k8s.io"),
                 os.path.join(state, "io.containerd.grpc.v1.cri", "sandboxes"),
                 os.path.join(state, "io.containerd.grpc.v1.cri", "containers")]
        procs = {}
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    with open("/proc/%s/cmdline" % p, "rb") as f:
                        procs[p] = f.read().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    pass
        mountinfo = self.read("/proc/self/mountinfo")
        for i in self.ids:
            for p, cmd in procs.items():
                if "-id " + i in cmd:
                    what.append("shim %s (%s)" % (p, i[:12]))
            for r in roots:
                if os.path.exists(os.path.join(r, i)):
                    what.append("%s/%s" % (r, i[:12]))
            if i in mountinfo:
                what.append("mount of %s" % i[:12])
            sock = "/run/containerd/s/" + hashlib.sha256(("%s/k8s.io/%s" % (self.a.sock, i)).encode()).hexdigest()
            if os.path.exists(sock):
                what.append("socket of %s" % i[:12])
        for parent in set(self.parents):
            for d in self.parent_dirs(parent):
                if os.path.isdir(d):
                    subs = [x for x in os.listdir(d) if os.path.isdir(os.path.join(d, x))]
                    if subs:
                        what.append("cgroups under %s: %s" % (d, " ".join(s[:12] for s in subs)))
                    procs_in = self.read(d + "/cgroup.procs").split()
                    if procs_in and not procs_in[0].startswith("<"):
                        what.append("processes in %s: %s" % (d, " ".join(procs_in)))
        for n in self.netns:
            if os.path.exists(n) or n in mountinfo:
                what.append("netns " + n)
        return what

    def remove_parents(self):
        """the pods' cgroup parents: kubelet makes and removes them; the
        runtimes made them here, we remove them"""
        for parent in set(self.parents):
            for d in self.parent_dirs(parent):
                if os.path.isdir(d):
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass


def short(e):
    """a gRPC error or exception in one line"""
    if hasattr(e, "code") and hasattr(e, "details"):
        try:
            return "%s: %s" % (e.code().name, e.details())
        except Exception:
            pass
    return str(e).splitlines()[0] if str(e) else repr(e)


def wait(seconds, pred):
    end = time.monotonic() + seconds
    while True:
        if pred():
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.1)


def mounted(path):
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


def sh(argv):
    subprocess.run(argv, check=True)


TESTS = ["pod", "process", "user", "caps", "seccomp", "rootfs", "sysctls", "resources", "status", "logs",
         "oom", "stop", "exec_sync", "exec", "attach", "hostns", "mounts", "privileged"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("--ct", required=True)
    ap.add_argument("--handler", required=True)
    ap.add_argument("--cgroup-root", required=True)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    s = Suite(a)
    only = [t for t in a.only.split(",") if t]
    names = [t for t in TESTS if not only or t in only]
    if any(n != "pod" for n in names) and "pod" not in names:
        names.insert(0, "pod")  # the others use its pod and container
    for name in names:
        t0 = time.monotonic()
        try:
            getattr(s, "t_" + name)()
        except Exception as e:
            s.not_ok("%s: the test itself" % name, short(e))
            if os.environ.get("CRI_TRACE"):
                traceback.print_exc()
            if name == "pod":
                break
        print("# %s: %s %.1fs" % (a.handler, name, time.monotonic() - t0), flush=True)
    s.t_teardown()
    s.remove_parents()
    print("%s: %d passed, %d failed" % (a.handler, s.passed, s.failed))
    s.c.close()
    sys.exit(1 if s.failed else 0)


if __name__ == "__main__":
    main()
