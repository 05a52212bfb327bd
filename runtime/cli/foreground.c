/* The foreground of run and exec. One poll loop over a signalfd, our stdin and
 * the pty master: signals go to the process (SIGWINCH resizes the pty instead),
 * SIGCHLD reaps (we may be a subreaper), and the pty is relayed both ways. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "foreground.h"
#include "husk/husk.h"

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

void fg_block(sigset_t *old)
{
	sigset_t set;

	forward_set(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

static int write_all(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			poll(&p, 1, -1);
			continue;
		}
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void copy_winsize(int master)
{
	struct winsize ws;

	if (master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* What is left in the pty after the process exited; its other holders (if
 * any) may keep it open, so this never blocks. */
static void drain(int master)
{
	char buf[16384];
	ssize_t n;

	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	while ((n = read(master, buf, sizeof(buf))) > 0)
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			break;
}

static int reap(pid_t pid, int *status)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == pid) {
			*status = husk_exit_status(st);
			return 1;
		}
	return 0;
}

int fg_wait(const char *verb, pid_t pid, int master, const sigset_t *old)
{
	struct termios saved;
	bool raw = false, in_open = master >= 0, m_open = master >= 0;
	sigset_t set;
	int sfd, status = 1;

	forward_set(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "husk: %s: signalfd: %s\n", verb, strerror(errno));
		return 1;
	}
	if (master >= 0 && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios t = saved;
		cfmakeraw(&t);
		/* as runc (containerd/console's raw mode): output processing stays
		 * on here and ONLCR is off on the container's pty, so a "\n" the
		 * process writes reaches this terminal as one "\r\n" */
		t.c_oflag |= OPOST;
		raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
	}
	copy_winsize(master);
	for (;;) {
		struct pollfd p[3] = {{.fd = sfd, .events = POLLIN},
				      {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
				      {.fd = m_open ? master : -1, .events = POLLIN}};
		struct signalfd_siginfo si;
		char buf[16384];
		ssize_t n;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "husk: %s: poll: %s\n", verb, strerror(errno));
			break;
		}
		if (p[0].revents && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			int sig = (int)si.ssi_signo;
			if (sig == SIGCHLD) {
				if (reap(pid, &status)) {
					if (m_open)
						drain(master);
					break;
				}
			} else if (sig == SIGWINCH) {
				copy_winsize(master);
			} else if (sig != SIGURG && sig != SIGPIPE && kill(pid, sig) < 0 && errno != ESRCH) {
				fprintf(stderr, "husk: %s: forward signal %d: %s\n", verb, sig, strerror(errno));
			}
		}
		if (p[1].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0 && !(n < 0 && errno == EINTR))
				in_open = false; /* EOF: nothing more to type */
			else if (n > 0 && write_all(master, buf, (size_t)n) < 0)
				in_open = false;
		}
		if (p[2].revents) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0 && !(n < 0 && errno == EINTR))
				m_open = false; /* EIO: every holder of the slave is gone */
			else if (n > 0)
				write_all(STDOUT_FILENO, buf, (size_t)n);
		}
	}
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(sfd);
	sigprocmask(SIG_SETMASK, old, NULL);
	return status;
}

bool fg_wants_terminal(const json_t *process)
{
	return json_is_true(json_object_get(process, "terminal"));
}

int fg_console_pair(const char *verb, int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		fprintf(stderr, "husk: %s: socketpair: %s\n", verb, strerror(errno));
		return -1;
	}
	return 0;
}

int fg_console_master(const char *verb, int sv0)
{
	struct husk_error err = {0};
	int fd = husk_console_recv(sv0, NULL, 0, &err);

	close(sv0);
	if (fd < 0)
		fprintf(stderr, "husk: %s: %s\n", verb, err.msg);
	return fd;
}
