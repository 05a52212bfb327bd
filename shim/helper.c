/* Helper processes. In the child: fd 0-2 the process's stdio, 3 the result
 * pipe, 4 the console socket (if any), 5 the input (a memfd, if any), 6 the
 * shim's log. The result is "<code> <pid>\n<message>", taken when the
 * helper has been reaped. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helper.h"
#include "husk/husk.h"
#include "husk/log.h"
#include "shim.h"

enum { FD_RESULT = 3, FD_CONSOLE = 4, FD_INPUT = 5, FD_LOG = 6 };

struct helper {
	struct shim *s;
	pid_t pid;
	int fd;
	char buf[HUSK_ERROR_MAX + 64];
	size_t len;
	int ws;
	helper_cb cb;
	void *arg;
	struct helper *next;
};

static void unlink_helper(struct helper *h)
{
	for (struct helper **pp = &h->s->helpers; *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			return;
		}
}

static void complete(struct helper *h)
{
	int code = -EPROTO, pid = 0, off = 0;
	const char *msg = "the helper ended without a result";

	h->buf[h->len] = '\0';
	if (sscanf(h->buf, "%d %d\n%n", &code, &pid, &off) >= 2 && off > 0)
		msg = h->buf + off;
	else if (WIFSIGNALED(h->ws))
		msg = "the helper was killed";
	unlink_helper(h);
	h->cb(h->s, h->arg, code, code == 0 ? pid : 0, msg);
	free(h);
}

/* The result is read once the helper has been reaped: it wrote it before it
 * exited, and it is far smaller than a pipe's buffer. EOF cannot be the
 * signal: the container's init is a clone of the helper and holds the pipe
 * (close-on-exec) until its own execve. */
static void read_result(struct helper *h)
{
	for (;;) {
		ssize_t n = read(h->fd, h->buf + h->len, sizeof(h->buf) - 1 - h->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (h->len += (size_t)n) >= sizeof(h->buf) - 1)
			break;
	}
	close(h->fd);
	h->fd = -1;
}

bool helper_reaped(struct shim *s, pid_t pid, int ws)
{
	for (struct helper *h = s->helpers; h; h = h->next)
		if (h->pid == pid) {
			h->ws = ws;
			read_result(h);
			complete(h);
			return true;
		}
	return false;
}

void helper_forget_all(struct shim *s)
{
	while (s->helpers) {
		struct helper *h = s->helpers;
		s->helpers = h->next;
		if (h->fd >= 0)
			close(h->fd);
		/* its caller gets an answer and frees what it holds */
		h->cb(s, h->arg, -ECANCELED, 0, "the shim is shutting down");
		free(h);
	}
}

static int input_fd(const char *input)
{
	size_t len = strlen(input), off = 0;
	int fd = memfd_create("husk-shim-input", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, input + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;
			close(fd);
			return r;
		}
		off += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Whether the forked shim may run OP itself, without an exec. Start, Delete,
 * Pause, Resume and Update act on the host only: no process of the container
 * is cloned from the helper. Create and Exec clone the container's processes,
 * and a process of the container must not reach a writable image of our
 * binary through their /proc/PID/exe (CVE-2019-5736): they may run here only
 * when the shim itself runs from the read-only image (main.c sees to it),
 * else the helper re-executes from one. */
static bool run_in_fork(const char *op)
{
	static const char *const ops[] = {"start", "delete", "pause", "resume", "update"};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(op, ops[i]))
			return true;
	return husk_running_protected();
}

/* child side of the fork: put every fd at its number, then run the operation
 * here (run_in_fork) or exec ourselves from the sealed image */
static void __attribute__((noreturn)) child(const struct helper_req *req, const char *const *argv, int argc, int result,
					    int input)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC), fds[7];
	sigset_t none;

	for (int i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (devnull < 0)
		_exit(127);
	/* first everything above 10, so that no dup2 below clobbers a source */
	for (int i = 0; i < 3; i++)
		fds[i] = fcntl(req->stdio[i] >= 0 ? req->stdio[i] : devnull, F_DUPFD_CLOEXEC, 10);
	fds[FD_RESULT] = fcntl(result, F_DUPFD_CLOEXEC, 10);
	fds[FD_CONSOLE] = req->console >= 0 ? fcntl(req->console, F_DUPFD_CLOEXEC, 10) : -1;
	fds[FD_INPUT] = input >= 0 ? fcntl(input, F_DUPFD_CLOEXEC, 10) : -1;
	fds[FD_LOG] = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
	for (int i = 0; i < 7; i++)
		if (fds[i] >= 0 && dup2(fds[i], i) < 0)
			_exit(127);
	if (run_in_fork(req->op)) {
		/* no exec to close the shim's fds (loop, sockets, pipes): a long
		 * hook must not keep containerd's connection open */
		for (int i = 0; i < 7; i++)
			if (fds[i] < 0)
				close(i);
		if (close_range(7, ~0U, 0) < 0)
			_exit(127);
		helper_main(argc - 2, (char **)argv + 2);
	}
	husk_exec_sealed((char **)argv, &(struct husk_error){0});
	/* already sealed (or the re-exec failed before replacing us): exec plainly */
	execv("/proc/self/exe", (char **)argv);
	dprintf(FD_RESULT, "%d 0\nexec the helper: %s", -errno, strerror(errno));
	_exit(127);
}

