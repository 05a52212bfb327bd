"""A small CRI client, as kubelet talks to containerd: the runtime.v1 gRPC calls
(api.proto beside this file, compiled into a temp dir at import time with
grpc_tools.protoc), the client side of the streaming protocol for Exec and
Attach (websocket, subprotocol v4.channel.k8s.io), and a reader for the CRI log
file format. Used by the CRI tests (suite.py) and tools/bench/cri.

Needs Debian's python3-grpcio, python3-grpc-tools, python3-protobuf and
python3-websocket, run by /usr/bin/python3.
"""
import atexit
import json
import os
import re
import shutil
import sys
import tempfile
import time

import grpc
from grpc_tools import protoc
import websocket

HERE = os.path.dirname(os.path.abspath(__file__))


def _compile_api():
    """api.proto compiled into a fresh temp dir (removed at exit); returns
    the modules (api_pb2, api_pb2_grpc)."""
    out = tempfile.mkdtemp(prefix="husk-cri-api.")
    atexit.register(shutil.rmtree, out, True)
    rc = protoc.main(["protoc", "-I" + HERE, "--python_out=" + out,
                      "--grpc_python_out=" + out, os.path.join(HERE, "api.proto")])
    if rc != 0:
        raise RuntimeError("grpc_tools.protoc failed on api.proto (%d)" % rc)
    sys.path.insert(0, out)
    import api_pb2  # noqa: E402  (generated just now)
    import api_pb2_grpc  # noqa: E402
    return api_pb2, api_pb2_grpc


pb, pb_grpc = _compile_api()


