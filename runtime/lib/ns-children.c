/* pid and time namespaces take effect for children: a runtime enters them
 * around clone() and then returns to its own. This keeps the way back. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "husk/log.h"
#include "internal.h"

int ns_children_save(struct ns_restore *rs, int types, struct husk_error *err)
{
	rs->pid_fd = rs->time_fd = -1;
	if ((types & CLONE_NEWPID) &&
	    (rs->pid_fd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC)) < 0)
		return husk_error_sys(err, -errno, "open own pid namespace");
	if ((types & CLONE_NEWTIME) &&
	    (rs->time_fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC)) < 0)
		return husk_error_sys(err, -errno, "open own time namespace");
	return 0;
}

void ns_children_restore(struct ns_restore *rs)
{
	if (rs->pid_fd >= 0) {
		if (setns(rs->pid_fd, CLONE_NEWPID) < 0)
			husk_warn("restore pid namespace: %s", strerror(errno));
		close(rs->pid_fd);
	}
	if (rs->time_fd >= 0) {
		if (setns(rs->time_fd, CLONE_NEWTIME) < 0)
			husk_warn("restore time namespace: %s", strerror(errno));
		close(rs->time_fd);
	}
	rs->pid_fd = rs->time_fd = -1;
}
