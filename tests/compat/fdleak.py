#!/usr/bin/env python3
"""fdleak.py STRACE-OUTPUT: the fds a process opened and had not closed when
it exited, from `strace -o FILE -e trace=all` of one process (no -f: its
clones are not followed). Prints "FD:SYSCALL" for each, nothing when all were
closed. 0, 1 and 2 and the fds it inherited are not counted. Used by
t-mutate.sh: a failed husk call must close what it opened (libhusk runs in the
shim's helper processes too)."""
import re
import sys

# syscalls whose non-negative result is a new fd
RET_FD = {"open", "openat", "openat2", "creat", "socket", "dup", "memfd_create",
          "pidfd_open", "eventfd", "eventfd2", "epoll_create", "epoll_create1",
          "signalfd", "signalfd4", "inotify_init", "inotify_init1", "timerfd_create",
          "open_tree", "fsopen", "fsmount", "fspick", "accept", "accept4",
          "userfaultfd", "perf_event_open", "pidfd_getfd", "open_by_handle_at",
          "fanotify_init", "bpf", "seccomp", "memfd_secret", "io_uring_setup"}
LINE = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)")


def main():
    open_fds = {}
    with open(sys.argv[1], errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            name, args, ret = m.group(1), m.group(2), m.group(3)
            if ret == "?" or int(ret) < 0:
                continue
            r = int(ret)
            if name in ("execve", "execveat"):
                # the fds opened close-on-exec are gone (husk re-executes itself)
                for fd in [fd for fd, n in open_fds.items() if n.endswith("+cloexec")]:
                    del open_fds[fd]
                continue
            cloexec = "+cloexec" if "CLOEXEC" in args else ""
            if name in RET_FD and not (name == "bpf" and "BPF_PROG_LOAD" not in args and "MAP_CREATE" not in args) \
                    and not (name == "seccomp" and "NEW_LISTENER" not in args):
                open_fds[r] = name + cloexec
            elif name == "fcntl" and "F_DUPFD" in args:
                open_fds[r] = "fcntl" + cloexec
            elif name in ("dup2", "dup3"):
                open_fds[r] = name + cloexec
            elif name in ("pipe", "pipe2", "socketpair"):
                fds = re.search(r"\[(\d+), (\d+)\]", args)
                if fds:
                    for x in fds.groups():
                        open_fds[int(x)] = name + cloexec
            elif name == "close":
                open_fds.pop(int(args.split(",")[0]), None)
            elif name == "close_range":
                a = [int(x, 0) if x.strip().lstrip("-").isdigit() else None for x in args.split(",")[:2]]
                lo = a[0] or 0
                hi = a[1] if a[1] is not None else 1 << 31
                for fd in [fd for fd in open_fds if lo <= fd <= hi]:
                    del open_fds[fd]
    left = sorted((fd, n) for fd, n in open_fds.items() if fd > 2)
    print(" ".join("%d:%s" % (fd, n.replace("+cloexec", "")) for fd, n in left))


if __name__ == "__main__":
    main()
