/* The runtime's side of the sync protocol, one loop for create and exec: it
 * answers each message of the process it cloned until that process closes the
 * socket (its execve, or for the init its wait on exec.fifo). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/husk.h"

#include "internal.h"
#include "security.h"
#include "sync.h"
#include "util.h"

/* How the process that closed the sync socket early ended, for the error:
 * ", killed by signal SIGSYS" (a seccomp profile's kill action, say) or ", exit
 * status N". It is our child and is not reaped here (WNOWAIT); its exit
 * follows its close of the socket, so we wait up to a second for it. */
static void describe_end(pid_t pid, char *buf, size_t len)
{
	siginfo_t si = {0};
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	buf[0] = '\0';
	if (pfd >= 0) {
		struct pollfd p = {.fd = pfd, .events = POLLIN};
		(void)poll(&p, 1, 1000);
		close(pfd);
	}
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != pid)
		return;
	if (si.si_code == CLD_EXITED)
		snprintf(buf, len, ", exit status %d", si.si_status);
	else if ((si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED) && husk_signal_name(si.si_status))
		snprintf(buf, len, ", killed by signal SIG%s", husk_signal_name(si.si_status));
	else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
		snprintf(buf, len, ", killed by signal %d", si.si_status);
}

/* One message; 0 to go on, -errno (err set) to stop. */
static int answer(const struct sync_loop *l, const struct sync_msg *msg, int passfd, bool *ran,
		  struct husk_error *err)
{
	char *payload = NULL;
	int r;

	switch (msg->type) {
	case SYNC_PROC_HOOKS:
		if (!l->hooks)
			break;
		r = l->hooks(l->ctx, &payload, err);
		if (r == 0 && sync_send(l->fd, SYNC_PROC_RESUME, 0, payload) < 0)
			r = husk_error_sys(err, -errno, "send procResume");
		free(payload);
		return r;
	case SYNC_PROC_READY:
		r = l->ready(l->ctx, &payload, err);
		if (r == 0 && sync_send(l->fd, SYNC_PROC_RUN, 0, payload) < 0)
			r = husk_error_sys(err, -errno, "send procRun");
		free(payload);
		*ran = r == 0;
		return r;
	case SYNC_PROC_SECCOMP: {
		_cleanup_free_ char *st = hook_state_json(l->id, l->pid, l->status, l->bundle, l->annotations);
		return seccomp_listener_handoff(l->fd, l->seccomp, st, l->pid, passfd, err);
	}
	case SYNC_PROC_ERROR:
		return husk_error_set(err, msg->code ? msg->code : -EINVAL, "%s", msg->payload);
	default:
		break;
	}
	return husk_error_set(err, -EPROTO, "unexpected sync message %s", sync_type_name(msg->type));
}

int sync_loop_run(const struct sync_loop *l, struct husk_error *err)
{
	struct sync_msg *msg = xcalloc(1, sizeof(*msg));
	bool ran = false;
	int r = 0, passfd = -1;

	while (r == 0) {
		r = sync_recv_fd(l->fd, msg, &passfd);
		if (r == -EPIPE) {
			char how[64];
			if (ran) {
				r = 1;
				break;
			}
			describe_end(l->pid, how, sizeof(how));
			r = husk_error_set(err, -ECHILD, "%s exited during setup%s", l->who, how);
			break;
		}
		if (r < 0) {
			r = husk_error_sys(err, r, "read sync socket");
			break;
		}
		r = answer(l, msg, passfd, &ran, err);
		if (passfd >= 0)
			close(passfd);
		passfd = -1;
		if (r < 0 && msg->type != SYNC_PROC_ERROR)
			(void)sync_send_error(l->fd, err);
	}
	free(msg);
	return r < 0 ? r : 0;
}
