#!/usr/bin/env python3
"""mutate.py: the hostile config.json cases of tests/compat/t-mutate.sh.

    mutate.py BASE.json OUTDIR [SEED]

Reads the bundle's config (from `husk spec`, its args the probe) and writes,
for each case NNN, OUTDIR/NNN.json (the config.json bytes: raw, so that
duplicate keys, big or odd numbers, NUL escapes and invalid UTF-8 can be
written) and optionally OUTDIR/NNN.setup (sh, run in the bundle directory
before the runtime: symlinks and files in the rootfs). OUTDIR/cases lists
"NNN<TAB>FLAGS<TAB>NAME"; FLAGS is a comma list of:
  create    also compare `create` (then `delete -f`)
  husk=ok|fail   the answer expected of husk when it differs from runc's on
            purpose (runtime-spec; docs/compat.md, "config.json validation");
            husk-run=..., husk-create=... for one verb only
  nosan     not run in a sanitized build (it hangs in the sanitizer's runtime)
  fd        husk's failure always checked for fds under strace (else one in 8)
In the config text "@ID@" stands for the container id and "@B@" for the
bundle directory (t-mutate.sh substitutes both). The list is fixed: the same
SEED gives the same cases (the pairs at the end are drawn with it). Only the
standard library is used.
"""
import copy
import json
import os
import random
import sys

RAWS = []  # raw JSON text spliced in place of "\x00RAWn\x00" markers


def raw(text):
    RAWS.append(text)
    return "\x00RAW%d\x00" % (len(RAWS) - 1)


def dump(cfg):
    """The config as bytes (ASCII, non-ASCII escaped), raw parts spliced in."""
    text = json.dumps(cfg, indent=1).encode("ascii")
    for i, r in enumerate(RAWS):
        marker = json.dumps("\x00RAW%d\x00" % i).encode("ascii")
        if marker in text:
            text = text.replace(marker, r if isinstance(r, bytes) else r.encode("utf-8"))
    return text


def walk(cfg, path, create=False):
    """The parent container of path ('a.b[0].c' as a list) and the last key."""
    cur = cfg
    for k in path[:-1]:
        if isinstance(cur, dict) and k not in cur and create:
            cur[k] = {}
        cur = cur[k]
    return cur, path[-1]


def parse(p):
    out = []
    for part in p.split("."):
        while "[" in part:
            head, rest = part.split("[", 1)
            if head:
                out.append(head)
            idx, part = rest.split("]", 1)
            out.append(int(idx))
        if part:
            out.append(part)
    return out


def setv(path, value):
    def f(cfg):
        parent, key = walk(cfg, parse(path), create=True)
        if isinstance(parent, list) and key == len(parent):
            parent.append(value)
        else:
            parent[key] = value
    return f


def delv(path):
    def f(cfg):
        parent, key = walk(cfg, parse(path))
        del parent[key]
    return f


def addto(path, *items):
    def f(cfg):
        parent, key = walk(cfg, parse(path), create=True)
        parent.setdefault(key, [])
        parent[key].extend(copy.deepcopy(list(items)))
    return f


def nsdrop(kind):
    def f(cfg):
        cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"] if n["type"] != kind]
    return f


def mountdrop(dest):
    def f(cfg):
        cfg["mounts"] = [m for m in cfg["mounts"] if m["destination"] != dest]
    return f


def usermap(cfg):
    cfg["linux"]["namespaces"].append({"type": "user"})
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]


CASES = []  # (name, [mutators], flags, setup)


# Cases of the generated matrices where husk differs from runc on purpose
# (docs/compat.md, "config.json validation").
OVERRIDES = {
    "linux.devices[0].major = 2^32": "husk=fail",
    "linux.devices[0].major = 2^32-1": "husk=fail",
    "linux.devices[0].major = 2^31": "husk=fail",
    "process.user.uid = negzero": "husk=ok",
    "process.env = null": "husk=ok",
    "linux.resources.devices element empty object": "husk=ok",
}


def case(name, *muts, flags="", setup=None):
    if name in OVERRIDES:
        flags = ",".join(x for x in (flags, OVERRIDES[name]) if x)
    CASES.append((name, list(muts), flags, setup))


# Values of the wrong JSON type, or out of range, for a field of each kind.
BIG = {
    "neg": -1, "2^31": 2**31, "2^32-1": 2**32 - 1, "2^32": 2**32, "2^63-1": 2**63 - 1,
    "2^63": 2**63, "2^64": 2**64, "float": raw("1.5"), "float0": raw("1.0"),
    "exp": raw("1e3"), "negzero": raw("-0"), "string": "1", "null": None, "bool": True,
    "object": {}, "array": [1],
}
WRONG_STR = {"number": 1, "object": {}, "array": ["x"], "bool": False, "null": None}
WRONG_BOOL = {"string": "true", "number": 1, "null": None, "object": {}}
WRONG_ARR = {"object": {}, "string": "x", "number": 0, "null": None}
WRONG_OBJ = {"array": [], "string": "x", "number": 0, "null": None}


# The values each kind of field gets: all of them with MUTATE_ALL=1 (about
# 830 cases, 5 minutes), else the ones that found differences or guard a fix.
FULL = os.environ.get("MUTATE_ALL") == "1"
INT_VALUES = ["neg", "2^32", "2^63", "2^64", "float", "exp", "string", "null", "object"] if FULL \
    else ["neg", "2^32", "2^64", "float", "string"]
STR_VALUES = None if FULL else ["number", "object"]
BOOL_VALUES = None if FULL else ["string", "number"]
ARR_VALUES = None if FULL else ["object", "string"]
OBJ_VALUES = None if FULL else ["array", "string"]


def pick(values, names):
    return [(k, v) for k, v in values.items() if names is None or k in names]


