/* The shim is the subreaper of everything the container's helpers leave
 * behind: SIGCHLD reaps every child that ended, matches it to a helper, the
 * init or an exec, and keeps exits it cannot match yet (a process can end
 * before its helper has told us its pid). Anything else is reaped silently. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "helper.h"
#include "process.h"
#include "shim.h"

static struct process *by_pid(struct shim *s, pid_t pid)
{
	for (struct process *p = s->procs; p; p = p->next)
		if (p->pid == pid && !p->reaped)
			return p;
	return NULL;
}

static void remember(struct shim *s, pid_t pid, int ws)
{
	unsigned n = sizeof(s->early) / sizeof(s->early[0]);

	if (s->n_early == n) /* the oldest is least likely to be claimed */
		for (unsigned i = 1; i < n; i++)
			s->early[i - 1] = s->early[i];
	else
		s->n_early++;
	s->early[s->n_early - 1].pid = pid;
	s->early[s->n_early - 1].status = ws;
}

void reaper_collect(struct shim *s)
{
	for (;;) {
		struct process *p;
		int ws;
		pid_t pid = waitpid(-1, &ws, WNOHANG);

		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			break;
		if (helper_reaped(s, pid, ws))
			continue;
		if ((p = by_pid(s, pid)))
			process_reaped(p, ws);
		else
			remember(s, pid, ws);
	}
}

static void on_sigchld(uv_signal_t *h, int sig)
{
	(void)sig;
	reaper_collect(h->data);
}

int reaper_start(struct shim *s)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return -errno;
	uv_signal_init(s->loop, &s->sigchld);
	s->sigchld.data = s;
	return uv_signal_start(&s->sigchld, on_sigchld, SIGCHLD);
}
