/* The runtime's side of the sync protocol, one loop for create and exec: it
 * answers each message of the process it cloned until that process closes the
 * socket (its execve, or for the init its wait on exec.fifo). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "security.h"
#include "sync.h"
#include "util.h"

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

/* The process closed the socket without a word: it died. Say how, from its
 * wait status, left unreaped (WNOWAIT) for the caller; it may take a moment
 * between closing its files and becoming a zombie. */
static int exited_during_setup(const struct sync_loop *l, struct husk_error *err)
{
	siginfo_t si;

	for (int tries = 0; tries < 100; tries++) {
		struct timespec ts = {0, 1000 * 1000};

		memset(&si, 0, sizeof(si));
		if (l->pid <= 0 || waitid(P_PID, (id_t)l->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
			break;
		if (si.si_pid == l->pid && si.si_code == CLD_EXITED)
			return husk_error_set(err, -ECHILD, "%s exited during setup (exit status %d)", l->who,
					      si.si_status);
		if (si.si_pid == l->pid)
			return husk_error_set(err, -ECHILD, "%s exited during setup (killed by %s%s)", l->who,
					      sigabbrev_np(si.si_status) ? "SIG" : "signal ",
					      sigabbrev_np(si.si_status) ? sigabbrev_np(si.si_status) : "?");
		nanosleep(&ts, NULL);
	}
	return husk_error_set(err, -ECHILD, "%s exited during setup", l->who);
}

int sync_loop_run(const struct sync_loop *l, struct husk_error *err)
{
	struct sync_msg *msg = xcalloc(1, sizeof(*msg));
	bool ran = false;
	int r = 0, passfd = -1;

	while (r == 0) {
		r = sync_recv_fd(l->fd, msg, &passfd);
		if (r == -EPIPE) {
			r = ran ? 1 : exited_during_setup(l, err);
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
