/* The tmpcopyup mount option: a tmpfs mounted over a directory starts with a
 * copy of what it covers, as runc does (mrunalp/fileutils.CopyDirectory):
 * directories, regular files, symlinks and device nodes, each with its mode
 * and owner (no times, no hard links). husk also copies FIFOs (runc fails on
 * them) and skips sockets. Nothing is followed: every name is opened with
 * O_NOFOLLOW relative to its parent's fd. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int copy_file(int from_dir, int to_dir, const char *name, const struct stat *st)
{
	_cleanup_close_ int in = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return -errno;
	out = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (write_full(out, buf, (size_t)n) < 0)
			return -errno;
	}
	if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0)
		return -errno;
	return 0;
}

static int copy_tree(int from, int to, int depth, const char **failed);

static int copy_entry(int from, int to, const char *name, int depth, const char **failed)
{
	struct stat st;
	int r = 0;

	*failed = name;
	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR: {
		_cleanup_close_ int sub_from = -1, sub_to = -1;

		if (mkdirat(to, name, 0700) < 0)
			return -errno;
		sub_from = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_from < 0 || sub_to < 0)
			return -errno;
		r = copy_tree(sub_from, sub_to, depth + 1, failed);
		if (r < 0)
			return r;
		if (fchown(sub_to, st.st_uid, st.st_gid) < 0 || fchmod(sub_to, st.st_mode & 07777) < 0)
			return -errno;
		return 0;
	}
	case S_IFREG:
		return copy_file(from, to, name, &st);
	case S_IFLNK: {
		char target[4097];
		ssize_t n = readlinkat(from, name, target, sizeof(target) - 1);

		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (symlinkat(target, to, name) < 0)
			return -errno;
		break;
	}
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
		if (mknodat(to, name, st.st_mode, st.st_rdev) < 0)
			return -errno;
		if (fchmodat(to, name, st.st_mode & 07777, 0) < 0)
			return -errno;
		break;
	default: /* sockets belong to whoever listens on them */
		return 0;
	}
	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int copy_tree(int from, int to, int depth, const char **failed)
{
	int fd = dup(from);
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (depth > 256)
		return -ELOOP;
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	rewinddir(d);
	while (r == 0) {
		errno = 0;
		e = readdir(d);
		if (!e) {
			r = errno ? -errno : 0;
			break;
		}
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		r = copy_entry(from, to, e->d_name, depth, failed);
	}
	closedir(d);
	return r;
}

int rootfs_copy_up(int from, int to, const char *dest, struct husk_error *err)
{
	const char *failed = "";
	int r = copy_tree(from, to, 0, &failed);

	if (r < 0)
		return husk_error_sys(err, r, "tmpcopyup %s: copy %s", dest, failed);
	return 0;
}