def type_matrix():
    ints = ["process.user.uid", "process.user.gid", "process.user.umask",
            "process.oomScoreAdj", "process.rlimits[0].soft", "process.rlimits[0].hard",
            "process.consoleSize.height", "linux.resources.pids.limit",
            "linux.resources.memory.limit", "linux.resources.cpu.shares",
            "linux.resources.cpu.quota", "linux.resources.blkioWeight",
            "linux.devices[0].major", "linux.devices[0].fileMode", "linux.devices[0].uid",
            "hooks.prestart[0].timeout", "linux.seccomp.syscalls[0].args[0].index",
            "linux.seccomp.syscalls[0].args[0].value", "linux.seccomp.syscalls[0].errnoRet"]
    pre = {
        "process.consoleSize.height": [setv("process.consoleSize", {"height": 10, "width": 10})],
        "linux.resources.pids.limit": [setv("linux.resources.pids", {"limit": 100})],
        "linux.resources.memory.limit": [setv("linux.resources.memory", {"limit": 1 << 30})],
        "linux.resources.cpu.shares": [setv("linux.resources.cpu", {"shares": 1024})],
        "linux.resources.cpu.quota": [setv("linux.resources.cpu", {"quota": 100000, "period": 100000})],
        "linux.resources.blkioWeight": [setv("linux.resources.blockIO", {})],
        "linux.devices[0].major": [setv("linux.devices", [{"type": "c", "path": "/dev/fuzz0", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}])],
        "linux.devices[0].fileMode": [setv("linux.devices", [{"type": "c", "path": "/dev/fuzz0", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}])],
        "linux.devices[0].uid": [setv("linux.devices", [{"type": "c", "path": "/dev/fuzz0", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}])],
        "hooks.prestart[0].timeout": [setv("hooks", {"prestart": [{"path": "/bin/true", "timeout": 5}]})],
        "linux.seccomp.syscalls[0].args[0].index": [setv("linux.seccomp", {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mknodat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]})],
        "linux.seccomp.syscalls[0].args[0].value": [setv("linux.seccomp", {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mknodat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]})],
        "linux.seccomp.syscalls[0].errnoRet": [setv("linux.seccomp", {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mknodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]})],
    }
    # the hooks' /bin/true is the host's; the blkio weight is put under blockIO
    for f in ints:
        target = f.replace("linux.resources.blkioWeight", "linux.resources.blockIO.weight")
        for vn in INT_VALUES:
            case("%s = %s" % (f, vn), *pre.get(f, []), setv(target, BIG[vn]))
    # a few more values where the range is the point
    for f, vals in [("process.user.uid", ["2^31", "2^32-1", "negzero", "float0"]),
                    ("process.user.umask", ["2^31", "2^32-1"]),
                    ("process.rlimits[0].hard", ["2^63-1", "2^32"]),
                    ("process.oomScoreAdj", ["2^31", "bool"]),
                    ("linux.resources.pids.limit", ["2^63-1", "negzero"]),
                    ("linux.devices[0].major", ["2^32-1", "2^31"]),
                    ("linux.devices[0].fileMode", ["2^32-1", "2^31"])]:
        for vn in vals:
            case("%s = %s" % (f, vn), *pre.get(f, []), setv(f, BIG[vn]))
    strs = ["ociVersion", "hostname", "process.cwd", "root.path", "mounts[0].destination",
            "mounts[0].type", "mounts[0].source", "linux.cgroupsPath",
            "linux.rootfsPropagation", "process.apparmorProfile", "process.selinuxLabel",
            "linux.namespaces[0].type", "linux.namespaces[0].path", "process.user.username",
            "linux.seccomp.defaultAction", "domainname"]
    for f in strs:
        for vn, v in pick(WRONG_STR, STR_VALUES):
            m = [setv(f, v)]
            if f.startswith("linux.seccomp"):
                m = [setv("linux.seccomp", {"defaultAction": "SCMP_ACT_ALLOW"})] + m
            case("%s = %s" % (f, vn), *m)
    bools = ["process.terminal", "process.noNewPrivileges", "root.readonly"]
    for f in bools:
        for vn, v in pick(WRONG_BOOL, BOOL_VALUES):
            case("%s = %s" % (f, vn), setv(f, v))
    arrs = ["process.args", "process.env", "process.capabilities.bounding", "process.rlimits",
            "mounts", "linux.namespaces", "linux.maskedPaths", "linux.readonlyPaths",
            "linux.resources.devices", "mounts[0].options", "process.user.additionalGids",
            "linux.uidMappings", "linux.devices", "hooks.prestart"]
    for f in arrs:
        for vn, v in pick(WRONG_ARR, ARR_VALUES):
            case("%s = %s" % (f, vn), setv(f, v))
    objs = ["process", "root", "linux", "process.user", "process.capabilities", "hooks",
            "annotations", "linux.resources", "linux.sysctl", "linux.seccomp",
            "linux.resources.memory", "process.consoleSize", "solaris", "windows", "vm"]
    for f in objs:
        for vn, v in pick(WRONG_OBJ, OBJ_VALUES):
            case("%s = %s" % (f, vn), setv(f, v))
    # elements of the wrong type inside arrays
    for f in ["process.args", "process.env", "linux.maskedPaths", "mounts[0].options",
              "process.capabilities.bounding", "process.user.additionalGids"]:
        case("%s element null" % f, addto(f, None))
        case("%s element number" % f, addto(f, 7))
    for f in ["mounts", "linux.namespaces", "process.rlimits", "linux.devices",
              "linux.resources.devices", "hooks.prestart"]:
        case("%s element string" % f, addto(f, "x"))
        case("%s element null" % f, addto(f, None))
        case("%s element empty object" % f, addto(f, {}))


