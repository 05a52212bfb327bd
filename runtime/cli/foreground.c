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
#include <sys/stat.h>
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

/* The host ids of the container's root: hostID of containerID 0 in the maps
 * of a new user namespace. false: no such namespace (or no mapping of 0). */
static bool root_host_ids(const char *config_path, uid_t *uid, gid_t *gid)
{
	json_t *j = json_load_file(config_path, 0, NULL), *l = json_object_get(j, "linux"), *ns;
	bool userns = false, have_u = false, have_g = false;
	size_t i;

	json_array_foreach(json_object_get(l, "namespaces"), i, ns)
		if (json_is_string(json_object_get(ns, "type")) &&
		    !strcmp(json_string_value(json_object_get(ns, "type")), "user") && !json_object_get(ns, "path"))
			userns = true;
	for (int k = 0; userns && k < 2; k++) {
		json_t *m;
		json_array_foreach(json_object_get(l, k ? "gidMappings" : "uidMappings"), i, m) {
			if (json_integer_value(json_object_get(m, "containerID")) != 0 ||
			    json_integer_value(json_object_get(m, "size")) < 1)
				continue;
			if (k)
				*gid = (gid_t)json_integer_value(json_object_get(m, "hostID")), have_g = true;
			else
				*uid = (uid_t)json_integer_value(json_object_get(m, "hostID")), have_u = true;
			break;
		}
	}
	json_decref(j);
	return userns && have_u && have_g;
}

int fg_pipes_begin(const char *verb, const char *config_path, struct fg_pipes *fp)
{
	int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
	uid_t uid;
	gid_t gid;

	memset(fp, 0, sizeof(*fp));
	fp->in_w = fp->out_r = fp->err_r = -1;
	if (!root_host_ids(config_path, &uid, &gid))
		return 0;
	for (int i = 0; i < 3; i++) {
		if (pipe2(p[i], O_CLOEXEC) < 0)
			goto fail;
		/* the process's end: 0 reads, 1 and 2 write */
		if (fchown(p[i][i ? 1 : 0], uid, gid) < 0)
			goto fail;
		fp->saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
		if (fp->saved[i] < 0)
			goto fail;
	}
	for (int i = 0; i < 3; i++) {
		fp->theirs[i] = p[i][i ? 1 : 0];
		if (dup2(fp->theirs[i], i) < 0) /* dup2 clears close-on-exec on i */
			goto fail;
	}
	fp->in_w = p[0][1];
	fp->out_r = p[1][0];
	fp->err_r = p[2][0];
	fp->on = true;
	return 0;
fail:
	fprintf(stderr, "husk: %s: stdio pipes: %s\n", verb, strerror(errno));
	for (int i = 0; i < 3; i++) {
		if (fp->saved[i] > 0) {
			dup2(fp->saved[i], i);
			close(fp->saved[i]);
		}
		for (int k = 0; k < 2; k++)
			if (p[i][k] >= 0)
				close(p[i][k]);
	}
	memset(fp, 0, sizeof(*fp));
	return -1;
}

void fg_pipes_restore(struct fg_pipes *fp)
{
	if (!fp->on)
		return;
	for (int i = 0; i < 3; i++) {
		dup2(fp->saved[i], i);
		close(fp->saved[i]);
		close(fp->theirs[i]);
	}
}

void fg_pipes_close(struct fg_pipes *fp)
{
	int *ours[] = {&fp->in_w, &fp->out_r, &fp->err_r};

	if (!fp->on)
		return;
	for (size_t i = 0; i < 3; i++)
		if (*ours[i] >= 0) {
			close(*ours[i]);
			*ours[i] = -1;
		}
	fp->on = false;
}

/* Copy what a pipe holds now to fd, without blocking. */
static void drain_to(int from, int to)
{
	char buf[16384];
	ssize_t n;

	fcntl(from, F_SETFL, fcntl(from, F_GETFL) | O_NONBLOCK);
	while ((n = read(from, buf, sizeof(buf))) > 0)
		if (write_all(to, buf, (size_t)n) < 0)
			break;
}

int fg_wait(const char *verb, pid_t pid, int master, const struct fg_pipes *pipes, const sigset_t *old)
{
	struct termios saved;
	bool piped = pipes && pipes->on;
	bool raw = false, in_open = master >= 0 || piped, m_open = master >= 0;
	bool o_open = piped, e_open = piped;
	int in_to = piped ? pipes->in_w : master;
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
		struct pollfd p[5] = {{.fd = sfd, .events = POLLIN},
				      {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
				      {.fd = m_open ? master : -1, .events = POLLIN},
				      {.fd = o_open ? pipes->out_r : -1, .events = POLLIN},
				      {.fd = e_open ? pipes->err_r : -1, .events = POLLIN}};
		struct signalfd_siginfo si;
		char buf[16384];
		ssize_t n;

		if (poll(p, 5, -1) < 0) {
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
					if (o_open)
						drain_to(pipes->out_r, STDOUT_FILENO);
					if (e_open)
						drain_to(pipes->err_r, STDERR_FILENO);
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
			else if (n > 0 && write_all(in_to, buf, (size_t)n) < 0)
				in_open = false;
			if (!in_open && piped)
				close(pipes->in_w); /* the process sees the EOF */
		}
		if (p[2].revents) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0 && !(n < 0 && errno == EINTR))
				m_open = false; /* EIO: every holder of the slave is gone */
			else if (n > 0)
				write_all(STDOUT_FILENO, buf, (size_t)n);
		}
		for (int k = 3; k < 5; k++) {
			if (!p[k].revents)
				continue;
			n = read(p[k].fd, buf, sizeof(buf));
			if (n <= 0 && !(n < 0 && errno == EINTR))
				*(k == 3 ? &o_open : &e_open) = false;
			else if (n > 0)
				write_all(k == 3 ? STDOUT_FILENO : STDERR_FILENO, buf, (size_t)n);
		}
	}
	if (piped) {
		if (in_open)
			close(pipes->in_w);
		close(pipes->out_r);
		close(pipes->err_r);
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
