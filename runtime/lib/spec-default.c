/* The config.json `husk spec` writes: runc's defaults, so bundles made for one
 * work with the other. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "husk/husk.h"
#include "internal.h"

static json_t *mount(const char *dest, const char *type, const char *source, json_t *options)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "destination", dest, "type", type, "source", source);

	if (options)
		json_object_set_new(m, "options", options);
	return m;
}

static json_t *default_doc(bool with_seccomp)
{
	json_t *caps = json_pack("[s, s, s]", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
	json_t *doc, *mounts, *linux_;

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
	return doc;
}

static char *dump(json_t *doc)
{
	char *out = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);

	json_decref(doc);
	if (!out)
		abort();
	return out;
}

char *husk_spec_default_json(bool with_seccomp)
{
	return dump(default_doc(with_seccomp));
}

/* runc's specconv.ToRootless: a user namespace (instead of the network one)
 * mapping root to the caller, /sys as a read-only rbind (sysfs needs a
 * network namespace the user owns), no uid=/gid= mount options (ids the
 * namespace does not map), no resources (an unprivileged user cannot write
 * cgroups) */
static void to_rootless(json_t *doc, uid_t uid, gid_t gid)
{
	json_t *linux_ = json_object_get(doc, "linux"), *ns = json_array(), *mounts = json_array(), *m, *opts;
	size_t i, j;

	json_array_foreach(json_object_get(linux_, "namespaces"), i, m) {
		const char *type = json_string_value(json_object_get(m, "type"));
		if (strcmp(type, "network") && strcmp(type, "user"))
			json_array_append(ns, m);
	}
	json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
	json_object_set_new(linux_, "namespaces", ns);
	json_object_set_new(linux_, "uidMappings", json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)uid, "size", 1));
	json_object_set_new(linux_, "gidMappings", json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)gid, "size", 1));
	json_object_del(linux_, "resources");
	json_array_foreach(json_object_get(doc, "mounts"), i, m) {
		json_t *kept = json_array(), *o;
		if (!strcmp(json_string_value(json_object_get(m, "destination")), "/sys")) {
			json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}", "destination", "/sys",
								"type", "none", "source", "/sys", "options", "rbind",
								"nosuid", "noexec", "nodev", "ro"));
			json_decref(kept);
			continue;
		}
		opts = json_object_get(m, "options");
		json_array_foreach(opts, j, o)
			if (strncmp(json_string_value(o), "gid=", 4) && strncmp(json_string_value(o), "uid=", 4))
				json_array_append(kept, o);
		if (opts)
			json_object_set_new(m, "options", kept);
		else
			json_decref(kept);
		json_array_append(mounts, m);
	}
	json_object_set_new(doc, "mounts", mounts);
}

char *husk_spec_rootless_json(bool with_seccomp, uid_t uid, gid_t gid)
{
	json_t *doc = default_doc(with_seccomp);

	to_rootless(doc, uid, gid);
	return dump(doc);
}
