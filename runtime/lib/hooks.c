/* OCI hooks: each runs with the state JSON on stdin, its own args and env, and an
 * optional timeout. As runc 1.1: a hook without env gets the runtime's
 * environment (the process's env for the hooks the init runs), and runs in the
 * bundle directory (prestart, createRuntime, poststart), the rootfs
 * (createContainer), the process's cwd (startContainer) or the caller's cwd
 * (poststop). As the runtime-spec: a failing poststart or poststop hook is a
 * warning and the later hooks run; any other failure stops the list. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "husk/log.h"
#include "internal.h"
#include "util.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feed the state on the hook's stdin and wait for it to exit, both under one
 * deadline (-1: none): a hook that never reads cannot block us past its timeout.
 * Returns 0 once the hook has exited, -ETIMEDOUT, or -errno. */
static int feed_and_wait(int pidfd, int in, const char *data, long long deadline)
{
	size_t len = strlen(data), off = 0;
	sigset_t pipe_set, old;
	struct timespec zero = {0, 0};
	int r = 0;

	/* a hook that closes stdin early must not kill us with SIGPIPE */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	if (fcntl(in, F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
				      {.fd = in, .events = POLLOUT}};
		long long left = deadline < 0 ? -1 : deadline - now_ms();
		int n;

		if (in >= 0 && off == len) {
			close(in); /* EOF on the hook's stdin */
			in = -1;
		}
		if (deadline >= 0 && left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		n = poll(p, in >= 0 ? 2 : 1, (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (p[0].revents & POLLIN)
			break; /* exited */
		if (in >= 0 && p[1].revents) {
			ssize_t w = write(in, data + off, len - off);
			if (w > 0)
				off += (size_t)w;
			else if (w < 0 && errno != EAGAIN && errno != EINTR)
				off = len; /* EPIPE: the hook does not want the rest */
		}
	}
out:
	if (in >= 0)
		close(in);
	while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

static int reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int run_one(const struct husk_hook *h, const char *state, const char *cwd, char *const *env,
		   struct husk_error *err)
{
	char *argv_default[2] = {h->path, NULL};
	char *env_empty[1] = {NULL};
	_cleanup_close_ int pidfd = -1;
	int pipefd[2], status, r;
	long long deadline;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return husk_error_sys(err, -errno, "pipe");
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return husk_error_sys(err, r, "fork");
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(pipefd[0], STDIN_FILENO) < 0)
			_exit(127);
		if (cwd && chdir(cwd) < 0) {
			dprintf(STDERR_FILENO, "husk: hook %s: chdir %s: %s\n", h->path, cwd, strerror(errno));
			_exit(127);
		}
		/* a relative path is found from the cwd, as Go's exec.Cmd does */
		execve(h->path, h->args.n ? h->args.v : argv_default,
		       h->env.n ? h->env.v : env ? env : env_empty);
		{
			char buf[64];
			dprintf(STDERR_FILENO, "husk: exec hook %s: %s\n", h->path,
				husk_strerror(-errno, buf, sizeof(buf)));
		}
		_exit(127);
	}
	close(pipefd[0]);
	/* a timeout of more than a century is none (and its milliseconds overflow) */
	deadline = h->has_timeout && h->timeout < 100LL * 365 * 86400 ? now_ms() + h->timeout * 1000 : -1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		r = husk_error_sys(err, -errno, "%s: pidfd_open", h->path);
		close(pipefd[1]);
	} else {
		r = feed_and_wait(pidfd, pipefd[1], state, deadline);
		if (r == -ETIMEDOUT)
			r = husk_error_set(err, r, "%s: timed out after %llds", h->path, h->timeout);
		else if (r < 0)
			r = husk_error_sys(err, r, "%s: wait", h->path);
	}
	if (r < 0) {
		/* whatever went wrong, the hook does not outlive the operation */
		kill(pid, SIGKILL);
		reap(pid, &status);
		return r;
	}
	r = reap(pid, &status);
	if (r < 0)
		return husk_error_sys(err, r, "%s: wait", h->path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return husk_error_set(err, -ECANCELED, "%s: exit status %d", h->path, WEXITSTATUS(status));
	return husk_error_set(err, -ECANCELED, "%s: killed by signal %d", h->path, WTERMSIG(status));
}

int hooks_run_in(const struct husk_hook *hooks, size_t n, enum husk_hook_kind kind, const char *state_json,
		 const char *cwd, char *const *env, struct husk_error *err)
{
	bool warn_only = kind == HUSK_HOOK_POSTSTART || kind == HUSK_HOOK_POSTSTOP;

	for (size_t i = 0; i < n; i++) {
		int r = run_one(&hooks[i], state_json, cwd, env, err);
		if (r < 0 && warn_only) {
			husk_warn("%s hook #%zu: %s", husk_hook_names[kind], i, err->msg);
			husk_error_clear(err);
			continue;
		}
		if (r < 0)
			return husk_error_wrap(err, "%s hook #%zu", husk_hook_names[kind], i);
	}
	return 0;
}

int hooks_run(const struct husk_hook *hooks, size_t n, enum husk_hook_kind kind,
	      const char *state_json, struct husk_error *err)
{
	_cleanup_free_ char *bundle = NULL;

	if (!n)
		return 0;
	/* runc runs create (and its poststart hooks) in the bundle directory */
	if (kind != HUSK_HOOK_POSTSTOP) {
		json_t *st = json_loads(state_json, 0, NULL);
		const char *b = json_string_value(json_object_get(st, "bundle"));
		bundle = b && *b ? xstrdup(b) : NULL;
		json_decref(st);
	}
	return hooks_run_in(hooks, n, kind, state_json, bundle, environ, err);
}
