/* linux.sysctl, classified and checked as runc's validator does
 * (libcontainer/configs/validate: sysctl), and written only through procfs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "internal.h"
#include "util.h"

char *sysctl_dotted(const char *key)
{
	size_t sep = strcspn(key, "./");
	char *out = xstrdup(key);

	if (!key[sep] || key[sep] == '.')
		return out;
	for (char *p = out; *p; p++)
		*p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
	return out;
}

char *sysctl_path(const char *key)
{
	size_t sep = strcspn(key, "./");
	char *out = xstrdup(key);

	if (key[sep] == '/')
		return out; /* already a path; a '.' in it is part of a name */
	for (char *p = out; *p; p++)
		if (*p == '.')
			*p = '/';
	return out;
}

enum sysctl_class sysctl_classify(const char *k)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
					  "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
					  "kernel.shm_rmid_forced"};

	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		if (!strcmp(k, ipc[i]))
			return SYSCTL_IPC;
	if (!strncmp(k, "fs.mqueue.", 10))
		return SYSCTL_IPC;
	if (!strncmp(k, "net.", 4))
		return SYSCTL_NET;
	if (!strcmp(k, "kernel.domainname"))
		return SYSCTL_UTS;
	if (!strcmp(k, "kernel.hostname"))
		return SYSCTL_HOSTNAME;
	return SYSCTL_HOST;
}

/* Whether the spec gives a namespace of the type its own, as a sysctl of
 * that type needs: a new one, or a path that is not the caller's namespace.
 * runc checks the path only for net (isHostNetNS); a joined ipc or uts path
 * that is the caller's own would write the host's value just the same, so
 * husk checks all three (docs/compat.md). */
static int separate_ns(const struct husk_spec *s, int type, const char *name, bool *sep, struct husk_error *err)
{
	const struct husk_namespace *ns = husk_spec_namespace(s, type);
	char self[32];
	struct stat a, b;

	*sep = ns != NULL;
	if (!ns || !ns->path)
		return 0;
	snprintf(self, sizeof(self), "/proc/self/ns/%s", name);
	if (stat(self, &a) < 0)
		return husk_error_sys(err, -errno, "linux.sysctl: stat %s", self);
	if (stat(ns->path, &b) < 0)
		return husk_error_sys(err, -errno, "linux.sysctl: invalid %s namespace path: stat %s", name, ns->path);
	*sep = a.st_dev != b.st_dev || a.st_ino != b.st_ino;
	return 0;
}

int sysctl_check(const struct husk_spec *s, struct husk_error *err)
{
	for (size_t i = 0; i < s->linux_.sysctl.n; i++) {
		_cleanup_free_ char *k = sysctl_dotted(s->linux_.sysctl.v[i].key);
		bool sep;

		switch (sysctl_classify(k)) {
		case SYSCTL_IPC:
			if (separate_ns(s, CLONE_NEWIPC, "ipc", &sep, err) < 0)
				return err->code;
			if (sep)
				continue;
			return husk_error_set(err, -EINVAL,
					      "linux.sysctl: \"%s\" is not allowed in the host's ipc namespace", k);
		case SYSCTL_NET:
			if (separate_ns(s, CLONE_NEWNET, "net", &sep, err) < 0)
				return err->code;
			if (sep)
				continue;
			return husk_error_set(err, -EINVAL,
					      "linux.sysctl: \"%s\" is not allowed in the host's network namespace", k);
		case SYSCTL_UTS:
			if (separate_ns(s, CLONE_NEWUTS, "uts", &sep, err) < 0)
				return err->code;
			if (sep)
				continue;
			break;
		case SYSCTL_HOSTNAME:
			if (husk_spec_namespace(s, CLONE_NEWUTS))
				return husk_error_set(err, -EINVAL,
						      "linux.sysctl: \"%s\" is not allowed: it conflicts with \"hostname\"", k);
			break;
		case SYSCTL_HOST:
			break;
		}
		return husk_error_set(err, -EINVAL, "linux.sysctl: \"%s\" is not in a separate kernel namespace", k);
	}
	return 0;
}

int sysctl_write_all(const struct husk_kvv *sysctl, struct husk_error *err)
{
	for (size_t i = 0; i < sysctl->n; i++) {
		const char *key = sysctl->v[i].key, *value = sysctl->v[i].value;
		_cleanup_free_ char *rel = sysctl_path(key);
		_cleanup_free_ char *path = xasprintf("/proc/sys/%s", rel);
		_cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
		struct statfs fs;
		int r;

		if (fd < 0)
			return husk_error_sys(err, -errno, "sysctl %s: open %s", key, path);
		if (fstatfs(fd, &fs) < 0)
			return husk_error_sys(err, -errno, "sysctl %s: statfs %s", key, path);
		if (fs.f_type != PROC_SUPER_MAGIC)
			return husk_error_set(err, -EPERM, "sysctl %s: %s is not on procfs", key, path);
		r = write_full(fd, value, strlen(value));
		if (r < 0)
			return husk_error_sys(err, r, "sysctl %s: write %s", key, path);
	}
	return 0;
}
