/* CVE-2019-5736: a process in the container could open /proc/PID/exe of a husk
 * process that works on it (the init before execve, or husk itself in a host
 * pid namespace) and, once husk exits, reopen that for writing and replace the
 * host's husk binary. husk therefore runs the verbs that touch a container
 * from a sealed memfd copy of itself: /proc/PID/exe then names a file that
 * cannot be written, grown or shrunk by anyone. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/husk.h"
#include "util.h"

#define HUSK_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static bool running_sealed(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & HUSK_SEALS) == HUSK_SEALS;
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

	if (running_sealed())
		return 0;
	fd = sealed_copy(err);
	if (fd < 0)
		return fd;
	/* an ELF binary runs from a close-on-exec fd: the kernel has it open */
	fexecve(fd, argv, environ);
	close(fd);
	return husk_error_sys(err, -errno, "re-execute husk from a sealed copy");
}
