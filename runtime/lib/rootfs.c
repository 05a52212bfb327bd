#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/mount.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"
#include "lsm.h"
#include "mountopt.h"
#include "sysctl.h"
#include "util.h"

#define FDPATH(buf, fd) (snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd), buf)

int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && (errno == EINTR || errno == EAGAIN));
	return fd < 0 ? -errno : (int)fd;
}

static int mkdirall_depth(int rootfd, const char *path, bool is_file, bool link_targets, int depth);

/* comp exists under parent but does not resolve: a dangling symlink. Create its
 * target, resolved inside the root like everything else. */
static int create_link_target(int rootfd, int parent, const char *comp, const char *prefix,
			      bool is_file, int depth)
{
	char target[4096];
	ssize_t n = readlinkat(parent, comp, target, sizeof(target) - 1);
	_cleanup_free_ char *dir = NULL, *resolved = NULL;
	char *slash;
	int fd;

	if (n < 0)
		return -errno;
	target[n] = '\0';
	dir = xstrdup(prefix);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	resolved = target[0] == '/' ? xstrdup(target) : xasprintf("%s/%s", dir, target);
	fd = mkdirall_depth(rootfd, resolved, is_file, true, depth + 1);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? fd : 0;
}

static int mkdirall_depth(int rootfd, const char *path, bool is_file, bool link_targets, int depth)
{
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_close_ int parent = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
	char *save = NULL, *comp, *next;

	if (depth > 40)
		return -ELOOP;
	if (parent < 0)
		return parent;
	comp = strtok_r(copy, "/", &save);
	if (!comp)
		return take_fd(&parent);
	for (; comp; comp = next) {
		/* copy has NULs where path had '/'; the same offsets in path give the prefix */
		_cleanup_free_ char *prefix = strndup(path, (size_t)(comp - copy) + strlen(comp));
		bool last_file;
		int fd, r;

		next = strtok_r(NULL, "/", &save);
		last_file = !next && is_file;
		fd = open_in_root(rootfd, prefix, O_PATH);
		if (fd == -ENOENT) {
			if (last_file) {
				r = openat(parent, comp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (r >= 0)
					close(r);
			} else {
				r = mkdirat(parent, comp, 0755);
			}
			if (r < 0 && (errno != EEXIST || !link_targets))
				return -errno;
			if (r < 0) {
				r = create_link_target(rootfd, parent, comp, prefix, last_file, depth);
				if (r < 0)
					return r;
			}
			fd = open_in_root(rootfd, prefix, O_PATH);
		}
		if (fd < 0)
			return fd;
		close(parent);
		parent = fd;
	}
	return take_fd(&parent);
}

int mkdirall_in_root(int rootfd, const char *path, bool is_file)
{
	return mkdirall_depth(rootfd, path, is_file, true, 0);
}

/* The cwd: runc 1.1 makes it with os.MkdirAll inside the container, which
 * fails on a dangling symlink ("mkdir /out: file exists") where a mount point
 * (securejoin) gets the link's target made. */
static int mkdirall_cwd(int rootfd, const char *path)
{
	return mkdirall_depth(rootfd, path, false, false, 0);
}

static unsigned long statvfs_mount_flags(const char *path)
{
	static const struct { unsigned long st, ms; } map[] = {
		{ST_RDONLY, MS_RDONLY},	     {ST_NOSUID, MS_NOSUID},	   {ST_NODEV, MS_NODEV},
		{ST_NOEXEC, MS_NOEXEC},	     {ST_SYNCHRONOUS, MS_SYNCHRONOUS}, {ST_MANDLOCK, MS_MANDLOCK},
		{ST_NOATIME, MS_NOATIME},    {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
	};
	struct statvfs sv;
	unsigned long flags = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (sv.f_flag & map[i].st)
			flags |= map[i].ms;
	return flags;
}

/* Remount a bind mount with flags, keeping the ones the kernel locks in place. */
static int remount_bind(const char *path, unsigned long flags)
{
	const unsigned long atime = MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
	unsigned long have = statvfs_mount_flags(path);
	unsigned long keep = have & (MS_NOSUID | MS_NODEV | MS_NOEXEC);

	/* in a user namespace the atime flags are locked too: keep them unless asked */
	if (!(flags & atime))
		keep |= have & atime;

	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags | keep, NULL) == 0)
		return 0;
	/* runc's remount: a source the kernel keeps read-only (locked in a user
	 * namespace) stays read-only rather than failing the mount */
	if (errno != EPERM || !(have & MS_RDONLY) || (flags & MS_RDONLY))
		return -errno;
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags | keep | MS_RDONLY, NULL) < 0)
		return -errno;
	return 0;
}

