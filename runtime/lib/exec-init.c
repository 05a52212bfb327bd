/* An exec'd process, from clone() to execve(): the setns variant of the init.
 * It is cloned into the container's pid (and time) namespaces by the runtime,
 * placed in the cgroup, then joins the rest through the init's pidfd in one
 * setns() (so a recycled pid can never be joined) and takes its settings. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "exec.h"
#include "process.h"
#include "sync.h"
#include "util.h"

/* The sync socket must stay close-on-exec: it is how the runtime learns the
 * execve happened. Move it out of the range --preserve-fds hands down. */
static int sync_above(struct exec_ctx *c, int preserve)
{
	int fd;

	if (c->sync_child >= 3 + preserve)
		return 0;
	fd = fcntl(c->sync_child, F_DUPFD_CLOEXEC, 3 + preserve);
	if (fd < 0)
		return -errno;
	close(c->sync_child);
	c->sync_child = fd;
	return 0;
}

void exec_init_main(struct exec_ctx *c)
{
	const struct husk_spec *s = c->spec;
	const struct husk_process *p = s->process;
	struct husk_error err = {0};
	struct sync_msg *msg = xcalloc(1, sizeof(*msg));
	struct proc_setup ps = {.spec = s, .userns = c->userns};

	proc_start(c->sync_parent, c->sync_child, c->opts->preserve_fds, msg);
	/* the sync socket must stay close-on-exec (its EOF tells the runtime the
	 * execve happened): out of the range --preserve-fds hands down, now */
	if (sync_above(c, c->opts->preserve_fds) < 0) {
		husk_error_sys(&err, -errno, "move the sync socket");
		proc_fail(c->sync_child, &err);
	}
	ps.sync_fd = c->sync_child;
	if (c->ns_flags && setns(c->pidfd, c->ns_flags) < 0) {
		husk_error_sys(&err, -errno, "join the namespaces of container \"%s\"", c->st->id);
		proc_fail(c->sync_child, &err);
	}
	close(c->pidfd);
	if (setsid() < 0) {
		husk_error_sys(&err, -errno, "setsid");
		proc_fail(c->sync_child, &err);
	}
	proc_join_session_keyring(c->st->id);
	if (p->terminal && proc_setup_terminal(p, &c->console_fd, c->opts->console_clear_onlcr, false, &err) < 0)
		proc_fail(c->sync_child, &err);
	if (proc_apply(&ps, &err) < 0)
		proc_fail(c->sync_child, &err);
	if (sync_send(c->sync_child, SYNC_PROC_READY, 0, NULL) < 0)
		_exit(1);
	if (sync_expect(c->sync_child, SYNC_PROC_RUN, msg, &err) < 0)
		_exit(1);
	free(msg);
	/* a foreground caller's death does not take the process with it (as runc) */
	prctl(PR_SET_PDEATHSIG, 0);
	if (proc_keep_fds(c->opts->preserve_fds, ps.seccomp_loaded) < 0) {
		husk_error_sys(&err, -errno, "keep the preserved fds");
		proc_fail(c->sync_child, &err);
	}
	/* the runtime listens until our execve closes the socket: a notify
	 * listener can still be handed over, so the filter comes last */
	if (proc_set_affinity(p->exec_cpu_affinity_final, &err) < 0 || proc_seccomp_late(&ps, false, &err) < 0)
		proc_fail(c->sync_child, &err);
	execve(ps.exe, p->args.v, ps.env ? ps.env : (char *[]){NULL});
	husk_error_sys(&err, -errno, "exec %s", ps.exe);
	sync_send_error(c->sync_child, &err);
	proc_exit_filtered(127);
}
