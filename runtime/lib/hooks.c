/* OCI hooks: each runs with the state JSON on stdin, its own args and env, and an
 * optional timeout; the first failure stops the list. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "util.h"

/* Write the state without dying of SIGPIPE when a hook ignores stdin. */
static void feed_stdin(int fd, const char *data)
{
	sigset_t pipe_set, old;
	struct timespec zero = {0, 0};

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	(void)!write_full(fd, data, strlen(data));
	while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for pid up to timeout_ms (-1 = forever). Returns 0 and the status, or -ETIMEDOUT. */
static int wait_timeout(pid_t pid, int timeout_ms, int *status)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	long long deadline = now_ms() + timeout_ms;

	while (timeout_ms >= 0 && pidfd >= 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			break;
	}
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int run_one(const struct husk_hook *h, const char *state, struct husk_error *err)
{
	char *argv_default[2] = {h->path, NULL};
	char *env_empty[1] = {NULL};
	int pipefd[2], status, r;
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
		execve(h->path, h->args.n ? h->args.v : argv_default, h->env.n ? h->env.v : env_empty);
		dprintf(STDERR_FILENO, "husk: exec hook %s: %s\n", h->path, strerror(errno));
		_exit(127);
	}
	close(pipefd[0]);
	feed_stdin(pipefd[1], state);
	close(pipefd[1]);
	r = wait_timeout(pid, h->has_timeout ? h->timeout * 1000 : -1, &status);
	if (r == -ETIMEDOUT) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return husk_error_set(err, -ETIMEDOUT, "%s: timed out after %ds", h->path, h->timeout);
	}
	if (r < 0)
		return husk_error_sys(err, r, "%s: wait", h->path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return husk_error_set(err, -ECANCELED, "%s: exit status %d", h->path, WEXITSTATUS(status));
	return husk_error_set(err, -ECANCELED, "%s: killed by signal %d", h->path, WTERMSIG(status));
}

int hooks_run(const struct husk_hook *hooks, size_t n, enum husk_hook_kind kind,
	      const char *state_json, struct husk_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int r = run_one(&hooks[i], state_json, err);
		if (r < 0)
			return husk_error_wrap(err, "%s hook #%zu", husk_hook_names[kind], i);
	}
	return 0;
}