static int set_rec_attrs(int fd, const struct mount_opts *mo)
{
	struct mount_attr attr = {.attr_set = mo->rec_set, .attr_clr = mo->rec_clear};

	if (!mo->rec_set && !mo->rec_clear)
		return 0;
	if (mo->rec_set & MOUNT_ATTR__ATIME || mo->rec_clear & MOUNT_ATTR__ATIME)
		attr.attr_clr |= MOUNT_ATTR__ATIME;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return -errno;
	return 0;
}

/* After mounting on dst, fds to dst still see the covered directory: reopen. */
static int apply_after(int rootfd, const struct husk_mount *m, const struct mount_opts *mo,
		       bool bind, struct husk_error *err)
{
	unsigned long flags = mo->flags & ~(MS_REMOUNT);
	_cleanup_close_ int fd = -1;
	char p[64];
	int r;

	if (!(bind && flags) && !mo->propagation && !mo->rec_set && !mo->rec_clear)
		return 0;
	fd = open_in_root(rootfd, m->destination, O_PATH);
	if (fd < 0)
		return husk_error_sys(err, fd, "reopen %s", m->destination);
	if (bind && flags) {
		r = remount_bind(FDPATH(p, fd), flags);
		if (r < 0)
			return husk_error_sys(err, r, "remount %s with its options", m->destination);
	}
	r = set_rec_attrs(fd, mo);
	if (r < 0)
		return husk_error_sys(err, r, "set recursive attributes on %s", m->destination);
	if (mo->propagation && mount(NULL, FDPATH(p, fd), NULL, mo->propagation, NULL) < 0)
		return husk_error_sys(err, -errno, "set propagation of %s", m->destination);
	return 0;
}

static bool on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* CVE-2019-16884: nothing may be mounted over /proc or inside it, where it
 * could shadow the files that apply LSM labels (/proc/self/attr) or others the
 * kernel trusts, except for a few files tools such as lxcfs replace; procfs
 * itself, and binds of procfs files, are fine. dst is the resolved mount
 * point, so a symlink into /proc is caught as well as a literal path. */
static int check_proc_dest(struct rootfs_ctx *c, int dst, const struct husk_mount *m,
			   bool source_is_proc, struct husk_error *err)
{
	static const char *const allowed[] = {
		"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
		"/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev",
		"/proc/sys/kernel/ns_last_pid",
	};
	char p[64], where[4096];
	size_t rlen = strlen(c->rootfs);
	const char *in;
	ssize_t n;

	if (source_is_proc)
		return 0;
	n = readlink(FDPATH(p, dst), where, sizeof(where) - 1);
	if (n < 0)
		return husk_error_sys(err, -errno, "resolve mount point %s", m->destination);
	where[n] = '\0';
	in = strncmp(where, c->rootfs, rlen) == 0 ? where + rlen : where;
	if (!strcmp(in, "/proc"))
		return husk_error_set(err, -EPERM, "mount %s on %s: /proc may only be mounted as procfs",
				      m->type && *m->type ? m->type : "bind", m->destination);
	if (!on_procfs(dst))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		if (!strcmp(in, allowed[i]))
			return 0;
	return husk_error_set(err, -EPERM, "mount on %s: %s is inside /proc, where only procfs may be mounted",
			      m->destination, in);
}

static int mount_bind(struct rootfs_ctx *c, int rootfd, const struct husk_mount *m,
		      const struct mount_opts *mo, struct husk_error *err)
{
	_cleanup_free_ char *src_path = m->source[0] == '/' ? xstrdup(m->source)
							   : xasprintf("%s/%s", c->bundle, m->source);
	const int pre = c->bind_src_fds ? c->bind_src_fds[m - c->spec->mounts] : -1;
	/* opened by the runtime with the host's rights, or here */
	_cleanup_close_ int src = pre >= 0 ? fcntl(pre, F_DUPFD_CLOEXEC, 3) : open(src_path, O_PATH | O_CLOEXEC);
	_cleanup_close_ int dst = -1;
	char ps[64], pd[64];
	struct stat st;

	if (src < 0)
		return husk_error_sys(err, -errno, "bind mount source %s", src_path);
	if (fstat(src, &st) < 0)
		return husk_error_sys(err, -errno, "stat %s", src_path);
	dst = mkdirall_in_root(rootfd, m->destination, !S_ISDIR(st.st_mode));
	if (dst < 0)
		return husk_error_sys(err, dst, "create mount point %s", m->destination);
	if (check_proc_dest(c, dst, m, on_procfs(src), err) < 0)
		return err->code;
	if (mount(FDPATH(ps, src), FDPATH(pd, dst), NULL, MS_BIND | (mo->rbind ? MS_REC : 0), NULL) < 0)
		return husk_error_sys(err, -errno, "bind mount %s on %s", src_path, m->destination);
	return apply_after(rootfd, m, mo, true, err);
}