def json_text():
    case("unknown fields everywhere", setv("bogus", 1), setv("process.bogus", [1]),
         setv("linux.bogus", {}), setv("mounts[0].bogus", "x"), setv("root.bogus", None))
    case("duplicate key: hostname, the last wins", setv("hostname", raw('"first", "hostname": "second"')))
    case("duplicate key in another case: Hostname after hostname",
         setv("hostname", raw('"first", "Hostname": "second"')))
    case("duplicate key in another case: hostname after Hostname",
         delv("hostname"), setv("Hostname", raw('"first", "hostname": "second"')))
    case("duplicate key: cwd, Cwd", setv("process.cwd", raw('"/", "Cwd": "/tmp"')))
    case("key in upper case: PROCESS", lambda c: c.update({"PROCESS": c.pop("process")}))
    case("NUL in hostname", setv("hostname", "a\u0000b"), flags="husk=fail")
    case("NUL in an annotation value", setv("annotations", {"a": "x\u0000y"}))
    case("NUL in an annotation key", setv("annotations", {"a\u0000b": "x"}), flags="husk=fail")
    case("NUL in env", addto("process.env", "A=x\u0000y"))
    case("NUL in an arg", setv("process.args[2]", "echo a\u0000b"), flags="husk=fail")
    case("NUL in cwd", setv("process.cwd", "/\u0000tmp"))
    case("NUL in a mount destination", addto("mounts", {"destination": "/mnt\u0000x", "type": "tmpfs", "source": "tmpfs"}))
    case("invalid UTF-8 in an annotation value", setv("annotations", {"a": raw(b'"\xff\xfe"')}))
    case("invalid UTF-8 in env", addto("process.env", raw(b'"A=\xc3("')))
    case("invalid UTF-8 in hostname", setv("hostname", raw(b'"h\xe9"')))
    case("escaped lone surrogate in an annotation", setv("annotations", {"a": raw('"\\ud800"')}))
    case("UTF-8 BOM before the document", lambda c: c.update({"\x00BOM": 1}))
    case("trailing garbage after the document", setv("bogus", raw('1} x')))
    case("very long hostname (65)", setv("hostname", "h" * 65))
    case("hostname of 64", setv("hostname", "h" * 64))
    case("very long hostname (100000)", setv("hostname", "h" * 100000))
    case("very long annotation (1 MiB)", setv("annotations", {"big": "a" * (1 << 20)}))
    case("very long env (256 KiB)", addto("process.env", "BIG=" + "a" * (1 << 18)))
    case("very long cwd (5000)", setv("process.cwd", "/" + "d" * 5000))
    case("long cwd of many short parts", setv("process.cwd", "/d" * 2100))
    case("very long mount destination", addto("mounts", {"destination": "/" + "m" * 5000, "type": "tmpfs", "source": "tmpfs"}))
    case("very long args[0]", setv("process.args", ["/" + "x" * 5000]))
    case("10000 env entries", addto("process.env", *["E%d=%d" % (i, i) for i in range(10000)]))
    case("deep nesting in an unknown field", setv("bogus", raw("[" * 5000 + "]" * 5000)), flags="husk=fail")
    case("empty ociVersion", setv("ociVersion", ""))
    case("ociVersion 2.0.0", setv("ociVersion", "2.0.0"))
    case("ociVersion 0.1", setv("ociVersion", "0.1"))


def process_fields():
    case("args empty", setv("process.args", []))
    case("args [\"\"]", setv("process.args", [""]))
    case("args missing binary", setv("process.args", ["/nonexistent/bin"]))
    case("args relative with a slash", setv("process.args", ["bin/echo", "hi"]))
    case("args ../ binary", setv("process.args", ["../../bin/echo", "hi"]))
    case("args a directory", setv("process.args", ["/tmp"]))
    case("args not executable", setv("process.args", ["/etc/passwd"]))
    case("env without =", addto("process.env", "NOEQUALS"))
    case("env =value", addto("process.env", "=value"))
    case("env empty string", addto("process.env", ""))
    case("env duplicate", addto("process.env", "TERM=a", "TERM=b"))
    case("env PATH empty", setv("process.env", ["PATH="]))
    case("env missing", delv("process.env"), flags="husk=ok")
    case("cwd empty", setv("process.cwd", ""))
    case("cwd relative", setv("process.cwd", "tmp"))
    case("cwd missing field", delv("process.cwd"))
    case("cwd nonexistent", setv("process.cwd", "/nonexistent/dir"))
    case("cwd /..", setv("process.cwd", "/../../.."))
    case("cwd /proc/../tmp", setv("process.cwd", "/proc/../tmp"))
    case("cwd a file", setv("process.cwd", "/etc/passwd"))
    case("cwd // and .", setv("process.cwd", "//tmp/./"))
    case("cwd symlink pointing out (absolute)", setv("process.cwd", "/out"),
         setup='ln -s "$B/outside" rootfs/out')
    case("cwd under a symlink pointing out", setv("process.cwd", "/out/sub"),
         setup='ln -s "$B/outside" rootfs/out')
    case("cwd symlink pointing out (relative ../..)", setv("process.cwd", "/out/sub"),
         setup='ln -s ../../outside rootfs/out')
    case("cwd symlink to /proc/self/cwd", setv("process.cwd", "/w"),
         setup='ln -s /proc/self/cwd rootfs/w', flags="husk=fail")
    case("cwd /proc/self/fd/0", setv("process.cwd", "/proc/self/fd/0"))
    case("user uid 65534", setv("process.user.uid", 65534), setv("process.user.gid", 65534))
    case("user uid 2^32-2", setv("process.user.uid", 2**32 - 2))
    case("user gid 2^32-2", setv("process.user.gid", 2**32 - 2))
    case("additionalGids huge", setv("process.user.additionalGids", [2**32 - 2]))
    case("additionalGids many", setv("process.user.additionalGids", list(range(1, 70000))))
    case("additionalGids duplicate", setv("process.user.additionalGids", [5, 5]))
    case("umask 0", setv("process.user.umask", 0))
    case("umask 0777", setv("process.user.umask", 0o777))
    case("umask 07777", setv("process.user.umask", 0o7777))
    case("umask 2^32-1", setv("process.user.umask", 2**32 - 1))
    case("username set", setv("process.user.username", "nobody"))
    case("user object empty", setv("process.user", {}))
    case("user missing", delv("process.user"))
    case("consoleSize without terminal", setv("process.consoleSize", {"height": 10, "width": 80}))
    case("consoleSize zero", setv("process.consoleSize", {"height": 0, "width": 0}))
    case("consoleSize only width", setv("process.consoleSize", {"width": 80}))
    case("capabilities null: every capability dropped", setv("process.capabilities", None))
    case("capabilities absent: every capability dropped", delv("process.capabilities"))
    case("consoleSize 2^63 without terminal", setv("process.consoleSize", {"height": 2**63, "width": 2**64 - 1}))
    case("capabilities unknown name", setv("process.capabilities.bounding", ["CAP_KILL", "CAP_BOGUS"]))
    case("capabilities lower case", setv("process.capabilities.bounding", ["cap_kill"]))
    case("capabilities without CAP_", setv("process.capabilities.effective", ["KILL"]))
    case("capabilities empty name", setv("process.capabilities.permitted", [""]))
    case("capabilities all empty", setv("process.capabilities", {}))
    case("capabilities effective not in permitted",
         setv("process.capabilities.effective", ["CAP_SYS_ADMIN"]))
    case("capabilities ambient not inheritable",
         setv("process.capabilities.ambient", ["CAP_SYS_ADMIN"]))
    case("capabilities CAP_LAST+1 by number name", setv("process.capabilities.bounding", ["CAP_41"]))
    case("capabilities duplicate", setv("process.capabilities.bounding", ["CAP_KILL", "CAP_KILL"]))
    case("rlimit unknown type", setv("process.rlimits[0].type", "RLIMIT_BOGUS"))
    case("rlimit lower-case type", setv("process.rlimits[0].type", "rlimit_nofile"))
    case("rlimit type without RLIMIT_", setv("process.rlimits[0].type", "NOFILE"))
    case("rlimit empty type", setv("process.rlimits[0].type", ""))
    case("rlimit missing type", delv("process.rlimits[0].type"))
    case("rlimit missing soft", delv("process.rlimits[0].soft"))
    case("rlimit soft > hard", setv("process.rlimits[0].soft", 2048))
    case("rlimit hard above the host's", setv("process.rlimits[0].hard", 2**40), setv("process.rlimits[0].soft", 2**40))
    case("rlimit unlimited (2^64-1)", setv("process.rlimits", [{"type": "RLIMIT_CORE", "soft": 2**64 - 1, "hard": 2**64 - 1}]))
    case("rlimit duplicate", addto("process.rlimits", {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 512}),
         flags="husk=fail")
    case("rlimit NPROC 0", addto("process.rlimits", {"type": "RLIMIT_NPROC", "soft": 0, "hard": 0}))
    case("rlimits empty", setv("process.rlimits", []))
    case("oomScoreAdj 1001", setv("process.oomScoreAdj", 1001))
    case("oomScoreAdj -1001", setv("process.oomScoreAdj", -1001))
    case("oomScoreAdj 1000", setv("process.oomScoreAdj", 1000))
    case("apparmorProfile unknown", setv("process.apparmorProfile", "husk-fuzz-nope"))
    case("selinuxLabel set", setv("process.selinuxLabel", "system_u:system_r:svirt_lxc_net_t:s0"))
    case("noNewPrivileges false", setv("process.noNewPrivileges", False))
    case("process missing", delv("process"))
    case("commandLine set (windows)", setv("process.commandLine", "cmd"))
    # runc run needs a controlling terminal here (open /dev/tty); husk relays
    # a pty of its own (left as is: docs/compat.md)
    case("terminal true without console socket", setv("process.terminal", True), flags="husk-run=ok")


