#!/usr/bin/python3
"""The CRI benchmark's driver (run by tools/bench/cri, which starts the private
containerd): pod startup through the husk handler and the runc handler of the
same containerd, as kubelet starts a pod: RunPodSandbox, CreateContainer,
StartContainer, until ContainerStatus says RUNNING.

  cri.py --sock SOCK --ct DIR --cgroup-root NAME [-n RUNS] [-p PODS] [-r ROUNDS]

Reports, for each handler, with the husk/runc ratio of the medians:
  - one pod at a time, RUNS runs interleaved (husk, runc, husk, ...) after one
    warm-up each: milliseconds from RunPodSandbox to the container running;
  - PODS pods started at once (a thread each), ROUNDS rounds interleaved:
    milliseconds from the first call to the last container running;
  - the teardown of the one-pod runs (StopPodSandbox + RemovePodSandbox), for
    information.
"""
import argparse
import os
import sys
import threading
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(SRC, "tests", "cri"))
import cri  # noqa: E402
from cri import pb  # noqa: E402

IMAGE = "docker.io/library/busybox:husk"
HANDLERS = ("husk", "runc")


class Bench:
    def __init__(self, a):
        self.a = a
        self.c = cri.Cri(a.sock, deadline=120)
        self.n = 0
        self.lock = threading.Lock()
        self.parents = set()

    def start_pod(self, handler):
        """one pod with one container, started as kubelet does; returns (pod
        id, seconds to the container running)"""
        with self.lock:
            self.n += 1
            n = self.n
        name = "b%d-%s" % (n, handler)
        parent = "/%s/%s" % (self.a.cgroup_root, name)
        logdir = os.path.join(self.a.ct, "logs", name)
        os.makedirs(logdir, exist_ok=True)
        t0 = time.monotonic()
        pod, cfg = self.c.run_pod(handler, name, "uid-" + name, parent, logdir)
        cid = self.c.create(pod, cfg, cri.container_config("c", IMAGE, command=["sleep", "3600"], log_path="c.log"))
        self.c.start(cid)
        while self.c.status(cid)[0].state != pb.CONTAINER_RUNNING:
            time.sleep(0.001)
        took = time.monotonic() - t0
        with self.lock:
            self.parents.add(parent)
        return pod, took

    def teardown(self, pod):
        t0 = time.monotonic()
        self.c.stop_pod(pod)
        self.c.remove_pod(pod)
        return time.monotonic() - t0

    def many(self, handler, count):
        """COUNT pods at once; (seconds from the first call to the last
        container running, pod ids)"""
        pods, errors = [], []
        barrier = threading.Barrier(count + 1)

        def one():
            barrier.wait()
            try:
                pods.append(self.start_pod(handler)[0])
            except Exception as e:  # counted, reported, and the round is void
                errors.append(e)

        threads = [threading.Thread(target=one) for _ in range(count)]
        for t in threads:
            t.start()
        barrier.wait()
        t0 = time.monotonic()
        for t in threads:
            t.join()
        took = time.monotonic() - t0
        if errors:
            print("%s: %d of %d pods failed: %s" % (handler, len(errors), count, cri_short(errors[0])), file=sys.stderr)
        return (None if errors else took), pods

    def remove_parents(self):
        for parent in self.parents:
            for ctrl in os.listdir("/sys/fs/cgroup"):
                d = "/sys/fs/cgroup/%s%s" % (ctrl, parent)
                if os.path.isdir(d):
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass


def cri_short(e):
    if hasattr(e, "details"):
        try:
            return "%s: %s" % (e.code().name, e.details())
        except Exception:
            pass
    return str(e).splitlines()[0] if str(e) else repr(e)


def stats(xs):
    """(median, p25, p75) in ms of seconds XS"""
    v = sorted(x * 1000 for x in xs)
    n = len(v)
    med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    return med, v[int(n * 0.25)], v[min(n - 1, int(n * 0.75))]


def report(title, res):
    print("== " + title)
    meds = {}
    for h in HANDLERS:
        if not res[h]:
            print("%-34s no result" % h)
            continue
        m, p25, p75 = stats(res[h])
        meds[h] = m
        label = "husk (husk-shim + libhusk)" if h == "husk" else "runc (containerd-shim-runc-v2 + runc)"
        print("%-38s median %8.1f ms  p25 %8.1f  p75 %8.1f  (n=%d)" % (label, m, p25, p75, len(res[h])))
    if len(meds) == 2:
        print("husk / runc: %.2f" % (meds["husk"] / meds["runc"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("--ct", required=True)
    ap.add_argument("--cgroup-root", required=True)
    ap.add_argument("-n", type=int, default=20, help="one-pod runs per handler")
    ap.add_argument("-p", type=int, default=20, help="pods started at once")
    ap.add_argument("-r", type=int, default=3, help="rounds of PODS pods per handler")
    a = ap.parse_args()
    b = Bench(a)
    try:
        for h in HANDLERS:  # warm-up: the images' snapshots, the shim binaries in the page cache
            b.teardown(b.start_pod(h)[0])
        start = {h: [] for h in HANDLERS}
        down = {h: [] for h in HANDLERS}
        for _ in range(a.n):
            for h in HANDLERS:
                pod, took = b.start_pod(h)
                start[h].append(took)
                down[h].append(b.teardown(pod))
        report("pod startup, one at a time: RunPodSandbox -> container running (%d runs each, interleaved)" % a.n,
               start)
        many = {h: [] for h in HANDLERS}
        for _ in range(a.r):
            for h in HANDLERS:
                took, pods = b.many(h, a.p)
                if took is not None:
                    many[h].append(took)
                for p in pods:
                    b.teardown(p)
        report("%d pods at once: first RunPodSandbox -> last container running (%d rounds each, interleaved)"
               % (a.p, a.r), many)
        report("teardown of one pod: StopPodSandbox + RemovePodSandbox (for information)", down)
    finally:
        for p in b.c.pods():
            try:
                b.teardown(p.id)
            except Exception:
                pass
        b.remove_parents()
        b.c.close()


if __name__ == "__main__":
    main()
