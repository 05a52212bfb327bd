/* linux.sysctl, classified and checked as runc's validator does
 * (libcontainer/configs/validate: sysctl), and written only through procfs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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

/* runc's isHostNetNS: "host" means the caller's network namespace. */
static int is_own_netns(const char *path, bool *own, struct husk_error *err)
{
	struct stat a, b;

	if (stat("/proc/self/ns/net", &a) < 0)
		return husk_error_sys(err, -errno, "linux.sysctl: stat /proc/self/ns/net");
	if (stat(path, &b) < 0)
		return husk_error_sys(err, -errno, "linux.sysctl: invalid netns path: stat %s", path);
	*own = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return 0;
}

int sysctl_check(const struct husk_spec *s, struct husk_error *err)
{
	const struct husk_namespace *net = husk_spec_namespace(s, CLONE_NEWNET);

	for (size_t i = 0; i < s->linux_.sysctl.n; i++) {
		_cleanup_free_ char *k = sysctl_dotted(s->linux_.sysctl.v[i].key);
		bool own = !net;

		switch (sysctl_classify(k)) {
		case SYSCTL_IPC:
			if (husk_spec_namespace(s, CLONE_NEWIPC))
				continue;
			return husk_error_set(err, -EINVAL,
					      "linux.sysctl: \"%s\" is not allowed in the host's ipc namespace", k);
		case SYSCTL_NET:
			if (net && net->path && is_own_netns(net->path, &own, err) < 0)
				return err->code;
			if (!own)
				continue;
			return husk_error_set(err, -EINVAL,
					      "linux.sysctl: \"%s\" is not allowed in the host's network namespace", k);
		case SYSCTL_UTS:
			if (husk_spec_namespace(s, CLONE_NEWUTS))
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
