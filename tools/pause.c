/*
 * pause: the init of a pod sandbox, as Kubernetes' pause image runs it. It
 * holds the pod's namespaces open and does nothing: it exits 0 on SIGINT or
 * SIGTERM (so a sandbox stops at once instead of waiting for SIGKILL) and, as
 * pid 1 of a shared pid namespace, reaps whatever children are re-parented to
 * it. Built static (tools/CMakeLists.txt) for an image with nothing else in
 * it (tools/mkimage -p).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_exit_signal(int sig)
{
	(void)sig;
	_exit(0);
}

static void on_child(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

static int install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

int main(void)
{
	if (getpid() != 1)
		fprintf(stderr, "pause: warning: not pid 1\n");
	if (install(SIGINT, on_exit_signal, 0) < 0 || install(SIGTERM, on_exit_signal, 0) < 0 ||
	    install(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART) < 0) {
		perror("pause: sigaction");
		return 1;
	}
	for (;;)
		pause();
}
