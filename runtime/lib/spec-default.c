/* The config.json `husk spec` writes: runc's defaults, so bundles made for one
 * work with the other. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <jansson.h>
#include <stdlib.h>

#include "husk/husk.h"
#include "internal.h"

static json_t *mount(const char *dest, const char *type, const char *source, json_t *options)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "destination", dest, "type", type, "source", source);

	if (options)
		json_object_set_new(m, "options", options);
	return m;
}

char *husk_spec_default_json(bool with_seccomp)
{
	json_t *caps = json_pack("[s, s, s]", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
	json_t *doc, *mounts, *linux_;
	char *out;

	mounts = json_pack("[o, o, o, o, o, o, o]",
		mount("/proc", "proc", "proc", NULL),
		mount("/dev", "tmpfs", "tmpfs", json_pack("[s, s, s, s]", "nosuid", "strictatime", "mode=755", "size=65536k")),
		mount("/dev/pts", "devpts", "devpts", json_pack("[s, s, s, s, s, s]", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
		mount("/dev/shm", "tmpfs", "shm", json_pack("[s, s, s, s, s]", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
		mount("/dev/mqueue", "mqueue", "mqueue", json_pack("[s, s, s]", "nosuid", "noexec", "nodev")),
		mount("/sys", "sysfs", "sysfs", json_pack("[s, s, s, s]", "nosuid", "noexec", "nodev", "ro")),
		mount("/sys/fs/cgroup", "cgroup", "cgroup", json_pack("[s, s, s, s, s]", "nosuid", "noexec", "nodev", "relatime", "ro")));
	linux_ = json_pack(
		"{s:{s:[{s:b, s:s}]}, s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}], s:[s, s, s, s, s, s, s, s, s, s], s:[s, s, s, s, s]}",
		"resources", "devices", "allow", 0, "access", "rwm",
		"namespaces", "type", "pid", "type", "network", "type", "ipc", "type", "uts", "type", "mount",
		"maskedPaths", "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
		"readonlyPaths", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
	doc = json_pack(
		"{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:{s:O, s:O, s:O, s:O}, s:[{s:s, s:i, s:i}], s:b},"
		" s:{s:s, s:b}, s:s, s:o, s:o}",
		/* runc's string: older runtimes (crun 1.8) refuse a 1.2 document */
		"ociVersion", "1.0.2-dev",
		"process", "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "cwd", "/",
		"capabilities", "bounding", caps, "effective", caps, "permitted", caps, "ambient", caps,
		"rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1,
		"root", "path", "rootfs", "readonly", 1,
		"hostname", "husk", "mounts", mounts, "linux", linux_);
	json_decref(caps);
	if (!doc)
		abort();
	if (with_seccomp)
		json_object_set_new(linux_, "seccomp", husk_default_seccomp());
	out = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!out)
		abort();
	return out;
}