def root_fields():
    case("root missing", delv("root"))
    case("root.path missing", delv("root.path"))
    case("root.path empty", setv("root.path", ""), flags="husk=fail")
    case("root.path nonexistent", setv("root.path", "nope"))
    case("root.path a file", setv("root.path", "rootfs-file"), setup="touch rootfs-file")
    case("root.path ../ outside the bundle (missing)", setv("root.path", "../husk-fuzz-nope"))
    case("root.path rootfs/../rootfs", setv("root.path", "rootfs/../rootfs"))
    case("root.path absolute", setv("root.path", "@B@/rootfs"))
    case("root.path trailing slash", setv("root.path", "rootfs/"))
    case("root.path a symlink to the rootfs", setv("root.path", "rl"), setup="ln -s rootfs rl")
    case("root.path a dangling symlink", setv("root.path", "rl"), setup="ln -s nope rl")
    case("rootfs without /proc dir", setup="rmdir rootfs/proc")
    case("rootfs /proc is a file", setup="rmdir rootfs/proc && touch rootfs/proc")
    case("rootfs /proc a symlink out", setup='rmdir rootfs/proc && ln -s "$B/outside" rootfs/proc')
    case("rootfs /dev is a file", setup="rmdir rootfs/dev && touch rootfs/dev")
    case("rootfs /dev a symlink out", setup='rmdir rootfs/dev && ln -s "$B/outside" rootfs/dev', flags="husk=ok")
    case("rootfs /sys a symlink out", setup='rmdir rootfs/sys && ln -s "$B/outside" rootfs/sys')
    case("rootfs without /bin/sh", setup="rm rootfs/bin/sh")
    case("root.readonly true", setv("root.readonly", True))


