/* The container's filesystem, built by the init inside its new mount namespace. */
#ifndef HUSK_ROOTFS_H
#define HUSK_ROOTFS_H

#include <stdbool.h>

#include "husk/spec.h"

struct rootfs_ctx {
	const struct husk_spec *spec;
	const char *rootfs;  /* absolute host path */
	const char *bundle;  /* for relative bind sources */
	const struct husk_strv *cgroup_dirs;
	const struct husk_strv *cgroup_names; /* "memory", "unified"… for each dir */
	bool cgroup_ns;
	bool userns;         /* devices are bind-mounted, not mknod'ed */
	bool no_pivot;
	const int *bind_src_fds; /* pre-opened bind sources by mount index (create.h), or NULL */
};

/* Propagation, the rootfs bind, spec mounts in order, devices, /dev links. */
int rootfs_prepare(struct rootfs_ctx *c, struct husk_error *err);
/* pivot_root (or MS_MOVE + chroot with no_pivot) and drop the old root. */
int rootfs_pivot(struct rootfs_ctx *c, struct husk_error *err);
/* After pivot: sysctl, readonlyPaths, maskedPaths, read-only root. */
int rootfs_finalize(struct rootfs_ctx *c, struct husk_error *err);

/* tmpcopyup: copy the tree under the directory fd from into the directory fd
 * to (the new tmpfs), keeping modes and owners (copyup.c). dest names the
 * mount in errors. */
int rootfs_copy_up(int from, int to, const char *dest, struct husk_error *err);

/* Open path inside the directory fd root, never leaving it (RESOLVE_IN_ROOT). */
int open_in_root(int rootfd, const char *path, int flags);
/* Create missing directories (and the last component as a file when is_file)
 * inside root; returns an O_PATH fd of the result. */
int mkdirall_in_root(int rootfd, const char *path, bool is_file);

/* rootfs-cgroup.c: is the container's cgroup on a pure v2 host? Then
 * /sys/fs/cgroup is a cgroup2 mount on dst (an O_PATH fd of dest), as runc's;
 * where the kernel refuses one (a user namespace without a cgroup namespace)
 * the hierarchy is bind-mounted instead and *bound is set: the caller then
 * remounts the bind with flags (dst does not reach it). 0 or -errno. */
bool rootfs_cgroup_v2_only(const struct rootfs_ctx *c);
int rootfs_mount_cgroup2(const struct rootfs_ctx *c, int dst, const char *dest, unsigned long flags, bool *bound,
			 struct husk_error *err);

#endif