class Cri:
    """The RuntimeService and ImageService of the CRI socket SOCK. Each call
    has a deadline (seconds; kubelet's default runtime request timeout is 2
    minutes, ours is shorter so that a hang fails a test instead of the
    suite)."""

    def __init__(self, sock, deadline=30):
        self.channel = grpc.insecure_channel("unix://" + sock)
        self.rt = pb_grpc.RuntimeServiceStub(self.channel)
        self.img = pb_grpc.ImageServiceStub(self.channel)
        self.deadline = deadline

    def call(self, name, req, deadline=None, image=False):
        stub = self.img if image else self.rt
        return getattr(stub, name)(req, timeout=deadline or self.deadline)

    def close(self):
        self.channel.close()

    # --- the calls kubelet makes, with the arguments the tests vary ---

    def run_pod(self, handler, name, uid, cgroup_parent, log_dir, hostname="", netns=None,
                sysctls=None, privileged=False, labels=None):
        """RunPodSandbox; returns (pod id, the PodSandboxConfig sent, which
        CreateContainer needs again). netns: a NamespaceOption (host
        namespaces), None for the pod's own."""
        lsc = pb.LinuxSandboxSecurityContext(privileged=privileged)
        if netns is not None:
            lsc.namespace_options.CopyFrom(netns)
        cfg = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=name, uid=uid, namespace="husk-cri", attempt=0),
            hostname=hostname, log_directory=log_dir,
            dns_config=pb.DNSConfig(servers=["127.0.0.1"], searches=["husk.test"], options=["ndots:2"]),
            labels=labels or {"app": name},
            linux=pb.LinuxPodSandboxConfig(cgroup_parent=cgroup_parent, security_context=lsc,
                                           sysctls=sysctls or {}))
        r = self.call("RunPodSandbox", pb.RunPodSandboxRequest(config=cfg, runtime_handler=handler))
        return r.pod_sandbox_id, cfg

    def create(self, pod, pod_cfg, config):
        return self.call("CreateContainer", pb.CreateContainerRequest(
            pod_sandbox_id=pod, config=config, sandbox_config=pod_cfg)).container_id

    def start(self, cid):
        self.call("StartContainer", pb.StartContainerRequest(container_id=cid))

    def stop(self, cid, timeout):
        self.call("StopContainer", pb.StopContainerRequest(container_id=cid, timeout=timeout),
                  deadline=timeout + self.deadline)

    def remove(self, cid):
        self.call("RemoveContainer", pb.RemoveContainerRequest(container_id=cid))

    def stop_pod(self, pod):
        self.call("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=pod))

    def remove_pod(self, pod):
        self.call("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=pod))

    def status(self, cid, verbose=False):
        """(ContainerStatus, info dict decoded from the verbose JSON)"""
        r = self.call("ContainerStatus", pb.ContainerStatusRequest(container_id=cid, verbose=verbose))
        info = json.loads(r.info["info"]) if verbose and "info" in r.info else {}
        return r.status, info

    def pod_status(self, pod, verbose=False):
        r = self.call("PodSandboxStatus", pb.PodSandboxStatusRequest(pod_sandbox_id=pod, verbose=verbose))
        info = json.loads(r.info["info"]) if verbose and "info" in r.info else {}
        return r.status, info

    def pid(self, cid):
        """the host pid of container CID's process (its init), from the verbose status"""
        return self.status(cid, verbose=True)[1].get("pid", 0)

    def pod_pid(self, pod):
        """the host pid of the sandbox's pause process"""
        return self.pod_status(pod, verbose=True)[1].get("pid", 0)

    def wait_state(self, cid, state, seconds):
        """True once container CID is in STATE (pb.CONTAINER_*) within SECONDS"""
        end = time.monotonic() + seconds
        while True:
            if self.status(cid)[0].state == state:
                return True
            if time.monotonic() > end:
                return False
            time.sleep(0.05)

    def exec_sync(self, cid, cmd, timeout=0, deadline=None):
        return self.call("ExecSync", pb.ExecSyncRequest(container_id=cid, cmd=cmd, timeout=timeout),
                         deadline=deadline)

    def exec_url(self, cid, cmd, tty=False, stdin=False, stdout=True, stderr=True):
        return self.call("Exec", pb.ExecRequest(container_id=cid, cmd=cmd, tty=tty, stdin=stdin,
                                                stdout=stdout, stderr=stderr and not tty)).url

    def attach_url(self, cid, tty=False, stdin=False, stdout=True, stderr=True):
        return self.call("Attach", pb.AttachRequest(container_id=cid, tty=tty, stdin=stdin,
                                                    stdout=stdout, stderr=stderr and not tty)).url

    def stats(self, cid):
        return self.call("ContainerStats", pb.ContainerStatsRequest(container_id=cid)).stats

    def update(self, cid, resources):
        self.call("UpdateContainerResources",
                  pb.UpdateContainerResourcesRequest(container_id=cid, linux=resources))

    def containers(self, pod=""):
        return self.call("ListContainers", pb.ListContainersRequest(
            filter=pb.ContainerFilter(pod_sandbox_id=pod))).containers

    def pods(self):
        return self.call("ListPodSandbox", pb.ListPodSandboxRequest()).items


def container_config(name, image, command=None, args=None, log_path="", envs=None, working_dir="",
                     mounts=None, tty=False, stdin=False, stdin_once=False, resources=None,
                     security=None):
    """a ContainerConfig as kubelet builds one from a pod spec's container"""
    c = pb.ContainerConfig(
        metadata=pb.ContainerMetadata(name=name, attempt=0), image=pb.ImageSpec(image=image),
        command=command or [], args=args or [], working_dir=working_dir, log_path=log_path,
        envs=[pb.KeyValue(key=k, value=v) for k, v in (envs or {}).items()],
        mounts=mounts or [], tty=tty, stdin=stdin, stdin_once=stdin_once,
        labels={"container": name})
    if resources is not None:
        c.linux.resources.CopyFrom(resources)
    if security is not None:
        c.linux.security_context.CopyFrom(security)
    # kubelet asks for a pid namespace of the container's own unless the pod
    # shares one (shareProcessNamespace); POD, proto3's zero, would join the
    # sandbox's
    if not c.linux.security_context.HasField("namespace_options"):
        c.linux.security_context.namespace_options.pid = pb.CONTAINER
    return c


# --- streaming: Exec and Attach URLs, the websocket flavour of k8s remotecommand ---
#
# containerd's streaming server (pkg/cri/streaming, from kubelet) answers the
# URL that Exec/Attach return with SPDY or websocket. The websocket protocol
# v4.channel.k8s.io: every binary message starts with a channel byte: 0 stdin
# (client to server), 1 stdout, 2 stderr, 3 error (a JSON metav1.Status once the
# process ends: Success, or Failure with reason NonZeroExitCode and the code in
# details.causes), 4 resize (client to server: {"Width": W, "Height": H}). The
# server first sends an empty message on the lowest output channel. There is no
# way to half-close stdin in v4: the session ends when the process ends (or
# when the client closes the websocket).

STDIN, STDOUT, STDERR, ERROR, RESIZE = range(5)


class StreamResult:
    def __init__(self):
        self.stdout = b""
        self.stderr = b""
        self.status = None       # the decoded metav1.Status, None if none came
        self.closed = False      # the server ended the session
        self.timed_out = False   # the deadline passed first

    @property
    def exit_code(self):
        """0 for Success, the code of a NonZeroExitCode failure, None otherwise"""
        s = self.status
        if not s:
            return None
        if s.get("status") == "Success":
            return 0
        for cause in (s.get("details") or {}).get("causes") or []:
            if cause.get("reason") == "ExitCode":
                return int(cause.get("message"))
        return None


class Stream:
    """one Exec or Attach session on URL (http://… as the CRI returns it)"""

    def __init__(self, url, timeout=30):
        ws_url = re.sub(r"^http", "ws", url)
        self.ws = websocket.create_connection(ws_url, subprotocols=["v4.channel.k8s.io"],
                                              timeout=timeout)
        self.protocol = self.ws.getsubprotocol() if hasattr(self.ws, "getsubprotocol") else None
        self.result = StreamResult()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.ws.send_binary(bytes([STDIN]) + data)

    def resize(self, width, height):
        self.ws.send_binary(bytes([RESIZE]) + json.dumps({"Width": width, "Height": height}).encode())

    def read_until(self, pred, seconds):
        """read messages until pred(result) is true, the server closes, or
        SECONDS pass; returns pred(result)"""
        end = time.monotonic() + seconds
        r = self.result
        while not pred(r) and not r.closed:
            left = end - time.monotonic()
            if left <= 0:
                r.timed_out = True
                break
            self.ws.settimeout(left)
            try:
                op, data = self.ws.recv_data()
            except websocket.WebSocketTimeoutException:
                r.timed_out = True
                break
            except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
                r.closed = True
                break
            if op == websocket.ABNF.OPCODE_CLOSE:
                r.closed = True
                break
            if not data:
                continue
            ch, payload = data[0], data[1:]
            if ch == STDOUT:
                r.stdout += payload
            elif ch == STDERR:
                r.stderr += payload
            elif ch == ERROR and payload:
                try:
                    r.status = json.loads(payload)
                except ValueError:
                    r.status = {"status": "Unparsed", "message": payload.decode(errors="replace")}
        return pred(r)

    def size_is(self, rows, cols, seconds=30):
        """the shell on this tty session answers `stty size` with ROWS COLS,
        asked again each second until it does: a resize travels its own
        channel (containerd's ResizePty), racing what is sent on stdin"""
        want = ("%d %d" % (rows, cols)).encode()
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.result.closed:
            self.send("stty size\n")
            if self.read_until(lambda r: want in r.stdout, 1):
                return True
        return want in self.result.stdout

    def wait_end(self, seconds):
        """read to the end of the session; the result"""
        self.read_until(lambda r: False, seconds)
        return self.result

    def close(self):
        try:
            self.ws.close(timeout=1)
        except Exception:  # already gone: nothing to release
            pass


# --- the CRI log file: one record per line, "TIMESTAMP STREAM TAG CONTENT" ---

LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (stdout|stderr) ([PF]) (.*)$")


def read_log(path):
    """the records of the CRI log file PATH: [(timestamp, stream, tag, content)];
    a line that does not parse is returned as (None, None, None, line)"""
    out = []
    try:
        with open(path, "rb") as f:
            data = f.read().decode(errors="replace")
    except FileNotFoundError:
        return out
    for line in data.split("\n"):
        if line == "":
            continue
        m = LOG_LINE.match(line)
        out.append(m.groups() if m else (None, None, None, line))
    return out


def log_text(path, stream=None):
    """the content of the log joined back as the container wrote it (P
    records continue a line, F ends one)"""
    text = ""
    for ts, s, tag, content in read_log(path):
        if ts is None or (stream and s != stream):
            continue
        text += content + ("\n" if tag == "F" else "")
    return text