def mount_fields():
    t = {"type": "tmpfs", "source": "tmpfs"}

    def m(dest, **kw):
        d = dict(t)
        d.update(kw)
        d["destination"] = dest
        return addto("mounts", d)
    case("mounts empty", setv("mounts", []))
    case("mount destination empty", m(""))
    case("mount destination missing", addto("mounts", {"type": "tmpfs", "source": "tmpfs"}))
    case("mount destination relative", m("mnt"))
    case("mount destination ../../x", m("../../husk-fuzz-x"))
    case("mount destination /../x", m("/../husk-fuzz-x"))
    case("mount destination /", m("/"))
    case("mount tmpfs over /proc", m("/proc"))
    case("mount tmpfs over /dev", m("/dev"))
    case("mount proc over /dev", m("/dev", type="proc", source="proc"))
    case("mount tmpfs over /dev/null", m("/dev/null"))
    case("mount tmpfs over /proc/self", m("/proc/self"))
    case("mount tmpfs over /proc/sys", m("/proc/sys"), flags="husk=fail")
    case("mount tmpfs over /sys", m("/sys"))
    case("mount sysfs on /proc", m("/proc", type="sysfs", source="sysfs"))
    case("mount proc twice", m("/proc2", type="proc", source="proc"))
    case("mount over a file in rootfs", m("/etc/passwd"))
    case("mount type missing, not a bind", addto("mounts", {"destination": "/mnt", "source": "x"}),
         flags="husk=fail")
    case("mount type empty", m("/mnt", type=""))
    case("mount type unknown", m("/mnt", type="husk-nofs"))
    case("mount unknown option", m("/mnt", options=["husk-bogus"]))
    case("mount unknown option with =", m("/mnt", options=["husk=bogus"]))
    case("mount option empty string", m("/mnt", options=[""]))
    case("mount options ro,rw", m("/mnt", options=["ro", "rw"]))
    case("mount tmpfs size=-1", m("/mnt", options=["size=-1"]))
    case("mount tmpfs mode=banana", m("/mnt", options=["mode=banana"]))
    case("mount bind source missing", m("/mnt", type="bind", source="/nonexistent", options=["bind"]))
    case("mount bind source relative (missing)", m("/mnt", type="none", source="husk-nope", options=["rbind"]))
    case("mount bind source relative to the bundle", m("/mnt", type="none", source="outside", options=["rbind"]))
    case("mount bind of a file onto a dir", m("/tmp", type="none", source="@B@/outside/.keep", options=["bind"]))
    case("mount bind of a dir onto a file", m("/etc/passwd", type="none", source="@B@/outside", options=["bind"]))
    case("mount bind with ro,nosuid,nodev", m("/mnt", type="none", source="@B@/outside", options=["rbind", "ro", "nosuid", "nodev"]))
    case("mount bind propagation shared", m("/mnt", type="none", source="@B@/outside", options=["rbind", "rshared"]))
    case("mount propagation word on a tmpfs", m("/mnt", options=["rprivate"]))
    case("mount destination symlink out (absolute)", m("/mnt"),
         setup='ln -s "$B/outside" rootfs/mnt')
    case("mount destination symlink out (relative)", m("/mnt"),
         setup='ln -s ../../outside rootfs/mnt')
    case("mount destination under a symlink out", m("/mnt/sub/deeper"),
         setup='ln -s "$B/outside" rootfs/mnt')
    case("mount destination symlink loop", m("/mnt"), setup="ln -s mnt rootfs/mnt")
    case("mount destination dangling symlink", m("/mnt"), setup="ln -s /nowhere/x rootfs/mnt")
    case("mount destination through .. and a symlink", m("/lnk/../../mnt"),
         setup='ln -s "$B/outside" rootfs/lnk', flags="husk=ok")
    case("mount destination symlink to /proc", m("/mnt"), setup="ln -s /proc rootfs/mnt")
    case("mount bind source symlink", m("/mnt", type="none", source="@B@/srclink", options=["rbind"]),
         setup='ln -s outside srclink')
    case("mount with uidMappings without userns", m("/mnt", uidMappings=[{"containerID": 0, "hostID": 0, "size": 1}]))
    case("mount options a string", m("/mnt", options="ro"))
    case("mount with 100 tmpfs", *[m("/m%d" % i) for i in range(100)])
    case("mount cgroup2 on a v1 host", m("/mnt", type="cgroup2", source="cgroup2"))
    case("mount mqueue twice", m("/dev/mqueue", type="mqueue", source="mqueue"))
    case("mount /dev dropped", mountdrop("/dev"))
    case("mount /proc dropped", mountdrop("/proc"))
    case("mount /dev dropped and /dev/null a symlink out", mountdrop("/dev"),
         setup='ln -s "$B/outside/null" rootfs/dev/null', flags="husk=fail")
    case("mount /dev dropped and /dev/pts a symlink out", mountdrop("/dev"),
         setup='ln -s "$B/outside" rootfs/dev/pts')
    case("mount /dev dropped and /dev/ptmx a symlink out", mountdrop("/dev"),
         setup='ln -s "$B/outside/ptmx" rootfs/dev/ptmx')
    case("mount /dev dropped and /dev/fd a symlink", mountdrop("/dev"),
         setup='ln -s "$B/outside" rootfs/dev/fd')


def hook_fields():
    case("hook prestart path missing", setv("hooks", {"prestart": [{"path": "/nonexistent/hook"}]}))
    case("hook prestart path empty", setv("hooks", {"prestart": [{"path": ""}]}))
    case("hook prestart path field absent", setv("hooks", {"prestart": [{"args": ["x"]}]}))
    case("hook prestart relative path (missing)", setv("hooks", {"prestart": [{"path": "husk-nohook"}]}))
    case("hook prestart ../ path", setv("hooks", {"prestart": [{"path": "../../../../bin/true"}]}))
    case("hook prestart timeout 0", setv("hooks", {"prestart": [{"path": "/bin/true", "timeout": 0}]}),
         flags="husk=fail")
    case("hook prestart timeout -1", setv("hooks", {"prestart": [{"path": "/bin/true", "timeout": -1}]}),
         flags="husk=fail")
    case("hook prestart timeout 1, hook sleeps 3", setv("hooks", {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "3"], "timeout": 1}]}))
    case("hook prestart fails", setv("hooks", {"prestart": [{"path": "/bin/false"}]}))
    case("hook poststop missing path", setv("hooks", {"poststop": [{"path": "/nonexistent/hook"}]}))
    case("hook poststart fails", setv("hooks", {"poststart": [{"path": "/bin/false"}]}), flags="husk=ok")
    case("hook poststop timeout 0", setv("hooks", {"poststop": [{"path": "/bin/true", "timeout": 0}]}),
         flags="husk=fail")
    case("hook createRuntime a directory", setv("hooks", {"createRuntime": [{"path": "/tmp"}]}))
    case("hook startContainer missing in rootfs", setv("hooks", {"startContainer": [{"path": "/nonexistent"}]}))
    case("hook createContainer missing in rootfs", setv("hooks", {"createContainer": [{"path": "/nonexistent"}]}))
    case("hook unknown kind", setv("hooks", {"bogusHook": [{"path": "/nonexistent"}]}))
    case("hook args of numbers", setv("hooks", {"prestart": [{"path": "/bin/true", "args": [1]}]}))
    case("hook env without =", setv("hooks", {"prestart": [{"path": "/bin/true", "env": ["X"]}]}))
    case("hooks empty arrays", setv("hooks", {"prestart": [], "poststop": []}))


