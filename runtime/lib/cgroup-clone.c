/* CLONE_INTO_CGROUP (clone3, Linux 5.7): on a pure cgroup v2 host the init
 * and every exec'd process are born in the container's cgroup, as crun does,
 * instead of being moved there by a cgroup.procs write after the clone: no
 * moment outside the limits, and no cgroup migration (whose lock is most of
 * a short run's time, docs/benchmarks.md). Where the kernel lacks clone3 or
 * the flag, the caller gets a plain clone and writes cgroup.procs as before.
 * HUSK_NO_CLONE_INTO_CGROUP=1 in the environment turns it off (benchmarks). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"

int cgroup_clone_fd(const struct husk_strv *dirs)
{
	const char *off = getenv("HUSK_NO_CLONE_INTO_CGROUP");
	struct statfs sf;
	int fd;

	/* one dir = a pure v2 host; hybrid hosts keep their v1 writes */
	if ((off && *off && strcmp(off, "0")) || dirs->n != 1)
		return -1;
	fd = open(dirs->v[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		close(fd);
		return -1;
	}
	return fd;
}

pid_t cgroup_clone(unsigned long flags, int cgfd, bool *placed)
{
	pid_t pid;

	*placed = false;
	if (cgfd >= 0) {
		struct clone_args a;

		memset(&a, 0, sizeof(a));
		a.flags = (flags & ~(unsigned long)CSIGNAL) | CLONE_INTO_CGROUP;
		a.exit_signal = flags & CSIGNAL;
		a.cgroup = (uint64_t)cgfd;
		pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
		if (pid == 0) {
			close(cgfd);
			return 0;
		}
		if (pid > 0) {
			*placed = true;
			return pid;
		}
		/* ENOSYS: no clone3 (< 5.3); E2BIG: no cgroup field (< 5.7); EINVAL
		 * or EOPNOTSUPP: a cgroup the kernel will not clone into */
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL && errno != EOPNOTSUPP)
			return -errno;
	}
	/* fork-like clone (no new stack): the child is a copy of the caller */
	pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
	if (pid == 0 && cgfd >= 0)
		close(cgfd);
	return pid < 0 ? -errno : pid;
}