int helper_spawn(struct shim *s, const struct helper_req *req, helper_cb cb, void *arg)
{
	const char *argv[12];
	int n = 0, p[2], input = -1;
	struct helper *h;
	pid_t pid;

	argv[n++] = "husk-shim";
	argv[n++] = "__helper";
	argv[n++] = req->op;
	argv[n++] = s->o.root;
	argv[n++] = s->cid; /* the container of Create, which need not be the shim's -id */
	argv[n++] = req->bundle ? req->bundle : "";
	argv[n++] = req->pid_file ? req->pid_file : "";
	argv[n++] = req->console >= 0 ? "console" : "-";
	argv[n++] = req->input ? "input" : "-";
	argv[n++] = req->force ? "force" : "-";
	argv[n++] = s->o.debug ? "debug" : "-";
	argv[n] = NULL;
	if (req->input && (input = input_fd(req->input)) < 0)
		return input;
	if (pipe2(p, O_CLOEXEC) < 0) {
		int r = -errno;
		if (input >= 0)
			close(input);
		return r;
	}
	pid = fork();
	if (pid == 0)
		child(req, argv, n, p[1], input);
	close(p[1]);
	if (input >= 0)
		close(input);
	if (pid < 0) {
		int r = -errno;
		close(p[0]);
		return r;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		abort();
	h->s = s;
	h->pid = pid;
	h->fd = p[0];
	h->cb = cb;
	h->arg = arg;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	h->next = s->helpers;
	s->helpers = h;
	return 0;
}

static char *read_input(void)
{
	size_t cap = 4096, len = 0;
	char *b = malloc(cap);

	for (;;) {
		ssize_t n;
		if (!b)
			return NULL;
		if (len + 1 >= cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				return NULL;
			}
			b = nb;
		}
		n = read(FD_INPUT, b + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	b[len] = '\0';
	return b;
}

void helper_main(int argc, char **argv)
{
	struct husk_error err = {0};
	const char *op, *root, *id, *bundle, *pid_file;
	bool console, input, force;
	char *in = NULL;
	pid_t pid = 0;
	int r;

	if (argc < 9)
		_exit(2);
	op = argv[0];
	root = argv[1];
	id = argv[2];
	bundle = argv[3];
	pid_file = argv[4];
	console = !strcmp(argv[5], "console");
	input = !strcmp(argv[6], "input");
	force = !strcmp(argv[7], "force");
	/* libhusk's messages go to the shim's log, never to the container's stderr */
	husk_log_open("/proc/self/fd/6", false, !strcmp(argv[8], "debug"));
	close(FD_LOG);
	if (input && !(in = read_input())) {
		r = husk_error_set(&err, -ENOMEM, "read the helper's input");
		goto out;
	}
	if (input)
		close(FD_INPUT);
	if (!strcmp(op, "create")) {
		struct husk_create_opts o = {.root = root, .id = id, .bundle = bundle, .pid_file = *pid_file ? pid_file : NULL,
					     .console_fd = console ? FD_CONSOLE : 0};
		r = husk_create(&o, &pid, &err);
	} else if (!strcmp(op, "exec")) {
		struct husk_exec_opts o = {.root = root, .id = id, .process_json = in, .console_fd = console ? FD_CONSOLE : 0,
					   .pid_file = *pid_file ? pid_file : NULL};
		r = husk_exec(&o, &pid, &err);
	} else if (!strcmp(op, "start")) {
		r = husk_start(root, id, &err);
	} else if (!strcmp(op, "delete")) {
		r = husk_delete(root, id, force, &err);
	} else if (!strcmp(op, "pause")) {
		r = husk_pause(root, id, &err);
	} else if (!strcmp(op, "resume")) {
		r = husk_resume(root, id, &err);
	} else if (!strcmp(op, "update")) {
		r = husk_update(root, id, in ? in : "{}", &err);
	} else {
		r = husk_error_set(&err, -EINVAL, "unknown helper operation %s", op);
	}
out:
	dprintf(FD_RESULT, "%d %d\n%s", r, r < 0 ? 0 : (int)pid, r < 0 ? err.msg : "");
	free(in);
	_exit(r < 0 ? 1 : 0);
}