/* /proc and /sys must land on a real directory, never through a symlink
 * (CVE-2023-27561, CVE-2023-28642). */
static int check_ordinary_dir(int rootfd, const char *dest, struct husk_error *err)
{
	_cleanup_free_ char *copy = xstrdup(dest), *copy2 = xstrdup(dest);
	_cleanup_close_ int parent = -1;
	struct stat st;
	char *base = basename(copy);

	parent = mkdirall_in_root(rootfd, dirname(copy2), false);
	if (parent < 0)
		return husk_error_sys(err, parent, "create %s", dest);
	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return husk_error_sys(err, -errno, "stat %s", dest);
		if (mkdirat(parent, base, 0755) < 0 && errno != EEXIST)
			return husk_error_sys(err, -errno, "mkdir %s", dest);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return husk_error_set(err, -EINVAL, "%s must be mounted on an ordinary directory", dest);
	return 0;
}

static int mount_cgroup(struct rootfs_ctx *c, int rootfd, const struct husk_mount *m,
			const struct mount_opts *mo, struct husk_error *err)
{
	unsigned long base = mo->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
	int r;
	_cleanup_close_ int dst = mkdirall_in_root(rootfd, m->destination, false);
	char p[64];

	if (dst < 0)
		return husk_error_sys(err, dst, "create mount point %s", m->destination);
	if (check_proc_dest(c, dst, m, false, err) < 0)
		return err->code;
	if (rootfs_cgroup_v2_only(c)) {
		bool bound = false;
		_cleanup_close_ int fd = -1;

		r = rootfs_mount_cgroup2(c, dst, m->destination, mo->flags, &bound, err);
		if (r < 0 || !bound)
			return r;
		/* the bind (runc's fallback in a user namespace without a cgroup
		 * one) sits on top of dst, which still sees the covered directory:
		 * reach it by its path, then the options, locked flags kept */
		fd = open_in_root(rootfd, m->destination, O_PATH);
		if (fd < 0)
			return husk_error_sys(err, fd, "reopen %s", m->destination);
		r = remount_bind(FDPATH(p, fd), mo->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
		if (r < 0)
			return husk_error_sys(err, r, "remount %s", m->destination);
		return 0;
	}
	if (mount("tmpfs", FDPATH(p, dst), "tmpfs", base, "mode=755") < 0)
		return husk_error_sys(err, -errno, "mount tmpfs for cgroups on %s", m->destination);
	for (size_t i = 0; c->cgroup_dirs && i < c->cgroup_dirs->n; i++) {
		const char *dir = c->cgroup_dirs->v[i];
		_cleanup_free_ char *sub = xasprintf("%s/%s", m->destination, c->cgroup_names->v[i]);
		_cleanup_close_ int src = -1, subfd = -1;
		char ps[64];

		subfd = mkdirall_in_root(rootfd, sub, false);
		if (subfd < 0)
			return husk_error_sys(err, subfd, "create %s", sub);
		src = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (src < 0)
			return husk_error_sys(err, -errno, "open cgroup %s", dir);
		if (mount(FDPATH(ps, src), FDPATH(p, subfd), NULL, MS_BIND, NULL) < 0)
			return husk_error_sys(err, -errno, "bind cgroup %s on %s", dir, sub);
		close(subfd);
		subfd = open_in_root(rootfd, sub, O_PATH);
		if (subfd < 0)
			return husk_error_sys(err, subfd, "reopen %s", sub);
		r = remount_bind(FDPATH(p, subfd), mo->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
		if (r < 0)
			return husk_error_sys(err, r, "remount %s", sub);
	}
	if (mo->flags & MS_RDONLY) {
		close(dst);
		dst = open_in_root(rootfd, m->destination, O_PATH);
		if (dst < 0 || mount(NULL, FDPATH(p, dst), NULL, MS_REMOUNT | MS_RDONLY | base, "mode=755") < 0)
			return husk_error_sys(err, dst < 0 ? dst : -errno, "remount %s read-only", m->destination);
	}
	return 0;
}

/* In a user namespace the kernel refuses sysfs without a new network
 * namespace and mqueue without a new ipc namespace: those belong to the host's
 * namespaces, so the host's own mount is bound instead, as runc does. */
static const char *fallback_bind_source(const char *type)
{
	if (!strcmp(type, "sysfs"))
		return "/sys";
	if (!strcmp(type, "mqueue"))
		return "/dev/mqueue";
	return NULL;
}

static int bind_host_instead(int rootfd, int dst, const struct husk_mount *m,
			     const struct mount_opts *mo, struct husk_error *err)
{
	const char *host = fallback_bind_source(m->type);
	_cleanup_close_ int src = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC), bound = -1;
	uint64_t set = 0;
	char ps[64], pd[64];

	if (src < 0)
		return husk_error_sys(err, -errno,
				      "mount %s on %s: not permitted in a user namespace without its own %s namespace, and the host's %s cannot be bound instead",
				      m->type, m->destination, !strcmp(m->type, "sysfs") ? "network" : "ipc", host);
	if (mount(FDPATH(ps, src), FDPATH(pd, dst), NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_error_sys(err, -errno, "bind the host's %s on %s", host, m->destination);
	/* the bind sits on top of dst: reach it through a fresh fd */
	bound = open_in_root(rootfd, m->destination, O_PATH);
	if (bound < 0)
		return husk_error_sys(err, bound, "reopen %s", m->destination);
	set |= mo->flags & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0;
	set |= mo->flags & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0;
	set |= mo->flags & MS_NODEV ? MOUNT_ATTR_NODEV : 0;
	set |= mo->flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0;
	if (set) {
		struct mount_attr attr = {.attr_set = set};
		if (syscall(SYS_mount_setattr, bound, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
			    sizeof(attr)) < 0)
			return husk_error_sys(err, -errno, "set the options of %s", m->destination);
	}
	return 0;
}

/* As runc: a tmpfs, and whatever is mounted at /dev, is mounted read-write
 * first so that mount points, device nodes and copied-up files can be made in
 * it, and made read-only by rootfs_finalize(). */
static bool ro_deferred(const struct husk_mount *m, const struct mount_opts *mo)
{
	return (!mo->bind && m->type && !strcmp(m->type, "tmpfs")) || !strcmp(m->destination, "/dev");
}

/* The data of a tmpfs over an existing directory starts with that directory's
 * mode, so that the mount looks like what it covers (runc >= 1.1.8, crun); a
 * mode= of the config comes later and wins. */
static char *tmpfs_data(int rootfd, const struct husk_mount *m, const char *data)
{
	_cleanup_close_ int fd = open_in_root(rootfd, m->destination, O_PATH);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return data ? xstrdup(data) : NULL;
	return data && *data ? xasprintf("mode=%04o,%s", st.st_mode & 07777, data)
			     : xasprintf("mode=%04o", st.st_mode & 07777);
}

static int mount_one(struct rootfs_ctx *c, int rootfd, const struct husk_mount *m,
		     struct husk_error *err)
{
	struct mount_opts mo, eff;
	_cleanup_close_ int dst = -1, covered = -1;
	char p[64];
	int r;

	mount_opts_parse(&m->options, &mo);
	eff = mo;
	if (ro_deferred(m, &mo))
		eff.flags &= ~MS_RDONLY;
	if (mo.bind) {
		r = mount_bind(c, rootfd, m, &eff, err);
	} else if (!strcmp(m->type, "cgroup") || (!strcmp(m->type, "cgroup2") && rootfs_cgroup_v2_only(c))) {
		/* on a v1 or hybrid host "cgroup2" is the filesystem itself, as
		 * runc 1.1 mounts it; "cgroup" is the container's view of them all */
		r = mount_cgroup(c, rootfd, m, &eff, err);
	} else {
		bool tmpfs = !strcmp(m->type, "tmpfs");
		_cleanup_free_ char *fsdata = tmpfs ? tmpfs_data(rootfd, m, mo.data) : NULL;

		r = 0;
		if (!strcmp(m->type, "proc") || !strcmp(m->type, "sysfs"))
			r = check_ordinary_dir(rootfd, m->destination, err);
		if (r == 0) {
			dst = mkdirall_in_root(rootfd, m->destination, false);
			if (dst < 0)
				r = husk_error_sys(err, dst, "create mount point %s", m->destination);
			else
				r = check_proc_dest(c, dst, m, !strcmp(m->type, "proc"), err);
		}
		/* tmpcopyup (tmpfs only, as runc): this fd keeps seeing the covered directory */
		if (r == 0 && tmpfs && mo.tmpcopyup) {
			covered = openat(dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (covered < 0)
				r = husk_error_sys(err, -errno, "tmpcopyup %s: open", m->destination);
		}
		if (r == 0) {
			/* filesystems that take an SELinux context= option get the mount label */
			bool labeled = tmpfs || !strcmp(m->type, "devpts") || !strcmp(m->type, "mqueue");
			_cleanup_free_ char *data = lsm_mount_data(
				tmpfs ? fsdata : mo.data,
				labeled && lsm_selinux_enabled() ? c->spec->linux_.mount_label : NULL);
			if (mount(m->source && *m->source ? m->source : m->type, FDPATH(p, dst), m->type,
				  eff.flags & ~MS_REMOUNT, data) < 0) {
				if (errno == EPERM && c->userns && fallback_bind_source(m->type))
					r = bind_host_instead(rootfd, dst, m, &eff, err);
				else
					r = husk_error_sys(err, -errno, "mount %s on %s", m->type, m->destination);
			}
		}
		if (r == 0 && covered >= 0) {
			_cleanup_close_ int fresh = open_in_root(rootfd, m->destination, O_RDONLY | O_DIRECTORY);
			r = fresh < 0 ? husk_error_sys(err, fresh, "tmpcopyup %s: open the new tmpfs", m->destination)
				      : rootfs_copy_up(covered, fresh, m->destination, err);
		}
		if (r == 0)
			r = apply_after(rootfd, m, &eff, false, err);
	}
	mount_opts_free(&mo);
	return r;
}

/* The read-only remount that ro_deferred() put off; after pivot_root, so the
 * destinations resolve in the new root. */
static int remount_deferred_ro(const struct husk_spec *s, struct husk_error *err)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct husk_mount *m = &s->mounts[i];
		struct mount_opts mo;
		int r = 0;

		mount_opts_parse(&m->options, &mo);
		if (ro_deferred(m, &mo) && (mo.flags & MS_RDONLY))
			r = remount_bind(m->destination, (mo.flags & ~MS_REMOUNT) | MS_RDONLY);
		mount_opts_free(&mo);
		if (r < 0)
			return husk_error_sys(err, r, "remount %s read-only", m->destination);
	}
	return 0;
}

struct devspec {
	const char *path;
	char type;
	unsigned major, minor;
};

static const struct devspec default_devices[] = {
	{"/dev/null", 'c', 1, 3},    {"/dev/zero", 'c', 1, 5},	   {"/dev/full", 'c', 1, 7},
	{"/dev/random", 'c', 1, 8},  {"/dev/urandom", 'c', 1, 9}, {"/dev/tty", 'c', 5, 0},
};

static int make_device(struct rootfs_ctx *c, int rootfd, const char *path, char type,
		       unsigned major, unsigned minor, mode_t perm, uid_t uid, gid_t gid,
		       struct husk_error *err)
{
	_cleanup_free_ char *copy = xstrdup(path), *copy2 = xstrdup(path);
	_cleanup_close_ int parent = mkdirall_in_root(rootfd, dirname(copy), false);
	const char *name = basename(copy2);
	mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
	char pd[64];

	if (parent < 0)
		return husk_error_sys(err, parent, "create parent of %s", path);
	if (c->userns) {
		/* mknod is not allowed in a user namespace: bind the host's node */
		_cleanup_close_ int src = open(path, O_PATH | O_CLOEXEC), dst = -1;
		char ps[64];
		int f = openat(parent, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);
		if (f < 0 && errno != EEXIST)
			return husk_error_sys(err, -errno, "create %s", path);
		if (f >= 0)
			close(f);
		if (src < 0)
			return husk_error_sys(err, -errno, "open host device %s", path);
		dst = open_in_root(rootfd, path, O_PATH);
		if (dst < 0)
			return husk_error_sys(err, dst, "open %s", path);
		if (mount(FDPATH(ps, src), FDPATH(pd, dst), NULL, MS_BIND, NULL) < 0)
			return husk_error_sys(err, -errno, "bind device %s", path);
		return 0;
	}
	if (mknodat(parent, name, kind | perm, makedev(major, minor)) < 0) {
		if (errno != EEXIST)
			return husk_error_sys(err, -errno, "mknod %s", path);
		/* leave an existing node as the image made it, as runc does */
		return 0;
	}
	if (fchownat(parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_error_sys(err, -errno, "chown %s", path);
	return 0;
}

static int create_devices(struct rootfs_ctx *c, int rootfd, struct husk_error *err)
{
	const struct husk_linux *l = &c->spec->linux_;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		const struct devspec *d = &default_devices[i];
		bool overridden = false;
		for (size_t j = 0; j < l->n_devices; j++)
			overridden |= !strcmp(l->devices[j].path, d->path);
		if (overridden)
			continue;
		r = make_device(c, rootfd, d->path, d->type, d->major, d->minor, 0666, 0, 0, err);
		if (r < 0)
			return r;
	}
	for (size_t j = 0; j < l->n_devices; j++) {
		const struct husk_device *d = &l->devices[j];
		r = make_device(c, rootfd, d->path, d->type, (unsigned)d->major, (unsigned)d->minor,
				d->has_file_mode ? d->file_mode & 07777 : 0666, d->has_uid ? d->uid : 0,
				d->has_gid ? d->gid : 0, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool has_mount_at(const struct husk_spec *s, const char *dest)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, dest))
			return true;
	return false;
}

static int dev_symlinks(struct rootfs_ctx *c, int rootfd, struct husk_error *err)
{
	static const char *const links[][2] = {
		{"/proc/self/fd", "fd"},     {"/proc/self/fd/0", "stdin"},
		{"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	};
	_cleanup_close_ int dev = mkdirall_in_root(rootfd, "/dev", false);
	_cleanup_close_ int devdir = -1;
	char p[64];

	if (dev < 0)
		return husk_error_sys(err, dev, "create /dev");
	devdir = open(FDPATH(p, dev), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (devdir < 0)
		return husk_error_sys(err, -errno, "open /dev");
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], devdir, links[i][1]) < 0 && errno != EEXIST)
			return husk_error_sys(err, -errno, "symlink /dev/%s", links[i][1]);
	if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", devdir, "core") < 0 &&
	    errno != EEXIST)
		return husk_error_sys(err, -errno, "symlink /dev/core");
	if (has_mount_at(c->spec, "/dev/pts")) {
		if (unlinkat(devdir, "ptmx", 0) < 0 && errno != ENOENT)
			return husk_error_sys(err, -errno, "remove /dev/ptmx");
		if (symlinkat("pts/ptmx", devdir, "ptmx") < 0)
			return husk_error_sys(err, -errno, "symlink /dev/ptmx");
	}
	return 0;
}

static bool has_mount_ns(const struct husk_spec *s)
{
	return husk_spec_namespace(s, CLONE_NEWNS) != NULL;
}

/* The rootfsPropagation flags, or runc's default rslave. */
static unsigned long root_propagation(const struct husk_spec *s)
{
	return s->linux_.rootfs_propagation ? s->linux_.rootfs_propagation : MS_SLAVE | MS_REC;
}

/* Make the mount at path, or the nearest mount above it, private (slave when
 * the propagation asked for is a slave one), as runc does: pivot_root refuses
 * a shared parent, and the bind of the rootfs must not propagate to the host.
 * mount(2) says EINVAL for a path that is not a mount point, so walk up until
 * one is: when the rootfs is itself a mount point (containerd's overlay) it is
 * that mount, not its parent's. */
static int rootfs_mount_unshared(const char *rootfs, unsigned long prop, struct husk_error *err)
{
	unsigned long flag = prop & MS_SLAVE ? MS_SLAVE : MS_PRIVATE;
	_cleanup_free_ char *path = xstrdup(rootfs);

	for (;;) {
		char *slash;

		if (mount(NULL, path, NULL, flag, NULL) == 0)
			return 0;
		if (errno != EINVAL || !strcmp(path, "/"))
			return husk_error_sys(err, -errno, "make the mount at %s %s", path,
					      flag == MS_SLAVE ? "slave" : "private");
		slash = strrchr(path, '/');
		if (slash == path)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

/* runc skips device nodes and /dev links when /dev is a bind mount (the
 * host's /dev, say): they would be made in the source. */
static bool needs_dev_setup(const struct husk_spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct mount_opts mo;
		bool bind;

		if (strcmp(s->mounts[i].destination, "/dev"))
			continue;
		mount_opts_parse(&s->mounts[i].options, &mo);
		bind = mo.bind;
		mount_opts_free(&mo);
		if (bind)
			return false;
	}
	return true;
}

int rootfs_prepare(struct rootfs_ctx *c, struct husk_error *err)
{
	const struct husk_spec *s = c->spec;
	unsigned long prop = root_propagation(s);
	_cleanup_close_ int rootfd = -1;
	int r;

	/* Without a mount namespace of its own the container shares the caller's
	 * (runtime-spec): its mounts are made there, as runc and crun do, but not
	 * the propagation change of / or the bind of the rootfs (runc makes the
	 * caller's / rslave; crun does neither). */
	if (c->no_pivot && (prop & MS_PRIVATE))
		return husk_error_set(err, -EINVAL, "rootfsPropagation of [r]private is not safe without pivot_root");
	if (has_mount_ns(s)) {
		/* before any mount, as runc: nothing we do may propagate back to the
		 * host unless rootfsPropagation asks for it */
		if (mount(NULL, "/", NULL, prop, NULL) < 0)
			return husk_error_sys(err, -errno, "set propagation of /");
		r = rootfs_mount_unshared(c->rootfs, prop, err);
		if (r < 0)
			return r;
		if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
			return husk_error_sys(err, -errno, "bind mount rootfs %s", c->rootfs);
	}
	rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return husk_error_sys(err, -errno, "open rootfs %s", c->rootfs);
	for (size_t i = 0; i < s->n_mounts; i++) {
		r = mount_one(c, rootfd, &s->mounts[i], err);
		if (r < 0)
			return r;
	}
	if (needs_dev_setup(s)) {
		r = create_devices(c, rootfd, err);
		if (r < 0)
			return r;
		r = dev_symlinks(c, rootfd, err);
		if (r < 0)
			return r;
	}
	/* a missing cwd is made, as runc does; it is entered later as the user */
	if (s->process && s->process->cwd) {
		int fd = mkdirall_cwd(rootfd, s->process->cwd);
		if (fd < 0)
			return husk_error_sys(err, fd, "create cwd %s", s->process->cwd);
		close(fd);
	}
	return 0;
}

/* mountinfo escapes ' ', '\t', '\n' and '\\' as octal: undo it in place */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* --no-pivot (runc's msMoveRoot): chroot leaves the host's procfs and sysfs
 * reachable in the mount namespace, and the kernel allows a new procfs or
 * sysfs mount (unshare -mrpf; mount -t proc) wherever a full, uncovered one
 * is visible. So every full (root "/") proc or sysfs mount outside the rootfs
 * is made rslave and detached, or covered with a tmpfs where detaching is
 * refused. */
static int mask_host_proc_sys(const char *rootfs, struct husk_error *err)
{
	_cleanup_free_ char *text = NULL;
	struct husk_strv points = {0};
	size_t rlen = strlen(rootfs);
	char *save = NULL;
	int r = read_file("/proc/self/mountinfo", &text, NULL);

	if (r < 0)
		return husk_error_sys(err, r, "read /proc/self/mountinfo");
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6] = {0}, *sep = strstr(line, " - "), *fstype, *q = line;
		size_t n = 0;
		if (!sep)
			continue;
		*sep = '\0';
		fstype = sep + 3;
		fstype[strcspn(fstype, " ")] = '\0';
		while (n < 6 && q) {
			f[n++] = q;
			if ((q = strchr(q, ' ')))
				*q++ = '\0';
		}
		if (n < 5 || strcmp(f[3], "/") || (strcmp(fstype, "proc") && strcmp(fstype, "sysfs")))
			continue;
		unescape_octal(f[4]);
		if (!strncmp(f[4], rootfs, rlen) && (f[4][rlen] == '/' || !f[4][rlen]))
			continue;
		points.v = xreallocarray(points.v, points.n + 2, sizeof(char *));
		points.v[points.n++] = xstrdup(f[4]);
		points.v[points.n] = NULL;
	}
	for (size_t i = 0; r == 0 && i < points.n; i++) {
		const char *p = points.v[i];
		/* nothing of this may reach the host */
		if (mount(NULL, p, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue; /* under a mount detached already */
			r = husk_error_sys(err, -errno, "no-pivot: make %s rslave", p);
		} else if (umount2(p, MNT_DETACH) < 0) {
			if (errno != EINVAL && errno != EPERM)
				r = husk_error_sys(err, -errno, "no-pivot: unmount %s", p);
			else if (mount("tmpfs", p, "tmpfs", 0, NULL) < 0)
				r = husk_error_sys(err, -errno, "no-pivot: cover %s", p);
		}
	}
	strv_free_items(&points);
	return r;
}

/* Without a mount namespace there is no root of our own to pivot: chroot, as
 * runc and crun do. */
static int enter_chroot(const char *rootfs, struct husk_error *err)
{
	if (chdir(rootfs) < 0)
		return husk_error_sys(err, -errno, "chdir %s", rootfs);
	if (chroot(".") < 0)
		return husk_error_sys(err, -errno, "chroot %s", rootfs);
	if (chdir("/") < 0)
		return husk_error_sys(err, -errno, "chdir /");
	return 0;
}

int rootfs_pivot(struct rootfs_ctx *c, struct husk_error *err)
{
	_cleanup_close_ int oldroot = -1, newroot = -1;

	if (!has_mount_ns(c->spec))
		return enter_chroot(c->rootfs, err);

	if (c->no_pivot) {
		if (mask_host_proc_sys(c->rootfs, err) < 0)
			return err->code;
		if (chdir(c->rootfs) < 0)
			return husk_error_sys(err, -errno, "chdir %s", c->rootfs);
		if (mount(c->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
			return husk_error_sys(err, -errno, "move rootfs to /");
		if (chroot(".") < 0)
			return husk_error_sys(err, -errno, "chroot");
		if (chdir("/") < 0)
			return husk_error_sys(err, -errno, "chdir /");
		return 0;
	}
	oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	newroot = open(c->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0 || newroot < 0)
		return husk_error_sys(err, -errno, "open old and new root");
	if (fchdir(newroot) < 0)
		return husk_error_sys(err, -errno, "chdir to rootfs");
	/* pivot_root(".", ".") stacks the old root on top of the new one */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return husk_error_sys(err, -errno, "pivot_root %s", c->rootfs);
	if (fchdir(oldroot) < 0)
		return husk_error_sys(err, -errno, "chdir to old root");
	/* keep the unmount from propagating to the host */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return husk_error_sys(err, -errno, "make old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return husk_error_sys(err, -errno, "unmount old root");
	if (chdir("/") < 0)
		return husk_error_sys(err, -errno, "chdir /");
	return 0;
}

static int readonly_path(const char *path, struct husk_error *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return 0;
		return husk_error_sys(err, -errno, "bind %s read-only", path);
	}
	int r = remount_bind(path, MS_RDONLY | statvfs_mount_flags(path));

	if (r < 0)
		return husk_error_sys(err, r, "remount %s read-only", path);
	return 0;
}

static int mask_path(const char *path, struct husk_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : husk_error_sys(err, -errno, "mask %s", path);
	if (S_ISDIR(st.st_mode)) {
		/* no data, as runc: what /proc/mounts shows is runc's "ro,relatime" */
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0)
			return husk_error_sys(err, -errno, "mask directory %s", path);
	} else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
		return husk_error_sys(err, -errno, "mask %s", path);
	}
	return 0;
}

int rootfs_finalize(struct rootfs_ctx *c, struct husk_error *err)
{
	const struct husk_linux *l = &c->spec->linux_;
	unsigned long prop = root_propagation(c->spec);
	bool mntns = has_mount_ns(c->spec);
	int r;

	/* rootfsPropagation on the new root, as runc >= 1.2 does: set on the old /
	 * before pivot_root it would not reach the container's / (shared gave a
	 * private /) and unbindable would stop the bind of the rootfs. private and
	 * slave are already there (rootfs_mount_unshared). */
	if (mntns && !(prop & (MS_PRIVATE | MS_SLAVE)) && mount(NULL, "/", NULL, prop, NULL) < 0)
		return husk_error_sys(err, -errno, "apply rootfsPropagation to /");
	/* runc leaves all of this to a container with its own mount namespace */
	if (mntns) {
		r = remount_deferred_ro(c->spec, err);
		if (r < 0)
			return r;
	}
	r = sysctl_write_all(&l->sysctl, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l->readonly_paths.n; i++) {
		r = readonly_path(l->readonly_paths.v[i], err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < l->masked_paths.n; i++) {
		r = mask_path(l->masked_paths.v[i], err);
		if (r < 0)
			return r;
	}
	if (mntns && c->spec->root_readonly && remount_bind("/", MS_RDONLY | statvfs_mount_flags("/")) < 0)
		return husk_error_sys(err, -errno, "remount / read-only");
	return 0;
}
