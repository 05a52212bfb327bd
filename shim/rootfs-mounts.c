/* Create's rootfs: containerd hands over the snapshot as mounts (overlay
 * with lowerdir/upperdir/workdir, or a bind of a native snapshot) to put on
 * bundle/rootfs, as the runc-v2 shim does before it runs the runtime. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>

#include "containerd/types/mount.pb-c.h"
#include "husk/husk.h"
#include "shim.h"
#include "util.h"

static int rootfs_mount(const char *target, Containerd__Types__Mount **m, size_t n, struct husk_error *e)
{
	for (size_t i = 0; i < n; i++) {
		int r = husk_mount(m[i]->type, m[i]->source, target, m[i]->options, m[i]->n_options, e);
		if (r < 0) {
			husk_error_wrap(e, "rootfs");
			while (i--)
				umount2(target, MNT_DETACH);
			return r;
		}
	}
	return 0;
}

int rootfs_unmount(const char *target)
{
	int n = 0;

	/* everything stacked there (several mounts, or one bind of a bind) */
	while (umount2(target, MNT_DETACH) == 0)
		n++;
	return errno == EINVAL || errno == ENOENT ? n : -errno;
}

int shim_rootfs_mount(struct shim *s, Containerd__Types__Mount **m, size_t n, struct husk_error *e)
{
	char *rootfs;
	int r;

	if (!n)
		return 0;
	rootfs = xasprintf("%s/rootfs", s->bundle);
	r = rootfs_mount(rootfs, m, n, e);
	free(rootfs);
	s->rootfs_mounted = r == 0;
	return r;
}

void shim_rootfs_release(struct shim *s)
{
	char *rootfs;

	if (!s->rootfs_mounted)
		return;
	rootfs = xasprintf("%s/rootfs", s->bundle);
	rootfs_unmount(rootfs);
	free(rootfs);
	s->rootfs_mounted = false;
}