def annotation_fields():
    case("annotations empty key", setv("annotations", {"": "x"}))
    case("annotations number value", setv("annotations", {"a": 1}))
    case("annotations null value", setv("annotations", {"a": None}))
    case("annotations many", setv("annotations", {"k%d" % i: "v" for i in range(5000)}))
    case("annotations systemd property without systemd", setv("annotations", {"org.systemd.property.CPUWeight": "100"}))
    case("annotations odd key characters", setv("annotations", {"../../x": "y", "a b": "c", "\u00e9": "\u00e8"}))


def linux_fields():
    case("namespace listed twice", addto("linux.namespaces", {"type": "pid"}))
    case("namespace mount listed twice", addto("linux.namespaces", {"type": "mount"}))
    case("namespace empty type", addto("linux.namespaces", {"type": ""}))
    case("namespace type missing", addto("linux.namespaces", {"path": "/proc/self/ns/net"}))
    case("namespace upper case type", setv("linux.namespaces[0].type", "PID"))
    case("namespace path nonexistent", setv("linux.namespaces[1].path", "/nonexistent/ns"))
    case("namespace path relative", setv("linux.namespaces[1].path", "ns/net"))
    case("namespace path a regular file", setv("linux.namespaces[1].path", "/etc/hostname"))
    case("namespace path of the wrong type", setv("linux.namespaces[1].path", "/proc/self/ns/ipc"))
    case("namespace path empty", setv("linux.namespaces[1].path", ""))
    case("namespace path a directory", setv("linux.namespaces[1].path", "/proc/self/ns"))
    case("namespace cgroup", addto("linux.namespaces", {"type": "cgroup"}))
    case("namespace pid dropped", nsdrop("pid"))
    case("namespace ipc dropped", nsdrop("ipc"))
    case("namespace uts dropped (hostname set)", nsdrop("uts"))
    case("namespace mount dropped (masks set)", nsdrop("mount"))
    case("namespace user without mappings", addto("linux.namespaces", {"type": "user"}))
    case("user ns mapping size 0", usermap, setv("linux.uidMappings[0].size", 0))
    case("user ns mapping hostID 2^32", usermap, setv("linux.uidMappings[0].hostID", 2**32))
    case("user ns mapping negative", usermap, setv("linux.gidMappings[0].containerID", -1))
    # run's stdio pipes for a user namespace were left open when create failed
    case("user ns mappings overlap", usermap, addto("linux.uidMappings", {"containerID": 0, "hostID": 200000, "size": 10}),
         flags="fd")
    case("user ns mapping without root", usermap, setv("linux.uidMappings[0].containerID", 1))
    case("user ns mapping huge size", usermap, setv("linux.uidMappings[0].size", 2**32 - 1))
    case("uid mappings without user ns", setv("linux.uidMappings", [{"containerID": 0, "hostID": 100000, "size": 65536}]))
    case("uid mappings empty object", usermap, setv("linux.uidMappings", [{}]))
    case("time namespace with offsets, runc 1.1 unknown", addto("linux.namespaces", {"type": "time"}),
         flags="husk=ok")

    def dev(**kw):
        d = {"type": "c", "path": "/dev/fuzz0", "major": 1, "minor": 3, "fileMode": 438}
        d.update(kw)
        return addto("linux.devices", d)
    case("device bad type", dev(type="x"))
    case("device type u", dev(type="u"))
    case("device type p (fifo)", dev(type="p", major=0, minor=0))
    case("device type b", dev(type="b", major=7, minor=0))
    case("device type empty", dev(type=""))
    case("device type missing", lambda c: c["linux"].setdefault("devices", []).append({"path": "/dev/fuzz0", "major": 1, "minor": 3}))
    case("device path empty", dev(path=""))
    case("device path missing", lambda c: c["linux"].setdefault("devices", []).append({"type": "c", "major": 1, "minor": 3}))
    case("device path relative", dev(path="fuzzrel"))
    case("device path outside /dev", dev(path="/tmp/fuzzdev"))
    case("device path with ..", dev(path="/dev/../../husk-fuzz-dev"))
    case("device path /dev/null again", dev(path="/dev/null"), flags="husk=ok")
    case("device path /dev", dev(path="/dev"))
    case("device path /dev/pts/x", dev(path="/dev/pts/fuzz"))
    case("device path through a symlink out", dev(path="/lnk/fuzzdev"),
         setup='ln -s "$B/outside" rootfs/lnk')
    case("device path a deep new dir", dev(path="/dev/a/b/c/fuzz"))
    case("device major negative", dev(major=-1))
    case("device major 2^32", dev(major=2**32), flags="husk=fail")
    case("device major 4096", dev(major=4096), flags="husk=fail")
    case("device minor 2^20", dev(minor=2**20), flags="husk=fail")
    case("device major and minor absent", lambda c: c["linux"].setdefault("devices", []).append({"type": "c", "path": "/dev/fuzz0"}))
    case("device fileMode 07777", dev(fileMode=0o7777))
    case("device fileMode with the type bits", dev(fileMode=0o20666))
    case("device uid huge", dev(uid=2**32 - 2, gid=2**32 - 2))
    case("device uid negative", dev(uid=-1))
    case("device rule bad type", setv("linux.resources.devices", [{"allow": False, "access": "rwm"}, {"allow": True, "type": "x", "access": "rwm"}]))
    case("device rule major string", addto("linux.resources.devices", {"allow": True, "type": "c", "major": "1", "access": "r"}))
    case("device rule access rwmx", addto("linux.resources.devices", {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwmx"}))
    case("device rule access empty", addto("linux.resources.devices", {"allow": True, "type": "c", "major": 1, "minor": 3, "access": ""}), flags="husk=ok")
    case("device rule allow all", setv("linux.resources.devices", [{"allow": True, "access": "rwm"}]))
    case("device rule major -1 (wildcard)", addto("linux.resources.devices", {"allow": True, "type": "c", "major": -1, "minor": -1, "access": "m"}))
    case("device rule major -2", addto("linux.resources.devices", {"allow": True, "type": "c", "major": -2, "access": "m"}))
    case("device rule type a", addto("linux.resources.devices", {"allow": True, "type": "a", "access": "r"}))
    case("device rule allow string", addto("linux.resources.devices", {"allow": "true", "access": "r"}))

    case("cgroupsPath relative", setv("linux.cgroupsPath", "husk-fuzz-@ID@"))
    case("cgroupsPath absolute", setv("linux.cgroupsPath", "/husk-fuzz-@ID@"))
    # runc is not run on these (husk=fail): it takes them as the root cgroup,
    # joins it, and its cleanup removes every empty cgroup of the host's
    case("cgroupsPath with ..", setv("linux.cgroupsPath", "/husk-fuzz-@ID@/../.."), flags="husk=fail")
    case("cgroupsPath /", setv("linux.cgroupsPath", "/"), flags="husk=fail")
    case("cgroupsPath //x//", setv("linux.cgroupsPath", "//husk-fuzz-@ID@//"))
    case("cgroupsPath slice:prefix:name", setv("linux.cgroupsPath", "system.slice:husk:@ID@"), flags="husk=fail")
    case("cgroupsPath with a NUL", setv("linux.cgroupsPath", "/husk-fuzz-@ID@\u0000x"))
    case("cgroupsPath of a cgroup file name", setv("linux.cgroupsPath", "/husk-fuzz-@ID@/cgroup.procs"))

    case("resources unknown field", setv("linux.resources.bogus", {"x": 1}))
    case("memory limit -1", setv("linux.resources.memory", {"limit": -1}))
    case("memory limit 1 byte", setv("linux.resources.memory", {"limit": 1}))
    case("memory limit 0", setv("linux.resources.memory", {"limit": 0}))
    case("memory swap below limit", setv("linux.resources.memory", {"limit": 1 << 30, "swap": 1 << 20}))
    case("memory kernel set", setv("linux.resources.memory", {"kernel": 1 << 30}))
    case("memory swappiness 101", setv("linux.resources.memory", {"swappiness": 101}))
    case("memory swappiness 2^64-1", setv("linux.resources.memory", {"swappiness": 2**64 - 1}))
    case("cpu shares 1", setv("linux.resources.cpu", {"shares": 1}))
    case("cpu shares 2^64-1", setv("linux.resources.cpu", {"shares": 2**64 - 1}))
    case("cpu quota without period", setv("linux.resources.cpu", {"quota": 50000}))
    case("cpu period 1", setv("linux.resources.cpu", {"quota": 50000, "period": 1}))
    case("cpu cpus bad list", setv("linux.resources.cpu", {"cpus": "banana"}))
    case("cpu cpus out of range", setv("linux.resources.cpu", {"cpus": "0-4095"}))
    case("cpu mems bad", setv("linux.resources.cpu", {"mems": "x"}))
    case("cpu realtimeRuntime", setv("linux.resources.cpu", {"realtimeRuntime": 1000}))
    case("pids limit 0", setv("linux.resources.pids", {"limit": 0}))
    case("pids limit -1", setv("linux.resources.pids", {"limit": -1}))
    case("pids limit 1", setv("linux.resources.pids", {"limit": 1}))
    case("blkio weight 5", setv("linux.resources.blockIO", {"weight": 5}))
    case("blkio weight 2000", setv("linux.resources.blockIO", {"weight": 2000}))
    case("blkio weightDevice bad", setv("linux.resources.blockIO", {"weightDevice": [{"major": 8, "minor": 0, "weight": 5000}]}))
    case("blkio throttle nonexistent device", setv("linux.resources.blockIO", {"throttleReadBpsDevice": [{"major": 250, "minor": 250, "rate": 1000}]}))
    case("hugepage limit bad size", setv("linux.resources.hugepageLimits", [{"pageSize": "3MB", "limit": 0}]))
    case("hugepage limit empty size", setv("linux.resources.hugepageLimits", [{"pageSize": "", "limit": 0}]))
    case("network classID", setv("linux.resources.network", {"classID": 1}))
    case("unified on a v1 host", setv("linux.resources.unified", {"memory.max": "max"}))
    case("unified with a path", setv("linux.resources.unified", {"../x": "1"}))

    case("sysctl a number value", setv("linux.sysctl", {"net.ipv4.ip_forward": 1}))
    case("sysctl net in netns", setv("linux.sysctl", {"net.ipv4.ip_forward": "1"}))
    case("sysctl slash form", setv("linux.sysctl", {"net/ipv4/ip_forward": "1"}))
    case("sysctl with ..", setv("linux.sysctl", {"net.ipv4.../../../kernel.hostname": "x"}))
    case("sysctl not namespaced", setv("linux.sysctl", {"fs.file-max": "100000"}))
    case("sysctl kernel.hostname", setv("linux.sysctl", {"kernel.hostname": "fuzz"}))
    case("sysctl kernel.domainname", setv("linux.sysctl", {"kernel.domainname": "fuzz"}))
    case("sysctl ipc bad value", setv("linux.sysctl", {"kernel.msgmax": "banana"}))
    case("sysctl empty key", setv("linux.sysctl", {"": "1"}))
    case("sysctl ipc without ipc ns", nsdrop("ipc"), setv("linux.sysctl", {"kernel.msgmax": "8192"}))
    case("sysctl net without net ns", nsdrop("network"), setv("linux.sysctl", {"net.ipv4.ip_forward": "0"}))

    def sc(**kw):
        d = {"defaultAction": "SCMP_ACT_ALLOW"}
        d.update(kw)
        return setv("linux.seccomp", d)
    case("seccomp unknown default action", sc(defaultAction="SCMP_ACT_BOGUS"))
    case("seccomp default action missing", sc(defaultAction=None))
    case("seccomp unknown syscall", sc(syscalls=[{"names": ["husk_nosuchcall"], "action": "SCMP_ACT_ERRNO"}]))
    case("seccomp unknown and known syscall", sc(syscalls=[{"names": ["husk_nosuchcall", "mknodat"], "action": "SCMP_ACT_ERRNO"}]))
    case("seccomp empty syscall name", sc(syscalls=[{"names": [""], "action": "SCMP_ACT_ERRNO"}]))
    case("seccomp unknown action", sc(syscalls=[{"names": ["mknodat"], "action": "SCMP_ACT_BOGUS"}]))
    case("seccomp action missing", sc(syscalls=[{"names": ["mknodat"]}]))
    case("seccomp unknown op", sc(syscalls=[{"names": ["mknodat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_BOGUS"}]}]))
    case("seccomp arg index 6", sc(syscalls=[{"names": ["mknodat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 0, "op": "SCMP_CMP_EQ"}]}]))
    case("seccomp arg op missing", sc(syscalls=[{"names": ["mknodat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 0}]}]))
    case("seccomp unknown architecture", sc(architectures=["SCMP_ARCH_BOGUS"]))
    case("seccomp architecture x32 only", sc(architectures=["SCMP_ARCH_X32"]))
    case("seccomp errnoRet on ALLOW", sc(syscalls=[{"names": ["mknodat"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}]))
    case("seccomp defaultErrnoRet on ALLOW", sc(defaultErrnoRet=1))
    case("seccomp listenerPath without notify", sc(listenerPath="/nonexistent.sock"))
    case("seccomp notify without listenerPath", sc(syscalls=[{"names": ["mknodat"], "action": "SCMP_ACT_NOTIFY"}]))
    case("seccomp unknown flag", sc(flags=["SECCOMP_FILTER_FLAG_BOGUS"]))
    # every syscall denied, exit_group too: under ASan the init spins in the
    # sanitizer's runtime (nosan: skipped there)
    case("seccomp default action KILL on write-less profile", sc(defaultAction="SCMP_ACT_ERRNO", syscalls=[]),
         flags="nosan")
    case("seccomp rule equal to the default action", sc(syscalls=[{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]))
    case("seccomp names empty array", sc(syscalls=[{"names": [], "action": "SCMP_ACT_ERRNO"}]))
    case("seccomp names a string", sc(syscalls=[{"names": "mknodat", "action": "SCMP_ACT_ERRNO"}]))
    case("seccomp errnoRet huge", sc(syscalls=[{"names": ["mknodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 2**32 - 1}]))

    for key in ["maskedPaths", "readonlyPaths"]:
        case("%s relative" % key, setv("linux." + key, ["proc/kcore"]))
        case("%s empty string" % key, setv("linux." + key, [""]))
        case("%s nonexistent" % key, setv("linux." + key, ["/nonexistent/x"]))
        case("%s /" % key, setv("linux." + key, ["/"]))
        case("%s with .." % key, setv("linux." + key, ["/proc/../../../etc"]))
        case("%s a symlink out" % key, setv("linux." + key, ["/etc/lnk"]),
             setup='echo secret >"$B/outside/secret" && ln -s "$B/outside/secret" rootfs/etc/lnk')
        case("%s a relative symlink out" % key, setv("linux." + key, ["/etc/lnk"]),
             setup='echo secret >"$B/outside/secret" && ln -s ../../outside/secret rootfs/etc/lnk')
        case("%s under a symlink out" % key, setv("linux." + key, ["/lnk/sub"]),
             setup='mkdir "$B/outside/sub" && ln -s "$B/outside" rootfs/lnk')
        case("%s /proc/self/root" % key, setv("linux." + key, ["/proc/self/root"]))
        case("%s /dev/null" % key, setv("linux." + key, ["/dev/null"]))

    case("rootfsPropagation bogus", setv("linux.rootfsPropagation", "bogus"))
    case("rootfsPropagation private", setv("linux.rootfsPropagation", "private"))
    case("rootfsPropagation empty", setv("linux.rootfsPropagation", ""))
    case("mountLabel without SELinux", setv("linux.mountLabel", "system_u:object_r:x:s0"),
         flags="husk=ok")
    case("intelRdt closID", setv("linux.intelRdt", {"closID": "husk-fuzz"}))
    case("personality (spec 1.1)", setv("linux.personality", {"domain": "LINUX32"}), flags="husk=ok")
    case("linux missing", delv("linux"))
    case("linux empty", setv("linux", {}))
    case("hostname empty", setv("hostname", ""))
    case("hostname missing", delv("hostname"))
    case("hostname with a slash and spaces", setv("hostname", "a/b c"))
    case("domainname (spec 1.1)", setv("domainname", "fuzz.example"), flags="husk=ok")


def main():
    base_path, outdir = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    with open(base_path) as f:
        base = json.load(f)
    type_matrix()
    json_text()
    process_fields()
    root_fields()
    mount_fields()
    hook_fields()
    annotation_fields()
    linux_fields()
    # two at a time: pairs drawn with SEED from the cases without a rootfs setup
    rng = random.Random(seed)
    singles = [c for c in CASES if not c[3] and not c[2]]
    for _ in range(40 if FULL else 25):
        a, b = rng.sample(singles, 2)
        CASES.append(("%s + %s" % (a[0], b[0]), a[1] + b[1], "", None))
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "cases"), "w") as lst:
        for i, (name, muts, flags, setup) in enumerate(CASES):
            cfg = copy.deepcopy(base)
            bom = False
            for mu in muts:
                mu(cfg)
            if "\x00BOM" in cfg:
                del cfg["\x00BOM"]
                bom = True
            text = dump(cfg)
            if bom:
                text = b"\xef\xbb\xbf" + text
            nnn = "%03d" % i
            with open(os.path.join(outdir, nnn + ".json"), "wb") as f:
                f.write(text)
            if setup:
                with open(os.path.join(outdir, nnn + ".setup"), "w") as f:
                    f.write(setup + "\n")
            # "create" for one case in eight (five): create, then delete -f
            fl = [x for x in flags.split(",") if x]
            if i % (5 if FULL else 8) == 0:
                fl.append("create")
            lst.write("%s\t%s\t%s\n" % (nnn, ",".join(fl) or "-", name.replace("\t", " ")))
    print(len(CASES))



if __name__ == "__main__":
    main()
