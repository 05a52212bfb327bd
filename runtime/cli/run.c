/* husk run: create + start, then wait in the foreground, relaying signals to
 * the container and exiting with its status (128+N for a signal). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "cli.h"

/* Signals we forward; SIGCHLD is ours, SIGKILL/SIGSTOP cannot be caught. */
static void forward_set(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGKILL);
	sigdelset(set, SIGSTOP);
	/* faults must stay deliverable to ourselves */
	sigdelset(set, SIGSEGV);
	sigdelset(set, SIGBUS);
	sigdelset(set, SIGFPE);
	sigdelset(set, SIGILL);
	sigdelset(set, SIGTRAP);
	sigdelset(set, SIGABRT);
	sigdelset(set, SIGSYS);
}

static int wait_and_forward(pid_t init, const sigset_t *set)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "husk: run: sigwaitinfo: %s\n", strerror(errno));
			return 1;
		}
		if (sig == SIGCHLD) {
			int status;
			pid_t p;
			/* we are a subreaper: reap everything, note the init */
			while ((p = waitpid(-1, &status, WNOHANG)) > 0)
				if (p == init)
					return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			continue;
		}
		if (sig == SIGWINCH || sig == SIGURG || sig == SIGPIPE)
			continue;
		if (kill(init, sig) < 0 && errno != ESRCH)
			fprintf(stderr, "husk: run: forward signal %d: %s\n", sig, strerror(errno));
	}
}

int cmd_run(const struct global *g, int argc, char **argv)
{
	struct create_flags f = {0};
	struct husk_error err = {0};
	sigset_t set, old;
	pid_t pid;
	int status;

	if (parse_create_flags("run", argc, argv, true, &f) < 0)
		return 1;
	f.opts.root = g->root;
	forward_set(&set);
	/* blocked before create, so no signal is lost; the init unblocks its own */
	sigprocmask(SIG_BLOCK, &set, &old);
	if (!f.detach && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		fprintf(stderr, "husk: run: set subreaper: %s\n", strerror(errno));
	if (husk_create(&f.opts, &pid, &err) < 0)
		return cli_fail("run", &err);
	if (husk_start(g->root, f.opts.id, &err) < 0) {
		struct husk_error ignore = {0};
		cli_fail("run", &err);
		husk_delete(g->root, f.opts.id, true, &ignore);
		return 1;
	}
	if (f.detach)
		return 0;
	status = wait_and_forward(pid, &set);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!f.keep && husk_delete(g->root, f.opts.id, true, &err) < 0)
		cli_fail("run", &err);
	return status;
}
