/* CVE-2019-5736: a process in the container could open /proc/PID/exe of a husk
 * process that works on it (the init before execve, or husk itself in a host
 * pid namespace) and, once husk exits, reopen that for writing and replace the
 * host's husk binary. husk therefore runs the verbs that touch a container
 * from an image nobody can write: the binary through a private read-only bind
 * mount (open_tree + mount_setattr, no copy, as cheap as one execve), or where
 * that is not possible a sealed memfd copy. /proc/PID/exe then names a file
 * that cannot be opened for writing (EROFS, or EPERM from the seals). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/husk.h"
#include "husk/log.h"
#include "util.h"

#define HUSK_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

bool husk_running_protected(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct statvfs sv;
	int seals;

	if (fd < 0)
		return false;
	/* a read-only mount (ours, or the host installed husk on one) */
	if (fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return true;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & HUSK_SEALS) == HUSK_SEALS;
}

/* A detached read-only bind mount of our binary: needs CAP_SYS_ADMIN and 5.12+. */
static int readonly_bind(void)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
	_cleanup_close_ int fd = (int)syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe",
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return -errno;
	return take_fd(&fd);
}

static int sealed_copy(struct husk_error *err)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int mfd = -1;
	struct stat st;
	off_t off = 0;

	if (src < 0 || fstat(src, &st) < 0)
		return husk_error_sys(err, -errno, "open /proc/self/exe");
	mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return husk_error_sys(err, -errno, "memfd_create");
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return husk_error_sys(err, n < 0 ? -errno : -EIO, "copy husk into a memfd");
	}
	if (fcntl(mfd, F_ADD_SEALS, HUSK_SEALS) < 0)
		return husk_error_sys(err, -errno, "seal the husk memfd");
	return take_fd(&mfd);
}

int husk_exec_sealed(char **argv, struct husk_error *err)
{
	extern char **environ;
	int fd;

	if (husk_running_protected())
		return 0;
	fd = readonly_bind();
	if (fd < 0) {
		husk_debug("read-only bind of husk: %s; using a sealed copy", strerror(-fd));
		fd = sealed_copy(err);
		if (fd < 0)
			return fd;
	}
	/* an ELF binary runs from a close-on-exec fd: the kernel has it open */
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	close(fd);
	return husk_error_sys(err, -errno, "re-execute husk from a protected image");
}
