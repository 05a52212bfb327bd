/* /sys/fs/cgroup inside the container on a pure cgroup v2 host, as runc and
 * crun make it: a cgroup2 mount, which a cgroup namespace roots at the
 * container's cgroup (the init unshares it before the rootfs is built);
 * where the kernel refuses a new cgroup2 mount (a user namespace without a
 * cgroup namespace), a bind of the container's cgroup (with a cgroup
 * namespace) or of the whole hierarchy (without), as runc falls back. The
 * mount's options decide ro/rw, nosuid, nodev, noexec. The v1 layout (a
 * tmpfs with each hierarchy's cgroup bound in) stays in rootfs.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "internal.h"
#include "rootfs.h"
#include "util.h"

bool rootfs_cgroup_v2_only(const struct rootfs_ctx *c)
{
	struct cgroup_hier *h;
	size_t n;
	bool v2 = false;

	if (!c->cgroup_dirs || c->cgroup_dirs->n != 1 || cgroup_hierarchies(&h, &n) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (h[i].v2 && !strncmp(c->cgroup_dirs->v[0], h[i].mountpoint, strlen(h[i].mountpoint)))
			v2 = true;
	cgroup_hierarchies_free(h, n);
	return v2;
}

/* The hierarchy's mountpoint on the host: the container's dir minus its path. */
static char *v2_mountpoint(const char *dir)
{
	struct cgroup_hier *h;
	size_t n;
	char *out = NULL;

	if (cgroup_hierarchies(&h, &n) < 0)
		return NULL;
	for (size_t i = 0; !out && i < n; i++)
		if (h[i].v2 && !strncmp(dir, h[i].mountpoint, strlen(h[i].mountpoint)))
			out = xstrdup(h[i].mountpoint);
	cgroup_hierarchies_free(h, n);
	return out;
}

int rootfs_mount_cgroup2(const struct rootfs_ctx *c, int dst, const char *dest, unsigned long flags,
			 bool *bound, struct husk_error *err)
{
	const unsigned long keep = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_NOATIME |
				   MS_STRICTATIME | MS_NODIRATIME;
	_cleanup_free_ char *src = NULL;
	char p[64], ps[64];
	_cleanup_close_ int sfd = -1;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", dst);
	if (mount("cgroup2", p, "cgroup2", flags & keep, NULL) == 0)
		return 0;
	if (errno != EPERM && errno != EBUSY)
		return husk_error_sys(err, -errno, "mount cgroup2 on %s", dest);
	src = c->cgroup_ns ? xstrdup(c->cgroup_dirs->v[0]) : v2_mountpoint(c->cgroup_dirs->v[0]);
	if (!src)
		return husk_error_set(err, -ENOENT, "mount cgroup2 on %s: no cgroup2 hierarchy to bind", dest);
	sfd = open(src, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return husk_error_sys(err, -errno, "open %s", src);
	snprintf(ps, sizeof(ps), "/proc/self/fd/%d", sfd);
	if (mount(ps, p, NULL, MS_BIND, NULL) < 0)
		return husk_error_sys(err, -errno, "bind %s on %s", src, dest);
	*bound = true;
	return 0;
}
